"""The IR: a model is plain data — index sets, variables, actions, invariants.

Nothing here depends on how a backend stores states; every backend compiles from this.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import SrcLoc
from .expr import Assign, Bound, Expr, Op, Quant, Ref, VarDecl, walk
from .types import BOOL, IndexSet


@dataclass(frozen=True)
class Action:
    """A guarded command, one instance per choice of its parameters.

    `actor` is the CPU that performs it (for lanes in traces); `ref` names the kernel code
    it models (file, function, version).
    """

    name: str
    params: tuple[Bound, ...]
    guard: Expr
    updates: tuple[Assign, ...]
    actor: Expr | None
    ref: str
    loc: SrcLoc | None
    doc: str = ""
    fair: str | None = None  # "weak" or "strong" fairness of each instance, for liveness
    environment: bool = False  # happens on its own; never progress (deadlock ignores it)
    # the contexts it must fire in (label, condition over its parameters): each a cover of the
    # action's guard met in that context (see context_covers)
    contexts: tuple[tuple[str, Expr], ...] = ()
    hardware: bool = False     # the hardware completing what the kernel started: progress, but not kernel code


@dataclass(frozen=True)
class LeadsTo:
    """A liveness property: whenever `trigger` holds, `goal` eventually holds (on fair paths)."""

    name: str
    trigger: Expr
    goal: Expr
    statement: str
    ref: str
    loc: SrcLoc | None


@dataclass(frozen=True)
class Invariant:
    """A named property of every reachable state, with its meaning in kernel terms.

    `precondition`: the hazard's precondition, a state in which the forbidden event is one
    step away; a "holds" in which no reachable state meets it says nothing (vacuous).
    """

    name: str
    expr: Expr
    statement: str
    ref: str
    loc: SrcLoc | None
    precondition: Expr | None = None


@dataclass(frozen=True)
class Cover:
    """A situation the design exists for, which some reachable state must reach."""

    name: str
    expr: Expr
    statement: str
    ref: str
    loc: SrcLoc | None


@dataclass(frozen=True)
class Model:
    name: str
    isets: tuple[IndexSet, ...]
    vars: tuple[VarDecl, ...]
    actions: tuple[Action, ...]
    invariants: tuple[Invariant, ...]
    final: Expr | None
    lanes: IndexSet | None
    params: tuple[tuple[str, Any], ...] = ()
    loc: SrcLoc | None = None
    doc: str = ""
    properties: tuple[LeadsTo, ...] = ()
    # strengthening invariants for induction proofs (--prove): true of every reachable state,
    # but not what a check asserts; the explicit search checks them only when a spec names them
    auxiliary: tuple[Invariant, ...] = ()
    covers: tuple[Cover, ...] = ()

    def invariant(self, name: str) -> Invariant | None:
        return next((i for i in self.invariants if i.name == name), None)

    @property
    def all_covers(self) -> tuple[Cover, ...]:
        """The declared covers, then the actions' context covers."""
        return self.covers + context_covers(self)

    def goals(self) -> list[tuple[str, str, Expr]]:
        """What a search must see reached: (kind, name, condition) for each cover property and
        each checked invariant's hazard precondition; the order engines count them in."""
        return [("cover", c.name, c.expr) for c in self.all_covers] + \
            [("precondition", i.name, i.precondition) for i in self.invariants if i.precondition is not None]

    def var(self, name: str) -> VarDecl | None:
        return next((v for v in self.vars if v.name == name), None)


def context_covers(model: Model) -> tuple[Cover, ...]:
    """`ACTION__LABEL` for each context an action declares: some reachable state enables an instance
    of it in that context. Built from the action's guard as it is, so a mutant or variant that no
    longer fires there leaves the cover unreached (the explicit search takes every enabled step, so
    enabled is fired)."""
    out = []
    for a in model.actions:
        for label, cond in a.contexts:
            body: Expr = Op("and", (a.guard, cond), BOOL)
            for b in reversed(a.params):
                body = Quant("exists", b, body, BOOL)
            out.append(Cover(f"{a.name}__{label}", body, f"{a.name} is taken in context '{label}', as it must be",
                             a.ref, a.loc))
    return tuple(out)


def expressions(model: Model):
    """(what, loc, expression) for every expression of the model a proof or abstraction reads:
    invariants (auxiliary too), guards, update values and update indices."""
    for i in tuple(model.invariants) + tuple(model.auxiliary):
        yield f"invariant {i.name}", i.loc, i.expr
    for a in model.actions:
        yield f"action {a.name}", a.loc, a.guard
        for u in a.updates:
            yield f"action {a.name}", u.loc or a.loc, u.value
            for x in u.target.indices:
                yield f"action {a.name}", u.loc or a.loc, x


@dataclass(frozen=True)
class ActionInstance:
    """An action with its parameters fixed: what one transition of the explorer performs."""

    action: Action
    args: tuple[int, ...]

    @property
    def label(self) -> str:
        if not self.args:
            return self.action.name
        inner = ", ".join(f"{b.name}={v}" for b, v in zip(self.action.params, self.args))
        return f"{self.action.name}({inner})"

    @property
    def bindings(self) -> dict[int, int]:
        return {b.uid: v for b, v in zip(self.action.params, self.args)}


def instances(model: Model) -> list[ActionInstance]:
    """Every action instance, in declaration order then parameter order (deterministic)."""
    out: list[ActionInstance] = []
    for a in model.actions:
        combos: list[tuple[int, ...]] = [()]
        for p in a.params:
            combos = [c + (m,) for c in combos for m in p.iset.members]
        out.extend(ActionInstance(a, c) for c in combos)
    return out


@dataclass(frozen=True)
class Step:
    """What an action function returns: a guard and the simultaneous updates."""

    guard: Expr
    updates: tuple[Assign, ...] = field(default=())


def ghosts(model: Model) -> frozenset[str]:
    """The ghost variables: read by properties only. A variable is not a ghost when a guard, an
    actor, the final states, an update's index, or an update of a variable that is not a ghost
    reads it."""
    def reads(e) -> set[str]:
        return {n.var.name for n in walk(e) if isinstance(n, Ref)}
    used: set[str] = reads(model.final) if model.final is not None else set()
    flows: dict[str, set[str]] = {}
    for a in model.actions:
        used |= reads(a.guard) | (reads(a.actor) if a.actor is not None else set())
        for u in a.updates:
            used |= set().union(*(reads(x) for x in u.target.indices))
            flows.setdefault(u.target.var.name, set()).update(reads(u.value))
    todo = list(used)
    while todo:
        for v in flows.get(todo.pop(), ()):
            if v not in used:
                used.add(v)
                todo.append(v)
    return frozenset(v.name for v in model.vars) - used
