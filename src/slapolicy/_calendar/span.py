"""A span of dates as sorted working windows with cumulative working time.

Every question a calendar answers is a binary search in a :class:`Span`: the working windows
owned by the local dates ``lo <= ordinal < hi``, as UTC instants in integer microseconds,
each with the working time before it. ``elapsed`` is two lookups of :meth:`Span.cum_at`,
a clock-time deadline one :meth:`Span.advance`. :func:`build_span` lays out the windows; the
calendar decides which span to keep (:mod:`slapolicy._calendar.calendar`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Final

from .spec import DAY_S, Window

__all__ = ["US", "Span", "build_span", "local_us"]

#: microseconds per second
US: Final = 1_000_000
_ONE_US: Final = timedelta(microseconds=1)
_EPOCH_NAIVE: Final = datetime(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Span:
    """Working windows of the dates ``lo <= ordinal < hi`` as instants (microseconds)."""

    lo: int
    hi: int
    valid_lo: int  # instants in [valid_lo, valid_hi) are answered exactly
    valid_hi: int
    starts: list[int]
    ends: list[int]
    cum: list[int]  # working time before window i (relative to the span)
    cum_end: list[int]  # cum[i] + length of window i
    owners: list[int]  # date ordinal owning window i
    workdays: list[int]  # sorted ordinals of dates owning a window
    first_open: dict[int, int]  # ordinal -> start of its first window
    total: int  # working time of the whole span (cum_end[-1], 0 when it has no window)

    def cum_at(self, t: int) -> int:
        """Working time of the span before instant ``t``."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(t, self.ends[i]) - self.starts[i]

    def advance(self, instant: int, amount: int) -> int | None:
        """The earliest instant with ``amount`` (> 0) of working time after ``instant``.

        None when the answer lies beyond the span's last window (the caller grows it).
        Two binary searches and no other call: every clock-time deadline and every pause
        pushed by the SLA clock comes here.
        """
        starts = self.starts
        i = bisect.bisect_right(starts, instant) - 1
        if i < 0:
            target = amount
        elif instant < self.ends[i]:
            target = self.cum[i] + instant - starts[i] + amount
        else:
            target = self.cum_end[i] + amount
        if target > self.total:
            return None
        j = bisect.bisect_left(self.cum_end, target)
        return starts[j] + target - self.cum[j]


def build_span(
    windows_of: Callable[[date], Sequence[Window]], tz: tzinfo, lo: int, hi: int
) -> Span:
    """Lay out the windows of the dates ``lo <= ordinal < hi`` in zone ``tz``.

    A window runs from the first instant its start wall time occurs to the last instant its
    end wall time occurs (docs/deadlines.md); a window wholly inside an hour skipped by a
    DST jump has no working time.
    """
    starts: list[int] = []
    ends: list[int] = []
    owners: list[int] = []
    cum: list[int] = []
    cum_end: list[int] = []
    workdays: list[int] = []
    first_open: dict[int, int] = {}
    total = 0
    for ordinal in range(lo, hi):
        owned = False
        for ws, we in windows_of(date.fromordinal(ordinal)):
            s = local_us(tz, ordinal, ws, latest=False)
            e = local_us(tz, ordinal, we, latest=True)
            if e <= s:
                continue  # the window lies wholly in an hour skipped by DST
            if not owned:  # the day's own first opening, before any union below
                first_open[ordinal] = s
                workdays.append(ordinal)
                owned = True
            if ends and s < ends[-1]:  # a dated override meets a night shift: union
                s = ends[-1]
                if e <= s:
                    continue  # wholly inside the night shift before it
            starts.append(s)
            ends.append(e)
            owners.append(ordinal)
            cum.append(total)
            total += e - s
            cum_end.append(total)
    return Span(
        lo,
        hi,
        local_us(tz, lo + 1, 0, latest=False),
        local_us(tz, hi, 0, latest=False),
        starts,
        ends,
        cum,
        cum_end,
        owners,
        workdays,
        first_open,
        total,
    )


def local_us(tz: tzinfo, ordinal: int, second: int, *, latest: bool) -> int:
    """The instant at a local wall time (``second`` after midnight of a date) in ``tz``.

    Ambiguous times give the first (``latest=False``) or last occurrence; a time skipped by
    a DST jump gives the instant of the jump.
    """
    extra_days, second = divmod(second, DAY_S)
    day = date.fromordinal(ordinal + extra_days)
    hour, rest = divmod(second, 3600)
    naive = datetime(day.year, day.month, day.day, hour, rest // 60, rest % 60)
    base = (naive - _EPOCH_NAIVE) // _ONE_US
    off0 = tz.utcoffset(naive)
    off1 = tz.utcoffset(naive.replace(fold=1))
    u0 = base - (off0 // _ONE_US if off0 else 0)
    u1 = base - (off1 // _ONE_US if off1 else 0)
    if u0 == u1:
        return u0
    if u0 < u1:  # ambiguous: the wall clock shows this time twice
        return u1 if latest else u0
    # skipped: the first instant whose offset is the later one
    lo_s, hi_s = u1 // US, u0 // US
    while lo_s < hi_s:
        mid = (lo_s + hi_s) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == off1:
            hi_s = mid
        else:
            lo_s = mid + 1
    return lo_s * US
