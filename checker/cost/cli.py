"""`python -m checker cost SPEC`: what a design costs — the initiator's latency, best and worst over
the scenario's executions, its critical path and its symbolic form; `--compare` several specs.

Exit codes: 0 done, 2 bad input.
"""
from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import UserError
from ..report.write import PipeSafe, write_report
from .run import CostResult, as_dict, cost_of
from .tables import DEFAULT, load_table, parse_overrides
from .timeline import timeline_html

SCHEMA = "flushcheck-cost/1"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m checker cost",
        description="Time the initiator's operation of a spec under a cost table: the happens-before "
                    "graph of each execution of the table's scenario (environment actions off), "
                    "best and worst latency, the critical path and its cost as a sum of named costs.")
    p.add_argument("spec", metavar="SPEC", nargs="?", help="a spec file")
    p.add_argument("--compare", nargs="+", metavar="SPEC", help="several specs side by side")
    p.add_argument("--check", metavar="NAME", help="this check of the spec (default: its first)")
    p.add_argument("--costs", default=DEFAULT, metavar="NAME",
                   help=f"a cost table: costs/NAME.toml or a .toml path (default {DEFAULT})")
    p.add_argument("--set", action="append", metavar="COST=NS", default=[],
                   help="override one cost, in ns (repeatable)")
    p.add_argument("--cpus", type=int, nargs="+", default=[2], metavar="N",
                   help="CPU counts (default 2; e.g. --cpus 2 4)")
    p.add_argument("--json", metavar="PATH", help=f"write the results as JSON ({SCHEMA}); - for stdout")
    p.add_argument("--html", metavar="PATH", help="write each result's worst execution on a time axis, one "
                                                 "lane per CPU, the critical path in red (self-contained)")
    p.add_argument("--costs-only", action="store_true", help="print the cost table and stop")
    return p


def cost_command(argv: list[str] | None) -> int | None:
    """The hook at the top of `python -m checker`: runs `cost ...`; None for any other command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["cost"]:
        return main(argv[1:])
    return None


def main(argv: list[str]) -> int:
    a = parser().parse_args(argv)
    out = Console(file=PipeSafe(sys.stdout), highlight=False,
                  width=None if sys.stdout.isatty() else 160)   # a pipe or file: whole rows
    err = Console(stderr=True, highlight=False)
    try:
        return _run(a, out)
    except UserError as e:
        where = f"{e.loc.file}:{e.loc.line}: " if e.loc else ""
        err.print(f"{escape(where)}error: {escape(e.message)}" + (f" — {escape(e.hint)}" if e.hint else ""))
        return 2


def _run(a, out: Console) -> int:
    specs = ([a.spec] if a.spec else []) + list(a.compare or [])
    if not specs and not a.costs_only:
        raise UserError("cost needs a SPEC or --compare SPEC...", None,
                        "e.g. python -m checker cost specs/async_inline.py --cpus 2 4")
    table = load_table(a.costs, specs[0] if specs else None)
    table = table.with_values(parse_overrides(a.set), source="--set")
    if a.costs_only or not specs:
        out.print(cost_table(table))
        return 0
    if any(n < 2 for n in a.cpus):
        raise UserError("--cpus: the flush families need at least 2 CPUs", None, "e.g. --cpus 2 4")
    results = [cost_of(s, table, n, a.check) for s in specs for n in a.cpus]
    if a.json:
        doc = {"schema": SCHEMA, "costs": {k: {"ns": c.ns, "source": c.source} for k, c in table.costs.items()},
               "table": table.name, "results": [as_dict(r) for r in results]}
        text = json.dumps(doc, indent=2) + "\n"
        if a.json == "-":
            sys.stdout.write(text)
            return 0
        write_report("--json", a.json, lambda: text)
    if a.html:
        write_report("--html", a.html, lambda: timeline_html(results))
    if len(results) == 1:
        show_one(results[0], out)
    else:
        out.print(compare_table(results))
        for i, r in enumerate(results, 1):
            out.print(f"  [{i}] {escape(r.check)}, {r.cpus} CPUs: worst = {escape(r.form)}", soft_wrap=True)
    return 0


def cost_table(table) -> Table:
    t = Table(title=f"cost table {table.name}: {table.doc}", title_justify="left")
    for c in ("cost", "ns", "source"):
        t.add_column(c, justify="right" if c == "ns" else "left", overflow="fold")
    for c in table.costs.values():
        t.add_row(c.name, f"{c.ns:g}", escape(c.source))
    return t


def show_one(r: CostResult, out: Console) -> None:
    out.print(f"[bold]{escape(r.check)}[/] ({escape(r.spec)}), {r.cpus} CPUs, costs {escape(r.table)}")
    out.print(f"  operation latency: best {r.best:g} ns, worst {r.worst:g} ns"
              f"; per iteration (+ {r.after:g} ns after it) {r.worst + r.after:g} ns")
    out.print(f"  worst = {escape(r.form)}", soft_wrap=True)
    b = r.bounds
    out.print(f"  [dim]{b.nodes:,} (state, timing) pairs searched"
              + ("" if b.complete else ", [red]search bound hit: best/worst over a subset[/]") + "[/]")
    t = Table(title="critical path (worst execution)", title_justify="left")
    for c in ("start ns", "end ns", "CPU", "event", "after"):
        t.add_column(c, justify="right" if "ns" in c else "left")
    for st in r.critical:
        via = st["via"]
        t.add_row(f"{st['start_ns']:g}", f"{st['end_ns']:g}", str(st["cpu"]), escape(st["event"]),
                  "" if via is None else escape(via["kind"] + (f" (+{via['cost']})" if via["cost"] else "")))
    out.print(t)
    out.print("  paid on the critical path: " + escape(", ".join(f"{k}×{n}" for k, n in r.counts_critical.items())))
    out.print("  paid by every event up to the end: " + escape(", ".join(f"{k}×{n}" for k, n in r.counts_all.items())))


def compare_table(results: list[CostResult]) -> Table:
    cols = results[0].columns
    t = Table(title=f"what each design costs (costs {results[0].table}); "
                    f"{', '.join(cols)}: how often paid on the critical path", title_justify="left")
    for c in ("#", "check", "CPUs", "best ns", "worst ns", "per iter ns", "vs first", *cols):
        t.add_column(c, justify="right" if ("ns" in c or c in ("CPUs", "vs first")) else "left", no_wrap=True)
    first = {}
    for i, r in enumerate(results, 1):
        first.setdefault(r.cpus, r.worst + r.after)
        base = first[r.cpus]
        rel = (r.worst + r.after - base) / base * 100 if base else 0.0
        crit = r.counts_critical
        t.add_row(str(i), escape(r.check), str(r.cpus), f"{r.best:g}", f"{r.worst:g}", f"{r.worst + r.after:g}",
                  f"{rel:+.0f} %", *(str(crit.get(x, 0)) for x in cols.values()))
    return t

