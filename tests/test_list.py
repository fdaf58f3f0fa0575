"""`python -m checker list SPEC`: a spec's checks, parameters (ranges, defaults), variant switches
and the properties each checks with their meanings — as a table and as JSON."""
import json

from checker.cli import main

from .conftest import spec_path


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err.strip()


def test_list_shows_checks_parameters_switches_and_properties(capsys):
    code, out, _ = run(["list", spec_path("bugs", "tlb_gen_partial_flush.py")], capsys)
    assert code == 0
    for name in ("partial_without_next_gen", "partial_without_latest_gen", "partial_of_flush_all"):
        assert name in out
    assert "expect violates deadlock" in out and "expect violates no_stale_access" in out
    cells = [[c.strip() for c in ln.split("│")[1:-1]] for ln in out.splitlines() if ln.startswith("│")]
    rows = {c[0]: c[1:] for c in cells}
    props = {c[1]: c for c in cells if c[0] in ("invariant", "deadlock", "leads-to", "cover")}
    assert rows["initiators"][:3] == ["2", "2", "1..4"]                    # value, default, range
    assert rows["partial_latest_check"][1:3] == ["true", "true | false"]   # a switch, its choices
    assert props["no_stale_access"] == ["invariant", "no_stale_access",
                                        "no user access goes through a TLB entry whose frame was freed or reused"]
    assert props["deadlock"][2].startswith("a reachable state is not final")
    assert "(set)" in out                                                   # a switch the spec flips


def test_list_json(tmp_path, capsys):
    path = tmp_path / "l.json"
    code, _, _ = run(["list", spec_path("bugs", "free_before_ack.py"), "--json", str(path)], capsys)
    assert code == 0
    doc = json.loads(path.read_text())
    assert doc["format"] == "flushcheck-list/1"
    (c,) = doc["checks"]
    assert c["check"] == "free_before_ack" and c["protocol"] == "baseline"
    cpus = next(p for p in c["parameters"] if p["name"] == "cpus")
    assert (cpus["value"], cpus["default"], cpus["lo"], cpus["hi"]) == (2, 2, 2, 64)
    ack = next(p for p in c["switches"] if p["name"] == "wait_for_ack")
    assert (ack["value"], ack["default"], ack["choices"]) == (False, True, [False, True])
    kinds = {p["name"]: p["kind"] for p in c["properties"]}
    assert kinds["no_stale_access"] == "invariant" and kinds["flush_completes"] == "leads-to"
    assert kinds["deadlock"] == "deadlock" and "cover" in kinds.values()
    assert all(p["meaning"] for p in c["properties"])


def test_list_names_a_variants_edits(capsys):
    code, out, _ = run(["list", spec_path("variant_psc_not_flushed.py"), "--json", "-"], capsys)
    assert code == 0
    checks = json.loads(out)["checks"]
    edits = [e for c in checks for e in c["variant"]]
    assert edits and edits[0]["variant"] == "concurrent_psc_not_flushed"
    assert edits[0]["of"] == "concurrent" and edits[0]["replaces"] == ["flush_tlb_func"]


def test_list_bad_input(capsys):
    code, _, err = run(["list", "specs/no_such_spec.py"], capsys)
    assert code == 2 and "not found" in err and len(err.splitlines()) == 1
    code, _, err = run(["list", spec_path("bugs", "free_before_ack.py"), "--check", "nope"], capsys)
    assert code == 2 and "no check named 'nope'" in err and "free_before_ack" in err
