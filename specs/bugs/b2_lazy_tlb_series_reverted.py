"""B2 — the lazy-TLB series of the v4.19 merge window, and why it was reverted.

Rik van Riel's series made lazy TLB mode lazier: ac0315896970 "x86/mm/tlb: Make lazy TLB mode
lazier" left lazy CPUs out of every flush IPI (native_flush_tlb_others filtered is_lazy CPUs;
switch_mm_irqs_off caught up through tlb_gen on the way back). A lazy CPU keeps the mm's CR3 and
its paging-structure caches, so page tables freed under it are still walked (B1's hazard); the
series therefore first added 2ff6ddf19c0e "x86/mm/tlb: Leave lazy TLB mode at page table free
time": tlb_table_flush calls tlb_flush_remove_tables, an IPI (wait=1) that makes lazy CPUs switch
to init_mm before the tables are freed. 64482aafe55f "x86/mm/tlb: Only send page table free TLB
flush to lazy TLB CPUs" narrowed that IPI to the lazy CPUs — but its loop, as the revert's diff
shows it (mm_fill_lazy_tlb_cpu_mask), put the CPUs with is_lazy *clear* into the mask. PeterZ
reverted all five (95b0e6357d3e, 64482aafe55f, ac0315896970, 61d0beb5796a, 2ff6ddf19c0e: "x86/mm/tlb:
Revert the recent lazy TLB patches", Aug 2018) "to simplify the TLB invalidate fixes" (B3); v4.19
IPIs every CPU in mm_cpumask. The idea came back for v4.20 as the flush's freed_tables argument
(016c4d92cd16): that fixed form is B1's (specs/bugs/b1_lazy_cpu_table_free.py).

Checks (v4.18 flush with the series' switches: lazy CPUs skipped whatever is freed, tlb_gen
checked on leaving lazy mode):
- b2_lazy_tlb_series_reverted: the series as the revert shows it (table_free_ipi="not_lazy").
  Trace: CPU 1 walks (TLB + PSC), goes lazy; CPU 0 munmaps, flushes, skips lazy CPU 1, then
  tlb_flush_remove_tables skips it again (it is lazy), frees the table; CPU 1's speculative walk
  reads it.
- b2_lazier_without_table_ipi: ac0315896970 without 2ff6ddf19c0e: the same walk, one IPI round.
- b2_table_ipi_to_lazy: the series as meant (IPI the lazy CPUs at table-free time): holds.
- b2_v419_revert: v4.19 as released (the v4_19 family): holds.
"""
from checker.spec import Check
from protocols.v4_19 import PROTOCOL

# v4.18 + ac0315896970: is_lazy CPUs get no flush IPI (there is no freed_tables yet), and
# switch_mm_irqs_off compares tlb_gen when a lazy CPU returns to its mm
LAZIER = dict(cpus=2, pages=1, rounds=1, lazy_rule="v5", lazy_skip_on_free=True, lazy_gen_check=True)

CHECK = Check(PROTOCOL, name="b2_lazy_tlb_series_reverted", **LAZIER, table_free_ipi="not_lazy",
              expect="violates no_freed_table_walk")
NO_TABLE_IPI = Check(PROTOCOL, name="b2_lazier_without_table_ipi", **LAZIER,
                     expect="violates no_freed_table_walk")
FIXED = Check(PROTOCOL, name="b2_table_ipi_to_lazy", **LAZIER, table_free_ipi="lazy", expect="holds")
REVERT = Check(PROTOCOL, name="b2_v419_revert", cpus=2, pages=1, rounds=1, expect="holds")
