"""Business calendars: specs, working windows and exact working-time arithmetic."""

from .calendar import Calendar, HolidayDataWarning
from .instants import InstantReader, from_us, instant_us

__all__ = ["Calendar", "HolidayDataWarning", "InstantReader", "from_us", "instant_us"]
