"""B16 — the TLB flush of a zap comes after the page-table lock is dropped.

Commit 1cf35d47712d "mm: split 'tlb_flush_mmu()' into tlb flushing and memory freeing parts"
(Linus Torvalds, 2014): zapping a dirty shared page moved its dirty bit to the struct page,
but the TLB flush happened only after the PTL was released. page_mkclean() could then take
the PTL, find no PTE, and let writeback clean the page while another CPU still had a
writable, dirty TLB entry for it: its later writes went to a "clean" page and were lost.
The fix flushes the TLB while the PTL is held and frees the pages afterwards. Undone here:
flush_under_ptl=False.
"""
from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, callers=("writeback",), flush_under_ptl=False,
              expect="violates no_lost_write")
FIXED = Check(PROTOCOL, name="b16_fixed", cpus=2, pages=1, rounds=1, callers=("writeback",),
              expect="holds")
