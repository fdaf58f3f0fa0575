"""The global-ASID families (invlpgb, rar) at 3 and 4 CPUs with liveness, as a table (issue 16's bounds).

    python benchmarks/global_asid.py [--cpus 3 4] [--time-limit 600] [--rows NAME ...]
    python benchmarks/global_asid.py --cpus 4 --rows invlpgb_1va rar_1va     # what fits at four CPUs

Each row is one check of specs/invlpgb.py or specs/rar.py at the given CPU count, searched by the
fast backend with its leads-to pass over the unreduced graph (one initiator, so no CPU symmetry).
The bounds are split where one check at two VAs and two rounds from dynamic ASIDs does not fit:
the whole path (IPIs, global ASID assigned, broadcast, transition) at one VA and two rounds; the
transition and the broadcast at two VAs and one round from just after mm_assign_global_asid
(`assigned_at_start`). A row that hits the time or memory limit says "incomplete" with the states it
had. One run on the machine at hand: compare ratios within a run.
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
from protocols import invlpgb, rar  # noqa: E402

ASSIGNED = "the mm starts with its global ASID assigned: no second assignment"
_NO_ASSIGN = {a: ASSIGNED for a in ("use_global_asid", "mm_assign_publish", "consider_global_asid_skip")}
_NO_SKIP = {"ipi_skip": "one round from mid-transition: every IPI is the transition's, to the whole mask"}

# name: (protocol, what it covers, params, dead_ok)
ROWS = {
    "invlpgb": (invlpgb.PROTOCOL, "from dynamic ASIDs: IPIs, assignment, broadcast", dict(pages=1, rounds=2), {}),
    "invlpgb_2vas": (invlpgb.PROTOCOL, "mid-transition: broadcast, finish_asid_transition",
                     dict(pages=2, rounds=1, assigned_at_start=True), {**_NO_ASSIGN, **_NO_SKIP}),
    "invlpgb_1va": (invlpgb.PROTOCOL, "mid-transition at one VA (the 4-CPU row)",
                    dict(pages=1, rounds=1, assigned_at_start=True), {**_NO_ASSIGN, **_NO_SKIP}),
    "invlpgb_allocator": (invlpgb.PROTOCOL, "2 mms: B holds, caches under, frees a global ASID",
                          dict(pages=1, rounds=2, allocator=True), {}),
    "rar": (rar.PROTOCOL, "from dynamic ASIDs: IPIs, assignment, RAR", dict(pages=1, rounds=2), {}),
    "rar_2vas": (rar.PROTOCOL, "mid-transition: RAR, finish_asid_transition",
                 dict(pages=2, rounds=1, assigned_at_start=True),
                 {a: ASSIGNED for a in ("use_global_asid", "mm_assign_publish")} | _NO_SKIP),
    "rar_1va": (rar.PROTOCOL, "mid-transition at one VA (the 4-CPU row)",
                dict(pages=1, rounds=1, assigned_at_start=True),
                {a: ASSIGNED for a in ("use_global_asid", "mm_assign_publish")} | _NO_SKIP),
    "rar_global": (rar.PROTOCOL, "on the global ASID: RARs, trim IPIs, switch-in flush",
                   dict(pages=2, rounds=2, global_at_start=True),
                   {a: "the transition finished before the start" for a in (
                       "use_global_asid", "mm_assign_publish", "finish_asid_transition_cpu",
                       "mm_clear_asid_transition")}),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpus", type=int, nargs="+", default=[3, 4])
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per row")
    ap.add_argument("--rows", nargs="+", default=list(ROWS), choices=list(ROWS))
    a = ap.parse_args()
    t = Table(title="global-ASID families: one initiator, fast backend, leads-to on the unreduced graph")
    for col in ("check", "what it covers", "cpus", "VAs", "rounds", "verdict", "states", "transitions", "depth",
                "search s", "leads-to", "peak MB"):
        t.add_column(col, justify="left" if col in ("check", "what it covers", "verdict", "leads-to") else "right")
    for n in a.cpus:
        for name in a.rows:
            protocol, what, params, dead_ok = ROWS[name]
            check = Check(protocol, name=name, cpus=n, initiators=1, dead_ok=dead_ok, **params)
            r = run_check("benchmarks/global_asid.py", check,
                          RunOptions(backend="fast", time_limit=a.time_limit, symmetry=None))
            s = r.stats
            verdict = r.verdict.value + (" (vacuous: " + "; ".join(r.vacuity) + ")" if r.vacuity else "")
            t.add_row(name, what, str(n), str(params["pages"]), str(params["rounds"]), verdict, f"{s.states:,}",
                      f"{s.transitions:,}", str(s.depth), f"{s.seconds:.1f}", r.liveness or "-",
                      f"{s.peak_mb:,.0f}")
    Console(width=200).print(t)


if __name__ == "__main__":
    main()
