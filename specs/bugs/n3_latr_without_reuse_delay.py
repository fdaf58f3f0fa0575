"""N3 — LATR's lazy shootdown without its reuse delay.

LATR (Kumar et al., "LATR: Lazy Translation Coherence", ASPLOS'18, built on Linux 4.10) replaces
the shootdown IPIs of munmap and friends by an invalidation posted in per-CPU LATR states; every
CPU flushes its own TLB when its next scheduler tick sweeps them. munmap returns before remote
TLBs are clean, so its safety rests on one rule: the freed pages, page tables and virtual range
are reclaimed only once every CPU has swept (§4.3). Undone here (latr_reuse_delay=False):
tlb_finish_mmu frees at once, as the IPI designs may after csd_lock_wait. Trace: CPU 1 caches the
page; CPU 0 zaps it (MADV_DONTNEED), flushes its own TLB, posts the lazy invalidation and frees
the frame; CPU 1, whose tick has not come, reads the freed frame through its TLB. The fixed model
beside it is LATR as published (specs/latr.py).
"""
from checker.spec import Check
from protocols.latr import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, latr_reuse_delay=False, expect="violates no_stale_access")
FIXED = Check(PROTOCOL, name="n3_fixed", cpus=2, pages=1, rounds=1, expect="holds")
