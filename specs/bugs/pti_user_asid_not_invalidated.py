"""PTI: a flush that leaves the user PCID alone.

With page-table isolation each ASID slot has two PCIDs, and user mode runs on the user one. The
kernel flushes only the kernel PCID at once; invalidate_user_asid (arch/x86/mm/tlb.c, v4.15+) sets
the slot's bit in cpu_tlbstate.user_pcid_flush_mask, and SWITCH_TO_USER_CR3
(arch/x86/entry/calling.h) flushes the user PCID on the way back to user mode. Leaving that call out
(a mistake, not a kernel version) keeps user-mode translations past every flush:

- `pti_user_asid_not_invalidated`: a slot handed to another mm keeps this mm's user translations
  (2 steps: a user-mode walk, a switch to another mm).
- `pti_stale_user_access`: with only the stale-access invariant, a user access after MADV_DONTNEED
  has returned reads the freed frame through the user PCID.
"""
from checker.spec import Check
from protocols.tlb_gen import PROTOCOL

BOUNDS = {"cpus": 2, "initiators": 2, "pages": 2, "pti": True, "pti_invalidate_user": False, "liveness": False}
CHECK = Check(PROTOCOL, name="pti_user_asid_not_invalidated", **BOUNDS,
              expect="violates user_asid_holds_its_mm")
STALE = Check(PROTOCOL, name="pti_stale_user_access", **BOUNDS, invariants=["no_stale_access"],
              expect="violates no_stale_access")
