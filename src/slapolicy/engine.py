"""The rule engine: a compiled :class:`Policy` turns a ticket into a :class:`Decision`.

Evaluation runs in a fixed order, each stage "first match wins":

    category -> priority (rules, then priority_matrix, then the default) -> SLA
    -> targets with due instants -> routing -> escalations

Later stages may test the earlier answers: in ``slas``, ``routing`` and ``escalation``
conditions, ``category``, ``priority``, ``sla`` and ``owner`` name the decision so far (they
shadow ticket fields of the same name). The trace that explains every step is built only
when :attr:`Decision.trace` is first read, so the common path stays fast.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple

from .calendar import Calendar
from .clock import SlaStatus, compute_status
from .conditions import Condition
from .durations import Duration
from .errors import CalendarError, TicketError
from .fields import MISSING, FieldType, coerce, lookup, set_path

__all__ = ["Decision", "Escalation", "Policy", "Target", "TraceStep"]

_MISSING = MISSING
_ONE_US = timedelta(microseconds=1)


# --------------------------------------------------------------------------- results


def _iso(value: datetime) -> str:
    return value.isoformat()


class Target(NamedTuple):
    """One SLA target of a decision: ``within`` working time on ``calendar`` from ``start``.

    Immutable (a named tuple: cheap to build on the hot path).
    """

    name: str
    within: str
    calendar: str
    start: datetime
    due: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (ISO-8601 datetimes)."""
        return {
            "name": self.name,
            "within": self.within,
            "calendar": self.calendar,
            "start": _iso(self.start),
            "due": _iso(self.due),
        }


class Escalation(NamedTuple):
    """A notification due at ``at``: who to tell and why. Immutable (a named tuple)."""

    at: datetime
    notify: tuple[str, ...]
    target: str
    reason: str
    rule: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (ISO-8601 datetimes)."""
        return {
            "at": _iso(self.at),
            "notify": list(self.notify),
            "target": self.target,
            "reason": self.reason,
            "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One rule tried: the stage, which rule, whether it matched and why."""

    stage: str
    rule: str
    matched: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "stage": self.stage,
            "rule": self.rule,
            "matched": self.matched,
            "detail": self.detail,
        }

    def __str__(self) -> str:
        mark = "matched" if self.matched else "no match"
        return f"{self.stage} {self.rule}: {mark}: {self.detail}"


@dataclass(frozen=True)
class Decision:
    """What a policy decided for one ticket. Frozen; ``to_dict()`` is JSON-ready.

    ``trace`` is computed on first access from a snapshot of the ticket taken at
    evaluation (a shallow copy: do not mutate nested values before reading it).
    """

    category: str
    priority: str
    sla: str
    owner: str
    cc: tuple[str, ...]
    targets: Mapping[str, Target]
    started_at: datetime
    escalations: tuple[Escalation, ...]
    policy_version: str
    category_label: str | None = None
    priority_label: str | None = None
    _explain: Callable[[], tuple[TraceStep, ...]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def response_due(self) -> datetime | None:
        """Due instant of the ``response`` target, if the SLA has one."""
        target = self.targets.get("response")
        return None if target is None else target.due

    @property
    def resolve_due(self) -> datetime | None:
        """Due instant of the ``resolve`` target, if the SLA has one."""
        target = self.targets.get("resolve")
        return None if target is None else target.due

    @property
    def trace(self) -> tuple[TraceStep, ...]:
        """Every rule tried, in order, with whether and why it matched."""
        cached = self.__dict__.get("_trace")
        if cached is None:
            cached = self._explain() if self._explain is not None else ()
            object.__setattr__(self, "_trace", cached)
        return cached

    def explain(self) -> str:
        """The trace as readable text, one line per rule tried."""
        return "\n".join(str(step) for step in self.trace)

    def to_dict(self, *, trace: bool = True) -> dict[str, Any]:
        """JSON-ready mapping with ISO-8601 datetimes (``trace=False`` leaves it out)."""
        out: dict[str, Any] = {
            "category": self.category,
            "category_label": self.category_label,
            "priority": self.priority,
            "priority_label": self.priority_label,
            "sla": self.sla,
            "owner": self.owner,
            "cc": list(self.cc),
            "started_at": _iso(self.started_at),
            "response_due": None if self.response_due is None else _iso(self.response_due),
            "resolve_due": None if self.resolve_due is None else _iso(self.resolve_due),
            "targets": {name: t.to_dict() for name, t in self.targets.items()},
            "escalations": [e.to_dict() for e in self.escalations],
            "policy_version": self.policy_version,
        }
        if trace:
            out["trace"] = [step.to_dict() for step in self.trace]
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        state = {
            name: getattr(self, name)
            for name in (
                "category",
                "priority",
                "sla",
                "owner",
                "cc",
                "started_at",
                "escalations",
                "policy_version",
                "category_label",
                "priority_label",
            )
        }
        state["targets"] = dict(self.targets)
        return (_rebuild_decision, (state, self.trace))


def _rebuild_decision(state: dict[str, Any], trace: tuple[TraceStep, ...]) -> Decision:
    state["targets"] = MappingProxyType(state["targets"])
    return Decision(**state, _explain=lambda: trace)


# --------------------------------------------------------------------------- compiled parts


@dataclass(frozen=True, slots=True)
class Rule:
    """A compiled first-match rule of one stage."""

    stage: str
    index: int
    id: str
    condition: Condition
    label: str | None = None
    owner: str | None = None
    cc: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """How the trace names this rule."""
        return f"[{self.index}] {self.id}"


@dataclass(frozen=True, slots=True)
class TargetRule:
    """A compiled target: working time on a calendar."""

    name: str
    within: Duration
    calendar_name: str
    calendar: Calendar
    #: ``str(within)``, precomputed for the hot path
    within_text: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "within_text", str(self.within))

    def total_us(self, start_us: int, due_us: int) -> int:
        """Working time of the target from ``start_us`` to its plain ``due_us``."""
        if not self.within.days:
            return self.within.time_us  # add() is exact: elapsed(s, add(s, d)) == d
        return self.calendar.elapsed_us(start_us, due_us)


@dataclass(frozen=True, slots=True)
class Sla:
    """A compiled SLA rule with its targets per priority."""

    rule: Rule
    targets: Mapping[str, tuple[TargetRule, ...]]


@dataclass(frozen=True, slots=True)
class Matrix:
    """The compiled impact x urgency lookup."""

    rows: str
    columns: str
    values: Mapping[str, Mapping[str, str]]
    #: ``(row value, column value) -> priority``, flattened once for the hot path
    cells: Mapping[tuple[str, str], str] = field(init=False)

    def __post_init__(self) -> None:
        cells = {(r, c): p for r, cols in self.values.items() for c, p in cols.items()}
        object.__setattr__(self, "cells", cells)

    def lookup(self, view: Mapping[str, Any]) -> tuple[str, tuple[str, str]] | None:
        """The priority the matrix gives ``view``, with the cell, or None."""
        row = lookup(view, self.rows)
        col = lookup(view, self.columns)
        hit = self.cells.get((row, col)) if isinstance(row, str) and isinstance(col, str) else None
        return None if hit is None else (hit, (row, col))


@dataclass(frozen=True, slots=True)
class EscalationRule:
    """A compiled escalation threshold."""

    index: int
    id: str
    condition: Condition
    target: str
    at: Fraction | None  # share of the target (1 = 100%)
    before: Duration | None
    notify: tuple[str, ...]
    #: ``75% of response`` or ``30m before resolve is due`` (precomputed: hot path)
    reason: str = field(init=False)
    #: True when ``notify`` names only owner ids (nothing to resolve per ticket)
    static_notify: bool = field(init=False)

    def __post_init__(self) -> None:
        if self.at is not None:
            pct = self.at * 100
            shown = str(int(pct)) if pct.denominator == 1 else f"{float(pct):g}"
            reason = f"{shown}% of {self.target}"
        else:
            reason = f"{self.before} before {self.target} is due"
        object.__setattr__(self, "reason", reason)
        dynamic = {"owner", "owner.lead"}
        object.__setattr__(self, "static_notify", not dynamic.intersection(self.notify))

    def describe(self) -> str:
        """``75% of response`` or ``30m before resolve is due``."""
        return self.reason


# --------------------------------------------------------------------------- the policy


class Policy:
    """A compiled policy. Immutable, thread-safe and picklable; build with ``load_policy``."""

    def __init__(
        self,
        *,
        name: str,
        timezone: tzinfo,
        calendars: Mapping[str, Calendar],
        fields: Mapping[str, FieldType],
        categories: Sequence[Rule],
        priorities: Sequence[Rule],
        matrix: Matrix | None,
        slas: Sequence[Sla],
        routing: Sequence[Rule],
        owners: Mapping[str, Any],
        escalations: Sequence[EscalationRule],
        start_field: str,
        pause_statuses: Sequence[str],
        on_reopen: str,
        examples: Sequence[Any],
        source: Mapping[str, Any],
        canonical: Mapping[str, Any],
        filename: str | None = None,
        document: Any = None,
    ) -> None:
        self.name = name
        self.timezone = timezone
        self.calendars: Mapping[str, Calendar] = MappingProxyType(dict(calendars))
        self.fields: Mapping[str, FieldType] = MappingProxyType(dict(fields))
        self.categories = tuple(categories)
        self.priorities = tuple(priorities)
        self.matrix = matrix
        self.slas = tuple(slas)
        self.routing = tuple(routing)
        self.owners: Mapping[str, Any] = MappingProxyType(dict(owners))
        self.escalations = tuple(escalations)
        self.start_field = start_field
        self.pause_statuses = frozenset(pause_statuses)
        self.on_reopen = on_reopen
        self.examples = tuple(examples)
        self.filename = filename
        #: the YAML it came from (a ``SourceDocument``, for locating lint findings), or None
        self.document = document
        self._source = source
        blob = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self.version: str = "sha256:" + hashlib.sha256(blob.encode()).hexdigest()[:16]
        # priorities without `when` before the default are levels only the matrix assigns
        self._priority_rules = tuple(
            r for r in self.priorities[:-1] if r.condition.spec is not None
        )
        # declared fields, prepared once: (path, dotted?, type, valid texts for text fields:
        # an empty set for any text, None when coerce() must always run)
        self._field_plan: tuple[tuple[str, bool, FieldType, frozenset[str] | None], ...]
        self._field_plan = tuple(
            (path, "." in path, ft, _text_shortcut(ft)) for path, ft in self.fields.items()
        )
        self._labels = {
            "category": {r.id: r.label for r in self.categories},
            "priority": {r.id: r.label for r in self.priorities},
        }

    def __repr__(self) -> str:
        return f"<Policy {self.name!r} {self.version}>"

    #: which engine selects rules ("native"; see slapolicy.backends)
    backend = "native"

    def __reduce__(self) -> tuple[Any, ...]:
        from .loading import load_policy

        return (load_policy, (dict(self._source), self.backend))

    # ------------------------------------------------------------------ evaluation

    def evaluate(self, ticket: Mapping[str, Any], *, at: datetime | str | None = None) -> Decision:
        """Decide category, priority, SLA, targets, owner and escalations for ``ticket``.

        ``at`` overrides the start of the clock; else the ticket's ``clock.start_field``;
        else now. Raises :class:`TicketError` for a ticket that cannot be evaluated.
        """
        if type(ticket) is not dict and not isinstance(ticket, Mapping):
            raise TicketError(f"a ticket must be a mapping, got {type(ticket).__name__}")
        view = self._coerce(ticket)
        category = self._select_category(view)
        context = dict(view)
        context["category"] = category.id
        priority, matrix_hit = self._priority(context)
        context["priority"] = priority
        sla = self._select_sla(context)
        context["sla"] = sla.rule.id
        route = self._select_route(context)
        owner = route.owner or ""
        context["owner"] = owner
        start_us = self._start_us(view, at)

        targets: dict[str, Target] = {}
        spans: dict[str, tuple[TargetRule, int, int]] = {}
        starts: dict[str, datetime] = {}
        for rule in sla.targets[priority]:
            cal = rule.calendar
            try:
                due_us = cal.add_us(start_us, rule.within)
            except CalendarError as exc:
                raise TicketError(f"cannot compute the {rule.name} deadline: {exc}") from None
            spans[rule.name] = (rule, start_us, due_us)
            start = starts.get(rule.calendar_name)
            if start is None:
                start = starts[rule.calendar_name] = cal.from_us(start_us)
            targets[rule.name] = Target(
                rule.name, rule.within_text, rule.calendar_name, start, cal.from_us(due_us)
            )
        escalations = self._escalations(context, spans, owner, targets)
        # the trace is built later: keep a copy of the ticket as it was (shallow)
        snapshot = (dict(view) if view is ticket else view, priority, matrix_hit, sla, owner)
        # built without the frozen dataclass __init__ (3x faster); same fields, same object
        decision = object.__new__(Decision)
        decision.__dict__.update(
            category=category.id,
            priority=priority,
            sla=sla.rule.id,
            owner=owner,
            cc=route.cc,
            targets=MappingProxyType(targets),
            started_at=_from_us(start_us, self.timezone),
            escalations=escalations,
            policy_version=self.version,
            category_label=category.label,
            priority_label=self._labels["priority"].get(priority),
            _explain=lambda: self._trace(snapshot, spans),
        )
        return decision

    def status(
        self,
        ticket: Mapping[str, Any],
        events: Iterable[Mapping[str, Any]],
        *,
        now: datetime | str,
    ) -> SlaStatus:
        """The SLA clock of ``ticket`` at ``now`` over its history ``events`` (oldest first).

        See :mod:`slapolicy.clock` and docs/clock.md for pauses, reopenings and
        re-prioritisation. Raises :class:`TicketError` for bad tickets or events.
        """
        return compute_status(self, ticket, events, now)

    def classify(self, ticket: Mapping[str, Any]) -> tuple[str, str]:
        """Only the category and priority of ``ticket`` (no deadlines): the cheap part."""
        if type(ticket) is not dict and not isinstance(ticket, Mapping):
            raise TicketError(f"a ticket must be a mapping, got {type(ticket).__name__}")
        view = self._coerce(ticket)
        category = self._select_category(view).id
        context = dict(view)
        context["category"] = category
        return category, self._priority(context)[0]

    # ------------------------------------------------------------------ stages

    def _coerce(self, ticket: Mapping[str, Any]) -> Mapping[str, Any]:
        """The ticket with declared fields converted (a copy only if something changed)."""
        out: dict[str, Any] | None = None
        for path, dotted, field_type, texts in self._field_plan:
            value = lookup(ticket, path) if dotted else ticket.get(path)
            if value is None or value is _MISSING:
                continue
            if texts is not None and type(value) is str and (not texts or value in texts):
                continue  # already valid text: what coerce() would return unchanged
            try:
                new = coerce(value, field_type, tz=self.timezone)
            except ValueError as exc:
                raise TicketError(f"ticket field {path!r}: {exc}") from None
            if new is not value:
                if out is None:
                    out = dict(ticket)
                set_path(out, path, new)
        return ticket if out is None else out

    # Stage selection: first match in file order. A backend (backends/durable.py) overrides
    # these four methods and nothing else, so every other step is shared.

    def _select_category(self, view: Mapping[str, Any]) -> Rule:
        return _first(self.categories, view)

    def _select_priority_rule(self, context: Mapping[str, Any]) -> Rule | None:
        for rule in self._priority_rules:
            if rule.condition.matches(context):
                return rule
        return None

    def _select_sla(self, context: Mapping[str, Any]) -> Sla:
        for sla in self.slas:
            if sla.rule.condition.matches(context):
                return sla
        return self.slas[-1]

    def _select_route(self, context: Mapping[str, Any]) -> Rule:
        return _first(self.routing, context)

    def _priority(self, view: Mapping[str, Any]) -> tuple[str, tuple[Any, Any] | None]:
        rule = self._select_priority_rule(view)
        if rule is not None:
            return rule.id, None
        matrix = self.matrix
        if matrix is not None:
            found = matrix.lookup(view)
            if found is not None:
                return found
        return self.priorities[-1].id, None

    def _start_us(self, view: Mapping[str, Any], at: datetime | str | None) -> int:
        cal = self._tz_calendar
        if at is not None:
            try:
                return cal.to_us(at)
            except CalendarError as exc:
                raise TicketError(f"invalid `at`: {exc}") from None
        value = lookup(view, self.start_field)
        if value is _MISSING:
            return cal.to_us(datetime.now(timezone.utc))
        try:
            return cal.to_us(value)
        except CalendarError as exc:
            raise TicketError(f"ticket field {self.start_field!r}: {exc}") from None

    @property
    def _tz_calendar(self) -> Calendar:
        """A calendar in the policy's zone, used to read instants (naive = policy zone)."""
        cal = self.__dict__.get("_tzcal")
        if cal is None:
            cal = Calendar.from_spec({"timezone": str(self.timezone), "hours": "always"})
            self.__dict__["_tzcal"] = cal
        return cal

    def _escalations(
        self,
        context: Mapping[str, Any],
        spans: Mapping[str, tuple[TargetRule, int, int]],
        owner: str,
        targets: Mapping[str, Target],
    ) -> tuple[Escalation, ...]:
        found: list[tuple[int, int, Escalation]] = []
        for esc in self.escalations:
            span = spans.get(esc.target)
            if span is None or (
                esc.condition is not _ALWAYS and not esc.condition.matches(context)
            ):
                continue
            rule, start_us, due_us = span
            cal = rule.calendar
            at_us = threshold_us(cal, start_us, due_us, esc, rule.total_us(start_us, due_us))
            notify = (
                esc.notify
                if esc.static_notify
                else tuple(self._resolve_notify(name, owner) for name in esc.notify)
            )
            # at 100% the instant is the due instant: reuse the datetime already built
            at = targets[esc.target].due if at_us == due_us else cal.from_us(at_us)
            found.append((at_us, esc.index, Escalation(at, notify, esc.target, esc.reason, esc.id)))
        found.sort()  # by instant, then rule order (indexes are unique: no tie reaches the 3rd)
        return tuple(item[2] for item in found)

    def _resolve_notify(self, name: str, owner: str) -> str:
        if name == "owner":
            return owner
        if name == "owner.lead":
            lead = getattr(self.owners.get(owner), "lead", None)
            return lead or owner
        return name

    # ------------------------------------------------------------------ trace

    def _trace(
        self,
        snapshot: tuple[Mapping[str, Any], str, tuple[Any, Any] | None, Sla, str],
        spans: Mapping[str, tuple[TargetRule, int, int]],
    ) -> tuple[TraceStep, ...]:
        view, priority, matrix_hit, sla, owner = snapshot
        steps: list[TraceStep] = []
        category = _explain_first(self.categories, view, steps)
        context = dict(view)
        context["category"] = category.id
        for rule in self._priority_rules:
            check = rule.condition.explain(context)
            steps.append(TraceStep("priority", rule.name, check.matched, check.describe()))
            if check.matched:
                break
        else:
            if self.matrix is not None:
                m = self.matrix
                if matrix_hit is not None:
                    detail = (
                        f"{m.rows}={matrix_hit[0]!r}, {m.columns}={matrix_hit[1]!r} -> {priority}"
                    )
                else:
                    detail = (
                        f"no cell for {m.rows}={_shown(lookup(view, m.rows))}, "
                        f"{m.columns}={_shown(lookup(view, m.columns))}"
                    )
                steps.append(
                    TraceStep("priority", "priority_matrix", matrix_hit is not None, detail)
                )
            if matrix_hit is None:
                default = self.priorities[-1]
                steps.append(TraceStep("priority", default.name, True, "default"))
        context["priority"] = priority
        _explain_first([s.rule for s in self.slas], context, steps)
        context["sla"] = sla.rule.id
        for name, (target, start_us, due_us) in spans.items():
            cal = target.calendar
            steps.append(
                TraceStep(
                    "target",
                    name,
                    True,
                    f"{target.within} on calendar {target.calendar_name!r} from "
                    f"{_iso(cal.from_us(start_us))} -> due {_iso(cal.from_us(due_us))}",
                )
            )
        _explain_first(self.routing, context, steps)
        context["owner"] = owner
        for esc in self.escalations:
            name = f"[{esc.index}] {esc.id}"
            if esc.target not in spans:
                steps.append(
                    TraceStep(
                        "escalation",
                        name,
                        False,
                        f"the SLA has no {esc.target} target for {priority}",
                    )
                )
                continue
            check = esc.condition.explain(context)
            detail = esc.describe() if check.matched else check.describe()
            steps.append(TraceStep("escalation", name, check.matched, detail))
        return tuple(steps)


def threshold_us(
    cal: Calendar, start_us: int, due_us: int, esc: EscalationRule, total: int | None = None
) -> int:
    """The instant an escalation threshold is reached for a target from start to due.

    ``total`` is the target's working time (computed from start and due when not given).
    """
    if total is None:
        total = cal.elapsed_us(start_us, due_us)
    at = esc.at
    if at is not None:
        if at == 1:
            return due_us
        if at > 1:  # past the due instant: more working time after it
            return cal.push_us(due_us, total * (at.numerator - at.denominator) // at.denominator)
        amount = total * at.numerator // at.denominator
    else:
        assert esc.before is not None  # the loader guarantees `at` or `before`, in clock time
        before = esc.before.time_us
        if before == 0:
            return due_us
        amount = max(total - before, 0)
    if amount == 0:
        return cal.next_working_us(start_us)
    return cal.push_us(start_us, amount)


def _text_shortcut(field_type: FieldType) -> frozenset[str] | None:
    """Text values that coerce() would return unchanged (empty: any text), if knowable."""
    if field_type.kind != "string":
        return None
    if field_type.enum is None:
        return frozenset()
    if field_type.enum and all(type(v) is str for v in field_type.enum):
        return frozenset(field_type.enum)
    return None


_ALWAYS = Condition.always()


def _first(rules: Sequence[Rule], view: Mapping[str, Any]) -> Rule:
    for rule in rules:
        if rule.condition.matches(view):
            return rule
    return rules[-1]


def _explain_first(rules: Sequence[Rule], view: Mapping[str, Any], steps: list[TraceStep]) -> Rule:
    for rule in rules:
        check = rule.condition.explain(view)
        detail = check.describe() if rule.condition.spec is not None else "default"
        steps.append(TraceStep(rule.stage, rule.name, check.matched, detail))
        if check.matched:
            return rule
    return rules[-1]


def _shown(value: Any) -> str:
    return "(missing)" if value is _MISSING else repr(value)


def _from_us(us: int, tz: tzinfo) -> datetime:
    seconds, micro = divmod(us, 1_000_000)
    return datetime.fromtimestamp(seconds, tz).replace(microsecond=micro)
