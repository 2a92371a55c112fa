"""Tests for declared field types: ``FieldType.from_spec`` and ``coerce``."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slapolicy._errors import PolicyError
from slapolicy._fields import (
    KINDS,
    MISSING,
    FieldType,
    coerce,
    is_plain_key,
    join_keys,
    lookup,
    path_keys,
    set_path,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC8 = timezone(timedelta(hours=8))


# --------------------------------------------------------------------------- from_spec


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({"type": "integer"}, FieldType("integer"), id="type-only"),
        pytest.param({}, FieldType("any"), id="empty-is-any"),
        pytest.param(
            {"enum": ["core", "major", "minor"]},
            FieldType("string", ("core", "major", "minor")),
            id="enum-of-text-is-string",
        ),
        pytest.param({"enum": [1, 2, 3]}, FieldType("integer", (1, 2, 3)), id="enum-of-ints"),
        pytest.param({"enum": [1, 2.5]}, FieldType("number", (1, 2.5)), id="enum-of-numbers"),
        pytest.param(
            {"type": "string", "enum": ["高", "中", "低"]},
            FieldType("string", ("高", "中", "低")),
            id="type-and-enum-chinese",
        ),
        pytest.param(
            {"type": "string", "enum": [404, "500"]},
            FieldType("string", ("404", "500")),
            id="enum-values-converted-to-declared-type",
        ),
        pytest.param(
            {"type": "integer", "enum": ["1", 2]},
            FieldType("integer", (1, 2)),
            id="integer-enum-from-text",
        ),
        pytest.param(
            {"type": "datetime", "label": "创建时间", "description": "when the ticket came in"},
            FieldType("datetime"),
            id="label-and-description-allowed",
        ),
    ],
)
def test_from_spec_builds_the_declared_type(spec: dict[str, Any], expected: FieldType) -> None:
    assert FieldType.from_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "fragment", "path"),
    [
        pytest.param({"type": "int"}, "did you mean 'integer'?", "fields.n.type", id="alias-int"),
        pytest.param({"type": "strin"}, "did you mean 'string'?", "fields.n.type", id="typo"),
        pytest.param({"type": 3}, "field type must be one of", "fields.n.type", id="not-text"),
        pytest.param({"enmu": ["a"]}, "did you mean 'enum'?", "fields.n.enmu", id="unknown-key"),
        pytest.param({"enum": []}, "non-empty list", "fields.n.enum", id="empty-enum"),
        pytest.param({"enum": "core"}, "non-empty list", "fields.n.enum", id="enum-not-list"),
        pytest.param(
            {"enum": [True, False]}, "YAML reads unquoted yes/no", "fields.n.enum[0]", id="yaml-yes"
        ),
        pytest.param(
            {"enum": ["a", 1]}, "all text or all numbers", "fields.n.enum", id="mixed-enum"
        ),
        pytest.param(
            {"enum": ["a", "b", "a"]}, "'a' is listed twice", "fields.n.enum[2]", id="duplicate"
        ),
        pytest.param(
            {"type": "boolean", "enum": [True]},
            "enum needs type string, integer or number",
            "fields.n.enum",
            id="enum-on-boolean",
        ),
        pytest.param(
            {"type": "integer", "enum": [1, "x"]},
            "expected an integer",
            "fields.n.enum[1]",
            id="enum-value-not-of-type",
        ),
        pytest.param({"label": 3}, "label must be text", "fields.n.label", id="label-not-text"),
        pytest.param("integer", "write {type: integer}", "fields.n", id="shorthand"),
        pytest.param(["a", "b"], "must be a mapping", "fields.n", id="list"),
    ],
)
def test_from_spec_reports_bad_declarations(spec: Any, fragment: str, path: str) -> None:
    with pytest.raises(PolicyError) as caught:
        FieldType.from_spec(spec, path=("fields", "n"))
    assert [p.path for p in caught.value.problems] == [path]
    assert fragment in caught.value.problems[0].message


def test_from_spec_reports_every_problem_at_once() -> None:
    with pytest.raises(PolicyError) as caught:
        FieldType.from_spec({"typ": "x", "type": "bool", "enum": []}, path=("fields", "x"))
    paths = [p.path for p in caught.value.problems]
    assert paths == ["fields.x.typ", "fields.x.type", "fields.x.enum"]
    assert "did you mean 'boolean'?" in caught.value.problems[1].message


def test_field_type_rejects_unknown_kind_when_built_directly() -> None:
    with pytest.raises(ValueError, match="unknown field kind"):
        FieldType("float")


# --------------------------------------------------------------------------- coerce


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        pytest.param("integer", 3, 3, id="int"),
        pytest.param("integer", "3", 3, id="int-from-text"),
        pytest.param("integer", " -12 ", -12, id="int-from-padded-text"),
        pytest.param("integer", 3.0, 3, id="int-from-integral-float"),
        pytest.param("number", "2.5", 2.5, id="number-from-text"),
        pytest.param("number", "1e3", 1000.0, id="number-exponent"),
        pytest.param("number", "3", 3, id="number-int-text-stays-int"),
        pytest.param("number", 7, 7, id="number-int"),
        pytest.param("boolean", "true", True, id="bool-true"),
        pytest.param("boolean", "FALSE", False, id="bool-false-any-case"),
        pytest.param("boolean", "1", True, id="bool-one"),
        pytest.param("boolean", "0", False, id="bool-zero"),
        pytest.param("boolean", 1, True, id="bool-int-one"),
        pytest.param("boolean", False, False, id="bool"),
        pytest.param("string", "高", "高", id="text"),
        pytest.param("string", 404, "404", id="text-from-int"),
        pytest.param("list", ["a"], ["a"], id="list"),
        pytest.param("any", {"x": 1}, {"x": 1}, id="any"),
        pytest.param("integer", None, None, id="none-passes-through"),
    ],
)
def test_coerce_converts_to_the_declared_kind(kind: str, value: Any, expected: Any) -> None:
    result = coerce(value, FieldType(kind))
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("kind", "value", "fragment"),
    [
        pytest.param("integer", True, "expected an integer, got boolean", id="int-bool"),
        pytest.param("integer", "3.5", "expected an integer", id="int-fraction-text"),
        pytest.param("integer", 3.5, "expected an integer", id="int-fraction"),
        pytest.param("integer", "abc", "got text 'abc'", id="int-garbage"),
        pytest.param("integer", "9" * 500, "expected an integer", id="int-too-long"),
        pytest.param("number", True, "expected a number, got boolean", id="number-bool"),
        pytest.param("number", math.nan, "finite", id="number-nan"),
        pytest.param("number", math.inf, "finite", id="number-inf"),
        pytest.param("number", "nan", "expected a number", id="number-nan-text"),
        pytest.param("number", "1e999", "finite", id="number-overflow-text"),
        pytest.param("number", "1_000", "expected a number", id="number-underscores"),
        pytest.param("boolean", "yes", "true, false, 1 or 0", id="bool-yes"),
        pytest.param("boolean", 2, "true, false, 1 or 0", id="bool-two"),
        pytest.param("string", True, "YAML reads unquoted", id="text-bool"),
        pytest.param("string", 1.5, "expected text", id="text-float"),
        pytest.param("list", "a", "expected a list", id="list-text"),
        pytest.param("datetime", "2026-05-08T17:30:00", "no UTC offset", id="naive-text"),
        pytest.param("datetime", datetime(2026, 5, 8), "no UTC offset", id="naive-datetime"),
        pytest.param("datetime", "2026-02-30T10:00Z", "invalid date or time", id="bad-date"),
        pytest.param("datetime", "08/05/2026", "ISO 8601", id="not-iso"),
        pytest.param("datetime", "2026-05-08T10:00+25:00", "invalid UTC offset", id="bad-offset"),
        pytest.param("datetime", 1715000000, "ISO 8601", id="epoch-number"),
    ],
)
def test_coerce_rejects_values_naming_what_was_expected(
    kind: str, value: Any, fragment: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        coerce(value, FieldType(kind))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "2026-05-08T17:30:00+08:00", datetime(2026, 5, 8, 17, 30, tzinfo=UTC8), id="offset"
        ),
        pytest.param(
            "2026-05-08T09:30:00Z", datetime(2026, 5, 8, 9, 30, tzinfo=timezone.utc), id="zulu"
        ),
        pytest.param(
            "2026-05-08T17:30:00.123456789+0800",
            datetime(2026, 5, 8, 17, 30, 0, 123456, tzinfo=UTC8),
            id="nanoseconds-truncated-compact-offset",
        ),
        pytest.param(
            "2026-05-08 17:30", datetime(2026, 5, 8, 17, 30, tzinfo=SHANGHAI), id="naive-in-tz"
        ),
        pytest.param("2026-05-08", datetime(2026, 5, 8, tzinfo=SHANGHAI), id="date-is-midnight"),
    ],
)
def test_coerce_reads_iso_8601_datetimes(text: str, expected: datetime) -> None:
    result = coerce(text, FieldType("datetime"), tz=SHANGHAI)
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()


def test_coerce_keeps_aware_datetimes_including_pendulum() -> None:
    moment = pendulum.datetime(2026, 5, 8, 9, tz="Asia/Shanghai")
    assert coerce(moment, FieldType("datetime")) is moment


def test_coerce_reads_naive_datetimes_and_dates_in_the_given_zone() -> None:
    assert coerce(datetime(2026, 5, 8, 9), FieldType("datetime"), tz=SHANGHAI) == datetime(
        2026, 5, 8, 9, tzinfo=SHANGHAI
    )
    assert coerce(date(2026, 5, 8), FieldType("datetime"), tz=SHANGHAI) == datetime(
        2026, 5, 8, tzinfo=SHANGHAI
    )


def test_coerce_checks_the_enum_after_conversion() -> None:
    assert coerce("2", FieldType("integer", (1, 2))) == 2
    with pytest.raises(ValueError, match=r"3 is not one of 1, 2"):
        coerce("3", FieldType("integer", (1, 2)))


def test_coerce_enum_error_suggests_the_closest_value() -> None:
    with pytest.raises(ValueError, match=r"'majr' is not one of 'core', 'major'; did you mean"):
        coerce("majr", FieldType("string", ("core", "major")))


def test_coerce_enum_never_lets_a_boolean_match_a_number() -> None:
    with pytest.raises(ValueError, match="expected a number"):
        coerce(True, FieldType("number", (1,)))


# --------------------------------------------------------------------------- properties

_ANY_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.sampled_from(["3", "-2", "2.5", "1e3", "true", "0", "2026-05-08T09:00:00Z", "2026-05-08"])
    | st.datetimes(timezones=st.none() | st.timezones()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=5,
)
_FIELD_TYPES = st.sampled_from(KINDS).map(FieldType) | st.sampled_from(
    [FieldType("string", ("a", "b")), FieldType("integer", (1, 2)), FieldType("number", (1.5,))]
)


@settings(max_examples=settings().max_examples * 8)  # scales with the profile
@given(value=_ANY_VALUE, field_type=_FIELD_TYPES, with_zone=st.booleans())
def test_coerce_raises_only_value_error_and_is_idempotent(
    value: Any, field_type: FieldType, with_zone: bool
) -> None:
    tz = SHANGHAI if with_zone else None
    try:
        once = coerce(value, field_type, tz=tz)
    except ValueError as error:  # the only exception allowed; it must say something
        message = str(error)
        assert message
        return
    twice = coerce(once, field_type, tz=tz)
    if value is None:  # a missing value passes through unchanged, whatever the kind
        assert once is None
        return
    if isinstance(once, float) and math.isnan(once):  # only the "any" kind keeps NaN
        assert field_type.kind == "any"
    else:
        assert twice == once
    if field_type.kind == "datetime":
        assert once.utcoffset() is not None
    if field_type.kind in ("integer", "number"):
        assert not isinstance(once, bool)


# --------------------------------------------------------------------------- field paths


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("impact", ("impact",)),
        ("customer.tier", ("customer", "tier")),
        ("a.b.c", ("a", "b", "c")),
        ("sys\\.created_on", ("sys.created_on",)),
        ("u_meta.sys\\.id", ("u_meta", "sys.id")),
        ("a\\.b.c\\.d", ("a.b", "c.d")),
        ("a\\\\.b", ("a\\", "b")),
        ("a\\\\\\.b", ("a\\.b",)),
        ("a\\b", ("a\\b",)),
        ("a\\", ("a\\",)),
        ("a..b", ("a", "", "b")),
        ("", ("",)),
        ("客户\\.级别", ("客户.级别",)),
    ],
)
def test_path_keys_reads_escaped_dots(path: str, keys: tuple[str, ...]) -> None:
    assert path_keys(path) == keys


def test_every_path_without_a_backslash_keeps_its_meaning() -> None:
    for path in ("a", "a.b", "customer.tier", "客户.级别", "a b.c", "x.y.z.w"):
        assert path_keys(path) == tuple(path.split("."))


@given(st.lists(st.text(alphabet="ab.\\\\x", max_size=4), min_size=1, max_size=4))
def test_join_keys_is_read_back_by_path_keys(keys: list[str]) -> None:
    assert path_keys(join_keys(keys)) == tuple(keys)


@given(st.text(alphabet="ab.\\\\", max_size=8))
def test_path_keys_never_raises_and_is_stable(path: str) -> None:
    keys = path_keys(path)
    assert path_keys(join_keys(keys)) == keys
    if is_plain_key(path):  # what `ticket.get(path)` reads is what the path means
        assert keys == (path,)


def test_lookup_and_set_path_read_escaped_keys() -> None:
    ticket = {"sys.created_on": "x", "meta": {"sys.id": 3}, "a": {"b": 1}}
    assert lookup(ticket, "sys\\.created_on") == "x"
    assert lookup(ticket, "meta.sys\\.id") == 3
    assert lookup(ticket, "sys.created_on") is MISSING
    assert lookup(ticket, "a.b") == 1
    assert lookup({"a": None}, "a") is MISSING
    assert lookup({"a": "text"}, "a.b") is MISSING
    out: dict[str, Any] = {"meta": {"keep": 1}}
    set_path(out, "meta.sys\\.id", 4)
    set_path(out, "sys\\.created_on", "y")
    set_path(out, "a.b", 2)
    assert out == {"meta": {"keep": 1, "sys.id": 4}, "sys.created_on": "y", "a": {"b": 2}}
