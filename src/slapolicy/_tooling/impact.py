"""Impact of a policy change: evaluate two policies on the same tickets and count changes.

Tickets are read as JSON lines and compared one at a time, so memory stays flat however
long the file is: the report keeps counters, running sums and a few examples per kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from .._durations import format_timedelta
from .._engine import Decision
from .._errors import SlaPolicyError
from .._fields import MISSING, lookup
from .._jsonlines import read_json_line
from .._policy import Policy

__all__ = [
    "FIELDS",
    "DeadlineShift",
    "ImpactReport",
    "compare_stream",
    "ticket_ref",
]

#: the decided values a report compares
FIELDS = ("category", "priority", "sla", "owner")
#: the longest JSON line read
#: the line numbers of tickets that could not be compared kept in a report (the count is exact)
_MAX_ERROR_LINES = 1000
#: how the text report names each kind of error
_ERROR_KINDS = {
    "invalid_json": "not a JSON object",
    "old": "refused by OLD",
    "new": "refused by NEW",
}


@dataclass
class DeadlineShift:
    """Running statistics of how one target's due instant moved."""

    changed: int = 0
    added: int = 0
    removed: int = 0
    earlier: int = 0
    later: int = 0
    total_seconds: float = 0.0
    max_earlier: timedelta = timedelta(0)
    max_later: timedelta = timedelta(0)

    def add(self, delta: timedelta) -> None:
        """Count one ticket whose due instant moved by ``delta`` (new minus old)."""
        self.changed += 1
        self.total_seconds += delta.total_seconds()
        if delta < timedelta(0):
            self.earlier += 1
            self.max_earlier = max(self.max_earlier, -delta)
        else:
            self.later += 1
            self.max_later = max(self.max_later, delta)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        moved = self.earlier + self.later
        mean = self.total_seconds / moved if moved else 0.0
        return {
            "changed": self.changed,
            "added": self.added,
            "removed": self.removed,
            "earlier": self.earlier,
            "later": self.later,
            "mean_shift_seconds": round(mean, 3),
            "max_earlier_seconds": self.max_earlier.total_seconds(),
            "max_later_seconds": self.max_later.total_seconds(),
        }


@dataclass
class ImpactReport:
    """Counters of what changed between two policies over a stream of tickets."""

    per_kind: int = 3
    tickets: int = 0
    unchanged: int = 0
    changed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    transitions: dict[str, dict[str, int]] = field(default_factory=dict)
    deadlines: dict[str, DeadlineShift] = field(default_factory=dict)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=lambda: {"invalid_json": 0, "old": 0, "new": 0})
    error_examples: list[str] = field(default_factory=list)
    #: the lines that could not be compared, in order (the first ``_MAX_ERROR_LINES``)
    error_lines: list[int] = field(default_factory=list)

    def add_example(self, kind: str, item: dict[str, Any]) -> None:
        """Keep ``item`` as an example of ``kind`` unless ``per_kind`` are already kept."""
        bucket = self.examples.setdefault(kind, [])
        if len(bucket) < self.per_kind:
            bucket.append(item)

    def record(self, line: int, ref: Any, old: Decision, new: Decision) -> None:
        """Compare two decisions for the ticket on ``line``."""
        self.tickets += 1
        any_change = False
        for name in FIELDS:
            a, b = getattr(old, name), getattr(new, name)
            if a != b:
                any_change = True
                self.changed[name] += 1
                key = f"{a} -> {b}"
                pairs = self.transitions.setdefault(name, {})
                pairs[key] = pairs.get(key, 0) + 1
                self.add_example(name, {"line": line, "ticket": ref, "old": a, "new": b})
        for target in sorted(set(old.targets) | set(new.targets)):
            a_t, b_t = old.targets.get(target), new.targets.get(target)
            if a_t is None or b_t is None:
                if a_t is not b_t:
                    any_change = True
                    shift = self.deadlines.setdefault(target, DeadlineShift())
                    shift.changed += 1
                    if a_t is None:
                        shift.added += 1
                    else:
                        shift.removed += 1
                    self.add_example(
                        f"{target}_due",
                        {
                            "line": line,
                            "ticket": ref,
                            "old": None if a_t is None else a_t.due.isoformat(),
                            "new": None if b_t is None else b_t.due.isoformat(),
                        },
                    )
                continue
            if a_t.due != b_t.due:
                any_change = True
                delta = b_t.due - a_t.due
                self.deadlines.setdefault(target, DeadlineShift()).add(delta)
                self.add_example(
                    f"{target}_due",
                    {
                        "line": line,
                        "ticket": ref,
                        "old": a_t.due.isoformat(),
                        "new": b_t.due.isoformat(),
                        "shift_seconds": delta.total_seconds(),
                    },
                )
        if not any_change:
            self.unchanged += 1

    def error(self, kind: str, line: int, message: str) -> None:
        """Count a ticket that could not be read or evaluated."""
        self.errors[kind] += 1
        if len(self.error_lines) < _MAX_ERROR_LINES:
            self.error_lines.append(line)
        if len(self.error_examples) < self.per_kind * 3:
            self.error_examples.append(f"line {line}: {kind}: {message}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "tickets": self.tickets,
            "unchanged": self.unchanged,
            "changed": dict(self.changed),
            "transitions": self.transitions,
            "deadlines": {k: v.to_dict() for k, v in self.deadlines.items()},
            "examples": self.examples,
            "errors": dict(self.errors),
            "error_examples": list(self.error_examples),
            "error_lines": list(self.error_lines),
        }

    def describe_error_lines(self, shown: int = 10) -> str:
        """``line 4`` or ``lines 4, 7, 9 and 12 more``: which lines could not be compared."""
        failed = sum(self.errors.values())
        lines = self.error_lines[:shown]
        text = ("line " if failed == 1 else "lines ") + ", ".join(map(str, lines))
        return text + (f" and {failed - len(lines)} more" if failed > len(lines) else "")

    def render(self) -> str:
        """A readable summary for the terminal."""
        lines = [f"{self.tickets} tickets compared, {self.unchanged} unchanged"]
        for name in FIELDS:
            count = self.changed[name]
            if count:
                lines.append(f"  {name}: {count} changed")
                top = sorted(self.transitions[name].items(), key=lambda kv: -kv[1])[:5]
                lines.extend(f"      {pair}: {n}" for pair, n in top)
        for target, shift in sorted(self.deadlines.items()):
            d = shift.to_dict()
            parts = []
            if shift.earlier or shift.later:
                parts.append(
                    f"{shift.earlier} earlier, {shift.later} later; mean shift "
                    f"{format_timedelta(timedelta(seconds=d['mean_shift_seconds']))}, max "
                    f"earlier {format_timedelta(shift.max_earlier)}, max later "
                    f"{format_timedelta(shift.max_later)}"
                )
            if shift.added or shift.removed:
                parts.append(f"{shift.added} gained the target, {shift.removed} lost it")
            lines.append(f"  {target} due: {d['changed']} changed ({'; '.join(parts)})")
        for kind, items in self.examples.items():
            lines.append(f"  examples of {kind}:")
            for item in items:
                where = f"line {item['line']}" + (
                    f" ({item['ticket']})" if item["ticket"] is not None else ""
                )
                lines.append(f"      {where}: {item['old']} -> {item['new']}")
        failed = sum(self.errors.values())
        if failed:
            kinds = ", ".join(f"{_ERROR_KINDS[k]}: {n}" for k, n in self.errors.items() if n)
            lines.append(
                f"  {failed} tickets could not be compared ({kinds}): {self.describe_error_lines()}"
            )
            lines.extend(f"      {e}" for e in self.error_examples)
        return "\n".join(lines)


def compare_stream(
    old: Policy,
    new: Policy,
    lines: Iterable[bytes],
    report: ImpactReport,
    *,
    on_bytes: Callable[[int], object] | None = None,
) -> ImpactReport:
    """Compare ``old`` and ``new`` on every JSON line of ``lines`` into ``report``."""
    # tickets without a start field start "now": the same now for both policies, else every
    # such ticket would differ by the microseconds between the two evaluations
    now = datetime.now(timezone.utc)
    for number, raw in enumerate(lines, start=1):
        if on_bytes is not None:
            on_bytes(len(raw))
        if not raw.strip():
            continue
        ticket, message = read_json_line(raw)
        if message is not None:
            report.error("invalid_json", number, message)
            continue
        if not isinstance(ticket, dict):
            report.error("invalid_json", number, "not a JSON object")
            continue
        ref = ticket_ref(ticket.get("id"))
        at = None if _has_start(ticket, old) and _has_start(ticket, new) else now
        try:
            before = old.evaluate(ticket, at=at)
        except SlaPolicyError as exc:
            report.error("old", number, str(exc))
            continue
        try:
            after = new.evaluate(ticket, at=at)
        except SlaPolicyError as exc:
            report.error("new", number, str(exc))
            continue
        report.record(number, ref, before, after)
    return report


def _has_start(ticket: dict[str, Any], policy: Policy) -> bool:
    return lookup(ticket, policy.start_field) is not MISSING


def ticket_ref(value: Any) -> str | int | None:
    """How a report names a ticket: its ``id`` when that is text or a whole number."""
    return value if isinstance(value, str | int) else None
