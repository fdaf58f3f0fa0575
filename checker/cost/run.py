"""What a design costs: a spec's scenario at some CPU counts, timed under a cost table."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..errors import UserError
from ..run import build_model
from ..spec import load_spec
from . import symbolic
from .tables import CostTable
from .timeline import events_of
from .timing import Bounds, Scenario, bounds, scenario


@dataclass
class CostResult:
    spec: str
    check: str
    cpus: int
    table: str
    bounds: Bounds
    after: float                # ns added per iteration (scenario.after)
    form: str                   # the worst execution's latency, symbolically
    critical: list[dict[str, Any]]
    counts_critical: dict[str, int]
    counts_all: dict[str, int]
    columns: dict[str, str]     # comparison column -> the cost it counts (the table's [report])

    @property
    def best(self) -> float:
        return self.bounds.best.latency

    @property
    def worst(self) -> float:
        return self.bounds.worst.latency


def build_scenario(spec: str, table: CostTable, cpus: int, check: str | None = None,
                   init: dict[str, Any] | None = None) -> tuple[Scenario, str]:
    checks = load_spec(spec)
    if check is not None:
        checks = [c for c in checks if (c.name or c.protocol.name) == check]
        if not checks:
            raise UserError(f"{spec} has no check named {check}", None, "see `python -m checker list`")
    ch = checks[0]
    params = {**table.scenario.params, "cpus": cpus}
    model = build_model(ch, params)
    return scenario(model, table, init), ch.name or ch.protocol.name


def cost_of(spec: str, table: CostTable, cpus: int, check: str | None = None,
            init: dict[str, Any] | None = None) -> CostResult:
    sc, name = build_scenario(spec, table, cpus, check, init)
    costs = {k: v.ns for k, v in table.costs.items()}
    b = bounds(sc, costs)
    if b.worst is None:
        raise UserError(f"{spec} at {cpus} CPUs: no execution of the scenario reaches "
                        f"{table.scenario.end} on CPU {table.scenario.initiator}"
                        + ("" if b.complete else " (the search bound was hit)"), None,
                        "check the cost table's [scenario]")
    w = b.worst
    monos = symbolic.monomials(w)
    assert abs(symbolic.value(monos, costs) - w.latency) < 1e-6, "symbolic form disagrees with the times"
    crit = [{"event": ev.label, "cpu": ev.actor, "start_ns": ev.start, "end_ns": ev.end,
             "costs": list(ev.costs), "via": None if into is None else
             {"kind": into.kind, "cost": into.cost}} for ev, into in w.critical_path()]
    return CostResult(os.path.relpath(spec), name, cpus, table.name, b,
                      sum(costs[a] for a in table.scenario.after),
                      symbolic.form(monos, symbolic.path_order(w)), crit,
                      symbolic.counts(w), symbolic.counts(w, critical=False), dict(table.report))


def as_dict(r: CostResult) -> dict[str, Any]:
    b = r.bounds
    return {"spec": r.spec, "check": r.check, "cpus": r.cpus, "costs": r.table,
            "best_ns": r.best, "worst_ns": r.worst, "per_iteration_ns": r.worst + r.after,
            "after_ns": r.after, "symbolic": r.form, "critical_path": r.critical,
            "paid_on_critical_path": r.counts_critical, "paid_by_every_event": r.counts_all,
            "search": {"nodes": b.nodes, "complete": b.complete, "stuck_states": b.stuck},
            "timeline": events_of(b.worst)}
