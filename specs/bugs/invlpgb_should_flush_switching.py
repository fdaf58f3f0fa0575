"""fea4e317f9e7 undone: should_flush_tlb skips a CPU inside switch_mm_irqs_off.

"x86/mm: Eliminate window where TLB flushes may be inadvertently skipped" (Dave Hansen, v6.15-rc,
Fixes 6db2526c1d69): between load_new_mm_cr3 (no flush: the slot was caught up with the generation
read before the initiator's inc_mm_tlb_gen) and loaded_mm = next, should_flush_tlb saw a loaded_mm
that is not the mm and suppressed the IPI. Found on the IPI path that precedes the global ASID
(should_flush_switching=False): the switching CPU caches the page, the initiator skips it, frees the
frame, and the CPU's user access goes through the entry.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL, STALE_ACCESS_STORY

# the story is the stale access (protocols/invlpgb.py: STALE_ACCESS_STORY)
CHECK = Check(PROTOCOL, name="invlpgb_should_flush_switching", cpus=2, initiators=1, pages=1, rounds=1,
              should_flush_switching=False, expect="violates no_stale_access", liveness=False,
              invariants=STALE_ACCESS_STORY)
