"""The fast backend: the model compiled to C, explored level by level over 64-bit words.

`explore_fast` gives exactly what the reference explorer (checker/explicit/explore.py) gives — verdict,
state count (also where it stops at a violation, deadlock or state limit), transitions, depth,
coverage and the same shortest counterexample — in a fraction of the time and memory, on one
core or several (`workers`). See fc_runtime.h for the search and codegen.py for the code.
"""
from __future__ import annotations

import ctypes
import os
import time
from dataclasses import dataclass
from typing import Callable

from ...errors import UserError
from ...result import DEADLOCK_STATEMENT, Stats, Verdict, Violation
from ..compile import Compiled, _index_error, _range_check
from ..explore import (Limits, Outcome, interrupted_reason, memory_limit_reason, out_of_memory_reason,
                       peak_mb)
from ..memory import rss_bytes
from ..symmetry import Symmetry, real_trace, replay
from ..trace import build_trace
from .build import Unavailable, available, build, is_cached  # noqa: F401  (re-exported)
from .codegen import Generated, Unsupported, generate

RUNNING, HOLDS, VIOLATED, DEADLOCK, ERROR, INCOMPLETE_STATES, INCOMPLETE_DEPTH, OUT_OF_MEMORY = range(8)
MAX_WORKERS = 64


def default_workers() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_WORKERS))


@dataclass
class FastModel:
    """A model compiled to a shared object (loaded on first use)."""

    compiled: Compiled
    sym: Symmetry | None
    gen: Generated
    lib: ctypes.CDLL | None = None
    built: bool = False
    note: str = ""         # the configured cache directory was refused, and why
    fingerprint: bool = False   # the visited set keeps 64-bit hashes of states (--fingerprint)

    @staticmethod
    def prepare(c: Compiled, sym: Symmetry | None, fingerprint: bool = False) -> "FastModel":
        """Generate the C (not compiled yet); Unavailable if the model is beyond it."""
        try:
            return FastModel(c, sym, generate(c, sym, fingerprint), fingerprint=fingerprint)
        except Unsupported as e:
            raise Unavailable(str(e)) from None

    @staticmethod
    def of(c: Compiled, sym: Symmetry | None) -> "FastModel":
        fm = FastModel.prepare(c, sym)
        fm.load()
        return fm

    def is_cached(self) -> bool:
        return is_cached(self.gen.source)

    def load(self) -> None:
        if self.lib is None:
            self.lib, self.built, self.note = build(self.gen.source)

    # hooks used by the tests: the C code on one state, against the Python reference
    def _words(self, state: tuple):
        return (ctypes.c_uint64 * self.gen.packing.words)(*self.gen.packing.pack(state))

    def successors(self, state: tuple) -> list[tuple[int, tuple]]:
        W = self.gen.packing.words
        n_inst = self.gen.n_instances
        out = (ctypes.c_uint64 * (W * (n_inst + 1)))()
        acts = (ctypes.c_uint32 * (n_inst + 1))()
        err = (ctypes.c_int64 * 5)()
        n = self.lib.fc_succ(self._words(state), out, acts, err)
        if n < 0:
            self._raise(list(err))
        return [(acts[i], self.gen.packing.unpack(out[i * W:(i + 1) * W])) for i in range(n)]

    def check(self, state: tuple) -> tuple[int, int] | None:
        w = self.lib.fc_check(self._words(state))
        if w == -1:
            return None
        return self.gen.witness_inv[w], w

    def canon(self, state: tuple) -> tuple[tuple, int]:
        out = (ctypes.c_uint64 * self.gen.packing.words)()
        stab = self.lib.fc_canon(self._words(state), out)
        return self.gen.packing.unpack(list(out)), int(stab)

    def _raise(self, err: list[int]) -> None:
        kind, inst, upd, value, size = err
        if kind == 1:
            i = self.compiled.instances[inst]
            u = i.action.updates[upd]
            _range_check(i, str(u.target), u.target.var.type, value)
        _index_error(value, size)

    # ------------------------------------------------------------------ exploring
    def explore(self, limits: Limits = Limits(), deadlock: bool = True,
                progress: Callable[[Stats], None] | None = None, workers: int = 1,
                t0: float | None = None, checkpoint: "Checkpoint | None" = None
                ) -> tuple[Outcome, int | None, float | None]:
        """(outcome, states the representatives stand for (None without symmetry), bytes per state).

        `checkpoint`: write the search to checkpoint.dir at level ends every checkpoint.every
        seconds and when interrupted; with checkpoint.resume, continue from what is there."""
        t0 = time.perf_counter() if t0 is None else t0
        self.load()
        c, lib = self.compiled, self.lib
        stats = Stats()
        n_inst = len(c.instances)
        init = c.layout.initial()
        bad = c.check(init)
        if bad is not None:
            inv = c.model.invariants[bad[0]]
            viol = Violation(inv.name, inv.statement, tuple(c.witnesses[bad[1]]))
            stats.states, stats.seconds, stats.peak_mb = 1, time.perf_counter() - t0, peak_mb()
            return (Outcome(Verdict.VIOLATED, stats, [0] * n_inst, viol,
                            build_trace(c, [init], [], viol)), 1 if self.sym else None, None)
        workers = max(1, min(int(workers), MAX_WORKERS))
        lib.fc_set_limit(c_limit(limits))
        ck = checkpoint
        if ck is not None and ck.resume:
            r, earlier = ck.load(self, workers, deadlock, limits)
            t0 -= earlier            # the seconds the interrupted runs had searched
        else:
            r = lib.fc_new(workers, 1 if deadlock else 0, limits.max_states or 0, limits.max_depth or 0)
        if not r:
            stats.states, stats.seconds, stats.peak_mb = 1, time.perf_counter() - t0, peak_mb()
            why = (memory_limit_reason(limits, 0) if limits.memory else
                   out_of_memory_reason(0, "allocating the fast backend's first tables"))
            return Outcome(Verdict.INCOMPLETE, stats, [0] * n_inst, reason=why), None, None
        info = (ctypes.c_int64 * 14)()
        try:
            budget = 8192
            deadline = limits.ends(t0)
            next_report = time.perf_counter() + 2.0
            timed_out = interrupted = False
            saved = ""
            next_save = time.perf_counter() + (ck.every if ck else 0)
            try:
                while True:
                    t = time.perf_counter()
                    status = lib.fc_step(r, budget)
                    now = time.perf_counter()
                    if status != RUNNING:
                        break
                    if ck is not None and lib.fc_at_level_end(r):
                        lib.fc_pause(r, 0)
                        if now >= next_save:
                            ck.save(self, r, now - t0, deadlock)
                            next_save = time.perf_counter() + ck.every
                    elif ck is not None and now >= next_save:
                        lib.fc_pause(r, 1)    # the next step stops at the end of this level
                    spent = max(now - t, 1e-4)
                    # aim at 0.25 s a step; at most double it (a step cut short at a level end
                    # for a checkpoint says nothing about the speed)
                    budget = int(min(max(budget * 0.25 / spent, 8192), 1 << 24, 2 * budget))
                    if deadline is not None and now > deadline:
                        timed_out = True
                        break
                    if progress is not None and now >= next_report:
                        next_report = now + 1.0
                        lib.fc_info(r, info)
                        stats.states, stats.depth, stats.seconds = info[1], info[3], now - t0
                        progress(stats)
            except KeyboardInterrupt:     # Ctrl-C / SIGTERM between two steps: what was explored
                interrupted = True
                if ck is not None:          # finish the level, then write the checkpoint
                    lib.fc_pause(r, 1)
                    while lib.fc_step(r, 1 << 24) == RUNNING and not lib.fc_at_level_end(r):
                        pass
                    if lib.fc_at_level_end(r):
                        ck.save(self, r, time.perf_counter() - t0, deadlock)
                        saved = f"; checkpoint written to {ck.dir}: continue with --resume {ck.dir}"
            lib.fc_info(r, info)
            status = info[0]
            stats.states, stats.transitions, stats.depth = info[1], info[2], info[3]
            cov = (ctypes.c_uint64 * max(n_inst, 1))()
            lib.fc_coverage(r, cov)
            coverage = list(cov)[:n_inst]
            n_goals = len(c.model.goals())
            hits = (ctypes.c_int64 * max(2 * n_goals, 1))()
            lib.fc_goals(r, hits)
            reached = [(hits[2 * g], hits[2 * g + 1]) for g in range(n_goals)]
            mem = (ctypes.c_double * 4)()
            lib.fc_memory(r, mem)
            represented = int(mem[0]) if self.sym else None
            per_state = mem[1] / max(stats.states, 1)
            stats.bytes_per_state = per_state

            def done(verdict, viol=None, trace=None, reason=""):
                stats.seconds = time.perf_counter() - t0
                stats.peak_mb = peak_mb()
                return (Outcome(verdict, stats, coverage, viol, trace, reason, reached),
                        represented, per_state)

            if interrupted and status == RUNNING:
                return done(Verdict.INCOMPLETE, reason=interrupted_reason(stats.states) + saved)
            if timed_out:
                return done(Verdict.INCOMPLETE, reason=limits.time_reason())
            if status == HOLDS:
                return done(Verdict.HOLDS)
            if status == INCOMPLETE_STATES:
                return done(Verdict.INCOMPLETE, reason=limits.states_reason(stats.states))
            if status == INCOMPLETE_DEPTH:
                return done(Verdict.INCOMPLETE, reason=f"depth limit {limits.max_depth} reached "
                            "with states still unexplored")
            if status == ERROR:
                self._raise([info[6], info[7], info[8], info[9], info[10]])
            if status == OUT_OF_MEMORY:   # or past its 4,294,967,294-state limit
                if mem[3]:
                    return done(Verdict.INCOMPLETE, reason=memory_limit_reason(limits, stats.states))
                return done(Verdict.INCOMPLETE, reason=out_of_memory_reason(stats.states))
            if status not in (VIOLATED, DEADLOCK):
                raise RuntimeError(f"fast backend: unexpected status {status}")
            via_buf = (ctypes.c_int32 * (stats.depth + 2))()
            n = lib.fc_path(r, info[4], via_buf, stats.depth + 2)
            if n < 0:
                raise RuntimeError("fast backend: counterexample longer than the search depth")
            via = list(via_buf)[:n]
            if status == VIOLATED:
                stats.depth += 1
                w = info[5]
                inv = c.model.invariants[self.gen.witness_inv[w]]
                viol = Violation(inv.name, inv.statement, tuple(c.witnesses[w]))
            else:
                viol = Violation("deadlock", DEADLOCK_STATEMENT, kind="deadlock")
            if self.sym is not None:
                trace, viol = real_trace(c, self.sym, via, viol)
            else:
                trace = build_trace(c, replay(c, None, via), via, viol)
            return done(Verdict.VIOLATED, viol, trace)
        finally:
            lib.fc_free(r)


@dataclass
class Checkpoint:
    """--checkpoint DIR / --resume DIR: the fast search written at level ends (search.bin, in
    fc_runtime.h's format) with what it belongs to (meta.json: the model's C, the options that
    change the search) and the seconds it had run."""

    dir: str
    every: float = 60.0
    resume: bool = False

    def _meta(self, fm: "FastModel", deadlock: bool) -> dict:
        import hashlib
        return {"format": "flushcheck-checkpoint", "version": 1,
                "model": hashlib.sha256(fm.gen.source.encode()).hexdigest(), "deadlock": deadlock}

    def save(self, fm: "FastModel", r, seconds: float, deadlock: bool) -> None:
        import json
        os.makedirs(self.dir, exist_ok=True)
        tmp = os.path.join(self.dir, f"search.bin.{os.getpid()}.tmp")
        if fm.lib.fc_save(r, tmp.encode()) != 0:
            raise UserError(f"--checkpoint {self.dir}: cannot write {tmp}")
        meta = {**self._meta(fm, deadlock), "seconds": seconds}
        with open(tmp + ".json", "w") as f:
            json.dump(meta, f)
        os.replace(tmp, os.path.join(self.dir, "search.bin"))
        os.replace(tmp + ".json", os.path.join(self.dir, "meta.json"))

    def load(self, fm: "FastModel", workers: int, deadlock: bool, limits: Limits):
        import json
        try:
            with open(os.path.join(self.dir, "meta.json")) as f:
                meta = json.load(f)
        except (OSError, ValueError):
            raise UserError(f"--resume {self.dir}: no checkpoint there (meta.json missing or unreadable)",
                            None, "give the directory a --checkpoint run wrote") from None
        want = self._meta(fm, deadlock)
        if {k: meta.get(k) for k in want} != want:
            raise UserError(f"--resume {self.dir}: the checkpoint is of another model, bounds or options",
                            None, "resume with the spec, --check, bounds and flags of the run that wrote it")
        why = ctypes.c_int(0)
        r = fm.lib.fc_load(os.path.join(self.dir, "search.bin").encode(), workers, 1 if deadlock else 0,
                           limits.max_states or 0, limits.max_depth or 0, ctypes.byref(why))
        if not r:
            raise UserError(f"--resume {self.dir}: " + {2: "the checkpoint is of another model",
                                                        3: "not enough memory to load the checkpoint"}
                            .get(why.value, "search.bin is unreadable or truncated"))
        return r, float(meta.get("seconds", 0.0))


def c_limit(limits: Limits) -> int:
    """The bytes the C search may allocate: the memory limit less what the process holds now."""
    if not limits.memory:
        return 0
    return max(limits.memory - rss_bytes(), 1)


@dataclass
class Live:
    """The fast backend's leads-to check: a lasso for the first property that fails (else
    None), or why it could not finish (reason), with the pass's statistics."""

    trace: object | None
    reason: str
    states: int
    transitions: int
    edges: int
    seconds: float
    peak_bytes: int


def liveness(fm: "FastModel", limits: Limits, progress: Callable[[Stats], None] | None = None) -> Live:
    """Every leads-to property of the model on its unreduced state graph (fc_live.h)."""
    t0 = time.perf_counter()
    fm.load()
    c, lib = fm.compiled, fm.lib
    lib.fc_set_limit(c_limit(limits))
    L = lib.fc_lnew()
    info = (ctypes.c_int64 * 11)()

    def out(trace=None, reason=""):
        if L:
            lib.fc_linfo(L, info)
        return Live(trace, reason, info[1], info[2], info[3], time.perf_counter() - t0, info[4])

    if not L:
        return out(reason=out_of_memory_reason(0, "allocating the liveness pass"))
    try:
        deadline = limits.ends(t0) if limits.deadline is None else limits.deadline
        next_report = t0 + 2.0
        stats = Stats()
        try:
            while True:
                status = lib.fc_lstep(L, 1 << 16)
                if status != RUNNING:
                    break
                now = time.perf_counter()
                if deadline is not None and now > deadline:
                    return out(reason=limits.time_reason() + " during the liveness pass")
                if progress is not None and now >= next_report:
                    next_report = now + 1.0
                    lib.fc_linfo(L, info)
                    stats.states, stats.seconds = info[1], now - t0
                    progress(stats)
        except KeyboardInterrupt:
            lib.fc_linfo(L, info)
            return out(reason=interrupted_reason(info[1], "in the liveness pass"))
        lib.fc_linfo(L, info)
        if status == ERROR:
            fm._raise([info[6], info[7], info[8], info[9], info[10]])
        if status == OUT_OF_MEMORY:
            why = (memory_limit_reason(limits, info[1]) if info[5] else out_of_memory_reason(info[1]))
            return out(reason=why + " (in the liveness pass)")
        for p, prop in enumerate(c.model.properties):
            r = lib.fc_lcheck(L, p)
            if r < 0:
                lib.fc_linfo(L, info)
                why = (memory_limit_reason(limits, info[1]) if info[5] else out_of_memory_reason(info[1]))
                return out(reason=why + f" (analysing {prop.name})")
            if r == 1:
                n = lib.fc_llasso(L, None, 0, None)
                buf = (ctypes.c_int32 * n)()
                loop = ctypes.c_int64()
                m = lib.fc_llasso(L, buf, n, ctypes.byref(loop))
                if m < 0:
                    raise RuntimeError("fast backend: lasso longer than expected")
                via = list(buf)[:m]
                viol = Violation(prop.name, prop.statement, (), kind="liveness")
                return out(build_trace(c, replay(c, None, via), via, viol, int(loop.value)))
        return out()
    finally:
        if L:
            lib.fc_lfree(L)


def explore_fast(c: Compiled, sym: Symmetry | None, limits: Limits = Limits(), deadlock: bool = True,
                 progress: Callable[[Stats], None] | None = None, workers: int = 1):
    """Compile (or fetch from the cache) and explore; raises Unavailable when it cannot run here."""
    t0 = time.perf_counter()
    fm = FastModel.prepare(c, sym)
    return fm.explore(limits, deadlock, progress, workers, t0)
