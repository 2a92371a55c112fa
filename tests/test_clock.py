"""Worked scenarios for the SLA clock (``Policy.status``), computed by hand.

Every expected value below was worked out by hand; the comment next to each case shows the
arithmetic. The semantics are those of docs/clock.md; the scenarios come from the source
processes in the product contract (split-shift offices on Chinese working days, P0/P1
outages, customers who go quiet over a holiday, dissatisfied customers who reopen, tickets
upgraded halfway through).

The policy (``POLICY`` below) works on a Shanghai office calendar with a split shift and the
official Chinese holidays:

    hours: {mon-fri: ["09:00-12:00", "13:30-18:00"]}      # 3h + 4h30m = 7h30m a day
    holidays: {country: CN}                                # make-up days: the same split shift

    P0  response 0m   resolve 24h  update 30m   (24x7 calendar: "respond at once")
    P1  response 15m  resolve 2h   update 1h
    P2  response 30m  resolve 8h   update 4h
    P3  response 2h   resolve 1d
    P4  response 3d   resolve 10d

Chinese dates used (see tests/test_calendar_examples.py for the official notices):

    2026 Labour Day       closed Fri 05-01 .. Tue 05-05, Sat 05-09 is a make-up working day
    2026 National Day     closed Thu 10-01 .. Wed 10-07, Sat 10-10 is a make-up working day
    2026-06-01 is a Monday (an ordinary working week; Dragon Boat is Fri 06-19).

Instants are written as naive local times (Asia/Shanghai, +08:00).
"""

from __future__ import annotations

import dataclasses
import json
import random
import textwrap
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import pytest

import slapolicy
from slapolicy import EscalationDue, Policy, SlaStatus, TargetStatus, TicketError

SHANGHAI = ZoneInfo("Asia/Shanghai")

POLICY = textwrap.dedent(
    """\
    slapolicy: 1
    name: 时钟测试
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
      channel: {enum: [phone, email, web]}
    categories:
      - {id: outage, label: 系统故障, when: {type: outage}}
      - {id: other, label: 其他}
    priorities:
      - {id: P0, label: 特急, when: {level: 0}}
      - {id: P1, label: 紧急, when: {level: 1}}
      - {id: P2, label: 高, when: {any: [{level: 2}, {customer.tier: vip}]}}
      - {id: P4, label: 低, when: {level: 4}}
      - {id: P3, label: 中}
    slas:
      - id: standard
        calendar: office
        targets:
          P0: {response: 0m, resolve: 24h, update: 30m, calendar: around-the-clock}
          P1: {response: 15m, resolve: 2h, update: 1h}
          P2: {response: 30m, resolve: 8h, update: 4h}
          P3: {response: 2h, resolve: 1d}
          P4: {response: 3d, resolve: 10d}
    routing:
      - {owner: desk}
    owners:
      desk: {label: 服务台, lead: lead}
      lead: {label: 主管}
      dept-head: {label: 部门负责人}
    escalation:
      - {id: response-75, target: response, at: 75%, notify: owner.lead}
      - {id: resolve-30m-left, target: resolve, before: 30m, notify: owner}
      - {id: resolve-breach, target: resolve, at: 100%, notify: dept-head}
      - {id: p0-report, when: {priority: P0}, at: 0%, notify: dept-head}
    clock:
      start_field: created_at
      pause_statuses: [waiting_customer, on_hold]
      on_reopen: continue
    """
)


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def policy() -> Policy:
    """``on_reopen: continue``."""
    return slapolicy.load_policy(POLICY)


@pytest.fixture(scope="module")
def restart_policy() -> Policy:
    """The same policy with ``on_reopen: restart``."""
    return slapolicy.load_policy(POLICY.replace("on_reopen: continue", "on_reopen: restart"))


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


def pause(at: str, status: str = "waiting_customer") -> dict[str, Any]:
    return ev("status", at, status=status)


def resume(at: str) -> dict[str, Any]:
    return ev("status", at, status="open")


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


def escalations(status: SlaStatus) -> list[tuple[tuple[str, str, int], datetime]]:
    return [(e.key, e.at) for e in status.escalations_due]


# ---------------------------------------------------------------- P0/P1 outage on a Friday evening


def test_p1_outage_friday_1750_continues_on_the_make_up_saturday(policy: Policy) -> None:
    # Fri 2026-05-08 17:50, P1 on the office calendar: 10 minutes are left on Friday
    # (17:50-18:00). Sat 05-09 is a make-up working day with the split shift, so:
    #   response 15m = 10m Fri + 5m Sat      -> Sat 09:05
    #   update    1h = 10m Fri + 50m Sat     -> Sat 09:50
    #   resolve   2h = 10m Fri + 1h50m Sat   -> Sat 10:50
    # At Fri 17:55, 5 minutes of 15 are used: 33.33%.
    status = policy.status(ticket("2026-05-08T17:50", 1), [], now="2026-05-08T17:55")
    assert status.decision.priority == "P1"
    assert set(status.targets) == {"response", "resolve", "update"}
    response = status.targets["response"]
    check(
        response,
        state="running",
        start="2026-05-08T17:50",
        due="2026-05-09T09:05",
        elapsed="5m",
        remaining="10m",
        paused_for="0m",
        cycle=1,
        within="15m",
    )
    assert response.percent_used == pytest.approx(33.33)
    check(status.targets["update"], state="running", due="2026-05-09T09:50")
    check(status.targets["resolve"], state="running", due="2026-05-09T10:50")
    assert status.escalations_due == ()
    assert not status.paused
    assert not status.resolved


def test_p1_outage_friday_1750_on_an_ordinary_weekend_waits_for_monday(policy: Policy) -> None:
    # Fri 2026-05-15 17:50: no make-up day that weekend, Monday 05-18 09:00 is the next
    # opening: response 10m Fri + 5m Mon -> Mon 09:05, resolve 10m + 1h50m -> Mon 10:50.
    # At Sat 05-16 12:00 (closed) nothing more has elapsed than on Friday: 10m.
    status = policy.status(ticket("2026-05-15T17:50", 1), [], now="2026-05-16T12:00")
    check(
        status.targets["response"],
        state="running",
        due="2026-05-18T09:05",
        elapsed="10m",
        remaining="5m",
    )
    check(
        status.targets["resolve"],
        state="running",
        due="2026-05-18T10:50",
        elapsed="10m",
        remaining="1h50m",
    )


def test_p1_outage_friday_history_replies_and_resolution(policy: Policy) -> None:
    # Fri 05-08 17:50 created; replies Sat 09:03 and 09:58; resolved Sat 10:40.
    events = [
        ev("responded", "2026-05-09T09:03"),
        ev("responded", "2026-05-09T09:58"),
        ev("resolved", "2026-05-09T10:40"),
    ]
    status = policy.status(
        ticket("2026-05-08T17:50", 1, type="outage"), events, now="2026-05-09T12:00"
    )
    assert status.decision.category == "outage"
    assert status.resolved
    # response: stopped Sat 09:03 <= due 09:05: met; used 10m Fri + 3m Sat = 13m.
    check(
        status.targets["response"],
        state="met",
        due="2026-05-09T09:05",
        stopped_at="2026-05-09T09:03",
        elapsed="13m",
        remaining="2m",
        breaches=(),
    )
    # update: cycle 1 [Fri 17:50, Sat 09:03] due Sat 09:50, met;
    #         cycle 2 [09:03, 09:58] due 10:03, met;
    #         cycle 3 [09:58, 10:40] due 10:58, stopped by the resolution: met, 42m used.
    check(
        status.targets["update"],
        state="met",
        cycle=3,
        start="2026-05-09T09:58",
        due="2026-05-09T10:58",
        stopped_at="2026-05-09T10:40",
        elapsed="42m",
        remaining="18m",
        breaches=(),
    )
    # resolve: 10m Fri + 09:00-10:40 Sat (1h40m) = 1h50m of 2h; met.
    check(
        status.targets["resolve"],
        state="met",
        due="2026-05-09T10:50",
        elapsed="1h50m",
        remaining="10m",
    )
    # escalations: response-75 = 75% of 15m = 11m15s = 10m Fri + 1m15s Sat -> Sat 09:01:15,
    # before the reply at 09:03: listed (to the owner's lead).
    # resolve-30m-left: 2h - 30m = 1h30m = 10m Fri + 1h20m Sat -> Sat 10:20: listed.
    # resolve-breach at the due instant 10:50: the cycle stopped at 10:40, not listed.
    assert escalations(status) == [
        (("response-75", "response", 1), t("2026-05-09T09:01:15")),
        (("resolve-30m-left", "resolve", 1), t("2026-05-09T10:20")),
    ]
    assert status.escalations_due[0].notify == ("lead",)
    assert status.escalations_due[1].notify == ("desk",)


def test_p0_outage_respond_at_once_on_the_24x7_calendar(policy: Policy) -> None:
    # P0 runs on the 24x7 calendar: response 0m is due at the start itself (Fri 17:50);
    # a reply 2 minutes later is a breach at 17:50. resolve 24h -> Sat 17:50.
    # update 30m: cycle 2 starts at the reply 17:52 -> due 18:22.
    # p0-report (at 0% of resolve) is reached at the start, 17:50.
    events = [ev("responded", "2026-05-08T17:52")]
    status = policy.status(ticket("2026-05-08T17:50", 0), events, now="2026-05-08T18:00")
    response = status.targets["response"]
    check(
        response,
        state="breached",
        due="2026-05-08T17:50",
        elapsed="2m",
        remaining="-2m",
        breaches=["2026-05-08T17:50"],
    )
    assert response.calendar == "around-the-clock"
    assert response.percent_used is None  # a 0m target has no percentage
    check(status.targets["resolve"], state="running", due="2026-05-09T17:50", elapsed="10m")
    check(
        status.targets["update"],
        state="running",
        cycle=2,
        start="2026-05-08T17:52",
        due="2026-05-08T18:22",
        elapsed="8m",
    )
    # response-75 of a 0m target is reached at the start too, but the reply at 17:52 came
    # after it: listed. p0-report at 17:50. Equal instants: policy order (response-75 first).
    assert escalations(status) == [
        (("response-75", "response", 1), t("2026-05-08T17:50")),
        (("p0-report", "resolve", 1), t("2026-05-08T17:50")),
    ]


# ------------------------------------------------------------------------ paused over National Day

# P2 (response 30m, resolve 8h, update 4h) created Wed 2026-09-30 10:00, answered at 10:20;
# the customer is asked for logs at 15:00 (waiting_customer), the ticket is put on hold during
# the holiday (pause -> pause: still paused) and the customer answers on Fri 10-09 at 15:00.
NATIONAL_DAY = [
    ev("responded", "2026-09-30T10:20"),
    pause("2026-09-30T15:00"),
    pause("2026-10-05T11:00", "on_hold"),
    resume("2026-10-09T15:00"),
]
# resolve 8h plain: Wed 10:00-12:00 (2h) + 13:30-18:00 (4h30m) = 6h30m; 10-01..10-07 closed;
#   Thu 10-08 09:00 + 1h30m -> plain due Thu 10-08 10:30.
# Working time paused: Wed 15:00-18:00 (3h) + Thu 10-08 (7h30m) + Fri 10-09 09:00-12:00 (3h)
#   + 13:30-15:00 (1h30m) = 15h.
# Pushed 15h from Thu 10:30: Thu 10:30-12:00 (1h30m) + 13:30-18:00 (4h30m) = 6h;
#   Fri 7h30m -> 13h30m; Sat 10-10 is a make-up working day: 09:00 + 1h30m -> Sat 10:30.
# Check by consumed time: 3h30m used before the pause (10:00-12:00, 13:30-15:00); 4h30m left
#   from Fri 15:00: 15:00-18:00 (3h) + Sat 09:00-10:30 (1h30m) -> Sat 10-10 10:30. Same.


def test_national_day_pause_pushes_due_by_the_paused_working_time(policy: Policy) -> None:
    status = policy.status(ticket("2026-09-30T10:00", 2), NATIONAL_DAY, now="2026-10-09T15:30")
    resolve = status.targets["resolve"]
    # 3h30m before the pause + Fri 15:00-15:30 = 4h; 8h - 4h = 4h left.
    check(
        resolve,
        state="running",
        start="2026-09-30T10:00",
        due="2026-10-10T10:30",
        elapsed="4h",
        remaining="4h",
        paused_for="15h",
        cycle=1,
    )
    assert resolve.percent_used == 50.0
    calendar = policy.calendars["office"]
    assert calendar.elapsed(t("2026-10-08T10:30"), resolve.due) == hm("15h")
    # update: cycle 2 from the reply Wed 10:20; plain due 4h: 10:20-12:00 (1h40m) +
    # 13:30-15:50 (2h20m) -> Wed 15:50. The pause began at 15:00, before that: pushed by the
    # same 15h: Wed 15:50-18:00 (2h10m) + Thu (7h30m) + Fri morning (3h) = 12h40m, then
    # 13:30 + 2h20m -> Fri 10-09 15:50. Used: 1h40m + 1h30m + 30m = 3h40m, 20m left.
    check(
        status.targets["update"],
        state="running",
        cycle=2,
        start="2026-09-30T10:20",
        due="2026-10-09T15:50",
        elapsed="3h40m",
        remaining="20m",
        paused_for="15h",
    )
    check(
        status.targets["response"],
        state="met",
        due="2026-09-30T10:30",
        stopped_at="2026-09-30T10:20",
        paused_for="0m",
    )
    assert not status.paused


def test_national_day_without_the_pause_the_plain_due_applies(policy: Policy) -> None:
    # Same replies, no status events: resolve is due Thu 10-08 10:30 and was breached then.
    status = policy.status(ticket("2026-09-30T10:00", 2), NATIONAL_DAY[:1], now="2026-10-09T15:30")
    # Used: Wed 6h30m + Thu 7h30m + Fri 09:00-12:00 and 13:30-15:30 (5h) = 19h; 8h - 19h.
    check(
        status.targets["resolve"],
        state="breached",
        due="2026-10-08T10:30",
        elapsed="19h",
        remaining="-11h",
        breaches=["2026-10-08T10:30"],
    )


def test_national_day_while_paused_due_assumes_the_ticket_resumes_now(policy: Policy) -> None:
    # Tue 10-06 12:00, in the holiday and still paused (waiting_customer, then on_hold):
    # paused working time so far is Wed 15:00-18:00 = 3h (10-01..10-06 closed). If the
    # ticket resumed now, the 4h30m left would start Thu 10-08 09:00: 09:00-12:00 (3h) +
    # 13:30-15:00 (1h30m) -> Thu 15:00; equally plain due Thu 10:30 pushed by 3h.
    status = policy.status(ticket("2026-09-30T10:00", 2), NATIONAL_DAY, now="2026-10-06T12:00")
    assert status.paused
    assert status.ignored_events == (3,)  # the resumption on 10-09 is after now
    check(
        status.targets["resolve"],
        state="paused",
        due="2026-10-08T15:00",
        elapsed="3h30m",
        remaining="4h30m",
        paused_for="3h",
    )
    check(status.targets["update"], state="paused")
    check(status.targets["response"], state="met")  # a stopped target stays met


@pytest.mark.parametrize(
    ("resolved", "state", "breaches"),
    [
        # due Sat 10-10 10:30 (above); resolved at 10:00 on the make-up Saturday: met.
        pytest.param("2026-10-10T10:00", "met", [], id="resolved-on-make-up-day-in-time"),
        # resolved at 11:00, after the due instant: breached at 10:30.
        pytest.param("2026-10-10T11:00", "breached", ["2026-10-10T10:30"], id="too-late"),
    ],
)
def test_national_day_resolution_on_the_make_up_saturday(
    policy: Policy, resolved: str, state: str, breaches: list[str]
) -> None:
    events = [*NATIONAL_DAY, ev("resolved", resolved)]
    status = policy.status(ticket("2026-09-30T10:00", 2), events, now="2026-10-12T09:00")
    check(
        status.targets["resolve"],
        state=state,
        due="2026-10-10T10:30",
        stopped_at=resolved,
        breaches=breaches,
        paused_for="15h",
    )
    assert status.resolved


# --------------------------------------------------------------------------- reopening

# P2 created Mon 2026-06-01 09:00, answered 09:20, resolved 14:00; the customer is not
# satisfied and reopens it on Tue 06-02 at 10:00. Seen at Tue 11:00.
# resolve 8h plain: Mon 7h30m + Tue 09:00-09:30 -> Tue 09:30. Used before the resolution:
#   09:00-12:00 (3h) + 13:30-14:00 (30m) = 3h30m: met at 14:00.
REOPEN = [
    ev("responded", "2026-06-01T09:20"),
    ev("resolved", "2026-06-01T14:00"),
    ev("reopened", "2026-06-02T10:00"),
]


def test_reopen_continue_keeps_the_consumed_time(policy: Policy) -> None:
    status = policy.status(ticket("2026-06-01T09:00", 2), REOPEN, now="2026-06-02T11:00")
    assert not status.resolved
    # continue: the resolved-reopened gap counts as paused: Mon 14:00-18:00 (4h) + Tue
    # 09:00-10:00 (1h) = 5h. Due: Tue 09:30 + 5h = 09:30-12:00 (2h30m) + 13:30-16:00 -> 16:00.
    # (Consumed 3h30m, 4h30m left from Tue 10:00: 10:00-12:00, 13:30-16:00 -> 16:00.)
    # At 11:00: 3h30m + 1h = 4h30m used, 3h30m left.
    check(
        status.targets["resolve"],
        state="running",
        cycle=1,
        start="2026-06-01T09:00",
        due="2026-06-02T16:00",
        elapsed="4h30m",
        remaining="3h30m",
        paused_for="5h",
        breaches=(),
    )
    assert status.targets["resolve"].stopped_at is None
    # update starts a new cycle at the reopening either way: cycle 1 [09:00, 09:20],
    # cycle 2 [09:20, 14:00] (stopped by the resolution), cycle 3 from Tue 10:00:
    # 4h -> 10:00-12:00 (2h) + 13:30-15:30 -> Tue 15:30.
    check(
        status.targets["update"],
        state="running",
        cycle=3,
        start="2026-06-02T10:00",
        due="2026-06-02T15:30",
        elapsed="1h",
        remaining="3h",
    )
    # response is not touched by a reopening.
    check(status.targets["response"], state="met", stopped_at="2026-06-01T09:20")
    # resolve-30m-left: 7h30m of working time -> Mon 18:00, pushed by the 5h gap that began
    # before it: Tue 09:00-12:00 (3h) + 13:30-15:30 -> Tue 15:30: not reached at 11:00.
    assert status.escalations_due == ()
    later = policy.status(ticket("2026-06-01T09:00", 2), REOPEN, now="2026-06-02T16:00")
    assert escalations(later) == [
        (("resolve-30m-left", "resolve", 1), t("2026-06-02T15:30")),
        (("resolve-breach", "resolve", 1), t("2026-06-02T16:00")),
    ]


def test_reopen_restart_starts_a_new_cycle_at_the_reopening(restart_policy: Policy) -> None:
    status = restart_policy.status(ticket("2026-06-01T09:00", 2), REOPEN, now="2026-06-02T11:00")
    # restart: cycle 2 from Tue 10:00; 8h: 10:00-12:00 (2h) + 13:30-18:00 (4h30m) = 6h30m,
    # Wed 06-03 09:00 + 1h30m -> Wed 10:30. Used 1h, 7h left; cycle 1 was met: no breaches.
    check(
        status.targets["resolve"],
        state="running",
        cycle=2,
        start="2026-06-02T10:00",
        due="2026-06-03T10:30",
        elapsed="1h",
        remaining="7h",
        paused_for="0m",
        breaches=(),
    )
    check(
        status.targets["update"],
        state="running",
        cycle=3,
        start="2026-06-02T10:00",
        due="2026-06-02T15:30",
    )
    assert status.escalations_due == ()


# The same customer, but the first resolution came late: resolved Tue 10:00 after the due
# instant Tue 09:30, reopened Tue 11:00, seen at Tue 11:30.
LATE_REOPEN = [
    ev("responded", "2026-06-01T09:20"),
    ev("resolved", "2026-06-02T10:00"),
    ev("reopened", "2026-06-02T11:00"),
]


def test_reopen_restart_keeps_the_breach_of_the_first_cycle(restart_policy: Policy) -> None:
    status = restart_policy.status(
        ticket("2026-06-01T09:00", 2), LATE_REOPEN, now="2026-06-02T11:30"
    )
    # cycle 2 from Tue 11:00: 11:00-12:00 (1h) + 13:30-18:00 (4h30m) = 5h30m, Wed 09:00 +
    # 2h30m -> Wed 11:30. The breach of cycle 1 (Tue 09:30) stays in `breaches`.
    check(
        status.targets["resolve"],
        state="running",
        cycle=2,
        start="2026-06-02T11:00",
        due="2026-06-03T11:30",
        elapsed="30m",
        breaches=["2026-06-02T09:30"],
    )
    # cycle 1 thresholds: 30m-left at Mon 18:00 (7h30m), breach at Tue 09:30; both before
    # its stop at Tue 10:00, so both listed, with cycle 1 in their keys. Cycle 2's are
    # later than now. response-75 (75% of 30m -> 09:22:30) is not listed: the reply came
    # at 09:20.
    assert escalations(status) == [
        (("resolve-30m-left", "resolve", 1), t("2026-06-01T18:00")),
        (("resolve-breach", "resolve", 1), t("2026-06-02T09:30")),
    ]


def test_reopen_continue_after_a_late_resolution_stays_breached(policy: Policy) -> None:
    status = policy.status(ticket("2026-06-01T09:00", 2), LATE_REOPEN, now="2026-06-02T11:30")
    # The resolved-reopened gap (Tue 10:00-11:00) began after the due instant (09:30): it
    # changes nothing. Used: Mon 7h30m + Tue 09:00-10:00 (1h) + 11:00-11:30 (30m) = 9h;
    # paused 1h; 8h - 9h = -1h.
    check(
        status.targets["resolve"],
        state="breached",
        cycle=1,
        due="2026-06-02T09:30",
        elapsed="9h",
        remaining="-1h",
        paused_for="1h",
        breaches=["2026-06-02T09:30"],
    )


# --------------------------------------------------------------------------- re-prioritisation

# P3 (response 2h, resolve 1d) created Mon 2026-06-01 09:00, answered 09:20; at 09:45 the
# agent finds it is a P1 (level 1). Another reply at 09:55. Seen at 10:30.
UPGRADE = [
    ev("responded", "2026-06-01T09:20"),
    ev("updated", "2026-06-01T09:45", fields={"level": 1}),
    ev("responded", "2026-06-01T09:55"),
]


def test_p3_before_the_upgrade(policy: Policy) -> None:
    # At 09:40 the update (09:45) has not happened: P3, resolve 1d -> Tue 06-02 09:00.
    status = policy.status(ticket("2026-06-01T09:00", 3), UPGRADE, now="2026-06-01T09:40")
    assert status.decision.priority == "P3"
    assert status.ignored_events == (1, 2)
    assert set(status.targets) == {"response", "resolve"}
    check(
        status.targets["resolve"],
        state="running",
        due="2026-06-02T09:00",
        within="1d",
        elapsed="40m",
        remaining="6h50m",
    )  # 1d here is 7h30m of working time


def test_p3_upgraded_to_p1_halfway(policy: Policy) -> None:
    status = policy.status(ticket("2026-06-01T09:00", 3), UPGRADE, now="2026-06-01T10:30")
    assert status.decision.priority == "P1"
    assert status.decision.started_at == t("2026-06-01T09:00")
    # response stopped (09:20) before the update: it keeps what it had (P3, 2h, met).
    check(
        status.targets["response"],
        state="met",
        within="2h",
        due="2026-06-01T11:00",
        stopped_at="2026-06-01T09:20",
    )
    # resolve was running: same start 09:00, takes P1's 2h -> due 11:00 (was Tue 09:00);
    # 1h30m used, 30m left.
    check(
        status.targets["resolve"],
        state="running",
        within="2h",
        start="2026-06-01T09:00",
        due="2026-06-01T11:00",
        elapsed="1h30m",
        remaining="30m",
        cycle=1,
    )
    assert status.targets["resolve"].percent_used == 75.0
    # update appears with the upgrade, in the cycle the history gives it: the reply at 09:20
    # began cycle 2 (cycle 1 ran from the clock start while P3 had no update target); the
    # reply at 09:55 stops it (met) and starts cycle 3: due 10:55, 35m used. (Cycles are
    # numbered by the metric's starts, targeted or not: see
    # test_a_target_that_comes_back_never_reuses_an_escalation_key.)
    check(
        status.targets["update"],
        state="running",
        cycle=3,
        start="2026-06-01T09:55",
        due="2026-06-01T10:55",
        elapsed="35m",
        remaining="25m",
        breaches=(),
    )
    # resolve-30m-left: 2h - 30m = 1h30m -> 10:30, reached exactly now: listed.
    # response-75 (P3: 75% of 2h -> 10:30) is not: the reply came at 09:20.
    assert escalations(status) == [(("resolve-30m-left", "resolve", 1), t("2026-06-01T10:30"))]


def test_upgrade_can_make_a_running_target_overdue_at_once(policy: Policy) -> None:
    # P3 created 09:00, no reply; upgraded to P1 at 10:00. response (P3: due 11:00, not
    # breached at 10:00) takes 15m: due 09:15, already past -> breached at 09:15.
    # update appears from 09:00: 1h -> 10:00; at 10:05 it is breached at 10:00.
    events = [ev("updated", "2026-06-01T10:00", fields={"level": 1})]
    status = policy.status(ticket("2026-06-01T09:00", 3), events, now="2026-06-01T10:05")
    check(
        status.targets["response"],
        state="breached",
        within="15m",
        due="2026-06-01T09:15",
        elapsed="1h5m",
        remaining="-50m",
    )
    check(status.targets["update"], state="breached", due="2026-06-01T10:00", cycle=1)
    check(status.targets["resolve"], state="running", due="2026-06-01T11:00")


def test_a_breach_is_never_undone_by_a_downgrade(policy: Policy) -> None:
    # P2 created 09:00, response 30m due 09:30, no reply; at 10:00 downgraded to P4
    # (response 3d). The response cycle was breached before the update: it keeps 30m and
    # the breach at 09:30. resolve (8h, due Tue 09:30, not breached) takes 10d.
    # update (P2 only... and P1/P0) disappears with the downgrade.
    events = [ev("updated", "2026-06-01T10:00", fields={"level": 4})]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T10:30")
    assert status.decision.priority == "P4"
    assert set(status.targets) == {"response", "resolve"}
    check(
        status.targets["response"],
        state="breached",
        within="30m",
        due="2026-06-01T09:30",
        breaches=["2026-06-01T09:30"],
    )
    # 10d from Mon 06-01 09:00: the 10th working day after 06-01 -- 06-02..06-05 (4),
    # 06-08..06-12 (9), 06-15 (10) -> Mon 06-15 09:00 (Dragon Boat 06-19 is later).
    check(status.targets["resolve"], state="running", within="10d", due="2026-06-15T09:00")


def test_updated_with_a_dotted_key_and_a_new_start_field_keeps_the_start(policy: Policy) -> None:
    # customer.tier: vip makes it P2; the event also rewrites created_at, which must not move
    # the clock start (re-derivation keeps the original start).
    events = [
        ev(
            "updated",
            "2026-06-01T09:10",
            fields={"customer.tier": "vip", "created_at": "2026-06-01T11:00"},
        ),
    ]
    status = policy.status(
        ticket("2026-06-01T09:00", customer={"name": "王"}), events, now="2026-06-01T09:20"
    )
    assert status.decision.priority == "P2"
    assert status.decision.started_at == t("2026-06-01T09:00")
    for target in status.targets.values():
        assert target.start == t("2026-06-01T09:00")
    # P2 response 30m from 09:00 -> 09:30, running.
    check(status.targets["response"], state="running", due="2026-06-01T09:30", elapsed="20m")


def test_downgrade_drops_the_update_target(policy: Policy) -> None:
    # P1 created 09:00, downgraded to P3 at 09:10: update disappears, resolve takes 1d
    # (-> Tue 09:00), response takes 2h (-> 11:00).
    events = [ev("updated", "2026-06-01T09:10", fields={"level": 3})]
    status = policy.status(ticket("2026-06-01T09:00", 1), events, now="2026-06-01T09:20")
    assert set(status.targets) == {"response", "resolve"}
    check(status.targets["response"], state="running", due="2026-06-01T11:00")
    check(status.targets["resolve"], state="running", due="2026-06-02T09:00")


def test_response_appearing_after_a_reply_is_already_met() -> None:
    # A variant where P4 has no response target. P4 created Mon 09:00, the agent replies at
    # 09:10, the ticket is upgraded to P1 at 09:30. The new response target (15m from the
    # clock start -> due 09:15) should count the reply at 09:10: met, and the 75% threshold
    # (09:11:15) comes after it, so no notification. clock.py starts the target afresh:
    # breached at 09:15, and response-75 is due at 09:11:15.
    variant = slapolicy.load_policy(
        POLICY.replace("P4: {response: 3d, resolve: 10d}", "P4: {resolve: 10d}")
    )
    events = [
        ev("responded", "2026-06-01T09:10"),
        ev("updated", "2026-06-01T09:30", fields={"level": 1}),
    ]
    status = variant.status(ticket("2026-06-01T09:00", 4), events, now="2026-06-01T09:40")
    check(
        status.targets["response"],
        state="met",
        due="2026-06-01T09:15",
        stopped_at="2026-06-01T09:10",
    )
    assert all(e.target != "response" for e in status.escalations_due)


def test_update_appearing_on_a_resolved_ticket_ignores_replies_after_resolution(
    policy: Policy,
) -> None:
    # Found by hypothesis (tests/test_clock_properties.py). P3 (no update target) created Mon
    # 09:00, a reply at 09:20, resolved at 09:40, one more reply at 10:00 (the ticket is
    # resolved: it restarts nothing), upgraded to P1 at 10:10. The new update target runs
    # from the last reply while the ticket was open (09:20) and is stopped at the resolution
    # (09:40): met, 20m used. It once started at 10:00 and stopped at 09:40, before its start.
    events = [
        ev("responded", "2026-06-01T09:20"),
        ev("resolved", "2026-06-01T09:40"),
        ev("responded", "2026-06-01T10:00"),
        ev("updated", "2026-06-01T10:10", fields={"level": 1}),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 3), events, now="2026-06-01T10:20")
    check(
        status.targets["update"],
        state="met",
        start="2026-06-01T09:20",
        due="2026-06-01T10:20",
        stopped_at="2026-06-01T09:40",
        elapsed="20m",
        remaining="40m",
        cycle=2,  # the reply at 09:20 began update's second cycle (the first had no target)
    )


def test_a_target_that_comes_back_never_reuses_an_escalation_key() -> None:
    # P1 created Mon 09:00 with update 1h and an escalation when it is overdue. No reply:
    # update breaches at 10:00. Downgraded to P3 (no update) at 10:40, a reply at 10:45,
    # upgraded back to P1 at 11:00: update's current cycle (from the reply) is due 11:45.
    # A scheduler remembers the keys it has sent: the second breach must have a key of its
    # own. (Numbering cycles only while targeted gave both breaches the key of cycle 1, and
    # the 11:45 notification was never sent.)
    variant = slapolicy.load_policy(
        POLICY.replace(
            "escalation:\n",
            "escalation:\n  - {id: update-breach, target: update, at: 100%, notify: dept-head}\n",
        )
    )
    events = [
        ev("updated", "2026-06-01T10:40", fields={"level": 3}),
        ev("responded", "2026-06-01T10:45"),
        ev("updated", "2026-06-01T11:00", fields={"level": 1}),
    ]
    sent: dict[tuple[str, str, int], datetime] = {}
    for now in ("2026-06-01T10:30", "2026-06-01T12:00"):
        status = variant.status(ticket("2026-06-01T09:00", 1), events, now=now)
        for due in status.escalations_due:
            if due.target == "update":
                assert sent.setdefault(due.key, due.at) == due.at, due
    assert sent == {
        ("update-breach", "update", 1): t("2026-06-01T10:00"),
        ("update-breach", "update", 2): t("2026-06-01T11:45"),
    }


def test_update_appearing_after_a_reopening_runs_from_the_reopening(policy: Policy) -> None:
    # P3 created Mon 09:00, reply 09:10, resolved 09:30, reopened 10:00 (a reopening restarts
    # update), upgraded to P1 at 10:30. The new update target runs from 10:00: 1h -> 11:00,
    # 30m used at 10:30.
    events = [
        ev("responded", "2026-06-01T09:10"),
        ev("resolved", "2026-06-01T09:30"),
        ev("reopened", "2026-06-01T10:00"),
        ev("updated", "2026-06-01T10:30", fields={"level": 1}),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 3), events, now="2026-06-01T10:30")
    check(
        status.targets["update"],
        state="running",
        start="2026-06-01T10:00",
        due="2026-06-01T11:00",
        elapsed="30m",
    )


def test_response_appearing_after_resolution_without_reply_is_stopped_there() -> None:
    # P4 has no response target in this variant. Created Mon 09:00, resolved 09:10 with no
    # reply (a resolution stops response when no reply came first), reopened 09:20, replied
    # 09:25, upgraded to P1 at 09:30. The new response target (15m -> 09:15) was stopped at
    # the resolution, 09:10: met. It once ran on to the reply at 09:25 and was breached.
    variant = slapolicy.load_policy(
        POLICY.replace("P4: {response: 3d, resolve: 10d}", "P4: {resolve: 10d}")
    )
    events = [
        ev("resolved", "2026-06-01T09:10"),
        ev("reopened", "2026-06-01T09:20"),
        ev("responded", "2026-06-01T09:25"),
        ev("updated", "2026-06-01T09:30", fields={"level": 1}),
    ]
    status = variant.status(ticket("2026-06-01T09:00", 4), events, now="2026-06-01T09:40")
    check(
        status.targets["response"],
        state="met",
        due="2026-06-01T09:15",
        stopped_at="2026-06-01T09:10",
    )


@pytest.mark.parametrize(
    ("mode", "start", "paused_for", "cycle"),
    [
        # continue: from the clock start, the resolved hour 09:30-10:30 counts as paused
        ("continue", "2026-06-01T09:00", "1h", 1),
        # restart: the reopening at 10:30 began the current cycle
        ("restart", "2026-06-01T10:30", "0m", 2),
    ],
)
def test_resolve_appearing_after_a_reopening_follows_on_reopen(
    mode: str, start: str, paused_for: str, cycle: int
) -> None:
    # P4 has no resolve target in this variant. Created Mon 09:00, resolved 09:30, reopened
    # 10:30, upgraded to P1 (resolve 2h) at 11:00; now 11:00.
    variant = slapolicy.load_policy(
        POLICY.replace("P4: {response: 3d, resolve: 10d}", "P4: {response: 3d}").replace(
            "on_reopen: continue", f"on_reopen: {mode}"
        )
    )
    events = [
        ev("resolved", "2026-06-01T09:30"),
        ev("reopened", "2026-06-01T10:30"),
        ev("updated", "2026-06-01T11:00", fields={"level": 1}),
    ]
    status = variant.status(ticket("2026-06-01T09:00", 4), events, now="2026-06-01T11:00")
    # continue: 2h from 09:00 is 11:00, pushed by the paused hour -> 12:00 (the office
    # closes 12:00-13:30, so exactly at the closing time); 1h used.
    # restart: 2h from 10:30 -> 12:00 + 30m after 13:30 -> 14:00; 30m used.
    due = "2026-06-01T12:00" if mode == "continue" else "2026-06-01T14:00"
    used = "1h" if mode == "continue" else "30m"
    check(
        status.targets["resolve"],
        state="running",
        start=start,
        due=due,
        elapsed=used,
        paused_for=paused_for,
        cycle=cycle,
    )


def test_new_update_cycle_after_upgrade_uses_the_new_target(policy: Policy) -> None:
    # P2 created Mon 09:00, no reply: update (4h) is due 14:30 (09:00-12:00 + 13:30-14:30)
    # and breached then. Upgraded to P1 at 15:00: the breached cycle keeps its 4h (a breach
    # is never undone). The reply at 15:10 starts a new update cycle: the ticket is P1 now,
    # so it should run 1h -> due 16:10 (the decision says update 1h). clock.py gives 4h.
    events = [
        ev("updated", "2026-06-01T15:00", fields={"level": 1}),
        ev("responded", "2026-06-01T15:10"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T15:20")
    assert status.decision.targets["update"].within == "1h"
    update = status.targets["update"]
    assert update.breaches == (t("2026-06-01T14:30"),)
    check(
        update,
        state="running",
        cycle=2,
        start="2026-06-01T15:10",
        within="1h",
        due="2026-06-01T16:10",
    )


def test_reopen_restart_after_upgrade_uses_the_new_target(restart_policy: Policy) -> None:
    # P3 created Mon 09:00, resolved 10:00, upgraded to P1 at 10:30 (while resolved),
    # reopened 11:00 under `restart`: the new resolve cycle should run P1's 2h from 11:00:
    # 11:00-12:00 (1h) + 13:30-14:30 -> 14:30. clock.py runs P3's 1d -> Tue 11:00.
    events = [
        ev("resolved", "2026-06-01T10:00"),
        ev("updated", "2026-06-01T10:30", fields={"level": 1}),
        ev("reopened", "2026-06-01T11:00"),
    ]
    status = restart_policy.status(ticket("2026-06-01T09:00", 3), events, now="2026-06-01T11:10")
    assert status.decision.targets["resolve"].within == "2h"
    check(
        status.targets["resolve"],
        state="running",
        cycle=2,
        start="2026-06-01T11:00",
        within="2h",
        due="2026-06-01T14:30",
    )


# --------------------------------------------------------------------------- periodic update


def test_update_is_restarted_by_every_reply_and_breached_by_a_long_gap(policy: Policy) -> None:
    # P1 (update 1h) created Mon 06-01 09:00; replies 09:10, 10:05, 11:30, 13:50.
    #   cycle 1 [09:00, 09:10] due 10:00  met
    #   cycle 2 [09:10, 10:05] due 10:10  met (55m gap)
    #   cycle 3 [10:05, 11:30] due 11:05  breached at 11:05 (85m gap)
    #   cycle 4 [11:30, 13:50] due 11:30-12:00 (30m) + 13:30-14:00 -> 14:00  met (50m of work)
    #   cycle 5 [13:50, ...]   due 14:50  running at 14:00, 10m used
    events = [
        ev("responded", at)
        for at in ("2026-06-01T09:10", "2026-06-01T10:05", "2026-06-01T11:30", "2026-06-01T13:50")
    ]
    status = policy.status(ticket("2026-06-01T09:00", 1), events, now="2026-06-01T14:00")
    check(
        status.targets["update"],
        state="running",
        cycle=5,
        start="2026-06-01T13:50",
        due="2026-06-01T14:50",
        elapsed="10m",
        remaining="50m",
        breaches=["2026-06-01T11:05"],
    )
    # At 11:20 the replies at 11:30 and 13:50 are in the future: cycle 3 is overdue.
    earlier = policy.status(ticket("2026-06-01T09:00", 1), events, now="2026-06-01T11:20")
    assert earlier.ignored_events == (2, 3)
    check(
        earlier.targets["update"],
        state="breached",
        cycle=3,
        due="2026-06-01T11:05",
        elapsed="1h15m",
        remaining="-15m",
        breaches=["2026-06-01T11:05"],
    )


def test_update_cycle_is_pushed_by_a_pause(policy: Policy) -> None:
    # P1: reply 09:10 starts cycle 2 (plain due 10:10); waiting_customer 09:40-10:40 (1h,
    # begun before 10:10) -> due 11:10. At 10:50: 30m + 10m = 40m used, 20m left.
    events = [
        ev("responded", "2026-06-01T09:10"),
        pause("2026-06-01T09:40"),
        resume("2026-06-01T10:40"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 1), events, now="2026-06-01T10:50")
    check(
        status.targets["update"],
        state="running",
        cycle=2,
        due="2026-06-01T11:10",
        elapsed="40m",
        remaining="20m",
        paused_for="1h",
    )


# ------------------------------------------------------------------------ escalations exactly once

# P2 created Mon 06-01 09:00, answered 09:25, waiting for the customer 10:00-11:00, never
# resolved in the window looked at.
#   response-75: 75% of 30m = 22m30s -> 09:22:30 (the reply at 09:25 came after it: listed)
#   resolve-30m-left: 8h - 30m = 7h30m -> Mon 18:00 (a whole split-shift day), pushed by the
#     1h pause that began before it -> Tue 09:00-10:00 -> Tue 10:00
#   resolve-breach: plain due Tue 09:30, pushed 1h -> Tue 10:30
ESCALATION_EVENTS = [
    ev("responded", "2026-06-01T09:25"),
    pause("2026-06-01T10:00"),
    resume("2026-06-01T11:00"),
]
EXPECTED_ESCALATIONS = [
    (("response-75", "response", 1), t("2026-06-01T09:22:30")),
    (("resolve-30m-left", "resolve", 1), t("2026-06-02T10:00")),
    (("resolve-breach", "resolve", 1), t("2026-06-02T10:30")),
]


def test_escalations_due_are_notified_exactly_once(policy: Policy) -> None:
    # A scheduler calls status every 10 minutes from Mon 08:00 to Tue 18:00 and sends each
    # key it has not sent yet. The set of keys only grows, each key keeps its instant, and
    # every key is first seen within 10 minutes of its instant.
    seen: dict[tuple[str, str, int], datetime] = {}
    first_seen: dict[tuple[str, str, int], datetime] = {}
    now = t("2026-06-01T08:00")
    while now <= t("2026-06-02T18:00"):
        status = policy.status(ticket("2026-06-01T09:00", 2), ESCALATION_EVENTS, now=now)
        keys = {e.key: e.at for e in status.escalations_due}
        assert set(seen) <= set(keys), f"a key disappeared at {now}"
        for key, at in keys.items():
            assert at <= now
            if key in seen:
                assert seen[key] == at, f"{key} moved from {seen[key]} to {at} at {now}"
            else:
                seen[key] = at
                first_seen[key] = now
        assert [e.at for e in status.escalations_due] == sorted(keys.values())
        now += timedelta(minutes=10)
    assert sorted(seen.items(), key=lambda item: item[1]) == EXPECTED_ESCALATIONS
    for key, at in seen.items():
        assert at <= first_seen[key] < at + timedelta(minutes=10)


def test_escalation_threshold_reached_while_paused_waits_for_the_resumption(
    policy: Policy,
) -> None:
    # P2 created 09:00, no reply, paused at 09:10 and still paused at 09:40: the response
    # 75% threshold (09:22:30 plain) is pushed by the open pause (assumed to end now):
    # not listed. Once resumed at 09:40 the threshold is 09:22:30 + 30m = 09:52:30.
    events = [pause("2026-06-01T09:10"), resume("2026-06-01T09:40")]
    paused = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T09:39")
    assert paused.escalations_due == ()
    assert paused.paused
    later = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T09:55")
    assert escalations(later) == [(("response-75", "response", 1), t("2026-06-01T09:52:30"))]


def test_a_reply_at_exactly_the_threshold_does_not_escalate(policy: Policy) -> None:
    # The cycle stopped at (not only before) 09:22:30: the 75% notification is not due.
    events = [ev("responded", "2026-06-01T09:22:30")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T12:00")
    assert all(e.target != "response" for e in status.escalations_due)
    check(status.targets["response"], state="met")


def test_escalation_due_fields(policy: Policy) -> None:
    status = policy.status(ticket("2026-06-01T09:00", 2), ESCALATION_EVENTS, now="2026-06-02T12:00")
    first = status.escalations_due[0]
    assert isinstance(first, EscalationDue)
    assert first.rule == "response-75"
    assert first.target == "response"
    assert first.cycle == 1
    assert first.notify == ("lead",)
    assert first.reason == "75% of response"
    assert status.escalations_due[1].reason == "30m before resolve is due"
    assert status.escalations_due[2].notify == ("dept-head",)


# -------------------------------------------------------------------- the example of docs/clock.md


def test_docs_clock_example_on_the_sample_policy() -> None:
    # policies/service-levels.yaml, P2 (billing, major, high) created Fri 2026-05-08 17:50:
    # response 30m. 10m Fri; Sat 05-09 (make-up day) 09:00-09:10 -> 20m used when the
    # customer is asked (waiting_customer at 09:10) until Mon 05-11 10:10.
    # Paused: Sat 09:10-12:00 (2h50m) + 13:30-18:00 (4h30m) + Mon 09:00-10:10 (1h10m) = 8h30m.
    # Plain due Sat 09:20, pushed 8h30m: Sat 09:20-12:00 (2h40m) + 13:30-18:00 (4h30m) =
    # 7h10m, Mon 09:00 + 1h20m -> Mon 10:20. The reply at 10:30 is late: breached.
    policy = slapolicy.load_policy("policies/service-levels.yaml")
    tk = {
        "type": "billing",
        "impact": "major",
        "urgency": "high",
        "created_at": "2026-05-08T17:50:00+08:00",
    }
    events = [
        {"type": "status", "status": "waiting_customer", "at": "2026-05-09T09:10:00+08:00"},
        {"type": "status", "status": "open", "at": "2026-05-11T10:10:00+08:00"},
        {"type": "responded", "at": "2026-05-11T10:30:00+08:00"},
    ]
    status = policy.status(tk, events, now="2026-05-11T11:00:00+08:00")
    assert status.decision.priority == "P2"
    # used: 20m + Mon 10:10-10:30 = 40m; 30m - 40m = -10m
    check(
        status.targets["response"],
        state="breached",
        due="2026-05-11T10:20",
        elapsed="40m",
        remaining="-10m",
        paused_for="8h30m",
        stopped_at="2026-05-11T10:30",
    )


# --------------------------------------------------------------------------- untidy histories


def test_events_are_replayed_in_order_of_their_instants(policy: Policy) -> None:
    events = [
        ev("responded", "2026-06-01T09:20"),
        pause("2026-06-01T10:00"),
        resume("2026-06-01T11:00"),
        ev("responded", "2026-06-01T11:30"),
        ev("resolved", "2026-06-01T14:00"),
    ]
    tk = ticket("2026-06-01T09:00", 2)
    ordered = policy.status(tk, events, now="2026-06-01T15:00").to_dict()
    for seed in range(5):
        shuffled = list(events)
        random.Random(seed).shuffle(shuffled)
        assert policy.status(tk, shuffled, now="2026-06-01T15:00").to_dict() == ordered
    # resolve: 09:00-12:00 (3h) + 13:30-14:00 (30m) - 1h paused = 2h30m used.
    check(
        policy.status(tk, events[::-1], now="2026-06-01T15:00").targets["resolve"],
        state="met",
        elapsed="2h30m",
        paused_for="1h",
    )


def test_equal_instants_keep_their_list_order(policy: Policy) -> None:
    tk = ticket("2026-06-01T09:00", 2)
    # waiting_customer then open at the same instant: an empty pause, the ticket runs.
    a = policy.status(
        tk, [pause("2026-06-01T10:00"), resume("2026-06-01T10:00")], now="2026-06-01T10:30"
    )
    assert not a.paused
    check(a.targets["resolve"], state="running", elapsed="1h30m", paused_for="0m")
    # open then waiting_customer at the same instant: paused from 10:00.
    b = policy.status(
        tk, [resume("2026-06-01T10:00"), pause("2026-06-01T10:00")], now="2026-06-01T10:30"
    )
    assert b.paused
    check(b.targets["resolve"], state="paused", elapsed="1h", paused_for="30m")
    # resolved then reopened at one instant: open again; reopened then resolved: the
    # reopening found an open ticket (ignored) and the ticket is resolved.
    c = policy.status(
        tk,
        [ev("resolved", "2026-06-01T10:00"), ev("reopened", "2026-06-01T10:00")],
        now="2026-06-01T10:30",
    )
    assert not c.resolved
    assert c.ignored_events == ()
    d = policy.status(
        tk,
        [ev("reopened", "2026-06-01T10:00"), ev("resolved", "2026-06-01T10:00")],
        now="2026-06-01T10:30",
    )
    assert d.resolved
    assert d.ignored_events == (0,)


def test_events_after_now_are_ignored_and_listed(policy: Policy) -> None:
    events = [
        ev("resolved", "2026-06-01T12:00"),  # 0: after now
        ev("responded", "2026-06-01T09:20"),  # 1
        ev("responded", "2026-06-01T10:00:00.000001"),  # 2: one microsecond after now
        pause("2026-06-01T10:00"),  # 3: exactly now: replayed
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T10:00")
    assert status.ignored_events == (0, 2)
    assert not status.resolved
    assert status.paused
    check(status.targets["resolve"], state="paused", elapsed="1h")
    check(status.targets["update"], state="paused", cycle=2, start="2026-06-01T09:20")


def test_events_before_the_start_count_at_the_start(policy: Policy) -> None:
    # created 09:00; a reply stamped 08:00 (clock skew) and a pause 08:30-10:00.
    events = [
        ev("responded", "2026-06-01T08:00"),
        pause("2026-06-01T08:30"),
        resume("2026-06-01T10:00"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T10:30")
    check(
        status.targets["response"],
        state="met",
        stopped_at="2026-06-01T09:00",
        elapsed="0m",
        remaining="30m",
    )
    # update: cycle 2 from the clock start (the reply counts at 09:00); plain due 4h from
    # 09:00: 09:00-12:00 + 13:30-14:30 -> 14:30, pushed by the 1h paused 09:00-10:00 -> 15:30.
    # At 10:30: 30m used.
    check(
        status.targets["update"],
        state="running",
        cycle=2,
        start="2026-06-01T09:00",
        elapsed="30m",
        paused_for="1h",
        due="2026-06-01T15:30",
    )
    # resolve: paused 1h of the 1h30m since the start.
    check(status.targets["resolve"], state="running", elapsed="30m", paused_for="1h")


def test_a_second_reply_does_not_touch_response(policy: Policy) -> None:
    events = [ev("responded", "2026-06-01T09:20"), ev("responded", "2026-06-01T09:40")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T10:00")
    check(status.targets["response"], state="met", stopped_at="2026-06-01T09:20", elapsed="20m")
    check(status.targets["update"], state="running", cycle=3, start="2026-06-01T09:40")
    assert status.ignored_events == ()


def test_resolution_stops_response_when_no_reply_came(policy: Policy) -> None:
    # P2 response due 09:30: resolved at 09:20 without a reply -> met at 09:20; resolved at
    # 09:45 -> breached at 09:30.
    tk = ticket("2026-06-01T09:00", 2)
    early = policy.status(tk, [ev("resolved", "2026-06-01T09:20")], now="2026-06-01T10:00")
    check(early.targets["response"], state="met", stopped_at="2026-06-01T09:20")
    late = policy.status(tk, [ev("resolved", "2026-06-01T09:45")], now="2026-06-01T10:00")
    check(
        late.targets["response"],
        state="breached",
        stopped_at="2026-06-01T09:45",
        due="2026-06-01T09:30",
    )
    for name in ("resolve", "update"):
        assert late.targets[name].stopped_at == t("2026-06-01T09:45")


def test_a_second_resolution_is_ignored(policy: Policy) -> None:
    events = [ev("resolved", "2026-06-01T10:00"), ev("resolved", "2026-06-01T11:00")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T12:00")
    assert status.ignored_events == (1,)
    check(status.targets["resolve"], state="met", stopped_at="2026-06-01T10:00", elapsed="1h")


def test_reopening_an_open_ticket_is_ignored(policy: Policy) -> None:
    events = [
        ev("reopened", "2026-06-01T09:30"),  # 0: not resolved: ignored
        ev("resolved", "2026-06-01T10:00"),  # 1
        ev("reopened", "2026-06-01T10:30"),  # 2: reopens
        ev("reopened", "2026-06-01T11:00"),  # 3: already open: ignored
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T11:30")
    assert status.ignored_events == (0, 3)
    assert not status.resolved
    # continue: the gap 10:00-10:30 is paused; used 2h30m - 30m = 2h.
    check(status.targets["resolve"], state="running", cycle=1, elapsed="2h", paused_for="30m")


def test_pause_to_pause_keeps_the_ticket_paused(policy: Policy) -> None:
    events = [
        pause("2026-06-01T10:00"),
        pause("2026-06-01T10:30", "on_hold"),
        pause("2026-06-01T10:40", "waiting_customer"),
        resume("2026-06-01T11:00"),
    ]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T11:30")
    # paused 10:00-11:00 as one pause: used 2h30m - 1h = 1h30m.
    check(status.targets["resolve"], state="running", elapsed="1h30m", paused_for="1h")
    # a status that is not a pause status and follows another such status changes nothing.
    other = [resume("2026-06-01T10:00"), ev("status", "2026-06-01T10:10", status="in_progress")]
    status = policy.status(ticket("2026-06-01T09:00", 2), other, now="2026-06-01T10:30")
    check(status.targets["resolve"], state="running", paused_for="0m", elapsed="1h30m")


def test_due_boundary_running_at_due_breached_just_after(policy: Policy) -> None:
    tk = ticket("2026-06-01T09:00", 2)
    at_due = policy.status(tk, [], now="2026-06-01T09:30")
    check(at_due.targets["response"], state="running", remaining="0m")
    assert at_due.targets["response"].percent_used == 100.0
    after = policy.status(tk, [], now="2026-06-01T09:30:00.000001")
    check(after.targets["response"], state="breached", due="2026-06-01T09:30")
    # a reply at exactly the due instant is met.
    met = policy.status(tk, [ev("responded", "2026-06-01T09:30")], now="2026-06-01T10:00")
    check(met.targets["response"], state="met", remaining="0m")


def test_a_pause_that_begins_after_the_due_instant_changes_nothing(policy: Policy) -> None:
    # P2 response due 09:30; paused 09:40-10:40; the response stays breached at 09:30.
    events = [pause("2026-06-01T09:40"), resume("2026-06-01T10:40")]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T11:00")
    check(
        status.targets["response"],
        state="breached",
        due="2026-06-01T09:30",
        paused_for="1h",
        elapsed="1h",
    )


def test_day_based_target_working_time_is_up_to_the_plain_deadline(policy: Policy) -> None:
    # P3 resolve 1d created Mon 17:00 -> Tue 17:00: 1h Mon + 09:00-12:00, 13:30-17:00 Tue
    # = 1h + 3h + 3h30m = 7h30m of target working time. At Tue 10:00: 2h used.
    status = policy.status(ticket("2026-06-01T17:00", 3), [], now="2026-06-02T10:00")
    resolve = status.targets["resolve"]
    check(resolve, state="running", due="2026-06-02T17:00", elapsed="2h", remaining="5h30m")
    assert resolve.elapsed + resolve.remaining == hm("7h30m")
    # P4 response 3d from a Saturday start: waits for Mon 06-08 09:00, 3 working days
    # later is Thu 06-11 09:00; working time Mon-Wed = 22h30m.
    status = policy.status(ticket("2026-06-06T10:00", 4), [], now="2026-06-08T10:00")
    response = status.targets["response"]
    check(response, state="running", due="2026-06-11T09:00", elapsed="1h", remaining="21h30m")


def test_instants_may_be_naive_aware_or_pendulum(policy: Policy) -> None:
    naive = [ev("responded", "2026-06-01T09:20"), ev("resolved", "2026-06-01T10:00")]
    aware = [
        {"type": "responded", "at": datetime(2026, 6, 1, 1, 20, tzinfo=timezone.utc)},
        {"type": "resolved", "at": pendulum.datetime(2026, 6, 1, 10, 0, tz="Asia/Shanghai")},
    ]
    utc_created = {"created_at": "2026-06-01T01:00:00Z", "level": 2}
    a = policy.status(ticket("2026-06-01T09:00", 2), naive, now="2026-06-01T11:00")
    b = policy.status(utc_created, aware, now=datetime(2026, 6, 1, 11, 0))  # naive: local
    assert a.to_dict()["targets"] == b.to_dict()["targets"]
    # outputs are in the calendar's zone
    assert a.targets["resolve"].due.utcoffset() == timedelta(hours=8)
    assert a.now == t("2026-06-01T11:00")


def test_other_event_keys_are_ignored(policy: Policy) -> None:
    events = [{"type": "responded", "at": "2026-06-01T09:20", "by": "张三", "id": 7}]
    status = policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T10:00")
    check(status.targets["response"], state="met")


def test_no_events_at_all_and_a_generator_of_events(policy: Policy) -> None:
    tk = ticket("2026-06-01T09:00", 2)
    a = policy.status(tk, [], now="2026-06-01T10:00")
    b = policy.status(
        tk, (e for e in [ev("status", "2026-06-01T09:30", status="new")]), now="2026-06-01T10:00"
    )
    assert a.to_dict() == b.to_dict()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("events", "needles"),
    [
        pytest.param(
            [ev("responded", "2026-06-01T09:20"), "responded"],
            ["event 1", "mapping"],
            id="not-a-mapping",
        ),
        pytest.param(
            [ev("escalated", "2026-06-01T09:20")],
            ["event 0", "type", "'escalated'"],
            id="unknown-type",
        ),
        pytest.param([{"at": "2026-06-01T09:20"}], ["event 0", "type"], id="missing-type"),
        pytest.param(
            [ev("responded", "2026-06-01T09:20"), {"type": "resolved"}],
            ["event 1", "'at'"],
            id="missing-at",
        ),
        pytest.param([ev("resolved", None)], ["event 0", "'at'"], id="null-at"),
        pytest.param([ev("resolved", "yesterday")], ["event 0", "'at'"], id="garbage-at"),
        pytest.param(
            [ev("resolved", "2026-06-31T09:00")], ["event 0", "'at'"], id="impossible-date"
        ),
        pytest.param([ev("resolved", 1780000000)], ["event 0", "'at'"], id="number-at"),
        pytest.param([ev("resolved", "2026-06-01")], ["event 0", "'at'"], id="date-only-at"),
        pytest.param(
            [ev("resolved", "2300-01-01T00:00")], ["event 0", "'at'"], id="at-out-of-range"
        ),
        pytest.param(
            [ev("status", "2026-06-01T09:20")], ["event 0", "'status'"], id="status-without-text"
        ),
        pytest.param(
            [ev("status", "2026-06-01T09:20", status=3)],
            ["event 0", "'status'"],
            id="status-not-text",
        ),
        pytest.param(
            [ev("updated", "2026-06-01T09:20")],
            ["event 0", "'fields'"],
            id="updated-without-fields",
        ),
        pytest.param(
            [ev("updated", "2026-06-01T09:20", fields=["level", 1])],
            ["event 0", "'fields'"],
            id="updated-fields-not-a-mapping",
        ),
        pytest.param(
            [ev("updated", "2026-06-01T09:20", fields={1: 2})],
            ["event 0", "'fields'"],
            id="updated-fields-non-text-keys",
        ),
        pytest.param(
            [
                ev("responded", "2026-06-01T09:20"),
                ev("updated", "2026-06-01T09:30", fields={"level": "high"}),
            ],
            ["event 1", "updated", "level"],
            id="updated-field-fails-its-type",
        ),
        pytest.param(
            [ev("updated", "2026-06-01T09:30", fields={"channel": "fax"})],
            ["event 0", "channel"],
            id="updated-field-not-in-enum",
        ),
        # a bad event is an error even when it lies after `now`
        pytest.param(
            [ev("resolved", "2026-07-01T09:00"), ev("nope", "2026-07-01T09:00")],
            ["event 1", "type"],
            id="bad-event-after-now",
        ),
    ],
)
def test_bad_events_raise_ticket_error_naming_index_and_field(
    policy: Policy, events: list[Any], needles: list[str]
) -> None:
    with pytest.raises(TicketError) as info:
        policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T12:00")
    message = str(info.value)
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"


@pytest.mark.parametrize(
    "events",
    [
        pytest.param({"type": "responded", "at": "2026-06-01T09:20"}, id="a-mapping"),
        pytest.param("responded", id="text"),
        pytest.param(None, id="none"),
        pytest.param(42, id="number"),
    ],
)
def test_events_that_are_not_a_list_raise_ticket_error(policy: Policy, events: Any) -> None:
    with pytest.raises(TicketError):
        policy.status(ticket("2026-06-01T09:00", 2), events, now="2026-06-01T12:00")


@pytest.mark.parametrize(
    "tk",
    [
        pytest.param({"level": 2}, id="no-created_at"),
        pytest.param({"level": 2, "created_at": None}, id="null-created_at"),
    ],
)
def test_ticket_without_clock_start_raises_ticket_error(policy: Policy, tk: Any) -> None:
    # `evaluate` would use "now" as the start; `status` never guesses.
    with pytest.raises(TicketError, match="created_at"):
        policy.status(tk, [], now="2026-06-01T12:00")


@pytest.mark.parametrize(
    ("tk", "now"),
    [
        pytest.param({"level": 2, "created_at": "soon"}, "2026-06-01T12:00", id="garbage-start"),
        pytest.param(["created_at", "2026-06-01T09:00"], "2026-06-01T12:00", id="not-a-mapping"),
        pytest.param(ticket("2026-06-01T09:00", 2), "later", id="garbage-now"),
        pytest.param(ticket("2026-06-01T09:00", 2), None, id="null-now"),
        pytest.param(
            {"level": "x", "created_at": "2026-06-01T09:00"},
            "2026-06-01T12:00",
            id="declared-field-fails-its-type",
        ),
    ],
)
def test_other_bad_input_raises_ticket_error(policy: Policy, tk: Any, now: Any) -> None:
    with pytest.raises(TicketError):
        policy.status(tk, [], now=now)


# --------------------------------------------------------------------------- result types


def test_status_to_dict_is_json_ready(policy: Policy) -> None:
    events = [*UPGRADE, pause("2026-06-01T10:00"), resume("2026-06-01T10:10")]
    status = policy.status(
        ticket("2026-06-01T09:00", 3, type="outage"), events, now="2026-06-01T10:30"
    )
    data = status.to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data
    assert data["now"] == "2026-06-01T10:30:00+08:00"
    assert data["decision"]["priority"] == "P1"
    assert data["decision"]["priority_label"] == "紧急"
    assert "trace" not in data["decision"]
    assert set(data["targets"]) == {"response", "resolve", "update"}
    resolve = data["targets"]["resolve"]
    assert resolve["due"] == "2026-06-01T11:10:00+08:00"  # 11:00 pushed by the 10m pause
    assert resolve["elapsed_seconds"] == 80 * 60
    assert resolve["paused_seconds"] == 10 * 60
    assert resolve["state"] == "running"
    assert resolve["breached_at"] is None
    assert data["paused"] is False
    assert data["resolved"] is False
    assert data["ignored_events"] == []
    for entry in data["escalations_due"]:
        assert set(entry) == {"at", "notify", "target", "reason", "rule", "cycle"}


def test_results_are_frozen(policy: Policy) -> None:
    status = policy.status(ticket("2026-06-01T09:00", 2), [], now="2026-06-01T10:00")
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.paused = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.targets["response"].state = "met"  # type: ignore[misc]
    assert isinstance(status.targets, Mapping)


def test_status_does_not_change_its_inputs(policy: Policy) -> None:
    tk = ticket("2026-06-01T09:00", 3, customer={"tier": "basic"})
    events = [ev("updated", "2026-06-01T09:10", fields={"customer.tier": "vip", "level": 2})]
    before = json.dumps([tk, events], sort_keys=True)
    policy.status(tk, events, now="2026-06-01T10:00")
    assert json.dumps([tk, events], sort_keys=True) == before
