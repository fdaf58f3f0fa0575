"""Versioned JSON results, with traces in the ITF format (Apalache ADR-015, checker/report/itf.py).

ITF values: arrays over index sets are `#map`s from member number to value, cpumasks are
`#set`s of CPU numbers, numbers are `#bigint`, enums are strings, an optional member is a set of
at most one member (`{"#set": []}` is none); a lasso's `loop` is the index of the state that
starts the loop, which ends in the last state.
"""
from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..result import CheckResult, Verdict
from .itf import ITF_DESCRIPTION, itf_trace, itf_value  # noqa: F401  (re-exported)
from .write import write_report

# 2: verdict "uncovered"; goals, unchecked, excluded, vacuity
# 3: ITF traces as the ADR has them: an optional member that is none is {"#set": []} (not
#    {"#bigint": "-1"}), a lasso does not repeat its loop's first state; "violations"
SCHEMA_VERSION = 3


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
    # every violated property with its shortest trace (more than one with --all)
    out["violations"] = [{"invariant": t.violation.invariant, "statement": t.violation.statement,
                          "kind": t.violation.kind, "witness": dict(t.violation.witness), "steps": len(t),
                          "trace": itf_trace(t, r.spec, f"{r.check}: {t.violation.invariant}")}
                         for t in ([r.trace] if r.trace is not None and r.verdict is Verdict.VIOLATED else [])
                         + list(r.others) if t.violation is not None]
    if r.simulation is not None:
        out["simulation"] = r.simulation
    if r.replay is not None:
        out["replay"] = r.replay
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
