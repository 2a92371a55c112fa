"""Cycles of a target and their arithmetic: due instants pushed by pauses, states, thresholds.

A target is a :class:`Track` of :class:`Cycle`\\ s. A cycle's due instant is its plain
deadline (``within`` after its start), pushed later by exactly the working time paused
before it was reached; a pause that starts after the due instant changes nothing (the
target was already breached). Everything is the calendar's O(log n) arithmetic: nothing
steps through time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .._calendar import Calendar
from .._compile import EscalationRule, TargetRule
from .._engine import threshold_us
from .results import TargetStatus

__all__ = ["Cycle", "Pauses", "Track", "due_us", "intervals", "threshold_at", "track_status"]

#: the ticket's pauses: ``[start, end or None while open]``
Pauses = Sequence[Sequence[int | None]]


@dataclass(slots=True)
class Cycle:
    """One cycle of a target: from ``start`` to ``stop`` (None while it runs)."""

    number: int
    start: int
    rule: TargetRule
    stop: int | None = None
    #: pauses of this cycle alone (resolved periods under ``on_reopen: continue``)
    extra_pauses: list[tuple[int, int]] = field(default_factory=list)
    #: ``add(start, rule.within)`` once known: the evaluation's due instant for a first
    #: cycle, else computed on first use (reset when the rule changes)
    plain: int | None = None

    def plain_due(self) -> int:
        """The due instant before pauses."""
        if self.plain is None:
            self.plain = self.rule.calendar.add_us(self.start, self.rule.within)
        return self.plain

    def apply(self, rule: TargetRule) -> None:
        """Count this cycle under another target rule from now on."""
        if rule is not self.rule:
            self.rule = rule
            self.plain = None


@dataclass(slots=True)
class Track:
    """Every cycle of one target, oldest first."""

    name: str
    cycles: list[Cycle]

    @property
    def current(self) -> Cycle:
        """The latest cycle."""
        return self.cycles[-1]


def intervals(cycle: Cycle, pauses: Pauses, now: int) -> list[tuple[int, int]]:
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


def _shift(cal: Calendar, instant: int, paused: Sequence[tuple[int, int]]) -> int:
    """Push ``instant`` later by the working time of every pause that began before it."""
    for a, b in paused:
        if a >= instant:
            break
        amount = cal.elapsed_us(a, b)
        if amount:
            instant = cal.push_us(instant, amount)
    return instant


def due_us(cycle: Cycle, paused: Sequence[tuple[int, int]]) -> int:
    """The cycle's due instant with its pauses counted."""
    return _shift(cycle.rule.calendar, cycle.plain_due(), paused)


def threshold_at(cycle: Cycle, esc: EscalationRule, pauses: Pauses, now: int) -> int:
    """When the escalation's threshold is reached in this cycle (pauses counted)."""
    cal = cycle.rule.calendar
    plain = threshold_us(cal, cycle.start, cycle.plain_due(), esc)
    return _shift(cal, plain, intervals(cycle, pauses, now))


def track_status(track: Track, pauses: Pauses, now: int, paused: bool) -> TargetStatus:
    """Where a target stands at ``now``: its current cycle, and every breach of every cycle."""
    breaches: list[datetime] = []
    paused_in: list[tuple[int, int]] = []
    due = 0
    for cycle in track.cycles:  # the current cycle comes last: its values are kept
        paused_in = intervals(cycle, pauses, now)
        due = due_us(cycle, paused_in)
        end = cycle.stop if cycle.stop is not None else now
        if due < end:
            breaches.append(cycle.rule.calendar.from_us(due))
    cycle = track.current
    rule = cycle.rule
    cal = rule.calendar
    end = cycle.stop if cycle.stop is not None else now
    total = cal.elapsed_us(cycle.start, cycle.plain_due())
    paused_us = sum(cal.elapsed_us(a, b) for a, b in paused_in)
    used = cal.elapsed_us(cycle.start, max(end, cycle.start)) - paused_us
    if cycle.stop is not None:
        state = "met" if cycle.stop <= due else "breached"
    elif due < now:
        state = "breached"
    elif paused:
        state = "paused"
    else:
        state = "running"
    due_at = cal.from_us(due)
    return TargetStatus(
        name=track.name,
        state=state,
        within=str(rule.within),
        calendar=rule.calendar_name,
        start=cal.from_us(cycle.start),
        due=due_at,
        elapsed=timedelta(microseconds=used),
        remaining=timedelta(microseconds=total - used),
        paused_for=timedelta(microseconds=paused_us),
        breached_at=due_at if state == "breached" else None,
        stopped_at=None if cycle.stop is None else cal.from_us(cycle.stop),
        percent_used=None if total == 0 else round(100 * used / total, 2),
        cycle=cycle.number,
        breaches=tuple(breaches),
    )
