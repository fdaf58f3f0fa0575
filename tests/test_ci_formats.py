"""CI outputs of the gate: JUnit XML, SARIF 2.1.0 (schema-validated), GitHub annotations; and
the state-graph export (--dot/--graphml) with its size limit."""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema
import networkx as nx
import pytest

from .conftest import ROOT, spec_path

SCHEMA = os.path.join(os.path.dirname(__file__), "schemas", "sarif-schema-2.1.0.json")

WRONG = '''"""The bug is real, but this spec says the design holds."""
from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, wait_for_ack=False, expect="holds")
'''
MISSING = '''from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, expect="violates no_stale_access")
'''
BROKEN = '''from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pagez=1)
'''


def cli(*args, cwd, env=None):
    e = {**os.environ, "GITHUB_ACTIONS": "false", **(env or {})}
    e["PYTHONPATH"] = ROOT + os.pathsep + e.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True,
                          cwd=cwd, env=e)


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    """A gate over one bug spec (met), a wrong expectation, a missing violation and a broken spec."""
    d = tmp_path_factory.mktemp("gate")
    specs = d / "specs"
    (specs / "bugs").mkdir(parents=True)
    (specs / "bugs" / "free_before_ack.py").write_text(open(spec_path("bugs", "free_before_ack.py")).read())
    (specs / "wrong.py").write_text(WRONG)
    (specs / "missing.py").write_text(MISSING)
    (specs / "broken.py").write_text(BROKEN)
    p = cli("--gate", "specs", "--quiet", "--junit", "out.xml", "--sarif", "out.sarif", cwd=d,
            env={"GITHUB_ACTIONS": "true"})
    return d, p


def test_gate_exit_code_is_unchanged(gate):
    _, p = gate
    assert p.returncode == 2, p.stderr      # a spec error outranks unmet expectations, as before


def test_junit_shape(gate):
    d, _ = gate
    root = ET.parse(d / "out.xml").getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    s = suites[0]
    cases = s.findall("testcase")
    assert int(s.get("tests")) == len(cases) == 4
    assert int(s.get("failures")) == 2 and int(s.get("errors")) == 1 and s.get("skipped") == "0"
    for a in ("name", "time", "timestamp"):
        assert s.get(a)
    by = {c.get("name"): c for c in cases}
    for c in cases:
        assert c.get("classname") and float(c.get("time")) >= 0
    met = by["free_before_ack"]
    assert met.find("failure") is None and met.get("classname") == "specs.bugs.free_before_ack"
    assert "shortest counterexample, 8 steps" in met.find("system-out").text
    f = by["wrong"].find("failure")
    assert f.get("message").startswith("expected holds, got violated no_stale_access")
    assert "8 steps: tlb_fill(c=1, p=0) [CPU 1] → madvise_dontneed [CPU 0]" in f.get("message")
    assert "user_access(c=1, p=0) [CPU 1]" in f.get("message")
    assert "✗ no_stale_access violated" in by["wrong"].find("system-out").text
    assert by["wrong"].get("file") == "specs/wrong.py" and by["wrong"].get("line") == "5"
    assert "holds" in by["missing"].find("failure").get("message")
    err = [c for c in cases if c.find("error") is not None]
    assert len(err) == 1 and "pagez" in err[0].find("error").get("message")


def test_sarif_validates_against_the_2_1_0_schema(gate):
    d, _ = gate
    doc = json.loads((d / "out.sarif").read_text())
    with open(SCHEMA) as f:
        jsonschema.Draft4Validator(json.load(f)).validate(doc)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "flushcheck"
    assert run["invocations"][0]["executionSuccessful"] is False
    assert "pagez" in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    res = {r["properties"]["check"]: r for r in run["results"]}
    assert set(res) == {"free_before_ack", "wrong", "missing"}
    w = res["wrong"]
    assert (w["ruleId"], w["level"]) == ("no_stale_access", "error") and "suppressions" not in w
    # one location, the spec line of the check (GitHub shows only the first) ...
    (spec_loc,) = (x["physicalLocation"] for x in w["locations"])
    assert spec_loc["artifactLocation"] == {"uri": "specs/wrong.py", "uriBaseId": "%SRCROOT%"}
    assert spec_loc["region"]["startLine"] == 5
    # ... and, related, the line of protocols/tlb.py that defines the invariant
    (rel,) = w["relatedLocations"]
    inv_loc = rel["physicalLocation"]
    path = inv_loc["artifactLocation"]["uri"].removeprefix("file://")
    line = open(path).read().splitlines()[inv_loc["region"]["startLine"] - 1]
    assert path.endswith("protocols/tlb.py") and "no_stale_access" in line
    assert rel["id"] == 1 and "no_stale_access is defined here" in rel["message"]["text"]
    flows = w["codeFlows"][0]["threadFlows"]
    assert [f["id"] for f in flows] == ["CPU 0", "CPU 1"]
    steps = sorted((x for f in flows for x in f["locations"]), key=lambda x: x["executionOrder"])
    assert [x["executionOrder"] for x in steps] == list(range(1, 9))
    # each step is located at the protocol line that defines its action
    for x in steps:
        action = x["location"]["message"]["text"].split()[1].split("(")[0]
        phys = x["location"]["physicalLocation"]
        path = phys["artifactLocation"]["uri"].removeprefix("file://")
        with open(path) as f:
            src = f.read().splitlines()
        at = phys["region"]["startLine"]
        assert path.startswith("/") and "/protocols/" in path
        assert src[at - 1].lstrip().startswith(("@", "def ")), (path, at)    # its decorator or def
        assert any(f"def {action}(" in ln for ln in src[at - 1:at + 8]), (action, path, at)
    b = res["free_before_ack"]
    assert b["level"] == "note" and b["suppressions"][0]["kind"] == "inSource"
    assert res["missing"]["ruleId"] == "expected-violation-missing"
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])


def test_github_annotations(gate):
    _, p = gate
    ann = [line for line in p.stdout.splitlines() if line.startswith("::")]
    assert len(ann) == 3
    wrong = next(a for a in ann if "specs/wrong.py" in a)
    assert wrong.startswith("::error file=specs/wrong.py,line=5,title=flushcheck%3A wrong::expected holds")
    assert "8 steps: tlb_fill(c=1, p=0) [CPU 1]" in wrong and "no_stale_access is defined at " in wrong
    assert any(a.startswith("::error file=specs/broken.py,line=4,title=flushcheck%3A spec error::")
               for a in ann)
    for a in ann:    # every title escaped: a bare ':' or ',' in a property ends it early
        title = re.search(r"title=([^:]*)::", a).group(1)
        assert ":" not in title and "," not in title and "flushcheck%3A" in title


def test_no_annotations_outside_github_actions(tmp_path):
    p = cli("--gate", os.path.join(ROOT, "specs", "bugs"), "--quiet", cwd=tmp_path)
    assert p.returncode == 0 and "::" not in p.stdout


def test_ci_flags_need_gate_and_graphs_need_one_check(tmp_path):
    p = cli(spec_path("baseline.py"), "--junit", "x.xml", cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.strip() == \
        "error: --junit needs --gate DIR — e.g. python -m checker --gate specs --junit out.xml"
    p = cli(spec_path("bugs", "b1_lazy_cpu_table_free.py"), "--dot", "x.dot", cwd=tmp_path)
    assert p.returncode == 2 and "choose one with --check NAME" in p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_state_graph_export(tmp_path):
    p = cli(spec_path("bugs", "free_before_ack.py"), "--dot", "g.dot", "--graphml", "g.graphml",
            cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    G = nx.read_graphml(tmp_path / "g.graphml")
    assert G.number_of_nodes() == 294                       # the explored states, as reported
    path = [n for n, d in G.nodes(data=True) if d["on_path"]]
    assert len(path) == 9                                   # 8 steps and the initial state
    assert [n for n, d in G.nodes(data=True) if d["violating"]] != []
    s0 = G.nodes["0"]                                       # typed: booleans, numbers, text
    assert s0["freed_tables"] is False and s0["csd_locked[1]"] is False and s0["initial"] is True
    assert s0["mm_tlb_gen"] == 0 and isinstance(s0["mm_tlb_gen"], int)
    assert s0["tlb[1][0]"] == "none" and s0["mm_cpumask"] == "{0,1}" and s0["phase"] == "idle"
    text = (tmp_path / "g.graphml").read_text()
    assert 'attr.name="freed_tables" attr.type="boolean"' in text
    assert 'attr.name="mm_tlb_gen" attr.type="long"' in text
    marked = [(a, b, d["action"]) for a, b, d in G.edges(data=True) if d["on_path"]]
    assert len(marked) == 8 and "user_access(c=1, p=0)" in {m[2] for m in marked}
    dot = (tmp_path / "g.dot").read_text()
    assert dot.startswith('digraph "free_before_ack" {') and dot.rstrip().endswith("}")
    assert dot.count("penwidth=2.5") == 9                   # 8 path edges and the violating state


def test_state_graph_refused_above_the_limit(tmp_path):
    p = cli(spec_path("baseline.py"), "--dot", "g.dot", "--graph-limit", "500", cwd=tmp_path)
    assert p.returncode == 2
    assert "has more than 500 states, too many to draw" in p.stderr and "--graph-limit" in p.stderr
    assert not (tmp_path / "g.dot").exists()


def test_recording_the_graph_changes_no_verdict_or_count():
    from checker.run import RunOptions, run_check
    from checker.spec import load_spec
    path = spec_path("bugs", "b1_lazy_cpu_table_free.py")
    c = load_spec(path)[0]
    a, b = run_check(path, c), run_check(path, c, RunOptions(graph_limit=2000))
    assert (a.verdict, a.stats.states, a.stats.transitions, a.trace) == \
        (b.verdict, b.stats.states, b.stats.transitions, b.trace)
    assert a.graph is None and len(b.graph.nodes) == b.stats.states
    assert b.graph.path[0] == 0 and len(b.graph.path) == len(b.trace.steps)
