"""kvm_pv — a KVM guest's paravirtual flush (kvm_flush_tlb_multi, v5.10) on the v5.x flush.

Preempted vCPUs are not IPI'd: the guest sets KVM_VCPU_FLUSH_TLB in their steal_time with a
cmpxchg, and the host flushes the vCPU's TLB in record_steal_time before it runs again.
"""
from checker.lang import Protocol

from . import flush
from .tlb import Design

DESIGN = Design(version="v5.10", local_first=True, info="percpu", pv=True)


def build(cfg):
    return flush.build("kvm_pv", cfg, flush.variant(DESIGN, cfg), __doc__)


PROTOCOL = Protocol("kvm_pv", build, flush.family_params(DESIGN), __doc__)
