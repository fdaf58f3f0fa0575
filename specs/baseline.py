"""The pre-patch x86 flush (v5.2): local flush, then IPIs to mm_cpumask, wait, free."""
from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=3, pages=1, rounds=2, expect="holds")
# CPUs 0 and 1 each unmap and flush at once (protocols/initiators.py); every CPU an initiator: symmetric
TWO_INITIATORS = Check(PROTOCOL, name="baseline_2initiators", cpus=2, pages=2, rounds=1, initiators=2,
                       expect="holds")
