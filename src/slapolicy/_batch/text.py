"""Keyword tests on a column of texts: every keyword of the field found in one pass per text.

Speed trick: free-text fields (``text``, ``title``) are nearly all distinct, so the distinct
value encoding of :mod:`.columns` saves nothing there, and running each ``contains`` /
``contains_any`` / ``contains_all`` test's closure on every text cost 0.5-1 µs per text and
test (the casefold redone by every case-insensitive test). Here each distinct text is
casefolded at most once and searched once, for all the keywords the policy tests on that
field, by the scalar engine's own :class:`~slapolicy._conditions.KeywordScan` (one
Aho-Corasick pass, exactly ``needle in text`` for every needle; see its module). The hits
are kept sparse, as (text, keyword) pairs, and each test's answer is a numpy lookup over
them: memory stays small however many keywords a policy has. Values that are not text
(lists of tags, numbers) keep the closures. On 50,000 tickets of ``feedback-system.yaml``
this took the text conditions from 1.1 s to 0.03 s (``benchmarks/bench_batch.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._conditions import KeywordScan, Test, keywords_of

__all__ = ["TextView", "keyword_answers", "needles_of"]

Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]


def needles_of(test: Test) -> tuple[str, ...] | None:
    """The needles a keyword test scans for (the scalar engine's :func:`keywords_of`)
    without the empty one, which is in every text and needs no scan; None for other tests
    and for keyword tests that are false on every text."""
    found = keywords_of(test)
    return None if found is None else tuple(needle for needle in found if needle)


class _Hits:
    """Which needles occur in which texts: parallel arrays of (text, needle) pairs."""

    __slots__ = ("index", "needles", "texts", "which")

    def __init__(self, texts: Sequence[str], needles: Sequence[str]) -> None:
        self.needles = tuple(dict.fromkeys(needles))
        self.index = {needle: i for i, needle in enumerate(self.needles)}
        text_ids: list[int] = []
        needle_ids: list[int] = []
        if self.needles:
            find = KeywordScan(self.needles).find
            index = self.index
            for row, text in enumerate(texts):
                found = find(text)
                if found:
                    for needle in set(found):  # overlapping matches repeat a needle
                        text_ids.append(row)
                        needle_ids.append(index[needle])
        self.texts: Ints = np.asarray(text_ids, dtype=np.int64)
        self.which: Ints = np.asarray(needle_ids, dtype=np.int64)


class TextView:
    """The text values among a column's distinct values, with the keywords found in them.

    ``needles`` maps ``fold`` (False: raw text, True: casefolded) to the keywords the policy
    tests on this field that way, so one scan serves every test; a test with others grows it.
    """

    __slots__ = ("_hits", "_needles", "positions", "texts")

    def __init__(self, distinct: list[Any], needles: Mapping[bool, Sequence[str]]) -> None:
        #: where the distinct values are ``str``, and those values
        self.positions = np.flatnonzero(
            np.fromiter((type(v) is str for v in distinct), dtype=np.bool_, count=len(distinct))
        )
        self.texts: list[str] = [distinct[i] for i in self.positions.tolist()]
        self._needles = needles
        self._hits: dict[bool, _Hits] = {}

    def hits(self, fold: bool, wanted: Sequence[str]) -> _Hits:
        hits = self._hits.get(fold)
        if hits is None or any(needle not in hits.index for needle in wanted):
            known = hits.needles if hits is not None else tuple(self._needles.get(fold, ()))
            texts = [text.casefold() for text in self.texts] if fold else self.texts
            hits = self._hits[fold] = _Hits(texts, [*known, *wanted])
        return hits


def keyword_answers(test: Test, distinct: list[Any], view: TextView) -> Mask | None:
    """The test's answer for every distinct value (``None`` values: False), or ``None`` when
    the closure must answer (not a keyword test, or one that is false on every text)."""
    searched = keywords_of(test)
    if searched is None:
        return None
    every = test.op == "contains_all"
    if not every and "" in searched:  # "" is in every text
        found = np.ones(len(view.texts), dtype=np.bool_)
    else:  # (contains_all asks only for its other needles)
        found = _having(view, test.fold, [n for n in searched if n], every=every)
    answers = np.zeros(len(distinct), dtype=np.bool_)
    answers[view.positions] = found
    others = np.ones(len(distinct), dtype=np.bool_)
    others[view.positions] = False
    check = test.check
    for index in np.flatnonzero(others).tolist():  # lists, numbers...: the closure
        value = distinct[index]
        answers[index] = value is not None and bool(check(value))
    return answers


def _having(view: TextView, fold: bool, needles: Sequence[str], *, every: bool) -> Mask:
    """Texts holding some (or every) one of ``needles``."""
    count = len(view.texts)
    if not needles:  # every needle is "" (handled by the caller) or there are none
        result: Mask = np.full(count, every, dtype=np.bool_)
        return result
    hits = view.hits(fold, needles)
    ids = np.asarray([hits.index[n] for n in needles], dtype=np.int64)
    chosen = np.isin(hits.which, ids)
    per_text = np.bincount(hits.texts[chosen], minlength=count)
    found: Mask = per_text == len(ids) if every else per_text > 0
    return found
