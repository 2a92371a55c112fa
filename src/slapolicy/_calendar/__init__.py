"""Business calendars: specs, working windows and exact working-time arithmetic."""

from .calendar import Calendar, HolidayDataWarning
from .instants import InstantReader

__all__ = ["Calendar", "HolidayDataWarning", "InstantReader"]
