"""Timing semantics: the happens-before graph of an execution and the time of each event.

An execution of the scenario is a path of action instances from the initial state (environment
actions off) to the initiator's `end` action. Its events are ordered by
  - program order: consecutive events of one CPU (the action's actor);
  - messages: the rules of `report/lanes.py` (IPI sent -> taken, csd unlocked -> seen by
    csd_lock_wait), each edge taking the cost the table gives its kind;
  - read-after-write: an event that reads a state element (statically, in its guard or updates)
    another CPU changed last, after that write, taking the table's "raw" cost (a cache-line
    transfer) — unless a message edge already joins the two events.
An event starts when its last predecessor (plus the edge's cost) is done and lasts the sum of its
action's costs: its end time is the longest path to it. The step order of a path is a
topological order of its graph, so one pass computes it.

Best and worst case: over every execution of the scenario, exactly — a depth-first search over
(state, timing frontier) pairs with memoisation (the future of an execution depends only on its
state and on the frontier: each CPU's last event, each element's last writer, the messages in
flight), so no path is cut off; `max_nodes` bounds the work and says so when it is hit.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from ..errors import UserError
from ..explicit.compile import Compiled, compile_model
from ..lang.expr import Bound, Const, Expr, Op, Quant, Ref
from ..lang.model import Model
from ..lang.types import BoolType, Elem, Enum, Mask
from ..report.lanes import KERNEL_MESSAGES, Message
from .tables import CostTable

MAX_NODES = 2_000_000


@dataclass(frozen=True)
class Edge:
    src: int          # index of the predecessor event
    kind: str         # "po" (program order), a message kind ("ipi", "ack"), or "raw"
    cost: str | None  # the cost the edge takes (None: none)


@dataclass
class Event:
    index: int
    label: str                 # the action instance, e.g. ipi_send(t=1)
    action: str
    actor: int | None
    costs: tuple[str, ...]
    preds: list[Edge]
    start: float = 0.0
    end: float = 0.0
    via: int | None = None     # the predecessor on the longest path (index into preds)


@dataclass
class Execution:
    events: list[Event]
    end: int                   # index of the initiator's end event

    @property
    def latency(self) -> float:
        return self.events[self.end].end

    def critical_path(self) -> list[tuple[Event, Edge | None]]:
        """From the first event to the end event along the longest path: (event, the edge into it)."""
        out: list[tuple[Event, Edge | None]] = []
        e = self.events[self.end]
        while True:
            into = e.preds[e.via] if e.via is not None else None
            out.append((e, into))
            if into is None:
                break
            e = self.events[into.src]
        out.reverse()
        return out


@dataclass
class Scenario:
    """A model narrowed to the timed operation, compiled, with what each instance reads."""

    compiled: Compiled
    table: CostTable
    init: tuple
    initiator: int
    start: str
    end: str
    reads: list[frozenset[int]] = field(default_factory=list)
    rules: tuple[Message, ...] = KERNEL_MESSAGES


def element_slots(layout, ref: Ref, env: dict[int, int]) -> list[int]:
    """The packed-state slots a reference may read: constant and parameter indices resolved,
    any other index (a quantified variable, an expression) standing for every member."""
    v = ref.var
    choices: list[list[int]] = []
    for d, ix in zip(v.dims, ref.indices):
        if isinstance(ix, Const):
            choices.append([int(ix.value)])
        elif isinstance(ix, Bound) and ix.uid in env:
            choices.append([env[ix.uid]])
        else:
            choices.append(list(d.members))
    for d in v.dims[len(ref.indices):]:
        choices.append(list(d.members))
    out = [()]
    for ch in choices:
        out = [o + (c,) for o in out for c in ch]
    return [layout.slot(v, idx) for idx in out]


def read_slots(layout, e: Expr, env: dict[int, int], into: set[int]) -> None:
    if isinstance(e, Ref):
        into.update(element_slots(layout, e, env))
        for i in e.indices:
            read_slots(layout, i, env, into)
    elif isinstance(e, Op):
        for a in e.args:
            read_slots(layout, a, env, into)
    elif isinstance(e, Quant):
        read_slots(layout, e.body, env, into)


def encode(v, x: Any) -> int | bool:
    """A plain value (as a table or a decoded state writes it) in the packed form."""
    t = v.type
    if isinstance(t, BoolType):
        return bool(x)
    if isinstance(t, Enum):
        if x not in t.names:
            raise UserError(f"scenario init: {v.name} has no value '{x}'", None, f"its values: {', '.join(t.names)}")
        return t.names.index(x)
    if isinstance(t, Mask):
        return sum(1 << int(i) for i in x)
    if isinstance(t, Elem) and x is None:
        return t.none
    return int(x)


def initial_state(c: Compiled, init: dict[str, Any]) -> tuple:
    """The model's initial state with the scenario's changes ("mode[1]" = "other", "mm_cpumask" = [0])."""
    s = list(c.layout.initial())
    names = {c.layout.slot_name(k): k for k in range(c.layout.width)}
    for k, x in init.items():
        if k not in names:
            raise UserError(f"scenario init names '{k}', not an element of model {c.model.name}", None,
                            "write a variable as name or name[i]")
        var = c.layout.vars[max(i for i, off in enumerate(c.layout.offsets) if off <= names[k])]
        s[names[k]] = encode(var, x)
    return tuple(s)


def scenario(model: Model, table: CostTable, init: dict[str, Any] | None = None) -> Scenario:
    """The model, compiled, with the static read set of every instance."""
    c = compile_model(model)
    sc = table.scenario
    for a in (sc.start, sc.end):
        if a and a not in {x.name for x in model.actions}:
            raise UserError(f"cost table {table.name}: scenario action '{a}' is not an action of "
                            f"model {model.name}", None, "fix [scenario] start/end")
    reads = []
    for inst in c.instances:
        env = inst.bindings
        got: set[int] = set()
        read_slots(c.layout, inst.action.guard, env, got)
        for u in inst.action.updates:
            read_slots(c.layout, u.value, env, got)
            for i in u.target.indices:
                read_slots(c.layout, i, env, got)
        reads.append(frozenset(got))
    return Scenario(c, table, initial_state(c, {**sc.init, **(init or {})}), sc.initiator, sc.start,
                    sc.end, reads)


# ----------------------------------------------------------------------------- one step

# The frontier: what the rest of an execution can still depend on. Plain tuples (hashable).
#   cpu:     per lane, (end time, event id) of its last event, or None
#   writes:  sorted ((slot, end, actor, event id), ...) of each element's last change
#   pending: per rule, the open messages ((key, end, event id), ...)
#   counts:  occurrences so far per instance label (event ids are (label, n): interleaving-free)

def start_frontier(sc: Scenario) -> tuple:
    lanes = sc.compiled.model.lanes.size if sc.compiled.model.lanes else 1
    return ((None,) * (lanes + 1), (), tuple(() for _ in sc.rules), ())


def step(sc: Scenario, fr: tuple, k: int, s: tuple, t: tuple, costs: dict[str, float],
         edges_out: list | None = None) -> tuple[tuple, float, str]:
    """Run instance k from s to t on frontier fr: the new frontier, the event's end time, its id.
    With `edges_out`, the event's incoming edges as (event id, kind, cost name) are appended."""
    c, table = sc.compiled, sc.table
    inst = c.instances[k]
    name = inst.action.name
    actor = c.actor(k, s)
    lane = actor if actor is not None else len(fr[0]) - 1
    counts = dict(fr[3])
    n = counts.get(inst.label, 0)
    counts[inst.label] = n + 1
    eid = (inst.label, n)
    preds: list[tuple[Any, str, str | None, float]] = []   # (event id, kind, cost, ready time)
    last = fr[0][lane]
    if last is not None:
        preds.append((last[1], "po", None, last[0]))
    msg_srcs = set()
    pending = list(fr[2])
    args = {b.name: v for b, v in zip(inst.action.params, inst.args)}
    for r, rule in enumerate(sc.rules):
        open_ = list(pending[r])
        if name == rule.receive:
            key = args.get(rule.receive_key) if rule.receive_key else None
            w = table.edges.get(rule.kind)
            wn = costs[w] if w else 0.0
            keep = []
            took = False
            for (mk, mend, msrc) in open_:
                if (rule.shared or not took) and (rule.receive_key is None or mk == key):
                    preds.append((msrc, rule.kind, w, mend + wn))
                    msg_srcs.add(msrc)
                    took = True
                else:
                    keep.append((mk, mend, msrc))
            open_ = keep
        pending[r] = tuple(open_)
    raw = table.edges.get("raw")
    rawn = costs[raw] if raw else 0.0
    for (slot, wend, wactor, weid) in fr[1]:
        if slot in sc.reads[k] and wactor != actor and weid not in msg_srcs:
            preds.append((weid, "raw", raw, wend + rawn))
    start = 0.0
    best = None
    for p in preds:
        if best is None or p[3] > best[3]:
            best = p
    if best is not None:
        start = best[3]
    end = start + sum(costs[x] for x in table.of_action(name))
    if edges_out is not None:
        seen = set()
        for p in preds:   # one edge per (source, kind)
            if (p[0], p[1]) not in seen:
                seen.add((p[0], p[1]))
                edges_out.append((p[0], p[1], p[2]))
    # the new frontier
    cpu = list(fr[0])
    cpu[lane] = (end, eid)
    writes = {w[0]: w for w in fr[1]}
    for i, (a, b) in enumerate(zip(s, t)):
        if a != b:
            writes[i] = (i, end, actor, eid)
    for r, rule in enumerate(sc.rules):
        if name == rule.send:
            key = args.get(rule.send_key) if rule.send_key else None
            pending[r] = pending[r] + ((key, end, eid),)
    return (tuple(cpu), tuple(sorted(writes.values())), tuple(pending), tuple(sorted(counts.items()))), end, eid


# ----------------------------------------------------------------------------- executions

@dataclass
class Bounds:
    best: Execution | None
    worst: Execution | None
    executions: int            # distinct (state, frontier) completions explored
    nodes: int
    complete: bool
    stuck: int = 0             # scenario states with no way to the end (deadlock inside it)


def _is_end(sc: Scenario, k: int, s: tuple) -> bool:
    c = sc.compiled
    return c.instances[k].action.name == sc.end and c.actor(k, s) == sc.initiator


def bounds(sc: Scenario, costs: dict[str, float] | None = None, max_nodes: int = MAX_NODES) -> Bounds:
    """Best and worst latency of the initiator's operation over every execution of the scenario."""
    costs = costs if costs is not None else {k: v.ns for k, v in sc.table.costs.items()}
    c = sc.compiled
    memo: dict[tuple, tuple] = {}
    nodes = [0]
    stuck = [0]
    complete = [True]
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def go(s: tuple, fr: tuple):
        key = (s, fr)
        got = memo.get(key)
        if got is not None:
            return got
        nodes[0] += 1
        if nodes[0] > max_nodes:
            complete[0] = False
            return None
        lo = hi = None
        for k, t in c.successors(s):
            if not c.progress[k]:
                continue
            nfr, end, _ = step(sc, fr, k, s, t, costs)
            if _is_end(sc, k, s):
                r = (end, end, (k, t), (k, t))
            else:
                sub = go(t, nfr)
                if sub is None:
                    continue
                r = (sub[0], sub[1], (k, t), (k, t))
            if lo is None or r[0] < lo[0]:
                lo = (r[0], r[2])
            if hi is None or r[1] > hi[0]:
                hi = (r[1], r[3])
        out = None if lo is None else (lo[0], hi[0], lo[1], hi[1])
        if out is None:
            stuck[0] += 1
        memo[key] = out
        return out

    s0, f0 = sc.init, start_frontier(sc)
    top = go(s0, f0)
    if top is None:
        return Bounds(None, None, len(memo), nodes[0], complete[0], stuck[0])
    best = replay(sc, _choices(sc, memo, s0, f0, 2, costs), costs)
    worst = replay(sc, _choices(sc, memo, s0, f0, 3, costs), costs)
    return Bounds(best, worst, len(memo), nodes[0], complete[0], stuck[0])


def _choices(sc, memo, s, fr, which, costs) -> list[int]:
    """The path the memo chose (which=2: best, 3: worst), as instance numbers."""
    out = []
    while True:
        k, t = memo[(s, fr)][which]
        out.append(k)
        if _is_end(sc, k, s):
            return out
        fr, _, _ = step(sc, fr, k, s, t, costs)
        s = t


def replay(sc: Scenario, path: list[int], costs: dict[str, float] | None = None) -> Execution:
    """The happens-before graph and times of one execution (instance numbers from the initial state)."""
    costs = costs if costs is not None else {k: v.ns for k, v in sc.table.costs.items()}
    c = sc.compiled
    s, fr = sc.init, start_frontier(sc)
    events: list[Event] = []
    by_id: dict[Any, int] = {}
    end_at = None
    for k in path:
        nxt = dict(c.successors(s))
        if k not in nxt:
            raise UserError(f"action {c.instances[k].label} is not enabled at step {len(events) + 1}", None)
        t = nxt[k]
        edges: list = []
        is_end = _is_end(sc, k, s)
        fr, end, eid = step(sc, fr, k, s, t, costs, edges)
        inst = c.instances[k]
        ev = Event(len(events), inst.label, inst.action.name, c.actor(k, s),
                   sc.table.of_action(inst.action.name), [Edge(by_id[e], kind, w) for e, kind, w in edges])
        ready = [events[e.src].end + (costs[e.cost] if e.cost else 0.0) for e in ev.preds]
        if ready:
            ev.via = max(range(len(ready)), key=lambda i: (ready[i], -i))
            ev.start = ready[ev.via]
        ev.end = ev.start + sum(costs[x] for x in ev.costs)
        assert abs(ev.end - end) < 1e-6
        by_id[eid] = ev.index
        events.append(ev)
        s = t
        if is_end:
            end_at = ev.index
            break
    if end_at is None:
        raise UserError(f"the execution never reaches {sc.end} on CPU {sc.initiator}", None)
    return Execution(events, end_at)
