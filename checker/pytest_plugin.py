"""pytest plugin (entry point `pytest11: flushcheck`): `pytest specs/` runs every check.

Each check of each spec file is one test item (`specs/bugs/free_before_ack.py::free_before_ack`).
It passes when the verdict meets the spec's expectation — a bug spec passes by being violated
as expected — and fails with the text report and trace otherwise. A spec that cannot be
loaded fails as one item with the one-line error.

What counts as a spec file: a `.py` file, not `conftest.py`, not named `_*`, `test_*.py` or
`*_test.py`, that imports `checker.spec` and assigns a `Check(...)` (or a list of them) to a
module-level name. Such files are never imported as ordinary test modules, not even when
named on the command line. `-p no:flushcheck` turns the plugin off.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .errors import UserError
from .report.ci import got, plain_report

_IMPORTS = re.compile(r"^\s*(from\s+checker\.spec\s+import|import\s+checker\.spec)\b", re.M)
_ASSIGNS = re.compile(r"^[A-Za-z_]\w*\s*(:[^=\n]*)?=\s*[\[(]?\s*Check\(", re.M)
_MADE = pytest.StashKey[set]()


def is_spec_file(path: Path) -> bool:
    name = path.name
    if path.suffix != ".py" or name == "conftest.py" or name.startswith(("_", "test_")) \
            or name.endswith("_test.py"):
        return False
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(_IMPORTS.search(text) and _ASSIGNS.search(text))


def _made(config: pytest.Config) -> set:
    if _MADE not in config.stash:
        config.stash[_MADE] = set()
    return config.stash[_MADE]


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector):
    """A spec named on the command line would become a Python test module: make it a spec."""
    if is_spec_file(module_path):
        _made(parent.config).add(module_path)
        return SpecFile.from_parent(parent, path=module_path)
    return None


@pytest.hookimpl(trylast=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path in _made(parent.config) or not is_spec_file(file_path):
        return None
    return SpecFile.from_parent(parent, path=file_path)


class SpecFailure(Exception):
    """A check whose verdict did not meet its expectation, or a spec that failed to load."""


class SpecFile(pytest.File):
    def collect(self):
        from .spec import load_spec
        try:
            checks = load_spec(str(self.path))
        except UserError as e:
            yield SpecLoadError.from_parent(self, name="<load>", message=str(e))
            return
        for c in checks:
            yield SpecCheck.from_parent(self, name=c.name, check=c)


class SpecCheck(pytest.Item):
    def __init__(self, *, check: Any, **kw):
        super().__init__(**kw)
        self.check = check
        self.result = None
        self.add_marker(pytest.mark.flushcheck)

    def runtest(self) -> None:
        from .run import run_check
        try:
            r = run_check(str(self.path), self.check)
        except UserError as e:
            raise SpecFailure(str(e)) from None
        self.result = r
        self.user_properties += [("verdict", r.verdict.value), ("expect", r.expect),
                                 ("states", r.stats.states), ("depth", r.stats.depth)]
        if not r.expectation_met:
            raise SpecFailure(f"expected {r.expect}, got {got(r)}\n\n{plain_report(r)}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, SpecFailure):
            return f"{self.path.name}::{self.name}: {excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        line = self.check.loc.line - 1 if self.check.loc else 0
        return self.path, line, f"{self.name} (expect {self.check.expect})"


class SpecLoadError(pytest.Item):
    def __init__(self, *, message: str, **kw):
        super().__init__(**kw)
        self.message = message

    def runtest(self) -> None:
        raise SpecFailure(self.message)

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, 0, "spec file"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "flushcheck: a check of a flushcheck spec file")
