"""The latency of an execution as an expression over named costs, independent of their values.

Each event's end time is max over its predecessors of (their end + the edge's cost), plus its own
costs: in the (max, +) algebra a set of *monomials*, one per path, each a multiset of cost names.
A monomial contained in another is dropped (costs are never negative, so it never wins). The
printed form factors out what every remaining monomial shares, recursively:
`syscall_zap + tlb_gen_inc + max(invlpg, ipi_send + ipi_deliver + ...)`.
"""
from __future__ import annotations

from collections import Counter

from .timing import Execution

Mono = tuple[tuple[str, int], ...]   # sorted (cost, multiplicity)


def _mono(c: Counter) -> Mono:
    return tuple(sorted((k, v) for k, v in c.items() if v > 0))


def _contained(a: Mono, b: Mono) -> bool:
    cb = dict(b)
    return all(cb.get(k, 0) >= v for k, v in a)


def _prune(monos: set[Mono]) -> set[Mono]:
    out = set()
    for m in monos:
        if not any(m != o and _contained(m, o) for o in monos):
            out.add(m)
    return out


def monomials(x: Execution, upto: int | None = None) -> set[Mono]:
    """Every maximal path sum to the end of event `upto` (default: the initiator's end event)."""
    at: list[set[Mono]] = []
    for ev in x.events[: (x.end if upto is None else upto) + 1]:
        own = Counter(ev.costs)
        got: set[Mono] = set()
        if not ev.preds:
            got.add(_mono(own))
        for e in ev.preds:
            for m in at[e.src]:
                c = Counter(dict(m)) + own
                if e.cost:
                    c[e.cost] += 1
                got.add(_mono(c))
        at.append(_prune(got))
    return at[-1]


def value(monos: set[Mono], costs: dict[str, float]) -> float:
    return max((sum(costs[k] * n for k, n in m) for m in monos), default=0.0)


def _term(m: Mono, order: dict[str, int]) -> str:
    items = sorted(m, key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    return " + ".join(k if n == 1 else f"{n}·{k}" for k, n in items) or "0"


def form(monos: set[Mono], order: list[str] | None = None) -> str:
    """The factored expression, e.g. `a + max(b, c + d)`, costs in `order` (e.g. as the critical
    path meets them; else by name). Deterministic."""
    return _form(sorted(monos), {k: i for i, k in enumerate(order or ())})


def path_order(x: Execution) -> list[str]:
    """Cost names in the order the execution's events first pay them."""
    out: list[str] = []
    for ev in x.events[: x.end + 1]:
        for e in ev.preds:
            if e.cost and e.cost not in out:
                out.append(e.cost)
        for c in ev.costs:
            if c not in out:
                out.append(c)
    return out


def _form(monos: list[Mono], order: dict[str, int]) -> str:
    if not monos:
        return "0"
    if len(monos) == 1:
        return _term(monos[0], order)
    common = Counter(dict(monos[0]))
    for m in monos[1:]:
        common &= Counter(dict(m))
    rest = sorted({_mono(Counter(dict(m)) - common) for m in monos})
    rest = [r for r in rest if r] or [()]
    head = _term(_mono(common), order) if common else ""
    if len(rest) == 1:
        inner = _term(rest[0], order) if rest[0] else ""
        return " + ".join(p for p in (head, inner) if p) or "0"
    parts = _group(rest, order)
    body = f"max({', '.join(parts)})"
    return f"{head} + {body}" if head else body


def _group(rest: list[Mono], order: dict[str, int]) -> list[str]:
    """Split the alternatives by the cost most of them (but not all) share, and factor each group."""
    freq = Counter(k for m in rest for k, _ in m)
    shared = [k for k, n in sorted(freq.items()) if 1 < n < len(rest)]
    if not shared:
        return [_term(m, order) for m in rest]
    k = max(shared, key=lambda x: (freq[x], x))
    with_k = [m for m in rest if k in dict(m)]
    without = [m for m in rest if k not in dict(m)]
    tail = _group(without, order) if len(without) > 1 else [_term(m, order) for m in without]
    return [_form(with_k, order)] + tail


def counts(x: Execution, critical: bool = True) -> dict[str, int]:
    """How often each cost is paid: on the critical path (default) or by every event up to the end."""
    c: Counter = Counter()
    if critical:
        for ev, into in x.critical_path():
            c.update(ev.costs)
            if into is not None and into.cost:
                c[into.cost] += 1
    else:
        for ev in x.events[: x.end + 1]:
            c.update(ev.costs)
            for e in ev.preds:
                if e.cost:
                    c[e.cost] += 1
    return dict(sorted(c.items()))
