"""Liveness, memory limit and fingerprints at scale, each as a table (issue 13).

    python benchmarks/scale.py liveness [--cpus 3 4 5]   # async_inline: safety only vs + flush_completes
    python benchmarks/scale.py fingerprint [--n 8]       # sync_shootdown(N,2,1), no symmetry: exact vs fingerprints

Each row is one `python -m checker` process under /usr/bin/time (peak resident memory of the
whole process, wall clock from start to verdict, the model's C already compiled). Numbers are
from one run on the machine at hand; compare ratios within a run, not across runs.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(argv: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        p = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "checker", *argv, "--quiet",
                            "--no-sanity", "--json", out], cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": ROOT})
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", p.stderr).group(1)
        secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
        c = json.load(open(out))["checks"][0] if os.path.exists(out) else {}
        return {"rc": p.returncode, "rss": rss, "secs": secs, "c": c, "stdout": p.stdout}


def liveness(cpus: list[int], limit: str | None) -> None:
    print("| CPUs | run | verdict | states | seconds | peak RSS MB | liveness pass |")
    print("| --: | --- | --- | --: | --: | --: | --- |")
    for n in cpus:
        base = ["specs/async_inline.py", "--check", "async_inline", "--cpus", str(n)]
        base += ["--memory-limit", limit] if limit else []
        for what, extra in (("safety only (--no-liveness)", ["--no-liveness"]), ("+ flush_completes", [])):
            r = run(base + extra)
            c = r["c"]
            note = next((w for w in c.get("warnings", []) if "liveness pass" in w), "")
            note = note.split(": ", 1)[1] if note else (c.get("reason", "") if c.get("verdict") == "incomplete" and extra == [] else "")
            print(f"| {n} | {what} | {c.get('verdict')} (exit {r['rc']}) | {c.get('stats', {}).get('states', 0):,} | "
                  f"{r['secs']:.1f} | {r['rss']:,.0f} | {note} |", flush=True)


def fingerprint(n: int, async_cpus: int | None) -> None:
    print("| model | mode | verdict | states | seconds | peak RSS MB | B/state (visited set) |")
    print("| --- | --- | --- | --: | --: | --: | --: |")
    models = [(f"sync_shootdown({n},2,1)", ["benchmarks/sync_shootdown.py", "--cpus", str(n), "--no-symmetry"])
              ] if n else []
    if async_cpus:   # a two-word state: the fingerprint is half of it (safety only)
        models.append((f"async_inline cpus={async_cpus}", ["specs/async_inline.py", "--check", "async_inline",
                                                           "--cpus", str(async_cpus), "--no-liveness"]))
    for name, argv in models:
        for what, extra in (("exact", []), ("--fingerprint", ["--fingerprint"])):
            fp_row(name, what, run(argv + extra))


def fp_row(name: str, what: str, r: dict) -> None:
    c = r["c"]
    v = c.get("verdict")
    if v == "incomplete" and "flush_completes" in c.get("unchecked", {}):
        v = "invariants hold (--no-liveness)"
    if c.get("omission_probability") is not None:
        v += f", omission p = {c['omission_probability']:.2g}"
    print(f"| {name} | {what} | {v} | {c['stats']['states']:,} | {r['secs']:.1f} | {r['rss']:,.0f} | "
          f"{c['stats']['bytes_per_state']:.1f} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("liveness", "fingerprint"))
    ap.add_argument("--cpus", type=int, nargs="+", default=[3, 4, 5])
    ap.add_argument("--n", type=int, default=8, help="sync_shootdown(N,2,1) without symmetry (0: not)")
    ap.add_argument("--async-cpus", type=int, default=4, help="also async_inline at this many CPUs (0: not)")
    ap.add_argument("--memory-limit", default=None)
    a = ap.parse_args()
    if a.what == "liveness":
        liveness(a.cpus, a.memory_limit)
    else:
        fingerprint(a.n, a.async_cpus)


if __name__ == "__main__":
    main()
