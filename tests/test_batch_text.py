"""Keyword tests over a column of texts answer exactly as each test's closure does."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from slapolicy._batch.columns import Column
from slapolicy._conditions import Test as KeywordTest

#: letters whose case folding is not one to one, CJK, full-width, emoji, a lone surrogate
ALPHABET = "abkKsSßẞİiıIſK日本退款ＡＢ😀 \u0307\ud800"
texts = st.text(alphabet=ALPHABET, max_size=12)
needles = st.text(alphabet=ALPHABET, max_size=3)
values = st.one_of(
    texts,
    st.lists(st.one_of(needles, st.integers(0, 3)), max_size=3),
    st.integers(0, 3),
    st.booleans(),
)


@st.composite
def keyword_tests(draw: st.DrawFn) -> KeywordTest:
    op = draw(st.sampled_from(["contains", "contains_any", "contains_all"]))
    fold = draw(st.booleans())
    literal = st.one_of(needles, needles, st.integers(0, 3))
    if op == "contains":
        return KeywordTest(op, draw(literal), fold)
    return KeywordTest(op, tuple(draw(st.lists(literal, min_size=1, max_size=4))), fold)


def column_of(distinct: list[Any]) -> Column:
    distinct = [None, *distinct]
    return Column(np.arange(len(distinct), dtype=np.int64), distinct, 0)


@settings(max_examples=600, deadline=None)
@given(
    tests=st.lists(keyword_tests(), min_size=1, max_size=4),
    distinct=st.lists(values, max_size=12),
    known=st.lists(needles, max_size=4),
)
def test_answers_equal_the_closure_on_every_value(
    tests: list[KeywordTest], distinct: list[Any], known: list[str]
) -> None:
    column = column_of(distinct)
    # the keywords the engine found for the field (a test may have others: the scan grows)
    column.needles = {False: [k for k in known if k], True: [k.casefold() for k in known if k]}
    for test in tests:  # one column, several tests: the scans are shared and grown
        answers = column.answers(test)
        assert not answers[0]  # missing
        for index, value in enumerate(column.distinct[1:], start=1):
            assert answers[index] == bool(test.check(value)), (test, value)


def test_full_case_folding_is_the_closure_s() -> None:
    column = column_of(["STRASSE", "Straße", "İstanbul", "ſun", "other"])
    got = column.answers(KeywordTest("contains_any", ("straße", "i̇stanbul", "sun"), True))
    assert got.tolist() == [False, True, True, True, True, False]
    assert column.answers(KeywordTest("contains", "ß", False)).tolist() == [
        False,
        False,
        True,
        False,
        False,
        False,
    ]


def test_a_column_reused_by_several_tests_keeps_one_view() -> None:
    column = column_of(["退款失败", "REFUND failed", ["退款"], 3])
    assert column.answers(KeywordTest("contains", "退款", False)).tolist() == [
        False,
        True,
        False,
        True,
        False,
    ]
    assert column.answers(KeywordTest("contains_all", ("refund", "FAILED"), True)).tolist() == [
        False,
        False,
        True,
        False,
        False,
    ]
    assert column.answers(KeywordTest("contains_all", ("refund", 3), True)).tolist() == [
        False,
        False,
        False,
        False,
        False,
    ]
