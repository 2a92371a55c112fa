"""Instants in and out: datetimes and ISO-8601 text <-> integer microseconds since the epoch.

Everything time-related inside slapolicy is counted in integer microseconds (exact, cheap
to compare); datetimes are built only for results. A naive value is read in a given zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Final

import pendulum

from .._errors import CalendarError
from .span import local_us
from .spec import MAX_DATE, MIN_DATE

__all__ = ["InstantReader", "parse_instant"]

_US: Final = 1_000_000
_ONE_US: Final = timedelta(microseconds=1)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MAX_TEXT: Final = 80
_DATE_ONLY: Final = re.compile(r"\s*\d{4}-?\d{2}-?\d{2}\s*", re.ASCII)
_datetime_sub: Final = datetime.__sub__  # the stdlib one, also for pendulum instances


class InstantReader:
    """Reads instants in one zone, refusing those outside its local dates 1901..2199.

    A naive value is read in the zone. Every :class:`Calendar` is one (in the calendar's
    zone), and a policy has one in the policy's zone for a ticket's start, ``at``, ``now``
    and event instants.
    """

    __slots__ = ("max_us", "min_us", "timezone")

    def __init__(self, tz: tzinfo) -> None:
        self.timezone = tz
        #: instants of local dates 1901-01-01..2199-12-31 in this zone
        self.min_us = local_us(tz, MIN_DATE.toordinal(), 0, latest=False)
        self.max_us = local_us(tz, MAX_DATE.toordinal() + 1, 0, latest=False)

    def to_us(self, value: datetime | str) -> int:
        """An instant as integer microseconds since the epoch; naive values are local.

        Raises :class:`CalendarError` for text that is not a date and time, a date alone, a
        value Python cannot place on the time line (a ``+24:00`` offset, year 9999 + offset)
        or an instant outside the supported range.
        """
        if isinstance(value, str):
            value = parse_instant(value)
        if isinstance(value, datetime):
            try:
                try:
                    us = _datetime_sub(value, _EPOCH) // _ONE_US
                except TypeError:  # naive: read it in the zone
                    value = value.replace(tzinfo=self.timezone)
                    us = _datetime_sub(value, _EPOCH) // _ONE_US
            except (ValueError, OverflowError) as exc:
                raise CalendarError(f"invalid date and time: {exc}") from None
        elif isinstance(value, date):
            raise CalendarError(f"expected a date and time, got only a date {value.isoformat()!r}")
        else:
            raise CalendarError(
                f"expected a datetime or an ISO-8601 string, got {type(value).__name__}"
            )
        if not self.min_us <= us < self.max_us:
            raise CalendarError(
                f"instant {value!s} is beyond the supported range (1901-01-01 to 2199-12-31)"
            )
        return us

    def from_us(self, us: int) -> datetime:
        """An aware datetime in the reader's zone for integer microseconds since the epoch."""
        seconds, micro = divmod(us, _US)
        dt = datetime.fromtimestamp(seconds, self.timezone)
        return dt.replace(microsecond=micro) if micro else dt


def parse_instant(text: str) -> datetime:
    """Read ISO-8601 text with a date and a time (an offset is optional)."""
    if "T" in text and len(text) <= _MAX_TEXT:  # the common form: never a date alone
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # other forms below
    shown = text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "..."
    if len(text) > _MAX_TEXT:
        raise CalendarError(f"invalid date and time {shown!r}: too long")
    if _DATE_ONLY.fullmatch(text):
        raise CalendarError(f"expected a date and time, got only a date {shown!r}")
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        parsed = pendulum.parse(text.strip(), exact=True, tz=None)
    except Exception:  # pendulum raises several error types for garbage; all mean "invalid"
        parsed = None
    if isinstance(parsed, datetime):
        return parsed
    if parsed is not None:
        raise CalendarError(f"expected a date and time, got {shown!r}")
    raise CalendarError(
        f"invalid date and time {shown!r}; use ISO 8601 like '2026-05-08T17:30:00+08:00'"
    )
