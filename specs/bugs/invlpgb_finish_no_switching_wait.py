"""finish_asid_transition without its wait on LOADED_MM_SWITCHING.

arch/x86/mm/tlb.c: finish_asid_transition (v6.15) spins while a CPU's loaded_mm is
LOADED_MM_SWITCHING: that CPU may have read global_asid before it was set and be about to load CR3
with a dynamic ASID. Without the wait (finish_waits_switching=False) the CPU is skipped as "not
running the mm", asid_transition is cleared, and the CPU then runs the mm on its dynamic ASID, which
INVLPGB on the global PCID never reaches: after the next broadcast flush frees the frame its old
translation is still used.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL, STALE_ACCESS_STORY

# the story is the stale access (protocols/invlpgb.py: STALE_ACCESS_STORY)
CHECK = Check(PROTOCOL, name="invlpgb_finish_no_switching_wait", cpus=2, initiators=1, pages=1, rounds=2,
              finish_waits_switching=False, expect="violates no_stale_access", liveness=False,
              invariants=STALE_ACCESS_STORY)
