"""B17: reclaim discards a clean MADV_FREE page while a direct-IO read holds it (6c8e2a256915, v5.18).

A lazyfree page (madvise_free_pte_range cleaned its PTE and cleared PG_swapbacked) is clean, so
reclaim may drop it instead of writing it out: mm/rmap.c: try_to_unmap_one clears the PTE and,
before 6c8e2a256915 ("mm: fix race between MADV_FREE reclaim and blkdev direct IO read",
Mauricio Faria de Oliveira, 2022), discarded the page whenever it was not dirty. But a direct-IO
read (block/fops.c: __blkdev_direct_IO) pins its user buffer with GUP-fast (gup_pte_range:
read the PTE, try_grab_folio, reread the PTE) and then lets the device write the page, which
marks neither the PTE nor the folio dirty: the data lands in a frame the mm no longer maps, and
the task reads zeroes at that page. The fix discards only when `ref_count == 1 + map_count`
(no reference beside the isolation's and the mappings'), else maps the page back.

The fix also puts an smp_mb() between the PTE clear and the refcount read, pairing with GUP's
"increment refcount, barrier, reread PTE". The model is sequentially consistent and the check is
a step after the clear, so it shows the check's order with the barrier; on x86 the clear is an
xchg (ptep_get_and_clear), itself a full barrier; a variant without the barrier would need a
store buffer on reclaim's PTE clear (arm64, where the bug was seen) and is left out.

Bounds: one initiator doing MADV_FREE and then reclaim of its page (rounds=2), two CPUs, one
page; the direct IO is the third party. The fixed model beside it holds; tlb_gen_dio_2cpus in
specs/tlb_gen.py is the same.
"""
from checker.spec import Check
from protocols.tlb_gen import PROTOCOL

BOUNDS = dict(cpus=2, initiators=1, pages=1, rounds=2, madv_free=True, reclaim=True, dio=True)
CHECK = Check(PROTOCOL, name="b17_madv_free_dio", **BOUNDS, lazyfree_ref_check=False,
              expect="violates no_lost_dio_read", liveness=False)
FIXED = Check(PROTOCOL, name="b17_madv_free_dio_fixed", **BOUNDS, expect="holds")
