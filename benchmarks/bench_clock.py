"""Benchmark the SLA clock: ``Policy.status`` over generated ticket histories.

Run from the repository root::

    python benchmarks/bench_clock.py              # 100,000 tickets
    python benchmarks/bench_clock.py --n 20000    # quicker

On ``policies/service-levels.yaml`` the script generates ``--n`` tickets (type, impact,
urgency, channel, Chinese text, ``created_at`` a random instant between 2026-01-05 and
2026-10-31) and, for each, a history of 5-10 events that a helpdesk would record: a first
reply, requests for information (``waiting_customer`` / ``on_hold``, then ``open``), more
replies, re-prioritisations (``updated`` with a new ``impact`` / ``urgency``), a resolution,
sometimes a reopening and a second resolution. Gaps between events run from a minute to two
days; ``now`` is up to two days after the last event, so some tickets are still open. Every
instant stays inside 2026, the last year of official Chinese holiday data. Events carry
ISO-8601 text, as they would arrive from JSON (``--datetimes`` passes ``datetime`` objects).

Everything is generated before anything is timed. Then, one call per ticket, best of
``--repeat`` runs (``time.perf_counter``, garbage collector left on):

* ``status``    ``policy.status(ticket, events, now=now)``
* ``evaluate``  ``policy.evaluate(ticket)`` on the same tickets, for comparison (``status``
  evaluates the ticket once, plus once per ``updated`` event)

The script prints tickets/s and microseconds per ticket for both, and a summary of the
answers of a sample (states of the targets, escalations due) as a sanity check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

try:
    import slapolicy
except ImportError:  # running from a checkout without installing: use src/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import slapolicy
from slapolicy import TicketError

ROOT = Path(__file__).resolve().parent.parent
POLICY_PATH = ROOT / "policies" / "service-levels.yaml"

TZ = dt.timezone(dt.timedelta(hours=8))
FIRST = dt.datetime(2026, 1, 5, tzinfo=TZ)
LAST = dt.datetime(2026, 10, 31, tzinfo=TZ)

TYPES = ("outage", "billing", "order", "account", "question", "suggestion", "other")
IMPACTS = ("core", "major", "minor", "none")
URGENCIES = ("high", "medium", "low")
CHANNELS = ("phone", "email", "web", "chat")
TEXTS = (
    "支付系统宕机，全部用户无法登录",
    "订单状态一直没有更新",
    "如何导出上个月的发票？",
    "希望增加夜间模式",
    "发票抬头填错了，怎么修改",
    "客户反馈页面加载很慢",
    "账户余额与账单不一致",
    "咨询一下套餐的价格",
)
PAUSES = ("waiting_customer", "on_hold")


# --------------------------------------------------------------------------- generation


class HistoryGenerator:
    """Plausible ticket histories: replies, pauses, re-prioritisations, resolution, reopen."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)

    def gap(self) -> dt.timedelta:
        r = self.rnd
        # mostly minutes to hours, sometimes a day or two (a weekend, a quiet customer)
        minutes = r.choice(
            (r.randint(1, 30), r.randint(10, 240), r.randint(60, 600), r.randint(600, 2880))
        )
        return dt.timedelta(minutes=minutes, seconds=r.choice((0, 0, 0, r.randint(1, 59))))

    def ticket(self) -> dict[str, Any]:
        r = self.rnd
        span = int((LAST - FIRST).total_seconds())
        created = FIRST + dt.timedelta(seconds=r.randrange(span))
        ticket: dict[str, Any] = {
            "id": r.randrange(10**9),
            "type": r.choice(TYPES),
            "impact": r.choice(IMPACTS),
            "urgency": r.choice(URGENCIES),
            "channel": r.choice(CHANNELS),
            "text": r.choice(TEXTS),
            "created_at": created.isoformat(),
        }
        return ticket

    def history(
        self, created: dt.datetime, events: int | None = None
    ) -> tuple[list[dict[str, Any]], dt.datetime]:
        r = self.rnd
        count = r.randint(5, 10) if events is None else events
        events: list[dict[str, Any]] = []
        t = created
        paused = False
        resolved = False
        reopened = False
        while len(events) < count:
            t += self.gap()
            left = count - len(events)
            if resolved:
                if not reopened and left > 1 and r.random() < 0.5:
                    events.append({"type": "reopened", "at": t})
                    resolved, reopened = False, True
                else:
                    events.append({"type": "responded", "at": t})  # a follow-up note
                continue
            if not events:
                events.append({"type": "responded", "at": t})
                continue
            roll = r.random()
            if paused and roll < 0.7:
                events.append({"type": "status", "status": "open", "at": t})
                paused = False
            elif left == 1 and roll < 0.8:
                events.append({"type": "resolved", "at": t})
                resolved = True
            elif roll < 0.35:
                events.append({"type": "responded", "at": t})
            elif roll < 0.6:
                status = r.choice(PAUSES)
                events.append({"type": "status", "status": status, "at": t})
                paused = True
            elif roll < 0.75:
                change = r.choice(("impact", "urgency"))
                values = IMPACTS if change == "impact" else URGENCIES
                events.append({"type": "updated", "fields": {change: r.choice(values)}, "at": t})
            elif roll < 0.85:
                events.append({"type": "resolved", "at": t})
                resolved = True
                paused = False
            else:
                events.append({"type": "responded", "at": t})
        now = t + dt.timedelta(minutes=r.randint(0, 2880))
        return events, now


def generate(
    n: int, seed: int, as_datetimes: bool, events: int | None = None
) -> list[tuple[dict[str, Any], list[Any], Any]]:
    gen = HistoryGenerator(seed)
    cases = []
    for _ in range(n):
        ticket = gen.ticket()
        history, now = gen.history(dt.datetime.fromisoformat(ticket["created_at"]), events)
        events_of = history
        if not as_datetimes:
            for event in events_of:
                event["at"] = event["at"].isoformat()
        cases.append((ticket, events_of, now if as_datetimes else now.isoformat()))
    return cases


# --------------------------------------------------------------------------- timing


def best_of(fn: Callable[[], None], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def summary(policy: slapolicy.Policy, cases: Sequence[Any]) -> None:
    states: Counter[str] = Counter()
    priorities: Counter[str] = Counter()
    escalations = 0
    resolved = 0
    for ticket, events, now in cases:
        status = policy.status(ticket, events, now=now)
        priorities[status.decision.priority] += 1
        resolved += status.resolved
        escalations += len(status.escalations_due)
        for name, target in status.targets.items():
            states[f"{name} {target.state}"] += 1
    n = len(cases)
    print(f"  sample of {n:,}: resolved {resolved / n:.0%}, escalations due {escalations / n:.2f}")
    print("  priorities: " + ", ".join(f"{k} {v / n:.0%}" for k, v in sorted(priorities.items())))
    print("  targets:    " + ", ".join(f"{k} {v:,}" for k, v in sorted(states.items())))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="tickets (default 100,000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs; the best counts")
    parser.add_argument("--sample", type=int, default=5_000, help="tickets in the summary")
    parser.add_argument(
        "--datetimes", action="store_true", help="pass datetime objects instead of ISO text"
    )
    parser.add_argument("--events", type=int, help="events per history (default: 5 to 10)")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also time a git revision, side by side (its service-levels.yaml for both)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds per tree (--baseline)")
    parser.add_argument("--policy", type=Path, default=POLICY_PATH, help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    if args.baseline:
        return side_by_side(args)

    policy = slapolicy.load_policy(args.policy)
    print(
        f"Python {platform.python_version()}, slapolicy {slapolicy.__version__}; "
        f"{platform.machine()}, {time.strftime('%Y-%m-%d')}"
    )
    print(f"policy {args.policy} ({policy.name}), seed {args.seed}")

    t0 = time.perf_counter()
    cases = generate(args.n, args.seed, args.datetimes, args.events)
    events = sum(len(c[1]) for c in cases)
    kinds = Counter(e["type"] for c in cases for e in c[1])
    print(
        f"generated {len(cases):,} tickets, {events:,} events "
        f"({events / len(cases):.1f} per ticket) in {time.perf_counter() - t0:.1f}s; "
        + ", ".join(f"{k} {v / events:.0%}" for k, v in kinds.most_common())
    )
    print(f"instants as {'datetime objects' if args.datetimes else 'ISO-8601 text'}")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        errors = 0
        for ticket, history, now in cases[: args.sample]:
            try:
                policy.status(ticket, history, now=now)
            except TicketError as exc:
                errors += 1
                if errors <= 3:
                    print(f"  TicketError: {exc}")
        summary(policy, cases[: args.sample])
    for message in sorted({str(w.message) for w in caught}):
        print(f"  warning: {message}")
    if errors:
        print(f"{errors} tickets of the sample raise TicketError: fix the generator")
        return 1

    status = policy.status
    evaluate = policy.evaluate

    def run_status() -> None:
        for ticket, history, now in cases:
            status(ticket, history, now=now)

    def run_evaluate() -> None:
        for ticket, _, _ in cases:
            evaluate(ticket)

    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # already shown above
        for mode, fn in (("status", run_status), ("evaluate", run_evaluate)):
            seconds = best_of(fn, args.repeat)
            rows.append((mode, seconds))
            print(f"  {mode:<9} {seconds:7.2f}s")

    n = len(cases)
    base = rows[1][1]
    print(f"\nbest of {args.repeat} run(s) over {n:,} tickets")
    print("| mode     | tickets/s | us/ticket | vs evaluate |")
    print("|:---------|----------:|----------:|------------:|")
    for mode, seconds in rows:
        print(
            f"| {mode:<8} | {n / seconds:9,.0f} | {seconds / n * 1e6:9.1f} | "
            f"{seconds / base:10.2f}x |"
        )
    print(f"\nstatus: {events / rows[0][1]:,.0f} events/s replayed")
    return 0


# --------------------------------------------------------------------------- side by side


def child(args: argparse.Namespace) -> int:
    """Time status and evaluate on the cases of a file, for :func:`side_by_side`."""
    cases = json.loads(Path(args.child).read_text(encoding="utf-8"))
    policy = slapolicy.load_policy(args.policy)
    status, evaluate = policy.status, policy.evaluate
    warnings.simplefilter("ignore")
    for ticket, history, now in cases[:200]:  # warm-up
        status(ticket, history, now=now)

    def run_status() -> None:
        for ticket, history, now in cases:
            status(ticket, history, now=now)

    def run_evaluate() -> None:
        for ticket, _, _ in cases:
            evaluate(ticket)

    n = len(cases)
    out = {
        "status": best_of(run_status, args.repeat) / n * 1e6,
        "evaluate": best_of(run_evaluate, args.repeat) / n * 1e6,
        "file": slapolicy.__file__,
    }
    print(json.dumps(out))
    return 0


def side_by_side(args: argparse.Namespace) -> int:
    """The same histories timed on a git revision and on this checkout, alternately."""
    with tempfile.TemporaryDirectory(prefix="slapolicy-bench-clock-") as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.baseline],
            check=True,
            capture_output=True,
        )
        try:
            policy = base / "policies" / "service-levels.yaml"
            file = Path(tmp) / "cases.json"
            cases = generate(args.n, args.seed, False, args.events)
            file.write_text(json.dumps(cases), encoding="utf-8")
            trees = {f"{args.baseline}": base, "this checkout": ROOT}
            best: dict[str, dict[str, float]] = {name: {} for name in trees}
            for round_ in range(args.rounds):
                names = list(trees) if round_ % 2 == 0 else list(reversed(trees))
                for name in names:
                    done = subprocess.run(
                        [sys.executable, __file__, "--child", str(file), "--policy", str(policy),
                         "--repeat", str(args.repeat)],
                        env=dict(os.environ, PYTHONPATH=str(trees[name] / "src")),
                        check=True,
                        capture_output=True,
                        text=True,
                    )  # fmt: skip
                    result = json.loads(done.stdout)
                    if not result.pop("file").startswith(str(trees[name])):
                        raise SystemExit(f"the child did not import the tree of {name}")
                    for key, value in result.items():
                        best[name][key] = min(best[name].get(key, value), value)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                check=False,
                capture_output=True,
            )
    events = sum(len(c[1]) for c in cases) / len(cases)
    print(
        f"{len(cases):,} histories of {events:.1f} events on {args.baseline}'s "
        f"service-levels.yaml; best of {args.rounds} rounds x {args.repeat}; us per ticket\n"
    )
    print("| engine | status | evaluate | status / evaluate |")
    print("|:--|--:|--:|--:|")
    for name, row in best.items():
        ratio = row["status"] / row["evaluate"]
        print(f"| {name} | {row['status']:.1f} | {row['evaluate']:.1f} | {ratio:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
