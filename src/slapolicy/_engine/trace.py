"""The trace of a decision: every rule tried, in order, with whether and why it matched.

It is built only when :attr:`Decision.trace` is first read (the slow path): each stage's
conditions are explained again (:meth:`Condition.explain`) on the ticket as it was
evaluated, so the trace says exactly what the engine decided.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._compile import Rule, Rules, Sla
from .._fields import MISSING
from .decision import TraceStep
from .schedule import Schedule

__all__ = ["trace"]


def trace(
    rules: Rules,
    view: Mapping[str, Any],
    priority: str,
    sla: Sla,
    owner: str,
    start_us: int,
    schedule: Schedule,
    instants: Sequence[Sequence[int]],
) -> tuple[TraceStep, ...]:
    """The steps that led to a decision (``priority``, ``sla``, ``owner``) for ``view``.

    ``start_us``, ``schedule`` and ``instants`` are the evaluation's: the clock start, the
    schedule of the SLA and priority, and its answers (the due instants).
    """
    steps: list[TraceStep] = []
    category = _explain_first(rules.categories, view, steps)
    context = dict(view)
    context["category"] = category.id
    _explain_priority(rules, view, context, category.id, priority, steps)
    context["priority"] = priority
    _explain_first([s.rule for s in rules.slas], context, steps)
    context["sla"] = sla.rule.id
    named = set()
    for due in schedule.targets:
        target, cal, due_us = due.rule, due.calendar, instants[due.group][due.position]
        named.add(due.name)
        steps.append(
            TraceStep(
                "target",
                due.name,
                True,
                f"{target.within} on calendar {target.calendar_name!r} from "
                f"{cal.from_us(start_us).isoformat()} -> due {cal.from_us(due_us).isoformat()}",
            )
        )
    _explain_first(rules.routing, context, steps)
    context["owner"] = owner
    for esc in rules.escalations:
        name = f"[{esc.index}] {esc.id}"
        if esc.target not in named:
            detail = _unscheduled(rules, sla, priority, esc.target)
            steps.append(TraceStep("escalation", name, False, detail))
            continue
        check = esc.condition.explain(context)
        detail = esc.describe() if check.matched else check.describe()
        steps.append(TraceStep("escalation", name, check.matched, detail))
    return tuple(steps)


def _unscheduled(rules: Rules, sla: Sla, priority: str, name: str) -> str:
    """Why a decision has no deadline for an escalation's target ``name``."""
    if all(target.name != name for target in sla.targets.get(priority, ())):
        return f"the SLA has no {name} target for {priority}"
    metric = rules.metrics[name]
    if metric.starts_at_creation:
        why = "its start condition does not hold at creation"
    else:
        events = ", ".join(dict.fromkeys(trigger.event for trigger in metric.start))
        why = f"it starts on {events}, not at creation"
    return f"the {name} target of {priority} has no deadline yet: {why} (the SLA clock follows it)"


def _explain_priority(
    rules: Rules,
    view: Mapping[str, Any],
    context: Mapping[str, Any],
    category: str,
    priority: str,
    steps: list[TraceStep],
) -> None:
    """The priority rules tried, then the matrix, then the default."""
    for rule in rules.priority_rules:
        check = rule.condition.explain(context)
        steps.append(TraceStep("priority", rule.name, check.matched, check.describe()))
        if check.matched:
            return
    matrix = rules.matrix
    if matrix is not None:
        found = matrix.lookup(view, category)
        if found is not None:
            row, col = found[1]
            detail = f"{matrix.rows}={row!r}, {matrix.columns}={col!r} -> {priority}"
            steps.append(TraceStep("priority", "priority_matrix", True, detail))
            return
        detail = (
            f"no cell for {matrix.rows}={_shown(matrix.read(view, matrix.rows, category))}, "
            f"{matrix.columns}={_shown(matrix.read(view, matrix.columns, category))}"
        )
        steps.append(TraceStep("priority", "priority_matrix", False, detail))
    default = rules.priorities[-1]
    steps.append(TraceStep("priority", default.name, True, "default"))


def _explain_first(rules: Sequence[Rule], view: Mapping[str, Any], steps: list[TraceStep]) -> Rule:
    """Explain a first-match stage up to the rule that matched."""
    for rule in rules:
        check = rule.condition.explain(view)
        detail = "default" if rule.condition.is_always else check.describe()
        steps.append(TraceStep(rule.stage, rule.name, check.matched, detail))
        if check.matched:
            return rule
    return rules[-1]


def _shown(value: Any) -> str:
    return "(missing)" if value is MISSING else repr(value)
