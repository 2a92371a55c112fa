"""Benchmark: how long ``load_policy`` takes on a 2,000-rule policy file (issue item 5).

Run from the repository root::

    python benchmarks/bench_load.py                  # 2,000 rules, median of 5 runs
    python benchmarks/bench_load.py --rules 5000 --repeat 9
    python benchmarks/bench_load.py --profile        # where a load spends its time

The script writes, from a seed, a policy the way ops write one (block style with flow-style
conditions, comments and labels in Chinese) into a temporary directory: category rules of
mixed kinds (``contains_any`` with Chinese keywords, with English keywords and ``case:
insensitive``, ``matches`` with RE2 patterns, ``type`` equality and membership, ``any`` of
both), priority rules, routing rules with owners, SLAs and escalations; ``--rules`` counts
them all. It then times, as the median of ``--repeat`` runs:

* ``load_policy(path)``: the whole load (reading, schema, compiling, code generation);
* ``read_yaml_file(path)``: the YAML parse alone, which keeps the line and column of every
  value, the way ``load_policy`` reads it (libyaml when PyYAML has it) and with PyYAML's
  pure-Python parser;
* ``yaml.safe_load`` of the same text with ``CSafeLoader`` (libyaml) and ``SafeLoader``
  (pure Python) as peers: they keep no positions and check nothing.

The target of issue item 5 is a full load of a 2,000-rule policy in at most 0.5 s; the exit
status is 1 when the median misses it (only for the default size).
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

try:
    import slapolicy
except ImportError:  # running from a checkout without installing: use src/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import slapolicy
from slapolicy import Policy, load_policy
from slapolicy._compile import compile_rules
from slapolicy._source import read_source
from slapolicy._source.yaml_reader import read_yaml_file

TARGET_S = 0.5
DEFAULT_RULES = 2000

HANZI = "上海市北京广州深圳订单退款发票物流账号登录支付会员积分优惠券门店快递投诉维修安装故障延迟"
ENGLISH = (
    *("login", "payment", "refund", "invoice", "delivery", "account", "member", "coupon"),
    *("store", "courier", "password", "order", "upgrade", "install", "crash", "timeout"),
)
ADJECTIVES = ("failed", "broken", "missing", "slow", "duplicate", "wrong", "expired", "locked")
TYPES = ("incident", "request", "question", "feedback", "complaint")
LABELS = ("售前咨询", "售后支持", "投诉建议", "账务问题", "技术问题", "物流查询", "会员服务")


class PolicyWriter:
    """Seeded YAML text of a policy with a given number of rules."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def chinese(self) -> str:
        """A Chinese keyword not used before (two to four characters)."""
        while True:
            word = "".join(self.rng.choice(HANZI) for _ in range(self.rng.randint(2, 4)))
            if word not in self.used:
                self.used.add(word)
                return word

    def english(self) -> str:
        """An English keyword phrase not used before."""
        while True:
            word = f"{self.rng.choice(ENGLISH)} {self.rng.choice(ADJECTIVES)}"
            if self.rng.random() < 0.5:
                word = f"{self.rng.choice(ENGLISH)} {word}"
            if word not in self.used:
                self.used.add(word)
                return word

    def condition(self, index: int) -> str:
        """A flow-style ``when`` condition of a random kind."""
        rng = self.rng
        kind = rng.choices(("zh", "en", "regex", "type", "any"), (30, 20, 20, 15, 15))[0]
        if kind == "zh":
            words = ", ".join(self.chinese() for _ in range(rng.randint(1, 5)))
            return f"{{text: {{contains_any: [{words}]}}}}"
        if kind == "en":
            words = ", ".join(self.english() for _ in range(rng.randint(1, 4)))
            return f"{{text: {{contains_any: [{words}], case: insensitive}}}}"
        if kind == "regex":
            word = self.chinese()
            pattern = rf"{word}\s*#?{rng.randint(10, 99)}\d{{{rng.randint(3, 6)}}}"
            return f"{{text: {{matches: '{pattern}'}}}}"
        if kind == "type":
            if rng.random() < 0.5:
                return f"{{type: {rng.choice(TYPES)}-{index}}}"
            types = ", ".join(f"{t}-{index}" for t in rng.sample(TYPES, 2))
            return f"{{type: [{types}]}}"
        words = ", ".join(self.chinese() for _ in range(rng.randint(1, 3)))
        return (
            "\n      any:\n"
            f"        - {{type: {rng.choice(TYPES)}-{index}}}\n"
            f"        - {{text: {{contains_any: [{words}]}}}}"
        )

    def policy(self, rules: int) -> str:
        """The policy's YAML text: ``rules`` rules in all (categories, priorities, routing)."""
        rng = self.rng
        priorities = 4
        routes = max(1, rules // 5)
        categories = max(1, rules - priorities - routes)
        owners = 40
        lines = [
            "# yaml-language-server: $schema=../docs/policy.schema.json",
            f"# 基准测试策略：{rules} 条规则（分类、优先级、分派）",
            "slapolicy: 1",
            f"name: 基准策略-{rules}",
            "description: Benchmark policy - many category and routing rules.",
            "timezone: Asia/Shanghai",
            "",
            "calendars:",
            "  office:                              # 办公时间：上午 9:00-12:00，下午 13:30-18:00",
            "    timezone: Asia/Shanghai",
            "    hours:",
            '      mon-fri: ["09:00-12:00", "13:30-18:00"]',
            "  always: {hours: always}",
            "",
            "fields:",
            "  urgency: {enum: [high, medium, low]}",
            "  channel: {enum: [phone, email, web, chat]}",
            "",
            "categories:",
        ]
        for i in range(categories - 1):
            lines.append(f"  - id: c{i}")
            if rng.random() < 0.5:
                lines.append(f"    label: {rng.choice(LABELS)}{i}        # 第 {i} 条分类规则")
            lines.append(f"    when: {self.condition(i)}")
        lines += ["  - id: other", "    label: 其他", "", "priorities:"]
        urgent = ", ".join(self.chinese() for _ in range(4))
        lines += [
            "  - id: P1",
            "    label: 紧急",
            "    when:",
            "      any:",
            "        - {urgency: high}",
            f"        - {{text: {{contains_any: [紧急, urgent, {urgent}], case: insensitive}}}}",
            "  - id: P2",
            "    when: {urgency: medium}",
            "  - id: P3",
            "    when: {category: [c0, c1, c2]}",
            "  - id: P4",
            "    label: 低                          # the default",
            "",
            "slas:",
            "  - id: standard",
            "    label: 标准服务",
            "    calendar: office",
            "    targets:",
            "      P1: {response: 30m, resolve: 4h}",
            "      P2: {response: 1h, resolve: 1d}",
            "      P3: {response: 2h, resolve: 3d}",
            "      P4: {response: 4h, resolve: 5d}",
            "",
            "routing:",
        ]
        for i in range(routes - 1):
            owner = f"team-{rng.randrange(owners)}"
            category = f"c{rng.randrange(categories - 1)}"
            if rng.random() < 0.3:
                when = f"{{category: {category}, priority: P{rng.randint(1, 4)}}}"
            elif rng.random() < 0.5:
                when = f"{{category: [{category}, c{rng.randrange(categories - 1)}]}}"
            else:
                channel = rng.choice(("phone", "email", "web", "chat"))
                when = f"{{channel: {channel}, category: {category}}}"
            cc = f", cc: [team-{rng.randrange(owners)}]" if rng.random() < 0.2 else ""
            lines.append(f"  - {{id: r{i}, when: {when}, owner: {owner}{cc}}}")
        lines += ["  - {id: default, owner: team-0}", "", "owners:"]
        for i in range(owners):
            lines.append(f"  team-{i}: {{label: 第{i}组, lead: lead-{i % 5}}}")
        for i in range(5):
            lines.append(f"  lead-{i}: {{label: 主管{i}}}")
        lines += [
            "",
            "escalation:",
            "  - {id: response-overdue, target: response, at: 100%, notify: owner.lead}",
            "  - {id: resolve-half, target: resolve, at: 50%, notify: owner}",
            "",
        ]
        return "\n".join(lines)


def median_time(function: Callable[[], Any], repeat: int) -> float:
    """The median of ``repeat`` timed calls of ``function``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def stages(path: Path, repeat: int) -> list[tuple[str, float]]:
    """The median time of each stage of ``load_policy(path)``, measured apart."""
    data, document, filename = read_source(path)
    rules = compile_rules(data, document, filename)
    return [
        ("read (YAML, positions)", median_time(lambda: read_source(path), repeat)),
        (
            "compile (schema, conditions)",
            median_time(lambda: compile_rules(data, document, filename), repeat),
        ),
        ("Policy (codegen, engine)", median_time(lambda: Policy(rules), repeat)),
    ]


def profile(path: Path, top: int) -> None:
    """Where one ``load_policy(path)`` spends its time: by room, then the costliest calls."""
    profiler = cProfile.Profile()
    profiler.enable()
    load_policy(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    # own time (tottime) of every function, summed by the room of slapolicy it lives in
    by_room: dict[str, float] = defaultdict(float)
    total = 0.0
    for function in stats.get_stats_profile().func_profiles.values():
        total += function.tottime
        by_room[_room(function.file_name)] += function.tottime
    print(f"\nprofile of one load_policy (under cProfile, {total:.2f} s in all), own time by room:")
    for room, seconds in sorted(by_room.items(), key=lambda item: -item[1]):
        print(f"  {room:<34} {seconds:6.3f} s  {seconds / total:5.1%}")
    print(f"\ncostliest {top} calls by cumulative time:")
    stats.sort_stats("cumulative").print_stats(top)


def _room(filename: str) -> str:
    """The slapolicy module a profiled function lives in, else its library."""
    parts = Path(filename).parts
    if "slapolicy" in parts:
        inner = parts[parts.index("slapolicy") + 1 :]
        return "slapolicy/" + "/".join(inner)
    for library in ("yaml", "pydantic", "pydantic_core", "re2", "zoneinfo", "holidays"):
        if library in parts:
            return library
    return "other (stdlib, builtins)" if filename.startswith(("~", "<")) else Path(filename).name


def main(argv: list[str] | None = None) -> int:
    """Write the policy, time the load and its parse, print seconds and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=int, default=DEFAULT_RULES)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the median counts")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="profile one load")
    parser.add_argument("--top", type=int, default=25, help="calls shown by --profile")
    args = parser.parse_args(argv)
    print(
        f"Python {platform.python_version()}, slapolicy {slapolicy.__version__}, "
        f"PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__}); "
        f"{platform.machine()}, {time.strftime('%Y-%m-%d')}"
    )
    text = PolicyWriter(args.seed).policy(args.rules)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "policy.yaml"
        path.write_text(text, encoding="utf-8")
        size = len(text.encode("utf-8"))
        policy = load_policy(path)  # also a warm-up: imports, first compilation
        print(
            f"{args.rules:,} rules ({len(policy.rules.categories):,} categories), "
            f"{text.count(chr(10)):,} lines, {size / 1024:.0f} KiB; "
            f"median of {args.repeat} runs"
        )
        timings: list[tuple[str, float]] = [
            ("load_policy(path)", median_time(lambda: load_policy(path), args.repeat)),
            ("read_yaml_file (positions)", median_time(lambda: read_yaml_file(path), args.repeat)),
            (
                "  the same, PyYAML's parser",
                median_time(lambda: read_yaml_file(path, parser="python"), args.repeat),
            ),
        ]
        if yaml.__with_libyaml__:
            timings.append(
                (
                    "yaml.safe_load, CSafeLoader",
                    median_time(lambda: yaml.load(text, Loader=yaml.CSafeLoader), args.repeat),
                )
            )
        timings.append(
            (
                "yaml.safe_load, SafeLoader",
                median_time(lambda: yaml.load(text, Loader=yaml.SafeLoader), args.repeat),
            )
        )
        parse_s = timings[1][1]
        print()
        print(f"| {'what':<28} | {'seconds':>8} | {'/ read_yaml_file':>16} |")
        print(f"|{'-' * 30}|{'-' * 9}:|{'-' * 17}:|")
        for name, seconds in timings:
            print(f"| {name:<28} | {seconds:8.3f} | {seconds / parse_s:15.2f}x |")
        load_s = timings[0][1]
        print(f"\nstages of load_policy, each timed apart (median of {args.repeat}):")
        for name, seconds in stages(path, args.repeat):
            print(f"  {name:<30} {seconds:6.3f} s  {seconds / load_s:4.0%}")
        print(
            f"\nparse share of the load: {parse_s / load_s:.0%}; "
            f"target {TARGET_S} s: {'met' if load_s <= TARGET_S else 'MISSED'} "
            f"({load_s:.3f} s)"
        )
        if args.profile:
            profile(path, args.top)
    return 1 if args.rules == DEFAULT_RULES and load_s > TARGET_S else 0


if __name__ == "__main__":
    sys.exit(main())
