"""Build generated C with the system compiler into a cache directory and load it with ctypes.

The shared object is named after a hash of the source, the runtime headers, the compiler and
its flags, so a model is compiled once per machine and reused until any of them changes.
`FLUSHCHECK_CACHE` chooses the directory (default: $XDG_CACHE_HOME/flushcheck or
~/.cache/flushcheck); `CC` chooses the compiler.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HEADERS = ("fc_prelude.h", "fc_slots.h", "fc_runtime.h")
CFLAGS = ["-O2", "-std=gnu11", "-shared", "-fPIC", "-pthread", "-fno-strict-aliasing",
          "-fno-semantic-interposition"]


class Unavailable(Exception):
    """The fast backend cannot run here (no compiler, or the build failed); says why."""


def compiler() -> list[str] | None:
    """The C compiler command: $CC if set (even when it is missing: then there is none), else
    cc, gcc or clang from PATH."""
    env = os.environ.get("CC")
    if env is not None:
        cmd = shlex.split(env)
        return cmd if cmd and shutil.which(cmd[0]) else None
    for name in ("cc", "gcc", "clang"):
        path = shutil.which(name)
        if path:
            return [path]
    return None


def available() -> tuple[bool, str]:
    cc = compiler()
    if cc is None:
        want = os.environ.get("CC")
        return False, (f"the C compiler CC={want!r} was not found" if want is not None else
                       "no C compiler (cc, gcc or clang) was found")
    return True, ""


def cache_dir() -> str:
    d = os.environ.get("FLUSHCHECK_CACHE")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "flushcheck")
    try:
        os.makedirs(d, exist_ok=True)
        if os.access(d, os.W_OK):
            return d
    except OSError:
        pass
    # a private directory under /tmp: ours, and writable by nobody else (we load code from it)
    d = os.path.join(tempfile.gettempdir(), f"flushcheck-{os.getuid()}")
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
        st = os.stat(d)
        if st.st_uid == os.getuid() and not st.st_mode & 0o022:
            return d
    except OSError:
        pass
    return tempfile.mkdtemp(prefix="flushcheck-")


def _headers() -> str:
    return "".join(open(os.path.join(HERE, h)).read() for h in HEADERS)


def _so_path(source: str, cc: list[str]) -> tuple[str, str]:
    key = hashlib.sha256("\0".join([source, _headers(), " ".join(cc), " ".join(CFLAGS)])
                         .encode()).hexdigest()[:32]
    d = cache_dir()
    return d, os.path.join(d, f"fc_{key}.so")


def is_cached(source: str) -> bool:
    """Whether this source is compiled already (no compiler needed to load it)."""
    cc = compiler()
    return cc is not None and os.path.exists(_so_path(source, cc)[1])


def build(source: str) -> tuple[ctypes.CDLL, bool]:
    """Load the shared object for this source, compiling it first if needed.

    Returns the library and whether it was compiled now (False: it came from the cache).
    """
    cc = compiler()
    if cc is None:
        raise Unavailable(available()[1])
    d, so = _so_path(source, cc)
    built = False
    if not os.path.exists(so):
        with tempfile.TemporaryDirectory(dir=d, prefix="build-") as tmp:
            src = os.path.join(tmp, "model.c")
            with open(src, "w") as f:
                f.write(source)
            out = os.path.join(tmp, "model.so")
            try:
                p = subprocess.run(cc + CFLAGS + ["-I", HERE, "-o", out, src], capture_output=True,
                                   text=True, timeout=600)
            except (OSError, subprocess.TimeoutExpired) as e:
                raise Unavailable(f"the C compiler could not run: {e}") from None
            if p.returncode != 0:
                first = next((ln for ln in p.stderr.splitlines() if "error" in ln), p.stderr.strip()[:200])
                raise Unavailable(f"the C compiler failed on the generated code: {first}")
            os.replace(out, so)   # atomic: concurrent builds of one model are harmless
        built = True
    try:
        lib = ctypes.CDLL(so)
    except OSError as e:
        raise Unavailable(f"cannot load the compiled model: {e}") from None
    _declare(lib)
    return lib, built


def _declare(lib: ctypes.CDLL) -> None:
    P, u64, i64, i32 = ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int64, ctypes.c_int
    lib.fc_new.restype = P
    lib.fc_new.argtypes = [i32, i32, u64, u64]
    lib.fc_step.restype = i32
    lib.fc_step.argtypes = [P, u64]
    lib.fc_free.restype = None
    lib.fc_free.argtypes = [P]
    lib.fc_info.restype = None
    lib.fc_info.argtypes = [P, ctypes.POINTER(i64)]
    lib.fc_memory.restype = None
    lib.fc_memory.argtypes = [P, ctypes.POINTER(ctypes.c_double)]
    lib.fc_coverage.restype = None
    lib.fc_coverage.argtypes = [P, ctypes.POINTER(u64)]
    lib.fc_goals.restype = None
    lib.fc_goals.argtypes = [P, ctypes.POINTER(i64)]
    lib.fc_path.restype = i32
    lib.fc_path.argtypes = [P, u64, ctypes.POINTER(ctypes.c_int32), i32]
    lib.fc_succ.restype = i32
    lib.fc_succ.argtypes = [ctypes.POINTER(u64), ctypes.POINTER(u64), ctypes.POINTER(ctypes.c_uint32),
                            ctypes.POINTER(i64)]
    lib.fc_check.restype = i32
    lib.fc_check.argtypes = [ctypes.POINTER(u64)]
    lib.fc_canon.restype = ctypes.c_double
    lib.fc_canon.argtypes = [ctypes.POINTER(u64), ctypes.POINTER(u64)]
    lib.fc_words.restype = i32
    lib.fc_words.argtypes = []
