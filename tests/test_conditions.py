"""Tests for conditions: semantics of every operator, traces, compile errors and properties."""

from __future__ import annotations

import itertools
import math
import pickle
import threading
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slapolicy._conditions import (
    ITEM_OPERATORS,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_NEEDLE_LENGTH,
    MAX_PATTERN_LENGTH,
    OPERATORS,
    TEXT_OPERATORS,
    Check,
    Condition,
    compile_condition,
)
from slapolicy._conditions.codegen import predicate
from slapolicy._errors import PolicyError, Problem
from slapolicy._fields import FieldType

UTC8 = timezone(timedelta(hours=8))
SHANGHAI = ZoneInfo("Asia/Shanghai")
KEYWORDS = ["报错", "宕机", "无法登录", "闪退", "卡顿"]
MANY_KEYWORDS = [*KEYWORDS, "白屏", "超时", "丢失", "乱码", "ERROR", "Timeout"]  # RE2 path


def matches(spec: Any, ticket: Any, **options: Any) -> bool:
    """Compile ``spec``, evaluate it three ways, check they agree and return the result.

    The closures (``matches``), the trace (``explain``) and, for mapping tickets (the only
    ones the engine passes), the generated Python of ``slapolicy._conditions.codegen``.
    """
    condition = compile_condition(spec, **options)
    fast = condition.matches(ticket)
    check = condition.explain(ticket)
    assert check.matched is fast, check.describe()
    check.describe()
    if isinstance(ticket, Mapping):
        compiled = predicate(condition)
        assert compiled.source is not None
        assert compiled.function(ticket) is fast, compiled.source
    return fast


def case(spec: Any, ticket: Any, expected: bool, name: str) -> Any:
    """One row of a semantics table."""
    return pytest.param(spec, ticket, expected, id=name)


# --------------------------------------------------------------------------- semantics

EQUALITY = [
    case({"impact": "core"}, {"impact": "core"}, True, "text-equal"),
    case({"impact": "core"}, {"impact": "minor"}, False, "text-differs"),
    case({"impact": "core"}, {"impact": "Core"}, False, "text-case-matters"),
    case({"impact": "core"}, {}, False, "missing"),
    case({"impact": "core"}, {"impact": None}, False, "null-is-missing"),
    case({"impact": "core"}, {"impact": ["core"]}, False, "list-is-not-text"),
    case({"n": 3}, {"n": 3}, True, "int-equal"),
    case({"n": 3}, {"n": 3.0}, True, "int-equals-float"),
    case({"n": 3}, {"n": "3"}, False, "text-3-is-not-3"),
    case({"n": "3"}, {"n": 3}, False, "3-is-not-text-3"),
    case({"n": 1}, {"n": True}, False, "true-is-not-1"),
    case({"flag": True}, {"flag": 1}, False, "1-is-not-true"),
    case({"flag": True}, {"flag": True}, True, "bool-equal"),
    case({"flag": False}, {"flag": 0}, False, "0-is-not-false"),
    case({"n": 0.1}, {"n": math.nan}, False, "nan-equals-nothing"),
    case({"customer.tier": "gold"}, {"customer": {"tier": "gold"}}, True, "dotted-path"),
    case({"customer.tier": "gold"}, {"customer": "gold"}, False, "dotted-through-text"),
    case({"customer.tier": "gold"}, {"customer": None}, False, "dotted-through-null"),
    case({"customer.tier": "gold"}, {"customer.tier": "gold"}, False, "dotted-is-nested-only"),
    case({"a.b.c": 1}, {"a": {"b": {"c": 1}}}, True, "deep-path"),
    case({"a.b.c": 1}, {"a": {"b": [1]}}, False, "deep-path-through-list"),
    case({"impact": {"eq": "core"}}, {"impact": "core"}, True, "eq-operator"),
    case({"impact": {"eq": "CORE", "case": "insensitive"}}, {"impact": "core"}, True, "eq-fold"),
    case({"title": {"eq": "服务", "case": "insensitive"}}, {"title": "服务"}, True, "eq-fold-zh"),
    case({"impact": {"eq": "core", "case": "sensitive"}}, {"impact": "CORE"}, False, "eq-case"),
    case({"impact": {"ne": "core"}}, {"impact": "minor"}, True, "ne-differs"),
    case({"impact": {"ne": "core"}}, {"impact": "core"}, False, "ne-equal"),
    case({"impact": {"ne": "core"}}, {}, False, "ne-missing-is-false"),
    case({"impact": {"ne": "core"}}, {"impact": None}, False, "ne-null-is-false"),
    case({"n": {"ne": 1}}, {"n": True}, True, "ne-across-kinds"),
    case({"impact": {"ne": "CORE", "case": "insensitive"}}, {"impact": "core"}, False, "ne-fold"),
]

MEMBERSHIP = [
    case({"impact": ["core", "major"]}, {"impact": "major"}, True, "shorthand-in"),
    case({"impact": ["core", "major"]}, {"impact": "minor"}, False, "shorthand-not-in"),
    case({"impact": ["core", "major"]}, {}, False, "in-missing"),
    case({"n": {"in": [1, 2]}}, {"n": 2.0}, True, "in-numbers"),
    case({"n": {"in": [1, 2]}}, {"n": True}, False, "in-bool-is-not-1"),
    case({"n": {"in": [1, "a", True]}}, {"n": "a"}, True, "in-mixed"),
    case({"n": {"in": [1, "a", True]}}, {"n": True}, True, "in-mixed-bool"),
    case({"n": {"in": [1, "a"]}}, {"n": [1]}, False, "in-list-value"),
    case({"n": {"in": ["A", "b"], "case": "insensitive"}}, {"n": "a"}, True, "in-fold"),
    case({"impact": {"not_in": ["core"]}}, {"impact": "minor"}, True, "not-in"),
    case({"impact": {"not_in": ["core"]}}, {"impact": "core"}, False, "not-in-member"),
    case({"impact": {"not_in": ["core"]}}, {}, False, "not-in-missing-is-false"),
    case({"n": {"not_in": [1]}}, {"n": True}, True, "not-in-across-kinds"),
    case({"n": {"not_in": ["CORE"], "case": "insensitive"}}, {"n": "core"}, False, "not-in-fold"),
]

ORDERING = [
    case({"n": {"gt": 2}}, {"n": 3}, True, "gt"),
    case({"n": {"gt": 2}}, {"n": 2}, False, "gt-equal"),
    case({"n": {"ge": 2}}, {"n": 2.0}, True, "ge-float"),
    case({"n": {"lt": 2.5}}, {"n": 2}, True, "lt-int-vs-float"),
    case({"n": {"le": 2}}, {"n": 3}, False, "le"),
    case({"n": {"gt": 2}}, {"n": "3"}, False, "gt-text-vs-number"),
    case({"n": {"gt": 0}}, {"n": True}, False, "gt-bool-vs-number"),
    case({"n": {"gt": 0}}, {"n": math.nan}, False, "gt-nan"),
    case({"n": {"lt": 0}}, {"n": -math.inf}, True, "lt-minus-inf"),
    case({"n": {"gt": 0}}, {"n": 10**5000}, True, "gt-huge-int"),
    case({"n": {"gt": 1e308}}, {"n": 10**400}, True, "huge-int-vs-float"),
    case({"n": {"gt": 2}}, {}, False, "gt-missing"),
    case({"n": {"gt": 2}}, {"n": [3]}, False, "gt-list"),
    case({"v": {"ge": "b"}}, {"v": "c"}, True, "ge-text"),
    case({"v": {"ge": "b"}}, {"v": "a"}, False, "ge-text-below"),
    case({"v": {"ge": "b"}}, {"v": 5}, False, "ge-number-vs-text"),
    case({"n": {"gt": 1, "lt": 5}}, {"n": 3}, True, "two-operators-both-hold"),
    case({"n": {"gt": 1, "lt": 5}}, {"n": 7}, False, "two-operators-one-fails"),
    case({"n": {"between": [1, 5]}}, {"n": 1}, True, "between-low-inclusive"),
    case({"n": {"between": [1, 5]}}, {"n": 5.0}, True, "between-high-inclusive"),
    case({"n": {"between": [1, 5]}}, {"n": 5.5}, False, "between-above"),
    case({"n": {"between": [1, 5]}}, {"n": "3"}, False, "between-text"),
    case({"n": {"between": [1, 5]}}, {"n": True}, False, "between-bool"),
    case({"n": {"between": [1, 5]}}, {}, False, "between-missing"),
    case({"v": {"between": ["a", "c"]}}, {"v": "b"}, True, "between-text-bounds"),
]

CONTAINS = [
    case({"text": {"contains": "报错"}}, {"text": "系统报错了"}, True, "substring-zh"),
    case({"text": {"contains": "报错"}}, {"text": "系统很慢"}, False, "substring-zh-absent"),
    case({"text": {"contains": "error"}}, {"text": "An ERROR"}, False, "substring-case"),
    case(
        {"text": {"contains": "error", "case": "insensitive"}},
        {"text": "An ERROR occurred"},
        True,
        "substring-fold",
    ),
    case(
        {"text": {"contains": "straße", "case": "insensitive"}},
        {"text": "HAUPTSTRASSE 5"},
        True,
        "substring-casefold-sharp-s",
    ),
    case({"tags": {"contains": "vip"}}, {"tags": ["new", "vip"]}, True, "list-element"),
    case({"tags": {"contains": "vi"}}, {"tags": ["new", "vip"]}, False, "list-not-substring"),
    case({"tags": {"contains": 1}}, {"tags": [True, "1"]}, False, "list-strict-equality"),
    case({"tags": {"contains": 1}}, {"tags": [2, 1.0]}, True, "list-number-element"),
    case(
        {"tags": {"contains": "VIP", "case": "insensitive"}},
        {"tags": ["vip"]},
        True,
        "list-element-fold",
    ),
    case({"text": {"contains": 3}}, {"text": "a 3 b"}, False, "text-cannot-contain-number"),
    case({"text": {"contains": "3"}}, {"text": 3}, False, "number-contains-nothing"),
    case({"text": {"contains": "a"}}, {"text": {"a": 1}}, False, "mapping-contains-nothing"),
    case({"text": {"contains": "a"}}, {}, False, "contains-missing"),
    case({"text": {"contains_any": KEYWORDS}}, {"text": "一直闪退"}, True, "any-zh"),
    case({"text": {"contains_any": KEYWORDS}}, {"text": "咨询发票"}, False, "any-zh-absent"),
    case({"text": {"contains_any": MANY_KEYWORDS}}, {"text": "页面白屏"}, True, "any-many-zh"),
    case({"text": {"contains_any": MANY_KEYWORDS}}, {"text": "咨询发票"}, False, "any-many-miss"),
    case(
        {"text": {"contains_any": MANY_KEYWORDS, "case": "insensitive"}},
        {"text": "request TIMEOUT"},
        True,
        "any-many-fold",
    ),
    case(
        {"text": {"contains_any": MANY_KEYWORDS}},
        {"text": "request TIMEOUT"},
        False,
        "any-many-case",
    ),
    case({"tags": {"contains_any": ["a", 2]}}, {"tags": ["x", 2.0]}, True, "any-list"),
    case({"tags": {"contains_any": ["a", 2]}}, {"tags": ["x", True]}, False, "any-list-miss"),
    case({"text": {"contains_any": ["a", 2]}}, {"text": "2"}, False, "any-number-in-text"),
    case({"text": {"contains_all": ["报", "错"]}}, {"text": "错误报告"}, True, "all-zh"),
    case({"text": {"contains_all": ["报", "宕"]}}, {"text": "错误报告"}, False, "all-zh-miss"),
    case(
        {"text": {"contains_all": ["LOGIN", "fail"], "case": "insensitive"}},
        {"text": "Login FAILED"},
        True,
        "all-fold",
    ),
    case({"tags": {"contains_all": ["a", "b"]}}, {"tags": ["b", "c", "a"]}, True, "all-list"),
    case({"tags": {"contains_all": ["a", "b"]}}, {"tags": ["a", "a"]}, False, "all-list-miss"),
    case({"tags": {"contains_all": [1, 1.0]}}, {"tags": [1]}, True, "all-list-equal-needles"),
    case({"text": {"contains_all": ["a", 1]}}, {"text": "a1"}, False, "all-mixed-on-text"),
]

MATCHES = [
    case(
        {"text": {"matches": "订单号\\d+"}}, {"text": "请查询订单号12345的物流"}, True, "search-zh"
    ),
    case({"text": {"matches": "^订单"}}, {"text": "请查询订单号"}, False, "anchored"),
    case({"text": {"matches": "\\p{Han}{2}"}}, {"text": "abc 你好"}, True, "unicode-class"),
    case({"text": {"matches": "refund"}}, {"text": "REFUND please"}, False, "case-matters"),
    case(
        {"text": {"matches": "refund", "case": "insensitive"}},
        {"text": "REFUND please"},
        True,
        "case-insensitive",
    ),
    case({"text": {"matches": "(?i)refund"}}, {"text": "Refund"}, True, "inline-flag"),
    case({"text": {"matches": "3"}}, {"text": 3}, False, "number-is-not-text"),
    case({"text": {"matches": "a.b"}}, {"text": "a\ud800b"}, True, "lone-surrogate"),
    case({"text": {"matches": "x"}}, {}, False, "missing"),
]

EXISTS = [
    case({"x": {"exists": True}}, {"x": 0}, True, "present-zero"),
    case({"x": {"exists": True}}, {"x": ""}, True, "present-empty-text"),
    case({"x": {"exists": True}}, {"x": None}, False, "null"),
    case({"x": {"exists": True}}, {}, False, "missing"),
    case({"x": {"exists": False}}, {}, True, "exists-false-missing"),
    case({"x": {"exists": False}}, {"x": None}, True, "exists-false-null"),
    case({"x": {"exists": False}}, {"x": False}, False, "exists-false-present"),
    case({"a.b": {"exists": False}}, {"a": "text"}, True, "exists-false-through-text"),
    case({"x": {"exists": True, "gt": 1}}, {"x": 2}, True, "exists-with-other"),
]

COMBINATORS = [
    case(
        {"impact": "core", "urgency": "high"}, {"impact": "core", "urgency": "high"}, True, "keys"
    ),
    case({"impact": "core", "urgency": "high"}, {"impact": "core"}, False, "keys-one-missing"),
    case({"all": [{"a": 1}, {"b": 2}]}, {"a": 1, "b": 2}, True, "all"),
    case({"all": [{"a": 1}, {"b": 2}]}, {"a": 1, "b": 3}, False, "all-one-fails"),
    case({"all": [{"a": 1}]}, {"a": 1}, True, "all-single"),
    case({"any": [{"a": 1}, {"b": 2}]}, {"b": 2}, True, "any"),
    case({"any": [{"a": 1}, {"b": 2}, {"c": 3}]}, {"c": 4}, False, "any-none"),
    case({"not": {"a": 1}}, {"a": 2}, True, "not"),
    case({"not": {"a": 1}}, {"a": 1}, False, "not-matching"),
    case({"not": {"a": 1}}, {}, True, "not-of-missing"),
    case({"a": 1, "not": {"b": 2}}, {"a": 1, "b": 3}, True, "not-beside-field"),
    case({"a": 1, "not": {"b": 2}}, {"a": 1, "b": 2}, False, "not-beside-field-fails"),
    case(
        {"any": [{"type": ["bug", "outage"]}, {"text": {"contains_any": ["报错", "宕机"]}}]},
        {"type": "question", "text": "服务器宕机"},
        True,
        "spec-category-example",
    ),
    case(
        {"all": [{"any": [{"a": 1}, {"b": 1}]}, {"not": {"c": {"exists": True}}}]},
        {"b": 1},
        True,
        "nested",
    ),
]


@pytest.mark.parametrize(("spec", "ticket", "expected"), EQUALITY)
def test_equality(spec: Any, ticket: Any, expected: bool) -> None:
    assert matches(spec, ticket) is expected


@pytest.mark.parametrize(("spec", "ticket", "expected"), MEMBERSHIP)
def test_membership(spec: Any, ticket: Any, expected: bool) -> None:
    assert matches(spec, ticket) is expected


@pytest.mark.parametrize(("spec", "ticket", "expected"), ORDERING)
def test_ordering(spec: Any, ticket: Any, expected: bool) -> None:
    assert matches(spec, ticket) is expected


@pytest.mark.parametrize(("spec", "ticket", "expected"), CONTAINS)
def test_contains(spec: Any, ticket: Any, expected: bool) -> None:
    assert matches(spec, ticket) is expected


@pytest.mark.parametrize(("spec", "ticket", "expected"), MATCHES)
def test_matches_is_a_regex_search(spec: Any, ticket: Any, expected: bool) -> None:
    assert matches(spec, ticket) is expected


@pytest.mark.parametrize(("spec", "ticket", "expected"), EXISTS)
def test_exists(spec: Any, ticket: Any, expected: bool) -> None:
    assert matches(spec, ticket) is expected


@pytest.mark.parametrize(("spec", "ticket", "expected"), COMBINATORS)
def test_combinators(spec: Any, ticket: Any, expected: bool) -> None:
    assert matches(spec, ticket) is expected


def test_always_matches_every_ticket() -> None:
    condition = Condition.always()
    assert condition.matches({}) is True
    assert condition.matches({"anything": [1, {"x": None}]}) is True
    check = condition.explain({})
    assert (check.kind, check.matched) == ("true", True)
    assert condition.fields == frozenset()
    assert condition.spec is None
    assert Condition.always() is condition


def test_tuple_and_mapping_subclasses_work_like_lists_and_dicts() -> None:
    from types import MappingProxyType

    ticket = MappingProxyType({"tags": ("a", "b"), "c": MappingProxyType({"d": 1})})
    assert matches({"tags": {"contains": "b"}, "c.d": 1}, ticket)


def test_deeply_nested_and_self_referencing_values_never_raise() -> None:
    deep: Any = "leaf"
    for _ in range(100_000):
        deep = [deep]
    cyclic: list[Any] = ["a"]
    cyclic.append(cyclic)
    looped: dict[str, Any] = {"x": 1}
    looped["self"] = looped
    ticket = {"a": deep, "b": cyclic, "c": looped}
    for spec in (
        {"a": "leaf"},
        {"a": {"contains": "leaf"}},
        {"b": {"contains_all": ["a", "b"]}},
        {"b": {"in": ["a"]}},
        {"c.self.self.x": 1},
        {"c": {"matches": "x"}},
    ):
        matches(spec, ticket)
    assert matches({"c.self.self.self.x": 1}, ticket)


def test_non_mapping_ticket_has_no_fields() -> None:
    assert matches({"a": 1}, [1, 2]) is False
    assert matches({"a": {"exists": False}}, "text") is True


# --------------------------------------------------------------------------- declared fields


def test_declared_field_literals_are_converted() -> None:
    fields = {"attempts": FieldType("integer"), "score": FieldType("number")}
    assert matches({"attempts": "3"}, {"attempts": 3}, fields=fields)
    assert matches({"attempts": {"in": ["1", "2"]}}, {"attempts": 2}, fields=fields)
    assert matches({"score": {"between": ["1.5", "2.5"]}}, {"score": 2}, fields=fields)


def test_undeclared_field_literals_are_not_converted() -> None:
    assert not matches({"attempts": "3"}, {"attempts": 3})


def test_declared_datetime_field_compares_instants() -> None:
    fields = {"created_at": FieldType("datetime")}
    spec = {"created_at": {"ge": "2026-05-08T09:00:00+08:00", "lt": "2026-05-08T02:00:00Z"}}
    assert matches(spec, {"created_at": datetime(2026, 5, 8, 9, 30, tzinfo=UTC8)}, fields=fields)
    assert not matches(spec, {"created_at": datetime(2026, 5, 8, 10, tzinfo=UTC8)}, fields=fields)
    assert not matches(spec, {"created_at": "2026-05-08T09:30:00+08:00"}, fields=fields)
    assert not matches(spec, {"created_at": datetime(2026, 5, 8, 9, 30)}, fields=fields)


def test_naive_datetime_literal_is_read_in_the_given_zone() -> None:
    fields = {"created_at": FieldType("datetime")}
    condition = compile_condition(
        {"created_at": {"lt": datetime(2026, 5, 8, 9)}}, fields=fields, tz=SHANGHAI
    )
    assert condition.matches({"created_at": datetime(2026, 5, 8, 0, 59, tzinfo=timezone.utc)})
    assert not condition.matches({"created_at": datetime(2026, 5, 8, 1, tzinfo=timezone.utc)})


def test_enum_literal_may_differ_in_case_when_case_insensitive() -> None:
    fields = {"impact": FieldType("string", ("core", "major"))}
    assert matches(
        {"impact": {"eq": "CORE", "case": "insensitive"}}, {"impact": "core"}, fields=fields
    )


def test_contains_needle_on_declared_text_field_need_not_be_an_enum_value() -> None:
    fields = {"impact": FieldType("string", ("core", "major"))}
    assert matches({"impact": {"contains": "maj"}}, {"impact": "major"}, fields=fields)


# --------------------------------------------------------------------------- traces


def test_trace_says_why_a_test_failed() -> None:
    condition = compile_condition({"impact": "core", "urgency": {"in": ["high"]}, "n": {"gt": 2}})
    check = condition.explain({"impact": "minor", "n": "5"})
    assert check.kind == "all"
    assert not check.matched
    impact, urgency, n = check.children
    assert (impact.kind, impact.field, impact.op, impact.expected, impact.actual) == (
        "test",
        "impact",
        "eq",
        "core",
        "minor",
    )
    assert impact.reason == "'minor' != 'core'"
    assert urgency.reason == "field 'urgency' is missing"
    assert urgency.expected == ("high",)
    assert n.reason == "type mismatch: string vs number"


@pytest.mark.parametrize(
    ("spec", "ticket", "reason"),
    [
        pytest.param({"a": 1}, {"a": None}, "field 'a' is null (counts as missing)", id="null"),
        pytest.param(
            {"c.d": 1},
            {"c": [1]},
            "field 'c.d' is missing ('c' is a list, not a mapping)",
            id="through-list",
        ),
        pytest.param({"a": "x"}, {"a": "x"}, "'x' == 'x'", id="eq"),
        pytest.param(
            {"a": {"eq": "X", "case": "insensitive"}}, {"a": "x"}, "(ignoring case)", id="fold"
        ),
        pytest.param({"a": {"ne": 1}}, {"a": True}, "type mismatch: boolean vs number", id="ne"),
        pytest.param({"a": ["x", "y"]}, {"a": "z"}, "'z' is not in ['x', 'y']", id="in"),
        pytest.param({"a": {"gt": 3}}, {"a": 2}, "2 is not > 3", id="gt"),
        pytest.param({"a": {"le": 3}}, {"a": 2}, "2 <= 3", id="le"),
        pytest.param({"a": {"between": [1, 3]}}, {"a": 9}, "9 is not between 1 and 3", id="btw"),
        pytest.param(
            {"t": {"contains_any": KEYWORDS}}, {"t": "又闪退了"}, "contains '闪退'", id="any-hit"
        ),
        pytest.param(
            {"t": {"contains_any": ["报错", "宕机"]}},
            {"t": "很慢"},
            "'很慢' contains none of ['报错', '宕机']",
            id="any-miss",
        ),
        pytest.param(
            {"t": {"contains_all": ["报", "宕"]}},
            {"t": "报告"},
            "'报告' does not contain '宕'",
            id="all-miss",
        ),
        pytest.param(
            {"t": {"contains": "x"}}, {"t": 5}, "contains needs text or a list", id="contains-num"
        ),
        pytest.param({"t": {"matches": "^a+$"}}, {"t": "b"}, "does not match /^a+$/", id="re"),
        pytest.param({"x": {"exists": False}}, {"x": 1}, "field 'x' is present (1)", id="exists"),
    ],
)
def test_trace_reasons(spec: Any, ticket: Any, reason: str) -> None:
    check = compile_condition(spec).explain(ticket)
    assert check.reason is not None
    assert reason in check.reason


def test_trace_shortens_huge_values() -> None:
    check = compile_condition({"t": "x"}).explain({"t": "长" * 1_000_000, "n": 10**10000})
    assert len(check.describe()) < 300
    check = compile_condition({"n": {"gt": 1}}).explain({"n": 10**10000})
    assert "digits" in check.describe()


def test_describe_renders_one_line_per_test() -> None:
    condition = compile_condition(
        {
            "any": [
                {"type": ["bug", "outage"]},
                {"text": {"contains_any": ["报错", "宕机"]}},
            ],
            "not": {"customer.tier": "internal"},
        }
    )
    text = condition.explain({"type": "question", "text": "服务器宕机"}).describe()
    assert text == "\n".join(
        [
            "[x] all of:",
            "    [x] any of:",
            "        [ ] type in ['bug', 'outage']: 'question' is not in ['bug', 'outage']",
            "        [x] text contains_any ['报错', '宕机']: '服务器宕机' contains '宕机'",
            "    [x] not:",
            "        [ ] customer.tier eq 'internal': field 'customer.tier' is missing",
        ]
    )


def test_describe_groups_several_operators_on_one_field() -> None:
    text = compile_condition({"n": {"gt": 1, "lt": 5}}).explain({"n": 7}).describe()
    assert text.splitlines() == [
        "[ ] n: all of:",
        "    [x] n gt 1: 7 > 1",
        "    [ ] n lt 5: 7 is not < 5",
    ]


def test_checks_are_frozen() -> None:
    check = compile_condition({"a": 1}).explain({"a": 1})
    assert isinstance(check, Check)
    with pytest.raises(AttributeError):
        check.matched = False  # type: ignore[misc]


# --------------------------------------------------------------------------- the Condition object


def test_condition_reports_the_fields_it_reads() -> None:
    condition = compile_condition(
        {"impact": "core", "any": [{"customer.tier": "gold"}, {"not": {"tags": {"exists": True}}}]}
    )
    assert condition.fields == frozenset({"impact", "customer.tier", "tags"})


def test_condition_keeps_a_copy_of_its_spec() -> None:
    spec = {"impact": ["core", "major"]}
    condition = compile_condition(spec)
    spec["impact"].append("minor")
    assert condition.spec == {"impact": ["core", "major"]}
    condition.spec["impact"].append("minor")
    assert condition.spec == {"impact": ["core", "major"]}
    assert not condition.matches({"impact": "minor"})


def test_condition_is_immutable() -> None:
    condition = compile_condition({"a": 1})
    with pytest.raises(AttributeError):
        condition.matches = lambda ticket: True
    with pytest.raises(AttributeError):
        del condition.matches


def test_condition_survives_pickling() -> None:
    fields = {"n": FieldType("integer")}
    condition = compile_condition({"n": {"gt": "2"}, "t": {"matches": "a+"}}, fields=fields)
    copy = pickle.loads(pickle.dumps(condition))
    assert copy.matches({"n": 3, "t": "caa"})
    assert not copy.matches({"n": 2, "t": "a"})
    assert pickle.loads(pickle.dumps(Condition.always())) is Condition.always()


def test_condition_is_safe_to_share_between_threads() -> None:
    condition = compile_condition(
        {"text": {"contains_any": MANY_KEYWORDS, "matches": "订单\\d+"}, "n": {"gt": 1}}
    )
    tickets = [{"text": f"订单{i} 白屏", "n": i % 3} for i in range(300)]
    expected = [condition.matches(t) for t in tickets]
    results: list[list[bool]] = []

    def work() -> None:
        results.append([condition.matches(t) for t in tickets])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 8


def test_repr_shows_the_spec() -> None:
    assert repr(compile_condition({"a": 1})) == "Condition({'a': 1})"
    assert repr(Condition.always()) == "Condition.always()"


# --------------------------------------------------------------------------- compile errors

W = ("when",)


def error(spec: Any, fragment: str, path: str, name: str) -> Any:
    """One row of the compile-error table."""
    return pytest.param(spec, fragment, path, id=name)


COMPILE_ERRORS = [
    error({"text": {"containz": "a"}}, "did you mean 'contains'?", "when.text.containz", "typo-op"),
    error({"n": {"greater": 1}}, "unknown operator 'greater'", "when.n.greater", "unknown-op"),
    error(
        {"customer": {"tier": "gold"}}, "write 'customer.tier: ...'", "when.customer.tier", "nest"
    ),
    error({"n": {True: 1}}, "YAML reads unquoted", "when.n.True", "bool-op"),
    error({"n": {}}, "no operator given for field 'n'", "when.n", "no-op"),
    error({"n": {"between": 3}}, "between takes a list [low, high]", "when.n.between", "btw-num"),
    error({"n": {"between": [1]}}, "got a list of 1", "when.n.between", "btw-len"),
    error({"n": {"between": [5, 1]}}, "write [1, 5]", "when.n.between", "btw-order"),
    error({"n": {"between": [1, "5"]}}, "number and string", "when.n.between", "btw-kinds"),
    error({"n": {"between": [False, 1]}}, "booleans have no order", "when.n.between[0]", "btw-b"),
    error({"n": {"gt": True}}, "booleans have no order", "when.n.gt", "gt-bool"),
    error({"n": {"gt": [1]}}, "got a list", "when.n.gt", "gt-list"),
    error({"text": {"contains_any": []}}, "non-empty list", "when.text.contains_any", "any-empty"),
    error({"text": {"contains_any": "a"}}, "non-empty list", "when.text.contains_any", "any-text"),
    error({"text": {"contains_all": [""]}}, "empty needle", "when.text.contains_all[0]", "needle"),
    error(
        {"text": {"contains_any": ["x"] * (MAX_ITEMS + 1)}},
        f"at most {MAX_ITEMS}",
        "when.text.contains_any",
        "too-many-needles",
    ),
    error(
        {"text": {"contains": "x" * (MAX_NEEDLE_LENGTH + 1)}},
        "longer than",
        "when.text.contains",
        "needle-too-long",
    ),
    error({"text": {"contains": None}}, "null never matches", "when.text.contains", "needle-null"),
    error({"n": {"in": []}}, "non-empty list", "when.n.in", "in-empty"),
    error({"n": {"in": "core"}}, "non-empty list", "when.n.in", "in-text"),
    error({"n": {"not_in": [1, [2]]}}, "got a list", "when.n.not_in[1]", "in-nested"),
    error({"n": {"in": list(range(MAX_ITEMS + 1))}}, f"at most {MAX_ITEMS}", "when.n.in", "in-big"),
    error({"n": {"exists": "yes"}}, "exists takes true or false", "when.n.exists", "exists"),
    error({"n": {"exists": False, "eq": 1}}, "cannot be combined", "when.n.exists", "exists-and"),
    error(
        {"t": {"eq": "a", "case": "lower"}}, "'insensitive' or 'sensitive'", "when.t.case", "case"
    ),
    error(
        {"n": {"gt": 1, "case": "insensitive"}}, "only to the text operators", "when.n.case", "c"
    ),
    error({"case": "insensitive"}, "belongs next to the operators", "when.case", "case-top"),
    error({"t": {"matches": "(a)\\1"}}, "RE2 syntax", "when.t.matches", "backreference"),
    error(
        {"t": {"matches": "(?=a)b"}}, "no backreferences or look-around", "when.t.matches", "ahead"
    ),
    error({"t": {"matches": "(?<!a)b"}}, "invalid perl operator", "when.t.matches", "behind"),
    error({"t": {"matches": "a\\Z"}}, "write \\z for end of text", "when.t.matches", "big-z"),
    error({"t": {"matches": "[a-"}}, "missing ]", "when.t.matches", "unclosed"),
    error({"t": {"matches": ""}}, "empty pattern", "when.t.matches", "empty-pattern"),
    error({"t": {"matches": 5}}, "regular expression as text", "when.t.matches", "num-pattern"),
    error(
        {"t": {"matches": "a" * (MAX_PATTERN_LENGTH + 1)}},
        "longer than",
        "when.t.matches",
        "long-pattern",
    ),
    error({"t": {"matches": "\ud800"}}, "not valid Unicode", "when.t.matches", "surrogate-re"),
    error({"all": []}, "non-empty list", "when.all", "all-empty"),
    error({"any": []}, "non-empty list", "when.any", "any-empty-list"),
    error({"any": {"a": 1}}, "write any: [{...}, {...}]", "when.any", "any-mapping"),
    error({"all": [{"a": 1}, 3]}, "must be a mapping", "when.all[1]", "all-item"),
    error({"not": [{"a": 1}]}, "not takes one condition mapping", "when.not", "not-list"),
    error({"not": {}}, "empty condition", "when.not", "not-empty"),
    error({"a": None}, "use {exists: false}", "when.a", "null-literal"),
    error({"a": {"eq": {"b": 1}}}, "write 'a.key: ...'", "when.a.eq", "mapping-literal"),
    error({"a": {"eq": [1]}}, "use in: [...]", "when.a.eq", "list-literal"),
    error({"a": math.nan}, "NaN never equals anything", "when.a", "nan"),
    error({"a": date(2026, 5, 8)}, "declared in fields: as", "when.a", "date-undeclared"),
    error({"a": {1, 2}}, "expected text, a number or a boolean", "when.a", "set-literal"),
    error({"eq": 1}, "is an operator, not a field", "when.eq", "op-as-field"),
    error({"a..b": 1}, "has an empty part", 'when["a..b"]', "empty-part"),
    error({" a": 1}, "spaces around", 'when[" a"]', "spaces"),
    error({True: 1}, "YAML reads unquoted", "when.True", "bool-key"),
    error({}, "empty condition", "when", "empty"),
    error([{"a": 1}], "write all: [...]", "when", "list"),
    error(None, "got null", "when", "none"),
    error("impact == core", "must be a mapping", "when", "expression-text"),
]


@pytest.mark.parametrize(("spec", "fragment", "path"), COMPILE_ERRORS)
def test_compile_errors(spec: Any, fragment: str, path: str) -> None:
    with pytest.raises(PolicyError) as caught:
        compile_condition(spec, path=W)
    problems = caught.value.problems
    assert [p.path for p in problems] == [path], problems
    assert fragment in problems[0].message


DECLARED = {
    "impact": FieldType("string", ("core", "major", "minor")),
    "attempts": FieldType("integer"),
    "vip": FieldType("boolean"),
    "tags": FieldType("list"),
    "created_at": FieldType("datetime"),
}


@pytest.mark.parametrize(
    ("spec", "fragment", "path"),
    [
        error(
            {"impact": "crit"}, "'crit' is not one of 'core', 'major', 'minor'", "when.impact", "e"
        ),
        error({"impact": ["core", "majr"]}, "did you mean 'major'?", "when.impact[1]", "enum-list"),
        error(
            {"attempts": "many"},
            "value for field 'attempts': expected an integer",
            "when.attempts",
            "i",
        ),
        error({"attempts": True}, "got boolean", "when.attempts", "int-bool"),
        error({"vip": {"gt": False}}, "booleans have no order", "when.vip.gt", "bool-gt"),
        error(
            {"attempts": {"contains": "1"}}, "declared as integer", "when.attempts.contains", "c"
        ),
        error({"attempts": {"matches": "1"}}, "declared as integer", "when.attempts.matches", "re"),
        error({"tags": "vip"}, "test a list with contains", "when.tags", "list-eq"),
        error({"created_at": {"gt": "yesterday"}}, "ISO 8601", "when.created_at.gt", "dt"),
        error(
            {"created_at": {"gt": "2026-05-08T09:00"}}, "no UTC offset", "when.created_at.gt", "n"
        ),
    ],
)
def test_compile_errors_for_declared_fields(spec: Any, fragment: str, path: str) -> None:
    with pytest.raises(PolicyError) as caught:
        compile_condition(spec, path=W, fields=DECLARED)
    problems = caught.value.problems
    assert [p.path for p in problems] == [path], problems
    assert fragment in problems[0].message


def test_compile_reports_every_problem_at_once_in_order() -> None:
    spec = {
        "text": {"containz": "a", "contains_any": [], "case": "lower"},
        "n": {"between": [5, 1]},
        "any": [{"r": {"matches": "(a)\\1"}}, {"ok": 1}, {"impact": "crit"}],
        "not": {"k": None},
    }
    with pytest.raises(PolicyError) as caught:
        compile_condition(spec, path=("priorities", 2, "when"), fields=DECLARED)
    assert [p.path for p in caught.value.problems] == [
        "priorities[2].when.text.containz",
        "priorities[2].when.text.contains_any",
        "priorities[2].when.text.case",
        "priorities[2].when.n.between",
        "priorities[2].when.any[0].r.matches",
        "priorities[2].when.any[2].impact",
        "priorities[2].when.not.k",
    ]
    assert str(caught.value).startswith("7 problems in policy:")


def test_compile_rejects_conditions_nested_too_deeply() -> None:
    spec: dict[str, Any] = {"a": 1}
    for _ in range(MAX_DEPTH + 5):
        spec = {"not": spec}
    with pytest.raises(PolicyError, match="nest more than"):
        compile_condition(spec)


def test_compile_never_evaluates_text_as_code() -> None:
    with pytest.raises(PolicyError):
        compile_condition("__import__('os').system('false')")
    assert not matches({"a": "__import__('os')"}, {"a": "x"})


# --------------------------------------------------------------------------- linear time


def test_catastrophic_backtracking_pattern_finishes() -> None:
    condition = compile_condition({"text": {"matches": "(a+)+$"}})
    assert not condition.matches({"text": "a" * 100_000 + "b"})  # exponential in Python's re
    assert condition.matches({"text": "b" + "a" * 100_000})
    assert (
        not compile_condition({"text": {"matches": "(x+x+)+y"}})
        .explain({"text": "x" * 100_000})
        .matched
    )


@pytest.mark.parametrize("fold", [False, True], ids=["sensitive", "insensitive"])
@pytest.mark.parametrize(
    "length",
    # MANY_KEYWORDS has 11 needles: texts up to 4096 // 11 = 372 characters are searched
    # needle by needle, longer ones by one RE2 search; both sides of the switch, and on it
    [0, 1, 371, 372, 373, 5000],
)
def test_many_keywords_find_the_same_needles_in_short_and_long_texts(
    length: int, fold: bool
) -> None:
    spec: dict[str, Any] = {"contains_any": MANY_KEYWORDS}
    if fold:
        spec["case"] = "insensitive"
    for needle, where in itertools.product(["白屏", "TIMEOUT", "乱码"], ["start", "end", "none"]):
        # a text of about `length` characters: filler, with the needle at one end or absent
        filler = ("客服反馈a" * length)[: max(length - len(needle), 0)]
        text = {"start": needle + filler, "end": filler + needle, "none": filler}[where]
        expected = where != "none" and (needle != "TIMEOUT" or fold)  # needle: "Timeout"
        assert matches({"text": spec}, {"text": text}) is expected, (needle, where, len(text))


def test_huge_texts_evaluate() -> None:
    text = "客户反馈系统运行缓慢，" * 300_000  # about 3 MB of UTF-8
    for spec in (
        {"text": {"contains_any": MANY_KEYWORDS}},
        {"text": {"contains_any": KEYWORDS, "case": "insensitive"}},
        {"text": {"contains_all": ["缓慢", "白屏"]}},
        {"text": {"matches": "(白屏|闪退)+$"}},
        {"text": {"eq": "x", "case": "insensitive"}},
    ):
        assert not matches(spec, {"text": text})
    assert matches({"text": {"contains_any": MANY_KEYWORDS}}, {"text": text + "白屏"})


# --------------------------------------------------------------------------- properties

FIELD_NAMES = ["a", "b", "c.d", "c.e", "tags"]
SMALL_TEXT = st.text(alphabet="aAbß报错宕机 1", max_size=6)
SCALARS = (
    SMALL_TEXT
    | st.integers(-3, 3)
    | st.floats(-3, 3, allow_nan=False, allow_infinity=False)
    | st.booleans()
)
ORDERABLE = st.integers(-3, 3) | st.floats(-3, 3, allow_nan=False) | SMALL_TEXT
NEEDLE = st.text(alphabet="aAbß报错宕机 1", min_size=1, max_size=3)
PATTERNS = st.sampled_from(["a", "^a", "b$", "a|报", "(?i)ss", "[0-9]+", "\\p{Han}", "(a+)+$"])


ELEMENT_NAMES = ["d", "e", "x.y"]


@st.composite
def operator_specs(draw: st.DrawFn, items: bool = True) -> Any:
    """A valid ``{op: arg, ...}`` mapping for one field (``items``: any_item / all_items
    may come, with an element condition of their own)."""
    choices = [op for op in OPERATORS if items or op not in ITEM_OPERATORS]
    ops = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=3, unique=True))
    if "exists" in ops and len(ops) > 1:
        ops.remove("exists")
    spec: dict[str, Any] = {}
    for op in ops:
        if op in ("eq", "ne"):
            spec[op] = draw(SCALARS)
        elif op in ("in", "not_in"):
            spec[op] = draw(st.lists(SCALARS, min_size=1, max_size=4))
        elif op in ("gt", "ge", "lt", "le"):
            spec[op] = draw(ORDERABLE)
        elif op == "between":
            kind = draw(st.sampled_from([st.integers(-3, 3), SMALL_TEXT]))
            spec[op] = sorted([draw(kind), draw(kind)])
        elif op == "contains":
            spec[op] = draw(NEEDLE | st.integers(-3, 3) | st.booleans())
        elif op in ("contains_any", "contains_all"):
            spec[op] = draw(st.lists(NEEDLE | st.integers(-3, 3), min_size=1, max_size=12))
        elif op == "matches":
            spec[op] = draw(PATTERNS)
        elif op in ITEM_OPERATORS:
            spec[op] = draw(ELEMENT_CONDITIONS)
        else:
            spec[op] = draw(st.booleans())
    text = set(ops) & TEXT_OPERATORS
    if text and draw(st.booleans()):
        spec["case"] = draw(st.sampled_from(["insensitive", "sensitive"]))
    return spec


ELEMENT_CONDITIONS = st.recursive(
    st.dictionaries(
        st.sampled_from(ELEMENT_NAMES),
        SCALARS | st.lists(SCALARS, min_size=1, max_size=3) | operator_specs(items=False),
        min_size=1,
        max_size=2,
    ),
    lambda inner: (
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=2))
        | st.builds(lambda x: {"not": x}, inner)
    ),
    max_leaves=3,
)
FIELD_TESTS = st.dictionaries(
    st.sampled_from(FIELD_NAMES),
    SCALARS | st.lists(SCALARS, min_size=1, max_size=3) | operator_specs(),
    min_size=1,
    max_size=3,
)
CONDITIONS = st.recursive(
    FIELD_TESTS,
    lambda inner: (
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3))
        | st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3))
        | st.builds(lambda x: {"not": x}, inner)
        | st.builds(lambda x, y: {**x, "not": y}, FIELD_TESTS, inner)
    ),
    max_leaves=6,
)
JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | SMALL_TEXT
    | st.text(st.characters(codec=None, exclude_categories=()), max_size=20)
    | st.sampled_from([math.nan, math.inf, "\ud800", "A\u0301", "ǅ"])
    | st.sampled_from([5000, 400]).map(lambda digits: -(10**digits))  # beyond str(int) limits
)
JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=3) | st.sampled_from(["d", "e"]), inner, max_size=4)
    ),
    max_leaves=12,
)
ELEMENTS = st.lists(
    st.dictionaries(
        st.sampled_from(["d", "e", "x"]),
        SCALARS | JSON | st.dictionaries(st.just("y"), SCALARS, max_size=1),
        max_size=3,
    )
    | JSON,
    max_size=4,
)
TICKETS = st.fixed_dictionaries(
    {},
    optional={
        "a": JSON | ELEMENTS,
        "b": JSON,
        "c": JSON | st.dictionaries(st.sampled_from(["d", "e"]), JSON | ELEMENTS, max_size=2),
        "tags": JSON | st.lists(SCALARS, max_size=4) | ELEMENTS,
    },
)
# Scale with the profile chosen in conftest.py (dev: quick, ci: thorough): these are cheap.
PROPERTY_SETTINGS = settings(
    max_examples=settings().max_examples * 8, suppress_health_check=[HealthCheck.too_slow]
)
SECONDARY_SETTINGS = settings(
    max_examples=settings().max_examples * 4, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(spec=CONDITIONS, ticket=TICKETS)
def test_matches_never_raises_and_agrees_with_explain(spec: Any, ticket: Any) -> None:
    condition = compile_condition(spec)
    result = condition.matches(ticket)
    assert isinstance(result, bool)
    check = condition.explain(ticket)
    assert check.matched is result
    assert isinstance(check.describe(), str)


@SECONDARY_SETTINGS
@given(spec=CONDITIONS, ticket=TICKETS)
def test_evaluation_is_deterministic(spec: Any, ticket: Any) -> None:
    first, second = compile_condition(spec), compile_condition(spec)
    assert first.matches(ticket) is second.matches(ticket) is first.matches(ticket)
    assert first.explain(ticket) == second.explain(ticket) or _has_nan(ticket)
    assert first.explain(ticket).describe() == second.explain(ticket).describe()


@SECONDARY_SETTINGS
@given(spec=CONDITIONS, ticket=TICKETS)
def test_not_is_the_exact_negation(spec: Any, ticket: Any) -> None:
    assert compile_condition({"not": spec}).matches(ticket) is not compile_condition(spec).matches(
        ticket
    )


@SECONDARY_SETTINGS
@given(
    needles=st.lists(NEEDLE | st.text(min_size=1, max_size=4), min_size=1, max_size=20),
    text=st.text(alphabet="aAbß报错宕机 1", max_size=30) | st.text(max_size=30),
    fold=st.booleans(),
)
def test_contains_any_equals_a_search_needle_by_needle(
    needles: list[str], text: str, fold: bool
) -> None:
    spec = {"t": {"contains_any": needles, "case": "insensitive" if fold else "sensitive"}}
    norm = str.casefold if fold else str
    expected = any(norm(needle) in norm(text) for needle in needles)
    assert matches(spec, {"t": text}) is expected


@SECONDARY_SETTINGS
@given(spec=JSON)
def test_compile_raises_only_policy_error_on_arbitrary_data(spec: Any) -> None:
    for data in (spec, {"a": spec}, {"a": {"in": spec}}, {"any": [spec]}):
        problems: tuple[Problem, ...] = ()
        try:
            compile_condition(data, path=W)
        except PolicyError as caught:
            problems = caught.problems
            assert problems, "a PolicyError must list its problems"
        # only PolicyError may escape (any other exception fails the test), with paths
        assert all(p.path.startswith("when") for p in problems)


def _has_nan(value: Any) -> bool:
    """Tell whether a value holds a NaN anywhere (NaN makes equal traces compare unequal)."""
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    return False
