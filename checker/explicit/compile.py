"""Compile a Model once into straight-line Python over packed states (flat tuples).

Action parameters and quantifiers are unrolled at compile time, so array indices are
mostly constants and each guard becomes a handful of tuple lookups.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import ModelError, ModelRuntimeError
from ..lang.expr import Bound, Const, Expr, Op, Quant, Ref
from ..lang.model import ActionInstance, Model, instances
from ..lang.types import Elem, IntRange
from .layout import Layout

_NC = object()  # "not a compile-time constant"


@dataclass
class Code:
    src: str
    const: Any = _NC

    @property
    def is_const(self) -> bool:
        return self.const is not _NC


def _c(v) -> Code:
    return Code(repr(v), v)


class Emitter:
    """Translates expressions to Python source, folding what is known at compile time.

    The folding and the dispatch are shared; a backend for another language (the fast
    backend's C) overrides only the syntax hooks: const, ref, neg, ite, as_int, mask and the
    AND/OR/BINOPS words.
    """

    AND, OR = "and", "or"
    BINOPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "add": "+", "sub": "-",
              "mand": "&", "mor": "|"}

    def __init__(self, layout: Layout, state: str = "s"):
        self.layout = layout
        self.state = state

    # ------------------------------------------------------------ syntax hooks (Python)
    def const(self, v) -> Code:
        return _c(v)

    def ref(self, r: Ref, env: dict[int, int]) -> Code:
        return Code(f"{self.state}[{self.slot(r, env)}]")

    def neg(self, src: str) -> str:
        return f"(not {src})"

    def ite(self, c: str, a: str, b: str) -> str:
        return f"({a} if {c} else {b})"

    def as_int(self, src: str) -> str:
        return f"(1 if {src} else 0)"

    def mask(self, o: str, e: Op, a: list[Code]) -> Code:
        x, y = a[0].src, (a[1].src if len(a) > 1 else "")
        if o == "has":
            if a[1].is_const:
                return Code(f"(({x} & {1 << a[1].const}) != 0)")
            return Code(f"((({x}) >> ({y})) & 1 == 1)")
        if o == "madd":
            return Code(f"({x} | {1 << a[1].const})" if a[1].is_const else f"({x} | (1 << ({y})))")
        if o == "mdel":
            full = (1 << e.type.iset.size) - 1
            bit = (1 << a[1].const) if a[1].is_const else f"(1 << ({y}))"
            return Code(f"({x} & ({full} ^ {bit}))")
        if o == "mnot":
            return Code(f"({x} ^ {(1 << e.type.iset.size) - 1})")
        if o == "msize":
            return Code(f"({x}).bit_count()")
        raise TypeError(f"unknown operator {o}")

    # ------------------------------------------------------------ shared folding
    def expr(self, e: Expr, env: dict[int, int]) -> Code:
        if isinstance(e, Const):
            return self.const(e.value)
        if isinstance(e, Bound):
            if e.uid not in env:
                raise ModelError(f"`{e.name}` is used outside the action or quantifier that binds it")
            return self.const(env[e.uid])
        if isinstance(e, Ref):
            return self.ref(e, env)
        if isinstance(e, Quant):
            return self.quant(e, env)
        if isinstance(e, Op):
            return self.op(e, env)
        raise TypeError(f"unknown expression node {e!r}")

    def index_parts(self, r: Ref, env: dict[int, int], optional_fmt: str) -> tuple[int, list[str]]:
        """The constant part of an element's slot and the (index source, stride) terms left."""
        r.complete("expression")
        v = r.var
        parts, const = [], self.layout.base(v)
        for i, stride, dim in zip(r.indices, self.layout.strides(v), v.dims):
            c = self.expr(i, env)
            if c.is_const:
                if not 0 <= c.const < dim.size:
                    raise ModelError(f"index {c.const} of {v.name} is not a member of {dim.name}")
                const += c.const * stride
            else:
                t = i.type
                src = c.src if not (isinstance(t, Elem) and t.optional) else \
                    optional_fmt.format(src=c.src, size=dim.size)
                parts.append(src if stride == 1 else f"({src})*{stride}")
        return const, parts

    def slot(self, r: Ref, env: dict[int, int]) -> str:
        """The slot of an element as source: a number, or an expression for dynamic indices."""
        const, parts = self.index_parts(r, env, "_ix({src}, {size})")
        return " + ".join([str(const)] + parts) if parts else str(const)

    def junction(self, parts: list[Code], conj: bool) -> Code:
        return junction(parts, self.AND if conj else self.OR, not conj, self.const)

    def quant(self, q: Quant, env: dict[int, int]) -> Code:
        bodies = [self.expr(q.body, {**env, q.var.uid: m}) for m in q.var.iset.members]
        if q.kind in ("forall", "exists"):
            return self.junction(bodies, q.kind == "forall")
        if q.kind == "count":
            bodies = [self.const(int(b.const)) if b.is_const else Code(self.as_int(b.src)) for b in bodies]
        return total(bodies, self.const)

    def op(self, e: Op, env: dict[int, int]) -> Code:
        a = [self.expr(x, env) for x in e.args]
        o = e.op
        if o in ("and", "or"):
            return self.junction(a, o == "and")
        if o in ("not", "implies"):
            n = self.const(not a[0].const) if a[0].is_const else Code(self.neg(a[0].src))
            return n if o == "not" else self.junction([n, a[1]], False)
        if o == "ite":
            if a[0].is_const:
                return a[1] if a[0].const else a[2]
            return Code(self.ite(a[0].src, a[1].src, a[2].src))
        if all(x.is_const for x in a):
            return self.const(_fold(o, [x.const for x in a], e))
        if o in self.BINOPS:
            return Code(f"({a[0].src} {self.BINOPS[o]} {a[1].src})")
        return self.mask(o, e, a)


def _fold(o: str, v: list, e: Op):
    if o in ("eq", "ne", "lt", "le", "add", "sub", "mand", "mor"):
        x, y = v
        return {"eq": x == y, "ne": x != y, "lt": x < y, "le": x <= y, "add": x + y, "sub": x - y,
                "mand": x & y, "mor": x | y}[o]
    if o == "has":
        return bool(v[0] >> v[1] & 1)
    if o == "madd":
        return v[0] | (1 << v[1])
    if o == "mdel":
        return v[0] & ~(1 << v[1])
    if o == "mnot":
        return v[0] ^ ((1 << e.type.iset.size) - 1)
    if o == "msize":
        return bin(v[0]).count("1")
    raise TypeError(o)


def junction(parts: list[Code], word: str, absorbing: bool, const=None) -> Code:
    """`a and b ...` / `a or b ...`, folding constants (False absorbs `and`, True absorbs `or`);
    `word` and `const` (how a constant is written) let other backends share it."""
    const = const or _c
    live = []
    for p in parts:
        if p.is_const:
            if bool(p.const) == absorbing:
                return const(absorbing)
            continue
        live.append(p.src)
    if not live:
        return const(not absorbing)
    return Code(live[0] if len(live) == 1 else "(" + f" {word} ".join(live) + ")")


def total(parts: list[Code], const=None) -> Code:
    """The sum of the parts, constants folded into one term."""
    k = sum(int(p.const) for p in parts if p.is_const)
    live = [p.src for p in parts if not p.is_const]
    if not live:
        return (const or _c)(k)
    return Code("(" + " + ".join(live + ([str(k)] if k else [])) + ")")



# ---------------------------------------------------------------- whole-model compilation

@dataclass
class Compiled:
    """The explicit form of a model: successor and check functions over packed states."""

    model: Model
    layout: Layout
    instances: list[ActionInstance]
    successors: Callable[[tuple], list]
    check: Callable[[tuple], tuple | None]
    is_final: Callable[[tuple], bool]
    actor: Callable[[int, tuple], int | None]
    witnesses: list[list[tuple[str, int]]]
    source: str
    observe: Callable[[tuple], list[int]] | None = None   # the goals (Model.goals) a state meets
    progress: tuple[bool, ...] = ()                       # per instance: not an environment action
    check_all: Callable[[tuple], list] | None = None      # every invariant a state breaks (--all)

    def stuck(self, nxt: list) -> bool:
        """No successor is progress of the protocol: only environment actions (or none) enabled."""
        progress = self.progress
        return not any(progress[k] for k, _ in nxt)


def _range_check(inst: ActionInstance, target: str, t: IntRange, v):
    a = inst.action
    raise ModelRuntimeError(f"action {inst.label} sets {target} to {v}, outside its range {t}",
                            a.loc, "widen the variable's range or add a guard")


def _index_error(v, size):
    raise ModelRuntimeError(f"an optional index holds none (or {v}) where a member of 0..{size - 1} "
                            "is needed", None, "guard the access with `x != None`")


def compile_model(model: Model) -> Compiled:
    layout = Layout.of(model)
    em = Emitter(layout)
    insts = instances(model)
    lines = ["def successors(s):", "    out = []"]
    helpers: dict[str, Any] = {"_ix": lambda v, n: v if 0 <= v < n else _index_error(v, n)}
    for k, inst in enumerate(insts):
        env = inst.bindings
        g = em.expr(inst.action.guard, env)
        if g.is_const and not g.const:
            continue
        lines.append(f"    # {inst.label}")
        ind = "    "
        if not g.is_const:
            lines.append(f"    if {g.src}:")
            ind = "        "
        lines.extend(ind + ln for ln in _updates(em, inst, k, env, helpers))
    lines.append("    return out")

    witnesses: list[list[tuple[str, int]]] = []
    lines += ["", "def check(s):"]
    every = ["", "def check_all(s):", "    out = []"]   # --all: the first failing witness of each
    for i, inv in enumerate(model.invariants):
        word = "if"
        for env, wit, body in _peel(inv.expr):
            c = em.expr(body, env)
            if c.is_const and c.const:
                continue
            witnesses.append(wit)
            lines.append(f"    if not {c.src}: return ({i}, {len(witnesses) - 1})")
            every.append(f"    {word} not {c.src}: out.append(({i}, {len(witnesses) - 1}))")
            word = "elif"
    lines.append("    return None")
    lines += every + ["    return out"]

    lines += ["", "def is_final(s):"]
    fin = em.expr(model.final, {}).src if model.final is not None else "False"
    lines.append(f"    return {fin}")

    goals = model.goals()
    lines += ["", "def observe(s):", "    out = []"]
    for g, (_, _, e) in enumerate(goals):
        lines.append(f"    if {em.expr(e, {}).src}: out.append({g})")
    lines.append("    return out")

    lines += ["", "def actor(k, s):"]
    actor_srcs = []
    for k, inst in enumerate(insts):
        a = inst.action.actor
        actor_srcs.append(em.expr(a, inst.bindings).src if a is not None else "None")
    lines.append("    return _ACTORS[k](s)")
    src = "\n".join(lines) + "\n"
    ns: dict[str, Any] = dict(helpers)
    ns["_ACTORS"] = [eval(f"lambda s: {a}", {"_ix": helpers["_ix"]}) for a in actor_srcs]
    exec(compile(src, f"<flushcheck:{model.name}>", "exec"), ns)
    return Compiled(model, layout, insts, ns["successors"], ns["check"], ns["is_final"],
                    ns["actor"], witnesses, src, ns["observe"] if goals else None,
                    tuple(not i.action.environment for i in insts), ns["check_all"])


def _updates(em: Emitter, inst: ActionInstance, k: int, env, helpers) -> list[str]:
    """Source lines that build the successor tuple from simultaneous updates."""
    out, static, dynamic = [], [], []
    for j, u in enumerate(inst.action.updates):
        val = em.expr(u.value, env)
        vname = f"v{j}"
        out.append(f"{vname} = {val.src}")
        t, vt = u.target.var.type, u.value.type
        if isinstance(t, IntRange) and isinstance(vt, IntRange) and not (t.lo <= vt.lo and vt.hi <= t.hi):
            hname = f"_rc{k}_{j}"
            helpers[hname] = functools.partial(_range_check, inst, str(u.target), t)
            out.append(f"if not ({t.lo} <= {vname} <= {t.hi}): {hname}({vname})")
        slot = em.slot(u.target, env)
        if slot.isdigit():
            static.append((int(slot), vname))
        else:
            dynamic.append((slot, vname))
    if not dynamic and len(static) <= 3:
        static.sort()
        pieces, pos = [], 0
        for slot, vname in static:
            if slot > pos:
                pieces.append(f"s[{pos}:{slot}]")
            pieces.append(f"({vname},)")
            pos = slot + 1
        pieces.append(f"s[{pos}:]")
        out.append(f"out.append(({k}, {' + '.join(pieces)}))")
    else:
        out.append("n = list(s)")
        for j, (slot, vname) in enumerate(dynamic):
            out.append(f"i{j} = {slot}")
        for slot, vname in static:
            out.append(f"n[{slot}] = {vname}")
        for j, (slot, vname) in enumerate(dynamic):
            out.append(f"n[i{j}] = {vname}")
        out.append(f"out.append(({k}, tuple(n)))")
    return out


def _peel(e: Expr, env=None, wit=None):
    """Split leading foralls into one check per binding, remembering the binding as witness."""
    env = env or {}
    wit = wit or []
    if isinstance(e, Quant) and e.kind == "forall":
        for m in e.var.iset.members:
            yield from _peel(e.body, {**env, e.var.uid: m}, wit + [(e.var.iset.name, m)])
    elif isinstance(e, Op) and e.op == "and":
        for part in e.args:
            yield from _peel(part, env, wit)
    else:
        yield env, wit, e


def compile_expr(e: Expr, layout: Layout, env: dict[int, int] | None = None) -> Callable[[tuple], Any]:
    """One expression as a function of a packed state (used by tests and other backends)."""
    src = Emitter(layout).expr(e, env or {}).src
    return eval(f"lambda s: {src}", {"_ix": lambda v, n: v if 0 <= v < n else _index_error(v, n)})
