"""B3 — tlb_remove_table() batch-failure path frees the table before any TLB invalidation.

Jann Horn's "tlb-fixes" (v4.19-rc1): "x86 was missing required TLB invalidates when he hit
the !*batch slow path in tlb_remove_table()". When no batch page can be allocated,
tlb_remove_table_one() does an IPI sync (tlb_remove_table_sync_one: it waits for lockless
walkers such as GUP-fast) and frees the page table at once — but the sync flushes no TLB or
paging-structure cache, so a CPU can still walk into the freed table. Fix d86564a2f085
"mm/tlb, x86/mm: Support invalidating TLB caches for RCU_TABLE_FREE": invalidate first
(tlb_table_invalidate). Undone here: table_invalidate=False.
"""
from checker.spec import Check
from protocols.hyperv import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, callers=("munmap",), table_free="sync_one",
              table_invalidate=False, expect="violates no_freed_table_walk")
FIXED = Check(PROTOCOL, name="b3_fixed", cpus=2, pages=1, rounds=1, callers=("munmap",),
              table_free="sync_one", expect="holds")
