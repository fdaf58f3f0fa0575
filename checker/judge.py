"""The verdict a reviewer can trust: "holds" only when every declared property was checked to the
end and every cover property reached; and, for a "holds", why it might still say nothing.

- a declared property not checked (liveness over the size cap, a backend without it,
  --no-liveness) turns "holds" into "incomplete";
- a cover property never reached turns "holds" into "uncovered" (exit 1), unless the spec's
  `uncovered_ok` says why it cannot be reached at these bounds;
- an action that never fired (unless the spec's `dead_ok` says why) or an invariant whose hazard
  precondition was never met makes the "holds" vacuous: a warning, and an unmet gate expectation.
  An incomplete run gets no such warnings: they would qualify a "holds" it does not give.
"""
from __future__ import annotations

import dataclasses

from .errors import UserError
from .lang.model import Model
from .result import CheckResult, Reach, Verdict
from .spec import Check


def reaches(model: Model, counted: list[tuple[int, int]]) -> list[Reach]:
    """The engine's per-goal counts (states, depth of the first or -1) as Reach records."""
    statements = {("cover", c.name): c.statement for c in model.all_covers}
    statements.update({("precondition", i.name): i.statement for i in model.invariants})
    of_action = {f"{a.name}__{label}": a.name for a in model.actions for label, _ in a.contexts}
    out = []
    for (kind, name, _), (n, depth) in zip(model.goals(), counted or [(0, -1)] * len(model.goals())):
        out.append(Reach(kind, name, statements[kind, name], n, depth if depth >= 0 else None,
                         of_action.get(name) if kind == "cover" else None))
    return out


def not_checked(check: Check, model: Model, liveness: bool,
                engine_lacks: dict[str, str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """The declared properties this run leaves out — unchecked: the verdict can't be "holds" —
    and those the spec itself leaves out — excluded: reported only. `engine_lacks`: what the
    engine cannot check, with why."""
    unchecked: dict[str, str] = {}
    excluded = {p.name: "the spec says liveness=False" for p in model.properties if not check.liveness}
    if check.liveness and not liveness:
        unchecked.update({p.name: "--no-liveness" for p in model.properties})
    if not check.deadlock:
        excluded["deadlock"] = "the spec says deadlock=False"
    for name, why in (engine_lacks or {}).items():
        if name not in excluded and name not in unchecked:
            unchecked[name] = why
    return unchecked, excluded


def check_excuses(check: Check, model: Model) -> None:
    """Every action `dead_ok` excuses, and every cover `uncovered_ok` excuses, must exist in the model."""
    for arg, excused, kind, names in (
            ("dead_ok", check.dead_ok, "an action", [a.name for a in model.actions]),
            ("uncovered_ok", check.uncovered_ok, "a cover", [c.name for c in model.all_covers])):
        for a in excused:
            if a not in names:
                raise UserError(f"{arg} names '{a}', which is not {kind} of {model.name}",
                                check.loc, f"its {kind.split()[1]}s: {', '.join(names)}")


def judge(r: CheckResult, check: Check) -> CheckResult:
    """Apply the rules above to a result whose verdict is the engine's."""
    if r.verdict is not Verdict.HOLDS:
        return r
    warnings = list(r.warnings)
    vacuity = []
    dead = [a for a, n in r.coverage.items() if n == 0]
    unexcused = [a for a in dead if a not in check.dead_ok]
    if unexcused:
        vacuity.append("never fired, and the spec's dead_ok does not say why: " + ", ".join(unexcused))
    for a, why in check.dead_ok.items():
        if r.coverage.get(a, 0) > 0:
            warnings.append(f"dead_ok expects {a} never to fire ({why}), but it fired "
                            f"{r.coverage[a]:,} times")
    for g in r.goals:
        if g.kind == "precondition" and not g.reached:
            vacuity.append(f"{g.name} is vacuous here: no reachable state meets its hazard "
                           "precondition, so it could not have failed")
        elif g.kind == "cover" and g.reached and g.name in check.uncovered_ok:
            warnings.append(f"uncovered_ok expects cover {g.name} never to be reached "
                            f"({check.uncovered_ok[g.name]}), but it was, at depth {g.depth}")
    # an action the spec expects never to fire is excused its contexts too
    uncovered = [g.name for g in r.goals if g.kind == "cover" and not g.reached
                 and g.action not in check.dead_ok and g.name not in check.uncovered_ok]
    excluded = dict(r.excluded) | {g.name: f"uncovered_ok: {check.uncovered_ok[g.name]}" for g in r.goals
                                   if g.kind == "cover" and not g.reached and g.name in check.uncovered_ok}
    verdict, reason = r.verdict, r.reason
    if uncovered:
        verdict = Verdict.UNCOVERED
        reason = "never reached: cover " + ", ".join(uncovered)
    elif r.unchecked:
        verdict = Verdict.INCOMPLETE
        held = "proved for every depth" if r.backend.startswith("smt") else "hold within these bounds"
        names = list(r.unchecked)
        which = ", ".join(names) if len(names) <= 3 else f"{len(names)} declared properties (below)"
        reason = (f"{', '.join(r.invariants)} {held}{' ' + r.reason if r.reason else ''}, but "
                  f"{which} {'was' if len(names) == 1 else 'were'} not checked")
        vacuity = []   # vacuity qualifies a "holds"; an incomplete run has none to qualify
    return dataclasses.replace(r, verdict=verdict, reason=reason, vacuity=vacuity, warnings=warnings,
                               excluded=excluded)
