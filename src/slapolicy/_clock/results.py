"""What the SLA clock reports: :class:`SlaStatus`, :class:`TargetStatus`, :class:`EscalationDue`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .._engine import Decision

__all__ = ["STATES", "EscalationDue", "SlaStatus", "TargetStatus"]

#: the states of a metric's cycle
STATES = ("pending", "running", "paused", "met", "breached", "cancelled")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True)
class SlaStatus:
    """The SLA clock of one ticket at ``now``.

    ``targets`` holds, for every metric the current decision gives a target, its current
    cycle; ``cycles`` all of its cycles, oldest first (built when first read).
    """

    now: datetime
    decision: Decision
    targets: Mapping[str, TargetStatus]
    escalations_due: tuple[EscalationDue, ...]
    paused: bool
    resolved: bool
    ignored_events: tuple[int, ...] = ()
    _cycles: Callable[[], Mapping[str, tuple[TargetStatus, ...]]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def cycles(self) -> Mapping[str, tuple[TargetStatus, ...]]:
        """Every cycle of every metric in ``targets``, oldest first."""
        cached = self.__dict__.get("_cycles_cache")
        if cached is None:
            if self._cycles is not None:
                cached = self._cycles()
            else:
                cached = {name: (status,) for name, status in self.targets.items()}
            object.__setattr__(self, "_cycles_cache", cached)
        return cached

    def __reduce__(self) -> tuple[Any, ...]:
        values = (
            self.now,
            self.decision,
            dict(self.targets),
            self.escalations_due,
            self.paused,
            self.resolved,
            self.ignored_events,
        )
        return (_rebuild_status, (values, dict(self.cycles)))

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
