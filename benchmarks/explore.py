"""Explicit-search throughput of each protocol family at 2, 3 and 4 CPUs, printed as a table.

    python benchmarks/explore.py [--cpus 2 3 4] [--pages 1] [--rounds 2]

Numbers are from one run on the machine at hand; compare ratios within a run, not across runs.
"""
from __future__ import annotations

import argparse
import os
import sys

from rich.console import Console
from rich.table import Table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from checker.run import RunOptions, run_check  # noqa: E402
from checker.spec import Check, load_spec  # noqa: E402

FAMILIES = ("baseline", "concurrent", "async_inline", "v4_19", "v6", "kvm_pv", "latr", "hyperv")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpus", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--pages", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--backends", nargs="+", default=["explicit", "fast"],
                    help="engines to compare (no symmetry, no liveness graph)")
    ap.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES)
    a = ap.parse_args()
    t = Table(title=f"explicit search, pages={a.pages} rounds={a.rounds}")
    for col in ("protocol", "cpus", "backend", "verdict", "distinct states", "transitions", "depth",
                "seconds", "states/s", "peak RSS MB (process)"):
        t.add_column(col, justify="left" if col in ("protocol", "backend", "verdict") else "right")
    for name in a.families:
        spec = load_spec(os.path.join(ROOT, "specs", f"{name}.py"))[0]
        # the safety search alone: the check itself leaves liveness out (verdict holds, not incomplete)
        check = Check(spec.protocol, name=spec.name, liveness=False, **spec.params)
        for n, backend in ((n, b) for n in a.cpus for b in a.backends):
            r = run_check(name, check, RunOptions({"cpus": n, "pages": a.pages, "rounds": a.rounds},
                                                  backend=backend, symmetry=False))
            s = r.stats
            t.add_row(name, str(n), r.backend, r.verdict.value, f"{s.states:,}", f"{s.transitions:,}", str(s.depth),
                      f"{s.seconds:.2f}", f"{s.states_per_s:,.0f}", f"{s.peak_mb:,.0f}")
    Console(width=150).print(t)


if __name__ == "__main__":
    main()
