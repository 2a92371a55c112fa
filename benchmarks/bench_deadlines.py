"""Benchmark deadlines for arrays of starts (``deadlines_array``) against its peers, in one run.

For each calendar (the sample policies' shared Chinese office calendar, a night shift with
Chinese holidays, and a night shift in London, which has DST) and each duration (a clock
duration, 4h, and a day duration, 3d): ``deadlines_array`` over ``--n`` random starts; the
peer ``Calendar.add_us`` in a Python loop over ``--sample`` of them (whose answers the array
must equal, checked before anything is printed); and ``numpy.busday_offset`` on the same
starts' local dates (whole days only, weekends and holidays but no hours: a floor, not the
same question). Then ``Calendar.add`` from an aware datetime, a naive one and ISO-8601 text
(per call, and the ratio to aware). Targets: <= 0.2 µs per deadline, within 10x of
``numpy.busday_offset``; naive and ISO about the cost of aware::

    python benchmarks/bench_deadlines.py                # 1,000,000 starts
    python benchmarks/bench_deadlines.py --n 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
try:
    import slapolicy
except ImportError:  # running from a checkout without installing: use src/
    sys.path.insert(0, str(ROOT / "src"))
    import slapolicy

from slapolicy import Calendar, HolidayDataWarning  # noqa: E402
from slapolicy._calendar import deadlines_array  # noqa: E402
from slapolicy._durations import Duration, parse_duration  # noqa: E402

FIRST, LAST = "2025-01-01T00:00", "2026-12-31T00:00"
US = timedelta(microseconds=1)
NIGHTS_CN = {
    "timezone": "Asia/Shanghai",
    "hours": {"mon-fri": ["22:00-06:00"], "sat": ["22:00-04:00"]},
    "holidays": {"country": "CN"},
}
NIGHTS_LONDON = {"timezone": "Europe/London", "hours": {"mon-fri": ["21:00-07:30"]}}


def best_of(repeat: int, run: Callable[..., Any], *args: Any, **kwargs: Any) -> float:
    """The shortest of ``repeat`` runs of ``run(*args, **kwargs)``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        run(*args, **kwargs)
        best = min(best, time.perf_counter() - began)
    return best


def calendars() -> dict[str, tuple[Calendar, str]]:
    """Name -> (calendar, numpy weekmask of its working weekdays)."""
    policy = slapolicy.load_policy(ROOT / "policies" / "customer-service-rules.yaml")
    return {
        "cn-office": (policy.calendars["office"], "1111100"),
        "cn-nights": (Calendar.from_spec(NIGHTS_CN), "1111110"),
        "london-nights": (Calendar.from_spec(NIGHTS_LONDON), "1111100"),
    }


def closed_dates(cal: Calendar, weekmask: str, first: date, last: date) -> list[date]:
    """Dates the weekmask calls working that the calendar closes (for busday_offset)."""
    out = []
    day = first
    while day <= last:
        if weekmask[day.weekday()] == "1" and cal.holiday_name(day) is not None:
            out.append(day)
        day += timedelta(days=1)
    return out


def scalar_loop(cal: Calendar, starts: Sequence[int], duration: Duration) -> list[int]:
    """The peer: ``Calendar.add_us`` start by start."""
    add_us = cal.add_us
    return [add_us(s, duration) for s in starts]


def each(function: Callable[..., Any], values: Sequence[Any], *args: Any) -> None:
    """``function(value, *args)`` for every value."""
    for value in values:
        function(value, *args)


def time_arrays(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(args.seed)
    durations = {"4h": parse_duration("4h"), "3d": parse_duration("3d")}
    print(f"## deadlines_array: {args.n:,} random starts {FIRST[:10]}..{LAST[:10]}")
    print(f"best of {args.repeat}; µs per deadline; scalar peer over {args.sample:,} starts\n")
    print(
        "| calendar | duration | deadlines_array | add_us loop | speed-up | busday_offset "
        "| array / busday |"
    )
    print("|:--|:--|--:|--:|--:|--:|--:|")
    for name, (cal, weekmask) in calendars().items():
        starts = rng.integers(cal.to_us(FIRST), cal.to_us(LAST), args.n, dtype=np.int64)
        sample = starts[: args.sample].tolist()
        # the peer numpy has: whole working days from each start's local date (read at the
        # zone's January offset: only the timing matters here)
        offset = cal.from_us(cal.to_us(FIRST)).utcoffset() or timedelta()
        local_days = ((starts + offset // US) // 86_400_000_000).astype("datetime64[D]")
        holidays = closed_dates(cal, weekmask, date(2024, 12, 1), date(2027, 12, 31))
        busdays = np.busdaycalendar(weekmask=weekmask, holidays=holidays)
        busday = best_of(args.repeat, np.busday_offset, local_days, 3, "forward", busdaycal=busdays)
        for label, duration in durations.items():
            dues = deadlines_array(cal, starts, duration)  # warm: the span and its arrays
            array = best_of(args.repeat, deadlines_array, cal, starts, duration)
            scalar = best_of(1, scalar_loop, cal, sample, duration)
            if dues[: args.sample].tolist() != scalar_loop(cal, sample, duration):
                raise SystemExit(f"{name} {label}: deadlines_array differs from add_us")
            per, per_scalar = array / args.n * 1e6, scalar / len(sample) * 1e6
            per_busday = busday / args.n * 1e6
            print(
                f"| {name} | {label} | {per:.3f} | {per_scalar:.3f} | {per_scalar / per:.0f}x "
                f"| {per_busday:.3f} | {per / per_busday:.1f}x |"
            )


def time_inputs(args: argparse.Namespace) -> None:
    cal = calendars()["cn-office"][0]
    rng = np.random.default_rng(args.seed + 1)
    seconds = rng.integers(cal.to_us(FIRST), cal.to_us(LAST), args.sample) // 1_000_000
    micro = rng.integers(0, 1_000_000, args.sample)
    aware = [cal.from_us(int(s) * 1_000_000 + int(m)) for s, m in zip(seconds, micro, strict=True)]
    forms: dict[str, Sequence[datetime | str]] = {
        "aware datetime": aware,
        "naive datetime": [t.replace(tzinfo=None) for t in aware],
        "ISO, no offset": [t.replace(tzinfo=None).isoformat() for t in aware],
        "ISO, +08:00": [t.isoformat() for t in aware],
        "ISO, Z": [t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ") for t in aware],
    }
    duration: Duration = parse_duration("4h")
    print(f"\n## Calendar.add from each form of start: {args.sample:,} starts, µs per call\n")
    print("| start | add | ratio to aware | to_us | ratio to aware |")
    print("|:--|--:|--:|--:|--:|")
    base_add = base_read = 0.0
    expected = [cal.add(t, duration) for t in aware]
    for label, values in forms.items():
        if [cal.add(v, duration) for v in values] != expected:
            raise SystemExit(f"{label}: a different deadline than from the aware datetime")
        per_add = best_of(args.repeat, each, cal.add, values, duration)
        per_read = best_of(args.repeat, each, cal.to_us, values)
        per_add, per_read = per_add / len(values) * 1e6, per_read / len(values) * 1e6
        base_add, base_read = base_add or per_add, base_read or per_read
        print(
            f"| {label} | {per_add:.3f} | {per_add / base_add:.2f} | {per_read:.3f} | "
            f"{per_read / base_read:.2f} |"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="starts per array")
    parser.add_argument("--sample", type=int, default=20_000, help="starts of the scalar peer")
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)
    args.sample = min(args.sample, args.n)
    print(
        f"slapolicy {slapolicy.__version__}, numpy {np.__version__}, "
        f"Python {platform.python_version()} on {platform.machine()}\n"
    )
    with warnings.catch_warnings():  # 2026 past the official CN data in some installs
        warnings.simplefilter("ignore", HolidayDataWarning)
        time_arrays(args)
        time_inputs(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
