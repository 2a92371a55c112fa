"""The SLA clock replays on the engine's evaluations and does not redo their work.

``Policy.status`` evaluates the ticket once when the clock starts and once per ``updated``
event; the first cycle of every target takes its due instant from that evaluation, and
escalation conditions run as the compiled functions of the schedule, never through the
closures of ``Condition.matches``. These tests count the calls, so they fail if the clock
goes back to recomputing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import slapolicy
from slapolicy._calendar import Calendar
from slapolicy._conditions import condition as condition_module
from slapolicy._engine import Evaluator

POLICY = Path(__file__).resolve().parent.parent / "policies" / "service-levels.yaml"
TICKET = {
    "type": "billing",
    "impact": "major",
    "urgency": "high",
    "text": "发票金额不对",
    "created_at": "2026-05-12T10:00:00+08:00",
}


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts of the calls the clock could repeat."""
    counter: Counter[str] = Counter()

    def counted(owner: Any, name: str) -> None:
        real: Callable[..., Any] = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counter[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)

    counted(Evaluator, "decide_at")
    counted(Calendar, "add_us")
    counted(Calendar, "deadlines_us")
    return counter


def _status(events: list[dict[str, Any]], now: str) -> slapolicy.SlaStatus:
    policy = slapolicy.load_policy(POLICY)
    return policy.status(TICKET, events, now=now)


def test_one_evaluation_and_no_due_recomputed_without_updates(calls: Counter[str]) -> None:
    events = [
        {"type": "status", "status": "waiting_customer", "at": "2026-05-12T10:20:00+08:00"},
        {"type": "status", "status": "open", "at": "2026-05-12T11:00:00+08:00"},
        {"type": "resolved", "at": "2026-05-12T16:00:00+08:00"},
    ]
    result = _status(events, "2026-05-12T17:00:00+08:00")
    assert {t.state for t in result.targets.values()} <= {"met", "breached", "pending"}
    assert calls["decide_at"] == 1
    assert calls["add_us"] == 0  # every first cycle's due instant came from the evaluation


def test_one_evaluation_per_ticket_state(calls: Counter[str]) -> None:
    events = [
        {"type": "updated", "at": "2026-05-12T10:30:00+08:00", "fields": {"impact": "core"}},
        {"type": "updated", "at": "2026-05-12T10:40:00+08:00", "fields": {"urgency": "low"}},
    ]
    result = _status(events, "2026-05-12T10:50:00+08:00")
    assert result.decision.priority == "P1"
    assert calls["decide_at"] == 3  # the start, then each update


def test_escalation_conditions_run_compiled_not_through_the_closures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every closure of a policy loaded here raises: only generated code may decide."""

    def refusing(node: Any) -> Callable[[Any], bool]:
        def refuse(ticket: Any) -> bool:
            raise AssertionError("a condition was evaluated through its closures")

        return refuse

    monkeypatch.setattr(condition_module, "to_predicate", refusing)
    policy = slapolicy.load_policy(POLICY)
    assert any(not esc.condition.is_always for esc in policy.escalations)
    with pytest.raises(AssertionError, match="through its closures"):
        policy.escalations[-1].condition.matches({})
    outage = {**TICKET, "type": "outage", "impact": "core"}
    result = policy.status(outage, [], now="2026-05-12T12:30:00+08:00")
    assert "p1-report" in [e.rule for e in result.escalations_due]  # a P1-only escalation
