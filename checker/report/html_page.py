"""The trace viewer's page: HTML skeleton, CSS and the script that draws `html.py`'s data.

Kept apart from `html.py` (which computes everything the page shows) because it is long and
is not Python. The script draws only: lanes and step boxes (labels wrap at `_`, `(` and `,`
rather than being cut), delivered messages as arrows routed around step boxes, messages never
received and messages not sent inside the lanes they concern, a lasso's loop-back bracket,
the violation, and the state panel. No network, no libraries.
"""

PAGE = """<!DOCTYPE html>
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
  <aside id="panel" aria-label="state at the selected step">
    <button id="panel-toggle" type="button" title="hide the state panel">⟩</button>
    <div id="panel-body"></div>
  </aside>
</main>
<noscript>This trace viewer needs JavaScript; the text report (python -m checker SPEC) shows the same trace.</noscript>
<script type="application/json" id="flushcheck-data">%DATA%</script>
<script>%JS%</script>
</body>
</html>
"""

CSS = """
:root { --fg:#1f2328; --dim:#656d76; --line:#d0d7de; --bg:#ffffff; --soft:#f6f8fa;
  --sel:#fff8c5; --chg:#ffd33d; --bad:#cf222e; --good:#1a7f37; --warn:#9a6700; --loop:#bf3989;
  --diff:#0969da; --skip:#8250df;
  --mono: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
html, body { margin:0; height:100%; }
body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color:var(--fg);
  background:var(--bg); display:flex; flex-direction:column; }
header { padding:8px 16px 6px; border-bottom:1px solid var(--line); background:var(--soft); max-height:45vh;
  overflow:auto; flex:none; }
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
.legend { margin-top:5px; color:var(--dim); font-size:11px; display:flex; flex-wrap:wrap; gap:2px 14px; }
.legend > span { display:inline-flex; align-items:center; gap:4px; }
.legend .sw { display:inline-block; width:16px; height:11px; border-radius:3px; border:1px solid #8c959f; }
.legend .sw.wit { border:2px solid var(--bad); background:#ffebe9; }
.legend .sw.chg { background:var(--chg); border-color:var(--chg); }
.legend .sw.diff { border:2px solid var(--diff); background:#ddf4ff; }
.legend .sw.loop { border:2px dashed var(--loop); }
.legend svg { overflow:visible; }
.tabs { margin-bottom:6px; display:flex; flex-wrap:wrap; gap:2px; align-items:center; }
.tabs button { font:inherit; border:1px solid var(--line); background:var(--bg); border-radius:6px 6px 0 0;
  padding:2px 9px; cursor:pointer; }
.tabs button.on { background:var(--fg); color:#fff; }
.tabs button.unmet { border-color:var(--bad); color:var(--bad); }
.tabs button.unmet::before { content:"✗ "; }
.tabs button.on.unmet { background:var(--bad); color:#fff; }
.tabs .filter { margin-left:8px; color:var(--dim); font-size:12px; white-space:nowrap; }
.tabs .none { color:var(--good); font-size:12px; margin-left:8px; }
.tabs.many select { font:inherit; max-width:min(60vw, 640px); padding:2px 4px; }
.tabs.many button { border-radius:4px; padding:1px 8px; }
.tabs.many option.unmet { color:var(--bad); }
.tabs .count { color:var(--dim); font-size:12px; margin-left:6px; }
main { flex:1; display:flex; min-height:0; }
#diagram { flex:1; overflow-x:auto; overflow-y:scroll; position:relative; outline:none; }
#panel { width:clamp(270px, 30vw, 390px); flex:none; overflow:auto; border-left:1px solid var(--line);
  padding:6px 12px 10px; background:var(--bg); position:relative; }
#panel-toggle { float:right; font:inherit; font-size:13px; line-height:1; border:1px solid var(--line);
  background:var(--soft); border-radius:4px; padding:3px 7px; cursor:pointer; margin:0 0 4px 6px; }
body.panel-off #panel { width:34px; padding:6px 4px; overflow:hidden; }
body.panel-off #panel-body { display:none; }
body.panel-off #panel-toggle { float:none; writing-mode:vertical-rl; padding:8px 3px; margin:0; }
#canvas { position:relative; }
.lanehead { position:sticky; top:0; z-index:6; height:30px; background:var(--soft);
  border-bottom:1px solid var(--line); }
.lanehead div { position:absolute; top:0; height:30px; line-height:30px; text-align:center; font-weight:600; }
.lanehead div.witness { color:var(--bad); }
.lane { position:absolute; top:0; bottom:0; border-left:1px solid var(--line); }
.lane:nth-child(even) { background:#fbfcfd; }
.lane.witness { background:#fff5f5; }
.rowband { position:absolute; left:0; right:0; background:var(--sel); display:none; }
.gutter { position:absolute; width:36px; text-align:right; color:var(--dim); font-family:var(--mono);
  font-size:11px; }
.step { position:absolute; border:1px solid #8c959f; border-radius:5px; background:#fff; padding:3px 7px;
  font-family:var(--mono); font-size:12px; line-height:15px; white-space:normal; overflow:hidden;
  overflow-wrap:anywhere; cursor:pointer; z-index:3; scroll-margin-top:44px; scroll-margin-bottom:40px; }
.step.measure { white-space:nowrap; visibility:hidden; width:auto !important; }
.step:hover { border-color:var(--fg); }
.step.init { background:var(--soft); color:var(--dim); font-family:inherit; }
.step.init.cti { background:#ddf4ff; color:var(--fg); border:2px solid var(--diff); }
.step.future { opacity:.45; }
.step.selected { border-color:var(--fg); box-shadow:0 0 0 1px var(--fg), 0 1px 5px rgba(0,0,0,.3); opacity:1; }
.step.last-bad { border-color:var(--bad); background:#ffebe9; }
.step.loop { border-style:dashed; border-color:var(--loop); }
.step.last-good { border-color:var(--good); background:#dafbe1; }
.violation-box.reached, .banner.reached { border-color:var(--good); background:#dafbe1; color:var(--good); }
.banner.reached b { color:var(--good); }
.statement b.good { color:var(--good); }
.legend .sw.good { border:2px solid var(--good); background:#dafbe1; }
.step.linked { outline:3px solid var(--diff); outline-offset:2px; }
.violation-box { position:absolute; border:2px solid var(--bad); border-radius:5px; background:#ffebe9;
  color:var(--bad); padding:2px 8px; font-size:12px; z-index:3; white-space:normal; }
.violation-box b { font-family:var(--mono); }
svg#arrows { position:absolute; left:0; top:0; z-index:2; pointer-events:none; overflow:visible; }
svg#arrows text { font-size:11px; paint-order:stroke; stroke:#fff; stroke-width:3px; }
.future-arrow { opacity:.3; }
.msg-label { position:absolute; z-index:2; font-size:11px; line-height:11px; overflow:hidden; display:flex;
  align-items:center; pointer-events:none; }
.msg-label span { background:rgba(255,255,255,.85); }
.msg-label.to-left { justify-content:flex-end; text-align:right; }
.pending-tag { position:absolute; z-index:3; border:1.5px dashed; border-radius:4px; background:#fff;
  font-size:11px; line-height:13px; padding:2px 6px; overflow:hidden; }
.pending-tag b { font-weight:600; }
.future-arrow.msg-label, .future-arrow.pending-tag { opacity:.3; }
#panel h2 { font-size:14px; margin:0 0 2px; }
#panel h2 code { font-family:var(--mono); }
#panel .ref { color:var(--dim); font-family:var(--mono); font-size:11px; margin-bottom:8px; word-break:break-word; }
#panel h3 { font-size:12px; text-transform:uppercase; letter-spacing:.04em; color:var(--dim); margin:10px 0 4px; }
#panel p.note { margin:4px 0; }
.changes div { font-family:var(--mono); font-size:12px; }
.changes .old { color:var(--dim); text-decoration:line-through; }
.changes .new { background:var(--chg); padding:0 2px; }
.msgs div { font-size:12px; margin-bottom:2px; }
table.state { border-collapse:collapse; width:100%; font-family:var(--mono); font-size:12px; }
table.state td { border-bottom:1px solid #eaeef2; padding:2px 4px; vertical-align:top; }
table.state td.var { color:var(--dim); white-space:nowrap; }
table.state tr.changed td.var, table.state tr.differs td.var { color:var(--fg); font-weight:600; }
.val { display:inline-block; margin:0 4px 2px 0; padding:0 4px; border-radius:3px; border:1px solid transparent; }
.val i { font-style:normal; color:var(--dim); font-size:10px; margin-right:2px; }
.val.changed { background:var(--chg); }
.val.differs { background:#ddf4ff; border-color:var(--diff); }
.val.witness { border:2px solid var(--bad); }
.banner { border:2px solid var(--bad); background:#ffebe9; border-radius:6px; padding:6px 8px; margin:8px 0; }
.banner b { color:var(--bad); font-family:var(--mono); }
.banner.cti { border-color:var(--diff); background:#ddf4ff; }
.banner.cti b { color:var(--diff); }
.difflist code { font-family:var(--mono); font-size:12px; background:#ddf4ff; border:1px solid var(--diff);
  border-radius:3px; padding:0 4px; margin:0 4px 3px 0; display:inline-block; }
.holds-box { margin:24px; max-width:760px; }
.holds-box table { border-collapse:collapse; font-family:var(--mono); font-size:12px; }
.holds-box td { padding:1px 10px 1px 0; }
.help { color:var(--dim); font-size:11px; margin-top:10px; }
kbd { border:1px solid var(--line); border-bottom-width:2px; border-radius:3px; padding:0 4px; font-size:11px; }
"""

JS = r"""
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("flushcheck-data").textContent);
  var M = 18;          // free margin on each side of a step box inside its lane: messages run there
  var PROW = 40;       // height of a row of "pending" tags after the last step
  var MANY = 12;       // more checks than this: a drop-down, not tabs
  var G = {};          // the geometry of the drawn trace
  var cur = 0, sel = 0, failuresOnly = /(^#|\/)failures\b/.test(location.hash);

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
  function unmet(c) { return !c.expectation_met; }
  function tviol(c) { return c.violation || (c.trace && c.trace.violation) || null; }
  function reached(v) { return !!v && v.kind === "witness"; }    // --witness: a goal reached, not a failure
  function loopOf(t) { return t.loop && t.loop.first <= t.loop.last ? t.loop : null; }
  function span(a, b) { return a === b ? "#" + a : "#" + a + "–#" + b; }
  function laneName(t, l) { return l !== null && l !== undefined && l < t.lanes.length ? t.lanes[l] : "?"; }

  // ------------------------------------------------------------------ header
  function tabs(h) {
    var bar = el("div", "tabs"), nbad = DATA.checks.filter(unmet).length;
    DATA.checks.forEach(function (d, i) {
      var b = el("button", i === cur ? "on" : "", d.check);
      if (unmet(d)) b.classList.add("unmet");
      b.dataset.check = i;
      b.title = d.spec + " — " + d.verdict + (d.expect ? ", expected " + d.expect : "") +
        (unmet(d) ? " (NOT met)" : " (met)");
      if (failuresOnly && !unmet(d) && i !== cur) b.style.display = "none";
      b.addEventListener("click", function () { show(i); });
      bar.appendChild(b);
    });
    filter(bar, nbad);
    h.appendChild(bar);
  }

  // many checks (a gate page): one drop-down, the previous/next shown check, the failures filter
  function chooser(h) {
    var bar = el("div", "tabs many"), nbad = DATA.checks.filter(unmet).length;
    var shown = DATA.checks.map(function (d, i) { return i; })
      .filter(function (i) { return !failuresOnly || unmet(DATA.checks[i]) || i === cur; });
    var pick = el("select");
    pick.id = "check-select";
    shown.forEach(function (i) {
      var d = DATA.checks[i];
      var o = el("option", unmet(d) ? "unmet" : "", (unmet(d) ? "✗ " : "") + d.check + " — " + d.verdict +
        (unmet(d) ? ", expected " + d.expect : "") + " (" + d.spec + ")");
      o.value = i;
      o.selected = i === cur;
      pick.appendChild(o);
    });
    pick.addEventListener("change", function () { show(Number(pick.value)); });
    var at = shown.indexOf(cur);
    [["◀", -1, "previous check"], ["▶", 1, "next check"]].forEach(function (x, k) {
      var b = el("button", "step-check", x[0]);
      b.type = "button"; b.title = x[2];
      var to = shown[at + x[1]];
      b.disabled = to === undefined;
      b.addEventListener("click", function () { if (to !== undefined) show(to); });
      if (k === 0) bar.appendChild(b);
      else { bar.appendChild(pick); bar.appendChild(b); }
    });
    bar.appendChild(el("span", "count", (at + 1) + " of " + shown.length + " · " +
      (DATA.checks.length - nbad) + " of " + DATA.checks.length + " met their expectation"));
    filter(bar, nbad);
    h.appendChild(bar);
  }

  function filter(bar, nbad) {
    var lab = el("label", "filter"), box = el("input");
    box.type = "checkbox"; box.id = "failures-only"; box.checked = failuresOnly;
    box.addEventListener("change", function () {
      failuresOnly = box.checked;
      var firstBad = DATA.checks.findIndex(unmet);
      if (failuresOnly && !unmet(DATA.checks[cur]) && firstBad >= 0) show(firstBad);
      else header(DATA.checks[cur]);
    });
    lab.appendChild(box);
    lab.appendChild(document.createTextNode(" failures only (" + nbad + " of " + DATA.checks.length + ")"));
    bar.appendChild(lab);
    if (failuresOnly && !nbad) bar.appendChild(el("span", "none", "every check met its expectation"));
  }

  function legendItem(lg, swatch, text) {
    var s = el("span");
    s.appendChild(swatch);
    s.appendChild(document.createTextNode(text));
    lg.appendChild(s);
  }
  function mark(kind) {
    var s = svg("svg", {width: 22, height: 12, viewBox: "0 0 22 12"});
    if (kind === "pending") {
      s.appendChild(svg("path", {d: "M0,6 H11", stroke: "#1f6feb", "stroke-dasharray": "3 2", fill: "none"}));
      s.appendChild(svg("polyline", {points: "12,1 20,6 12,11", stroke: "#1f6feb", fill: "none", "stroke-width": 1.6}));
    } else if (kind === "skip") {
      s.appendChild(svg("path", {d: "M0,6 H8", stroke: "#8250df", "stroke-dasharray": "2 2", fill: "none"}));
      s.appendChild(svg("circle", {cx: 15, cy: 6, r: 5, stroke: "#8250df", fill: "#fff", "stroke-width": 1.6}));
      s.appendChild(svg("path", {d: "M11.5,9.5 L18.5,2.5", stroke: "#8250df", "stroke-width": 1.6}));
    } else if (kind === "arrow") {
      s.appendChild(svg("path", {d: "M0,6 H14", stroke: "#1f6feb", "stroke-width": 1.6}));
      s.appendChild(svg("path", {d: "M13,2 L20,6 L13,10 z", fill: "#1f6feb"}));
    } else if (kind === "loop") {
      s.appendChild(svg("path", {d: "M14,11 H4 V1 H14", stroke: "#bf3989", fill: "none", "stroke-width": 2}));
      s.appendChild(svg("path", {d: "M13,-2 L19,1 L13,4 z", fill: "#bf3989"}));
    }
    return s;
  }

  function legend(c) {
    var t = c.trace, lg = el("div", "legend"), v = tviol(c);
    lg.id = "legend";
    if (!t) return lg;
    if (reached(v)) {
      legendItem(lg, el("span", "sw good"), "green outline: the step that reaches " + v.invariant);
    } else if (v && (!loopOf(t) || v.witness.length)) {
      var sw = el("span", "sw wit");
      legendItem(lg, sw, "red outline: " + (loopOf(t) ? "" : "the step that breaks " + v.invariant + ", ") +
        (v.witness.length ? "the witness (" + witnessText(v.witness) + "): its lane and the state values it names" : ""));
    }
    legendItem(lg, el("span", "sw chg"), "changed by the selected step");
    var pend = t.arrows.some(function (a) { return a.to === null; });
    if (t.arrows.some(function (a) { return a.to !== null; })) legendItem(lg, mark("arrow"), "message received");
    if (pend) legendItem(lg, mark("pending"), "message sent, never received (pending)");
    if (t.skips.length) legendItem(lg, mark("skip"), "message not sent, and why");
    if (loopOf(t)) legendItem(lg, mark("loop"), "steps that repeat forever");
    if (t.kind === "cti") legendItem(lg, el("span", "sw diff"), "pre-state: differs from the initial state");
    return lg;
  }

  function header(c) {
    var h = document.getElementById("head");
    h.textContent = "";
    if (DATA.checks.length > MANY) chooser(h);
    else if (DATA.checks.length > 1) tabs(h);
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
    var exp = c.expect ? " · expected " + c.expect + (c.expectation_met ? " (met)" : " (NOT met)") : "";
    // a proof's own figures (solver, k, time), never a search's empty state counts
    h.appendChild(el("div", "meta", c.figures + " · backend " + c.backend +
      (c.solver ? "" : " · symmetry " + (c.symmetry ? "on" : "off")) + exp));
    var st = el("div", "statement"), v = tviol(c), cti = c.trace && c.trace.kind === "cti";
    if (reached(c.violation)) {
      st.appendChild(el("b", "good", "✓ " + c.violation.invariant));
      st.appendChild(document.createTextNode(" reached in the last state — " + c.violation.statement +
        (c.violation.where ? "  (" + c.violation.where + ")" : "")));
    } else if (c.violation) {
      st.appendChild(el("b", null, "✗ " + c.violation.invariant));
      st.appendChild(document.createTextNode(" — " + c.violation.statement +
        (c.violation.witness.length ? " — witness " + witnessText(c.violation.witness) : "") +
        (c.violation.where ? "  (" + c.violation.where + ")" : "")));
    } else if (c.verdict === "holds") {
      st.textContent = "✓ " + (c.solver ? "proved for every depth at these bounds: " : "holds within these bounds: ") +
        c.invariants.join(", ") + (c.solver && c.reason ? " — " + c.reason : "");
    } else {
      st.textContent = c.verdict + ": " + c.reason;
      if (v) {
        var st2 = el("div");
        st2.appendChild(el("b", null, "✗ " + v.invariant));
        st2.appendChild(document.createTextNode(cti ?
          " broken by the step of the counterexample to induction below — " + v.statement +
            (v.witness.length ? " — witness " + witnessText(v.witness) : "") :
          " — " + v.statement));
        st.appendChild(st2);
      }
    }
    h.appendChild(st);
    h.appendChild(legend(c));
  }

  function noTrace(c) {
    var d = document.getElementById("diagram"), p = document.getElementById("panel-body");
    d.textContent = ""; p.textContent = "";
    var box = el("div", "holds-box");
    box.appendChild(el("p", null, c.verdict === "holds" ?
      (c.solver ? "Proved: every state that satisfies the proof's invariants, reachable or not, keeps " :
       "No counterexample: every reachable state within these bounds satisfies ") + c.invariants.join(", ") + "." :
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
    if (Object.keys(c.coverage).length) {
      box.appendChild(el("h3", null, "How often each action fired"));
      var t = el("table");
      Object.keys(c.coverage).forEach(function (a) {
        var tr = el("tr"); tr.appendChild(el("td", null, a)); tr.appendChild(el("td", null, fmt(c.coverage[a])));
        t.appendChild(tr);
      });
      box.appendChild(t);
    }
    d.appendChild(box);
    p.appendChild(el("p", "help", "Only a check with a trace has steps to go through."));
    document.body.dataset.step = "";
  }

  // ------------------------------------------------------------------ geometry
  function x0(l) { return G.gut + l * G.laneW; }
  function boxL(l) { return x0(l) + Math.floor((G.laneW - G.boxW) / 2); }
  function boxR(l) { return boxL(l) + G.boxW; }
  function rowTop(n) { return n === 0 ? 8 : 8 + G.h0 + 10 + (n - 1) * G.row; }
  function yMid(n) { return rowTop(n) + G.boxH / 2; }
  function endTop() { return rowTop(G.nsteps); }
  // the edge of lane l that faces a message coming in the direction dir (+1: from the left)
  function inEdge(l, dir) { return dir > 0 ? x0(l) : x0(l + 1); }
  function outEdge(l, dir) { return dir > 0 ? x0(l + 1) : x0(l); }

  // a call split where a reader would break it: after "_", "(" and ", "
  function callText(box, text) {
    text.replace(/(_|\(|, )/g, "$1\u0001").split("\u0001").forEach(function (part, i) {
      if (i) box.appendChild(document.createElement("wbr"));
      box.appendChild(document.createTextNode(part));
    });
  }

  // does the polyline pts pass through a step box (other than the ones listed in `ends`)?
  function hitsBox(pts, ends) {
    for (var k = 0; k + 1 < pts.length; k++) {
      for (var i = 0; i < G.rects.length; i++) {
        var r = G.rects[i];
        if (ends.indexOf(r.n) >= 0) continue;
        if (segRect(pts[k], pts[k + 1], r)) return true;
      }
    }
    return false;
  }
  function segRect(a, b, r) {           // Liang-Barsky: does segment a-b enter rect r (shrunk by 1px)?
    var x1 = r.x + 1, y1 = r.y + 1, x2 = r.x + r.w - 1, y2 = r.y + r.h - 1;
    var dx = b[0] - a[0], dy = b[1] - a[1], t0 = 0, t1 = 1;
    var p = [-dx, dx, -dy, dy], q = [a[0] - x1, x2 - a[0], a[1] - y1, y2 - a[1]];
    for (var i = 0; i < 4; i++) {
      if (p[i] === 0) { if (q[i] < 0) return false; continue; }
      var u = q[i] / p[i];
      if (p[i] < 0) { if (u > t1) return false; if (u > t0) t0 = u; }
      else { if (u < t0) return false; if (u < t1) t1 = u; }
    }
    return t0 < t1;
  }
  function overlaps(a, b) { return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h; }
  function pointAt(pts, f) {            // the point a fraction f along a polyline
    var len = 0, segs = [];
    for (var k = 0; k + 1 < pts.length; k++) {
      var l = Math.hypot(pts[k + 1][0] - pts[k][0], pts[k + 1][1] - pts[k][1]);
      segs.push(l); len += l;
    }
    var want = f * len;
    for (k = 0; k < segs.length; k++) {
      if (want <= segs[k] || k === segs.length - 1) {
        var g = segs[k] ? Math.min(1, want / segs[k]) : 0;
        return [pts[k][0] + g * (pts[k + 1][0] - pts[k][0]), pts[k][1] + g * (pts[k + 1][1] - pts[k][1])];
      }
      want -= segs[k];
    }
    return pts[0];
  }

  // ------------------------------------------------------------------ the diagram
  function draw(c) {
    var t = c.trace, d = document.getElementById("diagram"), v = tviol(c), loop = loopOf(t);
    var nl = t.lanes.length, ns = t.steps.length, cti = t.kind === "cti";
    d.textContent = "";
    G = {nsteps: ns, gut: loop ? 62 : 44};
    var avail = Math.max(d.clientWidth - G.gut - 8, 200);
    G.laneW = Math.max(140, Math.min(330, Math.floor(avail / nl)));
    var inner = G.laneW - 2 * M;
    var lh = el("div", "lanehead"), cv = el("div");
    cv.id = "canvas";
    d.appendChild(lh);
    d.appendChild(cv);
    var W = x0(nl) + 8;
    t.lanes.forEach(function (name, i) {
      var lane = el("div", "lane" + (t.witness_lane === i ? " witness" : ""));
      lane.dataset.lane = i; lane.style.left = x0(i) + "px"; lane.style.width = G.laneW + "px";
      cv.appendChild(lane);
      var hd = el("div", t.witness_lane === i ? "witness" : "", name + (t.witness_lane === i ? " ✗" : ""));
      hd.style.left = x0(i) + "px"; hd.style.width = G.laneW + "px";
      lh.appendChild(hd);
    });
    var band = el("div", "rowband"); band.id = "rowband";
    cv.appendChild(band);
    lh.style.width = W + "px";
    cv.style.width = W + "px";
    var loopSteps = {};
    if (loop) for (var k = loop.first; k <= loop.last; k++) loopSteps[k] = true;
    var boxes = t.steps.map(function (s) {
      var b = el("div", "step measure" + (s.n === 0 ? " init" + (cti ? " cti" : "") : ""));
      b.dataset.step = s.n;
      if (s.n === 0) {
        b.textContent = cti ? "pre-state: any state that satisfies every invariant of the proof — it need not be reachable" +
          (t.differs ? "; it differs from the initial state in " + (t.differs.length ? t.differs.map(function (e) {
            return e + "=" + s.values[t.elements.indexOf(e)]; }).join(", ") : "nothing") : "") : "initial state";
      } else {
        callText(b, s.call);
      }
      b.title = (s.n ? "#" + s.n + " " + s.call : (cti ? "pre-state of the counterexample to induction" : "initial state")) +
        (s.ref ? "\n" + s.ref : "");
      b.addEventListener("click", function () { select(s.n); });
      cv.appendChild(b);
      return b;
    });
    // boxes as wide as the longest call, within the lane's margins; a call that is wider wraps
    var longest = 0;
    boxes.forEach(function (b, n) { if (n) longest = Math.max(longest, b.offsetWidth); });
    G.boxW = Math.min(inner, Math.max(Math.min(inner, 200), longest + 2));
    var h = 22;
    boxes.forEach(function (b, n) {
      b.classList.remove("measure");
      b.style.width = (n === 0 ? boxR(nl - 1) - boxL(0) : G.boxW) + "px";
    });
    boxes.forEach(function (b, n) { if (n) h = Math.max(h, b.offsetHeight); });
    G.h0 = Math.max(22, boxes[0].offsetHeight);
    G.boxH = h;
    G.row = h + 10;
    G.rects = [];
    boxes.forEach(function (b, n) {
      var s = t.steps[n], left = n === 0 ? boxL(0) : boxL(s.lane);
      b.style.left = left + "px";
      b.style.top = rowTop(n) + "px";
      b.style.height = (n === 0 ? G.h0 : G.boxH) + "px";
      if (n) {
        if (v && n === ns - 1 && !loop) b.classList.add(reached(v) ? "last-good" : "last-bad");
        if (loopSteps[n]) b.classList.add("loop");
        G.rects.push({n: n, x: left, y: rowTop(n), w: G.boxW, h: G.boxH});
        var g = el("div", "gutter", "#" + n);
        g.style.top = (rowTop(n) + Math.max(0, G.boxH / 2 - 8)) + "px"; g.style.left = "2px";
        cv.appendChild(g);
      }
    });
    // pending messages: one tag row per message waiting on the same lane
    var pend = t.arrows.filter(function (a) { return a.to === null; });
    var perLane = {}, rowsOfTags = 0;
    pend.forEach(function (a) {
      if (a.to_lane === null || a.to_lane >= nl) return;
      a._k = perLane[a.to_lane] = (perLane[a.to_lane] || 0) + 1;
      a._k -= 1;
      rowsOfTags = Math.max(rowsOfTags, a._k + 1);
    });
    G.violTop = endTop() + rowsOfTags * PROW;

    var sv = svg("svg", {id: "arrows", width: W, height: 100});
    var defs = svg("defs", {}), seen = {};
    sv.appendChild(defs);
    function marker(colour) {
      if (seen[colour]) return seen[colour];
      seen[colour] = "m" + Object.keys(seen).length;
      var m = svg("marker", {id: seen[colour], viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 10,
                             markerHeight: 10, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse"});
      m.appendChild(svg("path", {d: "M0,0 L10,5 L0,10 z", fill: colour}));
      defs.appendChild(m);
      return seen[colour];
    }
    var placed = G.rects.slice();
    function label(cls, x, y, w, hgt, text, colour, toLeft, data) {
      var lb = el("div", "msg-label msg-part " + cls + (toLeft ? " to-left" : ""));
      var inner = el("span", null, text);
      lb.appendChild(inner);
      lb.style.left = x + "px"; lb.style.top = y + "px"; lb.style.width = w + "px"; lb.style.height = hgt + "px";
      lb.style.color = colour;
      lb.title = text;
      for (var key in data) lb.dataset[key] = data[key];
      cv.appendChild(lb);
      return lb;
    }

    // delivered messages: a line from box to box, around any box in the way
    t.arrows.forEach(function (a, i) {
      if (a.to === null) return;
      var dir = a.to_lane > a.from_lane ? 1 : -1;
      var xa = dir > 0 ? boxR(a.from_lane) : boxL(a.from_lane), y1 = yMid(a.from);
      var xb = dir > 0 ? boxL(a.to_lane) : boxR(a.to_lane), y2 = yMid(a.to);
      var pts = [[xa, y1], [xb, y2]];
      if (hitsBox(pts, [a.from, a.to])) {
        var xv = inEdge(a.to_lane, dir) + dir * 14;
        pts = [[xa, y1], [xv, y1], [xv, y2], [xb, y2]];
      }
      var g = svg("g", {"class": "arrow delivered", "data-kind": a.kind, "data-from": a.from, "data-to": a.to,
                        "data-msg": i});
      g.appendChild(svg("path", {"class": "msg-line", d: "M" + pts.map(function (p) { return p[0] + "," + p[1]; }).join(" L"),
                                 stroke: a.colour, "stroke-width": 1.8, fill: "none",
                                 "marker-end": "url(#" + marker(a.colour) + ")"}));
      var lab = svg("text", {fill: a.colour, "text-anchor": "middle", "class": "msg-part"});
      lab.textContent = a.label;
      g.appendChild(lab);
      sv.appendChild(g);
      g._lab = lab; g._pts = pts;
    });

    // messages never received: a stub at the sender, an open arrowhead at the receiver's lane
    // edge with the label, a dashed thread down that lane to a "pending" tag; nothing in between
    // (one whose receiver is unknown is named in the panel only: no lane to draw it towards)
    pend.forEach(function (a) {
      var i = t.arrows.indexOf(a), b = a.to_lane;
      if (b === null || b >= nl) return;
      var dir = b > a.from_lane ? 1 : -1;
      var y = yMid(a.from), xs = dir > 0 ? boxR(a.from_lane) + 1 : boxL(a.from_lane) - 1;
      var xe = inEdge(b, dir), xt = xe + dir * (3 + 4 * Math.min(a._k || 0, 2));
      var g = svg("g", {"class": "arrow pending", "data-kind": a.kind, "data-from": a.from, "data-to": "",
                        "data-from-lane": a.from_lane, "data-to-lane": b, "data-msg": i});
      var never = loop ? "never delivered" : "pending at the end";
      var title = svg("title", {});
      title.textContent = a.label + " from " + laneName(t, a.from_lane) + " (#" + a.from + ")" +
        " to " + laneName(t, b) + ": never received — " + never;
      g.appendChild(title);
      g.appendChild(svg("path", {"class": "msg-part stub", d: "M" + xs + "," + y + " H" + outEdge(a.from_lane, dir),
                                 stroke: a.colour, "stroke-width": 1.6, "stroke-dasharray": "5 3", fill: "none"}));
      g.appendChild(svg("polyline", {"class": "msg-part head",
                                     points: xe + "," + (y - 5) + " " + (xe + dir * 9) + "," + y + " " + xe + "," + (y + 5),
                                     stroke: a.colour, "stroke-width": 1.8, fill: "#fff"}));
      var lx = dir > 0 ? xe + 14 : x0(b) + 4, lw = G.laneW - 18;
      label("pending-label", lx, rowTop(a.from), lw, G.boxH,
            a.label + " from " + laneName(t, a.from_lane) + " · " + (loop ? "never delivered" : "pending"),
            a.colour, dir < 0, {msg: i, lane: b});
      var tagTop = endTop() + a._k * PROW + 4;
      g.appendChild(svg("path", {"class": "msg-part thread", d: "M" + xt + "," + (y + 6) + " V" + tagTop,
                                 stroke: a.colour, "stroke-width": 1.4, "stroke-dasharray": "4 4", fill: "none"}));
      var tag = el("div", "pending-tag msg-part");
      tag.dataset.msg = i; tag.dataset.lane = b; tag.dataset.from = a.from;
      tag.style.borderColor = a.colour; tag.style.color = a.colour;
      tag.style.left = (x0(b) + 2) + "px"; tag.style.width = (G.laneW - 4) + "px";
      tag.style.top = tagTop + "px"; tag.style.maxHeight = (PROW - 6) + "px";
      tag.appendChild(el("b", null, "▷ " + a.label + " pending"));
      tag.appendChild(document.createTextNode(" — from " + laneName(t, a.from_lane) + " (#" + a.from + "), " +
        (loop ? "never delivered: the loop repeats without it" : "not received by the end")));
      tag.title = title.textContent;
      cv.appendChild(tag);
      sv.appendChild(g);
    });

    // messages not sent: a stub at the sender, a crossed circle at the other lane's edge, and why
    t.skips.forEach(function (s, i) {
      var b = s.to_lane, dir = b > s.from_lane ? 1 : -1, y = yMid(s.from);
      var xs = dir > 0 ? boxR(s.from_lane) + 1 : boxL(s.from_lane) - 1, xe = inEdge(b, dir);
      var cx = xe + dir * 7;
      var g = svg("g", {"class": "skip", "data-from": s.from, "data-from-lane": s.from_lane, "data-to-lane": b,
                        "data-skip": i});
      var text = s.label + (s.why ? ": " + s.why : "");
      var title = svg("title", {});
      title.textContent = text + (s.detail ? " — " + s.detail : "");
      g.appendChild(title);
      g.appendChild(svg("path", {"class": "msg-part stub", d: "M" + xs + "," + y + " H" + outEdge(s.from_lane, dir),
                                 stroke: s.colour, "stroke-width": 1.4, "stroke-dasharray": "2 3", fill: "none"}));
      g.appendChild(svg("circle", {"class": "msg-part", cx: cx, cy: y, r: 5.5, stroke: s.colour,
                                   "stroke-width": 1.6, fill: "#fff"}));
      g.appendChild(svg("path", {"class": "msg-part", d: "M" + (cx - 3.9) + "," + (y + 3.9) + " L" + (cx + 3.9) + "," + (y - 3.9),
                                 stroke: s.colour, "stroke-width": 1.6}));
      sv.appendChild(g);
      label("skip-label", dir > 0 ? xe + 16 : x0(b) + 4, rowTop(s.from), G.laneW - 20, G.boxH,
            text.replace(/^(\S+) not sent/, "$1 to " + laneName(t, b) + " not sent"), s.colour, dir < 0,
            {skip: i, lane: b});
    });

    // labels of delivered messages: along the line, where they cover no box and no other label
    document.querySelectorAll("#canvas .msg-label").forEach(function (lb) {
      placed.push({x: lb.offsetLeft, y: lb.offsetTop, w: lb.offsetWidth, h: lb.offsetHeight});
    });
    cv.appendChild(sv);
    sv.querySelectorAll("g.delivered").forEach(function (g) {
      var lab = g._lab, w = lab.getComputedTextLength() + 6, hgt = 13;
      var fr = [0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9], best = null;
      for (var i = 0; i < fr.length; i++) {
        var p = pointAt(g._pts, fr[i]);
        var r = {x: p[0] - w / 2, y: p[1] - hgt - 2, w: w, h: hgt};
        if (!placed.some(function (q) { return overlaps(r, q); })) { best = r; break; }
        r = {x: p[0] - w / 2, y: p[1] + 3, w: w, h: hgt};
        if (!placed.some(function (q) { return overlaps(r, q); })) { best = r; break; }
      }
      if (!best) { var p0 = pointAt(g._pts, 0.5); best = {x: p0[0] - w / 2, y: p0[1] - hgt - 2, w: w, h: hgt}; }
      placed.push(best);
      lab.setAttribute("x", best.x + w / 2);
      lab.setAttribute("y", best.y + hgt - 3);
    });

    // a lasso: a bracket over exactly the repeating steps, its arrow back to the first of them
    if (loop) {
      var top = rowTop(loop.first), bottom = rowTop(loop.last) + G.boxH, lx = G.gut - 16, rx = G.gut - 3;
      var lg = svg("g", {id: "loop", "class": "loop-bracket", "data-first": loop.first, "data-last": loop.last,
                         "data-back-to": loop.back_to});
      var lt = svg("title", {});
      lt.textContent = "steps " + span(loop.first, loop.last) + " repeat forever: after #" + loop.last +
        " the state is again the state after #" + loop.back_to;
      lg.appendChild(lt);
      lg.appendChild(svg("path", {d: "M" + rx + "," + bottom + " H" + lx + " V" + top + " H" + rx,
                                  stroke: "#bf3989", "stroke-width": 2.2, fill: "none",
                                  "marker-end": "url(#" + marker("#bf3989") + ")"}));
      sv.appendChild(lg);
    }

    if (v) {
      var vb = el("div", "violation-box" + (reached(v) ? " reached" : ""));
      vb.id = "violation";
      var l = t.witness_lane !== null ? t.witness_lane : 0;
      var vw = Math.min(Math.max(G.boxW, 300), W - G.gut - 8);
      vb.style.left = Math.max(G.gut, Math.min(boxL(Math.min(l, nl - 1)), W - vw - 8)) + "px";
      vb.style.width = vw + "px";
      vb.style.top = G.violTop + "px";
      vb.appendChild(el("b", null, (reached(v) ? "✓ " : "✗ ") + v.invariant));
      if (reached(v)) vb.appendChild(document.createTextNode(" reached"));
      vb.appendChild(document.createTextNode(cti ? " broken by step #" + (ns - 1) + ", from a pre-state that " +
        "satisfies every invariant of the proof" : ""));
      vb.appendChild(document.createTextNode(v.witness.length ? " — witness " + witnessText(v.witness) : ""));
      if (loop) {
        vb.appendChild(document.createTextNode(" — " + span(loop.first, loop.last) + " repeat forever (back to the " +
          "state after #" + loop.back_to + ")" + (pend.length ? "; what was sent is never received" : "")));
      }
      cv.appendChild(vb);
    }
    var H = G.violTop + (v ? document.getElementById("violation").offsetHeight + 24 : 16);
    cv.style.height = H + "px";
    sv.setAttribute("height", H);
    band.style.height = G.row + "px";
  }

  // ------------------------------------------------------------------ the side panel
  function msgLine(md, text, colour) {
    var m = el("div", null, text);
    m.style.color = colour;
    md.appendChild(m);
  }

  function panel(c, n) {
    var t = c.trace, s = t.steps[n], p = document.getElementById("panel-body"), v = tviol(c), loop = loopOf(t);
    var cti = t.kind === "cti";
    p.textContent = "";
    var h2 = el("h2");
    h2.appendChild(document.createTextNode(n === 0 ? (cti ? "Pre-state (not the initial state)" : "Initial state") : "#" + n + " "));
    if (n) {
      if (s.lane !== null) h2.appendChild(document.createTextNode(t.lanes[s.lane] + " · "));
      h2.appendChild(el("code", null, s.call));
    }
    p.appendChild(h2);
    if (s.ref) p.appendChild(el("div", "ref", s.ref));
    var differs = {};
    if (cti && n === 0) {
      var bn0 = el("div", "banner cti");
      bn0.appendChild(el("b", null, "counterexample to induction"));
      bn0.appendChild(document.createTextNode(" — this is an arbitrary state that satisfies every invariant of the " +
        "proof (the strengthening ones too), chosen by the solver; it need not be reachable. If it is not, a " +
        "strengthening invariant that says why completes the proof."));
      p.appendChild(bn0);
      if (t.differs) {
        p.appendChild(el("h3", null, "Differs from the initial state in"));
        var dl = el("div", "difflist");
        dl.id = "differs";
        if (!t.differs.length) dl.appendChild(document.createTextNode("nothing"));
        t.differs.forEach(function (e) {
          var k = t.elements.indexOf(e);
          differs[k] = true;
          dl.appendChild(el("code", null, e + "=" + s.values[k]));
        });
        p.appendChild(dl);
      }
    }
    var last = v && n === t.steps.length - 1;
    if (last) {
      var bn = el("div", "banner" + (reached(v) ? " reached" : "")); bn.id = "banner";
      bn.appendChild(el("b", null, (reached(v) ? "✓ " : "✗ ") + v.invariant));
      bn.appendChild(document.createTextNode((reached(v) ? " reached in this state — " : loop ?
        " violated: the steps " + span(loop.first, loop.last) + " repeat forever — after #" + loop.last +
          " the state is again the one after #" + loop.back_to + " — " :
        cti ? " broken by this step, from a pre-state that satisfies every invariant of the proof — " :
        " violated in this state — ") + v.statement +
        (v.witness.length ? ". Witness: " + witnessText(v.witness) : "") +
        (v.where ? " (defined at " + v.where + ")" : "")));
      p.appendChild(bn);
    } else if (loop && n === loop.back_to) {
      p.appendChild(el("p", "note", "The loop returns to the state after this step: " +
        span(loop.first, loop.last) + " repeat from here forever."));
    }
    if (loop && n >= loop.first && n <= loop.last && !last) {
      p.appendChild(el("p", "note", "Part of the loop " + span(loop.first, loop.last) + " that repeats forever."));
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
      var md = el("div", "msgs");
      t.arrows.forEach(function (a) {
        if (a.from === n) {
          msgLine(md, "sends " + a.label + (a.to_lane !== null ? " to " + laneName(t, a.to_lane) : "") +
            (a.to !== null ? " (received at #" + a.to + ")" :
             loop ? " — never received: the loop " + span(loop.first, loop.last) + " repeats without it" :
             " — never received: still pending at the end"), a.colour);
        } else if (a.to === n) {
          msgLine(md, "receives " + a.label + " from " + laneName(t, a.from_lane) + " (sent at #" + a.from + ")", a.colour);
        } else if (a.to === null && a.from < n && a.to_lane === s.lane) {
          msgLine(md, "runs with " + a.label + " from " + laneName(t, a.from_lane) + " (sent at #" + a.from +
            ") still pending on " + laneName(t, s.lane), a.colour);
        }
      });
      t.skips.forEach(function (k) {
        if (k.from === n) {
          msgLine(md, k.label + " to " + laneName(t, k.to_lane) + (k.why ? ": " + k.why : "") +
            (k.detail ? " — " + k.detail : ""), k.colour);
        }
      });
      if (md.childNodes.length) {
        p.appendChild(el("h3", null, "Messages"));
        p.appendChild(md);
      }
    }
    p.appendChild(el("h3", null, "State"));
    var changed = {};
    s.changed.forEach(function (k) { changed[k] = true; });
    var wit = last && v.witness.length ? "[" + v.witness.map(function (w) { return w[1]; }).join("][") + "]" : null;
    var tb = el("table", "state");
    t.groups.forEach(function (g) {
      var tr = el("tr"), any = false, anyDiff = false, td = el("td");
      for (var k = g[1]; k < g[1] + g[2]; k++) {
        var name = t.elements[k], idx = name.slice(g[0].length);
        var vv = el("span", "val" + (changed[k] ? " changed" : "") + (differs[k] ? " differs" : "") +
                    (wit && idx === wit ? " witness" : ""));
        vv.dataset.el = name;
        if (idx) vv.appendChild(el("i", null, idx));
        vv.appendChild(document.createTextNode(s.values[k]));
        td.appendChild(vv);
        any = any || !!changed[k];
        anyDiff = anyDiff || !!differs[k];
      }
      if (any) tr.className = "changed";
      if (anyDiff) tr.classList.add("differs");
      tr.appendChild(el("td", "var", g[0]));
      tr.appendChild(td);
      tb.appendChild(tr);
    });
    p.appendChild(tb);
    var help = el("div", "help");
    help.innerHTML = "<kbd>←</kbd> <kbd>→</kbd> step · <kbd>Home</kbd> <kbd>End</kbd> first/last · click a step · " +
      "link to a step: <code>#step-" + n + "</code>";
    p.appendChild(help);
  }

  // ------------------------------------------------------------------ selection, links
  function stepHash(n) { return "#" + (DATA.checks.length > 1 ? "check-" + cur + "/" : "") + "step-" + n; }

  function select(n, how) {
    var c = DATA.checks[cur], t = c.trace;
    if (!t) return;
    sel = Math.max(0, Math.min(t.steps.length - 1, n));
    document.querySelectorAll(".step").forEach(function (b) {
      var k = Number(b.dataset.step);
      b.classList.toggle("selected", k === sel);
      b.classList.toggle("future", k > sel);
      b.classList.toggle("linked", how === "link" && k === sel);
    });
    document.querySelectorAll("#arrows .arrow, #arrows .skip, #canvas .msg-label, #canvas .pending-tag").forEach(function (g) {
      var from = g.dataset.from !== undefined ? g.dataset.from :
        (g.dataset.msg !== undefined ? t.arrows[g.dataset.msg].from : t.skips[g.dataset.skip].from);
      g.classList.toggle("future-arrow", Number(from) > sel);
    });
    var band = document.getElementById("rowband");
    band.style.display = "block"; band.style.top = (rowTop(sel) - 4) + "px";
    band.style.height = (sel === 0 ? G.h0 + 8 : G.row - 2) + "px";
    document.body.dataset.step = sel;
    panel(c, sel);
    if (how !== "resize") {
      try { history.replaceState(null, "", stepHash(sel)); } catch (e) { /* a file: URL may refuse */ }
    }
    var b = document.querySelector('.step[data-step="' + sel + '"]'), d = document.getElementById("diagram");
    if (b && how === "link") {         // a link: the step in the middle of the diagram

      d.scrollTop = Math.max(0, b.offsetTop + 30 - (d.clientHeight - b.offsetHeight) / 2);
      d.scrollLeft = Math.max(0, b.offsetLeft - (d.clientWidth - b.offsetWidth) / 2);
    } else if (b && b.scrollIntoView) {
      b.scrollIntoView({block: "nearest", inline: "nearest"});
    }
  }

  function show(i, step, how) {
    cur = i;
    var c = DATA.checks[i];
    document.body.dataset.check = i;
    header(c);
    if (!c.trace) { noTrace(c); return; }
    draw(c);
    select(step === undefined || step === null ? c.trace.steps.length - 1 : step, how);
  }

  function fromHash() {
    var m = /^#(?:check-(\d+))?\/?(?:step-(\d+))?/.exec(location.hash);
    if (!m || (m[1] === undefined && m[2] === undefined)) return false;
    var i = m[1] !== undefined ? Math.min(Number(m[1]), DATA.checks.length - 1) : cur;
    show(i, m[2] !== undefined ? Number(m[2]) : null, m[2] !== undefined ? "link" : undefined);
    return true;
  }

  document.getElementById("panel-toggle").addEventListener("click", function () {
    var off = document.body.classList.toggle("panel-off");
    this.textContent = off ? "⟨ state" : "⟩";
    this.title = off ? "show the state panel" : "hide the state panel";
    var c = DATA.checks[cur];
    if (c && c.trace) { draw(c); select(sel, "resize"); }
  });
  document.addEventListener("keydown", function (e) {
    var c = DATA.checks[cur];
    if (!c || !c.trace || (e.target && /^(INPUT|SELECT)$/.test(e.target.tagName))) return;
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
    if (c && c.trace) { draw(c); select(sel, "resize"); }
  });
  window.addEventListener("hashchange", fromHash);
  if (!DATA.checks.length) document.getElementById("head").textContent = "No checks were run.";
  else if (!fromHash()) show(Math.max(0, DATA.checks.findIndex(unmet)));   // a failure first
  document.body.dataset.ready = "1";
})();
"""
