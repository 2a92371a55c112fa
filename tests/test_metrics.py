"""Worked scenarios for metrics and events as data (the ``metrics:`` and ``events:`` sections).

Every expected value below was worked out by hand; the comment next to each case shows the
arithmetic. The semantics are those of the product contract (/work/shared/SPEC.md, "Metrics:
every time limit as data") and docs/clock.md; the metrics come from the source processes
(an initial plan within 8 h, a callback within 24 h after resolution, a reply to every
customer message, details asked for when the ticket lacks them, a weekly review, a result
sent after the fix is implemented).

The policy (``POLICY`` below) works on the office calendar of tests/test_clock.py: Asia/Shanghai,
a split shift and the official Chinese holidays:

    hours: {mon-fri: ["09:00-12:00", "13:30-18:00"]}      # 3h + 4h30m = 7h30m a day
    holidays: {country: CN}

Chinese dates used (see tests/test_calendar_examples.py for the official notices):

    2026 Labour Day       closed Fri 05-01 .. Tue 05-05, Sat 05-09 is a make-up working day
    2026 Dragon Boat      closed Fri 06-19 (then the weekend)
    2026-06-01 is a Monday (an ordinary working week).

Instants are written as naive local times (Asia/Shanghai, +08:00).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import slapolicy
from slapolicy import Policy, SlaStatus, TargetStatus, TicketError
from slapolicy._tooling.examples import run_examples

SHANGHAI = ZoneInfo("Asia/Shanghai")

POLICY = textwrap.dedent(
    """\
    slapolicy: 1
    name: 指标测试
    timezone: Asia/Shanghai
    calendars:
      office:
        timezone: Asia/Shanghai
        hours: {mon-fri: ["09:00-12:00", "13:30-18:00"]}
        holidays: {country: CN}
      around-the-clock:
        timezone: Asia/Shanghai
        hours: always
    fields:
      level: {type: integer}
      info_complete: {type: boolean}
    categories:
      - {id: other, label: 其他}
    priorities:
      - {id: P1, label: 紧急, when: {level: 1}}
      - {id: P2, label: 高, when: {level: 2}}
      - {id: P3, label: 中}
    events:
      plan_submitted: {label: 提交初步方案}
      implemented: {label: 方案实施完成}
      result_sent: {label: 结果已发送}
      callback_done: {label: 回访完成}
      on_hold: {label: 挂起}
      duplicate: {description: 重复工单}
    metrics:
      plan: {label: 初步处理方案, start: created, stop: plan_submitted}
      vip_plan: {start: {event: created, when: {priority: P1}}, stop: plan_submitted}
      callback:
        label: 解决后回访
        start: resolved
        stop: callback_done
        calendar: around-the-clock
        cycle: each
        pause: []
      first_contact: {start: customer_replied, stop: responded}
      next_reply: {start: customer_replied, stop: responded, cycle: each}
      missing_info:
        start: {event: updated, when: {info_complete: false}}
        stop: {event: updated, when: {info_complete: true}}
      hold_aware:
        start: created
        stop: resolved
        pause: [waiting_customer, {from: on_hold, until: customer_replied}]
        cancel: [duplicate, spam]
      result: {start: implemented, stop: result_sent, cycle: each, open_only: true}
      review: {start: created, stop: resolved}
    slas:
      - id: standard
        calendar: office
        targets:
          P1:
            response: 15m
            resolve: 2h
            plan: 1h
            vip_plan: 30m
            callback: 24h
            hold_aware: 4h
          P2:
            response: 30m
            resolve: 8h
            plan: 8h
            callback: 24h
            first_contact: 2h
            next_reply: 2h
            missing_info: 1d
            hold_aware: 8h
            result: {by: "18:00", days: 1}
            review: {by: "16:00", weekday: fri}
          P3:
            response: 2h
            resolve: 1d
            plan: {by: "12:30"}
            vip_plan: 30m
            callback: {within: 3d, calendar: office}
            review: {by: "16:00", weekday: 周五}
    routing:
      - {owner: desk}
    owners:
      desk: {label: 服务台, lead: lead}
      lead: {label: 主管}
    escalation:
      - {id: plan-75, target: plan, at: 75%, notify: owner.lead}
      - {id: reply-late, target: next_reply, at: 100%, notify: owner}
      - {id: hold-half, target: hold_aware, at: 50%, notify: owner}
      - {id: callback-2h-left, target: callback, before: 2h, notify: owner.lead}
    clock:
      start_field: created_at
      pause_statuses: [waiting_customer]
      statuses: [open, in_progress, waiting_customer, spam]
    """
)


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def policy() -> Policy:
    return slapolicy.load_policy(POLICY)


def t(text: str) -> datetime:
    """A naive local time (Asia/Shanghai) as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def hm(text: str) -> timedelta:
    """``"1h30m"`` -> timedelta, for readable expected durations."""
    d = slapolicy.parse_duration(text)
    assert d.days == 0
    return d.time


def ev(kind: str, at: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "at": at, **extra}


def ticket(created: str, level: int | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"created_at": created, **extra}
    if level is not None:
        out["level"] = level
    return out


def check(
    target: TargetStatus,
    *,
    state: str,
    start: str | None = None,
    due: str | None = None,
    elapsed: str | None = None,
    remaining: str | None = None,
    paused_for: str | None = None,
    cycle: int | None = None,
    within: str | None = None,
    stopped_at: str | None = None,
    breaches: Sequence[str] | None = None,
) -> None:
    """Compare the fields given; ``remaining`` may be written ``-30m``."""
    name = target.name
    assert target.state == state, f"{name}: state {target.state}, expected {state}"
    if start is not None:
        assert target.start == t(start), f"{name}: start {target.start}"
    if due is not None:
        assert target.due == t(due), f"{name}: due {target.due}, expected {due}"
    if elapsed is not None:
        assert target.elapsed == hm(elapsed), f"{name}: elapsed {target.elapsed}"
    if remaining is not None:
        want = -hm(remaining[1:]) if remaining.startswith("-") else hm(remaining)
        assert target.remaining == want, f"{name}: remaining {target.remaining}"
    if paused_for is not None:
        assert target.paused_for == hm(paused_for), f"{name}: paused_for {target.paused_for}"
    if cycle is not None:
        assert target.cycle == cycle, f"{name}: cycle {target.cycle}"
    if within is not None:
        assert target.within == within, f"{name}: within {target.within}"
    if stopped_at is not None:
        assert target.stopped_at == t(stopped_at), f"{name}: stopped_at {target.stopped_at}"
    if breaches is not None:
        assert target.breaches == tuple(t(b) for b in breaches), f"{name}: {target.breaches}"
    if state == "breached":
        assert target.breached_at == target.due
    else:
        assert target.breached_at is None


def check_pending(target: TargetStatus) -> None:
    """A metric whose start never happened."""
    assert target.state == "pending", target
    assert (target.start, target.due, target.remaining) == (None, None, None)
    assert target.cycle == 0
    assert target.elapsed == timedelta(0)
    assert target.paused_for == timedelta(0)
    assert (target.stopped_at, target.breached_at, target.percent_used) == (None, None, None)
    assert target.breaches == ()


def escalations(status: SlaStatus) -> list[tuple[tuple[str, str, int], datetime]]:
    return [(e.key, e.at) for e in status.escalations_due]


def states(status: SlaStatus, name: str) -> list[str]:
    return [c.state for c in status.cycles[name]]


# --------------------------------------------------------------------------- events


def test_built_in_and_declared_events_are_accepted(policy: Policy) -> None:
    # Every built-in type (but `created`) and every declared one, in one history.
    events = [
        ev("responded", "2026-06-01T09:10"),
        ev("customer_replied", "2026-06-01T09:20"),
        ev("status", "2026-06-01T09:30", status="in_progress"),
        ev("updated", "2026-06-01T09:40", fields={"info_complete": True}),
        ev("plan_submitted", "2026-06-01T09:50"),
        ev("implemented", "2026-06-01T10:00"),
        ev("result_sent", "2026-06-01T10:10"),
        ev("on_hold", "2026-06-01T10:20"),
        ev("duplicate", "2026-06-01T10:30"),
        ev("resolved", "2026-06-01T10:40"),
        ev("callback_done", "2026-06-01T10:50"),
        ev("reopened", "2026-06-01T11:00"),
        ev("closed", "2026-06-01T11:10"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T12:00")
    assert status.ignored_events == ()
    assert status.resolved  # closed
    assert set(status.targets) == {
        "response",
        "resolve",
        "plan",
        "callback",
        "first_contact",
        "next_reply",
        "missing_info",
        "hold_aware",
        "result",
        "review",
    }


@pytest.mark.parametrize(
    ("events", "needles"),
    [
        pytest.param(
            [ev("responded", "2026-06-01T09:10"), ev("plan_submited", "2026-06-01T09:20")],
            ["event 1", "'plan_submited'", "did you mean 'plan_submitted'"],
            id="undeclared-event-type",
        ),
        pytest.param(
            [ev("survey_done", "2026-06-01T09:20")],
            ["event 0", "'survey_done'"],
            id="event-of-another-policy",
        ),
        pytest.param(
            [ev("status", "2026-06-01T09:20", status="wating_customer")],
            ["event 0", "unknown status 'wating_customer'", "did you mean 'waiting_customer'"],
            id="status-outside-clock-statuses",
        ),
        pytest.param(
            [ev("created", "2026-06-01T09:00")],
            ["event 0", "'created' is the clock start"],
            id="created-sent-as-an-event",
        ),
        pytest.param(
            [ev("responded", "2026-06-01T08:00"), ev("resolved", "2026-06-01T08:59")],
            ["event 1", "resolved", "before the clock start"],
            id="resolved-before-the-start",
        ),
        pytest.param(
            # refused wherever it lies, even after `now`
            [ev("callback_don", "2026-06-09T09:00")],
            ["event 0", "did you mean 'callback_done'"],
            id="undeclared-event-after-now",
        ),
    ],
)
def test_typos_in_a_history_raise_ticket_error_naming_the_event(
    policy: Policy, events: list[Any], needles: list[str]
) -> None:
    with pytest.raises(TicketError) as info:
        policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T12:00")
    message = str(info.value)
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"


def test_without_clock_statuses_any_status_is_accepted() -> None:
    policy = slapolicy.load_policy(
        POLICY.replace("  statuses: [open, in_progress, waiting_customer, spam]\n", "")
    )
    events = [ev("status", "2026-06-01T09:20", status="anything-at-all")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T10:00")
    check(status.targets["hold_aware"], state="running")


def test_events_before_the_start_count_at_the_start(policy: Policy) -> None:
    # A customer message stamped 08:30, before the ticket was created at 09:00 (P2): the
    # next_reply cycle starts at 09:00, due 11:00.
    events = [ev("customer_replied", "2026-06-01T08:30")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T10:00")
    check(status.targets["next_reply"], state="running", start="2026-06-01T09:00", cycle=1)
    assert status.targets["next_reply"].due == t("2026-06-01T11:00")


def test_ignored_lifecycle_events_do_nothing_else(policy: Policy) -> None:
    # P2 created Mon 06-01 09:00.
    # [0] resolved 10:00          open -> resolved: callback cycle 1 starts (each)
    # [1] callback_done 10:30     callback cycle 1 met
    # [2] resolved 11:00          not open: ignored, so no second callback cycle
    # [3] closed 11:10            resolved -> closed
    # [4] reopened 11:20          not resolved: ignored (the update cycle stays stopped)
    # [5] closed 11:30            already closed: ignored
    # [6] resolved 11:40          not open: ignored
    events = [
        ev("resolved", "2026-06-01T10:00"),
        ev("callback_done", "2026-06-01T10:30"),
        ev("resolved", "2026-06-01T11:00"),
        ev("closed", "2026-06-01T11:10"),
        ev("reopened", "2026-06-01T11:20"),
        ev("closed", "2026-06-01T11:30"),
        ev("resolved", "2026-06-01T11:40"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T12:00")
    assert status.ignored_events == (2, 4, 5, 6)
    assert status.resolved
    assert states(status, "callback") == ["met"]
    check(status.targets["callback"], state="met", stopped_at="2026-06-01T10:30", cycle=1)
    check(status.targets["resolve"], state="met", stopped_at="2026-06-01T10:00")
    check(status.targets["hold_aware"], state="met", stopped_at="2026-06-01T10:00")


def test_a_reopening_of_an_open_ticket_does_not_resume_resolve(policy: Policy) -> None:
    # P2 created Mon 09:00, reopened 09:30 while open (ignored), resolved 10:00, then
    # reopened 11:00 (counted: resolve resumes, the hour resolved counts as paused).
    events = [
        ev("reopened", "2026-06-01T09:30"),
        ev("resolved", "2026-06-01T10:00"),
        ev("reopened", "2026-06-01T11:00"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T11:30")
    assert status.ignored_events == (0,)
    # resolve 8h plain due Tue 09:30, pushed by 1h -> Tue 10:30; used 1h + 30m.
    check(
        status.targets["resolve"],
        state="running",
        due="2026-06-02T10:30",
        elapsed="1h30m",
        paused_for="1h",
    )


# ------------------------------------------------------------------- plan: start at creation


def test_plan_submitted_in_time_is_met(policy: Policy) -> None:
    # P2 plan 8h from Mon 06-01 09:00: Mon 7h30m + Tue 30m -> Tue 09:30. Submitted Mon
    # 15:00: used 09:00-12:00 (3h) + 13:30-15:00 (1h30m) = 4h30m; 3h30m left. A second
    # submission changes nothing (cycle: once).
    events = [ev("plan_submitted", "2026-06-01T15:00"), ev("plan_submitted", "2026-06-02T09:00")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-02T12:00")
    check(
        status.targets["plan"],
        state="met",
        start="2026-06-01T09:00",
        due="2026-06-02T09:30",
        stopped_at="2026-06-01T15:00",
        elapsed="4h30m",
        remaining="3h30m",
        cycle=1,
        within="8h",
        breaches=(),
    )
    assert states(status, "plan") == ["met"]
    # plan-75: 75% of 8h = 6h -> Mon 16:30, after the submission: not due.
    assert "plan-75" not in [e.rule for e in status.escalations_due]


def test_plan_submitted_late_is_breached_and_escalated(policy: Policy) -> None:
    # Submitted Tue 10:00, after the due Tue 09:30: breached at 09:30; 7h30m + 1h = 8h30m
    # used. plan-75 at Mon 16:30 (6h of working time), before the submission: due once,
    # to the owner's lead.
    events = [ev("plan_submitted", "2026-06-02T10:00")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-02T11:00")
    check(
        status.targets["plan"],
        state="breached",
        due="2026-06-02T09:30",
        stopped_at="2026-06-02T10:00",
        elapsed="8h30m",
        remaining="-30m",
        breaches=["2026-06-02T09:30"],
    )
    plan_escalations = [e for e in status.escalations_due if e.target == "plan"]
    assert [(e.key, e.at, e.notify) for e in plan_escalations] == [
        (("plan-75", "plan", 1), t("2026-06-01T16:30"), ("lead",))
    ]


# --------------------------------------------------------------------------- pending and Decision


def test_decision_targets_hold_only_metrics_that_start_at_creation(policy: Policy) -> None:
    # P2: plan, hold_aware and review start with the clock (with response and resolve);
    # callback, first_contact, next_reply, missing_info and result wait for their events.
    # review (by 16:00 on a Friday) from Mon 06-01 09:00 -> Fri 06-05 16:00.
    decision = policy.evaluate(ticket("2026-06-01T09:00", 2))
    assert list(decision.targets) == ["response", "resolve", "plan", "hold_aware", "review"]
    assert decision.targets["plan"].due == t("2026-06-02T09:30")
    assert decision.targets["review"].due == t("2026-06-05T16:00")
    assert decision.targets["review"].within == "by 16:00 fri"
    # the Decision's escalations are those of its targets: hold-half (50% of 8h -> Mon
    # 14:30) and plan-75 (Mon 16:30); none for callback or next_reply.
    assert [(e.rule, e.at) for e in decision.escalations] == [
        ("hold-half", t("2026-06-01T14:30")),
        ("plan-75", t("2026-06-01T16:30")),
    ]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        # P1 at creation: vip_plan ({event: created, when: {priority: P1}}) starts, 30m.
        pytest.param(1, ["response", "resolve", "plan", "vip_plan", "hold_aware"], id="P1"),
        # P3 has a vip_plan target, but the ticket does not meet the condition.
        pytest.param(3, ["response", "resolve", "plan", "review"], id="P3"),
    ],
)
def test_a_created_trigger_with_when_starts_only_when_the_ticket_meets_it(
    policy: Policy, level: int, expected: list[str]
) -> None:
    decision = policy.evaluate(ticket("2026-06-01T09:00", level))
    assert list(decision.targets) == expected
    status = policy.status(ticket("2026-06-01T09:00", level), [], now="2026-06-01T09:10")
    if level == 1:
        assert decision.targets["vip_plan"].due == t("2026-06-01T09:30")
        check(status.targets["vip_plan"], state="running", due="2026-06-01T09:30", cycle=1)
    else:
        check_pending(status.targets["vip_plan"])
        assert status.cycles["vip_plan"] == ()


def test_pending_metrics_have_no_start_due_or_cycle(policy: Policy) -> None:
    status = policy.status(ticket("2026-06-01T09:00", 2), [], now="2026-06-01T10:00")
    for name in ("callback", "first_contact", "next_reply", "missing_info", "result"):
        check_pending(status.targets[name])
        assert status.cycles[name] == ()
    assert status.targets["callback"].within == "24h"
    assert status.targets["callback"].calendar == "around-the-clock"
    # pending in to_dict too
    data = status.to_dict()
    assert data["targets"]["result"]["state"] == "pending"
    assert data["targets"]["result"]["due"] is None
    assert data["targets"]["result"]["remaining_seconds"] is None
    assert data["cycles"]["result"] == []
    # a metric the decision gives no target is not reported at all (vip_plan under P2)
    assert "vip_plan" not in status.targets
    assert "vip_plan" not in status.cycles


def test_two_created_triggers_start_one_cycle() -> None:
    policy = slapolicy.load_policy(
        POLICY.replace(
            "vip_plan: {start: {event: created, when: {priority: P1}}, stop: plan_submitted}",
            "vip_plan: {start: [created, {event: created, when: {priority: P1}}], "
            "stop: plan_submitted}",
        )
    )
    status = policy.status(ticket("2026-06-01T09:00", 1), [], now="2026-06-01T09:10")
    assert [c.cycle for c in status.cycles["vip_plan"]] == [1]


# --------------------------------------------------------------- callback: start on resolved


def test_callback_starts_at_the_resolution_on_its_own_calendar(policy: Policy) -> None:
    # P2 created Mon 06-01 09:00, resolved Wed 06-03 17:00: callback 24h on the metric's
    # 24x7 calendar -> Thu 06-04 17:00. The customer is marked waiting at Wed 18:00, but
    # callback has `pause: []`: it keeps running. At Thu 16:00: 23h used, 1h left.
    events = [
        ev("resolved", "2026-06-03T17:00"),
        ev("status", "2026-06-03T18:00", status="waiting_customer"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-04T16:00")
    assert status.paused  # the ticket is in a pause status...
    callback = status.targets["callback"]
    check(  # ...which does not pause callback
        callback,
        state="running",
        start="2026-06-03T17:00",
        due="2026-06-04T17:00",
        elapsed="23h",
        remaining="1h",
        paused_for="0m",
        cycle=1,
    )
    assert callback.calendar == "around-the-clock"
    # callback-2h-left: 22h after Wed 17:00 -> Thu 15:00.
    assert [(e.key, e.at, e.notify) for e in status.escalations_due if e.target == "callback"] == [
        (("callback-2h-left", "callback", 1), t("2026-06-04T15:00"), ("lead",))
    ]
    done = policy.status(
        ticket("2026-06-01T09:00", 2),
        [*events, ev("callback_done", "2026-06-04T10:00")],
        now="2026-06-04T16:00",
    )
    check(done.targets["callback"], state="met", stopped_at="2026-06-04T10:00", elapsed="17h")
    assert [e for e in done.escalations_due if e.target == "callback"] == []


def test_a_target_calendar_wins_over_the_metric_calendar(policy: Policy) -> None:
    # P3 callback is {within: 3d, calendar: office}: resolved Wed 06-03 17:00 -> the third
    # working day after it, Mon 06-08 17:00 (Thu, Fri, Mon), not 72 hours later.
    events = [ev("resolved", "2026-06-03T17:00")]
    status = policy.status(ticket("2026-06-01T09:00", 3), events, now="2026-06-04T10:00")
    callback = status.targets["callback"]
    assert callback.calendar == "office"
    check(callback, state="running", due="2026-06-08T17:00", within="3d")


def test_callback_cycle_each_resolution(policy: Policy) -> None:
    # resolved Mon 10:00 (callback 1), callback_done 11:00 (met), reopened 14:00,
    # resolved Tue 10:00 (callback 2, due Wed 10:00), seen Wed 11:00 without a callback:
    # breached at Wed 10:00, 25h used; callback-2h-left Wed 08:00 (cycle 2 only: cycle 1
    # stopped at 11:00, before its threshold Tue 08:00).
    events = [
        ev("resolved", "2026-06-01T10:00"),
        ev("callback_done", "2026-06-01T11:00"),
        ev("reopened", "2026-06-01T14:00"),
        ev("resolved", "2026-06-02T10:00"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-03T11:00")
    assert states(status, "callback") == ["met", "breached"]
    check(
        status.targets["callback"],
        state="breached",
        cycle=2,
        start="2026-06-02T10:00",
        due="2026-06-03T10:00",
        elapsed="25h",
        remaining="-1h",
        breaches=["2026-06-03T10:00"],
    )
    assert [(e.key, e.at) for e in status.escalations_due if e.target == "callback"] == [
        (("callback-2h-left", "callback", 2), t("2026-06-03T08:00"))
    ]


# ----------------------------------------------------------------- once vs each, escalations

# P2 (first_contact and next_reply: 2h on the office calendar), created Mon 06-01 09:00.
CONVERSATION = [
    ev("customer_replied", "2026-06-01T10:00"),
    ev("responded", "2026-06-01T11:10"),
    ev("customer_replied", "2026-06-01T17:00"),
    ev("customer_replied", "2026-06-02T09:30"),  # while a cycle runs: it keeps running
    ev("responded", "2026-06-02T10:30"),
    ev("customer_replied", "2026-06-02T11:00"),
]


def test_cycle_each_starts_a_cycle_at_every_start(policy: Policy) -> None:
    # next_reply (each):
    #   cycle 1 [Mon 10:00, Mon 11:10]  due 12:00                      met
    #   cycle 2 [Mon 17:00, Tue 10:30]  due 1h Mon + 1h Tue -> Tue 10:00  breached (2h30m)
    #   cycle 3 [Tue 11:00, ...]        due 11:00-12:00 + 13:30-14:30 -> Tue 14:30
    # At Tue 15:00 cycle 3 is breached: 11:00-12:00 + 13:30-15:00 = 2h30m used.
    status = policy.status(ticket("2026-06-01T09:00", 2), CONVERSATION, now="2026-06-02T15:00")
    cycles = status.cycles["next_reply"]
    assert [c.cycle for c in cycles] == [1, 2, 3]
    check(cycles[0], state="met", start="2026-06-01T10:00", due="2026-06-01T12:00", elapsed="1h10m")
    check(
        cycles[1],
        state="breached",
        start="2026-06-01T17:00",
        due="2026-06-02T10:00",
        stopped_at="2026-06-02T10:30",
        elapsed="2h30m",
        breaches=["2026-06-02T10:00"],
    )
    check(
        status.targets["next_reply"],
        state="breached",
        cycle=3,
        start="2026-06-02T11:00",
        due="2026-06-02T14:30",
        elapsed="2h30m",
        remaining="-30m",
        breaches=["2026-06-02T10:00", "2026-06-02T14:30"],
    )
    assert status.targets["next_reply"] == cycles[-1]


def test_cycle_once_measures_the_first_start_to_the_first_stop(policy: Policy) -> None:
    # first_contact (once) on the same history: only [Mon 10:00, Mon 11:10], met.
    status = policy.status(ticket("2026-06-01T09:00", 2), CONVERSATION, now="2026-06-02T15:00")
    assert states(status, "first_contact") == ["met"]
    check(
        status.targets["first_contact"],
        state="met",
        cycle=1,
        start="2026-06-01T10:00",
        stopped_at="2026-06-01T11:10",
        due="2026-06-01T12:00",
    )


def test_escalations_on_a_custom_metric_once_per_cycle(policy: Policy) -> None:
    # reply-late (100% of next_reply): cycle 1 stopped before its due (no), cycle 2 at Tue
    # 10:00 (stopped 10:30: yes), cycle 3 at Tue 14:30 (yes). Besides: hold-half (50% of
    # hold_aware's 8h -> Mon 14:30) and plan-75 (Mon 16:30).
    status = policy.status(ticket("2026-06-01T09:00", 2), CONVERSATION, now="2026-06-02T15:00")
    assert escalations(status) == [
        (("hold-half", "hold_aware", 1), t("2026-06-01T14:30")),
        (("plan-75", "plan", 1), t("2026-06-01T16:30")),
        (("reply-late", "next_reply", 2), t("2026-06-02T10:00")),
        (("reply-late", "next_reply", 3), t("2026-06-02T14:30")),
    ]
    late = [e for e in status.escalations_due if e.rule == "reply-late"]
    assert all(e.notify == ("desk",) for e in late)
    # asked again later, the same keys keep their instants (and nothing is added for them)
    later = policy.status(ticket("2026-06-01T09:00", 2), CONVERSATION, now="2026-06-03T09:00")
    again = {e.key: e.at for e in later.escalations_due}
    for key, at in escalations(status):
        assert again[key] == at


# --------------------------------------------------------------------------- conditional triggers


def test_missing_info_starts_and_stops_on_conditions(policy: Policy) -> None:
    # P2 missing_info (1d), created Mon 06-01 09:00:
    # [0] Mon 09:30 info_complete: true   stop holds, nothing runs; start does not hold
    # [1] Mon 10:00 info_complete: false  start: cycle 1, due 1 working day -> Tue 10:00
    # [2] Mon 11:00 level: 2              info_complete is still false: start holds again,
    #                                      but a cycle runs: kept
    # [3] Tue 09:30 info_complete: true   stop: met; used Mon 10:00-12:00, 13:30-18:00,
    #                                      Tue 09:00-09:30 = 7h; of 7h30m, 30m left
    # [4] Tue 10:00 info_complete: false  cycle: once, so no second cycle
    events = [
        ev("updated", "2026-06-01T09:30", fields={"info_complete": True}),
        ev("updated", "2026-06-01T10:00", fields={"info_complete": False}),
        ev("updated", "2026-06-01T11:00", fields={"level": 2}),
        ev("updated", "2026-06-02T09:30", fields={"info_complete": True}),
        ev("updated", "2026-06-02T10:00", fields={"info_complete": False}),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-02T12:00")
    assert states(status, "missing_info") == ["met"]
    check(
        status.targets["missing_info"],
        state="met",
        cycle=1,
        start="2026-06-01T10:00",
        due="2026-06-02T10:00",
        stopped_at="2026-06-02T09:30",
        elapsed="7h",
        remaining="30m",
    )


def test_a_when_sees_the_ticket_as_it_stands_after_the_event(policy: Policy) -> None:
    # The ticket arrives with info_complete: false; the first update (of another field)
    # finds the condition true and starts missing_info at Mon 11:00 -> Tue 11:00.
    events = [ev("updated", "2026-06-01T11:00", fields={"level": 2})]
    status = policy.status(
        ticket("2026-06-01T09:00", 2, info_complete=False), events, now="2026-06-01T12:00"
    )
    check(status.targets["missing_info"], state="running", start="2026-06-01T11:00", cycle=1)
    assert status.targets["missing_info"].due == t("2026-06-02T11:00")
    # without any update it never starts (created is not one of its triggers)
    bare = policy.status(
        ticket("2026-06-01T09:00", 2, info_complete=False), [], now="2026-06-01T12:00"
    )
    check_pending(bare.targets["missing_info"])


TRIGGERS = textwrap.dedent(
    """\
    slapolicy: 1
    name: triggers
    timezone: Asia/Shanghai
    calendars:
      always: {hours: always}
    fields:
      level: {type: integer}
      info_complete: {type: boolean}
    categories:
      - {id: other}
    priorities:
      - {id: P1, when: {level: 1}}
      - {id: P2}
    events:
      implemented: {}
      escalated: {}
    metrics:
      # any of a list fires; a `when` may test a decision value (priority)
      urgent_fix:
        start: [{event: escalated, when: {priority: P1}}, {event: updated, when: {level: 1}}]
        stop: [implemented, {event: resolved, when: {priority: P1}}]
      # resume: when the ticket lacks details again, the stopped cycle runs on
      investigation:
        start: created
        stop: {event: updated, when: {info_complete: true}}
        resume: {event: updated, when: {info_complete: false}}
    slas:
      - id: standard
        calendar: always
        targets:
          P1: {response: 1h, urgent_fix: 4h, investigation: 8h}
          P2: {response: 2h, urgent_fix: 8h, investigation: 8h}
    routing:
      - {owner: desk}
    """
)


def test_triggers_in_a_list_with_and_without_when() -> None:
    policy = slapolicy.load_policy(TRIGGERS)
    # P2 ticket: `escalated` does not start urgent_fix (not P1); the update to level 1 at
    # 10:00 does (the ticket is P1 after it); `resolved` stops it only as P1; P1 4h.
    events = [
        ev("escalated", "2026-06-01T09:30"),
        ev("updated", "2026-06-01T10:00", fields={"level": 1}),
        ev("escalated", "2026-06-01T10:30"),  # a cycle runs: kept
        ev("resolved", "2026-06-01T12:00"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T13:00")
    check(
        status.targets["urgent_fix"],
        state="met",
        start="2026-06-01T10:00",
        due="2026-06-01T14:00",
        stopped_at="2026-06-01T12:00",
        elapsed="2h",
        cycle=1,
    )
    # A P2 ticket that stays P2: escalated never starts it, `resolved` would not stop it.
    bare = policy.status(
        ticket("2026-06-01T09:00", 2), [ev("escalated", "2026-06-01T09:30")], now="2026-06-01T10:00"
    )
    check_pending(bare.targets["urgent_fix"])
    # A P1 ticket: escalated starts it; resolved stops it; the other stop also works.
    p1 = policy.status(
        ticket("2026-06-01T09:00", 1),
        [ev("escalated", "2026-06-01T09:30"), ev("implemented", "2026-06-01T10:00")],
        now="2026-06-01T11:00",
    )
    check(p1.targets["urgent_fix"], state="met", start="2026-06-01T09:30", elapsed="30m")


def test_resume_with_when_continues_the_stopped_cycle() -> None:
    policy = slapolicy.load_policy(TRIGGERS)
    # investigation (8h, 24x7) from Mon 09:00; details complete at 10:00 (stopped, met,
    # 1h); an update of another field at 11:00 resumes nothing (the condition is false);
    # missing again at 12:00: the cycle resumes, 10:00-12:00 counts as paused; due 17:00
    # + 2h = 19:00. At 13:00: 1h + 1h = 2h used.
    events = [
        ev("updated", "2026-06-01T10:00", fields={"info_complete": True}),
        ev("updated", "2026-06-01T11:00", fields={"level": 2}),
        ev("updated", "2026-06-01T12:00", fields={"info_complete": False}),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T13:00")
    check(
        status.targets["investigation"],
        state="running",
        cycle=1,
        start="2026-06-01T09:00",
        due="2026-06-01T19:00",
        elapsed="2h",
        paused_for="2h",
    )
    assert status.targets["investigation"].stopped_at is None
    at_11 = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T11:30")
    check(at_11.targets["investigation"], state="met", stopped_at="2026-06-01T10:00")


# --------------------------------------------------------------------------- pauses

# P2 created Mon 06-01 09:00: waiting for the customer 10:00-11:00 (a status), and on hold
# from 14:00 until the customer answers at 15:00 (an event pair).
HOLDS = [
    ev("status", "2026-06-01T10:00", status="waiting_customer"),
    ev("status", "2026-06-01T11:00", status="open"),
    ev("on_hold", "2026-06-01T14:00"),
    ev("customer_replied", "2026-06-01T15:00"),
]


def test_pause_by_statuses_and_by_event_pairs(policy: Policy) -> None:
    status = policy.status(ticket("2026-06-01T09:00", 2), HOLDS, now="2026-06-01T16:00")
    # hold_aware pauses on both: plain due Tue 09:30, pushed by 2h -> Tue 11:30. Working
    # time to 16:00: 3h + 2h30m = 5h30m, minus 2h paused = 3h30m; 4h30m left.
    check(
        status.targets["hold_aware"],
        state="running",
        due="2026-06-02T11:30",
        elapsed="3h30m",
        remaining="4h30m",
        paused_for="2h",
    )
    # resolve and plan pause on clock.pause_statuses only: due Tue 10:30.
    for name in ("resolve", "plan"):
        check(status.targets[name], state="running", due="2026-06-02T10:30", paused_for="1h")
    # hold-half (50% of 8h): plain Mon 14:30; the pause of 10:00 began before it -> 15:30;
    # the one of 14:00 too -> 16:30. Not reached at 16:00; reached at 17:00.
    assert "hold-half" not in [e.rule for e in status.escalations_due]
    later = policy.status(ticket("2026-06-01T09:00", 2), HOLDS, now="2026-06-01T17:00")
    assert (("hold-half", "hold_aware", 1), t("2026-06-01T16:30")) in escalations(later)


def test_an_open_event_pair_pauses_only_its_metric(policy: Policy) -> None:
    # At 14:30 the ticket is on hold (the pair is open): hold_aware is paused, the others
    # run, and the ticket's own status (open) is not a pause status.
    status = policy.status(ticket("2026-06-01T09:00", 2), HOLDS, now="2026-06-01T14:30")
    assert not status.paused
    check(status.targets["hold_aware"], state="paused", paused_for="1h30m")
    check(status.targets["resolve"], state="running", paused_for="1h")
    # a second on_hold while on hold changes nothing; the pair closes at the reply
    twice = [*HOLDS[:3], ev("on_hold", "2026-06-01T14:15"), HOLDS[3]]
    once = policy.status(ticket("2026-06-01T09:00", 2), HOLDS, now="2026-06-01T16:00")
    again = policy.status(ticket("2026-06-01T09:00", 2), twice, now="2026-06-01T16:00")
    assert again.targets["hold_aware"] == once.targets["hold_aware"]
    # an `until` without a `from` before it changes nothing either
    stray = [ev("customer_replied", "2026-06-01T09:30")]
    bare = policy.status(ticket("2026-06-01T09:00", 2), stray, now="2026-06-01T16:00")
    check(bare.targets["hold_aware"], state="running", paused_for="0m", due="2026-06-02T09:30")


def test_a_pause_after_the_due_instant_changes_nothing(policy: Policy) -> None:
    # plan (P2, due Tue 09:30) not submitted; waiting for the customer from Tue 10:00:
    # the due stays Tue 09:30 (breached), though 10:00-11:00 counts as paused. Used: Mon
    # 7h30m + Tue 09:00-11:30 (2h30m) - 1h paused = 9h.
    events = [
        ev("status", "2026-06-02T10:00", status="waiting_customer"),
        ev("status", "2026-06-02T11:00", status="open"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-02T11:30")
    check(
        status.targets["plan"],
        state="breached",
        due="2026-06-02T09:30",
        paused_for="1h",
        elapsed="9h",
        remaining="-1h",
    )


# --------------------------------------------------------------------------- cancel


@pytest.mark.parametrize(
    "cancel",
    [
        pytest.param(ev("duplicate", "2026-06-01T11:00"), id="by-event"),
        pytest.param(ev("status", "2026-06-01T11:00", status="spam"), id="by-status"),
    ],
)
def test_cancel_ends_the_cycle_neither_met_nor_breached(
    policy: Policy, cancel: dict[str, Any]
) -> None:
    # hold_aware (P2 8h) from Mon 09:00 is due Tue 09:30; cancelled at Mon 11:00 (a
    # duplicate, or spam). Seen on Wednesday, long after the due and after hold-half's
    # threshold (Mon 14:30): state cancelled, no breach, no escalation. A later resolution
    # changes nothing (cycle: once).
    events = [cancel, ev("resolved", "2026-06-02T14:00")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-03T15:00")
    target = status.targets["hold_aware"]
    check(
        target,
        state="cancelled",
        start="2026-06-01T09:00",
        due="2026-06-02T09:30",
        stopped_at="2026-06-01T11:00",
        elapsed="2h",
        breaches=(),
        cycle=1,
    )
    assert states(status, "hold_aware") == ["cancelled"]
    assert [e for e in status.escalations_due if e.target == "hold_aware"] == []
    # plan (no cancel) is breached and escalated as usual
    check(status.targets["plan"], state="breached", due="2026-06-02T09:30")
    assert "plan-75" in [e.rule for e in status.escalations_due]


def test_a_cancellation_after_the_due_keeps_the_record(policy: Policy) -> None:
    # Cancelled at Tue 12:00, after the due Tue 09:30 and the hold-half threshold Mon
    # 14:30: still `cancelled` (neither met nor breached, no breached_at), but what happened
    # before stays in the record (docs/clock.md): the breach instant in `breaches`, and the
    # escalation already due keeps its key.
    events = [ev("duplicate", "2026-06-02T12:00")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-03T15:00")
    check(
        status.targets["hold_aware"],
        state="cancelled",
        due="2026-06-02T09:30",
        stopped_at="2026-06-02T12:00",
        breaches=["2026-06-02T09:30"],
    )
    assert [(e.key, e.at) for e in status.escalations_due if e.target == "hold_aware"] == [
        (("hold-half", "hold_aware", 1), t("2026-06-01T14:30"))
    ]


def test_cancel_when_nothing_runs_does_nothing(policy: Policy) -> None:
    # hold_aware was met at the resolution (Mon 10:00); the duplicate comes later.
    events = [ev("resolved", "2026-06-01T10:00"), ev("duplicate", "2026-06-01T11:00")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T12:00")
    check(status.targets["hold_aware"], state="met", stopped_at="2026-06-01T10:00")


# --------------------------------------------------------------------------- open_only


def test_open_only_starts_count_only_while_the_ticket_is_open(policy: Policy) -> None:
    # result ({by: "18:00", days: 1}, open_only, each). Resolved Mon 10:00; implemented at
    # 11:00 while resolved: no cycle. Reopened 14:00; implemented 15:00: cycle 1, due the
    # next working day at 18:00, Tue 06-02 18:00.
    events = [
        ev("resolved", "2026-06-01T10:00"),
        ev("implemented", "2026-06-01T11:00"),
        ev("reopened", "2026-06-01T14:00"),
        ev("implemented", "2026-06-01T15:00"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-02T10:00")
    check(
        status.targets["result"],
        state="running",
        cycle=1,
        start="2026-06-01T15:00",
        due="2026-06-02T18:00",
    )
    assert status.ignored_events == ()  # the event itself counts; only the start does not
    # without open_only the first implementation starts it
    anywhere = slapolicy.load_policy(
        POLICY.replace(
            "result: {start: implemented, stop: result_sent, cycle: each, open_only: true}",
            "result: {start: implemented, stop: result_sent, cycle: each}",
        )
    )
    other = anywhere.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-02T10:00")
    check(other.targets["result"], state="running", cycle=1, start="2026-06-01T11:00")


def test_open_only_closed_ticket(policy: Policy) -> None:
    events = [ev("closed", "2026-06-01T10:00"), ev("implemented", "2026-06-01T11:00")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T12:00")
    check_pending(status.targets["result"])


# --------------------------------------------------------------------------- re-prioritisation

# P3 created Mon 06-01 09:00; at 10:00 the agent finds it is a P1. Seen at 10:30.
UPGRADE = [ev("updated", "2026-06-01T10:00", fields={"level": 1})]


def test_on_reprioritise_keep_running_cycles_take_the_new_target(policy: Policy) -> None:
    status = policy.status(ticket("2026-06-01T09:00", 3), UPGRADE, now="2026-06-01T10:30")
    assert status.decision.priority == "P1"
    # plan: P3 {by: "12:30"} (due 12:00, not breached at 10:00) takes P1's 1h from its
    # start 09:00: due 10:00, breached at 10:30.
    check(
        status.targets["plan"],
        state="breached",
        within="1h",
        start="2026-06-01T09:00",
        due="2026-06-01T10:00",
        cycle=1,
    )
    # hold_aware had no P3 target: it appears in the cycle the history gives it (from the
    # clock start): 4h -> 09:00-12:00 + 13:30-14:30.
    check(
        status.targets["hold_aware"],
        state="running",
        start="2026-06-01T09:00",
        due="2026-06-01T14:30",
        cycle=1,
    )
    # vip_plan starts only at a creation as P1: this ticket was P3 then.
    check_pending(status.targets["vip_plan"])
    # plan-75 of the 1h target: 09:45.
    assert (("plan-75", "plan", 1), t("2026-06-01T09:45")) in escalations(status)


def test_on_reprioritise_restart_running_cycles_restart_at_the_change() -> None:
    policy = slapolicy.load_policy(
        POLICY.replace(
            "  pause_statuses: [waiting_customer]\n",
            "  pause_statuses: [waiting_customer]\n  on_reprioritise: restart\n",
        )
    )
    status = policy.status(ticket("2026-06-01T09:00", 3), UPGRADE, now="2026-06-01T10:30")
    # plan: cycle 1 (P3) cancelled at 10:00, cycle 2 from 10:00 with 1h: due 11:00.
    assert states(status, "plan") == ["cancelled", "running"]
    check(
        status.cycles["plan"][0],
        state="cancelled",
        within="by 12:30",
        due="2026-06-01T12:00",
        stopped_at="2026-06-01T10:00",
    )
    check(
        status.targets["plan"],
        state="running",
        within="1h",
        start="2026-06-01T10:00",
        due="2026-06-01T11:00",
        elapsed="30m",
        cycle=2,
        breaches=(),
    )
    # response: 15m from 10:00 -> 10:15, breached at 10:30; cycle 1 (P3) is not a breach.
    check(
        status.targets["response"],
        state="breached",
        start="2026-06-01T10:00",
        due="2026-06-01T10:15",
        cycle=2,
        breaches=["2026-06-01T10:15"],
    )
    # hold_aware (no P3 target, so its first cycle is not counted) restarts at 10:00: 4h
    # -> 10:00-12:00 + 13:30-15:30.
    check(
        status.targets["hold_aware"],
        state="running",
        start="2026-06-01T10:00",
        due="2026-06-01T15:30",
        cycle=2,
    )
    assert [c.cycle for c in status.cycles["hold_aware"]] == [2]
    check_pending(status.targets["vip_plan"])
    # plan-75 of cycle 2 (10:45) is not reached; cycle 1 was cancelled.
    assert [e for e in status.escalations_due if e.target == "plan"] == []
    # no change of priority, no restart
    same = policy.status(
        ticket("2026-06-01T09:00", 3),
        [ev("updated", "2026-06-01T10:00", fields={"info_complete": True})],
        now="2026-06-01T10:30",
    )
    check(same.targets["plan"], state="running", cycle=1, due="2026-06-01T12:00")


def test_a_stop_on_the_update_that_changes_the_priority_ends_the_running_cycle() -> None:
    # TRIGGERS' investigation (8h, 24x7) from Mon 09:00, stopped by an update with
    # info_complete: true; that update also makes the ticket P1 (level 1). With keep, the
    # cycle is met at 11:00 after 2h; with restart it must be the same (nothing runs at
    # the change), not a cancelled cycle and a second one of zero length.
    events = [ev("updated", "2026-06-01T11:00", fields={"info_complete": True, "level": 1})]
    keep = slapolicy.load_policy(TRIGGERS)
    kept = keep.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T12:00")
    assert states(kept, "investigation") == ["met"]
    restart = slapolicy.load_policy(TRIGGERS + "clock:\n  on_reprioritise: restart\n")
    status = restart.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T12:00")
    assert states(status, "investigation") == ["met"]
    check(status.targets["investigation"], state="met", elapsed="2h", cycle=1)


# --------------------------------------------------------------------------- wall-clock targets

WALL = textwrap.dedent(
    """\
    slapolicy: 1
    name: wall-clock
    timezone: Asia/Shanghai
    calendars:
      office:
        timezone: Asia/Shanghai
        hours: {mon-fri: ["09:00-12:00", "13:30-18:00"]}
        holidays: {country: CN}
      around-the-clock:
        timezone: Asia/Shanghai
        hours: always
    fields:
      kind: {type: string}
    categories:
      - {id: other}
    priorities:
      - {id: lunch, when: {kind: lunch}}
      - {id: next-day, when: {kind: next-day}}
      - {id: friday, when: {kind: friday}}
      - {id: saturday, when: {kind: saturday}}
      - {id: nonstop, when: {kind: nonstop}}
      - {id: two-days, when: {kind: two-days}}
      - {id: early, when: {kind: early}}
      - {id: midnight, when: {kind: midnight}}
      - {id: zhou-wu, when: {kind: zhou-wu}}
      - {id: plain}
    metrics:
      deadline: {start: created, stop: resolved}
    slas:
      - id: standard
        calendar: office
        targets:
          lunch: {deadline: {by: "12:30"}}
          next-day: {deadline: {by: "18:00", days: 1}}
          friday: {deadline: {by: "16:00", weekday: fri}}
          saturday: {deadline: {by: "10:00", weekday: saturday}}
          nonstop: {deadline: {by: "18:00", days: 1, calendar: around-the-clock}}
          two-days: {deadline: {by: "09:00", days: 2}}
          early: {deadline: {by: "08:00"}}
          midnight: {deadline: {by: "24:00", days: 0}}
          zhou-wu: {deadline: {by: "16:00", weekday: 星期五}}
          plain: {deadline: 1d}
    routing:
      - {owner: desk}
    """
)


@pytest.fixture(scope="module")
def wall() -> Policy:
    return slapolicy.load_policy(WALL)


@pytest.mark.parametrize(
    ("kind", "created", "due"),
    [
        # 12:30 is in the lunch break: the end of the morning window, 12:00.
        pytest.param("lunch", "2026-06-01T10:00", "2026-06-01T12:00", id="lunch-same-day"),
        # before opening: the start is the opening 09:00, before 12:30
        pytest.param("lunch", "2026-06-01T07:00", "2026-06-01T12:00", id="lunch-before-opening"),
        # created in the lunch break: the start is 13:30, after 12:30 -> next working day
        pytest.param("lunch", "2026-06-01T12:45", "2026-06-02T12:00", id="lunch-in-the-break"),
        pytest.param("lunch", "2026-06-01T12:30", "2026-06-02T12:00", id="lunch-at-the-time"),
        # Thu 06-18 14:00: the next working day is Mon 06-22 (Dragon Boat Fri 06-19)
        pytest.param("lunch", "2026-06-18T14:00", "2026-06-22T12:00", id="lunch-over-a-holiday"),
        # next working day after Thu 04-30: Labour Day 05-01..05-05 -> Wed 05-06
        pytest.param("next-day", "2026-04-30T10:00", "2026-05-06T18:00", id="over-labour-day"),
        # Fri 05-08: the next working day is the make-up Saturday 05-09
        pytest.param("next-day", "2026-05-08T10:00", "2026-05-09T18:00", id="make-up-saturday"),
        pytest.param("next-day", "2026-06-18T10:00", "2026-06-22T18:00", id="over-dragon-boat"),
        # Sat 06-13: the start is Mon 06-15 09:00 -> Tue 06-16
        pytest.param("next-day", "2026-06-13T12:00", "2026-06-16T18:00", id="from-a-weekend"),
        # Mon 19:00: the start is Tue 09:00 -> Wed
        pytest.param("next-day", "2026-06-01T19:00", "2026-06-03T18:00", id="from-the-evening"),
        pytest.param("friday", "2026-06-10T10:00", "2026-06-12T16:00", id="friday-this-week"),
        pytest.param("friday", "2026-06-12T15:00", "2026-06-12T16:00", id="friday-same-day"),
        # at 16:00 or later on Friday: the next working Friday, not 06-19 (Dragon Boat)
        pytest.param("friday", "2026-06-12T16:00", "2026-06-26T16:00", id="friday-at-the-time"),
        pytest.param("friday", "2026-06-12T17:00", "2026-06-26T16:00", id="friday-after"),
        pytest.param("friday", "2026-06-13T10:00", "2026-06-26T16:00", id="friday-skip-holiday"),
        pytest.param("zhou-wu", "2026-06-10T10:00", "2026-06-12T16:00", id="chinese-weekday"),
        # the next working Saturday: the make-up day 05-09 ...
        pytest.param("saturday", "2026-05-06T10:00", "2026-05-09T10:00", id="make-up-sat"),
        # ... and after it the next one is 10-10 (09-20 is a make-up Sunday)
        pytest.param("saturday", "2026-06-01T10:00", "2026-10-10T10:00", id="next-make-up-sat"),
        # 24x7: the next day at 18:00, weekends and holidays alike
        pytest.param("nonstop", "2026-06-13T20:00", "2026-06-14T18:00", id="nonstop-weekend"),
        pytest.param("nonstop", "2026-06-19T10:00", "2026-06-20T18:00", id="nonstop-holiday"),
        pytest.param("two-days", "2026-06-01T10:00", "2026-06-03T09:00", id="two-days"),
        pytest.param("two-days", "2026-06-18T10:00", "2026-06-23T09:00", id="two-days-holiday"),
        # 08:00 is before the day's first window: the end of the last window before it,
        # which is the evening of the start's own working day
        pytest.param("early", "2026-06-01T10:00", "2026-06-01T18:00", id="before-opening"),
        pytest.param("early", "2026-06-05T10:00", "2026-06-05T18:00", id="before-opening-fri"),
        pytest.param("midnight", "2026-06-01T10:00", "2026-06-01T18:00", id="midnight"),
        # a plain duration for comparison: 1 working day
        pytest.param("plain", "2026-06-18T10:00", "2026-06-22T10:00", id="plain-1d"),
    ],
)
def test_wall_clock_targets(wall: Policy, kind: str, created: str, due: str) -> None:
    tk = {"created_at": created, "kind": kind}
    decision = wall.evaluate(tk)
    assert decision.targets["deadline"].due == t(due)
    status = wall.status(tk, [], now=created)
    assert status.targets["deadline"].due == t(due)
    assert status.targets["deadline"].state == "running"


def test_wall_clock_target_text_and_arithmetic(wall: Policy) -> None:
    # friday from Wed 06-10 10:00: due Fri 06-12 16:00. The working time from the start to
    # the due is the target's size: Wed 7h (10:00-12:00, 13:30-18:00 = 6h30m) ... counted:
    #   Wed 10:00-12:00 (2h) + 13:30-18:00 (4h30m) = 6h30m, Thu 7h30m, Fri 09:00-12:00
    #   (3h) + 13:30-16:00 (2h30m) = 5h30m -> 19h30m. At Thu 10:00: 7h30m used, 12h left.
    status = wall.status(
        {"created_at": "2026-06-10T10:00", "kind": "friday"}, [], now="2026-06-11T10:00"
    )
    check(
        status.targets["deadline"],
        state="running",
        within="by 16:00 fri",
        due="2026-06-12T16:00",
        elapsed="7h30m",
        remaining="12h",
    )
    texts = {
        kind: wall.evaluate({"created_at": "2026-06-01T10:00", "kind": kind})
        .targets["deadline"]
        .within
        for kind in ("lunch", "next-day", "midnight")
    }
    assert texts == {"lunch": "by 12:30", "next-day": "by 18:00 +1d", "midnight": "by 24:00"}


def test_a_wall_clock_due_is_pushed_by_pauses(wall: Policy) -> None:
    # next-day from Mon 06-01 10:00: Tue 18:00; waiting for the customer Mon 11:00-14:00
    # (1h + 30m of working time): pushed by 1h30m past Tue 18:00 -> Wed 06-03 10:30.
    policy = slapolicy.load_policy(WALL + "clock:\n  pause_statuses: [waiting_customer]\n")
    events = [
        ev("status", "2026-06-01T11:00", status="waiting_customer"),
        ev("status", "2026-06-01T14:00", status="open"),
    ]
    tk = {"created_at": "2026-06-01T10:00", "kind": "next-day"}
    status = policy.status(tk, events, now="2026-06-01T15:00")
    check(status.targets["deadline"], state="running", due="2026-06-03T10:30", paused_for="1h30m")
    assert wall.status(tk, events, now="2026-06-01T15:00").targets["deadline"].due == t(
        "2026-06-02T18:00"
    )


NIGHT = textwrap.dedent(
    """\
    slapolicy: 1
    name: night shift
    timezone: Asia/Shanghai
    calendars:
      night: {hours: {mon-fri: ["22:00-06:00"]}}
    categories:
      - {id: other}
    priorities:
      - {id: P1}
    metrics:
      deadline: {start: created, stop: resolved}
    slas:
      - id: standard
        calendar: night
        targets:
          P1: {deadline: {by: "01:00", days: 1}}
    routing:
      - {owner: desk}
    """
)


@pytest.mark.parametrize(
    ("created", "due"),
    [
        # Mon 23:00, in Monday's 22:00-06:00 shift: the first working day after Monday is
        # Tuesday, and Tue 01:00 lies in Monday's shift, after the start.
        pytest.param("2026-06-01T23:00", "2026-06-02T01:00", id="before-midnight"),
        # Tue 02:00, in Monday's shift too: Tue 01:00 would be an hour before the start; a
        # deadline is never at or before its start, so the same time on the next working
        # day, Wed 01:00 (in Tuesday's shift).
        pytest.param("2026-06-02T02:00", "2026-06-03T01:00", id="after-midnight"),
    ],
)
def test_a_wall_clock_due_is_never_before_the_start_on_a_night_shift(
    created: str, due: str
) -> None:
    policy = slapolicy.load_policy(NIGHT)
    decision = policy.evaluate({"created_at": created})
    assert decision.targets["deadline"].due == t(due)
    status = policy.status({"created_at": created}, [], now=created)
    check(status.targets["deadline"], state="running", start=created, due=due)


# --------------------------------------------------------------------------- SlaStatus.cycles


def test_cycles_hold_every_counted_cycle_oldest_first(policy: Policy) -> None:
    status = policy.status(ticket("2026-06-01T09:00", 2), CONVERSATION, now="2026-06-02T15:00")
    assert set(status.cycles) == set(status.targets)
    for name, cycles in status.cycles.items():
        if cycles:
            assert cycles[-1] == status.targets[name]
            assert [c.cycle for c in cycles] == sorted(c.cycle for c in cycles)
            assert all(c.name == name for c in cycles)
    # the breaches of a cycle are those of the metric up to it
    replies = status.cycles["next_reply"]
    assert [len(c.breaches) for c in replies] == [0, 1, 2]
    data = status.to_dict()
    assert [c["state"] for c in data["cycles"]["next_reply"]] == ["met", "breached", "breached"]
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


# --------------------------------------------------------------------------- examples in a policy

EXAMPLES = textwrap.dedent(
    """\
    examples:
      - name: 解决后回访 (callback after the resolution)
        ticket: {created_at: "2026-06-01T09:00", level: 2}
        events:
          - {type: resolved, at: "2026-06-03T17:00"}
        now: "2026-06-04T16:00"
        expect:
          priority: P2
          callback_due: "2026-06-04T17:00"
          callback_state: running
          plan_state: breached
          plan_due: "2026-06-02T09:30"
          next_reply_state: pending
          next_reply_due: null
          hold_aware_state: breached
      - name: cancelled as a duplicate
        ticket: {created_at: "2026-06-01T09:00", level: 2}
        events:
          - {type: duplicate, at: "2026-06-01T10:00"}
        now: "2026-06-01T11:00"
        expect: {hold_aware_state: cancelled, plan_state: running}
      - name: without events, the Decision's dues
        ticket: {created_at: "2026-06-01T09:00", level: 2}
        expect: {plan_due: "2026-06-02T09:30", review_due: "2026-06-05T16:00", callback_due: null}
      - name: a wrong expectation
        ticket: {created_at: "2026-06-01T09:00", level: 2}
        events: [{type: plan_submitted, at: "2026-06-01T10:00"}]
        now: "2026-06-01T11:00"
        expect: {plan_state: breached, plan_due: "2026-06-02T09:00"}
      - name: a state without events
        ticket: {created_at: "2026-06-01T09:00", level: 2}
        expect: {plan_state: running}
      - name: events without now
        ticket: {created_at: "2026-06-01T09:00", level: 2}
        events: [{type: plan_submitted, at: "2026-06-01T10:00"}]
        expect: {plan_state: met}
      - name: an unknown metric
        ticket: {created_at: "2026-06-01T09:00", level: 2}
        events: []
        now: "2026-06-01T11:00"
        expect: {plann_state: running}
      - name: a typo in the history
        ticket: {created_at: "2026-06-01T09:00", level: 2}
        events: [{type: plan_submited, at: "2026-06-01T10:00"}]
        now: "2026-06-01T11:00"
        expect: {plan_state: met}
    """
)


def test_examples_with_events_and_now() -> None:
    policy = slapolicy.load_policy(POLICY + EXAMPLES)
    results = run_examples(policy)
    assert [r.passed for r in results] == [True, True, True, False, False, False, False, False]
    for result in results[:3]:
        assert result.mismatches == (), result
        assert result.error is None, result
    wrong = results[3]
    assert wrong.error is None
    assert [(m.field, m.expected, m.actual) for m in wrong.mismatches] == [
        ("plan_state", "breached", "met"),
        ("plan_due", "2026-06-02T09:00", "2026-06-02T09:30:00+08:00"),
    ]
    assert results[4].error is not None
    assert "plan_state" in results[4].error
    assert "needs events and now" in results[4].error
    assert results[5].error is not None
    assert "needs `now`" in results[5].error
    assert results[6].error is not None
    assert "plann_state" in results[6].error
    assert results[7].error is not None
    assert "plan_submited" in results[7].error
