"""The condition compiler: ``when:`` data -> a checked, typed tree (:mod:`.tree`).

It knows nothing of YAML: it receives the parsed mapping and the path where it sits, and
reports every problem at once as a :class:`PolicyError` (each a :class:`Problem` whose path
starts with that prefix). Literals of fields declared in ``fields:`` are converted here, so
nothing downstream ever converts a literal again. The language itself is described in the
package docstring (:mod:`slapolicy._conditions`) and in docs/ops-guide.md.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

import re2

from .._errors import PolicyError, Problem, format_path
from .._fields import FieldType, coerce, path_keys
from .evaluate import to_predicate
from .operators import ITEM_OPERATORS, OPERATORS, TABLE, TEXT_OPERATORS, compile_pattern
from .tree import AllOf, AnyOf, FieldTests, ItemCondition, Node, Not, Path, Test
from .values import describe, is_aware, kind_of, show, value_key

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_NEEDLE_LENGTH",
    "MAX_PATTERN_LENGTH",
    "compile_tree",
    "plain_copy",
]

MAX_PATTERN_LENGTH = 1000
"""Longest regular expression accepted by ``matches``, in characters."""

MAX_NEEDLE_LENGTH = 1000
"""Longest text accepted as a ``contains*`` needle, in characters."""

MAX_ITEMS = 1000
"""Most values accepted in one ``in`` / ``not_in`` / ``contains_any`` / ``contains_all`` list."""

MAX_DEPTH = 32
"""Deepest nesting of conditions accepted: each ``all``, ``any``, ``not``, ``any_item`` and
``all_items`` is one level. Checked on the way down, so nothing recurses deeper."""

_CASE_KEY = "case"
_CASES = ("insensitive", "sensitive")
_ORDERED_KINDS = frozenset({"number", "string", "datetime", "date"})
_RE2_HELP = (
    "patterns use RE2 syntax (no backreferences or look-around), "
    "see https://github.com/google/re2/wiki/Syntax"
)
_YAML_BOOLEAN_HINT = "quote it: YAML reads unquoted yes/no/on/off/true/false as booleans"


def compile_tree(
    spec: Any,
    *,
    path: Path = (),
    fields: Mapping[str, FieldType] | None = None,
    tz: tzinfo | None = None,
) -> Node:
    """Check condition data and build its tree; :class:`PolicyError` lists every problem.

    ``path`` is where the condition sits in the policy (``("priorities", 2, "when")``) and
    prefixes every problem's path and every node's; ``fields`` are the declared fields,
    whose literals are converted and checked; ``tz`` is the time zone for date-time
    literals without an offset.
    """
    compiler = _Compiler(fields or {}, tz, [])
    node = compiler.condition(spec, tuple(path), 1)
    if compiler.problems:
        raise PolicyError(compiler.problems)
    assert node is not None  # no problems means every part compiled
    return node


def plain_copy(data: Any) -> Any:
    """Copy condition data as plain dicts and lists (only ever called on checked data, whose
    depth :data:`MAX_DEPTH` bounds)."""
    if isinstance(data, Mapping):
        return {key: plain_copy(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain_copy(item) for item in data]
    return data


class _Invalid(Exception):
    """Internal signal that a problem was recorded and the current part cannot compile."""


class _Compiler:
    """Walks condition data, recording every problem and building nodes for valid parts."""

    def __init__(
        self,
        fields: Mapping[str, FieldType],
        tz: tzinfo | None,
        problems: list[Problem],
        *,
        in_items: bool = False,
    ) -> None:
        #: compiling the element condition of any_item / all_items (no declared fields)
        self.in_items = in_items
        #: declared fields by their keys (``a.b`` and ``a.b`` spelled alike, escapes read)
        self.fields = {path_keys(name): declared for name, declared in fields.items()}
        self.tz = tz
        self.problems = problems
        #: argument kind (``Operator.argument``) -> its checker, all called alike:
        #: ``check(field name, op, arg, declared type, fold, path, depth) -> checked argument``
        self._checkers: dict[str, Callable[..., Any]] = {
            "literal": lambda n, op, a, d, f, p, _: self._literal(n, a, d, f, p),
            "literals": lambda n, op, a, d, f, p, _: self._literal_list(n, op, a, d, f, p),
            "order": lambda n, op, a, d, f, p, _: self._orderable(n, op, a, d, p),
            "bounds": lambda n, op, a, d, f, p, _: self._bounds(n, a, d, p),
            "needle": lambda n, op, a, d, f, p, _: self._needle(n, a, d, p),
            "needles": lambda n, op, a, d, f, p, _: self._needles(n, op, a, d, p),
            "pattern": lambda n, op, a, d, f, p, _: self._pattern(a, f, p),
            "condition": lambda n, op, a, d, f, p, depth: self._items(n, op, a, p, depth),
        }

    def fail(self, message: str, path: Sequence[str | int], *, key: bool = False) -> _Invalid:
        """Record a problem at a path (``key``: about the key there) and return the signal."""
        self.problems.append(Problem(message, format_path(path), key=key))
        return _Invalid()

    # -- structure

    def condition(self, spec: Any, path: Path, depth: int) -> Node | None:
        """Compile one condition mapping, or record why it cannot be compiled."""
        try:
            return self._condition(spec, path, depth)
        except _Invalid:
            return None

    def _condition(self, spec: Any, path: Path, depth: int) -> Node | None:
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
            raise self.fail(f"a condition must be a mapping, got {describe(spec)}; {hint}", path)
        if not spec:
            raise self.fail(
                "empty condition; give at least one test, or leave out `when` for a rule that "
                "matches every ticket",
                path,
            )
        nodes: list[Node | None] = []
        for key, value in spec.items():
            if not isinstance(key, str):
                shown = str(key) if isinstance(key, bool) else show(key)
                hint = f"; {_YAML_BOOLEAN_HINT}" if isinstance(key, bool) else ""
                self.fail(
                    f"field names must be text, got {kind_of(key)} {shown}{hint}", (*path, str(key))
                )
                continue
            if key in ("all", "any"):
                nodes.append(self._combination(key, value, (*path, key), depth))
            elif key == "not":
                nodes.append(self._negation(value, (*path, key), depth))
            else:
                nodes.append(self.field(key, value, (*path, key), depth))
        if any(node is None for node in nodes):
            return None
        valid = tuple(node for node in nodes if node is not None)
        return valid[0] if len(valid) == 1 else AllOf(valid)

    def _combination(self, key: str, value: Any, path: Path, depth: int) -> Node | None:
        """Compile ``all: [...]`` or ``any: [...]``."""
        if isinstance(value, Mapping):
            self.fail(
                f"{key} takes a list of conditions, got a mapping; write {key}: [{{...}}, {{...}}]",
                path,
            )
            return None
        if not isinstance(value, (list, tuple)) or not value:
            what = "an empty list" if isinstance(value, (list, tuple)) else describe(value)
            self.fail(f"{key} takes a non-empty list of conditions, got {what}", path)
            return None
        children = [
            self.condition(item, (*path, index), depth + 1) for index, item in enumerate(value)
        ]
        valid = tuple(child for child in children if child is not None)
        if len(valid) != len(children):
            return None
        return AllOf(valid) if key == "all" else AnyOf(valid)

    def _negation(self, value: Any, path: Path, depth: int) -> Node | None:
        """Compile ``not: {...}``."""
        if isinstance(value, (list, tuple)):
            self.fail(
                "not takes one condition mapping, got a list; write not: {any: [...]} to "
                "exclude several",
                path,
            )
            return None
        child = self.condition(value, path, depth + 1)
        return None if child is None else Not(child)

    # -- fields

    def field(self, name: str, value: Any, path: Path, depth: int) -> Node | None:
        """Compile the tests on one field (``depth``: of the condition it is written in)."""
        try:
            self._check_field_name(name, value, path)
            declared = self.fields.get(path_keys(name))
            if isinstance(value, Mapping):
                return self._operators(name, value, declared, path, depth)
            op = "in" if isinstance(value, (list, tuple)) else "eq"
            test = self._operator(name, op, value, False, declared, path, depth)
            return FieldTests(name, (test,), None, path)
        except _Invalid:
            return None

    def _check_field_name(self, name: str, value: Any, path: Path) -> None:
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
        parts = path_keys(name)
        if any(not part for part in parts):
            raise self.fail(
                f"field name {name!r} has an empty part; write dotted paths like 'customer.tier' "
                "(and a key that holds a dot with a backslash: 'sys\\.created')",
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
        path: Path,
        depth: int,
    ) -> Node | None:
        """Compile ``{op: arg, ...}`` for one field."""
        if not spec:
            raise self.fail(
                f"no operator given for field {name!r}; write a value, or {{eq: value}}, ...", path
            )
        case = spec.get(_CASE_KEY, "sensitive")
        fold = isinstance(case, str) and case == "insensitive"
        ops = [key for key in spec if key != _CASE_KEY]
        exists: bool | None = None
        tests: list[Test] = []
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
                    tests.append(self._operator(name, key, arg, fold, declared, where, depth))
            except _Invalid:
                failed = True
        return None if failed else FieldTests(name, tuple(tests), exists, path)

    def _check_case(self, value: Any, ops: list[Any], path: Path) -> None:
        """Validate ``case:`` and that it sits next to a text operator."""
        if not isinstance(value, str) or value not in _CASES:
            raise self.fail(
                f"case must be 'insensitive' or 'sensitive', got {describe(value)}", path
            )
        if not any(op in TEXT_OPERATORS for op in ops):
            raise self.fail(
                f"case applies only to the text operators ({', '.join(sorted(TEXT_OPERATORS))})",
                path,
            )

    def _unknown_operator(self, name: str, key: Any, where: Path) -> _Invalid:
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
                    f"'{name}.{key}: ...', and for a list of objects "
                    f"'{name}: {{any_item: {{{key}: ...}}}}'"
                )
        return self.fail(f"unknown operator {show(key)} for field {name!r}{hint}", where, key=True)

    def _exists(self, value: Any, path: Path) -> bool:
        """Read the argument of ``exists``."""
        if not isinstance(value, bool):
            raise self.fail(f"exists takes true or false, got {describe(value)}", path)
        return value

    # -- operators

    def _operator(
        self,
        name: str,
        op: str,
        arg: Any,
        fold: bool,
        declared: FieldType | None,
        path: Path,
        depth: int,
    ) -> Test:
        """Check an operator's argument with the checker its table row names; build the test."""
        operator = TABLE[op]
        self._need_kind(name, op, declared, path, operator.kinds)
        fold = fold and operator.text
        check = self._checkers[operator.argument]
        return Test(op, check(name, op, arg, declared, fold, path, depth), fold, path)

    def _need_kind(
        self,
        name: str,
        op: str,
        declared: FieldType | None,
        path: Path,
        kinds: frozenset[str],
    ) -> None:
        """Reject an operator that cannot apply to a declared field's kind."""
        if declared is None or declared.kind in kinds:
            return
        if op in ITEM_OPERATORS:
            hint = "; it tests the elements of a list (declare the field as list, or not at all)"
        elif declared.kind == "list":
            hint = (
                "; test a list with contains, contains_any or contains_all, and a list of "
                "objects with any_item or all_items"
            )
        elif declared.kind == "boolean" and op in ("gt", "ge", "lt", "le", "between"):
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
        path: Path,
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
                f"'{name}.key: ...', and for a list of objects "
                f"'{name}: {{any_item: {{key: ...}}}}'",
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
            if self.in_items:
                raise self.fail(
                    "a date or time literal cannot be compared inside any_item / all_items: "
                    "declared fields do not apply to list elements, whose values are compared "
                    "as they are (usually text)",
                    path,
                )
            raise self.fail(
                f"a date or time literal needs field {name!r} declared in fields: as "
                "{type: datetime} (undeclared ticket values are compared as they are, "
                "usually text)",
                path,
            )
        if not isinstance(value, (str, int, float)):
            raise self.fail(f"expected text, a number or a boolean, got {describe(value)}", path)
        return value

    def _declared(
        self,
        name: str,
        value: Any,
        declared: FieldType,
        fold: bool,
        path: Path,
    ) -> Any:
        """Convert a literal for a declared field through :func:`coerce`, checking its enum."""
        try:
            converted = coerce(value, FieldType(declared.kind, None, declared.timezone), tz=self.tz)
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
        if isinstance(converted, datetime) and not is_aware(converted):
            raise self.fail(
                f"value for field {name!r} has no UTC offset; add one, like '+08:00'", path
            )
        if value_key(converted, False) is None:
            raise self.fail(
                f"expected text, a number, a boolean or a date, got {describe(converted)}", path
            )
        return converted

    def _literal_list(
        self,
        name: str,
        op: str,
        value: Any,
        declared: FieldType | None,
        fold: bool,
        path: Path,
    ) -> tuple[Any, ...]:
        """Validate the list of an ``in`` / ``not_in`` test."""
        if not isinstance(value, (list, tuple)) or not value:
            what = "an empty list" if isinstance(value, (list, tuple)) else describe(value)
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
        path: Path,
    ) -> Any:
        """Validate the literal of an ordering test: a number, text or an instant."""
        if isinstance(value, bool):
            raise self.fail(f"{op} needs a number, text or a date; booleans have no order", path)
        literal = self._literal(name, value, declared, False, path)
        if kind_of(literal) not in _ORDERED_KINDS:
            raise self.fail(f"{op} needs a number, text or a date, got {describe(literal)}", path)
        return literal

    def _bounds(
        self,
        name: str,
        value: Any,
        declared: FieldType | None,
        path: Path,
    ) -> tuple[Any, Any]:
        """Validate ``between: [low, high]``."""
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            what = (
                f"a list of {len(value)}" if isinstance(value, (list, tuple)) else describe(value)
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
        if kind_of(low) != kind_of(high):
            raise self.fail(
                f"between bounds must be of one kind, got {kind_of(low)} and {kind_of(high)}", path
            )
        if not low <= high:
            raise self.fail(
                f"between low bound {show(low)} is greater than high bound {show(high)}; "
                f"write [{show(high)}, {show(low)}]",
                path,
            )
        return low, high

    def _needle(
        self,
        name: str,
        value: Any,
        declared: FieldType | None,
        path: Path,
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
        path: Path,
    ) -> tuple[Any, ...]:
        """Validate the needle list of ``contains_any`` / ``contains_all``."""
        if not isinstance(value, (list, tuple)) or not value:
            what = "an empty list" if isinstance(value, (list, tuple)) else describe(value)
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

    def _items(self, name: str, op: str, value: Any, path: Path, depth: int) -> ItemCondition:
        """Compile the element condition of ``any_item`` / ``all_items``.

        It is a whole condition, one level deeper, whose paths are relative to the element;
        declared ``fields:`` name ticket fields, so they do not apply inside it.
        """
        example = f"{{{name}: {{{op}: {{id: 360001, value: core}}}}}}"
        if isinstance(value, (list, tuple)):
            raise self.fail(
                f"{op} takes one condition on each element, got a list; write {example}, and "
                f"all: [...] or any: [...] inside it for several",
                path,
            )
        if not isinstance(value, Mapping):
            raise self.fail(
                f"{op} takes a condition on each element of a list of objects, like {example}; "
                f"got {describe(value)} (to find a value in a list of values use contains)",
                path,
            )
        if not value:
            raise self.fail(
                f"{op} needs a condition on the elements, got an empty mapping; write {example}",
                path,
            )
        elements = _Compiler({}, self.tz, self.problems, in_items=True)
        node = elements.condition(value, path, depth + 1)
        if node is None:
            raise _Invalid()
        return ItemCondition(node, to_predicate(node), plain_copy(value))

    def _pattern(self, value: Any, fold: bool, path: Path) -> Any:
        """Compile a ``matches`` pattern with RE2, explaining what RE2 cannot do."""
        if not isinstance(value, str):
            raise self.fail(
                f"matches takes a regular expression as text, got {describe(value)}", path
            )
        if not value:
            raise self.fail("an empty pattern matches every text; use exists: true", path)
        if len(value) > MAX_PATTERN_LENGTH:
            raise self.fail(f"pattern is longer than {MAX_PATTERN_LENGTH} characters", path)
        try:
            compile_pattern(value, fold)
            return value
        except re2.error as error:
            detail = error.args[0] if error.args else ""
            if isinstance(detail, bytes):
                detail = detail.decode("utf-8", "replace")
            extra = "; write \\z for end of text" if "\\Z" in str(detail) else ""
            raise self.fail(
                f"invalid regular expression {show(value)}: {detail}; {_RE2_HELP}{extra}", path
            ) from None
        except UnicodeError:
            raise self.fail("pattern contains text that is not valid Unicode", path) from None
