"""The exception tree of slapolicy.

Every problem caused by bad input (a policy file, a calendar spec, a ticket, an event
history or an instant) is reported as a subclass of :class:`SlaPolicyError`::

    SlaPolicyError                (also a ValueError)
     +-- PolicyError             a policy file or mapping is invalid; lists every problem
     +-- CalendarError           a calendar spec, instant or duration is invalid, or an
     |                           answer lies beyond the range a calendar can give
     +-- TicketError             a ticket or an event history cannot be evaluated

Misuse of the Python API by a programmer (an argument of the wrong type) may still raise
``TypeError``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "CalendarError",
    "PolicyError",
    "Problem",
    "SlaPolicyError",
    "TicketError",
    "format_path",
    "parse_path",
]

_PLAIN_KEY = re.compile(r"[^.\[\]\s\"]+")


def format_path(parts: Sequence[str | int]) -> str:
    """Render a YAML path: ``("priorities", 2, "when", "impact")`` -> ``priorities[2].when.impact``.

    Keys that are not plain (dots, brackets, spaces, empty) are quoted: ``a["x.y"]``.
    """
    out: list[str] = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.fullmatch(part):
            out.append(f".{part}" if out else part)
        else:
            quoted = part.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'["{quoted}"]')
    return "".join(out)


_PATH_TOKEN = re.compile(r'\.?([^.\[\]\s"]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


def parse_path(text: str) -> tuple[str | int, ...]:
    """The inverse of :func:`format_path` (``a.b[2]`` -> ``("a", "b", 2)``)."""
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        match = _PATH_TOKEN.match(text, pos)
        if not match:
            break
        name, index, quoted = match.groups()
        if index is not None:
            parts.append(int(index))
        elif quoted is not None:
            parts.append(re.sub(r"\\(.)", r"\1", quoted))
        else:
            parts.append(name)
        pos = match.end()
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a policy: where it is and what is wrong.

    ``path`` is the YAML path (``priorities[2].when.impact``); ``line`` and ``column`` are
    1-based and ``None`` when the policy did not come from YAML text. ``key`` is true when
    the problem is the last key of ``path`` itself (a misspelt or invalid name), so that
    ``line`` and ``column`` point at that key rather than at its value.
    """

    message: str
    path: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None
    key: bool = False

    def location(self) -> str:
        """``file:line:col`` (as much of it as is known), for messages."""
        parts = [self.file or "<policy>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = f" (at {self.path})" if self.path else ""
        return f"{self.location()}: {self.message}{where}"


class SlaPolicyError(ValueError):
    """Root of every error slapolicy raises for bad input."""


class CalendarError(SlaPolicyError):
    """A calendar spec, an instant or a duration is invalid, or beyond the supported range.

    For a bad spec, ``problems`` holds every :class:`Problem`, its ``path`` relative to the
    calendar's mapping (``hours.mon-fri[1]``), exactly as :class:`PolicyError` reports them,
    so that a policy loader can point at the line in the file. ``issues`` is the same list
    as ``(path tuple, message)`` pairs, the form of earlier releases.
    """

    def __init__(
        self,
        message: str,
        *,
        problems: Iterable[Problem] = (),
        issues: Iterable[tuple[Sequence[str | int], str]] = (),
    ) -> None:
        super().__init__(message)
        found = list(problems)
        found.extend(Problem(text, format_path(path)) for path, text in issues)
        self.problems: tuple[Problem, ...] = tuple(found)

    @property
    def issues(self) -> tuple[tuple[tuple[str | int, ...], str], ...]:
        """Every problem as ``(path, message)``, the path a tuple (``("hours", "mon-fri", 1)``)."""
        return tuple((parse_path(p.path), p.message) for p in self.problems)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_calendar_error, (str(self), self.problems))


def _rebuild_calendar_error(message: str, problems: tuple[Problem, ...]) -> CalendarError:
    return CalendarError(message, problems=problems)


class TicketError(SlaPolicyError):
    """A ticket or an event history cannot be evaluated."""


class PolicyError(SlaPolicyError):
    """A policy is invalid; ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems in policy:"]
        lines.extend(f"  {p}" for p in self.problems)
        return "\n".join(lines)

    def __reduce__(self) -> tuple[type[PolicyError], tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))
