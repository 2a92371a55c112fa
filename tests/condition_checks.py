"""Evaluate a condition every way the library does, and insist that the ways agree.

Shared by the semantics tables of tests/test_items.py and tests/test_field_paths.py (the
tables of tests/test_conditions.py have their own copy of the same helper).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from slapolicy._conditions import compile_condition
from slapolicy._conditions.codegen import predicate, reference_first_match


def agree(spec: Any, ticket: Any, **options: Any) -> bool:
    """Compile ``spec``; its closures, trace, generated code and reference selection must
    give one answer, which is returned. The trace must also render."""
    condition = compile_condition(spec, path=("when",), **options)
    fast = condition.matches(ticket)
    check = condition.explain(ticket)
    assert check.matched is fast, check.describe()
    assert isinstance(check.describe(), str)
    if isinstance(ticket, Mapping):
        compiled = predicate(condition)
        assert compiled.source is not None
        assert compiled.function(ticket) is fast, compiled.source
        bound = predicate(condition, bound=("category",))
        view = {**ticket, "category": "decided"}
        assert bound.function(ticket, "decided") is condition.matches(view), bound.source
        first = reference_first_match([condition], default=-1)
        assert (first(ticket) == 0) is fast
    return fast


def case(spec: Any, ticket: Any, expected: bool, name: str) -> Any:
    """One row of a semantics table."""
    return pytest.param(spec, ticket, expected, id=name)
