"""Compile: a policy's data -> the compiled :class:`Rules` everything else reads."""

from .compiler import compile_rules
from .references import STAGE_BOUND
from .rules import (
    AT_DUE,
    BEFORE,
    PAST_DUE,
    SHARE,
    ClockRules,
    EscalationRule,
    Matrix,
    Metric,
    Rule,
    Rules,
    Sla,
    TargetRule,
    Trigger,
)

__all__ = [
    "AT_DUE",
    "BEFORE",
    "PAST_DUE",
    "SHARE",
    "STAGE_BOUND",
    "ClockRules",
    "EscalationRule",
    "Matrix",
    "Metric",
    "Rule",
    "Rules",
    "Sla",
    "TargetRule",
    "Trigger",
    "compile_rules",
]
