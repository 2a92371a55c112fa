"""End-to-end tests of the sample policies in ``policies/``.

* Every ``policies/*.yaml`` (found by glob, so a new sample is picked up without editing this
  file) loads, carries at least five ``examples:`` and passes all of them.
* Each sample policy has explicit end-to-end checks below, written in Python: a ticket in,
  category, priority, owner, cc and due instants out. Every expected instant was computed by
  hand from docs/deadlines.md; the arithmetic is in the comment above it. Office calendars
  work 09:00-12:00 and 13:30-18:00 on Chinese working days, including the official make-up
  working days (2026: 01-04, 02-14, 02-28, 05-09, 09-20, 10-10).
* Every sample ticket in ``policies/tickets/`` evaluates against every sample policy, or is
  refused with a clear :class:`TicketError` that names the offending ticket field.
* The metrics of each sample policy (the time limits of its source process that start on
  events: plans, callbacks, root causes, ...) are followed through a realistic ticket
  history with ``Policy.status``: states, due instants and escalations due, each computed by
  hand in the comment above it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

import slapolicy
from slapolicy import Decision, Policy, SlaStatus, TicketError
from slapolicy._tooling.examples import run_examples

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIR = ROOT / "policies"
TICKET_DIR = POLICY_DIR / "tickets"
POLICY_FILES = sorted(POLICY_DIR.glob("*.yaml"))
TICKET_FILES = sorted(TICKET_DIR.glob("*.json"))
SHANGHAI = ZoneInfo("Asia/Shanghai")
MIN_EXAMPLES = 5


def sh(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An instant in Asia/Shanghai."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


@functools.cache
def policy(name: str) -> Policy:
    """The compiled sample policy ``policies/<name>.yaml`` (compiled once per test run)."""
    return slapolicy.load_policy(POLICY_DIR / f"{name}.yaml")


@functools.cache
def source(name: str) -> Mapping[str, Any]:
    """The raw YAML of a sample policy, read independently of the library."""
    data = yaml.safe_load((POLICY_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def ticket(name: str) -> dict[str, Any]:
    """A sample ticket from ``policies/tickets/<name>.json``."""
    data = json.loads((TICKET_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def escalations(decision: Decision) -> list[tuple[datetime, tuple[str, ...]]]:
    """The decision's escalations as (instant, sorted recipients), in order."""
    return [(e.at, tuple(sorted(e.notify))) for e in decision.escalations]


def assert_decision(
    decision: Decision,
    *,
    category: str,
    priority: str,
    owner: str,
    cc: tuple[str, ...] = (),
    sla: str | None = None,
    response_due: datetime | None = None,
    resolve_due: datetime | None = None,
    update_due: datetime | None = None,
    due: Mapping[str, datetime | None] | None = None,
) -> None:
    """Check the parts of a decision end-to-end tests care about (``None`` due = no target).

    ``due`` names further metrics that start with the clock (``{"root_cause": ...}``).
    """
    assert decision.category == category
    assert decision.priority == priority
    assert decision.owner == owner
    assert sorted(decision.cc) == sorted(cc)
    if sla is not None:
        assert decision.sla == sla
    assert decision.response_due == response_due
    assert decision.resolve_due == resolve_due
    update = decision.targets.get("update")
    assert (update.due if update is not None else None) == update_due
    for name, expected in (due or {}).items():
        target = decision.targets.get(name)
        assert (target.due if target is not None else None) == expected, name
    for target in decision.targets.values():
        assert target.due.tzinfo is not None
        assert target.due.utcoffset() == SHANGHAI.utcoffset(target.due.replace(tzinfo=None))


def assert_metric(
    status: SlaStatus,
    name: str,
    state: str,
    due: datetime | None,
    *,
    stopped_at: datetime | None = None,
    cycle: int | None = None,
) -> None:
    """Check one metric of an SLA status: its state and due instant (and optionally more)."""
    target = status.targets[name]
    assert (target.state, target.due) == (state, due), name
    if stopped_at is not None:
        assert target.stopped_at == stopped_at, name
    if cycle is not None:
        assert target.cycle == cycle, name


def escalations_due(status: SlaStatus) -> list[tuple[datetime, str, tuple[str, ...]]]:
    """The status's escalations due as (instant, rule, sorted recipients), in order."""
    return [(e.at, e.rule, tuple(sorted(e.notify))) for e in status.escalations_due]


# --------------------------------------------------------------------------- every policy


def test_the_sample_policies_are_all_found() -> None:
    names = {path.stem for path in POLICY_FILES}
    assert {
        "service-levels",
        "feedback-system",
        "hotline",
        "after-sales",
        "customer-service-rules",
    } <= names
    assert TICKET_FILES, "no sample tickets in policies/tickets/"


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_policy_has_enough_examples(path: Path) -> None:
    assert len(policy(path.stem).examples) >= MIN_EXAMPLES, (
        f"{path.name}: at least {MIN_EXAMPLES} examples"
    )


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_policy_loads(path: Path) -> None:
    loaded = policy(path.stem)
    assert isinstance(loaded, Policy)
    assert loaded.version.startswith("sha256:")
    assert loaded.examples, f"{path.name}: no examples"
    names = [example.name for example in loaded.examples]
    assert len(names) == len(set(names)), f"{path.name}: example names must be unique"


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_policy_examples_pass(path: Path) -> None:
    results = run_examples(policy(path.stem))
    assert results
    failures = [
        f"{r.name}: {r.error}" if r.error else f"{r.name}: " + "; ".join(map(str, r.mismatches))
        for r in results
        if not r.passed
    ]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_policy_is_deterministic_and_json_ready(path: Path) -> None:
    loaded = policy(path.stem)
    again = slapolicy.load_policy(path)
    assert again.version == loaded.version
    for example in loaded.examples:
        first = loaded.evaluate(example.ticket, at=example.at)
        second = again.evaluate(example.ticket, at=example.at)
        assert first.to_dict() == second.to_dict()
        json.dumps(first.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("ticket_path", TICKET_FILES, ids=lambda p: p.stem)
def test_every_sample_ticket_evaluates_against_every_policy(path: Path, ticket_path: Path) -> None:
    loaded = policy(path.stem)
    raw = source(path.stem)
    data = json.loads(ticket_path.read_text(encoding="utf-8"))
    try:
        decision = loaded.evaluate(data)
    except TicketError as exc:
        # a clear refusal: it names a ticket field that the ticket really has
        message = str(exc)
        found = re.search(r"ticket field '([^']+)'", message)
        assert found, f"unclear TicketError: {message}"
        value: Any = data
        for part in found.group(1).split("."):
            assert isinstance(value, dict)
            assert part in value, f"{message} names a field the ticket lacks"
            value = value[part]
        return
    assert decision.category in {c["id"] for c in raw["categories"]}
    assert decision.priority in {p["id"] for p in raw["priorities"]}
    assert decision.sla in {s["id"] for s in raw["slas"]}
    owners = set(raw.get("owners", {}))
    assert decision.owner in owners
    assert set(decision.cc) <= owners
    assert decision.targets, "every decision has at least one target"
    for target in decision.targets.values():
        assert target.due >= target.start
    for escalation in decision.escalations:
        assert set(escalation.notify) <= owners
    json.dumps(decision.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("ticket_path", TICKET_FILES, ids=lambda p: p.stem)
def test_every_sample_ticket_fits_at_least_one_policy(ticket_path: Path) -> None:
    data = json.loads(ticket_path.read_text(encoding="utf-8"))
    assert isinstance(data.get("created_at"), str), "sample tickets carry a fixed created_at"
    fitting = []
    for path in POLICY_FILES:
        try:
            policy(path.stem).evaluate(data)
        except TicketError:
            continue
        fitting.append(path.stem)
    assert fitting


# --------------------------------------------------------------------------- service-levels


def test_service_levels_outage_ticket() -> None:
    decision = policy("service-levels").evaluate(ticket("outage"))
    assert_decision(
        decision,
        category="outage",
        priority="P1",
        owner="tech-support",
        cc=("dept-head",),
        # P1 runs on the 24x7 calendar: 17:30 + 15m, 17:30 + 2h
        response_due=sh(2026, 5, 8, 17, 45),
        resolve_due=sh(2026, 5, 8, 19, 30),
        update_due=sh(2026, 5, 8, 18, 30),  # progress update every hour: 17:30 + 1h
    )
    assert escalations(decision) == [
        (sh(2026, 5, 8, 17, 30), ("dept-head",)),  # p1-report: 0% = the start
        (sh(2026, 5, 8, 17, 41, 15), ("dept-head",)),  # 75% of 15m = 11m15s; lead of tech-support
        (sh(2026, 5, 8, 19, 0), ("tech-support",)),  # 30m before 19:30
        (sh(2026, 5, 8, 19, 30), ("dept-head",)),  # resolve breached
    ]


def test_service_levels_priority_matrix_over_qingming() -> None:
    decision = policy("service-levels").evaluate(
        {
            "type": "billing",
            "impact": "minor",
            "urgency": "medium",
            "created_at": "2026-04-03T17:00:00+08:00",
        }
    )
    assert_decision(
        decision,
        category="business",
        priority="P3",  # impact minor x urgency medium in the matrix
        owner="customer-service",
        # 2h: Fri 04-03 17:00-18:00 = 1h; 04-04..04-06 closed (weekend, Qingming);
        # Tue 04-07 09:00 + 1h = 10:00
        response_due=sh(2026, 4, 7, 10, 0),
        # 1d: D0 = 04-03; the next working day is 04-07, at 17:00
        resolve_due=sh(2026, 4, 7, 17, 0),
    )


def test_service_levels_p4_across_national_day() -> None:
    decision = policy("service-levels").evaluate(
        {
            "type": "suggestion",
            "text": "希望支持暗色主题",
            "created_at": "2026-09-29T11:00:00+08:00",
        }
    )
    assert_decision(
        decision,
        category="improvement",
        priority="P4",
        owner="service-optimisation",
        # 3d: D0 = 09-29 (Tue) -> 09-30 (1); 10-01..10-07 closed; 10-08 (2), 10-09 (3)
        response_due=sh(2026, 10, 9, 11, 0),
        # 10d: 09-30, 10-08, 10-09, Sat 10-10 (make-up), 10-12, 10-13, 10-14, 10-15, 10-16,
        # 10-19 (the tenth)
        resolve_due=sh(2026, 10, 19, 11, 0),
    )


def test_service_levels_p1_record_and_a_late_level_meeting() -> None:
    # outage.json: P1, Fri 2026-05-08 17:30; every P1 target runs on the 24x7 calendar
    status = policy("service-levels").status(
        ticket("outage"),
        [
            {"type": "recorded", "at": "2026-05-08T17:38:00+08:00"},
            {"type": "responded", "at": "2026-05-08T17:40:00+08:00"},
            {"type": "level_disputed", "at": "2026-05-08T17:45:00+08:00"},
            {"type": "level_settled", "at": "2026-05-08T18:20:00+08:00"},
        ],
        now="2026-05-08T18:30:00+08:00",
    )
    # record 10m: 17:40; recorded 17:38
    assert_metric(status, "record", "met", sh(2026, 5, 8, 17, 40))
    # response 15m: 17:45; replied 17:40
    assert_metric(status, "response", "met", sh(2026, 5, 8, 17, 45))
    # dispute 30m from the dispute 17:45 (24x7, the 18:00 closing does not matter): 18:15;
    # settled 18:20, five minutes late
    assert_metric(
        status, "dispute", "breached", sh(2026, 5, 8, 18, 15), stopped_at=sh(2026, 5, 8, 18, 20)
    )
    # resolve 2h: 19:30, running
    assert_metric(status, "resolve", "running", sh(2026, 5, 8, 19, 30))
    assert escalations_due(status) == [
        (sh(2026, 5, 8, 17, 30), "p1-report", ("dept-head",)),  # 0% of resolve: the start
        # 75% of response (17:41:15) comes after the reply at 17:40: not due
        (sh(2026, 5, 8, 17, 45), "dispute-meeting", ("dept-head",)),  # 0% of dispute
    ]


def test_service_levels_p4_review_skips_two_holiday_fridays() -> None:
    suggestion = {
        "type": "suggestion",
        "text": "希望支持按月导出账单",
        "created_at": "2026-09-24T17:00:00+08:00",
    }
    decision = policy("service-levels").evaluate(suggestion)
    assert decision.priority == "P4"
    # review {by: "16:00", weekday: fri}: Thu 09-24 17:00 is after 16:00, so not that day
    # (it is a Thursday anyway); Fri 09-25 is the Mid-Autumn Festival, Fri 10-02 National
    # Day; the next working Friday is 10-09, at 16:00
    assert decision.targets["review"].due == sh(2026, 10, 9, 16, 0)
    status = policy("service-levels").status(
        suggestion,
        [
            {"type": "recorded", "at": "2026-09-24T17:05:00+08:00"},
            {"type": "responded", "at": "2026-09-29T10:00:00+08:00"},
            {"type": "reviewed", "at": "2026-10-09T15:00:00+08:00"},
        ],
        now="2026-10-09T16:30:00+08:00",
    )
    # record 10m: 17:10
    assert_metric(status, "record", "met", sh(2026, 9, 24, 17, 10))
    assert_metric(status, "review", "met", sh(2026, 10, 9, 16, 0))
    # response 3d: D0 = 09-24 -> 09-28, 09-29, 09-30 at 17:00; answered 09-29
    assert_metric(status, "response", "met", sh(2026, 9, 30, 17, 0))
    # resolve 10d (planned): 09-28, 09-29, 09-30, 10-08, 10-09, Sat 10-10 (make-up day),
    # 10-12, 10-13, 10-14, 10-15 (the tenth) at 17:00
    assert_metric(status, "resolve", "running", sh(2026, 10, 15, 17, 0))
    # no dispute, and P4 has no processing target
    assert_metric(status, "dispute", "pending", None)
    assert "processing" not in status.targets


# --------------------------------------------------------------------------- feedback-system


def test_feedback_cross_department_ticket() -> None:
    decision = policy("feedback-system").evaluate(ticket("feedback-cross-department"))
    assert_decision(
        decision,
        category="service",
        priority="P1",  # impact minor + urgency high
        owner="customer-service",  # service issue: customer service leads
        cc=("tech", "operations"),  # the other departments listed on the ticket
        # 2h: 09-30 15:00 -> 17:00 the same afternoon
        response_due=sh(2026, 9, 30, 17, 0),
        # 1d: D0 = 09-30; 10-01..10-07 closed (National Day); 10-08 at 15:00
        resolve_due=sh(2026, 10, 8, 15, 0),
    )


def test_feedback_p0_during_spring_festival_with_a_naive_start() -> None:
    decision = policy("feedback-system").evaluate(
        {"type": "outage", "impact": "core", "text": "核心业务中断"},
        at=datetime(2026, 2, 17, 23, 58),  # naive: read in the policy's zone
    )
    assert_decision(
        decision,
        category="function",
        priority="P0",
        owner="tech",
        # 24x7: the holiday and midnight do not matter; 23:58 + 5m, 23:58 + 24h
        response_due=sh(2026, 2, 18, 0, 3),
        resolve_due=sh(2026, 2, 18, 23, 58),
    )
    assert decision.started_at == sh(2026, 2, 17, 23, 58)
    assert escalations(decision)[:2] == [
        (sh(2026, 2, 17, 23, 58), ("duty-manager", "tech-director")),  # P0 report at 0%
        (sh(2026, 2, 18, 0, 3), ("tech-director",)),  # response due
    ]


def test_feedback_function_issue_with_operations_on_a_weekend() -> None:
    decision = policy("feedback-system").evaluate(
        {
            "type": "bug",
            "impact": "none",
            "text": "导出按钮偶尔没反应",
            "departments": ["tech", "operations"],
            "created_at": "2026-03-21T10:00:00+08:00",
        }
    )
    assert_decision(
        decision,
        category="function",
        priority="P3",
        owner="tech",
        cc=("operations",),
        # Sat 03-21 is closed: the clock starts Mon 03-23 09:00. 1d -> Tue 03-24 09:00
        response_due=sh(2026, 3, 24, 9, 0),
        # 5d: 03-24, 03-25, 03-26, 03-27, Mon 03-30 at 09:00
        resolve_due=sh(2026, 3, 30, 9, 0),
    )


def test_feedback_p0_root_cause_late_after_the_business_is_restored() -> None:
    # a P0 on Friday night, reported with incomplete details (which region is affected)
    outage = {
        "type": "outage",
        "impact": "core",
        "text": "支付网关宕机",
        "details_complete": False,
        "created_at": "2026-08-14T23:30:00+08:00",
    }
    status = policy("feedback-system").status(
        outage,
        [
            {"type": "responded", "at": "2026-08-14T23:33:00+08:00"},
            {"type": "emergency_started", "at": "2026-08-15T00:20:00+08:00"},
            {"type": "resolved", "at": "2026-08-15T02:00:00+08:00"},  # business restored
            {"type": "customer_contacted", "at": "2026-08-15T09:10:00+08:00"},
            {"type": "root_cause_submitted", "at": "2026-08-16T01:00:00+08:00"},
        ],
        now="2026-08-16T09:00:00+08:00",
    )
    assert status.decision.priority == "P0"
    # 24x7: response 23:30 + 5m = 23:35; emergency 23:30 + 1h = 00:30
    assert_metric(status, "response", "met", sh(2026, 8, 14, 23, 35))
    assert_metric(status, "emergency", "met", sh(2026, 8, 15, 0, 30))
    # resolve (internal reference) 24h: Sat 08-15 23:30; resolved 02:00
    assert_metric(status, "resolve", "met", sh(2026, 8, 15, 23, 30))
    # root cause 24h: Sat 23:30, not stopped by the resolution; submitted Sun 01:00: late
    assert_metric(
        status, "root_cause", "breached", sh(2026, 8, 15, 23, 30), stopped_at=sh(2026, 8, 16, 1)
    )
    # contact 1d on the office calendar (the metric's own): the start Fri 23:30 waits for
    # Mon 08-17 09:00; 1d -> Tue 08-18 09:00. Contacted on Saturday morning: met
    assert_metric(status, "contact", "met", sh(2026, 8, 18, 9, 0))
    # only the P0 report (0% of resolve, at the start); no escalation watches root_cause
    assert escalations_due(status) == [
        (sh(2026, 8, 14, 23, 30), "p0-report", ("duty-manager", "tech-director")),
    ]


def test_feedback_p1_plan_paused_while_the_customer_completes_the_details() -> None:
    status = policy("feedback-system").status(
        {
            "type": "bug",
            "impact": "major",
            "text": "导出报表时报错",
            "details_complete": False,
            "created_at": "2026-03-10T10:00:00+08:00",
        },
        [
            {"type": "responded", "at": "2026-03-10T11:30:00+08:00"},
            {"type": "customer_contacted", "at": "2026-03-10T14:00:00+08:00"},
            {"type": "status", "status": "waiting_customer", "at": "2026-03-10T14:00:00+08:00"},
            {
                "type": "updated",
                "fields": {"details_complete": True},
                "at": "2026-03-11T09:30:00+08:00",
            },
            {"type": "status", "status": "in_progress", "at": "2026-03-11T09:30:00+08:00"},
            {"type": "plan_submitted", "at": "2026-03-11T15:00:00+08:00"},
        ],
        now="2026-03-11T15:30:00+08:00",
    )
    # contact 1d: Tue 03-10 10:00 -> Wed 03-11 10:00; contacted Tue 14:00
    assert_metric(status, "contact", "met", sh(2026, 3, 11, 10, 0))
    # plan 8h: Tue 10:00-12:00 (2h) + 13:30-18:00 (4h30m) = 6h30m, Wed 09:00 + 1h30m = 10:30.
    # Paused Tue 14:00-18:00 (4h) + Wed 09:00-09:30 (30m) = 4h30m:
    # Wed 10:30-12:00 (1h30m), 13:30 + 3h = 16:30. Submitted 15:00: met
    assert_metric(status, "plan", "met", sh(2026, 3, 11, 16, 30), stopped_at=sh(2026, 3, 11, 15))
    plan = status.targets["plan"]
    assert plan.paused_for == timedelta(hours=4, minutes=30)
    # used: Tue 10:00-12:00 (2h) + 13:30-14:00 (30m) + Wed 09:30-12:00 (2h30m)
    # + 13:30-15:00 (1h30m) = 6h30m of the 8h
    assert plan.elapsed == timedelta(hours=6, minutes=30)
    # resolve 1d: Wed 10:00 + 4h30m paused: 10:00-12:00 (2h), 13:30 + 2h30m = 16:00
    assert_metric(status, "resolve", "running", sh(2026, 3, 11, 16, 0))
    assert not status.paused


def test_feedback_unsatisfied_customer_reopens_and_the_lead_is_told() -> None:
    status = policy("feedback-system").status(
        {
            "type": "process",
            "impact": "minor",
            "text": "报销审批流程太慢",
            "created_at": "2026-06-01T09:00:00+08:00",
        },
        [
            {"type": "responded", "at": "2026-06-01T10:00:00+08:00"},
            {"type": "plan_submitted", "at": "2026-06-01T15:00:00+08:00"},
            {"type": "resolved", "at": "2026-06-02T11:00:00+08:00"},
            {"type": "reopened", "at": "2026-06-03T10:00:00+08:00"},  # the customer is unhappy
            {"type": "resolved", "at": "2026-06-04T14:00:00+08:00"},
        ],
        now="2026-06-04T15:00:00+08:00",
    )
    assert (status.decision.priority, status.decision.owner) == ("P2", "operations")
    # reopen 3d from Wed 06-03 10:00: 06-04, 06-05, Mon 06-08 at 10:00; resolved 06-04 14:00
    assert_metric(status, "reopen", "met", sh(2026, 6, 8, 10, 0), cycle=1)
    # resolve 3d: Thu 06-04 09:00, plus the 6h30m between the resolution and the reopening
    # (Tue 11:00-12:00, 13:30-18:00, Wed 09:00-10:00): Thu 17:00; resolved again 14:00
    assert_metric(status, "resolve", "met", sh(2026, 6, 4, 17, 0))
    assert status.resolved
    # the reopening escalates to the lead of the owning department at once (0% of reopen)
    assert escalations_due(status) == [
        (sh(2026, 6, 3, 10, 0), "reopen-to-lead", ("ops-director",)),
    ]


# --------------------------------------------------------------------------- hotline


def test_hotline_escalated_complaint_ticket() -> None:
    decision = policy("hotline").evaluate(ticket("hotline-complaint"))
    assert_decision(
        decision,
        category="complaint",
        priority="high",
        owner="complaint-desk",
        cc=("service-manager",),
        sla="complaint",  # one SLA per problem type: it sets the processing limit
        # 2h: 09-30 16:45-18:00 = 1h15m; National Day; 10-08 09:00 + 45m
        response_due=sh(2026, 10, 8, 9, 45),
        # 1d: D0 = 09-30 -> 10-08 at 16:45
        resolve_due=sh(2026, 10, 8, 16, 45),
        due={
            # a phone call: greeting 10s on the 24x7 calendar, 16:45:00 + 10s
            "greeting": sh(2026, 9, 30, 16, 45, 10),
            # complaints: processing 1d (24 小时), like resolve: 10-08 at 16:45
            "processing": sh(2026, 10, 8, 16, 45),
            "callback": None,  # starts at the resolution, not with the clock
        },
    )
    assert escalations(decision)[0] == (sh(2026, 9, 30, 17, 45), ("service-manager",))


def test_hotline_callback_record_lands_on_a_make_up_day() -> None:
    decision = policy("hotline").evaluate(ticket("hotline-callback"))
    assert_decision(
        decision,
        category="aftersales",
        priority="medium",
        owner="callback-team",
        sla="callback",
        # the callback record is created at the resolution, Fri 10-09 15:20;
        # 1d -> Sat 10-10, an official make-up working day
        update_due=sh(2026, 10, 10, 15, 20),
    )


def test_hotline_callback_from_the_resolution_time_across_labour_day() -> None:
    decision = policy("hotline").evaluate(
        {
            "text": "洗衣机漏水，已上门维修",
            "stage": "callback",
            "created_at": "2026-04-27T09:10:00+08:00",
        },
        at="2026-04-30T17:10:00+08:00",  # resolved on the eve of Labour Day
    )
    assert_decision(
        decision,
        category="aftersales",
        priority="medium",
        owner="callback-team",
        sla="callback",
        # 1d: D0 = 04-30; 05-01..05-05 closed; the next working day is 05-06, at 17:10
        update_due=sh(2026, 5, 6, 17, 10),
    )
    assert decision.started_at == sh(2026, 4, 30, 17, 10)


def test_hotline_processing_limit_per_problem_type() -> None:
    hotline = policy("hotline")
    start = "2026-03-03T10:00:00+08:00"  # Tue
    # processing: 售前咨询 1d, 售后支持 2d, 投诉建议 1d, 其他 2d; one SLA per type
    cases = [
        ({"type": "presales"}, "presales", sh(2026, 3, 4, 10, 0)),
        ({"type": "repair"}, "aftersales", sh(2026, 3, 5, 10, 0)),
        ({"type": "complaint"}, "complaint", sh(2026, 3, 4, 10, 0)),
        ({"text": "请问营业时间"}, "hotline", sh(2026, 3, 5, 10, 0)),
    ]
    for fields, sla, processing_due in cases:
        decision = hotline.evaluate({**fields, "channel": "email", "created_at": start})
        assert decision.sla == sla
        assert decision.targets["processing"].due == processing_due, sla
        assert "greeting" not in decision.targets  # an email: nothing to greet
        assert decision.response_due == sh(2026, 3, 3, 12, 0)  # 2h for every type


def test_hotline_late_greeting_and_a_missed_callback() -> None:
    status = policy("hotline").status(
        {
            "channel": "phone",
            "urgency": "high",
            "text": "热水器坏了",
            "created_at": "2026-03-02T09:00:00+08:00",
        },
        [
            {"type": "greeted", "at": "2026-03-02T09:00:15+08:00"},
            {"type": "responded", "at": "2026-03-02T09:30:00+08:00"},
            {"type": "resolved", "at": "2026-03-03T10:00:00+08:00"},
        ],
        now="2026-03-04T11:00:00+08:00",
    )
    decision = status.decision
    assert (decision.category, decision.priority) == ("aftersales", "high")
    assert decision.sla == "aftersales"
    # greeting 10s (24x7): 09:00:10; greeted after 15 seconds
    late = sh(2026, 3, 2, 9, 0, 15)
    assert_metric(status, "greeting", "breached", sh(2026, 3, 2, 9, 0, 10), stopped_at=late)
    # response 2h: 11:00; answered 09:30
    assert_metric(status, "response", "met", sh(2026, 3, 2, 11, 0))
    # processing 2d (售后 48 小时): 03-03, 03-04 at 09:00; resolved 03-03 10:00
    assert_metric(status, "processing", "met", sh(2026, 3, 4, 9, 0))
    # resolve 1d (high, internal reference): 03-03 09:00; resolved an hour later
    assert_metric(status, "resolve", "breached", sh(2026, 3, 3, 9, 0))
    # callback 1d from the resolution Tue 03-03 10:00 -> Wed 03-04 10:00; none by 11:00
    assert_metric(status, "callback", "breached", sh(2026, 3, 4, 10, 0))
    assert escalations_due(status) == [
        (sh(2026, 3, 3, 9, 0), "resolve-overdue", ("support-lead",)),
        (sh(2026, 3, 4, 10, 0), "callback-late", ("quality-lead",)),
    ]


# --------------------------------------------------------------------------- after-sales


def test_after_sales_complex_ticket() -> None:
    decision = policy("after-sales").evaluate(ticket("after-sales-complex"))
    assert_decision(
        decision,
        category="fault",
        priority="important",
        owner="tech-support",
        sla="complex",
        # 12:30 is in the lunch break: s' = Fri 03-13 13:30, days keep that wall-clock time.
        # 2d: Mon 03-16, Tue 03-17 at 13:30; root cause 3d: Wed 03-18 at 13:30 (root_cause
        # is its own metric; only suggestions keep a resolve target)
        response_due=sh(2026, 3, 17, 13, 30),
        resolve_due=None,
        due={
            "root_cause": sh(2026, 3, 18, 13, 30),
            # record 1d: Mon 03-16 at 13:30
            "record": sh(2026, 3, 16, 13, 30),
            # feasibility, result and callback start on events (recorded, implemented)
            "feasibility": None,
            "result": None,
            "callback": None,
        },
    )


def test_after_sales_urgent_fault_before_labour_day() -> None:
    decision = policy("after-sales").evaluate(
        {
            "type": "fault",
            "text": "设备冒烟",
            "channel": "onsite",
            "created_at": "2026-04-30T15:00:00+08:00",
        }
    )
    assert_decision(
        decision,
        category="fault",
        priority="urgent",
        owner="field-service",
        cc=("after-sales-manager",),
        sla="general",
        # 1d: D0 = 04-30; 05-01..05-05 closed; 05-06 at 15:00
        response_due=sh(2026, 5, 6, 15, 0),
        resolve_due=None,
        # root cause 3d: 05-06, 05-07, 05-08 at 15:00
        due={"root_cause": sh(2026, 5, 8, 15, 0)},
    )
    assert escalations(decision)[0] == (sh(2026, 4, 30, 15, 0), ("after-sales-manager",))


def test_after_sales_rejects_an_undeclared_complexity() -> None:
    with pytest.raises(TicketError, match="complexity"):
        policy("after-sales").evaluate(
            {"type": "fault", "complexity": "very", "created_at": "2026-03-02T10:00:00+08:00"}
        )


def test_after_sales_rework_cycles_after_a_low_score() -> None:
    events: list[dict[str, Any]] = [
        {"type": "recorded", "at": "2026-06-01T10:30:00+08:00"},
        {"type": "feasibility_judged", "at": "2026-06-01T16:00:00+08:00"},
        {"type": "responded", "at": "2026-06-02T09:00:00+08:00"},
        {"type": "root_cause_found", "at": "2026-06-03T15:00:00+08:00"},
        {"type": "implemented", "at": "2026-06-05T10:00:00+08:00"},
        {"type": "result_sent", "at": "2026-06-05T16:00:00+08:00"},
        {"type": "resolved", "at": "2026-06-05T16:00:00+08:00"},
        {"type": "callback_done", "at": "2026-06-09T10:00:00+08:00"},
        {"type": "updated", "fields": {"satisfaction": 3}, "at": "2026-06-09T10:00:00+08:00"},
        {"type": "reopened", "at": "2026-06-09T10:05:00+08:00"},  # 3 < 4: reopened
        {"type": "root_cause_found", "at": "2026-06-11T16:00:00+08:00"},
        {"type": "implemented", "at": "2026-06-15T10:00:00+08:00"},
        {"type": "result_sent", "at": "2026-06-15T15:00:00+08:00"},
        {"type": "resolved", "at": "2026-06-15T15:00:00+08:00"},
        {"type": "callback_done", "at": "2026-06-16T11:00:00+08:00"},
        {"type": "updated", "fields": {"satisfaction": 5}, "at": "2026-06-16T11:00:00+08:00"},
        # reopened for another reason (a question about the invoice): the score is 5 now, so
        # the root-cause analysis does not start again
        {"type": "reopened", "at": "2026-06-16T14:00:00+08:00"},
    ]
    status = policy("after-sales").status(
        {
            "type": "fault",
            "complexity": "complex",
            "text": "控制系统偶发报错，需要返厂检测",
            "created_at": "2026-06-01T10:00:00+08:00",  # Mon
        },
        events,
        now="2026-06-17T10:00:00+08:00",
    )
    assert (status.decision.priority, status.decision.sla) == ("important", "complex")
    cycles = status.cycles
    # root cause, cycle 1: 3d from Mon 06-01 10:00 -> 06-02, 06-03, 06-04 at 10:00; found
    # 06-03 15:00. Cycle 2 from the low-score reopening Tue 06-09 10:05: 06-10, 06-11, 06-12
    # at 10:05; found 06-11 16:00. The second reopening (score 5) starts no third cycle
    assert [(c.state, c.due, c.stopped_at) for c in cycles["root_cause"]] == [
        ("met", sh(2026, 6, 4, 10, 0), sh(2026, 6, 3, 15, 0)),
        ("met", sh(2026, 6, 12, 10, 5), sh(2026, 6, 11, 16, 0)),
    ]
    # result 1d after each implementation: Fri 06-05 10:00 -> Mon 06-08 10:00;
    # Mon 06-15 10:00 -> Tue 06-16 10:00
    assert [(c.state, c.due) for c in cycles["result"]] == [
        ("met", sh(2026, 6, 8, 10, 0)),
        ("met", sh(2026, 6, 16, 10, 0)),
    ]
    # callback 3d after each implementation: 06-08, 06-09, 06-10 at 10:00; 06-16, 06-17,
    # 06-18 at 10:00 (before the Dragon Boat Festival on 06-19)
    assert [(c.state, c.due) for c in cycles["callback"]] == [
        ("met", sh(2026, 6, 10, 10, 0)),
        ("met", sh(2026, 6, 18, 10, 0)),
    ]
    # reminders 4h before each root-cause due instant: cycle 1, 4h before Thu 06-04 10:00 =
    # 09:00-10:00 (1h) + Wed 06-03 15:00-18:00 (3h): 06-03 15:00, the very instant the root
    # cause was found, so it is not due; cycle 2, 4h before Fri 06-12 10:05 = 09:00-10:05
    # (1h05m) + Thu 06-11 15:05-18:00 (2h55m): 06-11 15:05, before it was found at 16:00
    assert [(e.at, e.rule, e.notify, e.cycle) for e in status.escalations_due] == [
        (sh(2026, 6, 11, 15, 5), "rca-4h-left", ("tech-support",), 2),
    ]


# --------------------------------------------------------------------------- customer-service


def test_customer_service_chat_contact_on_labour_day() -> None:
    decision = policy("customer-service-rules").evaluate(ticket("chat-contact"))
    assert_decision(
        decision,
        category="consult",
        priority="low",
        owner="contact-center",
        sla="live",
        # the contact centre is staffed on holidays: 10:00:00 + 30s
        response_due=sh(2026, 5, 1, 10, 0, 30),
    )


def test_customer_service_tech_transfer_ticket() -> None:
    decision = policy("customer-service-rules").evaluate(ticket("tech-transfer"))
    assert_decision(
        decision,
        category="tech",
        priority="urgent",  # a VIP customer
        owner="tech-support",
        cc=("tech-lead",),
        sla="tech-support",
        # the first solution is its own metric (stage tech_support at creation: it starts
        # with the clock). 2h: 09-30 17:00-18:00 = 1h; National Day; 10-08 09:00 + 1h
        due={"solution": sh(2026, 10, 8, 10, 0)},
    )
    assert escalations(decision) == [
        (sh(2026, 9, 30, 18, 0), ("tech-support",)),  # 50% = 1h: reached at the 18:00 close
        (sh(2026, 10, 8, 10, 0), ("tech-lead",)),
    ]


def test_customer_service_call_before_the_contact_centre_opens() -> None:
    decision = policy("customer-service-rules").evaluate(
        {"channel": "phone", "text": "账单有误", "created_at": "2026-10-01T07:00:00+08:00"}
    )
    assert_decision(
        decision,
        category="billing",
        priority="normal",
        owner="contact-center",
        sla="live",
        # 07:00 is before the 08:00 opening (National Day is a normal day for the centre)
        response_due=sh(2026, 10, 1, 8, 0, 30),
    )


def test_customer_service_tech_transfer_over_new_year() -> None:
    decision = policy("customer-service-rules").evaluate(
        {
            "channel": "chat",
            "stage": "tech_support",
            "text": "升级后无法登录",
            "created_at": "2025-12-31T17:00:00+08:00",
        }
    )
    assert_decision(
        decision,
        category="tech",
        priority="normal",
        owner="tech-support",
        sla="tech-support",
        # first solution 2h: Wed 2025-12-31 17:00-18:00 = 1h; 2026-01-01..01-03 closed (New
        # Year); Sun 01-04 is an official make-up working day: 09:00 + 1h = 10:00
        due={"solution": sh(2026, 1, 4, 10, 0)},
    )


def test_customer_service_solution_counts_from_the_transfer_with_a_pause() -> None:
    status = policy("customer-service-rules").status(
        {"channel": "chat", "text": "打印模块崩溃", "created_at": "2026-11-02T16:30:00+08:00"},
        [
            {"type": "responded", "at": "2026-11-02T16:30:12+08:00"},
            {
                "type": "updated",
                "fields": {"stage": "tech_support"},
                "at": "2026-11-02T16:40:00+08:00",
            },
            {"type": "status", "status": "waiting_customer", "at": "2026-11-02T17:00:00+08:00"},
            {"type": "status", "status": "open", "at": "2026-11-03T09:45:00+08:00"},
            {"type": "solution_given", "at": "2026-11-03T10:30:00+08:00"},
        ],
        now="2026-11-03T11:00:00+08:00",
    )
    assert (status.decision.sla, status.decision.owner) == ("tech-support", "tech-support")
    # solution from the transfer Mon 11-02 16:40: 16:40-18:00 = 1h20m, Tue 09:00 + 40m =
    # 09:40; paused 17:00-18:00 (1h) + Tue 09:00-09:45 (45m) = 1h45m: 09:40 + 1h45m = 11:25.
    # Given 10:30: met
    assert_metric(
        status, "solution", "met", sh(2026, 11, 3, 11, 25), stopped_at=sh(2026, 11, 3, 10, 30)
    )
    solution = status.targets["solution"]
    assert solution.paused_for == timedelta(hours=1, minutes=45)
    # used: 16:40-17:00 (20m) + Tue 09:45-10:30 (45m)
    assert solution.elapsed == timedelta(hours=1, minutes=5)
    # the contact's 30s response has no target once the ticket is with tech support
    assert "response" not in status.targets
    # 50% (1h of working time): 20m before the pause, then 40m from 09:45: Tue 10:25
    assert escalations_due(status) == [
        (sh(2026, 11, 3, 10, 25), "solution-halfway", ("tech-support",)),
    ]
