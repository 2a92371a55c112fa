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

import contextlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

import yaml
from yaml.reader import ReaderError

from .._errors import PolicyError, Problem, format_path
from .yaml_nodes import (
    MAX_DEPTH,
    MAX_NODES,
    PARSERS,
    AliasNode,
    Fatal,
    ListNode,
    MapNode,
    Node,
    Position,
    ScalarNode,
    Unsure,
    compose,
    default_parser,
    libyaml_reads,
    parse,
)
from .yaml_scalars import CONSTRUCTORS, KINDS, MAP, MERGE, PREFIX, SEQ, STR, YamlValue
from .yaml_simple import NotSimple, Positions, read_simple

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

YamlPath: TypeAlias = "tuple[str | int, ...]"


@dataclass(frozen=True, eq=False)
class SourceDocument:
    """Data read from YAML, with the line and column of every value and key in it."""

    data: YamlValue
    filename: str | None = None
    _values: dict[YamlPath, Position] = field(default_factory=dict, repr=False)
    _keys: dict[YamlPath, Position] = field(default_factory=dict, repr=False)

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


def read_yaml(
    text: str, *, filename: str | None = None, parser: str | None = None
) -> SourceDocument:
    """Read one YAML document from ``text``; raise :class:`PolicyError` listing its problems.

    ``parser``: ``"libyaml"`` (C, the default when PyYAML has it) or ``"python"``; both give
    the same document and the same problems (see :mod:`.yaml_nodes`), so the choice is only
    a switch for the tests and the benchmark.
    """
    if not isinstance(text, str):
        raise TypeError(f"read_yaml() needs text (str), not {type(text).__name__}")
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise PolicyError([Problem(_too_large(), file=filename)])
    chosen = parser or default_parser()
    if chosen not in PARSERS:
        raise ValueError(f"unknown YAML parser {chosen!r}; this installation has {PARSERS}")
    try:
        data, values, keys = _read(text, chosen)
    except Fatal as fatal:
        line, column = fatal.position or (None, None)
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
    except _Problems as found:
        raise PolicyError([_with_file(p, filename) for p in _unique(found.problems)]) from None
    return SourceDocument(data, filename, values, keys)


def read_yaml_file(path: str | os.PathLike[str], *, parser: str | None = None) -> SourceDocument:
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
    return read_yaml(_decode(raw, filename), filename=filename, parser=parser)


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


class _Problems(Exception):
    """Problems found while building the data (they are all reported together)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def _read(text: str, parser: str) -> tuple[YamlValue, Positions, Positions]:
    """``(data, value positions, key positions)`` of ``text``, or what is wrong with it.

    The simple way (:func:`.yaml_simple.read_simple`) is tried first, and the general way
    (:func:`read_nodes`) when the document is not simple. libyaml's answer is taken only when
    it is a document; anything else it meets (a syntax error, a problem, a limit, text it may
    read otherwise than PyYAML) is decided by PyYAML reading the text again, so problems are
    always PyYAML's (see :mod:`.yaml_nodes`).
    """
    if parser == "libyaml" and libyaml_reads(text):
        try:
            return read_simple(*parse(text, parser))
        except NotSimple:
            with contextlib.suppress(yaml.YAMLError, Fatal, Unsure, _Problems):
                return read_nodes(text, parser)
        except (yaml.YAMLError, Unsure):
            pass
    return read_nodes(text, "python")


def read_nodes(text: str, parser: str) -> tuple[YamlValue, Positions, Positions]:
    """The general way: compose the nodes, then build the data from them.

    Knows every rule and every problem; :func:`read_yaml` takes it for documents that are not
    simple, and the tests compare it with the simple way. Raises what :func:`read_yaml`
    turns into problems.
    """
    builder = _Builder()
    data = builder.build(compose(*parse(text, parser)), (), 0)
    if builder.problems:
        raise _Problems(builder.problems)
    return data, builder.values, builder.keys


class _Builder:
    """Turns composed nodes into plain data, recording positions and collecting problems."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.values: Positions = {}
        self.keys: Positions = {}
        self._count = 0
        self._active: set[int] = set()  # collection nodes being built: a recursion guard
        self._aliases: list[tuple[AliasNode, YamlPath]] = []  # aliases being expanded

    def build(self, node: Node, path: YamlPath, depth: int) -> YamlValue:
        """The plain value of ``node`` found at ``path``."""
        self._tick(node, path)
        self.values[path] = node.position
        if not isinstance(node, AliasNode):
            return self._build_node(node, path, depth)
        if id(node.target) in self._active:
            self._report(
                f"alias '*{node.anchor}' refers to a value that contains it; "
                "a recursive structure cannot be read",
                node.position,
                path,
            )
            return None
        self._aliases.append((node, path))
        try:
            return self._build_node(node.target, path, depth)
        finally:
            self._aliases.pop()

    def _build_node(self, node: Node, path: YamlPath, depth: int) -> YamlValue:
        """The plain value of a node that is not an alias (an alias's target never is)."""
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, AliasNode):  # pragma: no cover - the composer never nests them
            raise TypeError(f"unexpected YAML node {node!r}")
        depth += 1
        if depth > MAX_DEPTH:
            raise Fatal(
                f"the document nests more than {MAX_DEPTH} levels deep once its aliases are "
                "expanded",
                node.position,
                path,
            )
        expected = MAP if isinstance(node, MapNode) else SEQ
        if node.tag != expected:
            self._bad_tag(node, path)
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, ListNode):
                return [self.build(item, (*path, i), depth) for i, item in enumerate(node.items)]
            result: dict[str, YamlValue] = {}
            for key, key_node, value_node in self._entries(node, path):
                key_path = (*path, key)
                self.keys[key_path] = key_node.position
                result[key] = self.build(value_node, key_path, depth)
            return result
        finally:
            self._active.discard(id(node))

    def _entries(self, node: MapNode, path: YamlPath) -> list[tuple[str, Node, Node]]:
        """``(key, key node, value node)`` of a mapping, merge keys applied, in source order."""
        found: dict[str, tuple[Node, Node, bool]] = {}  # key -> key node, value node, explicit
        merge_node: Node | None = None
        for key_node, value_node in node.pairs:
            self._tick(key_node, path)
            if isinstance(key_node, ScalarNode) and key_node.tag == MERGE:
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

    def _merge_sources(self, node: Node, path: YamlPath) -> Iterator[MapNode]:
        """The mappings named by a ``<<`` merge key's value."""
        items = _unalias(node)
        if isinstance(items, MapNode):
            candidates: list[Node] = [node]
        elif isinstance(items, ListNode) and items.tag == SEQ:
            candidates = list(items.items)
        else:
            candidates = []
        if not candidates:
            self._report(
                "a merge key '<<' needs a mapping or a list of mappings, e.g. '<<: *defaults'",
                node.position,
                path,
            )
        for candidate in candidates:
            self._tick(candidate, path)
            mapping = _unalias(candidate)
            if not isinstance(mapping, MapNode) or mapping.tag != MAP:
                self._report(
                    "a merge key '<<' can only merge mappings, e.g. '<<: [*a, *b]'",
                    candidate.position,
                    path,
                )
            elif id(mapping) in self._active:
                self._report(
                    "a merge key '<<' merges a mapping into itself; a recursive structure "
                    "cannot be read",
                    candidate.position,
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
            kind = "mapping" if isinstance(target, MapNode) else "list"
            self._report(f"a mapping key must be text, not a {kind}", node.position, path)
            return None
        if target.tag not in CONSTRUCTORS:
            self._bad_tag(target, path)
            return None
        return target.value

    def _scalar(self, node: ScalarNode, path: YamlPath) -> YamlValue:
        """The typed value of a scalar node (its tag resolved or explicit)."""
        text = node.value
        tag = node.tag
        if tag == STR:
            return text
        construct = CONSTRUCTORS.get(tag)
        if construct is None:
            self._bad_tag(node, path)
            return None
        try:
            return construct(text)
        except ValueError as error:
            reason = f": {error}" if str(error) else ""
            shown = text if len(text) <= 40 else text[:37] + "..."
            self._report(f"'{shown}' is not a valid {KINDS[tag]}{reason}", node.position, path)
            return None

    def _bad_tag(self, node: ScalarNode | ListNode | MapNode, path: YamlPath) -> None:
        """Report a tag that a policy may not use."""
        tag = node.tag
        shown = "!!" + tag[len(PREFIX) :] if tag.startswith(PREFIX) else tag
        if shown.startswith("!!python/"):
            message = f"the tag '{shown}' is not allowed: a policy is data and never runs code"
        else:
            message = (
                f"unsupported tag '{shown}'; only !!str, !!int, !!float, !!bool, !!null, "
                "!!timestamp, !!map and !!seq are allowed"
            )
        self._report(message, node.position, path)

    def _duplicate(self, key: str, first: Node, second: Node, path: YamlPath) -> None:
        """Report a key written twice in one mapping."""
        self._report(
            f"duplicate key '{key}' (first defined at line {first.position[0]}); a key may "
            "appear only once in a mapping",
            second.position,
            (*path, key),
        )

    def _tick(self, node: Node, path: YamlPath) -> None:
        """Count one value against :data:`MAX_NODES` (aliases expanded)."""
        self._count += 1
        if self._count <= MAX_NODES:
            return
        if not self._aliases:  # pragma: no cover - the composer counts source nodes first
            message = f"the document has more than {MAX_NODES:,} values"
            raise Fatal(message, node.position, path)
        alias, alias_path = self._aliases[0]
        raise Fatal(
            f"expanding the alias '*{alias.anchor}' makes the document larger than "
            f"{MAX_NODES:,} values; a policy this large is a mistake or an attack",
            alias.position,
            alias_path,
        )

    def _report(self, message: str, position: Position, path: Sequence[str | int]) -> None:
        line, column = position
        self.problems.append(Problem(message, format_path(path), None, line, column))


def _unalias(node: Node) -> Node:
    """The node an alias stands for (the node itself otherwise)."""
    while isinstance(node, AliasNode):
        node = node.target
    return node


def _line_column(text: str, index: int) -> Position:
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
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
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
