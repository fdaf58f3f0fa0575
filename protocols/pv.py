"""KVM paravirtual TLB flush: preempted vCPUs are flagged instead of IPI'd.

Guest (arch/x86/kernel/kvm.c: kvm_flush_tlb_multi, f38a7b75267f, v4.16; was
kvm_flush_tlb_others): for each target, read steal_time.preempted; if KVM_VCPU_PREEMPTED,
cmpxchg in KVM_VCPU_FLUSH_TLB and drop the vCPU from the IPI mask. Host (arch/x86/kvm/x86.c):
vcpu_put marks the vCPU preempted (kvm_steal_time_set_preempted, never over a pending flag);
on entry record_steal_time reads and clears the flags with one xchg and, if FLUSH_TLB was
set, flushes the guest TLB (kvm_vcpu_flush_tlb_guest) before the vCPU runs again.
"""
from __future__ import annotations

from checker.lang import If, exists, when


def declare(s) -> None:
    m, CPU, d = s.m, s.CPU, s.d
    pre = s.preempted

    @m.action(CPU, environment=True,
              ref="arch/x86/kvm/x86.c: kvm_arch_vcpu_put -> kvm_steal_time_set_preempted (v5.10)")
    def vcpu_preempt(t):
        """The host deschedules vCPU t at any point; the flag is set unless one is already set."""
        return when(s.off_duty(t) & s.vcpu_in[t], s.vcpu_in[t].becomes(False),
                    pre[t].becomes(If(pre[t] == "running", "preempted", pre[t])))

    def flush_if_flagged(t):
        """kvm_vcpu_flush_tlb_guest when the flags read had KVM_VCPU_FLUSH_TLB: with shadow paging,
        only the hardware TLB ("tlb_only", before b53e84eed08b) or kvm_mmu_unload, whose next load
        syncs the shadow PTEs ("sync")."""
        flag = pre[t] == "preempted_flush"
        return [s.tlb[t, p].becomes(If(flag, None, s.tlb[t, p])) for p in s.Page.members] + [
            s.psc[t].becomes(If(flag, None, s.psc[t]))] + (s.shadow_sync(flag) if d.shadow_paging == "sync" else [])

    # not environment: a flush IPI or handler on vCPU t waits for the host to run it again
    if d.pv_host_xchg:
        @m.action(CPU, fair="weak", ref="arch/x86/kvm/x86.c: record_steal_time: xchg(&st->preempted, 0) on "
                                        "the mapped guest struct (b043138246a4); KVM_VCPU_FLUSH_TLB -> "
                                        "kvm_vcpu_flush_tlb_guest (v5.10)" + _SHADOW_REF.get(d.shadow_paging, ""))
        def vcpu_resume(t):
            return when(s.off_duty(t) & ~s.vcpu_in[t], s.vcpu_in[t].becomes(True), pre[t].becomes("running"),
                        flush_if_flagged(t))
    else:
        copied = s.st_copied

        @m.action(CPU, fair="weak", ref="arch/x86/kvm/x86.c: record_steal_time before b043138246a4 "
                                        "(CVE-2019-3016): kvm_read_guest_cached into vcpu->arch.st.steal, "
                                        "xchg(&vcpu->arch.st.steal.preempted, 0) on that copy, flush if "
                                        "KVM_VCPU_FLUSH_TLB")
        def record_steal_time_read(t):
            return when(s.off_duty(t) & ~s.vcpu_in[t] & ~copied[t], copied[t].becomes(True), flush_if_flagged(t))

        @m.action(CPU, fair="weak", ref="arch/x86/kvm/x86.c: record_steal_time before b043138246a4: "
                                        "kvm_write_guest_cached writes the whole copy back (preempted = 0)")
        def vcpu_resume(t):
            return when(s.off_duty(t) & ~s.vcpu_in[t] & copied[t], copied[t].becomes(False),
                        s.vcpu_in[t].becomes(True), pre[t].becomes("running"))

    if s.k > 1:  # several initiators: each flags for itself (protocols/initiators.py)
        from . import initiators
        initiators.pv_flag(s)
        return

    m.cover("pv_flush_deferred_to_resume",
            ((s.phase == "freed") | (s.phase == "done")) & exists(CPU, lambda t: (pre[t] == "preempted_flush")
                                                                 & ~s.vcpu_in[t] & exists(
                s.Page, lambda p: s.tlb[t, p] != None)),  # noqa: E711
            "the pages were freed while a preempted vCPU, flagged instead of IPI'd, still caches the "
            "range: the host flushes it before it runs again",
            "arch/x86/kernel/kvm.c: kvm_flush_tlb_multi; arch/x86/kvm/x86.c: record_steal_time (v5.10)")

    if d.shadow_paging != "none":
        lags = exists(s.Page, lambda p: (s.spte[p] != s.pte[p]) & (s.pte[p] == None))  # noqa: E711
        m.cover("shadow_pte_lags_guest_pte", lags,
                "the guest zapped a PTE that the unsync shadow PTE still maps: only a trapping flush syncs it",
                "arch/x86/kvm/mmu/mmu.c: unsync shadow pages, kvm_mmu_sync_roots (v5.10)")

    if d.pv_cmpxchg:
        @m.action(CPU, actor=lambda t: 0, fair="strong",
                  ref="arch/x86/kernel/kvm.c: kvm_flush_tlb_multi: cmpxchg(&src->preempted, state, "
                      "state | KVM_VCPU_FLUSH_TLB) succeeded: no IPI (v5.10)")
        def pv_flag_flush(t):
            return when(_scanning(s, t) & (pre[t] == "preempted"), pre[t].becomes("preempted_flush"),
                        s.scan(t))
        return

    @m.action(CPU, actor=lambda t: 0, fair="strong",
              ref="arch/x86/kernel/kvm.c: kvm_flush_tlb_multi: state = READ_ONCE(src->preempted)")
    def pv_read_preempted(t):
        return when(_scanning(s, t) & (pre[t] == "preempted") & ~s.pv_seen[t], s.pv_seen[t].becomes(True))

    @m.action(CPU, actor=lambda t: 0, fair="weak",
              ref="kvm_flush_tlb_multi with the cmpxchg undone: a plain store of FLUSH_TLB")
    def pv_store_flush(t):
        return when(s.pv_seen[t], pre[t].becomes("preempted_flush"), s.pv_seen[t].becomes(False), s.scan(t))


_SHADOW_REF = {"tlb_only": "; shadow paging: the hardware TLB only (before b53e84eed08b)",
               "sync": "; shadow paging: kvm_mmu_unload, the next load syncs the shadow PTEs (b53e84eed08b, v5.13)"}


def _scanning(s, t):
    return (s.phase == "sending") & (t != 0) & ~s.scanned.has(t) & s.targeted(t)
