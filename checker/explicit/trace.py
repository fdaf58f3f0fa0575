"""Turn a path of packed states into a Trace of plain, decoded steps."""
from __future__ import annotations

from ..lang.types import Elem
from ..result import Trace, TraceStep, Violation
from .compile import Compiled


def build_trace(c: Compiled, path: list[tuple], via: list[int], violation: Violation | None,
                loop_start: int | None = None) -> Trace:
    """`path[i+1]` is reached from `path[i]` by action instance `via[i]`."""
    steps = [TraceStep(None, (), None, "", c.layout.decode(path[0]))]
    for prev, k, s in zip(path, via, path[1:]):
        inst = c.instances[k]
        a = inst.action
        args = tuple((b.name, v) for b, v in zip(a.params, inst.args))
        steps.append(TraceStep(a.name, args, c.actor(k, prev), a.ref, c.layout.decode(s)))
    lanes = c.model.lanes
    optional = tuple(v.name for v in c.layout.vars if isinstance(v.type, Elem) and v.type.optional)
    return Trace(tuple(steps), violation, lanes.name if lanes else None,
                 lanes.size if lanes else 0, loop_start, optional=optional)
