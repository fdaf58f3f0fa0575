"""v4_19 — x86 flush before the lazy-TLB rework (v4.14–v4.19, 016c4d92cd16 snapshot)."""
from checker.spec import Check
from protocols.v4_19 import PROTOCOL

CHECK = Check(PROTOCOL, cpus=3, pages=1, rounds=2, expect="holds")
TWO_CPUS = Check(PROTOCOL, name="v4_19_2cpus", cpus=2, pages=2, rounds=2, expect="holds")
