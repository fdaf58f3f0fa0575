"""The command line's other ways to run a check: random simulation (`--simulate N --depth D
--seed S`), every violation (`--all`) and trace replay (`--replay TRACE.itf.json`).

Their flags, the usage errors of each, and the replay run live here so that checker/cli.py only
adds the group, passes the options on and hands `--replay` over.

Exit codes as for any run: 0 holds, 1 violated (--replay: the trace still violates), 2 bad
input, 3 incomplete (--simulate without a violation is always incomplete: a sample proves
nothing). A replay that no longer violates — every step replays and nothing breaks, or a step
is no longer a transition of the model — exits 0: the recorded bug cannot happen any more.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import time

from rich.console import Console
from rich.markup import escape

from .errors import UserError
from .result import CheckResult, Stats, Verdict

MAX_SEED = (1 << 64) - 1


def add_mode_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("simulation, replay, every violation")
    g.add_argument("--simulate", type=int, metavar="N",
                   help="instead of exhausting the states, run N random walks of up to --depth steps "
                        "(default 100) and report the shortest violation found; without one the "
                        "verdict is incomplete (exit 3). For bounds too large to exhaust")
    g.add_argument("--seed", type=int, metavar="S",
                   help="with --simulate: the walks' seed (default 1); the same seed, the same walks")
    g.add_argument("--replay", metavar="TRACE",
                   help="re-execute a saved TRACE.itf.json (--itf DIR) against the current model: "
                        "still violates (exit 1), no longer a real execution, or replays without "
                        "violating (exit 0). SPEC defaults to the trace's own")
    g.add_argument("--all", action="store_true", dest="all_violations",
                   help="keep searching after the first violation and report the shortest trace "
                        "of every violated property (explicit backend)")


def _refuse(a: argparse.Namespace, mode: str, flags: dict[str, object]) -> None:
    for flag, given in flags.items():
        if given:
            raise UserError(f"{mode} and {flag} do not go together", None,
                            f"leave {flag} out, or run without {mode}")


def mode_options(a: argparse.Namespace, opts):
    """The RunOptions of --simulate/--seed/--all; usage errors are UserErrors."""
    sym = bool(a.symmetry)
    smt = a.backend == "smt" or a.prove
    if a.seed is not None and a.simulate is None:
        raise UserError("--seed is the seed of --simulate's random walks", None, "add --simulate N")
    if a.simulate is not None:
        if a.simulate <= 0:
            raise UserError(f"--simulate must be a positive number of walks, got {a.simulate}",
                            None, "e.g. --simulate 1000 --depth 50")
        if a.seed is not None and not 0 <= a.seed <= MAX_SEED:
            raise UserError(f"--seed must be between 0 and 2^64-1, got {a.seed}")
        _refuse(a, "--simulate", {"--gate": a.gate, "--all": a.all_violations, "--witness": a.witness,
                                  "--backend smt/--prove": smt, "--symmetry": sym,
                                  "--fingerprint": a.fingerprint, "--checkpoint/--resume":
                                  a.checkpoint or a.resume, "--dot/--graphml": a.dot or a.graphml,
                                  "--max-states/--max-depth": a.max_states or a.max_depth,
                                  "--cluster": a.cluster})
        from .explicit.simulate import DEFAULT_DEPTH, DEFAULT_SEED, Walks
        walks = Walks(a.simulate, a.depth if a.depth is not None else DEFAULT_DEPTH,
                      a.seed if a.seed is not None else DEFAULT_SEED)
        opts = dataclasses.replace(opts, simulate=walks)
    if a.all_violations:
        _refuse(a, "--all", {"--witness": a.witness, "--backend smt/--prove": smt,
                             "--fingerprint": a.fingerprint,
                             "--checkpoint/--resume": a.checkpoint or a.resume, "--cluster": a.cluster})
        opts = dataclasses.replace(opts, all_violations=True)
    return opts


# ---------------------------------------------------------------- --replay

def _pick(checks, name: str | None, path: str):
    if name is not None:
        chosen = [c for c in checks if c.name == name]
        if not chosen:
            raise UserError(f"no check named '{name}' in {path}", None,
                            f"its checks: {', '.join(c.name for c in checks)}; choose one with --check NAME")
        return chosen[0]
    if len(checks) > 1:
        raise UserError(f"{path} has {len(checks)} checks and the trace names none", None,
                        f"choose one with --check NAME: {', '.join(c.name for c in checks)}")
    return checks[0]


def replay_run(a: argparse.Namespace, err: Console) -> CheckResult:
    """--replay TRACE: load the trace, find its spec and check, build the current model, replay."""
    from .explicit.compile import compile_model
    from .explicit.replay import replay
    from .report.itf import read_itf
    from .run import _locs, action_locs, build_model
    from .spec import load_spec
    _refuse(a, "--replay", {"--gate": a.gate, "--simulate": a.simulate is not None,
                            "--all": a.all_violations, "--witness": a.witness,
                            "--backend smt/--prove": a.backend == "smt" or a.prove,
                            "--dot/--graphml": a.dot or a.graphml, "--fingerprint": a.fingerprint,
                            "--checkpoint/--resume": a.checkpoint or a.resume})
    if len(a.specs) > 1:
        raise UserError("--replay re-executes one trace against one spec", None,
                        "give one SPEC (or none: the trace names its own)")
    t0 = time.perf_counter()
    doc = read_itf(a.replay)
    meta = doc.get("#meta") if isinstance(doc.get("#meta"), dict) else {}
    spec = a.specs[0] if a.specs else meta.get("source")
    if not isinstance(spec, str) or not spec:
        raise UserError(f"{a.replay} does not name the spec it came from", None,
                        f"give it: python -m checker SPEC --replay {a.replay}")
    if not a.specs and not os.path.isfile(spec):
        raise UserError(f"{a.replay} came from spec '{spec}', which is not here", None,
                        f"give the spec's path: python -m checker SPEC --replay {a.replay}")
    checks = load_spec(spec, a.time_limit)
    want = a.check or (meta.get("check") if isinstance(meta.get("check"), str) else None)
    if a.check is None and want is not None and want not in [c.name for c in checks] and len(checks) == 1:
        want = None          # a renamed check: the spec's only one
    check = _pick(checks, want, spec)
    from .cli import _overrides
    overrides = _overrides(a)
    # the trace's bounds (CPUs, pages, rounds, ...): a trace fits only a model of its size; its
    # design switches are not taken over — the current model is the spec's, as it is now
    bounds = {}
    recorded = meta.get("params") if isinstance(meta.get("params"), dict) else {}
    for k, v in recorded.items():
        p = check.protocol.param(k)
        if p is not None and p.lo is not None and k not in overrides:
            bounds[k] = v
    model = build_model(check, {**bounds, **overrides})
    compiled = compile_model(model)
    r = replay(compiled, doc, a.replay, check.deadlock)
    differ = {k: v for k, v in bounds.items() if check.params.get(k, check.protocol.param(k).default) != v}
    shown = " ".join(f"{k}={v}" for k, v in differ.items())
    notes = [f"replayed at the trace's bounds {shown} (the spec's differ)"] if differ else []
    steps = len(r.trace.steps) - 1 if r.trace is not None else 0
    verdict = Verdict.VIOLATED if r.outcome == "violates" else Verdict.HOLDS
    info = {"trace": a.replay, "outcome": r.outcome, "step": r.step, "why": r.why,
            "steps": r.steps, "replayed": steps}
    return CheckResult(check.name or check.protocol.name, spec, check.protocol.name,
                       check.shown_params(dict(model.params)), verdict, "explicit", False,
                       tuple(i.name for i in model.invariants), r.violation,
                       r.trace if r.outcome == "violates" else None,
                       Stats(states=steps + 1, transitions=steps, depth=steps,
                             seconds=time.perf_counter() - t0),
                       {}, notes, r.why, check.expect, spec_line=check.loc.line if check.loc else 0,
                       invariant_locs=_locs(model), action_locs=action_locs(model), replay=info)


def replay_lines(r: CheckResult) -> list[str]:
    """The verdict and statistics lines of a replay (checker/report/text.py prints them)."""
    m = r.replay or {}
    step, why = m.get("step"), escape(m.get("why", ""))
    if m.get("outcome") == "violates" and r.violation is not None:
        head = (f"[bold red]still violates[/] [bold]{escape(r.violation.invariant)}[/] at step {step} — "
                f"{escape(r.violation.statement)}")
    elif m.get("outcome") == "diverges":
        head = (f"[bold yellow]no longer a real execution[/] at step {step}: {why} — the recorded "
                "execution cannot happen in the current model")
    else:
        head = f"[bold green]replays but no longer violates[/]: {why}"
    stats = (f"replay of {escape(m.get('trace', ''))}: {m.get('replayed', 0)} of {m.get('steps', 0)} steps "
             f"re-executed · {r.stats.seconds:.2f} s")
    return [head, stats]
