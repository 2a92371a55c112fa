"""JSON lines (``slapolicy._jsonlines``): orjson's fast reading of a line is json's reading.

``read_object_fast`` answers only when orjson reads a line exactly as the json module does;
``diff`` and ``report`` rely on that to read with orjson and stay the reference's equal.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from slapolicy._jsonlines import read_json_line, read_object_fast

#: JSON values, with integers past 64 bits and floats of every size
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
#: lines orjson reads differently from json, or refuses
ODD = [
    b'{"id": 123456789012345678901234567890}',
    b'{"id": 18446744073709551616, "n": -99999999999999999999}',
    b'{"n": -9223372036854775809}',
    b'{"n": [9999999999999999999, 1]}',
    b'{"score": NaN}',
    b'{"score": 1e400}',
    '\ufeff{"id": "bom"}'.encode(),
    b'{"id": "\\ud800", "text": "\\udfff"}',
    b'{"type": "outage", "type": "question"}',
    b'{"id": 1}\x00',
    b"[1, 2]",
    b'"text"',
    b"",
    b"  \n",
    b"{broken",
]


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types all the way down (1 and 1.0 differ; -0.0 and 0.0 too)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return bool(a == b)


def check(raw: bytes) -> Any:
    fast = read_object_fast(raw)
    if fast is not None:
        value, message = read_json_line(raw)
        assert message is None
        assert same(fast, value), (raw, fast, value)
    return fast


@given(value=st.dictionaries(st.text(), VALUES, max_size=6), ascii_only=st.booleans())
def test_an_object_line_reads_as_json_reads_it(value: dict[str, Any], ascii_only: bool) -> None:
    check(json.dumps(value, ensure_ascii=ascii_only).encode())


def test_a_plain_history_is_read_fast() -> None:
    raw = '{"ticket": {"id": 7, "text": "希望"}, "events": [{"at": 1.5}]}'.encode()
    assert check(raw) == {"ticket": {"id": 7, "text": "希望"}, "events": [{"at": 1.5}]}


@given(value=VALUES)
def test_a_line_of_another_value_is_left_to_json(value: Any) -> None:
    raw = json.dumps(value).encode()
    if not isinstance(value, dict):
        assert check(raw) is None


@given(raw=st.binary(max_size=60) | st.sampled_from(ODD))
def test_odd_and_broken_lines_are_read_as_json_or_left_to_it(raw: bytes) -> None:
    check(raw)


def test_the_odd_lines_go_to_json() -> None:
    for raw in ODD:
        if raw.startswith(b'{"type"'):  # (duplicate keys: both keep the last; read fast)
            assert check(raw) == {"type": "question"}
        else:
            assert check(raw) is None, raw
