"""What the CI formats share: plain-text traces, one-line summaries, locations, and the
GitHub Actions workflow-command annotations (printed when GITHUB_ACTIONS=true).
"""
from __future__ import annotations

import io
import os

from rich.console import Console

from ..result import CheckResult, Trace, Verdict
from .lanes import call
from .text import report


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies below it (as CI tools want)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def plain_report(r: CheckResult) -> str:
    """The terminal report of one check as plain text (no colour, no markup)."""
    buf = io.StringIO()
    report(r, Console(file=buf, width=160, no_color=True, force_terminal=False, highlight=False,
                      emoji=False, color_system=None))
    return buf.getvalue()


def trace_summary(t: Trace, keep: int = 12) -> str:
    """The actions of a trace on one line, with the acting CPU; long traces keep both ends."""
    parts = []
    for i in range(1, len(t.steps)):
        who = t.steps[i].actor
        parts.append(call(t, i) + (f" [{t.lanes} {who}]" if who is not None and t.lanes else ""))
    if len(parts) > keep:
        parts = parts[:4] + [f"… {len(parts) - keep + 2} more …"] + parts[-(keep - 6):]
    return f"{len(t)} steps: " + " → ".join(parts)


def got(r: CheckResult) -> str:
    """The verdict in a few words, with what qualifies it: the property broken, the ones not
    checked, a vacuous holds."""
    if r.violation is not None and r.verdict is Verdict.VIOLATED:
        return f"violated {', '.join(r.violated)}"
    if r.verdict is Verdict.HOLDS and r.vacuity:
        return "holds (vacuous)"
    if r.verdict is Verdict.HOLDS and r.omission is not None:
        return f"holds with omission probability {r.omission:.2g}"
    cpus = str(r.params.get("cpus", ""))
    every = f"for {cpus} CPUs" if cpus.startswith("every") else ""   # --prove --all-cpus
    if r.unchecked:
        return f"{r.verdict.value} ({every + '; ' if every else ''}not checked: {', '.join(r.unchecked)})"
    return f"{r.verdict.value} {every}" if every else r.verdict.value


def outcome(r: CheckResult, gate: bool = True) -> str:
    """One line: what happened, against what the spec expected (gate) — invariant and trace."""
    head = f"expected {r.expect}, got {got(r)}" if gate else got(r)
    if r.violation is not None:
        v = r.violation
        wit = ", ".join(f"{n}={m}" for n, m in v.witness)
        head += f" — {v.statement}" + (f" (witness {wit})" if wit else "")
        if r.trace is not None:
            head += f"; {trace_summary(r.trace)}"
        for t in r.others:      # --all
            if t.violation is not None:
                head += f"; also {t.violation.invariant}: {trace_summary(t)}"
    elif r.verdict is not Verdict.HOLDS and r.reason:
        head += f" — {r.reason}"
    elif r.vacuity:
        head += " — vacuous: " + "; ".join(r.vacuity)
    elif r.verdict is Verdict.HOLDS and r.expect != "holds":
        head += f" — no reachable state within these bounds breaks {r.expect.split()[-1]}; " \
                f"{r.stats.states:,} states explored"
    return head


def invariant_loc(r: CheckResult) -> tuple[str, int] | None:
    """Where the violated invariant (or the one the spec expected to be violated) is defined."""
    name = r.violation.invariant if r.violation is not None else (
        r.expect.split()[-1] if r.expect != "holds" else None)
    loc = r.invariant_locs.get(name) if name else None
    return (display_path(loc[0]), loc[1]) if loc else None


def _esc_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _esc_prop(s: str) -> str:
    return _esc_data(s).replace(":", "%3A").replace(",", "%2C")


SPEC_ERROR = _esc_prop("flushcheck: spec error")   # every title escaped: ':' and ',' end a property


def github_annotations(results: list[CheckResult], errors: list[str], gate: bool) -> list[str]:
    """`::error`/`::warning` workflow commands: an unmet expectation (gate) or a violation."""
    out = []
    for r in results:
        bad = not r.expectation_met if gate else r.verdict is Verdict.VIOLATED
        if not bad and r.verdict is not Verdict.INCOMPLETE:
            continue
        level = "error" if bad else "warning"
        props = [f"file={_esc_prop(display_path(r.spec))}"]
        if r.spec_line:
            props.append(f"line={r.spec_line}")
        props.append(f"title={_esc_prop(f'flushcheck: {r.check}')}")
        msg = outcome(r, gate)
        loc = invariant_loc(r)
        if loc and r.violation is not None:
            msg += f" [{r.violation.invariant} is defined at {loc[0]}:{loc[1]}]"
        out.append(f"::{level} {','.join(props)}::{_esc_data(msg)}")
    for e in errors:
        path, _, rest = e.partition(":")
        line, _, _ = rest.partition(":")
        if path.endswith(".py") and line.isdigit():
            out.append(f"::error file={_esc_prop(path)},line={line},title={SPEC_ERROR}::{_esc_data(e)}")
        else:
            out.append(f"::error title={SPEC_ERROR}::{_esc_data(e)}")
    return out
