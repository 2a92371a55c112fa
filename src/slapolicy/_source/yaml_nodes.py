"""YAML text -> the tree of nodes of its one document, each node knowing where it is written.

Two parsers can read the text into events: libyaml's, written in C, when PyYAML was built
with it (the PyYAML wheels on PyPI are: ``yaml.__with_libyaml__``), and PyYAML's own, in
pure Python. One composer (:func:`compose`) turns either's events into the same nodes,
counting them against :data:`MAX_NODES` and :data:`MAX_DEPTH` as it goes (so a "billion
laughs" or a document thousands of levels deep stops early), and the reader
(:mod:`.yaml_reader`) turns nodes into data. So the two parsers give the same documents as
long as they give the same events, and that is made sure of three ways:

* libyaml reads only text it reads like PyYAML: text with a tab, a byte-order mark (past the
  first character, which the reader drops), a NEL, LS or PS line break, a character YAML
  does not allow, or a line starting with ``%`` (a directive: libyaml takes ``%YAML 1.1#``,
  PyYAML does not) goes to PyYAML, and so does text where libyaml's events show a construct
  the two read differently (:class:`Unsure`): a ``?`` inside a plain scalar in a flow
  collection (PyYAML ends the scalar there), a block scalar ``|`` ``>`` whose header is not
  followed by a space or a line break, an empty plain scalar inside a flow collection.
* Where libyaml's events differ only in form, the composer evens them out: a plain scalar's
  style (``''`` against ``None``), the implicit typing of an empty scalar tagged ``!``, and
  the position of an empty scalar at the end of text without a final line break (libyaml
  puts it at the start of a line after the text).
* Whenever libyaml fails (a syntax error, a limit, anything :class:`Unsure`), PyYAML reads
  the text again and decides, in its own words: problems of malformed YAML are always
  PyYAML's messages at PyYAML's positions.

``tests/test_yaml_fast.py`` compares the two parsers, and the simple way of reading
(:mod:`.yaml_simple`) with the general one, on the sample policies, on generated documents
(with anchors, merge keys, tags, every scalar style) and on damaged ones;
``tests/test_yaml_source.py`` runs every test of the reader with each parser. Text that
goes to PyYAML is read at PyYAML's speed: about 6x slower on a large policy (a tab in a
comment or in a quoted text is enough).

Positions are 1-based ``(line, column)``, columns counting characters (code points).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, TypeAlias

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner, ScannerError

from .yaml_scalars import NULL, Resolver

# Imported by name, so that type checking does not depend on which stubs of PyYAML's C
# extension (yaml._yaml) are installed, if any; Events is all that is used of it.
_LibyamlParser: Callable[[str], Events] | None
try:
    _LibyamlParser = importlib.import_module("yaml._yaml").CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _LibyamlParser = None

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "PARSERS",
    "AliasNode",
    "Events",
    "Fatal",
    "ListNode",
    "MapNode",
    "Node",
    "Position",
    "ScalarNode",
    "Scalars",
    "Unsure",
    "compose",
    "default_parser",
    "libyaml_reads",
    "parse",
    "position",
]

#: deepest accepted nesting of mappings and lists
MAX_DEPTH = 100
#: most values a document may hold once its aliases are expanded
MAX_NODES = 100_000

#: the parsers this installation has, the preferred first
PARSERS: tuple[str, ...] = ("libyaml", "python") if _LibyamlParser is not None else ("python",)

Position: TypeAlias = "tuple[int, int]"


class ScalarNode(NamedTuple):
    """A scalar: its resolved tag, its text, and the style it is written in (None: plain)."""

    tag: str
    value: str
    position: Position
    style: str | None


class ListNode(NamedTuple):
    """A sequence; ``items`` fills in as the composer reads on."""

    tag: str
    items: list[Node]
    position: Position


class MapNode(NamedTuple):
    """A mapping: ``(key node, value node)`` pairs in source order."""

    tag: str
    pairs: list[tuple[Node, Node]]
    position: Position


class AliasNode(NamedTuple):
    """Where ``*anchor`` is used; ``target`` is the node the anchor names."""

    target: Node
    anchor: str
    position: Position


Node: TypeAlias = "ScalarNode | ListNode | MapNode | AliasNode"


class Fatal(Exception):
    """Stops reading at once: the document cannot be read any further."""

    def __init__(
        self,
        message: str,
        position: Position | None = None,
        path: tuple[str | int, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.path = path


class Unsure(Exception):
    """libyaml's events show a construct that PyYAML may read otherwise."""


class Events(Protocol):
    """What is read of a parser (PyYAML's and libyaml's alike)."""

    def get_event(self) -> Any: ...
    def peek_event(self) -> Any: ...
    def check_event(self, *choices: type[Event]) -> bool: ...
    def dispose(self) -> None: ...


class _PythonParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python parser of ``text`` into events."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)

    def scan_flow_scalar_non_spaces(self, double: bool, start_mark: Any) -> list[str]:
        """PyYAML's, but an escape past U+10FFFF (``"\\UFFFFFFFF"``) is a syntax error, not
        a ``ValueError`` or ``OverflowError`` from ``chr`` (which used to escape as a crash).
        """
        # PyYAML's methods are bound to typed names first: whether the stubs annotate them
        # varies between types-PyYAML releases, and calling them this way type-checks with all.
        scan: Callable[[bool, Any], list[str]] = super().scan_flow_scalar_non_spaces
        here: Callable[[], Any] = self.get_mark
        try:
            return scan(double, start_mark)
        except (ValueError, OverflowError):
            raise ScannerError(
                "while scanning a double-quoted scalar",
                start_mark,
                "found an escape code that is not a Unicode character",
                here(),
            ) from None


# Characters libyaml is not trusted with (see the module's docstring): tab, C0 and C1
# controls (NEL among them), DEL, LS, PS, a byte-order mark, surrogates, U+FFFE/U+FFFF.
_NOT_FOR_LIBYAML = re.compile(
    "[^\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# a directive (%YAML, %TAG) or anything else at the start of a line that starts with %
_DIRECTIVE = re.compile("(?:^|[\r\n])%")
_BREAK = re.compile("\r\n|\r|\n")
_BLOCK_HEADER = re.compile(r"[|>](?:[-+][1-9]?|[1-9][-+]?)?(?=[ \r\n]|\Z)")


def default_parser() -> str:
    """The parser used when none is named: libyaml when available."""
    return PARSERS[0]


def libyaml_reads(text: str) -> bool:
    """Whether libyaml is available and trusted with ``text`` (its characters, directives)."""
    return (
        _LibyamlParser is not None
        and not _NOT_FOR_LIBYAML.search(text)
        and not _DIRECTIVE.search(text)
    )


def parse(text: str, parser: str) -> tuple[Events, Scalars]:
    """The events of ``text`` by ``parser`` (``"libyaml"`` or ``"python"``), and the reader
    of their scalars."""
    if parser == "libyaml":
        assert _LibyamlParser is not None  # callers ask libyaml_reads() first
        return _LibyamlParser(text), Scalars(text)
    if parser != "python":
        raise ValueError(f"unknown YAML parser {parser!r}; this installation has {PARSERS}")
    return _PythonParser(text), Scalars(None)


class Scalars:
    """Reads scalar events alike from both parsers: tag (resolved), text, position, style.

    ``text`` is given for libyaml's events only: it enables the checks and the evening out
    that make them PyYAML's (see the module's docstring); a check that fails raises
    :class:`Unsure`.
    """

    def __init__(self, text: str | None) -> None:
        self.text = text
        # bound to a typed name: the stubs of PyYAML leave resolve() unannotated (for now)
        self.resolve: Callable[[Any, Any, Any], str] = Resolver().resolve
        #: (value, implicit) -> tag of a plain or untagged scalar
        self.tags: dict[tuple[str, tuple[bool, bool]], str] = {}
        self.line_starts: list[int] | None = None  # text offsets of lines, when needed
        # libyaml moves the end of text without a final line break to the next line
        self.eof: tuple[Position, Position] | None = None
        if text and text[-1] not in "\r\n":
            breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
            last = max(text.rfind("\n"), text.rfind("\r")) + 1
            self.eof = ((breaks + 2, 1), (breaks + 1, len(text) - last + 1))

    def read(self, event: Any, flow: int) -> tuple[str, str, Position, str | None]:
        """``(tag, text, position, style)`` of a scalar event ``flow`` collections deep in
        flow collections (style None: plain)."""
        value: str = event.value
        style = event.style or None  # libyaml writes a plain style as ''
        tag = event.tag
        mark = event.start_mark
        position = (mark.line + 1, mark.column + 1)
        if self.text is not None:
            if flow and style is None and ("?" in value or (not value and tag is None)):
                raise Unsure
            if style is not None and style in "|>" and not self.block_header_ok(event):
                raise Unsure
            if not value and self.eof is not None and position == self.eof[0]:
                position = self.eof[1]
        if tag is None or tag == "!":
            # PyYAML types an empty scalar tagged `!` as plain; libyaml does not
            implicit = (True, False) if tag == "!" else event.implicit
            key = (value, implicit)
            # Speed trick: a policy repeats most of its scalars (ids, durations, operators),
            # so each distinct one is typed once: reading the 2,000-rule policy of
            # benchmarks/bench_load.py takes 0.074 s against 0.080 s typing every scalar.
            tag = self.tags.get(key)
            if tag is None:
                tag = self.tags[key] = self.resolve(yaml.ScalarNode, value, implicit)
        return tag, value, position, style

    def collection_tag(self, event: Any) -> str:
        """The tag of a sequence or mapping start event (resolved unless explicit)."""
        tag: str | None = event.tag
        if tag is None or tag == "!":
            kind = yaml.MappingNode if type(event) is MappingStartEvent else yaml.SequenceNode
            return self.resolve(kind, None, event.implicit)
        return tag

    def block_header_ok(self, event: Any) -> bool:
        """Whether a block scalar's header ends in a space or a line break, as PyYAML needs.

        (libyaml also takes ``|#`` and ``|\\t``.) Only a header without a tag or an anchor
        is checked; the others are left to PyYAML.
        """
        if event.tag is not None or event.anchor is not None:
            return False
        assert self.text is not None
        if self.line_starts is None:
            self.line_starts = [0, *(m.end() for m in _BREAK.finditer(self.text))]
        mark = event.start_mark
        header = _BLOCK_HEADER.match(self.text, self.line_starts[mark.line] + mark.column)
        return header is not None


def position(mark: Any) -> Position:
    """A parser's 0-based mark as a 1-based ``(line, column)``."""
    return mark.line + 1, mark.column + 1


def compose(events: Events, scalars: Scalars) -> Node:
    """The root node of the one document ``events`` hold.

    Raises :class:`Fatal` for an empty text, a second document or a limit, PyYAML's errors
    for malformed YAML, and :class:`Unsure` (libyaml only).
    """
    try:
        events.get_event()  # the stream start
        if events.check_event(StreamEndEvent):
            raise Fatal("policy file is empty")
        events.get_event()  # the document start
        root = _Composer(events, scalars).document()
        events.get_event()  # the document end
        if not events.check_event(StreamEndEvent):
            raise Fatal(
                "the file holds more than one YAML document (a second one starts here); "
                "keep one policy per file and remove the extra '---'",
                position(events.peek_event().start_mark),
            )
    finally:
        events.dispose()
    if isinstance(root, ScalarNode) and root.tag == NULL and not root.value and not root.style:
        raise Fatal("policy file is empty")
    return root


class _Composer:
    """Builds the nodes of one document from a parser's events, bounded in depth and size."""

    def __init__(self, events: Events, scalars: Scalars) -> None:
        self.events = events
        self.scalars = scalars
        #: anchor -> its node and where it is defined
        self.anchors: dict[str, tuple[Node, Any]] = {}

    def document(self) -> Node:
        """The nodes of one document, read event by event (no recursion: depth is data)."""
        get_event = self.events.get_event
        open_nodes: list[ListNode | MapNode] = []  # the collections being read, outermost first
        pending_keys: list[Node | None] = []  # per open mapping: a key waiting for its value
        flows: list[bool] = []  # per open collection: written in flow style ([...], {...})
        flow = 0  # how many of them are
        count = 0
        while True:
            event = get_event()
            kind = type(event)
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                node: Node = open_nodes.pop()
                pending_keys.pop()
                flow -= flows.pop()
            else:
                count += 1
                if count > MAX_NODES:
                    raise Fatal(
                        f"the document has more than {MAX_NODES:,} values",
                        position(event.start_mark),
                    )
                if kind is ScalarEvent:
                    node = ScalarNode(*self.scalars.read(event, flow))
                    self.anchor(event, node)
                elif kind is AliasEvent:
                    node = self.alias(event)
                else:  # the start of a mapping or a sequence
                    if len(open_nodes) >= MAX_DEPTH:
                        raise Fatal(
                            f"the document nests more than {MAX_DEPTH} levels deep",
                            position(event.start_mark),
                        )
                    collection = self.collection(event)
                    open_nodes.append(collection)
                    pending_keys.append(None)
                    in_flow = bool(event.flow_style)
                    flow += in_flow
                    flows.append(in_flow)
                    continue
            if not open_nodes:
                return node
            parent = open_nodes[-1]
            if isinstance(parent, ListNode):
                parent.items.append(node)
            elif pending_keys[-1] is None:
                pending_keys[-1] = node
            else:
                parent.pairs.append((pending_keys[-1], node))
                pending_keys[-1] = None

    def collection(self, event: Any) -> ListNode | MapNode:
        """The (still empty) node of a sequence or mapping start event."""
        tag = self.scalars.collection_tag(event)
        where = position(event.start_mark)
        node: ListNode | MapNode
        if type(event) is MappingStartEvent:
            node = MapNode(tag, [], where)
        else:
            node = ListNode(tag, [], where)
        self.anchor(event, node)
        return node

    def anchor(self, event: Any, node: Node) -> None:
        """Remember the node of an anchored event (``&name``); an anchor is defined once."""
        name = event.anchor
        if name is None:
            return
        first = self.anchors.get(name)
        if first is not None:
            raise ComposerError(
                f"found duplicate anchor {name!r}; first occurrence",
                first[1],
                "second occurrence",
                event.start_mark,
            )
        self.anchors[name] = (node, event.start_mark)

    def alias(self, event: Any) -> AliasNode:
        """The node of an alias event: where ``*name`` is used, and what it names."""
        found = self.anchors.get(event.anchor)
        if found is None:
            raise ComposerError(
                None, None, f"found undefined alias {event.anchor!r}", event.start_mark
            )
        return AliasNode(found[0], str(event.anchor), position(event.start_mark))
