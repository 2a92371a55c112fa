"""Examples of evaluation semantics (slapolicy._engine), on policies small enough to check by hand.

Most tests use ``ENGINE`` from ``policy_fragments``: office hours Mon-Fri 09:00-12:00 and
13:00-18:00 in Asia/Shanghai (8 working hours a day, no holidays) and a 24x7 calendar.
2026-03-02 is a Monday; every deadline below is worked out in a comment.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import pickle
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from policy_fragments import ENGINE, SERVICE_LEVELS
from slapolicy import (
    Decision,
    Escalation,
    Policy,
    Target,
    TicketError,
    TraceStep,
    load_policy,
)
from slapolicy._tooling.examples import run_examples

SHANGHAI = ZoneInfo("Asia/Shanghai")
MON_10 = "2026-03-02T10:00:00+08:00"  # Monday 10:00, inside the morning window


def sh(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """An instant of 2026 in Shanghai."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(ENGINE)


def evaluate(policy: Policy, ticket: Mapping[str, Any], at: Any = MON_10) -> Decision:
    return policy.evaluate(ticket, at=at)


def escalations(decision: Decision) -> list[tuple[datetime, tuple[str, ...], str]]:
    return [(e.at, e.notify, e.rule) for e in decision.escalations]


# --------------------------------------------------------------------------- first match


@pytest.mark.parametrize(
    ("ticket", "category"),
    [
        pytest.param({"type": "outage"}, "outage", id="first-rule"),
        pytest.param({"type": "refund"}, "billing", id="membership"),
        pytest.param({"type": "question"}, "other", id="default"),
        pytest.param({}, "other", id="empty-ticket"),
        pytest.param({"type": None}, "other", id="null-is-missing"),
        pytest.param({"type": ["outage"]}, "other", id="list-is-not-equal-to-text"),
    ],
)
def test_category_is_the_first_matching_rule(
    policy: Policy, ticket: dict[str, Any], category: str
) -> None:
    assert evaluate(policy, ticket).category == category


def test_first_match_wins_when_several_rules_match(policy: Policy) -> None:
    # P1 (impact core) and P3 (category billing) both match: the first listed wins
    decision = evaluate(policy, {"type": "invoice", "impact": "core"})
    assert (decision.category, decision.priority) == ("billing", "P1")
    # routing: big-desk (sla big) comes before tech (category outage); both match
    decision = evaluate(policy, {"type": "outage", "seats": 500})
    assert (decision.sla, decision.owner, decision.cc) == ("big", "key-accounts", ())


def test_labels_come_with_the_decision(policy: Policy) -> None:
    decision = evaluate(policy, {"type": "outage", "impact": "core"})
    assert (decision.category_label, decision.priority_label) == ("故障", "紧急")
    decision = evaluate(policy, {})
    assert (decision.category_label, decision.priority_label) == (None, "低")


# --------------------------------------------------------------------------- priority


@pytest.mark.parametrize(
    ("ticket", "priority"),
    [
        # a priority rule beats the matrix: the matrix says P2 for major/high
        pytest.param({"type": "invoice", "impact": "major", "urgency": "high"}, "P3", id="rule"),
        pytest.param({"impact": "major", "urgency": "high"}, "P2", id="matrix-hit"),
        pytest.param({"impact": "major", "urgency": "low"}, "P3", id="matrix-hit-P3"),
        pytest.param({"impact": "minor", "urgency": "low"}, "P4", id="matrix-miss-cell"),
        pytest.param({"impact": "major"}, "P4", id="matrix-miss-no-column"),
        pytest.param({"urgency": "high"}, "P4", id="matrix-miss-no-row"),
        pytest.param({}, "P4", id="default"),
    ],
)
def test_priority_rules_then_matrix_then_default(
    policy: Policy, ticket: dict[str, Any], priority: str
) -> None:
    assert evaluate(policy, ticket).priority == priority


def test_matrix_is_traced_on_hit_and_miss(policy: Policy) -> None:
    hit = evaluate(policy, {"impact": "major", "urgency": "high"})
    steps = [s for s in hit.trace if s.stage == "priority"]
    assert steps == [
        TraceStep("priority", "[0] P1", False, "[ ] impact eq 'core': 'major' != 'core'"),
        TraceStep("priority", "[2] P3", False, "[ ] category eq 'billing': 'other' != 'billing'"),
        TraceStep("priority", "priority_matrix", True, "impact='major', urgency='high' -> P2"),
    ]
    miss = evaluate(policy, {"impact": "minor", "urgency": "low"})
    steps = [s for s in miss.trace if s.stage == "priority"]
    assert steps[-2:] == [
        TraceStep(
            "priority", "priority_matrix", False, "no cell for impact='minor', urgency='low'"
        ),
        TraceStep("priority", "[3] P4", True, "default"),
    ]
    absent = evaluate(policy, {})
    matrix_step = next(s for s in absent.trace if s.rule == "priority_matrix")
    assert matrix_step.detail == "no cell for impact=(missing), urgency=(missing)"


# --------------------------------------------------------------------------- later stages


def test_category_priority_and_sla_are_visible_to_later_stages(policy: Policy) -> None:
    # priority P3 tests `category: billing`; routing `finance` tests `priority: P3`
    decision = evaluate(policy, {"type": "refund"})
    assert (decision.category, decision.priority, decision.owner) == ("billing", "P3", "finance")
    # routing `big-desk` tests `sla: big`
    decision = evaluate(policy, {"seats": 100})
    assert (decision.sla, decision.owner) == ("big", "key-accounts")
    # escalation `start` tests `priority: [P1, P2]`
    decision = evaluate(policy, {"impact": "major", "urgency": "high"})
    assert "start" in [e.rule for e in decision.escalations]


@pytest.mark.parametrize(
    "ticket",
    [
        pytest.param({"type": "question", "category": "billing"}, id="category"),
        pytest.param({"type": "question", "category": "outage"}, id="category-routing"),
        pytest.param({"type": "question", "priority": "P3"}, id="priority"),
        pytest.param({"type": "question", "sla": "big"}, id="sla"),
    ],
)
def test_decision_names_shadow_ticket_fields(policy: Policy, ticket: dict[str, Any]) -> None:
    # the ticket's own `category` / `priority` / `sla` fields are not what later stages see:
    # category is `other`, so neither P3 (category billing) nor tech (category outage),
    # nor finance (priority P3), nor big-desk (sla big) applies
    decision = evaluate(policy, ticket)
    assert (decision.category, decision.priority, decision.sla, decision.owner) == (
        "other",
        "P4",
        "standard",
        "desk",
    )


@pytest.mark.parametrize(
    ("seats", "sla"),
    [
        pytest.param(100, "big", id="at-bound"),
        pytest.param(5000, "big", id="above"),
        pytest.param(99, "standard", id="below"),
        pytest.param("150", "big", id="declared-integer-from-text"),
        pytest.param(150.0, "big", id="declared-integer-from-float"),
        pytest.param(" 100 ", "big", id="declared-integer-text-with-spaces"),
    ],
)
def test_sla_is_chosen_by_condition(policy: Policy, seats: Any, sla: str) -> None:
    assert evaluate(policy, {"seats": seats}).sla == sla


# --------------------------------------------------------------------------- targets


def test_targets_use_the_sla_calendar(policy: Policy) -> None:
    # P2 on `office`, from Friday 2026-03-06 17:50:
    #   response 30m = 10m Friday + 20m Monday -> Mon 03-09 09:20
    #   resolve  4h  = 10m Friday + 3h Monday morning + 50m afternoon -> Mon 13:50
    decision = evaluate(policy, {"impact": "major", "urgency": "high"}, at=sh(6, 17, 50))
    assert decision.targets == {
        "response": Target("response", "30m", "office", sh(6, 17, 50), sh(9, 9, 20)),
        "resolve": Target("resolve", "4h", "office", sh(6, 17, 50), sh(9, 13, 50)),
    }
    assert (decision.response_due, decision.resolve_due) == (sh(9, 9, 20), sh(9, 13, 50))


def test_a_target_calendar_overrides_the_sla_calendar(policy: Policy) -> None:
    # P1 under `standard` (calendar office) names `always` itself: from Friday 17:50,
    # 15m -> 18:05 and 2h -> 19:50 the same evening, although the office has closed
    decision = evaluate(policy, {"impact": "core"}, at=sh(6, 17, 50))
    assert decision.sla == "standard"
    assert {t.name: (t.calendar, t.due) for t in decision.targets.values()} == {
        "response": ("always", sh(6, 18, 5)),
        "resolve": ("always", sh(6, 19, 50)),
    }


def test_a_priority_without_some_target_has_none(policy: Policy) -> None:
    # P4 under `standard` has only `resolve: 3d`: Mon 10:00 -> Thu 03-05 10:00
    decision = evaluate(policy, {})
    assert list(decision.targets) == ["resolve"]
    assert decision.response_due is None
    assert decision.resolve_due == sh(5, 10)
    assert decision.to_dict(trace=False)["response_due"] is None


def test_working_days_keep_the_wall_clock_time(policy: Policy) -> None:
    # P3 resolve 1d from Friday 11:30 -> the next working day (Monday) at 11:30;
    # response 2h: 30m Friday morning + 1h30m from 13:00 -> Friday 14:30
    decision = evaluate(policy, {"type": "invoice"}, at=sh(6, 11, 30))
    assert (decision.response_due, decision.resolve_due) == (sh(6, 14, 30), sh(9, 11, 30))


# --------------------------------------------------------------------------- the start


@pytest.mark.parametrize(
    "created_at",
    [
        pytest.param("2026-03-02T10:00:00+08:00", id="iso-text"),
        pytest.param("2026-03-02T02:00:00Z", id="iso-text-utc"),
        pytest.param("2026-03-02T10:00:00", id="naive-text-in-policy-zone"),
        pytest.param(datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc), id="aware-datetime"),
        pytest.param(datetime(2026, 3, 2, 10, 0), id="naive-datetime-in-policy-zone"),
        pytest.param(
            datetime(2026, 3, 1, 21, 0, tzinfo=ZoneInfo("America/New_York")), id="other-zone"
        ),
    ],
)
def test_start_field_is_read_as_an_instant(policy: Policy, created_at: Any) -> None:
    # all of these are Monday 2026-03-02 10:00 in Shanghai (New York is UTC-5 in early March)
    decision = policy.evaluate({"impact": "major", "urgency": "high", "created_at": created_at})
    assert decision.started_at == sh(2, 10)
    assert decision.started_at.isoformat() == "2026-03-02T10:00:00+08:00"
    # P2: response 30m -> 10:30; resolve 4h: 10-12, 13-15 -> 15:00
    assert (decision.response_due, decision.resolve_due) == (sh(2, 10, 30), sh(2, 15))


@pytest.mark.parametrize(
    "at",
    [
        pytest.param("2026-03-03T10:00:00+08:00", id="text"),
        pytest.param(datetime(2026, 3, 3, 10, 0), id="naive-datetime"),
        pytest.param(datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc), id="aware-datetime"),
    ],
)
def test_at_overrides_the_start_field(policy: Policy, at: Any) -> None:
    ticket = {"impact": "major", "urgency": "high", "created_at": MON_10}
    decision = policy.evaluate(ticket, at=at)
    # Tuesday 10:00 + 30m
    assert decision.started_at == sh(3, 10)
    assert decision.response_due == sh(3, 10, 30)


@pytest.mark.parametrize(
    "ticket",
    [pytest.param({}, id="missing"), pytest.param({"created_at": None}, id="null")],
)
def test_without_a_start_the_clock_starts_now(policy: Policy, ticket: dict[str, Any]) -> None:
    before = datetime.now(timezone.utc)
    decision = policy.evaluate(ticket)
    after = datetime.now(timezone.utc)
    assert before - timedelta(seconds=1) <= decision.started_at <= after + timedelta(seconds=1)
    assert decision.started_at.utcoffset() == timedelta(hours=8)  # in the policy's zone


def test_start_field_may_be_a_dotted_path() -> None:
    policy = load_policy(ENGINE + "clock: {start_field: meta.opened}\n")
    decision = policy.evaluate({"meta": {"opened": MON_10}, "created_at": "2026-01-01T00:00:00Z"})
    assert decision.started_at == sh(2, 10)


@pytest.mark.parametrize(
    ("ticket", "at", "fragments"),
    [
        pytest.param(
            {"created_at": "yesterday"}, None, ("'created_at'",), id="start-field-not-an-instant"
        ),
        pytest.param({"created_at": 1772416800}, None, ("'created_at'",), id="start-field-number"),
        pytest.param(
            {"created_at": "2026-03-02"}, None, ("'created_at'", "only a date"), id="only-a-date"
        ),
        pytest.param({}, "next monday", ("invalid `at`",), id="bad-at"),
        pytest.param(
            {"created_at": "2300-01-01T00:00:00Z"},
            None,
            ("'created_at'", "supported range"),
            id="beyond-the-calendar-range",
        ),
    ],
)
def test_an_unreadable_start_is_a_ticket_error(
    policy: Policy, ticket: dict[str, Any], at: Any, fragments: tuple[str, ...]
) -> None:
    with pytest.raises(TicketError) as caught:
        policy.evaluate(ticket, at=at)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_a_deadline_beyond_the_calendar_range_is_a_ticket_error(policy: Policy) -> None:
    # 3 working days from the last supported day cannot be answered
    with pytest.raises(TicketError, match="cannot compute the resolve deadline"):
        policy.evaluate({}, at="2199-12-31T10:00:00+08:00")


def test_an_escalation_beyond_the_calendar_range_is_a_ticket_error(policy: Policy) -> None:
    # P1 on `always` from 2199-12-31 21:59: resolve 2h is due 23:59, the last supported day;
    # breach-150 lies an hour later, in 2200, which no calendar answers for.
    with pytest.raises(TicketError, match="cannot compute the breach-150 escalation"):
        policy.evaluate({"type": "outage", "impact": "core"}, at="2199-12-31T21:59:00+08:00")


# --------------------------------------------------------------------------- declared fields


@pytest.mark.parametrize(
    ("ticket", "fragments"),
    [
        pytest.param(
            {"impact": "catastrophic"},
            ("ticket field 'impact'", "'catastrophic' is not one of 'core', 'major', 'minor'"),
            id="not-in-enum",
        ),
        pytest.param(
            {"impact": "majr"}, ("ticket field 'impact'", "did you mean 'major'?"), id="typo"
        ),
        pytest.param({"urgency": 3}, ("ticket field 'urgency'",), id="number-for-enum"),
        pytest.param({"seats": "many"}, ("ticket field 'seats'", "integer"), id="not-an-integer"),
        pytest.param({"seats": 2.5}, ("ticket field 'seats'",), id="fraction-for-integer"),
        pytest.param({"seats": True}, ("ticket field 'seats'", "boolean"), id="boolean"),
    ],
)
def test_a_declared_field_with_a_bad_value_is_a_ticket_error(
    policy: Policy, ticket: dict[str, Any], fragments: tuple[str, ...]
) -> None:
    with pytest.raises(TicketError) as caught:
        evaluate(policy, ticket)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_coercion_does_not_change_the_callers_ticket(policy: Policy) -> None:
    ticket = {"seats": "150"}
    assert evaluate(policy, ticket).sla == "big"
    assert ticket == {"seats": "150"}


def test_a_ticket_must_be_a_mapping(policy: Policy) -> None:
    with pytest.raises(TicketError, match="must be a mapping, got list"):
        policy.evaluate([("type", "outage")])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- escalations


def test_escalations_at_shares_and_before_due_sorted_by_time(policy: Policy) -> None:
    # P2, owner desk (lead desk-lead), Monday 10:00. resolve 4h is due at 15:00 (10-12, 13-15)
    decision = evaluate(policy, {"impact": "major", "urgency": "high"})
    assert escalations(decision) == [
        # 0% of resolve: the start (rule index 4 before 5 on a tie)
        (sh(2, 10), ("desk-lead",), "start"),
        # 10h before a 30m response: more than the whole target, so at the start
        (sh(2, 10), ("desk",), "response-early"),
        # 75% of 4h = 3h: 10-12 and 13-14
        (sh(2, 14), ("desk",), "warn"),
        # 4h - 30m = 3h30m: 14:30; owner.lead is desk's lead
        (sh(2, 14, 30), ("desk-lead",), "last-30m"),
        # 100%: the due instant; notify: [owner, owner.lead]
        (sh(2, 15), ("desk", "desk-lead"), "breach"),
        # 150%: 2h more working time after 15:00 -> 17:00
        (sh(2, 17), ("boss",), "breach-150"),
    ]
    assert [e.reason for e in decision.escalations] == [
        "0% of resolve",
        "10h before response is due",
        "75% of resolve",
        "30m before resolve is due",
        "100% of resolve",
        "150% of resolve",
    ]
    assert {e.target for e in decision.escalations} == {"resolve", "response"}


def test_escalations_across_working_days(policy: Policy) -> None:
    # P4: resolve 3d from Mon 10:00 -> Thu 03-05 10:00, 3 x 8h = 24h of working time.
    # No response target, so `response-early` does not apply; `start` is for P1/P2 only.
    decision = evaluate(policy, {})
    assert escalations(decision) == [
        # 75% of 24h = 18h: Mon 7h (10-12, 13-18), Tue 8h, Wed 3h -> Wed 12:00 (a closing time)
        (sh(4, 12), ("desk",), "warn"),
        # 24h - 30m = 23h30m: Mon 7h, Tue 8h, Wed 8h, Thu 30m -> Thu 09:30
        (sh(5, 9, 30), ("desk-lead",), "last-30m"),
        (sh(5, 10), ("desk", "desk-lead"), "breach"),
        # 150%: 12h after Thu 10:00: Thu 7h (10-12, 13-18), Fri 3h + 2h -> Fri 15:00
        (sh(6, 15), ("boss",), "breach-150"),
    ]


def test_escalations_from_a_start_outside_working_hours(policy: Policy) -> None:
    # P2 created Saturday 03-07 10:00: the clock waits for Monday 03-09 09:00.
    # resolve 4h -> 09-12, 13-14 -> 14:00
    decision = evaluate(policy, {"impact": "major", "urgency": "high"}, at=sh(7, 10))
    assert decision.resolve_due == sh(9, 14)
    assert escalations(decision) == [
        (sh(9, 9), ("desk-lead",), "start"),  # 0%: the next opening
        (sh(9, 9), ("desk",), "response-early"),
        (sh(9, 12), ("desk",), "warn"),  # 3h lands on the 12:00 closing time
        (sh(9, 13, 30), ("desk-lead",), "last-30m"),
        (sh(9, 14), ("desk", "desk-lead"), "breach"),
        (sh(9, 16), ("boss",), "breach-150"),  # 2h after 14:00
    ]


def test_escalations_notify_owner_lead_and_named_owner(policy: Policy) -> None:
    # P1 outage: owner tech (lead boss), targets on `always`: response 10:15, resolve 12:00
    decision = evaluate(policy, {"type": "outage", "impact": "core"})
    assert (decision.owner, decision.cc) == ("tech", ("boss",))
    assert escalations(decision) == [
        (sh(2, 10), ("desk-lead",), "start"),  # named owner
        (sh(2, 10), ("tech",), "response-early"),  # owner
        (sh(2, 11, 30), ("tech",), "warn"),  # 75% of 2h
        (sh(2, 11, 30), ("boss",), "last-30m"),  # owner.lead of tech
        (sh(2, 12), ("tech", "boss"), "breach"),
        (sh(2, 13), ("boss",), "breach-150"),
    ]
    assert all(e.at.tzinfo is not None for e in decision.escalations)


def test_escalation_entry_without_target_refers_to_resolve() -> None:
    policy = load_policy(
        ENGINE.replace(
            "  - {id: start, at: 0%, notify: desk-lead, when: {priority: [P1, P2]}}\n",
            "  - {id: start, at: 50%, notify: desk-lead, when: {priority: [P1, P2]}}\n",
        )
    )
    decision = policy.evaluate({"impact": "major", "urgency": "high"}, at=MON_10)
    start = next(e for e in decision.escalations if e.rule == "start")
    # 50% of the 4h resolve target: 10-12 -> 12:00 (not 50% of the 30m response)
    assert start == Escalation(sh(2, 12), ("desk-lead",), "resolve", "50% of resolve", "start")


# --------------------------------------------------------------------------- results


def test_to_dict_is_json_ready_and_round_trips(policy: Policy) -> None:
    decision = evaluate(policy, {"type": "outage", "impact": "core", "text": "支付宕机"})
    data = decision.to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert json.loads(json.dumps(data)) == data
    assert data["category"] == "outage"
    assert data["priority_label"] == "紧急"
    assert data["cc"] == ["boss"]
    assert data["started_at"] == "2026-03-02T10:00:00+08:00"
    assert data["response_due"] == "2026-03-02T10:15:00+08:00"
    assert data["resolve_due"] == "2026-03-02T12:00:00+08:00"
    assert data["targets"]["response"] == {
        "name": "response",
        "within": "15m",
        "calendar": "always",
        "start": "2026-03-02T10:00:00+08:00",
        "due": "2026-03-02T10:15:00+08:00",
    }
    assert data["escalations"][0] == {
        "at": "2026-03-02T10:00:00+08:00",
        "notify": ["desk-lead"],
        "target": "resolve",
        "reason": "0% of resolve",
        "rule": "start",
    }
    assert data["policy_version"] == policy.version
    assert data["trace"][0] == {
        "stage": "category",
        "rule": "[0] outage",
        "matched": True,
        "detail": "[x] type eq 'outage': 'outage' == 'outage'",
    }
    assert "trace" not in decision.to_dict(trace=False)


def test_trace_names_the_winner_and_why_earlier_rules_failed(policy: Policy) -> None:
    decision = evaluate(policy, {"type": "question", "impact": "minor", "urgency": "high"})
    categories = [s for s in decision.trace if s.stage == "category"]
    assert categories == [
        TraceStep("category", "[0] outage", False, "[ ] type eq 'outage': 'question' != 'outage'"),
        TraceStep(
            "category",
            "[1] billing",
            False,
            "[ ] type in ['invoice', 'refund']: 'question' is not in ['invoice', 'refund']",
        ),
        TraceStep("category", "[2] other", True, "default"),
    ]
    slas = [s for s in decision.trace if s.stage == "sla"]
    assert slas == [
        TraceStep("sla", "[0] big", False, "[ ] seats ge 100: field 'seats' is missing"),
        TraceStep("sla", "[1] standard", True, "default"),
    ]
    routing = [s for s in decision.trace if s.stage == "routing"]
    # minor/high is P3 by the matrix, so `finance` wins after two failures
    assert [(s.rule, s.matched) for s in routing] == [
        ("[0] big-desk", False),
        ("[1] tech", False),
        ("[2] finance", True),
    ]
    assert routing[0].detail == "[ ] sla eq 'big': 'standard' != 'big'"
    assert routing[2].detail == "[x] priority eq 'P3': 'P3' == 'P3'"
    targets = [s for s in decision.trace if s.stage == "target"]
    # P3: response 2h from 10:00 uses the rest of the morning: due at the 12:00 closing time
    assert targets[0] == TraceStep(
        "target",
        "response",
        True,
        "2h on calendar 'office' from 2026-03-02T10:00:00+08:00 -> due 2026-03-02T12:00:00+08:00",
    )
    explained = decision.explain().splitlines()
    assert explained[0] == (
        "category [0] outage: no match: [ ] type eq 'outage': 'question' != 'outage'"
    )


def test_trace_says_when_an_escalation_has_no_target(policy: Policy) -> None:
    decision = evaluate(policy, {})  # P4 has no response target
    step = next(s for s in decision.trace if s.rule == "[5] response-early")
    assert step == TraceStep(
        "escalation", "[5] response-early", False, "the SLA has no response target for P4"
    )
    step = next(s for s in decision.trace if s.rule == "[4] start")
    assert step.matched is False
    assert "priority in ['P1', 'P2']" in step.detail


def test_trace_of_a_numeric_comparison_shows_the_value(policy: Policy) -> None:
    decision = evaluate(policy, {"seats": "42"})  # coerced to 42 before the test
    step = next(s for s in decision.trace if s.stage == "sla")
    assert step == TraceStep("sla", "[0] big", False, "[ ] seats ge 100: 42 is not >= 100")


def test_trace_explains_the_ticket_as_it_was_when_evaluated(policy: Policy) -> None:
    ticket = {"type": "outage", "urgency": "high"}  # no value needs coercion
    decision = evaluate(policy, ticket)
    ticket["type"] = "question"  # the caller reuses its dict before reading the trace
    assert decision.category == "outage"
    assert decision.trace[0] == TraceStep(
        "category", "[0] outage", True, "[x] type eq 'outage': 'outage' == 'outage'"
    )


def test_decision_equality_ignores_the_trace(policy: Policy) -> None:
    ticket = {"impact": "major", "urgency": "high"}
    first = evaluate(policy, ticket)
    second = evaluate(policy, ticket)
    assert first.trace  # read one trace, not the other
    assert first == second
    blank = dataclasses.replace(first, _explain=lambda: ())
    assert blank.trace == ()
    assert blank == first
    assert dataclasses.replace(first, owner="boss") != first
    assert evaluate(policy, ticket, at=sh(3, 10)) != first


def test_decision_pickles_with_its_trace(policy: Policy) -> None:
    decision = evaluate(policy, {"type": "outage", "impact": "core"})
    again = pickle.loads(pickle.dumps(decision))
    assert again == decision
    assert again.trace == decision.trace
    assert again.to_dict() == decision.to_dict()
    assert again.response_due == sh(2, 10, 15)


def test_decision_is_frozen(policy: Policy) -> None:
    decision = evaluate(policy, {})
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.priority = "P1"  # type: ignore[misc]
    with pytest.raises(TypeError):
        decision.targets["resolve"] = decision.targets["resolve"]  # type: ignore[index]


def test_evaluation_from_many_threads_gives_identical_results() -> None:
    # a fresh policy, so that the threads also race to extend the calendars' window cache
    policy = load_policy(ENGINE)
    reference = load_policy(ENGINE)
    tickets = [
        {"impact": impact, "urgency": urgency, "type": kind, "seats": seats}
        for impact in ("core", "major", "minor")
        for urgency in ("high", "low")
        for kind in ("outage", "invoice", "question")
        for seats in (1, 500)
    ]
    starts = [
        datetime(2025, 1, 1, tzinfo=SHANGHAI) + timedelta(days=37 * i, minutes=613 * i)
        for i in range(20)
    ]
    jobs = [(ticket, start) for ticket in tickets for start in starts]

    def run(job: tuple[dict[str, Any], datetime]) -> dict[str, Any]:
        return policy.evaluate(job[0], at=job[1]).to_dict()

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, jobs))
    expected = [reference.evaluate(t, at=s).to_dict() for t, s in jobs]
    assert results == expected


def test_the_sample_policy_examples_pass() -> None:
    results = run_examples(load_policy(SERVICE_LEVELS))
    assert [(r.name, r.error, r.mismatches) for r in results if not r.passed] == []
    assert len(results) >= 4


def test_sample_policy_p2_across_a_make_up_working_day() -> None:
    # Friday 2026-05-08 17:50 at the office (09:00-12:00, 13:30-18:00); Saturday 05-09 is an
    # official make-up working day with Monday's hours. P2 response 30m: 10m Friday +
    # 20m Saturday -> Sat 09:20. resolve 24h of working time: Friday 10m; Sat 7h30m (7h40m);
    # Mon 05-11 (7h30m, 15h10m); Tue (22h40m); Wed 05-13: 1h20m more -> 10:20.
    policy = load_policy(SERVICE_LEVELS)
    decision = policy.evaluate(
        {"type": "billing", "impact": "major", "urgency": "high"},
        at="2026-05-08T17:50:00+08:00",
    )
    assert (decision.category, decision.priority, decision.owner) == (
        "business",
        "P2",
        "business-handling",
    )
    assert decision.response_due == sh(9, 9, 20, month=5)
    assert decision.resolve_due == sh(13, 10, 20, month=5)


def test_a_target_may_count_on_its_own_calendar() -> None:
    """`{within, calendar}` lets one priority mix office time and clock time."""
    from pathlib import Path

    text = (
        (Path(__file__).parent.parent / "policies" / "service-levels.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "P2: {response: 30m, resolve: 24h,",
            "P2: {response: 30m, resolve: {within: 24h, calendar: around-the-clock},",
        )
    )
    decision = load_policy(text).evaluate(
        {
            "type": "billing",
            "impact": "major",
            "urgency": "high",
            "created_at": "2026-05-08T17:50:00+08:00",
        }
    )
    # response: 10 office minutes on Friday, 20 on the make-up Saturday 2026-05-09
    assert decision.targets["response"].calendar == "office"
    assert decision.targets["response"].due.isoformat() == "2026-05-09T09:20:00+08:00"
    # resolve: 24 clock hours later
    assert decision.targets["resolve"].calendar == "around-the-clock"
    assert decision.targets["resolve"].due.isoformat() == "2026-05-09T17:50:00+08:00"


def test_an_unknown_target_calendar_is_reported_at_the_target() -> None:
    from pathlib import Path

    text = (
        (Path(__file__).parent.parent / "policies" / "service-levels.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "P2: {response: 30m, resolve: 24h,",
            "P2: {response: 30m, resolve: {within: 24h, calendar: nowhere},",
        )
    )
    from slapolicy import PolicyError

    with pytest.raises(PolicyError) as info:
        load_policy(text)
    (problem,) = info.value.problems
    assert problem.path == "slas[0].targets.P2.resolve.calendar"
    assert "unknown calendar 'nowhere'" in problem.message
