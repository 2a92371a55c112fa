"""The rule engine: compiled :class:`Rules` + a :class:`Selection` turn a ticket into a decision.

Evaluation runs in a fixed order, each stage "first match wins"::

    category -> priority (rules, then priority_matrix, then the default) -> SLA
    -> targets with due instants -> routing -> escalations

Later stages may test the earlier answers: in ``slas``, ``routing`` and ``escalation``
conditions, ``category``, ``priority``, ``sla`` and ``owner`` name the decision so far (they
shadow ticket fields of the same name).

:meth:`Evaluator.decide` does the work and returns an :class:`Evaluation`, the compiled
answer in integers (rule indexes, microseconds, the schedule used); :meth:`Evaluator.decision`
turns it into the public :class:`Decision`, whose trace is built only when first read. The
SLA clock replays a history on evaluations, never re-deriving what one already holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from types import MappingProxyType
from typing import Any, NamedTuple

from .._compile import Rule, Rules, Sla, TargetRule
from .._errors import CalendarError, TicketError
from .decision import Decision, Escalation, Target, new_tuple
from .schedule import Schedule, notify_for, plan_schedules, step_us, threshold_step
from .selection import Selection
from .tickets import TicketReader
from .trace import trace

__all__ = ["Evaluation", "Evaluator"]


class Evaluation(NamedTuple):
    """One ticket decided: what the stages chose and every due instant, in integers."""

    #: the ticket with its declared fields converted
    view: Mapping[str, Any]
    category: Rule
    priority: str
    sla_index: int
    sla: Sla
    route: Rule
    start_us: int
    schedule: Schedule
    #: the schedule's answers: ``instants[group][position]``
    instants: list[list[int]]

    @property
    def owner(self) -> str:
        """The owner routing assigned."""
        return self.route.owner or ""

    def due_us(self, rule: TargetRule) -> int:
        """The plain due instant of one of this evaluation's targets."""
        for target, group, position in self.schedule.targets:
            if target is rule:
                return self.instants[group][position]
        raise KeyError(rule.name)


class Evaluator:
    """Decides tickets for one compiled policy with one backend's selection. Immutable."""

    __slots__ = ("_labels", "_schedules", "reader", "rules", "selection")

    def __init__(self, rules: Rules, selection: Selection) -> None:
        self.rules = rules
        self.selection = selection
        self.reader = TicketReader(rules.fields, rules.timezone, rules.clock.start_field)
        self._labels = {r.id: r.label for r in rules.priorities}
        # per (SLA index, priority): the deadlines and escalations of its targets
        self._schedules = plan_schedules(rules, selection.escalation)

    # ------------------------------------------------------------------ deciding

    def classify(self, ticket: Mapping[str, Any]) -> tuple[str, str]:
        """Only the category and priority of ``ticket`` (no deadlines)."""
        if type(ticket) is not dict and not isinstance(ticket, Mapping):
            raise TicketError(f"a ticket must be a mapping, got {type(ticket).__name__}")
        view = self.reader.convert(ticket)
        pick = self.selection
        category = self.rules.categories[pick.category(view)].id
        return category, pick.priority(view, category)

    def decide(self, ticket: Mapping[str, Any], at: datetime | str | None = None) -> Evaluation:
        """Run every stage and compute every due instant (raises :class:`TicketError`)."""
        if type(ticket) is not dict and not isinstance(ticket, Mapping):
            raise TicketError(f"a ticket must be a mapping, got {type(ticket).__name__}")
        view = self.reader.convert(ticket)
        return self.decide_at(view, self.reader.start_us(view, at))

    def decide_at(self, view: Mapping[str, Any], start_us: int) -> Evaluation:
        """:meth:`decide` for a converted ticket and a clock start already read."""
        rules, pick = self.rules, self.selection
        category = rules.categories[pick.category(view)]
        priority = pick.priority(view, category.id)
        sla_index = pick.sla(view, category.id, priority)
        sla = rules.slas[sla_index]
        route = rules.routing[pick.route(view, category.id, priority, sla.rule.id)]
        schedule = self._schedules[sla_index, priority]
        try:
            instants = [cal.deadlines_us(start_us, wanted) for cal, wanted in schedule.groups]
        except CalendarError:
            raise _deadline_error(schedule, start_us) from None
        return new_tuple(
            Evaluation,
            (view, category, priority, sla_index, sla, route, start_us, schedule, instants),
        )

    # ------------------------------------------------------------------ the Decision

    def evaluate(self, ticket: Mapping[str, Any], at: datetime | str | None = None) -> Decision:
        """The whole decision for one ticket (see :meth:`slapolicy.Policy.evaluate`)."""
        ev = self.decide(ticket, at)
        return self.decision(ev, snapshot=ev.view is ticket)

    def decision(self, ev: Evaluation, *, snapshot: bool = True) -> Decision:
        """The public :class:`Decision` of an evaluation.

        The trace is built later, from the ticket as it was: ``snapshot`` keeps a shallow copy
        of the view (needed when it is the caller's mapping, which may change afterwards).
        """
        rules = self.rules
        # one unpacking: attribute access on the named tuple costs about 25 ns a field
        view, category, priority, _, sla, route, start_us, schedule, instants = ev
        targets: dict[str, Target] = {}
        spans: dict[str, tuple[TargetRule, int, int]] = {}
        started_at = None
        for rule, group, position in schedule.targets:
            cal = rule.calendar
            due_us = instants[group][position]
            spans[rule.name] = (rule, start_us, due_us)
            if started_at is None or started_at.tzinfo is not cal.timezone:
                started_at = cal.from_us(start_us)
            targets[rule.name] = new_tuple(
                Target,
                (rule.name, rule.within_text, rule.calendar_name, started_at, cal.from_us(due_us)),
            )
        zone = self.reader.instants
        if started_at is None or started_at.tzinfo is not zone.timezone:
            started_at = zone.from_us(start_us)
        owner = route.owner or ""
        escalations = self._escalations(ev, owner, spans, targets) if schedule.escalations else ()
        if snapshot:
            view = dict(view)
        # Speed trick: filled through __dict__ rather than the frozen dataclass __init__,
        # which sets each field with object.__setattr__ at three times the cost (measured
        # when evaluate was tuned for issue 3); same fields, same object.
        decision = object.__new__(Decision)
        decision.__dict__.update(
            category=category.id,
            priority=priority,
            sla=sla.rule.id,
            owner=owner,
            cc=route.cc,
            targets=MappingProxyType(targets),
            started_at=started_at,
            escalations=escalations,
            policy_version=rules.version,
            category_label=category.label,
            priority_label=self._labels.get(priority),
            _explain=partial(trace, rules, view, priority, sla, owner, spans),
        )
        return decision

    def _escalations(
        self,
        ev: Evaluation,
        owner: str,
        spans: Mapping[str, tuple[TargetRule, int, int]],
        targets: Mapping[str, Target],
    ) -> tuple[Escalation, ...]:
        """The escalations of a decision, by instant (then rule order)."""
        view, category_rule, priority, _, sla_rule, _, _, schedule, instants = ev
        category, sla = category_rule.id, sla_rule.rule.id
        found: list[tuple[int, int, Escalation]] = []
        totals: dict[str, int] = {}
        for planned in schedule.escalations:
            esc, rule, when, notify_by_owner, slot = planned
            if when is not None and not when(view, category, priority, sla, owner):
                continue
            _, start_us, due_us = spans[esc.target]
            cal = rule.calendar
            if slot is not None:  # a fixed working time after the start, or the due instant
                at_us = instants[slot[0]][slot[1]]
            else:  # on a target counting days: its working time varies by start
                total = totals.get(esc.target)
                if total is None:
                    total = totals[esc.target] = cal.elapsed_us(start_us, due_us)
                where, amount = threshold_step(esc, total)
                try:
                    at_us = step_us(cal, start_us, due_us, where, amount)
                except CalendarError as exc:
                    raise TicketError(f"cannot compute the {esc.id} escalation: {exc}") from None
            # reuse the datetimes already built for the due instant and the start
            target = targets[esc.target]
            if at_us == due_us:
                at = target.due
            elif at_us == start_us:
                at = target.start
            else:
                at = cal.from_us(at_us)
            notify = notify_by_owner.get(owner) or notify_for(planned, self.rules, owner)
            escalation = new_tuple(Escalation, (at, notify, esc.target, esc.reason, esc.id))
            found.append((at_us, esc.index, escalation))
        found.sort()  # by instant, then rule order (indexes are unique: no tie reaches the 3rd)
        return tuple([item[2] for item in found])


def _deadline_error(schedule: Schedule, start_us: int) -> TicketError:
    """The error of a deadline beyond the calendar, naming the target it belongs to."""
    targets: Sequence[tuple[TargetRule, int, int]] = schedule.targets
    for rule, _, _ in targets:
        try:
            rule.calendar.add_us(start_us, rule.within)
        except CalendarError as exc:
            return TicketError(f"cannot compute the {rule.name} deadline: {exc}")
    # an escalation before a due instant cannot fail where its target does not
    raise AssertionError("a schedule failed where none of its targets does")
