"""The command line end to end: verdicts, exit codes, limits, gate mode, JSON/ITF output."""
import json
import re
import subprocess
import sys

from checker.cli import main

from .conftest import ROOT, spec_path


def test_main_spec_holds_with_state_count(capsys):
    assert main([spec_path("async_inline.py"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "holds within these bounds" in out and "84,771 distinct states" in out


def test_bug_spec_exits_1_with_trace(capsys):
    assert main([spec_path("bugs", "free_before_ack.py")]) == 1
    out = capsys.readouterr().out
    assert "violated no_stale_access" in out and "shortest counterexample, 8 steps" in out
    assert "tlb_finish_mmu" in out and "stale_access[1][0]: False → True" in out
    assert "witness CPU=1, Page=0" in out


def test_limits_give_incomplete_never_holds(capsys):
    assert main([spec_path("async_inline.py"), "--max-states", "2000", "--quiet"]) == 3
    assert main([spec_path("async_inline.py"), "--max-depth", "5", "--quiet"]) == 3
    out = capsys.readouterr().out
    assert "incomplete" in out and "holds" not in out.replace("holds within", "")
    assert "state limit 2,000 reached" in out and "depth limit 5 reached" in out


def test_depth_limit_at_full_depth_is_complete(capsys):
    # the safe spec's deepest state is at depth 27: a limit of 28 explores everything
    assert main([spec_path("async_inline.py"), "--max-depth", "28", "--quiet"]) == 0


def test_overrides_change_bounds(capsys):
    assert main([spec_path("baseline.py"), "--cpus", "2", "--set", "rounds=1", "--quiet"]) == 0
    assert "318 distinct states" in capsys.readouterr().out
    assert main([spec_path("baseline.py"), "--cpus", "2", "--set", "wait_for_ack=false", "--quiet"]) == 1


def test_gate_over_the_bug_catalogue(capsys):
    """Every bug spec and the fixed model beside it meet their expectations (.ci/run gates all of
    specs/, the holding 3-CPU checks included)."""
    assert main(["--gate", spec_path("bugs"), "--quiet"]) == 0
    out = capsys.readouterr().out
    met = re.search(r"(\d+)/(\d+) checks met their expectation", out)
    assert met and met.group(1) == met.group(2) and int(met.group(1)) >= 50


def test_gate_fails_on_unmet_expectation(tmp_path, capsys):
    (tmp_path / "wrong.py").write_text("from checker.spec import Check\n"
                                       "from protocols.baseline import PROTOCOL\n"
                                       "CHECK = Check(PROTOCOL, wait_for_ack=False)\n")
    assert main(["--gate", str(tmp_path), "--quiet"]) == 1
    assert "unmet" in capsys.readouterr().out


def test_json_with_itf_trace(tmp_path):
    out = tmp_path / "r.json"
    assert main([spec_path("bugs", "b1_lazy_cpu_table_free.py"), "--check", "b1_lazy_cpu_table_free",
                 "--json", str(out), "--quiet"]) == 1
    doc = json.loads(out.read_text())
    assert doc["format"] == "flushcheck-result" and doc["version"] == 3 and doc["exit_code"] == 1
    (c,) = doc["checks"]
    assert c["verdict"] == "violated" and c["violation"]["invariant"] == "no_freed_table_walk"
    assert c["violation"]["witness"] == {"CPU": 1}
    itf = c["trace"]
    assert itf["#meta"]["format"] == "ITF" and len(itf["states"]) == 11
    s0 = itf["states"][0]
    assert s0["mm_cpumask"] == {"#set": [{"#bigint": "0"}, {"#bigint": "1"}]}
    assert s0["tlb"]["#map"][1][1]["#map"][0] == [{"#bigint": "0"}, {"#set": []}]  # no entry: none
    assert itf["states"][-1]["#meta"]["action"] == "speculative_walk"
    assert set(itf["vars"]) == set(s0) - {"#meta"}


def test_console_script_and_module_agree():
    r = subprocess.run([sys.executable, "-m", "checker", spec_path("bugs", "free_before_ack.py")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1 and "violated no_stale_access" in r.stdout


def test_usage_names_the_program_as_typed():
    """`flushcheck --help` says flushcheck; `python -m checker --help` says python -m checker."""
    code = ("import sys; sys.argv[0] = '/usr/local/bin/flushcheck'; from checker.cli import main; "
            "main(['--help'])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert r.stdout.startswith("usage: flushcheck [-h]"), r.stdout[:200]
    r = subprocess.run([sys.executable, "-c", code.replace("'--help'", "'mutate', '--help'")],
                       capture_output=True, text=True, cwd=ROOT, check=False)
    assert r.stdout.startswith("usage: flushcheck mutate [-h]")
    r = subprocess.run([sys.executable, "-m", "checker", "--help"], capture_output=True, text=True, cwd=ROOT,
                       check=False)
    assert r.stdout.startswith("usage: python -m checker [-h]")
