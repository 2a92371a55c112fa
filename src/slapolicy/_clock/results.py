"""What the SLA clock reports: :class:`SlaStatus`, :class:`TargetStatus`, :class:`EscalationDue`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .._engine import Decision

__all__ = ["EscalationDue", "SlaStatus", "TargetStatus"]


@dataclass(frozen=True, slots=True)
class TargetStatus:
    """Where one target stands at ``now`` (its current cycle).

    ``elapsed`` is working time used (pauses excluded), ``remaining`` is what is left of
    ``within`` (negative when overdue), ``paused_for`` the working time spent paused; all
    three count from the start of the current cycle.
    """

    name: str
    state: str  # running | paused | met | breached
    within: str
    calendar: str
    start: datetime
    due: datetime
    elapsed: timedelta
    remaining: timedelta
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
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "elapsed_seconds": self.elapsed.total_seconds(),
            "remaining_seconds": self.remaining.total_seconds(),
            "paused_seconds": self.paused_for.total_seconds(),
            "breached_at": None if self.breached_at is None else self.breached_at.isoformat(),
            "stopped_at": None if self.stopped_at is None else self.stopped_at.isoformat(),
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


@dataclass(frozen=True, slots=True)
class SlaStatus:
    """The SLA clock of one ticket at ``now``."""

    now: datetime
    decision: Decision
    targets: Mapping[str, TargetStatus]
    escalations_due: tuple[EscalationDue, ...]
    paused: bool
    resolved: bool
    ignored_events: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "now": self.now.isoformat(),
            "decision": self.decision.to_dict(trace=False),
            "targets": {name: t.to_dict() for name, t in self.targets.items()},
            "escalations_due": [e.to_dict() for e in self.escalations_due],
            "paused": self.paused,
            "resolved": self.resolved,
            "ignored_events": list(self.ignored_events),
        }
