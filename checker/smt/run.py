"""Run one check with Z3: bounded model checking (--backend smt) or a proof (--prove).

Verdicts and exit codes, as for the explicit search:
- BMC finds a violation: violated (1), with the shortest trace, shown like the explicit one;
- BMC finds none within K steps: incomplete (3) — longer executions were not looked at;
- a proof succeeds: holds (0), for every depth, at the bounds it was run with;
- a proof fails: incomplete (3) with the counterexample to induction (CTI) — a failed
  induction is not a violation (the CTI's first state may be unreachable) — unless its base
  case finds a real violation from the initial state: violated (1);
- a bounded int leaving its range is a model error (2), as in the explicit search.
"""
from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import Any

from ..errors import ModelRuntimeError, UserError
from ..explicit.compile import _peel, compile_expr
from ..explicit.layout import Layout
from ..explicit.trace import build_trace
from ..judge import not_checked
from ..lang.model import ActionInstance, Invariant, Model
from ..result import DEADLOCK_STATEMENT, CheckResult, Stats, Trace, Verdict, Violation
from ..spec import Check

DEFAULT_DEPTH = 10
DEFAULT_MAX_K = 3


@dataclass
class _TraceSource:
    """What build_trace reads from a compiled model, without compiling it (cheap at 64 CPUs)."""

    model: Model
    layout: Layout
    instances: list[ActionInstance]

    def actor(self, k: int, state: tuple) -> int | None:
        inst = self.instances[k]
        a = inst.action.actor
        return None if a is None else compile_expr(a, self.layout, inst.bindings)(state)


def witness(inv: Invariant, layout: Layout, state: tuple) -> tuple[tuple[str, int], ...]:
    """The first binding of the invariant's leading foralls that fails (as the explicit search names it)."""
    if inv.expr is None:  # the updates_in_range obligation
        return ()
    for env, wit, body in _peel(inv.expr):
        if not compile_expr(body, layout, env)(state):
            return tuple(wit)
    return ()


def strengthening(check: Check, model: Model) -> tuple[Invariant, ...]:
    """The auxiliary invariants a proof may use: the spec's `strengthen=[...]`, else all of them."""
    aux = {i.name: i for i in model.auxiliary}
    names = getattr(check, "strengthen", None)
    if names is None:
        chosen = list(aux.values())
    else:
        chosen = []
        for n in names:
            if n not in aux:
                near = difflib.get_close_matches(n, list(aux), 1)
                raise UserError(f"strengthen names '{n}', which is not an auxiliary invariant of "
                                f"protocol {check.protocol.name}", check.loc,
                                f"did you mean '{near[0]}'?" if near else
                                ("its auxiliary invariants: " + ", ".join(aux) if aux else
                                 "declare one with m.invariant(..., auxiliary=True)"))
            chosen.append(aux[n])
    checked = {i.name for i in model.invariants}
    return tuple(i for i in chosen if i.name not in checked)


def sanity_notes(check: Check, model: Model, opts: Any) -> list[str]:
    """The sanity findings as warnings; with opts.strict the first one is an error."""
    from .encode import Encoding
    from .sanity import sanity
    enc = Encoding(model)
    invs = tuple(model.invariants) + tuple(i for i in model.auxiliary
                                           if i.name not in {j.name for j in model.invariants})
    found = sanity(enc, invs)
    if found and getattr(opts, "strict", False):
        f = found[0]
        more = f" (and {len(found) - 1} more sanity findings)" if len(found) > 1 else ""
        raise UserError(f"sanity: {f.message}{more}", f.loc, f.hint + " (an error because of --strict)")
    return [f"sanity: {f}" for f in found]


def _cti(enc, src, path, via, broken):
    """A counterexample to induction as a trace (kind "cti", broken at its first invariant) and the
    pre-state's differences from the initial state, as `name=value` strings."""
    inv = broken[0]
    v = Violation(inv.name, inv.statement, witness(inv, enc.layout, path[-1]))
    trace = dataclasses.replace(build_trace(src, path, via, v), kind="cti")  # type: ignore[arg-type]
    return trace, [f"{enc.slot_names[k]}={_show(enc, k, x)}" for k, x in enumerate(path[0]) if x != enc.initial[k]]


def _result(check: Check, spec_path: str, model: Model, verdict: Verdict, backend: str,
            invs: tuple[str, ...], seconds: float, depth: int, warnings: list[str], reason: str = "",
            violation: Violation | None = None, trace: Trace | None = None) -> CheckResult:
    return CheckResult(check.name or check.protocol.name, spec_path, check.protocol.name,
                       check.shown_params(dict(model.params)), verdict, backend, False, invs, violation, trace,
                       Stats(depth=depth, seconds=seconds), {}, warnings, reason, check.expect,
                       spec_line=check.loc.line if check.loc else 0,
                       invariant_locs={i.name: (i.loc.file, i.loc.line)
                                       for i in model.invariants + model.auxiliary if i.loc},
                       action_locs={a.name: (a.loc.file, a.loc.line) for a in model.actions if a.loc})


def _overflow_error(enc, state: tuple):
    d = enc.overflow_detail(state)
    if d is None:  # pragma: no cover - the solver said so; the concrete check must agree
        return UserError("a bounded int leaves its range (found by Z3)")
    k, u, v = d
    inst = enc.insts[k]
    return ModelRuntimeError(f"action {inst.label} sets {u.target} to {v}, outside its range "
                             f"{u.target.var.type}", inst.action.loc or u.loc,
                             "widen the variable's range or add a guard")


def run_smt(spec_path: str, check: Check, model: Model, opts: Any, notes: list[str]) -> CheckResult:
    r = _run(spec_path, check, model, opts, notes)
    if getattr(opts, "cmp", False) and getattr(opts, "all_cpus", False):
        why = "the CMP abstraction's states are not the model's (Other's are havoc)"
        lacks = {p.name: f"{why}: it checks no leads-to property; the explicit search does"
                 for p in model.properties}
        lacks.update({c.name: f"{why}: it searches for no cover; the explicit search does" for c in model.all_covers})
        if check.deadlock:
            lacks["deadlock"] = f"{why}: it checks no deadlock; the explicit search does"
    else:
        lacks = {p.name: "the Z3 backend does not check leads-to properties; the explicit search does"
                 for p in model.properties}
        lacks.update({c.name: "the Z3 backend does not search for cover properties; the explicit "
                      "search does" for c in model.all_covers})
        if getattr(opts, "prove", False) and check.deadlock:
            lacks["deadlock"] = "induction does not prove deadlock freedom; the explicit search and BMC do"
    r.unchecked, r.excluded = not_checked(check, model, getattr(opts, "liveness", True), lacks)
    return r


def _run(spec_path: str, check: Check, model: Model, opts: Any, notes: list[str]) -> CheckResult:
    from .encode import Encoding
    time_limit = getattr(opts, "time_limit", None) or check.time_limit
    enc = Encoding(model)
    src = _TraceSource(model, enc.layout, enc.insts)
    warnings = list(notes)
    if getattr(opts, "prove", False) and getattr(opts, "all_cpus", False):
        return _prove_all(spec_path, check, model, opts, warnings, time_limit)
    if getattr(opts, "prove", False):
        return _prove(spec_path, check, model, opts, enc, src, warnings, time_limit)
    depth = getattr(opts, "depth", None) or DEFAULT_DEPTH
    from .bmc import bmc
    o = bmc(enc, model.invariants, depth, check.deadlock, time_limit)
    invs = tuple(i.name for i in model.invariants) + (("deadlock",) if check.deadlock else ())
    backend = "smt (BMC)"
    if o.kind == "overflow":
        raise _overflow_error(enc, o.path[-1])
    if o.kind is not None:
        if o.kind == "deadlock":
            v = Violation("deadlock", DEADLOCK_STATEMENT,
                          kind="deadlock")
        else:
            inv = o.invariant
            v = Violation(inv.name, inv.statement, witness(inv, enc.layout, o.path[-1]))
        trace = build_trace(src, o.path, o.via, v)  # type: ignore[arg-type]
        return _result(check, spec_path, model, Verdict.VIOLATED, backend, invs, o.seconds, o.depth,
                       warnings, "", v, trace)
    if o.timed_out:
        reason = (f"time limit {time_limit:g} s reached at depth {o.depth}: no violation within "
                  f"{o.depth - 1} steps" if o.depth else f"time limit {time_limit:g} s reached")
    else:
        reason = (f"no violation within {depth} steps (BMC); longer executions were not looked at — "
                  f"a larger --depth looks further, --prove covers every depth")
    return _result(check, spec_path, model, Verdict.INCOMPLETE, backend, invs, o.seconds, o.depth,
                   warnings, reason)


def _prove(spec_path, check, model, opts, enc, src, warnings, time_limit) -> CheckResult:
    from .induction import IN_RANGE, prove
    aux = strengthening(check, model)
    max_k = getattr(opts, "max_k", None) or DEFAULT_MAX_K
    o = prove(enc, model.invariants, aux, max_k, time_limit)
    invs = tuple(i.name for i in model.invariants)
    backend = "smt (induction)"
    with_ = (f"with {len(aux)} strengthening invariants ({', '.join(i.name for i in aux)})"
             if aux else "without strengthening invariants")
    if o.status == "proved":
        how = "1-induction" if o.k == 1 else f"{o.k}-induction (simple paths)"
        reason = f"by {how} {with_}, in {o.seconds:.2f} s"
        return _result(check, spec_path, model, Verdict.HOLDS, backend, invs, o.seconds, o.k,
                       warnings, reason)
    if o.status in ("violated", "aux_false"):
        if any(b is IN_RANGE for b in o.broken):  # a model error, as in the explicit search
            raise _overflow_error(enc, o.path[-1])
        inv = o.broken[0]
        v = Violation(inv.name, inv.statement, witness(inv, enc.layout, o.path[-1]))
        trace = build_trace(src, o.path, o.via, v)  # type: ignore[arg-type]
        if o.status == "violated":
            return _result(check, spec_path, model, Verdict.VIOLATED, backend, invs, o.seconds,
                           len(o.path) - 1, warnings, "", v, trace)
        reason = (f"not proved: the strengthening invariant {inv.name} is false — it breaks in a "
                  f"reachable state, {len(o.path) - 1} steps from the initial state (trace below); "
                  f"fix or drop it")
        return _result(check, spec_path, model, Verdict.INCOMPLETE, backend, invs, o.seconds,
                       len(o.path) - 1, warnings, reason, None, trace)
    if o.status == "cti":
        targets = [i for i in o.broken if any(i is t for t in model.invariants)]
        trace, pre = _cti(enc, src, o.path, o.via, targets or o.broken)
        names = ", ".join(i.name for i in o.broken)
        more = (f"; {o.k}-induction fails too, and nothing breaks within {o.k - 1} steps of the "
                f"initial state" if o.k > 1 else "")
        count = f"with {len(aux)} strengthening invariants" if aux else "without strengthening invariants"
        reason = (f"not proved: {names} {'is' if len(o.broken) == 1 else 'are'} not inductive "
                  f"{count} — the step below breaks {'it' if len(o.broken) == 1 else 'them'} from a "
                  f"state that satisfies every invariant of the proof{more}. That state differs from "
                  f"the initial one only in {', '.join(pre) or 'nothing'}: if it is unreachable, add a "
                  f"strengthening invariant (m.invariant(..., auxiliary=True)) that says why; if it "
                  f"is reachable, BMC (--backend smt --depth K) shows how")
        return _result(check, spec_path, model, Verdict.INCOMPLETE, backend, invs, o.seconds, o.k,
                       warnings, reason, None, trace)
    reason = f"not proved: {o.reason or 'the solver gave up'}"
    return _result(check, spec_path, model, Verdict.INCOMPLETE, backend, invs, o.seconds, o.k,
                   warnings, reason)


def _show(enc, k: int, x) -> str:
    t = enc.slot_types[k]
    return t.show(x) if not isinstance(x, bool) else str(x)


def _prove_all(spec_path, check, model, opts, warnings, time_limit) -> CheckResult:
    """--prove --all-cpus: induction over an unbounded set of CPUs (allcpus.py, param.py)."""
    from ..run import build_model
    from .allcpus import prove_every_n
    from .encode import Encoding
    from .induction import IN_RANGE
    from .param import NotParametric, generalise
    overrides = dict(getattr(opts, "overrides", {}) or {})
    p = check.protocol.param("cpus")
    if p is None or p.lo is None or p.hi is None:
        raise UserError(f"--all-cpus proves a family for every number of CPUs, but protocol "
                        f"{check.protocol.name} has no cpus parameter", check.loc)
    built: dict[int, Model] = {}

    def build(n: int) -> Model:
        if n not in built:
            built[n] = build_model(check, {**overrides, "cpus": n})
        return built[n]

    if getattr(opts, "cmp", False):   # a family with no statement for every N is refused (exit 2)
        return _prove_cmp(spec_path, check, model, warnings, time_limit, generalise(build, p.lo, p.hi, check.loc),
                          build, overrides)
    try:
        fam = generalise(build, p.lo, p.hi, check.loc)
    except NotParametric as e:
        return _fixed_n_instead(spec_path, check, model, opts, warnings, time_limit, e)
    aux = strengthening(check, fam.model)
    targets = [i.name for i in fam.model.invariants]
    max_k = getattr(opts, "max_k", None) or DEFAULT_MAX_K
    o = prove_every_n(fam, build, targets, [i.name for i in aux], max_k, time_limit)
    invs = tuple(targets)
    backend = "smt (induction, every CPU count)"
    every = f"every N\u2265{fam.lo}"
    shown = {**check.shown_params(dict(model.params)), "cpus": every}
    fixed = ", ".join(f"{fam.iset.name} {k}" for k in fam.fixed)
    what = (f"{fam.iset.name} an unbounded set" + (f" with {fixed} fixed" if fixed else "")
            + (f" (|{fam.iset.name}| = cpus - {fam.offset})" if fam.offset else ""))
    others = " ".join(f"{k}={v}" for k, v in shown.items() if k != "cpus")
    with_ = (f"{len(aux)} strengthening invariants" if aux else "no strengthening invariants")
    nq = len(o.queries)
    qs = sum(q.seconds for q in o.queries)

    def result(verdict, reason):
        """A result about every CPU count: its params say so (cpus=every N≥lo)."""
        r = _result(check, spec_path, model, verdict, backend, invs, o.seconds, 1, warnings, reason)
        r.params = dict(shown)
        return r

    if o.status == "proved":
        cross = ", ".join(str(c) for c, _, _ in o.fixed)
        cross_s = sum(t for _, _, t in o.fixed)
        reason = (f"and for every number of CPUs (cpus \u2265 {fam.lo}; {what}"
                  + (f"; {others} as given" if others else "") + f") by 1-induction with {with_}: "
                  f"initiation, consecution of each action and the property, {nq} Z3 queries decided "
                  f"(MBQI) in {qs:.2f} s; the fixed-N proofs at {cross} CPUs agree ({cross_s:.2f} s)")
        return result(Verdict.HOLDS, reason)
    if o.status in ("violated", "aux_false"):
        mn = o.witness_model
        enc = Encoding(mn)
        src = _TraceSource(mn, enc.layout, enc.insts)
        inv = o.broken[0]
        if inv is IN_RANGE:
            raise _overflow_error(enc, o.path[-1])
        v = Violation(inv.name, inv.statement, witness(inv, enc.layout, o.path[-1]))
        trace = build_trace(src, o.path, o.via, v)  # type: ignore[arg-type]
        n = mn.isets[[s.name for s in mn.isets].index(fam.iset.name)].size + fam.offset
        params = check.shown_params(dict(mn.params))
        if o.status == "violated":
            r = _result(check, spec_path, mn, Verdict.VIOLATED, backend, invs, o.seconds, len(o.path) - 1,
                        warnings, f"violated with {n} CPUs (found by the proof for every CPU count, "
                        f"shown by the fixed-N proof's base case)", v, trace)
            r.params = params
            return r
        reason = (f"not proved for every number of CPUs: the strengthening invariant {inv.name} is false — "
                  f"it breaks in a reachable state with {n} CPUs, {len(o.path) - 1} steps from the initial "
                  f"state (trace below); fix or drop it")
        r = _result(check, spec_path, mn, Verdict.INCOMPLETE, backend, invs, o.seconds, len(o.path) - 1,
                    warnings, reason, None, trace)
        r.params = params
        return r
    if o.status == "cti" and o.cti is not None:
        c = o.cti
        enc = Encoding(c.model)
        src = _TraceSource(c.model, enc.layout, enc.insts)
        trace, pre = _cti(enc, src, c.path, c.via, [i for i in c.broken if i.name in targets] or c.broken)
        names = ", ".join(i.name for i in c.broken)
        one = len(c.broken) == 1
        reason = (f"not proved for every number of CPUs: {names} {'is' if one else 'are'} not inductive "
                  f"with {with_} — the {c.action} step breaks {'it' if one else 'them'} in a state with "
                  f"{c.cpus} CPUs that satisfies every invariant of the proof (Z3's counterexample to "
                  f"induction over every CPU count, rebuilt at {c.cpus} CPUs and checked with the fixed-N "
                  f"encoding there, then minimised; below). That state differs from the initial one only in "
                  f"{', '.join(pre) or 'nothing'}: if it is unreachable, add a strengthening invariant "
                  f"(m.invariant(..., auxiliary=True)) that says why; if it is reachable, BMC "
                  f"(--backend smt --depth K --cpus {c.cpus}) shows how")
        r = _result(check, spec_path, c.model, Verdict.INCOMPLETE, backend, invs, o.seconds, 1,
                    warnings, reason, None, trace)
        r.params = {**check.shown_params(dict(c.model.params)), "cpus": c.cpus}
        return r
    reason = f"not proved for every number of CPUs: {o.reason or 'the solver gave up'}"
    return result(Verdict.INCOMPLETE, reason)


def _fixed_n_instead(spec_path, check, model, opts, warnings, time_limit, why) -> CheckResult:
    """--prove --all-cpus on a model with no statement for every CPU count (param.NotParametric):
    never proved for every N. The fixed-N proof at the check's own CPU count runs instead, and its
    counterexample to induction, or the real violation its base case meets, is the answer."""
    from .encode import Encoding
    enc = Encoding(model)
    src = _TraceSource(model, enc.layout, enc.insts)
    r = _prove(spec_path, check, model, opts, enc, src, warnings, time_limit)
    n = dict(model.params).get("cpus")
    where = f" ({why.loc})" if why.loc else ""
    head = (f"not proved for every number of CPUs: the model has no statement for every CPU count — "
            f"{why.message}{where}. The fixed-N proof at the check's {n} CPUs instead")
    r.backend = "smt (induction, every CPU count)"
    if r.verdict is Verdict.HOLDS:
        r.verdict = Verdict.INCOMPLETE
        r.reason = (f"{head} proves them ({r.reason}), which says nothing about other CPU counts: "
                    f"prove it with --prove --cpus N at each count that matters")
    elif r.verdict is Verdict.VIOLATED:
        r.reason = f"violated with {n} CPUs: {head} meets a real violation from the initial state (trace below)"
    else:
        r.reason = f"{head}: {r.reason}"
    r.params = {**r.params, "cpus": n}
    return r


def _prove_cmp(spec_path, check, model, warnings, time_limit, fam, build, overrides) -> CheckResult:
    """--prove --all-cpus --cmp: the CMP abstraction (checker/explicit/cmp.py) searched at the named
    CPUs + 2, the counts below that searched exactly; a broken invariant is looked for at those
    counts too, and is a real violation there or an abstract trace that may be spurious."""
    import time

    from ..explicit.cmp import Abstraction, search
    from ..run import RunOptions, run_check
    t0 = time.perf_counter()
    members = len(fam.fixed) + 2
    k = fam.cpus(members)
    if k > fam.hi:
        raise UserError(f"the CMP abstraction needs the model at {k} CPUs ({fam.iset.name} {', '.join(map(str, fam.fixed))} "
                        f"named, one more, and one standing for the rest), but the family takes at most {fam.hi}",
                        check.loc, "prove it at fixed CPU counts with --prove --cpus N")
    mk = build(k)
    pk = next(s for s in mk.isets if s.name == fam.iset.name)
    other = pk.size - 1
    concrete = next(i for i in pk.members if i not in fam.fixed)
    ab = Abstraction(mk, fam.iset.name, other)
    o = search(ab, tuple(mk.invariants), time_limit)
    invs = tuple(i.name for i in mk.invariants)
    backend = "explicit (CMP abstraction, every CPU count)"
    named = ", ".join(f"{fam.iset.name} {m}" for m in fam.fixed)
    how = (f"the CMP abstraction: the model at {k} CPUs with {fam.iset.name} {other} standing for every "
           f"{fam.iset.name} but {named + ' and ' if named else ''}{fam.iset.name} {concrete} — its own state "
           f"havoc at every read, its writes to it dropped, no lemma assumed")

    def exact(n):
        return run_check(spec_path, check, RunOptions({**overrides, "cpus": n}, backend="explicit", workers=1,
                                                      liveness=False, time_limit=time_limit))

    def clean(r: CheckResult) -> bool:
        """Every reachable state searched, no invariant (or deadlock) broken; leads-to left out."""
        return r.violation is None and (r.verdict in (Verdict.HOLDS, Verdict.UNCOVERED) or (
            r.verdict is Verdict.INCOMPLETE and bool(r.unchecked)
            and set(r.unchecked) <= {p.name for p in model.properties}))

    def final(r: CheckResult, params) -> CheckResult:
        r.warnings = list(warnings) + [w for w in r.warnings if w not in warnings]
        r.params = params
        r.stats.seconds = time.perf_counter() - t0
        return r

    if o.status == "proved":
        below = [(n, exact(n)) for n in range(fam.lo, k)]
        bad = next(((n, r) for n, r in below if not clean(r)), None)
        if bad is not None:
            n, r = bad
            r.reason = (f"the CMP abstraction covers every count from {k} CPUs, but at {n} CPUs the explicit "
                        f"search says: {r.reason or r.verdict.value}")
            return final(r, r.params)
        shown = {**check.shown_params(dict(model.params)), "cpus": f"every N\u2265{fam.lo}"}
        others = " ".join(f"{a}={b}" for a, b in shown.items() if a != "cpus")
        small = ", ".join(f"{n} CPUs ({r.stats.states:,} states)" for n, r in below)
        reason = (f"and for every number of CPUs (cpus \u2265 {fam.lo}" + (f"; {others} as given" if others else "")
                  + f") by {how}: {o.states:,} abstract states, {o.transitions:,} transitions, no invariant "
                  f"broken at {named + ' or ' if named else ''}{fam.iset.name} {concrete} (which stands for "
                  f"each of the others in turn), in {o.seconds:.2f} s, for every count from {k}"
                  + (f"; the explicit search at {small} breaks none" if below else ""))
        r = _result(check, spec_path, model, Verdict.HOLDS, backend, invs, o.seconds, 0, warnings, reason)
        r.stats.states, r.stats.transitions = o.states, o.transitions
        return final(r, shown)
    if o.status == "limit":
        reason = (f"not proved for every number of CPUs: {how}, stopped after {o.states:,} abstract states "
                  f"({o.seconds:.2f} s): the time limit")
        r = _result(check, spec_path, model, Verdict.INCOMPLETE, backend, invs, o.seconds, 0, warnings, reason)
        r.params = {**check.shown_params(dict(model.params)), "cpus": f"every N\u2265{fam.lo}"}
        return final(r, r.params)
    # broken: a real violation at a count up to k, or an abstract trace that may be spurious
    for n in range(fam.lo, k + 1):
        r = exact(n)
        if r.verdict is Verdict.VIOLATED:
            r.reason = (f"violated with {n} CPUs: {how}, breaks {o.broken.name} in {len(o.path) - 1} steps, and "
                        f"the explicit search at {n} CPUs shows it is real (trace below)")
            return final(r, r.params)
    v = Violation(o.broken.name, o.broken.statement, witness(o.broken, ab.layout, o.path[-1]))
    from .encode import Encoding
    enc = Encoding(mk)
    src = _TraceSource(mk, enc.layout, enc.insts)
    trace = dataclasses.replace(build_trace(src, o.path, o.via, v), kind="abstract")  # type: ignore[arg-type]
    reason = (f"not proved for every number of CPUs: {how}, reaches a state that breaks {o.broken.name} at "
              f"{named + ' or ' if named else ''}{fam.iset.name} {concrete} in {len(o.path) - 1} steps "
              f"(below), but the explicit search at {fam.lo}..{k} CPUs finds no violation: the abstract trace "
              f"may be spurious (a step of Other, or a read of its state, the model would not allow) — a "
              f"strengthening the abstraction lacks, or a bug at more CPUs")
    r = _result(check, spec_path, mk, Verdict.INCOMPLETE, backend, invs, o.seconds, len(o.path) - 1, warnings,
                reason, None, trace)
    return final(r, {**check.shown_params(dict(mk.params)), "cpus": k})
