"""The operators of a field test: each one's meaning and its explanation, written once.

An operator is one row of :data:`TABLE`: which argument the compiler checks for it
(``argument``), the declared field kinds it applies to, whether it honours ``case:
insensitive``, its value test (``build``: argument -> test of a present value) and its
reason (the sentence a trace shows). Evaluation, the trace, generated code, lint, the
hypothesis strategies and the durable backend all read the operator from here, so adding one
means adding a row (and its argument checker in :mod:`.compiler`, if it takes a new kind of
argument); docs/architecture.md walks through it.

A value test receives a present value (never ``None``: a missing field fails every test
before its value is looked at) and never raises for any JSON-like value.

``any_item`` and ``all_items`` quantify a condition over the elements of a list: their
argument (checked by the compiler into a :class:`~.tree.ItemCondition`) carries the
element condition's predicate, and :data:`QUANTIFIERS` turns any element predicate into the
value test, so the generated code (:mod:`.codegen`) quantifies its own compiled element
condition with the same function.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import re2

from .values import encode, is_aware, kind_of, show, value_key

__all__ = [
    "COMBINATORS",
    "ITEM_OPERATORS",
    "MAX_SHOWN_ITEMS",
    "OPERATORS",
    "QUANTIFIERS",
    "TABLE",
    "TEXT_OPERATORS",
    "Operator",
    "ValueTest",
    "compile_pattern",
]

ValueTest = Callable[[Any], bool]
Argument = Literal[
    "literal", "literals", "order", "bounds", "needle", "needles", "pattern", "condition"
]

_ORDER_FUNCTIONS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_ORDER_SYMBOLS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
# Speed trick, measured in the closing note of issue 3 (3-9x on typical ticket texts):
# from this many text needles, contains_any may use one RE2 search...
_ALTERNATION_THRESHOLD = 8
# ... when len(text) * needles exceeds this (else needle by needle, which is faster)
_LOOP_BUDGET = 4096


@dataclass(frozen=True, slots=True)
class Operator:
    """One operator: how its argument is checked, what it means, how a trace explains it."""

    name: str
    #: which checker of the compiler validates (and converts) the argument
    argument: Argument
    #: the declared field kinds it applies to (``any``: undeclared fields)
    kinds: frozenset[str]
    #: honours ``case: insensitive``
    text: bool
    #: ``build(arg, fold)`` -> the test of a present value
    build: Callable[[Any, bool], ValueTest]
    #: ``reason(arg, fold, value, matched)`` -> why the test on ``value`` came out so
    reason: Callable[[Any, bool, Any, bool], str]


def re2_options(*, fold: bool = False, latin1: bool = False) -> Any:
    """RE2 options: quiet errors, no captures, optional case folding or byte mode."""
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True
    if fold:
        options.case_sensitive = False
    if latin1:
        options.encoding = re2.Options.Encoding.LATIN1
    return options


@functools.lru_cache(maxsize=4096)
def compile_pattern(pattern: str, fold: bool) -> Any:
    """A ``matches`` pattern compiled by RE2 (raises ``re2.error``; cached: the compiler
    checks each pattern and the operator builds its test from the same object)."""
    return re2.compile(pattern, re2_options(fold=fold))


# --------------------------------------------------------------------------- value tests


def equals(literal: Any, fold: bool) -> ValueTest:
    """Build the strict equality test against one literal."""
    if isinstance(literal, str):
        if fold:
            folded = literal.casefold()
            return lambda v: isinstance(v, str) and v.casefold() == folded
        return lambda v: isinstance(v, str) and v == literal
    if isinstance(literal, bool):
        return lambda v: v is literal
    if isinstance(literal, (int, float)):
        return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v == literal
    if isinstance(literal, datetime):
        return lambda v: isinstance(v, datetime) and is_aware(v) and v == literal
    return lambda v: isinstance(v, date) and not isinstance(v, datetime) and v == literal


def member_of(literals: Sequence[Any], fold: bool) -> ValueTest:
    """Build the strict membership test against a list of literals."""
    if all(isinstance(item, str) for item in literals):
        if fold:
            folded = frozenset(item.casefold() for item in literals)
            return lambda v: isinstance(v, str) and v.casefold() in folded
        plain = frozenset(literals)
        return lambda v: isinstance(v, str) and v in plain
    keys = frozenset(value_key(item, fold) for item in literals)
    return lambda v: value_key(v, fold) in keys


def _guard(kind: str) -> ValueTest:
    """Build the test that a value is of an orderable kind (number, string, datetime, date)."""
    if kind == "number":
        return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if kind == "string":
        return lambda v: isinstance(v, str)
    if kind == "datetime":
        return lambda v: isinstance(v, datetime) and is_aware(v)
    return lambda v: isinstance(v, date) and not isinstance(v, datetime)


def ordered(op: str, literal: Any) -> ValueTest:
    """Build an ordering test (gt, ge, lt, le) that is false across kinds."""
    compare = _ORDER_FUNCTIONS[op]
    guard = _guard(kind_of(literal))
    return lambda v: guard(v) and compare(v, literal)


def between(low: Any, high: Any) -> ValueTest:
    """Build the inclusive range test, false across kinds."""
    guard = _guard(kind_of(low))
    return lambda v: guard(v) and low <= v <= high


def text_search(needles: Sequence[str]) -> Callable[[str], bool]:
    """Build a test that a text contains any of the needles, linear in the text."""
    each = tuple(needles)
    if len(each) < _ALTERNATION_THRESHOLD:
        return _search_each(each)
    # Matching UTF-8 bytes in RE2's Latin-1 mode is plain substring search on the encoded
    # text; UTF-8 is self-synchronising, so a byte match is always a character match.
    pattern = b"|".join(re2.escape(encode(needle)) for needle in each)
    try:
        regex = re2.compile(pattern, re2_options(latin1=True))
    except re2.error:  # too large for RE2's memory budget: search needle by needle
        return _search_each(each)
    # One RE2 search costs about as much as a few thousand characters of plain substring
    # search, so short texts (most ticket texts) are searched needle by needle.
    longest_looped = _LOOP_BUDGET // len(each)

    def search_either(text: str) -> bool:
        if len(text) <= longest_looped:
            for needle in each:  # noqa: SIM110 - a plain loop allocates no generator (hot path)
                if needle in text:
                    return True
            return False
        return regex.search(encode(text)) is not None

    return search_either


def _search_each(needles: tuple[str, ...]) -> Callable[[str], bool]:
    """Build a test that a text contains any of a few needles, one substring search each."""

    def search_each(text: str) -> bool:
        for needle in needles:  # noqa: SIM110 - a plain loop allocates no generator (hot path)
            if needle in text:
                return True
        return False

    return search_each


def contains(needle: Any, fold: bool) -> ValueTest:
    """Build the ``contains`` test: substring of a text, or an equal element of a list."""
    element = equals(needle, fold)
    if isinstance(needle, str):
        text_needle = needle.casefold() if fold else needle

        def contains_text(v: Any) -> bool:
            if isinstance(v, str):
                return text_needle in (v.casefold() if fold else v)
            if isinstance(v, (list, tuple)):
                return any(element(item) for item in v)
            return False

        return contains_text
    return lambda v: isinstance(v, (list, tuple)) and any(element(item) for item in v)


def contains_any(needles: Sequence[Any], fold: bool) -> ValueTest:
    """Build the ``contains_any`` test over text or list values."""
    texts = tuple(dict.fromkeys(n.casefold() if fold else n for n in needles if isinstance(n, str)))
    search = text_search(texts)
    keys = frozenset(value_key(needle, fold) for needle in needles)

    def contains_any(v: Any) -> bool:
        if isinstance(v, str):
            return search(v.casefold() if fold else v)
        if isinstance(v, (list, tuple)):
            return any(value_key(item, fold) in keys for item in v)
        return False

    return contains_any


def contains_all(needles: Sequence[Any], fold: bool) -> ValueTest:
    """Build the ``contains_all`` test over text or list values."""
    all_text = all(isinstance(needle, str) for needle in needles)
    texts = tuple(dict.fromkeys(n.casefold() if fold else n for n in needles if isinstance(n, str)))
    keys = frozenset(value_key(needle, fold) for needle in needles)

    def contains_all(v: Any) -> bool:
        if isinstance(v, str):
            if not all_text:
                return False
            text = v.casefold() if fold else v
            return all(needle in text for needle in texts)
        if isinstance(v, (list, tuple)):
            found = {key for item in v if (key := value_key(item, fold)) in keys}
            return len(found) == len(keys)
        return False

    return contains_all


def regex_test(pattern: str, fold: bool) -> ValueTest:
    """Build the ``matches`` test: an RE2 search anywhere in a text value."""
    regex = compile_pattern(pattern, fold)
    return lambda v: isinstance(v, str) and regex.search(encode(v)) is not None


def _negated(test: ValueTest) -> ValueTest:
    return lambda v: not test(v)


def any_item(element: Callable[[Any], bool]) -> ValueTest:
    """Build ``any_item``: the value is a list and some element satisfies ``element``.

    ``element`` is the element condition's predicate; it receives each element as it is
    (an element that is not a mapping has no fields: every path inside it is missing).
    """

    def any_item(v: Any) -> bool:
        if not isinstance(v, (list, tuple)):
            return False
        for item in v:  # noqa: SIM110 - a plain loop allocates no generator (hot path)
            if element(item):
                return True
        return False

    return any_item


def all_items(element: Callable[[Any], bool]) -> ValueTest:
    """Build ``all_items``: the value is a list and every element satisfies ``element``
    (an empty list: true, there is no element that fails)."""

    def all_items(v: Any) -> bool:
        if not isinstance(v, (list, tuple)):
            return False
        for item in v:  # noqa: SIM110 - a plain loop allocates no generator (hot path)
            if not element(item):
                return False
        return True

    return all_items


#: ``any_item`` / ``all_items`` -> (element predicate -> value test)
QUANTIFIERS: Mapping[str, Callable[[Callable[[Any], bool]], ValueTest]] = {
    "any_item": any_item,
    "all_items": all_items,
}


# --------------------------------------------------------------------------- reasons


def _mismatch(value: Any, expected_kind: str) -> str:
    """Describe a comparison between values of different kinds."""
    return f"type mismatch: {kind_of(value)} vs {expected_kind}"


def _case_note(fold: bool) -> str:
    """Say that text was compared ignoring case, when it was."""
    return " (ignoring case)" if fold else ""


def _eq_reason(literal: Any, fold: bool, value: Any, matched: bool) -> str:
    if matched:
        return f"{show(value)} == {show(literal)}{_case_note(fold)}"
    if kind_of(value) != kind_of(literal):
        return _mismatch(value, kind_of(literal))
    return f"{show(value)} != {show(literal)}{_case_note(fold)}"


def _ne_reason(literal: Any, fold: bool, value: Any, matched: bool) -> str:
    if not matched:
        return f"{show(value)} == {show(literal)}{_case_note(fold)}"
    if kind_of(value) != kind_of(literal):
        return f"{_mismatch(value, kind_of(literal))}, so not equal"
    return f"{show(value)} != {show(literal)}{_case_note(fold)}"


def _membership_reason(
    literals: tuple[Any, ...], fold: bool, value: Any, member: bool, *, negate: bool
) -> str:
    if member:
        return f"{show(value)} is in {show(list(literals))}{_case_note(fold)}"
    kinds = sorted({kind_of(item) for item in literals})
    if kind_of(value) not in kinds:
        return _mismatch(value, " or ".join(kinds)) + (", so not in the list" if negate else "")
    return f"{show(value)} is not in {show(list(literals))}{_case_note(fold)}"


def _in_reason(literals: tuple[Any, ...], fold: bool, value: Any, matched: bool) -> str:
    return _membership_reason(literals, fold, value, matched, negate=False)


def _not_in_reason(literals: tuple[Any, ...], fold: bool, value: Any, matched: bool) -> str:
    return _membership_reason(literals, fold, value, not matched, negate=True)


def _order_reason(op: str, literal: Any, fold: bool, value: Any, matched: bool) -> str:
    symbol = _ORDER_SYMBOLS[op]
    if matched:
        return f"{show(value)} {symbol} {show(literal)}"
    if kind_of(value) != kind_of(literal):
        return _mismatch(value, kind_of(literal))
    return f"{show(value)} is not {symbol} {show(literal)}"


def _between_reason(bounds: tuple[Any, Any], fold: bool, value: Any, matched: bool) -> str:
    low, high = bounds
    if matched:
        return f"{show(value)} is between {show(low)} and {show(high)}"
    if kind_of(value) != kind_of(low):
        return _mismatch(value, kind_of(low))
    return f"{show(value)} is not between {show(low)} and {show(high)}"


def _not_searchable(value: Any) -> str:
    """Describe a value that no ``contains*`` test can look into."""
    return f"type mismatch: {kind_of(value)} (contains needs text or a list)"


def _contains_reason(needle: Any, fold: bool, value: Any, matched: bool) -> str:
    if isinstance(value, str):
        if not isinstance(needle, str):
            return f"type mismatch: text cannot contain {kind_of(needle)} {show(needle)}"
        verb = "contains" if matched else "does not contain"
        return f"{show(value)} {verb} {show(needle)}{_case_note(fold)}"
    if isinstance(value, (list, tuple)):
        verb = "has an element equal to" if matched else "has no element equal to"
        return f"{show(value)} {verb} {show(needle)}{_case_note(fold)}"
    return _not_searchable(value)


def _contains_any_reason(needles: tuple[Any, ...], fold: bool, value: Any, matched: bool) -> str:
    if not isinstance(value, (str, list, tuple)):
        return _not_searchable(value)
    if matched:
        found = next((n for n in needles if contains(n, fold)(value)), None)
        return f"{show(value)} contains {show(found)}{_case_note(fold)}"
    return f"{show(value)} contains none of {show(list(needles))}{_case_note(fold)}"


def _contains_all_reason(needles: tuple[Any, ...], fold: bool, value: Any, matched: bool) -> str:
    if not isinstance(value, (str, list, tuple)):
        return _not_searchable(value)
    if matched:
        return f"{show(value)} contains all of {show(list(needles))}{_case_note(fold)}"
    lacking = next((n for n in needles if not contains(n, fold)(value)), None)
    return f"{show(value)} does not contain {show(lacking)}{_case_note(fold)}"


def _matches_reason(pattern: str, fold: bool, value: Any, matched: bool) -> str:
    if not isinstance(value, str):
        return f"type mismatch: {kind_of(value)} (matches needs text)"
    verb = "matches" if matched else "does not match"
    return f"{show(value)} {verb} /{pattern}/"


#: the elements a trace shows when no element of a list matches
MAX_SHOWN_ITEMS = 10


def _items_reason(op: str, arg: Any, fold: bool, value: Any, matched: bool) -> str:
    if not isinstance(value, (list, tuple)):
        return f"type mismatch: {kind_of(value)} ({op} needs a list)"
    count = len(value)
    elements = f"{count} element{'' if count == 1 else 's'}"
    if not value:
        return "the list is empty: every element matches" if matched else "the list is empty"
    predicate = arg.predicate
    if op == "any_item":
        if matched:
            first = next(i for i, item in enumerate(value) if predicate(item))
            return f"element [{first}] matches"
        shown = "" if count <= MAX_SHOWN_ITEMS else f" (the first {MAX_SHOWN_ITEMS} shown)"
        return f"none of its {elements} matches{shown}"
    if matched:
        return "its one element matches" if count == 1 else f"all {elements} match"
    first = next(i for i, item in enumerate(value) if not predicate(item))
    return f"element [{first}] does not match"


# --------------------------------------------------------------------------- the table

_SCALAR_KINDS = frozenset({"string", "integer", "number", "boolean", "datetime", "any"})
_ORDER_KINDS = frozenset({"string", "integer", "number", "datetime", "any"})
_SEARCH_KINDS = frozenset({"string", "list", "any"})
_LIST_KINDS = frozenset({"list", "any"})


def _quantifier(op: str) -> Operator:
    quantify = QUANTIFIERS[op]
    return Operator(
        op,
        "condition",
        _LIST_KINDS,
        False,
        lambda items, fold: quantify(items.predicate),
        functools.partial(_items_reason, op),
    )


def _order(op: str) -> Operator:
    return Operator(
        op,
        "order",
        _ORDER_KINDS,
        False,
        lambda literal, fold: ordered(op, literal),
        functools.partial(_order_reason, op),
    )


#: every operator but ``exists`` (a test of presence, not of a value), in documented order
TABLE: Mapping[str, Operator] = {
    op.name: op
    for op in (
        Operator("eq", "literal", _SCALAR_KINDS, True, equals, _eq_reason),
        Operator(
            "ne", "literal", _SCALAR_KINDS, True, lambda a, f: _negated(equals(a, f)), _ne_reason
        ),
        Operator("in", "literals", _SCALAR_KINDS, True, member_of, _in_reason),
        Operator(
            "not_in",
            "literals",
            _SCALAR_KINDS,
            True,
            lambda a, f: _negated(member_of(a, f)),
            _not_in_reason,
        ),
        _order("gt"),
        _order("ge"),
        _order("lt"),
        _order("le"),
        Operator(
            "between", "bounds", _ORDER_KINDS, False, lambda b, f: between(*b), _between_reason
        ),
        Operator("contains", "needle", _SEARCH_KINDS, True, contains, _contains_reason),
        Operator(
            "contains_any", "needles", _SEARCH_KINDS, True, contains_any, _contains_any_reason
        ),
        Operator(
            "contains_all", "needles", _SEARCH_KINDS, True, contains_all, _contains_all_reason
        ),
        Operator(
            "matches", "pattern", frozenset({"string", "any"}), True, regex_test, _matches_reason
        ),
        _quantifier("any_item"),
        _quantifier("all_items"),
    )
}

OPERATORS: tuple[str, ...] = (*TABLE, "exists")
"""Every operator a field test may use."""

TEXT_OPERATORS: frozenset[str] = frozenset(name for name, op in TABLE.items() if op.text)
"""The operators that honour ``case: insensitive``."""

COMBINATORS: tuple[str, ...] = ("all", "any", "not")
"""The reserved keys that combine conditions."""

ITEM_OPERATORS: frozenset[str] = frozenset(
    name for name, op in TABLE.items() if op.argument == "condition"
)
"""The operators whose argument is a condition on each element of a list."""
