"""The seed whole: KVM's paravirtual flush under the concurrent and async flush.

RFC v2 patch 6 ("KVM: x86: Provide paravirtualized flush_tlb_multi()") moves kvm_flush_tlb_others
to the concurrent interface of patches 2-5 (IPIs first, the local flush while they fly, then
csd_lock_wait); patches 10-11 make user flushes that free no page table async, with the info
inlined in the csd and NMI/kprobe user access refused until the handler has flushed. Preempted
vCPUs are never IPI'd: the guest sets KVM_VCPU_FLUSH_TLB by cmpxchg and the host flushes on entry.
"""
from checker.spec import Check
from protocols.kvm_pv import PROTOCOL

CONCURRENT = dict(local_first=False)                   # patches 2-6
ASYNC = dict(CONCURRENT, async_user=True, info="inline", nmi_block=True)   # + patches 10-11

# leads-to keeps the unreduced graph (659,192 states at 3 CPUs): flush_completes runs at 2 CPUs
CHECK = Check(PROTOCOL, name="kvm_pv_async", cpus=3, pages=1, rounds=2, **ASYNC, expect="holds",
              liveness=False)
TWO_CPUS = Check(PROTOCOL, name="kvm_pv_async_2cpus", cpus=2, pages=2, rounds=2, **ASYNC, expect="holds")
CONCURRENT_ONLY = Check(PROTOCOL, name="kvm_pv_concurrent", cpus=3, pages=1, rounds=2, **CONCURRENT,
                        expect="holds")
