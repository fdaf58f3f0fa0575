"""Symmetry reduction: one canonical state per orbit under permutations of symmetric index sets.

An index set declared symmetric (a scalarset) promises that the model treats its members alike.
A permutation of its members acts on a packed state by moving array elements along the
dimensions indexed by the set, renaming members held as values (`Elem`) and permuting the bits
of cpumasks (`Mask`). Exploring one representative per orbit is exact for every property that is
itself symmetric, and the checker verifies that the model is (`check_model`) before it reduces.

The representative is the lexicographically least image among a few candidate permutations:
each member gets a key made of the values that move with it (its row of every array indexed by
the set, whether a mask holds it, whether an index variable names it), members are sorted by key,
and only ties are tried in every order. When the keys describe the member completely (the usual
case: arrays indexed once by the set, holding plain values) tied members are interchangeable and
sorting alone is canonical. Both backends compute the same representative: the fast backend's C
code is generated from the tables built here.

Traces found on representatives are turned back into real executions (`concretize`): replay from
the initial state, at each step taking the successor whose representative is the next one.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from typing import Callable

from ..errors import UserError
from ..lang.expr import Bound, Const, Expr, Op, Quant, Ref
from ..lang.model import Model, instances
from ..lang.types import Elem, IndexSet, Mask, Type
from ..result import Trace, Violation
from .compile import Compiled
from .layout import Layout

# feature kinds: what a member's key reads (see Symmetry.features)
RAW, SELF, NONE, MBIT, MPOP, EQ, BIT = range(7)


@dataclass(frozen=True)
class SlotMove:
    """How one slot moves: dest = base + sum(stride * (perm[set][coord] or coord))."""

    base: int
    terms: tuple[tuple[int, int, int], ...]   # (stride, coord, set index or -1)
    vkind: int                                 # 0 plain, 1 Elem of a symmetric set, 2 Mask of one
    vset: int                                  # which set the value refers to (-1)


def symmetric_sets(model: Model) -> list[IndexSet]:
    """The index sets a reduction can use: declared symmetric, two members or more."""
    return [s for s in model.isets if s.symmetric and s.size >= 2]


def _refers(t: Type, sets: list[IndexSet]) -> int:
    if isinstance(t, (Elem, Mask)) and t.iset in sets:
        return sets.index(t.iset)
    return -1


class Symmetry:
    """Canonicalisation tables for a model's symmetric index sets."""

    def __init__(self, model: Model, layout: Layout | None = None, sets: list[IndexSet] | None = None):
        """`sets`: the index sets to permute (default: the symmetric ones); another choice only renames
        states (`apply`), it does not make the model symmetric."""
        self.model = model
        self.layout = layout or Layout.of(model)
        self.sets = symmetric_sets(model) if sets is None else sets
        self.group_order = math.prod(math.factorial(s.size) for s in self.sets)
        L = self.layout
        moves: list[SlotMove] = []
        for v in L.vars:
            strides = L.strides(v)
            si = [self.sets.index(d) if d in self.sets else -1 for d in v.dims]
            ref = _refers(v.type, self.sets)
            vkind = 0 if ref < 0 else (1 if isinstance(v.type, Elem) else 2)
            for idx in itertools.product(*(d.members for d in v.dims)):
                moves.append(SlotMove(L.base(v), tuple(zip(strides, idx, si)), vkind, ref))
        self.moves = moves
        self.width = L.width
        # per set: its features (kind, base, stride) and whether they describe members completely
        self.features: list[list[tuple[int, int, int]]] = []
        self.complete: list[bool] = []
        for j, S in enumerate(self.sets):
            feats, complete = [], True
            for v in L.vars:
                ps = [d for d, dim in enumerate(v.dims) if dim == S]
                others = [d for d, dim in enumerate(v.dims) if dim in self.sets and dim != S]
                ref = _refers(v.type, self.sets)
                strides = L.strides(v)
                if len(ps) == 1 and not others:
                    p = ps[0]
                    rest = [d for d in range(len(v.dims)) if d != p]
                    for combo in itertools.product(*(v.dims[d].members for d in rest)):
                        base = L.base(v) + sum(c * strides[d] for c, d in zip(combo, rest))
                        if ref < 0:
                            feats.append((RAW, base, strides[p]))
                            continue
                        complete = False
                        if isinstance(v.type, Elem):
                            feats.append((SELF if ref == j else NONE, base, strides[p]))
                        else:
                            if ref == j:
                                feats.append((MBIT, base, strides[p]))
                            feats.append((MPOP, base, strides[p]))
                elif ps:
                    complete = False
                elif ref == j:
                    if others or any(d in self.sets for d in v.dims):
                        complete = False
                    else:
                        kind = EQ if isinstance(v.type, Elem) else BIT
                        feats.extend((kind, L.base(v) + k, 0) for k in range(v.size))
            self.features.append(feats)
            self.complete.append(complete)
        self._gather: dict[tuple, tuple[int, ...]] = {}
        # sets whose features are all plain rows: keys by itemgetter (values as ints)
        self._raw_getters: list[list | None] = []
        for j, S in enumerate(self.sets):
            feats = self.features[j]
            if feats and all(k == RAW for k, _, _ in feats):
                self._raw_getters.append([_row_getter([b + i * st for _, b, st in feats])
                                          for i in S.members])
            else:
                self._raw_getters.append(None)

    # ------------------------------------------------------------------ the group action
    def dest(self, k: int, perms: tuple[tuple[int, ...], ...]) -> int:
        m = self.moves[k]
        return m.base + sum(st * (perms[s][c] if s >= 0 else c) for st, c, s in m.terms)

    def apply(self, perms: tuple[tuple[int, ...], ...], state: tuple) -> tuple:
        """The image of a state: perms[j][i] is where member i of set j goes."""
        g = self._gather.get(perms)
        if g is None:
            inv = [0] * self.width
            for k in range(self.width):
                inv[self.dest(k, perms)] = k
            g = self._gather[perms] = tuple(inv)
            if len(self._gather) > 200_000:
                self._gather.clear()
        out = [state[k] for k in g]
        for d, k in enumerate(g):
            m = self.moves[k]
            if m.vkind:
                out[d] = _map_value(m.vkind, perms[m.vset], self.sets[m.vset].size, out[d])
        return tuple(out)

    # ------------------------------------------------------------------ keys
    def keys(self, j: int, state: tuple) -> list[tuple]:
        """Every member's key (plain-valued rows read by itemgetter: the common, fast case)."""
        getters = self._raw_getters[j]
        if getters is not None:
            return [g(state) for g in getters]
        return [self.key(j, state, i) for i in self.sets[j].members]

    def key(self, j: int, state: tuple, i: int) -> tuple:
        out = []
        n = self.sets[j].size
        for kind, base, stride in self.features[j]:
            if kind == RAW:
                out.append(int(state[base + i * stride]))
            elif kind == SELF:
                x = state[base + i * stride]
                out.append(1 if x == i else (2 if x == n else 0))
            elif kind == NONE:
                out.append(1 if state[base + i * stride] >= self._size_of(base) else 0)
            elif kind == MBIT:
                out.append(state[base + i * stride] >> i & 1)
            elif kind == MPOP:
                out.append(int(state[base + i * stride]).bit_count())
            elif kind == EQ:
                out.append(1 if state[base] == i else 0)
            else:  # BIT
                out.append(state[base] >> i & 1)
        return tuple(out)

    def _size_of(self, slot: int) -> int:
        m = self.moves[slot]
        return self.sets[m.vset].size

    def candidates(self, state: tuple) -> tuple[list[list[tuple[int, ...]]], int]:
        """Per set, the member orders to try; and the stabiliser factor of the complete sets."""
        per_set, stab = [], 1
        for j, S in enumerate(self.sets):
            keys = self.keys(j, state)
            order = sorted(S.members, key=keys.__getitem__)
            groups, start = [], 0
            for p in range(1, S.size + 1):
                if p == S.size or keys[order[p]] != keys[order[start]]:
                    groups.append(order[start:p])
                    start = p
            if self.complete[j] or all(len(g) == 1 for g in groups):
                stab *= math.prod(math.factorial(len(g)) for g in groups)
                per_set.append([tuple(order)])
            else:
                orders = [()]
                for g in groups:
                    orders = [o + tuple(q) for o in orders for q in itertools.permutations(g)]
                per_set.append(orders)
        return per_set, stab

    def canon_info(self, state: tuple) -> tuple[tuple, int]:
        """The representative of the state's orbit and the size of its stabiliser."""
        per_set, stab = self.candidates(state)
        if all(len(c) == 1 for c in per_set):       # one candidate: the sorted order
            orders = [c[0] for c in per_set]
            if all(o == tuple(range(len(o))) for o in orders):
                return state, stab
            return self.apply(tuple(_perm_of(o) for o in orders), state), stab
        best, hits = None, 0
        for orders in itertools.product(*per_set):
            perms = tuple(_perm_of(o) for o in orders)
            img = self.apply(perms, state)
            if best is None or img < best:
                best, hits = img, 1
            elif img == best:
                hits += 1
        return best, stab * hits

    def canon(self, state: tuple) -> tuple:
        if not self.sets:
            return state
        return self.canon_info(state)[0]

    def orbit_size(self, state: tuple) -> int:
        return self.group_order // self.canon_info(state)[1]

    def generators(self) -> list[tuple[tuple[int, ...], ...]]:
        """A swap and a rotation of each set (the other sets fixed): they generate the group."""
        ident = [tuple(S.members) for S in self.sets]
        out = []
        for j, S in enumerate(self.sets):
            n = S.size
            swap = (1, 0) + tuple(range(2, n))
            rot = tuple((i + 1) % n for i in range(n))
            for p in (swap, rot) if n > 2 else (swap,):
                perms = list(ident)
                perms[j] = p
                out.append(tuple(perms))
        return out

    def describe(self) -> str:
        return ", ".join(f"{S.name} ({S.size}! = {math.factorial(S.size)} permutations)" for S in self.sets)


def _row_getter(slots: list[int]):
    """state -> the tuple of those slots (bools compare like 0/1, as the C keys do)."""
    from operator import itemgetter
    if len(slots) == 1:
        k = slots[0]
        return lambda s: (s[k],)
    return itemgetter(*slots)


def _perm_of(order: tuple[int, ...]) -> tuple[int, ...]:
    """order[p] is the member placed at position p; the permutation sends order[p] to p."""
    perm = [0] * len(order)
    for p, i in enumerate(order):
        perm[i] = p
    return tuple(perm)


def _map_value(vkind: int, perm: tuple[int, ...], n: int, x):
    if vkind == 1:
        return perm[x] if x < n else x
    out = 0
    for i in range(n):
        if x >> i & 1:
            out |= 1 << perm[i]
    return out


# ---------------------------------------------------------------------- is the model symmetric?

_COMMUTATIVE = {"and", "or", "mand", "mor", "add", "eq", "ne"}


def _term(e: Expr, env: dict[int, int], pi: dict[IndexSet, tuple[int, ...]]) -> str:
    """A normal form of the unrolled expression with members renamed by pi."""
    if isinstance(e, Const):
        t, v = e.type, e.value
        if isinstance(t, Elem) and t.iset in pi and v < t.iset.size:
            v = pi[t.iset][v]
        elif isinstance(t, Mask) and t.iset in pi:
            v = _map_value(2, pi[t.iset], t.iset.size, v)
        return f"{int(v)}"
    if isinstance(e, Bound):
        v = env[e.uid]
        return f"#{pi[e.iset][v] if e.iset in pi else v}"
    if isinstance(e, Ref):
        return e.var.name + "".join(f"[{_term(i, env, pi)}]" for i in e.indices)
    if isinstance(e, Quant):
        parts = sorted(_term(e.body, {**env, e.var.uid: m}, pi) for m in e.var.iset.members)
        return f"{e.kind}(" + ",".join(parts) + ")"
    if isinstance(e, Op):
        if e.op in _COMMUTATIVE:
            parts = []
            for a in _flatten(e):
                parts.append(_term(a, env, pi))
            return f"{e.op}(" + ",".join(sorted(parts)) + ")"
        return f"{e.op}(" + ",".join(_term(a, env, pi) for a in e.args) + ")"
    raise TypeError(f"unknown expression node {e!r}")


def _flatten(e: Op):
    if e.op in ("eq", "ne"):
        return list(e.args)
    out = []
    for a in e.args:
        if isinstance(a, Op) and a.op == e.op:
            out.extend(_flatten(a))
        else:
            out.append(a)
    return out


def check_model(model: Model, sym: Symmetry) -> str | None:
    """Why the model is not symmetric in its declared sets (None when it is).

    Checks, for a swap and a rotation of each set, that every invariant, cover, hazard
    precondition and the final condition are unchanged, and each action's instances are mapped
    onto its own instances (guards and updates in a normal form where members are renamed). The
    initial state need not be fixed: the search starts from its representative, and a symmetric
    transition relation reaches the same orbits from every state of the initial orbit.
    """
    if not sym.sets:
        return None
    insts = instances(model)
    by_action: dict[str, list] = {}
    for inst in insts:
        by_action.setdefault(inst.action.name, []).append(inst)

    def sig(inst, pi):
        env = inst.bindings
        ups = sorted((_term(u.target, env, pi), _term(u.value, env, pi)) for u in inst.action.updates)
        return _term(inst.action.guard, env, pi), tuple(ups)

    ident = {S: tuple(S.members) for S in sym.sets}
    base_sigs = {name: sorted(sig(i, ident) for i in group) for name, group in by_action.items()}
    base_invs = [_term(inv.expr, {}, ident) for inv in model.invariants]
    base_goals = [_term(e, {}, ident) for _, _, e in model.goals()]
    base_final = _term(model.final, {}, ident) if model.final is not None else None
    for perms in sym.generators():
        pi = {S: p for S, p in zip(sym.sets, perms)}
        moved = [S.name for S, p in pi.items() if p != tuple(S.members)][0]
        for inv, base in zip(model.invariants, base_invs):
            if _term(inv.expr, {}, pi) != base:
                return f"invariant {inv.name} singles out a member of {moved}"
        for (kind, name, e), base in zip(model.goals(), base_goals):
            if _term(e, {}, pi) != base:
                return f"the {kind} of {name} singles out a member of {moved}"
        if base_final is not None and _term(model.final, {}, pi) != base_final:
            return f"the final-state condition singles out a member of {moved}"
        for name, group in by_action.items():
            if sorted(sig(i, pi) for i in group) != base_sigs[name]:
                return f"action {name} treats the members of {moved} differently"
    return None


# ---------------------------------------------------------------------- choosing and exploring

@dataclass(frozen=True)
class SymmetryChoice:
    """What the run does: reduce (with these tables) or not, and a note for the user."""

    sym: Symmetry | None
    note: str = ""


def choose(model: Model, layout: Layout, wanted: bool | None) -> SymmetryChoice:
    """None: reduce wherever the model declares a symmetric set; True: must; False: never."""
    if wanted is False:
        return SymmetryChoice(None)
    sym = Symmetry(model, layout)
    if not sym.sets:
        if wanted:
            declared = [s.name for s in model.isets if s.symmetric]
            if declared:
                return SymmetryChoice(None, "symmetry has nothing to reduce: the symmetric index "
                                      f"set {', '.join(declared)} has a single member here")
            raise UserError(f"--symmetry: model {model.name} declares no symmetric index set",
                            None, "declare one with m.index_set(name, n, symmetric=True)")
        return SymmetryChoice(None)
    why = check_model(model, sym)
    if why is not None:
        msg = (f"{', '.join(s.name for s in sym.sets)} is declared symmetric but {why}, so "
               "symmetry reduction would be unsound")
        if wanted:
            raise UserError(msg, model.loc, "drop symmetric=True from that index set, or run "
                            "with --no-symmetry")
        return SymmetryChoice(None, msg + "; explored without it")
    return SymmetryChoice(sym)


def symmetric_compiled(c: Compiled, sym: Symmetry, represented: list[int] | None = None) -> Compiled:
    """The compiled model with every successor replaced by its representative.

    The explorer checks each new state exactly once, so `represented[0]` (if given) adds up
    the orbit sizes: how many states the representatives stand for.
    """
    succ, canon, chk = c.successors, sym.canon, c.check

    def successors(s):
        return [(k, canon(t)) for k, t in succ(s)]

    def check(s):
        represented[0] += sym.orbit_size(s)
        return chk(s)

    return dataclasses.replace(c, successors=successors,
                               check=check if represented is not None else chk)


def replay(c: Compiled, sym: Symmetry | None, via: list[int]) -> list[tuple]:
    """The representatives along a path given by its action instances, from the initial state."""
    s = c.layout.initial()
    s = sym.canon(s) if sym else s
    out = [s]
    for k in via:
        nxt = [t for kk, t in c.successors(s) if kk == k]
        if not nxt:
            raise RuntimeError(f"replay: action instance {k} is not enabled")
        s = sym.canon(nxt[0]) if sym else nxt[0]
        out.append(s)
    return out


def concretize(c: Compiled, sym: Symmetry, reps: list[tuple]) -> tuple[list[tuple], list[int]]:
    """A real execution from the initial state that visits the given orbits in order."""
    x = c.layout.initial()
    path, via = [x], []
    for target in reps[1:]:
        for k, y in c.successors(x):
            if sym.canon(y) == target:
                x = y
                break
        else:
            raise RuntimeError("concretize: no successor reaches the next orbit")
        path.append(x)
        via.append(k)
    return path, via


def real_trace(c: Compiled, sym: Symmetry, via: list[int], violation: Violation | None,
               check: Callable | None = None) -> tuple[Trace, Violation | None]:
    """The trace of a path found on representatives, as a real execution; the violation's
    witness is recomputed on the real final state."""
    from .trace import build_trace
    reps = replay(c, sym, via)
    path, real_via = concretize(c, sym, reps)
    if violation is not None and violation.kind == "invariant":
        bad = c.check(path[-1])
        if bad is not None:
            inv = c.model.invariants[bad[0]]
            violation = Violation(inv.name, inv.statement, tuple(c.witnesses[bad[1]]))
    return build_trace(c, path, real_via, violation), violation


def explore_reduced(c: Compiled, sym: Symmetry, limits, deadlock: bool, progress=None):
    """The reference explorer over representatives; traces come back as real executions.

    Returns the Outcome and the number of states the explored representatives stand for.
    """
    from .explore import explore
    represented = [0]
    out = explore(symmetric_compiled(c, sym, represented), limits, deadlock, progress,
                  init=sym.canon(c.layout.initial()))
    if out.trace is not None:
        label = {inst.label: k for k, inst in enumerate(c.instances)}
        via = []
        for st in out.trace.steps[1:]:
            args = ", ".join(f"{n}={v}" for n, v in st.args)
            via.append(label[f"{st.action}({args})" if args else st.action])
        out.trace, out.violation = real_trace(c, sym, via, out.violation)
    return out, represented[0]
