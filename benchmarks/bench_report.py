"""Benchmark ``slapolicy report`` over a million histories: histories per second, peak memory.

Run from the repository root::

    python benchmarks/bench_report.py                 # 1,000,000 histories of 5 events
    python benchmarks/bench_report.py --n 100000 --jobs 1

It writes ``--n`` generated histories of ``policies/service-levels.yaml``
(``bench_clock.py``'s generator, 5 events each) as JSON lines into a temporary directory,
then times, in the same run:

* ``report`` (the command, in a child process under ``/usr/bin/time -v`` when it exists, for
  its peak resident memory), with ``--by priority,month --top text`` and with ``--html``;
* the peer: a loop of ``Policy.status`` over the first ``--peer-n`` histories in this
  process, the work the review does per history before it counts anything.

The issue's aim is 1M histories in at most 60 s on a 2-core machine with flat memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_clock  # noqa: E402
from timed import run_timed  # noqa: E402

import slapolicy  # noqa: E402

SAMPLE = ROOT / "policies" / "service-levels.yaml"
NOW = "2026-11-15T00:00:00+08:00"


def write_histories(path: Path, n: int, seed: int) -> None:
    done = 0
    with path.open("w", encoding="utf-8") as out:
        while done < n:
            chunk = bench_clock.generate(min(50_000, n - done), seed + done, False, 5)
            done += len(chunk)
            out.writelines(
                json.dumps({"ticket": t, "events": e}, ensure_ascii=False) + "\n"
                for t, e, _ in chunk
            )


def run_report(history: Path, extra: list[str], jobs: int | None) -> tuple[float, float | None]:
    """Seconds and peak resident memory (MB, the largest process) of one ``report`` run."""
    command = [sys.executable, "-m", "slapolicy", "report", str(SAMPLE), "--history"]
    command += [str(history), "--now", NOW, "--by", "priority,month", "--top", "text"]
    command += ["--json", "--no-progress", *extra]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    return run_timed(command, "report")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="histories")
    parser.add_argument("--peer-n", type=int, default=20_000, help="histories for the peer")
    parser.add_argument("--jobs", type=int, default=None, help="report --jobs (default: cores)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-html", action="store_true", help="skip the --html run")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", slapolicy.HolidayDataWarning)
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        folder = Path(tmp)
        history = folder / "histories.jsonl"
        began = time.perf_counter()
        write_histories(history, args.n, args.seed)
        print(
            f"wrote {args.n:,} histories (5 events each) in {time.perf_counter() - began:.1f} s "
            f"({history.stat().st_size / 2**20:.0f} MB); {os.cpu_count()} cores"
        )
        policy = slapolicy.load_policy(SAMPLE)
        sample = []
        with history.open(encoding="utf-8") as lines:
            for _, line in zip(range(args.peer_n), lines, strict=False):
                sample.append(json.loads(line))
        began = time.perf_counter()
        for item in sample:
            policy.status(item["ticket"], item["events"], now=NOW)
        peer = (time.perf_counter() - began) / len(sample)
        print(f"\nPolicy.status loop (peer, 1 core): {peer * 1e6:.0f} µs per history\n")
        print("| run | seconds | histories/s | µs per history (wall) | peak MB |")
        print("|:--|--:|--:|--:|--:|")
        runs = [("report --json", [])]
        if not args.no_html and shutil.which("python3"):
            runs.append(("report --html", ["--html", str(folder / "page.html")]))
        for label, extra in runs:
            seconds, peak = run_report(history, extra, args.jobs)
            shown = f"{peak:.0f}" if peak is not None else "n/a"
            print(
                f"| {label} | {seconds:.1f} | {args.n / seconds:,.0f} | "
                f"{seconds / args.n * 1e6:.1f} | {shown} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
