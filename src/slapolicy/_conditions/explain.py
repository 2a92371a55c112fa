"""The trace: a condition tree evaluated slowly into a :class:`Check` tree saying why.

Every node is evaluated without short cuts, so the trace is complete; each test's result
comes from the same value test the closures use (``Test.check``), and only the wording
comes from the operator's ``reason``. So ``explain(node, t).matched`` always equals
``to_predicate(node)(t)``.

An ``any_item`` / ``all_items`` test also explains the elements that decided it (``item``
checks: the element that matched, or failed, first; or the first :data:`MAX_SHOWN_ITEMS`
elements when none of an ``any_item`` list matches), each with its element condition's
trace, so a long list never makes a long trace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .._fields import join_keys
from .operators import MAX_SHOWN_ITEMS, TABLE
from .tree import AllOf, Always, AnyOf, FieldTests, ItemCondition, Node, Not, Test, item_condition
from .values import kind_of, show

__all__ = ["Check", "CheckKind", "explain"]

#: ``item``: one element of a list, tested by ``any_item`` / ``all_items`` (``field`` names
#: it, ``custom_fields[1]``; its one child is the element condition's check)
CheckKind = Literal["all", "any", "not", "test", "true", "item"]


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

    def _render(self, lines: list[str], depth: int, head: str = "") -> None:
        """Append this node's line and its children's, indented by depth (``head``: the
        label of the element this node is the condition of, on the same line)."""
        mark = "[x]" if self.matched else "[ ]"
        pad = "    " * depth
        if self.kind == "test":
            expected = show(self.expected)
            lines.append(f"{pad}{mark} {head}{self.field} {self.op} {expected}: {self.reason}")
            for child in self.children:  # the elements any_item / all_items looked at
                child._render(lines, depth + 1)
        elif self.kind == "item":
            self.children[0]._render(lines, depth, f"{head}{self.field}: ")
        elif self.kind == "true":
            lines.append(f"{pad}{mark} always: {self.reason}")
        else:
            label = {"all": "all of:", "any": "any of:", "not": "not:"}[self.kind]
            subject = f"{self.field}: " if self.field is not None else ""
            lines.append(f"{pad}{mark} {head}{subject}{label}")
            for child in self.children:
                child._render(lines, depth + 1)


def explain(node: Node, ticket: Any) -> Check:
    """Evaluate ``node`` on ``ticket``, recording why each test matched or not."""
    if isinstance(node, FieldTests):
        return _explain_field(node, ticket)
    if isinstance(node, AllOf):
        checks = tuple(explain(child, ticket) for child in node.children)
        return Check("all", all(check.matched for check in checks), children=checks)
    if isinstance(node, AnyOf):
        checks = tuple(explain(child, ticket) for child in node.children)
        return Check("any", any(check.matched for check in checks), children=checks)
    if isinstance(node, Not):
        check = explain(node.child, ticket)
        return Check("not", not check.matched, children=(check,))
    assert isinstance(node, Always)
    return Check("true", True, reason="no condition: matches every ticket")


def _explain_field(node: FieldTests, ticket: Any) -> Check:
    """Explain every test on one field."""
    name = node.name
    value, missing = lookup(ticket, node.keys, name)
    checks: list[Check] = []
    if node.exists is not None:
        present = missing is None
        reason = f"field {_quoted(name)} is present ({show(value)})" if present else missing or ""
        checks.append(
            Check("test", present == node.exists, name, "exists", node.exists, value, reason)
        )
    for test in node.tests:
        items = item_condition(test)
        expected = test.arg if items is None else items.spec
        if missing is not None:
            checks.append(Check("test", False, name, test.op, expected, None, missing))
            continue
        matched = test.check(value)
        reason = TABLE[test.op].reason(test.arg, test.fold, value, matched)
        elements = () if items is None else _explain_items(name, test, items, value, matched)
        checks.append(Check("test", matched, name, test.op, expected, value, reason, elements))
    if len(checks) == 1:
        return checks[0]
    return Check("all", all(check.matched for check in checks), name, children=tuple(checks))


def _explain_items(
    name: str, test: Test, items: ItemCondition, value: Any, matched: bool
) -> tuple[Check, ...]:
    """The elements a trace shows for ``any_item`` / ``all_items``.

    The element that decided the answer (the first that matches, for ``any_item``; the
    first that fails, for ``all_items``), or, when no element of an ``any_item`` list
    matches, each of the first :data:`MAX_SHOWN_ITEMS` with why it does not.
    """
    if not isinstance(value, (list, tuple)) or not value:
        return ()
    deciding = test.op == "any_item"  # what a deciding element gives: a match, or a failure
    indexes: Sequence[int]
    if matched == deciding:
        indexes = [next(i for i, item in enumerate(value) if items.predicate(item) is matched)]
    elif matched:
        return ()  # every element of an all_items list matches: the reason says so
    else:
        indexes = range(min(len(value), MAX_SHOWN_ITEMS))
    checks: list[Check] = []
    for index in indexes:
        element = explain(items.node, value[index])
        checks.append(Check("item", element.matched, f"{name}[{index}]", children=(element,)))
    return tuple(checks)


def lookup(ticket: Any, keys: tuple[str, ...], name: str | None = None) -> tuple[Any, str | None]:
    """Read a field path for a trace: the value, or ``None`` and why it is missing."""
    shown = _quoted(join_keys(keys) if name is None else name)
    current = ticket
    for index, key in enumerate(keys):
        if not isinstance(current, Mapping):
            if not index:  # a list element (or a ticket) that is not a mapping
                return None, f"field {shown} is missing (a {kind_of(current)} has no fields)"
            where = _quoted(join_keys(keys[:index]))
            return (
                None,
                f"field {shown} is missing ({where} is a {kind_of(current)}, not a mapping)",
            )
        if key not in current:
            return None, f"field {shown} is missing"
        current = current[key]
        if current is None:
            return None, f"field {shown} is null (counts as missing)"
    return current, None


def _quoted(name: str) -> str:
    """A field name in quotes, as written in the policy (``'sys\\.created'``, not doubled)."""
    return f"'{name}'" if "\\" in name and "'" not in name else repr(name)
