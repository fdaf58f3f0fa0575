"""`cost --html`: the worst execution of each result on a time axis, one lane per CPU.

Each event is a box from its start to its end (ns); a message edge (IPI sent -> taken, csd
unlocked -> seen) is an arrow from the sender's end to the receiver's start with the latency it
costs; the critical path is outlined in red. The page is one self-contained file.
"""
from __future__ import annotations

from html import escape
from typing import Any

from .timing import Execution

LANE, TOP, LEFT, WIDTH = 46, 34, 70, 1040    # px: lane height, axis band, label column, time axis


def events_of(w: Execution) -> list[dict[str, Any]]:
    """Every event of the execution with its times, its incoming edges and whether it is critical."""
    critical = {ev.index for ev, _ in w.critical_path()}
    on_path = {(into.src, ev.index) for ev, into in w.critical_path() if into is not None}
    return [{"index": e.index, "event": e.label, "cpu": e.actor, "start_ns": e.start, "end_ns": e.end,
             "costs": list(e.costs), "critical": e.index in critical,
             "preds": [{"src": p.src, "kind": p.kind, "cost": p.cost, "critical": (p.src, e.index) in on_path}
                       for p in e.preds]}
            for e in w.events[:w.end + 1]]


def fit(label: str, px: float) -> str:
    """The label cut to a box `px` wide (11 px monospace); the whole name is in the box's tooltip."""
    room = int((px - 4) / 6.7)
    return label if len(label) <= room else (label[:room - 1] + "…" if room >= 3 else "")


def _svg(events: list[dict[str, Any]], cpus: int, latency: float) -> str:
    span = max(latency, max((e["end_ns"] for e in events), default=0.0), 1.0)
    x = lambda t: LEFT + t / span * WIDTH  # noqa: E731
    lane_y = lambda c: TOP + (c if c is not None else cpus) * LANE  # noqa: E731
    lanes = cpus + (1 if any(e["cpu"] is None for e in events) else 0)
    height = TOP + lanes * LANE + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{LEFT + WIDTH + 40}" height="{height}">',
           '<defs><marker id="h" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" '
           'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#0969da"/></marker>'
           '<marker id="hc" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" '
           'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#cf222e"/></marker></defs>']
    for k in range(6):   # the time axis
        t = span * k / 5
        out.append(f'<line x1="{x(t):.1f}" y1="{TOP - 6}" x2="{x(t):.1f}" y2="{height - 10}" class="grid"/>'
                   f'<text x="{x(t):.1f}" y="{TOP - 12}" class="tick">{t:.0f} ns</text>')
    for c in range(lanes):
        name = f"CPU {c}" if c < cpus else "other"
        out.append(f'<text x="8" y="{lane_y(c) + LANE / 2 + 4:.0f}" class="lane">{name}</text>'
                   f'<line x1="{LEFT}" y1="{lane_y(c) + LANE:.0f}" x2="{LEFT + WIDTH}" y2="{lane_y(c) + LANE:.0f}" '
                   'class="sep"/>')
    by = {e["index"]: e for e in events}
    for e in events:
        x0, x1 = x(e["start_ns"]), max(x(e["end_ns"]), x(e["start_ns"]) + 3)
        y = lane_y(e["cpu"]) + 8
        cls = "ev crit" if e["critical"] else "ev"
        tip = f'{e["event"]}: {e["start_ns"]:g}–{e["end_ns"]:g} ns' + (
            f' ({" + ".join(e["costs"])})' if e["costs"] else "")
        out.append(f'<g id="ev-{e["index"]}"><title>{escape(tip)}</title>'
                   f'<rect x="{x0:.1f}" y="{y}" width="{x1 - x0:.1f}" height="{LANE - 18}" class="{cls}"/>'
                   f'<text x="{x0 + 2:.1f}" y="{y + LANE - 22}" class="lbl">{escape(fit(e["event"], x1 - x0))}</text></g>')
        for p in e["preds"]:
            if p["kind"] in ("po", "raw") or p["src"] not in by:
                continue
            s = by[p["src"]]
            sx, sy = x(s["end_ns"]), lane_y(s["cpu"]) + LANE / 2
            tx, ty = x(e["start_ns"]), lane_y(e["cpu"]) + LANE / 2
            crit = "crit" if p["critical"] else ""
            label = p["kind"] + (f' +{p["cost"]}' if p["cost"] else "")
            out.append(f'<line x1="{sx:.1f}" y1="{sy:.0f}" x2="{tx:.1f}" y2="{ty:.0f}" class="msg {crit}" '
                       f'marker-end="url(#{"hc" if crit else "h"})"><title>{escape(label)}</title></line>'
                       f'<text x="{(sx + tx) / 2 + 3:.1f}" y="{(sy + ty) / 2 - 3:.0f}" class="mlbl">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


CSS = """body{font:14px system-ui,sans-serif;margin:16px;color:#1f2328}
h2{font-size:16px;margin:18px 0 4px} .form{font-family:monospace;margin:2px 0 8px;color:#57606a}
.grid{stroke:#eaeef2} .tick{font:11px sans-serif;fill:#57606a;text-anchor:middle}
.lane{font:bold 12px sans-serif;fill:#1f2328} .sep{stroke:#d0d7de}
.ev{fill:#ddf4ff;stroke:#54aeff} .ev.crit{stroke:#cf222e;stroke-width:2}
.lbl{font:11px monospace;fill:#1f2328} .msg{stroke:#0969da;stroke-dasharray:4 3}
.msg.crit{stroke:#cf222e;stroke-width:1.8} .mlbl{font:10px sans-serif;fill:#0969da}
.legend span{margin-right:18px}"""


def timeline_html(results: list[Any]) -> str:
    """The page: per result, its figures, the symbolic form and the worst execution's timeline."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>flushcheck cost</title>"
             f"<style>{CSS}</style></head><body>",
             "<div class='legend'><span>boxes: events from start to end</span>"
             "<span style='color:#cf222e'>red: the critical path</span>"
             "<span style='color:#0969da'>dashed arrows: messages (IPI, csd unlock) and their latency</span></div>"]
    for r in results:
        w = r.bounds.worst
        parts.append(f"<h2>{escape(r.check)} ({escape(r.spec)}), {r.cpus} CPUs, costs {escape(r.table)}: "
                     f"worst {r.worst:g} ns, best {r.best:g} ns</h2>"
                     f"<div class='form'>worst = {escape(r.form)}</div>"
                     + _svg(events_of(w), r.cpus, w.latency))
    parts.append("</body></html>\n")
    return "\n".join(parts)
