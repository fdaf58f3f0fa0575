"""baseline — the pre-patch x86 flush (v5.2): local flush first, then IPIs, wait, free.

flush_tlb_mm_range (arch/x86/mm/tlb.c, v5.2) flushes the local TLB with IRQs off, then
native_flush_tlb_others IPIs the other CPUs in mm_cpumask — lazy CPUs skipped through
tlb_is_not_lazy unless page tables are freed — and smp_call_function_many waits (SYNC csds)
until each has run flush_tlb_func_remote. Only then does tlb_finish_mmu free the memory.
flush_tlb_info lives in a per-CPU variable (3db6d5a5ecaf, v5.2).
"""
from checker.lang import Protocol

from . import flush
from .tlb import V52, Design

DESIGN = Design(version=V52, local_first=True, info="percpu")


def build(cfg):
    return flush.build("baseline", cfg, flush.variant(DESIGN, cfg), __doc__)


PROTOCOL = Protocol("baseline", build,
                    flush.family_params(DESIGN), __doc__)
