"""A compiled ``when:`` condition: its tree, its closure and its trace, in one immutable value.

:func:`compile_condition` checks the data once (:mod:`.compiler`); a :class:`Condition` then
answers ``matches(ticket)`` (the closure of :mod:`.evaluate`, stored on the instance so a
call is one Python call) and ``explain(ticket)`` (the trace of :mod:`.explain`), and hands
its :attr:`~Condition.node` to whatever else walks the tree. It is safe to share between
threads and pickles by recompiling its data.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any, NoReturn

from .._fields import FieldType, path_keys
from .compiler import compile_tree, plain_copy
from .evaluate import Predicate, to_predicate
from .explain import Check, explain
from .tree import Always, Node, Path, iter_field_tests
from .values import show

__all__ = ["Condition", "compile_condition"]


class Condition:
    """A compiled ``when:`` condition; build it with :func:`compile_condition` or :meth:`always`.

    ``matches(ticket) -> bool`` tells whether a ticket satisfies the condition: no trace, no
    parsing, no exceptions. ``explain(ticket)`` says why, test by test; its ``matched``
    always equals ``matches``.
    """

    __slots__ = ("_compiled_with", "_spec", "fields", "matches", "node")

    node: Node
    matches: Predicate
    fields: frozenset[str]
    _spec: Any
    _compiled_with: tuple[Any, ...]

    def __init__(self, node: Node, spec: Any = None, compiled_with: tuple[Any, ...] = ()) -> None:
        object.__setattr__(self, "node", node)
        object.__setattr__(self, "matches", to_predicate(node))
        object.__setattr__(self, "fields", frozenset(f.name for f in iter_field_tests(node)))
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_compiled_with", compiled_with)

    @classmethod
    def always(cls) -> Condition:
        """Return the condition of a default rule, which matches every ticket."""
        return _ALWAYS

    @property
    def is_always(self) -> bool:
        """True for the condition of a rule without ``when``."""
        return isinstance(self.node, Always)

    def explain(self, ticket: Mapping[str, Any]) -> Check:
        """Evaluate with a trace saying why each test matched or not (the slow path)."""
        return explain(self.node, ticket)

    @property
    def spec(self) -> Any:
        """A fresh plain copy of the data it was compiled from (``None`` for :meth:`always`)."""
        return copy.deepcopy(self._spec)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Condition is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("Condition is immutable")

    def __repr__(self) -> str:
        if self._spec is None:
            return "Condition.always()"
        return f"Condition({show(self._spec)})"

    def __reduce__(self) -> tuple[Any, ...]:
        if self._spec is None:
            return (Condition.always, ())
        return (_rebuild, (self._spec, *self._compiled_with))


def compile_condition(
    spec: Any,
    *,
    path: Path = (),
    fields: Mapping[str, FieldType] | None = None,
    tz: tzinfo | None = None,
) -> Condition:
    """Compile condition data into a :class:`Condition`; :class:`PolicyError` lists every problem.

    ``path`` is where the condition sits in the policy (``("priorities", 2, "when")``) and
    prefixes every problem's path; ``fields`` are the declared fields, whose literals are
    converted and checked; ``tz`` is the time zone for date-time literals without an offset.
    """
    node = compile_tree(spec, path=path, fields=fields, tz=tz)
    condition = Condition(node, plain_copy(spec))
    read = {path_keys(name) for name in condition.fields}
    used = {name: ft for name, ft in (fields or {}).items() if path_keys(name) in read}
    object.__setattr__(condition, "_compiled_with", (tuple(path), used or None, tz))
    return condition


def _rebuild(
    spec: Any, path: Path, fields: dict[str, FieldType] | None, tz: tzinfo | None
) -> Condition:
    """Recompile a condition after unpickling."""
    return compile_condition(spec, path=path, fields=fields, tz=tz)


_ALWAYS = Condition(Always())
