"""A protocol family: a build function from a validated configuration to a Model.

The family declares its parameters (bounds such as cpus/pages/rounds, and variant options),
so that specs and `--set` are checked before anything is built.
"""
from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import SrcLoc, UserError, caller_loc
from .model import Model
from .variant import Edits, make_edits


@dataclass(frozen=True)
class Param:
    """One parameter: its default and the values that make sense (a range or choices)."""

    name: str
    default: Any
    lo: int | None = None
    hi: int | None = None
    choices: tuple | None = None
    doc: str = ""
    explicit_hi: int | None = None  # the largest value explicit search accepts (Z3 takes up to hi)

    def check(self, value: Any, where: SrcLoc | None, protocol: str) -> Any:
        d = self.default
        if isinstance(d, tuple) and isinstance(value, str):
            value = tuple(x.strip() for x in value.split(",") if x.strip())
        if isinstance(d, bool):
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
                value = value.lower() in ("true", "1", "yes")
            if not isinstance(value, bool):
                raise UserError(f"{self.name} of protocol {protocol} is true or false, got {value!r}", where)
        elif isinstance(d, int):
            if isinstance(value, str):
                try:
                    value = int(value)
                except ValueError:
                    raise UserError(f"{self.name} of protocol {protocol} is a number, got {value!r}",
                                    where) from None
            if not isinstance(value, int) or isinstance(value, bool):
                raise UserError(f"{self.name} of protocol {protocol} is a number, got {value!r}", where)
            if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
                raise UserError(f"{self.name}={value} is outside the bounds {self.lo}..{self.hi} "
                                f"that protocol {protocol} supports", where,
                                f"choose {self.name} between {self.lo} and {self.hi}")
        if isinstance(d, tuple) and self.choices is not None:
            bad = [x for x in value if x not in self.choices]
            if bad:
                raise UserError(f"{self.name}: {', '.join(map(repr, bad))} not among "
                                f"{', '.join(map(repr, self.choices))} (protocol {protocol})", where)
        elif self.choices is not None and value not in self.choices:
            raise UserError(f"{self.name}={value!r} is not one of {', '.join(map(repr, self.choices))} "
                            f"(protocol {protocol})", where)
        return value


class Config(Mapping):
    """Validated parameter values; read as `cfg.cpus` or `cfg["cpus"]`.

    `variant_edits` is no parameter: a variant's edits (variant.Edits, one per `.variant` call),
    which the ModelBuilder made with this Config applies to the family's declarations."""

    def __init__(self, values: Mapping[str, Any], variant_edits: tuple[Edits, ...] = ()):
        self._values = dict(values)
        self.variant_edits = tuple(variant_edits)

    def __getitem__(self, k):
        return self._values[k]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __getattr__(self, k):
        try:
            return self._values[k]
        except KeyError:
            raise AttributeError(k) from None

    def __repr__(self):
        return "Config(" + ", ".join(f"{k}={v!r}" for k, v in self._values.items()) + ")"


@dataclass(frozen=True)
class Protocol:
    """A family of models; `configure` validates parameters, `build` makes the Model.

    `edits`: empty for a family; for a variant (`variant`), the edits of each `.variant` call,
    applied by the ModelBuilder to what the family's own `build_fn` declares."""

    name: str
    build_fn: Callable[[Config], Model]
    params: tuple[Param, ...]
    doc: str = ""
    loc: SrcLoc | None = field(default_factory=caller_loc)
    edits: tuple[Edits, ...] = ()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def configure(self, values: Mapping[str, Any], where: SrcLoc | None = None) -> Config:
        out = {p.name: p.default for p in self.params}
        for k, v in values.items():
            p = self.param(k)
            if p is None:
                near = difflib.get_close_matches(k, [q.name for q in self.params], 1)
                hint = f"did you mean '{near[0]}'?" if near else \
                    f"its parameters are {', '.join(q.name for q in self.params)}"
                raise UserError(f"protocol {self.name} has no parameter '{k}'", where, hint)
            out[k] = p.check(v, where, self.name)
        return Config(out, self.edits)

    def build(self, cfg: Config) -> Model:
        if not self.edits:
            return self.build_fn(cfg)
        if getattr(cfg, "variant_edits", None) != self.edits:
            cfg = Config(cfg, self.edits)
        model = self.build_fn(cfg)
        if isinstance(model, Model) and model.name != self.name:  # (not a Model: the caller says so) the edits never reached a ModelBuilder: say so, never drop them
            raise UserError(f"variant {self.name}: protocol {self.edits[-1].base} built its model "
                            "without passing its Config to ModelBuilder, so the variant's edits "
                            "were not applied", self.loc,
                            "the family's build must call ModelBuilder(name, cfg, doc)")
        return model

    def variant(self, name: str, replace: Mapping[str, Any] | None = None, drop: Any = (),
                add: Any = (), params: Mapping[str, Any] | None = None, doc: str = "") -> Protocol:
        """A variant of this family without forking it: the family's own build, with
        `replace` (action name -> function(v, *params) or variant.Replace), `drop` (names of
        actions, invariants, covers, leads-to properties), `add` (functions f(m, v) run on the
        builder once the family has declared everything) and `params` (name -> new default, or a
        new Param). Whatever it does not name is kept: fairness, refs, auxiliary invariants,
        final states, properties. Names are checked when the model is built, at this line."""
        loc = caller_loc()
        edits = make_edits(self.name, name, replace, drop, add, doc, loc)
        return Protocol(name, self.build_fn, self._variant_params(params, loc, name), doc or self.doc,
                        loc, self.edits + (edits,))

    def _variant_params(self, params: Mapping[str, Any] | None, loc: SrcLoc | None,
                        variant: str) -> tuple[Param, ...]:
        """The family's parameters with new defaults (checked like a spec's values), plus new ones."""
        if params is not None and not isinstance(params, Mapping):
            raise UserError(f"params= maps names to new defaults or Param objects, got {params!r}", loc,
                            "e.g. params={'pages': 2, 'depth': Param('depth', 1, 1, 3)}")
        out = list(self.params)
        for k, v in (params or {}).items():
            p = self.param(k)
            if isinstance(v, Param):
                if v.name != k:
                    raise UserError(f"params['{k}'] is a Param named '{v.name}'", loc,
                                    "key it by its own name")
                if p is not None:
                    raise UserError(f"protocol {self.name} already has parameter '{k}'", loc,
                                    f"give its new default instead: params={{'{k}': ...}}")
                v.check(v.default, loc, variant)
                out.append(v)
            elif p is None:
                near = difflib.get_close_matches(k, [q.name for q in self.params], 1)
                raise UserError(f"protocol {self.name} has no parameter '{k}'", loc,
                                f"did you mean '{near[0]}'? (a new parameter is a Param object)" if near
                                else "a new parameter is a Param object: Param(name, default, lo, hi)")
            else:
                out[out.index(p)] = dataclasses.replace(p, default=p.check(v, loc, self.name))
        return tuple(out)
