"""--memory-limit: reaching it ends the search as "incomplete" (exit 3) with the statistics so far
and every report written, on both backends and in the fast backend's liveness pass; the default
is a share of physical memory, shown in the result header."""
import json
import os
import subprocess
import sys

import pytest

from checker.explicit.compile import compile_model
from checker.explicit.explore import Limits
from checker.explicit.fast import FastModel, available, liveness
from checker.explicit.memory import default_limit, format_bytes, parse_size, rss_bytes
from checker.run import build_model
from checker.spec import load_spec

from .conftest import ROOT, spec_path

HAS_CC = available()[0]


def cli(tmp_path, *argv):
    out = tmp_path / "r.json"
    r = subprocess.run([sys.executable, "-m", "checker", spec_path("async_inline.py"), "--check",
                        "async_inline", "--quiet", "--no-sanity", "--json", str(out), *argv],
                       cwd=ROOT, capture_output=True, text=True, timeout=600,
                       env={**os.environ, "PYTHONPATH": ROOT, "FLUSHCHECK_CACHE": str(tmp_path / "cache")})
    return r, (json.loads(out.read_text()) if out.exists() else None)


def test_sizes():
    assert parse_size("4G") == 4 * 2**30 and parse_size("512m") == 512 * 2**20
    assert parse_size("1.5GB") == 3 * 2**29 and parse_size("1000") == 1000
    assert parse_size("lots") is None and parse_size("-1G") is None and parse_size("0") is None
    assert format_bytes(4 * 2**30) == "4.0 GB"
    assert default_limit() is None or 0 < default_limit() < 2**50


@pytest.mark.parametrize("backend,limit", [("explicit", 260), pytest.param(
    "fast", 150, marks=pytest.mark.skipif(not HAS_CC, reason="no C compiler"))])
def test_memory_limit_is_incomplete_with_statistics_and_json(tmp_path, backend, limit):
    r, doc = cli(tmp_path, "--cpus", "4", "--backend", backend, "--memory-limit", f"{limit}M")
    assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr
    assert f"memory limit {limit}.0 MB" in r.stdout.splitlines()[0]           # the header
    assert f"incomplete: memory limit {limit}.0 MB reached after" in r.stdout
    c = doc["checks"][0]
    assert doc["exit_code"] == 3 and c["verdict"] == "incomplete" and c["stats"]["states"] > 10_000
    assert c["stopped_by"] == "memory_limit" and c["memory_limit"] == limit * 2**20
    assert c["reason"].startswith(f"memory limit {limit}.0 MB reached after")


@pytest.mark.skipif(not HAS_CC, reason="no C compiler")
def test_safety_holds_but_the_liveness_pass_reaches_the_limit(tmp_path):
    r, doc = cli(tmp_path, "--cpus", "4", "--backend", "fast", "--memory-limit", "260M")
    assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr
    c = doc["checks"][0]
    assert c["verdict"] == "incomplete" and c["stats"]["states"] == 5_379_731   # the safety search ran whole
    why = c["unchecked"]["flush_completes"]
    assert why.startswith("memory limit 260.0 MB reached after") and "(in the liveness pass)" in why
    assert c["stopped_by"] == "memory_limit" and "not checked: flush_completes — memory limit" in r.stdout


def test_default_limit_in_the_header(tmp_path):
    r, doc = cli(tmp_path, "--cpus", "2", "--backend", "explicit")
    assert r.returncode == 0, r.stdout + r.stderr
    want = default_limit()
    assert doc["checks"][0]["memory_limit"] == want
    if want:
        assert f"memory limit {format_bytes(want)}" in r.stdout.splitlines()[0]
    r, doc = cli(tmp_path, "--cpus", "2", "--backend", "explicit", "--memory-limit", "none")
    assert r.returncode == 0 and doc["checks"][0]["memory_limit"] is None
    assert "memory limit" not in r.stdout.splitlines()[0]


@pytest.mark.skipif(not HAS_CC, reason="no C compiler")
def test_the_liveness_pass_stops_at_the_limit():
    c = compile_model(build_model(load_spec(spec_path("async_inline.py"))[0], {"cpus": 3}))
    fm = FastModel.of(c, None)
    live = liveness(fm, Limits(memory=rss_bytes() + 4 * 2**20))
    assert live.trace is None and live.reason.startswith("memory limit")
    assert "(in the liveness pass)" in live.reason and 1000 < live.states < 84_771
    full = liveness(fm, Limits())
    assert full.trace is None and full.reason == "" and full.states == 84_771
