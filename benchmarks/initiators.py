"""Several initiators in the flush families: states and seconds as the CPU count grows (issue 11).

    python benchmarks/initiators.py [--cpus 2 3 4] [--time-limit 120] [--families baseline v6 ...]

Each family's `<family>_2initiators` check (specs/initiators.py) at pages=2, rounds=1, on the fast
backend with symmetry and one worker: two initiators at each CPU count, and every CPU an
initiator (the CPU set is then symmetric) with --all. Each row is one `python -m checker` process,
safety only (--no-liveness: the liveness pass keeps the unreduced graph); seconds are wall clock
from start to verdict and the process's CPU time, the model's C compile included (gcc's time is
in the CPU column: it runs as a child of the checker).
A row stopped by the time limit says how far it got. Numbers are from one run on the machine at
hand: compare within a run.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import resource
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAMILIES = ["baseline", "concurrent", "async_inline", "v4_19", "v6", "kvm_pv", "hyperv", "latr"]


def run(family: str, cpus: int, initiators: int, limit: int) -> dict:
    argv = ["specs/initiators.py", "--check", f"{family}_2initiators", "--cpus", str(cpus), "--pages", "2",
            "--set", f"initiators={initiators}", "--backend", "fast", "--symmetry", "--workers", "1",
            "--time-limit", str(limit), "--no-liveness", "--quiet", "--no-sanity"]
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        t0, r0 = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run([sys.executable, "-m", "checker", *argv, "--json", out], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ROOT})
        secs = time.monotonic() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        c = json.load(open(out))["checks"][0] if os.path.exists(out) else {}
    err = p.stderr.strip().splitlines()[-1:] if p.returncode > 3 else []
    return {"rc": p.returncode, "secs": secs, "cpu": cpu, "c": c, "err": err}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpus", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--time-limit", type=int, default=120)
    ap.add_argument("--families", nargs="+", default=FAMILIES)
    ap.add_argument("--all", action="store_true", help="also every CPU an initiator (symmetric)")
    a = ap.parse_args()
    print("| family | CPUs | initiators | symmetric | verdict | states | depth | seconds (wall) | CPU seconds |")
    print("| --- | --: | --: | --- | --- | --: | --: | --: | --: |")
    for fam in a.families:
        for n in a.cpus:
            for k in sorted({2, n} if a.all else {2}):
                r = run(fam, n, k, a.time_limit)
                c = r["c"]
                st = c.get("stats", {})
                verdict = c.get("verdict", f"error {r['err']}")
                reason = c.get("reason", "")
                if verdict == "incomplete" and "limit" not in reason:   # --no-liveness: safety searched whole
                    verdict = "holds (safety; liveness not run)"
                elif verdict == "incomplete":
                    verdict = f"stopped: {reason[:40]}"
                print(f"| {fam} | {n} | {k} | {'yes' if k == n else 'no'} | {verdict} | {st.get('states', 0):,} | "
                      f"{st.get('depth', '')} | {r['secs']:.1f} | {r['cpu']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
