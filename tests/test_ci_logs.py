"""Output through a pipe or in a CI log: full width (no name or trace token cut or wrapped), and
no `\\r` progress lines even when FORCE_COLOR makes rich colour the log."""
import io
import json
import os
import re
import subprocess
import sys

from rich.console import Console

from .conftest import ROOT, spec_path

LONG = ("b12_kvm_pv_flush_shadow_unsync.py", "b18_kthread_use_mm_irqs_on.py",
        "v519_reclaim_flush_skipped.py")


def piped(*args, cwd, env=None):
    """The command line with stdout and stderr to pipes, as a CI runner captures them."""
    e = {**os.environ, "GITHUB_ACTIONS": "true", **(env or {})}
    e.pop("COLUMNS", None)
    e["PYTHONPATH"] = ROOT + os.pathsep + e.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True,
                          cwd=cwd, env=e, check=False)


def test_gate_table_keeps_every_name_whole_in_a_ci_log(tmp_path):
    (tmp_path / "specs" / "bugs").mkdir(parents=True)
    for name in LONG:
        with open(spec_path("bugs", name)) as f:
            (tmp_path / "specs" / "bugs" / name).write_text(f.read())
    p = piped("--gate", "specs", "--quiet", cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    table = [ln for ln in p.stdout.splitlines() if ln.startswith("│")]
    assert "…" not in p.stdout
    cells = [[c.strip() for c in row.strip("│").split("│")] for row in table]
    assert len(cells) >= 6 and all(len(c) == 8 for c in cells)   # one line per check: no wrapped rows
    for name in LONG:
        assert any(c[1] == f"specs/bugs/{name}" for c in cells)
    assert {"b12_kvm_pv_flush_shadow_unsync", "b18_kthread_use_mm_irqs_on", "v519_reclaim_flush_skipped"} \
        <= {c[0] for c in cells}
    assert all(c[7] == "yes" for c in cells) and ["violates no_stale_access", "violated no_stale_access"] \
        in [c[2:4] for c in cells]
    assert max(len(ln) for ln in p.stdout.splitlines()) > 80     # wider than rich's pipe default


def test_lanes_keep_every_token_whole_in_a_ci_log(tmp_path):
    """Three CPU lanes of long calls and changes: wider than 80 columns, printed whole."""
    p = piped(spec_path("bugs", "tlb_gen_partial_flush.py"), "--check", "partial_without_latest_gen",
              "--cpus", "3", "--lanes", "--quiet", "--json", "r.json", cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    trace = json.loads((tmp_path / "r.json").read_text())["checks"][0]["trace"]
    out = p.stdout
    for st in trace["states"][1:]:
        m = st["#meta"]
        call = m["action"] + ("(" + ", ".join(f"{k}={v}" for k, v in m["args"].items()) + ")"
                              if m["args"] else "")
        assert re.search(rf"(^|\s){re.escape(call)}(\s|$)", out, re.MULTILINE), call
    for st, prev in zip(trace["states"][1:], trace["states"]):   # every changed variable whole
        for var in trace["vars"]:
            if st[var] != prev[var] and var in ("mm_tlb_gen", "phase", "new_tlb_gen"):
                assert re.search(rf"(^|\s){var}(\[\d\])?: ", out, re.MULTILINE), var
    rows = [ln for ln in out.splitlines() if re.match(r"^\s+[1-9]\d*\s{2,}\w", ln)]
    assert len(rows) == len(trace["states"]) - 1           # each step's call on its own row
    assert max(len(ln) for ln in out.splitlines()) > 80
    assert "\r" not in out + p.stderr


def test_force_color_puts_no_carriage_returns_in_a_log():
    """FORCE_COLOR=1 makes rich treat a log as a terminal (colour); progress stays line by line."""
    from checker.cli import _progress
    from checker.result import Stats
    log = io.StringIO()
    err = Console(file=log, force_terminal=True)           # what FORCE_COLOR=1 gives on a pipe
    assert err.is_terminal
    show = _progress(err)
    for t in (1.0, 5.0, 12.0, 25.0):
        show(Stats(states=1000, depth=3, seconds=t))
    text = log.getvalue()
    assert "\r" not in text and text.count("\n") == 2 and "1,000 states" in text


def test_force_color_run_through_a_pipe(tmp_path):
    p = piped(spec_path("bugs", "free_before_ack.py"), cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert p.returncode == 1
    assert "\r" not in p.stdout + p.stderr
    assert "\x1b[" in p.stdout                              # coloured, as FORCE_COLOR asks
