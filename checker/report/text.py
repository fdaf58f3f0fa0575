"""Text reports for the terminal: verdict, statistics and the trace, only changes per step."""
from __future__ import annotations

import textwrap
from typing import Any, Iterator

from rich.console import Console
from rich.markup import escape

from ..explicit.memory import format_bytes
from ..result import CheckResult, Reach, Trace, Verdict
from .write import WIDE

_STYLE = {Verdict.HOLDS: "bold green", Verdict.VIOLATED: "bold red", Verdict.UNCOVERED: "bold red",
          Verdict.INCOMPLETE: "bold yellow", Verdict.ERROR: "bold red"}


def show_value(v: Any) -> str:
    if isinstance(v, tuple):
        return "{" + ",".join(map(str, v)) + "}"
    if v is None:
        return "none"
    return str(v)


def flatten(name: str, v: Any) -> Iterator[tuple[str, Any]]:
    """Array elements as (`tlb[1][0]`, value) pairs; scalars as themselves."""
    if isinstance(v, list):
        for i, x in enumerate(v):
            yield from flatten(f"{name}[{i}]", x)
    else:
        yield name, v


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    out = []
    for name, v in after.items():
        old = dict(flatten(name, before[name]))
        for el, x in flatten(name, v):
            if old[el] != x:
                out.append((el, old[el], x))
    return out


def compact(name: str, v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(compact("", x) for x in v) + "]"
    return show_value(v)


def stats_line(r: CheckResult) -> str:
    s = r.stats
    if r.simulation is not None:
        m = r.simulation
        found = (f" · the shortest violation is walk {m['violating_walk']:,}'s"
                 if m.get("violating_walk") is not None else "")
        return (f"{m['walks_done']:,} random walks · {m['steps']:,} steps · deepest {m['deepest']} · "
                f"{s.seconds:.2f} s · {m['steps'] / max(s.seconds, 1e-9):,.0f} steps/s{found}")
    if r.backend.startswith("smt"):
        return f"Z3 · {'k' if 'induction' in r.backend else 'depth'} {s.depth} · {s.seconds:.2f} s"
    mem = f" · peak {s.peak_mb:,.0f} MB" if s.peak_mb else ""
    per = f" · {s.bytes_per_state:.0f} B/state" if s.bytes_per_state else ""
    sym = (f" · symmetry: {s.represented / max(s.states, 1):,.1f}× fewer than the {s.represented:,} "
           "states of their orbits" if s.represented else "")
    return (f"{s.states:,} distinct states · {s.transitions:,} transitions · depth {s.depth} · "
            f"{s.seconds:.2f} s · {s.states_per_s:,.0f} states/s{mem}{per}{sym}")


def header(r: CheckResult) -> str:
    params = " ".join(f"{k}={v}" for k, v in r.params.items())
    mem = f" · memory limit {format_bytes(r.memory_limit)}" if r.memory_limit else ""
    fp = " · fingerprints (64-bit)" if r.omission is not None else ""
    if r.simulation is not None:
        m = r.simulation
        fp += f" · simulation: {m['walks']:,} walks of up to {m['depth']} steps, seed {m['seed']}"
    return (f"[bold]{escape(r.check)}[/]  ({escape(r.spec)})  protocol {escape(r.protocol)} · "
            f"{escape(params)} · backend {r.backend} · symmetry {'on' if r.symmetry else 'off'}{mem}{fp}")


def verdict_line(r: CheckResult) -> str:
    style = _STYLE[r.verdict]
    if r.verdict is Verdict.HOLDS and r.trace is not None and r.trace.kind == "witness":
        return f"[{style}]reached[/]: {escape(r.reason)}"
    if r.verdict is Verdict.HOLDS and r.backend.startswith("smt"):
        return (f"[{style}]proved[/] for every depth at these bounds: {', '.join(r.invariants)} — "
                f"{escape(r.reason)}")
    if r.verdict is Verdict.HOLDS and r.omission is not None:
        return (f"[{style}]holds with omission probability {r.omission:.2g}[/] within these bounds: "
                f"{', '.join(r.invariants)} — the visited set kept 64-bit fingerprints, and a state "
                "whose fingerprint matched another's was not explored")
    if r.verdict is Verdict.HOLDS:
        return f"[{style}]holds[/] within these bounds: {', '.join(r.invariants)}"
    if r.verdict is Verdict.UNCOVERED:
        return (f"[{style}]uncovered[/]: the invariants hold, but {escape(r.reason)} — the model never "
                "gets where the design matters, so the holds says nothing about it")
    if r.verdict is Verdict.INCOMPLETE:
        tail = "" if r.backend.startswith("smt") or r.unchecked else \
            " — nothing is proved beyond the states explored"
        return f"[{style}]incomplete[/]: {escape(r.reason)}{tail}"
    if r.verdict is Verdict.VIOLATED and r.violation and r.others:
        every = [r.trace, *r.others] if r.trace is not None else list(r.others)
        names = ", ".join(f"[bold]{t.violation.invariant}[/] ({len(t)} steps)" for t in every if t.violation)
        return f"[{style}]violated[/] {len(every)} properties (--all): {names}"
    if r.verdict is Verdict.VIOLATED and r.violation:
        v = r.violation
        return f"[{style}]violated[/] [bold]{v.invariant}[/] — {escape(v.statement)}"
    return f"[{style}]{r.verdict.value}[/] {escape(r.reason)}"


def render_trace(t: Trace, wrap: int | None = 96) -> list[str]:
    """The trace as lines; the initial state wrapped at `wrap` columns (None: one line, for logs)."""
    lines = []
    kind = "lasso" if t.loop_start is not None else "shortest"
    cti = t.kind == "cti"
    lines.append(f"  counterexample to induction, {len(t)} step: its first state satisfies every "
                 "invariant of the proof but need not be reachable:" if cti else
                 f"  shortest witness, {len(t)} steps:" if t.kind == "witness" else
                 f"  abstract counterexample (CMP), {len(t)} steps: the last CPU is Other, every CPU the "
                 "others do not name; its own state is not kept (shown at its initial values), so the "
                 "trace may be spurious:" if t.kind == "abstract" else
                 f"  {kind} counterexample, {len(t)} steps:")
    init = t.steps[0].state
    text = "  ".join(f"{k}={compact(k, v)}" for k, v in init.items())
    wrapped = textwrap.wrap(text, wrap, break_long_words=False, break_on_hyphens=False) if wrap else [text]
    lines.append("  [dim]  0[/]  " + ("pre    " if cti else "init   ") + escape(wrapped[0]))
    lines.extend("               " + escape(w) for w in wrapped[1:])
    for i, (prev, st) in enumerate(zip(t.steps, t.steps[1:]), start=1):
        who = f"{t.lanes} {st.actor}" if st.actor is not None and t.lanes else ""
        args = ", ".join(f"{n}={v}" for n, v in st.args)
        call = f"{st.action}({args})" if args else st.action
        loop = f"  [magenta]{loop_marks(t)[1]}[/]" if loop_marks(t)[0] == i else ""
        ref = f"  [dim]{escape(st.ref)}[/]" if st.ref else ""
        lines.append(f"  [dim]{i:>3}[/]  {who:<6} [bold]{escape(call)}[/]{ref}{loop}")
        for el, old, new in changes(prev.state, st.state):
            lines.append(f"            {escape(el)}: {escape(show_value(old))} → {escape(show_value(new))}")
    if t.loop_start is not None:
        lines.append(f"  [magenta]{loop_marks(t)[2]}[/]")
    if t.violation:
        v = t.violation
        wit = ", ".join(f"{n}={m}" for n, m in v.witness)
        if t.kind == "witness":
            lines.append(f"  [green]✓ {v.invariant}[/] reached in the last state")
        else:
            lines.append(f"  [red]✗ {v.invariant}[/] " + ("broken by the step" if cti else "violated in the last state")
                         + (f" — witness {wit}" if wit else ""))
    return lines


def report_summary(r: CheckResult, console: Console) -> None:
    """Header, verdict, statistics and warnings: what every text layout prints first."""
    console.print(header(r), soft_wrap=True, highlight=False)
    if r.replay is not None:           # --replay: what became of the saved trace
        from ..modes import replay_lines
        for line in replay_lines(r):
            console.print("  " + line, soft_wrap=True, highlight=False)
    else:
        console.print("  " + verdict_line(r), soft_wrap=True, highlight=False)
        console.print("  " + stats_line(r), soft_wrap=True, highlight=False)
    for line in property_lines(r):
        console.print("  " + line, soft_wrap=True, highlight=False)
    if r.liveness:
        console.print(f"  liveness: {escape(r.liveness)}", soft_wrap=True, highlight=False)
    for w in r.warnings:
        console.print(f"  [yellow]warning:[/] {escape(w)}", soft_wrap=True, highlight=False)
    for v in r.vacuity:
        console.print(f"  [yellow]vacuous:[/] {escape(v)}", soft_wrap=True, highlight=False)


def property_lines(r: CheckResult) -> list[str]:
    """What was not checked and why, and how far the search got towards each goal."""
    out = [f"[yellow]not checked:[/] {escape(', '.join(ps))} — {escape(why)}"
           for why, ps in by_reason(r.unchecked).items()]
    out += [f"[dim]left out by the spec:[/] {escape(', '.join(ps))} — {escape(why)}"
            for why, ps in by_reason(r.excluded).items()]
    whole = r.verdict in (Verdict.HOLDS, Verdict.UNCOVERED)   # else the search stopped early
    for kind, title, never in (("cover", "covers", "[red]{} never reached[/]"),
                               ("precondition", "hazard preconditions met", "[yellow]{} never[/]")):
        goals = [g for g in r.goals if g.kind == kind and not (kind == "cover" and g.name in r.excluded)]
        if goals:
            out.append(f"{title}: " + ", ".join(
                f"{escape(g.name)} [dim]({reach(g)})[/]" if g.reached else
                never.format(escape(g.name)) if whole else
                f"{escape(g.name)} [dim](not before the search stopped)[/]" for g in goals))
    return out


def by_reason(props: dict[str, str]) -> dict[str, list[str]]:
    """Properties grouped by why they were not checked, in order."""
    out: dict[str, list[str]] = {}
    for p, why in props.items():
        out.setdefault(why, []).append(p)
    return out


def reach(g: Reach) -> str:
    return f"depth {g.depth}, {g.states:,} state{'s' if g.states != 1 else ''}"


def each_trace(r: CheckResult) -> list[tuple[str, Trace]]:
    """The traces to print, each with its heading: one, or (--all) one per violated property."""
    if r.trace is None:
        return []
    if not r.others:
        return [("", r.trace)]
    every = [r.trace, *r.others]
    return [(f"  [bold]{k}/{len(every)} {escape(t.violation.invariant)}[/] — {escape(t.violation.statement)}"
             if t.violation else "", t) for k, t in enumerate(every, start=1)]


def report(r: CheckResult, console: Console) -> None:
    report_summary(r, console)
    for heading, t in each_trace(r):
        if heading:
            console.print(heading, soft_wrap=True, highlight=False)
        for line in render_trace(t, None if console.width >= WIDE else 96):
            console.print(line, soft_wrap=True, highlight=False)


def loop_marks(t: Trace) -> tuple[int | None, str, str]:
    """A lasso's loop as the reports mark it: its first step (the one after the state it returns
    to, t.loop_start), that step's label and the closing line; (None, "", "") for a plain trace."""
    if t.loop_start is None:
        return None, "", ""
    first, last = t.loop_start + 1, len(t.steps) - 1
    steps = f"step {first}" if first == last else f"steps {first}–{last}"
    return first, f"⟲ the loop: {steps} repeat forever", \
        f"…and back to the state after step {t.loop_start}: {steps} again, forever"
