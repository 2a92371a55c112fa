"""`validate`, `lint` and `test` over many policy files, `validate --json`, and the
pre-commit hooks the repository ships (run through the real, installed command).

Exit codes: the highest of any file (0 ok, 1 invalid policy / finding / failure, 2 a file
that cannot be read); one summary line at the end when more than one file is given.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from slapolicy import load_policy
from slapolicy.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "policies").glob("*.yaml"))
POLICY = str(ROOT / "policies" / "service-levels.yaml")
TODAY = "2025-06-01"  # more than 12 months before the samples' holiday data ends: no SP107


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def invalid(tmp_path: Path) -> Path:
    text = Path(POLICY).read_text(encoding="utf-8").replace("priorities:", "priorites:", 1)
    path = tmp_path / "invalid.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def failing(tmp_path: Path) -> Path:
    text = Path(POLICY).read_text(encoding="utf-8")
    wrong = text.replace(
        'response_due: "2026-05-08T17:45:00+08:00"', 'response_due: "2026-05-08T17:44:00+08:00"'
    )
    assert wrong != text
    path = tmp_path / "failing.yaml"
    path.write_text(wrong, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- validate


def test_validate_many_files_reports_each_and_a_summary() -> None:
    result = run("validate", *(str(ROOT / p) for p in SAMPLES))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(SAMPLES) + 1
    for line, sample in zip(lines, SAMPLES, strict=False):
        assert line.startswith(f"{ROOT / sample}: ok (")
    assert lines[-1] == f"{len(SAMPLES)} files: {len(SAMPLES)} ok"


def test_validate_one_file_prints_no_summary() -> None:
    result = run("validate", POLICY)
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"{POLICY}: ok (服务等级表, sha256:")


def test_validate_many_with_an_invalid_one_exits_1(invalid: Path) -> None:
    result = run("validate", POLICY, str(invalid))
    assert result.exit_code == 1
    assert f"{POLICY}: ok" in result.stdout
    assert f"{invalid}:" in result.stderr
    assert "unknown key 'priorites'" in result.stderr
    assert result.stdout.splitlines()[-1] == "2 files: 1 ok; 1 invalid"


def test_validate_an_unreadable_file_is_exit_2_after_reporting_the_others(
    invalid: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.yaml"
    result = run("validate", str(missing), POLICY, str(invalid))
    assert result.exit_code == 2  # the highest code of any file
    assert f"slapolicy: {missing}: no such file" in result.stderr
    assert f"{POLICY}: ok" in result.stdout
    assert "unknown key 'priorites'" in result.stderr
    assert result.stdout.splitlines()[-1] == "3 files: 1 ok; 1 invalid, 1 unreadable"


def test_validate_needs_a_file() -> None:
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument 'POLICY...'" in result.output


def test_validate_json_report(invalid: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = run("validate", "--json", POLICY, str(invalid), str(missing))
    assert result.exit_code == 2
    assert result.stderr == ""  # everything is in the report
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["summary"] == {"files": 3, "ok": 1, "invalid": 1, "unreadable": 1}
    ok, bad, unread = report["files"]
    assert ok["file"] == POLICY
    assert ok["ok"] is True
    assert ok["name"] == "服务等级表"
    assert ok["version"].startswith("sha256:")
    assert ok["problems"] == []
    assert bad["ok"] is False
    assert bad["error"] is None
    (problem,) = [p for p in bad["problems"] if "priorites" in p["message"]]
    assert set(problem) == {"message", "path", "line", "column"}
    line = Path(invalid).read_text(encoding="utf-8").splitlines().index("priorites:") + 1
    assert (problem["path"], problem["line"], problem["column"]) == ("priorites", line, 1)
    assert unread == {
        "file": str(missing),
        "ok": False,
        "name": None,
        "version": None,
        "error": "no such file",
        "problems": [],
    }


def test_validate_json_all_ok_exits_0() -> None:
    result = run("validate", "--json", POLICY)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["summary"] == {"files": 1, "ok": 1, "invalid": 0, "unreadable": 0}


# --------------------------------------------------------------------------- lint and test


def test_lint_many_files(tmp_path: Path) -> None:
    noisy = tmp_path / "noisy.yaml"
    noisy.write_text(
        Path(POLICY)
        .read_text(encoding="utf-8")
        .replace("calendars:\n", "calendars:\n  spare: {hours: always}\n", 1),
        encoding="utf-8",
    )
    result = run("lint", "--today", TODAY, POLICY, str(noisy))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{POLICY}: no findings"
    assert lines[1].startswith(f"{noisy}:")
    assert "SP106 calendar 'spare'" in lines[1]
    assert lines[-1] == "2 files: 1 finding(s) in 1 of them"


def test_lint_many_files_all_clean_and_an_invalid_one(invalid: Path) -> None:
    clean = run("lint", "--today", TODAY, *(str(ROOT / p) for p in SAMPLES))
    assert clean.exit_code == 0
    assert clean.stdout.splitlines()[-1] == f"{len(SAMPLES)} files: no findings"
    mixed = run("lint", "--today", TODAY, POLICY, str(invalid))
    assert mixed.exit_code == 1
    assert "unknown key 'priorites'" in mixed.stderr
    assert mixed.stdout.splitlines()[-1] == "2 files: no findings; 1 invalid"


def test_lint_json_lines_of_many_files(tmp_path: Path) -> None:
    # the sample policy without the lines that accept SP107
    text = Path(POLICY).read_text(encoding="utf-8")
    unaccepted = tmp_path / "service-levels.yaml"
    unaccepted.write_text(text.replace("lint: {ignore: [SP107]}\n", ""), encoding="utf-8")
    assert unaccepted.read_text(encoding="utf-8") != text
    result = run("lint", "--json", "--today", "2026-06-01", str(unaccepted), str(unaccepted))
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["code"] for r in rows] == ["SP107", "SP107"]  # nothing but findings
    assert {r["file"] for r in rows} == {str(unaccepted)}


def test_test_many_files(failing: Path) -> None:
    result = run("test", POLICY, str(failing))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == POLICY  # a header per file
    assert str(failing) in lines
    assert "FAIL" in result.stdout
    total = len(load_policy(POLICY).examples)
    assert lines[-1] == f"2 files: {2 * total - 1} passed, 1 failed"


def test_test_one_file_keeps_its_output() -> None:
    result = run("test", POLICY)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("PASS  ")
    assert re.fullmatch(r"\d+ passed, 0 failed", lines[-1])


def test_test_with_a_missing_file(tmp_path: Path) -> None:
    result = run("test", POLICY, str(tmp_path / "gone.yaml"))
    assert result.exit_code == 2
    assert "gone.yaml: no such file" in result.stderr
    assert result.stdout.splitlines()[-1].endswith("; 1 unreadable")


# --------------------------------------------------------------------------- pre-commit


def _hooks() -> list[dict[str, Any]]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return hooks


def _command() -> list[str]:
    """The installed console script, as pre-commit would run it."""
    script = shutil.which("slapolicy", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "slapolicy"]


def _repository_files() -> list[str]:
    return sorted(
        str(p.relative_to(ROOT)).replace("\\", "/")
        for p in (ROOT / "policies").rglob("*")
        if p.is_file()
    )


def test_the_hooks_are_well_formed() -> None:
    hooks = {hook["id"]: hook for hook in _hooks()}
    assert set(hooks) == {"slapolicy-validate", "slapolicy-lint", "slapolicy-test"}
    for name, hook in hooks.items():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is True
        assert hook["entry"] == f"slapolicy {name.removeprefix('slapolicy-')}"
        assert hook["name"]
        matched = [f for f in _repository_files() if re.search(hook["files"], f)]
        assert matched == SAMPLES  # the policies, not tickets or shared calendar files
        assert re.search(hook["files"], "team/policies/billing.yml")
        assert not re.search(hook["files"], "policies/calendars/cn-office.yaml")


@pytest.mark.parametrize("hook", _hooks(), ids=lambda hook: str(hook["id"]))
def test_each_hook_passes_on_the_sample_policies(hook: dict[str, Any]) -> None:
    files = [f for f in _repository_files() if re.search(hook["files"], f)]
    entry = shlex.split(hook["entry"])
    assert entry[0] == "slapolicy"
    args = [*entry[1:], *hook.get("args", [])]
    proc = subprocess.run(
        [*_command(), *args, *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.splitlines()[-1].startswith(f"{len(files)} files: ")
