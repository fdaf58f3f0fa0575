"""Cover properties: what each family exists for is reached, and the mutants of issue 17 that
delete it are caught — by an unreached cover (verdict "uncovered") or a violation."""
from __future__ import annotations

import dataclasses

import pytest

from checker.lang.expr import Op, Quant
from checker.result import Verdict
from checker.run import RunOptions, build_model, run_check
from checker.spec import load_spec

from .conftest import spec_path

# each family's covers at its spec's parameters, in declaration order
LAZY = ["lazy_cpu_caches_at_flush"]
IPI = ["lazy_cpu_leaves_mm", "flush_skipped_caught_up", "kprobe_in_flush_handler"]
CALLERS = ["munmap_completes", "madvise_completes", "refault_refills_tlb", "table_cached_after_detach",
           "table_freed"]
COVERS = {
    "baseline": LAZY + ["frame_freed_while_cached", "nmi_in_flush_window"] + CALLERS + IPI + ["lazy_cpu_skipped"],
    "concurrent": LAZY + ["frame_freed_while_cached", "nmi_in_flush_window"] + CALLERS + IPI
    + ["remote_flush_during_local", "lazy_cpu_skipped"],
    "async_inline": LAZY + ["frame_freed_while_cached", "nmi_in_flush_window", "nmi_in_async_window"] + CALLERS
    + IPI + ["remote_flush_during_local", "lazy_cpu_skipped", "async_window", "inlined_info_csd_reused"],
    "v4_19": LAZY + ["nmi_in_flush_window"] + CALLERS + IPI,
    "v6": ["cpumask_bit_kept", "cr3_before_current", "ipi_while_switching"] + LAZY
    + ["frame_freed_while_cached", "nmi_in_flush_window"] + CALLERS + IPI
    + ["stale_cpumask_bit_cleared", "remote_flush_during_local", "lazy_cpu_skipped"],
    "kvm_pv": LAZY + ["frame_freed_while_cached", "nmi_in_flush_window", "pv_flush_deferred_to_resume"] + CALLERS
    + IPI + ["lazy_cpu_skipped"],
    "latr": LAZY + ["nmi_in_flush_window", "latr_sweep_pending_after_return", "latr_reuse_after_sweeps"] + CALLERS,
    "hyperv": LAZY + ["nmi_in_flush_window", "munmap_completes", "collapse_completes", "refault_refills_tlb",
                      "table_cached_after_detach", "table_freed", "hypercall_flush_during_gup_fast"],
}


def _check(family):
    return load_spec(spec_path(f"{family}.py"))[0]


@pytest.mark.parametrize("family", sorted(COVERS))
def test_each_family_declares_its_covers(family):
    model = build_model(_check(family), {})
    assert [c.name for c in model.covers] == COVERS[family]
    for c in model.covers:
        assert c.ref and c.statement, f"{family}: cover {c.name} cites no kernel code"
    # every checked standard invariant states its hazard's precondition
    assert all(i.precondition is not None for i in model.invariants)


@pytest.mark.parametrize("family", sorted(COVERS))
def test_every_cover_and_precondition_is_reached_at_two_cpus(family):
    check = _check(family)
    r = run_check(family, check, RunOptions({"cpus": 2}))
    assert r.verdict is Verdict.HOLDS, r.reason
    assert [g.name for g in r.goals if not g.reached] == []


# ---------------------------------------------------------------- the mutants of issue 17

def _replace_action(model, name, fn):
    assert any(a.name == name for a in model.actions), f"no action {name}"
    acts = tuple(fn(a) if a.name == name else a for a in model.actions)
    return dataclasses.replace(model, actions=acts)


def _drop_update(model, action, var, pick=lambda u: True):
    """Drop the updates of `action` to `var` (those `pick` selects)."""
    def fn(a):
        keep = tuple(u for u in a.updates if not (u.target.var.name == var and pick(u)))
        assert len(keep) < len(a.updates), f"{action} assigns no {var}"
        return dataclasses.replace(a, updates=keep)
    return _replace_action(model, action, fn)


def _rewrite(e, f):
    """`e` with every node n for which f(n) is not None replaced by f(n)."""
    new = f(e)
    if new is not None:
        return new
    if isinstance(e, Op):
        return dataclasses.replace(e, args=tuple(_rewrite(a, f) for a in e.args))
    if isinstance(e, Quant):
        return dataclasses.replace(e, body=_rewrite(e.body, f))
    return e


def _flip_tlb_none_test(model):
    """tlb_fill: `tlb[c][p] == none` becomes `!=`: the walk only 'fills' an entry already there."""
    hits = []

    def f(e):
        if isinstance(e, Op) and e.op == "eq" and "tlb[" in str(e.args[0]) and str(e.args[1]) == "none":
            hits.append(e)
            return dataclasses.replace(e, op="ne")
        return None

    out = _replace_action(model, "tlb_fill", lambda a: dataclasses.replace(a, guard=_rewrite(a.guard, f)))
    assert len(hits) == 1
    return out


def _swap_last_round(model):
    """tlb_finish_mmu: If(last, "done", "freed") becomes If(last, "freed", "done")."""
    def fn(a):
        ups = []
        for u in a.updates:
            if u.target.var.name == "phase":
                cond, then, other = u.value.args
                u = dataclasses.replace(u, value=dataclasses.replace(u.value, args=(cond, other, then)))
            ups.append(u)
        return dataclasses.replace(a, updates=tuple(ups))
    return _replace_action(model, "tlb_finish_mmu", fn)


# name -> (the mutation, the covers it must leave unreached, where it applies)
MUTANTS = {
    "flushes_never_async": (lambda m: _drop_update(m, "inc_mm_tlb_gen", "async_flush"),
                            {"async_window"}, ("async_inline",)),
    "munmap_never_zapped": (lambda m: _drop_update(m, "munmap", "phase"),
                            {"table_freed", "munmap_completes"}, ("async_inline", "concurrent")),
    "frames_never_freed": (lambda m: _drop_update(m, "tlb_finish_mmu", "frame"),
                           {"frame_freed_while_cached"}, ("async_inline", "concurrent")),
    "never_lazy": (lambda m: _drop_update(m, "enter_lazy_tlb", "mode"),
                   {"lazy_cpu_caches_at_flush", "lazy_cpu_skipped", "lazy_cpu_leaves_mm"},
                   ("async_inline", "concurrent")),
    "tlb_never_filled": (_flip_tlb_none_test, {"frame_freed_while_cached", "lazy_cpu_caches_at_flush"},
                         ("async_inline", "concurrent")),
    "last_round_swapped": (_swap_last_round, {"munmap_completes", "madvise_completes"},
                           ("async_inline", "concurrent")),
}
CASES = [(name, fam) for name, (_, _, fams) in MUTANTS.items() for fam in fams]


@pytest.mark.parametrize("name,family", CASES, ids=[f"{n}-{f}" for n, f in CASES])
def test_issue17_mutant_is_caught_at_the_spec_bounds(name, family):
    mutate, covers, _ = MUTANTS[name]
    check = _check(family)
    mutant = mutate(build_model(check, {}))
    r = run_check(spec_path(f"{family}.py"), check, RunOptions(backend="explicit"), model=mutant)
    assert r.verdict in (Verdict.VIOLATED, Verdict.UNCOVERED), f"{name} survived on {family}"
    unreached = {g.name for g in r.goals if g.kind == "cover" and not g.reached}
    if r.verdict is Verdict.UNCOVERED:
        assert covers <= unreached, f"{name}: reached {covers - unreached}"
    else:  # a dead end that is not final: round 0 ends 'done' (swap), or the refault finds no free frame
        assert name in ("last_round_swapped", "frames_never_freed") and r.violation.kind == "deadlock"


# ---------------------------------------------------------------- context covers

@pytest.mark.parametrize("backend", ["explicit", "fast"])
def test_a_walker_that_stops_firing_in_one_context_is_uncovered(backend):
    """tlb_fill declares the contexts the architecture walks in (user, lazy, cr3): each is a cover of
    its guard met there. A walker that no longer fills on lazy CPUs still fires (no dead action) and
    breaks no invariant, but leaves tlb_fill__lazy unreached: "uncovered", not "holds"."""
    check = next(c for c in load_spec(spec_path("invlpgb.py")) if c.name == "invlpgb_small")
    model = build_model(check, {})
    contexts = {"tlb_fill__user", "tlb_fill__lazy", "tlb_fill__cr3", "switch_mm_begin__other_idle",
                "switch_mm_begin__other_freed", "switch_mm_begin__other_done"}
    assert contexts <= {c.name for c in model.all_covers} and not contexts & {c.name for c in model.covers}

    def no_lazy_walk(a):
        c = a.params[0]
        mode = model.var("mode")
        from checker.lang.expr import Ref
        return dataclasses.replace(a, guard=a.guard & (Ref(mode, (c,)) != "lazy"))
    mutant = _replace_action(model, "tlb_fill", no_lazy_walk)
    r = run_check("invlpgb.py", check, RunOptions(backend=backend), model=mutant)
    assert r.verdict is Verdict.UNCOVERED
    assert [g.name for g in r.goals if not g.reached] == ["tlb_fill__lazy"]
    assert r.coverage["tlb_fill"] > 0
    ok = run_check("invlpgb.py", check, RunOptions(backend=backend), model=model)
    assert ok.verdict is Verdict.HOLDS and all(g.reached for g in ok.goals)


def test_an_action_excused_by_dead_ok_is_excused_its_contexts():
    """dead_ok says why an action never fires here; its context covers are then not asked for."""
    check = next(c for c in load_spec(spec_path("invlpgb.py")) if c.name == "invlpgb_small")
    model = build_model(check, {})
    from checker.lang.expr import Const
    from checker.lang.types import BOOL
    never = _replace_action(model, "tlb_fill", lambda a: dataclasses.replace(a, guard=Const(False, BOOL)))
    import copy
    excused = copy.copy(check)
    excused.dead_ok = {"tlb_fill": "no walks"}
    r = run_check("invlpgb.py", excused, RunOptions(), model=never)
    assert r.verdict is Verdict.UNCOVERED and "tlb_fill__" not in r.reason
    assert {g.name for g in r.goals if not g.reached} >= {"tlb_fill__user", "tlb_fill__lazy", "tlb_fill__cr3"}
    r = run_check("invlpgb.py", check, RunOptions(), model=never)
    assert "tlb_fill__user" in r.reason
