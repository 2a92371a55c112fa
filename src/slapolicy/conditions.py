"""Conditions (``when:``): condition data compiled once into fast, explainable predicates.

A condition is plain data (never code: nothing is handed to ``eval``). This module knows
nothing of YAML; it receives the parsed mapping and a path prefix for error messages, and
:func:`compile_condition` reports every problem at once as a :class:`PolicyError`.

Shapes
------
- ``{field: value}`` is equality; several keys in one mapping must all hold.
- ``{field: [a, b]}`` is membership (``in``).
- ``{field: {op: arg, ...}}`` applies operators; several operators must all hold. Operators:
  ``eq ne in not_in gt ge lt le between contains contains_any contains_all matches exists``.
- ``all: [...]``, ``any: [...]`` (non-empty lists of conditions) and ``not: {...}`` combine
  conditions and may sit next to field keys. ``all``, ``any``, ``not`` and the operator names
  are reserved: they cannot be used as top-level field names.

Values
------
- Fields are dotted paths into the ticket: ``customer.tier`` reads ``ticket["customer"]["tier"]``.
  A non-mapping on the way, an absent key and JSON ``null`` all mean *missing*.
- A test on a missing field is false, including ``ne`` and ``not_in``; only ``exists: false``
  is true for a missing field.
- There is no implicit coercion: ``true`` never equals ``1``, ``"3"`` never equals ``3``, and
  ordering across kinds (text vs number, boolean vs number) is simply false. Integers and
  floats compare with each other; text orders by code point; booleans have no order. Only
  fields declared in ``fields:`` are converted, and only their condition literals are
  converted here (see :mod:`slapolicy.fields`; the engine converts the ticket's values).
- ``ne`` and ``not_in`` are the negations of ``eq`` and ``in`` on a present value, so a value
  of another kind is "not equal".
- ``between: [low, high]`` is inclusive at both ends.
- ``contains`` on text is a substring test; on a list it looks for an equal element.
  ``contains_any`` / ``contains_all`` take a list of needles.
- ``case: insensitive`` (next to the operators) makes the text operators (``eq ne in not_in
  contains contains_any contains_all matches``) compare ``str.casefold()``-ed text, which
  also works for Chinese (where casefolding changes nothing).

Regular expressions
-------------------
``matches`` is a *search* anywhere in the text, run by Google's RE2 (``google-re2``), not by
Python's ``re``. Policies are edited by people and tickets come from customers, so a
pattern like ``(a+)+$`` on a long text must not hang a helpdesk: RE2 runs in time linear in
the text and never backtracks. The price is RE2 syntax: no backreferences (``\\1``) and no
look-around (``(?=...)``); such patterns are rejected when the policy loads. ``case:
insensitive`` uses RE2's case-insensitive mode (Unicode simple case folding). Text is
searched as UTF-8; lone surrogates are passed through instead of failing.

Limits: a pattern has at most 1,000 characters, a needle at most 1,000, and a list of values
or needles at most 1,000 items; conditions nest at most 32 levels. ``contains_any`` with
many text needles runs as one RE2 alternation on long texts (short texts are faster needle
by needle), so huge texts stay linear in their length.

Evaluation
----------
:meth:`Condition.matches` is the fast path: the condition is compiled into nested closures,
so a call does no parsing, raises nothing for ordinary mismatches and builds no trace.
:meth:`Condition.explain` is the slow path that returns a :class:`Check` tree saying why
each test matched or not; its ``matched`` always equals ``matches()``. :meth:`Condition.emit`
writes the same logic as a Python expression over constants (see :class:`Source`), from
which :mod:`slapolicy.selection` builds one function per engine stage; the closures of
``matches`` remain the reference it is tested against. Neither raises for
any JSON-like ticket (huge or deeply nested values, odd Unicode, NaN). A :class:`Condition`
is immutable and safe to share between threads.
"""

from __future__ import annotations

import difflib
import math
import operator
import reprlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from itertools import chain
from typing import Any, Literal, NoReturn, cast

import re2

from .errors import PolicyError, Problem, format_path
from .fields import FieldType, coerce

__all__ = [
    "COMBINATORS",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_NEEDLE_LENGTH",
    "MAX_PATTERN_LENGTH",
    "OPERATORS",
    "TEXT_OPERATORS",
    "Check",
    "Condition",
    "Source",
    "compile_condition",
]

OPERATORS: tuple[str, ...] = (
    "eq",
    "ne",
    "in",
    "not_in",
    "gt",
    "ge",
    "lt",
    "le",
    "between",
    "contains",
    "contains_any",
    "contains_all",
    "matches",
    "exists",
)
"""Every operator a field test may use."""

TEXT_OPERATORS: frozenset[str] = frozenset(
    {"eq", "ne", "in", "not_in", "contains", "contains_any", "contains_all", "matches"}
)
"""The operators that honour ``case: insensitive``."""

COMBINATORS: tuple[str, ...] = ("all", "any", "not")
"""The reserved keys that combine conditions."""

MAX_PATTERN_LENGTH = 1000
"""Longest regular expression accepted by ``matches``, in characters."""

MAX_NEEDLE_LENGTH = 1000
"""Longest text accepted as a ``contains*`` needle, in characters."""

MAX_ITEMS = 1000
"""Most values accepted in one ``in`` / ``not_in`` / ``contains_any`` / ``contains_all`` list."""

MAX_DEPTH = 32
"""Deepest nesting of conditions accepted."""

CheckKind = Literal["all", "any", "not", "test", "true"]
Ticket = Mapping[str, Any]
Predicate = Callable[[Ticket], bool]
ValueTest = Callable[[Any], bool]

_CASE_KEY = "case"
_CASES = ("insensitive", "sensitive")
_ORDER_OPERATORS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_ORDER_FUNCTIONS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_ORDERED_KINDS = frozenset({"number", "string", "datetime", "date"})
_ALTERNATION_THRESHOLD = 8  # from this many text needles, contains_any may use one RE2 search
_LOOP_BUDGET = 4096  # ... when len(text) * needles exceeds this (else needle by needle)
_RE2_HELP = (
    "patterns use RE2 syntax (no backreferences or look-around), "
    "see https://github.com/google/re2/wiki/Syntax"
)
_YAML_BOOLEAN_HINT = "quote it: YAML reads unquoted yes/no/on/off/true/false as booleans"


# --------------------------------------------------------------------------- trace


@dataclass(frozen=True, slots=True)
class Check:
    """One node of a condition trace: what was tested, whether it matched and why."""

    kind: CheckKind
    matched: bool
    field: str | None = None
    op: str | None = None
    expected: Any = None
    actual: Any = None
    reason: str | None = None
    children: tuple[Check, ...] = ()

    def describe(self) -> str:
        """Render the trace as text, one line per test, ``[x]`` for matched and ``[ ]`` not."""
        lines: list[str] = []
        self._render(lines, 0)
        return "\n".join(lines)

    def _render(self, lines: list[str], depth: int) -> None:
        """Append this node's line and its children's, indented by depth."""
        mark = "[x]" if self.matched else "[ ]"
        pad = "    " * depth
        if self.kind == "test":
            expected = _show(self.expected)
            lines.append(f"{pad}{mark} {self.field} {self.op} {expected}: {self.reason}")
        elif self.kind == "true":
            lines.append(f"{pad}{mark} always: {self.reason}")
        else:
            label = {"all": "all of:", "any": "any of:", "not": "not:"}[self.kind]
            subject = f"{self.field}: " if self.field is not None else ""
            lines.append(f"{pad}{mark} {subject}{label}")
            for child in self.children:
                child._render(lines, depth + 1)


# --------------------------------------------------------------------------- value helpers


class _ShortRepr(reprlib.Repr):
    """A ``reprlib.Repr`` that stays short and never fails on huge integers."""

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = 80
        self.maxother = 80
        self.maxlevel = 3
        self.maxlist = 8
        self.maxtuple = 8
        self.maxdict = 6

    def repr_int(self, x: int, level: int) -> str:
        """Show huge integers by size instead of converting all their digits."""
        if x.bit_length() > 256:
            return f"<integer of about {int(x.bit_length() * 0.30103)} digits>"
        return super().repr_int(x, level)

    def repr_tuple(self, x: tuple[Any, ...], level: int) -> str:
        """Show tuples as lists, as they came from the policy."""
        return self.repr_list(list(x), level)


_SHORT_REPR = _ShortRepr()


def _show(value: Any) -> str:
    """Show a value in a message or trace, shortened."""
    try:
        return _SHORT_REPR.repr(value)
    except Exception:  # a broken __repr__ in a caller's object must not break a trace
        return f"<{type(value).__name__}>"


def _is_aware(value: datetime) -> bool:
    """Tell whether a datetime carries a UTC offset."""
    return value.tzinfo is not None and value.utcoffset() is not None


def _kind(value: Any) -> str:
    """Name the JSON-like kind of a value: string, number, boolean, list, mapping, ..."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, datetime):
        return "datetime" if _is_aware(value) else "naive datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Mapping):
        return "mapping"
    if value is None:
        return "null"
    return type(value).__name__


def _key(value: Any, fold: bool) -> tuple[str, Any] | None:
    """Return a hashable key under which two values are equal exactly when the key is equal."""
    if isinstance(value, str):
        return ("string", value.casefold() if fold else value)
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, datetime):
        return ("datetime", value) if _is_aware(value) else None
    if isinstance(value, date):
        return ("date", value)
    return None


def _encode(text: str) -> bytes:
    """Encode text as UTF-8 for RE2, passing lone surrogates through instead of failing."""
    return text.encode("utf-8", "surrogatepass")


def _re2_options(*, fold: bool = False, latin1: bool = False) -> Any:
    """Build RE2 options: quiet errors, no captures, optional case folding or byte mode."""
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True
    if fold:
        options.case_sensitive = False
    if latin1:
        options.encoding = re2.Options.Encoding.LATIN1
    return options


# --------------------------------------------------------------------------- value tests


def _equals(literal: Any, fold: bool) -> ValueTest:
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
        return lambda v: isinstance(v, datetime) and _is_aware(v) and v == literal
    return lambda v: isinstance(v, date) and not isinstance(v, datetime) and v == literal


def _member_of(literals: Sequence[Any], fold: bool) -> ValueTest:
    """Build the strict membership test against a list of literals."""
    if all(isinstance(item, str) for item in literals):
        if fold:
            folded = frozenset(item.casefold() for item in literals)
            return lambda v: isinstance(v, str) and v.casefold() in folded
        plain = frozenset(literals)
        return lambda v: isinstance(v, str) and v in plain
    keys = frozenset(_key(item, fold) for item in literals)
    return lambda v: _key(v, fold) in keys


def _guard(kind: str) -> ValueTest:
    """Build the test that a value is of an orderable kind (number, string, datetime, date)."""
    if kind == "number":
        return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if kind == "string":
        return lambda v: isinstance(v, str)
    if kind == "datetime":
        return lambda v: isinstance(v, datetime) and _is_aware(v)
    return lambda v: isinstance(v, date) and not isinstance(v, datetime)


def _ordered(op: str, literal: Any) -> ValueTest:
    """Build an ordering test (gt, ge, lt, le) that is false across kinds."""
    compare = _ORDER_FUNCTIONS[op]
    guard = _guard(_kind(literal))
    return lambda v: guard(v) and compare(v, literal)


def _between(low: Any, high: Any) -> ValueTest:
    """Build the inclusive range test, false across kinds."""
    guard = _guard(_kind(low))
    return lambda v: guard(v) and low <= v <= high


def _text_search(needles: Sequence[str]) -> Callable[[str], bool]:
    """Build a test that a text contains any of the needles, linear in the text."""
    each = tuple(needles)
    if len(each) < _ALTERNATION_THRESHOLD:
        return _search_each(each)
    # Matching UTF-8 bytes in RE2's Latin-1 mode is plain substring search on the encoded
    # text; UTF-8 is self-synchronising, so a byte match is always a character match.
    pattern = b"|".join(re2.escape(_encode(needle)) for needle in each)
    try:
        regex = re2.compile(pattern, _re2_options(latin1=True))
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
        return regex.search(_encode(text)) is not None

    return search_either


def _search_each(needles: tuple[str, ...]) -> Callable[[str], bool]:
    """Build a test that a text contains any of a few needles, one substring search each."""

    def search_each(text: str) -> bool:
        for needle in needles:  # noqa: SIM110 - a plain loop allocates no generator (hot path)
            if needle in text:
                return True
        return False

    return search_each


def _contains(needle: Any, fold: bool) -> ValueTest:
    """Build the ``contains`` test: substring of a text, or an equal element of a list."""
    element = _equals(needle, fold)
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


def _contains_any(needles: Sequence[Any], fold: bool) -> ValueTest:
    """Build the ``contains_any`` test over text or list values."""
    texts = tuple(dict.fromkeys(n.casefold() if fold else n for n in needles if isinstance(n, str)))
    search = _text_search(texts)
    keys = frozenset(_key(needle, fold) for needle in needles)

    def contains_any(v: Any) -> bool:
        if isinstance(v, str):
            return search(v.casefold() if fold else v)
        if isinstance(v, (list, tuple)):
            return any(_key(item, fold) in keys for item in v)
        return False

    return contains_any


def _contains_all(needles: Sequence[Any], fold: bool) -> ValueTest:
    """Build the ``contains_all`` test over text or list values."""
    all_text = all(isinstance(needle, str) for needle in needles)
    texts = tuple(dict.fromkeys(n.casefold() if fold else n for n in needles if isinstance(n, str)))
    keys = frozenset(_key(needle, fold) for needle in needles)

    def contains_all(v: Any) -> bool:
        if isinstance(v, str):
            if not all_text:
                return False
            text = v.casefold() if fold else v
            return all(needle in text for needle in texts)
        if isinstance(v, (list, tuple)):
            found = {key for item in v if (key := _key(item, fold)) in keys}
            return len(found) == len(keys)
        return False

    return contains_all


def _regex_test(regex: Any) -> ValueTest:
    """Build the ``matches`` test: an RE2 search anywhere in a text value."""
    return lambda v: isinstance(v, str) and regex.search(_encode(v)) is not None


# --------------------------------------------------------------------------- compiled nodes


def _lookup(ticket: Any, keys: tuple[str, ...]) -> tuple[Any, str | None]:
    """Read a dotted path for a trace: the value, or ``None`` and why it is missing."""
    current = ticket
    for index, key in enumerate(keys):
        if not isinstance(current, Mapping):
            where = ".".join(keys[:index])
            name = ".".join(keys)
            return (
                None,
                f"field {name!r} is missing ({where!r} is a {_kind(current)}, not a mapping)",
            )
        if key not in current:
            return None, f"field {'.'.join(keys)!r} is missing"
        current = current[key]
        if current is None:
            return None, f"field {'.'.join(keys)!r} is null (counts as missing)"
    return current, None


def _getter(keys: tuple[str, ...]) -> Callable[[Any], Any]:
    """Build a fast reader of a dotted path that returns ``None`` when anything is missing."""
    if len(keys) == 1:
        (key,) = keys

        def get_one(ticket: Any) -> Any:
            if type(ticket) is dict or isinstance(ticket, Mapping):
                return ticket.get(key)
            return None

        return get_one

    def get_path(ticket: Any) -> Any:
        current = ticket
        for key in keys:
            if type(current) is not dict and not isinstance(current, Mapping):
                return None
            current = current.get(key)
        return current

    return get_path


@dataclass(frozen=True, slots=True)
class _Test:
    """One compiled operator on one field: the fast test and how to explain its result."""

    op: str
    expected: Any
    test: ValueTest
    explain: Callable[[Any, bool], str]
    #: ``case: insensitive`` (text operators only)
    fold: bool = False


class _Node:
    """A compiled condition: a fast predicate plus the slow explanation of the same logic."""

    __slots__ = ("fields", "predicate")

    predicate: Predicate
    fields: frozenset[str]

    def explain(self, ticket: Ticket) -> Check:
        """Evaluate slowly, recording why each test matched or not."""
        raise NotImplementedError

    def emit(self, source: Source) -> str:
        """The same logic as a Python expression over ``source``'s locals (see :class:`Source`)."""
        raise NotImplementedError


class _TrueNode(_Node):
    """The condition of a default rule: matches every ticket."""

    __slots__ = ()

    def __init__(self) -> None:
        self.predicate = lambda ticket: True
        self.fields = frozenset()

    def explain(self, ticket: Ticket) -> Check:
        """Report the unconditional match."""
        return Check("true", True, reason="no condition: matches every ticket")

    def emit(self, source: Source) -> str:
        """Always true."""
        return "True"


class _FieldNode(_Node):
    """The tests on one field, all of which must hold."""

    __slots__ = ("exists", "keys", "name", "tests")

    def __init__(self, name: str, tests: tuple[_Test, ...], exists: bool | None) -> None:
        self.name = name
        self.keys = tuple(name.split("."))
        self.tests = tests
        self.exists = exists
        self.fields = frozenset({name})
        self.predicate = self._build()

    @property
    def text_equality(self) -> tuple[str, str] | None:
        """Return ``(key, text)`` when this node is the plain ``{field: "text"}`` shape."""
        if len(self.keys) != 1 or len(self.tests) != 1 or self.exists is not None:
            return None
        test = self.tests[0]
        if test.op != "eq" or type(test.expected) is not str or test.fold:
            return None
        return self.keys[0], test.expected

    def _build(self) -> Predicate:
        """Compile the tests into one closure, special-casing the common shapes."""
        plain = self.text_equality
        if plain is not None:
            return _text_equality(*plain)
        get = _getter(self.keys)
        if self.exists is False:
            return lambda ticket: get(ticket) is None
        tests = tuple(test.test for test in self.tests)
        if not tests:
            return lambda ticket: get(ticket) is not None
        if len(tests) == 1:
            (only,) = tests
            if len(self.keys) == 1:
                return _single_test(self.keys[0], only)
            return lambda ticket: (v := get(ticket)) is not None and only(v)

        def all_tests(ticket: Ticket) -> bool:
            v = get(ticket)
            if v is None:
                return False
            for test in tests:  # noqa: SIM110 - a plain loop allocates no generator (hot path)
                if not test(v):
                    return False
            return True

        return all_tests

    def explain(self, ticket: Ticket) -> Check:
        """Explain every test on this field."""
        value, missing = _lookup(ticket, self.keys)
        checks: list[Check] = []
        if self.exists is not None:
            present = missing is None
            if present:
                reason = f"field {self.name!r} is present ({_show(value)})"
            else:
                reason = missing or ""
            checks.append(
                Check(
                    "test", present == self.exists, self.name, "exists", self.exists, value, reason
                )
            )
        for test in self.tests:
            if missing is not None:
                checks.append(
                    Check("test", False, self.name, test.op, test.expected, None, missing)
                )
            else:
                matched = test.test(value)
                reason = test.explain(value, matched)
                checks.append(
                    Check("test", matched, self.name, test.op, test.expected, value, reason)
                )
        if len(checks) == 1:
            return checks[0]
        return Check(
            "all", all(check.matched for check in checks), self.name, children=tuple(checks)
        )

    def emit(self, source: Source) -> str:
        """The tests on one field; the commonest tests inline, the others as calls."""
        v = source.field(self.name)
        if self.exists is False:
            return f"{v} is None"
        parts: list[str] = []
        guarded = False  # whether an earlier part already proves the value is present
        for test in self.tests:
            inline = _inline_test(test, v, source)
            if inline is None:
                if not guarded:
                    parts.append(f"{v} is not None")
                parts.append(f"{source.constant(test.test)}({v})")
            else:
                parts.append(inline)
            guarded = True
        if not parts:
            return f"{v} is not None"
        return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"


def _inline_test(test: _Test, v: str, source: Source) -> str | None:
    """A test written out in Python for the common shapes, or None to call its closure.

    Each form is true only for a present value (it implies ``v is not None``) and says
    exactly what the closure says (:func:`_equals`, :func:`_member_of`).
    """
    if test.fold:
        return None
    expected = test.expected
    if test.op == "eq":
        if type(expected) is str:
            return f"(isinstance({v}, str) and {v} == {source.constant(expected)})"
        if type(expected) is bool:
            return f"{v} is {expected}"
    if test.op == "in" and all(type(item) is str for item in expected):
        return f"(isinstance({v}, str) and {v} in {source.constant(frozenset(expected))})"
    return None


def _single_test(key: str, test: ValueTest) -> Predicate:
    """Build the fast path for one test on a top-level field."""

    def single_test(ticket: Ticket) -> bool:
        if type(ticket) is dict or isinstance(ticket, Mapping):
            v = ticket.get(key)
            return v is not None and test(v)
        return False

    return single_test


def _text_equalities(pairs: tuple[tuple[str, str], ...]) -> Predicate:
    """Build the fast path for several plain ``{field: "text"}`` tests that must all hold."""

    def text_equalities(ticket: Ticket) -> bool:
        if type(ticket) is dict or isinstance(ticket, Mapping):
            for key, literal in pairs:
                v = ticket.get(key)
                if not (v == literal and isinstance(v, str)):
                    return False
            return True
        return False

    return text_equalities


def _text_equality(key: str, literal: str) -> Predicate:
    """Build the fast path for the most common condition, ``{field: "text"}``."""

    def text_equality(ticket: Ticket) -> bool:
        if type(ticket) is dict or isinstance(ticket, Mapping):
            v = ticket.get(key)
            return v == literal and isinstance(v, str)
        return False

    return text_equality


class _AllNode(_Node):
    """A conjunction: every child must match."""

    __slots__ = ("children",)

    def __init__(self, children: tuple[_Node, ...]) -> None:
        self.children = children
        self.fields = frozenset(chain.from_iterable(child.fields for child in children))
        predicates = tuple(child.predicate for child in children)
        plain = tuple(child.text_equality for child in children if isinstance(child, _FieldNode))
        if len(predicates) > 1 and len(plain) == len(predicates) and None not in plain:
            self.predicate = _text_equalities(cast("tuple[tuple[str, str], ...]", plain))
        elif len(predicates) == 1:
            self.predicate = predicates[0]
        elif len(predicates) == 2:
            first, second = predicates
            self.predicate = lambda ticket: first(ticket) and second(ticket)
        else:

            def all_of(ticket: Ticket) -> bool:
                for predicate in predicates:  # noqa: SIM110 - no generator per call (hot path)
                    if not predicate(ticket):
                        return False
                return True

            self.predicate = all_of

    def explain(self, ticket: Ticket) -> Check:
        """Explain every child (no short cut, so the trace is complete)."""
        checks = tuple(child.explain(ticket) for child in self.children)
        return Check("all", all(check.matched for check in checks), children=checks)

    def emit(self, source: Source) -> str:
        """Every child, joined with ``and``."""
        return "(" + " and ".join(child.emit(source) for child in self.children) + ")"


class _AnyNode(_Node):
    """A disjunction: at least one child must match."""

    __slots__ = ("children",)

    def __init__(self, children: tuple[_Node, ...]) -> None:
        self.children = children
        self.fields = frozenset(chain.from_iterable(child.fields for child in children))
        predicates = tuple(child.predicate for child in children)
        if len(predicates) == 1:
            self.predicate = predicates[0]
        elif len(predicates) == 2:
            first, second = predicates
            self.predicate = lambda ticket: first(ticket) or second(ticket)
        else:

            def any_of(ticket: Ticket) -> bool:
                for predicate in predicates:  # noqa: SIM110 - no generator per call (hot path)
                    if predicate(ticket):
                        return True
                return False

            self.predicate = any_of

    def explain(self, ticket: Ticket) -> Check:
        """Explain every child (no short cut, so the trace is complete)."""
        checks = tuple(child.explain(ticket) for child in self.children)
        return Check("any", any(check.matched for check in checks), children=checks)

    def emit(self, source: Source) -> str:
        """Every child, joined with ``or``."""
        return "(" + " or ".join(child.emit(source) for child in self.children) + ")"


class _NotNode(_Node):
    """A negation of one condition."""

    __slots__ = ("child",)

    def __init__(self, child: _Node) -> None:
        self.child = child
        self.fields = child.fields
        inner = child.predicate
        self.predicate = lambda ticket: not inner(ticket)

    def explain(self, ticket: Ticket) -> Check:
        """Explain the negated condition."""
        check = self.child.explain(ticket)
        return Check("not", not check.matched, children=(check,))

    def emit(self, source: Source) -> str:
        """The child, negated."""
        return f"(not {self.child.emit(source)})"


# --------------------------------------------------------------------------- Source


class Source:
    """The pieces of one generated Python function: its constants and the fields it reads.

    :meth:`Condition.emit` writes a condition as a Python expression over local names that
    this object hands out (``slapolicy.selection`` turns a stage's rules into one function
    this way). No text of the policy or the ticket ever becomes source: literals, field
    names and helper closures are bound as constants ``c0``, ``c1``, ..., fields are read
    into locals ``v0``, ``v1``, ... from the mapping ``t``, and the only other names are the
    ``bound`` arguments, decision values such as ``category`` that later stages test.
    """

    __slots__ = ("_fields", "bound", "namespace", "pending")

    def __init__(self, bound: Sequence[str] = ()) -> None:
        for name in bound:
            if not name.isidentifier() or not name.isalpha() or name == "t":
                raise ValueError(f"bound names must be plain words, got {name!r}")
        self.bound = tuple(bound)
        #: constant name -> value, the globals of the generated function
        self.namespace: dict[str, Any] = {}
        #: read statements (``v0 = t.get(c0)``) not yet taken by :meth:`take_reads`
        self.pending: list[str] = []
        self._fields: dict[str, str] = {}

    def constant(self, value: Any) -> str:
        """A name under which the generated code sees ``value``."""
        name = f"c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def field(self, path: str) -> str:
        """The local holding the value at a dotted path (``None`` when missing or null)."""
        if path in self.bound:
            return path
        if path.split(".", 1)[0] in self.bound:
            return "None"  # decision values are text: nothing lies inside them
        name = self._fields.get(path)
        if name is None:
            name = self._fields[path] = f"v{len(self._fields)}"
            keys = tuple(path.split("."))
            if len(keys) == 1:
                self.pending.append(f"{name} = t.get({self.constant(path)})")
            else:
                self.pending.append(f"{name} = {self.constant(_getter(keys))}(t)")
        return name

    def take_reads(self) -> list[str]:
        """The read statements of fields first used since the last call."""
        reads, self.pending = self.pending, []
        return reads


# --------------------------------------------------------------------------- Condition


class Condition:
    """A compiled ``when:`` condition; build it with :func:`compile_condition` or :meth:`always`.

    ``matches(ticket) -> bool`` tells whether a ticket satisfies the condition. It is the
    fast path (no trace, no parsing, no exceptions) and is stored on the instance as the
    compiled closure itself, which saves a method call on every rule tried.
    """

    __slots__ = ("_compiled_with", "_node", "_spec", "matches")

    matches: Predicate
    _node: _Node
    _spec: Any
    _compiled_with: tuple[Any, ...]

    def __init__(self, node: _Node, spec: Any, compiled_with: tuple[Any, ...]) -> None:
        object.__setattr__(self, "_node", node)
        object.__setattr__(self, "matches", node.predicate)
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_compiled_with", compiled_with)

    @classmethod
    def always(cls) -> Condition:
        """Return the condition of a default rule, which matches every ticket."""
        return _ALWAYS

    def explain(self, ticket: Ticket) -> Check:
        """Evaluate with a trace saying why each test matched or not (the slow path)."""
        return self._node.explain(ticket)

    def emit(self, source: Source) -> str:
        """The condition as a Python expression over ``source``'s locals (see :class:`Source`)."""
        return self._node.emit(source)

    @property
    def fields(self) -> frozenset[str]:
        """The dotted field paths the condition reads."""
        return self._node.fields

    @property
    def spec(self) -> Any:
        """A fresh plain copy of the data it was compiled from (``None`` for :meth:`always`)."""
        return _plain(self._spec)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Condition is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("Condition is immutable")

    def __repr__(self) -> str:
        if self._spec is None:
            return "Condition.always()"
        return f"Condition({_show(self._spec)})"

    def __reduce__(self) -> tuple[Any, ...]:
        if self._spec is None:
            return (Condition.always, ())
        return (_rebuild, (self._spec, *self._compiled_with))


def _rebuild(
    spec: Any,
    path: tuple[str | int, ...],
    fields: dict[str, FieldType] | None,
    tz: tzinfo | None,
) -> Condition:
    """Recompile a condition after unpickling."""
    return compile_condition(spec, path=path, fields=fields, tz=tz)


_ALWAYS = Condition(_TrueNode(), None, ())


def compile_condition(
    spec: Any,
    *,
    path: tuple[str | int, ...] = (),
    fields: Mapping[str, FieldType] | None = None,
    tz: tzinfo | None = None,
) -> Condition:
    """Compile condition data into a :class:`Condition`; :class:`PolicyError` lists every problem.

    ``path`` is where the condition sits in the policy (``("priorities", 2, "when")``) and
    prefixes every problem's path; ``fields`` are the declared fields, whose literals are
    converted and checked; ``tz`` is the time zone for date-time literals without an offset.
    """
    compiler = _Compiler(fields or {}, tz)
    node = compiler.condition(spec, tuple(path), 1)
    if compiler.problems:
        raise PolicyError(compiler.problems)
    assert node is not None  # no problems means every part compiled
    used = {name: fields[name] for name in node.fields if fields and name in fields}
    compiled_with = (tuple(path), used or None, tz)
    return Condition(node, _plain(spec), compiled_with)


def _plain(data: Any) -> Any:
    """Copy validated condition data as plain dicts and lists (bounded by the checks)."""
    if isinstance(data, Mapping):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(item) for item in data]
    return data


# --------------------------------------------------------------------------- compiler


class _Invalid(Exception):
    """Internal signal that a problem was recorded and the current part cannot compile."""


class _Compiler:
    """Walks condition data, recording every problem and building nodes for valid parts."""

    def __init__(self, fields: Mapping[str, FieldType], tz: tzinfo | None) -> None:
        self.fields = fields
        self.tz = tz
        self.problems: list[Problem] = []

    def fail(self, message: str, path: Sequence[str | int], *, key: bool = False) -> _Invalid:
        """Record a problem at a path (``key``: about the key there) and return the signal."""
        self.problems.append(Problem(message, format_path(path), key=key))
        return _Invalid()

    # -- structure

    def condition(self, spec: Any, path: tuple[str | int, ...], depth: int) -> _Node | None:
        """Compile one condition mapping, or record why it cannot be compiled."""
        try:
            return self._condition(spec, path, depth)
        except _Invalid:
            return None

    def _condition(self, spec: Any, path: tuple[str | int, ...], depth: int) -> _Node | None:
        """Compile one condition mapping; raise :class:`_Invalid` when its shape is wrong."""
        if depth > MAX_DEPTH:
            raise self.fail(
                f"conditions nest more than {MAX_DEPTH} levels deep; simplify them", path
            )
        if not isinstance(spec, Mapping):
            hint = "write it like {impact: core} or {any: [...]}"
            if isinstance(spec, (list, tuple)):
                hint = (
                    "to require several conditions write all: [...], for either of them any: [...]"
                )
            raise self.fail(f"a condition must be a mapping, got {_describe(spec)}; {hint}", path)
        if not spec:
            raise self.fail(
                "empty condition; give at least one test, or leave out `when` for a rule that "
                "matches every ticket",
                path,
            )
        nodes: list[_Node | None] = []
        for key, value in spec.items():
            if not isinstance(key, str):
                shown = str(key) if isinstance(key, bool) else _show(key)
                hint = f"; {_YAML_BOOLEAN_HINT}" if isinstance(key, bool) else ""
                self.fail(
                    f"field names must be text, got {_kind(key)} {shown}{hint}", (*path, str(key))
                )
                continue
            if key in ("all", "any"):
                nodes.append(self._combination(key, value, (*path, key), depth))
            elif key == "not":
                nodes.append(self._negation(value, (*path, key), depth))
            else:
                nodes.append(self.field(key, value, (*path, key)))
        if any(node is None for node in nodes):
            return None
        valid = tuple(node for node in nodes if node is not None)
        return valid[0] if len(valid) == 1 else _AllNode(valid)

    def _combination(
        self, key: str, value: Any, path: tuple[str | int, ...], depth: int
    ) -> _Node | None:
        """Compile ``all: [...]`` or ``any: [...]``."""
        if isinstance(value, Mapping):
            self.fail(
                f"{key} takes a list of conditions, got a mapping; write {key}: [{{...}}, {{...}}]",
                path,
            )
            return None
        if not isinstance(value, (list, tuple)) or not value:
            what = "an empty list" if isinstance(value, (list, tuple)) else _describe(value)
            self.fail(f"{key} takes a non-empty list of conditions, got {what}", path)
            return None
        children = [
            self.condition(item, (*path, index), depth + 1) for index, item in enumerate(value)
        ]
        valid = tuple(child for child in children if child is not None)
        if len(valid) != len(children):
            return None
        return _AllNode(valid) if key == "all" else _AnyNode(valid)

    def _negation(self, value: Any, path: tuple[str | int, ...], depth: int) -> _Node | None:
        """Compile ``not: {...}``."""
        if isinstance(value, (list, tuple)):
            self.fail(
                "not takes one condition mapping, got a list; write not: {any: [...]} to "
                "exclude several",
                path,
            )
            return None
        child = self.condition(value, path, depth + 1)
        return None if child is None else _NotNode(child)

    # -- fields

    def field(self, name: str, value: Any, path: tuple[str | int, ...]) -> _Node | None:
        """Compile the tests on one field."""
        try:
            self._check_field_name(name, value, path)
            declared = self.fields.get(name)
            if isinstance(value, Mapping):
                return self._operators(name, value, declared, path)
            if isinstance(value, (list, tuple)):
                test = self._operator(name, "in", value, False, declared, path)
                return _FieldNode(name, (test,), None)
            test = self._operator(name, "eq", value, False, declared, path)
            return _FieldNode(name, (test,), None)
        except _Invalid:
            return None

    def _check_field_name(self, name: str, value: Any, path: tuple[str | int, ...]) -> None:
        """Reject field names that cannot name a ticket field."""
        if name in OPERATORS:
            raise self.fail(
                f"{name!r} is an operator, not a field; write it under a field, like "
                f"{{impact: {{{name}: ...}}}}",
                path,
                key=True,
            )
        if name == _CASE_KEY and value in _CASES:
            raise self.fail(
                f"case: {value} belongs next to the operators of a field, like "
                f"{{text: {{contains: ..., case: {value}}}}}",
                path,
                key=True,
            )
        if len(name) > 200:
            raise self.fail("field name is longer than 200 characters", path, key=True)
        parts = name.split(".")
        if any(not part for part in parts):
            raise self.fail(
                f"field name {name!r} has an empty part; write dotted paths like 'customer.tier'",
                path,
                key=True,
            )
        if any(part != part.strip() for part in parts):
            raise self.fail(
                f"field name {name!r} has spaces around a part; remove them", path, key=True
            )

    def _operators(
        self,
        name: str,
        spec: Mapping[Any, Any],
        declared: FieldType | None,
        path: tuple[str | int, ...],
    ) -> _Node | None:
        """Compile ``{op: arg, ...}`` for one field."""
        if not spec:
            raise self.fail(
                f"no operator given for field {name!r}; write a value, or {{eq: value}}, ...", path
            )
        case = spec.get(_CASE_KEY, "sensitive")
        fold = isinstance(case, str) and case == "insensitive"
        ops = [key for key in spec if key != _CASE_KEY]
        exists: bool | None = None
        tests: list[_Test] = []
        failed = False
        for key, arg in spec.items():  # in the order written, so problems come in file order
            where = (*path, key if isinstance(key, str) else str(key))
            try:
                if key == _CASE_KEY:
                    self._check_case(arg, ops, where)
                elif not isinstance(key, str) or key not in OPERATORS:
                    raise self._unknown_operator(name, key, where)
                elif key == "exists":
                    exists = self._exists(arg, where)
                    if exists is False and len(ops) > 1:
                        raise self.fail(
                            "exists: false cannot be combined with other operators (they need "
                            "a value); use any: [...] for 'missing or ...'",
                            where,
                        )
                else:
                    tests.append(self._operator(name, key, arg, fold, declared, where))
            except _Invalid:
                failed = True
        return None if failed else _FieldNode(name, tuple(tests), exists)

    def _check_case(self, value: Any, ops: list[Any], path: tuple[str | int, ...]) -> None:
        """Validate ``case:`` and that it sits next to a text operator."""
        if not isinstance(value, str) or value not in _CASES:
            raise self.fail(
                f"case must be 'insensitive' or 'sensitive', got {_describe(value)}", path
            )
        if not any(op in TEXT_OPERATORS for op in ops):
            raise self.fail(
                f"case applies only to the text operators ({', '.join(sorted(TEXT_OPERATORS))})",
                path,
            )

    def _unknown_operator(self, name: str, key: Any, where: tuple[str | int, ...]) -> _Invalid:
        """Record an unknown operator, with a "did you mean" hint when one is close."""
        if isinstance(key, bool):
            hint = f"; {_YAML_BOOLEAN_HINT}"
        elif not isinstance(key, str):
            hint = f"; operators are {', '.join(OPERATORS)}"
        else:
            choices = (*OPERATORS, _CASE_KEY)
            close = difflib.get_close_matches(key, choices, n=1) if len(key) < 100 else []
            if close:
                hint = f"; did you mean {close[0]!r}?"
            else:
                hint = (
                    f"; operators are {', '.join(OPERATORS)}; to test a nested field write "
                    f"'{name}.{key}: ...'"
                )
        return self.fail(f"unknown operator {_show(key)} for field {name!r}{hint}", where)

    def _exists(self, value: Any, path: tuple[str | int, ...]) -> bool:
        """Read the argument of ``exists``."""
        if not isinstance(value, bool):
            raise self.fail(f"exists takes true or false, got {_describe(value)}", path)
        return value

    # -- operators

    def _operator(
        self,
        name: str,
        op: str,
        arg: Any,
        fold: bool,
        declared: FieldType | None,
        path: tuple[str | int, ...],
    ) -> _Test:
        """Validate an operator's argument and build its test."""
        if op in ("eq", "ne"):
            self._need_kind(
                name,
                op,
                declared,
                path,
                {"string", "integer", "number", "boolean", "datetime", "any"},
            )
            literal = self._literal(name, arg, declared, fold, path)
            equal = _equals(literal, fold)
            if op == "eq":
                return _Test(op, literal, equal, _explain_eq(literal, fold), fold)
            return _Test(op, literal, lambda v: not equal(v), _explain_ne(literal, fold), fold)
        if op in ("in", "not_in"):
            self._need_kind(
                name,
                op,
                declared,
                path,
                {"string", "integer", "number", "boolean", "datetime", "any"},
            )
            literals = self._literal_list(name, op, arg, declared, fold, path)
            member = _member_of(literals, fold)
            if op == "in":
                return _Test(op, literals, member, _explain_in(literals, fold, negate=False), fold)
            return _Test(
                op,
                literals,
                lambda v: not member(v),
                _explain_in(literals, fold, negate=True),
                fold,
            )
        if op in _ORDER_OPERATORS:
            self._need_kind(
                name, op, declared, path, {"string", "integer", "number", "datetime", "any"}
            )
            literal = self._orderable(name, op, arg, declared, path)
            return _Test(op, literal, _ordered(op, literal), _explain_order(op, literal))
        if op == "between":
            self._need_kind(
                name, op, declared, path, {"string", "integer", "number", "datetime", "any"}
            )
            low, high = self._bounds(name, arg, declared, path)
            return _Test(op, (low, high), _between(low, high), _explain_between(low, high))
        if op == "contains":
            self._need_kind(name, op, declared, path, {"string", "list", "any"})
            needle = self._needle(name, arg, declared, path)
            return _Test(op, needle, _contains(needle, fold), _explain_contains(needle, fold), fold)
        if op in ("contains_any", "contains_all"):
            self._need_kind(name, op, declared, path, {"string", "list", "any"})
            needles = self._needles(name, op, arg, declared, path)
            if op == "contains_any":
                return _Test(
                    op,
                    needles,
                    _contains_any(needles, fold),
                    _explain_contains_any(needles, fold),
                    fold,
                )
            return _Test(
                op,
                needles,
                _contains_all(needles, fold),
                _explain_contains_all(needles, fold),
                fold,
            )
        if op == "matches":
            self._need_kind(name, op, declared, path, {"string", "any"})
            pattern = self._pattern(arg, fold, path)
            return _Test(op, arg, _regex_test(pattern), _explain_matches(arg), fold)
        raise AssertionError(f"operator {op!r} has no compiler")  # pragma: no cover

    def _need_kind(
        self,
        name: str,
        op: str,
        declared: FieldType | None,
        path: tuple[str | int, ...],
        kinds: set[str],
    ) -> None:
        """Reject an operator that cannot apply to a declared field's kind."""
        if declared is None or declared.kind in kinds:
            return
        if declared.kind == "list":
            hint = "; test a list with contains, contains_any or contains_all"
        elif declared.kind == "boolean" and op in (*_ORDER_OPERATORS, "between"):
            hint = "; booleans have no order, compare with eq"
        else:
            hint = ""
        raise self.fail(
            f"{op} does not apply to field {name!r}, declared as {declared.kind}{hint}", path
        )

    def _literal(
        self,
        name: str,
        value: Any,
        declared: FieldType | None,
        fold: bool,
        path: tuple[str | int, ...],
    ) -> Any:
        """Validate one comparison literal, converting it for a declared field."""
        if value is None:
            raise self.fail(
                "null never matches (a null field counts as missing); use {exists: false} to "
                "match a missing field",
                path,
            )
        if isinstance(value, Mapping):
            raise self.fail(
                "expected a single value, got a mapping; to test a nested field write "
                f"'{name}.key: ...'",
                path,
            )
        if isinstance(value, (list, tuple)):
            raise self.fail(
                "expected a single value, got a list; to test membership use in: [...]", path
            )
        if declared is not None:
            return self._declared(name, value, declared, fold, path)
        if isinstance(value, float) and math.isnan(value):
            raise self.fail("NaN never equals anything; compare with a number", path)
        if isinstance(value, (date, datetime)):
            raise self.fail(
                f"a date or time literal needs field {name!r} declared in fields: as "
                "{type: datetime} (undeclared ticket values are compared as they are, "
                "usually text)",
                path,
            )
        if not isinstance(value, (str, int, float)):
            raise self.fail(f"expected text, a number or a boolean, got {_describe(value)}", path)
        return value

    def _declared(
        self,
        name: str,
        value: Any,
        declared: FieldType,
        fold: bool,
        path: tuple[str | int, ...],
    ) -> Any:
        """Convert a literal for a declared field through :func:`coerce`, checking its enum."""
        try:
            converted = coerce(value, FieldType(declared.kind), tz=self.tz)
            if declared.enum is not None:
                if fold and isinstance(converted, str):
                    folded = converted.casefold()
                    if not any(
                        isinstance(v, str) and v.casefold() == folded for v in declared.enum
                    ):
                        coerce(converted, declared, tz=self.tz)  # raises with the enum message
                else:
                    coerce(converted, declared, tz=self.tz)
        except ValueError as error:
            raise self.fail(f"value for field {name!r}: {error}", path) from None
        if isinstance(converted, float) and math.isnan(converted):
            raise self.fail("NaN never equals anything; compare with a number", path)
        if isinstance(converted, datetime) and not _is_aware(converted):
            raise self.fail(
                f"value for field {name!r} has no UTC offset; add one, like '+08:00'", path
            )
        if _key(converted, False) is None:
            raise self.fail(
                f"expected text, a number, a boolean or a date, got {_describe(converted)}", path
            )
        return converted

    def _literal_list(
        self,
        name: str,
        op: str,
        value: Any,
        declared: FieldType | None,
        fold: bool,
        path: tuple[str | int, ...],
    ) -> tuple[Any, ...]:
        """Validate the list of an ``in`` / ``not_in`` test."""
        if not isinstance(value, (list, tuple)) or not value:
            what = "an empty list" if isinstance(value, (list, tuple)) else _describe(value)
            raise self.fail(f"{op} takes a non-empty list of values, got {what}", path)
        if len(value) > MAX_ITEMS:
            raise self.fail(f"{op} has {len(value)} values; at most {MAX_ITEMS} are allowed", path)
        items: list[Any] = []
        failed = False
        for index, item in enumerate(value):
            try:
                items.append(self._literal(name, item, declared, fold, (*path, index)))
            except _Invalid:
                failed = True
        if failed:
            raise _Invalid()
        return tuple(items)

    def _orderable(
        self,
        name: str,
        op: str,
        value: Any,
        declared: FieldType | None,
        path: tuple[str | int, ...],
    ) -> Any:
        """Validate the literal of an ordering test: a number, text or an instant."""
        if isinstance(value, bool):
            raise self.fail(f"{op} needs a number, text or a date; booleans have no order", path)
        literal = self._literal(name, value, declared, False, path)
        if _kind(literal) not in _ORDERED_KINDS:
            raise self.fail(f"{op} needs a number, text or a date, got {_describe(literal)}", path)
        return literal

    def _bounds(
        self,
        name: str,
        value: Any,
        declared: FieldType | None,
        path: tuple[str | int, ...],
    ) -> tuple[Any, Any]:
        """Validate ``between: [low, high]``."""
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            what = (
                f"a list of {len(value)}" if isinstance(value, (list, tuple)) else _describe(value)
            )
            raise self.fail(f"between takes a list [low, high], got {what}", path)
        bounds: list[Any] = []
        failed = False
        for index, item in enumerate(value):
            try:
                bounds.append(self._orderable(name, "between", item, declared, (*path, index)))
            except _Invalid:
                failed = True
        if failed:
            raise _Invalid()
        low, high = bounds
        if _kind(low) != _kind(high):
            raise self.fail(
                f"between bounds must be of one kind, got {_kind(low)} and {_kind(high)}", path
            )
        if not low <= high:
            raise self.fail(
                f"between low bound {_show(low)} is greater than high bound {_show(high)}; "
                f"write [{_show(high)}, {_show(low)}]",
                path,
            )
        return low, high

    def _needle(
        self,
        name: str,
        value: Any,
        declared: FieldType | None,
        path: tuple[str | int, ...],
    ) -> Any:
        """Validate one ``contains`` needle."""
        if declared is not None and declared.kind == "string":
            try:
                value = coerce(value, FieldType("string"))
            except ValueError as error:
                raise self.fail(f"needle for field {name!r}: {error}", path) from None
        if isinstance(value, str):
            if not value:
                raise self.fail("an empty needle is contained in every text; give some text", path)
            if len(value) > MAX_NEEDLE_LENGTH:
                raise self.fail(f"needle is longer than {MAX_NEEDLE_LENGTH} characters", path)
            return value
        return self._literal(
            name,
            value,
            None if declared is None or declared.kind == "list" else declared,
            False,
            path,
        )

    def _needles(
        self,
        name: str,
        op: str,
        value: Any,
        declared: FieldType | None,
        path: tuple[str | int, ...],
    ) -> tuple[Any, ...]:
        """Validate the needle list of ``contains_any`` / ``contains_all``."""
        if not isinstance(value, (list, tuple)) or not value:
            what = "an empty list" if isinstance(value, (list, tuple)) else _describe(value)
            raise self.fail(f"{op} takes a non-empty list of needles, got {what}", path)
        if len(value) > MAX_ITEMS:
            raise self.fail(f"{op} has {len(value)} needles; at most {MAX_ITEMS} are allowed", path)
        needles: list[Any] = []
        failed = False
        for index, item in enumerate(value):
            try:
                needles.append(self._needle(name, item, declared, (*path, index)))
            except _Invalid:
                failed = True
        if failed:
            raise _Invalid()
        return tuple(needles)

    def _pattern(self, value: Any, fold: bool, path: tuple[str | int, ...]) -> Any:
        """Compile a ``matches`` pattern with RE2, explaining what RE2 cannot do."""
        if not isinstance(value, str):
            raise self.fail(
                f"matches takes a regular expression as text, got {_describe(value)}", path
            )
        if not value:
            raise self.fail("an empty pattern matches every text; use exists: true", path)
        if len(value) > MAX_PATTERN_LENGTH:
            raise self.fail(f"pattern is longer than {MAX_PATTERN_LENGTH} characters", path)
        try:
            return re2.compile(value, _re2_options(fold=fold))
        except re2.error as error:
            detail = error.args[0] if error.args else ""
            if isinstance(detail, bytes):
                detail = detail.decode("utf-8", "replace")
            extra = "; write \\z for end of text" if "\\Z" in str(detail) else ""
            raise self.fail(
                f"invalid regular expression {_show(value)}: {detail}; {_RE2_HELP}{extra}", path
            ) from None
        except UnicodeError:
            raise self.fail("pattern contains text that is not valid Unicode", path) from None


# --------------------------------------------------------------------------- explanations


def _mismatch(value: Any, expected_kind: str) -> str:
    """Describe a comparison between values of different kinds."""
    return f"type mismatch: {_kind(value)} vs {expected_kind}"


def _case_note(fold: bool) -> str:
    """Say that text was compared ignoring case, when it was."""
    return " (ignoring case)" if fold else ""


def _explain_eq(literal: Any, fold: bool) -> Callable[[Any, bool], str]:
    """Build the reason of an ``eq`` test."""
    kind = _kind(literal)

    def explain(value: Any, matched: bool) -> str:
        if matched:
            return f"{_show(value)} == {_show(literal)}{_case_note(fold)}"
        if _kind(value) != kind:
            return _mismatch(value, kind)
        return f"{_show(value)} != {_show(literal)}{_case_note(fold)}"

    return explain


def _explain_ne(literal: Any, fold: bool) -> Callable[[Any, bool], str]:
    """Build the reason of an ``ne`` test."""
    kind = _kind(literal)

    def explain(value: Any, matched: bool) -> str:
        if not matched:
            return f"{_show(value)} == {_show(literal)}{_case_note(fold)}"
        if _kind(value) != kind:
            return f"{_mismatch(value, kind)}, so not equal"
        return f"{_show(value)} != {_show(literal)}{_case_note(fold)}"

    return explain


def _explain_in(
    literals: tuple[Any, ...], fold: bool, *, negate: bool
) -> Callable[[Any, bool], str]:
    """Build the reason of an ``in`` or ``not_in`` test."""
    kinds = sorted({_kind(item) for item in literals})
    shown = _show(list(literals))

    def explain(value: Any, matched: bool) -> str:
        member = matched != negate
        if member:
            return f"{_show(value)} is in {shown}{_case_note(fold)}"
        if _kind(value) not in kinds:
            return _mismatch(value, " or ".join(kinds)) + (", so not in the list" if negate else "")
        return f"{_show(value)} is not in {shown}{_case_note(fold)}"

    return explain


def _explain_order(op: str, literal: Any) -> Callable[[Any, bool], str]:
    """Build the reason of a ``gt`` / ``ge`` / ``lt`` / ``le`` test."""
    symbol = _ORDER_OPERATORS[op]
    kind = _kind(literal)

    def explain(value: Any, matched: bool) -> str:
        if matched:
            return f"{_show(value)} {symbol} {_show(literal)}"
        if _kind(value) != kind:
            return _mismatch(value, kind)
        return f"{_show(value)} is not {symbol} {_show(literal)}"

    return explain


def _explain_between(low: Any, high: Any) -> Callable[[Any, bool], str]:
    """Build the reason of a ``between`` test."""
    kind = _kind(low)

    def explain(value: Any, matched: bool) -> str:
        if matched:
            return f"{_show(value)} is between {_show(low)} and {_show(high)}"
        if _kind(value) != kind:
            return _mismatch(value, kind)
        return f"{_show(value)} is not between {_show(low)} and {_show(high)}"

    return explain


def _not_searchable(value: Any) -> str:
    """Describe a value that no ``contains*`` test can look into."""
    return f"type mismatch: {_kind(value)} (contains needs text or a list)"


def _explain_contains(needle: Any, fold: bool) -> Callable[[Any, bool], str]:
    """Build the reason of a ``contains`` test."""

    def explain(value: Any, matched: bool) -> str:
        if isinstance(value, str):
            if not isinstance(needle, str):
                return f"type mismatch: text cannot contain {_kind(needle)} {_show(needle)}"
            verb = "contains" if matched else "does not contain"
            return f"{_show(value)} {verb} {_show(needle)}{_case_note(fold)}"
        if isinstance(value, (list, tuple)):
            verb = "has an element equal to" if matched else "has no element equal to"
            return f"{_show(value)} {verb} {_show(needle)}{_case_note(fold)}"
        return _not_searchable(value)

    return explain


def _explain_contains_any(needles: tuple[Any, ...], fold: bool) -> Callable[[Any, bool], str]:
    """Build the reason of a ``contains_any`` test, naming the needle found."""
    singles = tuple((needle, _contains(needle, fold)) for needle in needles)

    def explain(value: Any, matched: bool) -> str:
        if not isinstance(value, (str, list, tuple)):
            return _not_searchable(value)
        if matched:
            found = next((needle for needle, test in singles if test(value)), None)
            return f"{_show(value)} contains {_show(found)}{_case_note(fold)}"
        return f"{_show(value)} contains none of {_show(list(needles))}{_case_note(fold)}"

    return explain


def _explain_contains_all(needles: tuple[Any, ...], fold: bool) -> Callable[[Any, bool], str]:
    """Build the reason of a ``contains_all`` test, naming a needle that is missing."""
    singles = tuple((needle, _contains(needle, fold)) for needle in needles)

    def explain(value: Any, matched: bool) -> str:
        if not isinstance(value, (str, list, tuple)):
            return _not_searchable(value)
        if matched:
            return f"{_show(value)} contains all of {_show(list(needles))}{_case_note(fold)}"
        lacking = next((needle for needle, test in singles if not test(value)), None)
        return f"{_show(value)} does not contain {_show(lacking)}{_case_note(fold)}"

    return explain


def _explain_matches(pattern: str) -> Callable[[Any, bool], str]:
    """Build the reason of a ``matches`` test."""

    def explain(value: Any, matched: bool) -> str:
        if not isinstance(value, str):
            return f"type mismatch: {_kind(value)} (matches needs text)"
        verb = "matches" if matched else "does not match"
        return f"{_show(value)} {verb} /{pattern}/"

    return explain


def _describe(value: Any) -> str:
    """Name a value's kind and show it, for compile-time messages."""
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    kind = {"string": "text"}.get(_kind(value), _kind(value))
    return f"{kind} {_show(value)}"
