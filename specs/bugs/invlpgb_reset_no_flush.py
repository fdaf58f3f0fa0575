"""reset_global_asid_space without its flush: a freed global ASID reused with the old owner's TLB entries.

arch/x86/mm/tlb.c (v6.15): when allocate_global_asid's cursor reaches the edge of the global ASID
space it calls reset_global_asid_space, which runs invlpgb_flush_all_nonglobals (INVLPGB on every
PCID, then TLBSYNC) before it moves the freed ASIDs back into the free pool: "a freed global ASID
is never handed out again before a system-wide flush" (broadcast_flush.md §2). Without the flush
(reset_flushes=False) an exited mm's translation, cached under the global PCID it held before
destroy_context, is still in a TLB when the PCID is handed out again. The shortest trace: a CPU caches
B's page under the first global ASID; B exits; the next B takes the second ASID (the cursor reaches the
edge) and exits; the third B's allocation resets the space without the flush, is given the first ASID
again and reads the first B's page (b_no_stale_access, 7 steps). This mm, given that PCID the same way,
uses B's page through its own switch onto the global ASID (no_stale_access, 21 steps).
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL

CHECK = Check(PROTOCOL, name="invlpgb_reset_no_flush", cpus=2, initiators=1, pages=1, rounds=1, allocator=True,
              reset_flushes=False, expect="violates b_no_stale_access", liveness=False)
