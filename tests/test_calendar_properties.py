"""Property tests of calendar arithmetic (docs/deadlines.md) on random calendars.

Random calendars come from :func:`slapolicy.testing.calendar_specs` (split windows, night
shifts, ``24:00``, holidays and ranges, make-up days, DST zones including Lord Howe's 30-minute
change); instants favour the days and hours around DST changes. Besides the algebraic
properties, every operation is cross-checked against ``calendar_reference.py``, a brute-force
implementation written from the docs alone.

All instants are compared and shifted in UTC: arithmetic on two datetimes with the same
``ZoneInfo`` is wall-clock arithmetic in Python and would be wrong across DST changes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given, note
from hypothesis import strategies as st

from calendar_reference import ReferenceCalendar, Unanswerable
from slapolicy._calendar import Calendar
from slapolicy._durations import Duration
from slapolicy._errors import CalendarError
from slapolicy.testing import DEFAULT_TIMEZONES, calendar_specs, durations, instants

UTC = timezone.utc
US = timedelta(microseconds=1)
SPAN_DAYS = 8
T = TypeVar("T")


def utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


def clock(d: str | timedelta | Duration) -> timedelta:
    """The working time (hours, minutes, seconds) of a duration."""
    return Duration.of(d).time


def _dst_dates() -> list[date]:
    """Dates on which one of the default zones changes its UTC offset (2024-2026)."""
    found: set[date] = set()
    for name in DEFAULT_TIMEZONES:
        zone = ZoneInfo(name)
        day = date(2024, 1, 1)
        while day < date(2027, 1, 1):
            noon = datetime.combine(day, time(12), zone)
            if noon.utcoffset() != (noon + timedelta(days=1)).utcoffset():
                found.add(day + timedelta(days=1))
            day += timedelta(days=1)
    return sorted(found)


DST_DATES = _dst_dates()
ANCHORS = st.one_of(
    st.tuples(st.sampled_from(DST_DATES), st.integers(-SPAN_DAYS + 1, 1)).map(
        lambda p: p[0] + timedelta(days=p[1])
    ),
    st.dates(date(2024, 1, 1), date(2026, 12, 20)),
)


@dataclass
class Case:
    """A random calendar spec, the period the test looks at, and instants in it."""

    spec: dict[str, Any]
    anchor: date
    zone: ZoneInfo
    lo: datetime
    hi: datetime
    times: list[datetime] = field(default_factory=list)
    _calendar: Calendar | None = None
    _reference: ReferenceCalendar | None = None

    @property
    def cal(self) -> Calendar:
        if self._calendar is None:
            self._calendar = Calendar.from_spec(self.spec)
        return self._calendar

    @property
    def ref(self) -> ReferenceCalendar:
        if self._reference is None:
            self._reference = ReferenceCalendar(self.spec)
        return self._reference


@st.composite
def cases(
    draw: st.DrawFn,
    n: int = 1,
    *,
    at_boundaries: bool = True,
    spec_strategy: Callable[[date], st.SearchStrategy[dict[str, Any]]] | None = None,
) -> Case:
    """A calendar and ``n`` instants in an 8-day period, often on or next to a window's edge."""
    anchor = draw(ANCHORS)
    if spec_strategy is None:
        spec = draw(
            calendar_specs(
                with_seconds=True,
                # an hour a week at least: a 30-hour deadline stays within months
                min_weekly_hours=1,
                min_date=anchor - timedelta(days=3),
                max_date=anchor + timedelta(days=SPAN_DAYS + 3),
            )
        )
    else:
        spec = draw(spec_strategy(anchor))
    zone = ZoneInfo(spec["timezone"])
    lo = datetime.combine(anchor, time(), zone)
    hi = lo + timedelta(days=SPAN_DAYS)
    case = Case(spec, anchor, zone, lo, hi)
    points = instants(zone, lo, hi)
    if at_boundaries:
        edges = sorted(
            {
                edge
                for w in case.ref.windows_between(anchor - timedelta(days=1), hi.date())
                for edge in (w.start, w.end)
                if lo <= edge <= hi
            }
        )
        if edges:
            near = st.tuples(
                st.sampled_from(edges),
                st.sampled_from([0, 0, 0, -1, 1, -1_000_000, 1_000_000, -1_800_000_000]),
            ).map(lambda p: (p[0] + timedelta(microseconds=p[1])).astimezone(zone))
            points = st.one_of(points, near)
    case.times = [draw(points) for _ in range(n)]
    note(f"spec={case.spec!r}")
    note(f"times={[t.isoformat() for t in case.times]!r}")
    return case


def fixed(spec: dict[str, Any], *times: str) -> Case:
    """A hand-written case (for ``@example``): ``spec`` and ISO instants."""
    zone = ZoneInfo(spec["timezone"])
    parsed = [datetime.fromisoformat(t).astimezone(zone) for t in times]
    lo = datetime.combine(parsed[0].date(), time(), zone)
    return Case(spec, parsed[0].date(), zone, lo, lo + timedelta(days=SPAN_DAYS), parsed)


# A date whose own window lies inside the previous date's night shift (a dated override
# meeting a neighbour's night shift): the date still owns that window, so it is a working
# day and its first opening is its own window's start, not the end of the union
# (docs/deadlines.md, "add(s, "Nd")").
OWNED_INSIDE_NIGHT_SHIFT = fixed(
    {
        "timezone": "UTC",
        "hours": {"tue-wed": ["22:00-06:00"]},
        "workdays": ["2024-10-31"],
        "workday_hours": ["00:00-01:00"],
    },
    "2024-10-29T22:00:00+00:00",
)  # + 2d: Thu 2024-10-31 is the 2nd working day; 22:00 on it -> 06:00 (Wed's shift closes)
OPENING_INSIDE_NIGHT_SHIFT = fixed(
    {
        "timezone": "UTC",
        "hours": "always",
        "workdays": [{"date": "2024-03-11", "hours": ["22:00-06:00"]}],
    },
    "2024-03-10T00:00:00+00:00",
)  # + 2d: 2024-03-12 00:00 opens 03-12's own 00:00-24:00 window -> 2024-03-12T00:00
# "Nd" whose wall-clock time does not exist on the target day (spring forward): read as
# PEP 495 does, as many minutes after the jump (docs/deadlines.md, "add(s, "Nd")").
SKIPPED_TARGET_NEW_YORK = fixed(
    {"timezone": "America/New_York", "hours": "always"}, "2024-03-09T02:30:00-05:00"
)  # + 1d: 2024-03-10 02:30 does not exist -> 03:30 EDT
SKIPPED_TARGET_LORD_HOWE = fixed(
    {"timezone": "Australia/Lord_Howe", "hours": "always"}, "2024-10-05T02:15:00+10:30"
)  # + 1d: 2024-10-06 02:15 does not exist (02:00 -> 02:30) -> 02:45+11:00


def answer(fn: Callable[..., T], *args: object) -> T:
    """Ask the reference; skip the example if it cannot answer (too far, or ambiguous)."""
    try:
        return fn(*args)
    except Unanswerable as exc:
        note(f"reference: {exc}")
        assume(False)
        raise AssertionError("unreachable") from exc


def measure(intervals: Iterable[tuple[datetime, datetime]], a: datetime, b: datetime) -> timedelta:
    """Length of the union of ``intervals`` inside [a, b)."""
    total, reach = timedelta(0), a
    for start, end in sorted(intervals):
        start, end = max(start, reach), min(end, b)
        if end > start:
            total += end - start
            reach = end
    return total


CLOCK = durations(max_hours=30)
POSITIVE = durations(max_hours=30, min_seconds=1)


# ---------------------------------------------------------------------- add and elapsed


@given(cases(), CLOCK)
def test_elapsed_from_start_to_deadline_equals_duration(case: Case, d: str | timedelta) -> None:
    (s,) = case.times
    assert case.cal.elapsed(s, case.cal.add(s, d)) == clock(d)


@given(cases(), POSITIVE)
def test_add_is_earliest_instant_with_elapsed_equal_to_duration(
    case: Case, d: str | timedelta
) -> None:
    (s,) = case.times
    cal = case.cal
    r = utc(cal.add(s, d))
    assert r > utc(cal.next_working(s))
    # elapsed(s, t) only grows with t, so "earliest" is: one microsecond less falls short
    assert cal.elapsed(s, r - US) < clock(d)


@given(cases(), st.sampled_from(["0m", "0s", "0h", timedelta(0), Duration()]))
def test_add_zero_is_next_working(case: Case, zero: str | timedelta | Duration) -> None:
    (s,) = case.times
    assert utc(case.cal.add(s, zero)) == utc(case.cal.next_working(s))


@given(cases(), CLOCK, POSITIVE)
def test_add_composes_for_positive_second_step(
    case: Case, a: str | timedelta, b: str | timedelta
) -> None:
    (s,) = case.times
    cal = case.cal
    assert utc(cal.add(cal.add(s, a), b)) == utc(cal.add(s, clock(a) + clock(b)))


@given(cases(), CLOCK)
def test_adding_zero_after_a_deadline_waits_for_the_next_opening(
    case: Case, a: str | timedelta
) -> None:
    (s,) = case.times
    cal = case.cal
    r = cal.add(s, a)
    assert utc(cal.add(r, "0m")) == utc(cal.next_working(r))


@given(cases(n=2), CLOCK)
def test_add_is_monotonic_in_start(case: Case, d: str | timedelta) -> None:
    s1, s2 = sorted(case.times, key=utc)
    assert utc(case.cal.add(s1, d)) <= utc(case.cal.add(s2, d))


@given(cases(), CLOCK, CLOCK)
def test_add_is_monotonic_in_duration(case: Case, d1: str | timedelta, d2: str | timedelta) -> None:
    (s,) = case.times
    if clock(d2) < clock(d1):
        d1, d2 = d2, d1
    assert utc(case.cal.add(s, d1)) <= utc(case.cal.add(s, d2))


@given(cases(), POSITIVE)
def test_positive_deadline_ends_working_time(case: Case, d: str | timedelta) -> None:
    """A deadline lies inside a window or exactly at its close: the instant before works."""
    (s,) = case.times
    r = utc(case.cal.add(s, d))
    assert case.cal.is_working(r - US)


@given(cases(n=3))
def test_elapsed_is_additive_over_a_split_point(case: Case) -> None:
    a, b, c = case.times  # in any order
    cal = case.cal
    assert cal.elapsed(a, c) == cal.elapsed(a, b) + cal.elapsed(b, c)


@given(cases(n=2))
def test_elapsed_is_antisymmetric(case: Case) -> None:
    a, b = case.times
    assert case.cal.elapsed(b, a) == -case.cal.elapsed(a, b)
    assert case.cal.elapsed(a, a) == timedelta(0)


@given(cases(n=2))
def test_elapsed_is_at_most_the_real_time_between(case: Case) -> None:
    a, b = sorted(case.times, key=utc)
    assert timedelta(0) <= case.cal.elapsed(a, b) <= utc(b) - utc(a)


@given(cases(), st.integers(1, 10**9))
def test_negative_duration_is_a_calendar_error(case: Case, micros: int) -> None:
    (s,) = case.times
    with pytest.raises(CalendarError):
        case.cal.add(s, timedelta(microseconds=-micros))


# ---------------------------------------------------------------------- is_working, next_working


@given(cases())
def test_next_working_is_the_first_working_instant_from_t(case: Case) -> None:
    (t,) = case.times
    cal = case.cal
    n = utc(cal.next_working(t))
    assert cal.is_working(n)
    assert n >= utc(t)
    assert (n == utc(t)) == cal.is_working(t)
    if n > utc(t):
        assert not cal.is_working(n - US)
        assert cal.elapsed(t, n) == timedelta(0)


# ---------------------------------------------------------------------- holidays


def _close(spec: dict[str, Any], day: date) -> dict[str, Any]:
    """``spec`` with ``day`` added to holidays.dates (and dropped from workdays)."""
    out = copy.deepcopy(spec)

    def names(entry: Any) -> bool:
        value = entry["date"] if isinstance(entry, dict) else entry
        return str(value) == day.isoformat()

    if "workdays" in out:
        out["workdays"] = [e for e in out["workdays"] if not names(e)]
        if not out["workdays"]:
            del out["workdays"]
    holidays = out.setdefault("holidays", {})
    holidays.setdefault("dates", []).append(day.isoformat())
    return out


@given(cases(n=2), st.integers(-1, SPAN_DAYS))
def test_closing_a_date_removes_exactly_its_windows(case: Case, k: int) -> None:
    day = case.anchor + timedelta(days=k)
    assume(day not in case.ref.closed)
    closed = Calendar.from_spec(_close(case.spec, day))
    a, b = sorted(case.times, key=utc)
    before, after = case.cal.elapsed(a, b), closed.elapsed(a, b)
    # working time owned by `day` and by no other date, inside [a, b)
    near = case.ref.windows_between(day - timedelta(days=2), day + timedelta(days=2))
    everything = [(w.start, w.end) for w in near]
    others = [(w.start, w.end) for w in near if w.owner != day]
    removed = measure(everything, utc(a), utc(b)) - measure(others, utc(a), utc(b))
    assert before - after == removed
    for t in case.times:
        assert not closed.is_working(t) or case.cal.is_working(t)


# ---------------------------------------------------------------------- working days


@given(cases(), st.integers(1, 4))
def test_working_days_deadline_lands_on_working_time_not_before_start(case: Case, n: int) -> None:
    (s,) = case.times
    cal = case.cal
    r = utc(cal.add(s, f"{n}d"))
    assert r >= utc(cal.next_working(s))
    assert cal.is_working(r) or cal.is_working(r - US)


@example(SKIPPED_TARGET_NEW_YORK, 1)
@example(SKIPPED_TARGET_LORD_HOWE, 1)
@given(
    cases(
        spec_strategy=lambda _: st.sampled_from(DEFAULT_TIMEZONES).map(
            lambda z: {"timezone": z, "hours": "always"}
        )
    ),
    st.integers(1, 3),
)
def test_days_on_a_24x7_calendar_keep_the_wall_clock_time(case: Case, n: int) -> None:
    (s,) = case.times
    wall = utc(s).astimezone(case.zone).replace(tzinfo=None) + timedelta(days=n)
    expected = wall.replace(tzinfo=case.zone, fold=0)  # naive reading, as docs/deadlines.md
    assert utc(case.cal.add(s, f"{n}d")) == utc(expected)


@given(cases(), st.integers(1, 3), POSITIVE)
def test_days_come_before_hours(case: Case, n: int, d: str | timedelta) -> None:
    (s,) = case.times
    cal = case.cal
    text = f"{n}d{Duration(0, clock(d))}"
    assert utc(cal.add(s, text)) == utc(cal.add(cal.add(s, f"{n}d"), d))
    assert utc(cal.add(s, Duration(n, clock(d)))) == utc(cal.add(s, text))


# ---------------------------------------------------------------------- inputs and outputs


@given(cases(n=2), CLOCK, st.integers(0, 3))
def test_results_are_aware_and_in_the_calendar_zone(case: Case, d: str | timedelta, n: int) -> None:
    s, t = case.times
    cal = case.cal
    assert getattr(cal.timezone, "key", str(cal.timezone)) == case.spec["timezone"]
    for r in (cal.add(s, d), cal.next_working(t), cal.add(s, f"{n}d")):
        assert r.tzinfo is not None
        assert r.utcoffset() is not None
        local = r.astimezone(case.zone)
        assert (r.replace(tzinfo=None), r.utcoffset()) == (
            local.replace(tzinfo=None),
            local.utcoffset(),
        )


@given(cases(), CLOCK)
def test_naive_and_iso_inputs_are_read_in_the_calendar_zone(case: Case, d: str | timedelta) -> None:
    (s,) = case.times
    cal = case.cal
    wall = utc(s).astimezone(case.zone).replace(tzinfo=None, fold=0)
    aware = wall.replace(tzinfo=case.zone)  # skipped: moved forward; repeated: the first
    expected = utc(cal.add(aware, d))
    assert utc(cal.add(wall, d)) == expected
    assert utc(cal.add(wall.isoformat(), d)) == expected
    assert utc(cal.add(s.isoformat(), d)) == utc(cal.add(s, d))
    assert cal.is_working(wall) == cal.is_working(aware)


# ---------------------------------------------------------------------- windows, as documented


@given(
    st.sampled_from(DEFAULT_TIMEZONES),
    st.integers(0, 24 * 60 - 1),
    st.sampled_from(["", ":00", ":30"]),
)
def test_window_whose_end_equals_its_start_is_a_calendar_error(
    zone_name: str, minute: int, seconds: str
) -> None:
    hhmm = f"{minute // 60:02d}:{minute % 60:02d}{seconds}"
    with pytest.raises(CalendarError):
        Calendar.from_spec({"timezone": zone_name, "hours": {"mon": [f"{hhmm}-{hhmm}"]}})


@given(
    st.data(),
    st.sampled_from(DEFAULT_TIMEZONES),
    st.integers(1, 24 * 60 - 1),
    st.sampled_from(["mon", "sun", "mon-sun", "fri-mon"]),
    st.integers(0, 10 * 86_400),
)
def test_window_ending_at_00_00_is_the_same_as_ending_at_24_00(
    data: st.DataObject, zone_name: str, minute: int, days: str, span: int
) -> None:
    hhmm = f"{minute // 60:02d}:{minute % 60:02d}"
    spellings = [
        Calendar.from_spec({"timezone": zone_name, "hours": {days: [f"{hhmm}-{end}"]}})
        for end in ("00:00", "24:00", "00:00:00")
    ]
    a = data.draw(instants(zone_name))
    b = utc(a) + timedelta(seconds=span)
    assert len({cal.elapsed(a, b) for cal in spellings}) == 1
    assert len({utc(cal.next_working(a)) for cal in spellings}) == 1


# ---------------------------------------------------------------------- against the reference


@given(cases(n=1))
def test_is_working_and_next_working_match_reference(case: Case) -> None:
    (t,) = case.times
    assert case.cal.is_working(t) == case.ref.is_working(t)
    assert utc(case.cal.next_working(t)) == answer(case.ref.next_working, t)


@given(cases(n=2))
def test_elapsed_matches_reference(case: Case) -> None:
    a, b = case.times
    assert case.cal.elapsed(a, b) == case.ref.elapsed(a, b)


@given(cases(n=1), CLOCK)
def test_add_matches_reference(case: Case, d: str | timedelta) -> None:
    (s,) = case.times
    expected = answer(case.ref.add_time, s, clock(d))
    assert utc(case.cal.add(s, d)) == expected


@example(OWNED_INSIDE_NIGHT_SHIFT, 2, timedelta(0))
@example(OPENING_INSIDE_NIGHT_SHIFT, 2, timedelta(0))
@example(SKIPPED_TARGET_LORD_HOWE, 1, timedelta(hours=1))
@given(
    cases(n=1),
    st.integers(0, 4),
    durations(max_hours=10, strings=False),
)
def test_add_days_matches_reference(case: Case, n: int, d: timedelta) -> None:
    (s,) = case.times
    expected = answer(case.ref.add, s, n, d)
    assert utc(case.cal.add(s, Duration(n, d))) == expected


@example(OWNED_INSIDE_NIGHT_SHIFT, [(2, timedelta(0)), (0, timedelta(hours=1)), (0, timedelta(0))])
@example(SKIPPED_TARGET_NEW_YORK, [(1, timedelta(0)), (0, timedelta(hours=30)), (1, timedelta(1))])
@given(
    cases(n=1),
    st.lists(
        st.tuples(st.integers(0, 3), durations(max_hours=30, strings=False)),
        min_size=1,
        max_size=6,
    ),
)
def test_deadlines_from_one_start_are_each_add_and_match_reference(
    case: Case, wanted: list[tuple[int, timedelta]]
) -> None:
    """``deadlines_us`` shares the work on the start; each answer is still ``add``'s."""
    (s,) = case.times
    start = case.cal.to_us(s)
    asked = [Duration(n, d) for n, d in wanted]
    together = case.cal.deadlines_us(start, asked)
    assert together == [case.cal.add_us(start, d) for d in asked]
    for duration, due in zip(asked, together, strict=True):
        expected = answer(case.ref.add, s, duration.days, duration.time)
        assert utc(case.cal.from_us(due)) == expected, duration
