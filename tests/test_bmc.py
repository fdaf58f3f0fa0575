"""Bounded model checking agrees with the explicit search on every check of every spec.

- every check expected to find a bug (all of specs/bugs/ and the variants elsewhere): BMC finds
  the same invariant violated, at exactly the depth of the explicit search's shortest
  counterexample, with a trace that is a real execution;
- every check expected to hold, at 2 CPUs, one page, one round (and the seed's design across
  two rounds): BMC finds nothing within the explicit search's depth (the reachable state space
  is no deeper, so this is a complete check at that size).
"""
from __future__ import annotations

import glob
import os

import pytest

from checker.cli import main
from checker.errors import ModelRuntimeError
from checker.explicit.compile import compile_model
from checker.result import Verdict
from checker.run import RunOptions, build_model, run_check
from checker.spec import load_spec

from .conftest import ROOT, searched_all_clean, spec_path

CHECKS = [(os.path.relpath(f, ROOT), c.name, c.expect)
          for f in sorted(glob.glob(spec_path("**", "*.py"), recursive=True))
          for c in load_spec(f)]
BUG_CHECKS = [(rel, name) for rel, name, expect in CHECKS if expect != "holds"]
HOLD_CHECKS = [(rel, name) for rel, name, expect in CHECKS if expect == "holds"]


def test_every_bug_spec_is_a_bmc_case():
    bug_files = {os.path.relpath(f, ROOT) for f in glob.glob(spec_path("bugs", "*.py"))}
    assert bug_files and bug_files <= {rel for rel, _ in BUG_CHECKS}
    assert {"specs/async_inline.py", "specs/baseline.py", "specs/concurrent.py"} <= \
        {rel for rel, _ in HOLD_CHECKS}


def _check(rel: str, name: str | None = None):
    checks = load_spec(os.path.join(ROOT, rel))
    return next(c for c in checks if name is None or c.name == name)


def _replay(check, overrides, trace) -> None:
    """Each step of the trace is a transition of the explicit backend's successor function."""
    c = compile_model(build_model(check, overrides))
    layout = c.layout
    states = [tuple(x for v in layout.vars for x in _flat(st.state[v.name], v)) for st in trace.steps]
    assert states[0] == layout.initial()
    labels = {i: inst.label for i, inst in enumerate(c.instances)}
    for prev, nxt, step in zip(states, states[1:], trace.steps[1:]):
        succ = {labels[k]: t for k, t in c.successors(prev)}
        args = ", ".join(f"{n}={v}" for n, v in step.args)
        label = f"{step.action}({args})" if args else step.action
        assert succ.get(label) == nxt, f"{label} does not lead to the next state"


def _flat(value, var):
    """A decoded value back to packed form (enums by index, masks as bits, none as size)."""
    from checker.lang.types import Elem, Enum, Mask
    vals = value
    for _ in var.dims[1:]:
        vals = [x for row in vals for x in row]
    vals = vals if var.dims else [vals]
    t = var.type
    out = []
    for x in vals:
        if isinstance(t, Enum):
            x = t.names.index(x)
        elif isinstance(t, Mask):
            x = sum(1 << i for i in x)
        elif isinstance(t, Elem) and x is None:
            x = t.none
        out.append(x)
    return out


@pytest.mark.parametrize("rel,name", BUG_CHECKS, ids=[n for _, n in BUG_CHECKS])
def test_bmc_finds_the_bug_at_the_explicit_depth(rel, name):
    check = _check(rel, name)
    explicit = run_check(rel, check, RunOptions(liveness=False))
    assert explicit.verdict is Verdict.VIOLATED
    if explicit.violation.kind == "liveness":
        pytest.skip("a liveness property: checked by the explicit search only")
    depth = len(explicit.trace)
    if depth > FULL_DEPTH:   # Z3 takes minutes to an hour at these depths: the first SHALLOW steps only
        short = run_check(rel, check, RunOptions(backend="smt", depth=SHALLOW))
        assert short.verdict is Verdict.INCOMPLETE and f"no violation within {SHALLOW} steps" in short.reason
        return
    smt = run_check(rel, check, RunOptions(backend="smt", depth=depth + 2))
    assert smt.verdict is Verdict.VIOLATED and smt.backend == "smt (BMC)"
    assert smt.violation.invariant == explicit.violation.invariant
    assert len(smt.trace) == depth
    assert smt.expectation_met
    _replay(check, {}, smt.trace)
    # one step less: no violation, and BMC says it looked no further (incomplete, not holds). BMC is
    # incremental, so the run above already found nothing shorter: the rerun checks the report, and
    # only where it is cheap (the 15-step tlb_gen traces take minutes at depth 14)
    if depth <= 12:
        short = run_check(rel, check, RunOptions(backend="smt", depth=depth - 1))
        assert short.verdict is Verdict.INCOMPLETE and short.trace is None
        assert f"no violation within {depth - 1} steps" in short.reason


def _small(check) -> dict:
    """Two CPUs, one page, one round where the protocol has them: BMC's cost grows with the
    depth, and one round keeps every flush family under 14 steps (the refault is covered by
    test_bmc_agrees_across_the_refault)."""
    return {k: v for k, v in (("cpus", 2), ("pages", 1), ("rounds", 1)) if check.protocol.param(k) is not None}


# BMC goes the whole explicit depth up to FULL_DEPTH steps, and SHALLOW steps in deeper models: the
# tlb_gen callers' checks (depth 20+ at the small bounds) take minutes each in Z3 beyond that; their
# bugs are found at the explicit lengths by test_bmc_finds_the_bug_at_the_explicit_depth
FULL_DEPTH, SHALLOW = 15, 8


def _distinct_models(checks):
    """One check per distinct model at the small bounds (protocol, parameters, invariants, deadlock):
    checks that differ only in bounds _small overrides would run the same BMC again."""
    seen, out = set(), []
    for rel, name in checks:
        c = _check(rel, name)
        key = (id(c.protocol), tuple(sorted({**c.params, **_small(c)}.items(), key=lambda kv: kv[0])),
               c.invariants, c.deadlock)
        if key not in seen:
            seen.add(key)
            out.append((rel, name))
    return out


DISTINCT_HOLD_CHECKS = _distinct_models(HOLD_CHECKS)


@pytest.mark.parametrize("rel,name", DISTINCT_HOLD_CHECKS, ids=[n for _, n in DISTINCT_HOLD_CHECKS])
def test_bmc_finds_nothing_where_explicit_search_holds(rel, name):
    check = _check(rel, name)
    small = _small(check)
    explicit = run_check(rel, check, RunOptions(small, liveness=False))
    assert searched_all_clean(explicit)
    depth = explicit.stats.depth if explicit.stats.depth <= FULL_DEPTH else SHALLOW
    smt = run_check(rel, check, RunOptions(small, backend="smt", depth=depth))
    assert smt.verdict is Verdict.INCOMPLETE, smt.violation
    assert smt.stats.depth == depth and smt.violation is None


def test_bmc_agrees_across_the_refault():
    """Two rounds of the seed's design at 2 CPUs: the refault (pte_alloc, do_anonymous_page) and
    the reuse of a freed frame are in BMC's reach, and nothing breaks within the explicit depth."""
    rel = "specs/async_inline.py"
    check = _check(rel, "async_inline")
    explicit = run_check(rel, check, RunOptions({"cpus": 2}, liveness=False))
    assert searched_all_clean(explicit) and explicit.stats.depth == 20
    smt = run_check(rel, check, RunOptions({"cpus": 2}, backend="smt", depth=20))
    assert smt.verdict is Verdict.INCOMPLETE and smt.violation is None and smt.stats.depth == 20


def test_bmc_reports_range_overflow_like_explicit(tmp_path):
    from checker.lang import BOOL, IntRange, ModelBuilder, when
    from checker.lang.protocol import Protocol
    from checker.spec import Check

    def build(cfg):
        m = ModelBuilder("counter", cfg)
        CPU = m.index_set("CPU", 2, lanes=True)
        n = m.var("n", IntRange(0, 1), 0)
        b = m.array("b", CPU, BOOL, False)

        @m.action(CPU, ref="inc")
        def inc(c):
            return when(~b[c], b[c].becomes(True), n.becomes(n + 1))
        m.invariant("ok", n <= 1, "n stays small")
        return m.build()
    check = Check(Protocol("counter", build, ()))
    with pytest.raises(ModelRuntimeError) as e1:
        run_check("t", check)
    with pytest.raises(ModelRuntimeError) as e2:
        run_check("t", check, RunOptions(backend="smt", depth=4))
    for e in (e1, e2):
        assert "action inc(c=" in str(e.value) and "sets n to 2, outside its range 0..1" in str(e.value)


def test_cli_bmc_exit_codes(capsys):
    bug = spec_path("bugs", "free_before_ack.py")
    assert main([bug, "--backend", "smt", "--depth", "9", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "backend smt (BMC)" in out and "shortest counterexample, 8 steps" in out
    assert main([spec_path("baseline.py"), "--cpus", "2", "--backend", "smt", "--depth", "4",
                 "--quiet"]) == 3
    assert "no violation within 4 steps" in capsys.readouterr().out
    for bad in (["--depth", "4"], ["--backend", "smt", "--depth", "0"], ["--prove", "--backend", "explicit"],
                ["--max-k", "2"], ["--strict", "--no-sanity"]):
        assert main([bug] + bad) == 2, bad
        assert "error:" in capsys.readouterr().err


def test_bmc_traces_are_deterministic():
    """Each encoding has its own Z3 context: what else ran before does not change the trace."""
    rel, name = "specs/bugs/async_no_nmi_block.py", "nmi_reads_freed_frame"
    check = _check(rel, name)
    first = run_check(rel, check, RunOptions(backend="smt", depth=10))
    run_check("s", _check("specs/async_inline.py"), RunOptions({"cpus": 3}, prove=True))
    again = run_check(rel, check, RunOptions(backend="smt", depth=10))
    assert first.trace == again.trace
