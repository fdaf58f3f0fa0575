"""mm_free_global_asid puts the ASID straight back into the free pool (the freed bitmap skipped).

arch/x86/mm/tlb.c (v6.15): mm_free_global_asid, at destroy_context, only sets the ASID's bit in
global_asid_freed ("The global ASID can be re-used only after flush at wrap-around"); the bit in
global_asid_used is cleared by reset_global_asid_space after its flush of every PCID. Clearing the
used bit at once (freed_bitmap=False) lets allocate_global_asid, whose search starts at
last_global_asid (the ASID just freed), hand the same PCID out again with no flush. The shortest trace:
a CPU caches B's page under B's global PCID; B exits and is destroyed; the next mm B gets the same PCID
and its access goes through the earlier B's translation (b_no_stale_access, 5 steps). The same reuse
by this mm, through its own flush path, takes 18 steps.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL

CHECK = Check(PROTOCOL, name="invlpgb_free_skips_freed_bitmap", cpus=2, initiators=1, pages=1, rounds=1,
              allocator=True, freed_bitmap=False, expect="violates b_no_stale_access", liveness=False)
