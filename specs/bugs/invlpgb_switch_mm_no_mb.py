"""switch_mm_irqs_off without the smp_mb() between loaded_mm = SWITCHING and reading global_asid (x86-TSO).

With the v6.x lazy mm_cpumask the bit is usually already set, so switch_mm_irqs_off's ordering comes
from smp_mb() (v6.15, arch/x86/mm/tlb.c). It pairs with the initiator's inc_mm_tlb_gen (a full
barrier) before finish_asid_transition / should_flush_tlb read the remote loaded_mm: a store-buffer
pattern (broadcast_flush.md §5). Dropped (switch_mb=False, memory="tso"), the SWITCHING store still
sits in the store buffer when the CPU reads the old global_asid / tlb_gen, and the initiator reads the
old loaded_mm from memory: each misses the other.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL, STALE_ACCESS_STORY

# the story is the stale access (protocols/invlpgb.py: STALE_ACCESS_STORY)
CHECK = Check(PROTOCOL, name="invlpgb_switch_mm_no_mb", cpus=2, initiators=1, pages=1, rounds=2, memory="tso",
              switch_mb=False, expect="violates no_stale_access", liveness=False,
              invariants=STALE_ACCESS_STORY)
