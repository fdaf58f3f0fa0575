"""B5 — switch_mm()'s mm_cpumask store not ordered before the new CR3 is used (x86-TSO).

Commit 71b3c126e611 "x86/mm: Add barriers and document switch_mm()-vs-flush synchronization"
(2016, stable): "When switch_mm() activates a new PGD, it also sets a bit that tells other
CPUs that the PGD is in use so that TLB flush IPIs will be sent. In order for that to work
correctly, the bit needs to be visible prior to loading the PGD and therefore starting to
fill the local TLB." Undone here: the bit is set by a plain store that can sit in the store
buffer while the CPU's page walks already read the PTE (x86-TSO lets loads pass earlier
stores). The initiator clears the PTE, reads mm_cpumask without the bit, sends no IPI and
frees the page; the switching CPU keeps the stale entry.

Model assumption: page-walk reads are treated as loads that may pass the buffered store
(the real CR3 write serialises; the bug class is the missing order in general). Under
sequential consistency the same model holds — only the TSO mode finds it.
"""
from checker.spec import Check
from protocols.v4_19 import PROTOCOL

# the 2016 kernel: switch_mm clears the previous mm's bit and sets the next one's
V4 = dict(switch="steps")

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, memory="tso", switch_fence=False, **V4,
              invariants=["no_stale_access"], liveness=False, expect="violates no_stale_access")
SC = Check(PROTOCOL, name="b5_under_sc", cpus=2, pages=1, rounds=1, memory="sc", switch_fence=False, **V4,
           invariants=["no_stale_access"], liveness=False, expect="holds")
FIXED = Check(PROTOCOL, name="b5_fixed_tso", cpus=2, pages=1, rounds=1, memory="tso", **V4,
              invariants=["no_stale_access"], liveness=False, expect="holds", dead_ok={
                  "store_buffer_drain": "with the barrier cpumask_set_cpu is a locked op: nothing is "
                                        "ever buffered"})
