"""Shared helpers: run specs in-process and find the repository's files."""
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def root():
    return ROOT


def spec_path(*parts: str) -> str:
    return os.path.join(ROOT, "specs", *parts)
