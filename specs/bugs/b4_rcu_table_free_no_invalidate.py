"""B4 — page tables freed through RCU with no TLB invalidate on an MMU that walks them.

Commit 0ed1325967ab "mm/mmu_gather: invalidate TLB correctly on batch allocation failure and
flush" (Peter Zijlstra; posted Dec 2019, in Linus's tree Feb 2020; Fixes a46cc7a90fd8
"powerpc/mm/radix: Improve TLB/PWC flushes"; stable 4.14+): B3's fix d86564a2f085 added
tlb_table_invalidate() to tlb_table_flush and the batch-failure path, before page tables go to RCU
or are freed — opt-in at first, then opt-out ("asm-generic/tlb, arch: Invert
CONFIG_HAVE_RCU_TABLE_INVALIDATE"): an architecture whose hardware "does _NOT_ use the Linux
page-tables" selects HAVE_RCU_TABLE_NO_INVALIDATE. POWER selected it for hash translation — but under
radix translation the hardware walks the Linux page tables and caches them (the page-walk cache),
so tables were freed while a CPU could still walk into them: "random memory corruption", "any
concurrent page-table walk could end up with a Use-after-Free". The fix replaces the config symbol
by tlb_needs_table_invalidate() (radix_enabled() on POWER, true by default). Undone here on the
RCU path (table_free="rcu", table_invalidate=False): tlb_remove_table's batch is full,
tlb_table_flush hands it to call_rcu without invalidating, and the grace period ends (no GUP-fast
walker) before the mmu_gather's TLB flush. The batch-failure half (tlb_remove_table_one) is B3's
check, specs/bugs/b3_table_free_before_invalidate.py, with the same switch.

Model: the hypercall flush stands in for radix's broadcast tlbie (no IPIs; GUP-fast waits for
RCU, not for a flush IPI); one PTE table, so it fills the batch. Trace: CPU 0 caches the table
pointer, unmaps, detaches the table, which RCU frees at once; CPU 0's own speculative walk reads
it ("even on UP", as the fix's series says).
"""
from checker.spec import Check
from protocols.hyperv import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, callers=("munmap",), table_free="rcu",
              table_invalidate=False, expect="violates no_freed_table_walk")
FIXED = Check(PROTOCOL, name="b4_fixed", cpus=2, pages=1, rounds=1, callers=("munmap",), table_free="rcu",
              expect="holds")
