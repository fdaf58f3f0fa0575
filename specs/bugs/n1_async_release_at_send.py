"""N1 — the RFC async flush as posted: the IPI *send* acts as the synchronisation point.

RFC v2 "x86: Flush remote TLBs concurrently and async" (Nadav Amit, 2019-05-31), patch 11;
Nadav in reply to Andy Lutomirski: a "last minute bug" made the posted code release the
initiator once the IPI was sent, not once the target had received it and unlocked the csd.
Undone here (async_wait=False): the initiator frees the page while the target still runs
user code with the old translation cached.
"""
from checker.spec import Check
from protocols.async_inline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, async_wait=False, expect="violates no_stale_access")
