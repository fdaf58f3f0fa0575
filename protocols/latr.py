"""latr — LATR-style lazy shootdown (Kumar et al., ASPLOS'18; on Linux 4.10), a research design.

No IPIs: munmap flushes locally and posts the invalidation in per-CPU LATR states; each CPU
flushes at its next scheduler tick. Safety comes from deferring reuse: the freed pages, page
tables and the virtual range are reused only once every CPU has swept.
"""
from checker.lang import Protocol

from . import flush
from .tlb import Design

DESIGN = Design(version="LATR", local_first=True, info="percpu", latr=True)


def build(cfg):
    return flush.build("latr", cfg, flush.variant(DESIGN, cfg), __doc__)


PROTOCOL = Protocol("latr", build, flush.family_params(DESIGN), __doc__)
