"""The edges of the command line: each ends in one clear message and its documented exit
code, never a traceback; durations print as ``1h30m`` in text and seconds in JSON; Python
warnings print as one line of their own.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from slapolicy.cli import main

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policies" / "service-levels.yaml")
OUTAGE = str(ROOT / "policies" / "tickets" / "outage.json")
#: Python's own rendering of timedeltas, which the CLI never prints
TIMEDELTA = re.compile(r"(?<![T\d])\d+:\d\d:\d\d|\bdays?, ")


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def one_line_error(result: Result, code: int, text: str) -> None:
    """Exit ``code``, and stderr is exactly one line that contains ``text``."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("slapolicy: ")
    assert text in line


def p2_ticket(ref: str, created: str) -> dict[str, str]:
    return {
        "id": ref,
        "type": "billing",
        "impact": "major",
        "urgency": "high",
        "created_at": created,
    }


@pytest.fixture
def slower(tmp_path: Path) -> Path:
    """The sample with P2 resolve in 3 working days instead of 24 working hours."""
    text = Path(POLICY).read_text(encoding="utf-8")
    changed = text.replace("P2: {response: 30m, resolve: 24h,", "P2: {response: 30m, resolve: 3d,")
    assert changed != text
    path = tmp_path / "new.yaml"
    path.write_text(changed, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- deep JSON


def test_evaluate_a_100000_deep_ticket(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    one_line_error(
        run("evaluate", POLICY, str(deep)), 2, f"{deep}: invalid JSON: nested too deeply"
    )
    as_object = '{"a": ' * 100_000 + "1" + "}" * 100_000
    one_line_error(run("evaluate", POLICY, "-", stdin=as_object), 2, "-: invalid JSON: nested")


def test_status_with_deep_events(tmp_path: Path) -> None:
    deep = tmp_path / "events.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = run("status", POLICY, OUTAGE, str(deep), "--now", "2026-05-08T20:00:00+08:00")
    one_line_error(result, 2, "nested too deeply")


def test_a_deep_ticket_json_can_still_read_is_evaluated(tmp_path: Path) -> None:
    ticket = tmp_path / "t.json"
    nested = '{"x": ' * 500 + "1" + "}" * 500
    ticket.write_text(
        f'{{"type": "outage", "created_at": "2026-05-08T10:00:00+08:00", "extra": {nested}}}',
        encoding="utf-8",
    )
    result = run("evaluate", POLICY, str(ticket))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["category"] == "outage"


# --------------------------------------------------------------------------- diff


def test_diff_exits_3_and_names_the_lines_it_could_not_compare(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    good = json.dumps(p2_ticket("A", "2026-05-12T10:00:00+08:00"))
    tickets.write_text(
        "\n".join([good, "not json", good, "[1, 2]", '{"impact": "catastrophic"}', ""]) + "\n",
        encoding="utf-8",
    )
    result = run("diff", POLICY, POLICY, "--tickets", str(tickets))
    one_line_error(result, 3, "3 of 5 tickets could not be compared (lines 2, 4, 5)")
    assert "2 tickets compared, 2 unchanged" in result.stdout
    assert (
        "3 tickets could not be compared (not a JSON object: 2, refused by OLD: 1): lines 2, 4, 5"
        in result.stdout
    )
    report = json.loads(run("diff", POLICY, POLICY, "--tickets", str(tickets), "--json").stdout)
    assert report["error_lines"] == [2, 4, 5]
    assert report["errors"] == {"invalid_json": 2, "old": 1, "new": 0}


def test_diff_names_the_first_lines_and_counts_the_rest(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_text("oops\n" * 25, encoding="utf-8")
    result = run("diff", POLICY, POLICY, "--tickets", str(tickets), "--json")
    one_line_error(
        result,
        3,
        "25 of 25 tickets could not be compared (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 15 more)",
    )
    assert json.loads(result.stdout)["error_lines"] == list(range(1, 26))


def test_diff_with_a_ticket_nested_too_deeply(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    result = run("diff", POLICY, POLICY, "--tickets", str(tickets))
    one_line_error(result, 3, "1 of 1 tickets could not be compared (line 1)")
    assert "line 1: invalid_json: nested too deeply" in result.stdout


def test_diff_every_ticket_compared_exits_0(tmp_path: Path, slower: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(json.dumps(p2_ticket("A", "2026-05-12T10:00:00+08:00")), encoding="utf-8")
    result = run("diff", POLICY, str(slower), "--tickets", str(tickets))
    assert result.exit_code == 0  # changes are reported, not judged
    assert result.stderr == ""


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null here")
def test_diff_tickets_from_dev_null_is_zero_tickets() -> None:
    result = run("diff", POLICY, POLICY, "--tickets", "/dev/null", "--progress")
    assert result.exit_code == 0
    assert result.stdout == "0 tickets compared, 0 unchanged\n"
    assert "no such file" not in result.output


def test_diff_an_empty_file_and_a_missing_one(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert run("diff", POLICY, POLICY, "--tickets", str(empty)).exit_code == 0
    missing = tmp_path / "missing.jsonl"
    one_line_error(run("diff", POLICY, POLICY, "--tickets", str(missing)), 2, "no such file")


# --------------------------------------------------------------------------- calendar


def test_calendar_from_after_to_is_an_error() -> None:
    result = run("calendar", POLICY, "office", "--from", "2026-10-11", "--to", "2026-09-28")
    one_line_error(result, 2, "--from 2026-10-11 is after --to 2026-09-28")
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("1900-01-01", "1900-01-03", "--from 1900-01-01 is out of range"),
        ("1900-12-30", "1901-01-02", "--from 1900-12-30 is out of range"),
        ("2199-12-30", "2200-01-02", "--to 2200-01-02 is out of range"),
    ],
)
def test_calendar_years_it_cannot_count_are_out_of_range(
    first: str, last: str, message: str
) -> None:
    result = run("calendar", POLICY, "office", "--from", first, "--to", last)
    one_line_error(result, 2, message)
    assert "calendars cover 1901-01-01 to 2199-12-31" in result.stderr
    assert "closed" not in result.stdout


def test_calendar_at_the_edges_of_the_range() -> None:
    first = run("calendar", POLICY, "office", "--from", "1901-01-01", "--to", "1901-01-01")
    assert first.exit_code == 0
    assert first.stdout.startswith("1901-01-01 Tue  ")
    last = run("calendar", POLICY, "office", "--from", "2199-12-31", "--to", "2199-12-31")
    assert last.exit_code == 0
    assert last.stdout.startswith("2199-12-31 Tue  ")


def test_calendar_one_day() -> None:
    result = run("calendar", POLICY, "office", "--from", "2026-10-10", "--to", "2026-10-10")
    assert result.stdout == "2026-10-10 Sat  09:00-12:00, 13:30-18:00\n"


# --------------------------------------------------------------------------- durations


def test_full_width_digits_in_a_duration_are_refused(tmp_path: Path) -> None:
    text = Path(POLICY).read_text(encoding="utf-8")
    for digits in ("１５m", "١٥m"):
        changed = text.replace("P1: {response: 15m,", f"P1: {{response: {digits},", 1)
        assert changed != text
        path = tmp_path / "p.yaml"
        path.write_text(changed, encoding="utf-8")
        result = run("validate", str(path))
        assert result.exit_code == 1
        assert f"invalid duration '{digits}'" in result.stderr
        assert "is not an ASCII digit" in result.stderr


def test_status_prints_working_time_as_durations(tmp_path: Path) -> None:
    events = tmp_path / "events.json"
    events.write_text(
        json.dumps([{"type": "responded", "at": "2026-05-08T17:40:00+08:00"}]), encoding="utf-8"
    )
    result = run(
        "status", POLICY, OUTAGE, str(events), "--now", "2026-05-09T20:30:00+08:00", "--explain"
    )
    assert result.exit_code == 0
    assert "response  met       due 2026-05-08T17:45:00+08:00  used 10m left 5m " in result.stdout
    # resolve: 2h on the 24x7 calendar from 17:30, 27 hours later: 25 hours overdue
    assert "used 27h left -25h " in result.stdout
    assert not TIMEDELTA.search(result.stdout), result.stdout
    data = json.loads(
        run("status", POLICY, OUTAGE, str(events), "--now", "2026-05-09T20:30:00+08:00").stdout
    )
    assert data["targets"]["resolve"]["remaining_seconds"] == -25 * 3600


def test_diff_prints_shifts_as_durations_and_seconds(tmp_path: Path, slower: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(
        json.dumps(p2_ticket("A", "2026-05-12T10:00:00+08:00"))
        + "\n"
        + json.dumps(p2_ticket("B", "2026-05-15T16:00:00+08:00"))
        + "\n",
        encoding="utf-8",
    )
    text = run("diff", POLICY, str(slower), "--tickets", str(tickets))
    assert (
        "resolve due: 2 changed (2 earlier, 0 later; mean shift -1h30m, max earlier 1h30m, "
        "max later 0m)" in text.stdout
    )
    assert not TIMEDELTA.search(text.stdout), text.stdout
    report = json.loads(
        run("diff", POLICY, str(slower), "--tickets", str(tickets), "--json").stdout
    )
    shifts = [e["shift_seconds"] for e in report["examples"]["resolve_due"]]
    assert shifts == [-5400.0, -5400.0]
    assert report["deadlines"]["resolve"]["mean_shift_seconds"] == -5400.0
    assert "shift" not in report["examples"]["resolve_due"][0]


# --------------------------------------------------------------------------- warnings

#: a P3 question on the office calendar opened two days before the official data ends
LATE = '{"type": "question", "created_at": "2026-12-30T10:00:00+08:00"}'


def test_a_python_warning_is_one_line_of_its_own() -> None:
    result = run("evaluate", POLICY, "-", "--explain", stdin=LATE)
    assert result.exit_code == 0
    (line,) = result.stderr.splitlines()
    assert line.startswith("warning: calendar 'office': official CN holiday data does not cover")
    assert "HolidayDataWarning" not in result.stderr
    assert ".py" not in result.stderr  # no file name, no source line
    assert result.stdout.startswith("category  howto")


def test_the_same_warning_from_two_policies_prints_once(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_text((LATE + "\n") * 3, encoding="utf-8")
    result = run("diff", POLICY, POLICY, "--tickets", str(tickets), "--progress")
    assert result.exit_code == 0
    warned = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warned) == 1
    assert result.stderr.rstrip().endswith(warned[0])  # after the progress bar


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_the_warning_waits_for_the_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """On a real terminal the bar redraws one line; the warning comes after it is done."""
    import pty

    tickets = tmp_path / "t.jsonl"
    tickets.write_text((LATE + "\n") * 2000, encoding="utf-8")
    script = shutil.which("slapolicy", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "slapolicy"]
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        [*command, "diff", POLICY, POLICY, "--tickets", str(tickets)],
        stdout=subprocess.PIPE,
        stderr=terminal,
        env={**os.environ, "TERM": "xterm"},
    ) as proc:
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        stdout = proc.stdout.read() if proc.stdout else b""
        assert proc.wait(timeout=120) == 0
    os.close(controller)
    shown = b"".join(chunks).decode("utf-8")
    assert "comparing" in shown
    bar_end = shown.rindex("100%")
    warning = shown.index("warning")
    assert warning > bar_end
    assert "\n" in shown[bar_end:warning]  # on a line of its own
    assert shown.count("warning") == 1
    assert "comparing" not in shown[warning:]
    assert stdout.decode("utf-8").startswith("2000 tickets compared")
