"""v5.19-rc: reclaim's batched flush is taken for an old one and skipped (aa44284960d5, fixed by 8f1d56f64f8d).

aa44284960d5 ("x86/mm/tlb: Avoid reading mm_tlb_gen when possible") let flush_tlb_func return
at once when `f->new_tlb_gen <= local_tlb_gen`. But arch_tlbbatch_flush — the flush reclaim
batches after try_to_unmap_one (mm/rmap.c) — fills flush_tlb_info with generation 0, so every
CPU took it as a superfluous old request: "try_to_unmap_one would not perform any TLB flushes"
(reported by Hugh Dickins). 8f1d56f64f8d ("x86/mm/tlb: Ignore f->new_tlb_gen when zero") named
the value TLB_GENERATION_INVALID and skips only valid generations. Undone here
(invalid_gen_check=False): the reclaimed frame is freed while the TLB still maps it. The v5.13
form of the rule has no early return, and holds with the same switch.

The check names the safety invariants: the CPU that skipped the flush also never records the
reclaim's generation, which `caught_up_when_settled` reports a step earlier (7 steps).
"""
from checker.spec import Check
from protocols.tlb_gen import PROTOCOL

BOUNDS = dict(cpus=2, initiators=1, pages=1, reclaim=True)
CHECK = Check(PROTOCOL, name="v519_reclaim_flush_skipped", **BOUNDS, invalid_gen_check=False,
              invariants=("no_stale_access", "asid_holds_its_mm", "loaded_asid_is_current"),
              expect="violates no_stale_access", liveness=False)
FIXED = Check(PROTOCOL, name="v519_reclaim_fixed", **BOUNDS, expect="holds")
V513 = Check(PROTOCOL, name="v513_reclaim_no_early_return", **BOUNDS, rule="v5", invalid_gen_check=False,
             expect="holds")
