"""RAR with INVLPGB's switch-in rule: a CPU that was outside mm_cpumask loads the global ASID without a flush.

RAR reaches only the CPUs in mm_cpumask, so a global ASID is up to date only there (RAR RFC v4,
"x86/mm: userspace & pageout flushing using Intel RAR", arch/x86/mm/tlb.c: choose_new_asid(next,
next_tlb_gen, new_cpu) sets need_flush = new_cpu when switch_mm_irqs_off had to set the CPU's bit).
With INVLPGB's rule instead (switch_in_flush=False: a global ASID is always loaded with NOFLUSH), a CPU
that cached a translation under the global ASID, ran another mm and was trimmed out of the mask misses
the flush of that page; the frame is freed, the CPU switches back in with NOFLUSH and its user access
goes through the old entry.
"""
from checker.spec import Check
from protocols.rar import PROTOCOL

CHECK = Check(PROTOCOL, name="rar_switch_in_no_flush", cpus=2, initiators=1, pages=1, rounds=1,
              global_at_start=True, switch_in_flush=False, expect="violates no_stale_access", liveness=False)
