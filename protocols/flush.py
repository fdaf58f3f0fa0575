"""The flush itself: CPU 0 unmaps and frees, the other CPUs take the flush IPI.

Initiator (CPU 0), one round per unmap operation:
  munmap (zap_pte_range + free_pgtables, freed_tables=1) or MADV_DONTNEED (freed_tables=0)
  -> flush_tlb_mm_range: inc_mm_tlb_gen, local flush and IPIs in the design's order,
     csd_lock_wait -> tlb_finish_mmu frees the pages (and the table) -> mmap + fault again.
Responders: ipi_entry (llist_del_all), flush_tlb_func and csd_unlock, in the order of a SYNC
csd (func then unlock) or of the RFC's non-SYNC csd (unlock then func).
"""
from __future__ import annotations

import dataclasses

from checker.lang import Config, If, ModelBuilder, Param, forall, when

from .tlb import RFC, Design, Shootdown


def bound_params() -> tuple[Param, ...]:
    """The bounds every flush family takes."""
    return (Param("cpus", 2, 2, 6, doc="CPUs: CPU 0 initiates, the others respond"),
            Param("pages", 1, 1, 3, doc="user pages in the unmapped range"),
            Param("rounds", 1, 1, 3, doc="unmap/free operations, one after another"))


def option_params(d: Design, infos: tuple[str, ...]) -> tuple[Param, ...]:
    """Variant switches a spec may flip (each default is the real design)."""
    return (Param("info", d.info, choices=infos, doc="where flush_tlb_info lives"),
            Param("lazy_skip_on_free", False, doc="(bug) skip lazy CPUs even when tables are freed"),
            Param("wait_for_ack", True, doc="wait for csd_unlock before freeing (False: bug)"))


def variant(d: Design, cfg: Config) -> Design:
    """The family's design with the spec's variant switches applied."""
    return dataclasses.replace(d, **{k: v for k, v in cfg.items() if k in Design.__dataclass_fields__})


def build(name: str, cfg: Config, d: Design, doc: str = ""):
    m = ModelBuilder(name, cfg, doc)
    s = Shootdown(m, cfg.cpus, cfg.pages, cfg.rounds, d)
    CPU, Page = s.CPU, s.Page
    phase, tlb, psc, irq, mode = s.phase, s.tlb, s.psc, s.irq, s.mode
    ver = d.version
    after_local = "sending" if d.local_first else "waiting"
    after_send = "local_flush" if not d.local_first else "waiting"
    initiator = dict(actor=lambda: 0, fair="weak")
    zap = [s.pte[p].becomes(False) for p in Page.members]

    # ---------------------------------------------------------------- initiator (CPU 0)
    @m.action(**initiator, ref="mm/mmap.c: __do_munmap -> unmap_region -> mm/memory.c: "
                               "unmap_vmas/zap_pte_range (v5.2)")
    def munmap():
        """munmap: clear the PTEs; the PTE table will be freed too (freed_tables = 1)."""
        return when(phase == "idle", zap, phase.becomes("zapped"), s.freed_tables.becomes(True),
                    s.async_flush.becomes(d.async_user and d.async_freed_tables))

    @m.action(**initiator, ref="mm/madvise.c: madvise_dontneed_single_vma -> zap_page_range (v5.2)")
    def madvise_dontneed():
        """MADV_DONTNEED: clear the PTEs; the PTE table stays (freed_tables = 0)."""
        return when(phase == "idle", zap, phase.becomes("flush_start"), s.freed_tables.becomes(False),
                    s.async_flush.becomes(d.async_user))

    @m.action(**initiator, ref="mm/memory.c: free_pgtables -> free_pte_range -> pte_free_tlb (v5.2)")
    def free_pgtables():
        """Unlink the PTE table from its PMD; it is freed only in tlb_finish_mmu."""
        return when(phase == "zapped", s.table.becomes("detached"), phase.becomes("flush_start"))

    @m.action(**initiator, ref=f"arch/x86/mm/tlb.c: flush_tlb_mm_range -> inc_mm_tlb_gen, fill "
                               f"flush_tlb_info ({ver})")
    def inc_mm_tlb_gen():
        return when(phase == "flush_start", s.mm_tlb_gen.becomes(s.mm_tlb_gen + 1),
                    s.info_live.becomes(True), s.scanned.becomes(CPU.empty()),
                    phase.becomes("local_flush" if d.local_first else "sending"))

    @m.action(**initiator, ref=("arch/x86/mm/tlb.c: flush_tlb_mm_range -> flush_tlb_func_local "
                                "(v5.2)" if d.local_first else
                                f"arch/x86/mm/tlb.c: flush_tlb_func, local path ({ver})"))
    def flush_tlb_func_local():
        """Flush CPU 0's own TLB with IRQs off."""
        return when(phase == "local_flush", s.flush_local_tlb(0),
                    s.cpu_tlb_gen[0].becomes(s.mm_tlb_gen), phase.becomes(after_local))

    send_ref = ("kernel/smp.c: smp_call_function_many: csd_lock, llist_add, send IPI (v5.2)"
                if ver != RFC else "kernel/smp.c: __smp_call_function_many, info inlined in the csd "
                                   "(RFC v2 patch 10)")
    if d.version != "v5.2" and ver != RFC:
        send_ref = f"kernel/smp.c: smp_call_function_many_cond: csd_lock, llist_add, send IPI ({ver})"

    def scan(t):
        done = s.scanned.with_(t)
        return [s.scanned.becomes(done),
                phase.becomes(If(done == s.ALL_REMOTE, after_send, "sending"))]

    # send and skip are two outcomes of one scan step; as each may be enabled only now and
    # then (the target flips is_lazy), they are strongly fair
    @m.action(CPU, ref=send_ref, actor=lambda t: 0, fair="strong")
    def ipi_send(t):
        """Queue the flush on CPU t's call_single_queue and IPI it (csd_lock waits for the csd)."""
        return when((phase == "sending") & (t != 0) & ~s.scanned.has(t) & s.targeted(t)
                    & ~s.csd_locked[t],
                    s.csd_locked[t].becomes(True), s.csd_queued[t].becomes(True), scan(t))

    @m.action(CPU, ref=f"arch/x86/mm/tlb.c: native_flush_tlb_others/tlb_is_not_lazy: CPU not in "
                       f"mm_cpumask, or lazy and no tables freed ({ver})", actor=lambda t: 0, fair="strong")
    def ipi_skip(t):
        return when((phase == "sending") & (t != 0) & ~s.scanned.has(t) & ~s.targeted(t), scan(t))

    all_acked = forall(CPU, lambda t: ~s.csd_locked[t]) if d.wait_for_ack else True

    @m.action(**initiator, ref=f"kernel/smp.c: csd_lock_wait for each target ({ver})")
    def csd_lock_wait():
        """Spin until every target has unlocked its csd (the flush is then acknowledged)."""
        return when((phase == "waiting") & all_acked, phase.becomes("flushed"))

    last = s.round + 1 >= s.rounds

    @m.action(**initiator, ref="mm/mmu_gather.c: tlb_finish_mmu -> tlb_flush_mmu_free: free the "
                               "pages and tables (v5.2); flush_tlb_mm_range has returned")
    def tlb_finish_mmu():
        """flush_tlb_mm_range returned (its flush_tlb_info released); free the frames and table."""
        return when(phase == "flushed", s.info_live.becomes(False),
                    [tlb[c, p].becomes(If(tlb[c, p] == "live", "freed", tlb[c, p]))
                     for c in CPU.members for p in Page.members],
                    [psc[c].becomes(If(s.freed_tables & (psc[c] == "live"), "freed", psc[c]))
                     for c in CPU.members],
                    s.table.becomes(If(s.freed_tables, "freed", s.table)),
                    phase.becomes(If(last, "done", "freed")))

    @m.action(**initiator, ref="mm/mmap.c: mmap_region, then mm/memory.c: handle_mm_fault maps new "
                               "frames (and a new PTE table)")
    def mmap_fault():
        """The next round: map the range again with fresh frames."""
        return when(phase == "freed", [s.pte[p].becomes(True) for p in Page.members],
                    s.table.becomes("live"), s.round.becomes(s.round + 1), phase.becomes("idle"))

    # ---------------------------------------------------------------- responders
    @m.action(CPU, ref="kernel/smp.c: generic_smp_call_function_single_interrupt -> "
                       "flush_smp_call_function_queue: llist_del_all (v5.2)"
                       + ("; RFC patch 10: copy inlined info to the stack, set "
                          "async_func_in_progress" if d.async_user else ""), fair=d.ipi_fair)
    def ipi_entry(t):
        """CPU t takes the IPI (IRQs were on) and dequeues the flush request."""
        return when((t != 0) & s.csd_queued[t] & (irq[t] == "none"),
                    s.csd_queued[t].becomes(False),
                    irq[t].becomes(If(s.async_flush, "async_unlock", "func")))

    def lazy(t):
        return mode[t] == "lazy"

    def user(t):
        return mode[t] == "user"

    @m.action(CPU, ref=f"arch/x86/mm/tlb.c: flush_tlb_func_remote -> flush_tlb_func_common: skip "
                       f"if mm not loaded, leave_mm if lazy, else flush and catch up tlb_gen ({ver})",
              fair="weak")
    def flush_tlb_func(t):
        behind = s.cpu_tlb_gen[t] < s.mm_tlb_gen
        flush = lazy(t) | (user(t) & behind)
        reads_dead = ~s.info_live if d.info != "inline" else False
        return when((t != 0) & ((irq[t] == "func") | (irq[t] == "async_func")),
                    [tlb[t, p].becomes(If(flush, "none", tlb[t, p])) for p in Page.members],
                    psc[t].becomes(If(flush, "none", psc[t])),
                    mode[t].becomes(If(lazy(t), "other", mode[t])),
                    s.mm_cpumask.becomes(If(lazy(t), s.mm_cpumask.without(t), s.mm_cpumask)),
                    s.cpu_tlb_gen[t].becomes(If(user(t) & behind, s.mm_tlb_gen, s.cpu_tlb_gen[t])),
                    s.dead_info_read[t].becomes(s.dead_info_read[t] | reads_dead),
                    irq[t].becomes(If(irq[t] == "func", "unlock", "none")))

    @m.action(CPU, ref="kernel/smp.c: flush_smp_call_function_queue: csd_unlock (SYNC: after func; "
                       "RFC non-SYNC: before func)", fair="weak")
    def csd_unlock(t):
        return when((t != 0) & ((irq[t] == "unlock") | (irq[t] == "async_unlock")),
                    s.csd_locked[t].becomes(False),
                    irq[t].becomes(If(irq[t] == "unlock", "none", "async_func")))

    m.leads_to("flush_completes", (phase != "idle") & (phase != "freed") & (phase != "done"),
               (phase == "idle") | (phase == "freed") | (phase == "done"),
               "every started unmap and its TLB flush completes (no CPU waits for an IPI forever)",
               "L1: csd_lock_wait returns once every target has run its handler")
    return m.build()
