"""A ticket's history as the clock reads it: checked events with instants in microseconds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._engine import TicketReader
from .._errors import TicketError

__all__ = ["EVENT_TYPES", "MAX_EVENTS", "Event", "parse_events"]

#: the event types the clock knows
EVENT_TYPES = ("responded", "status", "updated", "resolved", "reopened")
#: the longest history accepted
MAX_EVENTS = 10_000


@dataclass(slots=True)
class Event:
    """One event: when (microseconds), its position in the history, what happened."""

    at: int
    index: int
    type: str
    status: str | None = None
    fields: Mapping[str, Any] | None = None


def parse_events(events: Iterable[Mapping[str, Any]], reader: TicketReader) -> list[Event]:
    """Check every event of a history (oldest first); :class:`TicketError` names the first bad."""
    if isinstance(events, Mapping | str | bytes):
        raise TicketError("events must be a list of mappings, oldest first")
    out: list[Event] = []
    try:
        iterator = iter(events)
    except TypeError:
        raise TicketError("events must be a list of mappings, oldest first") from None
    for index, raw in enumerate(iterator):
        if index >= MAX_EVENTS:
            raise TicketError(f"too many events (more than {MAX_EVENTS})")
        where = f"event {index}"
        if not isinstance(raw, Mapping):
            raise TicketError(f"{where}: must be a mapping with `type` and `at`")
        kind = raw.get("type")
        if kind not in EVENT_TYPES:
            raise TicketError(
                f"{where}: field 'type' must be one of {', '.join(EVENT_TYPES)}, got {kind!r}"
            )
        if raw.get("at") is None:
            raise TicketError(f"{where}: field 'at' is missing")
        event = Event(reader.instant_us(raw["at"], f"{where}: field 'at'"), index, kind)
        if kind == "status":
            status = raw.get("status")
            if not isinstance(status, str):
                raise TicketError(f"{where}: field 'status' must be text, got {status!r}")
            event.status = status
        elif kind == "updated":
            changed = raw.get("fields")
            if not isinstance(changed, Mapping) or not all(isinstance(k, str) for k in changed):
                raise TicketError(f"{where}: field 'fields' must be a mapping of changed fields")
            event.fields = changed
        out.append(event)
    return out
