"""Benchmark the rule-engine backends: native vs durable-rules, on the same tickets.

Run from the repository root (durable-rules comes with the ``durable`` extra)::

    pip install -e '.[durable]'
    python benchmarks/bench_backends.py              # 20,000 tickets per policy
    python benchmarks/bench_backends.py --n 5000     # quicker

For every ``policies/*.yaml`` the script compiles the policy twice, with
``load_policy(path)`` (native) and ``load_policy(path, backend="durable")``, generates
``--n`` random tickets with the generator of ``bench_engine.py`` (the policy's enums,
literals and keywords, a random ``created_at`` in 2026), and first checks that both backends
give the same ``classify`` answer on every ticket and the same ``evaluate`` decision on the
first ``--check`` tickets (the number of disagreements is printed and must be 0). Then it
times, best of ``--repeat`` runs, one call per ticket over the same tickets:

* ``classify``  category and priority only: the part the backend changes;
* ``evaluate``  the whole decision, with deadlines and escalations (shared code).

The table gives tickets per second for each backend and the ratio durable / native.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_engine  # noqa: E402  (the ticket generator; it also puts src/ on the path)

from slapolicy import HolidayDataWarning, Policy, TicketError, load_policy  # noqa: E402
from slapolicy._source.yaml_reader import read_yaml_file  # noqa: E402

POLICY_DIR = HERE.parent / "policies"
MODES = ("classify", "evaluate")


def best_of(fn: Callable[[Any], Any], tickets: Sequence[Any], repeat: int) -> float:
    """Seconds of the fastest of ``repeat`` runs of ``fn`` over all tickets."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for ticket in tickets:
            fn(ticket)
        best = min(best, time.perf_counter() - started)
    return best


def answer(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except TicketError as exc:
        return ("TicketError", str(exc))


def disagreements(native: Policy, durable: Policy, tickets: Sequence[Any], check: int) -> int:
    bad = 0
    for i, ticket in enumerate(tickets):
        same = answer(lambda t=ticket: native.classify(t)) == answer(
            lambda t=ticket: durable.classify(t)
        )
        if same and i < check:
            same = answer(lambda t=ticket: native.evaluate(t)) == answer(
                lambda t=ticket: durable.evaluate(t)
            )
        if not same:
            bad += 1
            if bad <= 3:
                print(f"  DISAGREE on {ticket!r}")
    return bad


def bench_policy(
    path: Path, args: argparse.Namespace
) -> tuple[list[tuple[str, str, int, float, float]], int]:
    raw = read_yaml_file(path).data
    tickets = bench_engine.TicketGenerator(bench_engine.Vocabulary(raw), args.seed).tickets(args.n)
    native = load_policy(path)
    started = time.perf_counter()
    durable = load_policy(path, backend="durable")
    compile_ms = (time.perf_counter() - started) * 1000
    assert durable.backend == "durable"
    stages = durable.durable_summary()["stages"]
    split = ", ".join(
        f"{name} {s['durable_tests']}/{s['native_tests']}" for name, s in stages.items()
    )
    print(f"{path.name}: durable compile {compile_ms:.1f} ms; tests durable/native: {split}")
    bad = disagreements(native, durable, tickets, args.check)
    tickets = [t for t in tickets if not isinstance(answer(lambda t=t: native.evaluate(t)), tuple)]
    rows = []
    for mode in MODES:
        seconds = {
            which: best_of(getattr(policy, mode), tickets, args.repeat)
            for which, policy in (("native", native), ("durable", durable))
        }
        rows.append((path.name, mode, len(tickets), seconds["native"], seconds["durable"]))
    return rows, bad


def print_table(rows: Sequence[tuple[str, str, int, float, float]]) -> None:
    header = ("policy", "mode", "native tickets/s", "durable tickets/s", "durable / native")
    lines = [
        (name, mode, f"{n / native:,.0f}", f"{n / durable:,.0f}", f"{native / durable:.3f}")
        for name, mode, n, native, durable in rows
    ]
    for mode in MODES:
        mine = [r for r in rows if r[1] == mode]
        n = sum(r[2] for r in mine)
        native = sum(r[3] for r in mine)
        durable = sum(r[4] for r in mine)
        lines.append(
            ("all", mode, f"{n / native:,.0f}", f"{n / durable:,.0f}", f"{native / durable:.3f}")
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def fmt(cells: Sequence[str]) -> str:
        left = [c.ljust(w) for c, w in zip(cells[:2], widths[:2], strict=True)]
        right = [c.rjust(w) for c, w in zip(cells[2:], widths[2:], strict=True)]
        return "| " + " | ".join(left + right) + " |"

    print()
    print(fmt(header))
    print("|" + "|".join(("-" * (w + 2)) for w in widths) + "|")
    for line in lines:
        print(fmt(line))
    print("\ndurable / native: durable-rules' throughput as a share of the native engine's")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="tickets per policy")
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument(
        "--check", type=int, default=2_000, help="tickets whose evaluate is checked"
    )
    parser.add_argument("--policies", nargs="*", type=Path, help="default: policies/*.yaml")
    args = parser.parse_args(argv)
    try:
        durable_version = metadata.version("durable-rules")
    except metadata.PackageNotFoundError:
        print("durable-rules is not installed: pip install -e '.[durable]'", file=sys.stderr)
        return 2
    paths = args.policies or sorted(POLICY_DIR.glob("*.yaml"))
    print(
        f"Python {platform.python_version()}, durable-rules {durable_version}; "
        f"{platform.machine()}, {time.strftime('%Y-%m-%d')}"
    )
    print(f"best of {args.repeat} runs over {args.n:,} tickets per policy, seed {args.seed}")
    rows = []
    bad = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HolidayDataWarning)  # deadlines running into 2027
        for path in paths:
            policy_rows, policy_bad = bench_policy(path, args)
            rows += policy_rows
            bad += policy_bad
    print_table(rows)
    print(f"disagreements: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
