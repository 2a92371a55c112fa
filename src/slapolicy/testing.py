"""Hypothesis strategies for property tests of code that uses slapolicy.

These are the strategies slapolicy's own property tests use (``tests/test_calendar_properties.py``);
they are public so that you can test your helpdesk code against random calendars too::

    from hypothesis import given
    from slapolicy import Calendar
    from slapolicy.testing import calendar_specs, durations, instants

    @given(calendar_specs(min_weekly_hours=1), instants("UTC"), durations(max_hours=40))
    def test_deadline_is_never_before_the_start(spec, start, duration):
        calendar = Calendar.from_spec(spec)
        assert calendar.add(start, duration) >= start

* :func:`calendar_specs` draws valid calendar mappings (the shape a policy file has under
  ``calendars:``): random split windows, night shifts that cross midnight, windows ending
  at ``24:00``, per-weekday patterns written with ranges and lists, holidays as dates and
  ranges, make-up working days with and without their own hours, and time zones with
  daylight saving time (including Australia/Lord_Howe's 30-minute change).
* :func:`instants` draws aware datetimes in a time zone, favouring the minutes around its
  daylight-saving transitions.
* :func:`durations` draws durations of working time as strings (``"1h30m"``) or
  ``timedelta`` values, optionally with working days (``"2d4h"``).
* :func:`tickets` draws tickets for a loaded policy: its declared fields with valid values,
  the values and keywords its conditions test (so every rule gets matched now and then),
  lists of objects for the fields tested with ``any_item`` / ``all_items``, and a start
  instant.

This module needs ``hypothesis`` (install ``slapolicy[test]``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, tzinfo
from datetime import timezone as _timezone
from typing import Any
from zoneinfo import ZoneInfo

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "slapolicy.testing needs hypothesis; install it with `pip install slapolicy[test]`"
    ) from exc

from ._conditions import TABLE, Node, arguments, item_condition, iter_field_tests
from ._fields import path_keys, set_path
from ._policy import Policy

__all__ = [
    "DEFAULT_TIMEZONES",
    "calendar_specs",
    "durations",
    "instants",
    "tickets",
]

#: Zones drawn by default: no DST, one-hour DST in both hemispheres' styles, and
#: Lord Howe Island's 30-minute DST.
DEFAULT_TIMEZONES: tuple[str, ...] = (
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Shanghai",
)

_DAY = 86_400
_ABBR = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Cut points (seconds after midnight) hypothesis should try often: hours around the DST
# changes of the default zones (01:00-03:00), office hours, midnight.
_NICE = tuple(m * 60 for m in (0, 60, 90, 120, 150, 180, 360, 480, 540, 720, 810, 1080, 1320))
_TYPICAL: tuple[tuple[tuple[int, ...], int | None], ...] = (
    ((9 * 3600, 17 * 3600), None),
    ((9 * 3600, 12 * 3600, 13 * 3600 + 1800, 18 * 3600), None),
    ((0, _DAY), None),
    ((22 * 3600, _DAY), 6 * 3600),  # 22:00-06:00
    ((8 * 3600, 20 * 3600), None),
    ((20 * 3600, _DAY), 8 * 3600),  # 20:00-08:00
)

# A "template" is the windows of one day before night shifts are settled: sorted, distinct
# cut points in [0, 86400] (start, end, start, end, ...) and, optionally, how far past
# midnight the last window should run.
_Template = tuple[tuple[int, ...], int | None]
_Window = tuple[int, int]  # seconds after the own date's midnight; end may exceed 86400


def _cut_points(unit: int) -> Callable[[list[int]], tuple[int, ...]]:
    def cut(values: list[int]) -> tuple[int, ...]:
        points = sorted(set(values))
        if len(points) < 2:  # at least one window
            points = [points[0], points[0] + unit] if points[0] < _DAY else [_DAY - unit, _DAY]
        return tuple(points[: len(points) // 2 * 2])

    return cut


@functools.cache
def _template(unit: int) -> st.SearchStrategy[_Template]:
    """Random windows of one day, on multiples of ``unit`` seconds."""
    slots = _DAY // unit
    point = st.one_of(
        st.integers(0, slots).map(functools.partial(int.__mul__, unit)),
        st.sampled_from([p for p in _NICE if p % unit == 0] + [_DAY]),
    )
    points = st.lists(point, min_size=2, max_size=6).map(_cut_points(unit))
    spill = st.one_of(st.none(), st.integers(0, slots).map(functools.partial(int.__mul__, unit)))
    random_template = st.tuples(points, spill)
    return st.one_of(random_template, st.sampled_from(_TYPICAL))


def _settle(points: tuple[int, ...], spill: int | None, bound: int, unit: int) -> list[_Window]:
    """Turn cut points into windows; the last crosses midnight by at most ``bound`` seconds.

    A crossing window ends before its own start time on the next day (``"09:00-09:00"``, an
    end equal to the start, is an error) and not after ``bound`` (the first opening of the
    day that follows it).
    """
    windows = [(points[i], points[i + 1]) for i in range(0, len(points), 2)]
    if spill is not None and windows:
        start, _ = windows[-1]
        windows[-1] = (start, _DAY + min(spill, bound, max(start - unit, 0)))
    return windows


def _first_start(windows: Sequence[_Window]) -> int:
    return windows[0][0] if windows else _DAY


def _clock(seconds: int, *, seconds_shown: bool) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if secs or seconds_shown:
        return f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{hours:02d}:{minutes:02d}"


@st.composite
def _render(draw: st.DrawFn, windows: Sequence[_Window]) -> list[str]:
    """Render windows as ``"HH:MM-HH:MM"`` strings (with the equivalent spellings)."""
    out: list[str] = []
    for start, end in windows:
        show_seconds = draw(st.integers(0, 7)) == 0  # "09:00:00" for "09:00" now and then
        if end == _DAY:
            # "24:00" and "00:00" both end a window at midnight ("00:00-00:00" is not drawn)
            midnight = start > 0 and draw(st.booleans())
            end_text = _clock(0, seconds_shown=show_seconds) if midnight else "24:00"
        else:
            end_text = _clock(end % _DAY, seconds_shown=show_seconds)
        out.append(f"{_clock(start, seconds_shown=show_seconds)}-{end_text}")
    return out


def _day_keys(days: Sequence[int], full_names: bool) -> str:
    """A key naming ``days`` (weekday numbers): a range if they are consecutive, else a list."""
    if len(days) == 1:
        return (_FULL if full_names else _ABBR)[days[0]]
    # consecutive, possibly wrapping (fri-mon)?
    for first in days:
        run = [(first + k) % 7 for k in range(len(days))]
        if sorted(run) == sorted(days) and len(days) > 1:
            return f"{_ABBR[first]}-{_ABBR[run[-1]]}"
    return ",".join(_ABBR[d] for d in days)


@st.composite
def _weekly(draw: st.DrawFn, unit: int) -> tuple[dict[str, list[str]], list[list[_Window]]]:
    """Weekly ``hours``: per-weekday patterns whose night shifts never overlap the next day."""
    templates = draw(st.lists(_template(unit), min_size=1, max_size=3))
    choice = draw(st.lists(st.integers(-1, len(templates) - 1), min_size=7, max_size=7))
    if all(c < 0 for c in choice):
        choice[draw(st.integers(0, 6))] = 0
    starts = [templates[c][0][0] if c >= 0 else _DAY for c in choice]
    # how far each template may cross midnight: not past the next day's first opening
    bounds = [_DAY] * len(templates)
    for day, c in enumerate(choice):
        if c >= 0:
            bounds[c] = min(bounds[c], starts[(day + 1) % 7])
    settled = [
        _settle(points, spill, bounds[i], unit) for i, (points, spill) in enumerate(templates)
    ]
    per_day = [settled[c] if c >= 0 else [] for c in choice]
    hours: dict[str, list[str]] = {}
    for i, windows in enumerate(settled):
        days = [d for d, c in enumerate(choice) if c == i]
        if not days:
            continue
        # split the days of one template into one or more keys (each day named once)
        cut = draw(st.integers(1, len(days)))
        for group in (days[:cut], days[cut:]):
            if group:
                key = _day_keys(group, full_names=draw(st.booleans()))
                hours[key] = draw(_render(windows))
    return hours, per_day


def _weekly_seconds(drawn: tuple[dict[str, list[str]], list[list[_Window]]]) -> int:
    return sum(end - start for windows in drawn[1] for start, end in windows)


@functools.cache
def _weekly_at_least(
    unit: int, seconds: int
) -> st.SearchStrategy[tuple[dict[str, list[str]], list[list[_Window]]]]:
    weekly = _weekly(unit)
    if seconds <= 0:
        return weekly
    return weekly.filter(lambda drawn: _weekly_seconds(drawn) >= seconds)


@st.composite
def _own_hours(draw: st.DrawFn, unit: int) -> list[str]:
    """Windows for a dated override or ``workday_hours`` (a night shift ends by the first start)."""
    points, spill = draw(_template(unit))
    windows = _settle(points, spill, points[0], unit)
    return draw(_render(windows))


def _date_text(draw: st.DrawFn, day: date) -> date | str:
    return day if draw(st.booleans()) else day.isoformat()


@st.composite
def _calendar_spec(
    draw: st.DrawFn,
    timezones: Sequence[str],
    with_holidays: bool,
    with_workdays: bool,
    with_always: bool,
    with_seconds: bool,
    countries: Sequence[str],
    min_date: date,
    max_date: date,
    min_weekly_seconds: int,
) -> dict[str, Any]:
    unit = draw(st.sampled_from([1, 60])) if with_seconds else 60
    spec: dict[str, Any] = {"timezone": draw(st.sampled_from(list(timezones)))}
    always = with_always and draw(st.integers(0, 9)) == 0
    monday_has_hours = True
    if always:
        spec["hours"] = "always"
    else:
        hours, per_day = draw(_weekly_at_least(unit, min_weekly_seconds))
        spec["hours"] = hours
        monday_has_hours = bool(per_day[0])

    span = (max_date - min_date).days
    day_in_range = st.integers(0, span).map(lambda n: min_date + timedelta(days=n))
    closed: set[date] = set()
    holidays: dict[str, Any] = {}
    use_country = draw(st.booleans())
    if countries and use_country:
        holidays["country"] = draw(st.sampled_from(list(countries)))
    if with_holidays:
        entries: list[object] = []
        for _ in range(draw(st.integers(0, 4))):
            first = draw(day_in_range)
            length = draw(st.one_of(st.just(1), st.integers(1, 6)))
            last = min(first + timedelta(days=length - 1), max_date)
            days = {first + timedelta(days=k) for k in range((last - first).days + 1)}
            if days & closed:
                continue
            closed |= days
            if last > first:
                entries.append(f"{first.isoformat()}..{last.isoformat()}")
            elif draw(st.booleans()):
                entries.append({"date": _date_text(draw, first), "name": "Closed day"})
            else:
                entries.append(_date_text(draw, first))
        if entries:
            holidays["dates"] = entries
    if holidays:
        spec["holidays"] = holidays

    if with_workdays:
        workdays: list[object] = []
        taken = set(closed)
        plain = False
        for _ in range(draw(st.integers(0, 3))):
            day = draw(day_in_range)
            if day in taken:
                continue
            taken.add(day)
            if draw(st.booleans()):
                workdays.append({"date": _date_text(draw, day), "hours": draw(_own_hours(unit))})
            else:
                plain = True
                workdays.append(_date_text(draw, day))
        if workdays:
            spec["workdays"] = workdays
        # a make-up day without hours needs workday_hours unless Monday has windows
        if (plain and not monday_has_hours) or draw(st.integers(0, 3)) == 0:
            spec["workday_hours"] = draw(_own_hours(unit))
    return spec


def calendar_specs(
    timezones: Sequence[str] = DEFAULT_TIMEZONES,
    *,
    with_holidays: bool = True,
    with_workdays: bool = True,
    with_always: bool = True,
    with_seconds: bool = False,
    countries: Sequence[str] = (),
    min_date: date = date(2024, 1, 1),
    max_date: date = date(2026, 12, 31),
    min_weekly_hours: float = 0,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid calendar mappings for :meth:`slapolicy.Calendar.from_spec`.

    Every mapping has some working time; windows of one day never overlap each other nor
    the night shift of the day before (night shifts end by the next day's first opening).

    Args:
        timezones: IANA zone names to draw the ``timezone`` from.
        with_holidays: draw closed ``holidays.dates`` (single dates, ``{date, name}``
            mappings and ``"YYYY-MM-DD..YYYY-MM-DD"`` ranges).
        with_workdays: draw ``workdays`` (make-up days, some with their own ``hours``) and
            sometimes ``workday_hours``.
        with_always: sometimes draw ``hours: always``.
        with_seconds: also draw window boundaries with seconds (``"09:00:30"``); otherwise
            boundaries are whole minutes.
        countries: country codes sometimes drawn as ``holidays.country`` (none by default,
            so that the calendars do not depend on the installed holiday data).
        min_date, max_date: the dates holidays and workdays are drawn from.
        min_weekly_hours: at least this much working time in the weekly ``hours`` (as wall
            time, before holidays). Very sparse calendars (a minute a day) put a 40-hour
            deadline years away; set this to keep deadlines near their start. At most 40.
    """
    if not timezones:
        raise ValueError("calendar_specs needs at least one time zone")
    if max_date < min_date:
        raise ValueError("max_date must not be before min_date")
    if not 0 <= min_weekly_hours <= 40:
        raise ValueError("min_weekly_hours must be between 0 and 40")
    for name in timezones:
        ZoneInfo(name)  # fail early on a typo
    return _calendar_spec(
        tuple(timezones),
        with_holidays,
        with_workdays,
        with_always,
        with_seconds,
        tuple(countries),
        min_date,
        max_date,
        int(min_weekly_hours * 3600),
    )


def _zone(value: str | tzinfo) -> tzinfo:
    return ZoneInfo(value) if isinstance(value, str) else value


def _as_utc(value: datetime, zone: tzinfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(_timezone.utc)


@functools.lru_cache(maxsize=256)
def _transitions(zone: tzinfo, low: datetime, high: datetime) -> tuple[datetime, ...]:
    """The UTC instants in [low, high] at which ``zone``'s UTC offset changes."""
    found: list[datetime] = []
    step = timedelta(hours=12)
    left = low
    while left < high:
        right = min(left + step, high)
        if left.astimezone(zone).utcoffset() != right.astimezone(zone).utcoffset():
            lo, hi = left, right  # offset(lo) != offset(hi): bisect to the second
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if mid <= lo:
                    break
                if mid.astimezone(zone).utcoffset() == lo.astimezone(zone).utcoffset():
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
        left = right
    return tuple(found)


def instants(
    timezone: str | tzinfo = "UTC",
    min_value: datetime = datetime(2024, 1, 1),
    max_value: datetime = datetime(2026, 12, 31, 23, 59, 59),
    *,
    near_transitions: bool = True,
) -> st.SearchStrategy[datetime]:
    """Aware datetimes in ``timezone`` between ``min_value`` and ``max_value``, to the second.

    Naive bounds are read in ``timezone``. With ``near_transitions`` (the default) about half
    of the values lie within three hours of one of the zone's daylight-saving changes in the
    range, often exactly on one, so that tests meet the skipped and the repeated hour.
    """
    zone = _zone(timezone)
    low = _as_utc(min_value, zone).replace(microsecond=0)
    high = _as_utc(max_value, zone).replace(microsecond=0)
    if high < low:
        raise ValueError("max_value must not be before min_value")
    total = int((high - low).total_seconds())

    def at(offset: int) -> datetime:
        return (low + timedelta(seconds=offset)).astimezone(zone)

    uniform = st.integers(0, total).map(at)
    if not near_transitions:
        return uniform
    changes = _transitions(zone, low, high)
    if not changes:
        return uniform
    near = st.tuples(
        st.sampled_from(changes),
        st.one_of(
            st.sampled_from([0, -1, 1, -1800, 1800, -3600, 3600]),
            st.integers(-3 * 3600, 3 * 3600),
        ),
    ).map(lambda p: min(max(p[0] + timedelta(seconds=p[1]), low), high).astimezone(zone))
    return st.one_of(uniform, near)


def _duration_text(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "".join(f"{n}{u}" for n, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)
    return text or "0m"


def durations(
    max_hours: float = 24,
    *,
    min_seconds: int = 0,
    max_days: int = 0,
    strings: bool = True,
    timedeltas: bool = True,
) -> st.SearchStrategy[str | timedelta]:
    """Durations of working time: strings like ``"1h30m"`` and/or ``timedelta`` values.

    The clock part is between ``min_seconds`` and ``max_hours`` hours, whole seconds, often
    whole minutes or hours. With ``max_days`` > 0, strings may also carry working days
    (``"2d"``, ``"1d4h"``); a ``timedelta`` never does (it is working time only).
    """
    if not (strings or timedeltas):
        raise ValueError("durations needs strings, timedeltas or both")
    top = int(max_hours * 3600)
    if top < min_seconds or min_seconds < 0 or max_days < 0:
        raise ValueError("need 0 <= min_seconds <= max_hours * 3600 and max_days >= 0")
    parts: list[st.SearchStrategy[int]] = [st.integers(min_seconds, top)]
    for unit in (60, 3600):  # whole minutes and whole hours, when there are any in range
        first, last = -(-min_seconds // unit), top // unit
        if first <= last:
            parts.append(st.integers(first, last).map(functools.partial(int.__mul__, unit)))
    seconds = st.one_of(parts)
    options: list[st.SearchStrategy[str | timedelta]] = []
    if strings:
        if max_days:
            options.append(
                st.tuples(st.integers(0, max_days), seconds).map(
                    lambda p: (
                        (f"{p[0]}d" if p[0] else "")
                        + (_duration_text(p[1]) if p[1] or not p[0] else "")
                    )
                )
            )
        else:
            options.append(seconds.map(_duration_text))
    if timedeltas:
        options.append(seconds.map(lambda s: timedelta(seconds=s)))
    return st.one_of(options)


# --------------------------------------------------------------------------- tickets


class _Tested:
    """What conditions test at one level: the ticket, or the elements of a list field.

    ``values``: per field path, the literals its tests compare with; ``items``: per list
    field tested with ``any_item`` / ``all_items``, what the element conditions test.
    """

    def __init__(self) -> None:
        self.values: dict[str, list[Any]] = {}
        self.items: dict[str, _Tested] = {}


def _tested_values(node: Node, out: _Tested) -> None:
    """Collect, per field, the literals a condition's tree compares it with.

    Keywords of ``contains*`` become a text around them (``"… w …"``), so a drawn value
    contains them; ``exists`` and ``matches`` give no literal, but their field is still
    listed, so tickets draw it. The element conditions of ``any_item`` / ``all_items`` are
    collected for the list's elements, whose keys are their own (never ticket fields).
    """
    for tests in iter_field_tests(node):
        found = out.values.setdefault(tests.name, [])
        for test in tests.tests:
            items = item_condition(test)
            if items is not None:
                _tested_values(items.node, out.items.setdefault(tests.name, _Tested()))
                continue
            argument = TABLE[test.op].argument
            if argument in ("needle", "needles"):
                found.extend(f"… {w} …" for w in arguments(test) if isinstance(w, str))
            elif argument != "pattern":
                found.extend(arguments(test))


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    """Set a field path in a drawn mapping (left out if a drawn value is in its way)."""
    *parents, last = path_keys(path)
    node = target
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return  # a drawn text where this path needs a mapping: the field stays missing
        node = child
    node[last] = value


def _undeclared(tested: _Tested, name: str) -> st.SearchStrategy[Any]:
    """Values of a field nothing declares: a literal it is compared with, other text, and
    for a list of objects, lists of drawn elements."""
    literals = [v for v in tested.values.get(name, []) if v is not None]
    options: list[st.SearchStrategy[Any]] = [st.text(max_size=12)]
    if literals:
        options.insert(0, st.sampled_from(literals))
    if name in tested.items:
        options.insert(0, _lists_of_objects(tested.items[name]))
    return st.one_of(*options)


def _lists_of_objects(tested: _Tested) -> st.SearchStrategy[list[Any]]:
    """Lists of elements for ``any_item`` / ``all_items``: mappings holding what the element
    conditions test, now and then a value that is not a mapping, sometimes empty."""
    fields = {name: _undeclared(tested, name) for name in sorted(set(tested.values))}

    @st.composite
    def element(draw: st.DrawFn) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, values in fields.items():
            if draw(st.integers(0, 3)):  # most elements have most fields
                _put(out, name, draw(values))
        return out

    odd = st.one_of(st.none(), st.text(max_size=4), st.integers(-3, 3))
    return st.lists(st.one_of(element(), element(), element(), odd), max_size=4)


def tickets(
    policy: Any,
    *,
    start_min: datetime = datetime(2025, 1, 1),
    start_max: datetime = datetime(2026, 11, 30),
) -> st.SearchStrategy[dict[str, Any]]:
    """Tickets for ``policy`` (a loaded :class:`slapolicy.Policy`) that it can evaluate.

    Every field a rule tests or the policy declares may be present or missing; its value is
    one the conditions test, a valid value of its declared type, or other text. A list
    field tested with ``any_item`` / ``all_items`` also holds lists of objects whose keys
    take the values the element conditions test. The start field holds an aware instant
    between ``start_min`` and ``start_max`` (naive bounds are read in the policy's time
    zone; keep them inside the years of official holiday data to avoid
    ``HolidayDataWarning``).
    """
    if not isinstance(policy, Policy):
        raise TypeError("tickets() needs a policy from slapolicy.load_policy")
    tested = _Tested()
    rules = [
        *policy.categories,
        *policy.priorities,
        *(s.rule for s in policy.slas),
        *policy.routing,
    ]
    for rule in rules:
        _tested_values(rule.condition.node, tested)
    if policy.matrix is not None:
        tested.values.setdefault(policy.matrix.rows, []).extend(policy.matrix.values)
        for cols in policy.matrix.values.values():
            tested.values.setdefault(policy.matrix.columns, []).extend(cols)
    for name in ("category", "priority", "sla", "owner"):
        tested.values.pop(name, None)  # decision fields, not ticket fields
        tested.items.pop(name, None)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name in sorted(set(tested.values) | set(policy.fields)):
        declared = policy.fields.get(name)
        if declared is not None:
            fields[name] = _declared_values(declared.kind, declared.enum)
            if name in tested.items:
                fields[name] = st.one_of(_lists_of_objects(tested.items[name]), fields[name])
        else:
            fields[name] = _undeclared(tested, name)
    starts = instants(policy.timezone, start_min, start_max)

    @st.composite
    def draw_ticket(draw: st.DrawFn) -> dict[str, Any]:
        ticket: dict[str, Any] = {}
        for name, values in fields.items():
            if draw(st.booleans()):
                _put(ticket, name, draw(values))
        set_path(ticket, policy.start_field, draw(starts).isoformat())
        return ticket

    return draw_ticket()


def _declared_values(kind: str, enum: tuple[Any, ...] | None) -> st.SearchStrategy[Any]:
    if enum:
        return st.sampled_from(list(enum))
    simple: dict[str, st.SearchStrategy[Any]] = {
        "string": st.text(max_size=20),
        "integer": st.integers(-1000, 1000),
        "number": st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
        "boolean": st.booleans(),
        "datetime": st.datetimes(
            datetime(2025, 1, 1), datetime(2026, 11, 30), timezones=st.just(_timezone.utc)
        ).map(datetime.isoformat),
        "list": st.lists(st.text(max_size=8), max_size=4),
    }
    return simple.get(kind, st.text(max_size=20))
