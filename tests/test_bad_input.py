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
    (["--cpus", "100"], "cpus=100 is outside the bounds 2..64"),
    (["--cpus", "0"], "cpus=0 is outside the bounds"),
    (["--pages", "9"], "pages=9 is outside the bounds 1..3"),
    (["--set", "rounds=-1"], "rounds=-1 is outside the bounds 1..3"),
    (["--set", "nmi_block=maybe"], "nmi_block of protocol async_inline is true or false"),
    (["--set", "no_such=1"], "protocol async_inline has no parameter 'no_such'"),
    (["--set", "rounds"], "is not NAME=VALUE"),
    (["--max-states", "0"], "must be positive"),
    (["--memory-limit", "lots"], "--memory-limit 'lots' is not a size"),
    (["--fingerprint", "--backend", "explicit"], "--fingerprint needs the fast backend"),
])
def test_absurd_bounds_and_bad_overrides(capsys, argv, words):
    code, err = run([spec_path("async_inline.py")] + argv, capsys)
    assert code == 2 and words in err


@pytest.mark.parametrize("spec", ["invlpgb.py", "rar.py"])
def test_global_asids_need_the_allocator(capsys, spec):
    """A third global ASID means nothing without the allocator: refused, naming the fix."""
    code, err = run([spec_path(spec), "--set", "global_asids=3"], capsys)
    assert code == 2 and "global_asids=3 without the allocator" in err and "give allocator=True" in err


def test_absurd_bounds_in_spec(tmp_path, capsys):
    p = write(tmp_path, "b.py", "from checker.spec import Check\n"
              "from protocols.baseline import PROTOCOL\nCHECK = Check(PROTOCOL, cpus=65)\n")
    code, err = run([p], capsys)
    assert code == 2 and f"{p}:3: error: cpus=65 is outside the bounds" in err


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


# ---------------------------------------------------------------- spec code and Check arguments
# (issue 12) each spec is HEAD plus one line; the error names that line, exit 2, no traceback

HEAD = "from checker.spec import Check\nfrom tests.fixtures.toy import toy\n"


@pytest.mark.parametrize("line,words", [  # the error is at the last line unless noted
    ("import sys; sys.exit(0)", "loading the spec called sys.exit(0)"),
    ("import sys; sys.exit(3)", "loading the spec called sys.exit(3)"),
    ("raise SystemExit('bye')", "loading the spec called sys.exit('bye')"),
    ("raise KeyboardInterrupt", "loading the spec raised KeyboardInterrupt"),
    ("raise ValueError('no')", "ValueError while loading the spec: no"),
    ("class Stop(BaseException): pass\nraise Stop('x')", "Stop while loading the spec: x"),
    ("def f(): return f()  # AT\nf()", "RecursionError while loading the spec"),
    ("CHECK = Check(toy('ok'), deadlock='no')", "deadlock='no' must be True or False"),
    ("CHECK = Check(toy('ok'), liveness=1)", "liveness=1 must be True or False"),
    ("CHECK = Check(toy('ok'), time_limit=float('nan'))", "time_limit=nan must be a positive number"),
    ("CHECK = Check(toy('ok'), time_limit=float('inf'))", "time_limit=inf must be a positive number"),
    ("CHECK = Check(toy('ok'), max_depth=float('inf'))", "max_depth=inf must be a positive whole number"),
    ("CHECK = Check(toy('ok'), max_states=1.5)", "max_states=1.5 must be a positive whole number"),
    ("CHECK = Check(toy('ok'), max_states=True)", "max_states=True must be a positive whole number"),
    ("CHECK = Check(toy('ok'), name='')", "name='' must be a non-empty string"),
    ("CHECK = Check(toy('ok'), invariants='small')", "invariants='small' must be a list of names"),
    ("CHECK = Check(toy('ok'), strengthen=[1])", "strengthen=[1] must be a list of names"),
    ("CHECK = Check(None)", "Check needs a protocol"),
    ("CHECK = Check(toy('ok'), dead_ok={'step': ''})", "must map action names to the reason"),
    ("CHECK = Check(toy('ok'), uncovered_ok=['window'])", "must map cover names to the reason"),
    ("CHECK = Check(toy('ok'), min_mutation_score=2)", "must be a fraction in 0..1"),
])
def test_bad_spec_code_is_its_located_error(tmp_path, capsys, line, words):
    p = write(tmp_path, "s.py", HEAD + line + "\n")
    code, err = run([p], capsys)
    lines = line.split("\n")
    at = 3 + next((i for i, ln in enumerate(lines) if "# AT" in ln), len(lines) - 1)
    assert code == 2 and words in err, err
    assert err.startswith(f"{p}:{at}: error:"), err


def test_duplicate_check_names(tmp_path, capsys):
    p = write(tmp_path, "d.py", HEAD + "A = Check(toy('ok'), name='same')\nB = Check(toy('ok'), name='same')\n")
    code, err = run([p], capsys)
    assert code == 2 and err.startswith(f"{p}:4: error: two checks are named 'same'")
    assert f"the other is at {p}:3" in err


def test_build_returning_none_is_the_specs_error(tmp_path, capsys):
    p = write(tmp_path, "n.py", "from checker.spec import Check\nfrom checker.lang import Protocol\n"
              "def build(cfg):\n    pass\nCHECK = Check(Protocol('nothing', build, ()))\n")
    code, err = run([p], capsys)
    assert code == 2 and err.startswith(f"{p}:3: error: the build function of protocol nothing "
                                        "returned NoneType, not a Model"), err
    assert "internal error" not in err


def test_build_that_exits_is_the_specs_error(tmp_path, capsys):
    p = write(tmp_path, "x.py", "import sys\nfrom checker.spec import Check\nfrom checker.lang import Protocol\n"
              "def build(cfg):\n    sys.exit(1)\nCHECK = Check(Protocol('quits', build, ()))\n")
    code, err = run([p], capsys)
    assert code == 2 and err.startswith(f"{p}:5: error: building protocol quits called sys.exit(1)"), err


def test_spec_that_hangs_at_import_is_stopped_by_the_time_limit(tmp_path, capsys):
    p = write(tmp_path, "h.py", "n = 0\nwhile True:\n    n += 1\n")
    code, err = run([p, "--time-limit", "0.5"], capsys)
    assert code == 2 and "loading the spec took longer than the time limit (0.5 s)" in err
    assert err.startswith(f"{p}:2: error:") or err.startswith(f"{p}:3: error:"), err


# ---------------------------------------------------------------- what is given as a spec file

def test_directory_as_spec(tmp_path, capsys):
    code, err = run([str(tmp_path)], capsys)
    assert code == 2 and f"spec file '{tmp_path}' is a directory" in err and f"--gate {tmp_path}" in err


def test_symlink_loop_as_spec(tmp_path, capsys):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.symlink_to(b)
    b.symlink_to(a)
    code, err = run([str(a)], capsys)
    assert code == 2 and "is a symbolic link loop" in err


def test_broken_symlink_as_spec(tmp_path, capsys):
    a = tmp_path / "a.py"
    a.symlink_to(tmp_path / "gone.py")
    code, err = run([str(a)], capsys)
    assert code == 2 and "is a broken symbolic link (to" in err


def test_fifo_as_spec(tmp_path, capsys):
    f = tmp_path / "f.py"
    os.mkfifo(f)
    code, err = run([str(f)], capsys)
    assert code == 2 and "is not a regular file" in err


@pytest.mark.parametrize("data,line,words", [
    (b"from checker.spec import Check\n# caf\xe9\n", 2, "the spec is not valid utf-8: byte 0xe9"),
    (b"# -*- coding: klingon -*-\nX = 1\n", 1, "cannot decode the spec: unknown encoding"),
    (b"X = 1\nY = '\x00'\n", 0, "syntax error"),
])
def test_undecodable_spec(tmp_path, capsys, data, line, words):
    p = tmp_path / "enc.py"
    p.write_bytes(data)
    code, err = run([str(p)], capsys)
    assert code == 2 and words in err, err
    assert err.startswith(f"{p}:{line}: error:") if line else err.startswith(f"{p}:")


# ---------------------------------------------------------------- command-line values

@pytest.mark.parametrize("argv,words", [
    (["--time-limit", "nan"], "--time-limit must be positive, got nan"),
    (["--time-limit", "inf"], "--time-limit must be positive, got inf"),
    (["--time-limit", "-1"], "--time-limit must be positive"),
    (["--max-depth", "0"], "--max-depth must be positive"),
    (["--workers", "0"], "--workers must be between 1 and 64"),
    (["--set", "=3"], "is not NAME=VALUE"),
    (["--check", "nope"], "no check named 'nope'"),
    (["--witness", "nope"], "--witness nope: no cover property or hazard precondition"),
    (["--graph-limit", "5"], "--graph-limit only applies to --dot/--graphml"),
    (["--junit", "x.xml"], "--junit needs --gate DIR"),
    (["--mutate"], "--mutate needs --gate DIR"),
])
def test_bad_command_line_values(capsys, argv, words):
    code, err = run([spec_path("baseline.py"), "--cpus", "2", "--set", "rounds=1", "--quiet"] + argv, capsys)
    assert code == 2 and words in err, err


def test_gate_misuse(tmp_path, capsys):
    code, err = run(["--gate", str(tmp_path / "none")], capsys)
    assert code == 2 and "not a directory" in err
    code, err = run(["--gate", str(tmp_path), spec_path("baseline.py")], capsys)
    assert code == 2 and "either --gate DIR or spec files" in err
    code, err = run(["--gate", str(tmp_path), "--dot", "g.dot"], capsys)
    assert code == 2 and "not a whole gate" in err


def test_backend_fast_without_a_compiler(monkeypatch, capsys):
    monkeypatch.setenv("CC", "/nonexistent/cc")
    code, err = run([spec_path("baseline.py"), "--cpus", "2", "--set", "rounds=1", "--backend", "fast",
                     "--quiet"], capsys)
    assert code == 2 and "--backend fast cannot run here: the C compiler CC='/nonexistent/cc' was not found" in err


# ---------------------------------------------------------------- report paths

def _toy_ok(tmp_path):
    return write(tmp_path, "ok.py", HEAD + "CHECK = Check(toy('ok'), deadlock=False)\n")


@pytest.mark.parametrize("flags,words", [
    (lambda d, s: ["--json", s], "--json {s} would overwrite the spec file {s}"),
    (lambda d, s: ["--html", os.path.join(d, "..", os.path.basename(d), "ok.py")], "would overwrite the spec file"),
    (lambda d, s: ["--json", os.path.join(d, "r"), "--html", os.path.join(d, "r")], "--json and --html both write"),
    (lambda d, s: ["--json", d], "cannot write --json {d}: it is a directory"),
    (lambda d, s: ["--json", os.path.join(d, "no", "r.json")], "the directory {d}/no does not exist"),
])
def test_report_paths_refused_before_the_run(tmp_path, capsys, flags, words):
    s = _toy_ok(tmp_path)
    before = open(s).read()
    code, err = run([s, "--quiet"] + flags(str(tmp_path), s), capsys)
    assert code == 2 and words.format(d=tmp_path, s=s) in err, err
    assert open(s).read() == before


def test_mutate_refuses_json_over_its_spec_and_nan(tmp_path, capsys):
    s = _toy_ok(tmp_path)
    code, err = run(["mutate", s, "--json", s], capsys)
    assert code == 2 and "would overwrite the spec file" in err
    code, err = run(["mutate", s, "--time-limit", "nan"], capsys)
    assert code == 2 and "--time-limit must be positive, got nan" in err
