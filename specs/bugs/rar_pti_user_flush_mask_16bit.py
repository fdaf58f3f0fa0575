"""PTI with a global ASID: invalidate_user_asid's bit does not fit in the 16-bit user_pcid_flush_mask.

A real bug, fixed by "x86/mm: resize user_pcid_flush_mask for PTI / broadcast TLB flush combination"
(Rik van Riel, v2 2025-05-30, lore 20250530174136.61b8086a@fangorn; Fixes: "x86/mm: userspace & pageout
flushing using Intel RAR"; Cc: stable). With RAR a CPU flushes the global ASID itself: flush_tlb_func
on a trim IPI (flush_tlb_local), and choose_new_asid's need_flush = new_cpu on a switch back into
mm_cpumask. Each calls invalidate_user_asid(asid), which sets bit kern_pcid(asid) of
cpu_tlbstate.user_pcid_flush_mask so that SWITCH_TO_USER_CR3 flushes the user PCID on the return to
user. In v6.15 that mask is an unsigned short sized for the TLB_NR_DYN_ASIDS dynamic slots; a global
ASID's kern_pcid is 7..2046, so from 16 on the bit lands in the struct tlb_state bytes after the mask
(the cr4 shadow, ctxs[]). SWITCH_TO_USER_CR3's bt reads the same bytes, so the flush still happens
unless something stores there first; the model lets such a store clear the bit
(tlbstate_store_over_bit, present only with user_flush_mask_wide=False). The trace: a trim IPI flushes
CPU 0's global PCID and defers its user PCID's flush to that bit; the page is freed; a store over
the bit loses the deferred flush; the return to user keeps the user PCID's old entry. Not modelled: the
other effect of the same store, bits of kern_pcid set in the cr4 shadow or in a dynamic slot's
ctxs[].tlb_gen.
"""
from checker.spec import Check
from protocols.rar import PROTOCOL

CHECK = Check(PROTOCOL, name="rar_pti_user_flush_mask_16bit", cpus=2, initiators=1, pages=1, rounds=1,
              global_at_start=True, pti=True, user_flush_mask_wide=False,
              expect="violates no_stale_access", liveness=False)
