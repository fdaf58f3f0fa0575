"""Bad input gets one clear `file:line: error: ...` message and exit code 2 — never a traceback."""
import os
import subprocess
import sys

import pytest

from checker.cli import main

from .conftest import ROOT, spec_path

TOY = os.path.join(ROOT, "tests", "fixtures", "toy.py")


def line_of(tag: str) -> int:
    with open(TOY) as f:
        return next(i for i, ln in enumerate(f, 1) if f"LINE:{tag}" in ln)


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, out.err.strip()


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def toy_spec(tmp_path, kind):
    return write(tmp_path, f"toy_{kind}.py",
                 "from checker.spec import Check\nfrom tests.fixtures.toy import toy\n"
                 f"CHECK = Check(toy({kind!r}))\n")


def test_syntax_error(tmp_path, capsys):
    p = write(tmp_path, "s.py", "from checker.spec import Check\nCHECK = Check(\n")
    code, err = run([p], capsys)
    assert code == 2 and err.startswith(f"{p}:") and "syntax error" in err


def test_missing_spec(capsys):
    code, err = run(["specs/no_such_spec.py"], capsys)
    assert code == 2 and "spec file 'specs/no_such_spec.py' not found" in err


def test_unknown_protocol(tmp_path, capsys):
    p = write(tmp_path, "u.py", "from checker.spec import Check\n"
              "from protocols.async_inlined import PROTOCOL\nCHECK = Check(PROTOCOL)\n")
    code, err = run([p], capsys)
    assert code == 2 and f"{p}:2: error: unknown protocol 'async_inlined'" in err
    assert "async_inline, baseline, concurrent" in err


def test_unknown_invariant(tmp_path, capsys):
    p = write(tmp_path, "i.py", "from checker.spec import Check\n"
              "from protocols.async_inline import PROTOCOL\n"
              "CHECK = Check(PROTOCOL, invariants=['no_stale_acces'])\n")
    code, err = run([p], capsys)
    assert code == 2 and f"{p}:3: error: unknown invariant 'no_stale_acces'" in err
    assert "did you mean 'no_stale_access'" in err


def test_unknown_invariant_in_expectation(tmp_path, capsys):
    p = write(tmp_path, "e.py", "from checker.spec import Check\n"
              "from protocols.baseline import PROTOCOL\n"
              "CHECK = Check(PROTOCOL, expect='violates no_such_thing')\n")
    code, err = run([p], capsys)
    assert code == 2 and "expect names unknown invariant 'no_such_thing'" in err


@pytest.mark.parametrize("kind,words", [
    ("out_of_range", "assigns 7 to x, outside its range 0..3"),
    ("double_assignment", "assigns f[c] twice in one step"),
    ("wrong_index_type", "must be a member of CPU, got `p` of type Page"),
    ("unknown_enum_value", "'c' is not a value of Ph"),
    ("unknown_name", "NameError while building protocol toy_unknown_name: name 'fz' is not defined"),
    ("python_and", "use & | ~"),
])
def test_model_errors_name_the_protocol_line(tmp_path, capsys, kind, words):
    code, err = run([toy_spec(tmp_path, kind)], capsys)
    assert code == 2
    assert err.startswith(f"{os.path.relpath(TOY)}:{line_of(kind)}: error:"), err
    assert words in err


def test_non_boolean_guard(tmp_path, capsys):
    code, err = run([toy_spec(tmp_path, "non_boolean_guard")], capsys)
    assert code == 2 and "the guard of action step is `x` of type 0..3, not a boolean" in err
    assert err.startswith(os.path.relpath(TOY) + ":")


def test_value_out_of_range_in_a_reached_state(tmp_path, capsys):
    code, err = run([toy_spec(tmp_path, "overflow")], capsys)
    assert code == 2 and "sets x to 4, outside its range 0..3" in err


@pytest.mark.parametrize("argv,words", [
    (["--cpus", "100"], "cpus=100 is outside the bounds 2..6"),
    (["--cpus", "0"], "cpus=0 is outside the bounds"),
    (["--pages", "9"], "pages=9 is outside the bounds 1..3"),
    (["--set", "rounds=-1"], "rounds=-1 is outside the bounds 1..3"),
    (["--set", "nmi_block=maybe"], "nmi_block of protocol async_inline is true or false"),
    (["--set", "no_such=1"], "protocol async_inline has no parameter 'no_such'"),
    (["--set", "rounds"], "is not NAME=VALUE"),
    (["--max-states", "0"], "must be positive"),
])
def test_absurd_bounds_and_bad_overrides(capsys, argv, words):
    code, err = run([spec_path("async_inline.py")] + argv, capsys)
    assert code == 2 and words in err


def test_absurd_bounds_in_spec(tmp_path, capsys):
    p = write(tmp_path, "b.py", "from checker.spec import Check\n"
              "from protocols.baseline import PROTOCOL\nCHECK = Check(PROTOCOL, cpus=64)\n")
    code, err = run([p], capsys)
    assert code == 2 and f"{p}:3: error: cpus=64 is outside the bounds" in err


def test_bad_expectation_and_no_checks(tmp_path, capsys):
    p = write(tmp_path, "x.py", "from checker.spec import Check\n"
              "from protocols.baseline import PROTOCOL\nCHECK = Check(PROTOCOL, expect='fine')\n")
    code, err = run([p], capsys)
    assert code == 2 and "expect='fine' is not a verdict" in err
    q = write(tmp_path, "y.py", "X = 1\n")
    code, err = run([q], capsys)
    assert code == 2 and "defines no Check" in err


def test_usage_errors_exit_2():
    r = subprocess.run([sys.executable, "-m", "checker", "--no-such-flag"], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "checker"], capture_output=True, text=True)
    assert r.returncode == 2 and "no spec given" in r.stderr


def test_unknown_caller_name_is_refused(capsys):
    code, err = run([spec_path("baseline.py"), "--set", "callers=munmap,madvse"], capsys)
    assert code == 2 and "'madvse' not among" in err
