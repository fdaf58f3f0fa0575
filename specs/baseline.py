"""The pre-patch x86 flush (v5.2): local flush, then IPIs to mm_cpumask, wait, free."""
from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=3, pages=1, rounds=2, expect="holds")
