"""The periodic review as one HTML page: what ``slapolicy report --html PAGE`` writes.

The page stands alone and opens offline: plotly.js, the styles, the figures and the data
are all inside it, and it loads nothing (no CDN, no font, no image). Charts are plotly
figures built here and drawn by the browser, so Chinese labels are set in the reader's own
fonts. The page also carries its numbers as JSON (``<script id="slapolicy-report">``:
:func:`page_data`), for a reader's own tools and for the tests.

plotly is optional (the ``report`` extra) and imported only here, only when a page is made.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from .._clock.review import USED_EDGES, Report
from .._durations import format_timedelta
from .._version import __version__

__all__ = ["EXTRA", "page_data", "render_html", "require_plotly", "write_html"]

#: how to install what the page needs
EXTRA = "pip install 'slapolicy[report]'"

#: the font stack of the page and of the charts: the reader's system fonts, CJK included
FONTS = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
)
#: priorities in the policy's order, most urgent first: warm to cool
PRIORITY_COLOURS = ("#d1495b", "#e8871e", "#2a9d8f", "#30638e", "#8d6a9f", "#6c757d")
#: metrics (the stacks of the owners' chart)
METRIC_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
WITHIN, LATE, BAR = "#59a14f", "#e15759", "#4e79a7"
#: bars drawn with their value written on them, at most (more would be unreadable)
_MAX_LABELLED = 16
_PANEL_HEIGHT = 250


def require_plotly() -> None:
    """Raise ``ImportError`` naming the extra when plotly is not installed."""
    try:
        import plotly  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"the HTML page needs plotly ({exc}): {EXTRA}") from None


def page_data(report: Report) -> dict[str, Any]:
    """The numbers the page shows: ``report`` (``Report.to_dict()``, the JSON of ``--json``),
    ``breakdown`` (``Report.breakdown()``), ``used`` (``edges``: :data:`USED_EDGES`,
    ``metrics``: ``Report.used_histogram()``) and ``labels`` (kind -> id -> the policy's
    label, for categories, priorities, SLAs, owners and metrics)."""
    labels = report.setup.labels or {}
    return {
        "report": report.to_dict(),
        "breakdown": report.breakdown(),
        "used": {"edges": list(USED_EDGES), "metrics": report.used_histogram()},
        "labels": {kind: dict(found) for kind, found in labels.items()},
    }


def write_html(report: Report, path: str | os.PathLike[str]) -> None:
    """Write :func:`render_html` of ``report`` to ``path`` (UTF-8)."""
    text = render_html(report)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(text)


def render_html(report: Report) -> str:
    """The review as a self-contained HTML page (about 5 MB, most of it plotly.js)."""
    require_plotly()
    from plotly.offline import get_plotlyjs

    data = page_data(report)
    page = _Page(data["report"], data["breakdown"], data["used"]["metrics"], data["labels"])
    body = page.body()
    script = get_plotlyjs().replace("</script", "<\\/script")
    title = f"{data['report']['policy']['name']}: SLA review {data['report']['now'][:10]}"
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f'<meta name="generator" content="slapolicy {__version__}">\n',
            f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n",
            f"<script>{script}</script>\n</head>\n<body>\n{body}\n",
            _json_script("slapolicy-report", data),
            _json_script("slapolicy-figures", page.figures),
            f"<script>{_DRAW}</script>\n</body>\n</html>\n",
        ]
    )


# --------------------------------------------------------------------------- text


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _json_script(ident: str, value: Any) -> str:
    """JSON in a ``<script>`` that HTML cannot end early: ``<`` is written ``\\u003c``."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c")
    return f'<script type="application/json" id="{ident}">{text}</script>\n'


def _name(ident: str, label: str | None) -> str:
    return ident if not label or label == ident else f"{ident} {label}"


def _duration(seconds: float | None) -> str:
    return "-" if seconds is None else format_timedelta(timedelta(seconds=seconds))


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def _count(value: int) -> str:
    return f"{value:,}"


def _bin_labels() -> list[str]:
    """``0-10%``, ..., ``90-100%``, ``100-150%``, ..., ``>1000%``: the bins of USED_EDGES."""
    lows = (0, *USED_EDGES)
    labels = [f"{low}–{high}%" for low, high in zip(lows, USED_EDGES, strict=False)]
    return [*labels, f">{USED_EDGES[-1]}%"]


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric_from: int = 1) -> str:
    """An HTML table; cells are already escaped; columns from ``numeric_from`` align right."""

    def cells(tag: str, row: Sequence[str]) -> str:
        return "".join(
            f'<{tag} class="num">{c}</{tag}>' if i >= numeric_from else f"<{tag}>{c}</{tag}>"
            for i, c in enumerate(row)
        )

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table><thead><tr>{cells('th', head)}</tr></thead><tbody>{body}</tbody></table>"


# --------------------------------------------------------------------------- the page


class _Page:
    """The sections of the page and the figures they hold (``figures``: div id -> figure)."""

    def __init__(
        self,
        data: Mapping[str, Any],
        breakdown: list[dict[str, Any]],
        used: Mapping[str, list[int]],
        labels: Mapping[str, Mapping[str, str | None]],
    ) -> None:
        self.data = data
        self.breakdown = breakdown
        self.used = used
        self.figures: dict[str, dict[str, Any]] = {}
        self.metrics: dict[str, Any] = data["metrics"]
        self.labels = labels
        priorities = self.ordered("priority", {row["priority"] for row in breakdown})
        self.priority_colour = {
            p: PRIORITY_COLOURS[i % len(PRIORITY_COLOURS)] for i, p in enumerate(priorities)
        }

    def ordered(self, kind: str, found: set[str]) -> list[str]:
        """The ids of ``found`` in the policy's order, others after by name."""
        known = [ident for ident in self.labels.get(kind, {}) if ident in found]
        return known + sorted(found - set(known))

    def shown(self, kind: str, ident: str) -> str:
        """``P1 紧急``: an id with the policy's label."""
        return _name(ident, self.labels.get(kind, {}).get(ident))

    def metric_name(self, name: str) -> str:
        return self.shown("metric", name)

    def body(self) -> str:
        parts = [
            self.header(),
            self.metric_section(),
            self.attainment_section(),
            self.owner_section(),
            self.used_section(),
            self.category_section(),
            self.top_section(),
            self.group_section(),
            self.error_section(),
            f"<footer>Made by slapolicy {_esc(__version__)} (<code>slapolicy report "
            "--html</code>). Counting rules: the periodic review, docs/report.md.</footer>",
        ]
        return "<main>\n" + "\n".join(p for p in parts if p) + "\n</main>"

    def figure(self, ident: str, figure: Any, css: str = "chart") -> str:
        """Keep a plotly figure for the page; its ``<div>`` (drawn by the page's script)."""
        self.figures[ident] = figure.to_plotly_json()
        return f'<div class="{css}" id="{ident}"></div>'

    # ------------------------------------------------------------------ header, tables

    def header(self) -> str:
        data = self.data
        policy = data["policy"]
        errors = data["errors"]
        cards = [
            ("tickets reviewed", _count(data["tickets"]), ""),
            ("histories not read", _count(errors), " bad" if errors else ""),
        ]
        for name in ("response", "resolve"):
            if name in self.metrics:
                shown = _percent(self.metrics[name]["attainment"])
                cards.append((f"{self.metric_name(name)} attained", shown, ""))
        for field, mean in data["mean"].items():
            value = "-" if mean["mean"] is None else f"{mean['mean']:.2f}"
            cards.append((f"mean {field} ({_count(mean['count'])})", value, ""))
        tiles = "".join(
            f'<div class="card{css}"><div class="value">{_esc(value)}</div>'
            f'<div class="what">{_esc(what)}</div></div>'
            for what, value, css in cards
        )
        return (
            f"<header><h1>{_esc(policy['name'])}</h1>"
            '<p class="meta">The periodic review (数据复盘) · policy version '
            f"<code>{_esc(policy['version'])}</code> · reviewed at "
            f"<time>{_esc(data['now'])}</time> · {_count(data['tickets'])} tickets · "
            f"{_count(errors)} {'error' if errors == 1 else 'errors'}</p>"
            f'<div class="cards">{tiles}</div></header>'
        )

    def metric_section(self) -> str:
        metrics = self.metrics
        if not metrics:
            return '<section><h2>SLA by metric</h2><p class="none">No metric was counted.</p>'
        states = ["met", "breached", "running", "pending"]
        states += ["cancelled"] if any(m["cancelled"] for m in metrics.values()) else []
        head = ["metric", "tickets", "cycles", *states, "attained", "median", "p90", "mean"]
        rows = [
            [
                _esc(self.metric_name(name)),
                _count(m["tickets"]),
                _count(m["cycles"]),
                *(_count(m[state]) for state in states),
                _percent(m["attainment"]),
                _duration(m["median_seconds"]),
                _duration(m["p90_seconds"]),
                _duration(m["mean_seconds"]),
            ]
            for name, m in metrics.items()
        ]
        return (
            '<section class="keep"><h2>SLA by metric</h2>'
            f"{_table(head, rows)}"
            '<p class="note">attained = met / (met + breached); median, p90 and mean of the '
            "working time used (pauses excluded) by the cycles met, breached or running.</p>"
            "</section>"
        )

    def top_section(self) -> str:
        out = []
        tickets = self.data["tickets"]
        for field, top in self.data["top"].items():
            rows = []
            for rank, item in enumerate(top["values"], start=1):
                share = item["count"] / tickets if tickets else 0.0
                bar = f'<span class="bar" style="width:{share * 100:.1f}%"></span>'
                value = item["value"]
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                rows.append(
                    [
                        str(rank),
                        _esc(text),
                        _count(item["count"]),
                        _percent(share),
                        f'<span class="track">{bar}</span>',
                    ]
                )
            note = (
                f"{_count(top['tickets'])} tickets with a value, {_count(top['missing'])} "
                f"without; {_count(top['distinct'])} distinct values"
            )
            out.append(
                f'<div class="keep"><h3>TOP {len(top["values"])} <code>{_esc(field)}</code></h3>'
                f"{_table(['#', 'value', 'tickets', 'share', ''], rows, numeric_from=2)}"
                f'<p class="note">{note}</p></div>'
            )
        if not out:
            return ""
        return '<section id="top"><h2>The most frequent problems</h2>' + "".join(out) + "</section>"

    def group_section(self) -> str:
        out = []
        names = list(self.metrics)
        for key, groups in self.data["groups"].items():
            if not groups:
                continue
            head = [key, "tickets", *(_esc(n) for n in names)]
            rows = [
                [
                    _esc(_name(value, group["label"])),
                    _count(group["tickets"]),
                    *(
                        _percent(group["metrics"][n]["attainment"]) if n in group["metrics"] else ""
                        for n in names
                    ),
                ]
                for value, group in groups.items()
            ]
            out.append(f'<div class="keep"><h3>By {_esc(key)}</h3>{_table(head, rows)}</div>')
        if not out:
            return ""
        return (
            '<section id="groups"><h2>Attainment by group</h2>'
            + "".join(out)
            + '<p class="note">attained = met / (met + breached) of each metric in the group '
            "(<code>--by</code>); empty: the metric has no cycle there.</p></section>"
        )

    def error_section(self) -> str:
        data = self.data
        if not data["errors"]:
            return ""
        lines = ", ".join(str(n) for n in data["error_lines"][:50])
        more = len(data["error_lines"]) > 50 or data["errors"] > len(data["error_lines"])
        examples = "".join(f"<li>{_esc(e)}</li>" for e in data["error_examples"])
        return (
            '<section id="errors" class="keep"><h2>Histories that could not be read</h2>'
            f'<p class="bad">{_count(data["errors"])} histories were not counted: '
            f"lines {_esc(lines)}{' and more' if more else ''}.</p><ul>{examples}</ul></section>"
        )

    # ------------------------------------------------------------------ charts

    def attainment_section(self) -> str:
        head = "<section><h2>SLA attainment by month and priority</h2>"
        cells: dict[str, dict[tuple[str, str], list[int]]] = {}
        for row in self.breakdown:
            found = cells.setdefault(row["metric"], {})
            cell = found.setdefault((row["priority"], row["month"]), [0, 0])
            cell[0] += row["met"]
            cell[1] += row["breached"]
        months = sorted({row["month"] for row in self.breakdown})
        charts = []
        for index, name in enumerate(n for n in self.metrics if n in cells):
            found = cells[name]
            if not any(met + breached for met, breached in found.values()):
                continue
            charts.append(self.figure(f"attainment-{index}", self.attainment(name, found, months)))
        if not charts:
            return head + '<p class="none">No cycle was met or breached.</p></section>'
        legend = "".join(
            f'<span class="key"><span class="swatch" style="background:{colour}"></span>'
            f"{_esc(self.shown('priority', p))}"
            "</span>"
            for p, colour in self.priority_colour.items()
        )
        return (
            head + '<p class="note">Per metric: met / (met + breached) of the cycles of each '
            "month (the month the ticket's clock started) and priority (at the review). "
            f'</p><div class="legend">{legend}</div><div class="grid">{"".join(charts)}</div>'
            "</section>"
        )

    def attainment(
        self, name: str, found: Mapping[tuple[str, str], list[int]], months: list[str]
    ) -> Any:
        import plotly.graph_objects as go

        traces = []
        shown = sum(
            1 for p in self.priority_colour for m in months if sum(found.get((p, m), (0, 0)))
        )
        for priority, colour in self.priority_colour.items():
            xs, ys, extra = [], [], []
            for month in months:
                met, breached = found.get((priority, month), (0, 0))
                if met + breached:
                    xs.append(month)
                    ys.append(round(100 * met / (met + breached), 2))
                    extra.append([met, breached])
            if not xs:
                continue
            traces.append(
                go.Bar(
                    name=_plain(self.shown("priority", priority)),
                    x=xs,
                    y=ys,
                    customdata=extra,
                    marker={"color": colour},
                    texttemplate="%{y:.0f}%" if shown <= _MAX_LABELLED else None,
                    textposition="outside",
                    cliponaxis=False,
                    hovertemplate=(
                        "%{fullData.name} · %{x}<br>attained %{y:.1f}%<br>met %{customdata[0]:,}"
                        " · breached %{customdata[1]:,}<extra></extra>"
                    ),
                )
            )
        total = self.metrics[name]["attainment"]
        figure = go.Figure(traces)
        figure.update_layout(
            **_layout(f"<b>{_plain(self.metric_name(name))}</b> · attained {_percent(total)}"),
            barmode="group",
            showlegend=False,
            height=_PANEL_HEIGHT,
            bargap=0.25 if len(traces) * len(months) > 2 else 0.55,
        )
        ticks = [0, 25, 50, 75, 100]
        figure.update_yaxes(range=[0, 115], tickvals=ticks, ticktext=[f"{t}%" for t in ticks])
        figure.update_xaxes(type="category")
        return figure

    def owner_section(self) -> str:
        import plotly.graph_objects as go

        head = '<section class="keep"><h2>Breaches by owner</h2>'
        owners = self.ordered("owner", {row["owner"] for row in self.breakdown})
        names = [n for n in self.metrics if any(r["metric"] == n for r in self.breakdown)]
        if not owners:
            return head + '<p class="none">No cycle was met or breached.</p></section>'
        breached = {(o, n): 0 for o in owners for n in names}
        counted = {(o, n): 0 for o in owners for n in names}
        for row in self.breakdown:
            breached[row["owner"], row["metric"]] += row["breached"]
            counted[row["owner"], row["metric"]] += row["met"] + row["breached"]
        shown = [_plain(self.shown("owner", o)) for o in owners]
        traces = [
            go.Bar(
                name=_plain(self.metric_name(n)),
                orientation="h",
                y=shown,
                x=[breached[o, n] for o in owners],
                customdata=[counted[o, n] for o in owners],
                marker={"color": METRIC_COLOURS[i % len(METRIC_COLOURS)]},
                texttemplate="%{x:,}",
                textposition="inside",
                textangle=0,
                insidetextanchor="middle",
                hovertemplate=(
                    "%{y}<br>%{fullData.name}: %{x:,} breached of %{customdata:,} met or "
                    "breached<extra></extra>"
                ),
            )
            for i, n in enumerate(names)
        ]
        totals = [sum(breached[o, n] for n in names) for o in owners]
        figure = go.Figure(traces)
        layout = _layout(None)
        layout["margin"]["t"] = 40  # (the legend)
        figure.update_layout(
            **layout,
            barmode="stack",
            height=110 + 46 * len(owners),
            legend={
                "orientation": "h",
                "yanchor": "bottom",
                "y": 1.02,
                "x": 0,
                "traceorder": "normal",
            },
            uniformtext={"minsize": 9, "mode": "hide"},
        )
        figure.update_yaxes(autorange="reversed", automargin=True)
        figure.update_xaxes(
            title={"text": "breached cycles"}, range=[0, max(totals, default=0) * 1.1 + 1]
        )
        for label, total in zip(shown, totals, strict=True):
            figure.add_annotation(
                x=total,
                y=label,
                text=f"<b>{total:,}</b>",
                showarrow=False,
                xanchor="left",
                xshift=4,
            )
        note = (
            '<p class="note">Cycles breached, per owning team (at the review) and metric; the '
            "total at the end of each bar.</p>"
        )
        return head + note + self.figure("owners", figure) + "</section>"

    def used_section(self) -> str:
        head = "<section><h2>Working time used against the target</h2>"
        charts = [
            self.figure(f"used-{index}", self.used_chart(name, self.used[name]))
            for index, name in enumerate(self.used)
            if sum(self.used[name])
        ]
        if not charts:
            return head + '<p class="none">No cycle has started.</p></section>'
        return (
            head + '<p class="note">Per metric: the cycles (met, breached, running) by the share '
            "of their target's working time they used (pauses excluded); left of the line, "
            f'within the target. Median and p90 as in the table.</p><div class="grid">'
            f"{''.join(charts)}</div></section>"
        )

    def used_chart(self, name: str, bins: list[int]) -> Any:
        import plotly.graph_objects as go

        late = USED_EDGES.index(100) + 1
        labels = _bin_labels()
        total = sum(bins)
        figure = go.Figure(
            go.Bar(
                x=labels,
                y=bins,
                customdata=[b / total for b in bins],
                marker={"color": [WITHIN if i < late else LATE for i in range(len(bins))]},
                hovertemplate=(
                    "%{x} of the target: %{y:,} cycles (%{customdata:.1%})<extra></extra>"
                ),
            )
        )
        metric = self.metrics[name]
        median, p90 = _duration(metric["median_seconds"]), _duration(metric["p90_seconds"])
        title = f"<b>{_plain(self.metric_name(name))}</b> · median {median} · p90 {p90}"
        figure.update_layout(**_layout(title), height=_PANEL_HEIGHT, bargap=0.08, showlegend=False)
        figure.add_vline(x=late - 0.5, line={"color": "#333", "dash": "dash", "width": 1.5})
        figure.add_annotation(
            x=late - 0.5,
            y=1,
            yref="paper",
            text="target",
            showarrow=False,
            xanchor="left",
            xshift=3,
            font={"size": 11, "color": "#333"},
        )
        figure.update_xaxes(type="category", tickangle=-45, tickfont={"size": 10})
        figure.update_yaxes(title={"text": "cycles"}, rangemode="tozero")
        return figure

    def category_section(self) -> str:
        import plotly.graph_objects as go

        categories = self.data["categories"]
        if not self.data["tickets"]:
            return ""
        names = [_plain(_name(ident, c["label"])) for ident, c in categories.items()]
        figure = go.Figure(
            go.Bar(
                orientation="h",
                y=names,
                x=[c["tickets"] for c in categories.values()],
                text=[f"{c['tickets']:,} · {_percent(c['share'])}" for c in categories.values()],
                textposition="outside",
                cliponaxis=False,
                marker={"color": BAR},
                hovertemplate="%{y}: %{x:,} tickets<extra></extra>",
            )
        )
        figure.update_layout(**_layout(None), height=80 + 36 * len(names), showlegend=False)
        figure.update_yaxes(autorange="reversed", automargin=True)
        most = max((c["tickets"] for c in categories.values()), default=0)
        figure.update_xaxes(title={"text": "tickets"}, range=[0, most * 1.2 + 1])
        return (
            '<section class="keep"><h2>Categories (问题类型分布)</h2>'
            '<p class="note">Every ticket by its category at the review.</p>'
            + self.figure("categories", figure)
            + "</section>"
        )


def _plain(text: str) -> str:
    """Text for plotly, which reads a few HTML tags in labels: ``<`` and ``&`` as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _layout(title: str | None) -> dict[str, Any]:
    return {
        "title": None
        if title is None
        else {"text": title, "x": 0, "xanchor": "left", "font": {"size": 13}},
        "template": "none",  # (plotly's default template: 10 kB more in every figure)
        "font": {"family": FONTS, "size": 12, "color": "#222"},
        "margin": {"l": 56, "r": 24, "t": 36 if title else 24, "b": 40},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "hoverlabel": {"font": {"family": FONTS}},
        "xaxis": {"showgrid": False, "showline": True, "linecolor": "#999", "automargin": True},
        "yaxis": {
            "showgrid": True,
            "gridcolor": "#e6e6e6",
            "showline": True,
            "linecolor": "#999",
            "zeroline": False,
            "automargin": True,
        },
    }


_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --bg: #f6f8fa; --bad: #c0392b; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 FONTS; }
main { max-width: 1000px; margin: 0 auto; padding: 20px 16px 40px; }
header h1 { font-size: 24px; margin: 0 0 4px; }
.meta { color: var(--muted); margin: 0 0 12px; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px;
        min-width: 150px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .what { color: var(--muted); font-size: 12px; }
.card.bad .value, .bad { color: var(--bad); }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px;
          margin: 16px 0; }
h2 { font-size: 17px; margin: 0 0 6px; }
h3 { font-size: 14px; margin: 12px 0 4px; }
.note { color: var(--muted); font-size: 12px; margin: 4px 0 8px; }
.none { color: var(--muted); font-style: italic; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left;
         white-space: nowrap; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num, th.num { text-align: right; }
td:nth-child(2) { white-space: normal; }
.track { display: inline-block; width: 120px; height: 8px; background: #eef1f4;
         border-radius: 4px; }
.bar { display: block; height: 8px; background: #4e79a7; border-radius: 4px; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; }
.chart { width: 100%; min-height: 120px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0 0 6px; font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px;
          vertical-align: -1px; }
footer { color: var(--muted); font-size: 12px; margin-top: 16px; }
@media screen and (max-width: 760px) { .grid { grid-template-columns: 1fr; } }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { background: #fff; font-size: 12px; }
  main { padding: 0; max-width: none; }
  section { border: none; padding: 0; margin: 0 0 10px; }
  .chart, .keep, tr, .card { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h2 + .note, .legend { break-after: avoid; page-break-after: avoid; }
  .modebar-container { display: none !important; }
}
""".replace("FONTS", FONTS)

#: draws every figure of the page; ``data-drawn`` on ``<body>`` says how many when all are done
_DRAW = """
(function () {
  "use strict";
  var figures = JSON.parse(document.getElementById("slapolicy-figures").textContent);
  var config = {
    displaylogo: false,
    displayModeBar: "hover",
    modeBarButtons: [["toImage"]],
    responsive: true,
    toImageButtonOptions: {format: "png", scale: 2}
  };
  var drawing = Object.keys(figures).map(function (id) {
    var figure = figures[id];
    return Plotly.newPlot(id, figure.data, figure.layout, config);
  });
  Promise.all(drawing).then(function () {
    document.body.setAttribute("data-drawn", String(drawing.length));
  });
})();
"""
