"""smp_call_rar_many with should_flush_tlb's lazy filter: a lazy CPU is left out of the RAR.

The IPI path may skip a lazy CPU because switch_mm_irqs_off checks tlb_gen when the CPU leaves lazy
mode. A global ASID has no generation (no ctxs[] entry): leaving lazy mode on it returns at once
(arch/x86/mm/tlb.c: switch_mm_irqs_off, prev == next, is_global_asid), and RAR does not update
tlb_gen either ("This code cannot use the should_flush_tlb() logic here because RAR flushes do not
update the tlb_gen", arch/x86/mm/rar.c: smp_call_rar_many, RAR RFC v4 5/8). With the filter reused
(rar_lazy=False) the lazy CPU keeps its global-ASID entry, the frame is freed, and the CPU's task comes
back and uses it.
"""
from checker.spec import Check
from protocols.rar import PROTOCOL

CHECK = Check(PROTOCOL, name="rar_skips_lazy", cpus=2, initiators=1, pages=1, rounds=1,
              global_at_start=True, rar_lazy=False, expect="violates no_stale_access", liveness=False)
