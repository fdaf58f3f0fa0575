"""Faults during a run (issue 12): a full disk, a killed build, a corrupt or unsafe build cache,
a spec that exits or hangs, a closed pipe, running out of memory. Each ends with the documented
exit code and one located line — never a traceback, a lost report or a silent verdict."""
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from checker.cli import main
from checker.explicit.compile import compile_model
from checker.explicit.fast import FastModel
from checker.explicit.fast.build import cache_dir, clean_stale_builds
from checker.run import build_model
from checker.spec import load_spec

from .conftest import ROOT, finish, interruptible, spec_path

HEAD = "from checker.spec import Check\nfrom tests.fixtures.toy import toy\n"
OK = HEAD + "CHECK = Check(toy('ok'), deadlock=False)\n"
BUG = spec_path("bugs", "free_before_ack.py")
SYNC = os.path.join(ROOT, "benchmarks", "sync_shootdown.py")
HAS_CC = shutil.which("cc") is not None


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, out.out, out.err.strip()


def spec(tmp_path, name="ok.py", text=OK):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def cli(*argv, env=None, **kw):
    """`python -m checker ARGV` in a child process, from the repository root."""
    e = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "checker", *argv], cwd=ROOT, env=e,
                          capture_output=True, text=True, timeout=300, **kw)


# ---------------------------------------------------------------- reports on a full disk

def test_a_failed_report_is_exit_2_and_the_others_are_still_written(tmp_path, capsys):
    s = spec(tmp_path)
    html = tmp_path / "r.html"
    code, _, err = run([s, "--quiet", "--json", "/dev/full", "--html", str(html)], capsys)
    assert code == 2
    assert err == "error: cannot write --json /dev/full: No space left on device; the previous " \
                  "report, if any, is unchanged"
    assert html.read_text().startswith("<!DOCTYPE html>")


def test_disk_full_keeps_the_previous_report(tmp_path, capsys, monkeypatch):
    s = spec(tmp_path)
    out = tmp_path / "r.json"
    assert run([s, "--quiet", "--json", str(out)], capsys)[0] == 0
    good = out.read_text()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr("checker.report.write.os.fsync", full)
    code, _, err = run([s, "--quiet", "--json", str(out)], capsys)
    assert code == 2 and f"cannot write --json {out}: No space left on device" in err
    assert out.read_text() == good                       # not truncated
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.py", "r.json"]   # no temp file left


@pytest.fixture
def tiny_fs(tmp_path):
    """A 64 KiB tmpfs (needs root and mount rights; skipped elsewhere)."""
    d = tmp_path / "tiny"
    d.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(d)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield d
    subprocess.run(["umount", str(d)], check=True)


def test_really_full_disk(tiny_fs, tmp_path, capsys):
    s = spec(tmp_path)
    old = tiny_fs / "r.html"
    old.write_text("the previous good report\n")
    with open(tiny_fs / "filler", "wb") as f:            # leave a few KiB: too little for the viewer
        try:
            f.write(b"x" * (60 << 10))
        except OSError:
            pass
    code, _, err = run([s, "--quiet", "--html", str(old), "--json", str(tmp_path / "r.json")], capsys)
    assert code == 2 and f"cannot write --html {old}: No space left on device" in err
    assert old.read_text() == "the previous good report\n"
    assert sorted(p.name for p in tiny_fs.iterdir()) == ["filler", "r.html"]
    assert json.loads((tmp_path / "r.json").read_text())["exit_code"] == 0


# ---------------------------------------------------------------- spec code that ends or hangs

@pytest.mark.parametrize("code_line", ["import sys; sys.exit(0)", "import sys; sys.exit(3)",
                                       "raise KeyboardInterrupt"])
def test_a_spec_that_exits_cannot_end_the_gate(tmp_path, capsys, code_line):
    spec(tmp_path, "a_quits.py", HEAD + code_line + "\n")
    spec(tmp_path, "b_ok.py")
    code, out, err = run(["--gate", str(tmp_path), "--quiet"], capsys)
    assert code == 2
    assert err.startswith(f"{tmp_path}/a_quits.py:3: error: loading the spec")
    assert "1/1 checks met their expectation, 1 spec errors" in out   # b_ok still ran


def test_a_spec_that_hangs_at_import_is_stopped(tmp_path):
    spec(tmp_path, "a_hangs.py", "while True:\n    pass\n")
    spec(tmp_path, "b_ok.py")
    t0 = time.perf_counter()
    r = cli("--gate", str(tmp_path), "--time-limit", "1", "--quiet")
    assert time.perf_counter() - t0 < 60
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert re.match(rf"{re.escape(str(tmp_path))}/a_hangs.py:[12]: error: loading the spec took longer "
                    r"than the time limit \(1 s\); it was interrupted here", r.stderr), r.stderr
    assert "1/1 checks met their expectation" in r.stdout


def test_real_ctrl_c_still_interrupts(tmp_path):
    s = spec(tmp_path, "hangs.py", "while True:\n    pass\n")
    p = interruptible([sys.executable, "-m", "checker", s, "--quiet"], cwd=ROOT,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    p.send_signal(signal.SIGINT)
    out, err = finish(p, 60)
    assert p.returncode == 130 and err.strip() == "interrupted"


def test_a_build_that_hangs_is_incomplete(tmp_path, capsys):
    s = spec(tmp_path, "slow.py", "from checker.spec import Check\nfrom checker.lang import Protocol\n"
             "def build(cfg):\n    while True:\n        pass\n"
             "CHECK = Check(Protocol('slow', build, ()))\n")
    code, out, _ = run([s, "--quiet", "--time-limit", "0.5"], capsys)
    assert code == 3
    assert f"incomplete: time limit 0.5 s reached while the model was built and compiled " \
           f"(interrupted at {s}:4" in out or f"(interrupted at {s}:5" in out


# ---------------------------------------------------------------- a closed pipe

@pytest.mark.parametrize("argv,want", [
    ([spec_path("baseline.py"), "--cpus", "2", "--set", "rounds=1"], 0),
    ([BUG], 1),
])
def test_closed_stdout_keeps_the_exit_code(argv, want):
    r, w = os.pipe()
    os.close(r)                                          # the reader is gone before anything is written
    try:
        p = subprocess.run([sys.executable, "-m", "checker", *argv, "--quiet"], cwd=ROOT, stdout=w,
                           stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(w)
    assert p.returncode == want and p.stderr == ""


def test_head_1():
    p = subprocess.run(f"{sys.executable} -m checker {BUG} --quiet | head -1", shell=True, cwd=ROOT,
                       capture_output=True, text=True, executable="/bin/bash", timeout=300,
                       env={**os.environ, "SHELLOPTS": "pipefail"})
    assert p.returncode == 1 and p.stderr == "" and p.stdout.startswith("free_before_ack")


# ---------------------------------------------------------------- out of memory

OOM = """import re, resource, sys
from checker.cli import main
def data():
    return int(re.search(r"VmData:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) * 1024
lim = data() + int(sys.argv[1]) * 2**20
resource.setrlimit(resource.RLIMIT_DATA, (lim, lim))
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("backend,mb", [("explicit", 120), pytest.param(
    "fast", 100, marks=pytest.mark.skipif(not HAS_CC, reason="no C compiler"))])
def test_out_of_memory_is_incomplete_with_statistics(tmp_path, backend, mb):
    (tmp_path / "oom.py").write_text(OOM)
    out = tmp_path / "r.json"
    r = subprocess.run([sys.executable, str(tmp_path / "oom.py"), str(mb), spec_path("async_inline.py"),
                        "--check", "async_inline", "--cpus", "4", "--backend", backend, "--quiet",
                        "--no-sanity", "--json", str(out)], cwd=ROOT, capture_output=True, text=True,
                       timeout=300, env={**os.environ, "PYTHONPATH": ROOT,
                                         "FLUSHCHECK_CACHE": str(tmp_path / "cache")})
    assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr
    assert "incomplete: out of memory after" in r.stdout and "async_inline  (" in r.stdout
    doc = json.loads(out.read_text())
    c = doc["checks"][0]
    assert doc["exit_code"] == 3 and c["verdict"] == "incomplete" and c["stats"]["states"] > 1000
    assert c["reason"].startswith("out of memory after")


def test_memory_error_in_the_search_is_incomplete(monkeypatch):
    """A MemoryError inside the reference explorer (injected after 500 expansions)."""
    from checker.explicit.explore import explore
    from checker.result import Verdict
    c = compile_model(build_model(load_spec(SYNC)[0], {"cpus": 3}))
    calls = [0]
    succ = c.successors

    def failing(s):
        calls[0] += 1
        if calls[0] > 500:
            raise MemoryError
        return succ(s)
    monkeypatch.setattr(c, "successors", failing)
    out = explore(c)
    assert out.verdict is Verdict.INCOMPLETE and out.reason.startswith("out of memory after")
    assert out.stats.states > 500


# ---------------------------------------------------------------- the fast backend's build cache

needs_cc = pytest.mark.skipif(not HAS_CC, reason="no C compiler")


def sync_model(cpus=3):
    return compile_model(build_model(load_spec(SYNC)[0], {"cpus": cpus}))


@needs_cc
@pytest.mark.parametrize("corrupt", [lambda b: b[:len(b) // 2],      # truncated: a full disk, a crash
                                     lambda b: b"\0" * len(b)],       # same size, wrong bytes
                         ids=["truncated", "garbage"])
def test_corrupt_cache_entry_is_rebuilt(tmp_path, corrupt):
    """Across processes, as in life: a process that has the object loaded must not see it change."""
    env = {"FLUSHCHECK_CACHE": str(tmp_path)}
    argv = [SYNC, "--cpus", "4", "--backend", "fast", "--quiet", "--no-sanity", "--no-symmetry"]
    first = cli(*argv, env=env)
    so = next(tmp_path.glob("fc_*.so"))
    good = so.read_bytes()
    so.write_bytes(corrupt(good))
    again = cli(*argv, env=env)
    assert again.returncode == first.returncode == 0 and "Traceback" not in again.stderr
    assert "backend fast" in again.stdout and "unavailable" not in again.stdout
    assert so.read_bytes() == good                        # rebuilt, not trusted


@needs_cc
@pytest.mark.parametrize("owner", ["nobody", "me"])
def test_unsafe_cache_directory_is_refused(tmp_path, monkeypatch, owner):
    d = tmp_path / "xdg" / "flushcheck"
    d.mkdir(parents=True)
    d.chmod(0o777)
    if owner == "nobody":
        if os.getuid() != 0:
            pytest.skip("only root can give a directory to another user")
        os.chown(d, 65534, 65534)
    monkeypatch.delenv("FLUSHCHECK_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    private, note = cache_dir()
    assert private != str(d) and f"the cache directory {d} was not used" in note
    st = os.stat(private)
    assert st.st_uid == os.getuid() and not st.st_mode & 0o022
    fm = FastModel.of(sync_model(), None)
    assert not list(d.iterdir()) and fm.note == note     # nothing loaded from (or put in) it


@needs_cc
def test_killed_build_is_cleaned_up(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    fake = tmp_path / "slowcc"
    fake.write_text("#!/bin/sh\nsleep 60\n")
    fake.chmod(0o755)
    code = ("from checker.explicit.fast import FastModel\nfrom tests.test_faults import sync_model\n"
            "FastModel.of(sync_model(), None)\n")
    p = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT,
                         env={**os.environ, "CC": str(fake), "FLUSHCHECK_CACHE": str(cache)})
    for _ in range(300):
        if list(cache.glob("build-*")):
            break
        time.sleep(0.1)
    p.kill()                                             # SIGKILL mid-build: no cleanup runs
    p.wait()
    left = list(cache.glob("build-*"))
    assert len(left) == 1 and (left[0] / "model.c").exists()
    monkeypatch.setenv("FLUSHCHECK_CACHE", str(cache))
    monkeypatch.delenv("CC", raising=False)
    assert FastModel.of(sync_model(), None).built
    assert not list(cache.glob("build-*")) and len(list(cache.glob("fc_*.so"))) == 1


def test_stale_build_dirs_of_live_processes_are_kept(tmp_path):
    mine = tmp_path / f"build-{os.getpid()}-abc"
    dead = tmp_path / "build-999999999-abc"
    mine.mkdir()
    dead.mkdir()
    assert clean_stale_builds(str(tmp_path)) == [str(dead)]
    assert mine.exists() and not dead.exists()


def test_backend_fast_without_a_working_compiler_is_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CC", "false")                    # runs, and always fails
    monkeypatch.setenv("FLUSHCHECK_CACHE", str(tmp_path))
    code, _, err = run([SYNC, "--cpus", "3", "--backend", "fast", "--quiet", "--no-sanity"], capsys)
    assert code == 2 and "--backend fast cannot run here: the C compiler failed" in err
    code, out, _ = run([SYNC, "--cpus", "3", "--quiet", "--no-sanity"], capsys)   # auto: falls back
    assert code == 0
