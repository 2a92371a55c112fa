"""Keyword tests on a column of texts, searched in Arrow's C++ for all distinct texts at once.

Speed trick: free-text fields (``text``, ``title``) are nearly all distinct, so the distinct
value encoding of :mod:`.columns` saves nothing there, and running each ``contains`` /
``contains_any`` / ``contains_all`` test's closure on every text cost 0.5-1 µs per text and
test (the casefold is redone by every case-insensitive test). Here a column's texts are
casefolded once (Python's ``str.casefold``, the call the closures make, so ``ß`` and ``İ``
fold exactly as there) and each needle is searched with ``pyarrow.compute.match_substring``
over all of them: a byte search of the needle's UTF-8 in the texts' UTF-8, which is Python's
``needle in text`` since UTF-8 is self-synchronising. Values that are not text (lists of
tags, numbers) keep the closures. On 50,000 tickets of ``feedback-system.yaml`` this took the
text conditions from 1.1 s to 0.05 s (``benchmarks/bench_batch.py``).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .._conditions import Test

__all__ = ["TextView", "keyword_answers"]

Mask = npt.NDArray[np.bool_]

#: the operators whose test on a text value is a substring search of text needles
_KEYWORDS: Final = frozenset({"contains", "contains_any", "contains_all"})


class TextView:
    """The text values among a column's distinct values, as Arrow arrays (raw, casefolded)."""

    __slots__ = ("_folded", "positions", "raw")

    def __init__(self, distinct: list[Any]) -> None:
        #: where the distinct values are ``str``
        self.positions = np.flatnonzero(
            np.fromiter((type(v) is str for v in distinct), dtype=np.bool_, count=len(distinct))
        )
        texts = [distinct[i] for i in self.positions.tolist()]
        try:
            self.raw: pa.Array | None = pa.array(texts, type=pa.string())
        except (UnicodeEncodeError, pa.ArrowException):  # lone surrogates: closures only
            self.raw = None
        self._folded: pa.Array | None = None

    def folded(self) -> pa.Array:
        if self._folded is None:
            assert self.raw is not None
            self._folded = pa.array(
                [text.casefold() for text in self.raw.to_pylist()], type=pa.string()
            )
        return self._folded


def keyword_answers(test: Test, distinct: list[Any], view: TextView) -> Mask | None:
    """The test's answer for every distinct value (``None`` values: False), or ``None`` when
    the test is not a keyword test on text (the caller runs the closure)."""
    if test.op not in _KEYWORDS or view.raw is None or not len(view.positions):
        return None
    arg = test.arg if test.op != "contains" else (test.arg,)
    if not isinstance(arg, tuple | list):
        return None
    texts_only = [n for n in arg if isinstance(n, str)]
    if not texts_only:
        return None
    needles = list(dict.fromkeys(n.casefold() if test.fold else n for n in texts_only))
    if not all(_encodable(n) for n in needles):  # a lone surrogate: the closure decides
        return None
    texts = view.folded() if test.fold else view.raw
    if test.op == "contains_all" and len(texts_only) != len(arg):
        # a needle that is not text is never a substring: contains_all fails on every text
        found = np.zeros(len(view.positions), dtype=np.bool_)
    else:
        combine = np.logical_and if test.op == "contains_all" else np.logical_or
        found = _search(texts, needles[0])
        for needle in needles[1:]:
            found = combine(found, _search(texts, needle))
    answers = np.zeros(len(distinct), dtype=np.bool_)
    answers[view.positions] = found
    others = np.ones(len(distinct), dtype=np.bool_)
    others[view.positions] = False
    check = test.check
    for index in np.flatnonzero(others).tolist():  # lists, numbers...: the closure
        value = distinct[index]
        answers[index] = value is not None and bool(check(value))
    return answers


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _search(texts: pa.Array, needle: str) -> Mask:
    found: Mask = np.asarray(
        pc.match_substring(texts, needle).to_numpy(zero_copy_only=False), dtype=np.bool_
    )
    return found
