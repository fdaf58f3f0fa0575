"""Mutants of a model's IR: each one small, plausible kernel mistake, numbered deterministically.

A mutant changes one action (two for `swap_steps`) of the check's model; everything else —
variables, initial state, invariants, leads-to and cover properties — stays the original's, so
the original's properties judge it. The list depends only on the model's structure: the same
spec gives the same mutants with the same numbers, and `mutants(model)[n - 1].number == n`.

State-independent subexpressions (constants, and sub-terms that fold to a constant such as the
`& True` a design switch leaves behind) are never mutated: changing them would flip a
configuration switch, not make a coding mistake.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..lang.builder import same_expr
from ..lang.expr import Assign, Bound, Const, Expr, Op, Quant, Ref, VarDecl, show, walk
from ..lang.model import Action, Model
from ..lang.types import BOOL, Enum, same_kind

# kind -> what it stands for in kernel terms (docs/adequacy.md explains each)
KINDS: dict[str, str] = {
    "drop_conjunct": "a guard conjunct removed: a check the kernel makes is missing",
    "negate_conjunct": "a guard conjunct negated: the check tests the opposite",
    "drop_update": "one update removed: a store the kernel makes is missing",
    "negate_if": "the condition of an If inside an update negated: the wrong branch is taken",
    "mask_op": "cpumask_set_cpu and cpumask_clear_cpu exchanged (.with_ <-> .without)",
    "flip_compare": "== and != exchanged in a comparison nested in a guard or an update",
    "swap_steps": "two consecutive steps of a phase variable swapped: the code runs out of order",
    "drop_fairness": "an action's fairness dropped: liveness may no longer assume it runs",
}

Path = tuple[int, ...]


@dataclass(frozen=True)
class Mutant:
    """One mutant: its number, what it changes (in model terms) and the mutated model."""

    number: int
    kind: str
    action: str                      # the action it is counted against
    ref: str                         # that action's kernel reference
    description: str                 # one line, e.g. "tlb_finish_mmu: drop update `table := freed`"
    model: Model
    changed: tuple[str, ...]         # every action it changes (two for swap_steps)
    apart: str = ""                  # "environment" or "observer": reported apart from the score (`apart`)


@dataclass(frozen=True)
class PhaseStep:
    """An action that moves a scalar enum variable (a "phase") from one value to another:
    its guard has the conjunct `var == source` and it assigns the constant `var := target`."""

    action: int                      # position in model.actions
    var: VarDecl
    source: int
    target: int
    conjunct: int                    # position of `var == source` among the guard's conjuncts
    update: int                      # position of `var := target` among the updates


# ---------------------------------------------------------------- expression surgery

def children(e: Expr) -> tuple[Expr, ...]:
    if isinstance(e, Op):
        return e.args
    if isinstance(e, Quant):
        return (e.body,)
    if isinstance(e, Ref):
        return e.indices
    return ()


def with_children(e: Expr, kids: tuple[Expr, ...]) -> Expr:
    if isinstance(e, Op):
        return Op(e.op, kids, e.type)
    if isinstance(e, Quant):
        return dataclasses.replace(e, body=kids[0])
    if isinstance(e, Ref):
        return Ref(e.var, kids)
    return e


def paths(e: Expr, pred: Callable[[Expr, Path], bool], at: Path = ()) -> Iterator[Path]:
    """Positions (child-index paths, parents first) of the nodes that satisfy `pred`, outside
    subtrees that are `fixed` (mutating inside those changes nothing)."""
    if fixed(e):
        return
    if pred(e, at):
        yield at
    for i, k in enumerate(children(e)):
        yield from paths(k, pred, at + (i,))


def node_at(e: Expr, path: Path) -> Expr:
    for i in path:
        e = children(e)[i]
    return e


def replace_at(e: Expr, path: Path, fn: Callable[[Expr], Expr]) -> Expr:
    """The tree with the node at `path` (only that occurrence) replaced by fn(node)."""
    if not path:
        return fn(e)
    kids = list(children(e))
    kids[path[0]] = replace_at(kids[path[0]], path[1:], fn)
    return with_children(e, tuple(kids))


def conjuncts(e: Expr) -> list[Expr]:
    """The top-level `&` conjuncts of a condition, left to right."""
    if isinstance(e, Op) and e.op == "and":
        return conjuncts(e.args[0]) + conjuncts(e.args[1])
    return [e]


def conjoin(parts: list[Expr]) -> Expr:
    out: Expr | None = None
    for p in parts:
        out = p if out is None else Op("and", (out, p), BOOL)
    return out if out is not None else Const(True, BOOL)


def negation(e: Expr) -> Expr:
    return e.args[0] if isinstance(e, Op) and e.op == "not" else Op("not", (e,), BOOL)


def folded(e: Expr) -> bool | None:
    """The value of a boolean that is constant whatever the state (`x & False`, `y | True`)."""
    if isinstance(e, Const):
        return e.value if isinstance(e.value, bool) else None
    if not isinstance(e, Op):
        return None
    vals = [folded(a) for a in e.args]
    if e.op == "not":
        return None if vals[0] is None else not vals[0]
    if e.op == "and":
        return False if False in vals else (True if vals == [True, True] else None)
    if e.op == "or":
        return True if True in vals else (False if vals == [False, False] else None)
    if e.op == "implies":
        return True if vals[0] is False or vals[1] is True else None
    return None


def fixed(e: Expr) -> bool:
    """Whether `e` cannot depend on the state or the action's parameters: not worth mutating."""
    return folded(e) is not None or not any(isinstance(n, (Ref, Bound)) for n in walk(e))


def plain(e: Expr) -> str:
    """`show(e)` without the outer parentheses, as a developer would quote it."""
    s = show(e)
    if s.startswith("(") and s.endswith(")"):
        depth = 0
        for i, ch in enumerate(s):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(s) - 1:
                return s
        return s[1:-1]
    return s


def assign_text(u: Assign) -> str:
    return f"{u.target} := {plain(u.value)}"


# ---------------------------------------------------------------- mutations of one action

Candidate = tuple[str, str, dict[int, Action]]   # (kind, description, action index -> new action)


def _ite_condition(root: Expr, path: Path) -> bool:
    """Whether `path` is the condition (first argument) of an If."""
    return bool(path) and path[-1] == 0 and isinstance(node_at(root, path[:-1]), Op) \
        and node_at(root, path[:-1]).op == "ite"


def _guard_mutations(i: int, a: Action) -> Iterator[Candidate]:
    cs = conjuncts(a.guard)
    live = [(j, c) for j, c in enumerate(cs) if not fixed(c)]
    for j, c in live:
        yield ("drop_conjunct", f"{a.name}: drop guard conjunct `{plain(c)}`",
               {i: dataclasses.replace(a, guard=conjoin(cs[:j] + cs[j + 1:]))})
    for j, c in live:
        yield ("negate_conjunct", f"{a.name}: negate guard conjunct `{plain(c)}`",
               {i: dataclasses.replace(a, guard=conjoin(cs[:j] + [negation(c)] + cs[j + 1:]))})


def _identity(u: Assign) -> bool:
    """Whether the update stores what is already there (`x := x | False`): dropping it is no change."""
    v = u.value
    while isinstance(v, Op) and v.op in ("or", "and") and folded(v.args[1]) is (v.op == "and"):
        v = v.args[0]
    return same_expr(v, u.target)


def _update_mutations(i: int, a: Action) -> Iterator[Candidate]:
    ups = a.updates
    for k, u in enumerate(ups):
        if _identity(u):
            continue
        yield ("drop_update", f"{a.name}: drop update `{assign_text(u)}`",
               {i: dataclasses.replace(a, updates=ups[:k] + ups[k + 1:])})
    for k, u in enumerate(ups):
        ites = paths(u.value, lambda e, p: isinstance(e, Op) and e.op == "ite" and not fixed(e.args[0]))
        for p in ites:
            cond = node_at(u.value, p).args[0]
            value = replace_at(u.value, p + (0,), negation)
            desc = f"{a.name}: negate the If condition `{plain(cond)}` in the update of {u.target}"
            yield ("negate_if", desc, {i: _with_update(a, k, value)})


def _swapped_op(kind: str, ops: dict[str, str], name: str) -> Callable[[int, Action], Iterator[Candidate]]:
    """Mutations that exchange one operator for its counterpart, once per occurrence, in the
    guard and then in each update; `skip(root, path)` leaves out sites another kind covers."""

    def gen(i: int, a: Action) -> Iterator[Candidate]:
        top = _top_conjunct_paths(a.guard)

        def site(skip_top: bool, root: Expr):
            def pred(e: Expr, p: Path) -> bool:
                return isinstance(e, Op) and e.op in ops and \
                    not (kind == "flip_compare" and (_ite_condition(root, p) or (skip_top and p in top)))
            return pred

        def swap(e: Expr) -> Expr:
            return Op(ops[e.op], e.args, e.type)

        for p in paths(a.guard, site(True, a.guard)):
            node = node_at(a.guard, p)
            yield (kind, f"{a.name}: `{plain(node)}` → `{plain(swap(node))}` in the guard",
                   {i: dataclasses.replace(a, guard=replace_at(a.guard, p, swap))})
        for k, u in enumerate(a.updates):
            for p in paths(u.value, site(False, u.value)):
                node = node_at(u.value, p)
                desc = f"{a.name}: `{plain(node)}` → `{plain(swap(node))}` in the update of {u.target}"
                yield (kind, desc, {i: _with_update(a, k, replace_at(u.value, p, swap))})
    gen.__name__ = name
    return gen


def _top_conjunct_paths(guard: Expr) -> set[Path]:
    """Paths of the guard's top-level conjuncts and of what a top-level `~` negates (the
    conjunct mutations already negate those comparisons)."""
    out: set[Path] = set()

    def visit(e: Expr, p: Path) -> None:
        if isinstance(e, Op) and e.op == "and":
            visit(e.args[0], p + (0,))
            visit(e.args[1], p + (1,))
        else:
            out.add(p)
            if isinstance(e, Op) and e.op == "not":
                out.add(p + (0,))
    visit(guard, ())
    return out


_mask_mutations = _swapped_op("mask_op", {"madd": "mdel", "mdel": "madd"}, "_mask_mutations")
_compare_mutations = _swapped_op("flip_compare", {"eq": "ne", "ne": "eq"}, "_compare_mutations")


def _with_update(a: Action, k: int, value: Expr) -> Action:
    ups = list(a.updates)
    ups[k] = dataclasses.replace(ups[k], value=value)
    return dataclasses.replace(a, updates=tuple(ups))


def _fairness_mutations(i: int, a: Action, liveness: bool) -> Iterator[Candidate]:
    if liveness and a.fair is not None:
        yield ("drop_fairness", f"{a.name}: drop its {a.fair} fairness",
               {i: dataclasses.replace(a, fair=None)})


# ---------------------------------------------------------------- swapping phase steps

def _phase_test(c: Expr) -> tuple[VarDecl, int] | None:
    """(var, value) when `c` is `var == value` for a scalar enum variable and a constant."""
    if not (isinstance(c, Op) and c.op == "eq"):
        return None
    refs = [x for x in c.args if isinstance(x, Ref) and not x.var.dims and isinstance(x.var.type, Enum)]
    consts = [x for x in c.args if isinstance(x, Const)]
    if len(refs) == 1 and len(consts) == 1:
        return refs[0].var, int(consts[0].value)
    return None


def phase_steps(model: Model) -> list[PhaseStep]:
    """Every action that moves a phase variable from one constant to another, in model order."""
    out = []
    for i, a in enumerate(model.actions):
        seen: set[int] = set()
        for j, c in enumerate(conjuncts(a.guard)):
            test = _phase_test(c)
            if test is None or id(test[0]) in seen:
                continue
            var, src = test
            seen.add(id(var))
            for k, u in enumerate(a.updates):
                if u.target.var is var and isinstance(u.value, Const) and u.value.value != src:
                    out.append(PhaseStep(i, var, src, int(u.value.value), j, k))
    return out


def _retarget(a: Action, s: PhaseStep, source: int, target: int) -> Action:
    """The action with its phase test and phase update moved to `source` → `target`."""
    cs = conjuncts(a.guard)
    test = cs[s.conjunct]
    cs[s.conjunct] = Op("eq", tuple(Const(source, x.type) if isinstance(x, Const) else x
                                    for x in test.args), BOOL)
    ups = list(a.updates)
    ups[s.update] = dataclasses.replace(ups[s.update], value=Const(target, s.var.type))
    return dataclasses.replace(a, guard=conjoin(cs), updates=tuple(ups))


def _swap_mutations(model: Model, steps: list[PhaseStep], i: int) -> Iterator[Candidate]:
    """For step S1 (A → B) of action i and each next step S2 (B → C) of another action: S2's
    work now happens at A → B and S1's at B → C, i.e. the two steps run in the other order."""
    acts = model.actions
    for s1 in (s for s in steps if s.action == i):
        for s2 in steps:
            if s2.var is not s1.var or s2.action == s1.action or s2.source != s1.target:
                continue
            t = s1.var.type
            a, b, c = (t.show(v) for v in (s1.source, s1.target, s2.target))
            n1, n2 = acts[s1.action].name, acts[s2.action].name
            v = s1.var.name
            desc = (f"{n1}: swap with its next step {n2} ({v} {a} → {b} → {c}): {n2} now runs at "
                    f"{v} == {a}, {n1} at {v} == {b}")
            yield ("swap_steps", desc,
                   {s2.action: _retarget(acts[s2.action], s2, s1.source, s1.target),
                    s1.action: _retarget(acts[s1.action], s1, s2.source, s2.target)})


# ---------------------------------------------------------------- the list

def _key(a: Action) -> tuple:
    """What an action does, as text: equal keys mean the same guarded command."""
    return (a.name, show(a.guard), tuple(str(u) for u in a.updates), a.fair)


def _well_typed(a: Action) -> bool:
    return a.guard.type == BOOL and all(same_kind(u.target.var.type, u.value.type) for u in a.updates)


def mutants(model: Model, liveness: bool = True) -> list[Mutant]:
    """Every mutant of the model, numbered from 1 in a fixed order: actions in model order;
    within one, the kinds in `KINDS` order; within a kind, left to right. A mutant that does
    not change the action's text, repeats an earlier one, or would be ill-typed is left out.
    `liveness`: whether the check verifies leads-to properties (else fairness is moot)."""
    steps = phase_steps(model)
    ghost = history_vars(model)
    fairness = liveness and bool(model.properties)
    out: list[Mutant] = []
    seen: set[tuple] = set()
    for i, a in enumerate(model.actions):
        cands = [*_guard_mutations(i, a), *_update_mutations(i, a), *_mask_mutations(i, a),
                 *_compare_mutations(i, a), *_swap_mutations(model, steps, i),
                 *_fairness_mutations(i, a, fairness)]
        order = list(KINDS)
        cands.sort(key=lambda c: order.index(c[0]))   # stable: left to right within a kind
        for kind, desc, changes in cands:
            key = tuple(sorted(_key(x) for x in changes.values()))
            if any(_key(x) == _key(model.actions[j]) for j, x in changes.items()) or key in seen \
                    or not all(_well_typed(x) for x in changes.values()):
                continue
            seen.add(key)
            acts = list(model.actions)
            for j, x in changes.items():
                acts[j] = x
            out.append(Mutant(len(out) + 1, kind, a.name, a.ref, desc,
                              dataclasses.replace(model, actions=tuple(acts)),
                              tuple(model.actions[j].name for j in sorted(changes)),
                              apart(kind, a, model, changes, ghost)))
    return out


APART = {
    "environment": "a guard conjunct of a hardware or scheduler action dropped: every behaviour of the "
                   "original and more",
    "observer": "only the updates of history variables changed (records of a hazard that only properties "
                "read): the observer, not the kernel",
}


def apart(kind: str, a: Action, model: Model, changes: dict[int, Action], ghost: frozenset[str]) -> str:
    """Why a mutant is reported apart from the score, or "".

    "environment": it only widens the environment (a guard conjunct of an environment action, or of
    the hardware's own step, `hardware=True`, dropped), so it has every behaviour of the original and
    more: an adversary stronger than the architecture or the scheduler. It cannot hide a violation the
    original has, so whether it holds says whether the design needs that rule, not how strong the
    properties are.

    "observer": it changes only updates of history variables (`history_vars`), which record a
    hazard for a property to read (`stale_access`, `copied`) and which nothing in the model reads:
    it weakens or breaks the property's observer, and the kernel is the same."""
    if kind == "drop_conjunct" and (a.environment or a.hardware):
        return "environment"
    if kind == "drop_fairness":
        return ""
    touched: set[str] = set()
    for j, new in changes.items():
        old = model.actions[j]
        if str(old.guard) != str(new.guard):
            return ""
        before, after = {str(u): u for u in old.updates}, {str(u): u for u in new.updates}
        touched |= {u.target.var.name for k, u in (before | after).items() if (k in before) != (k in after)}
    return "observer" if touched and touched <= ghost else ""


def history_vars(model: Model) -> frozenset[str]:
    """The variables declared `history=True` (the builder checks that they are `ghosts`):
    mutants that change only their updates change a property's observer, not the model."""
    return frozenset(v.name for v in model.vars if v.history)


def describe_action(a: Action) -> list[str]:
    """The action as guard and updates, one line each, for `mutate --mutant N`."""
    params = ", ".join(f"{b.name}: {b.iset.name}" for b in a.params)
    lines = [f"action {a.name}({params})" + (f"  [{a.fair} fairness]" if a.fair else ""),
             f"  guard   {plain(a.guard)}"]
    lines += [f"  update  {assign_text(u)}" for u in a.updates] or ["  update  (none)"]
    return lines
