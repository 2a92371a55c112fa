"""The scalars of policy YAML: which tag a plain scalar has, and what value a tag's text has.

Plain scalars are typed after the YAML 1.2 core schema, plus PyYAML's timestamps and the
merge key ``<<`` (see :mod:`.yaml_reader` for the rules as a policy author sees them).
:class:`Resolver` gives the tag of a scalar (the composer of :mod:`.yaml_nodes` asks it);
:data:`CONSTRUCTORS` turns a scalar's text into its value (the reader calls them), raising
:class:`ValueError` when the text does not fit its tag (``!!int abc``, ``2026-02-30``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import TypeAlias

from yaml.resolver import BaseResolver

__all__ = [
    "CONSTRUCTORS",
    "KINDS",
    "MAP",
    "MERGE",
    "NULL",
    "PREFIX",
    "SEQ",
    "STR",
    "Resolver",
    "YamlValue",
]

YamlValue: TypeAlias = (
    "dict[str, YamlValue] | list[YamlValue] | str | int | float | bool | date | datetime | None"
)

#: the prefix of the standard tags (``!!str`` is ``tag:yaml.org,2002:str``)
PREFIX = "tag:yaml.org,2002:"
STR = PREFIX + "str"
INT = PREFIX + "int"
FLOAT = PREFIX + "float"
BOOL = PREFIX + "bool"
NULL = PREFIX + "null"
TIMESTAMP = PREFIX + "timestamp"
MAP = PREFIX + "map"
SEQ = PREFIX + "seq"
MERGE = PREFIX + "merge"

_BOOL_RE = re.compile(r"true|True|TRUE|false|False|FALSE")
_NULL_RE = re.compile(r"~|null|Null|NULL|")
_INT_RE = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_MERGE_RE = re.compile(r"<<")
# PyYAML's timestamp forms (YAML 1.1): a date, or a date and time with an optional offset.
_TIMESTAMP_RE = re.compile(
    r"""(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})
    |(?P<tyear>[0-9]{4})-(?P<tmonth>[0-9]{1,2})-(?P<tday>[0-9]{1,2})
     (?:[Tt]|[ \t]+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})
     (?:\.(?P<fraction>[0-9]*))?
     (?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9]{1,2})(?::(?P<tz_minute>[0-9]{2}))?))?""",
    re.VERBOSE,
)


class Resolver(BaseResolver):
    """Plain-scalar typing after the YAML 1.2 core schema, plus timestamps and ``<<``."""


for _tag, _regexp, _first in (
    (BOOL, _BOOL_RE, "tTfF"),
    (INT, _INT_RE, "-+0123456789"),
    (FLOAT, _FLOAT_RE, "-+0123456789."),
    (NULL, _NULL_RE, ["~", "n", "N", ""]),
    (MERGE, _MERGE_RE, "<"),
    (TIMESTAMP, _TIMESTAMP_RE, "0123456789"),
):
    # add_implicit_resolver matches from the start only: anchor the end ourselves
    Resolver.add_implicit_resolver(
        _tag, re.compile(f"(?:{_regexp.pattern})\\Z", _regexp.flags), list(_first)
    )
del _tag, _regexp, _first


def _construct_null(text: str) -> None:
    if not _NULL_RE.fullmatch(text):
        raise ValueError("")


def _construct_bool(text: str) -> bool:
    if not _BOOL_RE.fullmatch(text):
        raise ValueError("only true or false")
    return text.lower() == "true"


def _construct_int(text: str) -> int:
    if not _INT_RE.fullmatch(text):
        raise ValueError("")
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    try:
        return int(text, 10)
    except ValueError:  # Python refuses very long numbers
        raise ValueError("too many digits") from None


def _construct_float(text: str) -> float:
    if not _FLOAT_RE.fullmatch(text):
        raise ValueError("")
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)


def _construct_timestamp(text: str) -> date | datetime:
    match = _TIMESTAMP_RE.fullmatch(text)
    if match is None:
        raise ValueError("expected a date (2026-10-01) or a timestamp (2026-10-01T09:00:00+08:00)")
    part = match.groupdict()
    if part["year"] is not None:
        return date(int(part["year"]), int(part["month"]), int(part["day"]))
    microsecond = int((part["fraction"] or "")[:6].ljust(6, "0"))
    tzinfo: timezone | None = None
    if part["tz_sign"]:
        offset = timedelta(hours=int(part["tz_hour"]), minutes=int(part["tz_minute"] or 0))
        tzinfo = timezone(-offset if part["tz_sign"] == "-" else offset)
    elif part["tz"]:
        tzinfo = timezone.utc
    return datetime(
        int(part["tyear"]),
        int(part["tmonth"]),
        int(part["tday"]),
        int(part["hour"]),
        int(part["minute"]),
        int(part["second"]),
        microsecond,
        tzinfo=tzinfo,
    )


#: what a problem calls a value of each tag but ``!!str``
KINDS = {
    NULL: "null",
    BOOL: "boolean",
    INT: "integer",
    FLOAT: "number",
    TIMESTAMP: "date",
}

#: the scalar tags a policy may use, each with the function that reads its text
CONSTRUCTORS: dict[str, Callable[[str], YamlValue]] = {
    STR: str,
    NULL: _construct_null,
    BOOL: _construct_bool,
    INT: _construct_int,
    FLOAT: _construct_float,
    TIMESTAMP: _construct_timestamp,
}
