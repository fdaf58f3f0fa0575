"""Induction proofs: the checked invariants hold in every reachable state, at every depth.

P is the conjunction of the checked invariants and the strengthening (auxiliary) ones.

1. base: the initial state satisfies P;
2. 1-induction: no well-typed state satisfying P has a successor breaking P;
3. k-induction, k = 2..max_k: every path of k distinct (simple path) P-states is followed
   only by P-states, and no path from the initial state breaks P within k-1 steps.

The proof holds for the bounds it was run with (the CPU count included), at every depth.
When step 2 fails, its counterexample to induction (CTI) — a P-state, an action, and a
successor breaking P — is minimised (as many variables as possible at their initial values,
by soft constraints) so that it shows the few facts a missing strengthening must rule out.
The base checks of k-induction are BMC from the initial state: a violation found there is
real, either of a checked invariant (a bug) or of a strengthening one (a wrong strengthening).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import z3

from ..lang.model import Invariant
from ..lang.types import BOOL
from .bmc import Unroller
from .encode import Encoding, _and, _not, is_z3


@dataclass
class ProofOutcome:
    status: str                        # proved | cti | violated | aux_false | unknown
    k: int = 0                         # proved at k, or the largest k tried
    path: list[tuple] = field(default_factory=list)   # CTI (pre, post) or a trace from init
    via: list[int] = field(default_factory=list)
    broken: list[Invariant] = field(default_factory=list)  # broken in the last state of path
    phases: list[tuple[str, float]] = field(default_factory=list)  # (what, seconds)
    seconds: float = 0.0
    reason: str = ""


class _Clock:
    def __init__(self, time_limit: float | None):
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + time_limit if time_limit else None

    def arm(self, solver) -> bool:
        if self.deadline is None:
            return True
        left = self.deadline - time.perf_counter()
        if left <= 0:
            return False
        solver.set("timeout", max(1, int(left * 1000)))
        return True


# A proof obligation besides the invariants: the explicit search stops with an error when an
# update leaves a bounded int's range, while Trans simply has no such transition; proving that
# no reachable state enables one makes the two agree on every reachable state.
IN_RANGE = Invariant("updates_in_range", None,  # type: ignore[arg-type]
                     "no enabled action assigns a bounded int outside its range", "", None)


def _prop(enc: Encoding, i: Invariant, s):
    return _not(enc.overflow(s)) if i is IN_RANGE else enc.inv(i.expr, s)


def _conj(enc: Encoding, invs, s):
    return _and(_prop(enc, i, s) for i in invs)


def broken_in(enc: Encoding, invs, state: tuple) -> list[Invariant]:
    s = enc.concrete(state)
    return [i for i in invs if (enc.overflow_detail(state) is not None if i is IN_RANGE
                                else not enc.known(enc.inv(i.expr, s), BOOL))]


def minimised_cti(enc: Encoding, hard: list, pre, time_limit_ms: int | None = None) -> z3.ModelRef | None:
    """A model of `hard` with as many pre-state slots at their initial values as possible."""
    opt = z3.Optimize(ctx=enc.ctx)
    if time_limit_ms:
        opt.set("timeout", time_limit_ms)
    for h in hard:
        opt.add(h)
    for x, v, t in zip(pre, enc.initial, enc.slot_types):
        opt.add_soft(x == enc.lift(v, t), 1)
    if opt.check() != z3.sat:
        return None
    return opt.model()


def prove(enc: Encoding, targets: tuple[Invariant, ...], aux: tuple[Invariant, ...],
          max_k: int = 3, time_limit: float | None = None, minimise: bool = True) -> ProofOutcome:
    clock = _Clock(time_limit)
    allp = tuple(targets) + tuple(aux)
    if is_z3(enc.overflow(enc.state("range"))):
        allp += (IN_RANGE,)
    out = ProofOutcome("unknown")

    def done(o: ProofOutcome) -> ProofOutcome:
        o.seconds = time.perf_counter() - clock.t0
        return o

    # 1. the initial state (concrete: no solver needed)
    t = time.perf_counter()
    bad = broken_in(enc, allp, enc.initial)
    out.phases.append(("base: initial state", time.perf_counter() - t))
    if bad:
        real = [i for i in bad if any(i is t for t in targets)]
        out.status = "violated" if real else "aux_false"
        out.path, out.via, out.broken = [enc.initial], [], real or bad
        return done(out)

    # 2. 1-induction
    t = time.perf_counter()
    pre, post, a = enc.state("pre"), enc.state("post"), enc.selector("step")
    hard = [h for h in [enc.typed_state(pre), _conj(enc, allp, pre)] if is_z3(h)]
    hard += enc.trans(pre, post, a)
    ints = enc.typed_state(post, ints_only=True)
    if is_z3(ints):
        hard.append(ints)
    hard.append(_not(_conj(enc, allp, post)))
    s1 = enc.solver()
    s1.add(hard)
    out.phases.append(("encode", time.perf_counter() - t))
    if not clock.arm(s1):
        out.reason = "time limit reached"
        return done(out)
    t = time.perf_counter()
    r = s1.check()
    out.phases.append(("1-induction", time.perf_counter() - t))
    out.k = 1
    if r == z3.unsat:
        out.status = "proved"
        return done(out)
    if r == z3.unknown:
        out.reason = f"the solver gave up on 1-induction ({s1.reason_unknown()})"
        return done(out)
    t = time.perf_counter()
    m = None
    if minimise:
        left = None if clock.deadline is None else max(1, int((clock.deadline - time.perf_counter()) * 1000))
        m = minimised_cti(enc, hard, pre, left)
        out.phases.append(("CTI minimised", time.perf_counter() - t))
    if m is None:
        m = s1.model()
    cti_path = [enc.decode(m, pre), enc.decode(m, post)]
    cti_via = [enc.live[m.eval(a, model_completion=True).as_long()]]
    cti_broken = broken_in(enc, allp, cti_path[1])

    # 3. k-induction with simple paths; the base cases are BMC from the initial state
    base = Unroller(enc, tag="base")
    step = enc.solver()
    back = [enc.state("k0")]            # back[0] breaks P, back[j] -> back[j-1]
    typed0 = enc.typed_state(back[0])
    if is_z3(typed0):
        step.add(typed0)
    step.add(enc.lift(_not(_conj(enc, allp, back[0])), BOOL))
    for k in range(2, max_k + 1):
        # base: no path from init breaks P within k-1 steps (depths < k-1 were checked before)
        t = time.perf_counter()
        base.extend()
        sk = base.states[k - 1]
        if not clock.arm(base.solver):
            out.reason = "time limit reached"
            break
        base.solver.push()
        base.solver.add(_not(_conj(enc, allp, sk)))
        rb = base.solver.check()
        if rb == z3.sat:
            path, via = base.path(base.solver.model(), k - 1)
            base.solver.pop()
            bad = broken_in(enc, allp, path[-1])
            real = [i for i in bad if any(i is t for t in targets)]
            out.status = "violated" if real else "aux_false"
            out.path, out.via, out.broken, out.k = path, via, real or bad, k
            out.phases.append((f"base case, depth {k - 1}", time.perf_counter() - t))
            return done(out)
        base.solver.pop()
        if rb == z3.unknown:
            out.reason = f"the solver gave up on the base case at depth {k - 1}"
            break
        base.solver.add(_conj(enc, allp, sk))
        out.phases.append((f"base case, depth {k - 1}", time.perf_counter() - t))
        # step: k P-states on a simple path, then a state breaking P
        t = time.perf_counter()
        while len(back) <= k:
            j = len(back)
            b = enc.state(f"k{j}")
            typed = enc.typed_state(b)
            if is_z3(typed):
                step.add(typed)
            p = _conj(enc, allp, b)
            if is_z3(p):
                step.add(p)
            step.add(enc.trans(b, back[j - 1], enc.selector(f"k{j}")))
            for other in back:
                step.add(enc.differ(b, other))
            back.append(b)
        if not clock.arm(step):
            out.reason = "time limit reached"
            break
        r = step.check()
        out.phases.append((f"{k}-induction", time.perf_counter() - t))
        out.k = k
        if r == z3.unsat:
            out.status = "proved"
            return done(out)
        if r == z3.unknown:
            out.reason = f"the solver gave up on {k}-induction ({step.reason_unknown()})"
            break
    out.status = "cti" if not out.reason else "unknown"
    out.path, out.via, out.broken = cti_path, cti_via, cti_broken
    return done(out)
