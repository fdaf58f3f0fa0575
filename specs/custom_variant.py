"""A new variant in a few lines: the v5.13 concurrent flush, asynchronous like the RFC, but
with flush_tlb_info in the per-CPU variable instead of inlined — and a NMI block.

Written on top of the library (protocols/flush.py, protocols/tlb.py): a Design picks the
mechanisms, flush.build composes them. Expected to break flush_info_live: a target reads the
per-CPU info after csd_unlock, when the initiator may already be reusing it.
"""
from checker.lang import Protocol
from checker.spec import Check
from protocols import flush
from protocols.tlb import Design

DESIGN = Design(version="v5.13+async", local_first=False, async_user=True, info="percpu", nmi_block=True)
PROTOCOL = Protocol("concurrent_async_percpu",
                    lambda cfg: flush.build("concurrent_async_percpu", cfg, flush.variant(DESIGN, cfg)),
                    flush.family_params(DESIGN))

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, expect="violates flush_info_live")
INLINED = Check(PROTOCOL, name="inlined", cpus=2, pages=1, rounds=1, info="inline", expect="holds")
