"""--fingerprint: the visited set keeps 64-bit hashes; counts stay within the stated omission
bound (here: exact, as the bound is ~1e-10), the verdict says "holds with omission probability p"
in text, JSON and gate output, and counterexamples are still real, shortest traces."""
import json
import os

import pytest

from checker.cli import main
from checker.explicit.backends import omission_probability
from checker.explicit.fast import available
from checker.result import Verdict
from checker.run import RunOptions, run_check
from checker.spec import load_spec

from .conftest import ROOT

pytestmark = pytest.mark.skipif(not available()[0], reason="no C compiler: " + available()[1])

SPEC = os.path.join(ROOT, "benchmarks", "sync_shootdown.py")


def test_omission_estimate():
    assert omission_probability(1) == 0
    assert omission_probability(1_000_000) == pytest.approx(1e6 * (1e6 - 1) / 2**65, rel=1e-9, abs=0)
    assert omission_probability(2**40) == 1.0


ASYNC = os.path.join(ROOT, "specs", "async_inline.py")


@pytest.mark.parametrize("cpus,states", [(3, 84_771)])
def test_counts_within_the_bound(cpus, states):
    """async_inline's states take two words: the visited set keeps one-word fingerprints."""
    check = load_spec(ASYNC)[0]
    for workers in (1, 2):
        r = run_check(ASYNC, check, RunOptions({"cpus": cpus}, backend="fast", symmetry=False,
                                               workers=workers, fingerprint=True))
        exact = run_check(ASYNC, check, RunOptions({"cpus": cpus}, backend="fast", symmetry=False,
                                                   workers=workers))
        assert r.verdict is exact.verdict is Verdict.HOLDS
        assert r.omission == pytest.approx(states * (states - 1) / 2**65, rel=1e-9, abs=0) and exact.omission is None
        # a collision would lose states; at p < 1e-9 none is lost: the exact counts
        assert (r.stats.states, r.stats.transitions) == (exact.stats.states, exact.stats.transitions) \
            == (states, exact.stats.transitions)
        assert r.coverage == exact.coverage
        assert r.stats.bytes_per_state < exact.stats.bytes_per_state


def test_one_word_states_are_their_own_fingerprints():
    """sync_shootdown's state fits in 64 bits: stored exactly, omission probability 0."""
    check = load_spec(SPEC)[0]
    r = run_check(SPEC, check, RunOptions({"cpus": 5}, backend="fast", symmetry=False, fingerprint=True))
    assert r.verdict is Verdict.HOLDS and r.omission == 0.0 and r.stats.states == 63_422
    assert any("its own exact fingerprint" in w for w in r.warnings)


def test_violation_trace_is_the_exact_searchs():
    """Traces are rebuilt from parent links and replayed: the exact search's shortest trace."""
    check = load_spec(os.path.join(ROOT, "specs", "bugs", "async_no_nmi_block.py"))[0]
    over = {"cpus": 3}
    fp = run_check("b", check, RunOptions(over, backend="fast", symmetry=False, fingerprint=True))
    exact = run_check("b", check, RunOptions(over, backend="fast", symmetry=False))
    assert fp.verdict is Verdict.VIOLATED and fp.trace == exact.trace and fp.violation == exact.violation
    assert fp.stats.states == exact.stats.states
    sym = run_check("b", check, RunOptions(over, backend="fast", fingerprint=True))
    assert sym.verdict is Verdict.VIOLATED and len(sym.trace) == len(exact.trace)


def test_text_json_and_gate_say_so(tmp_path, capsys):
    out = tmp_path / "r.json"
    argv = ["--check", "async_inline", "--cpus", "3"]
    assert main([ASYNC, *argv, "--fingerprint", "--quiet", "--no-sanity", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "holds with omission probability" in text and "fingerprints (64-bit)" in text
    assert "  holds within" not in text
    c = json.loads(out.read_text())["checks"][0]
    assert c["verdict"] == "holds" and 0 < c["omission_probability"] < 1e-9
    gate = tmp_path / "g"
    gate.mkdir()
    (gate / "s.py").write_text(open(SPEC).read())
    code = main(["--gate", str(gate), "--fingerprint", "--no-symmetry", "--quiet", "--no-sanity"])
    text = capsys.readouterr().out
    assert code == 0 and "holds with omission probability" in text


def test_fingerprint_needs_the_fast_backend(capsys):
    assert main([SPEC, "--fingerprint", "--backend", "explicit", "--quiet", "--no-sanity"]) == 2
    assert "--fingerprint needs the fast backend" in capsys.readouterr().err
