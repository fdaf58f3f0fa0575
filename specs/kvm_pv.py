"""kvm_pv — a KVM guest's paravirtual flush (kvm_flush_tlb_multi, v5.10) on the v5.x flush."""
from checker.spec import Check
from protocols.kvm_pv import PROTOCOL

CHECK = Check(PROTOCOL, cpus=3, pages=1, rounds=2, expect="holds")
TWO_CPUS = Check(PROTOCOL, name="kvm_pv_2cpus", cpus=2, pages=2, rounds=2, expect="holds",
                 min_mutation_score=0.83)   # docs/adequacy.md: 205 of 245 scored mutants killed
