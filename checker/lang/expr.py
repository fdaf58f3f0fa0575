"""The expression tree: one immutable tree for concrete evaluation, Z3 and display.

Expressions are built with Python operators (`&`, `|`, `~`, `==`, `<`, `+`, `-`) and the
helpers below. Every node knows its type; a type error raises a `ModelError` naming the
spec/protocol line that built the expression.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

from ..errors import ModelError, SrcLoc, caller_loc
from .types import BOOL, Elem, Enum, IndexSet, IntRange, Mask, Type, same_kind

_BOOL_HINT = ("use & | ~ (or implies/If) instead of and/or/not/if on model expressions: "
              "Python's keywords cannot see inside a symbolic expression")


class Expr:
    """Base of all expression nodes; operators build new nodes."""

    type: Type
    __hash__ = object.__hash__

    def __bool__(self):
        raise ModelError(f"the truth value of the model expression `{self}` is not known "
                         "while the model is built", _BOOL_HINT)

    # boolean / mask algebra
    def __and__(self, o): return _binary("&", self, o)
    def __rand__(self, o): return _binary("&", lit(o, self.type), self)
    def __or__(self, o): return _binary("|", self, o)
    def __ror__(self, o): return _binary("|", lit(o, self.type), self)
    def __invert__(self): return _invert(self)
    # comparisons
    def __eq__(self, o): return _compare("==", self, o)  # type: ignore[override]
    def __ne__(self, o): return _compare("!=", self, o)  # type: ignore[override]
    def __lt__(self, o): return _compare("<", self, o)
    def __le__(self, o): return _compare("<=", self, o)
    def __gt__(self, o): return _compare("<", lit(o, self.type), self)
    def __ge__(self, o): return _compare("<=", lit(o, self.type), self)
    # arithmetic on bounded ints
    def __add__(self, o): return _arith("+", self, o)
    def __radd__(self, o): return _arith("+", lit(o, self.type), self)
    def __sub__(self, o): return _arith("-", self, o)
    def __rsub__(self, o): return _arith("-", lit(o, self.type), self)

    # cpumask operations
    def has(self, member) -> "Op":
        """`mask.has(cpu)`: cpumask_test_cpu."""
        m = _need_mask(self, "has")
        return Op("has", (self, _member(m.iset, member)), BOOL)

    def with_(self, member) -> "Op":
        """`mask.with_(cpu)`: the mask after cpumask_set_cpu."""
        m = _need_mask(self, "with_")
        return Op("madd", (self, _member(m.iset, member)), m)

    def without(self, member) -> "Op":
        """`mask.without(cpu)`: the mask after cpumask_clear_cpu."""
        m = _need_mask(self, "without")
        return Op("mdel", (self, _member(m.iset, member)), m)

    def is_empty(self) -> "Op":
        m = _need_mask(self, "is_empty")
        return Op("eq", (self, Const(0, m)), BOOL)

    def weight(self) -> "Op":
        """`cpumask_weight`: how many members the mask holds."""
        m = _need_mask(self, "weight")
        return Op("msize", (self,), IntRange(0, m.iset.size))

    def becomes(self, value) -> "Assign":
        """`var.becomes(v)`: an update of an action (all updates of a step are simultaneous)."""
        if not isinstance(self, Ref):
            raise ModelError(f"only a variable or array element can be updated, not `{self}`")
        return Assign(self.complete("update"), lit(value, self.type), caller_loc())


# ---------------------------------------------------------------- nodes

@dataclass(frozen=True, eq=False)
class Const(Expr):
    value: int | bool
    type: Type

    def __str__(self):
        return self.type.show(self.value) if not isinstance(self.type, IntRange) else str(self.value)


@dataclass(frozen=True, eq=False)
class Bound(Expr):
    """A name bound to a member of an index set: an action parameter or a quantified variable."""

    name: str
    iset: IndexSet
    uid: int

    @property
    def type(self):  # type: ignore[override]
        return Elem(self.iset)

    def __str__(self):
        return self.name


@dataclass(frozen=True, eq=False)
class VarDecl:
    """A state variable: a scalar, or an array over index sets. `init` holds every element."""

    name: str
    type: Type
    dims: tuple[IndexSet, ...]
    init: tuple
    loc: SrcLoc | None
    doc: str = ""
    history: bool = False   # a record of what happened, for properties only (the kernel has no such state)

    @property
    def size(self) -> int:
        n = 1
        for d in self.dims:
            n *= d.size
        return n


@dataclass(frozen=True, eq=False)
class Ref(Expr):
    """A variable or array element; partial while it still lacks indices."""

    var: VarDecl
    indices: tuple[Expr, ...] = ()

    @property
    def type(self):  # type: ignore[override]
        return self.var.type

    @property
    def is_complete(self) -> bool:
        return len(self.indices) == len(self.var.dims)

    def complete(self, use: str) -> "Ref":
        if not self.is_complete:
            dims = "][".join(d.name for d in self.var.dims)
            raise ModelError(f"`{self}` used in an {use} needs {len(self.var.dims)} indices "
                             f"({self.var.name}[{dims}]), got {len(self.indices)}")
        return self

    def __getitem__(self, key) -> "Ref":
        keys = key if isinstance(key, tuple) else (key,)
        idx = list(self.indices)
        for k in keys:
            pos = len(idx)
            if pos >= len(self.var.dims):
                raise ModelError(f"`{self.var.name}` has {len(self.var.dims)} indices; "
                                 f"too many given")
            idx.append(_member(self.var.dims[pos], k, what=f"index {pos + 1} of {self.var.name}"))
        return Ref(self.var, tuple(idx))

    def __str__(self):
        return self.var.name + "".join(f"[{i}]" for i in self.indices)


@dataclass(frozen=True, eq=False)
class Op(Expr):
    op: str
    args: tuple[Expr, ...]
    type: Type

    def __str__(self):
        return show(self)


@dataclass(frozen=True, eq=False)
class Quant(Expr):
    """forall / exists / count over the members of an index set."""

    kind: str
    var: Bound
    body: Expr
    type: Type

    def __str__(self):
        return show(self)


@dataclass(frozen=True)
class Assign:
    target: Ref
    value: Expr
    loc: SrcLoc | None

    def __str__(self):
        return f"{self.target} := {self.value}"


# ---------------------------------------------------------------- building helpers

def lit(v, hint: Type | None = None) -> Expr:
    """Turn a Python literal into a constant of the type it is compared with."""
    if isinstance(v, Expr):
        return v
    if isinstance(v, _PendingIf):
        if hint is None:
            raise ModelError("If(...) over names has no type here", "compare or assign it to a variable")
        return If(v.cond, lit(v.then, hint), lit(v.other, hint))
    if isinstance(v, bool):
        return Const(v, BOOL)
    if isinstance(v, str):
        if isinstance(hint, Enum):
            i = hint.index(v)
            if i is None:
                raise ModelError(f"'{v}' is not a value of {hint.name}",
                                 f"use one of {', '.join(hint.names)}")
            return Const(i, hint)
        raise ModelError(f"the string '{v}' has no type here", "strings only name enum values")
    if v is None:
        if isinstance(hint, Elem) and hint.optional:
            return Const(hint.none, hint)
        raise ModelError("None is only a value of an optional index-set variable")
    if isinstance(v, int):
        if isinstance(hint, Elem):
            if not 0 <= v < hint.iset.size:
                raise ModelError(f"{v} is not a member of {hint.iset.name} (0..{hint.iset.size - 1})")
            return Const(v, Elem(hint.iset, hint.optional))
        if isinstance(hint, (Mask, Enum)):
            raise ModelError(f"the number {v} is not a {hint}",
                             "use IndexSet.mask(...)/.all()/.empty() for masks, names for enums")
        return Const(v, IntRange(v, v))
    if isinstance(v, IndexSet):
        raise ModelError(f"the index set {v.name} is not a value",
                         f"use a member: an action parameter, or forall({v.name}, lambda x: ...)")
    raise ModelError(f"{v!r} ({type(v).__name__}) cannot be used in a model expression")


def _member(iset: IndexSet, v, what: str = "member") -> Expr:
    e = lit(v, Elem(iset))
    if not (isinstance(e.type, Elem) and e.type.iset == iset):
        raise ModelError(f"{what} must be a member of {iset.name}, got `{e}` of type {e.type}",
                         "wrong index type: check which index set this position ranges over")
    return e


def _need_mask(e: Expr, op: str) -> Mask:
    if not isinstance(e.type, Mask):
        raise ModelError(f"`.{op}()` needs a cpumask, but `{e}` is {e.type}")
    return e.type


def _need(e: Expr, kind: type, what: str, op: str):
    if isinstance(e, Ref):
        e.complete("expression")
    if not isinstance(e.type, kind):
        raise ModelError(f"`{op}` needs {what}, but `{e}` is of type {e.type}")


def _binary(sym: str, a, b) -> Expr:
    a = lit(a)
    b = lit(b, a.type)
    for e in (a, b):
        if isinstance(e, Ref):
            e.complete("expression")
    if isinstance(a.type, Mask) and a.type == b.type:
        return Op("mand" if sym == "&" else "mor", (a, b), a.type)
    _need(a, type(BOOL), "booleans (or two cpumasks)", sym)
    _need(b, type(BOOL), "booleans (or two cpumasks)", sym)
    return Op("and" if sym == "&" else "or", (a, b), BOOL)


def _invert(a: Expr) -> Expr:
    if isinstance(a.type, Mask):
        return Op("mnot", (a,), a.type)
    _need(a, type(BOOL), "a boolean (or a cpumask)", "~")
    return Op("not", (a,), BOOL)


_CMP = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le"}


def _compare(sym: str, a, b) -> Expr:
    a = lit(a)
    b = lit(b, a.type)
    a = lit(a, b.type)
    for e in (a, b):
        if isinstance(e, Ref):
            e.complete("comparison")
    if sym in ("<", "<="):
        _need(a, IntRange, "numbers", sym)
        _need(b, IntRange, "numbers", sym)
    elif not same_kind(a.type, b.type):
        raise ModelError(f"cannot compare `{a}` ({a.type}) with `{b}` ({b.type})",
                         "both sides of == must have the same type")
    return Op(_CMP[sym], (a, b), BOOL)


def _arith(sym: str, a, b) -> Expr:
    a = lit(a)
    b = lit(b, a.type)
    _need(a, IntRange, "numbers", sym)
    _need(b, IntRange, "numbers", sym)
    ta, tb = a.type, b.type
    t = IntRange(ta.lo + tb.lo, ta.hi + tb.hi) if sym == "+" else IntRange(ta.lo - tb.hi, ta.hi - tb.lo)
    return Op("add" if sym == "+" else "sub", (a, b), t)


@dataclass(frozen=True)
class _PendingIf:
    """`If(c, "a", "b")` over plain names: typed once it meets the variable it is assigned to."""

    cond: Expr
    then: object
    other: object


def If(cond, then, other) -> Expr:
    """`If(c, a, b)`: a when c holds, else b (both of one type)."""
    cond = lit(cond)
    _need(cond, type(BOOL), "a boolean condition", "If")
    if not isinstance(then, Expr) and not isinstance(other, Expr) and \
            (isinstance(then, (str, _PendingIf)) or isinstance(other, (str, _PendingIf))):
        return _PendingIf(cond, then, other)  # type: ignore[return-value]
    if isinstance(other, Expr) and not isinstance(then, Expr):
        other = lit(other)
        then = lit(then, other.type)
    else:
        then = lit(then)
        other = lit(other, then.type)
    if not same_kind(then.type, other.type):
        raise ModelError(f"If branches differ in type: `{then}` is {then.type}, `{other}` is {other.type}")
    t = then.type
    if isinstance(t, IntRange):
        t = IntRange(min(t.lo, other.type.lo), max(t.hi, other.type.hi))
    return Op("ite", (cond, then, other), t)


def implies(a, b) -> Expr:
    a, b = lit(a), lit(b)
    _need(a, type(BOOL), "booleans", "implies")
    _need(b, type(BOOL), "booleans", "implies")
    return Op("implies", (a, b), BOOL)


def all_of(*es) -> Expr:
    """Conjunction of any number of conditions (True when none)."""
    out: Expr = Const(True, BOOL)
    for e in es:
        out = e if isinstance(out, Const) and out.value is True else out & e
    return out


def any_of(*es) -> Expr:
    out: Expr = Const(False, BOOL)
    for e in es:
        out = e if isinstance(out, Const) and out.value is False else out | e
    return out


def mask_of(iset: IndexSet, *members) -> Expr:
    """The cpumask holding exactly the given members (a constant when they are all constants)."""
    if all(isinstance(m, int) and not isinstance(m, bool) for m in members):
        return Const(sum(1 << m for m in set(members)), Mask(iset))
    out: Expr = Const(0, Mask(iset))
    for m in members:
        out = out.with_(m)
    return out


@dataclass(frozen=True)
class Members(IndexSet):
    """An index set as the builder hands it to a protocol: the declaration and its masks."""

    def all(self) -> Expr:
        return Const((1 << self.size) - 1, Mask(self))

    def empty(self) -> Expr:
        return Const(0, Mask(self))

    def mask(self, *members) -> Expr:
        return mask_of(self, *members)

    def at(self, member: int) -> Expr:
        """Member `member` as a value of this set (where nothing else gives a literal its type)."""
        return lit(member, Elem(self))


_uid = iter(range(1, 1 << 62))


def fresh_bound(name: str, iset: IndexSet) -> Bound:
    return Bound(name, iset, next(_uid))


def _quant(kind: str, args) -> Expr:
    *isets, fn = args
    if not isets or not callable(fn) or not all(isinstance(s, IndexSet) for s in isets):
        raise ModelError(f"{kind} takes index sets then a function, e.g. {kind}(CPU, lambda c: ...)")
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    if len(names) != len(isets):
        raise ModelError(f"{kind} over {len(isets)} index sets needs a function of {len(isets)} "
                         f"arguments, got {len(names)}")
    bounds = [fresh_bound(n, s) for n, s in zip(names, isets)]
    body = lit(fn(*bounds))
    _need(body, type(BOOL), "a boolean body", kind)
    for b in reversed(bounds):
        if kind == "count":
            size = b.iset.size
            if isinstance(body.type, IntRange):
                body = Quant("sum", b, body, IntRange(0, body.type.hi * size))
            else:
                body = Quant("count", b, body, IntRange(0, size))
        else:
            body = Quant(kind, b, body, BOOL)
    return body


def forall(*args) -> Expr:
    """`forall(CPU, lambda c: ...)` or `forall(CPU, Page, lambda c, p: ...)`."""
    return _quant("forall", args)


def exists(*args) -> Expr:
    return _quant("exists", args)


def count(*args) -> Expr:
    """How many members (or member tuples) satisfy the condition."""
    return _quant("count", args)


# ---------------------------------------------------------------- display

_INFIX = {"and": "&", "or": "|", "implies": "=>", "eq": "==", "ne": "!=", "lt": "<", "le": "<=",
          "add": "+", "sub": "-", "mand": "&", "mor": "|"}


def show(e: Expr) -> str:
    """The expression as a kernel developer would write it in a spec."""
    if isinstance(e, Op):
        a = e.args
        if e.op in _INFIX:
            return f"({show(a[0])} {_INFIX[e.op]} {show(a[1])})"
        if e.op in ("not", "mnot"):
            return f"~{show(a[0])}"
        if e.op == "ite":
            return f"If({show(a[0])}, {show(a[1])}, {show(a[2])})"
        if e.op == "has":
            return f"{show(a[0])}.has({show(a[1])})"
        if e.op == "madd":
            return f"{show(a[0])}.with_({show(a[1])})"
        if e.op == "mdel":
            return f"{show(a[0])}.without({show(a[1])})"
        if e.op == "msize":
            return f"{show(a[0])}.weight()"
        return f"{e.op}({', '.join(show(x) for x in a)})"
    if isinstance(e, Quant):
        return f"{e.kind}({e.var.iset.name}, lambda {e.var.name}: {show(e.body)})"
    return str(e)


def walk(e: Expr):
    """Every node of the tree, parents first."""
    yield e
    if isinstance(e, Op):
        for a in e.args:
            yield from walk(a)
    elif isinstance(e, Quant):
        yield from walk(e.body)
    elif isinstance(e, Ref):
        for i in e.indices:
            yield from walk(i)
