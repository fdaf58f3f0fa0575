"""Variants without forking: a family's own build, with named declarations replaced or dropped
and new ones added.

`Protocol.variant(...)` records the edits as plain data (`Edits`) on the new Protocol; its
Config carries them to the `ModelBuilder`, which applies them as the family declares each
action, invariant, cover and property. So everything the variant does not name is kept as the
family declares it: fairness, refs, auxiliary invariants, final states, leads-to properties.
No global state: two variants of one family never see each other's edits.

Edits stack: a variant of a variant is one more layer. The edits of layer i apply to what the
layers below it declared (the family is layer 0, each `add` declares in its own layer).
"""
from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ModelError, SrcLoc, UserError
from .expr import Ref

KEEP = "keep"  # Replace(fair=KEEP): the replaced action keeps the family's fairness


def fn_loc(fn: Callable) -> SrcLoc:
    """Where a function is defined (its `def` line)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return SrcLoc(inspect.getsourcefile(fn) or "?", 0)
    return SrcLoc(code.co_filename, code.co_firstlineno)


@dataclass(frozen=True)
class Replace:
    """A replacement action with what it changes besides the body; None or KEEP keeps the
    family's. Give a bare function instead when only the body changes.

        replace={"an_action": Replace(my_function, ref="my patch", fair="weak")}

    `fn(v, *params)` returns `when(...)`: `v` is the model's variables and index sets by name
    (`ModelBuilder.view()`), then one member per parameter of the replaced action. The doc is the
    function's docstring when it has one."""

    fn: Callable
    ref: str | None = None
    doc: str | None = None
    fair: str | None = KEEP

    def __post_init__(self):
        if not callable(self.fn):
            raise ModelError(f"Replace needs a function, got {self.fn!r}",
                             "def f(v, *params): return when(guard, updates...)")
        if self.fair not in (KEEP, None, "weak", "strong"):
            raise ModelError(f"Replace(fair={self.fair!r}): fairness is 'weak', 'strong', None, "
                             "or KEEP (the family's)")


@dataclass(frozen=True)
class Edits:
    """One `Protocol.variant` call: its name, its edits, and the spec line that made it."""

    name: str
    base: str                                # the protocol it was derived from
    replace: tuple[tuple[str, Replace], ...]
    drop: tuple[str, ...]
    add: tuple[Callable, ...]
    doc: str
    loc: SrcLoc | None

    def replacement(self, name: str) -> Replace | None:
        return next((r for n, r in self.replace if n == name), None)

    def names(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.replace) + self.drop


def make_edits(base: str, name: Any, replace: Mapping[str, Any] | None, drop: Iterable[str] | str,
               add: Iterable[Callable] | Callable, doc: str, loc: SrcLoc | None) -> Edits:
    """Check what can be checked before any model exists; the names are checked at build time."""
    if not isinstance(name, str) or not name.isidentifier():
        raise UserError(f"a variant's name is an identifier, got {name!r}", loc,
                        f"e.g. {base}_patched")
    if name == base:
        raise UserError(f"the variant of {base} needs a name of its own", loc,
                        f"e.g. {base}_patched (reports show it)")
    if replace is not None and not isinstance(replace, Mapping):
        raise UserError(f"replace= maps action names to functions, got {replace!r}", loc,
                        "replace={'an_action': my_function}")
    reps: list[tuple[str, Replace]] = []
    for k, f in (replace or {}).items():
        if not isinstance(k, str):
            raise UserError(f"replace= is keyed by action name, got {k!r}", loc)
        if not isinstance(f, Replace):
            if not callable(f):
                raise UserError(f"replace['{k}'] is {f!r}, not a function", loc,
                                "def f(v, *params): return when(guard, updates...)")
            f = Replace(f)
        reps.append((k, f))
    drops = (drop,) if isinstance(drop, str) else tuple(drop or ())
    for d in drops:
        if not isinstance(d, str):
            raise UserError(f"drop= lists names, got {d!r}", loc)
    both = sorted(set(drops) & {k for k, _ in reps})
    if both:
        raise UserError(f"'{both[0]}' is both replaced and dropped", loc, "name it in one of the two")
    if len(set(drops)) != len(drops):
        raise UserError("drop= names something twice", loc)
    adds = (add,) if callable(add) else tuple(add or ())
    for f in adds:
        if not callable(f):
            raise UserError(f"add= lists functions f(m, v), got {f!r}", loc)
        try:
            inspect.signature(f).bind(None, None)
        except (TypeError, ValueError):
            raise UserError(f"add= function {getattr(f, '__name__', f)} must take (m, v): the "
                            "builder and the declarations by name", fn_loc(f)) from None
    return Edits(name, base, tuple(reps), drops, adds, doc, loc)


class Vars:
    """What a variant's functions see (`v`): every variable declared so far as its expression
    (`v.x[c]`), every index set (`v.CPU.members`), and `v.cfg`, the Config. Read-only."""

    __slots__ = ("_cfg", "_items")

    def __init__(self, items: Mapping[str, Any], cfg: Any):
        object.__setattr__(self, "_items", dict(items))
        object.__setattr__(self, "_cfg", cfg)

    @property
    def cfg(self):
        return self._cfg

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._items[name]
        except KeyError:
            pass
        near = difflib.get_close_matches(name, list(self._items), 1)
        raise ModelError(f"the model has no variable or index set '{name}' (declared so far)",
                         f"did you mean '{near[0]}'?" if near else
                         f"it has {', '.join(self._items) or 'none yet'}")

    def __getitem__(self, name: str):
        return self.__getattr__(name)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self):
        return iter(self._items)

    def __dir__(self):
        return [*self._items, "cfg"]

    def __setattr__(self, name, value):
        raise ModelError(f"v is read-only: declare variables on the builder (m.var('{name}', ...)) "
                         "in an add= function")

    def __repr__(self):
        return f"Vars({', '.join(self._items)})"


def view(isets, var_decls, cfg) -> Vars:
    items: dict[str, Any] = {s.name: s for s in isets}
    items.update((d.name, Ref(d)) for d in var_decls)
    return Vars(items, cfg)


# what drop= may name; replace= takes actions only
EDITABLE = ("action", "invariant", "cover", "property")


class Editing:
    """A ModelBuilder's view of the edits: the fate of each declaration, then what went unused."""

    def __init__(self, layers: tuple[Edits, ...]):
        self.layers = tuple(layers)
        self.layer = 0                       # the layer declaring now (0: the family)
        self.used: set[tuple[int, str]] = set()
        self.added = False

    def fate(self, name: str, kind: str) -> tuple[str, Replace | None, Edits | None]:
        """("keep" | "replace" | "drop", the replacement, the layer that replaced it)."""
        out: tuple[str, Replace | None, Edits | None] = ("keep", None, None)
        for i in range(self.layer + 1, len(self.layers) + 1):
            e = self.layers[i - 1]
            if name not in e.names():
                continue
            if kind not in EDITABLE:
                raise ModelError(f"variant {e.name} names {kind} '{name}': a variant replaces actions "
                                 "and drops actions, invariants, covers and properties",
                                 "keep the declaration and change the actions that use it", loc=e.loc)
            r = e.replacement(name)
            if r is not None and kind != "action":
                raise ModelError(f"variant {e.name} replaces {kind} '{name}': replace= takes actions",
                                 f"drop it and declare your own {kind} in an add= function", loc=e.loc)
            self.used.add((i, name))
            if r is None:
                return ("drop", None, e)
            out = ("replace", r, e)
        return out

    def check_arity(self, aname: str, r: Replace, e: Edits, params: tuple) -> None:
        try:
            inspect.signature(r.fn).bind(None, *params)
        except TypeError:
            names = ", ".join(["v"] + [p.name for p in params])
            raise ModelError(f"the replacement of action {aname} ({fn_loc(r.fn)}) must take "
                             f"({names}): v, then one member per parameter of {aname}",
                             loc=e.loc) from None
        except ValueError:
            pass

    def check_unused(self, declared: Mapping[str, str]) -> None:
        """Every name a variant replaces or drops must exist below it (after the build ran)."""
        known = [n for n, k in declared.items() if k in EDITABLE]
        for i, e in enumerate(self.layers, 1):
            for n in e.names():
                if (i, n) in self.used:
                    continue
                what = "action" if e.replacement(n) is not None else "action, invariant, cover or property"
                near = difflib.get_close_matches(n, known, 1)
                raise ModelError(f"variant {e.name}: {e.base} has no {what} '{n}' at these parameters",
                                 f"did you mean '{near[0]}'?" if near else
                                 "its names: " + ", ".join(sorted(known)), loc=e.loc)
