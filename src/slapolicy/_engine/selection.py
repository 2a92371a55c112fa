"""How a policy picks the rule of each stage: the :class:`Selection`, the one part a backend
replaces.

A backend is a strategy: given the compiled :class:`Rules`, it returns a :class:`Selection`.
The native one (:func:`native_selection`) compiles every stage to one generated Python
function (:mod:`slapolicy._conditions.codegen`); the durable backend posts the tickets to
durable-rules. Everything else (field conversion, deadlines, escalations, the trace, the
clock) is shared and does not know which backend chose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .._compile import STAGE_BOUND, EscalationRule, Rules
from .._conditions import Condition, first_match, first_match_pair, predicate

__all__ = [
    "STAGE_BOUND",
    "Selection",
    "compile_when",
    "matrix_or_default",
    "native_selection",
]


class Selection(NamedTuple):
    """The rule selection of every stage, as functions of the converted ticket.

    Each function takes the ticket, then the decision so far (``category``, ``priority``,
    ``sla``, ``owner``), which shadows ticket fields of the same name.
    """

    #: ``category(ticket) -> index`` into ``Rules.categories``
    category: Callable[[Mapping[str, Any]], int]
    #: ``priority(ticket, category) -> priority id``: rules, then the matrix, then the default
    priority: Callable[[Mapping[str, Any], str], str]
    #: ``sla(ticket, category, priority) -> index`` into ``Rules.slas``
    sla: Callable[[Mapping[str, Any], str, str], int]
    #: ``route(ticket, category, priority, sla) -> index`` into ``Rules.routing``
    route: Callable[[Mapping[str, Any], str, str, str], int]
    #: ``escalation(rule) -> when(ticket, category, priority, sla, owner) -> bool``
    escalation: Callable[[EscalationRule], Callable[..., bool]]
    #: the backend's own engine object, for introspection (None for the native backend)
    engine: Any = None
    #: ``classify(ticket) -> (category id, priority id)``: the category and priority
    #: stages in one function, when the backend has one (None: the two functions above)
    classify: Callable[[Mapping[str, Any]], tuple[str, str]] | None = None


def native_selection(rules: Rules) -> Selection:
    """The native engine's selection: every stage compiled to one Python function."""
    category = first_match(
        [r.condition for r in rules.categories],
        default=len(rules.categories) - 1,
        name="select_category",
    ).function
    # without a matrix the priority no rule gives is the default, written into the function
    # rather than asked of matrix_or_default's fallback (a call fewer)
    otherwise = None if rules.matrix is None else matrix_or_default(rules)
    priority = first_match(
        [r.condition for r in rules.priority_rules],
        default=rules.priorities[-1].id,
        bound=STAGE_BOUND["priority"],
        name="select_priority",
        answers=[r.id for r in rules.priority_rules],
        otherwise=otherwise,
    ).function
    # Speed trick: classify as one generated function of both stages (the priority stage
    # reads the category stage's locals: the text casefolded once, no second call):
    # classify on 20 rules 1.23-1.28x -> 1.06-1.10x a hand-written if-chain
    # (benchmarks/bench_rules.py)
    assert STAGE_BOUND["priority"] == ("category",)
    pair = first_match_pair(
        [r.condition for r in rules.categories],
        [r.id for r in rules.categories],
        rules.categories[-1].id,
        [r.condition for r in rules.priority_rules],
        [r.id for r in rules.priority_rules],
        rules.priorities[-1].id,
        otherwise=otherwise,
    )
    sla = first_match(
        [s.rule.condition for s in rules.slas],
        default=len(rules.slas) - 1,
        bound=STAGE_BOUND["sla"],
        name="select_sla",
    ).function
    route = first_match(
        [r.condition for r in rules.routing],
        default=len(rules.routing) - 1,
        bound=STAGE_BOUND["route"],
        name="select_route",
    ).function

    def escalation(esc: EscalationRule) -> Callable[..., bool]:
        return compile_when(esc.condition)

    classify = None if pair is None else pair.function
    return Selection(category, priority, sla, route, escalation, classify=classify)


def compile_when(condition: Condition) -> Callable[..., bool]:
    """A condition tested on a decided ticket: ``when(ticket, category, priority, sla, owner)``.

    Escalation conditions and the ``when`` of metric triggers take this form: the decision
    values shadow ticket fields of the same name.
    """
    return predicate(condition, bound=STAGE_BOUND["escalation"], name="when").function


def matrix_or_default(rules: Rules) -> Callable[[Mapping[str, Any], str], str]:
    """The priority when no priority rule matched: the matrix's cell, else the default."""
    matrix = rules.matrix
    default = rules.priorities[-1].id

    def fallback(view: Mapping[str, Any], category: str) -> str:
        if matrix is not None:
            found = matrix.lookup(view, category)
            if found is not None:
                return found[0]
        return default

    return fallback
