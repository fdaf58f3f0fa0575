"""The seed's design: concurrent + async flush with flush_tlb_info inlined in the csd."""
from checker.spec import Check
from protocols.async_inline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=3, pages=1, rounds=2, expect="holds",
              # what `--prove` may assume (protocols/strengthening.py), so that it proves the
              # standard invariants for every depth, at any CPU count (e.g. --prove --cpus 32):
              strengthen=[
                  "frames_follow_the_ptes",           # memory as frames; no walk refills after the zap
                  "tlb_gen_counts_rounds",            # mm->context.tlb_gen: one inc per flush
                  "initiator_runs_the_mm",            # CPU 0 sends the IPIs, never takes one
                  "cpumask_is_loaded_mm",             # mm_cpumask = CPUs with the mm in CR3
                  "caught_up_cpus_are_clean",         # tlb_gen caught up => flushed, nothing cached
                  "csd_lock_covers_the_ipi",          # CSD_FLAG_LOCK from csd_lock to csd_unlock
                  "handler_matches_the_flush",        # SYNC csd for sync flushes; info live meanwhile
                  "async_only_without_freed_tables",  # freeing page tables forces a sync flush
                  "scanned_cpus_are_handled",         # every target is IPI'd, caught up, out or lazy
                  "scan_complete_and_acked",          # csd_lock_wait saw every csd unlocked
                  "initiator_flushed_locally",        # flush_tlb_func_local ran before the free
                  "stale_entries_owe_a_flush",        # a stale entry is on a lazy or async-pending CPU
                  "no_cached_freed_table",            # no paging-structure cache points at a freed table
              ])
