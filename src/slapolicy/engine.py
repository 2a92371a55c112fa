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
from .selection import first_match, predicate

__all__ = ["Decision", "Escalation", "Policy", "Selection", "Target", "TraceStep"]

_MISSING = MISSING


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

#: threshold forms of an escalation (see EscalationRule.form)
AT_DUE, SHARE, PAST_DUE, BEFORE = range(4)
#: where an escalation lies on a target (see threshold_step)
DUE, FROM_START, AFTER_DUE = range(3)


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
    #: the working time of every deadline of this target, when it does not count days
    fixed_us: int | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "within_text", str(self.within))
        # add() is exact: elapsed(s, add(s, d)) == d for clock time; days vary by start
        object.__setattr__(self, "fixed_us", None if self.within.days else self.within.time_us)


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

    def lookup(self, view: Mapping[str, Any], category: str) -> tuple[str, tuple[str, str]] | None:
        """The priority the matrix gives the ticket ``view`` in ``category``, with the cell."""
        row = _read(view, self.rows, category)
        col = _read(view, self.columns, category)
        hit = self.cells.get((row, col)) if isinstance(row, str) and isinstance(col, str) else None
        return None if hit is None else (hit, (row, col))


def _read(view: Mapping[str, Any], path: str, category: str) -> Any:
    """A field for the priority stage, where ``category`` names the decided category."""
    if path == "category":
        return category
    if path.startswith("category."):
        return MISSING  # the category is text: nothing lies inside it
    return lookup(view, path)


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
    #: the threshold as integers, for :func:`threshold_us`: ``(AT_DUE, 0, 1)``,
    #: ``(SHARE, numerator, denominator)``, ``(PAST_DUE, numerator - denominator,
    #: denominator)`` or ``(BEFORE, microseconds, 1)``
    form: tuple[int, int, int] = field(init=False)

    def __post_init__(self) -> None:
        if self.at is not None:
            pct = self.at * 100
            shown = str(int(pct)) if pct.denominator == 1 else f"{float(pct):g}"
            reason = f"{shown}% of {self.target}"
            num, den = self.at.numerator, self.at.denominator
            if num == den:
                form = (AT_DUE, 0, 1)
            elif num > den:
                form = (PAST_DUE, num - den, den)
            else:
                form = (SHARE, num, den)
        else:
            assert self.before is not None  # the loader guarantees `at` or `before`
            reason = f"{self.before} before {self.target} is due"
            before = self.before.time_us  # clock time only (the loader rejects days)
            form = (AT_DUE, 0, 1) if before == 0 else (BEFORE, before, 1)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "form", form)
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
        # _coerce works in two passes: the declared top-level text fields first, in one
        # quick loop (valid text or missing: nothing to convert), then the other fields,
        # which always go through coerce()
        self._quick_fields = tuple(
            (path, texts)
            for path, dotted, _, texts in self._field_plan
            if texts is not None and not dotted
        )
        self._slow_fields = tuple(
            (path, dotted, ft, texts)
            for path, dotted, ft, texts in self._field_plan
            if texts is None or dotted
        )
        self._priority_labels = {r.id: r.label for r in self.priorities}
        #: a calendar in the policy's zone, used to read instants (naive = policy zone)
        self._tz_calendar = Calendar.from_spec({"timezone": str(self.timezone), "hours": "always"})
        self._selection = native_selection(self)
        # per (SLA index, priority): the deadlines and escalations of its targets
        self._schedules = self._plan_schedules()

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
        pick = self._selection
        category = self.categories[pick.category(view)]
        category_id = category.id
        priority = pick.priority(view, category_id)
        sla_index = pick.sla(view, category_id, priority)
        sla = self.slas[sla_index]
        sla_id = sla.rule.id
        route = self.routing[pick.route(view, category_id, priority, sla_id)]
        owner = route.owner or ""
        start_us = self._start_us(view, at)
        tz = self.timezone

        schedule = self._schedules[sla_index, priority]
        try:
            instants = [cal.deadlines_us(start_us, wanted) for cal, wanted in schedule.groups]
        except CalendarError:
            raise self._deadline_error(schedule, start_us) from None
        targets: dict[str, Target] = {}
        spans: dict[str, tuple[TargetRule, int, int]] = {}
        started_at = None
        for rule, group, position in schedule.targets:
            cal = rule.calendar
            due_us = instants[group][position]
            spans[rule.name] = (rule, start_us, due_us)
            if started_at is None or started_at.tzinfo is not cal.timezone:
                started_at = cal.from_us(start_us)
            targets[rule.name] = _new(
                Target,
                (rule.name, rule.within_text, rule.calendar_name, started_at, cal.from_us(due_us)),
            )
        if started_at is None or started_at.tzinfo is not tz:
            started_at = _from_us(start_us, tz)
        escalations = (
            self._escalations(
                schedule, instants, view, category_id, priority, sla_id, owner, spans, targets
            )
            if schedule.escalations
            else ()
        )
        # the trace is built later: keep a copy of the ticket as it was (shallow)
        snapshot = (dict(view) if view is ticket else view, priority, sla, owner)
        # built without the frozen dataclass __init__ (3x faster); same fields, same object
        decision = object.__new__(Decision)
        decision.__dict__.update(
            category=category_id,
            priority=priority,
            sla=sla_id,
            owner=owner,
            cc=route.cc,
            targets=MappingProxyType(targets),
            started_at=started_at,
            escalations=escalations,
            policy_version=self.version,
            category_label=category.label,
            priority_label=self._priority_labels.get(priority),
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
        pick = self._selection
        category = self.categories[pick.category(view)].id
        return category, pick.priority(view, category)

    # ------------------------------------------------------------------ stages

    def _coerce(self, ticket: Mapping[str, Any]) -> Mapping[str, Any]:
        """The ticket with declared fields converted (a copy only if something changed)."""
        for path, texts in self._quick_fields:  # the common case: valid text or missing
            value = ticket.get(path)
            if value is not None and (type(value) is not str or (texts and value not in texts)):
                return self._convert(ticket, self._field_plan)
        return self._convert(ticket, self._slow_fields) if self._slow_fields else ticket

    def _convert(
        self,
        ticket: Mapping[str, Any],
        plan: tuple[tuple[str, bool, FieldType, frozenset[str] | None], ...],
    ) -> Mapping[str, Any]:
        """Convert the declared fields of ``plan`` (a copy of the ticket if anything changes)."""
        out: dict[str, Any] | None = None
        for path, dotted, field_type, texts in plan:
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

    def _priority_fallback(self, view: Mapping[str, Any], category: str) -> str:
        """The priority when no priority rule matched: the matrix's cell, else the default."""
        matrix = self.matrix
        if matrix is not None:
            found = matrix.lookup(view, category)
            if found is not None:
                return found[0]
        return self.priorities[-1].id

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

    def _plan_schedules(self) -> dict[tuple[int, str], _Schedule]:
        """The :class:`_Schedule` of every (SLA index, priority) pair."""
        owners = {rule.owner or "" for rule in self.routing}
        compiled: list[tuple[EscalationRule, Callable[..., bool] | None, dict[str, Any]]] = []
        for esc in self.escalations:
            when = None if esc.condition is _ALWAYS else self._selection.escalation(esc)
            notify = {
                owner: esc.notify
                if esc.static_notify
                else tuple(self._resolve_notify(name, owner) for name in esc.notify)
                for owner in owners
            }
            compiled.append((esc, when, notify))
        return {
            (index, priority): _schedule(rules, compiled)
            for index, sla in enumerate(self.slas)
            for priority, rules in sla.targets.items()
        }

    def _deadline_error(self, schedule: _Schedule, start_us: int) -> TicketError:
        """The error of a deadline beyond the calendar, naming the target it belongs to."""
        for rule, _, _ in schedule.targets:
            try:
                rule.calendar.add_us(start_us, rule.within)
            except CalendarError as exc:
                return TicketError(f"cannot compute the {rule.name} deadline: {exc}")
        # an escalation before a due instant cannot fail where its target does not
        raise AssertionError("a schedule failed where none of its targets does")

    def _escalations(
        self,
        schedule: _Schedule,
        instants: Sequence[Sequence[int]],
        view: Mapping[str, Any],
        category: str,
        priority: str,
        sla: str,
        owner: str,
        spans: Mapping[str, tuple[TargetRule, int, int]],
        targets: Mapping[str, Target],
    ) -> tuple[Escalation, ...]:
        found: list[tuple[int, int, Escalation]] = []
        totals: dict[str, int] = {}
        for esc, rule, when, notify_for, slot in schedule.escalations:
            if when is not None and not when(view, category, priority, sla, owner):
                continue
            _, start_us, due_us = spans[esc.target]
            cal = rule.calendar
            if slot is not None:  # a fixed working time after the start, or the due instant
                at_us = instants[slot[0]][slot[1]]
            else:  # on a target counting days: its working time varies by start
                total = totals.get(esc.target)
                if total is None:
                    total = totals[esc.target] = cal.elapsed_us(start_us, due_us)
                where, amount = threshold_step(esc, total)
                try:
                    at_us = _step_us(cal, start_us, due_us, where, amount)
                except CalendarError as exc:
                    raise TicketError(f"cannot compute the {esc.id} escalation: {exc}") from None
            notify = notify_for.get(owner)
            if notify is None:  # an owner routing does not name (a backend's answer)
                notify = tuple(self._resolve_notify(name, owner) for name in esc.notify)
            # reuse the datetimes already built for the due instant and the start
            target = targets[esc.target]
            if at_us == due_us:
                at = target.due
            elif at_us == start_us:
                at = target.start
            else:
                at = cal.from_us(at_us)
            found.append(
                (at_us, esc.index, _new(Escalation, (at, notify, esc.target, esc.reason, esc.id)))
            )
        found.sort()  # by instant, then rule order (indexes are unique: no tie reaches the 3rd)
        return tuple([item[2] for item in found])

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
        snapshot: tuple[Mapping[str, Any], str, Sla, str],
        spans: Mapping[str, tuple[TargetRule, int, int]],
    ) -> tuple[TraceStep, ...]:
        view, priority, sla, owner = snapshot
        steps: list[TraceStep] = []
        category = _explain_first(self.categories, view, steps)
        context = dict(view)
        context["category"] = category.id
        matrix_hit = None
        for rule in self._priority_rules:
            check = rule.condition.explain(context)
            steps.append(TraceStep("priority", rule.name, check.matched, check.describe()))
            if check.matched:
                break
        else:
            if self.matrix is not None:
                m = self.matrix
                found = m.lookup(view, category.id)
                matrix_hit = None if found is None else found[1]
                if matrix_hit is not None:
                    detail = (
                        f"{m.rows}={matrix_hit[0]!r}, {m.columns}={matrix_hit[1]!r} -> {priority}"
                    )
                else:
                    detail = (
                        f"no cell for {m.rows}={_shown(_read(view, m.rows, category.id))}, "
                        f"{m.columns}={_shown(_read(view, m.columns, category.id))}"
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


class _Planned(NamedTuple):
    """An escalation prepared for one SLA target (see :func:`_schedule`)."""

    esc: EscalationRule
    target: TargetRule
    #: ``when(ticket, category, priority, sla, owner) -> bool``; None for no condition
    when: Callable[..., bool] | None
    #: owner id -> whom to notify
    notify: Mapping[str, tuple[str, ...]]
    #: where the instant is in the schedule's answers (group, position), when the same
    #: working time from the start (or the due instant) for every ticket; else None
    slot: tuple[int, int] | None


class _Schedule(NamedTuple):
    """The deadlines one (SLA, priority) pair computes for every ticket, prepared once.

    They all count from the ticket's start. ``groups`` asks each calendar for its durations
    in one :meth:`Calendar.deadlines_us` call; the targets, and the escalations that lie a
    fixed working time after the start or at a due instant, read their instants from the
    answers by position. Other escalations (after the due instant, or on targets counting
    days) are computed per ticket.
    """

    #: per calendar: the calendar and the durations asked of it, from the start
    groups: tuple[tuple[Calendar, tuple[Duration, ...]], ...]
    #: per target: the rule and where its due instant is in the answers (group, position)
    targets: tuple[tuple[TargetRule, int, int], ...]
    escalations: tuple[_Planned, ...]


def _schedule(
    rules: Sequence[TargetRule],
    escalations: Sequence[tuple[EscalationRule, Callable[..., bool] | None, dict[str, Any]]],
) -> _Schedule:
    """Prepare the deadlines of one SLA's targets for one priority."""
    groups: dict[str, tuple[Calendar, list[Duration]]] = {}

    def slot(rule: TargetRule, duration: Duration) -> tuple[int, int]:
        """Where ``duration`` from the start on the rule's calendar will be answered."""
        _, wanted = groups.setdefault(rule.calendar_name, (rule.calendar, []))
        if duration not in wanted:
            wanted.append(duration)
        return list(groups).index(rule.calendar_name), wanted.index(duration)

    targets = tuple((rule, *slot(rule, rule.within)) for rule in rules)
    by_name = {rule.name: (rule, group, position) for rule, group, position in targets}
    planned: list[_Planned] = []
    for esc, when, notify in escalations:
        found = by_name.get(esc.target)
        if found is None:
            continue  # the SLA has no such target for this priority
        rule, group, position = found
        step = _fixed_step(esc, rule)
        where: tuple[int, int] | None = None
        if step is not None and step[0] == DUE:
            where = (group, position)
        elif step is not None and step[0] == FROM_START:
            where = slot(rule, Duration(0, timedelta(microseconds=step[1])))
        planned.append(_Planned(esc, rule, when, notify, where))
    return _Schedule(
        tuple((cal, tuple(wanted)) for cal, wanted in groups.values()),
        targets,
        tuple(planned),
    )


class Selection(NamedTuple):
    """How a policy picks the rule of each stage: the one thing a backend replaces.

    Each function takes the (converted) ticket, then the decision so far, which shadows
    ticket fields of the same name: ``category``, ``priority``, ``sla``, ``owner``.
    """

    #: ``category(ticket) -> index`` into ``Policy.categories``
    category: Callable[[Mapping[str, Any]], int]
    #: ``priority(ticket, category) -> priority id``: rules, then the matrix, then the default
    priority: Callable[[Mapping[str, Any], str], str]
    #: ``sla(ticket, category, priority) -> index`` into ``Policy.slas``
    sla: Callable[[Mapping[str, Any], str, str], int]
    #: ``route(ticket, category, priority, sla) -> index`` into ``Policy.routing``
    route: Callable[[Mapping[str, Any], str, str, str], int]
    #: ``escalation(rule) -> when(ticket, category, priority, sla, owner) -> bool``
    escalation: Callable[[EscalationRule], Callable[..., bool]]


_STAGE_BOUND = {
    "category": (),
    "priority": ("category",),
    "sla": ("category", "priority"),
    "route": ("category", "priority", "sla"),
    "escalation": ("category", "priority", "sla", "owner"),
}


def native_selection(policy: Policy) -> Selection:
    """The native engine's selection: every stage compiled to one Python function."""
    category = first_match(
        [r.condition for r in policy.categories],
        default=len(policy.categories) - 1,
        name="select_category",
    ).function
    rules = policy._priority_rules
    priority_rule = first_match(
        [r.condition for r in rules],
        default=-1,
        bound=_STAGE_BOUND["priority"],
        name="select_priority",
    ).function
    rule_ids = tuple(r.id for r in rules)
    fallback = policy._priority_fallback

    def priority(view: Mapping[str, Any], category: str) -> str:
        index = priority_rule(view, category)
        return rule_ids[index] if index >= 0 else fallback(view, category)

    sla = first_match(
        [s.rule.condition for s in policy.slas],
        default=len(policy.slas) - 1,
        bound=_STAGE_BOUND["sla"],
        name="select_sla",
    ).function
    route = first_match(
        [r.condition for r in policy.routing],
        default=len(policy.routing) - 1,
        bound=_STAGE_BOUND["route"],
        name="select_route",
    ).function

    def escalation(esc: EscalationRule) -> Callable[..., bool]:
        return predicate(
            esc.condition, bound=_STAGE_BOUND["escalation"], name="escalation_applies"
        ).function

    return Selection(category, priority, sla, route, escalation)


def threshold_us(
    cal: Calendar, start_us: int, due_us: int, esc: EscalationRule, total: int | None = None
) -> int:
    """The instant an escalation threshold is reached for a target from start to due.

    ``total`` is the target's working time (computed from start and due when not given).
    """
    if total is None:
        total = cal.elapsed_us(start_us, due_us)
    where, amount = threshold_step(esc, total)
    return _step_us(cal, start_us, due_us, where, amount)


def threshold_step(esc: EscalationRule, total: int) -> tuple[int, int]:
    """Where an escalation lies for a target of ``total`` working time: ``(where, amount)``.

    ``(DUE, 0)`` is the due instant, ``(FROM_START, d)`` working time ``d`` after the start
    (``d == 0``: the first working instant), ``(AFTER_DUE, d)`` working time ``d`` after the
    due instant.
    """
    kind, a, b = esc.form
    if kind == AT_DUE:
        return (DUE, 0)
    if kind == PAST_DUE:
        return (AFTER_DUE, total * a // b)
    return (FROM_START, total * a // b if kind == SHARE else max(total - a, 0))


def _step_us(cal: Calendar, start_us: int, due_us: int, where: int, amount: int) -> int:
    """The instant of a :func:`threshold_step` for a target from start to due."""
    if where == DUE:
        return due_us
    if where == AFTER_DUE:
        return cal.push_us(due_us, amount)
    return cal.push_us(start_us, amount) if amount else cal.next_working_us(start_us)


def _fixed_step(esc: EscalationRule, rule: TargetRule) -> tuple[int, int] | None:
    """The threshold step of ``esc`` on ``rule``, if the same for every start."""
    if esc.form[0] == AT_DUE:
        return (DUE, 0)
    return None if rule.fixed_us is None else threshold_step(esc, rule.fixed_us)


#: builds a named tuple without its Python-level ``__new__`` (the hot path's results)
_new = tuple.__new__


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
    instant = datetime.fromtimestamp(seconds, tz)
    return instant.replace(microsecond=micro) if micro else instant
