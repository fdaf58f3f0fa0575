"""`python -m checker list SPEC`: what a spec checks, without checking it.

For each check: its bounds (parameters with a range: CPUs, pages, rounds ...), its value, the
default and the range; the variant switches (the design choices a spec or `--set` can flip,
with their choices); the invariants it checks, the leads-to properties, deadlock freedom and
the cover properties, each with its one-line meaning in kernel terms; and, for a variant made
with `Protocol.variant`, what it replaces, drops and adds. `--json` writes the same as data.

Exit codes: 0 listed, 2 bad input (a spec that cannot be loaded or built).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .errors import UserError
from .report.write import PipeSafe, check_outputs, console, write_report
from .result import DEADLOCK_STATEMENT

EXIT_OK, EXIT_ERROR = 0, 2
SCHEMA = "flushcheck-list/1"


def parser() -> argparse.ArgumentParser:
    from .cli import prog
    p = argparse.ArgumentParser(
        prog=prog("list"),
        description="List a spec's checks: their parameters with ranges and defaults, the variant "
                    "switches, and the invariants and properties each checks, with their meanings.",
        epilog="exit codes: 0 listed, 2 bad input")
    p.add_argument("spec", metavar="SPEC", help="a spec file")
    p.add_argument("--check", metavar="NAME", help="only this check of the spec")
    p.add_argument("--json", metavar="PATH", help=f"write the listing as JSON ({SCHEMA}); '-' for stdout")
    return p


def list_command(argv: list[str] | None) -> int | None:
    """The hook at the top of `python -m checker`: runs `list ...`; None for other command lines."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["list"]:
        return main(argv[1:])
    return None


def main(argv: list[str]) -> int:
    from .cli import guarded
    out, err = console(PipeSafe(sys.stdout)), console(sys.stderr)
    a = parser().parse_args(argv)
    return guarded(lambda: run(a, out), err)


def _range(p) -> str:
    if p.choices is not None:
        return " | ".join(map(str, p.choices))
    if isinstance(p.default, bool):
        return "true | false"
    if p.lo is not None or p.hi is not None:
        hi = f"{p.hi}" + (f" (explicit search ≤ {p.explicit_hi})" if p.explicit_hi is not None else "")
        return f"{p.lo}..{hi}"
    return ""


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple):
        return ",".join(map(str, v)) or "(none)"
    return str(v)


def describe(check) -> dict[str, Any]:
    """One check as plain data: parameters, switches, properties, variant edits."""
    from .run import build_model
    model = build_model(check, {})
    proto = check.protocol
    params, switches = [], []
    for p in proto.params:
        value = check.params.get(p.name, p.default)
        row = {"name": p.name, "value": value, "default": p.default, "range": _range(p), "doc": p.doc}
        if p.lo is not None:
            row.update(lo=p.lo, hi=p.hi, explicit_hi=p.explicit_hi)
            params.append(row)
        else:
            row["choices"] = list(p.choices) if p.choices is not None else (
                [False, True] if isinstance(p.default, bool) else None)
            switches.append(row)
    props = [{"kind": "invariant", "name": i.name, "meaning": i.statement, "ref": i.ref,
              "hazard_precondition": i.precondition is not None} for i in model.invariants]
    if check.deadlock:
        props.append({"kind": "deadlock", "name": "deadlock", "meaning": DEADLOCK_STATEMENT, "ref": ""})
    props += [{"kind": "leads-to", "name": p.name, "meaning": p.statement, "ref": p.ref,
               "checked": check.liveness} for p in model.properties]
    props += [{"kind": "cover", "name": c.name, "meaning": c.statement, "ref": c.ref} for c in model.all_covers]
    aux = [{"name": i.name, "meaning": i.statement} for i in model.auxiliary]
    edits = [{"variant": e.name, "of": e.base, "replaces": [n for n, _ in e.replace],
              "drops": list(e.drop), "adds": len(e.add), "doc": e.doc} for e in proto.edits]
    return {"check": check.name, "protocol": proto.name, "doc": (proto.doc or "").strip(),
            "expect": check.expect, "line": check.loc.line if check.loc else 0,
            "parameters": params, "switches": switches, "properties": props, "strengthening": aux,
            "variant": edits, "actions": [a.name for a in model.actions]}


def run(a: argparse.Namespace, out: Console) -> int:
    from .spec import load_spec
    if a.json and a.json != "-":
        check_outputs({"--json": a.json}, [a.spec])
    checks = load_spec(a.spec)
    if a.check is not None:
        checks = [c for c in checks if c.name == a.check]
        if not checks:
            raise UserError(f"no check named '{a.check}' in {a.spec}", None,
                            f"its checks: {', '.join(c.name for c in load_spec(a.spec))}")
    listed = [describe(c) for c in checks]
    if a.json:
        doc = {"format": SCHEMA, "spec": a.spec, "checks": listed}
        text = json.dumps(doc, indent=1) + "\n"
        if a.json == "-":
            out.file.write(text)
            out.file.flush()
        else:
            write_report("--json", a.json, lambda: text)
        return EXIT_OK
    for d in listed:
        show(d, a.spec, out)
    return EXIT_OK


def show(d: dict[str, Any], spec: str, out: Console) -> None:
    out.print(f"[bold]{escape(d['check'])}[/]  ({escape(spec)}:{d['line']})  protocol "
              f"{escape(d['protocol'])} · expect {escape(d['expect'])}", soft_wrap=True, highlight=False)
    if d["doc"]:
        out.print(f"  {escape(d['doc'].splitlines()[0])}", soft_wrap=True, highlight=False)
    for e in d["variant"]:
        what = [f"replaces {', '.join(e['replaces'])}"] if e["replaces"] else []
        what += [f"drops {', '.join(e['drops'])}"] if e["drops"] else []
        what += [f"adds {e['adds']} declaration function(s)"] if e["adds"] else []
        out.print(f"  variant {escape(e['variant'])} of {escape(e['of'])}: {escape('; '.join(what) or 'no edits')}",
                  soft_wrap=True, highlight=False)
    t = Table(title="bounds", title_justify="left")
    for col in ("parameter", "value", "default", "range", "meaning"):
        t.add_column(col, justify="right" if col in ("value", "default") else "left")
    for p in d["parameters"]:
        t.add_row(p["name"], _show(p["value"]), _show(p["default"]), p["range"], escape(p["doc"]))
    out.print(t)
    if d["switches"]:
        t = Table(title="variant switches (--set NAME=VALUE)", title_justify="left")
        for col in ("switch", "value", "default", "choices", "meaning"):
            t.add_column(col)
        for p in d["switches"]:
            mark = "" if p["value"] == p["default"] else " [yellow](set)[/]"
            t.add_row(p["name"], _show(p["value"]) + mark, _show(p["default"]), escape(p["range"]),
                      escape(p["doc"]))
        out.print(t)
    t = Table(title="properties checked", title_justify="left")
    for col in ("kind", "name", "meaning"):
        t.add_column(col)
    for p in d["properties"]:
        kind = p["kind"] + (" (left out: liveness=False)" if p.get("checked") is False else "")
        t.add_row(kind, p["name"], escape(p["meaning"]))
    out.print(t)
    if d["strengthening"]:
        out.print("  strengthening invariants for --prove: " + ", ".join(s["name"] for s in d["strengthening"]),
                  soft_wrap=True, highlight=False)
    out.print()
