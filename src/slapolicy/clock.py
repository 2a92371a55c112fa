"""The SLA clock: where every target of a ticket stands, given its history, at ``now``.

The history is replayed in time order. Pauses (a status in ``clock.pause_statuses``) are
kept as intervals; each target is a list of *cycles* (a cycle starts when the clock starts,
and again when a reply restarts the periodic ``update`` target or a reopening restarts
``resolve`` under ``on_reopen: restart``). A cycle's due instant is its plain deadline,
pushed later by exactly the working time paused before it was reached; a pause that starts
after the due instant changes nothing (the target was already breached). Everything is the
calendar's O(log n) arithmetic: nothing steps through time.

Defined behaviour for untidy histories (docs/clock.md has the full list):

* events are sorted by ``at`` (stable: equal instants keep their order);
* events after ``now`` are ignored and listed in ``SlaStatus.ignored_events``;
* an event before the clock start counts as at the clock start;
* the first ``responded`` stops ``response``; every reply restarts ``update``;
  ``resolved`` also stops ``response`` if no reply came first;
* a second ``resolved`` without ``reopened`` in between, and ``reopened`` on an open ticket,
  are ignored (and listed in ``ignored_events``);
* ``updated`` re-derives the decision; a running target takes the new ``within`` but keeps
  its start and the working time already used; a stopped or breached cycle keeps what it had
  (a breach is never undone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .calendar import Calendar
from .errors import CalendarError, SlaPolicyError, TicketError
from .fields import MISSING, lookup, set_path

if TYPE_CHECKING:
    from .engine import Decision, EscalationRule, Policy, TargetRule

__all__ = ["EVENT_TYPES", "EscalationDue", "SlaStatus", "TargetStatus", "compute_status"]

EVENT_TYPES = ("responded", "status", "updated", "resolved", "reopened")
_MAX_EVENTS = 10_000


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class TargetStatus:
    """Where one target stands at ``now`` (its current cycle).

    ``elapsed`` is working time used (pauses excluded), ``remaining`` is what is left of
    ``within`` (negative when overdue), ``paused_for`` the working time spent paused; all
    three count from the start of the current cycle.
    """

    name: str
    state: str  # running | paused | met | breached
    within: str
    calendar: str
    start: datetime
    due: datetime
    elapsed: timedelta
    remaining: timedelta
    paused_for: timedelta
    breached_at: datetime | None
    stopped_at: datetime | None
    percent_used: float | None
    cycle: int
    breaches: tuple[datetime, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (ISO-8601 datetimes, durations in seconds)."""
        return {
            "name": self.name,
            "state": self.state,
            "within": self.within,
            "calendar": self.calendar,
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "elapsed_seconds": self.elapsed.total_seconds(),
            "remaining_seconds": self.remaining.total_seconds(),
            "paused_seconds": self.paused_for.total_seconds(),
            "breached_at": None if self.breached_at is None else self.breached_at.isoformat(),
            "stopped_at": None if self.stopped_at is None else self.stopped_at.isoformat(),
            "percent_used": self.percent_used,
            "cycle": self.cycle,
            "breaches": [b.isoformat() for b in self.breaches],
        }


@dataclass(frozen=True, slots=True)
class EscalationDue:
    """An escalation threshold passed by ``now``. ``key`` identifies it across calls."""

    at: datetime
    notify: tuple[str, ...]
    target: str
    reason: str
    rule: str
    cycle: int

    @property
    def key(self) -> tuple[str, str, int]:
        """``(rule, target, cycle)``: notify once per key."""
        return (self.rule, self.target, self.cycle)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "at": self.at.isoformat(),
            "notify": list(self.notify),
            "target": self.target,
            "reason": self.reason,
            "rule": self.rule,
            "cycle": self.cycle,
        }


@dataclass(frozen=True, slots=True)
class SlaStatus:
    """The SLA clock of one ticket at ``now``."""

    now: datetime
    decision: Decision
    targets: Mapping[str, TargetStatus]
    escalations_due: tuple[EscalationDue, ...]
    paused: bool
    resolved: bool
    ignored_events: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "now": self.now.isoformat(),
            "decision": self.decision.to_dict(trace=False),
            "targets": {name: t.to_dict() for name, t in self.targets.items()},
            "escalations_due": [e.to_dict() for e in self.escalations_due],
            "paused": self.paused,
            "resolved": self.resolved,
            "ignored_events": list(self.ignored_events),
        }


# --------------------------------------------------------------------------- replay


@dataclass(slots=True)
class _Event:
    at: int
    index: int
    type: str
    status: str | None = None
    fields: Mapping[str, Any] | None = None


@dataclass(slots=True)
class _Cycle:
    number: int
    start: int
    rule: TargetRule
    stop: int | None = None
    extra_pauses: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class _Track:
    name: str
    cycles: list[_Cycle]

    @property
    def current(self) -> _Cycle:
        return self.cycles[-1]


def compute_status(
    policy: Policy,
    ticket: Mapping[str, Any],
    events: Iterable[Mapping[str, Any]],
    now: datetime | str,
) -> SlaStatus:
    """Replay ``events`` over ``ticket`` and report every target at ``now``."""
    try:
        return _compute_status(policy, ticket, events, now)
    except CalendarError as exc:  # e.g. a due instant pushed beyond the supported range
        raise TicketError(f"cannot follow the SLA clock: {exc}") from None


def _compute_status(
    policy: Policy,
    ticket: Mapping[str, Any],
    events: Iterable[Mapping[str, Any]],
    now: datetime | str,
) -> SlaStatus:
    if not isinstance(ticket, Mapping):
        raise TicketError(f"a ticket must be a mapping, got {type(ticket).__name__}")
    reader = policy._tz_calendar
    try:
        now_us = reader.to_us(now)
    except CalendarError as exc:
        raise TicketError(f"invalid `now`: {exc}") from None
    parsed = _parse_events(events, reader)
    ignored = [e.index for e in parsed if e.at > now_us]
    replay = sorted((e for e in parsed if e.at <= now_us), key=lambda e: e.at)

    view: dict[str, Any] = dict(ticket)
    if lookup(view, policy.start_field) is MISSING:
        raise TicketError(
            f"ticket has no {policy.start_field!r}: the SLA clock needs the instant it started"
        )
    decision = policy.evaluate(view)
    start_us = reader.to_us(decision.started_at)
    rules = _target_rules(policy, decision)  # the targets of the current decision
    tracks = {name: _Track(name, [_Cycle(1, start_us, rule)]) for name, rule in rules.items()}
    pauses: list[list[int | None]] = []  # [start, end or None while open]
    paused = False
    resolved_at: int | None = None
    # what a target that appears with an update needs to know of the history (_reconcile)
    history = _History(update_from=start_us)

    def stop(name: str, at: int) -> _Cycle | None:
        track = tracks.get(name)
        if track is None or track.current.stop is not None:
            return None
        track.current.stop = at
        return track.current

    def restart(name: str, at: int) -> None:
        """End the current cycle of ``name`` and start one under the current decision."""
        track = tracks.get(name)
        if track is not None:
            cycle = track.current
            if cycle.stop is None:
                cycle.stop = at
            track.cycles.append(_Cycle(cycle.number + 1, at, rules[name]))

    for event in replay:
        at = max(event.at, start_us)
        kind = event.type
        if kind == "status":
            pausing = event.status in policy.pause_statuses
            if pausing and not paused:
                pauses.append([at, None])
                paused = True
            elif not pausing and paused:
                pauses[-1][1] = at
                paused = False
        elif kind == "responded":
            stop("response", at)
            if history.response_stop is None:
                history.response_stop = at
            if resolved_at is None:
                restart("update", at)
                history.update_from = at
        elif kind == "resolved":
            if resolved_at is not None:
                ignored.append(event.index)
                continue
            resolved_at = at
            for name in ("response", "resolve", "update"):
                stop(name, at)
            if history.response_stop is None:
                history.response_stop = at
        elif kind == "reopened":
            if resolved_at is None:
                ignored.append(event.index)
                continue
            history.closed.append((resolved_at, at))
            history.update_from = at
            track = tracks.get("resolve")
            if track is not None:
                if policy.on_reopen == "restart":
                    restart("resolve", at)
                else:
                    cycle = track.current
                    if cycle.stop is not None and cycle.stop <= _due(
                        cycle, _intervals(cycle, pauses, cycle.stop)
                    ):
                        cycle.rule = rules["resolve"]  # it resumes under the current decision
                    cycle.stop = None
                    cycle.extra_pauses.append((resolved_at, at))
            restart("update", at)
            resolved_at = None
        elif kind == "updated":
            assert event.fields is not None
            for key, value in event.fields.items():
                set_path(view, key, value)
            try:
                decision = policy.evaluate(view, at=decision.started_at)
            except TicketError as exc:
                raise TicketError(f"event {event.index} (updated): {exc}") from None
            rules = _target_rules(policy, decision)
            _reconcile(tracks, rules, pauses, at, start_us, resolved_at, history, policy.on_reopen)

    statuses: dict[str, TargetStatus] = {}
    due_escalations: list[tuple[int, int, EscalationDue]] = []
    context = _context(view, decision)
    for name, track in tracks.items():
        statuses[name] = _status(track, pauses, now_us, paused)
        for esc in policy.escalations:
            if esc.target != name or not esc.condition.matches(context):
                continue
            for cycle in track.cycles:
                at_us = _threshold(cycle, esc, pauses, now_us)
                if at_us is None or at_us > now_us:
                    continue
                if cycle.stop is not None and cycle.stop <= at_us:
                    continue
                cal = cycle.rule.calendar
                notify = tuple(policy._resolve_notify(n, decision.owner) for n in esc.notify)
                due_escalations.append(
                    (
                        at_us,
                        esc.index,
                        EscalationDue(
                            cal.from_us(at_us),
                            notify,
                            name,
                            esc.describe(),
                            esc.id,
                            cycle.number,
                        ),
                    )
                )
    due_escalations.sort(key=lambda item: (item[0], item[1]))
    return SlaStatus(
        now=reader.from_us(now_us),
        decision=decision,
        targets=statuses,
        escalations_due=tuple(item[2] for item in due_escalations),
        paused=paused,
        resolved=resolved_at is not None,
        ignored_events=tuple(sorted(ignored)),
    )


def _target_rules(policy: Policy, decision: Decision) -> dict[str, TargetRule]:
    sla = next(s for s in policy.slas if s.rule.id == decision.sla)
    return {rule.name: rule for rule in sla.targets[decision.priority]}


@dataclass(slots=True)
class _History:
    """What the replay so far means for a target that did not exist until now."""

    #: when ``update`` last (re)started: the clock start, a reply while open, a reopening
    update_from: int
    #: the first reply, or the first resolution if it came before any reply
    response_stop: int | None = None
    #: (resolved, reopened) intervals of the ticket so far
    closed: list[tuple[int, int]] = field(default_factory=list)


def _reconcile(
    tracks: dict[str, _Track],
    rules: Mapping[str, TargetRule],
    pauses: Sequence[Sequence[int | None]],
    at: int,
    start_us: int,
    resolved_at: int | None,
    history: _History,
    on_reopen: str,
) -> None:
    """Apply re-derived targets at ``at``: running cycles take the new rule.

    A target that appears gets the cycle it would be in had it existed from the clock start
    (docs/clock.md): a new ``response`` is already stopped by the first reply (or by a
    resolution before any reply), a new ``update`` runs from the last reply while the ticket
    was open or the last reopening, a new ``resolve`` runs from the last reopening under
    ``on_reopen: restart`` and counts the resolved periods as paused under ``continue``, and
    any new target is stopped while the ticket is resolved.
    """
    for name in list(tracks):
        if name not in rules:
            del tracks[name]
    for name, rule in rules.items():
        track = tracks.get(name)
        if track is None:
            cycle = _Cycle(1, start_us, rule, stop=resolved_at)
            if name == "response":
                cycle.stop = history.response_stop
            elif name == "update":
                cycle.start = history.update_from
            elif name == "resolve" and history.closed:
                if on_reopen == "restart":
                    cycle.number = len(history.closed) + 1
                    cycle.start = history.closed[-1][1]
                else:
                    cycle.extra_pauses = list(history.closed)
            tracks[name] = _Track(name, [cycle])
            continue
        cycle = track.current
        if cycle.stop is not None:
            continue
        due = _due(cycle, _intervals(cycle, pauses, at))
        if due >= at:  # not breached yet: the new target applies
            cycle.rule = rule


# --------------------------------------------------------------------------- arithmetic


def _intervals(
    cycle: _Cycle, pauses: Sequence[Sequence[int | None]], now: int
) -> list[tuple[int, int]]:
    """Pause intervals inside the cycle (up to its stop, or ``now``), merged and sorted."""
    end = cycle.stop if cycle.stop is not None else now
    raw: list[tuple[int, int]] = []
    for a, b in pauses:
        assert a is not None
        raw.append((a, now if b is None else b))
    raw.extend(cycle.extra_pauses)
    out: list[tuple[int, int]] = []
    for a, b in sorted(raw):
        a, b = max(a, cycle.start), min(b, end)
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _shift(cal: Calendar, instant: int, intervals: Sequence[tuple[int, int]]) -> int:
    """Push ``instant`` later by the working time of every pause that began before it."""
    for a, b in intervals:
        if a >= instant:
            break
        paused = cal.elapsed_us(a, b)
        if paused:
            instant = cal.push_us(instant, paused)
    return instant


def _due(cycle: _Cycle, intervals: Sequence[tuple[int, int]]) -> int:
    cal = cycle.rule.calendar
    return _shift(cal, cal.add_us(cycle.start, cycle.rule.within), intervals)


def _status(
    track: _Track, pauses: Sequence[Sequence[int | None]], now: int, paused: bool
) -> TargetStatus:
    breaches: list[datetime] = []
    for cycle in track.cycles:
        cal = cycle.rule.calendar
        intervals = _intervals(cycle, pauses, now)
        due = _due(cycle, intervals)
        end = cycle.stop if cycle.stop is not None else now
        if due < end:
            breaches.append(cal.from_us(due))
    cycle = track.current
    rule = cycle.rule
    cal = rule.calendar
    intervals = _intervals(cycle, pauses, now)
    due = _due(cycle, intervals)
    end = cycle.stop if cycle.stop is not None else now
    total = cal.elapsed_us(cycle.start, cal.add_us(cycle.start, rule.within))
    paused_us = sum(cal.elapsed_us(a, b) for a, b in intervals)
    used = cal.elapsed_us(cycle.start, max(end, cycle.start)) - paused_us
    if cycle.stop is not None:
        state = "met" if cycle.stop <= due else "breached"
    elif due < now:
        state = "breached"
    elif paused:
        state = "paused"
    else:
        state = "running"
    return TargetStatus(
        name=track.name,
        state=state,
        within=str(rule.within),
        calendar=rule.calendar_name,
        start=cal.from_us(cycle.start),
        due=cal.from_us(due),
        elapsed=timedelta(microseconds=used),
        remaining=timedelta(microseconds=total - used),
        paused_for=timedelta(microseconds=paused_us),
        breached_at=cal.from_us(due) if state == "breached" else None,
        stopped_at=None if cycle.stop is None else cal.from_us(cycle.stop),
        percent_used=None if total == 0 else round(100 * used / total, 2),
        cycle=cycle.number,
        breaches=tuple(breaches),
    )


def _threshold(
    cycle: _Cycle, esc: EscalationRule, pauses: Sequence[Sequence[int | None]], now: int
) -> int | None:
    """When the escalation's threshold is reached in this cycle (pauses counted)."""
    from .engine import threshold_us

    cal = cycle.rule.calendar
    intervals = _intervals(cycle, pauses, now)
    plain_due = cal.add_us(cycle.start, cycle.rule.within)
    return _shift(cal, threshold_us(cal, cycle.start, plain_due, esc), intervals)


# --------------------------------------------------------------------------- input


def _parse_events(events: Iterable[Mapping[str, Any]], reader: Calendar) -> list[_Event]:
    if isinstance(events, Mapping | str | bytes):
        raise TicketError("events must be a list of mappings, oldest first")
    out: list[_Event] = []
    try:
        iterator = iter(events)
    except TypeError:
        raise TicketError("events must be a list of mappings, oldest first") from None
    for index, raw in enumerate(iterator):
        if index >= _MAX_EVENTS:
            raise TicketError(f"too many events (more than {_MAX_EVENTS})")
        where = f"event {index}"
        if not isinstance(raw, Mapping):
            raise TicketError(f"{where}: must be a mapping with `type` and `at`")
        kind = raw.get("type")
        if kind not in EVENT_TYPES:
            raise TicketError(
                f"{where}: field 'type' must be one of {', '.join(EVENT_TYPES)}, got {kind!r}"
            )
        if raw.get("at") is None:
            raise TicketError(f"{where}: field 'at' is missing")
        try:
            at = reader.to_us(raw["at"])
        except SlaPolicyError as exc:
            raise TicketError(f"{where}: field 'at': {exc}") from None
        event = _Event(at, index, kind)
        if kind == "status":
            status = raw.get("status")
            if not isinstance(status, str):
                raise TicketError(f"{where}: field 'status' must be text, got {status!r}")
            event.status = status
        elif kind == "updated":
            changed = raw.get("fields")
            if not isinstance(changed, Mapping) or not all(isinstance(k, str) for k in changed):
                raise TicketError(f"{where}: field 'fields' must be a mapping of changed fields")
            event.fields = changed
        out.append(event)
    return out


def _context(view: Mapping[str, Any], decision: Decision) -> dict[str, Any]:
    context = dict(view)
    context.update(
        category=decision.category,
        priority=decision.priority,
        sla=decision.sla,
        owner=decision.owner,
    )
    return context
