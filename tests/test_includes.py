"""Shared calendar files: `{include: path}` under `calendars:`."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import pytest

from slapolicy import PolicyError, load_policy

ROOT = Path(__file__).resolve().parent.parent

CALENDAR = """\
timezone: Asia/Shanghai
hours:
  mon-fri: ["09:00-12:00", "13:30-18:00"]
holidays:
  dates:
    - {date: 2026-05-01..2026-05-05, name: 劳动节}
"""

POLICY = """\
slapolicy: 1
name: includes
timezone: Asia/Shanghai
calendars:
  office: {include: calendars/office.yaml}
categories:
  - {id: other}
priorities:
  - {id: P1}
slas:
  - {id: standard, calendar: office, targets: {P1: {response: 2h}}}
routing:
  - {owner: desk}
"""

TICKET = {"created_at": "2026-04-30T17:00:00+08:00"}


def write(tmp_path: Path, calendar: str = CALENDAR, policy: str = POLICY) -> Path:
    (tmp_path / "calendars").mkdir(exist_ok=True)
    (tmp_path / "calendars" / "office.yaml").write_text(calendar, encoding="utf-8")
    path = tmp_path / "policy.yaml"
    path.write_text(policy, encoding="utf-8")
    return path


def problems_of(source: object) -> list[object]:
    with pytest.raises(PolicyError) as info:
        load_policy(source)  # type: ignore[arg-type]
    return list(info.value.problems)


def test_the_included_calendar_counts_the_deadlines(tmp_path: Path) -> None:
    """Thu 04-30 17:00 + 2h: 1h that day, the May holidays, then 1h on Wed 05-06."""
    decision = load_policy(write(tmp_path)).evaluate(TICKET)
    assert decision.response_due is not None
    assert decision.response_due.isoformat() == "2026-05-06T10:00:00+08:00"


def test_the_path_is_relative_to_the_policy_file_not_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    path = write(folder)
    monkeypatch.chdir(tmp_path)  # no calendars/ here
    assert load_policy(path).rules.calendars["office"].holiday_name(date(2026, 5, 4)) == "劳动节"


def test_a_policy_given_as_text_includes_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path)
    monkeypatch.chdir(tmp_path)
    decision = load_policy(POLICY).evaluate(TICKET)
    assert decision.response_due is not None
    assert decision.response_due.isoformat() == "2026-05-06T10:00:00+08:00"


def test_a_problem_inside_the_file_is_reported_in_that_file(tmp_path: Path) -> None:
    path = write(tmp_path, CALENDAR.replace('"13:30-18:00"', '"13:30-25:00"'))
    (problem,) = problems_of(path)
    assert problem.file.endswith("office.yaml")  # type: ignore[attr-defined]
    assert problem.line == 3  # type: ignore[attr-defined]
    assert problem.path.startswith("calendars.office.hours")  # type: ignore[attr-defined]


def test_a_yaml_error_inside_the_file_is_reported_in_that_file(tmp_path: Path) -> None:
    path = write(tmp_path, CALENDAR + "hours: {again: 1}\n")
    (problem,) = problems_of(path)
    assert problem.file.endswith("office.yaml")  # type: ignore[attr-defined]
    assert "hours" in problem.message  # type: ignore[attr-defined]


def test_a_missing_file_is_reported_at_the_include(tmp_path: Path) -> None:
    path = write(tmp_path, policy=POLICY.replace("calendars/office.yaml", "calendars/nope.yaml"))
    (problem,) = problems_of(path)
    assert problem.file == str(path)  # type: ignore[attr-defined]
    assert problem.path == "calendars.office.include"  # type: ignore[attr-defined]
    assert problem.line == 5  # type: ignore[attr-defined]
    assert "no such file" in problem.message  # type: ignore[attr-defined]
    assert "nope.yaml" in problem.message  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("calendar_text", "policy_edit", "words"),
    [
        pytest.param(
            CALENDAR,
            ("{include: calendars/office.yaml}", "{include: calendars/office.yaml, hours: always}"),
            "takes everything from the file",
            id="include-with-other-keys",
        ),
        pytest.param(
            CALENDAR, ("{include: calendars/office.yaml}", "{include: 3}"), "path", id="not-text"
        ),
        pytest.param("- a list\n", ("", ""), "one calendar mapping", id="not-a-mapping"),
        pytest.param(
            "include: other.yaml\n", ("", ""), "cannot include another", id="nested-include"
        ),
    ],
)
def test_bad_includes_are_refused(
    tmp_path: Path, calendar_text: str, policy_edit: tuple[str, str], words: str
) -> None:
    policy = POLICY.replace(*policy_edit) if policy_edit[0] else POLICY
    (problem,) = problems_of(write(tmp_path, calendar_text, policy))
    assert words in problem.message  # type: ignore[attr-defined]


def test_the_version_follows_the_included_file(tmp_path: Path) -> None:
    path = write(tmp_path)
    before = load_policy(path).version
    assert load_policy(path).version == before
    write(tmp_path, CALENDAR.replace("2026-05-05", "2026-05-04"))
    assert load_policy(path).version != before


def test_a_pickled_policy_no_longer_needs_the_file(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path))
    (tmp_path / "calendars" / "office.yaml").unlink()
    clone = pickle.loads(pickle.dumps(policy))
    assert clone.evaluate(TICKET) == policy.evaluate(TICKET)


def test_the_sample_policies_share_one_office_calendar() -> None:
    shared = load_policy(ROOT / "policies" / "hotline.yaml").rules.calendars["office"]
    inline = load_policy(ROOT / "policies" / "service-levels.yaml").rules.calendars["office"]
    start = "2026-09-30T17:00:00+08:00"
    assert shared.add(start, "3d") == load_policy(
        ROOT / "policies" / "feedback-system.yaml"
    ).rules.calendars["office"].add(start, "3d")
    # service-levels adds its own closing day (2026-12-31) to the same calendar
    assert shared.add(start, "3d") == inline.add(start, "3d")
    assert shared.holiday_name(date(2026, 12, 31)) is None
    assert inline.holiday_name(date(2026, 12, 31)) == "年终盘点"
