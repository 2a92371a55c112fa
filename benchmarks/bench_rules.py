"""Benchmark: what ``classify`` costs as a policy grows from 20 to 2,000 rules.

Run from the repository root::

    python benchmarks/bench_rules.py                   # 20, 200 and 2,000 rules
    python benchmarks/bench_rules.py --n 5000 --repeat 3
    python benchmarks/bench_rules.py --rules 20 2000

For each size the script generates, from a seed, a policy whose category stage has that many
rules of mixed kinds, the way ops write them (Chinese keywords, English keywords with ``case:
insensitive``, RE2 patterns with and without it, equality and membership on ``type``, a
keyword test or a type test in one ``any``, ``contains_all``), and a small priority stage
(a keyword test with ``case: insensitive``, equality, membership on the decided category).
It generates tickets whose text mixes Chinese filler with the words or codes of a random rule
(one ticket in five hits no rule), then times, over the same tickets and in the same run:

* ``classify``     ``policy.classify(ticket)`` (category and priority);
* ``if-chain``     the same rules written the obvious efficient way in plain Python, as a
  programmer without a rules engine would: the text read once, casefolded once, keyword tests
  as ``"..." in text`` or-chains, patterns compiled once with the standard ``re`` module
  (``re.IGNORECASE`` for the case-insensitive ones), one ``if`` per rule in policy order.

The if-chain is generated as Python source from the same rule list (2,000 hand-written rules
would be the same code typed by hand); it is compiled once before timing. Before timing, its
answers are compared with ``classify`` on every ticket and the disagreements printed (they
must be 0; the exit status is 1 otherwise).
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import slapolicy
except ImportError:  # running from a checkout without installing: use src/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import slapolicy
from slapolicy import load_policy

# --------------------------------------------------------------------------- vocabulary

# Two or three of these make a Chinese keyword; many keywords overlap (one is a prefix,
# suffix or part of another), as the keywords of a real policy do (上海 / 上海市).
HANZI = "上海市北京广州深圳订单退款发票物流账号登录支付会员积分优惠券门店快递投诉维修安装故障延迟"
ENGLISH = [
    *("login", "payment", "refund", "invoice", "delivery", "account", "member", "coupon"),
    *("store", "courier", "password", "order", "upgrade", "install", "crash", "timeout"),
    *("error", "server", "network", "printer", "sync", "export", "report", "billing"),
    *("renewal", "license", "token", "email", "sms", "push", "cache", "backup", "restore"),
]
ADJECTIVES = [
    *("failed", "broken", "missing", "slow", "duplicate", "wrong", "expired", "locked"),
    *("frozen", "blank", "late", "lost", "invalid", "pending", "stuck", "rejected"),
]
FILLER = (
    "您好",
    "客户反馈",
    "今天上午开始",
    "麻烦尽快处理",
    "谢谢",
    "附件是截图",
    "页面一直转圈",
    "手机号 138****5521",
    "昨天已经打过电话",
    "App 版本 3.2.1",
    "第二次联系了",
    "领导在催",
    "不知道是不是网络原因",
    "please check",
    "see screenshot",
    "客服说会回电",
)
TYPES = ("incident", "request", "question", "feedback", "other")
IMPACTS = ("core", "major", "minor")

# rule kinds and their shares of the category rules
KINDS = (
    ("keywords", 25),  # contains_any, Chinese, case-sensitive
    ("keywords_fold", 20),  # contains_any, English, case: insensitive
    ("contains", 10),  # contains, one Chinese keyword
    ("contains_all", 5),  # contains_all, two Chinese keywords
    ("pattern", 15),  # matches, RE2
    ("pattern_fold", 5),  # matches, case: insensitive
    ("equal", 10),  # type equality or membership
    ("any", 10),  # any: [type, keywords]
)


@dataclass
class Rule:
    """One category rule: its kind, what it tests, and how a ticket hits it."""

    id: str
    kind: str
    words: tuple[str, ...] = ()  # keywords (as written in the policy)
    pattern: str = ""  # a `matches` pattern
    sample: str = ""  # a text fragment the pattern matches
    types: tuple[str, ...] = ()  # type values


class Generator:
    """Seeded rules and tickets."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()
        self.type_count = 0

    def chinese(self) -> str:
        while True:
            word = "".join(self.rng.choice(HANZI) for _ in range(self.rng.choice((2, 2, 3))))
            if word not in self.used:
                self.used.add(word)
                return word

    def english(self) -> str:
        while True:
            words = [self.rng.choice(ENGLISH), self.rng.choice(ADJECTIVES)]
            if self.rng.random() < 0.3:
                words.insert(0, self.rng.choice(ENGLISH))
            word = " ".join(words)
            if word not in self.used:
                self.used.add(word)
                return self.rng.choice((word, word.title(), word.upper()))

    def new_type(self) -> str:
        self.type_count += 1
        return f"t{self.type_count}"

    def rule(self, index: int, kind: str) -> Rule:
        rid = f"c{index}"
        if kind == "keywords":
            return Rule(
                rid, kind, words=tuple(self.chinese() for _ in range(self.rng.randint(1, 4)))
            )
        if kind == "keywords_fold":
            return Rule(
                rid, kind, words=tuple(self.english() for _ in range(self.rng.randint(1, 3)))
            )
        if kind == "contains":
            return Rule(rid, kind, words=(self.chinese(),))
        if kind == "contains_all":
            return Rule(rid, kind, words=(self.chinese(), self.chinese()))
        if kind == "pattern":
            word = self.chinese()
            digits = self.rng.randint(3, 6)
            code = self.rng.randint(10, 99)
            if self.rng.random() < 0.5:
                pattern, sample = (
                    rf"{word}\s*#?{code}\d{{{digits}}}",
                    f"{word} #{code}{'7' * digits}",
                )
            else:
                other = self.chinese()
                pattern, sample = (
                    f"(?:{word}|{other}).*(?:失败|异常){code}",
                    f"{other}后来失败{code}",
                )
            return Rule(rid, kind, pattern=pattern, sample=sample)
        if kind == "pattern_fold":
            word = self.english().split()[0].lower()
            code = self.rng.randint(100, 999)
            pattern = rf"{word}[ _-]?(?:err|error|e){code}"
            return Rule(rid, kind, pattern=pattern, sample=f"{word.upper()}-Error{code}")
        if kind == "equal":
            return Rule(
                rid, kind, types=tuple(self.new_type() for _ in range(self.rng.randint(1, 3)))
            )
        assert kind == "any"
        return Rule(
            rid,
            kind,
            words=tuple(self.chinese() for _ in range(self.rng.randint(1, 3))),
            types=(self.new_type(),),
        )

    def rules(self, count: int) -> list[Rule]:
        kinds = [kind for kind, _ in KINDS]
        weights = [weight for _, weight in KINDS]
        return [self.rule(i, self.rng.choices(kinds, weights)[0]) for i in range(count)]

    def ticket(self, rules: Sequence[Rule]) -> dict[str, Any]:
        rng = self.rng
        parts = [rng.choice(FILLER) for _ in range(rng.randint(2, 5))]
        ticket: dict[str, Any] = {"type": rng.choice(TYPES), "impact": rng.choice(IMPACTS)}
        if rng.random() < 0.8:  # hit some rule (an earlier one may win: words overlap)
            rule = rng.choice(rules)
            if rule.kind in ("keywords", "contains", "keywords_fold"):
                word = rng.choice(rule.words)
                if rule.kind == "keywords_fold":
                    word = rng.choice((word.lower(), word.upper(), word.title()))
                parts.insert(rng.randrange(len(parts) + 1), word)
            elif rule.kind == "contains_all":
                parts[1:1] = rule.words
            elif rule.kind in ("pattern", "pattern_fold"):
                parts.insert(rng.randrange(len(parts) + 1), f" {rule.sample} ")
            elif rule.kind == "equal":
                ticket["type"] = rng.choice(rule.types)
            elif rng.random() < 0.5:
                ticket["type"] = rule.types[0]
            else:
                parts.insert(rng.randrange(len(parts) + 1), rng.choice(rule.words))
        if rng.random() < 0.05:
            parts.append(rng.choice(("紧急", "URGENT", "Urgent")))
        if rng.random() < 0.97:  # now and then a ticket without text
            ticket["text"] = "，".join(parts)
        return ticket


# --------------------------------------------------------------------------- the policy

URGENT = ["紧急", "urgent"]


def category_when(rule: Rule) -> dict[str, Any]:
    if rule.kind in ("keywords", "keywords_fold"):
        test: dict[str, Any] = {"contains_any": list(rule.words)}
        if rule.kind == "keywords_fold":
            test["case"] = "insensitive"
        return {"text": test}
    if rule.kind == "contains":
        return {"text": {"contains": rule.words[0]}}
    if rule.kind == "contains_all":
        return {"text": {"contains_all": list(rule.words)}}
    if rule.kind == "pattern":
        return {"text": {"matches": rule.pattern}}
    if rule.kind == "pattern_fold":
        return {"text": {"matches": rule.pattern, "case": "insensitive"}}
    if rule.kind == "equal":
        return {"type": rule.types[0] if len(rule.types) == 1 else list(rule.types)}
    return {"any": [{"type": rule.types[0]}, {"text": {"contains_any": list(rule.words)}}]}


def policy_data(rules: Sequence[Rule]) -> dict[str, Any]:
    categories: list[dict[str, Any]] = [{"id": r.id, "when": category_when(r)} for r in rules]
    categories.append({"id": "other"})
    first = [r.id for r in rules[:3]]
    return {
        "slapolicy": 1,
        "name": f"bench-{len(rules)}-rules",
        "timezone": "Asia/Shanghai",
        "calendars": {"office": {"hours": "always"}},
        "categories": categories,
        "priorities": [
            {
                "id": "P1",
                "when": {
                    "any": [
                        {"impact": "core"},
                        {"text": {"contains_any": URGENT, "case": "insensitive"}},
                    ]
                },
            },
            {"id": "P2", "when": {"impact": "major"}},
            {"id": "P3", "when": {"category": first}},
            {"id": "P4"},
        ],
        "slas": [
            {
                "id": "standard",
                "targets": {p: {"response": "1h"} for p in ("P1", "P2", "P3", "P4")},
            }
        ],
        "routing": [{"owner": "desk"}],
    }


# --------------------------------------------------------------------------- the if-chain


def if_chain(rules: Sequence[Rule]) -> Callable[[Mapping[str, Any]], tuple[str, str]]:
    """The same category and priority as plain Python, the way one writes it by hand.

    Literals are the benchmark's own generated words (``repr`` of plain text); patterns are
    compiled once, as module constants, with the standard library's ``re``.
    """
    patterns: dict[str, Any] = {}

    def regex(rule: Rule, flags: int = 0) -> str:
        name = f"R{len(patterns)}"
        patterns[name] = re.compile(rule.pattern, flags)
        return f"{name}.search(text)"

    def any_in(words: Sequence[str], text: str) -> str:
        return " or ".join(f"{w!r} in {text}" for w in words)

    lines = [
        "def classify(ticket):",
        "    text = ticket.get('text')",
        "    if not isinstance(text, str):",
        "        text = ''",
        "    low = text.casefold()",
        "    kind = ticket.get('type')",
        "    category = 'other'",
    ]
    keyword = "if"
    for rule in rules:
        if rule.kind == "keywords":
            test = any_in(rule.words, "text")
        elif rule.kind == "keywords_fold":
            test = any_in([w.casefold() for w in rule.words], "low")
        elif rule.kind == "contains":
            test = f"{rule.words[0]!r} in text"
        elif rule.kind == "contains_all":
            test = " and ".join(f"{w!r} in text" for w in rule.words)
        elif rule.kind == "pattern":
            test = regex(rule)
        elif rule.kind == "pattern_fold":
            test = regex(rule, re.IGNORECASE)
        elif rule.kind == "equal":
            test = (
                f"kind == {rule.types[0]!r}" if len(rule.types) == 1 else f"kind in {rule.types!r}"
            )
        else:
            test = f"kind == {rule.types[0]!r} or {any_in(rule.words, 'text')}"
        lines.append(f"    {keyword} {test}:")
        lines.append(f"        category = {rule.id!r}")
        keyword = "elif"
    first = tuple(r.id for r in rules[:3])
    impact = "ticket.get('impact')"
    lines += [
        f"    if {impact} == 'core' or '紧急' in low or 'urgent' in low:",
        "        return category, 'P1'",
        f"    if {impact} == 'major':",
        "        return category, 'P2'",
        f"    if category in {first!r}:",
        "        return category, 'P3'",
        "    return category, 'P4'",
    ]
    scope: dict[str, Any] = dict(patterns)
    exec(compile("\n".join(lines) + "\n", "<if-chain>", "exec"), scope)
    function: Callable[[Mapping[str, Any]], tuple[str, str]] = scope["classify"]
    return function


# --------------------------------------------------------------------------- timing


def best_of(fn: Callable[[Any], Any], tickets: Sequence[Any], repeat: int) -> float:
    """The best time of ``repeat`` runs of ``fn`` over every ticket, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for ticket in tickets:
            fn(ticket)
        best = min(best, time.perf_counter() - start)
    return best


@dataclass
class Row:
    rules: int
    load_s: float
    classify_us: float
    chain_us: float
    disagreements: int


def bench(count: int, args: argparse.Namespace) -> Row:
    generator = Generator(args.seed + count)
    rules = generator.rules(count)
    data = policy_data(rules)
    start = time.perf_counter()
    policy = load_policy(data)
    load_s = time.perf_counter() - start
    chain = if_chain(rules)
    tickets = [generator.ticket(rules) for _ in range(args.n)]
    expected = [policy.classify(t) for t in tickets]
    got = [chain(t) for t in tickets]
    bad = [(t, e, g) for t, e, g in zip(tickets, expected, got, strict=True) if e != g]
    for ticket, want, answer in bad[:3]:
        print(f"  disagreement: {ticket}\n    classify={want} if-chain={answer}")
    shares = sum(1 for category, _ in expected if category != "other") / len(expected)
    classify_s = chain_s = float("inf")
    for _ in range(args.repeat):  # alternate, so that both see the same machine
        classify_s = min(classify_s, best_of(policy.classify, tickets, 1))
        chain_s = min(chain_s, best_of(chain, tickets, 1))
    print(
        f"  {count:>5} rules: loaded in {load_s:.2f} s, {shares:.0%} of tickets hit a rule, "
        f"{len(bad)} disagreements"
    )
    return Row(count, load_s, classify_s / args.n * 1e6, chain_s / args.n * 1e6, len(bad))


#: the issue's aims: classify within this many times the if-chain, per number of rules
AIMS = {20: 1.2, 2000: 2.0}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=int, nargs="+", default=[20, 200, 2000])
    parser.add_argument("--n", type=int, default=20_000, help="tickets per policy")
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the best counts")
    args = parser.parse_args(argv)
    print(
        f"Python {platform.python_version()}, slapolicy {slapolicy.__version__}; "
        f"{platform.machine()}, {time.strftime('%Y-%m-%d')}"
    )
    print(f"best of {args.repeat} runs over {args.n:,} tickets per policy, seed {args.seed}")
    rows = [bench(count, args) for count in args.rules]
    print()
    print("| rules | load ms | classify us | if-chain us | classify / if-chain | aim |")
    print("|------:|--------:|------------:|------------:|--------------------:|----:|")
    for row in rows:
        ratio = row.classify_us / row.chain_us
        aim = AIMS.get(row.rules)
        shown = "" if aim is None else f"{aim}x {'met' if ratio <= aim else 'MISSED'}"
        cells = f"{row.rules:>5} | {row.load_s * 1000:>7.0f} | {row.classify_us:>11.2f}"
        print(f"| {cells} | {row.chain_us:>11.2f} | {ratio:>19.2f}x | {shown} |")
    bad = sum(row.disagreements for row in rows)
    print(f"\ndisagreements: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
