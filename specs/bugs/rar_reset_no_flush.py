"""reset_global_asid_space without its flush_tlb_all, under RAR: a freed global ASID reused with the old owner's
TLB entries.

RAR RFC v4 ("x86/mm: userspace & pageout flushing using Intel RAR", arch/x86/mm/tlb.c) keeps v6.15's allocator
and replaces invlpgb_flush_all_nonglobals in reset_global_asid_space by flush_tlb_all, which on RAR hardware
(RFC v4 6/8 "x86/mm: use RAR for kernel TLB flushes") is rar_flush_all: a RAR of every PCID, globals included,
to every online CPU, waited for, then invpcid_flush_all on the CPU itself. mm_free_global_asid flushes nothing,
so this is the only flush between an mm's exit and the reuse of its PCID ("The global flush ensures that a
freshly allocated global ASID has no entries in any TLB, and can be used immediately"). Without it
(reset_flushes=False) an exited mm's translation, cached under the global PCID it held, is still in a TLB when
the PCID is handed out again. The shortest trace is invlpgb_reset_no_flush's: a CPU caches B's page under the
first global ASID; B exits; the next B takes the second ASID (the cursor reaches the edge) and exits; the third
B's allocation resets the space without the flush, is given the first ASID again and reads the first B's page
(b_no_stale_access, 7 steps). This mm, given that PCID by its own reset_global_asid_space, reads B's page too
(no_stale_access, 23 steps): the CPU that cached it is still in the mm's mm_cpumask when it switches back, so
RAR's flush of a new CPU on switch-in (choose_new_asid's need_flush = new_cpu) does not run.
"""
from checker.spec import Check
from protocols.rar import PROTOCOL

CHECK = Check(PROTOCOL, name="rar_reset_no_flush", cpus=2, initiators=1, pages=1, rounds=1, allocator=True,
              reset_flushes=False, expect="violates b_no_stale_access", liveness=False)
