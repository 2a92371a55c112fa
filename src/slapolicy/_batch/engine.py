"""The batch engine: every stage of a policy over a batch of tickets at once.

It runs the stages the scalar engine runs, in the same order and with the same rules, on
columns (:mod:`.columns`, :mod:`.conditions`): declared fields converted per distinct value,
first match per stage as numpy masks, the priority matrix per distinct pair of values, and
every due instant of a column of starts computed together by the calendars
(:func:`slapolicy._calendar.deadlines_array`).

A row the columns cannot decide exactly goes to the scalar engine, which then decides it,
or gives the error its ``evaluate`` would raise: a ticket that is not a mapping, a declared
field whose value cannot be converted, an unreadable start, a deadline beyond what the
calendars answer, and a field read through a declared field below it. So every row equals
``Policy.evaluate`` of that ticket by construction, and the property tests check it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np
import numpy.typing as npt

from .._calendar.vector import deadlines_arrays_masked
from .._compile import Rule
from .._conditions import Node, iter_field_tests
from .._engine import Evaluator
from .._errors import TicketError
from .._fields import FieldType, coerce, path_keys
from .columns import Codes, Column, Mask, encode
from .conditions import evaluate
from .frames import Frame, MappingFrame
from .instants import read_instants
from .text import needles_of

__all__ = ["BatchEngine", "Decided"]

Int64s = npt.NDArray[np.int64]


class Decided:
    """The decisions of one batch, column by column.

    ``category``, ``priority``, ``sla``, ``owner`` and ``cc`` are codes into ``values[name]``
    (-1 for a row with an error); the scalar engine's rows append what they need.
    """

    FIELDS = ("category", "priority", "sla", "owner", "cc")

    def __init__(self, rows: int, metrics: Sequence[str]) -> None:
        self.codes: dict[str, Codes] = {f: np.full(rows, -1, dtype=np.int64) for f in self.FIELDS}
        self.values: dict[str, list[Any]] = {f: [] for f in self.FIELDS}
        #: per metric: due instants (microseconds) and whether the row has one
        self.due: dict[str, Int64s] = {m: np.zeros(rows, dtype=np.int64) for m in metrics}
        self.has_due: dict[str, Mask] = {m: np.zeros(rows, dtype=np.bool_) for m in metrics}
        self.error: list[str | None] = [None] * rows

    def put(self, name: str, row: int, value: Any) -> None:
        """One row's value, decided by the scalar engine."""
        values = self.values[name]
        values.append(value)
        self.codes[name][row] = len(values) - 1


class BatchEngine:
    """A policy's stages prepared for batches (once per policy)."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        rules = self.rules = evaluator.rules
        self.reader = evaluator.reader
        #: declared fields by their keys
        self.declared = {path_keys(path): ft for path, ft in rules.fields.items()}
        #: the paths that hold a declared field below them (``a`` for ``a.b``)
        self.above_declared = {k[:i] for k in self.declared for i in range(1, len(k))}
        self.category_ids = [r.id for r in rules.categories]
        self.priority_ids = [r.id for r in rules.priorities]
        self.sla_ids = [s.rule.id for s in rules.slas]
        self.start_keys = path_keys(rules.clock.start_field)
        #: the metrics a decision may give a due instant: those that start with the clock
        targeted = {t.name for sla in rules.slas for ts in sla.targets.values() for t in ts}
        self.metrics = [
            name
            for name, metric in rules.metrics.items()
            if metric.starts_at_creation and name in targeted
        ]
        #: per metric: the conditions of its `created` starts, or None when one has none
        self.created_when: dict[str, tuple[Node, ...] | None] = {}
        for name in self.metrics:
            starts = [t.condition for t in rules.metrics[name].start if t.event == "created"]
            always = any(c.is_always for c in starts)
            self.created_when[name] = None if always else tuple(c.node for c in starts)
        #: per field: the keywords every stage tests on it, raw and casefolded
        self.needles = _needles_by_field(
            [
                *(r.condition.node for r in rules.categories),
                *(r.condition.node for r in rules.priority_rules),
                *(s.rule.condition.node for s in rules.slas),
                *(r.condition.node for r in rules.routing),
                *(n for nodes in self.created_when.values() if nodes for n in nodes),
            ]
        )

    # ------------------------------------------------------------------ one batch

    def decide(self, frame: Frame, at_us: int | None, now_us: int) -> Decided:
        """The decisions of every ticket of ``frame``."""
        run = _Run(self, frame)
        out = Decided(frame.rows, self.metrics)
        category = run.first_match(self.rules.categories, {})
        priority = run.priorities(category)
        decided = {"category": category, "priority": priority}
        sla = run.first_match([s.rule for s in self.rules.slas], decided)
        decided["sla"] = sla
        route = run.first_match(self.rules.routing, decided)
        owners = [r.owner or "" for r in self.rules.routing]
        decided["owner"] = _as_decided(route.codes, owners)
        starts = run.starts(at_us, now_us)
        run.deadlines(starts, sla.codes, priority.codes, decided, out)
        good = ~run.bad
        for name, values, codes in (
            ("category", self.category_ids, category.codes),
            ("priority", self.priority_ids, priority.codes),
            ("sla", self.sla_ids, sla.codes),
            ("owner", owners, route.codes),
            ("cc", [list(r.cc) for r in self.rules.routing], route.codes),
        ):
            out.values[name] = list(values)
            out.codes[name][good] = codes[good]
        for row in np.flatnonzero(run.bad).tolist():
            self._scalar(frame.ticket(row), row, at_us, out)
        return out

    def _scalar(self, ticket: Mapping[str, Any], row: int, at_us: int | None, out: Decided) -> None:
        """Decide one row with the scalar engine (its error, or its decision)."""
        for name in self.metrics:
            out.has_due[name][row] = False
        try:
            at = None if at_us is None else self.reader.instants.from_us(at_us)
            decision = self.evaluator.evaluate(ticket, at)
        except TicketError as exc:
            out.error[row] = str(exc)
            return
        out.put("category", row, decision.category)
        out.put("priority", row, decision.priority)
        out.put("sla", row, decision.sla)
        out.put("owner", row, decision.owner)
        out.put("cc", row, list(decision.cc))
        for name in self.metrics:
            target = decision.targets.get(name)
            if target is not None:
                out.due[name][row] = (target.due - _EPOCH) // _ONE_US
                out.has_due[name][row] = True


class _Run:
    """The columns of one batch, read and converted on demand."""

    def __init__(self, engine: BatchEngine, frame: Frame) -> None:
        self.engine = engine
        self.frame = frame
        self.rows = frame.rows
        #: rows the scalar engine decides (their errors, or what columns cannot say)
        self.bad: Mask = np.zeros(self.rows, dtype=np.bool_)
        self.columns: dict[tuple[str, ...], Column] = {}
        if isinstance(frame, MappingFrame):
            self.bad |= np.fromiter(
                (not isinstance(t, Mapping) for t in frame.tickets), np.bool_, count=self.rows
            )
        # every declared field is converted, read or not: a value it refuses is an error
        for keys in engine.declared:
            self.field(keys)

    def field(self, keys: tuple[str, ...]) -> Column:
        """A ticket field, converted when declared."""
        column = self.columns.get(keys)
        if column is not None:
            return column
        declared = self.engine.declared
        if keys in self.engine.above_declared:
            # a field read above a declared one holds converted values inside: the scalar
            # engine's view decides those rows
            column = encode(self.frame.values(keys))
            self.bad |= column.present()
        else:
            column = encode(self.frame.values(keys), self.frame.array(keys))
            field_type = declared.get(keys)
            if field_type is not None:
                column = self._convert(column, field_type)
        column.needles = self.engine.needles.get(keys, {})
        self.columns[keys] = column
        return column

    def _convert(self, column: Column, field_type: FieldType) -> Column:
        """Convert a declared field per distinct value; rows whose value fails are bad."""
        tz = self.engine.reader.tz
        failed = np.zeros(len(column.distinct), dtype=np.bool_)
        converted: list[Any] = []
        for code, value in enumerate(column.distinct):
            if value is None:
                converted.append(None)
                continue
            try:
                converted.append(coerce(value, field_type, tz=tz))
            except ValueError:
                failed[code] = True
                converted.append(None)
        if failed.any():
            self.bad |= failed[column.codes]
        return Column(column.codes, converted, column.missing)

    def where(self, node: Node, decided: Mapping[str, Column]) -> Mask:
        return evaluate(node, self.rows, self.field, decided)

    def first_match(self, rules: Sequence[Rule], decided: Mapping[str, Column]) -> Column:
        """The index of the first rule whose condition holds (the last rule: the default)."""
        chosen = np.full(self.rows, len(rules) - 1, dtype=np.int64)
        open_rows = np.ones(self.rows, dtype=np.bool_)
        for index, rule in enumerate(rules[:-1]):
            if not open_rows.any():
                break
            hit = self.where(rule.condition.node, decided) & open_rows
            chosen[hit] = index
            open_rows &= ~hit
        return _as_decided(chosen, [r.id for r in rules])

    def priorities(self, category: Column) -> Column:
        """The priority stage: its rules, then the matrix, then the default."""
        rules = self.engine.rules
        ids = self.engine.priority_ids
        position = {pid: i for i, pid in enumerate(ids)}
        chosen = np.full(self.rows, len(ids) - 1, dtype=np.int64)
        open_rows = np.ones(self.rows, dtype=np.bool_)
        decided = {"category": category}
        for rule in rules.priority_rules:
            if not open_rows.any():
                break
            hit = self.where(rule.condition.node, decided) & open_rows
            chosen[hit] = position[rule.id]
            open_rows &= ~hit
        matrix = rules.matrix
        if matrix is not None and open_rows.any():
            row_values = self._matrix_axis(matrix.rows, category)
            col_values = self._matrix_axis(matrix.columns, category)
            pairs = row_values.codes * len(col_values.distinct) + col_values.codes
            unique, inverse = np.unique(pairs, return_inverse=True)
            cells = np.full(len(unique), -1, dtype=np.int64)
            width = len(col_values.distinct)
            for i, pair in enumerate(unique.tolist()):
                row_value = row_values.distinct[pair // width]
                col_value = col_values.distinct[pair % width]
                if isinstance(row_value, str) and isinstance(col_value, str):
                    cell = matrix.cells.get((row_value, col_value))
                    if cell is not None:
                        cells[i] = position[cell]
            from_matrix = cells[inverse.reshape(-1)]
            use = open_rows & (from_matrix >= 0)
            chosen[use] = from_matrix[use]
        return _as_decided(chosen, ids)

    def _matrix_axis(self, path: str, category: Column) -> Column:
        """A matrix row or column field (``category`` is the decided category)."""
        keys = path_keys(path)
        if keys[0] == "category":
            if len(keys) == 1:
                return category
            return Column(np.zeros(self.rows, dtype=np.int64), [None], 0)
        return self.field(keys)

    def starts(self, at_us: int | None, now_us: int) -> Int64s:
        """The clock start of every row (``at``, else the start field, else now)."""
        if at_us is not None:
            return np.full(self.rows, at_us, dtype=np.int64)
        reader = self.engine.reader
        column = self.field(self.engine.start_keys)
        required = self.engine.rules.clock.start_required
        missing = column.missing
        present = [v for code, v in enumerate(column.distinct) if code != missing]
        read, wrong = read_instants(reader.instants, present)
        values = np.insert(read, missing, now_us)
        failed = np.insert(wrong, missing, required)
        if failed.any():
            self.bad |= failed[column.codes]
        result: Int64s = values[column.codes]
        return result

    def deadlines(
        self,
        starts: Int64s,
        sla: Codes,
        priority: Codes,
        decided: Mapping[str, Column],
        out: Decided,
    ) -> None:
        """Every due instant, per (SLA, priority) group of rows, each calendar at once."""
        engine = self.engine
        created = {
            name: self._created(nodes, decided)
            for name, nodes in engine.created_when.items()
            if nodes is not None
        }
        groups = sla * len(engine.priority_ids) + priority
        for group in np.unique(groups[~self.bad]).tolist():
            rows = np.flatnonzero((groups == group) & ~self.bad)
            sla_index, priority_index = divmod(group, len(engine.priority_ids))
            schedule = engine.evaluator.schedules[sla_index, engine.priority_ids[priority_index]]
            group_starts = starts[rows]
            answers: list[Int64s] = []
            for cal, wanted in schedule.groups:
                # one pass over the calendar's window arrays for all the group's durations,
                # exactly Calendar.deadlines_us element by element (_calendar/vector.py)
                dues, failed = deadlines_arrays_masked(cal, group_starts, wanted)
                if failed.any():
                    self.bad[rows[failed]] = True
                answers.append(dues)
            for due in schedule.targets:
                if due.name not in out.due:
                    continue
                keep = np.ones(len(rows), dtype=np.bool_)
                if due.name in created:
                    keep = created[due.name][rows]
                out.due[due.name][rows] = answers[due.group][due.position]
                out.has_due[due.name][rows] = keep

    def _created(self, nodes: tuple[Node, ...], decided: Mapping[str, Column]) -> Mask:
        """Rows where some `created` start of a metric holds."""
        result = np.zeros(self.rows, dtype=np.bool_)
        for node in nodes:
            result |= self.where(node, decided)
        return result


def _needles_by_field(nodes: Sequence[Node]) -> dict[tuple[str, ...], dict[bool, list[str]]]:
    """The keywords of every keyword test on each ticket field, by ``fold``, in order."""
    found: dict[tuple[str, ...], dict[bool, dict[str, None]]] = {}
    for node in nodes:
        for tests in iter_field_tests(node):
            for test in tests.tests:
                needles = needles_of(test)
                if needles:
                    by_fold = found.setdefault(tests.keys, {})
                    by_fold.setdefault(test.fold, {}).update(dict.fromkeys(needles))
    return {
        keys: {fold: list(needles) for fold, needles in by_fold.items()}
        for keys, by_fold in found.items()
    }


def _as_decided(codes: Codes, ids: list[str]) -> Column:
    """A decision as a column (the rule ids as its distinct values)."""
    return Column(codes, [*ids, None], len(ids))


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_US = datetime.resolution  # timedelta(microseconds=1)
