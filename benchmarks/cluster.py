"""The search on one process against the same search on a local Ray cluster (issue 13, `--cluster`).

    python benchmarks/cluster.py                 # sync_shootdown(7,2,1) and async_inline cpus=3
    python benchmarks/cluster.py --sync-cpus 6 --async-cpus 0

Each model runs on the fast backend in this process (one thread) and on a local Ray cluster of
2 CPUs with 1 and 2 workers (`--cluster ray`), no symmetry, safety only (leads-to properties
would run in this process either way). The counts must be identical; the table shows them, the
search's seconds (the model's C already compiled, Ray and its worker processes already started:
that start-up is printed once, above the table) and the overhead per state against the one
process. On a 2-core machine the point is correctness and overhead, not speed-up.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from rich.console import Console
from rich.table import Table

from checker.result import Verdict
from checker.run import RunOptions, run_check
from checker.spec import load_spec


def key(r):
    return (r.verdict, r.stats.states, r.stats.transitions, r.stats.depth, r.coverage, r.violation,
            r.trace, [(g.name, g.states, g.depth) for g in r.goals])


def models(a) -> list[tuple[str, str, object, dict]]:
    out = []
    if a.sync_cpus:
        path = os.path.join(ROOT, "benchmarks", "sync_shootdown.py")
        out.append((f"sync_shootdown({a.sync_cpus},2,1)", path, load_spec(path)[0], {"cpus": a.sync_cpus}))
    if a.async_cpus:
        path = os.path.join(ROOT, "specs", "async_inline.py")
        check = next(c for c in load_spec(path) if c.name == "async_inline")
        out.append((f"async_inline cpus={a.async_cpus}", path, check, {"cpus": a.async_cpus}))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sync-cpus", type=int, default=7, help="sync_shootdown(N,2,1) (0: not)")
    ap.add_argument("--async-cpus", type=int, default=3, help="async_inline at N CPUs (0: not)")
    a = ap.parse_args()
    import ray
    con = Console(width=200)
    t = time.perf_counter()
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             logging_level=logging.ERROR)
    base = {"backend": "fast", "symmetry": False, "liveness": False}
    sync = os.path.join(ROOT, "benchmarks", "sync_shootdown.py")   # starts the 2 worker processes
    run_check(sync, load_spec(sync)[0], RunOptions({"cpus": 2}, workers=2, cluster="ray", **base))
    up = time.perf_counter() - t
    table = Table(title="one process against a local Ray cluster (fast backend's C, no symmetry, safety only)")
    for col in ("model", "run", "verdict", "states", "transitions", "depth", "search s", "states/s",
                "overhead µs/state", "peak MB", "identical"):
        table.add_column(col, justify="left" if col in ("model", "run", "verdict", "identical") else "right")
    for name, path, check, over in models(a):
        one = run_check(path, check, RunOptions(over, workers=1, **base))      # compiles, if needed
        one = run_check(path, check, RunOptions(over, workers=1, **base))
        rows = [("1 process, 1 thread", one)]
        for w in (1, 2):
            rows.append((f"Ray, {w} worker{'s' if w > 1 else ''}",
                         run_check(path, check, RunOptions(over, workers=w, cluster="ray", **base))))
        for run, r in rows:
            s = r.stats
            extra = "" if r is one else f"{(s.seconds - one.stats.seconds) / max(s.states, 1) * 1e6:,.1f}"
            verdict = "invariants hold" if r.verdict is Verdict.INCOMPLETE and r.unchecked \
                and "limit" not in r.reason else r.verdict.value
            table.add_row(name, run, verdict, f"{s.states:,}", f"{s.transitions:,}", str(s.depth),
                          f"{s.seconds:.2f}", f"{s.states_per_s:,.0f}", extra, f"{s.peak_mb:,.0f}",
                          "—" if r is one else ("yes" if key(r) == key(one) else "[red]NO[/]"))
    con.print(f"Ray start-up (local, 2 CPUs, and its worker processes): {up:.1f} s", highlight=False)
    con.print(table)
    ray.shutdown()


if __name__ == "__main__":
    main()
