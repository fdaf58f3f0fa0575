"""Z3 sanity checks: vacuous invariants, dead guards, twin invariants, a false initial state."""
from __future__ import annotations

import os

import pytest

from checker.cli import main
from checker.errors import UserError
from checker.run import RunOptions, build_model, run_check
from checker.smt.encode import Encoding
from checker.smt.sanity import sanity
from checker.spec import Check, load_spec

from .conftest import ROOT, spec_path
from .fixtures.sanity_toy import PROTOCOL

VACUOUS_SPEC = os.path.join(ROOT, "tests", "fixtures", "_vacuous_spec.py")


def findings(flaw: str):
    check = Check(PROTOCOL, flaw=flaw)
    model = build_model(check, {})
    return sanity(Encoding(model), tuple(model.invariants) + tuple(model.auxiliary))


@pytest.mark.parametrize("flaw,kind,subject", [
    ("vacuous", "vacuous", "invariant users_bounded holds in every well-typed state"),
    ("dead_guard", "guard", "the guard of action overflow holds in no well-typed state"),
    ("twins", "equivalent", "invariant busy_counted is equivalent to users_counts_busy"),
    ("bad_init", "init", "invariant someone_busy does not hold in the initial state"),
])
def test_each_flaw_is_flagged_with_its_line(flaw, kind, subject):
    found = findings(flaw)
    assert [f.kind for f in found] == [kind]
    assert subject in found[0].message
    assert found[0].loc is not None and found[0].loc.file.endswith("sanity_toy.py")


def test_a_sound_model_has_no_findings():
    assert findings("none") == []


@pytest.mark.parametrize("family", ["baseline", "concurrent", "async_inline"])
def test_flush_families_are_sane(family):
    check = load_spec(spec_path(f"{family}.py"))[0]
    model = build_model(check, {"cpus": 3})
    assert sanity(Encoding(model), tuple(model.invariants) + tuple(model.auxiliary)) == []


def test_vacuous_spec_is_flagged_by_default_and_refused_with_strict(capsys):
    assert main([VACUOUS_SPEC, "--quiet"]) == 0  # a warning: the check itself holds
    out = capsys.readouterr().out
    assert "warning: sanity: tests/fixtures/sanity_toy.py:" in out
    assert "invariant users_bounded holds in every well-typed state: it asserts nothing" in out
    assert main([VACUOUS_SPEC, "--quiet", "--strict"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and ": error: sanity: invariant users_bounded" in err
    assert "(an error because of --strict)" in err
    assert main([VACUOUS_SPEC, "--quiet", "--no-sanity"]) == 0
    assert "warning: sanity" not in capsys.readouterr().out


def test_library_runs_skip_sanity_unless_asked():
    check = load_spec(VACUOUS_SPEC)[0]
    assert not any("sanity" in w for w in run_check("v", check).warnings)
    assert any("users_bounded" in w for w in run_check("v", check, RunOptions(sanity=True)).warnings)
    with pytest.raises(UserError):
        run_check("v", check, RunOptions(sanity=True, strict=True))
