"""Intel Remote Action Request (RAR) on global ASIDs: the RFC v4 design (2025, not merged).

protocols/rar.py: an mm flushed by IPIs gets a global ASID on the flush path (consider_global_asid,
as with INVLPGB); its later flushes are Remote Action Requests to mm_cpumask: the initiator fills its
payload slot, marks each target's action byte PENDING, sends the RAR IPI and spins until every byte
is SUCCESS; the targets' microcode invalidates, IRQs off too. A CPU that left the mask flushes the
global PCID when it switches back in. The broken variants are in specs/bugs/rar_*.py.

Three CPUs with two VAs and two rounds from dynamic ASIDs is beyond these specs (the state space passes
30 M states; docs/adequacy.md): the transition is checked at one VA, the RAR rule at two VAs on an mm
that starts on its global ASID.
"""
from checker.spec import Check
from protocols.rar import PROTOCOL

# three CPUs, one initiator: its first flush goes by IPI and assigns the global ASID, its second is a RAR
# (and finish_asid_transition); one VA
RAR_3CPUS = Check(PROTOCOL, name="rar_3cpus", cpus=3, initiators=1, pages=1, rounds=2, expect="holds")
# three CPUs, two VAs, two frames, two RARs on an mm that already runs on its global ASID: CPUs leave the
# mask (trim IPIs, lazy CPUs) and come back
_ASSIGNED = "the mm starts with its global ASID and the transition finished"
RAR_3CPUS_GLOBAL = Check(PROTOCOL, name="rar_3cpus_global", cpus=3, initiators=1, pages=2, rounds=2,
                         global_at_start=True, expect="holds",
                         dead_ok={a: _ASSIGNED for a in ("use_global_asid", "mm_assign_publish",
                                                         "finish_asid_transition_cpu", "mm_clear_asid_transition")})
# the transition at two VAs: the mm starts just after mm_assign_global_asid (asid_transition set, every
# CPU still on its dynamic ASID); its one flush is a RAR and finish_asid_transition IPIs the mask
# (benchmarks/global_asid.py runs it at three CPUs, with liveness)
RAR_TRANSITION = Check(PROTOCOL, name="rar_transition", cpus=2, initiators=1, pages=2, rounds=1,
                       assigned_at_start=True, expect="holds",
                       dead_ok={**{a: "the mm starts with its global ASID assigned: no second assignment"
                                   for a in ("use_global_asid", "mm_assign_publish")},
                                "ipi_skip": "every IPI is the transition's, to the whole mask"})
# two initiators at once (each its own payload slot): one assigns the global ASID while the other flushes
RAR_2INITIATORS = Check(PROTOCOL, name="rar_2initiators", cpus=2, initiators=2, pages=2, rounds=1,
                        expect="holds")
# x86-TSO: loaded_mm and the PENDING stores through store buffers; smp_mb() in switch_mm_irqs_off and the
# fence before the RAR IPI
RAR_TSO = Check(PROTOCOL, name="rar_tso", cpus=2, initiators=1, pages=1, rounds=2, memory="tso",
                expect="holds")
# page-table isolation: user mode on the user PCIDs; a CPU's own flush of a PCID (the global one too: the
# trim IPI, the switch-in of a CPU outside the mask) marks its user PCID for the return to user;
# rar_tlb_flush's second RAR flushes the global ASID's user PCID
RAR_PTI = Check(PROTOCOL, name="rar_pti", cpus=2, initiators=1, pages=1, rounds=2, pti=True, expect="holds")
# munmap with free_pgtables: a PTE-table page detached and freed; paging-structure caches per CPU and PCID,
# dropped by a CPU's own flush of the PCID and by a RAR's invalidation; the flush's IPIs reach lazy CPUs
RAR_MUNMAP = Check(PROTOCOL, name="rar_munmap", cpus=2, initiators=1, pages=1, rounds=2, munmap=True, expect="holds")
# the smallest holding check (two CPUs, one VA, two flushes by one initiator): what `mutate` runs on
RAR_SMALL = Check(PROTOCOL, name="rar_small", cpus=2, initiators=1, pages=1, rounds=2, expect="holds",
                  max_states=300_000)  # 10,286 states; the cap bounds a mutant whose space explodes
# the global-ASID allocator and a second mm B (as invlpgb_allocator): B holds the first global ASID, caches
# its translation under it and is destroyed (mm_free_global_asid: the freed bitmap); a new B takes the second
# (the cursor at the edge); this mm's allocation then runs reset_global_asid_space, whose flush_tlb_all is a
# RAR of every PCID to every CPU (rar_flush_all), and reuses B's first PCID, flushed on switch-in by a CPU
# outside mm_cpumask like any global ASID
RAR_ALLOCATOR = Check(PROTOCOL, name="rar_allocator", cpus=2, initiators=1, pages=1, rounds=2, allocator=True,
                      expect="holds")
# the same with three global ASIDs (as invlpgb_allocator_3asids): a B allocates after this mm's allocation, so
# its bookkeeping is read again, and the cursor can stand below the top with every ASID above it taken while one
# freed below it is available: v6.15 then hands out MAX_ASID_AVAILABLE (asid_past_the_end)
RAR_ALLOCATOR_3ASIDS = Check(PROTOCOL, name="rar_allocator_3asids", cpus=2, initiators=1, pages=1, rounds=2,
                             allocator=True, global_asids=3, expect="holds")
# the same with one operation (as invlpgb_allocator_3asids_small): what `mutate` runs the allocator's actions on
ONE_OP = "one operation from dynamic ASIDs: its flush assigns the global ASID by IPIs; no RAR after it"
RAR_ALLOCATOR_3ASIDS_SMALL = Check(
    PROTOCOL, name="rar_allocator_3asids_small", cpus=2, initiators=1, pages=1, rounds=1, allocator=True,
    global_asids=3, expect="holds",
    dead_ok={a: ONE_OP for a in ("should_trim_cpumask", "set_payload", "set_action_entry", "native_send_rar_ipi",
                                 "wait_for_action_done", "finish_asid_transition_cpu", "mm_clear_asid_transition")},
    uncovered_ok={c: ONE_OP for c in ("rar_in_flight", "rar_wait_spins", "lazy_cpu_reached_by_rar",
                                      "global_entries_outside_mask", "switch_in_flushes_new_cpu",
                                      "dynamic_asid_in_transition", "transition_ipi", "transition_finished",
                                      "trim_ipi", "ipi_send__lazy_in_transition")})
