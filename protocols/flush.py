"""The flush itself: CPU 0 unmaps and frees, the other CPUs take the flush IPI.

Initiator (CPU 0), one round per operation, each caller with its own lock and order:
  munmap (zap_pte_range + free_pgtables, freed_tables=1) or MADV_DONTNEED (freed_tables=0,
  optionally under the PTL for a dirty shared page) or a khugepaged collapse (pmdp_collapse_flush)
  -> flush_tlb_mm_range: inc_mm_tlb_gen, local flush and IPIs (or a hypercall, or LATR's lazy
     post) in the design's order, csd_lock_wait
  -> tlb_finish_mmu frees the pages and the table (tlb_remove_table: after an RCU grace period
     or an IPI sync when GUP-fast is modelled) -> mmap + fault again.
Responders: ipi_entry (llist_del_all), flush_tlb_func and csd_unlock, in the order of a SYNC
csd (func then unlock) or of the RFC's non-SYNC csd (unlock then func).
Historical variants as switches: tlb_flush_remove_tables' second IPI before tables are freed (B2),
an active_mm-keyed handler (B18), hyperv_flush_tlb_multi reading mm_cpumask in steps (B13), shadow
PTEs under KVM's PV flush (B12, with pv.py), LATR without its reuse delay (N3); and a kernel
caller, vfree (flush_tlb_kernel_range to every CPU, optionally deferred for NOHZ_FULL CPUs: N2).
Final states (`quiescent`): the last round done and no flush work left anywhere; covers: each
caller's round completed and what each design switch exists for.
With `initiators` > 1, CPUs 0..initiators-1 each unmap and flush at once: protocols/initiators.py
builds that model from the same Design (and refuses the switches it does not compose with).
"""
from __future__ import annotations

import dataclasses

from checker.lang import Config, If, ModelBuilder, Param, count, exists, forall, when

from . import initiators
from . import pv as pv_part
from . import strengthening
from .tlb import RFC, Design, Shootdown


def bound_params() -> tuple[Param, ...]:
    """The bounds every flush family takes."""
    # explicit search: as many CPUs as --memory-limit allows; Z3 (--prove, --backend smt) takes up to 64
    return (Param("cpus", 2, 2, 64, doc="CPUs: CPU 0 initiates, the others respond"),
            Param("pages", 1, 1, 3, doc="user pages in the unmapped range"),
            Param("rounds", 1, 1, 3, doc="unmap/free operations, one after another"),
            # a bound, given as choices so that the one-initiator checks print as before (a bound with
            # a range is always shown; a choice only when it is not the default)
            Param("initiators", 1, choices=tuple(range(1, 65)),
                  doc="CPUs 0..initiators-1 each start an unmap and its flush at once (protocols/initiators.py)"))


def family_params(d: Design) -> tuple[Param, ...]:
    """Bounds plus every design switch, defaulting to the family's design: a variant or a bug
    is then a spec that flips switches, not a copy of the model."""
    out = []
    for f in dataclasses.fields(Design):
        if f.name == "version":
            continue
        v = getattr(d, f.name)
        out.append(Param(f.name, v, choices=_CHOICES.get(f.name), doc=_DOCS.get(f.name, "")))
    return bound_params() + tuple(out)


_CHOICES = {"memory": ("sc", "tso"), "switch": ("atomic", "steps"), "lazy_rule": ("v4.19", "v5", "v6"),
            "cpumask": ("eager", "lazy"), "flush_by": ("ipi", "hypercall"),
            "info": ("stack", "percpu", "inline", "global"),
            "table_free": ("after_flush", "rcu", "sync_one"), "ipi_fair": ("weak", "strong"),
            "callers": ("munmap", "madvise", "khugepaged", "writeback", "vfree"),
            "table_free_ipi": ("none", "mm_cpumask", "lazy", "not_lazy"),
            "use_mm": ("none", "irqs_on", "irqs_off"), "kflush_defer": ("none", "ct_enter", "entry_first"),
            "hv_mask": ("atomic", "empty_check", "per_cpu"), "shadow_paging": ("none", "tlb_only", "sync"),
            "flush_keys": ("loaded_mm", "active_mm")}
_DOCS = {"info": "where flush_tlb_info lives (\"global\", a bug with several initiators: one "
                 "static copy)",
         "latr_reuse_delay": "(N3 when False) LATR frees pages and tables at once, not after every "
                             "CPU swept",
         "table_free_ipi": "(B2) tlb_flush_remove_tables: a second IPI before tables are freed, to "
                           "mm_cpumask, its lazy CPUs, or (bug) its non-lazy ones",
         "wait_for_ack": "wait for csd_unlock before freeing",
         "csd_unlock": "(bug when False) the flush handler returns without csd_unlock",
         "lazy_skip_on_free": "(bug) skip lazy CPUs even when tables are freed",
         "nmi_block": "nmi_uaccess_okay() refuses while an async flush is pending",
         "async_freed_tables": "(bug) async flush also when page tables are freed",
         "pv_host_xchg": "(CVE-2019-3016 when False) record_steal_time clears preempted in a copy it "
                         "writes back whole, over a FLUSH_TLB the guest set meanwhile"}


def variant(d: Design, cfg: Config) -> Design:
    """The family's design with the spec's variant switches applied."""
    return dataclasses.replace(d, **{k: v for k, v in cfg.items() if k in Design.__dataclass_fields__})


def build(name: str, cfg: Config, d: Design, doc: str = ""):
    if cfg.initiators > 1:  # several CPUs unmap and flush at once
        return initiators.build(name, cfg, d, doc)
    m = ModelBuilder(name, cfg, doc)
    s = Shootdown(m, cfg.cpus, cfg.pages, cfg.rounds, d)
    if s.user_ops:
        _initiator(s)
        if d.flush_by == "ipi" and not d.latr:
            _responders(s)
    if "vfree" in d.callers:
        _vfree(s)
    if d.pv:
        pv_part.declare(s)
    _covers(s)
    strengthening.declare(s)  # auxiliary invariants for --prove (not checked by default)
    m.final(quiescent(s))
    phase = s.phase
    m.leads_to("flush_completes", (phase != "idle") & (phase != "freed") & (phase != "done"),
               (phase == "idle") | (phase == "freed") | (phase == "done"),
               "every started unmap and its TLB flush completes (no CPU waits for an IPI forever)",
               "L1: csd_lock_wait returns once every target has run its handler")
    return m.build()


def quiescent(s):
    """The final states: the last round's operation is done and no flush work is left — no csd
    locked or queued, no handler running, no vCPU owing a flush, every LATR sweep done and its
    memory reused, no GUP-fast walk or context switch half done, the PTL free."""
    d, CPU = s.d, s.CPU
    out = (s.phase == "done") & (s.round == s.rounds - 1) & forall(
        CPU, lambda c: ~s.csd_locked[c] & ~s.csd_queued[c] & (s.irq[c] == "none"))
    if d.pv:
        out = out & forall(CPU, lambda c: s.vcpu_in[c] | (s.preempted[c] != "preempted_flush"))
    if d.latr:
        out = out & s.latr_pending.is_empty() & ~s.latr_deferred
    if d.gup_fast:
        out = out & forall(CPU, lambda c: s.gup[c] == None)  # noqa: E711
    if d.switch == "steps":
        out = out & forall(CPU, lambda c: s.sw[c] == "none")
    if "writeback" in d.callers:
        out = out & ~s.ptl_locked
    if "vfree" in d.callers:  # a deferred kernel flush may wait for a kernel entry that never comes
        out = out & forall(CPU, lambda c: ~s.kipi[c] & (s.ctx[c] != "entry"))
    return out


def free_table_updates(s):
    """Free the PTE-table page that was detached: a cached pointer to it is left alone; a walk
    through it now reads freed memory."""
    return [s.ptable[t].becomes(If(s.detached(t), "free", s.ptable[t])) for t in s.PTable.members]


def free_frames_updates(s):
    """Free the frames the zap gathered: a TLB entry still translating to one is now stale."""
    return [s.frame[f].becomes(If(s.frame[f] == "gathered", "free", s.frame[f])) for f in s.Frame.members]


def gather_frames(s):
    """zap_pte_range / collapse: the frames the PTEs map go into the mmu_gather batch."""
    return [s.frame[f].becomes(If(exists(s.Page, lambda p: s.pte[p] == f), "gathered", s.frame[f]))
            for f in s.Frame.members]


def fill_info(s):
    """flush_tlb_mm_range fills flush_tlb_info for this flush (shared storage only)."""
    return [s.info_owner.becomes(s.mm_tlb_gen + 1)] if s.shared_info else []


def release_info(s):
    """flush_tlb_mm_range has returned: its flush_tlb_info storage is released."""
    return [s.info_owner.becomes(0)] if s.shared_info else []


def caches(s, c):
    """CPU c caches a translation of the range or the pointer to its PTE-table page."""
    return (s.psc[c] != None) | exists(s.Page, lambda p: s.tlb[c, p] != None)  # noqa: E711


def any_detached(s):
    """A PTE-table page is detached and waits to be freed."""
    return exists(s.PTable, s.detached)


def no_gup_walker(s):
    """tlb_remove_table_sync_one / an RCU grace period: no CPU is inside a GUP-fast walk."""
    return forall(s.CPU, lambda c: s.gup[c] == None) if s.d.gup_fast else True  # noqa: E711


# ---------------------------------------------------------------------------- initiator

def _initiator(s) -> None:
    m, d, CPU, Page = s.m, s.d, s.CPU, s.Page
    phase, ver = s.phase, d.version
    after_local = "sending" if d.local_first else "waiting"
    after_send = "local_flush" if not d.local_first else "waiting"
    if d.flush_by == "hypercall" or d.latr:
        after_local = "sending"
    initiator = dict(actor=lambda *_: 0, fair="weak")
    zap = [s.pte[p].becomes(None) for p in Page.members] + gather_frames(s)
    ptl = [s.ptl_locked.becomes(True)] if "writeback" in d.callers else []  # pte_offset_map_lock
    collapse = "khugepaged" in d.callers
    if collapse:
        s.collapsing = m.var("collapsing", s.freed_tables.type, False, "this round is a khugepaged collapse")

    if "munmap" in d.callers:
        @m.action(**initiator, ref="mm/mmap.c: __do_munmap -> unmap_region -> mm/memory.c: "
                                   "unmap_vmas/zap_pte_range (v5.2)")
        def munmap():
            """munmap: clear the PTEs; free_pgtables will detach the PTE table (and say so in
            freed_tables)."""
            return when((phase == "idle") & s.quiet(0), zap, ptl, phase.becomes("zapped"))

        early = None
        if d.table_free == "sync_one" and not d.table_invalidate:
            early = no_gup_walker(s)  # tlb_remove_table_one: IPI sync, then free: no flush first
        elif d.table_free == "rcu" and d.mm_users_shortcut:
            early = count(CPU, lambda c: (c != 0) & (s.mode[c] == "user")) == 0  # mm_users < 2
        elif d.table_free == "rcu" and not d.table_invalidate:
            early = no_gup_walker(s)  # B4: the batch is full, call_rcu, the grace period ends
        rcu_ref = ""
        if d.table_free == "rcu" and not d.table_invalidate and not d.mm_users_shortcut:
            rcu_ref = ("; the batch is full: tlb_table_flush -> call_rcu with tlb_needs_table_invalidate() "
                       "false (HAVE_RCU_TABLE_NO_INVALIDATE, before 0ed1325967ab), so the table is freed "
                       "once the grace period ends, before the TLB flush")

        @m.action(**initiator, ref="mm/memory.c: free_pgtables -> free_pte_range -> pte_free_tlb"
                  + (" -> tlb_remove_table" if d.table_free != "after_flush" else "")
                  + " (v5.2); include/asm-generic/tlb.h: pte_free_tlb sets tlb->freed_tables" + rcu_ref)
        def free_pgtables():
            """Unlink the PTE table from its PMD and tell the flush (freed_tables = 1); the table is
            freed after the flush (or, on the paths this design takes, at once)."""
            detach = [s.pmd.becomes(None), s.freed_tables.becomes(True), phase.becomes("flush_start")]
            if early is None:
                return when(phase == "zapped", detach)
            # the table is freed right away: the one the PMD pointed to
            now = [s.ptable[t].becomes(If(early & (s.pmd == t), "free", s.ptable[t])) for t in s.PTable.members]
            if d.table_free == "sync_one":  # the batch could not be allocated: IPI sync, then free
                return when((phase == "zapped") & early, detach, now)
            return when(phase == "zapped", detach, now)

    if "madvise" in d.callers or "writeback" in d.callers:
        @m.action(**initiator, ref="mm/madvise.c: madvise_dontneed_single_vma -> zap_page_range"
                  + (" -> zap_pte_range under the PTL (1cf35d47712d)" if "writeback" in d.callers else "")
                  + " (v5.2)")
        def madvise_dontneed():
            """MADV_DONTNEED: clear the PTEs; the PTE table stays (freed_tables = 0)."""
            return when((phase == "idle") & s.quiet(0), zap, ptl, phase.becomes("flush_start"),
                        s.freed_tables.becomes(False))

    if collapse:
        @m.action(**initiator, ref="mm/khugepaged.c: collapse_huge_page -> pmdp_collapse_flush: clear "
                                   "the PMD, flush_tlb_range (v6.1)")
        def collapse_huge_page():
            """khugepaged replaces the PTE table by a huge page: the PMD is cleared, the PTE
            table (its PTEs still set) is detached and its small pages gathered; the flush is
            modelled with freed_tables=1."""
            return when((phase == "idle") & s.quiet(0), s.pmd.becomes(None), gather_frames(s),
                        s.collapsing.becomes(True), s.freed_tables.becomes(True), phase.becomes("flush_start"))

    @m.action(**initiator, ref=f"arch/x86/mm/tlb.c: flush_tlb_mm_range -> inc_mm_tlb_gen, fill "
                               f"flush_tlb_info ({ver})")
    def inc_mm_tlb_gen():
        unlocked = ~s.ptl_locked if "writeback" in d.callers and not d.flush_under_ptl else True
        # RFC patch 10: async (non-SYNC csds) only for flushes that free no page tables
        is_async = (True if d.async_freed_tables else ~s.freed_tables) if d.async_user else False
        return when((phase == "flush_start") & unlocked, s.mm_tlb_gen.becomes(s.mm_tlb_gen + 1),
                    fill_info(s),
                    s.async_flush.becomes(is_async), s.scanned.becomes(CPU.empty()),
                    phase.becomes("local_flush" if d.local_first or d.flush_by == "hypercall" or d.latr
                                  else "sending"))

    @m.action(**initiator, ref=("arch/x86/mm/tlb.c: flush_tlb_mm_range -> flush_tlb_func_local "
                                "(v5.2)" if d.local_first else
                                f"arch/x86/mm/tlb.c: flush_tlb_func, local path ({ver})"))
    def flush_tlb_func_local():
        """Flush CPU 0's own TLB with IRQs off."""
        return when(phase == "local_flush", s.flush_local_tlb(0), s.shadow_sync(),
                    s.cpu_tlb_gen[0].becomes(s.mm_tlb_gen), phase.becomes(after_local))

    if d.latr:
        _latr(s, initiator)
    elif d.flush_by == "hypercall" and d.hv_mask != "atomic":
        _hyperv_racy_mask(s, initiator)
    elif d.flush_by == "hypercall":
        @m.action(**initiator, ref="arch/x86/hyperv/mmu.c: hyperv_flush_tlb_multi: "
                                   "HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, no IPIs (v6.1)")
        def hyperv_flush_tlb_multi():
            """The hypervisor flushes every listed vCPU, running or not, IRQs off or not."""
            hit = {t: (t != 0) & s.targeted(t) for t in CPU.members}
            return when(phase == "sending",
                        [s.tlb[t, p].becomes(If(hit[t], None, s.tlb[t, p]))
                         for t in CPU.members for p in Page.members],
                        [s.psc[t].becomes(If(hit[t], None, s.psc[t])) for t in CPU.members],
                        [s.cpu_tlb_gen[t].becomes(If(hit[t], s.mm_tlb_gen, s.cpu_tlb_gen[t]))
                         for t in CPU.members],
                        phase.becomes("flushed"))
    else:
        _ipi_initiator(s, after_send)

    if "writeback" in d.callers:
        unlock_at = (phase == "flushed") if d.flush_under_ptl else (phase == "zapped") | (phase == "flush_start")

        @m.action(**initiator, ref="mm/memory.c: zap_pte_range: "
                  + ("\"Do the actual TLB flush before dropping ptl\": tlb_flush_mmu_tlbonly, then "
                     "pte_unmap_unlock (v5.2, 1cf35d47712d)" if d.flush_under_ptl else
                     "pte_unmap_unlock right after the zap; the flush comes later (before 1cf35d47712d)"))
        def pte_unmap_unlock():
            """Drop the PTE-table lock: page_mkclean may now look at the zapped page."""
            return when(s.ptl_locked & unlock_at, s.ptl_locked.becomes(False))

    last = s.round + 1 >= s.rounds
    gp = no_gup_walker(s) if d.table_free != "after_flush" else True
    table_ipi = d.table_free_ipi != "none" and s.ipis
    if table_ipi:
        _table_free_ipi(s, initiator)

    @m.action(**initiator, ref="mm/mmu_gather.c: tlb_finish_mmu -> tlb_flush_mmu_free: free the "
                               "pages and tables (v5.2); flush_tlb_mm_range has returned"
                               + ("; tables after an RCU grace period (tlb_remove_table)"
                                  if d.table_free != "after_flush" else ""))
    def tlb_finish_mmu():
        """flush_tlb_mm_range returned (its flush_tlb_info released); free the frames and table."""
        g = (phase == "flushed") & (~s.collapsing if collapse else True)
        if table_ipi:  # tlb_table_flush: tlb_flush_remove_tables has run when tables are freed
            g = g & (s.table_round | ~s.freed_tables)
        if "writeback" in d.callers:  # zap_pte_range: tlb_flush_mmu frees after pte_unmap_unlock
            g = g & ~s.ptl_locked
        if d.latr and d.latr_reuse_delay:  # LATR: the frames and table are only queued for reuse
            return when(g, release_info(s), s.latr_deferred.becomes(True),
                        phase.becomes(If(last, "done", "freed")))
        return when(g & (~any_detached(s) | gp), release_info(s), free_frames_updates(s),
                    free_table_updates(s), phase.becomes(If(last, "done", "freed")),
                    [s.table_round.becomes(False)] if table_ipi else [])

    if collapse:
        sync = no_gup_walker(s) if d.collapse_sync else True

        @m.action(**initiator, ref="mm/khugepaged.c: collapse_huge_page: "
                  + ("tlb_remove_table_sync_one(), " if d.collapse_sync else "(no IPI sync) ")
                  + "then pte_free() and release the small pages (2ba99c5e0881)")
        def collapse_free_pte_table():
            return when((phase == "flushed") & s.collapsing & sync, release_info(s),
                        free_frames_updates(s), free_table_updates(s), phase.becomes(If(last, "done", "freed")))

    if s.rounds > 1:  # one round: nothing maps the range again
        _refault(s, initiator)


def _refault(s, initiator) -> None:
    """The next round: mmap and fault the range in again, into frames from the allocator."""
    m, d, Page, phase = s.m, s.d, s.Page, s.phase
    collapse = "khugepaged" in d.callers
    refault = (phase == "freed") & (~s.latr_deferred if d.latr else True)

    @m.action(s.PTable, **initiator, ref="mm/mmap.c: mmap_region, then mm/memory.c: handle_mm_fault -> "
                                         "__pte_alloc: a new PTE-table page in the PMD (v5.2)")
    def pte_alloc(t):
        """The next round maps the range again; its first fault allocates an empty PTE-table page
        (`pte` holds the entries of the latest table: a detached one keeps them until then)."""
        return when(refault & (s.pmd == None) & (s.ptable[t] == "free"),  # noqa: E711
                    s.pmd.becomes(t), s.ptable[t].becomes("mm"), [s.pte[p].becomes(None) for p in Page.members],
                    [s.spte[p].becomes(None) for p in Page.members] if d.shadow_paging != "none" else [])

    @m.action(Page, s.Frame, **initiator, ref="mm/memory.c: handle_mm_fault -> do_anonymous_page: "
                                              "alloc_zeroed_user_highpage, set_pte_at (v5.2)")
    def do_anonymous_page(p, f):
        """A fault maps page p to a frame from the allocator (fresh, or one just freed); the last
        one ends the mmap and starts the next round."""
        last_page = forall(Page, lambda q: (q == p) | (s.pte[q] != None))  # noqa: E711
        ups = [s.pte[p].becomes(f), s.frame[f].becomes("mm"),
               s.round.becomes(If(last_page, s.round + 1, s.round)), phase.becomes(If(last_page, "idle", phase))]
        if "writeback" in d.callers:
            ups.append(s.clean[f].becomes(False))
        if collapse:
            ups.append(s.collapsing.becomes(False))
        return when(refault & (s.pmd != None) & (s.pte[p] == None) & (s.frame[f] == "free"), ups)  # noqa: E711


def _hyperv_racy_mask(s, initiator) -> None:
    """B13: hyperv_flush_tlb_multi reads mm_cpumask while other CPUs join and leave it (IRQs off on
    the initiator stop nobody else). The mask handed over is the remote CPUs' bits: CPU 0 stands for
    khugepaged, a kernel thread whose own bit the mm need not have."""
    m, d, CPU, Page, phase = s.m, s.d, s.CPU, s.Page, s.phase
    remote_in = exists(CPU, lambda t: (t != 0) & s.targeted(t))

    def flush(hit):
        """The hypervisor flushes the listed vCPUs, running or not, before the hypercall returns."""
        return ([s.tlb[t, p].becomes(If(hit[t], None, s.tlb[t, p])) for t in CPU.members for p in Page.members]
                + [s.psc[t].becomes(If(hit[t], None, s.psc[t])) for t in CPU.members]
                + [s.cpu_tlb_gen[t].becomes(If(hit[t], s.mm_tlb_gen, s.cpu_tlb_gen[t])) for t in CPU.members])

    if d.hv_mask == "empty_check":
        @m.action(**initiator, ref="arch/x86/hyperv/mmu.c: hyperv_flush_tlb_multi: local_irq_save, then "
                                   "if (cpumask_empty(cpus)) return (ad0a6bad4475, v5.8)")
        def hv_cpumask_empty():
            return when(phase == "sending", phase.becomes(If(remote_in, "waiting", "flushed")))

        @m.action(**initiator, ref="arch/x86/hyperv/mmu.c: hyperv_flush_tlb_multi before B13: cpu = "
                                   "cpumask_last(cpus); hv_cpu_number_to_vp_number(cpu) — nr_cpumask_bits "
                                   "once the mask emptied, an index past hv_vp_index[] — then "
                                   "HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE for the CPUs in the mask")
        def hv_flush_hypercall():
            hit = {t: (t != 0) & s.targeted(t) for t in CPU.members}
            return when(phase == "waiting", s.hv_bad_vp_index.becomes(s.hv_bad_vp_index | ~remote_in),
                        flush(hit), phase.becomes("flushed"))
        return

    @m.action(CPU, actor=lambda t: 0, fair="strong",
              ref="arch/x86/hyperv/mmu.c: hyperv_flush_tlb_multi (B13 fix, v5.17): cpumask_last checked "
                  "against nr_cpumask_bits; for_each_cpu(cpu, cpus) __set_bit(hv_cpu_number_to_vp_number(cpu), "
                  "&flush->processor_mask): the live mask, CPU by CPU")
    def hv_read_cpu(t):
        done = s.scanned.with_(t)
        return when((phase == "sending") & (t != 0) & ~s.scanned.has(t), s.scanned.becomes(done),
                    s.hv_pmask.becomes(If(s.targeted(t), s.hv_pmask.with_(t), s.hv_pmask)),
                    phase.becomes(If(done == s.ALL_REMOTE, "waiting", "sending")))

    @m.action(**initiator, ref="arch/x86/hyperv/mmu.c: hyperv_flush_tlb_multi: \"nothing to flush if "
                               "'processor_mask' ends up being empty\", else HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE "
                               "for the processor mask (v5.17)")
    def hv_flush_hypercall():
        """Over-flush is harmless (a CPU that left since is flushed anyway); a CPU that joined after
        its bit was read set the bit before reading tlb_gen and loading CR3."""
        hit = {t: s.hv_pmask.has(t) for t in CPU.members}
        return when(phase == "waiting", flush(hit), s.hv_pmask.becomes(CPU.empty()), phase.becomes("flushed"))

    m.cover("hv_cpu_left_after_read", (phase == "waiting") & exists(CPU, lambda t: s.hv_pmask.has(t)
                                                                    & ~s.mm_cpumask.has(t)),
            "a CPU read into the processor mask left mm_cpumask before the hypercall: it is flushed anyway",
            "arch/x86/hyperv/mmu.c: hyperv_flush_tlb_multi reads the live mm_cpumask (v5.17)")
    m.cover("hv_processor_mask_empty", (phase == "waiting") & s.hv_pmask.is_empty(),
            "every CPU left the mask while it was read: the hypercall is skipped",
            "arch/x86/hyperv/mmu.c: \"nothing to flush if 'processor_mask' ends up being empty\" (v5.17)")


def _ipi_initiator(s, after_send: str) -> None:
    m, d, CPU = s.m, s.d, s.CPU
    phase, ver = s.phase, d.version
    send_ref = ("kernel/smp.c: smp_call_function_many: csd_lock, llist_add, send IPI (v5.2)"
                if ver != RFC else "kernel/smp.c: __smp_call_function_many, info inlined in the csd "
                                   "(RFC v2 patch 10)")
    if ver not in ("v5.2", RFC):
        send_ref = f"kernel/smp.c: smp_call_function_many_cond: csd_lock, llist_add, send IPI ({ver})"
    s.scan = scan = lambda t: _scan(s, t, after_send)
    # KVM: the guest IPIs a vCPU whose steal_time says it runs (or already has a flush pending)
    runs = (lambda t: True) if not d.pv else (lambda t: (s.preempted[t] != "preempted") & (
        True if d.pv_cmpxchg else ~s.pv_seen[t]))

    # send and skip are two outcomes of one scan step; as each may be enabled only now and
    # then (the target flips is_lazy), they are strongly fair
    @m.action(CPU, ref=send_ref, actor=lambda t: 0, fair="strong")
    def ipi_send(t):
        """Queue the flush on CPU t's call_single_queue and IPI it (csd_lock waits for the csd)."""
        return when((phase == "sending") & (t != 0) & ~s.scanned.has(t) & s.targeted(t) & runs(t)
                    & ~s.csd_locked[t],
                    s.csd_locked[t].becomes(True), s.csd_queued[t].becomes(True),
                    [s.ipi_gen[t].becomes(s.mm_tlb_gen)] if s.shared_info else [], scan(t))

    skip_ref = {"v4.19": "native_flush_tlb_others: CPU not in mm_cpumask",
                "v5": "native_flush_tlb_others/tlb_is_not_lazy: CPU not in mm_cpumask, or lazy "
                      "and no tables freed",
                "v6": "should_flush_tlb: CPU not in mm_cpumask, lazy, or running another mm"}[d.lazy_rule]

    if d.table_free_ipi != "none":
        skip_ref += "; or, in tlb_flush_remove_tables' round, not in its mask"

    if d.flush_keys == "loaded_mm":  # active_mm archs IPI every other CPU: none is skipped
        @m.action(CPU, ref=f"arch/x86/mm/tlb.c: {skip_ref} ({ver})", actor=lambda t: 0, fair="strong")
        def ipi_skip(t):
            return when((phase == "sending") & (t != 0) & ~s.scanned.has(t) & ~s.targeted(t), scan(t))

    acked = forall(CPU, lambda t: ~s.csd_locked[t]) if d.wait_for_ack else True
    if not d.async_wait:
        acked = If(s.async_flush, True, acked)

    @m.action(actor=lambda: 0, fair="weak", ref=f"kernel/smp.c: csd_lock_wait for each target ({ver})"
              + ("" if d.async_wait else "; RFC v2 as posted: skipped for async flushes"))
    def csd_lock_wait():
        """Spin until every target has unlocked its csd (the flush is then acknowledged)."""
        return when((phase == "waiting") & acked, phase.becomes("flushed"))


def _table_free_ipi(s, initiator) -> None:
    """B2: the v4.19-rc lazy-TLB series (reverted before v4.19) skipped lazy CPUs in every flush and
    sent them a second IPI when page tables were freed."""
    m, d, CPU, phase = s.m, s.d, s.CPU, s.phase
    which = {"mm_cpumask": "smp_call_function_many(mm_cpumask(mm), tlb_flush_remove_tables_local) "
                           "(2ff6ddf19c0e)",
             "lazy": "the CPUs of mm_cpumask with is_lazy set (64482aafe55f as its title says)",
             "not_lazy": "mm_fill_lazy_tlb_cpu_mask: the CPUs of mm_cpumask with is_lazy clear "
                         "(64482aafe55f's loop, as the revert's diff shows it)"}[d.table_free_ipi]

    @m.action(**initiator, ref="mm/memory.c: tlb_flush_mmu_free -> tlb_table_flush -> arch/x86/mm/tlb.c: "
                               "tlb_flush_remove_tables: IPI " + which + ", wait=1 (v4.19-rc, reverted "
                               "by PeterZ's \"x86/mm/tlb: Revert the recent lazy TLB patches\")")
    def tlb_flush_remove_tables():
        """Page tables are about to be freed: IPI the lazy CPUs so that they leave the mm
        (tlb_flush_remove_tables_local: switch_mm_irqs_off to init_mm) and drop their
        paging-structure caches."""
        return when((phase == "flushed") & s.freed_tables & ~s.table_round, s.table_round.becomes(True),
                    s.scanned.becomes(CPU.empty()), phase.becomes("sending"))

    m.cover("table_free_ipi_to_lazy_cpu",
            s.table_round & exists(CPU, lambda t: (s.irq[t] == "func") & (s.mode[t] == "lazy")),
            "a lazy CPU skipped by the flush takes tlb_flush_remove_tables' IPI and leaves the mm",
            "arch/x86/mm/tlb.c: tlb_flush_remove_tables_local (2ff6ddf19c0e, v4.19-rc)")


def _scan(s, t, after_send):
    done = s.scanned.with_(t)
    if s.d.table_free_ipi != "none":  # tlb_flush_remove_tables has no local part: wait next
        after_send = If(s.table_round, "waiting", after_send)
    return [s.scanned.becomes(done), s.phase.becomes(If(done == s.ALL_REMOTE, after_send, "sending"))]


def _latr(s, initiator) -> None:
    """LATR (ASPLOS'18): no IPIs; each CPU flushes at its next tick, and the freed memory is
    reused only after every CPU has swept."""
    m, CPU, phase = s.m, s.CPU, s.phase

    @m.action(**initiator, ref="LATR (Kumar et al., ASPLOS'18) §4: post a lazy invalidation in the "
                               "per-CPU LATR states instead of sending IPIs")
    def latr_post():
        return when(phase == "sending", s.latr_pending.becomes(s.mm_cpumask.without(0)),
                    phase.becomes("flushed"))

    @m.action(CPU, ref="LATR §4: the scheduler tick sweeps the LATR states and flushes locally",
              fair="strong")
    def latr_sweep(c):
        return when((c != 0) & s.latr_pending.has(c) & s.quiet(c), s.flush_local_tlb(c),
                    s.cpu_tlb_gen[c].becomes(s.mm_tlb_gen), s.latr_pending.becomes(s.latr_pending.without(c)))

    returned = (phase == "freed") | (phase == "done")

    m.cover("latr_sweep_pending_after_return",
            returned & exists(CPU, lambda c: s.latr_pending.has(c) & caches(s, c)),
            "munmap has returned while a CPU that has not yet swept still caches the old translation",
            "LATR (Kumar et al., ASPLOS'18) §4: latr_post instead of IPIs, sweep at the next tick")
    if not s.d.latr_reuse_delay:  # N3: tlb_finish_mmu frees at once; nothing is ever deferred
        return

    @m.action(ref="LATR §4.3: freed pages and page tables are reused only after all CPUs swept")
    def latr_reclaim():
        return when(s.latr_deferred & s.latr_pending.is_empty(), s.latr_deferred.becomes(False),
                    free_frames_updates(s), free_table_updates(s))

    m.cover("latr_reuse_after_sweeps", returned & ~s.latr_deferred,
            "the unmapped pages and table were reused once every CPU had swept",
            "LATR §4.3: reclaim after the last sweep")


# ---------------------------------------------------------------------------- kernel mappings

def _vfree(s) -> None:
    """N2: vfree of a vmalloc'd range. vunmap clears the kernel PTE; the lazy purge
    (__purge_vmap_area_lazy) calls flush_tlb_kernel_range — on_each_cpu(do_kernel_range_flush,
    wait=1): every CPU, lazy and idle ones too, no tlb_gen — and only then gives the range back,
    for a new vmalloc to map to another page. With Design.kflush_defer, CPUs in user mode
    (NOHZ_FULL) get no IPI: their flush waits for their next kernel entry."""
    m, d, CPU, phase = s.m, s.d, s.CPU, s.phase
    initiator = dict(actor=lambda *_: 0, fair="weak")
    last = s.round + 1 >= s.rounds
    defer = d.kflush_defer != "none"

    @m.action(**initiator, ref="mm/vmalloc.c: vfree -> remove_vm_area -> vunmap_range_noflush, then the "
                               "lazy purge: __purge_vmap_area_lazy -> flush_tlb_kernel_range (v6.x)")
    def vfree():
        return when((phase == "idle") & s.quiet(0), s.kva.becomes("unmapped"), s.scanned.becomes(CPU.empty()),
                    phase.becomes("k_sending"))

    def scan(t):
        done = s.scanned.with_(t)
        return [s.scanned.becomes(done), phase.becomes(If(done == s.ALL_REMOTE, "k_waiting", "k_sending"))]

    def user(t):
        return s.ctx[t] == "user"

    @m.action(CPU, actor=lambda t: 0, fair="strong",
              ref="arch/x86/mm/tlb.c: flush_tlb_kernel_range -> on_each_cpu(do_kernel_range_flush, info, 1): "
                  "every online CPU, lazy and idle ones too; no tlb_gen (v6.x)")
    def kflush_send(t):
        g = (phase == "k_sending") & (t != 0) & ~s.scanned.has(t)
        return when(g & ~user(t) if defer else g, s.kipi[t].becomes(True), scan(t))

    if defer:
        @m.action(CPU, actor=lambda t: 0, fair="strong",
                  ref="RFC 'x86/mm: Defer flush_tlb_kernel_range() targeting NOHZ_FULL CPUs' (Valentin "
                      "Schneider, 2023): a CPU whose context tracking says user gets no IPI; the flush is "
                      "queued as context-tracking work for its next kernel entry")
        def kflush_defer(t):
            return when((phase == "k_sending") & (t != 0) & ~s.scanned.has(t) & user(t),
                        s.kdeferred[t].becomes(True), scan(t))

    @m.action(CPU, fair="strong", ref="arch/x86/mm/tlb.c: do_kernel_range_flush, the IPI handler: "
                                      "flush_tlb_one_kernel for each page of the range (v6.x)")
    def do_kernel_range_flush(t):
        """The IPI interrupts CPU t (in user mode too: the interruption NOHZ_FULL wants to avoid)."""
        return when((t != 0) & s.kipi[t] & s.quiet(t) & (s.ctx[t] != "entry"), s.ktlb[t].becomes("none"),
                    s.kipi[t].becomes(False))

    @m.action(**initiator, ref="mm/vmalloc.c: __purge_vmap_area_lazy: flush_tlb_kernel_range has returned, "
                               "the range is free for the next vmalloc, which maps it to another page (v6.x)")
    def vmap_reuse():
        return when((phase == "k_waiting") & forall(CPU, lambda t: ~s.kipi[t]), s.kva.becomes("new"),
                    phase.becomes(If(last, "done", "freed")))

    m.cover("vfree_completes", (phase == "done") & (s.kva == "new"),
            "vfree's range was flushed everywhere it had to be and reused by a new vmalloc",
            "mm/vmalloc.c: __purge_vmap_area_lazy -> flush_tlb_kernel_range (v6.x)")
    if defer:
        m.cover("kernel_flush_deferred", exists(CPU, lambda t: s.kdeferred[t] & (s.ktlb[t] == "old")),
                "a NOHZ_FULL CPU in user mode still caches the range, its flush deferred to its next kernel "
                "entry", "RFC 'Defer flush_tlb_kernel_range() targeting NOHZ_FULL CPUs' (2023)")
    else:
        m.cover("kernel_flush_interrupts_user", exists(CPU, lambda t: s.kipi[t] & (s.ctx[t] == "user")),
                "flush_tlb_kernel_range's IPI interrupts a CPU running user code (what NOHZ_FULL users "
                "want to avoid)", "arch/x86/mm/tlb.c: flush_tlb_kernel_range -> on_each_cpu (v6.x)")


# ---------------------------------------------------------------------------- responders

def _responders(s) -> None:
    m, d, CPU = s.m, s.d, s.CPU
    irq, mode, ver = s.irq, s.mode, d.version

    @m.action(CPU, ref="kernel/smp.c: generic_smp_call_function_single_interrupt -> "
                       "flush_smp_call_function_queue: llist_del_all (v5.2)"
                       + ("; RFC patch 10: copy inlined info to the stack, set "
                          "async_func_in_progress" if d.async_user and d.inline_copy else ""), fair=d.ipi_fair)
    def ipi_entry(t):
        """CPU t takes the IPI (IRQs were on) and dequeues the flush request."""
        return when((t != 0) & s.csd_queued[t] & s.quiet(t),
                    s.csd_queued[t].becomes(False),
                    irq[t].becomes(If(s.async_flush, "async_unlock", "func")))

    def lazy(t):
        return mode[t] == "lazy"

    def user(t):
        return mode[t] == "user"

    func_ref = (f"arch/x86/mm/tlb.c: flush_tlb_func_remote -> flush_tlb_func_common: skip "
                f"if mm not loaded, leave_mm if lazy, else flush and catch up tlb_gen ({ver})")
    if d.flush_keys == "active_mm":
        func_ref = ("arch/alpha/kernel/smp.c: ipi_flush_tlb_mm: current->active_mm == mm -> "
                    "flush_tlb_current, else flush_tlb_other drops mm->context[cpu] (v5.8; also ia64, xtensa)")

    @m.action(CPU, ref=func_ref, fair="strong")
    def flush_tlb_func(t):
        behind = s.cpu_tlb_gen[t] < s.mm_tlb_gen
        flush = lazy(t) | (user(t) & behind)
        if d.flush_keys == "active_mm":
            # ipi_flush_tlb_mm (arch/alpha/kernel/smp.c): current->active_mm == mm -> flush the
            # current context (the one the hardware runs); else drop the mm's context on this CPU.
            # Between kthread_use_mm's active_mm = mm and its switch_mm, the current context is
            # still the previous mm's: this mm's entries stay.
            flush = ~(s.sw[t] == "use_mm") if d.use_mm != "none" else True
        # which flush's info the handler reads: its stack copy (RFC patch 10); the csd, which the
        # next flush may lock and refill once it was unlocked; or the initiator's stack/per-CPU
        # storage, which must still hold the info of the flush that sent this IPI
        if d.info == "inline":
            reads_dead = False if d.inline_copy else (irq[t] == "async_func") & s.csd_locked[t]
        else:
            reads_dead = s.info_owner != s.ipi_gen[t]
        return when((t != 0) & ((irq[t] == "func") | (irq[t] == "async_func")) & s.running(t),
                    s.flush_func(t, flush),
                    s.dead_info_read[t].becomes(s.dead_info_read[t] | reads_dead), s.shadow_sync(flush),
                    [s.ipi_gen[t].becomes(If(s.csd_queued[t], s.ipi_gen[t], 0))] if s.shared_info else [],
                    irq[t].becomes(If(irq[t] == "func", "unlock", "none")))

    @m.action(CPU, ref="kernel/smp.c: flush_smp_call_function_queue: csd_unlock (SYNC: after func; "
                       "RFC non-SYNC: before func)" + ("" if d.csd_unlock else "; (bug) left out"),
              fair="strong")
    def csd_unlock(t):
        return when((t != 0) & ((irq[t] == "unlock") | (irq[t] == "async_unlock")) & s.running(t),
                    s.csd_locked[t].becomes(False) if d.csd_unlock else [],
                    irq[t].becomes(If(irq[t] == "unlock", "none", "async_func")))


# ---------------------------------------------------------------------------- covers

def _covers(s) -> None:
    """What the callers and the flush exist for, each only where the design can reach it."""
    if not s.user_ops:
        return
    m, d, CPU, Page = s.m, s.d, s.CPU, s.Page
    phase, irq, mode, tlb, psc = s.phase, s.irq, s.mode, s.tlb, s.psc
    returned = (phase == "freed") | (phase == "done")  # flush_tlb_mm_range and tlb_finish_mmu ran
    collapse = "khugepaged" in d.callers

    # each caller's operation completed in the last round (so in every round before it)
    done = (phase == "done") & (s.round == s.rounds - 1)
    if "munmap" in d.callers:
        m.cover("munmap_completes", done & s.freed_tables & (~s.collapsing if collapse else True),
                "the last round's munmap unmapped, flushed and freed its pages and PTE table",
                "mm/mmap.c: __do_munmap -> unmap_region -> tlb_finish_mmu (v5.2)")
    if "madvise" in d.callers or "writeback" in d.callers:
        m.cover("madvise_completes", done & ~s.freed_tables,
                "the last round's MADV_DONTNEED zapped, flushed and freed its pages",
                "mm/madvise.c: madvise_dontneed_single_vma -> zap_page_range -> tlb_finish_mmu (v5.2)")
    if collapse:
        m.cover("collapse_completes", done & s.collapsing,
                "the last round's khugepaged collapse flushed and freed the old PTE table and pages",
                "mm/khugepaged.c: collapse_huge_page -> pte_free (v6.1)")
    if s.rounds > 1:
        m.cover("refault_refills_tlb", (s.round >= 1) & exists(CPU, Page, lambda c, p: (tlb[c, p] != None)  # noqa: E711
                                                                & (tlb[c, p] == s.pte[p])),
                "after the first round, a fault maps the range again and a CPU caches the new translation",
                "mm/memory.c: handle_mm_fault -> do_anonymous_page sets the PTE (v5.2); a page walk fills the TLB")
    if "munmap" in d.callers or collapse:
        m.cover("table_cached_after_detach",
                exists(CPU, lambda c: (psc[c] != None) & (psc[c] != s.pmd)),  # noqa: E711
                "a CPU's paging-structure cache still points at the PTE-table page that free_pgtables "
                "or a collapse detached: the flush must drop it before the table is freed",
                "mm/memory.c: free_pgtables; b956575bed91 (v4.14): x86/mm: flush lazy CPUs' paging-"
                "structure caches when page tables are freed")
        m.cover("table_freed", (s.pmd == None) & forall(s.PTable, lambda t: s.ptable[t] == "free"),  # noqa: E711
                "the detached PTE-table page was freed",
                "mm/memory.c: free_pgtables -> free_pte_range -> pte_free_tlb, freed by "
                "tlb_finish_mmu or tlb_remove_table (v5.2)")

    if s.ipis:
        if d.lazy_rule == "v4.19" or "munmap" in d.callers or collapse:
            m.cover("lazy_cpu_leaves_mm", exists(CPU, lambda t: (irq[t] == "func") & (mode[t] == "lazy")
                                                 & (psc[t] != None)),  # noqa: E711
                    "a lazy CPU still caching the table pointer runs the flush handler, which makes it "
                    "leave the mm",
                    "arch/x86/mm/tlb.c: flush_tlb_func_common: is_lazy -> switch_mm_irqs_off(NULL, "
                    "&init_mm) (b956575bed91, v4.14; 016c4d92cd16)")
        m.cover("flush_skipped_caught_up",
                exists(CPU, lambda t: ((irq[t] == "func") | (irq[t] == "async_func")) & (mode[t] == "user")
                       & (s.cpu_tlb_gen[t] == s.mm_tlb_gen)),
                "a CPU takes the flush IPI already caught up with mm->context.tlb_gen (it switched in "
                "or left lazy mode meanwhile): its handler skips the flush",
                "arch/x86/mm/tlb.c: flush_tlb_func_common: local_tlb_gen == mm_tlb_gen, \"already "
                "caught up\" (v4.14+)")
        m.cover("kprobe_in_flush_handler",
                exists(CPU, Page, lambda c, p: (irq[c] != "none") & s.nmi_uaccess_okay(c) & (tlb[c, p] != None)),  # noqa: E711
                "a kprobe or NMI in the flush handler may read user memory before the CPU has flushed",
                "mm/maccess.c: copy_from_user_nofault; arch/x86/include/asm/tlbflush.h: nmi_uaccess_okay")
        if d.cpumask == "lazy":
            m.cover("stale_cpumask_bit_cleared", exists(CPU, lambda t: (irq[t] == "func") & (mode[t] == "other")),
                    "a CPU that runs another mm but kept its mm_cpumask bit takes the flush IPI; its "
                    "handler clears the bit",
                    "arch/x86/mm/tlb.c: flush_tlb_func: loaded_mm != the flushed mm -> cpumask_clear_cpu "
                    "(209954cbc7d0, v6.x)")
        if not d.local_first:
            m.cover("remote_flush_during_local", (phase == "local_flush") & exists(CPU, lambda t: s.csd_locked[t]),
                    "CPU 0 flushes its own TLB while the flush IPIs are in flight",
                    "kernel/smp.c: smp_call_function_many_cond: IPIs, then the local func, then "
                    "csd_lock_wait (4ce94eabac16, v5.13)")
    if d.lazy_rule != "v4.19" and not d.latr and d.flush_keys == "loaded_mm" and (
            "madvise" in d.callers or "writeback" in d.callers):
        m.cover("lazy_cpu_skipped",
                exists(CPU, lambda c: (mode[c] == "lazy") & (s.cpu_tlb_gen[c] < s.mm_tlb_gen) & caches(s, c)
                       & ((phase == "flushed") | returned)),
                "the flush skipped a lazy CPU that still caches the range; it catches up when it "
                "leaves lazy mode",
                {"v5": "arch/x86/mm/tlb.c: native_flush_tlb_others -> tlb_is_not_lazy (v5.2)",
                 "v6": "arch/x86/mm/tlb.c: native_flush_tlb_multi -> should_flush_tlb (v6.x)"}[d.lazy_rule])
    if d.async_user:
        m.cover("async_window", returned & ~s.freed_tables & exists(CPU, lambda t: irq[t] == "async_func"),
                "flush_tlb_mm_range has returned and tlb_finish_mmu freed the pages of an unmap that "
                "freed no page tables, while a target still owes its flush",
                "RFC v2 patch 10: native_flush_tlb_multi with non-SYNC csds; flush_smp_call_function_queue "
                "unlocks before flush_tlb_func")
        if d.info == "inline" and s.rounds > 1:
            m.cover("inlined_info_csd_reused",
                    exists(CPU, lambda t: (irq[t] == "async_func") & s.csd_locked[t]),
                    "a target still flushes from its copy of the inlined info while the next flush has "
                    "locked and refilled its csd",
                    "RFC v2 patch 10: flush_tlb_info inlined in the csd, copied to the handler's stack "
                    "before csd_unlock")
    if d.flush_by == "hypercall" and d.gup_fast:
        m.cover("hypercall_flush_during_gup_fast",
                (phase == "flushed") & exists(CPU, lambda c: (s.gup[c] != None) & (s.gup[c] != s.pmd)),  # noqa: E711
                "the hypervisor flushed every vCPU while one still walks the detached PTE table with "
                "IRQs off (GUP-fast): freeing it must wait for the walk",
                "arch/x86/hyperv/mmu.c: hyperv_flush_tlb_multi; mm/mmu_gather.c: tlb_remove_table / "
                "tlb_remove_table_sync_one (v6.1, 2ba99c5e0881)")
    if "writeback" in d.callers:
        m.cover("writeback_cleans_zapped_page", exists(s.Frame, lambda f: s.clean[f]),
                "writeback cleaned a dirty page that MADV_DONTNEED zapped",
                "mm/rmap.c: page_mkclean -> page_vma_mkclean_one (v5.2)")
