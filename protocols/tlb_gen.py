"""tlb_gen — several CPUs flush one mm at once; flush_tlb_func decides by generation.

Every flush bumps mm->context.tlb_gen; each CPU records in cpu_tlbstate.ctxs[asid].tlb_gen the
generation its TLB has caught up with. flush_tlb_func (arch/x86/mm/tlb.c, v5.13 and v6.x)
skips a request it is already caught up with, flushes only the request's range when exactly
that one generation is outstanding, and otherwise flushes everything and catches up with the
mm's generation — the one it read, not the request's. With two initiators a CPU may take the
requests out of order, so the rule is what keeps a later range flush from standing in for an
earlier one:

  initiator i (CPUs 0..initiators-1)          any CPU t (initiators too, between their steps)
  madvise_dontneed(i, p) / _range(i)          ipi_entry(t, i)    llist_del_all: take i's csd
  inc_mm_tlb_gen(i)   new_tlb_gen, range       flush_tlb_func(t, i)  the generation rule
  ipi_send / ipi_skip(i, t)                    csd_unlock(t, i)
  flush_tlb_func_local(i)  the same rule
  csd_lock_wait(i) -> tlb_finish_mmu(i) frees the frames i's zap gathered

A range of more than `ceiling` pages is flushed as TLB_FLUSH_ALL (tlb_single_page_flush_ceiling,
33 in the kernel). The rule's two forms: "v5" (v5.13: skip when local_tlb_gen == mm_tlb_gen) and
"v6" (v5.19+, aa44284960d5: first skip when new_tlb_gen <= local_tlb_gen). The three conjuncts of
the partial-flush condition are switches, so that breaking each is a spec.

PCID (`asids` > 1): TLB entries are tagged with an ASID slot; a second mm competes for the slots.
A CPU that switches away keeps this mm's entries in its slot and leaves mm_cpumask, so no flush
reaches them; choose_new_asid flushes the slot at switch-in when its ctxs[].tlb_gen is behind,
else loads CR3 with NOFLUSH. Flushes and fills touch the loaded slot only. `asids=1`: every
switch of mm flushes, as without PCID.

Reclaim (`reclaim=True`): try_to_unmap_one clears a PTE and moves the mm's generation at once
(arch_tlbbatch_add_mm), and arch_tlbbatch_flush sends one TLB_FLUSH_ALL with no generation
(TLB_GENERATION_INVALID, 0) to the CPUs that ran the mm then; the pages are freed after it.

MADV_FREE (`madv_free=True`): madvise_free_pte_range cleans a dirty PTE, marks the folio lazyfree and
flushes the range (freeing nothing); PTEs and TLB entries carry the dirty bit, and a user store
through an entry caching D=1 does not touch the PTE, so a store after MADV_FREE returned that left
the PTE clean would be discarded by reclaim (no_lost_write). With reclaim, try_to_unmap_one discards
a clean lazyfree page and maps a redirtied one back. Direct IO (`dio=True`): gup_fast takes a
reference on a page's frame and rechecks the PTE; the device then writes the frame; a frame it holds
is freed by its last put. B17 (lazyfree_ref_check=False): reclaim discards the page the IO holds.

PTI (`pti=True`): each slot has a user PCID that user mode runs on and user-mode walks fill; a flush
of the slot only sets its bit in user_pcid_flush_mask (invalidate_user_asid) and the return to user
flushes it (SWITCH_TO_USER_CR3). A slot handed to another mm keeps this mm's user entries until then.

Locks (`locks=True`, implied by mremap and migrate): the PTL of the one page-table page and
mmap_lock. Zaps, faults and migration take the PTL within their step, reclaim across its MADV_FREE
page check; MADV_DONTNEED and
MADV_FREE hold mmap_lock for read until tlb_finish_mmu; a CPU holding the PTL is not preempted.
mremap (`mremap=True`): the last page's VA starts unmapped; move_ptes moves a PTE there under
mmap_lock for write and the PTL and flushes the old VA before pte_unmap_unlock (before
eb66ae030829, after it: CVE-2018-18281); ftruncate (unmap_mapping_range) zaps a page without
mmap_lock. Migration (`migrate=True`, one more frame): try_to_migrate_one puts a migration entry in
the PTE and flushes, move_to_new_page copies to a free frame, remove_migration_ptes maps it and frees
the old one; a user access through a translation of a copied frame would lose a store. Any migration
may fail before its copy (migration_restore: -EAGAIN, -ENOMEM, the driver declining the page), and the
old PTE comes back.
`migrate_kind="device"` cites device migration (migrate_vma_setup's collect, the driver's copy,
migrate_vma_finalize): the same steps. With dio, a folio the IO pins is not migrated (the expected
ref_count; migrate_vma_check_page) and its old PTE comes back (`migrate_ref_check=False`: it is, and
the IO's data lands in the copied-away frame).
Other processes (`other_mms=True`, asids > 1): the one "other mm" stands for every process the model
does not name, so on a CPU not running this mm they may move choose_new_asid's round-robin cursor and
take over any slot (this mm's is then flushed), whatever the two named mms did before.
N4 (`slot_gen_before_ipi=False`): the generation choose_new_asid compares with at switch-in moves
only with the initiator's local flush, after the IPI scan (FreeBSD r362031's order, fixed in r368649).

munmap (`munmap=True`): zap every PTE, free_pgtables detaches the one PTE-table page into the same
batch, and the flush carries freed_tables, so lazy CPUs are IPI'd too (B1 when not:
`freed_tables_flush_lazy=False`); the table is freed with the pages. Page walks then start at the
loaded slot's paging-structure cache (per CPU and ASID slot, dropped by any flush of that slot), and a
walk that reads a freed table breaks no_freed_table_walk. With rounds > 1, pte_alloc attaches a table
(perhaps the freed one) before the next fault.

Scope: MADV_DONTNEED, MADV_FREE, reclaim, mremap, ftruncate, migration and munmap, one page each (one
page per reclaim batch, munmap the whole range); one PTE-table page (a second for the fault after
munmap), no upper levels; page-table pages and user frames are separate pools; the PTL is held across a flush only by
mremap; the other mm is never flushed; PTI not with MADV_FREE or munmap; an initiator's task does not migrate during its
operation (preempted, it resumes on its CPU; meanwhile the CPU may go lazy or switch mm, and another
task of the mm may run there); an unmap may be done for the mm by a kernel thread on a CPU that has
another mm or none loaded; the direct IO is one, not tied to a CPU; the csds queued on a CPU are
taken in any order (a superset of the kernel's queue order), or with `csd_fifo=True` (two initiators
at most) oldest first, as flush_smp_call_function_queue runs them; either way a CPU may take other
steps between two csds that the kernel runs in one interrupt. The memory
model is the frames of protocols/tlb.py: a TLB entry is stale once its frame is freed, or reused
for another page (a frame mremap moved keeps its data and is not stale at its old VA).
"""
from __future__ import annotations

from functools import reduce

from checker.lang import (BOOL, Elem, If, IntRange, Mask, ModelBuilder, ModelError, Param, Protocol,
                          count, exists, forall, when)

from . import page_tables

TLB_C = "arch/x86/mm/tlb.c"
V513, V519 = "v5.13", "v5.19"


def build(cfg):
    n, k, pages, rounds = cfg.cpus, cfg.initiators, cfg.pages, cfg.rounds
    if k > n:
        raise ModelError(f"initiators={k} is more than cpus={n}", "give initiators <= cpus")
    if cfg.other_mms and cfg.asids < 2:
        raise ModelError("other_mms with asids=1: with one ASID slot every switch flushes, and there is no "
                         "cursor to move", "give asids=2 or more")
    if cfg.mms == 3 and (cfg.asids < 2 or cfg.other_mms):
        raise ModelError(f"mms=3 with asids={cfg.asids}{' and other_mms' if cfg.other_mms else ''}: the third "
                         "process competes for ASID slots, which needs PCID and named processes",
                         "give asids=2 or 3 and other_mms=False, or mms=2")
    m = ModelBuilder("tlb_gen", cfg, __doc__)
    # symmetric when every CPU is an initiator: no CPU is then singled out (initiators 0..k-1 are)
    CPU = m.index_set("CPU", n, symmetric=(k == n), lanes=True)
    # not symmetric: page p starts mapping frame p and, with one operation each, no fault remaps,
    # so permuting pages and frames apart reaches states the model cannot (orbits would overcount)
    Page = m.index_set("Page", pages)
    Frame = m.index_set("Frame", pages + (1 if cfg.migrate else 0))   # migration: one frame to move to
    ASID = m.index_set("ASID", cfg.asids)   # the dynamic ASID slots (PCIDs) of each CPU
    slots = ASID.members
    gens = k * rounds
    FLUSHERS, EVERY_CPU = CPU.mask(*range(k)), CPU.mask(*range(n))
    FrameRef = Elem(Frame, optional=True)
    lazyfree_reclaim = cfg.madv_free and cfg.reclaim
    # MADV_FREE, reclaim keeping the redirtied page, and a second reclaim of it: three operations
    swap_after_keep = lazyfree_reclaim and k * rounds >= 3
    locks = cfg.locks or cfg.mremap or cfg.migrate
    dest = pages - 1 if cfg.mremap else None   # mremap's new VA: unmapped at first, its frame free
    Phase = m.enum("Phase", "idle", "flush_start", "sending", "local_flush", "waiting", "flushed",
                   "freed", "done", "lockup", *(("lazyfree_check",) if lazyfree_reclaim else ()))
    Irq = m.enum("Irq", "none", "func", "unlock", "lockup")
    ver = V519 if cfg.rule == "v6" else V513

    # memory: the frames of protocols/tlb.py; a gathered frame belongs to one initiator's batch
    pte = m.array("pte", Page, FrameRef, lambda p: None if p == dest else p, "the frame page p's PTE maps")
    frame = m.array("frame", Frame, m.enum("Owner", "free", "mm", "gathered"),
                    lambda f: "free" if f == dest or f >= pages else "mm",
                    "user frame f: free (the allocator's), the mm's, or unmapped and in an mmu_gather batch")
    batch = m.array("batch", Frame, Elem(CPU, optional=True), None, "whose mmu_gather batch holds frame f")
    tlb = m.array("tlb", (CPU, ASID, Page), FrameRef, None,
                  "the frame CPU c's TLB maps page p to, tagged with ASID slot s (PCID)")
    others = ("other_mm", "third_mm") if cfg.mms == 3 else ("other_mm",)   # the named processes besides mm
    asid_mm = m.array("asid_mm", (CPU, ASID), m.enum("Ctx", "none", "mm", *others),
                      lambda c, s: "mm" if s == 0 else "none", "cpu_tlbstate.ctxs[s].ctx_id: whose slot s is")
    asid_gen = m.array("asid_gen", (CPU, ASID), IntRange(0, gens), 0,
                       "cpu_tlbstate.ctxs[s].tlb_gen: the mm generation slot s has caught up with")
    loaded_asid = m.array("loaded_asid", CPU, Elem(ASID), 0, "cpu_tlbstate.loaded_mm_asid")
    next_asid = m.array("next_asid", CPU, Elem(ASID), 1 % cfg.asids,
                        "cpu_tlbstate.next_asid: choose_new_asid's round-robin cursor")
    mode = m.array("mode", CPU, m.enum("Mode", "user", "lazy", "other"), "user",
                   "what CPU c runs: this mm's task, a lazy kthread, another mm")
    if cfg.mms == 3:
        other_task = m.array("other_task", CPU, m.enum("Other", *others), "other_mm",
                             "which other process CPU c runs when it is not running this mm")
    # PCID's purpose: with no more processes than slots, round-robin never hands out a slot another holds
    no_takeover = cfg.asids > 1 and not cfg.other_mms and cfg.mms <= cfg.asids
    if no_takeover:
        taken_over = m.var("slot_taken_over", BOOL, False,
                           "choose_new_asid has handed out a slot that another named process held", history=True)
    mm_cpumask = m.var("mm_cpumask", Mask(CPU), range(n), "mm_cpumask(mm)")
    mm_tlb_gen = m.var("mm_tlb_gen", IntRange(0, gens), 0, "mm->context.tlb_gen")
    # each initiator's operation and its per-CPU flush_tlb_info
    phase = m.array("phase", CPU, Phase, "idle", "where initiator c is in MADV_DONTNEED and its flush")
    rnd = m.array("round", CPU, IntRange(0, rounds - 1), 0, "which operation of initiator c this is")
    in_range = m.array("in_range", (CPU, Page), BOOL, False,
                       "page p lies in [start, end) of initiator c's flush_tlb_info (its zap cleared it)")
    flush_all = m.array("flush_all", CPU, BOOL, False, "initiator c's flush_tlb_info.end == TLB_FLUSH_ALL")
    new_gen = m.array("new_tlb_gen", CPU, IntRange(0, gens), 0, "initiator c's flush_tlb_info.new_tlb_gen")
    scanned = m.array("scanned", CPU, Mask(CPU), (), "targets initiator c's smp_call_function_many_cond handled")
    csd_locked = m.array("csd_locked", (CPU, CPU), BOOL, False, "CSD_FLAG_LOCK of initiator i's csd for CPU t")
    csd_queued = m.array("csd_queued", (CPU, CPU), BOOL, False, "initiator i's csd is on CPU t's call_single_queue")
    irq = m.array("irq", CPU, Irq, "none", "CPU t's progress in the flush IPI handler")
    irq_from = m.array("irq_from", CPU, Elem(CPU, optional=True), None, "whose csd CPU t's handler runs")
    stale_access = m.array("stale_access", (CPU, Page), BOOL, False, history=True)
    mmu_gather = m.array("mmu_gather", CPU, BOOL, False, "initiator c holds a live mmu_gather, tlb_gather_mmu "
                         ".. tlb_finish_mmu: MADV_DONTNEED, MADV_FREE, munmap, truncation (not reclaim, mremap or "
                         "migration, which flush without one)")
    if cfg.csd_fifo:
        if k > 2:
            raise ModelError(f"csd_fifo with initiators={k}: the queue order is modelled for two initiators",
                             "give initiators <= 2, or csd_fifo=False (any order, a superset)")
        csd_head = m.array("csd_head", CPU, Elem(CPU, optional=True), None,
                           "whose csd is the oldest on CPU t's call_single_queue (run first)")
    if cfg.madv_free:
        pte_dirty = m.array("pte_dirty", Page, BOOL, True,
                            "the dirty bit of page p's PTE (pteval's, while it is cleared)")
        tlb_dirty = m.array("tlb_dirty", (CPU, ASID, Page), BOOL, False,
                            "CPU c's TLB entry for page p in slot s caches D=1: stores go through it without "
                            "touching the PTE")
        lazyfree = m.array("lazyfree", Frame, BOOL, False,
                           "frame f is a lazyfree folio (MADV_FREE cleared PG_swapbacked): reclaim may discard it "
                           "clean, without writing it out")
        lost_write = m.array("lost_write", (CPU, Page), BOOL, False, history=True)
        if swap_after_keep:
            kept = m.array("kept", Frame, BOOL, False, "reclaim found frame f's lazyfree page redirtied and "
                           "mapped it back (until f is freed)", history=True)
    if cfg.dio:
        Dio = m.enum("Dio", "idle", "grabbed", "pinned", "done")
        dio = m.var("dio", Dio, "idle", "a direct-IO read into the mm's memory: gup_fast's progress")
        dio_page = m.var("dio_page", Elem(Page, optional=True), None, "the page the direct IO reads into")
        dio_frame = m.var("dio_frame", FrameRef, None, "the frame gup_fast took a reference on")
        dio_lost = m.var("dio_lost", BOOL, False, history=True)
        if lazyfree_reclaim:
            discarded = m.array("discarded", Frame, BOOL, False,
                                "reclaim discarded frame f as a clean lazyfree page (try_to_unmap_one's discard:)", history=True)
    if locks:
        ptl = m.var("ptl", Elem(CPU, optional=True), None,
                    "who holds the PTL of the one page-table page (pte_lockptr, a spinlock)")
        mmap_readers = m.var("mmap_readers", Mask(CPU), (), "initiators holding mmap_lock for read")
        mmap_writer = m.var("mmap_writer", Elem(CPU, optional=True), None, "who holds mmap_lock for write")
    if cfg.mremap:
        moving = m.array("moving", CPU, BOOL, False, "initiator c's operation is mremap")
        moved = m.array("moved", Frame, BOOL, False,
                        "frame f was moved to another VA by mremap: an old translation reads the same data", history=True)
    if cfg.migrate:
        migrating = m.array("migrating", CPU, BOOL, False, "initiator c's operation is migrate_pages")
        mig_new = m.array("mig_new", CPU, FrameRef, None, "the frame initiator c's migration copied the page to")
        copied = m.array("copied", Frame, BOOL, False,
                         "frame f's data was copied to its new frame: a store to f now is lost", history=True)
        lost_store = m.array("lost_store", (CPU, Page), BOOL, False, history=True)
    if not cfg.slot_gen_before_ipi:
        switch_gen = m.var("switch_gen", IntRange(0, gens), 0,
                           "the generation a CPU switching in compares its ASID slot with (N4: it moves only "
                           "with the initiator's local flush, after the IPIs)")
    if cfg.pti:
        if cfg.madv_free or cfg.munmap:
            raise ModelError("pti with madv_free or munmap: the user PCID's dirty bits and paging-structure "
                             "caches are not modelled", "check PTI beside MADV_DONTNEED, reclaim, mremap or migration")
        tlb_user = m.array("tlb_user", (CPU, ASID, Page), FrameRef, None,
                           "the frame CPU c's TLB maps page p to in slot s's user PCID (PTI: user mode runs on it)")
        user_flush = m.array("user_flush", (CPU, ASID), BOOL, False,
                             "cpu_tlbstate.user_pcid_flush_mask bit of slot s: its user PCID is flushed at the next "
                             "return to user")
    if cfg.munmap:
        pt = page_tables.declare(m, CPU, ASID, rounds, "ASID slot s")
        PTable, pmd, ptable, table_batch = pt.PTable, pt.pmd, pt.ptable, pt.table_batch
        psc, freed_tables, freed_table_walk = pt.psc, pt.freed_tables, pt.freed_table_walk
    if cfg.reclaim:
        reclaiming = m.array("reclaiming", CPU, BOOL, False, "initiator c's operation is reclaim's batched unmap")
        batch_mask = m.array("batch_mask", CPU, Mask(CPU), (),
                             "arch_tlbflush_unmap_batch.cpumask of initiator c: mm_cpumask when the page was added")

    def flusher(c):
        return FLUSHERS.has(c) if k < n else True

    def between_ops(c):
        """Initiator c is not inside an unmap."""
        return (phase[c] == "idle") | (phase[c] == "freed") | (phase[c] == "done")

    def quiet(c):
        """The context the scheduler, the walker and user code must each act in (a context cover of
        theirs): CPU c in task context, IRQs on, its initiator between operations (or none)."""
        return (irq[c] == "none") & (phase[c] == "idle")

    TASK = {"task": quiet}

    def from_mode(*modes):
        """The scheduler's contexts: task context between operations, from each mode it switches from."""
        return {f"from_{md}": (lambda md: lambda c: quiet(c) & (mode[c] == md))(md) for md in modes}

    def preemptible(c):
        """The scheduler may switch CPU c: IRQs on, and not inside flush_tlb_mm_range, which runs
        with preemption off (get_cpu .. put_cpu) from inc_mm_tlb_gen to csd_lock_wait. A task
        preempted between its zap and the flush (or the flush and the free) resumes on this CPU."""
        return ((irq[c] == "none") & (phase[c] != "sending") & (phase[c] != "local_flush") & (phase[c] != "waiting")
                & (ptl != c if locks else True))   # a spinlock holder does not sleep

    def ptl_free():
        """pte_offset_map_lock can take the PTL now (an atomic step takes and drops it within)."""
        return ptl == None if locks else True  # noqa: E711

    def mmap_read_lock(i):
        """mmap_read_lock: no writer; the reader holds it until its operation ends. Returns (guard, updates)."""
        if not locks:
            return True, []
        return (mmap_writer == None), [mmap_readers.becomes(mmap_readers.with_(i))]  # noqa: E711

    def mmap_read_unlock(i, cond=True):
        return [mmap_readers.becomes(If(cond, mmap_readers.without(i), mmap_readers))] if locks else []

    def drop(c, s, p, cond):
        """Invalidate CPU c's slot-s entry for page p when `cond` (with its cached dirty bit)."""
        ups = [tlb[c, s, p].becomes(If(cond, None, tlb[c, s, p]))]
        if cfg.madv_free:
            ups.append(tlb_dirty[c, s, p].becomes(If(cond, False, tlb_dirty[c, s, p])))
        return ups

    def slot_flushed(c, s, cond):
        """What flushing CPU c's slot s (any of its pages, or all) does besides its TLB entries, when
        `cond`: INVLPG and a CR3 write drop every PSC entry of the PCID they act on (Intel SDM vol. 3
        §4.10.4.1); with PTI, invalidate_user_asid marks the slot's user PCID for a flush at the next
        return to user."""
        ups = [psc[c, s].becomes(If(cond, None, psc[c, s]))] if cfg.munmap else []
        if cfg.pti and cfg.pti_invalidate_user:
            ups.append(user_flush[c, s].becomes(user_flush[c, s] | cond))
        return ups

    def held(f):
        """Frame f has a reference beside the mapping's and the LRU's: the direct IO's (GUP)."""
        return ((dio == "grabbed") | (dio == "pinned")) & (dio_frame == f) if cfg.dio else False

    def pinned(i):
        """A frame initiator i's operation took out of the page table has the direct IO's reference."""
        return exists(Frame, lambda f: (frame[f] == "gathered") & (batch[f] == i) & held(f))

    def freeing(p):
        """An MADV_FREE of page p has not returned: a store racing with it may be discarded (the PTE
        still maps its frame, so no other operation on p is under way)."""
        return exists(CPU, lambda i: in_range[i, p] & ~between_ops(i))

    def was_copied(e):
        """The TLB entry `e` maps a frame whose data migration has already copied away."""
        return exists(Frame, lambda f: (e == f) & copied[f])

    def stale(e, p):
        """The TLB entry `e` for page p maps a frame that was freed, or that the mm maps elsewhere."""
        elsewhere = lambda f: (frame[f] == "mm") & (pte[p] != f) & (~moved[f] if cfg.mremap else True)  # noqa: E731
        return exists(Frame, lambda f: (e == f) & ((frame[f] == "free") | elsewhere(f)))

    # PCID: everything a CPU does to its TLB goes to the loaded ASID slot
    def on_loaded(c, of):
        """`of(s)` for the slot CPU c has loaded."""
        return reduce(lambda rest, s: If(loaded_asid[c] == s, of(s), rest), slots[:-1], of(slots[-1]))

    def cpu_tlb_gen(c):
        """ctxs[loaded_mm_asid].tlb_gen: what flush_tlb_func and leave_lazy compare."""
        return on_loaded(c, lambda s: asid_gen[c, s])

    def entry(c, p):
        """CPU c's TLB entry for page p in the loaded ASID: what an access or walk uses."""
        return on_loaded(c, lambda s: tlb[c, s, p])

    def flush_loaded(c, gone, gen=None):
        """Invalidate the loaded ASID's entries of the pages `gone` selects (INVLPG or a CR3 write of
        that PCID); `gen`: the generation the slot has then caught up with."""
        ups = [u for s in slots for p in Page.members for u in drop(c, s, p, (loaded_asid[c] == s) & gone(p))]
        ups += [u for s in slots for u in slot_flushed(c, s, (loaded_asid[c] == s)
                                                   & reduce(lambda a, b: a | b, map(gone, Page.members)))]
        if gen is not None:
            ups += [asid_gen[c, s].becomes(If(loaded_asid[c] == s, gen, asid_gen[c, s])) for s in slots]
        return ups

    def choose_new_asid(c, nxt, when=True):
        """switch_mm_irqs_off, prev != next, when `when`: choose_new_asid(next) — the slot that holds
        `nxt` ("mm" or "other_mm"), flushed if behind next->context.tlb_gen, else the next slot
        round-robin, flushed and taken over — then load CR3 (NOFLUSH when caught up). Returns the
        slots to flush (with the generation they then hold) and the updates of the slot table."""
        hit = lambda s: asid_mm[c, s] == nxt  # noqa: E731
        found = exists(ASID, hit)
        want = (mm_tlb_gen if cfg.slot_gen_before_ipi else switch_gen) if nxt == "mm" else 0  # no other mm flushes
        chosen = {s: when & ((found & hit(s)) | (~found & (next_asid[c] == s))) for s in slots}
        behind = (lambda s: asid_gen[c, s] < want) if cfg.switch_gen_check else (lambda s: False)
        flush = {s: chosen[s] & (~found | behind(s)) for s in slots}
        slot = reduce(lambda rest, s: If(chosen[s], s, rest), slots, loaded_asid[c])
        step = reduce(lambda rest, s: If(next_asid[c] == s, (s + 1) % len(slots), rest), slots, next_asid[c])
        ups = [asid_mm[c, s].becomes(If(chosen[s], nxt, asid_mm[c, s])) for s in slots] + [
            loaded_asid[c].becomes(slot), next_asid[c].becomes(If(when & ~found, step, next_asid[c]))]
        if no_takeover:   # the ghost: a slot handed out that another named process held
            took = reduce(lambda a, b: a | b, [~found & chosen[s] & (asid_mm[c, s] != "none") for s in slots])
            ups.append(taken_over.becomes(taken_over | took))
        return flush, want, ups

    def switch_asid(c, nxt):
        """The whole ASID switch: the chosen slot flushed (if it must be) and loaded."""
        flush, want, ups = choose_new_asid(c, nxt)
        return (ups + [u for s in slots for p in Page.members for u in drop(c, s, p, flush[s])]
                + [u for s in slots for u in slot_flushed(c, s, flush[s])]
                + [asid_gen[c, s].becomes(If(flush[s], want, asid_gen[c, s])) for s in slots])

    def flush_tlb_func(c, i, runs=True):
        """flush_tlb_func on CPU c for initiator i's flush_tlb_info, IRQs off, if `runs`: its updates,
        and the condition that leaves the CPU in the partial loop over [0, TLB_FLUSH_ALL) (2^52
        INVLPGs). new_tlb_gen 0 is TLB_GENERATION_INVALID (reclaim's batched flush)."""
        local, mm, new = cpu_tlb_gen(c), mm_tlb_gen, new_gen[i]
        done = local == mm                     # "already up to date"
        if cfg.rule == "v6":                   # aa44284960d5: new_tlb_gen <= local_tlb_gen, first
            known = (new != 0) if cfg.invalid_gen_check else True   # 8f1d56f64f8d
            done = (known & (new <= local)) | done
        partial = ~flush_all[i] if cfg.partial_end_check else True
        if cfg.partial_next_check:
            partial = partial & (new == local + 1)
        if cfg.partial_latest_check:
            partial = partial & (new == mm)
        lazy = (mode[c] == "lazy") & runs
        flush = (mode[c] == "user") & ~done & runs
        # is_lazy: switch_mm_irqs_off(NULL, &init_mm) — another mm's ASID; this mm's slot keeps its
        # entries and its generation, to be caught up when the CPU switches back
        leave, init_gen, slot_table = choose_new_asid(c, "other_mm", lazy)
        cur = lambda s: loaded_asid[c] == s  # noqa: E731
        return ([u for s in slots for p in Page.members
                 for u in drop(c, s, p, leave[s] | (cur(s) & flush & (~partial | in_range[i, p])))]
                + [u for s in slots for u in slot_flushed(c, s, leave[s] | (cur(s) & flush))]
                # mm_tlb_gen as read, not new_tlb_gen
                + [asid_gen[c, s].becomes(If(leave[s], init_gen, If(cur(s) & flush, mm, asid_gen[c, s])))
                   for s in slots]
                + slot_table
                + [mode[c].becomes(If(lazy, "other", mode[c])),
                   mm_cpumask.becomes(If(lazy, mm_cpumask.without(c), mm_cpumask))]), flush & partial & flush_all[i]

    # ------------------------------------------------------------ initiators
    def task(i):
        """CPU i is an initiator whose task runs with IRQs on (not inside a flush handler)."""
        return flusher(i) & (irq[i] == "none")

    def unmaps(i):
        """Initiator i's operation is an unmap with its own flush (MADV_DONTNEED), not reclaim's batch."""
        return ~reclaiming[i] if cfg.reclaim else True

    def starts(i):
        """Initiator CPU i may start an unmap: a task of the mm, or a kernel thread acting for it
        (khugepaged, reclaim) whatever mm the CPU has loaded."""
        return (phase[i] == "idle") & task(i)

    def gather(i, hit, span=None, ranged=True):
        """zap_pte_range: clear the PTEs `hit` selects; their frames go into i's mmu_gather batch and
        the pages make the flush range (__tlb_adjust_range), or the pages `span` selects (munmap's VMA);
        `ranged=False`: no range is recorded (reclaim's batch keeps a cpumask only)."""
        took = {f: exists(Page, lambda q: hit(q) & (pte[q] == f)) for f in Frame.members}
        return ([frame[f].becomes(If(took[f], "gathered", frame[f])) for f in Frame.members]
                + [batch[f].becomes(If(took[f], i, batch[f])) for f in Frame.members]
                + ([in_range[i, q].becomes((span or hit)(q)) for q in Page.members] if ranged else [])
                + [pte[q].becomes(If(hit(q), None, pte[q])) for q in Page.members]
                + [phase[i].becomes("flush_start")])

    # every step of an operation runs in its task's context (a syscall, khugepaged, kswapd), IRQs on
    initiator = dict(actor=lambda i, *_: i, fair="weak", contexts={"task": lambda i, *_: irq[i] == "none"})
    # ... and one that takes a page finds it mapped (the work the caller exists for)
    zapper = dict(initiator, contexts={**initiator["contexts"], "mapped": lambda i, p, *_: pte[p] != None})  # noqa: E711
    last = lambda i: rnd[i] + 1 >= rounds  # noqa: E731

    @m.action(CPU, Page, **zapper, ref="mm/madvise.c: madvise_dontneed_single_vma -> zap_page_range "
                                         "-> mm/memory.c: zap_pte_range, one page (v5.13)")
    def madvise_dontneed(i, p):
        """MADV_DONTNEED of one page: clear the PTE, gather the frame (mmap_lock for read, the PTL)."""
        rd, lock = mmap_read_lock(i)
        return when(starts(i) & rd & ptl_free() & (pte[p] != None), gather(i, lambda q: q == p), lock,  # noqa: E711
                    mmu_gather[i].becomes(True))

    if pages > 1:
        @m.action(CPU, **initiator, ref="mm/madvise.c: madvise_dontneed_single_vma -> zap_page_range "
                                       "-> mm/memory.c: zap_pte_range over the whole range (v5.13)")
        def madvise_dontneed_range(i):
            """MADV_DONTNEED of the whole range: the flush covers the pages the zap cleared."""
            present = lambda q: pte[q] != None  # noqa: E711,E731
            rd, lock = mmap_read_lock(i)
            return when(starts(i) & rd & ptl_free() & exists(Page, present), gather(i, present), lock,
                        mmu_gather[i].becomes(True))

    if cfg.munmap:
        @m.action(CPU, **initiator, ref="mm/mmap.c: __do_munmap (mmap_write_downgrade: zap under mmap_lock for "
                                       "read, v4.20+) -> unmap_region: unmap_vmas -> zap_pte_range; free_pgtables "
                                       "-> free_pte_range: pmd_clear, pte_free_tlb (tlb->freed_tables = 1) (v5.13)")
        def munmap(i):
            """munmap of the whole mapping: clear every PTE, gather the frames, detach the PTE-table
            page from the PMD (free_pgtables) into the same batch; the flush covers the VMA and says
            freed_tables, so lazy CPUs are flushed too (their page walks could still reach the table)."""
            rd, lock = mmap_read_lock(i)
            return when(starts(i) & rd & ptl_free() & (pmd != None),  # noqa: E711
                        gather(i, lambda q: pte[q] != None, span=lambda q: True), lock, mmu_gather[i].becomes(True),  # noqa: E711
                        pmd.becomes(None), freed_tables[i].becomes(True),
                        [ptable[t].becomes(If(pmd == t, "gathered", ptable[t])) for t in PTable.members],
                        [table_batch[t].becomes(If(pmd == t, i, table_batch[t])) for t in PTable.members])

        if rounds > 1:
            @m.action(CPU, PTable, **initiator, ref="mm/memory.c: handle_mm_fault -> __handle_mm_fault -> "
                                                    "pte_alloc -> __pte_alloc: pmd_populate (v5.13)")
            def pte_alloc(i, t):
                """The fault after a munmap (on a new mapping at the same address) allocates a PTE-table
                page, perhaps the one just freed, and puts it in the PMD."""
                return when((phase[i] == "freed") & task(i) & ptl_free() & (pmd == None)  # noqa: E711
                            & (ptable[t] == "free"), pmd.becomes(t), ptable[t].becomes("mm"))

    if cfg.madv_free:
        @m.action(CPU, Page, **zapper, ref="mm/madvise.c: madvise_free_single_vma -> madvise_free_pte_range: "
                                             "if pte_dirty: ptep_get_and_clear_full, pte_mkclean, set_pte_at, "
                                             "tlb_remove_tlb_entry; folio_clear_dirty, folio_mark_lazyfree; then "
                                             "tlb_finish_mmu flushes the range, freeing nothing (v5.18)")
        def madvise_free(i, p):
            """MADV_FREE of one page: its PTE made clean and its folio lazyfree; a dirty PTE is flushed
            (a TLB entry caching D=1 would let later stores skip the PTE), a clean one needs no flush."""
            was_dirty = pte_dirty[p]
            rd, _ = mmap_read_lock(i)   # held until tlb_finish_mmu if there is a flush
            return when(starts(i) & rd & ptl_free() & (pte[p] != None),  # noqa: E711
                        [mmap_readers.becomes(If(was_dirty, mmap_readers.with_(i), mmap_readers))] if locks else [],
                        pte_dirty[p].becomes(False), mmu_gather[i].becomes(was_dirty),
                        [lazyfree[f].becomes(lazyfree[f] | (pte[p] == f)) for f in Frame.members],
                        [in_range[i, q].becomes(was_dirty & (q == p)) for q in Page.members],
                        phase[i].becomes(If(was_dirty, "flush_start", If(last(i), "done", "idle"))),
                        rnd[i].becomes(If(~was_dirty & ~last(i), rnd[i] + 1, rnd[i])))

    @m.action(CPU, **initiator, ref=f"{TLB_C}: flush_tlb_mm_range -> inc_mm_tlb_gen, get_flush_tlb_info: "
                                    f"a range over tlb_single_page_flush_ceiling becomes TLB_FLUSH_ALL ({ver})")
    def inc_mm_tlb_gen(i):
        return when((phase[i] == "flush_start") & task(i) & unmaps(i), mm_tlb_gen.becomes(mm_tlb_gen + 1),
                    new_gen[i].becomes(mm_tlb_gen + 1),
                    flush_all[i].becomes(count(Page, lambda p: in_range[i, p]) > cfg.ceiling),
                    scanned[i].becomes(CPU.empty().with_(i)), phase[i].becomes("sending"))

    def scan(i, t):
        done = scanned[i].with_(t)
        return [scanned[i].becomes(done), phase[i].becomes(If(done == EVERY_CPU, "local_flush", "sending"))]

    def targeted(i, t):
        """native_flush_tlb_multi -> on_each_cpu_cond_mask(tlb_is_not_lazy): in mm_cpumask (reclaim:
        the batch's cpumask) and not lazy, unless page tables are freed (info->freed_tables:
        on_each_cpu_mask, every CPU in the mask)."""
        mask = If(reclaiming[i], batch_mask[i], mm_cpumask).has(t) if cfg.reclaim else mm_cpumask.has(t)
        if cfg.munmap and cfg.freed_tables_flush_lazy:
            return mask & ((mode[t] != "lazy") | freed_tables[i])
        return mask & (mode[t] != "lazy")

    # send and skip are the two outcomes of one scan step, each enabled now and then: strong
    @m.action(CPU, CPU, actor=lambda i, t: i, fair="strong",
              ref=f"kernel/smp.c: smp_call_function_many_cond: csd_lock(per-CPU cfd->csd[t]), "
                  f"llist_add, send the IPI ({ver})")
    def ipi_send(i, t):
        return when((phase[i] == "sending") & task(i) & ~scanned[i].has(t) & targeted(i, t) & ~csd_locked[i, t],
                    csd_locked[i, t].becomes(True), csd_queued[i, t].becomes(True), scan(i, t),
                    csd_head[t].becomes(If(exists(CPU, lambda j: csd_queued[j, t]), csd_head[t], i))
                    if cfg.csd_fifo else [])

    @m.action(CPU, CPU, actor=lambda i, t: i, fair="strong",
              ref=f"{TLB_C}: native_flush_tlb_multi -> tlb_is_not_lazy: not in mm_cpumask, or lazy ({ver})")
    def ipi_skip(i, t):
        return when((phase[i] == "sending") & task(i) & ~scanned[i].has(t) & ~targeted(i, t), scan(i, t))

    @m.action(CPU, **initiator, ref=f"{TLB_C}: flush_tlb_mm_range -> flush_tlb_multi: the local "
                                    f"flush_tlb_func with IRQs off, beside the remote ones ({ver})")
    def flush_tlb_func_local(i):
        # arch_tlbbatch_flush flushes locally only if this CPU is in the batch's cpumask
        ups, lockup = flush_tlb_func(i, i, unmaps(i) | batch_mask[i].has(i) if cfg.reclaim else True)
        return when((phase[i] == "local_flush") & task(i), ups,
                    phase[i].becomes(If(lockup, "lockup", "waiting")),
                    [] if cfg.slot_gen_before_ipi else switch_gen.becomes(mm_tlb_gen))

    @m.action(CPU, **initiator, ref=f"kernel/smp.c: smp_call_function_many_cond: csd_lock_wait for "
                                    f"each target ({ver})")
    def csd_lock_wait(i):
        return when((phase[i] == "waiting") & task(i) & forall(CPU, lambda t: ~csd_locked[i, t]),
                    phase[i].becomes("flushed"))

    def free_batch(i):
        """Free the frames i's unmap gathered: an entry still translating to one is now stale. A frame
        the direct IO holds stays allocated (put_page drops the batch's reference, not the last one;
        reclaim's folio_ref_freeze fails): its last put frees it."""
        mine = {f: (frame[f] == "gathered") & (batch[f] == i) for f in Frame.members}
        gone = {f: mine[f] & ~held(f) if cfg.dio else mine[f] for f in Frame.members}
        return ([frame[f].becomes(If(gone[f], "free", frame[f])) for f in Frame.members]
                + [batch[f].becomes(If(mine[f], None, batch[f])) for f in Frame.members]
                + forget(gone) + free_tables(i) + next_op(i, ~reduce(lambda a, b: a | b, mine.values())))

    def free_tables(i):
        """tlb_finish_mmu -> tlb_flush_mmu_free -> tlb_table_flush / free_pages_and_swap_cache: the
        PTE-table pages i's munmap detached are freed with its pages, after the flush."""
        if not cfg.munmap:
            return []
        return pt.free_batch(i)

    def next_op(i, empty):
        """After an operation: done, or (rounds > 1) wait to fault a page in; an operation that unmapped
        nothing (MADV_FREE, reclaim that mapped its page back) lets the next start at once."""
        if not (cfg.madv_free or cfg.mremap or cfg.migrate):
            return [phase[i].becomes(If(last(i), "done", "freed"))]
        go = ~last(i) & empty
        return [phase[i].becomes(If(last(i), "done", If(empty, "idle", "freed"))),
                rnd[i].becomes(If(go, rnd[i] + 1, rnd[i]))]

    def forget(gone):
        """A freed frame is no lazyfree folio any more, nor a copied or moved one."""
        flags = ([lazyfree] if cfg.madv_free else []) + ([copied] if cfg.migrate else []) \
            + ([moved] if cfg.mremap else []) + ([discarded] if cfg.dio and lazyfree_reclaim else []) \
            + ([kept] if swap_after_keep else [])
        return [v[f].becomes(If(gone[f], False, v[f])) for v in flags for f in Frame.members]

    @m.action(CPU, **initiator, ref="mm/mmu_gather.c: tlb_finish_mmu -> tlb_flush_mmu_free: free the "
                                    "gathered pages; flush_tlb_mm_range has returned (v5.13)")
    def tlb_finish_mmu(i):
        return when((phase[i] == "flushed") & task(i) & mmu_gather[i], free_batch(i), mmap_read_unlock(i),
                    mmu_gather[i].becomes(False))

    if cfg.mremap:
        under = cfg.mremap_flush_under_ptl
        @m.action(CPU, Page, Page, **zapper,
                  ref="mm/mremap.c: mremap -> mmap_write_lock, move_vma -> move_page_tables -> move_ptes: "
                      "pte_offset_map_lock (old and new PTL), ptep_get_and_clear, set_pte_at(new_addr); "
                      + ("force_flush: flush_tlb_range before pte_unmap_unlock (v4.20+, eb66ae030829)" if under
                         else "pte_unmap_unlock; flush_tlb_range later in move_page_tables (before eb66ae030829)"))
        def move_ptes(i, p, q):
            """mremap moves page p's PTE to the unmapped VA q, with mmap_lock held for write and the PTL
            (one page-table page: old_ptl == new_ptl); the old VA's range is flushed next."""
            return when(starts(i) & (mmap_writer == None) & (mmap_readers == CPU.empty()) & ptl_free()  # noqa: E711
                        & (pte[p] != None) & (pte[q] == None),  # noqa: E711
                        pte[q].becomes(pte[p]), pte[p].becomes(None),
                        [pte_dirty[q].becomes(pte_dirty[p])] if cfg.madv_free else [],
                        [moved[f].becomes(moved[f] | (pte[p] == f)) for f in Frame.members],
                        [in_range[i, r].becomes(r == p) for r in Page.members],
                        mmap_writer.becomes(i), ptl.becomes(i if under else None), moving[i].becomes(True),
                        phase[i].becomes("flush_start"))

        @m.action(CPU, **initiator, ref="mm/mremap.c: move_ptes -> pte_unmap_unlock" + (
                      "" if under else " (already dropped)") + "; mremap -> mmap_write_unlock (v4.20)")
        def mremap_unlock(i):
            """The old range is flushed: drop the PTL (the new PTE's page stays valid until here) and
            mmap_lock."""
            return when((phase[i] == "flushed") & task(i) & moving[i], ptl.becomes(None),
                        mmap_writer.becomes(None), moving[i].becomes(False), next_op(i, True))

        @m.action(CPU, Page, **zapper, ref="mm/truncate.c: truncate_pagecache -> mm/memory.c: "
                                             "unmap_mapping_range -> zap_page_range_single -> zap_pte_range "
                                             "(i_mmap_rwsem and the PTL, no mmap_lock) (v4.20)")
        def unmap_mapping_range(i, p):
            """ftruncate of the file behind the mapping zaps page p without mmap_lock (through the
            file's rmap), flushes p's range and frees the page (truncate_inode_pages)."""
            return when(starts(i) & ptl_free() & (pte[p] != None), gather(i, lambda q: q == p),  # noqa: E711
                        mmu_gather[i].becomes(True))

    if cfg.migrate:
        before, device = cfg.migrate_flush_before_copy, cfg.migrate_kind == "device"
        # a reference beside the mapping's (the direct IO's) makes the folio unmigratable, if checked
        def unpinned(i):
            """The migrating folio has no reference beyond the expected ones (when that is checked)."""
            return ~pinned(i) if cfg.dio and cfg.migrate_ref_check else True
        MIG_C = "mm/migrate_device.c" if device else "mm/migrate.c"
        ref = ("mm/migrate_device.c: migrate_vma_setup -> migrate_vma_collect_pmd: under the PTL, "
               "ptep_get_and_clear, set_pte_at(migration entry); flush_tlb_range before pte_unmap_unlock "
               "(v6.1, 60bae7370896)" if device else
               "mm/migrate.c: migrate_pages -> unmap_and_move -> try_to_migrate -> mm/rmap.c: "
               "try_to_migrate_one: under the PTL, ptep_clear_flush, set_pte_at(migration entry) (v5.15)")

        @m.action(CPU, Page, **zapper, ref=ref)
        def try_to_migrate_one(i, p):
            """Migration (compaction, NUMA; or a device driver's migrate_vma_setup) replaces page p's PTE
            with a migration entry (not present: an access faults and waits) and flushes; the old frame
            is held until the move is done."""
            return when(starts(i) & ptl_free() & (pte[p] != None), gather(i, lambda q: q == p),  # noqa: E711
                        migrating[i].becomes(True))

        check = ("migrate_vma_check_page (ref_count - extra <= mapcount)" if device
                 else "folio_migrate_mapping's expected ref_count") if cfg.dio and cfg.migrate_ref_check \
            else "no ref_count check (a mistake; not a kernel version)" if cfg.dio else ""
        copy = ("mm/migrate_device.c: migrate_device_unmap -> " + check + "; the driver copies; "
                "migrate_vma_pages -> migrate_folio_extra (v6.1)" if device else
                "mm/migrate.c: unmap_and_move -> move_to_new_page -> migrate_page: "
                + (check + ", then " if check else "") + "migrate_page_copy (v5.15)")
        @m.action(CPU, Frame, **initiator, ref=copy + (", once the old PTE is flushed" if before else
                                                          " before the flush (a mis-order; not a kernel version)"))
        def move_to_new_page(i, f):
            """Copy the old frame's data to a free frame (allocated for it): a store through an old
            translation after this is lost, and so is a direct IO's write into the old frame."""
            old = lambda g: (frame[g] == "gathered") & (batch[g] == i)  # noqa: E731
            return when(((phase[i] == "flushed") if before else (phase[i] == "flush_start")) & task(i)
                        & migrating[i] & (mig_new[i] == None) & (frame[f] == "free") & unpinned(i),  # noqa: E711
                        frame[f].becomes("mm"), mig_new[i].becomes(f),
                        [copied[g].becomes(copied[g] | old(g)) for g in Frame.members])

        def back(i, new):
            """remove_migration_ptes(src, dst): map the page to `new` (a frame, or None: the old frame
            again) and put the old frame back: freed, unless the direct IO still holds it."""
            mine = {g: (frame[g] == "gathered") & (batch[g] == i) for g in Frame.members}
            gone = {g: mine[g] & ~held(g) if cfg.dio else mine[g] for g in Frame.members}
            if new is None:   # the migration failed: the old frame is the mm's again
                return ([pte[q].becomes(If(in_range[i, q], reduce(lambda rest, g: If(mine[g], g, rest),
                                                                   Frame.members, pte[q]), pte[q]))
                         for q in Page.members]
                        + [frame[g].becomes(If(mine[g], "mm", frame[g])) for g in Frame.members]
                        + [batch[g].becomes(If(mine[g], None, batch[g])) for g in Frame.members]
                        + [migrating[i].becomes(False)] + next_op(i, True))
            return ([pte[q].becomes(If(in_range[i, q], new, pte[q])) for q in Page.members]
                    + [frame[g].becomes(If(gone[g], "free", frame[g])) for g in Frame.members]
                    + [batch[g].becomes(If(mine[g], None, batch[g])) for g in Frame.members]
                    + forget(gone) + [mig_new[i].becomes(None), migrating[i].becomes(False)] + next_op(i, True))

        @m.action(CPU, **initiator, ref=("mm/migrate_device.c: migrate_vma_finalize" if device else
                                         "mm/migrate.c: migrate_pages") + " -> remove_migration_ptes -> "
                                        "remove_migration_pte: under the PTL, set_pte_at(new page); putback "
                                        "of the old page, freed by its last put" + (" (v6.1)" if device else " (v5.15)"))
        def remove_migration_ptes(i):
            """Map the page to its new frame and free the old one."""
            return when((phase[i] == "flushed") & task(i) & migrating[i] & ptl_free()
                        & (mig_new[i] != None), back(i, mig_new[i]))  # noqa: E711

        @m.action(CPU, **initiator, ref=f"{MIG_C}: " + (
            "migrate_device_unmap: !migrate_vma_check_page, or migrate_vma_finalize for a page the driver did "
            "not migrate -> remove_migration_ptes(folio, folio, 0)" if device else "unmap_and_move: -EAGAIN "
            "(folio_migrate_mapping's ref_count), -ENOMEM -> remove_migration_ptes(folio, folio)")
            + (" (v6.1)" if device else " (v5.15)"))
        def migration_restore(i):
            """The migration fails before the copy and the old PTE comes back: a folio with a reference
            beside the mapping's (a GUP pin) always fails, when that is checked; any other may (no free
            frame, a lock not taken, the driver declining it)."""
            return when((phase[i] == "flushed") & task(i) & migrating[i] & ptl_free()
                        & (mig_new[i] == None), back(i, None))  # noqa: E711

    if cfg.reclaim:
        @m.action(CPU, Page, **zapper, ref="mm/rmap.c: try_to_unmap_one: ptep_get_and_clear, "
                                             "set_tlb_ubc_flush_pending -> arch/x86/include/asm/tlbflush.h: "
                                             "arch_tlbbatch_add_mm: inc_mm_tlb_gen, cpumask_or(batch, "
                                             "mm_cpumask) (v5.19)")
        def try_to_unmap_one(i, p):
            """Reclaim (kswapd or direct) unmaps page p for the batched flush: the mm's generation
            moves now, and the batch remembers which CPUs ran the mm."""
            # the batch keeps no range (its flush is TLB_FLUSH_ALL); the lazyfree check reads the page
            ups = gather(i, lambda q: q == p, ranged=lazyfree_reclaim)
            if lazyfree_reclaim:   # a lazyfree folio (!folio_test_swapbacked) is checked before discard
                lazy = exists(Frame, lambda f: (pte[p] == f) & lazyfree[f])
                ups = ups[:-1] + [phase[i].becomes(If(lazy, "lazyfree_check", "flush_start"))]
            if locks and lazyfree_reclaim:   # the MADV_FREE page check runs under the same PTL
                ups.append(ptl.becomes(If(exists(Frame, lambda f: (pte[p] == f) & lazyfree[f]), i, None)))
            return when(starts(i) & ptl_free() & (pte[p] != None), ups,  # noqa: E711
                        mm_tlb_gen.becomes(mm_tlb_gen + 1), reclaiming[i].becomes(True),
                        batch_mask[i].becomes(mm_cpumask))

        if lazyfree_reclaim:
            check_ref = ("smp_mb(); ref_count == 1 + map_count && !folio_test_dirty: discard (v5.18+, "
                         "6c8e2a256915)" if cfg.lazyfree_ref_check else "!PageDirty: discard (before 6c8e2a256915)")

            @m.action(CPU, **initiator, ref=f"mm/rmap.c: try_to_unmap_one, MADV_FREE page check: pte_dirty("
                                            f"pteval) -> folio_mark_dirty; {check_ref}; else set_pte_at(pteval), "
                                            f"folio_set_swapbacked")
            def lazyfree_discard(i):
                """Reclaim decides on the lazyfree page whose PTE it cleared: discard it clean, or, if it
                was written again (or, with the fix, someone holds a reference), map it back."""
                mine = {f: (frame[f] == "gathered") & (batch[f] == i) for f in Frame.members}
                dirty = exists(Page, lambda q: in_range[i, q] & pte_dirty[q])
                keep = dirty | pinned(i) if cfg.lazyfree_ref_check and cfg.dio else dirty
                back = {f: keep & mine[f] for f in Frame.members}
                ups = ([pte[q].becomes(If(keep & in_range[i, q], reduce(
                           lambda rest, f: If(mine[f], f, rest), Frame.members, pte[q]), pte[q]))
                        for q in Page.members]
                       + [frame[f].becomes(If(back[f], "mm", frame[f])) for f in Frame.members]
                       + [batch[f].becomes(If(back[f], None, batch[f])) for f in Frame.members]
                       + [lazyfree[f].becomes(If(back[f], False, lazyfree[f])) for f in Frame.members])
                if cfg.dio:
                    ups += [discarded[f].becomes(discarded[f] | (mine[f] & ~keep)) for f in Frame.members]
                if swap_after_keep:
                    ups += [kept[f].becomes(kept[f] | back[f]) for f in Frame.members]
                if locks:
                    ups.append(ptl.becomes(None))   # page_vma_mapped_walk_done
                return when((phase[i] == "lazyfree_check") & task(i), ups, phase[i].becomes("flush_start"))

        @m.action(CPU, **initiator, ref=f"{TLB_C}: arch_tlbbatch_flush: get_flush_tlb_info(NULL, 0, "
                                        f"TLB_FLUSH_ALL, 0, false, TLB_GENERATION_INVALID), flush_tlb_multi"
                                        f"(&batch->cpumask) ({ver})")
        def arch_tlbbatch_flush(i):
            """mm/rmap.c: try_to_unmap_flush: one full flush for the batch, carrying no generation."""
            return when((phase[i] == "flush_start") & task(i) & reclaiming[i], new_gen[i].becomes(0),
                        flush_all[i].becomes(True), scanned[i].becomes(CPU.empty().with_(i)),
                        phase[i].becomes("sending"))

        @m.action(CPU, **initiator, ref="mm/vmscan.c: shrink_page_list: try_to_unmap_flush, then "
                                        "free_unref_page_list (v5.19)")
        def free_unref_page_list(i):
            return when((phase[i] == "flushed") & task(i) & reclaiming[i], free_batch(i),
                        reclaiming[i].becomes(False))

    if rounds > 1:
        @m.action(CPU, Page, Frame, **initiator, ref="mm/memory.c: handle_mm_fault -> do_anonymous_page: "
                                                     "alloc_zeroed_user_highpage, set_pte_at (v5.13)")
        def do_anonymous_page(i, p, f):
            """Initiator i's task faults page p in again, into a frame from the allocator (perhaps
            one just freed); its next operation may start."""
            table = (pmd != None) if cfg.munmap else True  # noqa: E711   (munmap: pte_alloc first)
            return when((phase[i] == "freed") & task(i) & ptl_free() & table
                        & (pte[p] == None) & (frame[f] == "free"),  # noqa: E711
                        pte[p].becomes(f), frame[f].becomes("mm"), phase[i].becomes("idle"),
                        rnd[i].becomes(rnd[i] + 1), [pte_dirty[p].becomes(True)] if cfg.madv_free else [])

    # ------------------------------------------------------------ every CPU's flush handler
    fifo_ref = ", llist_reverse_order: in the order queued" if cfg.csd_fifo else ""

    @m.action(CPU, CPU, actor=lambda t, i: t, fair="strong",
              ref="kernel/smp.c: generic_smp_call_function_single_interrupt -> "
                  f"flush_smp_call_function_queue: llist_del_all{fifo_ref}, run each csd ({ver})")
    def ipi_entry(t, i):
        """CPU t (IRQs on) takes initiator i's csd off its call_single_queue (with csd_fifo the
        oldest one; else any, a superset of the kernel's order)."""
        if cfg.csd_fifo:
            rest = reduce(lambda nxt, j: If(csd_queued[j, t] & (i != j), j, nxt), range(k), csd_head[t])
            fifo = [csd_head[t] == i, csd_head[t].becomes(If(rest == i, None, rest))]
        else:
            fifo = [True, []]
        return when(csd_queued[i, t] & (irq[t] == "none") & fifo[0], fifo[1],
                    csd_queued[i, t].becomes(False), irq[t].becomes("func"), irq_from[t].becomes(i))

    rule_ref = ("v5.19+, aa44284960d5: return if new_tlb_gen <= local_tlb_gen; " if cfg.rule == "v6" else "")

    @m.action(CPU, CPU, actor=lambda t, i: t, fair="strong",
              ref=f"{TLB_C}: flush_tlb_func: skip if another mm is loaded; is_lazy -> switch_mm_irqs_off"
                  f"(NULL, &init_mm); {rule_ref}return if local_tlb_gen == mm_tlb_gen; partial iff end != "
                  f"TLB_FLUSH_ALL && new_tlb_gen == local_tlb_gen + 1 && new_tlb_gen == mm_tlb_gen, else "
                  f"full; ctxs[asid].tlb_gen = mm_tlb_gen ({ver})")
    def flush_tlb_func_remote(t, i):
        ups, lockup = flush_tlb_func(t, i)
        return when((irq[t] == "func") & (irq_from[t] == i), ups,
                    irq[t].becomes(If(lockup, "lockup", "unlock")))

    @m.action(CPU, CPU, actor=lambda t, i: t, fair="strong",
              ref=f"kernel/smp.c: flush_smp_call_function_queue: csd_unlock after func, SYNC csd ({ver})")
    def csd_unlock(t, i):
        return when((irq[t] == "unlock") & (irq_from[t] == i), csd_locked[i, t].becomes(False),
                    irq[t].becomes("none"), irq_from[t].becomes(None))

    # ------------------------------------------------------------ environment
    def loaded(c):
        return (mode[c] == "user") | (mode[c] == "lazy")

    def in_user(c):
        """A task of the mm runs in user mode on CPU c (its initiator task is preempted or between
        operations)."""
        return (mode[c] == "user") & preemptible(c)

    def fill(c, p, cond):
        """The loaded slot caches page p's PTE (and its dirty bit) when `cond`."""
        at = lambda s: (loaded_asid[c] == s) if cond is True else cond & (loaded_asid[c] == s)  # noqa: E731
        return ([tlb[c, s, p].becomes(If(at(s), pte[p], tlb[c, s, p])) for s in slots]
                + ([tlb_dirty[c, s, p].becomes(If(at(s), pte_dirty[p], tlb_dirty[c, s, p])) for s in slots]
                   if cfg.madv_free else []))

    @m.action(CPU, Page, environment=True, ref="hardware page walk (Intel SDM vol. 3 §4.10.2): fills the "
                                               "TLB from the PTE, speculatively too, on a lazy CPU too",
              contexts={"user": lambda c, p: mode[c] == "user", "lazy": lambda c, p: mode[c] == "lazy"})
    def tlb_fill(c, p):
        if not cfg.munmap:
            return when(loaded(c) & (entry(c, p) == None) & (pte[p] != None),  # noqa: E711
                        fill(c, p, True))
        # the walk starts at the PTE-table page the loaded slot's PSC caches, else at the PMD; a
        # detached table holds no PTEs (munmap zapped them), a freed one is someone else's memory
        table = on_loaded(c, lambda s: If(psc[c, s] != None, psc[c, s], pmd))  # noqa: E711
        attached = table == pmd
        return when(loaded(c) & (entry(c, p) == None) & (table != None),  # noqa: E711
                    freed_table_walk[c].becomes(freed_table_walk[c] | exists(
                        PTable, lambda t: (table == t) & (ptable[t] == "free"))),
                    [psc[c, s].becomes(If((loaded_asid[c] == s) & attached, table, psc[c, s])) for s in slots],
                    fill(c, p, attached & (pte[p] != None)))  # noqa: E711

    def user_entry(c, p):
        """The entry a user-mode access uses: with PTI, the loaded slot's user PCID's."""
        return on_loaded(c, lambda s: tlb_user[c, s, p]) if cfg.pti else entry(c, p)

    def in_user_pcid(c):
        """CPU c runs this mm in user mode; with PTI, on a user PCID with no flush pending (the return to
        user applied it)."""
        return in_user(c) & ~on_loaded(c, lambda s: user_flush[c, s]) if cfg.pti else in_user(c)

    @m.action(CPU, Page, environment=True, ref="user-mode load/store through the TLB",
              contexts={"task": lambda c, p: quiet(c)})
    def user_access(c, p):
        e = user_entry(c, p)
        return when(in_user_pcid(c) & (e != None),  # noqa: E711
                    stale_access[c, p].becomes(stale_access[c, p] | stale(e, p)),
                    lost_store[c, p].becomes(lost_store[c, p] | was_copied(e)) if cfg.migrate else [])

    if cfg.pti:
        @m.action(CPU, Page, environment=True, ref="hardware page walk in user mode (PTI: the user PCID, "
                                                   "Intel SDM vol. 3 §4.10.1)",
                  contexts={"task": lambda c, p: quiet(c)})
        def tlb_fill_user(c, p):
            return when(in_user_pcid(c) & (user_entry(c, p) == None) & (pte[p] != None),  # noqa: E711
                        [tlb_user[c, s, p].becomes(If(loaded_asid[c] == s, pte[p], tlb_user[c, s, p]))
                         for s in slots])

        @m.action(CPU, environment=True, fair="weak", contexts=TASK,
                  ref="arch/x86/entry/calling.h: SWITCH_TO_USER_CR3: if the slot's bit in "
                                             "user_pcid_flush_mask is set, clear it and load the user CR3 without "
                                             "NOFLUSH (v4.15+)")
        def return_to_user(c):
            """The return to user mode flushes the user PCID that invalidate_user_asid marked."""
            pending = lambda s: (loaded_asid[c] == s) & user_flush[c, s]  # noqa: E731
            return when(in_user(c) & on_loaded(c, lambda s: user_flush[c, s]),
                        [tlb_user[c, s, p].becomes(If(pending(s), None, tlb_user[c, s, p]))
                         for s in slots for p in Page.members],
                        [user_flush[c, s].becomes(If(pending(s), False, user_flush[c, s])) for s in slots])


    if cfg.madv_free:
        @m.action(CPU, Page, environment=True, ref="user-mode store (Intel SDM vol. 3 §4.8, §4.10.2.2): through an "
                                                   "entry caching D=1 as is; through a clean one the CPU first sets "
                                                   "the PTE's dirty bit (a #PF if the PTE no longer maps the frame)",
                  contexts={"task": lambda c, p: quiet(c)})
        def user_write(c, p):
            e, d = entry(c, p), on_loaded(c, lambda s: tlb_dirty[c, s, p])
            clean_lazy = (pte[p] == e) & ~pte_dirty[p] & exists(Frame, lambda f: (e == f) & lazyfree[f]) \
                & ~freeing(p)
            return when(in_user(c) & (e != None) & (d | (pte[p] == e)),  # noqa: E711
                        stale_access[c, p].becomes(stale_access[c, p] | stale(e, p)),
                        lost_write[c, p].becomes(lost_write[c, p] | (d & clean_lazy)),
                        pte_dirty[p].becomes(pte_dirty[p] | ~d),
                        [tlb_dirty[c, s, p].becomes(If(loaded_asid[c] == s, True, tlb_dirty[c, s, p])) for s in slots],
                    lost_store[c, p].becomes(lost_store[c, p] | was_copied(e)) if cfg.migrate else [])

    if cfg.dio:
        @m.action(Page, environment=True, ref="mm/gup.c: get_user_pages_fast -> gup_pte_range: ptep_get, "
                                              "try_grab_folio (an atomic reference, a full barrier) (v5.18)")
        def gup_fast(p):
            """A direct-IO read (block/fops.c: __blkdev_direct_IO) pins its user buffer: GUP-fast reads page
            p's PTE, lockless with IRQs off, and takes a reference on the frame it maps."""
            return when((dio == "idle") & (pte[p] != None), dio.becomes("grabbed"),  # noqa: E711
                        dio_page.becomes(p), dio_frame.becomes(pte[p]))

        def put(cond):
            """gup_put_folio / bio_release_pages when `cond`: drop the reference; it is the last one of
            a frame whose mapping and batch have gone, which is then freed."""
            orphan = {f: cond & (dio_frame == f) & (frame[f] == "gathered") & (batch[f] == None)  # noqa: E711
                      for f in Frame.members}
            return [frame[f].becomes(If(orphan[f], "free", frame[f])) for f in Frame.members] + forget(orphan)

        @m.action(fair="weak", ref="mm/gup.c: gup_pte_range: if pte_val(pte) != pte_val(ptep_get(ptep)): "
                                   "gup_put_folio, back off (v5.18)")
        def gup_fast_recheck():
            """GUP-fast rereads the PTE after taking its reference: unchanged, the page is pinned;
            changed (an unmap cleared it), it backs off (the slow path is not modelled)."""
            same = exists(Page, lambda q: (dio_page == q) & (pte[q] == dio_frame))
            return when(dio == "grabbed", dio.becomes(If(same, "pinned", "done")), put(~same),
                        dio_page.becomes(If(same, dio_page, None)), dio_frame.becomes(If(same, dio_frame, None)))

        # the frame was discarded (the page reads zeroes) or freed (the device wrote someone else's memory)
        lost = exists(Frame, lambda f: (dio_frame == f) & ((discarded[f] if lazyfree_reclaim else False)
                                                            | (copied[f] if cfg.migrate else False)
                                                            | (frame[f] == "free")))

        @m.action(fair="weak", ref="block/fops.c: __blkdev_direct_IO -> blkdev_bio_end_io: the device has "
                                   "written the pinned frame; bio_release_pages puts it (v5.18)")
        def dio_complete():
            """The read's data lands in the pinned frame; the task expects to find it at the page. If
            reclaim discarded the frame meanwhile, the page faults in zeroes instead; if the frame was
            freed under the pin, the device wrote memory that is no longer the mm's."""
            return when(dio == "pinned", dio_lost.becomes(dio_lost | lost), put(True), dio.becomes("done"),
                        dio_page.becomes(None), dio_frame.becomes(None))

    @m.action(CPU, environment=True, contexts=from_mode("user"),
              ref=f"{TLB_C}: enter_lazy_tlb: CR3 and the mm_cpumask bit kept ({ver})")
    def enter_lazy_tlb(c):
        return when(preemptible(c) & (mode[c] == "user"), mode[c].becomes("lazy"))

    @m.action(CPU, environment=True, contexts=from_mode("lazy"),
              ref=f"{TLB_C}: switch_mm_irqs_off, real_prev == next && was_lazy: "
                                         f"flush unless ctxs[asid].tlb_gen == next->context.tlb_gen ({ver})")
    def leave_lazy(c):
        behind = cpu_tlb_gen(c) != mm_tlb_gen
        return when(preemptible(c) & (mode[c] == "lazy"), mode[c].becomes("user"),
                    flush_loaded(c, lambda p: behind, mm_tlb_gen))

    @m.action(CPU, environment=True,
              contexts=from_mode("user", "lazy"),
              ref=f"{TLB_C}: switch_mm_irqs_off, prev != next: cpumask_clear_cpu, "
                                         f"choose_new_asid(next), load next's CR3 ({ver})")
    def switch_mm_out(c):
        """Switch to another mm: its ASID slot is loaded; this mm's slot keeps its entries."""
        return when(preemptible(c) & loaded(c), mode[c].becomes("other"),
                    mm_cpumask.becomes(mm_cpumask.without(c)), switch_asid(c, "other_mm"))

    @m.action(CPU, environment=True, contexts=from_mode("other"),
              ref=f"{TLB_C}: switch_mm_irqs_off, prev != next: cpumask_set_cpu, "
                                         f"then next_tlb_gen = next->context.tlb_gen, choose_new_asid: "
                                         f"flush the slot if ctxs[asid].tlb_gen < next_tlb_gen ({ver})")
    def switch_mm_in(c):
        """Switch to a task of this mm: its slot is reused (flushed only if behind) or a slot taken over."""
        return when(preemptible(c) & (mode[c] == "other"), mode[c].becomes("user"),
                    mm_cpumask.becomes(mm_cpumask.with_(c)), switch_asid(c, "mm"),
                    [other_task[c].becomes("other_mm")] if cfg.mms == 3 else [])

    if cfg.mms == 3:
        def switch_other(src, dst):
            """A CPU not running this mm switches from process src to dst: choose_new_asid finds dst's
            slot or hands out the next one round-robin."""
            def step(c):
                return when(preemptible(c) & (mode[c] == "other") & (other_task[c] == src),
                            other_task[c].becomes(dst), switch_asid(c, dst))
            step.__name__ = f"switch_to_{dst}"
            m.action(CPU, environment=True, contexts={"task": lambda c: quiet(c) & (mode[c] == "other")
                                                      & (other_task[c] == src)},
                     ref=f"{TLB_C}: switch_mm_irqs_off, prev != next (neither this mm): choose_new_asid(next), "
                         f"load next's CR3 ({ver})")(step)
        switch_other("other_mm", "third_mm")
        switch_other("third_mm", "other_mm")

    if cfg.asids > 1 and cfg.other_mms:
        @m.action(CPU, ASID, environment=True,
                  ref=f"{TLB_C}: switch_mm_irqs_off -> choose_new_asid for the mms the model does not name: "
                      f"next_asid moves on, and the slot it hands out is flushed if it held another mm "
                      f"(load_new_mm_cr3 without NOFLUSH) ({ver})")
        def other_mm_switch(c, s):
            """CPU c, not running this mm, switches between other processes: one of them takes ASID slot s
            (perhaps this mm's, which is then flushed) and the round-robin cursor moves past it. The model
            folds every other mm into one, so where the cursor stands is theirs to decide."""
            here = {k: s == k for k in slots}
            took = {k: here[k] & (asid_mm[c, k] == "mm") for k in slots}
            return when(preemptible(c) & (mode[c] == "other"),
                        [asid_mm[c, k].becomes(If(here[k], "other_mm", asid_mm[c, k])) for k in slots],
                        loaded_asid[c].becomes(s),
                        next_asid[c].becomes(reduce(lambda rest, k: If(here[k], (k + 1) % len(slots), rest),
                                                    slots, next_asid[c])),
                        [u for k in slots for p in Page.members for u in drop(c, k, p, took[k])],
                        [u for k in slots for u in slot_flushed(c, k, took[k])],
                        [asid_gen[c, k].becomes(If(here[k], 0, asid_gen[c, k])) for k in slots])

    # ------------------------------------------------------------ properties
    def in_flush(i):
        return (phase[i] == "sending") | (phase[i] == "local_flush") | (phase[i] == "waiting")

    def only_in_op(name, held, statement, ref):
        """An operation's record (`held(i)`) lasts only while initiator i is inside that operation."""
        m.invariant(name, forall(CPU, lambda i: ~held(i) | ~between_ops(i)), statement, ref,
                    precondition=exists(CPU, held))

    def info_in_use(i):
        """Initiator i is inside flush_tlb_mm_range (stuck in its local flush's loop included)."""
        return in_flush(i) | (phase[i] == "lockup")

    def unmapped(c, s, p):
        """CPU c caches, in slot s, a translation of page p that the PTE no longer holds."""
        return (tlb[c, s, p] != None) & (tlb[c, s, p] != pte[p])  # noqa: E711

    def unmapped_user(c, s, p):
        """The same in slot s's user PCID (PTI)."""
        return (tlb_user[c, s, p] != None) & (tlb_user[c, s, p] != pte[p])  # noqa: E711

    m.invariant("no_stale_access", forall(CPU, Page, lambda c, p: ~stale_access[c, p]),
                "no user access goes through a TLB entry whose frame was freed or reused",
                "S1: flush_tlb_mm_range() returns only when no CPU can use the old PTE",
                precondition=exists(CPU, ASID, Page, lambda c, s, p: unmapped(c, s, p) | stale(tlb[c, s, p], p)
                                    | (unmapped_user(c, s, p) if cfg.pti else False)))

    m.invariant("asid_holds_its_mm", forall(CPU, ASID, Page, lambda c, s, p: (tlb[c, s, p] == None)  # noqa: E711
                                                | (asid_mm[c, s] == "mm")),
                "a CPU caches this mm's translations only in an ASID slot assigned to this mm: a slot handed "
                "to another mm (or init_mm) is flushed first, else that mm's tasks would translate through them",
                f"{TLB_C}: choose_new_asid: a slot taken over sets *need_flush; load_new_mm_cr3 without "
                f"NOFLUSH ({ver})",
                precondition=exists(CPU, ASID, Page, lambda c, s, p: (tlb[c, s, p] != None)  # noqa: E711
                                    & ((loaded_asid[c] != s) | (mode[c] != "other"))))
    def runs(c, x):
        """CPU c runs the other process x (the only one, unless mms=3)."""
        return (mode[c] == "other") & ((other_task[c] == x) if cfg.mms == 3 else True)

    m.invariant("loaded_asid_is_current", forall(CPU, lambda c: reduce(
        lambda rest, x: If(runs(c, x), on_loaded(c, lambda s: asid_mm[c, s]) == x, rest), others,
        on_loaded(c, lambda s: asid_mm[c, s]) == "mm")),
                "the ASID slot a CPU has loaded belongs to the mm it runs: this mm's for its tasks and a lazy "
                "kthread, another mm's (or init_mm's) otherwise; else that mm's tasks translate through "
                "this mm's entries, or this mm's through another's",
                f"{TLB_C}: switch_mm_irqs_off: VM_WARN_ON(cpu_tlbstate.ctxs[prev_asid].ctx_id != "
                f"next->context.ctx_id) ({ver})",
                precondition=exists(CPU, lambda c: mode[c] == "other"))
    m.invariant("slot_gen_not_ahead", forall(CPU, ASID, lambda c, s: If(
        asid_mm[c, s] == "mm", asid_gen[c, s] <= mm_tlb_gen, (asid_mm[c, s] == "none") | (asid_gen[c, s] == 0))),
                "no ASID slot records a generation its mm has not reached (the other mm never flushes: 0), "
                "else a later flush of that mm would be skipped as already done",
                f"{TLB_C}: choose_new_asid: ctxs[new_asid].tlb_gen = next->context.tlb_gen for a slot taken "
                f"over ({ver})",
                precondition=exists(CPU, ASID, lambda c, s: asid_mm[c, s] == "other_mm"))
    if cfg.asids > 1:
        named = ("mm",) if cfg.other_mms else ("mm", *others)  # other_mms folds every other process into one
        m.invariant("one_slot_per_mm", forall(CPU, lambda c: reduce(
            lambda a, b: a & b, [count(ASID, lambda s: asid_mm[c, s] == x) <= 1 for x in named])),
                    "an mm holds at most one ASID slot per CPU: choose_new_asid reuses the slot whose ctx_id "
                    "matches before it hands out another, so a second slot for the same mm is never found "
                    "again (a slot leaked, and that mm's entries cached twice)",
                    f"{TLB_C}: choose_new_asid: for each asid, if ctxs[asid].ctx_id == next->context.ctx_id, "
                    f"return it ({ver})",
                    precondition=exists(CPU, ASID, lambda c, s: asid_mm[c, s] == "other_mm"))
    if no_takeover:
        m.invariant("no_slot_taken_over", ~taken_over,
                    f"with no more processes ({cfg.mms}) than ASID slots ({cfg.asids}), no CPU hands out a slot "
                    "another process holds: each finds its own slot again, so switching back needs no flush "
                    "(what PCID is for)",
                    f"{TLB_C}: choose_new_asid: ns.asid = this_cpu_add_return(cpu_tlbstate.next_asid, 1) - 1, "
                    f"round-robin over TLB_NR_DYN_ASIDS (v4.14+, 10af6235e0d3; {ver})",
                    precondition=exists(CPU, lambda c: forall(ASID, lambda s: asid_mm[c, s] != "none")))
    m.invariant("cpumask_is_loaded", forall(CPU, lambda c: mm_cpumask.has(c) == (mode[c] != "other")),
                "mm_cpumask holds exactly the CPUs that have this mm loaded (its tasks and lazy kthreads): a "
                "CPU missing would miss flushes, one left over would take IPIs it has nothing to flush for",
                f"{TLB_C}: switch_mm_irqs_off: VM_WARN_ON_ONCE(!cpumask_test_cpu(cpu, mm_cpumask(real_prev))), "
                f"cpumask_clear_cpu(cpu, mm_cpumask(real_prev)) ({ver})",
                precondition=exists(CPU, lambda c: mode[c] == "other"))
    # the bookkeeping's own shape: each record says something only while what it records lasts
    m.invariant("batch_holds_gathered", forall(Frame, lambda f: (batch[f] == None) | (frame[f] == "gathered")),  # noqa: E711
                "an mmu_gather batch holds only frames unmapped and not yet freed: tlb_finish_mmu empties it",
                "mm/mmu_gather.c: tlb_finish_mmu -> tlb_batch_pages_flush: free_pages_and_swap_cache, "
                "batch->nr = 0 (v5.13)",
                precondition=exists(Frame, lambda f: frame[f] == "gathered"))
    m.invariant("freed_frame_unmapped", forall(Page, lambda p: ~exists(Frame, lambda f: (pte[p] == f)
                                                                        & (frame[f] == "free"))),
                "no PTE maps a frame that was freed: the unmap clears the PTE before the frame goes back to the "
                "allocator (else the next fault through this page table maps someone else's memory)",
                "mm/page_table_check.c: __page_table_check_zero: BUG_ON(anon_map_count) at free (v5.17+)",
                precondition=exists(Frame, lambda f: frame[f] == "gathered"))   # on its way to the allocator
    owned = lambda f: exists(Page, lambda p: pte[p] == f) | (  # noqa: E731
        exists(CPU, lambda i: mig_new[i] == f) if cfg.migrate else False)
    m.invariant("mm_frames_mapped", forall(Frame, lambda f: (frame[f] != "mm") | owned(f)),
                "every frame the mm holds is mapped by one of its PTEs (or is a migration's new frame, about to "
                "be): an unmap puts the frame in its batch, mremap moves the PTE, so no page of the mm is lost",
                "mm/mremap.c: move_ptes: set_pte_at(mm, new_addr, new_pte, pte); kernel/fork.c: check_mm: "
                "\"BUG: Bad rss-counter state\"",
                precondition=exists(CPU, lambda i: ~between_ops(i)))
    m.invariant("flush_info_live", forall(CPU, CPU, lambda i, t: ~(csd_queued[i, t] | (irq_from[t] == i))
                                          | info_in_use(i)),
                "no CPU holds or takes a request of initiator i after i left flush_tlb_mm_range: its per-CPU "
                "flush_tlb_info is rewritten by i's next flush",
                f"{TLB_C}: get_flush_tlb_info / put_flush_tlb_info (per-CPU flush_tlb_info, one at a time); "
                f"kernel/smp.c: smp_call_function_many_cond: csd_lock_wait before returning ({ver})",
                precondition=exists(CPU, CPU, lambda i, t: csd_queued[i, t]))
    m.invariant("no_csd_to_self", forall(CPU, lambda i: ~csd_locked[i, i]),
                "an initiator queues csds only to other CPUs: its own flush is the local flush_tlb_func",
                "kernel/smp.c: smp_call_function_many_cond: __cpumask_clear_cpu(this_cpu, cfd->cpumask); "
                "run_local calls func directly (v5.19)",
                precondition=exists(CPU, lambda i: phase[i] == "sending"))
    m.invariant("handler_knows_its_csd", forall(CPU, lambda t: (irq_from[t] == None) == (irq[t] == "none")),  # noqa: E711
                "a CPU is in the flush handler exactly while it holds the csd it took off its queue",
                "kernel/smp.c: flush_smp_call_function_queue: csd_unlock(csd) after func(info) (v5.19)",
                precondition=exists(CPU, lambda t: irq[t] != "none"))
    m.invariant("fault_waits_only_with_rounds_left", forall(CPU, lambda i: (phase[i] != "freed") | ~last(i)),
                "an initiator waits to fault its page in again only if it has an operation left",
                "mm/memory.c: handle_mm_fault -> do_anonymous_page (v5.13)",
                precondition=exists(CPU, lambda i: phase[i] == "done"))
    # no flush anywhere in progress: every request sent has been handled
    settled = forall(CPU, lambda c: (irq[c] == "none") & between_ops(c)) & forall(
        CPU, CPU, lambda i, t: ~csd_locked[i, t] & ~csd_queued[i, t])
    m.invariant("caught_up_when_settled", ~settled | forall(CPU, lambda c: (mode[c] != "user")
                                                           | (cpu_tlb_gen(c) == mm_tlb_gen)),
                "once no flush is in progress, every CPU running this mm has recorded, in its loaded slot's "
                "ctxs[].tlb_gen, the mm's generation: a CPU that under-reports how far it caught up takes "
                "a needless full flush at the next request (the cost the generation rule exists to avoid)",
                f"{TLB_C}: flush_tlb_func: this_cpu_write(cpu_tlbstate.ctxs[loaded_mm_asid].tlb_gen, "
                f"mm_tlb_gen); switch_mm_irqs_off: ctxs[new_asid].tlb_gen = next_tlb_gen ({ver})",
                precondition=settled & (mm_tlb_gen > 0))
    if cfg.pti:
        m.invariant("user_asid_holds_its_mm", forall(CPU, ASID, Page, lambda c, s, p: (tlb_user[c, s, p] == None)  # noqa: E711
                                                     | (asid_mm[c, s] == "mm") | user_flush[c, s]),
                    "a user PCID caches this mm's translations only while its slot is this mm's, or with its flush "
                    "pending for the next return to user",
                    f"{TLB_C}: load_new_mm_cr3: if (need_flush) invalidate_user_asid(new_asid) ({ver})",
                    precondition=exists(CPU, ASID, Page, lambda c, s, p: tlb_user[c, s, p] != None))  # noqa: E711
        m.cover("user_pcid_translation_usable", exists(CPU, ASID, Page, lambda c, s, p: in_user_pcid(c)
                                                       & (loaded_asid[c] == s) & (tlb_user[c, s, p] != None)),  # noqa: E711
                "a CPU back in user mode, its user PCID's pending flush applied, holds a translation there "
                "that user accesses go through", "arch/x86/entry/calling.h: SWITCH_TO_USER_CR3 (v4.15+)")
        pending_0 = (mode[0] == "user") & on_loaded(0, lambda s: user_flush[0, s])
        m.leads_to("user_pcid_flush_applied", pending_0, ~pending_0,
                   "a CPU whose user PCID a flush marked applies that flush when it returns to user mode (or "
                   "leaves the mm): it does not stay in the kernel for ever",
                   "arch/x86/entry/calling.h: SWITCH_TO_USER_CR3: user_pcid_flush_mask tested and cleared on "
                   "every return to user (v4.15+)")
        m.cover("user_pcid_flush_deferred", exists(CPU, ASID, Page, lambda c, s, p: user_flush[c, s]
                                                   & unmapped_user(c, s, p)),
                "a user PCID still holds a translation the PTE no longer has, its flush deferred to the return "
                "to user", f"{TLB_C}: invalidate_user_asid ({ver})")
    only_in_op("mmu_gather_only_in_op", lambda i: mmu_gather[i],
               "an mmu_gather lives only inside the operation that took it: tlb_finish_mmu ends it before the "
               "call returns (else its batch and range would be carried into the next operation)",
               "mm/mmu_gather.c: tlb_gather_mmu .. tlb_finish_mmu on an on-stack struct mmu_gather (v5.13)")
    if cfg.munmap:
        pt.invariant_table_batch(m, "mm/mmu_gather.c: tlb_remove_table, tlb_finish_mmu -> tlb_table_flush (v5.13)")
        only_in_op("freed_tables_only_in_flush", lambda i: freed_tables[i],
                   "an initiator's flush_tlb_info.freed_tables is set only for the flush of the unmap that "
                   "detached a table: a later flush would IPI lazy CPUs for nothing",
                   "mm/mmu_gather.c: tlb_flush_mmu_tlbonly -> __tlb_reset_range: tlb->freed_tables = 0 (v5.13)")
        m.leads_to("detached_tables_freed", exists(PTable, lambda t: ptable[t] == "gathered"),
                   forall(PTable, lambda t: ptable[t] != "gathered"),
                   "every PTE-table page munmap detached is freed in the end (no page-table page is leaked)",
                   "mm/mmu_gather.c: tlb_finish_mmu -> tlb_table_flush -> tlb_remove_table_free (v5.13)")
        detached = pt.detached
        pt.invariant_no_freed_table_walk(m, CPU, ASID, "S2: b956575bed91 (lazy CPUs are flushed too), "
                                                       "016c4d92cd16 (freed_tables)")
        m.cover("lazy_cpu_caches_detached_table", exists(CPU, ASID, lambda c, s: (mode[c] == "lazy")
                                                         & (loaded_asid[c] == s) & detached(psc[c, s])),
                "a lazy CPU's paging-structure cache still points to the PTE-table page munmap detached: "
                "only the freed_tables flush keeps its speculative walks out of it once freed",
                f"{TLB_C}: native_flush_tlb_multi: if (info->freed_tables) on_each_cpu_mask ({ver})")
    if cfg.madv_free:
        def cached_dirty_over_clean(c, s, p):
            """CPU c caches D=1 for page p over a clean PTE of the same frame (MADV_FREE cleaned it)."""
            return ((tlb[c, s, p] != None) & tlb_dirty[c, s, p] & (tlb[c, s, p] == pte[p]) & ~pte_dirty[p]  # noqa: E711
                    & ~freeing(p))

        m.invariant("free_frame_clean", forall(Frame, lambda f: (frame[f] != "free") | ~lazyfree[f]),
                    "a freed frame carries no lazyfree mark into its next use: the allocator hands out pages "
                    "with clean flags (else a freshly faulted page could be discarded as a clean MADV_FREE one)",
                    "mm/page_alloc.c: free_pages_prepare clears page->flags; check_new_page: \"Bad page state\" "
                    "(v5.18)",
                    precondition=exists(Frame, lambda f: lazyfree[f]))
        m.invariant("no_lost_write", forall(CPU, Page, lambda c, p: ~lost_write[c, p]),
                    "no user store to a lazyfree page after MADV_FREE returned leaves its PTE clean (through a "
                    "TLB entry caching D=1): reclaim would discard the data as clean",
                    "mm/madvise.c: madvise_free_pte_range flushes the PTEs it cleaned (tlb_remove_tlb_entry)",
                    precondition=exists(CPU, ASID, Page, cached_dirty_over_clean))
        m.cover("lazyfree_page_redirtied", exists(Page, lambda p: pte_dirty[p] & exists(
            Frame, lambda f: (pte[p] == f) & lazyfree[f])),
                "a store after MADV_FREE set the PTE's dirty bit again: reclaim must keep the page",
                "mm/rmap.c: try_to_unmap_one: pte_dirty(pteval) -> folio_mark_dirty")
    if locks:
        m.invariant("no_lock_held_between_ops", forall(CPU, lambda i: ~between_ops(i) | (
            (ptl != i) & ~mmap_readers.has(i) & (mmap_writer != i))),
                    "an initiator holds the PTL or mmap_lock only inside its operation: a lock kept after the "
                    "syscall returns blocks every later unmap of the mm",
                    "kernel/locking/lockdep.c: lockdep_sys_exit: \"lock held when returning to user space!\"",
                    precondition=exists(CPU, lambda i: (ptl == i) | mmap_readers.has(i) | (mmap_writer == i)))
    if cfg.mremap:
        m.invariant("mremap_holds_mmap_lock", forall(CPU, lambda i: ~moving[i] | (
            (mmap_writer == i) & (mmap_readers == CPU.empty()))),
                    "an mremap in progress holds mmap_lock for write, alone: no MADV_DONTNEED of the mm runs "
                    "beside it (only the file's truncation, which takes no mmap_lock)",
                    "mm/mremap.c: SYSCALL_DEFINE5(mremap): mmap_write_lock_killable; include/linux/mmap_lock.h: "
                    "mmap_assert_write_locked (v5.10+)",
                    precondition=exists(CPU, lambda i: moving[i]))
    if cfg.migrate:
        only_in_op("migration_state_only_in_migration", lambda i: migrating[i] | (mig_new[i] != None),  # noqa: E711
                   "a migration's new frame and its in-progress mark last only until remove_migration_ptes has "
                   "mapped the new frame (or put the old one back)",
                   "mm/migrate.c: migrate_pages -> unmap_and_move: the new folio is mapped or freed before it "
                   "returns (v5.15)")
    if cfg.reclaim:
        only_in_op("reclaim_flush_pending_only_in_batch", lambda i: reclaiming[i],
                   "reclaim's batch is marked as needing a flush only from the unmap that adds to it until the "
                   "pages it flushed are freed",
                   "mm/rmap.c: set_tlb_ubc_flush_pending: tlb_ubc->flush_required = true; try_to_unmap_flush: "
                   "= false (v5.19)")
        m.cover("reclaim_batch_flushed", exists(CPU, Frame, lambda i, f: reclaiming[i] & in_flush(i)
                                                & (batch[f] == i) & (frame[f] == "gathered")),
                "reclaim's batched flush is in flight for a page try_to_unmap_one took out of the page table",
                f"{TLB_C}: arch_tlbbatch_flush (v5.19)")
    if lazyfree_reclaim:
        m.cover("lazyfree_page_discarded", exists(CPU, Frame, lambda i, f: reclaiming[i] & (batch[f] == i)
                                                  & lazyfree[f] & (phase[i] == "flush_start")),
                "reclaim discards a clean lazyfree page (no swap-out), then flushes and frees it",
                "mm/rmap.c: try_to_unmap_one, MADV_FREE page check: goto discard")
    if swap_after_keep:
        m.cover("kept_page_swapped_out", exists(CPU, Frame, lambda i, f: kept[f] & ~lazyfree[f] & reclaiming[i]
                                                & (batch[f] == i) & (phase[i] == "flush_start")),
                "a later reclaim swaps out the page an earlier one kept because a store redirtied it after "
                "MADV_FREE: the mapped-back folio is swap-backed again, no longer lazyfree",
                "mm/rmap.c: try_to_unmap_one, MADV_FREE page check: folio_set_swapbacked, then "
                "folio_test_swapbacked on the next pass (v5.18)")
    if cfg.mremap:
        m.cover("old_va_cached_after_move", exists(CPU, ASID, Page, lambda c, s, p: exists(
            Frame, lambda f: (tlb[c, s, p] == f) & moved[f] & (pte[p] != f))),
                "a CPU still translates mremap's old VA to the moved frame: until the old range is flushed, "
                "nothing may free that frame",
                "mm/mremap.c: move_ptes: \"the new one to make sure the physical page stays valid until the "
                "TLB entry for the old mapping has been flushed\" (eb66ae030829)")
    if cfg.migrate:
        m.invariant("no_store_after_copy", forall(CPU, Page, lambda c, p: ~lost_store[c, p]),
                    "no user access goes through a translation to a frame migration has already copied: a store "
                    "would be lost with the old frame",
                    "mm/rmap.c: try_to_migrate_one flushes (ptep_clear_flush) before migrate_page_copy",
                    precondition=exists(CPU, ASID, Page, lambda c, s, p: was_copied(tlb[c, s, p])))
        m.cover("migration_copied", exists(CPU, Frame, lambda i, f: migrating[i] & (mig_new[i] != None)  # noqa: E711
                                           & copied[f] & (batch[f] == i)),
                "a migration copied the page's frame and is about to map the new frame",
                "mm/migrate.c: move_to_new_page (v5.15)")
    if cfg.dio:
        in_flight = (dio == "grabbed") | (dio == "pinned")
        m.invariant("dio_holds_only_in_flight", ((dio_frame != None) == in_flight)  # noqa: E711
                    & ((dio_page != None) == in_flight),  # noqa: E711
                    "the direct IO holds its page reference (and knows its page) exactly while it is in flight: "
                    "from gup_fast's try_grab_folio to the put after the read, or the back-off",
                    "block/bio.c: bio_release_pages after the read completes; mm/gup.c: gup_put_folio on "
                    "back-off (v5.18)",
                    precondition=in_flight)
        m.invariant("no_lost_dio_read", ~dio_lost,
                    "no direct-IO read completes into a frame reclaim discarded while the IO held it (the task "
                    "would read zeroes at that page), nor into a frame freed under its pin, nor into one migration "
                    "copied away",
                    "6c8e2a256915: a clean lazyfree page is discarded only if ref_count == 1 + map_count",
                    precondition=(dio == "pinned") & exists(
                        Frame, lambda f: (dio_frame == f) & lazyfree[f]) if cfg.madv_free else dio == "pinned")
        if cfg.migrate and cfg.migrate_ref_check:
            m.cover("migration_refused_pinned", exists(CPU, lambda i: migrating[i] & (phase[i] == "flushed")
                                                       & (mig_new[i] == None) & pinned(i)),  # noqa: E711
                    "a migration finds the folio pinned by the direct IO and puts the old PTE back",
                    "mm/migrate.c: folio_migrate_mapping, mm/migrate_device.c: migrate_vma_check_page")
        m.cover("dio_pins_page_under_unmap", (dio == "pinned") & exists(
            Frame, lambda f: (dio_frame == f) & (frame[f] == "gathered")),
                "a direct IO holds a frame that an unmap or reclaim has taken out of the page table",
                "mm/gup.c: gup_pte_range (v5.18)")


    def handling(t, i, cond):
        """CPU t is about to run flush_tlb_func for initiator i's request, and `cond` holds."""
        return ((irq[t] == "func") & (irq_from[t] == i) & (mode[t] == "user") & cond) | \
            ((t == i) & (phase[i] == "local_flush") & cond)

    def on_handler(cond):
        return exists(CPU, CPU, lambda t, i: handling(t, i, cond(t, i)))

    if k > 1:
        m.cover("concurrent_flushes", count(CPU, in_flush) >= 2,
                "two initiators flush the mm at once, each with its own flush_tlb_info and csds",
                f"{TLB_C}: flush_tlb_mm_range on two CPUs of one mm ({ver})")
        m.cover("request_already_done",
                on_handler(lambda t, i: new_gen[i] <= cpu_tlb_gen(t)),
                "a CPU takes a flush request its TLB has already caught up with: a later request's full "
                "flush did its work",
                f"{TLB_C}: flush_tlb_func: \"the first flush to be handled can catch us all the way up\" ({ver})")
        m.cover("range_request_behind",
                on_handler(lambda t, i: ~flush_all[i] & (cpu_tlb_gen(t) + 1 < new_gen[i])),
                "a CPU takes a range request while an earlier generation is still outstanding on it: "
                "only a full flush catches it up",
                f"{TLB_C}: flush_tlb_func, condition 1 of the partial flush ({ver})")
        m.cover("range_request_superseded",
                on_handler(lambda t, i: ~flush_all[i] & (cpu_tlb_gen(t) + 1 == new_gen[i])
                           & (new_gen[i] < mm_tlb_gen)),
                "a CPU takes a range request that is next for it while a later flush has already bumped "
                "the mm's generation: only a full flush may record that generation",
                f"{TLB_C}: flush_tlb_func, condition 2 of the partial flush ({ver})")
    m.cover("partial_flush", on_handler(lambda t, i: ~flush_all[i] & (new_gen[i] == cpu_tlb_gen(t) + 1)
                                        & (new_gen[i] == mm_tlb_gen)),
            "a CPU flushes only the request's range (INVLPG per page)",
            f"{TLB_C}: flush_tlb_func, partial flush ({ver})")
    if cfg.csd_fifo:
        m.cover("two_csds_queued", exists(CPU, lambda t: count(CPU, lambda i: csd_queued[i, t]) >= 2),
                "a CPU has both initiators' csds on its call_single_queue: it runs the older first",
                "kernel/smp.c: flush_smp_call_function_queue: llist_del_all, llist_reverse_order (v5.19)")
    if cfg.asids > 1:
        m.cover("stale_entries_in_unloaded_asid",
                exists(CPU, ASID, Page, lambda c, s, p: (loaded_asid[c] != s) & (asid_mm[c, s] == "mm")
                       & unmapped(c, s, p)),
                "a CPU that switched to another mm keeps this mm's old translations in an ASID slot it "
                "has not loaded: no flush IPI reaches it; the generation check at switch-in must",
                f"{TLB_C}: choose_new_asid, ctxs[asid].tlb_gen < next_tlb_gen (v4.14+, {ver})")
    if cfg.asids > 1:
        # one cover per page, at generation 0: a switch_mm_out that drops one page's entry must not go unseen
        # (after a flush, flush_tlb_func's switch of a lazy CPU to init_mm reaches the same states)
        for q in Page.members:
            m.cover(f"slot_kept_across_switch_{q}", exists(CPU, ASID, lambda c, s: (mode[c] == "other")
                                                           & (asid_mm[c, s] == "mm") & (mm_tlb_gen == 0)
                                                           & (tlb[c, s, q] != None) & (tlb[c, s, q] == pte[q])),  # noqa: E711
                    f"a CPU that switched to another mm keeps this mm's translation of page {q} in this mm's "
                    "slot: switching back is a NOFLUSH CR3 write (what PCID is for)",
                    f"{TLB_C}: switch_mm_irqs_off -> choose_new_asid: another slot for next, prev's ctxs[] "
                    f"entry left as it is; switching back, ctx_id matches and tlb_gen is caught up: "
                    f"*need_flush = false ({ver})")
            if cfg.mms == 3:   # and a switch between the other two leaves this mm's slot as it is
                m.cover(f"slot_kept_while_third_runs_{q}", exists(CPU, ASID, lambda c, s: runs(c, "third_mm")
                                                                  & (asid_mm[c, s] == "mm") & (mm_tlb_gen > 0)
                                                                  & (asid_gen[c, s] == mm_tlb_gen)
                                                                  & (tlb[c, s, q] != None)  # noqa: E711
                                                                  & (tlb[c, s, q] == pte[q])),
                        f"a CPU running the third process keeps this mm's translation of page {q}, caught up with "
                        "a flush, in this mm's slot: choose_new_asid for one process leaves every other slot "
                        "as it is",
                        f"{TLB_C}: choose_new_asid: only the chosen slot's ctxs[] entry is written ({ver})")
    if pages > cfg.ceiling:
        m.cover("flush_all_request", exists(CPU, lambda i: in_flush(i) & flush_all[i]),
                "a flush whose range is over the ceiling goes out as TLB_FLUSH_ALL",
                f"{TLB_C}: get_flush_tlb_info, tlb_single_page_flush_ceiling ({ver})")
    m.cover("lazy_bystander", exists(CPU, CPU, lambda i, t: in_flush(i) & (mode[t] == "lazy") & (phase[t] == "idle")),
            "a CPU whose task has not unmapped anything runs a lazy kthread while another CPU flushes: it is skipped "
            "and catches up when it switches back",
            f"{TLB_C}: native_flush_tlb_multi -> tlb_is_not_lazy; switch_mm_irqs_off, was_lazy ({ver})")
    m.cover("frame_freed_while_cached", exists(CPU, ASID, Page, lambda c, s, p: exists(
        Frame, lambda f: (tlb[c, s, p] == f) & (frame[f] == "free"))),
            "a frame was freed while a CPU's TLB still maps it (a CPU skipped as lazy, which must flush "
            "before it uses the entry)", "mm/mmu_gather.c: tlb_finish_mmu (v5.13)")

    # final: no flush in progress anywhere (an initiator may have found nothing left to unmap)
    quiet = forall(CPU, lambda c: (irq[c] == "none") & between_ops(c))
    if cfg.dio:   # the direct IO has completed or not started
        quiet = quiet & (dio != "grabbed") & (dio != "pinned")
    if cfg.migrate:   # a migration that never mapped its new frame left the page unmapped and the frame leaked
        quiet = quiet & forall(Frame, lambda f: (frame[f] != "mm") | exists(Page, lambda p: pte[p] == f))
    m.final(quiet & forall(CPU, CPU, lambda i, t: ~csd_locked[i, t] & ~csd_queued[i, t]))
    m.leads_to("unmapped_frames_freed", exists(Frame, lambda f: frame[f] == "gathered"),
               forall(Frame, lambda f: frame[f] != "gathered"),
               "every frame an unmap gathered is freed in the end (no mmu_gather batch is leaked)",
               "mm/mmu_gather.c: tlb_finish_mmu -> tlb_flush_mmu_free (v5.13)")
    m.leads_to("flush_completes", ~between_ops(0), between_ops(0),
               "initiator 0's unmap, its flush and its free complete (no CPU waits for an IPI forever)",
               "csd_lock_wait returns once every target has run its handler")
    return m.build()


PROTOCOL = Protocol("tlb_gen", build, (
    Param("cpus", 3, 2, 4, doc="CPUs: CPUs 0..initiators-1 initiate, every CPU takes flush IPIs"),
    Param("initiators", 2, 1, 4, doc="CPUs that unmap and flush concurrently"),
    Param("pages", 2, 1, 3, doc="user pages (VAs) of the mapping"),
    Param("rounds", 1, 1, 2, doc="MADV_DONTNEED operations per initiator"),
    Param("asids", 1, 1, 3, doc="TLB_NR_DYN_ASIDS: ASID slots (PCIDs) per CPU, 6 in the kernel; 1: a "
                                "switch of mm flushes this mm's entries, as without PCID"),
    Param("mms", 2, 2, 3, doc="(asids > 1) named processes competing for a CPU's ASID slots: this mm, another "
          "(init_mm folded in), and with 3 a third the other CPUs switch to, so that choose_new_asid's round-robin "
          "cursor hands out more than one slot"),
    Param("other_mms", False, doc="(asids > 1) the other processes on a CPU that is not running this mm move "
          "choose_new_asid's round-robin cursor and take over any slot, this mm's too (flushed): the other mm "
          "stands for all of them, so where the cursor stands is not the two named mms' history"),
    Param("ceiling", 1, 0, 3, doc="tlb_single_page_flush_ceiling in pages (33 in the kernel): a longer "
                                  "range is flushed as TLB_FLUSH_ALL"),
    Param("reclaim", False, doc="reclaim also unmaps pages, with the batched flush (try_to_unmap_one "
                                "... arch_tlbbatch_flush: TLB_FLUSH_ALL, no generation)"),
    Param("pti", False, doc="page-table isolation: user mode runs on each slot's user PCID, filled by user-mode "
                            "walks; a flush of the slot only marks it (invalidate_user_asid) and the return to "
                            "user flushes it (SWITCH_TO_USER_CR3); not with madv_free or munmap"),
    Param("pti_invalidate_user", True, doc="(bug when False, a mistake, not a kernel version) flushes leave "
                                           "the user PCID alone"),
    Param("munmap", False, doc="munmap also runs: zap every PTE, free_pgtables detaches the PTE-table page, "
                               "the flush says freed_tables (lazy CPUs too) and the table is freed with the "
                               "pages; page walks go through per-ASID paging-structure caches"),
    Param("freed_tables_flush_lazy", True, doc="(bug when False, B1: before b956575bed91) a flush that frees "
                                               "page tables skips lazy CPUs like any other"),
    Param("madv_free", False, doc="MADV_FREE also runs: madvise_free_pte_range cleans the PTE's dirty bit and "
                                  "marks the folio lazyfree, then flushes; user stores and the cached dirty "
                                  "bit are modelled; with reclaim, try_to_unmap_one discards a clean lazyfree page"),
    Param("locks", False, doc="the PTL of the page-table page and mmap_lock: MADV_DONTNEED/MADV_FREE hold "
                              "mmap_lock for read; zaps, faults and reclaim take the PTL"),
    Param("mremap", False, doc="mremap moves a PTE to the last page's VA (unmapped at first) under mmap_lock "
                               "for write and the PTL, and flushes the old VA; ftruncate zaps pages without "
                               "mmap_lock (unmap_mapping_range); implies locks"),
    Param("mremap_flush_under_ptl", True, doc="(bug when False, CVE-2018-18281, before eb66ae030829) "
                                              "move_ptes drops the PTL before the old range is flushed"),
    Param("migrate", False, doc="page migration: try_to_migrate_one puts a migration entry in the PTE and "
                                "flushes, move_to_new_page copies the frame to a free one (one more frame), "
                                "remove_migration_ptes maps it; implies locks"),
    Param("migrate_kind", "pages", choices=("pages", "device"), doc="migrate_pages (compaction, NUMA) or a "
                                                                  "device driver's migrate_vma_setup/_pages/_finalize"),
    Param("migrate_ref_check", True, doc="(bug when False, a mistake) with dio, migration copies and frees a "
                                         "folio the direct IO holds, whose write then lands in the old frame"),
    Param("migrate_flush_before_copy", True, doc="(bug when False, a mis-order) the copy may run before the "
                                                 "flush of the old translation"),
    Param("slot_gen_before_ipi", True, doc="(bug when False, N4: FreeBSD r362031, fixed in r368649) the CPUs "
                                           "not IPI'd see their ASID slots invalidated only when the initiator "
                                           "flushes locally, after sending the IPIs, not before it reads the "
                                           "cpumask"),
    Param("csd_fifo", False, doc="a CPU runs the csds on its call_single_queue in the order they were queued "
                                 "(llist_add, then llist_reverse_order in flush_smp_call_function_queue); "
                                 "False: in any order, a superset. Two initiators at most"),
    Param("dio", False, doc="a direct-IO read: gup_fast takes a reference on a page's frame (try_grab_folio, "
                            "then rechecks the PTE), the device writes it, the reference goes"),
    Param("lazyfree_ref_check", True, doc="(bug when False, before 6c8e2a256915, v5.18) try_to_unmap_one "
                                          "discards a clean lazyfree page without checking ref_count == "
                                          "1 + map_count, though a GUP holds it"),
    Param("invalid_gen_check", True, doc="(bug when False, v5.19-rc: aa44284960d5 before 8f1d56f64f8d) "
                                         "a request without a generation counts as already done"),
    Param("switch_gen_check", True, doc="(bug when False) switch_mm_irqs_off reuses this mm's ASID slot "
                                        "without comparing ctxs[asid].tlb_gen: NOFLUSH over old entries"),
    Param("rule", "v6", choices=("v5", "v6"), doc="flush_tlb_func's generation check: v5.13, or v5.19+ "
                                                   "(new_tlb_gen <= local_tlb_gen returns first)"),
    Param("partial_end_check", True, doc="(bug when False) partial flush without end != TLB_FLUSH_ALL"),
    Param("partial_next_check", True, doc="(bug when False) partial flush without new_tlb_gen == "
                                          "local_tlb_gen + 1"),
    Param("partial_latest_check", True, doc="(bug when False) partial flush without new_tlb_gen == "
                                            "mm_tlb_gen")),
    __doc__)
