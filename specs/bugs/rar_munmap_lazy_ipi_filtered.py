"""RAR's munmap: the flush that freed a page table filters lazy CPUs out of its IPIs (B1 on RAR's IPI path).

RAR RFC v4, "x86/mm: userspace & pageout flushing using Intel RAR" (arch/x86/mm/tlb.c):
native_flush_tlb_multi IPIs the whole mask, lazy CPUs included, when should_flush_all(info) holds, and
its first reason is info->freed_tables: a lazy CPU keeps the mm's page tables loaded and its
paging-structure caches may still point to a PTE-table page munmap detached. With
freed_tables_all=False the flush of an mm still on its dynamic ASIDs takes should_flush_tlb's filter: the
lazy CPU is skipped, the table is freed, and the lazy CPU's next speculative walk reads it.
"""
from checker.spec import Check
from protocols.rar import PROTOCOL

CHECK = Check(PROTOCOL, name="rar_munmap_lazy_ipi_filtered", cpus=2, initiators=1, pages=2, rounds=1, munmap=True,
              freed_tables_all=False, expect="violates no_freed_table_walk", liveness=False)
