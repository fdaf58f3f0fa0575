"""concurrent — RFC v2 patches 2-5, merged for v5.13: IPIs first, local flush, then wait.

smp_call_function_many_cond (kernel/smp.c, v5.13) queues the csds and sends the IPIs, then
runs the local flush_tlb_func with IRQs off while the remote flushes are in flight, and only
then waits for every csd to be unlocked (4ce94eabac16 "x86/mm/tlb: Flush remote and local
TLBs concurrently"). Handlers are SYNC: flush, then csd_unlock.
"""
from checker.lang import Protocol

from . import flush
from .tlb import V513, Design

DESIGN = Design(version=V513, local_first=False, info="percpu")


def build(cfg):
    return flush.build("concurrent", cfg, flush.variant(DESIGN, cfg), __doc__)


PROTOCOL = Protocol("concurrent", build,
                    flush.family_params(DESIGN), __doc__)
