"""Schedules: the deadlines and escalations of one (SLA, priority) pair, prepared at load.

All targets and most escalations of a ticket count from the same start: "response 15m",
"resolve 2h", "75% of response" (11m15s after the start), "30m before resolve" (1h30m after
it). Speed trick (docs/engine.md, "Deadlines: one schedule per SLA and priority"): for
every (SLA, priority) pair the engine prepares, once, the durations each calendar must
answer from the start and where each due instant and each such escalation will be in the
answers, so that per ticket each calendar answers all of them in one
:meth:`Calendar.deadlines_us` call. Escalations that cannot be fixed in advance (after the
due instant, or on a target counting working days) are placed per ticket with
:func:`threshold_us`, which the SLA clock uses too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import NamedTuple

from .._calendar import Calendar
from .._compile import AT_DUE, PAST_DUE, SHARE, EscalationRule, Metric, Rules, TargetRule
from .._durations import Duration, Until
from .selection import compile_when

__all__ = [
    "AFTER_DUE",
    "DUE",
    "FROM_START",
    "Due",
    "Planned",
    "Schedule",
    "notify_for",
    "plan_schedules",
    "step_us",
    "threshold_step",
    "threshold_us",
]

#: where an escalation lies on a target (see :func:`threshold_step`)
DUE, FROM_START, AFTER_DUE = range(3)

#: ``when(ticket, category, priority, sla, owner) -> bool``
When = Callable[..., bool]


class Due(NamedTuple):
    """A target of a schedule: where its due instant is in the answers, and what a decision
    shows of it (flat copies of the rule's fields: one tuple unpacking per target on the hot
    path instead of four attribute loads)."""

    rule: TargetRule
    #: the due instant is ``answers[group][position]``
    group: int
    position: int
    name: str
    within_text: str
    calendar_name: str
    calendar: Calendar
    #: for a metric that starts at creation only if the ticket then meets a condition:
    #: those conditions (any of them); None when it always starts with the clock
    created_when: tuple[When, ...] | None = None


class Planned(NamedTuple):
    """An escalation prepared for one SLA target (see :func:`plan_schedules`).

    The last fields are flat copies of the rule's and its target's (speed trick, as for
    :class:`Due`: one unpacking per escalation on the hot path instead of seven attribute
    loads and a dictionary of the targets' spans).
    """

    esc: EscalationRule
    target: TargetRule
    #: its condition as a function; None for an escalation without ``when``
    when: When | None
    #: owner id -> whom to notify
    notify: Mapping[str, tuple[str, ...]]
    #: where the instant is in the schedule's answers (group, position), when it lies the
    #: same working time after the start (or at the due instant) for every ticket; else None
    slot: tuple[int, int] | None
    target_name: str
    calendar: Calendar
    #: where the target's due instant is in the answers
    due_group: int
    due_position: int
    order: int
    reason: str
    rule_id: str


class Schedule(NamedTuple):
    """The deadlines one (SLA, priority) pair computes for every ticket, prepared once."""

    #: per calendar: the calendar and the durations asked of it, from the start
    groups: tuple[tuple[Calendar, tuple[Duration | Until, ...]], ...]
    #: per target: where its due instant is in the answers
    targets: tuple[Due, ...]
    escalations: tuple[Planned, ...]


def plan_schedules(
    rules: Rules, escalation_when: Callable[[EscalationRule], When]
) -> dict[tuple[int, str], Schedule]:
    """The :class:`Schedule` of every (SLA index, priority) pair.

    ``escalation_when`` compiles an escalation's condition (the backend's selection).
    """
    owners = {rule.owner or "" for rule in rules.routing}
    compiled: list[tuple[EscalationRule, When | None, dict[str, tuple[str, ...]]]] = []
    for esc in rules.escalations:
        when = None if esc.condition.is_always else escalation_when(esc)
        notify = {
            owner: esc.notify
            if esc.static_notify
            else tuple(rules.resolve_notify(name, owner) for name in esc.notify)
            for owner in owners
        }
        compiled.append((esc, when, notify))
    created_when = {name: _created_when(metric) for name, metric in rules.metrics.items()}
    return {
        (index, priority): _schedule(
            # a decision holds the targets of the metrics that start with the clock
            [t for t in targets if rules.metrics[t.name].starts_at_creation],
            compiled,
            created_when,
        )
        for index, sla in enumerate(rules.slas)
        for priority, targets in sla.targets.items()
    }


def _created_when(metric: Metric) -> tuple[When, ...] | None:
    """The conditions of a metric's ``created`` triggers; None if one has none."""
    conditions = [t.condition for t in metric.start if t.event == "created"]
    if any(condition.is_always for condition in conditions):
        return None
    return tuple(compile_when(condition) for condition in conditions)


def _schedule(
    rules: Sequence[TargetRule],
    escalations: Sequence[tuple[EscalationRule, When | None, Mapping[str, tuple[str, ...]]]],
    created_when: Mapping[str, tuple[When, ...] | None],
) -> Schedule:
    """Prepare the deadlines of one SLA's targets for one priority."""
    groups: dict[str, tuple[Calendar, list[Duration | Until]]] = {}

    def slot(rule: TargetRule, duration: Duration | Until) -> tuple[int, int]:
        """Where ``duration`` from the start on the rule's calendar will be answered."""
        _, wanted = groups.setdefault(rule.calendar_name, (rule.calendar, []))
        if duration not in wanted:
            wanted.append(duration)
        return list(groups).index(rule.calendar_name), wanted.index(duration)

    targets = tuple(
        Due(
            rule,
            *slot(rule, rule.within),
            rule.name,
            rule.within_text,
            rule.calendar_name,
            rule.calendar,
            created_when.get(rule.name),
        )
        for rule in rules
    )
    by_name = {due.name: (due.rule, due.group, due.position) for due in targets}
    planned: list[Planned] = []
    for esc, when, notify in escalations:
        found = by_name.get(esc.target)
        if found is None:
            continue  # the SLA has no such target for this priority
        rule, group, position = found
        step = _fixed_step(esc, rule)
        where: tuple[int, int] | None = None
        if step is not None and step[0] == DUE:
            where = (group, position)
        elif step is not None and step[0] == FROM_START:
            where = slot(rule, Duration(0, timedelta(microseconds=step[1])))
        planned.append(
            Planned(
                esc,
                rule,
                when,
                notify,
                where,
                rule.name,
                rule.calendar,
                group,
                position,
                esc.index,
                esc.reason,
                esc.id,
            )
        )
    return Schedule(
        tuple((cal, tuple(wanted)) for cal, wanted in groups.values()),
        targets,
        tuple(planned),
    )


def threshold_us(
    cal: Calendar, start_us: int, due_us: int, esc: EscalationRule, total: int | None = None
) -> int:
    """The instant an escalation threshold is reached for a target from start to due.

    ``total`` is the target's working time (computed from start and due when not given).
    """
    if total is None:
        total = cal.elapsed_us(start_us, due_us)
    where, amount = threshold_step(esc, total)
    return step_us(cal, start_us, due_us, where, amount)


def threshold_step(esc: EscalationRule, total: int) -> tuple[int, int]:
    """Where an escalation lies for a target of ``total`` working time: ``(where, amount)``.

    ``(DUE, 0)`` is the due instant, ``(FROM_START, d)`` working time ``d`` after the start
    (``d == 0``: the first working instant), ``(AFTER_DUE, d)`` working time ``d`` after the
    due instant.
    """
    kind, a, b = esc.form
    if kind == AT_DUE:
        return (DUE, 0)
    if kind == PAST_DUE:
        return (AFTER_DUE, total * a // b)
    return (FROM_START, total * a // b if kind == SHARE else max(total - a, 0))


def step_us(cal: Calendar, start_us: int, due_us: int, where: int, amount: int) -> int:
    """The instant of a :func:`threshold_step` for a target from start to due."""
    if where == DUE:
        return due_us
    if where == AFTER_DUE:
        return cal.push_us(due_us, amount)
    return cal.push_us(start_us, amount) if amount else cal.next_working_us(start_us)


def _fixed_step(esc: EscalationRule, rule: TargetRule) -> tuple[int, int] | None:
    """The threshold step of ``esc`` on ``rule``, if the same for every start."""
    if esc.form[0] == AT_DUE:
        return (DUE, 0)
    return None if rule.fixed_us is None else threshold_step(esc, rule.fixed_us)


def notify_for(planned: Planned, rules: Rules, owner: str) -> tuple[str, ...]:
    """Whom an escalation notifies for a ticket routed to ``owner``."""
    found = planned.notify.get(owner)
    if found is None:  # an owner routing does not name (a backend's answer)
        found = tuple(rules.resolve_notify(name, owner) for name in planned.esc.notify)
    return found
