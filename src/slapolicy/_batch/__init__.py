"""Decisions for many tickets at once: ``Policy.evaluate_batch``, Arrow in and out.

``frames`` reads the input in batches, ``engine`` decides a batch column by column (with the
scalar engine for the rows columns cannot decide exactly), and :func:`evaluate_batch` writes
one Arrow table. Needs the ``batch`` extra (pyarrow, numpy); nothing here is imported by
``import slapolicy``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .._errors import CalendarError, TicketError
from .engine import BatchEngine, Decided
from .frames import frames

__all__ = ["BatchEngine", "evaluate_batch", "iter_batches", "result_schema"]


def result_schema(engine: BatchEngine) -> pa.Schema:
    """The columns ``evaluate_batch`` returns, in order."""
    zone = _zone_name(engine)
    return pa.schema(
        [
            pa.field("category", pa.string()),
            pa.field("priority", pa.string()),
            pa.field("sla", pa.string()),
            pa.field("owner", pa.string()),
            pa.field("cc", pa.list_(pa.string())),
            *(pa.field(f"{m}_due", pa.timestamp("us", tz=zone)) for m in engine.metrics),
            pa.field("error", pa.string()),
        ]
    )


def evaluate_batch(
    engine: BatchEngine,
    tickets: Any,
    at: datetime | str | None = None,
    *,
    now: datetime | None = None,
) -> pa.Table:
    """Every ticket's decision, one row per ticket, in order (see ``Policy.evaluate_batch``)."""
    batches = list(iter_batches(engine, tickets, at, now=now))
    return pa.Table.from_batches(batches, result_schema(engine))


def iter_batches(
    engine: BatchEngine,
    tickets: Any,
    at: datetime | str | None = None,
    *,
    now: datetime | None = None,
) -> Iterator[pa.RecordBatch]:
    """The decisions batch by batch (what streaming callers such as ``diff`` read).

    ``now`` starts the clock of tickets without a start (default: the time each batch is
    decided); ``diff`` gives both policies the same.
    """
    at_us = None
    if at is not None:
        try:
            at_us = engine.reader.instants.to_us(at)
        except CalendarError as exc:
            raise TicketError(f"invalid `at`: {exc}") from None
    schema = result_schema(engine)
    for frame in frames(tickets):
        now_us = _now_us() if now is None else (now - _EPOCH) // _ONE_US
        yield _record_batch(engine.decide(frame, at_us, now_us), schema, frame.rows, engine)


def _record_batch(
    decided: Decided, schema: pa.Schema, rows: int, engine: BatchEngine
) -> pa.RecordBatch:
    arrays: list[pa.Array] = []
    for name in Decided.FIELDS:
        codes = decided.codes[name]
        indices = pa.array(codes, mask=codes < 0, type=pa.int64())
        kind = pa.list_(pa.string()) if name == "cc" else pa.string()
        arrays.append(pc.take(pa.array(decided.values[name], type=kind), indices))
    zone = _zone_name(engine)
    for metric in engine.metrics:
        dues = decided.due[metric]
        arrays.append(
            pa.array(dues, mask=~decided.has_due[metric], type=pa.int64()).cast(
                pa.timestamp("us", tz=zone)
            )
        )
    arrays.append(pa.array(decided.error, type=pa.string()))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _zone_name(engine: BatchEngine) -> str:
    zone = engine.rules.timezone
    return str(getattr(zone, "key", None) or zone)


def _now_us() -> int:
    return (datetime.now(timezone.utc) - _EPOCH) // _ONE_US


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_US = datetime.resolution
