"""``slapolicy report``: the periodic review on the command line (docs/report.md).

Exit codes: 0 ok, 1 an invalid policy, 2 usage or input errors (a missing history file, a bad
``--now``, an unknown ``--by`` key), 3 some histories could not be read (the review covers
the others and stderr names their lines).
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

import slapolicy
from slapolicy._clock import review_run
from slapolicy._clock.review import ReportRow
from slapolicy.cli import main

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "service-levels.yaml")
NOW = "2026-06-01T09:00:00+08:00"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def history(number: int, **ticket: Any) -> dict[str, Any]:
    """A ticket created on a working day of May 2026, replied to, sometimes resolved."""
    day = 11 + number % 5  # Mon 2026-05-11 .. Fri 05-15
    created = f"2026-05-{day:02d}T10:00:00+08:00"
    events: list[dict[str, Any]] = [
        {"type": "responded", "at": f"2026-05-{day:02d}T10:1{number % 10}:00+08:00"}
    ]
    if number % 3:
        events.append({"type": "resolved", "at": f"2026-05-{day:02d}T16:00:00+08:00"})
    base = {
        "id": f"T-{number}",
        "type": ["outage", "billing", "question", "suggestion"][number % 4],
        "impact": ["core", "major", "minor", "none"][number % 4],
        "urgency": "high",
        "text": ["支付系统宕机", "发票抬头填错了", "如何导出发票", "希望增加夜间模式"][number % 4],
        "satisfaction": [5, 4, 3, None][number % 4],
        "created_at": created,
    }
    return {"ticket": {**base, **ticket}, "events": events}


@pytest.fixture
def histories(tmp_path: Path) -> Path:
    path = tmp_path / "history.jsonl"
    lines = [json.dumps(history(n), ensure_ascii=False) for n in range(40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_text_summary_with_chinese_labels(histories: Path) -> None:
    result = run("report", POLICY, "--history", str(histories), "--now", NOW, "--by", "priority")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "40 tickets reviewed at 2026-06-01T09:00:00+08:00" in out
    assert "SLA by metric" in out
    assert "outage 系统故障" in out
    assert "P1 紧急" in out
    assert "By priority" in out
    assert result.stderr == ""


def test_json_is_the_report_of_the_library(histories: Path) -> None:
    args = ["--by", "priority,month", "--top", "text", "--top-n", "3", "--mean", "satisfaction"]
    result = run("report", POLICY, "--history", str(histories), "--now", NOW, "--json", *args)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    policy = slapolicy.load_policy(POLICY)
    want = policy.report(
        histories, now=NOW, by=("priority", "month"), top="text", top_n=3, mean="satisfaction"
    )
    assert data == json.loads(json.dumps(want.to_dict()))
    assert data["tickets"] == 40
    assert data["mean"]["satisfaction"] == {"mean": 4.0, "count": 30, "ignored": 10, "missing": 10}
    assert [v["count"] for v in data["top"]["text"]["values"]] == [10, 10, 10]
    assert "支付系统宕机" in result.stdout  # ensure_ascii=False


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_rows_written_read_back_equal_the_report_rows(
    tmp_path: Path, histories: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_run, "MIN_PART_BYTES", 1000)  # two processes, parts appended
    rows_file = tmp_path / f"rows.{fmt}"
    args = ["--history", str(histories), "--now", NOW, "--jobs", "2"]
    result = run("report", POLICY, *args, f"--{fmt}", str(rows_file))
    assert result.exit_code == 0
    assert "40 tickets reviewed" in result.stdout  # the summary is still printed
    want = list(slapolicy.load_policy(POLICY).report(histories, now=NOW, rows=True).rows())
    assert len(want) > 40
    if fmt == "csv":
        with open(rows_file, encoding="utf-8", newline="") as stream:
            found = list(csv.DictReader(stream))
        assert found == [_csv(row) for row in want]
    else:
        table = pq.read_table(rows_file)
        assert [ReportRow(**r) for r in table.to_pylist()] == want


def _csv(row: ReportRow) -> dict[str, str]:
    def text(value: Any) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, datetime) else str(value)

    return {name: text(value) for name, value in row._asdict().items()}


def test_a_history_file_of_parquet(tmp_path: Path) -> None:
    path = tmp_path / "history.parquet"
    pq.write_table(pa.Table.from_pylist([history(n) for n in range(12)]), path)
    result = run("report", POLICY, "--history", str(path), "--now", NOW, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["tickets"] == 12


def test_unreadable_histories_exit_3_and_are_named(tmp_path: Path, histories: Path) -> None:
    text = histories.read_text(encoding="utf-8").splitlines()
    text.insert(3, "{cut short")
    text.insert(7, json.dumps(history(99, impact="critical")))
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = run("report", POLICY, "--history", str(path), "--now", NOW)
    assert result.exit_code == 3
    assert "40 tickets reviewed" in result.stdout
    assert "2 histories could not be read: lines 4, 8" in result.stdout
    assert "line 8: ticket field 'impact'" in result.stdout
    assert "2 of 42 histories could not be read (lines 4, 8)" in result.stderr
    data = json.loads(run("report", POLICY, "--history", str(path), "--now", NOW, "--json").stdout)
    assert (data["errors"], data["error_lines"]) == (2, [4, 8])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--history", "nope.jsonl", "--now", NOW], "nope.jsonl: no such file"),
        (["--now", "yesterday"], "invalid --now 'yesterday'"),
        (["--now", NOW, "--by", "priority,week"], "unknown --by 'week'"),
        (["--now", NOW, "--csv", "a.csv", "--parquet", "a.parquet"], "not both"),
    ],
)
def test_usage_errors_exit_2(
    histories: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(histories.parent)
    given = args if "--history" in args else ["--history", str(histories), *args]
    result = run("report", POLICY, *given)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_directory_as_history(tmp_path: Path) -> None:
    result = run("report", POLICY, "--history", str(tmp_path), "--now", NOW)
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_a_file_that_is_not_parquet_after_all(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1 but nothing else")
    result = run("report", POLICY, "--history", str(path), "--now", NOW)
    assert result.exit_code == 2
    assert "cannot read it" in result.stderr


def test_an_invalid_policy_exits_1(tmp_path: Path, histories: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(POLICY).read_text(encoding="utf-8").replace("priorities:", "priorites:", 1))
    result = run("report", str(bad), "--history", str(histories), "--now", NOW)
    assert result.exit_code == 1


def test_the_progress_bar_goes_to_stderr(histories: Path) -> None:
    args = ["--history", str(histories), "--now", NOW, "--json", "--progress", "--jobs", "1"]
    result = run("report", POLICY, *args)
    assert result.exit_code == 0
    assert "reviewing" in result.stderr
    assert json.loads(result.stdout)["tickets"] == 40


def test_an_empty_history_is_zero_tickets() -> None:
    result = run("report", POLICY, "--history", "/dev/null", "--now", NOW, "--progress")
    assert result.exit_code == 0
    assert "0 tickets reviewed" in result.stdout
