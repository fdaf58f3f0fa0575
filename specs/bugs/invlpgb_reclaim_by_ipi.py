"""Reclaim's batched flush by IPI for an mm with a global ASID: flush_tlb_func ignores it.

arch/x86/mm/tlb.c: arch_tlbbatch_flush (v6.15) runs invlpgb_flush_all_nonglobals when INVLPGB is
present and the batch unmapped pages: the batch records CPUs, not mms, and a CPU that runs an mm on
its global ASID returns from flush_tlb_func at once ("Broadcast ASIDs are always kept up to date with
INVLPGB"). With the IPI branch instead (reclaim_broadcast=False), the reclaimed page's translation
under the global PCID survives the IPI; the page is freed and the CPU's user access goes through it.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL

CHECK = Check(PROTOCOL, name="invlpgb_reclaim_by_ipi", cpus=2, initiators=1, pages=1, rounds=2, reclaim="merged",
              reclaim_broadcast=False, expect="violates no_stale_access", liveness=False)
