"""Async flush without the NMI/kprobe user-access block (RFC patch 11's nmi_uaccess_okay check).

The target has unlocked its csd and not yet flushed (window W) when the initiator frees the
page; a perf NMI in the handler reads user memory through the still-cached translation of
the freed frame: a read of memory someone else may own by now.
"""
from checker.spec import Check
from protocols.async_inline import PROTOCOL

STALE = Check(PROTOCOL, name="nmi_reads_freed_frame", cpus=2, pages=1, rounds=1, nmi_block=False,
              expect="violates no_stale_access")
