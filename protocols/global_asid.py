"""global_asid — what the two global-ASID families share: protocols/invlpgb.py (AMD INVLPGB) and
protocols/rar.py (Intel RAR).

Both model one mm that may get a process-wide global ASID (v6.15 arch/x86/mm/tlb.c): the same
initiator (MADV_DONTNEED of one page, the IPI path through flush_tlb_multi and csd_lock_wait,
consider_global_asid -> use_global_asid -> mm_assign_global_asid, finish_asid_transition's
mm_clear_asid_transition, tlb_finish_mmu, the refault), the same scheduler (enter_lazy_tlb,
switch_mm_irqs_off in steps, loaded_mm through a one-entry x86-TSO store buffer) and the same
hardware walks and user accesses; with `munmap`, the same munmap, pte_alloc and walk through the
paging-structure caches (protocols/page_tables.py's declarations); with `pti`, the same user PCIDs,
invalidate_user_asid's mark, user-mode walk, return to user and kernel accesses to user memory; with
`allocator`, the same global-ASID allocator (Allocator: the bitmaps, the cursor, the count; use_global_asid at
the edge or not, reset_global_asid_space, allocate_global_asid) and the same other mms B (declare_other_mm), but
for the reset's flush (invlpgb_flush_all_nonglobals + TLBSYNC, or RAR's flush_tlb_all), which each family passes
in. What differs — the broadcast (INVLPGB + TLBSYNC, or a RAR), inc_mm_tlb_gen, flush_tlb_func, leave_lazy and
switch_mm_load_cr3 (choose_new_asid's flush), the generation rule (ctxs[].tlb_gen, or RAR's one bit) — each
family declares itself; where a shared action differs only in a reference text, a guard, a predicate or its
next phase, the family passes that in.

`Mm` holds the variables both declare (each family declares them itself, in its own order and
words) and the helpers over them; the `declare_*` functions declare one action, invariant or cover
each, so that each family keeps its own order of declarations (the order of discovery and so the
traces depend on it). The shared actions use the initiator phases both families name alike: idle,
flush_start, sending, waiting, consider, assign, finish, flushed, freed, done.
"""
from __future__ import annotations

from functools import reduce

from checker.lang import BOOL, Elem, If, IntRange, Mask, ModelError, Param, count, exists, forall, when

TLB_C = "arch/x86/mm/tlb.c"
TLBFLUSH_H = "arch/x86/include/asm/tlbflush.h"
V = "v6.15"
INITIATOR = {"actor": lambda i, *_: i, "fair": "weak"}

# the parameters both families take, in the same words
PAGES = Param("pages", 2, 1, 3, doc="user pages (VAs), each starting on its own frame")
ACTIVE_THRESHOLD = Param("active_threshold", 1, 0, 3, doc="mm_active_cpus_exceeds(mm, N): N (3 in the kernel; the "
                                                          "mm needs more than N active CPUs for a global ASID)")
ASSIGNED_AT_START = Param("assigned_at_start", False, doc="the mm starts just after mm_assign_global_asid: its "
                                                          "global ASID published, asid_transition set, every CPU "
                                                          "still on its dynamic ASID (the first flush is broadcast "
                                                          "and finishes the transition)")
TRANSITION_FIRST = Param("transition_first", True, doc="(bug when False) mm_assign_global_asid publishes "
                                                       "global_asid before asid_transition")
MUNMAP = Param("munmap", False, doc="munmap with free_pgtables as an operation: a PTE-table page detached and freed "
                                    "with the frames, paging-structure caches per CPU and PCID, the flush with "
                                    "freed_tables (the broadcast drops the PCID's paging-structure caches: INVLPGB "
                                    "not final-only, a RAR's INVPCID; IPIs to lazy CPUs too)")
PTI = Param("pti", False, doc="page-table isolation: user mode runs on each PCID's user PCID (kPCID | 2048), filled "
                              "by user-mode walks; a flush of a PCID by the CPU itself only marks its user PCID "
                              "(invalidate_user_asid) for the return to user; broadcast_tlb_flush flushes the "
                              "global ASID's user PCID too")
PTI_USER_BROADCAST = Param("pti_user_broadcast", True, doc="(bug when False; pti) broadcast_tlb_flush flushes the "
                                                           "global ASID's kernel PCID only, not user_pcid(asid)")
ALLOCATOR = Param("allocator", False, doc="the global-ASID allocator with `global_asids` global ASIDs (used/freed "
                                          "bitmaps, cursor, wrap-around reset) shared with another mm B that is "
                                          "given one, caches its translations under it and is destroyed")
GLOBAL_ASIDS = Param("global_asids", 2, 2, 3, doc="(allocator) global ASIDs below MAX_ASID_AVAILABLE: with three, a "
                                                  "B allocates after this mm's allocation, so its bookkeeping is read")
SWITCH_MB = Param("switch_mb", True, doc="(bug when False; memory='tso') switch_mm_irqs_off without the smp_mb() "
                                         "between loaded_mm = SWITCHING and the global_asid read")


def declare_frame(m, Frame, pages, alloc):
    """The owner of each user frame: the mm's pages start on frames 0..pages-1; with the allocator the next
    frame is the first B's and the last one an earlier B's, already freed."""
    owners = ("free", "mm", "gathered", "b", "b_exited") if alloc else ("free", "mm", "gathered")
    return m.array("frame", Frame, m.enum("Owner", *owners),
                   lambda f: "mm" if f < pages else "b" if f == pages else "b_exited",
                   "user frame f: free (the allocator's), the mm's, unmapped and in an mmu_gather batch, "
                   "or (allocator) the live B's, or freed when an earlier B exited (only a later B takes it)")


def declare_pti(m, CPU, PCID, Page, FrameRef):
    """pti=True: each PCID's user PCID as CPU c's TLB holds it, and cpu_tlbstate.user_pcid_flush_mask."""
    tlb_user = m.array("tlb_user", (CPU, PCID, Page), FrameRef, None,
                       "the frame CPU c's TLB maps page p to under PCID s's user PCID (kPCID | 2048: PTI's user "
                       "mode runs on it)")
    user_flush = m.array("user_flush", (CPU, PCID), BOOL, False,
                         "cpu_tlbstate.user_pcid_flush_mask bit of PCID s: its user PCID is flushed at the next "
                         "return to user (SWITCH_TO_USER_CR3)")
    return tlb_user, user_flush


def declare_store_buffer(m, CPU, Loaded):
    """memory="tso": each CPU's cpu_tlbstate.loaded_mm as the others read it, and its one-entry store buffer."""
    lm_mem = m.array("loaded_mm", CPU, Loaded, "mm", "cpu_tlbstate.loaded_mm as other CPUs read it (memory)")
    sb = m.array("sb", CPU, m.enum("Store", "empty", "mm", "other", "switching"), "empty",
                 "CPU c's store buffer: a loaded_mm store not yet in memory")
    return lm_mem, sb


def global_asids(cfg):
    """The number of global ASIDs the allocator has; other than two only with the allocator."""
    if cfg.global_asids != 2 and not cfg.allocator:
        raise ModelError(f"global_asids={cfg.global_asids} without the allocator",
                         "give allocator=True, or leave global_asids at 2")
    return cfg.global_asids


class Allocator:
    """allocator=True (v6.15 arch/x86/mm/tlb.c; broadcast_flush.md §2): mm->context.global_asid as a PCID, the
    allocator's state under global_asid_lock, and the other mm B. The PCIDs after the dynamic slot are the
    global ASIDs TLB_NR_DYN_ASIDS .. MAX_ASID_AVAILABLE - 1 (the bitmaps' search range, `G` of them; the last is
    the reset's edge) and MAX_ASID_AVAILABLE itself, which allocate_global_asid hands out when
    find_next_zero_bit finds no clear bit from the cursor up (v6.15 goes on with it)."""

    def __init__(self, m, CPU, PCID, Frame, pages, G):
        self.m, self.CPU, self.PCID = m, CPU, PCID
        self.GLOB, self.GLOBALS = PCID.members[1], PCID.members[1:]
        self.SEARCH = PCID.members[1:-1]
        self.TOP, self.PAST = self.SEARCH[-1], PCID.members[-1]
        self.B_FRAMES = tuple(Frame.members[pages:])   # B's frames: a new B takes one an earlier B freed
        self.global_asid = m.var("global_asid", Elem(PCID, optional=True), None,
                                 "mm->context.global_asid: none (0) or the global ASID")
        self.b_asid = m.var("b_global_asid", Elem(PCID, optional=True), self.GLOB,
                            "the other mm B's mm->context.global_asid (B was given the first one after boot)")
        self.b_frame = m.var("b_frame", Elem(Frame), self.B_FRAMES[0],
                             "the frame the live (or last) B maps its pages to")
        self.used = m.var("global_asid_used", Mask(PCID), (self.GLOB,), "the global_asid_used bitmap")
        self.freed = m.var("global_asid_freed", Mask(PCID), (), "the global_asid_freed bitmap")
        self.last = m.var("last_global_asid", Elem(PCID), self.GLOB,
                          "the allocator's cursor: the last global ASID handed out (reset: TLB_NR_DYN_ASIDS)")
        self.available = m.var("global_asid_available", IntRange(0, G - 1), G - 2,
                               "global_asid_available (MAX_ASID_AVAILABLE - TLB_NR_DYN_ASIDS - 1 at boot)")
        self.b_stale = None

    def declare_history(self):
        """B's accesses through an earlier B's translation (b_no_stale_access reads it)."""
        self.b_stale = self.m.array("b_stale_access", self.CPU, BOOL, False, history=True)

    def at_edge(self, last):
        """last_global_asid >= MAX_ASID_AVAILABLE - 1: the next allocation resets first."""
        return (last == self.TOP) | (last == self.PAST)

    def cursor_contexts(self, past):
        """The contexts an allocation must be reached in: below the edge (no reset), and at the edge (the
        reset) with the cursor on MAX_ASID_AVAILABLE - 1, and with `past` on MAX_ASID_AVAILABLE too."""
        last = self.last
        edge = {"cursor_at_top": lambda *_: last == self.TOP}
        if past:
            edge["cursor_past_the_end"] = lambda *_: last == self.PAST
        return {"below_edge": lambda *_: ~self.at_edge(last)}, edge

    def free_from(self, used, j):
        """find_next_zero_bit(used, MAX_ASID_AVAILABLE, SEARCH[j]): the first clear bit from the j-th global
        ASID up, else MAX_ASID_AVAILABLE (after the reset, j = 0: TLB_NR_DYN_ASIDS)."""
        return reduce(lambda out, s: If(~used.has(s), s, out), reversed(self.SEARCH[j:]), self.PCID.at(self.PAST))

    def next_free(self, used, last):
        """find_next_zero_bit(global_asid_used, MAX_ASID_AVAILABLE, last_global_asid): the first clear
        bit from the cursor up, else MAX_ASID_AVAILABLE."""
        SEARCH = self.SEARCH
        return reduce(lambda out, j: If(last == SEARCH[j], self.free_from(used, j), out), range(len(SEARCH) - 1),
                      self.free_from(used, -1))

    def b_cached(self, e):
        """TLB entry e maps a B page (the live B's frame or an earlier B's)."""
        return reduce(lambda out, f: out | (e == f), self.B_FRAMES[1:], e == self.B_FRAMES[0])


def assign_store(al, var, asid):
    """One of mm_assign_global_asid's two stores: global_asid takes the allocated ASID (allocator `al`), the
    others (asid_transition, or a boolean global_asid) become true."""
    return var.becomes(asid) if al is not None and var is al.global_asid else var.becomes(True)


class Mm:
    """One build's shared variables (as the family declared them) and the helpers over them."""

    def __init__(self, m, *, k, n, tso, CPU, Page, Frame, PCID, pte, frame, batch, tlb, mode, loaded_asid,
                 mm_cpumask, asid_transition, asid_lock, phase, rnd, in_range, all_mask, scanned, csd,
                 stale_access, global_asid, lm_mem=None, sb=None, tlb_user=None, user_flush=None, al=None):
        self.m, self.k, self.n, self.tso = m, k, n, tso
        self.CPU, self.Page, self.Frame, self.PCID = CPU, Page, Frame, PCID
        self.DYN, self.GLOBALS = PCID.members[0], PCID.members[1:]
        self.EVERY_CPU = CPU.mask(*range(n))
        self.FLUSHERS = CPU.mask(*range(k))
        self.pte, self.frame, self.batch, self.tlb, self.mode = pte, frame, batch, tlb, mode
        self.loaded_asid, self.mm_cpumask = loaded_asid, mm_cpumask
        self.asid_transition, self.asid_lock = asid_transition, asid_lock
        self.phase, self.rnd, self.in_range = phase, rnd, in_range
        self.all_mask, self.scanned, self.csd, self.stale_access = all_mask, scanned, csd, stale_access
        self.lm_mem, self.sb = lm_mem, sb
        self.tlb_user, self.user_flush = tlb_user, user_flush
        self.pti = tlb_user is not None
        self.al = al   # the allocator (allocator=True), else None
        # mm->context.global_asid: a PCID with the allocator, else whether the mm has its one global ASID;
        # a_pcid, that ASID as a PCID value, is only read where has_g holds
        self.global_asid = global_asid
        self.has_g = (global_asid != None) if al is not None else global_asid  # noqa: E711
        self.a_pcid = global_asid if al is not None else self.GLOBALS[0]

    # ------------------------------------------------------------ loaded_mm and its store buffer
    def own_lm(self, c, val):
        """CPU c's own cpu_tlbstate.loaded_mm is `val` (its last store)."""
        mode = self.mode
        return {"mm": (mode[c] == "user") | (mode[c] == "lazy"), "other": mode[c] == "other",
                "switching": (mode[c] == "switching") | (mode[c] == "cr3")}[val]

    def lm_seen(self, i, t, val):
        """CPU i reads CPU t's cpu_tlbstate.loaded_mm as `val` (its own CPU: forwarded from the buffer)."""
        if not self.tso:
            return self.own_lm(t, val)
        return If(t == i, self.own_lm(t, val), self.lm_mem[t] == val)

    def store_lm(self, c, val):
        """A loaded_mm store: into the store buffer under TSO (the mode carries it under SC)."""
        return [self.sb[c].becomes(val)] if self.tso else []

    def sb_free(self, c):
        """The one-entry loaded_mm store buffer can take a store (a full one stalls it until it drains)."""
        return (self.sb[c] == "empty") if self.tso else True

    def active(self, c):
        """mm_active_cpus_exceeds: loaded_mm == mm and not lazy, as the initiator reads it."""
        return (self.mode[c] != "lazy") & (self.own_lm(c, "mm") if not self.tso else self.lm_mem[c] == "mm")

    # ------------------------------------------------------------ initiators and CPUs
    def between_ops(self, c):
        """Initiator c is between operations: none started, its last one's frames freed, or all done."""
        phase = self.phase
        return (phase[c] == "idle") | (phase[c] == "freed") | (phase[c] == "done")

    def preemptible(self, c):
        """The scheduler may switch CPU c only between an initiator's operations: from the zap to
        tlb_finish_mmu (and so inside flush_tlb_mm_range's get_cpu .. put_cpu) its task stays on the CPU
        with the mm loaded; a preemption after the zap or after the flush would only delay its next step,
        which needs the task back on the CPU (on_cpu)."""
        return self.between_ops(c)

    def on_cpu(self, i):
        """Initiator i's task is the one CPU i runs (its mm loaded, not a lazy kthread): it can take its
        next step in the syscall, the fault or the flush."""
        return self.mode[i] == "user"

    def flusher(self, c):
        """CPU c is one of the initiators 0..k-1."""
        return self.FLUSHERS.has(c) if self.k < self.n else True

    def loaded(self, c):
        """CPU c has this mm's page tables loaded (CR3): its task, a lazy kthread, or CR3 already switched."""
        mode = self.mode
        return (mode[c] == "user") | (mode[c] == "lazy") | (mode[c] == "cr3")

    def on_loaded(self, c, f):
        """`f(s)` for the PCID s CPU c has loaded."""
        return reduce(lambda out, s: If(self.loaded_asid[c] == s, f(s), out), self.GLOBALS, f(self.DYN))

    def walks_into(self, c, s, p):
        """A page walk of CPU c may fill page p's entry under PCID s: the mm's tables are loaded, on PCID s,
        and that entry is empty."""
        return self.loaded(c) & (self.loaded_asid[c] == s) & (self.tlb[c, s, p] == None)  # noqa: E711

    def entry(self, c, p):
        """What CPU c's TLB maps page p to under the PCID it has loaded."""
        return self.on_loaded(c, lambda s: self.tlb[c, s, p])

    def entry_under(self, asid, c, p):
        """What CPU c's TLB maps page p to under the global PCID `asid` holds (none while it holds none)."""
        return reduce(lambda out, s: If(asid == s, self.tlb[c, s, p], out), self.GLOBALS, None)

    def glob_entry(self, c, p):
        """What CPU c's TLB maps page p to under the mm's global PCID (none while it has none)."""
        if self.al is None:
            return self.tlb[c, self.GLOBALS[0], p]
        return self.entry_under(self.global_asid, c, p)

    # ------------------------------------------------------------ PTI: the user PCIDs
    def user_entry(self, c, p):
        """The entry a user-mode access of CPU c uses: with PTI, the loaded PCID's user PCID's."""
        return self.on_loaded(c, lambda s: self.tlb_user[c, s, p]) if self.pti else self.entry(c, p)

    def in_user(self, c):
        """CPU c runs the mm's task in user mode: with PTI, on its user PCID with no flush pending (the
        return to user applies a pending one first)."""
        user = (self.mode[c] == "user") & self.preemptible(c)
        return user & ~self.on_loaded(c, lambda s: self.user_flush[c, s]) if self.pti else user

    def invalidate_user(self, c, s, cond):
        """invalidate_user_asid: with PTI, a flush of PCID s by CPU c itself marks its user PCID for the
        return to user."""
        return [self.user_flush[c, s].becomes(self.user_flush[c, s] | cond)] if self.pti else []

    def unmapped_user(self, c, s, p):
        """CPU c's user PCID of s maps page p to a frame its PTE no longer maps (PTI)."""
        e = self.tlb_user[c, s, p]
        return (e != None) & (e != self.pte[p])  # noqa: E711

    def unmapped(self, c, s, p):
        """CPU c's TLB maps page p under PCID s to a frame its PTE no longer maps."""
        tlb = self.tlb
        return (tlb[c, s, p] != None) & (tlb[c, s, p] != self.pte[p])  # noqa: E711

    def stale(self, e, p, reused=()):
        """TLB entry e of page p maps a freed frame, or one the mm maps elsewhere now (or a frame of an owner
        in `reused`: another mm's page)."""
        frame, pte = self.frame, self.pte

        def bad(f):
            freed = (frame[f] == "free") | ((frame[f] == "mm") & (pte[p] != f))
            return reduce(lambda out, owner: out | (frame[f] == owner), reused, freed)
        return exists(self.Frame, lambda f: (e == f) & bad(f))

    def zap(self, i, p, ranged=True):
        """zap_pte_range of page p: the PTE cleared, its frame into initiator i's mmu_gather batch, p the
        flush range (`ranged=False`: no range is recorded, as reclaim's v6.15 batch keeps none)."""
        pte, frame, batch, Frame = self.pte, self.frame, self.batch, self.Frame
        took = {f: pte[p] == f for f in Frame.members}
        return [frame[f].becomes(If(took[f], "gathered", frame[f])) for f in Frame.members] + [
            batch[f].becomes(If(took[f], i, batch[f])) for f in Frame.members] + ([
            self.in_range[i, q].becomes(q == p) for q in self.Page.members] if ranged else []) + [pte[p].becomes(None)]

    def free_batch(self, i):
        """tlb_flush_mmu_free: the frames in initiator i's mmu_gather batch go back to the allocator."""
        frame, batch, Frame = self.frame, self.batch, self.Frame
        mine = {f: (frame[f] == "gathered") & (batch[f] == i) for f in Frame.members}
        return [frame[f].becomes(If(mine[f], "free", frame[f])) for f in Frame.members] + [
            batch[f].becomes(If(mine[f], None, batch[f])) for f in Frame.members]

    def in_flush(self, i):
        """Initiator i is inside its flush: past flush_start (the zap done), not yet flushed (returned)."""
        return ~self.between_ops(i) & (self.phase[i] != "flush_start") & (self.phase[i] != "flushed")

    # ------------------------------------------------------------ the IPI path's targets
    def targeted(self, i, t, switching=True):
        """native_flush_tlb_multi: on_each_cpu_mask (the whole mask) while all_mask is set, else
        on_each_cpu_cond_mask(should_flush_tlb): not lazy, and loaded_mm == mm or LOADED_MM_SWITCHING
        (fea4e317f9e7; `switching` False: before it)."""
        target = self.lm_seen(i, t, "mm") | (self.lm_seen(i, t, "switching") if switching else False)
        return self.mm_cpumask.has(t) & (self.all_mask[i] | ((self.mode[t] != "lazy") & target))

    def may_target(self, i, t):
        """should_flush_tlb with trim_cpumask: a non-lazy CPU of the mask running another mm is IPI'd too."""
        return self.mm_cpumask.has(t) & (self.all_mask[i] | (self.mode[t] != "lazy"))

    def scan(self, i, t):
        """The IPI scan has handled CPU t: on to csd_lock_wait once every CPU is."""
        done = self.scanned[i].with_(t)
        return [self.scanned[i].becomes(done), self.phase[i].becomes(If(done == self.EVERY_CPU, "waiting", "sending"))]


# ------------------------------------------------------------ the initiators
def declare_madvise_dontneed(g, also=lambda i: []):
    """MADV_DONTNEED zaps one PTE into the initiator's mmu_gather batch (`also`: the family's own updates)."""
    pte = g.pte

    @g.m.action(g.CPU, g.Page, **INITIATOR, ref="mm/madvise.c: madvise_dontneed_single_vma -> zap_page_range_single "
                                              f"-> mm/memory.c: zap_pte_range, one page ({V})")
    def madvise_dontneed(i, p):
        return when(g.flusher(i) & (g.phase[i] == "idle") & g.on_cpu(i) & (pte[p] != None),  # noqa: E711
                    g.zap(i, p), g.phase[i].becomes("flush_start"), also(i))


def declare_munmap(g, pt, rounds):
    """munmap with free_pgtables (`pt`: the family's page tables), and with `rounds` > 1 the next fault's
    pte_alloc."""
    pte, frame, batch, phase, Page, Frame, PTable = g.pte, g.frame, g.batch, g.phase, g.Page, g.Frame, pt.PTable

    @g.m.action(g.CPU, **INITIATOR, ref="mm/mmap.c: __do_munmap -> unmap_region: unmap_vmas -> zap_pte_range; "
                                      "free_pgtables -> free_pte_range: pmd_clear, pte_free_tlb "
                                      "(tlb->freed_tables = 1); the flush: flush_tlb_mm_range(..., freed_tables) "
                                      f"({V})")
    def munmap(i):
        """munmap of the whole mapping: every PTE cleared and its frame gathered, the PTE-table page
        detached from the PMD into the same batch; the flush covers the VMA and says freed_tables."""
        present = {p: pte[p] != None for p in Page.members}  # noqa: E711
        took = {f: exists(Page, lambda q: pte[q] == f) for f in Frame.members}
        return when(g.flusher(i) & (phase[i] == "idle") & g.on_cpu(i) & (pt.pmd != None),  # noqa: E711
                    [frame[f].becomes(If(took[f], "gathered", frame[f])) for f in Frame.members],
                    [batch[f].becomes(If(took[f], i, batch[f])) for f in Frame.members],
                    [pte[p].becomes(If(present[p], None, pte[p])) for p in Page.members],
                    [g.in_range[i, q].becomes(True) for q in Page.members],
                    pt.pmd.becomes(None), pt.freed_tables[i].becomes(True),
                    [pt.ptable[t].becomes(If(pt.pmd == t, "gathered", pt.ptable[t])) for t in PTable.members],
                    [pt.table_batch[t].becomes(If(pt.pmd == t, i, pt.table_batch[t])) for t in PTable.members],
                    phase[i].becomes("flush_start"))

    if rounds > 1:
        @g.m.action(g.CPU, PTable, **INITIATOR, ref="mm/memory.c: handle_mm_fault -> __handle_mm_fault -> "
                                                  f"pte_alloc -> __pte_alloc: pmd_populate ({V})",
                    contexts={"task_freed": lambda i, t: (phase[i] == "freed") & g.on_cpu(i)})
        def pte_alloc(i, t):
            """The fault after a munmap (a new mapping at the same address) allocates a PTE-table page,
            perhaps the one just freed, and puts it in the PMD."""
            return when((phase[i] == "freed") & g.on_cpu(i) & (pt.pmd == None)  # noqa: E711
                        & (pt.ptable[t] == "free"), pt.pmd.becomes(t), pt.ptable[t].becomes("mm"))


def declare_ipis(g, switching=True, bcast=None):
    """flush_tlb_multi's scan of mm_cpumask: an IPI (csd queued) or a skip per CPU; `bcast` (the family's
    broadcast flag), where the mm may be in its ASID transition: finish_asid_transition's IPIs go to the
    whole mask and must reach lazy CPUs too (a context of ipi_send)."""
    phase, scanned, csd = g.phase, g.scanned, g.csd
    lazy = {} if bcast is None else {
        "lazy_in_transition": lambda i, t: bcast[i] & g.all_mask[i] & (g.mode[t] == "lazy")}

    @g.m.action(g.CPU, g.CPU, actor=lambda i, t: i, fair="strong", contexts=lazy,
                ref=f"kernel/smp.c: smp_call_function_many_cond: csd_lock, llist_add, send the IPI; the local "
                    f"CPU runs flush_tlb_func itself ({TLB_C}: native_flush_tlb_multi, {V})")
    def ipi_send(i, t):
        return when((phase[i] == "sending") & ~scanned[i].has(t) & g.may_target(i, t) & ~csd[i, t],
                    csd[i, t].becomes(True), g.scan(i, t))

    @g.m.action(g.CPU, g.CPU, actor=lambda i, t: i, fair="strong",
                ref=f"{TLB_C}: native_flush_tlb_multi -> should_flush_tlb: not in mm_cpumask, lazy, or "
                    f"another loaded_mm ({V})")
    def ipi_skip(i, t):
        return when((phase[i] == "sending") & ~scanned[i].has(t) & ~g.targeted(i, t, switching), g.scan(i, t))


def declare_csd_lock_wait(g, after):
    """Every csd of the scan unlocked: on to `after(i)`, the phase the family takes next."""
    @g.m.action(g.CPU, **INITIATOR, ref=f"kernel/smp.c: smp_call_function_many_cond: csd_lock_wait for each "
                                        f"target ({V})")
    def csd_lock_wait(i):
        return when((g.phase[i] == "waiting") & forall(g.CPU, lambda t: ~g.csd[i, t]), g.phase[i].becomes(after(i)))


def publish_order(cfg, asid_transition, global_asid):
    """mm_assign_global_asid's two stores in program order (`transition_first`: the kernel's), and its words."""
    first, second = (asid_transition, global_asid) if cfg.transition_first else (global_asid, asid_transition)
    ref = ("asid_transition = true, then smp_store_release(global_asid)" if cfg.transition_first
           else "smp_store_release(global_asid) before asid_transition = true (order swapped)")
    return first, second, ref


def declare_use_global_asid(g, cfg, has_g, first, ref, reset=None):
    """consider_global_asid -> use_global_asid: enough active CPUs, no global ASID yet, none in transition:
    take global_asid_lock and make the first store. With the allocator (`reset(i)`: the reset's flush, the
    family's updates) it also checks global_asid_available, and goes on to allocate_global_asid: two
    actions, as the cursor is at the edge (reset_global_asid_space first, which starts the flush) or not."""
    def enough():
        return count(g.CPU, g.active) > cfg.active_threshold

    def start(i):
        return (g.phase[i] == "consider") & (g.asid_lock == None) & ~has_g & ~g.asid_transition & enough()  # noqa: E711

    def use(name, guard, ref, updates, cursor=None):
        g.m.action(g.CPU, **INITIATOR, ref=ref, name=name,
                   contexts={"enough_active": lambda i: enough()} | (cursor or {}))(
            lambda i: when(start(i) if guard is None else start(i) & guard(i), *updates(i)))

    if reset is None:
        use("use_global_asid", None, ref,
            lambda i: [first.becomes(True), g.asid_lock.becomes(i), g.phase[i].becomes("assign")])
        return
    al = g.al
    below, edge = al.cursor_contexts(past=False)   # it allocates once; the cursor passes the top only after
    use("use_global_asid", lambda i: (al.available != 0) & ~al.at_edge(al.last),
        f"{ref}; allocate_global_asid: last_global_asid < MAX_ASID_AVAILABLE - 1",
        lambda i: [g.asid_lock.becomes(i), g.phase[i].becomes("claim")], below)
    use("use_global_asid_reset", lambda i: (al.available != 0) & al.at_edge(al.last),
        f"{ref}; allocate_global_asid: last_global_asid >= MAX_ASID_AVAILABLE - 1: reset_global_asid_space, "
        f"which starts its flush", lambda i: [g.asid_lock.becomes(i), g.phase[i].becomes("reset_sync"), reset(i)],
        edge)


def declare_mm_assign_publish(g, publish):
    """mm_assign_global_asid's second store (`publish`, its update) and the unlock."""
    @g.m.action(g.CPU, **INITIATOR, ref=f"{TLBFLUSH_H}: mm_assign_global_asid, its second store; "
                                        f"raw_spin_unlock(global_asid_lock) ({V})")
    def mm_assign_publish(i):
        return when(g.phase[i] == "assign", publish, g.asid_lock.becomes(None), g.phase[i].becomes("flushed"))


def declare_consider_global_asid_skip(g, gate):
    """consider_global_asid gives no global ASID (`gate`: the family's reasons, in the kernel's words)."""
    @g.m.action(g.CPU, **INITIATOR, ref=f"{TLB_C}: consider_global_asid: {gate}, or too few active CPUs; "
                                        f"use_global_asid: the mm already has one ({V})")
    def consider_global_asid_skip(i):
        return when(g.phase[i] == "consider", g.phase[i].becomes("flushed"))


# ------------------------------------------------------------ the global-ASID allocator (allocator=True)
def declare_reset_global_asid_space(g, ref, synced, also=lambda i: []):
    """reset_global_asid_space once its flush is done everywhere (`synced(i)`: the family's wait; `also`: its
    own updates): the freed ASIDs back into the pool, the cursor to the start."""
    al, phase = g.al, g.phase

    @g.m.action(g.CPU, **INITIATOR, ref=ref)
    def reset_global_asid_space(i):
        return when((phase[i] == "reset_sync") & synced(i),
                    al.used.becomes(al.used & ~al.freed), al.freed.becomes(g.PCID.empty()),
                    al.last.becomes(al.GLOB), also(i), phase[i].becomes("claim"))


def declare_allocate_global_asid(g, first, cite=V):
    """allocate_global_asid, with mm_assign_global_asid's first store (`first`); `cite`: the version."""
    al = g.al

    @g.m.action(g.CPU, **INITIATOR, ref=f"{TLB_C}: allocate_global_asid: find_next_zero_bit from "
                                        f"last_global_asid, __set_bit(asid, global_asid_used), last_global_asid "
                                        f"= asid, global_asid_available--; mm_assign_global_asid: its first "
                                        f"store ({cite}, {TLBFLUSH_H})")
    def allocate_global_asid(i):
        new = al.next_free(al.used, al.last)
        return when(g.phase[i] == "claim", al.used.becomes(al.used.with_(new)),
                    al.last.becomes(new), al.available.becomes(al.available - 1), assign_store(al, first, new),
                    g.phase[i].becomes("assign"))


def declare_other_mm(g, reset_flushes, reset_flush, freed_bitmap=True, cite=V):
    """The other mm B: a new B given the next global ASID in one step under global_asid_lock (two actions, as
    the cursor is at the edge or not; at the edge the reset's flush, `reset_flush` in the family's words, is
    applied at once: every PCID of every TLB), B's page walk and access through its global PCID, and B's exit
    (mm_free_global_asid: the freed bit, or with `freed_bitmap` False the used bit cleared at once; no flush);
    `cite`: the version."""
    al, tlb, frame, asid_lock, CPU, PCID, Page = g.al, g.tlb, g.frame, g.asid_lock, g.CPU, g.PCID, g.Page
    b_asid, b_frame, used, freed, last, available = al.b_asid, al.b_frame, al.used, al.freed, al.last, al.available

    def b_allocate(f, edge, in_use, new, also):
        """A new B on frame f takes `new` (find_next_zero_bit over `in_use`) under global_asid_lock; `edge`: the
        cursor test this branch is taken on; `also`: the branch's own updates."""
        return when((asid_lock == None) & (b_asid == None) & (available != 0)  # noqa: E711
                    & (frame[f] == "b_exited") & edge,
                    b_asid.becomes(new), used.becomes(in_use.with_(new)), last.becomes(new),
                    available.becomes(available - 1), b_frame.becomes(f), frame[f].becomes("b"), also)

    fork_ref = ("kernel/fork.c: a new mm B, its page on frame f (one an earlier B freed); B's flush_tlb_mm_range "
                "-> consider_global_asid -> use_global_asid -> allocate_global_asid, under global_asid_lock in "
                "one step")

    below, edge = al.cursor_contexts(past=len(al.SEARCH) > 2)   # as cover asid_past_the_end

    @g.m.action(g.Frame, environment=True, contexts=below,
                ref=f"{fork_ref}: last_global_asid < MAX_ASID_AVAILABLE - 1, no reset ({cite})")
    def b_use_global_asid(f):
        return b_allocate(f, ~al.at_edge(last), used, al.next_free(used, last), [])

    wipe_ref = f"its {reset_flush}, done at once" if reset_flushes else "its flush removed"

    @g.m.action(g.Frame, environment=True, contexts=edge,
                ref=f"{fork_ref}: at the edge, reset_global_asid_space first ({wipe_ref}; used &= ~freed, freed "
                    f"cleared, the search from TLB_NR_DYN_ASIDS) ({cite})")
    def b_use_global_asid_reset(f):
        wipe = [tlb[c, s, p].becomes(None) for c in CPU.members for s in PCID.members for p in Page.members]
        in_use = used & ~freed
        return b_allocate(f, al.at_edge(last), in_use, al.free_from(in_use, 0),
                          [freed.becomes(PCID.empty())] + (wipe if reset_flushes else []))

    @g.m.action(CPU, PCID, Page, environment=True, ref="hardware page walk while CPU c runs the other mm B on "
                                                       "its global PCID s: B's translation of page p (B's frame)",
                contexts={"b_running": lambda c, *_: g.mode[c] == "other"})
    def b_tlb_fill(c, s, p):
        return when((g.mode[c] == "other") & (b_asid == s),
                    tlb[c, s, p].becomes(If(tlb[c, s, p] == None, b_frame, tlb[c, s, p])))  # noqa: E711

    @g.m.action(CPU, Page, environment=True, ref="a user access of the other mm B through its global PCID")
    def b_access(c, p):
        e = g.entry_under(b_asid, c, p)
        return when((g.mode[c] == "other") & (b_asid != None) & (e != None),  # noqa: E711
                    al.b_stale[c].becomes(al.b_stale[c] | (e != b_frame)))

    free_ref = ("__set_bit(global_asid, global_asid_freed)" if freed_bitmap
                else "__clear_bit(global_asid, global_asid_used) (the freed bitmap skipped)")

    @g.m.action(environment=True, ref=f"kernel/fork.c: B exits (exit_mmap frees its page), then __mmdrop -> "
                                      f"destroy_context -> {TLB_C}: mm_free_global_asid for B: {free_ref}, "
                                      f"global_asid = 0, global_asid_available++; no flush ({cite})")
    def b_destroy_context():
        def of_b(bits, f):
            return reduce(lambda out, s: If(b_asid == s, f(bits, s), out), al.GLOBALS[1:], f(bits, al.GLOB))
        if freed_bitmap:
            upd = freed.becomes(of_b(freed, lambda bits, s: bits.with_(s)))
        else:
            upd = used.becomes(of_b(used, lambda bits, s: bits.without(s)))
        return when((asid_lock == None) & (b_asid != None), upd, b_asid.becomes(None),  # noqa: E711
                    available.becomes(available + 1),
                    [frame[f].becomes(If(b_frame == f, "b_exited", frame[f])) for f in al.B_FRAMES])


def declare_finish_asid_transition_cpu(g, ref, off_global, wait_switching=True):
    """finish_asid_transition's scan of mm_cpumask, one CPU a step: a CPU running the mm off its global ASID
    (`off_global(t)`) sends the initiator back to flush_tlb_multi over the whole mask; `wait_switching`:
    it spins while the CPU's loaded_mm is LOADED_MM_SWITCHING."""
    phase, scanned, lm_seen = g.phase, g.scanned, g.lm_seen

    @g.m.action(g.CPU, g.CPU, actor=lambda i, t: i, fair="strong", ref=ref)
    def finish_asid_transition_cpu(i, t):
        wait = ~lm_seen(i, t, "switching") if wait_switching else True
        behind = g.mm_cpumask.has(t) & lm_seen(i, t, "mm") & off_global(t)
        return when((phase[i] == "finish") & ~scanned[i].has(t) & wait,
                    scanned[i].becomes(If(behind, g.CPU.empty(), scanned[i].with_(t))),
                    g.all_mask[i].becomes(behind),
                    phase[i].becomes(If(behind, "sending", "finish")))


def declare_mm_clear_asid_transition(g, after):
    """finish_asid_transition found every CPU on the global ASID: on to `after` (TLBSYNC, or the free)."""
    @g.m.action(g.CPU, **INITIATOR, ref=f"{TLB_C}: finish_asid_transition: every CPU running the mm is on the "
                                        f"global ASID: mm_clear_asid_transition ({V})")
    def mm_clear_asid_transition(i):
        return when((g.phase[i] == "finish") & (g.scanned[i] == g.EVERY_CPU), g.asid_transition.becomes(False),
                    g.phase[i].becomes(after))


def declare_do_anonymous_page(g, on_cpu, table=True):
    """The refault of the next operation: a free frame mapped (`on_cpu`: the guard asks for the task on its
    CPU; `table`: a PTE-table page is in the PMD)."""
    pte, frame, phase = g.pte, g.frame, g.phase

    @g.m.action(g.CPU, g.Page, g.Frame, **INITIATOR, ref="mm/memory.c: handle_mm_fault -> do_anonymous_page: "
                                                         f"alloc_zeroed_user_highpage, set_pte_at ({V})")
    def do_anonymous_page(i, p, f):
        ready = phase[i] == "freed"
        if on_cpu:
            ready = ready & g.on_cpu(i)
        if table is not True:
            ready = ready & table
        return when(ready & (pte[p] == None) & (frame[f] == "free"),  # noqa: E711
                    pte[p].becomes(f), frame[f].becomes("mm"), phase[i].becomes("idle"),
                    g.rnd[i].becomes(g.rnd[i] + 1))


# ------------------------------------------------------------ context switches (the scheduler's)
def declare_enter_lazy_tlb(g):
    mode = g.mode

    @g.m.action(g.CPU, environment=True, ref=f"{TLB_C}: enter_lazy_tlb: CR3 and the mm_cpumask bit kept ({V})")
    def enter_lazy_tlb(c):
        return when(g.preemptible(c) & (mode[c] == "user"), mode[c].becomes("lazy"))


def between_phases(rounds):
    """The initiator phases between operations (`rounds` > 1: after a free too)."""
    return ("idle", "freed", "done") if rounds > 1 else ("idle", "done")


def between_contexts(g, mode, label, rounds):
    """Context covers: CPU c in `mode` at each point between its initiator's operations (`label`_PHASE)."""
    return {f"{label}_{ph}": (lambda ph: lambda c: (g.mode[c] == mode) & (g.phase[c] == ph))(ph)
            for ph in between_phases(rounds)}


def declare_switch_mm_out_begin(g, rounds):
    """switch_mm_irqs_off away from the mm (one step), and the first step back: loaded_mm = SWITCHING,
    taken from another mm at each point between an initiator's operations."""
    mode, phase = g.mode, g.phase
    between = between_phases(rounds)

    @g.m.action(g.CPU, environment=True, ref=f"{TLB_C}: switch_mm_irqs_off, prev != next: load the other mm's "
                                             f"CR3, loaded_mm = next; this mm's bit and PCIDs kept ({V})")
    def switch_mm_out(c):
        return when(g.preemptible(c) & ((mode[c] == "user") | (mode[c] == "lazy")) & g.sb_free(c),
                    mode[c].becomes("other"), g.store_lm(c, "other"))

    @g.m.action(g.CPU, environment=True, ref=f"{TLB_C}: switch_mm_irqs_off, prev != next: "
                                             f"this_cpu_write(loaded_mm, LOADED_MM_SWITCHING) ({V})",
                contexts={f"other_{ph}": (lambda ph: lambda c: (mode[c] == "other") & (phase[c] == ph))(ph)
                          for ph in between})
    def switch_mm_begin(c):
        return when(g.preemptible(c) & (mode[c] == "other") & g.sb_free(c), mode[c].becomes("switching"),
                    g.store_lm(c, "switching"))


def declare_switch_mm_done(g):
    mode = g.mode

    @g.m.action(g.CPU, fair="strong", ref=f"{TLB_C}: switch_mm_irqs_off: barrier(); this_cpu_write(loaded_mm, "
                                          f"next), loaded_mm_asid; IRQs back on ({V})")
    def switch_mm_done(c):
        return when((mode[c] == "cr3") & g.sb_free(c), mode[c].becomes("user"), g.store_lm(c, "mm"))


def declare_store_buffer_drain(g, ref):
    """Under TSO: CPU c's buffered loaded_mm store reaches memory."""
    sb, lm_mem = g.sb, g.lm_mem

    @g.m.action(g.CPU, fair="strong", ref=ref)
    def store_buffer_drain(c):
        return when(sb[c] != "empty", sb[c].becomes("empty"),
                    lm_mem[c].becomes(If(sb[c] == "mm", "mm", If(sb[c] == "other", "other", "switching"))))


# ------------------------------------------------------------ the hardware: walks and accesses
def walk_contexts(g):
    """Where the page walk must happen (its context covers): running the mm, lazy, CR3 just loaded."""
    return {md: (lambda md: lambda c, *_: g.mode[c] == md)(md) for md in ("user", "lazy", "cr3")}


def declare_tlb_fill(g, manual):
    """The page walk (`manual`: the vendor's manual) fills the TLB under the loaded PCID s: which PCID is a
    guard, so a mutant that files under another one is the hardware widened (reported apart)."""
    tlb, pte = g.tlb, g.pte

    @g.m.action(g.CPU, g.PCID, g.Page, environment=True, ref=f"hardware page walk ({manual}): fills the TLB "
                                                              "under the loaded PCID, speculatively too, on a lazy "
                                                              "CPU too",
                contexts=walk_contexts(g))
    def tlb_fill(c, s, p):
        return when(g.walks_into(c, s, p) & (pte[p] != None), tlb[c, s, p].becomes(pte[p]))  # noqa: E711


def declare_table_walk(g, pt, manual):
    """munmap: the page walk (`manual`: the vendor's manual) under the loaded PCID s starts at that PCID's
    paging-structure cache if it holds a PTE table (tlb_fill_cached), else at the PMD (tlb_fill); one that
    reads a freed table is recorded. Two actions, so that each walk's table is computed once."""
    tlb, pte, psc = g.tlb, g.pte, pt.psc

    def walks(c, s, p, table):
        return (g.walks_into(c, s, p) & (table != None),  # noqa: E711
                pt.freed_table_walk[c].becomes(pt.freed_table_walk[c] | exists(
                    pt.PTable, lambda t: (table == t) & (pt.ptable[t] == "free"))))

    @g.m.action(g.CPU, g.PCID, g.Page, environment=True,
                ref=f"hardware page walk ({manual}) from the PMD, the loaded PCID's paging-structure cache holding "
                    f"no PTE table: caches the table, fills the TLB; speculatively too, on a lazy CPU too",
                contexts=walk_contexts(g))
    def tlb_fill(c, s, p):
        guard, flag = walks(c, s, p, pt.pmd)
        return when(guard & (psc[c, s] == None), flag, psc[c, s].becomes(pt.pmd),  # noqa: E711
                    tlb[c, s, p].becomes(pte[p]))

    @g.m.action(g.CPU, g.PCID, g.Page, environment=True,
                ref=f"hardware page walk ({manual}) from the PTE table the loaded PCID's paging-structure cache "
                    f"holds: a table detached since (munmap) yields no translation")
    def tlb_fill_cached(c, s, p):
        guard, flag = walks(c, s, p, psc[c, s])
        return when(guard, flag, tlb[c, s, p].becomes(If(psc[c, s] == pt.pmd, pte[p], None)))


def declare_user_access(g, reused=()):
    """A user access through the TLB, flagged when its entry is stale (see Mm.stale)."""
    stale_access = g.stale_access

    @g.m.action(g.CPU, g.Page, environment=True, ref="user-mode load/store through the TLB (PTI: the user PCID)")
    def user_access(c, p):
        e = g.user_entry(c, p)
        return when(g.in_user(c) & (e != None),  # noqa: E711
                    stale_access[c, p].becomes(stale_access[c, p] | g.stale(e, p, reused)))


def declare_kernel_uaccess(g):
    """PTI: the task in a syscall reads or writes user memory (copy_from_user, get_user) through the kernel
    PCID's entry: the kernel PCID's translations of user pages are used too, flagged when stale."""
    stale_access = g.stale_access

    @g.m.action(g.CPU, g.Page, environment=True, ref="arch/x86/lib/copy_user_64.S, getuser.S: a kernel access to "
                                                      "user memory in the task's syscall, under the kernel PCID")
    def kernel_uaccess(c, p):
        e = g.entry(c, p)
        return when((g.mode[c] == "user") & g.preemptible(c) & (e != None),  # noqa: E711
                    stale_access[c, p].becomes(stale_access[c, p] | g.stale(e, p)))


def declare_pti_user(g, manual, rounds):
    """PTI: the user-mode page walk fills the loaded PCID's user PCID (`manual`: the vendor's manual), and
    the return to user applies the user PCID's pending flush (in task context, at each point between an
    initiator's operations)."""
    tlb_user, user_flush, loaded_asid, pte = g.tlb_user, g.user_flush, g.loaded_asid, g.pte

    @g.m.action(g.CPU, g.PCID, g.Page, environment=True, ref=f"hardware page walk in user mode ({manual}): fills "
                                                              "the TLB under the loaded user PCID",
                contexts={"user_mode": lambda c, *_: g.in_user(c)})
    def tlb_fill_user(c, s, p):
        return when(g.in_user(c) & (loaded_asid[c] == s) & (tlb_user[c, s, p] == None)  # noqa: E711
                    & (pte[p] != None), tlb_user[c, s, p].becomes(pte[p]))  # noqa: E711

    @g.m.action(g.CPU, environment=True, fair="weak",
                ref="arch/x86/entry/calling.h: SWITCH_TO_USER_CR3: if the PCID's bit in user_pcid_flush_mask is "
                    "set, clear it and load the user CR3 without NOFLUSH (v4.15+)",
                contexts=between_contexts(g, "user", "task", rounds))
    def return_to_user(c):
        pending = lambda s: (loaded_asid[c] == s) & user_flush[c, s]  # noqa: E731
        return when((g.mode[c] == "user") & g.preemptible(c) & g.on_loaded(c, lambda s: user_flush[c, s]),
                    [tlb_user[c, s, p].becomes(If(pending(s), None, tlb_user[c, s, p]))
                     for s in g.PCID.members for p in g.Page.members],
                    [user_flush[c, s].becomes(If(pending(s), False, user_flush[c, s])) for s in g.PCID.members])


# ------------------------------------------------------------ properties both families state
def invariant_no_stale_access(g, why):
    """S1 (`why`: how the family's flush makes it hold), checked where some TLB entry is out of date."""
    g.m.invariant("no_stale_access", forall(g.CPU, g.Page, lambda c, p: ~g.stale_access[c, p]),
                  "no user access goes through a TLB entry whose frame was freed or reused",
                  f"S1: flush_tlb_mm_range returns only when no CPU can use the old PTE; {why}",
                  precondition=exists(g.CPU, g.PCID, g.Page, lambda c, s, p: g.unmapped(c, s, p) | (
                      g.unmapped_user(c, s, p) if g.pti else False)))


def invariant_gathered_in_batch(g, ref):
    """A frame is in an mmu_gather batch exactly while it is unmapped and not yet freed."""
    g.m.invariant("gathered_in_batch", forall(g.Frame, lambda f: (g.frame[f] == "gathered") == (g.batch[f] != None)),  # noqa: E711
                  "a frame is in an mmu_gather batch exactly while it is unmapped and not yet freed",
                  f"mm/mmu_gather.c: __tlb_remove_page .. tlb_flush_mmu_free ({ref})")


def invariant_asid_lock_held(g, phases, ref):
    """global_asid_lock is held exactly while an initiator is in one of `phases` (use_global_asid's)."""
    g.m.invariant("asid_lock_in_assign", forall(g.CPU, lambda i: (g.asid_lock == i) == reduce(
        lambda a, b: a | b, [g.phase[i] == ph for ph in phases])),
                  "global_asid_lock is held exactly while use_global_asid allocates and publishes the global ASID",
                  f"arch/x86/mm/tlb.c: use_global_asid: guard(raw_spinlock)(&global_asid_lock) ({ref})")


def cover_global_asid_assigned(g, has_g):
    g.m.cover("global_asid_assigned", has_g,
              "flush_tlb_mm_range's IPI path gave the mm a global ASID",
              f"{TLB_C}: consider_global_asid -> use_global_asid ({V})")


def cover_dynamic_asid_in_transition(g, has_g, flush):
    """`flush`: the family's broadcast flush on the global PCID, which a dynamic ASID is out of reach of."""
    mode, loaded_asid, tlb, DYN = g.mode, g.loaded_asid, g.tlb, g.DYN
    g.m.cover("dynamic_asid_in_transition", has_g & g.asid_transition & exists(
        g.CPU, lambda c: (mode[c] == "user") & (loaded_asid[c] == DYN) & exists(
            g.Page, lambda p: tlb[c, DYN, p] != None)),  # noqa: E711
              "the mm has a global ASID while a CPU still runs it on a dynamic ASID with cached entries: "
              f"{flush} does not reach them",
              f"{TLB_C}: finish_asid_transition ({V})")


def cover_transition_finished(g, has_g):
    g.m.cover("transition_finished", has_g & ~g.asid_transition,
              "every CPU running the mm is on its global ASID: asid_transition cleared",
              f"{TLB_C}: finish_asid_transition -> mm_clear_asid_transition ({V})")


def cover_transition_ipi(g, bcast):
    g.m.cover("transition_ipi", exists(g.CPU, lambda i: bcast[i] & (g.phase[i] == "sending")),
              "finish_asid_transition found a CPU on a dynamic ASID and IPIs the whole mm_cpumask",
              f"{TLB_C}: finish_asid_transition -> flush_tlb_multi ({V})")


def cover_frame_freed_while_cached(g):
    g.m.cover("frame_freed_while_cached", exists(g.CPU, g.PCID, g.Page, lambda c, s, p: exists(
        g.Frame, lambda f: (g.tlb[c, s, p] == f) & (g.frame[f] == "free"))),
              "a frame was freed while a CPU's TLB still maps it (a PCID the CPU must flush before using it)",
              f"mm/mmu_gather.c: tlb_finish_mmu ({V})")


def cover_user_pcid_flush_deferred(g):
    """PTI: a flush the CPU made of its dynamic slot waits, for the user PCID, for the return to user."""
    g.m.cover("user_pcid_flush_deferred", exists(g.CPU, g.Page, lambda c, p: g.user_flush[c, g.DYN]
                                                 & g.unmapped_user(c, g.DYN, p)),
              "a dynamic ASID's user PCID still holds a translation the PTE no longer has, its flush deferred to "
              "the return to user", f"{TLB_C}: invalidate_user_asid ({V})")


def leads_to_user_pcid_flush_applied(g):
    """PTI: a user PCID flush CPU 0 deferred is applied: the return to user does not stay pending for ever."""
    pending_0 = (g.mode[0] == "user") & g.on_loaded(0, lambda s: g.user_flush[0, s])
    g.m.leads_to("user_pcid_flush_applied", pending_0, ~pending_0,
                 "a CPU whose user PCID a flush marked applies that flush when it returns to user mode (or leaves "
                 "the mm): it does not stay in the kernel for ever",
                 "arch/x86/entry/calling.h: SWITCH_TO_USER_CR3: user_pcid_flush_mask tested and cleared on every "
                 "return to user (v4.15+)")


def munmap_properties(g, pt, has_g, rounds, freed_ref, reaches):
    """munmap's invariants (`freed_ref`: why no walk reads a freed table) and covers; `reaches`, the family's
    cover that its broadcast is in flight to a CPU caching the detached table, is declared in between."""
    m, PTable = g.m, pt.PTable
    pt.invariant_no_freed_table_walk(m, g.CPU, g.PCID, freed_ref)
    pt.invariant_table_batch(m, f"mm/mmu_gather.c: pte_free_tlb .. tlb_table_flush ({V})")
    m.invariant("table_in_pmd", forall(PTable, lambda t: (pt.ptable[t] == "mm") == (pt.pmd == t)),
                "the mm owns exactly the PTE-table page its PMD points to (no table leaked or mapped twice)",
                f"kernel/fork.c: check_mm: mm_pgtables_bytes ({V})")
    reaches()
    if rounds > 1:
        m.cover("refault_after_munmap", exists(g.Page, lambda p: g.pte[p] != None) & (pt.pmd == PTable.members[1]),  # noqa: E711
                "after a munmap the next operation faulted its page in again, on a new PTE-table page that "
                "pte_alloc put in the PMD", f"mm/memory.c: __pte_alloc, do_anonymous_page ({V})")
    m.cover("lazy_dynamic_asid_caches_detached_table", exists(g.CPU, lambda c: (g.mode[c] == "lazy")
                                                              & (g.loaded_asid[c] == g.DYN) & has_g
                                                              & pt.detached(pt.psc[c, g.DYN])),
            "a lazy CPU still on its dynamic ASID caches the detached PTE table while the mm has its global "
            "ASID: the broadcast does not reach it, the transition's IPIs to the whole mask do",
            f"{TLB_C}: native_flush_tlb_multi: freed_tables || mm_in_asid_transition ({V})")


def allocator_invariants(g, cite=V):
    """The allocator's invariants (`cite`: the version): no access of a later B through an earlier B's
    translation, B's frame accounted, no global ASID held twice."""
    al, m, CPU, tlb, frame = g.al, g.m, g.CPU, g.tlb, g.frame
    b_asid, b_frame, global_asid = al.b_asid, al.b_frame, al.global_asid
    m.invariant("b_no_stale_access", forall(CPU, lambda c: ~al.b_stale[c]),
                "no access of the other mm B goes through an earlier B's translation cached under the global "
                "ASID B was given", f"{TLB_C}: reset_global_asid_space flushes before a freed ASID is reused "
                                    f"({cite})",
                precondition=exists(CPU, g.PCID, g.Page, lambda c, s, p: exists(
                    g.Frame, lambda f: (tlb[c, s, p] == f) & (frame[f] == "b_exited"))))
    m.invariant("b_frame_owned", forall(g.Frame, lambda f: (frame[f] == "b") == ((b_asid != None) & (b_frame == f))),  # noqa: E711
                "a frame is B's exactly while a live B maps its page to it: B's exit frees it, a new B takes "
                "one an earlier B freed", f"kernel/fork.c: exit_mmap before __mmdrop ({V})")
    m.invariant("global_asid_unshared", ~((global_asid != None) & (global_asid == b_asid)),  # noqa: E711
                "no two live mms hold the same global ASID",
                f"{TLB_C}: allocate_global_asid claims a bit clear in global_asid_used ({cite})")
    in_use = count(g.PCID, lambda s: al.used.has(s) & ~al.freed.has(s))
    m.invariant("global_asid_available_counts", al.available + in_use == len(al.SEARCH) - 1,
                "global_asid_available counts the global ASIDs not in use (used and not freed, "
                "MAX_ASID_AVAILABLE included when it was handed out)",
                f"{TLB_C}: allocate_global_asid (global_asid_available--), mm_free_global_asid "
                f"(global_asid_available++ with the freed bit), reset_global_asid_space (used &= ~freed) "
                f"({cite})")


def allocator_covers(g, reset_flush, cite=V):
    """What the allocator exists for (`reset_flush`: the reset's flush in the family's words; `cite`: the
    version): the reset with B's translations to remove, B's translations under each global ASID and under
    a freed one, a freed ASID reused, the cursor at the edge, and (three global ASIDs) MAX_ASID_AVAILABLE."""
    al, m, CPU, PCID, Page, tlb, phase = g.al, g.m, g.CPU, g.PCID, g.Page, g.tlb, g.phase
    b_asid, global_asid = al.b_asid, al.global_asid
    m.cover("reset_flushes_old_owner", exists(CPU, lambda i: (phase[i] == "reset_sync") & exists(
        CPU, PCID, Page, lambda c, s, p: al.b_cached(tlb[c, s, p]))),
            f"the wrap-around reset's {reset_flush} has B's translations, cached under a freed global ASID, to "
            f"remove", f"{TLB_C}: reset_global_asid_space ({cite})")
    for s, which in zip(al.SEARCH, ("first", "second", "third")):
        m.cover(f"b_cached_under_{which}_asid", exists(CPU, Page, lambda c, p: al.b_cached(tlb[c, s, p])),
                f"a TLB caches a B page under the {which} global ASID (B's page walk while it holds it)",
                f"{TLB_C}: the global ASID in CR3 on every CPU that runs B ({V})")
    m.cover("freed_asid_cached", exists(CPU, Page, lambda c, p: (b_asid == None) & exists(  # noqa: E711
        PCID, lambda s: al.b_cached(tlb[c, s, p]))),
            "B was destroyed while a TLB still holds its translation under its global PCID",
            f"{TLB_C}: mm_free_global_asid ({cite})")
    m.cover("freed_asid_reused", (global_asid != None) & (global_asid == al.GLOB),  # noqa: E711
            "the mm holds the global ASID B was given first (reused after the wrap-around reset)",
            f"{TLB_C}: allocate_global_asid ({cite})")
    m.cover("b_holds_second_asid", b_asid == al.TOP,
            "B (a new mm after the first was destroyed) holds MAX_ASID_AVAILABLE - 1 (with two global ASIDs, the "
            "second): the cursor is at the edge", f"{TLB_C}: allocate_global_asid ({cite})")
    if len(al.SEARCH) > 2:   # with two, this mm's allocation is the last one: it never frees its ASID
        m.cover("asid_past_the_end", (b_asid == al.PAST) | (global_asid == al.PAST),
                "an mm holds MAX_ASID_AVAILABLE: find_next_zero_bit found no clear bit from the cursor up, though an "
                "ASID freed below it was available (\"should never happen\"; v6.15 claims it anyway: its VM_WARN "
                "tests !global_asid_available, which use_global_asid has just ruled out)",
                f"{TLB_C}: allocate_global_asid: if (asid >= MAX_ASID_AVAILABLE && !global_asid_available) ({cite})")


def cover_tail(g):
    """The store-buffer and concurrency covers both families end with."""
    if g.tso:
        g.m.cover("switching_store_buffered", exists(g.CPU, lambda c: (g.mode[c] == "switching")
                                                     & (g.sb[c] == "switching")),
                  "loaded_mm = SWITCHING still sits in the store buffer", f"{TLB_C}: switch_mm_irqs_off ({V})")
    if g.k > 1:
        g.m.cover("concurrent_flushes", count(g.CPU, g.in_flush) >= 2,
                  "two initiators flush the mm at once", f"{TLB_C}: flush_tlb_mm_range on two CPUs ({V})")
