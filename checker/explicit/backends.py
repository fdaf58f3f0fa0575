"""Which explicit-state engine runs a check, and with or without symmetry reduction.

- `explicit`: the reference explorer (checker/explicit/explore.py), Python over tuples;
- `fast`: the same model compiled to C (checker/explicit/fast/), on one core or several.
Both are exact and give the same verdict, state count, trace length and coverage. `auto` (the
command line's default) picks `fast` where a C compiler is present and falls back to `explicit`,
saying so in one line; a model whose C is not compiled yet first gets a short reference search
(PROBE_STATES), which finishes small models before the compiler would have.
Symmetry (`None`: wherever the model declares a symmetric index set) explores one state per
orbit; the counterexample is still a real execution from the initial state.

--dot/--graphml need the explored graph of real states, which only the reference explorer
records: an unreduced `explicit` pass. Leads-to properties are checked once the safety search
has held: on the fast backend by its own unreduced liveness pass (fast/fc_live.h: SCCs over a
compact edge store, bounded only by memory), on the reference by an unreduced `explicit` pass
that records the graph (only on models small enough for it). Neither is symmetry-reduced: a
quotient graph merges the instances of an action on different CPUs, so a cycle that takes
"the" IPI delivery in the quotient may, in the real graph, starve one CPU's delivery for ever;
per-instance fairness is not preserved, and the reduced lasso would prove nothing.
`fingerprint` (--fingerprint, fast backend only) keeps 64-bit hashes instead of states in the
visited set: see `omission_probability`.
`cluster` (--cluster ray / ray://HOST:PORT) runs the fast backend's C on Ray workers
(checker/explicit/cluster.py): the same counts and trace; leads-to properties then get the fast
backend's liveness pass in this process.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Callable

from ..errors import UserError
from ..result import Stats, Verdict
from .compile import Compiled
from .explore import EdgeLog, Limits, Outcome, explore
from .symmetry import choose, explore_reduced

BACKENDS = ("explicit", "fast")
CHOICES = ("auto",) + BACKENDS


@dataclass
class Searched:
    outcome: Outcome
    backend: str
    symmetry: bool
    log: EdgeLog | None = None          # the graph for liveness / --dot (None when not asked)
    notes: list[str] = field(default_factory=list)
    live: object | None = None          # the fast backend's leads-to check (fast.Live), when it ran
    fingerprint: bool = False           # --fingerprint was asked for
    hashed: bool = False                # ... and the states were wider than a fingerprint (else exact)

    def omission(self) -> float | None:
        """--fingerprint's estimated probability that a state was missed (None: not asked)."""
        if not self.fingerprint:
            return None
        if not self.hashed:
            if "fits in 64 bits" not in " ".join(self.notes):
                self.notes.append("--fingerprint: a state fits in 64 bits, so it is its own exact "
                                  "fingerprint; no state can be missed")
            return 0.0
        return omission_probability(self.outcome.stats.states)


def omission_probability(states: int, bits: int = 64) -> float:
    """The standard estimate that hash compaction lost a state: the chance that two of `states`
    distinct states share a `bits`-bit fingerprint (birthday bound, n(n-1)/2^(bits+1)), capped
    at 1. A state whose fingerprint matched an earlier one is taken as visited, and so are
    the states only it leads to."""
    return min(1.0, states * (states - 1) / 2.0 ** (bits + 1))


# `auto` on a model whose C is not in the cache yet: the reference explorer gets this many
# states first (about the time a compilation takes); a model that small is done before the
# compiler would be, anything bigger goes to the fast backend. The answer is the same either way.
PROBE_STATES = 30_000
PROBE_STATES_SYM = 3_000     # the reference canonicaliser is slower per state


def search(c: Compiled, limits: Limits, deadlock: bool, progress: Callable[[Stats], None] | None,
           *, backend: str | None = "explicit", symmetry: bool | None = False,
           workers: int | None = 1, edges: EdgeLog | None = None,
           live_log: EdgeLog | None = None, fingerprint: bool = False,
           checkpoint=None, cluster: str | None = None, all_violations: bool = False) -> Searched:
    """Run the safety search. `edges`: a graph was asked for (--dot); `live_log`: liveness
    properties will be checked (on the reference, on the graph recorded into it);
    `all_violations` (--all): the reference explorer, unreduced, goes on after violations."""
    notes: list[str] = []
    backend = backend or "auto"
    if backend not in CHOICES:
        raise UserError(f"unknown backend '{backend}'", None, f"choose one of {', '.join(CHOICES)}")
    if cluster is not None:
        if all_violations:
            raise UserError("--all runs on the explicit backend in one process, not with --cluster", None,
                            "leave one of them out")
        return _on_cluster(c, limits, deadlock, progress, backend, symmetry, workers, cluster,
                           edges is not None, live_log, fingerprint, checkpoint)
    if fingerprint and (backend == "explicit" or edges is not None):
        raise UserError("--fingerprint needs the fast backend" + (
            " and cannot record the state graph (--dot/--graphml)" if edges is not None else ""),
            None, "choose --backend fast or auto, or leave --fingerprint out")
    if checkpoint is not None and (backend == "explicit" or edges is not None):
        raise UserError("--checkpoint/--resume need the fast backend", None,
                        "choose --backend fast or auto")
    if all_violations:
        if fingerprint or checkpoint is not None:
            raise UserError("--all runs on the explicit backend; --fingerprint and --checkpoint "
                            "need the fast one", None, "leave one of them out")
        if backend == "fast" or symmetry:
            notes.append("--all runs on the explicit backend without symmetry (it keeps the shortest "
                         "trace of every violated property); it ran instead")
        log = edges if edges is not None else live_log
        out = explore(c, limits, deadlock, progress, log, all_violations=True)
        return Searched(out, "explicit", False, log, notes)
    if edges is not None:
        # the graph must hold every real state: one unreduced reference pass
        if backend == "fast" or symmetry:
            notes.append("the state graph (--dot/--graphml) is recorded by the explicit backend "
                         "without symmetry; it ran instead")
        out = explore(c, limits, deadlock, progress, edges)
        return Searched(out, "explicit", False, edges, notes)

    choice = choose(c.model, c.layout, symmetry)
    if choice.note:
        notes.append(choice.note)
    sym = choice.sym
    if backend == "explicit":
        if workers is not None and workers > 1:
            notes.append("--workers applies to the fast backend; the explicit backend used one core")
        return _explicit(c, sym, limits, deadlock, progress, live_log, notes)

    from . import fast
    ok, why = fast.available()
    fm = None
    if ok:
        try:
            fm = fast.FastModel.prepare(c, sym, fingerprint)
        except fast.Unavailable as e:
            ok, why = False, str(e)
    if not ok:
        _no_fast("fast" if fingerprint or checkpoint else backend, why)
        notes.append(f"fast backend unavailable ({why}); ran the explicit backend instead")
        return _explicit(c, sym, limits, deadlock, progress, live_log, notes)
    t0 = time.perf_counter()
    if backend == "auto" and not fm.is_cached() and not fingerprint and checkpoint is None:
        cap = PROBE_STATES_SYM if sym is not None else PROBE_STATES
        user = limits.max_states
        probe = dataclasses.replace(limits, max_states=min(user, cap) if user else cap)
        log = EdgeLog(live_log.cap) if live_log is not None else None
        found = _explicit(c, sym, probe, deadlock, progress, log, notes)
        o = found.outcome
        if not (o.verdict is Verdict.INCOMPLETE and o.reason.startswith(f"state limit {cap:,} reached")
                and (user is None or user > cap)):
            return found                       # small: done before a compiler would be
        if limits.time_limit and limits.deadline is None:   # the probe's time counts
            limits = dataclasses.replace(limits, deadline=t0 + limits.time_limit)
    try:
        out, represented, _ = fm.explore(limits, deadlock, progress,
                                         workers or fast.default_workers(), checkpoint=checkpoint)
    except fast.Unavailable as e:
        _no_fast("fast" if fingerprint or checkpoint else backend, str(e))
        notes.append(f"fast backend unavailable ({e}); ran the explicit backend instead")
        return _explicit(c, sym, limits, deadlock, progress, live_log, notes)
    if fm.note:
        notes.append(fm.note)
    if live_log is not None and out.verdict is Verdict.HOLDS:
        if sym is not None:
            out.stats.represented = represented
        live = fast.liveness(fm, limits, progress)
        return Searched(out, "fast", sym is not None, None, notes, live, fingerprint, fm.gen.hashed)
    found = _finish(c, sym, out, represented, deadlock, live_log, "fast", notes)
    found.fingerprint, found.hashed = fingerprint, fm.gen.hashed
    return found


def _on_cluster(c, limits, deadlock, progress, backend, symmetry, workers, cluster, graph, live_log,
                fingerprint, checkpoint) -> Searched:
    """--cluster: the fast backend's C on Ray workers; leads-to properties in this process."""
    from . import cluster as ray_search
    from . import fast
    address = ray_search.parse(cluster)
    clash = [flag for flag, on in (("--backend explicit", backend == "explicit"),
                                   ("--fingerprint", fingerprint),
                                   ("--checkpoint/--resume", checkpoint is not None),
                                   ("--dot/--graphml", graph)) if on]
    if clash:
        raise UserError(f"--cluster cannot be combined with {', '.join(clash)}", None,
                        "leave --cluster out to use them in one process")
    choice = choose(c.model, c.layout, symmetry)
    notes = [choice.note] if choice.note else []
    try:
        fm = fast.FastModel.prepare(c, choice.sym)
        if address is None:          # compiled here once: the local workers find it in the cache
            ok, why = fast.available()
            if not ok:
                raise fast.Unavailable(why)
            fm.load()
    except fast.Unavailable as e:
        raise UserError(f"--cluster runs the fast backend's generated C, which cannot run here: {e}",
                        None, "install a C compiler (cc, gcc or clang), or leave --cluster out") from None
    if fm.note:
        notes.append(fm.note)
    out, represented, label = ray_search.explore_cluster(fm, limits, deadlock, progress,
                                                         ray_search.Cluster(address, workers))
    sym = choice.sym is not None
    if sym and out.verdict is Verdict.HOLDS:
        out.stats.represented = represented
    if live_log is None or out.verdict is not Verdict.HOLDS:
        return Searched(out, label, sym, None, notes)
    notes.append("leads-to properties are not checked on the cluster: the fast backend's liveness "
                 "pass ran in this process, over the unreduced state graph, within this host's memory")
    try:
        fm.load()
    except fast.Unavailable as e:
        live = fast.Live(None, f"the liveness pass cannot run in this process: {e}", 0, 0, 0, 0.0, 0)
        return Searched(out, label, sym, None, notes, live)
    return Searched(out, label, sym, None, notes, fast.liveness(fm, limits, progress))


def _no_fast(backend: str, why: str) -> None:
    """Only `auto` falls back to the reference: `--backend fast` that cannot run is an error."""
    if backend == "fast":
        raise UserError(f"--backend fast cannot run here: {why}", None,
                        "install a C compiler (cc, gcc or clang) or set CC, or choose --backend auto "
                        "(falls back to the explicit backend) or --backend explicit")


def _explicit(c, sym, limits, deadlock, progress, live_log, notes) -> Searched:
    """The reference explorer; without symmetry one pass also records the liveness graph."""
    if sym is None:
        out = explore(c, limits, deadlock, progress, live_log)
        return Searched(out, "explicit", False, live_log, notes)
    out, represented = explore_reduced(c, sym, limits, deadlock, progress)
    return _finish(c, sym, out, represented, deadlock, live_log, "explicit", notes)


def _finish(c, sym, out, represented, deadlock, live_log, backend, notes) -> Searched:
    """The reduction factor, and the graph of real states for liveness (an unreduced reference
    pass, only after the safety search held and only when the graph is small enough)."""
    if sym is not None and out.verdict is Verdict.HOLDS:
        out.stats.represented = represented
    if live_log is not None and out.verdict is Verdict.HOLDS:
        full = represented if sym is not None else out.stats.states
        if live_log.cap is not None and full > live_log.cap:
            live_log.overflow = True
        else:
            explore(c, Limits(), deadlock, None, live_log)
    return Searched(out, backend, sym is not None, live_log, notes)
