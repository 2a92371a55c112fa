"""The ways of reading policy YAML agree: the simple way, the general way, libyaml, PyYAML.

:func:`read_yaml` reads a document the simple way (one pass from parser events to data,
:mod:`slapolicy._source.yaml_simple`) when it can, and the general way (nodes, then data,
:func:`~slapolicy._source.yaml_reader.read_nodes`) otherwise; libyaml parses when PyYAML has
it, PyYAML's pure-Python parser when it does not, or when libyaml may read the text
otherwise. These tests check that every combination gives the same data, the same line and
column for every value and key, and the same problems, on the sample policies, on generated
documents and on broken ones; and that the data is what ``yaml.safe_load`` gives wherever the
policy rules do not differ from YAML 1.1 on purpose (see ``test_yaml_source.py`` for those).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slapolicy._errors import PolicyError
from slapolicy._source import yaml_reader
from slapolicy._source.yaml_nodes import MAX_DEPTH, MAX_NODES, PARSERS, libyaml_reads, parse
from slapolicy._source.yaml_reader import read_nodes, read_yaml, read_yaml_file
from slapolicy._source.yaml_scalars import STR, Resolver
from slapolicy._source.yaml_simple import NotSimple, read_simple

POLICIES = Path(__file__).resolve().parent.parent / "policies"
POLICY_FILES = sorted(POLICIES.glob("*.yaml")) + sorted(POLICIES.glob("calendars/*.yaml"))

needs_libyaml = pytest.mark.skipif("libyaml" not in PARSERS, reason="PyYAML without libyaml")
# PyYAML's own: libyaml's CSafeLoader reads a few texts otherwise (`a: !` is '', not None)
SAFE_LOADER = yaml.SafeLoader

Read = tuple[Any, dict[Any, tuple[int, int]], dict[Any, tuple[int, int]]]


# --- helpers --------------------------------------------------------------------------------


def comparable(value: Any) -> Any:
    """``value`` with NaN made equal to itself and the order of mapping keys kept."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return ("map", [(key, comparable(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("seq", [comparable(item) for item in value])
    return (type(value).__name__, value)


def unordered(value: Any) -> Any:
    """``value`` with NaN made equal to itself, for comparing with ``yaml.safe_load``."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {key: unordered(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unordered(item) for item in value]
    return (type(value).__name__, value)


def simple(text: str, parser: str) -> Read:
    """The simple way, from ``parser``'s events."""
    return read_simple(*parse(text, parser))


def general(text: str, parser: str) -> Read:
    """The general way, from ``parser``'s events."""
    return read_nodes(text, parser)


def same_reads(first: Read, second: Read) -> None:
    """Two reads agree on data (key order too) and on every value's and key's position."""
    assert comparable(first[0]) == comparable(second[0])
    assert first[1] == second[1]
    assert first[2] == second[2]


def outcome(text: str, parser: str) -> Any:
    """What :func:`read_yaml` makes of ``text`` with ``parser``: data and positions, or the
    problems (message, path, file, line, column); any other exception fails the test."""
    try:
        document = read_yaml(text, filename="p.yaml", parser=parser)
    except PolicyError as error:
        return ("problems", [(p.message, p.path, p.file, p.line, p.column) for p in error.problems])
    return (
        "document",
        comparable(document.data),
        document._values,  # the positions are compared
        document._keys,
    )


def every_way_agrees(text: str) -> Read:
    """The simple way (when the document is simple) and the general way, with each parser
    (libyaml only on text it is trusted with), give the same data and positions, and so does
    :func:`read_yaml`; returns that read."""
    reference = general(text, "python")
    for parser in PARSERS if libyaml_reads(text) else ["python"]:
        same_reads(general(text, parser), reference)
        try:
            read = simple(text, parser)
        except NotSimple:
            continue
        same_reads(read, reference)
    for parser in PARSERS:
        assert outcome(text, parser) == ("document", *_as_document(reference))
    return reference


def _as_document(read: Read) -> tuple[Any, ...]:
    return comparable(read[0]), read[1], read[2]


def parsers_agree(text: str) -> Any:
    """:func:`read_yaml` gives the same outcome with every parser; returns it."""
    results = [outcome(text, parser) for parser in PARSERS]
    assert all(result == results[0] for result in results[1:]), results
    return results[0]


# --- the sample policies --------------------------------------------------------------------


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_sample_policy_reads_alike_every_way(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data, values, keys = every_way_agrees(text)
    assert unordered(data) == unordered(yaml.load(text, Loader=SAFE_LOADER))
    assert values
    assert keys


@needs_libyaml
@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_sample_policy_is_simple(path: Path) -> None:
    """A real policy takes the fast way (else the speed of issue item 5 is lost)."""
    simple(path.read_text(encoding="utf-8"), "libyaml")


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_sample_policy_file_reads_alike_with_either_parser(path: Path) -> None:
    documents = [read_yaml_file(path, parser=parser) for parser in PARSERS]
    for document in documents[1:]:
        assert comparable(document.data) == comparable(documents[0].data)
        assert document._values == documents[0]._values
        assert document._keys == documents[0]._keys


# --- generated documents --------------------------------------------------------------------

# how YAML 1.1 (yaml.safe_load) and the policy rules type a plain scalar
_YAML11: Callable[[Any, Any, Any], str] = yaml.resolver.Resolver().resolve
_CORE: Callable[[Any, Any, Any], str] = Resolver().resolve

WORD = st.text(
    st.sampled_from("abcxyzABC_019-./服务等级紧急处理中文客户 "), min_size=1, max_size=12
).map(str.strip)
ANY_TEXT = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Cs", "Co", "Cn"),
        exclude_characters="\ufeff\x85\u2028\u2029",
    ),
    max_size=20,
)
TRICKY = st.sampled_from(
    [
        *("yes", "no", "on", "off", "y", "N", "true", "False", "null", "~", "NULL", ""),
        *("09:00", "1_000", "010", "0o17", "0x1F", "1e3", ".inf", "-.INF", ".nan", "<<"),
        *("2026-10-01", "2026-02-30", "a: b", "a #b", "- a", "[x]", "{x}", "&a", "*a", "!t"),
        *("'q'", '"dq"', "%x", "@x", "`x", "|", ">", "?", "? x", "中文：冒号", " lead", "trail "),
    ]
)
INTS = st.integers(-(10**15), 10**15)
FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([math.inf, -math.inf, math.nan, 0.5, -0.0]),
)
DATES = st.dates(date(1900, 1, 1), date(2999, 12, 31))
DATETIMES = st.builds(
    lambda moment, offset: moment.replace(tzinfo=offset),
    st.datetimes(datetime(1900, 1, 1), datetime(2999, 12, 31)),
    st.one_of(
        st.none(),
        st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
    ),
)
SCALARS = st.one_of(
    WORD, ANY_TEXT, TRICKY, INTS, FLOATS, st.booleans(), st.none(), DATES, DATETIMES
)
KEYS = st.one_of(WORD, TRICKY, ANY_TEXT.filter(lambda k: len(k) < 200))


def _values() -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=5),
            st.dictionaries(KEYS, inner, max_size=5),
        ),
        max_leaves=25,
    )


@dataclass
class Writer:
    """Writes a value as YAML text in styles drawn by hypothesis, and returns the value the
    text stands for (an alias or a merge key can change it)."""

    draw: Callable[[st.SearchStrategy[Any]], Any]
    anchors: bool = False
    counter: int = 0

    def __post_init__(self) -> None:
        self.anchored: list[tuple[str, Any]] = []  # (name, value) of anchored collections

    # scalars

    def plain_ok(self, text: str, flow: bool) -> bool:
        """Whether ``text`` may be written plain and reads back as this text in both YAML
        1.1 (yaml.safe_load) and the policy rules."""
        if not re.fullmatch(r"[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff ./-]*", text):
            return False
        if text != text.strip() or "  " in text or (flow and re.search(r"[,\[\]{}]", text)):
            return False
        return bool(
            _YAML11(yaml.ScalarNode, text, (True, False)) == STR
            and _CORE(yaml.ScalarNode, text, (True, False)) == STR
        )

    def text(self, text: str, flow: bool) -> str:
        """A string scalar in a drawn style that fits it."""
        styles = ["single", "double"]
        if self.plain_ok(text, flow):
            styles += ["plain", "plain"]
        if "\n" in text or "\r" in text or not text.isprintable():
            styles.remove("single")
        style = self.draw(st.sampled_from(styles))
        if style == "plain":
            return text
        if style == "single":
            return "'" + text.replace("'", "''") + "'"
        return _double_quoted(text, self.draw(st.booleans()))

    def scalar(self, value: Any, flow: bool) -> str:
        """The text of a scalar value, read alike by ``yaml.safe_load`` and the policy rules."""
        if isinstance(value, str):
            return self.text(value, flow)
        text = self.typed(value, flow)
        if self.draw(st.integers(0, 7)) == 0:
            return "! " + text  # the non-specific tag: typed as if it were not there
        return text

    def typed(self, value: Any, flow: bool) -> str:
        """The plain text of a value that is not a string."""
        if value is None:
            return str(
                self.draw(st.sampled_from(["~", "null", "Null", "NULL", "~" if flow else ""]))
            )
        if isinstance(value, bool):
            word = "true" if value else "false"
            return str(self.draw(st.sampled_from([word, word.title(), word.upper()])))
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return _float_text(value)
        if isinstance(value, datetime):
            separator = self.draw(st.sampled_from(["T", " ", "t"]))
            return value.isoformat(sep=separator)
        assert isinstance(value, date)
        return value.isoformat()

    def key(self, key: str, flow: bool) -> str:
        """A mapping key: read as this text alike (plain only when it is unambiguous)."""
        return self.text(key, flow)

    def block_scalar(self, value: Any) -> list[str] | None:
        """A literal or folded block scalar for ``value`` (its lines unindented), if one fits."""
        if not isinstance(value, str) or not value.strip() or self.draw(st.integers(0, 3)):
            return None
        lines = value.split("\n")
        if any(
            not line or line[0] in " \t" or line != line.rstrip() or not line.isprintable()
            for line in lines
        ):
            return None
        if "\n" not in value and self.draw(st.booleans()):
            return [">-", value]
        return ["|-", *lines]

    # collections

    def maybe_alias(self) -> tuple[str, Any] | None:
        if self.anchors and self.anchored and self.draw(st.integers(0, 4)) == 0:
            name, value = self.draw(st.sampled_from(self.anchored))
            return f"*{name}", value
        return None

    def anchor(self) -> str:
        """A new anchor's name, or now and then (with ``anchors``) "": none."""
        if not self.anchors or self.draw(st.integers(0, 3)):
            return ""
        self.counter += 1
        return f"a{self.counter}"

    def anchored_as(self, name: str, value: Any) -> str:
        """Once a collection is written: ``&name `` before it, and aliases may name it."""
        if not name:
            return ""
        self.anchored.append((name, value))
        return f"&{name} "

    def flow(self, value: Any) -> tuple[str, Any]:
        """``value`` in flow style: ``{k: v}``, ``[a, b]`` or a flow scalar."""
        alias = self.maybe_alias()
        if alias is not None:
            return alias
        if isinstance(value, dict):
            name = self.anchor()
            parts, result = [], {}
            for key, item in value.items():
                text, item = self.flow(item)
                parts.append(f"{self.key(key, True)}: {text}")
                result[key] = item
            return self.anchored_as(name, result) + "{" + ", ".join(parts) + "}", result
        if isinstance(value, list):
            name = self.anchor()
            texts, items = [], []
            for item in value:
                text, item = self.flow(item)
                texts.append(text)
                items.append(item)
            return self.anchored_as(name, items) + "[" + ", ".join(texts) + "]", items
        return self.scalar(value, True), value

    def comment(self) -> str:
        drawn = self.draw(st.sampled_from(["", "", "", "  # 注释 comment", " #x: [y]"]))
        return str(drawn)

    def block(self, value: Any, indent: int) -> tuple[list[str], Any]:
        """The lines of a non-empty collection in block style, ``indent`` spaces in."""
        pad = " " * indent
        lines: list[str] = []
        if isinstance(value, dict):
            result: dict[str, Any] = {}
            if self.anchors and self.anchored and self.draw(st.integers(0, 5)) == 0:
                merged = [(n, v) for n, v in self.anchored if isinstance(v, dict)]
                if merged:
                    name, source = self.draw(st.sampled_from(merged))
                    lines.append(f"{pad}<<: *{name}")
                    result.update(source)
            for key, item in value.items():
                if self.draw(st.integers(0, 7)):
                    head = f"{pad}{self.key(key, False)}:"
                    item_lines, item = self.entry(item, indent, head, compact_list=True)
                else:  # an explicit key: `? key` then `: value`, or nothing for a null
                    lines.append(f"{pad}? {self.key(key, False)}{self.comment()}")
                    if item is None and self.draw(st.booleans()):
                        item_lines = []
                    else:
                        item_lines, item = self.entry(item, indent, f"{pad}:", compact_list=False)
                lines += item_lines
                result[key] = item
            return lines, result
        items = []
        for item in value:
            item_lines, item = self.entry(item, indent, f"{pad}-", compact_list=False)
            lines += item_lines
            items.append(item)
        return lines, items

    def entry(
        self, value: Any, indent: int, head: str, compact_list: bool
    ) -> tuple[list[str], Any]:
        """Lines of one mapping entry or list item whose first line starts with ``head``."""
        alias = self.maybe_alias()
        if alias is not None:
            return [f"{head} {alias[0]}{self.comment()}"], alias[1]
        nested = isinstance(value, (dict, list)) and value
        if not nested or self.draw(st.integers(0, 4)) == 0:
            block = self.block_scalar(value)
            if block is not None:
                body = [" " * (indent + 2) + line for line in block[1:]]
                return [f"{head} {block[0]}{self.comment()}", *body], value
            if isinstance(value, (dict, list)):
                text, value = self.flow(value)
            else:
                text = self.scalar(value, False)
            line = f"{head} {text}" if text else head
            return [line + (self.comment() if text or head.endswith(":") else "")], value
        name = self.anchor()
        if compact_list and isinstance(value, list) and not name and self.draw(st.booleans()):
            lines, value = self.block(value, indent)  # `key:` then `- item` at the same indent
            return [head + self.comment(), *lines], value
        lines, value = self.block(value, indent + 2)
        anchor = self.anchored_as(name, value).rstrip()
        if not anchor and head.endswith("-") and self.draw(st.booleans()):
            # `- key: value` / `- - item`: the first line goes on the dash's line
            return [head + " " + lines[0].lstrip(" "), *lines[1:]], value
        return [(f"{head} {anchor}" if anchor else head) + self.comment(), *lines], value


_RAW = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _double_quoted(text: str, ascii_only: bool) -> str:
    """``text`` as a double-quoted scalar: escapes for what YAML may not hold raw (and for
    everything past ASCII when ``ascii_only``)."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif _RAW.fullmatch(char) and not (ascii_only and ord(char) > 0x7E):
            out.append(char)
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def _float_text(value: float) -> str:
    """A float as text that YAML 1.1 and the YAML 1.2 core schema both read as this float."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    mantissa, _, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + ("e" + exponent if exponent else "")


@st.composite
def documents(draw: st.DrawFn, anchors: bool = False) -> tuple[str, Any]:
    """YAML text of a generated document, and the data it stands for."""
    value = draw(st.dictionaries(KEYS, _values(), min_size=1, max_size=6))
    writer = Writer(draw, anchors=anchors)
    header = draw(st.sampled_from(["", "# 服务等级策略\n", "---\n", "%YAML 1.1\n---\n"]))
    if draw(st.integers(0, 5)) == 0:
        text, value = writer.flow(value)
        lines = [text]
    else:
        lines, value = writer.block(value, 0)
    text = header + "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n# end\n", "\n...\n"]))
    if draw(st.integers(0, 5)) == 0:
        text = text.replace("\n", "\r\n")
    return text, value


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_document_reads_alike_every_way_and_as_safe_load(
    document: tuple[str, Any],
) -> None:
    text, value = document
    data, _, _ = every_way_agrees(text)
    assert unordered(data) == unordered(value)
    assert unordered(data) == unordered(yaml.load(text, Loader=SAFE_LOADER))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(anchors=True))
def test_generated_document_with_anchors_and_merges_reads_alike(
    document: tuple[str, Any],
) -> None:
    text, value = document
    data, _, _ = every_way_agrees(text)
    assert unordered(data) == unordered(value)
    assert unordered(data) == unordered(yaml.load(text, Loader=SAFE_LOADER))


@st.composite
def damaged(draw: st.DrawFn) -> str:
    """A generated document with a few random edits: mostly broken, now and then not."""
    text, _ = draw(documents(anchors=draw(st.booleans())))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "insert", "delete", "duplicate-line"]))
        if edit == "insert":
            piece = draw(
                st.sampled_from(
                    [
                        *(":", ": ", "- ", "#", "&a ", "*a", "!!int ", "!x ", "<<: ", "'", '"'),
                        *("{", "}", "[", "]", ",", "?", "|", ">", "\t", "  ", "\n", "中"),
                        *("\x00", "\x85", "\u2028", "\ufeff", "\\UFFFFFFFF", "---\n", "%"),
                    ]
                )
            )
            text = text[:where] + piece + text[where:]
        elif edit == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 4)) :]
        else:
            lines = text.split("\n")
            line = lines[draw(st.integers(0, len(lines) - 1))]
            lines.insert(draw(st.integers(0, len(lines))), line)
            text = "\n".join(lines)
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_document_gives_the_same_problems_with_either_parser(text: str) -> None:
    parsers_agree(text)


# --- documents that are not simple, and broken ones -----------------------------------------

DEEP_BLOCK = "".join(" " * (2 * i) + f"k{i}:\n" for i in range(MAX_DEPTH + 1)) + " " * 300 + "v\n"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)

# (text, the problems it has: (message, path, line, column)), as the reader before libyaml
# (PyYAML's parser only) reported them
BROKEN: list[tuple[str, str, list[tuple[str, str, int | None, int | None]]]] = [
    (
        "duplicate-key",
        "a: 1\nb: 2\na: 3\n",
        [
            (
                "duplicate key 'a' (first defined at line 1); a key may appear only once in a "
                "mapping",
                "a",
                3,
                1,
            )
        ],
    ),
    (
        "duplicate-key-quoted",
        "x:\n  1: a\n  '1': b\n",
        [
            (
                "duplicate key '1' (first defined at line 2); a key may appear only once in a "
                "mapping",
                "x.1",
                3,
                3,
            )
        ],
    ),
    (
        "duplicate-key-in-flow",
        "{a: 1, 中文: 2, 中文: 3}\n",
        [
            (
                "duplicate key '中文' (first defined at line 1); a key may appear only once in "
                "a mapping",
                "中文",
                1,
                15,
            )
        ],
    ),
    (
        "tab-indent",
        "a:\n\tb: 1\n",
        [
            (
                "invalid YAML: found a tab character; YAML indentation must use spaces, not tabs",
                "",
                2,
                1,
            )
        ],
    ),
    (
        "list-as-key",
        "? [a]\n: b\n",
        [("a mapping key must be text, not a list", "", 1, 3)],
    ),
    (
        "map-as-key",
        "x: {{a: 1}: b}\n",
        [("a mapping key must be text, not a mapping", "x", 1, 5)],
    ),
    (
        "unclosed-quote",
        "a: 'b\n",
        [
            (
                "invalid YAML: found unexpected end of stream (while scanning a quoted scalar "
                "that starts at line 1, column 4); a quote or bracket is not closed",
                "",
                2,
                1,
            )
        ],
    ),
    (
        "mapping-values",
        "a: b: c\n",
        [
            (
                "invalid YAML: mapping values are not allowed here; check the indentation, or "
                "quote a value containing ': '",
                "",
                1,
                5,
            )
        ],
    ),
    (
        "bad-indentation",
        "a:\n    b: 1\n  c: 2\n",
        [
            (
                "invalid YAML: expected <block end>, but found '<block mapping start>' (while "
                "parsing a block mapping that starts at line 1, column 1); check the indentation "
                "of this line",
                "",
                3,
                3,
            )
        ],
    ),
    (
        "custom-tag",
        "a: !my-tag x\n",
        [
            (
                "unsupported tag '!my-tag'; only !!str, !!int, !!float, !!bool, !!null, "
                "!!timestamp, !!map and !!seq are allowed",
                "a",
                1,
                4,
            )
        ],
    ),
    (
        "python-tag",
        "a: !!python/object/apply:os.system [echo]\n",
        [
            (
                "the tag '!!python/object/apply:os.system' is not allowed: a policy is data and "
                "never runs code",
                "a",
                1,
                4,
            )
        ],
    ),
    (
        "bad-int",
        "a: !!int x\nb: 2026-02-30\n",
        [
            ("'x' is not a valid integer", "a", 1, 4),
            ("'2026-02-30' is not a valid date: day is out of range for month", "b", 2, 4),
        ],
    ),
    (
        "recursive-alias",
        "a: &a [*a]\n",
        [
            (
                "alias '*a' refers to a value that contains it; a recursive structure cannot "
                "be read",
                "a[0]",
                1,
                8,
            )
        ],
    ),
    (
        "undefined-alias",
        "a: *b\n",
        [
            (
                "invalid YAML: found undefined alias 'b'; define the anchor ('&name') before "
                "using the alias ('*name')",
                "",
                1,
                4,
            )
        ],
    ),
    (
        "duplicate-anchor",
        "a: &x 1\nb: &x 2\n",
        [
            (
                "invalid YAML: the anchor 'x' is defined twice (first defined at line 1); give "
                "each anchor its own name",
                "",
                2,
                4,
            )
        ],
    ),
    (
        "merge-of-scalar",
        "a:\n  <<: 1\n",
        [
            (
                "a merge key '<<' needs a mapping or a list of mappings, e.g. '<<: *defaults'",
                "a",
                2,
                7,
            )
        ],
    ),
    (
        "merge-into-itself",
        "a: &a {<<: *a}\n",
        [
            (
                "a merge key '<<' merges a mapping into itself; a recursive structure cannot "
                "be read",
                "a",
                1,
                12,
            )
        ],
    ),
    (
        "alias-bomb",
        BOMB,
        [
            (
                "expanding the alias '*d' makes the document larger than 100,000 values; a "
                "policy this large is a mistake or an attack",
                "e[7]",
                5,
                36,
            )
        ],
    ),
    (
        "too-deep",
        DEEP_BLOCK,
        [(f"the document nests more than {MAX_DEPTH} levels deep", "", 101, 201)],
    ),
    (
        "too-deep-flow",
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        [(f"the document nests more than {MAX_DEPTH} levels deep", "", 1, 101)],
    ),
    (
        "too-many-values",
        "[" + "0, " * MAX_NODES + "]",
        [(f"the document has more than {MAX_NODES:,} values", "", 1, 299_999)],
    ),
    (
        "second-document",
        "a: 1\n---\nb: 2\n",
        [
            (
                "the file holds more than one YAML document (a second one starts here); keep "
                "one policy per file and remove the extra '---'",
                "",
                2,
                1,
            )
        ],
    ),
    ("empty", "# nothing\n", [("policy file is empty", "", None, None)]),
    (
        "control-character",
        "a: b\x07\n",
        [
            (
                "the text contains the control character U+0007, which YAML does not allow; "
                "remove it",
                "",
                1,
                5,
            )
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [p[1:] for p in BROKEN], ids=[p[0] for p in BROKEN])
def test_broken_document_gives_the_same_problems_with_either_parser(
    text: str, expected: list[tuple[str, str, int | None, int | None]]
) -> None:
    found = parsers_agree(text)
    assert found == (
        "problems",
        [(m, path, "p.yaml", line, col) for m, path, line, col in expected],
    )


def test_escape_past_unicode_is_a_syntax_problem_not_a_crash() -> None:
    # PyYAML's own scanner raises OverflowError here; the reader before libyaml crashed
    found = parsers_agree('a: "x\\UFFFFFFFF"\n')
    assert found == (
        "problems",
        [
            (
                "invalid YAML: found an escape code that is not a Unicode character (while "
                "scanning a double-quoted scalar that starts at line 1, column 4)",
                "",
                "p.yaml",
                1,
                8,
            )
        ],
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n", id="merge"),
        pytest.param("a: &a [1, {b: 2}]\nc: *a\nd: [*a, *a]\n", id="aliases"),
        pytest.param("a: !!str 1\nb: !!int '2'\nc: ! 3\n", id="explicit-tags"),
        pytest.param("a: !!map {b: !!seq [1]}\n", id="collection-tags"),
        pytest.param("%TAG !x! tag:yaml.org,2002:\n---\na: !x!int 3\n", id="tag-directive"),
        pytest.param("? a\n: 1\n", id="explicit-key"),
        pytest.param("a: |\n  x\n  y\nb: >-\n  z\n\n  w\n", id="block-scalars"),
        pytest.param("a: 'it''s'\nb: \"\\u4e2d\\t\"\nc:\n", id="quoted-and-empty"),
        pytest.param("a: b\x85c: d\n", id="nel-line-break"),
        pytest.param("a: b\u2028c: d\n", id="line-separator"),
        pytest.param("k: 中文\u3000全角空格\n", id="ideographic-space"),
        pytest.param("a: b\ufeffc\n", id="byte-order-mark-inside"),
        pytest.param("- " * MAX_DEPTH + "x\n", id="at-the-depth-limit"),
        pytest.param("a: 1\n? b", id="explicit-key-at-the-end"),
        pytest.param("a:\n  - ? b\n    ? c", id="explicit-keys-at-the-end"),
        pytest.param("a: !\nb: ! \nc: ! ''\n", id="non-specific-tag-on-nothing"),
    ],
)
def test_documents_off_the_simple_way_read_alike(text: str) -> None:
    every_way_agrees(text)


# --- big documents and files ----------------------------------------------------------------


def test_big_document_reads_alike_every_way() -> None:
    rules = "\n".join(
        f"  - id: c{i}\n    label: 分类{i}   # 第 {i} 条\n"
        f"    when: {{text: {{contains_any: [退款{i}, 'refund {i}', \"发票#{i}\"]}}}}\n"
        f"    weight: {i * 0.5}\n    since: 2026-01-{i % 28 + 1:02d}"
        for i in range(1000)
    )
    text = f"slapolicy: 1\nname: 大策略\ncategories:\n{rules}\n"
    data, values, _ = every_way_agrees(text)
    assert unordered(data) == unordered(yaml.load(text, Loader=SAFE_LOADER))
    assert values[("categories", 999, "since")] == (1000 * 5 + 3, 12)


def test_document_at_the_size_limit_reads_alike_with_either_parser() -> None:
    found = parsers_agree("a: [" + "0, " * (MAX_NODES - 3) + "]")
    assert found[0] == "document"


@pytest.mark.parametrize("parser", PARSERS)
def test_file_problems_are_the_same_with_either_parser(tmp_path: Path, parser: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\nb: \xff\n")
    with pytest.raises(PolicyError) as caught:
        read_yaml_file(path, parser=parser)
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (2, 4)
    assert "not valid UTF-8 (byte 0xff" in problem.message
    path.write_bytes(b"\xef\xbb\xbf\xe6\x9c\x8d\xe5\x8a\xa1: {a: 1}\n")
    document = read_yaml_file(path, parser=parser)
    assert document.data == {"服务": {"a": 1}}
    assert document.locate(("服务", "a")) == (1, 9)


@pytest.mark.parametrize("parser", PARSERS)
def test_document_over_the_size_limit_is_refused_by_either_parser(parser: str) -> None:
    text = "a: '" + "中" * (yaml_reader.MAX_BYTES // 3) + "'\n"
    with pytest.raises(PolicyError, match="larger than 5 MB"):
        read_yaml(text, parser=parser)


def test_unknown_parser_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown YAML parser 'c'"):
        read_yaml("a: 1\n", parser="c")


# --- the fast way stays the fast way --------------------------------------------------------


@needs_libyaml
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: &x 1\n", id="anchor"),
        pytest.param("a: [1]\nb: {<<: {c: 1}}\n", id="merge-key"),
        pytest.param("a: 1\na: 2\n", id="duplicate-key"),
        pytest.param("a: !!int x\n", id="bad-scalar"),
        pytest.param("a: !foo x\n", id="unknown-tag"),
        pytest.param("[a]: 1\n", id="collection-key"),
        pytest.param("# only a comment\n", id="empty"),
        pytest.param("a\n---\nb\n", id="two-documents"),
        pytest.param("- " * (MAX_DEPTH + 1) + "x\n", id="too-deep"),
    ],
)
def test_what_is_not_simple_leaves_the_simple_way(text: str) -> None:
    with pytest.raises(NotSimple):
        simple(text, "libyaml")


@needs_libyaml
def test_read_yaml_takes_the_simple_way_for_a_simple_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(text: str, parser: str) -> Any:
        raise AssertionError("the general way was taken")

    text = (POLICIES / "hotline.yaml").read_text(encoding="utf-8")
    expected = read_yaml(text, parser="python").data
    monkeypatch.setattr(yaml_reader, "read_nodes", refuse)
    assert read_yaml(text, parser="libyaml").data == expected


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param("a: [b?c]\n", (1, 6), id="question-mark-in-flow"),
        pytest.param("[a?]\n", (1, 3), id="question-mark-ends-flow-scalar"),
        pytest.param("a: |#c\n  x\n", (1, 5), id="block-header-then-comment"),
        pytest.param("%YAML 1.1#\n---\na: 1\n", (1, 10), id="directive-then-comment"),
    ],
)
def test_text_libyaml_reads_otherwise_is_decided_by_pyyaml(
    text: str, where: tuple[int, int]
) -> None:
    # libyaml reads these as documents; PyYAML (the reader before libyaml) refuses them
    [(message, _, _, line, column)] = parsers_agree(text)[1]
    assert message.startswith("invalid YAML: ")
    assert (line, column) == where
