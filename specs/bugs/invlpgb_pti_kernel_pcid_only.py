"""PTI with INVLPGB: broadcast_tlb_flush flushes the global ASID's kernel PCID and not its user PCID.

With page-table isolation, user mode runs on user_pcid(asid) = kern_pcid(asid) | 2048, so a
translation a user-mode walk cached there is out of reach of an INVLPGB on the kernel PCID.
v6.15 arch/x86/mm/tlb.c: broadcast_tlb_flush issues invlpgb_flush_user_nr_nosync(kern_pcid(asid), ...)
and, if (cpu_feature_enabled(X86_FEATURE_PTI)), the same on user_pcid(asid), before __tlbsync. With
pti_user_broadcast=False only the first is issued: TLBSYNC returns, the page is freed, and the
user-mode access goes through the user PCID's old entry.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL

CHECK = Check(PROTOCOL, name="invlpgb_pti_kernel_pcid_only", cpus=2, initiators=1, pages=1, rounds=1,
              assigned_at_start=True, pti=True, pti_user_broadcast=False,
              expect="violates no_stale_access", liveness=False)
