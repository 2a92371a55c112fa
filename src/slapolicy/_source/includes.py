"""Shared calendar files: ``calendars: {office: {include: calendars/cn-office.yaml}}``.

One file carries the office hours and the official holiday arrangement that ops update once a
year, and every policy includes it. The path is relative to the policy file (to the current
directory for a policy given as text or as a mapping); the file holds one calendar mapping,
read with the same strict YAML reader, and may not include another file.

Includes are resolved before the policy is validated: the compiled policy, its version and
its pickle hold the calendar itself, so a change to the shared file is a new version of every
policy that includes it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .._errors import PolicyError, Problem, format_path
from .yaml_reader import SourceDocument, read_yaml_file

__all__ = ["Included", "resolve_includes"]

#: an included file, by the policy path it replaces (``("calendars", "office")``)
Included = dict[tuple[str | int, ...], SourceDocument]


def resolve_includes(
    data: Any, document: SourceDocument | None, filename: str | None
) -> tuple[Any, Included, list[Problem]]:
    """``(data, included, problems)``: ``data`` with every calendar include replaced by the
    file's mapping (a copy when anything is replaced; the caller's data is not changed)."""
    if not isinstance(data, Mapping):
        return data, {}, []
    calendars = data.get("calendars")
    if not isinstance(calendars, Mapping):
        return data, {}, []
    base = os.path.dirname(filename) if filename else os.getcwd()
    replaced: dict[str, Any] = {}
    included: Included = {}
    problems: list[Problem] = []

    def problem(message: str, path: tuple[str | int, ...]) -> None:
        where = document.locate(path) if document is not None else None
        line, column = where if where is not None else (None, None)
        problems.append(Problem(message, format_path(path), filename, line, column))

    for name, spec in calendars.items():
        if not isinstance(spec, Mapping) or "include" not in spec:
            continue
        path: tuple[str | int, ...] = ("calendars", name)
        if len(spec) > 1:
            others = ", ".join(repr(k) for k in spec if k != "include")
            problem(
                f"a calendar with `include` takes everything from the file; remove {others} "
                "(or copy the calendar here instead of including it)",
                path,
            )
            continue
        target = spec["include"]
        if not isinstance(target, str) or not target.strip():
            problem("`include` must be the path of a calendar file, as text", (*path, "include"))
            continue
        full = os.path.normpath(os.path.join(base, target))
        try:
            doc = read_yaml_file(full)
        except PolicyError as exc:
            if len(exc.problems) == 1 and exc.problems[0].line is None:
                # the file itself cannot be read: say so where the policy names it
                reason = exc.problems[0].message.replace("the policy file", "the calendar file")
                problem(f"{reason}: {full}", (*path, "include"))
            else:
                problems.extend(exc.problems)  # located in the included file
            continue
        if not isinstance(doc.data, Mapping):
            problems.append(
                doc.problem("a calendar file must hold one calendar mapping (hours, holidays...)")
            )
            continue
        if "include" in doc.data:
            problems.append(doc.problem("a calendar file cannot include another one", ("include",)))
            continue
        replaced[name] = doc.data
        included[path] = doc
    if not replaced:
        return data, included, problems
    out = dict(data)
    out["calendars"] = {name: replaced.get(name, spec) for name, spec in calendars.items()}
    return out, included, problems
