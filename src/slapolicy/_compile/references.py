"""Ids a condition compares with the decision: each must exist.

Once a stage has decided, its answer shadows a ticket field of the same name in the
conditions of every later stage (:data:`STAGE_BOUND`): in ``routing``, ``{priority: P1}``
tests the decided priority. A typo there (``{priority: urgnet}``), or a ticket's own value
that the stage cannot see (``{priority: urgent}`` where the priorities are P1-P4), is a rule
that never matches, so it is a load error with a hint rather than a silent miss.

Only the operators that compare with whole ids are checked (``eq``, ``ne``, ``in``,
``not_in``); a pattern or a substring may legitimately match several ids or none.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from .._conditions import Node, Path, arguments, iter_field_tests

__all__ = ["STAGE_BOUND", "check_references"]

#: the decision values each stage's conditions see (they shadow ticket fields of that name)
STAGE_BOUND: Mapping[str, tuple[str, ...]] = {
    "category": (),
    "priority": ("category",),
    "sla": ("category", "priority"),
    "route": ("category", "priority", "sla"),
    "escalation": ("category", "priority", "sla", "owner"),
}

#: operators whose arguments are whole values, so each must be one of the ids
_WHOLE_VALUE_OPS = frozenset({"eq", "ne", "in", "not_in"})
#: where the ids of each decided value are declared
_SOURCE = {
    "category": "the ids under `categories`",
    "priority": "the ids under `priorities`",
    "sla": "the ids under `slas`",
    "owner": "the owners of `routing` and `owners`",
}


def check_references(
    ids: Mapping[str, Collection[str]],
    conditions: Iterable[tuple[str, Node, str]],
    problem: Callable[[str, Path], None],
) -> None:
    """Report every id a condition compares a decided value with that does not exist.

    ``ids`` gives the existing ids per decided name (``category``, ``priority``, ``sla``,
    ``owner``); ``conditions`` the conditions as ``(stage, tree, where)``, ``where`` naming
    the rule for the message (``routing rule 'p1-tech'``).
    """
    for stage, node, where in conditions:
        bound = STAGE_BOUND[stage]
        if not bound:
            continue
        # (iter_field_tests yields the ticket-level tests: a key inside a list's items is
        # the item's own, never a decided value)
        for tests in iter_field_tests(node):
            if tests.name not in bound:
                continue
            known = ids[tests.name]
            for test in tests.tests:
                if test.op not in _WHOLE_VALUE_OPS:
                    continue
                many = len(arguments(test)) > 1 or isinstance(test.arg, tuple)
                for index, value in enumerate(arguments(test)):
                    if _exists(value, known, fold=test.fold):
                        continue
                    path = (*test.path, index) if many else test.path
                    problem(_message(tests.name, value, known, where), path)


def _exists(value: Any, known: Collection[str], *, fold: bool) -> bool:
    if not isinstance(value, str):
        return False
    if fold:
        folded = value.casefold()
        return any(folded == item.casefold() for item in known)
    return value in known


def _message(name: str, value: Any, known: Collection[str], where: str) -> str:
    ordered = sorted(known)
    close = difflib.get_close_matches(value, ordered, n=1) if isinstance(value, str) else []
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    shown = ", ".join(ordered[:20]) + (", ..." if len(ordered) > 20 else "")
    return (
        f"unknown {name} {value!r}{hint}: in {where}, `{name}` is the decided {name}, one of "
        f"{shown} ({_SOURCE[name]}); a ticket field named {name!r} is not visible there"
    )
