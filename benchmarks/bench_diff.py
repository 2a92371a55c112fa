"""Benchmark ``slapolicy diff`` over a million tickets: tickets per second and peak memory.

Run from the repository root::

    python benchmarks/bench_diff.py                    # 1,000,000 tickets
    python benchmarks/bench_diff.py --n 200000 --jobs 1

It writes ``--n`` generated tickets of ``policies/service-levels.yaml`` (``bench_engine.py``'s
generator) as JSON lines and as Parquet into a temporary directory, and an edited copy of
the policy (P2 gets other targets, a keyword moves between categories, a matrix cell
changes priority), then times, in the same run:

* ``diff`` (the command, in a child process under ``/usr/bin/time -v`` when it exists, for
  its peak resident memory) over the JSON lines and over the Parquet file;
* the peer: the ticket-by-ticket comparison (``compare_stream``, what ``diff`` ran before
  the batch engine) on the first ``--peer-n`` lines, in this process.

Both reports are compared on the first ``--peer-n`` lines before anything is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_engine  # noqa: E402
from timed import run_timed  # noqa: E402

import slapolicy  # noqa: E402
from slapolicy._tooling.batch_impact import compare_file  # noqa: E402
from slapolicy._tooling.impact import ImpactReport, compare_stream  # noqa: E402

SAMPLE = ROOT / "policies" / "service-levels.yaml"
EDITS = [
    ("P2: {response: 30m, resolve: 24h,", "P2: {response: 1h, resolve: 3d,"),
    ("[建议, 希望, 优化]", "[建议, 优化, 问题]"),
    ("major: {high: P2, medium: P2, low: P3}", "major: {high: P1, medium: P3, low: P3}"),
]


def write_inputs(folder: Path, n: int, seed: int) -> tuple[Path, Path, Path]:
    """The edited policy, the tickets as JSON lines and as Parquet."""
    text = SAMPLE.read_text(encoding="utf-8")
    for before, after in EDITS:
        assert before in text, before
        text = text.replace(before, after)
    edited = folder / "service-levels-new.yaml"
    edited.write_text(text, encoding="utf-8")
    (folder / "calendars").symlink_to(SAMPLE.parent / "calendars")
    raw = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    generator = bench_engine.TicketGenerator(bench_engine.Vocabulary(raw), seed)
    jsonl = folder / "tickets.jsonl"
    parquet = folder / "tickets.parquet"
    writer = None
    schema = None
    with jsonl.open("w", encoding="utf-8") as out:
        done = 0
        while done < n:
            chunk = [generator.ticket(done + i) for i in range(min(100_000, n - done))]
            done += len(chunk)
            out.writelines(json.dumps(t, ensure_ascii=False) + "\n" for t in chunk)
            if schema is None:
                keys = sorted({k for t in chunk for k in t})
                schema = pa.Table.from_pylist([dict.fromkeys(keys) | t for t in chunk]).schema
            table = pa.Table.from_pylist(chunk, schema=schema)
            if writer is None:
                writer = pq.ParquetWriter(parquet, schema)
            writer.write_table(table, row_group_size=100_000)
    if writer is not None:
        writer.close()
    return edited, jsonl, parquet


def run_diff(edited: Path, tickets: Path, jobs: int | None) -> tuple[float, float | None]:
    """Seconds and peak resident memory (MB, the largest process) of one ``diff`` run."""
    command = [sys.executable, "-m", "slapolicy", "diff", str(SAMPLE), str(edited)]
    command += ["--tickets", str(tickets), "--json", "--no-progress"]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    return run_timed(command, "diff")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="tickets")
    parser.add_argument("--peer-n", type=int, default=20_000, help="tickets for the peer")
    parser.add_argument("--jobs", type=int, default=None, help="diff --jobs (default: cores)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", slapolicy.HolidayDataWarning)
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        edited, jsonl, parquet = write_inputs(folder, args.n, args.seed)
        print(
            f"wrote {args.n:,} tickets in {time.perf_counter() - began:.1f} s "
            f"({jsonl.stat().st_size / 2**20:.0f} MB JSON lines, "
            f"{parquet.stat().st_size / 2**20:.0f} MB Parquet); {os.cpu_count()} cores"
        )

        old, new = slapolicy.load_policy(SAMPLE), slapolicy.load_policy(edited)
        sample = folder / "sample.jsonl"
        with jsonl.open("rb") as source, sample.open("wb") as out:
            for _, line in zip(range(args.peer_n), source, strict=False):
                out.write(line)
        with sample.open("rb") as stream:
            began = time.perf_counter()
            peer = compare_stream(old, new, stream, ImpactReport())
            peer_seconds = time.perf_counter() - began
        batch = compare_file(old, new, str(sample), jobs=1)
        if batch.to_dict() != peer.to_dict():
            raise SystemExit("the batch report differs from the ticket-by-ticket one")
        print(
            f"reports agree on the first {args.peer_n:,} tickets "
            f"({peer.tickets - peer.unchanged:,} changed)\n"
        )

        peer_rate = args.peer_n / peer_seconds
        print("| run | seconds | tickets/s | peak MB | vs ticket by ticket |")
        print("|:--|--:|--:|--:|--:|")
        print(
            f"| ticket by ticket (peer, 1 core, {args.peer_n:,}) | {peer_seconds:.2f} | "
            f"{peer_rate:,.0f} | | 1.0x |"
        )
        for label, path in (("diff JSON lines", jsonl), ("diff Parquet", parquet)):
            seconds, peak = run_diff(edited, path, args.jobs)
            rate = args.n / seconds
            shown = f"{peak:.0f}" if peak is not None else "n/a"
            print(f"| {label} | {seconds:.2f} | {rate:,.0f} | {shown} | {rate / peer_rate:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
