"""Which explicit-state engine runs a check, and with or without symmetry reduction.

- `explicit`: the reference explorer (checker/explore.py), Python over tuples;
- `fast`: the same model compiled to C (checker/fast/), on one core or several.
Both are exact and give the same verdict, state count, trace length and coverage. `auto` picks
`fast` where a C compiler is present and falls back to `explicit`, saying so in one line.
Symmetry (`None`: wherever the model declares a symmetric index set) explores one state per
orbit; the counterexample is still a real execution from the initial state.

Leads-to properties and --dot/--graphml need the explored graph of real states, which only the
reference explorer records: the graph is then recorded by an unreduced `explicit` pass (for
liveness only once the safety search has held, and only on models small enough for it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .compile import Compiled
from .errors import UserError
from .explore import EdgeLog, Limits, Outcome, explore
from .result import Stats, Verdict
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


def search(c: Compiled, limits: Limits, deadlock: bool, progress: Callable[[Stats], None] | None,
           *, backend: str | None = "explicit", symmetry: bool | None = False,
           workers: int | None = 1, edges: EdgeLog | None = None,
           live_log: EdgeLog | None = None) -> Searched:
    """Run the safety search. `edges`: a graph was asked for (--dot); `live_log`: liveness
    properties will be checked on the graph recorded into it."""
    notes: list[str] = []
    backend = backend or "auto"
    if backend not in CHOICES:
        raise UserError(f"unknown backend '{backend}'", None, f"choose one of {', '.join(CHOICES)}")
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
    use = backend
    if backend in ("auto", "fast"):
        from . import fast
        ok, why = fast.available()
        if ok:
            try:
                out, represented, _ = fast.explore_fast(c, sym, limits, deadlock, progress,
                                                        workers or fast.default_workers())
                use = "fast"
            except fast.Unavailable as e:
                why = str(e)
                ok = False
        if not ok:
            notes.append(f"fast backend unavailable ({why}); ran the explicit backend instead")
            use = "explicit"
    if use == "explicit":
        if workers is not None and workers > 1:
            notes.append("--workers applies to the fast backend; the explicit backend used one core")
        if sym is None:
            out = explore(c, limits, deadlock, progress, live_log)
            return Searched(out, "explicit", False, live_log, notes)
        out, represented = explore_reduced(c, sym, limits, deadlock, progress)
    if sym is not None and out.verdict is Verdict.HOLDS:
        out.stats.represented = represented
    log = None
    if live_log is not None and out.verdict is Verdict.HOLDS:
        full = represented if sym is not None else out.stats.states
        if live_log.cap is not None and full > live_log.cap:
            live_log.overflow = True
        else:
            explore(c, Limits(), deadlock, None, live_log)   # records the graph of real states
        log = live_log
    elif live_log is not None:
        log = live_log
    return Searched(out, use, sym is not None, log, notes)
