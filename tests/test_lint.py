"""Every lint finding code: a small policy that triggers it, and one that does not."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from slapolicy import load_policy
from slapolicy._tooling.lint import CODES, Finding, lint

TODAY = date(2026, 1, 15)

# A clean policy: every later case changes one thing in it.
BASE = """\
slapolicy: 1
name: lint base
timezone: Asia/Shanghai
calendars:
  office:
    hours: {mon-fri: ["09:00-12:00", "13:30-18:00"]}
categories:
  - {id: outage, when: {type: outage}}
  - {id: howto, when: {text: {contains_any: [怎么, 如何]}}}
  - {id: other}
priorities:
  - {id: P1, when: {impact: core}}
  - {id: P2, when: {impact: major}}
  - {id: P3}
slas:
  - id: standard
    calendar: office
    targets:
      P1: {response: 15m, resolve: 2h}
      P2: {response: 30m, resolve: 1d}
      P3: {response: 2h, resolve: 3d}
routing:
  - {when: {category: outage}, owner: tech}
  - {owner: desk}
owners:
  tech: {lead: head}
  desk: {lead: head}
  head: {}
escalation:
  - {target: response, at: 75%, notify: owner.lead}
"""


def codes(text: str) -> list[str]:
    return [f.code for f in lint(load_policy(text), today=TODAY)]


def findings(text: str) -> list[Finding]:
    return lint(load_policy(text), today=TODAY)


def test_base_policy_is_clean() -> None:
    assert findings(BASE) == []


@pytest.mark.parametrize(
    ("code", "old", "new"),
    [
        pytest.param(
            "SP101",
            "  - {id: howto, when: {text: {contains_any: [怎么, 如何]}}}\n",
            "  - {id: howto, when: {text: {contains_any: [怎么, 如何]}}}\n"
            "  - {id: outage2, when: {type: outage, impact: core}}\n",
            id="SP101-narrower-rule-after-broader",
        ),
        pytest.param(
            "SP101",
            "  - {id: outage, when: {type: outage}}\n",
            "  - {id: outage, when: {type: outage}}\n  - {id: again, when: {type: outage}}\n",
            id="SP101-identical-condition",
        ),
        pytest.param(
            "SP101",
            "  - {id: outage, when: {type: outage}}\n",
            "  - {id: outage, when: {type: [outage, incident]}}\n"
            "  - {id: incident, when: {type: incident}}\n",
            id="SP101-membership-includes-value",
        ),
        pytest.param(
            "SP102",
            "  - {id: P1, when: {impact: core}}\n",
            "  - {id: P1, when: {any: [{impact: {exists: true}}, {impact: {exists: false}}]}}\n",
            id="SP102-tautology-hides-default",
        ),
        pytest.param(
            "SP103",
            "  - {id: P2, when: {impact: major}}\n",
            "  - {id: P2}\n",
            id="SP103-priority-without-when-or-matrix",
        ),
        pytest.param(
            "SP104",
            "P2: {response: 30m, resolve: 1d}",
            "P2: {response: 2d, resolve: 1d}",
            id="SP104-response-after-resolve",
        ),
        pytest.param("SP105", "  head: {}\n", "  head: {}\n  ghost: {}\n", id="SP105-unused-owner"),
        pytest.param(
            "SP106",
            "calendars:\n",
            "calendars:\n  spare: {hours: always}\n",
            id="SP106-unused-calendar",
        ),
        pytest.param(
            "SP107",
            "    hours: {mon-fri:",
            "    holidays: {country: CN}\n    hours: {mon-fri:",
            id="SP107-holiday-data-ending",
        ),
        pytest.param(
            "SP108",
            "  - {id: other}\n",
            "  - {id: faq, when: {text: {contains: 如何}}}\n  - {id: other}\n",
            id="SP108-duplicate-keyword",
        ),
        pytest.param(
            "SP109",
            "  - {target: response, at: 75%, notify: owner.lead}\n",
            "  - {target: response, at: 75%, notify: owner.lead}\n"
            "  - {target: update, before: 30m, notify: owner}\n",
            id="SP109-escalation-of-undefined-target",
        ),
        pytest.param(
            "SP110",
            "contains_any: [怎么, 如何]",
            "contains_any: [怎么, 12315]",
            id="SP110-number-keyword",
        ),
        pytest.param(
            "SP111",
            "contains_any: [怎么, 如何]",
            "contains_any: [怎么，如何]",
            id="SP111-full-width-comma-joins-keywords",
        ),
        pytest.param(
            "SP112",
            "  - {id: outage, when: {type: outage}}\n",
            "  - {id: outage, when: {type: outage}}\n  - {id: vip, when: {vip: yes}}\n",
            id="SP112-yes-as-text",
        ),
    ],
)
def test_each_code_fires_on_its_case_only(code: str, old: str, new: str) -> None:
    assert old in BASE
    assert code not in codes(BASE)
    assert code in codes(BASE.replace(old, new, 1))


def test_every_code_has_a_case() -> None:
    tested = {f"SP1{n:02d}" for n in range(1, 13)}
    assert tested == set(CODES)


def test_holiday_data_warning_depends_on_today() -> None:
    text = BASE.replace("    hours: {mon-fri:", "    holidays: {country: CN}\n    hours: {mon-fri:")
    policy = load_policy(text)
    assert "SP107" in [f.code for f in lint(policy, today=date(2026, 6, 1))]
    assert "SP107" not in [f.code for f in lint(policy, today=date(2025, 6, 1))]


def test_findings_carry_line_column_and_path() -> None:
    text = BASE.replace("  head: {}\n", "  head: {}\n  ghost: {}\n")
    (finding,) = [f for f in findings(text) if f.code == "SP105"]
    line = text.splitlines().index("  ghost: {}") + 1
    assert (finding.line, finding.column) == (line, 10)
    assert finding.path == ("owners", "ghost")
    assert finding.severity == "info"
    assert str(finding).startswith(f"<policy>:{line}:10: SP105 owner 'ghost'")
    assert finding.to_dict()["name"] == "unused-owner"


def test_shadowing_is_not_reported_for_a_narrower_earlier_rule() -> None:
    text = BASE.replace(
        "  - {id: outage, when: {type: outage}}\n",
        "  - {id: core-outage, when: {type: outage, impact: core}}\n"
        "  - {id: outage, when: {type: outage}}\n",
    )
    assert "SP101" not in codes(text)


def test_sample_policies_have_no_warnings_before_holiday_data_runs_out() -> None:
    from pathlib import Path

    for path in sorted((Path(__file__).parent.parent / "policies").glob("*.yaml")):
        found = [
            f for f in lint(load_policy(path), today=date(2025, 6, 1)) if f.severity == "warning"
        ]
        assert found == [], textwrap.indent("\n".join(map(str, found)), "  ")


def test_yes_is_fine_for_a_declared_text_field() -> None:
    text = BASE.replace(
        "categories:\n",
        "fields:\n  answer: {type: string}\ncategories:\n  - {id: agreed, when: {answer: yes}}\n",
    )
    assert "SP112" not in codes(text)


# --------------------------------------------------------------------------- read from the tree
# The checks walk the compiled condition tree, where literals of declared fields are already
# converted and equal values are compared by kind: these are the answers the raw YAML got
# wrong.

OUTAGE = "  - {id: outage, when: {type: outage}}\n"


def test_a_number_keyword_of_a_declared_text_field_is_text() -> None:
    """The compiler turns 12315 into '12315' for a {type: string} field: it matches text."""
    text = BASE.replace("contains_any: [怎么, 如何]", "contains_any: [怎么, 12315]").replace(
        "categories:\n", "fields:\n  text: {type: string}\ncategories:\n", 1
    )
    assert load_policy(text).classify({"text": "请拨打12315"})[0] == "howto"
    assert codes(text) == []


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        pytest.param("{level: 3}", "{level: '3'}", id="equal-after-conversion"),
        pytest.param("{level: {gt: 1}}", "{level: {gt: 1, lt: 5}}", id="one-of-its-operators"),
        pytest.param("{level: {exists: true}}", "{level: [1, 2]}", id="exists-before-a-test"),
        pytest.param(
            "{tier: {in: [Gold, VIP], case: insensitive}}",
            "{tier: {eq: vip, case: insensitive}}",
            id="membership-ignoring-case",
        ),
        pytest.param(
            "{any: [{type: outage}, {type: incident}]}",
            "{type: incident, impact: core}",
            id="one-alternative-of-any",
        ),
        pytest.param(
            "{type: [outage, incident]}",
            "{any: [{type: incident}, {type: outage, impact: core}]}",
            id="every-alternative-of-any",
        ),
    ],
)
def test_shadowing_decided_from_the_tree(earlier: str, later: str) -> None:
    text = BASE.replace(
        "categories:\n", "fields:\n  level: {type: integer}\ncategories:\n", 1
    ).replace(
        OUTAGE,
        f"  - {{id: first, when: {earlier}}}\n  - {{id: second, when: {later}}}\n",
    )
    (finding,) = [f for f in findings(text) if f.code == "SP101"]
    assert finding.path == ("categories", 1, "when")
    assert "'second' can never match: rule 'first'" in finding.message


def test_true_and_1_are_different_conditions() -> None:
    """``{vip: true}`` never matches a ticket with vip 1, so it does not shadow ``{vip: 1}``."""
    for earlier in ("{vip: true}", "{vip: [true, false]}"):
        text = BASE.replace(
            OUTAGE, f"  - {{id: first, when: {earlier}}}\n  - {{id: second, when: {{vip: 1}}}}\n"
        )
        assert load_policy(text).classify({"vip": 1})[0] == "second"
        assert "SP101" not in codes(text)


@pytest.mark.parametrize(
    ("fields", "when", "ticket"),
    [
        pytest.param(
            "fields:\n  code: {type: string}\n", "{not: {code: 2}}", {"code": 2}, id="converted"
        ),
        pytest.param("", "{not: {tags: {contains: 1}}}", {"tags": [1]}, id="number-in-a-list"),
    ],
)
def test_a_negation_its_probes_can_fail_is_no_tautology(
    fields: str, when: str, ticket: dict[str, object]
) -> None:
    """The probes hold the converted literals, and non-text needles inside a list."""
    text = BASE.replace("categories:\n", f"{fields}categories:\n", 1)
    text = text.replace(OUTAGE, f"  - {{id: first, when: {when}}}\n")
    assert load_policy(text).classify(ticket)[0] != "first"
    assert "SP102" not in codes(text)
