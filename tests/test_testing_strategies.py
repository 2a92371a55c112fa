"""The public hypothesis strategies in slapolicy.testing draw what they promise."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slapolicy._calendar import Calendar
from slapolicy._durations import Duration, parse_duration
from slapolicy.testing import DEFAULT_TIMEZONES, calendar_specs, durations, instants


@given(calendar_specs(with_seconds=True))
def test_calendar_specs_are_valid_calendars_with_working_time(spec: dict[str, Any]) -> None:
    assert spec["timezone"] in DEFAULT_TIMEZONES
    calendar = Calendar.from_spec(spec)
    start = datetime(2025, 6, 1, tzinfo=timezone.utc)
    assert calendar.is_working(calendar.next_working(start))


@given(calendar_specs(with_seconds=False))
def test_calendar_specs_use_whole_minutes_unless_asked_for_seconds(spec: dict[str, Any]) -> None:
    windows = [w for ws in _all_windows(spec) for w in ws]
    for window in windows:
        for clock in window.split("-"):
            assert clock.count(":") == 1 or clock.endswith(":00")


@given(calendar_specs(min_weekly_hours=20, with_always=False))
def test_calendar_specs_respect_min_weekly_hours(spec: dict[str, Any]) -> None:
    calendar = Calendar.from_spec({"timezone": "UTC", "hours": spec["hours"]})
    monday = datetime(2025, 1, 6, tzinfo=timezone.utc)  # a week that starts after a Sunday
    # the week's windows, plus Sunday's night shift spilling in, minus Monday's spilling out
    week = calendar.elapsed(monday - timedelta(days=1), monday + timedelta(days=8))
    assert week >= timedelta(hours=20)


@given(calendar_specs(with_holidays=True, min_date=date(2030, 5, 1), max_date=date(2030, 5, 9)))
def test_calendar_specs_draw_dates_in_range(spec: dict[str, Any]) -> None:
    for entry in [*spec.get("holidays", {}).get("dates", []), *spec.get("workdays", [])]:
        value = entry["date"] if isinstance(entry, dict) else entry
        for part in str(value).split(".."):
            assert date(2030, 5, 1) <= date.fromisoformat(part) <= date(2030, 5, 9)


@given(st.data(), st.sampled_from(DEFAULT_TIMEZONES))
def test_instants_are_aware_in_the_zone_and_within_bounds(data: st.DataObject, name: str) -> None:
    low, high = datetime(2024, 3, 1), datetime(2024, 11, 30)
    t = data.draw(instants(name, low, high))
    zone = ZoneInfo(name)
    assert t.tzinfo is zone
    assert low.replace(tzinfo=zone) <= t <= high.replace(tzinfo=zone)
    assert t.microsecond == 0


@given(durations(max_hours=5, min_seconds=60, max_days=3))
def test_durations_parse_and_stay_within_bounds(d: str | timedelta) -> None:
    value = Duration.of(d) if isinstance(d, timedelta) else parse_duration(d)
    assert timedelta(minutes=1) <= value.time <= timedelta(hours=5)
    assert value.days <= 3


def test_strategies_reject_impossible_arguments() -> None:
    with pytest.raises(ValueError, match="time zone"):
        calendar_specs(timezones=())
    with pytest.raises(ValueError, match="max_date"):
        calendar_specs(min_date=date(2025, 1, 2), max_date=date(2025, 1, 1))
    with pytest.raises(ValueError, match="max_value"):
        instants("UTC", datetime(2025, 1, 2), datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="min_seconds"):
        durations(max_hours=1, min_seconds=7200)


def _all_windows(spec: dict[str, Any]) -> list[list[str]]:
    hours = spec["hours"]
    out = [] if hours == "always" else list(hours.values())
    out.append(spec.get("workday_hours", []))
    out.extend(e["hours"] for e in spec.get("workdays", []) if isinstance(e, dict))
    return out


@pytest.mark.parametrize(
    "name",
    ["service-levels", "feedback-system", "hotline", "after-sales", "customer-service-rules"],
)
def test_tickets_for_a_policy_evaluate_and_reach_several_rules(name: str) -> None:
    from pathlib import Path

    from hypothesis import HealthCheck, find, given, settings

    import slapolicy
    from slapolicy.testing import tickets

    path = Path(__file__).parent.parent / "policies" / f"{name}.yaml"
    policy = slapolicy.load_policy(path)
    seen: set[str] = set()

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(tickets(policy, start_max=datetime(2026, 10, 31)))
    def check(ticket: dict[str, object]) -> None:
        decision = policy.evaluate(ticket)
        assert decision.started_at is not None
        seen.add(decision.category)

    check()
    # not every draw falls through to the default: the strategy reaches real rules
    assert len(seen) >= 2
    assert find(tickets(policy), lambda t: policy.classify(t)[0] != policy.categories[-1].id)


def test_tickets_draw_what_the_condition_trees_test() -> None:
    """Literals and keywords nested under any/not, and fields tested only by exists/matches."""
    from hypothesis import find

    import slapolicy
    from slapolicy.testing import tickets

    policy = slapolicy.load_policy(
        """\
slapolicy: 1
name: drawn
timezone: UTC
calendars:
  office: {hours: always}
categories:
  - id: quiet
    when: {not: {any: [{tier: [gold, vip]}, {text: {contains_any: [宕机, down]}}]}}
  - id: tagged
    when: {region: {exists: true}, code: {matches: '^E[0-9]+$'}, level: {between: [3, 5]}}
  - {id: other}
priorities:
  - {id: P1}
slas:
  - {id: standard, calendar: office, targets: {P1: {resolve: 1d}}}
routing:
  - {owner: desk}
owners:
  desk: {}
"""
    )
    drawn = tickets(policy)
    assert find(drawn, lambda t: t.get("tier") == "vip")
    assert find(drawn, lambda t: t.get("text") == "… 宕机 …")
    assert find(drawn, lambda t: t.get("level") == 5)
    assert find(drawn, lambda t: "region" in t and "code" in t)
    assert find(drawn, lambda t: policy.classify(t)[0] == "quiet")


ITEMS_POLICY = """\
slapolicy: 1
name: exports
timezone: UTC
calendars:
  office: {hours: always}
fields:
  approvals: {type: list}
categories:
  - {id: core, when: {custom_fields: {any_item: {id: 360001, value: core}}}}
  - id: staged
    when: {custom_fields: {any_item: {steps: {all_items: {state: done, priority: high}}}}}
  - {id: approved, when: {approvals: {all_items: {state: approved}, any_item: {state: approved}}}}
  - {id: other}
priorities:
  - {id: P1, when: {category: core}}
  - {id: P2}
slas:
  - {id: standard, calendar: office, targets: {P1: {resolve: 1d}, P2: {resolve: 2d}}}
routing:
  - {owner: desk}
owners:
  desk: {}
clock:
  start_field: sys\\.created_on
"""


def test_tickets_draw_lists_of_objects_for_the_item_operators() -> None:
    """Elements hold the keys and values the element conditions test, nested lists too;
    a `priority` key inside an element is drawn (it is the element's), and the start field
    is the flat key its escaped path names."""
    from hypothesis import HealthCheck, find, given, settings

    import slapolicy
    from slapolicy.testing import tickets

    policy = slapolicy.load_policy(ITEMS_POLICY)
    drawn = tickets(policy)

    def elements(ticket: dict[str, Any], name: str) -> list[Any]:
        value = ticket.get(name)
        return value if isinstance(value, list) else []

    assert find(drawn, lambda t: {"id": 360001, "value": "core"} in elements(t, "custom_fields"))
    assert find(
        drawn,
        lambda t: any(
            isinstance(e, dict) and isinstance(e.get("steps"), list) and e["steps"]
            for e in elements(t, "custom_fields")
        ),
    )
    for category in ("core", "staged", "approved", "other"):
        assert find(drawn, lambda t, c=category: policy.classify(t)[0] == c)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(drawn)
    def check(ticket: dict[str, Any]) -> None:
        assert "sys.created_on" in ticket
        assert "priority" not in ticket  # a decision name at ticket level is never drawn
        policy.evaluate(ticket)

    check()
