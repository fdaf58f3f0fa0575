"""The tlb_gen family (several initiators, the generation rule, PCID) at 2, 3 and 4 CPUs, as a table.

    python benchmarks/tlb_gen.py [--cpus 2 3 4] [--time-limit 300] [--parts base pcid ...]

Each row: 2 VAs (pages) and 2 frames, 2 ASID slots, one operation per initiator, on the fast
backend without the liveness graph; "2 initiators" (CPUs 0 and 1 start unmaps, the rest respond)
and "all initiators" (every CPU does, the CPU set is symmetric and the search stores orbits).
A row that reaches the time limit says "incomplete" with the states it had. One run on the machine
at hand: compare ratios within a run.
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
from checker.spec import Check  # noqa: E402
from protocols.tlb_gen import PROTOCOL  # noqa: E402

# the callers and mechanisms, each beside MADV_DONTNEED and the v5.19+ rule with two ASID slots
PARTS = {"base": {}, "reclaim": {"reclaim": True}, "madv_free": {"madv_free": True, "pages": 1},
         "mremap": {"mremap": True, "pages": 3}, "migrate": {"migrate": True}, "munmap": {"munmap": True},
         "pti": {"pti": True}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpus", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--time-limit", type=float, default=300.0, help="seconds per row")
    ap.add_argument("--parts", nargs="+", default=["base"], choices=sorted(PARTS))
    a = ap.parse_args()
    t = Table(title="tlb_gen: pages=2 frames=2 asids=2 rounds=1, fast backend, no liveness")
    for col in ("part", "cpus", "initiators", "symmetry", "verdict", "states", "transitions", "depth",
                "seconds", "peak MB"):
        t.add_column(col, justify="left" if col in ("part", "initiators", "symmetry", "verdict") else "right")
    for part in a.parts:
        params = {"pages": 2, "asids": 2, "rule": "v6", **PARTS[part]}
        for n in a.cpus:
            for k, label in ((2, "2"), (n, "all")):
                if k == 2 and label == "all" or k > n:
                    continue
                check = Check(PROTOCOL, name=f"tlb_gen_{part}", liveness=False, cpus=n, initiators=k, **params)
                r = run_check("benchmarks/tlb_gen.py", check,
                              RunOptions(backend="fast", time_limit=a.time_limit, liveness=False, symmetry=None))
                s = r.stats
                t.add_row(part, str(n), label, "orbits" if k == n else "off", r.verdict.value, f"{s.states:,}",
                          f"{s.transitions:,}", str(s.depth), f"{s.seconds:.1f}", f"{s.peak_mb:,.0f}")
    Console(width=150).print(t)


if __name__ == "__main__":
    main()
