"""latr — LATR-style lazy shootdown (Kumar et al., ASPLOS'18; on Linux 4.10), a research design."""
from checker.spec import Check
from protocols.latr import PROTOCOL

CHECK = Check(PROTOCOL, cpus=3, pages=1, rounds=2, expect="holds")
TWO_CPUS = Check(PROTOCOL, name="latr_2cpus", cpus=2, pages=2, rounds=2, expect="holds",
                 min_mutation_score=0.82)   # docs/adequacy.md: 110 of 134 scored mutants killed
