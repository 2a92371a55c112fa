"""Durations of working time (``parse_duration``, :class:`Duration`) and wall-clock
deadlines (:class:`Until`).

A duration keeps whole working *days* apart from the clock part (hours, minutes and
seconds) because they mean different things: ``2h`` is two hours of working time, while
``1d`` is "the same wall-clock time on the next working day" (see docs/deadlines.md). An
:class:`Until` is a target written as a time of day: ``{by: "18:00", days: 1}``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import timedelta

from ._errors import CalendarError

__all__ = ["Duration", "Until", "format_timedelta", "parse_clock_time", "parse_duration"]

_MAX_TEXT = 64
_ONE_US = timedelta(microseconds=1)
_MAX_DAYS = 36_600  # about a century of working days; beyond this nothing is meaningful
# ASCII digits only: Python's \d also matches full-width (１５) and Arabic-Indic (١٥) digits,
# which int() would quietly read as numbers
_PART = re.compile(r"([0-9]{1,9})\s*([dhms])")
_SHAPE = re.compile(r"\s*(?:[0-9]{1,9}\s*[dhms]\s*)+")
_ORDER = "dhms"
_UNIT = {"h": 3600, "m": 60, "s": 1}


@dataclass(frozen=True, slots=True, order=True)
class Duration:
    """Working days plus a clock part; ``Duration(1, timedelta(hours=4))`` is ``1d4h``."""

    days: int = 0
    time: timedelta = timedelta(0)
    #: ``time`` in whole microseconds (precomputed: deadline arithmetic uses integers)
    time_us: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.days, int) or not isinstance(self.time, timedelta):
            raise TypeError("Duration(days: int, time: timedelta)")
        if self.days < 0 or self.time < timedelta(0):
            raise CalendarError(f"duration must not be negative: {self.days}d {self.time}")
        object.__setattr__(self, "time_us", self.time // _ONE_US)

    @classmethod
    def of(cls, value: Duration | timedelta | str) -> Duration:
        """Coerce a ``Duration``, a ``timedelta`` of working time or a duration string."""
        if isinstance(value, Duration):
            return value
        if isinstance(value, timedelta):
            return _of_timedelta(value)
        if isinstance(value, str):
            return _parse_cached(value)
        raise TypeError(f"expected a duration string or timedelta, got {type(value).__name__}")

    @property
    def is_zero(self) -> bool:
        """True for ``0m`` (and ``0d``)."""
        return self.days == 0 and not self.time

    def __str__(self) -> str:
        total = int(self.time.total_seconds())
        rest_us = self.time.microseconds
        hours, rem = divmod(total, 3600)
        minutes, seconds = divmod(rem, 60)
        text = "".join(
            f"{n}{u}"
            for n, u in ((self.days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s"))
            if n
        )
        if rest_us:
            text += f"{rest_us}us"
        return text or "0m"


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Duration:
    return parse_duration(text)


@functools.lru_cache(maxsize=4096)
def _of_timedelta(value: timedelta) -> Duration:
    """Speed trick: building a frozen Duration costs about 0.9 us and a cache hit 0.05 us
    (timeit, 3.11); callers such as ``Calendar.add(start, timedelta(hours=8))`` pass the same
    few spans again and again, so ``add`` with a ``timedelta`` is about a third faster."""
    return Duration(0, value)


def parse_duration(text: str) -> Duration:
    """Parse ``30s``, ``15m``, ``2h``, ``1h30m``, ``3d`` or ``1d4h`` into a :class:`Duration`.

    Units are ``d`` (working days), ``h``, ``m`` and ``s``, each at most once and in that
    order. Raises :class:`CalendarError` for anything else.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_duration expects a string, got {type(text).__name__}")
    shown = text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "..."
    if len(text) <= _MAX_TEXT:
        _refuse_other_digits(text, shown, "duration")
    if len(text) > _MAX_TEXT or not _SHAPE.fullmatch(text):
        raise CalendarError(
            f"invalid duration {shown!r}; write it like '30s', '15m', '2h', '1h30m', '3d' or '1d4h'"
        )
    parts = _PART.findall(text)
    units = [u for _, u in parts]
    if sorted(units, key=_ORDER.index) != units or len(set(units)) != len(units):
        raise CalendarError(
            f"invalid duration {shown!r}; give each unit once, in the order d, h, m, s"
        )
    values = {u: int(n) for n, u in parts}
    days = values.pop("d", 0)
    if days > _MAX_DAYS:
        raise CalendarError(f"duration {shown!r} is too long; at most {_MAX_DAYS} days")
    seconds = sum(n * _UNIT[u] for u, n in values.items())
    if seconds > _MAX_DAYS * 86_400:
        raise CalendarError(f"duration {shown!r} is too long")
    return Duration(days, timedelta(seconds=seconds))


def _refuse_other_digits(text: str, shown: str, what: str) -> None:
    """A clear error for digits that are not ASCII (``１５m``, ``١٥m``, ``１８:００``)."""
    other = next((c for c in text if c.isdigit() and not "0" <= c <= "9"), None)
    if other is not None:
        raise CalendarError(
            f"invalid {what} {shown!r}: {other!r} is not an ASCII digit; write the number "
            "with the digits 0-9"
        )


def format_timedelta(delta: timedelta) -> str:
    """A span of (working) time as text, the way durations are written: ``1h30m``.

    Negative spans get a sign (``-1h30m`` where Python prints ``-1 day, 22:30:00``), hours
    are never folded into days (``25h``: a ``d`` means a *working* day), zero is ``0m``, and
    the text is rounded to the second (JSON output carries the exact seconds).
    """
    us = delta // _ONE_US
    seconds = (abs(us) + 500_000) // 1_000_000
    text = str(Duration(0, timedelta(seconds=seconds)))
    return f"-{text}" if us < 0 and seconds else text


_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"\s*([0-9]{1,2}):([0-9]{2})\s*")


@dataclass(frozen=True, slots=True)
class Until:
    """A deadline at a wall-clock time: ``second`` after local midnight of a working day.

    With ``weekday`` None: on the ``days``-th working day after the start's working date
    (``days == 0``: that same day if the start is before the time, else the next working
    day). With ``weekday`` (0 = Monday): on the next working day that is that weekday (the
    start's own working date if the start is before the time). If the time is not inside a
    working window, the deadline is the end of the last window before it.
    """

    second: int
    days: int = 0
    weekday: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.second <= 86_400 or self.days < 0:
            raise CalendarError(f"invalid wall-clock deadline {self.second}s, {self.days}d")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise CalendarError(f"invalid weekday {self.weekday}")

    def __str__(self) -> str:
        hours, rest = divmod(self.second, 3600)
        clock = f"by {hours:02d}:{rest // 60:02d}"
        if self.weekday is not None:
            return f"{clock} {_WEEKDAY_NAMES[self.weekday]}"
        return f"{clock} +{self.days}d" if self.days else clock


def parse_clock_time(text: str) -> int:
    """``"18:00"`` -> seconds after midnight (``"24:00"`` is the end of the day)."""
    if not isinstance(text, str):
        raise TypeError(f"parse_clock_time expects a string, got {type(text).__name__}")
    if len(text) <= 16:
        _refuse_other_digits(text, text, "time of day")
    found = _CLOCK.fullmatch(text) if len(text) <= 16 else None
    if found is None:
        raise CalendarError(f"invalid time of day {text[:16]!r}; write it like '18:00'")
    hours, minutes = int(found.group(1)), int(found.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise CalendarError(f"invalid time of day {text!r}; hours 00-24, minutes 00-59")
    return hours * 3600 + minutes * 60
