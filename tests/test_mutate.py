"""Mutation testing of models: the mutants, their classification, the score, the CLI and the gate."""
import json
import os
from collections import Counter

from checker.adequacy.cli import gate_mutate
from checker.adequacy.mutants import KINDS, mutants
from checker.adequacy.mutate import (
    OUTCOMES,
    Job,
    MutationRun,
    chosen,
    escalated,
    liveness_options,
    classify,
    find_check,
    mutate_check,
    reachable,
    run_mutant,
)
from checker.cli import main
from checker.result import CheckResult, Reach, Trace, TraceStep, Verdict, Violation
from checker.run import build_model

from .conftest import ROOT, spec_path

WEAK = os.path.join(ROOT, "tests", "fixtures", "_weak_spec.py")

# the weak invariant watches CPU 0 only: each survivor leaves CPU 1's entry alive across the free
WEAK_SURVIVORS = [
    (23, "flush_remote: drop guard conjunct `phase == local_done`"),
    (28, "flush_remote: drop update `tlb[c] := none`"),
    (33, "free: drop guard conjunct `flushed == {1}`"),
    (42, "free: negate the If condition `tlb[1] == live` in the update of tlb[1]"),
]


def weak_run(name: str = "weak", workers: int = 1) -> MutationRun:
    return mutate_check(WEAK, find_check(WEAK, name), workers=workers, backend="explicit")


def outcomes(run: MutationRun) -> list[tuple]:
    return [(r.number, r.outcome, r.killer, r.trace_length, r.states) for r in run.results]


def test_weak_invariant_scores_low_with_the_expected_survivors():
    run = weak_run()
    c = run.counts()
    assert (c["killed"], c["survived"], c["equivalent"], c["error"]) == (26, 4, 8, 0)
    assert run.score() == 26 / 30 and not run.met          # the spec's floor is 0.9
    # the hardware's guards dropped: a fill without a present PTE breaks a property (the model relies
    # on that rule of the architecture), the other two change nothing; none is in the score
    # the ghost `stale` only records the hazard for the invariant: changing its update changes the
    # observer, not the protocol (a flipped test raises a false alarm, a dropped one sees nothing)
    assert [(r.number, r.outcome, r.apart) for r in run.results if r.apart] == [
        (1, "killed", "environment"), (2, "equivalent", "environment"), (6, "equivalent", "environment"),
        (8, "equivalent", "observer"), (9, "killed", "observer")]
    assert not run.held_apart("environment") and not run.held_apart("observer")
    assert [(r.number, r.description) for r in run.survivors()] == WEAK_SURVIVORS
    assert run.score("flush_remote") == 7 / 9 and run.score("tlb_fill") == 1.0
    by = {r.number: r for r in run.results}
    assert (by[20].killer, by[20].killer_kind, by[20].trace_length) == ("deadlock", "deadlock", 1)
    assert (by[4].killer, by[4].killer_kind) == ("cover remote_entry_at_unmap", "cover")
    assert by[31].killer == "unmap_completes"                # flush_remote without fairness


def test_watching_every_cpu_kills_the_survivors():
    run = weak_run("strong")
    assert run.score() == 1.0 and not run.survivors()
    assert {r.killer for r in run.results if r.number in dict(WEAK_SURVIVORS)} == {"no_stale_access"}


def test_mutant_numbering_is_stable():
    check = find_check(WEAK, "weak")
    first = [(m.number, m.kind, m.action, m.description) for m in mutants(build_model(check, {}))]
    again = [(m.number, m.kind, m.action, m.description) for m in mutants(build_model(check, {}))]
    assert first == again and [n for n, *_ in first] == list(range(1, 44))
    pinned = {n: (k, d) for n, k, _, d in first}
    assert pinned[1] == ("drop_conjunct", "tlb_fill: drop guard conjunct `pte`")
    assert pinned[9] == ("flip_compare", "access: `tlb[c] == freed` → `tlb[c] != freed` in the update of stale[c]")
    swap = ("flush_local: swap with its next step free (phase zapped → local_done → freed): free now "
            "runs at phase == zapped, flush_local at phase == local_done")
    assert pinned[20] == ("swap_steps", swap)
    mask = "flush_remote: `flushed.with_(c)` → `flushed.without(c)` in the update of flushed"
    assert pinned[30] == ("mask_op", mask)
    assert pinned[43] == ("drop_fairness", "free: drop its weak fairness")
    assert Counter(k for _, k, _, _ in first) == {
        "drop_conjunct": 11, "negate_conjunct": 11, "drop_update": 11, "negate_if": 2, "mask_op": 1,
        "flip_compare": 1, "swap_steps": 2, "drop_fairness": 4}


def test_constant_conjuncts_and_identity_updates_are_not_mutated():
    # async_inline's guards carry `& True` left by design switches and a `x := x | False` update
    ms = mutants(build_model(find_check(spec_path("async_inline.py"), "async_inline"), {}))
    assert set(KINDS) == {m.kind for m in ms}
    assert not [m for m in ms if "`True`" in m.description or "| False`" in m.description]
    assert len({m.description for m in ms if m.kind != "negate_if"}) == \
        len([m for m in ms if m.kind != "negate_if"])


def test_results_do_not_depend_on_the_number_of_workers():
    assert outcomes(weak_run(workers=1)) == outcomes(weak_run(workers=2))


def test_equivalence_is_decided_on_the_reachable_states():
    check = find_check(WEAK, "weak")
    model = build_model(check, {})
    ms = {m.number: m for m in mutants(model)}
    original = reachable(model)
    # `~pte` is implied by `phase == local_done` (munmap cleared the PTE): nothing can change
    assert ms[34].description == "free: drop guard conjunct `~pte`"
    assert reachable(ms[34].model) == original
    assert run_mutant(Job(WEAK, "weak", 34, "explicit", original)).outcome == "equivalent"
    # a survivor reaches other states (CPU 1 keeps its entry): not equivalent
    assert reachable(ms[28].model) != original
    assert run_mutant(Job(WEAK, "weak", 28, "explicit", original)).outcome == "survived"


def test_a_mutant_that_moves_an_initiators_role_to_another_cpu_is_equivalent():
    """invlpgb_small #5 makes CPU 1 the initiator instead of CPU 0: its reachable states are the
    original's with the CPUs swapped, so no property of the design can tell it apart."""
    spec = spec_path("invlpgb.py")
    check = find_check(spec, "invlpgb_small")
    model = build_model(check, {})
    ms = mutants(model)
    original = reachable(model, renamings=True)
    assert ms[4].description == "madvise_dontneed: negate guard conjunct `{0}.has(i)`"
    swapped = reachable(ms[4].model)
    assert swapped.digest != original.digest and original.same(swapped) == "the same states with the CPUs renamed"
    r = run_mutant(Job(spec, "invlpgb_small", 5, "explicit", original))
    assert r.outcome == "equivalent" and r.detail == "the same states with the CPUs renamed"
    assert original.same(reachable(ms[32].model)) is None     # #33: an extra IPI, other states


def test_escalate_kills_survivors_at_three_cpus_and_with_page_tables():
    """invlpgb_small #56 (ipi_skip forgets the CPU it handled) holds at two CPUs; at three the scan
    never ends and flush_completes fails. #118 (finish_asid_transition's IPIs filtered like ordinary
    ones, so lazy CPUs are skipped) holds without page tables; with munmap a lazy CPU left on its
    dynamic ASID walks the freed PTE table. Each killed, marked with the check that killed it."""
    spec = spec_path("invlpgb.py")
    small = find_check(spec, "invlpgb_small")
    original = reachable(build_model(small, {}))
    survivors = [run_mutant(Job(spec, "invlpgb_small", n, "explicit", original)) for n in (56, 118, 158)]
    assert [r.outcome for r in survivors] == ["survived"] * 3
    after = escalated(spec, survivors, find_check(spec, "invlpgb_3cpus"), 2, None, None)
    after = {r.number: r for r in escalated(spec, after, find_check(spec, "invlpgb_munmap"), 2, None, None)}
    assert (after[56].outcome, after[56].killer, after[56].at) == ("killed", "flush_completes", "invlpgb_3cpus")
    assert (after[118].outcome, after[118].killer, after[118].at) == ("killed", "no_freed_table_walk",
                                                                      "invlpgb_munmap")
    assert (after[158].outcome, after[158].at) == ("survived", "")


def _result(verdict, violation=None, steps=0, **kw) -> CheckResult:
    trace = None
    if violation is not None:
        step = TraceStep(None, (), None, "", {})
        trace = Trace((step,) * (steps + 1), violation)
    return CheckResult("c", "s.py", "p", {}, verdict, "explicit", violation=violation, trace=trace, **kw)


def test_classify_each_verdict():
    inv = Violation("no_stale_access", "…")
    assert classify(_result(Verdict.VIOLATED, inv, 3)) == ("killed", "no_stale_access", "invariant", "")
    missed = Reach("cover", "async_window", "…", 0, None)
    got = classify(_result(Verdict.UNCOVERED, goals=[missed], reason="never reached: cover async_window"))
    assert got[:3] == ("killed", "cover async_window", "cover")
    assert classify(_result(Verdict.INCOMPLETE, reason="state limit 10 reached"))[0] == "incomplete"
    assert classify(_result(Verdict.ERROR, reason="boom"))[0] == "error"
    assert classify(_result(Verdict.HOLDS, vacuity=["never fired: x"])) == \
        ("killed", "vacuity", "vacuity", "never fired: x")     # the spec gate fails a vacuous holds
    assert classify(_result(Verdict.HOLDS)) == ("survived", None, None, "")


def test_a_mutant_that_goes_out_of_range_is_an_error(tmp_path):
    spec = tmp_path / "counter.py"
    spec.write_text(
        "from checker.lang import IntRange, ModelBuilder, Protocol, when\n"
        "from checker.spec import Check\n"
        "def build(cfg):\n"
        "    m = ModelBuilder('counter', cfg)\n"
        "    n = m.var('n', IntRange(0, 1), 0)\n"
        "    @m.action()\n"
        "    def inc():\n"
        "        return when(n == 0, n.becomes(n + 1))\n"
        "    m.invariant('small', n <= 1, 'n stays small')\n"
        "    m.final(n == 1)\n"
        "    return m.build()\n"
        "CHECK = Check(Protocol('counter', build, ()), expect='holds')\n")
    run = mutate_check(str(spec), find_check(str(spec), "counter"), workers=1, backend="explicit")
    by = {r.description: r for r in run.results}
    dropped = by["inc: drop guard conjunct `n == 0`"]
    assert dropped.outcome == "error" and "outside its range" in dropped.detail
    assert run.counted() == len(run.results) - 1 - run.counts()["equivalent"]


def test_max_mutants_spreads_over_the_list():
    assert chosen(list(range(10)), 3) == [0, 3, 6]
    assert chosen(list(range(4)), 9) == [0, 1, 2, 3]


def test_a_mutant_over_the_reference_liveness_cap_checks_leads_to_on_the_fast_backend():
    from checker.explicit.fast.build import available
    from checker.run import LIVENESS_CAP, RunOptions
    opts = RunOptions(backend="explicit", liveness=True)
    assert liveness_options(opts, LIVENESS_CAP).backend == "explicit"
    assert liveness_options(opts, LIVENESS_CAP + 1).backend == ("fast" if available()[0] else "explicit")
    assert liveness_options(RunOptions(backend="auto"), LIVENESS_CAP + 1).backend == "auto"


def test_cli_mutant_shows_the_mutated_actions_and_the_trace(capsys):
    code = main(["mutate", WEAK, "--check", "weak", "--mutant", "20", "--backend", "explicit"])
    out = capsys.readouterr().out
    assert code == 1
    assert "mutant 20 of 43 (swap_steps)" in out
    assert "guard   phase == local_done" in out and "guard   ((phase == zapped)" in out
    assert "violated deadlock" in out and "shortest counterexample, 1 steps" in out and "unmap" in out


def test_cli_json_and_exit_code_below_the_floor(tmp_path, capsys):
    path = tmp_path / "m.json"
    code = main(["mutate", WEAK, "--check", "weak", "--backend", "explicit", "--workers", "1",
                 "--quiet", "--json", str(path)])
    out = capsys.readouterr().out
    assert code == 1                                           # 87 % < the floor of 90 %
    assert "mutation score 87 %" in out and "NOT MET" in out
    assert "3 mutants left out of the score (environment: " in out and "1 break a property, 0 hold" in out
    assert "#28 flush_remote: drop update `tlb[c] := none` — arch/x86/mm/tlb.c: flush_tlb_func, " \
           "remote — survives weak at its default parameters" in out
    doc = json.loads(path.read_text())
    assert doc["schema"] == "flushcheck-mutate/1" and doc["exit_code"] == 1
    (check,) = doc["checks"]
    assert check["check"] == "weak" and check["score"] == 26 / 30 and check["met"] is False
    assert check["counts"] == {"killed": 26, "survived": 4, "equivalent": 8, "error": 0,
                               "incomplete": 0, "not run": 0}
    assert check["apart"]["environment"] == {"killed": 1, "survived": 0, "equivalent": 2, "error": 0,
                                             "incomplete": 0, "not run": 0}
    assert len(check["mutants"]) == 43 and {m["outcome"] for m in check["mutants"]} <= set(OUTCOMES)
    keys = {"number", "action", "ref", "kind", "description", "outcome", "killer", "trace_length"}
    assert all(keys <= set(m) for m in check["mutants"])
    assert [m["number"] for m in check["mutants"] if m["outcome"] == "survived"] == [23, 28, 33, 42]


def test_cli_action_runs_only_that_actions_mutants_and_drops_the_floor(tmp_path, capsys):
    path = tmp_path / "m.json"
    code = main(["mutate", WEAK, "--check", "weak", "--action", "flush_remote", "--backend", "explicit",
                 "--workers", "1", "--quiet", "--json", str(path)])
    out = capsys.readouterr().out
    assert code == 0                                  # 7 of 9 is under the floor, which is for all 43
    assert "only the mutants of flush_remote" in out and "mutation score 78 %" in out
    (check,) = json.loads(path.read_text())["checks"]
    assert check["only_actions"] == ["flush_remote"] and check["met"] is True
    assert {m["action"] for m in check["mutants"]} == {"flush_remote"}
    assert [m["number"] for m in check["mutants"] if m["outcome"] == "survived"] == [23, 28]
    assert main(["mutate", WEAK, "--check", "weak", "--action", "nope"]) == 2
    assert main(["mutate", WEAK, "--check", "weak", "--action", "free", "--mutant", "3"]) == 2
    err = capsys.readouterr().err
    assert "--action nope: check weak has no action of that name" in err and "flush_remote" in err


def test_cli_time_limit_leaves_mutants_out_with_exit_3(capsys):
    code = main(["mutate", WEAK, "--check", "strong", "--backend", "explicit", "--workers", "1",
                 "--quiet", "--time-limit", "0.000001"])
    assert code == 3 and "43 not run" in capsys.readouterr().out


def test_cli_bad_input(capsys):
    assert main(["mutate", WEAK, "--check", "nope"]) == 2
    assert main(["mutate", WEAK, "--check", "weak", "--mutant", "99"]) == 2
    assert main(["mutate", WEAK, "--mutant", "1"]) == 2            # two checks: which one?
    assert main(["mutate", spec_path("bugs", "free_before_ack.py")]) == 2
    err = capsys.readouterr().err
    assert "no check named 'nope'" in err and "mutants 1..43" in err and "expects holds" in err


def test_gate_fails_a_check_below_its_floor(capsys):
    assert gate_mutate([WEAK], backend="explicit", quiet=True) == 1
    out = capsys.readouterr().out
    assert "mutation gate" in out and "below the floor: weak" in out and "#42 free" in out


def test_gate_mutate_from_the_command_line(tmp_path, capsys):
    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "weak.py").write_text("from checker.spec import Check\n"
                                  "from tests.fixtures.weak_toy import PROTOCOL\n"
                                  "CHECK = Check(PROTOCOL, name='weak', expect='holds', min_mutation_score=0.9)\n")
    assert main(["--gate", str(gate), "--mutate", "--quiet", "--workers", "1"]) == 1
    assert "below the floor: weak" in capsys.readouterr().out
    assert main([str(gate / "weak.py"), "--mutate"]) == 2
    assert "--mutate needs --gate DIR" in capsys.readouterr().err


def test_a_mutant_over_its_memory_share_is_incomplete_not_a_crash():
    """Each mutant's process gets a share of the memory limit: one whose state space explodes
    stops as incomplete (here a 1-byte share stops the first memory check) instead of taking the
    machine; the share is the default --memory-limit split among the workers."""
    spec = spec_path("tlb_gen.py")
    check = find_check(spec, "tlb_gen_v6_2cpus")
    original = reachable(build_model(check, {}))
    r = run_mutant(Job(spec, "tlb_gen_v6_2cpus", 344, "explicit", original, memory_limit=1))
    assert r.outcome == "incomplete" and "memory" in r.detail


def test_a_dropped_guard_of_the_hardware_s_own_step_widens_the_hardware():
    """An INVLPGB applied at a CPU and RAR's microcode are `hardware=True`: progress (deadlock counts
    them), but a dropped guard conjunct widens the hardware, not the kernel, and is reported apart as for
    a walk; the kernel's steps that wait for them are not."""
    from checker.adequacy.mutate import check_mutants
    for spec, check, hardware in (("invlpgb.py", "invlpgb_small", {"invlpgb_invalidate"}),
                                  ("rar.py", "rar_small", {"rar_invalidate", "rar_signal_done"})):
        model, ms = check_mutants(find_check(spec_path(spec), check))
        assert {a.name for a in model.actions if a.hardware} == hardware
        assert not any(a.hardware and a.environment for a in model.actions)
        drops = [m for m in ms if m.kind == "drop_conjunct"]
        assert {m.action for m in drops if m.apart == "environment" and m.action in hardware} == hardware
        waits = [m for m in drops if m.action in ("tlbsync", "wait_for_action_done")]
        assert waits and not any(m.apart for m in waits)
