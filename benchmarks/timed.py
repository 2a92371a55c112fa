"""One command timed from outside, for the benchmarks of the CLI (``bench_diff.py``,
``bench_report.py``): wall seconds, and the peak resident memory of its largest process
as ``/usr/bin/time -v`` reports it (None where there is no such program)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path


def run_timed(command: list[str], what: str) -> tuple[float, float | None]:
    """Seconds and peak MB of ``command``; exit 0 or 3 (some lines unreadable) is success,
    any other exit stops the benchmark with the command's last words."""
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if timer is not None:
        command = [timer, "-v", *command]
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if result.returncode not in (0, 3):
        raise SystemExit(f"{what} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return seconds, (int(peak.group(1)) / 1024 if peak else None)
