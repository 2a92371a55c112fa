"""The durable-rules backend: stage selection compiled to a durable-rules ruleset.

``load_policy(source, backend="durable")`` compiles a policy as usual and then hands the four
first-match stages (category, priority rule, SLA, routing) to durable-rules 2.0.28, an
optional extra (``pip install 'slapolicy[durable]'``). Everything else is shared with the
native engine: validation, field conversion, the priority matrix, deadlines, escalations and
the trace (which is always built by the native explainer). The decisions are the native
ones, exactly: that is the contract, checked by a differential property test. This package
is the only place that imports durable-rules, and only inside functions, so the native
backend never imports it; docs/backends.md says when to choose it and lists what was
measured.

How conditions become durable-rules rules: each rule's condition tree is read into negation
normal form and each test either gets an exact durable-rules form or is computed natively
and posted as a 0/1 attribute; each evaluation posts one event per stage (per chunk of at
most 40 tests) whose attributes encode the ticket's values by kind, because durable-rules'
own comparisons coerce across types and misorder text. Modules, in the order a policy goes
through them::

    availability  importing durable-rules lazily; the Python 3.13 message; its 3.12 warning
    encoding      ticket values as attributes: value keys, attribute names, slots
    lowering      condition trees -> negation normal form -> durable-rules expressions; chunks
    engine        the ruleset of one policy: rules, events, actions, definition, summary

Each module's docstring gives the details of durable-rules' quirks it works around.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..._compile import Rules
from ..._engine import Selection, matrix_or_default, native_selection
from .availability import durable_available
from .engine import ACTION_TIMEOUT, MAX_CHUNKS, Engine
from .lowering import CHUNK_ATTRIBUTES, CHUNK_TESTS, MAX_JUNCTIONS, MAX_LIST

__all__ = [
    "ACTION_TIMEOUT",
    "CHUNK_ATTRIBUTES",
    "CHUNK_TESTS",
    "MAX_CHUNKS",
    "MAX_JUNCTIONS",
    "MAX_LIST",
    "durable_available",
    "durable_selection",
]


def durable_selection(rules: Rules) -> Selection:
    """The four stage selections of ``rules`` run in durable-rules; escalations stay native.

    Raises ImportError (saying how to install it) without durable-rules, and
    :class:`PolicyError` for a policy durable-rules cannot hold.
    """
    engine = Engine(rules)
    select = engine.select
    rule_ids = tuple(rule.id for rule in rules.priority_rules)
    fallback = matrix_or_default(rules)

    def category(view: Mapping[str, Any]) -> int:
        """The index of the ticket's category rule."""
        return select(0, view)

    def priority(view: Mapping[str, Any], category: str) -> str:
        """The ticket's priority: its priority rule, else the matrix's cell or the default."""
        index = select(1, {**view, "category": category})
        return rule_ids[index] if index >= 0 else fallback(view, category)

    def sla(view: Mapping[str, Any], category: str, priority: str) -> int:
        """The index of the ticket's SLA."""
        return select(2, {**view, "category": category, "priority": priority})

    def route(view: Mapping[str, Any], category: str, priority: str, sla: str) -> int:
        """The index of the ticket's routing rule."""
        return select(3, {**view, "category": category, "priority": priority, "sla": sla})

    return Selection(category, priority, sla, route, native_selection(rules).escalation, engine)
