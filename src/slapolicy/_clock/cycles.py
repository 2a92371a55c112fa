"""Cycles of a metric and their arithmetic: due instants pushed by pauses, states, thresholds.

A metric is a list of :class:`Cycle`\\ s. A cycle's due instant is its plain deadline (its
target from its start), pushed later by exactly the working time paused before it was
reached; a pause that starts after the due instant changes nothing (the target was already
breached). Everything is the calendar's O(log n) arithmetic: nothing steps through time.

The replay (:mod:`.replay`) only records starts, stops and pauses; once it is over,
:meth:`Cycle.settle` works out each cycle's paused intervals and due instant once, and
everything reported (states, breaches, escalation thresholds) reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .._calendar import Calendar
from .._compile import AT_DUE, EscalationRule, TargetRule
from .._engine import threshold_us
from .results import TargetStatus, new_target_status

_ONE_US = timedelta(microseconds=1)

__all__ = [
    "Cycle",
    "Intervals",
    "is_breach",
    "measure",
    "merge",
    "pending_status",
    "percent_used",
    "shift",
    "status_of",
    "threshold_at",
]

#: pause intervals ``(start, end)`` in microseconds, sorted and disjoint
Intervals = list[tuple[int, int]]


@dataclass(slots=True)
class Cycle:
    """One cycle of a metric: from ``start`` to ``stop`` (None while it runs)."""

    number: int
    start: int
    #: the target it counts against (None while the decision gives the metric none)
    rule: TargetRule | None
    stop: int | None = None
    #: how it ended: "stop" (met or breached by its due) or "cancel"
    ended: str | None = None
    #: pauses of this cycle alone (the time between a stop and a resume)
    extra_pauses: tuple[tuple[int, int], ...] = ()
    #: ``add(start, rule.within)`` once known (the evaluation's due instant for a cycle
    #: starting with the clock, else computed on first use; reset when the rule changes)
    plain: int | None = None
    #: set by :meth:`settle`: the paused intervals inside the cycle, the working time of
    #: each, and the due instant
    paused: Intervals | tuple[()] = ()
    paused_work: tuple[int, ...] = ()
    due: int = 0

    def plain_due(self) -> int:
        """The due instant before pauses."""
        if self.plain is None:
            assert self.rule is not None
            self.plain = self.rule.calendar.add_us(self.start, self.rule.within)
        return self.plain

    def apply(self, rule: TargetRule | None) -> None:
        """Count this cycle against another target from now on."""
        if rule is not self.rule:
            self.rule = rule
            self.plain = None

    def due_at(self, pauses: Intervals, now: int) -> int:
        """The due instant with the pauses up to ``now`` counted (during the replay)."""
        assert self.rule is not None
        return shift(self.rule.calendar, self.plain_due(), self.intervals(pauses, now))

    def intervals(self, pauses: Intervals, now: int) -> Intervals:
        """The paused intervals inside the cycle, up to its stop (or ``now``)."""
        end = self.stop if self.stop is not None else now
        return merge(pauses, self.extra_pauses, self.start, end)

    def settle(self, pauses: Intervals, now: int) -> None:
        """Work out the paused intervals and the due instant once, at the end of the replay."""
        if not pauses and not self.extra_pauses:  # the common case: nothing paused it
            self.paused = ()
            self.due = self.plain_due()
            return
        self.paused = self.intervals(pauses, now)
        assert self.rule is not None
        cal = self.rule.calendar
        self.paused_work = tuple(cal.elapsed_us(a, b) for a, b in self.paused)
        self.due = shift(cal, self.plain_due(), self.paused, self.paused_work)


def merge(
    pauses: Sequence[tuple[int, int]], extra: Sequence[tuple[int, int]], start: int, end: int
) -> Intervals:
    """The intervals of ``pauses`` and ``extra`` inside ``[start, end]``, merged and sorted."""
    raw = sorted([*pauses, *extra]) if extra else pauses
    out: Intervals = []
    for a, b in raw:
        a, b = max(a, start), min(b, end)
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def shift(
    cal: Calendar,
    instant: int,
    paused: Sequence[tuple[int, int]],
    work: Sequence[int] = (),
) -> int:
    """Push ``instant`` later by the working time of every pause that began before it.

    ``work`` may give each pause's working time, already known (a settled cycle's).
    """
    for index, (a, b) in enumerate(paused):
        if a >= instant:
            break
        amount = work[index] if work else cal.elapsed_us(a, b)
        if amount:
            instant = cal.push_us(instant, amount)
    return instant


def threshold_at(cycle: Cycle, esc: EscalationRule, plain: int | None = None) -> int:
    """When the escalation's threshold is reached in a settled cycle (pauses counted).

    ``plain`` is the threshold before pauses, when the caller knows it.
    """
    rule = cycle.rule
    assert rule is not None
    if esc.form[0] == AT_DUE:  # the due instant itself, already worked out
        return cycle.due
    cal = rule.calendar
    if plain is None:
        plain = threshold_us(cal, cycle.start, cycle.plain_due(), esc, rule.fixed_us)
    return shift(cal, plain, cycle.paused, cycle.paused_work) if cycle.paused else plain


def working_time(cycle: Cycle) -> int:
    """The target's working time for a cycle: from its start to its plain due instant."""
    rule = cycle.rule
    assert rule is not None
    if rule.fixed_us is not None:  # add() is exact: elapsed(s, add(s, d)) == d
        return rule.fixed_us
    return rule.calendar.elapsed_us(cycle.start, cycle.plain_due())


def measure(cycle: Cycle, now: int, paused: bool) -> tuple[str, int, int, int]:
    """Where a settled cycle stands at ``now``: its state, the working time it used and its
    target's (pauses excluded), and the working time it was paused, in microseconds.

    One rule for the status (:func:`status_of`) and the review, which reads these numbers
    without making datetimes.
    """
    rule = cycle.rule
    assert rule is not None
    due = cycle.due
    end = cycle.stop if cycle.stop is not None else now
    paused_us = sum(cycle.paused_work)
    used = rule.calendar.elapsed_us(cycle.start, max(end, cycle.start)) - paused_us
    if cycle.ended == "cancel":
        state = "cancelled"
    elif cycle.stop is not None:
        state = "met" if cycle.stop <= due else "breached"
    elif due < now:
        state = "breached"
    elif paused:
        state = "paused"
    else:
        state = "running"
    return state, used, working_time(cycle), paused_us


def percent_used(used: int, total: int) -> float | None:
    """The share of the target a cycle used, in percent (None for a zero target)."""
    return None if total == 0 else round(100 * used / total, 2)


def status_of(
    name: str,
    cycle: Cycle,
    now: int,
    paused: bool,
    breaches: tuple[datetime, ...],
    stamp: Callable[[Calendar, int], datetime] | None = None,
) -> TargetStatus:
    """Where a settled cycle stands at ``now``.

    ``stamp(calendar, us)`` makes the datetimes (a caller may share them between metrics:
    several metrics of a ticket start, and stop, at the same instants).
    """
    rule = cycle.rule
    assert rule is not None
    cal = rule.calendar
    if stamp is None:
        stamp = _stamp
    state, used, total, paused_us = measure(cycle, now, paused)
    due_at = stamp(cal, cycle.due)
    return new_target_status(
        name=name,
        state=state,
        within=rule.within_text,
        calendar=rule.calendar_name,
        start=stamp(cal, cycle.start),
        due=due_at,
        # Speed trick: a timedelta times an int costs 0.15 us, timedelta(microseconds=)
        # 0.35 us
        elapsed=_ONE_US * used,
        remaining=_ONE_US * (total - used),
        paused_for=_ONE_US * paused_us,
        breached_at=due_at if state == "breached" else None,
        stopped_at=None if cycle.stop is None else stamp(cal, cycle.stop),
        percent_used=percent_used(used, total),
        cycle=cycle.number,
        breaches=breaches,
    )


def _stamp(cal: Calendar, us: int) -> datetime:
    return cal.from_us(us)


def is_breach(cycle: Cycle, now: int) -> bool:
    """True if a settled cycle was (or is) past its due instant while it counted."""
    # (a cancelled cycle counts neither as met nor as breached, but a breach before its
    # cancellation stays in the record: a breach is never undone)
    end = cycle.stop if cycle.stop is not None else now
    return cycle.due < end


def pending_status(name: str, rule: TargetRule) -> TargetStatus:
    """A metric whose start has not happened: no cycle, no due instant."""
    return TargetStatus(
        name=name,
        state="pending",
        within=rule.within_text,
        calendar=rule.calendar_name,
        start=None,
        due=None,
        elapsed=timedelta(0),
        remaining=None,
        paused_for=timedelta(0),
        breached_at=None,
        stopped_at=None,
        percent_used=None,
        cycle=0,
    )
