"""Lazy CPUs skipped even when page tables are freed (the bug b956575bed91 fixed, v4.14).

A lazy CPU keeps the mm's CR3 and its paging-structure caches; if the flush skips it when
munmap frees a PTE table, the lazy CPU can still speculatively walk into the freed table.
"""
from checker.spec import Check
from protocols.baseline import PROTOCOL

CHECK = Check(PROTOCOL, cpus=2, pages=1, rounds=1, lazy_skip_on_free=True,
              expect="violates no_freed_table_walk")
