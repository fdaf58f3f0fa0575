"""How every report reaches a file or the terminal: one mechanism for all of them.

- `write_report`: render first, then write to a temporary file beside the target and rename it
  over the target, so a full disk or a killed run never leaves a truncated report where the
  previous good one was; a failure is a located `UserError` (exit 2) naming the flag and path.
- `check_outputs`: before anything runs, refuse an output that would overwrite an input spec,
  two reports into one file, a directory, or a path whose directory does not exist.
- `PipeSafe`: stdout that a closed pipe (`| head -1`) silences instead of failing the run.
- `console`: the terminal, or — when the stream is a pipe, a file or a CI log — a console that never
  wraps (tables at their natural width, names and traces whole) and never animates, even when
  `FORCE_COLOR` makes rich colour it.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from typing import Callable, Iterable

from rich.console import Console

from ..errors import UserError

# the width a pipe, a file or a CI log gets: wider than any line flushcheck prints, so nothing wraps
WIDE = 100_000


def _why(e: OSError) -> str:
    return e.strerror or str(e)


def _umask_mode() -> int:
    """The mode a plain open() would give a new file (0666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_report(flag: str, path: str, render: Callable[[], str | bytes]) -> None:
    """Write the report `render()` returns to `path` atomically, or raise a UserError saying why.

    A device or a pipe (`/dev/stdout`, a FIFO) is written in place: it cannot be renamed over.
    """
    text = render()
    data = text.encode("utf-8") if isinstance(text, str) else text
    where = f"cannot write {flag} {path}"
    try:
        target = os.path.realpath(path)        # a symlink: replace what it points to
        try:
            st = os.stat(target)
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise UserError(f"{where}: it is a directory")
        if st is not None and not stat.S_ISREG(st.st_mode):
            fd = os.open(target, os.O_WRONLY)
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            return
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target) or ".",
                                   prefix=f".{os.path.basename(target)}.", suffix=".tmp")
        try:
            _write_all(fd, data)
            os.fchmod(fd, stat.S_IMODE(st.st_mode) if st is not None else _umask_mode())
            os.fsync(fd)
            os.close(fd)
            fd = -1
            os.replace(tmp, target)
        except BaseException:
            if fd >= 0:
                os.close(fd)
            os.unlink(tmp)
            raise
    except FileNotFoundError as e:
        parent = os.path.dirname(os.path.abspath(path))
        raise UserError(f"{where}: " + (f"the directory {parent} does not exist"
                                        if not os.path.isdir(parent) else
                                        f"no file can be created in {parent} ({_why(e)})")) from None
    except OSError as e:
        raise UserError(f"{where}: {_why(e)}"
                        + ("; the previous report, if any, is unchanged"
                           if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else "")) from None


def _same_file(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_outputs(outputs: dict[str, str | None], inputs: Iterable[str]) -> None:
    """Refuse, before anything runs, report paths that would destroy an input or each other,
    or that cannot be files: `outputs` maps each flag (`--json`) to its path or None."""
    given = [(flag, p) for flag, p in outputs.items() if p]
    inputs = list(inputs)
    for i, (flag, p) in enumerate(given):
        for spec in inputs:
            if _same_file(p, spec):
                raise UserError(f"{flag} {p} would overwrite the spec file {spec}", None,
                                "write the report somewhere else")
        for other, q in given[:i]:
            if _same_file(p, q):
                raise UserError(f"{other} and {flag} both write {p}", None, "give each report its own file")
        if os.path.isdir(p):
            raise UserError(f"cannot write {flag} {p}: it is a directory", None,
                            f"e.g. {flag} {os.path.join(p, 'report')}")
        parent = os.path.dirname(os.path.abspath(p))
        if not os.path.isdir(parent):
            raise UserError(f"cannot write {flag} {p}: the directory {parent} does not exist", None,
                            "create it first")


class PipeSafe:
    """A text stream (stdout) whose reader may go away: on a closed pipe (EPIPE) the rest of the
    output is dropped — the file descriptor is pointed at /dev/null so that the interpreter's
    final flush is quiet too — and the run carries on to its verdict's exit code."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.closed_pipe = False

    def _guard(self, op: Callable[[], object]) -> None:
        if self.closed_pipe:
            return
        try:
            op()
        except BrokenPipeError:
            self._silence()
        except OSError as e:
            if e.errno != errno.EPIPE:
                raise
            self._silence()

    def _silence(self) -> None:
        self.closed_pipe = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass   # not a real file descriptor (a test's capture): dropping the output is enough

    def write(self, text: str) -> int:
        self._guard(lambda: self.stream.write(text))
        return len(text)

    def flush(self) -> None:
        self._guard(self.stream.flush)

    def isatty(self) -> bool:
        return not self.closed_pipe and self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", "utf-8")


def is_tty(stream) -> bool:
    """Whether `stream` is a real terminal (not a pipe, a file, a CI log or a test's capture),
    whatever FORCE_COLOR or TERM say: only a terminal gets `\r` progress lines and wrapping."""
    try:
        return os.isatty(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False


def console(stream) -> Console:
    """A rich console on `stream`: the terminal's width on a terminal; elsewhere (CI, pipes,
    files) full width and no live display. Colour follows rich's rules (FORCE_COLOR, NO_COLOR)."""
    if is_tty(stream):
        return Console(file=stream, highlight=False)
    return Console(file=stream, highlight=False, width=WIDE, force_interactive=False)
