"""Intel Remote Action Request (RAR) on global ASIDs: the RFC v4 design (2025, not merged).

protocols/rar.py: an mm flushed by IPIs gets a global ASID on the flush path (consider_global_asid,
as with INVLPGB); its later flushes are Remote Action Requests to mm_cpumask: the initiator fills its
payload slot, marks each target's action byte PENDING, sends the RAR IPI and spins until every byte
is SUCCESS; the targets' microcode invalidates, IRQs off too. A CPU that left the mask flushes the
global PCID when it switches back in. The broken variants are in specs/bugs/rar_*.py.
"""
from checker.spec import Check
from protocols.rar import PROTOCOL

# the acceptance bounds: three CPUs, one initiator whose first flush goes by IPI and assigns the global
# ASID and whose second is a RAR; two VAs, two frames
RAR_3CPUS = Check(PROTOCOL, name="rar_3cpus", cpus=3, initiators=1, pages=2, rounds=2, expect="holds")
# two initiators at once (each its own payload slot): one assigns the global ASID while the other flushes
RAR_2INITIATORS = Check(PROTOCOL, name="rar_2initiators", cpus=2, initiators=2, pages=2, rounds=1,
                        expect="holds")
# x86-TSO: loaded_mm and the PENDING stores through store buffers; smp_mb() in switch_mm_irqs_off and the
# fence before the RAR IPI
RAR_TSO = Check(PROTOCOL, name="rar_tso", cpus=2, initiators=1, pages=1, rounds=2, memory="tso",
                expect="holds")
# the smallest holding check (two CPUs, one VA, two flushes by one initiator): what `mutate` runs on
RAR_SMALL = Check(PROTOCOL, name="rar_small", cpus=2, initiators=1, pages=1, rounds=2, expect="holds")
