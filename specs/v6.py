"""v6 — x86 flush of v6.x: concurrent flush, lazy mm_cpumask, should_flush_tlb()."""
from checker.spec import Check
from protocols.v6 import PROTOCOL

CHECK = Check(PROTOCOL, cpus=3, pages=1, rounds=2, expect="holds")
TWO_CPUS = Check(PROTOCOL, name="v6_2cpus", cpus=2, pages=2, rounds=2, expect="holds",
                 min_mutation_score=0.85)   # docs/adequacy.md: 207 of 242 scored mutants killed
