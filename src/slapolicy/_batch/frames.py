"""Tickets in batches: Arrow tables, polars frames and iterables of mappings, read by field.

The batch engine asks a :class:`Frame` for the values of one field path at a time, for every
ticket of the batch, and, for the few rows it cannot decide by columns, for the ticket itself
(a mapping) so that the scalar engine can. Both readings say the same: a field that is
absent, null, or below something that is not a mapping is missing (``None``), exactly as
:func:`slapolicy._fields.lookup` reads a mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["BATCH_ROWS", "Frame", "frames"]

#: rows per batch: large enough for the column kernels to pay, small enough to stream
BATCH_ROWS = 65_536


class Frame(Protocol):
    """One batch of tickets."""

    #: the number of tickets
    rows: int

    def values(self, keys: tuple[str, ...]) -> list[Any]:
        """The value at a path of keys for every ticket (``None`` where missing)."""

    def array(self, keys: tuple[str, ...]) -> pa.Array | None:
        """The same as an Arrow array when the batch is columnar, else ``None``."""

    def ticket(self, row: int) -> Any:
        """The whole ticket of one row, as the scalar engine reads it."""


def frames(tickets: Any) -> Iterator[Frame]:
    """The batches of a ``pyarrow.Table`` / ``RecordBatch``, a polars ``DataFrame`` or an
    iterable of mappings, in order."""
    table = _as_arrow(tickets)
    if table is not None:
        for batch in table.to_batches(max_chunksize=BATCH_ROWS):
            yield ArrowFrame(batch)
        return
    if isinstance(tickets, Mapping | str | bytes):
        raise TypeError(
            "evaluate_batch takes a pyarrow Table, a polars DataFrame or an iterable of "
            f"ticket mappings, not a single {type(tickets).__name__}"
        )
    iterator = iter(tickets)
    while True:
        chunk = list(islice(iterator, BATCH_ROWS))
        if not chunk:
            return
        yield MappingFrame(chunk)


def _as_arrow(tickets: Any) -> pa.Table | None:
    if isinstance(tickets, pa.Table):
        return tickets
    if isinstance(tickets, pa.RecordBatch):
        return pa.Table.from_batches([tickets])
    module = type(tickets).__module__
    if module.startswith("polars") and hasattr(tickets, "to_arrow"):
        table = tickets.to_arrow()
        assert isinstance(table, pa.Table)
        return table
    return None


class ArrowFrame:
    """A record batch; dotted paths read nested struct columns."""

    def __init__(self, batch: pa.RecordBatch) -> None:
        self.batch = batch
        self.rows = batch.num_rows
        self._names = set(batch.schema.names)
        self._tickets: list[dict[str, Any]] | None = None

    def array(self, keys: tuple[str, ...]) -> pa.Array | None:
        """The column at ``keys``: struct fields by name; ``None`` when the path leaves the
        columns (a key that no column or struct field has: every value is missing)."""
        if keys[0] not in self._names:
            return None
        column: pa.Array = self.batch.column(keys[0])
        for key in keys[1:]:
            kind = column.type
            if not pa.types.is_struct(kind) or kind.get_field_index(key) < 0:
                return None
            # a null struct has null fields: missing, as below a missing mapping
            column = pc.struct_field(column, [kind.get_field_index(key)])
        return column

    def values(self, keys: tuple[str, ...]) -> list[Any]:
        column = self.array(keys)
        if column is not None:
            values: list[Any] = column.to_pylist()
            return values
        if keys[0] in self._names and len(keys) > 1:
            # below a column that is not a struct (a map, a list...): read it as Python data
            return [_get(value, keys[1:]) for value in self.batch.column(keys[0]).to_pylist()]
        return [None] * self.rows

    def ticket(self, row: int) -> Mapping[str, Any]:
        if self._tickets is None:
            self._tickets = self.batch.to_pylist()
        ticket: Mapping[str, Any] = self._tickets[row]
        return ticket


class MappingFrame:
    """A list of ticket mappings."""

    def __init__(self, tickets: Sequence[Any]) -> None:
        self.tickets = tickets
        self.rows = len(tickets)

    def array(self, keys: tuple[str, ...]) -> pa.Array | None:
        return None

    def values(self, keys: tuple[str, ...]) -> list[Any]:
        if len(keys) == 1:  # the common case, without the loop over keys
            key = keys[0]
            return [t.get(key) if type(t) is dict else _get(t, keys) for t in self.tickets]
        return [_get(t, keys) for t in self.tickets]

    def ticket(self, row: int) -> Any:
        """The row as given (the scalar engine refuses what is not a mapping)."""
        return self.tickets[row]


def _get(value: Any, keys: Iterable[str]) -> Any:
    """A path of keys below ``value``; ``None`` when anything on the way is not a mapping."""
    current = value
    for key in keys:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current
