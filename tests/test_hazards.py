"""Hazards are detected, never prevented: removing each kernel safeguard the audit of issue 10
named turns into a violation of the invariant that watches the memory concerned."""
from __future__ import annotations

import pytest

from checker.adequacy.mutants import mutants
from checker.explicit.compile import compile_model
from checker.explicit.explore import explore
from checker.lang import If, when
from checker.result import Verdict
from checker.run import RunOptions, build_model, run_check
from checker.spec import Check
from protocols.async_inline import PROTOCOL as ASYNC_INLINE
from protocols.baseline import PROTOCOL as BASELINE

from .conftest import spec_path

ONE = {"cpus": 2, "pages": 1, "rounds": 1}


def violated(protocol, invariant: str, length: int | None = None, **params):
    r = run_check("hazards", Check(protocol, **params), RunOptions({}))
    assert r.verdict is Verdict.VIOLATED and r.violation.invariant == invariant, r.reason
    if length is not None:
        assert len(r.trace) == length
    return r


def test_a_fill_through_a_freed_table_is_flagged_not_disabled():
    """1. tlb_fill walks from the cached table pointer whatever it points to: with lazy CPUs skipped
    although tables are freed (b956575bed91 undone) and no speculative walk at all, the TLB fill
    itself reads the freed PTE-table page."""
    no_spec = BASELINE.variant("baseline_fills_only", drop=["speculative_walk"])
    r = violated(no_spec, "no_freed_table_walk", 10, lazy_skip_on_free=True, **ONE)
    assert r.trace.steps[-1].action == "tlb_fill"


def test_a_wrong_freed_tables_hint_is_expressible():
    """2. What is freed follows what was detached; freed_tables is only the hint the flush reads.
    A free_pgtables that detaches the table but leaves the hint at 0 lets the flush skip a lazy
    CPU that still points at the table, which tlb_finish_mmu then really frees."""
    def free_pgtables(v):
        return when(v.phase == "zapped", v.pmd.becomes(None), v.phase.becomes("flush_start"))
    wrong_hint = BASELINE.variant("baseline_wrong_hint", replace={"free_pgtables": free_pgtables})
    r = violated(wrong_hint, "no_freed_table_walk", **ONE)
    assert "ipi_skip" in [s.action for s in r.trace.steps[1:]]
    assert r.trace.steps[-1].state["freed_tables"] is False


def test_the_inlined_info_in_a_reused_csd_is_caught():
    """3a. RFC patch 10 copies the inlined info to the handler's stack before csd_unlock; without
    the copy the async handler reads the csd after unlocking it, and the next flush refills it."""
    r = violated(ASYNC_INLINE, "flush_info_live", cpus=2, pages=1, rounds=2, inline_copy=False)
    acts = [s.action for s in r.trace.steps[1:]]
    unlock = acts.index("csd_unlock")
    assert acts.count("inc_mm_tlb_gen") == 2 and acts.index("ipi_send", unlock) < len(acts) - 1
    assert acts[-1] == "flush_tlb_func"


def test_per_cpu_info_reused_by_the_next_flush_is_caught():
    """3b. The per-CPU flush_tlb_info of an async percpu design that never releases it: the next
    flush refills it while a handler of the previous one has yet to read it (owner generation)."""
    from specs.custom_variant import PROTOCOL
    model = build_model(Check(PROTOCOL, cpus=2, pages=1, rounds=2), {})
    keep = [m for m in mutants(model) if m.description == "tlb_finish_mmu: drop update `info_owner := 0`"]
    assert len(keep) == 1
    out = explore(compile_model(keep[0].model))
    assert out.violation is not None and out.violation.invariant == "flush_info_live"
    last = out.trace.steps[-1].state
    assert last["info_owner"] == 2 and last["dead_info_read"][1] is True


def test_nmi_uaccess_safe_is_about_the_memory_read():
    """4. The invariant says whose memory the NMI read, not whether the kernel's check passed:
    without nmi_uaccess_okay() an NMI on a lazy CPU reads the borrowed mm's memory (even with
    atomic context switches); without the RFC's async block it reads a freed frame."""
    r = violated(ASYNC_INLINE, "nmi_uaccess_safe", 3, nmi_check_mm=False, **ONE)
    assert r.trace.steps[-1].state["mode"][1] == "lazy"
    violated(ASYNC_INLINE, "no_stale_access", nmi_block=False, **ONE)


def test_no_lost_write_with_the_ptl_taken_by_every_caller():
    """5. munmap takes the PTL in zap_pte_range as MADV_DONTNEED does: with both callers and
    writeback the correct design holds; flushing after the PTL is dropped (1cf35d47712d undone)
    loses a write."""
    r = run_check("hazards", Check(BASELINE, cpus=2, pages=1, rounds=2, callers=("munmap", "writeback")),
                  RunOptions({}))
    assert r.verdict is Verdict.HOLDS and "no_lost_write" in r.invariants
    pre = next(g for g in r.goals if g.kind == "precondition" and g.name == "no_lost_write")
    assert pre.reached and pre.states > 0
    violated(BASELINE, "no_lost_write", 5, cpus=2, pages=1, rounds=2, callers=("munmap", "writeback"),
             flush_under_ptl=False)


def test_a_frame_reused_at_another_page_can_be_written_down():
    """6. Pages and frames are separate: the refault may map a freed frame at another page while a
    lazy CPU still maps it at the old one; leaving lazy mode without the tlb_gen check then stores
    through a translation of a frame that is no longer the mm's at that page."""
    w = run_check("hazards", Check(BASELINE, cpus=2, pages=2, rounds=2),
                  RunOptions({}, witness="frame_reused_at_another_page"))
    last = w.trace.steps[-1].state
    assert len(w.trace) == 9 and last["tlb"][1][0] == 0 and last["pte"][1] == 0 and last["pte"][0] is None
    violated(BASELINE, "no_stale_access", cpus=2, pages=2, rounds=2, lazy_gen_check=False)


def test_a_variant_keeps_what_a_custom_build_used_to_lose():
    """7. A variant replaces one action and keeps flush_completes, fairness and the strengthening
    invariants (a hand-written build lost them silently)."""
    def flush_tlb_func(v, t):
        irq = v.irq[t]
        return when((t != 0) & ((irq == "func") | (irq == "async_func")), irq.becomes(If(irq == "func", "unlock", "none")))
    variant = ASYNC_INLINE.variant("async_inline_no_flush", replace={"flush_tlb_func": flush_tlb_func})
    base, var = (build_model(Check(p, **ONE), {}) for p in (ASYNC_INLINE, variant))
    assert [p.name for p in var.properties] == [p.name for p in base.properties] == ["flush_completes"]
    assert [i.name for i in var.auxiliary] == [i.name for i in base.auxiliary] and base.auxiliary
    assert next(a for a in var.actions if a.name == "flush_tlb_func").fair == "strong"
    violated(variant, "no_stale_access", **ONE)


@pytest.mark.parametrize("spec", ["variant_psc_not_flushed.py"])
def test_the_variant_spec_is_short(spec):
    with open(spec_path(spec)) as f:
        assert len(f.read().splitlines()) <= 30
