"""The SLA clock: a ticket's history replayed over the engine's evaluations."""

from .replay import Clock
from .results import STATES, EscalationDue, SlaStatus, TargetStatus

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

__all__ = ["EVENT_TYPES", "STATES", "Clock", "EscalationDue", "SlaStatus", "TargetStatus"]
