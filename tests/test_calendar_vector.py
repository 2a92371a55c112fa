"""Deadlines for arrays of starts (``slapolicy._calendar.vector``) against the scalar path.

Every array answer must be exactly :meth:`Calendar.add_us` (``deadlines_array``) or
:meth:`Calendar.deadlines_us` (``deadlines_arrays_masked``) for the same start, and an element
the scalar path refuses must be reported failed, alone. The property tests draw random
calendars (:func:`slapolicy.testing.calendar_specs`: split shifts, night shifts, ``24:00``,
``hours: always``, holidays, make-up days, DST zones) and many starts at once: uniform ones,
ones on and next to window edges, in the hours around DST changes, on closed dates, and ones
whose deadlines lie beyond the span the calendar has prepared, so that it must grow. The
array side and the scalar side each use a calendar of their own, so that neither profits
from windows the other prepared.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from slapolicy import Calendar, HolidayDataWarning
from slapolicy._calendar import (
    deadlines_array,
    deadlines_array_masked,
    deadlines_arrays_masked,
    vector,
)
from slapolicy._calendar.spec import parse_spec
from slapolicy._durations import Duration, Until, parse_duration
from slapolicy._errors import CalendarError
from slapolicy.testing import DEFAULT_TIMEZONES, calendar_specs, instants

US = timedelta(microseconds=1)
UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def us_of(t: datetime) -> int:
    return (t - EPOCH) // US


@contextmanager
def quiet() -> Iterator[None]:
    """HolidayDataWarning is an error under pytest's settings; these tests compare answers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)
        yield


def scalar(cal: Calendar, starts: Sequence[int], duration: Duration | Until) -> list[int | None]:
    """``add_us`` per start; None where it raises CalendarError."""
    out: list[int | None] = []
    for s in starts:
        try:
            out.append(cal.add_us(s, duration))
        except CalendarError:
            out.append(None)
    return out


def scalar_many(
    cal: Calendar, starts: Sequence[int], durations: Sequence[Duration | Until]
) -> list[list[int] | None]:
    out: list[list[int] | None] = []
    for s in starts:
        try:
            out.append(cal.deadlines_us(s, durations))
        except CalendarError:
            out.append(None)
    return out


def assert_same(
    cal: Calendar,
    starts: Sequence[int],
    duration: Duration | Until,
    expected: list[int | None],
    got: np.ndarray[Any, Any],
    failed: np.ndarray[Any, Any],
) -> None:
    assert got.dtype == np.int64
    assert failed.dtype == np.bool_
    assert got.shape == failed.shape == (len(starts),)
    for s, want, have, bad in zip(starts, expected, got.tolist(), failed.tolist(), strict=True):
        if want is None:
            assert bad, f"{duration} from {cal.from_us(s)}: the scalar path raises"
            assert have == 0
        else:
            assert not bad, f"{duration} from {cal.from_us(s)}: reported failed"
            assert have == want, (
                f"{duration} from {cal.from_us(s)}: {cal.from_us(have)} != {cal.from_us(want)}"
            )


# ---------------------------------------------------------------------- strategies

ANCHORS = st.one_of(
    st.dates(date(2024, 1, 1), date(2026, 12, 20)),
    # the weeks around DST changes in the default zones
    st.sampled_from([date(2024, 3, 10), date(2024, 10, 27), date(2025, 4, 6), date(2025, 11, 2)]),
    st.sampled_from([date(2025, 3, 30), date(2025, 10, 5), date(2026, 3, 8), date(2026, 10, 25)]),
)

CLOCK_US = st.one_of(
    st.integers(0, 60 * 3600).map(lambda s: s * 1_000_000),
    st.integers(0, 60).map(lambda h: h * 3_600_000_000),
    st.integers(1, 10**8),  # to the microsecond
)

DURATIONS: st.SearchStrategy[Duration | Until] = st.one_of(
    CLOCK_US.map(lambda us: Duration(0, timedelta(microseconds=us))),
    st.tuples(st.integers(1, 6), st.sampled_from([0, 0, 60, 3600, 4 * 3600, 10 * 3600 + 1])).map(
        lambda p: Duration(p[0], timedelta(seconds=p[1]))
    ),
    st.sampled_from(["0m", "1d", "3d", "1d4h", "2h", "7h30m", "40h"]).map(parse_duration),
    st.tuples(st.integers(0, 24 * 60).map(lambda m: m * 60), st.integers(0, 4)).map(
        lambda p: Until(p[0], p[1])
    ),
    st.tuples(st.integers(0, 24 * 60).map(lambda m: m * 60), st.integers(0, 6)).map(
        lambda p: Until(p[0], weekday=p[1])
    ),
)
#: durations whose deadlines lie beyond the span first prepared (it must grow)
LONG: st.SearchStrategy[Duration | Until] = st.one_of(
    st.integers(200, 800).map(lambda d: Duration(d)),
    st.integers(2_000, 6_000).map(lambda h: Duration(0, timedelta(hours=h))),
    st.integers(100, 400).map(lambda d: Until(18 * 3600, d)),
)


def _edges(cal: Calendar, first: date, last: date) -> list[int]:
    return [us_of(edge) for window in cal.windows(first, last) for edge in window]


@st.composite
def columns(draw: st.DrawFn, *, size: int = 40) -> tuple[dict[str, Any], list[int]]:
    """A calendar spec and a column of starts (microseconds) around a random date."""
    anchor = draw(ANCHORS)
    spec = draw(
        calendar_specs(
            with_seconds=True,
            min_weekly_hours=draw(st.sampled_from([0, 1, 1, 8])),
            min_date=anchor - timedelta(days=10),
            max_date=anchor + timedelta(days=40),
            countries=draw(st.sampled_from([(), (), ("CN",)])),
        )
    )
    zone = ZoneInfo(spec["timezone"])
    lo = datetime.combine(anchor - timedelta(days=3), time(), zone)
    hi = datetime.combine(anchor + timedelta(days=30), time(), zone)
    probe = Calendar.from_spec(spec)  # only to find window edges to start from
    with quiet():
        edges = _edges(probe, lo.date() - timedelta(days=1), hi.date())
    closed = [
        datetime.combine(d, time(), zone)
        for d in (lo.date() + timedelta(days=k) for k in range(33))
        if probe.holiday_name(d) is not None
    ]
    kinds = [
        instants(zone, lo, hi).map(us_of),  # half of them near DST changes
        st.integers(us_of(lo), us_of(hi)),  # to the microsecond
    ]
    if edges:
        kinds.append(
            st.tuples(
                st.sampled_from(edges),
                st.sampled_from([0, 0, -1, 1, -1_000_000, 1_000_000, -1_800_000_000]),
            ).map(sum)
        )
    if closed:
        kinds.append(
            st.tuples(st.sampled_from(closed), st.integers(0, 86_400 * 10**6 - 1)).map(
                lambda p: us_of(p[0]) + p[1]
            )
        )
    # a few years later: a span from the first start to the last
    kinds.append(st.integers(us_of(hi), us_of(hi) + 4 * 365 * 86_400 * 10**6))
    starts = draw(st.lists(st.one_of(kinds), min_size=1, max_size=size))
    note(f"spec={spec!r}")
    return spec, starts


# ---------------------------------------------------------------------- properties


@given(columns(), DURATIONS)
def test_deadlines_array_is_add_us_element_by_element(
    column: tuple[dict[str, Any], list[int]], duration: Duration | Until
) -> None:
    spec, starts = column
    note(f"duration={duration!r}")
    with quiet():
        expected = scalar(Calendar.from_spec(spec), starts, duration)
        cal = Calendar.from_spec(spec)
        got, failed = deadlines_array_masked(cal, np.array(starts, dtype=np.int64), duration)
    assert_same(cal, starts, duration, expected, got, failed)


@given(columns(size=12), LONG)
def test_deadlines_beyond_the_prepared_span_grow_it(
    column: tuple[dict[str, Any], list[int]], duration: Duration | Until
) -> None:
    spec, starts = column
    note(f"duration={duration!r}")
    with quiet():
        expected = scalar(Calendar.from_spec(spec), starts, duration)
        cal = Calendar.from_spec(spec)
        got, failed = deadlines_array_masked(cal, np.array(starts, dtype=np.int64), duration)
    assert_same(cal, starts, duration, expected, got, failed)


@given(columns(size=20), st.lists(DURATIONS, min_size=0, max_size=6))
def test_several_durations_are_deadlines_us_start_by_start(
    column: tuple[dict[str, Any], list[int]], durations: list[Duration | Until]
) -> None:
    spec, starts = column
    note(f"durations={durations!r}")
    with quiet():
        expected = scalar_many(Calendar.from_spec(spec), starts, durations)
        cal = Calendar.from_spec(spec)
        got, failed = deadlines_arrays_masked(cal, np.array(starts, dtype=np.int64), durations)
    assert got.shape == (len(durations), len(starts))
    for i, want in enumerate(expected):
        if want is None:
            assert failed[i]
            assert got[:, i].tolist() == [0] * len(durations)
        else:
            assert not failed[i]
            assert got[:, i].tolist() == want


@given(
    st.sampled_from(DEFAULT_TIMEZONES),
    st.lists(st.integers(0, 40 * 86_400 * 10**6), min_size=1, max_size=30),
    st.one_of(DURATIONS, LONG),
    st.booleans(),
)
def test_near_the_end_of_2199_each_element_fails_alone(
    zone_name: str,
    offsets: list[int],
    duration: Duration | Until,
    always: bool,
) -> None:
    """Starts in the last weeks the calendars answer for: deadlines beyond 2199-12-31 fail,
    each on its own, with the scalar path's verdict; the others keep their deadlines."""
    spec = {"timezone": zone_name, "hours": "always" if always else {"mon-fri": ["09:00-18:00"]}}
    end = us_of(datetime(2200, 1, 1, tzinfo=ZoneInfo(zone_name)))
    starts = [end - offset for offset in offsets] + [end, end + 1]  # the last two: out of range
    expected = scalar(Calendar.from_spec(spec), starts, duration)
    cal = Calendar.from_spec(spec)
    got, failed = deadlines_array_masked(cal, starts, duration)
    assert_same(cal, starts, duration, expected, got, failed)
    assert failed[-2:].all()


@given(st.lists(st.integers(0, 3 * 365), min_size=1, max_size=8), DURATIONS)
def test_holiday_data_warnings_are_the_scalar_ones(days: list[int], duration: Duration) -> None:
    """Past the official holiday data: one HolidayDataWarning per calendar and year, the
    same ones as the scalar loop gives."""
    spec = {
        "timezone": "Asia/Shanghai",
        "hours": {"mon-fri": ["09:00-12:00", "13:30-18:00"]},
        "holidays": {"country": "CN"},
    }
    base = us_of(datetime(2025, 10, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    starts = [base + day * 86_400 * 10**6 for day in days]

    def caught(run: Any) -> list[str]:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            run()
        assert all(w.category is HolidayDataWarning for w in seen)
        return [str(w.message) for w in seen]

    expected = caught(lambda: scalar(Calendar.from_spec(spec), starts, duration))
    cal = Calendar.from_spec(spec)
    got = caught(lambda: deadlines_array_masked(cal, starts, duration))
    assert sorted(got) == sorted(expected)
    assert len(set(got)) == len(got)  # once per year
    assert caught(lambda: deadlines_array_masked(cal, starts, duration)) == []  # and per calendar


# ---------------------------------------------------------------------- examples

OFFICE = {
    "timezone": "Asia/Shanghai",
    "hours": {"mon-fri": ["09:00-12:00", "13:30-18:00"]},
    "holidays": {"country": "CN"},
}


def _dues(spec: dict[str, Any], starts: list[str], duration: Duration | Until) -> list[str]:
    cal = Calendar.from_spec(spec)
    dues = deadlines_array(cal, [cal.to_us(s) for s in starts], duration)
    return [cal.from_us(d).isoformat() for d in dues.tolist()]


def test_the_worked_examples_of_docs_deadlines_on_arrays() -> None:
    two_hours = parse_duration("2h")
    assert _dues(
        OFFICE, ["2026-05-12T16:00", "2026-05-15T17:00", "2026-05-15T19:00"], two_hours
    ) == [
        "2026-05-12T18:00:00+08:00",  # on the closing time
        "2026-05-18T10:00:00+08:00",  # over the weekend
        "2026-05-18T11:00:00+08:00",  # from a closed instant
    ]
    assert _dues(OFFICE, ["2026-05-12T11:30", "2026-05-12T12:15"], parse_duration("1h")) == [
        "2026-05-12T14:00:00+08:00",
        "2026-05-12T14:30:00+08:00",  # from the lunch break: the hour starts at 13:30
    ]
    assert _dues(
        OFFICE, ["2026-09-30T16:00", "2026-10-09T10:00", "2026-05-12T12:30"], Duration(1)
    ) == [
        "2026-10-08T16:00:00+08:00",  # across National Day
        "2026-10-10T10:00:00+08:00",  # a make-up Saturday
        "2026-05-13T13:30:00+08:00",  # from the lunch break
    ]
    assert _dues(OFFICE, ["2026-10-08T16:00", "2026-10-09T16:00"], parse_duration("1d4h")) == [
        "2026-10-10T11:00:00+08:00",
        "2026-10-12T11:00:00+08:00",
    ]
    review = Until(16 * 3600, weekday=4)
    assert _dues(OFFICE, ["2026-05-12T10:00", "2026-05-15T16:00", "2026-09-25T17:00"], review) == [
        "2026-05-15T16:00:00+08:00",
        "2026-05-22T16:00:00+08:00",
        "2026-10-09T16:00:00+08:00",  # Friday 10-02 is a holiday
    ]
    assert _dues(OFFICE, ["2026-05-12T10:00", "2026-05-15T10:00"], Until(8 * 3600, 1)) == [
        "2026-05-12T18:00:00+08:00",  # before Wednesday's opening: Tuesday's close
        "2026-05-15T18:00:00+08:00",
    ]


def test_hours_are_elapsed_time_and_days_wall_clock_across_dst() -> None:
    ny = {"timezone": "America/New_York", "hours": "always"}
    starts = ["2026-03-07T12:00", "2026-10-31T12:00"]
    assert _dues(ny, starts, parse_duration("24h")) == [
        "2026-03-08T13:00:00-04:00",
        "2026-11-01T11:00:00-05:00",
    ]
    assert _dues(ny, starts, parse_duration("1d")) == [
        "2026-03-08T12:00:00-04:00",
        "2026-11-01T12:00:00-05:00",
    ]
    # a wall-clock time skipped in spring: as many minutes after the jump
    assert _dues(ny, ["2026-03-07T02:30"], Duration(1)) == ["2026-03-08T03:30:00-04:00"]


def test_night_shift_wall_clock_targets() -> None:
    nights = {"timezone": "Asia/Shanghai", "hours": {"mon-fri": ["22:00-06:00"]}}
    starts = ["2026-05-11T23:00", "2026-05-11T21:00", "2026-05-12T02:00", "2026-05-12T05:30"]
    assert _dues(nights, starts, Until(5 * 3600)) == [
        "2026-05-12T05:00:00+08:00",
        "2026-05-12T05:00:00+08:00",
        "2026-05-12T05:00:00+08:00",
        "2026-05-13T05:00:00+08:00",  # inside Monday's shift, after 05:00: Wednesday's
    ]
    targets = [Until(by, days) for by in (3 * 3600, 5 * 3600, 23 * 3600) for days in (0, 1, 2)]
    targets += [Until(by, weekday=day) for by in (3 * 3600, 5 * 3600) for day in (0, 1, 2, 4)]
    reference = Calendar.from_spec(nights)
    for target in targets:  # never at or before the start
        cal = Calendar.from_spec(nights)
        column = [cal.to_us(t) for t in starts]
        assert deadlines_array(cal, column, target).tolist() == scalar(reference, column, target)


def test_out_of_range_elements_are_reported_per_element() -> None:
    cal = Calendar.from_spec({"timezone": "UTC", "hours": "always"})
    ok = [cal.to_us("2026-05-12T10:00"), cal.to_us("2199-12-30T10:00")]
    beyond = cal.to_us("2199-12-31T20:00")  # plus 8h: 2200-01-01 04:00
    before = cal.min_us - 1
    after = cal.max_us + 10
    starts = np.array([ok[0], beyond, before, after, ok[1]], dtype=np.int64)
    eight = parse_duration("8h")
    dues, failed = deadlines_array_masked(cal, starts, eight)
    assert failed.tolist() == [False, True, True, True, False]
    assert dues.tolist() == [cal.add_us(ok[0], eight), 0, 0, 0, cal.add_us(ok[1], eight)]
    # the raising form raises the scalar path's error of the first failing element
    with pytest.raises(CalendarError) as scalar_error:
        cal.add_us(beyond, eight)
    with pytest.raises(CalendarError) as array_error:
        deadlines_array(cal, starts, eight)
    assert str(array_error.value) == str(scalar_error.value)
    # several durations: a start fails as a whole, the others keep every deadline
    dues2, failed2 = deadlines_arrays_masked(cal, starts, [eight, Duration(), Duration(1)])
    assert failed2.tolist() == [False, True, True, True, False]
    assert dues2[:, 0].tolist() == cal.deadlines_us(ok[0], [eight, Duration(), Duration(1)])
    assert dues2[:, 1].tolist() == [0, 0, 0]


def test_a_calendar_that_stops_working_fails_only_the_late_deadlines() -> None:
    spec = {"timezone": "Europe/London", "hours": {}, "workdays": ["2026-05-12", "2026-05-14"]}
    spec["workday_hours"] = ["09:00-17:00"]
    cal = Calendar.from_spec(spec)
    starts = [cal.to_us(t) for t in ("2026-05-12T10:00", "2026-05-14T10:00", "2026-05-20T10:00")]
    dues, failed = deadlines_array_masked(cal, starts, parse_duration("4h"))
    assert failed.tolist() == [False, False, True]
    assert dues[:2].tolist() == [cal.add_us(s, parse_duration("4h")) for s in starts[:2]]
    dues, failed = deadlines_array_masked(cal, starts, Duration(1))
    assert failed.tolist() == [False, True, True]
    with pytest.raises(CalendarError, match="no working time after"):
        deadlines_array(cal, starts, Duration(1))
    # years later: the span prepared for these starts has no window at all
    later = [cal.to_us("2031-01-01T10:00"), cal.to_us("2032-01-01T10:00")]
    for duration in (parse_duration("1h"), Duration(), Until(18 * 3600)):
        dues, failed = deadlines_array_masked(Calendar.from_spec(spec), later, duration)
        assert failed.all()


def test_a_weekday_that_never_works_fails_each_element() -> None:
    weekdays = {"timezone": "Asia/Shanghai", "hours": {"mon-fri": ["09:00-18:00"]}}
    cal = Calendar.from_spec(weekdays)
    starts = [cal.to_us("2026-05-12T10:00"), cal.to_us("2026-05-16T10:00")]
    dues, failed = deadlines_array_masked(cal, starts, Until(10 * 3600, weekday=5))
    assert failed.all()
    assert dues.tolist() == [0, 0]
    with pytest.raises(CalendarError, match="no working Saturday within two years"):
        deadlines_array(cal, starts, Until(10 * 3600, weekday=5))
    # Saturdays that work only as make-up days are found months away
    with_make_up = Calendar.from_spec({**weekdays, "workdays": ["2026-10-10"]})
    due = deadlines_array(with_make_up, starts, Until(10 * 3600, weekday=5))
    assert {with_make_up.from_us(d).date() for d in due.tolist()} == {date(2026, 10, 10)}


def test_starts_near_1901_are_answered_or_refused_as_the_scalar_path() -> None:
    spec = {"timezone": "Asia/Shanghai", "hours": {"mon-fri": ["09:00-18:00"]}}
    cal = Calendar.from_spec(spec)
    starts = [cal.min_us - 1, cal.min_us, cal.min_us + 3_600_000_000, cal.min_us + 10**12]
    for duration in (parse_duration("8h"), Duration(2), Until(18 * 3600)):
        expected = scalar(Calendar.from_spec(spec), starts, duration)
        got, failed = deadlines_array_masked(cal, starts, duration)
        assert_same(cal, starts, duration, expected, got, failed)


def test_inputs_of_any_integer_kind_and_empty_ones() -> None:
    cal = Calendar.from_spec({"timezone": "UTC", "hours": "always"})
    start = cal.to_us("2026-05-12T10:00")
    hour = parse_duration("1h")
    for column in ([start], (start,), np.array([start], dtype=np.uint64)):
        assert deadlines_array(cal, column, hour).tolist() == [start + 3_600_000_000]
    assert deadlines_array(cal, np.array([], dtype=np.int64), hour).shape == (0,)
    dues, failed = deadlines_arrays_masked(cal, [], [hour, Duration(1)])
    assert dues.shape == (2, 0)
    assert failed.shape == (0,)
    with pytest.raises(TypeError, match="integers"):
        deadlines_array(cal, np.array([1.5]), hour)
    with pytest.raises(ValueError, match="one-dimensional"):
        deadlines_array(cal, np.array([[start]]), hour)


def test_starts_beyond_int64_are_out_of_range_not_wrapped() -> None:
    """A uint64 start past the int64 range is refused as the scalar path refuses it; it
    must not wrap around to a negative instant."""
    cal = Calendar.from_spec({"timezone": "UTC", "hours": "always"})
    start = cal.to_us("2026-05-12T10:00")
    huge = (1 << 64) - 1 - (1 << 63) + start  # 2**63 + start - 1: wraps to start - 1 in int64
    column = np.array([start, huge], dtype=np.uint64)
    dues, failed = deadlines_array_masked(cal, column, parse_duration("1h"))
    assert failed.tolist() == [False, True]
    assert dues.tolist() == [start + 3_600_000_000, 0]


@pytest.mark.parametrize(
    "duration",
    [
        Duration(10**12),
        Duration(2**70),  # beyond int64
        Duration(0, timedelta(days=10**8)),
        Duration(0, timedelta(days=999_999_999)),  # beyond int64 microseconds
        Duration(3, timedelta(days=999_999_999)),
        Until(3600, 2**70),
    ],
    ids=["days", "days-2**70", "hours", "hours-max", "days-and-hours", "until-days"],
)
def test_durations_too_long_for_any_calendar_fail_as_the_scalar_path(
    duration: Duration | Until,
) -> None:
    spec = {"timezone": "Europe/London", "hours": {"mon-fri": ["09:00-17:00"]}}
    cal = Calendar.from_spec(spec)
    starts = [cal.to_us("2196-05-12T10:00"), cal.to_us("2198-01-01T00:00")]
    expected = scalar(Calendar.from_spec(spec), starts, duration)
    assert expected == [None, None]
    got, failed = deadlines_array_masked(cal, starts, duration)
    assert_same(cal, starts, duration, expected, got, failed)


def test_threads_share_a_calendar() -> None:
    spec = {"timezone": "Europe/London", "hours": {"mon-fri": ["08:00-12:00", "22:00-02:00"]}}
    cal = Calendar.from_spec(spec)
    reference = Calendar.from_spec(spec)
    rng = np.random.default_rng(7)
    base = reference.to_us("2026-01-01T00:00")
    columns = [rng.integers(base, base + k * 400 * 86_400 * 10**6, 2_000) for k in range(1, 5)]
    duration = Duration(2, timedelta(hours=3))
    results: dict[int, np.ndarray[Any, Any]] = {}

    def work(k: int) -> None:
        results[k] = deadlines_array(cal, columns[k], duration)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for k, column in enumerate(columns):
        assert results[k].tolist() == scalar(reference, column.tolist(), duration)


def test_import_slapolicy_does_not_need_numpy() -> None:
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "import slapolicy, slapolicy._calendar as c\n"
        "print(slapolicy.Calendar.from_spec({'timezone': 'UTC', 'hours': 'always'}).name)\n"
        "try:\n"
        "    c.deadlines_array\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.splitlines() == [
        "None",
        "deadlines_array needs numpy: install the batch extra (pip install 'slapolicy[batch]')",
    ]


# ---------------------------------------------------------------------- the parts


SORTED = st.lists(st.integers(-(10**12), 10**12), min_size=0, max_size=300).map(sorted)


@given(
    st.one_of(
        SORTED,
        # crowded: many values in a few buckets, and repeated values
        st.lists(st.integers(0, 50), min_size=1, max_size=200).map(
            lambda v: sorted([*v, *(x * 10**9 for x in v)])
        ),
    ),
    st.lists(st.integers(-(2 * 10**12), 2 * 10**12), max_size=100),
)
def test_bucketed_search_is_numpy_searchsorted(values: list[int], probes: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    v = np.array(probes + values + [x + 1 for x in values] + [x - 1 for x in values], np.int64)
    search = vector._Search(array)
    assert search.right(v).tolist() == np.searchsorted(array, v, "right").tolist()
    assert search.left(v).tolist() == np.searchsorted(array, v, "left").tolist()


class _Jumpy(tzinfo):
    """A zone that changes its offset twice within an hour (no real zone does): +05:00 until
    2026-05-12 10:00 UTC, then UTC for an hour, then +01:00."""

    CHANGES = (
        datetime(2026, 5, 12, 10, tzinfo=UTC),
        datetime(2026, 5, 12, 11, tzinfo=UTC),
    )
    OFFSETS = (timedelta(hours=5), timedelta(0), timedelta(hours=1))

    def utcoffset(self, dt: datetime | None) -> timedelta:
        assert dt is not None
        wall = dt.replace(tzinfo=None)
        for change, before, after in zip(
            self.CHANGES, self.OFFSETS, self.OFFSETS[1:], strict=False
        ):
            if wall < change.replace(tzinfo=None) + max(before, after):  # fold 0
                return before
        return self.OFFSETS[-1]

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "Jumpy"

    def fromutc(self, dt: datetime) -> datetime:
        utc = dt.replace(tzinfo=UTC)
        offset = self.OFFSETS[sum(utc >= change for change in self.CHANGES)]
        return (dt + offset).replace(tzinfo=self)


def test_a_zone_whose_wall_times_do_not_sort_goes_to_the_scalar_path() -> None:
    jumpy = _Jumpy()
    zone = vector._zone(
        jumpy, us_of(datetime(2026, 5, 1, tzinfo=UTC)), us_of(datetime(2026, 6, 1, tzinfo=UTC))
    )
    assert not zone.reads_walls
    assert zone.changes.values.tolist() == [us_of(change) for change in _Jumpy.CHANGES]
    parts = dataclasses.replace(
        parse_spec({"timezone": "UTC", "hours": {"mon-sun": ["00:00-24:00"]}}), timezone=jumpy
    )
    starts = [us_of(datetime(2026, 5, 11, 20, tzinfo=UTC)) + k * 1_800_000_000 for k in range(40)]
    for duration in (parse_duration("3h"), Duration(1), Until(12 * 3600), Until(14 * 3600, 1)):
        expected = scalar(Calendar(parts), starts, duration)
        got, failed = deadlines_array_masked(Calendar(parts), starts, duration)
        assert_same(Calendar(parts), starts, duration, expected, got, failed)
