"""Business calendars: working windows in a time zone, and exact working-time arithmetic.

How it works: the weekly hours, dated overrides and holidays (:mod:`.spec`) are turned, for
a span of dates, into a sorted list of working windows as UTC instants (integer
microseconds) with the cumulative working time before each window (:mod:`.span`).
``elapsed`` is then two binary searches and ``add`` one more, so a two-year deadline costs
the same as a two-hour one. The span grows on demand (by doubling) and is bounded to local
dates 1901-01-01..2199-12-31, so a calendar that never opens again raises
:class:`CalendarError` instead of looping.

The exact semantics (closing-time boundary, working days, DST) are in docs/deadlines.md.
"""

from __future__ import annotations

import bisect
import threading
import warnings
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final

from .._durations import Duration, Until
from .._errors import CalendarError, Problem
from .instants import InstantReader
from .provenance import DataSource, holiday_source, zone_source
from .span import US, Span, build_span, local_us
from .spec import DAY_S, MAX_DATE, MIN_DATE, CalendarParts, Window, parse_spec

__all__ = ["Calendar", "HolidayDataWarning"]

_MIN_ORD: Final = MIN_DATE.toordinal()
_MAX_ORD: Final = MAX_DATE.toordinal()
_GROW_DAYS: Final = 366
_WEEKDAYS: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_US: Final = timedelta(microseconds=1)


class HolidayDataWarning(UserWarning):
    """Official holiday data does not cover a year the calendar was asked about."""


class Calendar(InstantReader):
    """Working windows in a time zone, with exact working-time arithmetic.

    Build one with :meth:`from_spec`. Instances are immutable in meaning, thread-safe and
    picklable; the precomputed windows are a cache that grows as dates are asked about.
    It reads and writes instants as the :class:`InstantReader` of its zone (``to_us``,
    ``from_us``).
    """

    __slots__ = (
        "__weakref__",
        "_covered_us",
        "_last_working",
        "_lock",
        "_parts",
        "_span",
        "_spec",
        "_warned",
        "name",
        "provisional_from_us",
    )

    def __init__(
        self,
        parts: CalendarParts,
        *,
        name: str | None = None,
        spec: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(parts.timezone)
        self.name = name
        self._parts = parts
        self._spec = spec
        self._lock = threading.Lock()
        self._span: Span | None = None
        self._warned: set[int] = set()
        if not any(parts.weekly) and not any(parts.extra.values()):
            message = "no working time: give `hours` for some days, or `hours: always`"
            raise CalendarError(
                f"calendar{_named(name)} has {message}", problems=[Problem(message, "hours")]
            )
        tz = self.timezone
        self._covered_us = (self.min_us, self.max_us)
        country = parts.country
        if country is not None:
            first = max(country.first_year, MIN_DATE.year)
            last = min(country.announced_until or country.last_year, MAX_DATE.year - 1)
            self._covered_us = (
                local_us(tz, date(first, 1, 1).toordinal(), 0, latest=False),
                local_us(tz, date(last + 1, 1, 1).toordinal(), 0, latest=False),
            )
        #: the first instant past the official holiday data (None: no such limit); a
        #: deadline at or after it was counted on holidays the package computes for years
        #: not yet announced, without their make-up working days (an attribute, not a
        #: property: the engine reads it for every deadline)
        hi = self._covered_us[1]
        self.provisional_from_us: int | None = None if country is None or hi >= self.max_us else hi
        #: no date after this ordinal can have working time (None: unbounded)
        self._last_working = (
            None if any(parts.weekly) else max(d.toordinal() for d, w in parts.extra.items() if w)
        )

    @classmethod
    def from_spec(
        cls,
        spec: Mapping[str, Any],
        *,
        name: str | None = None,
        default_timezone: str | None = None,
    ) -> Calendar:
        """Build a calendar from the mapping a policy file has under ``calendars:``.

        Raises :class:`CalendarError` listing every problem of the spec (``problems``).
        """
        parts = parse_spec(spec, name=name, default_timezone=default_timezone)
        return cls(parts, name=name, spec=spec)

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
        parts = self._parts
        if day in parts.closed:
            return parts.closed[day]
        if day in parts.extra:
            return None
        if parts.country is not None:
            return parts.country.holiday_name(day)
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
        country = self._parts.country
        if country is None:
            return None
        last = country.announced_until or country.last_year
        return date(last, 12, 31)

    @property
    def data_sources(self) -> tuple[DataSource, ...]:
        """The tz and holiday data this calendar counts on (see ``Policy.version``)."""
        country = self._parts.country
        zone = zone_source(self.timezone)
        return (zone,) if country is None else (zone, holiday_source(country))

    # ------------------------------------------------------------------ microsecond core
    # The engine and the SLA clock use these to avoid converting datetimes back and forth.

    def next_working_us(self, us: int) -> int:
        """Microsecond form of :meth:`next_working`."""
        t = self._opening(us)[2]
        lo, hi = self._covered_us
        return t if lo <= t < hi else self._check_coverage(t)

    def _opening(self, us: int) -> tuple[Span, int, int]:
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
        span = self._span
        if span is None or not span.valid_lo <= a < span.valid_hi:
            span = self._ensure_instant(a)
        if b > span.valid_hi:
            span = self._ensure_instant(b)
        # Speed trick: the coverage test inline (two method calls fewer); the SLA clock asks
        # for several working times per metric (0.9 against 1.25 us per call).
        lo, hi = self._covered_us
        if not (lo <= a < hi and lo <= b < hi):
            self._check_coverage(a)
            self._check_coverage(b)
        return span.cum_at(b) - span.cum_at(a)

    def add_us(self, start: int, duration: Duration | Until) -> int:
        """Microsecond form of :meth:`add` (also for a wall-clock deadline, :class:`Until`)."""
        if type(duration) is Duration and not duration.days and duration.time_us:
            # from a closed instant, counting working time already waits for the opening
            return self.push_us(start, duration.time_us)
        return self.deadlines_us(start, (duration,))[0]

    def deadlines_us(self, start: int, durations: Sequence[Duration | Until]) -> list[int]:
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
            if isinstance(duration, Until):
                if local is None:
                    local = self.from_us(t0)
                t = self._until(span, duration, owner, local)
                out.append(t if lo <= t < hi else self._check_coverage(t))
                continue
            amount = duration.time_us
            if duration.days:
                if local is None:
                    local = self.from_us(t0)
                t = self._add_days(span, duration.days, owner, local)
                if amount:
                    t = self.push_us(t, amount)
            elif not amount:
                t = t0
            elif w0 + amount <= span.total:
                target = w0 + amount
                j = bisect.bisect_left(span.cum_end, target)
                t = starts[j] + target - cum[j]
            else:
                t = self.push_us(t0, amount)
            out.append(t if lo <= t < hi else self._check_coverage(t))
        return out

    def _check_coverage(self, us: int) -> int:
        """Warn (once per year) when an answer relies on unofficial holiday data."""
        lo, hi = self._covered_us
        if lo <= us < hi:
            return us
        if not self.min_us <= us < self.max_us:
            raise CalendarError(
                "the answer lies beyond the supported range (1901-01-01 to 2199-12-31)"
            )
        country = self._parts.country
        if country is None:
            return us
        year = self.from_us(us).year
        if year not in self._warned:
            self._warned.add(year)
            warnings.warn(
                f"calendar{_named(self.name)}: official {country.country} holiday data "
                f"does not cover {year}; using the statutory dates the holidays package "
                "computes, without make-up working days (docs/deadlines.md)",
                HolidayDataWarning,
                stacklevel=3,
            )
        return us

    # ------------------------------------------------------------------ for array arithmetic
    # slapolicy._calendar.vector computes the deadlines of whole columns of starts over the
    # same span of windows; these hand it the span and the checks every answer goes through.

    def span_through(self, first_us: int, last_us: int) -> Span:
        """The span of windows, grown if needed to answer exactly for every instant from
        ``first_us`` to ``last_us`` (:class:`CalendarError` outside the supported range)."""
        span = self._span_for(first_us)
        return span if span.valid_lo <= last_us < span.valid_hi else self._span_for(last_us)

    def span_beyond(self, span: Span) -> Span:
        """A span reaching further forward than ``span``; :class:`CalendarError` when none
        can (past 2199, or after the last date the calendar works)."""
        return self._grow_forward(span)

    @property
    def covered_us(self) -> tuple[int, int]:
        """The instants ``[lo, hi)`` whose answers need no :class:`HolidayDataWarning`."""
        return self._covered_us

    def check_us(self, us: int) -> int:
        """``us`` itself, after the checks every answer goes through: :class:`CalendarError`
        beyond the supported range, a :class:`HolidayDataWarning` (once per calendar and
        year) past the official holiday data."""
        return self._check_coverage(us)

    # ------------------------------------------------------------------ internals

    def push_us(self, instant: int, amount: int) -> int:
        """The earliest instant with ``amount`` microseconds of working time after ``instant``.

        Unlike :meth:`add_us`, ``amount == 0`` gives ``instant`` itself (not the next
        opening): used to move a due instant later by paused working time.
        """
        if amount <= 0:
            return instant
        span = self._span
        while True:
            if span is None or not span.valid_lo <= instant < span.valid_hi:
                span = self._ensure_instant(instant)
            due = span.advance(instant, amount)
            if due is not None:
                lo, hi = self._covered_us
                return due if lo <= due < hi else self._check_coverage(due)
            span = self._grow_forward(span)

    def _add_days(self, span: Span, days: int, owner: int, local: datetime) -> int:
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
        want = (wall - _EPOCH) // _ONE_US
        if not span.valid_lo <= want < span.valid_hi:
            span = self._ensure_instant(want)
        first = span.first_open[target_day]
        if want < first:
            return first
        j = bisect.bisect_right(span.starts, want) - 1
        if want < span.ends[j]:
            return want
        return span.ends[j]

    def _until(self, span: Span, until: Until, owner: int, local: datetime) -> int:
        """A wall-clock deadline (:class:`Until`) from a working instant, given as ``local``
        in a window owned by the date ordinal ``owner`` of ``span``."""
        t0 = (local - _EPOCH) // _ONE_US
        # the start's wall-clock time counted from midnight of its working date (inside a
        # night shift, from midnight of the date the shift started on)
        offset = local.toordinal() - owner
        clock = offset * DAY_S + local.hour * 3600 + local.minute * 60 + local.second
        before = (clock, local.microsecond) < (until.second, 0)
        if until.weekday is None:
            skip = until.days if until.days else (0 if before else 1)
            target_day = self._working_day_after(span, owner, skip)
        else:
            target_day = self._next_weekday(span, owner, until.weekday, same_day=before)
        while True:
            due = self._at_or_before(target_day, until.second)
            if due > t0:
                return due
            # Only inside a night shift: that time of the date lies in the shift the start
            # is in, at or before the start. A deadline is never at or before its start:
            # the same time on the next such working day.
            if until.weekday is None:
                target_day = self._working_day_after(self._span_for(due), target_day, 1)
            else:
                target_day = self._next_weekday(
                    self._span_for(due), target_day, until.weekday, same_day=False
                )

    def _working_day_after(self, span: Span, day: int, skip: int) -> int:
        """The ``skip``-th working date after the working date ``day`` (0: ``day`` itself)."""
        while True:
            k = bisect.bisect_left(span.workdays, day) + skip
            if k < len(span.workdays):
                return span.workdays[k]
            span = self._grow_forward(span)

    def _at_or_before(self, day: int, second: int) -> int:
        """``second`` after local midnight of the date ``day`` if that is working time, else
        the end of the last window before it."""
        naive = datetime.fromordinal(day) + timedelta(seconds=second)
        # read as PEP 495 does, like _add_days: fold 0, a skipped time after the jump
        want = (naive.replace(tzinfo=self.timezone) - _EPOCH) // _ONE_US
        span = self._span_for(want)
        j = bisect.bisect_right(span.starts, want) - 1
        if j >= 0 and want < span.ends[j]:
            return want
        return span.ends[j]  # j >= 0: the start's own window lies before it

    def _next_weekday(self, span: Span, owner: int, weekday: int, *, same_day: bool) -> int:
        """The first working date on or after ``owner`` (after it unless ``same_day``) that
        falls on ``weekday``; :class:`CalendarError` if none comes within two years."""
        k = bisect.bisect_left(span.workdays, owner) + (0 if same_day else 1)
        limit = owner + 2 * 366
        while True:
            while k < len(span.workdays):
                day = span.workdays[k]
                if day > limit:
                    break
                if date.fromordinal(day).weekday() == weekday:
                    return day
                k += 1
            if k < len(span.workdays) or span.hi > limit:
                raise CalendarError(
                    f"calendar{_named(self.name)} has no working {_WEEKDAYS[weekday]} within "
                    "two years of the start"
                )
            span = self._grow_forward(span)

    def _span_for(self, us: int) -> Span:
        span = self._span
        if span is not None and span.valid_lo <= us < span.valid_hi:
            return span
        return self._ensure_instant(us)

    def _ensure_instant(self, us: int) -> Span:
        if not self.min_us <= us < self.max_us:
            raise CalendarError(
                "the answer lies beyond the supported range (1901-01-01 to 2199-12-31)"
            )
        span = self._span
        if span is not None and span.valid_lo <= us < span.valid_hi:
            return span
        day = (datetime.fromtimestamp(us // US, self.timezone)).toordinal()
        return self._ensure(day - 1, day + 2)

    def _grow_forward(self, span: Span) -> Span:
        if span.hi > _MAX_ORD or (
            self._last_working is not None and span.hi > self._last_working + 1
        ):
            raise CalendarError(
                f"calendar{_named(self.name)} has no working time after "
                f"{date.fromordinal(min(span.hi, _MAX_ORD + 1) - 1)}; the deadline lies "
                "beyond what the calendar can answer"
            )
        return self._ensure(span.lo, span.hi + max(_GROW_DAYS, span.hi - span.lo))

    def _ensure(self, lo: int, hi: int) -> Span:
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
            span = build_span(self._windows_of, self.timezone, lo, hi)
            self._span = span
            return span

    def _windows_of(self, day: date) -> Sequence[Window]:
        parts = self._parts
        if day in parts.closed:
            return ()
        extra = parts.extra.get(day)
        if extra is not None:
            return extra
        country = parts.country
        if country is not None:
            if country.holiday_name(day) is not None:
                return ()
            if country.is_make_up_workday(day):
                return parts.workday_hours
        return parts.weekly[day.weekday()]


def _rebuild(spec: dict[str, Any], name: str | None) -> Calendar:
    return Calendar.from_spec(spec, name=name)


def _named(name: str | None) -> str:
    return f" {name!r}" if name else ""
