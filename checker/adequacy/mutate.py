"""Run a check's mutants against its own properties and classify each: the mutation score.

Every mutant runs at the check's bounds with all of its properties (invariants, deadlock,
leads-to, covers), one process per core: on the reference explorer for models of up to
COMPILE_PAYS states (each mutant is a new model, so the fast backend would compile each),
on the fast backend above. A worker gets only the spec path,
the check's name and the mutant's number, and rebuilds the mutant itself, so nothing depends
on how many workers there are. A survivor whose reachable state set is the original's (same
count, same digest of the sorted packed states) is equivalent: no state-based property can
tell it apart, so it does not count against the score. So is one whose set is the original's with
the CPUs renamed (an initiator's role moved to another CPU): the same design under other names.
"""
from __future__ import annotations

import dataclasses
import hashlib
import itertools
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass

from ..errors import UserError
from ..explicit.compile import compile_model
from ..explicit.memory import default_limit
from ..lang.model import Model
from ..result import CheckResult, Verdict
from ..run import LIVENESS_CAP, RunOptions, build_model, run_check
from ..spec import Check, load_spec
from .mutants import APART, Mutant, mutants

OUTCOMES = ("killed", "survived", "equivalent", "error", "incomplete", "not run")


@dataclass(frozen=True)
class MutantResult:
    """What happened to one mutant."""

    number: int
    kind: str
    action: str
    ref: str
    description: str
    outcome: str                     # one of OUTCOMES
    killer: str | None = None        # the property that broke: an invariant, "deadlock", a
                                     # leads-to property, "cover NAME", or "vacuity"
    killer_kind: str | None = None   # invariant | deadlock | liveness | cover | vacuity
    trace_length: int | None = None  # steps of the shortest counterexample
    states: int = 0
    seconds: float = 0.0
    detail: str = ""                 # the error, the limit hit, or why the mutant's holds is vacuous
    apart: str = ""                  # "environment" or "observer": reported apart (mutants.apart)
    at: str = ""                     # killed only at this larger check's bounds (--escalate)


@dataclass(frozen=True)
class Reachable:
    """The original model's reachable state set, as a count and a digest of the sorted states;
    `renamed`: the digests of its images under each other order of the CPUs (the lanes set)."""

    states: int
    digest: str
    renamed: tuple[str, ...] = ()

    def same(self, other: Reachable) -> str | None:
        """How `other` (a mutant's set) is this one: the same states, the same with the CPUs renamed, or None."""
        if other.states != self.states:
            return None
        if other.digest == self.digest:
            return "the same states"
        return "the same states with the CPUs renamed" if other.digest in self.renamed else None


@dataclass(frozen=True)
class Job:
    """One mutant to run, as a worker needs it: nothing here is a model."""

    spec: str
    check: str
    number: int
    backend: str
    original: Reachable
    deadline: float | None = None    # time.time() after which the mutant is not run
    memory_limit: int | None = None  # bytes one mutant's process may use: its share of the default


@dataclass(frozen=True)
class MutationRun:
    """Every mutant of one check and what happened to it; the score per action and in total."""

    spec: str
    check: str
    protocol: str
    bounds: dict
    floor: float | None              # the check's min_mutation_score
    generated: int                   # mutants of the model (before --max-mutants)
    results: tuple[MutantResult, ...]
    original_states: int
    seconds: float
    workers: int
    backend: str
    only: tuple[str, ...] = ()       # --action: the actions whose mutants were chosen (all if empty)
    escalated: tuple[str, ...] = ()  # --escalate: the larger checks the survivors ran at again, in order

    def counts(self, action: str | None = None) -> Counter:
        """Outcomes of the scored mutants (all but those reported apart)."""
        return self.apart_counts("", action)

    def apart_counts(self, why: str, action: str | None = None) -> Counter:
        """Outcomes of the mutants reported apart for `why` (mutants.APART; "" for the scored ones)."""
        return Counter(r.outcome for r in self.results if (action is None or r.action == action) and r.apart == why)

    def counted(self, action: str | None = None) -> int:
        """The score's denominator: mutants that ran, less the equivalent ones and errors."""
        c = self.counts(action)
        return sum(c.values()) - c["not run"] - c["equivalent"] - c["error"]

    def score(self, action: str | None = None) -> float | None:
        """killed / (ran − equivalent − error); None when nothing counts."""
        n = self.counted(action)
        return self.counts(action)["killed"] / n if n > 0 else None

    def actions(self) -> list[str]:
        return list(dict.fromkeys(r.action for r in self.results))

    @property
    def complete(self) -> bool:
        """Whether every selected mutant ran (the --time-limit did not cut the run short)."""
        return not any(r.outcome == "not run" for r in self.results)

    @property
    def met(self) -> bool:
        """The check's floor is for all its mutants: a run over some actions' is not held to it."""
        s = self.score()
        return self.floor is None or bool(self.only) or (s is not None and s >= self.floor)

    def survivors(self) -> list[MutantResult]:
        """Scored mutants every property let through."""
        return [r for r in self.results if r.outcome == "survived" and not r.apart]

    def held_apart(self, why: str) -> list[MutantResult]:
        """Mutants reported apart for `why` under which every property holds."""
        return [r for r in self.results if r.outcome == "survived" and r.apart == why]


# ---------------------------------------------------------------- one mutant

def _digest(states) -> str:
    h = hashlib.blake2b(digest_size=20)
    for s in sorted(states):
        h.update(repr(s).encode())
    return h.hexdigest()


# CPU orders tried for "equivalent up to renaming" (3! at most)
RENAME_CPUS = 3


def reachable(model: Model, renamings: bool = False) -> Reachable:
    """Every reachable state of `model` (the reference successor function, no reduction); with
    `renamings`, also the digest of the set under every other order of up to RENAME_CPUS CPUs: a
    mutant that makes CPU 1 do what CPU 0 did (an initiator's role moved) is the same design."""
    c = compile_model(model)
    init = c.layout.initial()
    seen = {init}
    todo = [init]
    while todo:
        for _, t in c.successors(todo.pop()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    renamed: tuple[str, ...] = ()
    cpus = model.lanes
    if renamings and cpus is not None and 2 <= cpus.size <= RENAME_CPUS:
        from ..explicit.symmetry import Symmetry
        sym = Symmetry(model, c.layout, sets=[cpus])
        renamed = tuple(_digest(sym.apply((perm,), s) for s in seen)
                        for perm in itertools.permutations(cpus.members) if list(perm) != list(cpus.members))
    return Reachable(len(seen), _digest(seen), renamed)


def classify(r: CheckResult) -> tuple[str, str | None, str | None, str]:
    """(outcome, killer, killer kind, detail) of a mutant's run; "survived" until equivalence
    is decided. An unreached cover kills like a broken invariant, and so does a vacuous holds
    (an action that never fires, a hazard precondition never met): the spec gate fails both."""
    if r.verdict is Verdict.VIOLATED and r.violation is not None:
        return "killed", r.violation.invariant, r.violation.kind, ""
    if r.verdict is Verdict.UNCOVERED:
        missed = [g.name for g in r.goals if g.kind == "cover" and not g.reached and g.name not in r.excluded]
        name = missed[0] if missed else r.reason
        return "killed", f"cover {name}", "cover", r.reason
    if r.verdict is Verdict.INCOMPLETE:
        return "incomplete", None, None, r.reason
    if r.verdict is Verdict.ERROR:
        return "error", None, None, r.reason
    if r.vacuity:
        return "killed", "vacuity", "vacuity", "; ".join(r.vacuity)
    return "survived", None, None, ""


def mutant_options(backend: str, check: Check, deadline: float | None,
                   memory_limit: int | None = None) -> RunOptions:
    """A mutant runs like the check: its own limits (cut to what the deadline leaves), every
    property, no symmetry (so the state count is the real one), one thread per process; and a
    memory limit, so that a mutant whose state space explodes stops as incomplete instead of
    taking the machine."""
    limit = check.time_limit
    if deadline is not None:
        left = max(deadline - time.time(), 1e-3)
        limit = min(limit, left) if limit else left
    return RunOptions(backend=backend, symmetry=False, workers=1, liveness=True, sanity=False,
                      time_limit=limit, memory_limit=memory_limit)


def liveness_options(opts: RunOptions, states: int) -> RunOptions:
    """The leads-to pass of a mutant whose graph outgrew the reference engine's liveness cap runs
    on the fast backend (where a C compiler is present), so that it ends in a verdict, not
    "incomplete"; every engine gives the same outcomes."""
    from ..explicit.fast.build import available
    if opts.backend == "explicit" and states > LIVENESS_CAP and available()[0]:
        return dataclasses.replace(opts, backend="fast")
    return opts


def find_check(spec: str, name: str) -> Check:
    checks = load_spec(spec)
    for c in checks:
        if c.name == name:
            return c
    raise UserError(f"no check named '{name}' in {spec}", None,
                    f"its checks: {', '.join(c.name for c in checks)}")


def check_mutants(check: Check) -> tuple[Model, list[Mutant]]:
    """The check's model and its mutants (leads-to fairness only where the check has liveness)."""
    model = build_model(check, {})
    return model, mutants(model, liveness=check.liveness)


def run_mutant(job: Job) -> MutantResult:
    """Rebuild mutant `job.number` of the check from the spec file, run it, classify it."""
    t0 = time.perf_counter()
    check = find_check(job.spec, job.check)
    m = check_mutants(check)[1][job.number - 1]
    base = {"number": m.number, "kind": m.kind, "action": m.action, "ref": m.ref,
            "description": m.description, "apart": m.apart}
    if job.deadline is not None and time.time() >= job.deadline:
        return MutantResult(**base, outcome="not run", detail="the --time-limit ran out first")
    try:
        # safety, deadlock and covers first: most mutants die there, and only the others pay for
        # the leads-to check, which keeps the whole state graph (the reference engine)
        opts = mutant_options(job.backend, check, job.deadline, job.memory_limit)
        live = check.liveness and bool(m.model.properties)
        r = run_check(job.spec, check, dataclasses.replace(opts, liveness=False) if live else opts,
                      model=m.model)
        outcome, killer, kind, detail = classify(r)
        if live and outcome != "killed" and r.verdict is not Verdict.ERROR:
            r = run_check(job.spec, check, liveness_options(opts, r.stats.states), model=m.model)
            outcome, killer, kind, detail = classify(r)
        if outcome == "incomplete" and job.deadline is not None and time.time() >= job.deadline:
            outcome, detail = "not run", "the --time-limit ran out while it ran"
        if outcome == "survived" and r.stats.states == job.original.states:
            same = job.original.same(reachable(m.model))
            if same is not None:
                outcome, detail = "equivalent", detail if same == "the same states" else same
    except UserError as e:  # a model error in a reached state (e.g. a counter out of range)
        return MutantResult(**base, outcome="error", seconds=time.perf_counter() - t0, detail=str(e))
    return MutantResult(**base, outcome=outcome, killer=killer, killer_kind=kind,
                        trace_length=len(r.trace) if outcome == "killed" and r.trace is not None else None,
                        states=r.stats.states, seconds=time.perf_counter() - t0, detail=detail)


# ---------------------------------------------------------------- a whole check

# below this many states a mutant's reference search takes less than compiling its C would
COMPILE_PAYS = 200_000


def default_backend(states: int | None = None) -> str:
    """The engine for mutants of a model with `states` reachable states: the reference below
    COMPILE_PAYS (each mutant is a new model, so the fast backend compiles each), else the fast
    backend where a C compiler is present."""
    from ..explicit.fast.build import available
    if states is not None and states < COMPILE_PAYS:
        return "explicit"
    return "fast" if available()[0] else "auto"


def chosen(ms: list[Mutant], max_mutants: int | None, actions: tuple[str, ...] = ()) -> list[Mutant]:
    """The mutants of `actions` (every action if empty), then at most `max_mutants` of them,
    spread evenly over the list (numbers kept), so every action is still sampled; the same list
    and limits always choose the same mutants."""
    if actions:
        ms = [m for m in ms if m.action in actions]
    if max_mutants is None or max_mutants >= len(ms):
        return ms
    return [ms[i * len(ms) // max_mutants] for i in range(max_mutants)]


def baseline(spec: str, check: Check, backend: str | None) -> tuple[CheckResult, Reachable, str]:
    """The original must hold at its bounds: a mutant can only be killed by a property the
    original satisfies. Also its reachable states, and the backend its mutants run on."""
    if check.expect != "holds":
        raise UserError(f"check {check.name} expects '{check.expect}': mutation testing measures a "
                        "model whose check holds", check.loc, "run mutate on a check with expect='holds'")
    model = build_model(check, {})
    states = reachable(model, renamings=True)
    backend = backend or default_backend(states.states)
    r = run_check(spec, check, mutant_options(backend, check, None), model=model)
    if r.verdict is not Verdict.HOLDS:
        raise UserError(f"check {check.name} does not hold at its bounds ({r.verdict.value}"
                        f"{': ' + r.reason if r.reason else ''}); its mutants would say nothing",
                        check.loc, "fix the model or the check first")
    return r, states, backend


def mutate_check(spec: str, check: Check, *, workers: int | None = None,
                 max_mutants: int | None = None, time_limit: float | None = None,
                 backend: str | None = None, actions: tuple[str, ...] = (),
                 progress: Callable[[int, int, MutantResult], None] | None = None,
                 escalate: tuple[Check, ...] = ()) -> MutationRun:
    """Run every (or every chosen) mutant of one check, in parallel; results in number order.
    `backend`: None for the quicker engine at the model's size (any exact engine gives the same);
    `actions`: only the mutants of these actions (a review of one function's model);
    `escalate`: checks of the same protocol at larger bounds (or with more of it switched on), where the
    survivors run again, in order."""
    t0 = time.perf_counter()
    workers = max(1, workers or os.cpu_count() or 1)
    deadline = time.time() + time_limit if time_limit else None
    model, ms = check_mutants(check)
    unknown = [a for a in actions if a not in {x.name for x in model.actions}]
    if unknown:
        raise UserError(f"--action {unknown[0]}: check {check.name} has no action of that name", check.loc,
                        f"its actions: {', '.join(x.name for x in model.actions)}")
    for big in escalate:
        if big.protocol.name != check.protocol.name:
            raise UserError(f"--escalate {big.name}: a check of protocol {big.protocol.name}, not "
                            f"{check.protocol.name}", big.loc, "name a check of the same protocol at larger bounds")
    original, states, backend = baseline(spec, check, backend)
    picked = chosen(ms, max_mutants, actions)
    share = default_limit()   # the --memory-limit default, split among the worker processes
    jobs = [Job(spec, check.name, m.number, backend, states, deadline, share // workers if share else None)
            for m in picked]
    results = run_jobs(jobs, workers, deadline, progress)
    for big in escalate:
        results = escalated(spec, results, big, workers, deadline, share)
    return MutationRun(spec, check.name, check.protocol.name, original.params, check.min_mutation_score,
                       len(ms), tuple(sorted(results, key=lambda r: r.number)), states.states,
                       time.perf_counter() - t0, workers, original.backend, tuple(actions),
                       tuple(big.name for big in escalate))


def escalated(spec: str, results: list[MutantResult], big: Check, workers: int, deadline: float | None,
              share: int | None) -> list[MutantResult]:
    """The scored survivors run again at the larger check `big`, each as the mutant of `big` with the
    same description (the same edit of the same action); one killed there is killed, `at` naming
    `big`. A bug that needs a third CPU (a scan that forgets a CPU never ends) shows there."""
    backend = default_backend()
    r = run_check(spec, big, mutant_options(backend, big, None), model=build_model(big, {}))
    if r.verdict is not Verdict.HOLDS:
        raise UserError(f"--escalate {big.name} does not hold at its bounds ({r.verdict.value}); its mutants "
                        "would say nothing", big.loc, "name a holding check of the same protocol")
    number = {m.description: m.number for m in check_mutants(big)[1]}
    todo = {number[r.description]: r for r in results
            if r.outcome == "survived" and not r.apart and r.description in number}
    nothing = Reachable(-1, "")   # no equivalence at the larger bounds: only a kill counts there
    jobs = [Job(spec, big.name, n, backend, nothing, deadline, share // workers if share else None) for n in todo]
    out = {r.number: r for r in results}
    for again in run_jobs(jobs, workers, deadline, None):
        if again.outcome == "killed":
            small = todo[again.number]
            out[small.number] = dataclasses.replace(small, outcome="killed", killer=again.killer,
                                                    killer_kind=again.killer_kind,
                                                    trace_length=again.trace_length, at=big.name)
    return list(out.values())


def run_jobs(jobs: list[Job], workers: int, deadline: float | None,
             progress: Callable[[int, int, MutantResult], None] | None) -> list[MutantResult]:
    """Run the jobs in this process (one worker) or a pool of fresh processes; at the deadline
    the ones not started are reported "not run"."""
    done: list[MutantResult] = []

    def record(r: MutantResult) -> None:
        done.append(r)
        if progress is not None:
            progress(len(done), len(jobs), r)

    if workers == 1 or len(jobs) <= 1:
        for j in jobs:
            record(run_mutant(j))
        return done
    # fork: `python -m checker` re-runs its command line when a spawned child imports __main__;
    # the forked children only run `run_mutant`, and the caller starts no threads before this
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
        pending = {pool.submit(run_mutant, j): j for j in jobs}
        while pending:
            timeout = None if deadline is None else max(deadline - time.time(), 0) + 1
            finished, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            for f in finished:
                pending.pop(f)
                record(f.result())
            if not finished and deadline is not None and time.time() >= deadline:
                for f, j in list(pending.items()):
                    if f.cancel():
                        pending.pop(f)
                        record(not_run(j))
    return done


def not_run(job: Job) -> MutantResult:
    """A mutant the deadline left out, described like the others."""
    m = check_mutants(find_check(job.spec, job.check))[1][job.number - 1]
    return MutantResult(m.number, m.kind, m.action, m.ref, m.description, "not run",
                        detail="the --time-limit ran out first", apart=m.apart)


def as_dict(run: MutationRun) -> dict:
    """One check's mutation run as JSON-ready data."""
    c = run.counts()
    return {
        "spec": run.spec, "check": run.check, "protocol": run.protocol, "bounds": run.bounds,
        "backend": run.backend, "workers": run.workers, "seconds": round(run.seconds, 2),
        "original_states": run.original_states, "generated": run.generated,
        "score": run.score(),
        "min_mutation_score": run.floor, "met": run.met,
        "only_actions": list(run.only), "escalated": list(run.escalated), "complete": run.complete,
        "counts": {o: c[o] for o in OUTCOMES},
        "apart": {why: {o: run.apart_counts(why)[o] for o in OUTCOMES} for why in APART},
        "actions": [{"action": a, "score": run.score(a),
                     "counts": {o: run.counts(a)[o] for o in OUTCOMES}} for a in run.actions()],
        "mutants": [dataclasses.asdict(r) for r in run.results],
    }
