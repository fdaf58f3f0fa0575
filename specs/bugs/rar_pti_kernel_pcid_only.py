"""PTI with RAR: rar_tlb_flush sends the RAR for the global ASID's kernel PCID and not its user PCID.

RAR RFC v4, "x86/mm: userspace & pageout flushing using Intel RAR" (arch/x86/mm/tlb.c): rar_tlb_flush
calls smp_call_rar_many(mm_cpumask(mm), kern_pcid(asid), start, end) and, with X86_FEATURE_PTI, again
on user_pcid(asid). With pti_user_broadcast=False only the first RAR is sent: every target's microcode
invalidates the kernel PCID and reports RAR_SUCCESS, the page is freed, and a user-mode access goes
through the user PCID's old entry.
"""
from checker.spec import Check
from protocols.rar import PROTOCOL

CHECK = Check(PROTOCOL, name="rar_pti_kernel_pcid_only", cpus=2, initiators=1, pages=1, rounds=1,
              global_at_start=True, pti=True, pti_user_broadcast=False,
              expect="violates no_stale_access", liveness=False)
