"""The source of a policy: strict YAML reading (with locations) and the schema of the file.

``read_source`` accepts what ``load_policy`` accepts (a path, YAML text or a parsed
mapping) and returns the plain data with the document that knows where each value came
from; :mod:`.schema` holds the pydantic models of the file's shape.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from typing import Any

from .._errors import PolicyError, Problem, format_path
from .includes import Included, resolve_includes
from .yaml_reader import MAX_DEPTH, MAX_NODES, SourceDocument, read_yaml, read_yaml_file

__all__ = [
    "Included",
    "SourceDocument",
    "read_source",
    "read_yaml",
    "read_yaml_file",
    "resolve_includes",
]


def read_source(
    source: str | os.PathLike[str] | Mapping[str, Any],
) -> tuple[Any, SourceDocument | None, str | None]:
    """``(data, document, filename)`` for a path, YAML text or mapping (no validation).

    A ``str`` without a line break that does not start with ``{`` is a path; any other
    ``str`` is YAML text. A mapping is copied, so the policy (and its pickle) never changes
    when the caller's mapping does.
    """
    if isinstance(source, Mapping):
        _check_shape(source)  # before copying: deepcopy recurses, and may hit the limit
        return copy.deepcopy(dict(source)), None, None
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and not source.lstrip().startswith("{")
    ):
        doc = read_yaml_file(source)
        return doc.data, doc, doc.filename
    if isinstance(source, str):
        doc = read_yaml(source)
        return doc.data, doc, None
    raise TypeError(
        f"load_policy expects a path, YAML text or a mapping, got {type(source).__name__}"
    )


def _check_shape(data: Mapping[str, Any]) -> None:
    """Refuse a mapping nested deeper than a YAML document may be, or with more values.

    The same limits as YAML text (``MAX_DEPTH``, ``MAX_NODES``), walked without recursion:
    a mapping a few thousand levels deep (or one that contains itself) would otherwise end
    in ``RecursionError`` while it is copied.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    count = 0
    while stack:
        node, path = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise PolicyError([Problem(f"the policy has more than {MAX_NODES:,} values")])
        if len(path) > MAX_DEPTH:
            message = f"the policy nests more than {MAX_DEPTH} levels deep"
            raise PolicyError([Problem(message, format_path(path[: MAX_DEPTH + 1]))])
        if isinstance(node, Mapping):
            stack.extend((value, (*path, str(key))) for key, value in node.items())
        elif isinstance(node, list | tuple):
            stack.extend((value, (*path, index)) for index, value in enumerate(node))
