"""Running the user's code — a spec file, a protocol's build — so that nothing it does ends the run.

Every exception it raises but MemoryError, `sys.exit()`, a `KeyboardInterrupt` it raises itself (a real Ctrl-C
still stops flushcheck) and, under a time limit, a hang becomes a `UserError` located at the
line where it happened: the spec's error, exit 2, and a gate goes on with the other specs.
The time limit is a SIGALRM timer (main thread only), which interrupts Python code, not one
long call into C.
"""
from __future__ import annotations

import math
import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from .errors import SrcLoc, UserError, traceback_loc


class TimeUp(BaseException):
    """The time limit ran out while user code ran (a BaseException: `except Exception` in the
    user's code cannot swallow it)."""


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def time_limited(seconds: float | None) -> Iterator[None]:
    """Raise TimeUp in the code inside once `seconds` have passed (None: no limit)."""
    if seconds is None or not _main_thread():
        yield
        return
    if not seconds > 0:
        raise TimeUp()

    def ring(signum, frame):
        raise TimeUp()
    old = signal.signal(signal.SIGALRM, ring)
    t0 = time.monotonic()
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer:   # an enclosing timer keeps running, less the time spent here
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - t0), 1e-3))


@contextmanager
def _ctrl_c_seen(flag: list[bool]) -> Iterator[None]:
    """Record a real Ctrl-C (SIGINT), so it can be told from a KeyboardInterrupt the code raises."""
    if not _main_thread() or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return

    def interrupted(signum, frame):
        flag[0] = True
        signal.default_int_handler(signum, frame)
    signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextmanager
def user_code(what: str, where: SrcLoc | None, time_limit: float | None = None,
              hint: str | None = None) -> Iterator[None]:
    """Run user code: `what` says what it was doing ("loading the spec"), `where` is the place to
    blame when no line of user code is on the traceback. UserErrors pass through unchanged, and
    so does an enclosing time limit's TimeUp (it is not this code's error)."""
    ctrl_c = [False]
    try:
        with _ctrl_c_seen(ctrl_c), time_limited(time_limit):
            yield
    except UserError:
        raise
    except TimeUp as e:
        if time_limit is None:
            raise     # an enclosing time limit's: its owner says what ran out
        raise UserError(f"{what} took longer than the time limit ({time_limit:g} s); it was "
                        "interrupted here", traceback_loc(e) or where,
                        "look for a loop that never ends, or raise --time-limit") from None
    except SystemExit as e:
        raise UserError(f"{what} called sys.exit({'' if e.code is None else repr(e.code)})",
                        traceback_loc(e) or where, "flushcheck runs this code to get the checks; it "
                        "must not exit (remove the call)") from None
    except KeyboardInterrupt as e:
        if ctrl_c[0]:
            raise
        raise UserError(f"{what} raised KeyboardInterrupt", traceback_loc(e) or where, hint) from None
    except MemoryError:
        raise     # the caller decides: out of memory in a search is "incomplete", not bad input
    except BaseException as e:   # anything else the user's code raised
        raise UserError(f"{type(e).__name__} while {what}: {e}", traceback_loc(e) or where,
                        hint) from None


def finite_positive(v: object) -> bool:
    """A usable limit: a real, finite, positive number (not a bool, not NaN or infinity)."""
    return (not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)
            and v > 0)
