"""The explicit evaluator (checker/compile) and the Z3 translation (checker/smt/encode) agree.

On random well-typed states of every protocol (at small bounds): every invariant (checked and
strengthening), every action instance's guard, every successor state, and whether an update
leaves its range. The Z3 side evaluates all of them at once: the terms are packed into one
bit-vector, the state's values substituted, and the result simplified to a constant.
"""
from __future__ import annotations

import functools
import importlib

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.errors import ModelRuntimeError
from checker.explicit.compile import compile_expr, compile_model
from checker.lang.types import BOOL, BoolType, IntRange
from checker.smt.encode import Encoding
from checker.spec import available_protocols

SMALL = {"cpus": 2, "pages": 2, "rounds": 2}


def _protocols() -> list[str]:
    return available_protocols() + ["tests.fixtures.sanity_toy"]


def _bv(x) -> z3.BitVecRef:
    return z3.If(x, z3.BitVecVal(1, 1, x.ctx), z3.BitVecVal(0, 1, x.ctx)) if z3.is_bool(x) else x


class Harness:
    """One protocol's model at small bounds, with both evaluators ready."""

    def __init__(self, module: str):
        mod = importlib.import_module(module if "." in module else f"protocols.{module}")
        proto = mod.PROTOCOL
        values = {k: v for k, v in SMALL.items() if proto.param(k) is not None}
        self.model = model = proto.build(proto.configure(values))
        self.enc = enc = Encoding(model)
        self.compiled = compile_model(model)
        self.invs = tuple(model.invariants) + tuple(model.auxiliary)
        s = self.s = enc.state("s")
        items: list[tuple[tuple, z3.ExprRef]] = []
        for inv in self.invs:
            items.append((("inv", inv.name), _bv(enc.lift(enc.inv(inv.expr, s), BOOL))))
        for k in enc.live:
            items.append((("guard", k), _bv(enc.lift(enc.guard(k, s), BOOL))))
        a = enc.selector("a")
        nxt = enc.next_terms(s, a)
        for j, k in enumerate(enc.live):
            pick = [(a, z3.BitVecVal(j, enc.sel_width, enc.ctx))]
            for slot, term in enumerate(nxt):
                t = z3.simplify(z3.substitute(term, *pick))
                if not t.eq(s[slot]):  # slots the instance may write
                    items.append((("next", k, slot), _bv(t)))
        items.append((("overflow",), _bv(enc.lift(enc.overflow(s), BOOL))))
        self.items = items
        self.packed = z3.Concat(*[t for _, t in items]) if len(items) > 1 else items[0][1]
        self.inv_fns = {i.name: compile_expr(i.expr, enc.layout) for i in self.invs}
        self.guard_fns = {k: compile_expr(enc.insts[k].action.guard, enc.layout, enc.insts[k].bindings)
                          for k in enc.live}

    def z3_values(self, state: tuple) -> dict:
        sub = list(zip(self.s, self.enc.concrete(state)))
        v = z3.simplify(z3.substitute(self.packed, *sub))
        assert z3.is_bv_value(v), f"not a constant after substitution: {v}"
        bits, pos, out = v.as_long(), self.packed.size(), {}
        for key, t in self.items:
            w = t.size()
            pos -= w
            out[key] = (bits >> pos) & ((1 << w) - 1)
        return out

    def slot_value(self, slot: int, raw: int):
        t = self.enc.slot_types[slot]
        if isinstance(t, BoolType):
            return raw == 1
        if isinstance(t, IntRange):
            w = self.enc.int_width
            return raw - (1 << w) if raw >> (w - 1) else raw
        return raw


@functools.lru_cache(maxsize=None)
def harness(module: str) -> Harness:
    return Harness(module)


def states(h: Harness):
    return st.tuples(*[st.sampled_from(list(t.values())) for t in h.enc.slot_types])


@pytest.mark.parametrize("module", _protocols())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_explicit_and_z3_agree_on_random_states(module, data):
    h = harness(module)
    state = data.draw(states(h), label="state")
    z = h.z3_values(state)
    for inv in h.invs:
        assert bool(h.inv_fns[inv.name](state)) == (z[("inv", inv.name)] == 1), inv.name
    for k in h.enc.live:
        assert bool(h.guard_fns[k](state)) == (z[("guard", k)] == 1), h.enc.insts[k].label
    try:
        succ = dict(h.compiled.successors(state))
    except ModelRuntimeError:  # the explicit backend stops: an enabled update leaves its range
        assert z[("overflow",)] == 1
        return
    assert z[("overflow",)] == 0
    assert set(succ) == {k for k in h.enc.live if z[("guard", k)] == 1}
    for k, t in succ.items():
        mine = list(state)
        for key, raw in z.items():
            if key[0] == "next" and key[1] == k:
                mine[key[2]] = h.slot_value(key[2], raw)
        assert tuple(mine) == t, h.enc.insts[k].label


def test_every_protocol_is_covered():
    """The parametrisation follows the protocols package: a new protocol is tested automatically."""
    assert {"baseline", "concurrent", "async_inline"} <= set(_protocols())
    h = harness("async_inline")
    assert h.model.auxiliary, "async_inline declares strengthening invariants"
    assert len(h.items) > 100
