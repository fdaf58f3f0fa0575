"""The seed's design at two CPUs and two pages: the mutation gate's check (docs/adequacy.md).

Its own file so that `python -m checker specs/async_inline.py --cpus N` scales the main check
alone (at 4 CPUs this one has two pages and tens of millions of states).
"""
from checker.spec import Check
from protocols.async_inline import PROTOCOL

TWO_CPUS = Check(PROTOCOL, name="async_inline_2cpus", cpus=2, pages=2, rounds=2, expect="holds",
                 min_mutation_score=0.83)   # docs/adequacy.md: 170 of 203 scored mutants killed
