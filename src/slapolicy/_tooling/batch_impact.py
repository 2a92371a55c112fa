"""``slapolicy diff`` on the batch engine: JSON lines or Parquet, in batches, on every core.

The tickets are read a batch at a time (JSON lines: ``BATCH_LINES`` lines; Parquet: its
record batches), both policies decide the batch with ``Policy.evaluate_batches``, and the
two Arrow tables are compared column by column into the same :class:`ImpactReport` that the
ticket-by-ticket comparison (:func:`.impact.compare_stream`, the reference) fills: the same
counters, transitions, deadline shifts, examples and errors, in the same order. Memory holds
one batch per process, whatever the size of the file.

With ``jobs > 1`` the file is cut into byte ranges at line starts (Parquet: into row
groups), each process compares its ranges with its own copy of the two policies (pickled:
they travel as their source), and the reports are merged in file order.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._jsonlines import MAX_LINE, line_parts, read_json_line, read_lines, read_object_fast
from .._policy import Policy
from .impact import FIELDS, DeadlineShift, ImpactReport, ticket_ref

__all__ = ["BATCH_LINES", "compare_file", "merge_reports"]

#: JSON lines per batch
BATCH_LINES = 20_000
#: byte ranges per process: enough to balance the load, few enough to stay cheap to merge
_RANGES_PER_JOB = 4


def compare_file(
    old: Policy,
    new: Policy,
    path: str,
    *,
    per_kind: int = 3,
    jobs: int = 1,
    parquet: bool = False,
    on_bytes: Callable[[int], object] | None = None,
) -> ImpactReport:
    """Compare ``old`` and ``new`` on every ticket of the file at ``path``."""
    now = datetime.now(timezone.utc)  # one instant for tickets without a start, both sides
    tasks = _parquet_tasks(path) if parquet else _line_tasks(path, jobs)
    if jobs <= 1 or len(tasks) <= 1:
        reports = [_run(old, new, path, task, per_kind, now, parquet, on_bytes) for task in tasks]
        return merge_reports(reports, per_kind)
    reports = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(_run_recording, old, new, path, task, per_kind, now, parquet)
            for task in tasks
        ]
        said: set[str] = set()
        for task, future in zip(tasks, futures, strict=True):
            report, caught = future.result()
            reports.append(report)
            for category, message in caught:  # a worker's warnings, once each, said here
                if message not in said:
                    said.add(message)
                    warnings.warn(message, category, stacklevel=2)
            if on_bytes is not None and not parquet:
                on_bytes(task[1] - task[0])
    return merge_reports(reports, per_kind)


def merge_reports(reports: Sequence[ImpactReport], per_kind: int) -> ImpactReport:
    """One report of several parts of a file, in file order (their examples come first)."""
    out = ImpactReport(per_kind=per_kind)
    for part in reports:
        out.tickets += part.tickets
        out.unchanged += part.unchanged
        for name, count in part.changed.items():
            out.changed[name] = out.changed.get(name, 0) + count
        for name, pairs in part.transitions.items():
            merged = out.transitions.setdefault(name, {})
            for key, count in pairs.items():
                merged[key] = merged.get(key, 0) + count
        for target, shift in part.deadlines.items():
            into = out.deadlines.setdefault(target, DeadlineShift())
            into.changed += shift.changed
            into.added += shift.added
            into.removed += shift.removed
            into.earlier += shift.earlier
            into.later += shift.later
            into.total_seconds += shift.total_seconds
            into.max_earlier = max(into.max_earlier, shift.max_earlier)
            into.max_later = max(into.max_later, shift.max_later)
        for kind, items in part.examples.items():
            out.examples.setdefault(kind, [])  # a kind that changed, even with no examples kept
            for item in items:
                out.add_example(kind, item)
        for kind, count in part.errors.items():
            out.errors[kind] = out.errors.get(kind, 0) + count
        room = per_kind * 3 - len(out.error_examples)
        out.error_examples.extend(part.error_examples[: max(room, 0)])
        room = 1000 - len(out.error_lines)
        out.error_lines.extend(part.error_lines[: max(room, 0)])
    return out


# --------------------------------------------------------------------------- tasks

#: a part of the file: (first byte, end byte, number of its first line), or a row group
_Task = tuple[int, int, int]


def _line_tasks(path: str, jobs: int) -> list[_Task]:
    """Byte ranges of whole lines, with the number of each range's first line."""
    return line_parts(path, jobs * _RANGES_PER_JOB if jobs > 1 else 1, 1)


def _parquet_tasks(path: str) -> list[_Task]:
    import pyarrow.parquet as pq

    metadata = pq.ParquetFile(path).metadata
    tasks: list[_Task] = []
    row = 1
    for group in range(metadata.num_row_groups):
        rows = metadata.row_group(group).num_rows
        tasks.append((group, group + 1, row))
        row += rows
    return tasks or [(0, 0, 1)]


def _run_recording(
    old: Policy,
    new: Policy,
    path: str,
    task: _Task,
    per_kind: int,
    now: datetime,
    parquet: bool,
) -> tuple[ImpactReport, list[tuple[type[Warning], str]]]:
    """:func:`_run` in a worker process, with the warnings it raised (the parent says them)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = _run(old, new, path, task, per_kind, now, parquet, None)
    return report, [(w.category, str(w.message)) for w in caught]


def _run(
    old: Policy,
    new: Policy,
    path: str,
    task: _Task,
    per_kind: int,
    now: datetime,
    parquet: bool,
    on_bytes: Callable[[int], object] | None,
) -> ImpactReport:
    """Compare one part of the file (in this process or a worker)."""
    report = ImpactReport(per_kind=per_kind)
    batches = _parquet_batches(path, task) if parquet else _json_batches(path, task, on_bytes)
    for lines, tickets, errors in batches:
        if not lines:
            record_errors(report, [(line, "invalid_json", text) for line, text in errors])
            continue
        # (both policies see the same batch: an Arrow table is read once, not twice)
        before = old.evaluate_batch(tickets, now=now)
        after = new.evaluate_batch(tickets, now=now)
        record_tables(report, lines, _refs(tickets), before, after, unreadable=errors)
    report.error_lines.sort()
    return report


_Batch = tuple[list[int], Any, list[tuple[int, str]]]


def _json_batches(
    path: str, task: _Task, on_bytes: Callable[[int], object] | None
) -> Iterator[_Batch]:
    """Batches of parsed JSON lines: (line numbers, tickets, unreadable lines)."""
    lines: list[int] = []
    tickets: list[Any] = []
    errors: list[tuple[int, str]] = []
    for number, raw in read_lines(path, *task):
        if on_bytes is not None:
            on_bytes(len(raw))
        ticket, message = _parse(raw)
        if message is not None:
            errors.append((number, message))
        elif ticket is not None:
            lines.append(number)
            tickets.append(ticket)
        if len(lines) >= BATCH_LINES:
            yield lines, tickets, errors
            lines, tickets, errors = [], [], []
    if lines or errors:
        yield lines, tickets, errors


def _parse(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """One JSON line: the ticket, or why it is not one (a blank line is neither)."""
    if len(raw) > MAX_LINE:
        return None, "line longer than 10 MiB"
    fast = read_object_fast(raw)  # (orjson, where it reads exactly as json)
    if fast is not None:
        return fast, None
    if not raw.strip():
        return None, None
    ticket, message = read_json_line(raw)
    if message is not None:
        return None, message
    if not isinstance(ticket, dict):
        return None, "not a JSON object"
    return ticket, None


def _parquet_batches(path: str, task: _Task) -> Iterator[_Batch]:
    import pyarrow.parquet as pq

    first_group, end_group, row = task
    reader = pq.ParquetFile(path)
    for group in range(first_group, end_group):
        table = reader.read_row_group(group)
        for batch in table.to_batches(max_chunksize=BATCH_LINES):
            lines = list(range(row, row + batch.num_rows))
            row += batch.num_rows
            yield lines, pa.Table.from_batches([batch]), []


def _refs(tickets: Any) -> list[Any]:
    """Each ticket's ``id`` (text or a whole number), for the examples."""
    if isinstance(tickets, pa.Table):
        if "id" not in tickets.column_names:
            return [None] * tickets.num_rows
        values = tickets.column("id").to_pylist()
    else:
        values = [t.get("id") for t in tickets]
    return [ticket_ref(value) for value in values]


# --------------------------------------------------------------------------- comparing


def record_errors(report: ImpactReport, errors: list[tuple[int, str, str]]) -> None:
    """Lines that could not be compared, (line, kind, message), said in line order."""
    for line, kind, message in sorted(errors, key=lambda error: error[0]):
        report.error(kind, line, message)


def record_tables(
    report: ImpactReport,
    lines: list[int],
    refs: list[Any],
    old: pa.Table,
    new: pa.Table,
    *,
    unreadable: Sequence[tuple[int, str]] = (),
) -> None:
    """Compare the decisions of one batch (as ``ImpactReport.record`` does ticket by ticket).

    ``unreadable`` are the batch's lines that were no ticket (line, why): they are reported
    with the tickets a policy could not evaluate, in line order, as the reference does.
    """
    old_errors = old.column("error").to_pylist()
    new_errors = new.column("error").to_pylist()
    good = np.ones(len(lines), dtype=np.bool_)
    errors = [(line, "invalid_json", message) for line, message in unreadable]
    for row, (a, b) in enumerate(zip(old_errors, new_errors, strict=True)):
        if a is not None:
            errors.append((lines[row], "old", a))
            good[row] = False
        elif b is not None:
            errors.append((lines[row], "new", b))
            good[row] = False
    record_errors(report, errors)
    report.tickets += int(good.sum())
    changed = np.zeros(len(lines), dtype=np.bool_)
    for name in FIELDS:
        a_values = old.column(name)
        b_values = new.column(name)
        differs = _not_equal(a_values, b_values) & good
        rows = np.flatnonzero(differs)
        if not len(rows):
            continue
        changed |= differs
        report.changed[name] += len(rows)
        report.examples.setdefault(name, [])
        a_list = a_values.take(pa.array(rows)).to_pylist()
        b_list = b_values.take(pa.array(rows)).to_pylist()
        pairs = report.transitions.setdefault(name, {})
        for key, count in Counter(
            f"{a} -> {b}" for a, b in zip(a_list, b_list, strict=True)
        ).items():
            pairs[key] = pairs.get(key, 0) + count
        for row, a, b in zip(rows.tolist(), a_list, b_list, strict=True):
            if len(report.examples.get(name, ())) >= report.per_kind:
                break
            report.add_example(name, {"line": lines[row], "ticket": refs[row], "old": a, "new": b})
    targets = sorted(
        {n[: -len("_due")] for n in (*old.column_names, *new.column_names) if n.endswith("_due")}
    )
    for target in targets:
        changed |= _record_target(report, target, lines, refs, old, new, good)
    report.unchanged += int((good & ~changed).sum())


def _record_target(
    report: ImpactReport,
    target: str,
    lines: list[int],
    refs: list[Any],
    old: pa.Table,
    new: pa.Table,
    good: np.ndarray,
) -> np.ndarray:
    """One target's due instants of a batch: added, removed or moved; the rows that changed."""
    a_us, a_has = _instants(old, f"{target}_due", len(lines))
    b_us, b_has = _instants(new, f"{target}_due", len(lines))
    added = ~a_has & b_has & good
    removed = a_has & ~b_has & good
    moved = a_has & b_has & (a_us != b_us) & good
    touched: np.ndarray = np.asarray(added | removed | moved, dtype=np.bool_)
    if not touched.any():
        return touched
    shift = report.deadlines.setdefault(target, DeadlineShift())
    shift.changed += int(added.sum() + removed.sum())
    shift.added += int(added.sum())
    shift.removed += int(removed.sum())
    deltas = (b_us - a_us)[moved]
    if len(deltas):
        shift.changed += len(deltas)
        shift.total_seconds += float(deltas.sum()) / 1e6
        earlier = deltas[deltas < 0]
        later = deltas[deltas >= 0]
        shift.earlier += len(earlier)
        shift.later += len(later)
        if len(earlier):
            shift.max_earlier = max(shift.max_earlier, timedelta(microseconds=int(-earlier.min())))
        if len(later):
            shift.max_later = max(shift.max_later, timedelta(microseconds=int(later.max())))
    kind = f"{target}_due"
    report.examples.setdefault(kind, [])
    room = report.per_kind - len(report.examples[kind])
    if room > 0:
        wanted = np.flatnonzero(touched)[:room]  # only these rows become Python datetimes
        a_col = _rows(old, kind, wanted)
        b_col = _rows(new, kind, wanted)
        for row, a, b in zip(wanted.tolist(), a_col, b_col, strict=True):
            item: dict[str, Any] = {
                "line": lines[row],
                "ticket": refs[row],
                "old": None if a is None else a.isoformat(),
                "new": None if b is None else b.isoformat(),
            }
            if moved[row]:
                item["shift_seconds"] = (b - a).total_seconds()
            report.add_example(kind, item)
    return touched


def _not_equal(a: pa.ChunkedArray, b: pa.ChunkedArray) -> np.ndarray:
    """Rows where two string columns differ (a null differs from a value)."""
    differs = pc.fill_null(pc.not_equal(a, b), True)
    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
    result = pc.and_not(differs, both_null)
    rows: np.ndarray = np.asarray(result.to_numpy(zero_copy_only=False), dtype=np.bool_)
    return rows


def _instants(table: pa.Table, name: str, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """A due column as microseconds, and where it has a value (absent: nowhere)."""
    if name not in table.column_names:
        return np.zeros(rows, dtype=np.int64), np.zeros(rows, dtype=np.bool_)
    column = table.column(name).cast(pa.int64())
    has = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)
    values = np.asarray(column.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    return values, has


def _rows(table: pa.Table, name: str, rows: np.ndarray) -> list[Any]:
    """The values of a column at some rows, as Python objects (absent column: None)."""
    if name not in table.column_names:
        return [None] * len(rows)
    values: list[Any] = table.column(name).take(pa.array(rows)).to_pylist()
    return values
