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
from checker.report.html import render_html, trace_data, write_html
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
                        "--lanes", "--html", str(out)], capture_output=True, text=True, cwd=ROOT)
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
    css = lambda sel: browser.find_elements("css selector", sel)  # noqa: E731
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
    css = lambda sel: browser.find_elements("css selector", sel)  # noqa: E731
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
        from selenium.webdriver.common.keys import Keys
        page = tmp_path / "trace.html"
        write_html(str(page), [nmi_stale])
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
    assert "⟲ loop starts here" in buf.getvalue() and "back to step 3" in buf.getvalue()
    assert trace_data(t)["loop_start"] == 3
