"""Build generated C with the system compiler into a cache directory and load it with ctypes.

The shared object is named after a hash of the source, the runtime headers, the compiler and
its flags, so a model is compiled once per machine and reused until any of them changes.
`FLUSHCHECK_CACHE` chooses the directory (default: $XDG_CACHE_HOME/flushcheck or
~/.cache/flushcheck); `CC` chooses the compiler.

We load code from the cache, so it must be ours alone: a directory (or file) owned by another
user or writable by others is refused for a private one. Each `.so` has a `.sha256` beside it,
checked before loading: a corrupt or truncated entry is rebuilt, never trusted. Builds happen
in `build-<pid>-*` directories; those of processes that died (killed mid-build) are removed.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HEADERS = ("fc_prelude.h", "fc_slots.h", "fc_runtime.h", "fc_live.h", "fc_cluster.h", "fc_sim.h")
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


def unsafe(path: str) -> str:
    """Why code loaded from `path` could be someone else's ("" when it is ours alone)."""
    st = os.stat(path)
    if st.st_uid != os.getuid():
        return f"it belongs to another user (uid {st.st_uid})"
    if st.st_mode & 0o022:
        return "others can write to it"
    return ""


def cache_dir() -> tuple[str, str]:
    """The cache directory, and why the configured one was refused ("" when it was not)."""
    d = os.environ.get("FLUSHCHECK_CACHE")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "flushcheck")
    why = ""
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
        why = unsafe(d) or ("" if os.access(d, os.W_OK) else "it is not writable")
        if not why:
            return d, ""
    except OSError as e:
        why = e.strerror or str(e)
    # a private directory under /tmp: ours, and writable by nobody else (we load code from it)
    p = os.path.join(tempfile.gettempdir(), f"flushcheck-{os.getuid()}")
    try:
        os.makedirs(p, mode=0o700, exist_ok=True)
        if not unsafe(p):
            return p, f"the cache directory {d} was not used ({why}); compiled models are kept in {p}"
    except OSError:
        pass
    p = tempfile.mkdtemp(prefix="flushcheck-")
    return p, f"the cache directory {d} was not used ({why}); compiled models are kept in {p}"


def _headers() -> str:
    return "".join(open(os.path.join(HERE, h)).read() for h in HEADERS)


def _so_path(source: str, cc: list[str], d: str) -> str:
    key = hashlib.sha256("\0".join([source, _headers(), " ".join(cc), " ".join(CFLAGS)])
                         .encode()).hexdigest()[:32]
    return os.path.join(d, f"fc_{key}.so")


def _digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def verified(so: str) -> bool:
    """The cached object is ours alone and exactly what was built (its recorded digest)."""
    try:
        with open(so + ".sha256") as f:
            want = f.read().strip()
        return not unsafe(so) and _digest(so) == want
    except (OSError, ValueError):
        return False


def is_cached(source: str) -> bool:
    """Whether this source is compiled already (no compiler needed to load it)."""
    cc = compiler()
    return cc is not None and verified(_so_path(source, cc, cache_dir()[0]))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True     # exists, someone else's
    return True


STALE_BUILD_S = 24 * 3600   # a build directory this old is stale even if its pid was reused


def clean_stale_builds(d: str) -> list[str]:
    """Remove the build directories of builds that were killed; returns what was removed."""
    removed = []
    now = time.time()
    for name in os.listdir(d):
        if not name.startswith("build-"):
            continue
        path = os.path.join(d, name)
        pid = name.split("-")[1]
        try:
            old = now - os.lstat(path).st_mtime > STALE_BUILD_S
        except OSError:
            continue
        if old or not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _compile(source: str, cc: list[str], d: str, so: str) -> None:
    """Compile into a private build directory, then move the object (and its digest) into place."""
    clean_stale_builds(d)
    with tempfile.TemporaryDirectory(dir=d, prefix=f"build-{os.getpid()}-") as tmp:
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
        with open(out + ".sha256", "w") as f:
            f.write(_digest(out) + "\n")
        # atomic: concurrent builds of one model are harmless; the digest last, so a reader that
        # sees an old digest with a new object rebuilds rather than trusting either
        os.replace(out, so)
        os.replace(out + ".sha256", so + ".sha256")


def build(source: str) -> tuple[ctypes.CDLL, bool, str]:
    """Load the shared object for this source, compiling it first if needed.

    Returns the library, whether it was compiled now (False: it came from the cache), and a
    note when the configured cache directory was refused ("" otherwise).
    """
    cc = compiler()
    if cc is None:
        raise Unavailable(available()[1])
    d, note = cache_dir()
    so = _so_path(source, cc, d)
    built = False
    if not verified(so):           # missing, corrupt, truncated, or not ours: rebuild it
        try:
            _compile(source, cc, d, so)
        except OSError as e:
            raise Unavailable(f"cannot write to the cache directory {d}: {e.strerror or e}") from None
        built = True
    try:
        lib = ctypes.CDLL(so)
        _declare(lib)
    except (OSError, AttributeError) as e:
        raise Unavailable(f"cannot load the compiled model {so}: {e}") from None
    return lib, built, note


def _declare(lib: ctypes.CDLL) -> None:
    """Each entry point's C signature: (return type, argument types)."""
    P, u64, i64, i32 = ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int64, ctypes.c_int
    u32, pu64 = ctypes.c_uint32, ctypes.POINTER(u64)
    pu32 = ctypes.POINTER(u32)
    signatures = {
        "fc_new": (P, [i32, i32, u64, u64]),
        "fc_step": (i32, [P, u64]),
        "fc_free": (None, [P]),
        "fc_info": (None, [P, ctypes.POINTER(i64)]),
        "fc_memory": (None, [P, ctypes.POINTER(ctypes.c_double)]),
        "fc_coverage": (None, [P, ctypes.POINTER(u64)]),
        "fc_goals": (None, [P, ctypes.POINTER(i64)]),
        "fc_path": (i32, [P, u64, ctypes.POINTER(ctypes.c_int32), i32]),
        "fc_succ": (i32, [pu64, pu64, ctypes.POINTER(u32), ctypes.POINTER(i64)]),
        "fc_check": (i32, [ctypes.POINTER(u64)]),
        "fc_canon": (ctypes.c_double, [ctypes.POINTER(u64), ctypes.POINTER(u64)]),
        "fc_words": (i32, []),
        "fc_pause": (None, [P, i32]),
        "fc_at_level_end": (i32, [P]),
        "fc_save": (i32, [P, ctypes.c_char_p]),
        "fc_load": (P, [ctypes.c_char_p, i32, i32, u64, u64, ctypes.POINTER(i32)]),
        "fc_set_limit": (None, [u64]),
        "fc_lnew": (P, []),
        "fc_lfree": (None, [P]),
        "fc_lstep": (i32, [P, u64]),
        "fc_linfo": (None, [P, ctypes.POINTER(i64)]),
        "fc_lcheck": (i32, [P, i32]),
        "fc_snew": (P, [u64, u64, i64, i32]),
        "fc_sfree": (None, [P]),
        "fc_sstep": (i32, [P, u64]),
        "fc_sinfo": (None, [P, ctypes.POINTER(i64)]),
        "fc_scoverage": (None, [P, ctypes.POINTER(u64)]),
        "fc_spath": (i32, [P, ctypes.POINTER(ctypes.c_int32), i32]),
        "fc_llasso": (i64, [P, ctypes.POINTER(ctypes.c_int32), i64, ctypes.POINTER(i64)]),
        # fc_cluster.h: a search spread over processes (checker/explicit/cluster.py)
        "fc_expand": (i64, [pu64, u64, i32, u32, pu64, pu32, pu32, pu32, pu64, ctypes.POINTER(i64)]),
        "fc_owner": (u32, [pu64, u32, pu64]),
        "fc_vnew": (P, []),
        "fc_vfree": (None, [P]),
        "fc_vinsert": (i64, [P, pu64, u64, ctypes.POINTER(ctypes.c_uint8)]),
        "fc_vmissing": (i64, [P, pu64, u64]),
        "fc_vbytes": (ctypes.c_double, [P]),
        "fc_checkn": (i64, [pu64, u64, pu64, ctypes.POINTER(ctypes.c_double), ctypes.POINTER(i64)]),
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes