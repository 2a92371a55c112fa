"""The engine: compiled rules + a backend's selection -> decisions with deadlines."""

from .decision import Decision, Escalation, Target, TraceStep
from .evaluator import Evaluation, Evaluator
from .schedule import Planned, Schedule, notify_for, threshold_us
from .selection import (
    STAGE_BOUND,
    Selection,
    compile_when,
    matrix_or_default,
    native_selection,
)
from .tickets import TicketReader

__all__ = [
    "STAGE_BOUND",
    "Decision",
    "Escalation",
    "Evaluation",
    "Evaluator",
    "Planned",
    "Schedule",
    "Selection",
    "Target",
    "TicketReader",
    "TraceStep",
    "compile_when",
    "matrix_or_default",
    "native_selection",
    "notify_for",
    "threshold_us",
]
