"""Two first-match stages as one generated function: ``classify(t) -> (category, priority)``.

``classify`` asks a ticket the category stage's question and then the priority stage's.
As two generated functions (:func:`.codegen.first_match`) each reads its fields again and
casefolds the text again (0.2 µs for a ticket text of 35 characters, a third of what the
priority stage costs), and the engine calls both. Written as one function the second stage
reads the locals of the first:

.. code-block:: python

    def classify(t):
        v0 = t.get(c0)                      # every read of the first stage, first
        s0 = isinstance(v0, str)
        f0 = r0 = None
        if (c1 in v0 if s0 else ...):
            category = c2                   # the first stage's answer, a category id
        elif ...:
            ...
        else:
            category = c5
        v1 = t.get(c6)                      # the second stage, as first_match writes it
        if (isinstance(v1, str) and v1 == c7) or (c8 in (f0 if ... f0 := v0.casefold())):
            return category, c9
        return category, c10

The first stage's reads all come before its rules, so every local it made is set whichever
rule matched; the second stage then runs as :func:`.codegen.first_match` writes a stage,
with ``category`` bound. The same :class:`.codegen.Source` serves both, so a text field
tested in both is casefolded and searched for patterns at most once.

:func:`first_match_pair` answers None when the two stages are better left apart: a stage
long enough to be indexed, a first stage that reads a ticket field named like a bound name
(its local would be the second stage's decided value), or a keyword scan in the first stage
(moved before its rules it would run for every ticket). The engine then calls the two
functions, as before. ``tests/test_selection.py`` compares the pair with the two stages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .codegen import INDEX_RULES, Selector, Source, build, check_names, emit
from .condition import Condition
from .tree import Always

__all__ = ["first_match_pair"]


def first_match_pair(
    first: Sequence[Condition],
    answers: Sequence[str],
    default: str,
    second: Sequence[Condition],
    second_answers: Sequence[Any],
    second_default: Any,
    *,
    bound: str = "category",
    otherwise: Callable[[Any, str], Any] | None = None,
    name: str = "classify",
) -> Selector | None:
    """``function(t) -> (a, b)``: ``a`` the answer of the first condition of ``first`` that
    holds (``answers[index]``, else ``default``), ``b`` that of ``second`` with ``a`` bound
    as ``bound`` (``second_answers[index]``, else ``otherwise(t, a)`` when given, else
    ``second_default``); None when the stages are better left as two functions (see the
    module's docstring)."""
    check_names(name, (bound,))
    nodes = _reachable(first)
    later = _reachable(second)
    if len(nodes) >= INDEX_RULES or len(later) >= INDEX_RULES:
        return None
    source = Source()
    source.plan(nodes)
    source.plan(later)
    body: list[str] = []
    keyword = "if"
    for rule, node in enumerate(nodes):
        if isinstance(node, Always):  # a rule without `when`: the rest is unreachable
            break
        body.append(f"    {keyword} {emit(node, source)}:")
        body.append(f"        {bound} = {source.constant(answers[rule])}")
        keyword = "elif"
    last = answers[len(nodes) - 1] if nodes and isinstance(nodes[-1], Always) else default
    if keyword == "if":  # (no rule with a condition: the answer is known)
        body.append(f"    {bound} = {source.constant(last)}")
    else:
        body.append("    else:")
        body.append(f"        {bound} = {source.constant(last)}")
    reads = source.take_reads()
    if source.reads((bound,)) or source.scans():
        return None
    lines = [f"def {name}(t):", *(f"    {read}" for read in reads), *body]
    source.bound = (bound,)
    for rule, node in enumerate(later):
        if isinstance(node, Always):
            lines.append(f"    return {bound}, {source.constant(second_answers[rule])}")
            break
        test = emit(node, source)
        lines.extend(f"    {read}" for read in source.take_reads())
        lines.append(f"    if {test}:")
        lines.append(f"        return {bound}, {source.constant(second_answers[rule])}")
    else:
        if otherwise is not None:
            lines.append(f"    return {bound}, {source.constant(otherwise)}(t, {bound})")
        else:
            lines.append(f"    return {bound}, {source.constant(second_default)}")
    return build(name, lines, source.namespace)


def _reachable(conditions: Sequence[Condition]) -> list[Any]:
    """The condition trees of a stage up to its first rule without a condition."""
    nodes = []
    for condition in conditions:
        nodes.append(condition.node)
        if condition.is_always:
            break
    return nodes
