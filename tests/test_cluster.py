"""--cluster: the search spread over Ray workers gives exactly what the single-process search gives.

On a local Ray cluster of 2 workers (started once for the module): verdicts, state counts (also
where a search stops at a violation, a deadlock or a state or depth limit), transitions, depth,
coverage, goals and the counterexample itself, against the fast backend on one process (and the
reference explorer for goal counts at a violation, which the fast backend counts only up to its
last chunk).
"""
import logging

import pytest

from checker.errors import ModelRuntimeError, UserError
from checker.explicit.fast import available
from checker.result import Verdict
from checker.run import RunOptions, run_check
from checker.spec import Check, load_spec

from .conftest import spec_path
from .test_fast import BITS, SYNC

pytestmark = pytest.mark.xdist_group("ray")     # one local Ray cluster, in one pytest worker

try:
    import ray as _ray  # noqa: F401
    HAVE_RAY = True
except ImportError:
    HAVE_RAY = False
needs_ray = pytest.mark.skipif(not HAVE_RAY, reason="Ray is not installed (pip install -e '.[cluster]')")
needs_cc = pytest.mark.skipif(not available()[0], reason="no C compiler: " + available()[1])


@pytest.fixture(scope="module")
def ray2():
    """A local Ray cluster with 2 CPUs for the whole module (starting one takes seconds)."""
    import ray
    if not ray.is_initialized():
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.ERROR)
    yield ray
    ray.shutdown()


def _key(r):
    return (r.verdict, r.stats.states, r.stats.transitions, r.stats.depth, r.coverage, r.violation,
            r.trace, r.reason, r.stats.represented)


def _goals(r):
    return [(g.name, g.states, g.depth) for g in r.goals]


def _pair(path, check, overrides=None, workers=2, **opts):
    """(one process, the cluster) on the same check."""
    base = {"backend": "fast", "symmetry": False, "liveness": False} | opts
    one = run_check(path, check, RunOptions(overrides or {}, workers=1, **base))
    ray = run_check(path, check, RunOptions(overrides or {}, workers=workers, cluster="ray", **base))
    assert one.backend == "fast" and ray.backend == f"ray, {workers} worker" + ("s" if workers > 1 else "")
    return one, ray


@needs_ray
@needs_cc
def test_holds_with_the_pinned_count(ray2):
    check = load_spec(SYNC)[0]
    one, ray = _pair(SYNC, check, {"cpus": 5})
    assert _key(one) == _key(ray) and _goals(one) == _goals(ray)
    assert ray.verdict is Verdict.HOLDS and ray.stats.states == 63422 and ray.stats.transitions == 415826
    one1, ray1 = _pair(SYNC, check, {"cpus": 4}, workers=1)
    assert _key(one1) == _key(ray1) and _goals(one1) == _goals(ray1)


@needs_ray
@needs_cc
def test_symmetry(ray2):
    check = load_spec(SYNC)[0]
    one, ray = _pair(SYNC, check, {"cpus": 6}, symmetry=True)
    assert _key(one) == _key(ray) and _goals(one) == _goals(ray)
    assert (ray.stats.states, ray.stats.represented) == (12616, 587366) and ray.symmetry
    # a bug on the representatives: the trace is still a real execution, the one the fast backend gives
    one, ray = _pair(SYNC, check, {"cpus": 6, "wait": "false"}, symmetry=True)
    assert ray.verdict is Verdict.VIOLATED and _key(one) == _key(ray)


@needs_ray
@needs_cc
def test_bug_spec_same_shortest_trace(ray2):
    path = spec_path("bugs", "async_no_nmi_block.py")
    check = load_spec(path)[0]
    one, ray = _pair(path, check)
    assert _key(one) == _key(ray)
    assert ray.violation.invariant == "no_stale_access" and len(ray.trace) == 10
    assert ray.stats.states == 522
    ref = run_check(path, check, RunOptions(liveness=False))      # goals up to the violating state
    assert _goals(ref) == _goals(ray)


@needs_ray
@needs_cc
@pytest.mark.parametrize("mode,limits", [("inv", {}), ("dead", {}), ("ok", {"max_states": 12345}),
                                         ("ok", {"max_depth": 6})])
def test_stops_exactly_where_the_reference_stops(ray2, mode, limits):
    """A violation and a deadlock deep inside a wide level, the state limit (checked every
    1,024 parents) and the depth limit: counts, coverage, goals and trace of the reference."""
    check = Check(BITS, n=14, k=8, mode=mode)
    ref = run_check("bits", check, RunOptions(**limits))
    ray = run_check("bits", check, RunOptions(backend="fast", workers=2, cluster="ray", **limits))
    assert _key(ref)[:-1] == _key(ray)[:-1] and _goals(ref) == _goals(ray)
    assert ray.verdict is (Verdict.VIOLATED if mode != "ok" else Verdict.INCOMPLETE)


@needs_ray
@needs_cc
def test_model_error_is_the_same_error(ray2):
    check = Check(BITS, n=6, k=4, mode="range")
    with pytest.raises(ModelRuntimeError) as one:
        run_check("bits", check, RunOptions(backend="fast"))
    with pytest.raises(ModelRuntimeError) as ray:
        run_check("bits", check, RunOptions(backend="fast", cluster="ray", workers=2))
    assert str(one.value) == str(ray.value)


@needs_ray
@needs_cc
def test_liveness_runs_in_this_process(ray2):
    check = load_spec(spec_path("baseline.py"))[0]
    opts = {"backend": "fast", "symmetry": False}
    one = run_check("b", check, RunOptions({"cpus": 2, "rounds": 1}, **opts))
    ray = run_check("b", check, RunOptions({"cpus": 2, "rounds": 1}, cluster="ray", workers=2, **opts))
    assert one.verdict is ray.verdict is Verdict.HOLDS and "flush_completes" in ray.invariants
    assert ray.liveness.startswith("flush_completes checked by the fast backend's pass")
    assert any("not checked on the cluster" in w for w in ray.warnings)


@needs_ray
@needs_cc
def test_refuses_what_it_cannot_do(ray2):
    check = load_spec(SYNC)[0]
    for extra in ({"backend": "explicit"}, {"fingerprint": True}, {"graph_limit": 100}):
        with pytest.raises(UserError, match="--cluster cannot be combined with"):
            run_check(SYNC, check, RunOptions({"cpus": 3}, cluster="ray", **extra))
    with pytest.raises(UserError, match="the Ray cluster has 2 CPUs"):
        run_check(SYNC, check, RunOptions({"cpus": 3}, backend="fast", cluster="ray", workers=3))


def test_bad_cluster_value(capsys):
    from checker.cli import main
    assert main([SYNC, "--cluster", "spark://x", "--quiet", "--no-sanity"]) == 2
    assert "expected 'ray' (a local Ray cluster) or ray://HOST:PORT" in capsys.readouterr().err


def test_without_ray_one_message(capsys, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "ray", None)         # import ray raises ImportError
    from checker.cli import main
    assert main([SYNC, "--cluster", "ray", "--quiet", "--no-sanity"]) == 2
    err = capsys.readouterr().err
    assert "--cluster needs Ray, which is not installed" in err and "pip install -e '.[cluster]'" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
