"""Errors a user can cause, each carrying the spec/protocol file and line it came from.

Every exception the checker shows a user is a `UserError`: it prints as
``file:line: error: what — how to fix`` and maps to exit code 2.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass

_CHECKER_DIR = os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True)
class SrcLoc:
    """A place in a spec or protocol file."""

    file: str
    line: int

    def __str__(self) -> str:
        """`file:line`, or the file alone when the line is unknown (0)."""
        return f"{_display_path(self.file)}:{self.line}" if self.line > 0 else _display_path(self.file)


def _display_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _is_checker_frame(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_CHECKER_DIR + os.sep)


def caller_loc(skip_internal: bool = True) -> SrcLoc | None:
    """The innermost frame outside the checker package: the user's line that called us."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if not (skip_internal and _is_checker_frame(name)) and not name.startswith("<"):
            return SrcLoc(name, frame.f_lineno)
        frame = frame.f_back
    return None


def traceback_loc(exc: BaseException) -> SrcLoc | None:
    """The innermost traceback frame outside the checker: where user code went wrong."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not _is_checker_frame(name) and not name.startswith("<") and "site-packages" not in name \
                and not name.startswith(sys.prefix + os.sep + "lib"):
            found = SrcLoc(name, tb.tb_lineno)
        tb = tb.tb_next
    return found


class UserError(Exception):
    """Bad input: a malformed spec, an unknown name, a model type error, absurd bounds."""

    def __init__(self, message: str, loc: SrcLoc | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.hint = hint

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc else ""
        how = f" — {self.hint}" if self.hint else ""
        return f"{where}error: {self.message}{how}"


class ModelError(UserError):
    """A type or structure error in a model, found when the model is built."""

    def __init__(self, message: str, hint: str | None = None, loc: SrcLoc | None = None):
        super().__init__(message, loc or caller_loc(), hint)


class ModelRuntimeError(UserError):
    """A model error only visible in a reached state (e.g. a counter overflowing its range)."""
