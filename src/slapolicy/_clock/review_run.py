"""Running a review: histories from a file or an iterable, in this process or on every core.

``Policy.report`` comes here. Each history is read, replayed to ``now`` by the policy's
clock (``Clock.outcome``: the numbers of ``policy.status``) and counted into a
:class:`Report`; nothing else of it is kept. With ``jobs > 1`` a JSON lines file is cut into
byte ranges at line starts and a Parquet file into row groups (an iterable, or a Parquet
file of one row group, is sent to the processes in chunks); each process reviews its parts
with its own copy of the policy (it pickles as its source) and the parent merges the
partial reports in file order. Rows for a file are written by each process to a part file
and appended in order, so the rows come out as one process would write them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime, tzinfo
from typing import Any, Protocol

from .._calendar import InstantReader
from .._compile import Rules
from .._errors import CalendarError, SlaPolicyError, TicketError
from .histories import (
    ReportRow,
    RowSink,
    history_of,
    is_parquet,
    line_parts,
    open_rows,
    parquet_parts,
    parquet_records,
    parse_line,
    read_lines,
)
from .replay import Clock
from .review import GROUP_KEYS, Report, ReviewSetup
from .used_times import Spill

__all__ = ["CHUNK", "MIN_PART_BYTES", "PARTS_PER_JOB", "make_setup", "run_review"]

#: a JSON lines file is cut in at most this many ranges per process ...
PARTS_PER_JOB = 8
#: ... of at least this many bytes (a smaller file is read in this process)
MIN_PART_BYTES = 1 << 20
#: histories of an iterable (or a one-row-group Parquet file) sent to a process at a time
CHUNK = 2000
#: rows handed to a sink at a time
_ROWS_AT_ONCE = 4096
#: histories or bytes between two calls of ``on_progress`` in this process
_PROGRESS_LINES = 1024


class Reviewed(Protocol):
    """What a review needs of a policy (``Policy`` is one)."""

    @property
    def rules(self) -> Rules: ...

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def timezone(self) -> tzinfo: ...

    @property
    def clock(self) -> Clock: ...


Progress = Callable[[int], object]
Out = Callable[[list[ReportRow]], None]


def make_setup(
    policy: Reviewed,
    now: datetime | str,
    by: str | Sequence[str],
    top: str | Sequence[str] | None,
    top_n: int,
    mean: str | Sequence[str] | None,
) -> ReviewSetup:
    """Check the arguments of a review (``ValueError``; ``TicketError`` for ``now``)."""
    reader = InstantReader(policy.timezone)
    try:
        instant = reader.from_us(reader.to_us(now))
    except CalendarError as exc:
        raise TicketError(f"invalid `now`: {exc}") from None
    keys = [k.strip() for k in by.split(",")] if isinstance(by, str) else list(by)
    keys = [k for k in keys if k]
    for key in keys:
        if key not in GROUP_KEYS:
            raise ValueError(f"cannot group by {key!r}; choose from {', '.join(GROUP_KEYS)}")
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise ValueError(f"top_n must be a whole number of at least 1, got {top_n!r}")
    rules = policy.rules
    labels: dict[str, dict[str, str | None]] = {
        "category": {rule.id: rule.label for rule in rules.categories},
        "priority": {rule.id: rule.label for rule in rules.priorities},
        "sla": {sla.rule.id: sla.rule.label for sla in rules.slas},
        "owner": {ident: owner.label for ident, owner in rules.owners.items()},
        "metric": {name: metric.label for name, metric in rules.metrics.items()},
    }
    return ReviewSetup(
        policy_name=policy.name,
        policy_version=policy.version,
        now=instant,
        zone=policy.timezone,
        by=tuple(dict.fromkeys(keys)),
        top=_fields(top, "top"),
        top_n=top_n,
        mean=_fields(mean, "mean"),
        labels=labels,
    )


def _fields(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    names = [] if value is None else [value] if isinstance(value, str) else list(value)
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"{what}: a field path must be non-empty text, got {name!r}")
    return tuple(dict.fromkeys(names))


def run_review(
    policy: Reviewed,
    history: Iterable[Mapping[str, Any]] | str | os.PathLike[str],
    setup: ReviewSetup,
    *,
    rows: bool | str | os.PathLike[str] = False,
    rows_format: str | None = None,
    jobs: int | None = None,
    on_progress: Progress | None = None,
) -> Report:
    """Review ``history`` (a file path or an iterable of histories) under ``policy``."""
    workers = (os.cpu_count() or 1) if jobs is None else jobs
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"jobs must be a whole number of at least 1, got {jobs!r}")
    keep = rows is True
    target = None if isinstance(rows, bool) else os.fspath(rows)
    kind = rows_format or _kind_of(target)
    if kind not in ("csv", "parquet"):
        raise ValueError(f"rows_format must be 'csv' or 'parquet', got {kind!r}")
    zone = getattr(setup.zone, "key", None) or "UTC"
    source = os.fspath(history) if isinstance(history, str | os.PathLike) else None
    if source is not None:
        with open(source, "rb"):  # FileNotFoundError, IsADirectoryError, PermissionError
            pass
    sink = None if target is None else open_rows(target, kind, zone)
    run = _Run(policy, setup, workers, keep, sink, kind, target, on_progress)
    try:
        if source is None:
            assert not isinstance(history, str | os.PathLike)
            run.iterable(enumerate(history, start=1), columns=False)
        elif is_parquet(source):
            run.parquet(source)
        else:
            run.lines(source)
    finally:
        if sink is not None:
            sink.close()
    return run.report


def _kind_of(target: str | None) -> str:
    if target is not None and target.lower().endswith((".parquet", ".pq")):
        return "parquet"
    return "csv"


class _Run:
    """One review: where its histories come from, where its rows go, how many processes."""

    def __init__(
        self,
        policy: Reviewed,
        setup: ReviewSetup,
        workers: int,
        keep: bool,
        sink: RowSink | None,
        kind: str,
        target: str | None,
        on_progress: Progress | None,
    ) -> None:
        self.policy = policy
        self.setup = setup
        self.workers = workers
        self.keep = keep
        self.sink = sink
        self.kind = kind
        self.target = target
        self.progress = on_progress
        # the working times overflow to this folder (processes write into it too); it goes
        # when the report does
        self.spill = Spill()
        self.report = Report(setup, self.spill)
        if keep:
            self.report.keep_rows([])  # rows() answers, even with no rows
        self.said: set[str] = set()

    def out(self) -> Out | None:
        """Where this process puts rows: the file, the report, or nowhere."""
        if self.sink is not None:
            return self.sink.write
        return self.report.keep_rows if self.keep else None

    # ------------------------------------------------------------------ sources

    def lines(self, path: str) -> None:
        parts = [(0, -1, 1)]
        if self.workers > 1:
            parts = line_parts(path, self.workers * PARTS_PER_JOB, MIN_PART_BYTES)
        if len(parts) == 1:
            items = _line_items(path, 0, -1, 1, self.progress)
            review(self.report, self.policy, self.setup.now, items, False, self.out())
            return
        tasks = [(("lines", path, start, end, first), end - start) for start, end, first in parts]
        self._parallel(tasks)

    def parquet(self, path: str) -> None:
        groups = parquet_parts(path)
        if self.workers > 1 and len(groups) > 1:
            self._parallel((("parquet", path, group, first), rows) for group, first, rows in groups)
            return
        self.iterable(enumerate(parquet_records(path), start=1), columns=True)

    def iterable(self, items: Iterator[tuple[int, Any]], *, columns: bool) -> None:
        first = _take(items, CHUNK)
        if self.workers == 1 or len(first) < CHUNK:
            review(self.report, self.policy, self.setup.now, first, columns, self.out())
            self._advance(len(first))
            rest = _counted(items, self.progress)
            review(self.report, self.policy, self.setup.now, rest, columns, self.out())
            return
        chunks = _chunks(first, items)
        tasks = ((("chunk", columns, chunk), len(chunk)) for chunk in chunks)
        self._parallel(tasks)

    # ------------------------------------------------------------------ processes

    def _parallel(self, tasks: Iterable[tuple[Any, int]]) -> None:
        """Run tasks on the processes (at most two per process waiting), merging in order."""
        folder = None
        if self.sink is not None and self.target is not None:
            folder = tempfile.mkdtemp(
                prefix=".slapolicy-rows-", dir=os.path.dirname(os.path.abspath(self.target))
            )
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            initializer=_start_worker,
            # the workers write into the parent's folder, made now, without owning it
            initargs=(self.policy, self.setup, Spill(self.spill.folder)),
        )
        waiting: deque[tuple[Future[Any], str | None, int]] = deque()
        try:
            for number, (task, size) in enumerate(tasks):
                part = None if folder is None else os.path.join(folder, f"part-{number:06d}")
                future = pool.submit(_work, task, part, self.kind, self.keep)
                waiting.append((future, part, size))
                while len(waiting) > 2 * self.workers:
                    self._collect(*waiting.popleft())
            while waiting:
                self._collect(*waiting.popleft())
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            pool.shutdown(wait=True)
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def _collect(self, future: Future[Any], part: str | None, size: int) -> None:
        report, caught = future.result()
        self.report.merge(report)
        if part is not None and self.sink is not None:
            self.sink.append(part)
            os.remove(part)
        for category, message in caught:  # a worker's warnings, each text once, said here
            if message not in self.said:
                self.said.add(message)
                warnings.warn(message, category, stacklevel=4)
        self._advance(size)

    def _advance(self, amount: int) -> None:
        if self.progress is not None and amount:
            self.progress(amount)


# --------------------------------------------------------------------------- reviewing


def review(
    report: Report,
    policy: Reviewed,
    now: datetime,
    items: Iterable[tuple[int, Any]],
    columns: bool,
    out: Out | None,
) -> None:
    """Count every ``(number, value)`` into ``report``.

    A value that is no history, and a history the policy refuses (``TicketError``), are
    counted as errors with their number.
    """
    outcome = policy.clock.outcome
    rows: list[ReportRow] | None = [] if out is not None else None
    for number, value in items:
        found = history_of(value, columns=columns)
        if isinstance(found, str):
            report.error(number, found)
            continue
        ticket, events = found
        try:
            result = outcome(ticket, events, now)
        except SlaPolicyError as exc:
            report.error(number, str(exc))
            continue
        except RecursionError:
            report.error(number, "the ticket or its events are nested too deeply")
            continue
        report.add(number, ticket, result, rows)
        if rows is not None and len(rows) >= _ROWS_AT_ONCE:
            assert out is not None
            out(rows)
            rows = []
    if rows and out is not None:
        out(rows)


def _line_items(
    path: str, start: int, end: int, first: int, progress: Progress | None
) -> Iterator[tuple[int, Any]]:
    """The parsed lines of a range (blank ones left out), telling ``progress`` the bytes
    read now and then."""
    done = 0
    for count, (number, raw) in enumerate(read_lines(path, start, end, first), start=1):
        done += len(raw)
        if progress is not None and count % _PROGRESS_LINES == 0:
            progress(done)
            done = 0
        value = parse_line(raw)
        if value is not None:
            yield number, value
    if progress is not None and done:
        progress(done)


def _counted(items: Iterator[tuple[int, Any]], progress: Progress | None) -> Iterator[Any]:
    """``items``, telling ``progress`` how many went by now and then."""
    if progress is None:
        yield from items
        return
    count = 0
    for item in items:
        yield item
        count += 1
        if count == _PROGRESS_LINES:
            progress(count)
            count = 0
    if count:
        progress(count)


def _take(items: Iterator[tuple[int, Any]], count: int) -> list[tuple[int, Any]]:
    out = []
    for item in items:
        out.append(item)
        if len(out) == count:
            break
    return out


def _chunks(
    first: list[tuple[int, Any]], items: Iterator[tuple[int, Any]]
) -> Iterator[list[tuple[int, Any]]]:
    yield first
    while chunk := _take(items, CHUNK):
        yield chunk


# --------------------------------------------------------------------------- worker processes

#: the policy and setup of this worker process (set once by the pool's initializer)
_WORKER: dict[str, Any] = {}


def _start_worker(policy: Reviewed, setup: ReviewSetup, spill: Spill | None) -> None:
    _WORKER["policy"] = policy
    _WORKER["setup"] = setup
    _WORKER["spill"] = spill  # (the parent's folder: a pickled Spill never removes it)


def _work(
    task: tuple[Any, ...], part: str | None, kind: str, keep: bool
) -> tuple[Report, list[tuple[type[Warning], str]]]:
    """Review one part in a worker: its report (rows kept, or written to ``part``) and the
    warnings it raised, each text once (the parent says them)."""
    policy: Reviewed = _WORKER["policy"]
    setup: ReviewSetup = _WORKER["setup"]
    report = Report(setup, _WORKER["spill"])
    if keep:
        report.keep_rows([])
    caught: dict[str, type[Warning]] = {}

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        caught.setdefault(str(message), category)

    zone = getattr(setup.zone, "key", None) or "UTC"
    sink = None if part is None else open_rows(part, kind, zone, header=False)
    out: Out | None = sink.write if sink is not None else report.keep_rows if keep else None
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        try:
            items, columns = _task_items(task)
            review(report, policy, setup.now, items, columns, out)
        finally:
            if sink is not None:
                sink.close()
    report.flush_times()  # (the parent's memory then holds no worker's working times)
    return report, [(category, message) for message, category in caught.items()]


def _task_items(task: tuple[Any, ...]) -> tuple[Iterable[tuple[int, Any]], bool]:
    what = task[0]
    if what == "lines":
        _, path, start, end, first = task
        return _line_items(path, start, end, first, None), False
    if what == "parquet":
        _, path, group, first = task
        return enumerate(parquet_records(path, [group]), start=first), True
    _, columns, chunk = task
    return chunk, columns
