"""Benchmark slapolicy's business-time arithmetic against businesstimedelta and pandas.

Run from the repository root::

    python benchmarks/bench_calendar.py            # 10,000 random instants
    python benchmarks/bench_calendar.py --n 2000   # quicker

All three libraries get the same calendar: America/New_York, Monday to Friday 09:00-17:00,
ten public holidays of 2025. Each operation is timed over the same random start instants
(uniform over 2025-01-01..2025-10-01, so anywhere in the week, inside or outside working
hours), one call per instant, after a short warm-up. A cell that would take longer than
``--budget`` seconds stops early and reports the per-call time over the calls it made.

Operations and spans:

* ``add 8h``      deadline 8 working hours after s
* ``add 60d``     deadline 60 * 8 = 480 working hours after s
* ``elapsed 1d``  working time between s and s + 1 calendar day (0 to 8 working hours)
* ``elapsed 84d`` working time between s and s + 84 calendar days (about 60 working days)
* slapolicy alone: ``add 2y`` (4,000 working hours) and ``elapsed 2y`` (s to s + 730 days)

pandas has no "working time between two instants" function; its ``elapsed`` column is the
usual recipe built on ``numpy.busday_count`` with the same weekmask and holidays (see
``pandas_elapsed``), so that row measures numpy, not a pandas API.

Needs the ``bench`` extra: ``pip install -e '.[bench]'`` (businesstimedelta, pandas).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import random
import sys
import time
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import businesstimedelta
import numpy as np
import pandas as pd
import pytz

try:
    import slapolicy
except ImportError:  # running from a checkout without installing: use src/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import slapolicy
from slapolicy import Calendar

OTHERS = ("businesstimedelta", "pandas", "numpy")

ZONE = "America/New_York"
OPEN, CLOSE = dt.time(9), dt.time(17)
DAY = dt.timedelta(hours=8)  # working time of one day
# US federal holidays of 2025 without Columbus Day: ten dates.
HOLIDAYS = [
    dt.date(2025, 1, 1),
    dt.date(2025, 1, 20),
    dt.date(2025, 2, 17),
    dt.date(2025, 5, 26),
    dt.date(2025, 6, 19),
    dt.date(2025, 7, 4),
    dt.date(2025, 9, 1),
    dt.date(2025, 11, 11),
    dt.date(2025, 11, 27),
    dt.date(2025, 12, 25),
]
# Starts lie before 2025-10-01, so every span of the three-way comparison (at most 84 days,
# or 480 working hours) ends before the last holiday. That matters for businesstimedelta:
# its HolidayRule looks for "the next holiday" one date at a time and gives up only after
# five years, so past the last listed holiday every step would scan 1,825 dates.
SAMPLE_FROM = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
SAMPLE_TO = dt.datetime(2025, 10, 1, tzinfo=dt.timezone.utc)

SPANS_ADD = {"8h": 8 * 1, "60d": 60 * 8, "2y": 4_000}  # working hours
SPANS_ELAPSED = {"1d": 1, "84d": 84, "2y": 730}  # calendar days


# --------------------------------------------------------------------------- the calendars


def make_slapolicy() -> Calendar:
    return Calendar.from_spec(
        {
            "timezone": ZONE,
            "hours": {"mon-fri": ["09:00-17:00"]},
            "holidays": {"dates": [d.isoformat() for d in HOLIDAYS]},
        }
    )


def make_businesstimedelta() -> businesstimedelta.Rules:
    tz = pytz.timezone(ZONE)
    workday = businesstimedelta.WorkDayRule(
        start_time=OPEN, end_time=CLOSE, working_days=[0, 1, 2, 3, 4], tz=tz
    )
    holidays = businesstimedelta.HolidayRule(HOLIDAYS, tz=tz)
    return businesstimedelta.Rules([workday, holidays])


def make_pandas() -> pd.offsets.CustomBusinessHour:
    return pd.offsets.CustomBusinessHour(
        start="09:00", end="17:00", weekmask="Mon Tue Wed Thu Fri", holidays=HOLIDAYS
    )


BUSDAYS = np.busdaycalendar(weekmask="1111100", holidays=np.array(HOLIDAYS, dtype="datetime64[D]"))
OPEN_S, CLOSE_S = 9 * 3600, 17 * 3600


def pandas_elapsed(a: pd.Timestamp, b: pd.Timestamp) -> dt.timedelta:
    """Working time in [a, b) for a <= b, from wall-clock times and numpy.busday_count.

    Windows never contain a DST change (09:00-17:00), so wall-clock and real time agree.
    """
    da, db = a.date(), b.date()

    def into_day(ts: pd.Timestamp) -> int:  # working seconds of its date before ts
        s = ts.hour * 3600 + ts.minute * 60 + ts.second
        return min(max(s - OPEN_S, 0), CLOSE_S - OPEN_S)

    work_a = np.is_busday(da, busdaycal=BUSDAYS)
    if da == db:
        return dt.timedelta(seconds=(into_day(b) - into_day(a)) if work_a else 0)
    full_days = int(np.busday_count(da + dt.timedelta(days=1), db, busdaycal=BUSDAYS))
    seconds = full_days * (CLOSE_S - OPEN_S)
    if work_a:
        seconds += CLOSE_S - OPEN_S - into_day(a)
    if np.is_busday(db, busdaycal=BUSDAYS):
        seconds += into_day(b)
    return dt.timedelta(seconds=seconds)


# --------------------------------------------------------------------------- timing


def per_call_us(
    fn: Callable[[Any], object], items: Sequence[Any], budget: float
) -> tuple[float, int]:
    """Microseconds per call of ``fn`` over ``items`` (stopping after ``budget`` seconds)."""
    for item in items[:100]:  # warm-up: caches, lazily built tables
        fn(item)
    start = time.perf_counter()
    done = 0
    for item in items:
        fn(item)
        done += 1
        if not done % 128 and time.perf_counter() - start > budget:
            break
    return (time.perf_counter() - start) / done * 1e6, done


def random_starts(n: int, seed: int) -> list[dt.datetime]:
    rng = random.Random(seed)
    width = int((SAMPLE_TO - SAMPLE_FROM).total_seconds())
    zone = zoneinfo.ZoneInfo(ZONE)
    return [
        (SAMPLE_FROM + dt.timedelta(seconds=rng.randrange(width))).astimezone(zone)
        for _ in range(n)
    ]


# --------------------------------------------------------------------------- agreement


def check_agreement(
    cal: Calendar,
    btd: businesstimedelta.Rules,
    cbh: pd.offsets.CustomBusinessHour,
    starts: Sequence[dt.datetime],
) -> list[str]:
    """Compare the three libraries' answers on ``starts``; return report lines.

    Conventions that differ, and how they are counted:

    * Closing time. slapolicy (and businesstimedelta) return the closing time when a
      deadline uses up the working time exactly at it: 8h from Monday 08:00 is Monday
      17:00. pandas' CustomBusinessHour returns the next opening instead (Tuesday 09:00).
      Both name the same point in *working* time; they differ as instants. Every start
      outside working hours (about three in four random instants) hits this case, because
      the deadline is then "next opening + 8h" = a closing time. Such answers are counted
      apart ("closing-time convention"), not as disagreements.
    * Precision. businesstimedelta's ``difference`` drops microseconds; the random starts
      are whole seconds, so this never shows here.
    """
    tz = pytz.timezone(ZONE)
    lines = []
    for label, hours in (("add 8h", 8), ("add 60d", 480)):
        span = dt.timedelta(hours=hours)
        bdelta = businesstimedelta.BusinessTimeDelta(btd, hours=hours)
        offset = hours * cbh
        btd_bad = pd_bad = pd_convention = 0
        examples: list[str] = []
        for s in starts:
            ours = cal.add(s, span)
            theirs_btd = s.astimezone(tz) + bdelta
            theirs_pd = (pd.Timestamp(s) + offset).to_pydatetime()
            if theirs_btd != ours:
                btd_bad += 1
                if len(examples) < 3:
                    examples.append(f"    {s}: slapolicy {ours}, businesstimedelta {theirs_btd}")
            if theirs_pd != ours:
                if not cal.is_working(ours) and theirs_pd == cal.next_working(ours):
                    pd_convention += 1
                else:
                    pd_bad += 1
                    if len(examples) < 3:
                        examples.append(f"    {s}: slapolicy {ours}, pandas {theirs_pd}")
        lines.append(
            f"{label:<12} businesstimedelta: {btd_bad} disagreements; pandas: {pd_bad} "
            f"disagreements (+ {pd_convention} closing-time convention, same working time)"
        )
        lines.extend(examples)
    for label, days in (("elapsed 1d", 1), ("elapsed 84d", 84)):
        btd_bad = pd_bad = 0
        examples = []
        for s in starts:
            e = s + dt.timedelta(days=days)  # same wall-clock time, days later
            ours = cal.elapsed(s, e)
            theirs_btd = btd.difference(s.astimezone(tz), e.astimezone(tz)).timedelta
            theirs_pd = pandas_elapsed(pd.Timestamp(s), pd.Timestamp(e))
            if theirs_btd != ours:
                btd_bad += 1
                if len(examples) < 3:
                    examples.append(f"    {s}: slapolicy {ours}, businesstimedelta {theirs_btd}")
            if theirs_pd != ours:
                pd_bad += 1
                if len(examples) < 3:
                    examples.append(f"    {s}: slapolicy {ours}, pandas+numpy {theirs_pd}")
        lines.append(
            f"{label:<12} businesstimedelta: {btd_bad} disagreements; "
            f"pandas+numpy: {pd_bad} disagreements"
        )
        lines.extend(examples)
    return lines


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="random instants (10000)")
    parser.add_argument("--seed", type=int, default=2025, help="random seed (2025)")
    parser.add_argument("--budget", type=float, default=6.0, help="max seconds per table cell (6)")
    parser.add_argument(
        "--check", type=int, default=1_000, help="instants in the agreement check (1000)"
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")

    versions = ", ".join(
        [f"slapolicy {slapolicy.__version__}"]
        + [f"{name} {importlib.metadata.version(name)}" for name in OTHERS]
    )
    print(f"Python {sys.version.split()[0]}; {versions}")
    print(
        f"calendar: {ZONE}, Mon-Fri 09:00-17:00, {len(HOLIDAYS)} holidays; "
        f"n={args.n} random starts, seed {args.seed}, budget {args.budget}s per cell\n"
    )

    cal = make_slapolicy()
    btd = make_businesstimedelta()
    cbh = make_pandas()
    pytz_zone = pytz.timezone(ZONE)

    starts = random_starts(args.n, args.seed)
    starts_btd = [s.astimezone(pytz_zone) for s in starts]
    starts_pd = [pd.Timestamp(s) for s in starts]

    rows: list[tuple[str, str, str, float, int]] = []

    def run(
        library: str, operation: str, span: str, fn: Callable[[Any], object], items: Any
    ) -> None:
        us, done = per_call_us(fn, items, args.budget)
        rows.append((library, operation, span, us, done))

    for span, hours in SPANS_ADD.items():
        td = dt.timedelta(hours=hours)
        run("slapolicy", "add", span, lambda s, td=td: cal.add(s, td), starts)
        if span == "2y":
            continue
        bdelta = businesstimedelta.BusinessTimeDelta(btd, hours=hours)
        run("businesstimedelta", "add", span, lambda s, b=bdelta: s + b, starts_btd)
        offset = hours * cbh
        run("pandas", "add", span, lambda s, o=offset: s + o, starts_pd)

    for span, days in SPANS_ELAPSED.items():
        gap = dt.timedelta(days=days)
        pairs = [(s, s + gap) for s in starts]
        run("slapolicy", "elapsed", span, lambda p: cal.elapsed(p[0], p[1]), pairs)
        if span == "2y":
            continue
        pairs_btd = [(s, (s + gap).astimezone(pytz_zone)) for s in starts_btd]
        run("businesstimedelta", "elapsed", span, lambda p: btd.difference(p[0], p[1]), pairs_btd)
        pairs_pd = [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in pairs]
        run("pandas+numpy", "elapsed", span, lambda p: pandas_elapsed(p[0], p[1]), pairs_pd)

    base = {(op, span): us for lib, op, span, us, _ in rows if lib == "slapolicy"}
    header = ("library", "operation", "span", "calls", "us/op", "vs slapolicy")
    print("{:<18} {:<9} {:<5} {:>7} {:>10} {:>13}".format(*header))
    print("-" * 67)
    for lib, op, span, us, done in rows:
        ratio = us / base[(op, span)]
        print(f"{lib:<18} {op:<9} {span:<5} {done:>7} {us:>10.1f} {ratio:>12.1f}x")

    sample = starts[: args.check]
    print(f"\nagreement on {len(sample)} instants (slapolicy as the reference):")
    for line in check_agreement(cal, btd, cbh, sample):
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
