"""fea4e317f9e7 undone: should_flush_tlb skips a CPU inside switch_mm_irqs_off.

"x86/mm: Eliminate window where TLB flushes may be inadvertently skipped" (Dave Hansen, v6.15-rc,
Fixes 6db2526c1d69): between load_new_mm_cr3 (no flush: the slot was caught up with the generation
read before the initiator's inc_mm_tlb_gen) and loaded_mm = next, should_flush_tlb saw a loaded_mm
that is not the mm and suppressed the IPI. Found on the IPI path that precedes the global ASID
(should_flush_switching=False): the switching CPU caches the page, the initiator skips it, frees the
frame, and the CPU's user access goes through the entry.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL

# the missed flush also leaves a CPU's ctxs[].tlb_gen behind once all is quiet (caught_up_when_settled, a
# step or two earlier); the story is the stale access, so that bookkeeping invariant is left out here
STORY = ("no_stale_access", "gathered_in_batch", "caught_up_slot_clean", "slot_gen_not_ahead", "asid_lock_in_assign",
         "initiator_keeps_mm")
CHECK = Check(PROTOCOL, name="invlpgb_should_flush_switching", cpus=2, initiators=1, pages=1, rounds=1,
              should_flush_switching=False, expect="violates no_stale_access", liveness=False,
              invariants=STORY)
