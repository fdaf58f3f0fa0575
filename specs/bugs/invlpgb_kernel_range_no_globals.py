"""flush_tlb_kernel_range's INVLPGB without the include-global bit: the kernel page's entry survives.

arch/x86/mm/tlb.c: invlpgb_kernel_range_flush (v6.15) issues invlpgb_flush_addr_nosync with
INVLPGB_FLAG_INCLUDE_GLOBAL: kernel mappings are global TLB entries, in no PCID, and an INVLPGB without
the flag leaves them (broadcast_flush.md §1, "Linux's uses of INVLPGB"). Without it
(kernel_globals=False), TLBSYNC returns, vfree frees the page, and a CPU's kernel access still goes
through its cached translation.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL

CHECK = Check(PROTOCOL, name="invlpgb_kernel_range_no_globals", cpus=2, initiators=1, pages=1, rounds=2,
              kernel_flush=True, kernel_globals=False, expect="violates no_stale_kernel_access", liveness=False)
