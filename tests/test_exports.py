"""Real helpdesk exports, as they come, decided like the sample policy decides flat tickets.

Each export below is written from the helpdesk's public API format:

* Zendesk Support API, "Show Ticket" (``GET /api/v2/tickets/{id}``): the ``ticket`` object,
  with ``custom_fields`` as a list of ``{id, value}`` objects and ISO-8601 UTC instants;
* Jira Cloud REST API v3, "Get issue" (``GET /rest/api/3/issue/{key}``): ``fields`` with
  ``issuetype`` / ``priority`` objects, a single-select custom field ``{value, id}``, a
  multi-select one as a list of such objects, and ``created`` like
  ``2026-05-08T17:30:00.000+0800``;
* ServiceNow Table API (``GET /api/now/table/incident`` with ``sysparm_fields`` naming a
  dot-walked field): one row of ``result``, instants like ``2026-05-08 09:30:00`` in UTC
  without an offset, codes as text (``impact: "1"``) and the dot-walked field as a flat key
  ``assignment_group.name``.

For each, a policy takes the sample ``policies/service-levels.yaml`` as it is (calendars,
SLAs, routing, escalations, metrics) and rewrites only its category and priority conditions
for the export's shape, with ``any_item``, nested paths, an escaped dot and a field's time
zone. Every export must get exactly the decision the sample policy gives the equivalent flat
ticket: category, priority, owner, every due instant and every escalation.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from slapolicy import Decision, load_policy

SAMPLE = Path(__file__).resolve().parent.parent / "policies" / "service-levels.yaml"
KEYWORDS_OUTAGE = ["宕机", "无法登录", "全部用户", "服务中断", "outage", "down"]
KEYWORDS_HOWTO = ["怎么", "如何", "在哪里", "咨询"]
KEYWORDS_IMPROVE = ["建议", "希望", "优化"]


def sample() -> dict[str, Any]:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data.pop("examples")  # written for flat tickets
    return data


def priorities(impact_core: Any, p2: Any, p4: Any) -> list[dict[str, Any]]:
    """The sample's priorities with its impact x urgency matrix written as rules: P4 and P2
    cells never overlap, and a priority rule comes before the matrix as in the sample."""
    return [
        {"id": "P1", "label": "紧急", "when": {"any": [impact_core, {"category": "outage"}]}},
        {"id": "P4", "label": "低", "when": {"any": [{"category": "improvement"}, p4]}},
        {"id": "P2", "label": "高", "when": p2},
        {"id": "P3", "label": "中"},
    ]


def categories(type_is: Any, text: str) -> list[dict[str, Any]]:
    """The sample's categories for a type test ``type_is(value)`` and a text field."""
    return [
        {
            "id": "outage",
            "label": "系统故障",
            "when": {
                "any": [
                    type_is("outage"),
                    {text: {"contains_any": KEYWORDS_OUTAGE, "case": "insensitive"}},
                ]
            },
        },
        {"id": "business", "label": "业务问题", "when": type_is(["billing", "order", "account"])},
        {
            "id": "howto",
            "label": "使用咨询",
            "when": {"any": [type_is("question"), {text: {"contains_any": KEYWORDS_HOWTO}}]},
        },
        {
            "id": "improvement",
            "label": "优化建议",
            "when": {"any": [type_is("suggestion"), {text: {"contains_any": KEYWORDS_IMPROVE}}]},
        },
        {"id": "other", "label": "其他"},
    ]


def cells(matrix: dict[str, dict[str, str]], priority: str, test: Any) -> dict[str, Any]:
    """``any`` of ``test(impact, urgency)`` over the sample matrix's cells giving ``priority``."""
    found = [
        test(impact, urgency)
        for impact, row in matrix.items()
        for urgency, value in row.items()
        if value == priority
    ]
    return {"any": found}


MATRIX = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["priority_matrix"]["values"]

# --------------------------------------------------------------------------- Zendesk

ZENDESK_TYPE, ZENDESK_IMPACT = 360001, 360002
ZENDESK_URGENCY = {"high": ["urgent", "high"], "medium": ["normal"], "low": ["low"]}


def zendesk_field(field_id: int, value: Any) -> dict[str, Any]:
    return {"custom_fields": {"any_item": {"id": field_id, "value": value}}}


def zendesk_policy() -> dict[str, Any]:
    def cell(impact: str, urgency: str) -> dict[str, Any]:
        return {
            "all": [zendesk_field(ZENDESK_IMPACT, impact), {"priority": ZENDESK_URGENCY[urgency]}]
        }

    data = sample()
    data["fields"] = {"custom_fields": {"type": "list"}}
    data.pop("priority_matrix")
    data["categories"] = categories(lambda v: zendesk_field(ZENDESK_TYPE, v), "description")
    # (in `priorities`, `priority` is still the ticket's own field: Zendesk's urgency)
    data["priorities"] = priorities(
        zendesk_field(ZENDESK_IMPACT, "core"),
        cells(MATRIX, "P2", cell),
        cells(MATRIX, "P4", cell),
    )
    return data


def zendesk_ticket(
    type_: str | None, impact: str | None, priority: str, text: str, created: str
) -> dict[str, Any]:
    custom = [{"id": 360005, "value": None}]
    if type_ is not None:
        custom.append({"id": ZENDESK_TYPE, "value": type_})
    if impact is not None:
        custom.append({"id": ZENDESK_IMPACT, "value": impact})
    return {
        "id": 35436,
        "url": "https://example.zendesk.com/api/v2/tickets/35436.json",
        "external_id": None,
        "type": "incident",
        "subject": text[:10],
        "raw_subject": text[:10],
        "description": text,
        "priority": priority,
        "status": "open",
        "recipient": None,
        "requester_id": 20978392,
        "submitter_id": 76872,
        "assignee_id": None,
        "organization_id": 509974,
        "group_id": 98738,
        "collaborator_ids": [],
        "follower_ids": [],
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": ["enterprise"],
        "custom_fields": custom,
        "satisfaction_rating": None,
        "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": created,
        "updated_at": created,
    }


# --------------------------------------------------------------------------- Jira

JIRA_TYPE = {"Incident": "outage", "Billing": "billing", "Question": "question"}
JIRA_URGENCY = {"high": ["Highest", "High"], "medium": ["Medium"], "low": ["Low", "Lowest"]}


def jira_policy() -> dict[str, Any]:
    names = {value: name for name, value in JIRA_TYPE.items()}

    def type_is(value: Any) -> dict[str, Any]:
        wanted = [names[v] for v in ([value] if isinstance(value, str) else value) if v in names]
        return {"fields.issuetype.name": {"in": wanted or ["(none)"]}}

    def impact(value: str) -> dict[str, Any]:
        return {"fields.customfield_10030.value": value.capitalize()}

    def cell(impact_: str, urgency: str) -> dict[str, Any]:
        return {"all": [impact(impact_), {"fields.priority.name": JIRA_URGENCY[urgency]}]}

    data = sample()
    data["fields"] = {"fields.created": {"type": "datetime"}}
    data.pop("priority_matrix")
    data["categories"] = categories(type_is, "fields.summary")
    # the environments (a multi-select list of objects) matter too: production only
    core = {
        "all": [
            impact("core"),
            {"fields.customfield_10020": {"any_item": {"value": "Production"}}},
        ]
    }
    data["priorities"] = priorities(core, cells(MATRIX, "P2", cell), cells(MATRIX, "P4", cell))
    data["clock"] = {**data["clock"], "start_field": "fields.created"}
    return data


def jira_issue(
    type_name: str, impact: str | None, priority: str, summary: str, created: str
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "summary": summary,
        "description": {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": summary}]}],
        },
        "issuetype": {"id": "10001", "name": type_name, "subtask": False},
        "priority": {"id": "2", "name": priority},
        "status": {"name": "Open", "statusCategory": {"key": "new"}},
        "labels": ["payments"],
        "components": [{"id": "10000", "name": "Payments"}],
        "customfield_10020": [
            {"value": "Staging", "id": "10041"},
            {"value": "Production", "id": "10040"},
        ],
        "created": created,
        "updated": created,
    }
    if impact is not None:
        fields["customfield_10030"] = {"value": impact, "id": "10050"}
    return {
        "expand": "renderedFields,names,schema,operations",
        "id": "10002",
        "self": "https://example.atlassian.net/rest/api/3/issue/10002",
        "key": "PAY-1",
        "fields": fields,
    }


# --------------------------------------------------------------------------- ServiceNow

SN_IMPACT = {"core": "1", "major": "2", "minor": "3"}
SN_URGENCY = {"high": "1", "medium": "2", "low": "3"}
SN_GROUPS = {"billing": "Billing", "order": "Orders", "account": "Accounts"}


def servicenow_policy() -> dict[str, Any]:
    def type_is(value: Any) -> dict[str, Any]:
        values = [value] if isinstance(value, str) else value
        if values == ["outage"]:
            return {"category": ["network", "database"]}  # ServiceNow's own category field
        groups = [SN_GROUPS[v] for v in values if v in SN_GROUPS]
        if groups:  # the dot-walked field, a flat key with a dot in it
            return {"assignment_group\\.name": groups}
        return {"category": values}

    def cell(impact: str, urgency: str) -> dict[str, Any]:
        if impact not in SN_IMPACT:
            return {"impact": "(none)"}
        return {"impact": SN_IMPACT[impact], "urgency": SN_URGENCY[urgency]}

    data = sample()
    # ServiceNow writes instants in UTC without saying so
    data["fields"] = {"sys_created_on": {"type": "datetime", "timezone": "UTC"}}
    data.pop("priority_matrix")
    data["categories"] = categories(type_is, "short_description")
    data["priorities"] = priorities(
        {"impact": "1"}, cells(MATRIX, "P2", cell), cells(MATRIX, "P4", cell)
    )
    data["clock"] = {**data["clock"], "start_field": "sys_created_on"}
    return data


def servicenow_row(
    category: str, group: str, impact: str, urgency: str, text: str, created: str
) -> dict[str, Any]:
    return {
        "number": "INC0010023",
        "sys_id": "9d385017c611228701d22104cc95c371",
        "sys_created_on": created,
        "opened_at": created,
        "short_description": text,
        "description": text,
        "category": category,
        "subcategory": "",
        "impact": impact,
        "urgency": urgency,
        "priority": "1",
        "state": "1",
        "assignment_group.name": group,
    }


# --------------------------------------------------------------------------- the cases

FLAT = [
    # (flat ticket for the sample, Zendesk, Jira, ServiceNow)
    pytest.param(
        {
            "type": "outage",
            "impact": "core",
            "text": "支付系统宕机",
            "created_at": "2026-05-08T17:30:00+08:00",
        },
        zendesk_ticket("outage", "core", "urgent", "支付系统宕机", "2026-05-08T09:30:00Z"),
        jira_issue("Incident", "Core", "Highest", "支付系统宕机", "2026-05-08T17:30:00.000+0800"),
        servicenow_row("network", "Payments", "1", "1", "支付系统宕机", "2026-05-08 09:30:00"),
        id="P1-outage",
    ),
    pytest.param(
        {
            "type": "billing",
            "impact": "major",
            "urgency": "high",
            "text": "发票金额不对",
            "created_at": "2026-05-08T17:50:00+08:00",
        },
        zendesk_ticket("billing", "major", "high", "发票金额不对", "2026-05-08T09:50:00Z"),
        jira_issue("Billing", "Major", "High", "发票金额不对", "2026-05-08T17:50:00.000+0800"),
        servicenow_row("inquiry", "Billing", "2", "1", "发票金额不对", "2026-05-08 09:50:00"),
        id="P2-business-over-the-make-up-weekend",
    ),
    pytest.param(
        {
            "type": "question",
            "impact": "minor",
            "urgency": "low",
            "text": "如何导出发票？",
            "created_at": "2026-09-30T16:00:00+08:00",
        },
        zendesk_ticket("question", "minor", "low", "如何导出发票？", "2026-09-30T08:00:00Z"),
        jira_issue("Question", "Minor", "Low", "如何导出发票？", "2026-09-30T16:00:00.000+0800"),
        servicenow_row(
            "question", "Service Desk", "3", "3", "如何导出发票？", "2026-09-30 08:00:00"
        ),
        id="P3-howto-before-national-day",
    ),
    pytest.param(
        {"type": "other", "text": "希望支持批量导出", "created_at": "2026-07-10T16:30:00+08:00"},
        zendesk_ticket(None, None, "normal", "希望支持批量导出", "2026-07-10T08:30:00Z"),
        jira_issue("Story", None, "Medium", "希望支持批量导出", "2026-07-10T16:30:00.000+0800"),
        servicenow_row(
            "inquiry", "Service Desk", "3", "2", "希望支持批量导出", "2026-07-10 08:30:00"
        ),
        id="P4-suggestion-by-keyword",
    ),
]


def essentials(decision: Decision) -> dict[str, Any]:
    data = decision.to_dict(trace=False)
    for key in ("policy_version", "warnings"):
        data.pop(key)
    return data


@pytest.fixture(scope="module")
def policies() -> dict[str, Any]:
    return {
        "sample": load_policy(SAMPLE),
        "zendesk": load_policy(zendesk_policy()),
        "jira": load_policy(jira_policy()),
        "servicenow": load_policy(servicenow_policy()),
    }


@pytest.mark.parametrize(("flat", "zendesk", "jira", "servicenow"), FLAT)
def test_each_export_is_decided_like_the_flat_ticket(
    policies: dict[str, Any],
    flat: dict[str, Any],
    zendesk: dict[str, Any],
    jira: dict[str, Any],
    servicenow: dict[str, Any],
) -> None:
    expected = essentials(policies["sample"].evaluate(flat))
    for name, ticket in (("zendesk", zendesk), ("jira", jira), ("servicenow", servicenow)):
        before = copy.deepcopy(ticket)
        decided = policies[name].evaluate(ticket)
        assert essentials(decided) == expected, name
        assert ticket == before  # the export is never modified


def test_the_exports_decide_something_different_for_each_case(policies: dict[str, Any]) -> None:
    """The four cases cover four priorities and four owners (the test is not vacuous)."""
    decided = [policies["sample"].evaluate(case.values[0]) for case in FLAT]
    assert [d.priority for d in decided] == ["P1", "P2", "P3", "P4"]
    assert len({d.owner for d in decided}) == 4


def test_servicenow_instants_are_utc(policies: dict[str, Any]) -> None:
    row = FLAT[0].values[3]
    decision = policies["servicenow"].evaluate(row)
    assert decision.started_at.isoformat() == "2026-05-08T17:30:00+08:00"


def test_a_zendesk_element_must_match_as_a_whole(policies: dict[str, Any]) -> None:
    """`core` in a field other than impact (id 360005) does not make the ticket P1."""
    ticket = zendesk_ticket("billing", "major", "high", "发票金额不对", "2026-05-08T09:50:00Z")
    ticket["custom_fields"][0] = {"id": 360005, "value": "core"}
    assert policies["zendesk"].evaluate(ticket).priority == "P2"
    ticket["custom_fields"].append({"id": ZENDESK_IMPACT, "value": "core"})
    assert policies["zendesk"].evaluate(ticket).priority == "P1"


def test_jira_core_impact_counts_only_in_production(policies: dict[str, Any]) -> None:
    issue = jira_issue("Billing", "Core", "Low", "发票金额不对", "2026-05-08T17:50:00.000+0800")
    assert policies["jira"].evaluate(issue).priority == "P1"
    issue["fields"]["customfield_10020"] = [{"value": "Staging", "id": "10041"}]
    assert policies["jira"].evaluate(issue).priority != "P1"


def test_the_explanation_names_the_matching_element(policies: dict[str, Any]) -> None:
    ticket = FLAT[0].values[1]
    text = policies["zendesk"].evaluate(ticket).explain()
    assert "custom_fields" in text
    assert "360001" in text
