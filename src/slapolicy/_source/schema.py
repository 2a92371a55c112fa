"""Pydantic models of the policy file: the shape of the YAML, nothing more.

Every model forbids unknown keys and is frozen. Values that have their own language
(conditions under ``when``, calendars, durations) are kept as plain data here and checked by
the policy compiler (:mod:`slapolicy._compile`), which knows how to point at the exact YAML
node.
``slapolicy schema`` prints the JSON Schema of :class:`PolicySpec` for editors.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag

from .._fields import KINDS

__all__ = [
    "CategoryRule",
    "ClockSpec",
    "EscalationRule",
    "ExampleSpec",
    "FieldDecl",
    "OwnerSpec",
    "PolicySpec",
    "PriorityMatrix",
    "PriorityRule",
    "RoutingRule",
    "SlaRule",
    "TargetSpec",
    "TargetTime",
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
Percent = Annotated[str, StringConstraints(pattern=r"^\s*\d{1,3}(\.\d+)?\s*%\s*$")]
PERCENT_RE = re.compile(r"^\s*(\d{1,3}(?:\.\d+)?)\s*%\s*$")


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


# Unions of text and a structure choose their member by the value's shape, so a problem
# inside a mapping is reported as that mapping's problem ("unknown key 'calender'"), not
# also as "should be text"; a value of neither shape gets one message saying what fits.


def _text_or_mapping(value: Any) -> str | None:
    if isinstance(value, (dict, BaseModel)):  # a model instance: when dumping
        return "mapping"
    return "text" if isinstance(value, str) else None


def _text_or_list(value: Any) -> str | None:
    if isinstance(value, list):
        return "list"
    return "text" if isinstance(value, str) else None


#: a target: a duration, or ``{within, calendar}``
TargetValue = Annotated[
    Annotated[DurationText, Tag("text")] | Annotated[TargetTime, Tag("mapping")],
    Discriminator(
        _text_or_mapping,
        custom_error_type="target_shape",
        custom_error_message=(
            "a target is working time like 2h, or a mapping like {within: 2h, calendar: office}"
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
    """Working-time targets of one priority under one SLA.

    Each target is a duration, or ``{within, calendar}`` when it counts on a calendar of its
    own; ``calendar`` here is the default for this priority's targets.
    """

    response: TargetValue | None = None
    resolve: TargetValue | None = None
    update: TargetValue | None = None
    calendar: Id | None = None


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
    target: Literal["response", "resolve", "update"] = "resolve"
    at: Percent | None = None
    before: DurationText | None = None
    notify: NotifyValue


class ClockSpec(_Model):
    """Where the SLA clock starts, which statuses pause it, what reopening does."""

    start_field: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "created_at"
    pause_statuses: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        default_factory=list
    )
    on_reopen: Literal["continue", "restart"] = "continue"


class ExampleSpec(_Model):
    """An executable expectation: a ticket and what the decision must say about it."""

    name: Text
    ticket: dict[str, Any]
    at: datetime | Annotated[str, StringConstraints(max_length=64)] | None = None
    expect: dict[str, Any]


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
    examples: list[ExampleSpec] = Field(default_factory=list)
