"""CVE-2018-18281: mremap flushes the old VA after dropping the PTL; ftruncate frees the page first.

mm/mremap.c: move_ptes moves each PTE from the old VA to the new one under the page-table lock(s).
Before eb66ae030829 ("mremap: properly flush TLB before releasing the page", Linus Torvalds,
v4.20-rc1; reported by Jann Horn) it dropped the PTL and left the flush of the old range to
move_page_tables, after the loop. In between, a truncation of the file behind the mapping
(unmap_mapping_range, which takes the file's i_mmap lock and the PTL but not mmap_lock) can zap
the page at its new VA, flush that VA only, and free the page, while another CPU still translates
the OLD VA to it: a use-after-free through a stale TLB entry. The fix flushes the old range in
move_ptes, before pte_unmap_unlock, when it moved a present PTE ("the new [PTL] to make sure the
physical page stays valid until the TLB entry for the old mapping has been flushed").

Here (mremap_flush_under_ptl=False): CPU 1 moves page 0 to the unmapped VA 1 and drops the PTL;
CPU 0, which caches the old VA, truncates: it zaps VA 1, flushes VA 1 only (a partial flush:
exactly one generation outstanding) and frees the frame; its next access to VA 0 uses the freed
frame. The fixed model beside it is `tlb_gen_mremap_2cpus` in specs/tlb_gen.py (three pages, so
that its cover properties are reachable; two suffice for the bug).
"""
from checker.spec import Check
from protocols.tlb_gen import PROTOCOL

CHECK = Check(PROTOCOL, name="mremap_flush_after_ptl", cpus=2, initiators=2, pages=2, mremap=True,
              mremap_flush_under_ptl=False, expect="violates no_stale_access", liveness=False)
