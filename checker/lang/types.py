"""The finite types of the modelling language and the index sets they range over.

Concrete values: bool for `BOOL`, int for `IntRange`, the position of the name for `Enum`,
a bitmask int for `Mask` (a cpumask), the member number for `Elem` (`size` means none).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndexSet:
    """A finite set of members 0..size-1, e.g. CPU or Page. Symmetric: no member is special.

    Plain data below the expressions; the masks over it (`CPU.all()`) come with `expr.Members`.
    """

    name: str
    size: int
    symmetric: bool = False

    @property
    def members(self) -> range:
        return range(self.size)

    def member_name(self, i: int) -> str:
        return f"{self.name.lower()}{i}"



class Type:
    """Base of the finite types; `values()` enumerates every concrete value."""

    def values(self) -> range | tuple:
        raise NotImplementedError

    def contains(self, v: object) -> bool:
        return v in self.values()

    def show(self, v: object) -> str:
        return str(v)


@dataclass(frozen=True)
class BoolType(Type):
    def values(self):
        return (False, True)

    def contains(self, v):
        return isinstance(v, bool)

    def __str__(self):
        return "bool"


BOOL = BoolType()


@dataclass(frozen=True)
class IntRange(Type):
    lo: int
    hi: int

    def values(self):
        return range(self.lo, self.hi + 1)

    def contains(self, v):
        return isinstance(v, int) and not isinstance(v, bool) and self.lo <= v <= self.hi

    def __str__(self):
        return f"{self.lo}..{self.hi}"


@dataclass(frozen=True)
class Enum(Type):
    name: str
    names: tuple[str, ...]

    def values(self):
        return range(len(self.names))

    def index(self, name: str) -> int | None:
        return self.names.index(name) if name in self.names else None

    def show(self, v):
        return self.names[v]

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class Mask(Type):
    """A subset of an index set, e.g. mm_cpumask: bit i set iff member i is in it."""

    iset: IndexSet

    def values(self):
        return range(1 << self.iset.size)

    def show(self, v):
        return "{" + ",".join(str(i) for i in self.iset.members if v >> i & 1) + "}"

    def __str__(self):
        return f"mask({self.iset.name})"


@dataclass(frozen=True)
class Elem(Type):
    """A member of an index set held as a value (e.g. the initiating CPU); optional allows none."""

    iset: IndexSet
    optional: bool = False

    @property
    def none(self) -> int:
        return self.iset.size

    def values(self):
        return range(self.iset.size + (1 if self.optional else 0))

    def show(self, v):
        return "none" if v == self.iset.size else str(v)

    def __str__(self):
        return f"{self.iset.name}{'?' if self.optional else ''}"


def same_kind(a: Type, b: Type) -> bool:
    """Whether values of a and b may be compared or assigned (int ranges mix freely)."""
    if isinstance(a, IntRange) and isinstance(b, IntRange):
        return True
    if isinstance(a, Elem) and isinstance(b, Elem):
        return a.iset == b.iset
    return a == b
