"""Several initiators in every flush family: CPUs 0 and 1 each unmap and flush at once.

One check per family (protocols/initiators.py builds the model for `initiators` > 1): two CPUs, both
initiating (the CPU set is symmetric), two pages, one operation each. hyperv runs beside munmap and
MADV_DONTNEED with tables freed after the flush and no GUP-fast: its khugepaged, RCU table free and
GUP-fast do not compose with several initiators (protocols/initiators.py lists what does not).
"""
from checker.spec import Check
from protocols.baseline import PROTOCOL as BASELINE
from protocols.concurrent import PROTOCOL as CONCURRENT
from protocols.async_inline import PROTOCOL as ASYNC_INLINE
from protocols.v4_19 import PROTOCOL as V4_19
from protocols.v6 import PROTOCOL as V6
from protocols.kvm_pv import PROTOCOL as KVM_PV
from protocols.latr import PROTOCOL as LATR
from protocols.hyperv import PROTOCOL as HYPERV

TWO = dict(cpus=2, pages=2, rounds=1, initiators=2, expect="holds")

BASELINE_2 = Check(BASELINE, name="baseline_2initiators", **TWO)
CONCURRENT_2 = Check(CONCURRENT, name="concurrent_2initiators", **TWO)
ASYNC_INLINE_2 = Check(ASYNC_INLINE, name="async_inline_2initiators", **TWO)
V4_19_2 = Check(V4_19, name="v4_19_2initiators", **TWO)
V6_2 = Check(V6, name="v6_2initiators", **TWO)
KVM_PV_2 = Check(KVM_PV, name="kvm_pv_2initiators", **TWO)
LATR_2 = Check(LATR, name="latr_2initiators", **TWO)
HYPERV_2 = Check(HYPERV, name="hyperv_2initiators", **TWO, callers=("munmap", "madvise"), gup_fast=False,
                 table_free="after_flush")
