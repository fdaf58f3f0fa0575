"""B16 — the TLB flush of a zap comes after the page-table lock is dropped.

Commit 1cf35d47712d "mm: split 'tlb_flush_mmu()' into tlb flushing and memory freeing parts"
(Linus Torvalds, 2014): zapping a dirty shared page moved its dirty bit to the struct page,
but the TLB flush happened only after the PTL was released. page_mkclean() could then take
the PTL, find no PTE, and let writeback clean the page while another CPU still had a
writable, dirty TLB entry for it: its later writes went to a "clean" page and were lost.
The fix flushes the TLB while the PTL is held (zap_pte_range: "Do the actual TLB flush before
dropping ptl", then pte_unmap_unlock, then free). Undone here: flush_under_ptl=False, the PTL
is dropped right after the zap. Trace: CPU 1 caches the page, CPU 0 zaps under the PTL and
drops it, writeback cleans the page, CPU 1 writes through its TLB entry.
"""
from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, callers=("writeback",), flush_under_ptl=False,
              expect="violates no_lost_write")
# writeback only: MADV_DONTNEED frees no page table, so no_freed_table_walk has nothing to check
FIXED = Check(PROTOCOL, name="b16_fixed", cpus=2, pages=1, rounds=1, callers=("writeback",),
              invariants=["no_stale_access", "flush_info_live", "nmi_uaccess_safe", "no_lost_write"],
              expect="holds")
