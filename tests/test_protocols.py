"""The three flush families: exact state counts when they hold, shortest traces when broken."""
import glob
import os

import pytest

from checker.result import Verdict
from checker.run import RunOptions, run_check
from checker.spec import load_spec

from .conftest import spec_path
from .test_invlpgb import BUGS as INVLPGB  # the invlpgb family's bug specs, pinned there
from .test_initiators import PINNED_BUG_SPECS as INITIATORS  # several initiators' bug specs
from .test_rar import BUGS as RAR  # the rar family's bug specs, pinned there
from .test_tlb_gen import PINNED_BUG_SPECS as TLB_GEN  # the tlb_gen family's bug specs

# (protocol, cpus, pages, rounds) -> (distinct states, transitions, depth)
PINNED = {
    ('baseline', 2, 1, 1): (318, 1742, 11),
    ('baseline', 2, 2, 1): (578, 4405, 11),
    ('baseline', 3, 1, 2): (20839, 176836, 24),
    ('concurrent', 2, 1, 1): (476, 2630, 11),
    ('concurrent', 2, 2, 1): (942, 7154, 11),
    ('concurrent', 3, 1, 2): (40539, 346418, 24),
    ('async_inline', 2, 1, 1): (564, 3098, 13),
    ('async_inline', 2, 2, 1): (1090, 8146, 13),
    ('async_inline', 3, 1, 2): (84771, 695404, 28),
    ('v4_19', 2, 1, 1): (300, 1628, 11),
    ('v4_19', 2, 2, 1): (548, 4169, 11),
    ('v4_19', 3, 1, 2): (15469, 129948, 24),
    ('v6', 2, 1, 1): (921, 4550, 15),
    ('v6', 2, 2, 1): (1649, 11340, 15),
    ('v6', 3, 1, 2): (184685, 1339069, 32),
    ('kvm_pv', 2, 1, 1): (726, 3440, 12),
    ('kvm_pv', 2, 2, 1): (1270, 8030, 12),
    ('kvm_pv', 3, 1, 2): (178800, 1250008, 28),
    ('latr', 2, 1, 1): (289, 1689, 10),
    ('latr', 2, 2, 1): (537, 4254, 10),
    ('latr', 3, 1, 2): (7957, 73493, 22),
    ('hyperv', 2, 1, 1): (202, 1022, 7),
    ('hyperv', 2, 2, 1): (528, 3970, 8),
    ('hyperv', 3, 1, 2): (5969, 48979, 17),
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
    ("async_no_nmi_block.py", "nmi_reads_freed_frame"): ("no_stale_access", 10, (("CPU", 1), ("Page", 0))),
    ("free_before_ack.py", "free_before_ack"): ("no_stale_access", 8, (("CPU", 1), ("Page", 0))),
    ("b1_lazy_cpu_table_free.py", "b1_lazy_cpu_table_free"): ("no_freed_table_walk", 10, (("CPU", 1),)),
    ("b2_lazy_tlb_series_reverted.py", "b2_lazy_tlb_series_reverted"): ("no_freed_table_walk", 13, (("CPU", 1),)),
    ("b2_lazy_tlb_series_reverted.py", "b2_lazier_without_table_ipi"): ("no_freed_table_walk", 10, (("CPU", 1),)),
    ("b3_table_free_before_invalidate.py", "b3_table_free_before_invalidate"):
        ("no_freed_table_walk", 4, (("CPU", 0),)),
    ("b4_rcu_table_free_no_invalidate.py", "b4_rcu_table_free_no_invalidate"):
        ("no_freed_table_walk", 4, (("CPU", 0),)),
    ("b3_mm_users_shortcut.py", "b3_mm_users_shortcut"): ("no_freed_table_walk", 5, (("CPU", 0),)),
    ("b5_switch_mm_barrier.py", "b5_switch_mm_barrier"): ("no_stale_access", 13, (("CPU", 1), ("Page", 0))),
    ("b12_kvm_pv_flush_shadow_unsync.py", "b12_kvm_pv_flush_shadow_unsync"):
        ("no_stale_access", 10, (("CPU", 1), ("Page", 0))),
    ("b13_hyperv_empty_cpumask.py", "b13_hyperv_empty_cpumask"): ("hv_vp_index_in_range", 6, ()),
    ("b16_flush_after_ptl.py", "b16_flush_after_ptl"): ("no_lost_write", 5, (("CPU", 1), ("Page", 0))),
    ("b18_kthread_use_mm_irqs_on.py", "b18_kthread_use_mm_irqs_on"):
        ("no_stale_access", 17, (("CPU", 1), ("Page", 0))),
    ("b19_khugepaged_gup_fast.py", "b19_khugepaged_gup_fast"): ("no_freed_table_walk", 7, (("CPU", 1),)),
    ("b20_nmi_uaccess_cr3.py", "b20_nmi_uaccess_cr3"): ("nmi_uaccess_safe", 3, (("CPU", 1),)),
    ("n2_defer_kernel_flush_nohz_full.py", "n2_defer_kernel_flush_nohz_full"): ("no_stale_access", 7, (("CPU", 1),)),
    ("n3_latr_without_reuse_delay.py", "n3_latr_without_reuse_delay"):
        ("no_stale_access", 7, (("CPU", 1), ("Page", 0))),
    ("n1_async_release_at_send.py", "n1_async_release_at_send"): ("no_stale_access", 8, (("CPU", 1), ("Page", 0))),
    ("kvm_pv_plain_store.py", "kvm_pv_plain_store"): ("no_stale_access", 11, (("CPU", 1), ("Page", 0))),
    ("kvm_steal_time_copy.py", "kvm_steal_time_copy"): ("no_stale_access", 11, (("CPU", 1), ("Page", 0))),
}
# (spec file, check name) -> (shortest trace to the stuck state, the action it ends with)
DEADLOCKS = {("csd_never_unlocked.py", "csd_never_unlocked"): (7, "csd_unlock")}
# the fixed models kept beside the bugs: each must hold
FIXED = {("b1_lazy_cpu_table_free.py", "b1_fixed"), ("b2_lazy_tlb_series_reverted.py", "b2_table_ipi_to_lazy"),
         ("b2_lazy_tlb_series_reverted.py", "b2_v419_revert"), ("b3_table_free_before_invalidate.py", "b3_fixed"),
         ("b5_switch_mm_barrier.py", "b5_under_sc"), ("b5_switch_mm_barrier.py", "b5_fixed_tso"),
         ("b16_flush_after_ptl.py", "b16_fixed"), ("n3_latr_without_reuse_delay.py", "n3_fixed"),
         ("b4_rcu_table_free_no_invalidate.py", "b4_fixed"), ("b18_kthread_use_mm_irqs_on.py", "b18_fixed"),
         ("b18_kthread_use_mm_irqs_on.py", "b18_x86"), ("n2_defer_kernel_flush_nohz_full.py", "n2_fixed"),
         ("n2_defer_kernel_flush_nohz_full.py", "n2_flush_at_entry"), ("b13_hyperv_empty_cpumask.py", "b13_fixed"),
         ("b12_kvm_pv_flush_shadow_unsync.py", "b12_fixed"),
         ("b12_kvm_pv_flush_shadow_unsync.py", "b12_latent_local_first"), ("b19_khugepaged_gup_fast.py", "b19_fixed")}


def test_every_bug_spec_is_pinned():
    found = {(os.path.basename(f), c.name) for f in glob.glob(spec_path("bugs", "*.py"))
             for c in load_spec(f)}
    assert found == set(BUGS) | set(DEADLOCKS) | FIXED | TLB_GEN | INITIATORS \
        | {(f, v[0]) for f, v in INVLPGB.items()} | {(f, v[0]) for f, v in RAR.items()}


@pytest.mark.parametrize("key", sorted(DEADLOCKS), ids=lambda k: k[1])
def test_deadlock_found_with_shortest_trace(key):
    """A stuck initiator is a deadlock: not final, only environment actions (walks, accesses,
    context switches) enabled."""
    length, last_action = DEADLOCKS[key]
    path = spec_path("bugs", key[0])
    check = next(c for c in load_spec(path) if c.name == key[1])
    r = run_check(path, check)
    assert r.verdict is Verdict.VIOLATED and r.violation.kind == "deadlock" and r.expectation_met
    assert len(r.trace) == length and r.trace.steps[-1].action == last_action
    last = r.trace.steps[-1].state
    assert last["phase"] == "waiting" and last["csd_locked"][1] is True


@pytest.mark.parametrize("key", sorted(FIXED), ids=lambda k: k[1])
def test_fixed_model_beside_each_bug_holds(key):
    path = spec_path("bugs", key[0])
    check = next(c for c in load_spec(path) if c.name == key[1])
    r = run_check(path, check)
    assert r.verdict is Verdict.HOLDS and r.expectation_met


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
            "flush_info_live": "dead_info_read", "nmi_uaccess_safe": "unsafe_nmi_uaccess",
            "no_lost_write": "lost_write", "hv_vp_index_in_range": "hv_bad_vp_index"}[inv]
    if inv == "no_stale_access" and len(witness) == 1:  # a kernel access (vfree's range: no Page)
        flag = "stale_kaccess"
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


def _steps(spec, name):
    path = spec_path("bugs", spec)
    check = next(c for c in load_spec(path) if c.name == name)
    return [s.action for s in run_check(path, check).trace.steps[1:]]


def test_new_bug_traces_tell_their_commits_story():
    """Each trace is the commit's story, step by step (issue 11 item 7)."""
    # B2: the flush skips lazy CPU 1, tlb_flush_remove_tables skips it again, then the table is freed
    steps = _steps("b2_lazy_tlb_series_reverted.py", "b2_lazy_tlb_series_reverted")
    assert steps.count("ipi_skip") == 2 and "flush_tlb_func" not in steps
    assert steps.index("enter_lazy_tlb") < steps.index("tlb_flush_remove_tables") < steps.index("tlb_finish_mmu")
    assert steps[-1] == "speculative_walk"
    # B12: the flagged vCPU resumes and refills from the stale shadow PTE before CPU 0's local flush syncs it
    steps = _steps("b12_kvm_pv_flush_shadow_unsync.py", "b12_kvm_pv_flush_shadow_unsync")
    assert steps.index("pv_flag_flush") < steps.index("vcpu_resume") < steps.index("tlb_fill") \
        < steps.index("flush_tlb_func_local") < steps.index("tlb_finish_mmu")
    assert steps[-1] == "user_access"
    # B18: the IPI lands between kthread_use_mm's active_mm = mm and its switch_mm
    steps = _steps("b18_kthread_use_mm_irqs_on.py", "b18_kthread_use_mm_irqs_on")
    assert steps.index("kthread_use_mm") < steps.index("flush_tlb_func") < steps.index("switch_mm_begin") \
        < steps.index("tlb_finish_mmu")
    assert steps[-1] == "user_access"
    # B13: the empty check sees CPU 1, which leaves before cpumask_last is looked up
    steps = _steps("b13_hyperv_empty_cpumask.py", "b13_hyperv_empty_cpumask")
    assert steps[-3:] == ["hv_cpumask_empty", "switch_mm_out", "hv_flush_hypercall"]
    # N2: CPU 1's flush is deferred, the range reused, and CPU 1 uses it before ct_kernel_enter
    steps = _steps("n2_defer_kernel_flush_nohz_full.py", "n2_defer_kernel_flush_nohz_full")
    assert steps.index("kflush_defer") < steps.index("vmap_reuse") and steps.index("kernel_entry") < len(steps) - 1
    assert steps[-1] == "kernel_access" and "ct_kernel_enter" not in steps


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
    for name in sorted({k[0] for k in PINNED}):
        check = load_spec(spec_path(f"{name}.py"))[0]
        model = check.protocol.build(check.protocol.configure({"cpus": 2}))
        for a in model.actions:
            assert a.ref, f"{name}: action {a.name} has no kernel reference"


def test_tso_mode_finds_b5_and_sc_does_not():
    """x86-TSO lets switch_mm's plain cpumask store sit in the store buffer while the page walk
    reads the PTE: only the TSO mode finds B5; with the barrier it holds under TSO too."""
    path = spec_path("bugs", "b5_switch_mm_barrier.py")
    by_name = {c.name: c for c in load_spec(path)}
    tso, sc, fixed = (run_check(path, by_name[n]) for n in
                      ("b5_switch_mm_barrier", "b5_under_sc", "b5_fixed_tso"))
    assert tso.verdict is Verdict.VIOLATED and tso.violation.invariant == "no_stale_access"
    acts = [s.action for s in tso.trace.steps[1:]]
    assert "store_buffer_drain" not in acts and acts.index("cpumask_set_cpu") < acts.index("ipi_skip")
    assert tso.trace.steps[-1].state["sb"][1] == "set_bit"  # the bit never became visible
    assert sc.verdict is Verdict.HOLDS and fixed.verdict is Verdict.HOLDS
    assert sc.stats.states == fixed.stats.states == 582


def test_a_new_variant_is_short():
    """specs/custom_variant.py composes a variant from the library in well under 30 lines."""
    path = spec_path("custom_variant.py")
    with open(path) as f:
        assert len(f.read().splitlines()) < 30
    results = {c.name: run_check(path, c) for c in load_spec(path)}
    assert results["custom_variant"].violation.invariant == "flush_info_live"
    assert results["inlined"].verdict is Verdict.HOLDS


def test_the_seed_whole_holds_under_kvm_pv():
    """RFC v2 patch 6 with patches 2-5 and 10-11 (specs/kvm_pv_async.py): the paravirtual flush
    under the concurrent and the async flush holds, every cover reached, with pinned counts."""
    path = spec_path("kvm_pv_async.py")
    checks = {c.name: c for c in load_spec(path)}
    r = run_check(path, checks["kvm_pv_async_2cpus"])
    assert r.verdict is Verdict.HOLDS and r.expectation_met and not r.unchecked
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == (18898, 122530, 23)
    for name, counts in {"kvm_pv_async": (659192, 4649077, 32), "kvm_pv_concurrent": (344284, 2476325, 28)}.items():
        r = run_check(path, checks[name], RunOptions(backend="fast", liveness=False))
        assert r.violation is None and (r.stats.states, r.stats.transitions, r.stats.depth) == counts
