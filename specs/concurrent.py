"""RFC v2 patches 2-5 (merged in v5.13): IPIs first, local flush while they fly, then wait."""
from checker.spec import Check
from protocols.concurrent import PROTOCOL

CHECK = Check(PROTOCOL, cpus=3, pages=1, rounds=2, expect="holds")
# two CPUs, two pages: the mutation gate's check (cheap enough for CI; docs/adequacy.md)
TWO_CPUS = Check(PROTOCOL, name="concurrent_2cpus", cpus=2, pages=2, rounds=2, expect="holds",
                 min_mutation_score=0.84)   # docs/adequacy.md: 170 of 202 scored mutants killed
