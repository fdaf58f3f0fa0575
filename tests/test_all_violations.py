"""--all: the search goes on after the first violation and reports every violated property with
its shortest trace — the same trace a run checking that property alone gives."""
import json
import os

import jsonschema

from checker.cli import main
from checker.result import Verdict
from checker.run import RunOptions, run_check
from checker.spec import Check, load_spec

from .conftest import spec_path

BUG = spec_path("bugs", "free_before_ack.py")


def test_every_violated_invariant_with_its_single_invariant_shortest_trace():
    check = load_spec(BUG)[0]
    r = run_check(BUG, check, RunOptions(all_violations=True))
    assert r.verdict is Verdict.VIOLATED
    assert r.violated == ["no_stale_access", "flush_info_live", "no_freed_table_walk"]
    traces = [r.trace, *r.others]
    assert [len(t) for t in traces] == [8, 8, 9]
    for t in traces:      # each one is what a run checking that invariant alone finds
        name = t.violation.invariant
        alone = run_check(BUG, Check(check.protocol, invariants=[name], **check.params))
        assert alone.violation.invariant == name and alone.trace == t, name
    first = run_check(BUG, check)                # without --all: the first of them, unchanged
    assert first.trace == r.trace and first.others == []
    assert r.stats.states == 616 and first.stats.states < r.stats.states   # the whole space


def test_deadlock_and_invariants_together():
    path = spec_path("bugs", "tlb_gen_partial_flush.py")
    check = next(c for c in load_spec(path) if c.name == "partial_of_flush_all")
    r = run_check(path, check, RunOptions(all_violations=True))
    assert "deadlock" in r.violated
    d = next(t for t in [r.trace, *r.others] if t.violation.invariant == "deadlock")
    assert len(d) == 5 and d.violation.kind == "deadlock"   # as the spec's own run finds it


def test_text_json_and_gate_show_them_all(tmp_path, capsys):
    assert main([BUG, "--all", "--quiet", "--json", str(tmp_path / "r.json")]) == 1
    out = capsys.readouterr().out
    assert "violated 3 properties (--all): no_stale_access (8 steps), flush_info_live (8 steps), " \
           "no_freed_table_walk (9 steps)" in out
    assert out.count("shortest counterexample") == 3 and "3/3 no_freed_table_walk" in out
    c = json.loads((tmp_path / "r.json").read_text())["checks"][0]
    assert [(v["invariant"], v["steps"]) for v in c["violations"]] == \
        [("no_stale_access", 8), ("flush_info_live", 8), ("no_freed_table_walk", 9)]
    assert c["violation"]["invariant"] == "no_stale_access" and c["expectation_met"] is True
    assert all(len(v["trace"]["states"]) == v["steps"] + 1 for v in c["violations"])

    d = tmp_path / "g"
    d.mkdir()
    with open(BUG) as f:
        (d / "free_before_ack.py").write_text(f.read())
    assert main(["--gate", str(d), "--all", "--quiet", "--sarif", str(tmp_path / "o.sarif"),
                 "--itf", str(tmp_path / "itf")]) == 0
    out = capsys.readouterr().out
    assert "violated no_stale_access, flush_info_live, no_freed_table_walk" in out
    sarif = json.loads((tmp_path / "o.sarif").read_text())
    with open(os.path.join(os.path.dirname(__file__), "schemas", "sarif-schema-2.1.0.json")) as f:
        jsonschema.Draft4Validator(json.load(f)).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert all(len(x["codeFlows"][0]["threadFlows"]) >= 1 and x["relatedLocations"] for x in results)
    assert [x["ruleId"] for x in results] == ["no_stale_access", "flush_info_live", "no_freed_table_walk"]
    assert sorted(p.name for p in (tmp_path / "itf").iterdir()) == [
        "free_before_ack.flush_info_live.itf.json", "free_before_ack.no_freed_table_walk.itf.json",
        "free_before_ack.no_stale_access.itf.json"]


def test_all_on_a_holding_spec_holds(capsys):
    assert main([spec_path("baseline.py"), "--cpus", "2", "--set", "rounds=1", "--all", "--quiet"]) == 0
    assert "318 distinct states" in capsys.readouterr().out


def test_all_refuses_what_it_cannot_do(capsys):
    assert main([BUG, "--all", "--backend", "smt"]) == 2
    assert "--all and --backend smt/--prove do not go together" in capsys.readouterr().err
    assert main([BUG, "--all", "--fingerprint"]) == 2
    assert "--all and --fingerprint do not go together" in capsys.readouterr().err
