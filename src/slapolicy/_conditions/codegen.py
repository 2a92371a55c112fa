"""Conditions compiled to Python: a stage's first-match rules as one plain function.

Every stage of the engine asks each ticket the same question: which is the first rule whose
condition holds? Asked through the closures of :meth:`Condition.matches`, that costs a
Python call per condition node and a dictionary read per test. Written out as one function,

.. code-block:: python

    def select_category(t):
        v0 = t.get(c0)                      # c0 = 'type'
        v1 = t.get(c2)                      # c2 = 'text'
        if ((isinstance(v0, str) and v0 == c1) or (v1 is not None and c3(v1))):
            return 0                        # c3: the keyword test of rule 0
        if (isinstance(v0, str) and v0 in c4):
            return 1
        return 2

a stage reads each field once and tests the common shapes inline, the way one would write it
by hand; classification runs about 1.5 times as fast as through the closures (docs/engine.md).

Safety: the function is built from compiled conditions, never from policy text. Every
literal, field name and helper closure reaches it as a constant (see :class:`Source`), so
the generated text holds only this module's own names (``t``, ``v0``, ``c0``, the bound
decision names, rule numbers) and nothing a policy or a ticket can write into;
``tests/test_selection.py`` checks this on hostile policies.

The closures stay the reference: :func:`reference_first_match` gives the same answers with
no generated code. The tests compare the two, and a stage whose source Python will not
compile (it never happens with the limits of :mod:`.compiler`) falls back to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from .._fields import path_keys
from .condition import Condition
from .evaluate import getter
from .operators import QUANTIFIERS
from .tree import AllOf, Always, AnyOf, FieldTests, ItemCondition, Node, Not, Test, item_condition

__all__ = ["Selector", "Source", "emit", "first_match", "predicate", "reference_first_match"]

_NAME = re.compile(r"[a-z_]+")


class Selector(NamedTuple):
    """A compiled stage: the function and the Python source it was made from."""

    #: ``function(ticket, *decided) -> index`` (or ``-> bool`` for a :func:`predicate` and
    #: an :func:`element_predicate`)
    function: Callable[..., Any]
    #: the generated source, or None when the function is the closure-based reference
    source: str | None


def first_match(
    conditions: Sequence[Condition],
    *,
    default: Any,
    bound: Sequence[str] = (),
    name: str = "select",
    answers: Sequence[Any] | None = None,
    otherwise: Callable[..., Any] | None = None,
) -> Selector:
    """Compile first-match selection over ``conditions`` into one function.

    The function takes the ticket mapping and then one argument per ``bound`` name (decision
    values that shadow ticket fields of the same name, like ``category`` in later stages)
    and returns the index of the first condition that holds, else ``default``. With
    ``answers`` it returns ``answers[index]`` instead of the index, and with ``otherwise``
    it returns ``otherwise(ticket, *decided)`` when no condition holds (the priority stage
    answers a priority id, or asks the matrix: one call fewer than wrapping the function).
    """
    _check_names(name, bound)
    source = Source(bound)
    arguments = ", ".join(("t", *bound))
    lines = [f"def {name}({arguments}):"]

    def answer(index: int) -> str:
        return str(index) if answers is None else source.constant(answers[index])

    for index, condition in enumerate(conditions):
        if condition.is_always:  # a rule without `when`: everything after it is unreachable
            lines.append(f"    return {answer(index)}")
            break
        test = emit(condition.node, source)
        lines.extend(f"    {read}" for read in source.take_reads())
        lines.append(f"    if {test}:")
        lines.append(f"        return {answer(index)}")
    else:
        if otherwise is not None:
            lines.append(f"    return {source.constant(otherwise)}({arguments})")
        else:  # an index is written as it is, anything else as a constant
            shown = str(default) if type(default) is int else source.constant(default)
            lines.append(f"    return {shown}")
    built = _build(name, lines, source.namespace)
    if built is not None:
        return built
    return Selector(
        reference_first_match(
            conditions, default=default, bound=bound, answers=answers, otherwise=otherwise
        ),
        None,
    )


def predicate(condition: Condition, *, bound: Sequence[str] = (), name: str = "when") -> Selector:
    """Compile one condition into ``function(ticket, *decided) -> bool``."""
    _check_names(name, bound)
    source = Source(bound)
    test = emit(condition.node, source)
    lines = [f"def {name}({', '.join(('t', *bound))}):"]
    lines.extend(f"    {read}" for read in source.take_reads())
    lines.append(f"    if {test}:")
    lines.append("        return True")
    lines.append("    return False")
    built = _build(name, lines, source.namespace)
    if built is not None:
        return built
    index = reference_first_match([condition], default=-1, bound=bound)
    return Selector(lambda t, *decided: index(t, *decided) == 0, None)


def reference_first_match(
    conditions: Sequence[Condition],
    *,
    default: Any,
    bound: Sequence[str] = (),
    answers: Sequence[Any] | None = None,
    otherwise: Callable[..., Any] | None = None,
) -> Callable[..., Any]:
    """The same selection through :meth:`Condition.matches`, with no generated code."""
    tests = tuple(condition.matches for condition in conditions)
    names = tuple(bound)

    def select(t: Mapping[str, Any], *decided: Any) -> Any:
        view = t
        if names:
            view = dict(t)
            view.update(zip(names, decided, strict=True))
        for index, test in enumerate(tests):
            if test(view):
                return index if answers is None else answers[index]
        return default if otherwise is None else otherwise(t, *decided)

    return select


def _check_names(name: str, bound: Sequence[str]) -> None:
    """Only this package's own plain names may become part of generated source."""
    for word in (name, *bound):
        if not _NAME.fullmatch(word) or word == "t":
            raise ValueError(f"not a name for generated code: {word!r}")


def _build(name: str, lines: list[str], namespace: dict[str, Any]) -> Selector | None:
    """Compile generated lines into a function, or None if Python will not compile them."""
    text = "\n".join(lines) + "\n"
    scope = dict(namespace)
    scope["__builtins__"] = {"isinstance": isinstance, "str": str}  # all it ever calls
    try:
        code = compile(text, f"<slapolicy {name}>", "exec")
        exec(code, scope)  # our own source: policy data arrives only as constants
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    return Selector(scope[name], text)


# --------------------------------------------------------------------------- emitting


class Source:
    """The pieces of one generated Python function: its constants and the fields it reads.

    :func:`emit` writes a condition as a Python expression over local names that this
    object hands out. No text of the policy or the ticket ever becomes source: literals,
    field names and helper closures are bound as constants ``c0``, ``c1``, ..., fields are
    read into locals ``v0``, ``v1``, ... from the mapping ``t``, and the only other names
    are the ``bound`` arguments, decision values such as ``category`` that later stages test.
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
        self._fields: dict[tuple[str, ...], str] = {}

    def constant(self, value: Any) -> str:
        """A name under which the generated code sees ``value``."""
        name = f"c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def field(self, path: str) -> str:
        """The local holding the value at a field path (``None`` when missing or null)."""
        keys = path_keys(path)
        if keys[0] in self.bound:
            if len(keys) == 1:
                return keys[0]
            return "None"  # decision values are text: nothing lies inside them
        name = self._fields.get(keys)
        if name is None:
            name = self._fields[keys] = f"v{len(self._fields)}"
            if len(keys) == 1:
                self.pending.append(f"{name} = t.get({self.constant(keys[0])})")
            else:
                self.pending.append(f"{name} = {self.constant(getter(keys))}(t)")
        return name

    def take_reads(self) -> list[str]:
        """The read statements of fields first used since the last call."""
        reads, self.pending = self.pending, []
        return reads


def emit(node: Node, source: Source) -> str:
    """``node`` as a Python expression over ``source``'s locals (see :class:`Source`)."""
    if isinstance(node, FieldTests):
        return _emit_field(node, source)
    if isinstance(node, AllOf):
        return "(" + " and ".join(emit(child, source) for child in node.children) + ")"
    if isinstance(node, AnyOf):
        return "(" + " or ".join(emit(child, source) for child in node.children) + ")"
    if isinstance(node, Not):
        return f"(not {emit(node.child, source)})"
    assert isinstance(node, Always)
    return "True"


def _emit_field(node: FieldTests, source: Source) -> str:
    """The tests on one field; the commonest tests inline, the others as calls."""
    v = source.field(node.name)
    if node.exists is False:
        return f"{v} is None"
    parts: list[str] = []
    guarded = False  # whether an earlier part already proves the value is present
    for test in node.tests:
        inline = _inline_test(test, v, source)
        items = item_condition(test)
        if items is not None:  # the operator's quantifier over the element's generated code
            element = element_predicate(items).function
            inline = f"{source.constant(QUANTIFIERS[test.op](element))}({v})"
            if not guarded:
                parts.append(f"{v} is not None")
        if inline is None:
            if not guarded:
                parts.append(f"{v} is not None")
            parts.append(f"{source.constant(test.check)}({v})")
        else:
            parts.append(inline)
        guarded = True
    if not parts:
        return f"{v} is not None"
    return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"


def element_predicate(items: ItemCondition) -> Selector:
    """The element condition of ``any_item`` / ``all_items`` as one generated function.

    Its paths are relative to the element and no decision value is bound inside it (a
    ``priority`` key of an element is the element's own). An element that is not a mapping
    has no fields, so it is read as an empty mapping, as the closures read it; the closure
    itself stands in if Python will not compile the source.
    """
    source = Source()
    # Speed trick: elements are nearly always dicts, and isinstance() against (dict, Mapping)
    # answers a dict in 15 ns where the Mapping ABC alone takes 115 ns (timeit, 3.11)
    mapping = source.constant((dict, Mapping))
    empty = source.constant(MappingProxyType({}))
    test = emit(items.node, source)
    lines = ["def item(t):", f"    if not isinstance(t, {mapping}):", f"        t = {empty}"]
    lines.extend(f"    {read}" for read in source.take_reads())
    lines.append(f"    return True if {test} else False")
    built = _build("item", lines, source.namespace)
    return Selector(items.predicate, None) if built is None else built


def _inline_test(test: Test, v: str, source: Source) -> str | None:
    """Speed trick: the commonest tests written out in Python, or None to call the value test.

    Equality and membership on text and booleans are most tests of real policies; inline
    they skip a Python call each (about 1.5x on classify, docs/engine.md). Each form is true
    only for a present value (it implies ``v is not None``) and says exactly what the value
    test says (:func:`.operators.equals`, :func:`.operators.member_of`); the semantics tables
    of tests/test_conditions.py run every operator both ways.
    """
    if test.fold:
        return None
    arg = test.arg
    if test.op == "eq":
        if type(arg) is str:
            return f"(isinstance({v}, str) and {v} == {source.constant(arg)})"
        if type(arg) is bool:
            return f"{v} is {arg}"
    if test.op == "in" and all(type(item) is str for item in arg):
        return f"(isinstance({v}, str) and {v} in {source.constant(frozenset(arg))})"
    return None
