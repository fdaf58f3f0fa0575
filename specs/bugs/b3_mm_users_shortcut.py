"""B3 (second half) — tlb_remove_table() frees at once when mm_users < 2, ignoring lazy users.

Same series (v4.19-rc1), "mm/tlb: Remove tlb_remove_table() non-concurrent condition" (Will
Deacon): tlb_remove_table() skipped the RCU/IPI protocol and freed the page table
immediately when `atomic_read(&mm->mm_users) < 2`, reasoning that no other thread can walk
it. A CPU that borrows the mm lazily (a kernel thread: mm_count, not mm_users) still has the
CR3 and its paging-structure caches, and walks into the freed table. Undone here:
mm_users_shortcut=True.
"""
from checker.spec import Check
from protocols.hyperv import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, callers=("munmap",), mm_users_shortcut=True,
              expect="violates no_freed_table_walk")
