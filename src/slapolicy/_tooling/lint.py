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
SP109     warning   an escalation watches a metric that no SLA gives a target
SP110     warning   a keyword is a number (unquoted digits in YAML): it never matches text
SP111     warning   a keyword holds a full-width comma or 、: probably two keywords run together
SP112     warning   a condition compares with yes/no/on/off as text: a JSON true never equals it
SP113     warning   a metric of ``metrics:`` that no SLA targets: it measures nothing
SP114     warning   a metric of ``metrics:`` that can never start
SP115     warning   a stop that can only come before its metric starts (or never holds)
========  ========  ===========================================================

Every check on conditions walks their compiled tree (:mod:`slapolicy._conditions`), never
the raw data: literals of declared fields are already converted and every test knows its
YAML path.

Shadowing is detected for the cases that can be decided from the tree: an earlier rule
whose tests are all among the later rule's (``{type: outage}`` before ``{type: outage,
impact: core}``, or an identical condition), a membership test that includes the later
rule's values, ``exists: true`` before any test of that field, and an ``any:`` one of whose
alternatives the later rule implies.

The metric checks (SP113-SP115) judge only the policy's own metrics, never the built-ins,
and report only what the data decides. A ``when`` is known never to hold when it tests
``category``, ``priority``, ``sla`` or ``owner`` (whose values are the policy's own ids) so
that no id passes, inside ``all`` / ``any`` / ``not`` as logic says; other fields may hold
anything, so a test of them is never judged. A start can never begin a cycle when its
``when`` never holds, or when the metric is ``open_only`` and the start is ``resolved`` or
``closed`` (after which the ticket is not open). A stop can never end a cycle when its
``when`` never holds, or when the metric starts only on ``closed`` and the stop is
``resolved``, ``reopened`` or ``closed`` (which a closed ticket ignores). The same event as
a start and a stop is no finding: on one event a metric's stops act before its starts, so
``{start: responded, stop: responded, cycle: each}`` restarts at each reply and a ``once``
metric runs to the event's next occurrence.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .._compile import Metric, Rule, Trigger
from .._conditions import (
    TABLE,
    AllOf,
    Always,
    AnyOf,
    FieldTests,
    Node,
    Not,
    Path,
    Test,
    arguments,
    iter_field_tests,
    value_key,
)
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
    "SP113": "untargeted-metric",
    "SP114": "metric-never-starts",
    "SP115": "stop-before-start",
}
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
        _untargeted_metrics,
        _metrics_never_starting,
        _dead_stops,
    )
    for check in checks:
        for finding in check(policy):
            yield _locate(policy, finding)
    for finding in _holiday_data(policy, today):
        yield _locate(policy, finding)


def _locate(policy: Policy, finding: Finding) -> Finding:
    """The finding with the file, line and column of its path (when the policy has YAML)."""
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


@dataclass(frozen=True, slots=True)
class _Fact:
    """One test a rule's condition requires, compared by meaning: field, operator, argument.

    ``arg`` is the test's argument as equality keys (:func:`value_key`), a set for the
    list operators, so ``{a: true}`` differs from ``{a: 1}`` and ``[x, y]`` equals ``[y, x]``.
    """

    name: str
    op: str
    arg: Any
    fold: bool


@dataclass(frozen=True, slots=True)
class _Either:
    """An ``any:`` of several conditions: each child is the set of facts it requires."""

    children: frozenset[frozenset[Any]]


def _fact(name: str, test: Test) -> _Fact:
    """A test as a fact, its literals turned into equality keys."""
    argument = TABLE[test.op].argument
    if argument == "pattern":
        arg: Any = test.arg
    elif argument in ("literals", "needles"):
        arg = frozenset(value_key(item, test.fold) for item in test.arg)
    elif argument == "bounds":
        arg = tuple(value_key(bound, False) for bound in test.arg)
    else:
        arg = value_key(test.arg, test.fold)
    return _Fact(name, test.op, arg, test.fold)


def _atoms(node: Node) -> frozenset[Any]:
    """The facts a condition requires, all of which together are the condition.

    ``all:`` and the keys of one mapping are flattened and a field's operators split into
    one fact each (so ``{f: {gt: 1}}`` is part of ``{f: {gt: 1, lt: 5}}``); an ``any:`` of
    several conditions is one :class:`_Either`, a ``not:`` one opaque fact.
    """
    if isinstance(node, AllOf):
        return frozenset().union(*(_atoms(child) for child in node.children))
    if isinstance(node, AnyOf):
        if len(node.children) == 1:
            return _atoms(node.children[0])
        return frozenset({_Either(frozenset(_atoms(child) for child in node.children))})
    if isinstance(node, FieldTests):
        facts = {_fact(node.name, test) for test in node.tests}
        if node.exists is not None:
            facts.add(_Fact(node.name, "exists", node.exists, False))
        return frozenset(facts)
    if isinstance(node, Not):
        return frozenset({("not", _atoms(node.child))})
    return frozenset()


def _implies(fact: Any, required: Any) -> bool:
    """True when every ticket for which ``fact`` holds satisfies ``required``."""
    if fact == required:
        return True
    if isinstance(fact, _Either):  # each alternative must imply it
        return all(_holds(required, child) for child in fact.children)
    if not (isinstance(fact, _Fact) and isinstance(required, _Fact)):
        return False
    if fact.name != required.name or fact.op == "exists":
        return False
    if required.op == "exists":  # every test fails on a missing field
        return required.arg is True
    if required.op != "in" or fact.fold != required.fold:
        return False
    # membership: {f: [x, y]} holds wherever {f: x} or {f: [x]} does
    if fact.op == "eq":
        return fact.arg in required.arg
    return fact.op == "in" and fact.arg <= required.arg


def _holds(required: Any, facts: frozenset[Any]) -> bool:
    """True when the facts of a condition imply ``required`` (the decidable cases)."""
    if any(_implies(fact, required) for fact in facts):
        return True
    if isinstance(required, _Either):  # one alternative is enough
        return any(all(_holds(r, facts) for r in child) for child in required.children)
    return False


def _broader(earlier: Node, later: Node) -> bool:
    """True when every ticket matching ``later`` also matches ``earlier`` (decidable cases)."""
    facts = _atoms(later)
    return all(_holds(required, facts) for required in _atoms(earlier))


def _shadowed_rules(policy: Policy) -> Iterator[Finding]:
    """SP101: a rule after one that matches every ticket it would (it never gets a turn)."""
    for section, rules in _stages(policy):
        conditional = [r for r in rules if not r.condition.is_always]
        for j, later in enumerate(conditional):
            for earlier in conditional[:j]:
                if _broader(earlier.condition.node, later.condition.node):
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
_NEEDLES = ("needle", "needles")


def _literals(node: Node) -> Iterator[Any]:
    """Every value a condition compares with (as converted for declared fields).

    A needle that is not text comes also as a one-item list: ``contains`` finds it only as
    an element of a list (text needles get their list from :func:`_probe_values`).
    """
    for tests in iter_field_tests(node):
        if tests.exists is not None:
            yield tests.exists
        for test in tests.tests:
            for literal in arguments(test):
                yield literal
                if TABLE[test.op].argument in _NEEDLES and not isinstance(literal, str):
                    yield [literal]


def _probe_values(literals: Sequence[Any]) -> list[Any]:
    """Values worth trying in a field: missing, odd kinds, each literal, its neighbours."""
    values: list[Any] = [_ABSENT, "\x00probe", 123456789.5, True, [], {}]
    for lit in literals:
        values.append(lit)
        if isinstance(lit, int | float) and not isinstance(lit, bool):
            values.extend((lit - 1, lit + 1))
        if isinstance(lit, str):
            values.append([lit])
    # one of each (1, 1.0 and True are three probes; so are [1] and [True])
    unique: dict[tuple[type, str], Any] = {}
    for value in values:
        unique.setdefault((type(value), repr(value)), value)
    return list(unique.values())


_ABSENT = object()


def _is_tautology(rule: Rule) -> bool:
    """True if the condition matched every probe ticket built from the values it mentions."""
    fields = sorted(rule.condition.fields)
    if not fields or len(fields) > 4:
        return False
    literals = list(_literals(rule.condition.node))
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
    """Set a dotted field of a probe ticket."""
    parts = path.split(".")
    node = ticket
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _unreachable_rules(policy: Policy) -> Iterator[Finding]:
    """SP102: a rule before the default that matches every ticket hides all after it."""
    for section, rules in _stages(policy):
        for rule in rules[:-1]:
            if not rule.condition.is_always and _is_tautology(rule):
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
    """SP103: a priority with no ``when`` that the priority_matrix never gives either."""
    assigned = {r.id for r in policy.priorities if not r.condition.is_always}
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
    """SP104: a response target due after the resolve target of the same priority.

    Both are counted from the clock start (a duration or a wall-clock ``by`` time), so the
    check holds only while both metrics start there (a redefinition may start them later).
    """
    metrics = policy.rules.metrics
    if not all(n in metrics and metrics[n].starts_at_creation for n in ("response", "resolve")):
        return
    for i, sla in enumerate(policy.slas):
        for pri, targets in sla.targets.items():
            by_name = {t.name: t for t in targets}
            response, resolve = by_name.get("response"), by_name.get("resolve")
            if response is None or resolve is None:
                continue
            # compare on a few realistic starts: a Monday morning and a Friday evening
            for start in _sample_starts(response.calendar.timezone):
                r1 = response.calendar.add_us(response.calendar.to_us(start), response.within)
                r2 = resolve.calendar.add_us(resolve.calendar.to_us(start), resolve.within)
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
    """Starts to compare deadlines from: a Monday morning and a Friday evening."""
    base = datetime(2026, 3, 2, 9, 30, tzinfo=tz)  # a Monday, official holiday data exists
    return [base, base + timedelta(days=4, hours=8)]


def _unused_owners(policy: Policy) -> Iterator[Finding]:
    """SP105: an owner no routing rule, cc, escalation or lead ever names."""
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
    """SP106: a calendar no SLA target counts working time on."""
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
    """SP107: official holiday data that ends within a year (later dates lack make-up days)."""
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


def _needles(node: Node) -> Iterator[tuple[Any, Path]]:
    """Every ``contains*`` needle of a condition, with the YAML path where it is written."""
    for tests in iter_field_tests(node):
        for test in tests.tests:
            argument = TABLE[test.op].argument
            if argument == "needle":
                yield test.arg, test.path
            elif argument == "needles":
                yield from ((needle, (*test.path, i)) for i, needle in enumerate(test.arg))


def _keywords(node: Node) -> Iterator[str]:
    """The text needles (keywords) of a condition, in the order they are written."""
    return (needle for needle, _ in _needles(node) if isinstance(needle, str))


def _duplicate_keywords(policy: Policy) -> Iterator[Finding]:
    """SP108: a keyword of a category that an earlier category already catches."""
    first_seen: dict[str, str] = {}
    for rule in policy.categories:
        for word in dict.fromkeys(_keywords(rule.condition.node)):
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
    """SP109: an escalation watching a metric no SLA gives a target (it can never fire)."""
    defined = _targeted(policy)
    for esc in policy.escalations:
        if esc.target not in defined:
            yield Finding(
                "SP109",
                "warning",
                f"escalation {esc.id!r} watches {esc.target!r}, which no SLA gives a target, "
                "so it never fires",
                ("escalation", esc.index),
            )


def _targeted(policy: Policy) -> set[str]:
    """The metrics some SLA gives a target, for some priority."""
    return {t.name for s in policy.slas for ts in s.targets.values() for t in ts}


def _number_keywords(policy: Policy) -> Iterator[Finding]:
    """SP110: a number needle (unquoted digits) finds nothing in text.

    A needle of a field declared ``{type: string}`` is already text (the compiler converts
    it), so only needles that stay numbers are reported.
    """
    for rule in _condition_rules(policy):
        for needle, path in _needles(rule.condition.node):
            if isinstance(needle, int | float) and not isinstance(needle, bool):
                yield Finding(
                    "SP110",
                    "warning",
                    f"keyword {needle!r} of {rule.id!r} is a number, so it never matches "
                    f"text; quote it: '{needle}' (it still matches list items equal to "
                    "the number)",
                    path,
                )


def _condition_rules(policy: Policy) -> Iterator[Rule]:
    """Every rule with a ``when`` (its tests carry their YAML paths)."""
    for _, rules in _stages(policy):
        for rule in rules:
            if not rule.condition.is_always:
                yield rule


_JOINERS = ("，", "、", "；")


def _joined_keywords(policy: Policy) -> Iterator[Finding]:
    """SP111: a needle with a full-width separator is one keyword, not several."""
    for rule in _condition_rules(policy):
        for needle, path in _needles(rule.condition.node):
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


def _equality_literals(node: Node) -> Iterator[tuple[str, Any, Path]]:
    """Every ``eq`` / ``ne`` literal (``{f: x}`` included), with its field and YAML path."""
    for tests in iter_field_tests(node):
        for test in tests.tests:
            if test.op in ("eq", "ne"):
                yield tests.name, test.arg, test.path


def _yes_no_text(policy: Policy) -> Iterator[Finding]:
    """SP112: yes/no/on/off as text never equals the JSON boolean a ticket likely holds."""
    for rule in _condition_rules(policy):
        for field, literal, path in _equality_literals(rule.condition.node):
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


# --------------------------------------------------------------------------- metrics

#: ticket-state events a closed ticket ignores (it stays closed)
_AFTER_CLOSED = frozenset({"resolved", "reopened", "closed"})
#: events after which the ticket is not open (an ``open_only`` start never counts there)
_NOT_OPEN = frozenset({"resolved", "closed"})
#: every value of each decision name a trigger's ``when`` may test
_Decided = dict[str, frozenset[str]]


def _own_metrics(policy: Policy) -> Iterator[Metric]:
    """The metrics the policy declares under ``metrics:`` (a redefined built-in included)."""
    return (m for m in policy.rules.metrics.values() if not m.builtin)


def _trigger_path(policy: Policy, metric: Metric, key: str, index: int) -> Path:
    """Where a start or stop trigger is written: ``metrics.<name>.<key>[.<index>]``."""
    written = ((policy.rules.source.get("metrics") or {}).get(metric.name) or {}).get(key)
    where: Path = ("metrics", metric.name, key)
    return (*where, index) if isinstance(written, list) else where


def _decided(policy: Policy) -> _Decided:
    """Every value ``category``, ``priority``, ``sla`` and ``owner`` can take."""
    priorities = {rule.id for rule in policy.priorities}
    if policy.matrix is not None:
        priorities |= {p for row in policy.matrix.values.values() for p in row.values()}
    return {
        "category": frozenset(rule.id for rule in policy.categories),
        "priority": frozenset(priorities),
        "sla": frozenset(sla.rule.id for sla in policy.slas),
        "owner": frozenset(rule.owner or "" for rule in policy.routing),
    }


def _truth(node: Node, values: dict[str, str]) -> bool | None:
    """Whether ``node`` holds when the decision is ``values``: None when other fields decide."""
    if isinstance(node, Always):
        return True
    if isinstance(node, FieldTests):
        if node.name not in values:
            return None
        # a decision value is always there: `exists: false` fails, the tests decide
        return node.exists is not False and all(t.check(values[node.name]) for t in node.tests)
    if isinstance(node, Not):
        inner = _truth(node.child, values)
        return None if inner is None else not inner
    parts = [_truth(child, values) for child in node.children]
    if isinstance(node, AllOf):
        return False if False in parts else (True if all(parts) else None)
    return True if True in parts else (False if all(p is False for p in parts) else None)


def _never_holds(trigger: Trigger, decided: _Decided) -> bool:
    """True when a trigger's ``when`` fails whatever the ticket, for every possible decision.

    Each combination of the decision values it tests is tried (the ids are all known); a
    test of any other field may hold, so only the decision tests can make it fail.
    """
    node = trigger.condition.node
    names = sorted({t.name for t in iter_field_tests(node) if decided.get(t.name)})
    total = 1
    for name in names:
        total *= len(decided[name])
    if total > _PROBE_LIMIT:
        return False
    combos = itertools.product(*(sorted(decided[name]) for name in names))
    return all(_truth(node, dict(zip(names, combo, strict=True))) is False for combo in combos)


def _dead_start(metric: Metric, trigger: Trigger, decided: _Decided) -> str:
    """Why a start can never begin a cycle ("" when it can)."""
    if metric.open_only and trigger.event in _NOT_OPEN:
        return f"open_only, and after {trigger.event!r} the ticket is not open"
    if _never_holds(trigger, decided):
        return f"the `when` of its start on {trigger.event!r} never holds"
    return ""


def _untargeted_metrics(policy: Policy) -> Iterator[Finding]:
    """SP113: a declared metric no SLA gives a target: its cycles are never reported."""
    targeted = _targeted(policy)
    for metric in _own_metrics(policy):
        if metric.name not in targeted:
            yield Finding(
                "SP113",
                "warning",
                f"metric {metric.name!r} has no target in any SLA, so it measures nothing; "
                f"give it one under slas[].targets (e.g. `P2: {{{metric.name}: 8h}}`)",
                ("metrics", metric.name),
            )


def _metrics_never_starting(policy: Policy) -> Iterator[Finding]:
    """SP114: a declared metric none of whose starts can ever begin a cycle."""
    decided = _decided(policy)
    for metric in _own_metrics(policy):
        reasons = [_dead_start(metric, trigger, decided) for trigger in metric.start]
        if metric.start and all(reasons):
            yield Finding(
                "SP114",
                "warning",
                f"metric {metric.name!r} can never start: {'; '.join(dict.fromkeys(reasons))}",
                ("metrics", metric.name, "start"),
            )


def _dead_stop(metric: Metric, trigger: Trigger, closed_only: bool, decided: _Decided) -> str:
    """Why a stop can never end a cycle of ``metric`` ("" when it can)."""
    if closed_only and trigger.event in _AFTER_CLOSED:
        return "it starts only on 'closed', and a closed ticket ignores resolved, reopened, closed"
    if _never_holds(trigger, decided):
        return f"the `when` of its stop on {trigger.event!r} never holds"
    return ""


def _dead_stops(policy: Policy) -> Iterator[Finding]:
    """SP115: a stop that can only come before its metric starts, or whose `when` never holds.

    When every stop is such, the metric's cycles can never be met (one finding at ``stop``);
    otherwise each such stop is reported where it is written.
    """
    decided = _decided(policy)
    for metric in _own_metrics(policy):
        starts = [t for t in metric.start if not _dead_start(metric, t, decided)]
        if not starts:
            continue  # SP114: it never starts
        closed_only = all(t.event == "closed" for t in starts)
        reasons = [_dead_stop(metric, t, closed_only, decided) for t in metric.stop]
        if metric.stop and all(reasons):
            yield Finding(
                "SP115",
                "warning",
                f"metric {metric.name!r} can never be met, no stop ends a cycle after it "
                f"starts: {'; '.join(dict.fromkeys(reasons))}",
                ("metrics", metric.name, "stop"),
            )
            continue
        for index, why in enumerate(reasons):
            if why:
                yield Finding(
                    "SP115",
                    "warning",
                    f"a stop of metric {metric.name!r} never ends a cycle: {why}",
                    _trigger_path(policy, metric, "stop", index),
                )
