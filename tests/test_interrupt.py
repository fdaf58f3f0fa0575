"""Ctrl-C (SIGINT) or SIGTERM mid-search: the statistics so far, verdict "incomplete", the
reports written (--json says why), exit 3 — on both backends."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from checker.explicit.fast import available

from .conftest import ROOT, finish, interruptible, spec_path


def interrupted_run(tmp_path, backend, sig, cpus):
    out = tmp_path / "r.json"
    p = interruptible([sys.executable, "-m", "checker", spec_path("async_inline.py"), "--check",
                       "async_inline", "--cpus", str(cpus), "--backend", backend, "--no-sanity",
                       "--json", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                      text=True, env={**os.environ, "PYTHONPATH": ROOT})
    # wait for the search's first progress line (states explored), then interrupt it
    deadline = time.monotonic() + 120
    line = ""
    while "states" not in line and time.monotonic() < deadline:
        line = p.stderr.readline()
    time.sleep(0.5)
    p.send_signal(sig)
    stdout, stderr = finish(p, 120)
    return p.returncode, stdout, stderr, (json.loads(out.read_text()) if out.exists() else None)


@pytest.mark.parametrize("backend,sig", [
    ("explicit", signal.SIGINT),
    pytest.param("fast", signal.SIGINT, marks=pytest.mark.skipif(not available()[0], reason="no cc")),
    pytest.param("fast", signal.SIGTERM, marks=pytest.mark.skipif(not available()[0], reason="no cc"))])
def test_interrupt_is_incomplete_with_statistics(tmp_path, backend, sig):
    code, stdout, stderr, doc = interrupted_run(tmp_path, backend, sig, 5 if backend == "fast" else 4)
    assert code == 3 and "Traceback" not in stderr, stderr
    assert "incomplete: interrupted after" in stdout and "distinct states" in stdout
    c = doc["checks"][0]
    assert doc["exit_code"] == 3 and c["verdict"] == "incomplete" and c["stopped_by"] == "interrupted"
    assert c["stats"]["states"] > 1000 and c["reason"].startswith("interrupted after")
