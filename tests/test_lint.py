"""Every lint finding code: a small policy that triggers it, and one that does not."""

from __future__ import annotations

import textwrap
import warnings
from datetime import date

import pytest

from slapolicy import CalendarError, load_policy
from slapolicy._tooling.lint import CODES, SEVERITY, Finding, check_codes, lint, run_lint

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
        pytest.param(
            "SP113",
            "owners:\n",
            "events: {done: {}}\nmetrics:\n  later: {start: created, stop: done}\nowners:\n",
            id="SP113-untargeted-metric",
        ),
        pytest.param(
            "SP114",
            "      P3: {response: 2h, resolve: 3d}\n",
            "      P3: {response: 2h, resolve: 3d, callback: 1d}\n"
            "metrics:\n  callback: {start: closed, stop: responded, open_only: true}\n",
            id="SP114-open-only-metric-starting-on-closed",
        ),
        pytest.param(
            "SP115",
            "      P3: {response: 2h, resolve: 3d}\n",
            "      P3: {response: 2h, resolve: 3d, callback: 1d}\n"
            "metrics:\n  callback: {start: closed, stop: resolved}\n",
            id="SP115-stop-a-closed-ticket-ignores",
        ),
        pytest.param(
            "SP116",
            "escalation:\n",
            "lint: {ignore: [SP999]}\nescalation:\n",
            id="SP116-unknown-code-in-lint-ignore",
        ),
        pytest.param(
            "SP117",
            "categories:\n",
            "fields:\n  priority: {type: string}\ncategories:\n",
            id="SP117-declared-field-named-priority",
        ),
    ],
)
def test_each_code_fires_on_its_case_only(code: str, old: str, new: str) -> None:
    assert old in BASE
    assert code not in codes(BASE)
    found = findings(BASE.replace(old, new, 1))
    assert code in [f.code for f in found]
    assert all(f.severity == SEVERITY[f.code] for f in found)  # one table of severities


def test_every_code_has_a_case() -> None:
    tested = {f"SP1{n:02d}" for n in range(1, 18)}
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
# routing names the category `outage`: a case that replaces it routes on its `first` instead
# (a condition on a category that does not exist is a load error)
ROUTE_OUTAGE = ("{when: {category: outage}, owner: tech}", "{when: {category: first}, owner: tech}")


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
    text = (
        BASE.replace("categories:\n", "fields:\n  level: {type: integer}\ncategories:\n", 1)
        .replace(
            OUTAGE,
            f"  - {{id: first, when: {earlier}}}\n  - {{id: second, when: {later}}}\n",
        )
        .replace(*ROUTE_OUTAGE)
    )
    (finding,) = [f for f in findings(text) if f.code == "SP101"]
    assert finding.path == ("categories", 1, "when")
    assert "'second' can never match: rule 'first'" in finding.message


def test_true_and_1_are_different_conditions() -> None:
    """``{vip: true}`` never matches a ticket with vip 1, so it does not shadow ``{vip: 1}``."""
    for earlier in ("{vip: true}", "{vip: [true, false]}"):
        text = BASE.replace(
            OUTAGE, f"  - {{id: first, when: {earlier}}}\n  - {{id: second, when: {{vip: 1}}}}\n"
        ).replace(*ROUTE_OUTAGE)
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
    text = text.replace(OUTAGE, f"  - {{id: first, when: {when}}}\n").replace(*ROUTE_OUTAGE)
    assert load_policy(text).classify(ticket)[0] != "first"
    assert "SP102" not in codes(text)


# --------------------------------------------------------------------------- wall-clock targets


@pytest.mark.parametrize(
    ("response", "late"),
    [
        pytest.param('{by: "18:00", days: 2}', True, id="by-two-working-days-later"),
        pytest.param('{by: "16:00", weekday: fri}', True, id="by-friday"),
        pytest.param('{by: "18:00"}', False, id="by-the-same-day"),
    ],
)
def test_response_after_resolve_with_wall_clock_targets(response: str, late: bool) -> None:
    """SP104 computes a ``by`` target's deadline like the clock does (``calendar.add_us``)."""
    text = BASE.replace(
        "P2: {response: 30m, resolve: 1d}", f"P2: {{response: {response}, resolve: 1d}}"
    )
    found = [f for f in findings(text) if f.code == "SP104"]
    assert bool(found) is late
    if late:
        assert found[0].path == ("slas", 0, "targets", "P2")
        assert f"response (by {response[6:11]}" in found[0].message


def test_response_after_resolve_needs_both_to_start_with_the_clock() -> None:
    """A redefined resolve that starts at the reply is not counted from the same instant."""
    text = BASE.replace("P2: {response: 30m, resolve: 1d}", "P2: {response: 2d, resolve: 1d}")
    assert "SP104" in codes(text)
    later = "metrics:\n  resolve: {start: responded, stop: resolved}\n"
    assert "SP104" not in codes(text + later)


# --------------------------------------------------------------------------- metrics
# BASE with one metric of its own, targeted for P1: every case below changes one thing.

METRICS = BASE.replace(
    "P1: {response: 15m, resolve: 2h}", "P1: {response: 15m, resolve: 2h, plan: 1h}"
) + (
    "fields:\n"
    "  info_complete: {type: boolean}\n"
    "events:\n"
    "  plan_submitted: {}\n"
    "  callback_done: {}\n"
    "metrics:\n"
    "  plan: {start: created, stop: plan_submitted}\n"
)
PLAN = "  plan: {start: created, stop: plan_submitted}\n"


def located(text: str, code: str) -> tuple[tuple[str | int, ...], int | None, int | None]:
    """The one finding of ``code``: its path, line and column."""
    (finding,) = [f for f in findings(text) if f.code == code]
    return finding.path, finding.line, finding.column


def line_of(text: str, line: str) -> int:
    return text.splitlines().index(line.rstrip("\n")) + 1


def test_a_policy_with_its_own_metric_is_clean() -> None:
    """The built-in ``update`` has no target in BASE: built-ins are never reported."""
    assert findings(METRICS) == []
    assert "update" in load_policy(METRICS).rules.metrics


def test_untargeted_metric() -> None:
    """SP113: a metric no SLA targets measures nothing."""
    callback = "  callback: {start: resolved, stop: callback_done}\n"
    text = METRICS + callback
    assert located(text, "SP113") == (("metrics", "callback"), line_of(text, callback), 13)
    (finding,) = [f for f in findings(text) if f.code == "SP113"]
    assert "metric 'callback' has no target in any SLA" in finding.message
    assert finding.name == "untargeted-metric"
    assert "SP113" not in codes(
        text.replace("P2: {response: 30m,", "P2: {callback: 24h, response: 30m,")
    )


def test_a_redefined_builtin_is_the_policys_own_metric() -> None:
    text = METRICS + "  update: {start: created, stop: responded}\n"
    assert located(text, "SP113")[0] == ("metrics", "update")


def test_escalation_of_a_metric_no_sla_targets() -> None:
    """SP109 for a declared metric: the escalation never fires, and SP113 says why."""
    text = METRICS + "  callback: {start: resolved, stop: callback_done}\n"
    text = text.replace(
        "  - {target: response, at: 75%, notify: owner.lead}\n",
        "  - {target: response, at: 75%, notify: owner.lead}\n"
        "  - {target: callback, at: 50%, notify: owner}\n",
    )
    (finding,) = [f for f in findings(text) if f.code == "SP109"]
    assert finding.path == ("escalation", 1)
    assert "watches 'callback', which no SLA gives a target" in finding.message
    targeted = text.replace("P2: {response: 30m,", "P2: {callback: 24h, response: 30m,")
    assert {"SP109", "SP113"}.isdisjoint(codes(targeted))


@pytest.mark.parametrize(
    ("start", "column", "fine"),
    [
        pytest.param(
            "{start: resolved, open_only: true, stop: plan_submitted}",
            17,
            "{start: [resolved, reopened], open_only: true, stop: plan_submitted}",
            id="open-only-start-on-resolved",
        ),
        pytest.param(
            "{start: closed, open_only: true, stop: plan_submitted}",
            17,
            "{start: closed, stop: plan_submitted}",
            id="open-only-start-on-closed",
        ),
        pytest.param(
            "{start: {event: updated, when: {all: [{priority: P1}, {priority: P3}]}}, "
            "stop: plan_submitted}",
            17,
            "{start: {event: updated, when: {any: [{priority: P1}, {priority: P3}]}}, "
            "stop: plan_submitted}",
            id="two-priorities-at-once",
        ),
        pytest.param(
            "{start: {event: updated, when: {not: {priority: [P1, P2, P3]}}}, "
            "stop: plan_submitted}",
            17,
            "{start: {event: updated, when: {not: {priority: [P1, P2]}}}, stop: plan_submitted}",
            id="not-any-priority",
        ),
        pytest.param(
            "{start: {event: updated, when: {info_complete: false, sla: {ne: standard}}}, "
            "stop: plan_submitted}",
            17,
            "{start: {event: updated, when: {any: [{info_complete: false}, "
            "{sla: {ne: standard}}]}}, stop: plan_submitted}",
            id="no-other-sla-whatever-the-fields",
        ),
        pytest.param(
            "{start: {event: updated, when: {owner: {exists: false}}}, stop: plan_submitted}",
            17,
            "{start: {event: updated, when: {owner: {in: [desk], case: insensitive}}}, "
            "stop: plan_submitted}",
            id="a-decision-is-never-missing",
        ),
        pytest.param(
            "{start: [{event: created, when: {category: {matches: '^x'}}}, "
            "{event: resolved}], open_only: true, stop: plan_submitted}",
            17,
            "{start: [{event: created, when: {category: {matches: '^o'}}}, "
            "{event: resolved}], open_only: true, stop: plan_submitted}",
            id="every-start-dead-for-its-own-reason",
        ),
    ],
)
def test_metric_that_can_never_start(start: str, column: int, fine: str) -> None:
    """SP114, at ``metrics.<name>.start``; the close policy starts (and is not reported)."""
    text = METRICS.replace(PLAN, f"  plan: {start}\n")
    path, line, col = located(text, "SP114")
    assert (path, line, col) == (
        ("metrics", "plan", "start"),
        line_of(text, f"  plan: {start}"),
        column,
    )
    assert "SP115" not in codes(text)  # a metric that never starts is reported once
    assert "SP114" not in codes(METRICS.replace(PLAN, f"  plan: {fine}\n"))


def test_metric_that_can_never_start_says_why() -> None:
    text = METRICS.replace(
        PLAN, "  plan: {start: resolved, open_only: true, stop: plan_submitted}\n"
    )
    (finding,) = [f for f in findings(text) if f.code == "SP114"]
    assert finding.message == (
        "metric 'plan' can never start: open_only, and after 'resolved' the ticket is not open"
    )
    assert finding.name == "metric-never-starts"


@pytest.mark.parametrize(
    ("plan", "path", "column", "fine"),
    [
        pytest.param(
            "{start: closed, stop: [resolved, reopened]}",
            ("metrics", "plan", "stop"),
            31,
            "{start: [resolved, closed], stop: [resolved, reopened]}",
            id="closed-ignores-resolved",
        ),
        pytest.param(
            "{start: closed, stop: [closed, callback_done]}",
            ("metrics", "plan", "stop", 0),
            32,
            "{start: closed, stop: callback_done}",
            id="one-stop-a-closed-ticket-ignores",
        ),
        pytest.param(
            "{start: created, stop: {event: plan_submitted, when: {all: [{category: outage}, "
            "{category: other}]}}}",
            ("metrics", "plan", "stop"),
            32,
            "{start: created, stop: {event: plan_submitted, when: {category: [outage, other]}}}",
            id="stop-when-never-holds",
        ),
    ],
)
def test_stop_before_start(plan: str, path: tuple[str | int, ...], column: int, fine: str) -> None:
    """SP115, at the stop (every stop dead: its cycles are never met) or at the dead one."""
    text = METRICS.replace(PLAN, f"  plan: {plan}\n")
    assert located(text, "SP115") == (path, line_of(text, f"  plan: {plan}"), column)
    assert "SP115" not in codes(METRICS.replace(PLAN, f"  plan: {fine}\n"))


@pytest.mark.parametrize(
    "plan",
    [
        pytest.param("{start: responded, stop: responded, cycle: each}", id="restart-each-reply"),
        pytest.param("{start: plan_submitted, stop: plan_submitted}", id="once-to-the-next"),
        pytest.param(
            "{start: {event: updated, when: {priority: P1}}, "
            "stop: {event: updated, when: {priority: P1}}}",
            id="same-condition",
        ),
        pytest.param("{start: resolved, stop: reopened}", id="reopened-after-resolved"),
    ],
)
def test_the_same_event_as_start_and_stop_is_no_finding(plan: str) -> None:
    """On one event a metric's stops act before its starts: the cycle does not end at once."""
    assert findings(METRICS.replace(PLAN, f"  plan: {plan}\n")) == []


# --------------------------------------------------------------------------- holiday data
# BASE on China's official holidays: the data of holidays>=0.60 used here ends 2026-12-31.

CN = BASE.replace("    hours: {mon-fri:", "    holidays: {country: CN}\n    hours: {mon-fri:")


def sp107(today: date) -> Finding:
    (finding,) = [f for f in lint(load_policy(CN), today=today) if f.code == "SP107"]
    return finding


def test_holiday_data_names_its_last_date_and_the_targets_past_it() -> None:
    """From 2026-12-30 (a Wednesday), P3's 3d resolve falls after New Year; 1d does not."""
    until = load_policy(CN).calendars["office"].holiday_data_until
    assert until == date(2026, 12, 31)
    message = sp107(date(2026, 12, 30)).message
    assert "official holiday data covers dates up to 2026-12-31" in message
    assert "standard/P3 resolve 3d (due 2027-01-05)" in message
    assert "P2" not in message  # 1d from Wednesday: due Thursday 2026-12-31
    assert "P1" not in message


def test_holiday_data_far_ahead_names_no_target_and_after_its_end_says_so() -> None:
    assert (
        "no target of a ticket opened that day falls due after it"
        in sp107(date(2026, 3, 2)).message
    )
    assert (
        "official holiday data ended 2026-12-31, before 2027-02-01"
        in sp107(date(2027, 2, 1)).message
    )


def test_holiday_data_check_raises_no_python_warning() -> None:
    """Counting past the data is the point of SP107: no HolidayDataWarning on top."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "standard/P3" in sp107(date(2026, 12, 30)).message


@pytest.mark.parametrize("today", [date(9999, 12, 31), date(1900, 6, 1), date(1, 1, 1)])
def test_a_today_calendars_cannot_count_from_is_a_calendar_error(today: date) -> None:
    with pytest.raises(CalendarError, match=r"outside the dates calendars count .*1901-01-01"):
        lint(load_policy(CN), today=today)


def test_the_last_supported_day_still_lints() -> None:
    """Deadlines beyond 2199 cannot be computed; they reach past the data all the same."""
    assert sp107(date(2199, 12, 31)).code == "SP107"


# --------------------------------------------------------------------------- accepting findings

NOISY = CN.replace("  head: {}\n", "  head: {}\n  ghost: {}\n")  # SP105 (info) and SP107


def test_policy_lint_ignore_accepts_a_finding() -> None:
    assert sorted(codes(NOISY)) == ["SP105", "SP107"]
    accepted = NOISY + "lint: {ignore: [SP107]}\n"
    report = run_lint(load_policy(accepted), today=TODAY)
    assert [f.code for f in report.findings] == ["SP105"]
    assert [f.code for f in report.ignored] == ["SP107"]
    assert not report.failed  # SP105 is info


def test_ignore_and_select_arguments() -> None:
    policy = load_policy(NOISY)
    assert [f.code for f in lint(policy, today=TODAY, ignore=["SP105"])] == ["SP107"]
    assert [f.code for f in lint(policy, today=TODAY, select=["sp105"])] == ["SP105"]
    assert lint(policy, today=TODAY, select=["SP105"], ignore=["SP105"]) == []
    assert lint(policy, today=TODAY, select=[]) == []


@pytest.mark.parametrize("option", ["ignore", "select"])
def test_unknown_code_argument_is_refused_with_a_hint(option: str) -> None:
    with pytest.raises(ValueError, match=r"unknown lint code 'SP017' in .*did you mean 'SP117'"):
        lint(load_policy(BASE), today=TODAY, **{option: ["SP017"]})  # type: ignore[arg-type]


def test_unknown_code_in_the_policy_is_a_finding_at_its_entry() -> None:
    text = BASE + "lint:\n  ignore: [SP105, SP017]\n"
    path, line, column = located(text, "SP116")
    assert path == ("lint", "ignore", 1)
    assert (line, column) == (line_of(text, "  ignore: [SP105, SP017]"), 19)
    (finding,) = [f for f in findings(text) if f.code == "SP116"]
    assert "'SP017', which is no lint code (did you mean 'SP117'?)" in finding.message
    assert "SP116" not in codes(BASE + "lint:\n  ignore: [SP105, SP116, SP017]\n")


def test_check_codes_normalises_case_and_spaces() -> None:
    assert check_codes([" sp107", "SP101"]) == {"SP107", "SP101"}
    assert set(CODES) == set(SEVERITY)


# --------------------------------------------------------------------------- shadowed fields


@pytest.mark.parametrize("name", ["category", "priority", "sla", "owner"])
def test_a_declared_field_named_like_a_stage_is_reported(name: str) -> None:
    text = BASE.replace("categories:\n", f"fields:\n  {name}: {{type: string}}\ncategories:\n")
    path, line, _ = located(text, "SP117")
    assert path == ("fields", name)
    assert line == line_of(text, f"  {name}: {{type: string}}")
    (finding,) = [f for f in findings(text) if f.code == "SP117"]
    assert f"`{name}` means the decided {name}" in finding.message
    assert "escalation" in finding.message


def test_the_sections_a_shadowed_name_hides_from() -> None:
    priority = BASE.replace("categories:\n", "fields:\n  priority: {type: string}\ncategories:\n")
    (finding,) = [f for f in findings(priority) if f.code == "SP117"]
    assert "in the conditions of slas, routing and escalation and metric triggers" in (
        finding.message
    )
    assert "priorities" not in finding.message  # the priorities stage still sees it


def test_an_example_ticket_with_a_stage_name_is_reported_once() -> None:
    examples = (
        "examples:\n"
        "  - name: first\n"
        "    ticket: {type: outage, priority: urgent, created_at: '2026-05-08T10:00:00+08:00'}\n"
        "    expect: {category: outage}\n"
        "  - name: second\n"
        "    ticket: {type: outage, priority: low, created_at: '2026-05-08T10:00:00+08:00'}\n"
        "    expect: {category: outage}\n"
    )
    text = BASE + examples
    (finding,) = [f for f in findings(text) if f.code == "SP117"]
    assert finding.path == ("examples", 0, "ticket", "priority")
    assert "example 'first' has a field 'priority' (and 1 more example(s))" in finding.message
    assert "SP117" not in codes(BASE + examples.replace("priority:", "ticket_priority:"))


def test_docs_list_every_code_with_its_name_and_severity() -> None:
    """docs/lint.md is the stable table: one row per code, as the code defines it."""
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "lint.md").read_text(encoding="utf-8")
    rows = {}
    for line in page.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("SP"):
            rows[cells[0]] = (cells[1].strip("`"), cells[2])
    assert rows == {code: (CODES[code], SEVERITY[code]) for code in CODES}
