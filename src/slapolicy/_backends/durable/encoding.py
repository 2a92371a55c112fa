"""Ticket values as durable-rules event attributes: value keys, attribute names, slots.

durable-rules' own comparisons coerce across types (``"3" == 3``, ``true == 1``), reject
events holding numbers written with an exponent (``1e-05``: error 204) or infinities, find
integers beyond 64 bits equal (``2**64 == 2**64 + 1``), order text with ``strncmp`` over the
raw JSON (``"ab" < "ab "`` and ``'a"' < "a#"`` come out false; lengths above 65,535 bytes
wrap), and its regular expressions give wrong answers. So no ticket value reaches it as it
is. Each evaluation posts one event per stage (per *chunk*, see :mod:`.lowering`) whose
attributes encode the values by kind, so that a durable-rules comparison can only be true
where the native one is:

- text as the hex of its UTF-8 bytes (order- and equality-preserving, plain ASCII), cut
  after the longest literal it is compared with plus one character (which changes no
  comparison); a second attribute holds the casefolded text for ``case: insensitive``;
- numbers (not booleans) as a 16-hex-digit key of their IEEE-754 double that sorts like
  the number; integers beyond 2**53 as a key beyond every literal (literals beyond 2**53
  are left to the native engine); NaN is absent (it equals and orders with nothing);
- booleans as 0/1 in an attribute of their own; presence (not missing, not null) as 1.

Ticket fields never become attribute names (they are ``f0s``, ``f0n``, ...), so a field
called ``id`` or ``sid`` is an ordinary field here; attribute names are checked against
durable-rules' 32-bit name hashes (:class:`Names`), which is how it finds attributes.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from typing import Any, TypeAlias

from ..._fields import path_keys

__all__ = [
    "MAX_TEXT_BYTES",
    "Json",
    "Names",
    "Slot",
    "View",
    "fnv1a",
    "is_literal",
    "is_number",
    "is_text",
    "number_key",
    "text_key",
    "value_number_key",
]

#: text literals longer than this (UTF-8 bytes) are compared natively
MAX_TEXT_BYTES = 4000

_SAFE_INTEGER = 2**53
_BEYOND = 2.0**60  # stands for every integer beyond 2**53 (no delegated literal is)
_SIGN = 1 << 63
_MASK = (1 << 64) - 1
#: names durable-rules uses itself (its state document and its message keys)
_RESERVED_NAMES = ("id", "sid", "$s", "$i", "$m", "m")

#: a durable-rules rule, expression or event, as JSON-like data
Json: TypeAlias = dict[str, Any]
#: the converted ticket (with the decisions so far) that a stage is selected on
View: TypeAlias = Mapping[str, Any]


# --------------------------------------------------------------------------- value keys


def text_key(text: str) -> str:
    """Hex of the UTF-8 bytes: plain ASCII that sorts and compares like the text."""
    return text.encode("utf-8", "surrogatepass").hex()


def number_key(value: float) -> str:
    """16 hex digits that sort like the number (an IEEE-754 double made unsigned)."""
    if value == 0:
        value = 0.0  # -0.0 == 0
    (bits,) = struct.unpack(">Q", struct.pack(">d", value))
    bits = bits ^ _MASK if bits & _SIGN else bits | _SIGN
    return f"{bits:016x}"


def value_number_key(value: int | float) -> str | None:
    """The key of a ticket number; None for NaN (which equals and orders with nothing)."""
    if isinstance(value, int):
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            return number_key(float(value))
        return number_key(_BEYOND if value > 0 else -_BEYOND)
    if math.isnan(value):
        return None
    return number_key(float(value))


def is_text(value: Any) -> bool:
    """Whether ``value`` is a text literal short enough to be compared by durable-rules."""
    return isinstance(value, str) and len(value.encode("utf-8", "surrogatepass")) <= MAX_TEXT_BYTES


def is_number(value: Any) -> bool:
    """Whether ``value`` is a number literal whose key compares exactly (finite, <= 2**53)."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and -_SAFE_INTEGER <= value <= _SAFE_INTEGER
    )


def is_literal(value: Any) -> bool:
    """Whether durable-rules can test equality with ``value`` exactly (else: natively)."""
    return isinstance(value, bool) or is_text(value) or is_number(value)


# --------------------------------------------------------------------------- names


def fnv1a(name: str) -> int:
    """durable-rules' 32-bit name hash (attributes are found by it, not by name)."""
    value = 0x811C9DC5
    for byte in name.encode("utf-8"):
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


class Names:
    """Attribute names whose durable-rules hashes differ from each other and the engine's."""

    def __init__(self) -> None:
        self._hashes = {fnv1a(name) for name in _RESERVED_NAMES}

    def take(self, wanted: str) -> str:
        """``wanted``, or ``wanted_1``, ``wanted_2``... : the first whose hash is still free."""
        name, n = wanted, 0
        while fnv1a(name) in self._hashes:
            n += 1
            name = f"{wanted}_{n}"
        self._hashes.add(fnv1a(name))
        return name


# --------------------------------------------------------------------------- slots


class Slot:
    """The attributes that carry one ticket field: presence, text, folded text, number, bool.

    Kinds: ``x`` presence, ``s`` text, ``c`` casefolded text, ``n`` number, ``b`` boolean;
    an attribute is made only for the kinds some test reads.
    """

    def __init__(self, path: str, names: Names, serial: int) -> None:
        self.path = path
        self.keys = path_keys(path)
        self._names = names
        self._stem = f"f{serial}"
        self.attrs: dict[str, str] = {}  # kind -> attribute name
        #: the longest text literal compared with ``s`` / ``c`` (the value is cut after it)
        self.text_len = 0
        self.fold_len = 0

    def attr(self, kind: str) -> str:
        """The attribute name of one kind of this field, made on first use."""
        name = self.attrs.get(kind)
        if name is None:
            name = self.attrs[kind] = self._names.take(self._stem + kind)
        return name

    def get(self, view: View) -> Any:
        """The field's value, or None when it is missing (as the native engine reads it)."""
        current: Any = view
        for key in self.keys:
            if not isinstance(current, Mapping):
                return None
            current = current.get(key)
        return current

    def encode(self, view: View) -> dict[str, Any]:
        """The attributes of this field's value (absent ones left out), by attribute name."""
        value = self.get(view)
        if value is None:
            return {}
        attrs = self.attrs
        out: dict[str, Any] = {}
        if "x" in attrs:
            out[attrs["x"]] = 1
        if isinstance(value, str):
            if "s" in attrs:
                out[attrs["s"]] = text_key(value[: self.text_len + 1])
            if "c" in attrs:
                cut = self.fold_len + 1
                out[attrs["c"]] = text_key(value[:cut].casefold()[:cut])
        elif isinstance(value, bool):
            if "b" in attrs:
                out[attrs["b"]] = int(value)
        elif isinstance(value, (int, float)) and "n" in attrs:
            key = value_number_key(value)
            if key is not None:
                out[attrs["n"]] = key
        return out
