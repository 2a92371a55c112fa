"""Read policy YAML safely, remembering where every value came from.

:func:`read_yaml` and :func:`read_yaml_file` return a :class:`SourceDocument`: the plain data
(``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``, ``None``, ``date``, ``datetime``)
plus the 1-based line and column of every node, so that later checks (pydantic, references)
can report ``policies/x.yaml:12:5: ... (at priorities[2].when.impact)``.

Policy files are written by hand, often by ops people and often in Chinese, so the reader
is stricter and less surprising than ``yaml.safe_load``:

* **Safe.** No tag ever runs code. Only the standard tags ``!!str !!int !!float !!bool
  !!null !!timestamp !!map !!seq`` are accepted; ``!!python/...``, ``!!binary``, ``!!set``,
  ``!!omap`` and custom ``!tags`` are problems.
* **Duplicate keys are errors**, reported at the second occurrence with the line of the
  first (``yaml.safe_load`` silently keeps the last one).
* **Scalars follow the YAML 1.2 core schema**: only ``true``/``True``/``TRUE`` and
  ``false``/``False``/``FALSE`` are booleans, so ``yes``, ``no``, ``on``, ``off``, ``y``,
  ``n`` stay strings (``country: NO`` is Norway, not ``False``); only ``~``, ``null``,
  ``Null``, ``NULL`` and an empty value are null; integers are decimal (``010`` is 10),
  ``0o17`` or ``0x1F``, without ``_`` separators (``1_000`` is a string); there are no
  base-60 numbers (``09:00`` is the string ``"09:00"``, never 540); ``1e3`` is a float.
* **Dates and timestamps** are kept as PyYAML reads them: ``2026-10-01`` is a
  ``datetime.date``, ``2026-10-01 09:00:00`` a naive ``datetime`` and
  ``2026-10-01T09:00:00+08:00`` an aware one. An impossible date (``2026-02-30``) is a problem.
* **Every mapping key is its source text**: ``1: x`` has the key ``"1"``, ``2026-10-01: x``
  the key ``"2026-10-01"``, ``yes: x`` the key ``"yes"``, ``~: x`` the key ``"~"``. A key
  that is a list or a mapping is a problem. Keys that read the same are duplicates
  (``1`` and ``"1"``).
* **Anchors, aliases and merge keys** (``<<: *defaults``, ``<<: [*a, *b]``) work as in
  PyYAML: keys written in the mapping override merged ones, and the first merged mapping wins
  over later ones. Aliases are expanded into independent copies. A recursive alias is a
  problem, and so is a document that expands to more than ``MAX_NODES`` values (a
  "billion laughs" bomb), nests more than ``MAX_DEPTH`` collections deep, or is larger than
  ``MAX_BYTES`` bytes of UTF-8.
* **One document per file**: a second ``---`` document is an error, and a file with no
  content at all is the error "policy file is empty". The top-level value may be of any
  kind (checking that it is a mapping is the policy loader's job).
* **Text**: files are UTF-8, with or without a byte-order mark; a UTF-8 BOM never shifts
  columns. Columns count characters (code points), not bytes: a Chinese character is one
  column.

Locations: a path's location is the start of its value node (for an alias, where the
``*alias`` is written; for a merged key, where it is written in the merged mapping). For a
missing path, :meth:`SourceDocument.locate` falls back to the nearest ancestor that exists,
which is where a "missing field" error belongs. :meth:`SourceDocument.locate_key` gives the
key of a mapping entry, where an "unknown key" error belongs.

Every problem raises :class:`~slapolicy.errors.PolicyError`; syntax errors carry PyYAML's
line, column and message, never a traceback. Problems found while building the data
(duplicate keys, bad tags, bad scalars) are all reported together.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Protocol, TypeAlias

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, Event, MappingStartEvent, SequenceStartEvent, StreamEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from .._errors import PolicyError, Problem, format_path

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "SourceDocument",
    "YamlPath",
    "YamlValue",
    "read_yaml",
    "read_yaml_file",
]

#: largest accepted document, in bytes of UTF-8
MAX_BYTES = 5 * 1024 * 1024
#: deepest accepted nesting of mappings and lists
MAX_DEPTH = 100
#: most values a document may hold once its aliases are expanded
MAX_NODES = 100_000

YamlValue: TypeAlias = (
    "dict[str, YamlValue] | list[YamlValue] | str | int | float | bool | date | datetime | None"
)
YamlPath: TypeAlias = "tuple[str | int, ...]"
_Position: TypeAlias = "tuple[int, int]"

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_INT = _TAG + "int"
_FLOAT = _TAG + "float"
_BOOL = _TAG + "bool"
_NULL = _TAG + "null"
_TIMESTAMP = _TAG + "timestamp"
_MAP = _TAG + "map"
_SEQ = _TAG + "seq"
_MERGE = _TAG + "merge"

_BOOL_RE = re.compile(r"true|True|TRUE|false|False|FALSE")
_NULL_RE = re.compile(r"~|null|Null|NULL|")
_INT_RE = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_MERGE_RE = re.compile(r"<<")
# PyYAML's timestamp forms (YAML 1.1): a date, or a date and time with an optional offset.
_TIMESTAMP_RE = re.compile(
    r"""(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})
    |(?P<tyear>[0-9]{4})-(?P<tmonth>[0-9]{1,2})-(?P<tday>[0-9]{1,2})
     (?:[Tt]|[ \t]+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})
     (?:\.(?P<fraction>[0-9]*))?
     (?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9]{1,2})(?::(?P<tz_minute>[0-9]{2}))?))?""",
    re.VERBOSE,
)


class _Resolver(BaseResolver):
    """Plain-scalar typing after the YAML 1.2 core schema, plus timestamps and ``<<``."""


for _tag, _regexp, _first in (
    (_BOOL, _BOOL_RE, "tTfF"),
    (_INT, _INT_RE, "-+0123456789"),
    (_FLOAT, _FLOAT_RE, "-+0123456789."),
    (_NULL, _NULL_RE, ["~", "n", "N", ""]),
    (_MERGE, _MERGE_RE, "<"),
    (_TIMESTAMP, _TIMESTAMP_RE, "0123456789"),
):
    # add_implicit_resolver matches from the start only: anchor the end ourselves
    _Resolver.add_implicit_resolver(
        _tag, re.compile(f"(?:{_regexp.pattern})\\Z", _regexp.flags), list(_first)
    )
del _tag, _regexp, _first


class _Marked(Protocol):
    """A PyYAML position (0-based)."""

    line: int
    column: int


class _AliasNode(Node):
    """Where an ``*alias`` is used; ``target`` is the anchored node it stands for."""

    def __init__(self, target: Node, anchor: str, start_mark: _Marked | None) -> None:
        super().__init__("alias", target, None, None)
        self.start_mark = start_mark
        self.target = target
        self.anchor = anchor


class _Fatal(Exception):
    """Stops reading at once: the document cannot be read any further."""

    def __init__(
        self, message: str, mark: _Marked | None = None, path: Sequence[str | int] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.path = tuple(path)


class _Loader(Reader, Scanner, Parser, Composer, _Resolver):
    """PyYAML's pure-Python front end that composes nodes, bounded in depth and size."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Resolver.__init__(self)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Compose one node, wrapping aliases and enforcing the depth and size limits."""
        event: Event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in stubs
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Fatal(f"the document has more than {MAX_NODES:,} values", event.start_mark)
        if isinstance(event, AliasEvent):
            target = super().compose_node(parent, index)
            assert target is not None  # an alias always names a composed node
            return _AliasNode(target, str(event.anchor), event.start_mark)
        if not isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Fatal(
                    f"the document nests more than {MAX_DEPTH} levels deep", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


@dataclass(frozen=True, eq=False)
class SourceDocument:
    """Data read from YAML, with the line and column of every value and key in it."""

    data: YamlValue
    filename: str | None = None
    _values: dict[YamlPath, _Position] = field(default_factory=dict, repr=False)
    _keys: dict[YamlPath, _Position] = field(default_factory=dict, repr=False)

    @classmethod
    def from_data(cls, data: YamlValue, *, filename: str | None = None) -> SourceDocument:
        """A document for data that did not come from YAML text: nothing can be located."""
        return cls(data, filename)

    def locate(self, path: Sequence[str | int]) -> tuple[int, int] | None:
        """1-based ``(line, column)`` of the value at ``path``, else of its nearest ancestor."""
        parts = tuple(path)
        for end in range(len(parts), -1, -1):
            found = self._values.get(parts[:end])
            if found is not None:
                return found
        return None

    def locate_key(self, path: Sequence[str | int]) -> tuple[int, int] | None:
        """1-based ``(line, column)`` of the key of the mapping entry at ``path``.

        For a list item, or a path that does not exist, this is :meth:`locate`.
        """
        found = self._keys.get(tuple(path))
        return found if found is not None else self.locate(path)

    def problem(
        self, message: str, path: Sequence[str | int] = (), *, at_key: bool = False
    ) -> Problem:
        """A :class:`Problem` at ``path`` (at its key with ``at_key=True``)."""
        where = self.locate_key(path) if at_key else self.locate(path)
        line, column = where if where is not None else (None, None)
        return Problem(message, format_path(path), self.filename, line, column)


def read_yaml(text: str, *, filename: str | None = None) -> SourceDocument:
    """Read one YAML document from ``text``; raise :class:`PolicyError` listing its problems."""
    if not isinstance(text, str):
        raise TypeError(f"read_yaml() needs text (str), not {type(text).__name__}")
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise PolicyError([Problem(_too_large(), file=filename)])
    try:
        root = _compose(text)
        builder = _Builder()
        data = builder.build(root, (), 0)
    except _Fatal as fatal:
        line, column = _position(fatal.mark) if fatal.mark is not None else (None, None)
        problem = Problem(fatal.message, format_path(fatal.path), filename, line, column)
        raise PolicyError([problem]) from None
    except ReaderError as error:
        line, column = _line_column(text, error.position)
        problem = Problem(_reader_message(error), "", filename, line, column)
        raise PolicyError([problem]) from None
    except yaml.MarkedYAMLError as error:
        raise PolicyError([_syntax_problem(error, filename)]) from None
    except yaml.YAMLError as error:  # pragma: no cover - PyYAML raises only the above
        raise PolicyError([Problem(f"invalid YAML: {error}", file=filename)]) from None
    if builder.problems:
        raise PolicyError([_with_file(p, filename) for p in _unique(builder.problems)])
    return SourceDocument(data, filename, builder.values, builder.keys)


def read_yaml_file(path: str | os.PathLike[str]) -> SourceDocument:
    """Read a UTF-8 YAML file (a byte-order mark is allowed); see :func:`read_yaml`."""
    filename = os.fspath(path)
    try:
        with open(filename, "rb") as stream:
            raw = stream.read(MAX_BYTES + 4)  # a BOM does not count
    except OSError as error:
        reason = _OS_REASONS.get(type(error)) or error.strerror or str(error)
        problem = Problem(f"cannot read the policy file: {reason}", file=filename)
        raise PolicyError([problem]) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if len(raw) > MAX_BYTES:
        raise PolicyError([Problem(_too_large(), file=filename)])
    return read_yaml(_decode(raw, filename), filename=filename)


_OS_REASONS: dict[type[OSError], str] = {
    FileNotFoundError: "no such file",
    IsADirectoryError: "it is a directory",
    PermissionError: "permission denied",
}


def _decode(raw: bytes, filename: str) -> str:
    """UTF-8 text of a file's bytes, or a problem naming the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = "the policy file is UTF-16 text; save it as UTF-8"
        raise PolicyError([Problem(message, file=filename, line=1, column=1)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        message = (
            f"the policy file is not valid UTF-8 (byte 0x{raw[error.start]:02x} cannot be "
            "decoded); save it as UTF-8 (GBK, GB18030 and UTF-16 files are not read)"
        )
        raise PolicyError([Problem(message, file=filename, line=line, column=column)]) from None


def _compose(text: str) -> Node:
    """The single document's root node, or a fatal problem."""
    loader = _Loader(text)
    try:
        loader.get_event()  # type: ignore[no-untyped-call]  # the stream start; untyped in stubs
        if loader.check_event(StreamEndEvent):
            raise _Fatal("policy file is empty", None)
        root = loader.compose_document()
        if not loader.check_event(StreamEndEvent):
            second: Event = loader.peek_event()  # type: ignore[no-untyped-call]  # untyped
            raise _Fatal(
                "the file holds more than one YAML document (a second one starts here); "
                "keep one policy per file and remove the extra '---'",
                second.start_mark,
            )
    finally:
        loader.dispose()
    assert root is not None  # a document always has a root node
    if isinstance(root, ScalarNode) and root.tag == _NULL and root.value == "" and not root.style:
        raise _Fatal("policy file is empty", None)
    return root


class _Builder:
    """Turns composed nodes into plain data, recording positions and collecting problems."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.values: dict[YamlPath, _Position] = {}
        self.keys: dict[YamlPath, _Position] = {}
        self._count = 0
        self._active: set[int] = set()  # collection nodes being built: a recursion guard
        self._aliases: list[tuple[_AliasNode, YamlPath]] = []  # aliases being expanded

    def build(self, node: Node, path: YamlPath, depth: int) -> YamlValue:
        """The plain value of ``node`` found at ``path``."""
        self._tick(node, path)
        self.values[path] = _position(node.start_mark)
        if not isinstance(node, _AliasNode):
            return self._build_node(node, path, depth)
        if id(node.target) in self._active:
            self._report(
                f"alias '*{node.anchor}' refers to a value that contains it; "
                "a recursive structure cannot be read",
                node.start_mark,
                path,
            )
            return None
        self._aliases.append((node, path))
        try:
            return self._build_node(node.target, path, depth)
        finally:
            self._aliases.pop()

    def _build_node(self, node: Node, path: YamlPath, depth: int) -> YamlValue:
        """The plain value of a node that is not an alias."""
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if not isinstance(node, (MappingNode, SequenceNode)):  # pragma: no cover - defensive
            raise TypeError(f"unexpected YAML node {node!r}")
        depth += 1
        if depth > MAX_DEPTH:
            raise _Fatal(
                f"the document nests more than {MAX_DEPTH} levels deep once its aliases are "
                "expanded",
                node.start_mark,
                path,
            )
        expected = _MAP if isinstance(node, MappingNode) else _SEQ
        if node.tag != expected:
            self._bad_tag(node, path)
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(item, (*path, i), depth) for i, item in enumerate(node.value)]
            result: dict[str, YamlValue] = {}
            for key, key_node, value_node in self._entries(node, path):
                key_path = (*path, key)
                self.keys[key_path] = _position(key_node.start_mark)
                result[key] = self.build(value_node, key_path, depth)
            return result
        finally:
            self._active.discard(id(node))

    def _entries(self, node: MappingNode, path: YamlPath) -> list[tuple[str, Node, Node]]:
        """``(key, key node, value node)`` of a mapping, merge keys applied, in source order."""
        found: dict[str, tuple[Node, Node, bool]] = {}  # key -> key node, value node, explicit
        merge_node: Node | None = None
        for key_node, value_node in node.value:
            self._tick(key_node, path)
            if isinstance(key_node, ScalarNode) and key_node.tag == _MERGE:
                if merge_node is not None:
                    self._duplicate("<<", merge_node, key_node, path)
                    continue
                merge_node = key_node
                for source in self._merge_sources(value_node, path):
                    for key, merged_key, merged_value in self._entries(source, path):
                        found.setdefault(key, (merged_key, merged_value, False))
                continue
            text = self._key(key_node, path)
            if text is None:
                continue
            earlier = found.get(text)
            if earlier is not None and earlier[2]:
                self._duplicate(text, earlier[0], key_node, path)
                continue
            found[text] = (key_node, value_node, True)
        return [(key, key_node, value_node) for key, (key_node, value_node, _) in found.items()]

    def _merge_sources(self, node: Node, path: YamlPath) -> Iterator[MappingNode]:
        """The mappings named by a ``<<`` merge key's value."""
        items = _unalias(node)
        if isinstance(items, MappingNode):
            candidates: list[Node] = [node]
        elif isinstance(items, SequenceNode) and items.tag == _SEQ:
            candidates = list(items.value)
        else:
            candidates = []
        if not candidates:
            self._report(
                "a merge key '<<' needs a mapping or a list of mappings, e.g. '<<: *defaults'",
                node.start_mark,
                path,
            )
        for candidate in candidates:
            self._tick(candidate, path)
            mapping = _unalias(candidate)
            if not isinstance(mapping, MappingNode) or mapping.tag != _MAP:
                self._report(
                    "a merge key '<<' can only merge mappings, e.g. '<<: [*a, *b]'",
                    candidate.start_mark,
                    path,
                )
            elif id(mapping) in self._active:
                self._report(
                    "a merge key '<<' merges a mapping into itself; a recursive structure "
                    "cannot be read",
                    candidate.start_mark,
                    path,
                )
            else:
                self._active.add(id(mapping))
                try:
                    yield mapping
                finally:
                    self._active.discard(id(mapping))

    def _key(self, node: Node, path: YamlPath) -> str | None:
        """A mapping key's source text, or ``None`` after reporting why it is not usable."""
        target = _unalias(node)
        if not isinstance(target, ScalarNode):
            kind = "mapping" if isinstance(target, MappingNode) else "list"
            self._report(f"a mapping key must be text, not a {kind}", node.start_mark, path)
            return None
        if target.tag not in _SCALAR_TAGS:
            self._bad_tag(target, path)
            return None
        return str(target.value)

    def _scalar(self, node: ScalarNode, path: YamlPath) -> YamlValue:
        """The typed value of a scalar node (its tag resolved or explicit)."""
        text = str(node.value)
        tag = node.tag
        if tag == _STR:
            return text
        if tag not in _SCALAR_TAGS:
            self._bad_tag(node, path)
            return None
        kind = _KINDS[tag]
        try:
            return _SCALAR_TAGS[tag](text)
        except ValueError as error:
            reason = f": {error}" if str(error) else ""
            shown = text if len(text) <= 40 else text[:37] + "..."
            self._report(f"'{shown}' is not a valid {kind}{reason}", node.start_mark, path)
            return None

    def _bad_tag(self, node: Node, path: YamlPath) -> None:
        """Report a tag that a policy may not use."""
        tag = str(node.tag)
        shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
        if shown.startswith("!!python/"):
            message = f"the tag '{shown}' is not allowed: a policy is data and never runs code"
        else:
            message = (
                f"unsupported tag '{shown}'; only !!str, !!int, !!float, !!bool, !!null, "
                "!!timestamp, !!map and !!seq are allowed"
            )
        self._report(message, node.start_mark, path)

    def _duplicate(self, key: str, first: Node, second: Node, path: YamlPath) -> None:
        """Report a key written twice in one mapping."""
        line = first.start_mark.line + 1
        self._report(
            f"duplicate key '{key}' (first defined at line {line}); a key may appear only "
            "once in a mapping",
            second.start_mark,
            (*path, key),
        )

    def _tick(self, node: Node, path: YamlPath) -> None:
        """Count one value against :data:`MAX_NODES` (aliases expanded)."""
        self._count += 1
        if self._count <= MAX_NODES:
            return
        if not self._aliases:  # pragma: no cover - the composer counts source nodes first
            message = f"the document has more than {MAX_NODES:,} values"
            raise _Fatal(message, node.start_mark, path)
        alias, alias_path = self._aliases[0]
        raise _Fatal(
            f"expanding the alias '*{alias.anchor}' makes the document larger than "
            f"{MAX_NODES:,} values; a policy this large is a mistake or an attack",
            alias.start_mark,
            alias_path,
        )

    def _report(self, message: str, mark: _Marked, path: Sequence[str | int]) -> None:
        line, column = _position(mark)
        self.problems.append(Problem(message, format_path(path), None, line, column))


def _construct_null(text: str) -> None:
    if not _NULL_RE.fullmatch(text):
        raise ValueError("")


def _construct_bool(text: str) -> bool:
    if not _BOOL_RE.fullmatch(text):
        raise ValueError("only true or false")
    return text.lower() == "true"


def _construct_int(text: str) -> int:
    if not _INT_RE.fullmatch(text):
        raise ValueError("")
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    try:
        return int(text, 10)
    except ValueError:  # Python refuses very long numbers
        raise ValueError("too many digits") from None


def _construct_float(text: str) -> float:
    if not _FLOAT_RE.fullmatch(text):
        raise ValueError("")
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)


def _construct_timestamp(text: str) -> date | datetime:
    match = _TIMESTAMP_RE.fullmatch(text)
    if match is None:
        raise ValueError("expected a date (2026-10-01) or a timestamp (2026-10-01T09:00:00+08:00)")
    part = match.groupdict()
    if part["year"] is not None:
        return date(int(part["year"]), int(part["month"]), int(part["day"]))
    microsecond = int((part["fraction"] or "")[:6].ljust(6, "0"))
    tzinfo: timezone | None = None
    if part["tz_sign"]:
        offset = timedelta(hours=int(part["tz_hour"]), minutes=int(part["tz_minute"] or 0))
        tzinfo = timezone(-offset if part["tz_sign"] == "-" else offset)
    elif part["tz"]:
        tzinfo = timezone.utc
    return datetime(
        int(part["tyear"]),
        int(part["tmonth"]),
        int(part["tday"]),
        int(part["hour"]),
        int(part["minute"]),
        int(part["second"]),
        microsecond,
        tzinfo=tzinfo,
    )


_KINDS = {
    _NULL: "null",
    _BOOL: "boolean",
    _INT: "integer",
    _FLOAT: "number",
    _TIMESTAMP: "date",
}

_SCALAR_TAGS: dict[str, Callable[[str], YamlValue]] = {
    _STR: str,
    _NULL: _construct_null,
    _BOOL: _construct_bool,
    _INT: _construct_int,
    _FLOAT: _construct_float,
    _TIMESTAMP: _construct_timestamp,
}


def _unalias(node: Node) -> Node:
    """The node an alias stands for (the node itself otherwise)."""
    while isinstance(node, _AliasNode):
        node = node.target
    return node


def _position(mark: _Marked) -> _Position:
    """PyYAML's 0-based mark as a 1-based ``(line, column)``."""
    return mark.line + 1, mark.column + 1


def _line_column(text: str, index: int) -> _Position:
    """1-based ``(line, column)`` of a character index, counting line breaks as PyYAML does."""
    before = text[:index].replace("\r\n", "\n")
    breaks = re.compile("[\n\r\x85\u2028\u2029]")
    starts = [m.end() for m in breaks.finditer(before)]
    return len(starts) + 1, len(before) - (starts[-1] if starts else 0) + 1


def _too_large() -> str:
    return f"the policy file is larger than {MAX_BYTES // (1024 * 1024)} MB; it cannot be read"


def _reader_message(error: ReaderError) -> str:
    code = error.character if isinstance(error.character, int) else ord(error.character)
    return (
        f"the text contains the control character U+{code:04X}, which YAML does not allow; "
        "remove it"
    )


_HINTS = (
    ("mapping values are not allowed", "; check the indentation, or quote a value containing ': '"),
    ("could not find expected ':'", "; check the indentation and the quotes around here"),
    ("expected <block end>", "; check the indentation of this line"),
    ("found unexpected end of stream", "; a quote or bracket is not closed"),
    ("found undefined alias", "; define the anchor ('&name') before using the alias ('*name')"),
)


def _syntax_problem(error: yaml.MarkedYAMLError, filename: str | None) -> Problem:
    """A readable problem for a PyYAML syntax error."""
    mark = error.problem_mark or error.context_mark
    line, column = _position(mark) if mark is not None else (None, None)
    problem = error.problem or "invalid YAML"
    context = error.context or ""
    if context.startswith("found duplicate anchor"):  # the composer puts it the other way round
        first = error.context_mark
        message = context.split(";")[0].replace("found duplicate anchor", "the anchor")
        where = f" (first defined at line {first.line + 1})" if first is not None else ""
        text = f"{message} is defined twice{where}; give each anchor its own name"
        return Problem(f"invalid YAML: {text}", "", filename, line, column)
    if "'\\t'" in problem:
        text = "invalid YAML: found a tab character; YAML indentation must use spaces, not tabs"
        return Problem(text, "", filename, line, column)
    text = f"invalid YAML: {problem}"
    if context and error.context_mark is not None and error.context_mark is not mark:
        start = error.context_mark
        text += f" ({context} that starts at line {start.line + 1}, column {start.column + 1})"
    for needle, hint in _HINTS:
        if needle in problem:
            text += hint
            break
    return Problem(text, "", filename, line, column)


def _with_file(problem: Problem, filename: str | None) -> Problem:
    return Problem(problem.message, problem.path, filename, problem.line, problem.column)


def _unique(problems: list[Problem]) -> list[Problem]:
    """Problems in file order, each reported once (an alias can show a problem twice)."""
    seen: dict[tuple[str, int | None, int | None], Problem] = {}
    for problem in problems:
        seen.setdefault((problem.message, problem.line, problem.column), problem)
    return sorted(seen.values(), key=lambda p: (p.line or 0, p.column or 0))
