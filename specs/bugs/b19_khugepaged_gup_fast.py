"""B19 — khugepaged frees a PTE table that GUP-fast may still be walking.

Commit 2ba99c5e0881 "mm/khugepaged: fix GUP-fast interaction by sending IPI" (Jann Horn,
2022): GUP-fast walks page tables locklessly with IRQs off, relying on the TLB-flush IPI to
wait for it before a table is freed. Where the flush sends no IPI to that CPU — a
paravirtual or hypercall flush (Hyper-V here) — collapse_huge_page() freed the old PTE table
right after pmdp_collapse_flush() while GUP-fast was still reading it. The fix adds
tlb_remove_table_sync_one() before pte_free(). Undone here: collapse_sync=False.
"""
from checker.spec import Check
from protocols.hyperv import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, callers=("khugepaged",), collapse_sync=False,
              expect="violates no_freed_table_walk")
FIXED = Check(PROTOCOL, name="b19_fixed", cpus=2, pages=1, rounds=1, callers=("khugepaged",),
              expect="holds", dead_ok={
                  "tlb_finish_mmu": "khugepaged only: collapse_huge_page frees the table itself"})
