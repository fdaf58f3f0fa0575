"""A self-contained HTML trace viewer (`--html PATH`): lanes per CPU, messages as arrows.

One file, no network: inline CSS and JavaScript (`html_page.py`), the results embedded as
JSON in a `<script type="application/json">` element. Everything the page shows is computed
here from the finished `CheckResult`s — the flattened state per step, what changed, the
arrows (`lanes.derive_messages`, whose rules are plain data), the messages never received,
the messages not sent (`Skip` rules, plain data too), a lasso's loop, how a counterexample
to induction's first state differs from the initial state — so the script only draws.

The page: a header (spec, check, protocol, parameters, verdict, expectation, the search's or
the proof's own figures, a legend of the marks this check uses), one lane per member of the
trace's lanes index set with each step in its CPU's lane at its position, messages drawn
between lanes, the violated invariant and its witness after the last step, and a side panel
(collapsible) with the state at the selected step, the values that step changed
highlighted. A message never received is drawn inside the sender's and the receiver's
lanes only: a stub at the sender, an open arrowhead at the receiver's lane edge with its
label, and a dashed thread down that lane to a "pending" tag after the last step. A lasso's
repeating steps carry a loop-back bracket. Keys: ←/→ step, Home/End jump; `#step-7` (or
`#check-2/step-7` in a page of several checks) opens at a step; a page of several checks
can show the failures only.
"""
from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..result import CheckResult, Trace
from .html_page import CSS, JS, PAGE
from .lanes import KERNEL_MESSAGES, Message, call, derive_messages, lane_names
from .text import changes, flatten, show_value, stats_line
from .write import write_report


@dataclass(frozen=True)
class Reason:
    """Why a `Skip` step did not send: `text` when every test holds in the state before the step.

    A test is (variable, op, value): op "==" compares the variable; "at_dest ==" compares its
    element at the skipped lane; "lacks_dest" says the lane is not in the variable (a mask).
    """

    text: str
    tests: tuple[tuple[str, str, Any], ...]
    detail: str = ""


@dataclass(frozen=True)
class Skip:
    """A step that decides *not* to send a message to a lane (`dest` names it): drawn as a mark
    towards that lane, with the first `Reason` that holds."""

    action: str
    dest: str
    label: str
    reasons: tuple[Reason, ...] = ()
    colour: str = "#8250df"


KERNEL_SKIPS: tuple[Skip, ...] = (
    Skip("ipi_skip", "t", "IPI not sent", (
        Reason("not in mm_cpumask", (("mm_cpumask", "lacks_dest", None), ("sb", "at_dest ==", "set_bit")),
               "its cpumask_set_cpu is still in its store buffer: the initiator reads the old mask"),
        Reason("not in mm_cpumask", (("mm_cpumask", "lacks_dest", None),)),
        Reason("lazy, though tables were freed", (("mode", "at_dest ==", "lazy"), ("freed_tables", "==", True)),
               "a lazy CPU may still walk the freed page tables (speculatively too)"),
        Reason("lazy", (("mode", "at_dest ==", "lazy"),)),
    )),
)


def _holds(test: tuple[str, str, Any], state: dict[str, Any], dest: int) -> bool:
    var, op, want = test
    if var not in state:
        return False
    v = state[var]
    if op == "==":
        return bool(v == want)
    if op == "at_dest ==":
        return isinstance(v, list) and 0 <= dest < len(v) and v[dest] == want
    if op == "lacks_dest":
        return isinstance(v, (tuple, list, set, frozenset)) and dest not in v
    raise ValueError(f"unknown Reason test {op!r}")


def derive_skips(t: Trace, rules: Iterable[Skip] = KERNEL_SKIPS) -> list[dict[str, Any]]:
    """The messages a trace decided not to send, each towards the lane its rule's `dest` names."""
    out = []
    for i, st in enumerate(t.steps[1:], start=1):
        for rule in rules:
            if st.action != rule.action or st.actor is None:
                continue
            dest = dict(st.args).get(rule.dest)
            if not isinstance(dest, int) or dest == st.actor or not 0 <= dest < t.lane_count:
                continue
            before = t.steps[i - 1].state
            why = next((r for r in rule.reasons if all(_holds(x, before, dest) for x in r.tests)), None)
            out.append({"from": i, "from_lane": st.actor, "to_lane": dest, "label": rule.label,
                        "colour": rule.colour, "why": why.text if why else "",
                        "detail": why.detail if why else ""})
    return out


def _violation(v) -> dict[str, Any] | None:
    if v is None:
        return None
    return {"invariant": v.invariant, "statement": v.statement, "kind": v.kind,
            "witness": [[n, m] for n, m in v.witness]}


def trace_data(t: Trace, rules: Iterable[Message] = KERNEL_MESSAGES,
               skips: Iterable[Skip] = KERNEL_SKIPS) -> dict[str, Any]:
    """The trace as the viewer reads it: flattened variables, values and changes per step."""
    names = lane_names(t)
    other = len(names) - 1 if len(names) > t.lane_count else None
    groups: list[list[Any]] = []
    elems: list[str] = []
    for var, v in t.steps[0].state.items():
        flat = [el for el, _ in flatten(var, v)]
        groups.append([var, len(elems), len(flat)])
        elems += flat
    index = {el: k for k, el in enumerate(elems)}
    steps = []
    for i, st in enumerate(t.steps):
        values = [show_value(x) for var, v in st.state.items() for _, x in flatten(var, v)]
        ch = changes(t.steps[i - 1].state, st.state) if i else []
        lane = st.actor if st.actor is not None else (other if i else None)
        steps.append({"n": i, "call": call(t, i), "action": st.action, "lane": lane, "ref": st.ref,
                      "values": values, "changed": [index[el] for el, _, _ in ch],
                      "changes": [[el, show_value(a), show_value(b)] for el, a, b in ch]})
    arrows = [{"kind": a.kind, "label": a.label, "colour": a.colour, "from": a.from_step,
               "from_lane": a.from_lane, "to": a.to_step, "to_lane": a.to_lane}
              for a in derive_messages(t, rules)]
    wit_lane = None
    witness: list[list[Any]] = []
    if t.violation is not None:
        witness = [[n, m] for n, m in t.violation.witness]
        w = dict(t.violation.witness).get(t.lanes) if t.lanes else None
        wit_lane = w if isinstance(w, int) and 0 <= w < t.lane_count else None
    last = len(t.steps) - 1
    loop = None
    if t.loop_start is not None:
        # the state after step loop_start is where the loop returns: the steps after it repeat
        loop = {"back_to": t.loop_start, "first": t.loop_start + 1, "last": last}
    return {"lanes": names, "lane_set": t.lanes, "other_lane": other, "elements": elems,
            "groups": groups, "steps": steps, "arrows": arrows, "loop_start": t.loop_start,
            "loop": loop, "kind": t.kind, "skips": derive_skips(t, skips),
            "violation": _violation(t.violation), "witness_lane": wit_lane, "witness": witness}


_DIFFERS = re.compile(r"differs from the initial one only in (.*?): if it is unreachable")
_ELEMENT = re.compile(r"(?:^|, )([A-Za-z_]\w*(?:\[\d+\])*)=")


def cti_differences(r: CheckResult) -> list[str] | None:
    """The elements in which a CTI's first state differs from the initial state, as the proof
    named them (None: it did not say)."""
    m = _DIFFERS.search(r.reason or "")
    if m is None:
        return None
    return [] if m.group(1) == "nothing" else _ELEMENT.findall(m.group(1))


def check_data(r: CheckResult, rules: Iterable[Message] = KERNEL_MESSAGES,
               skips: Iterable[Skip] = KERNEL_SKIPS) -> dict[str, Any]:
    s = r.stats
    out: dict[str, Any] = {
        "check": r.check, "spec": r.spec, "spec_line": r.spec_line, "protocol": r.protocol,
        "params": {k: show_value(v) for k, v in r.params.items()}, "verdict": r.verdict.value,
        "expect": r.expect, "expectation_met": r.expectation_met, "backend": r.backend,
        "symmetry": r.symmetry, "invariants": list(r.invariants), "reason": r.reason,
        "warnings": list(r.warnings), "coverage": r.coverage,
        "unchecked": r.unchecked, "vacuity": list(r.vacuity),
        "goals": [{"kind": g.kind, "name": g.name, "states": g.states, "depth": g.depth}
                  for g in r.goals],
        "stats": {"states": s.states, "transitions": s.transitions, "depth": s.depth,
                  "seconds": round(s.seconds, 3), "states_per_s": round(s.states_per_s),
                  "peak_mb": round(s.peak_mb, 1)},
        # the search's figures, or a proof's (solver, k, time): as the text report prints them
        "figures": stats_line(r), "solver": r.backend.startswith("smt"),
        "violation": None, "trace": None,
    }
    if r.violation is not None:
        out["violation"] = dict(_violation(r.violation) or {}, where=_where(r.invariant_locs.get(r.violation.invariant)))
    if r.trace is not None:
        td = trace_data(r.trace, rules, skips)
        if td["violation"] is not None:
            td["violation"]["where"] = _where(r.invariant_locs.get(td["violation"]["invariant"]))
        if r.trace.kind == "cti":
            diff = cti_differences(r)
            td["differs"] = None if diff is None else [e for e in diff if e in td["elements"]]
        out["trace"] = td
    return out


def _where(loc: tuple[str, int] | None) -> str:
    if not loc:
        return ""
    path, line = loc
    try:
        rel = os.path.relpath(path)
        path = path if rel.startswith("..") else rel
    except ValueError:
        pass
    return f"{path}:{line}"


def _json_for_script(doc: Any) -> str:
    """JSON that cannot end the <script> element it sits in."""
    return (json.dumps(doc, separators=(",", ":"), ensure_ascii=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_html(results: list[CheckResult], rules: Iterable[Message] = KERNEL_MESSAGES,
                skips: Iterable[Skip] = KERNEL_SKIPS) -> str:
    rules, skips = tuple(rules), tuple(skips)
    doc = {"tool": f"flushcheck {__version__}", "checks": [check_data(r, rules, skips) for r in results]}
    title = "flushcheck — " + (", ".join(r.check for r in results[:3]) if results else "no checks")
    return (PAGE.replace("%TITLE%", html.escape(title))
            .replace("%CSS%", CSS).replace("%JS%", JS).replace("%DATA%", _json_for_script(doc)))


def write_html(path: str, results: list[CheckResult], rules: Iterable[Message] = KERNEL_MESSAGES,
               skips: Iterable[Skip] = KERNEL_SKIPS) -> None:
    write_report("--html", path, lambda: render_html(results, rules, skips))

