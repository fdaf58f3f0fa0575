"""Versioned JSON results, with traces in the ITF format (Apalache ADR-015).

ITF values: arrays over index sets are `#map`s from member number to value, cpumasks are
`#set`s of CPU numbers, numbers are `#bigint`, enums are strings, an optional member that
holds none is -1.
"""
from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..result import CheckResult, Trace, Verdict
from .write import write_report

SCHEMA_VERSION = 2   # 2: verdict "uncovered"; goals, unchecked, excluded, vacuity
ITF_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"


def itf_value(v: Any) -> Any:
    if isinstance(v, bool) or isinstance(v, str):
        return v
    if isinstance(v, int):
        return {"#bigint": str(v)}
    if v is None:
        return {"#bigint": "-1"}
    if isinstance(v, tuple):
        return {"#set": [itf_value(x) for x in v]}
    if isinstance(v, list):
        return {"#map": [[itf_value(i), itf_value(x)] for i, x in enumerate(v)]}
    raise TypeError(f"no ITF form for {v!r}")


def itf_trace(t: Trace, source: str, description: str) -> dict[str, Any]:
    names = list(t.steps[0].state)
    states = []
    for i, st in enumerate(t.steps):
        meta: dict[str, Any] = {"index": i}
        if st.action is not None:
            meta.update(action=st.action, args=dict(st.args), actor=st.actor, ref=st.ref)
        states.append({"#meta": meta, **{n: itf_value(st.state[n]) for n in names}})
    meta: dict[str, Any] = {"format": "ITF", "format-description": ITF_DESCRIPTION,
                            "source": source, "description": description}
    out: dict[str, Any] = {"#meta": meta, "vars": names, "states": states}
    if t.loop_start is not None:
        out["loop"] = t.loop_start
    if t.kind != "counterexample":  # "cti": the first state need not be reachable
        meta["kind"] = t.kind
    return out


def result_json(r: CheckResult) -> dict[str, Any]:
    s = r.stats
    out: dict[str, Any] = {
        "check": r.check, "spec": r.spec, "protocol": r.protocol, "params": r.params,
        "verdict": r.verdict.value, "expect": r.expect, "expectation_met": r.expectation_met,
        "backend": r.backend, "symmetry": r.symmetry, "invariants": list(r.invariants),
        "reason": r.reason, "warnings": r.warnings,
        "stats": {"states": s.states, "transitions": s.transitions, "depth": s.depth,
                  "seconds": round(s.seconds, 4), "states_per_s": round(s.states_per_s, 1),
                  "peak_mb": round(s.peak_mb, 1), "bytes_per_state": s.bytes_per_state,
                  "represented": s.represented},
        "coverage": r.coverage,
        "goals": [{"kind": g.kind, "name": g.name, "statement": g.statement, "states": g.states,
                   "depth": g.depth} for g in r.goals],
        "unchecked": r.unchecked, "excluded": r.excluded, "vacuity": r.vacuity,
        # --fingerprint: the estimated probability that a state was missed (null: exact search)
        "omission_probability": r.omission, "memory_limit": r.memory_limit, "liveness": r.liveness,
        "stopped_by": stopped_by(r),
        "violation": None, "trace": None,
    }
    if r.violation is not None:
        v = r.violation
        out["violation"] = {"invariant": v.invariant, "statement": v.statement, "kind": v.kind,
                            "witness": dict(v.witness)}
    if r.trace is not None:
        out["trace"] = itf_trace(r.trace, r.spec, f"{r.check}: {r.violation.invariant if r.violation else ''}")
    return out


def stopped_by(r: CheckResult) -> str | None:
    """Which limit ended an incomplete search: memory, time, states, depth (None otherwise)."""
    if r.verdict is not Verdict.INCOMPLETE:
        return None
    why = " ".join([r.reason, *r.unchecked.values()])
    for key, name in (("memory limit", "memory_limit"), ("out of memory", "out_of_memory"),
                      ("time limit", "time_limit"), ("state limit", "state_limit"),
                      ("depth limit", "depth_limit"), ("interrupted", "interrupted")):
        if key in why:
            return name
    return "unchecked_properties" if r.unchecked else None


def write_json(path: str, results: list[CheckResult], exit_code: int) -> None:
    doc = {"format": "flushcheck-result", "version": SCHEMA_VERSION, "tool": f"flushcheck {__version__}",
           "exit_code": exit_code, "checks": [result_json(r) for r in results]}
    write_report("--json", path, lambda: json.dumps(doc, indent=1) + "\n")
