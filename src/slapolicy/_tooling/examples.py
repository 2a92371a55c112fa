"""Run a policy's ``examples:`` and report every mismatch, field by field.

An example names a ticket (and optionally ``at``) and the parts of the decision it expects:
``category``, ``priority``, ``sla``, ``owner``, ``cc``, ``started_at``, ``escalations`` (a
list of ``{at, notify}``) and ``<metric>_due`` for every metric that starts with the clock
(``response_due``, ``resolve_due``, ``plan_due``, ...).

An example with ``events`` (the ticket's history, oldest first) and ``now`` runs the SLA
clock instead: then ``<metric>_due`` is the due instant of the metric's current cycle
(events may start it: ``callback_due`` after a resolution), ``<metric>_state`` its state
(``pending``, ``running``, ``paused``, ``met``, ``breached``, ``cancelled``), and the
decision fields are those of the decision at ``now``.

Instants are compared as instants, so ``2026-05-08T17:45:00+08:00`` equals
``2026-05-08T09:45:00Z``; a naive expected instant is read in the policy's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._calendar import InstantReader
from .._clock import SlaStatus
from .._engine import Decision
from .._errors import CalendarError, SlaPolicyError
from .._policy import Policy
from .._source.schema import ExampleSpec

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


_DECISION: dict[str, Callable[[Decision], Any]] = {
    "category": lambda d: d.category,
    "priority": lambda d: d.priority,
    "sla": lambda d: d.sla,
    "owner": lambda d: d.owner,
    "cc": lambda d: list(d.cc),
    "started_at": lambda d: d.started_at,
    "escalations": lambda d: [{"at": e.at, "notify": list(e.notify)} for e in d.escalations],
}
_PER_METRIC = re.compile(r"(?P<metric>.+)_(?P<what>due|state)")
#: the keys an example's ``expect`` may name (``<metric>`` is any metric of the policy)
EXPECTABLE = (*_DECISION, "<metric>_due", "<metric>_state")


def run_examples(policy: Policy) -> list[ExampleResult]:
    """Evaluate every example of ``policy`` and compare with its expectations."""
    return list(iter_example_results(policy))


def iter_example_results(policy: Policy) -> Iterator[ExampleResult]:
    """Lazily yield one :class:`ExampleResult` per example, in file order."""
    for index, example in enumerate(policy.examples):
        yield _run(policy, index, example)


def _run(policy: Policy, index: int, example: ExampleSpec) -> ExampleResult:
    name = example.name
    clocked = example.events is not None or example.now is not None
    unknown = [key for key in example.expect if not _expectable(policy, key, clocked=clocked)]
    if unknown:
        return ExampleResult(
            index,
            name,
            error=(
                f"cannot expect {', '.join(map(repr, unknown))}; expectable: "
                f"{', '.join(EXPECTABLE)} (<metric>_state needs events and now)"
            ),
        )
    status: SlaStatus | None = None
    try:
        if clocked:
            if example.now is None:
                return ExampleResult(index, name, error="an example with events needs `now`")
            status = policy.status(example.ticket, example.events or [], now=example.now)
            decision = status.decision
        else:
            decision = policy.evaluate(example.ticket, at=example.at)
    except SlaPolicyError as exc:
        return ExampleResult(index, name, error=str(exc))
    try:
        mismatches = tuple(_compare(policy, decision, status, example.expect))
    except CalendarError as exc:
        return ExampleResult(index, name, error=f"bad expected instant: {exc}")
    return ExampleResult(index, name, mismatches, decision=decision)


def _expectable(policy: Policy, key: str, *, clocked: bool) -> bool:
    if key in _DECISION:
        return True
    found = _PER_METRIC.fullmatch(key)
    if found is None or found["metric"] not in policy.rules.metrics:
        return False
    return found["what"] == "due" or clocked


def _actual(key: str, decision: Decision, status: SlaStatus | None) -> Any:
    getter = _DECISION.get(key)
    if getter is not None:
        return getter(decision)
    found = _PER_METRIC.fullmatch(key)
    assert found is not None  # checked by _expectable
    metric, what = found["metric"], found["what"]
    if status is not None:
        target = status.targets.get(metric)
        if target is None:
            return None
        return target.due if what == "due" else target.state
    planned = decision.targets.get(metric)
    return None if planned is None else planned.due


def _compare(
    policy: Policy, decision: Decision, status: SlaStatus | None, expect: dict[str, Any]
) -> Iterator[Mismatch]:
    read = InstantReader(policy.timezone).to_us  # naive expected instants: the policy's zone
    for key, expected in expect.items():
        actual = _actual(key, decision, status)
        if key == "started_at" or key.endswith("_due"):
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
