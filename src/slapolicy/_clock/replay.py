"""The SLA clock: where every metric of a ticket stands, given its history, at ``now``.

A :class:`Clock` is prepared once per policy: for every event type, what it does to which
metric (stop, cancel, resume, start, open or close a pause), with each trigger's condition
compiled. :meth:`Clock.status` then replays a history in one pass, in time order:

* the ticket's state follows ``resolved``, ``reopened`` and ``closed`` (a second
  ``resolved`` without a ``reopened``, a ``reopened`` of an open ticket, are ignored);
* an ``updated`` event applies its fields and evaluates the ticket again (the engine's
  :class:`Evaluation`: its targets, due instants and compiled conditions are used as they
  are); running cycles take the new targets unless already breached;
* each metric's cycles are started, stopped, resumed and cancelled by its triggers, whose
  conditions see the ticket as it stands after the event;
* pauses are kept as intervals per distinct set of pause statuses and event pairs, once
  for the history, not per metric or escalation.

Every metric is followed from the clock start whether or not the current decision gives it a
target, so a target that appears with an update finds the cycle the history gives it. The
public :class:`Decision` is built once, for the state at ``now``; docs/clock.md has the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from .._compile import EscalationRule, Metric, TargetRule
from .._engine import Evaluation, Evaluator, compile_when
from .._errors import CalendarError, TicketError
from .._fields import MISSING, lookup, set_path
from .cycles import (
    Cycle,
    Intervals,
    is_breach,
    pending_status,
    status_of,
    threshold_at,
)
from .events import Event, parse_events
from .results import EscalationDue, SlaStatus, TargetStatus

__all__ = ["Clock"]

#: ``when(ticket, category, priority, sla, owner) -> bool``; None: always
When = Callable[..., bool] | None

# what an event does (the order of a metric's actions on one event is this order)
STOP, CANCEL, RESUME, START, PAUSE_FROM, PAUSE_UNTIL = range(6)


class _Plan(NamedTuple):
    """One metric, prepared for the replay."""

    name: str
    metric: Metric
    #: the index of its pause group
    group: int
    #: escalations watching it: (rule, compiled condition or None, owner -> whom to notify)
    escalations: tuple[tuple[EscalationRule, When, Mapping[str, tuple[str, ...]]], ...]


class _Group(NamedTuple):
    """A distinct way of pausing: statuses, and pairs of events."""

    statuses: frozenset[str]
    pairs: tuple[tuple[str, str], ...]


class Clock:
    """The SLA clock of one policy: prepared once, then :meth:`status` per ticket."""

    __slots__ = ("actions", "created", "evaluator", "groups", "plans", "status_cancels")

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        rules = evaluator.rules
        groups: dict[_Group, int] = {}
        plans: list[_Plan] = []
        by_metric: dict[str, list[tuple[EscalationRule, When, Mapping[str, Any]]]] = {}
        owners = {rule.owner or "" for rule in rules.routing}
        for esc in rules.escalations:
            when = None if esc.condition.is_always else evaluator.selection.escalation(esc)
            notify = {o: tuple(rules.resolve_notify(n, o) for n in esc.notify) for o in owners}
            by_metric.setdefault(esc.target, []).append((esc, when, notify))
        for name, metric in rules.metrics.items():
            key = _Group(metric.pause_statuses, metric.pause_pairs)
            group = groups.setdefault(key, len(groups))
            plans.append(_Plan(name, metric, group, tuple(by_metric.get(name, ()))))
        self.plans = tuple(plans)
        self.groups = tuple(groups)
        # event type -> (what, metric or pause group, condition or pair index)
        actions: dict[str, list[tuple[int, int, Any]]] = {}
        created: list[tuple[int, When]] = []
        for index, plan in enumerate(self.plans):
            metric = plan.metric
            for kind, triggers in (
                (STOP, metric.stop),
                (RESUME, metric.resume),
                (START, metric.start),
            ):
                for trigger in triggers:
                    when = None if trigger.condition.is_always else compile_when(trigger.condition)
                    if trigger.event == "created":
                        created.append((index, when))
                    else:
                        actions.setdefault(trigger.event, []).append((kind, index, when))
            for event in metric.cancel_events:
                actions.setdefault(event, []).append((CANCEL, index, None))
        for index, (_, pairs) in enumerate(self.groups):
            for pair, (begin, end) in enumerate(pairs):
                actions.setdefault(begin, []).append((PAUSE_FROM, index, pair))
                actions.setdefault(end, []).append((PAUSE_UNTIL, index, pair))
        # per event: its actions in metric order, and per metric stop, cancel, resume, start
        self.actions = {
            event: tuple(sorted(items, key=lambda a: (a[0] >= PAUSE_FROM, a[1], a[0])))
            for event, items in actions.items()
        }
        self.created = tuple(created)
        self.status_cancels = tuple(
            (index, plan.metric.cancel_statuses)
            for index, plan in enumerate(self.plans)
            if plan.metric.cancel_statuses
        )

    def status(
        self,
        ticket: Mapping[str, Any],
        events: Iterable[Mapping[str, Any]],
        now: datetime | str,
    ) -> SlaStatus:
        """Replay ``events`` over ``ticket`` and report every metric at ``now``."""
        try:
            return self._status(ticket, events, now)
        except CalendarError as exc:  # e.g. a due instant pushed beyond the supported range
            raise TicketError(f"cannot follow the SLA clock: {exc}") from None

    def _status(
        self,
        ticket: Mapping[str, Any],
        events: Iterable[Mapping[str, Any]],
        now: datetime | str,
    ) -> SlaStatus:
        if not isinstance(ticket, Mapping):
            raise TicketError(f"a ticket must be a mapping, got {type(ticket).__name__}")
        evaluator = self.evaluator
        reader = evaluator.reader
        rules = evaluator.rules
        now_us = reader.instant_us(now, "invalid `now`")
        parsed = parse_events(events, reader, rules.events, rules.clock.statuses)
        view: dict[str, Any] = dict(ticket)
        if lookup(view, reader.start_field) is MISSING:
            raise TicketError(
                f"ticket has no {reader.start_field!r}: the SLA clock needs the instant it started"
            )
        converted = reader.convert(view)
        start_us = reader.start_us(converted, None)
        for event in parsed:
            if event.type == "resolved" and event.at < start_us:
                raise TicketError(
                    f"event {event.index} (resolved) is before the clock start "
                    f"{reader.instants.from_us(start_us).isoformat()}: a ticket cannot be "
                    "resolved before it starts"
                )
        replay = _Replay(self, evaluator.decide_at(converted, start_us), view, now_us)
        replay.ignored.extend(e.index for e in parsed if e.at > now_us)
        for event in sorted((e for e in parsed if e.at <= now_us), key=lambda e: e.at):
            replay.apply(event, max(event.at, start_us))
        return replay.finish()


class _Replay:
    """The state of one replay: the ticket, its pauses and every metric's cycles."""

    def __init__(self, clock: Clock, ev: Evaluation, view: dict[str, Any], now: int) -> None:
        self.clock = clock
        self.evaluator = clock.evaluator
        self.ev = ev
        self.view = view
        self.now = now
        self.start = ev.start_us
        self.targets = _targets(ev)
        self.state = "open"  # open | resolved | closed
        self.status: str | None = None
        self.ignored: list[int] = []
        self.cycles: list[list[Cycle]] = [[] for _ in clock.plans]
        # per pause group: its intervals [start, end or None while open], and why it pauses
        self.pauses: list[list[list[int | None]]] = [[] for _ in clock.groups]
        self.by_status = [False] * len(clock.groups)
        self.by_pairs: list[set[int]] = [set() for _ in clock.groups]
        for index, when in clock.created:
            if self.holds(when):
                self.begin(index, self.start, creation=True)

    # ------------------------------------------------------------------ events

    def apply(self, event: Event, at: int) -> None:
        """One event of the history, at ``at`` (never before the clock start)."""
        kind = event.type
        if kind == "resolved":
            if self.state != "open":
                self.ignored.append(event.index)
                return
            self.state = "resolved"
        elif kind == "reopened":
            if self.state != "resolved":
                self.ignored.append(event.index)
                return
            self.state = "open"
        elif kind == "closed":
            if self.state == "closed":
                self.ignored.append(event.index)
                return
            self.state = "closed"
        elif kind == "updated":
            assert event.fields is not None
            self.update(event, at)
        elif kind == "status":
            assert event.status is not None
            self.change_status(event.status, at)
        for action, index, when in self.clock.actions.get(kind, ()):
            if action == STOP:
                self.end(index, at, "stop", when)
            elif action == CANCEL:
                self.end(index, at, "cancel", None)
            elif action == RESUME:
                self.resume(index, at, when)
            elif action == START:
                metric = self.clock.plans[index].metric
                if (not metric.open_only or self.state == "open") and self.holds(when):
                    self.begin(index, at)
            else:
                self.pair(index, when, at, opening=action == PAUSE_FROM)

    def update(self, event: Event, at: int) -> None:
        """Apply changed fields, evaluate again and hand running cycles the new targets."""
        assert event.fields is not None
        for key, value in event.fields.items():
            set_path(self.view, key, value)
        evaluator = self.evaluator
        before = self.ev
        try:
            self.ev = evaluator.decide_at(evaluator.reader.convert(self.view), self.start)
        except TicketError as exc:
            raise TicketError(f"event {event.index} (updated): {exc}") from None
        self.targets = _targets(self.ev)
        restart = (
            evaluator.rules.clock.on_reprioritise == "restart"
            and self.ev.priority != before.priority
        )
        for index, plan in enumerate(self.clock.plans):
            cycles = self.cycles[index]
            if not cycles:
                continue
            cycle = cycles[-1]
            rule = self.targets.get(plan.name)
            if restart and cycle.stop is None:
                # the targets of the new priority start at the change
                cycle.stop, cycle.ended = at, "cancel"
                cycles.append(Cycle(cycle.number + 1, at, rule))
            elif cycle.rule is None:
                cycle.apply(rule)  # a target appears: the cycle the history gives it
            elif cycle.stop is None and cycle.due_at(self.intervals(plan.group, at), at) >= at:
                cycle.apply(rule)  # not breached yet: the new target applies

    def change_status(self, status: str, at: int) -> None:
        """A status change: pause groups open or close, cancel statuses end cycles."""
        self.status = status
        for group, (statuses, _) in enumerate(self.clock.groups):
            pausing = status in statuses
            if pausing != self.by_status[group]:
                self.by_status[group] = pausing
                self.mark_pause(group, at)
        for index, cancels in self.clock.status_cancels:
            if status in cancels:
                self.end(index, at, "cancel", None)

    def pair(self, group: int, pair: int, at: int, *, opening: bool) -> None:
        """An event that opens or closes one of a group's pauses between two events."""
        active = self.by_pairs[group]
        if opening == (pair in active):
            return
        if opening:
            active.add(pair)
        else:
            active.discard(pair)
        self.mark_pause(group, at)

    def mark_pause(self, group: int, at: int) -> None:
        """Open or close the group's current pause interval after its reasons changed."""
        paused = self.by_status[group] or bool(self.by_pairs[group])
        intervals = self.pauses[group]
        is_open = bool(intervals) and intervals[-1][1] is None
        if paused and not is_open:
            intervals.append([at, None])
        elif not paused and is_open:
            intervals[-1][1] = at

    # ------------------------------------------------------------------ cycles

    def holds(self, when: When) -> bool:
        """A trigger's condition on the ticket as it stands now."""
        if when is None:
            return True
        ev = self.ev
        return bool(when(ev.view, ev.category.id, ev.priority, ev.sla.rule.id, ev.owner))

    def begin(self, index: int, at: int, *, creation: bool = False) -> None:
        """A start: a new cycle, unless one runs (or a ``once`` metric already had one)."""
        cycles = self.cycles[index]
        if cycles and (cycles[-1].stop is None or self.clock.plans[index].metric.cycle == "once"):
            return
        name = self.clock.plans[index].name
        rule = self.targets.get(name)
        plain = (
            self.ev.due_us(rule)
            if creation and rule is not None and _scheduled(self.ev, rule)
            else None
        )
        cycles.append(Cycle(len(cycles) + 1, at, rule, plain=plain))

    def end(self, index: int, at: int, how: str, when: When) -> None:
        """A stop or a cancellation of the running cycle."""
        cycles = self.cycles[index]
        if cycles and cycles[-1].stop is None and (how == "cancel" or self.holds(when)):
            cycles[-1].stop, cycles[-1].ended = at, how

    def resume(self, index: int, at: int, when: When) -> None:
        """The last stopped cycle runs on; the time since its stop counts as paused."""
        cycles = self.cycles[index]
        if not cycles or cycles[-1].ended != "stop" or not self.holds(when):
            return
        cycle = cycles[-1]
        stopped = cycle.stop
        assert stopped is not None
        group = self.clock.plans[index].group
        if cycle.rule is not None and stopped <= cycle.due_at(
            self.intervals(group, stopped), stopped
        ):
            cycle.apply(self.targets.get(self.clock.plans[index].name))  # it was met
        cycle.stop, cycle.ended = None, None
        cycle.extra_pauses.append((stopped, at))

    def intervals(self, group: int, now: int | None = None) -> Intervals:
        """A group's pauses as closed intervals (an open one ends at ``now``)."""
        end = self.now if now is None else now
        out: Intervals = []
        for a, b in self.pauses[group]:
            assert a is not None
            out.append((a, end if b is None else b))
        return sorted(out)

    # ------------------------------------------------------------------ the result

    def finish(self) -> SlaStatus:
        """Settle every cycle and report the metrics the current decision gives targets."""
        now, ev = self.now, self.ev
        group_pauses = [self.intervals(group) for group in range(len(self.clock.groups))]
        statuses: dict[str, TargetStatus] = {}
        counted: dict[str, list[Cycle]] = {}
        for index, plan in enumerate(self.clock.plans):
            rule = self.targets.get(plan.name)
            if rule is None:
                continue
            cycles = [c for c in self.cycles[index] if c.rule is not None]
            for cycle in cycles:
                cycle.settle(group_pauses[plan.group], now)
            counted[plan.name] = cycles
            if not cycles:
                statuses[plan.name] = pending_status(plan.name, rule)
                continue
            breaches = tuple(
                c.rule.calendar.from_us(c.due)  # type: ignore[union-attr]
                for c in cycles
                if is_breach(c, now)
            )
            paused = self.paused(plan.group)
            statuses[plan.name] = status_of(plan.name, cycles[-1], now, paused, breaches)
        return SlaStatus(
            now=self.evaluator.reader.instants.from_us(now),
            decision=self.evaluator.decision(ev, snapshot=False),
            targets=statuses,
            escalations_due=self.escalations_due(counted),
            paused=self.status in self.evaluator.rules.clock.pause_statuses,
            resolved=self.state != "open",
            ignored_events=tuple(sorted(self.ignored)),
            _cycles=lambda: _all_cycles(counted, now, self.paused_by_name()),
        )

    def paused(self, group: int) -> bool:
        """True while the group pauses its metrics (at the end of the replay)."""
        return self.by_status[group] or bool(self.by_pairs[group])

    def paused_by_name(self) -> dict[str, bool]:
        return {plan.name: self.paused(plan.group) for plan in self.clock.plans}

    def escalations_due(self, counted: Mapping[str, list[Cycle]]) -> tuple[EscalationDue, ...]:
        """Every escalation threshold passed by ``now``, once per cycle, in time order."""
        ev, now = self.ev, self.now
        owner = ev.owner
        found: list[tuple[int, int, EscalationDue]] = []
        for plan in self.clock.plans:
            cycles = counted.get(plan.name)
            if not cycles:
                continue
            for esc, when, notify_by_owner in plan.escalations:
                if not self.holds(when):
                    continue
                notify = notify_by_owner.get(owner) or tuple(
                    self.evaluator.rules.resolve_notify(n, owner) for n in esc.notify
                )
                for cycle in cycles:
                    if cycle.ended == "cancel":
                        continue
                    at_us = threshold_at(cycle, esc)
                    if at_us > now or (cycle.stop is not None and cycle.stop <= at_us):
                        continue
                    due = EscalationDue(
                        cycle.rule.calendar.from_us(at_us),  # type: ignore[union-attr]
                        notify,
                        esc.target,
                        esc.describe(),
                        esc.id,
                        cycle.number,
                    )
                    found.append((at_us, esc.index, due))
        found.sort(key=lambda item: (item[0], item[1]))
        return tuple(item[2] for item in found)


def _targets(ev: Evaluation) -> dict[str, TargetRule]:
    """Every target the evaluation's SLA gives its priority, by metric name."""
    return {rule.name: rule for rule in ev.sla.targets.get(ev.priority, ())}


def _scheduled(ev: Evaluation, rule: TargetRule) -> bool:
    """True if the evaluation computed this target's due instant (it starts with the clock)."""
    return any(due.rule is rule for due in ev.schedule.targets)


def _all_cycles(
    counted: Mapping[str, Sequence[Cycle]], now: int, paused: Mapping[str, bool]
) -> dict[str, tuple[TargetStatus, ...]]:
    """Every counted cycle of every reported metric, oldest first."""
    out: dict[str, tuple[TargetStatus, ...]] = {}
    for name, cycles in counted.items():
        entries: list[TargetStatus] = []
        breaches: tuple[datetime, ...] = ()
        for cycle in cycles:
            if is_breach(cycle, now):
                breaches = (*breaches, cycle.rule.calendar.from_us(cycle.due))  # type: ignore[union-attr]
            entries.append(status_of(name, cycle, now, paused[name], breaches))
        out[name] = tuple(entries)
    return out
