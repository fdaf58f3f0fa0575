"""B1 — lazy CPUs not flushed when page tables are freed.

Commit b956575bed91 "x86/mm: Flush more aggressively in lazy TLB mode" (v4.14): a CPU in lazy
TLB mode keeps the user mm's CR3 and its paging-structure caches. If munmap frees a page
table without an IPI to that CPU, the CPU can still speculatively walk through its cached
pointer into the freed (and reused) table, creating garbage TLB entries; AMD CPUs raised
machine checks. The fix: flush lazy CPUs too when tables are freed (freed_tables,
016c4d92cd16). Undone here: lazy CPUs are skipped even when tables are freed.

Trace: CPU 1 walks (TLB + PSC filled), goes lazy (kthread); CPU 0 munmaps, frees the PTE
table's PMD link, skips lazy CPU 1, frees the table; CPU 1's speculative walk reads it.
"""
from checker.spec import Check
from protocols.baseline import PROTOCOL
from protocols.tlb_gen import PROTOCOL as TLB_GEN_PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, lazy_skip_on_free=True,
              expect="violates no_freed_table_walk")
FIXED = Check(PROTOCOL, name="b1_fixed", cpus=2, pages=1, rounds=1, expect="holds")
# the same bug among concurrent flushers (protocols/tlb_gen.py: two initiators, the generation rule,
# the paging-structure cache per ASID slot): munmap's flush skips the lazy CPU though it frees the table
TLB_GEN = Check(TLB_GEN_PROTOCOL, name="b1_tlb_gen", cpus=2, initiators=2, pages=2, munmap=True,
                freed_tables_flush_lazy=False, expect="violates no_freed_table_walk")
