"""ITF traces (Apalache ADR-015): standalone `--itf DIR` files that itf-py reads and writes back
unchanged, none as a value of its own, and a lasso's `loop` as the ADR defines it."""
import json

import pytest

from checker.cli import main
from checker.explicit.compile import compile_model
from checker.report.itf import itf_trace, read_itf
from checker.run import build_model, run_check
from checker.spec import Check
from protocols.baseline import PROTOCOL as BASELINE

from .conftest import spec_path

itf_py = pytest.importorskip("itf_py")


def test_itf_file_round_trips_through_itf_py(tmp_path):
    assert main([spec_path("bugs", "free_before_ack.py"), "--itf", str(tmp_path / "traces"),
                 "--quiet"]) == 1
    path = tmp_path / "traces" / "free_before_ack.itf.json"
    doc = json.loads(path.read_text())
    t = itf_py.trace_from_json(doc)
    assert len(t.states) == 9 and t.loop is None                    # 8 steps and the initial state
    assert t.meta["violation"]["property"] == "no_stale_access" and t.meta["check"] == "free_before_ack"
    s0, last = t.states[0].values, t.states[-1].values
    assert s0["mm_cpumask"] == frozenset({0, 1}) and s0["phase"] == "idle" and s0["freed_tables"] is False
    assert s0["tlb"][1][0] == frozenset()                           # none: a value of its own
    assert last["stale_access"][1][0] is True
    assert t.states[-1].meta["action"] == "user_access" and t.states[-1].meta["args"] == {"c": 1, "p": 0}
    back = itf_py.trace_to_json(t)                                   # and back, unchanged
    assert back["states"] == doc["states"] and back["vars"] == doc["vars"] and back["#meta"] == doc["#meta"]


def test_none_is_not_a_number():
    r = run_check("t", Check(BASELINE, cpus=2, pages=1, rounds=1, wait_for_ack=False))
    doc = itf_trace(r.trace, "t", "")
    s0 = doc["states"][0]
    assert s0["tlb"] == {"#map": [[{"#bigint": "0"}, {"#map": [[{"#bigint": "0"}, {"#set": []}]]}],
                                  [{"#bigint": "1"}, {"#map": [[{"#bigint": "0"}, {"#set": []}]]}]]}
    assert s0["pte"] == {"#map": [[{"#bigint": "0"}, {"#set": [{"#bigint": "0"}]}]]}   # maps frame 0
    assert "-1" not in json.dumps(doc)
    assert set(doc["#meta"]["optional"]) >= {"tlb", "psc", "pte", "pmd"}


def test_lasso_loop_index_follows_the_adr(tmp_path):
    """`loop` is the first state of the loop and the loop ends in the last state: the state the
    execution returns to is not repeated, and the closing step is #meta.loop_action."""
    check = Check(BASELINE, cpus=2, gup_fast=True, ipi_fair="weak")
    r = run_check("t", check)
    t = r.trace
    doc = itf_trace(t, "t", "lasso")
    states, loop = doc["states"], doc["loop"]
    assert loop == t.loop_start and len(states) == len(t.steps) - 1
    assert states[-1] != {**states[loop], "#meta": states[-1]["#meta"]}
    closing = doc["#meta"]["loop_action"]
    assert closing["action"] == "gup_fast_end"
    assert [s["#meta"]["action"] for s in states[loop + 1:]] == ["gup_fast_begin"]
    # the closing step, taken from the last state, is back at states[loop]
    c = compile_model(build_model(check, {}))
    k = next(k for k, i in enumerate(c.instances) if i.action.name == closing["action"]
             and {b.name: v for b, v in zip(i.action.params, i.args)} == closing["args"])
    from checker.explicit.replay import decode_state
    last = decode_state(c.layout, states[-1], "last")
    assert (k, decode_state(c.layout, states[loop], "loop")) in c.successors(last)
    round_trip = itf_py.trace_to_json(itf_py.trace_from_json(doc))
    assert round_trip["loop"] == loop and round_trip["states"] == states


def test_itf_dir_refuses_a_file(tmp_path, capsys):
    f = tmp_path / "x"
    f.write_text("")
    assert main([spec_path("bugs", "free_before_ack.py"), "--itf", str(f), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: --itf {f}: not a directory") and len(err.splitlines()) == 1


def test_read_itf_refuses_what_is_not_a_trace(tmp_path):
    from checker.errors import UserError
    bad = tmp_path / "bad.itf.json"
    bad.write_text('{"vars": ["x"],\n "states": [}')
    with pytest.raises(UserError) as e:
        read_itf(str(bad))
    assert str(e.value).startswith(f"{bad}:2: error: not JSON")
    bad.write_text('{"vars": ["x"], "states": [{"y": 1}]}')
    with pytest.raises(UserError, match=r"states\[0\] has no value for x"):
        read_itf(str(bad))
    bad.write_text('{"vars": [], "states": [{}], "loop": 3}')
    with pytest.raises(UserError, match="'loop' is 3"):
        read_itf(str(bad))
