"""Holiday and time-zone data under a policy: visible in decisions and in the version."""

from __future__ import annotations

import importlib.resources
import pickle
import warnings
import zoneinfo
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import slapolicy
from slapolicy import Calendar, load_policy

POLICY = """\
slapolicy: 1
name: horizon
timezone: Asia/Shanghai
calendars:
  office:
    hours: {mon-fri: ["09:00-12:00", "13:30-18:00"]}
    holidays: {country: CN}
  plain:
    hours: {mon-fri: ["09:00-18:00"]}
categories:
  - {id: other}
priorities:
  - {id: P1}
slas:
  - id: standard
    calendar: office
    targets: {P1: {response: 2h, resolve: 3d, update: {within: 5d, calendar: plain}}}
routing:
  - {owner: desk}
"""


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", slapolicy.HolidayDataWarning)
        yield


def official_until() -> date:
    until = load_policy(POLICY).rules.calendars["office"].holiday_data_until
    assert until is not None
    return until


def start_days_before_the_horizon(days: int) -> str:
    """09:00 on the working day ``days`` working days before the official data ends."""
    office = load_policy(POLICY).rules.calendars["office"]
    day = official_until()
    found = 0
    while True:
        if office.windows(day, day):
            found += 1
            if found > days:
                return datetime(day.year, day.month, day.day, 9).isoformat() + "+08:00"
        day = date.fromordinal(day.toordinal() - 1)


def test_a_deadline_past_the_official_data_carries_a_warning() -> None:
    policy = load_policy(POLICY)
    start = start_days_before_the_horizon(1)  # response stays inside, resolve (3d) leaves it
    decision = policy.evaluate({"created_at": start})
    assert decision.resolve_due is not None
    assert decision.resolve_due.date() > official_until()
    assert len(decision.warnings) == 1
    (message,) = decision.warnings
    assert message.startswith(f"resolve due {decision.resolve_due.isoformat()}")
    assert f"official holiday data (ends {official_until()})" in message
    assert "'office'" in message
    assert decision.to_dict()["warnings"] == [message]
    assert pickle.loads(pickle.dumps(decision)).warnings == decision.warnings


def test_a_calendar_without_country_data_never_warns() -> None:
    """`update` counts 5 days on `plain`, which has no country holidays."""
    decision = load_policy(POLICY).evaluate({"created_at": start_days_before_the_horizon(1)})
    assert decision.targets["update"].due.date() > official_until()
    assert not any(w.startswith("update") for w in decision.warnings)


def test_deadlines_inside_the_official_data_have_no_warning() -> None:
    decision = load_policy(POLICY).evaluate({"created_at": start_days_before_the_horizon(10)})
    assert decision.warnings == ()
    assert decision.to_dict()["warnings"] == []


def test_every_deadline_past_it_is_named() -> None:
    later = official_until().year + 1
    decision = load_policy(POLICY).evaluate({"created_at": f"{later}-03-02T09:00:00+08:00"})
    assert sorted(w.split(" ")[0] for w in decision.warnings) == ["resolve", "response"]


def test_the_calendar_names_its_data_sources() -> None:
    office = load_policy(POLICY).rules.calendars["office"]
    kinds = {(s.kind, s.name) for s in office.data_sources}
    assert kinds == {("tzdata", "Asia/Shanghai"), ("holidays", "CN")}
    holiday = next(s for s in office.data_sources if s.kind == "holidays")
    assert f"official until {official_until().year}" in holiday.version
    assert office.provisional_from_us is not None
    assert load_policy(POLICY).rules.calendars["plain"].provisional_from_us is None


def test_the_policy_lists_the_data_its_version_covers() -> None:
    rules = load_policy(POLICY).rules
    assert {(s.kind, s.name) for s in rules.data_sources} == {
        ("tzdata", "Asia/Shanghai"),
        ("holidays", "CN"),
    }


def _utc_zone_file() -> bytes:
    try:
        return importlib.resources.files("tzdata.zoneinfo").joinpath("UTC").read_bytes()
    except (ImportError, OSError):  # pragma: no cover - tzdata is a dependency
        return Path("/usr/share/zoneinfo/UTC").read_bytes()


def test_the_version_changes_with_the_time_zone_data(tmp_path: Path) -> None:
    """Other tz data for Asia/Shanghai (here: a zone file that says UTC) is another version,
    and indeed gives other deadlines for the same text."""
    policy = load_policy(POLICY)
    ticket = {"created_at": "2026-06-01T09:00:00"}  # naive: read in the policy's zone
    folder = tmp_path / "zoneinfo" / "Asia"
    folder.mkdir(parents=True)
    (folder / "Shanghai").write_bytes(_utc_zone_file())
    zoneinfo.reset_tzpath(to=[str(tmp_path / "zoneinfo")])
    zoneinfo.ZoneInfo.clear_cache()
    try:
        other = load_policy(POLICY)
        other_due = other.evaluate(ticket).response_due
    finally:
        zoneinfo.reset_tzpath()
        zoneinfo.ZoneInfo.clear_cache()
    assert other.version != policy.version
    assert other_due != policy.evaluate(ticket).response_due
    assert load_policy(POLICY).version == policy.version  # back to the real data


def test_the_version_changes_with_the_holiday_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade of `holidays` that adds a day off: simulated by wrapping the package."""
    from slapolicy._calendar import holidays as country_module

    before = load_policy(POLICY).version
    real = country_module._holidays.country_holidays

    def with_one_more(*args: Any, **kwargs: Any) -> Any:
        data = real(*args, **kwargs)
        data[date(2026, 6, 1)] = "a new day off"
        return data

    monkeypatch.setattr(country_module._holidays, "country_holidays", with_one_more)
    country_module._fingerprint.cache_clear()
    try:
        after = load_policy(POLICY).version
    finally:
        monkeypatch.undo()
        country_module._fingerprint.cache_clear()
    assert after != before
    assert load_policy(POLICY).version == before


def test_chinese_calendars_name_holidays_in_chinese() -> None:
    office = load_policy(POLICY).rules.calendars["office"]
    assert office.holiday_name(date(2026, 10, 1)) == "国庆节"
    assert office.holiday_name(date(2026, 1, 1)) == "元旦"


def test_a_calendar_may_choose_the_language_of_holiday_names() -> None:
    english = Calendar.from_spec(
        {
            "timezone": "Asia/Shanghai",
            "hours": {"mon-fri": ["09:00-18:00"]},
            "holidays": {"country": "CN", "language": "en_US"},
        }
    )
    assert english.holiday_name(date(2026, 10, 1)) == "National Day"


def test_an_unknown_language_is_refused_at_its_key() -> None:
    with pytest.raises(slapolicy.PolicyError) as info:
        load_policy(POLICY.replace("{country: CN}", "{country: CN, language: zh-CN}"))
    (problem,) = info.value.problems
    assert problem.path == "calendars.office.holidays.language"
    assert "did you mean 'zh_CN'" in problem.message
