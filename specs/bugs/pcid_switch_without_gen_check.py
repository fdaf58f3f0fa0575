"""PCID: switching back to an mm reuses its ASID slot without the generation check.

With PCID a CPU that switches to another mm keeps this mm's translations in the old ASID slot;
it has left mm_cpumask, so no flush IPI reaches it. arch/x86/mm/tlb.c: switch_mm_irqs_off ->
choose_new_asid (v4.14+) therefore compares the slot's ctxs[asid].tlb_gen with the mm's
tlb_gen read after setting the cpumask bit, and loads CR3 with a flush when the slot is behind
(NOFLUSH only when caught up). Undone here (switch_gen_check=False): the CPU switches back with
NOFLUSH, and a user access goes through the entry of a frame MADV_DONTNEED freed meanwhile.
The fixed model beside it is `tlb_gen_pcid_2cpus` in specs/tlb_gen.py.

The check names the safety invariants: the slot reused without its generation also stays behind
the mm's, which `caught_up_when_settled` reports one step earlier (8 steps), before the access.
"""
from checker.spec import Check
from protocols.tlb_gen import PROTOCOL

CHECK = Check(PROTOCOL, name="pcid_switch_without_gen_check", cpus=2, initiators=1, pages=1, asids=2,
              switch_gen_check=False,
              invariants=("no_stale_access", "asid_holds_its_mm", "loaded_asid_is_current"), expect="violates no_stale_access", liveness=False)
