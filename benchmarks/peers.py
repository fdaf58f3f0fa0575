"""flushcheck against SPIN and Rumur on sync_shootdown(N, R, P), side by side, in one run.

    python benchmarks/peers.py                    # N = 4..7 (R=2, P=1) and N=4 (R=2, P=3)
    python benchmarks/peers.py --sizes 7,2,1 8,2,1 --skip explicit --timeout 120

Needs `spin`, `rumur` and a C compiler (Debian: apt-get install spin rumur gcc); a tool that is
missing is left out of the table. Not run by CI. Every run is a fresh subprocess timed on the wall
clock from start to verdict, translation and compilation included:
  SPIN       spin -a, then gcc -O2 -DSAFETY pan.c (exhaustive, exact storage, no partial-order
             effect: the model is one process), ./pan -m<depth> (retried deeper if it says so);
  Rumur      rumur --symmetry-reduction off | heuristic (its default) | exhaustive, then
             cc -std=c11 -march=native -O3 -lpthread as its manual says; it uses every core;
  flushcheck python -m checker ... --backend B --[no-]symmetry, with an empty code cache
             (FLUSHCHECK_CACHE), so C generation and compilation are in its time; every core;
             --no-sanity where the checker has it (the Z3 sanity checks of the model are a
             separate analysis, about 0.4 s here, that SPIN and Rumur do not do).
Peak memory is the largest resident set of the run's processes (the checker, not its compiler).
"vs SPIN" and "vs Rumur" divide flushcheck's time by that peer's in this run (Rumur with the same
symmetry setting: off with off, heuristic with on).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PML = os.path.join(HERE, "sync_shootdown.pml")
MURPHI = os.path.join(HERE, "sync_shootdown.m")
SPEC = os.path.join(HERE, "sync_shootdown.py")
DEFAULT_SIZES = ["4,2,1", "5,2,1", "6,2,1", "7,2,1", "4,2,3"]


@dataclass
class Run:
    tool: str
    states: int | None = None
    seconds: float | None = None
    peak_mb: float | None = None
    note: str = ""

    @property
    def rate(self) -> float | None:
        if self.states is None or not self.seconds:
            return None
        return self.states / self.seconds


def run_measured(cmd: list[str], cwd: str, timeout: float, env=None) -> tuple[int, str, float, float]:
    """(exit code, output, wall seconds, peak resident MB of this one child, by wait4); -9 on
    timeout."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as buf:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=buf, stderr=subprocess.STDOUT, env=env)
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                p.returncode = -9
                return -9, "", time.perf_counter() - t0, 0.0
            time.sleep(0.002)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        buf.seek(0)
        out = buf.read().decode(errors="replace")
    return p.returncode, out, wall, ru.ru_maxrss / 1024.0


def spin(n: int, r: int, p: int, timeout: float) -> Run:
    run = Run("SPIN")
    if not shutil.which("spin"):
        run.note = "spin not installed"
        return run
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(PML, d)
        t0 = time.perf_counter()
        rc, out, _, _ = run_measured(["spin", f"-DN={n}", f"-DR={r}", f"-DP={p}", "-a",
                                      "sync_shootdown.pml"], d, timeout)
        if rc != 0:
            run.note = "spin -a failed: " + out.strip().splitlines()[-1][:60]
            return run
        rc, out, _, _ = run_measured(["gcc", "-O2", "-DSAFETY", "-o", "pan", "pan.c"], d, timeout)
        if rc != 0:
            run.note = "gcc pan.c failed"
            return run
        depth = 100_000
        while True:
            left = timeout - (time.perf_counter() - t0)
            rc, out, _, peak = run_measured(["./pan", f"-m{depth}"], d, max(left, 1))
            if rc == -9:
                run.note = f"timeout {timeout:g} s"
                return run
            if "max search depth too small" in out and depth < 10**8:
                depth *= 10
                continue
            break
        run.seconds = time.perf_counter() - t0
        run.peak_mb = peak
        m = re.search(r"(\d+) states, stored", out)
        run.states = int(m.group(1)) if m else None
        if "errors: 0" not in out:
            run.note = "errors reported"
    return run


def rumur(n: int, r: int, p: int, mode: str, timeout: float) -> Run:
    run = Run(f"Rumur sym {mode}")
    if not shutil.which("rumur"):
        run.note = "rumur not installed"
        return run
    src = open(MURPHI).read()
    src = re.sub(r"(?m)^  N: \d+;", f"  N: {n};", src)
    src = re.sub(r"(?m)^  R: \d+;", f"  R: {r};", src)
    src = re.sub(r"(?m)^  P: \d+;", f"  P: {p};", src)
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "model.m"), "w") as f:
            f.write(src)
        t0 = time.perf_counter()
        rc, out, _, _ = run_measured(["rumur", "--symmetry-reduction", mode, "--output", "model.c",
                                      "model.m"], d, timeout)
        if rc != 0:
            run.note = "rumur failed"
            return run
        rc, out, _, _ = run_measured(["cc", "-std=c11", "-march=native", "-O3", "-o", "model",
                                      "model.c", "-lpthread"], d, timeout)
        if rc != 0:
            run.note = "cc model.c failed"
            return run
        left = timeout - (time.perf_counter() - t0)
        rc, out, _, peak = run_measured(["./model"], d, max(left, 1))
        if rc == -9:
            run.note = f"timeout {timeout:g} s"
            return run
        run.seconds = time.perf_counter() - t0
        run.peak_mb = peak
        m = re.search(r"(\d+) states, \d+ rules fired", out)
        run.states = int(m.group(1)) if m else None
        if "No error found" not in out:
            run.note = "error reported"
    return run


_NO_SANITY: list[str] | None = None


def no_sanity() -> list[str]:
    global _NO_SANITY
    if _NO_SANITY is None:
        h = subprocess.run([sys.executable, "-m", "checker", "--help"], cwd=ROOT, capture_output=True,
                           text=True).stdout
        _NO_SANITY = ["--no-sanity"] if "--no-sanity" in h else []
    return _NO_SANITY


def flushcheck(n: int, r: int, p: int, backend: str, sym: bool, timeout: float) -> Run:
    run = Run(f"flushcheck {backend}{' +sym' if sym else ''}")
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, FLUSHCHECK_CACHE=d)
        js = os.path.join(d, "out.json")
        cmd = [sys.executable, "-m", "checker", SPEC, "--cpus", str(n), "--pages", str(p),
               "--set", f"rounds={r}", "--backend", backend,
               "--symmetry" if sym else "--no-symmetry", "--quiet", "--json", js] + no_sanity()
        rc, out, wall, peak = run_measured(cmd, ROOT, timeout, env)
        if rc == -9:
            run.note = f"timeout {timeout:g} s"
            return run
        if rc != 0:
            run.note = f"exit {rc}: " + (out.strip().splitlines() or [""])[-1][:60]
            return run
        res = json.load(open(js))["checks"][0]
        if res["backend"] != backend:
            run.note = f"ran {res['backend']}"
        run.states, run.seconds, run.peak_mb = res["stats"]["states"], wall, peak
    return run


def fmt(x, spec):
    return "" if x is None else format(x, spec)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=DEFAULT_SIZES, metavar="N,R,P")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per run (default 300)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per cell, the median time is shown (a run over 20 s is not repeated)")
    ap.add_argument("--skip", action="append", default=[],
                    help="leave out: spin, rumur, explicit, fast, sym, nosym, exhaustive")
    a = ap.parse_args()
    rows: list[tuple[str, Run, str, str]] = []
    print(f"sync_shootdown on {os.cpu_count()} CPUs; timeout {a.timeout:g} s per run", file=sys.stderr)
    for size in a.sizes:
        n, r, p = (int(x) for x in size.split(","))
        label = f"({n},{r},{p})"
        runs: list[Run] = []

        def add(make):
            tries = [make()]
            while len(tries) < a.repeat and tries[-1].seconds and tries[-1].seconds < 20:
                tries.append(make())
            ok = sorted((t for t in tries if t.seconds), key=lambda t: t.seconds)
            run = ok[len(ok) // 2] if ok else tries[-1]
            if len(ok) > 1:
                run.note = (run.note + " " if run.note else "") + f"median of {len(ok)}"
            runs.append(run)
            print(f"  {label:10} {run.tool:28} {fmt(run.states, ',') or '-':>12} "
                  f"{fmt(run.seconds, '.2f') or '-':>8} s {run.note}", file=sys.stderr)

        if "spin" not in a.skip:
            add(lambda: spin(n, r, p, a.timeout))
        if "rumur" not in a.skip:
            modes = [m for m in ("off", "heuristic", "exhaustive") if m not in a.skip
                     and not (m == "off" and "nosym" in a.skip) and not (m != "off" and "sym" in a.skip)]
            for mode in modes:
                add(lambda: rumur(n, r, p, mode, a.timeout))
        for backend in ("fast", "explicit"):
            if backend in a.skip:
                continue
            for sym in (False, True):
                if ("sym" if sym else "nosym") in a.skip:
                    continue
                add(lambda: flushcheck(n, r, p, backend, sym, a.timeout))
        by = {x.tool: x for x in runs}
        spin_t = by.get("SPIN") and by["SPIN"].seconds
        for x in runs:
            vs_spin = vs_rumur = ""
            if x.tool.startswith("flushcheck") and x.seconds:
                peer = by.get("Rumur sym heuristic" if "+sym" in x.tool else "Rumur sym off")
                if spin_t:
                    vs_spin = f"{x.seconds / spin_t:.3f}×"
                if peer and peer.seconds:
                    vs_rumur = f"{x.seconds / peer.seconds:.3f}×"
            rows.append((label, x, vs_spin, vs_rumur))
        full = {x.states for x in runs if x.states and x.tool in ("SPIN", "Rumur sym off",
                                                                   "flushcheck fast", "flushcheck explicit")}
        orbits = {x.states for x in runs if x.states and x.tool in ("Rumur sym exhaustive",
                                                                     "flushcheck fast +sym",
                                                                     "flushcheck explicit +sym")}
        for what, counts in (("full", full), ("orbit", orbits)):
            if len(counts) > 1:
                print(f"  !! {label}: the {what} state counts differ: {sorted(counts)}", file=sys.stderr)

    print()
    print("| model (N,R,P) | checker | distinct states | seconds | states/s | peak MB | "
          "flushcheck ÷ SPIN | flushcheck ÷ Rumur |")
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    for label, x, vs_spin, vs_rumur in rows:
        print(f"| {label} | {x.tool}{' (' + x.note + ')' if x.note else ''} | "
              f"{fmt(x.states, ',')} | {fmt(x.seconds, '.2f')} | {fmt(x.rate, ',.0f')} | "
              f"{fmt(x.peak_mb, ',.0f')} | {vs_spin} | {vs_rumur} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
