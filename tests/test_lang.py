"""The modelling language: expression semantics, deadlocks, coverage, on tiny models."""
import itertools

import pytest

from checker.explicit.compile import compile_expr, compile_model
from checker.explicit.explore import explore
from checker.explicit.layout import Layout
from checker.lang.builder import ModelBuilder, when
from checker.lang.expr import If, count, exists, forall, implies
from checker.lang.types import BOOL, Elem, IntRange, Mask
from checker.result import Verdict


def counter_model(n_cpus=2, limit=2, deadlock_final=True):
    """Each CPU bumps its own counter up to `limit`; a token CPU id can move around."""
    m = ModelBuilder("counters")
    CPU = m.index_set("CPU", n_cpus, symmetric=True, lanes=True)
    k = m.array("k", CPU, IntRange(0, limit), 0)
    owner = m.var("owner", Elem(CPU, optional=True), None)
    seen = m.var("seen", Mask(CPU), ())

    @m.action(CPU)
    def bump(c):
        return when(k[c] < limit, k[c].becomes(k[c] + 1), seen.becomes(seen.with_(c)))

    @m.action(CPU)
    def take(c):
        return when((owner == None) & (k[c] == limit), owner.becomes(c))  # noqa: E711

    m.invariant("bounded", forall(CPU, lambda c: k[c] <= limit), "counters stay bounded")
    if deadlock_final:
        m.final(forall(CPU, lambda c: k[c] == limit) & (owner != None))  # noqa: E711
    return m.build()


def test_exact_state_count_of_a_tiny_model():
    # k in 0..2 per CPU (9 combinations); seen is determined by k; owner: none, or a CPU at limit
    model = counter_model()
    out = explore(compile_model(model))
    assert out.verdict is Verdict.HOLDS
    by_hand = sum(1 + sum(1 for x in ks if x == 2) for ks in itertools.product(range(3), repeat=2))
    assert out.stats.states == by_hand == 15


def test_deadlock_is_found_unless_the_state_is_final():
    model = counter_model(deadlock_final=False)
    out = explore(compile_model(model))
    assert out.verdict is Verdict.VIOLATED and out.violation.kind == "deadlock"
    # the first deadlock: both counters at 2 and the token taken, after 4 bumps and a take
    last = out.trace.steps[-1].state
    assert last["k"] == [2, 2] and last["owner"] is not None and len(out.trace) == 5
    assert explore(compile_model(model), deadlock=False).verdict is Verdict.HOLDS


def test_expression_semantics_on_every_state():
    m = ModelBuilder("exprs")
    CPU = m.index_set("CPU", 3)
    a = m.array("a", CPU, BOOL, False)
    mask = m.var("mask", Mask(CPU), ())
    x = m.var("x", IntRange(0, 3), 0)
    who = m.var("who", Elem(CPU), 0)

    @m.action()
    def noop():
        return when(True, x.becomes(x))
    model = m.build()
    lay = Layout.of(model)
    exprs = {
        "all": (forall(CPU, lambda c: a[c]), lambda A, M, X, W: all(A)),
        "any": (exists(CPU, lambda c: a[c] & mask.has(c)), lambda A, M, X, W: any(A[i] and M >> i & 1 for i in range(3))),
        "count": (count(CPU, lambda c: a[c]), lambda A, M, X, W: sum(A)),
        "weight": (mask.weight(), lambda A, M, X, W: bin(M).count("1")),
        "ite": (If(x < 2, x + 1, x - 2), lambda A, M, X, W: X + 1 if X < 2 else X - 2),
        "implies": (implies(a[0], mask.has(who)), lambda A, M, X, W: (not A[0]) or bool(M >> W & 1)),
        "dyn": (a[who], lambda A, M, X, W: A[W]),
        "madd": (mask.with_(who).without(0), lambda A, M, X, W: (M | 1 << W) & ~1),
        "mnot": (~mask & CPU.all(), lambda A, M, X, W: ~M & 7),
    }
    fns = {k: (compile_expr(e, lay), ref) for k, (e, ref) in exprs.items()}
    for A in itertools.product((False, True), repeat=3):
        for M in range(8):
            for X in range(4):
                for W in range(3):
                    s = A + (M, X, W)
                    for k, (fn, ref) in fns.items():
                        assert fn(s) == ref(list(A), M, X, W), (k, s)


def test_never_fired_actions_are_reported(tmp_path):
    from checker.lang.protocol import Protocol
    from checker.run import run_check
    from checker.spec import Check

    def build(cfg):
        m = ModelBuilder("dead_action")
        x = m.var("x", IntRange(0, 1), 0)

        @m.action()
        def go():
            return when(x == 0, x.becomes(1))

        @m.action()
        def never():
            return when(x == 2, x.becomes(0))
        m.final(x == 1)
        return m.build()
    r = run_check("t", Check(Protocol("dead_action", build, ())))
    assert r.verdict is Verdict.HOLDS and r.coverage == {"go": 1, "never": 0}
    assert r.vacuity == ["never fired, and the spec's dead_ok does not say why: never"]
    assert not r.expectation_met   # a gate fails on it


def test_a_list_nested_in_the_updates_is_named_in_one_line():
    """A protocol author who nests a list of updates one level too deep is told so, not shown the IR."""
    import pytest

    from checker.errors import ModelError
    m = ModelBuilder("nest", None)
    x = m.var("x", BOOL, False)
    with pytest.raises(ModelError) as e:
        @m.action()
        def a():
            return when(~x, [[x.becomes(True)]])
    assert "a list of updates inside a list of updates" in str(e.value) and len(str(e.value)) < 300


def test_an_action_is_environment_or_hardware_not_both():
    """environment=True is no progress, hardware=True is: an action that says both is a model error."""
    import pytest

    from checker.errors import ModelError
    m = ModelBuilder("both", None)
    x = m.var("x", BOOL, False)
    with pytest.raises(ModelError) as e:
        @m.action(environment=True, hardware=True)
        def a():
            return when(~x, x.becomes(True))
    assert "environment=True (no progress) or hardware=True (progress), not both" in str(e.value)


def test_history_variables_are_read_by_properties_only():
    """A history variable records what happened for the properties (mutants of its updates are
    reported apart); the model itself reading one is a model error."""
    from checker.adequacy.mutants import history_vars
    from checker.errors import ModelError
    from checker.lang.model import ghosts

    def model(read_in_guard):
        m = ModelBuilder("history")
        CPU = m.index_set("CPU", 2, lanes=True)
        k = m.array("k", CPU, IntRange(0, 2), 0)
        seen = m.array("seen", CPU, BOOL, False, history=True)

        @m.action(CPU)
        def bump(c):
            return when((k[c] < 2) & (~seen[c] if read_in_guard else True), k[c].becomes(k[c] + 1),
                        seen.__getitem__(c).becomes(seen[c] | (k[c] == 1)))
        m.invariant("not_seen_twice", forall(CPU, lambda c: ~seen[c] | (k[c] == 2)), "")
        return m.build()

    built = model(False)
    assert ghosts(built) == {"seen"} and history_vars(built) == {"seen"}
    with pytest.raises(ModelError) as e:
        model(True)
    assert "history variable seen is read by the model" in str(e.value)


def test_a_member_as_a_value_has_its_set_s_type():
    """IndexSet.at: an If whose branches are all literal members still has an index-set type."""
    from checker.errors import ModelError
    m = ModelBuilder("at")
    PCID = m.index_set("PCID", 3)
    last = m.var("last", Elem(PCID), 0)
    pick = If(last == 0, 1, PCID.at(2))
    assert pick.type == Elem(PCID) and PCID.at(2).type == Elem(PCID)
    with pytest.raises(ModelError, match="3 is not a member of PCID"):
        PCID.at(3)
