"""page_tables — the PTE-table page munmap frees, and the paging-structure caches that may still
point to it: the declarations tlb_gen.py and invlpgb.py share (their munmap parts).

One PTE-table page is in the PMD at first; with rounds > 1 there is a second for the fault after the
munmap (pte_alloc may take either). A CPU's paging-structure cache holds at most one PTE-table
pointer per tag (an ASID slot, or a PCID).
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.lang import BOOL, Elem, If, exists, forall


@dataclass(frozen=True)
class PageTables:
    """The munmap part's index set and variables, as the family declared them."""

    PTable: object
    pmd: object
    ptable: object
    table_batch: object
    psc: object
    freed_tables: object
    freed_table_walk: object

    def detached(self, e):
        """Table reference `e` points to a PTE-table page the mm no longer has in its PMD."""
        return exists(self.PTable, lambda t: (e == t) & (self.ptable[t] != "mm"))

    def invariant_table_batch(self, m, ref: str) -> None:
        """table_batch_holds_gathered: the mmu_gather holds a table exactly while it is detached."""
        ptable, table_batch = self.ptable, self.table_batch
        m.invariant("table_batch_holds_gathered", forall(self.PTable, lambda t: (table_batch[t] == None)  # noqa: E711
                                                         == (ptable[t] != "gathered")),
                    "a PTE-table page is in an mmu_gather batch exactly while it is detached and not yet freed: "
                    "pte_free_tlb adds it, tlb_finish_mmu frees it and empties the batch", ref,
                    precondition=exists(self.PTable, lambda t: ptable[t] == "gathered"))

    def invariant_no_freed_table_walk(self, m, CPU, tags, ref: str) -> None:
        """no_freed_table_walk, checked where some paging-structure cache points to a detached table."""
        m.invariant("no_freed_table_walk", forall(CPU, lambda c: ~self.freed_table_walk[c]),
                    "no page walk, speculative ones included, reads a PTE-table page munmap freed", ref,
                    precondition=exists(CPU, tags, lambda c, s: self.detached(self.psc[c, s])))

    def free_batch(self, i) -> list:
        """tlb_finish_mmu -> tlb_table_flush: the PTE-table pages in initiator i's batch are freed with its
        pages, after the flush; its flush_tlb_info.freed_tables is reset."""
        ptable, table_batch = self.ptable, self.table_batch
        mine = {t: (ptable[t] == "gathered") & (table_batch[t] == i) for t in self.PTable.members}
        return ([ptable[t].becomes(If(mine[t], "free", ptable[t])) for t in self.PTable.members]
                + [table_batch[t].becomes(If(mine[t], None, table_batch[t])) for t in self.PTable.members]
                + [self.freed_tables[i].becomes(False)])


def declare(m, CPU, tags, rounds: int, tagged: str) -> PageTables:
    """Declare the PTE-table pages, the PMD, the mmu_gather's table batch, the per-CPU paging-structure
    caches per member of `tags` (`tagged`: what a tag is, in words) and the freed-table record."""
    PTable = m.index_set("PTable", 1 if rounds == 1 else 2)
    TableRef = Elem(PTable, optional=True)
    pmd = m.var("pmd", TableRef, 0, "the PTE-table page the PMD entry points to (none once munmap detached it)")
    ptable = m.array("ptable", PTable, m.enum("TableOwner", "free", "mm", "gathered"),
                     lambda t: "mm" if t == 0 else "free",
                     "PTE-table page t: free, the mm's, or detached by free_pgtables and in an mmu_gather batch")
    table_batch = m.array("table_batch", PTable, Elem(CPU, optional=True), None,
                          "whose mmu_gather batch holds PTE-table page t (pte_free_tlb)")
    psc = m.array("psc", (CPU, tags), TableRef, None,
                  f"the PTE-table page CPU c's paging-structure cache points to, tagged with {tagged}")
    freed_tables = m.array("freed_tables", CPU, BOOL, False, "initiator c's flush_tlb_info.freed_tables")
    freed_table_walk = m.array("freed_table_walk", CPU, BOOL, False, history=True)
    return PageTables(PTable, pmd, ptable, table_batch, psc, freed_tables, freed_table_walk)
