"""Property tests of the SLA clock (``Policy.status``, docs/clock.md) over random histories.

Histories are drawn on the policy of ``tests/test_clock.py`` (Shanghai split-shift office with
the Chinese holidays, P0 on a 24x7 calendar, P1-P4 on the office calendar): a start in
2026, then up to a dozen events within three weeks of it (a few stamped before the start),
of every type, with pause and resume statuses, and a ``now`` somewhere after the start (so
that some events may lie after it).

A small replay written from docs/clock.md alone (:func:`replay`) gives what the properties
need to know about a history: the pause intervals, when the ticket was resolved and
reopened, when ``response`` stopped, which events are ignored. Working time is always
measured with the policy's own ``Calendar.elapsed`` (the calendar arithmetic itself is
property-tested in tests/test_calendar_properties.py).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

import slapolicy
from slapolicy import HolidayDataWarning, Policy, SlaStatus, TargetStatus, TicketError
from test_clock import POLICY

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAUSE_STATUSES = ("waiting_customer", "on_hold")
RUNNING_STATUSES = ("open", "in_progress")
ZERO = timedelta(0)

CONTINUE = slapolicy.load_policy(POLICY)
RESTART = slapolicy.load_policy(POLICY.replace("on_reopen: continue", "on_reopen: restart"))
# The same rules in a zone with daylight saving time (2026-03-08 and 2026-11-01), with a
# few US holidays instead of the Chinese data, and on_reopen: restart.
NEW_YORK = slapolicy.load_policy(
    POLICY.replace("Asia/Shanghai", "America/New_York")
    .replace(
        "holidays: {country: CN}",
        "holidays: {dates: [2026-01-01, 2026-05-25, 2026-07-03, 2026-09-07, 2026-11-26]}",
    )
    .replace("on_reopen: continue", "on_reopen: restart")
)
POLICIES = {"continue": CONTINUE, "restart": RESTART, "new-york": NEW_YORK}

# Starts between Mon 2026-01-05 and mid-October 2026: with three weeks of events and
# deadlines pushed by weeks of pauses, every instant stays inside 2026 (the last year of
# official Chinese holiday data; later years warn with HolidayDataWarning).
FIRST_START = datetime(2026, 1, 5, tzinfo=SHANGHAI)
START_SPAN_MINUTES = 283 * 24 * 60
HISTORY_MINUTES = 21 * 24 * 60

# Slow properties: stay within the profile of tests/conftest.py but never above this.
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- strategies


@dataclass(frozen=True)
class History:
    ticket: dict[str, Any]
    start: datetime
    events: list[dict[str, Any]]
    now: datetime

    def without(self, kinds: Iterable[str]) -> list[dict[str, Any]]:
        drop = set(kinds)
        return [e for e in self.events if e["type"] not in drop]


def _minutes(draw: st.DrawFn, low: int, high: int) -> timedelta:
    """An offset in minutes, sometimes with seconds, biased towards short gaps."""
    minutes = draw(st.one_of(st.integers(low, min(high, low + 600)), st.integers(low, high)))
    seconds = draw(st.sampled_from([0, 0, 0, 30, 59]))
    return timedelta(minutes=minutes, seconds=seconds)


@st.composite
def starts(draw: st.DrawFn) -> datetime:
    # Whole days plus a wall time that is often a window boundary (09:00, 12:00, 13:30, 18:00).
    day = draw(st.integers(0, START_SPAN_MINUTES // 1440))
    clock = draw(
        st.one_of(
            st.sampled_from([9 * 60, 12 * 60, 13 * 60 + 30, 18 * 60, 17 * 60 + 50]),
            st.integers(0, 1439),
        )
    )
    return FIRST_START + timedelta(days=day, minutes=clock)


def event_strategy(kinds: Sequence[str]) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    options: list[st.SearchStrategy[tuple[str, dict[str, Any]]]] = []
    for kind in kinds:
        if kind == "status":
            options.append(
                st.sampled_from(PAUSE_STATUSES + RUNNING_STATUSES).map(
                    lambda s: ("status", {"status": s})
                )
            )
        elif kind == "updated":
            options.append(
                st.integers(0, 4).map(lambda level: ("updated", {"fields": {"level": level}}))
            )
        else:
            options.append(st.just((kind, {})))
    return st.one_of(options)


ALL_KINDS = ("responded", "status", "status", "updated", "resolved", "reopened")


@st.composite
def histories(
    draw: st.DrawFn,
    kinds: Sequence[str] = ALL_KINDS,
    max_events: int = 12,
    now_after_all: bool = False,
) -> History:
    start = draw(starts())
    level = draw(st.integers(0, 4))
    count = draw(st.integers(0, max_events))
    offsets: list[timedelta] = []
    for _ in range(count):
        if offsets and draw(st.integers(0, 4)) == 0:
            offsets.append(offsets[-1])  # several events at one instant
        else:
            offsets.append(_minutes(draw, -90, HISTORY_MINUTES))
    offsets.sort()
    events = []
    for offset in offsets:
        kind, extra = draw(event_strategy(kinds))
        if kind == "resolved":  # a resolution before the start is refused (TicketError)
            offset = max(offset, timedelta(0))
        events.append({"type": kind, "at": start + offset, **extra})
    events.sort(key=lambda event: event["at"])  # (stable) still oldest first
    last = max([start, *(e["at"] for e in events)])
    if now_after_all:
        now = last + _minutes(draw, 0, 3 * 1440)
    elif events and draw(st.integers(0, 4)) == 0:
        now = max(start, draw(st.sampled_from([e["at"] for e in events])))  # now == an event
    else:
        now = start + _minutes(draw, 0, HISTORY_MINUTES + 1440)
    ticket = {"created_at": start.isoformat(), "level": level}
    return History(ticket, start, events, now)


# --------------------------------------------------------------------------- reference replay


@dataclass
class Replay:
    """What docs/clock.md says a history amounts to (independent of clock.py)."""

    ignored: set[int] = field(default_factory=set)
    pauses: list[tuple[datetime, datetime]] = field(default_factory=list)  # [a, b)
    paused: bool = False
    resolved_at: datetime | None = None
    response_stop: datetime | None = None
    reopenings: list[datetime] = field(default_factory=list)
    updates: list[datetime] = field(default_factory=list)
    replies: list[datetime] = field(default_factory=list)
    open_replies: int = 0  # replies while the ticket was not resolved


def replay(history: History, policy: Policy) -> Replay:
    out = Replay()
    indexed = list(enumerate(history.events))
    out.ignored = {i for i, e in indexed if e["at"] > history.now}
    order = sorted((x for x in indexed if x[1]["at"] <= history.now), key=lambda x: x[1]["at"])
    pause_from: datetime | None = None
    for index, event in order:
        at = max(event["at"], history.start)
        kind = event["type"]
        if kind == "status":
            pausing = event["status"] in policy.pause_statuses
            if pausing and pause_from is None:
                pause_from = at
            elif not pausing and pause_from is not None:
                out.pauses.append((pause_from, at))
                pause_from = None
        elif kind == "responded":
            out.replies.append(at)
            if out.resolved_at is None:
                out.open_replies += 1
            if out.response_stop is None:
                out.response_stop = at
        elif kind == "resolved":
            if out.resolved_at is not None:
                out.ignored.add(index)
                continue
            out.resolved_at = at
            if out.response_stop is None:
                out.response_stop = at
        elif kind == "reopened":
            if out.resolved_at is None:
                out.ignored.add(index)
                continue
            out.reopenings.append(at)
            out.resolved_at = None
        elif kind == "updated":
            out.updates.append(at)
    if pause_from is not None:
        out.pauses.append((pause_from, history.now))
        out.paused = True
    return out


def clipped(
    pauses: Iterable[tuple[datetime, datetime]], low: datetime, high: datetime
) -> list[tuple[datetime, datetime]]:
    out = []
    for a, b in pauses:
        a, b = max(a, low), min(b, high)
        if a < b:
            out.append((a, b))
    return out


def end_of(target: TargetStatus, now: datetime) -> datetime:
    return target.stopped_at if target.stopped_at is not None else now


def working(policy: Policy, target: TargetStatus, a: datetime, b: datetime) -> timedelta:
    return policy.calendars[target.calendar].elapsed(a, b)


def target_time(policy: Policy, target: TargetStatus) -> timedelta:
    """Working time from the cycle start to its plain deadline (docs/clock.md)."""
    calendar = policy.calendars[target.calendar]
    return calendar.elapsed(target.start, calendar.add(target.start, target.within))


def status_of(
    policy: Policy,
    history: History,
    events: Sequence[Mapping[str, Any]] | None = None,
    now: datetime | None = None,
) -> SlaStatus:
    return policy.status(
        history.ticket,
        history.events if events is None else events,
        now=history.now if now is None else now,
    )


def show(history: History, status: SlaStatus | None = None) -> None:
    note(f"ticket={history.ticket} now={history.now.isoformat()}")
    for i, e in enumerate(history.events):
        extra = {k: v for k, v in e.items() if k not in ("type", "at")}
        note(f"  [{i}] {e['at'].isoformat()} {e['type']} {extra or ''}")
    if status is not None:
        for t in status.targets.values():
            note(f"  -> {t.to_dict()}")


# --------------------------------------------------------------------- pauses push the due instant


@SLOW
@given(histories(kinds=("responded", "status", "status", "status", "resolved")))
def test_paused_working_time_pushes_due_by_exactly_that_amount(history: History) -> None:
    """Against the same history without its status events, for every target's current cycle:

    * without pauses, ``due`` is the plain deadline ``calendar.add(start, within)``;
    * with them, ``calendar.elapsed(due_without, due_with)`` is the working time of the pauses
      (clipped to the cycle: from its start to its stop, or ``now``) that *began before*
      ``due_with``; pauses that begin at or after it change nothing;
    * in particular, when every such pause ended before the plain due, the due moved by
      exactly ``paused_for``.

    (No ``updated`` and no ``reopened`` here: those change the rule or add pauses of their
    own.)
    """
    policy = CONTINUE
    with_pauses = status_of(policy, history)
    plain = status_of(policy, history, history.without(["status"]))
    show(history, with_pauses)
    model = replay(history, policy)
    assert set(with_pauses.targets) == set(plain.targets)
    for name, target in with_pauses.targets.items():
        bare = plain.targets[name]
        calendar = policy.calendars[target.calendar]
        assert (bare.start, bare.cycle, bare.stopped_at) == (
            target.start,
            target.cycle,
            target.stopped_at,
        )
        assert bare.paused_for == ZERO
        assert bare.due == calendar.add(bare.start, bare.within)
        pauses = clipped(model.pauses, target.start, end_of(target, history.now))
        assert target.paused_for == sum((calendar.elapsed(a, b) for a, b in pauses), ZERO)
        counted = sum((calendar.elapsed(a, b) for a, b in pauses if a < target.due), ZERO)
        assert calendar.elapsed(bare.due, target.due) == counted, name
        if all(b <= bare.due for _, b in pauses):
            assert calendar.elapsed(bare.due, target.due) == target.paused_for, name


# ------------------------------------------------------------------------- arithmetic of one cycle


@SLOW
@given(histories(), st.sampled_from(sorted(POLICIES)))
def test_elapsed_and_remaining_add_up_to_the_target(history: History, mode: str) -> None:
    """``elapsed + remaining`` is the target's working time (start to plain deadline), in
    every state; ``elapsed`` is the working time of the cycle minus ``paused_for``."""
    policy = POLICIES[mode]
    status = status_of(policy, history)
    show(history, status)
    for name, target in status.targets.items():
        total = target_time(policy, target)
        assert target.elapsed + target.remaining == total, name
        end = end_of(target, history.now)
        assert target.elapsed == working(policy, target, target.start, end) - target.paused_for
        assert target.elapsed >= ZERO
        assert target.paused_for >= ZERO
        if total:
            assert target.percent_used == round(100 * (target.elapsed / total), 2)
        else:
            assert target.percent_used is None


@SLOW
@given(histories(), st.sampled_from(sorted(POLICIES)))
def test_state_follows_from_stop_due_and_now(history: History, mode: str) -> None:
    """``met`` iff the cycle stopped at or before ``due``; ``breached`` iff it stopped after,
    or runs past ``due``; ``paused`` while the ticket is paused; ``breached_at == due``."""
    policy = POLICIES[mode]
    status = status_of(policy, history)
    show(history, status)
    model = replay(history, policy)
    assert status.paused == model.paused
    assert status.resolved == (model.resolved_at is not None)
    assert set(status.ignored_events) == model.ignored
    assert list(status.ignored_events) == sorted(status.ignored_events)
    assert status.targets["response"].stopped_at == model.response_stop
    assert status.targets["resolve"].stopped_at == model.resolved_at
    for name, target in status.targets.items():
        if target.stopped_at is not None:
            expected = "met" if target.stopped_at <= target.due else "breached"
        elif target.due < history.now:
            expected = "breached"
        elif status.paused:
            expected = "paused"
        else:
            expected = "running"
        assert target.state == expected, name
        if target.state == "breached":
            assert target.breached_at == target.due
            assert target.breaches
            assert target.breaches[-1] == target.due
        else:
            assert target.breached_at is None
        assert list(target.breaches) == sorted(target.breaches)
        assert all(b < history.now for b in target.breaches)
        assert target.due >= target.start


# --------------------------------------------------------------------------- re-prioritisation


@SLOW
@given(histories(kinds=("responded", "status", "updated", "updated", "resolved", "reopened")))
def test_reprioritisation_never_moves_the_start(history: History) -> None:
    """``updated`` re-derives the decision with the same clock start: the decision, response
    and (under ``continue``) resolve start at the ticket's ``created_at``; the ``update``
    target starts at the clock start or at a reply or reopening."""
    status = status_of(CONTINUE, history)
    show(history, status)
    model = replay(history, CONTINUE)
    assert status.decision.started_at == history.start
    assert status.targets["response"].start == history.start
    assert status.targets["resolve"].start == history.start
    assert status.targets["resolve"].cycle == 1
    level = history.ticket["level"]
    for event in history.events:
        if event["type"] == "updated" and event["at"] <= history.now:
            level = event["fields"]["level"]
    assert status.decision.priority == f"P{level}"
    assert set(status.targets) == set(status.decision.targets)
    update = status.targets.get("update")
    if update is not None:
        assert update.start in {history.start, *model.replies, *model.reopenings}


def _last_update(history: History) -> datetime | None:
    model = replay(history, CONTINUE)
    return max(model.updates, default=None)


@given(histories(), st.sampled_from(sorted(POLICIES)))
@example(
    # P2 created Mon 2026-06-01 09:00; update (4h) breached at 14:30; upgraded to P1 at 15:00;
    # the reply at 15:10 starts a cycle that should run P1's 1h, not P2's 4h.
    History(
        {"created_at": "2026-06-01T09:00:00+08:00", "level": 2},
        datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI),
        [
            {
                "type": "updated",
                "at": datetime(2026, 6, 1, 15, 0, tzinfo=SHANGHAI),
                "fields": {"level": 1},
            },
            {"type": "responded", "at": datetime(2026, 6, 1, 15, 10, tzinfo=SHANGHAI)},
        ],
        datetime(2026, 6, 1, 15, 20, tzinfo=SHANGHAI),
    ),
    "continue",
)
@SLOW
def test_a_cycle_started_after_reprioritisation_takes_the_new_target(
    history: History, mode: str
) -> None:
    """A cycle that begins after the last ``updated`` event belongs to the current decision:
    its ``within`` and calendar are the decision's target for that name."""
    policy = POLICIES[mode]
    status = status_of(policy, history)
    show(history, status)
    last = _last_update(history)
    for name, target in status.targets.items():
        if last is not None and target.start > last:
            wanted = status.decision.targets[name]
            assert (target.within, target.calendar) == (wanted.within, wanted.calendar), name


@SLOW
@given(histories(kinds=("responded", "status", "updated", "updated", "resolved")))
def test_reprioritisation_keeps_used_time_and_never_undoes_a_breach(history: History) -> None:
    """At the last ``updated`` event: a cycle that had stopped, or was already breached,
    keeps its state, ``within`` and ``due`` for good; a cycle still running takes the new
    ``within`` and keeps the working time used (same calendar: same ``elapsed``). Without
    reopenings, so that a stopped cycle stays stopped."""
    policy = CONTINUE
    indexes = [
        i for i, e in enumerate(history.events) if e["type"] == "updated" and e["at"] <= history.now
    ]
    if not indexes:
        return
    k = indexes[-1]
    at = history.events[k]["at"]
    before = policy.status(history.ticket, history.events[:k], now=max(at, history.start))
    right_after = policy.status(history.ticket, history.events[: k + 1], now=max(at, history.start))
    final = status_of(policy, history)
    show(history, final)
    for name, old in before.targets.items():
        if name not in final.targets:
            continue  # dropped by the update
        new = right_after.targets[name]
        assert new.start == old.start
        assert new.cycle == old.cycle
        if old.state in ("met", "breached"):
            assert (new.state, new.within, new.due) == (old.state, old.within, old.due), name
            later = final.targets[name]
            if later.cycle == old.cycle:
                assert (later.state, later.within, later.due) == (
                    old.state,
                    old.within,
                    old.due,
                ), name
        else:
            wanted = right_after.decision.targets[name]
            assert (new.within, new.calendar) == (wanted.within, wanted.calendar), name
            if new.calendar == old.calendar:
                assert new.elapsed == old.elapsed, name
                assert new.paused_for == old.paused_for, name


@SLOW
@given(
    histories(kinds=("responded", "status", "status", "resolved", "reopened")),
    st.sampled_from(sorted(POLICIES)),
)
def test_cycles_are_counted_as_documented(history: History, mode: str) -> None:
    """``response`` has one cycle; ``update`` a new one at every reply (while open) and every
    reopening; ``resolve`` a new one at every reopening under ``restart`` only."""
    policy = POLICIES[mode]
    status = status_of(policy, history)
    show(history, status)
    model = replay(history, policy)
    assert status.targets["response"].cycle == 1
    reopenings = len(model.reopenings)
    resolve = status.targets["resolve"]
    if policy.on_reopen == "restart":
        assert resolve.cycle == 1 + reopenings
        assert resolve.start == (model.reopenings[-1] if reopenings else history.start)
    else:
        assert resolve.cycle == 1
        assert resolve.start == history.start
    update = status.targets.get("update")
    if update is not None:
        assert update.cycle == 1 + model.open_replies + reopenings


@SLOW
@given(histories(), st.sampled_from(sorted(POLICIES)))
def test_escalations_agree_with_the_targets(history: History, mode: str) -> None:
    """Every entry is at or before ``now`` and after nothing stopped it; the 100% entries of
    ``resolve`` are its breaches (plus the current cycle when ``now`` is exactly its due);
    every threshold of the current cycle lies at or before its due instant."""
    policy = POLICIES[mode]
    status = status_of(policy, history)
    show(history, status)
    assert [e.at for e in status.escalations_due] == sorted(e.at for e in status.escalations_due)
    resolve = status.targets["resolve"]
    for entry in status.escalations_due:
        assert entry.at <= history.now
        target = status.targets[entry.target]
        assert entry.cycle <= target.cycle
        if entry.cycle == target.cycle:
            assert entry.at <= target.due
            if target.stopped_at is not None:
                assert target.stopped_at > entry.at
    full = sorted(e.at for e in status.escalations_due if e.rule == "resolve-breach")
    expected = list(resolve.breaches)
    if resolve.stopped_at is None and resolve.due == history.now:
        expected.append(resolve.due)
    assert full == expected
    current = [
        e for e in status.escalations_due if e.rule == "resolve-breach" and e.cycle == resolve.cycle
    ]
    assert bool(current) == (
        resolve.state == "breached" or (resolve.stopped_at is None and resolve.due == history.now)
    )


# --------------------------------------------------------------------------- reopening


@st.composite
def reopened_histories(draw: st.DrawFn) -> tuple[History, int]:
    """A history of replies and statuses, one resolution, one reopening, more replies and
    statuses; returns it with the index of the ``resolved`` event (events are in order)."""
    base = draw(histories(kinds=("responded", "status", "status"), max_events=5))
    start = base.start
    events = list(base.events)
    last = max([start, *(e["at"] for e in events)])
    resolved = last + _minutes(draw, 0, 3 * 1440)
    reopened = resolved + _minutes(draw, 0, 5 * 1440)
    events.append({"type": "resolved", "at": resolved})
    events.append({"type": "reopened", "at": reopened})
    cursor = reopened
    for _ in range(draw(st.integers(0, 4))):
        cursor += _minutes(draw, 0, 1440)
        kind, extra = draw(event_strategy(("responded", "status")))
        events.append({"type": kind, "at": cursor, **extra})
    now = cursor + _minutes(draw, 0, 2 * 1440)
    return History(base.ticket, start, events, now), len(base.events)


@SLOW
@given(reopened_histories())
def test_reopening_continue_keeps_consumed_time_restart_starts_a_new_cycle(
    case: tuple[History, int],
) -> None:
    """With ``continue`` the resolve cycle goes on from the working time it had used at the
    resolution (the time resolved counts as paused); with ``restart`` a new cycle starts at
    the reopening, from zero, and the first cycle's breach stays in ``breaches``."""
    history, resolved_index = case
    show(history)
    resolved_at = max(history.events[resolved_index]["at"], history.start)
    reopened_at = max(history.events[resolved_index + 1]["at"], history.start)
    upto = history.events[: resolved_index + 1]
    model = replay(history, CONTINUE)
    calendar_name = (
        CONTINUE.status(history.ticket, [], now=history.start).targets["resolve"].calendar
    )
    calendar = CONTINUE.calendars[calendar_name]
    after = clipped(model.pauses, reopened_at, history.now)
    unpaused_since_reopening = calendar.elapsed(reopened_at, history.now) - sum(
        (calendar.elapsed(a, b) for a, b in after), ZERO
    )

    at_resolution = CONTINUE.status(history.ticket, upto, now=resolved_at).targets["resolve"]
    assert at_resolution.stopped_at == resolved_at

    kept = CONTINUE.status(history.ticket, history.events, now=history.now).targets["resolve"]
    note(f"continue -> {kept.to_dict()}")
    assert kept.cycle == 1
    assert kept.start == history.start
    assert kept.stopped_at is None
    assert kept.elapsed == at_resolution.elapsed + unpaused_since_reopening
    if at_resolution.state == "breached":  # a breach is never undone by reopening
        assert kept.state == "breached"
        assert kept.due == at_resolution.due

    fresh = RESTART.status(history.ticket, history.events, now=history.now).targets["resolve"]
    note(f"restart -> {fresh.to_dict()}")
    assert fresh.cycle == 2
    assert fresh.start == reopened_at
    assert fresh.elapsed == unpaused_since_reopening
    first = (at_resolution.due,) if at_resolution.state == "breached" else ()
    current = (fresh.due,) if fresh.state == "breached" else ()
    assert fresh.breaches == first + current


# --------------------------------------------------------------------------- stability


@SLOW
@given(
    histories(now_after_all=True), st.integers(1, 60 * 24 * 30), st.sampled_from(sorted(POLICIES))
)
def test_status_of_a_resolved_ticket_does_not_depend_on_now(
    history: History, later_minutes: int, mode: str
) -> None:
    """Once every target is stopped (the last event is a resolution) and ``now`` is past the
    last event, asking later gives the same targets and the same escalations."""
    policy = POLICIES[mode]
    last = max([history.start, *(e["at"] for e in history.events)])
    events = [*history.events, {"type": "resolved", "at": last}]
    history = History(history.ticket, history.start, events, max(history.now, last))
    first = status_of(policy, history)
    show(history, first)
    assert all(t.stopped_at is not None for t in first.targets.values())
    second = status_of(policy, history, now=history.now + timedelta(minutes=later_minutes))
    assert {n: t.to_dict() for n, t in first.targets.items()} == {
        n: t.to_dict() for n, t in second.targets.items()
    }
    assert [e.to_dict() for e in first.escalations_due] == [
        e.to_dict() for e in second.escalations_due
    ]


@SLOW
@given(
    histories(kinds=("responded", "status", "status", "resolved", "reopened")),
    st.lists(st.integers(0, HISTORY_MINUTES + 1440), min_size=2, max_size=6),
    st.sampled_from(sorted(POLICIES)),
)
def test_escalation_keys_only_grow_and_keep_their_instant(
    history: History, offsets: list[int], mode: str
) -> None:
    """Called at later and later ``now``s over the same history, ``escalations_due`` only
    gains keys, and a key keeps the instant it was first reported with (so a scheduler that
    remembers keys notifies exactly once, at a stable time). Entries are at or before now,
    oldest first. (No ``updated`` events: re-prioritisation re-derives the thresholds.)"""
    policy = POLICIES[mode]
    show(history)
    seen: dict[tuple[str, str, int], datetime] = {}
    for offset in sorted(offsets):
        now = history.start + timedelta(minutes=offset)
        status = status_of(policy, history, now=now)
        current = {e.key: e.at for e in status.escalations_due}
        assert len(current) == len(status.escalations_due), "duplicate keys"
        note(f"now={now.isoformat()} {sorted(current.items())}")
        assert set(seen) <= set(current)
        for key, at in seen.items():
            assert current[key] == at, key
        assert all(at <= now for at in current.values())
        assert [e.at for e in status.escalations_due] == sorted(current.values())
        seen = current


@SLOW
@given(histories(), st.randoms(use_true_random=False), st.sampled_from(sorted(POLICIES)))
def test_the_order_of_the_event_list_does_not_matter_beyond_equal_instants(
    history: History, rnd: Any, mode: str
) -> None:
    """Events are replayed in order of ``at`` (stable): a shuffled list gives the answer of
    the same list sorted stably by ``at``; ignored indexes refer to the shuffled list."""
    policy = POLICIES[mode]
    shuffled = list(history.events)
    rnd.shuffle(shuffled)
    ordered = sorted(shuffled, key=lambda e: e["at"])
    a = status_of(policy, history, shuffled)
    b = status_of(policy, history, ordered)
    show(history, a)
    da, db = a.to_dict(), b.to_dict()
    ignored_a = sorted(id(shuffled[i]) for i in da.pop("ignored_events"))
    ignored_b = sorted(id(ordered[i]) for i in db.pop("ignored_events"))
    assert da == db
    assert ignored_a == ignored_b


# --------------------------------------------------------------------------- garbage in


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
_instants = st.one_of(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 1)).map(
        lambda d: d.isoformat()
    ),
    st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2026, 12, 1),
        timezones=st.sampled_from([timezone.utc, SHANGHAI, ZoneInfo("America/New_York")]),
    ),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.dates(),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2026-06-01T09:00",
            "2026-13-01T09:00",
            "2026-06-01",
            "Z",
            "24:00",
            "2026-06-01T24:00",
            "2199-12-31T23:59",
            "1901-01-01T00:00",
            "now",
        ]
    ),
    _json,
)
_levels = st.one_of(st.integers(0, 4), _json, st.sampled_from(["1", "2.0", "x", "", "٣"]))
_fields = st.dictionaries(
    st.one_of(
        st.sampled_from(
            ["level", "channel", "customer.tier", "customer", "created_at", "", ".", "a..b", "type"]
        ),
        st.text(max_size=6),
    ),
    st.one_of(_levels, _instants, st.sampled_from(["vip", "phone", "fax"])),
    max_size=3,
)
_event = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.one_of(st.sampled_from(slapolicy._clock.EVENT_TYPES), _json),
            "at": _instants,
        },
        optional={
            "status": st.one_of(st.sampled_from(PAUSE_STATUSES + RUNNING_STATUSES), _json),
            "fields": st.one_of(_fields, _json),
        },
    ),
    _json,
)
_tickets = st.one_of(
    st.fixed_dictionaries(
        {"created_at": _instants},
        optional={"level": _levels, "channel": _json, "customer": _json, "type": _json},
    ),
    _json,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _tickets,
    st.one_of(st.lists(_event, max_size=6), _json, st.text(max_size=5)),
    st.one_of(_instants, st.just("2026-12-01T00:00")),
)
def test_garbage_raises_ticket_error_and_nothing_else(ticket: Any, events: Any, now: Any) -> None:
    """Whatever the ticket, events and ``now``: an ``SlaStatus``, or ``TicketError``."""
    note(f"ticket={ticket!r}\nevents={events!r}\nnow={now!r}")
    with warnings.catch_warnings():
        # instants far from 2026 legitimately warn about missing official holiday data
        warnings.simplefilter("ignore", HolidayDataWarning)
        try:
            status = GARBAGE_POLICY.status(ticket, events, now=now)
        except TicketError:
            return
    assert isinstance(status, SlaStatus)
    status.to_dict()


# A separate policy object: garbage spans centuries, which would grow the calendars' caches
# of the policies the other properties use.
GARBAGE_POLICY = slapolicy.load_policy(POLICY)


def test_a_pushed_due_beyond_the_supported_range_is_an_error() -> None:
    # P1 (resolve 2h) created Wed 2199-12-31 09:00, paused from 09:10 to now 17:30: the
    # resolve due (plain 11:00) is pushed past the end of 2199, which the calendar refuses to
    # answer (Calendar.add("2199-12-31T17:00", "2h") raises CalendarError). status returns a
    # due of 2200-01-01 instead (and treats New Year's Day 2200 as a working day).
    policy = slapolicy.load_policy(POLICY)
    events = [{"type": "status", "status": "waiting_customer", "at": "2199-12-31T09:10"}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)
        with pytest.raises(slapolicy.SlaPolicyError):
            policy.status(
                {"created_at": "2199-12-31T09:00", "level": 1}, events, now="2199-12-31T17:30"
            )
