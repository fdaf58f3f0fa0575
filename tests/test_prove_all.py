"""Proofs for every number of CPUs (--prove --all-cpus): what they prove agrees with the fixed-N
proofs and the explicit search, no bug is ever proved, and a property that holds up to 3 CPUs and
fails at 4 is not claimed for every CPU count."""
from __future__ import annotations

import glob
import json
import os

import pytest
import z3

from checker.cli import main
from checker.errors import UserError
from checker.result import Verdict
from checker.run import RunOptions, build_model, run_check
from checker.smt.allcpus import prove_every_n
from checker.smt.param import generalise
from checker.spec import Check, load_spec

from .conftest import ROOT, searched_all_clean, spec_path
from .fixtures import four_cpus

ALL = RunOptions(prove=True, all_cpus=True)
PROVE = RunOptions(prove=True)
STANDARD = ("no_stale_access", "no_freed_table_walk", "flush_info_live", "nmi_uaccess_safe")
# the families proved for every CPU count (specs/<family>.py; sync_shootdown: benchmarks/)
FAMILIES = ["baseline", "concurrent", "async_inline", "v4_19", "kvm_pv", "latr", "sync_shootdown"]


def _protocol(family: str):
    if family == "sync_shootdown":
        from protocols.sync_shootdown import PROTOCOL
        return PROTOCOL
    return load_spec(spec_path(f"{family}.py"))[0].protocol


def proved_for_every_n(r) -> bool:
    """Every checked invariant proved for every depth and every CPU count; what induction cannot
    check (deadlock, leads-to, covers) is named, nothing else is missing."""
    return (r.violation is None and r.trace is None and r.backend == "smt (induction, every CPU count)"
            and str(r.params["cpus"]).startswith("every N≥")
            and " proved for every depth and for every number of CPUs (cpus ≥ " in r.reason
            and all(k == "deadlock" or "the Z3 backend does not" in why for k, why in r.unchecked.items())
            and r.verdict in (Verdict.HOLDS, Verdict.INCOMPLETE))


@pytest.mark.parametrize("family", FAMILIES)
def test_every_cpu_count_agrees_with_fixed_n_and_explicit_search(family):
    """pages=1, rounds=1: proved for every N; the fixed-N proofs at 2..8 agree (the all-N proof runs
    them and names them); the explicit search at 2, 3 and 4 CPUs finds no state breaking them."""
    proto = _protocol(family)
    check = Check(proto, cpus=2, pages=1, rounds=1)
    r = run_check("s", check, ALL)
    assert proved_for_every_n(r), r.reason
    assert "the fixed-N proofs at 2, 3, 4, 5, 6, 7, 8 CPUs agree" in r.reason
    for n in (2, 3, 4):
        e = run_check("s", Check(proto, cpus=n, pages=1, rounds=1, liveness=False),
                      RunOptions(backend="auto", workers=1))
        assert searched_all_clean(e) and e.invariants[:len(r.invariants)] == r.invariants, (n, e.reason)


@pytest.mark.parametrize("family", ["baseline", "concurrent", "async_inline", "v4_19", "kvm_pv", "latr"])
def test_strengthening_holds_in_every_reachable_state(family):
    """The auxiliary invariants the proof assumes are true: the explicit search checks them."""
    proto = _protocol(family)
    aux = [i.name for i in proto.build(proto.configure({"cpus": 2})).auxiliary]
    assert len(aux) >= 13
    r = run_check("s", Check(proto, invariants=aux, liveness=False, cpus=3, pages=1, rounds=2),
                  RunOptions(backend="auto", workers=1))
    assert searched_all_clean(r), r.violation


def test_sync_shootdown_strengthening_holds():
    from protocols.sync_shootdown import PROTOCOL
    aux = [i.name for i in PROTOCOL.build(PROTOCOL.configure({"cpus": 3})).auxiliary]
    assert len(aux) == 4
    for cpus, pages in ((3, 2), (4, 1)):
        r = run_check("s", Check(PROTOCOL, invariants=aux, liveness=False, cpus=cpus, pages=pages, rounds=2))
        assert searched_all_clean(r), r.violation


def test_the_command_line_says_every_number_of_cpus(capsys, tmp_path):
    out_json = tmp_path / "r.json"
    code = main([spec_path("async_inline.py"), "--prove", "--all-cpus", "--quiet", "--json", str(out_json)])
    assert code == 3  # deadlock, leads-to and covers are not checked by induction
    out = capsys.readouterr().out
    assert "cpus=every N≥2 pages=1 rounds=2 · backend smt (induction, every CPU count)" in out
    assert ("incomplete: " + ", ".join(STANDARD) + " proved for every depth and for every number of CPUs "
            "(cpus ≥ 2; CPU an unbounded set with CPU 0 fixed; pages=1 rounds=2 as given) by 1-induction "
            "with 13 strengthening invariants") in out
    assert "the fixed-N proofs at 2, 3, 4, 5, 6, 7, 8 CPUs agree" in out
    data = json.loads(out_json.read_text())
    res = data["checks"][0]
    assert res["params"]["cpus"] == "every N≥2" and res["backend"] == "smt (induction, every CPU count)"
    assert "for every number of CPUs" in res["reason"]


def test_a_spec_without_unchecked_properties_holds_for_every_n(capsys):
    check = Check(_protocol("baseline"), cpus=2, pages=1, rounds=1, deadlock=False, liveness=False)
    r = run_check("s", check, ALL)
    # covers are not searched by induction: named as not checked, so still incomplete
    assert proved_for_every_n(r) and set(r.unchecked) == {c.name for c in build_model(check, {}).covers}


def test_flags_are_checked(capsys):
    assert main([spec_path("baseline.py"), "--all-cpus", "--quiet"]) == 2
    assert "--all-cpus is a kind of proof — add --prove" in capsys.readouterr().err
    assert main([spec_path("baseline.py"), "--prove", "--all-cpus", "--cpus", "4", "--quiet"]) == 2
    assert "--cpus 4 and --all-cpus" in capsys.readouterr().err


# ------------------------------------------------------------------ bugs are never proved

def _bug_checks():
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "specs", "bugs", "*.py"))):
        for c in load_spec(path):
            # several initiators (protocols/initiators.py) declare no strengthening: not proved for every N
            if c.protocol.name in FAMILIES and c.expect != "holds" and c.params.get("initiators", 1) == 1:
                out.append(pytest.param(path, c, id=c.name or os.path.basename(path)[:-3]))
    return out


@pytest.mark.parametrize("path,check", _bug_checks())
def test_no_bug_is_proved_for_every_n(path, check):
    """Each buggy variant of a family that proves: a counterexample to induction with its CPU count,
    checked at that count with the fixed-N encoding (or a real violation) — never proved."""
    r = run_check(path, check, ALL)
    assert "proved for every depth" not in r.reason
    assert r.verdict in (Verdict.INCOMPLETE, Verdict.VIOLATED), r.reason
    assert r.trace is not None and isinstance(r.params["cpus"], int)
    if r.verdict is Verdict.INCOMPLETE:
        assert r.trace.kind == "cti" and len(r.trace) == 1 and r.trace.lane_count == r.params["cpus"]
        assert f"in a state with {r.params['cpus']} CPUs" in r.reason
        assert "checked with the fixed-N encoding there" in r.reason


# the bug specs of the other families, one per way the proof for every N answers them: hyperv's
# hypercall (a loop over the CPUs) and its racy mask read, tlb_gen with two initiators (CPUs 0 and 1
# named: the family is too small to compare two builds), PTI's user ASIDs, INVLPGB and v6 (encoded
# for every N, no strengthening invariants). `python benchmarks/prove.py --bugs` runs every one.
OTHER_BUGS = ["b3_mm_users_shortcut", "b13_hyperv_empty_cpumask", "mremap_flush_after_ptl",
              "pti_user_asid_not_invalidated", "invlpgb_switch_mm_no_mb", "b20_nmi_uaccess_cr3"]


def _other_bug_checks():
    out = []
    for name in OTHER_BUGS:
        path = spec_path("bugs", f"{name}.py")
        c = next(c for c in load_spec(path) if c.expect != "holds")
        assert c.protocol.name not in FAMILIES
        out.append(pytest.param(path, c, id=name))
    return out


@pytest.mark.parametrize("path,check", _other_bug_checks())
def test_no_bug_of_another_family_is_proved_for_every_n(path, check):
    """A bug spec whose model has no statement for every CPU count (a loop over the CPUs, too few
    CPUs to compare two builds) gets the fixed-N proof at its own CPU count instead: a counterexample
    to induction or a real violation, named as such — never proved, never a refusal."""
    r = run_check(path, check, ALL)
    assert "proved for every depth" not in r.reason and "proves them" not in r.reason
    assert r.verdict in (Verdict.INCOMPLETE, Verdict.VIOLATED), r.reason
    assert r.trace is not None and isinstance(r.params["cpus"], int)
    assert r.backend == "smt (induction, every CPU count)"
    assert r.reason.startswith(("not proved for every number of CPUs: ", "violated with "))
    if r.verdict is Verdict.INCOMPLETE:
        assert r.trace.kind == "cti" and len(r.trace) == 1 and r.trace.lane_count == r.params["cpus"]


def test_cti_for_every_n_is_a_real_step_at_its_cpu_count():
    """The nmi_block bug's CTI: its step is a transition of the explicit backend at that CPU count
    and breaks no_stale_access; the fixed-N proof at that count fails too."""
    from checker.explicit.compile import compile_model
    from .test_bmc import _flat
    check = load_spec(spec_path("bugs", "async_no_nmi_block.py"))[0]
    r = run_check("s", check, ALL)
    t, n = r.trace, r.params["cpus"]
    assert n == 2 and t.violation.invariant == "no_stale_access"
    pre, post = t.steps[0].state, t.steps[1].state
    model = build_model(check, {"cpus": n})
    comp = compile_model(model)
    pack = lambda s: tuple(x for v in comp.layout.vars for x in _flat(s[v.name], v))  # noqa: E731
    succ = {comp.instances[k].action.name: s for k, s in comp.successors(pack(pre))}
    assert succ[t.steps[1].action] == pack(post)
    fixed = run_check("s", check, RunOptions({"cpus": n}, prove=True))
    assert fixed.trace is not None and fixed.trace.kind == "cti"


# ------------------------------------------------------------------ holds up to 3 CPUs, fails at 4

FOUR = four_cpus.PROTOCOL


@pytest.mark.parametrize("form", ["exists", "count"])
def test_holds_up_to_three_cpus_fails_at_four_is_not_claimed(form):
    check = Check(FOUR, cpus=3, form=form, deadlock=False, liveness=False)
    # what is true: explicit search and the fixed-N proof hold at 2 and 3 CPUs, fail at 4
    for n in (2, 3):
        assert run_check("s", check, RunOptions({"cpus": n})).verdict is Verdict.HOLDS
        assert run_check("s", check, RunOptions({"cpus": n}, prove=True)).verdict is Verdict.HOLDS
    bad = run_check("s", check, RunOptions({"cpus": 4}))
    assert bad.verdict is Verdict.VIOLATED and len(bad.trace) == 4
    assert run_check("s", check, RunOptions({"cpus": 4}, prove=True)).verdict is not Verdict.HOLDS
    # the proof for every CPU count does not claim it: its CTI has 4 CPUs (the fewest that break it)
    r = run_check("s", check, ALL)
    assert r.verdict is Verdict.INCOMPLETE and r.params["cpus"] == 4
    assert r.reason.startswith("not proved for every number of CPUs: at_most_three is not inductive")
    t = r.trace
    assert t.kind == "cti" and t.lane_count == 4 and t.steps[1].action == "do_x"
    assert sum(t.steps[0].state["did"]) == 3 and sum(t.steps[1].state["did"]) == 4
    # nor does CMP: Other stands for any number of CPUs that did X (the abstract trace, 0 steps); a
    # count of CPUs has no reading there at all
    if form == "exists":
        c = run_check("s", check, RunOptions(prove=True, all_cpus=True, cmp=True))
        assert c.verdict is Verdict.INCOMPLETE and c.trace.kind == "abstract" and len(c.trace) == 0
        assert "the abstract trace may be spurious" in c.reason
    else:
        with pytest.raises(UserError, match="counts CPUs"):
            run_check("s", check, RunOptions(prove=True, all_cpus=True, cmp=True))


def test_counting_cpus_is_not_claimed_unless_compared_with_a_constant():
    """`count(CPU, φ) <= 3` is encoded (above); a count in arithmetic has no encoding for every N:
    the answer says so where it is written, and the fixed-N proof at the check's count that holds
    there is not taken for every N."""
    check = Check(FOUR, cpus=3, form="sum", deadlock=False, liveness=False)
    with pytest.raises(UserError) as e:
        generalise(lambda n: build_model(check, {"cpus": n}), 2, FOUR.param("cpus").hi, check.loc)
    assert "invariant at_most_three counts CPUs" in e.value.message
    assert e.value.loc is not None and e.value.loc.file == four_cpus.__file__
    r = run_check("s", check, ALL)
    assert r.verdict is Verdict.INCOMPLETE and r.params["cpus"] == 3 and r.trace is None
    assert r.reason.startswith("not proved for every number of CPUs: the model has no statement for every "
                               "CPU count — invariant at_most_three counts CPUs")
    assert f"({os.path.relpath(four_cpus.__file__)}:" in r.reason
    assert "The fixed-N proof at the check's 3 CPUs instead proves them" in r.reason
    assert "which says nothing about other CPU counts" in r.reason


def test_models_built_cpu_by_cpu_get_the_fixed_n_proof(capsys):
    """hyperv's hypercall flushes CPU by CPU (a Python loop over the members): no model at one CPU
    count stands for the others, so the answer is the fixed-N proof's at the spec's count (a CTI:
    hyperv has no strengthening invariants), located at the loop."""
    assert main([spec_path("hyperv.py"), "--prove", "--all-cpus", "--quiet"]) == 3
    out = capsys.readouterr().out
    assert "not proved for every number of CPUs: the model has no statement for every CPU count" in out
    assert "names CPU 4 at cpus=5 but not at cpus=4" in out and "(protocols/flush.py:" in out
    assert "The fixed-N proof at the check's 3 CPUs instead: not proved: " in out
    assert "counterexample to induction, 1 step" in out


def test_an_undecided_query_is_incomplete_and_named(monkeypatch):
    """Z3 answering unknown (or running out of time) is never proved: the verdict names the query."""
    check = Check(_protocol("baseline"), cpus=2, pages=1, rounds=1)
    proto = check.protocol
    fam = generalise(lambda n: build_model(check, {"cpus": n}), 2, proto.param("cpus").hi, check.loc)
    aux = [i.name for i in fam.model.auxiliary]
    targets = [i.name for i in fam.model.invariants]
    calls = {"n": 0}
    real = z3.Solver.check

    def flaky(self, *a):
        calls["n"] += 1
        return z3.unknown if calls["n"] == 3 else real(self, *a)

    monkeypatch.setattr(z3.Solver, "check", flaky)
    o = prove_every_n(fam, lambda n: build_model(check, {"cpus": n}), targets, aux, cross_check=False)
    assert o.status == "unknown" and o.failed is not None
    assert o.failed.name.startswith("consecution: ") and "could not decide the consecution" in o.reason
    monkeypatch.setattr(z3.Solver, "check", real)
    # and the same with a time limit that has passed: incomplete, naming the first query
    o = prove_every_n(fam, lambda n: build_model(check, {"cpus": n}), targets, aux, time_limit=1e-9)
    assert o.status == "unknown" and o.failed.name == "initiation"


def test_nothing_left_unchecked_is_holds_for_every_n():
    """A spec with no deadlock, leads-to or cover to leave out: holds, and the text says for every N."""
    from rich.console import Console
    from checker.report.text import verdict_line
    r = run_check("s", Check(four_cpus.FLAG, cpus=3, deadlock=False, liveness=False), ALL)
    assert r.verdict is Verdict.HOLDS and r.trace is None and r.backend == "smt (induction, every CPU count)"
    assert r.params["cpus"] == "every N≥2" and r.reason.startswith("and for every number of CPUs (cpus ≥ 2")
    c = Console(record=True, width=400)
    c.print(verdict_line(r))
    assert "proved for every depth at these bounds: flag_set — and for every number of CPUs" in c.export_text()
    from checker.report.ci import got   # the gate table, JUnit and annotations say it too
    assert got(r) == "holds for every N≥2 CPUs"
    check = Check(_protocol("baseline"), cpus=2, pages=1, rounds=1, deadlock=False, liveness=False)
    assert got(run_check("s", check, ALL)).startswith("incomplete (for every N≥2 CPUs; not checked: ")


# ------------------------------------------------------------------ CMP: v6, which induction does not prove

CMP = RunOptions(prove=True, all_cpus=True, cmp=True)


def _v6(**kw):
    from protocols.v6 import PROTOCOL
    return Check(PROTOCOL, cpus=2, pages=1, rounds=1, **kw)


def test_cmp_proves_v6_for_every_n_where_induction_does_not():
    """v6 (stepped switch_mm, lazy mm_cpumask) has no strengthening invariants: the quantified
    induction gives a CTI; the CMP abstraction (CPU 0, CPU 1, and CPU 2 standing for all the others)
    proves the standard invariants for every N ≥ 3 by explicit search, and the exact search at 2 CPUs
    covers the rest."""
    check = _v6()
    ind = run_check("s", check, ALL)
    assert ind.verdict is Verdict.INCOMPLETE and ind.trace is not None and ind.trace.kind == "cti"
    r = run_check("s", check, CMP)
    assert r.violation is None and r.trace is None and r.invariants == STANDARD
    assert r.backend == "explicit (CMP abstraction, every CPU count)" and r.params["cpus"] == "every N≥2"
    assert r.stats.states == 1272          # abstract states, pinned
    assert ("for every number of CPUs (cpus ≥ 2; pages=1 rounds=1 as given) by the CMP abstraction: the "
            "model at 3 CPUs with CPU 2 standing for every CPU but CPU 0 and CPU 1") in r.reason
    assert "no lemma assumed" in r.reason and "the explicit search at 2 CPUs (" in r.reason
    # what it does not check is named as such: deadlock, leads-to, covers
    assert set(r.unchecked) >= {"deadlock", "flush_completes"}
    assert all("CMP abstraction" in why for why in r.unchecked.values())


REACH_3 = 53325           # v6 at 3 CPUs, pages=1 rounds=1, reachable states (explicit search)


def test_cmp_abstraction_covers_every_reachable_state_at_three_cpus():
    """The soundness argument, checked: every state the model reaches at 3 CPUs, seen from each
    non-initiator CPU i (CPU 0 and i kept, the other CPU forgotten), is a state the abstraction reaches."""
    from checker.explicit.cmp import Abstraction, projector
    from checker.explicit.compile import compile_model
    from checker.explicit.layout import Layout
    check = _v6()
    ab = Abstraction(build_model(check, {"cpus": 3}), "CPU", 2)
    init = ab.canonical(ab.layout.initial())
    seen, todo = {init}, [init]
    while todo:
        for _, t in ab.successors(todo.pop()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    assert len(seen) == 1272
    m3 = build_model(check, {"cpus": 3})
    comp = compile_model(m3)
    init = Layout.of(m3).initial()
    reach, todo = {init}, [init]
    while todo:
        for _, t in comp.successors(todo.pop()):
            if t not in reach:
                reach.add(t)
                todo.append(t)
    assert len(reach) == REACH_3
    for i in (1, 2):
        project = projector(ab, m3, (0,), i)
        assert all(project(s) in seen for s in reach)


@pytest.mark.parametrize("name,inv,n", [("b20_nmi_uaccess_cr3", "nmi_uaccess_safe", 2),
                                        ("n2_defer_kernel_flush_nohz_full", "no_stale_access", 2)])
def test_cmp_does_not_prove_v6_bugs(name, inv, n):
    """v6's bug variants: the abstraction breaks the invariant, and the explicit search at that
    count shows the violation is real — violated, with the shortest trace."""
    path = spec_path("bugs", f"{name}.py")
    check = next(c for c in load_spec(path) if c.expect != "holds")
    r = run_check(path, check, CMP)
    assert r.verdict is Verdict.VIOLATED and r.violation.invariant == inv and r.params["cpus"] == n
    assert r.reason.startswith(f"violated with {n} CPUs: the CMP abstraction") and r.trace.kind == "counterexample"


def test_cmp_flags(capsys):
    assert main([spec_path("v6.py"), "--prove", "--cmp", "--quiet"]) == 2
    assert "--cmp is a way to prove for every number of CPUs" in capsys.readouterr().err
    # a family with no statement for every CPU count has no abstraction either: refused, located
    assert main([spec_path("hyperv.py"), "--prove", "--all-cpus", "--cmp", "--quiet"]) == 2
    assert "protocols/flush.py:" in capsys.readouterr().err
