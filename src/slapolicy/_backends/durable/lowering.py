"""Conditions lowered to durable-rules expressions, and stages packed into chunks.

A compiled condition tree (:mod:`slapolicy._conditions.tree`) is first read into negation
normal form (:func:`normal_form`): ``not`` is pushed down to the tests, each test having an exact
negated form. Then each test gets its durable-rules form (:class:`Forms`) or none:

- evaluated by durable-rules: equality, membership (up to 64 values), ordering and
  ``between`` on text and numbers, booleans and ``exists``, and the ``all`` / ``any`` /
  ``not`` structure;
- computed natively and posted as 0/1 attributes: ``contains``, ``contains_any``,
  ``contains_all``, ``matches``, ``any_item`` and ``all_items`` (durable-rules' ``$iany`` /
  ``$iall`` would test the raw elements with its own coercing comparisons, which no ticket
  value ever reaches, see :mod:`.encoding`), date-time comparisons (Python compares two
  date-times of one zone by wall clock), longer lists and text literals, and any part of a
  condition too large for one durable-rules rule (at most 15 ``$and``/``$or`` nodes).

The native predicate of a test is the one the native engine runs (built from the tree's
test), so a natively computed part answers exactly as the native engine does.

Chunks: an event for which more than about 64 tests of one ruleset hold at once fails with
error 303, and a node with more than 512 children hangs. A stage is therefore split, in file
order, into chunks of at most 40 tests and 200 attributes (:func:`pack`); a chunk is tried
only when the chunks before it matched nothing, so the first match in file order still wins.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from ..._conditions import (
    AllOf,
    AnyOf,
    FieldTests,
    Node,
    Not,
    Predicate,
    field_predicate,
)
from .encoding import Json, Names, Slot, View, is_literal, is_number, is_text, number_key, text_key

__all__ = [
    "CHUNK_ATTRIBUTES",
    "CHUNK_TESTS",
    "MAX_JUNCTIONS",
    "MAX_LIST",
    "Chunk",
    "Forms",
    "Lowered",
    "Lowerer",
    "Need",
    "Stage",
    "normal_form",
    "pack",
]

#: durable-rules tests per chunk (an event matching ~64 tests of a ruleset fails, error 303)
CHUNK_TESTS = 40
#: event attributes per chunk (durable-rules refuses events with 252 properties, error 302)
CHUNK_ATTRIBUTES = 200
#: ``$and`` / ``$or`` nodes in one durable-rules rule (16 fail with error 113)
MAX_JUNCTIONS = 15
#: ``in`` / ``not_in`` lists longer than this are computed natively
MAX_LIST = 64

_ORDER = {"gt": "$gt", "ge": "$gte", "lt": "$lt", "le": "$lte"}
_COMPLEMENT = {"gt": "le", "ge": "lt", "lt": "ge", "le": "gt"}


# --------------------------------------------------------------------------- condition tree


@dataclass(eq=False)
class _Test:
    """One operator on one field, in negation normal form (``negated`` flips it)."""

    field: str
    op: str
    arg: Any
    fold: bool
    negated: bool
    native: Predicate  # the positive test, as the native engine runs it

    def holds(self, view: View) -> bool:
        """Whether the test (negated or not) holds, computed natively."""
        return self.native(view) != self.negated


@dataclass(eq=False)
class _Junction:
    """``and`` / ``or`` of at least two nodes."""

    kind: str
    children: tuple[_Node, ...]

    def holds(self, view: View) -> bool:
        """Whether the junction holds, computed natively."""
        if self.kind == "and":
            return all(child.holds(view) for child in self.children)
        return any(child.holds(view) for child in self.children)


_Node: TypeAlias = "_Test | _Junction"


def _junction(kind: str, parts: Sequence[_Node]) -> _Node:
    """``parts`` joined by ``kind``, nested junctions of the same kind flattened."""
    flat: list[_Node] = []
    for part in parts:
        if isinstance(part, _Junction) and part.kind == kind:
            flat.extend(part.children)
        else:
            flat.append(part)
    return flat[0] if len(flat) == 1 else _Junction(kind, tuple(flat))


def _always(view: View) -> bool:
    """The native predicate of a condition that holds for every ticket."""
    return True


def normal_form(node: Node, negate: bool = False) -> _Node:
    """The tree of ``node`` (or of its negation) with ``not`` pushed down to the tests."""
    if isinstance(node, FieldTests):
        return _junction("or" if negate else "and", _field_tests(node, negate))
    if isinstance(node, (AllOf, AnyOf)):
        kind = "and" if isinstance(node, AllOf) != negate else "or"
        return _junction(kind, [normal_form(child, negate) for child in node.children])
    if isinstance(node, Not):
        return normal_form(node.child, not negate)
    # Always: only ever a whole condition (lowered as "no condition"), but exact anyway
    return _Test("", "always", True, False, negate, _always)


def _field_tests(node: FieldTests, negate: bool) -> list[_Node]:
    """The tests on one field: ``exists`` first when given, then each operator as written."""
    tests: list[_Node] = []
    if node.exists is not None or not node.tests:  # no test at all reads "is present"
        present = node.exists is not False
        predicate = field_predicate(node.keys, (), present)
        tests.append(_Test(node.name, "exists", present, False, negate, predicate))
    for test in node.tests:
        predicate = field_predicate(node.keys, (test,))
        tests.append(_Test(node.name, test.op, test.arg, test.fold, negate, predicate))
    return tests


def _nodes(node: _Node) -> Iterator[_Node]:
    """Every node of a tree, parents first."""
    yield node
    if isinstance(node, _Junction):
        for child in node.children:
            yield from _nodes(child)


def _leaves(node: _Node) -> Iterator[_Test]:
    """Every test of a tree, in order."""
    for item in _nodes(node):
        if isinstance(item, _Test):
            yield item


# --------------------------------------------------------------------------- test forms


@dataclass
class Need:
    """An attribute a lowered test reads: ``(slot, kind)`` and, for text, the literal length."""

    slot: Slot
    kind: str
    length: int = 0


#: a test's durable-rules form, the form of its negation, and the attributes they read
Form: TypeAlias = tuple[Json, Json, list[Need]]


def _joined(op: str, parts: list[Json]) -> Json:
    """``parts`` joined by ``$and`` / ``$or``, nested ones of the same kind flattened."""
    flat = [item for part in parts for item in part.get(op, [part])]
    return flat[0] if len(flat) == 1 else {op: flat}


def _any_of(parts: list[Json]) -> Json:
    """The durable-rules disjunction of ``parts``."""
    return _joined("$or", parts)


def _all_of(parts: list[Json]) -> Json:
    """The durable-rules conjunction of ``parts``."""
    return _joined("$and", parts)


class Forms:
    """Exact durable-rules forms of a test and of its negation, or None (computed natively)."""

    def __init__(self, slots: Callable[[str], Slot]) -> None:
        self.slot = slots

    def of(self, test: _Test) -> Form | None:
        """The forms of one test, or None when durable-rules cannot evaluate it exactly."""
        op, arg = test.op, test.arg
        if op == "exists":
            slot = self.slot(test.field)
            here: Json = {"$ex": {slot.attr("x"): 1}}
            gone: Json = {"$nex": {slot.attr("x"): 1}}
            return (here, gone, [Need(slot, "x")]) if arg else (gone, here, [Need(slot, "x")])
        if op in ("eq", "ne", "in", "not_in"):
            literals = (arg,) if op in ("eq", "ne") else tuple(arg)
            if len(literals) > MAX_LIST or not all(is_literal(v) for v in literals):
                return None
            member, outside, needs = self._membership(test.field, literals, test.fold)
            if op in ("eq", "in"):
                return member, outside, needs
            slot = self.slot(test.field)
            present = {"$ex": {slot.attr("x"): 1}}
            absent = {"$nex": {slot.attr("x"): 1}}
            needs.append(Need(slot, "x"))
            return _all_of([present, outside]), _any_of([absent, member]), needs
        if op in _ORDER:
            return self._order(test.field, op, arg)
        if op == "between":
            low, high = arg
            lower = self._compared(test.field, low)
            upper = self._compared(test.field, high)
            if lower is None or upper is None:
                return None
            (attr, low_key, need), (_, high_key, _) = lower, upper
            return (
                {"$and": [{"$gte": {attr: low_key}}, {"$lte": {attr: high_key}}]},
                {"$or": [{"$nex": {attr: 1}}, {"$lt": {attr: low_key}}, {"$gt": {attr: high_key}}]},
                [need, upper[2]],
            )
        return None  # contains, contains_any, contains_all, matches, any_item, all_items

    def _key(self, slot: Slot, value: Any, fold: bool) -> tuple[str, Any, Need]:
        """The attribute a literal is compared on, the literal's key and what is read."""
        if isinstance(value, bool):
            return slot.attr("b"), int(value), Need(slot, "b")
        if isinstance(value, str):
            if fold:
                folded = value.casefold()
                return slot.attr("c"), text_key(folded), Need(slot, "c", len(folded))
            return slot.attr("s"), text_key(value), Need(slot, "s", len(value))
        return slot.attr("n"), number_key(float(value)), Need(slot, "n")

    def _membership(self, name: str, literals: Sequence[Any], fold: bool) -> Form:
        """The forms of ``in`` (the value is one of the literals) and of its negation."""
        slot = self.slot(name)
        groups: dict[str, list[Any]] = {}
        needs: list[Need] = []
        for literal in literals:
            attr, key, need = self._key(slot, literal, fold)
            if key not in groups.setdefault(attr, []):
                groups[attr].append(key)
            needs.append(need)
        member = _any_of([{attr: key} for attr, keys in groups.items() for key in keys])
        outside = _all_of(
            [
                _any_of([{"$nex": {attr: 1}}, _all_of([{"$neq": {attr: key}} for key in keys])])
                for attr, keys in groups.items()
            ]
        )
        return member, outside, needs

    def _compared(self, name: str, literal: Any) -> tuple[str, Any, Need] | None:
        """The attribute and key an ordering literal is compared on, if durable-rules can."""
        if isinstance(literal, bool) or not (is_text(literal) or is_number(literal)):
            return None
        return self._key(self.slot(name), literal, False)

    def _order(self, name: str, op: str, literal: Any) -> Form | None:
        """The forms of ``gt`` / ``ge`` / ``lt`` / ``le`` (a missing value orders with nothing)."""
        compared = self._compared(name, literal)
        if compared is None:
            return None
        attr, key, need = compared
        positive = {_ORDER[op]: {attr: key}}
        negative = {"$or": [{"$nex": {attr: 1}}, {_ORDER[_COMPLEMENT[op]]: {attr: key}}]}
        return positive, negative, [need]


# --------------------------------------------------------------------------- rules


@dataclass
class Lowered:
    """One stage rule as a durable-rules expression, with what its event must carry."""

    result: int  # index of the rule in its stage
    expression: Json | None  # None: no condition (matches every event of its chunk)
    needs: list[Need]
    natives: list[tuple[str, Predicate]]
    tests: int  # alpha nodes (tests and `$or` nodes): a chunk holds at most CHUNK_TESTS
    delegated: int
    native_tests: int

    @property
    def attributes(self) -> set[str]:
        """The names of the event attributes this rule reads."""
        return {need.slot.attrs[need.kind] for need in self.needs} | {n for n, _ in self.natives}


def _count(expression: Json) -> tuple[int, int]:
    """``(junctions, alpha nodes)`` of an expression."""
    (key, value), *_ = expression.items()
    if key in ("$and", "$or"):
        junctions, tests = 1, int(key == "$or")
        for child in value:
            j, t = _count(child)
            junctions += j
            tests += t
        return junctions, tests
    return 0, 1


_FormMap: TypeAlias = Mapping[int, "Form | None"]


class Lowerer:
    """Turns condition trees into durable-rules expressions, natively computing what it must."""

    def __init__(self, names: Names, forms: Forms) -> None:
        self.names = names
        self.forms = forms
        self._native_serial = itertools.count()

    def lower(self, node: _Node | None, result: int) -> Lowered:
        """One rule's expression, making parts native until it fits one durable-rules rule."""
        if node is None:
            return Lowered(result, None, [], [], 0, 0, 0)
        forms = {id(t): self.forms.of(t) for t in _leaves(node)}
        native: set[int] = set()  # parts chosen to be computed natively (too large)
        while True:
            natives: list[_Node] = []
            needs: list[Need] = []
            expression = self._build(node, forms, native, natives, needs)
            parts = expression.get("$and", [expression])
            junctions, tests = _count({"$and": [{"tag": 0}, *parts]})
            attributes = {(id(n.slot), n.kind) for n in needs}
            if (
                junctions <= MAX_JUNCTIONS
                and tests <= CHUNK_TESTS
                and len(attributes) + len(natives) + 2 <= CHUNK_ATTRIBUTES
            ):
                break
            native.add(id(self._largest(node, forms, native)))
        renames = {
            _placeholder(i): self.names.take(f"n{next(self._native_serial)}")
            for i in range(len(natives))
        }
        for need in needs:  # the attribute now carries this test's literals
            if need.kind == "s":
                need.slot.text_len = max(need.slot.text_len, need.length)
            elif need.kind == "c":
                need.slot.fold_len = max(need.slot.fold_len, need.length)
        native_tests = sum(len(list(_leaves(part))) for part in natives)
        return Lowered(
            result=result,
            expression=_rename(expression, renames),
            needs=needs,
            natives=[(renames[_placeholder(i)], part.holds) for i, part in enumerate(natives)],
            tests=tests - 1,  # the chunk's tag test is shared
            delegated=len(list(_leaves(node))) - native_tests,
            native_tests=native_tests,
        )

    def _build(
        self,
        node: _Node,
        forms: _FormMap,
        native: set[int],
        natives: list[_Node],
        needs: list[Need],
    ) -> Json:
        """The expression of ``node``, with native parts as placeholder attributes."""
        if self._is_native(node, forms, native):
            return self._native(node, natives)
        if isinstance(node, _Test):
            form = forms[id(node)]
            assert form is not None  # else _is_native
            positive, negative, read = form
            needs.extend(read)
            return negative if node.negated else positive
        op = "$and" if node.kind == "and" else "$or"
        parts: list[Json] = []
        natively: list[_Node] = []
        for child in node.children:
            if self._is_native(child, forms, native):
                natively.append(child)
            else:
                built = self._build(child, forms, native, natives, needs)
                parts.extend(built.get(op, [built]))
        if natively:  # the natively computed children of a junction make one attribute
            parts.append(self._native(_junction(node.kind, natively), natives))
        return parts[0] if len(parts) == 1 else {op: parts}

    @staticmethod
    def _native(node: _Node, natives: list[_Node]) -> Json:
        """A placeholder attribute test for a natively computed part."""
        natives.append(node)
        return {_placeholder(len(natives) - 1): 1}

    @staticmethod
    def _is_native(node: _Node, forms: _FormMap, native: set[int]) -> bool:
        """Computed natively: chosen so, or no test below it has a durable-rules form."""
        return id(node) in native or all(forms[id(leaf)] is None for leaf in _leaves(node))

    def _largest(self, node: _Node, forms: _FormMap, native: set[int]) -> _Node:
        """The biggest part still given to durable-rules (the whole condition if no part)."""
        best: tuple[int, _Node] | None = None
        pending = list(node.children) if isinstance(node, _Junction) else []
        while pending:
            part = pending.pop()
            if self._is_native(part, forms, native):
                continue  # nothing below it is given to durable-rules any more
            size = sum(1 for leaf in _leaves(part) if forms[id(leaf)] is not None)
            size += sum(1 for item in _nodes(part) if isinstance(item, _Junction))
            if best is None or size > best[0]:
                best = (size, part)
            if isinstance(part, _Junction):
                pending.extend(part.children)
        return node if best is None else best[1]


def _placeholder(index: int) -> str:
    """The temporary attribute name of the ``index``-th native part of a rule."""
    return f"\x00{index}"


def _rename(expression: Json, renames: Mapping[str, str]) -> Json:
    """``expression`` with placeholder attribute names replaced by their final names."""
    out: Json = {}
    for key, value in expression.items():
        if key in ("$and", "$or"):
            out[key] = [_rename(child, renames) for child in value]
        else:
            out[renames.get(key, key)] = value
    return out


# --------------------------------------------------------------------------- chunks


@dataclass
class Chunk:
    """Consecutive rules of one stage in one part of the ruleset, tried as one event."""

    tag: int
    rules: list[Lowered] = field(default_factory=list)
    slots: list[tuple[Slot, tuple[str, ...]]] = field(default_factory=list)
    natives: list[tuple[str, Predicate]] = field(default_factory=list)

    def message(self, view: View, memo: dict[int, dict[str, Any]], tag_name: str) -> Json:
        """The event of this chunk for a ticket (slots encoded once per stage, in ``memo``)."""
        out: Json = {tag_name: self.tag}
        for slot, names in self.slots:
            encoded = memo.get(id(slot))
            if encoded is None:
                encoded = memo[id(slot)] = slot.encode(view)
            for name in names:
                if name in encoded:
                    out[name] = encoded[name]
        for name, predicate in self.natives:
            out[name] = 1 if predicate(view) else 0
        return out


@dataclass
class Stage:
    """One first-match stage as chunks, tried in order."""

    name: str
    chunks: list[Chunk]
    fallback: int  # what the native engine answers when no rule matches (-1: none)


def pack(lowered: Sequence[Lowered], tags: Iterator[int]) -> list[Chunk]:
    """Consecutive rules into chunks of at most CHUNK_TESTS tests and CHUNK_ATTRIBUTES."""
    chunks: list[Chunk] = []
    current: Chunk | None = None
    tests = 0
    attributes: set[str] = set()
    for rule in lowered:
        wanted = attributes | rule.attributes
        if (
            current is None
            or tests + rule.tests > CHUNK_TESTS
            or len(wanted) + 2 > CHUNK_ATTRIBUTES
        ):
            current = Chunk(next(tags))
            chunks.append(current)
            tests, attributes, wanted = 1, set(), set(rule.attributes)  # 1: the tag test
        current.rules.append(rule)
        tests += rule.tests
        attributes = wanted
    for chunk in chunks:
        by_slot: dict[int, tuple[Slot, set[str]]] = {}
        for rule in chunk.rules:
            for need in rule.needs:
                entry = by_slot.setdefault(id(need.slot), (need.slot, set()))
                entry[1].add(need.slot.attrs[need.kind])
            chunk.natives.extend(rule.natives)
        chunk.slots = [(slot, tuple(sorted(names))) for slot, names in by_slot.values()]
    return chunks
