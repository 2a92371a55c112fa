"""The command line, through its real entry point: messages and exit codes.

Exit codes: 0 ok, 1 findings or failures, 2 usage or input errors. No command may print a
traceback for a user's mistake.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from slapolicy.cli import main

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "service-levels.yaml")
OUTAGE = str(ROOT / "policies" / "tickets" / "outage.json")


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text("slapolicy: 1\nname: x\n  bad: indent\n", encoding="utf-8")
    return path


@pytest.fixture
def invalid(tmp_path: Path) -> Path:
    text = Path(POLICY).read_text(encoding="utf-8").replace("priorities:", "priorites:", 1)
    path = tmp_path / "invalid.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- validate


def test_validate_ok() -> None:
    result = run("validate", POLICY)
    assert result.exit_code == 0
    assert "ok" in result.output
    assert "sha256:" in result.output


def test_validate_reports_file_line_col_and_exits_1(invalid: Path) -> None:
    result = run("validate", str(invalid))
    assert result.exit_code == 1
    assert f"{invalid}:" in result.output
    assert "unknown key 'priorites'" in result.output
    assert "did you mean 'priorities'?" in result.output
    no_traceback(result)


def test_validate_broken_yaml(broken: Path) -> None:
    result = run("validate", str(broken))
    assert result.exit_code == 1
    assert f"{broken}:3:" in result.output
    no_traceback(result)


def test_validate_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "no such file" in result.output


# --------------------------------------------------------------------------- lint and test


def test_lint_clean_and_with_findings(tmp_path: Path) -> None:
    assert run("lint", POLICY, "--today", "2025-06-01").exit_code == 0
    # the sample accepts SP107 (`lint: {ignore: [SP107]}`): without that line it is reported
    assert run("lint", POLICY, "--today", "2026-06-01").exit_code == 0
    unaccepted = tmp_path / "policy.yaml"
    text = Path(POLICY).read_text(encoding="utf-8")
    unaccepted.write_text(text.replace("lint: {ignore: [SP107]}\n", ""), encoding="utf-8")
    result = run("lint", str(unaccepted), "--today", "2026-06-01")
    assert result.exit_code == 1
    assert "SP107" in result.output
    as_json = run("lint", str(unaccepted), "--today", "2026-06-01", "--json")
    assert json.loads(as_json.output.splitlines()[0])["code"] == "SP107"


def test_lint_bad_today() -> None:
    result = run("lint", POLICY, "--today", "someday")
    assert result.exit_code == 2
    assert "invalid --today" in result.output


def test_test_passes_on_sample() -> None:
    result = run("test", POLICY)
    assert result.exit_code == 0
    assert "0 failed" in result.output


def test_test_reports_mismatch_field_by_field(tmp_path: Path) -> None:
    text = (
        Path(POLICY)
        .read_text(encoding="utf-8")
        .replace(
            'response_due: "2026-05-08T17:45:00+08:00"', 'response_due: "2026-05-08T17:44:00+08:00"'
        )
    )
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("test", str(path))
    assert result.exit_code == 1
    assert "FAIL" in result.output
    assert "response_due: expected '2026-05-08T17:44:00+08:00'" in result.output
    assert "1 failed" in result.output


# --------------------------------------------------------------------------- evaluate


def test_evaluate_json() -> None:
    result = run("evaluate", POLICY, OUTAGE)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["priority"] == "P1"
    assert data["response_due"] == "2026-05-08T17:45:00+08:00"
    assert data["trace"]


def test_evaluate_explain_and_stdin() -> None:
    ticket = Path(OUTAGE).read_text(encoding="utf-8")
    result = run("evaluate", POLICY, "-", "--explain", stdin=ticket)
    assert result.exit_code == 0
    assert "priority  P1 (紧急)" in result.output
    assert "trace:" in result.output


def test_evaluate_at_overrides_start() -> None:
    result = run("evaluate", POLICY, OUTAGE, "--at", "2026-05-08T09:00:00+08:00")
    assert json.loads(result.output)["response_due"] == "2026-05-08T09:15:00+08:00"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"type": "outage", "created_at": "yesterday"}', "created_at"),
        ('{"impact": "catastrophic", "created_at": "2026-05-08T10:00:00+08:00"}', "impact"),
    ],
    ids=["broken-json", "not-an-object", "garbage-instant", "outside-enum"],
)
def test_evaluate_bad_ticket_is_a_usage_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(content, encoding="utf-8")
    result = run("evaluate", POLICY, str(path))
    assert result.exit_code == 2
    assert message in result.output
    no_traceback(result)


def test_evaluate_missing_ticket_file(tmp_path: Path) -> None:
    result = run("evaluate", POLICY, str(tmp_path / "none.json"))
    assert result.exit_code == 2
    assert "none.json" in result.output


# --------------------------------------------------------------------------- status


def test_status_json_and_explain(tmp_path: Path) -> None:
    events = tmp_path / "events.json"
    events.write_text(
        json.dumps(
            [
                {"type": "responded", "at": "2026-05-08T17:40:00+08:00"},
                {"type": "resolved", "at": "2026-05-08T19:00:00+08:00"},
            ]
        ),
        encoding="utf-8",
    )
    result = run("status", POLICY, OUTAGE, str(events), "--now", "2026-05-08T20:00:00+08:00")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["targets"]["response"]["state"] == "met"
    assert data["targets"]["resolve"]["state"] == "met"
    assert data["resolved"] is True
    explained = run(
        "status", POLICY, OUTAGE, str(events), "--now", "2026-05-08T20:00:00+08:00", "--explain"
    )
    assert "response  met" in explained.output


def test_status_bad_events(tmp_path: Path) -> None:
    events = tmp_path / "events.json"
    events.write_text(
        json.dumps([{"type": "teleported", "at": "2026-05-08T17:40:00+08:00"}]), encoding="utf-8"
    )
    result = run("status", POLICY, OUTAGE, str(events), "--now", "2026-05-08T20:00:00+08:00")
    assert result.exit_code == 2
    assert "event 0" in result.output
    assert "type" in result.output
    no_traceback(result)


# --------------------------------------------------------------------------- diff


def test_diff_summarises_changes(tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    new.write_text(
        Path(POLICY)
        .read_text(encoding="utf-8")
        .replace("P2: {response: 30m, resolve: 24h,", "P2: {response: 1h, resolve: 24h,"),
        encoding="utf-8",
    )
    tickets = tmp_path / "t.jsonl"
    lines = [
        {
            "id": "A",
            "type": "billing",
            "impact": "major",
            "urgency": "high",
            "created_at": "2026-05-11T10:00:00+08:00",
        },
        {"id": "B", "type": "outage", "impact": "core", "created_at": "2026-05-11T10:00:00+08:00"},
    ]
    tickets.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    result = run("diff", POLICY, str(new), "--tickets", str(tickets), "--json")
    assert result.exit_code == 3  # the "not json" line could not be compared
    assert "1 of 3 tickets could not be compared (line 3)" in result.stderr
    data = json.loads(result.stdout)
    assert data["tickets"] == 2
    assert data["unchanged"] == 1
    assert data["deadlines"]["response"]["later"] == 1
    assert data["deadlines"]["response"]["max_later_seconds"] == 1800
    assert data["errors"]["invalid_json"] == 1
    assert data["error_lines"] == [3]
    assert data["examples"]["response_due"][0]["shift_seconds"] == 1800
    text = run("diff", POLICY, str(new), "--tickets", str(tickets), "--no-progress")
    assert "response due: 1 changed" in text.output


def test_diff_missing_tickets_file(tmp_path: Path) -> None:
    result = run("diff", POLICY, POLICY, "--tickets", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 2


# --------------------------------------------------------------------------- schema, calendar


def test_schema_is_json_schema() -> None:
    data = json.loads(run("schema").output)
    assert data["type"] == "object"
    assert "priorities" in data["properties"]


def test_calendar_lists_windows_and_holidays() -> None:
    result = run("calendar", POLICY, "office", "--from", "2026-09-30", "--to", "2026-10-10")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "2026-09-30 Wed  09:00-12:00, 13:30-18:00"
    assert lines[1].startswith("2026-10-01 Thu  closed (")
    assert lines[-1] == "2026-10-10 Sat  09:00-12:00, 13:30-18:00"  # make-up working day


def test_calendar_unknown_name() -> None:
    result = run("calendar", POLICY, "nope", "--from", "2026-01-01", "--to", "2026-01-02")
    assert result.exit_code == 2
    assert "no calendar 'nope'" in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["frobnicate"])
    assert result.exit_code == 2


def test_console_script_entry_point_runs() -> None:
    """The installed `slapolicy` command (not just the click object) works end to end."""
    proc = subprocess.run(
        [sys.executable, "-c", "from slapolicy.cli import main; main()", "validate", POLICY],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ok" in proc.stdout


def test_diff_of_a_policy_with_itself_is_empty_even_without_start_fields(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_text('{"type": "outage", "impact": "core"}\n' * 20, encoding="utf-8")
    data = json.loads(run("diff", POLICY, POLICY, "--tickets", str(tickets), "--json").output)
    assert data["tickets"] == data["unchanged"] == 20


def test_status_explain_shows_overdue_time_with_a_sign(tmp_path: Path) -> None:
    events = tmp_path / "events.json"
    events.write_text("[]", encoding="utf-8")
    result = run(
        "status", POLICY, OUTAGE, str(events), "--now", "2026-05-08T18:45:00+08:00", "--explain"
    )
    # the P1 response was due 17:45 on the 24x7 calendar: one hour overdue at 18:45
    assert "response  breached  due 2026-05-08T17:45:00+08:00" in result.output
    assert "left -1h " in result.output


def test_test_and_evaluate_with_the_durable_backend() -> None:
    pytest.importorskip("durable", reason="the durable extra is not installed")
    assert run("test", POLICY, "--backend", "durable").exit_code == 0
    native = json.loads(run("evaluate", POLICY, OUTAGE).output)
    durable = json.loads(run("evaluate", POLICY, OUTAGE, "--backend", "durable").output)
    native.pop("trace")
    durable.pop("trace")
    assert durable == native


def test_missing_durable_extra_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_durable(name: str, *args: object, **kwargs: object) -> object:
        if name == "durable" or name.startswith("durable."):
            raise ImportError("No module named 'durable'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_durable)
    for name in [m for m in sys.modules if m == "durable" or m.startswith("durable.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, "slapolicy._backends.durable", raising=False)
    result = run("evaluate", POLICY, OUTAGE, "--backend", "durable")
    assert result.exit_code == 2
    assert "slapolicy[durable]" in result.output
    no_traceback(result)


def test_calendar_marks_days_beyond_official_holiday_data() -> None:
    result = run("calendar", POLICY, "office", "--from", "2026-12-30", "--to", "2027-01-02")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "[no official holiday data]" not in lines[0]  # 2026-12-30
    assert lines[2].startswith("2027-01-01 Fri  closed (")
    assert lines[2].endswith("[no official holiday data]")
    assert "official holiday data ends 2026-12-31" in result.output
