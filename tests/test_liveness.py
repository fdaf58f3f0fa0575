"""Liveness: every started flush completes under fairness; a starvable variant yields a lasso."""
from checker.explicit.compile import compile_model
from checker.explicit.explore import EdgeLog, explore
from checker.explicit.liveness import check_leads_to, graph_from_log
from checker.lang.builder import ModelBuilder, when
from checker.lang.protocol import Param, Protocol
from checker.lang.types import BOOL
from checker.result import Verdict
from checker.run import build_model, run_check
from checker.spec import Check
from protocols.baseline import PROTOCOL as BASELINE


def test_irqs_off_loop_starves_the_flush_without_strong_fairness():
    """A CPU that re-enters GUP-fast (IRQs off) again and again never takes the flush IPI if
    interrupt delivery is only weakly fair: the initiator spins in csd_lock_wait for ever."""
    r = run_check("t", Check(BASELINE, cpus=2, gup_fast=True, ipi_fair="weak"))
    assert r.verdict is Verdict.VIOLATED and r.violation.invariant == "flush_completes"
    t = r.trace
    assert t.loop_start is not None and t.violation.kind == "liveness"
    loop = [s.action for s in t.steps[t.loop_start + 1:]]
    assert loop == ["gup_fast_begin", "gup_fast_end"]
    assert t.steps[-1].state == t.steps[t.loop_start].state  # a real lasso: back where it began
    assert t.steps[-1].state["csd_queued"][1] is True and t.steps[-1].state["phase"] == "waiting"


def test_real_protocols_complete_every_flush():
    for extra in ({}, {"gup_fast": True}):
        r = run_check("t", Check(BASELINE, cpus=2, rounds=2, **extra))
        assert r.verdict is Verdict.HOLDS and "flush_completes" in r.invariants


def toy_build(cfg):
    """A waiter and a signaller that may dawdle; `fair`: the signal's fairness; `block`: the
    signal is disabled while dawdling (then only strong fairness forces it)."""
    m = ModelBuilder("toy", cfg)
    waiting = m.var("waiting", BOOL, False)
    dawdle = m.var("dawdle", BOOL, False)

    @m.action()
    def start():
        return when(~waiting, waiting.becomes(True))

    @m.action()
    def spin():
        return when(True, dawdle.becomes(~dawdle))

    fair = None if cfg.fair == "none" else cfg.fair

    @m.action(fair=fair)
    def signal():
        return when(waiting & (~dawdle if cfg.block else True), waiting.becomes(False))

    m.leads_to("answered", waiting, ~waiting, "every wait ends")
    m.leads_to("never_waits", ~waiting, ~waiting, "trivially: the trigger is the goal")
    return m.build()


TOY = Protocol("toy", toy_build, (Param("fair", "none", choices=("none", "weak", "strong")),
                                  Param("block", False)))


def lasso(fair):
    c = compile_model(build_model(Check(TOY, fair=fair or "none", deadlock=False), {}))
    log = EdgeLog()
    assert explore(c, edges=log).verdict is Verdict.HOLDS
    return check_leads_to(c, graph_from_log(log), c.model.properties[0])


def test_fairness_decides_the_toy():
    t = lasso(None)
    assert t is not None and [s.action for s in t.steps[t.loop_start + 1:]] == ["spin", "spin"]
    assert lasso("weak") is None and lasso("strong") is None
