"""B12 — KVM's paravirtual flush under shadow paging flushed the TLB, not the unsync shadow PTEs.

Commit b53e84eed08b "KVM: x86: Unload MMU on guest TLB flush if TDP disabled to force MMU sync"
(Lai Jiangshan, v5.13, stable; Fixes f38a7b75267f): without TDP the hardware walks KVM's shadow
page tables, and a leaf shadow page may be unsync — the guest writes its PTEs without a trap, so
the shadow PTE keeps the old translation until a guest TLB flush that traps (a CR3 write, INVLPG)
makes KVM sync it. For a preempted vCPU the guest sets KVM_VCPU_FLUSH_TLB instead of an IPI, and
the host's kvm_vcpu_flush_tlb_guest flushed only the hardware TLB: "From the guest's perspective,
flushing the TLB ensures any and all modifications to its PTEs will be recognized by the CPU."
The bug existed since KVM_VCPU_FLUSH_TLB but "was only recently exposed after Linux guests stopped
flushing the local CPU's TLB prior to flushing remote TLBs (see commit 4ce94eabac16)": the
initiator's local flush traps and syncs the shadow PTEs every vCPU walks, so with the local flush
first the remote vCPU's TLB-only flush came after the sync. The fix unloads the MMU
(kvm_mmu_unload): the next load syncs the roots and flushes.

Model (kvm_pv family, Design.shadow_paging): a shadow PTE per page that the hardware walks; the
guest's zap leaves it stale; every guest flush of the mm that traps (local flush, IPI handler,
CR3 load at switch or lazy return) syncs it. Trace: CPU 0 zaps the page (MADV_DONTNEED) and bumps
tlb_gen; vCPU 1 is preempted and flagged instead of IPI'd (v5.13: remote first); vCPU 1 resumes
with its TLB flushed and refills it from the stale shadow PTE; CPU 0's local flush syncs the shadow
PTE, the page is freed, and CPU 1 reads it.
Beside it: the fix (holds), and the same TLB-only host under the v5.10 guest (local flush first),
which holds — the latent bug.
"""
from checker.spec import Check
from protocols.kvm_pv import PROTOCOL

BOUNDS = dict(cpus=2, pages=1, rounds=1)
V513 = dict(local_first=False)   # 4ce94eabac16: IPIs and PV flags first, the local flush after

CHECK = Check(PROTOCOL, **BOUNDS, **V513, shadow_paging="tlb_only", expect="violates no_stale_access")
FIXED = Check(PROTOCOL, name="b12_fixed", **BOUNDS, **V513, shadow_paging="sync", expect="holds")
LATENT = Check(PROTOCOL, name="b12_latent_local_first", **BOUNDS, shadow_paging="tlb_only", expect="holds")
