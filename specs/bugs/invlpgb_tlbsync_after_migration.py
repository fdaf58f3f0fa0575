"""INVLPGB and TLBSYNC on different CPUs: the task migrates in between.

TLBSYNC waits only for the INVLPGBs the executing CPU issued (broadcast_flush.md §1). The kernel
keeps the pair on one CPU: broadcast_tlb_flush runs under flush_tlb_mm_range's get_cpu() and
__tlbsync asserts cant_migrate() (v6.15, arch/x86/mm/tlb.c, asm/tlb.h). With preemption allowed in
between (tlbsync_same_cpu=False), the task's TLBSYNC runs on a CPU that issued nothing and returns at
once; tlb_finish_mmu frees the frame while the other CPU's global-ASID entry still maps it, and a
user access goes through it.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL

CHECK = Check(PROTOCOL, name="invlpgb_tlbsync_after_migration", cpus=2, initiators=1, pages=1, rounds=2,
              tlbsync_same_cpu=False, expect="violates no_stale_access", liveness=False)
