"""v4_19 — x86 flush before the lazy-TLB rework (v4.14–v4.19, 016c4d92cd16 snapshot).

flush_tlb_mm_range flushes locally, then IPIs *every* CPU in mm_cpumask, lazy ones included;
a lazy receiver leaves the mm (switch_mm_irqs_off to init_mm, flush_tlb_func_common step c),
so returning from lazy mode needs no tlb_gen check (real_prev == next returns at once).
"""
from checker.lang import Protocol

from . import flush
from .tlb import Design

DESIGN = Design(version="v4.19", local_first=True, info="percpu", lazy_rule="v4.19", lazy_gen_check=False)


def build(cfg):
    return flush.build("v4_19", cfg, flush.variant(DESIGN, cfg), __doc__)


PROTOCOL = Protocol("v4_19", build, flush.family_params(DESIGN), __doc__)
