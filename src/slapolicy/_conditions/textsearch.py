"""Text tests matched once per field: every keyword and pattern of a stage found in one pass.

A stage of 2,000 rules may hold a few thousand keywords and hundreds of patterns on the
same ``text`` field. Tested one by one (the closures of :mod:`.evaluate`), each test
casefolds or encodes the text again and runs its own search. The generated function of a
stage (:mod:`.codegen`) instead asks, per field, once:

* :class:`KeywordScan`: which of the field's keywords (``contains``, ``contains_any``,
  ``contains_all``, and the literals ``matches`` patterns need: :mod:`.prefilter`) occur in
  the text, as the needles themselves, found in one pass of an Aho-Corasick automaton
  (``ahocorasick_rs``) over the text, and another over its casefolded form for the
  keywords of ``case: insensitive`` tests;
* :class:`PatternScan`: which of the field's ``matches`` patterns match, as a collection of
  pattern ids, from one RE2 set search (``re2.Set``);

after which each test is a lookup in the answer. :class:`FieldSearch` collects the tests
of one field of one generated function and builds its scans. A long stage also uses the
needles found to skip whole blocks of rules (:func:`.codegen._indexed_rules`).

Exactly the closures' answers
-----------------------------
A keyword test on text is ``needle in text`` (or ``needle.casefold() in text.casefold()``).
The automaton looks for the needles' UTF-8 bytes in the text's bytes, with *overlapping*
matches, so that
every needle present is reported, not only the leftmost of overlapping ones (``上海`` and
``上海市``, ``ab`` and ``b``). UTF-8 is self-synchronising, so a needle's bytes occur in a
text's bytes exactly where the needle occurs in the text. The casefolded text is
``str.casefold()`` of the text, the same call the closures make, so ``ß``, ``İ`` and
full-width letters fold exactly as there. A text with lone surrogates (which the automaton
cannot take) is searched with each surrogate replaced by U+FFFD when no needle holds either
(occurrences stay where they were), else needle by needle.

A pattern test is an RE2 search of the UTF-8 text with the pattern's own options. In the
set, a ``case: insensitive`` pattern is added as ``(?i:pattern)``, which sets the same RE2
parse flag as the option (``FoldCase``). RE2 gives up on a set search when its DFA runs out
of memory, and then reports no match at all; the set therefore holds one more pattern,
``\\A``, which matches every text: a search whose answer lacks it has failed, and the
patterns are searched one by one instead.

Bounded work on huge texts
--------------------------
An overlapping search reports every occurrence, and a text of a million ``a`` with the
needles ``a``, ``aa``, ``aaa`` has three million. The number of matches ending at one byte
is at most the *depth* of the needles (the most needles that are suffixes of one needle), so
a search of ``n`` bytes reports at most ``n * depth`` matches: longer texts are searched in
overlapping pieces of at most :data:`MATCH_BUDGET` matches each, and needles with
pathological depth (where even one piece would exceed it) fall back to a substring search
per needle on long texts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Sequence
from typing import Any

import ahocorasick_rs
import re2

from .operators import compile_pattern, re2_options
from .prefilter import required_literals
from .tree import Test
from .values import encode

__all__ = [
    "KEYWORD_OPERATORS",
    "MATCH_BUDGET",
    "FieldSearch",
    "KeywordScan",
    "PatternScan",
    "keywords_of",
    "needles_of",
    "prefilter_of",
]

KEYWORD_OPERATORS = frozenset({"contains", "contains_any", "contains_all"})
"""The operators whose test on a text value is a substring search."""

#: the most overlapping matches one automaton search may report (a list of 3-tuples: about
#: 4 MB); a text that could give more is searched in pieces
MATCH_BUDGET = 1 << 15
#: automata over at most this many needle bytes are built as a DFA, larger ones as the
#: default contiguous NFA: 2,300 short Chinese keywords (17 KB) take 9.6 ms to build as a
#: DFA, 2 ms as an NFA, and search a ticket text in 0.48 µs against 0.59 µs; that 0.1 µs
#: does not pay for a slower load, and 2,000 needles of 300 characters would take 2 s
#: and 950 MB as a DFA
_DFA_BYTES = 1 << 12
#: added to every pattern set: matches every text, so an answer without it is a failure
_SENTINEL = r"\A"
#: answers with more needles or pattern ids than this are sets (else lists: quicker to make)
_SHORT_LIST = 16
_SURROGATE = re.compile("[\ud800-\udfff]")
_REPLACED = re.compile("[\ud800-\udfff\ufffd]")


def prefilter_of(test: Test) -> tuple[str, ...] | None:
    """The literals one of which a ``matches`` test's text must hold (casefolded for
    ``case: insensitive``: looked for in the casefolded text), or None
    (:func:`.prefilter.required_literals`)."""
    if test.op != "matches":
        return None
    literals = required_literals(test.arg, test.fold)
    return None if literals is None else tuple(sorted(literals))


@functools.lru_cache(maxsize=1 << 14)
def needles_of(test: Test) -> tuple[str, ...] | None:
    """What a keyword or ``matches`` test looks for in its field's scans (:func:`keywords_of`,
    :func:`prefilter_of`); cached: the code generator asks several times per test, and a
    stage of 2,000 rules spent 15 ms on these questions before."""
    return prefilter_of(test) if test.op == "matches" else keywords_of(test)


def keywords_of(test: Test) -> tuple[str, ...] | None:
    """The needles a keyword test looks for in a text value, as searched.

    Casefolded for ``case: insensitive``, in order, without repeats. None when the test
    does not search text: another operator, a ``contains`` of a number (false on text),
    ``contains_any`` with no text needle, or ``contains_all`` with a needle that is not
    text (both false on text). Those tests keep their value test.
    """
    if test.op not in KEYWORD_OPERATORS:
        return None
    needles = test.arg if test.op != "contains" else (test.arg,)
    texts = [n for n in needles if isinstance(n, str)]
    if not texts or (test.op != "contains_any" and len(texts) != len(needles)):
        return None
    return tuple(dict.fromkeys(n.casefold() if test.fold else n for n in texts))


class KeywordScan:
    """Every needle of one field found in one pass: ``scan(text) -> the needles present``.

    One scan serves the needles of tests that read the text as it is, another those of
    ``case: insensitive`` tests, whose needles are casefolded and which is called with the
    casefolded text. The answer is a set of the needle strings themselves (the automaton
    hands back the very objects it was built from, whose hashes Python has cached).
    """

    __slots__ = ("_automaton", "_depth", "_longest", "_needles", "_replaceable", "_short")

    def __init__(self, needles: Sequence[str]) -> None:
        assert needles, "a scan has needles"
        assert all(needles), "needles are never empty (the compiler checks)"
        self._needles = tuple(dict.fromkeys(needles))
        self._longest = max(len(needle) for needle in self._needles)
        self._depth = suffix_depth(self._needles)
        #: the longest text searched in one pass (see MATCH_BUDGET)
        self._short = MATCH_BUDGET // self._depth
        #: whether a text's lone surrogates may be replaced by U+FFFD (no needle holds either)
        self._replaceable = not any(_REPLACED.search(needle) for needle in self._needles)
        #: None when some needle is not valid Unicode: the automaton would search for
        #: something else (it silently misses every needle then), so needles are searched
        #: one by one
        self._automaton: ahocorasick_rs.AhoCorasick | None = None
        if not any(_SURROGATE.search(needle) for needle in self._needles):
            size = sum(len(needle.encode()) for needle in self._needles)
            self._automaton = ahocorasick_rs.AhoCorasick(
                self._needles,
                implementation=ahocorasick_rs.Implementation.DFA if size <= _DFA_BYTES else None,
            )

    def find(self, text: str) -> Collection[str]:
        """The needles that occur in ``text``: a short list, or a set when many do (what
        the generated code calls, as a bound method: cheaper than ``__call__``)."""
        if len(text) <= self._short:
            automaton = self._automaton
            if automaton is not None:
                try:  # nearly every ticket
                    found = automaton.find_matches_as_strings(text, True)  # overlapping
                except UnicodeEncodeError:  # a lone surrogate in the text
                    return self._long(text)
                return found if len(found) <= _SHORT_LIST else set(found)
        return self._long(text)

    def __call__(self, text: str) -> set[str]:
        """The set of the needles that occur in ``text``."""
        return set(self.find(text))

    def _long(self, text: str) -> set[str]:
        """The same answer for a text too long for one search within the match budget, or
        holding lone surrogates."""
        automaton = self._automaton
        if automaton is not None and _SURROGATE.search(text):
            if not self._replaceable:
                automaton = None
            else:  # no needle holds a surrogate or U+FFFD: occurrences stay as they were
                text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        depth, longest = self._depth, self._longest
        piece = MATCH_BUDGET // depth  # a piece of this many characters gives at most the budget
        if automaton is None or piece < 2 * longest:  # a substring search per needle
            return {needle for needle in self._needles if needle in text}
        step = piece - (longest - 1)  # pieces overlap so that every occurrence lies in one
        found: set[str] = set()
        for offset in range(0, len(text), step):
            found.update(
                automaton.find_matches_as_strings(text[offset : offset + piece], overlapping=True)
            )
        return found


def suffix_depth(needles: Sequence[str]) -> int:
    """The most needles that are suffixes of one needle (itself included).

    All the needles that end at one character of a text are suffixes of the longest of
    them, so this bounds the matches an overlapping search reports per character.
    """
    known = frozenset(needles)
    lengths = sorted({len(needle) for needle in known})
    depth = 0
    for needle in known:
        size = len(needle)
        here = sum(1 for n in lengths if n <= size and needle[size - n :] in known)
        depth = max(depth, here)
    return depth


class PatternScan:
    """Every pattern of one field searched in one pass: ``scan(text) -> ids`` that match.

    ``patterns`` are ``(pattern, fold)`` pairs; their ids are their positions. The answer
    is a small collection to test ids against with ``in`` (it may hold the set's own
    sentinel id, ``len(patterns)``, which no test asks for).
    """

    __slots__ = ("_each", "_sets")

    def __init__(self, patterns: Sequence[tuple[str, bool]]) -> None:
        assert patterns
        #: each pattern on its own, as the value test compiles it: the fallback
        self._each = tuple(compile_pattern(pattern, fold) for pattern, fold in patterns)
        #: (id of the set's first pattern, set), covering every pattern
        self._sets = _pattern_sets(patterns, 0)

    def __call__(self, text: str) -> Collection[int]:
        """The ids of the patterns that match somewhere in ``text``."""
        return self.find(text)

    def find(self, text: str) -> Collection[int]:
        """The ids of the patterns that match somewhere in ``text`` (what the generated code
        calls, as a bound method)."""
        data = encode(text)
        sets = self._sets
        if len(sets) == 1:  # nearly always: one set, whose ids are the patterns' ids
            found = sets[0][1].Match(data)
            if found is not None:  # the sentinel always matches: None is a failed search
                return found if len(found) <= _SHORT_LIST else set(found)
            return self._one_by_one(data, range(len(self._each)))
        matched: set[int] = set()
        ends = [start for start, _ in sets[1:]] + [len(self._each)]
        for (start, search), end in zip(sets, ends, strict=True):
            found = search.Match(data)
            if found is None:
                matched.update(self._one_by_one(data, range(start, end)))
            else:  # ids within the set; its sentinel is end - start
                matched.update(start + i for i in found if start + i < end)
        return matched

    def _one_by_one(self, data: bytes, ids: range) -> set[int]:
        each = self._each
        return {i for i in ids if each[i].search(data) is not None}


def _pattern_sets(patterns: Sequence[tuple[str, bool]], first: int) -> list[tuple[int, Any]]:
    """RE2 sets over ``patterns`` (ids from ``first``), halved until each compiles.

    A set too large for RE2's memory budget does not compile; its halves are tried, down
    to single patterns, each of which compiled alone when the policy loaded.
    """
    search = re2.Set.SearchSet(re2_options())
    try:
        for pattern, fold in patterns:
            search.Add(f"(?i:{pattern})" if fold else pattern)
        search.Add(_SENTINEL)
        search.Compile()
    except re2.error:
        if len(patterns) == 1:  # cannot happen for a pattern the compiler accepted
            return [(first, _Single(patterns[0]))]
        half = len(patterns) // 2
        return [
            *_pattern_sets(patterns[:half], first),
            *_pattern_sets(patterns[half:], first + half),
        ]
    return [(first, search)]


class _Single:
    """One pattern standing in for a set: ``Match(data)`` as ``re2.Set`` answers it."""

    __slots__ = ("_regex",)

    def __init__(self, pattern: tuple[str, bool]) -> None:
        self._regex = compile_pattern(*pattern)

    def Match(self, data: bytes) -> list[int]:  # the name of the re2.Set method
        """``[0, 1]`` (the pattern and the sentinel) when it matches, else ``[1]``."""
        return [0, 1] if self._regex.search(data) is not None else [1]


class FieldSearch:
    """The text tests of one field in one generated function: their needles and patterns.

    Every test is added (:meth:`add`) before any scan is built or id handed out, so that
    each scan holds the needles (or patterns) of every test of the field.
    """

    __slots__ = ("_folded", "_keyword_scans", "_pattern_scan", "_patterns", "_raw", "frozen")

    def __init__(self) -> None:
        #: the needles of tests on the text as it is, and of case-insensitive tests
        self._raw: dict[str, None] = {}
        self._folded: dict[str, None] = {}
        #: (pattern, fold) -> pattern id
        self._patterns: dict[tuple[str, bool], int] = {}
        self._keyword_scans: dict[bool, KeywordScan] = {}
        self._pattern_scan: PatternScan | None = None
        self.frozen = False

    def add(self, test: Test) -> None:
        """Take note of a test's needles or pattern (other tests are ignored)."""
        assert not self.frozen, "scans have been built"
        if test.op == "matches":
            self._patterns.setdefault((test.arg, test.fold), len(self._patterns))
        elif test.op not in KEYWORD_OPERATORS:
            return
        needles = needles_of(test)
        if needles is not None:
            (self._folded if test.fold else self._raw).update(dict.fromkeys(needles))

    def __contains__(self, test: object) -> bool:
        """Whether ``test`` was added."""
        if not isinstance(test, Test):
            return False
        if test.op == "matches":
            return (test.arg, test.fold) in self._patterns
        needles = needles_of(test) if test.op in KEYWORD_OPERATORS else None
        known = self._folded if test.fold else self._raw
        return needles is not None and all(needle in known for needle in needles)

    def needle_count(self, fold: bool) -> int:
        """How many distinct needles the field's tests look for in one form of the text."""
        return len(self._folded if fold else self._raw)

    def pattern_id(self, test: Test) -> int:
        """The id of a ``matches`` test's pattern."""
        return self._patterns[test.arg, test.fold]

    def keyword_scan(self, fold: bool) -> KeywordScan:
        """The scan that finds the needles of one form of the text (built once)."""
        self.frozen = True
        scan = self._keyword_scans.get(fold)
        if scan is None:
            scan = KeywordScan(list(self._folded if fold else self._raw))
            self._keyword_scans[fold] = scan
        return scan

    def pattern_scan(self) -> PatternScan:
        """The scan that searches every pattern of the field (built once)."""
        self.frozen = True
        if self._pattern_scan is None:
            self._pattern_scan = PatternScan(list(self._patterns))
        return self._pattern_scan
