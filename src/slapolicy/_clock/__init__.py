"""The SLA clock: a ticket's history replayed over the engine's evaluations."""

from .events import EVENT_TYPES
from .replay import compute_status
from .results import EscalationDue, SlaStatus, TargetStatus

__all__ = ["EVENT_TYPES", "EscalationDue", "SlaStatus", "TargetStatus", "compute_status"]
