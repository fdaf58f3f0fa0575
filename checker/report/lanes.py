"""Lanes: a trace drawn one column per CPU, with the messages between CPUs as arrows.

Which steps are messages is plain data, not code: a `Message` rule pairs a sending step
with a later receiving step, by action name and a matching parameter. The rules below cover
the smp_call_function/flush vocabulary of `protocols/`; a protocol with other message-passing
actions passes its own (e.g. `KERNEL_MESSAGES + (Message(...),)`) to `derive_messages`,
`render_lanes` and `html.write_html`. Rules whose actions a trace lacks draw nothing.

The pairing rule: each step that runs `send` is paired with the *first later* step that runs
`receive` whose parameter `receive_key` equals the sender's parameter `send_key` (no keys:
any), and that no earlier sender of the same rule took — unless `shared`, where one receiving
step takes every message sent before it (csd_lock_wait waits for all the acks). Pairs inside
one lane draw nothing. A sender left unpaired when the trace ends is a message *in flight*;
it is drawn as a stub towards the lane its `dest` parameter names, if it has one.

`render_lanes` is the terminal form (`--lanes`), a rich table; rich colours it only when
it writes to a terminal.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..result import CheckResult, Trace
from .text import changes, compact, each_trace, loop_marks, report_summary, show_value


@dataclass(frozen=True)
class Message:
    """A rule that pairs a sending step with a receiving step (see the module docstring)."""

    kind: str                        # short name, e.g. "ipi"
    send: str                        # action name of the sending step
    receive: str                     # action name of the receiving step
    send_key: str | None = None      # sender's parameter that must equal ...
    receive_key: str | None = None   # ... this parameter of the receiver
    shared: bool = False             # one receiving step takes every message sent before it
    dest: str | None = None          # sender's parameter naming the receiving lane (for in-flight)
    label: str = ""
    colour: str = "#1f6feb"


KERNEL_MESSAGES: tuple[Message, ...] = (
    Message("ipi", "ipi_send", "ipi_entry", "t", "t", dest="t", label="IPI", colour="#1f6feb"),
    Message("ack", "csd_unlock", "csd_lock_wait", shared=True, label="ack",
            colour="#1a7f37"),
)


@dataclass(frozen=True)
class Arrow:
    """One message drawn between lanes; `to_step` None means still in flight at the end."""

    kind: str
    label: str
    colour: str
    from_step: int
    from_lane: int
    to_step: int | None
    to_lane: int | None


def derive_messages(t: Trace, rules: Iterable[Message] = KERNEL_MESSAGES) -> list[Arrow]:
    """The arrows of a trace, ordered by sending step, then rule order."""
    out: list[Arrow] = []
    steps = t.steps
    for rule in rules:
        taken: set[int] = set()
        for i in range(1, len(steps)):
            s = steps[i]
            if s.action != rule.send or s.actor is None:
                continue
            sargs = dict(s.args)
            to = None
            for j in range(i + 1, len(steps)):
                r = steps[j]
                if r.action != rule.receive or (j in taken and not rule.shared):
                    continue
                if rule.send_key is not None or rule.receive_key is not None:
                    if sargs.get(rule.send_key) != dict(r.args).get(rule.receive_key):
                        continue
                to = j
                break
            if to is not None:
                taken.add(to)
                if steps[to].actor is not None and steps[to].actor != s.actor:
                    out.append(Arrow(rule.kind, rule.label or rule.kind, rule.colour, i, s.actor,
                                     to, steps[to].actor))
            else:
                dest = sargs.get(rule.dest) if rule.dest else None
                if dest is None or dest != s.actor:
                    out.append(Arrow(rule.kind, rule.label or rule.kind, rule.colour, i, s.actor,
                                     None, dest))
    out.sort(key=lambda a: a.from_step)
    return out


def lane_of(t: Trace, step: int) -> int | None:
    return t.steps[step].actor


def call(t: Trace, step: int) -> str:
    s = t.steps[step]
    if s.action is None:
        return "init"
    args = ", ".join(f"{n}={v}" for n, v in s.args)
    return f"{s.action}({args})" if args else s.action


def lane_names(t: Trace) -> list[str]:
    """One name per lane, plus '—' when some step has no acting lane member."""
    names = [f"{t.lanes or 'lane'} {i}" for i in range(t.lane_count)]
    if any(s.actor is None for s in t.steps[1:]):
        names.append("—")
    return names


def render_lanes(t: Trace, rules: Iterable[Message] = KERNEL_MESSAGES) -> Table:
    """The trace as a table: a row per step, a column per lane, messages noted at both ends."""
    names = lane_names(t)
    other = len(names) - 1 if len(names) > t.lane_count else None
    arrows = derive_messages(t, rules)
    kind = "lasso" if t.loop_start is not None else "shortest"
    title = (f"counterexample to induction, {len(t)} step (the first state need not be reachable)"
             if t.kind == "cti" else f"{kind} counterexample, {len(t)} steps")
    tab = Table(title=title, title_justify="left",
                box=box.SIMPLE_HEAD, show_lines=False, expand=False, pad_edge=False)
    tab.add_column("#", justify="right", style="dim", no_wrap=True)
    for n in names:
        tab.add_column(n, overflow="fold", ratio=1)
    for i in range(1, len(t.steps)):
        prev, st = t.steps[i - 1], t.steps[i]
        col = st.actor if st.actor is not None else other
        cells = [""] * len(names)
        text = [f"[bold]{escape(call(t, i))}[/]"]
        if loop_marks(t)[0] == i:
            text.append(f"[magenta]{loop_marks(t)[1]}[/]")
        for a in arrows:
            who = names[a.to_lane] if a.to_lane is not None and a.to_lane < len(names) else "?"
            if a.from_step == i:
                if a.to_step is not None:
                    text.append(f"[{a.colour}]{escape(a.label)} → {escape(who)} (#{a.to_step})[/]")
                else:
                    dest = f" → {escape(who)}" if a.to_lane is not None else ""
                    text.append(f"[{a.colour}]{escape(a.label)}{dest} (still in flight)[/]")
            if a.to_step == i:
                text.append(f"[{a.colour}]← {escape(a.label)} from {escape(names[a.from_lane])} "
                            f"(#{a.from_step})[/]")
        for el, old, new in changes(prev.state, st.state):
            text.append(f"[dim]{escape(el)}: {escape(show_value(old))} → {escape(show_value(new))}[/]")
        cells[col] = "\n".join(text)
        tab.add_row(str(i), *cells)
    if t.loop_start is not None:
        tab.add_row("", *[f"[magenta]{escape(loop_marks(t)[2])}[/]"] + [""] * (len(names) - 1))
    v = t.violation
    if v is not None:
        wit = dict(v.witness)
        row = [""] * len(names)
        at = wit.get(t.lanes) if t.lanes else None
        col = at if isinstance(at, int) and 0 <= at < t.lane_count else 0
        w = ", ".join(f"{n}={m}" for n, m in v.witness)
        row[col] = f"[bold red]✗ {escape(v.invariant)}[/]" + (f"\n[red]witness {escape(w)}[/]" if w else "")
        tab.add_row("", *row)
    return tab


def report_lanes(r: CheckResult, console: Console, rules: Iterable[Message] = KERNEL_MESSAGES) -> None:
    """The text report with the trace in lanes (`--lanes`)."""
    report_summary(r, console)
    for heading, t in each_trace(r):
        if heading:
            console.print(heading, soft_wrap=True, highlight=False)
        init = t.steps[0].state
        console.print("  [dim]0[/]  " + ("pre   " if t.kind == "cti" else "init  ") + escape("  ".join(f"{k}={compact(k, v)}" for k, v in init.items())),
                      soft_wrap=True, highlight=False)
        console.print(render_lanes(t, rules), highlight=False)
        if t.violation is not None and not heading:
            console.print(f"  [red]{escape(t.violation.statement)}[/]", soft_wrap=True, highlight=False)

