"""The periodic review, ``Policy.report`` (docs/report.md).

* Property: on generated histories (the clock's strategy of tests/test_clock_properties.py)
  the report's counts equal ``Policy.status`` ticket by ticket, per metric and per group of
  every key; attainment, median and p90 equal what numpy gives on the same cycles; the rows
  are those cycles; the TOP N and the mean are those of the tickets.
* Histories that cannot be read are counted with their line numbers.
* One process or several, JSON lines or Parquet or an iterable: the same report and rows.
* Rows written as CSV and Parquet read back equal to ``Report.rows()``.
"""

from __future__ import annotations

import csv
import gc
import importlib.util
import json
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

import slapolicy
from slapolicy import Policy, TicketError
from slapolicy._clock import review_run, used_times
from slapolicy._clock.histories import ROW_COLUMNS
from slapolicy._clock.review import GROUP_KEYS, Report, ReportRow, _Mean
from test_clock_properties import CONTINUE, RESTART, SLOW, histories
from test_metrics_properties import ALL_KINDS as METRIC_KINDS
from test_metrics_properties import _events_in as metric_events
from test_metrics_properties import histories as metric_histories
from test_metrics_properties import load as load_metric_policy
from test_metrics_properties import policy_specs as metric_policies

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-06-15T12:00:00+08:00"
SATISFACTION = st.one_of(
    st.integers(1, 5), st.sampled_from([4.5, 2.25, "good", None, True, float("nan")])
)
TAGS = st.one_of(st.sampled_from(["login", "invoice", "slow"]), st.lists(st.sampled_from("ab")))


# --------------------------------------------------------------------------- the reference


def expected(
    policy: Policy, items: Sequence[Any], now: str, by: Sequence[str]
) -> tuple[dict[Any, Any], list[int], list[ReportRow]]:
    """What the review must say, from ``Policy.status`` ticket by ticket: per scope (``None``
    for all, or ``(key, value)``) the tickets and per metric the states and times."""
    scopes: dict[Any, Any] = defaultdict(
        lambda: {"tickets": 0, "metrics": defaultdict(lambda: defaultdict(list))}
    )
    errors: list[int] = []
    rows: list[ReportRow] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping) or not isinstance(item.get("ticket"), Mapping):
            errors.append(number)
            continue
        try:
            status = policy.status(item["ticket"], item.get("events") or [], now=now)
        except TicketError:
            errors.append(number)
            continue
        d = status.decision
        month = d.started_at.astimezone(policy.timezone).strftime("%Y-%m")
        values = {"priority": d.priority, "category": d.category, "owner": d.owner}
        values.update(sla=d.sla, month=month)
        keys = [None, *((key, values[key]) for key in by)]
        ticket_id = item["ticket"].get("id")
        for key in keys:
            scopes[key]["tickets"] += 1
        for name, target in status.targets.items():
            cycles = list(status.cycles[name])
            if not cycles and target.state == "pending":
                cycles = [target]
            for key in keys:
                metric = scopes[key]["metrics"][name]
                metric["tickets"].append(1)
                for cycle in cycles:
                    state = "running" if cycle.state == "paused" else cycle.state
                    metric[state].append(1)
                    if cycle.state == "paused":
                        metric["paused"].append(1)
                    if cycle.state not in ("pending", "cancelled"):
                        metric["times"].append(cycle.elapsed.total_seconds())
            for cycle in cycles:
                rows.append(
                    ReportRow(
                        number,
                        None if ticket_id is None else str(ticket_id),
                        d.category,
                        d.priority,
                        d.sla,
                        d.owner,
                        name,
                        cycle.cycle,
                        cycle.state,
                        cycle.start,
                        cycle.due,
                        cycle.stopped_at,
                        cycle.elapsed.total_seconds(),
                        cycle.breached_at,
                    )
                )
    return scopes, errors, rows


def assert_metric(found: Mapping[str, Any], want: Mapping[str, list[Any]]) -> None:
    for state in ("met", "breached", "running", "paused", "pending", "cancelled"):
        assert found[state] == len(want[state]), state
    assert found["tickets"] == len(want["tickets"])
    met, breached = len(want["met"]), len(want["breached"])
    assert found["attainment"] == (met / (met + breached) if met + breached else None)
    times = want["times"]
    if times:
        median, p90 = np.percentile(np.array(times), [50, 90])
        assert found["median_seconds"] == median
        assert found["p90_seconds"] == p90
        assert found["mean_seconds"] == pytest.approx(float(np.mean(times)), rel=1e-12)
    else:
        assert found["median_seconds"] is found["p90_seconds"] is found["mean_seconds"] is None


def assert_report(
    report: Report, scopes: dict[Any, Any], errors: list[int], policy: Policy = CONTINUE
) -> None:
    data = report.to_dict()
    assert data["errors"] == len(errors)
    assert data["error_lines"] == errors
    assert data["tickets"] == scopes[None]["tickets"] if None in scopes else data["tickets"] == 0
    want_total = scopes[None]["metrics"] if None in scopes else {}
    assert list(data["metrics"]) == [n for n in policy.rules.metrics if n in want_total]
    for name, metric in data["metrics"].items():
        assert_metric(metric, want_total[name])
    for key, groups in data["groups"].items():
        assert set(groups) == {value for k, value in (s for s in scopes if s) if k == key}
        for value, group in groups.items():
            want = scopes[(key, value)]
            assert group["tickets"] == want["tickets"]
            assert set(group["metrics"]) == set(want["metrics"])
            for name, metric in group["metrics"].items():
                assert_metric(metric, want["metrics"][name])


# --------------------------------------------------------------------------- strategies


@st.composite
def review_items(draw: st.DrawFn, broken: bool = True) -> list[Any]:
    """Histories with ids, a satisfaction score and tags, now and then an unreadable one."""
    out: list[Any] = []
    for history in draw(st.lists(histories(max_events=8), max_size=6)):
        ticket: dict[str, Any] = dict(history.ticket)
        for name, values in (("id", st.integers(1, 99)), ("satisfaction", SATISFACTION)):
            if draw(st.booleans()):
                ticket[name] = draw(values)
        if draw(st.booleans()):
            ticket["tags"] = draw(TAGS)
        out.append({"ticket": ticket, "events": history.events})
        if broken and draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from([[1], {"events": []}, {"ticket": "x"}])))
    return out


NOWS = st.sampled_from(
    ["2026-03-02T10:00:00+08:00", "2026-06-15T12:00:00+08:00", "2026-11-30T18:00:00+08:00"]
)


# --------------------------------------------------------------------------- properties


@SLOW
@given(items=review_items(), now=NOWS, policy=st.sampled_from([CONTINUE, RESTART]))
def test_the_report_counts_what_status_says_ticket_by_ticket(
    items: list[Any], now: str, policy: Policy
) -> None:
    report = policy.report(items, now=now, by=GROUP_KEYS, jobs=1, rows=True)
    scopes, errors, rows = expected(policy, items, now, GROUP_KEYS)
    assert_report(report, scopes, errors)
    assert list(report.rows()) == rows


@SLOW
@given(data=st.data(), now=NOWS)
def test_with_metrics_of_their_own_cancelled_and_pending_too(data: st.DataObject, now: str) -> None:
    """Random policies of tests/test_metrics_properties.py: metrics that cancel, that start
    on declared events (pending until then), that pause on event pairs."""
    spec = data.draw(metric_policies(min_metrics=1))
    policy = load_metric_policy(spec)
    used = metric_events(list(spec["metrics"].values()))
    drawn = data.draw(st.lists(metric_histories(kinds=(*METRIC_KINDS, *used, *used)), max_size=5))
    items = [{"ticket": h.ticket, "events": h.events} for h in drawn]
    report = policy.report(items, now=now, by=("priority", "month"), jobs=1, rows=True)
    scopes, errors, rows = expected(policy, items, now, ("priority", "month"))
    assert_report(report, scopes, errors, policy)
    assert list(report.rows()) == rows


@SLOW
@given(items=review_items(broken=False), now=NOWS)
def test_top_values_and_means_are_those_of_the_tickets(items: list[Any], now: str) -> None:
    report = CONTINUE.report(items, now=now, top=("tags", "id"), top_n=3, mean="satisfaction")
    data = report.to_dict()
    good = [i["ticket"] for i in items if _reviewable(i, now)]
    numbers = [
        t["satisfaction"]
        for t in good
        if type(t.get("satisfaction")) in (int, float) and math.isfinite(t["satisfaction"])
    ]
    mean = data["mean"]["satisfaction"]
    assert mean["count"] == len(numbers)
    assert mean["ignored"] == len(good) - len(numbers)
    assert mean["missing"] == sum(t.get("satisfaction") is None for t in good)
    assert mean["mean"] == (math.fsum(numbers) / len(numbers) if numbers else None)
    tags: Counter[Any] = Counter()
    for t in good:
        value = t.get("tags")
        tags.update(value if isinstance(value, list) else [] if value is None else [value])
    top = data["top"]["tags"]
    assert top["missing"] == sum(t.get("tags") is None for t in good)
    assert top["distinct"] == len(tags)
    assert [v["count"] for v in top["values"]] == sorted(tags.values(), reverse=True)[:3]
    for item in top["values"]:
        assert tags[item["value"]] == item["count"]


def _reviewable(item: Mapping[str, Any], now: str) -> bool:
    try:
        CONTINUE.status(item["ticket"], item["events"], now=now)
    except TicketError:
        return False
    return True


@given(st.lists(st.lists(st.floats(-1e12, 1e12), max_size=8), max_size=6))
def test_means_merged_in_parts_are_exact(parts: list[list[float]]) -> None:
    whole = _Mean()
    for value in (v for part in parts for v in part):
        whole.add(value)
    merged = _Mean()
    for part in reversed(parts):
        piece = _Mean()
        for value in part:
            piece.add(value)
        merged.merge(piece)
    flat = [v for part in parts for v in part]
    assert math.fsum(merged.partials) == math.fsum(whole.partials) == math.fsum(flat)


# --------------------------------------------------------------------------- files and processes


def generated(count: int, seed: int = 3) -> list[dict[str, Any]]:
    """Plausible histories on the service-levels policy (benchmarks/bench_clock.py)."""
    spec = importlib.util.spec_from_file_location(
        "bench_clock", ROOT / "benchmarks" / "bench_clock.py"
    )
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = []
    for index, (ticket, events, _) in enumerate(bench.generate(count, seed, False, 5)):
        ticket["satisfaction"] = [1, 2, 3, 4, 5, 4.5, None][index % 7]
        out.append({"ticket": ticket, "events": events})
    return out


SERVICE = slapolicy.load_policy(ROOT / "policies" / "service-levels.yaml")
OPTIONS: dict[str, Any] = {
    "now": "2026-11-15T00:00:00+08:00",
    "by": ("priority", "month", "owner"),
    "top": "text",
    "mean": "satisfaction",
}


def write_lines(path: Path, items: Iterable[Any]) -> Path:
    path.write_text(
        "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8"
    )
    return path


def write_parquet(path: Path, items: list[dict[str, Any]], row_group_size: int) -> Path:
    pq.write_table(pa.Table.from_pylist(items), path, row_group_size=row_group_size)
    return path


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return generated(600)


@pytest.fixture(scope="module")
def reference(items: list[dict[str, Any]]) -> Report:
    return SERVICE.report(items, jobs=1, rows=True, **OPTIONS)


def test_the_service_levels_reference_matches_status(
    items: list[dict[str, Any]], reference: Report
) -> None:
    scopes, errors, rows = expected(SERVICE, items, OPTIONS["now"], OPTIONS["by"])
    data = reference.to_dict()
    assert data["tickets"] == 600
    assert not errors
    for name, metric in data["metrics"].items():
        assert_metric(metric, scopes[None]["metrics"][name])
    assert list(reference.rows()) == rows
    assert sum(c["tickets"] for c in data["categories"].values()) == 600


def test_one_process_or_two_over_json_lines(
    tmp_path: Path,
    items: list[dict[str, Any]],
    reference: Report,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_lines(tmp_path / "h.jsonl", items)
    monkeypatch.setattr(review_run, "MIN_PART_BYTES", 20_000)
    done: list[int] = []
    two = SERVICE.report(path, jobs=2, rows=True, on_progress=done.append, **OPTIONS)
    assert len(done) > 4
    assert sum(done) == path.stat().st_size
    assert two.to_dict() == reference.to_dict()
    assert list(two.rows()) == list(reference.rows())
    one = SERVICE.report(str(path), jobs=1, **OPTIONS)
    assert one.to_dict() == reference.to_dict()


def test_one_process_or_two_over_an_iterable(
    items: list[dict[str, Any]], reference: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_run, "CHUNK", 70)
    done: list[int] = []
    two = SERVICE.report(iter(items), jobs=2, rows=True, on_progress=done.append, **OPTIONS)
    assert sum(done) == 600
    assert len(done) > 4
    assert two.to_dict() == reference.to_dict()
    assert list(two.rows()) == list(reference.rows())


@pytest.mark.parametrize("jobs", [1, 2])
def test_working_times_that_spill_to_files_give_the_same_report(
    tmp_path: Path,
    items: list[dict[str, Any]],
    reference: Report,
    monkeypatch: pytest.MonkeyPatch,
    jobs: int,
) -> None:
    # a few values per metric and group in memory: the rest goes to the report's folder,
    # from this process or from the workers, and the median and p90 stay exact
    monkeypatch.setattr(used_times, "BUFFER_VALUES", 5)
    monkeypatch.setattr(used_times, "_SELECT_VALUES", 7)
    monkeypatch.setattr(review_run, "MIN_PART_BYTES", 20_000)
    path = write_lines(tmp_path / "h.jsonl", items)
    report = SERVICE.report(path, jobs=jobs, **OPTIONS)
    assert report.spill is not None
    folder = report.spill.folder
    assert len(os.listdir(folder)) >= jobs  # (each process wrote its files there)
    assert report.to_dict() == reference.to_dict()
    del report
    gc.collect()
    assert not os.path.exists(folder)  # the folder goes with the report


@pytest.mark.parametrize("row_group_size", [128, 100_000])
def test_parquet_equals_json_lines(
    tmp_path: Path,
    items: list[dict[str, Any]],
    reference: Report,
    row_group_size: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(review_run, "CHUNK", 100)  # one row group: sent in chunks
    path = write_parquet(tmp_path / "h.parquet", items, row_group_size)
    for jobs in (1, 2):
        report = SERVICE.report(path, jobs=jobs, rows=True, **OPTIONS)
        assert report.to_dict() == reference.to_dict()
        assert list(report.rows()) == list(reference.rows())


def test_parquet_events_as_json_text(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    table = pa.table(
        {
            "ticket": [json.dumps(i["ticket"]) for i in items[:50]],
            "events": [json.dumps(i["events"]) for i in items[:50]],
        }
    )
    pq.write_table(table, tmp_path / "h.parquet")
    report = SERVICE.report(tmp_path / "h.parquet", jobs=1, **OPTIONS)
    assert report.to_dict() == SERVICE.report(items[:50], jobs=1, **OPTIONS).to_dict()


def test_a_parquet_file_without_the_columns(tmp_path: Path) -> None:
    pq.write_table(pa.table({"ticket": [json.dumps({"a": 1})]}), tmp_path / "x.parquet")
    with pytest.raises(ValueError, match="needs the columns ticket and events"):
        SERVICE.report(tmp_path / "x.parquet", now=NOW)


# --------------------------------------------------------------------------- unreadable histories

BAD_LINES = [
    ("not json", "invalid JSON"),
    ("[1, 2]", "a history must be an object, got a list"),
    ('"text"', "a history must be an object, got text"),
    ('{"events": []}', "no 'ticket'"),
    ('{"ticket": 3, "events": []}', "'ticket' must be an object"),
    ('{"ticket": {"created_at": "2026-05-08T10:00:00+08:00"}, "events": {}}', "must be a list"),
    ('{"ticket": {}, "events": []}', "has no 'created_at'"),
    (
        '{"ticket": {"created_at": "2026-05-08T10:00:00+08:00"}, "events": '
        '[{"type": "respond", "at": "2026-05-08T11:00:00+08:00"}]}',
        "did you mean 'responded'",
    ),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
]


@pytest.mark.parametrize("jobs", [1, 2])
def test_unreadable_histories_are_counted_with_their_lines(
    tmp_path: Path, items: list[dict[str, Any]], jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_run, "MIN_PART_BYTES", 5_000)
    lines = [json.dumps(i, ensure_ascii=False) for i in items[:60]]
    where = []
    for index, (text, _) in enumerate(BAD_LINES):
        at = 5 + index * 6
        lines.insert(at, text)
        where.append(at + 1)
    lines.insert(20, "")  # a blank line is skipped, not an error (but counts as a line)
    where = [w + (w > 20) for w in where]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = SERVICE.report(path, now=OPTIONS["now"], jobs=jobs)
    assert report.tickets == 60
    assert report.errors == len(BAD_LINES)
    assert report.error_lines == where
    assert len(report.error_examples) == 5
    for example, line, (_, message) in zip(report.error_examples, where, BAD_LINES, strict=False):
        assert example.startswith(f"line {line}: ")
        assert message in example
    assert report.to_dict()["errors"] == len(BAD_LINES)


def test_an_iterable_with_things_that_are_no_histories() -> None:
    good = generated(3)
    report = SERVICE.report([good[0], "x", None, {"ticket": None}, good[1]], now=NOW, jobs=1)
    assert report.tickets == 2
    assert report.error_lines == [2, 3, 4]
    assert report.describe_error_lines() == "lines 2, 3, 4"


def test_the_first_thousand_error_lines_are_kept(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bad.jsonl", [[n] for n in range(1500)])
    report = SERVICE.report(path, now=NOW, jobs=1)
    assert report.errors == 1500
    assert report.error_lines == list(range(1, 1001))
    assert report.describe_error_lines() == "lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 1490 more"


# --------------------------------------------------------------------------- rows


def test_rows_written_as_csv_read_back_equal(
    tmp_path: Path, items: list[dict[str, Any]], reference: Report
) -> None:
    path = tmp_path / "rows.csv"
    report = SERVICE.report(items, jobs=1, rows=path, **OPTIONS)
    assert report.to_dict() == reference.to_dict()
    with pytest.raises(ValueError, match="kept no rows"):
        report.rows()
    assert read_csv_rows(path) == [csv_text(r) for r in reference.rows()]


def test_rows_written_as_parquet_read_back_equal(
    tmp_path: Path,
    items: list[dict[str, Any]],
    reference: Report,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(review_run, "MIN_PART_BYTES", 20_000)
    source = write_lines(tmp_path / "h.jsonl", items)
    for jobs in (1, 2):
        path = tmp_path / f"rows-{jobs}.parquet"
        SERVICE.report(source, jobs=jobs, rows=str(path), **OPTIONS)
        table = pq.read_table(path)
        assert table.column_names == list(ROW_COLUMNS) == list(ReportRow._fields)
        assert table.schema.field("start").type == pa.timestamp("us", tz="Asia/Shanghai")
        assert [ReportRow(**r) for r in table.to_pylist()] == list(reference.rows())
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".slapolicy-rows")]


def test_rows_as_csv_from_two_processes(
    tmp_path: Path,
    items: list[dict[str, Any]],
    reference: Report,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(review_run, "MIN_PART_BYTES", 20_000)
    source = write_lines(tmp_path / "h.jsonl", items)
    SERVICE.report(source, jobs=2, rows=tmp_path / "rows.txt", rows_format="csv", **OPTIONS)
    assert read_csv_rows(tmp_path / "rows.txt") == [csv_text(r) for r in reference.rows()]


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def csv_text(row: ReportRow) -> dict[str, str]:
    def text(value: Any) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, datetime) else str(value)

    return {name: text(value) for name, value in row._asdict().items()}


def test_an_empty_history_gives_an_empty_report(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    report = SERVICE.report(path, now=NOW, by="priority", rows=tmp_path / "rows.parquet")
    data = report.to_dict()
    assert (data["tickets"], data["errors"], data["metrics"]) == (0, 0, {})
    assert data["groups"] == {"priority": {}}
    assert pq.read_table(tmp_path / "rows.parquet").num_rows == 0


# --------------------------------------------------------------------------- the JSON and arguments


def test_the_json_shape_of_the_contract(reference: Report) -> None:
    data = json.loads(json.dumps(reference.to_dict()))
    assert {"tickets", "metrics", "groups", "errors"} <= set(data)
    assert data["policy"] == {"name": SERVICE.name, "version": SERVICE.version}
    assert data["now"] == "2026-11-15T00:00:00+08:00"
    keys = {"met", "breached", "running", "pending", "attainment", "median_seconds"}
    assert keys | {"p90_seconds"} <= set(data["metrics"]["response"])
    p1 = data["groups"]["priority"]["P1"]
    assert p1["label"] == "紧急"
    assert set(p1) >= {"tickets", "metrics"}
    assert list(data["groups"]["priority"]) == ["P1", "P2", "P4", "P3"]  # the policy's order
    assert data["groups"]["month"]["2026-05"]["label"] is None
    assert list(data["categories"]) == [r.id for r in SERVICE.categories]
    assert data["categories"]["outage"]["label"] == "系统故障"
    assert data["metrics"]["record"]["label"] == "受理登记"
    top = data["top"]["text"]["values"]
    assert len(top) == 5
    assert top[0]["count"] >= top[-1]["count"]
    assert data["mean"]["satisfaction"]["missing"] == sum(
        i % 7 == 6 for i in range(600)
    )  # one in seven without a score
    assert data["percentile_method"] == "linear"


def test_now_in_the_policy_zone() -> None:
    report = SERVICE.report([], now="2026-05-08T09:00:00", jobs=1)
    assert report.now.isoformat() == "2026-05-08T09:00:00+08:00"


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"by": "priority,week"}, ValueError, "cannot group by 'week'"),
        ({"top_n": 0}, ValueError, "top_n"),
        ({"top": [""]}, ValueError, "field path"),
        ({"jobs": 0}, ValueError, "jobs"),
        ({"rows": "x.csv", "rows_format": "xlsx"}, ValueError, "rows_format"),
        ({"now": "yesterday"}, TicketError, "invalid `now`"),
    ],
)
def test_bad_arguments(options: dict[str, Any], error: type[Exception], message: str) -> None:
    arguments: dict[str, Any] = {"now": NOW, **options}
    with pytest.raises(error, match=re.escape(message)):
        SERVICE.report([], **arguments)


def test_a_missing_history_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        SERVICE.report(tmp_path / "nope.jsonl", now=NOW)


def test_the_docs_sample_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python blocks of docs/report.md run as written, in order, from the repository."""
    text = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "docs_report"}
    for block in blocks:
        exec(
            compile(block.replace("policies/", f"{ROOT}/policies/"), "report.md", "exec"), namespace
        )
