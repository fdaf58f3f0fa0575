"""What a limit reports (issue 12): the state count against --max-states, the time limit asked
for, no vacuity warnings on a run that stopped early, the time limit counted from the check's
start."""
import os

from checker.cli import main
from checker.judge import judge
from checker.result import CheckResult, Stats, Verdict
from checker.run import RunOptions, run_check
from checker.spec import load_spec

from .conftest import ROOT, spec_path

SYNC = os.path.join(ROOT, "benchmarks", "sync_shootdown.py")


def test_state_limit_says_at_least(capsys):
    code = main([spec_path("async_inline.py"), "--check", "async_inline", "--max-states", "1000",
                 "--backend", "explicit", "--quiet", "--no-sanity"])
    out = capsys.readouterr().out
    assert code == 3
    found = int(out.split(" distinct states")[0].split()[-1].replace(",", ""))
    assert found > 1000
    assert (f"incomplete: state limit 1,000 reached: {found:,} states found (the limit is checked every "
            f"1,024 expanded states), so the model has at least that many") in out


def test_a_model_that_fits_the_state_limit_holds():
    r = run_check(SYNC, load_spec(SYNC)[0], RunOptions({"cpus": 3}, max_states=842, liveness=False))
    assert r.verdict is Verdict.HOLDS and r.stats.states == 842


def test_time_limit_message_is_the_limit_asked_for():
    """The auto backend's probe used to shrink the limit it then reported (0.88 s for 1 s)."""
    r = run_check(SYNC, load_spec(SYNC)[0], RunOptions({"cpus": 7}, backend=None, symmetry=False,
                                                       time_limit=0.3, liveness=False))
    assert r.verdict is Verdict.INCOMPLETE and r.reason == "time limit 0.3 s reached"


def test_time_limit_counts_from_the_start_of_the_check(monkeypatch):
    """Building the model is inside the limit: a slow build leaves the search less time."""
    import time

    import checker.run as run
    slow = run.build_model

    def build(*a, **kw):
        time.sleep(0.4)
        return slow(*a, **kw)
    monkeypatch.setattr(run, "build_model", build)
    r = run_check(SYNC, load_spec(SYNC)[0], RunOptions({"cpus": 7}, backend="explicit",
                                                       time_limit=0.5, liveness=False))
    assert r.verdict is Verdict.INCOMPLETE and r.stats.seconds < 0.4


def test_no_vacuity_warnings_on_an_incomplete_run():
    base = CheckResult("c", "s.py", "p", {}, Verdict.HOLDS, "explicit", coverage={"a": 0, "b": 3},
                       stats=Stats(states=5))
    check = load_spec(SYNC)[0]
    held = judge(base, check)
    assert held.verdict is Verdict.HOLDS and held.vacuity and "never fired" in held.vacuity[0]
    stopped = judge(CheckResult(**{**base.__dict__, "unchecked": {"live": "--no-liveness"}}), check)
    assert stopped.verdict is Verdict.INCOMPLETE and stopped.vacuity == []
