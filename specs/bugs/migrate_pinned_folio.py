"""Migration of a folio a direct IO holds: its data is lost.

migrate_pages (folio_migrate_mapping's expected ref_count, mm/migrate.c) and device migration
(migrate_vma_check_page, mm/migrate_device.c) refuse to move a folio that has references beyond the
mapping's: a GUP pin means a device may still write into it. Without that check (a mistake, not a
kernel version) the old frame is copied to the new one and mapped there, and the direct IO's data
then lands in the old frame, which the page no longer maps.

Trace: gup_fast pins the page's frame and rechecks the PTE; migration replaces the PTE with a
migration entry and flushes; the copy runs although the IO holds the frame; the new frame is mapped;
the IO completes into the old frame.
"""
from checker.spec import Check
from protocols.tlb_gen import PROTOCOL

BOUNDS = {"cpus": 2, "initiators": 1, "pages": 1, "migrate": True, "dio": True, "migrate_ref_check": False}
CHECK = Check(PROTOCOL, name="migrate_pinned_folio", **BOUNDS, expect="violates no_lost_dio_read")
DEVICE = Check(PROTOCOL, name="migrate_vma_pinned_folio", **BOUNDS, migrate_kind="device",
               expect="violates no_lost_dio_read")
