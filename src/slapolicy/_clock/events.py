"""A ticket's history as the clock reads it: checked events with instants in microseconds."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .._engine import TicketReader
from .._errors import CalendarError, TicketError

__all__ = ["MAX_EVENTS", "Event", "parse_events"]

#: the longest history accepted
MAX_EVENTS = 10_000


class Event(NamedTuple):
    """One event: when (microseconds), its position in the history, what happened."""

    at: int
    #: its position in the history as given (0 = the first)
    order: int
    type: str
    #: the new status of a ``status`` event
    status: str | None = None
    #: the changed fields of an ``updated`` event
    fields: Mapping[str, Any] | None = None


def parse_events(
    events: Iterable[Mapping[str, Any]],
    reader: TicketReader,
    types: frozenset[str],
    statuses: frozenset[str] | None,
) -> list[Event]:
    """Check every event of a history (oldest first); :class:`TicketError` names the first bad.

    ``types`` are the event types the policy knows (built-in and declared); ``statuses``,
    when not None, the statuses that exist (``clock.statuses``): a typo must not silently
    change a clock.
    """
    if isinstance(events, Mapping | str | bytes):
        raise TicketError("events must be a list of mappings, oldest first")
    out: list[Event] = []
    try:
        iterator = iter(events)
    except TypeError:
        raise TicketError("events must be a list of mappings, oldest first") from None
    to_us = reader.instants.to_us
    for index, raw in enumerate(iterator):
        if index >= MAX_EVENTS:
            raise TicketError(f"too many events (more than {MAX_EVENTS})")
        if type(raw) is not dict and not isinstance(raw, Mapping):
            raise TicketError(f"event {index}: must be a mapping with `type` and `at`")
        kind = raw.get("type")
        if type(kind) is not str or kind not in types or kind == "created":
            raise _bad_type(index, kind, types)
        value = raw.get("at")
        if value is None:
            raise TicketError(f"event {index}: field 'at' is missing")
        try:
            at = to_us(value)
        except CalendarError as exc:
            raise TicketError(f"event {index}: field 'at': {exc}") from None
        status: str | None = None
        changed: Mapping[str, Any] | None = None
        if kind == "status":
            where = f"event {index}"
            status = raw.get("status")
            if not isinstance(status, str):
                raise TicketError(f"{where}: field 'status' must be text, got {status!r}")
            if statuses is not None and status not in statuses:
                raise TicketError(
                    f"{where}: unknown status {status!r}{_hint(status, sorted(statuses))} "
                    "(clock.statuses lists the statuses that exist)"
                )
        elif kind == "updated":
            where = f"event {index}"
            changed = raw.get("fields")
            if not isinstance(changed, Mapping) or not all(isinstance(k, str) for k in changed):
                raise TicketError(f"{where}: field 'fields' must be a mapping of changed fields")
        # Speed trick: the named tuple built without its Python-level __new__ (as the
        # engine's results): every event of every history is one
        out.append(_new(Event, (at, index, kind, status, changed)))
    return out


_new = tuple.__new__


def _bad_type(index: int, kind: object, types: frozenset[str]) -> TicketError:
    """The error of an event whose type the policy does not know."""
    if kind == "created":
        return TicketError(
            f"event {index}: 'created' is the clock start (the ticket's start field), never "
            "an event; leave it out"
        )
    sendable = sorted(types - {"created"})
    return TicketError(
        f"event {index}: field 'type' must be one of {', '.join(sendable)}, got {kind!r}"
        f"{_hint(kind, sendable)}"
    )


def _hint(word: object, choices: list[str]) -> str:
    if not isinstance(word, str) or len(word) > 100:
        return ""
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
