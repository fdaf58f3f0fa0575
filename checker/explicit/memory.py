"""How close the process is to the memory it may use, so the reference explorer stops cleanly.

CPython near a hard allocation limit is unreliable — a MemoryError can be lost inside C code
and surface as a SystemError, or the process can stall — so the explorer checks, between
batches, whether it has used most of what its rlimits (address space, data) allow, and stops
as "incomplete: out of memory" while it still has room to report. (A cgroup's limit is shared
with other processes and page cache, so it is not a measure of this search: not checked.)
"""
from __future__ import annotations

import resource

HEADROOM = 0.9   # stop once this fraction of a limit is used


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class MemoryLimits:
    """The rlimits that apply to this process, read once; `exhausted()` says which is nearly used."""

    def __init__(self) -> None:
        self.checks: list[tuple[str, int, object]] = []   # (what, bytes allowed, how to measure)
        for what, lim, field in (("address space", resource.RLIMIT_AS, "VmSize"),
                                 ("data", resource.RLIMIT_DATA, "VmData")):
            soft = resource.getrlimit(lim)[0]
            if soft != resource.RLIM_INFINITY and soft > 0:
                self.checks.append((f"the {what} limit (ulimit)", soft, lambda f=field: _status_kb(f)))

    def exhausted(self) -> str:
        """Which limit is nearly used up, as words ("" while there is room)."""
        for what, allowed, used in self.checks:
            n = used()
            if n is not None and n > HEADROOM * allowed:
                return f"{n / 2**20:,.0f} MB used of the {allowed / 2**20:,.0f} MB {what} allows"
        return ""
