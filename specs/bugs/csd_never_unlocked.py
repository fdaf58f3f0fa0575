"""The flush handler returns without csd_unlock: the initiator waits in csd_lock_wait for ever.

smp_call_function_many(..., wait=1) spins in csd_lock_wait until each target's handler has
cleared CSD_FLAG_LOCK (kernel/smp.c: flush_smp_call_function_queue, csd_unlock after func for
a SYNC csd). A handler path that dequeues the csd and returns without unlocking it leaves the
initiator spinning with its flush unfinished — the hang CONFIG_CSD_LOCK_WAIT_DEBUG (v5.10)
was added to report. Undone here: csd_unlock=False. Only environment events (page walks, user
and NMI accesses, context switches) remain possible, so the state is a deadlock.
"""
from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, csd_unlock=False, expect="violates deadlock")
