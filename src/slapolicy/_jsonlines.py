"""One line of a JSON lines file: its value, or why it has none.

``diff`` reads tickets and ``report`` reads histories one JSON value per line; both say the
same of a line they cannot read (with its number), so the reading and its messages live here.
"""

from __future__ import annotations

import json
from typing import Any, Final

__all__ = ["MAX_LINE", "read_json_line"]

#: the longest line read (a longer one is an error, not a memory spike)
MAX_LINE: Final = 10 * 1024 * 1024


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
