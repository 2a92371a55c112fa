"""The ``slapolicy`` command: parse arguments, call the library, render. No domain logic.

Colour is used on a terminal only: click drops the styles when output is piped or
redirected, so scripts read plain text (or JSON with ``--json``).

Exit codes: 0 ok, 1 findings or failures (an invalid policy, a failing example),
2 usage or input errors (a missing file, a broken ticket). User errors print one clear
message, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from ._errors import PolicyError, SlaPolicyError
from ._policy import load_policy
from ._source.schema import PolicySpec
from ._tooling.examples import iter_example_results
from ._tooling.impact import ImpactReport, compare_stream, signed
from ._tooling.lint import lint as run_lint

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"slapolicy: {click.style(message, fg='red')}", err=True)
    sys.exit(code)


def _load(path: str, backend: str = "native") -> Any:
    if not Path(path).exists():
        _fail(f"{path}: no such file")
    try:
        return load_policy(Path(path), backend=backend)
    except ImportError as exc:  # the durable extra is not installed (or cannot be here)
        _fail(str(exc))
    except PolicyError as exc:
        for problem in exc.problems:
            click.echo(
                f"{click.style(problem.location(), bold=True)}: {problem.message}"
                + (f" (at {problem.path})" if problem.path else ""),
                err=True,
            )
        sys.exit(EXIT_FINDINGS)


def _read_json(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        _fail(f"{source}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        _fail(f"{source}: not UTF-8 text")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="slapolicy")
def main() -> None:
    """Validate, test and run SLA and priority policies."""


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
def validate(policy: str) -> None:
    """Check a policy file: schema and references. Prints file:line:col for each problem."""
    loaded = _load(policy)
    click.echo(f"{policy}: {click.style('ok', fg='green')} ({loaded.name}, {loaded.version})")


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option(
    "--backend",
    type=click.Choice(["native", "durable"]),
    default="native",
    show_default=True,
    help="rule engine (durable needs the slapolicy[durable] extra)",
)
def test(policy: str, backend: str) -> None:
    """Run the policy's examples; exit 1 if any fails."""
    loaded = _load(policy, backend)
    failed = 0
    total = 0
    for result in iter_example_results(loaded):
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
    if failed:
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("ticket")
@click.option("--at", "at", help="start of the clock (ISO 8601); default: the ticket's field")
@click.option("--explain", is_flag=True, help="print the human-readable trace instead of JSON")
@click.option(
    "--backend",
    type=click.Choice(["native", "durable"]),
    default="native",
    show_default=True,
    help="rule engine (durable needs the slapolicy[durable] extra)",
)
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
    if explain:
        d = decision
        label = f" ({d.priority_label})" if d.priority_label else ""
        click.echo(
            f"category  {d.category}" + (f" ({d.category_label})" if d.category_label else "")
        )
        click.echo(f"priority  {d.priority}{label}")
        click.echo(f"sla       {d.sla}")
        click.echo(f"owner     {d.owner}" + (f"  cc {', '.join(d.cc)}" if d.cc else ""))
        for name, target in d.targets.items():
            click.echo(
                f"{name:<9} {target.within:<6} due {target.due.isoformat()} ({target.calendar})"
            )
        for esc in d.escalations:
            click.echo(f"escalate  {esc.at.isoformat()} -> {', '.join(esc.notify)} ({esc.reason})")
        click.echo("trace:")
        for step in d.trace:
            click.echo(f"  {step}")
    else:
        click.echo(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))


@main.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="print findings as JSON lines")
@click.option("--today", help="the date to check holiday data against (default: today)")
def lint(policy: str, as_json: bool, today: str | None) -> None:
    """Report likely mistakes (shadowed rules, unused owners, ...); exit 1 on findings."""
    loaded = _load(policy)
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        _fail(f"invalid --today {today!r}; use YYYY-MM-DD")
    findings = run_lint(loaded, today=day)
    for finding in findings:
        if as_json:
            click.echo(json.dumps(finding.to_dict(), ensure_ascii=False))
        else:
            colour = "yellow" if finding.severity == "warning" else "cyan"
            click.echo(str(finding).replace(finding.code, click.style(finding.code, fg=colour), 1))
    if not as_json:
        click.echo(f"{len(findings)} finding(s)" if findings else f"{policy}: no findings")
    if any(f.severity != "info" for f in findings):
        sys.exit(EXIT_FINDINGS)


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
    loaded = _load(policy)
    if name not in loaded.calendars:
        _fail(f"no calendar {name!r} in {policy}; calendars: {', '.join(loaded.calendars)}")
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError as exc:
        _fail(f"invalid date: {exc}")
    if (end - start).days > 3660:
        _fail("at most ten years at a time")
    cal = loaded.calendars[name]
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
            f"  {name:<9} {t.state:<9} due {t.due.isoformat()}  used {signed(t.elapsed)} "
            f"left {signed(t.remaining)} {pct}"
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
    help="tickets as JSON lines, one object per line",
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
    "--progress/--no-progress",
    default=None,
    help="progress bar on stderr (default: when stderr is a terminal)",
)
def diff(
    old: str, new: str, tickets: str, per_kind: int, as_json: bool, progress: bool | None
) -> None:
    """How NEW decides differently from OLD on the tickets in --tickets (streamed)."""
    before, after = _load(old), _load(new)
    path = Path(tickets)
    if not path.is_file():
        _fail(f"{tickets}: no such file")
    show = sys.stderr.isatty() if progress is None else progress
    report = ImpactReport(per_kind=per_kind)
    try:
        with path.open("rb") as stream:
            if show:
                with click.progressbar(
                    length=path.stat().st_size, label="comparing", file=sys.stderr
                ) as bar:
                    compare_stream(before, after, stream, report, on_bytes=bar.update)
            else:
                compare_stream(before, after, stream, report)
    except OSError as exc:
        _fail(f"{tickets}: {exc.strerror or exc}")
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.render())
