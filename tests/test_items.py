"""Lists of objects: ``any_item`` and ``all_items``.

Semantics tables (every row through the closures, the trace and the generated code, see
``condition_checks.agree``), traces, compile errors with their paths, the walkers' two
scopes (ticket and element), laws checked by hypothesis, and whole policies over tickets
shaped like Zendesk, Jira and ServiceNow exports. The durable backend's answers are checked
against the native ones in tests/test_durable_backend.py.
"""

from __future__ import annotations

import pickle
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slapolicy
from condition_checks import agree, case
from slapolicy._conditions import (
    ITEM_OPERATORS,
    MAX_SHOWN_ITEMS,
    AllOf,
    FieldTests,
    ItemCondition,
    arguments,
    compile_condition,
    compile_tree,
    item_condition,
    item_conditions,
    iter_field_tests,
    iter_nodes,
    iter_scoped_field_tests,
)
from slapolicy._conditions import Test as OpTest  # (pytest would collect `Test`)
from slapolicy._conditions.codegen import predicate
from slapolicy._errors import PolicyError
from slapolicy._fields import FieldType

CORE = {"id": 360001, "value": "core"}
ZENDESK = [{"id": 360002, "value": "minor"}, {"id": 360001, "value": "core"}]
ANY_CORE = {"custom_fields": {"any_item": CORE}}
ALL_APPROVED = {"approvals": {"all_items": {"state": "approved"}}}

ANY_ITEM = [
    case(ANY_CORE, {"custom_fields": ZENDESK}, True, "some-element"),
    case(ANY_CORE, {"custom_fields": [ZENDESK[1]]}, True, "only-element"),
    case(ANY_CORE, {"custom_fields": [ZENDESK[0]]}, False, "no-element"),
    case(
        ANY_CORE,
        {"custom_fields": [{"id": 360001, "value": "minor"}, {"id": 360002, "value": "core"}]},
        False,
        "tests-hold-on-one-element",
    ),
    case(ANY_CORE, {"custom_fields": []}, False, "empty-list"),
    case(ANY_CORE, {}, False, "missing"),
    case(ANY_CORE, {"custom_fields": None}, False, "null"),
    case(ANY_CORE, {"custom_fields": CORE}, False, "one-object-is-not-a-list"),
    case(ANY_CORE, {"custom_fields": "core"}, False, "text"),
    case(ANY_CORE, {"custom_fields": tuple(ZENDESK)}, True, "tuple-is-a-list"),
    case(ANY_CORE, {"custom_fields": [3, "core", None, [CORE], CORE]}, True, "odd-elements"),
    case(ANY_CORE, {"custom_fields": [3, "core", None, [CORE]]}, False, "odd-elements-only"),
    case(ANY_CORE, {"custom_fields": [{"id": "360001", "value": "core"}]}, False, "no-coercion"),
    case({"xs": {"any_item": {"v": {"exists": False}}}}, {"xs": [3]}, True, "scalar-has-no-fields"),
    case({"xs": {"any_item": {"v": {"exists": False}}}}, {"xs": [None]}, True, "null-element"),
    case({"xs": {"any_item": {"v": {"exists": False}}}}, {"xs": [{"v": 1}]}, False, "has-v"),
    case({"xs": {"any_item": {"not": {"v": 1}}}}, {"xs": ["a"]}, True, "not-on-a-scalar"),
    case(
        {"xs": {"any_item": {"v": {"contains": "宕机", "case": "insensitive"}}}},
        {"xs": [{"v": "服务器宕机"}]},
        True,
        "any-operator-inside",
    ),
    case(
        {"xs": {"any_item": {"any": [{"v": 1}, {"w": {"gt": 5}}]}}},
        {"xs": [{"v": 2}, {"w": 9}]},
        True,
        "any-inside",
    ),
    case({"xs": {"any_item": {"a.b": 1}}}, {"xs": [{"a": {"b": 1}}]}, True, "dotted-inside"),
    case({"xs": {"any_item": {"a\\.b": 1}}}, {"xs": [{"a.b": 1}]}, True, "escaped-inside"),
    case(
        {"xs": {"any_item": {"ys": {"any_item": {"v": 1}}}}},
        {"xs": [{"ys": [{"v": 0}]}, {"ys": [{"v": 2}, {"v": 1}]}]},
        True,
        "nested",
    ),
    case(
        {"xs": {"any_item": {"ys": {"any_item": {"v": 1}}}}},
        {"xs": [{"ys": [{"v": 0}]}, {"ys": {"v": 1}}]},
        False,
        "nested-miss",
    ),
    case({"c.xs": {"any_item": {"v": 1}}}, {"c": {"xs": [{"v": 1}]}}, True, "list-at-a-path"),
    case(
        {"xs": {"any_item": {"priority": "P1", "category": "x"}}},
        {"xs": [{"priority": "P1", "category": "x"}]},
        True,
        "decision-names-are-element-keys",
    ),
    case(
        {"xs": {"any_item": {"v": 1}, "contains": 7}}, {"xs": [7, {"v": 1}]}, True, "with-contains"
    ),
    case({"xs": {"any_item": {"v": 1}, "exists": True}}, {"xs": []}, False, "with-exists"),
    case({"not": ANY_CORE}, {}, True, "not-of-missing"),
    case({"not": ANY_CORE}, {"custom_fields": ZENDESK}, False, "not-of-match"),
]

ALL_ITEMS = [
    case(ALL_APPROVED, {"approvals": [{"state": "approved"}] * 3}, True, "every-element"),
    case(
        ALL_APPROVED,
        {"approvals": [{"state": "approved"}, {"state": "pending"}]},
        False,
        "one-fails",
    ),
    case(ALL_APPROVED, {"approvals": []}, True, "empty-list-holds"),
    case(ALL_APPROVED, {}, False, "missing"),
    case(ALL_APPROVED, {"approvals": None}, False, "null"),
    case(ALL_APPROVED, {"approvals": {"state": "approved"}}, False, "one-object"),
    case(ALL_APPROVED, {"approvals": "approved"}, False, "text"),
    case(ALL_APPROVED, {"approvals": [{"state": "approved"}, "approved"]}, False, "scalar-fails"),
    case(ALL_APPROVED, {"approvals": [{"state": "approved"}, None]}, False, "null-fails"),
    case(
        {"approvals": {"all_items": {"state": "approved"}, "any_item": {"state": "approved"}}},
        {"approvals": []},
        False,
        "at-least-one",
    ),
    case(
        {"xs": {"all_items": {"ys": {"all_items": {"v": {"gt": 0}}}}}},
        {"xs": [{"ys": [{"v": 1}]}, {"ys": []}]},
        True,
        "nested",
    ),
    case(
        {"xs": {"all_items": {"ys": {"all_items": {"v": {"gt": 0}}}}}},
        {"xs": [{"ys": [{"v": 1}]}, {}]},
        False,
        "nested-missing-list",
    ),
    case({"not": ALL_APPROVED}, {}, True, "not-of-missing"),
]


@pytest.mark.parametrize(("spec", "ticket", "expected"), ANY_ITEM)
def test_any_item(spec: Any, ticket: Any, expected: bool) -> None:
    assert agree(spec, ticket) is expected


@pytest.mark.parametrize(("spec", "ticket", "expected"), ALL_ITEMS)
def test_all_items(spec: Any, ticket: Any, expected: bool) -> None:
    assert agree(spec, ticket) is expected


def test_a_bound_decision_never_reaches_inside_the_items() -> None:
    """In later stages `priority` is the decided priority, but not inside an element."""
    condition = compile_condition({"xs": {"any_item": {"priority": "P1"}}, "priority": "P2"})
    compiled = predicate(condition, bound=("priority",))
    assert compiled.function({"xs": [{"priority": "P1"}], "priority": "other"}, "P2") is True
    assert compiled.function({"xs": [{"priority": "P2"}]}, "P2") is False
    assert condition.matches({"xs": [{"priority": "P1"}], "priority": "P2"})


def test_a_list_field_named_like_a_decision_is_the_decision() -> None:
    """`{priority: {any_item: ...}}` in a later stage tests the decided text: never a list."""
    condition = compile_condition({"priority": {"any_item": {"v": 1}}})
    compiled = predicate(condition, bound=("priority",))
    assert compiled.function({"priority": [{"v": 1}]}, "P1") is False
    assert condition.matches({"priority": [{"v": 1}]})  # at ticket level, a ticket field


def test_declared_fields_do_not_apply_inside_the_items() -> None:
    declared = {"id": FieldType("integer"), "xs": FieldType("list")}
    # the literal "360001" stays text inside the items: it is not converted to 360001
    assert agree(
        {"xs": {"any_item": {"id": "360001"}}}, {"xs": [{"id": "360001"}]}, fields=declared
    )
    assert not agree(
        {"xs": {"any_item": {"id": "360001"}}}, {"xs": [{"id": 360001}]}, fields=declared
    )
    # a date literal cannot be compared inside: no declaration can make the elements dates
    with pytest.raises(PolicyError, match="declared fields do not apply to list elements"):
        compile_condition({"xs": {"any_item": {"id": {"gt": date(2026, 1, 1)}}}}, fields=declared)


# --------------------------------------------------------------------------- traces


def _trace(spec: Any, ticket: Any) -> list[str]:
    return compile_condition(spec).explain(ticket).describe().splitlines()


def test_the_trace_says_which_element_matched() -> None:
    assert _trace(ANY_CORE, {"custom_fields": ZENDESK}) == [
        "[x] custom_fields any_item {'id': 360001, 'value': 'core'}: element [1] matches",
        "    [x] custom_fields[1]: all of:",
        "        [x] id eq 360001: 360001 == 360001",
        "        [x] value eq 'core': 'core' == 'core'",
    ]


def test_the_trace_says_why_no_element_matched() -> None:
    lines = _trace({"xs": {"any_item": {"v": 1}}}, {"xs": [{"v": 2}, 3]})
    assert lines == [
        "[ ] xs any_item {'v': 1}: none of its 2 elements matches",
        "    [ ] xs[0]: v eq 1: 2 != 1",
        "    [ ] xs[1]: v eq 1: field 'v' is missing (a number has no fields)",
    ]


def test_the_trace_shows_at_most_ten_elements() -> None:
    lines = _trace({"xs": {"any_item": {"v": 1}}}, {"xs": [{"v": 0}] * 50})
    assert lines[0].endswith(f"none of its 50 elements matches (the first {MAX_SHOWN_ITEMS} shown)")
    assert len(lines) == 1 + MAX_SHOWN_ITEMS


def test_the_trace_of_all_items_names_the_first_failure() -> None:
    lines = _trace(ALL_APPROVED, {"approvals": [{"state": "approved"}, {"state": "pending"}]})
    assert lines == [
        "[ ] approvals all_items {'state': 'approved'}: element [1] does not match",
        "    [ ] approvals[1]: state eq 'approved': 'pending' != 'approved'",
    ]
    assert _trace(ALL_APPROVED, {"approvals": [{"state": "approved"}] * 2}) == [
        "[x] approvals all_items {'state': 'approved'}: all 2 elements match"
    ]
    assert _trace(ALL_APPROVED, {"approvals": []}) == [
        "[x] approvals all_items {'state': 'approved'}: the list is empty: every element matches"
    ]


@pytest.mark.parametrize(
    ("ticket", "reason"),
    [
        pytest.param({}, "field 'xs' is missing", id="missing"),
        pytest.param({"xs": {"v": 1}}, "type mismatch: mapping (any_item needs a list)", id="map"),
        pytest.param({"xs": []}, "the list is empty", id="empty"),
        pytest.param({"xs": [{"v": 1}]}, "element [0] matches", id="match"),
    ],
)
def test_trace_reasons(ticket: Any, reason: str) -> None:
    check = compile_condition({"xs": {"any_item": {"v": 1}}}).explain(ticket)
    assert check.reason == reason
    assert check.expected == {"v": 1}  # the element condition as written, not the tree


def test_the_trace_of_nested_items_indents_each_level() -> None:
    spec = {"xs": {"any_item": {"ys": {"any_item": {"v": 1}}}}}
    lines = _trace(spec, {"xs": [{"ys": [{"v": 2}, {"v": 1}]}]})
    assert lines == [
        "[x] xs any_item {'ys': {'any_item': {'v': 1}}}: element [0] matches",
        "    [x] xs[0]: ys any_item {'v': 1}: element [1] matches",
        "        [x] ys[1]: v eq 1: 1 == 1",
    ]


def test_a_decision_trace_names_the_element() -> None:
    policy = slapolicy.load_policy(POLICY)
    decision = policy.evaluate(zendesk_ticket([{"id": 360001, "value": "core"}]))
    assert "custom_fields any_item {'id': 360001, 'value': 'core'}: element [0] matches" in (
        decision.explain()
    )


# --------------------------------------------------------------------------- compile errors

W = ("categories", 0, "when")


@pytest.mark.parametrize(
    ("spec", "fragment", "path"),
    [
        pytest.param({"xs": {"any_item": "core"}}, "use contains", "xs.any_item", id="text"),
        pytest.param({"xs": {"any_item": None}}, "got null", "xs.any_item", id="null"),
        pytest.param({"xs": {"all_items": [CORE]}}, "got a list", "xs.all_items", id="list"),
        pytest.param({"xs": {"any_item": {}}}, "empty mapping", "xs.any_item", id="empty"),
        pytest.param(
            {"xs": {"any_item": {"value": {"eqq": 1}}}},
            "did you mean 'eq'?",
            "xs.any_item.value.eqq",
            id="unknown-op-inside",
        ),
        pytest.param(
            {"xs": {"any_item": {"value": None}}}, "null never matches", "xs.any_item.value", id="n"
        ),
        pytest.param(
            {"xs": {"any_item": {"any": []}}}, "non-empty list", "xs.any_item.any", id="any-inside"
        ),
        pytest.param(
            {"xs": {"any_item": {"ys": {"all_items": 3}}}},
            "all_items takes a condition",
            "xs.any_item.ys.all_items",
            id="nested",
        ),
        pytest.param(
            {"xs": {"any_item": {"v": 1}, "case": "insensitive"}},
            "only to the text operators",
            "xs.case",
            id="case",
        ),
        pytest.param({"any_item": {"v": 1}}, "is an operator, not a field", "any_item", id="key"),
        pytest.param(
            {"xs": {"any_items": {"v": 1}}}, "did you mean 'any_item'?", "xs.any_items", id="t"
        ),
        pytest.param(
            {"xs": [{"id": 360001, "value": "core"}]},
            "for a list of objects 'xs: {any_item: {key: ...}}'",
            "xs[0]",
            id="list-of-mappings",
        ),
        pytest.param(
            {"xs": {"id": 360001}},
            "for a list of objects 'xs: {any_item: {id: ...}}'",
            "xs.id",
            id="hint",
        ),
    ],
)
def test_compile_errors(spec: Any, fragment: str, path: str) -> None:
    with pytest.raises(PolicyError) as caught:
        compile_condition(spec, path=W)
    problems = caught.value.problems
    assert [p.path for p in problems] == [f"categories[0].when.{path}"], problems
    assert fragment in problems[0].message


def test_every_problem_inside_the_items_is_reported_at_once() -> None:
    spec = {"xs": {"any_item": {"a": {"eqq": 1}, "b": {"in": []}}, "all_items": {"c": None}}}
    with pytest.raises(PolicyError) as caught:
        compile_condition(spec, path=W)
    assert [p.path for p in caught.value.problems] == [
        "categories[0].when.xs.any_item.a.eqq",
        "categories[0].when.xs.any_item.b.in",
        "categories[0].when.xs.all_items.c",
    ]


def test_a_declared_field_that_is_not_a_list_refuses_the_item_operators() -> None:
    with pytest.raises(PolicyError, match="any_item does not apply to field 'xs', declared as"):
        compile_condition({"xs": {"any_item": {"v": 1}}}, fields={"xs": FieldType("string")})
    assert agree(
        {"xs": {"any_item": {"v": 1}}}, {"xs": [{"v": 1}]}, fields={"xs": FieldType("list")}
    )


def test_a_malformed_element_condition_is_located_in_the_file() -> None:
    text = POLICY.replace("value: core}}}}", "value: {eqq: core}}}}}")
    with pytest.raises(PolicyError) as caught:
        slapolicy.load_policy(text)
    (problem,) = caught.value.problems
    assert problem.path == "categories[0].when.custom_fields.any_item.value.eqq"
    assert (problem.line, problem.column) == (7, 70)  # the key `eqq`


# --------------------------------------------------------------------------- the tree


def test_the_element_condition_is_the_tests_argument() -> None:
    tree = compile_tree({"xs": {"any_item": {"id": 1, "v": "a"}}}, path=W)
    assert isinstance(tree, FieldTests)
    (test,) = tree.tests
    items = item_condition(test)
    assert isinstance(items, ItemCondition)
    assert items.node == AllOf(
        (FieldTests("id", (OpTest("eq", 1),)), FieldTests("v", (OpTest("eq", "a"),)))
    )
    assert items.spec == {"id": 1, "v": "a"}
    assert items.predicate({"id": 1, "v": "a"})
    assert not items.predicate({"id": 1})
    assert [t.path for t in iter_field_tests(items.node)] == [
        (*W, "xs", "any_item", "id"),
        (*W, "xs", "any_item", "v"),
    ]
    assert arguments(test) == ()  # it compares the list with no literal
    assert item_condition(OpTest("eq", 1)) is None
    assert set(ITEM_OPERATORS) == {"any_item", "all_items"}


def test_element_conditions_are_equal_when_they_say_the_same() -> None:
    a = compile_tree({"xs": {"any_item": {"v": ["a", "b"]}}}, path=("x",))
    b = compile_tree({"xs": {"any_item": {"v": {"in": ["a", "b"]}}}}, path=("y",))
    c = compile_tree({"xs": {"any_item": {"v": ["a", "c"]}}})
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    assert compile_tree({"xs": {"any_item": {"v": 1}}}) != compile_tree(
        {"xs": {"all_items": {"v": 1}}}
    )


def test_ticket_walkers_stay_on_the_ticket() -> None:
    """A `priority` key inside an element is the element's own, not the decided priority."""
    tree = compile_tree(
        {
            "priority": "P1",
            "tags": {"any_item": {"priority": "high", "owner.id": 7}},
            "any": [{"xs": {"all_items": {"ys": {"any_item": {"category": "a"}}}}}, {"b": 1}],
        }
    )
    assert [f.name for f in iter_field_tests(tree)] == ["priority", "tags", "xs", "b"]
    assert all(type(n).__name__ != "ItemCondition" for n in iter_nodes(tree))
    assert compile_condition({"tags": {"any_item": {"priority": "high"}}}).fields == {"tags"}
    scoped = [(scope, f.name) for scope, f in iter_scoped_field_tests(tree)]
    assert scoped == [
        ((), "priority"),
        ((), "tags"),
        ((), "xs"),
        ((), "b"),
        (("tags",), "priority"),
        (("tags",), "owner.id"),
        (("xs",), "ys"),
        (("xs", "ys"), "category"),
    ]
    found = [
        (f.name, t.op, sorted(x.name for x in iter_field_tests(i.node)))
        for f, t, i in item_conditions(tree)
    ]
    assert found == [("tags", "any_item", ["owner.id", "priority"]), ("xs", "all_items", ["ys"])]


def test_a_condition_with_items_pickles() -> None:
    condition = compile_condition(ANY_CORE, fields={"custom_fields": FieldType("list")})
    copy = pickle.loads(pickle.dumps(condition))
    assert copy.matches({"custom_fields": ZENDESK})
    assert not copy.matches({"custom_fields": ZENDESK[:1]})
    assert copy.node == condition.node


# --------------------------------------------------------------------------- laws

SCALARS = st.one_of(st.sampled_from(["a", "b", "A", "宕机", ""]), st.integers(-2, 2), st.booleans())
ELEMENT_KEYS = ["v", "w", "ys"]


def _element_conditions(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.dictionaries(
        st.sampled_from(ELEMENT_KEYS[:2]),
        SCALARS
        | st.lists(SCALARS, min_size=1, max_size=2)
        | st.fixed_dictionaries({"gt": st.integers(-2, 2)})
        | st.fixed_dictionaries({"contains": st.sampled_from(["a", "宕"])})
        | st.fixed_dictionaries({"exists": st.booleans()}),
        min_size=1,
        max_size=2,
    )
    options = [
        leaf,
        leaf.map(lambda c: {"not": c}),
        st.lists(leaf, min_size=1, max_size=2).map(lambda cs: {"any": cs}),
    ]
    if depth < 2:
        inner = _element_conditions(depth + 1)
        op = st.sampled_from(sorted(ITEM_OPERATORS))
        options.append(st.tuples(op, inner).map(lambda p: {"ys": {p[0]: p[1]}}))
    return st.one_of(*options)


ELEMENT_CONDITIONS = _element_conditions(0)


def _elements(depth: int) -> st.SearchStrategy[Any]:
    values: st.SearchStrategy[Any] = SCALARS | st.none() | st.lists(SCALARS, max_size=2)
    if depth < 2:
        values = values | st.lists(_elements(depth + 1), max_size=3)
    element = st.dictionaries(st.sampled_from(ELEMENT_KEYS), values, max_size=3)
    return element | SCALARS | st.none()


LISTS = st.lists(_elements(0), max_size=5)
LAWS = settings(
    max_examples=settings().max_examples * 4, suppress_health_check=[HealthCheck.too_slow]
)


@LAWS
@given(inner=ELEMENT_CONDITIONS, items=LISTS)
def test_all_items_is_no_element_failing(inner: Any, items: list[Any]) -> None:
    all_items = agree({"xs": {"all_items": inner}}, {"xs": items})
    none_fails = agree({"not": {"xs": {"any_item": {"not": inner}}}}, {"xs": items})
    assert all_items is none_fails


@LAWS
@given(inner=ELEMENT_CONDITIONS, items=LISTS)
def test_any_item_is_some_element_satisfying_the_condition(inner: Any, items: list[Any]) -> None:
    element = compile_condition(inner)
    expected_any = any(element.matches(item if isinstance(item, dict) else {}) for item in items)
    expected_all = all(element.matches(item if isinstance(item, dict) else {}) for item in items)
    assert agree({"xs": {"any_item": inner}}, {"xs": items}) is expected_any
    assert agree({"xs": {"all_items": inner}}, {"xs": items}) is expected_all


@LAWS
@given(inner=ELEMENT_CONDITIONS, value=_elements(0) | LISTS.map(tuple))
def test_a_value_that_is_not_a_list_satisfies_neither(inner: Any, value: Any) -> None:
    ticket = {"xs": value}
    if isinstance(value, tuple):
        assert agree({"xs": {"any_item": inner}}, ticket) is agree(
            {"xs": {"any_item": inner}}, {"xs": list(value)}
        )
    else:
        assert not agree({"xs": {"any_item": inner}}, ticket)
        assert not agree({"xs": {"all_items": inner}}, ticket)


# --------------------------------------------------------------------------- whole policies

POLICY = """\
slapolicy: 1
name: exports
timezone: Asia/Shanghai
calendars:
  office: {timezone: Asia/Shanghai, hours: {mon-fri: ["09:00-18:00"]}}
categories:
  - {id: core, when: {custom_fields: {any_item: {id: 360001, value: core}}}}
  - {id: production, when: {customfield_10020: {any_item: {value: Production}}}}
  - {id: other}
priorities:
  - {id: P1, when: {category: core}}
  - {id: P2, when: {approvals: {all_items: {state: approved}, any_item: {state: approved}}}}
  - {id: P3}
slas:
  - id: standard
    calendar: office
    targets:
      P1: {response: 15m, resolve: 2h}
      P2: {response: 30m, resolve: 1d}
      P3: {response: 2h, resolve: 3d}
routing:
  - {when: {custom_fields: {any_item: {id: 360005, priority: urgent}}}, owner: duty}
  - {owner: desk}
owners:
  duty: {}
  desk: {}
"""


def zendesk_ticket(custom_fields: list[Any]) -> dict[str, Any]:
    """A ticket as the Zendesk Tickets API returns it (the fields a policy reads)."""
    return {
        "id": 35436,
        "subject": "Help, my printer is on fire!",
        "priority": "urgent",
        "status": "open",
        "custom_fields": custom_fields,
        "created_at": "2026-05-08T09:00:00Z",
    }


def test_a_zendesk_export_is_classified_by_its_custom_fields() -> None:
    policy = slapolicy.load_policy(POLICY)
    decision = policy.evaluate(
        zendesk_ticket([{"id": 360002, "value": None}, {"id": 360001, "value": "core"}])
    )
    assert (decision.category, decision.priority, decision.owner) == ("core", "P1", "desk")
    decision = policy.evaluate(zendesk_ticket([{"id": 360005, "priority": "urgent"}]))
    # `priority` inside the element is the element's key; the ticket's own "urgent" and the
    # decided P3 play no part
    assert (decision.category, decision.priority, decision.owner) == ("other", "P3", "duty")


def test_a_jira_export_is_classified_by_its_custom_fields() -> None:
    policy = slapolicy.load_policy(POLICY)
    issue = {
        "id": "10002",
        "key": "ED-1",
        "fields": {"summary": "Checkout fails"},
        "customfield_10020": [
            {
                "self": "https://x/rest/api/2/customFieldOption/10100",
                "value": "Production",
                "id": "10100",
            }
        ],
        "approvals": [{"state": "approved"}, {"state": "approved"}],
        "created_at": "2026-05-08T10:00:00+08:00",
    }
    decision = policy.evaluate(issue)
    assert (decision.category, decision.priority) == ("production", "P2")
    issue["approvals"].append({"state": "pending"})
    assert policy.evaluate(issue).priority == "P3"
    issue["approvals"] = []
    assert policy.evaluate(issue).priority == "P3"  # all_items holds, any_item does not


@pytest.mark.parametrize("backend", ["native", "durable"])
def test_both_backends_read_lists_of_objects(backend: str) -> None:
    if backend == "durable":
        pytest.importorskip("durable.engine")
    policy = slapolicy.load_policy(POLICY, backend=backend)
    decision = policy.evaluate(zendesk_ticket([{"id": 360001, "value": "core"}]))
    assert decision.category == "core"
    assert policy.evaluate(zendesk_ticket([])).category == "other"
