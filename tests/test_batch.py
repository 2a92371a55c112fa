"""`Policy.evaluate_batch` equals `Policy.evaluate`, row by row, through every input kind."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slapolicy
from slapolicy import Policy, TicketError, load_policy
from slapolicy.testing import tickets as ticket_strategy

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "policies").glob("*.yaml"))
POLICIES = {path.stem: load_policy(path) for path in SAMPLES}
AT = "2026-05-08T17:30:00+08:00"


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", slapolicy.HolidayDataWarning)
        yield


def expected_row(policy: Policy, ticket: Any, at: Any = None) -> dict[str, Any]:
    """What `evaluate` says of one ticket, in the shape of a result row."""
    metrics = [name[: -len("_due")] for name in due_columns(policy)]
    try:
        decision = policy.evaluate(ticket, at=at)
    except TicketError as exc:
        row: dict[str, Any] = dict.fromkeys(("category", "priority", "sla", "owner", "cc"))
        row.update({f"{m}_due": None for m in metrics})
        row["error"] = str(exc)
        return row
    row = {
        "category": decision.category,
        "priority": decision.priority,
        "sla": decision.sla,
        "owner": decision.owner,
        "cc": list(decision.cc),
    }
    for m in metrics:
        target = decision.targets.get(m)
        row[f"{m}_due"] = None if target is None else target.due
    row["error"] = None
    return row


def due_columns(policy: Policy) -> list[str]:
    names = policy.evaluate_batch([]).schema.names
    return [n for n in names if n.endswith("_due")]


def assert_rows_equal(policy: Policy, table: pa.Table, tickets: list[Any], at: Any) -> None:
    assert table.num_rows == len(tickets)
    for index, (row, ticket) in enumerate(zip(table.to_pylist(), tickets, strict=True)):
        assert row == expected_row(policy, ticket, at), f"row {index}: {ticket!r}"


# --------------------------------------------------------------------------- examples


def test_the_columns_and_their_order() -> None:
    table = POLICIES["service-levels"].evaluate_batch([])
    assert table.schema.names == [
        "category",
        "priority",
        "sla",
        "owner",
        "cc",
        "response_due",
        "resolve_due",
        "update_due",
        "record_due",
        "processing_due",
        "review_due",
        "error",
    ]
    assert table.schema.field("resolve_due").type == pa.timestamp("us", tz="Asia/Shanghai")
    assert table.num_rows == 0


def test_a_row_with_an_error_does_not_stop_the_others() -> None:
    policy = POLICIES["service-levels"]
    tickets: list[Any] = [
        {"type": "outage", "impact": "core", "created_at": AT},
        {"type": "billing", "impact": "critical", "created_at": AT},  # not in the enum
        7,  # not a mapping
        {"type": "billing", "impact": "major", "urgency": "high", "created_at": "garbage"},
        {"type": "question", "created_at": "2199-12-31T17:00:00+08:00"},  # due beyond 2199
        {"type": "billing", "impact": "major", "urgency": "high", "created_at": AT},
    ]
    table = policy.evaluate_batch(tickets)
    assert_rows_equal(policy, table, tickets, None)
    errors = table.column("error").to_pylist()
    assert [e is None for e in errors] == [True, False, False, False, False, True]
    assert (
        errors[1]
        == "ticket field 'impact': 'critical' is not one of 'core', 'major', 'minor', 'none'"
    )


def test_the_same_through_arrow_and_polars() -> None:
    policy = POLICIES["service-levels"]
    keys = ("type", "impact", "urgency", "text", "created_at")
    tickets = [
        dict.fromkeys(keys) | t
        for t in (
            {"type": "outage", "impact": "core", "text": "宕机", "created_at": AT},
            {"type": "billing", "impact": "major", "urgency": "high", "created_at": AT},
            {"type": "suggestion", "text": "希望", "created_at": AT},
            {"type": "billing", "impact": "critical", "created_at": AT},
        )
    ]
    table = pa.Table.from_pylist(tickets)  # (its columns are the first row's keys)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    for source in (tickets, table, frame, iter(tickets)):
        assert_rows_equal(policy, policy.evaluate_batch(source), table.to_pylist(), None)


def test_nested_struct_columns_are_dotted_paths() -> None:
    policy = load_policy(
        """
slapolicy: 1
name: nested
timezone: UTC
calendars: {always: {hours: always}}
categories:
  - {id: vip, when: {customer.tier: gold}}
  - {id: other}
priorities:
  - {id: P1, when: {category: vip}}
  - {id: P2}
slas:
  - {id: s, calendar: always, targets: {P1: {response: 1h}, P2: {response: 4h}}}
routing:
  - {owner: desk}
"""
    )
    rows = [
        {"customer": {"tier": "gold"}, "created_at": "2026-01-01T00:00:00Z"},
        {"customer": {"tier": "silver"}, "created_at": "2026-01-01T00:00:00Z"},
        {"customer": None, "created_at": "2026-01-01T00:00:00Z"},
        {"created_at": "2026-01-01T00:00:00Z"},
    ]
    table = pa.Table.from_pylist(rows)
    assert pa.types.is_struct(table.schema.field("customer").type)
    result = policy.evaluate_batch(table)
    assert result.column("category").to_pylist() == ["vip", "other", "other", "other"]
    assert_rows_equal(policy, result, table.to_pylist(), None)


def test_at_applies_to_every_row_and_a_bad_at_is_refused() -> None:
    policy = POLICIES["hotline"]
    tickets = [{"channel": "phone", "type": "complaint"}, {"channel": "web"}]
    assert_rows_equal(policy, policy.evaluate_batch(tickets, at=AT), tickets, AT)
    with pytest.raises(TicketError, match="invalid `at`"):
        policy.evaluate_batch(tickets, at="soon")


def test_a_single_mapping_is_refused() -> None:
    with pytest.raises(TypeError, match="iterable of ticket mappings"):
        POLICIES["hotline"].evaluate_batch({"channel": "phone"})


def test_timestamp_columns_are_starts() -> None:
    policy = POLICIES["service-levels"]
    start = datetime(2026, 5, 8, 9, 30, tzinfo=timezone.utc)
    table = pa.table(
        {
            "type": ["outage", "billing"],
            "impact": ["core", "major"],
            "urgency": ["high", "high"],
            "created_at": pa.array([start, None], type=pa.timestamp("us", tz="UTC")),
        }
    )
    result = policy.evaluate_batch(table, at=None)
    due = result.column("response_due").to_pylist()[0]
    assert due.isoformat() == "2026-05-08T17:45:00+08:00"
    assert result.column("error").to_pylist()[1] is None  # no start: the clock starts now


# --------------------------------------------------------------------------- properties


def broken(ticket: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Tickets that the scalar engine refuses, or that test odd values."""
    return st.sampled_from(
        [
            {**ticket, "created_at": "not a time"},
            {**ticket, "impact": "critical"},
            {**ticket, "impact": 3},
            {**ticket, "created_at": None},
            {k: v for k, v in ticket.items() if k != "created_at"},
            {**ticket, "text": ["a", "list"]},
            {**ticket, "type": True},
            42,
        ]
    )


def batch_of(policy: Policy) -> st.SearchStrategy[list[Any]]:
    valid = ticket_strategy(policy, start_max=datetime(2026, 10, 31))
    some = st.one_of(valid, valid.flatmap(broken))
    return st.lists(some, max_size=40)


@pytest.mark.parametrize("name", sorted(POLICIES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_evaluate_batch_equals_evaluate_row_by_row(name: str, data: st.DataObject) -> None:
    policy = POLICIES[name]
    tickets = data.draw(batch_of(policy))
    at = data.draw(st.sampled_from([None, AT]))
    # (tickets without a start would start "now": give those an explicit `at`)
    if at is None and any(
        not isinstance(t, dict) or t.get(policy.rules.clock.start_field) is None for t in tickets
    ):
        at = AT
    assert_rows_equal(policy, policy.evaluate_batch(tickets, at=at), tickets, at)


@pytest.mark.parametrize("name", sorted(POLICIES))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_evaluate_batch_equals_evaluate_through_arrow_and_polars(
    name: str, data: st.DataObject
) -> None:
    policy = POLICIES[name]
    valid = ticket_strategy(policy, start_max=datetime(2026, 10, 31))
    tickets = data.draw(st.lists(valid, min_size=1, max_size=40))
    keys = sorted({key for ticket in tickets for key in ticket})
    try:
        table = pa.Table.from_pylist([dict.fromkeys(keys) | t for t in tickets])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return  # fields of mixed types have no Arrow column: the mapping path covers them
    rows = table.to_pylist()  # what an Arrow user's tickets are
    assert_rows_equal(policy, policy.evaluate_batch(table, at=AT), rows, AT)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    assert_rows_equal(policy, policy.evaluate_batch(frame, at=AT), frame.to_arrow().to_pylist(), AT)
