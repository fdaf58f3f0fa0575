"""B13 — hyperv_flush_tlb_multi() indexes the VP table with cpumask_last() of a mask that emptied.

"x86/hyperv: Properly deal with empty cpumasks in hyperv_flush_tlb_multi()" (Vitaly Kuznetsov,
v5.17, stable; Fixes ad0a6bad4475 "x86/hyperv: check cpu mask after interrupt has been disabled"):
the cpumask the flush gets is mm_cpumask(mm), which other CPUs change under it — disabling
interrupts on the flushing CPU stops nobody else. ad0a6bad4475 returned early on an empty mask
after local_irq_save, but the mask could still empty before `cpu = cpumask_last(cpus)`, which then
returns nr_cpumask_bits, and hv_cpu_number_to_vp_number(cpu) read past the hv_vp_index[] array
(KASAN: slab-out-of-bounds). The fix checks cpu < nr_cpumask_bits and, after building the
processor mask CPU by CPU from the live mask, returns when it "ends up being empty".

Model: the hyperv family, a khugepaged collapse on CPU 0 (a kernel thread: the mask handed to the
hypercall is the other CPUs' bits), and a Design.hv_mask that reads mm_cpumask in steps while
CPU 1 switches away or back. What the model can say: the out-of-range lookup as its own invariant
(hv_vp_index_in_range, a ghost flag on the read; the crash itself, and the _EX hypercall for
VP numbers >= 64, are beyond it); and that the fix's racy read is safe for the TLB: a CPU that left
after its bit was read is over-flushed, one that joined after sets its bit before reading tlb_gen
and loading CR3, so returning on an empty processor mask leaves nothing stale (S1 and S2 hold).
Trace: CPU 1 runs the mm; khugepaged clears the PMD and bumps tlb_gen; the empty check sees CPU 1;
CPU 1 switches to another mm; cpumask_last of the now-empty mask is looked up.
"""
from checker.spec import Check
from protocols.hyperv import PROTOCOL

BOUNDS = dict(cpus=2, pages=1, rounds=1, callers=("khugepaged",))
ONLY_COLLAPSE = {"tlb_finish_mmu": "khugepaged only: collapse_huge_page frees the table itself"}

CHECK = Check(PROTOCOL, **BOUNDS, hv_mask="empty_check", expect="violates hv_vp_index_in_range")
FIXED = Check(PROTOCOL, name="b13_fixed", **BOUNDS, hv_mask="per_cpu", expect="holds", dead_ok=ONLY_COLLAPSE)
