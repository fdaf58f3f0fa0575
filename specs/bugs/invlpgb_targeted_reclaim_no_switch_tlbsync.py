"""Targeted reclaim (unmerged, series v9-v14) without the TLBSYNC at the context switch.

The targeted variant issued the reclaimed page's INVLPGB in arch_tlbbatch_add_pending and deferred its
TLBSYNC to arch_tlbbatch_flush, with a per-CPU need_tlbsync flag; since TLBSYNC waits only for the
executing CPU's INVLPGBs, switch_mm_irqs_off and enter_lazy_tlb ran tlbsync() when the flag was set,
so that a task migrating in between left nothing unsynced behind (v3-v8 held migrate_disable
instead). Without that TLBSYNC (switch_tlbsync=False) the task migrates, arch_tlbbatch_flush on the
new CPU waits for nothing, and the page is freed while the INVLPGB has not reached a CPU that still
maps it under the global PCID.
"""
from checker.spec import Check
from protocols.invlpgb import PROTOCOL

CHECK = Check(PROTOCOL, name="invlpgb_targeted_reclaim_no_switch_tlbsync", cpus=2, initiators=1, pages=1,
              rounds=2, reclaim="targeted", switch_tlbsync=False, expect="violates no_stale_access",
              liveness=False)
