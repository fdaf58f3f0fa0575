"""The seed's benchmark table as a test of the cost method (issue 19, item 5).

Fit the free costs of a cost table to the seed's *before* column only (baseline, 1/2/4 threads),
then predict the *after* column with async_inline (and concurrent, the intermediate design) without
refitting, and print each row's prediction error. Nothing is tuned to the after column.

    python benchmarks/cost_seed.py [--costs NAME] [--json PATH]

Threads -> scenario: T threads of the mm, CPU 0 the one running MADV_DONTNEED + touch, the others
busy-looping in user mode (the table's scenario). One thread: the model needs 2 CPUs, so CPU 1 runs
another mm (not in mm_cpumask) and is skipped, as an idle or unrelated CPU is.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from checker.cost.fit import Row, fit, model_ns
from checker.cost.run import build_scenario
from checker.cost.tables import DEFAULT, load_table

# RFC v2 cover letter (shared/seed): ns per iteration on the initiating thread, Haswell bare metal
SEED = {1: (661, 663), 2: (1436, 923), 4: (1571, 1070)}
FREE = ("syscall_zap", "ipi_send", "ipi_deliver")   # fitted; every other cost comes from the table
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = {d: os.path.join(ROOT, "specs", f"{d}.py") for d in ("baseline", "concurrent", "async_inline")}


def rows(table, design: str, column: int) -> list[Row]:
    out = []
    for threads, measured in SEED.items():
        init = {"mode[1]": "other", "mm_cpumask": [0]} if threads == 1 else None
        sc, _ = build_scenario(SPECS[design], table, max(threads, 2), init=init)
        out.append(Row(f"{design} {threads}", sc, measured[column], table.scenario.after))
    return out


def run(costs: str = DEFAULT) -> dict:
    table = load_table(costs, SPECS["baseline"])
    start = {k: v.ns for k, v in table.costs.items()}
    f = fit(rows(table, "baseline", 0), start, FREE)
    out = {"table": table.name, "free": list(FREE), "fitted": {k: round(f.costs[k], 2) for k in FREE},
           "iterations": f.iterations, "fit_rms_ns": round(f.residual, 3), "rows": []}
    for design, column in (("baseline", 0), ("concurrent", 1), ("async_inline", 1)):
        for r in rows(table, design, column):
            threads = int(r.label.split()[1])
            ns, _ = model_ns(r, f.costs)
            out["rows"].append({"design": design, "threads": threads, "model_ns": round(ns, 1),
                                "seed_ns": r.measured, "role": "fitted" if design == "baseline" else "predicted",
                                "error_pct": round((ns - r.measured) / r.measured * 100, 1)})
    base = {r["threads"]: r["model_ns"] for r in out["rows"] if r["design"] == "baseline"}
    for r in out["rows"]:
        if r["design"] != "baseline":
            r["model_change_pct"] = round((r["model_ns"] - base[r["threads"]]) / base[r["threads"]] * 100, 1)
            r["seed_change_pct"] = round((r["seed_ns"] - SEED[r["threads"]][0]) / SEED[r["threads"]][0] * 100, 1)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--costs", default=DEFAULT)
    p.add_argument("--json")
    a = p.parse_args()
    res = run(a.costs)
    print(f"cost table {res['table']}; fitted to the seed's before column (baseline): "
          + ", ".join(f"{k} = {v:g} ns" for k, v in res["fitted"].items())
          + f"  (rms residual {res['fit_rms_ns']:g} ns, {res['iterations']} iteration(s))")
    print(f"{'design':<13} {'threads':>7} {'role':<9} {'seed ns':>8} {'model ns':>9} {'error':>7} "
          f"{'seed vs before':>15} {'model vs baseline':>18}")
    for r in res["rows"]:
        sc = f"{r['seed_change_pct']:+.1f} %" if r.get("seed_change_pct") is not None else ""
        mc = f"{r['model_change_pct']:+.1f} %" if r.get("model_change_pct") is not None else ""
        print(f"{r['design']:<13} {r['threads']:>7} {r['role']:<9} {r['seed_ns']:>8} {r['model_ns']:>9g} "
              f"{r['error_pct']:>+6.1f}% {sc:>15} {mc:>18}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
