"""B18 — a flush IPI between kthread_use_mm()'s `active_mm = mm` and its switch_mm().

Commit 38cf307c1f20 "mm: fix kthread_use_mm() vs TLB invalidate" (Peter Zijlstra, v5.9, stable):
"For SMP systems using IPI based TLB invalidation, looking at current->active_mm is entirely
reasonable": Alpha's ipi_flush_tlb_mm flushes the current context when current->active_mm == mm
and otherwise drops the mm's context on that CPU, so that the next switch_mm gets a fresh ASID.
kthread_use_mm() set tsk->active_mm = mm with IRQs on and called switch_mm() after: an IPI in
between saw active_mm == mm and "flushed the TLBs for @old_mm, not @mm, because the IPI lands
before we actually switched"; the mm kept its context, and switch_mm() went back to it with the
old entries. The fix disables IRQs across both. The commit lists Alpha, IA64 and Xtensa as
suspect and x86 as "N/A": x86's flush_tlb_func compares the flushed mm with loaded_mm, and
switch_mm_irqs_off catches up with tlb_gen (without PCID, the CR3 load flushes).

Checks (v5.x flush, switch_mm in steps, a kernel thread adopting the mm to switch in):
- b18_kthread_use_mm_irqs_on: the active_mm-keyed handler on an ASID-tagged TLB (every CPU
  IPI'd, Alpha's smp_call_function) with IRQs on in the window. Trace: CPU 1 caches the page,
  switches to another mm (its entry stays under the mm's ASID); its kernel thread calls
  kthread_use_mm and sets active_mm = mm; CPU 0 zaps the page (MADV_DONTNEED) and IPIs; CPU 1's handler sees
  active_mm == mm and flushes the current (old) context; CPU 0 frees the page; CPU 1 completes
  switch_mm back onto the mm's ASID and reads the freed frame through the kept entry.
- b18_fixed: the same arch with IRQs off across active_mm = mm and switch_mm: holds.
- b18_x86: x86's loaded_mm-keyed handler with IRQs on in the window: holds.
"""
from checker.spec import Check
from protocols.baseline import PROTOCOL

# MADV_DONTNEED: the entry outlives the flush, and no page table is freed (a kept paging-structure
# cache entry would walk a freed table first, the same bug seen as no_freed_table_walk)
BOUNDS = dict(cpus=2, pages=1, rounds=1, switch="steps", callers=("madvise",),
              invariants=["no_stale_access", "flush_info_live", "nmi_uaccess_safe"])

CHECK = Check(PROTOCOL, **BOUNDS, use_mm="irqs_on", flush_keys="active_mm", expect="violates no_stale_access")
FIXED = Check(PROTOCOL, name="b18_fixed", **BOUNDS, use_mm="irqs_off", flush_keys="active_mm", expect="holds")
X86 = Check(PROTOCOL, name="b18_x86", **BOUNDS, use_mm="irqs_on", expect="holds")
