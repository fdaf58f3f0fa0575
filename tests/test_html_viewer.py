"""The HTML trace viewer: its data (lanes, arrows, changes) and the page in headless Chromium."""
import json
import os
import random
import re
import shutil
import subprocess
import sys

import pytest

from checker.explicit.compile import compile_model
from checker.explicit.trace import build_trace
from checker.report.html import check_data, render_html, trace_data, write_html
from checker.report.lanes import KERNEL_MESSAGES, Message, derive_messages
from checker.result import CheckResult, Verdict, Violation
from checker.run import build_model, run_check
from checker.spec import load_spec

from .conftest import ROOT, spec_path

NMI = spec_path("bugs", "async_no_nmi_block.py")


def result(path, name=None):
    checks = load_spec(path)
    c = next(c for c in checks if name is None or c.name == name)
    return run_check(path, c)


@pytest.fixture(scope="module")
def nmi_stale():
    return result(NMI, "nmi_reads_freed_frame")


def walk_result(steps=60, cpus=4, seed=5):
    """A real 60-step interleaving of async_inline at 4 CPUs (a random walk biased to the flush)."""
    c = load_spec(spec_path("async_inline.py"))[0]
    m = build_model(c, {"cpus": cpus, "rounds": 3})
    cm = compile_model(m)
    rng = random.Random(seed)
    flush = {"ipi_send", "ipi_entry", "csd_unlock", "csd_lock_wait", "flush_tlb_func", "inc_mm_tlb_gen",
             "munmap", "madvise_dontneed", "free_pgtables", "flush_tlb_func_local", "tlb_finish_mmu",
             "pte_alloc", "do_anonymous_page"}
    while True:
        s = cm.layout.initial()
        path, via = [s], []
        while len(via) < steps:
            nxt = cm.successors(s)
            if not nxt:
                break
            pref = [x for x in nxt if cm.instances[x[0]].action.name in flush]
            k, s = rng.choice(pref if pref and rng.random() < 0.7 else nxt)
            path.append(s)
            via.append(k)
        if len(via) == steps:
            break
    v = Violation("no_stale_access", "no access goes through a TLB entry whose frame was freed",
                  (("CPU", 2), ("Page", 0)))
    t = build_trace(cm, path, via, v)
    return CheckResult("walk60", "specs/async_inline.py", "async_inline", dict(m.params),
                       Verdict.VIOLATED, "explicit", violation=v, trace=t)


# ------------------------------------------------------------------ data, no browser

def test_messages_of_a_real_trace(nmi_stale):
    arrows = derive_messages(nmi_stale.trace)
    # ipi_send(t=1) by CPU 0 at #4 -> ipi_entry(t=1) on CPU 1 at #6; csd_unlock at #7 -> csd_lock_wait at #8
    assert [(a.kind, a.from_step, a.from_lane, a.to_step, a.to_lane) for a in arrows] == \
        [("ipi", 4, 0, 6, 1), ("ack", 7, 1, 8, 0)]


def test_in_flight_ipi_when_the_initiator_does_not_wait():
    r = result(spec_path("bugs", "free_before_ack.py"))
    arrows = derive_messages(r.trace)
    assert [(a.kind, a.from_step, a.to_step, a.to_lane) for a in arrows] == [("ipi", 5, None, 1)]


def test_message_rules_are_data_a_protocol_can_extend(nmi_stale):
    extra = KERNEL_MESSAGES + (Message("fill", "tlb_fill", "tlb_finish_mmu", label="fill"),)
    kinds = [a.kind for a in derive_messages(nmi_stale.trace, extra)]
    assert kinds.count("fill") == 1 and len(kinds) == 3
    assert derive_messages(nmi_stale.trace, ()) == []


def test_trace_data_flattens_state_and_marks_changes(nmi_stale):
    d = trace_data(nmi_stale.trace)
    assert d["lanes"] == ["CPU 0", "CPU 1"] and d["other_lane"] is None and d["witness_lane"] == 1
    last = d["steps"][-1]
    assert last["call"] == "nmi_uaccess(c=1, p=0)" and last["lane"] == 1
    assert {d["elements"][k] for k in last["changed"]} == {"stale_access[1][0]"}
    assert all(len(s["values"]) == len(d["elements"]) for s in d["steps"])


def test_page_is_self_contained_and_cannot_be_broken_by_its_data(nmi_stale, tmp_path):
    r = result(NMI, "nmi_reads_freed_frame")
    r.check = "</script><script>alert(1)</script>"
    page = render_html([r])
    assert page.count("<script") == 2 and "alert(1)</script>" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the page must load nothing"
    data = page.split('id="flushcheck-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(data)["checks"][0]["check"] == r.check


def test_cli_writes_html_and_lanes_without_colour_when_piped(tmp_path):
    out = tmp_path / "t.html"
    p = subprocess.run([sys.executable, "-m", "checker", spec_path("bugs", "free_before_ack.py"),
                        "--lanes", "--html", str(out)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert p.returncode == 1, p.stderr
    assert "\x1b[" not in p.stdout
    assert "IPI → CPU 1 (still in flight)" in p.stdout and "✗ no_stale_access" in p.stdout
    header = p.stdout.split("counterexample", 1)[1].splitlines()[2]
    assert "CPU 0" in header and "CPU 1" in header
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_lanes_are_coloured_on_a_terminal(nmi_stale):
    from io import StringIO

    from rich.console import Console

    from checker.report.lanes import report_lanes
    buf = StringIO()
    report_lanes(nmi_stale, Console(file=buf, force_terminal=True, width=120))
    assert "\x1b[" in buf.getvalue()
    assert "← IPI from CPU 0 (#4)" in re.sub(r"\x1b\[[0-9;]*m", "", buf.getvalue())


# ------------------------------------------------------------------ the page in Chromium

def _browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


@pytest.fixture(scope="module")
def browser():
    exe, driver = _browser(), shutil.which("chromedriver")
    if exe is None or driver is None:
        pytest.skip("no headless browser installed: needs Debian's chromium and chromium-driver "
                    "(apt-get install chromium chromium-driver; .ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = exe
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1400,900", "--force-device-scale-factor=1"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(options=opts, service=Service(driver))
    yield d
    d.quit()


def _open(browser, path):
    browser.get(path.as_uri())
    assert browser.execute_script("return document.body.dataset.ready") == "1"
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == [], errors


def _changed(browser):
    return {e.get_attribute("data-el") for e in browser.find_elements("css selector", "#panel .val.changed")}


def test_viewer_in_chromium(browser, nmi_stale, tmp_path):
    from selenium.webdriver.common.keys import Keys
    page = tmp_path / "trace.html"
    write_html(str(page), [nmi_stale])
    _open(browser, page)
    def css(sel):
        return browser.find_elements("css selector", sel)
    assert len(css(".lane")) == 2 and [e.text for e in css(".lanehead div")] == ["CPU 0", "CPU 1 ✗"]
    steps = css(".step")
    assert len(steps) == len(nmi_stale.trace) + 1 == 11          # the initial state and 10 steps
    for s in steps[1:]:                                          # each step in its CPU's lane
        n = int(s.get_attribute("data-step"))
        lane = css(f'.lane[data-lane="{nmi_stale.trace.steps[n].actor}"]')[0]
        assert lane.rect["x"] <= s.rect["x"] and s.rect["x"] + s.rect["width"] <= lane.rect["x"] + lane.rect["width"]
    assert [s.rect["y"] for s in steps] == sorted(s.rect["y"] for s in steps)
    arrows = css("#arrows .arrow")
    assert sorted(a.get_attribute("data-kind") for a in arrows) == ["ack", "ipi"]
    head = browser.find_element("css selector", "#head").text
    for text in ("violated", "nmi_reads_freed_frame", "async_no_nmi_block.py", "async_inline", "cpus=2",
                 "522 distinct states", "no_stale_access", "witness CPU=1, Page=0"):
        assert text in head, text
    # the end: the violation and its witness, the last step selected
    assert "no_stale_access" in browser.find_element("css selector", "#violation").text
    assert browser.execute_script("return document.body.dataset.step") == "10"
    assert "no_stale_access" in browser.find_element("css selector", "#banner").text
    assert _changed(browser) == {"stale_access[1][0]"}
    assert {e.get_attribute("data-el") for e in css("#panel .val.witness")} >= {"stale_access[1][0]"}
    browser.save_screenshot(str(tmp_path / "viewer-last-step.png"))
    # stepping back with the keyboard moves the selection and the highlighted state
    body = browser.find_element("tag name", "body")
    body.send_keys(Keys.ARROW_LEFT)
    assert browser.execute_script("return document.body.dataset.step") == "9"
    assert _changed(browser) == {"frame[0]", "phase"}   # tlb_finish_mmu frees the frame under the entry
    assert css("#banner") == []
    body.send_keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    assert browser.execute_script("return document.body.dataset.step") == "7"
    assert _changed(browser) == {"csd_locked[1]", "irq[1]"}
    assert "selected" in css('.step[data-step="7"]')[0].get_attribute("class")
    shot = tmp_path / "viewer.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 20_000
    body.send_keys(Keys.END)
    assert browser.execute_script("return document.body.dataset.step") == "10"
    body.send_keys(Keys.ARROW_RIGHT)                              # stays at the end
    assert browser.execute_script("return document.body.dataset.step") == "10"
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_viewer_readable_at_60_steps_and_4_cpus(browser, tmp_path):
    r = walk_result()
    page = tmp_path / "walk.html"
    write_html(str(page), [r])
    _open(browser, page)
    def css(sel):
        return browser.find_elements("css selector", sel)
    assert len(css(".lane")) == 4
    steps = css(".step")
    assert len(steps) == 61
    rects = [(s.rect["x"], s.rect["y"], s.rect["width"], s.rect["height"]) for s in steps]
    for i, (x, y, w, h) in enumerate(rects):                     # no two steps overlap
        assert w >= 150 and h >= 18
        for x2, y2, w2, h2 in rects[i + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
    assert len(css("#arrows .arrow")) == len([a for a in derive_messages(r.trace)
                                                if a.to_step is not None or a.to_lane is not None])
    diagram = browser.find_element("css selector", "#diagram")
    assert browser.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth", diagram)
    # labels fit their boxes: no step's text is cut off
    assert browser.execute_script(
        "return [...document.querySelectorAll('.step')].filter(b => b.scrollWidth > b.clientWidth + 1).length") == 0
    from selenium.webdriver.common.keys import Keys
    browser.find_element("tag name", "body").send_keys(*[Keys.ARROW_LEFT] * 30)
    assert browser.execute_script("return document.body.dataset.step") == "30"
    browser.save_screenshot(str(tmp_path / "walk60.png"))


def test_multiple_checks_and_a_holding_check_in_one_page(browser, tmp_path):
    rs = [result(NMI, "nmi_reads_freed_frame"), result(spec_path("baseline.py"))]
    page = tmp_path / "two.html"
    write_html(str(page), rs)
    _open(browser, page)
    tabs = browser.find_elements("css selector", ".tabs button")
    assert [t.text for t in tabs] == ["nmi_reads_freed_frame", "baseline"]
    tabs[1].click()
    assert "holds" in browser.find_element("css selector", "#head").text
    assert browser.find_elements("css selector", ".step") == []
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


if os.environ.get("FLUSHCHECK_SCREENSHOT"):  # refresh docs/viewer.png: FLUSHCHECK_SCREENSHOT=1 pytest -k docs
    def test_docs_screenshot(browser, nmi_stale, tmp_path):
        import dataclasses

        from selenium.webdriver.common.keys import Keys
        page = tmp_path / "trace.html"
        write_html(str(page), [dataclasses.replace(nmi_stale, spec=os.path.relpath(nmi_stale.spec, ROOT))])
        _open(browser, page)
        browser.find_element("tag name", "body").send_keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT, Keys.ARROW_LEFT)
        browser.save_screenshot(os.path.join(ROOT, "docs", "viewer.png"))


def test_lasso_traces_show_where_the_loop_returns(nmi_stale):
    import dataclasses
    from io import StringIO

    from rich.console import Console

    from checker.report.lanes import render_lanes
    t = dataclasses.replace(nmi_stale.trace, loop_start=3)
    buf = StringIO()
    Console(file=buf, width=120).print(render_lanes(t))
    n = len(t.steps) - 1
    out = " ".join(buf.getvalue().split())   # the table may wrap the closing line
    assert f"⟲ the loop: steps 4–{n} repeat forever" in out
    assert f"back to the state after step 3: steps 4–{n} again, forever" in out
    assert out.index("⟲ the loop") > out.index("3 ")   # on step 4's row, not on step 3's
    assert trace_data(t)["loop_start"] == 3


# ------------------------------------------------------------------ issue 14: lassos, pending and
# skipped messages, counterexamples to induction, narrow windows, links, gate pages

@pytest.fixture(scope="module")
def lasso():
    """GUP-fast re-entered with IRQs off starves the flush IPI (tests/test_liveness.py), as
    `python -m checker specs/baseline.py --cpus 2 --set gup_fast=true --set ipi_fair=weak` finds it."""
    from checker.run import RunOptions
    path = spec_path("baseline.py")
    return run_check(path, load_spec(path)[0], RunOptions({"cpus": 2, "gup_fast": True, "ipi_fair": "weak"}))


@pytest.fixture(scope="module")
def inflight3():
    from checker.run import RunOptions
    path = spec_path("bugs", "free_before_ack.py")
    return run_check(path, load_spec(path)[0], RunOptions({"cpus": 3}))


@pytest.fixture(scope="module")
def b1():
    return result(spec_path("bugs", "b1_lazy_cpu_table_free.py"), "b1_lazy_cpu_table_free")


@pytest.fixture(scope="module")
def b5():
    return result(spec_path("bugs", "b5_switch_mm_barrier.py"), "b5_switch_mm_barrier")


@pytest.fixture(scope="module")
def cti():
    """async_inline without the NMI block: no_stale_access is not inductive (tests/test_prove.py)."""
    from checker.run import RunOptions
    path = spec_path("async_inline.py")
    return run_check(path, load_spec(path)[0], RunOptions({"cpus": 3, "nmi_block": False}, prove=True))


def test_lasso_data_names_the_repeating_steps_and_the_ipi_never_received(lasso):
    t = lasso.trace
    d = trace_data(t)
    loop = d["loop"]
    assert loop == {"back_to": t.loop_start, "first": t.loop_start + 1, "last": len(t)}
    assert [s["action"] for s in d["steps"][loop["first"]:loop["last"] + 1]] == ["gup_fast_begin", "gup_fast_end"]
    send = d["steps"][loop["back_to"]]
    assert send["call"] == "ipi_send(t=1)"          # the step before the loop: the IPI that never arrives
    assert [(a["kind"], a["from"], a["to"], a["to_lane"]) for a in d["arrows"]] == [("ipi", loop["back_to"], None, 1)]


def test_skips_say_why_the_ipi_was_not_sent(b1, b5):
    (s1,) = trace_data(b1.trace)["skips"]
    assert (s1["from"], s1["from_lane"], s1["to_lane"]) == (7, 0, 1)
    assert s1["why"] == "lazy, though tables were freed"          # B1: tlb_is_not_lazy with freed tables
    (s5,) = trace_data(b5.trace)["skips"]
    assert (s5["from"], s5["to_lane"], s5["why"]) == (10, 1, "not in mm_cpumask")
    assert "store buffer" in s5["detail"]                           # B5: cpumask_set_cpu not yet visible


def test_cti_data_knows_it_is_not_the_initial_state(cti):
    d = check_data(cti)
    assert d["trace"]["kind"] == "cti" and d["solver"]
    assert d["figures"].startswith("Z3 · k ") and "distinct states" not in d["figures"]
    assert d["trace"]["differs"] == ["pte[0]", "frame[0]", "tlb[2][0]", "mm_tlb_gen", "phase", "freed_tables",
                                     "irq[2]"]
    assert d["trace"]["violation"]["invariant"] == "no_stale_access"


def _page(browser, tmp_path, results, name, width=1400, height=900, fragment=""):
    page = tmp_path / f"{name}.html"
    write_html(str(page), results if isinstance(results, list) else [results])
    browser.set_window_size(width, height)
    browser.get(page.as_uri() + fragment)
    assert browser.execute_script("return document.body.dataset.ready") == "1"
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == [], errors
    return page


@pytest.fixture
def window(browser):
    yield browser
    browser.set_window_size(1400, 900)


def _boxes(browser):
    """Every step box as (step, left, top, right, bottom) in the canvas's coordinates."""
    return browser.execute_script(
        "return [...document.querySelectorAll('.step')].map(b => [Number(b.dataset.step), b.offsetLeft, "
        "b.offsetTop, b.offsetLeft + b.offsetWidth, b.offsetTop + b.offsetHeight])")


def test_lasso_bracket_covers_exactly_the_repeating_steps(window, lasso, tmp_path):
    browser = window
    _page(browser, tmp_path, lasso, "lasso", 1100, 800)
    t = lasso.trace
    first, last = t.loop_start + 1, len(t)
    top, bottom, f, la = browser.execute_script(
        "var g = document.getElementById('loop'), r = g.getBBox(); "
        "return [r.y, r.y + r.height, Number(g.dataset.first), Number(g.dataset.last)]")
    assert (f, la) == (first, last)
    boxes = {n: (t0, b0) for n, _, t0, _, b0 in _boxes(browser)}
    assert abs(top - boxes[first][0]) <= 1.5 and abs(bottom - boxes[last][1]) <= 1.5
    inside = [n for n, (t0, b0) in boxes.items() if t0 < bottom and b0 > top]
    assert inside == list(range(first, last + 1))                  # ipi_send (#loop_start) is not in it
    dashed = [int(e.get_attribute("data-step")) for e in browser.find_elements("css selector", ".step.loop")]
    assert dashed == list(range(first, last + 1))
    banner = browser.find_element("css selector", "#banner").text
    assert f"the steps #{first}–#{last} repeat forever" in banner and f"the one after #{t.loop_start}" in banner
    assert f"from #{t.loop_start} on" not in banner
    # the IPI that is never delivered (the whole bug) is drawn, labelled in full, as pending
    (pend,) = browser.find_elements("css selector", "#arrows .arrow.pending")
    assert pend.get_attribute("data-from") == str(t.loop_start) and pend.get_attribute("data-to-lane") == "1"
    tag = browser.find_element("css selector", ".pending-tag").text
    assert "IPI pending" in tag and f"from CPU 0 (#{t.loop_start})" in tag and "never delivered" in tag
    assert browser.find_element("css selector", ".pending-label").text == "IPI from CPU 0 · never delivered"


_OVERLAPS = r"""
var boxes = [...document.querySelectorAll('.step')].map(b => ({n: b.dataset.step, x: b.offsetLeft,
  y: b.offsetTop, w: b.offsetWidth, h: b.offsetHeight}));
function inside(x, y) { return boxes.filter(r => x > r.x + 1 && x < r.x + r.w - 1 && y > r.y + 1 && y < r.y + r.h - 1)
                                    .map(r => r.n); }
var bad = [];
var cv = document.getElementById('canvas').getBoundingClientRect();
// lines, arrowheads, marks: points along each, in the canvas's (= the svg's) coordinates
document.querySelectorAll('#arrows path, #arrows polyline, #arrows circle').forEach(function (e) {
  if (e.closest('marker') || e.closest('#loop')) return;
  var len = e.getTotalLength();
  for (var d = 0; d <= len; d += 1) {
    var p = e.getPointAtLength(d), hit = inside(p.x, p.y);
    if (hit.length) { bad.push([e.closest('g').getAttribute('class'), e.getAttribute('class'), hit]); break; }
  }
});
// labels and tags: their boxes
document.querySelectorAll('#arrows text, .msg-label, .pending-tag').forEach(function (e) {
  var r = e.getBoundingClientRect(), x = r.left - cv.left, y = r.top - cv.top;
  if (!r.width) return;
  boxes.forEach(function (b) {
    if (x < b.x + b.w - 0.5 && b.x < x + r.width - 0.5 && y < b.y + b.h - 0.5 && b.y < y + r.height - 0.5)
      bad.push([e.getAttribute('class'), e.textContent, b.n]);
  });
});
return bad;
"""

_OUT_OF_LANES = r"""
var lanes = [...document.querySelectorAll('.lane')].map(l => [l.offsetLeft, l.offsetLeft + l.offsetWidth]);
var cv = document.getElementById('canvas').getBoundingClientRect(), bad = [];
function within(x1, x2, ls) { return ls.some(l => x1 >= lanes[l][0] - 1 && x2 <= lanes[l][1] + 1); }
document.querySelectorAll('#arrows .arrow.pending, #arrows .skip').forEach(function (g) {
  var ls = [Number(g.dataset.fromLane), Number(g.dataset.toLane)];
  g.querySelectorAll('path, polyline, circle').forEach(function (e) {
    var b = e.getBBox();
    if (!within(b.x, b.x + b.width, ls)) bad.push([g.getAttribute('class'), e.getAttribute('class'), b.x, b.width]);
  });
});
document.querySelectorAll('.msg-label, .pending-tag').forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (!within(r.left - cv.left, r.right - cv.left, [Number(e.dataset.lane)])) bad.push([e.className, e.textContent]);
});
return bad;
"""


@pytest.mark.parametrize("case,width", [("lasso", 1100), ("inflight3", 1100), ("inflight3", 1600), ("b1", 1100),
                                        ("b5", 1600), ("nmi_stale", 1100), ("walk", 1100), ("walk", 1600)])
def test_no_message_overlaps_a_step_box(window, request, tmp_path, case, width):
    r = walk_result() if case == "walk" else request.getfixturevalue(case)
    _page(window, tmp_path, r, case, width, 800)
    assert window.execute_script(_OVERLAPS) == []
    assert window.execute_script(_OUT_OF_LANES) == []      # pending and skipped messages stay in their two lanes


def test_in_flight_ipis_look_undelivered(window, inflight3, tmp_path):
    browser = window
    _page(browser, tmp_path, inflight3, "inflight", 1100, 800)
    pend = browser.find_elements("css selector", "#arrows .arrow.pending")
    assert [(p.get_attribute("data-from"), p.get_attribute("data-to-lane")) for p in pend] == [("5", "1"), ("6", "2")]
    # each ends in an open arrowhead at its receiver's lane edge, marked pending, and a tag after the last step
    lanes = {int(e.get_attribute("data-lane")): e.rect for e in browser.find_elements("css selector", ".lane")}
    for p, lane in zip(pend, (1, 2)):
        head = p.find_element("css selector", "polyline.head")
        assert head.get_attribute("fill") == "#fff"                 # open, not a delivered arrow's filled head
        assert abs(head.rect["x"] - lanes[lane]["x"]) <= 2
    assert [e.text for e in browser.find_elements("css selector", ".pending-label")] == \
        ["IPI from CPU 0 · pending", "IPI from CPU 0 · pending"]
    tags = browser.find_elements("css selector", ".pending-tag")
    assert [t.get_attribute("data-lane") for t in tags] == ["1", "2"]
    assert all("not received by the end" in t.text for t in tags)
    last = browser.find_element("css selector", '.step[data-step="9"]').rect
    assert all(t.rect["y"] >= last["y"] + last["height"] for t in tags)   # after the violating user_access


def test_ipi_skip_is_marked_towards_the_skipped_cpu(window, b1, b5, tmp_path):
    browser = window
    for r, step, why in ((b5, 10, "not in mm_cpumask"), (b1, 7, "lazy, though tables were freed")):
        _page(browser, tmp_path, r, r.check, 1100, 800)
        (g,) = browser.find_elements("css selector", "#arrows .skip")
        assert (g.get_attribute("data-from"), g.get_attribute("data-to-lane")) == (str(step), "1")
        lab = browser.find_element("css selector", ".skip-label")
        assert lab.text == "IPI to CPU 1 not sent: " + why
        lane = browser.find_element("css selector", '.lane[data-lane="1"]').rect
        box = browser.find_element("css selector", f'.step[data-step="{step}"]').rect
        assert lane["x"] <= lab.rect["x"] and abs(lab.rect["y"] - box["y"]) <= 1    # in CPU 1's lane, on its row
        browser.find_element("css selector", f'.step[data-step="{step}"]').click()
        assert why in browser.find_element("css selector", "#panel .msgs").text


def test_cti_is_labelled_as_an_arbitrary_state_with_its_differences(window, cti, tmp_path):
    browser = window
    _page(browser, tmp_path, cti, "cti", 1400, 900, "#step-0")
    head = browser.find_element("css selector", "#head").text
    assert "Z3 · k 3 · " in head and "backend smt (induction)" in head
    for junk in ("distinct states", "states/s", "peak", "symmetry"):
        assert junk not in head, junk
    assert "broken by the step of the counterexample to induction" in head
    box = browser.find_element("css selector", '.step[data-step="0"]')
    assert box.text.startswith("pre-state: any state that satisfies every invariant of the proof")
    assert "initial state" not in box.text.split(";")[0]
    assert "differs from the initial state in pte[0]=none, frame[0]=free" in box.text
    assert browser.find_element("css selector", "#panel h2").text == "Pre-state (not the initial state)"
    differs = ["pte[0]", "frame[0]", "tlb[2][0]", "mm_tlb_gen", "phase", "freed_tables", "irq[2]"]
    assert [e.text.split("=")[0] for e in browser.find_elements("css selector", "#differs code")] == differs
    assert sorted(e.get_attribute("data-el") for e in browser.find_elements("css selector", "#panel .val.differs")) \
        == sorted(differs)
    assert "pre-state: differs from the initial state" in browser.find_element("css selector", "#legend").text


def test_four_lanes_at_1100px_fit_and_the_panel_collapses(window, tmp_path):
    browser = window
    r = walk_result()
    _page(browser, tmp_path, r, "walk", 1100, 800)
    diagram = browser.find_element("css selector", "#diagram")
    assert browser.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth", diagram)
    assert browser.execute_script(
        "return [...document.querySelectorAll('.step')].filter(b => b.scrollWidth > b.clientWidth + 1 || "
        "b.scrollHeight > b.clientHeight + 1).map(b => b.textContent)") == []
    lanes = browser.execute_script(
        "return [...document.querySelectorAll('.lane')].map(l => [l.offsetLeft, l.offsetLeft + l.offsetWidth])")
    for n, left, _, right, _ in _boxes(browser)[1:]:            # every box inside its lane
        lane = lanes[r.trace.steps[n].actor]
        assert lane[0] < left and right < lane[1]
    before = browser.find_element("css selector", ".lane").rect["width"]
    panel = browser.find_element("css selector", "#panel").rect["width"]
    browser.find_element("css selector", "#panel-toggle").click()
    assert browser.find_element("css selector", "#panel").rect["width"] < 40 < panel
    assert browser.find_element("css selector", ".lane").rect["width"] > before
    browser.find_element("css selector", "#panel-toggle").click()
    assert browser.find_element("css selector", "#panel").rect["width"] == panel


def test_legend_explains_the_red_outlines(window, nmi_stale, tmp_path):
    _page(window, tmp_path, nmi_stale, "legend")
    lg = window.find_element("css selector", "#legend").text
    assert "red outline: the step that breaks no_stale_access, the witness (CPU=1, Page=0)" in lg
    assert "changed by the selected step" in lg and "message received" in lg


def test_a_link_to_a_step_scrolls_to_it_and_highlights_it(window, tmp_path):
    from selenium.webdriver.common.keys import Keys
    browser = window
    page = _page(browser, tmp_path, walk_result(), "walk", 1100, 700, "#step-50")
    assert browser.execute_script("return document.body.dataset.step") == "50"
    box = browser.find_element("css selector", '.step[data-step="50"]')
    assert {"selected", "linked"} <= set(box.get_attribute("class").split())
    d = browser.find_element("css selector", "#diagram").rect
    assert d["y"] + 30 <= box.rect["y"] and box.rect["y"] + box.rect["height"] <= d["y"] + d["height"]
    browser.get(page.as_uri() + "#step-7")                       # a new link in the open page
    assert browser.execute_script("return document.body.dataset.step") == "7"
    browser.find_element("tag name", "body").send_keys(Keys.ARROW_RIGHT)
    assert browser.execute_script("return location.hash") == "#step-8"   # the address bar links the selection
    assert "linked" not in browser.find_element("css selector", '.step[data-step="8"]').get_attribute("class")


def test_gate_page_shows_the_failures_only(window, nmi_stale, tmp_path):
    import dataclasses
    browser = window
    ok = result(spec_path("baseline.py"))
    unmet = dataclasses.replace(nmi_stale, check="unexpected", expect="holds")
    _page(browser, tmp_path, [nmi_stale, ok, unmet], "gate3")
    assert browser.execute_script("return document.body.dataset.check") == "2"     # opens on the failure
    browser.find_element("css selector", "#failures-only").click()
    shown = [b.text for b in browser.find_elements("css selector", ".tabs button") if b.is_displayed()]
    assert shown == ["unexpected"]
    # a gate page of many checks: a drop-down, filtered the same way
    many = [dataclasses.replace(ok, check=f"ok{i}") for i in range(14)] + [unmet]
    _page(browser, tmp_path, many, "gate15", fragment="#check-3")
    assert browser.execute_script("return document.body.dataset.check") == "3"
    opts = browser.find_elements("css selector", "#check-select option")
    assert len(opts) == 15
    assert "4 of 15 · 14 of 15 met their expectation" in browser.find_element("css selector", "#head").text
    browser.find_element("css selector", "#failures-only").click()
    opts = browser.find_elements("css selector", "#check-select option")
    assert [o.text.split(" (")[0] for o in opts] == ["✗ unexpected — violated, expected holds"]
    assert browser.execute_script("return document.body.dataset.check") == "14"
    assert "failures only (1 of 15)" in browser.find_element("css selector", "#head").text


# refresh docs/viewer_*.png: FLUSHCHECK_SCREENSHOT=1 pytest tests/test_html_viewer.py -k docs_screenshots
# (then, to keep them small: convert F -colors 256 PNG8:F)
if os.environ.get("FLUSHCHECK_SCREENSHOT"):
    @pytest.mark.parametrize("case,name,size,fragment", [
        ("lasso", "viewer_lasso.png", (1100, 760), ""),
        ("inflight3", "viewer_inflight.png", (1100, 760), ""),
        ("b5", "viewer_ipi_skip.png", (1100, 860), "#step-10"),
        ("cti", "viewer_cti.png", (1600, 660), "#step-0"),
    ])
    def test_docs_screenshots(window, request, tmp_path, case, name, size, fragment):
        import dataclasses
        r = request.getfixturevalue(case)
        r = dataclasses.replace(r, spec=os.path.relpath(r.spec, ROOT))
        _page(window, tmp_path, r, case, *size, fragment)
        window.execute_script("document.querySelectorAll('.linked').forEach(b => b.classList.remove('linked'));"
                              "document.getElementById('diagram').scrollTop = 0")
        window.save_screenshot(os.path.join(ROOT, "docs", name))


def test_a_witness_is_shown_as_reached_not_violated(window, tmp_path):
    from checker.run import RunOptions
    path = spec_path("bugs", "async_no_nmi_block.py")
    r = run_check(path, load_spec(path)[0], RunOptions(witness="nmi_in_flush_window"))
    assert r.trace.kind == "witness"
    _page(window, tmp_path, r, "witness")
    head = window.find_element("css selector", "#head").text
    assert "✓ nmi_in_flush_window reached in the last state" in head and "✗" not in head
    assert window.find_element("css selector", "#violation").text == "✓ nmi_in_flush_window reached"
    assert window.find_elements("css selector", ".step.last-bad") == []
