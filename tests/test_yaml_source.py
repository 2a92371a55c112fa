"""Tests for slapolicy._source.yaml_reader: safe, strict YAML reading that remembers locations."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from slapolicy._errors import PolicyError, Problem
from slapolicy._source import yaml_reader
from slapolicy._source.yaml_nodes import PARSERS, parse
from slapolicy._source.yaml_reader import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    SourceDocument,
    YamlPath,
    YamlValue,
    read_yaml,
    read_yaml_file,
)

# Columns are counted in characters: line 8 has Chinese text before `id`.
POLICY = """\
# 服务等级策略（注释）
slapolicy: 1
name: 客户服务等级   # 名称
priorities:
  - id: P1
    label: 紧急
    when: {impact: core}
  - {label: 低优, id: P4}
calendars:
  office:
    hours:
      mon-fri: ["09:00-12:00", "13:30-18:00"]
"""


def problems_of(text: str, filename: str | None = "p.yaml") -> tuple[Problem, ...]:
    """The problems that reading ``text`` reports."""
    with pytest.raises(PolicyError) as caught:
        read_yaml(text, filename=filename)
    return caught.value.problems


def as_dict(value: YamlValue) -> dict[str, YamlValue]:
    """``value``, checked to be a mapping (for the type checker)."""
    assert isinstance(value, dict)
    return value


def only_problem(text: str) -> Problem:
    """The single problem that reading ``text`` reports."""
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


@pytest.fixture(scope="module", autouse=True, params=PARSERS)
def parser(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test here runs with each parser this PyYAML has: libyaml (C), when it is there,
    and PyYAML's own (pure Python); both must give the same documents and problems."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml_reader, "default_parser", lambda: request.param)
        yield request.param


def test_the_parser_is_switched(parser: str) -> None:
    """The switch above is the one read_yaml goes by (else half the runs test nothing)."""
    calls: list[str] = []

    def spy(text: str, name: str) -> Any:
        calls.append(name)
        return parse(text, name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml_reader, "parse", spy)
        read_yaml("a: 1\n")
    assert calls == [parser]


# --- locations ------------------------------------------------------------------------------


@pytest.fixture
def policy() -> SourceDocument:
    return read_yaml(POLICY, filename="policies/sla.yaml")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param((), (2, 1), id="root-mapping-starts-at-first-key"),
        pytest.param(("slapolicy",), (2, 12), id="top-level-scalar"),
        pytest.param(("name",), (3, 7), id="chinese-value-before-comment"),
        pytest.param(("priorities",), (5, 3), id="block-sequence-at-first-dash"),
        pytest.param(("priorities", 0), (5, 5), id="block-mapping-item"),
        pytest.param(("priorities", 0, "label"), (6, 12), id="nested-value"),
        pytest.param(("priorities", 0, "when"), (7, 11), id="flow-mapping-at-brace"),
        pytest.param(("priorities", 0, "when", "impact"), (7, 20), id="value-in-flow-mapping"),
        pytest.param(("priorities", 1), (8, 5), id="flow-mapping-item"),
        pytest.param(("priorities", 1, "label"), (8, 13), id="chinese-value-in-flow"),
        pytest.param(("priorities", 1, "id"), (8, 21), id="column-after-chinese-counts-chars"),
        pytest.param(("calendars", "office", "hours", "mon-fri", 1), (12, 32), id="list-item"),
    ],
)
def test_locate_gives_line_and_column_of_value(
    policy: SourceDocument, path: YamlPath, expected: tuple[int, int]
) -> None:
    assert policy.locate(path) == expected


def test_read_yaml_keeps_chinese_text_and_drops_comments(policy: SourceDocument) -> None:
    assert policy.data == {
        "slapolicy": 1,
        "name": "客户服务等级",
        "priorities": [
            {"id": "P1", "label": "紧急", "when": {"impact": "core"}},
            {"label": "低优", "id": "P4"},
        ],
        "calendars": {"office": {"hours": {"mon-fri": ["09:00-12:00", "13:30-18:00"]}}},
    }
    assert policy.filename == "policies/sla.yaml"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(("priorities", 1, "when", "impact"), (8, 5), id="missing-field-to-parent"),
        pytest.param(("priorities", 7), (5, 3), id="index-out-of-range-to-list"),
        pytest.param(("timezone",), (2, 1), id="missing-top-level-key-to-root"),
        pytest.param(("name", "zh"), (3, 7), id="path-through-a-scalar"),
        pytest.param(("priorities", "0"), (5, 3), id="string-is-not-an-index"),
    ],
)
def test_locate_falls_back_to_nearest_existing_ancestor(
    policy: SourceDocument, path: YamlPath, expected: tuple[int, int]
) -> None:
    assert policy.locate(path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(("slapolicy",), (2, 1), id="top-level-key"),
        pytest.param(("priorities", 0, "label"), (6, 5), id="nested-key"),
        pytest.param(("priorities", 0, "when", "impact"), (7, 12), id="key-in-flow-mapping"),
        pytest.param(("priorities", 1, "id"), (8, 17), id="key-after-chinese"),
        pytest.param(("calendars", "office"), (10, 3), id="key-of-a-mapping-value"),
        pytest.param(("priorities", 1), (8, 5), id="list-item-is-its-value"),
        pytest.param(("priorities", 1, "owner"), (8, 5), id="missing-key-falls-back"),
    ],
)
def test_locate_key_gives_position_of_the_key(
    policy: SourceDocument, path: YamlPath, expected: tuple[int, int]
) -> None:
    assert policy.locate_key(path) == expected


def test_problem_carries_file_line_column_and_formatted_path(policy: SourceDocument) -> None:
    problem = policy.problem("unknown impact 'core'", ("priorities", 0, "when", "impact"))
    assert problem == Problem(
        "unknown impact 'core'", "priorities[0].when.impact", "policies/sla.yaml", 7, 20
    )
    assert str(problem) == (
        "policies/sla.yaml:7:20: unknown impact 'core' (at priorities[0].when.impact)"
    )


def test_problem_at_key_points_at_the_key(policy: SourceDocument) -> None:
    problem = policy.problem("unknown key 'labl'", ("priorities", 1, "id"), at_key=True)
    assert (problem.line, problem.column) == (8, 17)


def test_problem_for_missing_field_points_at_the_parent(policy: SourceDocument) -> None:
    problem = policy.problem("missing 'timezone'", ("calendars", "office", "timezone"))
    assert (problem.path, problem.line, problem.column) == ("calendars.office.timezone", 11, 5)


def test_document_from_data_has_no_locations() -> None:
    doc = SourceDocument.from_data({"a": [1]}, filename="<mapping>")
    assert doc.locate(("a", 0)) is None
    assert doc.locate_key(("a",)) is None
    assert doc.problem("bad", ("a", 0)) == Problem("bad", "a[0]", "<mapping>", None, None)


def test_empty_value_is_located_right_after_its_colon() -> None:
    doc = read_yaml("owner:\nname: x\n")
    assert doc.data == {"owner": None, "name": "x"}
    assert doc.locate(("owner",)) == (1, 7)


def test_crlf_line_endings_count_as_one_line_break() -> None:
    doc = read_yaml("a: 1\r\nb:\r\n  - x\r\n")
    assert doc.data == {"a": 1, "b": ["x"]}
    assert doc.locate(("b", 0)) == (3, 5)


# --- scalars --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word", ["NO", "no", "No", "yes", "Yes", "on", "off", "ON", "y", "n", "Y", "N", "tRuE"]
)
def test_yaml_1_1_booleans_stay_strings(word: str) -> None:
    assert read_yaml(f"country: {word}\n").data == {"country": word}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("FALSE", False)],
)
def test_only_true_and_false_are_booleans(text: str, expected: bool) -> None:
    assert read_yaml(f"flag: {text}\n").data == {"flag": expected}


@pytest.mark.parametrize("text", ["09:00", "9:30", "190:20:30", "1:30:00.5"])
def test_clock_times_stay_strings_not_sexagesimal(text: str) -> None:
    assert read_yaml(f"opens: {text}\n").data == {"opens": text}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("42", 42, id="int"),
        pytest.param("-7", -7, id="negative-int"),
        pytest.param("010", 10, id="leading-zero-is-decimal-not-octal"),
        pytest.param("0o17", 15, id="octal"),
        pytest.param("0x1F", 31, id="hex"),
        pytest.param("1_000", "1_000", id="underscores-are-text"),
        pytest.param("0b101", "0b101", id="binary-is-text"),
        pytest.param("1.5", 1.5, id="float"),
        pytest.param("1e3", 1000.0, id="exponent-without-dot-is-float"),
        pytest.param("-.5", -0.5, id="leading-dot-float"),
        pytest.param(".inf", float("inf"), id="infinity"),
        pytest.param("~", None, id="tilde-null"),
        pytest.param("Null", None, id="null"),
        pytest.param("", None, id="empty-null"),
        pytest.param("'true'", "true", id="quoted-stays-string"),
        pytest.param("!!str 12", "12", id="explicit-str-tag"),
        pytest.param("!!float 1", 1.0, id="explicit-float-tag"),
        pytest.param("2026-10-01..2026-10-08", "2026-10-01..2026-10-08", id="date-range-text"),
        pytest.param("15m", "15m", id="duration-text"),
        pytest.param("75%", "75%", id="percentage-text"),
    ],
)
def test_scalars_follow_yaml_1_2_core_schema(text: str, expected: object) -> None:
    assert read_yaml(f"value: {text}\n").data == {"value": expected}


def test_nan_is_read_as_float_nan() -> None:
    value = as_dict(read_yaml("value: .NaN\n").data)["value"]
    assert isinstance(value, float)
    assert math.isnan(value)


def test_dates_and_timestamps_are_read_as_datetime_values() -> None:
    doc = read_yaml(
        "holiday: 2026-10-01\n"
        "naive: 2026-05-08 17:30:00\n"
        "aware: 2026-05-08T17:30:00+08:00\n"
        "utc: 2026-05-08T09:30:00.25Z\n"
        "quoted: '2026-10-01'\n"
    )
    cst = timezone(timedelta(hours=8))
    assert doc.data == {
        "holiday": date(2026, 10, 1),
        "naive": datetime(2026, 5, 8, 17, 30),
        "aware": datetime(2026, 5, 8, 17, 30, tzinfo=cst),
        "utc": datetime(2026, 5, 8, 9, 30, 0, 250_000, tzinfo=timezone.utc),
        "quoted": "2026-10-01",
    }
    data = as_dict(doc.data)
    assert type(data["holiday"]) is date
    assert isinstance(data["aware"], datetime)
    assert data["aware"].utcoffset() == timedelta(hours=8)


def test_impossible_date_is_a_problem() -> None:
    problem = only_problem("holidays:\n  - 2026-02-30\n")
    assert problem.message == "'2026-02-30' is not a valid date: day is out of range for month"
    assert (problem.path, problem.line, problem.column) == ("holidays[0]", 2, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("!!int abc", "'abc' is not a valid integer"),
        ("!!bool yes", "'yes' is not a valid boolean: only true or false"),
        ("!!null x", "'x' is not a valid null"),
        ("!!timestamp soon", "'soon' is not a valid date: expected a date"),
    ],
)
def test_explicit_tag_with_wrong_text_is_a_problem(text: str, message: str) -> None:
    assert only_problem(f"value: {text}\n").message.startswith(message)


# --- keys -----------------------------------------------------------------------------------


def test_mapping_keys_are_their_source_text() -> None:
    doc = read_yaml("1: a\n2026-10-01: b\nyes: c\n~: d\n1.50: e\ntrue: f\n'quoted': g\n")
    assert doc.data == {
        "1": "a",
        "2026-10-01": "b",
        "yes": "c",
        "~": "d",
        "1.50": "e",
        "true": "f",
        "quoted": "g",
    }
    assert doc.locate_key(("2026-10-01",)) == (2, 1)


def test_collection_as_mapping_key_is_a_problem() -> None:
    problem = only_problem("? [a, b]\n: x\n")
    assert problem.message == "a mapping key must be text, not a list"
    assert (problem.line, problem.column) == (1, 3)


def test_duplicate_key_is_reported_at_second_occurrence_with_first_line() -> None:
    problem = only_problem("name: 一\nlabel: x\nname: 二\n")
    assert problem.message == (
        "duplicate key 'name' (first defined at line 1); a key may appear only once in a mapping"
    )
    assert (problem.path, problem.line, problem.column) == ("name", 3, 1)


def test_every_duplicate_key_is_reported_in_file_order() -> None:
    text = "a: 1\nowners:\n  ops: {}\n  ops: {}\na: 2\nb: {x: 1, x: 2}\n"
    found = [(p.path, p.line, p.column) for p in problems_of(text)]
    assert found == [("owners.ops", 4, 3), ("a", 5, 1), ("b.x", 6, 11)]


def test_keys_that_read_the_same_are_duplicates() -> None:
    problem = only_problem("1: a\n'1': b\n")
    assert problem.message.startswith("duplicate key '1' (first defined at line 1)")


# --- anchors, aliases and merge keys --------------------------------------------------------


def test_aliases_are_expanded_into_independent_copies() -> None:
    doc = read_yaml("fast: &fast {response: 15m}\ntargets:\n  P1: *fast\n  P2: *fast\n")
    assert doc.data == {
        "fast": {"response": "15m"},
        "targets": {"P1": {"response": "15m"}, "P2": {"response": "15m"}},
    }
    targets = as_dict(as_dict(doc.data)["targets"])
    assert targets["P1"] is not targets["P2"]


def test_alias_is_located_where_used_and_its_contents_where_written() -> None:
    doc = read_yaml("fast: &fast {response: 15m}\ntargets:\n  P1: *fast\n")
    assert doc.locate(("targets", "P1")) == (3, 7)
    assert doc.locate(("targets", "P1", "response")) == (1, 24)
    assert doc.locate_key(("targets", "P1", "response")) == (1, 14)


def test_merge_key_merges_and_explicit_keys_win() -> None:
    doc = read_yaml(
        "base: &base {response: 1h, resolve: 8h}\n"
        "other: &other {resolve: 9h, update: 2h}\n"
        "P1:\n"
        "  <<: [*base, *other]\n"
        "  response: 15m\n"
    )
    assert as_dict(doc.data)["P1"] == {"response": "15m", "resolve": "8h", "update": "2h"}
    assert doc.locate(("P1", "resolve")) == (1, 37)
    assert doc.locate(("P1", "response")) == (5, 13)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<<: 5\n", "a merge key '<<' needs a mapping or a list of mappings"),
        ("<<: [1]\n", "a merge key '<<' can only merge mappings"),
        ("a: &a {<<: *a}\n", "a merge key '<<' merges a mapping into itself"),
    ],
)
def test_bad_merge_key_is_a_problem(text: str, message: str) -> None:
    assert only_problem(text).message.startswith(message)


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    assert read_yaml("'<<': {a: 1}\n").data == {"<<": {"a": 1}}


def test_recursive_alias_is_a_problem() -> None:
    problem = only_problem("loop: &loop [1, *loop]\n")
    assert problem.message.startswith("alias '*loop' refers to a value that contains it")
    assert (problem.path, problem.line, problem.column) == ("loop[1]", 1, 17)


def test_alias_bomb_is_rejected() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    problem = only_problem("\n".join(lines) + "\n")
    assert problem.message.startswith(
        f"expanding the alias '*e' makes the document larger than {MAX_NODES:,} values"
    )
    assert (problem.path, problem.line, problem.column) == ("f[0]", 6, 8)


def test_deep_nesting_through_aliases_is_rejected() -> None:
    lines = ["l0: &l0 [x]"]
    lines += [f"l{i}: &l{i} [*l{i - 1}]" for i in range(1, MAX_DEPTH)]
    problem = only_problem("\n".join(lines) + "\n")
    assert problem.message == (
        "the document nests more than 100 levels deep once its aliases are expanded"
    )
    assert problem.path == "l99" + "[0]" * 99  # the 101st collection: l0 itself


def test_undefined_alias_is_a_syntax_problem() -> None:
    problem = only_problem("a: *nowhere\n")
    assert problem.message.startswith("invalid YAML: found undefined alias 'nowhere'")
    assert (problem.line, problem.column) == (1, 4)


def test_anchor_defined_twice_is_a_problem() -> None:
    problem = only_problem("a: &x 1\nb: &x 2\n")
    assert problem.message.startswith("invalid YAML: the anchor 'x' is defined twice")
    assert "first defined at line 1" in problem.message
    assert (problem.line, problem.column) == (2, 4)


# --- tags -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['echo hi']",
        "!!python/object:__main__.Evil {}",
        "!!python/name:os.system",
        "!!python/tuple [1, 2]",
    ],
)
def test_python_tags_are_rejected_without_running_anything(text: str) -> None:
    problem = only_problem(f"when: {text}\n")
    assert "is not allowed: a policy is data and never runs code" in problem.message
    assert (problem.path, problem.line, problem.column) == ("when", 1, 7)


@pytest.mark.parametrize(
    "text", ["!!binary aGk=", "!!set {a, b}", "!!omap [a: 1]", "!custom 1", "!<tag:x.com,2026:t> 1"]
)
def test_other_non_standard_tags_are_rejected(text: str) -> None:
    assert only_problem(f"value: {text}\n").message.startswith("unsupported tag")


def test_every_tag_problem_is_reported() -> None:
    text = "a: !!python/object:x.Y {}\nb: ok\nc: !!binary aGk=\n"
    assert [(p.path, p.line) for p in problems_of(text)] == [("a", 1), ("c", 3)]


# --- syntax errors and the shape of the stream ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "start"),
    [
        pytest.param(
            "a:\n\tb: 1\n",
            (2, 1),
            "invalid YAML: found a tab character; YAML indentation must use spaces",
            id="tab-indentation",
        ),
        pytest.param(
            "name: 客户: 服务\n",
            (1, 9),
            "invalid YAML: mapping values are not allowed here; check the indentation",
            id="colon-in-plain-value",
        ),
        pytest.param(
            "a:\n  - 1\n b: 2\n",
            (3, 2),
            "invalid YAML: expected <block end>, but found '<block mapping start>' (while "
            "parsing a block mapping that starts at line 1, column 1)",
            id="bad-indentation",
        ),
        pytest.param(
            "label: '紧急\n",
            (2, 1),
            "invalid YAML: found unexpected end of stream (while scanning a quoted scalar "
            "that starts at line 1, column 8); a quote or bracket is not closed",
            id="unclosed-quote",
        ),
        pytest.param(
            "cc: [a, b\n",
            (2, 1),
            "invalid YAML: expected ',' or ']', but got '<stream end>'",
            id="unclosed-bracket",
        ),
        pytest.param(
            "a: 1\nb: \x07\n",
            (2, 4),
            "the text contains the control character U+0007, which YAML does not allow",
            id="control-character",
        ),
    ],
)
def test_syntax_error_is_one_problem_with_line_and_column(
    text: str, position: tuple[int, int], start: str
) -> None:
    problem = only_problem(text)
    assert problem.message.startswith(start)
    assert (problem.file, problem.line, problem.column) == ("p.yaml", *position)
    assert "Traceback" not in str(problem)


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# 只有注释\n", "---\n", "---\n...\n", "\ufeff"], ids=repr
)
def test_empty_document_is_an_error(text: str) -> None:
    problem = only_problem(text)
    assert problem.message == "policy file is empty"
    assert problem.file == "p.yaml"


def test_explicit_null_document_is_not_empty() -> None:
    assert read_yaml("null\n").data is None


@pytest.mark.parametrize("text", ["a: 1\n---\nb: 2\n", "--- 1\n--- 2\n", "a: 1\n...\n---\n"])
def test_several_documents_are_an_error(text: str) -> None:
    problem = only_problem(text)
    assert problem.message.startswith("the file holds more than one YAML document")
    assert problem.line is not None


def test_leading_document_marker_is_fine() -> None:
    assert read_yaml("---\na: 1\n").data == {"a": 1}


def test_tabs_inside_quoted_and_block_scalars_are_text() -> None:
    doc = read_yaml("a: \"x\ty\"\nb: 'p\tq'\nc: |\n  x\ty\nd: 服务\n")
    assert doc.data == {"a": "x\ty", "b": "p\tq", "c": "x\ty\n", "d": "服务"}
    assert doc.locate(("d",)) == (5, 4)


def test_unicode_line_breaks_start_new_lines() -> None:
    doc = read_yaml("a: 1\x85b: 2\u2028c: 3\u2029d: 中\n")
    assert doc.data == {"a": 1, "b": 2, "c": 3, "d": "中"}
    assert [doc.locate((key,)) for key in "abcd"] == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_merge_key_written_twice_is_a_duplicate() -> None:
    problem = only_problem("a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n")
    assert problem.message.startswith("duplicate key '<<' (first defined at line 3)")
    assert (problem.path, problem.line, problem.column) == ("b.<<", 4, 3)


def test_escape_past_unicode_is_a_syntax_problem() -> None:
    problem = only_problem('a: "x\\UFFFFFFFF"\n')
    assert problem.message.startswith(
        "invalid YAML: found an escape code that is not a Unicode character"
    )
    assert (problem.line, problem.column) == (1, 8)


def test_byte_order_mark_is_ignored_and_does_not_shift_columns() -> None:
    doc = read_yaml("\ufeffname: 服务\n")
    assert doc.data == {"name": "服务"}
    assert doc.locate(("name",)) == (1, 7)


def test_nesting_deeper_than_the_limit_is_rejected() -> None:
    assert read_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH).locate(()) == (1, 1)
    problem = only_problem("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert problem.message == f"the document nests more than {MAX_DEPTH} levels deep"
    assert (problem.line, problem.column) == (1, MAX_DEPTH + 1)


def test_document_with_too_many_values_is_rejected() -> None:
    problem = only_problem("[" + "0," * MAX_NODES + "0]")
    assert problem.message == f"the document has more than {MAX_NODES:,} values"


def test_document_larger_than_the_limit_in_utf8_bytes_is_rejected() -> None:
    text = "# " + "中" * (MAX_BYTES // 3) + "\na: 1\n"  # fewer characters than bytes
    assert len(text) < MAX_BYTES
    problem = only_problem(text)
    assert problem.message == "the policy file is larger than 5 MB; it cannot be read"


def test_read_yaml_refuses_bytes() -> None:
    with pytest.raises(TypeError, match="needs text"):
        read_yaml(b"a: 1")  # type: ignore[arg-type]  # the misuse under test


def test_problems_without_a_filename_say_policy() -> None:
    assert str(problems_of("a: [\n", filename=None)[0]).startswith("<policy>:2:1: invalid YAML")


# --- files ----------------------------------------------------------------------------------


def test_read_yaml_file_reads_utf8_with_or_without_bom(tmp_path: Path) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_bytes("name: 客户服务\n".encode())
    with_bom = tmp_path / "bom.yaml"
    with_bom.write_bytes("name: 客户服务\n".encode("utf-8-sig"))
    for path in (plain, with_bom):
        doc = read_yaml_file(path)
        assert doc.data == {"name": "客户服务"}
        assert doc.filename == str(path)
        assert doc.locate(("name",)) == (1, 7)


def test_read_yaml_file_reports_problems_with_the_filename(tmp_path: Path) -> None:
    path = tmp_path / "sla.yaml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"sla\.yaml:2:1: duplicate key 'a'"):
        read_yaml_file(path)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        pytest.param(lambda p: None, "no such file", id="missing"),
        pytest.param(lambda p: p.mkdir(), "it is a directory", id="directory"),
    ],
)
def test_unreadable_file_is_a_policy_error(tmp_path: Path, make: Any, reason: str) -> None:
    path = tmp_path / "sla.yaml"
    make(path)
    with pytest.raises(PolicyError) as caught:
        read_yaml_file(path)
    assert caught.value.problems == (
        Problem(f"cannot read the policy file: {reason}", file=str(path)),
    )


def test_file_in_gbk_is_reported_at_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("slapolicy: 1\nname: 客户\n".encode("gbk"))
    with pytest.raises(PolicyError) as caught:
        read_yaml_file(path)
    (problem,) = caught.value.problems
    assert problem.message.startswith("the policy file is not valid UTF-8 (byte 0xbf")
    assert "save it as UTF-8" in problem.message
    assert (problem.line, problem.column) == (2, 7)


def test_file_in_utf16_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes("name: 客户\n".encode("utf-16"))
    with pytest.raises(PolicyError, match="is UTF-16 text; save it as UTF-8"):
        read_yaml_file(path)


def test_file_larger_than_the_limit_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(PolicyError, match="larger than 5 MB"):
        read_yaml_file(path)


# --- property: safe_dump output reads back, and every path is located -----------------------

_CORE_1_2 = re.compile(
    r"true|True|TRUE|false|False|FALSE|~|null|Null|NULL|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_YAML_1_1 = yaml.resolver.Resolver()


def reads_alike(text: str) -> bool:
    """False for strings that safe_dump leaves unquoted but YAML 1.2 reads as non-strings.

    safe_dump quotes a string only when YAML 1.1 would retype it (``yes``, ``09:00``); a
    string such as ``1e3`` or ``0o17`` is a string in YAML 1.1 but a number in YAML 1.2.
    """
    plain_1_1 = _YAML_1_1.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]  # untyped in stubs
    return not (plain_1_1 == "tag:yaml.org,2002:str" and _CORE_1_2.fullmatch(text))


# NEL (U+0085) is left out: PyYAML's own safe_dump -> safe_load loses it in quoted keys.
_texts = st.text(
    st.characters(codec="utf-8", exclude_characters="\x85")
    | st.sampled_from("客户服务等级紧急：，。"),
    max_size=12,
).filter(reads_alike)
_offsets = st.integers(-23 * 60 + 1, 23 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | _texts
    | st.dates()
    | st.datetimes()
    | st.datetimes(timezones=_offsets)
)
_data = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_texts, inner, max_size=4),
    max_leaves=25,
)


def iter_paths(value: object, path: YamlPath = ()) -> Iterator[tuple[YamlPath, object]]:
    """Every ``(path, value)`` in nested data, the root included."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from iter_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_paths(item, (*path, index))


def text_at(text: str, position: tuple[int, int] | None) -> str:
    """The source from a 1-based position on (YAML's line breaks)."""
    assert position is not None
    line, column = position
    starts = [0] + [m.end() for m in re.finditer("\r\n|[\r\n\x85\u2028\u2029]", text)]
    return text[starts[line - 1] + column - 1 :]


@settings(deadline=None)
@given(_data)
def test_safe_dump_output_reads_back_equal_and_every_path_is_located(data: object) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    doc = read_yaml(text)
    assert doc.data == data
    for path, value in iter_paths(data):
        assert doc.locate(path) is not None
        if path and isinstance(path[-1], str):  # the key is written where it is located
            key_source = text_at(text, doc.locate_key(path))
            assert key_source[:1] in ("'", '"') or key_source.startswith(path[-1][:1])
        if isinstance(value, str):  # so is the value
            source = text_at(text, doc.locate(path))
            assert source[:1] in ("'", '"') or source.startswith(value[:1])
