"""The initiator frees the pages without waiting for the targets' acknowledgements.

smp_call_function_many(..., wait=1) spins in csd_lock_wait until each target has flushed;
without that wait tlb_finish_mmu frees the frame while a target that has not yet taken the
IPI still runs user code with the old translation cached.
"""
from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, wait_for_ack=False, expect="violates no_stale_access")
