"""Two CPUs unmap and flush one mm at once; flush_tlb_func's generation rule keeps it safe.

The reference's concurrent-flusher case (linux_tlb_protocols.md §7): three CPUs, two of them
initiators, one range flush and one TLB_FLUSH_ALL (a range over the single-page ceiling), each
CPU free to take the two requests in either order. Both forms of the rule hold: v5.13's and
v5.19's (new_tlb_gen <= local_tlb_gen returns first). specs/bugs/tlb_gen_partial_*.py break
each conjunct of the partial-flush condition.
"""
from checker.spec import Check
from protocols.tlb_gen import PROTOCOL

# leads-to needs the whole graph (1,864,569 states here): flush_completes runs on the 2-CPU checks
V6 = Check(PROTOCOL, name="tlb_gen_v6", cpus=3, initiators=2, pages=2, rule="v6", expect="holds",
           liveness=False)
V5 = Check(PROTOCOL, name="tlb_gen_v5", cpus=3, initiators=2, pages=2, rule="v5", expect="holds",
           liveness=False)
V6_2CPUS = Check(PROTOCOL, name="tlb_gen_v6_2cpus", cpus=2, initiators=2, pages=2, rule="v6",
                 expect="holds")
V5_2CPUS = Check(PROTOCOL, name="tlb_gen_v5_2cpus", cpus=2, initiators=2, pages=2, rule="v5",
                 expect="holds")
# PCID: two ASID slots per CPU and another mm competing for them; a CPU that switched away keeps
# this mm's old entries in its slot, caught up by the generation check when it switches back
# (specs/bugs/pcid_switch_without_gen_check.py leaves that check out; 3 CPUs: README "Performance")
PCID_2CPUS = Check(PROTOCOL, name="tlb_gen_pcid_2cpus", cpus=2, initiators=2, pages=2, asids=2,
                   expect="holds")
# three processes on three slots: a third mm the CPUs switch to, so that choose_new_asid's round-robin cursor
# hands out more than one slot, and no_slot_taken_over (PCID's purpose) has something to say (one initiator:
# 43,101 states, small enough to mutate the ASID switch whole)
PCID_3MMS_2CPUS = Check(PROTOCOL, name="tlb_gen_pcid_3mms_2cpus", cpus=2, initiators=1, pages=2, asids=3, mms=3,
                        expect="holds")
# the same with the other processes as an adversary: they move choose_new_asid's cursor and take over any
# slot, this mm's too (525,518 states: 9.4x the deterministic cursor's, which assumes only two mms run)
PCID_OTHER_MMS_2CPUS = Check(PROTOCOL, name="tlb_gen_pcid_other_mms_2cpus", cpus=2, initiators=2, pages=2,
                             asids=2, other_mms=True, expect="holds")
# reclaim beside MADV_DONTNEED: try_to_unmap_one moves the generation, arch_tlbbatch_flush carries
# none (TLB_GENERATION_INVALID); specs/bugs/v519_reclaim_flush_skipped.py is the v5.19-rc bug
RECLAIM_2CPUS = Check(PROTOCOL, name="tlb_gen_reclaim_2cpus", cpus=2, initiators=2, pages=2, reclaim=True,
                      expect="holds")
# (at 3 CPUs: 14,181,786 orbits in 22 s, README "Performance"; left out of the gate for CI time)
# MADV_FREE beside MADV_DONTNEED and reclaim: madvise_free_pte_range cleans the PTE and flushes, so
# that no TLB entry caching D=1 lets a later store skip the PTE; reclaim discards a clean lazyfree
# page and maps a redirtied one back (one page: MADV_FREE and reclaim meet on it)
MADV_FREE_2CPUS = Check(PROTOCOL, name="tlb_gen_madv_free_2cpus", cpus=2, initiators=2, pages=1,
                        madv_free=True, reclaim=True, expect="holds")
# the same with two operations each: a reclaim that kept the redirtied page is followed by one that swaps
# it out (kept_page_swapped_out; mutate --escalate tlb_gen_madv_free_2rounds kills what only that reads)
MADV_FREE_2ROUNDS = Check(PROTOCOL, name="tlb_gen_madv_free_2rounds", cpus=2, initiators=2, pages=1, rounds=2,
                          madv_free=True, reclaim=True, expect="holds")
# B17's fixed model: a direct-IO read pins the page (gup_fast) while one initiator does MADV_FREE
# and then reclaims it; specs/bugs/b17_madv_free_dio.py drops the refcount check
DIO_2CPUS = Check(PROTOCOL, name="tlb_gen_dio_2cpus", cpus=2, initiators=1, pages=1, rounds=2,
                  madv_free=True, reclaim=True, dio=True, expect="holds")
# mremap beside MADV_DONTNEED and ftruncate, with the PTL and mmap_lock: move_ptes flushes the old VA
# before dropping the PTL, so a truncation that zaps the new VA (no mmap_lock) cannot free the page
# while a CPU still translates the old VA (specs/bugs/mremap_flush_after_ptl.py: CVE-2018-18281).
# Three pages: two mapped, the last the new VA, so that two flushes can still overlap
MREMAP_2CPUS = Check(PROTOCOL, name="tlb_gen_mremap_2cpus", cpus=2, initiators=2, pages=3, mremap=True,
                     expect="holds")
# the same with two operations each (20,017,353 states, 26 s on the fast backend with symmetry; leads-to left
# to the 2-CPU check above): a mremap back from the new VA, then a third operation, so the new VA's flush
# range is read (mutate --escalate tlb_gen_mremap_2rounds kills what only that reads)
MREMAP_2ROUNDS = Check(PROTOCOL, name="tlb_gen_mremap_2rounds", cpus=2, initiators=2, pages=3, mremap=True, rounds=2,
                       expect="holds", liveness=False)
# page migration beside MADV_DONTNEED: try_to_migrate_one flushes before move_to_new_page copies
# (specs/bugs/migrate_copy_before_flush.py copies first)
MIGRATE_2CPUS = Check(PROTOCOL, name="tlb_gen_migrate_2cpus", cpus=2, initiators=2, pages=2, migrate=True,
                      expect="holds")
# the call_single_queue in order (csd_fifo): with two initiators a third CPU holds both csds and runs
# the older first (llist_add, then llist_reverse_order). At 2 CPUs no queue holds two csds, so the
# check is at 3, on the fast backend (1,950,593 states: the queue head is state of its own); the
# partial-flush bugs stay found in this order (tests/test_tlb_gen.py)
FIFO = Check(PROTOCOL, name="tlb_gen_csd_fifo", cpus=3, initiators=2, pages=2, csd_fifo=True, expect="holds",
             liveness=False)
# munmap with free_pgtables beside MADV_DONTNEED: the PTE-table page is detached, flushed with
# freed_tables (lazy CPUs too: their speculative walks go through the paging-structure cache) and
# freed with the pages; specs/bugs/b1_lazy_cpu_table_free.py's tlb_gen check skips lazy CPUs
MUNMAP_2CPUS = Check(PROTOCOL, name="tlb_gen_munmap_2cpus", cpus=2, initiators=2, pages=2, munmap=True,
                     expect="holds")
# PTI beside the generation rule: each flush of a slot marks its user PCID (invalidate_user_asid), and
# the return to user flushes it; specs/bugs/pti_user_asid_not_invalidated.py leaves the mark out
PTI_2CPUS = Check(PROTOCOL, name="tlb_gen_pti_2cpus", cpus=2, initiators=2, pages=2, pti=True, expect="holds")
# device migration (migrate_vma_setup/_pages/_finalize) beside a direct IO: a folio the IO pins is not
# migrated (migrate_vma_check_page) and gets its old PTE back; specs/bugs/migrate_pinned_folio.py
# leaves the check out, and the IO's data lands in the frame migration copied away
MIGRATE_DIO_2CPUS = Check(PROTOCOL, name="tlb_gen_migrate_device_dio_2cpus", cpus=2, initiators=1, pages=2,
                          migrate=True, migrate_kind="device", dio=True, expect="holds")
