"""Lint: findings about a policy that loads but is probably not what its editor meant.

Each check is a small generator of :class:`Finding` values with a stable code (the table is
:data:`.findings.TABLE`; docs/lint.md says what each means and how to fix or accept it); the
CLI prints them as ``file:line:col: CODE message [name]``. This module runs every check and
applies what a team has accepted: a policy's ``lint: {ignore: [...]}`` and the caller's
``ignore`` / ``select``. It holds the checks of rules and conditions; calendars are in
:mod:`.calendar_checks`, the policy's own metrics in :mod:`.metric_checks`.

Every check on conditions walks their compiled tree (:mod:`slapolicy._conditions`), never
the raw data: literals of declared fields are already converted and every test knows its
YAML path.

Shadowing is detected for the cases that can be decided from the tree: an earlier rule
whose tests are all among the later rule's (``{type: outage}`` before ``{type: outage,
impact: core}``, or an identical condition), a membership test that includes the later
rule's values, ``exists: true`` before any test of that field, and an ``any:`` one of whose
alternatives the later rule implies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .._calendar import InstantReader
from .._compile import Rule
from .._conditions import (
    TABLE,
    AllOf,
    AnyOf,
    FieldTests,
    Node,
    Not,
    Path,
    Test,
    arguments,
    item_conditions,
    iter_field_tests,
    value_key,
)
from .._engine import STAGE_BOUND
from .._errors import CalendarError
from .._fields import path_keys
from .._policy import Policy
from .calendar_checks import CALENDAR_CHECKS
from .findings import CODES, SEVERITY, Finding, closest_code, locate, targeted
from .metric_checks import METRIC_CHECKS

__all__ = [
    "CODES",
    "SEVERITY",
    "Finding",
    "LintReport",
    "check_codes",
    "iter_findings",
    "lint",
    "run_lint",
]

_SINGULAR = {
    "categories": "category",
    "priorities": "priority",
    "slas": "SLA",
    "routing": "routing rule",
}


@dataclass(frozen=True, slots=True)
class LintReport:
    """The findings to report and those a team has accepted (ignored or not selected)."""

    findings: tuple[Finding, ...]
    ignored: tuple[Finding, ...] = ()

    @property
    def failed(self) -> bool:
        """True when a reported finding is a warning (info findings alone pass)."""
        return any(f.severity != "info" for f in self.findings)


def check_codes(codes: Iterable[str], *, option: str = "ignore") -> frozenset[str]:
    """The lint codes of ``codes`` (case ignored); ValueError naming any that does not exist."""
    known = set()
    for raw in codes:
        code = raw.strip().upper()
        if code not in CODES:
            raise ValueError(
                f"unknown lint code {raw.strip()!r} in {option}{closest_code(code)}; codes are "
                f"{min(CODES)}-{max(CODES)} (docs/lint.md)"
            )
        known.add(code)
    return frozenset(known)


def lint(
    policy: Policy,
    *,
    today: date | None = None,
    ignore: Iterable[str] = (),
    select: Iterable[str] | None = None,
) -> list[Finding]:
    """The findings for ``policy`` a team has not accepted, in file order.

    A finding is left out when its code is in the policy's ``lint: {ignore: [...]}`` or in
    ``ignore``, or when ``select`` is given and does not name it. ``today`` (the date SP107
    counts from) defaults to the current date.
    """
    return list(run_lint(policy, today=today, ignore=ignore, select=select).findings)


def run_lint(
    policy: Policy,
    *,
    today: date | None = None,
    ignore: Iterable[str] = (),
    select: Iterable[str] | None = None,
) -> LintReport:
    """:func:`lint`, with the findings it left out.

    Raises ValueError for an unknown code in ``ignore`` or ``select``, and CalendarError for
    a ``today`` outside the dates calendars support.
    """
    left_out = check_codes(ignore, option="ignore") | policy.rules.lint_ignore
    chosen = None if select is None else check_codes(select, option="select")
    shown: list[Finding] = []
    ignored: list[Finding] = []
    for finding in sorted(
        iter_findings(policy, today=today), key=lambda f: (f.line or 0, f.column or 0, f.code)
    ):
        accepted = finding.code in left_out or (chosen is not None and finding.code not in chosen)
        (ignored if accepted else shown).append(finding)
    return LintReport(tuple(shown), tuple(ignored))


def iter_findings(policy: Policy, *, today: date | None = None) -> Iterator[Finding]:
    """Every finding, none left out, lazily (located when the policy came from YAML)."""
    today = _checked_today(policy, today or date.today())
    checks = (
        _shadowed_rules,
        _unreachable_rules,
        _unassigned_priorities,
        _response_after_resolve,
        _unused_owners,
        _duplicate_keywords,
        _unknown_escalation_targets,
        _number_keywords,
        _joined_keywords,
        _yes_no_text,
        *METRIC_CHECKS,
        _unknown_lint_codes,
        _stage_names_shadowing_fields,
    )
    for check in checks:
        for finding in check(policy):
            yield locate(policy, finding)
    for dated in CALENDAR_CHECKS:
        for finding in dated(policy, today):
            yield locate(policy, finding)


def _checked_today(policy: Policy, today: date) -> date:
    """``today`` itself, or CalendarError when calendars cannot count from it."""
    reader = InstantReader(policy.timezone)
    try:
        reader.to_us(datetime(today.year, today.month, today.day))
    except CalendarError:
        first = reader.from_us(reader.min_us).date()
        last = reader.from_us(reader.max_us - 1).date()
        raise CalendarError(
            f"{today} is outside the dates calendars count working time on ({first} to {last})"
        ) from None
    return today


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
    if argument in ("pattern", "condition"):  # (an element condition is its own key)
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
    if next(item_conditions(rule.condition.node), None) is not None:
        return False  # the probes hold no lists of objects: they cannot judge `any_item`
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
    """Set a field of a probe ticket (a path of keys)."""
    parts = path_keys(path)
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
    defined = targeted(policy)
    for esc in policy.escalations:
        if esc.target not in defined:
            yield Finding(
                "SP109",
                "warning",
                f"escalation {esc.id!r} watches {esc.target!r}, which no SLA gives a target, "
                "so it never fires",
                ("escalation", esc.index),
            )


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


# --------------------------------------------------------------------------- policy-wide


def _unknown_lint_codes(policy: Policy) -> Iterator[Finding]:
    """SP116: a code in the policy's ``lint: {ignore: [...]}`` that no finding has."""
    written = (policy.rules.source.get("lint") or {}).get("ignore")
    listed = written if isinstance(written, list) else sorted(policy.rules.lint_ignore)
    for index, code in enumerate(listed):
        if code not in CODES:
            where: Path = ("lint", "ignore", index) if isinstance(written, list) else ("lint",)
            yield Finding(
                "SP116",
                "warning",
                f"lint.ignore names {code!r}, which is no lint code{closest_code(str(code))}, "
                f"so it accepts nothing; codes are {min(CODES)}-{max(CODES)} (docs/lint.md)",
                where,
            )


#: the YAML section of each stage, for messages
_SECTIONS = {
    "category": "categories",
    "priority": "priorities",
    "sla": "slas",
    "route": "routing",
    "escalation": "escalation and metric triggers",
}


def _shadowed_names() -> dict[str, list[str]]:
    """Each decided name (``priority``, ...) -> the sections whose conditions it shadows."""
    out: dict[str, list[str]] = {}
    for stage, bound in STAGE_BOUND.items():
        for name in bound:
            out.setdefault(name, []).append(_SECTIONS[stage])
    return out


def _stage_names_shadowing_fields(policy: Policy) -> Iterator[Finding]:
    """SP117: a ticket field named like a decided value, which later conditions never see.

    Reported once per name: where ``fields:`` declares it, else at the first example whose
    ticket carries it.
    """
    shadowed = _shadowed_names()
    declared = [name for name in policy.fields if name in shadowed]
    carried: dict[str, list[int]] = {}
    for index, example in enumerate(policy.examples):
        for name in example.ticket:
            if name in shadowed and name not in declared:
                carried.setdefault(name, []).append(index)
    for name in [*declared, *carried]:
        sections = shadowed[name]
        meaning = (
            f"in the conditions of {', '.join(sections[:-1])}"
            + (" and " if len(sections) > 1 else "")
            + f"{sections[-1]}, `{name}` means the decided {name}, so the ticket's own "
            f"{name!r} is never seen there; rename it in the tickets (e.g. `ticket_{name}`)"
        )
        if name in declared:
            yield Finding(
                "SP117",
                "warning",
                f"field {name!r} is declared in `fields:`, but {meaning}",
                ("fields", name),
            )
            continue
        first, *others = carried[name]
        also = f" (and {len(others)} more example(s))" if others else ""
        yield Finding(
            "SP117",
            "warning",
            f"the ticket of example {policy.examples[first].name!r} has a field {name!r}{also}, "
            f"but {meaning}",
            ("examples", first, "ticket", name),
        )
