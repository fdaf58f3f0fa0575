"""Symmetry reduction: the reduced count is the number of orbits (by brute force), verdicts do not
change, traces are real executions, and a model that is not symmetric is refused."""
import glob
import itertools
import os

import pytest

from checker.errors import UserError
from checker.explicit.compile import compile_model
from checker.explicit.explore import Limits, explore
from checker.explicit.symmetry import Symmetry, check_model, explore_reduced
from checker.lang import BOOL, Elem, If, IntRange, Mask, ModelBuilder, Param, Protocol, forall, implies, when
from checker.result import Verdict
from checker.run import RunOptions, build_model, run_check
from checker.spec import Check, load_spec

from .conftest import ROOT, spec_path

SYNC = os.path.join(ROOT, "benchmarks", "sync_shootdown.py")


def toy_build(cfg):
    """Processes take a lock and resources; CPU ids held as values, a cpumask, a matrix over
    the processes, and a second symmetric set coupled to the first (the keys are incomplete)."""
    m = ModelBuilder("toy", cfg)
    P = m.index_set("Proc", cfg.procs, symmetric=True)
    R = m.index_set("Res", cfg.res, symmetric=True)
    owner = m.var("owner", Elem(P, optional=True), None)
    waiting = m.var("waiting", Mask(P), ())
    req = m.array("req", (P, P), BOOL, False)
    nxt = m.array("nxt", P, Elem(P, optional=True), None)
    hold = m.array("hold", (P, R), BOOL, False)
    last = m.var("last", Elem(R, optional=True), None)
    turns = m.array("turns", P, IntRange(0, 1), 0)

    @m.action(P, P)
    def request(p, q):
        return when((p != q) & ~req[p, q] & (turns[p] == 0) & (owner != p), req[p, q].becomes(True),
                    waiting.becomes(waiting.with_(p)))

    @m.action(P)
    def grant(p):
        return when((owner == None) & waiting.has(p), owner.becomes(p),  # noqa: E711
                    waiting.becomes(waiting if cfg.bad else waiting.without(p)))

    @m.action(P, R)
    def take(p, r):
        return when((owner == p) & ~hold[p, r], hold[p, r].becomes(True), last.becomes(r))

    @m.action(P, P)
    def release(p, q):
        return when((owner == p) & req[p, q], owner.becomes(None), req[p, q].becomes(False),
                    nxt[p].becomes(q), turns[p].becomes(If(turns[p] == 0, 1, 0)),
                    [hold[p, r].becomes(False) for r in R.members])

    @m.action(P)
    def forget(p):
        return when(nxt[p] != None, nxt[p].becomes(None), turns[p].becomes(0))  # noqa: E711

    m.invariant("owner_not_waiting", forall(P, lambda p: implies(owner == p, ~waiting.has(p))),
                "the lock holder is not waiting for it")
    m.invariant("few_waiting", waiting.weight() <= cfg.procs, "trivially true")
    return m.build()


TOY = Protocol("toy", toy_build, (Param("procs", 3, 2, 4), Param("res", 2, 1, 3), Param("bad", False)))


def lopsided_build(cfg):
    """Declares CPU symmetric but CPU 0 is special: symmetry must be refused."""
    m = ModelBuilder("lopsided", cfg)
    C = m.index_set("CPU", 3, symmetric=True)
    on = m.array("on", C, BOOL, False)

    @m.action(C)
    def start(c):
        return when(~on[c] & (c != 0), on[c].becomes(True))
    return m.build()


LOPSIDED = Protocol("lopsided", lopsided_build, ())


def _compiled(check, **over):
    model = build_model(check, over)
    return model, compile_model(model)


def _orbits_by_brute_force(model, c):
    """Every reachable state (no reduction), grouped by applying every permutation; and the states
    of those orbits (more than the reachable ones where the initial state is not symmetric)."""
    seen = {c.layout.initial()}
    todo = [c.layout.initial()]
    while todo:
        s = todo.pop()
        for _, t in c.successors(s):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    sym = Symmetry(model, c.layout)
    group = list(itertools.product(*(itertools.permutations(range(S.size)) for S in sym.sets)))
    orbits = {min(sym.apply(g, s) for g in group) for s in seen}
    closure = {sym.apply(g, s) for g in group for s in seen}
    return len(seen), len(orbits), len(closure)


CASES = [
    ("sync 4,1,2", Check(load_spec(SYNC)[0].protocol, cpus=4, pages=1, rounds=2)),
    ("sync 3,2,1", Check(load_spec(SYNC)[0].protocol, cpus=3, pages=2, rounds=1)),
    ("baseline 2,2,1", Check(load_spec(spec_path("baseline.py"))[0].protocol, cpus=2, pages=2, rounds=1)),
    ("toy 3,2", Check(TOY, procs=3, res=2)),
    ("toy 2,3", Check(TOY, procs=2, res=3)),
]


@pytest.mark.parametrize("name,check", CASES, ids=[c[0] for c in CASES])
def test_reduced_count_is_the_number_of_orbits(name, check):
    model, c = _compiled(check)
    full, orbits, closure = _orbits_by_brute_force(model, c)
    sym = Symmetry(model, c.layout)
    assert check_model(model, sym) is None
    out, represented = explore_reduced(c, sym, Limits(), check.deadlock)
    assert out.verdict is Verdict.HOLDS
    assert out.stats.states == orbits < full <= closure
    assert represented == closure
    fast = run_check("t", check, RunOptions(backend="fast", symmetry=True, liveness=False))
    assert (fast.stats.states, fast.stats.represented, fast.stats.depth) == \
        (orbits, closure, explore(c).stats.depth)


def test_incomplete_keys_are_tried_in_every_order():
    model, c = _compiled(Check(TOY, procs=3, res=2))
    sym = Symmetry(model, c.layout)
    assert sym.complete == [False, False]
    model, c = _compiled(CASES[0][1])
    assert Symmetry(model, c.layout).complete == [True]


def test_c_and_python_agree_on_representatives():
    from checker.explicit.fast import FastModel
    for _, check in (CASES[3], CASES[2]):
        model, c = _compiled(check)
        sym = Symmetry(model, c.layout)
        fm = FastModel.of(c, sym)
        group = list(itertools.product(*(itertools.permutations(range(S.size)) for S in sym.sets)))
        for i, s in enumerate(explore_states(c, 3000)):
            t = sym.apply(group[i % len(group)], s)     # not a representative, in general
            assert fm.canon(t) == sym.canon_info(t)


def explore_states(c, cap):
    seen = [c.layout.initial()]
    index = {seen[0]}
    for s in seen:
        for _, t in c.successors(s):
            if t not in index and len(seen) < cap:
                index.add(t)
                seen.append(t)
    return seen


def test_stabiliser_sizes_by_brute_force():
    model, c = _compiled(Check(TOY, procs=3, res=2))
    sym = Symmetry(model, c.layout)
    group = list(itertools.product(*(itertools.permutations(range(S.size)) for S in sym.sets)))
    for s in explore_states(c, 400):
        _, stab = sym.canon_info(s)
        assert stab == sum(1 for g in group if sym.apply(g, s) == s)


def _replays(c, trace):
    """The trace is a real execution: each step is its named action from the previous state."""
    labels = {inst.label: k for k, inst in enumerate(c.instances)}
    s = c.layout.initial()
    assert trace.steps[0].state == c.layout.decode(s)
    for st in trace.steps[1:]:
        args = ", ".join(f"{n}={v}" for n, v in st.args)
        k = labels[f"{st.action}({args})" if args else st.action]
        s = next(t for kk, t in c.successors(s) if kk == k)
        assert st.state == c.layout.decode(s)
    return s


@pytest.mark.parametrize("backend", ["explicit", "fast"])
def test_traces_under_symmetry_are_real_executions(backend):
    for check, over in ((Check(TOY, procs=3, res=2, bad=True), {}),
                        (load_spec(SYNC)[0], {"cpus": 4, "wait": False})):
        model, c = _compiled(check, **over)
        plain = run_check("t", check, RunOptions(over, backend=backend, symmetry=False, liveness=False))
        red = run_check("t", check, RunOptions(over, backend=backend, symmetry=True, liveness=False))
        assert red.symmetry and red.verdict is plain.verdict is Verdict.VIOLATED
        assert red.violation.invariant == plain.violation.invariant
        assert len(red.trace) == len(plain.trace)
        last = _replays(c, red.trace)
        bad = c.check(last)
        assert bad is not None and model.invariants[bad[0]].name == red.violation.invariant
        assert red.violation.witness == tuple(c.witnesses[bad[1]])


def _all_checks():
    out = []
    for f in sorted(glob.glob(spec_path("**", "*.py"), recursive=True)) + [SYNC]:
        if os.path.basename(f).startswith("_"):
            continue
        for c in load_spec(f):
            out.append((f, c))
    return out


@pytest.mark.parametrize("path,check", _all_checks(), ids=lambda x: getattr(x, "name", None) or "")
def test_verdicts_equal_with_and_without_symmetry(path, check):
    a = run_check(path, check, RunOptions(backend="fast", symmetry=False, liveness=False))
    b = run_check(path, check, RunOptions(backend="fast", symmetry=None, liveness=False))
    assert a.verdict is b.verdict
    assert (a.violation and a.violation.invariant) == (b.violation and b.violation.invariant)
    assert (len(a.trace) if a.trace else None) == (len(b.trace) if b.trace else None)
    assert a.stats.depth == b.stats.depth
    if b.symmetry and b.verdict is Verdict.HOLDS:
        assert b.stats.represented == a.stats.states >= b.stats.states


def test_a_model_that_is_not_symmetric_is_refused():
    check = Check(LOPSIDED)
    with pytest.raises(UserError, match="CPU is declared symmetric but action start treats"):
        run_check("t", check, RunOptions(backend="explicit", symmetry=True))
    r = run_check("t", Check(LOPSIDED, deadlock=False), RunOptions(backend="explicit", symmetry=None))
    assert not r.symmetry and r.stats.states == 4
    assert any("unsound" in w for w in r.warnings)


def test_no_symmetric_set_is_an_error_only_when_asked_for():
    check = load_spec(spec_path("baseline.py"))[0]
    r = run_check("t", check, RunOptions({"cpus": 2, "rounds": 2}, backend="explicit", symmetry=None,
                                         liveness=False))
    assert not r.symmetry and not r.warnings   # Page has one member: nothing to say


def test_command_line_switches(capsys):
    from checker.cli import main
    assert main([SYNC, "--cpus", "4", "--quiet", "--backend", "explicit", "--symmetry"]) == 0
    out = capsys.readouterr().out
    assert "backend explicit · symmetry on" in out and "1,638 distinct states" in out
    assert "the 7,070 states of their orbits" in out
    assert main([SYNC, "--cpus", "4", "--quiet", "--backend", "explicit", "--no-symmetry"]) == 0
    assert "7,070 distinct states" in capsys.readouterr().out
