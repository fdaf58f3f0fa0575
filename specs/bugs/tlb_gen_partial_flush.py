"""flush_tlb_func's partial-flush condition with one conjunct left out: each is found.

arch/x86/mm/tlb.c: flush_tlb_func (v5.13; v5.19+) flushes only the request's range when
`f->end != TLB_FLUSH_ALL && f->new_tlb_gen == local_tlb_gen + 1 && f->new_tlb_gen == mm_tlb_gen`,
and then records mm_tlb_gen as caught up. Two initiators, one range flush each (or one
TLB_FLUSH_ALL), on two CPUs that each take the other's IPI; a CPU takes requests in either order:
- without `new_tlb_gen == local_tlb_gen + 1`: a CPU handles the later request first, flushes its
  one page and records the mm's generation; the earlier request is then "already done", and its
  page stays cached after it was freed (the reference's counterexample: gen 1->2 full and 2->3
  partial handled in reverse).
- without `new_tlb_gen == mm_tlb_gen`: a CPU handles the earlier request while the later one has
  already bumped the generation: it flushes the earlier page only, records the later
  generation, and skips the later request's flush.
- without `end != TLB_FLUSH_ALL`: the partial loop runs from 0 to TLB_FLUSH_ALL, 2^52 INVLPGs
  with IRQs off: the CPU never comes back (a hard lockup; here a deadlock).
"""
from checker.spec import Check
from protocols.tlb_gen import PROTOCOL

BOUNDS = dict(cpus=2, initiators=2, pages=2, liveness=False)   # each initiator also takes the other's IPI
NEXT_GEN = Check(PROTOCOL, name="partial_without_next_gen", partial_next_check=False, **BOUNDS,
                 expect="violates no_stale_access")
LATEST_GEN = Check(PROTOCOL, name="partial_without_latest_gen", partial_latest_check=False, **BOUNDS,
                   expect="violates no_stale_access")
END_ALL = Check(PROTOCOL, name="partial_of_flush_all", partial_end_check=False, **BOUNDS,
                expect="violates deadlock")
