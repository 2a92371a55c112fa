"""The ways an instant may be given (:meth:`InstantReader.to_us`, :meth:`Calendar.add`).

An aware datetime, a pendulum one, a naive datetime read in the calendar's zone, and ISO-8601
text (with an offset, ``Z``, or none) must all name the same instant and give the same
deadline; a naive value is read as ``naive.replace(tzinfo=zone)`` is (PEP 495: a wall time
skipped by a DST jump lies as many minutes after the jump, a repeated one is the first
occurrence unless ``fold=1``). Values the reader refuses must be refused with the same error
and message as by the reading before naive values got their fast path (``previous_to_us``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import example, given, note
from hypothesis import strategies as st

from slapolicy._calendar import Calendar, InstantReader
from slapolicy._calendar.instants import parse_instant
from slapolicy._durations import parse_duration
from slapolicy._errors import CalendarError
from slapolicy.testing import instants

UTC = timezone.utc
US = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: DST zones with gaps and folds (Lord Howe: 30 minutes), fixed offsets like +05:45
ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Asia/Shanghai",
    "UTC",
)
SPECS = {
    "office": {"mon-fri": ["09:00-12:00", "13:30-18:00"]},
    "nights": {"mon-fri": ["22:00-06:00"], "sun": ["01:00-03:00"]},
    "always": "always",
}
DURATIONS = [parse_duration(text) for text in ("0m", "4h", "1d", "1d2h30m")]


def calendar(zone_name: str, hours: str = "office") -> Calendar:
    return Calendar.from_spec({"timezone": zone_name, "hours": SPECS[hours]})


def us_of(t: datetime) -> int:
    return (t - EPOCH) // US


def previous_to_us(reader: InstantReader, value: Any) -> int:
    """``InstantReader.to_us`` as it was before the fast path for naive values: the naive
    value was made aware (``replace(tzinfo=zone)``) after the subtraction raised TypeError."""
    if isinstance(value, str):
        value = parse_instant(value)
    if isinstance(value, datetime):
        try:
            try:
                us = datetime.__sub__(value, EPOCH) // US
            except TypeError:
                value = value.replace(tzinfo=reader.timezone)
                us = datetime.__sub__(value, EPOCH) // US
        except (ValueError, OverflowError) as exc:
            raise CalendarError(f"invalid date and time: {exc}") from None
    elif isinstance(value, date):
        raise CalendarError(f"expected a date and time, got only a date {value.isoformat()!r}")
    else:
        raise CalendarError(
            f"expected a datetime or an ISO-8601 string, got {type(value).__name__}"
        )
    if not reader.min_us <= us < reader.max_us:
        raise CalendarError(
            f"instant {value!s} is beyond the supported range (1901-01-01 to 2199-12-31)"
        )
    return us


def outcome(read: Any, value: Any) -> tuple[str, object]:
    """What reading ``value`` gives: the instant, or the error class and message."""
    try:
        return "ok", read(value)
    except Exception as exc:  # the error itself is what is compared
        return type(exc).__name__, str(exc)


# ---------------------------------------------------------------------- strategies


@st.composite
def wall_times(draw: st.DrawFn, zone_name: str) -> datetime:
    """A naive wall time in ``zone_name``, to the microsecond, with either fold: often in
    the hours around a DST change, so also in the hour it skips or repeats."""
    zone = ZoneInfo(zone_name)
    near = draw(instants(zone, datetime(1990, 1, 1), datetime(2120, 12, 31)))
    shift = draw(st.sampled_from([0, 0, 30, -30, 60, -60, 90])) * 60
    micro = draw(st.sampled_from([0, 0, 500_000, 123_000, 1, 999_999]) | st.integers(0, 999_999))
    wall = near.replace(tzinfo=None) + timedelta(seconds=shift, microseconds=micro)
    return wall.replace(fold=draw(st.integers(0, 1)))


# ---------------------------------------------------------------------- every form, one answer


@given(st.sampled_from(ZONES).flatmap(lambda z: st.tuples(st.just(z), wall_times(z))))
@example(("America/New_York", datetime(2026, 3, 8, 2, 30)))  # skipped: 03:30 EDT
@example(("America/New_York", datetime(2026, 11, 1, 1, 30)))  # repeated: the first, EDT
@example(("America/New_York", datetime(2026, 11, 1, 1, 30, fold=1)))  # the second, EST
@example(("Europe/London", datetime(2026, 3, 29, 1, 0)))  # skipped at its first instant
@example(("Europe/London", datetime(2026, 10, 25, 1, 59, 59, 999_999, fold=1)))
@example(("Australia/Lord_Howe", datetime(2026, 4, 5, 1, 45)))  # a 30-minute fold
def test_naive_iso_aware_and_pendulum_inputs_name_the_same_instant(
    case: tuple[str, datetime],
) -> None:
    zone_name, wall = case
    zone = ZoneInfo(zone_name)
    cal = calendar(zone_name)
    nights = calendar(zone_name, "nights")
    aware = wall.replace(tzinfo=zone)  # the documented reading of a naive value
    expected = us_of(aware)
    at_utc = aware.astimezone(UTC)
    note(f"{wall!r} in {zone_name}: {at_utc}")
    instant_forms: list[datetime | str] = [
        aware,
        at_utc,
        aware.astimezone(timezone(aware.utcoffset() or timedelta())),
        pendulum.instance(at_utc).in_timezone(zone_name),
        pendulum.naive(*wall.timetuple()[:6], wall.microsecond, fold=wall.fold),
        wall,
        aware.isoformat(),  # the offset, +05:45 in Kathmandu
        at_utc.replace(tzinfo=None).isoformat() + "Z",
        aware.isoformat(sep=" "),
    ]
    if not wall.fold:  # ISO text has no fold: it is read with fold 0
        instant_forms += [wall.isoformat(), wall.isoformat(sep=" ")]
    if wall.microsecond % 1000 == 0:  # fractional seconds to the millisecond
        instant_forms += [aware.isoformat(timespec="milliseconds")]
    for form in instant_forms:
        assert cal.to_us(form) == expected, f"{form!r}"
    for duration in DURATIONS:
        for deadlines in (cal, nights):
            due = deadlines.add(aware, duration)
            for form in instant_forms:
                assert deadlines.add(form, duration) == due, f"{duration} from {form!r}"
    assert {cal.is_working(form) for form in instant_forms} == {cal.is_working(aware)}


@given(
    st.sampled_from(
        [timezone(timedelta(hours=5, minutes=45)), timezone(timedelta(hours=-3, minutes=-30)), UTC]
    ),
    st.datetimes(datetime(1950, 1, 1), datetime(2150, 1, 1)),
)
def test_a_fixed_offset_reader_reads_naive_values_at_its_offset(
    zone: timezone, wall: datetime
) -> None:
    reader = InstantReader(zone)
    expected = us_of(wall.replace(tzinfo=zone))
    assert reader.to_us(wall) == expected
    assert reader.to_us(wall.isoformat()) == expected
    assert reader.to_us(wall.replace(tzinfo=zone).isoformat()) == expected


class _Shifted(tzinfo):
    """A tzinfo of another class than ZoneInfo and timezone, whose utcoffset of a naive
    value is not its reading (it answers +02:00 for naive values, +01:00 for aware ones):
    the reader must not take the fast path for it."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=2 if dt is None or dt.tzinfo is None else 1)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "Shifted"


def test_other_tzinfo_classes_read_naive_values_as_replace_does() -> None:
    reader = InstantReader(_Shifted())
    wall = datetime(2026, 5, 12, 10, 30)
    assert reader.to_us(wall) == us_of(wall.replace(tzinfo=UTC)) - 3_600_000_000
    assert reader.to_us(wall) == previous_to_us(reader, wall)


def test_pendulum_naive_values_keep_their_fold() -> None:
    """pendulum.naive defaults to fold=1: the second 01:30 of New York's fall-back night."""
    cal = calendar("America/New_York", "always")
    second = pendulum.naive(2026, 11, 1, 1, 30)
    assert cal.from_us(cal.to_us(second)).isoformat() == "2026-11-01T01:30:00-05:00"
    first = pendulum.naive(2026, 11, 1, 1, 30, fold=0)
    assert cal.from_us(cal.to_us(first)).isoformat() == "2026-11-01T01:30:00-04:00"


# ---------------------------------------------------------------------- refusals unchanged

BAD_TEXT = [
    "2026-05-12",  # a date alone
    "20260512",
    "garbage",
    "",
    "2026-05-12T25:00",
    "2026-02-30T10:00",
    "2026-05-12T10:00+24:00",
    "2026-05-12T10:00:00+25:00",
    "1900-12-31T23:59:59",  # before 1901 in the zone
    "2200-01-01T00:00",
    "2199-12-31T23:59:59.999999-12:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59.999999",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+14:00",
    "2026-05-12T10:00" + "0" * 80,  # too long
    "2026-W20-2",
    "T10:00",
    "2026-05-12T10:00ZZ",
]


@pytest.mark.parametrize("zone_name", ["Asia/Shanghai", "America/New_York", "Pacific/Kiritimati"])
@pytest.mark.parametrize("value", [*BAD_TEXT, None, 17, 1.5, date(2026, 5, 12), b"2026"])
def test_refusals_are_those_of_the_previous_reading(zone_name: str, value: object) -> None:
    cal = calendar(zone_name)
    got = outcome(cal.to_us, value)
    assert got == outcome(lambda v: previous_to_us(cal, v), value)


def test_a_naive_value_out_of_range_is_shown_as_read_in_the_zone() -> None:
    cal = calendar("Asia/Shanghai")
    with pytest.raises(CalendarError, match=r"instant 1900-12-31 23:00:00\+08:0"):
        cal.to_us(datetime(1900, 12, 31, 23))
    with pytest.raises(CalendarError, match=r"instant 2200-01-01 00:00:00\+08:00 is beyond"):
        cal.add("2200-01-01T00:00", parse_duration("1h"))


@given(
    st.sampled_from((*ZONES, "Pacific/Kiritimati", "Etc/GMT+12")),
    st.one_of(
        st.datetimes(allow_imaginary=True),
        st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=14))])),
        st.datetimes().map(lambda d: d.isoformat()),
        st.text(alphabet="0123456789-:+TZ. ", max_size=32),
        st.from_regex(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?"),
    ),
)
def test_any_value_is_read_or_refused_as_by_the_previous_reading(
    zone_name: str, value: datetime | str
) -> None:
    cal = calendar(zone_name)
    assert outcome(cal.to_us, value) == outcome(lambda v: previous_to_us(cal, v), value)
