"""Sanity checks: can the model's invariants and guards say anything at all?

- the initial state satisfies every invariant (checked and strengthening);
- every invariant can be falsified by some well-typed state — otherwise it asserts nothing
  (e.g. `x <= 3` for x in 0..3). A ghost flag that no action ever sets is *not* caught here:
  that invariant is falsifiable, just by unreachable states;
- every action's guard holds in some well-typed state, for some parameters;
- no two invariants are equivalent over well-typed states (one of them is redundant).

Each finding names the invariant's or action's line. The command line shows them as
warnings, or as errors with --strict.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import z3

from ..errors import SrcLoc
from ..lang.model import Invariant, Model
from ..lang.types import BOOL
from .encode import Encoding, _or, is_z3


@dataclass(frozen=True)
class Finding:
    kind: str                 # init | vacuous | guard | equivalent | timeout
    message: str
    loc: SrcLoc | None
    hint: str

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc else ""
        return f"{where}{self.message} — {self.hint}"


def sanity(enc: Encoding, invariants: tuple[Invariant, ...], time_limit: float = 30.0) -> list[Finding]:
    """Every finding for these invariants (checked, then strengthening) and the model's actions."""
    t0 = time.perf_counter()
    model: Model = enc.model
    out: list[Finding] = []
    aux = {i.name for i in model.auxiliary}
    gave_up = []

    def what(i: Invariant) -> str:
        return ("strengthening invariant" if i.name in aux else "invariant") + f" {i.name}"

    s = enc.state("any")
    solver = enc.solver()
    typed = enc.typed_state(s)
    if is_z3(typed):
        solver.add(typed)

    def sat(term) -> bool | None:
        if not is_z3(term):
            return bool(term)
        left = time_limit - (time.perf_counter() - t0)
        if left <= 0:
            gave_up.append(1)
            return None
        solver.set("timeout", max(1, int(left * 1000)))
        solver.push()
        solver.add(term)
        r = solver.check()
        solver.pop()
        if r == z3.unknown:
            gave_up.append(1)
            return None
        return r == z3.sat

    init = enc.concrete(enc.initial)
    terms = {}
    for inv in invariants:
        if not enc.known(enc.inv(inv.expr, init), BOOL):
            out.append(Finding("init", f"{what(inv)} does not hold in the initial state", inv.loc,
                               "fix the invariant or the variables' initial values"))
        terms[inv.name] = enc.lift(enc.inv(inv.expr, s), BOOL)
    vacuous = set()
    for inv in invariants:
        if sat(z3.Not(terms[inv.name])) is False:
            vacuous.add(inv.name)
            out.append(Finding("vacuous", f"{what(inv)} holds in every well-typed state: it asserts "
                               "nothing", inv.loc, "state what must never happen (e.g. a ghost flag "
                               "that an action sets), or remove it"))
    for a in model.actions:
        guards = [enc.guard(k, s) for k in enc.live if enc.insts[k].action is a]
        if sat(_or(guards)) is False:
            out.append(Finding("guard", f"the guard of action {a.name} holds in no well-typed state: "
                               "the action can never fire", a.loc,
                               "check the guard's comparisons against the variables' types"))
    live = [i for i in invariants if i.name not in vacuous]
    for x in range(len(live)):
        for y in range(x + 1, len(live)):
            a, b = live[x], live[y]
            if sat(terms[a.name] != terms[b.name]) is False:
                out.append(Finding("equivalent", f"{what(b)} is equivalent to {a.name} over "
                                   "well-typed states", b.loc, f"remove one of them ({a.name} is at {a.loc})"))
    if gave_up:
        out.append(Finding("timeout", f"{len(gave_up)} sanity queries were not answered within "
                           f"{time_limit:g} s", None, "their checks were skipped; --no-sanity skips all"))
    return out
