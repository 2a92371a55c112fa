"""slapolicy: SLA and priority policy for helpdesks.

Load a YAML policy, evaluate tickets into decisions with exact business-time deadlines, and
follow the SLA clock over a ticket's history. See README.md and docs/.
"""

from __future__ import annotations

from .calendar import Calendar, HolidayDataWarning
from .clock import EscalationDue, SlaStatus, TargetStatus
from .durations import Duration, parse_duration
from .engine import Decision, Escalation, Policy, Target, TraceStep
from .errors import CalendarError, PolicyError, Problem, SlaPolicyError, TicketError
from .loading import load_policy

__all__ = [
    "Calendar",
    "CalendarError",
    "Decision",
    "Duration",
    "Escalation",
    "EscalationDue",
    "HolidayDataWarning",
    "Policy",
    "PolicyError",
    "Problem",
    "SlaPolicyError",
    "SlaStatus",
    "Target",
    "TargetStatus",
    "TicketError",
    "TraceStep",
    "load_policy",
    "parse_duration",
]

__version__ = "0.1.0"
