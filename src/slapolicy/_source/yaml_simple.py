"""Data and positions straight from a parser's events, for a simple document.

A simple document is what nearly every policy is: no anchor, alias or merge key, nothing
wrong (every key is text written once, every tag is a standard one, every scalar is valid
for its tag), within :data:`~.yaml_nodes.MAX_NODES` and :data:`~.yaml_nodes.MAX_DEPTH`.
For it, :func:`read_simple` gives exactly what composing its nodes (:mod:`.yaml_nodes`) and
building data from them (:mod:`.yaml_reader`) gives, in one pass over the events and
without making any node. For anything else it raises :class:`NotSimple` as soon as it sees
it, and the reader goes the general way, which knows every rule and every problem.
"""

from __future__ import annotations

from typing import TypeAlias

from yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from .yaml_nodes import MAX_DEPTH, MAX_NODES, Events, Position, Scalars, position
from .yaml_scalars import CONSTRUCTORS, MAP, NULL, SEQ, STR, YamlValue

__all__ = ["NotSimple", "Positions", "read_simple"]

YamlPath: TypeAlias = "tuple[str | int, ...]"
#: where each value (or key) is written, by its path
Positions: TypeAlias = "dict[YamlPath, Position]"


class NotSimple(Exception):
    """The document is not simple: read it the general way."""


def read_simple(events: Events, scalars: Scalars) -> tuple[YamlValue, Positions, Positions]:
    """``(data, value positions, key positions)`` of the simple document ``events`` hold.

    Raises :class:`NotSimple` (or the parser's error, or :class:`~.yaml_nodes.Unsure`).
    """
    values: Positions = {}
    keys: Positions = {}
    try:
        events.get_event()  # the stream start
        if events.check_event(StreamEndEvent):
            raise NotSimple  # empty
        events.get_event()  # the document start
        data = _document(events, scalars, values, keys)
        events.get_event()  # the document end
        if not events.check_event(StreamEndEvent):
            raise NotSimple  # a second document
    finally:
        events.dispose()
    return data, values, keys


# Speed trick: one pass from events to data, no node made and no node walked: reading the
# 2,000-rule policy of benchmarks/bench_load.py with libyaml takes 0.074 s this way against
# 0.104 s through nodes (whose tens of thousands of objects also make the garbage collector
# work), and 0.47 s with PyYAML's parser.
def _document(events: Events, scalars: Scalars, values: Positions, keys: Positions) -> YamlValue:
    """The data of one simple document, its positions recorded in ``values`` and ``keys``."""
    get_event = events.get_event
    read = scalars.read
    # the collections being read, outermost first, with their paths; for a mapping, the key
    # waiting for its value (None: the next scalar is a key)
    containers: list[dict[str, YamlValue] | list[YamlValue]] = []
    paths: list[YamlPath] = []
    waiting: list[str | None] = []
    flows: list[bool] = []  # per open collection: written in flow style ([...], {...})
    flow = 0  # how many of them are
    count = 0
    root: YamlValue = None
    key = ""  # in a mapping: the key of the value being read
    while True:
        event = get_event()
        kind = type(event)
        if kind is MappingEndEvent or kind is SequenceEndEvent:
            containers.pop()
            paths.pop()
            waiting.pop()
            flow -= flows.pop()
            if not containers:
                return root
            continue
        count += 1
        if count > MAX_NODES or event.anchor is not None:
            raise NotSimple
        # where the value goes; a scalar where a mapping waits for a key is that key
        parent = containers[-1] if containers else None
        if parent is None:
            path: YamlPath = ()
        elif isinstance(parent, list):
            path = (*paths[-1], len(parent))
        else:
            pending = waiting[-1]
            if pending is None:
                if kind is not ScalarEvent:
                    raise NotSimple  # a collection or an alias as a key
                tag, text, where, _ = read(event, flow)
                if tag not in CONSTRUCTORS or text in parent:
                    raise NotSimple  # a merge key, a bad tag, a key written twice
                waiting[-1] = text
                key_path: YamlPath = (*paths[-1], text)
                keys[key_path] = where
                continue
            key = pending
            path = (*paths[-1], key)
            waiting[-1] = None
        value: YamlValue
        opened: dict[str, YamlValue] | list[YamlValue] | None = None
        if kind is ScalarEvent:
            tag, text, where, style = read(event, flow)
            if tag == STR:
                value = text
            else:
                construct = CONSTRUCTORS.get(tag)
                if construct is None or (parent is None and tag == NULL and not text and not style):
                    raise NotSimple  # a bad tag, or nothing at all (an empty file)
                try:
                    value = construct(text)
                except ValueError:
                    raise NotSimple from None
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            expected = MAP if kind is MappingStartEvent else SEQ
            if len(containers) >= MAX_DEPTH or scalars.collection_tag(event) != expected:
                raise NotSimple
            where = position(event.start_mark)
            value = opened = {} if kind is MappingStartEvent else []
        else:  # an alias
            raise NotSimple
        values[path] = where
        if parent is None:
            root = value
        elif isinstance(parent, list):
            parent.append(value)
        else:
            parent[key] = value
        if opened is None:  # a scalar
            if parent is None:
                return value  # a document that is one scalar
            continue
        containers.append(opened)
        paths.append(path)
        waiting.append(None)
        in_flow = bool(event.flow_style)
        flow += in_flow
        flows.append(in_flow)
