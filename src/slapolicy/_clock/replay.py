"""The SLA clock: where every target of a ticket stands, given its history, at ``now``.

The history is replayed in time order. Pauses (a status in ``clock.pause_statuses``) are
kept as intervals; each target is a list of *cycles* (:mod:`.cycles`: a cycle starts when
the clock starts, and again when a reply restarts the periodic ``update`` target or a
reopening restarts ``resolve`` under ``on_reopen: restart``).

The replay works on the engine's :class:`Evaluation` of each ticket state: one evaluation
when the clock starts and one per ``updated`` event, whose targets, due instants, schedule
and compiled escalation conditions it uses as they are; the public :class:`Decision` is
built once, for the state at ``now``.

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._compile import TargetRule
from .._engine import Evaluation, Evaluator, notify_for
from .._errors import CalendarError, TicketError
from .._fields import MISSING, lookup, set_path
from .cycles import Cycle, Pauses, Track, due_us, intervals, threshold_at, track_status
from .events import parse_events
from .results import EscalationDue, SlaStatus, TargetStatus

__all__ = ["compute_status"]


def compute_status(
    evaluator: Evaluator,
    ticket: Mapping[str, Any],
    events: Iterable[Mapping[str, Any]],
    now: datetime | str,
) -> SlaStatus:
    """Replay ``events`` over ``ticket`` and report every target at ``now``."""
    try:
        return _compute_status(evaluator, ticket, events, now)
    except CalendarError as exc:  # e.g. a due instant pushed beyond the supported range
        raise TicketError(f"cannot follow the SLA clock: {exc}") from None


def _compute_status(
    evaluator: Evaluator,
    ticket: Mapping[str, Any],
    events: Iterable[Mapping[str, Any]],
    now: datetime | str,
) -> SlaStatus:
    if not isinstance(ticket, Mapping):
        raise TicketError(f"a ticket must be a mapping, got {type(ticket).__name__}")
    reader = evaluator.reader
    rules = evaluator.rules
    now_us = reader.instant_us(now, "invalid `now`")
    parsed = parse_events(events, reader)
    ignored = [e.index for e in parsed if e.at > now_us]
    replay = sorted((e for e in parsed if e.at <= now_us), key=lambda e: e.at)

    view: dict[str, Any] = dict(ticket)
    if lookup(view, reader.start_field) is MISSING:
        raise TicketError(
            f"ticket has no {reader.start_field!r}: the SLA clock needs the instant it started"
        )
    converted = reader.convert(view)
    start_us = reader.start_us(converted, None)
    ev = evaluator.decide_at(converted, start_us)
    targets = _targets(ev)  # the targets of the current evaluation
    tracks = {
        name: Track(name, [Cycle(1, start_us, rule, plain=ev.due_us(rule))])
        for name, rule in targets.items()
    }
    pauses: list[list[int | None]] = []  # [start, end or None while open]
    paused = False
    resolved_at: int | None = None
    # what a target that appears with an update needs to know of the history (_reconcile)
    history = _History(update_from=start_us)

    def stop(name: str, at: int) -> None:
        track = tracks.get(name)
        if track is not None and track.current.stop is None:
            track.current.stop = at

    def restart(name: str, at: int) -> None:
        """End the current cycle of ``name`` and start one under the current evaluation."""
        track = tracks.get(name)
        if track is not None:
            cycle = track.current
            if cycle.stop is None:
                cycle.stop = at
            track.cycles.append(Cycle(cycle.number + 1, at, targets[name]))

    for event in replay:
        at = max(event.at, start_us)
        kind = event.type
        if kind == "status":
            pausing = event.status in rules.clock.pause_statuses
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
                if rules.clock.on_reopen == "restart":
                    restart("resolve", at)
                else:
                    cycle = track.current
                    if cycle.stop is not None and cycle.stop <= due_us(
                        cycle, intervals(cycle, pauses, cycle.stop)
                    ):
                        cycle.apply(targets["resolve"])  # it resumes under the current rule
                    cycle.stop = None
                    cycle.extra_pauses.append((resolved_at, at))
            restart("update", at)
            resolved_at = None
        elif kind == "updated":
            assert event.fields is not None
            for key, value in event.fields.items():
                set_path(view, key, value)
            try:
                ev = evaluator.decide_at(evaluator.reader.convert(view), start_us)
            except TicketError as exc:
                raise TicketError(f"event {event.index} (updated): {exc}") from None
            targets = _targets(ev)
            _reconcile(tracks, ev, targets, pauses, at, resolved_at, history, rules.clock.on_reopen)

    statuses: dict[str, TargetStatus] = {
        name: track_status(track, pauses, now_us, paused) for name, track in tracks.items()
    }
    return SlaStatus(
        now=reader.instants.from_us(now_us),
        decision=evaluator.decision(ev, snapshot=False),
        targets=statuses,
        escalations_due=_escalations_due(evaluator, ev, tracks, pauses, now_us),
        paused=paused,
        resolved=resolved_at is not None,
        ignored_events=tuple(sorted(ignored)),
    )


def _targets(ev: Evaluation) -> dict[str, TargetRule]:
    """The target rules of an evaluation, by name."""
    return {due.name: due.rule for due in ev.schedule.targets}


def _escalations_due(
    evaluator: Evaluator, ev: Evaluation, tracks: Mapping[str, Track], pauses: Pauses, now: int
) -> tuple[EscalationDue, ...]:
    """Every escalation threshold passed by ``now``, once per cycle, in time order."""
    found: list[tuple[int, int, EscalationDue]] = []
    category, priority, sla, owner = ev.category.id, ev.priority, ev.sla.rule.id, ev.owner
    for planned in ev.schedule.escalations:
        esc = planned.esc
        when = planned.when
        if when is not None and not when(ev.view, category, priority, sla, owner):
            continue
        track = tracks[esc.target]
        notify = notify_for(planned, evaluator.rules, owner)
        for cycle in track.cycles:
            at_us = threshold_at(cycle, esc, pauses, now)
            if at_us > now or (cycle.stop is not None and cycle.stop <= at_us):
                continue
            due = EscalationDue(
                cycle.rule.calendar.from_us(at_us),
                notify,
                esc.target,
                esc.describe(),
                esc.id,
                cycle.number,
            )
            found.append((at_us, esc.index, due))
    found.sort(key=lambda item: (item[0], item[1]))
    return tuple(item[2] for item in found)


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
    tracks: dict[str, Track],
    ev: Evaluation,
    rules: Mapping[str, TargetRule],
    pauses: Pauses,
    at: int,
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
            cycle = Cycle(1, ev.start_us, rule, stop=resolved_at, plain=ev.due_us(rule))
            if name == "response":
                cycle.stop = history.response_stop
            elif name == "update" and cycle.start != history.update_from:
                cycle.start, cycle.plain = history.update_from, None
            elif name == "resolve" and history.closed:
                if on_reopen == "restart":
                    cycle.number = len(history.closed) + 1
                    cycle.start, cycle.plain = history.closed[-1][1], None
                else:
                    cycle.extra_pauses = list(history.closed)
            tracks[name] = Track(name, [cycle])
            continue
        cycle = track.current
        if cycle.stop is not None:
            continue
        if due_us(cycle, intervals(cycle, pauses, at)) >= at:  # not breached yet: the new rule
            cycle.apply(rule)
