"""slapolicy: SLA and priority policy for helpdesks.

Load a YAML policy, evaluate tickets into decisions with exact business-time deadlines, and
follow the SLA clock over a ticket's history. See README.md and docs/.
"""

from __future__ import annotations

from .calendar import Calendar, HolidayDataWarning
from .durations import Duration, parse_duration
from .errors import CalendarError, PolicyError, Problem, SlaPolicyError, TicketError

__all__ = [
    "Calendar",
    "CalendarError",
    "Duration",
    "HolidayDataWarning",
    "PolicyError",
    "Problem",
    "SlaPolicyError",
    "TicketError",
    "parse_duration",
]

__version__ = "0.1.0"
