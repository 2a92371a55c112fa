"""Ids compared with decided values must exist: a typo is a load error, not a silent miss."""

from __future__ import annotations

import pytest

import slapolicy
from slapolicy import PolicyError, load_policy

BASE = """\
slapolicy: 1
name: references
timezone: Asia/Shanghai
calendars:
  office: {hours: always}
categories:
  - {id: outage, when: {type: outage}}
  - {id: other}
priorities:
  - {id: P1, when: {impact: core}}
  - {id: P2}
slas:
  - id: fast
    when: {priority: P1}
    calendar: office
    targets: {P1: {response: 15m}, P2: {response: 1h}}
  - {id: standard, calendar: office, targets: {P1: {response: 30m}, P2: {response: 2h}}}
routing:
  - {id: tech, when: {category: outage}, owner: tech-support}
  - {id: desk, owner: desk}
owners:
  tech-support: {lead: head}
  desk: {lead: head}
  head: {}
escalation:
  - {id: late, when: {owner: tech-support}, target: response, at: 100%, notify: head}
"""


def problems(text: str) -> list[slapolicy.Problem]:
    with pytest.raises(PolicyError) as info:
        load_policy(text)
    return list(info.value.problems)


def test_the_base_policy_loads() -> None:
    policy = load_policy(BASE)
    assert (
        policy.evaluate(
            {"type": "outage", "impact": "core", "created_at": "2026-05-08T09:00:00+08:00"}
        ).owner
        == "tech-support"
    )


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        pytest.param(
            "when: {priority: P1}",
            "when: {priority: P01}",
            "slas[0].when.priority",
            ["unknown priority 'P01'", "did you mean 'P1'", "in SLA 'fast'"],
            id="priority-in-an-sla",
        ),
        pytest.param(
            "{id: tech, when: {category: outage}",
            "{id: tech, when: {category: outgae}",
            "routing[0].when.category",
            ["unknown category 'outgae'", "did you mean 'outage'", "routing rule 'tech'"],
            id="category-in-routing",
        ),
        pytest.param(
            "{id: late, when: {owner: tech-support}",
            "{id: late, when: {owner: tech-suport}",
            "escalation[0].when.owner",
            ["unknown owner 'tech-suport'", "did you mean 'tech-support'", "escalation 'late'"],
            id="owner-in-an-escalation",
        ),
        pytest.param(
            "{id: tech, when: {category: outage}",
            "{id: tech, when: {sla: {ne: fsat}}",
            "routing[0].when.sla.ne",
            ["unknown sla 'fsat'", "did you mean 'fast'"],
            id="sla-with-ne",
        ),
        pytest.param(
            "{id: tech, when: {category: outage}",
            "{id: tech, when: {priority: [P1, urgent]}",
            "routing[0].when.priority[1]",
            ["unknown priority 'urgent'", "a ticket field named 'priority' is not visible there"],
            id="one-value-of-a-list",
        ),
        pytest.param(
            "{id: tech, when: {category: outage}",
            "{id: tech, when: {not: {any: [{category: outage}, {priority: {in: [P3]}}]}}",
            "routing[0].when.not.any[1].priority.in[0]",
            ["unknown priority 'P3'"],
            id="inside-not-and-any",
        ),
    ],
)
def test_an_unknown_id_is_refused_where_it_is_written(
    old: str, new: str, path: str, words: list[str]
) -> None:
    assert old in BASE
    (problem,) = problems(BASE.replace(old, new))
    assert problem.path == path
    for word in words:
        assert word in problem.message
    assert problem.line is not None
    assert problem.column is not None


def test_every_unknown_id_is_reported_at_once() -> None:
    text = BASE.replace("{priority: P1}", "{priority: P9}").replace(
        "{category: outage}", "{category: nope}"
    )
    found = problems(text)
    assert [p.path for p in found] == ["slas[0].when.priority", "routing[0].when.category"]


def test_a_metric_trigger_condition_is_checked() -> None:
    text = BASE + (
        "events:\n  plan_submitted: {}\n"
        "metrics:\n  plan:\n    start: {event: created, when: {priority: P7}}\n"
        "    stop: plan_submitted\n"
    )
    (problem,) = problems(text)
    assert problem.path == "metrics.plan.start.when.priority"
    assert "in metric 'plan'" in problem.message


def test_a_stage_sees_the_ticket_field_until_it_decides_that_name() -> None:
    """In `priorities`, `priority` is still the ticket's own field: any value is allowed."""
    text = BASE.replace("{id: P1, when: {impact: core}}", "{id: P1, when: {priority: urgent}}")
    policy = load_policy(text)
    assert policy.classify({"priority": "urgent"}) == ("other", "P1")
    # and in `categories` nothing is decided yet
    text = BASE.replace("{id: outage, when: {type: outage}}", "{id: outage, when: {priority: x}}")
    assert load_policy(text).classify({"priority": "x"})[0] == "outage"


@pytest.mark.parametrize(
    "when",
    [
        "{priority: {matches: '^P[0-9]$'}}",
        "{priority: {contains: P}}",
        "{priority: {exists: true}}",
        "{priority: {eq: p1, case: insensitive}}",
    ],
)
def test_patterns_substrings_existence_and_case_folding_are_not_refused(when: str) -> None:
    text = BASE.replace("{id: tech, when: {category: outage}", f"{{id: tech, when: {when}")
    policy = load_policy(text)
    ticket = {"type": "x", "impact": "core", "created_at": "2026-05-08T09:00:00+08:00"}
    assert policy.evaluate(ticket).owner == "tech-support"


def test_an_owner_only_notified_exists() -> None:
    """`head` is declared under `owners` and never routed to: `{owner: head}` may test it."""
    text = BASE.replace("{owner: tech-support}", "{owner: head}")
    assert load_policy(text).rules.escalations[0].id == "late"


def test_a_number_never_names_an_id() -> None:
    text = BASE.replace("{priority: P1}", "{priority: 1}")
    (problem,) = problems(text)
    assert "unknown priority 1" in problem.message
