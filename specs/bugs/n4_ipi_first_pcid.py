"""N4: "IPI first, then local flush" also moved the invalidation of idle PCIDs after the IPIs.

FreeBSD r362031 reordered amd64 pmap invalidation to send the shootdown IPIs first and flush the
local TLB while they run (Linux's "concurrent flush", Variant B). With PCID it moved too much:
sys/amd64/amd64/pmap.c invalidates the PCIDs of the CPUs that do not run the pmap by zeroing their
pm_gen, so that pmap_activate_sw flushes when one switches back, and that store went after the
IPIs with the local flush. A CPU that was not in pm_active when the IPI mask was read, and
switched to the pmap before its pm_gen was zeroed, found its PCID valid and kept the old
translations: stale data after copy-on-write. r368649 (kib, Dec 2020) moved it back before the
IPIs as pmap_invalidate_preipi(), with a seq_cst fence against pm_active (the source's comment:
"it is impossible for us to miss the bit update in pm_active and simultaneously observe a
non-zero pm_gen in pmap_activate_sw()").

In Linux the same job is done by inc_mm_tlb_gen before flush_tlb_multi reads mm_cpumask:
choose_new_asid compares the slot's ctxs[asid].tlb_gen with it at switch-in. The IPI handlers
read the same counter, so moving the whole bump after the IPIs would also break them (a bug of
its own, with or without PCID). To say N4 and only N4, slot_gen_before_ipi=False gives the
switch-in check its own copy of the generation (switch_gen), published by the initiator's local
flush after the IPI scan, while the handlers keep Linux's order. Found: CPU 1, switched away
with this mm's entries in its other ASID slot, is skipped by the scan, switches in before the
initiator flushes locally, reuses the slot with NOFLUSH, and reads the freed frame. With one
ASID slot (no PCID: every switch flushes) the same order holds, as FreeBSD's did without PCID;
the fixed model beside it holds.

Both N4 checks name the safety invariants: `caught_up_when_settled` is about Linux's ctxs[].tlb_gen,
and here a CPU switching in records switch_gen, the copy that lags until the local flush (FreeBSD
keeps no such record), so it reports that lag, a cost, even without PCID.
"""
from checker.spec import Check
from protocols.tlb_gen import PROTOCOL

BOUNDS = dict(cpus=2, initiators=1, pages=1, asids=2)
CHECK = Check(PROTOCOL, name="n4_ipi_first_pcid", **BOUNDS, slot_gen_before_ipi=False,
              invariants=("no_stale_access", "asid_holds_its_mm", "loaded_asid_is_current"), expect="violates no_stale_access", liveness=False)
NO_PCID = Check(PROTOCOL, name="n4_ipi_first_no_pcid", **dict(BOUNDS, asids=1), slot_gen_before_ipi=False,
                invariants=("no_stale_access", "asid_holds_its_mm", "loaded_asid_is_current"), expect="holds")
FIXED = Check(PROTOCOL, name="n4_ipi_first_pcid_fixed", **BOUNDS, expect="holds")
