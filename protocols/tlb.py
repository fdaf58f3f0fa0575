"""The shared TLB vocabulary: memory, per-CPU context, IPI machinery, environment, invariants.

Every protocol family builds on `Shootdown`, which declares the state and the actions common
to all x86 flush designs; a family only chooses the `Design` (what order the initiator works
in, sync or async handlers, where flush_tlb_info lives, which guards exist). Invariant names
are the checker's standard ones, so specs and CI refer to them the same way everywhere.

Model scope (one mm, CPU 0 is the initiator, the other CPUs respond):
- `pte[p]`: page p's PTE present; `table`: the PTE-table page (live, detached, freed);
- `tlb[c][p]`: CPU c's TLB entry for page p: none, live, or freed — a translation whose frame
  has been freed (possibly reused); `psc[c]`: the paging-structure-cache entry that points at
  the PTE-table page (none, live, freed);
- `mode[c]`: a task of this mm runs (user), a kernel thread borrows it (lazy, CR3 still
  loaded), or another mm is loaded (other); `mm_cpumask`; `mm_tlb_gen`, `cpu_tlb_gen[c]`;
- per-target csd (`csd_locked`, `csd_queued`) and the IPI handler's progress `irq[c]`;
- ghost flags that record the events the invariants forbid.
Without PCID: loading another mm's CR3 drops this mm's TLB and PSC entries.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.lang import BOOL, If, IntRange, Mask, ModelBuilder, all_of, forall, when

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
    nmi_block: bool = False           # RFC: nmi_uaccess_okay() refuses while an async flush runs
    lazy_skip_on_free: bool = False   # (bug) skip lazy CPUs even when page tables are freed
    wait_for_ack: bool = True         # (bug when False) free before the targets acknowledged
    ipi_fair: str = "strong"          # a pending IPI is taken once IRQs are on (weak: may be missed)


class Shootdown:
    """Declares the shared state, environment and invariants on a ModelBuilder."""

    def __init__(self, m: ModelBuilder, cpus: int, pages: int, rounds: int, d: Design):
        self.m, self.d = m, d
        CPU = self.CPU = m.index_set("CPU", cpus, lanes=True)
        Page = self.Page = m.index_set("Page", pages, symmetric=True)
        self.ALL_REMOTE = CPU.mask(*range(1, cpus))
        Entry = m.enum("Entry", "none", "live", "freed")
        self.Phase = m.enum("Phase", "idle", "zapped", "flush_start", "local_flush", "sending",
                            "waiting", "flushed", "freed", "done")
        Mode = m.enum("Mode", "user", "lazy", "other")
        Irq = m.enum("Irq", "none", "func", "unlock", "async_unlock", "async_func")
        Table = m.enum("Table", "live", "detached", "freed")

        # memory
        self.pte = m.array("pte", Page, BOOL, True, "page p's PTE is present")
        self.table = m.var("table", Table, "live", "the PTE-table page holding the PTEs")
        self.tlb = m.array("tlb", (CPU, Page), Entry, "none", "CPU c's TLB entry for page p")
        self.psc = m.array("psc", CPU, Entry, "none", "CPU c's paging-structure cache entry for the table")
        # CPU context
        self.mode = m.array("mode", CPU, Mode, "user", "what CPU c runs: this mm's task, lazy kthread, other mm")
        self.mm_cpumask = m.var("mm_cpumask", Mask(CPU), range(cpus), "mm_cpumask(mm)")
        self.mm_tlb_gen = m.var("mm_tlb_gen", IntRange(0, rounds), 0, "mm->context.tlb_gen")
        self.cpu_tlb_gen = m.array("cpu_tlb_gen", CPU, IntRange(0, rounds), 0,
                                   "cpu_tlbstate.ctxs[asid].tlb_gen")
        # the initiator (CPU 0) and its flush
        self.phase = m.var("phase", self.Phase, "idle", "where CPU 0 is in munmap / madvise")
        self.round = m.var("round", IntRange(0, rounds - 1), 0, "which unmap operation this is")
        self.rounds = rounds
        self.freed_tables = m.var("freed_tables", BOOL, False, "mmu_gather.freed_tables")
        self.async_flush = m.var("async_flush", BOOL, False, "this flush uses non-SYNC csds (RFC)")
        self.info_live = m.var("info_live", BOOL, False, "the initiator's flush_tlb_info is live")
        self.scanned = m.var("scanned", Mask(CPU), (), "targets smp_call_function_many has handled")
        # IPI machinery
        self.csd_locked = m.array("csd_locked", CPU, BOOL, False, "CSD_FLAG_LOCK of the csd for CPU c")
        self.csd_queued = m.array("csd_queued", CPU, BOOL, False, "the csd is on CPU c's call_single_queue")
        self.irq = m.array("irq", CPU, Irq, "none", "CPU c's progress in the flush IPI handler")
        # ghost flags: the forbidden events
        self.stale_access = m.array("stale_access", (CPU, Page), BOOL, False)
        self.freed_table_walk = m.array("freed_table_walk", CPU, BOOL, False)
        self.dead_info_read = m.array("dead_info_read", CPU, BOOL, False)
        self.unsafe_nmi_uaccess = m.array("unsafe_nmi_uaccess", CPU, BOOL, False)

        self._invariants()
        self._environment()

    # ------------------------------------------------------------------ helpers
    def flush_local_tlb(self, c):
        """The updates of a full flush of this mm's translations on CPU c (CR3 reload/INVLPG)."""
        return [self.tlb[c, p].becomes("none") for p in self.Page.members] + [self.psc[c].becomes("none")]

    def flush_pending(self, c):
        """CPU c owes a flush that its initiator no longer waits for (RFC window W)."""
        return self.irq[c] == "async_func"

    def nmi_uaccess_okay(self, c):
        """arch/x86/include/asm/tlbflush.h: nmi_uaccess_okay (v5.2; RFC patch 11 adds the async check)."""
        ok = self.mode[c] == "user"
        if self.d.nmi_block:
            ok = ok & (self.irq[c] != "async_unlock") & (self.irq[c] != "async_func")
        return ok

    def targeted(self, t):
        """Whether the flush IPIs CPU t: in mm_cpumask, and not lazy unless tables are freed."""
        lazy_ok = self.mode[t] != "lazy"
        if not self.d.lazy_skip_on_free:
            lazy_ok = lazy_ok | self.freed_tables
        return self.mm_cpumask.has(t) & lazy_ok

    # ------------------------------------------------------------------ invariants
    def _invariants(self):
        m, CPU, Page = self.m, self.CPU, self.Page
        m.invariant("no_stale_access", forall(CPU, Page, lambda c, p: ~self.stale_access[c, p]),
                    "no user, NMI or kprobe access goes through a TLB entry whose frame was freed",
                    "S1/S3: flush_tlb_mm_range() returns only when no CPU can use the old PTE")
        m.invariant("no_freed_table_walk", forall(CPU, lambda c: ~self.freed_table_walk[c]),
                    "no page walk, speculative ones included, reads a freed page-table page",
                    "S2: b956575bed91 (lazy CPUs), tlb_remove_table")
        m.invariant("flush_info_live", forall(CPU, lambda c: ~self.dead_info_read[c]),
                    "no CPU reads flush_tlb_info after its storage was released or reused",
                    "S4: 3db6d5a5ecaf, RFC v2 patches 10-12")
        m.invariant("nmi_uaccess_safe", forall(CPU, lambda c: ~self.unsafe_nmi_uaccess[c]),
                    "an NMI/kprobe reads user memory only with the task's mm loaded and no flush pending",
                    "S5: nmi_uaccess_okay()")

    # ------------------------------------------------------------------ environment
    def _environment(self):
        m, CPU, Page, d = self.m, self.CPU, self.Page, self.d
        tlb, psc, mode, irq = self.tlb, self.psc, self.mode, self.irq

        @m.action(CPU, Page, ref="hardware page walk (Intel SDM vol. 3 §4.10.2): fills TLB and PSC")
        def tlb_fill(c, p):
            """A page walk, speculative or not, from the loaded CR3: caches PTE and table pointer."""
            return when((mode[c] != "other") & self.pte[p] & (self.table == "live")
                        & (tlb[c, p] == "none") & (psc[c] != "freed"),
                        tlb[c, p].becomes("live"), psc[c].becomes("live"))

        @m.action(CPU, ref="paging-structure caches (SDM §4.10.3); b956575bed91 (v4.14)")
        def speculative_walk(c):
            """A walk through the cached pointer to the table page — wrong once it was freed."""
            return when((mode[c] != "other") & (psc[c] != "none"),
                        self.freed_table_walk[c].becomes(self.freed_table_walk[c] | (psc[c] == "freed")))

        @m.action(CPU, Page, ref="user-mode load/store through the TLB")
        def user_access(c, p):
            return when((mode[c] == "user") & (irq[c] == "none") & (tlb[c, p] != "none"),
                        self.stale_access[c, p].becomes(self.stale_access[c, p] | (tlb[c, p] == "freed")))

        def handler_access(c, p, extra):
            bad = tlb[c, p] == "freed"
            return when(self.nmi_uaccess_okay(c) & extra & ((tlb[c, p] != "none") | self.flush_pending(c)),
                        self.stale_access[c, p].becomes(self.stale_access[c, p] | bad),
                        self.unsafe_nmi_uaccess[c].becomes(self.unsafe_nmi_uaccess[c]
                                                           | self.flush_pending(c)))

        @m.action(CPU, Page, ref="arch/x86/events/core.c: perf_callchain_user -> copy_from_user_nmi, "
                                 "guarded by nmi_uaccess_okay (v5.2; RFC patch 11)")
        def nmi_uaccess(c, p):
            """A perf NMI reads the user stack, at any point, also inside the flush handler."""
            return handler_access(c, p, True)

        @m.action(CPU, Page, ref="mm/maccess.c: probe_user_read / copy_from_user_nofault from a "
                                 "kprobe or BPF program on the flush path (RFC window W)")
        def kprobe_uaccess(c, p):
            return handler_access(c, p, irq[c] != "none")

        @m.action(CPU, ref=f"arch/x86/mm/tlb.c: enter_lazy_tlb ({d.version})")
        def enter_lazy_tlb(c):
            """Switch to a kernel thread: the mm stays loaded, CR3 and mm_cpumask bit kept."""
            return when((c != 0) & (mode[c] == "user") & (irq[c] == "none"), mode[c].becomes("lazy"))

        @m.action(CPU, ref=f"arch/x86/mm/tlb.c: switch_mm_irqs_off, real_prev == next && was_lazy "
                           f"({d.version})")
        def leave_lazy(c):
            """Back from the kernel thread: catch up with mm->tlb_gen, flushing if behind."""
            behind = self.cpu_tlb_gen[c] < self.mm_tlb_gen
            return when((c != 0) & (mode[c] == "lazy") & (irq[c] == "none"),
                        mode[c].becomes("user"),
                        [u for p in Page.members
                         for u in [tlb[c, p].becomes(If(behind, "none", tlb[c, p]))]],
                        psc[c].becomes(If(behind, "none", psc[c])),
                        self.cpu_tlb_gen[c].becomes(self.mm_tlb_gen))

        @m.action(CPU, ref=f"arch/x86/mm/tlb.c: switch_mm_irqs_off, prev != next: "
                           f"cpumask_clear_cpu(prev), load next's CR3 ({d.version})")
        def switch_mm_out(c):
            """Switch to a task of another mm: this mm's translations become unreachable."""
            return when((c != 0) & (mode[c] != "other") & (irq[c] == "none"),
                        mode[c].becomes("other"), self.mm_cpumask.becomes(self.mm_cpumask.without(c)),
                        self.flush_local_tlb(c))

        @m.action(CPU, ref=f"arch/x86/mm/tlb.c: switch_mm_irqs_off, prev != next: "
                           f"cpumask_set_cpu(next), read tlb_gen, load CR3 ({d.version})")
        def switch_mm_in(c):
            return when((c != 0) & (mode[c] == "other") & (irq[c] == "none"),
                        mode[c].becomes("user"), self.mm_cpumask.becomes(self.mm_cpumask.with_(c)),
                        self.cpu_tlb_gen[c].becomes(self.mm_tlb_gen))
