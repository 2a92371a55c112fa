"""The compiled policy: every section checked, converted and cross-referenced, as values.

:class:`Rules` is what the compiler (:mod:`.compiler`) produces from the YAML and what
everything downstream reads: the engine selects rules and computes deadlines from it, the
clock follows its clock settings, a backend turns its conditions into its own rules, and the
tooling (lint, examples) inspects it. All of it is immutable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from fractions import Fraction
from typing import Any

from .._calendar import Calendar, DataSource
from .._conditions import Condition
from .._durations import Duration, Until
from .._fields import MISSING, FieldType, lookup, path_keys
from .._source import SourceDocument
from .._source.schema import ExampleSpec, OwnerSpec

__all__ = [
    "AT_DUE",
    "BEFORE",
    "PAST_DUE",
    "SHARE",
    "ClockRules",
    "EscalationRule",
    "Matrix",
    "Metric",
    "Rule",
    "Rules",
    "Sla",
    "TargetRule",
    "Trigger",
]

#: threshold forms of an escalation (see :attr:`EscalationRule.form`)
AT_DUE, SHARE, PAST_DUE, BEFORE = range(4)


@dataclass(frozen=True, slots=True)
class Rule:
    """A compiled first-match rule of one stage (category, priority, sla or routing)."""

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
    """A compiled target of a metric: working time (or a wall-clock time) on a calendar."""

    name: str
    within: Duration | Until
    calendar_name: str
    calendar: Calendar
    #: ``str(within)``, precomputed for the hot path
    within_text: str = field(init=False)
    #: the working time of every deadline of this target, when it does not count days
    fixed_us: int | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "within_text", str(self.within))
        # add() is exact: elapsed(s, add(s, d)) == d for clock time; days vary by start
        within = self.within
        fixed = None if isinstance(within, Until) or within.days else within.time_us
        object.__setattr__(self, "fixed_us", fixed)


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

    def read(self, view: Mapping[str, Any], path: str, category: str) -> Any:
        """A field for the priority stage, where ``category`` names the decided category."""
        keys = path_keys(path)
        if keys[0] == "category":
            # the decided category; it is text: nothing lies inside it
            return category if len(keys) == 1 else MISSING
        return lookup(view, path)

    def lookup(self, view: Mapping[str, Any], category: str) -> tuple[str, tuple[str, str]] | None:
        """The priority the matrix gives the ticket ``view`` in ``category``, with the cell."""
        row = self.read(view, self.rows, category)
        col = self.read(view, self.columns, category)
        hit = self.cells.get((row, col)) if isinstance(row, str) and isinstance(col, str) else None
        return None if hit is None else (hit, (row, col))


@dataclass(frozen=True, slots=True)
class EscalationRule:
    """A compiled escalation: notify when a threshold of a target is reached."""

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
    #: the threshold as integers (see ``slapolicy._engine.schedule.threshold_step``):
    #: ``(AT_DUE, 0, 1)``, ``(SHARE, numerator, denominator)``, ``(PAST_DUE, numerator -
    #: denominator, denominator)`` or ``(BEFORE, microseconds, 1)``
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
            assert self.before is not None  # the compiler guarantees `at` or `before`
            reason = f"{self.before} before {self.target} is due"
            before = self.before.time_us  # clock time only (the compiler rejects days)
            form = (AT_DUE, 0, 1) if before == 0 else (BEFORE, before, 1)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "form", form)
        dynamic = {"owner", "owner.lead"}
        object.__setattr__(self, "static_notify", not dynamic.intersection(self.notify))

    def describe(self) -> str:
        """``75% of response`` or ``30m before resolve is due``."""
        return self.reason


@dataclass(frozen=True, slots=True)
class ClockRules:
    """The ``clock:`` section: where the clock starts, what pauses it, what reopening does."""

    start_field: str
    pause_statuses: frozenset[str]
    on_reopen: str  # "continue" | "restart"
    #: the statuses that exist (None: any status is accepted)
    statuses: frozenset[str] | None = None
    #: a priority change: "keep" the targets' start, or "restart" them at the change
    on_reprioritise: str = "keep"
    #: a ticket without its start field is a TicketError (else the clock starts at now)
    start_required: bool = False


@dataclass(frozen=True, slots=True)
class Trigger:
    """An event that starts, stops or resumes a metric, if the ticket then meets ``condition``.

    ``condition`` is tested on the ticket as it stands after the event, with ``category``,
    ``priority``, ``sla`` and ``owner`` the decision of that moment.
    """

    event: str
    condition: Condition


@dataclass(frozen=True, slots=True)
class Metric:
    """A named clock: the events that start, stop, pause, resume or cancel its cycles.

    The time limits are not here: an SLA gives them per priority (``TargetRule``).
    """

    name: str
    label: str | None
    start: tuple[Trigger, ...]
    stop: tuple[Trigger, ...]
    #: events that resume the last stopped cycle (the time since its stop counts as paused)
    resume: tuple[Trigger, ...]
    pause_statuses: frozenset[str]
    #: pauses from one event until another, ``(from, until)``
    pause_pairs: tuple[tuple[str, str], ...]
    cancel_events: frozenset[str]
    cancel_statuses: frozenset[str]
    #: the calendar its targets count on unless a target names one (None: the SLA's)
    calendar: str | None
    #: "once": the first start to the first stop; "each": a new cycle at every start
    cycle: str
    #: start triggers count only while the ticket is open (not resolved, not closed)
    open_only: bool
    #: defined by slapolicy (response, resolve, update) rather than by the policy
    builtin: bool = False

    @property
    def starts_at_creation(self) -> bool:
        """True if a cycle starts with the clock (``start: created``, with or without when)."""
        return any(trigger.event == "created" for trigger in self.start)


@dataclass(frozen=True, eq=False)
class Rules:
    """A compiled policy. Immutable; built by :func:`slapolicy._compile.compile_rules`."""

    name: str
    timezone: tzinfo
    calendars: Mapping[str, Calendar]
    fields: Mapping[str, FieldType]
    categories: tuple[Rule, ...]
    priorities: tuple[Rule, ...]
    matrix: Matrix | None
    slas: tuple[Sla, ...]
    routing: tuple[Rule, ...]
    owners: Mapping[str, OwnerSpec]
    escalations: tuple[EscalationRule, ...]
    clock: ClockRules
    #: every metric by name, the built-ins included
    metrics: Mapping[str, Metric]
    #: every event type a history may hold, the built-ins included
    events: frozenset[str]
    examples: tuple[ExampleSpec, ...]
    #: ``sha256:`` + 16 hex digits of the canonical policy
    version: str
    #: the data it was compiled from (a private copy; what a pickle carries)
    source: Mapping[str, Any]
    filename: str | None = None
    #: the YAML it came from, for locating findings (None for a mapping)
    document: SourceDocument | None = None
    #: lint codes the policy's team has accepted (``lint: {ignore: [...]}``)
    lint_ignore: frozenset[str] = frozenset()
    #: the tz and holiday data its deadlines count on (covered by ``version``)
    data_sources: tuple[DataSource, ...] = ()
    #: the priorities the priority stage tries, in order: those with a ``when``. A priority
    #: without ``when`` before the default is a level only the priority_matrix assigns.
    priority_rules: tuple[Rule, ...] = field(init=False)

    def __post_init__(self) -> None:
        tried = tuple(r for r in self.priorities[:-1] if not r.condition.is_always)
        object.__setattr__(self, "priority_rules", tried)

    def lead_of(self, owner: str) -> str | None:
        """The ``lead`` of an owner, if it has one."""
        spec = self.owners.get(owner)
        return None if spec is None else spec.lead

    def resolve_notify(self, name: str, owner: str) -> str:
        """Whom an escalation's ``notify`` entry names for a ticket routed to ``owner``."""
        if name == "owner":
            return owner
        if name == "owner.lead":
            return self.lead_of(owner) or owner
        return name
