"""The fast backend (generated C) gives exactly what the reference explorer gives.

Verdicts, state counts (also where a search stops at a violation, a deadlock or a state limit),
transitions, depth, coverage and the counterexample itself, on every spec, on one worker or two.
"""
import glob
import os
import random

import pytest

from checker.errors import ModelRuntimeError, UserError
from checker.explicit.compile import compile_model
from checker.explicit.explore import Limits, explore
from checker.explicit.fast import FastModel, available, explore_fast
from checker.lang import BOOL, IntRange, ModelBuilder, Param, Protocol, count, forall, when
from checker.result import Verdict
from checker.run import RunOptions, build_model, run_check
from checker.spec import Check, load_spec

from .conftest import ROOT, spec_path

SYNC = os.path.join(ROOT, "benchmarks", "sync_shootdown.py")

pytestmark = pytest.mark.skipif(not available()[0], reason="no C compiler: " + available()[1])


def bits_build(cfg):
    """n independent bits, set and cleared; wide BFS levels, and a violation, a deadlock or a
    range error deep inside one (so that the search stops in the middle of a parallel chunk)."""
    m = ModelBuilder("bits", cfg)
    B = m.index_set("Bit", cfg.n)
    b = m.array("b", B, BOOL, False)
    sets = m.var("sets", IntRange(0, cfg.n + 2), 0)
    full = count(B, lambda i: b[i]) >= cfg.k
    free = ~(full & b[0] & b[1]) if cfg.mode == "dead" else True   # "dead": stuck there

    @m.action(B)
    def set_bit(i):
        bump = sets + 1 if cfg.mode == "range" else sets
        return when(~b[i] & free, b[i].becomes(True), sets.becomes(bump))

    @m.action(B)
    def clear_bit(i):
        return when(b[i] & (count(B, lambda j: b[j]) > 2) & free, b[i].becomes(False))

    if cfg.mode == "inv":
        m.invariant("not_full_with_bit_0", ~(full & b[0]), "fails at depth k")
    else:
        m.invariant("trivial", forall(B, lambda i: b[i] | ~b[i]), "holds")
    return m.build()


BITS = Protocol("bits", bits_build, (Param("n", 14, 2, 20), Param("k", 8, 1, 20),
                                     Param("mode", "inv", choices=("inv", "dead", "range", "ok"))))


def _all_checks():
    out = []
    for f in sorted(glob.glob(spec_path("**", "*.py"), recursive=True)) + [SYNC]:
        if not os.path.basename(f).startswith("_"):
            out.extend((f, c) for c in load_spec(f))
    return out


def _same(a, b):
    assert a.verdict is b.verdict
    assert (a.stats.states, a.stats.transitions, a.stats.depth) == \
        (b.stats.states, b.stats.transitions, b.stats.depth)
    assert a.coverage == b.coverage
    assert a.goals == b.goals   # cover and hazard-precondition counts, also where the search stops early
    assert a.violation == b.violation
    assert a.trace == b.trace
    assert a.reason == b.reason


# checks of a million states and more: both engines stop at the same state limit (the reference
# explorer would take over half a minute each); the 2-CPU checks of the same models run whole
BIG = {"tlb_gen_v6", "tlb_gen_v5", "tlb_gen_csd_fifo", "tlb_gen_pti_2cpus", "invlpgb_2cpus", "invlpgb_3cpus",
       "invlpgb_tso", "invlpgb_2initiators", "rar_3cpus", "rar_3cpus_global", "rar_pti", "tlb_gen_mremap_2rounds",
       "tlb_gen_madv_free_2rounds", "invlpgb_allocator_3asids", "rar_allocator_3asids",
       "invlpgb_allocator_3asids_small", "rar_allocator_3asids_small", "invlpgb_targeted_reclaim_2vas"}


@pytest.mark.parametrize("path,check", _all_checks(), ids=lambda x: getattr(x, "name", None) or "")
def test_every_spec_identical_to_the_reference(path, check):
    limit = 250_000 if check.name in BIG else None
    ref = run_check(path, check, RunOptions(liveness=False, max_states=limit))
    fast = run_check(path, check, RunOptions(backend="fast", symmetry=False, workers=1, liveness=False,
                                             max_states=limit))
    assert ref.backend == "explicit" and fast.backend == "fast"
    _same(ref, fast)
    assert fast.stats.bytes_per_state and fast.stats.bytes_per_state > 0


@pytest.mark.parametrize("mode", ["inv", "dead", "ok"])
@pytest.mark.parametrize("workers", [1, 2])
def test_stops_exactly_where_the_reference_stops(mode, workers):
    check = Check(BITS, n=14, k=8, mode=mode)
    ref = run_check("bits", check, RunOptions())
    fast = run_check("bits", check, RunOptions(backend="fast", workers=workers))
    _same(ref, fast)
    if mode != "ok":
        assert ref.verdict is Verdict.VIOLATED and len(ref.trace) == 8
        assert ref.stats.states > 5000          # the stop is deep in a wide level


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("limits", [{"max_states": 5000}, {"max_states": 12345},
                                    {"max_depth": 6}, {"max_depth": 40}])
def test_limits_identical(workers, limits):
    check = Check(BITS, n=14, k=8, mode="ok")
    ref = run_check("bits", check, RunOptions(**limits))
    fast = run_check("bits", check, RunOptions(backend="fast", workers=workers, **limits))
    _same(ref, fast)


def test_range_error_is_the_same_error():
    check = Check(BITS, n=6, k=4, mode="range")
    with pytest.raises(ModelRuntimeError) as ref:
        run_check("bits", check, RunOptions())
    with pytest.raises(ModelRuntimeError) as fast:
        run_check("bits", check, RunOptions(backend="fast"))
    assert str(ref.value) == str(fast.value)
    assert "outside its range" in str(fast.value)


def test_two_workers_identical_on_a_big_model():
    check = load_spec(SYNC)[0]
    opts = dict(liveness=False, backend="fast", symmetry=False)
    one = run_check(SYNC, check, RunOptions({"cpus": 5}, workers=1, **opts))
    two = run_check(SYNC, check, RunOptions({"cpus": 5}, workers=2, **opts))
    _same(one, two)
    assert one.stats.states == 63422
    broken = [run_check(SYNC, check, RunOptions({"cpus": 6, "wait": "false"}, workers=w, **opts))
              for w in (1, 2)]
    _same(*broken)


def test_successors_and_checks_match_the_python_code():
    rng = random.Random(7)
    for path, check in _all_checks()[::3]:
        model = build_model(check, {})
        c = compile_model(model)
        fm = FastModel.of(c, None)
        seen = [c.layout.initial()]
        index = set(seen)
        for s in seen:
            if len(seen) > 300:
                break
            for _, t in c.successors(s):
                if t not in index:
                    index.add(t)
                    seen.append(t)
        for s in rng.sample(seen, min(60, len(seen))):
            assert fm.successors(s) == c.successors(s)
            assert fm.check(s) == c.check(s)
            assert fm.gen.packing.unpack(fm.gen.packing.pack(s)) == s


def test_fallback_without_a_compiler_is_announced(monkeypatch, capsys):
    monkeypatch.setenv("CC", "/nonexistent/cc")
    check = load_spec(SYNC)[0]
    r = run_check(SYNC, check, RunOptions({"cpus": 3}, backend=None, symmetry=None))
    assert r.backend == "explicit" and r.verdict is Verdict.HOLDS and r.stats.states == 479
    assert r.warnings == ["fast backend unavailable (the C compiler CC='/nonexistent/cc' was not "
                          "found); ran the explicit backend instead"]
    from checker.cli import main
    assert main([SYNC, "--cpus", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "backend explicit · symmetry on" in out
    assert out.count("fast backend unavailable") == 1


def test_backend_fast_refuses_when_the_build_fails(monkeypatch, tmp_path):
    """Only auto falls back; --backend fast that cannot compile is an error (exit 2)."""
    from checker.errors import UserError
    monkeypatch.setenv("CC", "false")                 # a "compiler" that always fails
    monkeypatch.setenv("FLUSHCHECK_CACHE", str(tmp_path))
    with pytest.raises(UserError, match="--backend fast cannot run here: the C compiler failed"):
        run_check(SYNC, load_spec(SYNC)[0], RunOptions({"cpus": 3}, backend="fast", symmetry=False))


def test_no_compiler_on_path(monkeypatch):
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert available() == (False, "no C compiler (cc, gcc or clang) was found")


def test_default_is_fast_with_symmetry(capsys, tmp_path, monkeypatch):
    from checker.cli import main
    monkeypatch.setenv("FLUSHCHECK_CACHE", str(tmp_path))
    assert main([SYNC, "--cpus", "6", "--quiet", "--no-sanity"]) == 0
    out = capsys.readouterr().out
    assert "backend fast · symmetry on" in out and "12,616 distinct states" in out
    assert "B/state" in out and "the 587,366 states of their orbits" in out


def test_auto_finishes_small_models_before_compiling(tmp_path, monkeypatch):
    monkeypatch.setenv("FLUSHCHECK_CACHE", str(tmp_path))
    check = load_spec(SYNC)[0]
    small = run_check(SYNC, check, RunOptions({"cpus": 4}, backend=None, symmetry=None))
    assert (small.backend, small.symmetry, small.stats.states) == ("explicit", True, 1638)
    assert not list(tmp_path.glob("fc_*.so"))           # nothing was compiled
    big = run_check(SYNC, check, RunOptions({"cpus": 6}, backend=None, symmetry=False))
    assert (big.backend, big.stats.states) == ("fast", 587366)
    c = compile_model(build_model(check, {"cpus": 4}))
    from checker.explicit.symmetry import Symmetry
    FastModel.of(c, Symmetry(c.model, c.layout))        # now in the cache: auto takes it
    again = run_check(SYNC, check, RunOptions({"cpus": 4}, backend=None, symmetry=None))
    assert (again.backend, again.stats.states) == ("fast", 1638)
    limited = run_check(SYNC, check, RunOptions({"cpus": 6}, backend=None, symmetry=False,
                                                max_states=1000))
    assert limited.verdict is Verdict.INCOMPLETE and limited.reason.startswith("state limit 1,000 reached: ")
    assert f"{limited.stats.states:,} states found" in limited.reason and "at least" in limited.reason


def test_compiled_once_then_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("FLUSHCHECK_CACHE", str(tmp_path))
    c = compile_model(build_model(load_spec(SYNC)[0], {"cpus": 3}))
    assert FastModel.of(c, None).built
    assert not FastModel.of(c, None).built
    assert len(list(tmp_path.glob("fc_*.so"))) == 1


def test_graph_output_uses_the_reference(tmp_path):
    check = load_spec(SYNC)[0]
    r = run_check(SYNC, check, RunOptions({"cpus": 3}, backend="fast", symmetry=None, graph_limit=5000))
    assert r.backend == "explicit" and not r.symmetry and len(r.graph.nodes) == 842
    assert any("state graph" in w for w in r.warnings)


def test_liveness_still_checked_after_a_fast_safety_search():
    check = load_spec(spec_path("baseline.py"))[0]
    ref = run_check("b", check, RunOptions({"cpus": 2, "rounds": 1}))
    fast = run_check("b", check, RunOptions({"cpus": 2, "rounds": 1}, backend="fast"))
    assert "flush_completes" in ref.invariants and ref.invariants == fast.invariants
    assert ref.verdict is fast.verdict is Verdict.HOLDS


def test_time_limit():
    check = load_spec(SYNC)[0]
    c = compile_model(build_model(check, {"cpus": 7}))
    out, _, _ = explore_fast(c, None, Limits(time_limit=0.05), True)
    assert out.verdict is Verdict.INCOMPLETE and "time limit" in out.reason


def test_explicit_backend_is_untouched_by_default():
    ex = explore(compile_model(build_model(load_spec(SYNC)[0], {"cpus": 4})))
    r = run_check(SYNC, load_spec(SYNC)[0], RunOptions({"cpus": 4}))
    assert (r.backend, r.symmetry, r.stats.states) == ("explicit", False, ex.stats.states)


def test_bad_backend_name():
    with pytest.raises(UserError, match="unknown backend"):
        run_check(SYNC, load_spec(SYNC)[0], RunOptions({"cpus": 3}, backend="quantum"))
