"""Run one check: configure the protocol, build and validate the model, explore, summarise."""
from __future__ import annotations

import dataclasses
import difflib
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import SrcLoc, UserError, traceback_loc
from .explicit.backends import search
from .explicit.compile import compile_model
from .explicit.explore import EdgeLog, Limits
from .explicit.liveness import check_leads_to, graph_from_log
from .judge import check_excuses, judge, not_checked, reaches
from .lang.model import Invariant, Model
from .result import CheckResult, Stats, Verdict, Violation
from .spec import Check
from .usercode import TimeUp, time_limited, user_code


@dataclass(frozen=True)
class RunOptions:
    """What the command line adds to a spec: bound overrides and limits."""

    overrides: dict[str, Any] = field(default_factory=dict)
    max_states: int | None = None
    max_depth: int | None = None
    time_limit: float | None = None
    progress: Callable[[Stats], None] | None = None
    graph_limit: int | None = None    # record the state graph (--dot/--graphml), refuse above this
    liveness: bool = True             # check the model's leads-to properties (needs the graph)
    # the engine (checker/explicit/backends.py): None = auto (the fastest exact backend that runs here,
    # symmetry wherever declared, every core); the API default is the reference explorer;
    # "smt": bounded model checking with Z3 (checker/smt)
    backend: str | None = "explicit"
    symmetry: bool | None = False
    workers: int | None = None
    depth: int | None = None          # the BMC bound of backend "smt"
    prove: bool = False               # prove the invariants by induction with Z3 instead
    max_k: int | None = None          # the k-induction bound of prove
    all_cpus: bool = False            # prove for every number of CPUs (checker/smt/allcpus.py)
    cmp: bool = False                 # with all_cpus: by the CMP abstraction (checker/explicit/cmp.py)
    sanity: bool = False              # Z3 sanity checks first (the command line's default)
    strict: bool = False              # sanity findings are errors
    witness: str | None = None        # find the shortest path to this cover / hazard precondition
    memory_limit: int | None = None   # bytes the process may use (--memory-limit); None: no limit
    fingerprint: bool = False         # keep 64-bit hashes of states, not states (fast backend)
    checkpoint: Any = None            # fast.Checkpoint: --checkpoint DIR / --resume DIR
    cluster: str | None = None        # --cluster: "ray" (local) or "ray://HOST:PORT" (explicit/cluster.py)
    all_violations: bool = False      # --all: the shortest trace of every violated property
    simulate: Any = None              # simulate.Walks: --simulate N --depth D --seed S (random walks)


def build_model(check: Check, overrides: dict[str, Any]) -> Model:
    """The check's model with its invariants narrowed to the ones the check names."""
    try:
        cfg = check.protocol.configure({**check.params, **overrides}, check.loc)
    except UserError as e:
        if any(k in e.message for k in overrides):
            raise UserError(e.message + " (from the command line)", None, e.hint) from None
        raise
    with user_code(f"building protocol {check.protocol.name}", check.protocol.loc or check.loc):
        model = check.protocol.build(cfg)
    if not isinstance(model, Model):
        fn = getattr(check.protocol.build_fn, "__code__", None)
        raise UserError(f"the build function of protocol {check.protocol.name} returned "
                        f"{type(model).__name__}, not a Model",
                        SrcLoc(fn.co_filename, fn.co_firstlineno) if fn else check.protocol.loc,
                        "end it with `return m.build()` on its ModelBuilder")
    names = [i.name for i in model.invariants]
    wanted = check.invariants if check.invariants is not None else tuple(names)
    for n in wanted:
        if n not in names + [i.name for i in model.auxiliary]:
            near = difflib.get_close_matches(n, names, 1)
            raise UserError(f"unknown invariant '{n}' for protocol {check.protocol.name}", check.loc,
                            f"did you mean '{near[0]}'?" if near else f"its invariants: {', '.join(names)}")
    if check.expect != "holds":
        target = check.expect.split()[1]
        names = names + [p.name for p in model.properties]
        if target not in names + ["deadlock"]:
            near = difflib.get_close_matches(target, names, 1)
            raise UserError(f"expect names unknown invariant '{target}'", check.loc,
                            f"did you mean '{near[0]}'?" if near else f"its invariants: {', '.join(names)}")
        if target != "deadlock" and target not in wanted and target not in [p.name for p in model.properties]:
            raise UserError(f"the check expects '{target}' to be violated but does not check it",
                            check.loc, "add it to invariants=[...]")
    return dataclasses.replace(model, invariants=tuple(i for i in model.invariants + model.auxiliary
                                                       if i.name in wanted))


def explicit_reach(check: Check, model: Model, overrides: dict[str, Any]) -> None:
    """Explicit search enumerates states: refuse parameters beyond a protocol's explicit_hi."""
    values = dict(model.params)
    for p in check.protocol.params:
        v, hi = values.get(p.name), getattr(p, "explicit_hi", None)
        if hi is not None and isinstance(v, int) and v > hi:
            cli = p.name in overrides
            raise UserError(f"{p.name}={v} is outside the bounds {p.lo}..{hi} that explicit search "
                            f"can enumerate for protocol {check.protocol.name}"
                            + (" (from the command line)" if cli else ""), None if cli else check.loc,
                            f"prove it with --prove or search {p.name} up to {p.hi} with --backend smt "
                            f"--depth K (Z3), or choose {p.name} <= {hi}")


LIVENESS_CAP = 400_000  # states whose edges are kept for the liveness check (memory)


def _liveness(compiled, log: EdgeLog, props, out):
    """After a complete safety search: the first leads-to property with a fair lasso breaks."""
    g = graph_from_log(log)
    for p in props:
        lasso = check_leads_to(compiled, g, p)
        if lasso is not None:
            return dataclasses.replace(out, verdict=Verdict.VIOLATED, violation=lasso.violation,
                                       trace=lasso)
    return out


def _every_lasso(compiled, log: EdgeLog, props, out):
    """--all, after a search that went to the end: a lasso for every leads-to property that fails
    (the search expanded every state, violating ones too, so the graph is whole)."""
    g = graph_from_log(log)
    lassos = [t for p in props if (t := check_leads_to(compiled, g, p)) is not None]
    if not lassos:
        return out
    if out.verdict is Verdict.HOLDS:
        return dataclasses.replace(out, verdict=Verdict.VIOLATED, violation=lassos[0].violation,
                                   trace=lassos[0], more=lassos[1:])
    return dataclasses.replace(out, more=out.more + lassos)


def run_check(spec_path: str, check: Check, opts: RunOptions = RunOptions(),
              model: Model | None = None) -> CheckResult:
    """Run one check; `model`: an already built (and narrowed) model to run instead of the
    check's own, e.g. a mutant of it. The time limit counts from here (building the model
    too), and running out of time or memory anywhere is "incomplete", saying where."""
    started = time.perf_counter()
    limit = opts.time_limit or check.time_limit
    try:
        return _run_check(spec_path, check, opts, model, started)
    except TimeUp as e:
        loc = traceback_loc(e)
        return stopped(spec_path, check, opts, f"time limit {limit:g} s reached while the model was "
                       "built and compiled" + (f" (interrupted at {loc})" if loc else ""))
    except MemoryError as e:
        loc = traceback_loc(e)
        return stopped(spec_path, check, opts, "out of memory before the search could finish"
                       + (f" (at {loc})" if loc else "") + " — use fewer CPUs/pages/rounds, or "
                       "turn symmetry on where the model allows it")


def stopped(spec_path: str, check: Check, opts: RunOptions, reason: str) -> CheckResult:
    """An "incomplete" result for a check that ran out of time or memory outside the search."""
    params = {**check.params, **opts.overrides}
    return CheckResult(check.name or check.protocol.name, spec_path, check.protocol.name,
                       check.shown_params(params), Verdict.INCOMPLETE, opts.backend or "auto",
                       reason=reason, expect=check.expect,
                       spec_line=check.loc.line if check.loc else 0)


def _run_check(spec_path: str, check: Check, opts: RunOptions, model: Model | None,
               started: float) -> CheckResult:
    limits = _limits(check, opts, started)
    with time_limited(_left(limits)):    # building and compiling do not watch the clock
        model = model if model is not None else build_model(check, opts.overrides)
    check_excuses(check, model)
    notes: list[str] = []
    if opts.sanity or opts.prove or opts.backend == "smt":
        from .smt.run import run_smt, sanity_notes
        notes = sanity_notes(check, model, opts) if opts.sanity else []
        if opts.prove or opts.backend == "smt":
            return judge(run_smt(spec_path, check, model, opts, notes), check)
    if opts.simulate is not None:
        return simulated(spec_path, check, model, opts, limits)
    explicit_reach(check, model, opts.overrides)
    if opts.witness is not None:
        return witness(spec_path, check, model, opts, limits)
    with time_limited(_left(limits)):
        compiled = compile_model(model)
    edges = EdgeLog() if opts.graph_limit else None
    if edges is not None:  # stop early: a graph over the limit is refused anyway
        cap = opts.graph_limit + 1
        limits = dataclasses.replace(limits, max_states=min(limits.max_states or cap, cap))
    live = model.properties if (check.liveness and opts.liveness) else ()
    log = edges if edges is not None else (EdgeLog(LIVENESS_CAP) if live else None)
    found = search(compiled, limits, check.deadlock, opts.progress, backend=opts.backend,
                   symmetry=opts.symmetry, workers=opts.workers, edges=edges,
                   live_log=log if edges is None else None, fingerprint=opts.fingerprint,
                   checkpoint=opts.checkpoint, cluster=opts.cluster,
                   all_violations=opts.all_violations)
    out, log = found.outcome, (log if edges is not None else found.log)
    skipped = live and log is not None and log.overflow
    live_reason = live_line = ""
    if found.live is not None:      # the fast backend checked them
        if found.live.trace is not None:
            lasso = found.live.trace
            out = dataclasses.replace(out, verdict=Verdict.VIOLATED, violation=lasso.violation,
                                      trace=lasso)
        live_reason = found.live.reason
        lv = found.live
        why = " (symmetry does not preserve the fairness of each action instance)" if found.symmetry else ""
        live_line = (f"{', '.join(p.name for p in live)} checked by the fast backend's pass over the unreduced "
                     f"state graph{why}: {lv.states:,} states, {lv.edges:,} edges kept, {lv.seconds:.2f} s, "
                     f"{lv.peak_bytes / 2**20:,.0f} MB")
    elif live and not skipped and opts.all_violations and not out.reason:
        out = _every_lasso(compiled, log, live, out)
    elif live and not skipped and out.verdict is Verdict.HOLDS:
        out = _liveness(compiled, log, live, out)
    if edges is not None and len(edges.states) > opts.graph_limit:
        raise UserError(f"the state graph of {check.name or check.protocol.name} has more than "
                        f"{opts.graph_limit:,} states, too many to draw", check.loc,
                        "lower the bounds (e.g. --cpus 2 --set rounds=1) or raise --graph-limit")
    coverage: dict[str, int] = {a.name: 0 for a in model.actions}
    for inst, n in zip(compiled.instances, out.coverage):
        coverage[inst.action.name] += n
    unchecked, excluded = not_checked(check, model, opts.liveness)
    if skipped:
        unchecked.update({p.name: f"more than {LIVENESS_CAP:,} states: the reference's leads-to check "
                          "keeps the whole state graph; use the fast backend, smaller bounds, or "
                          "liveness=False in the spec to leave it out" for p in live})
        live = ()
    if live_reason:
        unchecked.update({p.name: live_reason for p in live})
        live = ()
    omission = found.omission()
    warnings = notes + list(found.notes)
    if opts.all_violations and out.reason and out.verdict is Verdict.VIOLATED:
        warnings.append(f"--all: the search stopped before the end ({out.reason}): a property not "
                        "listed here may be violated too, and a listed one's trace may not be its shortest")
    invs = tuple(i.name for i in model.invariants) + (("deadlock",) if check.deadlock else ()) \
        + tuple(p.name for p in live)
    return judge(CheckResult(
        check.name or check.protocol.name, spec_path, check.protocol.name,
        check.shown_params(dict(model.params)), out.verdict, found.backend, found.symmetry, invs,
        out.violation, out.trace, out.stats, coverage, warnings, out.reason,
        check.expect, spec_line=check.loc.line if check.loc else 0,
        invariant_locs=_locs(model), action_locs=action_locs(model),
        graph=edges.to_graph(compiled) if edges is not None else None,
        goals=reaches(model, out.reached), unchecked=unchecked, excluded=excluded,
        omission=omission,
        memory_limit=limits.memory, liveness=live_line, others=list(out.more)), check)


def _limits(check: Check, opts: RunOptions, started: float | None = None) -> Limits:
    """The command line's limits, else the spec's; the time limit counts from `started`."""
    limit = opts.time_limit or check.time_limit
    return Limits(opts.max_states or check.max_states, opts.max_depth or check.max_depth, limit,
                  started + limit if limit and started is not None else None, opts.memory_limit)


def _left(limits: Limits) -> float | None:
    """Seconds left before the check's deadline (None: no time limit)."""
    return None if limits.deadline is None else limits.deadline - time.perf_counter()


def _locs(model: Model) -> dict[str, tuple[str, int]]:
    """Where each property is declared, for the reports: name -> (file, line)."""
    return {p.name: (p.loc.file, p.loc.line)
            for p in model.invariants + model.properties + model.all_covers if p.loc}


def action_locs(model: Model) -> dict[str, tuple[str, int]]:
    """Where each action is defined (the protocol's function, or a variant's replacement)."""
    return {a.name: (a.loc.file, a.loc.line) for a in model.actions if a.loc}


def witness(spec_path: str, check: Check, model: Model, opts: RunOptions, limits: Limits) -> CheckResult:
    """--witness NAME: the shortest execution that reaches a cover property or an invariant's
    hazard precondition (searched as the violation of its negation); "uncovered" if none does."""
    goals = {name: (kind, e) for kind, name, e in model.goals()}
    if opts.witness not in goals:
        raise UserError(f"--witness {opts.witness}: no cover property or hazard precondition of that "
                        f"name in {model.name}", None,
                        f"its goals: {', '.join(goals) or 'none declared'}")
    kind, e = goals[opts.witness]
    what = (f"cover {opts.witness}" if kind == "cover"
            else f"the hazard precondition of {opts.witness}")
    target = Invariant(opts.witness, ~e, what, "", None)
    wm = dataclasses.replace(model, invariants=(target,), properties=(), covers=())
    found = search(compile_model(wm), limits, False, opts.progress,
                   backend=opts.backend, symmetry=opts.symmetry, workers=opts.workers,
                   cluster=opts.cluster)
    out = found.outcome
    trace = violation = None
    if out.verdict is Verdict.VIOLATED:
        violation = Violation(opts.witness, what, out.violation.witness, kind="witness")
        trace = dataclasses.replace(out.trace, violation=violation, kind="witness")
        verdict, reason = Verdict.HOLDS, f"{what} reached in {len(out.trace)} steps"
    elif out.verdict is Verdict.HOLDS:
        verdict, reason = Verdict.UNCOVERED, f"{what} is never reached within these bounds"
    else:
        verdict, reason = out.verdict, out.reason
    return CheckResult(check.name or check.protocol.name, spec_path, check.protocol.name,
                       check.shown_params(dict(model.params)), verdict, found.backend, found.symmetry,
                       (), violation, trace, out.stats, {}, list(found.notes), reason, check.expect,
                       spec_line=check.loc.line if check.loc else 0, invariant_locs=_locs(model),
                       action_locs=action_locs(model))


def simulated(spec_path: str, check: Check, model: Model, opts: RunOptions, limits: Limits) -> CheckResult:
    """--simulate N --depth D --seed S: random walks (checker/explicit/simulate.py). Violated with
    the shortest violation any walk found, else incomplete: a sample proves nothing."""
    from .explicit.simulate import simulate
    with time_limited(_left(limits)):
        compiled = compile_model(model)
    w = opts.simulate
    found = simulate(compiled, w, check.deadlock, limits, opts.progress, opts.backend)
    out = found.outcome
    coverage: dict[str, int] = {a.name: 0 for a in model.actions}
    for inst, n in zip(compiled.instances, out.coverage):
        coverage[inst.action.name] += n
    unchecked, excluded = not_checked(check, model, opts.liveness, {
        p.name: "random walks check invariants and deadlock, not leads-to properties"
        for p in model.properties})
    sim = {"walks": w.n, "depth": w.depth, "seed": w.seed, "walks_done": found.walks_done,
           "steps": found.steps, "deepest": found.deepest, "violating_walk": found.walk,
           "engine": found.engine}
    invs = tuple(i.name for i in model.invariants) + (("deadlock",) if check.deadlock else ())
    return CheckResult(check.name or check.protocol.name, spec_path, check.protocol.name,
                       check.shown_params(dict(model.params)), out.verdict, found.engine, False, invs,
                       out.violation, out.trace, out.stats, coverage, found.notes, out.reason,
                       check.expect, spec_line=check.loc.line if check.loc else 0,
                       invariant_locs=_locs(model), action_locs=action_locs(model),
                       unchecked=unchecked, excluded=excluded, memory_limit=limits.memory,
                       simulation=sim)
