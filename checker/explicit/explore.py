"""Breadth-first explicit-state search over a compiled model (the reference backend).

BFS with a visited dict and parent links: the first violating state found is at minimal
depth, so its trace is a shortest counterexample.
"""
from __future__ import annotations

import resource
import time
from array import array
from dataclasses import dataclass, field
from typing import Callable

from ..result import DEADLOCK_STATEMENT, StateGraph, Stats, Trace, Verdict, Violation
from .compile import Compiled
from .memory import MemoryLimits, format_bytes
from .trace import build_trace


@dataclass(frozen=True)
class Limits:
    max_states: int | None = None
    max_depth: int | None = None
    time_limit: float | None = None
    # when the time limit runs out (time.perf_counter()); None: time_limit after the search starts.
    # A check sets it when it starts, so that building the model counts against the limit too
    deadline: float | None = None
    memory: int | None = None   # bytes the process may use (--memory-limit); None: no limit


    def ends(self, t0: float) -> float | None:
        """The perf_counter time the search must stop at (None: no time limit)."""
        if self.deadline is not None:
            return self.deadline
        return t0 + self.time_limit if self.time_limit else None

    def time_reason(self) -> str:
        return f"time limit {self.time_limit:g} s reached"

    def states_reason(self, found: int) -> str:
        """Engines check the state limit between batches of expanded states, so they may find more."""
        if found <= (self.max_states or 0):
            return f"state limit {self.max_states:,} reached"
        return (f"state limit {self.max_states:,} reached: {found:,} states found (the limit is checked "
                f"every {LIMIT_BATCH:,} expanded states), so the model has at least that many")


# bytes per state the reference's tables may grow by at once (the visited dict doubling): the
# memory limit stops the search before a growth that would pass it
GROWTH = 64
LIMIT_BATCH = 1024   # expanded states between two checks of the limits (SEQ_BLOCK in fc_runtime.h)


@dataclass
class Outcome:
    verdict: Verdict
    stats: Stats
    coverage: list[int]
    violation: Violation | None = None
    trace: Trace | None = None
    reason: str = ""
    # per goal of the model (Model.goals): states that met it, and the depth of the first (-1: none)
    reached: list[tuple[int, int]] = field(default_factory=list)
    # --all: the shortest trace of every other property violated (`trace` is the shortest of all)
    more: list[Trace] = field(default_factory=list)


class EdgeLog:
    """Opt-in record of the explored state graph (for --dot/--graphml); off by default.

    The explorer appends (state number, successors) once per expanded state and hands over
    its states and parent links when it stops; nothing is recorded when none is passed.
    """

    def __init__(self, cap: int | None = None) -> None:
        self.cap = cap            # stop recording (overflow) after this many expanded states
        self.overflow = False
        self.expanded: list[tuple[int, list]] = []
        self.states: list[tuple] = []
        self.index: dict[tuple, int] = {}
        self.path: list[int] = []

    def close(self, states: list[tuple], index: dict[tuple, int], parent, at: int | None) -> None:
        self.states, self.index, self.path = states, index, []
        j = -1 if at is None else at
        while j >= 0:
            self.path.append(j)
            j = parent[j]
        self.path.reverse()

    def to_graph(self, c: Compiled) -> StateGraph:
        """Decoded nodes and labelled edges; successors never reached (the search stopped) are left out."""
        edges = []
        for i, nxt in self.expanded:
            for k, t in nxt:
                j = self.index.get(t)
                if j is not None:
                    edges.append((i, j, c.instances[k].label, c.actor(k, self.states[i])))
        lanes = c.model.lanes
        return StateGraph(tuple(c.layout.decode(s) for s in self.states), tuple(edges),
                          tuple(self.path), lanes.name if lanes else None)


def out_of_memory_reason(states: int, what: str = "") -> str:
    """Why a search that could not allocate stopped: it is incomplete, not a crash."""
    return (f"out of memory after {states:,} states" + (f" ({what})" if what else "")
            + " — bound the search with --max-states, use fewer CPUs/pages/rounds, or turn "
            "symmetry on where the model allows it")


def interrupted_reason(states: int, where: str = "") -> str:
    """Why a search stopped at Ctrl-C (SIGINT) or SIGTERM: incomplete, with what it had explored."""
    return f"interrupted after {states:,} states" + (f" ({where})" if where else "")


def memory_limit_reason(limits: Limits, states: int) -> str:
    """Why a search stopped at --memory-limit: incomplete, with what it had explored."""
    return (f"memory limit {format_bytes(limits.memory or 0)} reached after {states:,} states — raise "
            "--memory-limit, use fewer CPUs/pages/rounds, turn symmetry on where the model allows it, "
            "or try --fingerprint")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def explore(c: Compiled, limits: Limits = Limits(), deadlock: bool = True,
            progress: Callable[[Stats], None] | None = None, edges: EdgeLog | None = None,
            init: tuple | None = None, all_violations: bool = False) -> Outcome:
    """Explore every reachable state (within limits); stop at the first violation.

    `edges`, when given, records the state graph as it is explored (small models only).
    `all_violations` (--all): go on after a violation, violating states expanded like any other,
    and keep the first state that breaks each property: BFS order makes each one's trace the
    shortest, the one a run checking that property alone would give.
    """
    t0 = time.perf_counter()
    succ, check, final = c.successors, c.check, c.is_final
    init = c.layout.initial() if init is None else init  # symmetry: the initial state's representative
    seen: dict[tuple, int] = {init: 0}
    states: list[tuple] = [init]
    parent = array("q", [-1])
    via = array("q", [-1])
    cov = [0] * len(c.instances)
    stats = Stats()
    goals = Goals(c)
    see = goals.see if c.observe is not None else None

    found: dict[str, tuple[int, Violation]] = {}    # --all: property -> (first state, violation)

    def trace_to(at: int, viol: Violation) -> Trace:
        path = []
        j = at
        while j >= 0:
            path.append(j)
            j = parent[j]
        path.reverse()
        return build_trace(c, [states[j] for j in path], [via[j] for j in path[1:]], viol)

    def finish(verdict: Verdict, at: int | None = None, viol: Violation | None = None,
               reason: str = "") -> Outcome:
        stats.states = len(states)
        stats.seconds = time.perf_counter() - t0
        stats.peak_mb = peak_mb()
        if found and at is None:     # --all: every violation found, the shortest first
            first = sorted(found.values(), key=lambda x: x[0])
            at, viol = first[0]
            verdict = Verdict.VIOLATED
            more = [trace_to(j, v) for j, v in first[1:]]
        else:
            more = []
        if edges is not None:
            edges.close(states, seen, parent, at)
        trace = trace_to(at, viol) if at is not None else None
        return Outcome(verdict, stats, cov, viol, trace, reason, goals.reached(), more)

    def record(j: int, bad_state: tuple) -> None:
        for i_inv, w in c.check_all(bad_state):
            v = _violation(c, (i_inv, w))
            if v.invariant not in found:
                found[v.invariant] = (j, v)

    if see:
        see(init, 0)
    bad = check(init)
    if bad is not None:
        if not all_violations:
            return finish(Verdict.VIOLATED, 0, _violation(c, bad))
        record(0, init)

    max_states = limits.max_states
    max_depth = limits.max_depth
    deadline = limits.ends(t0)
    next_report = t0 + 2.0
    level_end, depth, i = 1, 0, 0
    batch = LIMIT_BATCH - 1   # a power of two
    memory = MemoryLimits(limits.memory)
    try:
        while i < len(states):
            if i == level_end:
                depth += 1
                level_end = len(states)
                stats.depth = depth
            if max_depth is not None and depth >= max_depth:
                if any(t not in seen for j in range(i, len(states)) for _, t in succ(states[j])):
                    return finish(Verdict.INCOMPLETE, reason=f"depth limit {max_depth} reached "
                                  "with states still unexplored")
                break
            s = states[i]
            nxt = succ(s)
            if deadlock and c.stuck(nxt) and not final(s):
                stuck = Violation("deadlock", DEADLOCK_STATEMENT, kind="deadlock")
                if not all_violations:
                    stats.depth = depth
                    return finish(Verdict.VIOLATED, i, stuck)
                found.setdefault("deadlock", (i, stuck))
            stats.transitions += len(nxt)
            if edges is not None:
                if edges.cap is None or len(edges.expanded) < edges.cap:
                    edges.expanded.append((i, nxt))
                else:
                    edges.overflow = True
            for k, t in nxt:
                cov[k] += 1
                if t not in seen:
                    j = len(states)
                    seen[t] = j
                    states.append(t)
                    parent.append(i)
                    via.append(k)
                    if see:
                        see(t, depth + 1)
                    bad = check(t)
                    if bad is not None:
                        if not all_violations:
                            stats.depth = depth + 1
                            return finish(Verdict.VIOLATED, j, _violation(c, bad))
                        record(j, t)
            i += 1
            if not i & batch:
                now = time.perf_counter()
                if max_states is not None and len(states) >= max_states:
                    return finish(Verdict.INCOMPLETE, reason=limits.states_reason(len(states)))
                if deadline is not None and now > deadline:
                    return finish(Verdict.INCOMPLETE, reason=limits.time_reason())
                if memory.checks and (used := memory.exhausted(GROWTH * len(states))):
                    if used == "limit":
                        n = len(states)
                        if edges is None:
                            seen.clear()    # room to finish the report
                        return finish(Verdict.INCOMPLETE, reason=memory_limit_reason(limits, n))
                    return finish(Verdict.INCOMPLETE, reason=out_of_memory_reason(len(states), used))
                if progress is not None and now >= next_report:
                    next_report = now + 1.0
                    stats.states, stats.seconds = len(states), now - t0
                    progress(stats)
    except KeyboardInterrupt:   # Ctrl-C / SIGTERM: the statistics so far, incomplete
        stats.depth = depth
        return finish(Verdict.INCOMPLETE, reason=interrupted_reason(len(states)))
    except MemoryError:   # out of memory is "incomplete" with what was explored, not a crash
        n = len(states)
        if edges is None:
            seen.clear()    # room to finish the report
        return finish(Verdict.INCOMPLETE, reason=out_of_memory_reason(n))
    if max_states is not None and len(states) > max_states:
        return finish(Verdict.INCOMPLETE, reason=limits.states_reason(len(states)))
    return finish(Verdict.HOLDS)


class Goals:
    """Counts, per goal of the model, the states that meet it and the depth of the first."""

    def __init__(self, c: Compiled) -> None:
        n = len(c.model.goals())
        self.observe = c.observe
        self.count, self.first = [0] * n, [-1] * n

    def see(self, s: tuple, depth: int) -> None:
        for g in self.observe(s):
            self.count[g] += 1
            if self.first[g] < 0:
                self.first[g] = depth

    def reached(self) -> list[tuple[int, int]]:
        return list(zip(self.count, self.first))


def _violation(c: Compiled, bad: tuple[int, int]) -> Violation:
    inv = c.model.invariants[bad[0]]
    return Violation(inv.name, inv.statement, tuple(c.witnesses[bad[1]]))
