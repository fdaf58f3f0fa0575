"""Where each variable lives in a packed state (a flat tuple), and how to read one back."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from ..lang.expr import VarDecl
from ..lang.model import Model
from ..lang.types import BoolType, Elem, Enum, Mask


@dataclass(frozen=True)
class Layout:
    vars: tuple[VarDecl, ...]
    offsets: tuple[int, ...]
    width: int

    @staticmethod
    def of(model: Model) -> "Layout":
        offs, pos = [], 0
        for v in model.vars:
            offs.append(pos)
            pos += v.size
        return Layout(model.vars, tuple(offs), pos)

    def strides(self, v: VarDecl) -> tuple[int, ...]:
        out, acc = [], 1
        for d in reversed(v.dims):
            out.append(acc)
            acc *= d.size
        return tuple(reversed(out))

    def base(self, v: VarDecl) -> int:
        return self.offsets[self.vars.index(v)]

    def slot(self, v: VarDecl, idx: tuple[int, ...]) -> int:
        return self.base(v) + sum(i * s for i, s in zip(idx, self.strides(v)))

    def initial(self) -> tuple:
        return tuple(x for v in self.vars for x in v.init)

    def slot_name(self, k: int) -> str:
        for v, off in zip(self.vars, self.offsets):
            if off <= k < off + v.size:
                idx = list(itertools.product(*(d.members for d in v.dims)))[k - off]
                return v.name + "".join(f"[{i}]" for i in idx)
        raise IndexError(k)

    def decode(self, state: tuple) -> dict[str, Any]:
        """The state as plain values: arrays as nested lists, enums by name, masks as tuples."""
        out: dict[str, Any] = {}
        for v, off in zip(self.vars, self.offsets):
            flat = [plain(v, x) for x in state[off:off + v.size]]
            out[v.name] = _nest(flat, [d.size for d in v.dims])
        return out


def plain(v: VarDecl, x: Any) -> Any:
    t = v.type
    if isinstance(t, BoolType):
        return bool(x)
    if isinstance(t, Enum):
        return t.names[x]
    if isinstance(t, Mask):
        return tuple(i for i in t.iset.members if x >> i & 1)
    if isinstance(t, Elem) and x == t.none:
        return None
    return x


def _nest(flat: list, sizes: list[int]) -> Any:
    if not sizes:
        return flat[0]
    if len(sizes) == 1:
        return flat
    step = len(flat) // sizes[0]
    return [_nest(flat[i * step:(i + 1) * step], sizes[1:]) for i in range(sizes[0])]
