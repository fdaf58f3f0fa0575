"""JUnit XML for CI (`--gate DIR --junit PATH`): one testcase per check.

A check passes when its verdict meets the spec's expectation (a bug spec passes by being
violated as expected). An unmet expectation is a <failure> whose message is the invariant
and a trace summary; a spec that cannot be loaded or built is an <error>. Every check's text
report, trace included, is its <system-out>. The shape is the common one that Jenkins,
GitLab and the GitHub test-report actions read: testsuites > testsuite > testcase.
"""
from __future__ import annotations

import os
import socket
import time
import xml.etree.ElementTree as ET

from ..result import CheckResult
from .ci import display_path, outcome, plain_report
from .write import write_report


def _classname(spec: str) -> str:
    p = os.path.splitext(display_path(spec))[0]
    return p.replace("/", ".").lstrip(".")


def junit_xml(results: list[CheckResult], errors: list[str], seconds: float, name: str = "flushcheck") -> ET.Element:
    failures = sum(1 for r in results if not r.expectation_met)
    total = len(results) + len(errors)
    attrs = {"name": name, "tests": str(total), "failures": str(failures), "errors": str(len(errors)),
             "skipped": "0", "time": f"{seconds:.3f}"}
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", {**attrs, "hostname": socket.gethostname(),
                                              "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S")})
    for r in results:
        tc = ET.SubElement(suite, "testcase", {
            "classname": _classname(r.spec), "name": r.check, "time": f"{r.stats.seconds:.3f}",
            "file": display_path(r.spec), **({"line": str(r.spec_line)} if r.spec_line else {})})
        if not r.expectation_met:
            f = ET.SubElement(tc, "failure", {"message": outcome(r), "type": r.verdict.value})
            f.text = f"{display_path(r.spec)}:{r.spec_line}: {r.check}: {outcome(r)}"
        ET.SubElement(tc, "system-out").text = plain_report(r)
    for k, e in enumerate(errors, start=1):
        path = e.split(":", 1)[0] if e.split(":", 1)[0].endswith(".py") else "specs"
        tc = ET.SubElement(suite, "testcase", {"classname": _classname(path), "name": f"load error {k}",
                                               "time": "0"})
        ET.SubElement(tc, "error", {"message": e, "type": "UserError"}).text = e
    return root


def write_junit(path: str, results: list[CheckResult], errors: list[str], seconds: float) -> None:
    tree = ET.ElementTree(junit_xml(results, errors, seconds))
    ET.indent(tree)
    write_report("--junit", path, lambda: ET.tostring(tree.getroot(), encoding="utf-8",
                                                      xml_declaration=True))
