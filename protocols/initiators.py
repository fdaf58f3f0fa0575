"""Several initiators: CPUs 0..k-1 each start an unmap and its flush, concurrently.

The flush families (protocols/flush.py, one `Design` each) with `initiators` = k > 1. Every CPU
keeps its own place in the work:

  initiator i (CPUs 0..k-1)                 any CPU t (initiators too, between their steps)
  madvise_dontneed(i, p) / munmap(i)        ipi_entry(t)   llist_del_all: the queue is taken,
  free_pgtables(i)                                         its oldest csd runs first
  inc_mm_tlb_gen(i)  fills i's flush_tlb_info flush_tlb_func(t, i)
  flush_tlb_func_local(i), ipi_send/skip(i, t) csd_unlock(t, i)  then the next csd taken, if any
  csd_lock_wait(i) -> tlb_finish_mmu(i) frees the frames (and table) i's mmu_gather holds

- per-initiator `phase`, `freed_tables`, `async_flush`, `scanned`, and flush_tlb_info where the
  design puts it: per-CPU or on the initiator's stack (`info_owner[i]`, the flush whose info i's
  storage holds), inlined in the csd (nothing shared); `info="global"` (a bug) is one static
  flush_tlb_info that every initiator fills;
- per-CPU call_function_data: one csd per (initiator, target), `csd_locked[i, t]`;
- a target's call_single_queue holds several csds in the order queued (`qpos[i, t]`: 1 is the
  oldest); ipi_entry is llist_del_all: every queued csd is taken (`csd_taken`) and the handler
  runs them oldest first (llist_reverse_order), one after another with IRQs off; a csd queued
  meanwhile waits for the next interrupt. Handlers run on initiators too (IRQs are on in
  munmap, madvise and csd_lock_wait), so two initiators flush each other;
- mm->context.tlb_gen counts every initiator's flush (up to k); flush_tlb_func catches a CPU up
  with it, as in the one-initiator model;
- mmap_lock: MADV_DONTNEED holds it for read, so two of them zap at once (each one page, any
  page: disjoint or the same); munmap takes it for write — it waits until no other operation
  is in progress and then (after downgrade_write, v4.20+) zaps the whole range and detaches the
  PTE table; a later munmap of the range finds no table (freed_tables = 0). The frames a zap
  clears go to its own mmu_gather batch (`batch[f]`), freed only by its tlb_finish_mmu.

When every CPU is an initiator the CPUs are interchangeable: the CPU set is declared symmetric.

Scope (each refused with a message at build time): one operation per initiator (rounds = 1);
callers munmap and MADV_DONTNEED (not khugepaged, writeback, vfree); tables freed after the
flush (not tlb_remove_table's RCU or sync_one paths, not GUP-fast); no tlb_flush_remove_tables
round (B2); Hyper-V's mask read in one step; no shadow paging, kthread_use_mm or active_mm
keying; the KVM PV flag set by cmpxchg. An initiator's CPU goes lazy, switches mm or is
preempted by the host only between its operations. Every initiator flushes, also when its zap
cleared nothing (the kernel skips that flush unless another flush of the mm is pending:
tlb_finish_mmu -> mm_tlb_flush_nested, 99baac21e458): an extra flush, never a missing one.
"""
from __future__ import annotations

from checker.lang import BOOL, Elem, If, IntRange, Mask, ModelBuilder, ModelError, count, exists, forall, when

from .tlb import RFC

SUPPORTED_CALLERS = ("munmap", "madvise")


def unsupported(d, cpus: int, rounds: int, k: int) -> list[tuple[str, str]]:
    """The design switches and bounds that do not compose with several initiators: (what, how to fix)."""
    out = []
    if k > cpus:
        out.append((f"initiators={k} is more than cpus={cpus}", "give initiators <= cpus"))
    if rounds > 1:
        out.append((f"rounds={rounds}: each initiator does one operation", "give rounds=1"))
    extra = [c for c in d.callers if c not in SUPPORTED_CALLERS]
    if extra:
        out.append((f"callers {extra}", "give callers from ('munmap', 'madvise')"))
    if d.table_free != "after_flush" or d.mm_users_shortcut or not d.table_invalidate:
        out.append((f"table_free={d.table_free!r} (tlb_remove_table's paths)", "give table_free='after_flush'"))
    if d.gup_fast:
        out.append(("gup_fast", "give gup_fast=False"))
    if d.table_free_ipi != "none":
        out.append((f"table_free_ipi={d.table_free_ipi!r} (B2)", "give table_free_ipi='none'"))
    if d.flush_by == "hypercall" and d.hv_mask != "atomic":
        out.append((f"hv_mask={d.hv_mask!r} (B13)", "give hv_mask='atomic'"))
    if d.shadow_paging != "none":
        out.append((f"shadow_paging={d.shadow_paging!r} (B12)", "give shadow_paging='none'"))
    if d.use_mm != "none":
        out.append((f"use_mm={d.use_mm!r} (B18)", "give use_mm='none'"))
    if d.flush_keys != "loaded_mm":
        out.append((f"flush_keys={d.flush_keys!r}", "give flush_keys='loaded_mm'"))
    if d.pv and not d.pv_cmpxchg:
        out.append(("pv_cmpxchg=False", "give pv_cmpxchg=True"))
    return out


def check(d, cpus: int, rounds: int, k: int) -> None:
    """Refuse a combination the multi-initiator model does not cover (exit 2, located)."""
    bad = unsupported(d, cpus, rounds, k)
    if bad:
        what = "; ".join(w for w, _ in bad)
        raise ModelError(f"initiators={k} does not compose with: {what}", "; ".join(h for _, h in bad))


def declare_state(s, cpus: int, rounds: int) -> None:
    """The per-initiator state (called by Shootdown in place of CPU 0's scalars)."""
    m, d, CPU, k = s.m, s.d, s.CPU, s.k
    check(d, cpus, rounds, k)
    s.rounds = rounds
    s.round = None
    s.INIT = CPU.mask(*range(k))
    s.EVERY = CPU.mask(*range(cpus))
    s.mm_tlb_gen = m.var("mm_tlb_gen", IntRange(0, k), 0, "mm->context.tlb_gen (every initiator's flush)")
    s.cpu_tlb_gen = m.array("cpu_tlb_gen", CPU, IntRange(0, k), 0, "cpu_tlbstate.ctxs[asid].tlb_gen")
    s.phase = m.array("phase", CPU, s.Phase, "idle", "where initiator i is in munmap / madvise")
    s.freed_tables = m.array("freed_tables", CPU, BOOL, False, "initiator i's mmu_gather.freed_tables")
    s.async_flush = m.array("async_flush", CPU, BOOL, False, "initiator i's flush uses non-SYNC csds (RFC)")
    s.scanned = m.array("scanned", CPU, Mask(CPU), (), "targets initiator i's smp_call_function_many handled")
    s.batch = m.array("batch", s.Frame, Elem(CPU, optional=True), None,
                      "whose mmu_gather batch holds frame f (gathered frames only)")
    # IPI machinery: per-CPU call_function_data, one csd per (initiator, target)
    s.csd_locked = m.array("csd_locked", (CPU, CPU), BOOL, False, "CSD_FLAG_LOCK of initiator i's csd for CPU t")
    s.csd_queued = m.array("csd_queued", (CPU, CPU), BOOL, False,
                           "initiator i's csd is on CPU t's call_single_queue (llist)")
    s.csd_taken = m.array("csd_taken", (CPU, CPU), BOOL, False,
                          "CPU t's handler took initiator i's csd off the queue (llist_del_all) and runs it next")
    s.qpos = m.array("qpos", (CPU, CPU), IntRange(0, k), 0,
                     "the place of initiator i's csd among those waiting on CPU t, oldest first (0: none)")
    s.irq = m.array("irq", CPU, s.Irq, "none", "CPU c's progress in the flush IPI handler")
    s.csd_run = m.array("csd_run", (CPU, CPU), BOOL, False, "CPU t's handler runs initiator i's csd")
    s.shared_info = s.ipis and d.info != "inline"
    if s.shared_info:
        if d.info == "global":
            s.info_owner = m.var("info_owner", IntRange(0, k), 0,
                                 "(bug) the flush whose info the one static flush_tlb_info holds")
        else:
            s.info_owner = m.array("info_owner", CPU, IntRange(0, k), 0,
                                   "the flush whose flush_tlb_info initiator i's stack or per-CPU storage "
                                   "holds; 0: released")
        s.flush_gen = m.array("flush_gen", CPU, IntRange(0, k), 0, "initiator i's flush_tlb_info.new_tlb_gen")
        s.ipi_gen = m.array("ipi_gen", (CPU, CPU), IntRange(0, k), 0,
                            "the flush whose flush_tlb_info initiator i's csd for CPU t points to (0: read)")
    if d.latr:
        s.latr_pending = m.array("latr_pending", CPU, Mask(CPU), (),
                                 "CPUs that have not swept since initiator i's lazy flush")
        s.latr_deferred = m.array("latr_deferred", CPU, BOOL, False,
                                  "initiator i's pages/table wait for reuse until every CPU has swept")


# ---------------------------------------------------------------------------- helpers

def is_init(s, i):
    """CPU i is an initiator (every CPU when initiators == cpus)."""
    return s.INIT.has(i) if s.k < len(s.CPU.members) else True


def task(s, i):
    """Initiator i's task runs: not interrupted by a flush handler, its vCPU in."""
    return (s.irq[i] == "none") & s.running(i)


def info_cell(s, i):
    """The flush_tlb_info storage initiator i fills: its own, or the one global copy (bug)."""
    return s.info_owner if s.d.info == "global" else s.info_owner[i]


def in_flush(s, i):
    return (s.phase[i] == "local_flush") | (s.phase[i] == "sending") | (s.phase[i] == "waiting")


def pending_read(s, i, t):
    """CPU t has yet to run initiator i's flush_tlb_func."""
    irq = s.irq
    return s.csd_queued[i, t] | s.csd_taken[i, t] | (s.csd_run[i, t] & (
        (irq[t] == "func") | (irq[t] == "async_unlock") | (irq[t] == "async_func")))


def flush_info_live(s) -> None:
    """The flush_info_live invariant with several initiators."""
    m, CPU, phase, irq = s.m, s.CPU, s.phase, s.irq
    if s.d.info == "inline":
        pre = exists(CPU, lambda t: irq[t] == "async_func")
    else:
        pre = exists(CPU, CPU, lambda i, t: pending_read(s, i, t) & (
            (info_cell(s, i) != s.ipi_gen[i, t]) | (phase[i] == "waiting") | (phase[i] == "flushed")))
    m.invariant("flush_info_live", forall(CPU, lambda c: ~s.dead_info_read[c]),
                "no CPU reads flush_tlb_info after its storage was released or reused by another flush",
                "S4: 3db6d5a5ecaf, RFC v2 patches 10-12", precondition=pre)


def ipi_queued(s, c):
    return exists(s.CPU, lambda i: s.csd_queued[i, c])


# ---------------------------------------------------------------------------- the model

def build(name: str, cfg, d, doc: str = ""):
    """A flush family with cfg.initiators > 1 initiators."""
    from . import pv as pv_part
    from .tlb import Shootdown
    check(d, cfg.cpus, cfg.rounds, cfg.initiators)
    m = ModelBuilder(name, cfg, doc)
    s = Shootdown(m, cfg.cpus, cfg.pages, cfg.rounds, d, initiators=cfg.initiators)
    _initiators(s)
    if s.ipis:
        _responders(s)
    if d.pv:
        pv_part.declare(s)
    _covers(s)
    m.final(quiescent(s))
    busy = exists(s.CPU, lambda i: ~s.between_ops(i))
    m.leads_to("flush_completes", busy, ~busy,
               "every started unmap and its TLB flush completes (no CPU waits for an IPI forever)",
               "L1: csd_lock_wait returns once every target has run its handler")
    return m.build()


def quiescent(s):
    """Every initiator's operation done, no csd locked, queued or taken, no handler running."""
    d, CPU = s.d, s.CPU
    every = len(CPU.members) == s.k
    out = forall(CPU, lambda i: (s.phase[i] == "done") if every else (s.phase[i] == "done") | ~s.INIT.has(i)) & forall(
        CPU, lambda c: (s.irq[c] == "none") & forall(CPU, lambda i: ~s.csd_locked[i, c] & ~s.csd_queued[i, c]
                                                     & ~s.csd_taken[i, c]))
    if d.pv:
        out = out & forall(CPU, lambda c: s.vcpu_in[c] | (s.preempted[c] != "preempted_flush"))
    if d.latr:
        out = out & forall(CPU, lambda i: s.latr_pending[i].is_empty() & ~s.latr_deferred[i])
    if d.switch == "steps":
        out = out & forall(CPU, lambda c: s.sw[c] == "none")
    return out


def _free(s, i):
    """tlb_finish_mmu: free the frames in i's batch and, if its munmap detached one, the PTE table."""
    mine = {f: (s.frame[f] == "gathered") & (s.batch[f] == i) for f in s.Frame.members}
    return ([s.frame[f].becomes(If(mine[f], "free", s.frame[f])) for f in s.Frame.members]
            + [s.batch[f].becomes(If(mine[f], None, s.batch[f])) for f in s.Frame.members]
            + [s.ptable[t].becomes(If(s.freed_tables[i] & s.detached(t), "free", s.ptable[t]))
               for t in s.PTable.members])


def _initiators(s) -> None:
    m, d, CPU, Page, Frame = s.m, s.d, s.CPU, s.Page, s.Frame
    phase, ver = s.phase, d.version
    after_local = "sending" if d.local_first else "waiting"
    after_send = "local_flush" if not d.local_first else "waiting"
    if d.flush_by == "hypercall" or d.latr:
        after_local = "sending"
    one = dict(actor=lambda i: i, fair="weak")
    pair = dict(actor=lambda i, t: i, fair="strong")

    def starts(i):
        """Initiator i's task runs this mm in user mode and enters the kernel for its operation."""
        return is_init(s, i) & (phase[i] == "idle") & s.quiet(i) & (s.mode[i] == "user")

    def gather(i, hit):
        """zap_pte_range: clear the PTEs of the pages `hit` selects; their frames go to i's batch."""
        mapped = {f: exists(Page, lambda p: hit(p) & (s.pte[p] == f)) for f in Frame.members}
        return ([s.pte[p].becomes(If(hit(p), None, s.pte[p])) for p in Page.members]
                + [s.frame[f].becomes(If(mapped[f], "gathered", s.frame[f])) for f in Frame.members]
                + [s.batch[f].becomes(If(mapped[f], i, s.batch[f])) for f in Frame.members])

    if "munmap" in d.callers:
        @m.action(CPU, **one, ref="mm/mmap.c: __vm_munmap -> mmap_write_lock_killable (waits for every "
                                  "reader), __do_munmap(downgrade) -> mmap_write_downgrade -> unmap_region -> "
                                  "mm/memory.c: unmap_vmas/zap_pte_range (v5.2)")
        def munmap(i):
            """munmap: once no other operation holds mmap_lock, clear every PTE of the range."""
            alone = forall(CPU, lambda j: (j == i) | s.between_ops(j))
            return when(starts(i) & alone, gather(i, lambda p: True), phase[i].becomes("zapped"))

        @m.action(CPU, **one, ref="mm/memory.c: free_pgtables -> free_pte_range -> pte_free_tlb (v5.2); "
                                  "include/asm-generic/tlb.h: pte_free_tlb sets tlb->freed_tables")
        def free_pgtables(i):
            """Unlink the PTE table from its PMD (if still there) and say so in freed_tables."""
            return when((phase[i] == "zapped") & task(s, i), s.pmd.becomes(None),
                        s.freed_tables[i].becomes(s.pmd != None), phase[i].becomes("flush_start"))  # noqa: E711

    if "madvise" in d.callers:
        @m.action(CPU, Page, actor=lambda i, p: i, fair="weak",
                  ref="mm/madvise.c: do_madvise -> mmap_read_lock, madvise_dontneed_single_vma -> "
                      "zap_page_range (v5.2)")
        def madvise_dontneed(i, p):
            """MADV_DONTNEED of page p under mmap_lock for read: another initiator may zap at once."""
            return when(starts(i), gather(i, lambda q: q == p), s.freed_tables[i].becomes(False),
                        phase[i].becomes("flush_start"))

    def fill(i):
        if not s.shared_info:
            return []
        gen = s.mm_tlb_gen + 1
        return [info_cell(s, i).becomes(gen), s.flush_gen[i].becomes(gen)]

    def release(i):
        if not s.shared_info or d.info == "global":  # a static flush_tlb_info is never released
            return []
        return [s.info_owner[i].becomes(0)]

    @m.action(CPU, **one, ref=f"arch/x86/mm/tlb.c: flush_tlb_mm_range -> inc_mm_tlb_gen, fill "
                              f"flush_tlb_info ({ver})" + ("; (bug) one static flush_tlb_info for every CPU"
                                                           if d.info == "global" else ""))
    def inc_mm_tlb_gen(i):
        is_async = (True if d.async_freed_tables else ~s.freed_tables[i]) if d.async_user else False
        return when((phase[i] == "flush_start") & task(s, i), s.mm_tlb_gen.becomes(s.mm_tlb_gen + 1), fill(i),
                    s.async_flush[i].becomes(is_async), s.scanned[i].becomes(CPU.empty().with_(i)),
                    phase[i].becomes("local_flush" if d.local_first or d.flush_by == "hypercall" or d.latr
                                     else "sending"))

    @m.action(CPU, **one, ref=("arch/x86/mm/tlb.c: flush_tlb_mm_range -> flush_tlb_func_local (v5.2)"
                               if d.local_first else f"arch/x86/mm/tlb.c: flush_tlb_func, local path ({ver})"))
    def flush_tlb_func_local(i):
        """Flush initiator i's own TLB with IRQs off and catch up with mm->context.tlb_gen."""
        return when((phase[i] == "local_flush") & task(s, i), s.flush_local_tlb(i),
                    s.cpu_tlb_gen[i].becomes(s.mm_tlb_gen), phase[i].becomes(after_local))

    if d.latr:
        _latr(s, one)
    elif d.flush_by == "hypercall":
        @m.action(CPU, **one, ref="arch/x86/hyperv/mmu.c: hyperv_flush_tlb_multi: "
                                  "HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, no IPIs (v6.1)")
        def hyperv_flush_tlb_multi(i):
            """The hypervisor flushes every listed vCPU, running or not, IRQs off or not."""
            hit = {t: (t != i) & s.targeted(t, i) for t in CPU.members}
            return when((phase[i] == "sending") & task(s, i),
                        [s.tlb[t, p].becomes(If(hit[t], None, s.tlb[t, p])) for t in CPU.members for p in Page.members],
                        [s.psc[t].becomes(If(hit[t], None, s.psc[t])) for t in CPU.members],
                        [s.cpu_tlb_gen[t].becomes(If(hit[t], s.mm_tlb_gen, s.cpu_tlb_gen[t])) for t in CPU.members],
                        phase[i].becomes("flushed"))
    else:
        _ipi_initiator(s, after_send, pair, one)

    @m.action(CPU, **one, ref="mm/mmu_gather.c: tlb_finish_mmu -> tlb_flush_mmu_free: free the pages "
                              "and tables of this mmu_gather (v5.2); flush_tlb_mm_range has returned")
    def tlb_finish_mmu(i):
        g = (phase[i] == "flushed") & task(s, i)
        if d.latr and d.latr_reuse_delay:  # LATR: the frames and table are only queued for reuse
            return when(g, release(i), s.latr_deferred[i].becomes(True), phase[i].becomes("done"))
        return when(g, release(i), _free(s, i), phase[i].becomes("done"))


def _ipi_initiator(s, after_send, pair, one) -> None:
    m, d, CPU = s.m, s.d, s.CPU
    phase, ver = s.phase, d.version
    send_ref = ("kernel/smp.c: smp_call_function_many: csd_lock(this CPU's cfd->csd[t]), llist_add, "
                "send IPI (v5.2)" if ver != RFC else
                "kernel/smp.c: __smp_call_function_many, info inlined in the csd (RFC v2 patch 10)")
    if ver not in ("v5.2", RFC):
        send_ref = f"kernel/smp.c: smp_call_function_many_cond: csd_lock(cfd->csd[t]), llist_add, send IPI ({ver})"
    runs = (lambda t: True) if not d.pv else (lambda t: s.preempted[t] != "preempted")

    def scan(i, t):
        done = s.scanned[i].with_(t)
        return [s.scanned[i].becomes(done), phase[i].becomes(If(done == s.EVERY, after_send, "sending"))]
    s.scan2 = scan

    @m.action(CPU, CPU, **pair, ref=send_ref)
    def ipi_send(i, t):
        """Queue i's csd at the tail of CPU t's call_single_queue and IPI it."""
        waiting = count(CPU, lambda j: s.csd_queued[j, t] | s.csd_taken[j, t])
        return when(scanning(s, i, t) & s.targeted(t, i) & runs(t) & ~s.csd_locked[i, t],
                    s.csd_locked[i, t].becomes(True), s.csd_queued[i, t].becomes(True),
                    s.qpos[i, t].becomes(waiting + 1),
                    [s.ipi_gen[i, t].becomes(s.flush_gen[i])] if s.shared_info else [], scan(i, t))

    skip_ref = {"v4.19": "native_flush_tlb_others: CPU not in mm_cpumask",
                "v5": "native_flush_tlb_others/tlb_is_not_lazy: CPU not in mm_cpumask, or lazy "
                      "and no tables freed",
                "v6": "should_flush_tlb: CPU not in mm_cpumask, lazy, or running another mm"}[d.lazy_rule]

    @m.action(CPU, CPU, **pair, ref=f"arch/x86/mm/tlb.c: {skip_ref} ({ver})")
    def ipi_skip(i, t):
        return when(scanning(s, i, t) & ~s.targeted(t, i), scan(i, t))

    def acked(i):
        a = forall(CPU, lambda t: ~s.csd_locked[i, t]) if d.wait_for_ack else True
        return a if d.async_wait else If(s.async_flush[i], True, a)

    @m.action(CPU, **one, ref=f"kernel/smp.c: csd_lock_wait for each of this CPU's csds ({ver})"
              + ("" if d.async_wait else "; RFC v2 as posted: skipped for async flushes"))
    def csd_lock_wait(i):
        """Spin (IRQs on: other initiators' IPIs are taken meanwhile) until every target unlocked i's csd."""
        return when((phase[i] == "waiting") & task(s, i) & acked(i), phase[i].becomes("flushed"))


def scanning(s, i, t):
    """Initiator i's smp_call_function_many has yet to decide about CPU t."""
    return (s.phase[i] == "sending") & task(s, i) & ~s.scanned[i].has(t)


def _latr(s, one) -> None:
    """LATR with several initiators: each posts its own lazy invalidation; a CPU's sweep handles
    every pending one; an initiator's memory is reused once every CPU it posted to has swept."""
    m, CPU, phase = s.m, s.CPU, s.phase

    @m.action(CPU, **one, ref="LATR (Kumar et al., ASPLOS'18) §4: post a lazy invalidation in the "
                              "per-CPU LATR states instead of sending IPIs")
    def latr_post(i):
        return when((phase[i] == "sending") & task(s, i), s.latr_pending[i].becomes(s.mm_cpumask.without(i)),
                    phase[i].becomes("flushed"))

    @m.action(CPU, ref="LATR §4: the scheduler tick sweeps the LATR states and flushes locally", fair="strong")
    def latr_sweep(c):
        return when(exists(CPU, lambda i: s.latr_pending[i].has(c)) & s.quiet(c), s.flush_local_tlb(c),
                    s.cpu_tlb_gen[c].becomes(s.mm_tlb_gen),
                    [s.latr_pending[i].becomes(s.latr_pending[i].without(c)) for i in CPU.members])

    if not s.d.latr_reuse_delay:
        return

    @m.action(CPU, ref="LATR §4.3: freed pages and page tables are reused only after all CPUs swept")
    def latr_reclaim(i):
        return when(s.latr_deferred[i] & s.latr_pending[i].is_empty(), s.latr_deferred[i].becomes(False),
                    _free(s, i))

    m.cover("latr_reuse_after_sweeps", exists(CPU, lambda i: (phase[i] == "done") & ~s.latr_deferred[i]),
            "an initiator's unmapped pages were reused once every CPU had swept",
            "LATR §4.3: reclaim after the last sweep")


def pv_flag(s) -> None:
    """KVM PV: initiator i flags a preempted target instead of IPI'ing it (several initiators)."""
    m, CPU = s.m, s.CPU
    pre = s.preempted

    @m.action(CPU, CPU, actor=lambda i, t: i, fair="strong",
              ref="arch/x86/kernel/kvm.c: kvm_flush_tlb_multi: cmpxchg(&src->preempted, state, "
                  "state | KVM_VCPU_FLUSH_TLB) succeeded: no IPI (v5.10)")
    def pv_flag_flush(i, t):
        return when(scanning(s, i, t) & s.targeted(t, i) & (pre[t] == "preempted"),
                    pre[t].becomes("preempted_flush"), s.scan2(i, t))

    m.cover("pv_flush_deferred_to_resume",
            exists(CPU, lambda i: s.phase[i] == "done") & exists(CPU, lambda t: (pre[t] == "preempted_flush")
                                                                 & ~s.vcpu_in[t]),
            "an initiator freed its pages while a preempted vCPU, flagged instead of IPI'd, still owes "
            "its flush: the host flushes it before it runs again",
            "arch/x86/kernel/kvm.c: kvm_flush_tlb_multi; arch/x86/kvm/x86.c: record_steal_time (v5.10)")


# ---------------------------------------------------------------------------- responders

def _responders(s) -> None:
    m, d, CPU = s.m, s.d, s.CPU
    irq, mode, ver = s.irq, s.mode, d.version
    pair = dict(actor=lambda t, i: t)

    def start(j):
        return If(s.async_flush[j], "async_unlock", "func")

    def head(t, on):
        """The oldest csd CPU t holds in `on` (its queue or the csds it took): the one to run next."""
        return lambda j: on[j, t] & (s.qpos[j, t] == 1)

    def run_head(t, hd, cond=True):
        """Start the csd `hd` picks (when `cond`): SYNC runs func first, the RFC's async csd unlocks
        first; the others move up the queue."""
        more = exists(CPU, hd)
        irq_of = If(exists(CPU, lambda j: hd(j) & s.async_flush[j]), "async_unlock", "func")
        return more, irq_of, [s.csd_run[j, t].becomes(If(cond, hd(j), s.csd_run[j, t])) for j in CPU.members] + [
            s.qpos[j, t].becomes(If(cond & more & (s.qpos[j, t] > 0), s.qpos[j, t] - 1, s.qpos[j, t]))
            for j in CPU.members]

    def finish(t, cond, otherwise):
        """After a csd's handler (when `cond`): run the next csd taken, oldest first, or return from
        the interrupt. `otherwise`: irq[t]'s value when not `cond`."""
        hd = head(t, s.csd_taken)
        more, irq_of, ups = run_head(t, hd, cond)
        return [irq[t].becomes(If(cond, If(more, irq_of, "none"), otherwise))] + ups + [
            s.csd_taken[j, t].becomes(s.csd_taken[j, t] & ~(cond & hd(j))) for j in CPU.members]

    @m.action(CPU, actor=lambda t: t, fair=d.ipi_fair,
              ref="kernel/smp.c: generic_smp_call_function_single_interrupt -> flush_smp_call_function_queue: "
                  "llist_del_all, llist_reverse_order, then each csd in the order queued (v5.2)"
              + ("; RFC patch 10: copy inlined info to the stack" if d.async_user and d.inline_copy else ""))
    def ipi_entry(t):
        """CPU t (IRQs on) takes the IPI and its whole call_single_queue, and runs the oldest csd."""
        hd = head(t, s.csd_queued)
        _, irq_of, ups = run_head(t, hd)
        return when(exists(CPU, lambda j: s.csd_queued[j, t]) & s.quiet(t), ups,
                    [s.csd_taken[j, t].becomes(s.csd_queued[j, t] & ~hd(j)) for j in CPU.members],
                    [s.csd_queued[j, t].becomes(False) for j in CPU.members], irq[t].becomes(irq_of))

    def lazy(t):
        return mode[t] == "lazy"

    def user(t):
        return mode[t] == "user"

    @m.action(CPU, CPU, **pair, fair="strong",
              ref=f"arch/x86/mm/tlb.c: flush_tlb_func_remote -> flush_tlb_func_common: skip if mm not "
                  f"loaded, leave_mm if lazy, else flush and catch up tlb_gen ({ver})")
    def flush_tlb_func(t, i):
        behind = s.cpu_tlb_gen[t] < s.mm_tlb_gen
        flush = lazy(t) | (user(t) & behind)
        if d.info == "inline":
            reads_dead = False if d.inline_copy else (irq[t] == "async_func") & s.csd_locked[i, t]
        else:
            reads_dead = info_cell(s, i) != s.ipi_gen[i, t]
        return when(s.csd_run[i, t] & ((irq[t] == "func") | (irq[t] == "async_func")) & s.running(t),
                    s.flush_func(t, flush),
                    s.dead_info_read[t].becomes(s.dead_info_read[t] | reads_dead),
                    [s.ipi_gen[i, t].becomes(0)] if s.shared_info else [],
                    finish(t, irq[t] == "async_func", "unlock"))

    @m.action(CPU, CPU, **pair, fair="strong",
              ref="kernel/smp.c: flush_smp_call_function_queue: csd_unlock (SYNC: after func; "
                  "RFC non-SYNC: before func)" + ("" if d.csd_unlock else "; (bug) left out"))
    def csd_unlock(t, i):
        return when(s.csd_run[i, t] & ((irq[t] == "unlock") | (irq[t] == "async_unlock")) & s.running(t),
                    s.csd_locked[i, t].becomes(False) if d.csd_unlock else [],
                    finish(t, irq[t] == "unlock", "async_func"))


# ---------------------------------------------------------------------------- covers

def _covers(s) -> None:
    """What several initiators exist for, each only where the design and bounds reach it."""
    m, d, CPU, phase = s.m, s.d, s.CPU, s.phase
    done = exists(CPU, lambda i: phase[i] == "done")
    if "munmap" in d.callers:
        m.cover("munmap_completes", exists(CPU, lambda i: (phase[i] == "done") & s.freed_tables[i]),
                "an initiator's munmap unmapped, flushed and freed its pages and PTE table",
                "mm/mmap.c: __do_munmap -> unmap_region -> tlb_finish_mmu (v5.2)")
    if "madvise" in d.callers:
        m.cover("madvise_completes", done & exists(CPU, lambda i: (phase[i] == "done") & ~s.freed_tables[i]),
                "an initiator's MADV_DONTNEED zapped, flushed and freed its page",
                "mm/madvise.c: madvise_dontneed_single_vma -> zap_page_range -> tlb_finish_mmu (v5.2)")
        m.cover("two_zaps_in_flight",
                exists(CPU, CPU, lambda i, j: (i != j) & (phase[i] != "idle") & (phase[j] != "idle")
                       & ~s.between_ops(i) & ~s.between_ops(j)),
                "two initiators are inside MADV_DONTNEED at once, each holding mmap_lock for read",
                "mm/madvise.c: do_madvise -> mmap_read_lock (v5.2)")
    if s.ipis:
        m.cover("initiator_flushes_for_another",
                exists(CPU, lambda i: ~s.between_ops(i) & (s.irq[i] != "none")),
                "an initiator, inside its own unmap or waiting in csd_lock_wait with IRQs on, runs another "
                "initiator's flush handler",
                "kernel/smp.c: csd_lock_wait spins with IRQs on; flush_smp_call_function_queue (v5.2)")
        if len(CPU.members) > 2:
            m.cover("two_csds_taken",
                    exists(CPU, lambda t: (s.irq[t] != "none") & exists(CPU, lambda j: s.csd_taken[j, t])),
                    "a CPU's handler runs one initiator's csd with another's taken from the same "
                    "call_single_queue, to run next",
                    "kernel/smp.c: flush_smp_call_function_queue: llist_del_all, then each csd (v5.2)")
