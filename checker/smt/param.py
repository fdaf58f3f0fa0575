"""The IR with the CPU count left open: one index set as an unbounded Z3 sort.

`generalise` builds a check's model at two CPU counts and finds the index set whose size follows
`cpus` (CPU, or a set of responders sized cpus - 1) — the *parametric* set P. The two builds
must be the same model up to P's size: the same variables, actions, invariants, expressions and
types, with P's members named only as the *fixed* members (the constants the model writes, e.g.
the initiator CPU 0), and every initial value and cpumask constant uniform over the other members
(`mm_cpumask` = every CPU, `ALL_REMOTE` = every CPU but 0). Anything else — a loop over
`range(cpus)` in the builder, a range or a constant that grows with the CPU count, `count(CPU, ...)`
or `.weight()` on a cpumask — is refused with the declaration it comes from (a UserError, exit 2).

`ParamEncoding` then states the model over a Z3 uninterpreted sort for P:

- the fixed members are distinct constants of the sort (`cpu0`), and the sort has at least as
  many elements as the smallest CPU count the family takes;
- a variable indexed by P is an uninterpreted function from the sort (one per choice of the other,
  finite, indices); a cpumask over P is a predicate on the sort, `mask.has(c)` its application,
  `with_`/`without` pointwise updates, `==` between masks a quantified equality;
- `forall`/`exists` over P are Z3 quantifiers; over the finite index sets they are unrolled;
- action parameters over P are fresh constants of the sort (one query per action), finite
  parameters are unrolled; the successor state is not a new set of variables but the old
  functions read through the action's updates (an if-then-else on the index), so there are no
  frame conditions at all.

Enums and members of finite index sets are Z3 enumeration sorts, bounded ints are Z3 Ints with
their ranges stated (for every member of P, as a quantified fact). Every query is in the
essentially uninterpreted fragment with no function into the sort — its variables occur only as
arguments of the state functions and in equalities — where Z3's model-based quantifier
instantiation (MBQI) is a decision procedure; a "sat" comes with a finite model, i.e. a concrete
state of some CPU count.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable

import z3

from ..errors import SrcLoc, UserError
from ..lang.expr import Bound, Const, Expr, Op, Quant, Ref, VarDecl, walk
from ..lang.model import Action, Model, expressions
from ..lang.types import BoolType, Elem, Enum, IndexSet, IntRange, Mask, Type
from .encode import _and, _not, _or, is_z3


class NotParametric(UserError):
    """The model cannot be stated for every CPU count (exit 2, at the declaration that says why)."""


# --------------------------------------------------------------------------- the generalisation

@dataclass(frozen=True)
class Family:
    """What `generalise` found: the model at one CPU count and how it varies with it."""

    model: Model                 # built at cpus = sizes[0]
    iset: IndexSet               # P: the index set whose size follows cpus
    offset: int                  # |P| = cpus - offset
    fixed: tuple[int, ...]       # the members of P the model names (distinct constants)
    lo: int                      # the smallest cpus the family takes
    hi: int                      # the largest cpus it builds (for CTIs)
    sizes: tuple[int, int]       # the two CPU counts compared

    def cpus(self, universe: int) -> int:
        return universe + self.offset

    @property
    def least(self) -> int:
        """The fewest members P has (at the smallest CPU count)."""
        return self.lo - self.offset


def _consts(e: Expr):
    for n in walk(e):
        if isinstance(n, Const):
            yield n


class _Shaper:
    """A model's declarations as nested tuples with P's size abstracted away: two builds of a
    parametric family give equal shapes."""

    def __init__(self, pname: str, size: int, fixed: frozenset[int]):
        self.p, self.n, self.fixed = pname, size, fixed
        self.generic = [i for i in range(size) if i not in fixed]

    def is_p(self, iset: IndexSet) -> bool:
        return iset.name == self.p

    def type(self, t: Type):
        if isinstance(t, Mask) and self.is_p(t.iset):
            return ("mask", self.p)
        if isinstance(t, Elem) and self.is_p(t.iset):
            return ("elem", self.p, t.optional)
        if isinstance(t, (Mask, Elem)):
            return (type(t).__name__, t.iset.name, t.iset.size, getattr(t, "optional", False))
        return t

    def value(self, v, t: Type, what: str):
        """A concrete value of type t, P-independent: a member as fixed/none, a mask by class."""
        if isinstance(t, Elem) and self.is_p(t.iset):
            if v == t.none and t.optional:
                return ("none",)
            if v not in self.fixed:
                raise NotParametric(f"{what} holds {self.p} {v}, a member the model does not name")
            return ("member", v)
        if isinstance(t, Mask) and self.is_p(t.iset):
            return ("mask",) + mask_class(v, self.n, self.fixed, what, self.p)
        return v

    def expr(self, e: Expr, bmap: dict[int, int]):
        if isinstance(e, Const):
            return ("const", self.type(e.type), self.value(e.value, e.type, f"the constant `{e}`"))
        if isinstance(e, Bound):
            return ("bound", bmap.get(e.uid, ("free", e.name)))
        if isinstance(e, Ref):
            return ("ref", e.var.name) + tuple(self.expr(i, bmap) for i in e.indices)
        if isinstance(e, Quant):
            t = ("count", self.p) if _counted(e, self.p) else self.type(e.type)  # 0..|P|
            bmap = {**bmap, e.var.uid: len(bmap)}
            return ("quant", e.kind, e.var.iset.name, t, self.expr(e.body, bmap))
        if isinstance(e, Op):
            t = ("count", self.p) if _counted(e, self.p) else self.type(e.type)
            return ("op", e.op, t) + tuple(self.expr(a, bmap) for a in e.args)
        raise TypeError(e)

    def var(self, v: VarDecl):
        dims = tuple(d.name for d in v.dims)
        what = f"the initial value of {v.name}"
        pats = init_patterns(v, self.p, self.fixed, what)
        init = tuple((fv, tuple(sorted((pat, repr(self.value(x, v.type, what))) for pat, x in by.items())))
                     for fv, by in pats.items())
        return ("var", v.name, dims, self.type(v.type), init)

    def action(self, a: Action):
        bmap = {b.uid: ("param", k) for k, b in enumerate(a.params)}
        ups = tuple((self.expr(u.target, bmap), self.expr(u.value, bmap)) for u in a.updates)
        return ("action", a.name, tuple(b.iset.name for b in a.params), a.environment,
                self.expr(a.guard, bmap), ups)


def pattern(members: tuple[int, ...], fixed) -> tuple:
    """Which P indices are which fixed member, and which of the others are equal: the initial
    value of an array over P may depend on nothing else."""
    classes: dict[int, int] = {}
    return tuple(("fixed", m) if m in fixed else ("other", classes.setdefault(m, len(classes)))
                 for m in members)


def init_patterns(v: VarDecl, pname: str, fixed, what: str) -> dict[tuple, dict[tuple, Any]]:
    """v's initial values per choice of its finite indices and `pattern` of its P indices."""
    pd = [k for k, d in enumerate(v.dims) if d.name == pname]
    out: dict[tuple, dict[tuple, Any]] = {}
    for key, x in zip(itertools.product(*(d.members for d in v.dims)), v.init):
        fv = tuple(i for k, i in enumerate(key) if k not in pd)
        pat = pattern(tuple(key[k] for k in pd), fixed)
        by = out.setdefault(fv, {})
        if pat in by and by[pat] != x:
            raise NotParametric(f"{what} differs between {pname}s the model does not name", v.loc,
                                "give every such member the same initial value")
        by[pat] = x
    return out


def mask_class(v: int, n: int, fixed, what: str, pname: str) -> tuple:
    """A cpumask constant at size n as (bits of the fixed members, the bit of every other one)."""
    generic = [i for i in range(n) if i not in fixed]
    bits = {bool(v >> i & 1) for i in generic}
    if len(bits) > 1:
        held = [i for i in generic if v >> i & 1]
        raise NotParametric(f"{what} holds {pname} {', '.join(map(str, held))} but not every "
                            f"{pname} the model does not name")
    return (tuple((i, bool(v >> i & 1)) for i in sorted(fixed)), bits.pop() if bits else False)


def _singled_out(model: Model, p: IndexSet) -> list[tuple[str, SrcLoc | None, set[int]]]:
    """(declaration, loc, members) for each place the model singles members of P out: a member
    constant (CPU 0), a cpumask constant's members whose bit differs from the last member's
    (`CPU.mask(0)`, the complement in `ALL_REMOTE`), an initial value that differs from the last
    member's."""
    last = p.size - 1
    out = []
    for what, loc, e in expressions(model):
        for c in _consts(e):
            if isinstance(c.type, Elem) and c.type.iset.name == p.name and c.value < p.size:
                out.append((what, loc, {c.value}))
            if isinstance(c.type, Mask) and c.type.iset.name == p.name:
                g = c.value >> last & 1
                out.append((what, loc, {i for i in p.members if (c.value >> i & 1) != g}))
    for v in model.vars:
        what = f"the initial value of {v.name}"
        if isinstance(v.type, Elem) and v.type.iset.name == p.name:
            out.append((what, v.loc, {x for x in v.init if x < p.size}))
        if isinstance(v.type, Mask) and v.type.iset.name == p.name:
            for x in v.init:
                g = x >> last & 1
                out.append((what, v.loc, {i for i in p.members if (x >> i & 1) != g}))
        pd = [k for k, d in enumerate(v.dims) if d.name == p.name]
        if pd:
            vals = dict(zip(itertools.product(*(d.members for d in v.dims)), v.init))
            for m in p.members:
                o = last if m != last else last - 1
                swap = {m: o, o: m}
                if o >= 0 and any(vals[tuple(swap.get(i, i) if k in pd else i for k, i in enumerate(key))] != x
                                  for key, x in vals.items()):
                    out.append((what, v.loc, {m}))
    return out


def _fixed_members(model: Model, p: IndexSet) -> set[int]:
    out: set[int] = set()
    for _, _, ms in _singled_out(model, p):
        out |= ms
    return out


def _first_naming(model: Model, p: IndexSet, members: set[int]) -> tuple[str, SrcLoc | None]:
    for what, loc, ms in _singled_out(model, p):
        if ms & members:
            return what, loc
    return "the model", model.loc


MAX_COUNT = 8   # count(CPU, ...) compared with a constant up to this: k + 1 nested quantifiers


def _counted(e: Expr, pname: str) -> bool:
    """A count over P alone, or the weight of a cpumask over P."""
    return (isinstance(e, Quant) and e.kind == "count" and e.var.iset.name == pname) or (
        isinstance(e, Op) and e.op == "msize" and isinstance(e.args[0].type, Mask)
        and e.args[0].type.iset.name == pname)


def counting(e: Expr, pname: str) -> tuple[Expr, str, int] | None:
    """`count(P, φ) OP k` or `mask.weight() OP k` (either side), k a constant, as (the count,
    op, k) with op one of eq ne lt le ge on the count; None for anything else."""
    if not (isinstance(e, Op) and e.op in ("eq", "ne", "lt", "le")):
        return None
    a, b = e.args
    if _counted(a, pname) and isinstance(b, Const):
        return a, e.op, int(b.value)
    if _counted(b, pname) and isinstance(a, Const):
        k = int(a.value)   # k < c is c >= k + 1; k <= c is c >= k
        return b, {"eq": "eq", "ne": "ne", "lt": "ge", "le": "ge"}[e.op], k + 1 if e.op == "lt" else k
    return None


def _refuse_counting(model: Model, p: IndexSet) -> None:
    """A count over P (or a cpumask's weight) is encoded only where it is compared with a small
    constant — `count(CPU, φ) == 0`, `<= 3` — as "at least k distinct CPUs satisfy φ"; elsewhere
    (a sum, a count assigned or added) it has no encoding over an unbounded sort."""
    for what, loc, e in expressions(model):
        ok = set()
        for n in walk(e):
            c = counting(n, p.name)
            if c is not None and c[2] <= MAX_COUNT:
                ok.add(id(c[0]))
        for n in walk(e):
            if isinstance(n, Quant) and n.var.iset.name == p.name and n.kind in ("count", "sum") \
                    and id(n) not in ok:
                raise NotParametric(f"{what} counts {p.name}s (`{n}`) other than to compare the count "
                                    f"with a constant up to {MAX_COUNT}: the proof for every CPU count has "
                                    f"no encoding of that over an unbounded set of {p.name}s",
                                    loc, f"state it with forall/exists over {p.name}, or prove it at "
                                    "fixed CPU counts with --prove --cpus N")
            if isinstance(n, Op) and n.op == "msize" and _counted(n, p.name) and id(n) not in ok:
                raise NotParametric(f"{what} takes the weight of a cpumask (`{n}`) other than to compare "
                                    f"it with a constant up to {MAX_COUNT}: the proof for every CPU count "
                                    "has no encoding of that", loc,
                                    "compare the mask with another (==, is_empty) instead, or prove "
                                    "it at fixed CPU counts with --prove --cpus N")
    for v in model.vars:
        if isinstance(v.type, Mask) and v.type.iset.name != p.name:
            raise NotParametric(f"variable {v.name} is a mask over {v.type.iset.name}: the proof for "
                                f"every CPU count encodes masks over {p.name} only", v.loc,
                                "prove it at fixed CPU counts with --prove --cpus N")


def _located(fn, loc):
    try:
        return fn()
    except NotParametric as e:
        if e.loc is None:
            raise NotParametric(e.message, loc, e.hint) from None
        raise


def generalise(build: Callable[[int], Model], lo: int, hi: int, loc: SrcLoc | None) -> Family:
    """Build the model at two CPU counts and check that only P's size differs (see the module doc)."""
    a = max(lo, 4)
    if a + 1 > hi:
        a = hi - 1
    b = a + 1
    ma, mb = build(a), build(b)
    grown = [(x, y) for x, y in zip(ma.isets, mb.isets) if x.size != y.size]
    if [x.name for x in ma.isets] != [y.name for y in mb.isets] or len(grown) != 1 \
            or grown[0][1].size != grown[0][0].size + 1:
        sizes = ", ".join(f"{x.name} {x.size}→{y.size}" for x, y in zip(ma.isets, mb.isets))
        raise NotParametric(f"the proof for every CPU count needs exactly one index set that grows by "
                            f"one member per CPU; from cpus={a} to cpus={b}: {sizes}", loc)
    p = grown[0][0]
    _refuse_counting(ma, p)
    fa, fb = _fixed_members(ma, p), _fixed_members(mb, grown[0][1])
    if fa != fb:
        extra = sorted(fb - fa) or sorted(fa - fb)
        what, where = _first_naming(mb if fb - fa else ma, grown[0][1] if fb - fa else p, set(extra))
        raise NotParametric(f"{what} names {p.name} {', '.join(map(str, extra))} at cpus={b if fb - fa else a} "
                            f"but not at cpus={a if fb - fa else b}: it depends on the CPU count beyond the size of "
                            f"{p.name} (a loop over the CPUs? a mask of the first or last CPUs?), so the model "
                            "at one CPU count says nothing about another",
                            where, f"write it with one parameter over {p.name} and forall/exists, or "
                            "prove it at fixed CPU counts with --prove --cpus N")
    fixed = frozenset(fa)
    dims = max([sum(1 for d in v.dims if d.name == p.name) for v in ma.vars] + [1])
    if p.size - len(fixed) < dims:
        need = len(fixed) + dims + (a - p.size)
        if need + 1 <= hi and a < need:
            return generalise(build, need, hi, loc)
        raise NotParametric(f"to see that the model depends on the CPU count only through the size of "
                            f"{p.name}, flushcheck compares it at two CPU counts with at least {dims} "
                            f"{p.name}s besides the ones it names ({', '.join(map(str, sorted(fixed)))}): "
                            f"{need} and {need + 1} CPUs, but the family takes at most {hi}", loc,
                            "prove it at fixed CPU counts with --prove --cpus N")
    if any(f >= lo - (a - p.size) for f in fixed):
        raise NotParametric(f"the model names {p.name} {max(fixed)}, which the smallest CPU count "
                            f"({lo}) does not have", loc)
    sa, sb = _Shaper(p.name, p.size, fixed), _Shaper(p.name, p.size + 1, fixed)
    for kind, xs, ys, shape in (("variable", ma.vars, mb.vars, "var"),
                                ("action", ma.actions, mb.actions, "action")):
        if [x.name for x in xs] != [y.name for y in ys]:
            extra = sorted({x.name for x in xs} ^ {y.name for y in ys})
            raise NotParametric(f"the {kind}s differ between cpus={a} and cpus={b} "
                                f"({', '.join(extra) or 'their order'})", loc,
                                f"declare the same {kind}s at every CPU count")
        for x, y in zip(xs, ys):
            if _located(lambda: getattr(sa, shape)(x), x.loc) != _located(lambda: getattr(sb, shape)(y), x.loc):
                raise NotParametric(f"{kind} {x.name} depends on the CPU count beyond the size of "
                                    f"{p.name} (cpus={a} and cpus={b} build it differently: e.g. a "
                                    f"loop over the CPUs, or a range that grows with them)", x.loc,
                                    f"write it with one parameter over {p.name} and forall/exists")
    for xs, ys in ((ma.invariants, mb.invariants), (ma.auxiliary, mb.auxiliary)):
        if [x.name for x in xs] != [y.name for y in ys]:
            raise NotParametric(f"the invariants differ between cpus={a} and cpus={b}", loc)
        for x, y in zip(xs, ys):
            if _located(lambda: sa.expr(x.expr, {}), x.loc) != _located(lambda: sb.expr(y.expr, {}), x.loc):
                raise NotParametric(f"invariant {x.name} depends on the CPU count beyond the size of "
                                    f"{p.name} (cpus={a} and cpus={b} state it differently)", x.loc,
                                    f"write it with forall/exists over {p.name}")
    return Family(ma, p, a - p.size, tuple(sorted(fixed)), lo, hi, (a, b))


# --------------------------------------------------------------------------- the encoding

class PMask:
    """A cpumask over P as a predicate on the sort: `m(x)` is x's bit."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any], Any]):
        self.fn = fn

    def __call__(self, x):
        return self.fn(x)


def _ite(c, a, b):
    if not is_z3(c):
        return a if c else b
    if isinstance(a, PMask) or isinstance(b, PMask):
        return PMask(lambda x: _ite(c, a(x), b(x)))
    if not is_z3(a) and not is_z3(b) and a == b:
        return a
    return z3.If(c, a, b)


def _eq(a, b):
    if not is_z3(a) and not is_z3(b):
        return a == b
    return a == b


class _State:
    """Reads of a state: `at(var, fin, p)` is var's element at the finite indices fin (concrete
    members) and the P indices p (sort terms); masks over P come back as PMask."""

    def __init__(self, enc: "ParamEncoding"):
        self.enc = enc

    def at(self, v: VarDecl, fin: tuple[int, ...], p: tuple) -> Any:
        raise NotImplementedError

    def read(self, v: VarDecl, idx: list) -> Any:
        """The element at idx (a value per dim: a sort term for P, a member or a Z3 enum term)."""
        enc = self.enc
        opts: list[tuple[Any, tuple[int, ...]]] = [(True, ())]
        p = []
        for i, d in zip(idx, v.dims):
            if enc.is_p(d):
                p.append(i)
            elif not is_z3(i):
                opts = [(c, f + (i,)) for c, f in opts]
            else:
                opts = [(_and([c, i == enc.member(d, m)]), f + (m,)) for c, f in opts for m in d.members]
        out = self.at(v, opts[-1][1], tuple(p))
        for c, f in reversed(opts[:-1]):
            out = _ite(c, self.at(v, f, tuple(p)), out)
        return out


class PreState(_State):
    """A state of uninterpreted functions (one per variable and choice of finite indices)."""

    def __init__(self, enc: "ParamEncoding", tag: str):
        super().__init__(enc)
        self.tag = tag
        self.fns: dict[tuple[str, tuple[int, ...]], Any] = {}

    def fn(self, v: VarDecl, fin: tuple[int, ...]):
        key = (v.name, fin)
        if key not in self.fns:
            enc = self.enc
            np_ = sum(1 for d in v.dims if enc.is_p(d)) + (1 if enc.is_pmask(v.type) else 0)
            rng = z3.BoolSort(enc.ctx) if enc.is_pmask(v.type) else enc.sort(v.type)
            name = v.name + "".join(f"[{i}]" for i in fin) + f"@{self.tag}"
            self.fns[key] = (z3.Const(name, rng) if np_ == 0 else
                             z3.Function(name, *([enc.S] * np_), rng))
        return self.fns[key]

    def at(self, v, fin, p):
        f = self.fn(v, fin)
        if self.enc.is_pmask(v.type):
            return PMask(lambda x: f(*p, x))
        return f(*p) if p else f


class InitState(_State):
    """The initial state: each element's value at a fixed member, else the common one."""

    def __init__(self, enc: "ParamEncoding"):
        super().__init__(enc)

    def at(self, v, fin, p):
        enc = self.enc
        fam = enc.family
        by = init_patterns(v, fam.iset.name, fam.fixed, f"the initial value of {v.name}")[fin]
        pats = list(by.items())
        out = enc.const_value(pats[-1][1], v.type)
        for pat, x in reversed(pats[:-1]):
            out = _ite(_matches(enc, pat, p), enc.const_value(x, v.type), out)
        return out


def _matches(enc: "ParamEncoding", pat: tuple, p: tuple):
    """The P indices p (sort terms) have the pattern pat."""
    conds = []
    for (kind, k), x in zip(pat, p):
        if kind == "fixed":
            conds.append(x == enc.fixed[k])
        else:
            conds += [x != c for c in enc.fixed.values()]
    for i, j in itertools.combinations(range(len(pat)), 2):
        if pat[i][0] == pat[j][0] == "other":
            conds.append(p[i] == p[j] if pat[i][1] == pat[j][1] else p[i] != p[j])
    return _and(conds)


class PostState(_State):
    """The successor of a state by one action: its reads through the action's updates."""

    def __init__(self, enc: "ParamEncoding", pre: _State, writes):
        super().__init__(enc)
        self.pre = pre
        self.writes = writes   # [(var, [(cond, fin)], p terms, value)], later ones win

    def at(self, v, fin, p):
        out = self.pre.at(v, fin, p)
        for var, opts, wp, val in self.writes:
            if var.name != v.name:   # v may come from the model at another CPU count
                continue
            for c, wfin in opts:
                if wfin != fin:
                    continue
                cond = _and([c] + [x == y for x, y in zip(p, wp)])
                out = _ite(cond, val, out)
        return out


class ParamEncoding:
    """The model of a `Family` over a Z3 sort for P; see the module doc."""

    def __init__(self, family: Family, ctx: z3.Context | None = None):
        self.family = family
        self.model = family.model
        self.ctx = ctx if ctx is not None else z3.Context()
        self.S = z3.DeclareSort(family.iset.name, self.ctx)
        self.fixed = {k: z3.Const(family.iset.member_name(k), self.S) for k in family.fixed}
        # an optional member of P (a CPU or none): none is one more element of the sort, outside
        # every quantifier, parameter and mask
        m = family.model
        opt = any(isinstance(t, Elem) and t.optional and self.is_p(t.iset)
                  for t in [v.type for v in m.vars] + [c.type for _, _, e in expressions(m) for c in _consts(e)])
        self.none = z3.Const(f"no_{family.iset.name.lower()}", self.S) if opt else None
        self._enums: dict[str, tuple[z3.SortRef, list]] = {}
        self._n = 0

    # ------------------------------------------------------------------ sorts and values
    def is_p(self, iset: IndexSet) -> bool:
        return iset.name == self.family.iset.name

    def is_pmask(self, t: Type) -> bool:
        return isinstance(t, Mask) and self.is_p(t.iset)

    def _enum(self, name: str, values: list[str]):
        if name not in self._enums:
            self._enums[name] = z3.EnumSort(name, values, ctx=self.ctx)
        return self._enums[name]

    def _enum_of(self, t: Enum):
        return self._enum(t.name, list(t.names))

    def sort(self, t: Type) -> z3.SortRef:
        if isinstance(t, BoolType):
            return z3.BoolSort(self.ctx)
        if isinstance(t, IntRange):
            return z3.IntSort(self.ctx)
        if isinstance(t, Enum):
            return self._enum_of(t)[0]
        if isinstance(t, Elem):
            if self.is_p(t.iset):
                return self.S
            return self._finite(t.iset)[0]
        raise TypeError(t)

    def _finite(self, iset: IndexSet):
        return self._enum(f"{iset.name}Ref", [iset.member_name(i) for i in iset.members] + [f"no_{iset.name.lower()}"])

    def member(self, iset: IndexSet, m: int):
        """Member m of a finite index set (size: none) as its enumeration constant."""
        return self._finite(iset)[1][m]

    def const_value(self, v, t: Type):
        """A concrete value of type t as a term (a PMask for masks over P)."""
        if isinstance(t, Elem) and self.is_p(t.iset):
            if v == t.none and t.optional:
                return self.none
            return self.fixed[v]
        if self.is_pmask(t):
            bits, generic = mask_class(v, t.iset.size, self.family.fixed, "a cpumask", t.iset.name)
            return self._mask_const(dict(bits), generic)
        return v

    def _mask_const(self, bits: dict[int, bool], generic: bool) -> PMask:
        def fn(x):
            out = generic
            for k in sorted(bits, reverse=True):
                if bits[k] != generic:
                    out = _ite(x == self.fixed[k], bits[k], out)
            return out
        return PMask(fn)

    def lift(self, x, t: Type):
        """A known value as a Z3 term of type t's sort."""
        if is_z3(x):
            return x
        if isinstance(t, BoolType):
            return z3.BoolVal(bool(x), self.ctx)
        if isinstance(t, IntRange):
            return z3.IntVal(int(x), self.ctx)
        if isinstance(t, Enum):
            return self._enum_of(t)[1][x]
        if isinstance(t, Elem) and not self.is_p(t.iset):
            return self.member(t.iset, x)
        raise TypeError(f"cannot lift {x!r} of {t}")

    def _like(self, x, other, t: Type):
        if is_z3(x):
            return x
        if is_z3(other):
            s = other.sort()
            if isinstance(s, z3.BoolSortRef):
                return z3.BoolVal(bool(x), self.ctx)
            if isinstance(s, z3.ArithSortRef):
                return z3.IntVal(int(x), self.ctx)
            if isinstance(t, Enum):
                return self._enum_of(t)[1][x]
            if isinstance(t, Elem):
                return self._finite(t.iset)[1][x]
        return self.lift(x, t)

    def member_of_p(self, x):
        """x is a member of P (not the none element), or True when there is none."""
        return True if self.none is None else x != self.none

    def forall_p(self, xs: list, body):
        if not is_z3(body):
            return body
        dom = _and([self.member_of_p(x) for x in xs])
        return z3.ForAll(xs, body if dom is True else z3.Implies(dom, body))

    def exists_p(self, xs: list, body):
        if not is_z3(body):
            return body
        return z3.Exists(xs, _and([self.member_of_p(x) for x in xs] + [body]))

    def fresh(self, name: str):
        self._n += 1
        return z3.Const(f"{name}!{self._n}", self.S)

    # ------------------------------------------------------------------ expressions
    def expr(self, e: Expr, env: dict[int, Any], st: _State):
        if isinstance(e, Const):
            return self.const_value(e.value, e.type)
        if isinstance(e, Bound):
            return env[e.uid]
        if isinstance(e, Ref):
            return st.read(e.var, [self.expr(i, env, st) for i in e.indices])
        if isinstance(e, Quant):
            return self._quant(e, env, st)
        if isinstance(e, Op):
            return self._op(e, env, st)
        raise TypeError(e)

    def _quant(self, q: Quant, env, st):
        if self.is_p(q.var.iset):
            x = self.fresh(q.var.name)
            body = self.expr(q.body, {**env, q.var.uid: x}, st)
            if not is_z3(body):
                return body
            if q.kind == "forall":
                return self.forall_p([x], body)
            if q.kind == "exists":
                return self.exists_p([x], body)
            raise NotParametric(f"`{q}` counts {q.var.iset.name}s")  # refused in generalise
        bodies = [self.expr(q.body, {**env, q.var.uid: m}, st) for m in q.var.iset.members]
        if q.kind == "forall":
            return _and(bodies)
        if q.kind == "exists":
            return _or(bodies)
        if q.kind == "count":
            bodies = [(1 if b else 0) if not is_z3(b) else z3.If(b, z3.IntVal(1, self.ctx), z3.IntVal(0, self.ctx))
                      for b in bodies]
        k = sum(b for b in bodies if not is_z3(b))
        live = [b for b in bodies if is_z3(b)]
        if not live:
            return k
        return z3.Sum(live + ([z3.IntVal(k, self.ctx)] if k else []))

    def _at_least(self, k: int, phi):
        """At least k distinct members of P satisfy phi (a function of a sort term)."""
        if k <= 0:
            return True
        xs = [self.fresh("n") for _ in range(k)]
        body = _and(([z3.Distinct(*xs)] if k > 1 else []) + [phi(x) for x in xs])
        return self.exists_p(xs, body)

    def _count(self, c: Expr, op: str, k: int, env, st):
        if isinstance(c, Quant):
            def phi(x):
                return self.expr(c.body, {**env, c.var.uid: x}, st)
        else:
            phi = self.expr(c.args[0], env, st)
        if op == "ge":
            return self._at_least(k, phi)
        if op == "lt":
            return _not(self._at_least(k, phi))
        if op == "le":
            return _not(self._at_least(k + 1, phi))
        exactly = _and([self._at_least(k, phi), _not(self._at_least(k + 1, phi))])
        return exactly if op == "eq" else _not(exactly)

    def _op(self, e: Op, env, st):
        o = e.op
        c = counting(e, self.family.iset.name)
        if c is not None:
            return self._count(*c, env, st)
        ev = lambda x: self.expr(x, env, st)  # noqa: E731
        if o == "and":
            return _and([ev(x) for x in e.args])
        if o == "or":
            return _or([ev(x) for x in e.args])
        if o == "not":
            return _not(ev(e.args[0]))
        if o == "implies":
            return _or([_not(ev(e.args[0])), ev(e.args[1])])
        if o == "ite":
            c = ev(e.args[0])
            if not is_z3(c):
                return ev(e.args[1] if c else e.args[2])
            a, b = ev(e.args[1]), ev(e.args[2])
            if isinstance(a, PMask) or isinstance(b, PMask):
                return _ite(c, a, b)
            return _ite(c, self._like(a, b, e.type), self._like(b, a, e.type))
        a = [ev(x) for x in e.args]
        mt = e.args[0].type
        if self.is_pmask(mt):
            m = a[0]
            if o == "has":
                return m(a[1])
            if o == "madd":
                t = a[1]
                return PMask(lambda x: _or([m(x), x == t]))
            if o == "mdel":
                t = a[1]
                return PMask(lambda x: _and([m(x), x != t]))
            if o == "mnot":
                return PMask(lambda x: _not(m(x)))
            if o in ("mand", "mor"):
                n = a[1]
                return PMask((lambda x: _and([m(x), n(x)])) if o == "mand" else (lambda x: _or([m(x), n(x)])))
            if o in ("eq", "ne"):
                n = a[1]
                x = self.fresh("m")
                d = m(x) == n(x) if is_z3(m(x)) or is_z3(n(x)) else (m(x) == n(x))
                same = self.forall_p([x], d)
                return same if o == "eq" else _not(same)
            raise NotParametric(f"`{e}`: no encoding of {o} over an unbounded set")
        if not any(is_z3(x) for x in a):
            from ..explicit.compile import _fold
            return _fold(o, a, e)
        if o in ("eq", "ne"):
            x, y = self._like(a[0], a[1], e.args[0].type), self._like(a[1], a[0], e.args[1].type)
            return x == y if o == "eq" else x != y
        if o in ("lt", "le", "add", "sub"):
            x, y = self.lift(a[0], e.args[0].type), self.lift(a[1], e.args[1].type)
            return {"lt": lambda: x < y, "le": lambda: x <= y, "add": lambda: x + y, "sub": lambda: x - y}[o]()
        raise NotParametric(f"`{e}`: the proof for every CPU count has no encoding of {o} here")

    # ------------------------------------------------------------------ states and steps
    def pre(self, tag: str) -> PreState:
        return PreState(self, tag)

    def init(self) -> InitState:
        return InitState(self)

    def typed(self, st: PreState) -> list:
        """Range facts of the bounded ints and the non-optional members of a pre-state (quantified
        over P for arrays indexed by it)."""
        out = []
        for v in self.model.vars:
            t = v.type
            if not (isinstance(t, IntRange) or (isinstance(t, Elem) and not t.optional
                                                and (not self.is_p(t.iset) or self.none is not None))):
                continue
            fin_dims = [d for d in v.dims if not self.is_p(d)]
            np_ = sum(1 for d in v.dims if self.is_p(d))
            for fin in itertools.product(*(d.members for d in fin_dims)):
                xs = [self.fresh("x") for _ in range(np_)]
                val = st.at(v, fin, tuple(xs))
                if isinstance(t, IntRange):
                    f = z3.And(val >= t.lo, val <= t.hi)
                elif self.is_p(t.iset):
                    f = val != self.none
                else:
                    f = val != self.member(t.iset, t.iset.size)
                out.append(self.forall_p(xs, f) if xs else f)
        return out

    def instances(self, a: Action):
        """The finite choices of an action's parameters; P parameters stay open (None)."""
        doms = [[None] if self.is_p(b.iset) else list(b.iset.members) for b in a.params]
        return list(itertools.product(*doms))

    def bind(self, a: Action, fin_args: tuple, tag: str) -> tuple[dict[int, Any], dict[int, Any]]:
        """env (uid -> value) for one instance: P parameters as fresh constants of the sort (state
        `member_of_p` of each in the query)."""
        env, skolems = {}, {}
        for b, v in zip(a.params, fin_args):
            if v is None:
                k = z3.Const(f"{a.name}.{b.name}@{tag}", self.S)
                env[b.uid] = skolems[b.uid] = k
            else:
                env[b.uid] = v
        return env, skolems

    def step(self, a: Action, env, pre: _State) -> tuple[Any, PostState, list]:
        """(guard, successor, range facts of the ints it assigns) of one action instance."""
        g = self.expr(a.guard, env, pre)
        static, dynamic, ranges = [], [], []
        for u in a.updates:
            val = self.expr(u.value, env, pre)
            v = u.target.var
            idx = [self.expr(i, env, pre) for i in u.target.indices]
            opts: list[tuple[Any, tuple[int, ...]]] = [(True, ())]
            p = []
            for i, d in zip(idx, v.dims):
                if self.is_p(d):
                    p.append(i)
                elif not is_z3(i):
                    opts = [(c, f + (i,)) for c, f in opts]
                else:
                    opts = [(_and([c, i == self.member(d, m)]), f + (m,)) for c, f in opts for m in d.members]
            reads = any(isinstance(n, Ref) for i in u.target.indices for n in walk(i))
            if not isinstance(val, PMask) and not is_z3(val):
                val = self.lift(val, v.type)
            (dynamic if reads else static).append((v, opts, tuple(p), val))
            if isinstance(v.type, IntRange) and is_z3(val):
                ranges.append(z3.And(val >= v.type.lo, val <= v.type.hi))
        return g, PostState(self, pre, static + dynamic), ranges

    def overflow(self, st: _State):
        """Some enabled action assigns a bounded int outside its range (∃ over its P parameters)."""
        bad = []
        for a in self.model.actions:
            ups = [u for u in a.updates if isinstance(u.target.var.type, IntRange) and isinstance(u.value.type, IntRange)
                   and not (u.target.var.type.lo <= u.value.type.lo and u.value.type.hi <= u.target.var.type.hi)]
            if not ups:
                continue
            for fin in self.instances(a):
                env, sk = {}, []
                for b, v in zip(a.params, fin):
                    if v is None:
                        x = self.fresh(b.name)
                        env[b.uid] = x
                        sk.append(x)
                    else:
                        env[b.uid] = v
                g = self.expr(a.guard, env, st)
                out = []
                for u in ups:
                    t = u.target.var.type
                    val = self.lift(self.expr(u.value, env, st), IntRange(0, 0))
                    out.append(z3.Or(val < t.lo, val > t.hi))
                f = _and([g, _or(out)])
                if is_z3(f) and sk:
                    f = self.exists_p(sk, f)
                bad.append(f)
        return _or(bad)

    def can_overflow(self) -> bool:
        return any(isinstance(u.target.var.type, IntRange) and isinstance(u.value.type, IntRange)
                   and not (u.target.var.type.lo <= u.value.type.lo and u.value.type.hi <= u.target.var.type.hi)
                   for a in self.model.actions for u in a.updates)

    def at_least(self) -> list:
        """The sort has the fixed members, distinct, and at least as many elements as P has at
        the family's smallest CPU count."""
        xs = [self.fixed[k] for k in sorted(self.fixed)]
        xs += [z3.Const(f"{self.family.iset.name.lower()}_extra{i}", self.S)
               for i in range(max(0, self.family.least - len(xs)))]
        if self.none is not None:
            xs.append(self.none)
        return [z3.Distinct(*xs)] if len(xs) > 1 else []
