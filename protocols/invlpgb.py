"""invlpgb — broadcast TLB invalidation with global ASIDs (AMD INVLPGB/TLBSYNC, merged in v6.15).

An mm that is active on enough CPUs gets a process-wide *global ASID* (the same PCID on every
CPU); its flushes are then one INVLPGB on that PCID, broadcast by the hardware to every CPU, and a
TLBSYNC that waits only for the issuing CPU's own invalidations. Before that, the mm's flushes go
by IPI to mm_cpumask, and the first such flush may assign the global ASID (consider_global_asid).
While CPUs still run the mm on their per-CPU dynamic ASIDs, `asid_transition` is set and every
broadcast flush also runs finish_asid_transition, which IPIs mm_cpumask until each CPU running
the mm has moved onto the global ASID. (../shared/reference/broadcast_flush.md §1–§5; v6.15
arch/x86/mm/tlb.c, arch/x86/include/asm/tlbflush.h, asm/tlb.h.)

  initiator i (CPUs 0..initiators-1)               any CPU t / the hardware
  madvise_dontneed(i, p)   zap one PTE             tlb_fill(t, s, p) (s: the loaded PCID), user_access(t, p)
  inc_mm_tlb_gen(i)        reads global_asid        flush_tlb_func(t, i)  the IPI handler
   IPI path (no global ASID):                       switch_mm_begin / _load_cr3 / _done(t)
     ipi_send / ipi_skip(i, t); csd_lock_wait(i)    enter_lazy_tlb / leave_lazy / switch_mm_out(t)
     use_global_asid(i) -> mm_assign_publish(i)     invlpgb_invalidate(i, t): i's pending
     or consider_global_asid_skip(i)                  INVLPGB applied to CPU t's TLB
   broadcast path (global ASID):                    store_buffer_drain(t) (memory="tso")
     invlpgb_issue(i)  (INVLPGB, no wait)
     finish_asid_transition_cpu(i, t) ... -> IPIs to the whole mask, or asid_transition = false
     tlbsync(i)        waits for i's own INVLPGB only
  tlb_finish_mmu(i)        frees the frame
  reclaim (reclaim=...):   try_to_unmap_one, arch_tlbbatch_add_pending, arch_tlbbatch_flush
  kernel (kernel_flush):   vunmap, flush_tlb_kernel_range or flush_tlb_all, tlbsync, vfree
  allocator:               use_global_asid, or use_global_asid_reset -> reset_global_asid_space;
                           then allocate_global_asid
                           the other mm B: b_use_global_asid or b_use_global_asid_reset, b_tlb_fill,
                           b_destroy_context

The model's ASIDs: each CPU's TLB is tagged with two PCIDs of this mm — its dynamic ASID slot
(PCID index 0; cpu_tlbstate.ctxs[], caught up by ctxs[].tlb_gen at switch-in, as in tlb_gen.py)
and the mm's global ASID (index 1; the same on every CPU, never flushed by the generation logic:
"always up to date" by INVLPGB). Another mm competes for CPUs (mode "other"); its own slot and
memory are not modelled, and this mm keeps its dynamic slot while the CPU runs it.

INVLPGB as hardware: invlpgb_issue records the initiator's pending invalidation for every CPU;
invlpgb_invalidate applies it to one CPU's global-ASID entries of the range at any time, in any
order (it is progress, weakly fair: the hardware finishes). TLBSYNC blocks until the issuing
CPU's own pending set is empty. The dynamic slots are out of its scope (PCID-matching, non-global).

Memory model: sequential consistency, or `memory="tso"`: loaded_mm stores (LOADED_MM_SWITCHING,
next, another mm) go through a per-CPU x86-TSO store buffer of one entry (a store waits while it is
full: a bounded buffer, so behaviours that need two pending loaded_mm stores are not explored),
drained by store_buffer_drain; switch_mm_irqs_off's smp_mb() (the cpumask bit already set,
v6.x lazy mm_cpumask) waits for the drain before it reads tlb_gen and global_asid. The initiator
reads remote loaded_mm from memory after the full barrier of inc_mm_tlb_gen (the store-buffer
pattern of broadcast_flush.md §5). asid_transition and global_asid are stored in program order
(on x86 a release store is a plain store and TSO keeps two stores in order); the order itself is a
switch (`transition_first`).

The allocator (`allocator=True`; v6.15 arch/x86/mm/tlb.c, broadcast_flush.md §2): two global ASIDs,
TLB_NR_DYN_ASIDS and MAX_ASID_AVAILABLE - 1, so global_asid_available (MAX_ASID_AVAILABLE -
TLB_NR_DYN_ASIDS - 1) is one; the bitmaps global_asid_used and global_asid_freed, the cursor
last_global_asid. A second mm B was given the first global ASID after boot (the initial state);
b_tlb_fill caches B's translation (its own frame) under B's PCID on a CPU that runs another mm, and
b_access is B's user access through it; b_destroy_context is B's exit (exit_mmap frees its frame) and
frees B's ASID (mm_free_global_asid: the freed bit, no flush); b_use_global_asid is a new B, on either
of two B frames that an earlier B freed, given the next ASID in one step under global_asid_lock
(b_use_global_asid_reset at the edge: its reset applied at once). A new B that reads an earlier B's page
through its PCID breaks b_no_stale_access. This mm's use_global_asid takes the lock; at the edge
(last_global_asid >= MAX_ASID_AVAILABLE - 1) it is use_global_asid_reset, whose reset_global_asid_space
issues invlpgb_flush_all_nonglobals (INVLPGB on every PCID, pending like any INVLPGB) and waits for it
(TLBSYNC) before it moves the freed ASIDs back; allocate_global_asid then searches from the cursor. A
freed PCID handed out again with B's translation still cached is a user access to B's page
(no_stale_access); global_asid_unshared says no two live mms hold one ASID.

Entry points besides flush_tlb_mm_range (each a switch; v6.15 unless said): `reclaim="merged"` —
an operation may be reclaim instead of MADV_DONTNEED: try_to_unmap_one clears the PTE,
arch_tlbbatch_add_pending increments tlb_gen, arch_tlbbatch_flush issues invlpgb_flush_all_nonglobals
(INVLPGB on every PCID) and TLBSYNCs, then the page is freed. `reclaim="targeted"` — the unmerged
variant (series v9-v14): arch_tlbbatch_add_pending issues the page's INVLPGB on the global PCID and
sets the CPU's need_tlbsync; with no global ASID, or in transition, it also increments tlb_gen and the
batch flush IPIs; arch_tlbbatch_flush TLBSYNCs if need_tlbsync; the task may migrate in between
(task_migrate_reclaim), after the old CPU's context switch ran its TLBSYNC. `kernel_flush` — a
vmalloc'd kernel page cached as a global TLB entry on any CPU: vunmap, then flush_tlb_kernel_range
(INVLPGB with globals, every PCID) or, for a range flushed whole, flush_tlb_all (invlpgb_flush_all),
TLBSYNC, vfree; no_stale_kernel_access.

munmap (`munmap=True`, beside MADV_DONTNEED alone): zap every PTE, free_pgtables detaches the PTE-table
page into the same batch, and the flush says freed_tables: the IPIs (before the global ASID) reach lazy
CPUs too, and the INVLPGB is not final-only, so it drops the global PCID's paging-structure-cache entries
(`invlpgb_freed_tables=False`: final-only anyway, a bug); a full flush of a dynamic slot drops its entries.
Page walks start at the loaded PCID's cached PTE table, else at the PMD; one that reads a freed table
breaks no_freed_table_walk. With rounds > 1, pte_alloc attaches a table (perhaps the freed one) first.
A lazy CPU still on its dynamic ASID when the mm has its global one is reached only by the transition's
IPIs to the whole mask, which is why they go to lazy CPUs too.

The initiator's task: its steps need the task on its CPU (mode user), and the scheduler switches the
CPU (lazy, another mm) only between operations; initiator_keeps_mm says the CPU keeps the mm from
get_cpu to put_cpu.

Bug switches (each True in the kernel): `tlbsync_same_cpu` (the task cannot migrate between
INVLPGB and TLBSYNC: preemption is off), `transition_first` (asid_transition before global_asid),
`switch_mb` (switch_mm_irqs_off's smp_mb() before reading global_asid), `should_flush_switching`
(should_flush_tlb IPIs a CPU whose loaded_mm is LOADED_MM_SWITCHING, fea4e317f9e7 "x86/mm: Eliminate
window where TLB flushes may be inadvertently skipped": without it the model finds that bug),
`finish_waits_switching`
(finish_asid_transition spins while a CPU's loaded_mm is LOADED_MM_SWITCHING); with the allocator
`reset_flushes` (reset_global_asid_space runs invlpgb_flush_all_nonglobals) and `freed_bitmap`
(mm_free_global_asid sets the freed bit rather than clearing the used one); `reclaim_broadcast`
(arch_tlbbatch_flush's INVLPGB branch), `switch_tlbsync` (targeted reclaim's TLBSYNC at the context
switch), `kernel_globals` (the kernel-range INVLPGB includes global entries); with PTI
`pti_user_broadcast` (broadcast_tlb_flush's second INVLPGB, on user_pcid(asid)).

PTI (`pti=True`, beside MADV_DONTNEED alone): each PCID has a user PCID (kPCID | 2048) that user mode runs
on and user-mode walks fill; a flush of the dynamic slot calls invalidate_user_asid, which only marks its
user PCID in user_pcid_flush_mask, and the return to user (SWITCH_TO_USER_CR3) flushes it; the global
ASID's user PCID is flushed by the second INVLPGB (both applied in one step per CPU: TLBSYNC waits for
both); the kernel's accesses to user memory go through the kernel PCID. No path of this model calls
invalidate_user_asid on the global ASID (flush_tlb_func returns early for it, choose_new_asid loads it
with NOFLUSH), so the width of user_pcid_flush_mask does not matter here; it does for RAR.

Scope: one page per operation (MADV_DONTNEED, reclaim or vunmap); without `allocator`, one global ASID and no other
mm's translations; with it, two global ASIDs, each B's memory one frame (two B frames, taken only by
Bs), B's own flushes and its dynamic ASIDs not modelled (B's translations under its global PCID are
what may outlive it); this mm is never
destroyed; the flush
is always a whole-PCID flush on the dynamic slot (the partial-flush rule is tlb_gen.py's) and a
range INVLPGB on the global one; paging-structure caches only with munmap, PTI only with MADV_DONTNEED alone, no
Intel RAR (protocols/rar.py); reclaim runs in the mm's own task (direct reclaim), its batch holds one
mm; the kernel page is one global entry per CPU, its flush chosen freely between the range and ALL
branches; mm_cpumask bits are set at
switch-in and cleared only by flush_tlb_func on a CPU that runs another mm (the v6.x lazy mask),
should_flush_tlb's trim_cpumask is a free choice; the active-CPU threshold is a parameter (the
kernel's is more than 3, `mm_active_cpus_exceeds(mm, 3)`), the sampling gate a free choice;
switch_mm_irqs_off called from flush_tlb_func leaves is_lazy as it is.
"""
from __future__ import annotations

from functools import reduce

from checker.lang import BOOL, Elem, If, IntRange, Mask, ModelBuilder, ModelError, Param, Protocol, exists, \
    forall, when

from . import global_asid as gasid
from . import page_tables

TLB_C = "arch/x86/mm/tlb.c"
TLBFLUSH_H = "arch/x86/include/asm/tlbflush.h"
V = "v6.15"


def build(cfg):
    n, k, pages, rounds = cfg.cpus, cfg.initiators, cfg.pages, cfg.rounds
    if k > n:
        raise ModelError(f"initiators={k} is more than cpus={n}", "give initiators <= cpus")
    tso = cfg.memory == "tso"
    alloc = cfg.allocator
    assigned = cfg.assigned_at_start
    tables = cfg.munmap                  # munmap with free_pgtables: a PTE-table page and paging-structure caches
    if tables and (cfg.allocator or cfg.reclaim != "off" or cfg.kernel_flush):
        raise ModelError("munmap=True with the allocator, reclaim or kernel_flush",
                         "munmap is checked beside MADV_DONTNEED alone: drop the other switch")
    pti = cfg.pti
    if pti and (cfg.allocator or cfg.reclaim != "off" or cfg.kernel_flush or cfg.munmap):
        raise ModelError("pti=True with the allocator, reclaim, kernel_flush or munmap",
                         "PTI is checked beside MADV_DONTNEED alone: drop the other switch")
    if assigned and alloc:
        raise ModelError("assigned_at_start=True with allocator=True",
                         "the allocator check starts with no global ASID: drop one of the two")
    reclaim = cfg.reclaim                # "off", "merged" or "targeted"
    kern = cfg.kernel_flush              # a vmalloc'd kernel page, vunmap'd: flush_tlb_kernel_range / flush_tlb_all
    wide = alloc or reclaim == "merged" or kern  # some INVLPGB covers every PCID
    m = ModelBuilder(cfg.name if hasattr(cfg, "name") else "invlpgb", cfg, __doc__)
    CPU = m.index_set("CPU", n, symmetric=(k == n), lanes=True)
    Page = m.index_set("Page", pages)
    # allocator: two more frames for the pages of the other mms B: a new B takes one an earlier B freed
    Frame = m.index_set("Frame", pages + (2 if alloc else 0))
    # 0: the CPU's dynamic ASID slot for this mm; then the global ASIDs: one (the mm's), or with the
    # allocator `global_asids` (TLB_NR_DYN_ASIDS .. MAX_ASID_AVAILABLE - 1, the reset's edge), shared with
    # mm B, and MAX_ASID_AVAILABLE itself: what allocate_global_asid hands out when find_next_zero_bit
    # finds no clear bit from the cursor up (v6.15 goes on with it)
    G = gasid.global_asids(cfg)
    PCID = m.index_set("PCID", 2 + G if alloc else 2)
    DYN, GLOB = PCID.members[0], PCID.members[1]
    gens = k * rounds
    EVERY_CPU = CPU.mask(*range(n))
    FrameRef = Elem(Frame, optional=True)
    Phase = m.enum("Phase", "idle", "flush_start", *(("unmapped", "batched") if reclaim != "off" else ()),
                   *(("kflush",) if kern else ()), "sending", "waiting", "consider",
                   *(("reset_sync", "claim") if alloc else ()), "assign",
                   "finish", "tlbsync", "flushed", "freed", "done")
    Mode = m.enum("Mode", "user", "lazy", "other", "switching", "cr3")
    Loaded = m.enum("LoadedMm", "mm", "other", "switching")

    pte = m.array("pte", Page, FrameRef, lambda p: p, "the frame page p's PTE maps")
    frame = gasid.declare_frame(m, Frame, pages, alloc)
    batch = m.array("batch", Frame, Elem(CPU, optional=True), None, "whose mmu_gather batch holds frame f")
    tlb = m.array("tlb", (CPU, PCID, Page), FrameRef, None,
                  "the frame CPU c's TLB maps page p to under this mm's PCID s (0 dynamic, 1 global)")
    mode = m.array("mode", CPU, Mode, "user",
                   "what CPU c runs: this mm's task, a lazy kthread, another mm, or switch_mm_irqs_off to this mm "
                   "(loaded_mm = SWITCHING stored; cr3: CR3 loaded, loaded_mm = next not yet)")
    loaded_asid = m.array("loaded_asid", CPU, Elem(PCID), DYN,
                          "cpu_tlbstate.loaded_mm_asid: this mm's dynamic slot or its global ASID")
    asid_gen = m.array("asid_gen", CPU, IntRange(0, gens), 0,
                       "cpu_tlbstate.ctxs[asid].tlb_gen of this mm's dynamic slot")
    mm_cpumask = m.var("mm_cpumask", Mask(CPU), range(n), "mm_cpumask(mm) (v6.x: bits kept at switch-out)")
    mm_tlb_gen = m.var("mm_tlb_gen", IntRange(0, gens), 0, "mm->context.tlb_gen")
    al = gasid.Allocator(m, CPU, PCID, Frame, pages, G) if alloc else None
    if alloc:
        global_asid = al.global_asid
    else:
        global_asid = m.var("global_asid", BOOL, assigned, "mm->context.global_asid != 0")
    asid_transition = m.var("asid_transition", BOOL, assigned, "mm->context.asid_transition")
    if wide:
        inv_all = m.array("inv_all", CPU, BOOL, False,
                          "initiator c's pending INVLPGB is invlpgb_flush_all_nonglobals (every PCID)")
    if reclaim != "off":
        rec = m.array("reclaiming", CPU, BOOL, False,
                      "initiator c's operation is reclaim (try_to_unmap_one, then try_to_unmap_flush)")
    if reclaim == "targeted":
        need_sync = m.array("need_tlbsync", CPU, BOOL, False,
                            "cpu_tlbstate.need_tlbsync: CPU c issued an INVLPGB whose TLBSYNC is deferred")
    asid_lock = m.var("global_asid_lock", Elem(CPU, optional=True), None,
                      "who holds global_asid_lock (use_global_asid)")
    phase = m.array("phase", CPU, Phase, "idle", "where initiator c is in MADV_DONTNEED and its flush")
    rnd = m.array("round", CPU, IntRange(0, rounds - 1), 0, "which operation of initiator c this is")
    in_range = m.array("in_range", (CPU, Page), BOOL, False, "page p lies in initiator c's flush range")
    bcast = m.array("bcast", CPU, BOOL, False,
                    "initiator c's flush_tlb_mm_range saw a global ASID: broadcast_tlb_flush")
    all_mask = m.array("all_mask", CPU, BOOL, False,
                       "initiator c's flush_tlb_multi IPIs the whole mask (asid_transition set, or "
                       "finish_asid_transition's IPIs), lazy CPUs too")
    scanned = m.array("scanned", CPU, Mask(CPU), (), "CPUs initiator c's current scan has handled")
    csd = m.array("csd", (CPU, CPU), BOOL, False, "initiator i's flush csd for CPU t is locked and queued")
    inv_todo = m.array("inv_todo", CPU, Mask(CPU), (),
                       "CPUs whose TLBs initiator c's issued INVLPGB has not reached yet")
    stale_access = m.array("stale_access", (CPU, Page), BOOL, False, history=True)
    if alloc:
        al.declare_history()
    tlb_user, user_flush = gasid.declare_pti(m, CPU, PCID, Page, FrameRef) if pti else (None, None)
    if tables:
        pt = page_tables.declare(m, CPU, PCID, rounds, "this mm's PCID s")
        pmd, psc, freed_tables = pt.pmd, pt.psc, pt.freed_tables
    if kern:
        kpage = m.var("kernel_page", m.enum("KPage", "mapped", "unmapped", "freed"), "mapped",
                      "a vmalloc'd kernel page: mapped, its PTE cleared by vunmap, or vfree'd (its frame reused)")
        kbatch = m.var("kernel_batch", Elem(CPU, optional=True), None, "the initiator whose vunmap cleared it")
        ktlb = m.array("ktlb", CPU, BOOL, False,
                       "CPU c's TLB holds the kernel page's translation: a global entry, in no PCID")
        inv_kern = m.array("inv_kernel", CPU, BOOL, False,
                           "initiator c's pending INVLPGB includes global entries (the kernel page)")
        kstale = m.array("stale_kernel_access", CPU, BOOL, False, history=True)
        kfreed = m.var("kernel_page_vfreed", BOOL, False, "vfree has freed the kernel page once", history=True)
    if tso:
        lm_mem, sb = gasid.declare_store_buffer(m, CPU, Loaded)
    migrates = not cfg.tlbsync_same_cpu or reclaim == "targeted"
    if migrates:
        migrated = m.array("migrated", CPU, BOOL, False,
                           "initiator c's task migrated between its INVLPGB and TLBSYNC")


    def mine(s):
        """PCID s is this mm's global ASID."""
        return (global_asid == s) if alloc else (s == GLOB)

    ga = gasid.Mm(m, k=k, n=n, tso=tso, CPU=CPU, Page=Page, Frame=Frame, PCID=PCID, pte=pte, frame=frame,
                  batch=batch, tlb=tlb, mode=mode, loaded_asid=loaded_asid, mm_cpumask=mm_cpumask,
                  asid_transition=asid_transition, asid_lock=asid_lock, phase=phase, rnd=rnd, in_range=in_range,
                  all_mask=all_mask, scanned=scanned, csd=csd, stale_access=stale_access,
                  lm_mem=lm_mem if tso else None, sb=sb if tso else None, tlb_user=tlb_user, user_flush=user_flush,
                  global_asid=global_asid, al=al)
    preemptible, on_cpu = ga.preemptible, ga.on_cpu
    has_g, a_pcid, glob_entry = ga.has_g, ga.a_pcid, ga.glob_entry
    between_ops, flusher = ga.between_ops, ga.flusher

    def flush_dyn(c, cond):
        """A full flush of CPU c's dynamic slot (CR3 write without NOFLUSH, or flush_tlb_local): its TLB
        entries and paging-structure-cache entries (Intel SDM vol. 3 §4.10.4.1, AMD APM vol. 2 §5.5); with
        PTI, invalidate_user_asid marks its user PCID."""
        return [tlb[c, DYN, p].becomes(If(cond, None, tlb[c, DYN, p])) for p in Page.members] + (
            [psc[c, DYN].becomes(If(cond, None, psc[c, DYN]))] if tables else []) + ga.invalidate_user(c, DYN, cond)

    def catch_up(c, cond):
        """The dynamic slot loaded with the generation check: flushed if behind mm->context.tlb_gen."""
        behind = cond & (asid_gen[c] < mm_tlb_gen)
        return flush_dyn(c, behind) + [asid_gen[c].becomes(If(behind, mm_tlb_gen, asid_gen[c]))]

    initiator = gasid.INITIATOR

    # ------------------------------------------------------------ the initiators
    gasid.declare_madvise_dontneed(ga, lambda i: [rec[i].becomes(False)] if reclaim != "off" else [])

    if tables:
        gasid.declare_munmap(ga, pt, rounds)

    def phase_after_issue(i, g):
        """broadcast_tlb_flush: the INVLPGB (issued with inc_mm_tlb_gen's step: nothing of this CPU's
        is read between them), then finish_asid_transition if mm_in_asid_transition (read here)."""
        return phase[i].becomes(If(g, If(asid_transition, "finish", "tlbsync"), "sending"))

    @m.action(CPU, **initiator, ref=f"{TLB_C}: flush_tlb_mm_range: get_cpu, inc_mm_tlb_gen (a full barrier); "
                                    f"if (mm_global_asid(mm)) broadcast_tlb_flush: invlpgb_flush_user_nr_nosync "
                                    f"(INVLPGB on the global PCID, no wait), then if (mm_in_asid_transition) "
                                    f"finish_asid_transition; else flush_tlb_multi ({V}; mm_global_asid: "
                                    f"smp_load_acquire, {TLBFLUSH_H})")
    def inc_mm_tlb_gen(i):
        g = has_g
        every = ~g & asid_transition
        if tables:   # native_flush_tlb_multi: info->freed_tables || mm_in_asid_transition -> on_each_cpu_mask
            every = every | freed_tables[i]
        return when((phase[i] == "flush_start") & on_cpu(i), mm_tlb_gen.becomes(mm_tlb_gen + 1), bcast[i].becomes(g),
                    all_mask[i].becomes(every), scanned[i].becomes(CPU.empty()),
                    inv_todo[i].becomes(If(g, EVERY_CPU, inv_todo[i])), phase_after_issue(i, g))

    if reclaim != "off":
        # ------------------------------------------------------------ reclaim: a batched flush
        @m.action(CPU, Page, **initiator, ref="mm/rmap.c: try_to_unmap_one: the flush deferred "
                                             "(should_defer_flush): ptep_get_and_clear, then "
                                             "set_tlb_ubc_flush_pending (v6.15)")
        def try_to_unmap_one(i, p):
            """The merged batch keeps no address (its INVLPGB covers every PCID); the targeted one
            flushes the page it was given."""
            return when(flusher(i) & (phase[i] == "idle") & on_cpu(i) & (pte[p] != None),  # noqa: E711
                        ga.zap(i, p, ranged=reclaim == "targeted"), rec[i].becomes(True), phase[i].becomes("unmapped"))

        if reclaim == "merged":
            @m.action(CPU, **initiator, ref=f"{TLBFLUSH_H}: arch_tlbbatch_add_pending: inc_mm_tlb_gen, "
                                            f"cpumask_or(&batch->cpumask, mm_cpumask(mm)), batch->unmapped_pages "
                                            f"= true (0b7eb55cb706; {V})")
            def arch_tlbbatch_add_pending(i):
                return when((phase[i] == "unmapped") & on_cpu(i), mm_tlb_gen.becomes(mm_tlb_gen + 1),
                            bcast[i].becomes(False), all_mask[i].becomes(False), scanned[i].becomes(CPU.empty()),
                            phase[i].becomes("batched"))

            flush_ref = ("if (INVLPGB && batch->unmapped_pages) invlpgb_flush_all_nonglobals(): INVLPGB on "
                         "every PCID, then TLBSYNC under guard(preempt)" if cfg.reclaim_broadcast else
                         "flush_tlb_multi(&batch->cpumask, info): IPIs, as without INVLPGB (the broadcast "
                         "branch removed)")

            @m.action(CPU, **initiator, ref=f"mm/rmap.c: try_to_unmap_flush -> {TLB_C}: arch_tlbbatch_flush: "
                                            f"{flush_ref} ({V})")
            def arch_tlbbatch_flush(i):
                if cfg.reclaim_broadcast:
                    return when((phase[i] == "batched") & on_cpu(i), inv_todo[i].becomes(EVERY_CPU),
                                inv_all[i].becomes(True), phase[i].becomes("tlbsync"))
                return when((phase[i] == "batched") & on_cpu(i), phase[i].becomes("sending"))
        else:
            @m.action(CPU, **initiator, ref=f"{TLBFLUSH_H}: arch_tlbbatch_add_pending, targeted (unmerged, "
                                            f"series v9-v14): a global ASID -> invlpgb_flush_user_nr_nosync on "
                                            f"its PCID, need_tlbsync = true; no global ASID or "
                                            f"mm_in_asid_transition -> inc_mm_tlb_gen, cpumask_or(mm_cpumask)")
            def arch_tlbbatch_add_pending(i):
                g = has_g
                ipi = ~g | asid_transition
                return when((phase[i] == "unmapped") & on_cpu(i),
                            inv_todo[i].becomes(If(g, EVERY_CPU, inv_todo[i])),
                            need_sync[i].becomes(need_sync[i] | g),
                            mm_tlb_gen.becomes(If(ipi, mm_tlb_gen + 1, mm_tlb_gen)),
                            bcast[i].becomes(~ipi), all_mask[i].becomes(False), scanned[i].becomes(CPU.empty()),
                            phase[i].becomes("batched"))

            @m.action(CPU, **initiator, ref=f"mm/rmap.c: try_to_unmap_flush -> {TLB_C}: arch_tlbbatch_flush, "
                                            f"targeted (series v9-v14): tlbsync() if this CPU's need_tlbsync "
                                            f"(TLBSYNC waits for this CPU's INVLPGBs), then flush_tlb_multi("
                                            f"&batch->cpumask) if the batch holds CPUs")
            def arch_tlbbatch_flush(i):
                synced = ~need_sync[i] | (inv_todo[i] == CPU.empty()) | migrated[i]
                return when((phase[i] == "batched") & on_cpu(i) & synced, need_sync[i].becomes(False),
                            migrated[i].becomes(False), phase[i].becomes(If(bcast[i], "flushed", "sending")))

            mig_ref = ("switch_mm_irqs_off / enter_lazy_tlb on the old CPU ran tlbsync() first (need_tlbsync)"
                       if cfg.switch_tlbsync else
                       "no tlbsync() at the context switch (need_tlbsync checked only in arch_tlbbatch_flush)")

            @m.action(CPU, environment=True, ref=f"kernel/sched/core.c: the reclaiming task is preempted between "
                                                 f"try_to_unmap and try_to_unmap_flush and migrates; {TLB_C}: "
                                                 f"{mig_ref} (series v9-v14)")
            def task_migrate_reclaim(i):
                synced = (inv_todo[i] == CPU.empty()) if cfg.switch_tlbsync else True
                return when(flusher(i) & (phase[i] == "batched") & ~migrated[i] & (~need_sync[i] | synced),
                            migrated[i].becomes(True), need_sync[i].becomes(False))

    if kern:
        # ------------------------------------------------------------ kernel mappings: vunmap, vfree
        @m.action(CPU, **initiator, ref="mm/vmalloc.c: vfree -> remove_vm_area -> vunmap_range_noflush: the "
                                        "kernel PTE cleared (v6.15)")
        def vunmap(i):
            return when(flusher(i) & (phase[i] == "idle") & on_cpu(i) & (kpage == "mapped"),
                        kpage.becomes("unmapped"), kbatch.becomes(i), phase[i].becomes("kflush"))

        glob_ref = ("globals included" if cfg.kernel_globals
                    else "without INVLPGB_FLAG_INCLUDE_GLOBAL (non-global entries only: a flag dropped)")

        @m.action(CPU, **initiator, ref=f"{TLB_C}: flush_tlb_kernel_range: get_flush_tlb_info, info->end not "
                                        f"TLB_FLUSH_ALL -> invlpgb_kernel_range_flush: invlpgb_flush_addr_nosync "
                                        f"over the range, {glob_ref}, every PCID; then __tlbsync ({V})")
        def flush_tlb_kernel_range(i):
            return when((phase[i] == "kflush") & on_cpu(i), inv_todo[i].becomes(EVERY_CPU),
                        inv_kern[i].becomes(cfg.kernel_globals), phase[i].becomes("tlbsync"))

        @m.action(CPU, **initiator, ref=f"{TLB_C}: flush_tlb_kernel_range, info->end == TLB_FLUSH_ALL (a long "
                                        f"range) -> flush_tlb_all -> invlpgb_flush_all: INVLPGB on everything, "
                                        f"globals included, then __tlbsync ({V}, asm/tlb.h)")
        def flush_tlb_all(i):
            return when((phase[i] == "kflush") & on_cpu(i), inv_todo[i].becomes(EVERY_CPU),
                        inv_kern[i].becomes(True), inv_all[i].becomes(True), phase[i].becomes("tlbsync"))

    gasid.declare_ipis(ga, cfg.should_flush_switching, bcast)
    gasid.declare_csd_lock_wait(ga, lambda i: If(bcast[i], "tlbsync", If(rec[i], "flushed", "consider"))
                                if reclaim != "off" else If(bcast[i], "tlbsync", "consider"))

    first, second, publish_ref = gasid.publish_order(cfg, asid_transition, global_asid)

    def invlpgb_flush_all_nonglobals(i):
        """The reset's INVLPGB on every PCID, pending like any INVLPGB (TLBSYNC: reset_global_asid_space); none
        without `reset_flushes`."""
        return [inv_todo[i].becomes(EVERY_CPU), inv_all[i].becomes(True)] if cfg.reset_flushes else []

    gasid.declare_use_global_asid(ga, cfg, has_g, first,
                                  f"{TLB_C}: flush_tlb_mm_range -> consider_global_asid: mm_active_cpus_exceeds(mm, 3) "
                                  f"-> use_global_asid: under global_asid_lock, allocate_global_asid, "
                                  f"mm_assign_global_asid: {publish_ref} ({V}, {TLBFLUSH_H})",
                                  invlpgb_flush_all_nonglobals if alloc else None)

    if alloc:
        reset_ref = ("invlpgb_flush_all_nonglobals (INVLPGB every PCID, TLBSYNC), then "
                     if cfg.reset_flushes else "(no invlpgb_flush_all_nonglobals: the flush removed) ")
        gasid.declare_reset_global_asid_space(
            ga, f"{TLB_C}: allocate_global_asid -> reset_global_asid_space: {reset_ref}bitmap_andnot(used, used, "
                f"freed), bitmap_clear(freed), last_global_asid = TLB_NR_DYN_ASIDS ({V})",
            lambda i: inv_todo[i] == CPU.empty(), lambda i: [inv_all[i].becomes(False)])
        gasid.declare_allocate_global_asid(ga, first)

    gasid.declare_mm_assign_publish(ga, gasid.assign_store(al, second, al.last if alloc else True))
    gasid.declare_consider_global_asid_skip(ga, "no INVLPGB, the sampling gate ((pid & 31) == (jiffies & 31)) "
                                                "fails")

    # broadcast path: finish_asid_transition scans mm_cpumask
    gasid.declare_finish_asid_transition_cpu(
        ga, f"{TLB_C}: finish_asid_transition: for_each_cpu(cpu, mm_cpumask(mm)): "
            + ("while (loaded_mm == LOADED_MM_SWITCHING) cpu_relax(); " if cfg.finish_waits_switching
               else "(no wait for LOADED_MM_SWITCHING: a guard removed) ")
            + f"skip unless loaded_mm == mm; if loaded_mm_asid != global ASID: flush_tlb_multi(mm_cpumask) "
              f"and return ({V})",
        lambda t: loaded_asid[t] == DYN, cfg.finish_waits_switching)

    gasid.declare_mm_clear_asid_transition(ga, "tlbsync")

    sync_ref = (f"{TLB_C}: broadcast_tlb_flush -> __tlbsync: TLBSYNC waits for this CPU's INVLPGBs on every "
                f"CPU; put_cpu after it ({V}, asm/tlb.h)")

    @m.action(CPU, **initiator, ref=sync_ref if cfg.tlbsync_same_cpu else
              sync_ref + "; the task migrated, so TLBSYNC runs on a CPU that issued nothing (preemption "
                         "allowed between INVLPGB and TLBSYNC: a guard removed)")
    def tlbsync(i):
        ok = inv_todo[i] == CPU.empty()
        if not cfg.tlbsync_same_cpu:
            ok = ok | migrated[i]
        return when((phase[i] == "tlbsync") & ok, phase[i].becomes("flushed"),
                    [migrated[i].becomes(False)] if migrates else [],
                    [inv_all[i].becomes(False)] if wide else [],
                    [inv_kern[i].becomes(False)] if kern else [])

    if not cfg.tlbsync_same_cpu:
        @m.action(CPU, environment=True, ref="kernel/sched/core.c: the task is preempted and migrates to "
                                             "another CPU between invlpgb_flush_user_nr_nosync and __tlbsync "
                                             "(the get_cpu()/guard(preempt) removed)")
        def task_migrate(i):
            return when(flusher(i) & ((phase[i] == "tlbsync") | (phase[i] == "finish")) & ~migrated[i],
                        migrated[i].becomes(True))

    @m.action(CPU, **initiator, ref="mm/mmu_gather.c: tlb_finish_mmu -> tlb_flush_mmu_free: free the gathered "
                                    "pages; flush_tlb_mm_range has returned (reclaim: mm/vmscan.c: "
                                    "shrink_folio_list -> free_unref_folios after try_to_unmap_flush) (v6.15)")
    def tlb_finish_mmu(i):
        last = rnd[i] + 1 >= rounds
        if kern:   # after vunmap: vfree frees the kernel page; the next operation needs no fault
            kop = kbatch == i
            return when((phase[i] == "flushed") & on_cpu(i), kpage.becomes(If(kop, "freed", kpage)),
                        kfreed.becomes(kfreed | kop),
                        kbatch.becomes(If(kop, None, kbatch)), ga.free_batch(i),
                        phase[i].becomes(If(last, "done", If(kop, "idle", "freed"))),
                        rnd[i].becomes(If(kop & ~last, rnd[i] + 1, rnd[i])))
        return when((phase[i] == "flushed") & on_cpu(i), ga.free_batch(i), phase[i].becomes(If(last, "done", "freed")),
                    pt.free_batch(i) if tables else [])

    if rounds > 1:
        gasid.declare_do_anonymous_page(ga, True, (pmd != None) if tables else True)  # noqa: E711

    # ------------------------------------------------------------ the hardware: INVLPGB in flight
    @m.action(CPU, CPU, actor=lambda i, t: t, fair="weak", hardware=True,
              ref="AMD APM vol. 3, INVLPGB: the broadcast invalidation reaches CPU t's TLB (any time, any "
                  "order); PCID-matching, non-global entries of the range (asm/tlb.h: "
                  "invlpgb_flush_user_nr_nosync, v6.15)" + (
                      "; with PTI the second INVLPGB on user_pcid(asid) too (arch/x86/mm/tlb.c: "
                      "broadcast_tlb_flush: if (cpu_feature_enabled(X86_FEATURE_PTI)))" if pti and cfg.pti_user_broadcast
                      else "; with PTI, not on user_pcid(asid) (the second INVLPGB dropped)" if pti else ""))
    def invlpgb_invalidate(i, t):
        def hit(i, s, p):
            if not wide:
                return in_range[i, p]
            # invlpgb_flush_all_nonglobals (the reset, reclaim): every PCID; else the mm's global PCID, by VA
            return inv_all[i] | (in_range[i, p] & mine(s)) if s != DYN else inv_all[i]

        return when(inv_todo[i].has(t),
                    [tlb[t, s, p].becomes(If(hit(i, s, p), None, tlb[t, s, p]))
                     for s in (PCID.members if wide else (GLOB,)) for p in Page.members],
                    # not final-only when page tables were freed (invlpgb_flush_user_nr_nosync's freed_tables):
                    # the global PCID's paging-structure caches go too
                    [psc[t, GLOB].becomes(If(freed_tables[i] & cfg.invlpgb_freed_tables, None, psc[t, GLOB]))]
                    if tables else [],
                    [ktlb[t].becomes(ktlb[t] & ~inv_kern[i])] if kern else [],
                    # PTI: the second INVLPGB, on user_pcid(asid) (applied with the first: TLBSYNC waits for both)
                    [tlb_user[t, GLOB, p].becomes(If(in_range[i, p], None, tlb_user[t, GLOB, p]))
                     for p in Page.members] if pti and cfg.pti_user_broadcast else [],
                    inv_todo[i].becomes(inv_todo[i].without(t)))

    # ------------------------------------------------------------ every CPU's flush handler
    @m.action(CPU, CPU, actor=lambda t, i: t, fair="strong",
              ref=f"{TLB_C}: flush_tlb_func: loaded_mm != mm -> cpumask_clear_cpu, return; "
                  f"mm_needs_global_asid -> switch_mm_irqs_off(NULL, loaded_mm) onto the global ASID; "
                  f"is_global_asid -> return; is_lazy -> switch_mm_irqs_off(NULL, &init_mm); else catch up "
                  f"with mm->context.tlb_gen; csd_unlock ({V})")
    def flush_tlb_func(t, i):
        here = (mode[t] == "user") | (mode[t] == "lazy")
        move = here & has_g & (loaded_asid[t] == DYN)
        on_dyn = here & ~has_g & (loaded_asid[t] == DYN)
        lazy = on_dyn & (mode[t] == "lazy")
        return when(csd[i, t] & (mode[t] != "switching") & (mode[t] != "cr3"),
                    csd[i, t].becomes(False),
                    mm_cpumask.becomes(If(mode[t] == "other", mm_cpumask.without(t), mm_cpumask)),
                    loaded_asid[t].becomes(If(move, a_pcid, loaded_asid[t])),
                    mode[t].becomes(If(lazy, "other", mode[t])),
                    catch_up(t, on_dyn & (mode[t] == "user")))

    # ------------------------------------------------------------ context switches (the scheduler's)
    gasid.declare_enter_lazy_tlb(ga)

    @m.action(CPU, environment=True, contexts=gasid.between_contexts(ga, "lazy", "lazy", rounds),
              ref=f"{TLB_C}: switch_mm_irqs_off, prev == next: mm_needs_global_asid "
                                         f"-> choose_new_asid, the global PCID with NOFLUSH; is_global_asid -> "
                                         f"return; else was_lazy: smp_mb, flush if ctxs[asid].tlb_gen is behind "
                                         f"({V})")
    def leave_lazy(c):
        move = has_g & (loaded_asid[c] == DYN)
        return when(preemptible(c) & (mode[c] == "lazy"), mode[c].becomes("user"),
                    loaded_asid[c].becomes(If(move, a_pcid, loaded_asid[c])),
                    catch_up(c, ~has_g & (loaded_asid[c] == DYN)))

    gasid.declare_switch_mm_out_begin(ga, rounds)

    mb = ("cpumask_set_cpu if the bit is clear, else smp_mb()" if cfg.switch_mb
          else "cpumask_set_cpu if the bit is clear, else nothing (the smp_mb() dropped)")

    # both branches of the barrier: a CPU trimmed from the mask sets its bit, one still in it runs smp_mb()
    @m.action(CPU, fair="strong", contexts={"new_cpu": lambda c: ~mm_cpumask.has(c),
                                            "in_mask": lambda c: mm_cpumask.has(c)},
              ref=f"{TLB_C}: switch_mm_irqs_off: {mb}; next_tlb_gen = "
                                      f"atomic64_read(&next->context.tlb_gen); choose_new_asid: the global "
                                      f"ASID if mm_global_asid(next) (NOFLUSH), else the dynamic slot, flushed "
                                      f"if ctxs[].tlb_gen is behind; load_new_mm_cr3 ({V})")
    def switch_mm_load_cr3(c):
        # smp_mb(): the SWITCHING store reaches memory before tlb_gen and global_asid are read
        fence = (sb[c] == "empty") if tso and cfg.switch_mb else True
        g = has_g
        return when((mode[c] == "switching") & fence, mode[c].becomes("cr3"),
                    mm_cpumask.becomes(mm_cpumask.with_(c)),
                    loaded_asid[c].becomes(If(g, a_pcid, DYN) if alloc else
                                           If(g, GLOB, If(loaded_asid[c] == GLOB, DYN, loaded_asid[c]))),
                    catch_up(c, ~g))

    gasid.declare_switch_mm_done(ga)

    if tso:
        gasid.declare_store_buffer_drain(ga, "x86-TSO: a buffered store reaches memory (Sewell et al., CACM 2010)")

    if alloc:
        # ------------------------------------------------------------ the other mm B and its global ASID
        gasid.declare_other_mm(ga, cfg.reset_flushes, "INVLPGB and TLBSYNC", cfg.freed_bitmap)

    # ------------------------------------------------------------ the hardware: walks and accesses
    if not tables:
        gasid.declare_tlb_fill(ga, "AMD APM vol. 2 §5.5")
    else:
        gasid.declare_table_walk(ga, pt, "AMD APM vol. 2 §5.5")

    if kern:
        @m.action(CPU, environment=True, ref="hardware page walk of the kernel page table (any context, "
                                             "speculatively too): a global TLB entry")
        def kernel_tlb_fill(c):
            return when((kpage == "mapped") & ~ktlb[c], ktlb[c].becomes(True))

        @m.action(CPU, environment=True, ref="a kernel load or store through the vmalloc address")
        def kernel_access(c):
            return when(ktlb[c], kstale[c].becomes(kstale[c] | (kpage == "freed")))

    gasid.declare_user_access(ga, ("b", "b_exited") if alloc else ())
    if pti:
        gasid.declare_pti_user(ga, "AMD APM vol. 2 §5.5", rounds)
        gasid.declare_kernel_uaccess(ga)

    # ------------------------------------------------------------ properties
    gasid.invariant_no_stale_access(ga, "broadcast_tlb_flush ends with TLBSYNC")
    gasid.invariant_gathered_in_batch(ga, V)
    unflushed = ("flush_start", "unmapped", "batched") if reclaim != "off" else ("flush_start",)
    zapping = exists(CPU, lambda i: reduce(lambda a, b: a | b, [phase[i] == ph for ph in unflushed]))
    m.invariant("caught_up_slot_clean", forall(CPU, Page, lambda c, p: (asid_gen[c] < mm_tlb_gen)
                                               | ~ga.unmapped(c, DYN, p) | zapping),
                "a dynamic ASID slot whose ctxs[].tlb_gen is caught up holds no translation the mm has since changed "
                "(between the zap and its flush's inc_mm_tlb_gen, or reclaim's batch, excepted): else a flush "
                "skipped as done leaves it there",
                f"{TLB_C}: flush_tlb_func, switch_mm_irqs_off: ctxs[asid].tlb_gen = mm_tlb_gen once flushed ({V})")
    settled = forall(CPU, lambda c: between_ops(c) & (inv_todo[c] == CPU.empty())) & forall(
        CPU, CPU, lambda i, t: ~csd[i, t])
    # not with reclaim: invlpgb_flush_all_nonglobals flushes every PCID and records no generation, so
    # the next request flushes again (the kernel's own cost)
    if reclaim == "off":
        m.invariant("caught_up_when_settled", ~settled | forall(
            CPU, lambda c: (mode[c] != "user") | (loaded_asid[c] != DYN) | (asid_gen[c] == mm_tlb_gen)),
                    "once no flush is in progress, every CPU running this mm on its dynamic ASID has recorded the mm's "
                    "generation: one that under-reports takes a needless full flush at the next request",
                    f"{TLB_C}: flush_tlb_func: this_cpu_write(cpu_tlbstate.ctxs[loaded_mm_asid].tlb_gen, "
                    f"mm_tlb_gen) ({V})",
                    precondition=settled & (mm_tlb_gen > 0))
    m.invariant("slot_gen_not_ahead", forall(CPU, lambda c: asid_gen[c] <= mm_tlb_gen),
                "no dynamic slot records a generation the mm has not reached",
                f"{TLB_C}: choose_new_asid: ctxs[new_asid].tlb_gen = next->context.tlb_gen ({V})",
                precondition=mm_tlb_gen > 0)
    gasid.invariant_asid_lock_held(ga, ("reset_sync", "claim", "assign") if alloc else ("assign",), V)

    if kern:
        m.invariant("no_stale_kernel_access", forall(CPU, lambda c: ~kstale[c]),
                    "no kernel access goes through a TLB entry of a vfree'd page",
                    f"{TLB_C}: flush_tlb_kernel_range returns only when no CPU caches the range ({V})",
                    precondition=exists(CPU, lambda c: ktlb[c] & (kpage != "mapped")))
        m.cover("kernel_invlpgb_in_flight", exists(CPU, CPU, lambda i, t: inv_kern[i] & inv_todo[i].has(t)
                                                   & ktlb[t]),
                "a kernel-range INVLPGB is in flight and a CPU still caches the kernel page",
                f"{TLB_C}: flush_tlb_kernel_range ({V})")

        def kernel_sync(i, whole):
            return (phase[i] == "tlbsync") & inv_kern[i] & (inv_all[i] if whole else ~inv_all[i]) \
                & (inv_todo[i] != CPU.empty()) & (kbatch == i)
        m.cover("kernel_range_tlbsync_waits", exists(CPU, lambda i: kernel_sync(i, False)),
                "flush_tlb_kernel_range's range branch waits in TLBSYNC for its INVLPGB",
                f"{TLB_C}: invlpgb_kernel_range_flush, __tlbsync ({V})")
        m.cover("flush_tlb_all_tlbsync_waits", exists(CPU, lambda i: kernel_sync(i, True)),
                "the TLB_FLUSH_ALL branch (invlpgb_flush_all) waits in TLBSYNC for its INVLPGB",
                f"{TLB_C}: flush_tlb_all -> invlpgb_flush_all ({V})")
        m.invariant("vfree_once", ~kfreed | (kpage == "freed"),
                    "a vfree'd kernel page is never mapped or vunmap'd again (no double vunmap or vfree)",
                    "mm/vmalloc.c: vfree -> remove_vm_area: a second vfree of the area finds no vm_struct and "
                    "WARNs 'Trying to vfree() nonexistent vm area' (v6.15)", precondition=kfreed)
        m.cover("kernel_page_freed", kpage == "freed",
                "vfree ran: the kernel range was flushed and its page freed", "mm/vmalloc.c: vfree (v6.15)")
    if alloc:
        gasid.allocator_invariants(ga)

    if tables:
        gasid.munmap_properties(ga, pt, has_g, rounds, "S2: the flush says freed_tables: INVLPGB not final-only, "
                                                        f"IPIs to lazy CPUs too ({V})", lambda: m.cover(
            "invlpgb_reaches_detached_table", exists(CPU, CPU, lambda i, t: inv_todo[i].has(t) & freed_tables[i]
                                                     & pt.detached(psc[t, GLOB])),
            "an INVLPGB of a munmap is in flight and a CPU's paging-structure cache under the global PCID still "
            "points to the detached PTE table: only the INVLPGB that is not final-only removes it",
            f"asm/tlb.h: invlpgb_flush_user_nr_nosync(..., freed_tables) ({V})"))

    m.invariant("initiator_keeps_mm", forall(CPU, lambda i: preemptible(i) | on_cpu(i)),
                "between get_cpu and put_cpu the initiating CPU keeps running the mm's task: no context switch, "
                "no lazy TLB (preemption is off)",
                f"{TLB_C}: flush_tlb_mm_range: get_cpu() .. put_cpu() ({V})")

    m.cover("invlpgb_in_flight", exists(CPU, CPU, Page, lambda i, t, p: inv_todo[i].has(t) & in_range[i, p]
                                        & (glob_entry(t, p) != None)),  # noqa: E711
            "an INVLPGB was issued and a CPU's TLB still holds a global-ASID entry it will invalidate",
            "asm/tlb.h: invlpgb_flush_user_nr_nosync (v6.15)")
    m.cover("tlbsync_waits", exists(CPU, lambda i: (phase[i] == "tlbsync") & (inv_todo[i] != CPU.empty())),
            "TLBSYNC waits: the issuing CPU's INVLPGB has not reached every TLB", sync_ref)
    gasid.cover_global_asid_assigned(ga, has_g)
    gasid.cover_dynamic_asid_in_transition(ga, has_g, "INVLPGB")
    gasid.cover_transition_ipi(ga, bcast)
    gasid.cover_transition_finished(ga, has_g)
    m.cover("switch_in_onto_global_asid", exists(CPU, lambda c: (mode[c] == "cr3") & (loaded_asid[c] != DYN)),
            "a CPU switching to the mm read its global ASID and loaded CR3 with it (NOFLUSH)",
            f"{TLB_C}: choose_new_asid ({V})")
    if n > 2 or k > 1:
        m.cover("finish_sees_switching", exists(CPU, CPU, lambda i, t: (phase[i] == "finish")
                                                & ~scanned[i].has(t) & (mode[t] == "switching")
                                                & has_g),
                "finish_asid_transition reaches a CPU inside switch_mm_irqs_off (loaded_mm = SWITCHING)",
                f"{TLB_C}: finish_asid_transition: while (loaded_mm == LOADED_MM_SWITCHING) ({V})")
    m.cover("lazy_cpu_reached_by_invlpgb", exists(CPU, CPU, Page, lambda i, t, p: inv_todo[i].has(t)
                                                  & (mode[t] == "lazy") & in_range[i, p]
                                                  & (glob_entry(t, p) != None)),  # noqa: E711
            "a lazy CPU holds a global-ASID entry an INVLPGB is about to invalidate: no IPI needed",
            f"{TLB_C}: broadcast_tlb_flush ({V})")
    gasid.cover_frame_freed_while_cached(ga)
    if pti:
        gasid.cover_user_pcid_flush_deferred(ga)
        gasid.leads_to_user_pcid_flush_applied(ga)
        m.cover("invlpgb_reaches_user_pcid", exists(CPU, CPU, Page, lambda i, t, p: inv_todo[i].has(t)
                                                    & in_range[i, p] & (tlb_user[t, GLOB, p] != None)),  # noqa: E711
                "an INVLPGB is in flight and a CPU's user PCID of the global ASID still holds the page: only the "
                "second INVLPGB, on user_pcid(asid), removes it", f"{TLB_C}: broadcast_tlb_flush ({V})")
    if alloc:
        gasid.allocator_covers(ga, "INVLPGB")
    if reclaim == "merged" and cfg.reclaim_broadcast:
        m.cover("reclaim_invlpgb_reaches_dynamic_asid", exists(CPU, CPU, Page, lambda i, t, p: inv_all[i]
                                                              & rec[i] & inv_todo[i].has(t)
                                                              & (tlb[t, DYN, p] != None)),  # noqa: E711
                "reclaim's invlpgb_flush_all_nonglobals is in flight and a CPU still caches the page under a "
                "dynamic ASID", f"{TLB_C}: arch_tlbbatch_flush ({V})")
    if reclaim == "targeted":
        m.cover("reclaim_targeted_invlpgb", exists(CPU, lambda i: rec[i] & bcast[i] & (phase[i] == "batched")
                                                   & (inv_todo[i] != CPU.empty())),
                "reclaim issued a targeted INVLPGB on the global PCID and deferred its TLBSYNC",
                f"{TLBFLUSH_H}: arch_tlbbatch_add_pending (series v9-v14)")
        m.cover("reclaim_task_migrated", exists(CPU, lambda i: migrated[i] & (phase[i] == "batched")),
                "the reclaiming task migrated between try_to_unmap and try_to_unmap_flush",
                "mm/rmap.c: try_to_unmap_flush (series v9-v14)")
    gasid.cover_tail(ga)

    quiet = forall(CPU, lambda c: between_ops(c) & (inv_todo[c] == CPU.empty()))
    m.final(quiet & (asid_lock == None) & forall(CPU, CPU, lambda i, t: ~csd[i, t]))  # noqa: E711
    m.leads_to("flush_completes", ~between_ops(0), between_ops(0),
               "initiator 0's unmap, its flush (IPIs or INVLPGB + TLBSYNC) and its free complete",
               f"{TLB_C}: flush_tlb_mm_range returns ({V})")
    return m.build()


# the invariants a bug spec names to keep its stale-access story: a missed flush also leaves a CPU's
# ctxs[].tlb_gen behind once all is quiet (caught_up_when_settled), a step or two earlier
STALE_ACCESS_STORY = ("no_stale_access", "gathered_in_batch", "caught_up_slot_clean", "slot_gen_not_ahead",
                      "asid_lock_in_assign", "initiator_keeps_mm")


PARAMS = (
    Param("cpus", 3, 2, 4, doc="CPUs: CPUs 0..initiators-1 initiate, every CPU takes flush IPIs and INVLPGBs"),
    Param("initiators", 1, 1, 4, doc="CPUs that unmap and flush concurrently"),
    gasid.PAGES,
    Param("rounds", 1, 1, 3, doc="operations (MADV_DONTNEED, or reclaim) per initiator"),
    gasid.ACTIVE_THRESHOLD,
    Param("memory", "sc", choices=("sc", "tso"), doc="loaded_mm stores: sequentially consistent, or through "
                                                      "an x86-TSO store buffer"),
    gasid.ALLOCATOR,
    gasid.ASSIGNED_AT_START,
    gasid.PTI,
    gasid.PTI_USER_BROADCAST,
    gasid.MUNMAP,
    Param("invlpgb_freed_tables", True, doc="(bug when False; munmap) the INVLPGB is final-only even when page "
                                            "tables were freed: paging-structure caches keep the freed table"),
    gasid.GLOBAL_ASIDS,
    Param("reset_flushes", True, doc="(bug when False; allocator) reset_global_asid_space without "
                                     "invlpgb_flush_all_nonglobals"),
    Param("freed_bitmap", True, doc="(bug when False; allocator) mm_free_global_asid clears the used bit at "
                                    "once instead of setting the freed bit"),
    Param("reclaim", "off", choices=("off", "merged", "targeted"),
          doc="page reclaim as a second kind of operation (try_to_unmap_one, arch_tlbbatch_add_pending, "
              "arch_tlbbatch_flush): merged (v6.15: invlpgb_flush_all_nonglobals), or the unmerged targeted "
              "variant (v9-v14: an INVLPGB on the global PCID per page, TLBSYNC deferred)"),
    Param("reclaim_broadcast", True, doc="(bug when False; reclaim='merged') arch_tlbbatch_flush sends IPIs to "
                                         "the batch cpumask, which flush_tlb_func ignores on a global ASID"),
    Param("switch_tlbsync", True, doc="(bug when False; reclaim='targeted') no tlbsync() at the context switch: "
                                      "the task migrates with its INVLPGB unsynced"),
    Param("kernel_flush", False, doc="a vmalloc'd kernel page that an initiator may vunmap and vfree: "
                                     "flush_tlb_kernel_range (INVLPGB with globals, or invlpgb_flush_all for "
                                     "a range flushed whole) and TLBSYNC before the free"),
    Param("kernel_globals", True, doc="(bug when False; kernel_flush) the kernel-range INVLPGB without "
                                      "INVLPGB_FLAG_INCLUDE_GLOBAL"),
    Param("tlbsync_same_cpu", True, doc="(bug when False) the task may migrate between INVLPGB and TLBSYNC"),
    gasid.TRANSITION_FIRST,
    gasid.SWITCH_MB,
    Param("should_flush_switching", True, doc="(bug when False: before fea4e317f9e7, v6.15-rc) should_flush_tlb "
                                              "skips a CPU whose loaded_mm is LOADED_MM_SWITCHING"),
    Param("finish_waits_switching", True, doc="(bug when False) finish_asid_transition does not wait while a "
                                              "CPU's loaded_mm is LOADED_MM_SWITCHING"),
)

PROTOCOL = Protocol("invlpgb", build, PARAMS, __doc__)
