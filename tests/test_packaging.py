"""Packaging: a LICENSE and its metadata, and an sdist that carries what the tests need."""
import os
import subprocess
import sys
import tarfile
import tomllib

import pytest

from .conftest import ROOT


def project() -> dict:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["project"]


def test_license_and_metadata():
    p = project()
    assert p["license"] == "MIT" and p["license-files"] == ["LICENSE"]
    with open(os.path.join(ROOT, "LICENSE")) as f:
        assert f.readline().strip() == "MIT License"
    assert not any(c.startswith("License ::") for c in p["classifiers"])   # the SPDX string says it
    assert "Programming Language :: Python :: 3.11" in p["classifiers"]
    assert any(d.startswith("itf-py") for d in p["optional-dependencies"]["dev"])


BUILD = """
import sys, setuptools.build_meta as b
print(b.build_sdist(sys.argv[1]))
"""


def test_sdist_carries_the_tests_and_what_they_read(tmp_path):
    """Built in a subprocess (setuptools >= 77 reads the SPDX license), from a copy of the tree."""
    import importlib.metadata as md
    version = tuple(int(x) for x in md.version("setuptools").split(".")[:2])
    # a directory holding a newer setuptools (pip install --target DIR), where the installed one is old
    extra = os.environ.get("FLUSHCHECK_SETUPTOOLS_PATH")
    if version < (77, 0) and not extra:
        pytest.skip(f"setuptools {md.version('setuptools')} < 77 (the dev extra installs a newer one)")
    listed = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout (the files to package are the checkout's)")
    src = tmp_path / "src"        # the checkout's files only: no build outputs, no caches
    for name in filter(None, (f.decode() for f in listed.stdout.split(b"\0"))):
        if os.path.isfile(os.path.join(ROOT, name)):
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            with open(os.path.join(ROOT, name), "rb") as f:
                (src / name).write_bytes(f.read())
    env = {**os.environ, "PYTHONPATH": extra or ""}
    out = subprocess.run([sys.executable, "-c", BUILD, str(tmp_path / "dist")], cwd=src, env=env,
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    name = out.stdout.strip().splitlines()[-1]
    with tarfile.open(tmp_path / "dist" / name) as t:
        members = {m.split("/", 1)[1] for m in t.getnames() if "/" in m}
        pkg_info = t.extractfile(next(m for m in t.getnames() if m.endswith("/PKG-INFO"))).read().decode()
    for need in ("LICENSE", "README.md", "tests/conftest.py", "tests/fixtures/toy.py",
                 "tests/schemas/sarif-schema-2.1.0.json", "specs/bugs/free_before_ack.py",
                 "benchmarks/sync_shootdown.py", "checker/explicit/fast/fc_sim.h",
                 "checker/explicit/fast/fc_runtime.h", "protocols/tlb.py", "docs/ci.md"):
        assert need in members, need
    assert not any("__pycache__" in m for m in members)
    assert "License-Expression: MIT" in pkg_info and "License-File: LICENSE" in pkg_info
