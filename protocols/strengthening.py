"""Strengthening invariants: why the flush is safe, stated so that induction can prove it.

The standard invariants (no_stale_access, ...) are true of every reachable state but not
inductive: a state that satisfies them can still be one step from a stale access, e.g. a
CPU running user code with a TLB entry for a frame that tlb_finish_mmu already freed. These
auxiliary invariants say why such states are unreachable, in the terms of the flush: which
CPUs have caught up with mm->context.tlb_gen, what a csd's lock and queue state mean, who
still owes a flush after an async IPI was acknowledged. Together with the standard ones
they are inductive, so `--prove` establishes them for every depth at any CPU count.

They are declared with `auxiliary=True`: the explicit search does not check them unless a
spec names them (tests/test_prove.py does, to show they hold in every reachable state), and
a proof uses those a spec lists in `Check(strengthen=[...])` (all of them by default).

They describe the designs with atomic context switches under sequential consistency: the IPI
flushes (baseline, concurrent, async_inline, v4.19's rule that lazy CPUs are IPI'd too, and their
bug variants), KVM's paravirtual flush with cmpxchg and the host's xchg (kvm_pv), and LATR with
its reuse delay; `declare_sync_shootdown` covers the benchmark model. For other mechanisms
(stepped switch_mm, x86-TSO, GUP-fast, hypercall flush, shadow paging, khugepaged/writeback
callers, tlb_remove_table) none are declared and a proof reports its counterexample to
induction. All of them are stated over CPUs with forall/exists only, so `--prove --all-cpus`
proves the same families for every CPU count (checker/smt/allcpus.py).
"""
from __future__ import annotations

from checker.lang import If, any_of, exists, forall, implies

# where the initiator is in each round
PRE_INC = ("idle", "zapped", "flush_start")                      # before inc_mm_tlb_gen
FLUSHING = ("local_flush", "sending", "waiting", "flushed")       # between inc and the free
AFTER_FREE = ("freed", "done")                                   # tlb_finish_mmu has run


def supported(d) -> bool:
    return (d.switch == "atomic" and d.memory == "sc" and d.cpumask == "eager" and not d.gup_fast
            and d.flush_by == "ipi" and (not d.latr or d.latr_reuse_delay) and d.table_free == "after_flush"
            and (not d.pv or (d.pv_cmpxchg and d.pv_host_xchg and d.shadow_paging == "none"))
            and set(d.callers) <= {"munmap", "madvise"} and (d.lazy_gen_check or d.lazy_rule == "v4.19")
            and d.async_wait
            and d.csd_unlock and d.table_free_ipi == "none")


def declare(s) -> None:
    """Declare the auxiliary invariants on the Shootdown's builder (supported designs only)."""
    d = s.d
    if not supported(d):
        return
    m, CPU, Page = s.m, s.CPU, s.Page
    phase, mode, irq, tlb, psc = s.phase, s.mode, s.irq, s.tlb, s.psc
    gen, mm_gen = s.cpu_tlb_gen, s.mm_tlb_gen

    def in_(x, names):
        out = None
        for n in names:
            out = (x == n) if out is None else out | (x == n)
        return out

    def caught_up(c):
        """CPU c has caught up with the mm's latest flush (switch_mm / flush_tlb_func / leave_lazy)."""
        return gen[c] == mm_gen

    def behind(c):
        return gen[c] < mm_gen

    # KVM PV flush: a preempted vCPU the flush flagged (KVM_VCPU_FLUSH_TLB) instead of IPI'ing owes
    # the flush; the host does it in record_steal_time before the vCPU runs again
    def flagged(c):
        return s.preempted[c] == "preempted_flush"

    def or_flagged(c, x):
        return x | flagged(c) if d.pv else x

    def current_only(c):
        """CPU c caches only what the PTEs and the PMD hold now (e.g. the host flushed it)."""
        return forall(Page, lambda p: (tlb[c, p] == None) | (tlb[c, p] == s.pte[p])) \
            & ((psc[c] == None) | (psc[c] == s.pmd))  # noqa: E711

    flushing = in_(phase, FLUSHING)
    after_inc = ~in_(phase, PRE_INC)
    post_local = in_(phase, ("sending", "waiting", "flushed") + AFTER_FREE if d.local_first
                     else ("waiting", "flushed") + AFTER_FREE)
    post_scan = in_(phase, ("waiting", "flushed") if d.local_first else ("local_flush", "waiting", "flushed"))
    sending = in_(phase, ("sending", "local_flush", "waiting"))   # csds may be in flight
    skip_lazy = d.lazy_rule != "v4.19"

    def aux(name, expr, statement):
        m.invariant(name, expr, statement, "strengthening for --prove (protocols/strengthening.py)",
                    auxiliary=True)

    # Memory as frames: a frame is the mm's exactly while a PTE maps it (no two PTEs map one),
    # gathered only between the zap and tlb_finish_mmu, free otherwise; the PTEs are all present
    # between operations and all clear from the zap to the free (so no walk fills a TLB entry
    # then); a PTE is present only with a PTE-table page in the PMD; a detached table exists only
    # while an unmap that said freed_tables is flushing, and the PMD points at the mm's own table.
    mid = in_(phase, ("zapped", "flush_start") + FLUSHING)
    # LATR: tlb_finish_mmu only queues the frames and the table; latr_reclaim frees them after the sweeps
    def or_deferred(x):
        return x | s.latr_deferred if d.latr else x
    Frame, PTable = s.Frame, s.PTable
    aux("frames_follow_the_ptes",
        forall(Frame, lambda f: ((s.frame[f] == "mm") == exists(Page, lambda p: s.pte[p] == f))
               & implies(s.frame[f] == "gathered", or_deferred(mid)) & implies(mid, s.frame[f] != "mm"))
        & forall(Page, Page, lambda p, q: implies((p != q) & (s.pte[p] != None), s.pte[p] != s.pte[q]))  # noqa: E711
        & forall(Page, lambda p: implies(phase == "idle", s.pte[p] != None)  # noqa: E711
                 & implies(mid | (s.pmd == None), s.pte[p] == None))  # noqa: E711
        & implies(phase == "idle", s.pmd != None)  # noqa: E711
        & forall(PTable, lambda t: implies(s.pmd == t, s.ptable[t] == "mm")
                 & implies(s.detached(t), or_deferred(in_(phase, ("flush_start",) + FLUSHING)) & s.freed_tables)),
        "a frame is the mm's exactly while a PTE maps it; the PTEs are clear from the zap to the free; "
        "only a flushing unmap that freed tables has a detached PTE-table page")

    # mm->context.tlb_gen counts the flushes: one inc_mm_tlb_gen per round, so it is the round
    # number, plus one once this round's flush has started; CPUs never run ahead of it, and a
    # round that frees is not the last one only while more rounds remain.
    aux("tlb_gen_counts_rounds",
        (mm_gen == s.round + If(after_inc, 1, 0)) & forall(CPU, lambda c: gen[c] <= mm_gen)
        & implies(phase == "freed", s.round + 1 < s.rounds),
        "mm->context.tlb_gen is the number of flushes started; no CPU's tlb_gen is ahead of it")

    # The initiator never leaves its mm, never takes its own flush IPI, and is never scanned.
    aux("initiator_runs_the_mm",
        (mode[0] == "user") & (irq[0] == "none") & ~s.csd_locked[0] & ~s.csd_queued[0]
        & s.mm_cpumask.has(0) & ~s.scanned.has(0),
        "CPU 0 runs the mm's task, is in mm_cpumask and sends, never receives, the flush IPI")

    # switch_mm_irqs_off: a CPU is in mm_cpumask exactly while it has the mm loaded (as its task
    # or lazily), and a CPU that loaded another mm's CR3 holds no translation of this mm (no PCID).
    aux("cpumask_is_loaded_mm",
        forall(CPU, lambda c: (s.mm_cpumask.has(c) == (mode[c] != "other"))
               & implies(mode[c] == "other", forall(Page, lambda p: tlb[c, p] == None) & (psc[c] == None))),  # noqa: E711
        "mm_cpumask holds exactly the CPUs with the mm loaded; a CPU with another mm loaded caches nothing of it")

    # A CPU that caught up with this round's tlb_gen flushed after the zap, and no walk can refill
    # (the PTEs are gone): it holds no TLB or paging-structure entry for the range.
    aux("caught_up_cpus_are_clean",
        forall(CPU, lambda c: implies(after_inc & caught_up(c),
                                      forall(Page, lambda p: (tlb[c, p] == None) | (tlb[c, p] == s.pte[p]))  # noqa: E711
                                      & ((psc[c] == None) | (psc[c] == s.pmd)))),  # noqa: E711
        "once this round's flush started, a CPU whose tlb_gen equals mm->context.tlb_gen caches only "
        "what the PTEs and the PMD hold now")

    # csd lifecycle (kernel/smp.c): CSD_FLAG_LOCK is held from csd_lock in the sender until
    # csd_unlock in the handler; the csd is on call_single_queue until llist_del_all; a CPU runs one
    # handler at a time, and only the current round's IPI can be in flight.
    aux("csd_lock_covers_the_ipi",
        forall(CPU, lambda c: (s.csd_locked[c] == (s.csd_queued[c] | in_(irq[c], ("func", "unlock", "async_unlock"))))
               & implies(s.csd_queued[c], in_(irq[c], ("none", "async_func")))
               & implies(s.csd_locked[c], sending & s.scanned.has(c))),
        "a csd is locked exactly while its IPI is queued or its handler has not unlocked it, during the send/wait")

    # SYNC csds (func, then unlock) are used when the flush is synchronous, non-SYNC ones
    # (unlock, then func: RFC patch 10) when it is async; flush_tlb_info lives from inc_mm_tlb_gen
    # until flush_tlb_mm_range returns, and only a synchronous handler reads it after dequeuing.
    aux("handler_matches_the_flush",
        forall(CPU, lambda c: implies(in_(irq[c], ("func", "unlock")), ~s.async_flush)
               & implies(irq[c] == "async_unlock", s.async_flush)
               & implies(irq[c] == "unlock", caught_up(c) | (mode[c] == "other"))
               & (implies(s.csd_queued[c] | (irq[c] == "func"), s.ipi_gen[c] == mm_gen) if s.shared_info else True))
        & ((s.info_owner == If(flushing, mm_gen, 0)) if s.shared_info else True),
        "a SYNC handler serves a synchronous flush and has flushed before csd_unlock; flush_tlb_info "
        "holds this flush's info during the flush, and a pending handler points at it")

    # Only flushes that free no page tables are async (the RFC keeps munmap synchronous).
    if d.async_user and not d.async_freed_tables:
        aux("async_only_without_freed_tables",
            implies(after_inc, s.async_flush == ~s.freed_tables),
            "an unmap that frees page tables is flushed synchronously")
    elif not d.async_user:
        aux("no_async_flush", ~s.async_flush & forall(CPU, lambda c: ~in_(irq[c], ("async_unlock", "async_func"))),
            "this design never flushes asynchronously: every handler is SYNC")

    # smp_call_function_many has handled every target it scanned: the IPI is in flight (csd
    # locked), or the target has caught up or left the mm, or it was a lazy CPU skipped because
    # no tables are freed (tlb_is_not_lazy), or, async, it acknowledged and owes the flush.
    def handled(c, x):
        """KVM PV: or the flush flagged the preempted vCPU, or the host has flushed it since."""
        return x | flagged(c) | current_only(c) if d.pv else x

    aux("scanned_cpus_are_handled",
        forall(CPU, lambda c: implies(flushing & s.scanned.has(c), handled(
            c, s.csd_locked[c] | caught_up(c) | (mode[c] == "other")
            | ((mode[c] == "lazy") & (~s.freed_tables if skip_lazy else False))
            | ((irq[c] == "async_func") & s.async_flush)))),
        "every CPU the flush has scanned is flushing, flushed, not using the mm, or lazily skipped")
    all_scanned = implies(post_scan, s.scanned == s.ALL_REMOTE) if not d.latr else True
    acked = implies(phase == "flushed", forall(CPU, lambda c: ~s.csd_locked[c])) if d.wait_for_ack else True
    aux("scan_complete_and_acked", all_scanned & acked,
        "after the send loop every remote CPU was scanned; after csd_lock_wait every csd is unlocked")

    if d.latr:
        # latr_post put every CPU of mm_cpumask but CPU 0 in latr_pending; a CPU leaves it only by
        # sweeping (flush, catch up); the frames and table wait in the reuse queue until it is empty
        posted = ~in_(phase, ("local_flush", "sending"))
        aux("latr_sends_no_ipi",
            s.scanned.is_empty() & forall(CPU, lambda c: ~s.csd_locked[c] & ~s.csd_queued[c] & (irq[c] == "none")),
            "LATR sends no flush IPI: no csd is locked or queued, no handler runs")
        aux("latr_pending_owes_a_sweep",
            ~s.latr_pending.has(0)
            & forall(CPU, lambda c: implies(posted & (c != 0) & (mode[c] != "other") & behind(c),
                                            s.latr_pending.has(c)))
            & implies(s.latr_deferred, in_(phase, AFTER_FREE))
            & implies((phase != "flushed") & ~s.latr_deferred, s.latr_pending.is_empty()),
            "after latr_post every CPU with the mm loaded that is behind tlb_gen has yet to sweep; the "
            "freed memory waits in the reuse queue only after tlb_finish_mmu")

    # flush_tlb_func_local ran: CPU 0 has caught up with this round's flush.
    aux("initiator_flushed_locally", implies(post_local, caught_up(0)),
        "after its local flush CPU 0 has caught up with mm->context.tlb_gen")

    # A TLB entry maps what the PTE maps now, or a frame the zap gathered (not yet freed), or it
    # is stale on a CPU that owes a flush: lazy (it flushes in switch_mm_irqs_off when it leaves
    # lazy mode, being behind) or with an async flush pending (async_func_in_progress: behind).
    aux("stale_entries_owe_a_flush",
        forall(CPU, Page, lambda c, p: (tlb[c, p] == None) | (tlb[c, p] == s.pte[p])  # noqa: E711
               | s.frame_is(tlb[c, p], "gathered")
               | (behind(c) & or_flagged(c, any_of(*([mode[c] == "lazy"] if d.lazy_gen_check else []),
                                                  irq[c] == "async_func")))),
        "a TLB entry maps the current frame, a gathered one, or it is on a CPU that is behind tlb_gen "
        "and lazy or has an async flush pending")

    # Page tables are freed only by synchronous flushes that reached every CPU with the mm
    # loaded (lazy ones included): no paging-structure cache points at a freed table.
    aux("no_cached_freed_table", forall(CPU, lambda c: or_flagged(c, ~s.table_freed(psc[c]))),
        "no CPU's paging-structure cache points at a freed page-table page"
        + (" (but a preempted vCPU the flush flagged, which the host flushes before it runs)" if d.pv else ""))
    if d.pv:
        aux("pv_flag_means_preempted",
            s.vcpu_in[0] & forall(CPU, lambda c: s.vcpu_in[c] == (s.preempted[c] == "running")),
            "steal_time.preempted is set exactly while the host has the vCPU descheduled (never vCPU 0, "
            "the initiator)")


def declare_sync_shootdown(m, Resp, Page, phase, marked, pending, in_handler, loaded, tlb, tlb0) -> None:
    """The benchmark model (protocols/sync_shootdown.py, wait=True): why no TLB entry survives the
    free. Page walks fill only while the PTEs are present (phase mapped); a responder the initiator
    has marked still caches the range only while its IPI is pending; CPU 0 flushed locally."""
    def aux(name, expr, statement):
        m.invariant(name, expr, statement, "strengthening for --prove (protocols/strengthening.py)",
                    auxiliary=True)

    quiet = (phase == "mapped") | (phase == "freed") | (phase == "done")
    aux("ipi_pending_until_handled",
        forall(Resp, lambda i: implies(pending[i], marked[i]) & implies(in_handler[i], pending[i])
               & implies(quiet, ~marked[i])),
        "a flush IPI is pending only on a responder the initiator marked, and a running handler's IPI "
        "is still pending; between shootdowns no responder is marked")
    aux("entries_need_the_mm_and_a_walk",
        forall(Resp, Page, lambda i, j: implies(tlb[i, j], loaded[i] & ~in_handler[i])),
        "a responder caches a translation only with the mm loaded and outside the flush handler")
    aux("marked_responders_owe_a_flush",
        forall(Resp, Page, lambda i, j: implies(tlb[i, j] & (phase != "mapped"),
                                                ((phase == "sending") & ~marked[i]) | (marked[i] & pending[i])))
        & implies((phase == "local_flush") | (phase == "waiting"), forall(Resp, lambda i: marked[i] | ~exists(
            Page, lambda j: tlb[i, j]))),
        "once the PTEs are cleared, a responder still caching the range has not been sent the IPI yet, "
        "or its IPI is pending")
    aux("initiator_flushed_locally_sync",
        implies((phase == "waiting") | (phase == "freed") | (phase == "done"), forall(Page, lambda j: ~tlb0[j])),
        "after flush_tlb_func_local CPU 0 caches nothing of the range")
