"""The Z3 backend: the model as Init/Trans/Inv over Z3 terms, and the jobs that use it.

encode     the IR as Z3 terms over per-element constants (no Z3 arrays)
bmc        bounded model checking, incremental over the depth
induction  1-induction and k-induction (simple paths), with strengthening invariants; CTIs
sanity     checks that a model's invariants and guards can say something
param      the model over an unbounded CPU sort, after checking it is the same at every CPU count
allcpus    induction for every number of CPUs (--prove --all-cpus), CTIs checked at their count
run        glue: a spec's check -> CheckResult, like the explicit backend's run_check
"""
