"""Random simulation (`--simulate N --depth D [--seed S]`): N random walks of at most D steps
from the initial state, for bounds too large to exhaust (TLC's -simulate, `quint run`).

Each walk checks every state it visits against the invariants and for deadlock; the result is
the shortest violation any walk found (the lowest walk number among equals), or "incomplete":
no violation in N walks — a sample, never a proof. The walks depend on the seed alone: walk w
draws from its own splitmix64 generator, x = mix64(seed ^ mix64(w + 1)), and at a state with
n enabled action instances (in instance order) takes number (mix64(x += GOLDEN) * n) >> 64.
The fast backend runs them in C (fast/fc_sim.h); this module is the same walk in Python — the
fallback where no C compiler is present, and the reference the tests compare the C against:
same seed, same walks, same trace and counts.
"""
from __future__ import annotations

import ctypes
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import UserError
from ..result import DEADLOCK_STATEMENT, Stats, Verdict, Violation
from .compile import Compiled
from .explore import Limits, Outcome, peak_mb
from .trace import build_trace

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
DEFAULT_DEPTH = 100
DEFAULT_SEED = 1


@dataclass(frozen=True)
class Walks:
    """--simulate N --depth D --seed S."""

    n: int
    depth: int = DEFAULT_DEPTH
    seed: int = DEFAULT_SEED


def mix64(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


@dataclass
class Walked:
    """What the walks did: the outcome (VIOLATED with the trace, or INCOMPLETE), and counts."""

    outcome: Outcome
    engine: str                 # "fast" or "explicit"
    walks_done: int
    steps: int
    deepest: int
    walk: int | None            # the walk that found the reported violation
    notes: list[str]


class _Py:
    """The walks in Python over the reference's compiled model."""

    def __init__(self, c: Compiled, w: Walks, deadlock: bool):
        self.c, self.w, self.deadlock = c, w, deadlock
        self.next = self.steps = self.deepest = 0
        self.best: tuple[int, int, Violation, list[int]] | None = None   # (len, walk, violation, via)
        self.cov = [0] * len(c.instances)

    def _found(self, walk: int, via: list[int], viol: Violation) -> None:
        n = len(via)
        if self.best is None or (n, walk) < (self.best[0], self.best[1]):
            self.best = (n, walk, viol, list(via))

    def walk(self, w: int) -> None:
        c = self.c
        x = mix64(self.w.seed ^ mix64(w + 1))
        s = c.layout.initial()
        via: list[int] = []
        bad = c.check(s)
        if bad is not None:
            self._found(w, via, _violation(c, bad))
            return
        d = 0
        while True:
            self.deepest = max(self.deepest, d)
            if self.best is not None and d >= self.best[0]:
                return
            nxt = c.successors(s)
            if self.deadlock and c.stuck(nxt) and not c.is_final(s):
                self._found(w, via, Violation("deadlock", DEADLOCK_STATEMENT, kind="deadlock"))
                return
            if d == self.w.depth or not nxt:
                return
            x = (x + GOLDEN) & MASK
            k, s = nxt[(mix64(x) * len(nxt)) >> 64]
            via.append(k)
            self.cov[k] += 1
            self.steps += 1
            bad = c.check(s)
            if bad is not None:
                self.deepest = max(self.deepest, d + 1)
                self._found(w, via, _violation(c, bad))
                return
            d += 1

    def step(self, budget: int) -> bool:
        """Run up to `budget` more walks; True when all ran."""
        end = min(self.w.n, self.next + budget)
        while self.next < end:
            self.walk(self.next)
            self.next += 1
        return self.next == self.w.n


def _violation(c: Compiled, bad: tuple[int, int]) -> Violation:
    inv = c.model.invariants[bad[0]]
    return Violation(inv.name, inv.statement, tuple(c.witnesses[bad[1]]))


class _Fast:
    """The same walks in the generated C (fast/fc_sim.h)."""

    def __init__(self, fm, w: Walks, deadlock: bool):
        self.fm, self.w = fm, w
        self.lib = fm.lib
        self.S = self.lib.fc_snew(w.seed, w.n, w.depth, 1 if deadlock else 0)
        if not self.S:
            raise MemoryError("allocating the simulation's buffers")
        self.info = (ctypes.c_int64 * 13)()

    def step(self, budget: int) -> bool:
        status = self.lib.fc_sstep(self.S, budget)
        self.lib.fc_sinfo(self.S, self.info)
        if status == 4:      # ERROR: a model runtime error, raised as the reference raises it
            i = self.info
            self.fm._raise([i[8], i[9], i[10], i[11], i[12]])
        return status == 1

    @property
    def next(self) -> int:
        return int(self.info[1])

    def result(self):
        c, i = self.fm.compiled, self.info
        cov = (ctypes.c_uint64 * max(len(c.instances), 1))()
        self.lib.fc_scoverage(self.S, cov)
        best = None
        if i[3] >= 0:
            buf = (ctypes.c_int32 * (int(i[3]) + 1))()
            n = self.lib.fc_spath(self.S, buf, int(i[3]) + 1)
            via = list(buf)[:n]
            if i[5] == 3:
                viol = Violation("deadlock", DEADLOCK_STATEMENT, kind="deadlock")
            else:
                w = int(i[6])
                viol = _violation(c, (self.fm.gen.witness_inv[w], w))
            best = (n, int(i[4]), viol, via)
        return best, int(i[2]), int(i[7]), list(cov)[:len(c.instances)]

    def close(self) -> None:
        if self.S:
            self.lib.fc_sfree(self.S)
            self.S = None


def simulate(c: Compiled, walks: Walks, deadlock: bool, limits: Limits,
             progress: Callable[[Stats], None] | None = None, backend: str | None = "auto") -> Walked:
    """Run the walks on the fast backend (C) where it can run, else in Python (same walks)."""
    t0 = time.perf_counter()
    notes: list[str] = []
    engine = "explicit"
    fm = None
    runner: _Py | _Fast
    if backend in ("auto", "fast", None):
        from . import fast
        ok, why = fast.available()
        if ok:
            try:
                fm = fast.FastModel.prepare(c, None)
                fm.load()
            except fast.Unavailable as e:
                ok, why = False, str(e)
        if not ok:
            if backend == "fast":
                raise UserError(f"--backend fast cannot run here: {why}", None,
                                "install a C compiler, or choose --backend explicit (the same walks in Python)")
            notes.append(f"fast backend unavailable ({why}); the walks ran in Python instead (the same walks)")
            runner = _Py(c, walks, deadlock)
        else:
            runner, engine = _Fast(fm, walks, deadlock), "fast"
    else:
        runner = _Py(c, walks, deadlock)
    if fm is not None and fm.built:
        notes.append(f"the model's C was compiled first ({time.perf_counter() - t0:.1f} s, not counted "
                     "in the walks' time)")
    t0 = time.perf_counter()          # the walks' own time (steps/s), without the compilation
    deadline = limits.ends(t0)
    stopped = ""
    stats = Stats()
    budget = 64
    next_report = t0 + 2.0
    try:
        try:
            while True:
                t = time.perf_counter()
                if runner.step(budget):
                    break
                now = time.perf_counter()
                budget = int(min(max(budget * 0.25 / max(now - t, 1e-4), 1), 1 << 20, 2 * budget))
                if deadline is not None and now > deadline:
                    stopped = limits.time_reason()
                    break
                if progress is not None and now >= next_report:
                    next_report = now + 1.0
                    stats.states, stats.seconds = runner.next, now - t0
                    progress(stats)
        except KeyboardInterrupt:
            stopped = f"interrupted after {runner.next:,} walks"
        if isinstance(runner, _Fast):
            best, steps, deepest, cov = runner.result()
        else:
            best, steps, deepest, cov = runner.best, runner.steps, runner.deepest, runner.cov
    finally:
        if isinstance(runner, _Fast):
            runner.close()
    done = runner.next
    stats = Stats(states=done + steps, transitions=steps, depth=deepest,
                  seconds=time.perf_counter() - t0, peak_mb=peak_mb())
    if best is not None:
        _, walk, viol, via = best
        from .symmetry import replay
        trace = build_trace(c, replay(c, None, via), via, viol)
        out = Outcome(Verdict.VIOLATED, stats, cov, viol, trace, stopped)
        return Walked(out, engine, done, steps, deepest, walk, notes)
    why = stopped or ""
    reason = (f"no violation in {done:,} random walks of up to {walks.depth} steps (seed {walks.seed})"
              + (f" — {why}, {walks.n - done:,} walks not run" if why else "")
              + " — a sample of the executions, not all of them: nothing is proved")
    return Walked(Outcome(Verdict.INCOMPLETE, stats, cov, reason=reason), engine, done, steps,
                  deepest, None, notes)
