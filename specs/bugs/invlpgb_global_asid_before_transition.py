"""mm_assign_global_asid with its two stores swapped: global_asid before asid_transition.

arch/x86/include/asm/tlbflush.h: mm_assign_global_asid (v6.15) stores asid_transition = true and
then smp_store_release(global_asid), so that a flusher that sees the global ASID (smp_load_acquire)
also sees the transition and runs finish_asid_transition. Swapped (transition_first=False), a second
initiator sees the global ASID but no transition: it issues INVLPGB on the global PCID only, skips
finish_asid_transition, TLBSYNCs and frees, while a CPU still runs the mm on its dynamic ASID with the
old translation.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL, STALE_ACCESS_STORY

# the story is the stale access (protocols/invlpgb.py: STALE_ACCESS_STORY)
CHECK = Check(PROTOCOL, name="invlpgb_global_asid_before_transition", cpus=2, initiators=2, pages=2, rounds=1,
              transition_first=False, expect="violates no_stale_access", liveness=False,
              invariants=STALE_ACCESS_STORY)
