"""KVM PV flush with the guest's cmpxchg replaced by read-then-store (near-bug, f38a7b75267f).

kvm_flush_tlb_multi reads steal_time.preempted and, if the vCPU is preempted, sets
KVM_VCPU_FLUSH_TLB with cmpxchg so that it fails if the host has meanwhile resumed the vCPU
(record_steal_time's xchg cleared the flags). With a plain store the guest can set the flag
on a vCPU that already runs, drop it from the IPI mask, and free the page while that vCPU
still holds the old translation.
"""
from checker.spec import Check
from protocols.kvm_pv import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, pv_cmpxchg=False, expect="violates no_stale_access")
