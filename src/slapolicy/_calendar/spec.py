"""Calendar specs: the mapping a policy has under ``calendars:``, checked and parsed.

:func:`parse_spec` turns the mapping into :class:`CalendarParts` (weekly windows in seconds
after local midnight, closed dates, dated overrides, country data) or raises
:class:`CalendarError` listing every problem, each at its path inside the mapping. Nothing
here counts working time: that is :mod:`slapolicy._calendar.calendar`.
"""

from __future__ import annotations

import difflib
import itertools
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from typing import Any, Final

from .._errors import CalendarError, Problem, format_path, parse_path
from .holidays import CountryHolidays

__all__ = [
    "DAY_S",
    "MAX_DATE",
    "MIN_DATE",
    "CalendarParts",
    "Window",
    "parse_spec",
    "parse_weekday",
]

DAY_S: Final = 86_400
#: the local dates every calendar can answer for
MIN_DATE: Final = date(1901, 1, 1)
MAX_DATE: Final = date(2199, 12, 31)
_MIN_DATE, _MAX_DATE, _DAY_S = MIN_DATE, MAX_DATE, DAY_S
_MAX_TEXT: Final = 80

_DAY_NAMES: Final = {
    **{n: i for i, n in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{
        n: i
        for i, n in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    **{f"周{c}": i for i, c in enumerate("一二三四五六日")},
    **{f"星期{c}": i for i, c in enumerate("一二三四五六日")},
    "周天": 6,
    "星期天": 6,
}
_WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
# re.ASCII: \d is 0-9 only (not full-width ０９ or other scripts' digits)
_WINDOW_RE: Final = re.compile(rf"\s*{_TIME}\s*-\s*{_TIME}\s*", re.ASCII)
_DATE_RE: Final = re.compile(
    r"\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.\s*(\d{4}-\d{2}-\d{2})\s*)?", re.ASCII
)
_SPEC_KEYS: Final = ("timezone", "hours", "holidays", "workdays", "workday_hours")
_HOLIDAY_KEYS: Final = ("country", "subdivision", "language", "dates")

Path = tuple[str | int, ...]
Window = tuple[int, int]  # seconds from the owning date's local midnight; end may pass 86400


@dataclass(frozen=True, slots=True)
class CalendarParts:
    """A checked calendar spec: what the working windows of any date are made of."""

    timezone: tzinfo
    #: windows of each weekday, Monday first
    weekly: tuple[tuple[Window, ...], ...]
    #: windows of a make-up working day that gives no hours of its own
    workday_hours: tuple[Window, ...]
    #: closed dates and why (a holiday name, or "holiday")
    closed: Mapping[date, str]
    #: dates whose hours differ from the week's
    extra: Mapping[date, tuple[Window, ...]]
    country: CountryHolidays | None


class _Problems:
    """The problems of one spec, each at its path inside the mapping."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, path: Path, message: str, *, key: bool = False) -> None:
        """Record a problem (``key``: about the last key of ``path`` itself)."""
        self.found.append(Problem(message, format_path(path), key=key))

    def absorb(self, prefix: Path, found: Iterable[Problem]) -> None:
        """Record problems found below ``prefix`` (their paths are relative to it)."""
        for p in found:
            self.add((*prefix, *parse_path(p.path)), p.message, key=p.key)


def parse_spec(
    spec: Mapping[str, Any], *, name: str | None = None, default_timezone: str | None = None
) -> CalendarParts:
    """Check and parse a calendar mapping; :class:`CalendarError` lists every problem."""
    if not isinstance(spec, Mapping):
        raise CalendarError(f"calendar{_named(name)} must be a mapping, got {spec!r}")
    problems = _Problems()
    _unknown_keys(spec, _SPEC_KEYS, (), problems)

    tz: tzinfo = timezone.utc
    tz_name = spec.get("timezone", default_timezone)
    if tz_name is None:
        problems.add(("timezone",), "a calendar needs a `timezone`, e.g. Asia/Shanghai")
    else:
        try:
            tz = _resolve_timezone(tz_name)
        except ValueError as exc:
            problems.add(("timezone",), str(exc))

    weekly: list[list[Window]] = [[] for _ in range(7)]
    hours = spec.get("hours")
    if hours == "always":
        weekly = [[(0, _DAY_S)] for _ in range(7)]
    elif isinstance(hours, Mapping):
        seen: dict[int, str] = {}
        for key, value in hours.items():
            path: Path = ("hours", str(key))
            try:
                days = _parse_day_key(key)
            except ValueError as exc:
                problems.add(path, str(exc), key=True)
                continue
            windows = _parse_windows(value, path, problems)
            for day in days:
                if day in seen:
                    problems.add(
                        path,
                        f"duplicate day {key!r}: {_WEEKDAYS[day]} is already given by "
                        f"{seen[day]!r}",
                        key=True,
                    )
                seen[day] = str(key)
                weekly[day] = windows
        for day in range(7):
            spill = [(0, e - _DAY_S) for s, e in weekly[day - 1] if e > _DAY_S]
            problem = _check_no_overlap(weekly[day], spill) if spill else None
            if problem:
                where: Path = ("hours", seen[day]) if day in seen else ("hours",)
                problems.add(where, f"on {_WEEKDAYS[day]}: {problem} (night shift)")
    elif hours is not None:
        problems.add(
            ("hours",), "`hours` must be a mapping like {mon-fri: ['09:00-18:00']} or 'always'"
        )

    if "workday_hours" in spec:
        workday_hours = _parse_windows(spec["workday_hours"], ("workday_hours",), problems)
    else:
        workday_hours = weekly[0]

    closed: dict[date, str] = {}
    country: CountryHolidays | None = None
    holidays_spec = spec.get("holidays")
    if holidays_spec is not None:
        if not isinstance(holidays_spec, Mapping):
            problems.add(
                ("holidays",), "`holidays` must be a mapping with `country` and/or `dates`"
            )
        else:
            _unknown_keys(holidays_spec, _HOLIDAY_KEYS, ("holidays",), problems)
            if holidays_spec.get("country") is not None:
                try:
                    country = CountryHolidays(
                        holidays_spec["country"],
                        holidays_spec.get("subdivision"),
                        holidays_spec.get("language"),
                    )
                except CalendarError as exc:  # its problems name country or subdivision
                    problems.absorb(("holidays",), exc.problems)
            for i, entry in _iter_list(holidays_spec.get("dates"), ("holidays", "dates"), problems):
                path = ("holidays", "dates", i)
                try:
                    first, last, label, _ = _parse_dated(entry, ("date", "name"))
                except ValueError as exc:
                    _entry_problem(problems, path, exc)
                    continue
                for d in _days(first, last):
                    closed[d] = label or "holiday"

    extra: dict[date, list[Window]] = {}
    for i, entry in _iter_list(spec.get("workdays"), ("workdays",), problems):
        path = ("workdays", i)
        try:
            first, last, _, own_hours = _parse_dated(entry, ("date", "name", "hours"))
        except ValueError as exc:
            _entry_problem(problems, path, exc)
            continue
        if own_hours is not None:
            windows = _parse_windows(own_hours, (*path, "hours"), problems)
        elif workday_hours:
            windows = list(workday_hours)
        else:
            problems.add(
                path,
                "this workday has no hours: give it `hours`, or give the calendar "
                "`workday_hours` (or Monday hours)",
            )
            continue
        for d in _days(first, last):
            if d in closed:
                problems.add(path, f"{d} is both a holiday and a workday")
            extra[d] = windows

    if problems.found:
        lines = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in problems.found)
        raise CalendarError(f"invalid calendar{_named(name)}: {lines}", problems=problems.found)
    return CalendarParts(
        timezone=tz,
        weekly=tuple(tuple(w) for w in weekly),
        workday_hours=tuple(workday_hours),
        closed=closed,
        extra={d: tuple(w) for d, w in extra.items()},
        country=country,
    )


def _entry_problem(problems: _Problems, path: Path, error: ValueError) -> None:
    """Record a bad dated entry at the key at fault (the entry itself if none is named)."""
    where = getattr(error, "where", ())
    problems.add((*path, *where), str(error), key=getattr(error, "key", False))


def _named(name: str | None) -> str:
    return f" {name!r}" if name else ""


def _parse_time(h: str, m: str, s: str | None, *, is_end: bool) -> int | None:
    hours, minutes, seconds = int(h), int(m), int(s or 0)
    if minutes > 59 or seconds > 59:
        return None
    if hours == 24 and is_end and minutes == 0 and seconds == 0:
        return _DAY_S
    if hours > 23:
        return None
    return hours * 3600 + minutes * 60 + seconds


def _parse_window(text: object) -> Window:
    if not isinstance(text, str):
        raise ValueError(f"a window must be a string like '09:00-12:00', not {text!r}")
    shown = text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "..."
    match = _WINDOW_RE.fullmatch(text) if len(text) <= _MAX_TEXT else None
    if not match:
        raise ValueError(f"invalid window {shown!r}; write it like '09:00-12:00'")
    start = _parse_time(*match.group(1, 2, 3), is_end=False)
    end = _parse_time(*match.group(4, 5, 6), is_end=True)
    if start is None or end is None:
        raise ValueError(
            f"invalid time in window {shown!r}; hours are 00-23 (24:00 may end a window), "
            "minutes and seconds 00-59"
        )
    if end == start:
        raise ValueError(f"window {shown!r} is empty; for a whole day write '00:00-24:00'")
    if end < start:  # crosses midnight
        end += _DAY_S
    return (start, end)


def _check_no_overlap(windows: Sequence[Window], spill: Sequence[Window] = ()) -> str | None:
    ordered = sorted([*spill, *windows])
    for (s1, e1), (s2, e2) in itertools.pairwise(ordered):
        if s2 < e1:
            return f"windows {_show(s1, e1)} and {_show(s2, e2)} overlap"
    return None


def _show(start: int, end: int) -> str:
    def hhmm(sec: int) -> str:
        if sec != _DAY_S:
            sec %= _DAY_S
        h, rest = divmod(sec, 3600)
        m, s = divmod(rest, 60)
        return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")

    return f"'{hhmm(start)}-{hhmm(end)}'"


def _parse_windows(value: object, path: Path, problems: _Problems) -> list[Window]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        problems.add(path, f"expected a list of windows like ['09:00-12:00'], got {value!r}")
        return []
    out: list[Window] = []
    for i, text in enumerate(value):
        try:
            out.append(_parse_window(text))
        except ValueError as exc:
            problems.add((*path, i), str(exc))
    overlap = _check_no_overlap(out)
    if overlap:
        problems.add(path, overlap)
        return []
    return sorted(out)


def parse_weekday(name: object) -> int:
    """A single day name (``fri``, ``friday``, ``周五``, ``星期五``) -> 0 (Monday) .. 6.

    Raises ``ValueError`` with a hint for anything else.
    """
    days = _parse_day_key(name)
    if len(days) != 1:
        raise ValueError(f"expected one day like 'fri', got {name!r}")
    return days[0]


def _parse_day_key(key: object) -> list[int]:
    if not isinstance(key, str):
        raise ValueError(f"invalid day {key!r}; use mon, tue, ..., sun, a range like mon-fri")
    days: list[int] = []
    for part in key.replace("，", ",").split(","):
        part = part.strip().lower()
        if "-" in part or "~" in part or "至" in part:
            a, b = re.split(r"\s*[-~至]\s*", part, maxsplit=1)
            if a not in _DAY_NAMES or b not in _DAY_NAMES:
                raise ValueError(f"invalid day range {part!r}; write it like 'mon-fri'")
            i, j = _DAY_NAMES[a], _DAY_NAMES[b]
            days.extend((i + k) % 7 for k in range((j - i) % 7 + 1))
        elif part in _DAY_NAMES:
            days.append(_DAY_NAMES[part])
        else:
            hint = difflib.get_close_matches(part, list(_DAY_NAMES), n=1)
            fix = f"; did you mean {hint[0]!r}?" if hint else "; use mon, tue, ..., sun"
            raise ValueError(f"invalid day {part!r}{fix}")
    return days


def _parse_date(value: object) -> tuple[date, date]:
    """A date or a range ``A..B`` (inclusive) as (first, last)."""
    if isinstance(value, datetime):
        raise ValueError(f"expected a date, got a date and time {value.isoformat()!r}")
    if isinstance(value, date):
        if not _MIN_DATE <= value <= _MAX_DATE:
            raise ValueError(f"date {value.isoformat()!r} is outside 1901-01-01..2199-12-31")
        return value, value
    if isinstance(value, str) and len(value) <= _MAX_TEXT:
        match = _DATE_RE.fullmatch(value)
        if match:
            try:
                first = date.fromisoformat(match.group(1))
                last = date.fromisoformat(match.group(2)) if match.group(2) else first
            except ValueError as exc:
                raise ValueError(f"invalid date in {value!r}: {exc}") from None
            if last < first:
                raise ValueError(f"date range {value!r} ends before it starts")
            if first < _MIN_DATE or last > _MAX_DATE:
                raise ValueError(f"date {value!r} is outside 1901-01-01..2199-12-31")
            return first, last
    raise ValueError(f"invalid date {value!r}; write YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD")


def _unknown_keys(
    mapping: Mapping[Any, Any], known: Sequence[str], path: Path, problems: _Problems
) -> None:
    for key in mapping:
        if key not in known:
            hint = difflib.get_close_matches(str(key), known, n=1)
            fix = f"; did you mean {hint[0]!r}?" if hint else f"; known keys: {', '.join(known)}"
            problems.add((*path, str(key)), f"unknown key {key!r}{fix}", key=True)


def _resolve_timezone(name: object) -> tzinfo:
    if not isinstance(name, str) or not name or len(name) > _MAX_TEXT:
        raise ValueError(f"invalid time zone {name!r}; use an IANA name like 'Asia/Shanghai'")
    try:
        # a plain ZoneInfo: pendulum's subclass of it is about twice as slow in arithmetic
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name like 'Asia/Shanghai'"
        ) from None


def _days(first: date, last: date) -> Iterable[date]:
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        yield date.fromordinal(ordinal)


def _iter_list(value: object, path: Path, problems: _Problems) -> Iterable[tuple[int, object]]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        problems.add(path, f"expected a list of dates, got {value!r}")
        return ()
    return enumerate(value)


class _EntryError(ValueError):
    """A problem with one key of a dated entry: ``where`` is that key (empty: the entry)."""

    def __init__(self, message: str, where: tuple[str, ...] = (), *, key: bool = False) -> None:
        super().__init__(message)
        self.where = where
        #: the problem is the key ``where`` itself (an unknown key), not its value
        self.key = key


def _parse_dated(
    entry: object, keys: Sequence[str]
) -> tuple[date, date, str | None, object | None]:
    """A date entry: ``2026-10-01``, ``A..B`` or ``{date: ..., name: ..., hours: ...}``.

    Raises :class:`_EntryError` naming the key at fault in a mapping entry.
    """
    if isinstance(entry, Mapping):
        unknown = [k for k in entry if k not in keys]
        if unknown:
            hint = difflib.get_close_matches(str(unknown[0]), keys, n=1)
            fix = f"; did you mean {hint[0]!r}?" if hint else f"; known keys: {', '.join(keys)}"
            raise _EntryError(f"unknown key {unknown[0]!r}{fix}", (str(unknown[0]),), key=True)
        if "date" not in entry:
            raise _EntryError("a dated entry needs `date`")
        try:
            first, last = _parse_date(entry["date"])
        except ValueError as exc:
            raise _EntryError(str(exc), ("date",)) from None
        label = entry.get("name")
        if label is not None and not isinstance(label, str):
            raise _EntryError(f"`name` must be text, got {label!r}", ("name",))
        return first, last, label, entry.get("hours")
    first, last = _parse_date(entry)
    return first, last, None, None
