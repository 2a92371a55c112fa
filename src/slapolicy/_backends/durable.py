"""The durable-rules backend: stage selection compiled to a durable-rules ruleset.

``load_policy(source, backend="durable")`` compiles a policy as usual and then hands the four
first-match stages (category, priority rule, SLA, routing) to durable-rules 2.0.28, an
optional extra (``pip install 'slapolicy[durable]'``). Everything else is shared with the
native engine: validation, field conversion, the priority matrix, deadlines, escalations and
the trace (which is always built by the native explainer). The decisions are the native
ones, exactly: that is the contract, checked by a differential property test. This module is
the only place that imports durable-rules; docs/backends.md says when to choose it and
lists what was measured.

How conditions become durable-rules rules
-----------------------------------------
durable-rules' own comparisons coerce across types (``"3" == 3``, ``true == 1``), reject
events holding numbers written with an exponent (``1e-05``: error 204) or infinities, find
integers beyond 64 bits equal (``2**64 == 2**64 + 1``), order text with ``strncmp`` over the
raw JSON (``"ab" < "ab "`` and ``'a"' < "a#"`` come out false; lengths above 65,535 bytes
wrap), and its regular expressions give wrong answers. So no ticket value reaches it as it
is. Each evaluation posts one event per stage
(per *chunk*, see below) whose attributes encode the values by kind, so that a durable-rules
comparison can only be true where the native one is:

- text as the hex of its UTF-8 bytes (order- and equality-preserving, plain ASCII), cut
  after the longest literal it is compared with plus one character (which changes no
  comparison); a second attribute holds the casefolded text for ``case: insensitive``;
- numbers (not booleans) as a 16-hex-digit key of their IEEE-754 double that sorts like
  the number; integers beyond 2**53 as a key beyond every literal (literals beyond 2**53
  are left to the native engine); NaN is absent (it equals and orders with nothing);
- booleans as 0/1 in an attribute of their own; presence (not missing, not null) as 1.

Equality, membership (up to 64 values), ordering and ``between`` on text and numbers,
booleans and ``exists``, and the ``all`` / ``any`` / ``not`` structure are evaluated by
durable-rules (``not`` pushed down to the tests, each test having an exact negated form).
Computed natively and posted as 0/1 attributes: ``contains``, ``contains_any``,
``contains_all``, ``matches``, date-time comparisons (Python compares two date-times of one
zone by wall clock), longer lists and text literals, and any part of a condition too large
for one durable-rules rule (at most 15 ``$and``/``$or`` nodes).

durable-rules fires the matching rule with the lowest ``pri`` and consumes the event; rules
get their position in file order as ``pri``. Every rule also requires the event's chunk
tag: durable-rules runs its own state document (``sid``, ``id``, ``$s``) through the same
network, and a rule that its state document satisfies (a test for a missing attribute, or
on ``id`` / ``sid``) fires again on every state update, forever. Ticket fields never become
attribute names (they are ``f0s``, ``f0n``, ...), so a field called ``id`` or ``sid`` is an
ordinary field here; attribute names are checked against durable-rules' 32-bit name hashes.
Each chunk ends with a rule that matches every event of the chunk, so
``MessageNotHandledException`` cannot happen.

Chunks: an event for which more than about 64 tests of one ruleset hold at once fails with
error 303, and a node with more than 512 children hangs. A stage is therefore split, in file
order, into chunks of at most 40 tests and 200 attributes; a chunk is tried only when the
chunks before it matched nothing, so the first match in file order still wins.

Actions and threads: all rules of a policy live in one ruleset, driven without durable-rules'
``Host`` (whose background threads run some actions after ``post`` has returned). A decision
is read only once its action has run: each event carries a serial number, the action files
its result under it, and the caller waits (pumping pending actions itself) for at most
:data:`ACTION_TIMEOUT` seconds before raising :class:`TicketError`. Engine calls are
serialised by one lock (durable-rules holds the GIL in every call anyway); on Python 3.12 its
``DeprecationWarning`` for ``datetime.utcfromtimestamp`` is silenced around them, and only
it. The ruleset is deleted when the policy is garbage-collected.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import struct
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from .._compile import Rules
from .._conditions import TEXT_OPERATORS, Condition, compile_condition
from .._engine import Selection, matrix_or_default, native_selection
from .._errors import PolicyError, Problem, TicketError
from .._fields import FieldType, coerce

__all__ = [
    "ACTION_TIMEOUT",
    "CHUNK_TESTS",
    "MAX_CHUNKS",
    "durable_available",
    "durable_selection",
]

#: seconds a caller waits for durable-rules to run the action of its event
ACTION_TIMEOUT = 5.0
#: durable-rules tests per chunk (an event matching ~64 tests of a ruleset fails, error 303)
CHUNK_TESTS = 40
#: event attributes per chunk (durable-rules refuses events with 252 properties, error 302)
CHUNK_ATTRIBUTES = 200
#: ``$and`` / ``$or`` nodes in one durable-rules rule (16 fail with error 113)
MAX_JUNCTIONS = 15
#: chunks per policy (their tags share one attribute: a hash set of 512 entries)
MAX_CHUNKS = 500
#: ``in`` / ``not_in`` lists longer than this are computed natively
MAX_LIST = 64
#: text literals longer than this (UTF-8 bytes) are compared natively
MAX_TEXT_BYTES = 4000

_SAFE_INTEGER = 2**53
_BEYOND = 2.0**60  # stands for every integer beyond 2**53 (no delegated literal is)
_SIGN = 1 << 63
_MASK = (1 << 64) - 1
_DEFAULT_PRI = 60_000  # pri is read as an unsigned 16-bit number; negative values misorder
_ORDER = {"gt": "$gt", "ge": "$gte", "lt": "$lt", "le": "$lte"}
_COMPLEMENT = {"gt": "le", "ge": "lt", "lt": "ge", "le": "gt"}
_RESERVED_NAMES = ("id", "sid", "$s", "$i", "$m", "m")

_ENGINE_LOCK = threading.Lock()
_SERIAL = itertools.count(1)

Json = dict[str, Any]
View = Mapping[str, Any]
Predicate = Callable[[View], bool]


# --------------------------------------------------------------------------- availability


def _unavailable_message(error: BaseException, version: tuple[int, ...]) -> str:
    """Say why durable-rules cannot be used here and what to do instead."""
    if tuple(version[:2]) >= (3, 13):
        return (
            "the durable backend needs durable-rules, which does not work on Python "
            f"{version[0]}.{version[1]} (its C extension calls PyEval_CallObject, removed in "
            "Python 3.13; durable-rules 2.0.28 of 2020 is its last release): use the native "
            f"backend, or Python 3.10-3.12 with pip install 'slapolicy[durable]' ({error})"
        )
    return (
        "the durable backend needs the optional dependency durable-rules: install it with "
        f"pip install 'slapolicy[durable]' (it compiles a C extension) ({error})"
    )


def _durable_engine() -> Any:
    """``durable.engine``, or an ImportError that says how to install it."""
    try:
        from durable import engine
    except ImportError as exc:
        version = (sys.version_info.major, sys.version_info.minor)
        raise ImportError(_unavailable_message(exc, version)) from exc
    return engine


def durable_available() -> bool:
    """Whether durable-rules can be imported here (the ``durable`` extra, Python < 3.13)."""
    try:
        _durable_engine()
    except ImportError:
        return False
    return True


if sys.version_info >= (3, 12):

    @contextlib.contextmanager
    def _quiet() -> Iterator[None]:
        """Silence durable-rules' DeprecationWarning for ``utcfromtimestamp`` (and only it)."""
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore",
                message=r"datetime\.datetime\.utcfromtimestamp\(\) is deprecated",
                category=DeprecationWarning,
                module=r"durable\.engine",
            )
            yield

else:
    _quiet = contextlib.nullcontext


# --------------------------------------------------------------------------- value keys


def _text_key(text: str) -> str:
    """Hex of the UTF-8 bytes: plain ASCII that sorts and compares like the text."""
    return text.encode("utf-8", "surrogatepass").hex()


def _number_key(value: float) -> str:
    """16 hex digits that sort like the number (an IEEE-754 double made unsigned)."""
    if value == 0:
        value = 0.0  # -0.0 == 0
    (bits,) = struct.unpack(">Q", struct.pack(">d", value))
    bits = bits ^ _MASK if bits & _SIGN else bits | _SIGN
    return f"{bits:016x}"


def _value_number_key(value: int | float) -> str | None:
    """The key of a ticket number; None for NaN (which equals and orders with nothing)."""
    if isinstance(value, int):
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            return _number_key(float(value))
        return _number_key(_BEYOND if value > 0 else -_BEYOND)
    if math.isnan(value):
        return None
    return _number_key(float(value))


def _fnv1a(name: str) -> int:
    """durable-rules' 32-bit name hash (attributes are found by it, not by name)."""
    value = 0x811C9DC5
    for byte in name.encode("utf-8"):
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


class _Names:
    """Attribute names whose durable-rules hashes differ from each other and the engine's."""

    def __init__(self) -> None:
        self._hashes = {_fnv1a(name) for name in _RESERVED_NAMES}

    def take(self, wanted: str) -> str:
        name, n = wanted, 0
        while _fnv1a(name) in self._hashes:
            n += 1
            name = f"{wanted}_{n}"
        self._hashes.add(_fnv1a(name))
        return name


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
        return self.native(view) != self.negated


@dataclass(eq=False)
class _Junction:
    """``and`` / ``or`` of at least two nodes."""

    kind: str
    children: tuple[_Node, ...]

    def holds(self, view: View) -> bool:
        if self.kind == "and":
            return all(child.holds(view) for child in self.children)
        return any(child.holds(view) for child in self.children)


_Node = _Test | _Junction


def _junction(kind: str, parts: Sequence[_Node]) -> _Node:
    flat: list[_Node] = []
    for part in parts:
        if isinstance(part, _Junction) and part.kind == kind:
            flat.extend(part.children)
        else:
            flat.append(part)
    return flat[0] if len(flat) == 1 else _Junction(kind, tuple(flat))


class _Reader:
    """Reads ``when`` data (already validated by the loader) into a tree of tests."""

    def __init__(self, fields: Mapping[str, FieldType], tz: tzinfo) -> None:
        self.fields = fields
        self.tz = tz

    def condition(self, spec: Mapping[str, Any], negate: bool) -> _Node:
        parts: list[_Node] = []
        for key, value in spec.items():
            if key in ("all", "any"):
                kind = "and" if (key == "all") != negate else "or"
                parts.append(_junction(kind, [self.condition(c, negate) for c in value]))
            elif key == "not":
                parts.append(self.condition(value, not negate))
            else:
                parts.extend(self._field(key, value, negate))
        return _junction("or" if negate else "and", parts)

    def _field(self, name: str, value: Any, negate: bool) -> list[_Node]:
        if isinstance(value, Mapping):
            fold = value.get("case") == "insensitive"
            return [
                self._test(name, op, arg, fold and op in TEXT_OPERATORS, negate)
                for op, arg in value.items()
                if op != "case"
            ]
        if isinstance(value, (list, tuple)):
            return [self._test(name, "in", value, False, negate)]
        return [self._test(name, "eq", value, False, negate)]

    def _test(self, name: str, op: str, arg: Any, fold: bool, negate: bool) -> _Test:
        spec: dict[str, Any] = {op: arg}
        if fold:
            spec["case"] = "insensitive"
        native = compile_condition({name: spec}, fields=self.fields, tz=self.tz).matches
        declared = self.fields.get(name)
        if declared is not None and op not in ("exists", "matches") and not op.startswith("con"):
            kind = FieldType(declared.kind)
            if isinstance(arg, (list, tuple)):
                arg = tuple(coerce(item, kind, tz=self.tz) for item in arg)
            else:
                arg = coerce(arg, kind, tz=self.tz)
        return _Test(name, op, arg, fold, negate, native)


# --------------------------------------------------------------------------- event attributes


class _Slot:
    """The attributes that carry one ticket field: presence, text, folded text, number, bool."""

    def __init__(self, path: str, names: _Names, serial: int) -> None:
        self.path = path
        self.keys = tuple(path.split("."))
        self._names = names
        self._stem = f"f{serial}"
        self.attrs: dict[str, str] = {}  # kind -> attribute name
        self.text_len = 0
        self.fold_len = 0

    def attr(self, kind: str) -> str:
        name = self.attrs.get(kind)
        if name is None:
            name = self.attrs[kind] = self._names.take(self._stem + kind)
        return name

    def get(self, view: View) -> Any:
        current: Any = view
        for key in self.keys:
            if not isinstance(current, Mapping):
                return None
            current = current.get(key)
        return current

    def encode(self, view: View) -> dict[str, Any]:
        value = self.get(view)
        if value is None:
            return {}
        attrs = self.attrs
        out: dict[str, Any] = {}
        if "x" in attrs:
            out[attrs["x"]] = 1
        if isinstance(value, str):
            if "s" in attrs:
                out[attrs["s"]] = _text_key(value[: self.text_len + 1])
            if "c" in attrs:
                cut = self.fold_len + 1
                out[attrs["c"]] = _text_key(value[:cut].casefold()[:cut])
        elif isinstance(value, bool):
            if "b" in attrs:
                out[attrs["b"]] = int(value)
        elif isinstance(value, (int, float)) and "n" in attrs:
            key = _value_number_key(value)
            if key is not None:
                out[attrs["n"]] = key
        return out


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and len(value.encode("utf-8", "surrogatepass")) <= MAX_TEXT_BYTES


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and -_SAFE_INTEGER <= value <= _SAFE_INTEGER
    )


def _is_literal(value: Any) -> bool:
    return isinstance(value, bool) or _is_text(value) or _is_number(value)


@dataclass
class _Need:
    """An attribute a lowered test reads: ``(slot, kind)`` and, for text, the literal length."""

    slot: _Slot
    kind: str
    length: int = 0


def _joined(op: str, parts: list[Json]) -> Json:
    flat = [item for part in parts for item in part.get(op, [part])]
    return flat[0] if len(flat) == 1 else {op: flat}


def _any_of(parts: list[Json]) -> Json:
    return _joined("$or", parts)


def _all_of(parts: list[Json]) -> Json:
    return _joined("$and", parts)


class _Forms:
    """Exact durable-rules forms of a test and of its negation, or None (computed natively)."""

    def __init__(self, slots: Callable[[str], _Slot]) -> None:
        self.slot = slots

    def of(self, test: _Test) -> tuple[Json, Json, list[_Need]] | None:
        op, arg = test.op, test.arg
        if op == "exists":
            slot = self.slot(test.field)
            here: Json = {"$ex": {slot.attr("x"): 1}}
            gone: Json = {"$nex": {slot.attr("x"): 1}}
            return (here, gone, [_Need(slot, "x")]) if arg else (gone, here, [_Need(slot, "x")])
        if op in ("eq", "ne", "in", "not_in"):
            literals = (arg,) if op in ("eq", "ne") else tuple(arg)
            if len(literals) > MAX_LIST or not all(_is_literal(v) for v in literals):
                return None
            member, outside, needs = self._membership(test.field, literals, test.fold)
            if op in ("eq", "in"):
                return member, outside, needs
            slot = self.slot(test.field)
            present = {"$ex": {slot.attr("x"): 1}}
            absent = {"$nex": {slot.attr("x"): 1}}
            needs.append(_Need(slot, "x"))
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
        return None  # contains, contains_any, contains_all, matches

    def _key(self, slot: _Slot, value: Any, fold: bool) -> tuple[str, Any, _Need]:
        """The attribute a literal is compared on, the literal's key and what is read."""
        if isinstance(value, bool):
            return slot.attr("b"), int(value), _Need(slot, "b")
        if isinstance(value, str):
            if fold:
                folded = value.casefold()
                return slot.attr("c"), _text_key(folded), _Need(slot, "c", len(folded))
            return slot.attr("s"), _text_key(value), _Need(slot, "s", len(value))
        return slot.attr("n"), _number_key(float(value)), _Need(slot, "n")

    def _membership(
        self, name: str, literals: Sequence[Any], fold: bool
    ) -> tuple[Json, Json, list[_Need]]:
        slot = self.slot(name)
        groups: dict[str, list[Any]] = {}
        needs: list[_Need] = []
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

    def _compared(self, name: str, literal: Any) -> tuple[str, Any, _Need] | None:
        """The attribute and key an ordering literal is compared on, if durable-rules can."""
        if isinstance(literal, bool) or not (_is_text(literal) or _is_number(literal)):
            return None
        return self._key(self.slot(name), literal, False)

    def _order(self, name: str, op: str, literal: Any) -> tuple[Json, Json, list[_Need]] | None:
        compared = self._compared(name, literal)
        if compared is None:
            return None
        attr, key, need = compared
        positive = {_ORDER[op]: {attr: key}}
        negative = {"$or": [{"$nex": {attr: 1}}, {_ORDER[_COMPLEMENT[op]]: {attr: key}}]}
        return positive, negative, [need]


# --------------------------------------------------------------------------- rules


@dataclass
class _Lowered:
    """One stage rule as a durable-rules expression, with what its event must carry."""

    result: int  # index of the rule in its stage
    expression: Json | None  # None: no condition (matches every event of its chunk)
    needs: list[_Need]
    natives: list[tuple[str, Predicate]]
    tests: int  # alpha nodes (tests and `$or` nodes): a chunk holds at most CHUNK_TESTS
    delegated: int
    native_tests: int

    @property
    def attributes(self) -> set[str]:
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


def _nodes(node: _Node) -> Iterator[_Node]:
    yield node
    if isinstance(node, _Junction):
        for child in node.children:
            yield from _nodes(child)


def _leaves(node: _Node) -> Iterator[_Test]:
    for item in _nodes(node):
        if isinstance(item, _Test):
            yield item


_FormMap = Mapping[int, tuple[Json, Json, list[_Need]] | None]


class _Lowerer:
    """Turns condition trees into durable-rules expressions, natively computing what it must."""

    def __init__(self, names: _Names, forms: _Forms) -> None:
        self.names = names
        self.forms = forms
        self._native_serial = itertools.count()

    def lower(self, node: _Node | None, result: int) -> _Lowered:
        if node is None:
            return _Lowered(result, None, [], [], 0, 0, 0)
        forms = {id(t): self.forms.of(t) for t in _leaves(node)}
        native: set[int] = set()  # parts chosen to be computed natively (too large)
        while True:
            natives: list[_Node] = []
            needs: list[_Need] = []
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
        return _Lowered(
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
        needs: list[_Need],
    ) -> Json:
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
    return f"\x00{index}"


def _rename(expression: Json, renames: Mapping[str, str]) -> Json:
    out: Json = {}
    for key, value in expression.items():
        if key in ("$and", "$or"):
            out[key] = [_rename(child, renames) for child in value]
        else:
            out[renames.get(key, key)] = value
    return out


# --------------------------------------------------------------------------- chunks


@dataclass
class _Chunk:
    """Consecutive rules of one stage in one part of the ruleset, tried as one event."""

    tag: int
    rules: list[_Lowered] = field(default_factory=list)
    slots: list[tuple[_Slot, tuple[str, ...]]] = field(default_factory=list)
    natives: list[tuple[str, Predicate]] = field(default_factory=list)

    def message(self, view: View, memo: dict[int, dict[str, Any]], tag_name: str) -> Json:
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
class _Stage:
    name: str
    chunks: list[_Chunk]
    fallback: int  # what the native engine answers when no rule matches (-1: none)


def _pack(lowered: Sequence[_Lowered], tags: Iterator[int]) -> list[_Chunk]:
    """Consecutive rules into chunks of at most CHUNK_TESTS tests and CHUNK_ATTRIBUTES."""
    chunks: list[_Chunk] = []
    current: _Chunk | None = None
    tests = 0
    attributes: set[str] = set()
    for rule in lowered:
        wanted = attributes | rule.attributes
        if (
            current is None
            or tests + rule.tests > CHUNK_TESTS
            or len(wanted) + 2 > CHUNK_ATTRIBUTES
        ):
            current = _Chunk(next(tags))
            chunks.append(current)
            tests, attributes, wanted = 1, set(), set(rule.attributes)  # 1: the tag test
        current.rules.append(rule)
        tests += rule.tests
        attributes = wanted
    for chunk in chunks:
        by_slot: dict[int, tuple[_Slot, set[str]]] = {}
        for rule in chunk.rules:
            for need in rule.needs:
                entry = by_slot.setdefault(id(need.slot), (need.slot, set()))
                entry[1].add(need.slot.attrs[need.kind])
            chunk.natives.extend(rule.natives)
        chunk.slots = [(slot, tuple(sorted(names))) for slot, names in by_slot.values()]
    return chunks


# --------------------------------------------------------------------------- the engine


class _Engine:
    """One policy's ruleset, its chunks and the bookkeeping of fired actions."""

    def __init__(self, policy: Rules) -> None:
        engine = _durable_engine()
        self.policy_name = policy.name
        self.action_timeout = ACTION_TIMEOUT
        names = _Names()
        self.tag_name = names.take("q")
        self.event_name = names.take("e")
        slots: dict[str, _Slot] = {}

        def slot(path: str) -> _Slot:
            found = slots.get(path)
            if found is None:
                found = slots[path] = _Slot(path, names, len(slots))
            return found

        reader = _Reader(policy.fields, policy.timezone)
        lowerer = _Lowerer(names, _Forms(slot))
        tags = itertools.count(1)
        # (stage, its rules' conditions in file order, the native answer when none matches)
        stages: list[tuple[str, list[Condition], int]] = [
            ("category", [r.condition for r in policy.categories], len(policy.categories) - 1),
            ("priority", [r.condition for r in policy.priority_rules], -1),
            ("sla", [s.rule.condition for s in policy.slas], len(policy.slas) - 1),
            ("routing", [r.condition for r in policy.routing], len(policy.routing) - 1),
        ]
        self.stages: list[_Stage] = []
        for stage_name, conditions, fallback in stages:
            lowered = [
                lowerer.lower(None if c.spec is None else reader.condition(c.spec, False), i)
                for i, c in enumerate(conditions)
            ]
            self.stages.append(_Stage(stage_name, _pack(lowered, tags), fallback))
        chunk_count = sum(len(stage.chunks) for stage in self.stages)
        if chunk_count > MAX_CHUNKS:
            raise PolicyError(
                [
                    Problem(
                        f"this policy needs {chunk_count} durable-rules chunks of at most "
                        f"{CHUNK_TESTS} tests; durable-rules can hold {MAX_CHUNKS} in one "
                        "ruleset: use the native backend (the default)",
                        "",
                        policy.filename,
                    )
                ]
            )
        self.definition_bodies = self._definition()
        self.name = f"slapolicy_{policy.version.removeprefix('sha256:')}_{next(_SERIAL)}"
        self._results: dict[int, int] = {}
        self._abandoned: set[int] = set()
        self._done = threading.Condition(threading.Lock())
        self._serial = itertools.count(1)
        runnable: Json = {}
        for rule, body in self._bodies():
            result = body.pop("result")
            runnable[rule] = {**body, "run": self._action(result)}
        try:
            with _ENGINE_LOCK, _quiet():
                self.ruleset = engine.Ruleset(self.name, None, runnable)
        except Exception as exc:
            raise PolicyError(
                [
                    Problem(
                        f"durable-rules cannot hold this policy ({exc}); use the native "
                        "backend (the default)",
                        "",
                        policy.filename,
                    )
                ]
            ) from None
        #: deletes the ruleset when this engine (its policy) is garbage-collected
        self.finalizer = weakref.finalize(
            self, _delete_ruleset, engine.durable_rules_engine, self.ruleset._handle
        )
        self.finalizer.atexit = False

    # ------------------------------------------------------------------ compile

    def _bodies(self) -> Iterator[tuple[str, Json]]:
        for stage in self.stages:
            for chunk in stage.chunks:
                tag: Json = {self.tag_name: chunk.tag}
                for pri, rule in enumerate(chunk.rules):
                    if rule.expression is None:
                        expression = tag
                    else:
                        parts = rule.expression.get("$and", [rule.expression])
                        expression = {"$and": [tag, *parts]}
                    body = {"all": [{"m": expression}], "pri": pri, "result": rule.result}
                    yield f"c{chunk.tag}r{rule.result}", body
                yield f"c{chunk.tag}none", {"all": [{"m": tag}], "pri": _DEFAULT_PRI, "result": -1}

    def _definition(self) -> Json:
        return dict(self._bodies())

    def _action(self, result: int) -> Callable[[Any], None]:
        results, abandoned, done, event_name = (
            self._results,
            self._abandoned,
            self._done,
            self.event_name,
        )

        def fired(c: Any) -> None:
            serial = c.m[event_name]
            with done:
                if serial in abandoned:
                    abandoned.discard(serial)
                else:
                    results[serial] = result
                    done.notify_all()

        return fired

    # ------------------------------------------------------------------ evaluate

    def select(self, stage_index: int, view: View) -> int:
        stage = self.stages[stage_index]
        memo: dict[int, dict[str, Any]] = {}
        for chunk in stage.chunks:
            result = self._post(chunk.message(view, memo, self.tag_name))
            if result >= 0:
                return result
        return stage.fallback

    def _post(self, message: Json) -> int:
        serial = next(self._serial)
        message[self.event_name] = serial
        failures: list[Any] = []

        def complete(error: Any, _state: Any) -> None:
            if error:
                failures.append(error)

        with _ENGINE_LOCK, _quiet():
            try:
                state = self.ruleset.assert_event(message)
                self.ruleset.do_actions(state, complete)
            except Exception as exc:
                failures.append(exc)
        if failures:
            with self._done:
                self._results.pop(serial, None)
            error = failures[0]
            detail = getattr(error, "message", None) or str(error) or type(error).__name__
            raise TicketError(f"durable-rules could not evaluate the ticket: {detail}")
        with self._done:
            result = self._results.pop(serial, None)
        return self._await(serial) if result is None else result

    def _await(self, serial: int) -> int:
        """Wait for an action that did not run within ``post``, running pending ones."""
        deadline = time.monotonic() + self.action_timeout
        while True:
            with _ENGINE_LOCK, _quiet(), contextlib.suppress(Exception):
                self.ruleset.dispatch()
            with self._done:
                if serial in self._results:
                    return self._results.pop(serial)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._abandoned.add(serial)
                    raise TicketError(
                        f"durable-rules did not run the rule action for this ticket within "
                        f"{self.action_timeout:g} s (policy {self.policy_name!r}); no decision "
                        "was made"
                    )
                self._done.wait(min(remaining, 0.01))

    # ------------------------------------------------------------------ introspection

    def definition(self) -> dict[str, Any]:
        """The ruleset as handed to durable-rules (rule name -> ``all``/``pri``), for reading."""
        return {
            name: {k: v for k, v in body.items() if k != "result"}
            for name, body in self.definition_bodies.items()
        }

    def summary(self) -> dict[str, Any]:
        stages = {}
        for stage in self.stages:
            rules = [rule for chunk in stage.chunks for rule in chunk.rules]
            stages[stage.name] = {
                "rules": len(rules),
                "chunks": len(stage.chunks),
                "durable_tests": sum(rule.delegated for rule in rules),
                "native_tests": sum(rule.native_tests for rule in rules),
                "native_attributes": sum(len(rule.natives) for rule in rules),
            }
        return {"ruleset": self.name, "stages": stages}


def _delete_ruleset(module: Any, handle: Any) -> None:
    with _ENGINE_LOCK, contextlib.suppress(Exception):
        module.delete_ruleset(handle)


# --------------------------------------------------------------------------- the selection


def durable_selection(rules: Rules) -> Selection:
    """The four stage selections of ``rules`` run in durable-rules; escalations stay native.

    Raises ImportError (saying how to install it) without durable-rules, and
    :class:`PolicyError` for a policy durable-rules cannot hold.
    """
    engine = _Engine(rules)
    select = engine.select
    rule_ids = tuple(rule.id for rule in rules.priority_rules)
    fallback = matrix_or_default(rules)

    def category(view: View) -> int:
        return select(0, view)

    def priority(view: View, category: str) -> str:
        index = select(1, {**view, "category": category})
        return rule_ids[index] if index >= 0 else fallback(view, category)

    def sla(view: View, category: str, priority: str) -> int:
        return select(2, {**view, "category": category, "priority": priority})

    def route(view: View, category: str, priority: str, sla: str) -> int:
        return select(3, {**view, "category": category, "priority": priority, "sla": sla})

    return Selection(category, priority, sla, route, native_selection(rules).escalation, engine)
