"""hyperv — a Hyper-V guest (v6.1): remote TLBs flushed by hypercall, no IPIs; GUP-fast and"""
from checker.spec import Check
from protocols.hyperv import PROTOCOL

CHECK = Check(PROTOCOL, cpus=3, pages=1, rounds=2, expect="holds")
TWO_CPUS = Check(PROTOCOL, name="hyperv_2cpus", cpus=2, pages=2, rounds=2, expect="holds",
                 min_mutation_score=0.76)   # docs/adequacy.md: 131 of 171 scored mutants killed
