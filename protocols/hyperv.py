"""hyperv — a Hyper-V guest (v6.1): remote TLBs flushed by hypercall, no IPIs; GUP-fast and
khugepaged collapses modelled, page tables freed through tlb_remove_table.

hyperv_flush_tlb_multi (arch/x86/hyperv/mmu.c) asks the hypervisor to flush every vCPU in
mm_cpumask, running or not: no IPI reaches a vCPU, so nothing waits for a vCPU that walks
page tables locklessly with IRQs off (GUP-fast). Page tables are therefore freed only after
tlb_remove_table_sync_one() (an IPI every CPU must take) or an RCU grace period.
"""
from checker.lang import Protocol

from . import flush
from .tlb import Design

DESIGN = Design(version="v6.1", local_first=False, info="percpu", flush_by="hypercall", gup_fast=True,
                callers=("munmap", "khugepaged"), table_free="rcu")


def build(cfg):
    return flush.build("hyperv", cfg, flush.variant(DESIGN, cfg), __doc__)


PROTOCOL = Protocol("hyperv", build, flush.family_params(DESIGN), __doc__)
