"""Deadlines for whole columns of starts: :meth:`Calendar.add_us` element by element, on arrays.

A backtest asks one calendar for the same durations from a million starts. Here the scalar
arithmetic of :mod:`.calendar` is done for all of them at once with numpy, over the
calendar's span of working windows (:class:`~.span.Span`): the starts are searched into the
window starts (their opening and the working time before it); a clock-time deadline is a
second search, of the target working time into the cumulative working time; a day or
wall-clock deadline reads the span's working dates and a table of the zone's UTC offsets.

The answers are exactly the scalar ones (docs/deadlines.md, "Deadlines for arrays of
starts"). An element the span cannot answer (its opening or its deadline lies past the
span's windows) is tried again on the span grown forward; whatever the arrays cannot decide
for sure (beyond 2199, no working time left, a weekday that never comes, the rare night
shift that needs more than a few steps, a duration too long for int64 sums) is computed by
the scalar path itself, element by element, so that errors and warnings are the scalar ones
too. Bad input (not a one-dimensional array of integers) raises ValueError or TypeError.

numpy is imported here only: it comes with the ``batch`` extra, and ``import slapolicy``
does not need it (``slapolicy._calendar`` imports this module on first use).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Final, TypeAlias
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from .._durations import Duration, Until
from .._errors import CalendarError
from .calendar import Calendar
from .span import US, Span
from .spec import DAY_S

__all__ = ["deadlines_array", "deadlines_array_masked", "deadlines_arrays_masked"]

Int64s: TypeAlias = npt.NDArray[np.int64]
Mask: TypeAlias = npt.NDArray[np.bool_]

_DAY_US: Final = DAY_S * US
_EPOCH_ORD: Final = date(1970, 1, 1).toordinal()
_ONE_US: Final = timedelta(microseconds=1)
_EPOCH_NAIVE: Final = datetime(1970, 1, 1)
#: a zone's offset is sampled this often (seconds) and each change found to the second, which
#: misses a change and its undoing within one step. The closest two changes of any zone in
#: the tz database (1901-2199) are 167 hours apart (Asia/Gaza, America/Noronha): half of that
#: for ZoneInfo zones, six hours for other tzinfo classes
_ZONE_STEP: Final = 3 * 24 * 3600
_OTHER_ZONE_STEP: Final = 6 * 3600
#: UTC time a zone table describes beyond the span (offsets differ by less than a day)
_ZONE_MARGIN: Final = 2 * _DAY_US
#: times the span is grown forward for elements it cannot answer, before the scalar path
_ROUNDS: Final = 12
#: extra working days a night-shift wall-clock deadline may step (then the scalar path)
_STEPS: Final = 4
#: a `weekday:` deadline must come within two years of its working date (as in Calendar)
_WEEKDAY_LIMIT: Final = 2 * 366
#: a :class:`_Search` steps over at most this many values in a bucket, in at most this many
#: buckets (else it keeps numpy.searchsorted)
_STEPS_MAX: Final = 4
_BUCKETS_MAX: Final = 1 << 22
_INT64_MIN: Final = -(1 << 63)
_INT64_MAX: Final = (1 << 63) - 1
#: ahead[0] (no window before t): t + 2**62 exceeds any working time (t > -2**62)
_AHEAD_NONE: Final = 1 << 62
#: larger durations (beyond 2199 from any start) are left to the scalar path, which refuses
#: them; below them no int64 sum overflows
_MAX_CLOCK_US: Final = 1 << 60
_MAX_DAYS: Final = 1 << 30


def deadlines_array(
    calendar: Calendar, starts_us: npt.ArrayLike, duration: Duration | Until
) -> Int64s:
    """``[calendar.add_us(s, duration) for s in starts_us]`` as an int64 array.

    ``starts_us`` is a one-dimensional array of integers, microseconds since the epoch (as
    :meth:`Calendar.to_us` gives). If any element fails, raises the :class:`CalendarError`
    the scalar path raises for the first failing element (in array order); warnings may
    already have been issued for any element. Use :func:`deadlines_array_masked` to get the
    other elements' deadlines as well.
    """
    dues, _, first_error = _run(calendar, starts_us, (duration,), opening_checked=False)
    if first_error is not None:
        raise first_error
    only: Int64s = dues[0]
    return only


def deadlines_array_masked(
    calendar: Calendar, starts_us: npt.ArrayLike, duration: Duration | Until
) -> tuple[Int64s, Mask]:
    """``(dues, failed)``: :func:`deadlines_array` that reports failures per element.

    ``failed[i]`` is True where ``calendar.add_us(starts_us[i], duration)`` raises
    :class:`CalendarError` (the deadline lies beyond 2199, the calendar has no working time
    after some date, the start is out of range, no working ``weekday`` comes within two
    years); ``dues[i]`` is then 0. Every other element has its deadline. Warnings
    (:class:`HolidayDataWarning`, once per calendar and year) are issued as the scalar loop
    would issue them.
    """
    dues, failed, _ = _run(calendar, starts_us, (duration,), opening_checked=False)
    only: Int64s = dues[0]
    return only, failed


def deadlines_arrays_masked(
    calendar: Calendar, starts_us: npt.ArrayLike, durations: Sequence[Duration | Until]
) -> tuple[Int64s, Mask]:
    """``(dues, failed)`` for several durations from the same starts, sharing the work.

    ``dues[j, i] == calendar.deadlines_us(starts_us[i], durations)[j]``: a two-dimensional
    int64 array, one row per duration. ``failed[i]`` is True where that scalar call raises
    :class:`CalendarError` (for any of the durations, as the engine treats a ticket); the
    column ``dues[:, i]`` is then 0.
    """
    dues, failed, _ = _run(calendar, starts_us, tuple(durations), opening_checked=True)
    return dues, failed


# ---------------------------------------------------------------------- the driver


def _run(
    calendar: Calendar,
    starts_us: npt.ArrayLike,
    durations: tuple[Duration | Until, ...],
    *,
    opening_checked: bool,
) -> tuple[Int64s, Mask, CalendarError | None]:
    """Every due instant, the failed elements, and the first failing element's error.

    ``opening_checked``: the scalar path checks the start's opening as well as each answer
    (for coverage warnings); ``add_us`` of a clock-time duration checks only the answer.
    """
    x = _starts(starts_us)
    n = len(x)
    failed = np.zeros(n, dtype=np.bool_)
    if n == 0:
        return np.zeros((len(durations), 0), dtype=np.int64), failed, None
    if len(durations) == 1 and not opening_checked:
        opening_checked = not _is_clock(durations[0])
    dues: Int64s | None = None
    scalar: list[Int64s] = []
    #: the elements still to decide (None: all of them, read from `x` itself, not a copy)
    pending: Int64s | None = None
    out_of_range = _outside(x, calendar.min_us, calendar.max_us)
    if out_of_range is not None:
        scalar.append(np.flatnonzero(out_of_range))
        pending = np.flatnonzero(~out_of_range)
    if pending is None or pending.size:
        xs = x if pending is None else x[pending]
        span = calendar.span_through(int(xs.min()), int(xs.max()))
        for round_ in range(_ROUNDS):
            w = _windows(calendar, span)
            t0, answers, grow, bad = _compute(
                w, xs, durations, calendar.max_us, opening=opening_checked
            )
            if pending is None and grow is None and bad is None:
                # Speed trick: the first round decided every element (the common case), so
                # its answers are the result as they are: no zeroed array to scatter into
                # (8 ms fewer for 1,000,000 starts).
                dues = _stacked(answers, n)
                for answer in answers:
                    _check_coverage(calendar, w, answer)
                if t0 is not None:
                    _check_coverage(calendar, w, t0)
                break
            if dues is None:
                dues = np.zeros((len(durations), n), dtype=np.int64)
            if pending is None:
                pending = np.arange(n)
            undecided = _either(grow, bad)
            done = np.ones(len(xs), dtype=np.bool_) if undecided is None else ~undecided
            rows = pending[done]
            for j, answer in enumerate(answers):
                decided = answer[done]
                dues[j, rows] = decided
                _check_coverage(calendar, w, decided)
            if t0 is not None:
                _check_coverage(calendar, w, t0[done])
            if bad is not None:
                scalar.append(pending[bad])
            retry = grow if grow is None or bad is None else grow & ~bad
            pending = pending[:0] if retry is None else pending[retry]
            if not pending.size or round_ == _ROUNDS - 1:
                break
            xs = x[pending]
            try:
                span = calendar.span_beyond(span)
            except CalendarError:
                break
        if pending is not None and pending.size:  # rounds used up, or the span cannot grow
            scalar.append(pending)
    if dues is None:
        dues = np.zeros((len(durations), n), dtype=np.int64)
    first_error: CalendarError | None = None
    if scalar:
        for i in np.unique(np.concatenate(scalar)).tolist():
            start = int(x[i])
            try:
                if opening_checked:
                    dues[:, i] = calendar.deadlines_us(start, durations)
                else:
                    dues[0, i] = calendar.add_us(start, durations[0])
            except CalendarError as exc:
                failed[i] = True
                dues[:, i] = 0
                if first_error is None:
                    first_error = exc
    return dues, failed, first_error


def _is_clock(duration: Duration | Until) -> bool:
    """A duration :meth:`Calendar.add_us` counts from the start itself (hours, no days)."""
    return type(duration) is Duration and not duration.days and bool(duration.time_us)


def _stacked(answers: list[Int64s], n: int) -> Int64s:
    """The answers as rows of one array (one answer: itself, reshaped, not copied)."""
    if len(answers) == 1:
        return answers[0].reshape(1, n)
    if not answers:
        return np.zeros((0, n), dtype=np.int64)
    return np.stack(answers)


def _starts(starts_us: npt.ArrayLike) -> Int64s:
    values = np.asarray(starts_us)
    if values.ndim != 1:
        raise ValueError(f"starts_us must be one-dimensional, got {values.ndim} dimensions")
    if values.dtype.kind not in "iu" and values.size:  # (an empty list is float64)
        raise TypeError(
            f"starts_us must hold integers (microseconds since the epoch), got {values.dtype}"
        )
    if values.dtype == np.uint64 and values.size:
        # beyond int64 (would wrap to negative): the largest int64, out of range all the same
        values = np.minimum(values, np.uint64(_INT64_MAX))
    return values.astype(np.int64, copy=False)


def _check_coverage(calendar: Calendar, w: _Windows, values: Int64s) -> None:
    """Warn as the scalar path does for answers past the official holiday data: once per
    calendar and local year, which :meth:`Calendar.check_us` remembers."""
    lo, hi = calendar.covered_us
    outside_mask = _outside(values, lo, hi)
    if outside_mask is None:
        return
    outside = values[outside_mask]
    years = _local_days(w.zone, outside).astype("datetime64[D]").astype("datetime64[Y]")
    years = years.astype(np.int64)
    low = int(years.min())
    for offset in np.flatnonzero(np.bincount(years - low)).tolist():
        calendar.check_us(int(outside[int(np.argmax(years == low + offset))]))


# ---------------------------------------------------------------------- masks
# A mask is None when no element is in it. Speed trick: whether any element lies outside a
# range is asked of the array's minimum and maximum (two reductions, no temporary array);
# the mask itself is built only when some element does (0.6 against 1.0 ms per 1,000,000,
# and no mask to combine with the others later).


def _outside(v: Int64s, lo: int, hi: int) -> Mask | None:
    """The elements of ``v`` outside ``[lo, hi)``."""
    if not v.size or (lo <= int(v.min()) and int(v.max()) < hi):
        return None
    found: Mask = (v < lo) | (v >= hi)
    return found


def _at_least(v: Int64s, hi: int) -> Mask | None:
    """The elements of ``v`` at or above ``hi``."""
    if not v.size or int(v.max()) < hi:
        return None
    found: Mask = v >= hi
    return found


def _below(v: Int64s, lo: int) -> Mask | None:
    """The elements of ``v`` below ``lo``."""
    if not v.size or int(v.min()) >= lo:
        return None
    found: Mask = v < lo
    return found


def _either(*masks: Mask | None) -> Mask | None:
    """The elements in any of ``masks``."""
    found: Mask | None = None
    for mask in masks:
        if mask is not None:
            found = mask if found is None else found | mask
    return found


def _some(mask: Mask) -> Mask | None:
    """``mask``, or None if it holds no element."""
    return mask if mask.any() else None


# ---------------------------------------------------------------------- arrays of a span


class _Search:
    """``numpy.searchsorted`` over one sorted array, for many values at once.

    Speed trick: a binary search per value costs about 59 ns on a million random instants
    over 2,700 windows (branches the CPU cannot predict); here each value finds its bucket
    of ``2**shift`` microseconds in a table (about four buckets per sorted value, so the
    table stays in cache) and steps over the few sorted values inside it: 8 ms against 58
    ms for 1,000,000 values (numpy 2.4). A sorted array whose values crowd into a few
    buckets (at most ``_STEPS_MAX`` per bucket) keeps ``numpy.searchsorted``.
    """

    __slots__ = ("base", "last", "padded", "shift", "steps", "table", "values")

    def __init__(self, values: Int64s) -> None:
        self.values = values
        self.steps = -1  # numpy.searchsorted
        self.base = self.shift = self.last = 0
        self.table = self.padded = values
        if not len(values):
            return
        base = int(values[0])
        width = int(values[-1]) - base
        shift = (width // (4 * len(values))).bit_length()
        while True:
            buckets = (width >> shift) + 1
            edges = base + (np.arange(buckets + 1, dtype=np.int64) << shift)
            table = np.searchsorted(values, edges, "left")  # values before each bucket
            most = int(np.diff(table).max())
            if most <= _STEPS_MAX or shift == 0 or buckets > _BUCKETS_MAX // 4:
                break
            shift = max(0, shift - 2)
        if most > _STEPS_MAX:
            return
        self.base, self.shift, self.last, self.steps = base, shift, buckets - 1, most
        self.table = table[:buckets]
        self.padded = np.append(values, np.iinfo(np.int64).max)

    def right(self, v: Int64s) -> Int64s:
        """``numpy.searchsorted(values, v, "right")``: how many values are ``<= v``."""
        if self.steps < 0:
            return np.searchsorted(self.values, v, "right")
        found = self._bucket_start(v)
        for _ in range(self.steps):
            found += self.padded[found] <= v
        return found

    def left(self, v: Int64s) -> Int64s:
        """``numpy.searchsorted(values, v, "left")``: how many values are ``< v``."""
        if self.steps < 0:
            return np.searchsorted(self.values, v, "left")
        found = self._bucket_start(v)
        for _ in range(self.steps):
            found += self.padded[found] < v
        return found

    def _bucket_start(self, v: Int64s) -> Int64s:
        """How many values lie before the bucket of each ``v`` (a new array)."""
        bucket = (v - self.base) >> self.shift
        np.maximum(bucket, 0, out=bucket)
        np.minimum(bucket, self.last, out=bucket)
        found: Int64s = self.table[bucket]
        return found


@dataclass(frozen=True, slots=True)
class _Zone:
    """A zone's UTC offsets over a range of instants, as arrays."""

    changes: _Search  # UTC instants at which the offset changes
    offsets: Int64s  # offsets[k]: the offset before changes[k] (the last one: after all)
    #: the wall times (naive, us) from which a fold-0 reading takes offsets[k + 1]
    walls: _Search
    #: False if two changes come so close that wall times do not sort as the changes do
    #: (no zone of the tz database): day and wall-clock deadlines go to the scalar path
    reads_walls: bool

    def offset_at(self, us: Int64s) -> Int64s:
        """The UTC offset (us) at each instant."""
        return self.offsets[self.changes.right(us)]

    def wall_of(self, us: Int64s) -> Int64s:
        """The local wall time of each instant (naive us since the epoch)."""
        if len(self.offsets) == 1:
            # Speed trick: a zone that keeps one offset over the whole table (Asia/Shanghai
            # since 1991) is an addition, no search (0.6 against 8 ms per million)
            return us + int(self.offsets[0])
        return us + self.offset_at(us)

    def from_wall(self, wall: Int64s) -> Int64s:
        """The instant of each local wall time (naive us since the epoch), read with fold 0
        as ``naive.replace(tzinfo=zone)`` is: a skipped time as many minutes after the jump,
        an ambiguous one at its first occurrence (PEP 495)."""
        if len(self.offsets) == 1:  # as in wall_of
            return wall - int(self.offsets[0])
        return wall - self.offsets[self.walls.right(wall)]


def _zone(tz: tzinfo, lo: int, hi: int) -> _Zone:
    """Sample ``tz`` over the instants ``[lo, hi)`` and find each change to the second
    (assumed: no zone changes its offset and back between two samples, ``_ZONE_STEP``)."""

    def offset(second: int) -> int:
        # the wall clock minus UTC, which needs the zone's fromutc only (not its folds)
        wall = datetime.fromtimestamp(second, tz).replace(tzinfo=None)
        return (wall - _EPOCH_NAIVE) // _ONE_US - second * US

    # Speed trick: three days between samples where the tz database says it is safe (a
    # twelfth of the samples of six hours: 0.03 against 0.29 s for Europe/London, 124 years)
    step = _ZONE_STEP if type(tz) in (ZoneInfo, timezone) else _OTHER_ZONE_STEP
    second, end = lo // US, -(-hi // US)
    before = offset(second)
    changes: list[int] = []
    offsets = [before]
    while second < end:
        probe = min(second + step, end)
        if offset(probe) == before:
            second = probe
            continue
        a, b = second, probe  # the offset is `before` at a and not at b
        while b - a > 1:
            mid = (a + b) // 2
            if offset(mid) == before:
                a = mid
            else:
                b = mid
        before = offset(b)
        changes.append(b * US)
        offsets.append(before)
        second = b
    change_array = np.array(changes, dtype=np.int64)
    offset_array = np.array(offsets, dtype=np.int64)
    walls = change_array + np.maximum(offset_array[:-1], offset_array[1:])
    reads_walls = not np.any(np.diff(walls) <= 0)
    if not reads_walls:
        walls = np.sort(walls)  # still searchable; the answers are not used
    return _Zone(_Search(change_array), offset_array, _Search(walls), reads_walls)


def _local_days(zone: _Zone, us: Int64s) -> Int64s:
    """The local date of each instant, as days since 1970-01-01."""
    return zone.wall_of(us) // _DAY_US


@dataclass(frozen=True, slots=True)
class _Windows:
    """A :class:`Span` as numpy arrays, with what day and wall-clock deadlines look up.

    Speed trick: the arrays read at ``idx = find_start.right(t)`` (how many windows start
    at or before ``t``, 0..n) carry one extra element, so that no index is clipped and no
    ``where`` chooses between "before the first window", "inside window idx - 1" and "after
    it": ``ends_before``, ``ahead``, ``cum_end_before`` (element 0 stands for no window
    before ``t``) and ``starts_pad``, ``lead`` (element n for no window after it).
    """

    span: Span
    starts: Int64s
    ends: Int64s
    cum: Int64s
    cum_end: Int64s
    find_start: _Search  # over `starts`
    find_cum_end: _Search  # over `cum_end`
    owners: Int64s  # date ordinal owning window i
    owner_day: Int64s  # index in `workdays` of owners[i]
    workdays: Int64s
    first_open: Int64s  # first opening of workdays[k]
    #: next_on[w, k]: the first index >= k of a working date on weekday w (len: none)
    next_on: Int64s
    zone: _Zone
    starts_pad: Int64s  # starts, then valid_hi (no window left: the element must grow)
    ends_before: Int64s  # int64 min, then ends: the end of window idx - 1
    #: 2**62, then cum - starts: min(t + ahead[idx], cum_end_before[idx]) is the working
    #: time of the span before t
    ahead: Int64s
    cum_end_before: Int64s  # 0, then cum_end
    lead: Int64s  # starts - cum, then 0: the instant of working time c in window j is c + lead[j]
    #: days -> (wall shift, first opening, first window that must grow) per window of its
    #: start, for that many working days (:func:`_days_table`)
    by_days: dict[int, tuple[Int64s, Int64s, int]]

    @property
    def valid_lo(self) -> int:
        return self.span.valid_lo

    @property
    def valid_hi(self) -> int:
        return self.span.valid_hi


_CACHE: Final[weakref.WeakKeyDictionary[Calendar, _Windows]] = weakref.WeakKeyDictionary()
_CACHE_LOCK: Final = threading.Lock()


def _windows(calendar: Calendar, span: Span) -> _Windows:
    """The arrays of ``span``, kept per calendar until its span grows (then built anew:
    spans grow by doubling, so that costs at most as much again)."""
    with _CACHE_LOCK:
        kept = _CACHE.get(calendar)
    if kept is not None and kept.span is span:
        return kept
    zone = _zone(calendar.timezone, span.valid_lo - _ZONE_MARGIN, span.valid_hi + _ZONE_MARGIN)
    workdays = np.array(span.workdays, dtype=np.int64)
    owners = np.array(span.owners, dtype=np.int64)
    m = len(workdays)
    next_on = np.full((7, m + 1), m, dtype=np.int64)
    weekday = (workdays - 1) % 7  # date.fromordinal(1) is a Monday
    for day in range(7):
        index = np.where(weekday == day, np.arange(m), m)
        next_on[day, :m] = np.minimum.accumulate(index[::-1])[::-1]
    starts = np.array(span.starts, dtype=np.int64)
    ends = np.array(span.ends, dtype=np.int64)
    cum = np.array(span.cum, dtype=np.int64)
    cum_end = np.array(span.cum_end, dtype=np.int64)
    built = _Windows(
        span,
        starts,
        ends,
        cum,
        cum_end,
        _Search(starts),
        _Search(cum_end),
        owners,
        np.searchsorted(workdays, owners),
        workdays,
        np.array([span.first_open[d] for d in span.workdays], dtype=np.int64),
        next_on,
        zone,
        np.append(starts, span.valid_hi),
        np.append(_INT64_MIN, ends),
        np.append(_AHEAD_NONE, cum - starts),
        np.append(0, cum_end),
        np.append(starts - cum, 0),
        {},
    )
    with _CACHE_LOCK:
        _CACHE[calendar] = built
    return built


def _days_table(w: _Windows, days: int) -> tuple[Int64s, Int64s, int]:
    """For a start in each window (and one past the last): how far the wall clock moves to
    the ``days``-th working date after the window's owner, that date's first opening, and
    the first window whose starts need a longer span (the table is made once per span)."""
    table = w.by_days.get(days)
    if table is None:
        m = len(w.workdays)
        k = w.owner_day + days
        kc = np.minimum(k, m - 1)
        shift = np.append((w.workdays[kc] - w.owners) * _DAY_US, 0)
        first = np.append(w.first_open[kc], 0)
        growing = np.flatnonzero(k >= m)  # k grows with the window: one index says it all
        table = (shift, first, int(growing[0]) if growing.size else len(k))
        w.by_days[days] = table
    return table


# ---------------------------------------------------------------------- the arithmetic
# Each step returns its answers with two masks (None: no element): `grow` (the span ends too
# early for this element: try again on a longer one) and `bad` (let the scalar path decide).
# Answers of masked elements are meaningless; indexes stay in range so that nothing fails.


def _compute(
    w: _Windows,
    x: Int64s,
    durations: tuple[Duration | Until, ...],
    max_us: int,
    *,
    opening: bool,
) -> tuple[Int64s | None, list[Int64s], Mask | None, Mask | None]:
    """``(t0, answers, grow, bad)``: each duration's answer as :meth:`Calendar.deadlines_us`
    computes it, and the opening of each start (None unless ``opening`` asks for it or a
    duration needs it)."""
    n = len(w.starts)
    if n == 0:  # no window at all in the span: it must grow
        return None, [x for _ in durations], np.ones(len(x), dtype=np.bool_), None
    everything = np.ones(len(x), dtype=np.bool_)
    bad = _outside(x, w.valid_lo, w.valid_hi)
    grow: Mask | None = None
    idx = w.find_start.right(x)  # how many windows start at or before each start
    opened: tuple[Int64s, Int64s] | None = None  # (i0, t0)
    local: Int64s | None = None  # the wall-clock time of t0, naive us since the epoch
    answers: list[Int64s] = []
    for duration in durations:
        if isinstance(duration, Duration) and not duration.days and duration.time_us:
            # from the start itself: the same as from its opening (deadlines_us)
            if duration.time_us > _MAX_CLOCK_US:
                bad = everything
            due, g = _clock(w, x, idx, min(duration.time_us, _MAX_CLOCK_US))
            grow = _either(grow, g)
            bad = _either(bad, _at_least(due, max_us))
            answers.append(due)
            continue
        if opened is None:
            opened, g = _opening(w, x, idx)
            grow = _either(grow, g)
            bad = _either(bad, _at_least(opened[1], max_us))
        i0, t0 = opened
        if isinstance(duration, Duration) and not duration.days:  # zero: the opening itself
            answers.append(t0)
            continue
        days = duration.days
        if not w.zone.reads_walls or days > _MAX_DAYS:
            bad = everything
            days = min(days, _MAX_DAYS)
        if local is None:
            local = w.zone.wall_of(t0)
        if isinstance(duration, Until):
            until = Until(duration.second, days, duration.weekday)
            due, g, b = _until(w, np.minimum(i0, n - 1), t0, local, until, max_us)
        else:
            due, g, b = _days(w, i0, local, days, max_us)
            if duration.time_us:
                if duration.time_us > _MAX_CLOCK_US:
                    bad = everything
                g = _either(g, _at_least(due, w.valid_hi))
                b = _either(b, _below(due, w.valid_lo))
                amount = min(duration.time_us, _MAX_CLOCK_US)
                due, g2 = _clock(w, due, w.find_start.right(due), amount)
                g = _either(g, g2)
        grow = _either(grow, g)
        bad = _either(bad, b, _at_least(due, max_us))
        answers.append(due)
    if opening and opened is None:
        opened, g = _opening(w, x, idx)
        grow = _either(grow, g)
        bad = _either(bad, _at_least(opened[1], max_us))
    return (None if opened is None else opened[1]), answers, grow, bad


def _opening(w: _Windows, x: Int64s, idx: Int64s) -> tuple[tuple[Int64s, Int64s], Mask | None]:
    """``((i0, t0), grow)``: the first working instant ``t0`` from each start, in window
    ``i0`` (``Calendar._opening``): the start itself if working time, else the next start.
    ``idx`` is ``find_start.right(x)``."""
    working = x < w.ends_before[idx]
    i0: Int64s = idx - working
    # inside window i0 its start is at or before x; otherwise it is the next window's start
    t0 = np.maximum(x, w.starts_pad[i0])
    return (i0, t0), _at_least(i0, len(w.starts))


def _clock(w: _Windows, x: Int64s, idx: Int64s, amount: int) -> tuple[Int64s, Mask | None]:
    """``(due, grow)``: the earliest instant with ``amount`` (> 0) of working time after
    each instant (:meth:`Span.advance`); ``idx`` is ``find_start.right(x)``."""
    # the working time of the span before x, plus the amount (in place: one temporary)
    target = w.ahead[idx]
    target += x
    np.minimum(target, w.cum_end_before[idx], out=target)
    target += amount
    due = w.lead[w.find_cum_end.left(target)]
    due += target
    return due, _at_least(target, w.span.total + 1)


def _days(
    w: _Windows, i0: Int64s, local: Int64s, days: int, max_us: int
) -> tuple[Int64s, Mask | None, Mask | None]:
    """``days`` working days after each opening (``Calendar._add_days``): the same wall-clock
    time on the N-th working date after its window's owner, moved into working time."""
    shift, first_tab, grow_from = _days_table(w, days)
    wall = shift[i0]
    wall += local
    want = w.zone.from_wall(wall)
    first = first_tab[i0]
    idx = w.find_start.right(want)
    # Before the date's first opening: that opening; inside a window: `want`; else the end
    # of the last window before it: max(first, min(want, end before)), as the window ending
    # at or after `first` is at or before the last one starting at or before `want`.
    due = w.ends_before[idx]
    np.minimum(due, want, out=due)
    np.maximum(due, first, out=due)
    grow = _either(_at_least(i0, grow_from), _at_least(want, w.valid_hi))
    # the scalar path decides a wall time past 2199 (and anything the span cannot place)
    bad = _outside(want, w.valid_lo, max_us)
    if int(idx.min()) == 0:  # no window starts before `want`: never after `first` (guard)
        bad = _either(bad, _some((idx == 0) & (want >= first)))
    return due, grow, bad


def _until(
    w: _Windows, i0: Int64s, t0: Int64s, local: Int64s, until: Until, max_us: int
) -> tuple[Int64s, Mask | None, Mask | None]:
    """A wall-clock deadline from each opening (``Calendar._until``, docs/deadlines.md);
    ``i0`` is clipped to the last window (those past it must grow)."""
    owner = w.owners[i0]
    # is the opening's wall-clock time, counted from midnight of its window's own date,
    # before the `by` time?
    before = local - (owner - _EPOCH_ORD) * _DAY_US < until.second * US
    after = np.where(before, 0, 1)
    if until.weekday is None:
        k = w.owner_day[i0] + (until.days if until.days else after)
        grow = k >= len(w.workdays)
        bad = np.zeros_like(grow)
    else:
        k, grow, bad = _weekday(w, w.owner_day[i0] + after, owner, until.weekday)
    due, g, b = _at_or_before(w, k, until.second, max_us)
    grow |= g
    bad |= b
    # Only inside a night shift: the time lies at or before the start. The same time on the
    # next such working day, as often as needed (a few steps here, then the scalar path).
    redo = np.flatnonzero(~grow & ~bad & (due <= t0))
    for _ in range(_STEPS):
        if not redo.size:
            break
        day = w.workdays[np.minimum(k[redo], len(w.workdays) - 1)]
        if until.weekday is None:
            k_r = k[redo] + 1
            g_r = k_r >= len(w.workdays)
            b_r = np.zeros_like(g_r)
        else:
            k_r, g_r, b_r = _weekday(w, k[redo] + 1, day, until.weekday)
        due_r, g2, b2 = _at_or_before(w, k_r, until.second, max_us)
        g_r |= g2
        b_r |= b2
        k[redo], due[redo], grow[redo], bad[redo] = k_r, due_r, g_r, b_r
        redo = redo[~g_r & ~b_r & (due_r <= t0[redo])]
    bad[redo] = True
    return due, _some(grow), _some(bad)


def _weekday(w: _Windows, k: Int64s, owner: Int64s, weekday: int) -> tuple[Int64s, Mask, Mask]:
    """The first working date at index ``k`` or later falling on ``weekday``
    (``Calendar._next_weekday``); none within two years of ``owner`` is the scalar error."""
    m = len(w.workdays)
    found = w.next_on[weekday, np.minimum(k, m)]
    fc = np.minimum(found, m - 1)
    limit = owner + _WEEKDAY_LIMIT
    missing = found >= m
    grow = missing & (w.span.hi <= limit)
    bad = np.where(missing, w.span.hi > limit, w.workdays[fc] > limit)
    return fc, grow, bad


def _at_or_before(w: _Windows, k: Int64s, second: int, max_us: int) -> tuple[Int64s, Mask, Mask]:
    """``second`` after local midnight of ``workdays[k]`` if that is working time, else the
    end of the last window before it (``Calendar._at_or_before``)."""
    day = w.workdays[np.minimum(k, len(w.workdays) - 1)]
    want = w.zone.from_wall((day - _EPOCH_ORD) * _DAY_US + second * US)
    idx = w.find_start.right(want)
    due = np.minimum(want, w.ends_before[idx])
    grow = want >= w.valid_hi
    bad = (want < w.valid_lo) | (want >= max_us) | (idx == 0)
    return due, grow, bad
