"""N2 — deferring flush_tlb_kernel_range() for NOHZ_FULL CPUs until their next kernel entry.

Valentin Schneider's RFC "x86/mm: Defer flush_tlb_kernel_range() targeting NOHZ_FULL CPUs" (2023):
flush_tlb_kernel_range() IPIs every CPU (on_each_cpu, wait=1, lazy and idle ones too; kernel
mappings have no tlb_gen), which interrupts isolated CPUs running user code. The RFC skips CPUs
whose context tracking says user and queues the flush as work for ct_kernel_enter. Nadav Amit's
objection: the CPU runs kernel code before that work — the entry code, speculation — and can use
the stale translation, and the deferral "allows reuse of the memory before the TLB flush": once
the purge returns, vmalloc hands the range to someone else. (It is also only safe if vmap page
tables are never freed; this model has one kernel PTE and frees no kernel page table.)

Model (callers=("vfree",)): a vmalloc'd range, cached as a global TLB entry by CPUs in kernel
mode; vfree unmaps it, the lazy purge flushes and gives it back, and a new vmalloc maps it to
another page; a CPU in kernel mode (entry included) uses it; CPU 0's own flush is synchronous and
not modelled. Trace: CPU 1 caches the range in
the kernel and returns to user mode; CPU 0 vfrees, defers CPU 1's flush, and the range is reused;
CPU 1 enters the kernel and, before ct_kernel_enter runs the deferred flush, reads the new
allocation through its old translation.
Fixed beside it: upstream (every CPU IPI'd) holds; so does a deferral whose flush runs at the
first instruction of kernel entry, before any kernel code or speculation can use the range.
"""
from checker.spec import Check
from protocols.v6 import PROTOCOL

BOUNDS = dict(cpus=2, pages=1, rounds=1, callers=("vfree",), invariants=["no_stale_access", "nmi_uaccess_safe"])

CHECK = Check(PROTOCOL, **BOUNDS, kflush_defer="ct_enter", expect="violates no_stale_access")
FIXED = Check(PROTOCOL, name="n2_fixed", **BOUNDS, expect="holds")
ENTRY_FIRST = Check(PROTOCOL, name="n2_flush_at_entry", **BOUNDS, kflush_defer="entry_first", expect="holds")
