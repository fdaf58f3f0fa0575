"""async_inline — RFC v2 patches 10-11: flush info inlined in the csd, async user flushes.

For user-mapping flushes that free no page tables, native_flush_tlb_multi sends non-SYNC csds
carrying a copy of flush_tlb_info. The target copies the info to its stack, sets
async_func_in_progress and unlocks the csd *before* flushing, so the initiator is released
once each target has received the IPI; nmi_uaccess_okay() refuses user access from NMI and
kprobe context while the flush is still to come. Flushes that free page tables fall back to
the synchronous concurrent flush (speculative walks into freed tables, b956575bed91).
"""
from checker.lang import Protocol

from . import flush
from .tlb import RFC, Design

DESIGN = Design(version=RFC, local_first=False, async_user=True, info="inline", nmi_block=True)


def build(cfg):
    return flush.build("async_inline", cfg, flush.variant(DESIGN, cfg), __doc__)


PROTOCOL = Protocol(
    "async_inline", build,
    flush.family_params(DESIGN),
    __doc__)
