"""Shared helpers: run specs in-process and find the repository's files."""
import os
import signal
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def root():
    return ROOT


def interruptible(args: list[str], **kw) -> subprocess.Popen:
    """A child the test will interrupt: SIGINT back to its default in the child, so that Python turns it
    into KeyboardInterrupt even when the test runs in a background job (which ignores SIGINT)."""
    return subprocess.Popen(args, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **kw)


def finish(p: subprocess.Popen, timeout: float) -> tuple[str, str]:
    """The child's output; a child still running after `timeout` is killed, so that no failed test
    leaves it spinning."""
    try:
        return p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise


def spec_path(*parts: str) -> str:
    return os.path.join(ROOT, "specs", *parts)


def searched_all_clean(r) -> bool:
    """The search covered every reachable state and broke no invariant, whatever else the verdict
    qualifies (liveness left out with --no-liveness, a cover unreached at smaller bounds)."""
    from checker.result import Verdict
    if r.violation is not None:
        return False
    return r.verdict in (Verdict.HOLDS, Verdict.UNCOVERED) or (
        r.verdict is Verdict.INCOMPLETE and bool(r.unchecked) and "limit" not in r.reason)


def run_named(path: str, name: str, **opts):
    """Run the check called `name` of the spec at `path` in-process (`opts`: RunOptions' fields)."""
    from checker.run import RunOptions, run_check
    from checker.spec import load_spec
    check = next(c for c in load_spec(path) if c.name == name)
    return run_check(path, check, RunOptions({}, **opts))


def assert_holds_with_excuses(path: str, name: str, counts: tuple[int, int, int], covers: set[str]):
    """The check holds with pinned (states, transitions, depth) and reaches `covers`; what its bounds cannot
    reach is excused by its spec, each cover (`uncovered_ok`) and action (`dead_ok`) by name, and no other
    goal is missing."""
    from checker.result import Verdict
    from checker.spec import load_spec
    check = next(c for c in load_spec(path) if c.name == name)
    r = run_named(path, name, backend="fast", workers=1)
    assert r.verdict is Verdict.HOLDS and r.expectation_met and not r.vacuity and not r.warnings
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == counts
    assert set(r.excluded) == set(check.uncovered_ok)
    assert covers <= {g.name for g in r.goals if g.kind == "cover" and g.reached}
    assert all(g.reached for g in r.goals if g.name not in check.uncovered_ok
               and (g.action is None or r.coverage[g.action]))
    assert {a for a, n in r.coverage.items() if n == 0} == set(check.dead_ok)


def assert_shortest_trace_on_both_engines(path: str, name: str, invariant: str, length: int, story: list[str]):
    """The bug check's shortest trace breaks `invariant` in `length` states on the reference and the fast
    backend, with the same actions, and the steps of `story` (those a reviewer recognises) in that order."""
    from checker.result import Verdict
    seen = []
    for backend in ("explicit", "fast"):
        bad = run_named(path, name, backend=backend, workers=1)
        assert bad.verdict is Verdict.VIOLATED and bad.expectation_met
        assert bad.violation.invariant == invariant and len(bad.trace) == length
        seen.append([s.action for s in bad.trace.steps[1:]])
    assert seen[0] == seen[1]
    it = iter(seen[0])
    assert all(any(a == s for a in it) for s in story), seen[0]


def assert_bmc_finds_at_depth(path: str, name: str, invariant: str, length: int):
    """Z3 BMC to the explicit search's shortest length finds a violation of that invariant and length."""
    from checker.result import Verdict
    bad = run_named(path, name, backend="smt", depth=length)
    assert bad.verdict is Verdict.VIOLATED and bad.violation.invariant == invariant and len(bad.trace) == length
