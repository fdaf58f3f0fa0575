"""Broadcast invalidation with global ASIDs: AMD INVLPGB + TLBSYNC (protocols/invlpgb.py).

The merged design (v6.15) holds with pinned counts at two CPUs — one initiator whose two flushes go
by IPI then by INVLPGB, two initiators at once, the global-ASID allocator with a second mm, reclaim
(merged and the unmerged targeted variant) and the kernel-range entry points — with every cover
reached (the transition, the INVLPGB in flight, TLBSYNC waiting, a freed PCID reused after the reset)
and flush_completes checked; each broken variant in
specs/bugs/invlpgb_*.py is found with its shortest trace on the reference and the fast backend,
and by Z3 BMC at that depth.
"""
import pytest

from checker.result import Verdict

from .test_bmc import FULL_DEPTH

from .conftest import (assert_bmc_finds_at_depth, assert_holds_with_excuses, assert_shortest_trace_on_both_engines,
                       run_named, spec_path)

SPEC = spec_path("invlpgb.py")


# check -> (distinct states, transitions, depth) on the fast backend (symmetry as declared: the
# two-initiator check is symmetric in its CPUs), and the covers each must reach
PINNED = {"invlpgb_2cpus": ((166920, 738732, 36), False),
          "invlpgb_2initiators": ((26403, 88532, 31), True),
          "invlpgb_allocator": ((234636, 1031904, 47), False),
          "invlpgb_allocator_3asids": ((10162420, 52439012, 55), False),
          "invlpgb_reclaim": ((10984, 37440, 32), False),
          "invlpgb_targeted_reclaim": ((30362, 101755, 43), False),
          "invlpgb_kernel": ((39563, 211068, 34), False),
          "invlpgb_kernel_2initiators": ((245890, 1214357, 48), True),
          "invlpgb_targeted_reclaim_2vas": ((657944, 2789064, 47), False),
          "invlpgb_transition": ((141184, 632960, 25), False),
          "invlpgb_munmap": ((115646, 502718, 35), False),
          "invlpgb_pti": ((217902, 848311, 36), False)}
COVERS = {"invlpgb_in_flight", "tlbsync_waits", "global_asid_assigned", "dynamic_asid_in_transition",
          "transition_ipi", "transition_finished", "switch_in_onto_global_asid", "lazy_cpu_reached_by_invlpgb",
          "frame_freed_while_cached"}
# the allocator's situations: B's translation under a freed global ASID, the reset with it to flush,
# the cursor at the edge, B's first PCID reused by this mm
# and reclaim's: its INVLPGB on every PCID in flight, the targeted INVLPGB with its TLBSYNC deferred and
# the task migrating before it
EXTRA_COVERS = {"invlpgb_allocator": {"reset_flushes_old_owner", "freed_asid_cached", "freed_asid_reused",
                                      "b_holds_second_asid"},
                "invlpgb_allocator_3asids": {"reset_flushes_old_owner", "freed_asid_cached", "freed_asid_reused",
                                             "b_cached_under_third_asid", "asid_past_the_end"},
                "invlpgb_reclaim": {"reclaim_invlpgb_reaches_dynamic_asid"},
                "invlpgb_targeted_reclaim": {"reclaim_targeted_invlpgb", "reclaim_task_migrated"},
                "invlpgb_targeted_reclaim_2vas": {"reclaim_targeted_invlpgb", "reclaim_task_migrated"},
                "invlpgb_munmap": {"invlpgb_reaches_detached_table", "lazy_dynamic_asid_caches_detached_table",
                                   "refault_after_munmap"},
                "invlpgb_pti": {"user_pcid_flush_deferred", "invlpgb_reaches_user_pcid"},
                "invlpgb_kernel": {"kernel_invlpgb_in_flight", "kernel_range_tlbsync_waits",
                                   "flush_tlb_all_tlbsync_waits", "kernel_page_freed"},
                "invlpgb_kernel_2initiators": {"kernel_invlpgb_in_flight", "kernel_range_tlbsync_waits",
                                               "flush_tlb_all_tlbsync_waits", "kernel_page_freed"}}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_merged_design_holds_with_pinned_counts(name):
    """Safe, deadlock-free, live (flush_completes on the whole graph), every cover reached, the
    hazard precondition met, no dead action."""
    counts, symmetric = PINNED[name]
    r = run_named(SPEC, name, backend="fast", symmetry=symmetric, workers=1)
    assert r.verdict is Verdict.HOLDS and r.expectation_met
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == counts
    assert not r.unchecked and not r.excluded
    assert COVERS <= {g.name for g in r.goals if g.kind == "cover" and g.reached}
    # every goal, but the contexts of an action the check expects never to fire (dead_ok)
    assert all(g.reached for g in r.goals if g.action is None or r.coverage[g.action])
    assert EXTRA_COVERS.get(name, set()) <= {g.name for g in r.goals if g.kind == "cover" and g.reached}


def test_one_operation_reaches_every_allocator_cover():
    """invlpgb_allocator_3asids_small (one operation, what `mutate` runs the allocator on) reaches every
    situation of the allocator; what one operation cannot reach is excused by the spec."""
    assert_holds_with_excuses(SPEC, "invlpgb_allocator_3asids_small", (569778, 2647858, 39),
                              EXTRA_COVERS["invlpgb_allocator_3asids"])


# spec file -> (check name, invariant, shortest trace length, the actions that tell the story)
BUGS = {
    "invlpgb_should_flush_switching.py": ("invlpgb_should_flush_switching", "no_stale_access", 14,
                                          ["switch_mm_load_cr3", "tlb_fill", "ipi_skip", "tlb_finish_mmu",
                                           "switch_mm_done", "user_access"]),
    "invlpgb_global_asid_before_transition.py": ("invlpgb_global_asid_before_transition", "no_stale_access", 16,
                                                 ["use_global_asid", "inc_mm_tlb_gen", "tlbsync", "tlb_finish_mmu",
                                                  "user_access"]),
    "invlpgb_switch_mm_no_mb.py": ("invlpgb_switch_mm_no_mb", "no_stale_access", 16,
                                   ["switch_mm_begin", "switch_mm_load_cr3", "ipi_skip", "tlb_finish_mmu",
                                    "user_access"]),
    "invlpgb_tlbsync_after_migration.py": ("invlpgb_tlbsync_after_migration", "no_stale_access", 24,
                                           ["task_migrate", "tlbsync", "tlb_finish_mmu", "user_access"]),
    "invlpgb_reset_no_flush.py": ("invlpgb_reset_no_flush", "b_no_stale_access", 7,
                                  ["b_tlb_fill", "b_destroy_context", "b_use_global_asid", "b_destroy_context",
                                   "b_use_global_asid_reset", "b_access"]),
    "invlpgb_free_skips_freed_bitmap.py": ("invlpgb_free_skips_freed_bitmap", "b_no_stale_access", 5,
                                           ["b_tlb_fill", "b_destroy_context", "b_use_global_asid", "b_access"]),
    "invlpgb_kernel_range_no_globals.py": ("invlpgb_kernel_range_no_globals", "no_stale_kernel_access", 8,
                                           ["kernel_tlb_fill", "vunmap", "flush_tlb_kernel_range",
                                            "invlpgb_invalidate", "tlbsync", "tlb_finish_mmu", "kernel_access"]),
    "invlpgb_reclaim_by_ipi.py": ("invlpgb_reclaim_by_ipi", "no_stale_access", 24,
                                  ["leave_lazy", "tlb_fill", "try_to_unmap_one", "arch_tlbbatch_add_pending",
                                   "arch_tlbbatch_flush", "ipi_send", "flush_tlb_func", "tlb_finish_mmu",
                                   "user_access"]),
    "invlpgb_targeted_reclaim_no_switch_tlbsync.py": ("invlpgb_targeted_reclaim_no_switch_tlbsync",
                                                      "no_stale_access", 25,
                                                      ["tlb_fill", "try_to_unmap_one", "arch_tlbbatch_add_pending",
                                                       "task_migrate_reclaim", "arch_tlbbatch_flush",
                                                       "tlb_finish_mmu", "user_access"]),
    "invlpgb_final_only_freed_tables.py": ("invlpgb_final_only_freed_tables", "no_freed_table_walk", 14,
                                           ["leave_lazy", "tlb_fill", "munmap", "inc_mm_tlb_gen",
                                            "invlpgb_invalidate", "tlbsync", "tlb_finish_mmu", "tlb_fill_cached"]),
    "invlpgb_pti_kernel_pcid_only.py": ("invlpgb_pti_kernel_pcid_only", "no_stale_access", 14,
                                        ["tlb_fill_user", "madvise_dontneed", "inc_mm_tlb_gen", "invlpgb_invalidate",
                                         "tlbsync", "tlb_finish_mmu", "user_access"]),
    "invlpgb_finish_no_switching_wait.py": ("invlpgb_finish_no_switching_wait", "no_stale_access", 28,
                                            ["switch_mm_begin", "finish_asid_transition_cpu",
                                             "mm_clear_asid_transition", "tlbsync", "tlb_finish_mmu",
                                             "user_access"]),
}


@pytest.mark.parametrize("spec", sorted(BUGS))
def test_broken_variant_found_by_both_engines(spec):
    """The shortest trace, the same length and actions on the reference and the fast backend, with
    the steps a reviewer recognises in order."""
    name, invariant, length, story = BUGS[spec]
    assert_shortest_trace_on_both_engines(spec_path("bugs", spec), name, invariant, length, story)


@pytest.mark.parametrize("spec", sorted(s for s, (_, _, length, _) in BUGS.items() if length > FULL_DEPTH))
def test_bmc_finds_the_variant_at_the_same_depth(spec):
    """Z3 BMC at the explicit search's shortest length finds a violation of that length and
    invariant; BMC asks every shallower depth first, so none is shorter (2-30 s each:
    docs/adequacy.md's BMC table). The variants of at most FULL_DEPTH steps are tests/test_bmc.py's,
    which runs every bug spec that deep the same way."""
    name, invariant, length, _ = BUGS[spec]
    assert_bmc_finds_at_depth(spec_path("bugs", spec), name, invariant, length)


def test_bmc_finds_nothing_shorter():
    """One step less than the shortest trace: Z3 finds no violation (the explicit length is minimal)."""
    name, _, length, _ = BUGS["invlpgb_should_flush_switching.py"]
    r = run_named(spec_path("bugs", "invlpgb_should_flush_switching.py"), name, backend="smt", depth=length - 1)
    assert r.violation is None
