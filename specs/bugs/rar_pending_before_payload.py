"""smp_call_rar_many with its first two steps swapped: the action bytes set PENDING before the payload.

arch/x86/mm/rar.c (RAR RFC v4 5/8): set_payload fills the slot, smp_wmb() ("Ensure all writes are
visible before the action entry is set"), then set_action_entry writes RAR_PENDING for each target.
Swapped (payload_first=False), a target whose RAR signal is already latched by another initiator's
IPI runs the PENDING entry with the slot's old payload and writes RAR_SUCCESS; the initiator then fills
the payload, sends its IPI, sees SUCCESS at once, and frees the frame the target still maps.
Two initiators on an mm that already runs on its global ASID.
"""
from checker.spec import Check
from protocols.rar import PROTOCOL

CHECK = Check(PROTOCOL, name="rar_pending_before_payload", cpus=2, initiators=2, pages=2, rounds=1,
              global_at_start=True, payload_first=False, expect="violates no_stale_access", liveness=False)
