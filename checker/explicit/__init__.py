"""The explicit-state engine: compile the IR, search it (reference or generated C), symmetry, liveness, traces."""
