"""SARIF 2.1.0 for code-scanning UIs (`--gate DIR --sarif PATH`).

One result per check that did not simply hold as expected:
- a violation: ruleId = the invariant (or `deadlock`), located at the spec line that defines
  the check (its only `location`: code-scanning UIs show the first), the line where the
  invariant is defined as a `relatedLocation`; the trace is a codeFlow with one threadFlow per
  CPU, steps ordered by `executionOrder`, each step located at the protocol line that defines its
  action (`physicalLocation`) with the step's changed variables as its `state`. A violation the spec expects (a bug spec) is kept as a
  result but suppressed in source (the spec's `expect=`), so it alerts no one;
- an expected violation that did not happen: ruleId `expected-violation-missing`;
- an incomplete search: ruleId `incomplete`, level warning.
Spec errors are tool execution notifications.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .. import __version__
from ..result import CheckResult, Trace, Verdict
from .ci import display_path, invariant_loc, outcome, trace_summary
from .lanes import call
from .text import changes, show_value
from .write import write_report

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
MISSING = "expected-violation-missing"
INCOMPLETE = "incomplete"
VACUOUS = "vacuous-holds"
UNCOVERED = "uncovered"


def _artifact(path: str) -> dict[str, Any]:
    p = display_path(path)
    if os.path.isabs(p):
        return {"uri": Path(p).as_uri()}
    return {"uri": p, "uriBaseId": "%SRCROOT%"}


def _location(path: str, line: int, text: str | None = None) -> dict[str, Any]:
    phys: dict[str, Any] = {"artifactLocation": _artifact(path)}
    if line > 0:
        phys["region"] = {"startLine": line}
    loc: dict[str, Any] = {"physicalLocation": phys}
    if text:
        loc["message"] = {"text": text}
    return loc


def _code_flow(t: Trace, action_locs: dict[str, tuple[str, int]]) -> dict[str, Any]:
    lanes: dict[Any, list[dict[str, Any]]] = {}
    for i in range(1, len(t.steps)):
        st = t.steps[i]
        text = f"#{i} {call(t, i)}" + (f" — {st.ref}" if st.ref else "")
        where = action_locs.get(st.action or "")
        loc = _location(where[0], where[1], text) if where else {"message": {"text": text}}
        tfl: dict[str, Any] = {"executionOrder": i, "location": loc}
        ch = changes(t.steps[i - 1].state, st.state)
        if ch:
            tfl["state"] = {el: {"text": f"{show_value(a)} → {show_value(b)}"} for el, a, b in ch}
        lanes.setdefault(st.actor, []).append(tfl)
    flows = []
    for who in sorted(lanes, key=lambda x: (x is None, x if x is not None else 0)):
        name = f"{t.lanes} {who}" if who is not None and t.lanes else "no CPU"
        flows.append({"id": name, "message": {"text": name}, "locations": lanes[who]})
    return {"message": {"text": f"the interleaving, {len(t)} steps"}, "threadFlows": flows}


def _result(r: CheckResult) -> dict[str, Any] | None:
    if r.verdict is Verdict.HOLDS and r.expectation_met:
        return None
    if r.violation is not None:
        rule, level = r.violation.invariant, ("note" if r.expectation_met else "error")
    elif r.verdict is Verdict.INCOMPLETE:
        rule, level = INCOMPLETE, "warning"
    elif r.verdict is Verdict.UNCOVERED:
        rule, level = UNCOVERED, "error"
    elif r.verdict is Verdict.HOLDS and r.expect != "holds":
        rule, level = MISSING, "error"
    elif r.verdict is Verdict.HOLDS:
        rule, level = VACUOUS, "error"
    else:
        rule, level = r.verdict.value, "error"
    related = []
    inv = invariant_loc(r)
    if inv is not None:
        name = r.violation.invariant if r.violation else r.expect.split()[-1]
        related.append({"id": 1, **_location(inv[0], inv[1], f"invariant {name} is defined here")})
    res: dict[str, Any] = {
        "ruleId": rule, "level": level,
        "message": {"text": f"{r.check}: {outcome(r)}"},
        "locations": [_location(r.spec, r.spec_line, f"check {r.check}")],
        **({"relatedLocations": related} if related else {}),
        "partialFingerprints": {"flushcheckCheck/v1": hashlib.sha256(
            f"{display_path(r.spec)}\0{r.check}\0{rule}".encode()).hexdigest()[:32]},
        "properties": {"check": r.check, "protocol": r.protocol, "verdict": r.verdict.value,
                       "expect": r.expect, "expectationMet": r.expectation_met,
                       "params": {k: show_value(v) for k, v in r.params.items()},
                       "states": r.stats.states, "depth": r.stats.depth,
                       "notChecked": r.unchecked, "vacuity": r.vacuity},
    }
    if r.trace is not None:
        res["codeFlows"] = [_code_flow(r.trace, r.action_locs)]
    if r.violation is not None and r.expectation_met:
        res["suppressions"] = [{"kind": "inSource",
                                "justification": f"the spec expects '{r.expect}' (a known-bad variant)"}]
    return res


def _also(r: CheckResult, t: Trace) -> dict[str, Any]:
    """--all: a result for another violated property of the check, with its own shortest trace."""
    v = t.violation
    res = _result(r) or {}
    level = "note" if r.expectation_met else "error"
    out: dict[str, Any] = {
        "ruleId": v.invariant, "level": level,
        "message": {"text": f"{r.check}: also violated {v.invariant} — {v.statement}; "
                            f"{trace_summary(t)}"},
        "locations": res.get("locations", [_location(r.spec, r.spec_line, f"check {r.check}")]),
        "partialFingerprints": {"flushcheckCheck/v1": hashlib.sha256(
            f"{display_path(r.spec)}\0{r.check}\0{v.invariant}".encode()).hexdigest()[:32]},
        "properties": {**res.get("properties", {}), "steps": len(t)},
        "codeFlows": [_code_flow(t, r.action_locs)],
    }
    loc = r.invariant_locs.get(v.invariant)
    if loc:
        out["relatedLocations"] = [{"id": 1, **_location(display_path(loc[0]), loc[1],
                                                         f"invariant {v.invariant} is defined here")}]
    if "suppressions" in res:
        out["suppressions"] = res["suppressions"]
    return out


def _rule(rule: str, results: list[CheckResult]) -> dict[str, Any]:
    if rule == MISSING:
        text = "A spec expects an invariant to be violated, but it holds within the spec's bounds"
    elif rule == INCOMPLETE:
        text = ("The search hit a limit before it covered every reachable state, or a declared "
                "property was not checked; nothing is proved of what was left out")
    elif rule == UNCOVERED:
        text = "A cover property of the design was never reached: the holds says nothing about it"
    elif rule == VACUOUS:
        text = ("The check holds vacuously: an action never fired, or an invariant's hazard "
                "precondition was never met")
    else:
        text = next((t.violation.statement for r in results for t in [r.trace, *r.others]
                     if t is not None and t.violation is not None and t.violation.invariant == rule), rule)
    return {"id": rule, "name": rule, "shortDescription": {"text": text},
            "fullDescription": {"text": text}}


def sarif_log(results: list[CheckResult], errors: list[str], exit_code: int) -> dict[str, Any]:
    found = [x for r in results for x in [_result(r)] + [_also(r, t) for t in r.others
                                                         if t.violation is not None] if x is not None]
    rule_ids = list(dict.fromkeys(x["ruleId"] for x in found))
    for x in found:
        x["ruleIndex"] = rule_ids.index(x["ruleId"])
    notes = [{"level": "error", "message": {"text": e}} for e in errors]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "flushcheck", "version": __version__, "semanticVersion": __version__,
                            "rules": [_rule(i, results) for i in rule_ids]}},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(os.getcwd()).as_uri() + "/"}},
        "invocations": [{"executionSuccessful": not errors, "exitCode": exit_code,
                         **({"toolExecutionNotifications": notes} if notes else {})}],
        "results": found,
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def write_sarif(path: str, results: list[CheckResult], errors: list[str], exit_code: int) -> None:
    write_report("--sarif", path, lambda: json.dumps(sarif_log(results, errors, exit_code), indent=1,
                                                     ensure_ascii=False) + "\n")
