"""The pytest plugin: `pytest specs/` runs each check of each spec as a test item."""
import importlib.metadata
import os
import re
from pathlib import Path

import pytest

from checker.pytest_plugin import is_spec_file

from .conftest import ROOT

pytest_plugins = ["pytester"]

GOOD = '''"""A bug spec: passes because the violation is expected."""
from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, wait_for_ack=False,
              expect="violates no_stale_access")
'''
WRONG = '''"""The same bug, but the spec claims the design holds."""
from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECKS = [
    Check(PROTOCOL, name="claims_holds", cpus=2, pages=1, rounds=1, wait_for_ack=False, expect="holds"),
    Check(PROTOCOL, name="really_holds", cpus=2, pages=1, rounds=1, expect="holds"),
]
'''


def test_registered_through_the_pytest11_entry_point():
    eps = [e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "flushcheck"]
    assert [e.value for e in eps] == ["checker.pytest_plugin"], \
        "reinstall flushcheck (pip install -e '.[dev]') so that its pytest11 entry point is registered"


def _run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "addopts=", *args)


def test_specs_pass_and_a_wrong_expectation_fails_with_the_trace(pytester):
    pytester.makepyfile(**{"specs/bugs/free_before_ack": GOOD, "specs/wrong": WRONG})
    r = _run(pytester, "specs", "-v")
    r.assert_outcomes(passed=2, failed=1)
    out = r.stdout.str()
    assert re.search(r"specs/bugs/free_before_ack.py::free_before_ack PASSED", out)
    assert re.search(r"specs/wrong.py::really_holds PASSED", out)
    assert "wrong.py::claims_holds: expected holds, got violated no_stale_access" in out
    assert "shortest counterexample, 8 steps" in out and "user_access(c=1, p=0)" in out
    assert "✗ no_stale_access violated in the last state — witness CPU=1, Page=0" in out
    assert "Traceback" not in out


def test_a_spec_named_on_the_command_line_is_not_imported_as_a_test_module(pytester):
    pytester.makepyfile(**{"specs/bugs/free_before_ack": GOOD})
    r = _run(pytester, "specs/bugs/free_before_ack.py", "--collect-only", "-q")
    assert r.ret == 0
    assert r.stdout.lines[0] == "specs/bugs/free_before_ack.py::free_before_ack"
    assert sum("free_before_ack" in line for line in r.stdout.lines) == 1
    assert "<Module" not in r.stdout.str()


def test_a_broken_spec_fails_with_its_one_line_error(pytester):
    pytester.makepyfile(**{"specs/bad": GOOD.replace("pages=1", "pagez=1")})
    r = _run(pytester, "specs")
    r.assert_outcomes(failed=1)
    assert "has no parameter 'pagez'" in r.stdout.str() and "Traceback" not in r.stdout.str()


def test_ordinary_tests_and_helpers_are_not_specs(pytester):
    pytester.makepyfile(test_ordinary="def test_x():\n    assert True\n",
                        helper="from checker.spec import Check\n\ndef make(p):\n    return Check(p)\n")
    r = _run(pytester)
    r.assert_outcomes(passed=1)


def test_the_repository_tests_are_not_specs_and_the_specs_are():
    tests = [p for p in Path(ROOT, "tests").rglob("*.py")]
    assert tests and not [p for p in tests if is_spec_file(p)]
    specs = list(Path(ROOT, "specs").rglob("*.py"))
    assert specs and all(is_spec_file(p) for p in specs if not p.name.startswith("_"))


@pytest.mark.skipif(not os.path.isdir(os.path.join(ROOT, "specs", "bugs")), reason="no specs/")
def test_pytest_specs_in_the_repository_passes(pytester):
    r = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", ROOT,
                                      os.path.join(ROOT, "specs", "bugs"))
    assert r.ret == 0, r.stdout.str()
    assert r.parseoutcomes()["passed"] >= 6
