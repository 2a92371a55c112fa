"""Metrics and events: the built-in ones, the policy's own, and the time a target gives.

Every time limit is a *metric* (a named clock whose cycles events start, stop, pause,
resume and cancel) plus, per SLA and priority, a *target* (how long a cycle may run). The
three metrics slapolicy always had are defined here as data, exactly as a policy would
write them, so the SLA clock knows no metric by name:

``response``  ``{start: created, stop: [responded, resolved]}``
``resolve``   ``{start: created, stop: resolved, resume: reopened}`` under
              ``clock.on_reopen: continue``; ``{start: [created, reopened], stop: resolved,
              cycle: each}`` under ``restart``
``update``    ``{start: [created, responded, reopened], stop: [responded, resolved],
              cycle: each, open_only: true}``: a reply while the ticket is open ends the
              cycle and starts the next

All three pause on ``clock.pause_statuses``. A policy may redefine a built-in under
``metrics:``; then its definition is used instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .._calendar.spec import parse_weekday
from .._conditions import Condition, iter_field_tests
from .._durations import Duration, Until, parse_clock_time, parse_duration
from .._errors import CalendarError
from .._fields import FieldType, path_keys
from .._source.schema import MetricSpec, PausePair, PolicySpec, TargetBy, TargetTime, TriggerSpec
from .rules import ClockRules, Metric, Trigger

__all__ = [
    "BUILTIN_EVENTS",
    "BUILTIN_METRICS",
    "DECIDED",
    "Reporter",
    "builtin_metrics",
    "compile_events",
    "compile_metrics",
    "parse_target",
]

#: event types every history may hold (``created`` is the clock start, never sent)
BUILTIN_EVENTS = (
    "created",
    "responded",
    "customer_replied",
    "status",
    "updated",
    "resolved",
    "reopened",
    "closed",
)
#: the metrics slapolicy defines itself
BUILTIN_METRICS = ("response", "resolve", "update")
#: the decision values a trigger condition may test besides declared fields
DECIDED = ("category", "priority", "sla", "owner")

PathT = tuple[str | int, ...]


class Reporter(Protocol):
    """What the policy compiler offers this module: problems and conditions."""

    def problem(self, message: str, path: PathT, *, key: bool = False, once: bool = False) -> None:
        """Record a problem at ``path``."""

    def condition(self, when: Any, path: PathT, fields: Mapping[str, FieldType]) -> Condition:
        """Compile a ``when`` (problems recorded; ``Condition.always()`` if it fails)."""


def _always(event: str) -> Trigger:
    return Trigger(event, Condition.always())


def builtin_metrics(clock: ClockRules) -> dict[str, Metric]:
    """``response``, ``resolve`` and ``update`` as data, for the given clock settings."""
    pauses = clock.pause_statuses
    none: frozenset[str] = frozenset()
    restart = clock.on_reopen == "restart"
    return {
        "response": Metric(
            "response", None, (_always("created"),),
            (_always("responded"), _always("resolved")), (),
            pauses, (), none, none, None, "once", False, builtin=True,
        ),
        "resolve": Metric(
            "resolve", None,
            (_always("created"), _always("reopened")) if restart else (_always("created"),),
            (_always("resolved"),),
            () if restart else (_always("reopened"),),
            pauses, (), none, none, None, "each" if restart else "once", False, builtin=True,
        ),
        "update": Metric(
            "update", None,
            (_always("created"), _always("responded"), _always("reopened")),
            (_always("responded"), _always("resolved")), (),
            pauses, (), none, none, None, "each", True, builtin=True,
        ),
    }  # fmt: skip


def compile_events(spec: PolicySpec, report: Reporter) -> frozenset[str]:
    """Every event type of the policy: the built-ins and the declared ones."""
    for name in spec.events:
        if name in BUILTIN_EVENTS:
            report.problem(
                f"{name!r} is a built-in event type; declare only your own events",
                ("events", name),
                key=True,
            )
    return frozenset((*BUILTIN_EVENTS, *spec.events))


def compile_metrics(
    spec: PolicySpec,
    events: frozenset[str],
    clock: ClockRules,
    fields: Mapping[str, FieldType],
    report: Reporter,
) -> dict[str, Metric]:
    """The built-in metrics, replaced or joined by the policy's ``metrics:``."""
    metrics = builtin_metrics(clock)
    for name, metric in spec.metrics.items():
        path: PathT = ("metrics", name)
        compiler = _MetricCompiler(name, path, events, clock, fields, report)
        metrics[name] = compiler.compile(metric, calendars=spec.calendars)
    return metrics


class _MetricCompiler:
    """Compiles one metric of ``metrics:``, reporting every problem at its path."""

    def __init__(
        self,
        name: str,
        path: PathT,
        events: frozenset[str],
        clock: ClockRules,
        fields: Mapping[str, FieldType],
        report: Reporter,
    ) -> None:
        self.name = name
        self.path = path
        self.events = events
        self.clock = clock
        self.fields = fields
        self.report = report

    def compile(self, spec: MetricSpec, *, calendars: Mapping[str, Any]) -> Metric:
        start = self.triggers(spec.start, "start")
        stop = self.triggers(spec.stop, "stop")
        resume = self.triggers(spec.resume, "resume") if spec.resume is not None else ()
        statuses: set[str] = set()
        pairs: list[tuple[str, str]] = []
        for index, pause in enumerate(spec.pause or ()):
            if isinstance(pause, PausePair):
                where = (*self.path, "pause", index)
                self.event(pause.from_, (*where, "from"))
                self.event(pause.until, (*where, "until"))
                pairs.append((pause.from_, pause.until))
            else:
                self.status(pause, (*self.path, "pause", index))
                statuses.add(pause)
        if spec.pause is None:
            statuses = set(self.clock.pause_statuses)
        cancel_events: set[str] = set()
        cancel_statuses: set[str] = set()
        for index, name in enumerate(spec.cancel):
            if name in self.events:
                cancel_events.add(name)
            else:
                self.status(name, (*self.path, "cancel", index))
                cancel_statuses.add(name)
        if spec.calendar is not None and spec.calendar not in calendars:
            self.report.problem(
                f"unknown calendar {spec.calendar!r}{_hint(spec.calendar, list(calendars))}",
                (*self.path, "calendar"),
            )
        return Metric(
            self.name,
            spec.label,
            start,
            stop,
            resume,
            frozenset(statuses),
            tuple(pairs),
            frozenset(cancel_events),
            frozenset(cancel_statuses),
            spec.calendar if spec.calendar in calendars else None,
            spec.cycle,
            spec.open_only,
        )

    def triggers(self, value: Any, key: str) -> tuple[Trigger, ...]:
        """One trigger or a list of them, each checked."""
        items = value if isinstance(value, list) else [value]
        many = isinstance(value, list)
        out: list[Trigger] = []
        for index, item in enumerate(items):
            where: PathT = (*self.path, key, index) if many else (*self.path, key)
            event = item.event if isinstance(item, TriggerSpec) else item
            if event == "created" and key != "start":
                self.report.problem(
                    f"`created` is the clock start: it can start a metric, not {key} one",
                    (*where, "event") if isinstance(item, TriggerSpec) else where,
                )
            if isinstance(item, TriggerSpec):
                self.event(item.event, (*where, "event"))
                condition = self.condition(item.when, (*where, "when"))
                out.append(Trigger(item.event, condition))
            else:
                self.event(item, where)
                out.append(_always(item))
        return tuple(out)

    def event(self, name: str, where: PathT) -> None:
        """Refuse an event type that is neither built in nor declared."""
        if name not in self.events:
            declared = [e for e in self.events if e != "created"]
            self.report.problem(
                f"unknown event {name!r}{_hint(name, sorted(declared))} (declare your own "
                "under events:)",
                where,
            )

    def status(self, name: str, where: PathT) -> None:
        """Refuse a status outside ``clock.statuses``, when that list is given."""
        known = self.clock.statuses
        if known is not None and name not in known:
            self.report.problem(
                f"unknown status {name!r}{_hint(name, sorted(known))} (clock.statuses lists "
                "the statuses that exist)",
                where,
            )

    def condition(self, when: Any, where: PathT) -> Condition:
        """A trigger's condition; it may test only fields that something sets."""
        if when is None:
            return Condition.always()
        condition = self.report.condition(when, where, self.fields)
        known = [*self.fields, *DECIDED]
        for tests in iter_field_tests(condition.node):
            root = path_keys(tests.name)[0]
            if tests.name in self.fields or root in DECIDED:
                continue
            self.report.problem(
                f"field {tests.name!r} is never set for this condition: a metric's `when` may "
                f"test only fields declared under fields: (or {', '.join(DECIDED)})"
                f"{_hint(tests.name, known)}",
                tests.path,
                key=True,
            )
        return condition


def parse_target(value: str | TargetTime | TargetBy, where: PathT, report: Reporter) -> Any:
    """The time a target gives (a ``Duration`` or an ``Until``), or None if it is invalid."""
    if isinstance(value, TargetBy):
        try:
            second = parse_clock_time(value.by)
        except CalendarError as exc:
            report.problem(str(exc), (*where, "by"))
            return None
        if value.weekday is not None and value.days is not None:
            report.problem("give `days` or `weekday`, not both", where)
            return None
        weekday = None
        if value.weekday is not None:
            try:
                weekday = parse_weekday(value.weekday)
            except ValueError as exc:
                report.problem(str(exc), (*where, "weekday"))
                return None
        return Until(second, value.days or 0, weekday)
    text, path = (
        (value.within, (*where, "within"))
        if isinstance(value, TargetTime)
        else (
            value,
            where,
        )
    )
    try:
        duration: Duration = parse_duration(text)
    except CalendarError as exc:
        report.problem(str(exc), path)
        return None
    return duration


def _hint(word: str, choices: Sequence[str]) -> str:
    hint = difflib.get_close_matches(word, list(choices), n=1)
    if hint:
        return f"; did you mean {hint[0]!r}?"
    return f"; known: {', '.join(choices)}" if choices else ""
