"""Business calendars: working windows in a time zone, and exact working-time arithmetic.

How it works: the weekly hours, dated overrides and holidays are turned, for a span of
dates, into a sorted list of working windows as UTC instants (integer microseconds) with
the cumulative working time before each window. ``elapsed`` is then two binary searches and
``add`` one more, so a two-year deadline costs the same as a two-hour one. The span grows on
demand (by doubling) and is bounded to local dates 1901-01-01..2199-12-31, so a calendar that
never opens again raises :class:`CalendarError` instead of looping.

The exact semantics (closing-time boundary, working days, DST) are in docs/deadlines.md.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
import threading
import warnings
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, Final

import pendulum

from .country_holidays import CountryHolidays
from .durations import Duration
from .errors import CalendarError

__all__ = ["Calendar", "HolidayDataWarning"]

_US: Final = 1_000_000
_DAY_S: Final = 86_400
_DAY_US: Final = _DAY_S * _US
_ONE_US: Final = timedelta(microseconds=1)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_NAIVE: Final = datetime(1970, 1, 1)
_MIN_DATE: Final = date(1901, 1, 1)
_MAX_DATE: Final = date(2199, 12, 31)
_MIN_ORD: Final = _MIN_DATE.toordinal()
_MAX_ORD: Final = _MAX_DATE.toordinal()
_GROW_DAYS: Final = 366
_MAX_TEXT: Final = 80

_DAY_NAMES: Final = {
    **{n: i for i, n in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{
        n: i
        for i, n in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    **{f"周{c}": i for i, c in enumerate("一二三四五六日")},
    **{f"星期{c}": i for i, c in enumerate("一二三四五六日")},
    "周天": 6,
    "星期天": 6,
}
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_WINDOW_RE: Final = re.compile(rf"\s*{_TIME}\s*-\s*{_TIME}\s*")
_DATE_RE: Final = re.compile(r"\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.\s*(\d{4}-\d{2}-\d{2})\s*)?")
_SPEC_KEYS: Final = ("timezone", "hours", "holidays", "workdays", "workday_hours")
_HOLIDAY_KEYS: Final = ("country", "subdivision", "dates")

Path = tuple[str | int, ...]
Window = tuple[int, int]  # seconds from the owning date's local midnight; end may pass 86400


class HolidayDataWarning(UserWarning):
    """Official holiday data does not cover a year the calendar was asked about."""


# --------------------------------------------------------------------------- spec parsing


def _parse_time(h: str, m: str, s: str | None, *, is_end: bool) -> int | None:
    hours, minutes, seconds = int(h), int(m), int(s or 0)
    if minutes > 59 or seconds > 59:
        return None
    if hours == 24 and is_end and minutes == 0 and seconds == 0:
        return _DAY_S
    if hours > 23:
        return None
    return hours * 3600 + minutes * 60 + seconds


def _parse_window(text: object) -> Window:
    if not isinstance(text, str):
        raise ValueError(f"a window must be a string like '09:00-12:00', not {text!r}")
    shown = text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "..."
    match = _WINDOW_RE.fullmatch(text) if len(text) <= _MAX_TEXT else None
    if not match:
        raise ValueError(f"invalid window {shown!r}; write it like '09:00-12:00'")
    start = _parse_time(*match.group(1, 2, 3), is_end=False)
    end = _parse_time(*match.group(4, 5, 6), is_end=True)
    if start is None or end is None:
        raise ValueError(
            f"invalid time in window {shown!r}; hours are 00-23 (24:00 may end a window), "
            "minutes and seconds 00-59"
        )
    if end == start:
        raise ValueError(f"window {shown!r} is empty; for a whole day write '00:00-24:00'")
    if end < start:  # crosses midnight
        end += _DAY_S
    return (start, end)


def _check_no_overlap(windows: Sequence[Window], spill: Sequence[Window] = ()) -> str | None:
    ordered = sorted([*spill, *windows])
    for (s1, e1), (s2, e2) in itertools.pairwise(ordered):
        if s2 < e1:
            return f"windows {_show(s1, e1)} and {_show(s2, e2)} overlap"
    return None


def _show(start: int, end: int) -> str:
    def hhmm(sec: int) -> str:
        if sec != _DAY_S:
            sec %= _DAY_S
        h, rest = divmod(sec, 3600)
        m, s = divmod(rest, 60)
        return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")

    return f"'{hhmm(start)}-{hhmm(end)}'"


def _parse_windows(value: object, path: Path, issues: list[tuple[Path, str]]) -> list[Window]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        issues.append((path, f"expected a list of windows like ['09:00-12:00'], got {value!r}"))
        return []
    out: list[Window] = []
    for i, text in enumerate(value):
        try:
            out.append(_parse_window(text))
        except ValueError as exc:
            issues.append(((*path, i), str(exc)))
    problem = _check_no_overlap(out)
    if problem:
        issues.append((path, problem))
        return []
    return sorted(out)


def _parse_day_key(key: object) -> list[int]:
    if not isinstance(key, str):
        raise ValueError(f"invalid day {key!r}; use mon, tue, ..., sun, a range like mon-fri")
    days: list[int] = []
    for part in key.replace("，", ",").split(","):
        part = part.strip().lower()
        if "-" in part or "~" in part or "至" in part:
            a, b = re.split(r"\s*[-~至]\s*", part, maxsplit=1)
            if a not in _DAY_NAMES or b not in _DAY_NAMES:
                raise ValueError(f"invalid day range {part!r}; write it like 'mon-fri'")
            i, j = _DAY_NAMES[a], _DAY_NAMES[b]
            days.extend((i + k) % 7 for k in range((j - i) % 7 + 1))
        elif part in _DAY_NAMES:
            days.append(_DAY_NAMES[part])
        else:
            hint = difflib.get_close_matches(part, list(_DAY_NAMES), n=1)
            fix = f"; did you mean {hint[0]!r}?" if hint else "; use mon, tue, ..., sun"
            raise ValueError(f"invalid day {part!r}{fix}")
    return days


def _parse_date(value: object) -> tuple[date, date]:
    """A date or a range ``A..B`` (inclusive) as (first, last)."""
    if isinstance(value, datetime):
        raise ValueError(f"expected a date, got a date and time {value.isoformat()!r}")
    if isinstance(value, date):
        if not _MIN_DATE <= value <= _MAX_DATE:
            raise ValueError(f"date {value.isoformat()!r} is outside 1901-01-01..2199-12-31")
        return value, value
    if isinstance(value, str) and len(value) <= _MAX_TEXT:
        match = _DATE_RE.fullmatch(value)
        if match:
            try:
                first = date.fromisoformat(match.group(1))
                last = date.fromisoformat(match.group(2)) if match.group(2) else first
            except ValueError as exc:
                raise ValueError(f"invalid date in {value!r}: {exc}") from None
            if last < first:
                raise ValueError(f"date range {value!r} ends before it starts")
            if first < _MIN_DATE or last > _MAX_DATE:
                raise ValueError(f"date {value!r} is outside 1901-01-01..2199-12-31")
            return first, last
    raise ValueError(f"invalid date {value!r}; write YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD")


def _unknown_keys(
    mapping: Mapping[Any, Any], known: Sequence[str], path: Path, issues: list[tuple[Path, str]]
) -> None:
    for key in mapping:
        if key not in known:
            hint = difflib.get_close_matches(str(key), known, n=1)
            fix = f"; did you mean {hint[0]!r}?" if hint else f"; known keys: {', '.join(known)}"
            issues.append(((*path, str(key)), f"unknown key {key!r}{fix}"))


def _resolve_timezone(name: object) -> tzinfo:
    if not isinstance(name, str) or not name or len(name) > _MAX_TEXT:
        raise ValueError(f"invalid time zone {name!r}; use an IANA name like 'Asia/Shanghai'")
    try:
        # a plain ZoneInfo: pendulum's subclass of it is about twice as slow in arithmetic
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name like 'Asia/Shanghai'"
        ) from None


# --------------------------------------------------------------------------- the span


@dataclass(frozen=True, slots=True)
class _Span:
    """Working windows of the dates ``lo <= ordinal < hi`` as instants (microseconds)."""

    lo: int
    hi: int
    valid_lo: int  # instants in [valid_lo, valid_hi] are answered exactly
    valid_hi: int
    starts: list[int]
    ends: list[int]
    cum: list[int]  # working time before window i (relative to the span)
    cum_end: list[int]  # cum[i] + length of window i
    owners: list[int]  # date ordinal owning window i
    workdays: list[int]  # sorted ordinals of dates owning a window
    first_open: dict[int, int]  # ordinal -> start of its first window
    total: int  # working time of the whole span (cum_end[-1], 0 when it has no window)

    def cum_at(self, t: int) -> int:
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(t, self.ends[i]) - self.starts[i]


class Calendar:
    """Working windows in a time zone, with exact working-time arithmetic.

    Build one with :meth:`from_spec`. Instances are immutable in meaning, thread-safe and
    picklable; the precomputed windows are a cache that grows as dates are asked about.
    """

    def __init__(
        self,
        *,
        timezone: tzinfo,
        weekly: Sequence[Sequence[Window]],
        workday_hours: Sequence[Window],
        closed: Mapping[date, str],
        extra: Mapping[date, Sequence[Window]],
        country: CountryHolidays | None = None,
        name: str | None = None,
        spec: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.timezone = timezone
        self._weekly = tuple(tuple(w) for w in weekly)
        self._workday_hours = tuple(workday_hours)
        self._closed = dict(closed)
        self._extra = {d: tuple(w) for d, w in extra.items()}
        self._country = country
        self._spec = spec
        self._lock = threading.Lock()
        self._span: _Span | None = None
        self._warned: set[int] = set()
        if not any(self._weekly) and not any(self._extra.values()):
            message = "no working time: give `hours` for some days, or `hours: always`"
            raise CalendarError(
                f"calendar{_named(name)} has {message}", issues=[(("hours",), message)]
            )
        #: instants of local dates 1901-01-01..2199-12-31 in this zone
        self._min_us = self._local_us(_MIN_ORD, 0, latest=False)
        self._max_us = self._local_us(_MAX_ORD + 1, 0, latest=False)
        self._covered_us = (self._min_us, self._max_us)
        if country is not None:
            first = max(country.first_year, _MIN_DATE.year)
            last = min(country.announced_until or country.last_year, _MAX_DATE.year - 1)
            self._covered_us = (
                self._local_us(date(first, 1, 1).toordinal(), 0, latest=False),
                self._local_us(date(last + 1, 1, 1).toordinal(), 0, latest=False),
            )
        #: no date after this ordinal can have working time (None: unbounded)
        self._last_working = (
            None if any(self._weekly) else max(d.toordinal() for d, w in self._extra.items() if w)
        )

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_spec(
        cls,
        spec: Mapping[str, Any],
        *,
        name: str | None = None,
        default_timezone: str | None = None,
    ) -> Calendar:
        """Build a calendar from the mapping a policy file has under ``calendars:``.

        Raises :class:`CalendarError` listing every problem of the spec (``issues``).
        """
        if not isinstance(spec, Mapping):
            raise CalendarError(f"calendar{_named(name)} must be a mapping, got {spec!r}")
        issues: list[tuple[Path, str]] = []
        _unknown_keys(spec, _SPEC_KEYS, (), issues)

        tz: tzinfo = timezone.utc
        tz_name = spec.get("timezone", default_timezone)
        if tz_name is None:
            issues.append((("timezone",), "a calendar needs a `timezone`, e.g. Asia/Shanghai"))
        else:
            try:
                tz = _resolve_timezone(tz_name)
            except ValueError as exc:
                issues.append((("timezone",), str(exc)))

        weekly: list[list[Window]] = [[] for _ in range(7)]
        hours = spec.get("hours")
        if hours == "always":
            weekly = [[(0, _DAY_S)] for _ in range(7)]
        elif isinstance(hours, Mapping):
            seen: dict[int, str] = {}
            for key, value in hours.items():
                path: Path = ("hours", str(key))
                try:
                    days = _parse_day_key(key)
                except ValueError as exc:
                    issues.append((path, str(exc)))
                    continue
                windows = _parse_windows(value, path, issues)
                for day in days:
                    if day in seen:
                        issues.append(
                            (
                                path,
                                f"duplicate day {key!r}: {_WEEKDAYS[day]} is already given by "
                                f"{seen[day]!r}",
                            )
                        )
                    seen[day] = str(key)
                    weekly[day] = windows
            for day in range(7):
                spill = [(0, e - _DAY_S) for s, e in weekly[day - 1] if e > _DAY_S]
                problem = _check_no_overlap(weekly[day], spill) if spill else None
                if problem:
                    where: Path = ("hours", seen[day]) if day in seen else ("hours",)
                    issues.append((where, f"on {_WEEKDAYS[day]}: {problem} (night shift)"))
        elif hours is not None:
            issues.append(
                (
                    ("hours",),
                    "`hours` must be a mapping like {mon-fri: ['09:00-18:00']} or 'always'",
                )
            )

        if "workday_hours" in spec:
            workday_hours = _parse_windows(spec["workday_hours"], ("workday_hours",), issues)
        else:
            workday_hours = weekly[0]

        closed: dict[date, str] = {}
        country: CountryHolidays | None = None
        holidays_spec = spec.get("holidays")
        if holidays_spec is not None:
            if not isinstance(holidays_spec, Mapping):
                issues.append(
                    (("holidays",), "`holidays` must be a mapping with `country` and/or `dates`")
                )
            else:
                _unknown_keys(holidays_spec, _HOLIDAY_KEYS, ("holidays",), issues)
                if holidays_spec.get("country") is not None:
                    try:
                        country = CountryHolidays(
                            holidays_spec["country"], holidays_spec.get("subdivision")
                        )
                    except CalendarError as exc:  # issues name country or subdivision
                        issues.extend((("holidays", *where), m) for where, m in exc.issues)
                for i, entry in _iter_list(
                    holidays_spec.get("dates"), ("holidays", "dates"), issues
                ):
                    path = ("holidays", "dates", i)
                    try:
                        first, last, label, _ = _parse_dated(entry, ("date", "name"))
                    except ValueError as exc:
                        issues.append(((*path, *getattr(exc, "where", ())), str(exc)))
                        continue
                    for d in _days(first, last):
                        closed[d] = label or "holiday"

        extra: dict[date, list[Window]] = {}
        for i, entry in _iter_list(spec.get("workdays"), ("workdays",), issues):
            path = ("workdays", i)
            try:
                first, last, _, own_hours = _parse_dated(entry, ("date", "name", "hours"))
            except ValueError as exc:
                issues.append(((*path, *getattr(exc, "where", ())), str(exc)))
                continue
            if own_hours is not None:
                windows = _parse_windows(own_hours, (*path, "hours"), issues)
            elif workday_hours:
                windows = list(workday_hours)
            else:
                issues.append(
                    (
                        path,
                        "this workday has no hours: give it `hours`, or give the "
                        "calendar `workday_hours` (or Monday hours)",
                    )
                )
                continue
            for d in _days(first, last):
                if d in closed:
                    issues.append((path, f"{d} is both a holiday and a workday"))
                extra[d] = windows

        if issues:
            lines = "; ".join(f"{_fmt(p)}: {m}" if p else m for p, m in issues)
            raise CalendarError(f"invalid calendar{_named(name)}: {lines}", issues=issues)
        return cls(
            timezone=tz,
            weekly=weekly,
            workday_hours=workday_hours,
            closed=closed,
            extra=extra,
            country=country,
            name=name,
            spec=spec,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        if self._spec is None:
            raise TypeError("only calendars built with Calendar.from_spec can be pickled")
        return (_rebuild, (dict(self._spec), self.name))

    def __repr__(self) -> str:
        return f"<Calendar{_named(self.name)} {self.timezone}>"

    # ------------------------------------------------------------------ public operations

    def is_working(self, t: datetime | str) -> bool:
        """True if ``t`` lies inside a working window (start inclusive, end exclusive)."""
        us = self.to_us(t)
        self._check_coverage(us)
        span = self._span_for(us)
        i = bisect.bisect_right(span.starts, us) - 1
        return i >= 0 and us < span.ends[i]

    def next_working(self, t: datetime | str) -> datetime:
        """``t`` itself if it is working time, else the start of the next window."""
        return self.from_us(self.next_working_us(self.to_us(t)))

    def elapsed(self, start: datetime | str, end: datetime | str) -> timedelta:
        """Working time in ``[start, end)``; negative if ``end`` is before ``start``."""
        return timedelta(microseconds=self.elapsed_us(self.to_us(start), self.to_us(end)))

    def add(self, start: datetime | str, duration: Duration | timedelta | str) -> datetime:
        """The deadline ``duration`` of working time after ``start`` (docs/deadlines.md)."""
        d = duration if type(duration) is Duration else Duration.of(duration)
        return self.from_us(self.add_us(self.to_us(start), d))

    def holiday_name(self, day: date) -> str | None:
        """Why ``day`` is closed (its holiday name), or None if it is not a holiday."""
        if day in self._closed:
            return self._closed[day]
        if day in self._extra:
            return None
        if self._country is not None:
            return self._country.holiday_name(day)
        return None

    def windows(self, first: date, last: date) -> list[tuple[datetime, datetime]]:
        """The working windows owned by the dates ``first..last``, as aware datetimes."""
        lo, hi = first.toordinal(), last.toordinal() + 1
        span = self._ensure(lo, hi)
        i = bisect.bisect_left(span.owners, lo)
        j = bisect.bisect_left(span.owners, hi)
        return [(self.from_us(span.starts[k]), self.from_us(span.ends[k])) for k in range(i, j)]

    @property
    def holiday_data_until(self) -> date | None:
        """Last date with official country holiday data (None: no country, or unbounded)."""
        if self._country is None:
            return None
        last = self._country.announced_until or self._country.last_year
        return date(last, 12, 31)

    # ------------------------------------------------------------------ microsecond core
    # The engine and the SLA clock use these to avoid converting datetimes back and forth.

    def to_us(self, value: datetime | str) -> int:
        """An instant as integer microseconds since the epoch; naive values are local."""
        if isinstance(value, str):
            value = _parse_instant(value)
        if isinstance(value, datetime):
            try:
                try:
                    us = _datetime_sub(value, _EPOCH) // _ONE_US
                except TypeError:  # naive: read it in the calendar's zone
                    value = value.replace(tzinfo=self.timezone)
                    us = _datetime_sub(value, _EPOCH) // _ONE_US
            except (ValueError, OverflowError) as exc:  # e.g. a +24:00 offset, year 9999
                raise CalendarError(f"invalid date and time: {exc}") from None
        elif isinstance(value, date):
            raise CalendarError(f"expected a date and time, got only a date {value.isoformat()!r}")
        else:
            raise CalendarError(
                f"expected a datetime or an ISO-8601 string, got {type(value).__name__}"
            )
        if not self._min_us <= us < self._max_us:
            raise CalendarError(
                f"instant {value!s} is beyond the supported range (1901-01-01 to 2199-12-31)"
            )
        return us

    def from_us(self, us: int) -> datetime:
        """An aware datetime in the calendar's zone for integer microseconds."""
        seconds, micro = divmod(us, _US)
        dt = datetime.fromtimestamp(seconds, self.timezone)
        return dt.replace(microsecond=micro) if micro else dt

    def next_working_us(self, us: int) -> int:
        """Microsecond form of :meth:`next_working`."""
        t = self._opening(us)[2]
        lo, hi = self._covered_us
        return t if lo <= t < hi else self._check_coverage(t)

    def _opening(self, us: int) -> tuple[_Span, int, int]:
        """``(span, i, t)``: ``t`` is the first working instant from ``us``, in window ``i``."""
        while True:
            span = self._span_for(us)
            starts = span.starts
            i = bisect.bisect_right(starts, us) - 1
            if i >= 0 and us < span.ends[i]:
                return span, i, us
            if i + 1 < len(starts):
                return span, i + 1, starts[i + 1]
            self._grow_forward(span)

    def elapsed_us(self, a: int, b: int) -> int:
        """Microsecond form of :meth:`elapsed`."""
        if a > b:
            return -self.elapsed_us(b, a)
        span = self._span_for(a)
        if b > span.valid_hi:
            span = self._ensure_instant(b)
        self._check_coverage(a)
        self._check_coverage(b)
        return span.cum_at(b) - span.cum_at(a)

    def add_us(self, start: int, duration: Duration) -> int:
        """Microsecond form of :meth:`add`."""
        if not duration.days and duration.time_us:
            # from a closed instant, counting working time already waits for the opening
            return self.push_us(start, duration.time_us)
        return self.deadlines_us(start, (duration,))[0]

    def deadlines_us(self, start: int, durations: Sequence[Duration]) -> list[int]:
        """``[add_us(start, d) for d in durations]``, sharing the work on the start.

        A ticket's targets and escalations all count from one start, so its opening, its
        place in the cumulative working time and its wall-clock time are found once.
        """
        span, i, t0 = self._opening(start)
        lo, hi = self._covered_us
        if not lo <= t0 < hi:
            self._check_coverage(t0)
        starts, cum = span.starts, span.cum
        w0 = cum[i] + t0 - starts[i]  # working time before t0, relative to the span
        owner = span.owners[i]
        local: datetime | None = None
        out: list[int] = []
        for duration in durations:
            amount = duration.time_us
            if duration.days:
                if local is None:
                    local = self.from_us(t0)
                t = self._add_days(span, duration.days, owner, local)
                if amount:
                    t = self._add_time(t, amount)
            elif not amount:
                t = t0
            elif w0 + amount <= span.total:
                target = w0 + amount
                j = bisect.bisect_left(span.cum_end, target)
                t = starts[j] + target - cum[j]
            else:
                t = self._add_time(t0, amount)
            out.append(t if lo <= t < hi else self._check_coverage(t))
        return out

    def _check_coverage(self, us: int) -> int:
        """Warn (once per year) when an answer relies on unofficial holiday data."""
        lo, hi = self._covered_us
        if lo <= us < hi:
            return us
        if not self._min_us <= us < self._max_us:
            raise CalendarError(
                "the answer lies beyond the supported range (1901-01-01 to 2199-12-31)"
            )
        if self._country is None:
            return us
        year = self.from_us(us).year
        if year not in self._warned:
            self._warned.add(year)
            warnings.warn(
                f"calendar{_named(self.name)}: official {self._country.country} holiday data "
                f"does not cover {year}; using the statutory dates the holidays package "
                "computes, without make-up working days (docs/deadlines.md)",
                HolidayDataWarning,
                stacklevel=3,
            )
        return us

    # ------------------------------------------------------------------ internals

    def push_us(self, instant: int, amount: int) -> int:
        """The earliest instant with ``amount`` microseconds of working time after ``instant``.

        Unlike :meth:`add_us`, ``amount == 0`` gives ``instant`` itself (not the next
        opening): used to move a due instant later by paused working time.
        """
        if amount <= 0:
            return instant
        span = self._span
        if span is not None and span.valid_lo <= instant < span.valid_hi:
            # the hot path of _add_time, inlined: two binary searches in the current span
            starts = span.starts
            i = bisect.bisect_right(starts, instant) - 1
            if i < 0:
                target = amount
            elif instant < span.ends[i]:
                target = span.cum[i] + instant - starts[i] + amount
            else:
                target = span.cum_end[i] + amount
            if target <= span.total:
                j = bisect.bisect_left(span.cum_end, target)
                due = starts[j] + target - span.cum[j]
                lo, hi = self._covered_us
                return due if lo <= due < hi else self._check_coverage(due)
        return self._check_coverage(self._add_time(instant, amount))

    def _add_time(self, start: int, amount: int) -> int:
        """Earliest instant with ``amount`` microseconds of working time after ``start``."""
        while True:
            span = self._span_for(start)
            target = span.cum_at(start) + amount
            if target <= span.total and span.cum_end:
                i = bisect.bisect_left(span.cum_end, target)
                return span.starts[i] + target - span.cum[i]
            self._grow_forward(span)

    def _add_days(self, span: _Span, days: int, owner: int, local: datetime) -> int:
        """``days`` working days after a working instant, given as ``local`` (a datetime in
        the calendar's zone) in a window owned by the date ordinal ``owner`` of ``span``."""
        while True:
            k = bisect.bisect_right(span.workdays, owner) + days - 1
            if k < len(span.workdays):
                break
            span = self._grow_forward(span)
        target_day = span.workdays[k]
        # the same wall-clock time on that day, read as PEP 495 does: a time skipped by a DST
        # jump lands as many minutes after the jump (02:30 -> 03:30), an ambiguous one on its
        # first occurrence (as pendulum and java.time add days). Adding days to an aware
        # datetime moves its wall clock and leaves fold at 0, which gives exactly that.
        wall = local + timedelta(days=target_day - owner)
        want = _datetime_sub(wall, _EPOCH) // _ONE_US
        if not span.valid_lo <= want < span.valid_hi:
            span = self._ensure_instant(want)
        first = span.first_open[target_day]
        if want < first:
            return first
        j = bisect.bisect_right(span.starts, want) - 1
        if want < span.ends[j]:
            return want
        return span.ends[j]

    def _span_for(self, us: int) -> _Span:
        span = self._span
        if span is not None and span.valid_lo <= us < span.valid_hi:
            return span
        return self._ensure_instant(us)

    def _ensure_instant(self, us: int) -> _Span:
        if not self._min_us <= us < self._max_us:
            raise CalendarError(
                "the answer lies beyond the supported range (1901-01-01 to 2199-12-31)"
            )
        span = self._span
        if span is not None and span.valid_lo <= us < span.valid_hi:
            return span
        day = (datetime.fromtimestamp(us // _US, self.timezone)).toordinal()
        return self._ensure(day - 1, day + 2)

    def _grow_forward(self, span: _Span) -> _Span:
        if span.hi > _MAX_ORD or (
            self._last_working is not None and span.hi > self._last_working + 1
        ):
            raise CalendarError(
                f"calendar{_named(self.name)} has no working time after "
                f"{date.fromordinal(min(span.hi, _MAX_ORD + 1) - 1)}; the deadline lies "
                "beyond what the calendar can answer"
            )
        return self._ensure(span.lo, span.hi + max(_GROW_DAYS, span.hi - span.lo))

    def _ensure(self, lo: int, hi: int) -> _Span:
        """A span covering the dates ``lo <= ordinal < hi`` (grown generously)."""
        span = self._span
        if span is not None and span.lo <= lo and hi <= span.hi:
            return span
        with self._lock:
            span = self._span
            if span is not None:
                if span.lo <= lo and hi <= span.hi:
                    return span
                if lo < span.lo:
                    lo = min(lo, span.lo - max(_GROW_DAYS, span.hi - span.lo))
                if hi > span.hi:
                    hi = max(hi, span.hi + _GROW_DAYS)
                lo, hi = min(lo, span.lo), max(hi, span.hi)
            else:
                lo, hi = lo - _GROW_DAYS // 2, hi + _GROW_DAYS
            lo = max(lo, _MIN_ORD - 1)
            hi = min(hi, _MAX_ORD + 3)
            span = self._build(lo, hi)
            self._span = span
            return span

    def _build(self, lo: int, hi: int) -> _Span:
        starts: list[int] = []
        ends: list[int] = []
        owners: list[int] = []
        cum: list[int] = []
        cum_end: list[int] = []
        workdays: list[int] = []
        first_open: dict[int, int] = {}
        total = 0
        for ordinal in range(lo, hi):
            day = date.fromordinal(ordinal)
            windows = self._windows_of(day)
            owned = False
            for ws, we in windows:
                s = self._local_us(ordinal, ws, latest=False)
                e = self._local_us(ordinal, we, latest=True)
                if e <= s:
                    continue  # the window lies wholly in an hour skipped by DST
                if not owned:  # the day's own first opening, before any union below
                    first_open[ordinal] = s
                    workdays.append(ordinal)
                    owned = True
                if ends and s < ends[-1]:  # a dated override meets a night shift: union
                    s = ends[-1]
                    if e <= s:
                        continue  # wholly inside the night shift before it
                starts.append(s)
                ends.append(e)
                owners.append(ordinal)
                cum.append(total)
                total += e - s
                cum_end.append(total)
        valid_lo = self._local_us(lo + 1, 0, latest=False)
        valid_hi = self._local_us(hi, 0, latest=False)
        return _Span(
            lo,
            hi,
            valid_lo,
            valid_hi,
            starts,
            ends,
            cum,
            cum_end,
            owners,
            workdays,
            first_open,
            total,
        )

    def _windows_of(self, day: date) -> Sequence[Window]:
        if day in self._closed:
            return ()
        if day in self._extra:
            return self._extra[day]
        country = self._country
        if country is not None:
            if country.holiday_name(day) is not None:
                return ()
            if country.is_make_up_workday(day):
                return self._workday_hours
        return self._weekly[day.weekday()]

    def _local_us(self, ordinal: int, second: int, *, latest: bool) -> int:
        """The instant at a local wall time (``second`` after midnight of a date).

        Ambiguous times give the first (``latest=False``) or last occurrence; a time skipped
        by a DST jump gives the instant of the jump.
        """
        extra_days, second = divmod(second, _DAY_S)
        day = date.fromordinal(ordinal + extra_days)
        hour, rest = divmod(second, 3600)
        naive = datetime(day.year, day.month, day.day, hour, rest // 60, rest % 60)
        base = (naive - _EPOCH_NAIVE) // _ONE_US
        tz = self.timezone
        off0 = tz.utcoffset(naive)
        off1 = tz.utcoffset(naive.replace(fold=1))
        u0 = base - (off0 // _ONE_US if off0 else 0)
        u1 = base - (off1 // _ONE_US if off1 else 0)
        if u0 == u1:
            return u0
        if u0 < u1:  # ambiguous: the wall clock shows this time twice
            return u1 if latest else u0
        # skipped: the first instant whose offset is the later one
        lo_s, hi_s = u1 // _US, u0 // _US
        while lo_s < hi_s:
            mid = (lo_s + hi_s) // 2
            if datetime.fromtimestamp(mid, tz).utcoffset() == off1:
                hi_s = mid
            else:
                lo_s = mid + 1
        return lo_s * _US


_datetime_sub: Final = datetime.__sub__  # the stdlib one, also for pendulum instances
_DATE_ONLY: Final = re.compile(r"\s*\d{4}-?\d{2}-?\d{2}\s*")
_WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _rebuild(spec: dict[str, Any], name: str | None) -> Calendar:
    return Calendar.from_spec(spec, name=name)


def _named(name: str | None) -> str:
    return f" {name!r}" if name else ""


def _fmt(path: Path) -> str:
    from .errors import format_path

    return format_path(path)


def _days(first: date, last: date) -> Iterable[date]:
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        yield date.fromordinal(ordinal)


def _iter_list(
    value: object, path: Path, issues: list[tuple[Path, str]]
) -> Iterable[tuple[int, object]]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        issues.append((path, f"expected a list of dates, got {value!r}"))
        return ()
    return enumerate(value)


class _EntryError(ValueError):
    """A problem with one key of a dated entry: ``where`` is that key (empty: the entry)."""

    def __init__(self, message: str, where: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.where = where


def _parse_dated(
    entry: object, keys: Sequence[str]
) -> tuple[date, date, str | None, object | None]:
    """A date entry: ``2026-10-01``, ``A..B`` or ``{date: ..., name: ..., hours: ...}``.

    Raises :class:`_EntryError` naming the key at fault in a mapping entry.
    """
    if isinstance(entry, Mapping):
        unknown = [k for k in entry if k not in keys]
        if unknown:
            hint = difflib.get_close_matches(str(unknown[0]), keys, n=1)
            fix = f"; did you mean {hint[0]!r}?" if hint else f"; known keys: {', '.join(keys)}"
            raise _EntryError(f"unknown key {unknown[0]!r}{fix}", (str(unknown[0]),))
        if "date" not in entry:
            raise _EntryError("a dated entry needs `date`")
        try:
            first, last = _parse_date(entry["date"])
        except ValueError as exc:
            raise _EntryError(str(exc), ("date",)) from None
        label = entry.get("name")
        if label is not None and not isinstance(label, str):
            raise _EntryError(f"`name` must be text, got {label!r}", ("name",))
        return first, last, label, entry.get("hours")
    first, last = _parse_date(entry)
    return first, last, None, None


def _parse_instant(text: str) -> datetime:
    if "T" in text and len(text) <= _MAX_TEXT:  # the common form: never a date alone
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # other forms below
    shown = text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "..."
    if len(text) > _MAX_TEXT:
        raise CalendarError(f"invalid date and time {shown!r}: too long")
    if _DATE_ONLY.fullmatch(text):
        raise CalendarError(f"expected a date and time, got only a date {shown!r}")
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        parsed = pendulum.parse(text.strip(), exact=True, tz=None)
    except Exception:  # pendulum raises several error types for garbage; all mean "invalid"
        parsed = None
    if isinstance(parsed, datetime):
        return parsed
    if parsed is not None:
        raise CalendarError(f"expected a date and time, got {shown!r}")
    raise CalendarError(
        f"invalid date and time {shown!r}; use ISO 8601 like '2026-05-08T17:30:00+08:00'"
    )
