"""Text conditions matched once per field (_conditions.textsearch, prefilter, codegen).

The generated stage functions casefold each text field once, find every keyword of a field
in one automaton search and every pattern in one RE2 set search, run RE2 only when a
literal the pattern needs is present, and search the first keywords one by one. Here:

* differential tests: random stages of many text rules on random tickets (ASCII, CJK,
  ``ß``, ``İ``, ``ı``, ``K`` (U+212A), ``ſ``, emoji, lone surrogates, empty strings, values
  that are not text, missing fields); the generated ``first_match`` / ``predicate`` equal
  the closures of :mod:`slapolicy._conditions.evaluate` on every ticket;
* :func:`required_literals` is sound: a text a pattern matches holds one of its literals;
* the case-folding claims of :mod:`slapolicy._conditions.prefilter`, over every code point;
* the scans on their own (long texts searched in pieces, lone surrogates, RE2 set failures);
* examples: overlapping keywords, a keyword that is a prefix of another, one keyword in
  several rules, 2,000 rules.
"""

from __future__ import annotations

import keyword
import tokenize
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import re2
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from slapolicy._conditions import Condition, codegen, compile_condition, textsearch
from slapolicy._conditions.codegen import first_match, predicate, reference_first_match
from slapolicy._conditions.operators import compile_pattern, re2_options
from slapolicy._conditions.prefilter import required_literals
from slapolicy._conditions.textsearch import KeywordScan, PatternScan, suffix_depth
from slapolicy._conditions.values import encode
from slapolicy._errors import PolicyError
from test_selection import GENERATED_NAMES, HOSTILE, _tokens

RELAXED = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    deadline=None,
)

# --------------------------------------------------------------------------- vocabulary

KELVIN, LONG_S = "\u212a", "\u017f"  # fold with k and s in RE2 and in str.casefold
#: characters whose case folding differs between RE2 (simple folding) and str.casefold
#: (full folding), CJK, an emoji outside the BMP, a lone surrogate
TRICKY = ["ß", "ẞ", "İ", "ı", "i", "I", KELVIN, "k", "K", LONG_S, "s", "S", "Σ", "σ", "ς", "😀"]
ALPHABET = [*TRICKY, "a", "b", "c", "A", "B", "x", "上", "海", "市", "宕", "机", " ", "-", "7"]
#: families of keywords that overlap (上海 / 上海市 / 海市), are prefixes of one another
#: (ab / abc) or fold together; a stage and its tickets draw their words from one or two
#: families, so that overlapping keywords meet in one text
FAMILIES = [
    ("上海", "上海市", "海市", "市"),
    ("ab", "abc", "b", "bc", "ABC"),
    ("ss", "SS", "ß", "ẞ", "straße", "STRASSE", LONG_S),
    ("k", "K", KELVIN, "ok"),
    ("i", "I", "İ", "i̇", "ı"),
    ("a", "aa", "aaa", "A"),
    ("😀", "Σa", "σa", "ς", "宕机", "down", "DOWN"),
]
WORDS = sorted({word for family in FAMILIES for word in family})
SURROGATE = "\ud800"

vocabularies = st.lists(st.sampled_from(FAMILIES), min_size=1, max_size=2).map(
    lambda families: sorted({word for family in families for word in family})
)
chars = st.sampled_from(ALPHABET)


@st.composite
def texts(draw: st.DrawFn, vocabulary: list[str] = WORDS) -> str:
    """Text made of keywords and single characters (now and then a lone surrogate)."""
    words = st.sampled_from(vocabulary)
    parts = draw(st.lists(st.one_of(words, words, words, chars), min_size=1, max_size=6))
    if draw(st.integers(0, 15)) == 0:
        parts.insert(draw(st.integers(0, len(parts))), SURROGATE)
    return "".join(parts)


# --------------------------------------------------------------------------- patterns


def _literal(text: str) -> str:
    """``text`` as an RE2 literal (ASCII punctuation escaped, everything else as it is)."""
    return "".join("\\" + c if c.isascii() and not c.isalnum() else c for c in text)


#: (pattern, what it matches) for single-character atoms
ATOMS = [
    (".", "x"),
    (r"\d", "7"),
    (r"\s", " "),
    (r"\w", "b"),
    ("[a-c]", "b"),
    ("[^x]", "海"),
    (r"[\d\-]", "-"),
    (r"\pL", "a"),
    (r"\p{Han}", "海"),
    (r"\PN", "k"),
    (r"\x{41}", "A"),  # the prefilter gives up on hex escapes
    (r"\Q.\E", "."),  # and on \Q...\E
]
ANCHORS = ["^", "$", r"\b", r"\B", r"\A", r"\z"]
#: case variants RE2's simple case folding matches (and some it does not)
VARIANTS = {
    "k": "K" + KELVIN,
    "s": "S" + LONG_S,
    "i": "Iİ",
    "ß": "ẞ",
    "σ": "Σς",
    "a": "A",
    "b": "B",
}


@st.composite
def patterns(draw: st.DrawFn, vocabulary: list[str], depth: int = 0) -> tuple[str, str]:
    """An RE2 pattern and a text meant to match it (pieces of one drawn together)."""
    kind = draw(st.sampled_from(["word", "word", "atom", "anchor", "group", "alt", "rep", "seq"]))
    if depth >= 3 or kind == "word":
        word = draw(st.sampled_from(vocabulary))
        return _literal(word), word
    if kind == "atom":
        return draw(st.sampled_from(ATOMS))
    if kind == "anchor":
        return draw(st.sampled_from(ANCHORS)), ""
    if kind == "group":
        inner, sample = draw(patterns(vocabulary, depth + 1))
        opener = draw(st.sampled_from(["(?:", "(", "(?P<n>"]))
        return f"{opener}{inner})", sample
    if kind == "alt":
        branches = draw(st.lists(patterns(vocabulary, depth + 1), min_size=2, max_size=3))
        chosen = draw(st.sampled_from(branches))
        return "(?:" + "|".join(p for p, _ in branches) + ")", chosen[1]
    if kind == "rep":
        inner, sample = draw(patterns(vocabulary, depth + 1))
        operator, low, high = draw(
            st.sampled_from([("*", 0, 2), ("+", 1, 2), ("?", 0, 1), ("{2}", 2, 2), ("{1,3}", 1, 3)])
        )
        lazy = draw(st.sampled_from(["", "?"]))
        return f"(?:{inner}){operator}{lazy}", sample * draw(st.integers(low, high))
    parts = draw(st.lists(patterns(vocabulary, depth + 1), min_size=2, max_size=4))
    return "".join(p for p, _ in parts), "".join(s for _, s in parts)


def _vary_case(draw: st.DrawFn, text: str) -> str:
    """``text`` with some characters in another case (as a case-insensitive match may be)."""
    return "".join(
        draw(st.sampled_from([c, c.upper(), c.lower(), *VARIANTS.get(c, "")])) for c in text
    )


@st.composite
def pattern_tests(draw: st.DrawFn, vocabulary: list[str] | None = None) -> tuple[str, bool, str]:
    """A valid pattern, whether it is case-insensitive, and a text that likely matches."""
    if vocabulary is None:
        vocabulary = draw(vocabularies)
    pattern, sample = draw(patterns(vocabulary))
    if draw(st.integers(0, 9)) == 0:
        pattern = "(?i)" + pattern  # flags: the prefilter gives up
    fold = draw(st.booleans())
    if fold:
        sample = _vary_case(draw, sample)
    try:
        compile_pattern(pattern, fold)
    except re2.error:
        assume(False)
    around = st.one_of(st.just(""), texts(vocabulary), st.lists(chars, max_size=4).map("".join))
    text = draw(around) + sample + draw(around)
    return pattern, fold, text


# --------------------------------------------------------------------------- conditions

TEXT_FIELDS = ["text", "title", "c.d"]


@st.composite
def text_test(draw: st.DrawFn, field: str, vocabulary: list[str]) -> dict[str, Any]:
    """One field's test: mostly keywords and patterns, with or without ``case``."""
    words = st.sampled_from(vocabulary)
    op = draw(
        st.sampled_from(
            [
                *("contains", "contains", "contains_any", "contains_any", "contains_all"),
                *("matches", "matches", "eq", "ne", "in", "not_in", "plain"),
            ]
        )
    )
    fold = draw(st.booleans())
    case = {"case": "insensitive"} if fold else {}
    if op == "plain":
        return {field: draw(words)}
    if op == "contains":
        needle = draw(st.one_of(words, words, words, st.integers(0, 2), st.just(SURROGATE)))
        return {field: {"contains": needle, **case}}
    if op in ("contains_any", "contains_all"):
        needles = draw(st.lists(st.one_of(words, words, st.integers(0, 2)), min_size=1, max_size=5))
        return {field: {op: needles, **case}}
    if op == "matches":
        pattern, fold, _ = draw(pattern_tests(vocabulary))
        return {field: {"matches": pattern, **({"case": "insensitive"} if fold else {})}}
    if op in ("eq", "ne"):
        return {field: {op: draw(st.one_of(words, st.integers(0, 2))), **case}}
    literals = draw(st.lists(st.one_of(words, words, st.integers(0, 2)), min_size=1, max_size=3))
    return {field: {op: literals, **case}}


@st.composite
def text_conditions(
    draw: st.DrawFn, vocabulary: list[str], depth: int = 0, element: bool = False
) -> dict[str, Any]:
    """A condition of text tests nested in ``all`` / ``any`` / ``not`` / ``any_item``."""
    kind = draw(st.sampled_from(["test", "test", "test", "test", "all", "any", "not", "items"]))
    if depth >= 2 or kind == "test":
        spec: dict[str, Any] = draw(text_test(draw(st.sampled_from(TEXT_FIELDS)), vocabulary))
        if draw(st.integers(0, 5)) == 0:  # two tests on one field
            extra = draw(text_test(next(iter(spec)), vocabulary))
            first, second = next(iter(spec.values())), next(iter(extra.values()))
            if isinstance(first, dict) and isinstance(second, dict):
                merged = {**second, **first}
                if merged.get("case") != first.get("case"):
                    merged.pop("case", None)
                spec = {next(iter(spec)): merged}
        return spec
    if kind == "not":
        return {"not": draw(text_conditions(vocabulary, depth + 1, element))}
    if kind == "items":
        if element:
            return draw(text_test("text", vocabulary))
        quantifier = draw(st.sampled_from(["any_item", "all_items"]))
        return {"items": {quantifier: draw(text_conditions(vocabulary, depth + 1, element=True))}}
    children = draw(
        st.lists(text_conditions(vocabulary, depth + 1, element), min_size=1, max_size=3)
    )
    return {kind: children}


def _compile(spec: dict[str, Any]) -> Condition | None:
    try:
        return compile_condition(spec, path=("when",))
    except Exception:  # a combination the compiler refuses (two tests with one `case`)
        return None


@st.composite
def text_values(draw: st.DrawFn, vocabulary: list[str]) -> Any:
    """Mostly text, now and then empty, missing, a number or a list (the kind is drawn
    uniformly: hypothesis would otherwise favour the first, simplest branches)."""
    kind = draw(st.sampled_from(["text"] * 6 + ["empty", "missing", "number", "list"]))
    if kind == "text":
        return draw(texts(vocabulary))
    if kind == "list":
        return draw(st.lists(st.one_of(st.sampled_from(vocabulary), st.integers(0, 2)), max_size=3))
    return {"empty": "", "missing": None, "number": 1}[kind]


@st.composite
def text_tickets(draw: st.DrawFn, vocabulary: list[str]) -> dict[str, Any]:
    """A ticket whose text fields may be text, empty, missing, numbers or lists."""
    values = text_values(vocabulary)
    ticket: dict[str, Any] = {"text": draw(values), "title": draw(values)}
    shape = draw(st.sampled_from(["nested", "nested", "value", "none"]))
    if shape != "none":
        ticket["c"] = {"d": draw(values)} if shape == "nested" else draw(values)
    elements = st.one_of(st.fixed_dictionaries({"text": values}), values)
    ticket["items"] = draw(st.lists(elements, max_size=3))
    return {name: value for name, value in ticket.items() if value is not None}


@contextmanager
def tuned(direct: int, budget: int, index: int = 64, block: int = 16) -> Iterator[None]:
    """Generate with ``direct`` keywords searched one by one before the scan, a match
    budget of ``budget`` (small budgets send short texts down the piecewise search), and
    stages of ``index`` rules or more in blocks of ``block`` rules."""
    names = ("DIRECT_NEEDLES", "MATCH_BUDGET", "INDEX_RULES", "BLOCK_SIZE")
    modules = (codegen, textsearch, codegen, codegen)
    saved = [getattr(module, name) for module, name in zip(modules, names, strict=True)]
    for module, name, value in zip(modules, names, (direct, budget, index, block), strict=True):
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in zip(modules, names, saved, strict=True):
            setattr(module, name, value)


tunings = st.tuples(
    st.sampled_from([0, 0, 2, 24]),
    st.sampled_from([1 << 15, 1 << 15, 12, 3]),
    st.sampled_from([64, 2, 2, 4]),
    st.sampled_from([1, 2, 3]),
)


# --------------------------------------------------------------------------- differential


@settings(RELAXED, max_examples=max(60, settings.default.max_examples))
@given(data=st.data(), vocabulary=vocabularies, tuning=tunings)
def test_generated_first_match_equals_the_closures(
    data: st.DataObject, vocabulary: list[str], tuning: tuple[int, int, int, int]
) -> None:
    """Each stage compiled three ways: every keyword through the scan; in blocks of one
    rules skipped unless one of their facts holds; and as ``tuning`` says (the first
    keywords one by one, perhaps a tiny match budget, perhaps other blocks)."""
    specs = data.draw(st.lists(text_conditions(vocabulary), min_size=2, max_size=30))
    tickets = data.draw(st.lists(text_tickets(vocabulary), min_size=4, max_size=16))
    conditions = [c for c in map(_compile, specs) if c is not None]
    assume(conditions)
    reference = reference_first_match(conditions, default=len(conditions))
    for direct, budget, index, block in ((0, 1 << 15, 64, 16), (24, 1 << 15, 2, 1), tuning):
        with tuned(direct, budget, index, block):
            compiled = first_match(conditions, default=len(conditions))
        assert compiled.source is not None
        for ticket in tickets:
            assert compiled.function(ticket) == reference(ticket), (ticket, compiled.source)


@RELAXED
@given(data=st.data(), vocabulary=vocabularies)
def test_generated_predicate_equals_the_closures(
    data: st.DataObject, vocabulary: list[str]
) -> None:
    spec = data.draw(text_conditions(vocabulary))
    tickets = data.draw(st.lists(text_tickets(vocabulary), min_size=1, max_size=8))
    condition = _compile(spec)
    assume(condition is not None)
    assert condition is not None
    with tuned(0, 1 << 15):  # every keyword through the scan
        scanned = predicate(condition).function
    plain = predicate(condition).function
    for ticket in tickets:
        assert scanned(ticket) is plain(ticket) is condition.matches(ticket), ticket


@settings(RELAXED, max_examples=max(200, settings.default.max_examples))
@given(
    needles=st.lists(
        st.one_of(st.sampled_from(WORDS), texts().filter(bool)), min_size=1, max_size=12
    ),
    text=st.one_of(texts(), st.lists(st.sampled_from(WORDS), max_size=6).map("".join)),
)
def test_a_keyword_scan_finds_exactly_the_needles_in_the_text(
    needles: list[str], text: str
) -> None:
    expected = {n for n in needles if n in text}
    assert KeywordScan(needles)(text) == expected
    assert set(KeywordScan(needles).find(text)) == expected
    with tuned(0, 4):  # pieces of a few characters, or a substring search per needle
        assert KeywordScan(needles)(text * 3) == {n for n in needles if n in text * 3}


# --------------------------------------------------------------------------- prefilter


@settings(RELAXED, max_examples=max(200, settings.default.max_examples))
@given(case=pattern_tests())
def test_a_text_a_pattern_matches_holds_one_of_its_literals(case: tuple[str, bool, str]) -> None:
    pattern, fold, text = case
    literals = required_literals(pattern, fold)
    matched = compile_pattern(pattern, fold).search(encode(text)) is not None
    event(f"matched={matched}, literals={'none' if literals is None else 'some'}")
    if matched and literals is not None:
        haystack = text.casefold() if fold else text
        assert any(literal in haystack for literal in literals), (literals, haystack)


@pytest.mark.parametrize(
    ("pattern", "fold", "literals"),
    [
        (r"订单号\s*\d{8}", False, {"订单号"}),
        ("(?:退款|退货).*失败", False, {"失败"}),
        ("(?:退款|退货)", False, {"退款", "退货"}),
        ("Error-42", True, {"error-42"}),
        ("ab(?:c|d)", False, {"abc", "abd"}),
        ("a*", False, None),
        ("(?i)abc", False, None),  # flags: not followed
        (r"\x{41}bc", False, None),  # hex escapes: not followed
        (r"\Qab\E", False, None),
        ("ßx", True, {"x"}),  # ß folds differently in RE2 and casefold: unknown
        ("Kx", True, {"kx"}),
        (KELVIN + "x", True, {"x"}),  # not ASCII: unknown
        ("a{0}bc", False, {"bc"}),
        ("x|.", False, None),
    ],
)
def test_required_literals_of_examples(pattern: str, fold: bool, literals: set[str] | None) -> None:
    assert required_literals(pattern, fold) == (None if literals is None else frozenset(literals))


def _every_code_point() -> str:
    return "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF)


def test_re2_folds_safe_characters_exactly_as_casefold_does_over_every_code_point() -> None:
    """The prefilter's claim: for every literal character it keeps in a case-insensitive
    pattern (ASCII, CJK ideographs), every code point RE2 matches against it casefolds to
    the same text, so the casefolded literal is in the casefolded text.

    RE2 folds a class character by character as it folds a literal, so a case-insensitive
    class of the safe characters finds every code point that matches one of them; each of
    those is then matched against every safe character, in sets of 2,000 patterns.
    """
    every = _every_code_point()
    safe = [c for c in every if textsearch_safe(c)]
    assert len(safe) == 128 + (0x4DBF - 0x3400 + 1) + (0x9FFF - 0x4E00 + 1)
    cls = re2.compile(r"[\x00-\x7f\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}]", re2_options(fold=True))
    folding = [m.group() for m in cls.finditer(every)]
    # the only other characters RE2 folds onto them: the Kelvin sign and the long s
    assert set(folding) - set(safe) == {KELVIN, LONG_S}
    sets = []
    for start in range(0, len(safe), 2000):
        each = re2.Set.FullMatchSet(re2_options(fold=True))
        for char in safe[start : start + 2000]:
            each.Add(_literal(char))
        each.Compile()
        sets.append((start, each))
    for char in folding:
        matched = [safe[start + i] for start, each in sets for i in each.Match(encode(char)) or ()]
        assert char in matched or char in (KELVIN, LONG_S)
        for literal in matched:
            assert char.casefold() == literal.casefold(), (char, literal)
    # and what casefold makes of them: one character, looked for as the literal
    assert all(len(c.casefold()) == 1 and textsearch_safe(c.casefold()) for c in safe)


def textsearch_safe(char: str) -> bool:
    """The prefilter's own test of a safe character (a private helper, read once here)."""
    from slapolicy._conditions.prefilter import _is_safe_folded

    return _is_safe_folded(char)


def test_casefold_folds_text_character_by_character_over_every_code_point() -> None:
    """The other half of the claim: ``str.casefold`` of a text is the casefolds of its
    characters one after another (no context, unlike ``lower`` with final sigma), so the
    casefolds of the characters a match covers stand together in the casefolded text."""
    every = _every_code_point()
    assert every.casefold() == "".join(c.casefold() for c in every)
    assert "ΑΣ ".casefold() == "ασ "
    assert "ΑΣ ".lower() == "ας "


# --------------------------------------------------------------------------- scans


def test_long_texts_are_searched_in_overlapping_pieces() -> None:
    needles = ["上海", "上海市", "海市", "abc", "c"]
    text = "x" * 50 + "上海市" + "y" * 37 + "ab" + "c"
    with tuned(0, 9):  # a piece of 9 // depth characters
        scan = KeywordScan(needles)
        assert scan(text) == {"上海", "上海市", "海市", "abc", "c"}
        assert scan(text[:52]) == {"上海"}  # 上海 cut from its 市
        assert scan("z" * 100) == set()


def test_needles_of_pathological_depth_fall_back_to_a_search_per_needle() -> None:
    needles = ["a" * n for n in range(1, 40)]
    assert suffix_depth(needles) == 39
    scan = KeywordScan(needles)
    text = "a" * 100_000  # one search would report millions of matches
    assert scan(text) == set(needles)
    assert scan("b" + "a" * 20 + "b") == {"a" * n for n in range(1, 21)}


def test_lone_surrogates_in_texts_and_needles() -> None:
    text = "ab\ud800cd\udfffef"
    assert KeywordScan(["bc", "ab", "cd", "ef"])(text) == {"ab", "cd", "ef"}
    assert KeywordScan(["b\ud800c", "x"])(text) == {"b\ud800c"}  # searched one by one
    assert KeywordScan(["\ufffd", "ab"])(text) == {"ab"}  # U+FFFD is not a surrogate
    spec = {"text": {"contains_any": ["b\ud800c", "上海"]}}
    condition = compile_condition(spec)
    with tuned(0, 1 << 15):
        function = predicate(condition).function
    assert function({"text": text}) is condition.matches({"text": text}) is True


def test_a_pattern_scan_answers_the_patterns_that_match() -> None:
    patterns = [("上海", False), ("^ab", False), ("STRASSE", True), (r"\d{3}", False)]
    scan = PatternScan(patterns)
    assert set(scan("ab 上海 strasse")) - {len(patterns)} == {0, 1, 2}
    assert set(scan("x 12 3")) - {len(patterns)} == set()
    assert set(scan("x 123")) - {len(patterns)} == {3}


class _FailingSet:
    """A set search whose DFA ran out of memory: RE2 reports no match at all."""

    def Match(self, data: bytes) -> None:  # the name of the re2.Set method
        return None


def test_a_failed_set_search_searches_pattern_by_pattern() -> None:
    patterns = [("上海", False), ("b+", True)]
    scan = PatternScan(patterns)
    scan._sets = [(0, _FailingSet())]  # type: ignore[attr-defined]
    assert set(scan("上海 B")) == {0, 1}
    scan._sets = [(0, _FailingSet()), (1, _FailingSet())]  # type: ignore[attr-defined]
    assert set(scan("x B")) == {1}


def test_a_set_too_large_for_re2_is_split_until_it_compiles() -> None:
    """A pattern too large to share a set is searched on its own, the others in sets."""
    patterns = [(r"\pL{150}x", False), ("上海", False), ("b+", True), (r"\d{3}", False)]
    scan = PatternScan(patterns)
    assert len(scan._sets) > 1  # type: ignore[attr-defined]
    for text in ["q" * 150 + "x 上海 B 123", "q" * 149 + "x", "上海 12", "bb", ""]:
        data = text.encode()
        expected = {
            i for i, pattern in enumerate(patterns) if compile_pattern(*pattern).search(data)
        }
        assert set(scan(text)) == expected, text


# --------------------------------------------------------------------------- examples


def _stage(*whens: dict[str, Any]) -> tuple[Any, Any]:
    """The generated first match (every keyword through the scan) and the reference."""
    conditions = [compile_condition(w) for w in whens]
    with tuned(0, 1 << 15):
        compiled = first_match(conditions, default=len(conditions))
    return compiled.function, reference_first_match(conditions, default=len(conditions))


EXAMPLE_TICKETS = [
    {"text": "上海市 outage"},
    {"text": "上海"},
    {"text": "海市蜃楼"},
    {"text": "ab"},
    {"text": "abc"},
    {"text": "xbc"},
    {"text": "ABC"},
    {"text": "Straße"},
    {"text": "STRASSE"},
    {"text": "Kelvin"},
    {"text": "İstanbul"},
    {"text": ["上海", "ab"]},
    {"text": 3},
    {},
]


def _agree(function: Any, reference: Any) -> list[Any]:
    answers = [function(t) for t in EXAMPLE_TICKETS]
    assert answers == [reference(t) for t in EXAMPLE_TICKETS]
    return answers


def test_overlapping_keywords() -> None:
    function, reference = _stage(
        {"text": {"contains_all": ["上海市", "海市"]}},
        {"text": {"contains": "海市"}},
        {"text": {"contains": "上海"}},
    )
    assert _agree(function, reference)[:3] == [0, 2, 1]


def test_a_keyword_that_is_a_prefix_of_another() -> None:
    function, reference = _stage(
        {"text": {"contains": "abc"}},
        {"text": {"contains_any": ["ab", "zz"]}},
        {"text": {"contains": "bc"}},
    )
    assert _agree(function, reference)[3:7] == [1, 0, 2, 3]


def test_the_same_keyword_in_several_rules() -> None:
    function, reference = _stage(
        {"text": {"contains": "ab"}, "title": "x"},
        {"text": {"contains_any": ["ab", "上海"]}},
        {"text": {"contains": "AB", "case": "insensitive"}},
        {"not": {"text": {"contains": "ab"}}},
    )
    assert _agree(function, reference)[:7] == [1, 1, 3, 1, 1, 3, 2]


def test_case_insensitive_keywords_fold_as_casefold_does() -> None:
    function, reference = _stage(
        {"text": {"contains": "strasse", "case": "insensitive"}},
        {"text": {"contains": "k", "case": "insensitive"}},
        {"text": {"contains": "i̇", "case": "insensitive"}},
    )
    assert _agree(function, reference)[7:11] == [0, 0, 1, 2]


def test_two_thousand_rules() -> None:
    words = [f"词{i}号" for i in range(2000)]
    whens: list[dict[str, Any]] = []
    for i, word in enumerate(words):
        if i % 4 == 0:
            whens.append({"text": {"contains": word}})
        elif i % 4 == 1:
            whens.append({"text": {"contains_any": [word, f"W{i}#"], "case": "insensitive"}})
        elif i % 4 == 2:
            whens.append({"text": {"matches": f"{word}-\\d+"}})
        else:
            whens.append({"any": [{"type": f"t{i}"}, {"text": {"contains_all": [word, "!"]}}]})
    conditions = [compile_condition(w) for w in whens]
    compiled = first_match(conditions, default=2000)
    reference = reference_first_match(conditions, default=2000)
    tickets: list[dict[str, Any]] = [{"text": "nothing"}, {"type": "t1999"}, {}]
    for i in (0, 1, 2, 3, 1000, 1001, 1002, 1003, 1997, 1998, 1999):
        tickets.append({"text": f"前 {words[i]}-12 !后"})
        tickets.append({"text": f"w{i}#", "type": f"t{i}"})
    answers = [compiled.function(t) for t in tickets]
    assert answers == [reference(t) for t in tickets]
    assert answers[:3] == [2000, 1999, 2000]
    assert answers[3::2] == [0, 1, 2, 3, 1000, 1001, 1002, 1003, 1997, 1998, 1999]
    assert answers[4::2] == [2000, 1, 2000, 3, 2000, 1001, 2000, 1003, 1997, 2000, 1999]


# --------------------------------------------------------------------------- indexed stages


def _indexed(*whens: dict[str, Any], bound: tuple[str, ...] = ()) -> tuple[Any, Any, str]:
    """An indexed stage of ``whens`` (blocks of one rule), its reference and its source."""
    conditions = [compile_condition(w) for w in whens]
    with tuned(24, 1 << 15, 2, 1):
        compiled = first_match(conditions, default=len(conditions), bound=bound)
    assert compiled.source is not None
    assert "n0 = " in compiled.source  # indexed
    reference = reference_first_match(conditions, default=len(conditions), bound=bound)
    return compiled.function, reference, compiled.source


class _Text(str):
    """A subclass of str that equals every text: a value the index must not look up."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str)

    def __hash__(self) -> int:
        return 0


def test_an_indexed_stage_hands_other_values_to_the_plain_stage() -> None:
    function, reference, _ = _indexed(
        {"text": {"contains": "上海"}},
        {"type": "incident"},
        {"text": {"contains_any": ["ab", 3]}, "type": ["x", "y"]},
        {"text": {"matches": "a+b", "case": "insensitive"}},
    )
    tickets: list[dict[str, Any]] = [
        {"text": ["上海"]},  # contains: an element of a list
        {"text": [3], "type": "x"},
        {"text": 3, "type": "incident"},
        {"type": _Text("other")},  # equals "incident" by its own rules
        {"text": "xAAB"},
        {"text": "ab", "type": "y"},
        {"text": None, "type": "y"},
        {},
    ]
    answers = [function(t) for t in tickets]
    assert answers == [reference(t) for t in tickets]
    assert answers == [0, 2, 1, 1, 3, 2, 4, 4]


def test_an_indexed_stage_with_bound_names() -> None:
    function, reference, _ = _indexed(
        {"category": "a", "text": {"contains": "x"}},
        {"category": ["b", "c"]},
        {"category.x": {"exists": False}, "text": {"contains": "y"}},
        bound=("category",),
    )
    for ticket, category in [({"text": "x"}, "a"), ({"text": "x"}, "c"), ({"text": "y"}, "a")]:
        assert function(ticket, category) == reference(ticket, category)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_policy_text_never_becomes_source_of_an_indexed_stage(text: str) -> None:
    field = text.replace(".", "_").strip()[:200] or "f"
    whens: list[dict[str, Any]] = [
        {field: text},
        {field: {"contains_any": [text, "宕机"], "case": "insensitive"}},
        {field: {"matches": "宕机"}},
    ]
    try:
        function, reference, source = _indexed(*whens)
    except PolicyError:  # a name the compiler refuses (spaces around a part)
        return
    for token in _tokens(source):
        assert token.type != tokenize.STRING, source
        if token.type == tokenize.NAME and not keyword.iskeyword(token.string):
            assert GENERATED_NAMES.fullmatch(token.string), token
    for ticket in ({field: text}, {field: text.upper() + "宕机"}, {}):
        assert function(ticket) == reference(ticket)
