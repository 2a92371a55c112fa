"""Side by side: the public API of this checkout against an earlier git revision, in one run.

A refactoring promises "no slower than before"; this script measures it. It generates one
workload (tickets for every sample policy, ticket histories, calendar instants), then times
the same calls on both source trees, alternating between them round after round so that
machine noise hits both alike, and prints the best time of each with the ratio::

    python benchmarks/compare_revisions.py --baseline 5b5814c          # the redesign's parent
    python benchmarks/compare_revisions.py --baseline HEAD~3 --n 5000 --rounds 3

Each measurement runs in a fresh interpreter whose ``PYTHONPATH`` puts the tree's ``src/``
first, so both sides use the same Python and the same installed dependencies; only the
public API is called (``load_policy``, ``Policy.classify`` / ``evaluate`` / ``status``,
``Calendar.from_spec`` / ``add`` / ``elapsed``), which every revision has. The baseline is
checked out with ``git worktree`` into a temporary directory and removed afterwards.

Rows: ``classify`` and ``evaluate`` per sample policy of the baseline (tickets from
``bench_engine.py``'s generator), ``status`` on its service-levels.yaml (histories from
``bench_clock.py``), and ``Calendar.add`` / ``elapsed`` on a split-shift Chinese office
calendar (ISO-8601 text and aware datetimes as inputs). Times are microseconds per call,
best of ``--rounds``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent

OFFICE = {
    "timezone": "Asia/Shanghai",
    "hours": {"mon-fri": ["09:00-12:00", "13:30-18:00"]},
    "holidays": {"country": "CN"},
}
TZ = dt.timezone(dt.timedelta(hours=8))


# --------------------------------------------------------------------------- the workload


def workload(n: int, seed: int, policies_dir: Path) -> dict[str, Any]:
    """Everything the timed calls take, as JSON-ready data (generated once, by this tree).

    The policies are the baseline's sample policies (``policies_dir``): a later revision
    reads every earlier policy, not the other way round (new YAML keys).
    """
    sys.path.insert(0, str(HERE))
    import bench_clock
    import bench_engine
    import yaml

    policies = {}
    for path in sorted(policies_dir.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        generator = bench_engine.TicketGenerator(bench_engine.Vocabulary(raw), seed)
        policies[str(path)] = generator.tickets(n)
    histories = bench_clock.generate(max(n // 5, 100), seed, as_datetimes=False)
    rng = random.Random(seed)
    first = dt.datetime(2026, 1, 5, tzinfo=TZ)
    starts = [
        (first + dt.timedelta(seconds=rng.randrange(300 * 86_400))).isoformat() for _ in range(n)
    ]
    return {
        "policies": policies,
        "histories": [list(case) for case in histories],
        "status_policy": str(policies_dir / "service-levels.yaml"),
        "starts": starts,
    }


# --------------------------------------------------------------------------- the child


def measure(path: str) -> dict[str, float]:
    """Time every call of the workload once (after a warm-up), in microseconds per call."""
    import slapolicy

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out: dict[str, float] = {"_file": 0.0}
    print(slapolicy.__file__, file=sys.stderr)

    def per_call(label: str, fn: Callable[[Any], Any], items: Sequence[Any]) -> None:
        for item in items[: max(len(items) // 20, 1)]:  # warm-up: caches, spans, bytecode
            fn(item)
        began = time.perf_counter()
        for item in items:
            fn(item)
        out[label] = (time.perf_counter() - began) / len(items) * 1e6

    for file, tickets in data["policies"].items():
        policy = slapolicy.load_policy(Path(file))
        name = Path(file).stem
        ok = []
        for ticket in tickets:
            try:
                policy.evaluate(ticket)
            except slapolicy.TicketError:
                continue
            ok.append(ticket)
        per_call(f"classify {name}", policy.classify, ok)
        per_call(f"evaluate {name}", policy.evaluate, ok)
    policy = slapolicy.load_policy(Path(data["status_policy"]))
    cases = data["histories"]
    per_call("status service-levels", lambda c: policy.status(c[0], c[1], now=c[2]), cases)
    office = slapolicy.Calendar.from_spec(OFFICE, name="office")
    texts = data["starts"]
    instants = [dt.datetime.fromisoformat(text) for text in texts]
    eight = dt.timedelta(hours=8)
    per_call("Calendar.add text 8h", lambda s: office.add(s, "8h"), texts)
    per_call("Calendar.add datetime 8h", lambda s: office.add(s, eight), instants)
    per_call("Calendar.add datetime 3d", lambda s: office.add(s, "3d"), instants)
    later = dt.timedelta(days=20)
    per_call("Calendar.elapsed 20 days", lambda s: office.elapsed(s, s + later), instants)
    return out


# --------------------------------------------------------------------------- the parent


def run_child(tree: Path, workload_file: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(workload_file)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"the measurement of {tree} failed:\n{done.stderr}")
    loaded = done.stderr.strip().splitlines()[0]
    if not loaded.startswith(str(tree)):
        raise SystemExit(f"the child imported {loaded}, not the tree {tree}")
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", help="git revision to compare against", default="HEAD")
    parser.add_argument("--n", type=int, default=20_000, help="tickets per policy")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per tree")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        warnings.simplefilter("ignore")  # holiday-data warnings: the same on both sides
        print(json.dumps(measure(args.child)))
        return 0

    with tempfile.TemporaryDirectory(prefix="slapolicy-compare-") as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.baseline],
            check=True,
            capture_output=True,
        )
        try:
            file = Path(tmp) / "workload.json"
            data = workload(args.n, args.seed, base / "policies")
            file.write_text(json.dumps(data), encoding="utf-8")
            trees = {"baseline": base, "current": ROOT}
            best: dict[str, dict[str, float]] = {"baseline": {}, "current": {}}
            for round_ in range(args.rounds):
                order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
                for side in order:
                    for label, value in run_child(trees[side], file).items():
                        best[side][label] = min(best[side].get(label, value), value)
                print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                check=False,
                capture_output=True,
            )
    rev = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.baseline],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"\nbaseline {args.baseline} ({rev}) vs this checkout; best of {args.rounds} rounds,")
    print(f"{args.n:,} tickets per policy (the baseline's sample policies, on both sides);")
    print("microseconds per call (lower is better)\n")
    print(f"| {'call':<34} | {'baseline':>9} | {'current':>9} | {'current/baseline':>16} |")
    print(f"|{'-' * 36}|{'-' * 10}:|{'-' * 10}:|{'-' * 17}:|")
    for label in best["baseline"]:
        if label.startswith("_"):
            continue
        a, b = best["baseline"][label], best["current"][label]
        print(f"| {label:<34} | {a:9.2f} | {b:9.2f} | {b / a:15.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
