"""Induction for every number of CPUs (--prove --all-cpus), over the encoding of param.py.

P is the conjunction of the checked invariants, the strengthening ones and, where an update can
leave a bounded int's range, `updates_in_range`. Each obligation is one Z3 query whose
hypotheses quantify over the CPU sort:

1. initiation: the initial state, at every CPU count, satisfies P;
2. consecution, one query per action (its CPU parameters fresh constants of the sort, its finite
   ones unrolled): no state of any CPU count satisfying P has a successor by it breaking P;
3. the property: P implies the checked invariants.

All unsat: the invariants hold in every reachable state of every CPU count the family takes
(from its smallest, e.g. 2, upwards; the other bounds as given). A query Z3 answers "unknown" or
does not answer within its time is named in an "incomplete" verdict, never taken as proved.

A sat consecution query is a counterexample to induction (CTI) in a state with some number of
CPUs: Z3's model has a finite universe for the sort. The state is rebuilt at that CPU count and
checked with the fixed-N encoding of encode.py (it satisfies P there, the action is enabled, its
successor breaks P), then minimised there, and the fixed-N proof at that count looks for a real
violation from the initial state within its k-induction depth.

Every all-N proof is cross-checked: the fixed-N proof at each count from the smallest to 8 must
prove the same invariants by 1-induction, or the result says they disagree (a flushcheck bug).
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Callable

import z3

from ..lang.model import Invariant, Model
from ..lang.types import BOOL, BoolType, Elem, Enum, IntRange, Mask
from .encode import Encoding, _and, _not, is_z3
from .induction import IN_RANGE, _conj, broken_in, minimised_cti, prove
from .param import Family, ParamEncoding

QUERY_TIMEOUT_S = 120.0      # one query's limit when no time limit is given
CROSS_CHECK_UPTO = 8         # the fixed-N proofs every all-N proof is compared with


@dataclass
class Query:
    name: str                # "initiation", "consecution: ipi_send(t)", "property"
    answer: str              # unsat | sat | unknown
    seconds: float
    why: str = ""            # Z3's reason for unknown


@dataclass
class Cti:
    cpus: int
    model: Model             # the family's model at that CPU count
    path: list[tuple]        # [pre, post], packed for that model (minimised)
    via: list[int]           # the instance (into instances(model))
    broken: list[Invariant]
    action: str              # the consecution query that failed, as a label
    found: tuple             # the pre-state as Z3's model gave it (before minimising)


@dataclass
class AllOutcome:
    status: str                                       # proved | cti | violated | aux_false | unknown | disagree
    queries: list[Query] = field(default_factory=list)
    failed: Query | None = None
    cti: Cti | None = None
    fixed: list[tuple[int, str, float]] = field(default_factory=list)   # cross-check: (cpus, status, s)
    seconds: float = 0.0
    reason: str = ""
    # a real violation (or a false strengthening) found by the fixed-N proof at the CTI's count
    witness_model: Model | None = None
    path: list[tuple] = field(default_factory=list)
    via: list[int] = field(default_factory=list)
    broken: list[Invariant] = field(default_factory=list)
    aux_count: int = 0


def _by_name(model: Model, names: list[str]) -> list[Invariant]:
    pool = {i.name: i for i in tuple(model.invariants) + tuple(model.auxiliary)}
    return [pool[n] for n in names]


def _fold(enc: ParamEncoding, x):
    return x if is_z3(x) else z3.BoolVal(bool(x), enc.ctx)


class _Deadline:
    def __init__(self, time_limit: float | None, per_query: float):
        self.t0 = time.perf_counter()
        self.end = self.t0 + time_limit if time_limit else None
        self.per_query = per_query

    def ms(self) -> int | None:
        """The next query's timeout (None: the time limit has passed)."""
        left = self.per_query
        if self.end is not None:
            left = min(left, self.end - time.perf_counter())
            if left <= 0:
                return None
        return max(1, int(left * 1000))


def prove_every_n(fam: Family, build: Callable[[int], Model], targets: list[str], aux: list[str],
                  max_k: int = 3, time_limit: float | None = None,
                  query_timeout: float = QUERY_TIMEOUT_S, cross_check: bool = True) -> AllOutcome:
    clock = _Deadline(time_limit, query_timeout)
    out = AllOutcome("unknown", aux_count=len(aux))
    enc = ParamEncoding(fam)
    model = fam.model
    tinv, ainv = _by_name(model, targets), _by_name(model, aux)
    allp = tinv + ainv
    ranges = enc.can_overflow()

    def P(st):
        parts = [enc.expr(i.expr, {}, st) for i in allp]
        if ranges:
            parts.append(_not(enc.overflow(st)))
        return _and(parts)

    def done(o: AllOutcome) -> AllOutcome:
        o.seconds = time.perf_counter() - clock.t0
        return o

    def ask(s: z3.Solver, name: str) -> z3.CheckSatResult | None:
        ms = clock.ms()
        if ms is None:
            q = Query(name, "unknown", 0.0, "the time limit was reached before it was asked")
            out.queries.append(q)
            out.failed = q
            return None
        s.set("timeout", ms)
        t = time.perf_counter()
        r = s.check()
        q = Query(name, str(r), time.perf_counter() - t, s.reason_unknown() if r == z3.unknown else "")
        out.queries.append(q)
        if r != z3.unsat:
            out.failed = q
        return r

    # 1. initiation
    s = _solver(enc)
    s.add(enc.at_least())
    s.add(_fold(enc, _not(P(enc.init()))))
    r = ask(s, "initiation")
    if r is None or r == z3.unknown:
        out.reason = _unknown(out.failed)
        return done(out)
    if r == z3.sat:
        n = len(_members(fam, enc, s.model()))
        return done(_at_fixed_n(out, fam, build, targets, aux, fam.cpus(n), max_k, time_limit,
                                "the initial state breaks them"))

    # 2. consecution, one query per action instance
    pre = enc.pre("pre")
    s = _solver(enc)
    s.add(enc.at_least())
    s.add(enc.typed(pre))
    hyp = P(pre)
    if is_z3(hyp):
        s.add(hyp)
    for a in model.actions:
        for fin in enc.instances(a):
            env, skolems = enc.bind(a, fin, "step")
            g, post, int_ranges = enc.step(a, env, pre)
            if not is_z3(g) and not g:
                continue
            label = _label(a, fin)
            s.push()
            s.add([enc.member_of_p(k) for k in skolems.values() if enc.none is not None])
            if is_z3(g):
                s.add(g)
            s.add(int_ranges)
            s.add(_fold(enc, _not(P(post))))
            r = ask(s, f"consecution: {label}")
            if r is None or r == z3.unknown:
                s.pop()
                out.reason = _unknown(out.failed)
                return done(out)
            if r == z3.sat:
                m = _smallest(s, enc, s.model(), clock)
                s.pop()
                return done(_cti(out, fam, enc, build, m, pre, post, a, fin, skolems, targets, aux,
                                 ranges, max_k, time_limit, label))
            s.pop()

    # 3. the property: P implies the checked invariants (they are among its conjuncts)
    s.push()
    s.add(_fold(enc, _not(_and([enc.expr(i.expr, {}, pre) for i in tinv]))))
    r = ask(s, "property")
    s.pop()
    if r != z3.unsat:
        out.reason = _unknown(out.failed)
        return done(out)

    out.status = "proved"
    if cross_check:
        for c in range(fam.lo, min(CROSS_CHECK_UPTO, fam.hi) + 1):
            t = time.perf_counter()
            mc = build(c)
            o = prove(Encoding(mc), tuple(_by_name(mc, targets)), tuple(_by_name(mc, aux)), 1, time_limit)
            status = o.status + (f" k={o.k}" if o.status == "proved" else "")
            out.fixed.append((c, status, time.perf_counter() - t))
            if o.status != "proved":
                out.status = "disagree"
                out.reason = (f"the proof for every CPU count and the fixed-N proof at {c} CPUs disagree "
                              f"(the fixed-N proof says {o.status}{': ' + o.reason if o.reason else ''}) "
                              "— a flushcheck bug: please report it")
                break
    return done(out)


def _solver(enc: ParamEncoding) -> z3.Solver:
    """Z3's SMT solver with model-based quantifier instantiation (MBQI) on, which decides these
    queries (see param.py), and E-matching beside it (it settles most unsat queries first)."""
    s = z3.Solver(ctx=enc.ctx)
    s.set("mbqi", True)
    s.set("ematching", True)
    return s


def _label(a, fin) -> str:
    if not a.params:
        return a.name
    return f"{a.name}(" + ", ".join(b.name if v is None else f"{b.name}={v}"
                                    for b, v in zip(a.params, fin)) + ")"


def _unknown(q: Query | None) -> str:
    if q is None:
        return "the solver gave up"
    why = q.why or "no answer"
    return f"Z3 could not decide the {q.name} query ({why}, after {q.seconds:.2f} s)"


# ---------------------------------------------------------------------------- CTIs

def _smallest(s: z3.Solver, enc: ParamEncoding, m: z3.ModelRef, clock: _Deadline) -> z3.ModelRef:
    """The sat query again with the sort limited to k elements, k = the fewest the family has,
    then one more, ... up to the size of the model Z3 found: the CTI with the fewest CPUs."""
    extra = 0 if enc.none is None else 1
    n = len(m.get_universe(enc.S)) - extra
    for k in range(max(1, enc.family.least), n):
        ms = clock.ms()
        if ms is None:
            break
        es = [z3.Const(f"{enc.family.iset.name.lower()}_only{i}", enc.S) for i in range(k)]
        es += [enc.none] if enc.none is not None else []
        x = enc.fresh("x")
        s.push()
        s.add(z3.ForAll([x], z3.Or([x == e for e in es])))
        s.set("timeout", ms)
        r = s.check()
        if r == z3.sat:
            m = s.model()
            s.pop()
            return m
        s.pop()
    return m


def _members(fam: Family, enc: ParamEncoding, m: z3.ModelRef) -> list:
    """The sort's elements in member order: the fixed members first at their numbers, then the
    others in the order of Z3's universe."""
    univ = list(m.get_universe(enc.S))
    fixed = {k: m.eval(c, model_completion=True) for k, c in enc.fixed.items()}
    if enc.none is not None:
        no = m.eval(enc.none, model_completion=True)
        univ = [e for e in univ if not e.eq(no)]
    rest = [e for e in univ if not any(e.eq(f) for f in fixed.values())]
    out, it = [], iter(rest)
    for i in range(len(univ)):
        out.append(fixed[i] if i in fixed else next(it))
    return out


def _expand(t, elems: list, memo: dict):
    """t with every quantifier over the sort unrolled over the model's universe: Z3's model
    evaluation does not evaluate quantifiers."""
    key = t.get_id()
    if key in memo:
        return memo[key]
    if z3.is_quantifier(t):
        body = t.body()
        parts = [_expand(z3.substitute_vars(body, *combo), elems, memo)
                 for combo in itertools.product(elems, repeat=t.num_vars())]
        out = z3.And(parts) if t.is_forall() else z3.Or(parts)
    elif z3.is_app(t) and t.num_args():
        kids = [_expand(c, elems, memo) for c in t.children()]
        out = t.decl()(*kids) if any(not k.eq(c) for k, c in zip(kids, t.children())) else t
    else:
        out = t
    memo[key] = out
    return out


def _eval(m: z3.ModelRef, x, elems: list):
    return m.eval(_expand(x, elems, {}), model_completion=True)


def _value(m: z3.ModelRef, x, t, elems: list):
    if isinstance(t, BoolType):
        return z3.is_true(_eval(m, x, elems[1]))
    v = _eval(m, x, elems[1])
    if isinstance(t, IntRange):
        return v.as_long()
    if isinstance(t, Elem) and elems is not None and t.iset.name == elems[0]:
        return next((i for i, e in enumerate(elems[1]) if e.eq(v)), len(elems[1]))  # else none
    if isinstance(t, (Enum, Elem)):
        # enumeration constants are declared in value order
        s = v.sort()
        return next(i for i in range(s.num_constructors()) if s.constructor(i)().eq(v))
    raise TypeError(t)


def decode(fam: Family, enc: ParamEncoding, m: z3.ModelRef, st, model_n: Model) -> tuple:
    """A state of the parametric encoding, in Z3's model m, as a packed state of model_n (the
    family's model at the universe's size)."""
    elems = _members(fam, enc, m)
    pname = fam.iset.name
    out = []
    for v in model_n.vars:
        for idx in itertools.product(*(d.members for d in v.dims)):
            fin = tuple(i for i, d in zip(idx, v.dims) if d.name != pname)
            p = tuple(elems[i] for i, d in zip(idx, v.dims) if d.name == pname)
            x = st.at(v, fin, p)
            t = v.type
            if isinstance(t, Mask) and t.iset.name == pname:
                bits = 0
                for j, e in enumerate(elems):
                    if z3.is_true(_eval(m, _fold(enc, x(e)), elems)):
                        bits |= 1 << j
                out.append(bits)
            elif not is_z3(x):
                out.append(bool(x) if isinstance(t, BoolType) else x)
            else:
                out.append(_value(m, x, t, (pname, elems)))
    return tuple(out)


def _instance(enc_n: Encoding, action: str, args: tuple) -> int:
    return next(k for k, inst in enumerate(enc_n.insts) if inst.action.name == action and inst.args == args)


def _props(enc_n: Encoding, model_n: Model, targets, aux, ranges: bool):
    return tuple(_by_name(model_n, targets) + _by_name(model_n, aux)) + ((IN_RANGE,) if ranges else ())


def _cti(out: AllOutcome, fam, enc, build, m, pre, post, a, fin, skolems, targets, aux, ranges,
         max_k, time_limit, label) -> AllOutcome:
    elems = _members(fam, enc, m)
    n = len(elems)
    cpus = fam.cpus(n)
    if not fam.lo <= cpus <= fam.hi:
        out.status = "cti"
        out.reason = (f"consecution of {label} fails in a state with {cpus} CPUs, which the family "
                      f"cannot build (it takes {fam.lo}..{fam.hi})")
        return out
    model_n = build(cpus)
    enc_n = Encoding(model_n)
    allp = _props(enc_n, model_n, targets, aux, ranges)
    state = decode(fam, enc, m, pre, model_n)
    args = tuple(v if v is not None else
                 next(i for i, e in enumerate(elems) if e.eq(m.eval(skolems[b.uid], model_completion=True)))
                 for b, v in zip(a.params, fin))
    k = _instance(enc_n, a.name, args)
    if k not in enc_n.live:  # its guard is constantly false at that count: the encodings disagree
        out.status = "disagree"
        out.reason = (f"the counterexample to induction Z3 found for every CPU count ({label}, {cpus} CPUs) "
                      f"fires an action the fixed-N encoding at {cpus} CPUs never enables — a flushcheck "
                      "bug: please report it")
        return out
    j = enc_n.live.index(k)
    # the concrete check with the fixed-N encoding: the state satisfies P, the action is enabled,
    # and its successor breaks P
    s = enc_n.concrete(state)
    ok_pre = not broken_in(enc_n, allp, state)
    enabled = enc_n.known(enc_n.guard(k, s), BOOL)
    sel = z3.BitVecVal(j, enc_n.sel_width, enc_n.ctx)
    nxt = tuple(enc_n.known(x, t) for x, t in zip(enc_n.next_terms(s, sel), enc_n.slot_types))
    bad = broken_in(enc_n, allp, nxt)
    param_post = decode(fam, enc, m, post, model_n)
    if not (ok_pre and enabled and bad and nxt == param_post):
        out.status = "disagree"
        out.reason = (f"the counterexample to induction Z3 found for every CPU count ({label}, {cpus} CPUs) "
                      f"does not replay with the fixed-N encoding at {cpus} CPUs "
                      f"(satisfies the proof's invariants: {ok_pre}, enabled: {enabled}, breaks one: "
                      f"{bool(bad)}, same successor: {nxt == param_post}) — a flushcheck bug: please report it")
        return out
    # minimised at that CPU count, by the same action instance
    pre_s, post_s, sel_s = enc_n.state("pre"), enc_n.state("post"), enc_n.selector("step")
    hard = [h for h in [enc_n.typed_state(pre_s), _conj(enc_n, allp, pre_s)] if is_z3(h)]
    hard += enc_n.trans(pre_s, post_s, sel_s) + [sel_s == j]
    ints = enc_n.typed_state(post_s, ints_only=True)
    if is_z3(ints):
        hard.append(ints)
    hard.append(_not(_conj(enc_n, allp, post_s)))
    mm = minimised_cti(enc_n, hard, pre_s, 30_000)
    if mm is not None:
        path = [enc_n.decode(mm, pre_s), enc_n.decode(mm, post_s)]
    else:
        path = [state, nxt]
    out.cti = Cti(cpus, model_n, path, [k], broken_in(enc_n, allp, path[1]), label, state)
    out.status = "cti"
    # a real violation from the initial state within the fixed-N proof's depth at that count?
    o = prove(enc_n, tuple(_by_name(model_n, targets)), tuple(_by_name(model_n, aux)), max_k, time_limit,
              minimise=False)
    if o.status in ("violated", "aux_false"):
        out.status = o.status
        out.witness_model, out.path, out.via, out.broken = model_n, o.path, o.via, o.broken
    elif o.status == "proved":
        out.status = "disagree"
        out.reason = (f"Z3 found a counterexample to induction with {cpus} CPUs, but the fixed-N proof at "
                      f"{cpus} CPUs proves the invariants — a flushcheck bug: please report it")
    return out


def _at_fixed_n(out: AllOutcome, fam, build, targets, aux, cpus, max_k, time_limit, what) -> AllOutcome:
    """The initial state at some CPU count breaks P: the fixed-N proof there says which and how."""
    if not fam.lo <= cpus <= fam.hi:
        out.status = "cti"
        out.reason = f"{what} with {cpus} CPUs, which the family cannot build"
        return out
    model_n = build(cpus)
    o = prove(Encoding(model_n), tuple(_by_name(model_n, targets)), tuple(_by_name(model_n, aux)),
              max_k, time_limit)
    out.status = o.status if o.status in ("violated", "aux_false") else "disagree"
    out.witness_model, out.path, out.via, out.broken = model_n, o.path, o.via, o.broken
    if out.status == "disagree":
        out.reason = (f"{what} with {cpus} CPUs for the proof over every CPU count, but not for the "
                      f"fixed-N proof at {cpus} CPUs — a flushcheck bug: please report it")
    return out
