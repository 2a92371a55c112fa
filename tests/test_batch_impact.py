"""`diff` on the batch engine reports exactly what the ticket-by-ticket comparison reports.

The reference is :func:`slapolicy._tooling.impact.compare_stream`, which evaluates every
ticket alone; :func:`compare_file` reads the same file in batches (JSON lines or Parquet), in
one process or several, and must fill the same report: counters, transitions, deadline
shifts, examples, errors and their line numbers, in the same order.
"""

from __future__ import annotations

import json
import random
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slapolicy
from slapolicy import Policy, load_policy
from slapolicy._tooling import batch_impact
from slapolicy._tooling.batch_impact import compare_file
from slapolicy._tooling.impact import ImpactReport, compare_stream
from slapolicy.testing import tickets as ticket_strategy

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "policies" / "service-levels.yaml"
OLD = load_policy(SAMPLE)

#: edits of the sample, each changing one kind of decision
EDITS = {
    "targets": ("P2: {response: 30m, resolve: 24h,", "P2: {response: 1h, resolve: 3d,"),
    "priority": (
        "major: {high: P2, medium: P2, low: P3}",
        "major: {high: P1, medium: P3, low: P3}",
    ),
    "category": ("[建议, 希望, 优化]", "[建议, 优化, 问题]"),
}


def edited(kind: str) -> Policy:
    text = SAMPLE.read_text(encoding="utf-8")
    before, after = EDITS[kind]
    assert before in text, f"the sample no longer holds {before!r}"
    path = EDITED / f"{kind}.yaml"
    path.write_text(text.replace(before, after), encoding="utf-8")
    return load_policy(path)


EDITED = Path(tempfile.mkdtemp(prefix="slapolicy-edits-"))
(EDITED / "calendars").symlink_to(SAMPLE.parent / "calendars")  # the shared calendar
NEW = {kind: edited(kind) for kind in EDITS}


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", slapolicy.HolidayDataWarning)
        yield


def reference(old: Policy, new: Policy, path: Path, per_kind: int = 3) -> dict[str, Any]:
    with path.open("rb") as stream:
        return compare_stream(old, new, stream, ImpactReport(per_kind=per_kind)).to_dict()


def write_lines(path: Path, lines: list[Any]) -> Path:
    """JSON lines; a str item is written as it is (a broken or blank line)."""
    text = "".join(
        (x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines
    )
    path.write_text(text, encoding="utf-8")
    return path


#: lines the comparison cannot use: broken JSON, not an object, a ticket no policy evaluates
BROKEN = st.sampled_from(
    ["not json", "[1, 2]", '{"created_at": "yesterday"}', "", '{"id": 7, "created_at": 5}']
)
#: lines fast JSON readers read differently from the json module, or refuse
AT = '"created_at": "2026-05-11T10:00:00+08:00"'
ODD = st.sampled_from(
    [
        f'{{"id": 123456789012345678901234567890, "type": "outage", {AT}}}',
        f'{{"id": 18446744073709551616, "impact": "major", "urgency": "high", {AT}}}',
        f'{{"id": -9223372036854775809, "impact": "major", "urgency": "low", {AT}}}',
        f'{{"id": "n", "impact": NaN, {AT}}}',
        f'{{"id": "inf", "score": 1e400, "type": "question", {AT}}}',
        f'\ufeff{{"id": "bom", "type": "outage", {AT}}}',
        f'{{"id": "\\ud800", "text": "\\udfff 希望", {AT}}}',
        f'{{"id": "dup", "type": "outage", "type": "suggestion", {AT}}}',
    ]
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(EDITS)),
    lines=st.lists(st.one_of(ticket_strategy(OLD), BROKEN, ODD), max_size=40),
    per_kind=st.integers(min_value=0, max_value=4),
)
def test_batches_report_what_ticket_by_ticket_reports(
    tmp_path_factory: pytest.TempPathFactory, kind: str, lines: list[Any], per_kind: int
) -> None:
    path = write_lines(tmp_path_factory.mktemp("diff") / "t.jsonl", lines)
    expected = reference(OLD, NEW[kind], path, per_kind)
    assert compare_file(OLD, NEW[kind], str(path), per_kind=per_kind).to_dict() == expected


def many_tickets(count: int) -> list[Any]:
    """A fixed, varied set of tickets (seeded), with broken lines between them."""
    rng = random.Random(13)
    texts = ["系统宕机了", "希望增加导出", "怎么改密码", "有个问题", "outage in EU", "", "账单不对"]
    lines: list[Any] = []
    for n in range(count):
        ticket: dict[str, Any] = {
            "id": f"T{n}",
            "created_at": f"2026-{rng.randint(1, 11):02d}-"
            f"{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
            f"{rng.choice(['00', '17', '59'])}:00+08:00",
        }
        for name, values in (
            ("type", ["outage", "billing", "order", "question", "suggestion", "x"]),
            ("impact", ["core", "major", "minor", "none"]),
            ("urgency", ["high", "medium", "low"]),
            ("channel", ["phone", "email", "web", "chat"]),
            ("text", texts),
        ):
            if rng.random() < 0.8:
                ticket[name] = rng.choice(values)
        lines.append(ticket)
    for at in range(7, count, 97):
        lines.insert(at, "not json")
    return lines


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_several_processes_report_what_one_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setattr(batch_impact, "BATCH_LINES", 50)  # many batches per range
    path = write_lines(tmp_path / "t.jsonl", many_tickets(600))
    expected = reference(OLD, NEW[kind], path)
    assert expected["errors"]["invalid_json"] == len(range(7, 600, 97))
    assert expected["unchanged"] < expected["tickets"], "the edit changes nothing: a weak test"
    report = compare_file(OLD, NEW[kind], str(path), jobs=2).to_dict()
    assert report == expected


def test_parquet_reports_what_the_same_json_lines_report(tmp_path: Path) -> None:
    tickets = [
        {
            "id": f"T{n}",
            "type": t,
            "impact": i,
            "created_at": f"2026-05-{11 + n % 5}T1{n % 8}:00:00+08:00",
        }
        for n, (t, i) in enumerate(
            [(t, i) for t in ("billing", "outage", "other") for i in ("core", "major", "minor")]
            * 20
        )
    ]
    jsonl = write_lines(tmp_path / "t.jsonl", tickets)
    parquet = tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_pylist(tickets), parquet, row_group_size=40)
    for kind in EDITS:
        expected = reference(OLD, NEW[kind], jsonl)
        assert expected["tickets"] == len(tickets)
        for jobs in (1, 2):
            got = compare_file(OLD, NEW[kind], str(parquet), parquet=True, jobs=jobs)
            assert got.to_dict() == expected, (kind, jobs)


def test_progress_counts_every_byte(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "t.jsonl", many_tickets(120))
    seen: list[int] = []
    compare_file(OLD, NEW["targets"], str(path), on_bytes=seen.append)
    assert sum(seen) == path.stat().st_size


# --------------------------------------------------------------------------- without the extra


@pytest.fixture
def no_batch_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports of the batch modules fail, as on an install without pyarrow and numpy."""
    import sys

    for name in ("slapolicy._tooling.batch_impact", "slapolicy._batch"):
        monkeypatch.setitem(sys.modules, name, None)


def test_without_the_batch_extra_diff_compares_ticket_by_ticket(
    tmp_path: Path, no_batch_extra: None
) -> None:
    from slapolicy._tooling.compare import compare_path

    path = write_lines(tmp_path / "t.jsonl", many_tickets(300))
    expected = reference(OLD, NEW["targets"], path)
    assert compare_path(OLD, NEW["targets"], str(path), jobs=2).to_dict() == expected
    with pytest.raises(ImportError, match=r"slapolicy\[batch\]"):
        compare_path(OLD, NEW["targets"], str(path), parquet=True)


def test_without_the_batch_extra_evaluate_batch_names_it(no_batch_extra: None) -> None:
    fresh = load_policy(SAMPLE)
    with pytest.raises(ImportError, match=r"pip install 'slapolicy\[batch\]'"):
        fresh.evaluate_batch([])


def test_without_the_batch_extra_the_cli_refuses_parquet_in_one_line(
    tmp_path: Path, no_batch_extra: None
) -> None:
    from click.testing import CliRunner

    from slapolicy.cli import main

    parquet = tmp_path / "t.parquet"
    parquet.write_bytes(b"PAR1")
    result = CliRunner().invoke(main, ["diff", str(SAMPLE), str(SAMPLE), "--tickets", str(parquet)])
    assert result.exit_code == 2
    assert "slapolicy[batch]" in result.output
    assert "Traceback" not in result.output
