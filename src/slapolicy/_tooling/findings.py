"""Lint findings: the stable codes, their severities, and :class:`Finding`.

A code never changes meaning once released; docs/lint.md lists every code with what it
means and how to fix or accept it. The checks live in :mod:`.lint` (rules, conditions,
owners), :mod:`.calendar_checks` (calendars and holiday data) and :mod:`.metric_checks`
(the policy's own metrics).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from .._errors import format_path
from .._policy import Policy

__all__ = ["CODES", "SEVERITY", "Finding", "LintCode", "closest_code", "locate", "targeted"]


class LintCode(NamedTuple):
    """What a code is called and how serious it is (a warning fails ``slapolicy lint``)."""

    name: str
    severity: str  # "warning" | "info"


#: every lint code, in order: SP101 ... (docs/lint.md)
TABLE: dict[str, LintCode] = {
    "SP101": LintCode("shadowed-rule", "warning"),
    "SP102": LintCode("unreachable-rule", "warning"),
    "SP103": LintCode("unassigned-priority", "warning"),
    "SP104": LintCode("response-after-resolve", "warning"),
    "SP105": LintCode("unused-owner", "info"),
    "SP106": LintCode("unused-calendar", "warning"),
    "SP107": LintCode("holiday-data-ending", "warning"),
    "SP108": LintCode("duplicate-keyword", "warning"),
    "SP109": LintCode("unknown-escalation-target", "warning"),
    "SP110": LintCode("number-keyword", "warning"),
    "SP111": LintCode("joined-keywords", "warning"),
    "SP112": LintCode("yes-no-text", "warning"),
    "SP113": LintCode("untargeted-metric", "warning"),
    "SP114": LintCode("metric-never-starts", "warning"),
    "SP115": LintCode("stop-before-start", "warning"),
    "SP116": LintCode("unknown-lint-code", "warning"),
    "SP117": LintCode("stage-name-shadows-field", "warning"),
}
#: code -> readable name (``SP101`` -> ``shadowed-rule``)
CODES: dict[str, str] = {code: entry.name for code, entry in TABLE.items()}
#: code -> ``warning`` or ``info``
SEVERITY: dict[str, str] = {code: entry.severity for code, entry in TABLE.items()}


@dataclass(frozen=True, slots=True)
class Finding:
    """One lint finding: a stable code, a severity, a message and where it is."""

    code: str
    severity: str  # "warning" | "info"
    message: str
    path: tuple[str | int, ...] = ()
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def name(self) -> str:
        """The code's readable name (``shadowed-rule``)."""
        return CODES[self.code]

    def __str__(self) -> str:
        where = self.file or "<policy>"
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        return f"{where}: {self.code} {self.message} [{self.name}]"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "path": format_path(self.path),
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }


def locate(policy: Policy, finding: Finding) -> Finding:
    """The finding with the file, line and column of its path (when the policy has YAML)."""
    doc = policy.document
    where = doc.locate(finding.path) if doc is not None else None
    line, column = where if where is not None else (None, None)
    return Finding(
        finding.code, finding.severity, finding.message, finding.path, policy.filename, line, column
    )


#: letters typed for the digits that look like them (``SP1O7``)
_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def closest_code(text: str, known: Iterable[str] = TABLE) -> str:
    """`` (did you mean 'SP107'?)`` for a code that does not exist ("" without a match)."""
    codes = list(known)
    typed = text.strip().upper()
    mended = typed[:2] + typed[2:].translate(_LOOKALIKE)
    near = [mended] if mended in codes else difflib.get_close_matches(typed, codes, n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def targeted(policy: Policy) -> set[str]:
    """The metrics some SLA gives a target, for some priority."""
    return {t.name for s in policy.slas for ts in s.targets.values() for t in ts}
