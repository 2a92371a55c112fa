"""Instants in and out: datetimes and ISO-8601 text <-> integer microseconds since the epoch.

Everything time-related inside slapolicy is counted in integer microseconds (exact, cheap
to compare); datetimes are built only for results. A naive value is read in a given zone.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

import pendulum

from .._errors import CalendarError
from .span import local_us
from .spec import MAX_DATE, MIN_DATE

__all__ = ["InstantReader", "parse_instant"]

_US: Final = 1_000_000
_ONE_US: Final = timedelta(microseconds=1)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_NAIVE: Final = datetime(1970, 1, 1)
_MAX_TEXT: Final = 80
_DATE_ONLY: Final = re.compile(r"\s*\d{4}-?\d{2}-?\d{2}\s*", re.ASCII)
_datetime_sub: Final = datetime.__sub__  # the stdlib one, also for pendulum instances
#: datetime.fromisoformat reads a final ``Z`` (Python 3.11 and later)
_READS_Z: Final = sys.version_info >= (3, 11)


class InstantReader:
    """Reads instants in one zone, refusing those outside its local dates 1901..2199.

    A naive value is read in the zone. Every :class:`Calendar` is one (in the calendar's
    zone), and a policy has one in the policy's zone for a ticket's start, ``at``, ``now``
    and event instants.
    """

    __slots__ = ("_plain_zone", "max_us", "min_us", "timezone")

    def __init__(self, tz: tzinfo) -> None:
        self.timezone = tz
        #: the zone's utcoffset(naive) reads a naive value as replace(tzinfo=zone) does (the
        #: stdlib's fixed offsets and ZoneInfo; other tzinfo classes may not)
        self._plain_zone = type(tz) in (ZoneInfo, timezone)
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
                if value.tzinfo is None and self._plain_zone:
                    # Speed trick: a naive value read in the zone without building the aware
                    # datetime (0.34 against 1.41 us, and the TypeError path cost 2.0 us);
                    # the zone's utcoffset reads the same wall time and fold.
                    offset = self.timezone.utcoffset(value)
                    assert offset is not None  # never for these zones
                    us = (_datetime_sub(value, _EPOCH_NAIVE) - offset) // _ONE_US
                else:
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
            if value.tzinfo is None:  # as read in the zone
                value = value.replace(tzinfo=self.timezone)
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
        # Speed trick (Python 3.10): "...Z" as "...+00:00" on the first try, not after a
        # ValueError; the same reading as the `replace` below, which it would come to.
        fast = text if _READS_Z or text[-1] != "Z" else text[:-1] + "+00:00"
        try:
            return datetime.fromisoformat(fast)
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
