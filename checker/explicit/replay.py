"""`--replay TRACE.itf.json`: re-execute a saved trace against the current model.

Each ITF state is decoded into the model's variables (a trace that does not fit them — a
variable missing or unknown, a value outside its type — is bad input, exit 2). Then, step by
step: the first state must be the initial state; each next state must be the successor of the
one before under some action instance — the one the state's `#meta` names, when it names one
(ours always do); every state is checked against the check's invariants and for deadlock. A
lasso (`loop`) must close — the last state's step leads back to `states[loop]` — and then
violates a leads-to property when some state on it triggers the property, no state from there
on (the loop included, for ever) reaches the goal, and the loop is fair: every weakly fair
action instance enabled throughout the loop, and every strongly fair one enabled somewhere
in it, is taken in it.

Outcomes: "violates" (the first violation, at step k: exit 1), "replays" (every step is an
execution of the model and nothing is violated: exit 0) and "diverges" (step k is no longer a
transition of the model, with why: exit 0 — the recorded execution cannot happen any more).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import SrcLoc, UserError
from ..lang.types import BoolType, Elem, Enum, IntRange, Mask
from ..result import DEADLOCK_STATEMENT, Trace, Violation
from .compile import Compiled, compile_expr
from .layout import Layout
from .trace import build_trace


@dataclass
class Replayed:
    outcome: str                  # "violates" | "replays" | "diverges"
    step: int | None              # where it violates or diverges
    why: str                      # in words
    trace: Trace | None           # the steps that replayed (to the violation), decoded by the model
    violation: Violation | None = None
    steps: int = 0                # transitions in the saved trace (a lasso's closing step included)


class Bad(Exception):
    """A value of the trace that the model's type does not have (becomes a located UserError)."""


def _int(x: Any, what: str) -> int:
    if isinstance(x, dict) and set(x) == {"#bigint"} and isinstance(x["#bigint"], str):
        try:
            return int(x["#bigint"])
        except ValueError:
            raise Bad(f"{what}: {x['#bigint']!r} is not a number") from None
    if isinstance(x, int) and not isinstance(x, bool):
        return x
    raise Bad(f"{what}: expected a number, got {_show(x)}")


def _show(x: Any) -> str:
    import json
    s = json.dumps(x)
    return s if len(s) <= 60 else s[:57] + "..."


def _leaf(t, x: Any, what: str) -> int | bool:
    """One element of the model's packed state from its ITF value."""
    if isinstance(t, BoolType):
        if not isinstance(x, bool):
            raise Bad(f"{what}: expected true or false, got {_show(x)}")
        return x
    if isinstance(t, IntRange):
        v = _int(x, what)
        if not t.lo <= v <= t.hi:
            raise Bad(f"{what}: {v} is outside its range {t.lo}..{t.hi}")
        return v
    if isinstance(t, Enum):
        if not isinstance(x, str) or x not in t.names:
            raise Bad(f"{what}: expected one of {', '.join(t.names)}, got {_show(x)}")
        return t.names.index(x)
    if isinstance(t, Mask):
        if not (isinstance(x, dict) and set(x) == {"#set"} and isinstance(x["#set"], list)):
            raise Bad(f"{what}: expected a set of {t.iset.name} members, got {_show(x)}")
        bits = 0
        for m in x["#set"]:
            i = _int(m, what)
            if not 0 <= i < t.iset.size:
                raise Bad(f"{what}: {i} is not a member of {t.iset.name} (0..{t.iset.size - 1})")
            bits |= 1 << i
        return bits
    if isinstance(t, Elem):
        if t.optional:
            x = _optional(x, what)
            if x is None:
                return t.none
        i = _int(x, what)
        if t.optional and i == -1:          # flushcheck's ITF before schema 3 wrote none as -1
            return t.none
        if not 0 <= i < t.iset.size:
            raise Bad(f"{what}: {i} is not a member of {t.iset.name} (0..{t.iset.size - 1})")
        return i
    raise Bad(f"{what}: no ITF form for type {t}")


def _optional(x: Any, what: str) -> Any:
    """An optional member: a set of at most one (ours), a Quint Option variant, or a number."""
    if isinstance(x, dict) and set(x) == {"#set"} and isinstance(x["#set"], list):
        if len(x["#set"]) > 1:
            raise Bad(f"{what}: an optional member is a set of at most one, got {_show(x)}")
        return x["#set"][0] if x["#set"] else None
    if isinstance(x, dict) and set(x) == {"tag", "value"}:
        if x["tag"] == "None":
            return None
        if x["tag"] == "Some":
            return x["value"]
    return x


def _array(x: Any, size: int, what: str) -> list:
    """The elements of an array over an index set: a #map from members, or a list."""
    if isinstance(x, list):
        if len(x) != size:
            raise Bad(f"{what}: expected {size} elements, got {len(x)}")
        return x
    if isinstance(x, dict) and set(x) == {"#map"} and isinstance(x["#map"], list):
        out: list = [None] * size
        seen = set()
        for pair in x["#map"]:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise Bad(f"{what}: a #map holds [key, value] pairs, got {_show(pair)}")
            k = _int(pair[0], what)
            if not 0 <= k < size or k in seen:
                raise Bad(f"{what}: key {k} is not a member 0..{size - 1}, or is given twice")
            seen.add(k)
            out[k] = pair[1]
        if len(seen) != size:
            raise Bad(f"{what}: keys {sorted(set(range(size)) - seen)} are missing")
        return out
    raise Bad(f"{what}: expected an array over {size} members (#map), got {_show(x)}")


def decode_state(layout: Layout, obj: dict, where: str) -> tuple:
    """An ITF state object as the model's packed state; Bad if a value does not fit."""
    out: list = []

    def walk(t, x: Any, dims: tuple, name: str) -> None:
        if not dims:
            out.append(_leaf(t, x, name))
            return
        for i, e in enumerate(_array(x, dims[0].size, name)):
            walk(t, e, dims[1:], f"{name}[{i}]")
    for v in layout.vars:
        if v.name not in obj:
            raise Bad(f"{where}: no value for variable {v.name}")
        walk(v.type, obj[v.name], v.dims, f"{where}: {v.name}")
    return tuple(out)


def _label(meta: Any) -> tuple[str, dict] | None:
    if isinstance(meta, dict) and isinstance(meta.get("action"), str):
        args = meta.get("args") or {}
        return meta["action"], (args if isinstance(args, dict) else {})
    return None


def _call(label: tuple[str, dict]) -> str:
    name, args = label
    inner = ", ".join(f"{k}={v}" for k, v in args.items())
    return f"{name}({inner})" if inner else name


def _diff(layout: Layout, want: tuple, got: tuple) -> str:
    """The elements that differ, as `name: trace value vs model value` (a few)."""
    rows = [f"{layout.slot_name(k)} is {_val(layout, k, got[k])} in the model, "
            f"{_val(layout, k, want[k])} in the trace" for k in range(len(want)) if want[k] != got[k]]
    more = f" (and {len(rows) - 3} more)" if len(rows) > 3 else ""
    return "; ".join(rows[:3]) + more


def _val(layout: Layout, k: int, x: Any) -> str:
    for v, off in zip(layout.vars, layout.offsets):
        if off <= k < off + v.size:
            return v.type.show(x) if not isinstance(v.type, BoolType) else str(bool(x))
    return str(x)


def load(c: Compiled, doc: dict, path: str) -> tuple[list[tuple], list]:
    """The trace's states as packed states of this model, and each state's #meta (UserError: it
    does not fit the model's variables)."""
    where = SrcLoc(path, 0)
    names = [v.name for v in c.layout.vars]
    missing = [n for n in names if n not in doc["vars"]]
    extra = [n for n in doc["vars"] if n not in names]
    if missing or extra:
        parts = ([f"the model has {', '.join(missing)}, which the trace lacks"] if missing else []) + \
                ([f"the trace has {', '.join(extra)}, which the model lacks"] if extra else [])
        raise UserError(f"the trace does not fit model {c.model.name}: " + "; ".join(parts), where,
                        "the model's variables changed since it was written: write it again with --itf DIR")
    states = []
    for i, st in enumerate(doc["states"]):
        try:
            states.append(decode_state(c.layout, st, f"states[{i}]"))
        except Bad as e:
            raise UserError(f"the trace does not fit model {c.model.name}: {e}", where,
                            "write it again with --itf DIR from the current model") from None
    return states, [st.get("#meta") for st in doc["states"]]


def replay(c: Compiled, doc: dict, path: str, deadlock: bool = True) -> Replayed:
    states, metas = load(c, doc, path)
    loop = doc.get("loop")
    closing = _label(doc.get("#meta", {}).get("loop_action")) if isinstance(doc.get("#meta"), dict) else None
    n_steps = len(states) - 1
    if loop is not None and not (states[-1] == states[loop] and loop < len(states) - 1):
        states = states + [states[loop]]       # the ADR's loop ends in the last state: close it
        metas = metas + [{"action": closing[0], "args": closing[1]} if closing else None]
        n_steps += 1
    labels = {inst.label: k for k, inst in enumerate(c.instances)}
    via: list[int] = []

    def done(outcome: str, step: int | None, why: str, viol: Violation | None = None) -> Replayed:
        upto = len(via) + 1
        t = build_trace(c, states[:upto], via, viol,
                        loop if outcome == "violates" and viol is not None and viol.kind == "liveness" else None)
        return Replayed(outcome, step, why, t, viol, n_steps)

    init = c.layout.initial()
    if states[0] != init:
        return done("diverges", 0, "its first state is not the model's initial state: "
                    + _diff(c.layout, states[0], init))
    succs = []
    for i, s in enumerate(states):
        if i > 0:
            prev_succ = succs[-1]
            lab = _label(metas[i])
            if lab is not None:
                call = _call(lab)
                k = labels.get(call)
                if k is None:
                    return done("diverges", i, f"the model has no action instance {call}")
                found = [t for kk, t in prev_succ if kk == k]
                if not found:
                    return done("diverges", i, f"{call} is not enabled in the state before it (its guard "
                                "is false)")
                if s not in found:
                    return done("diverges", i, f"{call} leads to another state: "
                                + _diff(c.layout, s, found[0]))
            else:
                k = next((kk for kk, t in prev_succ if t == s), None)
                if k is None:
                    return done("diverges", i, "no action instance leads to it from the state before")
            via.append(k)
        if loop is not None and i == len(states) - 1:
            break                                   # the loop's entry again: checked already
        bad = c.check(s)
        if bad is not None:
            inv = c.model.invariants[bad[0]]
            v = Violation(inv.name, inv.statement, tuple(c.witnesses[bad[1]]))
            return done("violates", i, f"{inv.name} is violated in the state after step {i}", v)
        nxt = c.successors(s)
        succs.append(nxt)
        if deadlock and c.stuck(nxt) and not c.is_final(s):
            v = Violation("deadlock", DEADLOCK_STATEMENT, kind="deadlock")
            return done("violates", i, f"deadlock in the state after step {i}", v)
    if loop is not None:
        return _lasso(c, states, via, loop, doc, done)
    return done("replays", None, f"all {n_steps} steps are transitions of the model, and no state "
                "breaks an invariant or deadlocks")


def _lasso(c: Compiled, states, via, loop, doc, done) -> Replayed:
    """The closed lasso: which leads-to property it still violates, if any (fairness included)."""
    loop_states = states[loop:-1]
    loop_via = via[loop:]
    taken = set(loop_via)
    for k, inst in enumerate(c.instances):
        fair = inst.action.fair
        if fair is None or k in taken:
            continue
        enabled = [any(kk == k for kk, _ in c.successors(s)) for s in loop_states]
        if (fair == "weak" and all(enabled)) or (fair == "strong" and any(enabled)):
            return done("replays", None, f"the loop is not fair: {inst.label} is "
                        f"{'enabled throughout' if fair == 'weak' else 'enabled in'} the loop "
                        f"({fair}ly fair) and never taken in it")
    for p in c.model.properties:
        trig, goal = compile_expr(p.trigger, c.layout), compile_expr(p.goal, c.layout)
        for i, s in enumerate(states[:-1]):
            if trig(s) and not any(goal(t) for t in states[min(i, loop):-1]):
                v = Violation(p.name, p.statement, (), kind="liveness")
                return done("violates", i, f"{p.name}: triggered after step {i}, its goal never holds "
                            f"again, and the loop from step {loop} repeats for ever, fairly", v)
    return done("replays", None, "the lasso is an execution of the model, but it violates no "
                "leads-to property (each triggered state reaches its goal)")
