"""The benchmark model sync_shootdown(N, R, P): pinned counts, the broken variant, the peers' files.

The counts are the ones SPIN ("states, stored") and Rumur report for benchmarks/sync_shootdown.pml
and benchmarks/sync_shootdown.m (Rumur: `--symmetry-reduction off` for the full count; the
symmetric counts equal Rumur's `--symmetry-reduction exhaustive`). Those tools are not needed here.
"""
import os

import pytest

from checker.cli import main
from checker.result import Verdict
from checker.run import RunOptions, run_check
from checker.spec import load_spec

from .conftest import ROOT

SPEC = os.path.join(ROOT, "benchmarks", "sync_shootdown.py")

# (cpus, pages, rounds) -> (distinct states, transitions, depth, orbits under Responder)
PINNED = {
    (2, 1, 2): (116, 260, 18, 116),
    (3, 1, 2): (842, 3034, 24, 479),
    (4, 1, 2): (7070, 35758, 31, 1638),
    (3, 2, 1): (1537, 6054, 15, 852),
    (3, 1, 1): (423, 1521, 14, 241),
}


def _run(cpus, pages, rounds, **opts):
    check = load_spec(SPEC)[0]
    return run_check(SPEC, check, RunOptions({"cpus": cpus, "pages": pages, "rounds": rounds}, **opts))


@pytest.mark.parametrize("key", sorted(PINNED), ids=lambda k: "-".join(map(str, k)))
def test_pinned_counts_reference(key):
    states, transitions, depth, _ = PINNED[key]
    r = _run(*key)
    assert r.verdict is Verdict.HOLDS and r.backend == "explicit" and not r.symmetry
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == (states, transitions, depth)
    assert not r.warnings


@pytest.mark.parametrize("key", sorted(PINNED), ids=lambda k: "-".join(map(str, k)))
def test_pinned_orbits_with_symmetry(key):
    states, _, depth, orbits = PINNED[key]
    r = _run(*key, backend="explicit", symmetry=True)
    assert r.verdict is Verdict.HOLDS
    if key[0] == 2:   # one responder: nothing to permute, said in one line
        assert not r.symmetry and r.stats.states == orbits
        assert any("single member" in w for w in r.warnings)
        return
    assert r.symmetry
    assert (r.stats.states, r.stats.depth, r.stats.represented) == (orbits, depth, states)


def test_broken_variant_is_violated_with_a_shortest_trace():
    check = load_spec(SPEC)[0]
    r = run_check(SPEC, check, RunOptions({"cpus": 3, "pages": 1, "rounds": 1, "wait": "false"}))
    assert r.verdict is Verdict.VIOLATED
    assert r.violation.invariant == "no_tlb_entry_after_free"
    # fill, clear the PTE, start, IPI both responders, all sent, flush-and-free
    assert len(r.trace) == 7
    assert r.trace.steps[-1].action == "local_flush"


def test_command_line_as_the_issue_states(capsys):
    assert main([SPEC, "--cpus", "3", "--pages", "1", "--set", "rounds=2", "--quiet",
                 "--backend", "explicit", "--no-symmetry"]) == 0
    out = capsys.readouterr().out
    assert "842 distinct states" in out and "backend explicit · symmetry off" in out
    assert main([SPEC, "--cpus", "3", "--set", "wait=false", "--quiet", "--backend", "explicit"]) == 1


def test_peer_models_exist_with_the_same_structure():
    """The Promela and Murphi files model the same 15 actions and the same invariant."""
    pml = open(os.path.join(ROOT, "benchmarks", "sync_shootdown.pml")).read()
    m = open(os.path.join(ROOT, "benchmarks", "sync_shootdown.m")).read()
    # 7 initiator options (local_flush twice: #if WAIT / #else), FILL0, FILL, 6 per responder
    assert pml.count(":: d_step") == 8 + 1 + 1 + 6
    assert "scalarset(N - 1)" in m and 'invariant "no_tlb_entry_after_free"' in m
    for name in ("send_ipi", "all_sent", "local_flush", "ack", "all_acked", "next_round", "finish",
                 "fill0", "fill", "unload", "load", "handler_enter", "handler_exit", "clear_pte",
                 "start_send"):
        assert f'"{name}"' in m
