"""The command line: run specs, gate a directory of specs, write reports, map verdicts to exit codes.

Exit codes: 0 holds (gate: every expectation met), 1 violation (gate: an expectation unmet),
2 bad input or usage, 3 incomplete (a limit was hit).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from typing import Callable

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__
from .errors import UserError
from .report.ci import got
from .report.outputs import (add_report_arguments, check_report_arguments, graph_limit,
                             output_paths, report_function, write_reports)
from .report.write import PipeSafe, check_outputs, console, is_tty
from .result import CheckResult, Stats, Verdict
from .run import RunOptions, run_check
from .smt.options import add_smt_arguments, smt_options
from .spec import load_spec
from .explicit.cluster import option as cluster_option
from .explicit.memory import default_limit, parse_size
from .modes import add_mode_arguments, mode_options, replay_run
from .usercode import finite_positive

EXIT_OK, EXIT_VIOLATED, EXIT_ERROR, EXIT_INCOMPLETE = 0, 1, 2, 3


def prog(sub: str = "") -> str:
    """The command as the user typed it, for usage lines: `flushcheck` from the console script,
    `python -m checker` from `python -m` (whose argv[0] is checker/__main__.py)."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    base = name if name and name not in ("__main__.py", "-c", "-m") and not name.endswith(".py") \
        else "python -m checker"
    return f"{base} {sub}".strip()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog(),
        description="Check TLB-flush protocol specs: holds within the bounds, or the shortest "
                    "interleaving that breaks an invariant.",
        epilog="exit codes: 0 holds, 1 violated, 2 bad input, 3 incomplete (a limit was hit). "
               "Other commands: list SPEC (what a spec checks), mutate SPEC (mutation testing), cost SPEC (latency and critical path)")
    p.add_argument("specs", nargs="*", metavar="SPEC", help="spec files to check")
    p.add_argument("--gate", metavar="DIR", help="run every spec under DIR and compare each verdict "
                   "with the spec's expectation (exit 0 iff all match)")
    p.add_argument("--mutate", action="store_true",
                   help="with --gate: mutation-test every check that declares min_mutation_score and "
                        "fail when one scores below it (slow; docs/adequacy.md)")
    p.add_argument("--check", metavar="NAME", help="run only the check of this name")
    p.add_argument("--cpus", type=int, metavar="N", help="override the number of CPUs")
    p.add_argument("--pages", type=int, metavar="N", help="override the number of pages")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override any other protocol parameter (e.g. rounds=2, nmi_block=false)")
    p.add_argument("--max-states", type=int, metavar="N", help="stop (incomplete) after N states")
    p.add_argument("--max-depth", type=int, metavar="N", help="stop (incomplete) at BFS depth N")
    p.add_argument("--time-limit", type=float, metavar="S", help="stop (incomplete) after S seconds")
    p.add_argument("--no-liveness", action="store_true",
                   help="skip the leads-to properties (they keep the state graph in memory); the "
                        "verdict is then incomplete unless the spec says liveness=False")
    p.add_argument("--witness", metavar="NAME",
                   help="show the shortest execution that reaches this cover property (or this "
                        "invariant's hazard precondition)")
    p.add_argument("--backend", choices=("auto", "explicit", "fast", "smt"), default="auto",
                   help="explicit-state engine: fast (generated C, needs a C compiler), explicit "
                        "(the Python reference), auto (fast where it can run; default); or smt: "
                        "bounded model checking with Z3 up to --depth steps")
    p.add_argument("--symmetry", action=argparse.BooleanOptionalAction, default=None,
                   help="explore one state per orbit of the index sets the model declares "
                        "symmetric (default: wherever it declares one)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="threads for the fast backend, or Ray workers with --cluster (default: every core; "
                        "same results)")
    p.add_argument("--cluster", metavar="ray|ray://HOST:PORT",
                   help="search on Ray workers, each owning part of the visited set: 'ray' starts a "
                        "local cluster of --workers processes, ray://HOST:PORT joins one (same counts "
                        "and trace; needs the cluster extra; docs/cluster.md)")
    p.add_argument("--memory-limit", metavar="SIZE",
                   help="stop (incomplete, exit 3) before the search's memory passes SIZE (e.g. 4G, "
                        "512M; default: 80%% of physical memory); 'none' for no limit")
    p.add_argument("--checkpoint", metavar="DIR",
                   help="write the fast search to DIR at the end of a BFS level every "
                        "--checkpoint-every seconds and when interrupted (Ctrl-C, SIGTERM)")
    p.add_argument("--checkpoint-every", type=float, default=60.0, metavar="S",
                   help="seconds between checkpoints (default 60; 0: every level)")
    p.add_argument("--resume", metavar="DIR",
                   help="continue the search a --checkpoint run wrote to DIR (same spec, check, "
                        "bounds and flags); it goes on checkpointing there")
    p.add_argument("--fingerprint", action="store_true",
                   help="store 64-bit hashes of states instead of states (fast backend; far less "
                        "memory): the verdict is 'holds with omission probability p'")
    p.add_argument("--json", metavar="PATH", help="write results (and ITF traces) as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks of internal errors")
    p.add_argument("--version", action="version", version=f"flushcheck {__version__}")
    add_report_arguments(p)
    add_smt_arguments(p)
    add_mode_arguments(p)        # --simulate, --seed, --replay, --all (checker/modes.py)
    return p


def _overrides(a: argparse.Namespace) -> dict:
    out: dict = {}
    if a.cpus is not None:
        out["cpus"] = a.cpus
    if a.pages is not None:
        out["pages"] = a.pages
    for item in a.set:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise UserError(f"--set {item!r} is not NAME=VALUE", None, "e.g. --set rounds=2")
        out[name.strip()] = value.strip()
    if a.workers is not None and not 1 <= a.workers <= 64:
        raise UserError(f"--workers must be between 1 and 64, got {a.workers}")
    for lim in ("max_states", "max_depth", "time_limit"):
        v = getattr(a, lim)
        if v is not None and not finite_positive(v):
            raise UserError(f"--{lim.replace('_', '-')} must be positive, got {v}")
    return out


def checkpoint(a: argparse.Namespace):
    """--checkpoint DIR / --resume DIR as the fast backend's Checkpoint (None: neither)."""
    if a.checkpoint is None and a.resume is None:
        return None
    if a.checkpoint and a.resume and os.path.abspath(a.checkpoint) != os.path.abspath(a.resume):
        raise UserError("--checkpoint and --resume name different directories", None,
                        "--resume DIR goes on writing its checkpoints to DIR")
    if not a.checkpoint_every >= 0:
        raise UserError(f"--checkpoint-every must be 0 or more, got {a.checkpoint_every}")
    from .explicit.fast import Checkpoint
    return Checkpoint(a.resume or a.checkpoint, a.checkpoint_every, a.resume is not None)


def memory_limit(text: str | None) -> int | None:
    """--memory-limit SIZE in bytes; the default share of physical memory when not given."""
    if text is None:
        return default_limit()
    if text.strip().lower() in ("none", "off", "0"):
        return None
    n = parse_size(text)
    if n is None:
        raise UserError(f"--memory-limit {text!r} is not a size", None, "e.g. --memory-limit 4G or 512M")
    return n


def _progress(err: Console):
    tty = is_tty(err.file)    # FORCE_COLOR makes rich call a CI log a terminal: no \r lines there
    last = [0.0]

    def show(s: Stats) -> None:
        line = f"  … {s.states:,} states, depth {s.depth}, {s.states_per_s:,.0f} states/s, {s.seconds:.0f} s"
        if tty:
            err.file.write("\r" + line + " " * 8)
            err.file.flush()
        elif s.seconds - last[0] >= 10:
            last[0] = s.seconds
            err.file.write(line + "\n")
    return show


def spec_files(root: str) -> list[str]:
    """Every spec under a directory, sorted; files starting with '_' are helpers, not specs."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith((".", "_")))
        out += [os.path.join(d, f) for f in files if f.endswith(".py") and not f.startswith("_")]
    return sorted(out)


def run_specs(paths: list[str], a: argparse.Namespace, out: Console, err: Console,
              gate: bool) -> tuple[list[CheckResult], list[str]]:
    results, errors = [], []
    opts = RunOptions(_overrides(a), a.max_states, a.max_depth, a.time_limit,
                      None if a.quiet else _progress(err), graph_limit=graph_limit(a))
    if a.no_liveness:
        opts = dataclasses.replace(opts, liveness=False)
    opts = dataclasses.replace(opts, backend=a.backend, symmetry=a.symmetry, workers=a.workers,
                               witness=a.witness, memory_limit=memory_limit(a.memory_limit),
                               fingerprint=a.fingerprint, checkpoint=checkpoint(a),
                               cluster=cluster_option(a.cluster))
    opts = mode_options(a, smt_options(a, opts))
    for path in paths:
        try:
            checks = load_spec(path, a.time_limit)
            chosen = [c for c in checks if a.check is None or c.name == a.check]
            if not chosen:
                raise UserError(f"no check named '{a.check}' in {path}", None,
                                f"its checks: {', '.join(c.name for c in checks)}")
            if opts.checkpoint is not None and (gate or len(paths) > 1 or len(chosen) > 1):
                raise UserError("--checkpoint/--resume save the search of one check", None,
                                "give one spec and choose its check with --check NAME")
            graphs = [f for f, on in (("--dot", a.dot), ("--graphml", a.graphml)) if on]
            if graphs and (len(paths) > 1 or len(chosen) > 1):
                raise UserError(f"{graphs[0]} draws the state graph of one check, but {path} has "
                                f"{len(chosen)}: {', '.join(c.name for c in chosen)}", None,
                                "choose one with --check NAME")
            for c in chosen:
                r = run_check(path, c, opts)
                if opts.progress and is_tty(err.file):
                    err.file.write("\r" + " " * 90 + "\r")
                results.append(r)
                if not gate:
                    report_function(a)(r, out)
                    out.print()
                if was_interrupted(r):   # Ctrl-C / SIGTERM mid-search: report it, run nothing more
                    return results, errors
        except UserError as e:
            errors.append(str(e))
            err.print(escape(str(e)), soft_wrap=True, highlight=False)
            if not gate:
                break
    return results, errors


def was_interrupted(r: CheckResult) -> bool:
    """The search of this check was stopped by Ctrl-C or SIGTERM (its result is incomplete)."""
    return r.verdict is Verdict.INCOMPLETE and any(
        w.startswith("interrupted after") for w in [r.reason, *r.unchecked.values()])


def _sigterm_as_ctrl_c() -> None:
    """SIGTERM stops a search the way Ctrl-C does: statistics, "incomplete", reports, exit 3."""
    import signal
    import threading
    if threading.current_thread() is threading.main_thread():
        def term(signum, frame):
            raise KeyboardInterrupt
        signal.signal(signal.SIGTERM, term)


def gate_table(results: list[CheckResult]) -> Table:
    t = Table(title="spec gate", show_lines=False)
    for col in ("check", "spec", "expect", "verdict", "states", "depth", "seconds", "met"):
        t.add_column(col, justify="right" if col in ("states", "depth", "seconds") else "left")
    for r in results:
        t.add_row(r.check, r.spec, r.expect, got(r), f"{r.stats.states:,}", str(r.stats.depth),
                  f"{r.stats.seconds:.2f}", "[green]yes[/]" if r.expectation_met else "[red]NO[/]")
    return t


def main(argv: list[str] | None = None) -> int:
    from .adequacy.cli import mutate_command  # the `mutate SPEC ...` subcommand
    from .cost.cli import cost_command  # the `cost SPEC ...` subcommand
    from .listing import list_command  # the `list SPEC` subcommand
    for command in (mutate_command, list_command, cost_command):
        if (code := command(argv)) is not None:
            return code
    a = parser().parse_args(argv)
    _sigterm_as_ctrl_c()
    out, err = console(PipeSafe(sys.stdout)), console(sys.stderr)
    return guarded(lambda: run_command(a, out, err), err, a.debug)


def guarded(run: Callable[[], int], err: Console, debug: bool = False) -> int:
    """Run a command: bad input is one located line and exit 2, Ctrl-C exit 130, and a bug in
    flushcheck one line (the traceback with --debug) and exit 2 — never a silent verdict."""
    try:
        return run()
    except UserError as e:
        err.print(escape(str(e)), soft_wrap=True, highlight=False)
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as e:
        if debug:
            raise
        err.print(f"internal error: {type(e).__name__}: {escape(str(e))} — this is a flushcheck bug; "
                  "rerun with --debug for the traceback and report it", soft_wrap=True)
        return EXIT_ERROR


def run_command(a: argparse.Namespace, out: Console, err: Console) -> int:
    """The spec run or the gate the command line asks for; its exit code."""
    check_report_arguments(a)
    if a.replay is not None:
        return replay_command(a, out, err)
    if a.mutate:
        if not a.gate:
            raise UserError("--mutate needs --gate DIR", None, "e.g. python -m checker --gate specs --mutate")
        from .adequacy.cli import gate_mutate
        return gate_mutate([a.gate], workers=a.workers, quiet=a.quiet)
    if a.gate:
        if a.specs:
            raise UserError("give either --gate DIR or spec files, not both")
        if not os.path.isdir(a.gate):
            raise UserError(f"--gate {a.gate}: not a directory")
        paths = spec_files(a.gate)
        if not paths:
            raise UserError(f"--gate {a.gate}: no spec files found")
    else:
        if not a.specs:
            raise UserError("no spec given", None, "e.g. python -m checker specs/async_inline.py")
        paths = a.specs
    check_outputs(output_paths(a), paths)
    t0 = time.perf_counter()
    results, errors = run_specs(paths, a, out, err, gate=bool(a.gate))
    if a.gate:
        out.print(gate_table(results))
        unmet = [r for r in results if not r.expectation_met]
        out.print(f"{len(results) - len(unmet)}/{len(results)} checks met their expectation, "
                  f"{len(errors)} spec errors, {time.perf_counter() - t0:.1f} s")
        for r in results:   # a holds with fingerprints is qualified, in words, not only in the table
            if r.omission is not None and r.verdict is Verdict.HOLDS:
                out.print(f"{escape(r.check)} ({escape(r.spec)}): {got(r)} (--fingerprint)", soft_wrap=True)
        for r in unmet:
            why = "; ".join(r.vacuity) if r.verdict is Verdict.HOLDS else \
                (r.violation.invariant if r.violation else r.reason)
            out.print(f"[red]unmet:[/] {escape(r.check)} ({escape(r.spec)}): expected {r.expect}, got "
                      f"{escape(got(r))}: {escape(why)}")
        code = EXIT_ERROR if errors else (EXIT_VIOLATED if unmet else EXIT_OK)
    else:
        code = exit_code(results, errors)
    # --json, --html, --dot/--graphml, --junit, --sarif, GitHub annotations: a failed write is
    # one located line and exit 2, and the other reports are still written
    failed = write_reports(a, results, errors, code, time.perf_counter() - t0)
    for line in failed:
        err.print(escape(line), soft_wrap=True, highlight=False)
    return EXIT_ERROR if failed else code


def replay_command(a: argparse.Namespace, out: Console, err: Console) -> int:
    """--replay TRACE: one check, the trace re-executed, reported like a run (checker/modes.py)."""
    check_outputs(output_paths(a), a.specs + [a.replay])
    t0 = time.perf_counter()
    r = replay_run(a, err)
    report_function(a)(r, out)
    code = exit_code([r], [])
    failed = write_reports(a, [r], [], code, time.perf_counter() - t0)
    for line in failed:
        err.print(escape(line), soft_wrap=True, highlight=False)
    return EXIT_ERROR if failed else code


def exit_code(results: list[CheckResult], errors: list[str]) -> int:
    if errors:
        return EXIT_ERROR
    verdicts = {r.verdict for r in results}
    if Verdict.VIOLATED in verdicts or Verdict.UNCOVERED in verdicts:
        return EXIT_VIOLATED
    if Verdict.INCOMPLETE in verdicts:
        return EXIT_INCOMPLETE
    return EXIT_OK
