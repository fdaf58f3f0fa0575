"""v6 — x86 flush of v6.x: concurrent flush, lazy mm_cpumask, should_flush_tlb().

209954cbc7d0 "x86/mm/tlb: Update mm_cpumask lazily": switch_mm_irqs_off no longer clears the
previous mm's bit, and a CPU IPI'd for an mm it no longer runs clears its own bit in
flush_tlb_func. 6db2526c1d69: should_flush_tlb() IPIs a CPU only if it is not lazy and runs
the mm or is switching (LOADED_MM_SWITCHING), unless page tables are freed. switch_mm in
steps: loaded_mm = LOADED_MM_SWITCHING, cpumask_set_cpu (locked), read tlb_gen, load CR3,
then switch_to.
"""
from checker.lang import Protocol

from . import flush
from .tlb import Design

DESIGN = Design(version="v6.x", local_first=False, info="percpu", lazy_rule="v6", cpumask="lazy",
                switch="steps")


def build(cfg):
    return flush.build("v6", cfg, flush.variant(DESIGN, cfg), __doc__)


PROTOCOL = Protocol("v6", build, flush.family_params(DESIGN), __doc__)
