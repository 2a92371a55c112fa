"""The trace: a condition tree evaluated slowly into a :class:`Check` tree saying why.

Every node is evaluated without short cuts, so the trace is complete; each test's result
comes from the same value test the closures use (``Test.check``), and only the wording
comes from the operator's ``reason``. So ``explain(node, t).matched`` always equals
``to_predicate(node)(t)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .operators import TABLE
from .tree import AllOf, Always, AnyOf, FieldTests, Node, Not
from .values import kind_of, show

__all__ = ["Check", "CheckKind", "explain"]

CheckKind = Literal["all", "any", "not", "test", "true"]


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
            expected = show(self.expected)
            lines.append(f"{pad}{mark} {self.field} {self.op} {expected}: {self.reason}")
        elif self.kind == "true":
            lines.append(f"{pad}{mark} always: {self.reason}")
        else:
            label = {"all": "all of:", "any": "any of:", "not": "not:"}[self.kind]
            subject = f"{self.field}: " if self.field is not None else ""
            lines.append(f"{pad}{mark} {subject}{label}")
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
    value, missing = lookup(ticket, node.keys)
    checks: list[Check] = []
    if node.exists is not None:
        present = missing is None
        reason = f"field {name!r} is present ({show(value)})" if present else missing or ""
        checks.append(
            Check("test", present == node.exists, name, "exists", node.exists, value, reason)
        )
    for test in node.tests:
        if missing is not None:
            checks.append(Check("test", False, name, test.op, test.arg, None, missing))
            continue
        matched = test.check(value)
        reason = TABLE[test.op].reason(test.arg, test.fold, value, matched)
        checks.append(Check("test", matched, name, test.op, test.arg, value, reason))
    if len(checks) == 1:
        return checks[0]
    return Check("all", all(check.matched for check in checks), name, children=tuple(checks))


def lookup(ticket: Any, keys: tuple[str, ...]) -> tuple[Any, str | None]:
    """Read a dotted path for a trace: the value, or ``None`` and why it is missing."""
    current = ticket
    for index, key in enumerate(keys):
        if not isinstance(current, Mapping):
            where = ".".join(keys[:index])
            name = ".".join(keys)
            return (
                None,
                f"field {name!r} is missing ({where!r} is a {kind_of(current)}, not a mapping)",
            )
        if key not in current:
            return None, f"field {'.'.join(keys)!r} is missing"
        current = current[key]
        if current is None:
            return None, f"field {'.'.join(keys)!r} is null (counts as missing)"
    return current, None
