"""CVE-2019-3016: the host writes steal_time back whole and loses the guest's FLUSH_TLB (b043138246a4).

arch/x86/kvm/x86.c: record_steal_time used to copy the guest's kvm_steal_time into the host
(kvm_read_guest_cached), clear `preempted` in that copy with xchg — flushing the guest TLB if
KVM_VCPU_FLUSH_TLB was set — and write the whole struct back (kvm_write_guest_cached). A guest
flush between the copy and the write-back still saw KVM_VCPU_PREEMPTED, set FLUSH_TLB by
cmpxchg and left the vCPU out of its IPIs; the write-back cleared the flag, so the vCPU ran on
with the old translation after the page was freed. b043138246a4 ("x86/KVM: Make sure
KVM_VCPU_FLUSH_TLB flag is not missed") maps the struct and does the xchg on guest memory.
Undone here: pv_host_xchg=False. The fixed form is specs/kvm_pv.py.
"""
from checker.spec import Check
from protocols.kvm_pv import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, pv_host_xchg=False, expect="violates no_stale_access")
