"""Async flush with flush_tlb_info on the initiator's stack instead of inlined in the csd.

RFC patch 10 copies the info into the csd because a non-SYNC target reads it after
csd_unlock: by then the initiator may have returned from flush_tlb_mm_range and its stack
frame (or the reused per-CPU info) holds something else.
"""
from checker.spec import Check
from protocols.async_inline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, info="stack", expect="violates flush_info_live")
