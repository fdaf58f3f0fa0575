"""Broadcast TLB flushing with global ASIDs: AMD INVLPGB + TLBSYNC as merged in v6.15.

protocols/invlpgb.py: an mm flushed by IPIs gets a global ASID on the flush path
(consider_global_asid); its later flushes are an INVLPGB on that PCID and a TLBSYNC that waits
for the issuing CPU's own invalidation only; while CPUs still run the mm on dynamic ASIDs
(asid_transition), finish_asid_transition IPIs the mask until every CPU running the mm has
moved onto the global ASID. Further checks switch on the global-ASID allocator with a second mm,
reclaim (merged, and the unmerged targeted variant) and the kernel-range entry points. The broken
variants are in specs/bugs/invlpgb_*.py.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL

# one initiator, two operations: the first goes by IPI and assigns the global ASID, the second is
# broadcast and finishes the transition; two VAs, two frames
INVLPGB_2CPUS = Check(PROTOCOL, name="invlpgb_2cpus", cpus=2, initiators=1, pages=2, rounds=2,
                      expect="holds")
# two initiators at once: one assigns the global ASID while the other flushes
INVLPGB_2INITIATORS = Check(PROTOCOL, name="invlpgb_2initiators", cpus=2, initiators=2, pages=2, rounds=1,
                            expect="holds")
# three CPUs (one VA: at two VAs the search passes 122 M states in 10 minutes without finishing)
INVLPGB_3CPUS = Check(PROTOCOL, name="invlpgb_3cpus", cpus=3, initiators=1, pages=1, rounds=2,
                      expect="holds")
# the transition at two VAs: the mm starts just after mm_assign_global_asid (asid_transition set, every
# CPU still on its dynamic ASID); its one flush is broadcast and finish_asid_transition IPIs the mask
# (benchmarks/global_asid.py runs it at three CPUs, with liveness)
_ASSIGNED = "the mm starts with its global ASID assigned: no second assignment"
INVLPGB_TRANSITION = Check(PROTOCOL, name="invlpgb_transition", cpus=2, initiators=1, pages=2, rounds=1,
                           assigned_at_start=True, expect="holds",
                           dead_ok={**{a: _ASSIGNED for a in ("use_global_asid", "mm_assign_publish",
                                                              "consider_global_asid_skip")},
                                    "ipi_skip": "every IPI is the transition's, to the whole mask"})
# x86-TSO: loaded_mm through the store buffer, switch_mm_irqs_off's smp_mb() before global_asid is read
INVLPGB_TSO = Check(PROTOCOL, name="invlpgb_tso", cpus=2, initiators=1, pages=1, rounds=2, memory="tso",
                    expect="holds")
# the smallest holding check (one VA, two flushes by one initiator): what `mutate` runs on
INVLPGB_SMALL = Check(PROTOCOL, name="invlpgb_small", cpus=2, initiators=1, pages=1, rounds=2,
                      expect="holds")
# the global-ASID allocator and a second mm: B holds the first global ASID, caches its translation
# under it and is destroyed (mm_free_global_asid: the freed bitmap); a new B takes the second (the
# cursor at the edge); this mm's allocation then runs reset_global_asid_space (INVLPGB on every PCID,
# TLBSYNC) and reuses B's first PCID
INVLPGB_ALLOCATOR = Check(PROTOCOL, name="invlpgb_allocator", cpus=2, initiators=1, pages=1, rounds=2,
                          allocator=True, expect="holds")
# the same with three global ASIDs: a B allocates after this mm's allocation, so this mm's used bit, the
# count and the freed bitmap are read again; the cursor can also stand below the top with every ASID above
# it taken while one freed below it is available: v6.15 then hands out MAX_ASID_AVAILABLE (asid_past_the_end)
INVLPGB_ALLOCATOR_3ASIDS = Check(PROTOCOL, name="invlpgb_allocator_3asids", cpus=2, initiators=1, pages=1, rounds=2,
                                 allocator=True, global_asids=3, expect="holds")
# the same with one operation: this mm's one flush allocates and assigns its global ASID (the allocator's
# every cover is reached, the reset and MAX_ASID_AVAILABLE included), but nothing broadcasts after it. A
# twentieth the states, so `mutate` runs the allocator's actions here and escalates to the check above
ONE_OP = "one operation from dynamic ASIDs: its flush assigns the global ASID by IPIs; no flush broadcasts after it"
INVLPGB_ALLOCATOR_3ASIDS_SMALL = Check(
    PROTOCOL, name="invlpgb_allocator_3asids_small", cpus=2, initiators=1, pages=1, rounds=1, allocator=True,
    global_asids=3, expect="holds",
    dead_ok={a: ONE_OP for a in ("finish_asid_transition_cpu", "mm_clear_asid_transition", "tlbsync")},
    uncovered_ok={c: ONE_OP for c in ("invlpgb_in_flight", "tlbsync_waits", "dynamic_asid_in_transition",
                                      "transition_ipi", "transition_finished", "lazy_cpu_reached_by_invlpgb",
                                      "ipi_send__lazy_in_transition")})
# reclaim as merged (v6.15): try_to_unmap_one, arch_tlbbatch_add_pending (inc_mm_tlb_gen), and
# arch_tlbbatch_flush's invlpgb_flush_all_nonglobals (every PCID, then TLBSYNC); the first operation
# (MADV_DONTNEED or reclaim, a free choice) may assign the global ASID
INVLPGB_RECLAIM = Check(PROTOCOL, name="invlpgb_reclaim", cpus=2, initiators=1, pages=1, rounds=2,
                        reclaim="merged", expect="holds")
# the unmerged targeted reclaim (series v9-v14): a per-page INVLPGB on the global PCID at
# arch_tlbbatch_add_pending, its TLBSYNC deferred to arch_tlbbatch_flush or the context switch
# (need_tlbsync), the task free to migrate in between; three operations, so that the third finds the
# transition finished and sends no IPI
INVLPGB_TARGETED_RECLAIM = Check(PROTOCOL, name="invlpgb_targeted_reclaim", cpus=2, initiators=1, pages=1,
                                 rounds=3, reclaim="targeted", expect="holds")
# the same at two VAs: the per-page INVLPGB flushes the page try_to_unmap_one recorded, not the other
INVLPGB_TARGETED_RECLAIM_2VAS = Check(PROTOCOL, name="invlpgb_targeted_reclaim_2vas", cpus=2, initiators=1,
                                      pages=2, rounds=3, reclaim="targeted", expect="holds")
# munmap with free_pgtables beside MADV_DONTNEED: the PTE-table page is detached and freed with the frames;
# paging-structure caches per CPU and PCID; the flush says freed_tables, so the INVLPGB is not final-only and
# the IPIs (before the global ASID, and the transition's) reach lazy CPUs too
INVLPGB_MUNMAP = Check(PROTOCOL, name="invlpgb_munmap", cpus=2, initiators=1, pages=1, rounds=2, munmap=True,
                       expect="holds")
# page-table isolation: user mode on the user PCIDs; a dynamic slot's flush marks its user PCID for the
# return to user, broadcast_tlb_flush's second INVLPGB flushes the global ASID's user PCID
INVLPGB_PTI = Check(PROTOCOL, name="invlpgb_pti", cpus=2, initiators=1, pages=1, rounds=2, pti=True, expect="holds")
# kernel mappings: an initiator may vunmap a vmalloc'd page (a global TLB entry on every CPU) and
# flush it with flush_tlb_kernel_range (INVLPGB with globals) or, for a range flushed whole,
# flush_tlb_all (invlpgb_flush_all), then TLBSYNC, then vfree
INVLPGB_KERNEL = Check(PROTOCOL, name="invlpgb_kernel", cpus=2, initiators=1, pages=1, rounds=2,
                       kernel_flush=True, expect="holds")
# the same with both CPUs initiators (symmetric): any CPU may vunmap, as in the kernel, so the vunmap is not
# bound to CPU 0 (what `mutate` runs the kernel flush's actions on)
INVLPGB_KERNEL_2INITIATORS = Check(PROTOCOL, name="invlpgb_kernel_2initiators", cpus=2, initiators=2, pages=1,
                                   rounds=2, kernel_flush=True, expect="holds")
