"""Naive instants of an export read in their declared zone, and a required clock start."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from slapolicy import PolicyError, TicketError, load_policy

POLICY = """\
slapolicy: 1
name: zones
timezone: Asia/Shanghai
calendars:
  office:
    hours: {mon-fri: ["09:00-12:00", "13:30-18:00"]}
fields:
  sys_created_on: {type: datetime, timezone: UTC}
  opened_at: {type: datetime}
categories:
  - {id: late, when: {sys_created_on: {gt: "2026-05-08 10:00:00"}}}
  - {id: other}
priorities:
  - {id: P1}
slas:
  - {id: standard, calendar: office, targets: {P1: {response: 30m}}}
routing:
  - {owner: desk}
clock:
  start_field: sys_created_on
"""


def test_a_naive_value_is_read_in_the_fields_zone() -> None:
    """ServiceNow writes UTC without an offset: 01:30 UTC is 09:30 in Shanghai."""
    decision = load_policy(POLICY).evaluate({"sys_created_on": "2026-05-08 01:30:00"})
    assert decision.started_at == datetime(2026, 5, 8, 1, 30, tzinfo=timezone.utc)
    assert decision.response_due is not None
    assert decision.response_due.isoformat() == "2026-05-08T10:00:00+08:00"


def test_a_value_with_an_offset_keeps_it() -> None:
    decision = load_policy(POLICY).evaluate({"sys_created_on": "2026-05-08T09:30:00+08:00"})
    assert decision.response_due is not None
    assert decision.response_due.isoformat() == "2026-05-08T10:00:00+08:00"


def test_a_field_without_a_zone_reads_naive_values_in_the_policys() -> None:
    policy = load_policy(POLICY.replace("start_field: sys_created_on", "start_field: opened_at"))
    decision = policy.evaluate({"opened_at": "2026-05-08 09:30:00"})
    assert decision.response_due is not None
    assert decision.response_due.isoformat() == "2026-05-08T10:00:00+08:00"


def test_condition_literals_of_the_field_are_in_its_zone_too() -> None:
    """`gt: "2026-05-08 10:00:00"` on a UTC field is 18:00 in Shanghai."""
    policy = load_policy(POLICY)
    assert policy.classify({"sys_created_on": "2026-05-08 09:59:00"})[0] == "other"
    assert policy.classify({"sys_created_on": "2026-05-08 10:01:00"})[0] == "late"
    assert policy.classify({"sys_created_on": "2026-05-08T17:59:00+08:00"})[0] == "other"
    assert policy.classify({"sys_created_on": "2026-05-08T18:01:00+08:00"})[0] == "late"


def test_the_clock_reads_the_start_in_the_fields_zone() -> None:
    status = load_policy(POLICY).status(
        {"sys_created_on": "2026-05-08 01:30:00"},
        [{"type": "responded", "at": "2026-05-08T09:50:00+08:00"}],
        now="2026-05-08T12:00:00+08:00",
    )
    assert status.targets["response"].state == "met"
    assert status.targets["response"].due is not None
    assert status.targets["response"].due.isoformat() == "2026-05-08T10:00:00+08:00"


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ("{type: string, timezone: UTC}", "timezone applies only to a datetime field"),
        ("{timezone: UTC}", "timezone applies only to a datetime field"),
        ("{type: datetime, timezone: Mars/Olympus}", "unknown time zone 'Mars/Olympus'"),
        ("{type: datetime, timezone: 8}", "valid string"),
    ],
)
def test_a_bad_zone_is_refused_at_its_key(declaration: str, message: str) -> None:
    text = POLICY.replace("opened_at: {type: datetime}", f"opened_at: {declaration}")
    with pytest.raises(PolicyError) as info:
        load_policy(text)
    (problem,) = info.value.problems
    assert problem.path == "fields.opened_at.timezone"
    assert message in problem.message


def test_the_zone_changes_the_version_only_when_given() -> None:
    without = load_policy(POLICY.replace(", timezone: UTC", ""))
    assert load_policy(POLICY).version != without.version
    assert without.rules.fields["sys_created_on"].timezone is None


def test_without_the_start_field_the_clock_starts_now_unless_required() -> None:
    before = datetime.now(timezone.utc)
    started = load_policy(POLICY).evaluate({}).started_at
    assert started >= before.replace(microsecond=0)
    required = POLICY + "  start_required: true\n"
    with pytest.raises(TicketError, match=r"no 'sys_created_on'.*clock.start_required"):
        load_policy(required).evaluate({})
    # an explicit start still works
    decision = load_policy(required).evaluate({}, at="2026-05-08T09:30:00+08:00")
    assert decision.response_due is not None
    assert decision.response_due.isoformat() == "2026-05-08T10:00:00+08:00"


@pytest.mark.parametrize(
    "text",
    ["２０２６-05-08 09:30:00", "2026-05-08 ٠٩:30:00", "2026-05-08T09:30:00+٠٨:00"],
)
def test_only_ascii_digits_make_an_instant(text: str) -> None:
    with pytest.raises(TicketError):
        load_policy(POLICY).evaluate({"sys_created_on": text})
