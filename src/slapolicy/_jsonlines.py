"""JSON lines files: one line's value or why it has none, and a file cut in parts of whole
lines for several processes.

``diff`` reads tickets and ``report`` reads histories one JSON value per line, on every
core; both cut files and say what a line they cannot read is (with its number) the same way,
so that lives here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from itertools import pairwise
from typing import Any, Final

try:  # the batch extra
    import orjson
except ImportError:  # pragma: no cover - exercised by the tests without the extra
    orjson = None  # type: ignore[assignment]

__all__ = ["MAX_LINE", "line_parts", "read_json_line", "read_lines", "read_object_fast"]

#: the longest line read (a longer one is an error, not a memory spike)
MAX_LINE: Final = 10 * 1024 * 1024
#: bytes read at a time when counting the lines of a range (or skipping an overlong line):
#: counting is as fast in 1 MiB blocks as in 16 MiB ones, and the parent of a review on all
#: cores peaked 30 MB higher with 16 MiB (two blocks alive while the next is read)
_BLOCK: Final = 1024 * 1024
#: every digit made a NUL byte (which a line orjson accepts never holds otherwise), so that
#: 19 digits in a row, maybe an integer outside 64 bits that orjson would read as a float
#: (-9223372036854775809 has 19), are found with one substring search (0.3 us per line; a
#: regular expression took 1.6 us)
_DIGITS_TO_NUL: Final = bytes(0 if ord("0") <= b <= ord("9") else b for b in range(256))
_LONG_NUMBER: Final = b"\x00" * 19


def read_object_fast(raw: bytes) -> dict[str, Any] | None:
    """The JSON object of a line when orjson reads it exactly as :func:`read_json_line`
    would; None: read the line with :func:`read_json_line` (it may be no object, broken, or
    a line orjson reads differently), or orjson is not installed.

    Speed trick: orjson reads a line 3-4x faster than the json module (1.1 against 4.2 us
    for a 190-byte ticket, 3.6 against 10.9 us for a history of 5 events). It reads every
    line it accepts exactly as json does, except integers outside 64 bits, below -2**63 or
    above 2**64 - 1 (it makes them floats; each has 19 digits or more): such lines, and
    every line it refuses (NaN, a BOM, lone surrogates, broken JSON), go to json, whose
    answers and messages are the reference's.
    """
    if orjson is None or len(raw) > MAX_LINE or _LONG_NUMBER in raw.translate(_DIGITS_TO_NUL):
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def read_json_line(raw: bytes, *, invalid: str = "") -> tuple[Any, str | None]:
    """``(value, None)`` for a line of JSON, ``(None, why)`` for one that is not (callers
    pass over blank lines first). ``invalid`` prefixes the message of broken JSON."""
    if len(raw) > MAX_LINE:
        return None, "line longer than 10 MiB"
    try:
        return json.loads(raw), None
    except json.JSONDecodeError as exc:  # one line: its column, or its end
        where = f"column {exc.colno}" if exc.lineno == 1 else "the end of the line"
        return None, f"{invalid}{exc.msg} at {where}"
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except RecursionError:
        return None, "nested too deeply"


def line_parts(path: str, parts: int, min_bytes: int) -> list[tuple[int, int, int]]:
    """Byte ranges of whole lines, ``(start, end, number of the first line)``.

    At most ``parts`` ranges of at least ``min_bytes`` each (one range for a small file or
    a pipe, ``end`` -1: read to the end). Cuts fall at line starts, so a process reads
    whole lines and numbers them from its range's first line.
    """
    size = os.path.getsize(path) if os.path.isfile(path) else 0
    count = min(parts, size // max(min_bytes, 1))
    if count <= 1:
        return [(0, -1, 1)]
    cuts = [0]
    with open(path, "rb") as stream:
        for k in range(1, count):
            stream.seek(max(size * k // count - 1, 0))
            stream.readline()  # to the start of the line after the byte before the cut
            cut = stream.tell()
            if cuts[-1] < cut < size:
                cuts.append(cut)
        cuts.append(size)
        out: list[tuple[int, int, int]] = []
        line = 1
        for start, end in pairwise(cuts):
            out.append((start, end, line))
            stream.seek(start)
            left = end - start
            while left > 0:
                block = stream.read(min(_BLOCK, left))
                if not block:
                    break
                line += block.count(b"\n")
                left -= len(block)
    return out


def read_lines(path: str, start: int, end: int, first: int) -> Iterator[tuple[int, bytes]]:
    """``(line number, raw line)`` of the lines in ``[start, end)`` (``end`` -1: to the end).

    A line longer than :data:`MAX_LINE` is returned cut at that length plus one byte (its
    length is all the reader needs to refuse it).
    """
    with open(path, "rb") as stream:
        if start:
            stream.seek(start)
        position, number = start, first
        while end < 0 or position < end:
            raw = stream.readline(MAX_LINE + 1)
            if not raw:
                return
            position += len(raw)
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                while True:  # skip the rest of an overlong line
                    rest = stream.readline(_BLOCK)
                    position += len(rest)
                    if not rest or rest.endswith(b"\n"):
                        break
            yield number, raw
            number += 1
