"""munmap's INVLPGB final-only although page tables were freed.

asm/tlb.h: invlpgb_flush_user_nr_nosync(pcid, addr, nr, pmd_stride, freed_tables) (v6.15) sets
INVLPGB_FINAL_ONLY only when no page table was freed: a final-only INVLPGB invalidates the leaf TLB
entries and leaves the paging-structure caches. With invlpgb_freed_tables=False munmap's INVLPGB is
final-only anyway: a CPU on the global ASID keeps the detached PTE-table page in its paging-structure
cache through TLBSYNC and the free, and its next (speculative) page walk reads the freed table.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL

CHECK = Check(PROTOCOL, name="invlpgb_final_only_freed_tables", cpus=2, initiators=1, pages=1, rounds=1,
              munmap=True, assigned_at_start=True, invlpgb_freed_tables=False,
              expect="violates no_freed_table_walk", liveness=False)
