"""The ``slapolicy`` command: parse arguments, call the library, render. No domain logic.

Colour is used on a terminal only: click drops the styles when output is piped or
redirected, so scripts read plain text (or JSON with ``--json``).

Exit codes (docs/cli.md): 0 ok, 1 findings or failures (an invalid policy, a failing
example, a lint warning), 2 usage or input errors (a missing file, a broken ticket, a bad
option), 3 ``diff`` or ``report`` could not read some tickets or histories (the report
covers the others). With
several policy files the highest code of any file wins. User errors print one clear
message, never a traceback; Python warnings print as one ``warning: ...`` line each.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TextIO

import click

from ._calendar import HolidayDataWarning
from ._durations import format_timedelta
from ._errors import PolicyError, Problem, SlaPolicyError
from ._policy import Policy, load_policy
from ._source.schema import PolicySpec
from ._tooling.compare import compare_path
from ._tooling.examples import iter_example_results
from ._tooling.impact import ImpactReport
from ._tooling.lint import LintReport, check_codes, run_lint

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNDECIDED = 0, 1, 2, 3

#: the backend option of `test` and `evaluate`
_BACKEND = click.option(
    "--backend",
    type=click.Choice(["native", "durable"]),
    default="native",
    show_default=True,
    help="rule engine (durable needs the slapolicy[durable] extra)",
)


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"slapolicy: {click.style(message, fg='red')}", err=True)
    sys.exit(code)


# --------------------------------------------------------------------------- warnings


@contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Show warnings raised during a command as ``warning: ...`` lines on stderr.

    One line each, without the source line Python prints, and each text once (two policies
    of a diff warn alike). slapolicy's own warnings are always shown; others follow
    Python's filters.
    """
    shown: set[str] = set()

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = " ".join(str(message).split())
        if text not in shown:
            shown.add(text)
            click.echo(f"{click.style('warning', fg='yellow')}: {text}", err=True)

    with warnings.catch_warnings():
        warnings.filterwarnings("always", module=r"slapolicy(\.|$)")
        warnings.filterwarnings("always", category=HolidayDataWarning)
        warnings.showwarning = show
        yield


@contextmanager
def _warnings_held() -> Iterator[None]:
    """Keep warnings back while a progress bar owns the terminal; show them after it."""
    with warnings.catch_warnings(record=True) as caught:
        yield
    for item in caught:
        warnings.showwarning(item.message, item.category, item.filename, item.lineno)


class _Slapolicy(click.Group):
    """The command group: every command runs with warnings shown as lines."""

    def invoke(self, ctx: click.Context) -> Any:
        with _warnings_as_lines():
            return super().invoke(ctx)


# --------------------------------------------------------------------------- policy files


@dataclass
class _Opened:
    """A policy file: loaded, or why not (``code`` 1 for an invalid policy, 2 unreadable)."""

    path: str
    policy: Policy | None = None
    code: int = EXIT_OK
    error: str | None = None
    problems: tuple[Problem, ...] = ()


def _open(path: str, backend: str = "native") -> _Opened:
    """Load one policy file without exiting (several files are reported one by one)."""
    try:
        with open(path, "rb"):
            pass
    except FileNotFoundError:
        return _Opened(path, code=EXIT_USAGE, error="no such file")
    except IsADirectoryError:
        return _Opened(path, code=EXIT_USAGE, error="is a directory")
    except OSError as exc:
        return _Opened(path, code=EXIT_USAGE, error=f"cannot read: {exc.strerror or exc}")
    try:
        return _Opened(path, load_policy(Path(path), backend=backend))
    except ImportError as exc:  # the durable extra is not installed (or cannot be here)
        _fail(str(exc))
    except PolicyError as exc:
        return _Opened(path, code=EXIT_FINDINGS, problems=tuple(exc.problems))
    except RecursionError:
        return _Opened(path, code=EXIT_FINDINGS, error="nested too deeply to read")


def _report_unloaded(opened: _Opened) -> None:
    """Print why a policy did not load: one line per problem, on stderr."""
    if opened.error is not None:
        message = f"{opened.path}: {opened.error}"
        click.echo(f"slapolicy: {click.style(message, fg='red')}", err=True)
    for problem in opened.problems:
        click.echo(
            f"{click.style(problem.location(), bold=True)}: {problem.message}"
            + (f" (at {problem.path})" if problem.path else ""),
            err=True,
        )


def _load(path: str, backend: str = "native") -> Policy:
    """One policy, or exit: 2 when the file cannot be read, 1 when it is invalid."""
    opened = _open(path, backend)
    if opened.policy is None:
        _report_unloaded(opened)
        sys.exit(opened.code)
    return opened.policy


def _each_policy(paths: Sequence[str], backend: str = "native") -> Iterator[_Opened]:
    """Every file in turn, those that did not load already reported."""
    for path in paths:
        opened = _open(path, backend)
        if opened.policy is None:
            _report_unloaded(opened)
        yield opened


@dataclass
class _Tally:
    """What happened to the files of a many-file command, for its summary line and exit code."""

    files: int = 0
    invalid: int = 0
    unreadable: int = 0
    code: int = EXIT_OK

    def add(self, opened: _Opened, failed: bool = False) -> None:
        """Count one file; ``failed``: it loaded, but has a failing example or a warning."""
        self.files += 1
        self.invalid += opened.code == EXIT_FINDINGS
        self.unreadable += opened.code == EXIT_USAGE
        self.code = max(self.code, opened.code, EXIT_FINDINGS if failed else EXIT_OK)

    def problems(self) -> str:
        """``; 1 invalid, 1 unreadable`` (empty when every file loaded)."""
        parts = [f"{self.invalid} invalid"] if self.invalid else []
        parts += [f"{self.unreadable} unreadable"] if self.unreadable else []
        return f"; {', '.join(parts)}" if parts else ""


def _read_json(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        _fail(f"{source}: no such file")
    except OSError as exc:
        _fail(f"{source}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        _fail(f"{source}: not UTF-8 text")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}")
    except RecursionError:
        _fail(f"{source}: invalid JSON: nested too deeply")


def _codes(values: tuple[str, ...], option: str) -> list[str]:
    """The codes of a repeatable, comma-separated option; exit 2 naming an unknown one."""
    codes = [code for value in values for code in value.split(",") if code.strip()]
    try:
        check_codes(codes, option=option)
    except ValueError as exc:
        _fail(str(exc))
    return codes


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"invalid {option} {text!r}; use YYYY-MM-DD")


# --------------------------------------------------------------------------- commands


@click.group(cls=_Slapolicy, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="slapolicy")
def main() -> None:
    """Validate, test and run SLA and priority policies."""


_POLICIES = click.argument(
    "policies", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="POLICY..."
)


@main.command()
@_POLICIES
@click.option("--json", "as_json", is_flag=True, help="print one JSON report for all files")
def validate(policies: tuple[str, ...], as_json: bool) -> None:
    """Check policy files: schema and references. Prints file:line:col for each problem."""
    tally = _Tally()
    entries: list[dict[str, Any]] = []
    for path in policies:
        opened = _open(path)
        tally.add(opened)
        loaded = opened.policy
        if as_json:
            entries.append(_validation_entry(opened))
        elif loaded is None:
            _report_unloaded(opened)
        else:
            click.echo(f"{path}: {click.style('ok', fg='green')} ({loaded.name}, {loaded.version})")
    valid = tally.files - tally.invalid - tally.unreadable
    if as_json:
        report = {
            "ok": tally.code == EXIT_OK,
            "files": entries,
            "summary": {
                "files": tally.files,
                "ok": valid,
                "invalid": tally.invalid,
                "unreadable": tally.unreadable,
            },
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    elif tally.files > 1:
        click.echo(f"{tally.files} files: {valid} ok{tally.problems()}")
    sys.exit(tally.code)


def _validation_entry(opened: _Opened) -> dict[str, Any]:
    """One file of ``validate --json``."""
    loaded = opened.policy
    return {
        "file": opened.path,
        "ok": loaded is not None,
        "name": None if loaded is None else loaded.name,
        "version": None if loaded is None else loaded.version,
        "error": opened.error,
        "problems": [
            {"message": p.message, "path": p.path, "line": p.line, "column": p.column}
            for p in opened.problems
        ],
    }


@main.command()
@_POLICIES
@_BACKEND
def test(policies: tuple[str, ...], backend: str) -> None:
    """Run the policies' examples; exit 1 if any fails."""
    tally = _Tally()
    passed_all = failed_all = 0
    many = len(policies) > 1
    for opened in _each_policy(policies, backend):
        if opened.policy is None:
            tally.add(opened)
            continue
        if many:
            click.echo(click.style(opened.path, bold=True))
        passed, failed = _run_examples(opened.policy)
        passed_all, failed_all = passed_all + passed, failed_all + failed
        tally.add(opened, failed=bool(failed))
    if many:
        click.echo(
            f"{tally.files} files: {passed_all} passed, {failed_all} failed{tally.problems()}"
        )
    sys.exit(tally.code)


def _run_examples(policy: Policy) -> tuple[int, int]:
    """Print one line per example of ``policy`` and a summary; ``(passed, failed)``."""
    failed = total = 0
    for result in iter_example_results(policy):
        total += 1
        if result.passed:
            click.echo(f"{click.style('PASS', fg='green')}  {result.name}")
            continue
        failed += 1
        click.echo(f"{click.style('FAIL', fg='red', bold=True)}  {result.name}")
        if result.error:
            click.echo(f"      error: {result.error}")
        for mismatch in result.mismatches:
            click.echo(f"      {mismatch}")
    click.echo(f"{total - failed} passed, {failed} failed")
    return total - failed, failed


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("ticket")
@click.option("--at", "at", help="start of the clock (ISO 8601); default: the ticket's field")
@click.option("--explain", is_flag=True, help="print the human-readable trace instead of JSON")
@_BACKEND
def evaluate(policy: str, ticket: str, at: str | None, explain: bool, backend: str) -> None:
    """Evaluate TICKET (a JSON file, or - for stdin) against POLICY."""
    loaded = _load(policy, backend)
    data = _read_json(ticket)
    if not isinstance(data, Mapping):
        _fail(f"{ticket}: a ticket must be a JSON object")
    try:
        decision = loaded.evaluate(data, at=at)
    except SlaPolicyError as exc:
        _fail(f"{ticket}: {exc}")
    except RecursionError:
        _fail(f"{ticket}: the ticket is nested too deeply")
    if not explain:
        click.echo(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))
        return
    d = decision
    label = f" ({d.priority_label})" if d.priority_label else ""
    click.echo(f"category  {d.category}" + (f" ({d.category_label})" if d.category_label else ""))
    click.echo(f"priority  {d.priority}{label}")
    click.echo(f"sla       {d.sla}")
    click.echo(f"owner     {d.owner}" + (f"  cc {', '.join(d.cc)}" if d.cc else ""))
    for name, target in d.targets.items():
        click.echo(f"{name:<9} {target.within:<6} due {target.due.isoformat()} ({target.calendar})")
    for esc in d.escalations:
        click.echo(f"escalate  {esc.at.isoformat()} -> {', '.join(esc.notify)} ({esc.reason})")
    for warning in d.warnings:
        click.echo(f"warning   {warning}")
    click.echo("trace:")
    for step in d.trace:
        click.echo(f"  {step}")


@main.command()
@_POLICIES
@click.option("--json", "as_json", is_flag=True, help="print findings as JSON lines")
@click.option("--today", help="the date to check holiday data against (default: today)")
@click.option(
    "--ignore",
    "ignore",
    multiple=True,
    metavar="CODES",
    help="leave out these codes (comma-separated, e.g. SP107,SP110)",
)
@click.option(
    "--select",
    "select",
    multiple=True,
    metavar="CODES",
    help="report only these codes (comma-separated)",
)
def lint(
    policies: tuple[str, ...],
    as_json: bool,
    today: str | None,
    ignore: tuple[str, ...],
    select: tuple[str, ...],
) -> None:
    """Report likely mistakes (shadowed rules, unused owners, ...); exit 1 on warnings."""
    day = None if today is None else _day(today, "--today")
    ignored_codes = _codes(ignore, "--ignore")
    selected = _codes(select, "--select") if select else None
    tally = _Tally()
    found = hidden = with_findings = 0
    for opened in _each_policy(policies):
        if opened.policy is None:
            tally.add(opened)
            continue
        try:
            report = run_lint(opened.policy, today=day, ignore=ignored_codes, select=selected)
        except SlaPolicyError as exc:
            _fail(f"invalid --today: {exc}")
        tally.add(opened, failed=report.failed)
        _print_findings(report, as_json)
        found, hidden = found + len(report.findings), hidden + len(report.ignored)
        with_findings += bool(report.findings)
        if not as_json and (len(policies) == 1 or not report.findings):
            click.echo(_lint_summary(opened.path, report, single=len(policies) == 1))
    if not as_json and len(policies) > 1:
        shown = f"{found} finding(s) in {with_findings} of them" if found else "no findings"
        accepted = f", {hidden} ignored" if hidden else ""
        click.echo(f"{tally.files} files: {shown}{accepted}{tally.problems()}")
    sys.exit(tally.code)


def _print_findings(report: LintReport, as_json: bool) -> None:
    for finding in report.findings:
        if as_json:
            click.echo(json.dumps(finding.to_dict(), ensure_ascii=False))
        else:
            colour = "yellow" if finding.severity == "warning" else "cyan"
            click.echo(str(finding).replace(finding.code, click.style(finding.code, fg=colour), 1))


def _lint_summary(path: str, report: LintReport, *, single: bool) -> str:
    """``3 finding(s)`` (one file) or ``POLICY: no findings``, with what was ignored."""
    codes = sorted({f.code for f in report.ignored})
    ignored = f"{len(report.ignored)} ignored: {', '.join(codes)}" if codes else ""
    if report.findings and single:
        return f"{len(report.findings)} finding(s)" + (f"; {ignored}" if ignored else "")
    return f"{path}: no findings" + (f" ({ignored})" if ignored else "")


@main.command()
def schema() -> None:
    """Print the JSON Schema of policy files (for editor completion)."""
    click.echo(json.dumps(PolicySpec.model_json_schema(), ensure_ascii=False, indent=2))


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("name")
@click.option("--from", "first", required=True, help="first date, YYYY-MM-DD")
@click.option("--to", "last", required=True, help="last date, YYYY-MM-DD")
def calendar(policy: str, name: str, first: str, last: str) -> None:
    """List the working windows of calendar NAME from --from to --to."""
    start, end = _day(first, "--from"), _day(last, "--to")
    if start > end:
        _fail(f"--from {start} is after --to {end}")
    if (end - start).days > 3660:
        _fail("at most ten years at a time")
    loaded = _load(policy)
    if name not in loaded.calendars:
        _fail(f"no calendar {name!r} in {policy}; calendars: {', '.join(loaded.calendars)}")
    cal = loaded.calendars[name]
    lowest, highest = cal.from_us(cal.min_us).date(), cal.from_us(cal.max_us - 1).date()
    for option, day in (("--from", start), ("--to", end)):
        if not lowest <= day <= highest:
            _fail(f"{option} {day} is out of range: calendars cover {lowest} to {highest}")
    try:
        windows = cal.windows(start, end)
    except SlaPolicyError as exc:
        _fail(str(exc))
    by_day: dict[date, list[str]] = {}
    for a, b in windows:
        by_day.setdefault(a.date(), []).append(f"{a:%H:%M}-{b:%H:%M}")
    until = cal.holiday_data_until
    day = start
    while day <= end:
        shown = ", ".join(by_day.get(day, [])) or f"closed ({cal.holiday_name(day) or 'no hours'})"
        if until is not None and day > until:
            shown += "  [no official holiday data]"
        click.echo(f"{day} {day:%a}  {shown}")
        day = date.fromordinal(day.toordinal() + 1)
    if until is not None and end > until:
        click.echo(
            f"note: official holiday data ends {until}; later days use computed holidays "
            "without make-up working days",
            err=True,
        )


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("ticket")
@click.argument("events")
@click.option("--now", "now", required=True, help="the moment to report on (ISO 8601)")
@click.option("--explain", is_flag=True, help="print a readable table instead of JSON")
def status(policy: str, ticket: str, events: str, now: str, explain: bool) -> None:
    """The SLA clock of TICKET (JSON) given its EVENTS (a JSON list, oldest first)."""
    loaded = _load(policy)
    data = _read_json(ticket)
    history = _read_json(events)
    if not isinstance(data, Mapping):
        _fail(f"{ticket}: a ticket must be a JSON object")
    if not isinstance(history, list):
        _fail(f"{events}: events must be a JSON list")
    try:
        result = loaded.status(data, history, now=now)
    except SlaPolicyError as exc:
        _fail(str(exc))
    except RecursionError:
        _fail(f"{ticket}: the ticket or its events are nested too deeply")
    if not explain:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    d = result.decision
    click.echo(
        f"{d.category} / {d.priority} / {d.sla} -> {d.owner}   now {result.now.isoformat()}"
        + ("   (paused)" if result.paused else "")
        + ("   (resolved)" if result.resolved else "")
    )
    for name, t in result.targets.items():
        if t.due is None or t.remaining is None:  # pending: its start has not happened
            click.echo(f"  {name:<9} {t.state:<9} ({t.within} once it starts)")
            continue
        pct = "" if t.percent_used is None else f"{t.percent_used:6.1f}%"
        click.echo(
            f"  {name:<9} {t.state:<9} due {t.due.isoformat()}  used "
            f"{format_timedelta(t.elapsed)} left {format_timedelta(t.remaining)} {pct}"
        )
    for esc in result.escalations_due:
        click.echo(f"  escalation {esc.at.isoformat()} -> {', '.join(esc.notify)} ({esc.reason})")


@main.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option(
    "--tickets",
    "tickets",
    required=True,
    type=click.Path(dir_okay=False),
    help="tickets as JSON lines (one object per line), or a Parquet file (*.parquet)",
)
@click.option(
    "--examples",
    "per_kind",
    default=3,
    show_default=True,
    help="example tickets to show per kind of change",
)
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="processes to compare with (default: one per core)",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="progress bar on stderr (default: when stderr is a terminal)",
)
def diff(
    old: str,
    new: str,
    tickets: str,
    per_kind: int,
    as_json: bool,
    jobs: int | None,
    progress: bool | None,
) -> None:
    """How NEW decides differently from OLD on the tickets in --tickets (streamed).

    Both policies decide the tickets in batches (as Policy.evaluate_batch), on every core.
    Exit 3 when some lines could not be compared (not JSON objects, or tickets a policy
    cannot evaluate); the report covers the others.
    """
    before, after = _load(old), _load(new)
    parquet = tickets.endswith(".parquet")
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    try:
        report = _compare(before, after, tickets, per_kind, workers, parquet, progress)
    except FileNotFoundError:
        _fail(f"{tickets}: no such file")
    except OSError as exc:
        _fail(f"{tickets}: {exc.strerror or exc}")
    except ImportError as exc:  # Parquet without the batch extra
        _fail(f"{tickets}: {exc}")
    except ValueError as exc:  # pyarrow's ArrowInvalid: not a Parquet file
        _fail(f"{tickets}: cannot read it as Parquet ({exc})")
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.render())
    failed = sum(report.errors.values())
    if failed:
        _fail(
            f"{failed} of {failed + report.tickets} tickets could not be compared "
            f"({report.describe_error_lines()})",
            EXIT_UNDECIDED,
        )


def _compare(
    before: Policy,
    after: Policy,
    tickets: str,
    per_kind: int,
    jobs: int,
    parquet: bool,
    progress: bool | None,
) -> ImpactReport:
    """Run the comparison, with a progress bar on a terminal (warnings held until it ends)."""
    path = Path(tickets)
    if not path.exists():
        raise FileNotFoundError(tickets)
    size = path.stat().st_size if path.is_file() else 0
    show = (sys.stderr.isatty() if progress is None else progress) and size > 0 and not parquet
    if not show:
        return compare_path(before, after, tickets, per_kind=per_kind, jobs=jobs, parquet=parquet)
    bar = click.progressbar(length=size, label="comparing", file=sys.stderr)
    with _warnings_held(), bar:
        return compare_path(
            before,
            after,
            tickets,
            per_kind=per_kind,
            jobs=jobs,
            parquet=parquet,
            on_bytes=bar.update,
        )


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option(
    "--history",
    "history",
    required=True,
    type=click.Path(dir_okay=False),
    help='histories as JSON lines {"ticket": {...}, "events": [...]}, or a Parquet file',
)
@click.option("--now", "now", required=True, help="the moment the review describes (ISO 8601)")
@click.option(
    "--by",
    "by",
    default="",
    help="group by: priority, category, owner, sla, month (comma-separated)",
)
@click.option("--top", "top", multiple=True, metavar="FIELD", help="most frequent values of FIELD")
@click.option(
    "--top-n",
    "top_n",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="how many values --top shows",
)
@click.option("--mean", "mean", multiple=True, metavar="FIELD", help="mean of a numeric FIELD")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
@click.option("--csv", "csv_rows", type=click.Path(dir_okay=False), help="write the rows as CSV")
@click.option(
    "--parquet", "parquet_rows", type=click.Path(dir_okay=False), help="write the rows as Parquet"
)
@click.option(
    "--html",
    "html_page",
    type=click.Path(dir_okay=False),
    metavar="PAGE",
    help="write the review as an offline HTML page with charts (needs slapolicy[report])",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="processes to review with (default: one per core)",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="progress bar on stderr (default: when stderr is a terminal)",
)
def report(
    policy: str,
    history: str,
    now: str,
    by: str,
    top: tuple[str, ...],
    top_n: int,
    mean: tuple[str, ...],
    as_json: bool,
    csv_rows: str | None,
    parquet_rows: str | None,
    html_page: str | None,
    jobs: int | None,
    progress: bool | None,
) -> None:
    """The periodic review of POLICY over the ticket histories in --history (streamed).

    Per metric: cycles met, breached, running and pending, attainment, median and p90 of the
    working time used; per group of --by; the categories; the TOP N values of --top fields;
    the mean of --mean fields. --csv/--parquet also write one row per cycle, --html a page
    with charts that opens offline. Exit 3 when some histories could not be read; the
    review covers the others.
    """
    from ._clock.review import GROUP_KEYS
    from ._tooling.report import render_report
    from ._tooling.report_html import require_plotly, write_html

    keys = [key.strip() for key in by.split(",") if key.strip()]
    for key in keys:
        if key not in GROUP_KEYS:
            _fail(f"unknown --by {key!r}; choose from {', '.join(GROUP_KEYS)}")
    if csv_rows is not None and parquet_rows is not None:
        _fail("give --csv or --parquet, not both")
    if html_page is not None:
        try:
            require_plotly()  # before the review: it may take a while
        except ImportError as exc:
            _fail(str(exc))
        if not Path(html_page).resolve().parent.is_dir():
            _fail(f"{html_page}: no such directory")
    loaded = _load(policy)
    rows = csv_rows or parquet_rows
    options: dict[str, Any] = {
        "now": now,
        "by": keys,
        "top": top,
        "top_n": top_n,
        "mean": mean,
        "rows": rows or False,
        "rows_format": "csv" if csv_rows else "parquet" if parquet_rows else None,
        "jobs": jobs if jobs is not None else (os.cpu_count() or 1),
    }
    try:
        result = _review(loaded, history, options, progress)
    except SlaPolicyError as exc:
        _fail(f"invalid --now {now!r}: {exc}")
    except FileNotFoundError as exc:
        _fail(f"{exc.filename or history}: no such file")
    except IsADirectoryError as exc:
        _fail(f"{exc.filename or history}: is a directory")
    except ImportError as exc:
        _fail(f"Parquet needs pyarrow ({exc}): pip install 'slapolicy[batch]'")
    except OSError as exc:
        _fail(f"{exc.filename or history}: {exc.strerror or exc}")
    except ValueError as exc:  # pyarrow's ArrowInvalid, a Parquet file without the columns
        _fail(f"{history}: cannot read it ({exc})")
    if html_page is not None:
        try:
            write_html(result, html_page)
        except OSError as exc:
            _fail(f"{exc.filename or html_page}: {exc.strerror or exc}")
    try:  # (the percentiles read the working times spilled to disk)
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if as_json else None
        text = render_report(result) if text is None else text
    except OSError as exc:
        _fail(f"{exc.filename or 'the working times spilled to disk'}: {exc.strerror or exc}")
    click.echo(text)
    if result.errors:
        _fail(
            f"{result.errors} of {result.errors + result.tickets} histories could not be read "
            f"({result.describe_error_lines()})",
            EXIT_UNDECIDED,
        )


def _review(policy: Policy, history: str, options: dict[str, Any], progress: bool | None) -> Any:
    """Run the review, with a progress bar on a terminal (warnings held until it ends)."""
    from ._clock.histories import row_count

    path = Path(history)
    if not path.exists():
        raise FileNotFoundError(2, "no such file", history)
    show = sys.stderr.isatty() if progress is None else progress
    size = row_count(history) if show and path.is_file() else 0
    if not show or size == 0:
        return policy.report(history, **options)
    bar = click.progressbar(length=size, label="reviewing", file=sys.stderr)
    with _warnings_held(), bar:
        return policy.report(history, on_progress=bar.update, **options)
