"""Async flush also used when page tables are freed (the RFC keeps those synchronous).

The target unlocks its csd before it flushes, so munmap's tlb_finish_mmu frees the PTE table
while the target's paging-structure cache still points at it; a speculative walk on the
target reads the freed (reused) table — the garbage-TLB-entry/#MC hazard of b956575bed91.
"""
from checker.spec import Check
from protocols.async_inline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, async_freed_tables=True,
              expect="violates no_freed_table_walk")
