"""Concurrent flushers and flush_tlb_func's generation rule (protocols/tlb_gen.py).

The reference's case (three CPUs, two initiators, one responder; one range flush and one
TLB_FLUSH_ALL) holds under both forms of the rule, each conjunct of the partial-flush
condition left out is found with its shortest trace, and the engines agree.
"""
import dataclasses

import pytest

from checker.cli import main
from checker.result import Verdict
from checker.run import RunOptions, run_check
from checker.spec import load_spec

from .conftest import spec_path

SPEC, BUGS = spec_path("tlb_gen.py"), spec_path("bugs", "tlb_gen_partial_flush.py")


def _check(path, name):
    return next(c for c in load_spec(path) if c.name == name)


def _run(path, name, **opts):
    overrides = opts.pop("overrides", {})
    return run_check(path, _check(path, name), RunOptions(overrides, **opts))


def _found_by_both_engines(path, check, invariant, length):
    """The bug's shortest trace on the reference and the fast backend: its actions, once per engine."""
    for backend in ("explicit", "fast"):
        bad = run_check(path, check, RunOptions({}, backend=backend))
        assert bad.verdict is Verdict.VIOLATED and bad.expectation_met
        assert bad.violation.invariant == invariant and len(bad.trace) == length
        yield [s.action for s in bad.trace.steps[1:]]


# every (spec file, check) under specs/bugs/ of this family, each pinned below
PINNED_BUG_SPECS = {("tlb_gen_partial_flush.py", n) for n in
                    ("partial_without_next_gen", "partial_without_latest_gen", "partial_of_flush_all")} | {
    ("pcid_switch_without_gen_check.py", "pcid_switch_without_gen_check")} | {
    ("v519_reclaim_flush_skipped.py", n) for n in
    ("v519_reclaim_flush_skipped", "v519_reclaim_fixed", "v513_reclaim_no_early_return")} | {
    ("b17_madv_free_dio.py", n) for n in ("b17_madv_free_dio", "b17_madv_free_dio_fixed")} | {
    ("mremap_flush_after_ptl.py", "mremap_flush_after_ptl")} | {
    ("migrate_copy_before_flush.py", "migrate_copy_before_flush")} | {
    ("n4_ipi_first_pcid.py", n) for n in ("n4_ipi_first_pcid", "n4_ipi_first_no_pcid", "n4_ipi_first_pcid_fixed")} | {
    ("b1_lazy_cpu_table_free.py", "b1_tlb_gen")} | {
    ("pti_user_asid_not_invalidated.py", n) for n in ("pti_user_asid_not_invalidated", "pti_stale_user_access")} | {
    ("migrate_pinned_folio.py", n) for n in ("migrate_pinned_folio", "migrate_vma_pinned_folio")}

# check -> (distinct states, transitions, depth) on the reference explorer, no symmetry
PINNED_2CPUS = {"tlb_gen_v6_2cpus": (18717, 63122, 17), "tlb_gen_v5_2cpus": (18421, 62546, 17),
                "tlb_gen_pcid_2cpus": (111844, 355834, 21), "tlb_gen_pcid_3mms_2cpus": (43101, 169632, 17)}
# the composable callers and parts, each a check at 2 CPUs: (distinct states, transitions, depth) on the
# reference explorer, and the covers that say its hazard is reached
PINNED_PARTS = {"tlb_gen_madv_free_2cpus": ((137809, 480608, 23), {"lazyfree_page_redirtied",
                                                                    "lazyfree_page_discarded"}),
                "tlb_gen_dio_2cpus": ((57668, 278311, 27), {"lazyfree_page_redirtied", "lazyfree_page_discarded",
                                                             "dio_pins_page_under_unmap"}),
                "tlb_gen_mremap_2cpus": ((278319, 1037422, 22), {"old_va_cached_after_move", "concurrent_flushes"}),
                "tlb_gen_migrate_2cpus": ((116731, 444522, 23), {"migration_copied", "concurrent_flushes"}),
                "tlb_gen_migrate_device_dio_2cpus": ((24564, 133182, 17), {"migration_copied",
                                                                            "migration_refused_pinned"}),
                "tlb_gen_munmap_2cpus": ((95651, 460104, 18), {"lazy_cpu_caches_detached_table",
                                                                "concurrent_flushes", "partial_flush"})}
# check -> (distinct states, transitions, depth) on the fast backend
PINNED_3CPUS = {"tlb_gen_v6": (1864569, 8815055, 23), "tlb_gen_v5": (1810097, 8599039, 23),
                "tlb_gen_csd_fifo": (1950593, 9214419, 23)}


@pytest.mark.parametrize("name", sorted(PINNED_2CPUS))
def test_two_initiators_hold_with_pinned_counts(name):
    """Two CPUs, both unmapping and flushing: safe, live, and every cover reached."""
    r = _run(SPEC, name)
    assert r.verdict is Verdict.HOLDS and r.expectation_met
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == PINNED_2CPUS[name]
    assert not r.unchecked and not r.excluded   # flush_completes and unmapped_frames_freed checked


@pytest.mark.parametrize("name", sorted(PINNED_PARTS))
def test_each_caller_holds_with_pinned_counts(name):
    """Each composable part at 2 CPUs: safe, live, every cover reached, every hazard precondition met."""
    counts, covers = PINNED_PARTS[name]
    r = _run(SPEC, name)
    assert r.verdict is Verdict.HOLDS and r.expectation_met
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == counts
    assert not r.unchecked and not r.excluded
    assert covers <= {g.name for g in r.goals if g.kind == "cover" and g.states}
    assert all(g.states for g in r.goals if g.kind != "cover")   # each invariant's hazard is reached


@pytest.mark.parametrize("name", sorted(PINNED_2CPUS) + sorted(PINNED_PARTS))
def test_fast_backend_agrees_with_the_reference(name):
    r = _run(SPEC, name, backend="fast", liveness=False)
    assert r.backend == "fast"
    want = PINNED_2CPUS[name] if name in PINNED_2CPUS else PINNED_PARTS[name][0]
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == want


@pytest.mark.parametrize("name", sorted(PINNED_3CPUS))
def test_concurrent_flusher_case_holds_for_both_rules(name):
    """Three CPUs, two initiators, one responder: the reference's case, v5.13 and v5.19+ rules."""
    r = _run(SPEC, name, backend="fast")
    assert r.verdict is Verdict.HOLDS and r.expectation_met
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == PINNED_3CPUS[name]
    covered = {g.name for g in r.goals if g.kind == "cover" and g.states}
    assert {"concurrent_flushes", "request_already_done", "range_request_behind",
            "range_request_superseded", "partial_flush", "flush_all_request"} <= covered


# check -> (what is violated, shortest trace, the last action)
BROKEN = {"partial_without_next_gen": ("no_stale_access", 15, "user_access"),
          "partial_without_latest_gen": ("no_stale_access", 15, "user_access"),
          "partial_of_flush_all": ("deadlock", 5, "flush_tlb_func_local")}


@pytest.mark.parametrize("rule", ["v5", "v6"])
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_conjunct_of_the_partial_flush_condition_is_needed(name, rule):
    what, length, last = BROKEN[name]
    r = _run(BUGS, name, backend="fast", overrides={"rule": rule})
    assert r.verdict is Verdict.VIOLATED and r.expectation_met
    assert (r.violation.invariant if what != "deadlock" else r.violation.kind) == what
    assert len(r.trace) == length and r.trace.steps[-1].action == last


def test_without_the_next_gen_check_a_later_request_stands_in_for_an_earlier_one():
    """The reference's counterexample: a CPU takes the later initiator's request first, flushes
    only its page, records the mm's generation, then skips the earlier request; the earlier
    initiator frees its page, which the CPU still caches."""
    r = _run(BUGS, "partial_without_next_gen", backend="fast")
    steps = r.trace.steps
    cpu = dict(r.violation.witness)["CPU"]
    handled = [s for s in steps if s.action == "flush_tlb_func_remote" and dict(s.args)["t"] == cpu]
    assert handled, "the victim ran a flush handler"
    first = handled[0]
    earlier = min(range(2), key=lambda i: first.state["new_tlb_gen"][i] or 99)
    assert dict(first.args)["i"] != earlier   # the later request came first
    assert first.state["asid_gen"][cpu][0] == first.state["mm_tlb_gen"] == 2   # one ASID slot
    frees = [s for s in steps if s.action == "tlb_finish_mmu"]
    assert frees and steps[-1].action == "user_access" and dict(steps[-1].args)["c"] == cpu


def test_pcid_keeps_old_entries_and_the_switch_catches_them_up():
    """With two ASID slots a CPU that switched away keeps this mm's entries (a cover); switching
    back without the generation check uses one after its frame was freed."""
    r = _run(SPEC, "tlb_gen_pcid_2cpus", backend="fast", liveness=False)
    assert r.violation is None and r.stats.states == 111844
    kept = next(g for g in r.goals if g.name == "stale_entries_in_unloaded_asid")
    assert kept.depth is not None
    path = spec_path("bugs", "pcid_switch_without_gen_check.py")
    bad = run_check(path, load_spec(path)[0])
    assert bad.verdict is Verdict.VIOLATED and bad.expectation_met and len(bad.trace) == 10
    steps = [s.action for s in bad.trace.steps[1:]]
    assert steps.index("switch_mm_out") < steps.index("tlb_finish_mmu") < steps.index("switch_mm_in")
    assert steps[-1] == "user_access" and "ipi_send" not in steps


def test_reclaims_batched_flush_needs_the_invalid_generation_exception():
    """v5.19-rc (aa44284960d5 before 8f1d56f64f8d): arch_tlbbatch_flush's generation 0 reads as an
    old request and every CPU skips it; with the exception, or with the v5.13 rule, it holds."""
    path = spec_path("bugs", "v519_reclaim_flush_skipped.py")
    checks = {c.name: c for c in load_spec(path)}
    bad = run_check(path, checks["v519_reclaim_flush_skipped"])
    assert bad.verdict is Verdict.VIOLATED and bad.expectation_met and len(bad.trace) == 9
    steps = [s.action for s in bad.trace.steps[1:]]
    assert steps.index("try_to_unmap_one") < steps.index("arch_tlbbatch_flush") \
        < steps.index("free_unref_page_list") < len(steps) - 1 and steps[-1] == "user_access"
    for name in ("v519_reclaim_fixed", "v513_reclaim_no_early_return"):
        r = run_check(path, checks[name])
        assert r.verdict is Verdict.HOLDS and r.expectation_met and r.stats.states == 918
    beside = _run(SPEC, "tlb_gen_reclaim_2cpus", backend="fast", liveness=False)
    assert beside.violation is None and beside.stats.states == 196479


def test_bmc_agrees_on_the_flush_all_lockup_and_on_the_safe_rule():
    """Z3 finds the TLB_FLUSH_ALL lockup at the explicit search's length, and no violation of the
    safe rule within the same bound."""
    bad = _run(BUGS, "partial_of_flush_all", backend="smt", depth=5)
    assert bad.verdict is Verdict.VIOLATED and bad.violation.kind == "deadlock" and len(bad.trace) == 5
    ok = _run(SPEC, "tlb_gen_v6_2cpus", backend="smt", depth=7)
    assert ok.verdict is Verdict.INCOMPLETE and ok.violation is None


@pytest.mark.parametrize("params,message", [
    ("cpus=2, initiators=3", "initiators=3 is more than cpus=2"),
    ("cpus=2, initiators=1, mms=3", "mms=3 with asids=1"),      # a third process needs PCID slots
])
def test_impossible_bounds_are_refused(tmp_path, capsys, params, message):
    spec = tmp_path / "bad.py"
    spec.write_text("from checker.spec import Check\nfrom protocols.tlb_gen import PROTOCOL\n"
                    f"CHECK = Check(PROTOCOL, {params})\n")
    assert main([str(spec)]) == 2
    err = capsys.readouterr().err
    assert message in err and "give " in err and "Traceback" not in err


def test_b17_reclaim_discards_a_lazyfree_page_a_direct_io_holds():
    """6c8e2a256915: without the refcount check reclaim discards the clean lazyfree page that GUP-fast
    pinned, and the direct IO's data lands in a frame the mm no longer maps; with it, the page is
    mapped back. Both engines find the same shortest trace."""
    path = spec_path("bugs", "b17_madv_free_dio.py")
    checks = {c.name: c for c in load_spec(path)}
    for steps in _found_by_both_engines(path, checks["b17_madv_free_dio"], "no_lost_dio_read", 12):
        assert steps.index("madvise_free") < steps.index("gup_fast") < steps.index("gup_fast_recheck") \
            < steps.index("try_to_unmap_one") < steps.index("lazyfree_discard") < len(steps) - 1
        assert steps[-1] == "dio_complete"
    fixed = run_check(path, checks["b17_madv_free_dio_fixed"])
    assert fixed.verdict is Verdict.HOLDS and fixed.expectation_met
    assert (fixed.stats.states, fixed.stats.transitions) == PINNED_PARTS["tlb_gen_dio_2cpus"][0][:2]


def test_mremap_flushing_after_the_ptl_lets_truncate_free_a_page_the_old_va_maps():
    """CVE-2018-18281 (fixed by eb66ae030829): move_ptes drops the PTL before the old VA is flushed;
    a truncation zaps the new VA, flushes only it, and frees the frame the old VA still maps."""
    path = spec_path("bugs", "mremap_flush_after_ptl.py")
    for steps in _found_by_both_engines(path, load_spec(path)[0], "no_stale_access", 10):
        assert steps.index("tlb_fill") < steps.index("move_ptes") < steps.index("unmap_mapping_range") \
            < steps.index("tlb_finish_mmu") < len(steps) - 1 and steps[-1] == "user_access"
        assert "mremap_unlock" not in steps   # mremap's own flush never came


def test_migration_copying_before_the_flush_loses_a_store():
    path = spec_path("bugs", "migrate_copy_before_flush.py")
    for steps in _found_by_both_engines(path, load_spec(path)[0], "no_store_after_copy", 4):
        assert steps == ["tlb_fill", "try_to_migrate_one", "move_to_new_page", "user_access"]


def test_migrating_a_folio_a_direct_io_pins_loses_the_io_s_data():
    """Migration (both kinds) refuses a folio with a GUP pin; without that check the copy runs, and the
    direct IO completes into the old frame. Both engines, 10 steps."""
    path = spec_path("bugs", "migrate_pinned_folio.py")
    for check in load_spec(path):
        for steps in _found_by_both_engines(path, check, "no_lost_dio_read", 10):
            assert steps.index("gup_fast") < steps.index("gup_fast_recheck") < steps.index("try_to_migrate_one") \
                < steps.index("move_to_new_page") and steps[-1] == "dio_complete"
            assert "migration_restore" not in steps


def test_n4_idle_pcids_invalidated_after_the_ipis():
    """N4 (FreeBSD r362031, fixed in r368649): a CPU skipped by the scan switches in before the
    generation its ASID slot is compared with has moved, reuses the slot with NOFLUSH and reads the
    freed frame. Without PCID (one slot) the same order holds; the fixed order holds."""
    path = spec_path("bugs", "n4_ipi_first_pcid.py")
    checks = {c.name: c for c in load_spec(path)}
    for steps in _found_by_both_engines(path, checks["n4_ipi_first_pcid"], "no_stale_access", 10):
        assert steps.index("switch_mm_out") < steps.index("ipi_skip") < steps.index("switch_mm_in") \
            < steps.index("flush_tlb_func_local") < steps.index("tlb_finish_mmu") < len(steps) - 1
        assert steps[-1] == "user_access" and "ipi_send" not in steps
    for name, states in (("n4_ipi_first_no_pcid", 275), ("n4_ipi_first_pcid_fixed", 1148)):
        r = run_check(path, checks[name])
        assert r.verdict is Verdict.HOLDS and r.expectation_met and r.stats.states == states


def test_b1_munmap_skipping_lazy_cpus_lets_a_walk_read_the_freed_table():
    """B1 (b956575bed91) among concurrent flushers: munmap detaches the PTE-table page and flushes with
    freed_tables; skipping the lazy CPU anyway leaves its paging-structure cache pointing at the table,
    which tlb_finish_mmu frees, and its next speculative walk reads it."""
    path = spec_path("bugs", "b1_lazy_cpu_table_free.py")
    check = next(c for c in load_spec(path) if c.name == "b1_tlb_gen")
    for steps in _found_by_both_engines(path, check, "no_freed_table_walk", 9):
        assert steps.index("tlb_fill") < steps.index("munmap") < steps.index("enter_lazy_tlb") \
            < steps.index("ipi_skip") < steps.index("tlb_finish_mmu") < len(steps) - 1
        assert steps[-1] == "tlb_fill" and "ipi_send" not in steps


def test_pti_flushes_the_user_pcid_at_the_return_to_user():
    """PTI: a flush marks the slot's user PCID (invalidate_user_asid) and SWITCH_TO_USER_CR3 flushes it.
    The model holds with its counts pinned (fast backend, unreduced: 774,104 states); leaving the mark out
    hands a slot with user translations to another mm (2 steps, both engines) and lets a user access read
    a freed frame after MADV_DONTNEED returned (9 steps)."""
    r = _run(SPEC, "tlb_gen_pti_2cpus", backend="fast", symmetry=False)
    assert r.verdict is Verdict.HOLDS and (r.stats.states, r.stats.transitions, r.stats.depth) == (774104, 2825576, 21)
    assert next(g for g in r.goals if g.name == "user_pcid_flush_deferred").depth == 3
    path = spec_path("bugs", "pti_user_asid_not_invalidated.py")
    checks = {c.name: c for c in load_spec(path)}
    for steps in _found_by_both_engines(path, checks["pti_user_asid_not_invalidated"], "user_asid_holds_its_mm", 2):
        assert steps == ["tlb_fill_user", "switch_mm_out"]
    stale = run_check(path, checks["pti_stale_user_access"], RunOptions({}, backend="fast"))
    assert stale.violation.invariant == "no_stale_access" and len(stale.trace) == 9
    steps = [s.action for s in stale.trace.steps[1:]]
    assert steps[0] == "tlb_fill_user" and steps[-2:] == ["tlb_finish_mmu", "user_access"]
    assert "return_to_user" not in steps


def test_the_queue_in_order_still_lets_a_later_request_run_first():
    """csd_fifo: a CPU runs its queued csds oldest first. The generation rule is still needed: the
    later initiator may queue its csd first, so leaving out new_tlb_gen == local_tlb_gen + 1 is
    still found (3 CPUs; at 2 no queue holds two csds and the counts are today's)."""
    r = _run(BUGS, "partial_without_next_gen", backend="fast", overrides={"csd_fifo": True, "cpus": 3})
    assert r.verdict is Verdict.VIOLATED and r.violation.invariant == "no_stale_access" and len(r.trace) == 17
    same = _run(SPEC, "tlb_gen_v6_2cpus", backend="fast", liveness=False, overrides={"csd_fifo": True})
    assert (same.stats.states, same.stats.transitions) == PINNED_2CPUS["tlb_gen_v6_2cpus"][:2]
    fifo = _run(SPEC, "tlb_gen_csd_fifo", backend="fast")
    assert next(g for g in fifo.goals if g.name == "two_csds_queued").depth is not None


def test_with_every_cpu_an_initiator_the_cpus_are_symmetric():
    """Two CPUs, both initiators: no CPU is singled out, the search stores orbits, and the orbits
    stand for exactly the pinned unreduced states (PCID and the callers alike)."""
    pinned = {**PINNED_2CPUS, **{k: v[0] for k, v in PINNED_PARTS.items()}}
    for name in ("tlb_gen_v6_2cpus", "tlb_gen_pcid_2cpus", "tlb_gen_migrate_2cpus"):
        r = _run(SPEC, name, backend="fast", symmetry=True, liveness=False)
        assert r.violation is None and r.symmetry   # safety only: leads-to needs the unreduced graph
        assert r.stats.represented == pinned[name][0] and r.stats.states < r.stats.represented


# a mutant of tlb_gen_v6_2cpus that only these properties kill (before them, each survived
# mutate), with the length of the shortest counterexample
BOOKKEEPING_MUTANTS = [
    ("flush_tlb_func_local: `mm_cpumask.without(i)` → `mm_cpumask.with_(i)` in the update of mm_cpumask",
     "cpumask_is_loaded"),
    ("switch_mm_out: drop update `mm_cpumask := mm_cpumask.without(c)`", "cpumask_is_loaded"),
    ("flush_tlb_func_remote: `next_asid[t] == 0` → `next_asid[t] != 0` in the update of asid_gen[t][0]",
     "slot_gen_not_ahead"),
    ("leave_lazy: drop update `asid_gen[c][0] := If((loaded_asid[c] == 0), mm_tlb_gen, asid_gen[c][0])`",
     "caught_up_when_settled"),
    ("switch_mm_out: drop update `asid_mm[c][0] := If((True & ((exists(ASID, lambda s: (asid_mm[c][s] == "
     "other_mm)) & (asid_mm[c][0] == other_mm)) | (~exists(ASID, lambda s: (asid_mm[c][s] == other_mm)) & "
     "(next_asid[c] == 0)))), other_mm, asid_mm[c][0])`", "loaded_asid_is_current"),
    ("tlb_finish_mmu: drop update `batch[0] := If(((frame[0] == gathered) & (batch[0] == i)), none, batch[0])`",
     "batch_holds_gathered"),
    ("csd_unlock: drop update `irq_from[t] := none`", "handler_knows_its_csd"),
]


@pytest.mark.parametrize("description,invariant", BOOKKEEPING_MUTANTS, ids=[i for _, i in BOOKKEEPING_MUTANTS])
def test_bookkeeping_properties_kill_what_no_hazard_sees(description, invariant):
    """The per-CPU bookkeeping a flush relies on, stated as the kernel's own checks: a mutant that
    keeps a cpumask bit, records a generation too low or too high, or leaves another mm's slot
    loaded breaks one of these (and no_stale_access does not see it)."""
    from checker.adequacy.mutate import check_mutants
    check = _check(SPEC, "tlb_gen_v6_2cpus")
    mutant = next(m for m in check_mutants(check)[1] if m.description == description)
    r = run_check(SPEC, check, RunOptions({}, backend="explicit"), model=mutant.model)
    assert r.verdict is Verdict.VIOLATED and r.violation.invariant == invariant
    hazards = tuple(i for i in mutant.model.invariants if i.name in ("no_stale_access", "asid_holds_its_mm"))
    assert run_check(SPEC, check, RunOptions({}, backend="explicit"),
                     model=dataclasses.replace(mutant.model, invariants=hazards)).verdict is Verdict.HOLDS


# the callers' properties (issue 11, fourth pass): a mutant of each caller's check that one of them
# kills and that survived mutate before them; (check, mutant, the property that kills it)
CALLER_PROPERTIES = ("freed_frame_unmapped", "table_batch_holds_gathered", "freed_tables_only_in_flush",
                     "detached_tables_freed", "flush_info_live", "no_csd_to_self",
                     "reclaim_flush_pending_only_in_batch", "reclaim_batch_flushed", "user_pcid_flush_applied",
                     "user_pcid_translation_usable", "no_lock_held_between_ops", "mremap_holds_mmap_lock",
                     "migration_state_only_in_migration", "mm_frames_mapped", "dio_holds_only_in_flight",
                     "free_frame_clean", "lazy_bystander")
CALLER_MUTANTS = [
    ("tlb_gen_munmap_2cpus", "munmap: drop update `pte[0] := If((pte[0] != none), none, pte[0])`",
     "freed_frame_unmapped"),
    ("tlb_gen_munmap_2cpus", "tlb_finish_mmu: drop update `ptable[0] := If(((ptable[0] == gathered) & "
     "(table_batch[0] == i)), free, ptable[0])`", "table_batch_holds_gathered"),
    ("tlb_gen_munmap_2cpus", "tlb_finish_mmu: drop update `freed_tables[i] := False`", "freed_tables_only_in_flush"),
    ("tlb_gen_reclaim_2cpus", "try_to_unmap_one: drop guard conjunct `phase[i] == idle`", "flush_info_live"),
    ("tlb_gen_reclaim_2cpus", "arch_tlbbatch_flush: drop update `scanned[i] := {}.with_(i)`", "no_csd_to_self"),
    ("tlb_gen_reclaim_2cpus", "free_unref_page_list: drop update `reclaiming[i] := False`",
     "reclaim_flush_pending_only_in_batch"),
    ("tlb_gen_reclaim_2cpus", "try_to_unmap_one: negate guard conjunct `pte[p] != none`", "cover reclaim_batch_flushed"),
    ("tlb_gen_pti_2cpus", "return_to_user: negate guard conjunct `mode[c] == user`", "user_pcid_flush_applied"),
    ("tlb_gen_pti_2cpus", "tlb_fill_user: negate guard conjunct `~user_flush[c][0]`",
     "cover user_pcid_translation_usable"),
    ("tlb_gen_v6_2cpus", "enter_lazy_tlb: negate guard conjunct `phase[c] != sending`", "cover lazy_bystander"),
    ("tlb_gen_mremap_2cpus", "move_ptes: drop guard conjunct `mmap_readers == {}`", "mremap_holds_mmap_lock"),
    ("tlb_gen_mremap_2cpus", "move_ptes: drop update `pte[q] := pte[p]`", "mm_frames_mapped"),
    ("tlb_gen_mremap_2cpus", "mremap_unlock: drop update `ptl := none`", "no_lock_held_between_ops"),
    ("tlb_gen_migrate_2cpus", "remove_migration_ptes: drop update `migrating[i] := False`",
     "migration_state_only_in_migration"),
    ("tlb_gen_dio_2cpus", "dio_complete: drop update `dio := done`", "dio_holds_only_in_flight"),
    ("tlb_gen_dio_2cpus", "dio_complete: drop update `lazyfree[0] := If((((True & (dio_frame == 0)) & "
     "(frame[0] == gathered)) & (batch[0] == none)), False, lazyfree[0])`", "free_frame_clean"),
]


@pytest.mark.parametrize("name,description,killer", CALLER_MUTANTS, ids=[k for _, _, k in CALLER_MUTANTS])
def test_caller_properties_kill_what_survived_before_them(name, description, killer):
    """Each caller's own bookkeeping and progress, stated as the kernel's checks (page_table_check,
    the mmu_gather's shape, tlb_ubc->flush_required, SWITCH_TO_USER_CR3 on every return): the mutant
    breaks the named property, and without the caller properties it holds."""
    from checker.adequacy.mutate import check_mutants, classify
    check = _check(SPEC, name)
    mutant = next(m for m in check_mutants(check)[1] if m.description == description)
    opts = RunOptions({}, backend="fast")
    assert classify(run_check(SPEC, check, opts, model=mutant.model))[1] == killer
    later = CALLER_PROPERTIES + SIXTH_PROPERTIES   # and those added since, which may kill it too
    before = dataclasses.replace(
        mutant.model, invariants=tuple(i for i in mutant.model.invariants if i.name not in later),
        covers=tuple(c for c in mutant.model.covers if c.name not in later),
        properties=tuple(p for p in mutant.model.properties if p.name not in later),
        actions=tuple(dataclasses.replace(a, contexts=()) for a in mutant.model.actions))  # and no context covers
    assert run_check(SPEC, check, opts, model=before).verdict is Verdict.HOLDS


# the ASID switch and the callers (issue 11, sixth pass): a mutant that survived the fifth pass, the
# start and end of its description, and what kills it now: a property of SIXTH_PROPERTIES, or a model
# change (deadlock: the mmu_gather live only in the operations that take one; the task context cover
# of every step of an operation)
SIXTH_PROPERTIES = ("one_slot_per_mm", "no_slot_taken_over", "slot_kept_across_switch_0", "slot_kept_across_switch_1",
                    "slot_kept_while_third_runs_0", "slot_kept_while_third_runs_1", "mmu_gather_only_in_op",
                    "kept_page_swapped_out")
SIXTH_PASS = [
    ("tlb_gen_pcid_2cpus", "switch_mm_in: `asid_mm[c][1] == mm` → `asid_mm[c][1] != mm`",
     "in the update of asid_mm[c][1]", "one_slot_per_mm"),
    ("tlb_gen_pcid_2cpus", "switch_mm_out: negate the If condition", "in the update of tlb[c][0][0]",
     "cover slot_kept_across_switch_0"),
    ("tlb_gen_pcid_3mms_2cpus", "switch_mm_out: drop update `next_asid[c] := ", "", "no_slot_taken_over"),
    ("tlb_gen_pcid_3mms_2cpus", "switch_to_third_mm: negate the If condition", "in the update of tlb[c][0][0]",
     "cover slot_kept_while_third_runs_0"),
    ("tlb_gen_reclaim_2cpus", "free_unref_page_list: drop update `phase[i] := ", "", "deadlock"),
    ("tlb_gen_mremap_2cpus", "mremap_unlock: drop update `phase[i] := ", "", "deadlock"),
    ("tlb_gen_reclaim_2cpus", "free_unref_page_list: drop guard conjunct `reclaiming[i]`", "", "mmu_gather_only_in_op"),
    ("tlb_gen_migrate_2cpus", "move_to_new_page: negate guard conjunct `irq[i] == none`", "",
     "cover move_to_new_page__task"),
    # seventh pass: the lazyfree mark kept on the page reclaim maps back dirty (at one operation each it
    # survives; the second reclaim of the page needs two)
    ("tlb_gen_madv_free_2rounds", "lazyfree_discard: drop update `lazyfree[0] := ", "", "cover kept_page_swapped_out"),
]


def test_a_page_reclaim_kept_is_swapped_out_by_the_next():
    """MADV_FREE, a store, a reclaim that keeps the redirtied page and one that swaps it out: two operations
    each, with symmetry on the fast backend (8,465,217 states in their orbits)."""
    r = _run(SPEC, "tlb_gen_madv_free_2rounds", backend="fast", symmetry=True)
    assert r.verdict is Verdict.HOLDS and r.expectation_met and not r.unchecked
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == (4232764, 15272624, 44)
    assert next(g for g in r.goals if g.name == "kept_page_swapped_out").depth == 12
    one_round = _run(SPEC, "tlb_gen_madv_free_2cpus", backend="fast", liveness=False)
    assert "kept_page_swapped_out" not in {g.name for g in one_round.goals}   # three operations, two there


@pytest.mark.parametrize("name,start,end,killer", SIXTH_PASS, ids=[s[0] + ":" + s[3] for s in SIXTH_PASS])
def test_sixth_pass_kills_what_survived_the_fifth(name, start, end, killer):
    """An mm in two ASID slots, a switch that drops this mm's translations, the round-robin cursor stuck
    (three processes on three slots), an operation ended by another's tlb_finish_mmu: each is found now,
    and where a new property finds it, the mutant holds without the new properties."""
    from checker.adequacy.mutate import check_mutants, classify
    check = _check(SPEC, name)
    mutant, = [m for m in check_mutants(check)[1] if m.description.startswith(start) and m.description.endswith(end)]
    opts = RunOptions({}, backend="fast")
    assert classify(run_check(SPEC, check, opts, model=mutant.model))[1] == killer
    if killer.removeprefix("cover ") in SIXTH_PROPERTIES:
        without = dataclasses.replace(
            mutant.model, invariants=tuple(i for i in mutant.model.invariants if i.name not in SIXTH_PROPERTIES),
            covers=tuple(c for c in mutant.model.covers if c.name not in SIXTH_PROPERTIES))
        assert run_check(SPEC, check, opts, model=without).verdict is Verdict.HOLDS
