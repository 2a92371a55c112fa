"""The periodic review as text: what ``slapolicy report`` prints (``Policy.report`` counts).

Columns are padded by display width, so Chinese labels (two columns each on a terminal)
line up with the numbers. Durations are written as policies write them (``1h30m``); the
JSON (``Report.to_dict()``) has seconds.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from typing import Any

from .._clock.review import Report
from .._durations import format_timedelta

__all__ = ["render_report"]


def render_report(report: Report) -> str:
    """A readable summary: attainment per metric, categories, groups, TOP N, means, errors."""
    data = report.to_dict()
    policy = data["policy"]
    out = [
        f"{policy['name']} ({policy['version']})",
        f"{data['tickets']:,} tickets reviewed at {data['now']}",
    ]
    metrics: dict[str, Any] = data["metrics"]
    if metrics:
        out += ["", *_metric_table(metrics)]
    if data["tickets"]:
        out += ["", *_category_table(data["categories"])]
    for key, groups in data["groups"].items():
        if groups:
            out += ["", *_group_table(key, groups, list(metrics))]
    for field, top in data["top"].items():
        out += ["", *_top_table(field, top, data["tickets"])]
    if data["mean"]:
        out.append("")
        for field, mean in data["mean"].items():
            value = "-" if mean["mean"] is None else f"{mean['mean']:.2f}"
            ignored = f"; {mean['ignored']:,} ignored" if mean["ignored"] else ""
            missing = f" ({mean['missing']:,} missing)" if mean["missing"] else ""
            out.append(f"mean {field}: {value} over {mean['count']:,} tickets{ignored}{missing}")
    if report.errors:
        plural = "history" if report.errors == 1 else "histories"
        out += [
            "",
            f"{report.errors:,} {plural} could not be read: {report.describe_error_lines()}",
        ]
        out += [f"    {example}" for example in report.error_examples]
    return "\n".join(out)


def _name(ident: str, label: str | None) -> str:
    return ident if not label or label == ident else f"{ident} {label}"


def _duration(seconds: float | None) -> str:
    return "-" if seconds is None else format_timedelta(timedelta(seconds=seconds))


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def _metric_table(metrics: dict[str, Any]) -> list[str]:
    """One line per metric; ``cancelled`` only when some cycle was cancelled."""
    states = ["met", "breached", "running", "pending"]
    states += ["cancelled"] if any(m["cancelled"] for m in metrics.values()) else []
    head = ["SLA by metric", "tickets", "cycles", *states, "attained", "median", "p90"]
    rows = [
        [
            _name(name, m["label"]),
            f"{m['tickets']:,}",
            f"{m['cycles']:,}",
            *(f"{m[state]:,}" for state in states),
            _percent(m["attainment"]),
            _duration(m["median_seconds"]),
            _duration(m["p90_seconds"]),
        ]
        for name, m in metrics.items()
    ]
    return _table(head, rows)


def _category_table(categories: dict[str, Any]) -> list[str]:
    rows = [
        [_name(ident, c["label"]), f"{c['tickets']:,}", _percent(c["share"])]
        for ident, c in categories.items()
    ]
    return _table(["Categories", "tickets", "share"], rows)


def _group_table(key: str, groups: dict[str, Any], metrics: list[str]) -> list[str]:
    """One line per group: its tickets and the attainment of each metric."""
    head = [f"By {key} (attained)", "tickets", *metrics]
    rows = []
    for value, group in groups.items():
        found = group["metrics"]
        cells = [_percent(found[name]["attainment"]) if name in found else "" for name in metrics]
        rows.append([_name(value, group["label"]), f"{group['tickets']:,}", *cells])
    return _table(head, rows)


def _top_table(field: str, top: dict[str, Any], tickets: int) -> list[str]:
    values = top["values"]
    title = (
        f"TOP {len(values)} {field} ({top['tickets']:,} tickets with a value, "
        f"{top['distinct']:,} distinct)"
    )
    rows = [
        [f"{rank}. {item['value']}", f"{item['count']:,}", _percent(item["count"] / tickets)]
        for rank, item in enumerate(values, start=1)
    ]
    return _table([title, "count", "share"], rows)


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    """The first column left-aligned and indented under its title, the others right-aligned."""
    widths = [max([_width(r[i]) for r in rows] + [0]) for i in range(len(head))]
    widths = [max(widths[0] + 2, _width(head[0])), *widths[1:]]
    widths[1:] = [max(w, _width(h)) for w, h in zip(widths[1:], head[1:], strict=True)]
    lines = ["  ".join([_left(head[0], widths[0]), *_rights(head[1:], widths[1:])]).rstrip()]
    for row in rows:
        first = _left("  " + row[0], widths[0])
        lines.append("  ".join([first, *_rights(row[1:], widths[1:])]).rstrip())
    return lines


def _rights(cells: list[str], widths: list[int]) -> list[str]:
    return [" " * (w - _width(c)) + c for c, w in zip(cells, widths, strict=True)]


def _left(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _width(text: str) -> int:
    """Columns on a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
