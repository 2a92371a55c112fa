"""A ticket's history as the clock reads it: checked events with instants in microseconds."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._engine import TicketReader
from .._errors import TicketError

__all__ = ["MAX_EVENTS", "Event", "parse_events"]

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
    sendable = sorted(types - {"created"})
    for index, raw in enumerate(iterator):
        if index >= MAX_EVENTS:
            raise TicketError(f"too many events (more than {MAX_EVENTS})")
        where = f"event {index}"
        if not isinstance(raw, Mapping):
            raise TicketError(f"{where}: must be a mapping with `type` and `at`")
        kind = raw.get("type")
        if kind == "created":
            raise TicketError(
                f"{where}: 'created' is the clock start (the ticket's start field), never an "
                "event; leave it out"
            )
        if not isinstance(kind, str) or kind not in types:
            hint = _hint(kind, sendable)
            raise TicketError(
                f"{where}: field 'type' must be one of {', '.join(sendable)}, got {kind!r}{hint}"
            )
        if raw.get("at") is None:
            raise TicketError(f"{where}: field 'at' is missing")
        event = Event(reader.instant_us(raw["at"], f"{where}: field 'at'"), index, kind)
        if kind == "status":
            status = raw.get("status")
            if not isinstance(status, str):
                raise TicketError(f"{where}: field 'status' must be text, got {status!r}")
            if statuses is not None and status not in statuses:
                raise TicketError(
                    f"{where}: unknown status {status!r}{_hint(status, sorted(statuses))} "
                    "(clock.statuses lists the statuses that exist)"
                )
            event.status = status
        elif kind == "updated":
            changed = raw.get("fields")
            if not isinstance(changed, Mapping) or not all(isinstance(k, str) for k in changed):
                raise TicketError(f"{where}: field 'fields' must be a mapping of changed fields")
            event.fields = changed
        out.append(event)
    return out


def _hint(word: object, choices: list[str]) -> str:
    if not isinstance(word, str) or len(word) > 100:
        return ""
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
