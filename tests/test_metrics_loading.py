"""Loader problems of the ``events:`` and ``metrics:`` sections and of the targets they allow.

Each case appends sections to ``HEAD`` (a small valid start of a policy, 18 lines: the first
appended line is line 19). The expected ``line:column`` was counted by hand on the text as
written (1-based, columns in characters), as in tests/test_loading.py: a problem about a
name that is a key (an unknown target metric, a field a ``when`` tests, a built-in event
declared again) sits on the key; any other problem sits on the value it is about.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pytest

import slapolicy
from slapolicy import PolicyError, Problem, load_policy

HEAD = textwrap.dedent(
    """\
    slapolicy: 1
    name: t
    timezone: Asia/Shanghai
    calendars:
      office: {hours: always}
    fields:
      info_complete: {type: boolean}
    categories:
      - {id: other}
    priorities:
      - {id: P1}
    routing:
      - {owner: desk}
    clock:
      statuses: [open, waiting_customer, spam]
      pause_statuses: [waiting_customer]
    events:
      plan_submitted: {}
    """
)
assert len(HEAD.splitlines()) == 18


def policy(tail: str) -> str:
    """``HEAD`` followed by ``tail`` (dedented); its first line is line 19."""
    return HEAD + textwrap.dedent(tail)


def problems_of(source: str) -> tuple[Problem, ...]:
    with pytest.raises(PolicyError) as caught:
        load_policy(source)
    return caught.value.problems


@dataclass(frozen=True)
class Expected:
    line: int
    column: int
    path: str
    fragments: tuple[str, ...]


def at(line: int, column: int, path: str, *fragments: str) -> Expected:
    return Expected(line, column, path, fragments)


def check(problems: tuple[Problem, ...], expected: list[Expected]) -> None:
    """The problems are exactly ``expected``, in that order."""
    got = [(p.line, p.column, p.path) for p in problems]
    assert got == [(e.line, e.column, e.path) for e in expected], [p.message for p in problems]
    for problem, want in zip(problems, expected, strict=True):
        for fragment in want.fragments:
            assert fragment in problem.message, (fragment, problem.message)


DECLARE = "(declare your own under events:)"
NEVER_SET = "is never set for this condition"

CASES = [
    pytest.param(
        """\
        metrics:
          plan: {start: created, stop: plan_submitted}
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plann: 8h}
        """,
        # line 24 is "      P1: {response: 1h, plann: 8h}": the key `plann` at column 26
        [
            at(
                24,
                26,
                "slas[0].targets.P1.plann",
                "unknown key 'plann' in slas[0].targets.P1: no metric of that name",
                "did you mean 'plan'?",
                "(declare it under metrics:)",
            )
        ],
        id="target-of-an-undeclared-metric",
    ),
    pytest.param(
        """\
        slas:
          - id: standard
            targets:
              P1:
                response: 1h
                callback: 24h
        """,
        # a metric of the source processes that this policy does not declare
        [at(24, 9, "slas[0].targets.P1.callback", "no metric of that name", "metrics:")],
        id="target-of-a-metric-never-declared",
    ),
    pytest.param(
        """\
        metrics:
          plan: {start: created, stop: plan_submitted}
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plan: 8h}
        escalation:
          - {target: plna, at: 50%, notify: desk}
        """,
        [
            at(
                26,
                14,
                "escalation[0].target",
                "or a metric declared under metrics:",
                "did you mean 'plan'?",
                "(got 'plna')",
            )
        ],
        id="escalation-of-an-undeclared-metric",
    ),
    pytest.param(
        """\
        metrics:
          plan: {start: plan_submited, stop: [responded, callback_done]}
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plan: 8h}
        """,
        [
            at(
                20,
                17,
                "metrics.plan.start",
                "unknown event 'plan_submited'",
                "did you mean 'plan_submitted'?",
                DECLARE,
            ),
            # no close match: the known events are listed
            at(
                20,
                50,
                "metrics.plan.stop[1]",
                "unknown event 'callback_done'",
                "known: closed, customer_replied, plan_submitted, reopened, resolved",
                DECLARE,
            ),
        ],
        id="started-and-stopped-by-undeclared-events",
    ),
    pytest.param(
        """\
        metrics:
          plan:
            start: {event: updatd, when: {info_complete: false}}
            stop: resolved
            resume: reopend
            pause: [{from: on_hold, until: customer_replied}]
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plan: 8h}
        """,
        [
            at(21, 20, "metrics.plan.start.event", "unknown event 'updatd'", "'updated'?"),
            at(23, 13, "metrics.plan.resume", "unknown event 'reopend'", "'reopened'?"),
            at(24, 20, "metrics.plan.pause[0].from", "unknown event 'on_hold'", DECLARE),
        ],
        id="trigger-resume-and-pause-pair-of-undeclared-events",
    ),
    pytest.param(
        """\
        metrics:
          plan:
            start: {event: updated, when: {info_complet: false}}
            stop: {event: updated, when: {all: [{priority: P1}, {customer.tier: vip}]}}
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plan: 8h}
        """,
        # on the key of the field tested; decision values (priority) may be tested
        [
            at(
                21,
                36,
                "metrics.plan.start.when.info_complet",
                "field 'info_complet' is never set for this condition",
                "fields declared under fields: (or category, priority, sla, owner)",
                "did you mean 'info_complete'?",
            ),
            at(22, 58, 'metrics.plan.stop.when.all[1]["customer.tier"]', NEVER_SET),
        ],
        id="when-on-a-field-that-is-never-set",
    ),
    pytest.param(
        """\
        metrics:
          plan:
            start: [responded, {event: created, when: {levle: 1}}]
            stop: resolved
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plan: 8h}
        """,
        [at(21, 48, "metrics.plan.start[1].when.levle", NEVER_SET)],
        id="when-of-created-in-a-list",
    ),
    pytest.param(
        """\
        metrics:
          plan:
            start: created
            stop: resolved
            pause: [waiting_customer, wating_customer]
            cancel: [plan_submitted, spma]
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plan: 8h}
        """,
        # a cancel that is not an event is a status, which must be in clock.statuses
        [
            at(
                23,
                31,
                "metrics.plan.pause[1]",
                "unknown status 'wating_customer'",
                "did you mean 'waiting_customer'?",
                "clock.statuses",
            ),
            at(24, 30, "metrics.plan.cancel[1]", "unknown status 'spma'", "'spam'?"),
        ],
        id="pause-and-cancel-statuses-outside-clock-statuses",
    ),
    pytest.param(
        """\
        metrics:
          plan: {start: created, stop: plan_submitted, calendar: ofice}
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plan: 8h}
        """,
        [
            at(
                20,
                58,
                "metrics.plan.calendar",
                "unknown calendar 'ofice'",
                "did you mean 'office'?",
            )
        ],
        id="unknown-metric-calendar",
    ),
    pytest.param(
        """\
        slas:
          - id: standard
            targets:
              P1:
                response: {by: "25:00"}
                resolve: {by: "18:00", days: 1, weekday: fri}
                update: {by: "6pm", days: 1}
        """,
        [
            at(23, 24, "slas[0].targets.P1.response.by", "invalid time of day '25:00'"),
            at(24, 18, "slas[0].targets.P1.resolve", "give `days` or `weekday`, not both"),
            at(25, 22, "slas[0].targets.P1.update.by", "invalid time of day '6pm'", "'18:00'"),
        ],
        id="bad-by-time-and-days-with-weekday",
    ),
    pytest.param(
        """\
        slas:
          - id: standard
            targets:
              P1:
                response: {by: "16:00", weekday: fry}
                resolve: {by: "16:00", weekday: 周八}
                update: {by: "09:60", calendar: ofice}
        """,
        [
            at(23, 42, "slas[0].targets.P1.response.weekday", "invalid day 'fry'", "'friday'?"),
            at(24, 41, "slas[0].targets.P1.resolve.weekday", "invalid day '周八'"),
            at(25, 22, "slas[0].targets.P1.update.by", "invalid time of day '09:60'"),
            at(25, 41, "slas[0].targets.P1.update.calendar", "unknown calendar 'ofice'"),
        ],
        id="bad-weekday-and-calendar-of-a-by-target",
    ),
    pytest.param(
        """\
          resolved: {label: 已解决}
          plan_submitted: {}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
        """,
        # `events:` now holds `plan_submitted` (line 18) and these; the built-in one is
        # refused on its key. (YAML refuses the second `plan_submitted` first.)
        [at(20, 3, "events.plan_submitted", "duplicate")],
        id="an-event-declared-twice",
    ),
    pytest.param(
        """\
          resolved: {label: 已解决}
          closed: {}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
        """,
        [
            at(
                19,
                3,
                "events.resolved",
                "'resolved' is a built-in event type; declare only your own events",
            ),
            at(20, 3, "events.closed", "built-in event type"),
        ],
        id="declaring-built-in-events",
    ),
    pytest.param(
        """\
        metrics:
          plan: {start: created, stop: plan_submitted, cycle: always, open_only: maybe}
          other: {start: created}
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plan: 8h}
        """,
        [
            at(20, 55, "metrics.plan.cycle", "'once' or 'each'", "(got 'always')"),
            at(20, 74, "metrics.plan.open_only", "boolean"),
            # something missing: on the mapping that lacks it
            at(21, 10, "metrics.other.stop", "missing required key 'stop'"),
        ],
        id="metric-shape",
    ),
]


@pytest.mark.parametrize(("tail", "expected"), CASES)
def test_problem_is_reported_at_its_line_and_column(tail: str, expected: list[Expected]) -> None:
    check(problems_of(policy(tail)), expected)


def test_every_metric_problem_is_reported_at_once_in_file_order() -> None:
    source = policy(
        """\
          resolved: {}
        metrics:
          a: {start: plan_submited, stop: [responded, callback_done]}
          b:
            start: {event: updated, when: {info_complet: false}}
            stop: resolved
            pause: [wating_customer, {from: on_hold, until: customer_replied}]
            cancel: [spma]
            calendar: ofice
        slas:
          - id: standard
            targets:
              P1:
                response: {by: "25:00"}
                resolve: {by: "18:00", days: 1, weekday: fri}
                a: {by: "16:00", weekday: fry}
                b: 8h
                plann: 8h
        """
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(source)
    error = caught.value
    check(
        error.problems,
        [
            at(19, 3, "events.resolved", "built-in event type"),
            at(21, 14, "metrics.a.start", "'plan_submited'", "'plan_submitted'?"),
            at(21, 47, "metrics.a.stop[1]", "'callback_done'"),
            at(23, 36, "metrics.b.start.when.info_complet", NEVER_SET, "'info_complete'?"),
            at(25, 13, "metrics.b.pause[0]", "unknown status 'wating_customer'"),
            at(25, 37, "metrics.b.pause[1].from", "unknown event 'on_hold'"),
            at(26, 14, "metrics.b.cancel[0]", "unknown status 'spma'"),
            at(27, 15, "metrics.b.calendar", "unknown calendar 'ofice'"),
            at(32, 24, "slas[0].targets.P1.response.by", "invalid time of day"),
            at(33, 18, "slas[0].targets.P1.resolve", "not both"),
            at(34, 35, "slas[0].targets.P1.a.weekday", "invalid day 'fry'"),
            at(36, 9, "slas[0].targets.P1.plann", "no metric of that name", "'plan"),
        ],
    )
    assert str(error).splitlines()[0] == "12 problems in policy:"
    assert all(p.line is not None and p.column is not None for p in error.problems)


def test_an_escalation_and_a_target_of_undeclared_metrics_are_reported_together() -> None:
    source = policy(
        """\
        metrics:
          plan: {start: created, stop: plan_submitted}
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plann: 8h}
        escalation:
          - {target: plna, at: 50%, notify: desk}
        """
    )
    check(
        problems_of(source),
        [
            at(24, 26, "slas[0].targets.P1.plann", "did you mean 'plan'?"),
            at(26, 14, "escalation[0].target", "did you mean 'plan'?"),
        ],
    )


BY_SCHEMA_CASES = [
    pytest.param(
        '{by: "18:00", days: -1}',
        # "      P1: {response: {by: "18:00", days: -1}}": `-1` at column 42
        at(22, 42, "slas[0].targets.P1.response.days", "greater than or equal to 0"),
        id="negative-days",
    ),
    pytest.param(
        '{by: "18:00", days: x}',
        at(22, 42, "slas[0].targets.P1.response.days", "valid integer"),
        id="days-not-a-number",
    ),
    pytest.param(
        '{by: "18:00", weekday: 5}',
        at(22, 45, "slas[0].targets.P1.response.weekday", "valid string"),
        id="weekday-not-text",
    ),
    pytest.param(
        '{by: "18:00", calender: office}',
        # an unknown key: on the key `calender` (column 36)
        at(
            22,
            36,
            "slas[0].targets.P1.response.calender",
            "unknown key 'calender'",
            "did you mean 'calendar'?",
        ),
        id="unknown-key",
    ),
]


@pytest.mark.parametrize(("target", "expected"), BY_SCHEMA_CASES)
def test_a_schema_problem_of_a_by_target_is_reported_on_its_own_key(
    target: str, expected: Expected
) -> None:
    source = policy(
        f"""\
        slas:
          - id: standard
            targets:
              P1: {{response: {target}}}
        """
    )
    check(problems_of(source), [expected])


# --------------------------------------------------------------------------- what is allowed


def test_a_policy_using_every_metric_feature_loads() -> None:
    loaded = load_policy(
        policy(
            """\
              on_hold: {label: 挂起, description: 等待第三方}
              duplicate: {}
            metrics:
              plan: {label: 初步处理方案, start: created, stop: plan_submitted, calendar: office}
              hold:
                start:
                  - {event: created, when: {priority: P1}}
                  - {event: updated, when: {info_complete: false}}
                stop:
                  - resolved
                  - {event: updated, when: {category: other, sla: standard, owner: desk}}
                resume: reopened
                pause: [waiting_customer, {from: on_hold, until: customer_replied}]
                cancel: [duplicate, spam, status]
                cycle: each
                open_only: true
              resolve: {start: created, stop: [resolved, closed]}   # a built-in, redefined
            slas:
              - id: standard
                targets:
                  P1:
                    response: {by: "18:00", days: 0}
                    resolve: {by: "16:00", weekday: 周五}
                    plan: {by: "24:00", days: 3, calendar: office}
                    hold: {within: 1d4h, calendar: office}
            escalation:
              - {target: hold, at: 50%, notify: desk}
              - {target: plan, before: 1h, notify: desk}
            """
        )
    )
    assert set(loaded.rules.metrics) == {"response", "resolve", "update", "plan", "hold"}
    assert loaded.rules.metrics["resolve"].stop[1].event == "closed"
    assert {"on_hold", "duplicate", "plan_submitted", "created"} <= set(loaded.rules.events)


def test_without_clock_statuses_any_pause_or_cancel_status_is_allowed() -> None:
    source = policy(
        """\
        metrics:
          plan: {start: created, stop: resolved, pause: [on_hold], cancel: [spam_reported]}
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plan: 8h}
        """
    ).replace("  statuses: [open, waiting_customer, spam]\n", "")
    loaded = load_policy(source)
    assert loaded.rules.metrics["plan"].cancel_statuses == frozenset({"spam_reported"})


def test_metric_problems_are_policy_errors_with_a_rendered_location() -> None:
    source = policy(
        """\
        metrics:
          plan: {start: created, stop: plan_submited}
        slas:
          - id: standard
            targets:
              P1: {response: 1h, plan: 8h}
        """
    )
    with pytest.raises(slapolicy.SlaPolicyError) as caught:
        load_policy(source)
    assert isinstance(caught.value, PolicyError)
    assert "<policy>:20:32: unknown event 'plan_submited'" in str(caught.value)
