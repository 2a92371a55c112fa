"""``load_policy`` and :class:`Policy`, the facade over the whole pipeline.

::

    load_policy(source)                                   once per policy
      _source     YAML text -> data that remembers line and column; the schema
      _compile    data -> Rules: conditions, calendars, durations, references checked
      _backends   Rules -> Selection (native: generated Python; durable: durable-rules)
      _engine     Rules + Selection -> Evaluator: schedules of deadlines per SLA/priority

    policy.evaluate(ticket) -> Decision                   _engine
    policy.status(ticket, events, now=...) -> SlaStatus   _clock, over the engine

A :class:`Policy` holds the compiled rules and the evaluator built from them; it is
immutable, thread-safe and pickles as its source data and backend name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, NoReturn

from ._backends import BACKENDS
from ._calendar import Calendar, DataSource
from ._clock import Clock, SlaStatus
from ._compile import EscalationRule, Matrix, Rule, Rules, Sla, compile_rules
from ._engine import Decision, Evaluator, Selection
from ._fields import FieldType
from ._source import SourceDocument, read_source
from ._source.schema import ExampleSpec, OwnerSpec

if TYPE_CHECKING:
    from ._clock.review import Report

__all__ = ["Policy", "load_policy"]


def load_policy(
    source: str | os.PathLike[str] | Mapping[str, Any], backend: str = "native"
) -> Policy:
    """Load and compile a policy from a YAML file path, YAML text, or a parsed mapping.

    ``backend`` selects the rule engine: ``"native"`` (the default) or ``"durable"``
    (durable-rules, an optional extra: ``pip install 'slapolicy[durable]'``); both give the
    same decisions. Raises :class:`PolicyError` listing every problem, each with file, line,
    column and YAML path.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    data, document, filename = read_source(source)
    return Policy(compile_rules(data, document, filename), backend=backend)


class Policy:
    """A compiled policy. Immutable, thread-safe and picklable; build with ``load_policy``."""

    __slots__ = ("_backend", "_batch", "_clock", "_evaluator")

    _backend: str
    _batch: Any
    _clock: Clock
    _evaluator: Evaluator

    def __init__(self, rules: Rules, *, backend: str = "native") -> None:
        selection = BACKENDS[backend](rules)
        object.__setattr__(self, "_backend", backend)
        evaluator = Evaluator(rules, selection)
        object.__setattr__(self, "_evaluator", evaluator)
        object.__setattr__(self, "_clock", Clock(evaluator))
        object.__setattr__(self, "_batch", None)  # the batch engine, made on first use

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"Policy is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"Policy is immutable: cannot delete {name!r}")

    def __repr__(self) -> str:
        suffix = "" if self._backend == "native" else f" backend={self._backend}"
        return f"<Policy {self.name!r} {self.version}{suffix}>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (load_policy, (dict(self.rules.source), self._backend))

    # ------------------------------------------------------------------ deciding

    def evaluate(self, ticket: Mapping[str, Any], *, at: datetime | str | None = None) -> Decision:
        """Decide category, priority, SLA, targets, owner and escalations for ``ticket``.

        ``at`` overrides the start of the clock; else the ticket's ``clock.start_field``;
        else now. Raises :class:`TicketError` for a ticket that cannot be evaluated.
        """
        return self._evaluator.evaluate(ticket, at)

    def evaluate_batch(
        self,
        tickets: Any,
        *,
        at: datetime | str | None = None,
        now: datetime | None = None,
    ) -> Any:
        """Decide many tickets at once: a ``pyarrow.Table``, a polars ``DataFrame`` or an
        iterable of mappings in, a ``pyarrow.Table`` out, one row per ticket, in order.

        Columns: ``category``, ``priority``, ``sla``, ``owner``, ``cc``, one ``<metric>_due``
        timestamp per metric that starts with the clock, and ``error``: the message of the
        ``TicketError`` a row's ticket raises (its other columns are null; the other rows
        are still decided). Every row equals ``evaluate`` of its ticket. ``at`` starts every
        clock; ``now`` (an aware datetime) starts the clock of tickets without a start field
        (default: the current time), for backtests that must repeat. Needs the ``batch``
        extra (``pip install 'slapolicy[batch]'``).
        """
        engine = self._batch_engine()  # first: a clear error without the batch extra
        from ._batch import evaluate_batch

        return evaluate_batch(engine, tickets, at, now=now)

    def evaluate_batches(
        self,
        tickets: Any,
        *,
        at: datetime | str | None = None,
        now: datetime | None = None,
    ) -> Iterator[Any]:
        """The same as :meth:`evaluate_batch`, one ``pyarrow.RecordBatch`` at a time (of up to
        65,536 tickets): memory stays flat over any number of tickets."""
        engine = self._batch_engine()
        from ._batch import iter_batches

        return iter_batches(engine, tickets, at, now=now)

    def _batch_engine(self) -> Any:
        if self._batch is None:
            try:
                from ._batch import BatchEngine
            except ImportError as exc:  # pragma: no cover - the extra is installed in tests
                raise ImportError(
                    f"evaluate_batch needs pyarrow and numpy ({exc}): "
                    "pip install 'slapolicy[batch]'"
                ) from None
            object.__setattr__(self, "_batch", BatchEngine(self._evaluator))
        return self._batch

    def classify(self, ticket: Mapping[str, Any]) -> tuple[str, str]:
        """Only the category and priority of ``ticket`` (no deadlines): the cheap part."""
        return self._evaluator.classify(ticket)

    def status(
        self,
        ticket: Mapping[str, Any],
        events: Iterable[Mapping[str, Any]],
        *,
        now: datetime | str,
    ) -> SlaStatus:
        """The SLA clock of ``ticket`` at ``now`` over its history ``events`` (oldest first).

        See docs/clock.md for pauses, reopenings and re-prioritisation. Raises
        :class:`TicketError` for bad tickets or events.
        """
        return self._clock.status(ticket, events, now)

    def report(
        self,
        history: Iterable[Mapping[str, Any]] | str | os.PathLike[str],
        *,
        now: datetime | str,
        by: str | Sequence[str] = (),
        top: str | Sequence[str] | None = None,
        top_n: int = 5,
        mean: str | Sequence[str] | None = None,
        rows: bool | str | os.PathLike[str] = False,
        rows_format: str | None = None,
        jobs: int | None = None,
        on_progress: Callable[[int], object] | None = None,
    ) -> Report:
        """The periodic review (数据复盘) of ticket histories at ``now``: see docs/report.md.

        ``history``: ``{"ticket": {...}, "events": [...]}`` mappings, or the path of a JSON
        lines file of them or of a Parquet file with ``ticket`` and ``events`` columns
        (Parquet needs the ``batch`` extra). Every history gets ``status(ticket, events,
        now=now)``; the report counts each cycle of each targeted metric (met, breached,
        running, pending, cancelled; attainment; median and p90 of working time used),
        overall and per group of ``by`` (``priority``, ``category``, ``owner``, ``sla``,
        ``month``), the categories, the ``top_n`` most frequent values of each ``top``
        field and the mean of each ``mean`` field. A history that cannot be read is counted
        in ``errors`` with its line, never dropped. ``rows``: True keeps the per-cycle rows
        for ``Report.rows()``; a path writes them there (``rows_format`` ``csv`` or
        ``parquet``, else from the suffix) without holding them. Files are read in parts on
        ``jobs`` processes (default: one per core); ``on_progress`` is told the bytes (JSON
        lines) or histories (Parquet, iterables) done now and then. Raises ``TicketError``
        for a bad ``now``, ``ValueError`` for a bad argument, ``OSError`` for a file that
        cannot be read.
        """
        from ._clock.review_run import make_setup, run_review

        setup = make_setup(self, now, by, top, top_n, mean)
        return run_review(
            self,
            history,
            setup,
            rows=rows,
            rows_format=rows_format,
            jobs=jobs,
            on_progress=on_progress,
        )

    # ------------------------------------------------------------------ what it is

    @property
    def rules(self) -> Rules:
        """The compiled rules (conditions, targets, escalations, calendars): read-only."""
        return self._evaluator.rules

    @property
    def clock(self) -> Clock:
        """The SLA clock (every metric's triggers, prepared): :meth:`status` replays with it,
        and the review (:meth:`report`) counts its ``outcome`` of each history."""
        return self._clock

    @property
    def backend(self) -> str:
        """Which engine selects rules: ``"native"`` or ``"durable"``."""
        return self._backend

    @property
    def selection(self) -> Selection:
        """The backend's stage selection (``selection.engine``: its own engine, if any)."""
        return self._evaluator.selection

    @property
    def version(self) -> str:
        """``sha256:`` + 16 hex digits of the canonical policy and of the tz and holiday data
        its deadlines count on (:attr:`data_sources`): audit which policy decided, and know
        that the same version gives the same deadlines on every machine."""
        return self.rules.version

    @property
    def data_sources(self) -> tuple[DataSource, ...]:
        """The time-zone and holiday data the policy counts on, each with its version."""
        return self.rules.data_sources

    @property
    def name(self) -> str:
        """The policy's ``name``."""
        return self.rules.name

    @property
    def timezone(self) -> tzinfo:
        """The policy's zone (naive instants are read in it)."""
        return self.rules.timezone

    @property
    def calendars(self) -> Mapping[str, Calendar]:
        """Read-only mapping: calendar name -> :class:`Calendar`."""
        return self.rules.calendars

    @property
    def fields(self) -> Mapping[str, FieldType]:
        """The declared ticket fields."""
        return self.rules.fields

    @property
    def categories(self) -> tuple[Rule, ...]:
        """The category rules, in file order (the last is the default)."""
        return self.rules.categories

    @property
    def priorities(self) -> tuple[Rule, ...]:
        """The priority rules, in file order (the last is the default)."""
        return self.rules.priorities

    @property
    def matrix(self) -> Matrix | None:
        """The priority_matrix, if the policy has one."""
        return self.rules.matrix

    @property
    def slas(self) -> tuple[Sla, ...]:
        """The SLAs, in file order, with their targets per priority."""
        return self.rules.slas

    @property
    def routing(self) -> tuple[Rule, ...]:
        """The routing rules, in file order (the last is the default)."""
        return self.rules.routing

    @property
    def owners(self) -> Mapping[str, OwnerSpec]:
        """The declared owners."""
        return self.rules.owners

    @property
    def escalations(self) -> tuple[EscalationRule, ...]:
        """The escalation rules, in file order."""
        return self.rules.escalations

    @property
    def start_field(self) -> str:
        """The ticket field the clock starts from (``clock.start_field``)."""
        return self.rules.clock.start_field

    @property
    def pause_statuses(self) -> frozenset[str]:
        """The statuses that pause the clock (``clock.pause_statuses``)."""
        return self.rules.clock.pause_statuses

    @property
    def on_reopen(self) -> str:
        """What reopening does to ``resolve``: ``"continue"`` or ``"restart"``."""
        return self.rules.clock.on_reopen

    @property
    def examples(self) -> tuple[ExampleSpec, ...]:
        """The policy's ``examples:`` (objects with ``name``, ``ticket``, ``at``, ``expect``)."""
        return self.rules.examples

    @property
    def filename(self) -> str | None:
        """The file it was loaded from, or None."""
        return self.rules.filename

    @property
    def document(self) -> SourceDocument | None:
        """The YAML it came from (locations of lint findings), or None for a mapping."""
        return self.rules.document

    # ------------------------------------------------------------------ durable backend

    def durable_definition(self) -> dict[str, Any]:
        """The ruleset as handed to durable-rules (rule name -> ``all``/``pri``), for reading."""
        definition: dict[str, Any] = self._durable_engine().definition()
        return definition

    def durable_summary(self) -> dict[str, Any]:
        """Per stage: rules, chunks, tests run by durable-rules and tests computed natively."""
        summary: dict[str, Any] = self._durable_engine().summary()
        return summary

    def _durable_engine(self) -> Any:
        if self._backend != "durable":
            raise TypeError(f"this policy uses the {self._backend} backend, not durable")
        return self.selection.engine
