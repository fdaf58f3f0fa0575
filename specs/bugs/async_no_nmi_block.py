"""Async flush without the NMI/kprobe user-access block (RFC patch 11's nmi_uaccess_okay check).

The target has unlocked its csd and not yet flushed (window W) when the initiator frees the
page; a perf NMI in the handler reads user memory through the still-cached translation of
the freed frame. The first check finds the broken rule itself (an NMI user access while a
flush is pending), the second the consequence (a read of a freed frame).
"""
from checker.spec import Check
from protocols.async_inline import PROTOCOL

PENDING = Check(PROTOCOL, name="nmi_access_while_flush_pending", cpus=2, pages=1, rounds=1,
                nmi_block=False, expect="violates nmi_uaccess_safe")
STALE = Check(PROTOCOL, name="nmi_reads_freed_frame", cpus=2, pages=1, rounds=1, nmi_block=False,
              invariants=["no_stale_access"], expect="violates no_stale_access")
