"""Liveness on the explored state graph: `trigger ~> goal` under weak/strong fairness.

A counterexample is a fair cycle of states where the goal never holds, reachable from a
state where the trigger holds: found as a strongly connected component (iterative Tarjan)
that satisfies every fairness constraint, refined Emerson–Lei style for strong fairness,
and shown as a lasso (prefix + loop).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..lang.model import LeadsTo
from ..result import Trace, Violation
from .compile import Compiled, compile_expr
from .trace import build_trace


@dataclass
class Graph:
    """The explored graph: states, per-state successor (instance, state number) lists, parents."""

    states: list[tuple]
    succ: list[list[tuple[int, int]]]
    parent: list[int]
    via: list[int]


def graph_from_log(log) -> Graph:
    """Build from the explorer's EdgeLog (every state expanded: the search ran to the end)."""
    n = len(log.states)
    succ: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for i, nxt in log.expanded:
        succ[i] = [(k, log.index[t]) for k, t in nxt]
    parent, via = [-1] * n, [-1] * n
    for i in range(n):
        for k, j in succ[i]:
            if parent[j] == -1 and j != 0:
                parent[j], via[j] = i, k
    # BFS parents: the first discoverer in expansion order is the BFS parent
    return Graph(log.states, succ, parent, via)


def sccs(nodes: set[int], succ: list[list[tuple[int, int]]]) -> list[list[int]]:
    """Strongly connected components of the subgraph on `nodes` (iterative Tarjan)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, pos = work[-1]
            edges = succ[v]
            while pos < len(edges) and edges[pos][1] not in nodes:
                pos += 1
            if pos < len(edges):
                work[-1] = (v, pos + 1)
                w = edges[pos][1]
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def _fair_component(nodes: set[int], g: Graph, weak: set[int], strong: set[int]) -> set[int] | None:
    """A strongly connected set of states in which some cycle satisfies every fairness constraint."""
    for comp in sccs(nodes, g.succ):
        c = set(comp)
        if len(c) == 1 and not any(j in c for _, j in g.succ[comp[0]]):
            continue  # a single state without a self-loop is no cycle
        taken = {k for i in c for k, j in g.succ[i] if j in c}
        enabled = [{k for k, _ in g.succ[i]} for i in comp]
        if any(k not in taken and all(k in e for e in enabled) for k in weak):
            continue  # some weakly fair action is enabled throughout but never taken
        starved = {k for k in strong if k not in taken and any(k in e for e in enabled)}
        if not starved:
            return c
        rest = {i for i, e in zip(comp, enabled) if not (e & starved)}
        found = _fair_component(rest, g, weak, strong)
        if found:
            return found
    return None


def _path(g: Graph, src: int | list[int], goal, inside: set[int]) -> tuple[list[int], list[int]]:
    """Shortest path inside `inside` from src (or any of several) to a state satisfying `goal`."""
    srcs = src if isinstance(src, list) else [src]
    prev: dict[int, tuple[int, int]] = {x: (-1, -1) for x in srcs}
    q = deque(srcs)
    while q:
        v = q.popleft()
        if goal(v):
            path, via = [v], []
            while prev[v][0] != -1:
                via.append(prev[v][1])
                v = prev[v][0]
                path.append(v)
            return path[::-1], via[::-1]
        for k, w in g.succ[v]:
            if w in inside and w not in prev:
                prev[w] = (v, k)
                q.append(w)
    raise AssertionError("no path inside a strongly connected component")


def _cycle_back(g: Graph, src: int, dst: int, comp: set[int]) -> tuple[list[int], list[int]]:
    """A path of at least one step from src to dst inside comp."""
    prev: dict[int, tuple[int, int]] = {}
    q = deque([src])
    while q:
        v = q.popleft()
        for k, w in g.succ[v]:
            if w not in comp or w in prev:
                continue
            prev[w] = (v, k)
            if w == dst:
                path, via, x = [w], [], w
                while True:
                    x, kk = prev[x]
                    via.append(kk)
                    path.append(x)
                    if x == src:
                        return path[::-1], via[::-1]
            q.append(w)
    raise AssertionError("component is not strongly connected")


def check_leads_to(c: Compiled, g: Graph, prop: LeadsTo) -> Trace | None:
    """A lasso violating `prop`, or None when every fair path reaches the goal."""
    trig = compile_expr(prop.trigger, c.layout)
    goal = compile_expr(prop.goal, c.layout)
    pending = {i for i, s in enumerate(g.states) if not goal(s)}
    starts = [i for i in sorted(pending) if trig(g.states[i])]
    weak = {k for k, inst in enumerate(c.instances) if inst.action.fair == "weak"}
    strong = {k for k, inst in enumerate(c.instances) if inst.action.fair == "strong"}
    # states reachable from a triggered state without passing through the goal
    reach, q = set(starts), deque(starts)
    while q:
        v = q.popleft()
        for _, w in g.succ[v]:
            if w in pending and w not in reach:
                reach.add(w)
                q.append(w)
    comp = _fair_component(reach, g, weak, strong)
    if comp is None:
        return None
    # prefix: init -> a triggered state (BFS parents) -> the component (inside `reach`)
    mid, mid_via = _path(g, starts, lambda v: v in comp, reach)
    s = mid[0]
    pre, pre_via = [s], []
    while g.parent[pre[-1]] != -1:
        pre_via.append(g.via[pre[-1]])
        pre.append(g.parent[pre[-1]])
    pre, pre_via = pre[::-1], pre_via[::-1]
    # the loop: from the entry, take one edge of every fair action taken inside the component
    entry = cur = mid[-1]
    loop, loop_via = [entry], []
    fair_edges: dict[int, tuple[int, int]] = {}
    for i in sorted(comp):
        for k, j in g.succ[i]:
            if j in comp and (k in weak or k in strong) and k not in fair_edges:
                fair_edges[k] = (i, j)
    for k, (i, j) in sorted(fair_edges.items()):
        p, pv = _path(g, cur, lambda v, i=i: v == i, comp)
        loop += p[1:] + [j]
        loop_via += pv + [k]
        cur = j
    if cur != entry or not loop_via:
        back, back_via = _cycle_back(g, cur, entry, comp)
        loop += back[1:]
        loop_via += back_via
    states = pre + mid[1:] + loop[1:]
    via = pre_via + mid_via + loop_via
    viol = Violation(prop.name, prop.statement, (), kind="liveness")
    return build_trace(c, [g.states[i] for i in states], via, viol, len(pre) + len(mid) - 2)

