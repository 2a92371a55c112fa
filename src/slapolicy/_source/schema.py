"""Pydantic models of the policy file: the shape of the YAML, nothing more.

Every model forbids unknown keys and is frozen. Values that have their own language
(conditions under ``when``, calendars, durations) are kept as plain data here and checked by
the policy compiler (:mod:`slapolicy._compile`), which knows how to point at the exact YAML
node.
``slapolicy schema`` prints the JSON Schema of :class:`PolicySpec` for editors.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .._fields import KINDS

__all__ = [
    "CategoryRule",
    "ClockSpec",
    "EscalationRule",
    "EventDecl",
    "ExampleSpec",
    "FieldDecl",
    "LintSpec",
    "MetricSpec",
    "OwnerSpec",
    "PausePair",
    "PolicySpec",
    "PriorityMatrix",
    "PriorityRule",
    "RoutingRule",
    "SlaRule",
    "TargetBy",
    "TargetSpec",
    "TargetTime",
    "TriggerSpec",
]

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[^\s.\[\]]+$"),
    Field(description="an identifier: no spaces, dots or brackets"),
]
Text = Annotated[str, StringConstraints(max_length=2000)]
Notify = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^(owner\.lead|[^\s.\[\]]+)$"),
    Field(description="an owner id, `owner` (the assigned owner) or `owner.lead` (its lead)"),
]
DurationText = Annotated[
    str,
    StringConstraints(max_length=64),
    Field(description="working time such as 30s, 15m, 2h, 1h30m, 3d, 1d4h", examples=["2h"]),
]
Condition = Annotated[
    Any,
    Field(
        description="a condition: {field: value}, {field: [a, b]}, {field: {op: arg}}, all/any/not",
        json_schema_extra={"type": "object"},
    ),
]
# (ASCII digits only: `\d` would also take full-width and other scripts' digits)
Percent = Annotated[str, StringConstraints(pattern=r"^\s*[0-9]{1,3}(\.[0-9]+)?\s*%\s*$")]
PERCENT_RE = re.compile(r"^\s*([0-9]{1,3}(?:\.[0-9]+)?)\s*%\s*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class FieldDecl(_Model):
    """A declared ticket field: its type and allowed values (enables coercion)."""

    # plain text here, checked by slapolicy.fields (which suggests `integer` for `int`)
    type: (
        Annotated[
            str,
            StringConstraints(max_length=64),
            Field(json_schema_extra={"enum": list(KINDS)}),
        ]
        | None
    ) = None
    enum: list[str | int | float] | None = None
    #: for a datetime field: the zone its values without a UTC offset are written in
    #: (an IANA name such as ``UTC``); the policy's ``timezone`` when not given
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    label: Text | None = None
    description: Text | None = None


class CategoryRule(_Model):
    """A category; the first whose ``when`` matches wins; the last has no ``when``."""

    id: Id
    label: Text | None = None
    description: Text | None = None
    when: Condition | None = None


class PriorityRule(_Model):
    """A priority; the first whose ``when`` matches wins; the last is the default."""

    id: Id
    label: Text | None = None
    description: Text | None = None
    when: Condition | None = None


class PriorityMatrix(_Model):
    """An impact x urgency lookup, used when no priority rule but the default matched."""

    rows: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    columns: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    values: dict[str, dict[str, Id]]


class TargetTime(_Model):
    """One target with its own calendar: ``{within: 24h, calendar: around-the-clock}``."""

    within: DurationText
    calendar: Id | None = None


ClockTime = Annotated[
    str,
    StringConstraints(max_length=16),
    Field(description="a wall-clock time HH:MM (24:00 is the end of a day)", examples=["18:00"]),
]


class TargetBy(_Model):
    """A target at a wall-clock time: ``{by: "18:00", days: 1}`` or ``{by: "16:00", weekday: fri}``.

    ``days``: that time on the N-th working day after the start's working date (``0``: the
    same day if the start is before it, else the next working day). ``weekday``: that time on
    the next working day that is that weekday (a weekly review). If the time is not inside a
    working window, the end of the last window before it.
    """

    by: ClockTime
    days: Annotated[int, Field(ge=0, le=3660)] | None = None
    weekday: Annotated[str, StringConstraints(max_length=16)] | None = None
    calendar: Id | None = None


# Unions of text and a structure choose their member by the value's shape, so a problem
# inside a mapping is reported as that mapping's problem ("unknown key 'calender'"), not
# also as "should be text"; a value of neither shape gets one message saying what fits.


def _text_or_mapping(value: Any) -> str | None:
    if isinstance(value, (dict, BaseModel)):  # a model instance: when dumping
        return "mapping"
    return "text" if isinstance(value, str) else None


def _target_shape(value: Any) -> str | None:
    if isinstance(value, TargetBy) or (isinstance(value, dict) and "by" in value):
        return "wall-clock"
    return _text_or_mapping(value)


def _text_or_list(value: Any) -> str | None:
    if isinstance(value, list):
        return "list"
    return "text" if isinstance(value, str) else None


#: a target: a duration, ``{within, calendar}`` or ``{by, days | weekday, calendar}``
TargetValue = Annotated[
    Annotated[DurationText, Tag("text")]
    | Annotated[TargetTime, Tag("mapping")]
    | Annotated[TargetBy, Tag("wall-clock")],
    Discriminator(
        _target_shape,
        custom_error_type="target_shape",
        custom_error_message=(
            "a target is working time like 2h, or a mapping like {within: 2h, calendar: office} "
            'or {by: "18:00", days: 1}'
        ),
    ),
]
#: whom to notify: one name or a list of names
NotifyValue = Annotated[
    Annotated[Notify, Tag("text")] | Annotated[list[Notify], Tag("list")],
    Discriminator(
        _text_or_list,
        custom_error_type="notify_shape",
        custom_error_message="notify takes an owner id, owner, owner.lead, or a list of them",
    ),
]


class TargetSpec(_Model):
    """The targets of one priority under one SLA: metric name -> target.

    Each target is a duration, ``{within, calendar}`` when it counts on a calendar of its
    own, or ``{by: "HH:MM", days | weekday}``; ``calendar`` here is the default for this
    priority's targets. Besides the built-in metrics ``response``, ``resolve`` and
    ``update``, any metric declared under ``metrics:`` may be given (the compiler checks
    the names).
    """

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    response: TargetValue | None = None
    resolve: TargetValue | None = None
    update: TargetValue | None = None
    calendar: Id | None = None
    __pydantic_extra__: dict[str, TargetValue] = Field(init=False)


class SlaRule(_Model):
    """An SLA; the first whose ``when`` matches wins. ``targets`` maps priority -> targets."""

    id: Id
    label: Text | None = None
    description: Text | None = None
    when: Condition | None = None
    calendar: Id | None = None
    targets: dict[str, TargetSpec]


class RoutingRule(_Model):
    """Who owns the ticket; the first whose ``when`` matches wins; the last is the default."""

    id: Id | None = None
    label: Text | None = None
    when: Condition | None = None
    owner: Id
    cc: list[Id] = Field(default_factory=list)


class OwnerSpec(_Model):
    """A team or person that routing and escalations may name."""

    label: Text | None = None
    lead: Id | None = None
    description: Text | None = None
    contact: Text | None = None


class EscalationRule(_Model):
    """Notify someone when a share of a target has elapsed, or some working time is left."""

    id: Id | None = None
    when: Condition | None = None
    target: Annotated[
        Id, Field(description="the metric watched: response, resolve, update or a declared one")
    ] = "resolve"
    at: Percent | None = None
    before: DurationText | None = None
    notify: NotifyValue

    @field_validator("target")
    @classmethod
    def _known_metric(cls, value: str, info: ValidationInfo) -> str:
        """Refuse a metric the policy does not have (the loader passes their names)."""
        metrics = (info.context or {}).get("metrics")
        if metrics is not None and value not in metrics:
            close = difflib.get_close_matches(value, sorted(metrics), n=1)
            raise PydanticCustomError(
                "unknown_metric",
                "input should be 'response', 'resolve' or 'update', or a metric declared "
                "under metrics:{hint}",
                {"hint": f"; did you mean {close[0]!r}?" if close else ""},
            )
        return value


StatusName = Annotated[str, StringConstraints(max_length=200)]
EventName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[^\s.\[\]]+$"),
    Field(description="an event type: a built-in one or one declared under events:"),
]


class ClockSpec(_Model):
    """Where the SLA clock starts, which statuses pause it, what reopening does."""

    start_field: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "created_at"
    pause_statuses: list[StatusName] = Field(default_factory=list)
    on_reopen: Literal["continue", "restart"] = "continue"
    #: the statuses that exist; when given, a `status` event outside it is refused
    statuses: list[StatusName] | None = None
    #: what a priority change does to the targets: keep their start, or restart them
    on_reprioritise: Literal["keep", "restart"] = "keep"
    #: a ticket without its start field is an error (else the clock starts at now)
    start_required: bool = False


class EventDecl(_Model):
    """An event type beyond the built-ins (``plan_submitted``, ``callback_done``, ...)."""

    label: Text | None = None
    description: Text | None = None


class TriggerSpec(_Model):
    """An event that starts or stops a metric when the ticket, after it, meets ``when``."""

    event: EventName
    when: Condition | None = None


def _text_or_trigger(value: Any) -> str | None:
    if isinstance(value, (dict, TriggerSpec)):
        return "mapping"
    return "text" if isinstance(value, str) else None


def _triggers_shape(value: Any) -> str | None:
    return "list" if isinstance(value, list) else _text_or_trigger(value)


#: one trigger: an event type, or ``{event, when}``
Trigger = Annotated[
    Annotated[EventName, Tag("text")] | Annotated[TriggerSpec, Tag("mapping")],
    Discriminator(
        _text_or_trigger,
        custom_error_type="trigger_shape",
        custom_error_message=(
            "a trigger is an event type, or a mapping like {event: updated, when: {...}}"
        ),
    ),
]
#: one trigger or a list of them (any of which fires)
Triggers = Annotated[
    Annotated[Trigger, Tag("text")]
    | Annotated[Trigger, Tag("mapping")]
    | Annotated[list[Trigger], Tag("list")],
    Discriminator(
        _triggers_shape,
        custom_error_type="triggers_shape",
        custom_error_message=("give an event type, {event: ..., when: ...}, or a list of them"),
    ),
]


class PausePair(_Model):
    """A pause between two events: ``{from: on_hold, until: customer_replied}``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    from_: EventName = Field(alias="from")
    until: EventName


def _status_or_pair(value: Any) -> str | None:
    if isinstance(value, (dict, PausePair)):
        return "pair"
    return "status" if isinstance(value, str) else None


#: a pause: a status, or a pair of events
PauseValue = Annotated[
    Annotated[StatusName, Tag("status")] | Annotated[PausePair, Tag("pair")],
    Discriminator(
        _status_or_pair,
        custom_error_type="pause_shape",
        custom_error_message=(
            "a pause is a status, or a pair like {from: on_hold, until: customer_replied}"
        ),
    ),
]


class MetricSpec(_Model):
    """A named clock: when it starts, stops, pauses; the time limits are per SLA target."""

    label: Text | None = None
    description: Text | None = None
    start: Triggers
    stop: Triggers
    #: statuses (and event pairs) that pause it; default: clock.pause_statuses
    pause: list[PauseValue] | None = None
    #: events or statuses that end a running cycle as cancelled (neither met nor breached)
    cancel: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=list
    )
    #: events that resume the last stopped cycle; the time since its stop counts as paused
    resume: Triggers | None = None
    calendar: Id | None = None
    cycle: Literal["once", "each"] = "once"
    #: start triggers count only while the ticket is open (not resolved or closed)
    open_only: bool = False


class ExampleSpec(_Model):
    """An executable expectation: a ticket and what the decision must say about it.

    With ``events`` (and ``now``) the example replays the ticket's history on the SLA
    clock, so it can expect the due instant and state of metrics that events start.
    """

    name: Text
    ticket: dict[str, Any]
    at: datetime | Annotated[str, StringConstraints(max_length=64)] | None = None
    events: list[dict[str, Any]] | None = None
    now: datetime | Annotated[str, StringConstraints(max_length=64)] | None = None
    expect: dict[str, Any]


LintCode = Annotated[
    str,
    StringConstraints(pattern=r"^SP[0-9]{3}$"),
    Field(description="a lint finding's code, such as SP107"),
]


class LintSpec(_Model):
    """Lint settings kept with the policy: the findings its team has accepted."""

    ignore: list[LintCode] = Field(default_factory=list)


class PolicySpec(_Model):
    """A whole policy file."""

    slapolicy: Literal[1] = Field(description="schema version of the policy file")
    name: Text
    description: Text | None = None
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    calendars: dict[str, dict[str, Any]] = Field(min_length=1)
    fields: dict[str, FieldDecl] = Field(default_factory=dict)
    categories: list[CategoryRule] = Field(min_length=1)
    priorities: list[PriorityRule] = Field(min_length=1)
    priority_matrix: PriorityMatrix | None = None
    slas: list[SlaRule] = Field(min_length=1)
    routing: list[RoutingRule] = Field(min_length=1)
    owners: dict[str, OwnerSpec] = Field(default_factory=dict)
    escalation: list[EscalationRule] = Field(default_factory=list)
    clock: ClockSpec = Field(default_factory=ClockSpec)
    events: dict[EventName, EventDecl] = Field(default_factory=dict)
    metrics: dict[Id, MetricSpec] = Field(default_factory=dict)
    examples: list[ExampleSpec] = Field(default_factory=list)
    lint: LintSpec = Field(default_factory=LintSpec)
