"""Generate C from the IR: packed 64-bit states, successor, check, final and canonical-form code.

The generated code follows the reference Emitter (checker/explicit/compile.py) construct for construct:
the same instance order, the same constant folding of action parameters and quantifiers, the
same short-circuit order of `and`/`or`, the same range checks on updates, the same order of
invariant checks (so the same witness) — only over bit fields of 64-bit words instead of tuple
slots. Each slot is stored as `value - lo` in the fewest bits that hold its range; bit 63 of
word 0 is always set, so an all-zero word marks an empty hash-table slot.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...lang.expr import Op, Ref
from ...lang.types import BoolType, Elem, Enum, IntRange, Mask, Type
from ..compile import Code as C
from ..compile import Compiled, Emitter, _peel
from ..layout import Layout
from ..symmetry import Symmetry


class Unsupported(Exception):
    """The model is beyond what the generated code handles (the reference backend still does)."""


def _k(v) -> C:
    v = int(v)
    return C(f"{v}LL" if abs(v) >= 1 << 31 else str(v), v)


def slot_range(t: Type) -> tuple[int, int]:
    """(lo, largest encoded value) of a slot of this type."""
    if isinstance(t, BoolType):
        return 0, 1
    if isinstance(t, IntRange):
        return t.lo, t.hi - t.lo
    if isinstance(t, Enum):
        return 0, len(t.names) - 1
    if isinstance(t, Mask):
        return 0, (1 << t.iset.size) - 1
    if isinstance(t, Elem):
        return 0, t.iset.size if t.optional else t.iset.size - 1
    raise TypeError(t)


@dataclass(frozen=True)
class Packing:
    """Where each slot lives: word, shift, width, lo."""

    words: int
    word: tuple[int, ...]
    shift: tuple[int, ...]
    width: tuple[int, ...]
    lo: tuple[int, ...]
    is_bool: tuple[bool, ...]

    @staticmethod
    def of(layout: Layout) -> "Packing":
        word, shift, width, lo, isb = [], [], [], [], []
        w, used = 0, 0
        cap = 63  # word 0 keeps bit 63 as the "occupied" flag
        for v in layout.vars:
            l, mx = slot_range(v.type)
            bits = mx.bit_length()
            if bits > 62:
                raise Unsupported(f"variable {v.name} needs {bits} bits per element, more than 62")
            for _ in range(v.size):
                if used + bits > cap:
                    w, used, cap = w + 1, 0, 64
                word.append(w)
                shift.append(used)
                width.append(bits)
                lo.append(l)
                isb.append(isinstance(v.type, BoolType))
                used += bits
        return Packing(w + 1, tuple(word), tuple(shift), tuple(width), tuple(lo), tuple(isb))

    def pack(self, state: tuple) -> list[int]:
        out = [0] * self.words
        out[0] = 1 << 63
        for k, x in enumerate(state):
            out[self.word[k]] |= (int(x) - self.lo[k]) << self.shift[k]
        return out

    def unpack(self, words) -> tuple:
        out = []
        for k in range(len(self.word)):
            x = ((words[self.word[k]] >> self.shift[k]) & ((1 << self.width[k]) - 1)) + self.lo[k]
            out.append(bool(x) if self.is_bool[k] else x)
        return tuple(out)


class CEmitter(Emitter):
    """Expressions to C over the locals S0..S{W-1} holding the packed state: the reference
    Emitter's folding and dispatch, with C syntax."""

    AND, OR = "&&", "||"

    def __init__(self, layout: Layout, pk: Packing):
        super().__init__(layout)
        self.pk = pk

    def const(self, v) -> C:
        return _k(v)

    def get(self, k: int) -> C:
        pk = self.pk
        if pk.width[k] == 0:
            return _k(pk.lo[k])
        src = f"((int64_t)((S{pk.word[k]} >> {pk.shift[k]}) & {(1 << pk.width[k]) - 1}ULL)"
        src += f" + {pk.lo[k]})" if pk.lo[k] else ")"
        return C(src)

    def ref(self, r: Ref, env) -> C:
        const, dyn = self.slot(r, env)
        return self.get(const) if dyn is None else C(f"gslot(s, {dyn})")

    def slot(self, r: Ref, env) -> tuple[int, str | None]:
        """(constant slot, None) or (base, C source of the dynamic slot number)."""
        const, parts = self.index_parts(r, env, "ix(E, {src}, {size})")
        if not parts:
            return const, None
        return const, "(int)(" + " + ".join([str(const)] + parts) + ")"

    def neg(self, src: str) -> str:
        return f"(!{src})"

    def ite(self, c: str, a: str, b: str) -> str:
        return f"({c} ? {a} : {b})"

    def as_int(self, src: str) -> str:
        return f"({src} ? 1 : 0)"

    def mask(self, o: str, e: Op, a: list[C]) -> C:
        x, y = a[0].src, (a[1].src if len(a) > 1 else "")
        if o == "has":
            return C(f"(({x} >> {y}) & 1)")
        if o == "madd":
            return C(f"({x} | (1LL << {y}))")
        if o == "mdel":
            full = (1 << e.type.iset.size) - 1
            return C(f"({x} & ({full}LL ^ (1LL << {y})))")
        if o == "mnot":
            return C(f"({x} ^ {(1 << e.type.iset.size) - 1}LL)")
        if o == "msize":
            return C(f"((int64_t)__builtin_popcountll((uint64_t){x}))")
        raise TypeError(f"unknown operator {o}")


# ---------------------------------------------------------------------- whole model

@dataclass
class Generated:
    source: str
    packing: Packing
    witness_inv: list[int]     # witness number -> invariant number
    n_instances: int
    hashed: bool = False       # --fingerprint with states wider than the 64-bit fingerprint


def generate(c: Compiled, sym: Symmetry | None, fingerprint: bool = False) -> Generated:
    L, model = c.layout, c.model
    pk = Packing.of(L)
    em = CEmitter(L, pk)
    W = pk.words
    out: list[str] = []
    w = out.append
    n_inst = len(c.instances)
    if n_inst >= 65535:
        raise Unsupported(f"model {model.name} has {n_inst} action instances, 65535 or more")
    if pk.words > 255:
        raise Unsupported(f"a state of model {model.name} needs {pk.words} 64-bit words, more than 255")
    if sym and max(s.size for s in sym.sets) > 20:
        raise Unsupported("a symmetric index set has more than 20 members")
    w("/* generated by flushcheck from model %s: do not edit */" % model.name)
    w('#include "fc_prelude.h"')
    w(f"#define W {W}")
    w(f"#define NSLOTS {L.width}")
    w(f"#define NINST {n_inst}")
    w(f"typedef {'uint8_t' if n_inst < 255 else 'uint16_t'} via_t;")
    w(f"#define HAVE_SYM {1 if sym else 0}")
    w(f"#define NSETS {len(sym.sets) if sym else 0}")
    # slot tables (dynamic access, unpack/pack for symmetry)
    w("static const uint8_t SW[NSLOTS] = {" + ",".join(map(str, pk.word)) + "};")
    w("static const uint8_t SSH[NSLOTS] = {" + ",".join(map(str, pk.shift)) + "};")
    w("static const uint64_t SMK[NSLOTS] = {" + ",".join(f"{(1 << x) - 1}ULL" for x in pk.width) + "};")
    w("static const int64_t SLO[NSLOTS] = {" + ",".join(f"{x}LL" for x in pk.lo) + "};")
    init = pk.pack(L.initial())
    w("static const uint64_t INIT[W] = {" + ",".join(f"{x}ULL" for x in init) + "};")
    w('#include "fc_slots.h"')
    loads = "".join(f"  const uint64_t S{i} = s[{i}];\n" for i in range(W))

    # successors
    w("static int succ(const uint64_t *restrict s, uint64_t *restrict o, uint32_t *restrict acts, fc_err *E) {")
    w(loads.rstrip("\n"))
    w("  int n = 0;")
    for k, inst in enumerate(c.instances):
        env = inst.bindings
        g = em.expr(inst.action.guard, env)
        if g.is_const and not g.const:
            continue
        w(f"  /* {inst.label} */")
        body = _updates_c(em, pk, inst, k, env)
        if g.is_const:
            w("  {")
        else:
            w(f"  if ({g.src}) {{")
        w("    if (E->kind) return -1;")
        for line in body:
            w("    " + line)
        w("  }")
        w("  if (E->kind) return -1;")
    w("  return n;")
    w("}")

    # the enabled instances only (guards, no updates): fairness in the liveness pass
    w("static int enab(const uint64_t *restrict s, uint32_t *restrict acts, fc_err *E) {")
    w(loads.rstrip("\n"))
    w("  int n = 0;")
    for k, inst in enumerate(c.instances):
        g = em.expr(inst.action.guard, inst.bindings)
        if g.is_const and not g.const:
            continue
        w(f"  acts[n] = {k}; n += {'1' if g.is_const else '(' + g.src + ') ? 1 : 0'};")
    w("  (void)E;")
    w("  return n;")
    w("}")

    # invariants, in the reference order (same witnesses)
    witness_inv: list[int] = []
    w("static int check(const uint64_t *restrict s, fc_err *E) {")
    w(loads.rstrip("\n"))
    for i, inv in enumerate(model.invariants):
        for env, wit, body in _peel(inv.expr):
            cc = em.expr(body, env)
            if cc.is_const and cc.const:
                continue
            witness_inv.append(i)
            w(f"  if (!({cc.src})) return E->kind ? -2 : {len(witness_inv) - 1};")
            w("  if (E->kind) return -2;")
    w("  return -1;")
    w("}")
    if len(witness_inv) != len(c.witnesses):
        raise AssertionError("witness numbering differs from the reference")

    w("static int is_final(const uint64_t *restrict s, fc_err *E) {")
    w(loads.rstrip("\n"))
    fin = em.expr(model.final, {}).src if model.final is not None else "0"
    w(f"  int f = ({fin}) ? 1 : 0;")
    w("  return E->kind ? -2 : f;")
    w("}")

    # the goals (Model.goals: covers, hazard preconditions) a new state meets, counted
    goals = model.goals()
    w(f"#define NGOALS {len(goals)}")
    w("static int observe(const uint64_t *restrict s, uint64_t *restrict hits, fc_err *E) {")
    w(loads.rstrip("\n"))
    for g, (_, _, e) in enumerate(goals):
        w(f"  if ({em.expr(e, {}).src}) hits[{g}]++;")
        w("  if (E->kind) return -2;")
    w("  return -1;")
    w("}")
    w("static const uint8_t PROGRESS[NINST + 1] = {"
      + ",".join("0" if i.action.environment else "1" for i in c.instances) + ("," if n_inst else "") + "0};")

    # leads-to properties (the liveness pass, fc_live.h): goal and trigger bits, fairness
    props = model.properties
    if len(props) > 16:
        raise Unsupported(f"model {model.name} declares {len(props)} leads-to properties, more than 16")
    w(f"#define NPROPS {len(props)}")
    w("static int64_t live_bits(const uint64_t *restrict s, fc_err *E) {")
    w(loads.rstrip("\n"))
    w("  int64_t b = 0;")
    for p, prop in enumerate(props):
        w(f"  if ({em.expr(prop.goal, {}).src}) b |= {1 << p};")
        w(f"  if ({em.expr(prop.trigger, {}).src}) b |= {1 << (16 + p)};")
    w("  return E->kind ? -1 : b;")
    w("}")
    w("static const uint8_t FAIR[NINST + 1] = {"
      + ",".join({"weak": "1", "strong": "2"}.get(i.action.fair, "0") for i in c.instances)
      + ("," if n_inst else "") + "0};")
    # a state of one word is its own (exact) fingerprint: hash compaction would only lose states
    w(f"#define FINGERPRINT {1 if fingerprint and W > 1 else 0}")
    if sym:
        out.extend(_sym_tables(sym))
    w('#include "fc_runtime.h"')
    w('#include "fc_live.h"')
    w('#include "fc_cluster.h"')
    w('#include "fc_sim.h"')
    return Generated("\n".join(out) + "\n", pk, witness_inv, n_inst, fingerprint and W > 1)


def _updates_c(em: CEmitter, pk: Packing, inst, k: int, env) -> list[str]:
    out, static, dynamic = [], [], []
    for j, u in enumerate(inst.action.updates):
        val = em.expr(u.value, env)
        out.append(f"const int64_t v{j} = {val.src};")
        t, vt = u.target.var.type, u.value.type
        if isinstance(t, IntRange) and isinstance(vt, IntRange) and not (t.lo <= vt.lo and vt.hi <= t.hi):
            out.append(f"if (!E->kind && !({t.lo}LL <= v{j} && v{j} <= {t.hi}LL)) "
                       f"{{ E->kind = 1; E->inst = {k}; E->upd = {j}; E->value = v{j}; }}")
        const, dyn = em.slot(u.target, env)
        if dyn is None:
            static.append((const, j))
        else:
            out.append(f"const int i{j} = {dyn};")
            dynamic.append(j)
    out.append("if (E->kind) return -1;")
    out.extend(f"o[{i}] = S{i};" for i in range(pk.words))
    for slot, j in static:
        if pk.width[slot] == 0:
            continue
        m = (1 << pk.width[slot]) - 1
        wd, sh = pk.word[slot], pk.shift[slot]
        val = f"(uint64_t)(v{j} - {pk.lo[slot]}LL)" if pk.lo[slot] else f"(uint64_t)v{j}"
        out.append(f"o[{wd}] = (o[{wd}] & ~({m}ULL << {sh})) | (({val} & {m}ULL) << {sh});")
    for j in dynamic:
        out.append(f"sslot(o, i{j}, v{j});")
    out.append(f"acts[n++] = {k}; o += W;")
    return out


def _sym_tables(sym: Symmetry) -> list[str]:
    """Tables for the generic canonicaliser in fc_runtime.h (see checker/explicit/symmetry.py)."""
    out = []
    sizes = [s.size for s in sym.sets]
    out.append(f"#define MAXN {max(sizes)}")
    out.append("static const int SETN[NSETS] = {" + ",".join(map(str, sizes)) + "};")
    out.append("static const int COMPLETE[NSETS] = {" + ",".join("1" if c else "0" for c in sym.complete) + "};")
    out.append(f"static const double GROUP_ORDER = {float(sym.group_order)!r};")
    nf = [len(f) for f in sym.features]
    out.append(f"#define MAXF {max(max(nf), 1)}")
    out.append("static const int NFEAT[NSETS] = {" + ",".join(map(str, nf)) + "};")
    rows = []
    for feats in sym.features:
        cells = [f"{{{k},{b},{s}}}" for k, b, s in feats] or ["{0,0,0}"]
        cells += ["{0,0,0}"] * (max(max(nf), 1) - len(cells))
        rows.append("{" + ",".join(cells) + "}")
    out.append("static const int FEAT[NSETS][MAXF][3] = {" + ",".join(rows) + "};")
    # slot moves: base, up to MAXT terms of (stride, coord, set), value kind and set
    maxt = max((len(m.terms) for m in sym.moves), default=0) or 1
    out.append(f"#define MAXT {maxt}")
    out.append("static const int MBASE[NSLOTS] = {" + ",".join(str(m.base) for m in sym.moves) + "};")
    out.append("static const int MNT[NSLOTS] = {" + ",".join(str(len(m.terms)) for m in sym.moves) + "};")
    terms = []
    for m in sym.moves:
        cells = [f"{{{a},{b},{c}}}" for a, b, c in m.terms] + ["{0,0,-1}"] * (maxt - len(m.terms))
        terms.append("{" + ",".join(cells) + "}")
    out.append("static const int MTERM[NSLOTS][MAXT][3] = {" + ",".join(terms) + "};")
    out.append("static const int VKIND[NSLOTS] = {" + ",".join(str(m.vkind) for m in sym.moves) + "};")
    out.append("static const int VSET[NSLOTS] = {" + ",".join(str(m.vset) for m in sym.moves) + "};")
    # the slots a permutation can move or rename, and their bits in each word
    pk = Packing.of(sym.layout)
    aff = [k for k, m in enumerate(sym.moves) if m.vkind or any(t[2] >= 0 for t in m.terms)]
    clr = [0] * pk.words
    for k in aff:
        clr[pk.word[k]] |= ((1 << pk.width[k]) - 1) << pk.shift[k]
    out.append(f"#define NAFF {len(aff)}")
    out.append("static const int AFF[] = {" + (",".join(map(str, aff)) or "0") + "};")
    out.append("static const uint64_t CLR[W] = {" + ",".join(f"{x}ULL" for x in clr) + "};")
    # does the image of any slot depend on a permutation? (slots that never move are copied)
    return out
