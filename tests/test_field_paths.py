r"""Keys that contain a dot: ``sys\.created_on`` names the one key ``sys.created_on``.

The spelling is read by one function (``slapolicy._fields.path_keys``), so it means the same
in conditions (closures, trace, generated code), ``fields:`` declarations, the clock's
``start_field`` and the fields of ``updated`` events; every dotted path written before keeps
its meaning. The path functions themselves are tested in tests/test_fields.py.
"""

from __future__ import annotations

from typing import Any

import pytest

import slapolicy
from condition_checks import agree, case
from slapolicy._conditions import compile_condition, compile_tree
from slapolicy._errors import PolicyError

FLAT = {"sys.created_on": "2026-05-08 09:30:00", "customer.tier": "vip"}
NESTED = {"customer": {"tier": "gold"}, "sys": {"created_on": "yesterday"}}

PATHS = [
    case({"customer\\.tier": "vip"}, FLAT, True, "escaped-dot-reads-the-flat-key"),
    case({"customer\\.tier": "gold"}, NESTED, False, "escaped-dot-is-not-nested"),
    case({"customer.tier": "gold"}, NESTED, True, "plain-dot-still-nests"),
    case({"customer.tier": "vip"}, FLAT, False, "plain-dot-never-reads-a-flat-key"),
    case({"sys\\.created_on": {"exists": True}}, FLAT, True, "exists"),
    case({"sys\\.created_on": {"exists": False}}, NESTED, True, "exists-false"),
    case({"meta.sys\\.id": 7}, {"meta": {"sys.id": 7}}, True, "flat-key-inside-a-mapping"),
    case({"meta\\.x.id": 7}, {"meta.x": {"id": 7}}, True, "mapping-under-a-flat-key"),
    case({"a\\.b\\.c": 1}, {"a.b.c": 1}, True, "two-escaped-dots"),
    case({"a\\\\.b": 1}, {"a\\": {"b": 1}}, True, "escaped-backslash-then-a-dot"),
    case({"a\\\\b": 1}, {"a\\b": 1}, True, "escaped-backslash"),
    case({"a\\b": 1}, {"a\\b": 1}, True, "other-backslash-is-plain"),
    case({"客户\\.级别": "金牌"}, {"客户.级别": "金牌"}, True, "chinese"),
    case(
        {"sys\\.tags": {"contains_any": ["vip", "urgent"]}},
        {"sys.tags": ["urgent"]},
        True,
        "any-operator",
    ),
    case(
        {"fields": {"any_item": {"sys\\.id": 3}}},
        {"fields": [{"sys": {"id": 3}}, {"sys.id": 3}]},
        True,
        "inside-items",
    ),
]


@pytest.mark.parametrize(("spec", "ticket", "expected"), PATHS)
def test_paths(spec: Any, ticket: Any, expected: bool) -> None:
    assert agree(spec, ticket) is expected


def test_the_tree_reads_the_keys_once() -> None:
    tree = compile_tree({"meta.sys\\.id": 7})
    assert tree.keys == ("meta", "sys.id")  # type: ignore[union-attr]
    assert compile_condition({"sys\\.id": 1}).fields == {"sys\\.id"}


def test_the_trace_shows_the_name_as_written() -> None:
    check = compile_condition({"sys\\.created_on": {"exists": True}}).explain({})
    assert check.describe() == (
        "[ ] sys\\.created_on exists True: field 'sys\\.created_on' is missing"
    )
    check = compile_condition({"meta.sys\\.id": 1}).explain({"meta": 3})
    assert check.reason == "field 'meta.sys\\.id' is missing ('meta' is a number, not a mapping)"


@pytest.mark.parametrize(
    "name",
    ["a..b", ".a", "a.", "a\\\\.", "a.\\\\."],
)
def test_an_empty_key_is_refused_with_the_escape_hint(name: str) -> None:
    with pytest.raises(PolicyError, match=r"has an empty part.*'sys\\\.created'"):
        compile_condition({name: 1})


def test_declared_fields_match_by_their_keys() -> None:
    from slapolicy._fields import FieldType

    declared = {"sys\\.level": FieldType("integer")}
    condition = compile_condition({"sys\\.level": {"gt": "2"}}, fields=declared)
    assert condition.node.tests[0].arg == 2  # type: ignore[union-attr]
    # a plain dot is another field: not declared, not converted
    assert compile_condition({"sys.level": {"gt": "2"}}, fields=declared).node.tests[0].arg == "2"  # type: ignore[union-attr]


POLICY = r"""
slapolicy: 1
name: servicenow
timezone: Asia/Shanghai
calendars:
  always: {hours: always}
fields:
  sys\.created_on: {type: datetime}
  u\.impact: {enum: [core, minor]}
categories:
  - {id: core, when: {u\.impact: core}}
  - {id: late, when: {sys\.created_on: {ge: "2026-05-08T12:00:00+08:00"}}}
  - {id: other}
priorities:
  - {id: P1, when: {category: core}}
  - {id: P3}
slas:
  - id: standard
    calendar: always
    targets:
      P1: {response: 15m, resolve: 2h}
      P3: {response: 2h, resolve: 1d}
routing:
  - {owner: desk}
owners:
  desk: {}
clock:
  start_field: sys\.created_on
"""


def test_declared_fields_and_the_clock_start_read_flat_keys() -> None:
    policy = slapolicy.load_policy(POLICY)
    assert policy.start_field == "sys\\.created_on"
    ticket = {"sys.created_on": "2026-05-08 09:30:00", "u.impact": "core"}
    decision = policy.evaluate(ticket)
    assert decision.category == "core"
    assert decision.targets["response"].start.isoformat() == "2026-05-08T09:30:00+08:00"
    assert decision.response_due.isoformat() == "2026-05-08T09:45:00+08:00"
    late = policy.evaluate({"sys.created_on": "2026-05-08T13:00:00+08:00"})
    assert late.category == "late"  # the declared datetime was converted, then compared
    with pytest.raises(slapolicy.TicketError, match=r"impact.*'huge' is not one of"):
        policy.evaluate({"sys.created_on": "2026-05-08T13:00:00+08:00", "u.impact": "huge"})


def test_an_updated_event_sets_a_flat_key() -> None:
    policy = slapolicy.load_policy(POLICY)
    ticket = {"sys.created_on": "2026-05-08T09:00:00+08:00", "u.impact": "minor"}
    events = [
        {"type": "updated", "at": "2026-05-08T09:05:00+08:00", "fields": {"u\\.impact": "core"}}
    ]
    status = policy.status(ticket, events, now="2026-05-08T09:10:00+08:00")
    assert status.decision.category == "core"
    assert status.decision.priority == "P1"
    assert ticket == {"sys.created_on": "2026-05-08T09:00:00+08:00", "u.impact": "minor"}


@pytest.mark.parametrize("backend", ["native", "durable"])
def test_both_backends_read_flat_keys(backend: str) -> None:
    if backend == "durable":
        pytest.importorskip("durable.engine")
    policy = slapolicy.load_policy(POLICY, backend=backend)
    flat = {"sys.created_on": "2026-05-08T09:30:00+08:00", "u.impact": "core"}
    assert policy.evaluate(flat).category == "core"
    nested = {"sys": {"created_on": "x"}, "u": {"impact": "core"}}
    assert policy.evaluate(nested, at="2026-05-08T09:30:00+08:00").category == "other"
