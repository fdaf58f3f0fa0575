"""Traces in the Informal Trace Format (ITF, Apalache ADR-015), written and read.

Written: inside `--json` results, and as standalone `.itf.json` files (`--itf DIR`, one per
trace) that Apalache's and Quint's tooling and `itf-py` open as they are. Read: `--replay`.

Values: a boolean is a JSON boolean, an enum its name (a string), a number `{"#bigint": "n"}`,
a cpumask `{"#set": [members]}`, an array over index sets `{"#map": [[member, value], ...]}`.
An optional member (a CPU, a frame or a table pointer that may be none) is a set of at most one
member — `{"#set": []}` for none, `{"#set": [{"#bigint": "2"}]}` for 2 — the TLA+ idiom for an
optional value, one type for all its values (Quint's Option variant is not used: `itf-py`
cannot decode a variant tagged `None`). The variables that are optional are listed in the
trace's `#meta.optional`.

A lasso (a liveness counterexample) follows the ADR: `loop` is the index of the state that
starts the loop, and the loop ends in the last state — after it, the execution goes back to
`states[loop]`. The step that closes the loop (the last state's action back to `states[loop]`)
is the trace's `#meta.loop_action`. Every state's `#meta` names the action instance that led to
it (`action`, `args`, `actor`, `ref`), which `--replay` checks first.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any

from .. import __version__
from ..errors import SrcLoc, UserError
from ..result import CheckResult, Trace, TraceStep
from .write import write_report

ITF_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"
SUFFIX = ".itf.json"


def itf_value(v: Any, optional: bool = False) -> Any:
    """A decoded state value (as `Layout.decode` gives it) as an ITF expression."""
    if isinstance(v, list):
        return {"#map": [[{"#bigint": str(i)}, itf_value(x, optional)] for i, x in enumerate(v)]}
    if optional:
        return {"#set": [] if v is None else [itf_value(v)]}
    if isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"#bigint": str(v)}
    if isinstance(v, tuple):
        return {"#set": [itf_value(x) for x in v]}
    raise TypeError(f"no ITF form for {v!r}")


def _step_meta(st: TraceStep) -> dict[str, Any]:
    return {"action": st.action, "args": dict(st.args), "actor": st.actor, "ref": st.ref}


def itf_trace(t: Trace, source: str, description: str, **meta: Any) -> dict[str, Any]:
    """The trace as an ITF object; `meta`: more of the trace's `#meta` (check, protocol, ...)."""
    steps, loop = list(t.steps), t.loop_start
    closing = None
    if loop is not None and len(steps) > loop + 1 and steps[-1].state == steps[loop].state:
        closing = steps.pop()        # the ADR's loop ends in the last state: no repeated entry
    names = list(t.steps[0].state)
    optional = set(t.optional)
    states = []
    for i, st in enumerate(steps):
        m: dict[str, Any] = {"index": i}
        if st.action is not None:
            m.update(_step_meta(st))
        states.append({"#meta": m, **{n: itf_value(st.state[n], n in optional) for n in names}})
    head: dict[str, Any] = {"format": "ITF", "format-description": ITF_DESCRIPTION,
                            "source": source, "description": description, **meta,
                            "kind": t.kind, "optional": sorted(optional)}
    if t.violation is not None:
        v = t.violation
        head["violation"] = {"property": v.invariant, "kind": v.kind, "statement": v.statement,
                             "witness": dict(v.witness)}
    if closing is not None:
        head["loop_action"] = _step_meta(closing)
    out: dict[str, Any] = {"#meta": head, "vars": names, "states": states}
    if loop is not None:
        out["loop"] = loop
    return out


def result_traces(r: CheckResult) -> list[Trace]:
    """Every trace of a result: the counterexample (or witness), then --all's other violations."""
    return ([r.trace] if r.trace is not None else []) + list(getattr(r, "others", []))


def trace_doc(r: CheckResult, t: Trace) -> dict[str, Any]:
    """A standalone ITF document for one trace of a result: what it came from in `#meta`."""
    what = t.violation.invariant if t.violation is not None else ""
    return itf_trace(t, r.spec, f"{r.check}: {what}" if what else r.check, check=r.check,
                     protocol=r.protocol, params=r.params, tool=f"flushcheck {__version__}")


def _file_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "trace"


def write_itf_dir(directory: str, results: list[CheckResult]) -> list[str]:
    """--itf DIR: one `.itf.json` per trace (`CHECK.itf.json`, `CHECK.PROPERTY.itf.json` when a
    check has several, prefixed by the spec's name when two specs share a check name); the
    paths written."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot write --itf {directory}: {e.strerror or e}") from None
    written, used = [], set()
    for r in results:
        traces = result_traces(r)
        for t in traces:
            stem = r.check if len(traces) == 1 or t.violation is None else \
                f"{r.check}.{t.violation.invariant}"
            if stem in used:
                stem = f"{os.path.splitext(os.path.basename(r.spec))[0]}.{stem}"
            used.add(stem)
            path = os.path.join(directory, _file_name(stem) + SUFFIX)
            doc = trace_doc(r, t)
            write_report("--itf", path, lambda doc=doc: json.dumps(doc, indent=1) + "\n")
            written.append(path)
    return written


def check_itf_dir(directory: str) -> None:
    """Refuse, before anything runs, an --itf path that is a file or whose parent is missing."""
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise UserError(f"--itf {directory}: not a directory", None,
                        "--itf DIR writes one TRACE.itf.json per counterexample into DIR")
    parent = os.path.dirname(os.path.abspath(directory))
    if not os.path.isdir(parent):
        raise UserError(f"--itf {directory}: the directory {parent} does not exist", None, "create it first")


# ---------------------------------------------------------------- reading

def read_itf(path: str) -> dict[str, Any]:
    """An ITF trace file, its shape checked (`vars`, `states`, `loop`); a located UserError if not."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise UserError(f"trace file '{path}' not found", None,
                        "give a TRACE.itf.json that --itf DIR wrote") from None
    except IsADirectoryError:
        raise UserError(f"trace file '{path}' is a directory", None, "give one TRACE.itf.json") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"trace file '{path}' cannot be read: {getattr(e, 'strerror', None) or e}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise UserError(f"not JSON: {e.msg} (column {e.colno})", SrcLoc(path, e.lineno),
                        "give an ITF trace (.itf.json)") from None
    where = SrcLoc(path, 0)
    if isinstance(doc, dict) and doc.get("format") == "flushcheck-result":
        raise UserError("this is a --json result file, not one ITF trace", where,
                        "write the traces with --itf DIR and replay one DIR/CHECK.itf.json")
    if not isinstance(doc, dict) or not isinstance(doc.get("states"), list) or not isinstance(doc.get("vars"), list):
        raise UserError("not an ITF trace: it needs a 'vars' list and a 'states' list", where,
                        "see https://apalache-mc.org/docs/adr/015adr-trace.html")
    if not doc["states"]:
        raise UserError("the ITF trace has no states", where)
    if not all(isinstance(v, str) for v in doc["vars"]):
        raise UserError("'vars' must list variable names (strings)", where)
    for i, st in enumerate(doc["states"]):
        if not isinstance(st, dict):
            raise UserError(f"states[{i}] is not an object", where)
        missing = [v for v in doc["vars"] if v not in st]
        if missing:
            raise UserError(f"states[{i}] has no value for {', '.join(missing)}", where,
                            "every state of an ITF trace sets every variable in 'vars'")
    loop = doc.get("loop")
    if loop is not None and (isinstance(loop, bool) or not isinstance(loop, int)
                             or not 0 <= loop < len(doc["states"])):
        raise UserError(f"'loop' is {loop!r}, not the index of one of its {len(doc['states'])} states", where)
    meta = doc.get("#meta", {})
    if not isinstance(meta, dict):
        raise UserError("'#meta' must be an object", where)
    return doc
