"""Search across machines on Ray (`--cluster ray`, `--cluster ray://HOST:PORT`).

A hash-partitioned breadth-first search with the fast backend's generated C. Each worker (a Ray
actor) owns the states whose hash falls to it: its part of the visited set, their parent links,
and their share of each BFS level. This process (the driver) runs the search a chunk of parents
at a time, in discovery order:

1. expand: every worker expands its parents in the chunk (fc_cluster.h) and files each successor
   (its canonical form under symmetry) for the successor's owner, tagged with the key the
   reference explorer discovers it by: parent's number << 17 | action instance + 1;
2. insert: every owner takes what was filed for it (worker to worker, through Ray's object store)
   in key order, so a state not visited before is new under its smallest key — its first
   discoverer's — and counts its goals and checks its invariants in that order;
3. the driver merges the owners' keys: a new state's number is its rank, the number the reference
   (explore.py) gives it. The first event (a violation, a deadlock, a model error, the state
   limit) is the one with the smallest key, so the state count where the search stops,
   transitions, depth, coverage, goals and the shortest counterexample are the single-process
   search's.

A counterexample is rebuilt from the workers' parent links, then replayed and decoded like the fast
backend's. Leads-to properties are not checked here (checker/explicit/backends.py runs the fast
backend's liveness pass in this process).
"""
from __future__ import annotations

import ctypes
import logging
import os
import resource
import time
from collections.abc import Callable

from ..errors import UserError
from ..result import DEADLOCK_STATEMENT, Stats, Verdict, Violation
from .explore import Limits, Outcome, interrupted_reason, peak_mb
from .memory import _status_kb, default_limit, format_bytes, rss_bytes
from .symmetry import real_trace, replay
from .trace import build_trace

NOKEY = (1 << 64) - 1
CHUNK = 1 << 17            # parents (global numbers) expanded between two merges
SUB = 1 << 21              # successor words a worker's C call may write at once


def parse(text: str) -> str | None:
    """--cluster's value: None for a local cluster ('ray'), else the address to connect to."""
    if text == "ray":
        return None
    if text.startswith("ray://") and len(text) > len("ray://"):
        return text
    raise UserError(f"--cluster {text!r}: expected 'ray' (a local Ray cluster) or ray://HOST:PORT",
                    None, "e.g. --cluster ray --workers 2, or --cluster ray://head:10001 (docs/cluster.md)")


def _ray():
    try:
        import ray
    except ImportError:
        raise UserError("--cluster needs Ray, which is not installed", None,
                        "pip install -e '.[cluster]' (or pip install 'ray[client]'), or leave --cluster "
                        "out to search in this process") from None
    return ray


# ---------------------------------------------------------------------------------- the workers

class Worker:
    """One shard of the search, run as a Ray actor; kept for the next search of this process."""

    def __init__(self):
        self.lib = self.v = None

    def load(self, index: int, T: int, source: str, n_inst: int, n_goals: int, deadlock: bool) -> None:
        """A new search: the model's C built from its source (once per host: the build cache)."""
        import numpy as np

        from .fast.build import build
        self._drop()
        try:                        # this search's peak, not the worker process's lifetime one
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass
        self.np = np
        self.lib, _, _ = build(source)
        self.W = self.lib.fc_words()
        self.index, self.T, self.n_inst, self.n_goals, self.deadlock = index, T, n_inst, n_goals, deadlock
        empty = np.zeros((0, self.W), np.uint64)
        self.cur, self.cur_gid = empty, np.zeros(0, np.int64)
        self.nxt, self.nxt_gid = [], []                 # the next level, a chunk at a time
        self.link_gid, self.link_key = [], []           # parent links: number -> key
        self._links = None
        self.pend = None                                # the last insert's new states, not numbered yet
        self.exp = None                                 # the last expand: parents, counts, instances
        self.trans = 0
        self.cov = np.zeros(max(n_inst, 1), np.int64)
        self.hits = np.zeros(max(n_goals, 1), np.uint64)
        self.first = np.full(max(n_goals, 1), -1, np.int64)
        self.rep = 0.0
        self.limit = None

    def where(self) -> str:
        import ray
        return ray.get_runtime_context().get_node_id()

    def start(self, limit: int | None, share: int, own_default: bool) -> bool:
        """This worker's part of the host's memory limit (`limit`, or with `own_default` the
        host's default share of its memory), `share` workers to a host; False if not even an
        empty visited set fits."""
        if own_default:
            limit = default_limit()
        self.limit = limit // share if limit else None
        self.lib.fc_set_limit(max(self.limit - rss_bytes(), 1) if self.limit else 0)
        self.v = self.lib.fc_vnew()
        return bool(self.v)

    def _drop(self) -> None:
        """Free the last search's tables."""
        if self.v:
            self.lib.fc_vfree(self.v)
        self.lib = self.v = None
        self.cur = self.pend = self.exp = self._links = None
        self.nxt = self.nxt_gid = self.link_gid = self.link_key = []

    def done(self) -> None:
        self._drop()

    # ---- helpers
    def _p(self, a, t=ctypes.c_uint64):
        return a.ctypes.data_as(ctypes.POINTER(t))

    def owner(self, words: list[int]) -> tuple[int, list[int]]:
        """The initial state's canonical form and its owner."""
        np = self.np
        s = np.array(words, np.uint64)
        out = np.zeros(self.W, np.uint64)
        o = self.lib.fc_owner(self._p(s), self.T, self._p(out))
        return int(o), [int(x) for x in out]

    def _check(self, states, hits):
        """Goals and invariants of new states in order: (states passed, event or None, orbit sizes)."""
        np = self.np
        ev = np.zeros(8, np.int64)
        rep = ctypes.c_double(0.0)
        states = np.ascontiguousarray(states)
        n = self.lib.fc_checkn(self._p(states), len(states), self._p(hits), ctypes.byref(rep),
                               self._p(ev, ctypes.c_int64))
        return n, (ev.tolist() if ev[0] else None), rep.value

    def add_init(self, words: list[int]) -> bool:
        np = self.np
        s = np.array([words], np.uint64)
        isnew = np.zeros(1, np.uint8)
        if self.lib.fc_vinsert(self.v, self._p(s), 1, self._p(isnew, ctypes.c_uint8)) < 0:
            return False
        hits = np.zeros(max(self.n_goals, 1), np.uint64)
        _, _, rep = self._check(s, hits)
        self.hits += hits
        self.first[(hits > 0) & (self.first < 0)] = 0
        self.rep += rep
        gid = np.zeros(1, np.int64)
        self.nxt, self.nxt_gid = [s], [gid]
        self.link_gid.append(gid)
        self.link_key.append(np.array([NOKEY], np.uint64))
        return True

    def _commit(self, gids) -> None:
        """Number the last insert's new states (the driver's merge) and count the last expand."""
        np = self.np
        if self.pend is not None:
            states, keys, hits, rep, depth = self.pend
            self.nxt.append(states)
            self.nxt_gid.append(gids)
            self.link_gid.append(gids)
            self.link_key.append(keys)
            self._links = None
            self.hits += hits
            self.first[(hits > 0) & (self.first < 0)] = depth
            self.rep += rep
            self.pend = None
        if self.exp is not None:
            _, cnt, acts = self.exp
            self.trans += int(cnt.sum())
            self.cov += np.bincount(acts, minlength=len(self.cov)).astype(np.int64)
            self.exp = None

    def _next_level(self) -> None:
        np = self.np
        self.cur = np.concatenate(self.nxt) if self.nxt else np.zeros((0, self.W), np.uint64)
        self.cur_gid = np.concatenate(self.nxt_gid) if self.nxt_gid else np.zeros(0, np.int64)
        self.nxt, self.nxt_gid = [], []

    def _expand(self, parents, gids, deadlock: bool):
        """Successors of parents in order (stopping at an event): keys, states, owners, counts,
        instances, the parents expanded, the event (key, kind, error) or None."""
        np = self.np
        W, lib = self.W, self.lib
        per = max(1, SUB // (max(self.n_inst, 1) * W))
        outs, acts_l, own_l, cnt_l = [], [], [], []
        done_all, ev_out = 0, None
        ev = np.zeros(8, np.int64)
        done = ctypes.c_uint64(0)
        for lo in range(0, len(parents), per):
            part = np.ascontiguousarray(parents[lo:lo + per])
            n = len(part)
            out = np.empty((n * max(self.n_inst, 1), W), np.uint64)
            acts = np.empty(n * max(self.n_inst, 1), np.uint32)
            own = np.empty(n * max(self.n_inst, 1), np.uint32)
            cnt = np.zeros(n, np.uint32)
            m = lib.fc_expand(self._p(part), n, 1 if deadlock else 0, self.T, self._p(out),
                              self._p(acts, ctypes.c_uint32), self._p(own, ctypes.c_uint32),
                              self._p(cnt, ctypes.c_uint32), ctypes.byref(done), self._p(ev, ctypes.c_int64))
            d = done.value
            outs.append(out[:m])
            acts_l.append(acts[:m])
            own_l.append(own[:m])
            cnt_l.append(cnt[:d])
            done_all += d
            if ev[0]:
                p = lo + int(ev[1])
                ev_out = {"key": int(gids[p]) << 17, "kind": "deadlock" if ev[0] == 1 else "error",
                          "error": ev[2:7].tolist()}
                break
        cnt = np.concatenate(cnt_l) if cnt_l else np.zeros(0, np.uint32)
        acts = np.concatenate(acts_l) if acts_l else np.zeros(0, np.uint32)
        states = np.concatenate(outs) if outs else np.zeros((0, W), np.uint64)
        own = np.concatenate(own_l) if own_l else np.zeros(0, np.uint32)
        origin = np.repeat(gids[:done_all].astype(np.uint64), cnt)
        keys = (origin << np.uint64(17)) | (acts.astype(np.uint64) + np.uint64(1))
        return keys, states, own, cnt, acts, done_all, ev_out

    def _route(self, keys, states, own):
        """One batch (keys, states) per owner, each in key order."""
        np = self.np
        small = own.astype(np.uint8 if self.T <= 255 else np.uint16 if self.T <= 65535 else np.uint32)
        order = np.argsort(small, kind="stable")      # a radix sort: the batches stay in key order
        bounds = np.concatenate([[0], np.cumsum(np.bincount(own, minlength=self.T))])
        keys, states = keys[order], states[order]
        return [(keys[bounds[j]:bounds[j + 1]], states[bounds[j]:bounds[j + 1]]) for j in range(self.T)]

    # ---- the steps the driver calls
    def expand(self, gids, a: int, b: int, new_level: bool, depth: int):
        """Number the last chunk's new states (gids), then expand this worker's parents numbered
        a..b-1: one batch per owner, and what happened (the first event, parents expanded)."""
        np = self.np
        self._commit(gids)
        if new_level:
            self._next_level()
        lo, hi = np.searchsorted(self.cur_gid, [a, b])
        keys, states, own, cnt, acts, done, ev = self._expand(self.cur[lo:hi], self.cur_gid[lo:hi],
                                                              self.deadlock)
        self.exp = (self.cur_gid[lo:lo + done], cnt, acts)
        self.depth = depth
        return (*self._route(keys, states, own), {"event": ev, "parents": done})

    def insert(self, *batches):
        """The successors filed for this worker by every worker: the new ones (in key order),
        their keys, and the first event among them."""
        np = self.np
        keys = np.concatenate([b[0] for b in batches])
        states = np.concatenate([b[1] for b in batches])
        order = np.argsort(keys, kind="stable")       # sorted runs, one per sender: merged
        keys, states = keys[order], np.ascontiguousarray(states[order])
        isnew = np.zeros(len(keys), np.uint8)
        if self.lib.fc_vinsert(self.v, self._p(states), len(keys), self._p(isnew, ctypes.c_uint8)) < 0:
            return np.zeros(0, np.uint64), {"event": None, "memory": True}
        new = isnew.view(bool)
        fresh, fkeys = np.ascontiguousarray(states[new]), keys[new]
        hits = np.zeros(max(self.n_goals, 1), np.uint64)
        n, ev, rep = self._check(fresh, hits)
        self.pend = (fresh, fkeys, hits, rep, self.depth + 1)
        event = None
        if ev is not None:
            event = {"key": int(fkeys[n]), "kind": "violation" if ev[0] == 1 else "error",
                     "error": ev[2:7], "witness": int(ev[7])}
        memory = bool(self.limit) and rss_bytes() > self.limit
        return fkeys, {"event": event, "memory": memory}

    def tally(self, cut_g: int, cut_k: int) -> tuple[int, list[int]]:
        """Transitions and coverage up to where the search stopped: parents numbered below cut_g
        and, when cut_k >= 0, parent cut_g's successors by instances up to cut_k."""
        np = self.np
        trans, cov = self.trans, self.cov.copy()
        if self.exp is not None:
            gids, cnt, acts = self.exp
            i = int(np.searchsorted(gids, cut_g))
            m = int(cnt[:i].sum())
            trans += m
            cov += np.bincount(acts[:m], minlength=len(cov)).astype(np.int64)
            if cut_k >= 0 and i < len(gids) and gids[i] == cut_g:
                seg = acts[m:m + int(cnt[i])]
                trans += int(cnt[i])
                cov += np.bincount(seg[seg <= cut_k], minlength=len(cov)).astype(np.int64)
        return trans, cov.tolist()

    def goals(self, cut: int | None, inclusive: bool) -> tuple[list[int], list[int]]:
        """Goal counts (states that met each, depth of the first) of the states numbered so far
        and of the last insert's new states with keys below `cut` (up to it when inclusive)."""
        np = self.np
        hits, first = self.hits.copy(), self.first.copy()
        if cut is not None and self.pend is not None:
            states, keys, _, _, depth = self.pend
            i = int(np.searchsorted(keys, np.uint64(cut), side="right" if inclusive else "left"))
            more = np.zeros_like(hits)
            self._check(states[:i], more)
            hits += more
            first[(more > 0) & (first < 0)] = depth
        return hits.tolist(), first.tolist()

    def finish(self, gids) -> dict:
        """Number the last chunk's new states; this worker's totals."""
        self._commit(gids)
        return self.totals()

    def totals(self) -> dict:
        links = sum(a.nbytes for a in self.link_gid) + sum(a.nbytes for a in self.link_key)
        return {"transitions": self.trans, "coverage": self.cov.tolist(), "hits": self.hits.tolist(),
                "first": self.first.tolist(), "represented": self.rep,
                "bytes": (self.lib.fc_vbytes(self.v) if self.v else 0) + links,
                "peak_mb": (_status_kb("VmHWM") or 1024 * resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
                / 2**20}

    def link(self, gid: int) -> int | None:
        """The key (parent << 17 | instance + 1) of state `gid`, if this worker owns it."""
        np = self.np
        if self._links is None:
            self._links = (np.concatenate(self.link_gid), np.concatenate(self.link_key))
        g, k = self._links
        i = int(np.searchsorted(g, gid))
        return int(k[i]) if i < len(g) and g[i] == gid else None

    def scan(self, gids):
        """At the depth limit: the next level's successors (without deadlock checks), by owner."""
        self._commit(gids)
        self._next_level()
        keys, states, own, _, _, _, ev = self._expand(self.cur, self.cur_gid, False)
        return (*self._route(keys, states, own), {"event": ev, "parents": len(self.cur)})

    def probe(self, *batches) -> bool:
        """Whether some state filed here is not visited yet."""
        np = self.np
        states = np.ascontiguousarray(np.concatenate([b[1] for b in batches]))
        return self.lib.fc_vmissing(self.v, self._p(states), len(states)) >= 0


# ---------------------------------------------------------------------------------- the driver

def option(text: str | None) -> str | None:
    """--cluster checked before anything runs: a known form, and Ray importable."""
    if text is not None:
        parse(text)
        _ray()
    return text


class Cluster:
    """The Ray cluster a search runs on: started here (local; once per process, shut down when it
    exits) or joined (an address), unless this process is connected already (then that one)."""

    def __init__(self, address: str | None, workers: int | None):
        self.ray = ray = _ray()
        self.address = address
        if not ray.is_initialized():
            kw = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
            try:
                if address is None:
                    from .fast import default_workers
                    ray.init(address="local", num_cpus=workers or default_workers(), **kw)
                else:   # remote workers get this checker package (the C headers with it)
                    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
                    ray.init(address, runtime_env={"py_modules": [here]}, **kw)
            except Exception as e:  # noqa: BLE001 (Ray's: a refused or timed-out connection, a bad address)
                raise UserError(f"--cluster {address or 'ray'}: cannot start or reach the Ray cluster: "
                                f"{str(e).splitlines()[0] if str(e) else type(e).__name__}", None,
                                "start it with `ray start --head`; a cluster with token authentication "
                                "also needs RAY_AUTH_MODE=token and its token here (docs/cluster.md)") from None
        cpus = int(ray.cluster_resources().get("CPU", 0))
        self.workers = workers or max(cpus, 1)
        if self.workers > cpus:
            raise UserError(f"--workers {self.workers}: the Ray cluster has {cpus} CPUs", None,
                            f"choose --workers {max(cpus, 1)} or fewer, or add hosts (ray start --address)")


_POOL: dict = {}     # Ray session -> the workers started in it, reused by its next searches


def _workers(ray, T: int) -> list:
    """T workers of this Ray session, started once and reused (a worker process takes a while)."""
    key = ray.get_runtime_context().get_job_id()
    pool = _POOL.setdefault(key, [])
    if len(pool) < T:
        remote = ray.remote(num_cpus=1)(Worker)
        pool += [remote.options(scheduling_strategy="SPREAD").remote() for _ in range(T - len(pool))]
    return pool[:T]


def explore_cluster(fm, limits: Limits, deadlock: bool, progress: Callable[[Stats], None] | None,
                    cluster: Cluster, t0: float | None = None) -> tuple[Outcome, int | None, str]:
    """(outcome, states the representatives stand for (None without symmetry), the backend as
    reports name it: "ray, N workers[ on H hosts]"). Stats.peak_mb is the largest worker's."""
    t0 = time.perf_counter() if t0 is None else t0
    ray = cluster.ray
    c = fm.compiled
    n_inst, n_goals = len(c.instances), len(c.model.goals())
    init = c.layout.initial()
    bad = c.check(init)
    if bad is not None:
        inv = c.model.invariants[bad[0]]
        viol = Violation(inv.name, inv.statement, tuple(c.witnesses[bad[1]]))
        stats = Stats(states=1, seconds=time.perf_counter() - t0, peak_mb=peak_mb())
        return (Outcome(Verdict.VIOLATED, stats, [0] * n_inst, viol, build_trace(c, [init], [], viol)),
                1 if fm.sym else None, f"ray, {cluster.workers} worker{'s' if cluster.workers > 1 else ''}")
    T = cluster.workers
    actors = _workers(ray, T)
    job = ray.get_runtime_context().get_job_id()
    try:
        ray.get([a.load.remote(i, T, fm.gen.source, n_inst, n_goals, deadlock) for i, a in enumerate(actors)])
        return _search(fm, limits, deadlock, progress, cluster, actors, t0)
    except ray.exceptions.RayError as e:
        _POOL.pop(job, None)
        for a in actors:
            ray.kill(a)
        why = str(e).strip().splitlines()
        cause = next((ln for ln in reversed(why) if "Unavailable" in ln or "Error" in ln), why[-1] if why else "")
        raise UserError(f"--cluster: a Ray worker failed: {cause.strip()}", None,
                        "each host needs a C compiler (cc) and this flushcheck's Python version; "
                        "docs/cluster.md") from None
    finally:                                  # the workers free their tables for the next search
        if job in _POOL and ray.is_initialized():
            try:
                ray.get([a.done.remote() for a in actors])
            except ray.exceptions.RayError:
                _POOL.pop(job, None)


def _search(fm, limits, deadlock, progress, cluster, actors, t0):
    import numpy as np
    ray, T, c = cluster.ray, len(actors), fm.compiled
    n_inst = len(c.instances)
    # where the workers run: --memory-limit is per host, shared by the workers on it
    nodes = ray.get([a.where.remote() for a in actors])
    per_host = {n: nodes.count(n) for n in nodes}
    limit = limits.memory
    own_default = cluster.address is not None and limit is not None and limit == default_limit()
    started = ray.get([a.start.remote(limit, per_host[n], own_default) for a, n in zip(actors, nodes)])
    label = f"ray, {T} worker{'s' if T > 1 else ''}" + (f" on {len(per_host)} hosts" if len(per_host) > 1 else "")
    stats = Stats()

    def summary(verdict, viol=None, trace=None, reason="", cut=None, goal_cut=None, inclusive=False,
                tot=None):
        """The outcome; cut = (parent, instance) where transitions and coverage stop."""
        if tot is None:
            tot = ray.get([a.totals.remote() for a in actors])
        cov = np.zeros(max(n_inst, 1), np.int64)
        if cut is not None:
            for t, cv in ray.get([a.tally.remote(*cut) for a in actors]):
                stats.transitions += t
                cov += np.array(cv, np.int64)
        else:
            for t in tot:
                stats.transitions += t["transitions"]
                cov += np.array(t["coverage"], np.int64)
        gl = ray.get([a.goals.remote(goal_cut, inclusive) for a in actors])
        hits = np.sum([np.array(h, np.int64) for h, _ in gl], axis=0)
        firsts = np.array([f for _, f in gl], np.int64)
        firsts = np.where(firsts < 0, np.iinfo(np.int64).max, firsts).min(axis=0)
        reached = [(int(hits[g]), int(firsts[g]) if firsts[g] != np.iinfo(np.int64).max else -1)
                   for g in range(len(c.model.goals()))]
        stats.seconds = time.perf_counter() - t0
        stats.peak_mb = max(t["peak_mb"] for t in tot)
        stats.bytes_per_state = sum(t["bytes"] for t in tot) / max(stats.states, 1)
        represented = round(sum(t["represented"] for t in tot)) if fm.sym else None
        return (Outcome(verdict, stats, cov.tolist()[:n_inst], viol, trace, reason, reached),
                represented, label)

    if not all(started):
        stats.states = 0
        return summary(Verdict.INCOMPLETE, reason=memory_reason(limits, 0))
    owner, words = ray.get(actors[0].owner.remote(fm.gen.packing.pack(c.layout.initial())))
    if not ray.get(actors[owner].add_init.remote(words)):
        stats.states = 0
        return summary(Verdict.INCOMPLETE, reason=memory_reason(limits, 0))
    n_states, depth = 1, 0
    L1 = 1                  # the current level ends at number L1; `found`: its next level so far
    found = 0
    a, new_level = 0, True
    commit: list = [None] * T
    deadline = limits.ends(t0)
    max_states, max_depth = limits.max_states, limits.max_depth

    def path(g: int) -> list[int]:
        via = []
        while g != 0:
            key = next(k for k in ray.get([x.link.remote(g) for x in actors]) if k is not None)
            via.append((key & 0x1FFFF) - 1)
            g = key >> 17
        return via[::-1]

    try:
        while True:
            stats.states, stats.depth = n_states, depth
            if a == L1:                               # the level is expanded
                if found == 0:
                    tot = ray.get([x.finish.remote(g) for x, g in zip(actors, commit)])
                    if max_states and n_states > max_states:
                        return summary(Verdict.INCOMPLETE, reason=limits.states_reason(n_states), tot=tot)
                    return summary(Verdict.HOLDS, tot=tot)
                L1, found, depth, new_level = n_states, 0, depth + 1, True
                stats.depth = depth
                if max_depth and depth >= max_depth:
                    return _depth_scan(ray, actors, commit, limits, fm, stats, summary)
            if deadline is not None and time.perf_counter() > deadline:
                tot = ray.get([x.finish.remote(g) for x, g in zip(actors, commit)])
                return summary(Verdict.INCOMPLETE, reason=limits.time_reason(), tot=tot)
            b = min(a + CHUNK, L1)
            refs = [x.expand.options(num_returns=T + 1).remote(g, a, b, new_level, depth)
                    for x, g in zip(actors, commit)]
            commit, new_level = [None] * T, False
            ins = [actors[j].insert.remote(*[refs[i][j] for i in range(T)]) for j in range(T)]
            exp = ray.get([r[T] for r in refs])
            got = ray.get(ins)
            if any(g[1].get("memory") for g in got):
                return summary(Verdict.INCOMPLETE, reason=memory_reason(limits, n_states))
            events = [e["event"] for e in exp if e["event"]] + [g[1]["event"] for g in got if g[1]["event"]]
            first = min(events, key=lambda e: e["key"]) if events else None
            E = first["key"] if first else NOKEY
            keys = np.sort(np.concatenate([g[0] for g in got]), kind="stable")
            if max_states:                            # checked every 1,024 parents, as the reference does
                Bs = np.arange((a // 1024 + 1) * 1024, b + 1, 1024, dtype=np.uint64)
                Bs = Bs[(Bs << np.uint64(17)) <= np.uint64(E)]
                counts = n_states + np.searchsorted(keys, Bs << np.uint64(17))
                over = np.nonzero(counts >= max_states)[0]
                if len(over):
                    B = int(Bs[over[0]])
                    stats.states = int(counts[over[0]])
                    return summary(Verdict.INCOMPLETE, reason=limits.states_reason(stats.states),
                                   cut=(B, -1), goal_cut=B << 17)
            if first is not None:
                return _event(first, keys, n_states, depth, fm, stats, summary, path)
            commit = [n_states + np.searchsorted(keys, g[0]).astype(np.int64) for g in got]
            n_states += len(keys)
            found += len(keys)
            a = b
            if progress is not None:
                stats.states, stats.seconds = n_states, time.perf_counter() - t0
                progress(stats)
    except KeyboardInterrupt:
        stats.states = n_states
        return summary(Verdict.INCOMPLETE, reason=interrupted_reason(n_states))


def memory_reason(limits: Limits, states: int) -> str:
    """Why a cluster search stopped at a worker's share of the memory limit: incomplete."""
    limit = f"memory limit {format_bytes(limits.memory)} per host" if limits.memory else "out of memory"
    return (f"{limit} reached on a cluster worker after {states:,} states (the workers on a host "
            "share it) — raise --memory-limit, add hosts, use fewer CPUs/pages/rounds, or turn "
            "symmetry on where the model allows it")


def _event(first, keys, n_states, depth, fm, stats, summary, path):
    """The search stops at its first event: a violation, a deadlock or a model error."""
    import numpy as np
    c = fm.compiled
    E = first["key"]
    p, k = E >> 17, (E & 0x1FFFF) - 1
    if first["kind"] == "error":
        fm._raise(list(first["error"]))
    if first["kind"] == "deadlock":           # at parent p: its successors do not count
        stats.states = n_states + int(np.searchsorted(keys, np.uint64(E)))
        viol = Violation("deadlock", DEADLOCK_STATEMENT, kind="deadlock")
        via = path(p)
        cut, inclusive = (p, -1), False
    else:                                     # an invariant broken by the state found by key E
        stats.states = n_states + int(np.searchsorted(keys, np.uint64(E), side="right"))
        stats.depth = depth + 1
        w = first["witness"]
        inv = c.model.invariants[fm.gen.witness_inv[w]]
        viol = Violation(inv.name, inv.statement, tuple(c.witnesses[w]))
        via = path(p) + [k]
        cut, inclusive = (p, k), True
    if fm.sym is not None:
        trace, viol = real_trace(c, fm.sym, via, viol)
    else:
        trace = build_trace(c, replay(c, None, via), via, viol)
    return summary(Verdict.VIOLATED, viol, trace, cut=cut, goal_cut=E, inclusive=inclusive)


def _depth_scan(ray, actors, commit, limits, fm, stats, summary):
    """At the depth limit: holds if nothing new is one step further, else incomplete."""
    T = len(actors)
    refs = [x.scan.options(num_returns=T + 1).remote(g) for x, g in zip(actors, commit)]
    exp = ray.get([r[T] for r in refs])
    errors = sorted((e["event"] for e in exp if e["event"]), key=lambda e: e["key"])
    if errors:
        fm._raise(list(errors[0]["error"]))
    missing = any(ray.get([actors[j].probe.remote(*[refs[i][j] for i in range(T)]) for j in range(T)]))
    tot = ray.get([x.totals.remote() for x in actors])
    if missing:
        return summary(Verdict.INCOMPLETE, reason=f"depth limit {limits.max_depth} reached with states "
                       "still unexplored", tot=tot)
    if limits.max_states and stats.states > limits.max_states:
        return summary(Verdict.INCOMPLETE, reason=limits.states_reason(stats.states), tot=tot)
    return summary(Verdict.HOLDS, tot=tot)
