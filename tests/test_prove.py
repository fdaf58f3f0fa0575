"""Induction proofs (--prove): proved beyond explicit reach, readable CTIs, honest verdicts."""
from __future__ import annotations

import pytest

from checker.cli import main
from checker.errors import ModelRuntimeError, UserError
from checker.explicit.compile import compile_model
from checker.result import Verdict
from checker.run import RunOptions, build_model, run_check
from checker.spec import Check, load_spec

from .conftest import searched_all_clean, spec_path

STANDARD = ("no_stale_access", "no_freed_table_walk", "flush_info_live", "nmi_uaccess_safe")
PROVE = RunOptions(prove=True)


def _spec(name: str) -> Check:
    return load_spec(spec_path(f"{name}.py"))[0]


def test_async_inline_proved_at_8_cpus_from_the_command_line(capsys):
    # the invariants are proved; deadlock, flush_completes and the covers are not checked by
    # induction, so the verdict says incomplete (exit 3) and names them
    assert main([spec_path("async_inline.py"), "--prove", "--cpus", "8", "--quiet"]) == 3
    out = capsys.readouterr().out
    assert "backend smt (induction)" in out and "cpus=8" in out
    assert "incomplete: " + ", ".join(STANDARD) + " proved for every depth by 1-induction" in out
    assert "1-induction with 13 strengthening invariants" in out
    assert "not checked: deadlock — induction does not prove deadlock freedom" in out
    assert "not checked: flush_completes — the Z3 backend does not check leads-to properties" in out


def proved(r) -> bool:
    """Every invariant proved; what induction cannot check is named, nothing else is missing."""
    return (r.verdict is Verdict.INCOMPLETE and r.violation is None and r.trace is None
            and " proved for every depth by " in r.reason
            and all(k == "deadlock" or "the Z3 backend does not" in why for k, why in r.unchecked.items()))


@pytest.mark.parametrize("family", ["baseline", "concurrent", "async_inline"])
@pytest.mark.parametrize("cpus", [3, 16])
def test_every_flush_family_is_proved(family, cpus):
    r = run_check(family, _spec(family), RunOptions({"cpus": cpus}, prove=True))
    assert proved(r), r.reason
    assert r.invariants == STANDARD and r.stats.depth == 1  # 1-induction sufficed


def test_without_the_nmi_block_the_proof_fails_with_a_readable_cti(capsys):
    code = main([spec_path("async_inline.py"), "--prove", "--cpus", "8", "--set", "nmi_block=false",
                 "--quiet"])
    assert code == 3  # not proved is incomplete, not a violation: the CTI may be unreachable
    out = capsys.readouterr().out
    assert "incomplete: not proved: no_stale_access is not inductive" in out
    assert "counterexample to induction, 1 step" in out
    assert "pre    pte=[none]  frame=[free]" in out   # the frame was freed under a cached entry
    assert "nmi_uaccess(c=" in out or "kprobe_uaccess(c=" in out
    assert "stale_access[" in out and ": False → True" in out
    assert "✗ no_stale_access broken by the step" in out
    # minimised: the pre-state differs from the initial state only where it must
    assert "differs from the initial one only in pte[0]=none, frame[0]=free" in out and "=async_func:" in out


def test_cti_for_no_stale_access_is_one_real_step():
    """The CTI's step is a transition of the explicit backend and breaks the named invariant."""
    check = load_spec(spec_path("bugs", "async_no_nmi_block.py"))[0]
    r = run_check("s", check, RunOptions({"cpus": 8}, prove=True))
    assert r.verdict is Verdict.INCOMPLETE and r.violation is None
    t = r.trace
    assert t.kind == "cti" and len(t) == 1 and t.violation.invariant == "no_stale_access"
    pre, post = t.steps[0].state, t.steps[1].state
    c, p = (m for _, m in t.violation.witness)
    assert post["stale_access"][c][p] is True and pre["stale_access"][c][p] is False
    f = pre["tlb"][c][p]
    assert pre["frame"][f] == "free" and pre["irq"][c] == "async_func"  # the RFC's window W
    model = build_model(check, {"cpus": 8})
    comp = compile_model(model)
    pack = lambda s: tuple(x for v in comp.layout.vars for x in _flat(s[v.name], v))  # noqa: E731
    succ = {comp.instances[k].action.name: n for k, n in comp.successors(pack(pre))}
    assert succ[t.steps[1].action] == pack(post)


def _flat(value, var):
    from .test_bmc import _flat as f
    return f(value, var)


def test_no_strengthening_means_no_proof():
    check = Check(_spec("async_inline").protocol, strengthen=[], cpus=4, pages=1, rounds=2)
    r = run_check("s", check, PROVE)
    assert r.verdict is Verdict.INCOMPLETE and r.trace.kind == "cti"
    assert "without strengthening invariants" in r.reason


def test_strengthening_names_are_checked():
    check = Check(_spec("async_inline").protocol, strengthen=["stale_entries_owe_flush"], cpus=2)
    with pytest.raises(UserError) as e:
        run_check("s", check, PROVE)
    assert "did you mean 'stale_entries_owe_a_flush'?" in str(e.value)


def test_strengthening_invariants_hold_in_every_reachable_state():
    """Auxiliary invariants are not checked by default, but they are true: the explicit search
    checks them when a spec names them (also for the variant the proof cannot cover)."""
    for family, extra in [("baseline", {}), ("concurrent", {}), ("async_inline", {}),
                          ("async_inline", {"nmi_block": False})]:
        proto = _spec(family).protocol
        aux = [i.name for i in proto.build(proto.configure({"cpus": 2})).auxiliary]
        assert len(aux) >= 13
        check = Check(proto, invariants=aux, liveness=False, cpus=3, pages=1, rounds=2, **extra)
        r = run_check("s", check)
        assert searched_all_clean(r), (family, extra, r.violation)
        plain = run_check("s", Check(proto, liveness=False, cpus=3, pages=1, rounds=2, **extra))
        assert r.stats.states == plain.stats.states or plain.verdict is Verdict.VIOLATED
        assert not set(aux) & set(plain.invariants)  # not checked unless named


def test_cpu_bounds_are_the_protocols_not_explicit_searchs(capsys):
    """Explicit search has no CPU cap of its own any more (issue 13): --memory-limit decides."""
    assert main([spec_path("async_inline.py"), "--cpus", "65", "--quiet"]) == 2
    assert "outside the bounds 2..64" in capsys.readouterr().err
    assert main([spec_path("async_inline.py"), "--cpus", "65", "--prove", "--quiet"]) == 2
    assert "outside the bounds 2..64" in capsys.readouterr().err


# ------------------------------------------------------------------ the toy: every outcome

def _toy(flaw: str = "none", **kw) -> Check:
    from .fixtures.sanity_toy import PROTOCOL
    return Check(PROTOCOL, flaw=flaw, **kw)


def test_toy_counter_is_proved_including_its_range_obligation():
    r = run_check("t", _toy(), PROVE)
    assert proved(r) and r.invariants == ("users_counts_busy",) and list(r.unchecked) == ["deadlock"]
    # a spec that leaves deadlock out gets a plain "holds" from the proof
    r = run_check("t", _toy(deadlock=False), PROVE)
    assert r.verdict is Verdict.HOLDS and r.excluded == {"deadlock": "the spec says deadlock=False"}


def test_a_violated_invariant_is_a_violation_not_a_cti():
    r = run_check("t", _toy("bad_init"), PROVE)
    assert r.verdict is Verdict.VIOLATED and r.violation.invariant == "someone_busy"
    assert r.trace.kind == "counterexample" and len(r.trace) == 0


def test_a_false_strengthening_is_reported_with_its_trace():
    r = run_check("t", _toy("false_aux"), PROVE)
    assert r.verdict is Verdict.INCOMPLETE
    assert "the strengthening invariant nobody_busy is false" in r.reason
    assert r.trace.kind == "counterexample" and len(r.trace) == 1


def test_range_overflow_is_a_model_error_in_proofs_too():
    with pytest.raises(ModelRuntimeError):
        run_check("t", _toy("tight"))
    with pytest.raises(ModelRuntimeError) as e:
        run_check("t", _toy("tight"), PROVE)
    assert "outside its range 0..1" in str(e.value)
