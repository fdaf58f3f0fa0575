"""Fit free costs to measured latencies by least squares, then predict other scenarios.

A latency is max over monomials (symbolic.py): piecewise linear in the costs. The fit linearises
at the current costs (each row's critical monomials), solves the linear least-squares problem for
the free costs (normal equations, plain Python), and repeats until the critical monomials stop
changing. Costs stay >= 0. With as many rows as free costs the fit is a solve (no residual).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import UserError
from . import symbolic
from .timing import Scenario, bounds


@dataclass
class Row:
    label: str
    scenario: Scenario
    measured: float | None      # None: predict only
    after: tuple[str, ...] = ()  # costs added once per iteration (the table's scenario.after)


@dataclass
class Fitted:
    costs: dict[str, float]
    free: tuple[str, ...]
    iterations: int
    residual: float            # root mean square, ns


def model_ns(row: Row, costs: dict[str, float]) -> tuple[float, set]:
    """The row's worst-case latency per iteration, and the monomials of its worst execution."""
    b = bounds(row.scenario, costs)
    if b.worst is None:
        raise UserError(f"{row.label}: the scenario never completes its operation", None)
    monos = symbolic.monomials(b.worst)
    return b.worst.latency + sum(costs[a] for a in row.after), monos


def _solve(a: list[list[float]], y: list[float]) -> list[float]:
    """Least squares for a (rows x k) by the normal equations and Gauss-Jordan elimination."""
    k = len(a[0])
    m = [[sum(r[i] * r[j] for r in a) for j in range(k)] + [sum(r[i] * v for r, v in zip(a, y))]
         for i in range(k)]
    for c in range(k):
        p = max(range(c, k), key=lambda r: abs(m[r][c]))
        if abs(m[p][c]) < 1e-12:
            raise UserError("the free costs cannot be told apart by these rows (they always occur "
                            "together)", None, "fix one of them from a source, or add rows")
        m[c], m[p] = m[p], m[c]
        for r in range(k):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * z for x, z in zip(m[r], m[c])]
    return [m[i][k] / m[i][i] for i in range(k)]


def fit(rows: list[Row], costs: dict[str, float], free: tuple[str, ...], max_iter: int = 20) -> Fitted:
    cur = dict(costs)
    used = [r for r in rows if r.measured is not None]
    last = None
    for it in range(1, max_iter + 1):
        a, y = [], []
        crit = []
        for r in used:
            _, monos = model_ns(r, cur)
            # the critical monomial: the one that attains the max (first, deterministically)
            best = max(sorted(monos), key=lambda m: sum(cur[k] * n for k, n in m))
            crit.append(best)
            coef = dict(best)
            for x in r.after:
                coef[x] = coef.get(x, 0) + 1
            a.append([coef.get(f, 0) for f in free])
            y.append(r.measured - sum(cur[k] * n for k, n in coef.items() if k not in free))
        sol = _solve(a, y)
        for f, v in zip(free, sol):
            cur[f] = max(0.0, v)
        if crit == last:
            break
        last = crit
    res = [model_ns(r, cur)[0] - r.measured for r in used]
    rms = (sum(x * x for x in res) / len(res)) ** 0.5 if res else 0.0
    return Fitted(cur, free, it, rms)
