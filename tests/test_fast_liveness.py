"""Leads-to properties on the fast backend (fast/fc_live.h) agree with the reference
(checker/explicit/liveness.py): the same verdict on every spec that declares them, and the same
lasso — the fast pass numbers states in the reference's BFS order and makes the reference's
choices (roots, components, loop edges), so the counterexample is identical step for step."""
import glob
import os

import pytest

from checker.explicit.fast import available
from checker.result import Verdict
from checker.run import RunOptions, build_model, run_check
from checker.spec import Check, load_spec
from protocols.baseline import PROTOCOL as BASELINE

from .conftest import spec_path
from .test_liveness import TOY

pytestmark = pytest.mark.skipif(not available()[0], reason="no C compiler: " + available()[1])


def _small(check):
    """Bounds small enough for the reference's leads-to check (it keeps the graph in Python)."""
    names = {p.name for p in check.protocol.params}
    # (three global ASIDs: 569,778 states at one round, over the reference's cap; two run the same code)
    small = {k: v for k, v in (("cpus", 2), ("rounds", 1), ("ops", 1), ("global_asids", 2)) if k in names}
    # two initiators on two VAs: 541,528, 774,104 and 1,050,978 states, over the reference's 400,000-state cap
    big = ("invlpgb_2initiators", "tlb_gen_pti_2cpus", "tlb_gen_pcid_other_mms_2cpus")
    return {**small, "pages": 1} if check.name in big else small


def _live_checks():
    out = []
    for f in sorted(glob.glob(spec_path("**", "*.py"), recursive=True)):
        if os.path.basename(f).startswith("_"):
            continue
        for c in load_spec(f):
            if c.liveness and build_model(c, _small(c)).properties:
                out.append((f, c))
    return out


LIVE = _live_checks()


def _agree(ref, fast):
    assert ref.verdict is fast.verdict
    assert ref.invariants == fast.invariants and not ref.unchecked and not fast.unchecked
    assert ref.violation == fast.violation
    assert ref.trace == fast.trace


def test_every_family_with_leads_to_is_covered():
    assert len(LIVE) >= 10 and any("tlb_gen" in f for f, _ in LIVE)


@pytest.mark.parametrize("path,check", LIVE, ids=lambda x: getattr(x, "name", None) or "")
def test_every_leads_to_spec_agrees_with_the_reference(path, check):
    over = _small(check)
    ref = run_check(path, check, RunOptions(over, backend="explicit"))
    fast = run_check(path, check, RunOptions(over, backend="fast", symmetry=False, workers=1))
    assert ref.backend == "explicit" and fast.backend == "fast"
    _agree(ref, fast)
    if ref.violation is None or ref.violation.kind == "liveness":  # the safety search held
        assert "checked by the fast backend" in fast.liveness
    # with symmetry the safety search is reduced, the liveness pass is not: the same answer
    sym = run_check(path, check, RunOptions(over, backend="fast", workers=2))
    _agree(ref, sym)


def test_gup_fast_lasso_identical():
    """The GUP-fast loop (IRQs off again and again) starves a weakly fair IPI: the same lasso."""
    for be in ("explicit", "fast"):
        r = run_check("t", Check(BASELINE, cpus=2, gup_fast=True, ipi_fair="weak"), RunOptions(backend=be))
        assert r.verdict is Verdict.VIOLATED and r.violation.invariant == "flush_completes"
        t = r.trace
        assert len(t) == 9 and t.loop_start == 7
        assert [s.action for s in t.steps[t.loop_start + 1:]] == ["gup_fast_begin", "gup_fast_end"]
        assert t.steps[-1].state == t.steps[t.loop_start].state


@pytest.mark.parametrize("fair,block,violated", [
    ("none", False, True), ("weak", False, False), ("strong", False, False),
    ("none", True, True), ("weak", True, True), ("strong", True, False)])
def test_fairness_decides_the_toy_on_both_engines(fair, block, violated):
    res = [run_check("t", Check(TOY, fair=fair, block=block, deadlock=False), RunOptions(backend=be))
           for be in ("explicit", "fast")]
    for r in res:
        assert (r.verdict is Verdict.VIOLATED) == violated, r
        if violated:
            t = r.trace
            assert t.loop_start is not None and t.steps[-1].state == t.steps[t.loop_start].state
            assert all(s.state["waiting"] for s in t.steps[t.loop_start:])
    _agree(*res)


def test_no_state_cap_on_the_fast_backend():
    """Above the reference's 400,000-state cap, the fast backend still checks the property."""
    check = load_spec(spec_path("async_inline.py"))[0]
    r = run_check("a", check, RunOptions({"cpus": 3}, backend="fast", workers=2))
    assert r.verdict is Verdict.HOLDS and "flush_completes" in r.invariants and not r.unchecked
    assert "over the unreduced state graph" in r.liveness and not any("liveness" in w for w in r.warnings)
