"""Property tests of metrics as data (``metrics:``, ``events:``) over random policies and histories.

Policies are drawn as mappings: up to three metrics of their own beside the built-ins, each
started and stopped by built-in or declared events (some with a ``when`` on a declared field
or on the priority), with or without a ``resume``, ``cycle: once`` or ``each``, pausing on
statuses and/or on ``{from, until}`` event pairs (or never), cancelled by an event or a
status, ``open_only`` or not, on the SLA's calendar or on one of their own; targets per
priority are durations (with and without days), ``{within, calendar}`` or wall-clock
``{by, days | weekday}``, and some priorities give a metric none. The calendars are those of
tests/test_clock.py: a Shanghai office with a split shift and the Chinese holidays, and 24x7.
``clock.on_reopen`` and ``clock.on_reprioritise`` take both values.

Histories start in 2026 and hold up to a dozen events within three weeks of the start (a
few stamped before it) of every type the policy knows, with statuses from
``clock.statuses``, updates of the priority (``level``) and of a flag; ``now`` lies
somewhere after the start. Everything stays inside 2026 (the last year of official Chinese
holiday data: later years warn, and warnings are errors in this suite).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import slapolicy
from slapolicy import Policy, SlaStatus, TargetStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZERO = timedelta(0)

# Slow properties: stay within the profile of tests/conftest.py but never time out.
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

STATUSES = ("open", "in_progress", "waiting_customer", "on_hold", "spam")
PAUSE_STATUSES = ("waiting_customer", "on_hold")
DECLARED = ("plan_submitted", "callback_done", "implemented", "hold", "unhold", "dup")
BUILTIN_EVENTS = (
    "responded",
    "customer_replied",
    "status",
    "updated",
    "resolved",
    "reopened",
    "closed",
)
LIFECYCLE = frozenset({"resolved", "reopened", "closed"})
BUILTIN_METRICS = ("response", "resolve", "update")

# ------------------------------------------------------------------------ random policies

CALENDARS = {
    "office": {
        "timezone": "Asia/Shanghai",
        "hours": {"mon-fri": ["09:00-12:00", "13:30-18:00"]},
        "holidays": {"country": "CN"},
    },
    "always": {"timezone": "Asia/Shanghai", "hours": "always"},
}

# triggers: plain event types and conditional ones (`when` on a declared field, on the
# priority); `hold`, `unhold` and `dup` are never triggers (pause and cancel only)
START_EVENTS = (
    "created",
    "responded",
    "customer_replied",
    "resolved",
    "reopened",
    "plan_submitted",
    "implemented",
)
STOP_EVENTS = (
    "responded",
    "customer_replied",
    "resolved",
    "closed",
    "plan_submitted",
    "callback_done",
    "implemented",
)
CONDITIONAL = (
    {"event": "updated", "when": {"flag": True}},
    {"event": "updated", "when": {"flag": False}},
    {"event": "created", "when": {"priority": "P1"}},
    {"event": "responded", "when": {"level": {"le": 2}}},
    {"event": "customer_replied", "when": {"priority": ["P1", "P2"]}},
)
PAUSES = (
    "waiting_customer",
    "on_hold",
    {"from": "hold", "until": "unhold"},
    {"from": "hold", "until": "customer_replied"},
)
TARGETS = (
    "0m",
    "15m",
    "30m",
    "2h",
    "8h",
    "1d",
    "1d2h",
    "2d",
    {"within": "4h", "calendar": "always"},
    {"within": "1d", "calendar": "office"},
    {"by": "12:30"},
    {"by": "18:00", "days": 1},
    {"by": "16:00", "weekday": "fri"},
    {"by": "10:00", "days": 0, "calendar": "always"},
    {"by": "24:00", "days": 2},
)


def _trigger_list(
    draw: st.DrawFn, plain: Sequence[str], conditional: Sequence[dict[str, Any]]
) -> Any:
    pool = st.one_of(st.sampled_from(plain), st.sampled_from(conditional))
    # (at most one `created`: two start a cycle each, see test_metrics.py's
    # test_two_created_triggers_start_one_cycle)
    items = draw(
        st.lists(
            pool,
            min_size=1,
            max_size=2,
            unique_by=lambda t: t if isinstance(t, str) else t["event"],
        )
    )
    return items[0] if len(items) == 1 and draw(st.booleans()) else items


@st.composite
def metric_specs(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "start": _trigger_list(draw, START_EVENTS, CONDITIONAL),
        "stop": _trigger_list(draw, STOP_EVENTS, CONDITIONAL[:2]),
        "cycle": draw(st.sampled_from(["once", "each"])),
    }
    resume = draw(st.sampled_from([None, None, "reopened", "customer_replied"]))
    if resume is not None:
        spec["resume"] = resume
    pause = draw(
        st.one_of(st.none(), st.lists(st.sampled_from(PAUSES), max_size=3, unique_by=json.dumps))
    )
    if pause is not None:
        spec["pause"] = pause
    cancel = draw(st.lists(st.sampled_from(["dup", "spam"]), max_size=2, unique=True))
    if cancel:
        spec["cancel"] = cancel
    if draw(st.booleans()):
        spec["open_only"] = True
    calendar = draw(st.sampled_from([None, None, "office", "always"]))
    if calendar is not None:
        spec["calendar"] = calendar
    return spec


@st.composite
def policy_specs(draw: st.DrawFn, min_metrics: int = 0, max_metrics: int = 3) -> dict[str, Any]:
    count = draw(st.integers(min_metrics, max_metrics))
    metrics = {f"m{i}": draw(metric_specs()) for i in range(count)}
    names = [*BUILTIN_METRICS, *metrics]
    targets: dict[str, dict[str, Any]] = {}
    for priority in ("P1", "P2", "P3"):
        entry: dict[str, Any] = {
            "response": draw(st.sampled_from(["0m", "15m", "30m", "2h", "1d"])),
            "resolve": draw(st.sampled_from(["2h", "8h", "1d", "2d", {"by": "18:00", "days": 1}])),
        }
        if draw(st.booleans()):
            entry["update"] = draw(st.sampled_from(["30m", "1h", "4h"]))
        for name in metrics:
            if draw(st.integers(0, 4)):
                entry[name] = draw(st.sampled_from(TARGETS))
        targets[priority] = entry
    escalation = []
    for i in range(draw(st.integers(0, 3))):
        rule: dict[str, Any] = {
            "id": f"e{i}",
            "target": draw(st.sampled_from(names)),
            "notify": "desk",
        }
        if draw(st.booleans()):
            rule["at"] = draw(st.sampled_from(["0%", "50%", "100%", "150%"]))
        else:
            rule["before"] = draw(st.sampled_from(["0m", "30m", "2h"]))
        escalation.append(rule)
    return {
        "slapolicy": 1,
        "name": "random metrics",
        "timezone": "Asia/Shanghai",
        "calendars": CALENDARS,
        "fields": {"level": {"type": "integer"}, "flag": {"type": "boolean"}},
        "categories": [{"id": "other"}],
        "priorities": [
            {"id": "P1", "when": {"level": 1}},
            {"id": "P2", "when": {"level": 2}},
            {"id": "P3"},
        ],
        "slas": [
            {
                "id": "standard",
                "calendar": draw(st.sampled_from(["office", "office", "always"])),
                "targets": targets,
            }
        ],
        "routing": [{"owner": "desk"}],
        "owners": {"desk": {}},
        "escalation": escalation,
        "clock": {
            "start_field": "created_at",
            "statuses": list(STATUSES),
            "pause_statuses": draw(
                st.sampled_from([["waiting_customer"], ["waiting_customer", "on_hold"]])
            ),
            "on_reopen": draw(st.sampled_from(["continue", "restart"])),
            "on_reprioritise": draw(st.sampled_from(["keep", "restart"])),
        },
        "events": {name: {} for name in DECLARED},
        "metrics": metrics,
    }


@functools.lru_cache(maxsize=128)
def _load(text: str) -> Policy:
    return slapolicy.load_policy(json.loads(text))


def load(spec: Mapping[str, Any]) -> Policy:
    """The policy of a drawn mapping (loaded once per distinct mapping)."""
    return _load(json.dumps(spec, sort_keys=True, ensure_ascii=False))


# --------------------------------------------------------------------------- random histories

# Starts between Mon 2026-01-05 and the end of September: with three weeks of events and
# dues pushed by weeks of pauses every instant stays inside 2026.
FIRST_START = datetime(2026, 1, 5, tzinfo=SHANGHAI)
START_SPAN_DAYS = 268
HISTORY_MINUTES = 21 * 24 * 60


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
    seconds = draw(st.sampled_from([0, 0, 0, 30]))
    return timedelta(minutes=minutes, seconds=seconds)


@st.composite
def starts(draw: st.DrawFn) -> datetime:
    # whole days plus a wall time that is often a window boundary
    day = draw(st.integers(0, START_SPAN_DAYS))
    clock = draw(
        st.one_of(
            st.sampled_from([9 * 60, 12 * 60, 12 * 60 + 30, 13 * 60 + 30, 18 * 60, 17 * 60 + 50]),
            st.integers(0, 1439),
        )
    )
    return FIRST_START + timedelta(days=day, minutes=clock)


ALL_KINDS = (*BUILTIN_EVENTS, "status", "updated", *DECLARED)


def event_of(draw: st.DrawFn, kind: str, *, statuses: Sequence[str] = STATUSES) -> dict[str, Any]:
    if kind == "status":
        return {"type": "status", "status": draw(st.sampled_from(statuses))}
    if kind == "updated":
        fields = draw(
            st.one_of(
                st.fixed_dictionaries({"level": st.integers(1, 3)}),
                st.fixed_dictionaries({"flag": st.booleans()}),
                st.fixed_dictionaries({"level": st.integers(1, 3), "flag": st.booleans()}),
            )
        )
        return {"type": "updated", "fields": fields}
    return {"type": kind}


@st.composite
def histories(
    draw: st.DrawFn,
    kinds: Sequence[str] = ALL_KINDS,
    statuses: Sequence[str] = STATUSES,
    max_events: int = 12,
    level_updates: bool = True,
) -> History:
    start = draw(starts())
    level = draw(st.integers(1, 3))
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
        event = event_of(draw, draw(st.sampled_from(kinds)), statuses=statuses)
        if event["type"] == "updated" and not level_updates:
            event["fields"] = {"flag": draw(st.booleans())}
        if event["type"] == "resolved":  # a resolution before the start is refused
            offset = max(offset, ZERO)
        events.append({**event, "at": start + offset})
    events.sort(key=lambda e: e["at"])  # (stable) oldest first
    if events and draw(st.integers(0, 4)) == 0:
        now = max(start, draw(st.sampled_from([e["at"] for e in events])))  # now == an event
    else:
        now = start + _minutes(draw, 0, HISTORY_MINUTES + 1440)
    ticket: dict[str, Any] = {"created_at": start.isoformat(), "level": level}
    if draw(st.booleans()):
        ticket["flag"] = draw(st.booleans())
    return History(ticket, start, events, now)


def _events_in(value: Any) -> list[str]:
    """The event types a metric mapping names (triggers, pause pairs, cancels)."""
    if isinstance(value, str):
        return [value] if value in (*BUILTIN_EVENTS, *DECLARED) else []
    if isinstance(value, Mapping):
        named = [v for k, v in value.items() if k in ("event", "from", "until")]
        others = [v for k, v in value.items() if k not in ("event", "from", "until", "when")]
        return [*_events_in(named), *_events_in(others)]
    if isinstance(value, list):
        return [e for item in value for e in _events_in(item)]
    return []


@st.composite
def cases(
    draw: st.DrawFn, min_metrics: int = 1, max_metrics: int = 3
) -> tuple[dict[str, Any], History]:
    """A policy and a history whose events favour the types its metrics use."""
    spec = draw(policy_specs(min_metrics=min_metrics, max_metrics=max_metrics))
    used = _events_in(list(spec["metrics"].values()))
    history = draw(histories(kinds=(*ALL_KINDS, *used, *used)))
    return spec, history


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


def show(spec: Mapping[str, Any] | None, history: History, status: SlaStatus | None = None) -> None:
    if spec is not None:
        note(f"metrics={json.dumps(spec['metrics'], ensure_ascii=False)}")
        note(f"targets={json.dumps(spec['slas'][0], ensure_ascii=False)}")
        note(f"clock={spec['clock']} escalation={spec['escalation']}")
    note(f"ticket={history.ticket} now={history.now.isoformat()}")
    for i, e in enumerate(history.events):
        extra = {k: v for k, v in e.items() if k not in ("type", "at")}
        note(f"  [{i}] {e['at'].isoformat()} {e['type']} {extra or ''}")
    if status is not None:
        for name, cycles in status.cycles.items():
            for c in cycles:
                note(f"  -> {name} {c.to_dict()}")


def cycles_dict(status: SlaStatus, name: str) -> list[dict[str, Any]]:
    return [c.to_dict() for c in status.cycles.get(name, ())]


def escalations_of(status: SlaStatus, name: str) -> list[dict[str, Any]]:
    return [e.to_dict() for e in status.escalations_due if e.target == name]


def end_of(target: TargetStatus, now: datetime) -> datetime:
    return target.stopped_at if target.stopped_at is not None else now


# ------------------------------------------------------------------------------- pauses


@st.composite
def paused_histories(draw: st.DrawFn) -> tuple[History, History]:
    """A history without pauses (no pause status, no ``hold``, no change of priority), and
    the same history with pauses added: pause statuses then a running status, and ``hold``
    then maybe ``unhold`` (``hold`` and ``unhold`` are only ever pause events)."""
    kinds = tuple(k for k in ALL_KINDS if k not in ("hold", "unhold"))
    running = tuple(s for s in STATUSES if s not in PAUSE_STATUSES)
    base = draw(histories(kinds=kinds, statuses=running, level_updates=False))
    added: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 3))):
        begin = base.start + _minutes(draw, -60, HISTORY_MINUTES)
        length = _minutes(draw, 1, 5 * 1440)
        if draw(st.booleans()):
            status = draw(st.sampled_from(PAUSE_STATUSES))
            added.append({"type": "status", "status": status, "at": begin})
            if draw(st.integers(0, 3)):
                added.append({"type": "status", "status": "open", "at": begin + length})
        else:
            added.append({"type": "hold", "at": begin})
            if draw(st.integers(0, 3)):
                added.append({"type": "unhold", "at": begin + length})
    events = sorted([*base.events, *added], key=lambda e: e["at"])
    return base, History(base.ticket, base.start, events, base.now)


@SLOW
@given(policy_specs(min_metrics=1), paused_histories())
def test_a_pause_never_makes_a_due_earlier(
    spec: dict[str, Any], case: tuple[History, History]
) -> None:
    """Adding pauses to a history (statuses, event pairs) changes no cycle's start or stop,
    and no due instant moves earlier. (No change of priority here: a target that a
    running cycle takes depends on whether it was breached by then.)"""
    policy = load(spec)
    base, paused = case
    plain = status_of(policy, base)
    with_pauses = status_of(policy, paused)
    show(spec, paused, with_pauses)
    assert set(plain.cycles) == set(with_pauses.cycles)
    for name, cycles in with_pauses.cycles.items():
        before = plain.cycles[name]
        assert [(c.cycle, c.start, c.stopped_at) for c in cycles] == [
            (c.cycle, c.start, c.stopped_at) for c in before
        ], name
        for a, b in zip(before, cycles, strict=True):
            assert a.due is not None
            assert b.due is not None
            assert b.due >= a.due, (name, b.cycle)
            assert b.paused_for >= a.paused_for, name  # (a resume pauses too)


# ----------------------------------------------------------------------- states and arithmetic


@SLOW
@given(cases())
def test_states_follow_from_stop_due_and_now(case: tuple[dict[str, Any], History]) -> None:
    """Every cycle: stopped at or before its due is ``met``, after it ``breached`` with
    ``breached_at == due``; a cancelled cycle is neither (a breach before its cancellation
    stays in ``breaches``); one still running is ``breached`` once ``now`` is past its due.
    A metric without a cycle is ``pending``. An escalation is due only for a threshold
    reached by ``now`` and before its cycle stopped or was cancelled."""
    spec, history = case
    policy = load(spec)
    status = status_of(policy, history)
    show(spec, history, status)
    now = history.now
    for name, target in status.targets.items():
        cycles = status.cycles[name]
        if not cycles:
            assert target.state == "pending"
            assert (target.start, target.due, target.remaining, target.cycle) == (
                None,
                None,
                None,
                0,
            )
            continue
        assert target == cycles[-1]
        assert [c.cycle for c in cycles] == sorted({c.cycle for c in cycles})
        previous: tuple[datetime, ...] = ()
        for cycle in cycles:
            assert cycle.start is not None
            assert cycle.due is not None
            assert cycle.start <= now
            if cycle.state == "cancelled":
                # neither met nor breached; a breach before the cancellation stays in the
                # record (docs/clock.md)
                assert cycle.stopped_at is not None
                assert cycle.breached_at is None
                late = cycle.due < cycle.stopped_at
                assert cycle.breaches == ((*previous, cycle.due) if late else previous)
            elif cycle.stopped_at is not None:
                expected = "met" if cycle.stopped_at <= cycle.due else "breached"
                assert cycle.state == expected, (name, cycle.cycle)
            elif cycle.due < now:
                assert cycle.state == "breached", (name, cycle.cycle)
            else:
                assert cycle.state in ("running", "paused"), (name, cycle.cycle)
            if cycle.state == "breached":
                assert cycle.breached_at == cycle.due
                assert cycle.breaches == (*previous, cycle.due)
            else:
                assert cycle.breached_at is None
            if cycle.stopped_at is not None:
                assert cycle.start <= cycle.stopped_at <= now
            previous = cycle.breaches
    for due in status.escalations_due:
        # a threshold is due only if reached by now, before the cycle stopped (or was
        # cancelled)
        cycle = next(c for c in status.cycles[due.target] if c.cycle == due.cycle)
        assert due.at <= now
        assert cycle.stopped_at is None or due.at < cycle.stopped_at


@SLOW
@given(cases())
def test_each_cycle_elapsed_is_at_most_its_wall_time(case: tuple[dict[str, Any], History]) -> None:
    """``elapsed`` (working time used, pauses excluded) is at most the wall time from the
    cycle's start to its stop (or ``now``), never negative, and is the working time of the
    cycle minus ``paused_for``."""
    spec, history = case
    policy = load(spec)
    status = status_of(policy, history)
    show(spec, history, status)
    for name, cycles in status.cycles.items():
        for cycle in cycles:
            assert cycle.start is not None
            assert cycle.remaining is not None
            wall = end_of(cycle, history.now) - cycle.start
            assert ZERO <= cycle.elapsed <= wall, (name, cycle.cycle)
            assert ZERO <= cycle.paused_for <= wall, (name, cycle.cycle)
            calendar = policy.calendars[cycle.calendar]
            working = calendar.elapsed(cycle.start, end_of(cycle, history.now))
            assert cycle.elapsed == working - cycle.paused_for, (name, cycle.cycle)


# --------------------------------------------------------------------- events a metric ignores


def used_types(metric: Any) -> set[str]:
    """The event types that can change a metric's cycles."""
    used = {"updated"}  # targets follow the priority; `when`s read the fields
    for trigger in (*metric.start, *metric.stop, *metric.resume):
        used.add(trigger.event)
    used |= set(metric.cancel_events)
    for begin, end in metric.pause_pairs:
        used |= {begin, end}
    if metric.pause_statuses or metric.cancel_statuses:
        used.add("status")
    if used & LIFECYCLE or metric.open_only:
        used |= LIFECYCLE  # a resolution counts only after a reopening, ...
    return used


@SLOW
@given(cases(), st.data())
def test_events_a_metric_does_not_use_change_nothing_of_it(
    case: tuple[dict[str, Any], History], data: st.DataObject
) -> None:
    """Removing from the history the events of types a metric does not use (not among its
    triggers, cancels and pause pairs; no status when it neither pauses nor cancels on
    one; no lifecycle event when it uses none and is not ``open_only``) leaves its cycles
    and its escalations exactly as they were."""
    spec, history = case
    policy = load(spec)
    status = status_of(policy, history)
    show(spec, history, status)
    present = {e["type"] for e in history.events}
    for name in status.targets:
        unused = sorted(present - used_types(policy.rules.metrics[name]))
        if not unused:
            continue
        drop = data.draw(
            st.lists(st.sampled_from(unused), min_size=1, unique=True), label=f"drop for {name}"
        )
        fewer = status_of(policy, history, history.without(drop))
        assert cycles_dict(fewer, name) == cycles_dict(status, name), name
        assert escalations_of(fewer, name) == escalations_of(status, name), name


# ------------------------------------------------------------------------- now and the prefix


def _comparable(status: SlaStatus) -> dict[str, Any]:
    data = status.to_dict()
    data.pop("ignored_events")
    return data


@SLOW
@given(cases(), st.data())
def test_status_at_now_equals_status_of_the_events_up_to_now(
    case: tuple[dict[str, Any], History], data: st.DataObject
) -> None:
    """``status(now=t)`` over the whole history equals ``status`` over the events at or
    before ``t`` (same decision, targets, cycles, states, dues and escalations due); the
    events after ``t`` are listed as ignored."""
    spec, history = case
    policy = load(spec)
    instants = [history.start, *(e["at"] for e in history.events), history.now]
    low, high = history.start, max(instants)
    t = data.draw(
        st.one_of(
            st.sampled_from([i for i in instants if i >= low]),
            st.integers(0, int((high - low).total_seconds() // 60)).map(
                lambda m: low + timedelta(minutes=m)
            ),
        ),
        label="t",
    )
    whole = status_of(policy, history, now=t)
    prefix_events = [e for e in history.events if e["at"] <= t]
    prefix = status_of(policy, history, prefix_events, now=t)
    show(spec, history, whole)
    assert _comparable(whole) == _comparable(prefix)
    after = {i for i, e in enumerate(history.events) if e["at"] > t}
    assert set(whole.ignored_events) == set(prefix.ignored_events) | after


# ------------------------------------------------------------------- built-ins defined as data

EXPLICIT = {
    "continue": {
        "response": {"start": "created", "stop": ["responded", "resolved"]},
        "resolve": {"start": "created", "stop": "resolved", "resume": "reopened"},
        "update": {
            "start": ["created", "responded", "reopened"],
            "stop": ["responded", "resolved"],
            "cycle": "each",
            "open_only": True,
        },
    },
    "restart": {
        "response": {"start": "created", "stop": ["responded", "resolved"]},
        "resolve": {"start": ["created", "reopened"], "stop": "resolved", "cycle": "each"},
        "update": {
            "start": ["created", "responded", "reopened"],
            "stop": ["responded", "resolved"],
            "cycle": "each",
            "open_only": True,
        },
    },
}


@SLOW
@given(cases(min_metrics=0, max_metrics=1), st.booleans())
def test_built_in_metrics_written_as_data_give_the_same_status(
    case: tuple[dict[str, Any], History], pauses_written: bool
) -> None:
    """A policy that writes response, resolve and update under ``metrics:`` exactly as
    the metrics language defines them (for its ``on_reopen``; with ``pause`` left to the
    default or written as ``clock.pause_statuses``) gives the status the same policy
    without them gives: the same decision, targets, cycles and escalations."""
    spec, history = case
    explicit = json.loads(json.dumps(EXPLICIT[spec["clock"]["on_reopen"]]))
    if pauses_written:
        for metric in explicit.values():
            metric["pause"] = list(spec["clock"]["pause_statuses"])
    written = {**spec, "metrics": {**explicit, **spec["metrics"]}}
    implicit_status = status_of(load(spec), history)
    written_status = status_of(load(written), history)
    show(spec, history, implicit_status)
    a, b = implicit_status.to_dict(), written_status.to_dict()
    a["decision"].pop("policy_version")
    b["decision"].pop("policy_version")
    assert a == b
