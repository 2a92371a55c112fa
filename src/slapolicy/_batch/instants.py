"""Instants of a column of start values, read in Arrow's C++ where that is exactly right.

Speed trick: start fields are nearly all distinct (a creation time per ticket), so reading
them one by one with :meth:`InstantReader.to_us` costs about 1 µs per ticket, a third of a
batch's time. The common export form, ISO 8601 with seconds and an explicit offset
(``2026-05-08T17:30:00+08:00``, ``...Z``), is read here for a whole column at once by
Arrow's cast to ``timestamp[us, UTC]``. Only text matching :data:`_PLAIN` goes that way: a
pattern so narrow that Python's ``datetime.fromisoformat`` (the scalar reader) and Arrow
read it the same (checked by ``tests/test_batch_instants.py`` on generated text). Everything
else (naive text, dates alone, other forms, datetime objects, a date Arrow refuses such as
February 30) and every instant outside the supported range goes to the scalar reader,
value by value, so its errors are the scalar ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .._calendar import InstantReader
from .._errors import CalendarError

__all__ = ["read_instants"]

Int64s = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

#: date, ``T``, time with seconds and up to 6 fraction digits, ``Z`` or a ``±hh:mm`` offset;
#: fields within their ranges (a day past the month's end is left to Arrow, which refuses)
_PLAIN: Final = (
    r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)
#: fewer values than this are read one by one (the Arrow round trip would not pay)
_MIN_COLUMN: Final = 64


def read_instants(reader: InstantReader, values: Sequence[Any]) -> tuple[Int64s, Mask]:
    """Microseconds since the epoch of each value (none is ``None``), and where the value
    is not an instant the reader accepts (:class:`CalendarError` in the scalar reader)."""
    us = np.zeros(len(values), dtype=np.int64)
    done = np.zeros(len(values), dtype=np.bool_)
    if len(values) >= _MIN_COLUMN:
        _read_plain_text(reader, values, us, done)
    failed = np.zeros(len(values), dtype=np.bool_)
    for index in np.flatnonzero(~done).tolist():
        try:
            us[index] = reader.to_us(values[index])
        except CalendarError:
            failed[index] = True
    return us, failed


def _read_plain_text(reader: InstantReader, values: Sequence[Any], us: Int64s, done: Mask) -> None:
    """Fill ``us`` and ``done`` for the text of the :data:`_PLAIN` form, within range."""
    text = np.fromiter((type(v) is str for v in values), dtype=np.bool_, count=len(values))
    if not text.any():
        return
    where = np.flatnonzero(text)
    strings = pa.array([values[i] for i in where.tolist()], type=pa.string())
    plain = np.asarray(
        pc.match_substring_regex(strings, _PLAIN).to_numpy(zero_copy_only=False), dtype=np.bool_
    )
    if not plain.any():
        return
    try:
        stamps = pc.cast(strings.filter(pa.array(plain)), pa.timestamp("us", "UTC"))
    except pa.ArrowInvalid:  # a day the month does not have: the scalar reader says so
        return
    read = np.asarray(stamps.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
    rows = where[plain]
    inside = (read >= reader.min_us) & (read < reader.max_us)  # else the scalar error
    us[rows[inside]] = read[inside]
    done[rows[inside]] = True
