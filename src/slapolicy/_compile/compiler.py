"""The policy compiler: YAML data -> validated models -> compiled :class:`Rules`.

Three passes, each collecting every problem before reporting, so an editor sees all of
them at once, each at its ``file:line:col``:

1. the data comes from :mod:`slapolicy._source` (strict YAML with locations);
2. its shape is validated by the pydantic models of :mod:`slapolicy._source.schema`;
3. compile: calendars, conditions, durations, and the references between sections
   (priorities have targets in every SLA, owners and calendars exist, defaults come last).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from fractions import Fraction
from types import MappingProxyType
from typing import Any, get_args

from pydantic import ValidationError

from .._calendar import Calendar, zone_source
from .._conditions import Condition, compile_condition
from .._durations import Duration, parse_duration
from .._errors import CalendarError, PolicyError, Problem, format_path, parse_path
from .._fields import FieldType
from .._source import Included, SourceDocument, resolve_includes
from .._source.schema import PERCENT_RE, PolicySpec, TargetBy, TargetTime
from .metrics import BUILTIN_METRICS, compile_events, compile_metrics, parse_target
from .references import check_references
from .rules import ClockRules, EscalationRule, Matrix, Metric, Rule, Rules, Sla, TargetRule

__all__ = ["compile_rules"]

PathT = tuple[str | int, ...]
_TARGET_NAMES = ("response", "resolve", "update")
_STAGES = {"categories": "category", "priorities": "priority", "slas": "sla", "routing": "routing"}


def compile_rules(data: Any, document: SourceDocument | None, filename: str | None) -> Rules:
    """Validate and compile policy data; :class:`PolicyError` lists every problem."""
    return _Compiler(data, document, filename).compile()


class _Compiler:
    """Validates and compiles one policy, collecting problems as it goes."""

    def __init__(self, data: Any, doc: SourceDocument | None, filename: str | None) -> None:
        self.data = data
        self.doc = doc
        self.filename = filename
        self.problems: list[Problem] = []
        self.tz: tzinfo | None = None
        #: calendar files included by the policy, by the path they replace
        self.included: Included = {}

    # ------------------------------------------------------------------ problems

    def problem(self, message: str, path: PathT, *, key: bool = False, once: bool = False) -> None:
        """Record a problem at ``path`` (``once``: unless the same one is already there)."""
        if once and any(
            p.message == message and p.path == format_path(path) for p in self.problems
        ):
            return
        line = column = None
        doc, filename, inner = self.doc, self.filename, path
        if path[:2] in self.included:  # inside an included calendar: located in its file
            doc = self.included[path[:2]]
            filename, inner = doc.filename, path[2:]
        if doc is not None:
            where = doc.locate_key(inner) if key else None
            where = where or doc.locate(inner)
            if where is not None:
                line, column = where
        self.problems.append(Problem(message, format_path(path), filename, line, column, key=key))

    def absorb(self, problems: Iterable[Problem], prefix: PathT = ()) -> None:
        """Record problems found below ``prefix`` (a condition's, a calendar's)."""
        for p in problems:
            self.problem(p.message, (*prefix, *parse_path(p.path)), key=p.key)

    def fail_if_any(self) -> None:
        if self.problems:
            # the policy file's problems first, then an included file's, each in text order
            ordered = sorted(
                self.problems,
                key=lambda p: (p.file != self.filename, p.file or "", p.line or 0, p.column or 0),
            )
            raise PolicyError(ordered)

    # ------------------------------------------------------------------ passes

    def compile(self) -> Rules:
        if not isinstance(self.data, Mapping):
            self.problem(f"a policy must be a mapping of sections, got {_kind(self.data)}", ())
            self.fail_if_any()
        self.data, self.included, problems = resolve_includes(self.data, self.doc, self.filename)
        if problems:  # a calendar that cannot be read: the rest would only repeat it
            self.problems.extend(problems)
            self.fail_if_any()
        # the metrics escalations may name: the built-ins and the declared ones
        declared = self.data.get("metrics")
        names = {*BUILTIN_METRICS, *(declared if isinstance(declared, Mapping) else ())}
        try:
            spec = PolicySpec.model_validate(self.data, context={"metrics": names})
        except ValidationError as exc:
            self._report_validation(exc)
            if any(err["type"] != "unknown_metric" for err in exc.errors()):
                self.fail_if_any()
            # only unknown metric names: the rest of the policy is well formed, so read it
            # without the check and go on, to report every other problem at once
            spec = PolicySpec.model_validate(self.data)
        return self._compile(spec)

    def _report_validation(self, exc: ValidationError) -> None:
        by_path: dict[PathT, list[str]] = {}
        keys: set[PathT] = set()
        for err in exc.errors(include_url=False):
            kind = err["type"]
            path = self._data_path(err["loc"], kind)
            if kind == "extra_forbidden":
                message = self._unknown_key_message(path)
                key = True
            elif kind == "missing":
                message = f"missing required key {path[-1]!r}"
                key = False
            else:
                message = _humane(err["msg"], err.get("input"))
                key = False
            messages = by_path.setdefault(path, [])
            if message not in messages:
                messages.append(message)
            if key:
                keys.add(path)
        for path, messages in by_path.items():
            # a value that fits no member of a union gets one message per member: join them
            self.problem("; or ".join(messages), path, key=path in keys)

    def _data_path(self, loc: Sequence[str | int], kind: str) -> PathT:
        """The path in the data of an error location, without pydantic's union-member tags.

        A part that names nothing in the data is a tag (``mapping``, ``str``...) and is
        skipped; only a ``missing`` error ends in a key that the data lacks.
        """
        out: list[str | int] = []
        node: Any = self.data
        for i, part in enumerate(loc):
            if isinstance(node, Mapping) and part in node:  # noqa: SIM114 (mypy narrows each)
                node = node[part]
                out.append(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
                out.append(part)
            elif kind == "missing" and i == len(loc) - 1 and isinstance(part, str):
                out.append(part)
        return tuple(out)

    def _unknown_key_message(self, path: PathT) -> str:
        key = str(path[-1])
        known = _known_keys(path[:-1], self.data)
        hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        where = format_path(path[:-1]) or "policy"
        fix = (
            f"; did you mean {hint[0]!r}?"
            if hint
            else (f"; allowed: {', '.join(known)}" if known else "")
        )
        return f"unknown key {key!r} in {where}{fix}"

    def _compile(self, spec: PolicySpec) -> Rules:
        tz = self.tz = self._timezone(spec.timezone)
        calendars = self._calendars(spec, tz)
        fields = self._fields(spec)
        categories = self._rules("categories", spec.categories, fields)
        priorities = self._rules("priorities", spec.priorities, fields)
        priority_ids = [r.id for r in spec.priorities]
        self._unique("categories", [r.id for r in spec.categories])
        self._unique("priorities", priority_ids)
        self._unique("slas", [r.id for r in spec.slas])
        matrix = self._matrix(spec, priority_ids)
        clock = self._clock_rules(spec)
        events = compile_events(spec, self)
        metrics = compile_metrics(spec, events, clock, fields, self)
        slas = self._slas(spec, calendars, fields, priority_ids, metrics)
        routing = self._routing(spec, fields)
        escalations = self._escalations(spec, fields)
        self._references(spec, priorities, slas, routing, escalations, metrics)
        self.fail_if_any()
        canonical = json.dumps(
            _canonical(spec), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        # the tz and holiday data the deadlines count on: the same text with other data is
        # another version (docs/api.md, "Policy.version")
        sources = {zone_source(tz)}
        sources.update(zone_source(f.timezone) for f in fields.values() if f.timezone)
        for cal in calendars.values():
            sources.update(cal.data_sources)
        data = sorted(f"{s.kind}:{s.name}:{s.digest}" for s in sources)
        canonical += "\n" + "\n".join(data)
        return Rules(
            name=spec.name,
            timezone=tz,
            calendars=MappingProxyType(calendars),
            fields=MappingProxyType(fields),
            categories=tuple(categories),
            priorities=tuple(priorities),
            matrix=matrix,
            slas=tuple(slas),
            routing=tuple(routing),
            owners=MappingProxyType(dict(spec.owners)),
            escalations=tuple(escalations),
            clock=clock,
            metrics=MappingProxyType(metrics),
            events=events,
            examples=tuple(spec.examples),
            version="sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16],
            data_sources=tuple(sorted(sources, key=lambda s: (s.kind, s.name))),
            source=self.data,
            filename=self.filename,
            document=self.doc,
            lint_ignore=frozenset(spec.lint.ignore),
        )

    # ------------------------------------------------------------------ sections

    def _references(
        self,
        spec: PolicySpec,
        priorities: Sequence[Rule],
        slas: Sequence[Sla],
        routing: Sequence[Rule],
        escalations: Sequence[EscalationRule],
        metrics: Mapping[str, Metric],
    ) -> None:
        """Every id a condition compares a decided value with must exist."""
        ids = {
            "category": {r.id for r in spec.categories},
            "priority": {r.id for r in spec.priorities},
            "sla": {r.id for r in spec.slas},
            "owner": {*(r.owner for r in spec.routing), *spec.owners},
        }
        conditions = [
            *(("priority", r.condition.node, f"priority {r.id!r}") for r in priorities),
            *(("sla", s.rule.condition.node, f"SLA {s.rule.id!r}") for s in slas),
            *(("route", r.condition.node, f"routing rule {r.id!r}") for r in routing),
            *(("escalation", e.condition.node, f"escalation {e.id!r}") for e in escalations),
            *(
                ("escalation", trigger.condition.node, f"metric {name!r}")
                for name, metric in metrics.items()
                for trigger in (*metric.start, *metric.stop, *metric.resume)
            ),
        ]
        check_references(ids, conditions, self.problem)

    def _clock_rules(self, spec: PolicySpec) -> ClockRules:
        clock = spec.clock
        statuses = None if clock.statuses is None else frozenset(clock.statuses)
        if statuses is not None:
            for index, status in enumerate(clock.pause_statuses):
                if status not in statuses:
                    self.problem(
                        f"pause status {status!r} is not in clock.statuses"
                        f"{_hint(status, sorted(statuses))}",
                        ("clock", "pause_statuses", index),
                    )
        return ClockRules(
            clock.start_field,
            frozenset(clock.pause_statuses),
            clock.on_reopen,
            statuses,
            clock.on_reprioritise,
            clock.start_required,
        )

    def _timezone(self, name: str, path: PathT = ("timezone",)) -> tzinfo:
        try:
            return Calendar.from_spec({"timezone": name, "hours": "always"}).timezone
        except CalendarError as exc:
            for p in exc.problems:
                self.problem(p.message, path)
            return Calendar.from_spec({"timezone": "UTC", "hours": "always"}).timezone

    def _calendars(self, spec: PolicySpec, tz: tzinfo) -> dict[str, Calendar]:
        out: dict[str, Calendar] = {}
        for name, cal_spec in spec.calendars.items():
            try:
                out[name] = Calendar.from_spec(cal_spec, name=name, default_timezone=str(tz))
            except CalendarError as exc:
                self.absorb(exc.problems or [Problem(str(exc))], ("calendars", name))
        return out

    def _fields(self, spec: PolicySpec) -> dict[str, FieldType]:
        out: dict[str, FieldType] = {}
        for name, decl in spec.fields.items():
            try:
                field_type = FieldType.from_spec(decl.model_dump(exclude_none=True))
            except PolicyError as exc:
                self.absorb(exc.problems, ("fields", name))
                continue
            if decl.timezone is not None:
                zone = self._timezone(decl.timezone, ("fields", name, "timezone"))
                field_type = FieldType(field_type.kind, field_type.enum, zone)
            out[name] = field_type
        return out

    def condition(self, when: Any, path: PathT, fields: Mapping[str, FieldType]) -> Condition:
        """Compile a ``when`` (its problems recorded; ``Condition.always()`` if it fails)."""
        if when is None:
            return Condition.always()
        try:
            return compile_condition(when, path=path, fields=fields, tz=self.tz)
        except PolicyError as exc:
            self.absorb(exc.problems)
            return Condition.always()

    def _rules(
        self, section: str, rules: Sequence[Any], fields: Mapping[str, FieldType]
    ) -> list[Rule]:
        out = []
        for i, rule in enumerate(rules):
            rule_id = rule.id or f"{section}-{i}"
            last = i == len(rules) - 1
            if last and rule.when is not None:
                self.problem(
                    f"the last entry of {section} is the default and must not have `when`; "
                    f"add a default entry after {rule_id!r}",
                    (section, i, "when"),
                )
            elif not last and rule.when is None and section != "priorities":
                # (a priority without `when` before the last is a level that only the
                # priority_matrix assigns)
                self.problem(
                    f"only the last entry of {section} may lack `when`: entries after "
                    f"{rule_id!r} could never match",
                    (section, i),
                )
            condition = self.condition(rule.when, (section, i, "when"), fields)
            out.append(Rule(_STAGES[section], i, rule_id, condition, label=rule.label))
        return out

    def _unique(self, section: str, ids: Sequence[str]) -> None:
        seen: dict[str, int] = {}
        for i, rule_id in enumerate(ids):
            if rule_id in seen:
                self.problem(
                    f"duplicate id {rule_id!r} in {section} (also at {section}[{seen[rule_id]}])",
                    (section, i, "id"),
                )
            seen.setdefault(rule_id, i)

    def _matrix(self, spec: PolicySpec, priority_ids: Sequence[str]) -> Matrix | None:
        matrix = spec.priority_matrix
        if matrix is None:
            return None
        for row, cols in matrix.values.items():
            for col, pri in cols.items():
                if pri not in priority_ids:
                    self.problem(
                        f"unknown priority {pri!r}{_hint(pri, priority_ids)}",
                        ("priority_matrix", "values", row, col),
                    )
        return Matrix(
            matrix.rows, matrix.columns, {row: dict(cols) for row, cols in matrix.values.items()}
        )

    def _slas(
        self,
        spec: PolicySpec,
        calendars: Mapping[str, Calendar],
        fields: Mapping[str, FieldType],
        priority_ids: Sequence[str],
        metrics: Mapping[str, Metric],
    ) -> list[Sla]:
        rules = self._rules("slas", spec.slas, fields)
        out = []
        for i, (rule, sla) in enumerate(zip(rules, spec.slas, strict=True)):
            targets: dict[str, tuple[TargetRule, ...]] = {}
            for pri in sla.targets:
                if pri not in priority_ids:
                    self.problem(
                        f"unknown priority {pri!r}{_hint(pri, priority_ids)}",
                        ("slas", i, "targets", pri),
                        key=True,
                    )
            for pri in priority_ids:
                if pri not in sla.targets:
                    self.problem(
                        f"SLA {sla.id!r} has no targets for priority {pri!r}; every priority "
                        "needs targets in every SLA",
                        ("slas", i, "targets"),
                    )
                    continue
                entry = sla.targets[pri]
                path: PathT = ("slas", i, "targets", pri)
                compiled: list[TargetRule] = []
                given = False
                named = [n for n in _TARGET_NAMES if getattr(entry, n) is not None]
                for name in [*named, *(entry.model_extra or {})]:
                    value = getattr(entry, name)
                    given = True
                    where: PathT = (*path, name)
                    metric = metrics.get(name)
                    if metric is None:
                        self.problem(
                            f"unknown key {name!r} in {format_path(path)}: no metric of that "
                            f"name{_hint(name, list(metrics))} (declare it under metrics:)",
                            where,
                            key=True,
                        )
                        continue
                    within = parse_target(value, where, self)
                    cal_name: str | None
                    cal_path: PathT
                    own = value.calendar if isinstance(value, (TargetTime, TargetBy)) else None
                    if own:
                        cal_name, cal_path = own, (*where, "calendar")
                    elif metric.calendar:
                        cal_name, cal_path = metric.calendar, ("metrics", name, "calendar")
                    elif entry.calendar:
                        cal_name, cal_path = entry.calendar, (*path, "calendar")
                    else:
                        cal_name, cal_path = sla.calendar, ("slas", i, "calendar")
                    use = self._target_calendar(spec, cal_name, cal_path, path)
                    if within is not None and use is not None and use in calendars:
                        compiled.append(TargetRule(name, within, use, calendars[use]))
                if not given:
                    self.problem(
                        "give at least one of response, resolve, update (or a metric declared "
                        "under metrics:)",
                        path,
                    )
                targets[pri] = tuple(compiled)
            out.append(Sla(rule, targets))
        return out

    def _target_calendar(
        self, spec: PolicySpec, name: str | None, where: PathT, path: PathT
    ) -> str | None:
        """The calendar a target counts on, or None (reported once) if there is none."""
        if name is None:
            if len(spec.calendars) == 1:
                return next(iter(spec.calendars))
            self.problem("no calendar: give the SLA or this target a `calendar`", path, once=True)
            return None
        if name not in spec.calendars:
            hint = _hint(name, list(spec.calendars))
            self.problem(f"unknown calendar {name!r}{hint}", where, once=True)
            return None
        return name

    def _routing(self, spec: PolicySpec, fields: Mapping[str, FieldType]) -> list[Rule]:
        rules = self._rules("routing", spec.routing, fields)
        owners = list(spec.owners)
        out = []
        for i, (rule, entry) in enumerate(zip(rules, spec.routing, strict=True)):
            for where, name in [(("routing", i, "owner"), entry.owner)] + [
                (("routing", i, "cc", k), cc) for k, cc in enumerate(entry.cc)
            ]:
                if owners and name not in spec.owners:
                    self.problem(f"unknown owner {name!r}{_hint(name, owners)}", where)
            out.append(
                Rule(
                    "routing",
                    i,
                    entry.id or f"routing-{i}",
                    rule.condition,
                    owner=entry.owner,
                    cc=tuple(entry.cc),
                )
            )
        return out

    def _escalations(
        self, spec: PolicySpec, fields: Mapping[str, FieldType]
    ) -> list[EscalationRule]:
        owners = list(spec.owners)
        routed = {r.owner for r in spec.routing}
        out = []
        for i, entry in enumerate(spec.escalation):
            path: PathT = ("escalation", i)
            condition = self.condition(entry.when, (*path, "when"), fields)
            at: Fraction | None = None
            before: Duration | None = None
            if (entry.at is None) == (entry.before is None):
                self.problem(
                    "give exactly one of `at` (a share like 75%) or `before` "
                    "(working time like 30m)",
                    path,
                )
                continue
            if entry.at is not None:
                match = PERCENT_RE.match(entry.at)
                assert match is not None  # the schema's pattern
                at = Fraction(match.group(1)) / 100
            else:
                assert entry.before is not None
                try:
                    before = parse_duration(entry.before)
                except CalendarError as exc:
                    self.problem(str(exc), (*path, "before"))
                    continue
                if before.days:
                    self.problem(
                        "`before` takes clock time (30m, 2h), not working days", (*path, "before")
                    )
                    continue
            notify = (entry.notify,) if isinstance(entry.notify, str) else tuple(entry.notify)
            for k, name in enumerate(notify):
                where = (*path, "notify") if isinstance(entry.notify, str) else (*path, "notify", k)
                if name == "owner.lead":
                    leadless = sorted(
                        o for o in routed if o in spec.owners and spec.owners[o].lead is None
                    )
                    if leadless:
                        self.problem(
                            "`owner.lead` needs a `lead` for every owner routing can assign; "
                            f"missing for {', '.join(leadless)} (they would be notified "
                            "themselves)",
                            where,
                        )
                elif name != "owner" and owners and name not in spec.owners:
                    self.problem(f"unknown owner {name!r}{_hint(name, owners)}", where)
            out.append(
                EscalationRule(
                    i, entry.id or f"escalation-{i}", condition, entry.target, at, before, notify
                )
            )
        for name, owner in spec.owners.items():
            if owner.lead is not None and owner.lead not in spec.owners:
                self.problem(
                    f"unknown owner {owner.lead!r}{_hint(owner.lead, owners)}",
                    ("owners", name, "lead"),
                )
        return out


def _known_keys(path: PathT, data: Any) -> list[str]:
    """The keys the schema allows at ``path`` (walks the pydantic models)."""
    model: Any = PolicySpec
    for part in path:
        fields = getattr(model, "model_fields", None)
        if isinstance(part, str) and fields is not None and part in fields:
            model = _field_model(fields[part].annotation)
        # else: a list index or a key of a dict section; the value model is already in hand
    fields = getattr(model, "model_fields", None)
    return list(fields) if fields else []


def _field_model(annotation: Any) -> Any:
    """The pydantic model inside ``X | None``, ``list[X]`` or ``dict[str, X]``."""
    pending = [annotation]
    while pending:
        arg = pending.pop(0)
        if hasattr(arg, "model_fields"):
            return arg
        pending.extend(get_args(arg))
    return None


def _hint(word: str, choices: Sequence[str]) -> str:
    hint = difflib.get_close_matches(word, list(choices), n=1)
    if hint:
        return f"; did you mean {hint[0]!r}?"
    return f"; known: {', '.join(choices)}" if choices else ""


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def _humane(message: str, value: Any) -> str:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{message[0].lower()}{message[1:]} (got {shown})"


def _canonical(spec: PolicySpec) -> Any:
    """The policy as canonical JSON data, for ``Policy.version``.

    Sections and settings added after a policy format's first release are left out while
    they hold their defaults, so upgrading slapolicy does not change the version of a
    policy that does not use them.
    """
    data = spec.model_dump(mode="json", by_alias=True)
    for key in ("events", "metrics"):
        if not data.get(key):
            data.pop(key, None)
    for example in data.get("examples", ()):
        for key in ("events", "now"):
            if example.get(key) is None:
                example.pop(key, None)
    clock = data.get("clock", {})
    if clock.get("statuses") is None:
        clock.pop("statuses", None)
    if clock.get("on_reprioritise") == "keep":
        clock.pop("on_reprioritise", None)
    if clock.get("start_required") is False:
        clock.pop("start_required", None)
    for declared in data.get("fields", {}).values():
        if declared.get("timezone") is None:
            declared.pop("timezone", None)
    # accepting a lint finding changes no decision: never part of the version
    data.pop("lint", None)
    return data
