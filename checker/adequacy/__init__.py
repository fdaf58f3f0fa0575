"""Model adequacy: mutants of a model's IR, run against its own properties (mutation score).

`mutants.py` makes the mutants, `mutate.py` runs and classifies them, `cli.py` is
`python -m checker mutate SPEC` and the mutation gate.
"""
