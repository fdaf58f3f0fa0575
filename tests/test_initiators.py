"""Several initiators in the flush families (protocols/initiators.py, Param `initiators`).

Two CPUs each unmap and flush at once in every family: pinned counts, no invariant broken,
flush_completes checked; one static flush_tlb_info shared by the two is found at the same
shortest length by the explicit search and BMC, and is no bug with one
initiator; what does not compose is refused; with every CPU an initiator the CPUs are symmetric.
"""
import pytest

from checker.cli import main
from checker.result import Verdict
from checker.run import RunOptions, build_model, run_check
from checker.spec import load_spec

from .conftest import searched_all_clean, spec_path

FAMILIES = ["baseline", "concurrent", "async_inline", "v4_19", "v6", "kvm_pv", "latr", "hyperv"]
BUG = spec_path("bugs", "flush_info_global_two_initiators.py")

# every (spec file, check) under specs/bugs/ of this part, pinned below
PINNED_BUG_SPECS = {("flush_info_global_two_initiators.py", n) for n in
                    ("flush_info_global_two_initiators", "flush_info_global_one_initiator")}

# family -> (distinct states, transitions, depth): its <family>_2initiators check at pages=1, on the
# reference explorer without symmetry, liveness included
PINNED_1PAGE = {"baseline": (3852, 19288, 19), "concurrent": (7432, 39628, 19),
                "async_inline": (8409, 45032, 21), "v4_19": (3790, 18882, 21), "v6": (10710, 52500, 28),
                "kvm_pv": (6294, 29288, 22), "latr": (4911, 30686, 18), "hyperv": (1347, 7240, 14)}


def _check(path, name):
    return next(c for c in load_spec(path) if c.name == name)


def _family(fam):
    path = spec_path("initiators.py")
    return path, _check(path, f"{fam}_2initiators")


@pytest.mark.parametrize("fam", FAMILIES)
def test_two_initiators_hold_with_pinned_counts(fam):
    """Both CPUs unmap and flush, each taking the other's IPI: no invariant breaks, every started
    flush completes. (At one page, frame_freed_while_cached needs the second page in some
    families: the verdict is then 'uncovered'; the spec's pages=2 check reaches it.)"""
    path, check = _family(fam)
    r = run_check(path, check, RunOptions({"pages": 1}))
    assert searched_all_clean(r) and r.verdict in (Verdict.HOLDS, Verdict.UNCOVERED)
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == PINNED_1PAGE[fam]
    assert not r.unchecked                                # flush_completes checked
    assert {g.name for g in r.goals if g.reached} >= {"two_zaps_in_flight", "madvise_completes"}


def test_a_shared_flush_info_is_found_by_explicit_search_and_bmc_at_the_same_length():
    """CPU 1 refills the one static flush_tlb_info before taking CPU 0's IPI: 8 steps on the
    reference explorer and in BMC (tests/test_fast.py compares the fast backend with the reference)."""
    check = _check(BUG, "flush_info_global_two_initiators")
    traces = []
    for opts in (RunOptions(liveness=False), RunOptions(backend="smt", depth=8)):
        r = run_check(BUG, check, opts)
        assert r.verdict is Verdict.VIOLATED and r.expectation_met
        assert r.violation.invariant == "flush_info_live" and len(r.trace) == 8
        traces.append(r.trace)
    acts = [s.action for s in traces[0].steps[1:]]
    assert acts.count("inc_mm_tlb_gen") == 2 and acts[-1] == "flush_tlb_func"
    short = run_check(BUG, check, RunOptions(backend="smt", depth=7))
    assert short.verdict is Verdict.INCOMPLETE and short.violation is None


def test_one_initiator_never_shares_the_static_flush_info():
    r = run_check(BUG, _check(BUG, "flush_info_global_one_initiator"), RunOptions())
    assert r.verdict is Verdict.HOLDS and r.expectation_met


def test_initiators_one_is_the_one_initiator_model():
    """initiators=1 builds exactly the model of before: same variables, actions and properties."""
    check = load_spec(spec_path("baseline.py"))[0]
    a, b = build_model(check, {"cpus": 2}), build_model(check, {"cpus": 2, "initiators": 1})
    assert [v.name for v in a.vars] == [v.name for v in b.vars]
    assert [x.name for x in a.actions] == [x.name for x in b.actions]
    assert "csd_run" not in {v.name for v in a.vars}


def test_every_cpu_an_initiator_is_symmetric():
    path, check = _family("baseline")
    model = build_model(check, {})
    assert next(s for s in model.isets if s.name == "CPU").symmetric
    three = build_model(check, {"cpus": 3})              # CPUs 0 and 1 initiate, CPU 2 responds
    assert not next(s for s in three.isets if s.name == "CPU").symmetric
    r = run_check(path, check, RunOptions(backend="fast", symmetry=True, workers=1))
    assert r.verdict is Verdict.HOLDS and r.stats.states == 4517 and r.stats.represented == 30022


@pytest.mark.parametrize("argv,what", [
    (["specs/baseline.py", "--cpus", "2", "--set", "initiators=3"], "initiators=3 is more than cpus=2"),
    (["specs/baseline.py", "--set", "initiators=2"], "rounds=2: each initiator does one operation"),
    (["specs/hyperv.py", "--cpus", "2", "--set", "rounds=1", "--set", "initiators=2"], "callers ['khugepaged']"),
])
def test_unsupported_combinations_are_refused(argv, what, capsys):
    assert main(argv + ["--quiet"]) == 2
    err = capsys.readouterr().err
    assert what in err and "protocols/initiators.py" in err and "error:" in err
