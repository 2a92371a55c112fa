"""A condition tree over a batch: one boolean per ticket.

Each :class:`FieldTests` runs its tests on the distinct values of its field
(:meth:`Column.where`); ``all`` / ``any`` / ``not`` combine the rows' answers with numpy. The
decided values of earlier stages (``category``, ``priority``, ``sla``, ``owner``) shadow
ticket fields of the same name, as in the scalar engine: for such a name the column is the
decision, and a path below it (``category.x``) is missing, since a decided value is text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .._conditions import AllOf, Always, AnyOf, FieldTests, Node, Not
from .columns import Column, Mask

__all__ = ["evaluate"]


def evaluate(
    node: Node,
    rows: int,
    field: Callable[[tuple[str, ...]], Column],
    decided: Mapping[str, Column],
) -> Mask:
    """The rows that satisfy ``node``.

    ``field(keys)`` gives a ticket field (declared fields converted); ``decided`` the
    columns of the names this stage sees as decisions.
    """
    if isinstance(node, FieldTests):
        return _field_tests(node, rows, field, decided)
    if isinstance(node, AllOf):
        result = np.ones(rows, dtype=np.bool_)
        for child in node.children:
            result &= evaluate(child, rows, field, decided)
        return result
    if isinstance(node, AnyOf):
        result = np.zeros(rows, dtype=np.bool_)
        for child in node.children:
            result |= evaluate(child, rows, field, decided)
        return result
    if isinstance(node, Not):
        inner: Mask = ~evaluate(node.child, rows, field, decided)
        return inner
    assert isinstance(node, Always)
    always: Mask = np.ones(rows, dtype=np.bool_)
    return always


def _field_tests(
    node: FieldTests,
    rows: int,
    field: Callable[[tuple[str, ...]], Column],
    decided: Mapping[str, Column],
) -> Mask:
    keys = node.keys
    if keys[0] in decided:
        if len(keys) > 1:  # below a decided value (text): missing
            none: Mask = (
                np.zeros(rows, dtype=np.bool_)
                if node.exists is not False
                else np.ones(rows, dtype=np.bool_)
            )
            return none
        column = decided[keys[0]]
    else:
        column = field(keys)
    if node.exists is False:
        absent: Mask = ~column.present()
        return absent
    if not node.tests:  # `exists: true` alone
        return column.present()
    answers = column.answers(node.tests[0])
    for test in node.tests[1:]:
        answers &= column.answers(test)
    result: Mask = answers[column.codes]
    return result
