"""Tests for slapolicy.loading: every problem the loader reports, where, and how it reads.

Each case is a small policy written inline; the expected ``line:column`` was counted by hand
on the text as written (1-based, columns in characters). A problem about an unknown key sits
on the key; any other problem sits on the value it is about, or, for something missing, on
the mapping that lacks it.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from policy_fragments import ENGINE, MINIMAL, SERVICE_LEVELS, minimal
from slapolicy import Policy, PolicyError, Problem, SlaPolicyError, load_policy


def problems_of(source: Any) -> tuple[Problem, ...]:
    """The problems that loading ``source`` reports (it must fail with one PolicyError)."""
    with pytest.raises(PolicyError) as caught:
        load_policy(source)
    return caught.value.problems


def text(source: str) -> str:
    return textwrap.dedent(source)


@dataclass(frozen=True)
class Expected:
    """One expected problem: where it is and fragments its message must contain."""

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
            assert fragment in problem.message


# --------------------------------------------------------------------------- table of problems

CASES: list[Any] = [
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorites:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
        routing:
          - {owner: desk}
        """,
        # `priorities` is then missing: reported on the root mapping (1:1), which sorts first
        [
            at(1, 1, "priorities", "missing required key 'priorities'"),
            at(
                8, 1, "priorites", "unknown key 'priorites' in policy", "did you mean 'priorities'?"
            ),
        ],
        id="unknown-top-level-key-did-you-mean",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {respnse: 1h}
        routing:
          - {owner: desk}
        """,
        # line 13 is "      P1: {respnse: 1h}": `{` at column 11, the key at 12
        [
            at(
                13,
                12,
                "slas[0].targets.P1.respnse",
                "unknown key 'respnse' in slas[0].targets.P1",
                "did you mean 'response'?",
            )
        ],
        id="unknown-target-key-flow-style",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1:
                respnse:
                  1h
        routing:
          - {owner: desk}
        """,
        # the key on line 14 (column 9), not its value on line 15
        [at(14, 9, "slas[0].targets.P1.respnse", "did you mean 'response'?")],
        id="unknown-target-key-block-style",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
        routing:
          - {owner: desk}
        clock: {start_feld: opened_at}
        """,
        [at(16, 9, "clock.start_feld", "unknown key 'start_feld' in clock", "'start_field'")],
        id="unknown-clock-key",
    ),
    pytest.param(
        """\
        slapolicy: 1
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
        routing:
          - {cc: [boss]}
        """,
        # a missing key is reported on the mapping that lacks it: the root, and the flow
        # mapping of routing[0] (its `{` is on line 14, column 5)
        [
            at(1, 1, "name", "missing required key 'name'"),
            at(14, 5, "routing[0].owner", "missing required key 'owner'"),
        ],
        id="missing-required-keys",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories: other
        priorities:
          - {id: P1, label: [a, b]}
        slas:
          - id: standard
            targets:
              P1: {response: 60}
        routing:
          - {owner: desk}
        """,
        [
            at(6, 13, "categories", "valid list", "'other'"),
            at(8, 21, "priorities[0].label", "valid string", "['a', 'b']"),
            # "      P1: {response: 60}": the value 60 at column 22
            at(12, 22, "slas[0].targets.P1.response", "valid string", "60"),
        ],
        id="wrong-types",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {response: 2x, resolve: 1d 2d, update: 1h}
        routing:
          - {owner: desk}
        """,
        [
            at(13, 22, "slas[0].targets.P1.response", "invalid duration '2x'", "'1h30m'"),
            at(13, 35, "slas[0].targets.P1.resolve", "'1d 2d'", "give each unit once"),
        ],
        id="bad-durations",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1, when: {impact: core}}
          - {id: P2}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
              P2: {response: 2h}
              P3: {response: 4h}
        routing:
          - {owner: desk}
        """,
        # an unknown priority among the targets is a key: reported on the key P3
        [at(16, 7, "slas[0].targets.P3", "unknown priority 'P3'", "known: P1, P2")],
        id="unknown-priority-in-targets",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1, when: {impact: core}}
          - {id: P2}
        priority_matrix:
          rows: impact
          columns: urgency
          values:
            core: {high: P1, low: P22}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
              P2: {response: 2h}
        routing:
          - {owner: desk}
        """,
        # "    core: {high: P1, low: P22}": P22 at column 27
        [
            at(
                15,
                27,
                "priority_matrix.values.core.low",
                "unknown priority 'P22'",
                "did you mean 'P2'?",
            )
        ],
        id="unknown-priority-in-matrix",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1, when: {impact: core}}
          - {id: P2}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
        routing:
          - {owner: desk}
        """,
        # reported on the `targets` mapping of the SLA (its first key, line 14 column 7)
        [
            at(
                14,
                7,
                "slas[0].targets",
                "SLA 'standard' has no targets for priority 'P2'",
                "every priority needs targets in every SLA",
            )
        ],
        id="priority-lacking-targets",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
          night: {hours: {mon-fri: ["20:00-08:00"]}}
        categories:
          - {id: other}
        priorities:
          - {id: P1, when: {impact: core}}
          - {id: P2}
        slas:
          - id: standard
            calendar: ofice
            targets:
              P1: {response: 1h, calendar: nowhere}
              P2: {response: 2h}
        routing:
          - {owner: desk}
        """,
        [
            # P2 falls back to the SLA's calendar: reported on the SLA's `calendar` value
            at(14, 15, "slas[0].calendar", "unknown calendar 'ofice'", "did you mean 'office'?"),
            # the target's own calendar: "      P1: {response: 1h, calendar: nowhere}"
            at(16, 36, "slas[0].targets.P1.calendar", "unknown calendar 'nowhere'", "known"),
        ],
        id="unknown-calendars",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
        routing:
          - {when: {priority: P1}, owner: tech, cc: [dept-haed]}
          - {owner: dsk}
        owners:
          tech: {lead: bos}
          desk: {lead: dept-head}
          dept-head: {}
          boss: {}
        escalation:
          - {at: 50%, notify: dept-heda}
          - {at: 60%, notify: [owner, nobody]}
        """,
        [
            # "  - {when: {priority: P1}, owner: tech, cc: [dept-haed]}": cc[0] at column 46
            at(15, 46, "routing[0].cc[0]", "unknown owner 'dept-haed'", "'dept-head'?"),
            at(16, 13, "routing[1].owner", "unknown owner 'dsk'", "did you mean 'desk'?"),
            at(18, 16, "owners.tech.lead", "unknown owner 'bos'", "did you mean 'boss'?"),
            at(23, 23, "escalation[0].notify", "unknown owner 'dept-heda'", "'dept-head'?"),
            at(24, 31, "escalation[1].notify[1]", "unknown owner 'nobody'", "known: tech"),
        ],
        id="unknown-owners",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
        routing:
          - {when: {priority: P1}, owner: tech}
          - {owner: desk}
        owners:
          tech: {lead: boss}
          desk: {}
          boss: {}
        escalation:
          - {target: response, at: 75%, notify: [boss, owner.lead]}
        """,
        # routing can assign `desk`, which has no lead
        [
            at(
                22,
                48,
                "escalation[0].notify[1]",
                "`owner.lead` needs a `lead` for every owner routing can assign",
                "missing for desk",
            )
        ],
        id="owner-lead-without-leads",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: bug, when: {type: bug}}
          - {id: question, when: {type: question}}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
        routing:
          - {owner: desk}
          - {when: {priority: P1}, owner: tech}
        """,
        [
            # "  - {id: question, when: {type: question}}": the `when` value at column 26
            at(
                8,
                26,
                "categories[1].when",
                "the last entry of categories is the default and must not have `when`",
                "add a default entry after 'question'",
            ),
            # routing[0] lacks `when` (reported on its mapping, column 5) ...
            at(
                16,
                5,
                "routing[0]",
                "only the last entry of routing may lack `when`",
                "entries after 'routing-0' could never match",
            ),
            # ... and the last routing entry has one
            at(17, 12, "routing[1].when", "the last entry of routing is the default"),
        ],
        id="defaults-must-come-last",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: a}
          - {id: b}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
          - id: gold
            targets:
              P1: {response: 1h}
        routing:
          - {owner: desk}
        """,
        [
            at(7, 5, "categories[0]", "only the last entry of categories may lack `when`"),
            at(12, 5, "slas[0]", "only the last entry of slas may lack `when`", "'standard'"),
        ],
        id="non-last-without-when",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: a, when: {type: x}}
          - {id: a}
        priorities:
          - {id: P1, when: {impact: core}}
          - {id: P2, when: {impact: major}}
          - {id: P1}
        slas:
          - id: standard
            when: {type: y}
            targets:
              P1: {response: 1h}
              P2: {response: 1h}
          - id: standard
            targets:
              P1: {response: 1h}
              P2: {response: 1h}
        routing:
          - {owner: desk}
        """,
        # reported on the second id, naming the first
        [
            at(8, 10, "categories[1].id", "duplicate id 'a' in categories", "categories[0]"),
            at(12, 10, "priorities[2].id", "duplicate id 'P1' in priorities", "priorities[0]"),
            at(19, 9, "slas[1].id", "duplicate id 'standard' in slas", "slas[0]"),
        ],
        id="duplicate-ids",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office:
            timezone: Mars/Olympus
            hours:
              mon-fri: ["09:00-12:00", "13:00-25:00"]
          night:
            hours:
              mon: ["08:00-12:00", "10:00-14:00"]
        categories:
          - {id: other}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            calendar: night
            targets:
              P1: {response: 1h}
        routing:
          - {owner: desk}
        """,
        [
            at(6, 15, "calendars.office.timezone", "unknown time zone 'Mars/Olympus'", "IANA"),
            # '13:00-25:00' is the second window, at column 32 of line 8
            at(
                8,
                32,
                "calendars.office.hours.mon-fri[1]",
                "invalid time in window '13:00-25:00'",
                "hours are 00-23",
            ),
            at(
                11,
                12,
                "calendars.night.hours.mon",
                "windows '08:00-12:00' and '10:00-14:00' overlap",
            ),
        ],
        id="bad-calendars",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Europe/Nowhere
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
        routing:
          - {owner: desk}
        """,
        [at(3, 11, "timezone", "unknown time zone 'Europe/Nowhere'")],
        id="bad-policy-timezone",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - id: perf
            when:
              any:
                - {type: slow}
                - {text: {matches: "(a+"}}
                - {text: {matches: '(\\w)\\1'}}
          - {id: other}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
        routing:
          - {owner: desk}
        """,
        # the pattern values: '        - {text: {matches: "(a+"}}' has the pattern at 28
        [
            at(
                11,
                28,
                "categories[0].when.any[1].text.matches",
                "invalid regular expression '(a+'",
                "missing )",
                "RE2",
            ),
            at(
                12,
                28,
                "categories[0].when.any[2].text.matches",
                "invalid regular expression",
                "no backreferences",
            ),
        ],
        id="bad-regex",
    ),
    pytest.param(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - {id: other}
        priorities:
          - {id: P1}
        slas:
          - id: standard
            targets:
              P1: {response: 1h, resolve: 4h}
        routing:
          - {owner: desk}
        escalation:
          - {at: 50%, before: 30m, notify: owner}
          - {target: response, notify: owner}
          - {before: 1d, notify: owner}
          - {before: 1d2h, notify: owner}
          - {at: 150%, notify: owner, when: {impact: {gt: true}}}
        """,
        [
            at(17, 5, "escalation[0]", "give exactly one of `at`", "or `before`"),
            at(18, 5, "escalation[1]", "give exactly one of `at`"),
            at(19, 14, "escalation[2].before", "`before` takes clock time", "not working days"),
            at(20, 14, "escalation[3].before", "not working days"),
            at(21, 51, "escalation[4].when.impact.gt", "booleans have no order"),
        ],
        id="bad-escalations",
    ),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_problem_is_reported_at_its_line_and_column(source: str, expected: list[Expected]) -> None:
    check(problems_of(text(source)), expected)


def test_a_priority_without_when_before_the_last_is_allowed() -> None:
    # P2 has no `when`: it is a level only the priority matrix assigns
    policy = load_policy(
        text(
            """\
            slapolicy: 1
            name: t
            timezone: Asia/Shanghai
            calendars:
              office: {hours: always}
            categories:
              - {id: other}
            priorities:
              - {id: P1, when: {impact: core}}
              - {id: P2}
              - {id: P3}
            priority_matrix:
              rows: impact
              columns: urgency
              values: {major: {high: P2}}
            slas:
              - id: standard
                targets:
                  P1: {response: 1h}
                  P2: {response: 2h}
                  P3: {response: 4h}
            routing:
              - {owner: desk}
            """
        )
    )
    assert [r.id for r in policy.priorities] == ["P1", "P2", "P3"]
    at_ = "2026-03-02T10:00:00+08:00"
    assert policy.evaluate({"impact": "major", "urgency": "high"}, at=at_).priority == "P2"
    assert policy.evaluate({"impact": "minor"}, at=at_).priority == "P3"


def test_unknown_operator_is_reported_in_its_when() -> None:
    problems = problems_of(
        text(
            """\
            slapolicy: 1
            name: t
            timezone: Asia/Shanghai
            calendars:
              office: {hours: always}
            categories:
              - id: bug
                when:
                  text: {containz: 报错}
              - {id: other}
            priorities:
              - {id: P1}
            slas:
              - id: standard
                targets:
                  P1: {response: 1h}
            routing:
              - {owner: desk}
            """
        )
    )
    assert len(problems) == 1
    (problem,) = problems
    assert problem.path == "categories[0].when.text.containz"
    assert problem.line == 9
    assert "unknown operator 'containz' for field 'text'" in problem.message
    assert "did you mean 'contains'?" in problem.message


@pytest.mark.parametrize(
    ("source", "where"),
    [
        pytest.param(
            """\
            slapolicy: 1
            name: t
            timezone: Asia/Shanghai
            calendars:
              office: {hours: always}
            categories:
              - id: bug
                when:
                  text: {containz: 报错}
              - {id: other}
            priorities:
              - {id: P1}
            slas:
              - id: standard
                targets:
                  P1: {response: 1h}
            routing:
              - {owner: desk}
            """,
            # "      text: {containz: 报错}": the operator key at column 14
            (9, 14, "categories[0].when.text.containz"),
            id="operator-flow-style",
        ),
        pytest.param(
            """\
            slapolicy: 1
            name: t
            timezone: Asia/Shanghai
            calendars:
              office: {hours: always}
            categories:
              - id: bug
                when:
                  text:
                    containz:
                      - 报错
              - {id: other}
            priorities:
              - {id: P1}
            slas:
              - id: standard
                targets:
                  P1: {response: 1h}
            routing:
              - {owner: desk}
            """,
            (10, 9, "categories[0].when.text.containz"),
            id="operator-block-style",
        ),
        pytest.param(
            """\
            slapolicy: 1
            name: t
            timezone: Asia/Shanghai
            calendars:
              office:
                hour:
                  mon-fri: ["09:00-18:00"]
            categories:
              - {id: other}
            priorities:
              - {id: P1}
            slas:
              - id: standard
                targets:
                  P1: {response: 1h}
            routing:
              - {owner: desk}
            """,
            (6, 5, "calendars.office.hour"),
            id="calendar-key-block-style",
        ),
    ],
)
def test_unknown_key_in_a_condition_or_calendar_is_reported_on_the_key(
    source: str, where: tuple[int, int, str]
) -> None:
    problems = problems_of(text(source))
    assert [(p.line, p.column, p.path) for p in problems] == [where]


def test_bad_duration_is_reported_even_when_the_calendar_is_unknown() -> None:
    problems = problems_of(
        text(
            """\
            slapolicy: 1
            name: t
            timezone: Asia/Shanghai
            calendars:
              office: {hours: always}
            categories:
              - {id: other}
            priorities:
              - {id: P1}
            slas:
              - id: standard
                targets:
                  P1: {response: 2x, calendar: nowhere}
            routing:
              - {owner: desk}
            """
        )
    )
    assert [p.path for p in problems] == [
        "slas[0].targets.P1.response",
        "slas[0].targets.P1.calendar",
    ]


def test_an_invalid_only_duration_is_reported_once() -> None:
    problems = problems_of(
        text(
            """\
            slapolicy: 1
            name: t
            timezone: Asia/Shanghai
            calendars:
              office: {hours: always}
            categories:
              - {id: other}
            priorities:
              - {id: P1}
            slas:
              - id: standard
                targets:
                  P1: {response: 1x}
            routing:
              - {owner: desk}
            """
        )
    )
    assert [(p.line, p.column, p.path) for p in problems] == [
        (13, 22, "slas[0].targets.P1.response")
    ]


def test_a_broken_only_calendar_is_reported_once() -> None:
    problems = problems_of(
        text(
            """\
            slapolicy: 1
            name: t
            timezone: Asia/Shanghai
            calendars:
              office: {timezone: Asia/Shangai, hours: always}
            categories:
              - {id: other}
            priorities:
              - {id: P1}
            slas:
              - id: standard
                targets:
                  P1: {response: 1h}
            routing:
              - {owner: desk}
            """
        )
    )
    assert [(p.line, p.column, p.path) for p in problems] == [(5, 22, "calendars.office.timezone")]


# --------------------------------------------------------------------------- many at once


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    # problems found by different checks (references, conditions, calendars, durations,
    # escalations) come back in one PolicyError, sorted by line and column
    with pytest.raises(PolicyError) as caught:
        load_policy(
            text(
                """\
                slapolicy: 1
                name: t
                timezone: Asia/Shanghai
                calendars:
                  office: {hours: {mon: ["09:00-25:00"]}}
                  always: {hours: always}
                categories:
                  - {id: bug, when: {text: {matches: "(a+"}}}
                  - {id: other}
                priorities:
                  - {id: P1}
                slas:
                  - id: standard
                    calendar: always
                    targets:
                      P1: {response: 1x, resolve: 4h}
                routing:
                  - {owner: nobody}
                owners:
                  desk: {}
                escalation:
                  - {before: 2d, notify: owner}
                """
            )
        )
    error = caught.value
    assert [(p.line, p.column, p.path) for p in error.problems] == [
        (5, 26, "calendars.office.hours.mon[0]"),
        (8, 38, "categories[0].when.text.matches"),
        (16, 22, "slas[0].targets.P1.response"),
        (18, 13, "routing[0].owner"),
        (22, 14, "escalation[0].before"),
    ]
    rendered = str(error)
    assert rendered.splitlines()[0] == "5 problems in policy:"
    assert "  <policy>:18:13: unknown owner 'nobody'" in rendered


def test_schema_problems_are_reported_together_in_file_order() -> None:
    problems = problems_of(
        text(
            """\
            slapolicy: 2
            name: t
            timezone: Asia/Shanghai
            calendars:
              office: {hours: always}
            categories:
              - {id: other, colour: red}
            priorities:
              - {id: "P 1"}
            slas:
              - id: standard
                targets:
                  P1: {response: 1h}
            routing:
              - {owner: desk, cc: boss}
            """
        )
    )
    assert [(p.line, p.column, p.path) for p in problems] == [
        (1, 12, "slapolicy"),
        (7, 17, "categories[0].colour"),  # an unknown key: on the key
        (9, 10, "priorities[0].id"),  # the opening quote
        (15, 23, "routing[0].cc"),
    ]
    assert "unknown key 'colour' in categories[0]; allowed: id, label, description, when" in (
        problems[1].message
    )


# --------------------------------------------------------------------------- reading YAML


def test_broken_yaml_syntax_is_one_problem_with_a_location() -> None:
    problems = problems_of(
        text(
            """\
            slapolicy: 1
            name: t
            calendars:
              office: {hours: always
            categories:
              - {id: other}
            """
        )
    )
    assert len(problems) == 1
    (problem,) = problems
    # PyYAML finds the unclosed flow mapping at the `:` of `categories:` on line 5
    assert (problem.line, problem.column) == (5, 11)
    assert problem.message.startswith("invalid YAML:")
    assert "flow mapping that starts at line 4" in problem.message


def test_duplicate_yaml_key_is_reported_at_the_second_occurrence() -> None:
    source = MINIMAL + "name: again\n"
    problems = problems_of(source)
    assert len(problems) == 1
    (problem,) = problems
    # MINIMAL has 15 lines; the repeated key is line 16, `name` first appears on line 2
    assert (problem.line, problem.column, problem.path) == (16, 1, "name")
    assert "duplicate key 'name' (first defined at line 2)" in problem.message


@pytest.mark.parametrize("as_path", [False, True], ids=["str", "pathlib"])
def test_a_missing_file_is_one_problem_naming_the_file(tmp_path: Path, as_path: bool) -> None:
    missing = tmp_path / "nowhere" / "policy.yaml"
    problems = problems_of(missing if as_path else str(missing))
    assert problems == (
        Problem("cannot read the policy file: no such file", "", str(missing), None, None),
    )


def test_a_policy_that_is_not_a_mapping_is_a_problem() -> None:
    problems = problems_of("- just\n- a list\n")
    assert [(p.line, p.column, p.message) for p in problems] == [
        (1, 1, "a policy must be a mapping of sections, got list")
    ]


def test_load_policy_rejects_a_source_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="got int"):
        load_policy(42)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- sources


def test_load_from_yaml_text() -> None:
    policy = load_policy(MINIMAL)
    assert isinstance(policy, Policy)
    assert policy.name == "minimal"
    assert policy.filename is None
    assert list(policy.calendars) == ["office"]


def test_load_from_pathlib_path_and_str_path() -> None:
    by_path = load_policy(SERVICE_LEVELS)
    by_str = load_policy(str(SERVICE_LEVELS))
    assert by_path.name == by_str.name == "服务等级表"
    assert by_path.filename == by_str.filename == str(SERVICE_LEVELS)
    assert by_path.version == by_str.version
    assert set(by_path.calendars) == {"office", "around-the-clock"}


def test_load_from_a_mapping_equals_load_from_its_yaml() -> None:
    data = yaml.safe_load(SERVICE_LEVELS.read_text(encoding="utf-8"))
    from_mapping = load_policy(data)
    from_file = load_policy(SERVICE_LEVELS)
    assert from_mapping.version == from_file.version
    ticket = {"type": "billing", "impact": "major", "urgency": "high"}
    at_ = "2026-05-08T17:50:00+08:00"
    assert from_mapping.evaluate(ticket, at=at_) == from_file.evaluate(ticket, at=at_)


def test_problems_in_a_mapping_have_paths_but_no_lines() -> None:
    data = minimal(
        routing=[{"owner": "nobody"}],
        owners={"desk": {}},
        priorities=[{"id": "P1", "when": {"impact": {"gtt": 1}}}, {"id": "P2"}],
    )
    problems = problems_of(data)
    assert [(p.file, p.line, p.column, p.path) for p in problems] == [
        (None, None, None, "priorities[0].when.impact.gtt"),
        (None, None, None, "slas[0].targets"),  # P2 has no targets
        (None, None, None, "routing[0].owner"),
    ]
    assert str(problems[2]) == (
        "<policy>: unknown owner 'nobody'; known: desk (at routing[0].owner)"
    )


def test_schema_problems_in_a_mapping_have_paths_but_no_lines() -> None:
    data = minimal()
    data["slas"][0]["targets"]["P1"]["respnse"] = "1h"
    problems = problems_of(data)
    assert [(p.line, p.column, p.path) for p in problems] == [
        (None, None, "slas[0].targets.P1.respnse")
    ]
    assert "did you mean 'response'?" in problems[0].message


def test_str_of_an_error_reads_file_line_column_message(tmp_path: Path) -> None:
    policy_file = tmp_path / "bad.yaml"
    policy_file.write_text(MINIMAL.replace("priorities:", "priorites:"), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(policy_file)
    error = caught.value
    assert isinstance(error, SlaPolicyError)
    assert isinstance(error, ValueError)
    lines = str(error).splitlines()
    assert lines == [
        "2 problems in policy:",
        f"  {policy_file}:1:1: missing required key 'priorities' (at priorities)",
        f"  {policy_file}:8:1: unknown key 'priorites' in policy; did you mean 'priorities'? "
        "(at priorites)",
    ]
    # a single problem is the whole message
    assert str(PolicyError([error.problems[1]])) == lines[2].strip()


def test_policy_error_pickles_with_its_problems() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(MINIMAL.replace("owner: desk", "owner: [desk]"))
    error = caught.value
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems
    assert str(again) == str(error)


# --------------------------------------------------------------------------- version, pickle


def test_version_is_stable_across_loads() -> None:
    first = load_policy(ENGINE)
    second = load_policy(ENGINE)
    assert first.version == second.version
    assert first.version.startswith("sha256:")
    assert len(first.version) == len("sha256:") + 16


def test_version_is_stable_across_processes_and_hash_seeds() -> None:
    script = (
        "import sys; from slapolicy import load_policy; print(load_policy(sys.argv[1]).version)"
    )
    here = load_policy(SERVICE_LEVELS).version
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", script, str(SERVICE_LEVELS)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        assert out.stdout.strip() == here


def test_version_ignores_comments_and_layout() -> None:
    relaid = MINIMAL.replace(
        "  office: {hours: always}", "  # 全天候\n  office:\n    hours: always"
    )
    assert relaid != MINIMAL
    assert load_policy(relaid).version == load_policy(MINIMAL).version


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("P1: {response: 1h}", "P1: {response: 2h}", id="target-duration"),
        pytest.param("P1: {response: 1h}", "P1: {response: 1h, resolve: 4h}", id="new-target"),
        pytest.param("{owner: desk}", "{owner: helpdesk}", id="routing-owner"),
    ],
)
def test_version_changes_when_the_policy_changes(old: str, new: str) -> None:
    changed = MINIMAL.replace(old, new)
    assert changed != MINIMAL
    assert load_policy(changed).version != load_policy(MINIMAL).version


@pytest.mark.parametrize(
    "source", [pytest.param(SERVICE_LEVELS, id="file"), pytest.param(ENGINE, id="text")]
)
def test_policy_pickles_to_an_equal_behaving_policy(source: Any) -> None:
    policy = load_policy(source)
    again = pickle.loads(pickle.dumps(policy))
    assert isinstance(again, Policy)
    assert again.version == policy.version
    assert again.name == policy.name
    assert set(again.calendars) == set(policy.calendars)
    tickets = [
        {"type": "outage", "impact": "core"},
        {"type": "billing", "impact": "major", "urgency": "high"},
        {"type": "invoice", "impact": "minor", "urgency": "high", "seats": "120"},
        {"type": "suggestion", "text": "希望增加夜间模式"},
        {},
    ]
    for ticket in tickets:
        for start in ("2026-05-08T17:50:00+08:00", "2026-03-06T11:00:00+08:00"):
            expected = policy.evaluate(ticket, at=start)
            got = again.evaluate(ticket, at=start)
            assert got == expected
            assert got.to_dict() == expected.to_dict()


def test_a_policy_loaded_from_a_mapping_pickles_as_it_was_loaded() -> None:
    data = minimal(owners={"desk": {}, "helpdesk": {}})
    policy = load_policy(data)
    data["routing"][0]["owner"] = "helpdesk"  # the caller reuses its mapping
    again = pickle.loads(pickle.dumps(policy))
    assert again.version == policy.version
    assert again.evaluate({}, at="2026-03-02T10:00:00+08:00").owner == "desk"
