"""A column of start values is read exactly as the scalar reader reads each value."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slapolicy._batch.instants import read_instants
from slapolicy._calendar import InstantReader
from slapolicy._errors import CalendarError

ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "Asia/Kathmandu", "UTC"]


def scalar(reader: InstantReader, value: Any) -> int | None:
    try:
        return reader.to_us(value)
    except CalendarError:
        return None


digits = st.integers


@st.composite
def plain_text(draw: st.DrawFn) -> str:
    """ISO text of the exported form, its fields at and past their limits."""
    year = draw(st.sampled_from([1900, 1901, 1970, 2026, 2199, 2200, 9999]) | digits(1000, 2300))
    month = draw(digits(1, 12))
    day = draw(digits(1, 31))
    hour, minute, second = draw(digits(0, 23)), draw(digits(0, 59)), draw(digits(0, 59))
    fraction = draw(st.sampled_from(["", ".5", ".123", ".000001", ".999999"]))
    zone = draw(st.sampled_from(["Z", "+08:00", "-05:00", "+05:45", "-00:00", "+23:59", "-12:30"]))
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{fraction}{zone}"


#: near misses: forms the fast path must leave to the scalar reader
other_text = st.sampled_from(
    [
        "2026-05-08T17:30:00",
        "2026-05-08 17:30:00+08:00",
        "2026-05-08T17:30+08:00",
        "2026-05-08T17:30:00+0800",
        "2026-05-08T17:30:00.1234567+08:00",
        "2026-05-08T24:00:00Z",
        "2026-05-08T23:59:60Z",
        "2026-05-08",
        "2026-02-30T10:00:00Z",
        "2026-05-08t17:30:00z",
        "２０２６-05-08T17:30:00Z",
        " 2026-05-08T17:30:00Z",
        "2026-05-08T17:30:00+24:00",
        "yesterday",
        "",
    ]
)

aware = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2200, 12, 31),
    timezones=st.sampled_from(
        [timezone.utc, timezone(timedelta(hours=8)), ZoneInfo("Europe/London")]
    ),
)
values = st.one_of(plain_text(), other_text, aware, st.datetimes(), st.integers(), st.dates())


@settings(max_examples=200, deadline=None)
@given(zone=st.sampled_from(ZONES), column=st.lists(values, min_size=0, max_size=150))
def test_a_column_reads_as_each_value_reads(zone: str, column: list[Any]) -> None:
    reader = InstantReader(ZoneInfo(zone))
    us, failed = read_instants(reader, column)
    for index, value in enumerate(column):
        expected = scalar(reader, value)
        if expected is None:
            assert failed[index], value
        else:
            assert not failed[index], value
            assert us[index] == expected, value


@settings(max_examples=100, deadline=None)
@given(zone=st.sampled_from(ZONES), column=st.lists(plain_text(), min_size=64, max_size=200))
def test_plain_text_columns_go_the_fast_way_and_agree(zone: str, column: list[str]) -> None:
    reader = InstantReader(ZoneInfo(zone))
    us, failed = read_instants(reader, column)
    assert [None if f else int(u) for u, f in zip(us, failed, strict=True)] == [
        scalar(reader, value) for value in column
    ]


def test_a_day_the_month_lacks_leaves_the_whole_column_to_the_scalar_reader() -> None:
    reader = InstantReader(ZoneInfo("Asia/Shanghai"))
    column = [f"2026-05-{day:02d}T10:00:00+08:00" for day in range(1, 29)] * 3
    column.append("2026-02-30T10:00:00+08:00")
    us, failed = read_instants(reader, column)
    assert failed.tolist() == [False] * (len(column) - 1) + [True]
    assert us[0] == scalar(reader, column[0])
