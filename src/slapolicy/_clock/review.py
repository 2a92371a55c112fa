"""The periodic review (数据复盘): :class:`Report`, what ``Policy.report`` counts.

A report is filled one history at a time from the ticket's outcome at ``now`` (the numbers of
its :class:`SlaStatus`) and holds only counters and, per metric and group, the working time
each cycle used (:class:`UsedTimes`: the median and p90 are exact, and past 16,384 values
per metric and group they go to a spill file): memory never holds the histories or
the rows, and does not grow with their number.
Reports of parts of a file merge (:meth:`Report.merge`) into the report of the whole, equal
to reading the file in one pass, whatever the order of the parts.

Counting rules (docs/report.md): every cycle of a targeted metric (``SlaStatus.cycles``)
counts once, a metric that never started counts once as ``pending``; ``attainment`` is
met / (met + breached); working time used is the cycle's ``elapsed`` (at its stop, or at
``now``) over the cycles that started and were not cancelled.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from .._fields import MISSING, lookup
from .histories import ReportRow
from .results import CycleOutcome, Outcome
from .used_times import Spill, UsedTimes

__all__ = [
    "GROUP_KEYS",
    "MAX_ERROR_EXAMPLES",
    "MAX_ERROR_LINES",
    "PERCENTILE_METHOD",
    "USED_EDGES",
    "Report",
    "ReportRow",
    "ReviewSetup",
]

#: what a report may be grouped by
GROUP_KEYS = ("priority", "category", "owner", "sla", "month")
#: the line numbers of unreadable histories a report keeps (the count is exact)
MAX_ERROR_LINES = 1000
#: the messages of unreadable histories a report keeps
MAX_ERROR_EXAMPLES = 5
#: how the median and p90 are interpolated: numpy's default method for percentiles
PERCENTILE_METHOD = "linear"
#: the bins of :meth:`Report.used_histogram`, in percent of the target: bin ``i`` holds the
#: cycles that used more than ``USED_EDGES[i - 1]`` and at most ``USED_EDGES[i]`` percent
#: (the first from 0, the last without an upper edge); bin 9 ends at the deadline, 100%
USED_EDGES = (10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 150, 200, 300, 500, 1000)
_LATE_BIN = USED_EDGES.index(100) + 1

# the counters of a metric, in order; "running" includes the paused cycles, "paused" says
# how many of them are paused at now
_COUNTS = ("met", "breached", "running", "paused", "pending", "cancelled")
_INDEX = {"met": 0, "breached": 1, "running": 2, "paused": 2, "pending": 4, "cancelled": 5}
_PAUSED = 3
_TIMED = 3  # indexes below this are cycles that started and were not cancelled


@dataclass(frozen=True)
class ReviewSetup:
    """What a review counts and how it names things (picklable: it travels to processes)."""

    policy_name: str
    policy_version: str
    now: datetime
    zone: tzinfo
    by: tuple[str, ...] = ()
    top: tuple[str, ...] = ()
    top_n: int = 5
    mean: tuple[str, ...] = ()
    #: kind (category, priority, sla, owner, metric) -> id -> label, in the policy's order
    labels: Mapping[str, Mapping[str, str | None]] | None = None


class _Metric:
    """One metric in one scope: counters, tickets, and the seconds of every timed cycle."""

    __slots__ = ("counts", "tickets", "times")

    def __init__(self, spill: Spill | None) -> None:
        self.counts = [0] * len(_COUNTS)
        self.tickets = 0
        self.times = UsedTimes(spill)

    def merge(self, other: _Metric) -> None:
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
        self.tickets += other.tickets
        self.times.merge(other.times)

    def to_dict(self, label: str | None) -> dict[str, Any]:
        met, breached = self.counts[0], self.counts[1]
        median, p90 = self.times.percentiles()
        out: dict[str, Any] = {"label": label, "tickets": self.tickets}
        out["cycles"] = sum(self.counts) - self.counts[_PAUSED]
        out.update(zip(_COUNTS, self.counts, strict=True))
        out["attainment"] = met / (met + breached) if met + breached else None
        out["median_seconds"] = median
        out["p90_seconds"] = p90
        out["mean_seconds"] = self.times.mean()
        return out


class _Scope:
    """The whole review, or one group of it: tickets and metrics."""

    __slots__ = ("metrics", "spill", "tickets")

    def __init__(self, spill: Spill | None) -> None:
        self.tickets = 0
        self.metrics: dict[str, _Metric] = {}
        self.spill = spill

    def metric(self, name: str) -> _Metric:
        """The metric's counters in this scope (made on first use)."""
        found = self.metrics.get(name)
        if found is None:
            self.metrics[name] = found = _Metric(self.spill)
        return found

    def merge(self, other: _Scope) -> None:
        self.tickets += other.tickets
        for name, metric in other.metrics.items():
            self.metric(name).merge(metric)

    def metrics_dict(
        self, order: Sequence[str], labels: Mapping[str, str | None]
    ) -> dict[str, Any]:
        return {name: self.metrics[name].to_dict(labels.get(name)) for name in order}


class _Mean:
    """An exact running sum (a list of non-overlapping partials), so that parts merge into
    the same mean in any order."""

    __slots__ = ("count", "ignored", "missing", "partials")

    def __init__(self) -> None:
        self.partials: list[float] = []
        self.count = 0
        self.ignored = 0
        self.missing = 0

    def add(self, x: float) -> None:
        # Shewchuk's exact summation: the partials always sum exactly to the values so far
        partials = self.partials
        i = 0
        for y in partials:
            if abs(x) < abs(y):
                x, y = y, x
            high = x + y
            low = y - (high - x)
            if low:
                partials[i] = low
                i += 1
            x = high
        partials[i:] = [x]

    def merge(self, other: _Mean) -> None:
        for value in other.partials:
            self.add(value)
        self.count += other.count
        self.ignored += other.ignored
        self.missing += other.missing

    def to_dict(self) -> dict[str, Any]:
        mean = math.fsum(self.partials) / self.count if self.count else None
        return {"mean": mean, "count": self.count, "ignored": self.ignored, "missing": self.missing}


def _ticket_ref(ticket: Mapping[str, Any]) -> str | None:
    """The ticket's ``id`` as text (text or a whole number), else None."""
    value = ticket.get("id")
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _top_key(value: Any) -> Any:
    """How a value is counted: text as itself, other JSON values tagged with their kind (so
    that ``1``, ``true`` and ``"1"`` stay apart)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", value)
    return ("json", json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def _top_value(key: Any) -> Any:
    if isinstance(key, str):
        return key
    kind, value = key
    return json.loads(value) if kind == "json" else value


class Report:
    """The review of a policy over ticket histories at ``now``: ``Policy.report`` makes it.

    ``to_dict()`` is the JSON of ``slapolicy report --json``; ``rows()`` the per-cycle rows
    when the report was made with ``rows=True``. Counting rules: docs/report.md.
    """

    def __init__(self, setup: ReviewSetup, spill: Spill | None = None) -> None:
        self.setup = setup
        #: where the working times of the cycles overflow to (None: all kept in memory)
        self._spill = spill
        #: histories reviewed (read and given a status)
        self.tickets = 0
        #: histories that could not be read (bad JSON, not a history, refused by the policy)
        self.errors = 0
        #: the numbers (lines, rows, positions) of the first ``MAX_ERROR_LINES`` of them
        self.error_lines: list[int] = []
        #: ``line 7: why``, for the first few of them
        self.error_examples: list[str] = []
        self._total = _Scope(spill)
        self._groups: dict[str, dict[str, _Scope]] = {key: {} for key in setup.by}
        self._categories: dict[str, int] = {}
        self._top: dict[str, dict[Any, int]] = {name: {} for name in setup.top}
        self._top_missing: dict[str, int] = dict.fromkeys(setup.top, 0)
        self._means: dict[str, _Mean] = {name: _Mean() for name in setup.mean}
        self._rows: list[ReportRow] | None = None
        # whatever `by` is (the HTML page draws them): met and breached cycles per (month,
        # priority, owner) and metric, and per metric the timed cycles per bin of USED_EDGES
        # (the month as 202605: cheaper than text, and made text when read)
        self._cells: dict[tuple[int, str, str], dict[str, list[int]]] = {}
        self._used: dict[str, list[int]] = {}

    # ------------------------------------------------------------------ filling

    def error(self, number: int, message: str) -> None:
        """Count a history that could not be read."""
        self.errors += 1
        if len(self.error_lines) < MAX_ERROR_LINES:
            self.error_lines.append(number)
        if len(self.error_examples) < MAX_ERROR_EXAMPLES:
            self.error_examples.append(f"line {number}: {message}")

    def add(
        self,
        number: int,
        ticket: Mapping[str, Any],
        outcome: Outcome,
        rows: list[ReportRow] | None = None,
    ) -> None:
        """Count one history from its outcome at ``now`` (``Clock.outcome``: the numbers of
        its ``SlaStatus``); append its rows to ``rows``, if given."""
        self.tickets += 1
        total = self._total
        total.tickets += 1
        scopes = [total]
        start = outcome.started_at.astimezone(self.setup.zone)
        month = start.year * 100 + start.month
        for key, groups in self._groups.items():
            value = _group_value(key, outcome, month)
            scope = groups.get(value)
            if scope is None:
                groups[value] = scope = _Scope(self._spill)
            scope.tickets += 1
            scopes.append(scope)
        categories = self._categories
        categories[outcome.category] = categories.get(outcome.category, 0) + 1
        place = (month, outcome.priority, outcome.owner)
        cells = self._cells.get(place)
        if cells is None:
            self._cells[place] = cells = {}
        used = self._used
        ref = _ticket_ref(ticket) if rows is not None else None
        for name, cycles in outcome.metrics.items():
            metrics = []
            for scope in scopes:
                # (the dictionary read inline: this runs per metric and scope of every
                # history; scope.metric() makes it the first time)
                metric = scope.metrics.get(name) or scope.metric(name)
                metric.tickets += 1
                metrics.append(metric)
            cell = cells.get(name)
            if cell is None:
                cells[name] = cell = [0, 0]
            bins = used.get(name)
            if bins is None:
                used[name] = bins = [0] * (len(USED_EDGES) + 1)
            for cycle in cycles:
                state = cycle.state
                index = _INDEX[state]
                seconds = cycle.used_us / 1_000_000  # == TargetStatus.elapsed.total_seconds()
                for metric in metrics:
                    counts = metric.counts
                    counts[index] += 1
                    if index < _TIMED:
                        metric.times.append(seconds)
                        if state == "paused":
                            counts[_PAUSED] += 1
                if index < _TIMED:
                    if index < 2:  # met, breached
                        cell[index] += 1
                    share = cycle.percent_used
                    if share is not None:  # (None: a zero target)
                        found = bisect_left(USED_EDGES, share)
                        bins[_LATE_BIN if index == 1 and found < _LATE_BIN else found] += 1
                if rows is not None:
                    rows.append(_row(number, ref, outcome, name, cycle, seconds))
        if self._top:
            self._count_top(ticket)
        for field, mean in self._means.items():
            value = lookup(ticket, field)
            if value is MISSING:
                mean.missing += 1
                mean.ignored += 1
            elif type(value) in (int, float) and math.isfinite(value):
                mean.add(float(value))
                mean.count += 1
            else:
                mean.ignored += 1

    def _count_top(self, ticket: Mapping[str, Any]) -> None:
        for field, counter in self._top.items():
            value = lookup(ticket, field)
            if value is MISSING:
                self._top_missing[field] += 1
                continue
            for item in value if isinstance(value, list) else (value,):
                if item is None:
                    continue
                key = _top_key(item)
                counter[key] = counter.get(key, 0) + 1

    def flush_times(self) -> None:
        """Write every working time held in memory to the spill folder (a worker's report,
        before it travels to the parent: only file names travel)."""
        for scope in (self._total, *(s for g in self._groups.values() for s in g.values())):
            for metric in scope.metrics.values():
                metric.times.flush()

    def keep_rows(self, rows: list[ReportRow]) -> None:
        """Keep rows in memory for :meth:`rows` (``Policy.report(rows=True)``)."""
        if self._rows is None:
            self._rows = []
        self._rows.extend(rows)

    def merge(self, other: Report) -> None:
        """Add the report of the next part of the same histories (error lines stay in order)."""
        self.tickets += other.tickets
        self.errors += other.errors
        room = MAX_ERROR_LINES - len(self.error_lines)
        self.error_lines.extend(other.error_lines[: max(room, 0)])
        room = MAX_ERROR_EXAMPLES - len(self.error_examples)
        self.error_examples.extend(other.error_examples[: max(room, 0)])
        self._total.merge(other._total)
        for key, groups in other._groups.items():
            mine = self._groups.setdefault(key, {})
            for value, scope in groups.items():
                if value not in mine:
                    mine[value] = _Scope(self._spill)
                mine[value].merge(scope)
        for category, count in other._categories.items():
            self._categories[category] = self._categories.get(category, 0) + count
        for field, counter in other._top.items():
            into = self._top.setdefault(field, {})
            for key, count in counter.items():
                into[key] = into.get(key, 0) + count
            self._top_missing[field] = self._top_missing.get(field, 0) + other._top_missing[field]
        for field, mean in other._means.items():
            self._means.setdefault(field, _Mean()).merge(mean)
        for place, cells in other._cells.items():
            have = self._cells.setdefault(place, {})
            for name, cell in cells.items():
                have[name] = _added(have.get(name), cell)
        for name, bins in other._used.items():
            self._used[name] = _added(self._used.get(name), bins)
        if other._rows is not None:
            self.keep_rows(other._rows)

    # ------------------------------------------------------------------ reading

    @property
    def spill(self) -> Spill | None:
        """Where the working times of the cycles overflow to (None: kept in memory)."""
        return self._spill

    @property
    def now(self) -> datetime:
        """The instant the review describes."""
        return self.setup.now

    @property
    def by(self) -> tuple[str, ...]:
        """The group keys, in the order asked."""
        return self.setup.by

    def label(self, kind: str, ident: str) -> str | None:
        """The policy's label of a category, priority, sla, owner or metric id, if any."""
        labels = (self.setup.labels or {}).get(kind, {})
        return labels.get(ident)

    def metric_names(self) -> list[str]:
        """The metrics the review counted, in the policy's order."""
        return self._ordered("metric", self._total.metrics)

    def rows(self) -> Iterator[ReportRow]:
        """The per-cycle rows, in history order (kept only when made with ``rows=True``)."""
        if self._rows is None:
            raise ValueError(
                "this report kept no rows: make it with rows=True, or write them to a file "
                "with rows='rows.csv' (or .parquet)"
            )
        return iter(self._rows)

    def breakdown(self) -> list[dict[str, Any]]:
        """Met and breached cycles per month, priority, owner and metric, whatever ``by`` was:
        one ``{"month", "priority", "owner", "metric", "met", "breached"}`` per combination
        found (months in time order, the others in the policy's order). Not in ``to_dict()``;
        the HTML page draws attainment by month and priority and breaches by owner from it."""
        ranks = {kind: self._rank(kind) for kind in ("priority", "owner", "metric")}
        out = [
            {
                "month": f"{month // 100:04d}-{month % 100:02d}",
                "priority": priority,
                "owner": owner,
                "metric": name,
                "met": cell[0],
                "breached": cell[1],
            }
            for (month, priority, owner), cells in self._cells.items()
            for name, cell in cells.items()
        ]
        out.sort(
            key=lambda row: (
                row["month"],
                ranks["priority"](row["priority"]),
                ranks["owner"](row["owner"]),
                ranks["metric"](row["metric"]),
            )
        )
        return out

    def used_histogram(self) -> dict[str, list[int]]:
        """Working time used against the target, per metric in the policy's order: how many
        cycles (met, breached, running) fall in each bin of :data:`USED_EDGES` (16 counts), by
        their ``percent_used``. A breached cycle counts past the deadline (bin 10 or later)
        even when it ended in non-working time with exactly the target used; a cycle with a
        zero target is left out. Not in ``to_dict()``; the HTML page draws it."""
        return {name: list(self._used[name]) for name in self.metric_names() if name in self._used}

    def _rank(self, kind: str) -> Any:
        """A sort key for ids of ``kind``: the policy's order, unknown ids after, by name."""
        order = {ident: i for i, ident in enumerate((self.setup.labels or {}).get(kind, {}))}
        return lambda ident: (order.get(ident, len(order)), ident)

    def describe_error_lines(self, shown: int = 10) -> str:
        """``line 4`` or ``lines 4, 7, 9 and 12 more``: which histories could not be read."""
        lines = self.error_lines[:shown]
        text = ("line " if self.errors == 1 else "lines ") + ", ".join(map(str, lines))
        return text + (f" and {self.errors - len(lines)} more" if self.errors > len(lines) else "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON of the review (``slapolicy report --json``); seconds for durations."""
        metric_labels = (self.setup.labels or {}).get("metric", {})
        names = self.metric_names()
        groups: dict[str, Any] = {}
        for key in self.setup.by:
            found = self._groups.get(key, {})
            groups[key] = {
                value: {
                    "label": None if key == "month" else self.label(key, value),
                    "tickets": found[value].tickets,
                    "metrics": found[value].metrics_dict(
                        [n for n in names if n in found[value].metrics], metric_labels
                    ),
                }
                for value in self._ordered(key, found)
            }
        return {
            "policy": {"name": self.setup.policy_name, "version": self.setup.policy_version},
            "now": self.setup.now.isoformat(),
            "tickets": self.tickets,
            "metrics": self._total.metrics_dict(names, metric_labels),
            "groups": groups,
            "categories": self._categories_dict(),
            "top": self._top_dict(),
            "mean": {field: mean.to_dict() for field, mean in self._means.items()},
            "errors": self.errors,
            "error_lines": list(self.error_lines),
            "error_examples": list(self.error_examples),
            "percentile_method": PERCENTILE_METHOD,
        }

    def _ordered(self, kind: str, found: Mapping[str, Any]) -> list[str]:
        """The ids of ``found`` in the policy's order (months in time order), others after."""
        known = [i for i in (self.setup.labels or {}).get(kind, {}) if i in found]
        return known + sorted(set(found) - set(known))

    def _categories_dict(self) -> dict[str, Any]:
        """Every category of the policy (in its order) with its tickets and share."""
        ids = list((self.setup.labels or {}).get("category", {}))
        ids += sorted(set(self._categories) - set(ids))
        return {
            ident: {
                "label": self.label("category", ident),
                "tickets": self._categories.get(ident, 0),
                "share": self._categories.get(ident, 0) / self.tickets if self.tickets else None,
            }
            for ident in ids
        }

    def _top_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field, counter in self._top.items():
            # the most frequent first; equal counts in the order first seen (stable sort)
            best = sorted(counter.items(), key=lambda item: -item[1])[: self.setup.top_n]
            out[field] = {
                "tickets": self.tickets - self._top_missing.get(field, 0),
                "missing": self._top_missing.get(field, 0),
                "distinct": len(counter),
                "values": [{"value": _top_value(k), "count": n} for k, n in best],
            }
        return out


def _added(mine: list[int] | None, other: list[int]) -> list[int]:
    return list(other) if mine is None else [a + b for a, b in zip(mine, other, strict=True)]


def _group_value(key: str, outcome: Outcome, month: int) -> str:
    if key == "month":
        return f"{month // 100:04d}-{month % 100:02d}"
    value: str = getattr(outcome, key)
    return value


def _row(
    number: int,
    ref: str | None,
    outcome: Outcome,
    name: str,
    cycle: CycleOutcome,
    seconds: float,
) -> ReportRow:
    cal = cycle.calendar
    start = due = stopped = None
    if cal is not None:  # (a pending metric has no instants)
        assert cycle.start_us is not None
        assert cycle.due_us is not None
        start, due = cal.from_us(cycle.start_us), cal.from_us(cycle.due_us)
        stopped = None if cycle.stop_us is None else cal.from_us(cycle.stop_us)
    return ReportRow(
        number,
        ref,
        outcome.category,
        outcome.priority,
        outcome.sla,
        outcome.owner,
        name,
        cycle.cycle,
        cycle.state,
        start,
        due,
        stopped,
        seconds,
        due if cycle.state == "breached" else None,
    )
