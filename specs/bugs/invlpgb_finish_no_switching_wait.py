"""finish_asid_transition without its wait on LOADED_MM_SWITCHING.

arch/x86/mm/tlb.c: finish_asid_transition (v6.15) spins while a CPU's loaded_mm is
LOADED_MM_SWITCHING: that CPU may have read global_asid before it was set and be about to load CR3
with a dynamic ASID. Without the wait (finish_waits_switching=False) the CPU is skipped as "not
running the mm", asid_transition is cleared, and the CPU then runs the mm on its dynamic ASID, which
INVLPGB on the global PCID never reaches: after the next broadcast flush frees the frame its old
translation is still used.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL

# the missed flush also leaves a CPU's ctxs[].tlb_gen behind once all is quiet (caught_up_when_settled, a
# step or two earlier); the story is the stale access, so that bookkeeping invariant is left out here
STORY = ("no_stale_access", "gathered_in_batch", "caught_up_slot_clean", "slot_gen_not_ahead", "asid_lock_in_assign",
         "initiator_keeps_mm")
CHECK = Check(PROTOCOL, name="invlpgb_finish_no_switching_wait", cpus=2, initiators=1, pages=1, rounds=2,
              finish_waits_switching=False, expect="violates no_stale_access", liveness=False,
              invariants=STORY)
