"""`python -m checker cost`: the timing semantics, the symbolic form, the fit, the CLI."""
import json
import os
import sys

import pytest

from checker.cli import main
from checker.cost import symbolic
from checker.cost.fit import Row, fit
from checker.cost.run import as_dict, build_scenario, cost_of
from checker.cost.tables import Cost, CostTable, Scenario, load_table
from checker.cost.timing import bounds, replay, scenario
from checker.lang.builder import ModelBuilder, when
from checker.lang.types import BOOL

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE = os.path.join(ROOT, "specs", "baseline.py")
CONCURRENT = os.path.join(ROOT, "specs", "concurrent.py")
ASYNC = os.path.join(ROOT, "specs", "async_inline.py")


def toy_model():
    """Two CPUs: CPU 0 sends CPU 1 an IPI, works locally, then waits for CPU 1's unlock."""
    m = ModelBuilder("toy")
    CPU = m.index_set("CPU", 2, lanes=True)
    pc = m.var("pc", m.enum("Pc", "start", "sent", "local_done", "done"), "start")
    queued = m.array("queued", CPU, BOOL, False)
    taken = m.array("taken", CPU, BOOL, False)
    locked = m.array("locked", CPU, BOOL, False)

    @m.action(CPU, actor=lambda t: 0)
    def ipi_send(t):
        return when((pc == "start") & (t == 1), queued[t].becomes(True), locked[t].becomes(True),
                    pc.becomes("sent"))

    @m.action(actor=lambda: 0)
    def local_work():
        return when(pc == "sent", pc.becomes("local_done"))

    @m.action(CPU)
    def ipi_entry(t):
        return when((t == 1) & queued[t], queued[t].becomes(False), taken[t].becomes(True))

    @m.action(CPU)
    def csd_unlock(t):
        return when((t == 1) & taken[t] & locked[t], locked[t].becomes(False))

    @m.action(actor=lambda: 0)
    def csd_lock_wait():
        return when((pc == "local_done") & ~locked[1], pc.becomes("done"))

    m.final(pc == "done")
    return m.build()


def toy_table(local=50.0):
    ns = {"send": 10.0, "local": local, "deliver": 100.0, "entry": 20.0, "unlock": 5.0, "line": 7.0, "wait": 1.0}
    return CostTable("toy", "", {k: Cost(k, v) for k, v in ns.items()},
                     {"ipi_send": ("send",), "local_work": ("local",), "ipi_entry": ("entry",),
                      "csd_unlock": ("unlock",), "csd_lock_wait": ("wait",)},
                     {"ipi": "deliver", "ack": "line", "raw": "line"},
                     Scenario({}, 0, "ipi_send", "csd_lock_wait"))


def test_two_cpu_toy_model_gives_the_exact_latency():
    # send + max(local, deliver + entry + unlock + line) + wait, over every interleaving
    sc = scenario(toy_model(), toy_table())
    b = bounds(sc)
    assert b.complete and b.best.latency == b.worst.latency == 10 + max(50, 100 + 20 + 5 + 7) + 1 == 143
    assert [ev.label for ev, _ in b.worst.critical_path()] == [
        "ipi_send(t=1)", "ipi_entry(t=1)", "csd_unlock(t=1)", "csd_lock_wait"]
    monos = symbolic.monomials(b.worst)
    # csd_unlock also reads `locked`, which CPU 0 wrote: a read-after-write edge (one line), dominated
    # here in numbers but not in symbols, so it stays in the form
    assert symbolic.form(monos, symbolic.path_order(b.worst)) == \
        "send + wait + max(line + unlock + max(deliver + entry, line), local)"
    # a slow local part takes over the critical path: 10 + 200 + 1
    slow = bounds(scenario(toy_model(), toy_table(local=200.0)))
    assert slow.worst.latency == 211
    assert [ev.label for ev, _ in slow.worst.critical_path()] == ["ipi_send(t=1)", "local_work", "csd_lock_wait"]
    # the symbolic form is the same structure, whatever the numbers
    assert symbolic.form(symbolic.monomials(slow.worst)) == symbolic.form(monos)


def test_critical_path_of_a_pending_ipi_includes_the_delivery_latency():
    table = load_table("haswell-2019", BASELINE)
    sc, _ = build_scenario(BASELINE, table, 2)
    b = bounds(sc)
    x = b.worst
    kinds = [(into.kind, into.cost) for _, into in x.critical_path() if into is not None]
    assert ("ipi", "ipi_deliver") in kinds and ("ack", "line") in kinds
    # at the step the IPI is still in flight, the responder's entry cannot start before the
    # sender's end plus the delivery latency
    evs = {ev.label: ev for ev in x.events}
    assert evs["ipi_entry(t=1)"].start == evs["ipi_send(t=1)"].end + table.ns("ipi_deliver")
    # the same path replayed gives the same times
    again = replay(sc, [next(k for k, i in enumerate(sc.compiled.instances) if i.label == ev.label)
                        for ev in x.events])
    assert again.latency == x.latency


def test_costs_are_deterministic():
    table = load_table("haswell-2019", ASYNC)
    a = [as_dict(cost_of(ASYNC, table, n)) for n in (2, 3)]
    b = [as_dict(cost_of(ASYNC, table, n)) for n in (2, 3)]
    assert a == b
    assert a[0]["best_ns"] == a[0]["worst_ns"] == 986.0  # the fitted table (syscall_zap 286)


def test_designs_order_as_the_seed_says_and_paths_show_why():
    table = load_table("haswell-2019", BASELINE)
    r = {s: cost_of(p, table, 2) for s, p in (("b", BASELINE), ("c", CONCURRENT), ("a", ASYNC))}
    assert r["b"].worst > r["c"].worst > r["a"].worst
    assert r["b"].counts_critical["invlpg"] == 2       # local, then remote flush, in series
    assert r["c"].counts_critical["invlpg"] == 1       # the local flush overlaps the remote one
    assert "invlpg" not in r["a"].counts_critical or "max(" in r["a"].form  # the remote flush is off the path
    assert all(e["event"] != "flush_tlb_func(t=1)" for e in r["a"].critical)


def test_fit_on_before_predicts_after_pinned():
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    import cost_seed
    res = cost_seed.run()
    assert res["fit_rms_ns"] == 0 and res["fitted"] == {"syscall_zap": 286.0, "ipi_send": 67.5,
                                                        "ipi_deliver": 417.5}
    got = {(r["design"], r["threads"]): r["model_ns"] for r in res["rows"]}
    assert got[("baseline", 2)] == 1436 and got[("baseline", 4)] == 1571 and got[("baseline", 1)] == 661
    assert got[("async_inline", 2)] == 1236 and got[("async_inline", 4)] == 1371
    assert got[("concurrent", 2)] == 1336


def test_fit_recovers_a_known_cost_on_the_toy():
    sc = scenario(toy_model(), toy_table())
    costs = {k: v.ns for k, v in toy_table().costs.items()}
    f = fit([Row("toy", sc, 143.0)], {**costs, "deliver": 80.0}, ("deliver",))
    assert f.costs["deliver"] == pytest.approx(100.0) and f.residual == pytest.approx(0.0)


def test_cli_compare_and_json(tmp_path, capsys):
    out = tmp_path / "c.json"
    assert main(["cost", "--compare", BASELINE, ASYNC, "--cpus", "2", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["schema"] == "flushcheck-cost/1" and len(doc["results"]) == 2
    assert doc["results"][0]["critical_path"][0]["event"] == "madvise_dontneed"
    assert "max(" in doc["results"][1]["symbolic"]
    text = capsys.readouterr().out
    assert "baseline" in text and "async_inline" in text


def test_cli_bad_input():
    assert main(["cost", BASELINE, "--set", "nope=1"]) == 2
    assert main(["cost", BASELINE, "--set", "invlpg"]) == 2
    assert main(["cost", BASELINE, "--costs", "no-such-table"]) == 2
    assert main(["cost", BASELINE, "--set", "invlpg=300"]) == 0


@pytest.mark.parametrize("cpus", [2, 4])
def test_search_is_exhaustive_at_small_cpu_counts(cpus):
    table = load_table("haswell-2019", BASELINE)
    sc, _ = build_scenario(BASELINE, table, cpus)
    b = bounds(sc)
    assert b.complete and b.stuck == 0


def test_html_timeline_draws_every_event_and_the_critical_path(tmp_path):
    """`cost --html`: one box per event of the worst execution, the critical path's boxes outlined,
    the IPI drawn with its delivery latency; the JSON's timeline holds the same events."""
    page, doc = tmp_path / "t.html", tmp_path / "t.json"
    assert main(["cost", BASELINE, "--cpus", "3", "--html", str(page), "--json", str(doc)]) == 0
    html = page.read_text()
    r = json.loads(doc.read_text())["results"][0]
    events = r["timeline"]
    assert html.count('class="ev') == len(events) and html.count('class="ev crit"') == len(r["critical_path"])
    assert [e["event"] for e in events if e["critical"]] == [s["event"] for s in r["critical_path"]]
    assert "ipi +ipi_deliver" in html and "CPU 2" in html and "<script" not in html
    ends = {e["event"]: e["end_ns"] for e in events}
    assert max(ends.values()) == r["worst_ns"] == ends["tlb_finish_mmu"]
