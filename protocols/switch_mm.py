"""Context switches of the responding CPUs: enter_lazy_tlb, switch_mm_irqs_off, switch_to.

Two granularities (Design.switch):
- "atomic": each switch is one step (IRQs are off in switch_mm_irqs_off, so the CPU's own
  IPI handler cannot interleave; only the initiator can).
- "steps": switching *in* takes the kernel's steps — loaded_mm = LOADED_MM_SWITCHING,
  cpumask_set_cpu(next), read tlb_gen and load CR3 — and `current` changes afterwards in
  switch_to, so NMIs can hit the window where loaded_mm != current->mm (B20). Under
  Design.memory == "tso" the cpumask store is a plain store through a per-CPU store buffer
  unless a fence orders it before the CR3 load (B5). Switching *out* stays one step.
Design.cpumask == "lazy" (v6.x, 209954cbc7d0): switching out keeps the mm_cpumask bit and
switching in sets it only if unset (else smp_mb()); flush_tlb_func clears it on a CPU that no
longer runs the mm.
"""
from __future__ import annotations

from checker.lang import If, exists, when


def declare(s) -> None:
    """The context-switch actions of every CPU but the initiator, per the design."""
    (_atomic if s.d.switch == "atomic" else _stepped)(s)
    _lazy(s)
    _covers(s)


def _covers(s) -> None:
    """What the lazy cpumask, the stepped switch and the store buffer exist for."""
    m, CPU, d, mode = s.m, s.CPU, s.d, s.mode
    if d.cpumask == "lazy":
        m.cover("cpumask_bit_kept", exists(CPU, lambda c: (mode[c] == "other") & s.mm_cpumask.has(c)),
                "a CPU switched to another mm and kept this mm's cpumask bit",
                "arch/x86/mm/tlb.c: switch_mm_irqs_off no longer clears prev's bit (209954cbc7d0, v6.x)")
    if d.switch == "steps":
        m.cover("cr3_before_current", exists(CPU, lambda c: (mode[c] == "user") & (s.cur[c] == "other_task")),
                "CR3 already holds this mm while current is still the previous task: the window "
                "nmi_uaccess_okay() must refuse",
                "kernel/sched/core.c: context_switch: switch_mm_irqs_off, then switch_to (4012e77a903d)")
        if s.ipis and s.user_ops:
            m.cover("ipi_while_switching", exists(CPU, lambda c: (mode[c] == "switching") & (s.csd_queued[c] if s.k == 1 else exists(
                CPU, lambda i: s.csd_queued[i, c]))),
                    "the flush IPI is queued for a CPU inside switch_mm_irqs_off (IRQs off): it is taken "
                    "once the switch is done",
                    f"arch/x86/mm/tlb.c: switch_mm_irqs_off, loaded_mm = LOADED_MM_SWITCHING ({d.version})")
        if d.memory == "tso" and not d.switch_fence:
            m.cover("cpumask_store_buffered", exists(CPU, lambda c: (mode[c] == "user") & (s.sb[c] == "set_bit")),
                    "CR3 is loaded while the mm_cpumask store still sits in the store buffer",
                    "arch/x86/mm/tlb.c: switch_mm_irqs_off without the barrier of 71b3c126e611")


def _lazy(s) -> None:
    """Scheduler-driven: each switch happens on its own (environment), never progress of a flush."""
    m, CPU, d = s.m, s.CPU, s.d
    mode = s.mode

    @m.action(CPU, environment=True, ref=f"arch/x86/mm/tlb.c: enter_lazy_tlb ({d.version})")
    def enter_lazy_tlb(c):
        """Switch to a kernel thread: the mm stays loaded, CR3 and mm_cpumask bit kept."""
        return when(s.off_duty(c) & (mode[c] == "user") & s.quiet(c), mode[c].becomes("lazy"),
                    s.set_current(c, "kthread"))

    @m.action(CPU, environment=True, ref=f"arch/x86/mm/tlb.c: switch_mm_irqs_off, real_prev == next "
                                         f"&& was_lazy ({d.version})")
    def leave_lazy(c):
        """Back from the kernel thread: catch up with mm->tlb_gen, flushing if behind."""
        behind = (s.cpu_tlb_gen[c] < s.mm_tlb_gen) if d.lazy_gen_check else False
        return when(s.off_duty(c) & (mode[c] == "lazy") & s.quiet(c),
                    mode[c].becomes("user"), s.set_current(c, "task"),
                    [s.tlb[c, p].becomes(If(behind, None, s.tlb[c, p])) for p in s.Page.members],
                    s.psc[c].becomes(If(behind, None, s.psc[c])), s.shadow_sync(behind) if d.lazy_gen_check else [],
                    s.cpu_tlb_gen[c].becomes(s.mm_tlb_gen) if d.lazy_gen_check else [])

    @m.action(CPU, environment=True, ref="arch/x86/mm/tlb.c: switch_mm_irqs_off, prev != next: "
                       + ("cpumask_clear_cpu(prev), " if d.cpumask == "eager" else "(bit kept, v6.x) ")
                       + f"load next's CR3 ({d.version})")
    def switch_mm_out(c):
        """Switch to a task of another mm: without PCID this mm's translations are gone."""
        keep = s.mm_cpumask if d.cpumask == "lazy" else s.mm_cpumask.without(c)
        # ASID-tagged TLB (flush_keys="active_mm"): the mm's entries stay, tagged with its context
        drop = s.flush_local_tlb(c) if d.flush_keys == "loaded_mm" else []
        return when(s.off_duty(c) & ((mode[c] == "user") | (mode[c] == "lazy")) & s.quiet(c) & s.drained(c),
                    mode[c].becomes("other"), s.mm_cpumask.becomes(keep), drop,
                    s.set_current(c, "other_task"))


def _atomic(s) -> None:
    m, CPU, d = s.m, s.CPU, s.d

    @m.action(CPU, environment=True, ref="arch/x86/mm/tlb.c: switch_mm_irqs_off, prev != next: "
                       f"cpumask_set_cpu(next), read tlb_gen, load CR3 ({d.version})")
    def switch_mm_in(c):
        return when(s.off_duty(c) & (s.mode[c] == "other") & s.quiet(c),
                    s.mode[c].becomes("user"), s.mm_cpumask.becomes(s.mm_cpumask.with_(c)), s.shadow_sync(),
                    s.cpu_tlb_gen[c].becomes(s.mm_tlb_gen))


def _use_mm(s) -> None:
    """B18: a kernel thread adopts the mm (kthread_use_mm, e.g. io_uring, vhost): tsk->active_mm =
    mm, then switch_mm — with IRQs on in between before 38cf307c1f20, off across both after it."""
    m, CPU, d, sw = s.m, s.CPU, s.d, s.sw
    how = ("tsk->active_mm = mm with IRQs on, switch_mm after (v5.8, before 38cf307c1f20)"
           if d.use_mm == "irqs_on" else
           "local_irq_disable(); tsk->active_mm = mm; switch_mm_irqs_off (38cf307c1f20, v5.9)")

    @m.action(CPU, environment=True, ref="kernel/kthread.c: kthread_use_mm: " + how)
    def kthread_use_mm(c):
        return when(s.off_duty(c) & (s.mode[c] == "other") & s.quiet(c) & (sw[c] == "none"), sw[c].becomes("use_mm"))

    if d.use_mm == "irqs_on" and s.ipis:
        m.cover("ipi_in_use_mm_window", exists(CPU, lambda c: (s.irq[c] == "func") & (sw[c] == "use_mm")),
                "the flush IPI lands between kthread_use_mm's active_mm = mm and its switch_mm",
                "38cf307c1f20 \"mm: fix kthread_use_mm() vs TLB invalidate\" (v5.9)")


def _stepped(s) -> None:
    m, CPU, d = s.m, s.CPU, s.d
    mode, sw = s.mode, s.sw
    tso = d.memory == "tso"

    if d.use_mm != "none":
        _use_mm(s)

    def may_begin(c):
        if d.use_mm == "none":
            return (mode[c] == "other") & s.quiet(c)
        # kthread_use_mm: switch_mm follows active_mm = mm (a handler in progress finishes first)
        return (mode[c] == "other") & (sw[c] == "use_mm") & (s.irq[c] == "none") & s.running(c)

    @m.action(CPU, environment=d.use_mm == "none",
              ref=f"arch/x86/mm/tlb.c: switch_mm_irqs_off: this_cpu_write(loaded_mm, "
                  f"LOADED_MM_SWITCHING) ({d.version})"
              + ("" if d.use_mm == "none" else "; called by kernel/kthread.c: kthread_use_mm"),
              **({} if d.use_mm == "none" else {"fair": "strong"}))
    def switch_mm_begin(c):
        """IRQs off; nmi_uaccess_okay() now refuses (loaded_mm is the SWITCHING marker)."""
        return when(s.off_duty(c) & may_begin(c), mode[c].becomes("switching"), sw[c].becomes("set_bit"))

    set_ref = ("cpumask_set_cpu(cpu, mm_cpumask(next)): a locked op" if not tso or d.switch_fence
               else "cpumask bit set by a plain store, no barrier before CR3 (B5 undone)")

    # the scheduler starts a switch on its own (environment); once begun it runs to its end, and an
    # IPI waits for it (IRQs are off), so its steps are progress (strong: a vCPU may be preempted)
    @m.action(CPU, ref=f"arch/x86/mm/tlb.c: switch_mm_irqs_off: {set_ref} ({d.version})", fair="strong")
    def cpumask_set_cpu(c):
        if tso and not d.switch_fence:
            return when(s.off_duty(c) & (sw[c] == "set_bit") & (s.sb[c] == "empty"),
                        s.sb[c].becomes("set_bit"), sw[c].becomes("load_cr3"))
        return when(s.off_duty(c) & (sw[c] == "set_bit"),
                    s.mm_cpumask.becomes(s.mm_cpumask.with_(c)), sw[c].becomes("load_cr3"))

    @m.action(CPU, ref=f"arch/x86/mm/tlb.c: switch_mm_irqs_off: next_tlb_gen = "
                       f"atomic64_read(&next->context.tlb_gen); load_new_mm_cr3(); loaded_mm = next "
                       f"({d.version})", fair="strong")
    def load_new_mm_cr3(c):
        """Read tlb_gen and load CR3 (a full flush without PCID); page walks may start."""
        return when(s.off_duty(c) & (sw[c] == "load_cr3"), mode[c].becomes("user"), s.shadow_sync(),
                    s.cpu_tlb_gen[c].becomes(s.mm_tlb_gen), sw[c].becomes("switch_to"))

    @m.action(CPU, ref="kernel/sched/core.c: context_switch -> switch_to: current = next (IRQs on)",
              fair="strong")
    def switch_to(c):
        return when(s.off_duty(c) & (sw[c] == "switch_to"), s.cur[c].becomes("task"), sw[c].becomes("none"))

    if tso:
        # hardware, but progress: the next switch's store (and switch_mm_out's fence) waits for it
        @m.action(CPU, ref="x86-TSO: a buffered store reaches memory (Sewell et al., CACM 2010)",
                  fair="strong")
        def store_buffer_drain(c):
            return when(s.sb[c] == "set_bit", s.sb[c].becomes("empty"),
                        s.mm_cpumask.becomes(s.mm_cpumask.with_(c)))
