"""Page migration copying the page before the old translation is flushed (a deliberate mis-order).

mm/rmap.c: try_to_migrate_one replaces the PTE with a migration entry and flushes it
(ptep_clear_flush; since v6.4 the batched try_to_unmap_flush, also before the move) before
mm/migrate.c: move_to_new_page copies the data: a CPU that still translates the page to the old
frame could otherwise store to it after the copy, and the store would be lost when the page is
mapped to the new frame. No kernel release had this order; it is the mis-order the flush's place
exists to prevent. Here (migrate_flush_before_copy=False) the copy may run before the flush: a
CPU that cached the page accesses the old frame after the copy (no_store_after_copy counts every
user access, load or store, as a possible store). The fixed model beside it is
`tlb_gen_migrate_2cpus` in specs/tlb_gen.py.
"""
from checker.spec import Check
from protocols.tlb_gen import PROTOCOL

CHECK = Check(PROTOCOL, name="migrate_copy_before_flush", cpus=2, initiators=2, pages=1, migrate=True,
              migrate_flush_before_copy=False, expect="violates no_store_after_copy", liveness=False)
