"""How close the process is to the memory it may use, so that a search stops cleanly.

Two kinds of ceiling:
- `--memory-limit SIZE` (default: DEFAULT_SHARE of physical memory, or of the cgroup's limit where
  that is lower): the resident memory the process may reach. The reference explorer compares
  its resident set, between batches, with the limit less the next growth of its tables; the
  fast backend counts its own allocations against the limit less what the process already held
  when it started (checker/explicit/fast/fc_runtime.h). Either way the search ends as
  "incomplete: memory limit reached", with its statistics, instead of being killed.
- the process's rlimits (ulimit -v / -d): CPython near a hard allocation limit is unreliable —
  a MemoryError can be lost inside C code and surface as a SystemError, or the process can
  stall — so the explorer stops once it has used most (HEADROOM) of what they allow.
"""
from __future__ import annotations

import os
import re
import resource

HEADROOM = 0.9   # stop once this fraction of an rlimit is used
DEFAULT_SHARE = 0.8   # the default --memory-limit: this share of physical memory (or the cgroup's)

_UNITS = {"": 1, "B": 1, "K": 2**10, "KB": 2**10, "KIB": 2**10, "M": 2**20, "MB": 2**20,
          "MIB": 2**20, "G": 2**30, "GB": 2**30, "GIB": 2**30, "T": 2**40, "TB": 2**40, "TIB": 2**40}


def parse_size(text: str) -> int | None:
    """'4G', '512M', '1.5GB', '1073741824' -> bytes (binary units); None if it is not a size."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([A-Za-z]*)\s*", text)
    if not m or m.group(2).upper() not in _UNITS:
        return None
    n = int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    return n if n > 0 else None


def format_bytes(n: int) -> str:
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n} B"


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def rss_bytes() -> int:
    """The process's resident memory now (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def physical_memory() -> int | None:
    """Physical memory, or the cgroup's memory limit where that is lower."""
    total = None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        pass
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                v = f.read().strip()
            if v.isdigit() and (total is None or int(v) < total):
                total = int(v)
        except OSError:
            pass
    return total


def default_limit() -> int | None:
    """The default --memory-limit: a safe share of physical memory."""
    total = physical_memory()
    return int(total * DEFAULT_SHARE) if total else None


class MemoryLimits:
    """The ceilings that apply to this process, read once; `exhausted()` says which is nearly used."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.checks: list[tuple[str, int, object]] = []   # (what, bytes allowed, how to measure)
        for what, lim, field in (("address space", resource.RLIMIT_AS, "VmSize"),
                                 ("data", resource.RLIMIT_DATA, "VmData")):
            soft = resource.getrlimit(lim)[0]
            if soft != resource.RLIM_INFINITY and soft > 0:
                self.checks.append((f"the {what} limit (ulimit)", soft, lambda f=field: _status_kb(f)))
        if limit:
            self.checks.append(("limit", limit, rss_bytes))

    def exhausted(self, growth: int = 0) -> str:
        """Which limit is nearly used up, as words ("" while there is room; "limit": the memory
        limit, once the resident set plus `growth`, the next growth expected, would pass it)."""
        for what, allowed, used in self.checks:
            n = used()
            if what == "limit":
                if n and n + growth > allowed:
                    return "limit"
            elif n is not None and n > HEADROOM * allowed:
                return f"{n / 2**20:,.0f} MB used of the {allowed / 2**20:,.0f} MB {what} allows"
        return ""
