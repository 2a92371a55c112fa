"""A batch column holds every row's value as the scalar engine would tell it apart."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slapolicy._batch.columns import encode

plain = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from([0.0, 1.0, -0.0]),
    st.text(max_size=2),
)
values = st.recursive(
    plain,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=1), inner, max_size=2),
    ),
    max_leaves=6,
)


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (True is not 1, 1 is not 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b) or (a != a and b != b)


@settings(max_examples=400, deadline=None)
@given(st.lists(values, max_size=30))
def test_every_row_reads_back_its_own_value(rows: list[Any]) -> None:
    column = encode(rows)
    assert column.distinct[column.missing] is None
    for row, value in enumerate(rows):
        assert same(column.distinct[int(column.codes[row])], value), (row, value)


def test_lists_of_tags_share_codes_and_stay_apart_by_type() -> None:
    column = encode([["a", "b"], ["a", "b"], [1], [True], (1,), (True,), [1.0], ["b", "a"]])
    codes = column.codes.tolist()
    assert codes[0] == codes[1]
    assert len(set(codes)) == 7
