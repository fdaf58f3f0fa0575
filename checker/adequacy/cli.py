"""`python -m checker mutate SPEC`: the mutation score of a spec's checks, and the mutation gate.

Exit codes: 0 every mutant ran (and each check with a `min_mutation_score` met it), 1 a check
scored below its floor, 2 bad input, 3 the --time-limit ran out before every mutant ran.
`--mutant N` runs one mutant as a normal check instead (trace and all; the normal exit code).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from .. import __version__
from ..errors import UserError
from ..report.write import PipeSafe, check_outputs, console, write_report
from ..run import RunOptions, run_check
from ..spec import Check, load_spec
from ..usercode import finite_positive
from .mutants import APART, KINDS, describe_action
from .mutate import (
    OUTCOMES,
    MutantResult,
    MutationRun,
    as_dict,
    check_mutants,
    default_backend,
    mutate_check,
)

EXIT_OK, EXIT_BELOW, EXIT_ERROR, EXIT_INCOMPLETE = 0, 1, 2, 3
SCHEMA = "flushcheck-mutate/1"


def parser() -> argparse.ArgumentParser:
    from ..cli import prog
    p = argparse.ArgumentParser(
        prog=prog("mutate"),
        description="Mutate each check's model (guards weakened, updates dropped, steps swapped, "
                    "…), run every mutant against the check's own properties, and report the "
                    "mutation score and every mutant that survived.",
        epilog="exit codes: 0 ran (and met each min_mutation_score), 1 below a floor, 2 bad input, "
               "3 the time limit ran out before every mutant ran")
    p.add_argument("spec", metavar="SPEC", help="a spec file")
    p.add_argument("--check", metavar="NAME", help="only this check of the spec")
    p.add_argument("--max-mutants", type=int, metavar="N",
                   help="run at most N mutants per check, spread evenly over the list")
    p.add_argument("--action", action="append", default=[], metavar="NAME",
                   help="only the mutants of this action (repeat for several): a review of the "
                        "functions a change touches; the check's floor does not apply")
    p.add_argument("--time-limit", type=float, metavar="S",
                   help="stop after S seconds per check (exit 3 if mutants were left out)")
    p.add_argument("--mutant", type=int, metavar="N",
                   help="show mutant N and run it as a normal check, trace and all")
    p.add_argument("--escalate", action="append", default=[], metavar="NAME",
                   help="run the survivors again at this check of the spec (same protocol, larger bounds or more "
                        "switched on; repeat for several, tried in order): one killed there counts as killed, "
                        "marked with the check")
    p.add_argument("--json", metavar="PATH", help=f"write every mutant's outcome as JSON ({SCHEMA})")
    p.add_argument("--workers", type=int, metavar="N", help="processes (default: every core)")
    p.add_argument("--backend", choices=("fast", "explicit", "auto"), default=None,
                   help="the engine each mutant runs on (default: fast where a C compiler is "
                        "present; every engine gives the same outcomes)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    return p


def mutate_command(argv: list[str] | None) -> int | None:
    """The hook at the top of `python -m checker`: runs `mutate ...` and returns the exit code;
    None for any other command line."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["mutate"]:
        return main(argv[1:])
    return None


def main(argv: list[str]) -> int:
    """`python -m checker mutate SPEC ...`."""
    from ..cli import guarded
    out = stdout_console()
    err = console(sys.stderr)
    a = parser().parse_args(argv)
    return guarded(lambda: run_command(a, out, err), err)


def run_command(a: argparse.Namespace, out: Console, err: Console) -> int:
    """One mutant (--mutant N) or every mutant of the chosen checks; the exit code."""
    for flag in ("max_mutants", "time_limit", "workers", "mutant"):
        v = getattr(a, flag)
        if v is not None and not finite_positive(v):
            raise UserError(f"--{flag.replace('_', '-')} must be positive, got {v}")
    check_outputs({"--json": a.json}, [a.spec])
    checks = chosen_checks(a.spec, a.check)
    if a.mutant is not None:
        if a.json or a.action or a.escalate:
            flag = '--json' if a.json else '--action' if a.action else '--escalate'
            raise UserError(f"{flag} chooses from a whole mutation run; leave it out with --mutant N")
        return run_one(a.spec, checks, a.mutant, a.backend, out)
    return run_all(a, checks, out, err)


def stdout_console() -> Console:
    """Tables wide enough for action names when the output goes to a file or a pipe."""
    return console(PipeSafe(sys.stdout))


def chosen_checks(spec: str, name: str | None) -> list[Check]:
    """The checks to mutate: the named one, or every check of the spec that expects holds.
    (mutate's --time-limit is a budget for the mutants, so it does not bound loading.)"""
    checks = load_spec(spec)
    if name is not None:
        picked = [c for c in checks if c.name == name]
        if not picked:
            raise UserError(f"no check named '{name}' in {spec}", None,
                            f"its checks: {', '.join(c.name for c in checks)}")
        return picked
    holding = [c for c in checks if c.expect == "holds"]
    if not holding:
        raise UserError(f"no check in {spec} expects holds: mutation testing measures a model "
                        "whose check holds", None, "bug specs are already violated")
    return holding


# ---------------------------------------------------------------- one mutant, as a normal check

def run_one(spec: str, checks: list[Check], number: int, backend: str | None, out: Console) -> int:
    """Print mutant `number` (its changed actions, guard and updates) and run it like a check."""
    if len(checks) > 1:
        raise UserError(f"{spec} has several checks; say which with --check NAME", None,
                        f"its checks: {', '.join(c.name for c in checks)}")
    check = checks[0]
    ms = check_mutants(check)[1]
    if not 1 <= number <= len(ms):
        raise UserError(f"--mutant {number}: check {check.name} has mutants 1..{len(ms)}")
    m = ms[number - 1]
    out.print(f"[bold]mutant {m.number}[/] of {len(ms)} ({m.kind}): {escape(m.description)}",
              soft_wrap=True)
    out.print(f"  [dim]{escape(m.ref)}[/]", soft_wrap=True)
    for a in m.model.actions:
        if a.name in m.changed:
            for line in describe_action(a):
                out.print("  " + escape(line), soft_wrap=True)
    out.print()
    from ..report.text import report
    opts = RunOptions(backend=backend or default_backend(), symmetry=False, sanity=False)
    r = run_check(spec, check, opts, model=m.model)
    report(r, out)
    return r.verdict.exit_code


# ---------------------------------------------------------------- every mutant

def run_all(a: argparse.Namespace, checks: list[Check], out: Console, err: Console) -> int:
    runs: list[MutationRun] = []
    t0 = time.perf_counter()
    big = tuple(chosen_checks(a.spec, name)[0] for name in a.escalate)
    for check in checks:
        runs.append(mutate_with_progress(a.spec, check, a.workers, a.max_mutants, a.time_limit,
                                         a.backend, err if not a.quiet else None, tuple(a.action), big))
        report_run(runs[-1], out)
    code = exit_code(runs)
    if a.json:
        write_json(a.json, runs, code, time.perf_counter() - t0)
    return code


def mutate_with_progress(spec: str, check: Check, workers: int | None, max_mutants: int | None,
                         time_limit: float | None, backend: str | None,
                         err: Console | None, actions: tuple[str, ...] = (),
                         escalate: tuple[Check, ...] = ()) -> MutationRun:
    """`mutate_check` with a rich progress line on stderr (none when `err` is None)."""
    if err is None:
        return mutate_check(spec, check, workers=workers, max_mutants=max_mutants,
                            time_limit=time_limit, backend=backend, actions=actions, escalate=escalate)
    with Progress(TextColumn("mutants of {task.fields[check]}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[tally]}"), TimeElapsedColumn(), console=err,
                  transient=True, auto_refresh=False) as bar:  # no thread: the pool forks
        task = bar.add_task("mutate", total=None, check=check.name, tally="checking the original")
        tally = {o: 0 for o in OUTCOMES}

        def step(done: int, total: int, r: MutantResult) -> None:
            tally[r.outcome] += 1
            bar.update(task, completed=done, total=total,
                       tally=" · ".join(f"{n} {o}" for o, n in tally.items() if n), refresh=True)
        return mutate_check(spec, check, workers=workers, max_mutants=max_mutants,
                            time_limit=time_limit, backend=backend, actions=actions, progress=step,
                            escalate=escalate)


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f} %"


def bounds_text(run: MutationRun) -> str:
    return " ".join(f"{k}={v}" for k, v in run.bounds.items()) or "its default parameters"


def action_table(run: MutationRun) -> Table:
    """One row per action: how its mutants fared, and its score."""
    t = Table(title=f"mutants of {run.check} ({run.spec}) · {bounds_text(run)}")
    t.add_column("action")
    for o in ("mutants",) + OUTCOMES[:-1] + ("score", "env widened", "observer"):
        t.add_column(o, justify="right")
    rows = [(a, run.counts(a), run.score(a), [run.apart_counts(w, a) for w in APART]) for a in run.actions()] \
        + [("total", run.counts(), run.score(), [run.apart_counts(w) for w in APART])]
    for i, (name, c, s, aside) in enumerate(rows):
        n = sum(c.values()) + sum(sum(w.values()) for w in aside)
        t.add_row(f"[bold]{name}[/]" if i == len(rows) - 1 else name, str(n),
                  *[str(c[o]) for o in OUTCOMES[:-1]], pct(s),
                  *[f"{w['killed']} / {w['survived']}" if w else "" for w in aside], end_section=i == len(rows) - 2)
    return t


def survivor_line(r: MutantResult, run: MutationRun) -> str:
    """A survivor as a kernel developer can act on it: what, where in the kernel, at which bounds."""
    return (f"#{r.number} {r.description} — {r.ref or 'no kernel ref'} — survives {run.check} at "
            f"{bounds_text(run)}")


def report_run(run: MutationRun, out: Console) -> None:
    out.print(action_table(run))
    c = run.counts()
    floor = "" if run.floor is None or run.only else \
        f" · floor {pct(run.floor)}: {'[green]met[/]' if run.met else '[red]NOT MET[/]'}"
    if run.only:
        out.print(f"only the mutants of {', '.join(run.only)} (--action): the check's floor does not apply",
                  soft_wrap=True)
    kinds = kinds_count_of(run)
    out.print(f"[bold]mutation score {pct(run.score())}[/] ({c['killed']} killed of "
              f"{run.counted()}; {c['equivalent']} "
              f"equivalent, {c['error']} errors, {c['incomplete']} incomplete, {sum(r.outcome == 'not run' for r in run.results)} not "
              f"run){floor} · {len(run.results)} of {run.generated} mutants · "
              f"{run.original_states:,} states in the original · {run.seconds:.1f} s on "
              f"{run.workers} workers, backend {run.backend}", soft_wrap=True)
    out.print("mutants per kind: " + ", ".join(f"{k} {n}" for k, n in kinds.items()), soft_wrap=True)
    for why, what in APART.items():
        w = run.apart_counts(why)
        if w and w["not run"] < sum(w.values()):
            out.print(f"{sum(w.values())} mutants left out of the score ({why}: {what}): {w['killed']} break a "
                      f"property, {w['survived']} hold, {w['equivalent']} equivalent", soft_wrap=True)
    late = [r for r in run.results if r.at]
    if run.escalated:
        out.print(f"survivors run again at {', '.join(run.escalated)} (--escalate): {len(late)} killed there"
                  + "".join(f"\n  #{r.number} {escape(r.description)} — by {r.killer} at {r.at}" for r in late),
                  soft_wrap=True)
    survivors = run.survivors()
    if survivors:
        out.print(f"[bold]{len(survivors)} survivors[/] (re-run one with --check {run.check} "
                  "--mutant N):")
        for r in survivors:
            out.print("  " + escape(survivor_line(r, run)), soft_wrap=True)
    for why, title in (("environment", "rules of the environment the design does not need (every property "
                                        "holds without them)"),
                       ("observer", "changes to a hazard's observer that no property noticed")):
        held = run.held_apart(why)
        if held:
            out.print(f"{len(held)} {title}:")
            for r in held:
                out.print(f"  #{r.number} {escape(r.description)}", soft_wrap=True)
    for r in run.results:
        if r.outcome in ("error", "incomplete"):
            out.print(f"  [yellow]{r.outcome}[/] #{r.number} {escape(r.description)}: "
                      f"{escape(r.detail)}", soft_wrap=True)
    out.print()


def kinds_count_of(run: MutationRun) -> dict[str, int]:
    counted = {k: 0 for k in KINDS}
    for r in run.results:
        counted[r.kind] += 1
    return {k: n for k, n in counted.items() if n}


def exit_code(runs: list[MutationRun]) -> int:
    if not all(r.complete for r in runs):
        return EXIT_INCOMPLETE
    return EXIT_OK if all(r.met for r in runs) else EXIT_BELOW


def write_json(path: str, runs: list[MutationRun], code: int, seconds: float) -> None:
    doc = {"schema": SCHEMA, "flushcheck": __version__, "exit_code": code,
           "seconds": round(seconds, 2), "kinds": KINDS, "checks": [as_dict(r) for r in runs]}
    write_report("--json", path, lambda: json.dumps(doc, indent=1) + "\n")


# ---------------------------------------------------------------- the mutation gate

def gate_mutate(paths: list[str], *, workers: int | None = None, backend: str | None = None,
                out: Console | None = None, err: Console | None = None, quiet: bool = False) -> int:
    """Mutate every check under `paths` (directories or spec files) that declares a
    `min_mutation_score`; exit 1 when one scores below its floor, with one table row each."""
    from ..cli import spec_files
    out = out or stdout_console()
    err = err or console(sys.stderr)
    files: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            files += spec_files(p)
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise UserError(f"--gate {p}: not a directory or spec file")
    runs: list[MutationRun] = []
    errors = 0
    for f in files:
        try:
            for c in load_spec(f):
                if c.min_mutation_score is not None:
                    runs.append(mutate_with_progress(f, c, workers, None, None, backend,
                                                     None if quiet else err))
        except UserError as e:
            errors += 1
            err.print(escape(str(e)), soft_wrap=True, highlight=False)
    if not runs and not errors:
        out.print(f"no check under {', '.join(paths)} declares min_mutation_score: nothing to gate")
        return EXIT_OK
    t = Table(title="mutation gate")
    for col in ("check", "spec", "mutants", "killed", "survived", "equivalent", "score", "floor", "met"):
        t.add_column(col, justify="right" if col in ("mutants", "killed", "survived", "equivalent",
                                                     "score", "floor") else "left")
    for r in runs:
        c = r.counts()
        t.add_row(r.check, r.spec, str(len(r.results)), str(c["killed"]), str(c["survived"]),
                  str(c["equivalent"]), pct(r.score()), pct(r.floor),
                  "[green]yes[/]" if r.met else "[red]NO[/]")
    out.print(t)
    for r in runs:
        if not r.met:
            out.print(f"[red]below the floor:[/] {escape(r.check)} ({escape(r.spec)}) scores "
                      f"{pct(r.score())} < {pct(r.floor)}; its survivors:")
            for s in r.survivors():
                out.print("  " + escape(survivor_line(s, r)), soft_wrap=True)
    return EXIT_ERROR if errors else exit_code(runs)
