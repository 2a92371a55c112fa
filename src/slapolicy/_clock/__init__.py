"""The SLA clock: a ticket's history replayed over the engine's evaluations, and the
periodic review of many histories (:mod:`.review`)."""

from .histories import ReportRow
from .replay import Clock
from .results import STATES, EscalationDue, SlaStatus, TargetStatus
from .review import Report

#: the built-in event types a history may hold (``created`` is the clock start itself)
EVENT_TYPES = (
    "responded",
    "customer_replied",
    "status",
    "updated",
    "resolved",
    "reopened",
    "closed",
)

__all__ = [
    "EVENT_TYPES",
    "STATES",
    "Clock",
    "EscalationDue",
    "Report",
    "ReportRow",
    "SlaStatus",
    "TargetStatus",
]
