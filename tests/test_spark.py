"""`slapolicy.spark.evaluate` on a real local Spark (``local[2]``): the same rows as
`Policy.evaluate`, ticket by ticket.

Spark needs a Java runtime (`.ci/run` installs Debian's `default-jre-headless`) and the
`spark` extra. In CI (`CI=true`) a missing piece fails the tests with what is missing; a
local run without them skips with that message.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slapolicy
from slapolicy import TicketError, load_policy
from slapolicy.testing import tickets as ticket_strategy

ROOT = Path(__file__).resolve().parent.parent
AT = "2026-05-08T17:30:00+08:00"


def _missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -e '.[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (apt-get install default-jre-headless)"
    return None


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    missing = _missing()
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"Spark cannot start in CI: {missing}")
        pytest.skip(f"Spark cannot start here: {missing}")
    from pyspark.sql import SparkSession

    # the workers must run this interpreter, which has pyarrow and slapolicy
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("slapolicy-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Spark's own deprecation noise, holiday data
        yield


def expected(policy: slapolicy.Policy, ticket: dict[str, Any]) -> dict[str, Any]:
    names = [f.name for f in policy.evaluate_batch([]).schema]
    try:
        decision = policy.evaluate(ticket, at=AT)
    except TicketError as exc:
        row = dict.fromkeys(names)
        row["error"] = str(exc)
        return row
    row = {
        "category": decision.category,
        "priority": decision.priority,
        "sla": decision.sla,
        "owner": decision.owner,
        "cc": list(decision.cc),
        "error": None,
    }
    for name in names:
        if name.endswith("_due"):
            target = decision.targets.get(name[: -len("_due")])
            row[name] = None if target is None else target.due
    return row


def same_instant(a: Any, b: Any) -> bool:
    """Spark gives naive datetimes in its session zone (UTC here)."""
    if a is None or b is None:
        return a is b
    return bool(a.replace(tzinfo=None) == b.astimezone(timezone.utc).replace(tzinfo=None))


def test_rows_are_appended_in_order(spark: Any) -> None:
    import slapolicy.spark as sspark

    policy = load_policy(ROOT / "policies" / "service-levels.yaml")
    rows = [
        {"id": "T-1", "type": "outage", "impact": "core", "urgency": None, "text": "宕机"},
        {"id": "T-2", "type": "billing", "impact": "major", "urgency": "high", "text": None},
        {"id": "T-3", "type": "billing", "impact": "critical", "urgency": None, "text": None},
    ]
    df = spark.createDataFrame(
        rows, "id string, type string, impact string, urgency string, text string"
    )
    decided = sspark.evaluate(df, policy, at=AT).orderBy("id").collect()
    assert [r["id"] for r in decided] == ["T-1", "T-2", "T-3"]
    assert [r["priority"] for r in decided] == ["P1", "P2", None]
    assert decided[2]["error"] == (
        "ticket field 'impact': 'critical' is not one of 'core', 'major', 'minor', 'none'"
    )
    assert decided[0]["response_due"].isoformat() == "2026-05-08T09:45:00"  # 17:45 +08:00


def test_a_taken_column_name_is_refused(spark: Any) -> None:
    import slapolicy.spark as sspark

    policy = load_policy(ROOT / "policies" / "hotline.yaml")
    df = spark.createDataFrame([{"owner": "x"}])
    with pytest.raises(ValueError, match="already have the column"):
        sspark.evaluate(df, policy)


@pytest.mark.parametrize("name", ["service-levels", "after-sales"])
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_spark_equals_evaluate_row_by_row(spark: Any, name: str, data: st.DataObject) -> None:
    import pyarrow as pa

    import slapolicy.spark as sspark

    policy = load_policy(ROOT / "policies" / f"{name}.yaml")
    valid = ticket_strategy(policy, start_max=datetime(2026, 10, 31))
    tickets = data.draw(st.lists(valid, min_size=100, max_size=150))
    keys = sorted({key for ticket in tickets for key in ticket} | {"row"})
    try:
        table = pa.Table.from_pylist(
            [dict.fromkeys(keys) | t | {"row": i} for i, t in enumerate(tickets)]
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return  # mixed types in one field: no Spark column holds them
    df = spark.createDataFrame(table)
    rows = {r["row"]: r.asDict() for r in sspark.evaluate(df, policy, at=AT).collect()}
    # what Spark holds of each ticket (its types), as the scalar engine's input
    sent = {r["row"]: r for r in df.toArrow().to_pylist()}
    assert len(rows) == len(tickets)
    for index in range(len(tickets)):
        ticket = sent[index]
        want = expected(policy, {k: v for k, v in ticket.items() if k != "row"})
        got = rows[index]
        for column, value in want.items():
            if column.endswith("_due"):
                assert same_instant(got[column], value), (index, column)
            else:
                assert got[column] == value, (index, column)


def test_tickets_without_a_start_all_start_at_the_given_now(spark: Any) -> None:
    import slapolicy.spark as sspark

    policy = load_policy(ROOT / "policies" / "service-levels.yaml")
    now = datetime(2026, 5, 11, 2, 0, tzinfo=timezone.utc)
    tickets = [{"id": str(n), "type": t} for n, t in enumerate(["outage", "billing"] * 80)]
    df = spark.createDataFrame(tickets)
    rows = sspark.evaluate(df, policy, now=now).collect()
    assert len(rows) == len(tickets)
    for row in rows:
        want = expected_at(policy, {"id": row["id"], "type": row["type"]}, now)
        assert same_instant(row["response_due"], want), row


def expected_at(policy: slapolicy.Policy, ticket: dict[str, Any], at: datetime) -> Any:
    return policy.evaluate(ticket, at=at).targets["response"].due


# --------------------------------------------------------------------------- review rows


def bench_histories(count: int) -> list[dict[str, Any]]:
    """Plausible histories on the service-levels policy (benchmarks/bench_clock.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_clock", ROOT / "benchmarks" / "bench_clock.py"
    )
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return [{"ticket": t, "events": e} for t, e, _ in bench.generate(count, 5, False, 5)]


def test_review_rows_on_spark_equal_the_report_rows(spark: Any) -> None:
    import json

    import slapolicy.spark as sspark

    policy = load_policy(ROOT / "policies" / "service-levels.yaml")
    now = "2026-11-15T00:00:00+08:00"
    histories = bench_histories(200)
    broken = [{"ticket": "{not json", "events": "[]"}, {"ticket": '{"impact": "nope"}'}]
    records = [
        {"n": i, "ticket": json.dumps(h["ticket"]), "events": json.dumps(h["events"])}
        for i, h in enumerate(histories)
    ]
    records += [{"n": len(records) + i, "events": "[]", **b} for i, b in enumerate(broken)]
    df = spark.createDataFrame(records, "n int, ticket string, events string")
    got = sspark.report_rows(df, policy, now=now).collect()

    report = policy.report(histories, now=now, rows=True)
    want = [row._asdict() for row in report.rows()]
    assert len(want) > len(histories)  # several metrics per history
    assert report.errors == 0
    rows = [r.asDict() for r in got if r["error"] is None]
    errors = [r["error"] for r in got if r["error"] is not None]
    assert len(errors) == len(broken)
    assert any("invalid JSON" in e for e in errors)
    assert any("created_at" in e for e in errors)

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row["ticket"], row["metric"], row["cycle"])

    assert sorted(map(key, rows)) == sorted(map(key, want))
    by_key = {key(r): r for r in rows}
    for row in want:
        mine = by_key[key(row)]
        for column in ("category", "priority", "sla", "owner", "state"):
            assert mine[column] == row[column], (key(row), column)
        assert mine["elapsed_seconds"] == row["elapsed_seconds"]
        for column in ("start", "due", "stopped_at", "breached_at"):
            assert same_instant(mine[column], row[column]), (key(row), column)


def test_review_rows_need_the_history_columns(spark: Any) -> None:
    import slapolicy.spark as sspark

    policy = load_policy(ROOT / "policies" / "service-levels.yaml")
    df = spark.createDataFrame([{"ticket": "{}"}])
    with pytest.raises(ValueError, match="events"):
        sspark.report_rows(df, policy, now="2026-11-15T00:00:00+08:00")
