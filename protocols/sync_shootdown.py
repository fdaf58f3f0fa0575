"""sync_shootdown — the benchmark model: a synchronous TLB shootdown, small enough for any checker.

CPU 0 initiates, CPUs 1..N-1 respond (the index set `Responder`, member i is CPU i+1; it is
symmetric: no responder is special); P pages, R unmap rounds. Each action is one atomic step:

  initiator (CPU 0)                              responders and CPU 0's TLB
  1 clear_pte      mapped, cleared < P           10 fill0(j)        PTE j present, CPU 0's entry empty
  2 start_send     mapped, cleared = P           11 fill(i, j)      i not in handler, mm loaded, PTE j present
  3 send_ipi(i)    sending, i not marked         12 unload(i)       i not in handler, loaded: drop all entries
  4 all_sent       sending, every i marked       13 load(i)         i not in handler, not loaded
  5 local_flush    empty CPU 0's entries         14 handler_enter(i) i not in handler, pending: flush
  6 ack(i)         waiting, i marked, handled    15 handler_exit(i) i in handler: clear pending
  7 all_acked      waiting, nobody marked
  8 next_round     freed, round + 1 < R
  9 finish         freed, round + 1 = R

PTE j is present iff the phase is `mapped` and j >= cleared. The invariant: in phases freed and
done, no CPU holds any TLB entry. `wait=false` is the broken variant: the local flush also
unmarks every responder and frees at once, without waiting for the IPIs to be handled.

The same model is written in Promela (benchmarks/sync_shootdown.pml) and Murphi
(benchmarks/sync_shootdown.m); all three give the same number of distinct states.
"""
from . import strengthening
from checker.lang import (BOOL, IntRange, ModelBuilder, Param, Protocol, any_of, exists, forall,
                          implies, when)

PHASES = ("mapped", "sending", "local_flush", "waiting", "freed", "done")


def build(cfg):
    n, pages, rounds, wait = cfg.cpus, cfg.pages, cfg.rounds, cfg.wait
    m = ModelBuilder("sync_shootdown", cfg, __doc__)
    Resp = m.index_set("Responder", n - 1, symmetric=True)
    Page = m.index_set("Page", pages)
    Phase = m.enum("Phase", *PHASES)

    phase = m.var("phase", Phase, "mapped", "where CPU 0 is in the unmap/flush/free sequence")
    rnd = m.var("round", IntRange(0, rounds - 1), 0, "which unmap operation this is")
    cleared = m.var("cleared", IntRange(0, pages), 0, "how many PTEs CPU 0 has cleared")
    tlb0 = m.array("tlb0", Page, BOOL, False, "CPU 0's TLB entry for page j")
    loaded = m.array("loaded", Resp, BOOL, True, "the mm is loaded on responder i")
    pending = m.array("pending", Resp, BOOL, False, "a flush IPI is pending on responder i")
    in_handler = m.array("in_handler", Resp, BOOL, False, "responder i runs the flush handler")
    marked = m.array("marked", Resp, BOOL, False, "CPU 0 has sent to i and not yet seen it done")
    tlb = m.array("tlb", (Resp, Page), BOOL, False, "responder i's TLB entry for page j")

    def pte(j):
        """Page j's PTE is present: mapped, and not yet cleared."""
        return (phase == "mapped") & any_of(*[(j == k) & (cleared <= k) for k in Page.members])

    # ---------------------------------------------------------------- initiator
    @m.action(ref="zap_pte_range: clear one PTE")
    def clear_pte():
        return when((phase == "mapped") & (cleared < pages), cleared.becomes(cleared + 1))

    @m.action(ref="flush_tlb_mm_range: start the shootdown")
    def start_send():
        return when((phase == "mapped") & (cleared == pages), phase.becomes("sending"))

    @m.action(Resp, ref="smp_call_function_many: IPI one CPU (only if it has the mm loaded)")
    def send_ipi(i):
        return when((phase == "sending") & ~marked[i], marked[i].becomes(True),
                    pending[i].becomes(loaded[i]))

    @m.action(ref="smp_call_function_many: every IPI sent")
    def all_sent():
        return when((phase == "sending") & forall(Resp, lambda i: marked[i]),
                    phase.becomes("local_flush"))

    if wait:
        @m.action(ref="flush_tlb_func_local: flush CPU 0's TLB")
        def local_flush():
            return when(phase == "local_flush", [tlb0[j].becomes(False) for j in Page.members],
                        phase.becomes("waiting"))
    else:
        @m.action(ref="(bug) flush CPU 0's TLB and free without waiting for the IPIs")
        def local_flush():
            return when(phase == "local_flush", [tlb0[j].becomes(False) for j in Page.members],
                        [marked[i].becomes(False) for i in Resp.members], phase.becomes("freed"))

    @m.action(Resp, ref="csd_lock_wait: CPU i has handled the flush")
    def ack(i):
        return when((phase == "waiting") & marked[i] & ~pending[i], marked[i].becomes(False))

    @m.action(ref="smp_call_function_many returns: every IPI handled")
    def all_acked():
        return when((phase == "waiting") & forall(Resp, lambda i: ~marked[i]), phase.becomes("freed"))

    if rounds > 1:
        @m.action(ref="mmap + fault: map the pages again for the next round")
        def next_round():
            return when((phase == "freed") & (rnd + 1 < rounds), phase.becomes("mapped"),
                        rnd.becomes(rnd + 1), cleared.becomes(0))

    @m.action(ref="the last round is over")
    def finish():
        return when((phase == "freed") & (rnd + 1 == rounds), phase.becomes("done"))

    # ---------------------------------------------------------------- CPUs
    @m.action(Page, environment=True, ref="page walk on CPU 0")
    def fill0(j):
        return when(pte(j) & ~tlb0[j], tlb0[j].becomes(True))

    @m.action(Resp, Page, environment=True, ref="page walk on responder i")
    def fill(i, j):
        return when(~in_handler[i] & loaded[i] & pte(j) & ~tlb[i, j], tlb[i, j].becomes(True))

    @m.action(Resp, environment=True, ref="switch_mm away: the mm's entries become unreachable")
    def unload(i):
        return when(~in_handler[i] & loaded[i], loaded[i].becomes(False),
                    [tlb[i, j].becomes(False) for j in Page.members])

    @m.action(Resp, environment=True, ref="switch_mm back to the mm")
    def load(i):
        return when(~in_handler[i] & ~loaded[i], loaded[i].becomes(True))

    @m.action(Resp, ref="flush IPI handler: flush the TLB")
    def handler_enter(i):
        return when(~in_handler[i] & pending[i], in_handler[i].becomes(True),
                    [tlb[i, j].becomes(False) for j in Page.members])

    @m.action(Resp, ref="flush IPI handler returns")
    def handler_exit(i):
        return when(in_handler[i], pending[i].becomes(False), in_handler[i].becomes(False))

    m.invariant("no_tlb_entry_after_free",
                implies((phase == "freed") | (phase == "done"),
                        forall(Page, lambda j: ~tlb0[j]) & forall(Resp, Page, lambda i, j: ~tlb[i, j])),
                "once the pages are freed, no CPU holds a TLB entry for them",
                "flush_tlb_mm_range() returns only when no CPU can use the old PTEs",
                # csd_lock_wait: the free is one step away while a responder still caches an entry
                precondition=((phase == "local_flush") | (phase == "waiting"))
                & exists(Resp, Page, lambda i, j: tlb[i, j]))
    m.cover("ipi_skipped_unloaded", (phase == "waiting") & exists(Resp, lambda i: marked[i] & ~pending[i]
                                                                   & ~loaded[i]),
            "a responder that had switched away got no IPI (it holds nothing of the mm)",
            "native_flush_tlb_others: only the CPUs in mm_cpumask are IPI'd")
    m.cover("every_round_completes", (phase == "done") & (rnd == rounds - 1),
            "the last round unmapped, flushed and freed", "tlb_finish_mmu")
    if wait:  # auxiliary invariants for --prove (not checked by default)
        strengthening.declare_sync_shootdown(m, Resp, Page, phase, marked, pending, in_handler, loaded, tlb, tlb0)
    m.final(phase == "done")
    return m.build()


PROTOCOL = Protocol("sync_shootdown", build, (
    Param("cpus", 4, 2, 12, doc="CPUs: CPU 0 initiates, CPUs 1..N-1 respond"),
    Param("pages", 1, 1, 4, doc="pages unmapped in each round"),
    Param("rounds", 2, 1, 4, doc="unmap/flush/free rounds"),
    Param("wait", True, doc="wait for every IPI to be handled before freeing (false: bug)")),
    __doc__)
