"""--replay TRACE.itf.json: a saved trace re-executed against the current model — still violates
(exit 1), no longer a real execution at step k (exit 0), or replays without violating (exit 0);
a trace that does not fit the model, or is not a trace, is bad input (exit 2)."""
import json

import pytest

from checker.cli import main

from .conftest import spec_path

BUG = spec_path("bugs", "free_before_ack.py")
FIXED = '''from checker.spec import Check
from protocols.baseline import PROTOCOL
CHECK = Check(PROTOCOL, name="free_before_ack", cpus=2, pages=1, rounds=1)
'''


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err.strip()


@pytest.fixture
def saved(tmp_path, capsys):
    """The bug spec's counterexample, saved as an ITF file."""
    assert main([BUG, "--itf", str(tmp_path / "t"), "--quiet"]) == 1
    capsys.readouterr()
    return tmp_path / "t" / "free_before_ack.itf.json"


def test_a_bug_trace_still_violates(saved, tmp_path, capsys):
    code, out, _ = run(["--replay", str(saved), "--json", str(tmp_path / "r.json")], capsys)  # SPEC from the trace
    assert code == 1
    assert "still violates no_stale_access at step 8" in out and "8 of 8 steps re-executed" in out
    assert "shortest counterexample, 8 steps" in out
    r = json.loads((tmp_path / "r.json").read_text())["checks"][0]
    assert r["replay"]["outcome"] == "violates" and r["replay"]["step"] == 8
    assert r["verdict"] == "violated" and r["violation"]["invariant"] == "no_stale_access"


def test_the_fixed_model_no_longer_has_the_execution(saved, tmp_path, capsys):
    fixed = tmp_path / "fixed.py"
    fixed.write_text(FIXED)
    code, out, _ = run([str(fixed), "--replay", str(saved)], capsys)
    assert code == 0
    assert "no longer a real execution at step 6: csd_lock_wait is not enabled" in out
    assert "5 of 8 steps re-executed" in out


def test_a_trace_that_replays_without_violating(saved, tmp_path, capsys):
    """The same model, checking only an invariant the trace does not break."""
    spec = tmp_path / "other.py"
    with open(BUG) as f:
        spec.write_text(f.read().replace('expect="violates no_stale_access"',
                                         'invariants=["no_freed_table_walk"]'))
    code, out, _ = run([str(spec), "--replay", str(saved)], capsys)
    assert code == 0
    assert "replays but no longer violates: all 8 steps are transitions of the model" in out


def test_a_trace_without_action_names_still_replays(saved, tmp_path, capsys):
    """An ITF trace from another tool names no actions: each step is matched to some instance."""
    doc = json.loads(saved.read_text())
    for st in doc["states"]:
        st["#meta"] = {"index": st["#meta"]["index"]}
    bare = tmp_path / "bare.itf.json"
    bare.write_text(json.dumps(doc))
    code, out, _ = run([BUG, "--replay", str(bare)], capsys)
    assert code == 1 and "still violates no_stale_access at step 8" in out
    assert "user_access(c=1, p=0)" in out                   # the instance found for the last step


def test_a_step_that_leads_elsewhere_is_named(saved, tmp_path, capsys):
    doc = json.loads(saved.read_text())
    doc["states"][2]["mm_tlb_gen"] = {"#bigint": "1"}       # step 2 did not increment it
    bad = tmp_path / "edited.itf.json"
    bad.write_text(json.dumps(doc))
    code, out, _ = run([BUG, "--replay", str(bad)], capsys)
    assert code == 0
    assert "no longer a real execution at step 2: madvise_dontneed leads to another state: " \
           "mm_tlb_gen is 0 in the model, 1 in the trace" in out


def test_a_lasso_still_violates_and_fairness_is_rechecked(tmp_path, capsys):
    argv = [spec_path("baseline.py"), "--cpus", "2", "--set", "rounds=1", "--set", "gup_fast=true"]
    assert main(argv + ["--set", "ipi_fair=weak", "--itf", str(tmp_path / "t"), "--quiet"]) == 1
    capsys.readouterr()
    lasso = tmp_path / "t" / "baseline.itf.json"
    doc = json.loads(lasso.read_text())
    assert doc["loop"] is not None and doc["#meta"]["loop_action"]["action"] == "gup_fast_end"
    code, out, _ = run(argv + ["--set", "ipi_fair=weak", "--replay", str(lasso)], capsys)
    assert code == 1 and "still violates flush_completes" in out
    # under strong fairness of IPI delivery the same loop is unfair: no longer a counterexample
    code, out, _ = run(argv + ["--replay", str(lasso)], capsys)
    assert code == 0 and "the loop is not fair" in out and "strongly fair" in out


def test_old_none_encoding_is_read(saved, tmp_path, capsys):
    """Traces written before schema 3 (none as {"#bigint": "-1"}) replay too."""
    doc = json.loads(saved.read_text())

    def old_form(x):       # an optional member: a number, -1 for none
        if isinstance(x, dict) and "#map" in x:
            return {"#map": [[k, old_form(v)] for k, v in x["#map"]]}
        return x["#set"][0] if x["#set"] else {"#bigint": "-1"}
    for st in doc["states"]:
        for var in doc["#meta"]["optional"]:
            st[var] = old_form(st[var])
    assert doc["states"][0]["psc"] == {"#map": [[{"#bigint": "0"}, {"#bigint": "-1"}],
                                                [{"#bigint": "1"}, {"#bigint": "-1"}]]}
    old = tmp_path / "old.itf.json"
    old.write_text(json.dumps(doc))
    code, out, _ = run([BUG, "--replay", str(old)], capsys)
    assert code == 1 and "still violates no_stale_access at step 8" in out


@pytest.mark.parametrize("edit, says", [
    (lambda d: d.update(vars=d["vars"] + ["bogus"]) or [s.update(bogus=True) for s in d["states"]],
     "the trace does not fit model baseline: the trace has bogus, which the model lacks"),
    (lambda d: d["states"][1].update(phase="sleeping"),
     "states[1]: phase: expected one of"),
    (lambda d: d["states"][0].update(mm_tlb_gen={"#bigint": "99"}),
     "states[0]: mm_tlb_gen: 99 is outside its range"),
    (lambda d: d["states"][0].update(tlb={"#map": []}),
     "states[0]: tlb: keys [0, 1] are missing"),
])
def test_a_trace_that_does_not_fit_is_bad_input(saved, tmp_path, capsys, edit, says):
    doc = json.loads(saved.read_text())
    edit(doc)
    bad = tmp_path / "bad.itf.json"
    bad.write_text(json.dumps(doc))
    code, _, err = run([BUG, "--replay", str(bad)], capsys)
    assert code == 2 and err.startswith(f"{bad}: error: ") and says in err, err
    assert len(err.splitlines()) == 1


def test_malformed_or_missing_traces(tmp_path, capsys):
    code, _, err = run([BUG, "--replay", str(tmp_path / "none.itf.json")], capsys)
    assert code == 2 and "trace file" in err and "not found" in err
    bad = tmp_path / "bad.itf.json"
    bad.write_text("{\n  \"vars\": [\n")
    code, _, err = run([BUG, "--replay", str(bad)], capsys)
    assert code == 2 and err.startswith(f"{bad}:3: error: not JSON")
    bad.write_text('{"states": 3}')
    code, _, err = run([BUG, "--replay", str(bad)], capsys)
    assert code == 2 and "not an ITF trace" in err
    code, _, err = run(["--replay", str(bad), "--all"], capsys)
    assert code == 2 and "--replay and --all do not go together" in err
