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
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

import slapolicy
from slapolicy import Decision, Policy, TicketError
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
) -> None:
    """Check the parts of a decision end-to-end tests care about (``None`` due = no target)."""
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
    for target in decision.targets.values():
        assert target.due.tzinfo is not None
        assert target.due.utcoffset() == SHANGHAI.utcoffset(target.due.replace(tzinfo=None))


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


# --------------------------------------------------------------------------- hotline


def test_hotline_escalated_complaint_ticket() -> None:
    decision = policy("hotline").evaluate(ticket("hotline-complaint"))
    assert_decision(
        decision,
        category="complaint",
        priority="high",
        owner="complaint-desk",
        cc=("service-manager",),
        sla="hotline",
        # 2h: 09-30 16:45-18:00 = 1h15m; National Day; 10-08 09:00 + 45m
        response_due=sh(2026, 10, 8, 9, 45),
        # 1d: D0 = 09-30 -> 10-08 at 16:45
        resolve_due=sh(2026, 10, 8, 16, 45),
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
        # 2d: Mon 03-16, Tue 03-17 at 13:30; 3d: Wed 03-18 at 13:30
        response_due=sh(2026, 3, 17, 13, 30),
        resolve_due=sh(2026, 3, 18, 13, 30),
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
        # 3d: 05-06, 05-07, 05-08 at 15:00
        resolve_due=sh(2026, 5, 8, 15, 0),
    )
    assert escalations(decision)[0] == (sh(2026, 4, 30, 15, 0), ("after-sales-manager",))


def test_after_sales_rejects_an_undeclared_complexity() -> None:
    with pytest.raises(TicketError, match="complexity"):
        policy("after-sales").evaluate(
            {"type": "fault", "complexity": "very", "created_at": "2026-03-02T10:00:00+08:00"}
        )


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
        # 2h: 09-30 17:00-18:00 = 1h; National Day; 10-08 09:00 + 1h
        resolve_due=sh(2026, 10, 8, 10, 0),
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
        # 2h: Wed 2025-12-31 17:00-18:00 = 1h; 2026-01-01..01-03 closed (New Year);
        # Sun 01-04 is an official make-up working day: 09:00 + 1h = 10:00
        resolve_due=sh(2026, 1, 4, 10, 0),
    )
