"""Cost tables: a duration per named cost, which costs each action incurs, what each message edge
takes, and the scenario the table was written for — plain data read from TOML.

A table is `costs/NAME.toml` (looked up in the `costs/` folder above the spec, then under the
working directory) or a path to a `.toml` file. A table may start from another with
`base = "NAME"` and change what it lists. `--set NAME=NS` overrides one cost on the command line.
The checker knows no TLB vocabulary: the action names and the scenario are the table's.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import SrcLoc, UserError

DEFAULT = "haswell-2019"


@dataclass(frozen=True)
class Cost:
    name: str
    ns: float
    source: str = "guess"   # "fit", "guess", or the document a number was taken from
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    """Which part of a model is timed: the family's parameters for it, the CPU whose operation is
    measured, its first and last action, the costs added once per iteration after it, and initial
    values changed before it starts (element name -> value, e.g. {"mode[1]": "other"})."""

    params: dict[str, Any] = field(default_factory=dict)
    initiator: int = 0
    start: str = ""
    end: str = ""
    after: tuple[str, ...] = ()
    init: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CostTable:
    name: str
    doc: str
    costs: dict[str, Cost]
    actions: dict[str, tuple[str, ...]]   # action name -> the costs it incurs (a sum)
    edges: dict[str, str]                 # message kind (lanes rules) or "raw" -> its cost
    scenario: Scenario
    path: str = ""
    report: dict[str, str] = field(default_factory=dict)   # comparison column -> cost it counts

    def ns(self, name: str) -> float:
        return self.costs[name].ns

    def of_action(self, action: str) -> tuple[str, ...]:
        return self.actions.get(action, ())

    def with_values(self, values: dict[str, float], source: str | None = None) -> CostTable:
        """The table with some costs changed (a user override, or a fit's result)."""
        costs = dict(self.costs)
        for k, v in values.items():
            if k not in costs:
                raise UserError(f"cost table {self.name} has no cost '{k}'", None,
                                f"its costs: {', '.join(sorted(costs))}")
            costs[k] = replace(costs[k], ns=float(v), source=source or costs[k].source)
        return replace(self, costs=costs)


def find_table(name: str, spec: str | None = None) -> str:
    """The TOML file a table name or path stands for."""
    if name.endswith(".toml") or os.sep in name:
        if not os.path.isfile(name):
            raise UserError(f"cost table file {name} not found", None, "give a .toml path or a table name")
        return name
    places = []
    if spec:
        d = os.path.dirname(os.path.abspath(spec))
        while True:
            places.append(os.path.join(d, "costs"))
            up = os.path.dirname(d)
            if up == d:
                break
            d = up
    places.append(os.path.join(os.getcwd(), "costs"))
    for p in places:
        f = os.path.join(p, name + ".toml")
        if os.path.isfile(f):
            return f
    known = sorted({n[:-5] for p in places if os.path.isdir(p) for n in os.listdir(p) if n.endswith(".toml")})
    raise UserError(f"no cost table named '{name}'", None,
                    f"tables found: {', '.join(known)}" if known else "put NAME.toml in a costs/ folder")


def load_table(name: str = DEFAULT, spec: str | None = None, _seen: tuple[str, ...] = ()) -> CostTable:
    path = find_table(name, spec)
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"cost table {path} is not valid TOML: {e}", SrcLoc(path, 1)) from None
    base = raw.get("base")
    if base:
        if base in _seen:
            raise UserError(f"cost table {path}: base tables form a cycle ({' -> '.join(_seen + (base,))})",
                            SrcLoc(path, 1))
        parent = load_table(base, spec, _seen + (name,))
    else:
        parent = CostTable(name, "", {}, {}, {}, Scenario())
    costs = dict(parent.costs)
    for k, v in raw.get("costs", {}).items():
        if not isinstance(v, dict) or not isinstance(v.get("ns", costs[k].ns if k in costs else None),
                                                      (int, float)):
            raise UserError(f"cost table {path}: cost '{k}' needs a number of nanoseconds",
                            SrcLoc(path, 1), f"write [costs.{k}] ns = 100 and a source")
        old = costs.get(k)
        costs[k] = Cost(k, float(v.get("ns", old.ns if old else 0)), str(v.get("source", old.source if old else "guess")),
                        str(v.get("note", old.note if old else "")))
    actions = dict(parent.actions)
    actions.update({k: tuple(v) for k, v in raw.get("actions", {}).items()})
    edges = dict(parent.edges)
    edges.update(raw.get("edges", {}))
    sc = raw.get("scenario", {})
    ps = parent.scenario
    scenario = Scenario({**ps.params, **{k: tuple(v) if isinstance(v, list) else v
                                         for k, v in sc.get("params", {}).items()}},
                        int(sc.get("initiator", ps.initiator)), sc.get("start", ps.start),
                        sc.get("end", ps.end), tuple(sc.get("after", ps.after)),
                        {**ps.init, **sc.get("init", {})})
    for a, names in list(actions.items()) + [("scenario.after", scenario.after)]:
        for n in names:
            if n not in costs:
                raise UserError(f"cost table {path}: {a} names unknown cost '{n}'", SrcLoc(path, 1),
                                f"declare [costs.{n}] or fix the name")
    for k, n in edges.items():
        if n not in costs:
            raise UserError(f"cost table {path}: edge '{k}' names unknown cost '{n}'", SrcLoc(path, 1))
    if not scenario.end:
        raise UserError(f"cost table {path}: the scenario names no end action", SrcLoc(path, 1),
                        "[scenario] end = \"the initiator's last action\"")
    report = {**parent.report, **raw.get("report", {})}
    for k, n in report.items():
        if n not in costs:
            raise UserError(f"cost table {path}: report column '{k}' names unknown cost '{n}'", SrcLoc(path, 1))
    return CostTable(raw.get("name", name), raw.get("doc", parent.doc), costs, actions, edges, scenario, path,
                     report)


def parse_overrides(items: list[str]) -> dict[str, float]:
    """`--set NAME=NS` arguments."""
    out = {}
    for it in items or ():
        k, eq, v = it.partition("=")
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise UserError(f"--set {it}: expected NAME=NANOSECONDS", None, "e.g. --set ipi_deliver=700") from None
        if not eq or out[k.strip()] < 0:
            raise UserError(f"--set {it}: expected NAME=NANOSECONDS (>= 0)", None, "e.g. --set ipi_deliver=700")
    return out
