"""The optional report files and CI outputs of the command line, in one place.

`--lanes` (terminal trace in CPU lanes), `--itf DIR` (standalone ITF traces), `--html` (trace
viewer), `--dot`/`--graphml` (state graph of one small check), `--junit`/`--sarif` (gate mode),
and GitHub Actions annotations when GITHUB_ACTIONS=true. Reporters are imported only when asked for.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from ..errors import UserError
from ..result import CheckResult
from .write import PipeSafe


def add_report_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("trace and CI reports")
    g.add_argument("--lanes", action="store_true",
                   help="draw the trace one column per CPU, IPIs and acks noted at both ends")
    g.add_argument("--html", metavar="PATH", help="write a self-contained HTML trace viewer")
    g.add_argument("--itf", metavar="DIR",
                   help="write each trace as DIR/CHECK.itf.json, a standalone ITF trace (Apalache "
                        "ADR-015) that Apalache's and Quint's tools open and --replay re-runs")
    g.add_argument("--dot", metavar="PATH", help="write the explored state graph (one small check) as DOT")
    g.add_argument("--graphml", metavar="PATH", help="write the explored state graph as GraphML")
    g.add_argument("--graph-limit", type=int, metavar="N", default=None,
                   help="refuse --dot/--graphml above N states (default 2000)")
    g.add_argument("--junit", metavar="PATH", help="with --gate: write JUnit XML, one testcase per check")
    g.add_argument("--sarif", metavar="PATH", help="with --gate: write SARIF 2.1.0 results")


def check_report_arguments(a: argparse.Namespace) -> None:
    """Usage errors, raised before anything runs."""
    if not a.gate:
        for flag in ("junit", "sarif"):
            if getattr(a, flag):
                raise UserError(f"--{flag} needs --gate DIR", None,
                                f"e.g. python -m checker --gate specs --{flag} out.{'xml' if flag == 'junit' else 'sarif'}")
    if a.gate and (a.dot or a.graphml):
        raise UserError("--dot/--graphml draw one check's state graph, not a whole gate", None,
                        "run one spec with --check NAME instead of --gate")
    if getattr(a, "itf", None):
        from .itf import check_itf_dir
        check_itf_dir(a.itf)
    if a.graph_limit is not None and a.graph_limit <= 0:
        raise UserError(f"--graph-limit must be positive, got {a.graph_limit}")
    if a.graph_limit is not None and not (a.dot or a.graphml):
        raise UserError("--graph-limit only applies to --dot/--graphml")


def graph_limit(a: argparse.Namespace) -> int | None:
    """The state limit for recording the state graph; None when no graph is wanted."""
    if not (a.dot or a.graphml):
        return None
    from .graph import DEFAULT_LIMIT
    return a.graph_limit or DEFAULT_LIMIT


def report_function(a: argparse.Namespace):
    if a.lanes:
        from .lanes import report_lanes
        return report_lanes
    from .text import report
    return report


OUTPUT_FLAGS = ("json", "html", "dot", "graphml", "junit", "sarif")


def output_paths(a: argparse.Namespace) -> dict[str, str | None]:
    """Every report file the command line asks for: flag -> path (None: not asked)."""
    return {f"--{flag}": getattr(a, flag) for flag in OUTPUT_FLAGS}


def _writers(a: argparse.Namespace, results: list[CheckResult], errors: list[str], code: int,
             seconds: float) -> list[Callable[[], None]]:
    """One writer per report asked for, in a fixed order; reporters imported only when asked."""
    out: list[Callable[[], None]] = []
    if a.json:
        from .json import write_json
        out.append(lambda: write_json(a.json, results, code))
    if getattr(a, "itf", None):
        from .itf import write_itf_dir
        out.append(lambda: write_itf_dir(a.itf, results) and None)
    if a.html:
        from .html import write_html
        out.append(lambda: write_html(a.html, results))
    if (a.dot or a.graphml) and not errors:
        from .graph import write_dot, write_graphml
        if a.dot:
            out.append(lambda: write_dot(a.dot, results))
        if a.graphml:
            out.append(lambda: write_graphml(a.graphml, results))
    if a.junit:
        from .junit import write_junit
        out.append(lambda: write_junit(a.junit, results, errors, seconds))
    if a.sarif:
        from .sarif import write_sarif
        out.append(lambda: write_sarif(a.sarif, results, errors, code))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from .ci import github_annotations
        lines = github_annotations(results, errors, bool(a.gate))
        if lines:
            out.append(lambda: _annotate(lines))
    return out


def _annotate(lines: list[str]) -> None:
    """GitHub Actions reads its annotations from stdout."""
    stdout = PipeSafe(sys.stdout)
    stdout.write("\n".join(lines) + "\n")
    stdout.flush()


def write_reports(a: argparse.Namespace, results: list[CheckResult], errors: list[str], code: int,
                  seconds: float) -> list[str]:
    """Write every report asked for; one that fails does not stop the others. Returns the
    failures, one located line each (the command then exits 2)."""
    failed = []
    for write in _writers(a, results, errors, code, seconds):
        try:
            write()
        except UserError as e:
            failed.append(str(e))
    return failed
