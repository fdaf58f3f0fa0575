"""--checkpoint DIR / --resume DIR (fast backend): a search interrupted mid-way and resumed gives
the uninterrupted run's counts, coverage and trace."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from checker.explicit.fast import Checkpoint, available
from checker.result import Verdict
from checker.run import RunOptions, run_check
from checker.spec import load_spec

from .conftest import ROOT, finish, interruptible, spec_path

pytestmark = pytest.mark.skipif(not available()[0], reason="no C compiler: " + available()[1])


def _same(a, b):
    assert a.verdict is b.verdict
    assert (a.stats.states, a.stats.transitions, a.stats.depth) == \
        (b.stats.states, b.stats.transitions, b.stats.depth)
    assert a.coverage == b.coverage and a.goals == b.goals
    assert a.violation == b.violation and a.trace == b.trace


@pytest.mark.parametrize("workers,symmetry", [(1, False), (2, False), (2, True)])
def test_resume_from_the_last_level_gives_the_same_trace(tmp_path, workers, symmetry):
    """Checkpoints at every level end; resuming from the last one (the level before the
    violation) finds the same violation, with the same counts and the same shortest trace."""
    check = load_spec(spec_path("bugs", "async_no_nmi_block.py"))[0]
    opts = RunOptions({"cpus": 3}, backend="fast", workers=workers, symmetry=symmetry)
    plain = run_check("b", check, opts)
    assert plain.verdict is Verdict.VIOLATED and len(plain.trace) > 3
    d = str(tmp_path / "ck")
    first = run_check("b", check, RunOptions(**{**opts.__dict__, "checkpoint": Checkpoint(d, 0.0)}))
    _same(plain, first)
    meta = json.load(open(os.path.join(d, "meta.json")))
    assert meta["format"] == "flushcheck-checkpoint"
    resumed = run_check("b", check, RunOptions(**{**opts.__dict__, "checkpoint": Checkpoint(d, 0.0, True)}))
    _same(plain, resumed)


def test_resume_refuses_another_model(tmp_path):
    check = load_spec(spec_path("bugs", "async_no_nmi_block.py"))[0]
    d = str(tmp_path / "ck")
    run_check("b", check, RunOptions({"cpus": 3}, backend="fast", checkpoint=Checkpoint(d, 0.0)))
    from checker.errors import UserError
    with pytest.raises(UserError, match="another model"):
        run_check("b", check, RunOptions({"cpus": 2}, backend="fast", checkpoint=Checkpoint(d, 0.0, True)))


def cli(tmp_path, *extra, interrupt_when=None):
    out = tmp_path / f"r{len(list(tmp_path.glob('r*.json')))}.json"
    p = interruptible([sys.executable, "-m", "checker", spec_path("async_inline.py"), "--check",
                       "async_inline", "--cpus", "4", "--backend", "fast", "--no-sanity", "--quiet",
                       "--json", str(out), *extra], cwd=ROOT, stdout=subprocess.PIPE,
                      stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": ROOT})
    if interrupt_when is not None:
        deadline = time.monotonic() + 120
        while not interrupt_when() and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
    stdout, stderr = finish(p, 600)
    return p.returncode, stdout, stderr, json.loads(out.read_text())["checks"][0]


def test_sigint_then_resume_gives_the_uninterrupted_counts(tmp_path):
    d = tmp_path / "ck"
    code, _, _, whole = cli(tmp_path)
    assert code == 0 and whole["verdict"] == "holds" and whole["stats"]["states"] == 5_379_731
    # interrupted once a few levels have been checkpointed
    code, stdout, stderr, cut = cli(tmp_path, "--checkpoint", str(d), "--checkpoint-every", "0",
                                    interrupt_when=lambda: (d / "meta.json").exists()
                                    and json.load(open(d / "meta.json"))["seconds"] > 0.5)
    assert code == 3 and "Traceback" not in stderr, stderr
    assert cut["verdict"] == "incomplete" and cut["stopped_by"] == "interrupted"
    assert "checkpoint written to" in cut["reason"] and 0 < cut["stats"]["states"] < 5_379_731
    code, stdout, stderr, resumed = cli(tmp_path, "--resume", str(d))
    assert code == 0, stdout + stderr
    for k in ("verdict", "coverage", "goals", "invariants"):
        assert resumed[k] == whole[k], k
    for k in ("states", "transitions", "depth"):
        assert resumed["stats"][k] == whole["stats"][k], k
