"""The condition tree: what a ``when:`` says, as typed, immutable nodes.

The compiler (:mod:`.compiler`) builds the tree once, from YAML data, checking and
converting every literal. Everything else walks the tree and never re-reads the data: the
closures of :mod:`.evaluate`, the trace of :mod:`.explain`, the generated code of
:mod:`.codegen`, lint, ``slapolicy.testing`` and the durable backend.

Nodes::

    Always                      a rule without ``when``: matches every ticket
    FieldTests(name, tests,     the tests on one field, all of which must hold;
               exists)          ``exists`` is True/False when given, else None
    AllOf(children)             every child (also several keys in one mapping)
    AnyOf(children)             at least one child
    Not(child)

Each :class:`Test` is one operator (:mod:`.operators`) with its checked argument, and
carries ``check``, the value test its operator builds for that argument, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from .operators import TABLE, ValueTest

__all__ = [
    "AllOf",
    "Always",
    "AnyOf",
    "FieldTests",
    "Node",
    "Not",
    "Path",
    "Test",
    "arguments",
    "iter_field_tests",
    "iter_nodes",
]

Path: TypeAlias = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Test:
    """One operator on one field's value: ``op`` with its checked ``arg``.

    ``arg`` is a literal (``eq``, ``ne``, ``contains``), a tuple of literals (``in``,
    ``not_in``, ``contains_any``, ``contains_all``), ``(low, high)`` (``between``) or the
    pattern text (``matches``); literals of declared fields are already converted. ``path``
    is where the test is written in the policy. Two tests are equal when they say the same.
    """

    op: str
    arg: Any
    fold: bool = False
    path: Path = field(default=(), compare=False)
    #: the operator's value test for ``arg`` (a present value -> bool), built once
    check: ValueTest = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "check", TABLE[self.op].build(self.arg, self.fold))


@dataclass(frozen=True, slots=True)
class Always:
    """The condition of a default rule: matches every ticket."""


@dataclass(frozen=True, slots=True)
class FieldTests:
    """The tests on one field (a dotted path), all of which must hold.

    A missing field (absent, JSON null, or a non-mapping on the way) fails every test;
    ``exists: false`` is true exactly for a missing field and comes with no other test.
    """

    name: str
    tests: tuple[Test, ...]
    exists: bool | None = None
    path: Path = field(default=(), compare=False)

    @property
    def keys(self) -> tuple[str, ...]:
        """The path's parts: ``customer.tier`` -> ``("customer", "tier")``."""
        return tuple(self.name.split("."))


@dataclass(frozen=True, slots=True)
class AllOf:
    """A conjunction: every child must match."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """A disjunction: at least one child must match."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """A negation of one condition."""

    child: Node


Node: TypeAlias = "Always | FieldTests | AllOf | AnyOf | Not"


def iter_nodes(node: Node) -> Iterator[Node]:
    """Every node of the tree, depth first, parents before children."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        if isinstance(current, (AllOf, AnyOf)):
            pending.extend(reversed(current.children))
        elif isinstance(current, Not):
            pending.append(current.child)


def iter_field_tests(node: Node) -> Iterator[FieldTests]:
    """Every :class:`FieldTests` of the tree, in the order they are written."""
    for item in iter_nodes(node):
        if isinstance(item, FieldTests):
            yield item


def arguments(test: Test) -> tuple[Any, ...]:
    """The literals a test compares with, one by one (a pattern counts as its text)."""
    if TABLE[test.op].argument in ("literals", "bounds", "needles"):
        return tuple(test.arg)
    return (test.arg,)
