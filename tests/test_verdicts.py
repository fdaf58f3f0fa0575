"""Verdicts a reviewer can trust: no silent skips, no vacuous holds, covers reached, deadlock
among environment actions — on the goals toy (tests/fixtures/goals_toy.py) and the real specs."""
import json

import pytest

from checker.cli import main
from checker.lang import BOOL, IntRange, ModelBuilder, Protocol, when
from checker.explicit.fast import available
from checker.result import Verdict
from checker.run import RunOptions, run_check
from checker.spec import Check, load_spec

from .conftest import ROOT, spec_path

GOALS = f"{ROOT}/tests/fixtures/_goals_spec.py"
CHECKS = {c.name: c for c in load_spec(GOALS)}
ENGINES = [dict(backend="explicit")]
if available()[0]:
    ENGINES += [dict(backend="fast", workers=1), dict(backend="fast", workers=2)]


def run(name, **opts):
    return run_check(GOALS, CHECKS[name], RunOptions(**{"backend": "explicit", **opts}))


@pytest.mark.parametrize("engine", ENGINES, ids=lambda e: f"{e['backend']}-w{e.get('workers', 1)}")
def test_every_engine_counts_the_same_goals(engine):
    r = run("sound", **engine)
    assert r.verdict is Verdict.HOLDS and r.expectation_met and not r.vacuity
    got = {(g.kind, g.name): (g.states, g.depth) for g in r.goals}
    assert got == {("cover", "window"): (21, 2), ("precondition", "no_stale_after_flush"): (14, 1)}
    assert r.stats.states == 48   # idle 8 + sent 4×8 + done 8 (touched: any subset of 3 CPUs)


def _symmetric_toy():
    def build(cfg):
        m = ModelBuilder("sym_toy", cfg)
        CPU = m.index_set("CPU", 3, symmetric=True, lanes=True)
        n = m.var("n", IntRange(0, 3), 0)
        taken = m.array("taken", CPU, BOOL, False)

        @m.action(CPU)
        def take(c):
            return when(~taken[c], taken[c].becomes(True), n.becomes(n + 1))

        m.invariant("bounded", n <= 3, "n stays small", precondition=n == 3)
        m.cover("two", n == 2, "two CPUs took it")
        m.final(n == 3)
        return m.build()
    return Check(Protocol("sym_toy", build, ()), expect="holds")


@pytest.mark.parametrize("backend", ["explicit", "fast"] if available()[0] else ["explicit"])
def test_symmetry_counts_goals_over_representatives(backend):
    c = _symmetric_toy()
    full = run_check("sym_toy", c, RunOptions(backend=backend, symmetry=False, workers=2))
    reduced = run_check("sym_toy", c, RunOptions(backend=backend, symmetry=True, workers=2))
    assert [(g.name, g.states, g.depth) for g in full.goals] == [("two", 3, 2), ("bounded", 1, 3)]
    assert [(g.name, g.states, g.depth) for g in reduced.goals] == [("two", 1, 2), ("bounded", 1, 3)]
    assert (full.stats.states, reduced.stats.states) == (8, 4)


def test_unreached_cover_is_a_failure(capsys):
    r = run("unreachable_cover")
    assert r.verdict is Verdict.UNCOVERED and not r.expectation_met
    assert r.reason == "never reached: cover flush_skipped"
    assert main([GOALS, "--check", "unreachable_cover", "--no-sanity"]) == 1
    assert "uncovered" in capsys.readouterr().out


def test_vacuous_invariant_warns_alone_and_fails_the_gate(capsys, tmp_path):
    r = run("vacuous")
    assert r.verdict is Verdict.HOLDS and not r.expectation_met
    assert r.vacuity == ["no_stale_after_flush is vacuous here: no reachable state meets its hazard "
                         "precondition, so it could not have failed"]
    assert main([GOALS, "--check", "vacuous", "--no-sanity"]) == 0   # a warning outside the gate
    assert "vacuous: no_stale_after_flush" in capsys.readouterr().out
    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "vacuous.py").write_text("from checker.spec import Check\n"
                                     "from tests.fixtures.goals_toy import PROTOCOL\n"
                                     "CHECK = Check(PROTOCOL, flaw='vacuous', expect='holds')\n")
    assert main(["--gate", str(gate), "--quiet", "--no-sanity"]) == 1
    out = capsys.readouterr().out
    assert "holds (vacuous)" in out and "0/1 checks met" in out


def test_a_cover_the_spec_says_is_out_of_reach_is_left_out_with_its_reason(capsys):
    """uncovered_ok: the cover is excused (the holds stands), reported as left out by the spec, and a
    cover so excused that is reached after all is a warning."""
    r = run("uncovered_ok")
    assert r.verdict is Verdict.HOLDS and r.expectation_met and not r.vacuity
    assert r.excluded == {"flush_skipped": "uncovered_ok: a stale CPU after the flush is what the design rules out"}
    assert main([GOALS, "--check", "uncovered_ok", "--no-sanity"]) == 0
    out = capsys.readouterr().out
    assert "left out by the spec: flush_skipped" in out and "flush_skipped never reached" not in out
    wrong = run("wrong_uncovered_ok")
    assert wrong.verdict is Verdict.HOLDS and not wrong.excluded
    assert wrong.warnings == ["uncovered_ok expects cover window never to be reached (says it is never "
                              "reached, but it is), but it was, at depth 2"]


def test_dead_action_needs_a_reason():
    r = run("dead")
    assert r.verdict is Verdict.HOLDS and not r.expectation_met
    assert r.vacuity == ["never fired, and the spec's dead_ok does not say why: never_runs"]
    ok = run("dead_ok")
    assert ok.expectation_met and not ok.vacuity and ok.coverage["never_runs"] == 0


@pytest.mark.parametrize("arg,name,says", [("dead_ok", "never_run", "dead_ok names 'never_run'"),
                                             ("uncovered_ok", "windoww",
                                              "uncovered_ok names 'windoww', which is not a cover")])
def test_an_excuse_naming_nothing_is_bad_input(tmp_path, capsys, arg, name, says):
    spec = tmp_path / "typo.py"
    spec.write_text("from checker.spec import Check\n"
                    "from tests.fixtures.goals_toy import PROTOCOL\n"
                    f"CHECK = Check(PROTOCOL, {arg}={{'{name}': 'typo'}}, expect='holds')\n")
    assert main([str(spec), "--no-sanity"]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:3" in err and says in err


@pytest.mark.parametrize("engine", ENGINES[:2], ids=lambda e: e["backend"])
def test_stuck_initiator_is_a_deadlock_with_shortest_trace(engine):
    stuck = run("stuck", **engine)
    assert stuck.verdict is Verdict.VIOLATED and stuck.violation.invariant == "deadlock"
    assert len(stuck.trace) == 1 and stuck.trace.steps[1].action == "ipi_send"
    # only user_access (environment) is enabled at the end: it does not count as progress
    nofinal = run("no_final", **engine)
    assert nofinal.violation.invariant == "deadlock" and len(nofinal.trace) == 4


def test_bmc_agrees_on_deadlock_among_environment_actions():
    r = run("stuck", backend="smt", depth=3)
    assert r.verdict is Verdict.VIOLATED and r.violation.invariant == "deadlock" and len(r.trace) == 1


def test_witness_is_the_shortest_path_to_a_cover(capsys):
    assert main([GOALS, "--check", "sound", "--witness", "window", "--no-sanity"]) == 0
    out = capsys.readouterr().out
    assert "reached: cover window reached in 2 steps" in out and "shortest witness, 2 steps" in out
    assert main([GOALS, "--check", "sound", "--witness", "no_stale_after_flush", "--no-sanity"]) == 0
    assert "the hazard precondition of no_stale_after_flush reached in 1 steps" in capsys.readouterr().out
    assert main([GOALS, "--check", "unreachable_cover", "--witness", "flush_skipped", "--no-sanity"]) == 1
    assert main([GOALS, "--check", "sound", "--witness", "nope", "--no-sanity"]) == 2
    assert "its goals: window, no_stale_after_flush" in capsys.readouterr().err


def test_skipped_liveness_is_incomplete(capsys):
    assert main([spec_path("async_inline.py"), "--no-liveness", "--quiet"]) == 3
    out = capsys.readouterr().out
    assert "incomplete" in out and "flush_completes was not checked" in out
    assert "not checked: flush_completes — --no-liveness" in out


def test_liveness_over_the_cap_is_incomplete_not_holds(capsys, tmp_path, monkeypatch):
    report = tmp_path / "r.json"
    # the reference's liveness graph cap (400,000 states) lowered to 1,000: async_inline at 2 CPUs
    # and 2 pages has 6,704 states (3,178 orbits; the fast backend has no cap: test_fast_liveness.py)
    monkeypatch.setattr("checker.run.LIVENESS_CAP", 1_000)
    assert main([spec_path("async_inline.py"), "--check", "async_inline", "--cpus", "2", "--pages", "2",
                 "--quiet", "--backend", "explicit", "--json", str(report)]) == 3
    out = capsys.readouterr().out
    assert "holds within" not in out and "flush_completes was not checked" in out
    doc = json.loads(report.read_text())
    c = doc["checks"][0]
    assert c["verdict"] == "incomplete" and list(c["unchecked"]) == ["flush_completes"]
    assert "more than 1,000 states" in c["unchecked"]["flush_completes"]


def test_spec_that_leaves_liveness_out_holds_and_says_so(tmp_path, capsys):
    spec = tmp_path / "no_live.py"
    spec.write_text("from checker.spec import Check\nfrom protocols.async_inline import PROTOCOL\n"
                    "CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, liveness=False, expect='holds')\n")
    assert main([str(spec), "--quiet", "--no-sanity"]) == 0
    out = capsys.readouterr().out
    assert "left out by the spec: flush_completes — the spec says liveness=False" in out


def test_proof_without_liveness_and_deadlock_is_incomplete():
    c = load_spec(spec_path("async_inline.py"))[0]
    r = run_check(spec_path("async_inline.py"), c, RunOptions(prove=True))
    assert r.verdict is Verdict.INCOMPLETE
    assert {"flush_completes", "deadlock"} <= set(r.unchecked)
    assert r.reason.startswith("no_stale_access, no_freed_table_walk, flush_info_live, nmi_uaccess_safe "
                               "proved for every depth by 1-induction")


def test_ci_formats_name_what_was_not_checked(tmp_path):
    junit, sarif = tmp_path / "j.xml", tmp_path / "s.sarif"
    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "a.py").write_text("from checker.spec import Check\nfrom protocols.async_inline import PROTOCOL\n"
                               "CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, expect='holds')\n")
    assert main(["--gate", str(gate), "--quiet", "--no-liveness", "--junit", str(junit),
                 "--sarif", str(sarif)]) == 1
    assert "incomplete (not checked: flush_completes)" in junit.read_text()
    res = json.loads(sarif.read_text())["runs"][0]["results"][0]
    assert res["ruleId"] == "incomplete" and res["properties"]["notChecked"] == {"flush_completes": "--no-liveness"}
