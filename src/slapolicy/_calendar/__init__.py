"""Business calendars: specs, working windows and exact working-time arithmetic."""

from .calendar import Calendar, HolidayDataWarning
from .instants import InstantReader
from .provenance import DataSource, zone_source

__all__ = ["Calendar", "DataSource", "HolidayDataWarning", "InstantReader", "zone_source"]
