"""Ticket values as conditions see them: their kind, their equality key, how they are shown.

Conditions never coerce (``"3"`` never equals ``3``, ``true`` never equals ``1``), so every
comparison first asks which JSON-like *kind* a value is. These helpers are shared by the
operators, the compiler's messages and the trace.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

__all__ = ["describe", "encode", "is_aware", "kind_of", "show", "value_key"]


class _ShortRepr(reprlib.Repr):
    """A ``reprlib.Repr`` that stays short and never fails on huge integers."""

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = 80
        self.maxother = 80
        self.maxlevel = 3
        self.maxlist = 8
        self.maxtuple = 8
        self.maxdict = 6

    def repr_int(self, x: int, level: int) -> str:
        """Show huge integers by size instead of converting all their digits."""
        if x.bit_length() > 256:
            return f"<integer of about {int(x.bit_length() * 0.30103)} digits>"
        return super().repr_int(x, level)

    def repr_tuple(self, x: tuple[Any, ...], level: int) -> str:
        """Show tuples as lists, as they came from the policy."""
        return self.repr_list(list(x), level)


_SHORT_REPR = _ShortRepr()


def show(value: Any) -> str:
    """Show a value in a message or trace, shortened."""
    try:
        return _SHORT_REPR.repr(value)
    except Exception:  # a broken __repr__ in a caller's object must not break a trace
        return f"<{type(value).__name__}>"


def is_aware(value: datetime) -> bool:
    """Tell whether a datetime carries a UTC offset."""
    return value.tzinfo is not None and value.utcoffset() is not None


def kind_of(value: Any) -> str:
    """Name the JSON-like kind of a value: string, number, boolean, list, mapping, ..."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, datetime):
        return "datetime" if is_aware(value) else "naive datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Mapping):
        return "mapping"
    if value is None:
        return "null"
    return type(value).__name__


def value_key(value: Any, fold: bool) -> tuple[str, Any] | None:
    """A hashable key under which two values are equal exactly when the keys are equal.

    None for values that equal nothing (lists, mappings, naive datetimes, other objects).
    """
    if isinstance(value, str):
        return ("string", value.casefold() if fold else value)
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, datetime):
        return ("datetime", value) if is_aware(value) else None
    if isinstance(value, date):
        return ("date", value)
    return None


def encode(text: str) -> bytes:
    """Encode text as UTF-8 for RE2, passing lone surrogates through instead of failing."""
    return text.encode("utf-8", "surrogatepass")


def describe(value: Any) -> str:
    """Name a value's kind and show it, for compile-time messages: ``text 'abc'``."""
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    kind = {"string": "text"}.get(kind_of(value), kind_of(value))
    return f"{kind} {show(value)}"
