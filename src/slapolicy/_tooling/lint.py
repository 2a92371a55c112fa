"""Lint: findings about a policy that loads but is probably not what its editor meant.

Each check is a small generator of :class:`Finding` values with a stable code; the CLI
prints them as ``file:line:col: CODE message``. Codes (docs/cli.md lists them too):

========  ========  ===========================================================
code      severity  finding
========  ========  ===========================================================
SP101     warning   a rule is shadowed by an earlier rule of the same stage
SP102     warning   a default (or later rules) can never be reached
SP103     warning   a priority can never be assigned
SP104     warning   a response target is due later than the resolve target
SP105     info      an owner is declared but never routed to or notified
SP106     warning   a calendar is declared but no SLA target uses it
SP107     warning   official holiday data ends within the next 12 months
SP108     warning   the same keyword appears in the conditions of two categories
SP109     warning   an escalation names a target that no SLA defines
SP110     warning   a keyword is a number (unquoted digits in YAML): it never matches text
SP111     warning   a keyword holds a full-width comma or 、: probably two keywords run together
SP112     warning   a condition compares with yes/no/on/off as text: a JSON true never equals it
========  ========  ===========================================================

Shadowing is detected for the cases that can be decided from the data: an earlier rule
with an identical condition, or one whose conditions are a subset of the later rule's
(``{type: outage}`` before ``{type: outage, impact: core}``), or a membership test that
includes the later rule's value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .._compile import Rule
from .._errors import format_path
from .._policy import Policy

__all__ = ["CODES", "Finding", "iter_findings", "lint"]

CODES = {
    "SP101": "shadowed-rule",
    "SP102": "unreachable-rule",
    "SP103": "unassigned-priority",
    "SP104": "response-after-resolve",
    "SP105": "unused-owner",
    "SP106": "unused-calendar",
    "SP107": "holiday-data-ending",
    "SP108": "duplicate-keyword",
    "SP109": "unknown-escalation-target",
    "SP110": "number-keyword",
    "SP111": "joined-keywords",
    "SP112": "yes-no-text",
}
_COMBINATORS = ("all", "any", "not")
_SINGULAR = {
    "categories": "category",
    "priorities": "priority",
    "slas": "SLA",
    "routing": "routing rule",
}


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


def lint(policy: Policy, *, today: date | None = None) -> list[Finding]:
    """Every finding for ``policy``, in file order. ``today`` defaults to the current date."""
    found = list(iter_findings(policy, today=today))
    return sorted(found, key=lambda f: (f.line or 0, f.column or 0, f.code))


def iter_findings(policy: Policy, *, today: date | None = None) -> Iterator[Finding]:
    """Run every check lazily (findings located when the policy came from YAML)."""
    today = today or date.today()
    checks = (
        _shadowed_rules,
        _unreachable_rules,
        _unassigned_priorities,
        _response_after_resolve,
        _unused_owners,
        _unused_calendars,
        _duplicate_keywords,
        _unknown_escalation_targets,
        _number_keywords,
        _joined_keywords,
        _yes_no_text,
    )
    for check in checks:
        for finding in check(policy):
            yield _locate(policy, finding)
    for finding in _holiday_data(policy, today):
        yield _locate(policy, finding)


def _locate(policy: Policy, finding: Finding) -> Finding:
    doc = policy.document
    where = doc.locate(finding.path) if doc is not None else None
    line, column = where if where is not None else (None, None)
    return Finding(
        finding.code, finding.severity, finding.message, finding.path, policy.filename, line, column
    )


def _stages(policy: Policy) -> tuple[tuple[str, Sequence[Rule]], ...]:
    """The first-match stages, in evaluation order, with their YAML section names."""
    return (
        ("categories", policy.categories),
        ("priorities", policy.priorities),
        ("slas", [s.rule for s in policy.slas]),
        ("routing", policy.routing),
    )


# --------------------------------------------------------------------------- shadowing


def _atoms(spec: Any) -> frozenset[str] | None:
    """A pure conjunction as a set of canonical tests, or None if it is not one."""
    if not isinstance(spec, Mapping):
        return None
    out: set[str] = set()
    for key, value in spec.items():
        if key == "all" and isinstance(value, list):
            for part in value:
                inner = _atoms(part)
                if inner is None:
                    return None
                out |= inner
        elif key in _COMBINATORS:
            out.add(json.dumps({key: value}, sort_keys=True, default=str, ensure_ascii=False))
        else:
            out.add(
                json.dumps(
                    {key: _canonical_test(value)}, sort_keys=True, default=str, ensure_ascii=False
                )
            )
    return frozenset(out)


def _canonical_test(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, list):
        return {"in": sorted(value, key=repr)}
    return {"eq": value}


def _broader(earlier: Any, later: Any) -> bool:
    """True when every ticket matching ``later`` also matches ``earlier`` (decidable cases)."""
    if earlier == later:
        return True
    a, b = _atoms(earlier), _atoms(later)
    if a is None or b is None:
        return False
    if a <= b:
        return True
    # membership: {f: [x, y]} is broader than {f: x}
    if isinstance(earlier, Mapping) and isinstance(later, Mapping) and len(earlier) == 1:
        ((field, test),) = earlier.items()
        options = (
            test
            if isinstance(test, list)
            else (test.get("in") if isinstance(test, Mapping) and len(test) == 1 else None)
        )
        if isinstance(options, list) and field in later:
            value = later[field]
            values = value if isinstance(value, list) else [value]
            if isinstance(value, Mapping):
                values = value.get("in", [value.get("eq")]) if len(value) == 1 else [object()]
            return all(v in options for v in values)
    return False


def _shadowed_rules(policy: Policy) -> Iterator[Finding]:
    for section, rules in _stages(policy):
        conditional = [r for r in rules if r.condition.spec is not None]
        for j, later in enumerate(conditional):
            for earlier in conditional[:j]:
                if _broader(earlier.condition.spec, later.condition.spec):
                    yield Finding(
                        "SP101",
                        "warning",
                        f"{_SINGULAR[section]} "
                        f"{later.id!r} can never match: rule {earlier.id!r} before it "
                        "matches every ticket it would",
                        (section, later.index, "when"),
                    )
                    break


# --------------------------------------------------------------------------- reachability

_PROBE_LIMIT = 4096


def _literals(spec: Any) -> Iterator[Any]:
    if isinstance(spec, Mapping):
        for value in spec.values():
            yield from _literals(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _literals(item)
    elif isinstance(spec, str | int | float | bool) or spec is None:
        yield spec


def _probe_values(literals: Sequence[Any]) -> list[Any]:
    values: list[Any] = [_ABSENT, "\x00probe", 123456789.5, True, [], {}]
    for lit in literals:
        values.append(lit)
        if isinstance(lit, int | float) and not isinstance(lit, bool):
            values.extend((lit - 1, lit + 1))
        if isinstance(lit, str):
            values.append([lit])
    unique: list[Any] = []
    for v in values:
        if not any(v == u and type(v) is type(u) for u in unique):
            unique.append(v)
    return unique


_ABSENT = object()


def _is_tautology(rule: Rule) -> bool:
    """True if the condition matched every probe ticket built from the values it mentions."""
    fields = sorted(rule.condition.fields)
    if not fields or len(fields) > 4:
        return False
    literals = list(_literals(rule.condition.spec))
    per_field = [_probe_values(literals) for _ in fields]
    total = 1
    for values in per_field:
        total *= len(values)
    if total > _PROBE_LIMIT:
        return False
    combos: list[dict[str, Any]] = [{}]
    for name, values in zip(fields, per_field, strict=True):
        combos = [{**c, name: v} for c in combos for v in values]
    for combo in combos:
        ticket: dict[str, Any] = {}
        for name, value in combo.items():
            if value is not _ABSENT:
                _put(ticket, name, value)
        if not rule.condition.matches(ticket):
            return False
    return True


def _put(ticket: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = ticket
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _unreachable_rules(policy: Policy) -> Iterator[Finding]:
    for section, rules in _stages(policy):
        for rule in rules[:-1]:
            if rule.condition.spec is not None and _is_tautology(rule):
                yield Finding(
                    "SP102",
                    "warning",
                    f"rule {rule.id!r} matches every ticket, so the rules after it and the "
                    f"default of {section} can never be reached",
                    (section, rule.index, "when"),
                )
                break


# --------------------------------------------------------------------------- coverage


def _unassigned_priorities(policy: Policy) -> Iterator[Finding]:
    assigned = {r.id for r in policy.priorities if r.condition.spec is not None}
    assigned.add(policy.priorities[-1].id)
    if policy.matrix is not None:
        assigned |= {p for row in policy.matrix.values.values() for p in row.values()}
    for rule in policy.priorities:
        if rule.id not in assigned:
            yield Finding(
                "SP103",
                "warning",
                f"priority {rule.id!r} has no `when` and the priority_matrix never gives it",
                ("priorities", rule.index),
            )


def _response_after_resolve(policy: Policy) -> Iterator[Finding]:
    for i, sla in enumerate(policy.slas):
        for pri, targets in sla.targets.items():
            by_name = {t.name: t for t in targets}
            response, resolve = by_name.get("response"), by_name.get("resolve")
            if response is None or resolve is None:
                continue
            # compare on a few realistic starts: a Monday morning and a Friday evening
            for start in _sample_starts(response.calendar.timezone):
                r1 = response.calendar.add(start, response.within)
                r2 = resolve.calendar.add(start, resolve.within)
                if r1 > r2:
                    yield Finding(
                        "SP104",
                        "warning",
                        f"SLA {sla.rule.id!r}, {pri}: response ({response.within}) is due "
                        f"after resolve ({resolve.within}), e.g. from {start:%Y-%m-%d %H:%M}",
                        ("slas", i, "targets", pri),
                    )
                    break


def _sample_starts(tz: Any) -> list[datetime]:
    base = datetime(2026, 3, 2, 9, 30, tzinfo=tz)  # a Monday, official holiday data exists
    return [base, base + timedelta(days=4, hours=8)]


def _unused_owners(policy: Policy) -> Iterator[Finding]:
    used: set[str] = set()
    for rule in policy.routing:
        used.add(rule.owner or "")
        used |= set(rule.cc)
    for esc in policy.escalations:
        used |= set(esc.notify)
    for owner_id in list(used):
        lead = getattr(policy.owners.get(owner_id), "lead", None)
        if lead:
            used.add(lead)
    for owner_id in policy.owners:
        if owner_id not in used:
            yield Finding(
                "SP105",
                "info",
                f"owner {owner_id!r} is never routed to, cc'd, notified or a lead",
                ("owners", owner_id),
            )


def _unused_calendars(policy: Policy) -> Iterator[Finding]:
    used = {t.calendar_name for s in policy.slas for ts in s.targets.values() for t in ts}
    for name in policy.calendars:
        if name not in used:
            yield Finding(
                "SP106",
                "warning",
                f"calendar {name!r} is not used by any SLA target",
                ("calendars", name),
            )


def _holiday_data(policy: Policy, today: date) -> Iterator[Finding]:
    horizon = today + timedelta(days=365)
    for name, cal in policy.calendars.items():
        until = cal.holiday_data_until
        if until is not None and until < horizon:
            yield Finding(
                "SP107",
                "warning",
                f"calendar {name!r}: official holiday data ends {until}, within 12 months of "
                f"{today}; later dates use computed holidays without make-up working days "
                "(add them under holidays.dates / workdays, or upgrade `holidays`)",
                ("calendars", name, "holidays", "country"),
            )


def _keywords(spec: Any) -> Iterator[str]:
    if isinstance(spec, Mapping):
        for key, value in spec.items():
            if key in ("contains", "contains_any", "contains_all"):
                values = value if isinstance(value, list) else [value]
                yield from (v for v in values if isinstance(v, str))
            else:
                yield from _keywords(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _keywords(item)


def _duplicate_keywords(policy: Policy) -> Iterator[Finding]:
    first_seen: dict[str, str] = {}
    for rule in policy.categories:
        for word in dict.fromkeys(_keywords(rule.condition.spec)):
            key = word.casefold()
            owner = first_seen.setdefault(key, rule.id)
            if owner != rule.id:
                yield Finding(
                    "SP108",
                    "warning",
                    f"keyword {word!r} of category {rule.id!r} is already a keyword of "
                    f"{owner!r}, which is tried first",
                    ("categories", rule.index, "when"),
                )


def _unknown_escalation_targets(policy: Policy) -> Iterator[Finding]:
    defined = {t.name for s in policy.slas for ts in s.targets.values() for t in ts}
    for esc in policy.escalations:
        if esc.target not in defined:
            yield Finding(
                "SP109",
                "warning",
                f"escalation {esc.id!r} watches {esc.target!r}, which no SLA defines",
                ("escalation", esc.index),
            )


def _needles(spec: Any, path: tuple[str | int, ...]) -> Iterator[tuple[Any, tuple[str | int, ...]]]:
    if isinstance(spec, Mapping):
        for key, value in spec.items():
            if key in ("contains", "contains_any", "contains_all"):
                if isinstance(value, list):
                    yield from ((v, (*path, key, i)) for i, v in enumerate(value))
                else:
                    yield value, (*path, key)
            else:
                yield from _needles(value, (*path, key))
    elif isinstance(spec, list):
        for i, item in enumerate(spec):
            yield from _needles(item, (*path, i))


def _number_keywords(policy: Policy) -> Iterator[Finding]:
    for section, rule in _condition_rules(policy):
        for needle, path in _needles(rule.condition.spec, (section, rule.index, "when")):
            if isinstance(needle, int | float) and not isinstance(needle, bool):
                yield Finding(
                    "SP110",
                    "warning",
                    f"keyword {needle!r} of {rule.id!r} is a number, so it never matches "
                    f"text; quote it: '{needle}' (it still matches list items equal to "
                    "the number)",
                    path,
                )


def _condition_rules(policy: Policy) -> Iterator[tuple[str, Rule]]:
    """Every rule with a ``when``, with the section it is in."""
    for section, rules in _stages(policy):
        for rule in rules:
            if rule.condition.spec is not None:
                yield section, rule


_JOINERS = ("，", "、", "；")


def _joined_keywords(policy: Policy) -> Iterator[Finding]:
    for section, rule in _condition_rules(policy):
        for needle, path in _needles(rule.condition.spec, (section, rule.index, "when")):
            if isinstance(needle, str) and any(j in needle for j in _JOINERS):
                parts = [p for p in re.split("[，、；]", needle) if p]
                yield Finding(
                    "SP111",
                    "warning",
                    f"keyword {needle!r} of {rule.id!r} contains a full-width separator, so it "
                    f"only matches that whole text; for separate keywords write "
                    f"[{', '.join(parts)}] with ASCII commas",
                    path,
                )


_YES_NO = frozenset({"yes", "no", "on", "off", "y", "n"})


def _equality_literals(
    spec: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[str, Any, tuple[str | int, ...]]]:
    if not isinstance(spec, Mapping):
        if isinstance(spec, list):
            for i, item in enumerate(spec):
                yield from _equality_literals(item, (*path, i))
        return
    for key, value in spec.items():
        if key in _COMBINATORS:
            yield from _equality_literals(value, (*path, key))
        elif isinstance(value, Mapping):
            for op in ("eq", "ne"):
                if op in value:
                    yield key, value[op], (*path, key, op)
        else:
            yield key, value, (*path, key)


def _yes_no_text(policy: Policy) -> Iterator[Finding]:
    for section, rule in _condition_rules(policy):
        for field, literal, path in _equality_literals(
            rule.condition.spec, (section, rule.index, "when")
        ):
            declared = policy.fields.get(field)
            if declared is not None and declared.kind == "string":
                continue  # a text field may well hold "yes"
            if isinstance(literal, str) and literal.casefold() in _YES_NO:
                yield Finding(
                    "SP112",
                    "warning",
                    f"{field!r} is compared with the text {literal!r}; a ticket's JSON true or "
                    f"false never equals it. Write `{field}: true` (or false), or declare "
                    f"`{field}` in `fields:` as boolean or string",
                    path,
                )
