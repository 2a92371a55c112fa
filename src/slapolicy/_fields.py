"""Declared ticket fields: :class:`FieldType` and :func:`coerce`.

A policy may declare the fields its conditions read (``fields:`` in the YAML file)::

    fields:
      impact: {enum: [core, major, minor]}   # enum alone: text (numbers if all values are numbers)
      attempts: {type: integer}
      created_at: {type: datetime}
      tags: {type: list}

Declared fields are the only place where slapolicy converts values: everywhere else a
condition compares values exactly as the ticket holds them ("3" never equals 3). For a
declared field, :func:`coerce` converts a ticket value (and, at compile time, every literal a
condition compares it with) to the declared kind:

- ``string``: text; a whole number (not a boolean) becomes its decimal text (404 -> "404").
- ``integer``: whole numbers; integral floats (3.0) and decimal text ("3", "-12") convert.
  Booleans are rejected.
- ``number``: integers and floats; decimal text ("2.5", "1e3") converts. Booleans, NaN and
  infinities are rejected.
- ``boolean``: ``true``/``false``; the text "true", "false", "1", "0" (any case) and the
  integers 1 and 0 convert.
- ``datetime``: a timezone-aware instant. ``datetime`` objects and ISO-8601 text in extended
  form (``2026-05-08T17:30:00+08:00``, ``...Z``, ``2026-05-08 17:30``, ``2026-05-08``) are
  accepted; a value without a UTC offset is read in the time zone passed as ``tz`` and is
  rejected when there is none. A date alone means midnight.
- ``list``: a list (or tuple) of anything; ``any``: anything, unchanged.

An ``enum`` is checked after conversion. ``None`` (a missing value) passes through unchanged.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from ._errors import PolicyError, Problem, format_path

__all__ = [
    "KINDS",
    "MISSING",
    "FieldType",
    "coerce",
    "is_plain_key",
    "join_keys",
    "lookup",
    "path_keys",
    "set_path",
]

KINDS: tuple[str, ...] = ("string", "integer", "number", "boolean", "datetime", "list", "any")
"""The kinds a field can be declared with, as written after ``type:``."""

_ENUM_KINDS = frozenset({"string", "integer", "number"})
_SPEC_KEYS = ("type", "enum", "timezone", "label", "description")
_KIND_ALIASES = {
    "str": "string",
    "text": "string",
    "int": "integer",
    "float": "number",
    "decimal": "number",
    "bool": "boolean",
    "date": "datetime",
    "time": "datetime",
    "timestamp": "datetime",
    "array": "list",
}
_MAX_ENUM = 1000
_MAX_NUMBER_TEXT = 100
_MAX_SHOWN = 60
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BOOLEAN_TEXT = {"true": True, "false": False, "1": True, "0": False}
_ISO_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?",
    re.ASCII,  # \d: 0-9 only (int() would read full-width and other digits too)
)
_YAML_BOOLEAN_HINT = (
    "quote it if you meant text: YAML reads unquoted yes/no/on/off/true/false as booleans"
)


@dataclass(frozen=True, slots=True)
class FieldType:
    """The declared type of one ticket field: a kind and, optionally, the allowed values."""

    kind: str = "any"
    enum: tuple[Any, ...] | None = None
    #: for a datetime field: the zone of its values without a UTC offset (None: the
    #: policy's zone); exports often write UTC without saying so
    timezone: tzinfo | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(
                f"unknown field kind {self.kind!r}; expected one of {', '.join(KINDS)}"
            )
        if self.timezone is not None and self.kind != "datetime":
            raise ValueError(f"a timezone needs kind datetime, not {self.kind}")
        if self.enum is not None:
            if self.kind not in _ENUM_KINDS:
                raise ValueError(f"an enum needs kind string, integer or number, not {self.kind}")
            if not isinstance(self.enum, tuple) or not self.enum:
                raise ValueError("enum must be a non-empty tuple")

    @classmethod
    def from_spec(cls, spec: object, *, path: Sequence[str | int] = ()) -> FieldType:
        """Build a field type from its policy mapping: ``{type: integer}``, ``{enum: [a, b]}``.

        Raises :class:`PolicyError` listing every problem, each at its path below ``path``.
        """
        base = tuple(path)
        if isinstance(spec, str) and spec in KINDS:
            hint = f"write {{type: {spec}}}"
            raise PolicyError(
                [Problem(f"a field declaration must be a mapping; {hint}", _at(base))]
            )
        if not isinstance(spec, Mapping):
            raise PolicyError(
                [
                    Problem(
                        f"a field declaration must be a mapping, got {_describe(spec)}; write it "
                        "like {type: integer} or {enum: [core, major]}",
                        _at(base),
                    )
                ]
            )
        problems: list[Problem] = []
        for key in spec:
            if key not in _SPEC_KEYS:
                problems.append(
                    Problem(
                        f"unknown key {_shown(key)} in field declaration"
                        + _did_you_mean(key, _SPEC_KEYS),
                        _at((*base, key if isinstance(key, str) else str(key))),
                        key=True,
                    )
                )
        for key in ("label", "description"):
            if key in spec and not isinstance(spec[key], str):
                problems.append(
                    Problem(f"{key} must be text, got {_describe(spec[key])}", _at((*base, key)))
                )
        kind: str | None = None
        if "type" in spec:
            raw = spec["type"]
            kind = raw if isinstance(raw, str) and raw in KINDS else None
            if kind is None:
                problems.append(Problem(_bad_kind_message(raw), _at((*base, "type"))))
        enum: tuple[Any, ...] | None = None
        if "enum" in spec:
            enum, kind = _check_enum(spec["enum"], kind, "type" in spec, (*base, "enum"), problems)
        if "timezone" in spec:
            # the zone itself is resolved by the caller (the policy compiler), which knows
            # time zones; here only its place is checked
            if not isinstance(spec["timezone"], str):
                problems.append(
                    Problem(
                        f"timezone must be text like UTC or Asia/Shanghai, got "
                        f"{_describe(spec['timezone'])}",
                        _at((*base, "timezone")),
                    )
                )
            elif kind != "datetime":
                problems.append(
                    Problem(
                        "timezone applies only to a datetime field: add `type: datetime`",
                        _at((*base, "timezone")),
                    )
                )
        if problems:
            raise PolicyError(problems)
        return cls(kind or "any", enum)


def coerce(value: Any, field_type: FieldType, *, tz: tzinfo | None = None) -> Any:
    """Convert ``value`` to the declared kind, raising ``ValueError`` naming what was expected."""
    if value is None:
        return None
    kind = field_type.kind
    if kind == "string":
        result: Any = _to_string(value)
    elif kind == "integer":
        result = _to_integer(value)
    elif kind == "number":
        result = _to_number(value)
    elif kind == "boolean":
        result = _to_boolean(value)
    elif kind == "datetime":
        result = _to_datetime(value, field_type.timezone or tz)
    elif kind == "list":
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"expected a list, got {_describe(value)}")
        result = value
    else:
        result = value
    enum = field_type.enum
    if enum is not None and not _in_enum(result, enum):
        choices = ", ".join(_shown(v) for v in enum[:20]) + (", ..." if len(enum) > 20 else "")
        hint = ""
        if isinstance(result, str):
            hint = _did_you_mean(result, [v for v in enum if isinstance(v, str)])
        raise ValueError(f"{_shown(result)} is not one of {choices}{hint}")
    return result


def _in_enum(value: Any, enum: tuple[Any, ...]) -> bool:
    """Tell whether a converted value is one of the enum values (booleans never match numbers)."""
    return any(type(value) is not bool and type(v) is not bool and value == v for v in enum)


def _to_string(value: Any) -> str:
    """Convert to text: text stays, whole numbers become decimal text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected text, got boolean {value}; {_YAML_BOOLEAN_HINT}")
    if isinstance(value, int):
        if value.bit_length() > 1000:
            raise ValueError("expected text, got an integer with hundreds of digits")
        return str(value)
    raise ValueError(f"expected text, got {_describe(value)}")


def _to_integer(value: Any) -> int:
    """Convert to a whole number: integers, integral floats and decimal digits."""
    if isinstance(value, bool):
        raise ValueError(f"expected an integer, got boolean {value}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise ValueError(f"expected an integer, got {_shown(value)}")
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= _MAX_NUMBER_TEXT and _INTEGER_TEXT.fullmatch(text):
            return int(text)
        raise ValueError(f'expected an integer (like 3 or "3"), got text {_shown(value)}')
    raise ValueError(f"expected an integer, got {_describe(value)}")


def _to_number(value: Any) -> int | float:
    """Convert to a finite number: integers, floats and decimal text."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got boolean {value}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise ValueError(f"expected a finite number, got {value}")
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= _MAX_NUMBER_TEXT:
            if _INTEGER_TEXT.fullmatch(text):
                return int(text)
            if _NUMBER_TEXT.fullmatch(text):
                number = float(text)
                if math.isfinite(number):
                    return number
                raise ValueError(f"expected a finite number, got text {_shown(value)}")
        raise ValueError(f'expected a number (like 2.5 or "2.5"), got text {_shown(value)}')
    raise ValueError(f"expected a number, got {_describe(value)}")


def _to_boolean(value: Any) -> bool:
    """Convert to a boolean: booleans, the texts true/false/1/0 and the integers 1 and 0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str):
        found = _BOOLEAN_TEXT.get(value.strip().lower())
        if found is not None:
            return found
        raise ValueError(f"expected a boolean (true, false, 1 or 0), got text {_shown(value)}")
    raise ValueError(f"expected a boolean (true, false, 1 or 0), got {_describe(value)}")


def _to_datetime(value: Any, tz: tzinfo | None) -> datetime:
    """Convert to an aware datetime: datetimes, dates and ISO-8601 text."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        result = _parse_iso(value, tz)
    else:
        raise ValueError(
            f"expected a date and time (ISO 8601, like '2026-05-08T17:30:00+08:00'), "
            f"got {_describe(value)}"
        )
    if result.tzinfo is None or result.utcoffset() is None:
        if tz is None:
            raise ValueError(
                f"{_shown(value)} has no UTC offset; add one, like '2026-05-08T17:30:00+08:00' "
                "or '...Z'"
            )
        result = result.replace(tzinfo=tz)
    return result


def _parse_iso(text: str, tz: tzinfo | None) -> datetime:
    """Parse ISO-8601 extended text (date, optional time, optional offset) into a datetime."""
    stripped = text.strip()
    found = _ISO_DATETIME.fullmatch(stripped) if len(stripped) <= 64 else None
    if found is None:
        raise ValueError(
            f"expected a date and time in ISO 8601, like '2026-05-08T17:30:00+08:00', "
            f"got text {_shown(text)}"
        )
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = found.groups()
    offset: tzinfo | None = None
    if zulu:
        offset = timezone.utc
    elif sign:
        hours, minutes = int(off_h), int(off_m or 0)
        if hours > 23 or minutes > 59:
            raise ValueError(f"invalid UTC offset in {_shown(text)}")
        delta = timedelta(hours=hours, minutes=minutes)
        offset = timezone(-delta if sign == "-" else delta)
    micro = int((fraction or "0").ljust(6, "0")[:6])
    try:
        result = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=offset,
        )
    except ValueError as error:
        raise ValueError(f"invalid date or time {_shown(text)}: {error}") from None
    return result


def _check_enum(
    raw: object,
    kind: str | None,
    explicit: bool,
    path: tuple[str | int, ...],
    problems: list[Problem],
) -> tuple[tuple[Any, ...] | None, str | None]:
    """Validate an ``enum:`` list, infer the kind when none was given, and convert its values."""
    if not isinstance(raw, (list, tuple)) or not raw:
        problems.append(
            Problem(f"enum must be a non-empty list of values, got {_describe(raw)}", _at(path))
        )
        return None, kind
    if len(raw) > _MAX_ENUM:
        problems.append(
            Problem(f"enum has {len(raw)} values; at most {_MAX_ENUM} are allowed", _at(path))
        )
        return None, kind
    if explicit and kind is None:
        return None, kind  # the bad type is already reported
    if kind is None:
        kind = _infer_enum_kind(raw, path, problems)
        if kind is None:
            return None, None
    if kind not in _ENUM_KINDS:
        problems.append(
            Problem(f"an enum needs type string, integer or number, not {kind}", _at(path))
        )
        return None, kind
    field_type = FieldType(kind)
    values: list[Any] = []
    for index, item in enumerate(raw):
        try:
            value = coerce(item, field_type)
        except ValueError as error:
            problems.append(Problem(f"enum value {error}", _at((*path, index))))
            continue
        if value is None:
            problems.append(Problem("enum values must not be null", _at((*path, index))))
        elif _in_enum(value, tuple(values)):
            problems.append(
                Problem(f"enum value {_shown(value)} is listed twice", _at((*path, index)))
            )
        else:
            values.append(value)
    return (tuple(values) if len(values) == len(raw) else None), kind


def _infer_enum_kind(
    raw: Sequence[object], path: tuple[str | int, ...], problems: list[Problem]
) -> str | None:
    """Infer the kind of an enum given without ``type``: text, or numbers if all are numbers."""
    for index, item in enumerate(raw):
        if isinstance(item, bool):
            problems.append(
                Problem(
                    f"enum value {item} is a boolean; {_YAML_BOOLEAN_HINT}", _at((*path, index))
                )
            )
            return None
    if all(isinstance(item, int) for item in raw):
        return "integer"
    if all(isinstance(item, (int, float)) for item in raw):
        return "number"
    if all(isinstance(item, str) for item in raw):
        return "string"
    problems.append(
        Problem(
            "enum values must be all text or all numbers; add type: string to read them as text",
            _at(path),
        )
    )
    return None


def _bad_kind_message(raw: object) -> str:
    """Explain an unknown ``type:`` value, suggesting the intended kind."""
    expected = ", ".join(KINDS)
    if isinstance(raw, str):
        alias = _KIND_ALIASES.get(raw.strip().lower())
        hint = f"; did you mean {alias!r}?" if alias else _did_you_mean(raw, KINDS)
        return f"unknown field type {_shown(raw)}; expected one of {expected}{hint}"
    return f"field type must be one of {expected}, got {_describe(raw)}"


def _did_you_mean(word: object, choices: Sequence[str]) -> str:
    """Return a ``; did you mean 'x'?`` suffix for the closest choice, or an empty string."""
    if not isinstance(word, str) or len(word) > 200:
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1)
    if not close and word.casefold() != word:
        close = difflib.get_close_matches(word.casefold(), list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _shown(value: object) -> str:
    """Quote a value for a message, shortening long text."""
    if isinstance(value, str) and len(value) > _MAX_SHOWN:
        return repr(value[:_MAX_SHOWN]) + "..."
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"<integer of about {int(value.bit_length() * 0.30103)} digits>"
    if isinstance(value, (str, int, float, bool, date)):
        return repr(value) if isinstance(value, str) else str(value)
    return f"<{type(value).__name__}>"


def _describe(value: object) -> str:
    """Name a value's type and show it, for messages: ``text 'abc'``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {value}"
    if isinstance(value, str):
        return f"text {_shown(value)}"
    if isinstance(value, (int, float)):
        return f"number {_shown(value)}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, datetime):
        return f"datetime {value.isoformat()}"
    if isinstance(value, date):
        return f"date {value.isoformat()}"
    return f"a value of type {type(value).__name__}"


def _at(path: Sequence[str | int]) -> str:
    """Format a YAML path for a :class:`Problem`."""
    return format_path(path)


# --------------------------------------------------------------------------- ticket paths
#
# A field path names a value inside a ticket: dots separate the keys of nested mappings
# (``customer.tier`` is ``ticket["customer"]["tier"]``). A key that itself holds a dot, as
# exports write them (``{"sys.created": ...}``), is written with the dot escaped by a
# backslash: ``sys\.created`` is the one key ``sys.created``, and ``u_meta.sys\.id`` the key
# ``sys.id`` inside ``u_meta``. ``\\`` is one backslash; a backslash before any other
# character is an ordinary character. Conditions, ``fields:``, ``clock.start_field`` and the
# fields of ``updated`` events all read paths through :func:`path_keys`.

#: what :func:`lookup` returns for a field the ticket lacks
MISSING: Any = object()

_ESCAPE = "\\"


@functools.lru_cache(maxsize=4096)
def path_keys(path: str) -> tuple[str, ...]:
    """The keys of a field path: ``customer.tier`` -> ``("customer", "tier")``.

    ``\\.`` is a dot inside a key (``sys\\.created`` -> ``("sys.created",)``) and ``\\\\``
    one backslash; any other backslash stays as written. A path without a dot or a
    backslash is one key, itself. Never raises: an empty key (``a..b``) is an empty string,
    which the condition compiler refuses.
    """
    if _ESCAPE not in path:
        return tuple(path.split("."))
    keys: list[str] = []
    key: list[str] = []
    index, end = 0, len(path)
    while index < end:
        char = path[index]
        if char == _ESCAPE and index + 1 < end and path[index + 1] in "." + _ESCAPE:
            key.append(path[index + 1])
            index += 2
            continue
        if char == ".":
            keys.append("".join(key))
            key = []
        else:
            key.append(char)
        index += 1
    keys.append("".join(key))
    return tuple(keys)


def join_keys(keys: Sequence[str]) -> str:
    """The path that :func:`path_keys` reads back as ``keys`` (dots and backslashes escaped)."""
    return ".".join(
        key.replace(_ESCAPE, _ESCAPE * 2).replace(".", _ESCAPE + ".")
        if ("." in key or _ESCAPE in key)
        else key
        for key in keys
    )


def is_plain_key(path: str) -> bool:
    """True when ``path`` is one key spelled as itself (no dot, no backslash): ``ticket.get``
    reads it."""
    return "." not in path and _ESCAPE not in path


def lookup(ticket: Mapping[str, Any], path: str) -> Any:
    """The value at a field path, or ``MISSING`` (JSON null counts as missing)."""
    value: Any
    if "." not in path and _ESCAPE not in path:  # the common case, without splitting
        value = ticket.get(path)
        return MISSING if value is None else value
    value = ticket
    for part in path_keys(path):
        if not isinstance(value, Mapping):
            return MISSING
        value = value.get(part, MISSING)
        if value is MISSING or value is None:
            return MISSING
    return value


def set_path(ticket: dict[str, Any], path: str, value: Any) -> None:
    """Set a field path in ``ticket``, copying the mappings on the way (never the caller's)."""
    *parents, last = path_keys(path)
    node = ticket
    for part in parents:
        child = node.get(part)
        child = dict(child) if isinstance(child, Mapping) else {}
        node[part] = child
        node = child
    node[last] = value
