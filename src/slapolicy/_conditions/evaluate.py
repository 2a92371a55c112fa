"""Evaluation by closures: a condition tree -> ``predicate(ticket) -> bool``.

This is the reference semantics: plain nested closures, one per node, no parsing, no trace,
no exceptions for any JSON-like ticket. The generated code of :mod:`.codegen` (what the
engine runs) is tested against it, and the trace of :mod:`.explain` always agrees with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .tree import AllOf, Always, AnyOf, FieldTests, Node, Not, Test

__all__ = ["Predicate", "field_predicate", "getter", "to_predicate"]

Predicate = Callable[[Any], bool]


def to_predicate(node: Node) -> Predicate:
    """The closure that tells whether a ticket satisfies ``node``."""
    if isinstance(node, FieldTests):
        return field_predicate(node.keys, node.tests, node.exists)
    if isinstance(node, AllOf):
        parts = tuple(to_predicate(child) for child in node.children)
        return lambda ticket: all(part(ticket) for part in parts)
    if isinstance(node, AnyOf):
        parts = tuple(to_predicate(child) for child in node.children)
        return lambda ticket: any(part(ticket) for part in parts)
    if isinstance(node, Not):
        inner = to_predicate(node.child)
        return lambda ticket: not inner(ticket)
    assert isinstance(node, Always)
    return lambda ticket: True


def field_predicate(
    keys: tuple[str, ...], tests: tuple[Test, ...], exists: bool | None = None
) -> Predicate:
    """The closure of tests on one field: all hold on a present value (see FieldTests)."""
    get = getter(keys)
    if exists is False:
        return lambda ticket: get(ticket) is None
    checks = tuple(test.check for test in tests)

    def field_holds(ticket: Any) -> bool:
        value = get(ticket)
        return value is not None and all(check(value) for check in checks)

    return field_holds


def getter(keys: tuple[str, ...]) -> Callable[[Any], Any]:
    """A reader of a dotted path that returns ``None`` when anything on the way is missing."""

    def get(ticket: Any) -> Any:
        current = ticket
        for key in keys:
            # Speed trick: tickets are nearly always plain dicts, and `type(x) is dict` costs
            # 14 ns where isinstance() against the Mapping ABC costs 115 ns (timeit, 3.11).
            if type(current) is not dict and not isinstance(current, Mapping):
                return None
            current = current.get(key)
        return current

    return get
