"""One flush_tlb_info for every CPU: two initiators' flushes overwrite each other's.

flush_tlb_mm_range hands its targets a pointer to a flush_tlb_info: on the initiator's stack
(before 3db6d5a5ecaf) or in a per-CPU variable (3db6d5a5ecaf, v5.2). Either way each initiator
has its own, and with one initiator a single static copy would be just as good. With two, it is
not: CPU 0 fills the copy and IPIs CPU 1; CPU 1, starting its own munmap, refills it before it
takes CPU 0's IPI, and CPU 0's handler then reads CPU 1's flush (another range, another
new_tlb_gen) — `flush_info_live` breaks. The kernel's per-CPU placement at the same bounds is
specs/initiators.py's baseline_2initiators, which holds.
"""
from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, name="flush_info_global_two_initiators", cpus=2, pages=2, rounds=1, initiators=2,
              info="global", expect="violates flush_info_live")
# the same bounds with one initiator: the one static copy is never shared
ONE_INITIATOR = Check(PROTOCOL, name="flush_info_global_one_initiator", cpus=2, pages=2, rounds=1,
                      info="global", expect="holds")
