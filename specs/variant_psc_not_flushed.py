"""A responder that forgets the paging-structure cache: flush_tlb_func drops the range's TLB
entries but keeps the cached pointer to the PTE table, so munmap frees the table while a target
may still walk it. A variant of concurrent written as one replaced action (Protocol.variant):
the family's other actions, invariants, covers, flush_completes and fairness are kept.
"""
from checker.lang import If, when
from checker.spec import Check
from protocols.concurrent import PROTOCOL


def flush_tlb_func(v, t):
    """flush_tlb_func_common, but the paging-structure cache (psc) is not flushed."""
    lazy, user, irq = v.mode[t] == "lazy", v.mode[t] == "user", v.irq[t]
    behind = v.cpu_tlb_gen[t] < v.mm_tlb_gen
    flush = lazy | (user & behind)
    return when((t != 0) & ((irq == "func") | (irq == "async_func")),
                [v.tlb[t, p].becomes(If(flush, None, v.tlb[t, p])) for p in v.Page.members],
                v.mode[t].becomes(If(lazy, "other", v.mode[t])),
                v.mm_cpumask.becomes(If(lazy, v.mm_cpumask.without(t), v.mm_cpumask)),
                v.cpu_tlb_gen[t].becomes(If(user & behind, v.mm_tlb_gen, v.cpu_tlb_gen[t])),
                v.dead_info_read[t].becomes(v.dead_info_read[t] | (v.info_owner != v.ipi_gen[t])),
                irq.becomes(If(irq == "func", "unlock", "none")))


VARIANT = PROTOCOL.variant("concurrent_psc_not_flushed", replace={"flush_tlb_func": flush_tlb_func})
CHECK = Check(VARIANT, cpus=2, pages=1, rounds=1, expect="violates no_freed_table_walk")
ORIGINAL = Check(PROTOCOL, name="original", cpus=2, pages=1, rounds=1, expect="holds")
