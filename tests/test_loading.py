"""Tests of load_policy (slapolicy._compile): every problem the loader reports, where, how.

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


def edit(old: str, new: str, source: str = MINIMAL) -> str:
    """``source`` (MINIMAL unless given) with ``old``, which must occur once, replaced by ``new``.

    Lines before ``old`` keep their numbers: MINIMAL's line 5 is ``  office: {hours: always}``,
    line 7 ``  - {id: other}``, line 13 ``      P1: {response: 1h}`` and line 15
    ``  - {owner: desk}``.
    """
    assert source.count(old) == 1, old
    return source.replace(old, new)


def appended(sections: str) -> str:
    """MINIMAL followed by more top-level sections (dedented): their first line is line 16."""
    return MINIMAL + text(sections)


def with_calendars(section: str) -> str:
    """MINIMAL with its ``calendars:`` section replaced: the section's first line is line 4.

    The SLA counts on ``office`` (the section must have it), so that other calendars may be
    given without naming one for every target.
    """
    source = edit("    targets:\n", "    calendar: office\n    targets:\n")
    return edit("calendars:\n  office: {hours: always}\n", text(section), source)


def check_includes(problems: tuple[Problem, ...], expected: list[Expected]) -> None:
    """Each of ``expected`` is among the problems (others may be reported too)."""
    found = {(p.line, p.column, p.path): p.message for p in problems}
    for want in expected:
        key = (want.line, want.column, want.path)
        assert key in found, sorted(found.items(), key=str)
        for fragment in want.fragments:
            assert fragment in found[key]


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
            at(12, 22, "slas[0].targets.P1.response", "a target is working time like 2h", "60"),
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


# --------------------------------------------------------------------------- section by section
# Each case edits MINIMAL (see `edit`, `appended`, `with_calendars`): the line numbers are those
# of the edited text, the columns are counted on the line as written.

SCHEMA_CASES: list[Any] = [
    pytest.param(
        edit(
            "calendars:\n  office: {hours: always}\ncategories:\n  - {id: other}\n",
            "calendars: {}\ncategories: []\n",
        ),
        [
            at(4, 12, "calendars", "dictionary should have at least 1 item", "(got {})"),
            at(5, 13, "categories", "list should have at least 1 item", "(got [])"),
        ],
        id="empty-sections",
    ),
    pytest.param(
        edit("  office: {hours: always}", "  office: always"),
        [at(5, 11, "calendars.office", "input should be a valid dictionary", "'always'")],
        id="calendar-not-a-mapping",
    ),
    pytest.param(
        edit("    targets:\n      P1: {response: 1h}\n", "    targets: [P1]\n"),
        [at(12, 14, "slas[0].targets", "input should be a valid dictionary", "['P1']")],
        id="targets-not-a-mapping",
    ),
    pytest.param(
        # a value that fits neither form of a target: one message saying what fits
        edit("P1: {response: 1h}", "P1: {response: [1h]}"),
        [
            at(
                13,
                22,
                "slas[0].targets.P1.response",
                "a target is working time like 2h, or a mapping like {within: 2h",
                "(got ['1h'])",
            )
        ],
        id="target-fits-no-union-member",
    ),
    pytest.param(
        edit("  - {owner: desk}", "  - {id: " + "值" * 101 + ", owner: desk}"),
        [at(15, 10, "routing[0].id", "string should have at most 100 characters")],
        id="id-too-long",
    ),
    pytest.param(
        appended(
            """\
            clock: {on_reopen: reset, pause_statuses: 挂起}
            escalation:
              - {at: 75, target: respond, notify: owner}
              - {at: 七十五%, notify: owner}
            """
        ),
        [
            at(16, 20, "clock.on_reopen", "input should be 'continue' or 'restart'", "'reset'"),
            at(16, 43, "clock.pause_statuses", "input should be a valid list", "'挂起'"),
            at(18, 10, "escalation[0].at", "input should be a valid string (got 75)"),
            at(18, 22, "escalation[0].target", "'response', 'resolve' or 'update'", "'respond'"),
            at(19, 10, "escalation[1].at", "string should match pattern", "'七十五%'"),
        ],
        id="literals-and-patterns",
    ),
    pytest.param(
        appended(
            """\
            fields:
              seats: integer
              impact: {typ: string, label: [影响]}
            """
        ),
        [
            at(
                17,
                10,
                "fields.seats",
                "input should be a valid dictionary or instance of FieldDecl",
            ),
            # an unknown key sits on the key, a wrong value on the value
            at(18, 12, "fields.impact.typ", "unknown key 'typ' in fields.impact", "'type'?"),
            at(18, 32, "fields.impact.label", "input should be a valid string", "['影响']"),
        ],
        id="field-declaration-shapes",
    ),
    pytest.param(
        appended(
            """\
            examples:
              - {name: 夜间工单, ticket: {}, at: 5}
            """
        ),
        [
            # the missing key on the entry's mapping, the bad value on the value
            at(17, 5, "examples[0].expect", "missing required key 'expect'"),
            at(
                17,
                34,
                "examples[0].at",
                "valid datetime (got 5); or input should be a valid string",
            ),
        ],
        id="example-shapes",
    ),
]


@pytest.mark.parametrize(("source", "expected"), SCHEMA_CASES)
def test_schema_problem_is_reported_at_its_line_and_column(
    source: str, expected: list[Expected]
) -> None:
    check(problems_of(source), expected)


TARGET_CASES: list[Any] = [
    pytest.param(
        edit("      P1: {response: 1h}", "      P1: {calendar: office}"),
        # nothing to count: reported on the priority's mapping
        [at(13, 11, "slas[0].targets.P1", "give at least one of response, resolve, update")],
        id="target-without-any-time",
    ),
    pytest.param(
        edit(
            "      P1: {response: 1h}",
            "      P1: {response: 40000d, resolve: 999999999h, "
            "update: {within: 2x, calendar: 夜班}}",
        ),
        [
            at(13, 22, "slas[0].targets.P1.response", "'40000d' is too long; at most 36600 days"),
            at(13, 39, "slas[0].targets.P1.resolve", "duration '999999999h' is too long"),
            # a target with its own calendar: the duration is its `within`
            at(13, 68, "slas[0].targets.P1.update.within", "invalid duration '2x'"),
            at(13, 82, "slas[0].targets.P1.update.calendar", "unknown calendar '夜班'", "known"),
        ],
        id="durations-too-long-and-own-calendar",
    ),
    pytest.param(
        edit(
            "  office: {hours: always}\n",
            '  office: {hours: always}\n  夜班: {hours: {mon-fri: ["20:00-08:00"]}}\n',
            edit("P1: {response: 1h}", "P1: {response: 1h, resolve: 4h}"),
        ),
        # two calendars and none named: once for the priority, not once per target
        [at(14, 11, "slas[0].targets.P1", "no calendar: give the SLA or this target a `calendar`")],
        id="no-calendar-reported-once",
    ),
    pytest.param(
        edit(
            "    targets:\n      P1: {response: 1h}\n",
            "    calendar: 办公室\n    targets:\n      P1: {response: 1h, resolve: 4h}\n",
        ),
        # both targets count on the SLA's calendar: one problem, on its value
        [at(12, 15, "slas[0].calendar", "unknown calendar '办公室'", "known: office")],
        id="unknown-sla-calendar-reported-once",
    ),
    pytest.param(
        appended(
            """\
            escalation:
              - {before: 半小时, notify: owner}
            """
        ),
        [at(17, 14, "escalation[0].before", "invalid duration '半小时'", "'30s', '15m'")],
        id="escalation-before-not-a-duration",
    ),
]


@pytest.mark.parametrize(("source", "expected"), TARGET_CASES)
def test_target_problem_is_reported_at_its_line_and_column(
    source: str, expected: list[Expected]
) -> None:
    check(problems_of(source), expected)


def test_every_bad_field_declaration_is_reported_at_once() -> None:
    source = appended(
        """\
        fields:
          seats: {type: int}
          级别: {type: 整数}
          impact: {enum: []}
          vip: {type: boolean, enum: [1, 0]}
          tier: {type: integer, enum: [1, 二, 3]}
          urgency: {enum: [高, 低, 高]}
          channel: {enum: [1, 邮件]}
        """
    )
    check(
        problems_of(source),
        [
            at(17, 17, "fields.seats.type", "unknown field type 'int'", "did you mean 'integer'?"),
            at(18, 14, "fields.级别.type", "unknown field type '整数'", "expected one of string"),
            at(19, 18, "fields.impact.enum", "enum must be a non-empty list of values"),
            at(20, 30, "fields.vip.enum", "an enum needs type string, integer or number"),
            # a bad or repeated enum value: on that value
            at(21, 35, "fields.tier.enum[1]", "enum value expected an integer", "'二'"),
            at(22, 26, "fields.urgency.enum[2]", "enum value '高' is listed twice"),
            at(23, 19, "fields.channel.enum", "enum values must be all text or all numbers"),
        ],
    )


CALENDAR_CASES: list[Any] = [
    pytest.param(
        """\
        calendars:
          office: {timezone: 8, hours: always}
        """,
        [at(5, 22, "calendars.office.timezone", "invalid time zone 8", "IANA")],
        id="timezone-not-text",
    ),
    pytest.param(
        """\
        calendars:
          office: {hours: 24x7}
        """,
        [at(5, 19, "calendars.office.hours", "`hours` must be a mapping", "or 'always'")],
        id="hours-not-a-mapping",
    ),
    pytest.param(
        """\
        calendars:
          office: {timezone: Asia/Shanghai}
          night: {hours: {}}
        """,
        # missing `hours`: on the calendar's mapping; empty `hours`: on its value
        [
            at(5, 11, "calendars.office.hours", "no working time", "`hours: always`"),
            at(6, 18, "calendars.night.hours", "no working time"),
        ],
        id="no-working-time",
    ),
    pytest.param(
        """\
        calendars:
          office:
            hours:
              mon-fry: ["09:00-18:00"]
              周八: ["09:00-18:00"]
        """,
        # a bad day is a bad key: on the key
        [
            at(7, 7, "calendars.office.hours.mon-fry", "invalid day range 'mon-fry'", "'mon-fri'"),
            at(8, 7, "calendars.office.hours.周八", "invalid day '周八'", "use mon, tue"),
        ],
        id="bad-day-keys",
    ),
    pytest.param(
        """\
        calendars:
          office:
            hours:
              mon: [9, 9-18, "09:00-09:00"]
              tue: {from: 9}
        """,
        [
            at(7, 13, "calendars.office.hours.mon[0]", "a window must be a string", "not 9"),
            at(7, 16, "calendars.office.hours.mon[1]", "invalid window '9-18'", "'09:00-12:00'"),
            at(7, 22, "calendars.office.hours.mon[2]", "window '09:00-09:00' is empty"),
            at(8, 12, "calendars.office.hours.tue", "expected a list of windows", "{'from': 9}"),
        ],
        id="bad-windows",
    ),
    pytest.param(
        """\
        calendars:
          office:
            hours: {mon-fri: ["09:00-18:00"]}
            workday_hours: ["9-18"]
        """,
        [at(7, 21, "calendars.office.workday_hours[0]", "invalid window '9-18'")],
        id="bad-workday-hours",
    ),
    pytest.param(
        """\
        calendars:
          office: {hours: always, holiday: {country: CN}}
        """,
        [at(5, 27, "calendars.office.holiday", "unknown key 'holiday'", "'holidays'?")],
        id="unknown-calendar-key-flow-style",
    ),
    pytest.param(
        """\
        calendars:
          office:
            hours: always
            holidays: [2026-10-01]
          night:
            hours: always
            holidays: {contry: CN}
          shift:
            hours: always
            holidays: {country: 中国}
        """,
        [
            at(7, 15, "calendars.office.holidays", "`holidays` must be a mapping with `country`"),
            at(10, 16, "calendars.night.holidays.contry", "unknown key 'contry'", "'country'?"),
            at(13, 25, "calendars.shift.holidays.country", "unknown holiday country '中国'"),
        ],
        id="bad-holidays",
    ),
    pytest.param(
        """\
        calendars:
          office:
            hours: always
            holidays:
              dates: 2026-10-01
        """,
        [at(8, 14, "calendars.office.holidays.dates", "expected a list of dates")],
        id="holiday-dates-not-a-list",
    ),
    pytest.param(
        """\
        calendars:
          office:
            hours: always
            holidays:
              dates:
                - "2026-02-30"
                - 2026-10-07..2026-10-01
                - "1800-01-01"
                - 2026-10-01 09:00:00
                - 国庆
                - {name: 国庆}
        """,
        [
            at(9, 11, "calendars.office.holidays.dates[0]", "invalid date in '2026-02-30'"),
            at(10, 11, "calendars.office.holidays.dates[1]", "ends before it starts"),
            at(11, 11, "calendars.office.holidays.dates[2]", "outside 1901-01-01..2199-12-31"),
            at(12, 11, "calendars.office.holidays.dates[3]", "got a date and time"),
            at(13, 11, "calendars.office.holidays.dates[4]", "invalid date '国庆'", "YYYY-MM-DD"),
            at(14, 11, "calendars.office.holidays.dates[5]", "a dated entry needs `date`"),
        ],
        id="bad-holiday-dates",
    ),
    pytest.param(
        """\
        calendars:
          office:
            hours: {sat: ["09:00-12:00"]}
            workdays: [2026-10-10]
          night:
            hours: {mon-fri: ["09:00-18:00"]}
            holidays: {dates: [2026-10-10]}
            workdays: [2026-10-10]
          shift:
            hours: {mon-fri: ["09:00-18:00"]}
            workdays: 2026-10-10
          weekend:
            hours: {mon-fri: ["09:00-18:00"]}
            workdays:
              - {date: 2026-10-10, hours: ["9-18"]}
        """,
        [
            at(7, 16, "calendars.office.workdays[0]", "this workday has no hours", "workday_hours"),
            at(11, 16, "calendars.night.workdays[0]", "2026-10-10 is both a holiday and a workday"),
            at(14, 15, "calendars.shift.workdays", "expected a list of dates"),
            at(18, 36, "calendars.weekend.workdays[0].hours[0]", "invalid window '9-18'"),
        ],
        id="bad-workdays",
    ),
]


@pytest.mark.parametrize(("section", "expected"), CALENDAR_CASES)
def test_calendar_problem_is_reported_at_its_line_and_column(
    section: str, expected: list[Expected]
) -> None:
    check(problems_of(with_calendars(section)), expected)


# `when` of a first category, on line 7 of MINIMAL; the label 缺陷 counts two columns
WHEN_LINE = 7
WHEN_COLUMN = 32
WHEN_PATH = "categories[0].when"
WHEN_FIELDS = """\
fields:
  impact: {enum: [core, major, minor]}
  seats: {type: integer}
  title: {type: string}
  tags: {type: list}
"""


def with_when(when: str) -> str:
    """MINIMAL with a category `bug` (`when: <when>`) before `other`, and declared fields."""
    line = f"  - {{id: bug, label: 缺陷, when: {when}}}\n"
    source = edit("  - {id: other}\n", line + "  - {id: other}\n") + WHEN_FIELDS
    assert source.splitlines()[WHEN_LINE - 1][WHEN_COLUMN - 1 :].startswith(when)
    return source


def in_when(offset: int, path: str, *fragments: str) -> Expected:
    """A problem ``offset`` characters into the `when` text, at ``categories[0].when<path>``."""
    return at(WHEN_LINE, WHEN_COLUMN + offset, WHEN_PATH + path, *fragments)


WHEN_CASES: list[Any] = [
    pytest.param(
        "bug", [in_when(0, "", "a condition must be a mapping, got text 'bug'")], id="text"
    ),
    pytest.param(
        "[{type: bug}]",
        [in_when(0, "", "a condition must be a mapping, got a list", "write all: [...]")],
        id="list",
    ),
    pytest.param("{}", [in_when(0, "", "empty condition", "leave out `when`")], id="empty"),
    pytest.param(
        "{all: {type: bug}}",
        [in_when(6, ".all", "all takes a list of conditions, got a mapping")],
        id="all-of-a-mapping",
    ),
    pytest.param(
        "{any: []}",
        [in_when(6, ".any", "any takes a non-empty list of conditions, got an empty list")],
        id="any-of-nothing",
    ),
    pytest.param(
        "{not: [{type: bug}]}",
        [in_when(6, ".not", "not takes one condition mapping, got a list")],
        id="not-of-a-list",
    ),
    pytest.param(
        "{impact: {}}",
        [in_when(9, ".impact", "no operator given for field 'impact'")],
        id="no-operator",
    ),
    pytest.param(
        "{title: {exists: false, contains: 慢}}",
        [in_when(17, ".title.exists", "exists: false cannot be combined with other operators")],
        id="exists-false-with-operators",
    ),
    pytest.param(
        "{title: {exists: yes}}",
        [in_when(17, ".title.exists", "exists takes true or false, got text 'yes'")],
        id="exists-not-a-boolean",
    ),
    pytest.param(
        "{title: {contains: 慢, case: ignore}}",
        [in_when(28, ".title.case", "case must be 'insensitive' or 'sensitive'", "'ignore'")],
        id="bad-case",
    ),
    pytest.param(
        "{impact: {gt: major, case: insensitive}}",
        [in_when(27, ".impact.case", "case applies only to the text operators")],
        id="case-without-text-operator",
    ),
    pytest.param(
        "{tags: {eq: vip}}",
        [in_when(12, ".tags.eq", "eq does not apply to field 'tags', declared as list")],
        id="operator-not-for-declared-kind",
    ),
    pytest.param(
        "{impact: ~}",
        [in_when(9, ".impact", "null never matches", "{exists: false}")],
        id="null-literal",
    ),
    pytest.param(
        "{type: {eq: {a: b}}}",
        [in_when(12, ".type.eq", "expected a single value, got a mapping", "'type.key: ...'")],
        id="mapping-literal",
    ),
    pytest.param(
        "{type: {ne: [a, b]}}",
        [in_when(12, ".type.ne", "expected a single value, got a list", "in: [...]")],
        id="list-literal",
    ),
    pytest.param(
        "{score: .nan}", [in_when(8, ".score", "NaN never equals anything")], id="nan-literal"
    ),
    pytest.param(
        "{created_at: {gt: 2026-01-01}}",
        [in_when(18, ".created_at.gt", "needs field 'created_at' declared", "{type: datetime}")],
        id="date-literal-for-undeclared-field",
    ),
    pytest.param(
        "{impact: cor}",
        [in_when(9, ".impact", "value for field 'impact': 'cor' is not one of", "'core'?")],
        id="value-not-in-enum",
    ),
    pytest.param(
        "{seats: {ge: 一百}}",
        [in_when(13, ".seats.ge", "value for field 'seats': expected an integer", "'一百'")],
        id="value-not-of-declared-kind",
    ),
    pytest.param(
        "{impact: {in: []}}",
        [in_when(14, ".impact.in", "in takes a non-empty list of values, got an empty list")],
        id="in-nothing",
    ),
    pytest.param(
        "{seats: {between: [1, 2, 3]}}",
        [in_when(18, ".seats.between", "between takes a list [low, high], got a list of 3")],
        id="between-three",
    ),
    pytest.param(
        "{seats: {between: [10, 1]}}",
        [in_when(18, ".seats.between", "low bound 10 is greater than high bound 1", "[1, 10]")],
        id="between-reversed",
    ),
    pytest.param(
        "{score: {between: [1, 高]}}",
        [in_when(18, ".score.between", "between bounds must be of one kind", "number and string")],
        id="between-mixed-kinds",
    ),
    pytest.param(
        "{title: {contains: true}}",
        [in_when(19, ".title.contains", "needle for field 'title': expected text", "quote it")],
        id="needle-not-text",
    ),
    pytest.param(
        "{text: {contains: ''}}",
        [in_when(18, ".text.contains", "an empty needle is contained in every text")],
        id="empty-needle",
    ),
    pytest.param(
        "{text: {contains_all: 报错}}",
        [in_when(22, ".text.contains_all", "contains_all takes a non-empty list of needles")],
        id="needles-not-a-list",
    ),
    pytest.param(
        "{tags: {contains_any: [vip, '']}}",
        [in_when(28, ".tags.contains_any[1]", "an empty needle")],
        id="empty-needle-in-a-list",
    ),
    pytest.param(
        "{text: {matches: 5}}",
        [in_when(17, ".text.matches", "matches takes a regular expression as text, got number 5")],
        id="pattern-not-text",
    ),
    pytest.param(
        "{text: {matches: ''}}",
        [in_when(17, ".text.matches", "an empty pattern matches every text")],
        id="empty-pattern",
    ),
    pytest.param(
        "{not: {not: {impact: {in: x}}}}",
        [in_when(26, ".not.not.impact.in", "in takes a non-empty list of values, got text 'x'")],
        id="nested-not",
    ),
    pytest.param(
        "{any: [{impact: core}, {seats: {ge: 一百}}]}",
        [in_when(36, ".any[1].seats.ge", "expected an integer")],
        id="inside-any",
    ),
    pytest.param(
        "{type: {in: [" + "a, " * 1000 + "a]}}",
        [in_when(12, ".type.in", "in has 1001 values; at most 1000 are allowed")],
        id="in-too-many-values",
    ),
    pytest.param(
        "{text: {contains_any: [" + "慢, " * 1000 + "慢]}}",
        [in_when(22, ".text.contains_any", "contains_any has 1001 needles; at most 1000")],
        id="too-many-needles",
    ),
    pytest.param(
        "{text: {contains: " + "慢" * 1001 + "}}",
        [in_when(18, ".text.contains", "needle is longer than 1000 characters")],
        id="needle-too-long",
    ),
    pytest.param(
        "{text: {matches: " + "a" * 1001 + "}}",
        [in_when(17, ".text.matches", "pattern is longer than 1000 characters")],
        id="pattern-too-long",
    ),
    pytest.param(
        # 32 levels are allowed: the condition inside the 32nd `not` is the 33rd
        "{not: " * 32 + "{type: bug}" + "}" * 32,
        [in_when(6 * 32, ".not" * 32, "conditions nest more than 32 levels deep")],
        id="nesting-too-deep",
    ),
    pytest.param(
        "{impact: [core, ~, majr], seats: {between: [10, 1]}}",
        # every problem of one condition, each on its own value
        [
            in_when(16, ".impact[1]", "null never matches"),
            in_when(19, ".impact[2]", "'majr' is not one of", "did you mean 'major'?"),
            in_when(43, ".seats.between", "greater than high bound"),
        ],
        id="several-in-one-condition",
    ),
]


@pytest.mark.parametrize(("when", "expected"), WHEN_CASES)
def test_condition_problem_is_reported_at_its_line_and_column(
    when: str, expected: list[Expected]
) -> None:
    check(problems_of(with_when(when)), expected)


def test_condition_problems_of_several_rules_are_reported_at_once() -> None:
    # block style, in categories, priorities and escalation: each at its place in the file
    source = text(
        """\
        slapolicy: 1
        name: t
        timezone: Asia/Shanghai
        calendars:
          office: {hours: always}
        categories:
          - id: 慢
            when:
              text:
                contains_any: []
          - {id: other}
        priorities:
          - id: P1
            when:
              all:
                - {impact: core}
                - not:
                    - {type: test}
          - {id: P2}
        slas:
          - id: standard
            targets:
              P1: {response: 1h}
              P2: {response: 2h}
        routing:
          - {owner: desk}
        escalation:
          - at: 50%
            notify: owner
            when:
              customer.tier: {ge: true}
        """
    )
    check(
        problems_of(source),
        [
            at(10, 23, "categories[0].when.text.contains_any", "got an empty list"),
            at(18, 13, "priorities[0].when.all[1].not", "not takes one condition mapping"),
            # "      customer.tier: {ge: true}": a dotted field name is quoted in the path
            at(31, 27, 'escalation[0].when["customer.tier"].ge', "booleans have no order"),
        ],
    )


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


def test_compile_problems_of_every_kind_are_reported_at_once_in_file_order() -> None:
    # a field declaration, a calendar, conditions, a target and an escalation: one error
    with pytest.raises(PolicyError) as caught:
        load_policy(
            text(
                """\
                slapolicy: 1
                name: 多问题
                timezone: Asia/Shanghai
                fields:
                  seats: {type: int}
                calendars:
                  office:
                    hours: {mon-fri: ["09:00-18:00"]}
                    workdays: [{date: 2026-10-10, hours: ["9-18"]}]
                categories:
                  - id: 慢
                    when:
                      text: {contains_any: []}
                      impact: {between: [高, 1]}
                  - {id: other}
                priorities:
                  - {id: P1}
                slas:
                  - id: standard
                    targets:
                      P1: {response: 40000d}
                routing:
                  - {owner: desk}
                escalation:
                  - {before: 半小时, notify: owner}
                """
            )
        )
    error = caught.value
    check(
        error.problems,
        [
            at(5, 17, "fields.seats.type", "unknown field type 'int'"),
            at(9, 43, "calendars.office.workdays[0].hours[0]", "invalid window '9-18'"),
            at(13, 28, "categories[0].when.text.contains_any", "got an empty list"),
            at(14, 25, "categories[0].when.impact.between", "bounds must be of one kind"),
            at(21, 22, "slas[0].targets.P1.response", "'40000d' is too long"),
            at(25, 14, "escalation[0].before", "invalid duration '半小时'"),
        ],
    )
    assert str(error).splitlines()[0] == "6 problems in policy:"


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


YAML_CASES: list[Any] = [
    pytest.param(
        edit("name: minimal", "name: !!python/object/apply:os.system [echo]"),
        at(2, 7, "name", "the tag '!!python/object/apply:os.system' is not allowed", "never runs"),
        id="python-tag",
    ),
    pytest.param(
        edit("name: minimal", "name: !secret minimal"),
        at(2, 7, "name", "unsupported tag '!secret'", "only !!str"),
        id="custom-tag",
    ),
    pytest.param(
        edit(
            "  office: {hours: always}",
            "  office: {hours: always, holidays: {dates: [2026-02-30]}}",
        ),
        at(5, 46, "calendars.office.holidays.dates[0]", "'2026-02-30' is not a valid date"),
        id="impossible-date",
    ),
    pytest.param(
        edit("  - {owner: desk}", "  - {owner: desk, [a, b]: c}"),
        # on the key; the path is the mapping that holds it
        at(15, 19, "routing[0]", "a mapping key must be text, not a list"),
        id="list-as-key",
    ),
    pytest.param(
        edit("  office: {hours: always}", "  office: &office {hours: always, self: *office}"),
        at(5, 41, "calendars.office.self", "alias '*office' refers to a value that contains it"),
        id="recursive-alias",
    ),
    pytest.param(
        edit("  office: {hours: always}", "  office: {<<: always, hours: always}"),
        at(5, 16, "calendars.office", "a merge key '<<' needs a mapping or a list of mappings"),
        id="merge-of-a-scalar",
    ),
    pytest.param(
        edit("  office: {hours: always}", "  office: {<<: [always], hours: always}"),
        at(5, 17, "calendars.office", "a merge key '<<' can only merge mappings"),
        id="merge-of-a-list-of-scalars",
    ),
    pytest.param(
        edit("  - {owner: desk}", "  - {owner: *desk}"),
        at(15, 13, "", "invalid YAML: found undefined alias 'desk'", "define the anchor"),
        id="undefined-alias",
    ),
    pytest.param(
        edit(
            "  office: {hours: always}",
            "  office: &hours {hours: always}\n  night: &hours {hours: always}",
        ),
        at(6, 10, "", "the anchor 'hours' is defined twice (first defined at line 5)"),
        id="anchor-defined-twice",
    ),
    pytest.param(
        edit("      P1: {response: 1h}", "\tP1: {response: 1h}"),
        at(13, 1, "", "invalid YAML: found a tab character", "must use spaces"),
        id="tab-indentation",
    ),
    pytest.param(
        edit("name: minimal", "name: mini\x07mal"),
        at(2, 11, "", "the control character U+0007", "remove it"),
        id="control-character",
    ),
    pytest.param(
        edit("name: minimal", "name: 服务: 等级"),
        at(2, 9, "", "mapping values are not allowed here", "quote a value containing ': '"),
        id="colon-in-plain-value",
    ),
    pytest.param(
        edit("  - {owner: desk}", "  - {owner: desk}\n - {owner: tech}"),
        at(16, 2, "", "invalid YAML: expected <block end>", "check the indentation"),
        id="bad-indentation",
    ),
    pytest.param(
        edit("  - {owner: desk}", "  - {owner: desk, cc: [boss}"),
        at(15, 28, "", "expected ',' or ']'", "flow sequence that starts at line 15, column 23"),
        id="unclosed-bracket",
    ),
    pytest.param(
        edit("name: minimal", "name: '最小"),
        # found at the end of the text: after line 15
        at(16, 1, "", "end of stream", "starts at line 2, column 7", "quote or bracket"),
        id="unclosed-quote",
    ),
    pytest.param(
        MINIMAL + "---\nname: again\n",
        at(16, 1, "", "the file holds more than one YAML document", "remove the extra '---'"),
        id="second-document",
    ),
]


@pytest.mark.parametrize(("source", "expected"), YAML_CASES)
def test_yaml_problem_is_one_problem_at_its_line_and_column(
    source: str, expected: Expected
) -> None:
    check(problems_of(source), [expected])


def test_every_problem_found_while_reading_yaml_is_reported_at_once() -> None:
    source = edit(
        "name: minimal",
        "name: minimal\nname: 最小",
        edit(
            "  office: {hours: always}",
            "  office: {hours: always, holidays: {dates: [2026-02-30]}}",
        ),
    )
    source += "owners:\n  desk: !!set {a, b}\n"
    check(
        problems_of(source),
        [
            at(3, 1, "name", "duplicate key 'name' (first defined at line 2)"),
            at(6, 46, "calendars.office.holidays.dates[0]", "is not a valid date"),
            at(18, 9, "owners.desk", "unsupported tag '!!set'"),
        ],
    )


def test_an_empty_policy_is_one_problem_without_a_location() -> None:
    problems = problems_of("# 空的策略\n\n")
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (None, None, "", "policy file is empty")
    ]


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        pytest.param("null\n", "nothing", id="null"),
        pytest.param("服务等级\n", "str", id="text"),
        pytest.param("42\n", "int", id="number"),
    ],
)
def test_a_policy_that_is_a_single_value_is_a_problem_at_its_start(source: str, kind: str) -> None:
    problems = problems_of(source)
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (1, 1, "", f"a policy must be a mapping of sections, got {kind}")
    ]


def test_a_policy_file_not_in_utf8_is_reported_at_its_first_bad_byte(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(MINIMAL.replace("name: minimal", "name: 服务等级").encode("gbk"))
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes(MINIMAL.encode("utf-16"))
    (problem,) = problems_of(gbk)
    # `服` is the first character GBK writes differently: line 2, column 7
    assert (problem.file, problem.line, problem.column, problem.path) == (str(gbk), 2, 7, "")
    assert "not valid UTF-8" in problem.message
    (problem,) = problems_of(utf16)
    assert (problem.file, problem.line, problem.column) == (str(utf16), 1, 1)
    assert "UTF-16" in problem.message


# --------------------------------------------------------------------------- exact places
# Problems that were once reported in the wrong place (or not at all): inside unions of the
# schema, inside dated calendar entries, on day keys and on condition field names.

_UNION_TAGS = ("constrained-str", "TargetTime", "list[", ".str", ".int", ".float")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            edit(
                "      P1: {response: 1h}\n",
                "      P1:\n        response:\n          within: 4h\n          calender: office\n",
            ),
            # reported today as "unknown key 'response' ...; did you mean 'response'?" on
            # line 14, column 9
            at(
                16,
                11,
                "slas[0].targets.P1.response.calender",
                "unknown key 'calender' in slas[0].targets.P1.response",
                "did you mean 'calendar'?",
            ),
            id="unknown-key-in-a-target-with-its-own-calendar",
        ),
        pytest.param(
            edit("P1: {response: 1h}", "P1: {response: {calendar: office}}"),
            # reported today as "missing required key 'response'"
            at(13, 22, "slas[0].targets.P1.response.within", "missing required key 'within'"),
            id="missing-within",
        ),
        pytest.param(
            appended(
                """\
                escalation:
                  - {at: 50%, notify: [owner, 值班 主管]}
                """
            ),
            # reported today on the list (column 23), not on its bad item
            at(17, 31, "escalation[0].notify[1]", "string should match pattern", "'值班 主管'"),
            id="bad-item-of-a-notify-list",
        ),
        pytest.param(
            appended(
                """\
                fields:
                  impact: {enum: [{高: 1}]}
                """
            ),
            # reported today three times, at fields.impact.enum[0].str, .int and .float
            at(17, 19, "fields.impact.enum[0]", "valid string", "; or input should be a valid"),
            id="mapping-given-for-a-union",
        ),
    ],
)
def test_schema_problem_inside_a_union_is_reported_on_the_offending_node(
    source: str, expected: Expected
) -> None:
    problems = problems_of(source)
    check_includes(problems, [expected])
    assert not [p.path for p in problems if any(tag in p.path for tag in _UNION_TAGS)]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(
            "{date: 2026-10-01, nmae: 国庆}",
            # an unknown key sits on the key
            at(9, 30, "calendars.office.holidays.dates[0].nmae", "unknown key 'nmae'", "'name'?"),
            id="unknown-key",
        ),
        pytest.param(
            '{date: "2026-02-30", name: 国庆}',
            at(9, 18, "calendars.office.holidays.dates[0].date", "invalid date in '2026-02-30'"),
            id="bad-date",
        ),
        pytest.param(
            "{date: 2026-10-01, name: 1001}",
            at(9, 36, "calendars.office.holidays.dates[0].name", "`name` must be text"),
            id="name-not-text",
        ),
    ],
)
def test_problem_in_a_dated_calendar_entry_is_reported_on_its_key_or_value(
    entry: str, expected: Expected
) -> None:
    section = f"""\
        calendars:
          office:
            hours: always
            holidays:
              dates:
                - {entry}
        """
    check(problems_of(with_calendars(section)), [expected])


def test_unknown_holiday_subdivision_is_reported_on_the_subdivision() -> None:
    section = """\
        calendars:
          office:
            hours: always
            holidays: {country: CN, subdivision: BJ}
        """
    check(
        problems_of(with_calendars(section)),
        [at(7, 42, "calendars.office.holidays.subdivision", "unknown subdivision 'BJ' of CN")],
    )


def test_holiday_out_of_range_is_reported_when_written_as_a_yaml_date() -> None:
    section = """\
        calendars:
          office:
            hours: always
            holidays: {dates: [1800-01-01]}
        """
    check(
        problems_of(with_calendars(section)),
        [at(7, 24, "calendars.office.holidays.dates[0]", "outside 1901-01-01..2199-12-31")],
    )


def test_a_day_given_twice_is_reported_on_the_second_day_key() -> None:
    section = """\
        calendars:
          office:
            hours:
              mon-fri: ["09:00-18:00"]
              周五: ["09:00-12:00"]
        """
    check(
        problems_of(with_calendars(section)),
        [at(8, 7, "calendars.office.hours.周五", "Friday is already given by 'mon-fri'")],
    )


def test_a_night_shift_overlapping_the_next_day_is_reported_on_that_day() -> None:
    section = """\
        calendars:
          office:
            hours:
              mon: ["20:00-08:00"]
              tue: ["07:00-12:00"]
        """
    check(
        problems_of(with_calendars(section)),
        [at(8, 12, "calendars.office.hours.tue", "on Tuesday: windows", "(night shift)")],
    )


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        pytest.param(
            "{customer..tier: gold}",
            in_when(1, '["customer..tier"]', "field name 'customer..tier' has an empty part"),
            id="empty-part",
        ),
        pytest.param(
            "{customer. tier: gold}",
            in_when(1, '["customer. tier"]', "has spaces around a part"),
            id="spaces-around-a-part",
        ),
        pytest.param(
            "{" + "字" * 201 + ": x}",
            in_when(1, "." + "字" * 201, "field name is longer than 200 characters"),
            id="too-long",
        ),
        pytest.param(
            "{gt: 3}", in_when(1, ".gt", "'gt' is an operator, not a field"), id="operator"
        ),
        pytest.param(
            "{case: insensitive}",
            in_when(1, ".case", "case: insensitive belongs next to the operators"),
            id="case-as-a-field",
        ),
    ],
)
def test_a_bad_field_name_is_reported_on_the_key(when: str, expected: Expected) -> None:
    check(problems_of(with_when(when)), [expected])


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
