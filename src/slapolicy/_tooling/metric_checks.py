"""Lint checks of the policy's own metrics (SP113-SP115).

They judge only the metrics a policy declares under ``metrics:`` (a redefined built-in
included, never the built-ins), and report only what the data decides. A ``when`` is known
never to hold when it tests ``category``, ``priority``, ``sla`` or ``owner`` (whose values
are the policy's own ids) so that no id passes, inside ``all`` / ``any`` / ``not`` as logic
says; other fields may hold anything, so a test of them is never judged. A start can never
begin a cycle when its ``when`` never holds, or when the metric is ``open_only`` and the
start is ``resolved`` or ``closed`` (after which the ticket is not open). A stop can never
end a cycle when its ``when`` never holds, or when the metric starts only on ``closed`` and
the stop is ``resolved``, ``reopened`` or ``closed`` (which a closed ticket ignores). The
same event as a start and a stop is no finding: on one event a metric's stops act before
its starts, so ``{start: responded, stop: responded, cycle: each}`` restarts at each reply
and a ``once`` metric runs to the event's next occurrence.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from .._compile import Metric, Trigger
from .._conditions import AllOf, Always, FieldTests, Node, Not, Path, iter_field_tests
from .._policy import Policy
from .findings import Finding, targeted

__all__ = ["METRIC_CHECKS"]

#: at most this many combinations of decision values are tried per trigger
_PROBE_LIMIT = 4096

#: ticket-state events a closed ticket ignores (it stays closed)
_AFTER_CLOSED = frozenset({"resolved", "reopened", "closed"})
#: events after which the ticket is not open (an ``open_only`` start never counts there)
_NOT_OPEN = frozenset({"resolved", "closed"})
#: every value of each decision name a trigger's ``when`` may test
_Decided = dict[str, frozenset[str]]


def _own_metrics(policy: Policy) -> Iterator[Metric]:
    """The metrics the policy declares under ``metrics:`` (a redefined built-in included)."""
    return (m for m in policy.rules.metrics.values() if not m.builtin)


def _trigger_path(policy: Policy, metric: Metric, key: str, index: int) -> Path:
    """Where a start or stop trigger is written: ``metrics.<name>.<key>[.<index>]``."""
    written = ((policy.rules.source.get("metrics") or {}).get(metric.name) or {}).get(key)
    where: Path = ("metrics", metric.name, key)
    return (*where, index) if isinstance(written, list) else where


def _decided(policy: Policy) -> _Decided:
    """Every value ``category``, ``priority``, ``sla`` and ``owner`` can take."""
    priorities = {rule.id for rule in policy.priorities}
    if policy.matrix is not None:
        priorities |= {p for row in policy.matrix.values.values() for p in row.values()}
    return {
        "category": frozenset(rule.id for rule in policy.categories),
        "priority": frozenset(priorities),
        "sla": frozenset(sla.rule.id for sla in policy.slas),
        "owner": frozenset(rule.owner or "" for rule in policy.routing),
    }


def _truth(node: Node, values: dict[str, str]) -> bool | None:
    """Whether ``node`` holds when the decision is ``values``: None when other fields decide."""
    if isinstance(node, Always):
        return True
    if isinstance(node, FieldTests):
        if node.name not in values:
            return None
        # a decision value is always there: `exists: false` fails, the tests decide
        return node.exists is not False and all(t.check(values[node.name]) for t in node.tests)
    if isinstance(node, Not):
        inner = _truth(node.child, values)
        return None if inner is None else not inner
    parts = [_truth(child, values) for child in node.children]
    if isinstance(node, AllOf):
        return False if False in parts else (True if all(parts) else None)
    return True if True in parts else (False if all(p is False for p in parts) else None)


def _never_holds(trigger: Trigger, decided: _Decided) -> bool:
    """True when a trigger's ``when`` fails whatever the ticket, for every possible decision.

    Each combination of the decision values it tests is tried (the ids are all known); a
    test of any other field may hold, so only the decision tests can make it fail.
    """
    node = trigger.condition.node
    names = sorted({t.name for t in iter_field_tests(node) if decided.get(t.name)})
    total = 1
    for name in names:
        total *= len(decided[name])
    if total > _PROBE_LIMIT:
        return False
    combos = itertools.product(*(sorted(decided[name]) for name in names))
    return all(_truth(node, dict(zip(names, combo, strict=True))) is False for combo in combos)


def _dead_start(metric: Metric, trigger: Trigger, decided: _Decided) -> str:
    """Why a start can never begin a cycle ("" when it can)."""
    if metric.open_only and trigger.event in _NOT_OPEN:
        return f"open_only, and after {trigger.event!r} the ticket is not open"
    if _never_holds(trigger, decided):
        return f"the `when` of its start on {trigger.event!r} never holds"
    return ""


def _untargeted_metrics(policy: Policy) -> Iterator[Finding]:
    """SP113: a declared metric no SLA gives a target: its cycles are never reported."""
    with_target = targeted(policy)
    for metric in _own_metrics(policy):
        if metric.name not in with_target:
            yield Finding(
                "SP113",
                "warning",
                f"metric {metric.name!r} has no target in any SLA, so it measures nothing; "
                f"give it one under slas[].targets (e.g. `P2: {{{metric.name}: 8h}}`)",
                ("metrics", metric.name),
            )


def _metrics_never_starting(policy: Policy) -> Iterator[Finding]:
    """SP114: a declared metric none of whose starts can ever begin a cycle."""
    decided = _decided(policy)
    for metric in _own_metrics(policy):
        reasons = [_dead_start(metric, trigger, decided) for trigger in metric.start]
        if metric.start and all(reasons):
            yield Finding(
                "SP114",
                "warning",
                f"metric {metric.name!r} can never start: {'; '.join(dict.fromkeys(reasons))}",
                ("metrics", metric.name, "start"),
            )


def _dead_stop(metric: Metric, trigger: Trigger, closed_only: bool, decided: _Decided) -> str:
    """Why a stop can never end a cycle of ``metric`` ("" when it can)."""
    if closed_only and trigger.event in _AFTER_CLOSED:
        return "it starts only on 'closed', and a closed ticket ignores resolved, reopened, closed"
    if _never_holds(trigger, decided):
        return f"the `when` of its stop on {trigger.event!r} never holds"
    return ""


def _dead_stops(policy: Policy) -> Iterator[Finding]:
    """SP115: a stop that can only come before its metric starts, or whose `when` never holds.

    When every stop is such, the metric's cycles can never be met (one finding at ``stop``);
    otherwise each such stop is reported where it is written.
    """
    decided = _decided(policy)
    for metric in _own_metrics(policy):
        starts = [t for t in metric.start if not _dead_start(metric, t, decided)]
        if not starts:
            continue  # SP114: it never starts
        closed_only = all(t.event == "closed" for t in starts)
        reasons = [_dead_stop(metric, t, closed_only, decided) for t in metric.stop]
        if metric.stop and all(reasons):
            yield Finding(
                "SP115",
                "warning",
                f"metric {metric.name!r} can never be met, no stop ends a cycle after it "
                f"starts: {'; '.join(dict.fromkeys(reasons))}",
                ("metrics", metric.name, "stop"),
            )
            continue
        for index, why in enumerate(reasons):
            if why:
                yield Finding(
                    "SP115",
                    "warning",
                    f"a stop of metric {metric.name!r} never ends a cycle: {why}",
                    _trigger_path(policy, metric, "stop", index),
                )


#: the checks of this module, in code order
METRIC_CHECKS = (_untargeted_metrics, _metrics_never_starting, _dead_stops)
