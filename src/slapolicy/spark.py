"""Backtests on Spark: a policy's decisions appended to a Spark DataFrame of tickets.

``evaluate(df, policy)`` runs :meth:`slapolicy.Policy.evaluate_batch` on every Arrow batch
of ``df`` where the data lives (Spark's ``mapInArrow``), so a backtest over years of tickets
in a data lake runs on the cluster that already holds them, with the code and the policy of
a laptop run. The policy travels to the workers pickled (a policy pickles as its source: its
file's text, so the workers need no access to the file). Needs the ``spark`` extra
(``pip install 'slapolicy[spark]'``: pyspark, pyarrow, numpy) on the driver and the workers.

::

    from pyspark.sql import SparkSession
    import slapolicy, slapolicy.spark

    spark = SparkSession.builder.getOrCreate()
    tickets = spark.read.parquet("s3://helpdesk/tickets/")
    policy = slapolicy.load_policy("policies/service-levels.yaml")
    decided = slapolicy.spark.evaluate(tickets, policy)
    decided.groupBy("priority", "owner").count().show()
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ._clock.histories import ROW_COLUMNS, history_of
from ._clock.review import Report, ReportRow, ReviewSetup
from ._clock.review_run import make_setup
from ._errors import SlaPolicyError
from ._policy import Policy

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = ["REPORT_ROW_FIELDS", "evaluate", "report_rows", "result_fields"]


def result_fields(policy: Policy) -> list[tuple[str, str]]:
    """The columns ``evaluate`` appends, as ``(name, Spark SQL type)``, in order."""
    schema = policy.evaluate_batch([]).schema
    out = []
    for field in schema:
        if field.name == "cc":
            out.append((field.name, "array<string>"))
        elif field.name.endswith("_due"):
            out.append((field.name, "timestamp"))
        else:
            out.append((field.name, "string"))
    return out


def evaluate(
    df: Any,
    policy: Policy,
    *,
    at: datetime | str | None = None,
    now: datetime | None = None,
) -> Any:
    """``df`` with the decision of every row appended (see ``Policy.evaluate_batch``).

    The appended columns are ``category``, ``priority``, ``sla``, ``owner``, ``cc``, one
    ``<metric>_due`` timestamp per metric that starts with the clock, and ``error``; a name
    that ``df`` already has is an error (rename the input column first). Nested ticket
    fields are struct columns, as ``evaluate_batch`` reads them. ``now`` (aware) starts the
    clock of tickets without a start field; by default the instant of this call, the same
    for every task, so that the result does not depend on when each task runs.
    """
    try:
        from pyspark.sql.types import StructType
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise ImportError(
            f"slapolicy.spark needs pyspark ({exc}): pip install 'slapolicy[spark]'"
        ) from None
    fields = result_fields(policy)
    taken = sorted(set(df.columns) & {name for name, _ in fields})
    if taken:
        raise ValueError(
            f"the tickets already have the column(s) {', '.join(taken)} that the decision "
            "appends: rename them first (df.withColumnRenamed)"
        )
    appended = ", ".join(f"`{name}` {kind}" for name, kind in fields)
    schema = StructType.fromDDL(appended)
    assert isinstance(schema, StructType)
    output = StructType([*df.schema.fields, *schema.fields])
    return df.mapInArrow(_Decide(policy, at, now or datetime.now(timezone.utc)), output)


class _Decide:
    """The function each Spark task runs over its Arrow batches (pickled with the policy)."""

    def __init__(self, policy: Policy, at: datetime | str | None, now: datetime) -> None:
        self.policy = policy
        self.at = at
        self.now = now

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        for batch in batches:
            decided = self.policy.evaluate_batch(
                pa.Table.from_batches([batch]), at=self.at, now=self.now
            )
            columns = [*batch.columns, *decided.combine_chunks().columns]
            names = [*batch.schema.names, *decided.schema.names]
            yield pa.RecordBatch.from_arrays(
                [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns],
                names=names,
            )


#: the columns of :func:`report_rows`, as ``(name, Spark SQL type)``, in order
REPORT_ROW_FIELDS: tuple[tuple[str, str], ...] = (
    ("ticket", "string"),
    ("category", "string"),
    ("priority", "string"),
    ("sla", "string"),
    ("owner", "string"),
    ("metric", "string"),
    ("cycle", "int"),
    ("state", "string"),
    ("start", "timestamp"),
    ("due", "timestamp"),
    ("stopped_at", "timestamp"),
    ("elapsed_seconds", "double"),
    ("breached_at", "timestamp"),
    ("error", "string"),
)


def report_rows(df: Any, policy: Policy, *, now: datetime | str) -> Any:
    """The per-cycle rows of the periodic review (``Policy.report``) of a Spark DataFrame of
    histories, computed where the data lives.

    ``df`` has a ``ticket`` column (a struct, or JSON text) and an ``events`` column (an
    array of structs, or JSON text), as ``slapolicy report`` reads Parquet. The result has
    one row per cycle of each targeted metric of each history (a pending metric: one row,
    cycle 0), with the columns of :data:`REPORT_ROW_FIELDS`: ``ticket`` is the ticket's
    ``id``; the instants are Spark timestamps. A history that cannot be read or that the
    policy refuses gives one row with its ``error`` and nulls elsewhere, never nothing: count
    them with ``where(col("error").isNotNull())``. Aggregate the rest with Spark
    (attainment by month: ``groupBy``, ``count``), or collect a sample for ``Policy.report``.
    """
    try:
        from pyspark.sql.types import StructType
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise ImportError(
            f"slapolicy.spark needs pyspark ({exc}): pip install 'slapolicy[spark]'"
        ) from None
    missing = sorted({"ticket", "events"} - set(df.columns))
    if missing:
        raise ValueError(
            f"the histories need the column(s) {', '.join(missing)}: a `ticket` (struct or "
            "JSON text) and its `events` (array of structs or JSON text)"
        )
    setup = make_setup(policy, now, (), None, 5, None)  # checks `now` on the driver
    schema = StructType.fromDDL(", ".join(f"`{n}` {t}" for n, t in REPORT_ROW_FIELDS))
    assert isinstance(schema, StructType)
    return df.select("ticket", "events").mapInArrow(_Rows(policy, setup), schema)


class _Rows:
    """The function each Spark task runs over its batches of histories (pickled)."""

    def __init__(self, policy: Policy, setup: ReviewSetup) -> None:
        self.policy = policy
        self.setup = setup

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        types = {"int": pa.int32(), "double": pa.float64(), "timestamp": pa.timestamp("us", "UTC")}
        schema = pa.schema(
            [(name, types.get(kind, pa.string())) for name, kind in REPORT_ROW_FIELDS]
        )
        for batch in batches:
            out: dict[str, list[Any]] = {name: [] for name, _ in REPORT_ROW_FIELDS}
            report = Report(self.setup)  # makes the rows (its counts are not used here)
            for number, value in enumerate(batch.to_pylist(), start=1):
                for row in self._rows(report, number, value):
                    for name, _ in REPORT_ROW_FIELDS:
                        out[name].append(row.get(name))
            yield pa.RecordBatch.from_pydict(out, schema=schema)

    def _rows(self, report: Report, number: int, value: Any) -> list[dict[str, Any]]:
        found = history_of(value, columns=True)
        if isinstance(found, str):
            return [{"error": found}]
        ticket, events = found
        try:
            outcome = self.policy.clock.outcome(ticket, events, self.setup.now)
        except SlaPolicyError as exc:
            return [{"error": str(exc)}]
        except RecursionError:
            return [{"error": "the ticket or its events are nested too deeply"}]
        rows: list[ReportRow] = []
        report.add(number, ticket, outcome, rows)
        return [dict(zip(ROW_COLUMNS, row, strict=True)) for row in rows]
