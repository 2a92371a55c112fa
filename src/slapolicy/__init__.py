"""slapolicy: SLA and priority policy for helpdesks.

Load a YAML policy, evaluate tickets into decisions with exact business-time deadlines, and
follow the SLA clock over a ticket's history. See README.md and docs/.

Everything public is importable from here; the modules with a leading underscore are the
implementation (docs/architecture.md says which does what). ``slapolicy.testing`` holds
hypothesis strategies for users' own property tests.
"""

from __future__ import annotations

from ._calendar import Calendar, DataSource, HolidayDataWarning
from ._clock import EscalationDue, Report, ReportRow, SlaStatus, TargetStatus
from ._durations import Duration, parse_duration
from ._engine import Decision, Escalation, Target, TraceStep
from ._errors import CalendarError, PolicyError, Problem, SlaPolicyError, TicketError
from ._policy import Policy, load_policy
from ._version import __version__ as __version__

__all__ = [
    "Calendar",
    "CalendarError",
    "DataSource",
    "Decision",
    "Duration",
    "Escalation",
    "EscalationDue",
    "HolidayDataWarning",
    "Policy",
    "PolicyError",
    "Problem",
    "Report",
    "ReportRow",
    "SlaPolicyError",
    "SlaStatus",
    "Target",
    "TargetStatus",
    "TicketError",
    "TraceStep",
    "load_policy",
    "parse_duration",
]
