"""``slapolicy report --html``: the review as one offline page (docs/report.md, "The HTML page").

* The page loads nothing: no ``src``/``href`` to the network, no ``url()`` in its styles.
* It carries the numbers of the review as JSON, equal to ``Report.to_dict()``, and its charts
  hold the same numbers (attainment, breaches, categories, working time used).
* A real Chromium (headless, driven over the DevTools protocol on a pipe, stdlib only) opens
  it: no console error, no exception, no request but the file itself; every chart drawn (its
  SVG, its bars and its labels, Chinese ones included, in the DOM); no sideways scrolling on a
  laptop screen; a landscape PDF; a screenshot in the test's folder (and, with
  ``SLAPOLICY_DOCS_IMAGES=1``, in ``docs/images/report.png``). The same check is run on pages
  with a deliberate error, so that it can fail.

Chromium is the Debian package (``.ci/run`` installs it). Under CI (``CI=true``) a missing
Chromium fails these tests; elsewhere they are skipped with that message.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import slapolicy
from slapolicy import Report
from slapolicy._clock import review_run
from slapolicy._clock.review import USED_EDGES
from slapolicy._tooling.report_html import page_data, render_html, require_plotly
from slapolicy.cli import main

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "service-levels.yaml"
SERVICE = slapolicy.load_policy(POLICY)
NOW = "2026-06-01T09:00:00+08:00"
OPTIONS: dict[str, Any] = {
    "now": NOW,
    "by": ["priority", "owner"],
    "top": "text",
    "mean": "satisfaction",
    "jobs": 1,
}


def docs_histories(path: Path) -> Path:
    """The worked example of docs/report.md: 1,000 histories of May 2026, with Chinese texts."""
    text = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    block = re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)[0]
    assert '"history.jsonl"' in block
    code = block.replace('"history.jsonl"', repr(str(path)))
    exec(compile(code, "report.md", "exec"), {"__name__": "docs_history"})
    return path


@pytest.fixture(scope="module")
def histories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return docs_histories(tmp_path_factory.mktemp("history") / "history.jsonl")


@pytest.fixture(scope="module")
def report(histories: Path) -> Report:
    return SERVICE.report(histories, **OPTIONS)


@pytest.fixture(scope="module")
def page(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


def json_script(text: str, ident: str) -> Any:
    found = re.search(rf'<script type="application/json" id="{ident}">(.*?)</script>', text, re.S)
    assert found is not None, ident
    return json.loads(found.group(1))


# --------------------------------------------------------------------------- the page itself


class Loads(HTMLParser):
    """Every attribute of the page that could load something, and the text of its styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self.scripts = 0
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "data", "action", "xlink:href"):
                self.loads.append((tag, name, value or ""))
            if name == "style":
                self.styles.append(value or "")
        self.scripts += tag == "script"
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def test_the_page_loads_nothing_from_anywhere(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    found = Loads()
    found.feed(text)
    assert found.scripts >= 4  # plotly.js, the data, the figures, the drawing
    assert found.loads == []  # no <script src>, <link href>, <img src>, <a href>, ...
    styles = "\n".join(found.styles)
    assert "url(" not in styles
    assert "@import" not in styles
    assert not re.search(r"<(link|img|iframe|object|embed|base)\b", text, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text.split("<script>")[0])


def test_the_page_holds_the_numbers_of_the_json(report: Report, page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    data = json_script(text, "slapolicy-report")
    assert data["report"] == json.loads(json.dumps(report.to_dict()))
    assert data == json.loads(json.dumps(page_data(report)))
    assert data["used"]["edges"] == list(USED_EDGES)
    assert data["labels"]["priority"]["P1"] == "紧急"
    # the header says what the review is
    assert "服务等级表" in text
    assert report.to_dict()["policy"]["version"] in text
    assert NOW in text
    assert "1,000 tickets" in text
    assert "0 errors" in text
    # the TOP 5 table and the means
    for item in report.to_dict()["top"]["text"]["values"]:
        assert f"<td>{item['value']}</td>" in text
    assert "3.39" in text


def test_the_charts_hold_the_numbers_of_the_json(report: Report, page: Path) -> None:
    data = report.to_dict()
    figures = json_script(page.read_text(encoding="utf-8"), "slapolicy-figures")
    # categories: tickets per category, in the policy's order
    bars = figures["categories"]["data"][0]
    assert bars["x"] == [c["tickets"] for c in data["categories"].values()]
    assert bars["y"][0] == "outage 系统故障"
    # breaches by owner: one stack per metric, one bar per owner, as --by owner counts them
    owners = data["groups"]["owner"]
    for trace in figures["owners"]["data"]:
        metric = trace["name"].split()[0]
        want = [g["metrics"].get(metric, {}).get("breached", 0) for g in owners.values()]
        assert trace["x"] == want, metric
    assert figures["owners"]["data"][0]["y"][0] == "tech-support 技术支持组"
    # attainment by month and priority: one month here, so each bar is a priority's figure
    priorities = data["groups"]["priority"]
    panels = [f for name, f in figures.items() if name.startswith("attainment-")]
    assert len(panels) == len(data["metrics"])
    for panel in panels:
        metric = re.sub(r"<.*?>", "", panel["layout"]["title"]["text"]).split()[0]
        for trace in panel["data"]:
            group = priorities[trace["name"].split()[0]]["metrics"][metric]
            assert trace["x"] == ["2026-05"]
            assert trace["y"] == [round(100 * group["attainment"], 2)]
            assert trace["customdata"] == [[group["met"], group["breached"]]]
    # working time used against the target: every timed cycle once, the breaches past the line
    used = [f for name, f in figures.items() if name.startswith("used-")]
    assert len(used) == len(data["metrics"])
    for panel, (metric, counts) in zip(used, data["metrics"].items(), strict=True):
        bins = panel["data"][0]["y"]
        assert len(bins) == len(USED_EDGES) + 1
        assert sum(bins) == counts["met"] + counts["breached"] + counts["running"]
        assert sum(bins[USED_EDGES.index(100) + 1 :]) >= counts["breached"], metric


def shifted(history: dict[str, Any], days: int) -> dict[str, Any]:
    """The same history ``days`` earlier."""

    def move(text: str) -> str:
        return (datetime.fromisoformat(text) - timedelta(days=days)).isoformat()

    ticket = {**history["ticket"], "created_at": move(history["ticket"]["created_at"])}
    events = [{**e, "at": move(e["at"])} for e in history["events"]]
    return {"ticket": ticket, "events": events}


def test_the_breakdown_adds_up_to_the_groups_over_three_months(
    histories: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = histories.read_text(encoding="utf-8").splitlines()
    items = [shifted(json.loads(line), 31 * (n % 3)) for n, line in enumerate(lines)]
    path = tmp_path / "quarter.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    options = {**OPTIONS, "by": ["month", "priority", "owner"]}
    one = SERVICE.report(path, **options)
    data = one.to_dict()
    assert list(data["groups"]["month"]) == ["2026-03", "2026-04", "2026-05"]
    rows = one.breakdown()
    assert [r["month"] for r in rows] == sorted(r["month"] for r in rows)
    for key, groups in data["groups"].items():
        for value, group in groups.items():
            for metric, counts in group["metrics"].items():
                mine = [r for r in rows if r[key] == value and r["metric"] == metric]
                assert sum(r["met"] for r in mine) == counts["met"], (key, value, metric)
                assert sum(r["breached"] for r in mine) == counts["breached"]
    # parts reviewed by two processes merge into the same breakdown and histogram
    monkeypatch.setattr(review_run, "MIN_PART_BYTES", 20_000)
    two = SERVICE.report(path, **{**options, "jobs": 2})
    assert two.to_dict() == data
    assert two.breakdown() == rows
    assert two.used_histogram() == one.used_histogram()
    # and the page draws three months per priority
    figures = json_script(render_html(one), "slapolicy-figures")
    assert {m for t in figures["attainment-0"]["data"] for m in t["x"]} == {
        "2026-03",
        "2026-04",
        "2026-05",
    }


def test_text_that_looks_like_html_stays_text(tmp_path: Path) -> None:
    nasty = "</script><script>alert(1)</script> & <b>x</b>"
    item = {
        "ticket": {
            "id": "T-1",
            "type": "outage",
            "impact": "core",
            "urgency": "high",
            "text": nasty,
            "created_at": "2026-05-11T10:00:00+08:00",
        },
        "events": [{"type": "responded", "at": "2026-05-11T10:05:00+08:00"}],
    }
    review = SERVICE.report([item], now=NOW, top="text", jobs=1)
    text = render_html(review)
    assert nasty not in text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in text
    assert json_script(text, "slapolicy-report")["report"]["top"]["text"]["values"][0] == {
        "value": nasty,
        "count": 1,
    }


def test_an_empty_review_still_makes_a_page() -> None:
    text = render_html(SERVICE.report([], now=NOW, jobs=1))
    assert "No cycle was met or breached." in text
    assert json_script(text, "slapolicy-figures") == {}


# --------------------------------------------------------------------------- the command


def test_the_command_writes_the_page(histories: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    args = ["report", str(POLICY), "--history", str(histories), "--now", NOW, "--html", str(out)]
    result = CliRunner().invoke(main, [*args, "--top", "text", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "1,000 tickets reviewed" in result.stdout  # the summary is printed as ever
    text = out.read_text(encoding="utf-8")
    assert json_script(text, "slapolicy-report")["report"]["tickets"] == 1000
    missing = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "nope" / "r.html")])
    assert missing.exit_code == 2
    assert "no such directory" in missing.stderr


def test_without_plotly_the_command_names_the_extra(
    histories: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "plotly", None)  # import plotly raises ImportError
    with pytest.raises(ImportError, match=re.escape("pip install 'slapolicy[report]'")):
        require_plotly()
    out = tmp_path / "review.html"
    args = ["report", str(POLICY), "--history", str(histories), "--now", NOW, "--html", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "the HTML page needs plotly" in result.stderr
    assert "slapolicy[report]" in result.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- a real browser


def chromium() -> str:
    """The Chromium binary; under CI its absence fails, elsewhere it skips."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = (
            "Chromium is not installed (Debian: apt-get install -y -q chromium; .ci/run "
            "installs it): the page cannot be opened in a real browser"
        )
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return found


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, binary: str, folder: Path) -> None:
        to_chrome, self._write = os.pipe()
        self._read, from_chrome = os.pipe()
        command = [
            binary,
            "--headless",
            "--no-sandbox",  # (as root)
            "--disable-gpu",
            "--remote-debugging-pipe",
            f"--user-data-dir={folder / 'profile'}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1280,900",
            "about:blank",
        ]
        # bash puts the two pipe ends where Chromium expects them: it reads 3, writes 4 (dash
        # cannot redirect from a descriptor above 9)
        self.log = open(folder / "chromium.log", "wb")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            ["bash", "-c", f'exec "$@" 3<&{to_chrome} 4>&{from_chrome}', "bash", *command],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            pass_fds=(to_chrome, from_chrome),
        )
        os.close(to_chrome)
        os.close(from_chrome)
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read_all, daemon=True)
        self._reader.start()
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def _read_all(self) -> None:
        buffer = b""
        while chunk := os.read(self._read, 1 << 16):
            buffer += chunk
            *whole, buffer = buffer.split(b"\0")
            for raw in whole:
                self._messages.put(json.loads(raw))
        self._messages.put(None)

    def _receive(self, deadline: float) -> dict[str, Any]:
        try:
            message = self._messages.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            raise TimeoutError("Chromium did not answer in time") from None
        if message is None:
            raise RuntimeError("Chromium closed the pipe (see chromium.log)")
        return message

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Call a method and wait for its answer (events that come meanwhile are kept)."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def wait_for(self, method: str, timeout: float = 60) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = self._receive(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()  # (the process this test started, by its id)
            self.process.wait()
        os.close(self._write)
        self._reader.join(timeout=5)
        os.close(self._read)
        self.log.close()


class Visit:
    """One page opened in a fresh tab: what it logged, asked for, and looks like."""

    def __init__(self, browser: Browser, url: str, ready: str | None, width: int = 1280) -> None:
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        metrics = {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": False}
        self.call("Emulation.setDeviceMetricsOverride", metrics)
        self.call("Page.navigate", {"url": url})
        self.browser.wait_for("Page.loadEventFired")
        deadline = time.monotonic() + 60
        while ready is not None and not self.evaluate(ready):
            assert time.monotonic() < deadline, f"the page was not ready: {ready}"
            time.sleep(0.1)
        time.sleep(0.3)  # late console messages
        self.evaluate("1")  # (collects the events that came meanwhile)

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        found = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return found["result"].get("value")

    def _mine(self) -> Iterator[dict[str, Any]]:
        return (e for e in self.browser.events if e.get("sessionId") == self.session)

    def errors(self) -> list[str]:
        """Uncaught exceptions, console.error calls and error log entries (failed loads)."""
        out = []
        for event in self._mine():
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                out.append(details.get("exception", {}).get("description") or details["text"])
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                out.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
                )
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                out.append(f"{params['entry']['text']} ({params['entry'].get('url', '')})")
        return out

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self._mine()
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def dom(self) -> str:
        text: str = self.evaluate("document.documentElement.outerHTML")
        return text

    def screenshot(self, path: Path, full: bool = False) -> None:
        params: dict[str, Any] = {"format": "png"}
        if full:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            params.update(captureBeyondViewport=True, clip=clip)
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", params)["data"]))

    def pdf(self) -> bytes:
        found = self.call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
        return base64.b64decode(found["data"])


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    binary = chromium()
    opened = Browser(binary, tmp_path_factory.mktemp("chromium"))
    try:
        yield opened
    finally:
        opened.close()


class Charts(HTMLParser):
    """Per ``<div class="chart">`` of a dumped DOM: the classes and tags inside it, and the
    text of its SVG ``<text>`` elements."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.classes: dict[str, set[str]] = {}
        self.tags: dict[str, dict[str, int]] = {}
        self.texts: dict[str, list[str]] = {}

    def chart(self) -> str | None:
        return next((ident for _, ident in reversed(self.stack) if ident), None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        ident = found.get("id") if tag == "div" and "chart" in classes else None
        if ident is not None:
            self.classes[ident], self.tags[ident], self.texts[ident] = set(), {}, []
        if tag not in self.VOID:
            self.stack.append((tag, ident))
        inside = self.chart()
        if inside is not None:
            self.classes[inside].update(classes)
            self.tags[inside][tag] = self.tags[inside].get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        inside = self.chart()
        if inside is not None and self.stack and self.stack[-1][0] in ("text", "tspan"):
            self.texts[inside].append(data)


def test_the_page_renders_in_chromium(browser: Browser, page: Path, tmp_path: Path) -> None:
    visit = Visit(browser, page.as_uri(), "document.body.getAttribute('data-drawn')")
    figures = json_script(page.read_text(encoding="utf-8"), "slapolicy-figures")
    assert visit.errors() == []
    # the page, and nothing else (data: URLs are in the page): offline
    assert [u for u in visit.requests() if not u.startswith(("data:", "blob:"))] == [page.as_uri()]
    assert visit.evaluate("document.body.getAttribute('data-drawn')") == str(len(figures))
    # every chart is drawn: its SVG, its bars, its labels (plotly.js wrote them, Chinese too)
    charts = Charts()
    charts.feed(visit.dom())
    assert set(charts.classes) == set(figures)
    for ident in figures:
        assert "main-svg" in charts.classes[ident], ident
        assert {"point", "bars"} <= charts.classes[ident], ident
        assert charts.tags[ident].get("path", 0) >= 3, ident
    texts = {ident: " ".join(found) for ident, found in charts.texts.items()}
    assert "tech-support 技术支持组" in texts["owners"]
    assert "record 受理登记" in texts["owners"]  # the legend
    assert "outage 系统故障" in texts["categories"]
    assert "202 · 20.2%" in texts["categories"]
    assert "response" in texts["attainment-0"]
    assert "%" in texts["attainment-0"]
    assert "record 受理登记" in texts["attainment-3"]
    assert "target" in texts["used-0"]
    assert "90–100%" in texts["used-0"]
    sizes = visit.evaluate(
        "[...document.querySelectorAll('.chart')].map(d => d.getBoundingClientRect().width)"
    )
    assert len(sizes) == len(figures)
    assert min(sizes) > 300
    # readable on a laptop: nothing wider than the screen
    assert visit.evaluate("document.documentElement.scrollWidth") <= 1280
    visit.screenshot(tmp_path / "report.png")
    visit.screenshot(tmp_path / "report-full.png", full=True)
    assert (tmp_path / "report.png").read_bytes().startswith(b"\x89PNG")
    if os.environ.get("SLAPOLICY_DOCS_IMAGES") == "1":
        (ROOT / "docs" / "images").mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / "report-full.png", ROOT / "docs" / "images" / "report.png")
    # printable: landscape A4 pages (the page's @page rule)
    pdf = visit.pdf()
    assert pdf.startswith(b"%PDF")
    (tmp_path / "report.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes
    assert all(float(w) > float(h) for w, h in boxes)


def test_the_browser_check_sees_errors(browser: Browser, tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>报表</p>'
        '<img src="missing.png" alt="">'
        "<script>console.error('drawn badly'); Plotly.newPlot('x', []);</script>"
        "<script>document.body.setAttribute('data-drawn', 'never');</script></body></html>",
        encoding="utf-8",
    )
    visit = Visit(browser, broken.as_uri(), "document.body.getAttribute('data-drawn')")
    errors = visit.errors()
    assert any("drawn badly" in e for e in errors), errors
    assert any("Plotly is not defined" in e for e in errors), errors
    assert any("missing.png" in e or "ERR_FILE_NOT_FOUND" in e for e in errors), errors
    assert (tmp_path / "missing.png").as_uri() in visit.requests()


def test_the_browser_check_sees_a_request_that_leaves_the_file(
    browser: Browser, tmp_path: Path
) -> None:
    # a loopback address on the discard port: nothing is sent off this machine
    leaky = tmp_path / "leaky.html"
    leaky.write_text(
        '<!DOCTYPE html><html><head><script src="http://127.0.0.1:9/plotly.min.js"></script>'
        "</head><body>x</body></html>",
        encoding="utf-8",
    )
    visit = Visit(browser, leaky.as_uri(), None)
    assert "http://127.0.0.1:9/plotly.min.js" in visit.requests()
    assert visit.errors()
