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

from .yaml_reader import SourceDocument, read_yaml, read_yaml_file

__all__ = ["SourceDocument", "read_source", "read_yaml", "read_yaml_file"]


def read_source(
    source: str | os.PathLike[str] | Mapping[str, Any],
) -> tuple[Any, SourceDocument | None, str | None]:
    """``(data, document, filename)`` for a path, YAML text or mapping (no validation).

    A ``str`` without a line break that does not start with ``{`` is a path; any other
    ``str`` is YAML text. A mapping is copied, so the policy (and its pickle) never changes
    when the caller's mapping does.
    """
    if isinstance(source, Mapping):
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
