"""Spec files: Python that declares checks — which protocol, bounds, invariants, expectation.

    from checker.spec import Check
    from protocols.async_inline import PROTOCOL
    CHECK = Check(PROTOCOL, cpus=3, pages=1, rounds=1, expect="holds")

`load_spec` runs the file and collects every `Check` it defines, in order.
"""
from __future__ import annotations

import errno
import io
import os
import pkgutil
import runpy
import stat
import tokenize
from typing import Any

from .errors import SrcLoc, UserError, caller_loc, traceback_loc
from .lang.protocol import Protocol
from .usercode import finite_positive, user_code


class Check:
    """One check of a spec: a protocol at fixed bounds, and the verdict it must give."""

    def __init__(self, protocol: Protocol, *, name: str | None = None, expect: str = "holds",
                 invariants: list[str] | tuple[str, ...] | None = None, deadlock: bool = True,
                 max_states: int | None = None, max_depth: int | None = None,
                 time_limit: float | None = None, liveness: bool = True,
                 strengthen: list[str] | tuple[str, ...] | None = None,
                 dead_ok: dict[str, str] | None = None, uncovered_ok: dict[str, str] | None = None,
                 min_mutation_score: float | None = None, **params: Any):
        self.loc = caller_loc()
        if not isinstance(protocol, Protocol):
            raise UserError(f"Check needs a protocol (e.g. protocols.async_inline.PROTOCOL), "
                            f"got {protocol!r}", self.loc)
        parts = expect.split() if isinstance(expect, str) else []
        if not (parts == ["holds"] or (len(parts) == 2 and parts[0] == "violates")):
            raise UserError(f"expect={expect!r} is not a verdict", self.loc,
                            "write expect='holds' or expect='violates <invariant>'")
        _check_arguments(self.loc, name=name, deadlock=deadlock, liveness=liveness,
                         invariants=invariants, strengthen=strengthen, max_states=max_states,
                         max_depth=max_depth, time_limit=time_limit)
        self.protocol = protocol
        self.name = name
        self.expect = " ".join(parts)
        self.invariants = tuple(invariants) if invariants is not None else None
        self.deadlock = deadlock
        self.liveness = liveness
        # auxiliary invariants an induction proof (--prove) may assume; None: all the protocol's
        self.strengthen = tuple(strengthen) if strengthen is not None else None
        self.max_states, self.max_depth, self.time_limit = max_states, max_depth, time_limit
        # actions expected never to fire here, and covers expected never to be reached, each with the
        # reason (else a dead action makes the holds vacuous, an unreached cover makes it "uncovered")
        self.dead_ok = _reasons(self.loc, "dead_ok", dead_ok, "action", "fires",
                                "{'tlb_finish_mmu': 'khugepaged only: the collapse frees the table itself'}")
        self.uncovered_ok = _reasons(self.loc, "uncovered_ok", uncovered_ok, "cover", "is reached",
                                     "{'tlbsync_waits': 'one operation: the first flush assigns, none broadcasts'}")
        if min_mutation_score is not None and (isinstance(min_mutation_score, bool) or not isinstance(
                min_mutation_score, (int, float)) or not 0 <= min_mutation_score <= 1):
            raise UserError(f"min_mutation_score={min_mutation_score!r} must be a fraction in 0..1",
                            self.loc, "e.g. min_mutation_score=0.9")
        self.min_mutation_score = min_mutation_score
        self.params = dict(params)
        protocol.configure(self.params, self.loc)

    def shown_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """The bounds, and the switches set away from the protocol's real design."""
        out = {}
        for k, v in params.items():
            p = self.protocol.param(k)
            if p is None or p.lo is not None or v != p.default:
                out[k] = v
        return out

    def __repr__(self):
        return f"Check({self.name or self.protocol.name}, {self.params}, expect={self.expect!r})"


def _reasons(loc: SrcLoc, arg: str, value: Any, what: str, verb: str, example: str) -> dict[str, str]:
    """`dead_ok` / `uncovered_ok`: names mapped to why each never fires / is reached here."""
    if value is not None and not (isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items())):
        raise UserError(f"{arg}={value!r} must map {what} names to the reason each never {verb}", loc,
                        f"e.g. {arg}={example}")
    return dict(value or {})


def _check_arguments(loc: SrcLoc | None, *, name, deadlock, liveness, invariants, strengthen,
                     max_states, max_depth, time_limit) -> None:
    """Check(...)'s arguments of plain types: refused here, at the spec's line, not deep in a run."""
    if name is not None and not (isinstance(name, str) and name.strip()):
        raise UserError(f"name={name!r} must be a non-empty string", loc)
    for flag, v in (("deadlock", deadlock), ("liveness", liveness)):
        if not isinstance(v, bool):
            raise UserError(f"{flag}={v!r} must be True or False", loc, f"e.g. {flag}=False")
    for flag, v in (("invariants", invariants), ("strengthen", strengthen)):
        if v is not None and (isinstance(v, str) or not isinstance(v, (list, tuple))
                              or not all(isinstance(x, str) for x in v)):
            raise UserError(f"{flag}={v!r} must be a list of names", loc,
                            f"e.g. {flag}=['no_stale_access']")
    for flag, v in (("max_states", max_states), ("max_depth", max_depth)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v <= 0):
            raise UserError(f"{flag}={v!r} must be a positive whole number", loc)
    if time_limit is not None and not finite_positive(time_limit):
        raise UserError(f"time_limit={time_limit!r} must be a positive number of seconds", loc)


def load_spec(path: str, time_limit: float | None = None) -> list[Check]:
    """Run a spec file and return its checks (named), or raise a UserError saying what is wrong.

    Nothing the spec's code does ends the run (checker/usercode.py); `time_limit` bounds it."""
    _readable_spec(path)
    where = SrcLoc(path, 1)
    try:
        with user_code("loading the spec", where, time_limit, "the spec file did this while it was loaded"):
            try:
                ns = runpy.run_path(path, run_name="__flushcheck_spec__")
            except SyntaxError as e:
                raise UserError(f"syntax error: {e.msg}", SrcLoc(e.filename or path, e.lineno or 0),
                                "fix the spec's Python syntax") from None
            except ImportError as e:
                raise _import_error(e, path) from None
    except MemoryError:
        raise UserError("out of memory while loading the spec", where) from None
    checks: list[tuple[str, Check]] = []
    for var, val in ns.items():
        for c in (val if isinstance(val, (list, tuple)) else [val]):
            if isinstance(c, Check) and all(c is not d for _, d in checks):
                checks.append((var, c))
    if not checks:
        raise UserError(f"spec file '{path}' defines no Check", SrcLoc(path, 1),
                        "add e.g. CHECK = Check(PROTOCOL, cpus=2, expect='holds')")
    stem = os.path.splitext(os.path.basename(path))[0]
    named: dict[str, Check] = {}
    for var, c in checks:
        if c.name is None:
            c.name = stem if len(checks) == 1 or var == "CHECK" else var.lower()
        if c.name in named:
            first = named[c.name].loc
            raise UserError(f"two checks are named '{c.name}'", c.loc or where,
                            f"the other is at {first}; give each its own name=" if first else
                            "give each its own name=")
        named[c.name] = c
    return [c for _, c in checks]


def _readable_spec(path: str) -> None:
    """Refuse what cannot be a spec file — saying what it is — before running anything."""
    hint = "give the path of a spec file, e.g. specs/async_inline.py"
    try:
        st = os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise UserError(f"spec file '{path}' is a symbolic link loop", None, hint) from None
        if os.path.islink(path):
            raise UserError(f"spec file '{path}' is a broken symbolic link (to {os.readlink(path)})",
                            None, hint) from None
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            raise UserError(f"spec file '{path}' not found", None, hint) from None
        raise UserError(f"spec file '{path}' cannot be read: {e.strerror or e}", None) from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"spec file '{path}' is a directory", None,
                        f"check every spec under it with --gate {path}")
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"spec file '{path}' is not a regular file (a device, FIFO or socket)", None, hint)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise UserError(f"spec file '{path}' cannot be read: {e.strerror or e}", None) from None
    _decodable(path, data)


def _decodable(path: str, data: bytes) -> None:
    """Python source must decode in its declared encoding (UTF-8 by default); runpy would let
    some bytes through that `python spec.py` refuses."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as e:
        raise UserError(f"cannot decode the spec: {e.msg if hasattr(e, 'msg') else e}",
                        SrcLoc(path, e.lineno or 1), "save it as UTF-8") from None
    try:
        data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise UserError(f"the spec is not valid {encoding}: byte 0x{data[e.start]:02x} cannot be decoded",
                        SrcLoc(path, line), "save it as UTF-8, or declare its encoding in a "
                        "'# -*- coding: latin-1 -*-' line") from None


def available_protocols() -> list[str]:
    """Protocol modules under the `protocols` package, found without importing them."""
    try:
        import importlib.util
        spec = importlib.util.find_spec("protocols")
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    out = []
    for m in pkgutil.iter_modules(spec.submodule_search_locations):
        path = os.path.join(m.module_finder.path, m.name + ".py")  # type: ignore[union-attr]
        if not m.ispkg and os.path.isfile(path) and "\nPROTOCOL = " in open(path).read():
            out.append(m.name)
    return sorted(out)


def _import_error(e: ImportError, path: str) -> UserError:
    loc = traceback_loc(e) or SrcLoc(path, 0)
    name = e.name or ""
    known = available_protocols()
    if name.startswith("protocols.") or (name == "protocols" and "cannot import name" in str(e)):
        missing = name.split(".", 1)[1] if "." in name else str(e).split("'")[1]
        return UserError(f"unknown protocol '{missing}'", loc,
                         f"available protocols: {', '.join(known)}" if known else
                         "install flushcheck with its protocols (pip install -e .)")
    return UserError(f"cannot import: {e}", loc, "check the spec's import lines")
