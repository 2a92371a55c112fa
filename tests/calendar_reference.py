"""A brute-force reference for calendar arithmetic, written from docs/deadlines.md alone.

It shares no code with ``slapolicy._calendar``: it reads the spec mapping itself, lists the
windows of every local date as UTC intervals (with :mod:`zoneinfo` and the DST rule of the
docs), and answers ``elapsed`` by summing overlaps and ``add`` by walking the windows in time
order. It is meant to be obviously right, not fast; use it on spans of days or weeks.

Not supported: ``holidays.country`` (the country data is cross-checked elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

UTC = timezone.utc
DAY = timedelta(days=1)
_ABBR = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CLOCK = re.compile(r"(\d\d):(\d\d)(?::(\d\d))?")
#: how far ``add`` and ``next_working`` look before giving up (the reference is slow)
HORIZON_DAYS = 800


class Unanswerable(Exception):
    """The reference cannot answer: too far away, or docs/deadlines.md is ambiguous here."""


@dataclass(frozen=True)
class Window:
    """One window as real time: owned by ``owner`` (the local date it starts on)."""

    owner: date
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive


def _weekday(name: str) -> int:
    name = name.strip().lower()
    if name in _ABBR:
        return _ABBR.index(name)
    return _FULL.index(name)


def _days_of_key(key: str) -> list[int]:
    """``mon-fri`` / ``fri-mon`` / ``sat,sun`` / ``monday`` -> weekday numbers."""
    days: list[int] = []
    for part in key.split(","):
        if "-" in part:
            first, last = (_weekday(p) for p in part.split("-"))
            day = first
            days.append(day)
            while day != last:
                day = (day + 1) % 7
                days.append(day)
        else:
            days.append(_weekday(part))
    return days


def _clock(text: str) -> int:
    match = _CLOCK.fullmatch(text.strip())
    assert match, text
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _window(text: str) -> tuple[int, int]:
    """``"22:00-06:00"`` -> (start, end) in seconds after the own date's midnight."""
    first, last = text.split("-")
    start, end = _clock(first), _clock(last)
    if end == start:
        raise ValueError(f"window {text!r} is empty (docs: its end equals its start)")
    if end < start:  # "end before start": crosses midnight (24:00 = 86400 never does)
        end += 86_400
    return start, end


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _dates(entry: Any) -> list[date]:
    """A holiday/workday entry -> the dates it names."""
    if isinstance(entry, Mapping):
        entry = entry["date"]
    if isinstance(entry, str) and ".." in entry:
        first, last = (date.fromisoformat(p) for p in entry.split(".."))
        return [first + timedelta(days=k) for k in range((last - first).days + 1)]
    return [_date(entry)]


class ReferenceCalendar:
    """docs/deadlines.md, executed literally."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.zone = ZoneInfo(spec["timezone"])
        hours = spec["hours"]
        self.weekly: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        if hours == "always":
            self.weekly = [[(0, 86_400)] for _ in range(7)]
        else:
            for key, windows in hours.items():
                for day in _days_of_key(key):
                    self.weekly[day] = [_window(w) for w in windows]
        self.workday_hours = [_window(w) for w in spec.get("workday_hours", [])] or list(
            self.weekly[0]
        )
        holidays = spec.get("holidays") or {}
        if holidays.get("country"):
            raise Unanswerable("the reference does not know country holidays")
        self.closed = {d for entry in holidays.get("dates", []) for d in _dates(entry)}
        self.workdays: dict[date, list[tuple[int, int]]] = {}
        for entry in spec.get("workdays", []):
            own = entry.get("hours") if isinstance(entry, Mapping) else None
            for day in _dates(entry):
                self.workdays[day] = (
                    [_window(w) for w in own] if own is not None else self.workday_hours
                )
        self._cache: dict[date, list[Window]] = {}

    # ---------------------------------------------------------------- wall time -> instants

    def local(self, t: datetime) -> datetime:
        """The wall clock (naive) at instant ``t``."""
        return t.astimezone(self.zone).replace(tzinfo=None)

    def _showing(self, wall: datetime) -> list[datetime]:
        """Every UTC instant at which the wall clock shows ``wall`` (0, 1 or 2 of them)."""
        found = set()
        for fold in (0, 1):
            t = wall.replace(tzinfo=self.zone, fold=fold).astimezone(UTC)
            if self.local(t) == wall:
                found.add(t)
        return sorted(found)

    def _jump(self, wall: datetime) -> datetime:
        """``wall`` was skipped: the instant of the jump (the first one showing a later time)."""
        a = wall.replace(tzinfo=self.zone, fold=0).astimezone(UTC)
        b = wall.replace(tzinfo=self.zone, fold=1).astimezone(UTC)
        lo, hi = min(a, b), max(a, b)
        assert self.local(lo) < wall < self.local(hi), (wall, lo, hi)
        while hi - lo > timedelta(microseconds=1):  # local(lo) < wall < local(hi)
            mid = lo + (hi - lo) // 2
            if self.local(mid) < wall:
                lo = mid
            else:
                hi = mid
        return hi

    def first_instant(self, wall: datetime) -> datetime:
        """A window starts at the first instant the clock shows its start (or the jump)."""
        shown = self._showing(wall)
        return shown[0] if shown else self._jump(wall)

    def last_instant(self, wall: datetime) -> datetime:
        """A window ends at the last instant the clock shows its end (or the jump)."""
        shown = self._showing(wall)
        return shown[-1] if shown else self._jump(wall)

    def read(self, wall: datetime) -> datetime:
        """A naive input (PEP 495, fold=0): skipped times move forward, repeated ones are first."""
        return wall.replace(tzinfo=self.zone, fold=0).astimezone(UTC)

    # ---------------------------------------------------------------- windows

    def hours_of(self, day: date) -> list[tuple[int, int]]:
        """Which rule decides a date's hours (no country data)."""
        if day in self.closed:
            return []
        if day in self.workdays:
            return self.workdays[day]
        return self.weekly[day.weekday()]

    def windows_of(self, day: date) -> list[Window]:
        if day not in self._cache:
            midnight = datetime.combine(day, time())
            self._cache[day] = [
                Window(
                    day,
                    self.first_instant(midnight + timedelta(seconds=start)),
                    self.last_instant(midnight + timedelta(seconds=end)),
                )
                for start, end in self.hours_of(day)
            ]
        return self._cache[day]

    def windows_between(self, first: date, last: date) -> list[Window]:
        out: list[Window] = []
        day = first
        while day <= last:
            out.extend(self.windows_of(day))
            day += DAY
        return sorted(out, key=lambda w: (w.start, w.end))

    def _dates_around(self, a: datetime, b: datetime) -> tuple[date, date]:
        """Local dates whose windows can touch [a, b] (a window starts on its date, < 48h)."""
        return self.local(a).date() - 2 * DAY, self.local(b).date() + 2 * DAY

    @staticmethod
    def _union(windows: list[Window]) -> list[tuple[datetime, datetime]]:
        merged: list[tuple[datetime, datetime]] = []
        for w in windows:
            if w.end <= w.start:
                continue
            if merged and w.start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], w.end))
            else:
                merged.append((w.start, w.end))
        return merged

    def _forward(self, t: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working time (merged intervals) after ``t``, in order, up to the horizon."""
        first, last = self._dates_around(t, t)
        step = 16
        while True:
            windows = self.windows_between(first, last + step * DAY)
            # no date not fetched yet has a window starting before `safe`: working time
            # before it is final (yielded in pieces from the cursor `t`, clipped at `safe`)
            safe = self.first_instant(datetime.combine(last + step * DAY - DAY, time()))
            for start, end in self._union(windows):
                if end > t and start < safe:
                    piece = (max(start, t), min(end, safe))
                    yield piece
                    t = piece[1]
            if step > HORIZON_DAYS:
                raise Unanswerable("no answer within the horizon")
            step *= 2

    # ---------------------------------------------------------------- the operations

    def is_working(self, t: datetime) -> bool:
        t = t.astimezone(UTC)
        first, last = self._dates_around(t, t)
        return any(w.start <= t < w.end for w in self.windows_between(first, last))

    def next_working(self, t: datetime) -> datetime:
        t = t.astimezone(UTC)
        for start, _ in self._forward(t):
            return max(start, t)
        raise AssertionError("unreachable")

    def elapsed(self, a: datetime, b: datetime) -> timedelta:
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        if b < a:
            return -self.elapsed(b, a)
        first, last = self._dates_around(a, b)
        total = timedelta(0)
        for start, end in self._union(self.windows_between(first, last)):
            overlap = min(end, b) - max(start, a)
            if overlap > timedelta(0):
                total += overlap
        return total

    def add_time(self, s: datetime, duration: timedelta) -> datetime:
        """The earliest t >= next_working(s) with elapsed(s, t) == duration."""
        s = s.astimezone(UTC)
        if duration == timedelta(0):
            return self.next_working(s)
        left = duration
        for start, end in self._forward(s):
            begin = max(start, s)
            if left <= end - begin:
                return begin + left
            left -= end - begin
        raise AssertionError("unreachable")

    def owner_of(self, t: datetime) -> date:
        """The date whose window contains ``t`` (ambiguous if windows of two dates do)."""
        t = t.astimezone(UTC)
        first, last = self._dates_around(t, t)
        owners = {w.owner for w in self.windows_between(first, last) if w.start <= t < w.end}
        if len(owners) != 1:
            raise Unanswerable(f"{t} is in windows of {len(owners)} dates")
        return owners.pop()

    def is_working_day(self, day: date) -> bool:
        windows = self.windows_of(day)
        if windows and all(w.end <= w.start for w in windows):
            raise Unanswerable(f"{day}'s windows all fall in a skipped hour")
        return bool(windows)

    def add_days(self, s: datetime, days: int) -> datetime:
        """Working days, per docs/deadlines.md."""
        s1 = self.next_working(s)
        if days == 0:
            return s1
        owner = self.owner_of(s1)
        wall = self.local(s1) - datetime.combine(owner, time())  # may exceed 24h (night shift)
        day, count = owner, 0
        while count < days:
            day += DAY
            if (day - owner).days > HORIZON_DAYS:
                raise Unanswerable("no working day within the horizon")
            if self.is_working_day(day):
                count += 1
        target = self.read(datetime.combine(day, time()) + wall)
        own = sorted(self.windows_of(day), key=lambda w: w.start)
        if any(w.end <= w.start for w in own):
            raise Unanswerable(f"a window of {day} falls in a skipped hour: first opening?")
        if target < own[0].start:
            return own[0].start
        first, last = self._dates_around(target, target)
        nearby = self.windows_between(first, last)
        if any(w.start <= target < w.end for w in nearby):
            return target
        return max(w.end for w in nearby if w.end <= target)

    def add(self, s: datetime, days: int, clock: timedelta) -> datetime:
        """``NdHhMmSs``: the days first, then the clock part."""
        if days:
            s = self.add_days(s, days)
            if not clock:
                return s  # "1d" (= "1d0h") may be a closing time; no wait for an opening
        return self.add_time(s, clock)
