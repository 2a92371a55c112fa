"""Lint checks of calendars: unused calendars (SP106) and holiday data running out (SP107).

Official holiday data (the dates a government announces, with China's make-up working days)
covers the years published so far; ``Calendar.holiday_data_until`` is its last date. Later
dates use the statutory holidays the ``holidays`` package computes, without make-up days,
so a deadline past that date may be a day off. SP107 warns a year ahead and names the SLA
targets whose deadline, for a ticket opened at the start of ``today``, already falls after
the covered date.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .._calendar import Calendar, HolidayDataWarning
from .._errors import CalendarError
from .._policy import Policy
from .findings import Finding

__all__ = ["CALENDAR_CHECKS", "TargetPast", "holiday_data", "targets_past"]

#: SP107 warns when the official data ends within this many days of ``today``
_AHEAD = timedelta(days=365)
#: SP107 names at most this many targets (then "and N more")
_SHOWN = 8


def _unused_calendars(policy: Policy, today: date) -> Iterator[Finding]:
    """SP106: a calendar no SLA target counts working time on."""
    used = {t.calendar_name for s in policy.slas for ts in s.targets.values() for t in ts}
    for name in policy.calendars:
        if name not in used:
            yield Finding(
                "SP106",
                "warning",
                f"calendar {name!r} is not used by any SLA target",
                ("calendars", name),
            )


@dataclass(frozen=True, slots=True)
class TargetPast:
    """An SLA target due after the official holiday data ends, for a ticket opened today.

    ``due`` is None when the deadline lies beyond the dates calendars support at all.
    """

    sla: str
    priority: str
    metric: str
    within: str
    due: date | None

    def __str__(self) -> str:
        due = f"due {self.due}" if self.due is not None else "due after 2199"
        return f"{self.sla}/{self.priority} {self.metric} {self.within} ({due})"


def targets_past(policy: Policy, name: str, until: date, today: date) -> list[TargetPast]:
    """The targets on calendar ``name`` due after ``until`` for a ticket opened at the start
    of ``today`` (midnight in the calendar's zone), in the order the policy writes them.

    Counting past the official data is what the holiday warning warns about; here that is
    the point, so the warning is not raised again.
    """
    cal: Calendar = policy.calendars[name]
    start = cal.to_us(datetime(today.year, today.month, today.day))
    found: list[TargetPast] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)
        for sla in policy.slas:
            for priority, targets in sla.targets.items():
                for target in targets:
                    if target.calendar_name != name:
                        continue
                    try:
                        due: date | None = cal.from_us(cal.add_us(start, target.within)).date()
                    except CalendarError:  # beyond 2199: certainly past the data
                        due = None
                    if due is None or due > until:
                        found.append(
                            TargetPast(sla.rule.id, priority, target.name, target.within_text, due)
                        )
    return found


def holiday_data(policy: Policy, today: date) -> Iterator[Finding]:
    """SP107: official holiday data ending within a year; the targets that reach past it."""
    horizon = today + _AHEAD if today <= date.max - _AHEAD else date.max
    for name, cal in policy.calendars.items():
        until = cal.holiday_data_until
        if until is None or until >= horizon:
            continue
        if until < today:
            covered = (
                f"official holiday data ended {until}, before {today}: every deadline on it "
                "uses computed holidays"
            )
        else:
            past = targets_past(policy, name, until, today)
            shown = ", ".join(map(str, past[:_SHOWN]))
            if len(past) > _SHOWN:
                shown += f" and {len(past) - _SHOWN} more"
            reach = (
                f"targets due after it for a ticket opened that day: {shown}"
                if past
                else "no target of a ticket opened that day falls due after it yet"
            )
            covered = (
                f"official holiday data covers dates up to {until} (within 12 months of "
                f"{today}); {reach}. Later dates use computed holidays"
            )
        yield Finding(
            "SP107",
            "warning",
            f"calendar {name!r}: {covered} without make-up working days (add them under "
            "holidays.dates / workdays, or upgrade `holidays`)",
            ("calendars", name, "holidays", "country"),
        )


#: the checks of this module, in code order (each takes the policy and ``today``)
CALENDAR_CHECKS = (_unused_calendars, holiday_data)
