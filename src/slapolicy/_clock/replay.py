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

:meth:`Clock.outcome` is the same replay, reported as the numbers the periodic review
counts (:class:`Outcome`): the replay ends in :meth:`_Replay.finish` for a status and in
:meth:`_Replay.outcome` for the review, both from the same settled cycles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from .._calendar import Calendar
from .._compile import EscalationRule, Metric
from .._engine import Evaluation, Evaluator, compile_when
from .._errors import CalendarError, TicketError
from .._fields import MISSING, lookup, set_path
from .cycles import (
    Cycle,
    Intervals,
    is_breach,
    measure,
    pending_status,
    percent_used,
    status_of,
    threshold_at,
)
from .events import Event, parse_events
from .results import CycleOutcome, EscalationDue, Outcome, SlaStatus, TargetStatus

__all__ = ["Clock"]

#: ``when(ticket, category, priority, sla, owner) -> bool``; None: always
When = Callable[..., bool] | None

_new_tuple = tuple.__new__
#: the outcome of a metric whose start has not happened (``pending_status`` as numbers)
_PENDING = (CycleOutcome(0, "pending", 0, None, None, None, None, None),)

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

    __slots__ = (
        "actions",
        "created",
        "escalation_slots_of",
        "evaluator",
        "groups",
        "pending_of",
        "planned_of",
        "plans",
        "status_cancels",
        "targets_of",
    )

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
                    if trigger.event != "created":
                        actions.setdefault(trigger.event, []).append((kind, index, when))
                    elif kind == START:  # (the compiler refuses a stop or resume on created)
                        created.append((index, when))
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
        # per (SLA index, priority): its targets by metric, and where the evaluation puts
        # the due instants of the metrics that start with the clock (plan index -> slot)
        plan_index = {plan.name: index for index, plan in enumerate(self.plans)}
        self.targets_of = {
            (index, priority): {rule.name: rule for rule in targets}
            for index, sla in enumerate(rules.slas)
            for priority, targets in sla.targets.items()
        }
        # Speed trick: the result of a metric that has not started is the same every time
        # (frozen), so it is made once per target (1.5 us a status)
        self.pending_of = {
            key: {name: pending_status(name, rule) for name, rule in targets.items()}
            for key, targets in self.targets_of.items()
        }
        self.planned_of = {
            key: {plan_index[due.name]: (due.group, due.position) for due in schedule.targets}
            for key, schedule in evaluator.schedules.items()
        }
        # per (SLA index, priority): where the evaluation puts the escalation instants that
        # lie a fixed working time from the start (escalation index -> slot)
        self.escalation_slots_of = {
            key: {p.esc.index: p.slot for p in schedule.escalations if p.slot is not None}
            for key, schedule in evaluator.schedules.items()
        }
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
            return self._replay(ticket, events, now).finish()
        except CalendarError as exc:  # e.g. a due instant pushed beyond the supported range
            raise TicketError(f"cannot follow the SLA clock: {exc}") from None

    def outcome(
        self,
        ticket: Mapping[str, Any],
        events: Iterable[Mapping[str, Any]],
        now: datetime | str,
    ) -> Outcome:
        """The same replay as :meth:`status`, reported as the review counts it: the
        decision's ids and every counted cycle's state and numbers (no datetimes,
        durations or escalations: a third of the cost of a status)."""
        try:
            return self._replay(ticket, events, now).outcome()
        except CalendarError as exc:
            raise TicketError(f"cannot follow the SLA clock: {exc}") from None

    def _replay(
        self,
        ticket: Mapping[str, Any],
        events: Iterable[Mapping[str, Any]],
        now: datetime | str,
    ) -> _Replay:
        """Every event of the history applied up to ``now``: the replay, not yet settled."""
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
                f"ticket has no '{reader.start_field}': the SLA clock needs the instant it started"
            )
        converted = reader.convert(view)
        start_us = reader.start_us(converted, None)
        for event in parsed:
            if event.type == "resolved" and event.at < start_us:
                raise TicketError(
                    f"event {event.order} (resolved) is before the clock start "
                    f"{reader.instants.from_us(start_us).isoformat()}: a ticket cannot be "
                    "resolved before it starts"
                )
        replay = _Replay(self, evaluator.decide_at(converted, start_us), view, now_us)
        # in time order; events are tuples (at, order, ...) and orders are unique, so this
        # sorts by instant and keeps the given order of equal instants
        parsed.sort()
        apply = replay.apply
        for event in parsed:
            if event.at > now_us:
                replay.ignored.append(event.order)
            else:
                apply(event, event.at if event.at > start_us else start_us)
        return replay


class _Replay:
    """The state of one replay: the ticket, its pauses and every metric's cycles."""

    def __init__(self, clock: Clock, ev: Evaluation, view: dict[str, Any], now: int) -> None:
        self.clock = clock
        self.evaluator = clock.evaluator
        self.ev = ev
        self.view = view
        self.now = now
        self.start = ev.start_us
        self.targets = clock.targets_of[ev.sla_index, ev.priority]
        self.state = "open"  # open | resolved | closed
        self.status: str | None = None
        self.ignored: list[int] = []
        self.cycles: list[list[Cycle]] = [[] for _ in clock.plans]
        # per pause group: its intervals [start, end or None while open], and why it pauses
        self.pauses: list[list[list[int | None]]] = [[] for _ in clock.groups]
        self.by_status = [False] * len(clock.groups)
        self.by_pairs: list[set[int]] = [set() for _ in clock.groups]
        # the metrics that start with the clock: the evaluation has their due instants
        planned = clock.planned_of[ev.sla_index, ev.priority]
        instants = ev.instants
        for index, when in clock.created:
            if not self.cycles[index] and self.holds(when):  # two triggers: one cycle
                slot = planned.get(index)
                plain = None if slot is None else instants[slot[0]][slot[1]]
                rule = self.targets.get(clock.plans[index].name)
                self.cycles[index].append(Cycle(1, self.start, rule, plain=plain))

    # ------------------------------------------------------------------ events

    def apply(self, event: Event, at: int) -> None:
        """One event of the history, at ``at`` (never before the clock start)."""
        kind = event.type
        if kind == "resolved":
            if self.state != "open":
                self.ignored.append(event.order)
                return
            self.state = "resolved"
        elif kind == "reopened":
            if self.state != "resolved":
                self.ignored.append(event.order)
                return
            self.state = "open"
        elif kind == "closed":
            if self.state == "closed":
                self.ignored.append(event.order)
                return
            self.state = "closed"
        elif kind == "status":
            assert event.status is not None
            self.change_status(event.status, at)
        before = self.ev
        if kind == "updated":
            self.reevaluate(event)
        actions = self.clock.actions.get(kind, ())
        # the ticket as it now stands decides every trigger; stops and cancellations come
        # first so that the new targets reach only the cycles that still run, and starts
        # last so that a cycle the event ends can start again at once
        for action, index, when in actions:
            if action == STOP:
                self.end(index, at, "stop", when)
            elif action == CANCEL:
                self.end(index, at, "cancel", None)
        if kind == "updated":
            self.reconcile(before, at)
        for action, index, when in actions:
            if action == RESUME:
                self.resume(index, at, when)
            elif action == START:
                metric = self.clock.plans[index].metric
                if (not metric.open_only or self.state == "open") and self.holds(when):
                    self.begin(index, at)
            elif action in (PAUSE_FROM, PAUSE_UNTIL):
                self.pair(index, when, at, opening=action == PAUSE_FROM)

    def reevaluate(self, event: Event) -> None:
        """Apply an update's changed fields and evaluate the ticket again."""
        assert event.fields is not None
        for key, value in event.fields.items():
            set_path(self.view, key, value)
        evaluator = self.evaluator
        try:
            self.ev = evaluator.decide_at(evaluator.reader.convert(self.view), self.start)
        except TicketError as exc:
            raise TicketError(f"event {event.order} (updated): {exc}") from None
        self.targets = self.clock.targets_of[self.ev.sla_index, self.ev.priority]

    def reconcile(self, before: Evaluation, at: int) -> None:
        """Hand the running cycles the targets of the decision an update gave."""
        evaluator = self.evaluator
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
            elif rule is cycle.rule:
                continue  # the same target (the priority and SLA did not change)
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

    def begin(self, index: int, at: int) -> None:
        """A start: a new cycle, unless one runs (or a ``once`` metric already had one)."""
        cycles = self.cycles[index]
        plan = self.clock.plans[index]
        if cycles and (cycles[-1].stop is None or plan.metric.cycle == "once"):
            return
        cycles.append(Cycle(len(cycles) + 1, at, self.targets.get(plan.name)))

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
        cycle.extra_pauses = (*cycle.extra_pauses, (stopped, at))

    def intervals(self, group: int, now: int | None = None) -> Intervals:
        """A group's pauses as closed intervals (an open one ends at ``now``)."""
        end = self.now if now is None else now
        out: Intervals = []
        for a, b in self.pauses[group]:
            assert a is not None
            out.append((a, end if b is None else b))
        return sorted(out)

    # ------------------------------------------------------------------ the result

    def counted(self) -> list[tuple[_Plan, list[Cycle]]]:
        """Every metric the current decision targets, with its cycles that had a target,
        settled (the pauses and due instants worked out), in the policy's order."""
        now = self.now
        group_pauses = [self.intervals(group) for group in range(len(self.clock.groups))]
        out: list[tuple[_Plan, list[Cycle]]] = []
        for index, plan in enumerate(self.clock.plans):
            if self.targets.get(plan.name) is None:
                continue
            cycles = [c for c in self.cycles[index] if c.rule is not None]
            pauses = group_pauses[plan.group]
            for cycle in cycles:
                cycle.settle(pauses, now)
            out.append((plan, cycles))
        return out

    def finish(self) -> SlaStatus:
        """Settle every cycle and report the metrics the current decision gives targets."""
        now, ev = self.now, self.ev
        statuses: dict[str, TargetStatus] = {}
        counted: dict[str, list[Cycle]] = {}
        stamp = _Stamps()
        for plan, cycles in self.counted():
            counted[plan.name] = cycles
            if not cycles:
                statuses[plan.name] = self.clock.pending_of[ev.sla_index, ev.priority][plan.name]
                continue
            breaches = tuple(
                stamp(c.rule.calendar, c.due)  # type: ignore[union-attr]
                for c in cycles
                if is_breach(c, now)
            )
            paused = self.paused(plan.group)
            statuses[plan.name] = status_of(plan.name, cycles[-1], now, paused, breaches, stamp)
        return SlaStatus(
            now=self.evaluator.reader.instants.from_us(now),
            decision=lambda: self.evaluator.decision(ev, snapshot=False),
            targets=statuses,
            escalations_due=self.escalations_due(counted, stamp),
            paused=self.status in self.evaluator.rules.clock.pause_statuses,
            resolved=self.state != "open",
            ignored_events=tuple(sorted(self.ignored)),
            cycles=lambda: _all_cycles(counted, now, self.paused_by_name()),
        )

    def outcome(self) -> Outcome:
        """Settle every cycle and report what the review counts (see :class:`Outcome`)."""
        now, ev = self.now, self.ev
        metrics: dict[str, tuple[CycleOutcome, ...]] = {}
        for plan, cycles in self.counted():
            if not cycles:
                metrics[plan.name] = _PENDING
                continue
            paused = self.paused(plan.group)
            entries = []
            for cycle in cycles:
                state, used, total, _ = measure(cycle, now, paused)
                # Speed trick: the named tuple built without its Python-level __new__ (as
                # the events): 0.4 us a cycle, 5 cycles a history in the review
                entries.append(
                    _new_tuple(
                        CycleOutcome,
                        (
                            cycle.number,
                            state,
                            used,
                            percent_used(used, total),
                            cycle.start,
                            cycle.due,
                            cycle.stop,
                            cycle.rule.calendar,  # type: ignore[union-attr]
                        ),
                    )
                )
            metrics[plan.name] = tuple(entries)
        return Outcome(
            ev.category.id,
            ev.priority,
            ev.sla.rule.id,
            ev.route.owner or "",
            self.evaluator.reader.instants.from_us(ev.start_us),
            metrics,
        )

    def paused(self, group: int) -> bool:
        """True while the group pauses its metrics (at the end of the replay)."""
        return self.by_status[group] or bool(self.by_pairs[group])

    def paused_by_name(self) -> dict[str, bool]:
        return {plan.name: self.paused(plan.group) for plan in self.clock.plans}

    def escalations_due(
        self, counted: Mapping[str, list[Cycle]], stamp: Callable[[Calendar, int], datetime]
    ) -> tuple[EscalationDue, ...]:
        """Every escalation threshold passed by ``now``, once per cycle, in time order."""
        ev, now, start = self.ev, self.now, self.start
        owner = ev.owner
        # Speed trick: a cycle that counts from the clock start against the target the
        # evaluation had takes its escalation instants from the evaluation (unpaused) rather
        # than working them out again (2 us each)
        slots = self.clock.escalation_slots_of[ev.sla_index, ev.priority]
        found: list[tuple[int, int, EscalationDue]] = []
        for plan in self.clock.plans:
            cycles = counted.get(plan.name)
            if not cycles:
                continue
            rule = self.targets.get(plan.name)
            for esc, when, notify_by_owner in plan.escalations:
                if not self.holds(when):
                    continue
                notify: tuple[str, ...] | None = None
                for cycle in cycles:
                    if cycle.start > now:
                        continue
                    # (a cancelled cycle keeps the thresholds it reached before its end)
                    slot = slots.get(esc.index)
                    if slot is not None and cycle.start == start and cycle.rule is rule:
                        at_us = threshold_at(cycle, esc, ev.instants[slot[0]][slot[1]])
                    else:
                        at_us = threshold_at(cycle, esc)
                    if at_us > now or (cycle.stop is not None and cycle.stop <= at_us):
                        continue
                    if notify is None:
                        notify = notify_by_owner.get(owner) or tuple(
                            self.evaluator.rules.resolve_notify(n, owner) for n in esc.notify
                        )
                    due = EscalationDue(
                        stamp(cycle.rule.calendar, at_us),  # type: ignore[union-attr]
                        notify,
                        esc.target,
                        esc.reason,
                        esc.id,
                        cycle.number,
                    )
                    found.append((at_us, esc.index, due))
        found.sort(key=lambda item: (item[0], item[1]))
        return tuple(item[2] for item in found)


class _Stamps(dict[tuple[int, int], datetime]):
    """Datetimes of the instants a status reports, each made once.

    Speed trick: a ticket's metrics mostly start at the clock start and stop at the
    resolution, and an escalation at 100% lies on a due instant: making each datetime once
    (``datetime.fromtimestamp`` in a zone, 0.4 us) saves a third of them.
    """

    def __call__(self, cal: Calendar, us: int) -> datetime:
        key = (id(cal), us)
        found = self.get(key)
        if found is None:
            found = self[key] = cal.from_us(us)
        return found


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
