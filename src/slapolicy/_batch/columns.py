"""A field of a batch as distinct values and a code per row.

Speed trick (the heart of the batch engine): a condition's value test runs once per
*distinct* value of a field, not once per ticket, and the answers reach the rows through one
numpy indexing. Helpdesk fields are mostly categorical (type, impact, channel, status), so
a batch of 65,536 tickets has a handful of distinct values per field. The tests are the
scalar engine's own value tests (``Test.check``), so the answers are the scalar engine's by
construction; only the dispatch is columnar.

Values are told apart as the scalar engine tells them apart: ``True`` is not ``1`` and
``1`` is not ``1.0`` (Python's ``==`` and ``hash`` equate them), so the key of a value is its
type and the value. A list of plain values (tags) is told apart by its items, in order; any
other value that cannot be hashed (a mapping, a list of objects) gets a code of its own per
row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .._conditions import Test
from .text import TextView, keyword_answers

__all__ = ["Codes", "Column", "encode"]

Codes = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


class Column:
    """A field of every ticket of a batch: ``distinct[codes[row]]`` is the row's value.

    ``missing`` is the code of a missing value (``None``); ``distinct[missing]`` is None.
    """

    __slots__ = ("_text", "codes", "distinct", "missing", "needles")

    def __init__(self, codes: Codes, distinct: list[Any], missing: int) -> None:
        self.codes = codes
        self.distinct = distinct
        self.missing = missing
        #: the keywords the policy tests on this field, raw (False) and casefolded (True):
        #: found together in one scan of each text (:mod:`.text`)
        self.needles: Mapping[bool, Sequence[str]] = {}
        self._text: TextView | None = None

    def answers(self, test: Test) -> Mask:
        """``test`` on every distinct value (a missing value: False)."""
        if self._text is None:
            self._text = TextView(self.distinct, self.needles)
        found = keyword_answers(test, self.distinct, self._text)
        if found is not None:
            return found
        check = test.check
        result: Mask = np.fromiter(
            (value is not None and bool(check(value)) for value in self.distinct),
            dtype=np.bool_,
            count=len(self.distinct),
        )
        return result

    def present(self) -> Mask:
        result: Mask = self.codes != self.missing
        return result

    def map(self, convert: Callable[[Any], Any]) -> Column:
        """The column of ``convert(value)`` (``None`` stays missing)."""
        return Column(
            self.codes,
            [None if value is None else convert(value) for value in self.distinct],
            self.missing,
        )

    def rows(self) -> list[Any]:
        """The value of every row."""
        distinct = self.distinct
        return [distinct[code] for code in self.codes.tolist()]


def encode(values: Sequence[Any], array: pa.Array | None = None) -> Column:
    """Encode a field's values (with its Arrow array when there is one: encoded in C++)."""
    if array is not None and _encodable(array.type):
        return _encode_arrow(array)
    plain = _plain_array(values)
    if plain is not None:
        return _encode_arrow(plain)
    codes = np.empty(len(values), dtype=np.int64)
    index: dict[tuple[type, Any], int] = {}
    distinct: list[Any] = [None]  # code 0: missing
    for row, value in enumerate(values):
        if value is None:
            codes[row] = 0
            continue
        if type(value) is list or type(value) is tuple:
            # by its items with their types ((1,) is not (True,)); a list of lists or of
            # mappings: a code of its own
            key: Any = _list_key(value)
            code = None if key is None else index.get(key)
        else:
            try:
                key = (type(value), value)
                code = index.get(key)
            except TypeError:  # unhashable (a mapping): a code of its own
                code = None
                key = None
        if code is None:
            code = len(distinct)
            distinct.append(value)
            if key is not None:
                index[key] = code
        codes[row] = code
    return Column(codes, distinct, 0)


def _list_key(value: list[Any] | tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The key of a list of hashable values (tags), its items told apart as single values
    are, nested lists too; None when an item cannot be hashed (a mapping)."""
    items = []
    for item in value:
        if type(item) is list or type(item) is tuple:
            inner = _list_key(item)
            if inner is None:
                return None
            items.append(inner)
        else:
            items.append((type(item), item))
    key = (type(value), tuple(items))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _plain_array(values: Sequence[Any]) -> pa.Array | None:
    """The values as an Arrow array when they are all text or all whole numbers (or
    missing), else None.

    Speed trick: mappings from JSON hold Python objects; a field of nothing but ``str``
    (or ``int``, never ``bool``) is told apart exactly as the loop below tells it apart, so
    it is encoded in C++ (about 0.1 against 0.6 µs per value; ``diff`` encodes every field
    of every ticket twice). The types are found in one C-speed pass; text Arrow cannot hold
    (lone surrogates) and numbers past 64 bits stay with the loop.
    """
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds == {str}:
        kind = pa.string()
    elif kinds == {int}:
        kind = pa.int64()
    else:
        return None
    try:
        return pa.array(values, type=kind)
    except (UnicodeEncodeError, OverflowError, pa.ArrowException):
        return None


def _encodable(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_timestamp(kind)
        or pa.types.is_date(kind)
    )


def _encode_arrow(array: pa.Array) -> Column:
    encoded = pc.dictionary_encode(array)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    distinct = encoded.dictionary.to_pylist()
    missing = len(distinct)
    distinct.append(None)
    indices = encoded.indices.fill_null(missing)
    codes = np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return Column(codes, distinct, missing)
