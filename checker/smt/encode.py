"""The IR as Z3 terms: Init(s), Trans(s, s', a), Inv(s) over per-element constants.

A state is a list of Z3 constants, one per slot of the explicit backend's `Layout` (so a
Z3 model turns back into the same packed tuple the explicit explorer uses):

- bool -> Bool; enum -> BitVec of just enough bits (plus `ULE` to its last value);
- member of an index set (`Elem`) -> BitVec holding 0..size (size means none);
- cpumask -> BitVec with one bit per member;
- bounded int -> a signed BitVec of one width for the whole model, wide enough for every
  intermediate value (`IntRange` bounds of every node), so `+`, `-`, `<` never wrap
  (or, with `ints="int"`, a Z3 Int with range constraints: about as fast with the
  QF_FD solver, 10-30% slower with the default one; kept for comparison).

Arrays over index sets are separate constants per element, never Z3 arrays; quantifiers
over index sets and action parameters are unrolled for the fixed sizes.

Trans(s, t, a): `a` is a bit-vector selecting one action instance (the ones whose guard
is not constantly false, in `instances(model)` order); each slot of t is an if-then-else
over the instances that write it, with the old value as the default (the frame condition),
so the encoding grows with the number of updates, not instances x variables.

Folding: expressions whose value is known (action parameters, constants) are folded to
Python values, exactly like the explicit code generator folds them, and are lifted to Z3
only where they meet a symbolic term.
"""
from __future__ import annotations

import itertools
from typing import Any, Sequence

import z3

from ..explicit.layout import Layout
from ..lang.expr import Assign, Bound, Const, Expr, Op, Quant, Ref, walk
from ..lang.model import ActionInstance, Model, instances
from ..lang.types import BoolType, Elem, Enum, IntRange, Mask, Type

Term = Any  # a Z3 expression, or a Python bool/int when the value is known


def _bits(n_values: int) -> int:
    return max(1, (n_values - 1).bit_length())


def _signed_bits(lo: int, hi: int) -> int:
    b = 1
    while not (-(1 << (b - 1)) <= lo and hi <= (1 << (b - 1)) - 1):
        b += 1
    return b


def is_z3(x) -> bool:
    return isinstance(x, z3.ExprRef)


def _and(parts) -> Term:
    live = []
    for p in parts:
        if is_z3(p):
            live.append(p)
        elif not p:
            return False
    if not live:
        return True
    return live[0] if len(live) == 1 else z3.And(live)


def _or(parts) -> Term:
    live = []
    for p in parts:
        if is_z3(p):
            live.append(p)
        elif p:
            return True
    if not live:
        return False
    return live[0] if len(live) == 1 else z3.Or(live)


def _not(p) -> Term:
    return z3.Not(p) if is_z3(p) else (not p)


class Encoding:
    """One model's Z3 encoding; states are made with `state(tag)`."""

    def __init__(self, model: Model, ints: str = "bv", ctx: z3.Context | None = None):
        if ints not in ("bv", "int"):
            raise ValueError(ints)
        self.model = model
        self.ints = ints
        # a context of its own: Z3's choice of model (so the trace shown) then depends only on
        # this encoding, not on what else the process asked Z3 before (determinism)
        self.ctx = ctx if ctx is not None else z3.Context()
        self.layout = Layout.of(model)
        self.slot_types: list[Type] = [v.type for v in model.vars for _ in range(v.size)]
        self.slot_names: list[str] = []
        for v in model.vars:
            for idx in itertools.product(*(d.members for d in v.dims)):
                self.slot_names.append(v.name + "".join(f"[{i}]" for i in idx))
        self.initial = self.layout.initial()
        self.insts: list[ActionInstance] = instances(model)
        self.int_width = self._int_width()
        # the instances that can fire (guard not constantly false), as indices into insts
        self.live: list[int] = [k for k, inst in enumerate(self.insts)
                                if not (not is_z3(g := self._guard_const(inst)) and not g)]
        self.sel_width = _bits(max(2, len(self.live)))

    # ------------------------------------------------------------------ sorts and values
    def _int_width(self) -> int:
        lo, hi = 0, 1
        exprs: list[Expr] = [i.expr for i in self.model.invariants]
        exprs += [i.expr for i in getattr(self.model, "auxiliary", ())]
        if self.model.final is not None:
            exprs.append(self.model.final)
        for a in self.model.actions:
            exprs.append(a.guard)
            exprs += [u.value for u in a.updates] + [u.target for u in a.updates]
        types = [v.type for v in self.model.vars]
        for e in exprs:
            types += [n.type for n in walk(e)]
        for t in types:
            if isinstance(t, IntRange):
                lo, hi = min(lo, t.lo), max(hi, t.hi)
        # one spare bit: a sum or difference of two in-range values never wraps
        return _signed_bits(lo, hi) + 1

    def sort(self, t: Type) -> z3.SortRef:
        if isinstance(t, BoolType):
            return z3.BoolSort(self.ctx)
        if isinstance(t, Enum):
            return z3.BitVecSort(_bits(len(t.names)), self.ctx)
        if isinstance(t, Elem):
            return z3.BitVecSort(_bits(t.iset.size + 1), self.ctx)
        if isinstance(t, Mask):
            return z3.BitVecSort(t.iset.size, self.ctx)
        if isinstance(t, IntRange):
            return z3.IntSort(self.ctx) if self.ints == "int" else z3.BitVecSort(self.int_width, self.ctx)
        raise TypeError(t)

    def lift(self, x: Term, t: Type) -> z3.ExprRef:
        """A known value as a Z3 constant of the sort of type t."""
        if is_z3(x):
            return x
        s = self.sort(t)
        if isinstance(t, BoolType):
            return z3.BoolVal(bool(x), self.ctx)
        if isinstance(s, z3.BitVecSortRef):
            return z3.BitVecVal(int(x), s.size(), self.ctx)
        return z3.IntVal(int(x), self.ctx)

    def _lift_like(self, x: Term, other: Term, t: Type) -> z3.ExprRef:
        if is_z3(x):
            return x
        if is_z3(other):
            s = other.sort()
            if isinstance(s, z3.BoolSortRef):
                return z3.BoolVal(bool(x), self.ctx)
            if isinstance(s, z3.BitVecSortRef):
                return z3.BitVecVal(int(x), s.size(), self.ctx)
            return z3.IntVal(int(x), self.ctx)
        return self.lift(x, t)

    def typed(self, k: int, x: z3.ExprRef) -> Term:
        """The type constraint of slot k's value x (True where every bit pattern is a value)."""
        t = self.slot_types[k]
        if isinstance(t, (Enum, Elem)):
            n = len(t.values())
            w = x.size()
            return True if n == 1 << w else z3.ULE(x, z3.BitVecVal(n - 1, w, self.ctx))
        if isinstance(t, IntRange):
            if self.ints == "int":
                return z3.And(x >= t.lo, x <= t.hi)
            # signed comparisons on purpose: ints are two's complement of int_width bits
            return z3.And(x >= z3.BitVecVal(t.lo, self.int_width, self.ctx),
                          x <= z3.BitVecVal(t.hi, self.int_width, self.ctx))
        return True

    def int_slots(self) -> list[int]:
        return [k for k, t in enumerate(self.slot_types) if isinstance(t, IntRange)]

    def solver(self) -> z3.Solver:
        """A solver for this encoding's logic: the QF_BV (or QF_FD) solver was 10-30x faster
        than the default one in BMC on the flush models."""
        return z3.SolverFor("QF_BV" if self.ints == "bv" else "QF_FD", ctx=self.ctx)

    # ------------------------------------------------------------------ states
    def state(self, tag: str) -> list[z3.ExprRef]:
        return [z3.Const(f"{n}@{tag}", self.sort(t)) for n, t in zip(self.slot_names, self.slot_types)]

    def selector(self, tag: str) -> z3.BitVecRef:
        return z3.BitVec(f"action@{tag}", self.sel_width, self.ctx)

    def typed_state(self, s: Sequence[z3.ExprRef], ints_only: bool = False) -> Term:
        ks = self.int_slots() if ints_only else range(len(s))
        return _and(self.typed(k, s[k]) for k in ks)

    def init(self, s: Sequence[z3.ExprRef]) -> z3.ExprRef:
        return z3.And([x == self.lift(v, t) for x, v, t in zip(s, self.initial, self.slot_types)])

    def value(self, k: int, x: z3.ExprRef):
        """A Z3 model value of slot k back to the explicit backend's packed form."""
        t = self.slot_types[k]
        if isinstance(t, BoolType):
            return z3.is_true(x)
        if isinstance(t, IntRange) and self.ints == "bv":
            return x.as_signed_long()
        return x.as_long()

    def decode(self, m: z3.ModelRef, s: Sequence[z3.ExprRef]) -> tuple:
        return tuple(self.value(k, m.eval(x, model_completion=True)) for k, x in enumerate(s))

    def concrete(self, values: Sequence) -> list[z3.ExprRef]:
        """A packed state as Z3 constants (for evaluating terms on a known state)."""
        return [self.lift(v, t) for v, t in zip(values, self.slot_types)]

    # ------------------------------------------------------------------ expressions
    def expr(self, e: Expr, env: dict[int, int], s: Sequence[z3.ExprRef]) -> Term:
        if isinstance(e, Const):
            return e.value
        if isinstance(e, Bound):
            return env[e.uid]
        if isinstance(e, Ref):
            return self._ref(e, env, s)
        if isinstance(e, Quant):
            return self._quant(e, env, s)
        if isinstance(e, Op):
            return self._op(e, env, s)
        raise TypeError(f"unknown expression node {e!r}")

    def ref_slots(self, r: Ref, env, s) -> list[tuple[Term, int]]:
        """(condition, slot) pairs: the slot r denotes under each condition (one, if indices are known)."""
        v = r.var
        base = self.layout.base(v)
        opts: list[tuple[Term, int]] = [(True, base)]
        for i, stride, dim in zip(r.indices, self.layout.strides(v), v.dims):
            x = self.expr(i, env, s)
            if not is_z3(x):
                if not 0 <= x < dim.size:
                    raise IndexError(f"index {x} of {v.name} is not a member of {dim.name}")
                opts = [(c, k + x * stride) for c, k in opts]
            else:
                w = x.size()
                opts = [(_and([c, x == z3.BitVecVal(m, w, self.ctx)]), k + m * stride)
                        for c, k in opts for m in dim.members]
        return opts

    def _ref(self, r: Ref, env, s) -> Term:
        opts = self.ref_slots(r, env, s)
        if len(opts) == 1:
            return s[opts[0][1]]
        # a dynamic index: an if-then-else chain (an optional index holding none reads the last member)
        out = s[opts[-1][1]]
        for c, k in reversed(opts[:-1]):
            out = z3.If(c, s[k], out)
        return out

    def _quant(self, q: Quant, env, s) -> Term:
        bodies = [self.expr(q.body, {**env, q.var.uid: m}, s) for m in q.var.iset.members]
        if q.kind == "forall":
            return _and(bodies)
        if q.kind == "exists":
            return _or(bodies)
        if q.kind == "count":
            bodies = [(1 if b else 0) if not is_z3(b) else
                      z3.If(b, self.lift(1, q.type), self.lift(0, q.type)) for b in bodies]
        return self._sum(bodies, q.type)

    def _sum(self, parts, t: Type) -> Term:
        k = sum(p for p in parts if not is_z3(p))
        live = [p for p in parts if is_z3(p)]
        if not live:
            return k
        out = live[0]
        for p in live[1:]:
            out = out + p
        return out + self.lift(k, t) if k else out

    def _op(self, e: Op, env, s) -> Term:
        o = e.op
        if o == "and":
            return _and([self.expr(x, env, s) for x in e.args])
        if o == "or":
            return _or([self.expr(x, env, s) for x in e.args])
        if o == "not":
            return _not(self.expr(e.args[0], env, s))
        if o == "implies":
            return _or([_not(self.expr(e.args[0], env, s)), self.expr(e.args[1], env, s)])
        if o == "ite":
            c = self.expr(e.args[0], env, s)
            if not is_z3(c):
                return self.expr(e.args[1] if c else e.args[2], env, s)
            a, b = self.expr(e.args[1], env, s), self.expr(e.args[2], env, s)
            if not is_z3(a) and not is_z3(b) and a == b:
                return a
            return z3.If(c, self._lift_like(a, b, e.type), self._lift_like(b, a, e.type))
        a = [self.expr(x, env, s) for x in e.args]
        if not any(is_z3(x) for x in a):
            from ..explicit.compile import _fold
            return _fold(o, a, e)
        if o in ("eq", "ne"):
            t = e.args[0].type
            x, y = self._lift_like(a[0], a[1], t), self._lift_like(a[1], a[0], e.args[1].type)
            return x == y if o == "eq" else x != y
        if o in ("lt", "le", "add", "sub"):
            x, y = self.lift(a[0], e.args[0].type), self.lift(a[1], e.args[1].type)
            # bounded ints are signed bit-vectors wide enough never to wrap: signed < is right
            return {"lt": lambda: x < y, "le": lambda: x <= y,
                    "add": lambda: x + y, "sub": lambda: x - y}[o]()
        mt = e.args[0].type
        n = mt.iset.size if isinstance(mt, Mask) else 0
        if o == "has":
            x, m = self.lift(a[0], mt), a[1]
            if not is_z3(m):
                return z3.Extract(m, m, x) == z3.BitVecVal(1, 1, self.ctx)
            return z3.Extract(0, 0, z3.LShR(x, self._widen(m, n))) == z3.BitVecVal(1, 1, self.ctx)
        if o in ("madd", "mdel"):
            x, m = self.lift(a[0], mt), a[1]
            bit = (z3.BitVecVal(1 << m, n, self.ctx) if not is_z3(m)
                   else z3.BitVecVal(1, n, self.ctx) << self._widen(m, n))
            return x | bit if o == "madd" else x & ~bit
        if o == "mnot":
            return ~self.lift(a[0], mt)
        if o in ("mand", "mor"):
            x, y = self.lift(a[0], mt), self.lift(a[1], mt)
            return x & y if o == "mand" else x | y
        if o == "msize":
            x = self.lift(a[0], mt)
            one, zero = self.lift(1, e.type), self.lift(0, e.type)
            return self._sum([z3.If(z3.Extract(i, i, x) == z3.BitVecVal(1, 1, self.ctx), one, zero)
                              for i in range(n)], e.type)
        raise TypeError(f"unknown operator {o}")

    def _widen(self, m: z3.BitVecRef, n: int) -> z3.BitVecRef:
        w = m.size()
        return z3.ZeroExt(n - w, m) if n > w else (z3.Extract(n - 1, 0, m) if w > n else m)

    # ------------------------------------------------------------------ model pieces
    def _guard_const(self, inst: ActionInstance) -> Term:
        if not hasattr(self, "_dummy"):
            self._dummy = self.state("fold")
        return self.expr(inst.action.guard, inst.bindings, self._dummy)

    def guard(self, k: int, s) -> Term:
        inst = self.insts[k]
        return self.expr(inst.action.guard, inst.bindings, s)

    def enabled(self, s) -> Term:
        return _or(self.guard(k, s) for k in self.live)

    def deadlock(self, s) -> Term:
        """Not final, and no action but the environment's enabled (as the explicit search says)."""
        fin = self.expr(self.model.final, {}, s) if self.model.final is not None else False
        progress = _or(self.guard(k, s) for k in self.live if not self.insts[k].action.environment)
        return _and([_not(progress), _not(fin)])

    def inv(self, expr: Expr, s) -> Term:
        return self.expr(expr, {}, s)

    def updates(self, k: int, s) -> list[tuple[Assign, Term, list[tuple[Term, int]]]]:
        """Instance k's updates: (assignment, value, [(condition, target slot)]) — static ones first."""
        inst = self.insts[k]
        env = inst.bindings
        out = []
        for u in inst.action.updates:
            out.append((u, self.expr(u.value, env, s), self.ref_slots(u.target, env, s)))
        out.sort(key=lambda x: len(x[2]) > 1)
        return out

    def fires(self, s, a) -> Term:
        """Selector a picks a live instance whose guard holds in s."""
        return _or(_and([a == z3.BitVecVal(j, self.sel_width, self.ctx), self.guard(k, s)])
                   for j, k in enumerate(self.live))

    def next_terms(self, s, a) -> list[Term]:
        """Each slot's value after the instance that selector a picks (unchanged if it writes none)."""
        writes: dict[int, list[tuple[Term, Term]]] = {}
        for j, k in enumerate(self.live):
            sel = a == z3.BitVecVal(j, self.sel_width, self.ctx)
            for u, val, slots in self.updates(k, s):
                for c, slot in slots:
                    writes.setdefault(slot, []).append((_and([sel, c]), val))
        out = []
        for slot, x in enumerate(s):
            nxt: Term = x
            for c, val in writes.get(slot, ()):
                nxt = z3.If(c, self.lift(val, self.slot_types[slot]), nxt)
            out.append(nxt)
        return out

    def trans(self, s, t, a) -> list[Term]:
        """Constraints: t follows from s by the live instance that selector a picks."""
        return [self.fires(s, a)] + [y == n for y, n in zip(t, self.next_terms(s, a))]

    def overflow(self, s) -> Term:
        """Some enabled instance assigns a bounded int outside its range (an error, as in explicit)."""
        bad = []
        for k in self.live:
            for u, val, slots in self.updates(k, s):
                t, vt = u.target.var.type, u.value.type
                if isinstance(t, IntRange) and isinstance(vt, IntRange) and not (t.lo <= vt.lo and vt.hi <= t.hi):
                    lo, hi = self.lift(t.lo, t), self.lift(t.hi, t)
                    v = self.lift(val, t)
                    bad.append(_and([self.guard(k, s), z3.Or(v < lo, v > hi)]))
        return _or(bad)

    def known(self, x: Term, t: Type):
        """A term over a concrete state (see `concrete`) as a plain value of type t."""
        if not is_z3(x):
            return x
        v = z3.simplify(x)
        if isinstance(t, BoolType):
            if not (z3.is_true(v) or z3.is_false(v)):
                raise ValueError(f"not a known value: {v}")
            return z3.is_true(v)
        if isinstance(t, IntRange) and self.ints == "bv":
            return v.as_signed_long()
        return v.as_long()

    def overflow_detail(self, state: tuple) -> tuple[int, Assign, int] | None:
        """On a concrete state: (instance, assignment, value) of the first out-of-range update."""
        s = self.concrete(state)
        for k in self.live:
            if not self.known(self.guard(k, s), BoolType()):
                continue
            for u, val, slots in self.updates(k, s):
                t = u.target.var.type
                if isinstance(t, IntRange):
                    v = self.known(val, t)
                    if not t.lo <= v <= t.hi:
                        return k, u, v
        return None

    def differ(self, s, t) -> z3.ExprRef:
        return z3.Or([x != y for x, y in zip(s, t)])
