"""The three flush families: exact state counts when they hold, shortest traces when broken."""
import glob
import os

import pytest

from checker.result import Verdict
from checker.run import RunOptions, run_check
from checker.spec import load_spec

from .conftest import ROOT, spec_path

# (protocol, cpus, pages, rounds) -> (distinct states, transitions, depth)
PINNED = {
    ("baseline", 2, 1, 1): (156, 580, 10),
    ("baseline", 2, 2, 1): (354, 2131, 10),
    ("baseline", 3, 1, 2): (7843, 42406, 24),
    ("concurrent", 2, 1, 1): (236, 966, 10),
    ("concurrent", 2, 2, 1): (594, 3733, 11),
    ("concurrent", 3, 1, 2): (15851, 100310, 24),
    ("async_inline", 2, 1, 1): (267, 1042, 11),
    ("async_inline", 2, 2, 1): (663, 3963, 11),
    ("async_inline", 3, 1, 2): (33819, 202701, 27),
}


@pytest.mark.parametrize("key", sorted(PINNED), ids=lambda k: "-".join(map(str, k)))
def test_safe_protocol_holds_with_pinned_counts(key):
    name, cpus, pages, rounds = key
    check = load_spec(spec_path(f"{name}.py"))[0]
    r = run_check(name, check, RunOptions({"cpus": cpus, "pages": pages, "rounds": rounds}))
    assert r.verdict is Verdict.HOLDS
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == PINNED[key]
    assert r.trace is None


# (spec file, check name) -> (violated invariant, shortest trace length, witness)
BUGS = {
    ("async_freed_tables.py", "async_freed_tables"): ("no_freed_table_walk", 11, (("CPU", 1),)),
    ("async_info_on_stack.py", "async_info_on_stack"): ("flush_info_live", 9, (("CPU", 1),)),
    ("async_no_nmi_block.py", "nmi_access_while_flush_pending"): ("nmi_uaccess_safe", 6, (("CPU", 1),)),
    ("async_no_nmi_block.py", "nmi_reads_freed_frame"): ("no_stale_access", 10, (("CPU", 1), ("Page", 0))),
    ("free_before_ack.py", "free_before_ack"): ("no_stale_access", 8, (("CPU", 1), ("Page", 0))),
    ("lazy_skip_on_free.py", "lazy_skip_on_free"): ("no_freed_table_walk", 10, (("CPU", 1),)),
}


def test_every_bug_spec_is_pinned():
    found = {(os.path.basename(f), c.name) for f in glob.glob(spec_path("bugs", "*.py"))
             for c in load_spec(f)}
    assert found == set(BUGS)


@pytest.mark.parametrize("key", sorted(BUGS), ids=lambda k: k[1])
def test_bug_found_with_shortest_trace(key):
    inv, length, witness = BUGS[key]
    path = spec_path("bugs", key[0])
    check = next(c for c in load_spec(path) if c.name == key[1])
    r = run_check(path, check)
    assert r.verdict is Verdict.VIOLATED
    assert r.violation.invariant == inv and r.violation.witness == witness
    assert len(r.trace) == length
    assert r.expectation_met
    # the trace is a real execution: it starts in the initial state and the last state breaks inv
    last = r.trace.steps[-1].state
    flag = {"no_stale_access": "stale_access", "no_freed_table_walk": "freed_table_walk",
            "flush_info_live": "dead_info_read", "nmi_uaccess_safe": "unsafe_nmi_uaccess"}[inv]
    cell = last[flag]
    for _, member in witness:
        cell = cell[member]
    assert cell is True


def test_bug_stories_name_the_kernel_steps():
    """The no-NMI-block trace is the RFC's window W: unlock before flush, free, NMI reads."""
    path = spec_path("bugs", "async_no_nmi_block.py")
    check = next(c for c in load_spec(path) if c.name == "nmi_reads_freed_frame")
    steps = [s.action for s in run_check(path, check).trace.steps[1:]]
    assert steps.index("csd_unlock") < steps.index("csd_lock_wait") < steps.index("tlb_finish_mmu")
    assert steps[-1] == "nmi_uaccess" and "flush_tlb_func" not in steps


def test_runs_are_deterministic():
    path = spec_path("bugs", "free_before_ack.py")
    check = load_spec(path)[0]
    a, b = run_check(path, check), run_check(path, check)
    assert a.trace == b.trace
    assert (a.stats.states, a.stats.transitions) == (b.stats.states, b.stats.transitions)
    safe = load_spec(spec_path("async_inline.py"))[0]
    x, y = (run_check("s", safe, RunOptions({"cpus": 2})) for _ in range(2))
    assert (x.stats.states, x.stats.transitions, x.coverage) == (y.stats.states, y.stats.transitions, y.coverage)


def test_every_action_cites_kernel_code():
    for name in ("baseline", "concurrent", "async_inline"):
        check = load_spec(spec_path(f"{name}.py"))[0]
        model = check.protocol.build(check.protocol.configure({"cpus": 2}))
        for a in model.actions:
            assert a.ref, f"{name}: action {a.name} has no kernel reference"
