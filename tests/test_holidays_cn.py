"""Cross-check the Chinese working-day calendar against an independent data source.

slapolicy takes China's public holidays and official make-up working days (调休) from the
`holidays` package. `chinese-calendar` is a separate, hand-maintained transcription of the
State Council's annual notices; for every date of 2025 and 2026 the two must agree on whether
the date is a working day, as seen through the public Calendar API of a Mon-Fri office.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from typing import Any

import chinese_calendar
import holidays
import pytest

from slapolicy._calendar import Calendar

SPEC: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "hours": {"mon-fri": ["09:00-12:00", "13:30-18:00"]},
    "holidays": {"country": "CN"},
}

YEARS = (2025, 2026)

# The make-up working days announced for 2025 and 2026 (State Council notices).
MAKEUP_DAYS = {
    2025: ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    2026: ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
}


@pytest.fixture(scope="module")
def office() -> Calendar:
    return Calendar.from_spec(SPEC)


def _days(year: int, month: int) -> list[dt.date]:
    last = stdlib_calendar.monthrange(year, month)[1]
    return [dt.date(year, month, d) for d in range(1, last + 1)]


def _is_working_day(office: Calendar, day: dt.date) -> bool:
    """A date is a working day when both its morning and afternoon windows are open."""
    morning = office.is_working(f"{day.isoformat()}T10:00")
    afternoon = office.is_working(f"{day.isoformat()}T15:00")
    assert morning == afternoon, f"{day}: morning {morning}, afternoon {afternoon}"
    return morning


@pytest.mark.parametrize(
    ("year", "month"),
    [pytest.param(y, m, id=f"{y}-{m:02d}") for y in YEARS for m in range(1, 13)],
)
def test_working_days_match_chinese_calendar(office: Calendar, year: int, month: int) -> None:
    mismatches = [
        f"{day} ({day:%a}): slapolicy says {ours}, chinese_calendar says {theirs}"
        for day in _days(year, month)
        if (ours := _is_working_day(office, day)) != (theirs := chinese_calendar.is_workday(day))
    ]
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("year", YEARS)
def test_makeup_days_in_both_sources(year: int) -> None:
    expected = sorted(dt.date.fromisoformat(d) for d in MAKEUP_DAYS[year])
    from_holidays = sorted(
        d for d in holidays.country_holidays("CN", years=year).weekend_workdays if d.year == year
    )
    from_chinese_calendar = [
        day
        for month in range(1, 13)
        for day in _days(year, month)
        if day.weekday() >= 5 and chinese_calendar.is_workday(day)
    ]
    assert from_holidays == expected
    assert from_chinese_calendar == expected


@pytest.mark.parametrize("year", YEARS)
def test_working_day_counts(office: Calendar, year: int) -> None:
    # A whole year of working time is (number of working days) x 7h30m.
    days = [day for month in range(1, 13) for day in _days(year, month)]
    working_days = sum(chinese_calendar.is_workday(day) for day in days)
    total = office.elapsed(f"{year}-01-01T00:00", f"{year}-12-31T23:59:59")
    assert total == working_days * dt.timedelta(hours=7, minutes=30)
