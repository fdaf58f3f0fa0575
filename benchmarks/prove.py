"""Induction proofs with Z3 at CPU counts explicit search cannot enumerate: a table.

    python benchmarks/prove.py                 # 4, 8, 16, 32 CPUs
    python benchmarks/prove.py --cpus 8 64     # other counts
    python benchmarks/prove.py --all-cpus      # only the third table: every CPU count per family

For each CPU count, specs/async_inline.py (pages=1, rounds=2) is proved with its
strengthening invariants (protocols/strengthening.py): the time to encode Init/Trans/Inv, the
solver's time for 1-induction, and the whole check as the command line runs it (the model
built, encoded and proved; sanity checks off). The second table is the same model with the
NMI block removed (--set nmi_block=false): the proof fails and the time includes minimising the
counterexample to induction and trying k-induction up to k=3.

The third table is the proof for every number of CPUs (--prove --all-cpus, checker/smt/allcpus.py)
of each family that has one, at its spec's bounds, beside the fixed-N proof at 8, 32 and 64 CPUs:
"all-N s" is the whole proof (both builds compared, encoded, every query), "queries" how many Z3
queries it asked and their solver time, "2-8 s" the fixed-N cross-check it runs after it; "CMP"
is the proof for every number of CPUs by the CMP abstraction (--cmp, checker/explicit/cmp.py):
its result, abstract states and seconds (the exact search below 3 CPUs included).

    python benchmarks/prove.py --bugs          # every bug spec's check under --prove --all-cpus

The bug table: each check of specs/bugs/ that must be violated, its answer under --prove --all-cpus
(a counterexample to induction at some CPU count, a real violation, never proved) and the seconds.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from checker.run import build_model  # noqa: E402
from checker.smt.encode import Encoding  # noqa: E402
from checker.smt.induction import prove  # noqa: E402
from checker.smt.run import strengthening  # noqa: E402
from checker.spec import load_spec  # noqa: E402

SPEC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "specs", "async_inline.py")


def one(cpus: int, extra: dict) -> dict:
    check = load_spec(SPEC)[0]
    t0 = time.perf_counter()
    model = build_model(check, {"cpus": cpus, **extra})
    t1 = time.perf_counter()
    enc = Encoding(model)
    o = prove(enc, model.invariants, strengthening(check, model), max_k=3)
    t2 = time.perf_counter()
    ph = dict(o.phases)
    return {"cpus": cpus, "slots": len(enc.slot_types), "instances": len(enc.live),
            "build": t1 - t0, "encode": ph.get("encode", 0.0), "solve": ph.get("1-induction", 0.0),
            "rest": sum(v for k, v in o.phases if k not in ("encode", "1-induction")),
            "total": t2 - t0, "result": o.status + (f" k={o.k}" if o.status == "proved" else ""),
            "broken": ", ".join(i.name for i in o.broken)}


def table(title: str, rows: list[dict], cti: bool) -> None:
    print(f"\n{title}\n")
    cols = ["cpus", "state vars", "instances", "build s", "encode s", "1-induction s"]
    cols += ["CTI + k-ind. s", "total s", "result"] if cti else ["total s", "result"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join(" --- " for _ in cols) + "|")
    for r in rows:
        cells = [str(r["cpus"]), str(r["slots"]), str(r["instances"]), f"{r['build']:.2f}",
                 f"{r['encode']:.2f}", f"{r['solve']:.2f}"]
        if cti:
            cells.append(f"{r['rest']:.2f}")
        cells += [f"{r['total']:.2f}", r["result"] + (f" ({r['broken']})" if cti and r["broken"] else "")]
        print("| " + " | ".join(cells) + " |")


ALL_N = [("baseline", "specs/baseline.py"), ("concurrent", "specs/concurrent.py"),
         ("async_inline", "specs/async_inline.py"), ("v4_19", "specs/v4_19.py"), ("kvm_pv", "specs/kvm_pv.py"),
         ("latr", "specs/latr.py"), ("v6", "specs/v6.py"),
         ("sync_shootdown", "benchmarks/sync_shootdown.py")]


def every_n(name: str, spec: str, fixed: list[int]) -> dict:
    from checker.smt.allcpus import prove_every_n
    from checker.smt.param import generalise
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    check = load_spec(os.path.join(root, spec))[0]
    p = check.protocol.param("cpus")
    t0 = time.perf_counter()
    build = lambda n: build_model(check, {"cpus": n})  # noqa: E731
    fam = generalise(build, p.lo, p.hi, check.loc)
    aux = [i.name for i in strengthening(check, fam.model)]
    o = prove_every_n(fam, build, [i.name for i in fam.model.invariants], aux, cross_check=False)
    t1 = time.perf_counter()
    cross = prove_every_n(fam, build, [i.name for i in fam.model.invariants], aux) if o.status == "proved" else o
    cross_s = sum(t for _, _, t in cross.fixed)
    from checker.run import RunOptions, run_check
    t = time.perf_counter()
    c = run_check(spec, check, RunOptions(prove=True, all_cpus=True, cmp=True))
    proved = c.violation is None and c.trace is None and "by the CMP abstraction" in c.reason
    cmp = ("proved" if proved else c.verdict.value, c.stats.states, time.perf_counter() - t)
    row = {"family": name, "bounds": " ".join(f"{k}={v}" for k, v in sorted(check.params.items())
                                              if k in ("pages", "rounds")),
           "result": o.status if cross.status == o.status else f"{o.status}/{cross.status}",
           "aux": len(aux), "queries": len(o.queries), "solve": sum(q.seconds for q in o.queries),
           "all": t1 - t0, "cross": cross_s, "cmp": cmp}
    for n in fixed:
        if n > p.hi:
            row[n] = None
            continue
        t = time.perf_counter()
        model = build_model(check, {"cpus": n})
        f = prove(Encoding(model), model.invariants, strengthening(check, model), max_k=1)
        row[n] = (time.perf_counter() - t, f.status)
    return row


def every_n_table(rows: list[dict], fixed: list[int]) -> None:
    print("\nproof for every number of CPUs (--prove --all-cpus) beside the fixed-N proof\n")
    cols = ["family", "bounds", "aux", "result", "queries (solver s)", "all-N s", "2-8 cross-check s"]
    cols += [f"fixed-N {n} CPUs s" for n in fixed] + ["CMP", "CMP states", "CMP s"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join(" --- " for _ in cols) + "|")
    for r in rows:
        cells = [r["family"], r["bounds"], str(r["aux"]), r["result"], f"{r['queries']} ({r['solve']:.2f})",
                 f"{r['all']:.2f}", f"{r['cross']:.2f}"]
        for n in fixed:
            v = r[n]
            cells.append("—" if v is None else f"{v[0]:.2f}" + ("" if v[1] == "proved" else f" ({v[1]})"))
        res, states, secs = r["cmp"]
        cells += [res, f"{states:,}", f"{secs:.2f}"]
        print("| " + " | ".join(cells) + " |")


def bugs_table() -> None:
    """Every bug check under --prove --all-cpus: never proved."""
    import glob
    from checker.run import RunOptions, run_check
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print("\nevery bug spec under --prove --all-cpus\n")
    print("| spec | check | protocol | answer | CPUs | s |")
    print("| --- | --- | --- | --- | --- | --- |")
    total, n = 0.0, 0
    for path in sorted(glob.glob(os.path.join(root, "specs", "bugs", "*.py"))):
        for check in load_spec(path):
            if check.expect == "holds":
                continue
            t = time.perf_counter()
            r = run_check(path, check, RunOptions(prove=True, all_cpus=True))
            s = time.perf_counter() - t
            total, n = total + s, n + 1
            fixed_n = "no statement for every CPU count" in r.reason
            answer = ("PROVED (wrong)" if "proved for every depth" in r.reason else
                      "violated" if r.violation is not None else
                      "CTI" if r.trace is not None and r.trace.kind == "cti" else f"{r.verdict.value}, no trace")
            answer += " (fixed-N instead)" if fixed_n else ""
            print(f"| {os.path.basename(path)} | {check.name} | {check.protocol.name} | {answer} | "
                  f"{r.params.get('cpus')} | {s:.2f} |")
    print(f"\n{n} checks, {total:.1f} s")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cpus", type=int, nargs="+", default=[4, 8, 16, 32])
    p.add_argument("--no-cti", action="store_true", help="skip the failing (nmi_block=false) table")
    p.add_argument("--all-cpus", action="store_true", help="only the table of proofs for every CPU count")
    p.add_argument("--bugs", action="store_true", help="only the table of bug specs under --prove --all-cpus")
    p.add_argument("--fixed", type=int, nargs="+", default=[8, 32, 64],
                   help="CPU counts of the fixed-N proofs beside the all-N one (default 8 32 64)")
    a = p.parse_args()
    import z3
    print(f"flushcheck --prove on specs/async_inline.py (pages=1, rounds=2), Z3 {z3.get_version_string()}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if a.bugs:
        bugs_table()
        return
    if a.all_cpus:
        every_n_table([every_n(n, s, a.fixed) for n, s in ALL_N], a.fixed)
        return
    table("proof (nmi_block=true): every standard invariant, every depth",
          [one(n, {}) for n in a.cpus], cti=False)
    every_n_table([every_n(n, s, a.fixed) for n, s in ALL_N], a.fixed)
    if not a.no_cti:
        table("no proof (nmi_block=false): counterexample to induction",
              [one(n, {"nmi_block": False}) for n in a.cpus], cti=True)


if __name__ == "__main__":
    main()
