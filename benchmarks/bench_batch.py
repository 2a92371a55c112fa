"""Benchmark ``Policy.evaluate_batch`` against a loop of ``Policy.evaluate``, in one run.

For every sample policy: the same generated tickets (``bench_engine.py``'s generator) decided
one at a time by ``evaluate`` (the peer), and all at once by ``evaluate_batch`` from a list of
mappings, from a ``pyarrow.Table`` and from a polars ``DataFrame``; the batch results are
checked against the loop before anything is printed. Prints µs per ticket and the ratio to
the loop::

    python benchmarks/bench_batch.py                 # 50,000 tickets per policy
    python benchmarks/bench_batch.py --n 200000 --policy service-levels
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_engine  # noqa: E402

import slapolicy  # noqa: E402


def best_of(repeat: int, run: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    return best


def loop(policy: slapolicy.Policy, tickets: Sequence[dict[str, Any]]) -> list[Any]:
    out: list[Any] = []
    for ticket in tickets:
        try:
            out.append(policy.evaluate(ticket))
        except slapolicy.TicketError as exc:
            out.append(str(exc))
    return out


def check(policy: slapolicy.Policy, table: pa.Table, decisions: list[Any]) -> None:
    """The batch says what the loop says (category, priority, owner, response due)."""
    rows = table.to_pylist()
    for index, (row, decision) in enumerate(zip(rows, decisions, strict=True)):
        if isinstance(decision, str):
            assert row["error"] == decision, index
            continue
        assert (row["category"], row["priority"], row["owner"]) == (
            decision.category,
            decision.priority,
            decision.owner,
        ), index
        for name, target in decision.targets.items():
            if f"{name}_due" in row:
                assert row[f"{name}_due"] == target.due, (index, name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50_000, help="tickets per policy")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument("--policy", action="append", help="a sample policy's name (repeatable)")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", slapolicy.HolidayDataWarning)
    names = args.policy or sorted(p.stem for p in (ROOT / "policies").glob("*.yaml"))
    print(
        f"Python {platform.python_version()}, slapolicy {slapolicy.__version__}, "
        f"pyarrow {pa.__version__}, polars {pl.__version__}; {platform.machine()}, {date.today()}"
    )
    print(f"{args.n:,} tickets per policy, best of {args.repeat}; µs per ticket\n")
    print(
        "| policy | evaluate loop | batch (list) | batch (Arrow) | batch (polars) | Arrow vs loop |"
    )
    print("|:--|--:|--:|--:|--:|--:|")
    for name in names:
        path = ROOT / "policies" / f"{name}.yaml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        tickets = bench_engine.TicketGenerator(bench_engine.Vocabulary(raw), args.seed).tickets(
            args.n
        )
        keys = sorted({key for ticket in tickets for key in ticket})
        tickets = [dict.fromkeys(keys) | ticket for ticket in tickets]
        table = pa.Table.from_pylist(tickets)
        frame = pl.from_arrow(table)
        policy = slapolicy.load_policy(path)
        decisions = loop(policy, tickets)
        check(policy, policy.evaluate_batch(table), decisions)
        n = len(tickets)
        runs: list[Callable[[], Any]] = [
            lambda p=policy, t=tickets: loop(p, t),
            lambda p=policy, t=tickets: p.evaluate_batch(t),
            lambda p=policy, t=table: p.evaluate_batch(t),
            lambda p=policy, t=frame: p.evaluate_batch(t),
        ]
        times = [best_of(args.repeat, run) for run in runs]
        us = [t / n * 1e6 for t in times]
        print(
            f"| {name} | {us[0]:.2f} | {us[1]:.2f} | {us[2]:.2f} | {us[3]:.2f} | "
            f"{times[0] / times[2]:.1f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
