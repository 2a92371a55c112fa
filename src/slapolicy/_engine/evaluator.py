"""The rule engine: compiled :class:`Rules` + a :class:`Selection` turn a ticket into a decision.

Evaluation runs in a fixed order, each stage "first match wins"::

    category -> priority (rules, then priority_matrix, then the default) -> SLA
    -> targets with due instants -> routing -> escalations

Later stages may test the earlier answers: in ``slas``, ``routing`` and ``escalation``
conditions, ``category``, ``priority``, ``sla`` and ``owner`` name the decision so far (they
shadow ticket fields of the same name).

:meth:`Evaluator.decide_at` does the work and returns an :class:`Evaluation`, the compiled
answer in integers (rule indexes, microseconds, the schedule used); :meth:`Evaluator.decision`
turns it into the public :class:`Decision`, whose trace is built only when first read. The
SLA clock replays a history on evaluations, never re-deriving what one already holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from types import MappingProxyType
from typing import Any, NamedTuple

from .._calendar import Calendar
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
        for due in self.schedule.targets:
            if due.rule is rule:
                return self.instants[due.group][due.position]
        raise KeyError(rule.name)


class Evaluator:
    """Decides tickets for one compiled policy with one backend's selection.

    Everything it holds is prepared in ``__init__`` and never changed afterwards, so one
    evaluator serves every thread.
    """

    __slots__ = (
        "_categories",
        "_convert",
        "_labels",
        "_pick_both",
        "_pick_category",
        "_pick_priority",
        "reader",
        "rules",
        "schedules",
        "selection",
    )

    def __init__(self, rules: Rules, selection: Selection) -> None:
        self.rules = rules
        self.selection = selection
        self.reader = TicketReader(
            rules.fields,
            rules.timezone,
            rules.clock.start_field,
            start_required=rules.clock.start_required,
        )
        self._labels = {r.id: r.label for r in rules.priorities}
        #: per (SLA index, priority): the deadlines and escalations of its targets
        self.schedules = plan_schedules(rules, selection.escalation)
        # Speed trick: what classify() reads, one attribute away (not three): classify costs
        # about 1.5 us, and each attribute hop about 25 ns. With no declared fields there is
        # nothing to convert and no call at all (about 60 ns: 1.24x -> 1.19x a hand-written
        # if-chain at 20 rules, benchmarks/bench_rules.py).
        self._convert = self.reader.convert if self.reader.converts else None
        self._pick_category = selection.category
        self._pick_priority = selection.priority
        self._categories = tuple(rule.id for rule in rules.categories)
        self._pick_both = selection.classify

    # ------------------------------------------------------------------ deciding

    def classify(self, ticket: Mapping[str, Any]) -> tuple[str, str]:
        """Only the category and priority of ``ticket`` (no deadlines)."""
        if type(ticket) is not dict and not isinstance(ticket, Mapping):
            raise TicketError(f"a ticket must be a mapping, got {type(ticket).__name__}")
        convert = self._convert
        view = ticket if convert is None else convert(ticket)
        both = self._pick_both
        if both is not None:
            return both(view)
        category = self._categories[self._pick_category(view)]
        return category, self._pick_priority(view, category)

    def decide_at(self, view: Mapping[str, Any], start_us: int) -> Evaluation:
        """Run every stage on a converted ticket and compute every due instant from a start.

        ``view`` comes from ``reader.convert`` and ``start_us`` from ``reader.start_us``;
        raises :class:`TicketError` for a deadline beyond what the calendars can answer.
        """
        rules, pick = self.rules, self.selection
        category = rules.categories[pick.category(view)]
        priority = pick.priority(view, category.id)
        sla_index = pick.sla(view, category.id, priority)
        sla = rules.slas[sla_index]
        route = rules.routing[pick.route(view, category.id, priority, sla.rule.id)]
        schedule = self.schedules[sla_index, priority]
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
        if type(ticket) is not dict and not isinstance(ticket, Mapping):
            raise TicketError(f"a ticket must be a mapping, got {type(ticket).__name__}")
        reader = self.reader
        view = reader.convert(ticket)
        ev = self.decide_at(view, reader.start_us(view, at))
        return self.decision(ev, snapshot=view is ticket)

    def decision(self, ev: Evaluation, *, snapshot: bool = True) -> Decision:
        """The public :class:`Decision` of an evaluation.

        The trace is built later, from the ticket as it was: ``snapshot`` keeps a shallow copy
        of the view (needed when it is the caller's mapping, which may change afterwards).
        """
        rules = self.rules
        # one unpacking: attribute access on the named tuple costs about 25 ns a field
        view, category, priority, _, sla, route, start_us, schedule, instants = ev
        targets: dict[str, Target] = {}
        started_at = None
        warnings: list[str] = []
        for _, group, position, name, within, calendar_name, cal, created_when in schedule.targets:
            if created_when is not None and not any(
                when(view, category.id, priority, sla.rule.id, route.owner or "")
                for when in created_when
            ):
                continue  # its start, `created` with a condition, did not happen
            due_us = instants[group][position]
            if started_at is None or started_at.tzinfo is not cal.timezone:
                started_at = cal.from_us(start_us)
            due = cal.from_us(due_us)
            targets[name] = new_tuple(Target, (name, within, calendar_name, started_at, due))
            provisional = cal.provisional_from_us
            if provisional is not None and due_us >= provisional:
                warnings.append(_provisional(name, due, calendar_name, cal))
        zone = self.reader.instants
        if started_at is None or started_at.tzinfo is not zone.timezone:
            started_at = zone.from_us(start_us)
        owner = route.owner or ""
        escalations = self._escalations(ev, owner, targets) if schedule.escalations else ()
        if snapshot:
            view = dict(view)
        # Speed trick: filled through __dict__ rather than the frozen dataclass __init__,
        # which sets each field with object.__setattr__: 0.53 us against 2.17 us (timeit,
        # 3.11); same fields, same object.
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
            warnings=tuple(warnings),
            _explain=partial(
                trace, rules, view, priority, sla, owner, start_us, schedule, instants
            ),
        )
        return decision

    def _escalations(
        self,
        ev: Evaluation,
        owner: str,
        targets: Mapping[str, Target],
    ) -> tuple[Escalation, ...]:
        """The escalations of a decision, by instant (then rule order)."""
        view, category_rule, priority, _, sla_rule, _, start_us, schedule, instants = ev
        category, sla = category_rule.id, sla_rule.rule.id
        found: list[tuple[int, int, Escalation]] = []
        totals: dict[str, int] = {}
        for planned in schedule.escalations:
            (esc, _, when, notify_by_owner, slot, name, cal, due_group, due_position, order,
             reason, rule_id) = planned  # fmt: skip
            if name not in targets or (
                when is not None and not when(view, category, priority, sla, owner)
            ):
                continue
            due_us = instants[due_group][due_position]
            if slot is not None:  # a fixed working time after the start, or the due instant
                at_us = instants[slot[0]][slot[1]]
            else:  # on a target counting days: its working time varies by start
                total = totals.get(name)
                if total is None:
                    total = totals[name] = cal.elapsed_us(start_us, due_us)
                where, amount = threshold_step(esc, total)
                try:
                    at_us = step_us(cal, start_us, due_us, where, amount)
                except CalendarError as exc:
                    raise TicketError(f"cannot compute the {rule_id} escalation: {exc}") from None
            # reuse the datetimes already built for the due instant and the start
            if at_us == due_us:
                at = targets[name].due
            elif at_us == start_us:
                at = targets[name].start
            else:
                at = cal.from_us(at_us)
            notify = notify_by_owner.get(owner) or notify_for(planned, self.rules, owner)
            found.append((at_us, order, new_tuple(Escalation, (at, notify, name, reason, rule_id))))
        found.sort()  # by instant, then rule order (indexes are unique: no tie reaches the 3rd)
        return tuple([item[2] for item in found])


def _deadline_error(schedule: Schedule, start_us: int) -> TicketError:
    """The error of a deadline beyond the calendar, naming the target it belongs to."""
    for due in schedule.targets:
        rule = due.rule
        try:
            rule.calendar.add_us(start_us, rule.within)
        except CalendarError as exc:
            return TicketError(f"cannot compute the {rule.name} deadline: {exc}")
    # an escalation before a due instant cannot fail where its target does not
    raise AssertionError("a schedule failed where none of its targets does")


def _provisional(name: str, due: datetime, calendar_name: str, cal: Calendar) -> str:
    """The warning of a deadline counted past its calendar's official holiday data."""
    until = cal.holiday_data_until
    return (
        f"{name} due {due.isoformat()} is counted on calendar {calendar_name!r} past its "
        f"official holiday data (ends {until}): holidays after it are the statutory dates "
        "the holidays package computes, without make-up working days"
    )
