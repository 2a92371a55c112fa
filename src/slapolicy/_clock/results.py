"""What the SLA clock reports: :class:`SlaStatus`, :class:`TargetStatus`, :class:`EscalationDue`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import FrozenInstanceError, dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from .._calendar import Calendar
from .._engine import Decision

__all__ = [
    "STATES",
    "CycleOutcome",
    "EscalationDue",
    "Outcome",
    "SlaStatus",
    "TargetStatus",
    "new_target_status",
]

#: the states of a metric's cycle
STATES = ("pending", "running", "paused", "met", "breached", "cancelled")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


@dataclass(frozen=True)
class TargetStatus:
    """Where one cycle of a metric stands at ``now`` against its target.

    ``state`` is one of :data:`STATES`: ``pending`` when the metric's start has not happened
    (then ``start``, ``due`` and ``remaining`` are None and ``cycle`` is 0), ``running`` or
    ``paused`` while it runs, ``met``, ``breached`` or ``cancelled`` once it ended.
    ``elapsed`` is working time used (pauses excluded), ``remaining`` what is left of the
    target (negative when overdue), ``paused_for`` the working time spent paused; all three
    count from the start of the cycle. ``breaches`` lists the breach instant of every cycle
    of the metric up to this one.
    """

    name: str
    state: str
    within: str
    calendar: str
    start: datetime | None
    due: datetime | None
    elapsed: timedelta
    remaining: timedelta | None
    paused_for: timedelta
    breached_at: datetime | None
    stopped_at: datetime | None
    percent_used: float | None
    cycle: int
    breaches: tuple[datetime, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (ISO-8601 datetimes, durations in seconds)."""
        return {
            "name": self.name,
            "state": self.state,
            "within": self.within,
            "calendar": self.calendar,
            "start": _iso(self.start),
            "due": _iso(self.due),
            "elapsed_seconds": self.elapsed.total_seconds(),
            "remaining_seconds": _seconds(self.remaining),
            "paused_seconds": self.paused_for.total_seconds(),
            "breached_at": _iso(self.breached_at),
            "stopped_at": _iso(self.stopped_at),
            "percent_used": self.percent_used,
            "cycle": self.cycle,
            "breaches": [b.isoformat() for b in self.breaches],
        }


@dataclass(frozen=True, slots=True)
class EscalationDue:
    """An escalation threshold passed by ``now``. ``key`` identifies it across calls."""

    at: datetime
    notify: tuple[str, ...]
    target: str
    reason: str
    rule: str
    cycle: int

    @property
    def key(self) -> tuple[str, str, int]:
        """``(rule, target, cycle)``: notify once per key."""
        return (self.rule, self.target, self.cycle)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "at": self.at.isoformat(),
            "notify": list(self.notify),
            "target": self.target,
            "reason": self.reason,
            "rule": self.rule,
            "cycle": self.cycle,
        }


class SlaStatus:
    """The SLA clock of one ticket at ``now``. Frozen; ``to_dict()`` is JSON-ready.

    ``targets`` holds, for every metric the current decision gives a target, its current
    cycle; ``cycles`` all of its cycles, oldest first. ``decision`` is the decision at
    ``now``. ``decision`` and ``cycles`` are built when first read (a scheduler that asks
    only for states and escalations due does not pay for them).
    """

    __slots__ = (
        "_cycles",
        "_cycles_cache",
        "_decision",
        "_decision_cache",
        "escalations_due",
        "ignored_events",
        "now",
        "paused",
        "resolved",
        "targets",
    )

    now: datetime
    targets: Mapping[str, TargetStatus]
    escalations_due: tuple[EscalationDue, ...]
    paused: bool
    resolved: bool
    ignored_events: tuple[int, ...]
    _decision: Decision | Callable[[], Decision]
    _decision_cache: Decision | None
    _cycles: Callable[[], Mapping[str, tuple[TargetStatus, ...]]] | None
    _cycles_cache: Mapping[str, tuple[TargetStatus, ...]] | None

    def __init__(
        self,
        now: datetime,
        decision: Decision | Callable[[], Decision],
        targets: Mapping[str, TargetStatus],
        escalations_due: tuple[EscalationDue, ...],
        paused: bool,
        resolved: bool,
        ignored_events: tuple[int, ...] = (),
        cycles: Callable[[], Mapping[str, tuple[TargetStatus, ...]]] | None = None,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "now", now)
        set_(self, "targets", targets)
        set_(self, "escalations_due", escalations_due)
        set_(self, "paused", paused)
        set_(self, "resolved", resolved)
        set_(self, "ignored_events", ignored_events)
        set_(self, "_decision", decision)
        set_(self, "_decision_cache", None)
        set_(self, "_cycles", cycles)
        set_(self, "_cycles_cache", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    @property
    def decision(self) -> Decision:
        """The decision at ``now`` (after any re-derivation)."""
        cached = self._decision_cache
        if cached is None:
            made = self._decision
            cached = made if isinstance(made, Decision) else made()
            object.__setattr__(self, "_decision_cache", cached)
        return cached

    @property
    def cycles(self) -> Mapping[str, tuple[TargetStatus, ...]]:
        """Every cycle of every metric in ``targets``, oldest first."""
        cached = self._cycles_cache
        if cached is None:
            if self._cycles is not None:
                cached = self._cycles()
            else:
                cached = {name: (status,) for name, status in self.targets.items()}
            object.__setattr__(self, "_cycles_cache", cached)
        return cached

    def _key(self) -> tuple[Any, ...]:
        return (
            self.now,
            self.decision,
            dict(self.targets),
            self.escalations_due,
            self.paused,
            self.resolved,
            self.ignored_events,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SlaStatus):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"SlaStatus(now={self.now!r}, targets={dict(self.targets)!r}, "
            f"escalations_due={self.escalations_due!r}, paused={self.paused!r}, "
            f"resolved={self.resolved!r}, ignored_events={self.ignored_events!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_status, (self._key(), dict(self.cycles)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "now": self.now.isoformat(),
            "decision": self.decision.to_dict(trace=False),
            "targets": {name: t.to_dict() for name, t in self.targets.items()},
            "cycles": {name: [c.to_dict() for c in cycles] for name, cycles in self.cycles.items()},
            "escalations_due": [e.to_dict() for e in self.escalations_due],
            "paused": self.paused,
            "resolved": self.resolved,
            "ignored_events": list(self.ignored_events),
        }


def _rebuild_status(
    values: tuple[Any, ...], cycles: dict[str, tuple[TargetStatus, ...]]
) -> SlaStatus:
    now, decision, targets, escalations_due, paused, resolved, ignored = values
    return SlaStatus(
        now, decision, targets, escalations_due, paused, resolved, ignored, lambda: cycles
    )


def new_target_status(**values: Any) -> TargetStatus:
    """Build a :class:`TargetStatus` without the frozen dataclass ``__init__``.

    Speed trick: the generated ``__init__`` sets each of the 14 fields through
    ``object.__setattr__`` (1.45 us a status); filling ``__dict__`` at once costs a third.
    The SLA clock builds one per metric of every status.
    """
    status = object.__new__(TargetStatus)
    status.__dict__.update(values)
    return status


class CycleOutcome(NamedTuple):
    """One cycle as the review counts it: the numbers of its :class:`TargetStatus`, in
    microseconds (a pending metric: ``cycle`` 0 and no instants)."""

    cycle: int
    state: str
    #: ``TargetStatus.elapsed``, in microseconds
    used_us: int
    percent_used: float | None
    start_us: int | None
    due_us: int | None
    stop_us: int | None
    #: the target's calendar, which makes the instants datetimes (as the status does)
    calendar: Calendar | None


class Outcome(NamedTuple):
    """What the review reads of one history at ``now`` (``Clock.outcome``): the decision's
    ids and, per metric the decision targets, ``SlaStatus.cycles`` as numbers (a pending
    metric: one pending entry). The same replay as :class:`SlaStatus`, without the
    datetimes, durations and escalations the review does not count."""

    category: str
    priority: str
    sla: str
    owner: str
    #: ``Decision.started_at``
    started_at: datetime
    metrics: dict[str, tuple[CycleOutcome, ...]]
