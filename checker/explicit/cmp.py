"""CMP: a proof for every CPU count by explicit search of an abstraction (Chou, Mannava, Park,
"A simple method for parameterized verification of cache coherence protocols", FMCAD 2004).

The family must be parametric (smt/param.py's `generalise`: the model depends on the CPU count only
through the size of one index set P, the members it names — the initiator, CPU 0 — are its *fixed*
members, every other member is alike). The abstract model is the model at K = |fixed| + 2 members:
the fixed ones, one **concrete** member (the first of the others) and one abstract member **Other**
(the last) that stands for every remaining CPU at once, however many there are:

- Other's own state — every element of an array indexed by P at Other, Other's bit of every
  cpumask over P — is not kept: it is *havoc*, any value of its type, at every read. A read is
  a set of values; the expression language is evaluated over sets (`and`, `or`, `ite`, `==`, ...
  take every combination), so a guard may be true, false or both.
- Writes to Other's state are dropped; writes to the rest (the shared state, the fixed and the
  concrete members' state) happen as the model says, once for each value the set allows.
- `forall`/`exists` over P range over the fixed members, the concrete one and Other; Other's
  part is the body over a havoc state, so it can be true or false: it stands for the conjunction
  (disjunction) over all the remaining CPUs, whatever it is. A cpumask over P never knows its
  Other bit: `has(Other)`, `==` and `is_empty` answer both where the known bits agree.
  Two references to Other are not known to be the same CPU (`c == t` answers both). A count of CPUs
  or a cpumask's weight has no such reading: refused.
- The invariants are checked at the fixed and the concrete member (the top-level `forall` over P
  skips Other): by symmetry the concrete member stands for each of the others in turn. A value set
  that contains False breaks the invariant.

Why it is sound for every N ≥ K: take a reachable state of the model with N CPUs and any CPU i
among the non-fixed ones; keep the fixed members and i, and forget the others' own state. That
projection is a reachable abstract state (with i as the concrete member): by induction on the run,
a step of a fixed CPU or of i is the same abstract step (each of its reads of another CPU's state,
or of a quantifier over the others, is in the set the abstract step allows); a step of another
CPU j is an abstract step of Other (its reads of j's state are havoc, its writes to j's state are
dropped, its writes to the rest are kept). So an invariant that holds at the fixed and the
concrete member of every reachable abstract state holds at every CPU of every reachable state at
every N ≥ K. For the counts below K (Other standing for no CPU at all) the explicit search runs at
each of them exactly. No lemma is assumed: where Other's step writes the shared state or another
CPU's, the havoc makes it an over-approximation, which can only make the proof fail (with the
abstract trace, which may be spurious), never succeed wrongly.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from ..errors import UserError
from ..lang.expr import Bound, Const, Expr, Op, Quant, Ref, walk
from ..lang.model import ActionInstance, Invariant, Model, expressions, instances
from ..lang.types import Elem, Mask
from .layout import Layout

T, F = frozenset((True,)), frozenset((False,))
TF = frozenset((False, True))
_NOT = {T: F, F: T, TF: TF, frozenset(): frozenset()}
_ONE: dict = {}


def _one(x) -> frozenset:
    """{x}, shared."""
    s = _ONE.get((type(x), x))
    if s is None:
        s = _ONE[(type(x), x)] = frozenset((x,))
    return s


class NoAbstraction(UserError):
    """The model uses something the CMP abstraction has no reading of (exit 2, located)."""


@dataclass
class CmpOutcome:
    status: str                          # proved | broken | limit
    states: int = 0                      # abstract states reached
    transitions: int = 0
    seconds: float = 0.0
    broken: Invariant | None = None
    path: list[tuple] = field(default_factory=list)   # abstract states, Other's part canonical
    via: list[int] = field(default_factory=list)      # instance numbers into instances(model)


class Abstraction:
    """The model at K members of P, read with Other's state havoc (see the module doc)."""

    def __init__(self, model: Model, pname: str, other: int):
        self.model = model
        self.layout = Layout.of(model)
        self.p = pname
        self.O = other
        self.insts: list[ActionInstance] = instances(model)
        # the slots that hold Other's state, kept at their initial value (never read)
        self.own: dict[int, object] = {}
        for v in model.vars:
            pd = [k for k, d in enumerate(v.dims) if d.name == pname]
            for idx in itertools.product(*(d.members for d in v.dims)):
                k = self.layout.slot(v, idx)
                if any(idx[j] == other for j in pd):
                    self.own[k] = v.init[k - self.layout.base(v)]
        self.pmask = {self.layout.base(v) + i for v in model.vars if self._is_pmask(v.type)
                      for i in range(v.size)}
        self.obit = ~(1 << other)
        self._fns: dict[int, object] = {}
        self._keep: list[Expr] = []      # the compiled expressions stay alive: their ids stay theirs
        self._check(model)
        # the instances that can change the abstract state: not those that write Other's state only
        self.live = [k for k, inst in enumerate(self.insts) if not self._writes_only_other(inst)]

    def _writes_only_other(self, inst: ActionInstance) -> bool:
        env = {b.uid: v for b, v in zip(inst.action.params, inst.args)}
        for u in inst.action.updates:
            if not all(isinstance(i, (Const, Bound)) for i in u.target.indices):
                return False
            if None not in self.slots(u.target, env, ()):
                return False
        return True

    # ------------------------------------------------------------------ what it refuses
    def _is_pmask(self, t) -> bool:
        return isinstance(t, Mask) and t.iset.name == self.p

    def _check(self, model: Model) -> None:
        for what, loc, e in expressions(model):
            for n in walk(e):
                if isinstance(n, Quant) and n.var.iset.name == self.p and n.kind not in ("forall", "exists"):
                    raise NoAbstraction(f"{what} counts {self.p}s (`{n}`): the CMP abstraction has no "
                                        f"reading of a count over {self.p}s when one member stands for "
                                        "any number of them", loc, "state it with forall/exists")
                if isinstance(n, Op) and n.op in ("lt", "le") and isinstance(n.args[0].type, Elem) \
                        and n.args[0].type.iset.name == self.p:
                    raise NoAbstraction(f"{what} orders {self.p}s (`{n}`): the CMP abstraction needs the "
                                        f"{self.p}s the model does not name to be alike", loc,
                                        "compare them with == and != only")
                if isinstance(n, Op) and n.op == "msize" and self._is_pmask(n.args[0].type):
                    raise NoAbstraction(f"{what} takes the weight of a cpumask (`{n}`): the CMP abstraction "
                                        "does not know how many CPUs Other stands for", loc,
                                        "compare the mask with another (==, is_empty) instead")

    # ------------------------------------------------------------------ the state
    def canonical(self, st: tuple) -> tuple:
        """Other's slots at their initial values, Other's bit of every cpumask over P clear."""
        out = list(st)
        for k, x in self.own.items():
            out[k] = x
        for k in self.pmask:
            out[k] &= self.obit
        return tuple(out)

    # ------------------------------------------------------------------ expressions over sets
    def ev(self, e: Expr, env: dict[int, int], st: tuple) -> frozenset:
        """The values e may take in st (a set: more than one where Other's state is read)."""
        f = self._fns.get(id(e))
        if f is None:
            f = self._fns[id(e)] = self._compile(e)
            self._keep.append(e)
        return f(env, st)

    def slots(self, r: Ref, env, st) -> list:
        """The slots r may denote (None: Other's state)."""
        v = r.var
        idx_sets = [sorted(self.ev(i, env, st)) for i in r.indices]
        out = []
        for idx in itertools.product(*idx_sets):
            if any(not 0 <= i < d.size for i, d in zip(idx, v.dims)):
                continue                  # a none index: the model errs there, no value
            if any(i == self.O and d.name == self.p for i, d in zip(idx, v.dims)):
                out.append(None)
            else:
                out.append(self.layout.slot(v, idx))
        return out

    def _compile(self, e: Expr):
        """e as a function of (env, state) to its value set: the IR is walked once per expression."""
        if isinstance(e, Const):
            v = frozenset((e.value,))
            return lambda env, st: v
        if isinstance(e, Bound):
            uid = e.uid
            return lambda env, st: _one(env[uid])
        if isinstance(e, Ref):
            return self._ref(e)
        if isinstance(e, Quant):
            return self._quant(e)
        return self._op(e)

    def _ref(self, r: Ref):
        v = r.var
        base, strides = self.layout.base(v), self.layout.strides(v)
        anyv = frozenset(v.type.values())
        ix = [(self._fn_of(i), st_, d.size, d.name == self.p) for i, st_, d in zip(r.indices, strides, v.dims)]
        O = self.O
        if not ix:
            return lambda env, st: _one(st[base])

        def read(env, st):
            slots = [base]
            for f, stride, size, isp in ix:
                vals = f(env, st)
                if len(vals) == 1:
                    (i,) = vals
                    if not 0 <= i < size:
                        return frozenset()
                    if isp and i == O:
                        return anyv
                    slots = [k + i * stride for k in slots]
                else:
                    if isp and O in vals:
                        return anyv
                    slots = [k + i * stride for k in slots for i in vals if 0 <= i < size]
            if len(slots) == 1:
                return _one(st[slots[0]])
            return frozenset(st[k] for k in slots)
        return read

    def _fn_of(self, e: Expr):
        f = self._fns.get(id(e))
        if f is None:
            f = self._fns[id(e)] = self._compile(e)
            self._keep.append(e)
        return f

    def _quant(self, q: Quant):
        body, uid, members = self._fn_of(q.body), q.var.uid, q.var.iset.members
        if q.kind not in ("forall", "exists"):
            def count(env, st):
                vals = {0}
                for m in members:
                    b = body({**env, uid: m}, st)
                    vals = {x + int(y) for x in vals for y in b}
                return frozenset(vals)
            return count
        conj = q.kind == "forall"
        stop, done = (F, T) if conj else (T, F)

        def quant(env, st):
            maybe = False
            e2 = dict(env)
            for m in members:
                e2[uid] = m
                b = body(e2, st)
                if b == stop:
                    return stop
                if len(b) > 1:
                    maybe = True
            return TF if maybe else done
        return quant

    def _op(self, e: Op):
        o = e.op
        fs = [self._fn_of(x) for x in e.args]
        if o in ("and", "or"):
            conj = o == "and"
            stop, done = (F, T) if conj else (T, F)

            def junction(env, st):
                maybe = False
                for f in fs:
                    b = f(env, st)
                    if b == stop:
                        return stop
                    if len(b) > 1:
                        maybe = True
                return TF if maybe else done
            return junction
        if o == "not":
            f0 = fs[0]
            return lambda env, st: _NOT[f0(env, st)]
        if o == "implies":
            fa, fb = fs

            def implies(env, st):
                a = fa(env, st)
                if a == F:
                    return T
                b = fb(env, st)
                return frozenset((not x) or y for x in a for y in b)
            return implies
        if o == "ite":
            fc, fa, fb = fs

            def ite(env, st):
                c = fc(env, st)
                if c == T:
                    return fa(env, st)
                if c == F:
                    return fb(env, st)
                return fa(env, st) | fb(env, st)
            return ite
        t0 = e.args[0].type
        if self._is_pmask(t0):
            return lambda env, st: self._mask(o, [f(env, st) for f in fs], e)
        O = self.O
        from .compile import _fold
        if o in ("eq", "ne") and isinstance(t0, Elem) and t0.iset.name == self.p:
            want = o == "eq"

            def same_cpu(env, st):
                out = set()
                for x, y in itertools.product(*[f(env, st) for f in fs]):
                    if x == y == O:      # two CPUs Other stands for: the same one or not
                        return TF
                    out.add((x == y) == want)
                return frozenset(out)
            return same_cpu
        if len(fs) == 2:
            fa, fb = fs

            def binop(env, st):
                a, b = fa(env, st), fb(env, st)
                if len(a) == 1 and len(b) == 1:
                    (x,), (y,) = a, b
                    return _one(_fold(o, [x, y], e))
                return frozenset(_fold(o, [x, y], e) for x in a for y in b)
            return binop
        return lambda env, st: frozenset(_fold(o, list(xs), e) for xs in itertools.product(*[f(env, st) for f in fs]))

    def _mask(self, o: str, args, e: Op) -> frozenset:
        """cpumask operators with Other's bit unknown (stored clear)."""
        ob = self.obit
        out = set()
        for xs in itertools.product(*args):
            m = xs[0] & ob
            if o == "has":
                if xs[1] == self.O:
                    out |= TF
                else:
                    out.add(bool(m >> xs[1] & 1))
            elif o == "madd":
                out.add(m if xs[1] == self.O else m | (1 << xs[1]))
            elif o == "mdel":
                out.add(m if xs[1] == self.O else m & ~(1 << xs[1]))
            elif o == "mnot":
                out.add((m ^ ((1 << e.type.iset.size) - 1)) & ob)
            elif o in ("mand", "mor"):
                n = xs[1] & ob
                out.add((m & n) if o == "mand" else (m | n))
            elif o in ("eq", "ne"):
                if m != xs[1] & ob:
                    out.add(o == "ne")
                else:
                    out |= TF            # the known bits agree; Other's may not
            else:                        # pragma: no cover - msize refused in _check
                raise NoAbstraction(f"`{e}`: no CMP reading of {o}")
        return frozenset(out)

    # ------------------------------------------------------------------ steps and checks
    def successors(self, st: tuple):
        """(instance number, successor) for every abstract step from st."""
        for k in self.live:
            inst = self.insts[k]
            a = inst.action
            env = {b.uid: v for b, v in zip(a.params, inst.args)}
            if True not in self.ev(a.guard, env, st):
                continue
            choices = []   # per update: the (slot, value) writes it may make (None: dropped)
            for u in a.updates:
                vals = self.ev(u.value, env, st)
                ws = set()
                for sl in self.slots(u.target, env, st):
                    if sl is None:
                        ws.add(None)
                    elif sl in self.pmask:
                        ws.update((sl, x & self.obit) for x in vals)
                    else:
                        ws.update((sl, x) for x in vals)
                if ws and ws != {None}:
                    choices.append(sorted(ws, key=repr))
            seen = set()
            for combo in itertools.product(*choices):
                out = list(st)
                for w in combo:
                    if w is not None:
                        out[w[0]] = w[1]
                nxt = tuple(out)
                if nxt not in seen:
                    seen.add(nxt)
                    yield k, nxt

    def broken(self, invs: tuple[Invariant, ...], st: tuple) -> Invariant | None:
        for inv in invs:
            if False in self._holds(inv.expr, {}, st):
                return inv
        return None

    def _holds(self, e: Expr, env, st) -> frozenset:
        """An invariant's values with its leading foralls (and conjunctions) taken apart, those over
        P at the fixed and concrete members only (by symmetry the concrete one stands for each of
        Other's); it holds where the set has no False."""
        if isinstance(e, Quant) and e.kind == "forall":
            out = set()
            for m in e.var.iset.members:
                if m != self.O or e.var.iset.name != self.p:
                    out |= self._holds(e.body, {**env, e.var.uid: m}, st)
            return frozenset(out)
        if isinstance(e, Op) and e.op == "and":
            out = set()
            for x in e.args:
                out |= self._holds(x, env, st)
            return frozenset(out)
        if isinstance(e, Op) and e.op == "implies":   # A -> forall i. B(i) is forall i. A -> B(i)
            a = self.ev(e.args[0], env, st)
            if True not in a:
                return T
            return self._holds(e.args[1], env, st) | (T if False in a else frozenset())
        return self.ev(e, env, st)


def projector(ab: Abstraction, model_n: Model, fixed: tuple[int, ...], i: int):
    """A function from states of the model at N CPUs to the abstract states that keep the fixed
    members and CPU i (as the concrete member) and forget the others' own state: what the soundness
    argument says is reachable (tests/test_prove_all.py checks it on every reachable state at 3 CPUs)."""
    p, O = ab.p, ab.O
    conc = next(m for m in range(O) if m not in fixed)

    def back(m):       # an abstract member's number at N
        return m if m in fixed else i

    lay_n = Layout.of(model_n)
    vn = {v.name: v for v in model_n.vars}
    plan = []          # (abstract slot, slot at N, how to map the value)
    for v in ab.model.vars:
        w = vn[v.name]
        t = v.type
        how = None
        if isinstance(t, Mask) and t.iset.name == p:
            how = ("mask", tuple((m, back(m)) for m in range(O)))
        elif isinstance(t, Elem) and t.iset.name == p:
            size = w.type.iset.size
            how = ("elem", {x: (t.none if x == size else x if x in fixed else conc if x == i else O)
                            for x in range(size + 1)})
        for idx in itertools.product(*(d.members for d in v.dims)):
            k = ab.layout.slot(v, idx)
            if k not in ab.own:
                nidx = tuple(back(m) if d.name == p else m for m, d in zip(idx, v.dims))
                plan.append((k, lay_n.slot(w, nidx), how))
    base = list(ab.canonical(ab.layout.initial()))

    def project(state: tuple) -> tuple:
        out = list(base)
        for k, kn, how in plan:
            x = state[kn]
            if how is not None:
                x = sum(1 << m for m, b in how[1] if x >> b & 1) if how[0] == "mask" else how[1][x]
            out[k] = x
        return tuple(out)
    return project


def search(ab: Abstraction, invs: tuple[Invariant, ...], time_limit: float | None = None,
           max_states: int = 2_000_000) -> CmpOutcome:
    """Breadth-first search of the abstract model; the shortest abstract path to a broken invariant."""
    t0 = time.perf_counter()
    init = ab.canonical(ab.layout.initial())
    parent: dict[tuple, tuple[tuple, int] | None] = {init: None}
    out = CmpOutcome("proved")
    frontier = [init]

    def path_to(s):
        path, via = [s], []
        while parent[s] is not None:
            s, k = parent[s]
            path.append(s)
            via.append(k)
        return path[::-1], via[::-1]

    bad = ab.broken(invs, init)
    if bad is not None:
        out.status, out.broken, out.path = "broken", bad, [init]
        return out
    while frontier:
        nxt = []
        for s in frontier:
            for k, t in ab.successors(s):
                out.transitions += 1
                if t in parent:
                    continue
                parent[t] = (s, k)
                bad = ab.broken(invs, t)
                if bad is not None:
                    out.status, out.broken = "broken", bad
                    out.path, out.via = path_to(t)
                    out.states = len(parent)
                    out.seconds = time.perf_counter() - t0
                    return out
                nxt.append(t)
            if (time_limit is not None and time.perf_counter() - t0 > time_limit) or len(parent) > max_states:
                out.status = "limit"
                out.states = len(parent)
                out.seconds = time.perf_counter() - t0
                return out
        frontier = nxt
    out.states = len(parent)
    out.seconds = time.perf_counter() - t0
    return out
