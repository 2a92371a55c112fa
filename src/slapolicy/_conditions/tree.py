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

Lists of objects: ``any_item`` / ``all_items`` are operators like the others, whose argument
is an :class:`ItemCondition`, a whole condition tree of its own evaluated on each element of
the list (its paths are relative to the element). So the tree has two scopes: the ticket,
and the elements of a list field. :func:`iter_nodes` and :func:`iter_field_tests` walk the
ticket's scope only (a ``priority`` key inside an element is the element's own key, never
the decided priority); :func:`item_conditions` and :func:`iter_scoped_field_tests` also
reach inside the items, saying in which scope each test is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from .._fields import path_keys
from .operators import ITEM_OPERATORS, TABLE, ValueTest

__all__ = [
    "AllOf",
    "Always",
    "AnyOf",
    "FieldTests",
    "ItemCondition",
    "Node",
    "Not",
    "Path",
    "Scope",
    "Test",
    "arguments",
    "item_condition",
    "item_conditions",
    "iter_field_tests",
    "iter_nodes",
    "iter_scoped_field_tests",
]

Path: TypeAlias = tuple[str | int, ...]
#: where a test reads its field: ``()`` the ticket; ``("custom_fields",)`` each element of
#: the ticket's list ``custom_fields``; ``("a", "b")`` each element of the list ``b`` inside
#: an element of ``a``
Scope: TypeAlias = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Test:
    """One operator on one field's value: ``op`` with its checked ``arg``.

    ``arg`` is a literal (``eq``, ``ne``, ``contains``), a tuple of literals (``in``,
    ``not_in``, ``contains_any``, ``contains_all``), ``(low, high)`` (``between``), the
    pattern text (``matches``) or an :class:`ItemCondition` (``any_item``, ``all_items``);
    literals of declared fields are already converted. ``path``
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
class ItemCondition:
    """The argument of ``any_item`` / ``all_items``: a condition on each element of a list.

    ``node`` is the element's condition tree (paths relative to the element; declared
    ``fields:`` do not apply inside it), ``predicate`` its closure (built by the compiler,
    which is what the operator's value test calls), ``spec`` a plain copy of the data it was
    compiled from (for traces). Two are equal when their trees say the same.
    """

    node: Node
    predicate: Callable[[Any], bool] = field(compare=False, repr=False)
    spec: Any = field(default=None, compare=False, repr=False)


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
        """The path's keys: ``customer.tier`` -> ``("customer", "tier")``, ``sys\\.id`` ->
        ``("sys.id",)`` (see :func:`slapolicy._fields.path_keys`)."""
        return path_keys(self.name)


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
    """Every node of the ticket's scope, depth first, parents before children.

    The conditions inside ``any_item`` / ``all_items`` are on list elements, not on the
    ticket: they are not entered (see :func:`item_conditions`).
    """
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        if isinstance(current, (AllOf, AnyOf)):
            pending.extend(reversed(current.children))
        elif isinstance(current, Not):
            pending.append(current.child)


def iter_field_tests(node: Node) -> Iterator[FieldTests]:
    """Every ticket-level :class:`FieldTests` of the tree, in the order they are written.

    Only tests on the ticket's own fields: a test inside ``any_item`` / ``all_items`` reads
    a key of a list element (``{custom_fields: {any_item: {priority: high}}}`` tests the
    element's ``priority``, not the decided one) and is not yielded; the ``custom_fields``
    test holding it is. :func:`iter_scoped_field_tests` yields every test with its scope.
    """
    for item in iter_nodes(node):
        if isinstance(item, FieldTests):
            yield item


def item_condition(test: Test) -> ItemCondition | None:
    """The element condition of an ``any_item`` / ``all_items`` test, else None."""
    return test.arg if test.op in ITEM_OPERATORS else None


def item_conditions(node: Node) -> Iterator[tuple[FieldTests, Test, ItemCondition]]:
    """The ``any_item`` / ``all_items`` tests of the ticket's scope, with the list field's
    :class:`FieldTests` and the element condition (not those nested inside it)."""
    for tests in iter_field_tests(node):
        for test in tests.tests:
            inner = item_condition(test)
            if inner is not None:
                yield tests, test, inner


def iter_scoped_field_tests(node: Node, scope: Scope = ()) -> Iterator[tuple[Scope, FieldTests]]:
    """Every :class:`FieldTests` of the tree and inside its items, with its :data:`Scope`.

    ``()`` marks a test on the ticket; inside ``{custom_fields: {any_item: {id: 1}}}`` the
    test of ``id`` comes with the scope ``("custom_fields",)``. The tests of one scope come
    in the order written, each scope before the scopes inside it.
    """
    pending: list[tuple[Scope, Node]] = [(scope, node)]
    while pending:
        where, current = pending.pop()
        nested: list[tuple[Scope, Node]] = []
        for tests in iter_field_tests(current):
            yield where, tests
            for test in tests.tests:
                inner = item_condition(test)
                if inner is not None:
                    nested.append(((*where, tests.name), inner.node))
        pending.extend(reversed(nested))


def arguments(test: Test) -> tuple[Any, ...]:
    """The literals a test compares with, one by one (a pattern counts as its text).

    An ``any_item`` / ``all_items`` test compares the ticket's value with no literal: its
    element condition has literals of its own (:func:`iter_scoped_field_tests`).
    """
    argument = TABLE[test.op].argument
    if argument in ("literals", "bounds", "needles"):
        return tuple(test.arg)
    if argument == "condition":
        return ()
    return (test.arg,)
