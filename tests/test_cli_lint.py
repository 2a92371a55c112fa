"""`slapolicy lint`: accepting findings (`--ignore`, `--select`, `lint: {ignore: [...]}`),
the holiday-data finding SP107, stage names shadowing ticket fields (SP117), and `--today`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from slapolicy.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "policies" / "service-levels.yaml"
#: the sample without the lines that accept SP107, the finding these tests are about
UNACCEPTED = SAMPLE.read_text(encoding="utf-8").replace("lint: {ignore: [SP107]}\n", "")
ENDING = "2026-06-01"  # the samples' official holiday data (to 2026-12-31) ends within a year


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def policy(tmp_path: Path) -> str:
    """The sample policy, as a file, without its acceptance of SP107."""
    assert SAMPLE.read_text(encoding="utf-8") != UNACCEPTED
    path = tmp_path / "service-levels.yaml"
    path.write_text(UNACCEPTED, encoding="utf-8")
    return str(path)


@pytest.fixture
def noisy(tmp_path: Path, policy: str) -> Path:
    """The sample with an unused owner (SP105, info) and an unused calendar (SP106)."""
    text = (
        Path(policy)
        .read_text(encoding="utf-8")
        .replace("calendars:\n", "calendars:\n  spare: {hours: always}\n", 1)
        .replace("owners:\n", "owners:\n  ghost: {}\n", 1)
    )
    path = tmp_path / "noisy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def codes(result: Result) -> list[str]:
    return [json.loads(line)["code"] for line in result.stdout.splitlines()]


def test_without_options_every_finding_is_reported(noisy: Path) -> None:
    result = run("lint", "--json", "--today", ENDING, str(noisy))
    assert result.exit_code == 1
    assert sorted(codes(result)) == ["SP105", "SP106", "SP107"]


def test_ignore_leaves_codes_out(noisy: Path) -> None:
    result = run("lint", "--today", ENDING, str(noisy), "--ignore", "SP106,SP107")
    assert result.exit_code == 0  # SP105 is info
    assert "SP105" in result.stdout
    assert "SP106 calendar" not in result.stdout
    assert result.stdout.splitlines()[-1] == "1 finding(s); 2 ignored: SP106, SP107"


def test_ignore_may_be_repeated_and_is_case_insensitive(noisy: Path) -> None:
    result = run("lint", "--json", "--today", ENDING, str(noisy), "--ignore", "sp106")
    assert sorted(codes(result)) == ["SP105", "SP107"]
    again = run(
        "lint", "--json", "--today", ENDING, str(noisy), "--ignore", "SP106", "--ignore", "SP107"
    )
    assert codes(again) == ["SP105"]


def test_select_reports_only_those_codes(noisy: Path) -> None:
    result = run("lint", "--json", "--today", ENDING, str(noisy), "--select", "SP106")
    assert result.exit_code == 1
    assert codes(result) == ["SP106"]
    only_info = run("lint", "--today", ENDING, str(noisy), "--select", "SP105,SP101")
    assert only_info.exit_code == 0


@pytest.mark.parametrize("option", ["--ignore", "--select"])
@pytest.mark.parametrize("value", ["SP017", "SP107,XYZ", "E501"])
def test_an_unknown_code_is_a_usage_error(option: str, value: str, policy: str) -> None:
    result = run("lint", policy, option, value)
    assert result.exit_code == 2
    assert "unknown lint code" in result.stderr
    assert f"in {option}" in result.stderr
    assert "codes are SP101-SP117 (docs/lint.md)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_hint_suggests_the_nearest_code(policy: str) -> None:
    result = run("lint", policy, "--ignore", "SP1O7")
    assert "did you mean 'SP107'?" in result.stderr


def test_a_policy_accepts_findings_in_its_lint_section(noisy: Path) -> None:
    text = noisy.read_text(encoding="utf-8") + "lint:\n  ignore: [SP106, SP107]\n"
    noisy.write_text(text, encoding="utf-8")
    result = run("lint", "--today", ENDING, str(noisy))
    assert result.exit_code == 0
    assert "SP106" not in result.stdout.splitlines()[0]
    assert result.stdout.splitlines()[-1] == "1 finding(s); 2 ignored: SP106, SP107"


def test_an_unknown_code_in_the_policy_is_finding_sp116(tmp_path: Path, policy: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        Path(policy).read_text(encoding="utf-8") + "lint:\n  ignore: [SP107, SP017]\n",
        encoding="utf-8",
    )
    result = run("lint", "--today", ENDING, str(path))
    assert result.exit_code == 1
    (line,) = [x for x in result.stdout.splitlines() if "SP116" in x]
    number = len(path.read_text(encoding="utf-8").splitlines())
    assert line.startswith(f"{path}:{number}:")
    assert "'SP017', which is no lint code" in line
    assert line.endswith("[unknown-lint-code]")
    assert "SP107 calendar" not in result.stdout  # the known code is still accepted


def test_no_findings_line_says_what_was_ignored(policy: str) -> None:
    result = run("lint", "--today", ENDING, policy, "--ignore", "SP107")
    assert result.exit_code == 0
    assert result.stdout == f"{policy}: no findings (1 ignored: SP107)\n"


# --------------------------------------------------------------------------- SP107


def test_holiday_finding_states_the_last_covered_date_and_the_targets_past_it(policy: str) -> None:
    result = run("lint", "--json", "--today", "2026-12-28", policy)
    assert result.exit_code == 1
    (finding,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert finding["code"] == "SP107"
    message = finding["message"]
    assert "official holiday data covers dates up to 2026-12-31" in message
    # the P4 target of 3 working days from Monday 2026-12-28 is due after New Year
    assert "standard/P4 response 3d (due 2027-01-04)" in message
    assert "P1" not in message  # the P1 targets are on the around-the-clock calendar


def test_holiday_finding_prints_no_python_warning(policy: str) -> None:
    result = run("lint", "--today", "2026-12-28", policy)
    assert "warning:" not in result.stderr
    assert "HolidayDataWarning" not in result.stderr


@pytest.mark.parametrize(
    "today", ["9999-12-31", "1900-01-01", "2200-01-01", "0001-01-01", "1901-01-01x"]
)
def test_today_calendars_cannot_handle_is_a_usage_error(today: str, policy: str) -> None:
    result = run("lint", policy, "--today", today)
    assert result.exit_code == 2
    assert "invalid --today" in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_edges_of_the_supported_range_lint(policy: str) -> None:
    assert run("lint", policy, "--today", "2199-12-31").exit_code == 1  # SP107: data ended
    assert run("lint", policy, "--today", "1901-01-01").exit_code == 0


def test_out_of_range_today_names_the_range(policy: str) -> None:
    result = run("lint", policy, "--today", "9999-12-31")
    assert "9999-12-31 is outside" in result.stderr
    assert "(1901-01-01 to 2199-12-31)" in result.stderr


# --------------------------------------------------------------------------- SP117


def test_a_ticket_field_named_priority_is_reported(tmp_path: Path, policy: str) -> None:
    text = Path(policy).read_text(encoding="utf-8")
    shadowing = text.replace("fields:\n", "fields:\n  priority: {type: string}\n", 1)
    assert shadowing != text
    path = tmp_path / "p.yaml"
    path.write_text(shadowing, encoding="utf-8")
    result = run("lint", "--today", "2025-06-01", str(path))
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()[:-1]
    number = shadowing.splitlines().index("  priority: {type: string}") + 1
    assert line.startswith(f"{path}:{number}:")
    assert "SP117 field 'priority' is declared in `fields:`" in line
    assert line.endswith("[stage-name-shadows-field]")
    assert "--ignore" not in line
    accepted = run("lint", "--today", "2025-06-01", str(path), "--ignore", "SP117")
    assert accepted.exit_code == 0
