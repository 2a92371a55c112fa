"""Histories in, rows out: what ``Policy.report`` reads and the per-cycle rows it writes.

A history is one ticket with its events, ``{"ticket": {...}, "events": [...]}``: a line of a
JSON lines file, a row of a Parquet file (columns ``ticket`` and ``events``, as a struct and
a list of structs or as JSON text), or an item of any iterable. Each is numbered from 1 (its
line, its row, its position) so that one that cannot be read is reported by its number.

For processes, a JSON lines file is cut into byte ranges that begin at a line start (each
range knows the number of its first line) and a Parquet file into row groups; a process
reads its part alone. pyarrow (the ``batch`` extra) is imported only for Parquet.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, TextIO

from .._jsonlines import MAX_LINE, line_parts, read_json_line, read_lines, read_object_fast

__all__ = [
    "MAX_LINE",
    "ROW_COLUMNS",
    "CsvRows",
    "ParquetRows",
    "ReportRow",
    "RowSink",
    "history_of",
    "is_parquet",
    "line_parts",
    "open_rows",
    "parquet_parts",
    "parquet_records",
    "parse_line",
    "read_lines",
    "row_count",
]

#: Parquet rows converted to Python at a time
_PARQUET_BATCH = 4096
#: rows buffered before a Parquet record batch is written
_PARQUET_ROWS = 65_536


class ReportRow(NamedTuple):
    """One cycle of one targeted metric of one history (a pending metric: one row, cycle 0).

    ``line`` is the history's number (line, row or position, from 1); ``ticket`` the
    ticket's ``id`` as text, if it has one; ``category`` .. ``owner`` the decision at
    ``now``. Instants are aware datetimes in the policy's zone; ``elapsed_seconds`` is the
    working time the cycle used, pauses excluded, up to its stop (or ``now``).
    """

    line: int
    ticket: str | None
    category: str
    priority: str
    sla: str
    owner: str
    metric: str
    cycle: int
    state: str
    start: datetime | None
    due: datetime | None
    stopped_at: datetime | None
    elapsed_seconds: float
    breached_at: datetime | None


#: the columns of the CSV and Parquet files of rows, in order (the fields of ReportRow)
ROW_COLUMNS: tuple[str, ...] = (
    "line",
    "ticket",
    "category",
    "priority",
    "sla",
    "owner",
    "metric",
    "cycle",
    "state",
    "start",
    "due",
    "stopped_at",
    "elapsed_seconds",
    "breached_at",
)


# --------------------------------------------------------------------------- reading


def is_parquet(path: str) -> bool:
    """True when the file starts with Parquet's magic bytes (whatever its name)."""
    with open(path, "rb") as stream:
        return stream.read(4) == b"PAR1"


def parse_line(raw: bytes) -> Any:
    """The JSON value of one line, or an error message (``str``); None for a blank line.

    A line holding a JSON string decodes to a ``str`` too, so callers get a message back
    for it from :func:`history_of` (a string is not an object): the two never mix up.
    """
    fast = read_object_fast(raw)  # (orjson, where it reads exactly as json)
    if fast is not None:
        return fast
    if not raw.strip():
        return None
    value, message = read_json_line(raw, invalid="invalid JSON: ")
    return value if message is None else _Unreadable(message)


class _Unreadable(str):
    """Why a line is no JSON at all (a plain ``str`` is a JSON string value)."""

    __slots__ = ()


def history_of(value: Any, *, columns: bool = False) -> tuple[Mapping[str, Any], Any] | str:
    """The ticket and events of one history, or why it is not one (a message).

    ``columns``: the value is a Parquet row, whose ``ticket`` and ``events`` may be JSON
    text, and whose events carry null for every struct field they do not have (dropped,
    since Parquet cannot tell a missing key from a null one).
    """
    if isinstance(value, _Unreadable):
        return str(value)
    if not isinstance(value, Mapping):
        return f"a history must be an object, got {_kind(value)}"
    ticket = value.get("ticket")
    events = value.get("events")
    if columns:
        try:
            ticket = json.loads(ticket) if isinstance(ticket, str) else ticket
            events = json.loads(events) if isinstance(events, str) else _without_nulls(events)
        except (json.JSONDecodeError, RecursionError) as exc:
            return f"invalid JSON text in a column: {exc}"
    if ticket is None:
        return "no 'ticket'"
    if not isinstance(ticket, Mapping):
        return f"'ticket' must be an object, got {_kind(ticket)}"
    if events is None:
        return ticket, ()
    if not isinstance(events, list | tuple):
        return f"'events' must be a list, got {_kind(events)}"
    return ticket, events


def _kind(value: Any) -> str:
    names = {str: "text", bool: "a boolean", int: "a number", float: "a number", list: "a list"}
    names[type(None)] = "null"
    return names.get(type(value), type(value).__name__)


def _without_nulls(value: Any) -> Any:
    """Mappings (at any depth) without their null entries; lists keep their items."""
    if isinstance(value, Mapping):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def parquet_parts(path: str) -> list[tuple[int, int, int]]:
    """``(row group, number of its first row, rows)`` for every row group of a Parquet file."""
    import pyarrow.parquet as pq

    metadata = pq.ParquetFile(path).metadata
    out: list[tuple[int, int, int]] = []
    row = 1
    for group in range(metadata.num_row_groups):
        rows = metadata.row_group(group).num_rows
        out.append((group, row, rows))
        row += rows
    return out


def parquet_records(path: str, groups: Sequence[int] | None = None) -> Iterator[dict[str, Any]]:
    """The rows of a Parquet file (or of some of its row groups) as mappings, streamed.

    Raises ``ValueError`` when the file lacks the ``ticket`` or ``events`` column.
    """
    import pyarrow.parquet as pq

    reader = pq.ParquetFile(path)
    names = reader.schema_arrow.names
    missing = [name for name in ("ticket", "events") if name not in names]
    if missing:
        raise ValueError(
            f"a Parquet file of histories needs the columns ticket and events; "
            f"{' and '.join(missing)} missing (columns: {', '.join(names)})"
        )
    batches = reader.iter_batches(
        batch_size=_PARQUET_BATCH, row_groups=groups, columns=["ticket", "events"]
    )
    for batch in batches:
        yield from batch.to_pylist()


def row_count(path: str) -> int:
    """The rows of a Parquet file, or the bytes of any other file (the unit of progress)."""
    if is_parquet(path):
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    return os.path.getsize(path)


# --------------------------------------------------------------------------- writing rows


class RowSink:
    """A file of rows; ``append`` adds the rows of a part file another process wrote."""

    def write(self, rows: list[ReportRow]) -> None:
        """Add rows (in order)."""
        raise NotImplementedError

    def append(self, part: str) -> None:
        """Add the rows of a part file written by the same kind of sink without a header."""
        raise NotImplementedError

    def close(self) -> None:
        """Flush and close the file."""


class CsvRows(RowSink):
    """Rows as CSV (UTF-8, a header line, ISO-8601 instants, empty for none)."""

    def __init__(self, path: str, *, header: bool = True) -> None:
        self.path = path
        self._stream: TextIO = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._stream)
        if header:
            self._writer.writerow(ROW_COLUMNS)

    def write(self, rows: list[ReportRow]) -> None:
        self._writer.writerows(
            [
                (
                    r.line,
                    r.ticket,
                    r.category,
                    r.priority,
                    r.sla,
                    r.owner,
                    r.metric,
                    r.cycle,
                    r.state,
                    _iso(r.start),
                    _iso(r.due),
                    _iso(r.stopped_at),
                    r.elapsed_seconds,
                    _iso(r.breached_at),
                )
                for r in rows
            ]
        )

    def append(self, part: str) -> None:
        self._stream.flush()
        with open(part, encoding="utf-8", newline="") as source:
            shutil.copyfileobj(source, self._stream)  # (in pieces of 64 KiB)

    def close(self) -> None:
        self._stream.close()


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class ParquetRows(RowSink):
    """Rows as Parquet: instants ``timestamp[us]`` in the policy's zone (UTC for a zone
    without a name), ``ticket`` text, ``line`` int64, ``cycle`` int32."""

    def __init__(self, path: str, zone: str) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.path = path
        stamp = pa.timestamp("us", tz=zone)
        text = pa.string()
        types = [pa.int64(), text, text, text, text, text, text, pa.int32(), text]
        types += [stamp, stamp, stamp, pa.float64(), stamp]
        self._schema = pa.schema(list(zip(ROW_COLUMNS, types, strict=True)))
        self._writer = pq.ParquetWriter(path, self._schema)
        # rows become Arrow columns at once (compact), written out as row groups of
        # about _PARQUET_ROWS rows
        self._batches: list[Any] = []
        self._buffered = 0

    def write(self, rows: list[ReportRow]) -> None:
        import pyarrow as pa

        if not rows:
            return
        columns = zip(*rows, strict=True)
        arrays = [pa.array(v, type=f.type) for v, f in zip(columns, self._schema, strict=True)]
        self._batches.append(pa.record_batch(arrays, schema=self._schema))
        self._buffered += len(rows)
        if self._buffered >= _PARQUET_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._batches:
            self._writer.write_table(pa.Table.from_batches(self._batches, schema=self._schema))
        self._batches, self._buffered = [], 0

    def append(self, part: str) -> None:
        import pyarrow.parquet as pq

        self._flush()
        source = pq.ParquetFile(part)
        for group in range(source.metadata.num_row_groups):
            self._writer.write_table(source.read_row_group(group))

    def close(self) -> None:
        self._flush()
        self._writer.close()


def open_rows(target: str, kind: str, zone: str, *, header: bool = True) -> RowSink:
    """A file for rows: ``csv`` (with a header line unless ``header`` is false) or
    ``parquet`` (instants in ``zone``)."""
    if kind == "parquet":
        return ParquetRows(target, zone)
    return CsvRows(target, header=header)
