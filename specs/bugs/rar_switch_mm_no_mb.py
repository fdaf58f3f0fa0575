"""RAR under x86-TSO with switch_mm_irqs_off's smp_mb() dropped: the transition ends with a CPU on its dynamic ASID.

switch_mm_irqs_off stores loaded_mm = LOADED_MM_SWITCHING, then (its cpumask bit already set) runs
smp_mb() before it reads global_asid in choose_new_asid (v6.15 arch/x86/mm/tlb.c; the RAR RFC keeps
it). Without it (switch_mb=False, memory="tso") the SWITCHING store still sits in the store buffer when
the CPU reads the old global_asid == 0 and loads its dynamic ASID, while finish_asid_transition reads
the old loaded_mm from memory, skips the CPU and clears asid_transition. A RAR invalidates the global
PCID only, so the CPU's dynamic-ASID entry survives the next flush and the freed frame is used.
"""
from checker.spec import Check
from protocols.rar import PROTOCOL

# the missed flush also leaves a CPU's dynamic slot marked behind once all is quiet (caught_up_when_settled);
# the story is the stale access, so that bookkeeping invariant is left out here
STORY = ("no_stale_access", "gathered_in_batch", "rar_dest_in_call", "asid_lock_in_assign", "caught_up_slot_clean",
         "initiator_keeps_mm")
CHECK = Check(PROTOCOL, name="rar_switch_mm_no_mb", cpus=2, initiators=1, pages=1, rounds=2, memory="tso",
              switch_mb=False, expect="violates no_stale_access", liveness=False, invariants=STORY)
