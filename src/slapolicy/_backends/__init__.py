"""Backends: strategies that turn compiled rules into a :class:`Selection`.

A backend is a function ``selection(rules) -> Selection``: it decides how the four
first-match stages (category, priority, SLA, routing) and the escalation conditions are
evaluated; everything else is the shared engine. ``load_policy(..., backend=name)`` looks
the name up in :data:`BACKENDS`. To add one, write ``_backends/<name>/`` with its selection
function and register it here (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .._compile import Rules
from .._engine import Selection, native_selection
from .durable import durable_selection

__all__ = ["BACKENDS"]

#: backend name -> ``selection(rules) -> Selection``, in the order the CLI offers them
BACKENDS: Mapping[str, Callable[[Rules], Selection]] = {
    "native": native_selection,
    "durable": durable_selection,
}
