"""Protocol.variant: a family's own build with actions replaced or dropped, declarations and
parameters added — and everything it does not name kept (liveness, fairness, auxiliary
invariants, refs). Bad edits are exit 2 at the `.variant(...)` line, with a did-you-mean."""
import inspect
import os
import subprocess
import sys

import pytest

from checker.cli import main
from checker.errors import UserError
from checker.lang import (
    BOOL,
    IntRange,
    ModelBuilder,
    Param,
    Protocol,
    Replace,
    forall,
    when,
)
from checker.result import Verdict
from checker.run import run_check
from checker.spec import Check, load_spec

from .conftest import ROOT, spec_path

SPEC = spec_path("variant_psc_not_flushed.py")


def here() -> int:
    """The caller's next line: where the `.variant(...)` call under test sits."""
    return inspect.currentframe().f_back.f_lineno + 1


# ---------------------------------------------------------------- a toy family

def toy_build(cfg):
    """Each CPU counts to 2; then `finish` sets done."""
    m = ModelBuilder("toy", cfg, "a toy family")
    CPU = m.index_set("CPU", cfg.cpus, lanes=True)
    x = m.array("x", CPU, IntRange(0, 3), 0)
    done = m.var("done", BOOL, False)

    @m.action(CPU, fair="weak", ref="toy: bump")
    def bump(c):
        """Count up to 2."""
        return when(x[c] < 2, x[c].becomes(x[c] + 1))

    @m.action(fair="weak", ref="toy: finish")
    def finish():
        return when(~done & forall(CPU, lambda c: x[c] == 2), done.becomes(True))

    m.invariant("small", forall(CPU, lambda c: x[c] <= 2), "x stays at most 2")
    m.invariant("aux_done", ~done | forall(CPU, lambda c: x[c] == 2),
                "done only once every CPU counted", auxiliary=True)
    m.cover("all_done", done, "every CPU counted and finish ran")
    m.leads_to("finishes", ~done, done, "the count completes")
    m.final(done)
    return m.build()


TOY = Protocol("toy", toy_build, (Param("cpus", 2, 1, 3),))


def build(p: Protocol, **values):
    return p.build(p.configure(values))


def names(model):
    return {"actions": [a.name for a in model.actions], "invariants": [i.name for i in model.invariants],
            "auxiliary": [i.name for i in model.auxiliary], "covers": [c.name for c in model.covers],
            "properties": [p.name for p in model.properties]}


def overshoot(v, c):
    """Count one too far."""
    return when(v.x[c] < 3, v.x[c].becomes(v.x[c] + 1))


# ---------------------------------------------------------------- the spec

def test_spec_finds_the_forgotten_psc_flush():
    with open(SPEC) as f:
        assert len(f.read().splitlines()) <= 30
    results = {c.name: run_check(SPEC, c) for c in load_spec(SPEC)}
    bug = results["variant_psc_not_flushed"]
    assert bug.protocol == "concurrent_psc_not_flushed"
    assert bug.violation.invariant == "no_freed_table_walk" and len(bug.trace) == 12
    steps = [s.action for s in bug.trace.steps[1:]]
    assert steps[-1] == "tlb_fill"   # a walk through the cached pointer into the freed table
    assert steps.index("flush_tlb_func") < steps.index("tlb_finish_mmu")
    assert results["original"].verdict is Verdict.HOLDS


def test_variant_keeps_what_it_does_not_name():
    """Same config: every name of the family is kept, the replaced action keeps its parameters,
    actor, fairness, environment flag and ref; only its body (and location) changed."""
    from protocols.concurrent import PROTOCOL
    variant = next(c for c in load_spec(SPEC) if c.name == "variant_psc_not_flushed").protocol
    base, model = build(PROTOCOL, cpus=2), build(variant, cpus=2)
    assert model.name == "concurrent_psc_not_flushed" and base.name == "concurrent"
    assert names(model) == names(base)
    assert "flush_completes" in names(model)["properties"] and names(model)["auxiliary"]
    assert model.final is not None and model.params == base.params
    for a, b in zip(model.actions, base.actions):
        assert (a.name, [p.name for p in a.params], [p.iset for p in a.params], a.fair, a.environment,
                a.ref) == (b.name, [p.name for p in b.params], [p.iset for p in b.params], b.fair,
                           b.environment, b.ref)
        assert str(a.actor) == str(b.actor)
        if a.name == "flush_tlb_func":
            assert a.loc.file == SPEC and a.doc.startswith("flush_tlb_func_common, but")
            assert "psc" in {u.target.var.name for u in b.updates}
            assert "psc" not in {u.target.var.name for u in a.updates}
        else:
            assert a.loc == b.loc and a.doc == b.doc
    assert [p.fair for p in model.actions] == [p.fair for p in base.actions]


def test_the_family_is_left_alone():
    """No global state: the base family, built after and beside its variant, is unchanged."""
    v = TOY.variant("toy_over", replace={"bump": overshoot}, drop=["all_done"])
    before = names(build(TOY))
    assert names(build(v))["covers"] == []
    assert names(build(TOY)) == before and TOY.configure({}).variant_edits == ()
    assert build(TOY).actions[0].loc.line != overshoot.__code__.co_firstlineno
    assert build(v).actions[0].loc.line == overshoot.__code__.co_firstlineno


# ---------------------------------------------------------------- replace

def test_replacement_is_found_with_its_shortest_trace(tmp_path):
    v = TOY.variant("toy_over", replace={"bump": overshoot})
    r = run_check("t", Check(v, cpus=2, expect="violates small"))
    assert r.violation.invariant == "small" and len(r.trace) == 3
    assert [s.action for s in r.trace.steps[1:]] == ["bump"] * 3
    assert r.verdict is not Verdict.HOLDS
    assert run_check("t", Check(TOY, cpus=2)).verdict is Verdict.HOLDS


def test_replace_overrides_ref_doc_fairness():
    v = TOY.variant("toy_over", replace={"bump": Replace(overshoot, ref="my patch", fair=None)})
    a = build(v).actions[0]
    assert (a.ref, a.fair, a.doc) == ("my patch", None, "Count one too far.")
    a = build(TOY.variant("toy_over", replace={"bump": Replace(overshoot, doc="d")})).actions[0]
    assert (a.ref, a.fair, a.doc) == ("toy: bump", "weak", "d")


def test_replacement_with_wrong_arity_is_located_at_the_variant_line():
    line = here()
    v = TOY.variant("toy_bad", replace={"bump": lambda v: when(True)})
    with pytest.raises(UserError) as e:
        build(v)
    assert (e.value.loc.file, e.value.loc.line) == (__file__, line)
    assert "must take (v, c)" in e.value.message


def test_replacement_type_error_is_located_in_the_replacement():
    def bad(v, c):
        return when(v.x[c], v.done.becomes(True))   # an int guard

    with pytest.raises(UserError) as e:
        build(TOY.variant("toy_bad", replace={"bump": bad}))
    assert e.value.loc.file == __file__ and e.value.loc.line == bad.__code__.co_firstlineno
    assert "not a boolean" in e.value.message

    def typo(v, c):
        return when(v.xx[c] < 2)  # LINE:typo

    with pytest.raises(UserError) as e:
        build(TOY.variant("toy_bad", replace={"bump": typo}))
    assert e.value.loc.line == typo.__code__.co_firstlineno + 1 and "did you mean 'x'?" in e.value.hint


def test_v_is_read_only_and_complete():
    seen = {}

    def spy(v, c):
        seen.update(names=set(v), cpus=v.cfg.cpus, size=v.CPU.size, has=("done" in v))
        with pytest.raises(UserError):
            v.x = 1
        return when(v["x"][c] < 2, v.x[c].becomes(v.x[c] + 1))

    build(TOY.variant("toy_spy", replace={"bump": spy}), cpus=3)
    assert seen == {"names": {"CPU", "x", "done"}, "cpus": 3, "size": 3, "has": True}


# ---------------------------------------------------------------- drop, add

def test_drop_removes_each_kind():
    v = TOY.variant("toy_less", drop=["finish", "small", "aux_done", "all_done", "finishes"])
    assert names(build(v)) == {"actions": ["bump"], "invariants": [], "auxiliary": [], "covers": [],
                               "properties": []}


def test_drop_in_a_real_family_keeps_the_rest():
    from protocols.concurrent import PROTOCOL
    v = PROTOCOL.variant("concurrent_no_liveness", drop=["flush_completes", "remote_flush_during_local"])
    base, model = names(build(PROTOCOL)), names(build(v))
    assert model["properties"] == [] and "remote_flush_during_local" not in model["covers"]
    assert model["actions"] == base["actions"] and model["auxiliary"] == base["auxiliary"]
    assert len(model["covers"]) == len(base["covers"]) - 1


def test_add_declares_on_the_builder():
    def extra(m, v):
        @m.action(v.CPU, ref="toy: reset", fair="weak")
        def reset(c):
            return when(v.x[c] == 2, v.x[c].becomes(0))
        m.invariant("never_three", forall(v.CPU, lambda c: v.x[c] != 3), "x never reaches 3")

    model = build(TOY.variant("toy_more", add=[extra]))
    assert names(model)["actions"] == ["bump", "finish", "reset"]
    assert names(model)["invariants"] == ["small", "never_three"]
    assert model.actions[2].loc.file == __file__


def test_add_may_reuse_a_dropped_name_but_not_a_kept_one():
    def again(m, v):
        m.cover("all_done", v.x[0] == 2, "CPU 0 counted")

    assert names(build(TOY.variant("toy_cover", drop=["all_done"], add=again)))["covers"] == ["all_done"]
    with pytest.raises(UserError, match="declared twice"):
        build(TOY.variant("toy_cover", add=again))


@pytest.mark.parametrize("kwargs,msg", [
    ({"drop": ["bumpp"]}, "did you mean 'bump'?"),
    ({"replace": {"finsh": overshoot}}, "did you mean 'finish'?"),
    ({"drop": ["smal"]}, "did you mean 'small'?"),
])
def test_unknown_name_is_located_at_the_variant_line(kwargs, msg):
    line = here()
    v = TOY.variant("toy_typo", **kwargs)
    with pytest.raises(UserError) as e:
        build(v)
    assert (e.value.loc.file, e.value.loc.line) == (__file__, line) and e.value.hint == msg


@pytest.mark.parametrize("kwargs,msg", [
    ({"replace": {"small": overshoot}}, "replace= takes actions"),
    ({"drop": ["x"]}, "names variable 'x'"),
    ({"drop": ["CPU"]}, "names index set 'CPU'"),
])
def test_what_cannot_be_edited(kwargs, msg):
    line = here()
    v = TOY.variant("toy_bad", **kwargs)
    with pytest.raises(UserError, match=msg) as e:
        build(v)
    assert e.value.loc.line == line


def test_bad_arguments_are_refused_at_once():
    for kwargs, msg in [({"name": "toy"}, "name of its own"), ({"name": "a b"}, "identifier"),
                        ({"replace": {"bump": 3}}, "not a function"),
                        ({"drop": ["bump"], "replace": {"bump": overshoot}}, "both replaced and dropped"),
                        ({"add": [lambda m: None]}, "must take \\(m, v\\)")]:
        name = kwargs.pop("name", "toy_v")
        with pytest.raises(UserError, match=msg):
            TOY.variant(name, **kwargs)
    with pytest.raises(UserError, match="fairness"):
        Replace(overshoot, fair="sometimes")


# ---------------------------------------------------------------- params

def test_params_new_default_and_new_param():
    def maybe(v, c):
        top = 3 if v.cfg.overshoot else 2
        return when(v.x[c] < top, v.x[c].becomes(v.x[c] + 1))

    v = TOY.variant("toy_param", replace={"bump": maybe},
                    params={"cpus": 1, "overshoot": Param("overshoot", False, doc="count to 3")})
    assert v.param("cpus").default == 1 and TOY.param("cpus").default == 2
    assert run_check("t", Check(v)).verdict is Verdict.HOLDS
    r = run_check("t", Check(v, overshoot=True, expect="violates small"))
    assert r.violation.invariant == "small" and len(r.trace) == 3
    assert dict(build(v, overshoot=True).params) == {"cpus": 1, "overshoot": True}


def test_bad_params_are_located_at_the_variant_line():
    for params, msg in [({"cpu": 1}, "did you mean 'cpus'?"), ({"cpus": 9}, None),
                        ({"cpus": Param("cpus", 2)}, None), ({"d": Param("e", 1)}, None)]:
        line = here() + 1
        with pytest.raises(UserError) as e:
            TOY.variant("toy_p", params=params)
        assert e.value.loc.line == line and (msg is None or e.value.hint.startswith(msg))


# ---------------------------------------------------------------- composition

def test_variant_of_a_variant():
    """Edits stack: the second replaces what the first added and drops what the family declared;
    a name the first dropped is unknown to the second."""
    def extra(m, v):
        @m.action(v.CPU, ref="toy: reset")
        def reset(c):
            return when(v.x[c] == 2, v.x[c].becomes(0))

    def reset_once(v, c):
        return when((v.x[c] == 2) & ~v.done, v.x[c].becomes(1))

    v1 = TOY.variant("toy_one", replace={"bump": overshoot}, add=[extra])
    v2 = v1.variant("toy_two", replace={"reset": reset_once}, drop=["aux_done"])
    m1, m2 = build(v1), build(v2)
    assert m2.name == "toy_two" and names(m2)["auxiliary"] == [] and names(m1)["auxiliary"] == ["aux_done"]
    by = {a.name: a for a in m2.actions}
    assert by["bump"].doc == "Count one too far." and by["reset"].loc.line == reset_once.__code__.co_firstlineno
    assert by["reset"].ref == "toy: reset"
    assert {a.name: a.loc for a in m1.actions}["reset"].line != by["reset"].loc.line
    # the second sees the first's names only
    v3 = TOY.variant("toy_a", drop=["all_done"])
    line = here()
    v4 = v3.variant("toy_b", drop=["all_done"])
    with pytest.raises(UserError) as e:
        build(v4)
    assert e.value.loc.line == line and "toy_a has no" in e.value.message


def test_family_that_ignores_its_config_is_refused():
    def deaf(cfg):
        m = ModelBuilder("deaf")  # no cfg: the variant's edits cannot reach it
        x = m.var("x", BOOL, False)

        @m.action(ref="r")
        def flip():
            return when(~x, x.becomes(True))
        return m.build()

    v = Protocol("deaf", deaf, ()).variant("deaf_v", drop=["flip"])
    with pytest.raises(UserError, match="without passing its Config"):
        v.build(v.configure({}))


# ---------------------------------------------------------------- the command line

def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_typo_in_an_action_name_is_exit_2_with_did_you_mean(tmp_path, capsys):
    p = write(tmp_path, "typo.py", "from checker.spec import Check\n"
              "from protocols.concurrent import PROTOCOL\n"
              "V = PROTOCOL.variant('concurrent_typo', replace={'flush_tlb_fnuc': lambda v, t: None})\n"
              "CHECK = Check(V, cpus=2)\n")
    code = main([p])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"{p}:3: error: variant concurrent_typo: concurrent has no action 'flush_tlb_fnuc'" in err
    assert "did you mean 'flush_tlb_func'?" in err


def test_typo_in_drop_via_python_m_checker(tmp_path):
    p = write(tmp_path, "drop.py", "from checker.spec import Check\n"
              "from protocols.concurrent import PROTOCOL\n\n"
              "V = PROTOCOL.variant('concurrent_typo', drop=['no_freed_table_wlak'])\n"
              "CHECK = Check(V, cpus=2)\n")
    r = subprocess.run([sys.executable, "-m", "checker", p], cwd=ROOT, capture_output=True, text=True,
                       check=False, env={**os.environ, "PYTHONPATH": ROOT})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{p}:4: error:" in r.stderr and "did you mean 'no_freed_table_walk'?" in r.stderr
