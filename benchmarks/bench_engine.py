"""Benchmark slapolicy's rule engine: tickets per second for every sample policy.

Run from the repository root::

    python benchmarks/bench_engine.py              # 100,000 tickets per policy
    python benchmarks/bench_engine.py --n 20000    # quicker

For every ``policies/*.yaml`` (found with a glob, so new sample policies are picked up) the
script generates ``--n`` random tickets that fit the policy: it reads the ``fields:`` enums
and walks the raw ``when`` data of every section (equality and membership values,
``contains*`` needles, ordering bounds, the priority matrix keys) to fill ``type``,
``impact``, ``urgency``, ``channel``, ``text`` (Chinese filler mixed with the policy's
keywords), ``created_at`` (a random instant in 2026, ISO-8601 with +08:00) and whatever
else the conditions read. All tickets are generated before anything is timed.

Modes, each timed as one call per ticket over the same tickets, best of ``--repeat`` runs
(``time.perf_counter``, garbage collector left on):

* ``evaluate``     ``policy.evaluate(ticket)``: the full decision with deadlines
* ``classify``     ``policy.classify(ticket)``: category and priority only
* ``hand-written`` (every sample policy: the ``HANDWRITTEN`` functions) the same category
  and priority as plain Python if/else, the way one would write it without a rules engine
* ``zen-engine``   (service-levels.yaml only) the same logic as two chained GoRules ZEN
  decision tables (hit policy "first"), ``ZenEngine.evaluate(key, ticket)``; the row
  ``zen-engine ZenDecision`` times ``ZenDecision.evaluate(ticket)`` on the same graph, which
  the Python binding makes much slower (gorules/zen#441), on ``--zen-decision-n`` tickets

Before timing, the hand-written and zen-engine answers are compared with
``policy.classify`` on every generated ticket (and ``evaluate`` with ``classify`` on a
sample); the number of disagreements is printed and must be 0.

zen-engine comes with the ``bench`` extra: ``pip install -e '.[bench]'``; without it the
zen-engine row is skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib.metadata
import json
import platform
import random
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:
    import slapolicy
except ImportError:  # running from a checkout without installing: use src/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import slapolicy
from slapolicy import SlaPolicyError, TicketError, load_policy

try:
    import zen
except ImportError:  # the `bench` extra is not installed
    zen = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIR = ROOT / "policies"
SERVICE_LEVELS = "service-levels.yaml"

# --------------------------------------------------------------------------- ticket generator

YEAR_START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
YEAR_SECONDS = 365 * 24 * 3600

# Filler for free text: what customers write around the words the policy looks for.
FILLER = (
    "您好",
    "客户反馈",
    "今天上午开始",
    "订单号 20260512-8841",
    "麻烦尽快处理",
    "谢谢",
    "附件是截图",
    "页面一直转圈",
    "手机号 138****5521",
    "昨天已经打过电话",
    "App 版本 3.2.1",
    "门店在上海浦东",
    "发票抬头写错了",
    "客服说会回电",
    "系统提示错误代码 E1042",
    "退款还没到账",
    "第二次联系了",
    "急",
    "周末也联系不上",
    "会员积分不对",
    "快递显示已签收",
    "合同编号 HT-2026-031",
    "领导在催",
    "账号是公司邮箱",
    "上次的问题又出现了",
    "不知道是不是网络原因",
    "please check",
    "see screenshot",
    # "download" contains the policy keyword "down": a substring match, so such a ticket is
    # an outage for service-levels.yaml (and for the hand-written and zen-engine versions)
    "下载(download)页面打不开",
)
# Values a field may hold that no rule names: realistic tickets are not all rule hits.
DISTRACTORS = {
    "type": ("incident", "feedback", "request", "other"),
    "tier": ("normal", "silver", "gold"),
}
OTHER = ("other",)
DECISION_NAMES = frozenset({"category", "priority", "sla", "owner"})
WHEN_SECTIONS = ("categories", "priorities", "slas", "routing", "escalation")
TEXT_OPS = ("contains", "contains_any", "contains_all")


@dataclass
class FieldPlan:
    """What the generator knows about one (dotted) ticket field."""

    path: str
    kind: str | None = None  # declared type in `fields:`
    enum: list[Any] | None = None
    values: list[Any] = field(default_factory=list)  # equality / membership literals
    keywords: list[list[str]] = field(default_factory=list)  # contains* needles, per test
    items: list[Any] = field(default_factory=list)  # contains* elements (list fields)
    bounds: list[Any] = field(default_factory=list)  # gt/ge/lt/le/between literals
    fold: bool = False  # some test on it is `case: insensitive`


def _add_unique(target: list[Any], values: Iterable[Any]) -> None:
    for value in values:
        if value not in target:
            target.append(value)


class Vocabulary:
    """Field plans of one policy, read from its raw YAML data."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.plans: dict[str, FieldPlan] = {}
        for path, decl in (raw.get("fields") or {}).items():
            plan = self.plan(str(path))
            if isinstance(decl, Mapping):
                plan.kind = decl.get("type")
                if isinstance(decl.get("enum"), list):
                    plan.enum = list(decl["enum"])
        for section in WHEN_SECTIONS:
            for rule in raw.get(section) or ():
                if isinstance(rule, Mapping) and "when" in rule:
                    self.walk(rule["when"], ticket_stage=section == "categories")
        matrix = raw.get("priority_matrix")
        if isinstance(matrix, Mapping) and isinstance(matrix.get("values"), Mapping):
            rows, cols = self.plan(matrix["rows"]), self.plan(matrix["columns"])
            _add_unique(rows.values, matrix["values"])
            for row in matrix["values"].values():
                _add_unique(cols.values, row)
        start = (raw.get("clock") or {}).get("start_field", "created_at")
        self.start_field: str = start
        self.plans.pop(start, None)

    def plan(self, path: str) -> FieldPlan:
        return self.plans.setdefault(path, FieldPlan(path))

    def walk(self, cond: Any, *, ticket_stage: bool) -> None:
        if not isinstance(cond, Mapping):
            return
        for key, value in cond.items():
            if key in ("all", "any"):
                for child in value or ():
                    self.walk(child, ticket_stage=ticket_stage)
            elif key == "not":
                self.walk(value, ticket_stage=ticket_stage)
            elif ticket_stage or key not in DECISION_NAMES:  # later stages: the decision
                self.field_test(self.plan(str(key)), value)

    def field_test(self, plan: FieldPlan, value: Any) -> None:
        if isinstance(value, list):
            _add_unique(plan.values, value)
        elif not isinstance(value, Mapping):
            _add_unique(plan.values, [value])
        else:
            plan.fold = plan.fold or value.get("case") == "insensitive"
            for op, arg in value.items():
                if op in ("eq", "ne"):
                    _add_unique(plan.values, [arg])
                elif op in ("in", "not_in") and isinstance(arg, list):
                    _add_unique(plan.values, arg)
                elif op in TEXT_OPS and plan.kind == "list":  # elements, not substrings
                    _add_unique(plan.items, arg if isinstance(arg, list) else [arg])
                elif op in TEXT_OPS:
                    needles = arg if isinstance(arg, list) else [arg]
                    words = [n for n in needles if isinstance(n, str)]
                    if words and words not in plan.keywords:
                        plan.keywords.append(words)
                    _add_unique(plan.items, [n for n in needles if not isinstance(n, str)])
                elif op in ("gt", "ge", "lt", "le"):
                    _add_unique(plan.bounds, [arg])
                elif op == "between" and isinstance(arg, list):
                    _add_unique(plan.bounds, arg)
                elif op == "matches" and isinstance(arg, str):
                    # the literal alternatives of a simple pattern like "投诉|不满意"
                    words = [w for w in arg.split("|") if re.fullmatch(r"\w+", w)]
                    if words and words not in plan.keywords:
                        plan.keywords.append(words)
                # `exists` adds no values


class TicketGenerator:
    """Seeded random tickets that exercise the rules of one policy."""

    def __init__(self, vocab: Vocabulary, seed: int) -> None:
        self.vocab = vocab
        self.rng = random.Random(seed)

    def tickets(self, n: int) -> list[dict[str, Any]]:
        return [self.ticket(i) for i in range(n)]

    def ticket(self, i: int) -> dict[str, Any]:
        rng = self.rng
        ticket: dict[str, Any] = {"id": f"T-{i + 1:06d}"}
        for plan in self.vocab.plans.values():
            if rng.random() < 0.04:  # now and then a field is simply not filled in
                continue
            value = self.value(plan)
            if value is not None:
                _set_path(ticket, plan.path, value)
        created = YEAR_START + dt.timedelta(seconds=rng.randrange(YEAR_SECONDS))
        _set_path(ticket, self.vocab.start_field, created.isoformat())
        return ticket

    def value(self, plan: FieldPlan) -> Any:
        rng = self.rng
        if plan.enum:
            return rng.choice(plan.enum)
        if plan.items or plan.kind == "list":
            return rng.sample(plan.items, rng.randint(0, len(plan.items)))
        if plan.keywords:
            return self.text(plan)
        if plan.bounds:
            return self.near(rng.choice(plan.bounds))
        if plan.values:
            # each named value, or one no rule names, equally likely
            pick = rng.randrange(len(plan.values) + 1)
            if pick < len(plan.values):
                return plan.values[pick]
            sample = plan.values[0]
            if isinstance(sample, bool):
                return not sample
            if isinstance(sample, int | float):
                return sample + 1
            return rng.choice(DISTRACTORS.get(plan.path.rsplit(".", 1)[-1], OTHER))
        return self.of_kind(plan.kind)

    def text(self, plan: FieldPlan) -> str:
        rng = self.rng
        parts = rng.sample(FILLER, rng.randint(1, 3))
        if rng.random() < 0.6:  # pick a rule's keyword list, then one or two of its words
            words = rng.choice(plan.keywords)
            for word in rng.sample(words, min(len(words), rng.choice((1, 1, 2)))):
                if plan.fold and word.isascii() and rng.random() < 0.4:
                    word = rng.choice((word.upper(), word.title()))
                parts.insert(rng.randrange(len(parts) + 1), word)
        return "，".join(parts) + "。"

    def near(self, bound: Any) -> Any:
        rng = self.rng
        if isinstance(bound, bool):
            return bound
        if isinstance(bound, int):
            return max(0, bound + rng.randint(-max(1, abs(bound)), max(1, abs(bound))))
        if isinstance(bound, float):
            return round(bound * rng.uniform(0.5, 1.5), 2)
        if isinstance(bound, dt.datetime | dt.date):
            return self.of_kind("datetime")
        return bound

    def of_kind(self, kind: str | None) -> Any:
        rng = self.rng
        if kind == "integer":
            return rng.randint(0, 100)
        if kind == "number":
            return round(rng.uniform(0, 100), 2)
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "datetime":
            instant = YEAR_START + dt.timedelta(seconds=rng.randrange(YEAR_SECONDS))
            return instant.isoformat()
        if kind == "list":
            return []
        return "other"


def _set_path(ticket: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = ticket
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


# --------------------------------------------------------------------------- service-levels.yaml
# The same category and priority as policies/service-levels.yaml, written by hand.

OUTAGE_WORDS = ("宕机", "无法登录", "全部用户", "服务中断", "outage", "down")  # case-insensitive
BUSINESS_TYPES = frozenset({"billing", "order", "account"})
HOWTO_WORDS = ("怎么", "如何", "在哪里", "咨询")
IDEA_WORDS = ("建议", "希望", "优化")
MATRIX: dict[Any, dict[Any, str]] = {
    "major": {"high": "P2", "medium": "P2", "low": "P3"},
    "minor": {"high": "P2", "medium": "P3", "low": "P3"},
    "none": {"high": "P3", "medium": "P4", "low": "P4"},
}


def handwritten_category(ticket: Mapping[str, Any]) -> str:
    kind = ticket.get("type")
    text = ticket.get("text")
    if not isinstance(text, str):
        text = ""
    if kind == "outage":
        return "outage"
    folded = text.casefold()
    if any(word in folded for word in OUTAGE_WORDS):
        return "outage"
    if kind in BUSINESS_TYPES:
        return "business"
    if kind == "question" or any(word in text for word in HOWTO_WORDS):
        return "howto"
    if kind == "suggestion" or any(word in text for word in IDEA_WORDS):
        return "improvement"
    return "other"


def handwritten_priority(ticket: Mapping[str, Any], category: str) -> str:
    impact = ticket.get("impact")
    if impact == "core" or category == "outage":
        return "P1"
    if category == "improvement":
        return "P4"
    row = MATRIX.get(impact)
    if row is not None:
        cell = row.get(ticket.get("urgency"))
        if cell is not None:
            return cell
    return "P3"


def handwritten_classify(ticket: Mapping[str, Any]) -> tuple[str, str]:
    category = handwritten_category(ticket)
    return category, handwritten_priority(ticket, category)


# --------------------------------------------------------------------------- after-sales.yaml
# The same category and priority as policies/after-sales.yaml, written by hand.

AS_FAULT_TYPES = frozenset({"fault", "bug", "outage"})
AS_FAULT_WORDS = (
    "故障",
    "报错",
    "坏了",
    "停机",
    "死机",
    "闪退",
    "崩溃",
    "无法使用",
    "异响",
    "漏水",
    "不工作",
)
AS_INSTALL_TYPES = frozenset({"installation", "repair"})
AS_INSTALL_WORDS = ("安装", "调试", "维修", "上门")
AS_RETURN_WORDS = ("退货", "换货", "退款")
AS_QUESTION_WORDS = ("怎么", "如何", "咨询", "请问")
AS_URGENT_WORDS = ("停产", "停机", "安全隐患", "冒烟", "起火", "漏电")
AS_SUGGESTION_WORDS = ("建议", "希望增加", "希望改进")


def handwritten_after_sales_category(ticket: Mapping[str, Any]) -> str:
    kind = ticket.get("type")
    text = ticket.get("text")
    if not isinstance(text, str):
        text = ""
    if kind in AS_FAULT_TYPES or any(word in text for word in AS_FAULT_WORDS):
        return "fault"
    if kind in AS_INSTALL_TYPES or any(word in text for word in AS_INSTALL_WORDS):
        return "installation"
    if kind == "return" or any(word in text for word in AS_RETURN_WORDS):
        return "return"
    if kind == "question" or any(word in text for word in AS_QUESTION_WORDS):
        return "consultation"
    return "other"


def handwritten_after_sales_priority(ticket: Mapping[str, Any], category: str) -> str:
    impact = ticket.get("impact")
    text = ticket.get("text")
    if not isinstance(text, str):
        text = ""
    if impact == "core" or any(word in text for word in AS_URGENT_WORDS):
        return "urgent"
    if impact == "major" or category == "fault":
        return "important"
    if ticket.get("type") == "suggestion" or any(word in text for word in AS_SUGGESTION_WORDS):
        return "suggestion"
    return "normal"


def handwritten_after_sales_classify(ticket: Mapping[str, Any]) -> tuple[str, str]:
    category = handwritten_after_sales_category(ticket)
    return category, handwritten_after_sales_priority(ticket, category)


# ---------------------------------------------------------------------- customer-service-rules.yaml
# The same category and priority as policies/customer-service-rules.yaml, written by hand.

CS_TECH_TYPES = frozenset({"bug", "outage", "technical"})
CS_TECH_WORDS = ("报错", "无法登录", "打不开", "闪退", "崩溃", "连不上", "故障", "宕机", "同步失败")
CS_BILLING_WORDS = ("扣费", "发票", "退款", "账单", "充值")
CS_COMPLAINT_WORDS = ("投诉", "不满意", "态度")
CS_CONSULT_WORDS = ("怎么", "如何", "咨询", "请问")
CS_URGENT_WORDS = ("全部用户", "无法使用", "宕机", "紧急")


def handwritten_customer_service_category(ticket: Mapping[str, Any]) -> str:
    kind = ticket.get("type")
    text = ticket.get("text")
    if not isinstance(text, str):
        text = ""
    if kind in CS_TECH_TYPES or any(word in text for word in CS_TECH_WORDS):
        return "tech"
    if kind == "billing" or any(word in text for word in CS_BILLING_WORDS):
        return "billing"
    if kind == "complaint" or any(word in text for word in CS_COMPLAINT_WORDS):
        return "complaint"
    if kind == "question" or any(word in text for word in CS_CONSULT_WORDS):
        return "consult"
    return "other"


def handwritten_customer_service_priority(ticket: Mapping[str, Any], category: str) -> str:
    customer = ticket.get("customer")
    tier = customer.get("tier") if isinstance(customer, Mapping) else None
    text = ticket.get("text")
    if not isinstance(text, str):
        text = ""
    if tier == "vip" or any(word in text for word in CS_URGENT_WORDS):
        return "urgent"
    if category == "consult":
        return "low"
    return "normal"


def handwritten_customer_service_classify(ticket: Mapping[str, Any]) -> tuple[str, str]:
    category = handwritten_customer_service_category(ticket)
    return category, handwritten_customer_service_priority(ticket, category)


# --------------------------------------------------------------------------- feedback-system.yaml
# The same category and priority as policies/feedback-system.yaml, written by hand.

FB_FUNCTION_TYPES = frozenset({"bug", "outage", "feature"})
FB_FUNCTION_WORDS = (  # case-insensitive
    "报错",
    "闪退",
    "崩溃",
    "宕机",
    "打不开",
    "无法登录",
    "白屏",
    "卡顿",
    "功能",
    "bug",
)
FB_SERVICE_TYPES = frozenset({"complaint", "service"})
FB_SERVICE_WORDS = ("客服", "态度", "服务", "回复慢", "没人回复", "投诉")
FB_PROCESS_WORDS = ("流程", "审批", "报销", "手续", "规定", "制度", "时效")
FB_P0_WORDS = ("核心业务中断", "全部用户", "无法交易", "宕机")


def handwritten_feedback_category(ticket: Mapping[str, Any]) -> str:
    kind = ticket.get("type")
    text = ticket.get("text")
    if not isinstance(text, str):
        text = ""
    if kind in FB_FUNCTION_TYPES:
        return "function"
    folded = text.casefold()
    if any(word in folded for word in FB_FUNCTION_WORDS):
        return "function"
    if kind in FB_SERVICE_TYPES or any(word in text for word in FB_SERVICE_WORDS):
        return "service"
    if kind == "process" or any(word in text for word in FB_PROCESS_WORDS):
        return "process"
    return "other"


def handwritten_feedback_priority(ticket: Mapping[str, Any], category: str) -> str:
    impact = ticket.get("impact")
    text = ticket.get("text")
    if not isinstance(text, str):
        text = ""
    if impact == "core" or any(word in text for word in FB_P0_WORDS):
        return "P0"
    if impact == "major" or (impact == "minor" and ticket.get("urgency") == "high"):
        return "P1"
    if impact == "minor":
        return "P2"
    return "P3"


def handwritten_feedback_classify(ticket: Mapping[str, Any]) -> tuple[str, str]:
    category = handwritten_feedback_category(ticket)
    return category, handwritten_feedback_priority(ticket, category)


# --------------------------------------------------------------------------- hotline.yaml
# The same category and priority as policies/hotline.yaml, written by hand.

HL_COMPLAINT_TYPES = frozenset({"complaint", "suggestion"})
HL_COMPLAINT_WORDS = ("投诉", "建议", "不满意", "态度差", "12315")
HL_AFTERSALES_TYPES = frozenset({"aftersales", "repair"})
HL_AFTERSALES_WORDS = ("故障", "宕机", "维修", "坏了", "无法使用", "安装", "退货", "换货", "保修")
HL_PRESALES_WORDS = ("报价", "价格", "多少钱", "购买", "试用", "产品介绍", "合作", "代理")
HL_HIGH_WORDS = ("12315", "媒体", "曝光", "律师", "再次投诉", "安全隐患")
HL_MEDIUM_CATEGORIES = frozenset({"aftersales", "complaint"})


def handwritten_hotline_category(ticket: Mapping[str, Any]) -> str:
    kind = ticket.get("type")
    text = ticket.get("text")
    if not isinstance(text, str):
        text = ""
    if kind in HL_COMPLAINT_TYPES or any(word in text for word in HL_COMPLAINT_WORDS):
        return "complaint"
    if kind in HL_AFTERSALES_TYPES or any(word in text for word in HL_AFTERSALES_WORDS):
        return "aftersales"
    if kind == "presales" or any(word in text for word in HL_PRESALES_WORDS):
        return "presales"
    return "other"


def handwritten_hotline_priority(ticket: Mapping[str, Any], category: str) -> str:
    urgency = ticket.get("urgency")
    text = ticket.get("text")
    if not isinstance(text, str):
        text = ""
    if urgency == "high" or any(word in text for word in HL_HIGH_WORDS):
        return "high"
    if urgency == "medium" or category in HL_MEDIUM_CATEGORIES:
        return "medium"
    return "low"


def handwritten_hotline_classify(ticket: Mapping[str, Any]) -> tuple[str, str]:
    category = handwritten_hotline_category(ticket)
    return category, handwritten_hotline_priority(ticket, category)


# Policy file name -> its hand-written classify (the `hand-written` row of the table).
HANDWRITTEN: dict[str, Callable[[Mapping[str, Any]], tuple[str, str]]] = {
    "after-sales.yaml": handwritten_after_sales_classify,
    "customer-service-rules.yaml": handwritten_customer_service_classify,
    "feedback-system.yaml": handwritten_feedback_classify,
    "hotline.yaml": handwritten_hotline_classify,
    SERVICE_LEVELS: handwritten_classify,
}


# GoRules ZEN: two decision tables, hit policy "first", chained with passThrough so the
# priority table sees the ticket and the category. What a table cannot say directly:
#  * substring keywords need an expression cell, `some([...], contains($, #))`, not a plain
#    unary test; the `$ != null` guard mirrors "a missing field is false";
#  * `case: insensitive` is `lower($)` (ZEN has no casefold; the same for the ASCII
#    keywords here, different for e.g. "ß");
#  * slapolicy's contains_any on a *list* value (element membership) is not encoded: the
#    generated `text` is always text;
#  * slapolicy rejects values outside the declared enums (TicketError); ZEN does not check.
ORIGIN = {"x": 0, "y": 0}  # node positions only matter in the GoRules editor


def _str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _any_word(words: Sequence[str], *, fold: bool = False) -> str:
    subject = "lower($)" if fold else "$"
    listed = ", ".join(_str(w.lower() if fold else w) for w in words)
    return f"$ != null and some([{listed}], contains({subject}, #))"


def _table(
    node_id: str, inputs: Sequence[str], output: str, rows: Sequence[Sequence[str]]
) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "decisionTableNode",
        "name": node_id,
        "position": ORIGIN,
        "content": {
            "hitPolicy": "first",
            "passThrough": True,
            "inputField": None,
            "outputPath": None,
            "executionMode": "single",
            "inputs": [{"id": f"in_{name}", "name": name, "field": name} for name in inputs],
            "outputs": [{"id": "out", "name": output, "field": output}],
            "rules": [
                {
                    "_id": f"{node_id}_{k}",
                    **{f"in_{name}": cell for name, cell in zip(inputs, row[:-1], strict=True)},
                    "out": row[-1],
                }
                for k, row in enumerate(rows)
            ],
        },
    }


def zen_service_levels() -> dict[str, Any]:
    """The JDM graph (GoRules decision model) for service-levels.yaml."""
    q = _str
    category = _table(
        "category",
        ["type", "text"],
        "category",
        [
            [q("outage"), "", q("outage")],
            ["", _any_word(OUTAGE_WORDS, fold=True), q("outage")],
            [", ".join(q(t) for t in sorted(BUSINESS_TYPES)), "", q("business")],
            [q("question"), "", q("howto")],
            ["", _any_word(HOWTO_WORDS), q("howto")],
            [q("suggestion"), "", q("improvement")],
            ["", _any_word(IDEA_WORDS), q("improvement")],
            ["", "", q("other")],
        ],
    )
    matrix_rows = [
        [q(impact), "", q(urgency), q(priority)]
        for impact, row in MATRIX.items()
        for urgency, priority in row.items()
    ]
    priority = _table(
        "priority",
        ["impact", "category", "urgency"],
        "priority",
        [
            [q("core"), "", "", q("P1")],
            ["", q("outage"), "", q("P1")],
            ["", q("improvement"), "", q("P4")],
            *matrix_rows,
            ["", "", "", q("P3")],
        ],
    )
    return {
        "nodes": [
            {"id": "request", "type": "inputNode", "name": "request", "position": ORIGIN},
            category,
            priority,
            {"id": "response", "type": "outputNode", "name": "response", "position": ORIGIN},
        ],
        "edges": [
            {"id": "e1", "sourceId": "request", "targetId": "category", "type": "edge"},
            {"id": "e2", "sourceId": "category", "targetId": "priority", "type": "edge"},
            {"id": "e3", "sourceId": "priority", "targetId": "response", "type": "edge"},
        ],
    }


def zen_answer(response: Mapping[str, Any]) -> tuple[Any, Any]:
    result = response["result"]
    return result.get("category"), result.get("priority")


# --------------------------------------------------------------------------- timing


@dataclass
class Row:
    policy: str
    mode: str
    seconds: float  # best run over all tickets
    count: int

    @property
    def per_ticket_us(self) -> float:
        return self.seconds / self.count * 1e6


def best_of(fn: Callable[[Any], Any], tickets: Sequence[Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for ticket in tickets:
            fn(ticket)
        best = min(best, time.perf_counter() - start)
    return best


def disagreements(
    name: str,
    tickets: Sequence[Mapping[str, Any]],
    expected: Sequence[tuple[Any, Any]],
    answers: Iterable[tuple[Any, Any]],
) -> int:
    bad = [
        (t, want, got)
        for t, want, got in zip(tickets, expected, answers, strict=True)
        if got != want
    ]
    print(f"  {name} vs classify: {len(bad)} disagreements in {len(tickets):,} tickets")
    for ticket, want, got in bad[:3]:
        shown = json.dumps(ticket, ensure_ascii=False)
        print(f"    {shown}\n      classify={want} {name}={got}")
    return len(bad)


def drop_failing(policy: Any, tickets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tickets the policy can evaluate; report the others (they would abort a timed run)."""
    kept: list[dict[str, Any]] = []
    errors: Counter[str] = Counter()
    for ticket in tickets:
        try:
            policy.evaluate(ticket)
        except TicketError as exc:
            errors[str(exc)] += 1
        else:
            kept.append(ticket)
    if errors:
        print(f"  dropped {len(tickets) - len(kept):,} tickets the policy rejects, e.g.:")
        for message in list(errors)[:3]:
            print(f"    TicketError: {message}")
    return kept


def bench_policy(path: Path, args: argparse.Namespace) -> tuple[list[Row], int]:
    """Rows of the table for one policy file and the number of disagreements."""
    name = path.name
    try:
        policy = load_policy(path)
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (SlaPolicyError, OSError, yaml.YAMLError) as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        print(f"\n{name}: skipped, does not load: {' '.join(lines[:2]) or type(exc).__name__}")
        return [], 0
    vocab = Vocabulary(raw)
    tickets = TicketGenerator(vocab, args.seed).tickets(args.n)
    print(f"\n{name}: {policy.name} ({len(tickets):,} tickets)")
    print("  fields: " + ", ".join(sorted(vocab.plans)) + f", {vocab.start_field}")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            expected = [policy.classify(t) for t in tickets]
        except TicketError:
            tickets = drop_failing(policy, tickets)
            expected = [policy.classify(t) for t in tickets]
        sample = tickets[: args.check]
        try:
            decisions = [policy.evaluate(t) for t in sample]
        except TicketError:
            tickets = drop_failing(policy, tickets)
            expected = [policy.classify(t) for t in tickets]
            sample = tickets[: args.check]
            decisions = [policy.evaluate(t) for t in sample]
    for message in sorted({str(w.message) for w in caught}):
        print(f"  warning: {message}")
    shares = Counter(c for c, _ in expected), Counter(p for _, p in expected)
    for label, counter in zip(("categories", "priorities"), shares, strict=True):
        shown = ", ".join(
            f"{key} {count / len(expected):.0%}" for key, count in sorted(counter.items())
        )
        print(f"  {label}: {shown}")

    bad = disagreements(
        "evaluate", sample, expected[: len(sample)], ((d.category, d.priority) for d in decisions)
    )
    modes: list[tuple[str, Callable[[Any], Any]]] = [
        ("evaluate", policy.evaluate),
        ("classify", policy.classify),
    ]
    handwritten = HANDWRITTEN.get(name)
    if handwritten is not None:
        bad += disagreements("hand-written", tickets, expected, (handwritten(t) for t in tickets))
        modes.append(("hand-written", handwritten))
    if name == SERVICE_LEVELS:
        if zen is None:
            print("  zen-engine: not installed (pip install zen-engine), rows skipped")
        else:
            graph = zen_service_levels()
            # ZenEngine.evaluate(key, context) with the graph in a static loader: the fast
            # path. ZenDecision.evaluate on a created decision is ~30x slower in the Python
            # binding (gorules/zen#441), so it is timed on fewer tickets.
            engine = zen.ZenEngine({"loader": {"type": "static", "content": {"sl": graph}}})
            zen_evaluate = functools.partial(engine.evaluate, "sl")
            decision = zen.ZenEngine().create_decision(json.dumps(graph))
            few = tickets[: args.zen_decision_n]
            bad += disagreements(
                "zen-engine", tickets, expected, (zen_answer(zen_evaluate(t)) for t in tickets)
            )
            bad += disagreements(
                "zen-engine ZenDecision",
                few,
                expected[: len(few)],
                (zen_answer(decision.evaluate(t)) for t in few),
            )
            modes.append(("zen-engine", zen_evaluate))
            modes.append(("zen-engine ZenDecision", decision.evaluate))

    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # already shown above
        for mode, fn in modes:
            timed = few if mode == "zen-engine ZenDecision" else tickets
            try:
                seconds = best_of(fn, timed, args.repeat)
            except TicketError:  # a ticket outside the checked sample: drop and time again
                tickets = timed = drop_failing(policy, tickets)
                seconds = best_of(fn, timed, args.repeat)
            rows.append(Row(name, mode, seconds, len(timed)))
            print(f"  {mode:<22} {rows[-1].per_ticket_us:9.2f} us/ticket over {len(timed):,}")
    return rows, bad


def print_table(rows: Sequence[Row]) -> None:
    classify = {r.policy: r.per_ticket_us for r in rows if r.mode == "classify"}
    header = ("policy", "mode", "tickets/s", "us/ticket", "vs classify")
    lines = [
        (
            r.policy,
            r.mode,
            f"{r.count / r.seconds:,.0f}",
            f"{r.per_ticket_us:.2f}",
            f"{r.per_ticket_us / classify[r.policy]:.2f}x",
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def fmt(cells: Sequence[str]) -> str:
        left = [c.ljust(w) for c, w in zip(cells[:2], widths[:2], strict=True)]
        right = [c.rjust(w) for c, w in zip(cells[2:], widths[2:], strict=True)]
        return "| " + " | ".join(left + right) + " |"

    print()
    print(fmt(header))
    rules = [":" + "-" * (w + 1) if i < 2 else "-" * (w + 1) + ":" for i, w in enumerate(widths)]
    print("|" + "|".join(rules) + "|")
    for line in lines:
        print(fmt(line))
    print("\nvs classify: time per ticket divided by slapolicy classify's (lower is faster)")


def versions() -> str:
    parts = [f"Python {platform.python_version()}", f"slapolicy {slapolicy.__version__}"]
    if zen is not None:
        parts.append(f"zen-engine {importlib.metadata.version('zen-engine')}")
    return ", ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="tickets per policy")
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument(
        "--check", type=int, default=5_000, help="tickets whose evaluate() is checked"
    )
    parser.add_argument(
        "--zen-decision-n",
        type=int,
        default=10_000,
        help="tickets for the (slow) ZenDecision.evaluate row",
    )
    parser.add_argument("--policies", nargs="*", type=Path, help="default: policies/*.yaml")
    parser.add_argument("--dump-zen", type=Path, help="write the ZEN decision graph (JSON)")
    args = parser.parse_args(argv)
    if args.dump_zen:
        args.dump_zen.write_text(
            json.dumps(zen_service_levels(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
    paths = args.policies or sorted([*POLICY_DIR.glob("*.yaml"), *POLICY_DIR.glob("*.yml")])
    print(f"{versions()}; {platform.machine()}, {time.strftime('%Y-%m-%d')}")
    print(f"best of {args.repeat} runs over {args.n:,} tickets per policy, seed {args.seed}")
    rows: list[Row] = []
    bad = 0
    for path in paths:
        policy_rows, policy_bad = bench_policy(path, args)
        rows += policy_rows
        bad += policy_bad
    if rows:
        print_table(rows)
    print(f"disagreements: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
