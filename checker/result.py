"""Results and traces: plain data that every reporter reads and no reporter recomputes."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Verdict(enum.Enum):
    HOLDS = "holds"
    VIOLATED = "violated"
    UNCOVERED = "uncovered"           # the invariants held, but a cover property was never reached
    INCOMPLETE = "incomplete"
    ERROR = "error"

    @property
    def exit_code(self) -> int:
        return {"holds": 0, "violated": 1, "uncovered": 1, "error": 2, "incomplete": 3}[self.value]


DEADLOCK_STATEMENT = ("a reachable state is not final, and no action but the environment's "
                      "(hardware, user, NMI) is enabled: the protocol is stuck")


@dataclass(frozen=True)
class TraceStep:
    """One state of a trace and the action that led to it (None for the initial state)."""

    action: str | None
    args: tuple[tuple[str, int], ...]
    actor: int | None
    ref: str
    state: dict[str, Any]


@dataclass(frozen=True)
class Violation:
    """What went wrong at the end of a trace: an invariant (with its witness) or a deadlock."""

    invariant: str
    statement: str
    witness: tuple[tuple[str, int], ...] = ()
    kind: str = "invariant"  # invariant | deadlock | liveness


@dataclass(frozen=True)
class Trace:
    steps: tuple[TraceStep, ...]
    violation: Violation | None
    lanes: str | None = None          # the index set drawn as lanes (CPU)
    lane_count: int = 0
    loop_start: int | None = None     # for lasso traces: the step the loop returns to
    kind: str = "counterexample"      # or "cti": a counterexample to induction (first state need not be reachable);
    # "abstract": a path of the CMP abstraction (--cmp), which need not be a path of the model
    optional: tuple[str, ...] = ()    # variables whose elements may be none (optional index-set members)

    def __len__(self) -> int:
        """The number of transitions (steps after the initial state)."""
        return len(self.steps) - 1


@dataclass
class Stats:
    states: int = 0
    transitions: int = 0
    depth: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    bytes_per_state: float | None = None
    represented: int | None = None    # symmetry: the states the explored representatives stand for

    @property
    def states_per_s(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else float(self.states)


@dataclass(frozen=True)
class Reach:
    """How the search met a goal: a cover property, or an invariant's hazard precondition."""

    kind: str                         # "cover" | "precondition"
    name: str                         # the cover's name, or the invariant's
    statement: str
    states: int                       # states that met it (orbit representatives under symmetry)
    depth: int | None                 # BFS depth of the first such state; None: never met
    action: str | None = None         # a context cover: the action whose context it is

    @property
    def reached(self) -> bool:
        return self.depth is not None


@dataclass(frozen=True)
class StateGraph:
    """The explored state graph (recorded only on request): decoded states and transitions.

    `edges` are (source, target, action label, acting lane member or None); `path` is the
    counterexample as node numbers, initial state first (empty when none was found).
    """

    nodes: tuple[dict[str, Any], ...]
    edges: tuple[tuple[int, int, str, int | None], ...]
    path: tuple[int, ...] = ()
    lanes: str | None = None


@dataclass
class CheckResult:
    check: str
    spec: str
    protocol: str
    params: dict[str, Any]
    verdict: Verdict
    backend: str
    symmetry: bool = False
    invariants: tuple[str, ...] = ()
    violation: Violation | None = None
    trace: Trace | None = None
    stats: Stats = field(default_factory=Stats)
    coverage: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    reason: str = ""                  # why incomplete, or the error message
    expect: str = "holds"
    spec_line: int = 0                # the spec line that defines this check (0: unknown)
    invariant_locs: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (file, line)
    action_locs: dict[str, tuple[str, int]] = field(default_factory=dict)     # action -> (file, line)
    graph: StateGraph | None = None   # the explored state graph, only when asked for (--dot)
    goals: list[Reach] = field(default_factory=list)
    # declared properties not checked, with why: the verdict cannot be "holds" while any is here
    unchecked: dict[str, str] = field(default_factory=dict)
    # properties the spec itself leaves out (e.g. liveness=False), with why: reported, not failing
    excluded: dict[str, str] = field(default_factory=dict)
    # why this "holds" may say nothing: dead actions, hazard preconditions never met (gate: unmet)
    vacuity: list[str] = field(default_factory=list)
    # --fingerprint: the estimated probability that hash compaction lost a state (None: exact)
    omission: float | None = None
    memory_limit: int | None = None   # the memory limit the search ran under (bytes)
    liveness: str = ""                # how the fast backend's leads-to pass ran (graph size, time), if it did
    # --all: the shortest trace of every other violated property (`trace` is the shortest of all)
    others: list[Trace] = field(default_factory=list)
    simulation: dict[str, Any] | None = None   # --simulate: walks, depth, seed, and what they did
    replay: dict[str, Any] | None = None       # --replay: the trace file, outcome, step, why

    @property
    def violated(self) -> list[str]:
        """Every property this result shows violated: the first, then --all's others."""
        first = [self.violation.invariant] if self.violation is not None and \
            self.verdict is Verdict.VIOLATED else []
        return first + [t.violation.invariant for t in self.others if t.violation is not None]

    @property
    def expectation_met(self) -> bool:
        if self.expect == "holds":
            return self.verdict is Verdict.HOLDS and not self.vacuity
        want = self.expect.split(None, 1)[1] if " " in self.expect else ""
        return self.verdict is Verdict.VIOLATED and want in self.violated
