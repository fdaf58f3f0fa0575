"""Bounded model checking: is some invariant broken within K steps of an initial state?

One incremental solver: Init(s0), then per depth k the question "is a property broken in
s_k?" is asked under push/pop; when it is not, the properties are asserted for s_k (every
shorter path is then known to be clean, exactly like the explicit search's BFS levels) and
Trans(s_k, s_k+1) is added. The first depth with a violation is therefore the length of a
shortest counterexample, the one the explicit backend reports.

Properties, in the explicit backend's order: the invariants (the first one in model order
that can be broken at the depth is reported), a bounded int leaving its range (an error in
the model, as in the explicit search), then deadlock (when the check asks for it).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import z3

from ..lang.model import Invariant
from .encode import Encoding, _not, _or, is_z3


@dataclass
class BmcOutcome:
    depth: int                          # the depth reached (of the violation, if any)
    kind: str | None = None             # None | "invariant" | "overflow" | "deadlock"
    invariant: Invariant | None = None
    path: list[tuple] = field(default_factory=list)   # packed states s0..sk
    via: list[int] = field(default_factory=list)      # instance indices (into instances(model))
    seconds: float = 0.0
    timed_out: bool = False
    per_depth: list[float] = field(default_factory=list)


class Unroller:
    """s0..sk with Init and Trans asserted on one solver; grows one step at a time."""

    def __init__(self, enc: Encoding, solver: z3.Solver | None = None, tag: str = ""):
        self.enc = enc
        self.solver = solver or enc.solver()
        self.tag = tag
        self.states = [enc.state(f"{tag}0")]
        self.sels: list[z3.BitVecRef] = []
        self.solver.add(enc.init(self.states[0]))

    def extend(self) -> None:
        k = len(self.states) - 1
        t = self.enc.state(f"{self.tag}{k + 1}")
        a = self.enc.selector(f"{self.tag}{k}")
        self.solver.add(self.enc.trans(self.states[k], t, a))
        ints = self.enc.typed_state(t, ints_only=True)
        if is_z3(ints):
            self.solver.add(ints)
        self.states.append(t)
        self.sels.append(a)

    def path(self, m: z3.ModelRef, upto: int) -> tuple[list[tuple], list[int]]:
        enc = self.enc
        states = [enc.decode(m, self.states[i]) for i in range(upto + 1)]
        via = [enc.live[m.eval(self.sels[i], model_completion=True).as_long()] for i in range(upto)]
        return states, via


def _check(solver: z3.Solver, term) -> z3.CheckSatResult:
    if not is_z3(term):
        return z3.sat if term else z3.unsat
    solver.push()
    solver.add(term)
    r = solver.check()
    if r == z3.sat:
        solver._fc_model = solver.model()  # type: ignore[attr-defined]
    solver.pop()
    return r


def bmc(enc: Encoding, invariants: tuple[Invariant, ...], depth: int, deadlock: bool = True,
        time_limit: float | None = None) -> BmcOutcome:
    """Search for a violation within `depth` steps; the shortest one is returned."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit if time_limit else None
    u = Unroller(enc)
    solver = u.solver
    out = BmcOutcome(0)
    for k in range(depth + 1):
        tk = time.perf_counter()
        if deadline is not None:
            left = deadline - tk
            if left <= 0:
                out.timed_out = True
                break
            solver.set("timeout", max(1, int(left * 1000)))
        s = u.states[k]
        props = [(inv, enc.inv(inv.expr, s)) for inv in invariants]
        checks: list[tuple[str, Invariant | None, object]] = [("invariant", inv, _not(p)) for inv, p in props]
        checks.append(("overflow", None, enc.overflow(s)))
        if deadlock:
            checks.append(("deadlock", None, enc.deadlock(s)))
        any_bad = _or(c for _, _, c in checks)
        r = _check(solver, any_bad)
        if r == z3.unknown:
            out.timed_out = True
            break
        if r == z3.sat:
            for kind, inv, c in checks:
                if _check(solver, c) == z3.sat:
                    out.kind, out.invariant = kind, inv
                    out.path, out.via = u.path(solver._fc_model, k)  # type: ignore[attr-defined]
                    break
            out.depth = k
            break
        out.depth = k
        ok = _not(any_bad)
        if is_z3(ok):
            solver.add(ok)
        out.per_depth.append(time.perf_counter() - tk)
        if k < depth:
            u.extend()
    out.seconds = time.perf_counter() - t0
    return out

