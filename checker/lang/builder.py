"""ModelBuilder: how a protocol declares its model, validated as it is declared.

    m = ModelBuilder("async_inline", cfg)
    CPU = m.index_set("CPU", cfg.cpus, symmetric=True, lanes=True)
    tlb = m.array("tlb", (CPU, Page), TlbEntry, init="none")

    @m.action(CPU, Page, ref="arch/x86/mm/tlb.c: flush_tlb_func (v5.2)")
    def tlb_fill(c, p):
        return when(pte[p] & (tlb[c, p] == "none"), tlb[c, p].becomes("live"))
"""
from __future__ import annotations

import inspect
import itertools
from typing import Any, Callable, Iterable

from ..errors import ModelError, SrcLoc, caller_loc
from .expr import Assign, Bound, Const, Expr, Members, Op, Quant, Ref, VarDecl, fresh_bound, lit
from .model import Action, Cover, Invariant, LeadsTo, Model, Step, ghosts
from .types import BOOL, BoolType, Elem, Enum, IndexSet, IntRange, Mask, Type, same_kind
from .variant import KEEP, Editing, Vars, fn_loc, view


def when(guard, *updates: Assign) -> Step:
    """An action's step: `when(guard, x.becomes(1), y.becomes(False))`."""
    flat: list[Assign] = []
    for u in updates:
        if isinstance(u, (list, tuple)):
            flat.extend(u)
        else:
            flat.append(u)
    return Step(lit(guard), tuple(flat))


def concrete(v: Any, t: Type, what: str) -> int | bool:
    """A Python value given for an initial state, checked against its type."""
    if isinstance(t, BoolType):
        if isinstance(v, bool):
            return v
    elif isinstance(t, IntRange):
        if isinstance(v, int) and not isinstance(v, bool):
            if t.lo <= v <= t.hi:
                return v
            raise ModelError(f"{what}: {v} is out of range {t}", "widen the range or fix the value")
    elif isinstance(t, Enum):
        if isinstance(v, str):
            i = t.index(v)
            if i is None:
                raise ModelError(f"{what}: '{v}' is not a value of {t.name}",
                                 f"use one of {', '.join(t.names)}")
            return i
    elif isinstance(t, Mask):
        if isinstance(v, Iterable) and not isinstance(v, str):
            bits = 0
            for m in v:
                if not (isinstance(m, int) and 0 <= m < t.iset.size):
                    raise ModelError(f"{what}: {m!r} is not a member of {t.iset.name}")
                bits |= 1 << m
            return bits
    elif isinstance(t, Elem):
        if v is None and t.optional:
            return t.none
        if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < t.iset.size:
            return v
        raise ModelError(f"{what}: {v!r} is not a member of {t.iset.name}")
    raise ModelError(f"{what}: {v!r} is not a value of type {t}")


def same_expr(a: Expr, b: Expr) -> bool:
    """Structural equality (bound names by identity), for spotting double assignment."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Const):
        return a.value == b.value
    if isinstance(a, Bound):
        return a.uid == b.uid
    if isinstance(a, Ref):
        return a.var is b.var and len(a.indices) == len(b.indices) and all(
            same_expr(x, y) for x, y in zip(a.indices, b.indices))
    if isinstance(a, Op):
        return a.op == b.op and len(a.args) == len(b.args) and all(
            same_expr(x, y) for x, y in zip(a.args, b.args))
    if isinstance(a, Quant):
        return False
    return a is b


class ModelBuilder:
    """Collects declarations; `build()` returns the immutable Model.

    `params` is the family's Config; a variant's Config also carries its edits
    (`Config.variant_edits`), which the builder applies as the family declares (see variant.py).
    """

    def __init__(self, name: str, params: Any = None, doc: str = ""):
        self.name = name
        self.doc = doc
        self.params = tuple(sorted(dict(params or {}).items()))
        self.loc = caller_loc()
        self.cfg = params
        self._editing = Editing(getattr(params, "variant_edits", None) or ())
        if self._editing.layers:  # a variant: its name, doc and spec line
            last = self._editing.layers[-1]
            self.name, self.loc = last.name, last.loc or self.loc
            self.doc = last.doc or doc
        self._isets: list[IndexSet] = []
        self._vars: list[VarDecl] = []
        self._actions: list[Action] = []
        self._invariants: list[Invariant] = []
        self._auxiliary: list[Invariant] = []
        self._final: Expr | None = None
        self._properties: list[LeadsTo] = []
        self._covers: list[Cover] = []
        self._lanes: IndexSet | None = None
        self._names: dict[str, SrcLoc | None] = {}
        self._kinds: dict[str, str] = {}

    def _claim(self, name: str, kind: str) -> None:
        if not name.isidentifier():
            raise ModelError(f"{kind} name {name!r} is not an identifier")
        if name in self._names:
            raise ModelError(f"{kind} '{name}' is declared twice (first at {self._names[name]})",
                             "give each variable, action and invariant its own name")
        self._editing.fate(name, kind)  # a variant may not drop or replace a variable
        self._names[name] = caller_loc()
        self._kinds[name] = kind

    def _dropped(self, name: str, kind: str) -> bool:
        """A variant drops this declaration (its name is then free for the variant's own)."""
        return isinstance(name, str) and self._editing.fate(name, kind)[0] == "drop"

    def view(self) -> Vars:
        """The variables and index sets declared so far, by name, and `cfg`: what a variant's
        replacement and add= functions receive as `v` (read-only)."""
        return view(self._isets, self._vars, self.cfg)

    # ------------------------------------------------------------ declarations
    def index_set(self, name: str, size: int, symmetric: bool = False, lanes: bool = False) -> IndexSet:
        """A finite index set such as CPU or Page; `lanes` marks the one traces draw as lanes."""
        self._claim(name, "index set")
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ModelError(f"index set {name} needs a positive size, got {size!r}")
        s = Members(name, size, symmetric)
        self._isets.append(s)
        if lanes:
            self._lanes = s
        return s

    @staticmethod
    def enum(name: str, *names: str) -> Enum:
        if len(set(names)) != len(names) or not names:
            raise ModelError(f"enum {name} needs distinct value names")
        return Enum(name, tuple(names))

    def var(self, name: str, type: Type, init: Any, doc: str = "", history: bool = False) -> Ref:
        """A scalar state variable."""
        return self.array(name, (), type, init, doc, history)

    def array(self, name: str, dims: IndexSet | tuple[IndexSet, ...], type: Type, init: Any,
              doc: str = "", history: bool = False) -> Ref:
        """An array over index sets; `init` is a value or a function of the indices. `history`: a
        record of what happened (a hazard seen, a frame copied) that only properties read, like
        TLA+'s history variables; mutants that change only its updates are reported apart."""
        self._claim(name, "variable")
        dims = dims if isinstance(dims, tuple) else (dims,)
        for d in dims:
            if d not in self._isets:
                raise ModelError(f"array {name} is indexed by {d!r}, which is not an index set "
                                 "of this model", "declare it with m.index_set first")
        if not isinstance(type, Type):
            raise ModelError(f"variable {name} has no model type ({type!r})",
                             "use BOOL, IntRange(lo, hi), m.enum(...), Mask(set) or Elem(set)")
        values = []
        for idx in itertools.product(*(d.members for d in dims)):
            v = init(*idx) if callable(init) else init
            values.append(concrete(v, type, f"initial value of {name}{list(idx) if idx else ''}"))
        decl = VarDecl(name, type, dims, tuple(values), caller_loc(), doc, history)
        self._vars.append(decl)
        return Ref(decl)

    def action(self, *params: IndexSet, actor: Callable | None = None, ref: str = "",
               name: str | None = None, doc: str = "", fair: str | None = None,
               environment: bool = False, hardware: bool = False,
               contexts: dict[str, Callable] | None = None) -> Callable:
        """Decorator: the function takes one member per parameter and returns `when(...)`.

        `actor` maps the parameters to the performing CPU; by default the first parameter
        over the lanes index set. `fair` ("weak" or "strong") is what liveness may assume:
        an instance enabled for ever (weak) or again and again (strong) is eventually taken.
        `environment=True`: it happens on its own (hardware walks, user and NMI accesses) and
        is no progress of the protocol: a state that is not final and enables only such
        actions is a deadlock.
        `hardware=True`: the hardware completes what the kernel started (an INVLPGB applied at a CPU,
        RAR microcode): progress like a kernel step (the kernel waits for it), but not kernel code, so a
        mutant that drops one of its guard conjuncts widens the hardware, as for an environment action.
        `contexts`: label -> condition over the parameters, each a context the action must fire
        in (a walk on a lazy CPU, a switch back from another mm): a cover `NAME__LABEL` of its guard
        met there, so that a model that stops taking it there is not a "holds".
        """
        if fair not in (None, "weak", "strong"):
            raise ModelError(f"fair={fair!r}: fairness is 'weak', 'strong' or None")
        if environment and hardware:
            raise ModelError("an action is environment=True (no progress) or hardware=True (progress), not both")
        for p in params:
            if not isinstance(p, IndexSet):
                raise ModelError(f"action parameters are index sets, got {p!r}")

        def register(fn: Callable) -> Callable:
            aname = name or fn.__name__
            loc = SrcLoc(inspect.getsourcefile(fn) or "?", fn.__code__.co_firstlineno)
            if self._dropped(aname, "action"):
                return fn
            self._claim(aname, "action")
            argnames = list(inspect.signature(fn).parameters)
            if len(argnames) != len(params):
                raise ModelError(f"action {aname} has {len(params)} parameter sets but its "
                                 f"function takes {len(argnames)} arguments", loc=loc)
            bounds = tuple(fresh_bound(n, s) for n, s in zip(argnames, params))
            a_ref, a_doc, a_fair = ref, doc or (inspect.getdoc(fn) or ""), fair
            _, rep, layer = self._editing.fate(aname, "action")
            if rep is None:
                step = fn(*bounds)
            else:  # a variant's replacement: same name, parameters, actor, environment flag
                self._editing.check_arity(aname, rep, layer, bounds)
                loc = fn_loc(rep.fn)
                step = rep.fn(self.view(), *bounds)
                a_ref = ref if rep.ref is None else rep.ref
                a_doc = rep.doc if rep.doc is not None else (inspect.getdoc(rep.fn) or a_doc)
                a_fair = fair if rep.fair == KEEP else rep.fair
            if not isinstance(step, Step):
                raise ModelError(f"action {aname} must return when(guard, updates...), "
                                 f"got {type(step).__name__}", loc=loc)
            self._check_step(aname, step, loc)
            who = self._actor(aname, bounds, actor, loc)
            ctxs = tuple((label, _condition(cond(*bounds), f"context {label} of action {aname}"))
                         for label, cond in (contexts or {}).items())
            for label, _ in ctxs:
                self._claim(f"{aname}__{label}", "cover")
            self._actions.append(Action(aname, bounds, step.guard, step.updates, who, a_ref, loc,
                                        a_doc, a_fair, environment, ctxs, hardware))
            return fn

        return register

    def invariant(self, name: str, expr, statement: str, ref: str = "", auxiliary: bool = False,
                  precondition=None) -> None:
        """A property of every reachable state, stated in one line of kernel terms.

        `auxiliary=True`: a strengthening invariant for induction proofs (--prove); checked
        only where a spec names it (Check(invariants=[...]) or Check(strengthen=[...])).
        `precondition`: the state in which the forbidden event is one step away (e.g. a CPU
        holds a TLB entry for a freed frame); a "holds" that never reached it is vacuous.
        """
        if self._dropped(name, "invariant"):
            return
        self._claim(name, "invariant")
        e = _condition(expr, f"invariant {name}")
        pre = None if precondition is None else _condition(precondition, f"the precondition of {name}")
        inv = Invariant(name, e, statement, ref, caller_loc(), pre)
        (self._auxiliary if auxiliary else self._invariants).append(inv)

    def cover(self, name: str, expr, statement: str, ref: str = "") -> None:
        """A situation the design exists for, which must be reachable (stateright's
        `sometimes`, Rumur's `cover`): a "holds" that never reached it is a failure."""
        if self._dropped(name, "cover"):
            return
        self._claim(name, "cover")
        self._covers.append(Cover(name, _condition(expr, f"cover {name}"), statement, ref, caller_loc()))

    def leads_to(self, name: str, trigger, goal, statement: str, ref: str = "") -> None:
        """Liveness: on every fair path, a state where `trigger` holds is followed by one where
        `goal` holds (e.g. every started flush completes)."""
        if self._dropped(name, "property"):
            return
        self._claim(name, "property")
        t, g = lit(trigger), lit(goal)
        for what, e in (("trigger", t), ("goal", g)):
            if e.type != BOOL:
                raise ModelError(f"the {what} of property {name} is {e.type}, not a boolean")
        self._properties.append(LeadsTo(name, t, g, statement, ref, caller_loc()))

    def final(self, expr) -> None:
        """States where stopping is intended (not a deadlock)."""
        e = lit(expr)
        if e.type != BOOL:
            raise ModelError(f"the final-state condition is {e.type}, not a boolean")
        self._final = e

    def build(self) -> Model:
        if not self._editing.added:  # a variant's add= functions, then every edit must have been used
            self._editing.added = True
            for i, e in enumerate(self._editing.layers, 1):
                self._editing.layer = i
                for f in e.add:
                    f(self, self.view())
            self._editing.check_unused(self._kinds)
        if not self._vars:
            raise ModelError(f"model {self.name} declares no variables")
        if not self._actions:
            raise ModelError(f"model {self.name} declares no actions")
        model = Model(self.name, tuple(self._isets), tuple(self._vars), tuple(self._actions),
                      tuple(self._invariants), self._final, self._lanes, self.params, self.loc,
                      self.doc, tuple(self._properties), auxiliary=tuple(self._auxiliary),
                      covers=tuple(self._covers))
        declared = [v for v in self._vars if v.history]
        read = [v for v in declared if v.name not in ghosts(model)] if declared else []
        if read:
            raise ModelError(f"history variable {read[0].name} is read by the model (a guard, an actor, the "
                             "final states or the update of a variable that is not history)",
                             "only properties may read a history variable: drop history=True or the read",
                             read[0].loc)
        return model

    # ------------------------------------------------------------ validation
    def _actor(self, aname, bounds, actor, loc):
        if actor is not None:
            if self._lanes is None:
                raise ModelError(f"action {aname} names an actor but no index set has lanes=True", loc=loc)
            e = lit(actor(*bounds), Elem(self._lanes))
            if e.type != Elem(self._lanes):
                raise ModelError(f"actor of {aname} must be a member of the lanes index set", loc=loc)
            return e
        if self._lanes is not None:
            return next((b for b in bounds if b.iset == self._lanes), None)
        return None

    def _check_step(self, aname: str, step: Step, loc: SrcLoc) -> None:
        g = step.guard
        if isinstance(g, Ref):
            g.complete("guard")
        if g.type != BOOL:
            raise ModelError(f"the guard of action {aname} is `{g}` of type {g.type}, not a boolean",
                             "a guard must be a condition (use ==, &, |, ~)", loc=loc)
        seen: list[Assign] = []
        for u in step.updates:
            if isinstance(u, (list, tuple)):
                raise ModelError(f"action {aname}: a list of updates inside a list of updates",
                                 "when() takes updates and lists of updates: pass the inner lists as "
                                 "separate arguments, or join them with +", loc=loc)
            if not isinstance(u, Assign):
                shown = str(u) if len(str(u)) <= 80 else str(u)[:77] + "..."
                raise ModelError(f"action {aname}: updates are written `var.becomes(value)`, got "
                                 f"{type(u).__name__} `{shown}`", loc=loc)
            t, v = u.target.var.type, u.value
            if isinstance(v, Ref):
                v.complete("assignment")
            if not same_kind(t, v.type):
                raise ModelError(f"action {aname} assigns `{v}` ({v.type}) to {u.target} ({t})",
                                 "the value must have the variable's type", loc=u.loc or loc)
            if isinstance(t, IntRange) and isinstance(v, Const) and not t.lo <= v.value <= t.hi:
                raise ModelError(f"action {aname} assigns {v.value} to {u.target}, outside its "
                                 f"range {t}", "widen the range or fix the update", loc=u.loc or loc)
            for prev in seen:
                if prev.target.var is u.target.var and same_expr(prev.target, u.target):
                    raise ModelError(f"action {aname} assigns {u.target} twice in one step",
                                     "an action's updates are simultaneous: assign each "
                                     "variable at most once (use If for a choice)", loc=u.loc or loc)
            seen.append(u)


def _condition(expr, what: str) -> Expr:
    e = lit(expr)
    if e.type != BOOL:
        raise ModelError(f"{what} is {e.type}, not a boolean")
    return e
