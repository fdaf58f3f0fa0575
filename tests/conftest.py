"""Shared helpers: run specs in-process and find the repository's files."""
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def root():
    return ROOT


def spec_path(*parts: str) -> str:
    return os.path.join(ROOT, "specs", *parts)


def searched_all_clean(r) -> bool:
    """The search covered every reachable state and broke no invariant, whatever else the verdict
    qualifies (liveness left out with --no-liveness, a cover unreached at smaller bounds)."""
    from checker.result import Verdict
    if r.violation is not None:
        return False
    return r.verdict in (Verdict.HOLDS, Verdict.UNCOVERED) or (
        r.verdict is Verdict.INCOMPLETE and bool(r.unchecked) and "limit" not in r.reason)
