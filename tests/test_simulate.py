"""--simulate N --depth D --seed S: seeded random walks, reproducible, on the fast backend (C) with
the same walks in Python; the shortest violation found, or incomplete — never holds."""
import json

import pytest

from checker.cli import main
from checker.explicit.compile import compile_model
from checker.explicit.explore import Limits
from checker.explicit.simulate import Walks, mix64, simulate
from checker.run import RunOptions, build_model, run_check
from checker.spec import load_spec

from .conftest import spec_path

BUG = spec_path("bugs", "free_before_ack.py")


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err.strip()


def compiled(path, name=None):
    c = next(c for c in load_spec(path) if name is None or c.name == name)
    return c, compile_model(build_model(c, {}))


def test_splitmix64_matches_its_reference_values():
    """The generator the C and the Python walks share: splitmix64 (seed 0's first outputs)."""
    x, out = 0, []
    for _ in range(3):
        x = (x + 0x9E3779B97F4A7C15) & ((1 << 64) - 1)
        out.append(mix64(x))
    assert out == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_a_fixed_seed_finds_the_bug_and_gives_the_same_trace_again(capsys, tmp_path):
    argv = [BUG, "--simulate", "500", "--depth", "40", "--seed", "3", "--quiet"]
    code, out, _ = run(argv + ["--json", str(tmp_path / "a.json")], capsys)
    assert code == 1 and "violated" in out
    assert "simulation: 500 walks of up to 40 steps, seed 3" in out
    code2, _, _ = run(argv + ["--json", str(tmp_path / "b.json")], capsys)
    a, b = (json.loads((tmp_path / f).read_text())["checks"][0] for f in ("a.json", "b.json"))
    assert code2 == 1 and a["trace"] == b["trace"] and a["simulation"] == b["simulation"]
    sim = a["simulation"]
    assert sim["walks"] == sim["walks_done"] == 500 and sim["depth"] == 40 and sim["seed"] == 3
    assert a["verdict"] == "violated" and a["violation"]["invariant"] in (
        "no_stale_access", "flush_info_live", "no_freed_table_walk")
    # a random walk's violation is a real one, but never shorter than BFS's shortest (8)
    assert len(a["trace"]["states"]) - 1 >= 8 and sim["violating_walk"] is not None
    other = run_check(BUG, load_spec(BUG)[0], RunOptions(simulate=Walks(500, 40, 4)))
    assert (other.simulation["steps"], other.simulation["violating_walk"]) != \
        (sim["steps"], sim["violating_walk"])          # another seed, other walks


def test_c_and_python_walk_the_same_walks():
    from checker.explicit import fast
    if not fast.available()[0]:
        pytest.skip("no C compiler")
    _, c = compiled(BUG)
    w = Walks(300, 30, 11)
    py = simulate(c, w, True, Limits(), backend="explicit")
    cc = simulate(c, w, True, Limits(), backend="fast")
    assert (py.engine, cc.engine) == ("explicit", "fast")
    assert (py.walk, py.steps, py.deepest, py.walks_done) == (cc.walk, cc.steps, cc.deepest, cc.walks_done)
    assert py.outcome.trace == cc.outcome.trace and py.outcome.coverage == cc.outcome.coverage
    assert py.outcome.violation == cc.outcome.violation


def test_walks_find_a_deadlock():
    check, c = compiled(spec_path("bugs", "tlb_gen_partial_flush.py"), "partial_of_flush_all")
    w = simulate(c, Walks(2000, 30, 1), check.deadlock, Limits(), backend="explicit")
    assert w.outcome.violation.invariant == "deadlock" and len(w.outcome.trace) >= 5


def test_no_violation_is_incomplete_never_holds(capsys, tmp_path):
    code, out, _ = run([spec_path("async_inline.py"), "--simulate", "50", "--depth", "30",
                        "--quiet", "--json", str(tmp_path / "r.json")], capsys)
    assert code == 3
    assert "incomplete: no violation in 50 random walks of up to 30 steps (seed 1)" in out
    assert "nothing is proved" in out and "holds" not in out
    r = json.loads((tmp_path / "r.json").read_text())["checks"][0]
    assert r["verdict"] == "incomplete" and r["simulation"]["walks_done"] == 50
    assert r["simulation"]["seed"] == 1 and r["simulation"]["depth"] == 30
    assert r["simulation"]["steps"] == 50 * 30                   # no walk of this design gets stuck


@pytest.mark.parametrize("args, says", [
    (["--simulate", "0"], "--simulate must be a positive number of walks, got 0"),
    (["--simulate", "-5"], "--simulate must be a positive number of walks, got -5"),
    (["--simulate", "10", "--depth", "0"], "--depth must be positive, got 0"),
    (["--seed", "3"], "--seed is the seed of --simulate's random walks"),
    (["--simulate", "10", "--seed", "-1"], "--seed must be between 0 and 2^64-1, got -1"),
    (["--simulate", "10", "--all"], "--simulate and --all do not go together"),
    (["--simulate", "10", "--backend", "smt"], "--simulate and --backend smt/--prove do not go together"),
])
def test_bad_simulation_flags(args, says, capsys):
    code, _, err = run([BUG, *args], capsys)
    assert code == 2 and says in err and len(err.splitlines()) == 1


def test_simulate_refuses_a_gate(capsys):
    code, _, err = run(["--gate", spec_path("bugs"), "--simulate", "5"], capsys)
    assert code == 2 and "--simulate and --gate do not go together" in err
