"""A self-contained HTML trace viewer (`--html PATH`): lanes per CPU, messages as arrows.

One file, no network: inline CSS and JavaScript, the results embedded as JSON in a
`<script type="application/json">` element. Everything the page shows is computed here from
the finished `CheckResult`s — the flattened state per step, what changed, the arrows
(`lanes.derive_messages`, whose rules are plain data) — so the script only draws.

The page: a header (spec, check, protocol, parameters, verdict, expectation, statistics),
one lane per member of the trace's lanes index set with each step in its CPU's lane at its
position, messages drawn between lanes (in-flight ones as dashed stubs), the violated
invariant and its witness after the last step, and a side panel with the state at the
selected step, the values that step changed highlighted. Keys: ←/→ step, Home/End jump.
"""
from __future__ import annotations

import html
import json
import os
from typing import Any, Iterable

from .. import __version__
from ..result import CheckResult, Trace
from .lanes import KERNEL_MESSAGES, Message, call, derive_messages, lane_names
from .text import changes, flatten, show_value
from .write import write_report


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


def trace_data(t: Trace, rules: Iterable[Message] = KERNEL_MESSAGES) -> dict[str, Any]:
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
    return {"lanes": names, "lane_set": t.lanes, "other_lane": other, "elements": elems,
            "groups": groups, "steps": steps, "arrows": arrows, "loop_start": t.loop_start,
            "witness_lane": wit_lane, "witness": witness}


def check_data(r: CheckResult, rules: Iterable[Message] = KERNEL_MESSAGES) -> dict[str, Any]:
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
        "violation": None, "trace": None,
    }
    if r.violation is not None:
        v = r.violation
        out["violation"] = {"invariant": v.invariant, "statement": v.statement, "kind": v.kind,
                            "witness": [[n, m] for n, m in v.witness],
                            "where": _where(r.invariant_locs.get(v.invariant))}
    if r.trace is not None:
        out["trace"] = trace_data(r.trace, rules)
    return out


def _json_for_script(doc: Any) -> str:
    """JSON that cannot end the <script> element it sits in."""
    return (json.dumps(doc, separators=(",", ":"), ensure_ascii=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_html(results: list[CheckResult], rules: Iterable[Message] = KERNEL_MESSAGES) -> str:
    rules = tuple(rules)
    doc = {"tool": f"flushcheck {__version__}", "checks": [check_data(r, rules) for r in results]}
    title = "flushcheck — " + (", ".join(r.check for r in results[:3]) if results else "no checks")
    return (_PAGE.replace("%TITLE%", html.escape(title))
            .replace("%CSS%", _CSS).replace("%JS%", _JS).replace("%DATA%", _json_for_script(doc)))


def write_html(path: str, results: list[CheckResult], rules: Iterable[Message] = KERNEL_MESSAGES) -> None:
    write_report("--html", path, lambda: render_html(results, rules))


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%TITLE%</title>
<style>%CSS%</style>
</head>
<body>
<header id="head"></header>
<main id="main">
  <section id="diagram" tabindex="0" aria-label="trace lanes"></section>
  <aside id="panel" aria-label="state at the selected step"></aside>
</main>
<noscript>This trace viewer needs JavaScript; the text report (python -m checker SPEC) shows the same trace.</noscript>
<script type="application/json" id="flushcheck-data">%DATA%</script>
<script>%JS%</script>
</body>
</html>
"""

_CSS = """
:root { --fg:#1f2328; --dim:#656d76; --line:#d0d7de; --bg:#ffffff; --soft:#f6f8fa;
  --sel:#fff8c5; --chg:#ffd33d; --bad:#cf222e; --good:#1a7f37; --warn:#9a6700;
  --mono: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
html, body { margin:0; height:100%; }
body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color:var(--fg);
  background:var(--bg); display:flex; flex-direction:column; }
header { padding:10px 16px 8px; border-bottom:1px solid var(--line); background:var(--soft); }
header h1 { font-size:16px; margin:0 0 4px; font-weight:600; }
header h1 .spec { font-weight:400; color:var(--dim); font-family:var(--mono); font-size:13px; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; color:#fff; font-weight:600;
  font-size:12px; margin-right:6px; }
.badge.holds { background:var(--good); } .badge.violated, .badge.error, .badge.uncovered { background:var(--bad); }
.badge.incomplete { background:var(--warn); }
.meta { color:var(--dim); margin-top:2px; }
.meta code, .chips code { font-family:var(--mono); font-size:12px; color:var(--fg); }
.chips span { display:inline-block; margin:2px 4px 0 0; padding:0 6px; border:1px solid var(--line);
  border-radius:4px; background:var(--bg); font-family:var(--mono); font-size:12px; }
.statement { margin-top:4px; }
.statement b { color:var(--bad); }
.tabs { margin-bottom:6px; }
.tabs button { font:inherit; border:1px solid var(--line); background:var(--bg); border-radius:6px 6px 0 0;
  padding:3px 10px; cursor:pointer; margin-right:2px; }
.tabs button.on { background:var(--fg); color:#fff; }
.tabs button.bad { border-color:var(--bad); }
main { flex:1; display:flex; min-height:0; }
#diagram { flex:1; overflow-x:auto; overflow-y:scroll; position:relative; outline:none; }
#panel { width:390px; flex:none; overflow:auto; border-left:1px solid var(--line); padding:10px 12px;
  background:var(--bg); }
#canvas { position:relative; }
.lanehead { position:sticky; top:0; z-index:5; height:30px; background:var(--soft);
  border-bottom:1px solid var(--line); }
.lanehead div { position:absolute; top:0; height:30px; line-height:30px; text-align:center; font-weight:600; }
.lanehead div.witness { color:var(--bad); }
.lane { position:absolute; top:0; bottom:0; border-left:1px solid var(--line); }
.lane:nth-child(even) { background:#fbfcfd; }
.lane.witness { background:#fff5f5; }
.rowband { position:absolute; left:0; right:0; background:var(--sel); display:none; }
.gutter { position:absolute; width:36px; text-align:right; color:var(--dim); font-family:var(--mono);
  font-size:11px; }
.step { position:absolute; border:1px solid #8c959f; border-radius:5px; background:#fff; padding:0 7px;
  font-family:var(--mono); font-size:12px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis;
  cursor:pointer; z-index:3; scroll-margin-top:40px; scroll-margin-bottom:40px; }
.step:hover { border-color:var(--fg); }
.step.init { background:var(--soft); color:var(--dim); }
.step.future { opacity:.45; }
.step.selected { border:2px solid var(--fg); box-shadow:0 1px 4px rgba(0,0,0,.25); opacity:1; }
.step.last-bad { border-color:var(--bad); background:#ffebe9; }
.step.loop { border-style:dashed; }
.violation-box { position:absolute; border:2px solid var(--bad); border-radius:5px; background:#ffebe9;
  color:var(--bad); padding:2px 8px; font-size:12px; z-index:3; white-space:normal; }
.violation-box b { font-family:var(--mono); }
svg#arrows { position:absolute; left:0; top:0; z-index:2; pointer-events:none; overflow:visible; }
svg#arrows text { font-size:11px; paint-order:stroke; stroke:#fff; stroke-width:3px; }
.future-arrow { opacity:.3; }
#panel h2 { font-size:14px; margin:0 0 2px; }
#panel h2 code { font-family:var(--mono); }
#panel .ref { color:var(--dim); font-family:var(--mono); font-size:11px; margin-bottom:8px; word-break:break-word; }
#panel h3 { font-size:12px; text-transform:uppercase; letter-spacing:.04em; color:var(--dim); margin:10px 0 4px; }
.changes div { font-family:var(--mono); font-size:12px; }
.changes .old { color:var(--dim); text-decoration:line-through; }
.changes .new { background:var(--chg); padding:0 2px; }
.msgs div { font-size:12px; }
table.state { border-collapse:collapse; width:100%; font-family:var(--mono); font-size:12px; }
table.state td { border-bottom:1px solid #eaeef2; padding:2px 4px; vertical-align:top; }
table.state td.var { color:var(--dim); white-space:nowrap; }
table.state tr.changed td.var { color:var(--fg); font-weight:600; }
.val { display:inline-block; margin:0 4px 2px 0; padding:0 4px; border-radius:3px; border:1px solid transparent; }
.val i { font-style:normal; color:var(--dim); font-size:10px; margin-right:2px; }
.val.changed { background:var(--chg); }
.val.witness { border-color:var(--bad); }
.banner { border:2px solid var(--bad); background:#ffebe9; border-radius:6px; padding:6px 8px; margin:8px 0; }
.banner b { color:var(--bad); font-family:var(--mono); }
.holds-box { margin:24px; max-width:760px; }
.holds-box table { border-collapse:collapse; font-family:var(--mono); font-size:12px; }
.holds-box td { padding:1px 10px 1px 0; }
.help { color:var(--dim); font-size:11px; margin-top:10px; }
kbd { border:1px solid var(--line); border-bottom-width:2px; border-radius:3px; padding:0 4px; font-size:11px; }
"""

_JS = r"""
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("flushcheck-data").textContent);
  var ROW = 30, GUT = 44, BOXH = 22;
  var cur = 0, sel = 0, laneW = 200, boxW = 150;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }
  function witnessText(w) { return w.map(function (p) { return p[0] + "=" + p[1]; }).join(", "); }

  function header(c) {
    var h = document.getElementById("head");
    h.textContent = "";
    if (DATA.checks.length > 1) {
      var tabs = el("div", "tabs");
      DATA.checks.forEach(function (d, i) {
        var b = el("button", i === cur ? "on" : "", d.check);
        if (d.verdict === "violated") b.classList.add("bad");
        b.addEventListener("click", function () { show(i); });
        tabs.appendChild(b);
      });
      h.appendChild(tabs);
    }
    var h1 = el("h1");
    h1.appendChild(el("span", "badge " + c.verdict, c.verdict));
    h1.appendChild(document.createTextNode(c.check + " "));
    h1.appendChild(el("span", "spec", c.spec + (c.spec_line ? ":" + c.spec_line : "")));
    h.appendChild(h1);
    var chips = el("div", "chips");
    chips.appendChild(document.createTextNode("protocol "));
    chips.appendChild(el("code", null, c.protocol));
    chips.appendChild(document.createTextNode(" · "));
    Object.keys(c.params).forEach(function (k) { chips.appendChild(el("span", null, k + "=" + c.params[k])); });
    h.appendChild(chips);
    var s = c.stats;
    var exp = c.expect ? " · expected " + c.expect + (c.expectation_met ? " (met)" : " (NOT met)") : "";
    h.appendChild(el("div", "meta", fmt(s.states) + " distinct states · " + fmt(s.transitions) +
      " transitions · depth " + s.depth + " · " + s.seconds + " s · " + fmt(s.states_per_s) +
      " states/s · peak " + s.peak_mb + " MB · backend " + c.backend + " · symmetry " +
      (c.symmetry ? "on" : "off") + exp));
    var st = el("div", "statement");
    if (c.violation) {
      st.appendChild(el("b", null, "✗ " + c.violation.invariant));
      st.appendChild(document.createTextNode(" — " + c.violation.statement +
        (c.violation.witness.length ? " — witness " + witnessText(c.violation.witness) : "") +
        (c.violation.where ? "  (" + c.violation.where + ")" : "")));
    } else if (c.verdict === "holds") {
      st.textContent = "✓ holds within these bounds: " + c.invariants.join(", ");
    } else {
      st.textContent = c.verdict + ": " + c.reason;
    }
    h.appendChild(st);
  }

  function noTrace(c) {
    var d = document.getElementById("diagram"), p = document.getElementById("panel");
    d.textContent = ""; p.textContent = "";
    var box = el("div", "holds-box");
    box.appendChild(el("p", null, c.verdict === "holds" ?
      "No counterexample: every reachable state within these bounds satisfies " + c.invariants.join(", ") + "." :
      "No trace: " + c.verdict + (c.reason ? " — " + c.reason : "")));
    c.warnings.forEach(function (w) { box.appendChild(el("p", null, "warning: " + w)); });
    Object.keys(c.unchecked).forEach(function (k) {
      box.appendChild(el("p", null, "not checked: " + k + " — " + c.unchecked[k]));
    });
    c.vacuity.forEach(function (v) { box.appendChild(el("p", null, "vacuous: " + v)); });
    c.goals.forEach(function (g) {
      box.appendChild(el("p", null, (g.kind === "cover" ? "cover " : "hazard precondition of ") + g.name +
        (g.depth === null ? ": never reached" : ": first reached at depth " + g.depth + ", " +
         fmt(g.states) + " states")));
    });
    box.appendChild(el("h3", null, "How often each action fired"));
    var t = el("table");
    Object.keys(c.coverage).forEach(function (a) {
      var tr = el("tr"); tr.appendChild(el("td", null, a)); tr.appendChild(el("td", null, fmt(c.coverage[a])));
      t.appendChild(tr);
    });
    box.appendChild(t);
    d.appendChild(box);
    p.appendChild(el("p", "help", "Only a violated check has a trace to step through."));
    document.body.dataset.step = "";
  }

  function layout(t) {
    var d = document.getElementById("diagram");
    var avail = Math.max(d.clientWidth - GUT - 16, 300);
    laneW = Math.max(180, Math.min(330, Math.floor(avail / t.lanes.length)));
    // wide enough for the longest call (12px monospace), still inside its lane
    var longest = 0;
    t.steps.forEach(function (s) { longest = Math.max(longest, (s.call || "").length); });
    boxW = Math.min(Math.max(Math.min(laneW - 56, 250), Math.ceil(longest * 7.3) + 18), laneW - 12);
  }
  function x0(l) { return GUT + l * laneW; }
  function boxL(l) { return x0(l) + Math.floor((laneW - boxW) / 2); }
  function boxR(l) { return boxL(l) + boxW; }
  function rowTop(n) { return 8 + n * ROW; }

  function draw(c) {
    var t = c.trace, d = document.getElementById("diagram");
    layout(t);
    d.textContent = "";
    var nsteps = t.steps.length, extra = c.violation ? 2 : 1;
    var H = rowTop(nsteps + extra), W = x0(t.lanes.length) + 8;
    var cv = el("div"); cv.id = "canvas"; cv.style.width = W + "px"; cv.style.height = H + "px";
    var lh = el("div", "lanehead"); lh.style.width = W + "px";
    t.lanes.forEach(function (name, i) {
      var lane = el("div", "lane" + (t.witness_lane === i ? " witness" : ""));
      lane.dataset.lane = i; lane.style.left = x0(i) + "px"; lane.style.width = laneW + "px";
      cv.appendChild(lane);
      var hd = el("div", t.witness_lane === i ? "witness" : "", name + (t.witness_lane === i ? " ✗" : ""));
      hd.style.left = x0(i) + "px"; hd.style.width = laneW + "px";
      lh.appendChild(hd);
    });
    var band = el("div", "rowband"); band.id = "rowband"; band.style.height = ROW + "px";
    cv.appendChild(band);
    t.steps.forEach(function (s) {
      var g = el("div", "gutter", s.n === 0 ? "" : "#" + s.n);
      g.style.top = (rowTop(s.n) + 4) + "px"; g.style.left = "2px";
      cv.appendChild(g);
      var b = el("div", "step" + (s.n === 0 ? " init" : ""), s.n === 0 ? "initial state" : s.call);
      b.dataset.step = s.n;
      b.title = (s.n ? "#" + s.n + " " + s.call : "initial state") + (s.ref ? "\n" + s.ref : "");
      if (s.n === 0) {
        b.style.left = boxL(0) + "px"; b.style.width = (boxR(t.lanes.length - 1) - boxL(0)) + "px";
      } else {
        b.style.left = boxL(s.lane) + "px"; b.style.width = boxW + "px";
        if (c.violation && s.n === nsteps - 1) b.classList.add("last-bad");
        if (t.loop_start === s.n) b.classList.add("loop");
      }
      b.style.top = rowTop(s.n) + "px"; b.style.height = BOXH + "px"; b.style.lineHeight = (BOXH - 2) + "px";
      b.addEventListener("click", function () { select(s.n); });
      cv.appendChild(b);
    });
    if (c.violation) {
      var v = el("div", "violation-box");
      v.id = "violation";
      var l = t.witness_lane !== null ? t.witness_lane : 0;
      v.style.left = boxL(Math.min(l, t.lanes.length - 1)) + "px";
      v.style.width = Math.max(boxW, 260) + "px";
      v.style.top = rowTop(nsteps) + "px";
      v.appendChild(el("b", null, "✗ " + c.violation.invariant));
      v.appendChild(document.createTextNode(c.violation.witness.length ? "  witness " + witnessText(c.violation.witness) : ""));
      if (t.loop_start !== null) {
        v.appendChild(document.createTextNode(" — then back to #" + t.loop_start + ", forever"));
      }
      cv.appendChild(v);
    }
    var sv = svg("svg", {id: "arrows", width: W, height: H});
    var defs = svg("defs", {});
    var seen = {};
    t.arrows.forEach(function (a) {
      if (seen[a.colour]) return;
      seen[a.colour] = "m" + Object.keys(seen).length;
      var m = svg("marker", {id: seen[a.colour], viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
                             markerHeight: 7, orient: "auto-start-reverse"});
      m.appendChild(svg("path", {d: "M0,0 L10,5 L0,10 z", fill: a.colour}));
      defs.appendChild(m);
    });
    sv.appendChild(defs);
    t.arrows.forEach(function (a, k) {
      var y1 = rowTop(a.from) + BOXH / 2, right;
      var g = svg("g", {"class": "arrow", "data-kind": a.kind, "data-from": a.from,
                        "data-to": a.to === null ? "" : a.to});
      if (a.to !== null) {
        right = a.to_lane > a.from_lane;
        var xa = right ? boxR(a.from_lane) : boxL(a.from_lane);
        var xb = right ? boxL(a.to_lane) : boxR(a.to_lane);
        var y2 = rowTop(a.to) + BOXH / 2;
        g.appendChild(svg("path", {d: "M" + xa + "," + y1 + " L" + xb + "," + y2, stroke: a.colour,
                      "stroke-width": 1.8, fill: "none", "marker-end": "url(#" + seen[a.colour] + ")"}));
        var lab = svg("text", {x: (xa + xb) / 2, y: (y1 + y2) / 2 - 3, fill: a.colour, "text-anchor": "middle"});
        lab.textContent = a.label;
        g.appendChild(lab);
      } else if (a.to_lane !== null) {
        right = a.to_lane > a.from_lane;
        var xs = right ? boxR(a.from_lane) : boxL(a.from_lane);
        var xe = x0(a.to_lane) + laneW / 2, ye = rowTop(nsteps) - 4;
        g.setAttribute("class", "arrow inflight");
        g.appendChild(svg("path", {d: "M" + xs + "," + y1 + " L" + xe + "," + ye, stroke: a.colour,
                      "stroke-width": 1.6, "stroke-dasharray": "5 4", fill: "none"}));
        var lb = svg("text", {x: (xs + xe) / 2, y: (y1 + ye) / 2 - 3, fill: a.colour, "text-anchor": "middle"});
        lb.textContent = a.label + " (in flight)";
        g.appendChild(lb);
      } else {
        return;
      }
      sv.appendChild(g);
    });
    cv.appendChild(sv);
    d.appendChild(lh);
    d.appendChild(cv);
  }

  function panel(c, n) {
    var t = c.trace, s = t.steps[n], p = document.getElementById("panel");
    p.textContent = "";
    var h2 = el("h2");
    h2.appendChild(document.createTextNode(n === 0 ? "Initial state" : "#" + n + " "));
    if (n) {
      if (s.lane !== null) h2.appendChild(document.createTextNode(t.lanes[s.lane] + " · "));
      h2.appendChild(el("code", null, s.call));
    }
    p.appendChild(h2);
    if (s.ref) p.appendChild(el("div", "ref", s.ref));
    var last = c.violation && n === t.steps.length - 1;
    if (last) {
      var bn = el("div", "banner"); bn.id = "banner";
      bn.appendChild(el("b", null, "✗ " + c.violation.invariant));
      bn.appendChild(document.createTextNode((t.loop_start !== null ?
        " violated: from here the steps from #" + t.loop_start + " on repeat forever — " :
        " violated in this state — ") + c.violation.statement +
        (c.violation.witness.length ? ". Witness: " + witnessText(c.violation.witness) : "") +
        (c.violation.where ? " (defined at " + c.violation.where + ")" : "")));
      p.appendChild(bn);
    }
    if (n) {
      p.appendChild(el("h3", null, "Changed by this step"));
      var ch = el("div", "changes");
      if (!s.changes.length) ch.appendChild(el("div", null, "nothing"));
      s.changes.forEach(function (c3) {
        var row = el("div");
        row.appendChild(document.createTextNode(c3[0] + ": "));
        row.appendChild(el("span", "old", c3[1]));
        row.appendChild(document.createTextNode(" → "));
        row.appendChild(el("span", "new", c3[2]));
        ch.appendChild(row);
      });
      p.appendChild(ch);
      var ms = t.arrows.filter(function (a) { return a.from === n || a.to === n; });
      if (ms.length) {
        p.appendChild(el("h3", null, "Messages"));
        var md = el("div", "msgs");
        ms.forEach(function (a) {
          var txt = a.from === n ?
            "sends " + a.label + (a.to_lane !== null ? " to " + t.lanes[a.to_lane] : "") +
              (a.to !== null ? " (received at #" + a.to + ")" : " — still in flight at the end") :
            "receives " + a.label + " from " + t.lanes[a.from_lane] + " (sent at #" + a.from + ")";
          var m = el("div", null, txt); m.style.color = a.colour; md.appendChild(m);
        });
        p.appendChild(md);
      }
    }
    p.appendChild(el("h3", null, "State"));
    var changed = {};
    s.changed.forEach(function (k) { changed[k] = true; });
    var wit = last && c.violation.witness.length ?
      "[" + c.violation.witness.map(function (w) { return w[1]; }).join("][") + "]" : null;
    var tb = el("table", "state");
    t.groups.forEach(function (g) {
      var tr = el("tr"), any = false, td = el("td");
      for (var k = g[1]; k < g[1] + g[2]; k++) {
        var name = t.elements[k], idx = name.slice(g[0].length);
        var v = el("span", "val" + (changed[k] ? " changed" : "") + (wit && idx === wit ? " witness" : ""));
        v.dataset.el = name;
        if (idx) v.appendChild(el("i", null, idx));
        v.appendChild(document.createTextNode(s.values[k]));
        td.appendChild(v);
        any = any || !!changed[k];
      }
      if (any) tr.className = "changed";
      tr.appendChild(el("td", "var", g[0]));
      tr.appendChild(td);
      tb.appendChild(tr);
    });
    p.appendChild(tb);
    var help = el("div", "help");
    help.innerHTML = "<kbd>←</kbd> <kbd>→</kbd> step · <kbd>Home</kbd> <kbd>End</kbd> first/last · click a step";
    p.appendChild(help);
  }

  function select(n) {
    var c = DATA.checks[cur], t = c.trace;
    if (!t) return;
    sel = Math.max(0, Math.min(t.steps.length - 1, n));
    document.querySelectorAll(".step").forEach(function (b) {
      var k = Number(b.dataset.step);
      b.classList.toggle("selected", k === sel);
      b.classList.toggle("future", k > sel);
    });
    document.querySelectorAll("#arrows .arrow").forEach(function (g) {
      g.classList.toggle("future-arrow", Number(g.dataset.from) > sel);
    });
    var band = document.getElementById("rowband");
    band.style.display = "block"; band.style.top = (rowTop(sel) - 4) + "px";
    document.body.dataset.step = sel;
    panel(c, sel);
    var b = document.querySelector('.step[data-step="' + sel + '"]');
    if (b && b.scrollIntoView) b.scrollIntoView({block: "nearest", inline: "nearest"});
  }

  function show(i) {
    cur = i;
    var c = DATA.checks[i];
    document.body.dataset.check = i;
    header(c);
    if (!c.trace) { noTrace(c); return; }
    draw(c);
    select(c.trace.steps.length - 1);
  }

  document.addEventListener("keydown", function (e) {
    var c = DATA.checks[cur];
    if (!c || !c.trace) return;
    var last = c.trace.steps.length - 1;
    if (e.key === "ArrowLeft" || e.key === "ArrowUp") select(sel - 1);
    else if (e.key === "ArrowRight" || e.key === "ArrowDown") select(sel + 1);
    else if (e.key === "Home") select(0);
    else if (e.key === "End") select(last);
    else return;
    e.preventDefault();
  });
  window.addEventListener("resize", function () {
    var c = DATA.checks[cur];
    if (c && c.trace) { draw(c); select(sel); }
  });
  if (DATA.checks.length) show(0);
  else document.getElementById("head").textContent = "No checks were run.";
  document.body.dataset.ready = "1";
})();
"""
