"""The shared TLB vocabulary: memory, per-CPU context, IPI machinery, environment, invariants.

Every protocol family builds on `Shootdown`, which declares the state and the actions common
to all x86 flush designs; a family only chooses the `Design` (what order the initiator works
in, sync or async handlers, where flush_tlb_info lives, which guards exist). Invariant names
are the checker's standard ones, so specs and CI refer to them the same way everywhere.

Model scope (one mm, CPU 0 is the initiator, the other CPUs respond; with `initiators` > 1,
CPUs 0..k-1 each initiate and every CPU responds: protocols/initiators.py). Memory is frames:
- `pte[p]`: the user frame virtual page p maps (None: not present); `frame[f]`: user frame f is
  the mm's (mapped), gathered (unmapped, in the mmu_gather batch) or free (back with the page
  allocator: it may be reused by anyone at any time);
- `pmd`: the PTE-table page the PMD entry points to (None once detached); `ptable[t]`: PTE-table
  page t is the mm's (attached or detached) or free;
- `tlb[c][p]`: the frame CPU c's TLB maps page p to; `psc[c]`: the PTE-table page CPU c's
  paging-structure cache points to. Neither is touched when memory is freed: a cached
  translation whose frame or table was freed is simply there, and using it is the hazard;
- what a zap, a detach and tlb_finish_mmu free follows what was unmapped or detached;
  `freed_tables` is only mmu_gather's hint, read by the flush decision;
- `mode[c]`: a task of this mm runs (user), a kernel thread borrows it (lazy, CR3 still
  loaded), or another mm is loaded (other); `mm_cpumask`; `mm_tlb_gen`, `cpu_tlb_gen[c]`;
- per-target csd (`csd_locked`, `csd_queued`) and the IPI handler's progress `irq[c]`; where
  flush_tlb_info is shared (stack, per-CPU): `info_owner`, the flush whose info the storage
  holds (0 once released), and `ipi_gen[c]`, the flush whose info the csd points to;
- ghost flags that record the events the invariants forbid.
Without PCID: loading another mm's CR3 drops this mm's TLB and PSC entries.

What happens on its own — page walks and fills, user, NMI and kprobe accesses, GUP-fast
starting, writeback, the scheduler's context switches — is declared `environment=True`: it is
never progress, so a flush stuck on anything else is a deadlock. The hardware is an adversary:
a walk or access is guarded only by what the architecture and the CPU's context require (CR3
loaded, IRQs, a present entry), never by a safety condition; reading freed memory is always
possible and always flagged. Each standard invariant states
its hazard's precondition (the state where only a kernel safeguard stands between the model and
the forbidden event), and covers state what each mechanism exists for.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.lang import BOOL, Elem, If, IntRange, Mask, ModelBuilder, exists, forall, when

from . import switch_mm

V52 = "v5.2"
V513 = "v5.13"
RFC = "RFC v2 (2019-05-31)"


@dataclass(frozen=True)
class Design:
    """The choices that distinguish one flush design from another."""

    version: str = V52
    local_first: bool = True          # pre-v5.13: local flush, then IPIs; else IPIs, local, wait
    async_user: bool = False          # RFC: non-SYNC csd for flushes that free no page tables
    async_freed_tables: bool = False  # (bug) async even when page tables are freed
    info: str = "percpu"              # where flush_tlb_info lives: stack, percpu, inline
    inline_copy: bool = True          # RFC patch 10: the handler copies the inlined info to its
                                      # stack before csd_unlock (bug when False: reads the csd after)
    nmi_block: bool = False           # RFC: nmi_uaccess_okay() refuses while an async flush runs
    lazy_skip_on_free: bool = False   # (bug) skip lazy CPUs even when page tables are freed
    wait_for_ack: bool = True         # (bug when False) free before the targets acknowledged
    ipi_fair: str = "strong"          # a pending IPI is taken once IRQs are on (weak: may be missed)
    async_wait: bool = True           # (N1 when False) an async flush does not wait for csd_unlock
    csd_unlock: bool = True           # (bug when False) the handler returns without csd_unlock
    lazy_rule: str = "v5"             # which CPUs get the IPI: "v4.19" all of mm_cpumask, "v5"
                                      # skip lazy unless tables freed, "v6" should_flush_tlb()
    cpumask: str = "eager"            # "lazy" (v6.x): switching out keeps the mm_cpumask bit
    switch: str = "atomic"            # "steps": switch_mm_irqs_off in steps, then switch_to
    memory: str = "sc"                # "tso": switch_mm's plain stores go through a store buffer
    switch_fence: bool = True         # (B5 when False) no barrier between cpumask store and CR3
    nmi_check_mm: bool = True         # (B20 when False) nmi_uaccess_okay() absent
    gup_fast: bool = False            # GUP-fast walks the page tables with IRQs off
    flush_by: str = "ipi"             # "hypercall": the hypervisor flushes remote TLBs, no IPIs
    hv_mask: str = "atomic"           # B13: how hyperv_flush_tlb_multi reads mm_cpumask: in one step,
                                      # "empty_check" (ad0a6bad4475: cpumask_empty, then an unchecked
                                      # cpumask_last) or "per_cpu" (the B13 fix: CPU by CPU, an empty
                                      # processor mask returns without a hypercall)
    callers: tuple = ("munmap", "madvise")  # also "khugepaged", "writeback", "vfree" (kernel mapping)
    kflush_defer: str = "none"        # N2: flush_tlb_kernel_range skips NOHZ_FULL CPUs in user mode and
                                      # defers their flush to "ct_enter" (RFC, 2023) or to the first
                                      # instruction of kernel entry ("entry_first")
    table_free: str = "after_flush"   # "rcu": tlb_remove_table; "sync_one": batch-failure path
    table_invalidate: bool = True     # (B3 when False) sync_one frees before any TLB flush; (B4)
                                      # rcu: a full batch goes to call_rcu without tlb_table_invalidate
    mm_users_shortcut: bool = False   # (B3 when True) tlb_remove_table frees at once if mm_users < 2
    collapse_sync: bool = True        # (B19 when False) khugepaged frees the table without IPI sync
    flush_under_ptl: bool = True      # (B16 when False) the flush comes after the PTL is dropped
    latr: bool = False                # LATR: no IPIs, CPUs sweep lazily, frees wait for all sweeps
    latr_reuse_delay: bool = True     # (N3 when False) LATR frees at once, not after every sweep
    pv: bool = False                  # KVM paravirtual flush: preempted vCPUs flagged, not IPI'd
    shadow_paging: str = "none"       # B12: KVM without TDP: the hardware walks shadow PTEs that an
                                      # unsync shadow page lets lag the guest's; a guest flush that
                                      # traps syncs them; the host's PV flush flushes the hardware TLB
                                      # only ("tlb_only", before b53e84eed08b) or unloads the MMU ("sync")
    pv_cmpxchg: bool = True           # (bug when False) the guest sets FLUSH_TLB by a plain store
    pv_host_xchg: bool = True         # (CVE-2019-3016 when False) the host copies steal_time in,
                                      # clears preempted in its copy and writes the struct back
    lazy_gen_check: bool = True       # leaving lazy mode compares tlb_gen (v4.19: no need, lazy
                                      # CPUs get every flush IPI)
    use_mm: str = "none"              # B18: switching in is kthread_use_mm: active_mm = mm, then
                                      # switch_mm, with IRQs "irqs_on" between (before 38cf307c1f20)
                                      # or "irqs_off" across both (38cf307c1f20)
    flush_keys: str = "loaded_mm"     # what the flush IPI handler compares with the flushed mm: x86's
                                      # loaded_mm, or "active_mm" (Alpha, IA64, Xtensa: ASID-tagged TLB,
                                      # every CPU IPI'd, a CPU not running the mm drops its context)
    table_free_ipi: str = "none"      # B2 (v4.19-rc series, reverted): after the flush, before the
                                      # tables are freed, tlb_flush_remove_tables IPIs "mm_cpumask"
                                      # (2ff6ddf19c0e), its "lazy" CPUs (64482aafe55f as meant) or its
                                      # "not_lazy" ones (64482aafe55f's loop as the revert shows it)


class Shootdown:
    """Declares the shared state, environment and invariants on a ModelBuilder."""

    def __init__(self, m: ModelBuilder, cpus: int, pages: int, rounds: int, d: Design, initiators: int = 1):
        self.m, self.d = m, d
        # initiators > 1: CPUs 0..k-1 each start an unmap and its flush (protocols/initiators.py)
        self.k = k = initiators
        self.ipis = d.flush_by == "ipi" and not d.latr  # the flush reaches CPUs by IPI and handler
        # some caller unmaps user memory (vfree alone touches only a kernel mapping)
        self.user_ops = bool({"munmap", "madvise", "khugepaged", "writeback"} & set(d.callers))
        # symmetric when every CPU is an initiator: no CPU is then singled out
        CPU = self.CPU = m.index_set("CPU", cpus, symmetric=k > 1 and k == cpus, lanes=True)
        Page = self.Page = m.index_set("Page", pages, symmetric=True)
        # as many frames as pages and one PTE-table page: a fault reuses what was freed (at any
        # page), and a freed frame is the allocator's, so anyone may have reused it meanwhile
        # (a spare frame would only add orbits: every hazard it exposes is reachable before the
        # refault, while the freed frame is still free)
        Frame = self.Frame = m.index_set("Frame", pages, symmetric=True)
        PTable = self.PTable = m.index_set("PTable", 1, symmetric=True)
        self.ALL_REMOTE = CPU.mask(*range(1, cpus))
        self.Phase = m.enum("Phase", "idle", "zapped", "flush_start", "local_flush", "sending",
                            "waiting", "flushed", "freed", "done",
                            *(("k_sending", "k_waiting") if "vfree" in d.callers else ()))
        modes = ("user", "lazy", "other") + (("switching",) if d.switch == "steps" else ())
        Mode = m.enum("Mode", *modes)
        Irq = self.Irq = m.enum("Irq", "none", "func", "unlock", "async_unlock", "async_func")
        self.FrameRef, self.TableRef = Elem(Frame, optional=True), Elem(PTable, optional=True)

        # memory: frames, page-table pages, and what the CPUs cache of them
        self.pte = m.array("pte", Page, self.FrameRef, lambda p: p, "the frame page p's PTE maps")
        self.frame = m.array("frame", Frame, m.enum("Owner", "free", "mm", "gathered"),
                             lambda f: "mm" if f < pages else "free",
                             "user frame f: free (the allocator's), mapped by the mm, or unmapped "
                             "and gathered in the mmu_gather batch")
        self.pmd = m.var("pmd", self.TableRef, 0, "the PTE-table page the PMD entry points to")
        self.ptable = m.array("ptable", PTable, m.enum("TableOwner", "free", "mm"),
                              lambda t: "mm" if t == 0 else "free",
                              "PTE-table page t: the mm's (attached or detached) or free")
        self.tlb = m.array("tlb", (CPU, Page), self.FrameRef, None, "the frame CPU c's TLB maps page p to")
        self.psc = m.array("psc", CPU, self.TableRef, None,
                           "the PTE-table page CPU c's paging-structure cache points to")
        # CPU context
        self.mode = m.array("mode", CPU, Mode, "user", "what CPU c runs: this mm's task, lazy kthread, other mm")
        self.mm_cpumask = m.var("mm_cpumask", Mask(CPU), range(cpus), "mm_cpumask(mm)")
        if k > 1:
            from . import initiators as multi  # per-initiator state: phase, csds, flush_tlb_info
            multi.declare_state(self, cpus, rounds)
        else:
            self.mm_tlb_gen = m.var("mm_tlb_gen", IntRange(0, rounds), 0, "mm->context.tlb_gen")
            self.cpu_tlb_gen = m.array("cpu_tlb_gen", CPU, IntRange(0, rounds), 0,
                                       "cpu_tlbstate.ctxs[asid].tlb_gen")
            # the initiator (CPU 0) and its flush
            self.phase = m.var("phase", self.Phase, "idle", "where CPU 0 is in munmap / madvise")
            self.round = m.var("round", IntRange(0, rounds - 1), 0, "which unmap operation this is")
            self.rounds = rounds
            self.freed_tables = m.var("freed_tables", BOOL, False, "mmu_gather.freed_tables")
            self.async_flush = m.var("async_flush", BOOL, False, "this flush uses non-SYNC csds (RFC)")
            self.scanned = m.var("scanned", Mask(CPU), (), "targets smp_call_function_many has handled")
            # IPI machinery
            self.csd_locked = m.array("csd_locked", CPU, BOOL, False, "CSD_FLAG_LOCK of the csd for CPU c")
            self.csd_queued = m.array("csd_queued", CPU, BOOL, False, "the csd is on CPU c's call_single_queue")
            self.irq = m.array("irq", CPU, Irq, "none", "CPU c's progress in the flush IPI handler")
            # flush_tlb_info shared with the handlers (on the initiator's stack or per-CPU): which
            # flush owns the storage, and which flush's info each handler is sent to read
            self.shared_info = self.ipis and d.info != "inline"
            if self.shared_info:
                self.info_owner = m.var("info_owner", IntRange(0, rounds), 0,
                                        "the flush (its tlb_gen) whose flush_tlb_info the initiator's stack "
                                        "or per-CPU storage holds; 0: released")
                self.ipi_gen = m.array("ipi_gen", CPU, IntRange(0, rounds), 0,
                                       "the flush whose flush_tlb_info the csd for CPU c points to (0: read)")
        # optional mechanisms: each adds state only when the design uses it
        if d.switch == "steps":
            self.cur = m.array("cur", CPU, m.enum("Current", "task", "kthread", "other_task"), "task",
                               "what current is on CPU c: a task of this mm, a kthread, another mm's task")
            steps = ("none", "set_bit", "load_cr3", "switch_to") + (("use_mm",) if d.use_mm != "none" else ())
            self.sw = m.array("sw", CPU, m.enum("Switch", *steps),
                              "none", "CPU c's progress through switch_mm_irqs_off / switch_to"
                              + (" (use_mm: kthread_use_mm has set active_mm = mm)" if d.use_mm != "none" else ""))
        if d.memory == "tso":
            self.sb = m.array("sb", CPU, m.enum("Store", "empty", "set_bit"), "empty",
                              "CPU c's store buffer (x86-TSO): a pending plain store")
        if d.gup_fast:
            self.gup = m.array("gup", CPU, self.TableRef, None, "the PTE-table page a GUP-fast walk "
                               "on CPU c holds a pointer to (IRQs off while set)")
        if d.pv:
            self.vcpu_in = m.array("vcpu_in", CPU, BOOL, True, "the host runs vCPU c")
            self.preempted = m.array("preempted", CPU, m.enum("Steal", "running", "preempted",
                                                              "preempted_flush"), "running",
                                     "steal_time.preempted flags of vCPU c (0, KVM_VCPU_PREEMPTED, "
                                     "| KVM_VCPU_FLUSH_TLB)")
            if not d.pv_host_xchg:
                self.st_copied = m.array("st_copied", CPU, BOOL, False, "record_steal_time holds vCPU c's "
                                         "steal_time copied in, to be written back whole")
            if not d.pv_cmpxchg:
                self.pv_seen = m.array("pv_seen", CPU, BOOL, False, "the guest read vCPU c as preempted "
                                       "and is about to store FLUSH_TLB")
        if d.shadow_paging != "none":
            self.spte = m.array("spte", Page, self.FrameRef, lambda p: p,
                                "the shadow PTE of page p (what the hardware walks): the guest PTE as KVM last "
                                "synced it (the PTE table's shadow page is unsync)")
        if d.latr and k == 1:
            self.latr_pending = m.var("latr_pending", Mask(CPU), (), "CPUs that have not yet swept "
                                      "their LATR state since the last lazy flush")
            self.latr_deferred = m.var("latr_deferred", BOOL, False, "pages/table queued for reuse "
                                       "once every CPU has swept")
        if d.table_free_ipi != "none":
            self.table_round = m.var("table_round", BOOL, False, "the IPIs in flight are "
                                     "tlb_flush_remove_tables', sent after the flush (B2)")
        if d.flush_by == "hypercall" and d.hv_mask != "atomic":
            if d.hv_mask == "per_cpu":
                self.hv_pmask = m.var("hv_pmask", Mask(CPU), (), "the hypercall's processor_mask, built "
                                      "CPU by CPU from the live mm_cpumask")
            self.hv_bad_vp_index = m.var("hv_bad_vp_index", BOOL, False)
        if "vfree" in d.callers:  # a vmalloc'd kernel range: global TLB entries, every CPU
            self.kva = m.var("kva", m.enum("KernelVA", "old", "unmapped", "new"), "old",
                             "the vmalloc'd range: mapped to its page, unmapped by vfree, or reused by a "
                             "new vmalloc that maps it to another page")
            self.ktlb = m.array("ktlb", CPU, m.enum("KernelTLB", "none", "old", "new"), "none",
                                "CPU c's (global) TLB entry for the range: none, the old page or the new one")
            self.ctx = m.array("ctx", CPU, m.enum("Context", "kernel", "user", "entry"), "kernel",
                               "context tracking on CPU c: kernel, user (NOHZ_FULL: no tick, no IPI wanted), "
                               "or kernel entry before ct_kernel_enter")
            self.kipi = m.array("kipi", CPU, BOOL, False, "flush_tlb_kernel_range's IPI is pending on CPU c")
            if d.kflush_defer != "none":
                self.kdeferred = m.array("kdeferred", CPU, BOOL, False,
                                         "a deferred kernel TLB flush waits for CPU c's next kernel entry")
            self.stale_kaccess = m.array("stale_kaccess", CPU, BOOL, False, history=True)
        if "writeback" in d.callers:
            self.ptl_locked = m.var("ptl_locked", BOOL, False, "the PTE-table lock (PTL) is held by CPU 0")
            self.clean = m.array("clean", Frame, BOOL, False, "writeback cleaned frame f (a dirty "
                                 "file page): a store must mark it dirty again")
            self.lost_write = m.array("lost_write", (CPU, Page), BOOL, False, history=True)
        # ghost flags: the forbidden events
        self.stale_access = m.array("stale_access", (CPU, Page), BOOL, False, history=True)
        self.freed_table_walk = m.array("freed_table_walk", CPU, BOOL, False, history=True)
        self.dead_info_read = m.array("dead_info_read", CPU, BOOL, False, history=True)
        self.unsafe_nmi_uaccess = m.array("unsafe_nmi_uaccess", CPU, BOOL, False, history=True)

        self._invariants()
        self._environment()
        self._covers(pages, rounds)

    # ------------------------------------------------------------------ helpers
    def running(self, c):
        """vCPU c runs guest code (always, without paravirtualisation)."""
        return self.vcpu_in[c] if self.d.pv else True

    def quiet(self, c):
        """CPU c is in task context with IRQs on: it may take an IPI or be switched."""
        q = (self.irq[c] == "none") & self.running(c)
        if self.d.gup_fast:
            q = q & (self.gup[c] == None)  # noqa: E711 (an IR comparison)
        if self.d.switch == "steps":
            if self.d.use_mm == "irqs_on":  # kthread_use_mm: IRQs on between active_mm = mm and switch_mm
                q = q & ((self.sw[c] == "none") | (self.sw[c] == "use_mm"))
            else:
                q = q & (self.sw[c] == "none")
        return q

    def between_ops(self, i=0):
        """Initiator i's task (CPU 0's with one initiator) is not inside munmap/madvise/collapse
        (it may run user code)."""
        phase = self.phase if self.k == 1 else self.phase[i]
        return (phase == "idle") | (phase == "freed") | (phase == "done")

    def some_phase(self, name):
        """Some initiator (CPU 0 with one initiator) is at `name` in its operation."""
        if self.k == 1:
            return self.phase == name
        return exists(self.CPU, lambda i: self.phase[i] == name)

    def off_duty(self, c):
        """CPU c may be switched, go lazy or be preempted by the host: with one initiator, any CPU
        but CPU 0; with several, any CPU but an initiator whose operation is not yet done."""
        if self.k == 1:
            return c != 0
        done = self.phase[c] == "done"
        return done if self.k == len(self.CPU.members) else done | ~self.INIT.has(c)

    def drained(self, c):
        """CPU c's store buffer is empty (a locked op or fence may proceed)."""
        return self.sb[c] == "empty" if self.d.memory == "tso" else True

    def set_current(self, c, who):
        """The update of `current` when the switch is one step (steps mode: in switch_to)."""
        return [self.cur[c].becomes(who)] if self.d.switch == "steps" else []

    def flush_func(self, t, flush):
        """flush_tlb_func's own work on CPU t: drop this mm's entries and paging-structure cache if
        `flush`, leave a lazy mm (switch_mm_irqs_off to init_mm), clear the cpumask bit as the design's
        cpumask rule says, and catch a running task up with mm->context.tlb_gen."""
        mode, lazy = self.mode, self.mode[t] == "lazy"
        behind = (mode[t] == "user") & (self.cpu_tlb_gen[t] < self.mm_tlb_gen)
        drop_bit = lazy | (mode[t] == "other") if self.d.cpumask == "lazy" else lazy
        return ([self.tlb[t, p].becomes(If(flush, None, self.tlb[t, p])) for p in self.Page.members]
                + [self.psc[t].becomes(If(flush, None, self.psc[t])), mode[t].becomes(If(lazy, "other", mode[t]))]
                + (self.set_current(t, If(lazy, "kthread", self.cur[t])) if self.d.switch == "steps" else [])
                + [self.mm_cpumask.becomes(If(drop_bit, self.mm_cpumask.without(t), self.mm_cpumask)),
                   self.cpu_tlb_gen[t].becomes(If(behind, self.mm_tlb_gen, self.cpu_tlb_gen[t]))])

    def in_user(self, c):
        """A task of this mm runs in user mode on CPU c with this mm loaded (CPU 0's task only
        between its operations: during one it is in the kernel)."""
        mine = ((c != 0) | self.between_ops()) if self.k == 1 else self.between_ops(c)
        u = (self.mode[c] == "user") & self.quiet(c) & mine
        return u & (self.cur[c] == "task") if self.d.switch == "steps" else u

    def shadow_sync(self, cond=None):
        """A guest TLB flush that traps to KVM (CR3 write, INVLPG) syncs the unsync shadow PTEs
        (kvm_mmu_sync_roots); nothing without shadow paging."""
        if self.d.shadow_paging == "none":
            return []
        return [self.spte[p].becomes(self.pte[p] if cond is None else If(cond, self.pte[p], self.spte[p]))
                for p in self.Page.members]

    def flush_local_tlb(self, c):
        """The updates of a full flush of this mm's translations on CPU c (CR3 reload/INVLPG)."""
        return [self.tlb[c, p].becomes(None) for p in self.Page.members] + [self.psc[c].becomes(None)]

    def loaded(self, c):
        """CPU c has this mm's CR3 loaded (its task, or lazily a kernel thread) and runs: the
        hardware may walk its page tables at any time, speculatively too."""
        return ((self.mode[c] == "user") | (self.mode[c] == "lazy")) & self.running(c)

    def frame_is(self, e, owner):
        """The frame `e` (a frame reference) exists and is `owner`'s: free, mm or gathered."""
        return exists(self.Frame, lambda f: (e == f) & (self.frame[f] == owner))

    def table_freed(self, e):
        """The PTE-table page `e` (a table reference) was freed: reading it reads someone else's memory."""
        return exists(self.PTable, lambda t: (e == t) & (self.ptable[t] == "free"))

    def detached(self, t):
        """PTE-table page t is still the mm's but no longer in the PMD (free_pgtables, collapse)."""
        return (self.ptable[t] == "mm") & (self.pmd != t)

    def stale(self, c, p):
        """CPU c's TLB entry for page p maps a frame that is no longer the mm's at p: freed (and
        perhaps reused by anyone), or reused by the mm at another page."""
        e = self.tlb[c, p]
        return exists(self.Frame, lambda f: (e == f) & ((self.frame[f] == "free")
                                                         | ((self.frame[f] == "mm") & (self.pte[p] != f))))

    def unmapped(self, c, p):
        """CPU c caches a translation of page p that the PTE no longer holds (zapped or detached):
        only the flush stands between it and a use after the frame is freed."""
        return (self.tlb[c, p] != None) & ((self.tlb[c, p] != self.pte[p]) | (self.pmd == None))  # noqa: E711

    def walk_table(self, c):
        """The PTE-table page a walk on CPU c reads: the one its paging-structure cache points to,
        else the one the PMD entry points to."""
        return If(self.psc[c] != None, self.psc[c], self.pmd)  # noqa: E711

    def flush_pending(self, c):
        """CPU c owes a flush that its initiator no longer waits for (RFC window W)."""
        return self.irq[c] == "async_func"

    def nmi_uaccess_okay(self, c):
        """arch/x86/include/asm/tlbflush.h: nmi_uaccess_okay (v5.2; RFC patch 11 adds the async check)."""
        if not self.d.nmi_check_mm:
            ok = True
        elif self.d.switch == "steps":
            ok = (self.mode[c] == "user") & (self.cur[c] == "task")
        else:
            ok = self.mode[c] == "user"
        if self.d.nmi_block:
            ok = ok & (self.irq[c] != "async_unlock") & (self.irq[c] != "async_func")
        return ok & self.running(c) if self.d.pv else ok

    def cr3_not_current(self, c):
        """CPU c's loaded mm is not current->mm (what nmi_uaccess_okay() compares, v4.19+): a
        kthread borrows it lazily (current->mm is NULL), or switch_mm has begun or is not yet
        followed by switch_to."""
        mode = self.mode
        if self.d.switch != "steps":
            return mode[c] == "lazy"
        cur = self.cur
        return (mode[c] == "lazy") | (mode[c] == "switching") | ((cur[c] == "task") & (mode[c] != "user")) \
            | ((cur[c] == "other_task") & (mode[c] != "other"))

    def targeted(self, t, i=0):
        """Whether the flush IPIs CPU t: in mm_cpumask, and (v5) not lazy unless tables are
        freed, or (v6, should_flush_tlb) not lazy and running or switching to this mm."""
        if self.d.table_free_ipi != "none":  # the flush, or tlb_flush_remove_tables after it
            has = self.mm_cpumask.has(t)
            tables = {"mm_cpumask": has, "lazy": has & (self.mode[t] == "lazy"),
                      "not_lazy": has & (self.mode[t] != "lazy")}[self.d.table_free_ipi]
            return If(self.table_round, tables, self._flush_targeted(t))
        return self._flush_targeted(t, i)

    def _flush_targeted(self, t, i=0):
        if self.d.flush_keys == "active_mm":  # smp_call_function: every other online CPU
            return t != 0
        if self.d.lazy_rule == "v4.19":
            return self.mm_cpumask.has(t)
        lazy_ok = self.mode[t] != "lazy"
        if self.d.lazy_rule == "v6":
            lazy_ok = lazy_ok & (self.mode[t] != "other")
        if not self.d.lazy_skip_on_free:
            lazy_ok = lazy_ok | (self.freed_tables if self.k == 1 else self.freed_tables[i])
        return self.mm_cpumask.has(t) & lazy_ok

    # ------------------------------------------------------------------ invariants
    def _invariants(self):
        m, CPU, Page, d = self.m, self.CPU, self.Page, self.d
        psc, irq, phase = self.psc, self.irq, self.phase
        stale_ok = forall(CPU, Page, lambda c, p: ~self.stale_access[c, p])
        hazard = exists(CPU, Page, lambda c, p: self.unmapped(c, p) | self.stale(c, p))
        if "vfree" in d.callers:  # and no kernel access through the vmalloc range's old translation
            stale_ok = stale_ok & forall(CPU, lambda c: ~self.stale_kaccess[c])
            # mm/vmalloc.c: vunmap removed the translation a CPU still caches
            hazard = hazard | exists(CPU, lambda c: (self.ktlb[c] == "old") & (self.kva != "old"))
        m.invariant("no_stale_access", stale_ok,
                    "no user, NMI or kprobe access goes through a TLB entry whose frame was freed or reused"
                    + (" (nor a kernel access through the old translation of a reused vmalloc range)"
                       if "vfree" in d.callers else ""),
                    "S1/S3: flush_tlb_mm_range() returns only when no CPU can use the old PTE",
                    # mm/mmu_gather.c: tlb_finish_mmu frees what zap_pte_range unmapped (v5.2)
                    precondition=hazard)

        def off_pmd(e):
            return (e != None) & (e != self.pmd)  # noqa: E711
        walkers = (lambda c: off_pmd(psc[c]) | off_pmd(self.gup[c])) if d.gup_fast else (lambda c: off_pmd(psc[c]))
        m.invariant("no_freed_table_walk", forall(CPU, lambda c: ~self.freed_table_walk[c]),
                    "no page walk, speculative ones included, reads a freed page-table page",
                    "S2: b956575bed91 (lazy CPUs), tlb_remove_table",
                    # mm/memory.c: free_pgtables -> free_pte_range detaches the table (v5.2)
                    precondition=exists(CPU, walkers))
        if self.ipis and self.k > 1:
            from . import initiators as multi
            multi.flush_info_live(self)
        elif self.ipis:  # only an IPI handler reads flush_tlb_info (a hypercall's input is read in it)
            def may_read(t):
                """CPU t's handler has yet to read flush_tlb_info: the IPI is queued or the
                handler has not run flush_tlb_func."""
                return self.csd_queued[t] | (irq[t] == "func") | (irq[t] == "async_unlock") | (irq[t] == "async_func")

            if d.info == "inline":  # the csd is free for the next flush once unlocked
                exposed = lambda t: irq[t] == "async_func"  # noqa: E731
            else:  # kernel/smp.c: csd_lock_wait is all that keeps flush_tlb_mm_range from returning
                exposed = lambda t: may_read(t) & ((self.info_owner == 0) | (phase == "waiting")  # noqa: E731
                                                   | (phase == "flushed"))
            m.invariant("flush_info_live", forall(CPU, lambda c: ~self.dead_info_read[c]),
                        "no CPU reads flush_tlb_info after its storage was released or reused by another flush",
                        "S4: 3db6d5a5ecaf, RFC v2 patches 10-12", precondition=exists(CPU, exposed))
        m.invariant("nmi_uaccess_safe", forall(CPU, lambda c: ~self.unsafe_nmi_uaccess[c]),
                    "an NMI/kprobe reads user memory only of the mm that current runs",
                    "S5: nmi_uaccess_okay()",
                    # arch/x86/include/asm/tlbflush.h: nmi_uaccess_okay() is all that stands between
                    # an NMI and user memory read through another mm's CR3 (v4.19, 4012e77a903d)
                    precondition=exists(CPU, Page, lambda c, p: self.running(c) & self.cr3_not_current(c)
                                        & (self.tlb[c, p] != None)))  # noqa: E711
        if d.flush_by == "hypercall" and d.hv_mask != "atomic":
            remote = exists(CPU, lambda t: (t != 0) & self.targeted(t))
            m.invariant("hv_vp_index_in_range", ~self.hv_bad_vp_index,
                        "hyperv_flush_tlb_multi looks up a VP number only for a CPU of the mask",
                        "B13: x86/hyperv: Properly deal with empty cpumasks in hyperv_flush_tlb_multi() "
                        "(Fixes ad0a6bad4475)",
                        # arch/x86/hyperv/mmu.c: the mask emptied while the hypercall is being built
                        precondition=(self.phase == "waiting") & ~remote)
        if "writeback" in d.callers:
            m.invariant("no_lost_write", forall(CPU, Page, lambda c, p: ~self.lost_write[c, p]),
                        "no CPU writes a page through a stale TLB entry after writeback cleaned it",
                        "1cf35d47712d: flush under the PTL, free after",
                        # mm/memory.c: zap_pte_range set_page_dirty; page_mkclean waits for the PTL
                        precondition=exists(CPU, Page, lambda c, p: self.unmapped(c, p)
                                            & self.frame_is(self.tlb[c, p], "gathered")))

    # ------------------------------------------------------------------ covers
    def _covers(self, pages: int, rounds: int):
        """What the memory and CPU model exist for: each declared only where reachable."""
        m, CPU, Page, d = self.m, self.CPU, self.Page, self.d
        tlb, psc, mode = self.tlb, self.psc, self.mode
        if not self.user_ops:  # vfree alone: no user mapping is unmapped or flushed
            return
        m.cover("lazy_cpu_caches_at_flush",
                self.some_phase("flush_start") & exists(CPU, lambda c: (mode[c] == "lazy") & (
                    (psc[c] != None) | exists(Page, lambda p: tlb[c, p] != None))),  # noqa: E711
                "a CPU in lazy TLB mode still caches a translation or the table pointer when the flush starts",
                "arch/x86/mm/tlb.c: enter_lazy_tlb keeps CR3 loaded; flush_tlb_mm_range (v5.2)")
        # a frame freed under a cached translation: where the flush may leave one behind (a skipped
        # lazy CPU, an async flush still pending, a preempted vCPU flagged instead of IPI'd)
        lazy_skip = d.lazy_rule != "v4.19" and d.flush_keys == "loaded_mm" and bool(
            {"madvise", "writeback"} & set(d.callers))
        if not d.latr and (lazy_skip or d.async_user or d.pv):
            m.cover("frame_freed_while_cached",
                    exists(CPU, Page, lambda c, p: self.frame_is(tlb[c, p], "free")),
                    "a frame was freed while some CPU's TLB still maps it (that CPU must flush before "
                    "it uses the entry)",
                    "mm/mmu_gather.c: tlb_finish_mmu -> tlb_flush_mmu_free (v5.2)")
            if pages > 1 and rounds > 1:
                m.cover("frame_reused_at_another_page",
                        exists(CPU, Page, lambda c, p: (tlb[c, p] != self.pte[p]) & self.frame_is(tlb[c, p], "mm")),
                        "the refault mapped a freed frame at another page while a CPU's TLB still maps it "
                        "at the old one: a store through that entry would land in the new page",
                        "mm/memory.c: do_anonymous_page reuses a frame tlb_finish_mmu freed (v5.2)")
        m.cover("nmi_in_flush_window",
                exists(CPU, Page, lambda c, p: self.nmi_uaccess_okay(c) & self.running(c) & self.unmapped(c, p)),
                "an NMI may read user memory through a translation the unmap removed and the flush "
                "has not yet reached",
                "arch/x86/events/core.c: perf_callchain_user -> copy_from_user_nmi, nmi_uaccess_okay (v5.2)")
        if d.nmi_block:
            m.cover("nmi_in_async_window",
                    exists(CPU, Page, lambda c, p: self.flush_pending(c) & (mode[c] == "user")
                           & (tlb[c, p] != None)),  # noqa: E711
                    "an NMI hits a CPU that acknowledged an async flush and still caches the range: "
                    "nmi_uaccess_okay() must refuse",
                    "RFC v2 patch 11: nmi_uaccess_okay() checks async_func_in_progress")

    # ------------------------------------------------------------------ environment
    def _environment(self):
        m, CPU, Page, d = self.m, self.CPU, self.Page, self.d
        tlb, psc, irq = self.tlb, self.psc, self.irq

        def walk(c):
            """The updates of a page walk on CPU c: it reads the PTE-table page (flagged if freed)
            and caches the pointer to it."""
            w = self.walk_table(c)
            bad = self.table_freed(w)
            return bad, [self.freed_table_walk[c].becomes(self.freed_table_walk[c] | bad),
                         psc[c].becomes(If(bad, psc[c], w))]

        @m.action(CPU, Page, environment=True,
                  ref="hardware page walk (Intel SDM vol. 3 §4.10.2-3): fills the TLB and the "
                      "paging-structure caches, speculatively too, on a lazy CPU too")
        def tlb_fill(c, p):
            """A page walk for page p from the loaded CR3 or the cached table pointer: caches the
            PTE's frame if present."""
            bad, ups = walk(c)
            if d.shadow_paging != "none":  # the walk reads the shadow PTE; a missing one faults to KVM,
                src = If(self.spte[p] != None, self.spte[p], self.pte[p])  # noqa: E711 (which installs it)
                ups = ups + [self.spte[p].becomes(If(bad, self.spte[p], src))]
            else:
                src = self.pte[p]
            return when(self.loaded(c) & (tlb[c, p] == None) & (self.walk_table(c) != None),  # noqa: E711
                        tlb[c, p].becomes(If(bad, tlb[c, p], src)), ups)

        @m.action(CPU, environment=True, ref="paging-structure caches (SDM §4.10.3); b956575bed91 (v4.14)")
        def speculative_walk(c):
            """A walk for another address of the same 2 MiB range reads the PTE-table page (what it
            caches, tlb_fill caches too)."""
            return when(self.loaded(c) & (self.walk_table(c) != None), walk(c)[1][0])  # noqa: E711

        @m.action(CPU, Page, environment=True, ref="user-mode load/store through the TLB")
        def user_access(c, p):
            return when(self.in_user(c) & (tlb[c, p] != None),  # noqa: E711
                        self.stale_access[c, p].becomes(self.stale_access[c, p] | self.stale(c, p)))

        def handler_access(c, p, extra):
            """An NMI or kprobe handler reads current's user memory at page p through CPU c's TLB."""
            return when(self.nmi_uaccess_okay(c) & extra & (tlb[c, p] != None),  # noqa: E711
                        self.stale_access[c, p].becomes(self.stale_access[c, p] | self.stale(c, p)),
                        self.unsafe_nmi_uaccess[c].becomes(self.unsafe_nmi_uaccess[c] | self.cr3_not_current(c)))

        @m.action(CPU, Page, environment=True,
                  ref="arch/x86/events/core.c: perf_callchain_user -> copy_from_user_nmi, "
                      "guarded by nmi_uaccess_okay (v5.2; RFC patch 11)")
        def nmi_uaccess(c, p):
            """A perf NMI reads the user stack, at any point, also inside the flush handler."""
            return handler_access(c, p, True)

        if self.ipis and self.user_ops:  # kprobes in the flush IPI handler
            @m.action(CPU, Page, environment=True, ref="mm/maccess.c: probe_user_read / copy_from_user_nofault "
                                                       "from a kprobe or BPF program on the flush path (RFC window W)")
            def kprobe_uaccess(c, p):
                return handler_access(c, p, irq[c] != "none")

        if d.switch == "steps":
            @m.action(CPU, environment=True,
                      ref="arch/x86/events/core.c: perf_callchain_user reads current's user "
                          "stack; nmi_uaccess_okay (4012e77a903d, v4.19)")
            def nmi_uaccess_current(c):
                """An NMI reads the user memory of `current`: wrong if CR3 is another mm's."""
                mode = self.mode
                mismatch = ((self.cur[c] == "task") & (mode[c] != "user")) | \
                    ((self.cur[c] == "other_task") & (mode[c] != "other"))
                return when(self.off_duty(c) & self.nmi_uaccess_okay(c) & (self.cur[c] != "kthread"),
                            self.unsafe_nmi_uaccess[c].becomes(self.unsafe_nmi_uaccess[c] | mismatch))

        if d.gup_fast:
            @m.action(CPU, environment=True, ref="mm/gup.c: lockless_pages_from_mm: local_irq_save, "
                                                 "then gup_pgd_range reads the PMD (v6.1)")
            def gup_fast_begin(c):
                """GUP-fast starts a lockless walk with IRQs off and reads the PMD."""
                return when(self.in_user(c) & (self.pmd != None), self.gup[c].becomes(self.pmd))  # noqa: E711

            # not environment: tlb_remove_table's grace period and tlb_remove_table_sync_one wait for it
            @m.action(CPU, ref="mm/gup.c: gup_pte_range reads the PTE table, then local_irq_restore (v6.1)",
                      fair="strong")
            def gup_fast_end(c):
                """GUP-fast reads the PTE through its table pointer and re-enables IRQs."""
                g = self.gup[c]
                return when((g != None) & self.running(c), self.gup[c].becomes(None),  # noqa: E711
                            self.freed_table_walk[c].becomes(self.freed_table_walk[c] | self.table_freed(g)))

        if "writeback" in d.callers:
            @m.action(self.Frame, environment=True, ref="mm/rmap.c: page_mkclean -> page_vma_mkclean_one "
                                                        "under the PTL; then writeback of the page (v3.x, 1cf35d47712d)")
            def page_mkclean(f):
                """Writeback: no PTE maps the dirty page any more, so it is written and marked clean."""
                return when(~self.ptl_locked & (self.frame[f] == "gathered") & ~self.clean[f],
                            self.clean[f].becomes(True))

            @m.action(CPU, Page, environment=True,
                      ref="user-mode store through a writable, dirty TLB entry (no walk, "
                          "no dirty-bit update: SDM §4.8)")
            def user_write(c, p):
                """A store through the cached dirty translation: lost if writeback already cleaned the page."""
                cleaned = exists(self.Frame, lambda f: (tlb[c, p] == f) & self.clean[f])
                return when(self.in_user(c) & (tlb[c, p] != None),  # noqa: E711
                            self.lost_write[c, p].becomes(self.lost_write[c, p] | cleaned),
                            self.stale_access[c, p].becomes(self.stale_access[c, p] | self.stale(c, p)))

        if "vfree" in d.callers:
            self._kernel_environment()
        switch_mm.declare(self)

    def _kernel_environment(self):
        """N2: what the CPUs do with the vmalloc'd kernel range: fill and use its global TLB entry
        in kernel mode (kernel entry included), return to user mode and enter the kernel again."""
        m, CPU, d = self.m, self.CPU, self.d
        ktlb, ctx, kva = self.ktlb, self.ctx, self.kva

        @m.action(CPU, environment=True, ref="hardware page walk of a kernel address (global entry: kept "
                                             "across CR3 switches, SDM §4.10.2.4)")
        def kernel_tlb_fill(c):
            return when((c != 0) & (ctx[c] != "user") & (ktlb[c] == "none") & (kva != "unmapped"),
                        ktlb[c].becomes(If(kva == "old", "old", "new")))

        @m.action(CPU, environment=True,
                  ref="kernel-mode load through the global TLB entry, speculative ones included, also in "
                      "the entry code before ct_kernel_enter (Nadav Amit's reply to the N2 RFC)")
        def kernel_access(c):
            """The kernel on CPU c uses the range: after a new vmalloc, through an old translation it
            reads the old page (freed, perhaps reused)."""
            return when((c != 0) & (ctx[c] != "user") & (ktlb[c] != "none"),
                        self.stale_kaccess[c].becomes(self.stale_kaccess[c]
                                                      | ((ktlb[c] == "old") & (kva == "new"))))

        @m.action(CPU, environment=True, ref="kernel/context_tracking.c: ct_user_enter, return to user "
                                             "mode (NOHZ_FULL: the CPU runs without tick)")
        def kernel_exit(c):
            return when((c != 0) & (ctx[c] == "kernel") & self.quiet(c), ctx[c].becomes("user"))

        first = d.kflush_defer == "entry_first"

        @m.action(CPU, environment=True,
                  ref="arch/x86/entry/entry_64.S: syscall or interrupt entry from user mode"
                  + ("; the deferred flush runs first, before any kernel code (or speculation) can use the "
                     "range" if first else ""))
        def kernel_entry(c):
            ups = [ctx[c].becomes("entry")]
            if first:
                ups += [ktlb[c].becomes(If(self.kdeferred[c], "none", ktlb[c])), self.kdeferred[c].becomes(False)]
            return when((c != 0) & (ctx[c] == "user") & self.quiet(c), ups)

        @m.action(CPU, fair="strong",
                  ref="kernel/context_tracking.c: ct_kernel_enter"
                  + (" runs the deferred work: the kernel TLB flush (RFC 'Defer flush_tlb_kernel_range() "
                     "targeting NOHZ_FULL CPUs', 2023)" if d.kflush_defer == "ct_enter" else ""))
        def ct_kernel_enter(c):
            ups = [ctx[c].becomes("kernel")]
            if d.kflush_defer == "ct_enter":
                ups += [ktlb[c].becomes(If(self.kdeferred[c], "none", ktlb[c])), self.kdeferred[c].becomes(False)]
            return when((c != 0) & (ctx[c] == "entry"), ups)

