"""Run a policy's ``examples:`` and report every mismatch, field by field.

An example names a ticket (and optionally ``at``) and the parts of the decision it expects:
``category``, ``priority``, ``sla``, ``owner``, ``cc``, ``response_due``, ``resolve_due``,
``update_due`` and ``escalations`` (a list of ``{at, notify}``). Instants are compared as
instants, so ``2026-05-08T17:45:00+08:00`` equals ``2026-05-08T09:45:00Z``; a naive expected
instant is read in the policy's time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._calendar import InstantReader
from .._engine import Decision
from .._errors import CalendarError, SlaPolicyError
from .._policy import Policy

__all__ = ["EXPECTABLE", "ExampleResult", "Mismatch", "iter_example_results", "run_examples"]


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One expected field that the decision does not match."""

    field: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.field}: expected {self.expected!r}, got {self.actual!r}"


@dataclass(frozen=True, slots=True)
class ExampleResult:
    """The outcome of one example: passed, or its mismatches (or the error it raised)."""

    index: int
    name: str
    mismatches: tuple[Mismatch, ...] = ()
    error: str | None = None
    decision: Decision | None = None

    @property
    def passed(self) -> bool:
        """True when the decision matched every expected field."""
        return not self.mismatches and self.error is None


def _due(name: str) -> Callable[[Decision], datetime | None]:
    def get(decision: Decision) -> datetime | None:
        target = decision.targets.get(name)
        return None if target is None else target.due

    return get


_INSTANT_FIELDS = {"response_due", "resolve_due", "update_due", "started_at"}
_GETTERS: dict[str, Callable[[Decision], Any]] = {
    "category": lambda d: d.category,
    "priority": lambda d: d.priority,
    "sla": lambda d: d.sla,
    "owner": lambda d: d.owner,
    "cc": lambda d: list(d.cc),
    "started_at": lambda d: d.started_at,
    "response_due": _due("response"),
    "resolve_due": _due("resolve"),
    "update_due": _due("update"),
    "escalations": lambda d: [{"at": e.at, "notify": list(e.notify)} for e in d.escalations],
}
#: the keys an example's ``expect`` may name
EXPECTABLE = tuple(_GETTERS)


def run_examples(policy: Policy) -> list[ExampleResult]:
    """Evaluate every example of ``policy`` and compare with its expectations."""
    return list(iter_example_results(policy))


def iter_example_results(policy: Policy) -> Iterator[ExampleResult]:
    """Lazily yield one :class:`ExampleResult` per example, in file order."""
    for index, example in enumerate(policy.examples):
        name = example.name
        unknown = [k for k in example.expect if k not in _GETTERS]
        if unknown:
            yield ExampleResult(
                index,
                name,
                error=(
                    f"cannot expect {', '.join(map(repr, unknown))}; "
                    f"expectable: {', '.join(EXPECTABLE)}"
                ),
            )
            continue
        try:
            decision = policy.evaluate(example.ticket, at=example.at)
        except SlaPolicyError as exc:
            yield ExampleResult(index, name, error=str(exc))
            continue
        try:
            mismatches = tuple(_compare(policy, decision, example.expect))
        except CalendarError as exc:
            yield ExampleResult(index, name, error=f"bad expected instant: {exc}")
            continue
        yield ExampleResult(index, name, mismatches, decision=decision)


def _compare(policy: Policy, decision: Decision, expect: dict[str, Any]) -> Iterator[Mismatch]:
    read = InstantReader(policy.timezone).to_us  # naive expected instants: the policy's zone
    for key, expected in expect.items():
        actual = _GETTERS[key](decision)
        if key in _INSTANT_FIELDS:
            same = (actual is None and expected is None) or (
                actual is not None and expected is not None and read(actual) == read(expected)
            )
            if not same:
                yield Mismatch(key, _text(expected), _text(actual))
        elif key == "escalations":
            want = [(read(e["at"]), sorted(_as_list(e.get("notify")))) for e in expected]
            got = [(read(e["at"]), sorted(e["notify"])) for e in actual]
            if sorted(want) != sorted(got):
                yield Mismatch(
                    key,
                    expected,
                    [{"at": e["at"].isoformat(), "notify": e["notify"]} for e in actual],
                )
        elif key == "cc":
            if sorted(_as_list(expected)) != sorted(actual):
                yield Mismatch(key, expected, actual)
        elif expected != actual:
            yield Mismatch(key, expected, actual)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
