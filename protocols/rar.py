"""rar — Intel Remote Action Request: targeted TLB invalidation by microcode on global ASIDs (RFC v4, 2025).

An mm that is active on enough CPUs gets a process-wide *global ASID*, exactly as with INVLPGB
(protocols/invlpgb.py: consider_global_asid on the IPI path, mm_assign_global_asid, the transition,
finish_asid_transition). Its flushes are then Remote Action Requests: the initiator fills its payload
slot in the global payload table (the PCID and the VA range), writes PENDING into the action byte of
that slot in each target's action vector, sends the RAR IPI, and spins until each byte is SUCCESS
again. No kernel handler runs on the target: its microcode reads the payload, invalidates, and writes
SUCCESS, even with interrupts off (RAR_CTRL_IGNORE_IF). (../shared/reference/broadcast_flush.md §6;
RFC v4 https://lore.kernel.org/r/20250619200442.1694583-1-riel@surriel.com, patch 5/8 "x86/mm:
Introduce Remote Action Request" -6- (arch/x86/mm/rar.c), 6/8 "x86/mm: use RAR for kernel TLB flushes" -7-
(flush_tlb_all), and "x86/mm: userspace & pageout flushing using Intel RAR" (arch/x86/mm/tlb.c; the RFC v3 7/7
text, 20250605163544.3852565-8).)

  initiator i (CPUs 0..initiators-1)               any CPU t / the hardware
  madvise_dontneed(i, p)   zap one PTE             tlb_fill(t, s, p) (s: the loaded PCID), user_access(t, p)
  inc_mm_tlb_gen(i)        reads global_asid        flush_tlb_func(t, i)  the IPI handler
   IPI path (no global ASID, or should_trim_cpumask(i)):  switch_mm_begin / _load_cr3 / _done(t)
     ipi_send / ipi_skip(i, t); csd_lock_wait(i)    enter_lazy_tlb / leave_lazy / switch_mm_out(t)
     use_global_asid(i) -> mm_assign_publish(i)     rar_invalidate(t, i): t's microcode runs payload i
     or consider_global_asid_skip(i)                rar_signal_done(t): the RAR signal serviced
   RAR path (global ASID): smp_call_rar_many        store_buffer_drain(t), action_store_drain(i)
     set_payload(i)  cpumask_and(dest, mm_cpumask) + the payload, smp_wmb   (memory="tso")
     set_action_entry(i, t) PENDING for each t in dest
     native_send_rar_ipi(i); wait_for_action_done(i)
     finish_asid_transition_cpu(i, t) ... -> IPIs to the whole mask, or asid_transition = false
  tlb_finish_mmu(i)        frees the frame
  allocator:               use_global_asid, or use_global_asid_reset -> reset_global_asid_space;
                           then allocate_global_asid
                           the other mm B: b_use_global_asid or b_use_global_asid_reset, b_tlb_fill,
                           b_access, b_destroy_context

The rule that differs from INVLPGB: a RAR reaches only the CPUs in mm_cpumask. A CPU that left the
mask (flush_tlb_func clears the bit on a CPU running another mm, or on a lazy one, which then switches
to init_mm) keeps its global-ASID entries while flushes pass it by, so switch_mm_irqs_off flushes the
global PCID when it sets the CPU's bit (choose_new_asid's `new_cpu`), and the prev == next path that
moves a CPU onto the global ASID always flushes it. RAR does not touch tlb_gen (the global ASID has no
ctxs[] entry), so no generation check can stand in for that flush.

The model's ASIDs are protocols/invlpgb.py's: each CPU's TLB is tagged with two PCIDs of this mm, its
dynamic slot (index 0; caught up with mm->context.tlb_gen at switch-in and in flush_tlb_func) and the
mm's global ASID (index 1). The generation rule is reduced to one bit per CPU (`behind`: the slot's
ctxs[].tlb_gen is older than the mm's; inc_mm_tlb_gen makes every CPU behind, a catch-up flushes the
slot and clears it; tlb_gen.py has the rule itself). Another mm competes for CPUs (mode "other").

The payload table has one slot per CPU (cpu_rar_payload_number: cpu % rar_max_payloads, and the MSR
gives up to 64 slots, so on machines of up to 64 CPUs each CPU owns its slot; its rar_lock is then
never contended and is not modelled). A slot holds the range of this mm's global PCID (RAR_TYPE_INVPCID,
RAR_INVPCID_ADDR). The action vector is one byte per (CPU, slot): PENDING or SUCCESS. The RAR IPI
latches a signal on each target; while it is latched the microcode may run any PENDING entry of its
vector, at any time and in any order (weakly fair: the hardware finishes), and the signal is serviced
once no entry is pending (an entry that turns PENDING while the signal is latched may be run by it).

Memory model: sequential consistency, or `memory="tso"`: the loaded_mm stores go through a per-CPU
x86-TSO store buffer of one entry (as in protocols/invlpgb.py), and so do the initiator's PENDING
stores to the action bytes (a second one-entry buffer, filled only while the loaded_mm buffer is
empty, so FIFO order is kept). The payload stores are made visible at once (x86 keeps them before the
PENDING stores in any case: smp_wmb() is a compiler barrier there). The RAR IPI is a WRMSR to the
x2APIC ICR, which is not ordered after earlier stores: the kernel's x2APIC send path fences first
(weak_wrmsr_fence), so native_send_rar_ipi waits until the PENDING stores are in memory.

Bug switches (each True in the design): `switch_in_flush` (choose_new_asid flushes the global PCID on
a CPU that was outside mm_cpumask), `rar_lazy` (the RAR goes to every CPU of the mask, lazy ones too:
smp_call_rar_many does not use should_flush_tlb), `payload_first` (set_payload and smp_wmb before the
action bytes are set PENDING), `switch_mb` (switch_mm_irqs_off's smp_mb() before reading global_asid,
under memory="tso"), `transition_first` (asid_transition before global_asid); with PTI
`pti_user_broadcast` (rar_tlb_flush's second RAR, on user_pcid(asid)) and `user_flush_mask_wide`
(user_pcid_flush_mask holds a bit for every PCID, as after "x86/mm: resize user_pcid_flush_mask for
PTI / broadcast TLB flush combination"; False: v6.15's 16-bit field, where the global ASID's bit lands
in the bytes after it and a store there may clear it); with the allocator `reset_flushes`
(reset_global_asid_space runs flush_tlb_all).

The allocator (`allocator=True`, `global_asids` 2 or 3): v6.15's global-ASID allocator and the other mms B,
protocols/global_asid.py's (as protocols/invlpgb.py has them: the bitmaps, the cursor, the edge, MAX_ASID_AVAILABLE
past it; B holds a global ASID, caches its page under it and exits, and mm_free_global_asid only marks the ASID
freed; a new B is given the next one in one step, its reset applied at once: b_use_global_asid_reset). RFC v4
enables use_global_asid and mm_free_global_asid for RAR under guard(raw_spinlock) (no longer irqsave:
smp_call_rar_many must not run with IRQs off), and reset_global_asid_space flushes with flush_tlb_all, which on RAR
hardware is rar_flush_all: a RAR to every online CPU with PCID 0 (RAR_INVPCID_ALL: every PCID, globals included),
waited for, then invpcid_flush_all on the CPU itself. This mm's reset is that RAR on its own payload slot:
use_global_asid_reset (at the edge) fills the slot, marks every CPU's action byte PENDING and latches the RAR signal
everywhere in one step (smp_call_rar_many's order inside is the flush path's, checked there); the targets' microcode
runs it like any payload (rar_invalidate, IRQs off too); reset_global_asid_space waits until every byte is SUCCESS
again, flushes its own TLB and moves the freed ASIDs back. The mm's global ASID is then a PCID value: the RAR path's
payload, flush_tlb_func, leave_lazy and choose_new_asid's flush of a CPU new to mm_cpumask all use the ASID it was
given.

PTI (`pti=True`): each PCID has a user PCID (kPCID | 2048) that user mode runs on and user-mode walks
fill; a CPU's own flush of a PCID (flush_tlb_local, a CR3 write without NOFLUSH) calls
invalidate_user_asid, which only marks the user PCID in user_pcid_flush_mask, and the return to user
(SWITCH_TO_USER_CR3) flushes it; RAR flushes the CPU's own global PCID on the trim IPI and on the switch
back into the mask, so the global ASID's bit is set too. rar_tlb_flush's two RARs (kernel and user
PCID) are one payload here; the kernel's accesses to user memory go through the kernel PCID.

munmap (`munmap=True`, not with PTI): zap every PTE, free_pgtables detaches the PTE-table page into the
same batch, and the flush says freed_tables: should_flush_all sends its IPIs (before the global ASID) to lazy
CPUs too (`freed_tables_all=False`: filtered, a bug); paging-structure caches per CPU and PCID, dropped
by the CPU's own flush of the PCID (a CR3 write without NOFLUSH) and by a RAR's invalidation (RAR_TYPE_
INVPCID, individual address: INVPCID drops every paging-structure-cache entry of the PCID, Intel SDM vol.
3 §4.10.4.1). Page walks start at the loaded PCID's cached PTE table, else at the PMD; one that reads a
freed table breaks no_freed_table_walk. With rounds > 1, pte_alloc attaches a table (perhaps the freed
one) first. The declarations are protocols/page_tables.py's, the actions global_asid.py's (shared with
invlpgb.py).

Scope: MADV_DONTNEED of one page (or munmap of the whole mapping) per operation; without `allocator`, one
global ASID and no other mm's translations; with it, two or three global ASIDs, each B's memory one frame, B's
own flushes and dynamic ASIDs not modelled, this mm never destroyed, and neither PTI nor munmap beside it; no
kernel PCID-0 flushes but the reset's, no reclaim (rar_full_flush); the initiator is a RAR target like every
CPU of the mask (the RFC's extra local flush_tlb_func repeats the same invalidation and is left out); payloads
never report FAILURE; a RAR is never sent to an empty mask (the initiator's CPU runs the mm);
the active-CPU threshold is a parameter, the sampling gate and should_trim_cpumask free choices.
"""
from __future__ import annotations

from checker.lang import (BOOL, Elem, If, IntRange, Mask, ModelBuilder, ModelError, Param, Protocol, exists,
                          forall, when)

from . import global_asid as gasid
from . import page_tables

TLB_C = "arch/x86/mm/tlb.c"
RAR_C = "arch/x86/mm/rar.c"
TLBFLUSH_H = "arch/x86/include/asm/tlbflush.h"
RFC = "RAR RFC v4 (lore 20250619200442.1694583-1-riel@surriel.com)"
RFC_RAR = "RAR RFC v4 5/8 (lore 20250619200442.1694583-6-riel@surriel.com)"
RFC_TLB = "RAR RFC v4, x86/mm: userspace & pageout flushing using Intel RAR"
RFC_KERNEL = "RAR RFC v4 6/8 x86/mm: use RAR for kernel TLB flushes (lore 20250619200442.1694583-7-riel@surriel.com)"
V = "v6.15"


def build(cfg):
    n, k, pages, rounds = cfg.cpus, cfg.initiators, cfg.pages, cfg.rounds
    if k > n:
        raise ModelError(f"initiators={k} is more than cpus={n}", "give initiators <= cpus")
    tso = cfg.memory == "tso"
    if cfg.global_at_start and cfg.assigned_at_start:
        raise ModelError("global_at_start=True with assigned_at_start=True",
                         "give one: the transition finished at the start, or just begun")
    pti, tables = cfg.pti, cfg.munmap
    if pti and tables:
        raise ModelError("pti=True with munmap=True", "check PTI and munmap apart: drop one of the two")
    alloc, G = cfg.allocator, gasid.global_asids(cfg)
    if alloc and (cfg.global_at_start or cfg.assigned_at_start or pti or tables):
        raise ModelError("allocator=True with global_at_start, assigned_at_start, pti or munmap",
                         "the allocator check starts on dynamic ASIDs, beside MADV_DONTNEED alone: drop the other "
                         "switch")
    m = ModelBuilder(cfg.name if hasattr(cfg, "name") else "rar", cfg, __doc__)
    CPU = m.index_set("CPU", n, symmetric=(k == n), lanes=True)
    Page = m.index_set("Page", pages)
    # allocator: two more frames for the pages of the other mms B: a new B takes one an earlier B freed
    Frame = m.index_set("Frame", pages + (2 if alloc else 0))
    # 0: the CPU's dynamic ASID slot for this mm; then the mm's global ASID, or with the allocator the
    # `global_asids` global ASIDs and MAX_ASID_AVAILABLE, shared with mm B (gasid.Allocator)
    PCID = m.index_set("PCID", 2 + G if alloc else 2)
    DYN, GLOB = PCID.members[0], PCID.members[1]
    GLOBALS = PCID.members[1:]
    FrameRef = Elem(Frame, optional=True)
    Phase = m.enum("Phase", "idle", "flush_start", "sending", "waiting", "consider",
                   *(("reset_sync", "claim") if alloc else ()), "assign",
                   "rar_start", "rar_mark", "rar_fill", "rar_ipi", "rar_wait", "finish", "flushed", "freed", "done")
    Mode = m.enum("Mode", "user", "lazy", "other", "switching", "cr3")
    Loaded = m.enum("LoadedMm", "mm", "other", "switching")

    pte = m.array("pte", Page, FrameRef, lambda p: p, "the frame page p's PTE maps")
    frame = gasid.declare_frame(m, Frame, pages, alloc)
    batch = m.array("batch", Frame, Elem(CPU, optional=True), None, "whose mmu_gather batch holds frame f")
    tlb = m.array("tlb", (CPU, PCID, Page), FrameRef, None,
                  "the frame CPU c's TLB maps page p to under this mm's PCID s (0 dynamic, 1 global)")
    mode = m.array("mode", CPU, Mode, "user",
                   "what CPU c runs: this mm's task, a lazy kthread, another mm (or init_mm), or "
                   "switch_mm_irqs_off to this mm (loaded_mm = SWITCHING stored; cr3: CR3 loaded)")
    start = GLOB if cfg.global_at_start else DYN
    loaded_asid = m.array("loaded_asid", CPU, Elem(PCID), start,
                          "cpu_tlbstate.loaded_mm_asid: this mm's dynamic slot or its global ASID")
    behind = m.array("behind", CPU, BOOL, False,
                     "cpu_tlbstate.ctxs[asid].tlb_gen of CPU c's dynamic slot is older than mm->context.tlb_gen")
    mm_cpumask = m.var("mm_cpumask", Mask(CPU), range(n), "mm_cpumask(mm): the CPUs a RAR or an IPI reaches")
    al = gasid.Allocator(m, CPU, PCID, Frame, pages, G) if alloc else None
    if alloc:
        global_asid = al.global_asid
    else:
        global_asid = m.var("global_asid", BOOL, cfg.global_at_start or cfg.assigned_at_start,
                            "mm->context.global_asid != 0")
    asid_transition = m.var("asid_transition", BOOL, cfg.assigned_at_start, "mm->context.asid_transition")
    asid_lock = m.var("global_asid_lock", Elem(CPU, optional=True), None,
                      "who holds global_asid_lock (use_global_asid)")
    phase = m.array("phase", CPU, Phase, "idle", "where initiator c is in MADV_DONTNEED and its flush")
    rnd = m.array("round", CPU, IntRange(0, rounds - 1), 0, "which operation of initiator c this is")
    in_range = m.array("in_range", (CPU, Page), BOOL, False, "page p lies in initiator c's flush range")
    bcast = m.array("bcast", CPU, BOOL, False,
                    "initiator c's flush_tlb_mm_range took broadcast_tlb_flush (global ASID, no trim)")
    all_mask = m.array("all_mask", CPU, BOOL, False,
                       "initiator c's flush_tlb_multi IPIs the whole mask, lazy CPUs too (should_flush_all: "
                       "a global ASID, asid_transition or finish_asid_transition's IPIs)")
    scanned = m.array("scanned", CPU, Mask(CPU), (),
                      "CPUs initiator c's current scan (IPIs, action entries, finish_asid_transition) has handled")
    csd = m.array("csd", (CPU, CPU), BOOL, False, "initiator i's flush csd for CPU t is locked and queued")
    # the RAR hardware interface
    dest = m.array("rar_dest", CPU, Mask(CPU), (), "smp_call_rar_many's dest_mask: mm_cpumask as initiator c read it")
    payload = m.array("rar_payload", (CPU, Page), BOOL, False,
                      "payload slot c (initiator c's) invalidates page p of the mm's global PCID")
    action = m.array("rar_action", (CPU, CPU), BOOL, False,
                     "CPU t's action vector, byte of payload slot i, in memory: PENDING (else SUCCESS)")
    if alloc:
        payload_all = m.array("rar_payload_all", CPU, BOOL, False,
                              "payload slot c is flush_tlb_all's: RAR_INVPCID_ALL with PCID 0 (every PCID, globals "
                              "included)")
    signal = m.array("rar_signal", CPU, BOOL, False, "a RAR IPI is latched on CPU t and not yet serviced")
    stale_access = m.array("stale_access", (CPU, Page), BOOL, False, history=True)
    if alloc:
        al.declare_history()
    tlb_user, user_flush = gasid.declare_pti(m, CPU, PCID, Page, FrameRef) if pti else (None, None)
    if tables:
        pt = page_tables.declare(m, CPU, PCID, rounds, "this mm's PCID s")
        psc, freed_tables = pt.psc, pt.freed_tables
    if tso:
        lm_mem, sb = gasid.declare_store_buffer(m, CPU, Loaded)
        act_sb = m.array("act_sb", CPU, Elem(CPU, optional=True), None,
                         "CPU i's store buffer: its PENDING store to CPU t's action byte, not yet in memory")

    ga = gasid.Mm(m, k=k, n=n, tso=tso, CPU=CPU, Page=Page, Frame=Frame, PCID=PCID, pte=pte, frame=frame,
                  batch=batch, tlb=tlb, mode=mode, loaded_asid=loaded_asid, mm_cpumask=mm_cpumask,
                  asid_transition=asid_transition, asid_lock=asid_lock, phase=phase, rnd=rnd, in_range=in_range,
                  all_mask=all_mask, scanned=scanned, csd=csd, stale_access=stale_access,
                  lm_mem=lm_mem if tso else None, sb=sb if tso else None, tlb_user=tlb_user, user_flush=user_flush,
                  global_asid=global_asid, al=al)
    preemptible, on_cpu = ga.preemptible, ga.on_cpu
    has_g, a_pcid, glob_entry = ga.has_g, ga.a_pcid, ga.glob_entry
    sb_free, between_ops, flusher = ga.sb_free, ga.between_ops, ga.flusher

    def flush_pcid(c, s, cond):
        """CPU c's entries under PCID s dropped when cond (a CR3 write without NOFLUSH, flush_tlb_local), its
        paging-structure-cache entries too (Intel SDM vol. 3 §4.10.4.1); with PTI, invalidate_user_asid(s)
        marks its user PCID (for the global ASID too: kern_pcid(asid)'s bit)."""
        return [tlb[c, s, p].becomes(If(cond, None, tlb[c, s, p])) for p in Page.members] + (
            [psc[c, s].becomes(If(cond, None, psc[c, s]))] if tables else []) + ga.invalidate_user(c, s, cond)

    def flush_glob(c, cond):
        """flush_pcid of the mm's global PCID (with the allocator: the one it was given)."""
        if not alloc:
            return flush_pcid(c, GLOB, cond)
        return [u for s in GLOBALS for u in flush_pcid(c, s, cond & (global_asid == s))]

    def catch_up(c, cond):
        """The dynamic slot loaded with the generation check: flushed if behind mm->context.tlb_gen."""
        late = cond & behind[c]
        return flush_pcid(c, DYN, late) + [behind[c].becomes(behind[c] & ~late)]

    initiator = gasid.INITIATOR

    # ------------------------------------------------------------ the initiators
    gasid.declare_madvise_dontneed(ga)
    if tables:
        gasid.declare_munmap(ga, pt, rounds)

    def start_flush(i, rar, all_cpus):
        """flush_tlb_mm_range after inc_mm_tlb_gen: every CPU's dynamic slot is now behind; broadcast_tlb_flush
        (a RAR) or flush_tlb_multi, whose should_flush_all IPIs the whole mask (`all_cpus`: the mm has a
        global ASID, is in transition, or trim_cpumask)."""
        return [behind[c].becomes(True) for c in CPU.members] + [
            bcast[i].becomes(rar), all_mask[i].becomes(all_cpus), scanned[i].becomes(CPU.empty()),
            phase[i].becomes(If(rar, "rar_start", "sending"))]

    @m.action(CPU, **initiator, ref=f"{TLB_C}: flush_tlb_mm_range: get_cpu, inc_mm_tlb_gen (a full barrier); "
                                    f"if (mm_global_asid(mm) && !info->trim_cpumask) broadcast_tlb_flush -> "
                                    f"rar_tlb_flush; else flush_tlb_multi ({RFC_TLB}; mm_global_asid: "
                                    f"smp_load_acquire, {TLBFLUSH_H})")
    def inc_mm_tlb_gen(i):
        every = ~has_g & asid_transition
        if tables and cfg.freed_tables_all:   # should_flush_all: info->freed_tables
            every = every | freed_tables[i]
        return when(phase[i] == "flush_start", start_flush(i, has_g, every))

    @m.action(CPU, **initiator, ref=f"{TLB_C}: flush_tlb_mm_range: info->trim_cpumask = should_trim_cpumask(mm) "
                                    f"(once a second per mm): the IPI path even with a global ASID, to trim "
                                    f"mm_cpumask ({RFC_TLB})")
    def should_trim_cpumask(i):
        return when((phase[i] == "flush_start") & has_g, start_flush(i, False, True))

    gasid.declare_ipis(ga, bcast=None if cfg.global_at_start else bcast)
    gasid.declare_csd_lock_wait(ga, lambda i: If(bcast[i], "flushed", "consider"))

    first, second, publish_ref = gasid.publish_order(cfg, asid_transition, global_asid)

    def rar_flush_all(i):
        """The reset's flush_tlb_all -> rar_flush_all -> smp_call_rar_many(cpu_online_mask, 0, 0, TLB_FLUSH_ALL)
        up to its RAR IPI, in one step (the flush path checks that code's order step by step): payload slot i
        RAR_INVPCID_ALL, every CPU's action byte PENDING, the RAR signal latched on every CPU; none without
        `reset_flushes`."""
        return ([payload_all[i].becomes(True)] + [action[t, i].becomes(True) for t in CPU.members]
                + [signal[t].becomes(True) for t in CPU.members]) if cfg.reset_flushes else []

    gasid.declare_use_global_asid(ga, cfg, has_g, first,
                                  f"{TLB_C}: flush_tlb_mm_range -> consider_global_asid: mm_active_cpus_exceeds(mm, 3) "
                                  f"-> use_global_asid: under global_asid_lock, allocate_global_asid, "
                                  f"mm_assign_global_asid: {publish_ref} ({V}, {TLBFLUSH_H}; X86_FEATURE_RAR: "
                                  f"{RFC_TLB})",
                                  rar_flush_all if alloc else None)

    if alloc:
        reset_ref = ("flush_tlb_all -> rar_flush_all -> rar_full_flush: smp_call_rar_many waits for every CPU's "
                     "RAR_SUCCESS (wait_for_action_done), free_payload_slot, then invpcid_flush_all on this CPU; "
                     if cfg.reset_flushes else "(no flush_tlb_all: the flush removed) ")
        gasid.declare_reset_global_asid_space(
            ga, f"{TLB_C}: allocate_global_asid -> reset_global_asid_space: {reset_ref}bitmap_andnot(used, used, "
                f"freed), bitmap_clear(freed), last_global_asid = TLB_NR_DYN_ASIDS ({V}; X86_FEATURE_RAR: "
                f"{RFC_TLB}; flush_tlb_all: {RFC_KERNEL})",
            lambda i: forall(CPU, lambda t: ~action[t, i]),
            lambda i: [payload_all[i].becomes(False)] + ([tlb[i, s, p].becomes(None) for s in PCID.members
                                                          for p in Page.members] if cfg.reset_flushes else []))
        gasid.declare_allocate_global_asid(ga, first, f"{V}; X86_FEATURE_RAR: {RFC_TLB}")

    gasid.declare_mm_assign_publish(ga, gasid.assign_store(al, second, al.last if alloc else True))
    gasid.declare_consider_global_asid_skip(ga, "the sampling gate ((pid & 31) == (jiffies & 31)) fails")

    # RAR path: smp_call_rar_many(mm_cpumask(mm), kern_pcid(global asid), start, end)
    def rar_targets():
        """cpumask_and(dest_mask, mask, cpu_online_mask): the whole mask, lazy CPUs too (with rar_lazy=False,
        should_flush_tlb's filter: lazy CPUs left out)."""
        if cfg.rar_lazy:
            return mm_cpumask
        out = mm_cpumask
        for c in CPU.members:
            out = If(mode[c] == "lazy", out.without(c), out)
        return out

    def set_payload_updates(i):
        return [payload[i, p].becomes(in_range[i, p]) for p in Page.members]

    @m.action(CPU, **initiator, ref=f"{RAR_C}: smp_call_rar_many: cpumask_and(dest_mask, mask, cpu_online_mask); "
                                    f"get_payload_slot (rar_locks[cpu % rar_max_payloads])"
                                    + ("" if cfg.rar_lazy else "; lazy CPUs left out (should_flush_tlb's filter "
                                                               "reused: a guard removed)")
                                    + ("; set_payload: RAR_TYPE_INVPCID, RAR_INVPCID_ADDR, pcid, linear_address, "
                                       "num_pages; smp_wmb()" if cfg.payload_first else "") + f" ({RFC_RAR})")
    def set_payload(i):
        targets = rar_targets()
        none = targets == CPU.empty()   # "Some callers race with other CPUs changing the passed mask": return
        return when(phase[i] == "rar_start", dest[i].becomes(targets), scanned[i].becomes(CPU.empty()),
                    set_payload_updates(i) if cfg.payload_first else [],
                    phase[i].becomes(If(none, If(asid_transition, "finish", "flushed"), "rar_mark")))

    def pending_seen(i, t):
        """Initiator i reads CPU t's action byte of its slot as PENDING (its own buffered store forwarded)."""
        return (action[t, i] | (act_sb[i] == t)) if tso else action[t, i]

    after_mark = "rar_ipi" if cfg.payload_first else "rar_fill"

    @m.action(CPU, CPU, actor=lambda i, t: i, fair="strong",
              ref=f"{RAR_C}: smp_call_rar_many: for_each_cpu(cpu, dest_mask) set_action_entry: "
                  f"WRITE_ONCE(rar_action[payload_nr], RAR_PENDING) ({RFC_RAR})")
    def set_action_entry(i, t):
        store = [act_sb[i].becomes(t)] if tso else [action[t, i].becomes(True)]
        room = (sb_free(i) & (act_sb[i] == None)) if tso else True  # noqa: E711
        return when((phase[i] == "rar_mark") & dest[i].has(t) & ~scanned[i].has(t) & room, store,
                    scanned[i].becomes(scanned[i].with_(t)),
                    phase[i].becomes(If(scanned[i].with_(t) == dest[i], after_mark, "rar_mark")))

    if not cfg.payload_first:
        @m.action(CPU, **initiator, ref=f"{RAR_C}: set_payload after the action entries are PENDING (order "
                                        f"swapped: the payload written after set_action_entry) ({RFC_RAR})")
        def set_payload_late(i):
            return when(phase[i] == "rar_fill", set_payload_updates(i), phase[i].becomes("rar_ipi"))

    @m.action(CPU, **initiator, ref=f"{RAR_C}: smp_call_rar_many: native_send_rar_ipi(dest_mask): the RAR "
                                    f"vector through the x2APIC ICR (weak_wrmsr_fence first: the PENDING stores "
                                    f"are visible) ({RFC_RAR}, and 4/8 x86/apic: Introduce Remote Action Request "
                                    f"Operations)")
    def native_send_rar_ipi(i):
        fence = (act_sb[i] == None) if tso else True  # noqa: E711
        return when((phase[i] == "rar_ipi") & fence,
                    [signal[t].becomes(signal[t] | dest[i].has(t)) for t in CPU.members],
                    phase[i].becomes("rar_wait"))

    @m.action(CPU, **initiator, ref=f"{RAR_C}: smp_call_rar_many: for_each_cpu(cpu, dest_mask) "
                                    f"wait_for_action_done: spin while READ_ONCE(rar_action[payload_nr]) == "
                                    f"RAR_PENDING; free_payload_slot. {TLB_C}: broadcast_tlb_flush -> "
                                    f"finish_asid_transition if mm_in_asid_transition ({RFC_RAR}; {RFC_TLB})")
    def wait_for_action_done(i):
        return when((phase[i] == "rar_wait") & forall(CPU, lambda t: ~(dest[i].has(t) & pending_seen(i, t))),
                    dest[i].becomes(CPU.empty()), scanned[i].becomes(CPU.empty()),
                    phase[i].becomes(If(asid_transition, "finish", "flushed")))

    # finish_asid_transition, as merged (v6.15), run after rar_tlb_flush
    gasid.declare_finish_asid_transition_cpu(
        ga, f"{TLB_C}: finish_asid_transition: for_each_cpu(cpu, mm_cpumask(mm)): while (loaded_mm == "
            f"LOADED_MM_SWITCHING) cpu_relax(); skip unless loaded_mm == mm; if loaded_mm_asid != global "
            f"ASID: info->trim_cpumask = true, flush_tlb_multi(mm_cpumask) and return ({V}; {RFC_TLB})",
        lambda t: loaded_asid[t] != a_pcid)

    gasid.declare_mm_clear_asid_transition(ga, "flushed")

    @m.action(CPU, **initiator, ref=f"mm/mmu_gather.c: tlb_finish_mmu -> tlb_flush_mmu_free: free the gathered "
                                    f"pages; flush_tlb_mm_range has returned ({V})")
    def tlb_finish_mmu(i):
        last = rnd[i] + 1 >= rounds
        return when(phase[i] == "flushed", ga.free_batch(i), phase[i].becomes(If(last, "done", "freed")),
                    pt.free_batch(i) if tables else [])

    if rounds > 1:
        gasid.declare_do_anonymous_page(ga, False, (pt.pmd != None) if tables else True)  # noqa: E711

    # ------------------------------------------------------------ the hardware: RAR microcode
    @m.action(CPU, CPU, actor=lambda t, i: t, fair="weak", hardware=True,
              ref="Intel RAR (white paper 341431): with a RAR signal latched, CPU t's microcode reads payload i "
                  "for its PENDING action byte, invalidates (INVPCID, address-specific, the global PCID"
                  + ("; or RAR_INVPCID_ALL, every PCID: the reset's flush_tlb_all" if alloc else "") + "; any "
                  f"time, any order, IRQs off too: RAR_CTRL_IGNORE_IF) and writes RAR_SUCCESS ({RFC_RAR})")
    def rar_invalidate(t, i):
        if alloc:   # payload i: the mm's global PCID by address, or (the reset's rar_flush_all) every PCID
            drop = [tlb[t, s, p].becomes(If(payload_all[i] | (payload[i, p] & (global_asid == s)) if s != DYN
                                            else payload_all[i], None, tlb[t, s, p]))
                    for s in PCID.members for p in Page.members]
        else:
            drop = [tlb[t, GLOB, p].becomes(If(payload[i, p], None, tlb[t, GLOB, p])) for p in Page.members]
        return when(signal[t] & action[t, i], drop,
                    # PTI: rar_tlb_flush's second smp_call_rar_many, on user_pcid(asid), run with the first
                    [tlb_user[t, GLOB, p].becomes(If(payload[i, p], None, tlb_user[t, GLOB, p]))
                     for p in Page.members] if pti and cfg.pti_user_broadcast else [],
                    # INVPCID individual-address: the PCID's paging-structure-cache entries go too
                    [psc[t, GLOB].becomes(None)] if tables else [],
                    action[t, i].becomes(False))

    @m.action(CPU, actor=lambda t: t, fair="weak", hardware=True,
              ref="Intel RAR (white paper 341431): the RAR signal is serviced: no action byte of CPU t is "
                  "PENDING")
    def rar_signal_done(t):
        return when(signal[t] & forall(CPU, lambda i: ~action[t, i]), signal[t].becomes(False))

    # ------------------------------------------------------------ every CPU's flush handler
    @m.action(CPU, CPU, actor=lambda t, i: t, fair="strong",
              ref=f"{TLB_C}: flush_tlb_func: loaded_mm != mm -> cpumask_clear_cpu, return; is_lazy -> "
                  f"cpumask_clear_cpu, switch_mm_irqs_off(NULL, &init_mm); mm_needs_global_asid -> "
                  f"switch_mm_irqs_off(NULL, loaded_mm) onto the global ASID (a flush); a global ASID is "
                  f"flushed (RAR: no early return, local_tlb_gen = 0); else catch up with "
                  f"mm->context.tlb_gen; csd_unlock ({RFC_TLB})")
    def flush_tlb_func(t, i):
        lazy = mode[t] == "lazy"
        user = mode[t] == "user"
        glob = user & (has_g if alloc else (global_asid | (loaded_asid[t] == GLOB)))
        leave = (mode[t] == "other") | lazy
        return when(csd[i, t] & (mode[t] != "switching") & (mode[t] != "cr3") & (~lazy | sb_free(t)),
                    csd[i, t].becomes(False),
                    mm_cpumask.becomes(If(leave, mm_cpumask.without(t), mm_cpumask)),
                    loaded_asid[t].becomes(If(glob, a_pcid, loaded_asid[t])),
                    mode[t].becomes(If(lazy, "other", mode[t])),
                    [sb[t].becomes(If(lazy, "other", sb[t]))] if tso else [],
                    flush_glob(t, glob), catch_up(t, user & ~glob))

    # ------------------------------------------------------------ context switches (the scheduler's)
    gasid.declare_enter_lazy_tlb(ga)

    @m.action(CPU, environment=True, contexts=gasid.between_contexts(ga, "lazy", "lazy", rounds),
              ref=f"{TLB_C}: switch_mm_irqs_off, prev == next: mm_needs_global_asid "
                                         f"-> choose_new_asid(next, tlb_gen, true): the global PCID, flushed "
                                         f"(RAR: need_flush = new_cpu); is_global_asid -> return; else was_lazy: "
                                         f"smp_mb, flush if ctxs[asid].tlb_gen is behind ({RFC_TLB})")
    def leave_lazy(c):
        move = has_g & (loaded_asid[c] == DYN)
        return when(preemptible(c) & (mode[c] == "lazy"), mode[c].becomes("user"),
                    loaded_asid[c].becomes(If(move, a_pcid, loaded_asid[c])), flush_glob(c, move),
                    catch_up(c, ~has_g & (loaded_asid[c] == DYN)))

    gasid.declare_switch_mm_out_begin(ga, rounds)

    mb = ("cpumask_set_cpu if the bit is clear (new_cpu = true), else smp_mb()" if cfg.switch_mb
          else "cpumask_set_cpu if the bit is clear (new_cpu = true), else nothing (the smp_mb() dropped)")
    flush_rule = ("the global ASID if mm_global_asid(next), need_flush = new_cpu" if cfg.switch_in_flush
                  else "the global ASID if mm_global_asid(next), NOFLUSH even for a new CPU (INVLPGB's rule: "
                       "the RAR flush on switch-in removed)")

    @m.action(CPU, fair="strong", ref=f"{TLB_C}: switch_mm_irqs_off: {mb}; next_tlb_gen = "
                                      f"atomic64_read(&next->context.tlb_gen); choose_new_asid: {flush_rule}; "
                                      f"else the dynamic slot, flushed if ctxs[].tlb_gen is behind; "
                                      f"load_new_mm_cr3 ({RFC_TLB})")
    def switch_mm_load_cr3(c):
        # smp_mb(): the SWITCHING store reaches memory before tlb_gen and global_asid are read
        fence = (sb[c] == "empty") if tso and cfg.switch_mb else True
        g = has_g
        new_cpu = ~mm_cpumask.has(c)
        return when((mode[c] == "switching") & fence, mode[c].becomes("cr3"),
                    mm_cpumask.becomes(mm_cpumask.with_(c)),
                    loaded_asid[c].becomes(If(g, a_pcid, DYN) if alloc else
                                           If(g, GLOB, If(loaded_asid[c] == GLOB, DYN, loaded_asid[c]))),
                    flush_glob(c, g & new_cpu) if cfg.switch_in_flush else [], catch_up(c, ~g))

    gasid.declare_switch_mm_done(ga)

    if tso:
        gasid.declare_store_buffer_drain(ga, "x86-TSO: a buffered loaded_mm store reaches memory (Sewell et al., "
                                             "CACM 2010)")

        @m.action(CPU, CPU, actor=lambda i, t: i, fair="strong",
                  ref="x86-TSO: initiator i's buffered PENDING store reaches CPU t's action vector in memory")
        def action_store_drain(i, t):
            return when(act_sb[i] == t, act_sb[i].becomes(None), action[t, i].becomes(True))

    if alloc:
        # ------------------------------------------------------------ the other mm B and its global ASID
        gasid.declare_other_mm(ga, cfg.reset_flushes, "flush_tlb_all (a RAR to every CPU, waited for)",
                               cite=f"{V}; X86_FEATURE_RAR: {RFC_TLB}")

    # ------------------------------------------------------------ the hardware: walks and accesses
    if tables:
        gasid.declare_table_walk(ga, pt, "Intel SDM vol. 3 §4.10")
    else:
        gasid.declare_tlb_fill(ga, "Intel SDM vol. 3 §4.10")
    gasid.declare_user_access(ga, ("b", "b_exited") if alloc else ())
    if pti:
        gasid.declare_pti_user(ga, "Intel SDM vol. 3 §4.10.1", rounds)
        gasid.declare_kernel_uaccess(ga)
        if not cfg.user_flush_mask_wide:
            @m.action(CPU, environment=True, ref=f"{TLBFLUSH_H}: struct tlb_state: a store to the bytes after the "
                                                 f"16-bit user_pcid_flush_mask (the cr4 shadow: cr4_update_irqsoff; "
                                                 f"ctxs[]: switch_mm_irqs_off) where invalidate_user_asid's bit "
                                                 f"kern_pcid(global ASID) landed ({V})")
            def tlbstate_store_over_bit(c):
                return when(user_flush[c, GLOB], user_flush[c, GLOB].becomes(False))

    # ------------------------------------------------------------ properties
    unmapped = ga.unmapped

    gasid.invariant_no_stale_access(ga, "smp_call_rar_many waits for every target's RAR_SUCCESS")

    def has_glob(c):
        return exists(Page, lambda p: glob_entry(c, p) != None)  # noqa: E711

    gasid.invariant_gathered_in_batch(ga, V)
    m.invariant("rar_dest_in_call", forall(CPU, lambda i: (dest[i] == CPU.empty()) | (
            (phase[i] == "rar_mark") | (phase[i] == "rar_fill") | (phase[i] == "rar_ipi") | (phase[i] == "rar_wait"))),
                "smp_call_rar_many's dest_mask is live only inside the call (set_payload .. wait_for_action_done)",
                f"{RAR_C}: smp_call_rar_many ({RFC_RAR})")
    gasid.invariant_asid_lock_held(ga, ("reset_sync", "claim", "assign") if alloc else ("assign",), V)
    zapping = exists(CPU, lambda i: phase[i] == "flush_start")
    m.invariant("caught_up_slot_clean", forall(CPU, Page, lambda c, p: behind[c] | ~unmapped(c, DYN, p) | zapping),
                "a dynamic ASID slot whose ctxs[].tlb_gen is caught up holds no translation the mm has since changed "
                "(between the zap and inc_mm_tlb_gen excepted)",
                f"{TLB_C}: flush_tlb_func, choose_new_asid: the tlb_gen rule ({V})")
    settled = forall(CPU, lambda c: between_ops(c) & ~signal[c]) & forall(
        CPU, CPU, lambda i, t: ~csd[i, t] & ~action[i, t])
    m.invariant("caught_up_when_settled", ~settled | forall(
        CPU, lambda c: (mode[c] != "user") | (loaded_asid[c] != DYN) | ~behind[c]),
                "once no flush is in progress, a CPU running this mm on its dynamic slot has caught that slot up: "
                "one left marked behind takes a needless flush at its next switch-in",
                f"{TLB_C}: flush_tlb_func: this_cpu_write(cpu_tlbstate.ctxs[loaded_mm_asid].tlb_gen, "
                f"mm_tlb_gen) ({V})",
                precondition=settled & exists(CPU, lambda c: behind[c]))
    m.invariant("initiator_keeps_mm", forall(CPU, lambda c: between_ops(c) | on_cpu(c)),
                "an initiator's task keeps the mm loaded (not lazy) on its CPU from the zap to tlb_finish_mmu: "
                "the model's assumption that the operation is not preempted, checked",
                f"mm/madvise.c -> mm/mmu_gather.c: tlb_gather_mmu .. tlb_finish_mmu in the task ({V})")
    if alloc:
        gasid.allocator_invariants(ga, f"{V}; X86_FEATURE_RAR: {RFC_TLB}")
        m.invariant("rar_flush_all_in_reset", forall(CPU, lambda i: ~payload_all[i] | (phase[i] == "reset_sync")),
                    "a payload slot holds flush_tlb_all's RAR_INVPCID_ALL only while its CPU waits for that RAR in "
                    "reset_global_asid_space", f"{TLB_C}: rar_full_flush -> smp_call_rar_many ({RFC_KERNEL})")
    m.cover("rar_in_flight", exists(
        CPU, CPU, lambda t, i: (mode[t] == "user") & action[t, i] & signal[t] & exists(
            Page, lambda p: payload[i, p] & (glob_entry(t, p) != None))),  # noqa: E711
            "a RAR is signalled and a running target's TLB still holds a global-ASID entry its microcode will "
            "invalidate",
            f"{RAR_C}: smp_call_rar_many ({RFC_RAR})")
    m.cover("rar_wait_spins", exists(CPU, lambda i: flusher(i) & (phase[i] == "rar_wait") & exists(
        CPU, lambda t: dest[i].has(t) & action[t, i])),
            "an initiator (one of CPUs 0..initiators-1) spins in wait_for_action_done: a target's action byte "
            "is still PENDING",
            f"{RAR_C}: wait_for_action_done ({RFC_RAR})")
    m.cover("rar_with_irqs_off", exists(CPU, CPU, lambda t, i: signal[t] & action[t, i] & (
        (mode[t] == "switching") | (mode[t] == "cr3"))),
            "a RAR reaches a CPU inside switch_mm_irqs_off (IRQs off): the microcode runs it all the same",
            f"{RAR_C}: rar_cpu_init: RAR_CTRL_IGNORE_IF ({RFC_RAR})")
    m.cover("lazy_cpu_reached_by_rar", exists(CPU, CPU, lambda t, i: (mode[t] == "lazy") & signal[t]
                                              & action[t, i] & has_glob(t)),
            "a lazy CPU holds global-ASID entries and has a RAR pending: smp_call_rar_many targets it",
            f"{RAR_C}: smp_call_rar_many: not should_flush_tlb ({RFC_RAR})")
    m.cover("global_entries_outside_mask", exists(CPU, lambda c: has_g & ~mm_cpumask.has(c) & has_glob(c)),
            "a CPU outside mm_cpumask still holds global-ASID entries: no RAR reaches them",
            f"{TLB_C}: flush_tlb_func: cpumask_clear_cpu ({RFC_TLB})")
    m.cover("switch_in_flushes_new_cpu", exists(CPU, lambda c: (mode[c] == "switching") & has_g
                                                & ~mm_cpumask.has(c) & has_glob(c)),
            "a CPU outside the mask switches to the mm with a global ASID while its TLB holds entries under "
            "it: choose_new_asid must flush (new_cpu)",
            f"{TLB_C}: switch_mm_irqs_off -> choose_new_asid(next, tlb_gen, new_cpu) ({RFC_TLB})")
    gasid.cover_global_asid_assigned(ga, has_g)
    if not cfg.global_at_start:   # the transition, when the mm starts on dynamic ASIDs
        gasid.cover_dynamic_asid_in_transition(ga, has_g, "a RAR on the global PCID")
        gasid.cover_transition_ipi(ga, bcast)
    gasid.cover_transition_finished(ga, has_g)
    m.cover("trim_ipi", exists(CPU, lambda i: ~bcast[i] & has_g & (phase[i] == "sending")),
            "a flush of a global-ASID mm goes by IPI to trim mm_cpumask",
            f"{TLB_C}: flush_tlb_mm_range: should_trim_cpumask ({RFC_TLB})")
    gasid.cover_frame_freed_while_cached(ga)
    if tables:
        gasid.munmap_properties(ga, pt, global_asid, rounds, "S2: the flush says freed_tables: IPIs to lazy "
                                                            f"CPUs too; a RAR drops the PCID's paging-structure "
                                                            f"caches ({RFC_TLB})", lambda: m.cover(
            "rar_reaches_detached_table", exists(CPU, CPU, lambda t, i: signal[t] & action[t, i] & freed_tables[i]
                                                 & pt.detached(psc[t, GLOB])),
            "a RAR of a munmap is signalled and the target's paging-structure cache under the global PCID still "
            "points to the detached PTE table: its microcode's invalidation removes it",
            f"{RAR_C}: smp_call_rar_many ({RFC_RAR})"))
    if pti:
        gasid.cover_user_pcid_flush_deferred(ga)
        gasid.leads_to_user_pcid_flush_applied(ga)
        m.cover("global_user_pcid_flush_deferred", exists(CPU, Page, lambda c, p: user_flush[c, GLOB]
                                                          & ga.unmapped_user(c, GLOB, p)),
                "a CPU that flushed the global PCID itself (switched back into the mask, or a trim IPI) still "
                "holds a stale translation in its user PCID, the flush deferred to the return to user through "
                "kern_pcid(global ASID)'s bit of user_pcid_flush_mask",
                f"{TLB_C}: load_new_mm_cr3 -> invalidate_user_asid(new_asid) ({RFC_TLB})")
        m.cover("rar_reaches_user_pcid", exists(CPU, CPU, Page, lambda t, i, p: signal[t] & action[t, i]
                                                & payload[i, p] & (tlb_user[t, GLOB, p] != None)),  # noqa: E711
                "a RAR is signalled and the target's user PCID of the global ASID still holds the page: only the "
                "second smp_call_rar_many, on user_pcid(asid), removes it", f"{TLB_C}: rar_tlb_flush ({RFC_TLB})")
    if alloc:
        gasid.allocator_covers(ga, "RAR (flush_tlb_all)", f"{V}; X86_FEATURE_RAR: {RFC_TLB}")
        m.cover("reset_rar_in_flight", exists(CPU, CPU, lambda t, i: payload_all[i] & action[t, i] & signal[t]
                                              & exists(PCID, Page, lambda s, p: al.b_cached(tlb[t, s, p]))),
                "flush_tlb_all's RAR is signalled on a CPU whose TLB still holds B's translation under a freed "
                "global ASID: the CPU's microcode removes it, IRQs off too",
                f"{TLB_C}: reset_global_asid_space -> flush_tlb_all -> rar_flush_all ({RFC_KERNEL})")
    if tso:
        m.cover("pending_store_buffered", exists(CPU, lambda i: act_sb[i] != None),  # noqa: E711
                "a PENDING store to an action byte still sits in the initiator's store buffer",
                f"{RAR_C}: set_action_entry ({RFC_RAR})")
    gasid.cover_tail(ga)

    pending = exists(CPU, CPU, lambda t, i: action[t, i])
    quiet = forall(CPU, lambda c: between_ops(c) & ~signal[c])
    m.final(quiet & ~pending & (asid_lock == None) & forall(CPU, CPU, lambda i, t: ~csd[i, t]))  # noqa: E711
    m.leads_to("flush_completes", ~between_ops(0), between_ops(0),
               "initiator 0's unmap, its flush (IPIs or a RAR) and its free complete",
               f"{TLB_C}: flush_tlb_mm_range returns ({RFC_TLB})")
    m.leads_to("rar_completes", phase[0] == "rar_wait",
               forall(CPU, lambda t: ~action[t, 0] & ~signal[t]) & (phase[0] != "rar_wait"),
               "every RAR initiator 0 sends completes: each target's action byte returns to RAR_SUCCESS, its RAR "
               "signal is serviced, and wait_for_action_done returns",
               f"{RAR_C}: wait_for_action_done ({RFC_RAR})")
    return m.build()


PARAMS = (
    Param("cpus", 3, 2, 4, doc="CPUs: CPUs 0..initiators-1 initiate, every CPU takes flush IPIs and RARs"),
    Param("initiators", 1, 1, 4, doc="CPUs that unmap and flush concurrently (each owns a RAR payload slot)"),
    gasid.PAGES,
    Param("rounds", 1, 1, 2, doc="MADV_DONTNEED operations per initiator"),
    gasid.ACTIVE_THRESHOLD,
    Param("global_at_start", False, doc="the mm starts with its global ASID, every CPU on it (the transition "
                                        "finished before the first operation)"),
    gasid.ASSIGNED_AT_START,
    Param("memory", "sc", choices=("sc", "tso"), doc="loaded_mm and action-byte stores: sequentially consistent, "
                                                      "or through x86-TSO store buffers"),
    Param("switch_in_flush", True, doc="(bug when False) choose_new_asid loads a global ASID with NOFLUSH on a "
                                       "CPU that was outside mm_cpumask (INVLPGB's rule)"),
    Param("rar_lazy", True, doc="(bug when False) smp_call_rar_many skips lazy CPUs (should_flush_tlb's filter)"),
    Param("payload_first", True, doc="(bug when False) the action bytes are set PENDING before set_payload "
                                     "writes the payload"),
    gasid.SWITCH_MB,
    gasid.TRANSITION_FIRST,
    gasid.MUNMAP,
    Param("freed_tables_all", True, doc="(bug when False; munmap) should_flush_all without info->freed_tables: the "
                                        "IPIs of a flush that freed page tables skip lazy CPUs"),
    gasid.PTI,
    gasid.PTI_USER_BROADCAST,
    Param("user_flush_mask_wide", True, doc="(bug when False; pti) user_pcid_flush_mask is v6.15's 16-bit field: "
                                            "invalidate_user_asid's bit for a global ASID (kern_pcid >= 16) lands "
                                            "in the cpu_tlbstate bytes after it, where a store can clear it "
                                            "(fixed by \"x86/mm: resize user_pcid_flush_mask for PTI / broadcast "
                                            "TLB flush combination\")"),
    gasid.ALLOCATOR,
    gasid.GLOBAL_ASIDS,
    Param("reset_flushes", True, doc="(bug when False; allocator) reset_global_asid_space without flush_tlb_all "
                                     "(rar_flush_all: a RAR of every PCID to every CPU)"),
)

PROTOCOL = Protocol("rar", build, PARAMS, __doc__)
