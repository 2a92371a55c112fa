"""The durable-rules backend gives exactly the native engine's decisions.

* Differential property tests: for every sample policy (``policies/*.yaml``) and for random
  policies whose conditions use every operator (``any_item`` / ``all_items`` over lists of
  objects, keys with an escaped dot included), combinator and literal kind, hypothesis
  draws tickets (policy values and keywords, near misses, wrong types, missing and null
  fields, booleans against integers, huge and odd numbers, Unicode) and the durable
  backend's ``Decision`` (trace aside), ``classify`` answer and ``TicketError`` must equal
  the native engine's.
* The traps of durable-rules 2.0.28: fields named ``id`` / ``sid`` and tests for missing
  attributes (which loop forever on its state document), events no rule matches, actions
  that run late or never, its DeprecationWarning on Python 3.12, rulesets of several
  policies in one process, threads, limits (rule size, tests per ruleset, event size).
* The optional extra: without durable-rules, ``backend="durable"`` says how to install it.
"""

from __future__ import annotations

import gc
import itertools
import json
import math
import pickle
import sys
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "durable.engine",
    reason="the durable backend needs durable-rules: pip install -e '.[durable]' "
    "(Python 3.10-3.12)",
)

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slapolicy import HolidayDataWarning, Policy, PolicyError, TicketError, load_policy
from slapolicy._backends import durable as backend
from slapolicy._backends.durable import availability
from slapolicy._backends.durable import engine as ruleset_engine
from slapolicy._fields import path_keys
from slapolicy._source.yaml_reader import read_yaml_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_POLICIES = sorted((ROOT / "policies").glob("*.yaml"))
AT = ("2026-03-02T10:00:00+08:00", "2026-05-08T17:50:00+08:00", "2026-09-30T16:00:00+08:00")
SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --------------------------------------------------------------------------- helpers


def outcome(call: Callable[[], Any]) -> Any:
    """The answer of a call, or the TicketError it raised (as comparable data)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HolidayDataWarning)
            return call()
    except TicketError as exc:
        return ("TicketError", str(exc))


def assert_same(native: Policy, durable: Policy, ticket: Any, at: str) -> None:
    expected = outcome(lambda: native.evaluate(ticket, at=at))
    got = outcome(lambda: durable.evaluate(ticket, at=at))
    assert got == expected, f"ticket {ticket!r}"
    assert outcome(lambda: durable.classify(ticket)) == outcome(lambda: native.classify(ticket))


def set_path(ticket: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path_keys(path)
    node = ticket
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value


def run_bounded(fn: Callable[[], Any], seconds: float = 60) -> Any:
    """Run ``fn`` in a thread; fail (instead of hanging the suite) if it does not return."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised below, in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "durable-rules did not return (a rule firing forever?)"
    if "error" in box:
        raise box["error"]
    return box.get("value")


_loaded: dict[tuple[str, str], Policy] = {}


def loaded(path: Path, which: str) -> Policy:
    """Each sample policy compiled once per backend for the whole module."""
    key = (str(path), which)
    if key not in _loaded:
        _loaded[key] = load_policy(path, backend=which)
    return _loaded[key]


# --------------------------------------------------------------------------- junk values

JUNK: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    1,
    1.0,
    -0.0,
    3,
    "3",
    "1",
    "true",
    "",
    float("nan"),
    float("inf"),
    float("-inf"),
    2**53,
    2**53 + 1,
    2**70,
    -(2**70),
    1e-05,
    1e300,
    "ß",
    "SS",
    "Ǆ",
    "e\u0301",
    "\ud800",
    "a\x00b",
    'a"b\\c\n',
    "😀",
    "x" * 3000,
    [],
    ["core", 1],
    {"x": 1},
)
junk = st.one_of(
    st.sampled_from(JUNK),
    st.text(max_size=6),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(),
)
FILLER = ("您好", "客户反馈", "please help", "急", "Thanks", " ", "，")


# --------------------------------------------------------------------------- sample policies


def vocabulary(raw: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Field -> literals, keywords and declared kind, read from a policy's raw data."""
    vocab: dict[str, dict[str, Any]] = {}

    def plan(path: str) -> dict[str, Any]:
        return vocab.setdefault(path, {"values": [], "words": [], "kind": None})

    def walk(cond: Any) -> None:
        if not isinstance(cond, Mapping):
            return
        for key, value in cond.items():
            if key in ("all", "any"):
                for child in value:
                    walk(child)
            elif key == "not":
                walk(value)
            elif isinstance(value, Mapping):
                for op, arg in value.items():
                    items = arg if isinstance(arg, list) else [arg]
                    if op.startswith("contains") or op == "matches":
                        plan(key)["words"] += [i for i in items if isinstance(i, str)]
                    elif op != "case":
                        plan(key)["values"] += items
            else:
                plan(key)["values"] += value if isinstance(value, list) else [value]

    for name, decl in (raw.get("fields") or {}).items():
        plan(name)["kind"] = decl.get("type", "enum")
        plan(name)["values"] += list(decl.get("enum") or [])
    for section in ("categories", "priorities", "slas", "routing", "escalation"):
        for rule in raw.get(section) or ():
            walk(rule.get("when"))
    matrix = raw.get("priority_matrix")
    if matrix:
        plan(matrix["rows"])["values"] += list(matrix["values"])
        for row in matrix["values"].values():
            plan(matrix["columns"])["values"] += list(row)
    return vocab


@st.composite
def sample_tickets(draw: st.DrawFn, vocab: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Tickets that match the policy's rules often; one in ten may break declared fields."""
    wild = draw(st.integers(0, 9)) == 0
    ticket: dict[str, Any] = {}
    for path, plan in vocab.items():
        if draw(st.integers(0, 7)) == 0:
            continue  # missing
        good: list[st.SearchStrategy[Any]] = []
        if plan["kind"] == "list":
            items = st.sampled_from([*plan["words"], *plan["values"], "other"])
            good.append(st.lists(items, max_size=3))
        else:
            if plan["values"]:
                good += [st.sampled_from(plan["values"])] * 2
            if plan["words"]:
                text = st.lists(st.sampled_from(plan["words"] + list(FILLER)), max_size=4)
                good += [text.map("".join), text.map(lambda xs: "".join(xs).upper())]
        if plan["kind"] is not None and not wild:  # a declared field: keep the ticket valid
            if not good:
                continue
            value = draw(st.one_of(*good))
        elif good and draw(st.integers(0, 4)):
            value = draw(st.one_of(*good))
        else:
            value = draw(junk)
        set_path(ticket, path, value)
    if draw(st.booleans()):
        ticket["id"] = draw(junk)
    return ticket


@pytest.mark.parametrize("path", SAMPLE_POLICIES, ids=lambda p: p.name)
def test_sample_policy_decisions_are_native(path: Path) -> None:
    native, durable = loaded(path, "native"), loaded(path, "durable")
    assert durable.backend == "durable"
    assert durable.version == native.version
    raw = read_yaml_file(path).data

    @SETTINGS
    @given(st.lists(sample_tickets(vocabulary(raw)), min_size=1, max_size=5), st.sampled_from(AT))
    def check(tickets: list[dict[str, Any]], at: str) -> None:
        for ticket in tickets:
            assert_same(native, durable, ticket, at)

    check()


@pytest.mark.parametrize("path", SAMPLE_POLICIES, ids=lambda p: p.name)
def test_sample_tickets_and_examples_agree(path: Path) -> None:
    """The shipped tickets and every policy example: same decision, and the same trace."""
    native, durable = loaded(path, "native"), loaded(path, "durable")
    tickets = [example.ticket for example in native.examples]
    for ticket_file in sorted((ROOT / "policies" / "tickets").glob("*.json")):
        tickets.append(json.loads(ticket_file.read_text(encoding="utf-8")))
    for ticket in tickets:
        for at in AT:
            expected = outcome(lambda t=ticket, a=at: native.evaluate(t, at=a))
            got = outcome(lambda t=ticket, a=at: durable.evaluate(t, at=a))
            assert got == expected
            if not isinstance(expected, tuple):
                assert got.trace == expected.trace


def test_status_uses_the_backend_and_agrees() -> None:
    path = ROOT / "policies" / "service-levels.yaml"
    native, durable = loaded(path, "native"), loaded(path, "durable")
    ticket = {"type": "question", "impact": "minor", "urgency": "low"}
    events = [
        {"type": "status", "status": "waiting_customer", "at": "2026-03-02T11:00:00+08:00"},
        {"type": "updated", "fields": {"type": "outage"}, "at": "2026-03-02T14:00:00+08:00"},
    ]
    now = "2026-03-03T10:00:00+08:00"
    expected = native.status({**ticket, "created_at": AT[0]}, events, now=now)
    got = durable.status({**ticket, "created_at": AT[0]}, events, now=now)
    assert got.decision == expected.decision
    assert got.decision.priority == "P1"
    assert got == expected


# --------------------------------------------------------------------------- random policies

TEXTS = ("a", "b", "ab", "A", "ß", "SS", "ss", "宕机", "é", "e\u0301", "", "1", "true", "Z")
NUMBERS = (0, 1, -1, 3, 1.5, -2.5, 0.1, 1e-05, 2**53, -(2**53), 10**20, 2.5e15, 3.0)
FIELDS = (
    "type",
    "text",
    "n",
    "flag",
    "id",
    "sid",
    "customer.tier",
    "客户.级别",
    "tags",
    "sys\\.id",  # the flat key "sys.id"
    "custom_fields",
)
#: keys of list elements (`priority` there is the element's own, never the decision)
ELEMENT_FIELDS = ("id", "value", "priority", "sys\\.id", "custom_fields")
ITEM_OPS = ("any_item", "all_items")
PATTERNS = ("a", "^a", "宕机|outage", "(?i)ss", r"\d+", "b$", "é")
TEXT_OPS = ("eq", "ne", "in", "not_in", "contains", "contains_any", "contains_all", "matches")

text_literal = st.sampled_from(TEXTS)
number_literal = st.sampled_from(NUMBERS)
scalar = st.one_of(text_literal, number_literal, st.booleans())
needle = st.sampled_from([t for t in TEXTS if t])


@st.composite
def operators(draw: st.DrawFn, items: bool = True) -> dict[str, Any]:
    def one(op: str) -> Any:
        if op in ("eq", "ne"):
            return draw(scalar)
        if op in ("in", "not_in"):
            return draw(st.lists(scalar, min_size=1, max_size=5))
        if op in ("gt", "ge", "lt", "le"):
            return draw(st.one_of(text_literal, number_literal))
        if op == "between":
            kind = draw(st.sampled_from((text_literal, number_literal)))
            return sorted(draw(st.tuples(kind, kind)))
        if op == "contains":
            return draw(st.one_of(needle, number_literal))
        if op in ("contains_any", "contains_all"):
            return draw(st.lists(st.one_of(needle, needle, number_literal), min_size=1, max_size=4))
        if op == "matches":
            return draw(st.sampled_from(PATTERNS))
        if op in ITEM_OPS:
            return draw(element_conditions)
        raise AssertionError(op)

    ops = ("eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "between")
    ops += ("contains", "contains_any", "contains_all", "matches")
    if items:
        ops += ITEM_OPS
    if draw(st.integers(0, 9)) == 0:
        return {"exists": draw(st.booleans())}
    chosen = draw(st.lists(st.sampled_from(ops), min_size=1, max_size=2, unique=True))
    spec: dict[str, Any] = {op: one(op) for op in chosen}
    if draw(st.booleans()) and draw(st.booleans()):
        spec["exists"] = True
    if any(op in TEXT_OPS for op in chosen) and draw(st.booleans()):
        spec["case"] = "insensitive"
    return spec


#: the few values elements hold and element conditions test, so that they often match
ELEMENT_SCALARS = ("a", "A", "b", "ab", 0, 1, 1.0, True, False, "1")
element_scalar = st.sampled_from(ELEMENT_SCALARS)


@st.composite
def element_operators(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(st.sampled_from(("eq", "ne", "in", "not_in", "ge", "contains", "matches", "exists")))
    if op in ("in", "not_in"):
        spec: dict[str, Any] = {op: draw(st.lists(element_scalar, min_size=1, max_size=3))}
    elif op == "ge":
        spec = {op: draw(st.sampled_from(("a", 1)))}
    elif op == "contains":
        spec = {op: draw(st.sampled_from(("a", "b", 1)))}
    elif op == "matches":
        spec = {op: draw(st.sampled_from(("^a", "b$")))}
    elif op == "exists":
        spec = {op: draw(st.booleans())}
    else:
        spec = {op: draw(element_scalar)}
    if op in TEXT_OPS and draw(st.booleans()):
        spec["case"] = "insensitive"
    return spec


element_tests = st.dictionaries(
    st.sampled_from(ELEMENT_FIELDS),
    st.one_of(
        element_scalar, st.lists(element_scalar, min_size=1, max_size=3), element_operators()
    ),
    min_size=1,
    max_size=2,
)
#: conditions on one element of a list: every operator but the quantifiers, all / any /
#: not, and one more level of any_item / all_items
element_conditions = st.recursive(
    element_tests,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=2).map(lambda xs: {"any": xs}),
        inner.map(lambda x: {"not": x}),
        st.tuples(st.sampled_from(ITEM_OPS), inner).map(lambda p: {"custom_fields": {p[0]: p[1]}}),
    ),
    max_leaves=4,
)
field_tests = st.dictionaries(
    st.sampled_from(FIELDS),
    st.one_of(scalar, st.lists(scalar, min_size=1, max_size=4), operators(), operators()),
    min_size=1,
    max_size=2,
)
conditions = st.recursive(
    field_tests,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"all": xs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"any": xs}),
        inner.map(lambda x: {"not": x}),
        st.tuples(field_tests, inner).map(lambda p: {**p[0], **p[1]}),
    ),
    max_leaves=10,
)


@st.composite
def random_policies(draw: st.DrawFn) -> dict[str, Any]:
    categories = [{"id": f"c{i}", "when": draw(conditions)} for i in range(draw(st.integers(1, 4)))]
    priorities = [{"id": f"p{i}", "when": draw(conditions)} for i in range(draw(st.integers(0, 2)))]
    priorities.append({"id": "pd"})
    ids = [p["id"] for p in priorities]
    later = st.one_of(
        conditions,
        st.fixed_dictionaries({"category": st.sampled_from([c["id"] for c in categories])}),
        st.fixed_dictionaries({"priority": st.sampled_from(ids)}),
    )
    targets = {p: {"response": "1h", "resolve": "4h"} for p in ids}
    slas = [{"id": "s0", "when": draw(later), "targets": targets}, {"id": "sd", "targets": targets}]
    routing = [{"when": draw(later), "owner": f"o{i}"} for i in range(draw(st.integers(0, 3)))] + [
        {"owner": "od"}
    ]
    return {
        "slapolicy": 1,
        "name": "random",
        "timezone": "UTC",
        "calendars": {"always": {"hours": "always"}},
        "categories": [*categories, {"id": "other"}],
        "priorities": priorities,
        "slas": slas,
        "routing": routing,
    }


ticket_values = st.one_of(
    st.sampled_from(TEXTS + NUMBERS),
    st.sampled_from(TEXTS + NUMBERS),
    junk,
    st.lists(st.sampled_from(TEXTS + NUMBERS), max_size=3).map(lambda xs: "".join(map(str, xs))),
    st.lists(st.sampled_from(TEXTS), max_size=3).map(lambda xs: "x".join(xs).upper()),
    st.lists(st.one_of(st.sampled_from(TEXTS + NUMBERS), st.booleans()), max_size=3),
)


#: lists of objects (and of junk) for any_item / all_items, their elements nested once more
element_values = st.recursive(
    st.one_of(element_scalar, element_scalar, ticket_values),
    lambda inner: st.lists(
        st.one_of(
            st.dictionaries(
                st.sampled_from(("id", "value", "priority", "sys.id")), inner, min_size=1
            ),
            st.dictionaries(
                st.sampled_from(("id", "value", "priority", "sys.id")), inner, min_size=1
            ),
            st.fixed_dictionaries({"custom_fields": inner}),
            junk,
        ),
        max_size=4,
    ),
    max_leaves=10,
)


@st.composite
def random_tickets(draw: st.DrawFn) -> dict[str, Any]:
    ticket: dict[str, Any] = {}
    for path in draw(st.lists(st.sampled_from(FIELDS), unique=True)):
        set_path(ticket, path, draw(st.one_of(ticket_values, element_values)))
    if draw(st.integers(0, 5)) == 0:
        ticket["customer"] = draw(junk)  # not a mapping: customer.tier is missing
    return ticket


@SETTINGS
@given(random_policies(), st.lists(random_tickets(), min_size=1, max_size=8))
def test_random_policy_decisions_are_native(
    data: dict[str, Any], tickets: list[dict[str, Any]]
) -> None:
    native = load_policy(data)
    durable = load_policy(data, backend="durable")
    for ticket in tickets:
        assert_same(native, durable, ticket, "2026-03-02T10:00:00Z")


TYPED = {
    "slapolicy": 1,
    "name": "typed",
    "timezone": "Asia/Shanghai",
    "calendars": {"always": {"hours": "always"}},
    "fields": {
        "attempts": {"type": "integer"},
        "score": {"type": "number"},
        "vip": {"type": "boolean"},
        "opened": {"type": "datetime"},
        "code": {"type": "string"},
        "labels": {"type": "list"},
        "level": {"enum": [1, 2, 3]},
        "impact": {"enum": ["core", "major", "Minor"]},
    },
    "categories": [
        {"id": "retries", "when": {"attempts": {"gt": "3"}}},
        {"id": "scored", "when": {"score": {"between": [1.5, "9"]}, "not": {"code": 404}}},
        {"id": "vip", "when": {"vip": "true"}},
        {"id": "early", "when": {"opened": {"lt": "2026-06-01T00:00:00+08:00"}}},
        {"id": "naive", "when": {"opened": {"ge": "2026-07-01 09:00"}}},
        {"id": "noon", "when": {"opened": "2026-08-01T12:00:00+08:00"}},
        {"id": "labelled", "when": {"labels": {"contains_any": ["urgent", 7]}}},
        {"id": "level", "when": {"level": [1, "2"]}},
        {"id": "minor", "when": {"impact": {"eq": "MINOR", "case": "insensitive"}}},
        {"id": "other"},
    ],
    "priorities": [
        {"id": "P1", "when": {"any": [{"attempts": {"ge": 10}}, {"score": {"lt": 0}}]}},
        {"id": "P2", "when": {"not": {"vip": {"exists": True}}}},
        {"id": "P3"},
    ],
    "slas": [{"id": "s", "targets": {p: {"response": "1h"} for p in ("P1", "P2", "P3")}}],
    "routing": [{"when": {"category": "vip", "priority": "P1"}, "owner": "a"}, {"owner": "b"}],
}


@SETTINGS
@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "attempts": st.one_of(st.integers(-2, 12), st.sampled_from(["3", "4", "x"]), junk),
                "score": st.one_of(st.floats(-1, 10), st.sampled_from(["2.5", "9"]), junk),
                "vip": st.one_of(st.booleans(), st.sampled_from(["true", "0", 1, 2]), junk),
                "opened": st.one_of(
                    st.sampled_from(
                        [
                            "2026-05-31T23:59:59+08:00",
                            "2026-06-01T00:00:00+08:00",
                            "2026-07-01 09:00",
                            "2026-07-01T01:00:00Z",
                            "2026-08-01T04:00:00Z",
                            "2026-08-01",
                        ]
                    ),
                    junk,
                ),
                "code": st.one_of(st.sampled_from([404, "404", 500, "x"]), junk),
                "labels": st.one_of(
                    st.lists(st.sampled_from(["urgent", 7, "7", True, "URGENT"]), max_size=3), junk
                ),
                "level": st.one_of(st.sampled_from([1, 2, "2", 3, 2.0]), junk),
                "impact": st.one_of(st.sampled_from(["core", "Minor", "minor"]), junk),
            },
        ),
        min_size=1,
        max_size=6,
    )
)
def test_declared_fields_are_converted_as_natively(tickets: list[dict[str, Any]]) -> None:
    native, durable = typed_policies()
    for ticket in tickets:
        assert_same(native, durable, ticket, "2026-03-02T10:00:00Z")


_typed: list[Policy] = []


def typed_policies() -> tuple[Policy, Policy]:
    if not _typed:
        _typed.extend([load_policy(TYPED), load_policy(TYPED, backend="durable")])
    return _typed[0], _typed[1]


# --------------------------------------------------------------------------- kinds and names


def test_text_and_numbers_are_compared_by_kind() -> None:
    """Where durable-rules itself would coerce or misread values, the answers stay native."""
    data = {
        "slapolicy": 1,
        "name": "kinds",
        "timezone": "UTC",
        "calendars": {"always": {"hours": "always"}},
        "categories": [
            {"id": "three", "when": {"n": 3}},
            {"id": "text-three", "when": {"n": "3"}},
            {"id": "true", "when": {"n": True}},
            {"id": "one", "when": {"n": 1}},
            {"id": "tiny", "when": {"n": {"between": [1e-06, 1e-04]}}},
            {"id": "big", "when": {"n": {"gt": 2**53 - 1}}},
            {"id": "space", "when": {"n": {"lt": "ab "}}},
            {"id": "other"},
        ],
        "priorities": [{"id": "P"}],
        "slas": [{"id": "s", "targets": {"P": {"response": "1h"}}}],
        "routing": [{"owner": "o"}],
    }
    native = load_policy(data)
    durable = load_policy(data, backend="durable")
    cases = [
        (3, "three"),
        (3.0, "three"),
        ("3", "text-three"),
        (True, "true"),
        (1, "one"),
        (1.0, "one"),
        (1e-05, "tiny"),
        (2**70, "big"),
        (2**53 + 1, "big"),
        (float("inf"), "big"),
        (float("nan"), "other"),
        ("ab", "space"),
        ('a"', "space"),
        ("ab!", "other"),
        ("x" * 70000, "other"),
    ]
    for value, category in cases:
        assert native.classify({"n": value})[0] == category, value
        assert durable.classify({"n": value})[0] == category, value


def test_fields_named_like_durable_rules_internals_work() -> None:
    """``id`` and ``sid`` (the engine's own state document) and missing-field tests."""
    data = {
        "slapolicy": 1,
        "name": "reserved",
        "timezone": "UTC",
        "calendars": {"always": {"hours": "always"}},
        "categories": [
            {"id": "by-id", "when": {"id": 42}},
            {"id": "sid-text", "when": {"sid": {"eq": "s-1"}}},
            {"id": "no-id", "when": {"id": {"exists": False}}},
            {"id": "not-sid", "when": {"not": {"sid": {"exists": True}}, "$s": {"ne": 1}}},
            {"id": "other"},
        ],
        "priorities": [
            {"id": "P1", "when": {"not": {"id": 1}}},
            {"id": "P2", "when": {"any": [{"sid": {"exists": False}}, {"m": "x"}]}},
            {"id": "P3"},
        ],
        "slas": [{"id": "s", "targets": {p: {"response": "1h"} for p in ("P1", "P2", "P3")}}],
        "routing": [{"when": {"not": {"$s": {"exists": True}}}, "owner": "a"}, {"owner": "b"}],
    }
    tickets = [
        {"id": 42},
        {"id": "42"},
        {"sid": "s-1", "id": 1},
        {"sid": "s-2", "id": 1},
        {},
        {"$s": 1, "id": 1},
        {"$s": 2, "sid": None},
        {"m": "x", "id": 1, "sid": "s"},
    ]

    def run() -> None:
        native = load_policy(data)
        durable = load_policy(data, backend="durable")
        for ticket in tickets:
            assert_same(native, durable, ticket, AT[0])

    run_bounded(run)


def test_no_event_is_left_unhandled() -> None:
    """An event that no rule of a stage matches still gets an answer (the chunk's default)."""
    durable = loaded(ROOT / "policies" / "service-levels.yaml", "durable")
    assert durable.selection.engine.select(1, {}) == -1  # no priority rule: the matrix or default
    for chunk in (c for stage in durable.selection.engine.stages for c in stage.chunks):
        assert f"c{chunk.tag}none" in durable.durable_definition()
    assert durable.classify({}) == ("other", "P3")


def test_how_the_sample_policy_is_split() -> None:
    """Keywords and regular expressions run natively; the rest in durable-rules."""
    durable = loaded(ROOT / "policies" / "service-levels.yaml", "durable")
    stages = durable.durable_summary()["stages"]
    assert stages["category"] == {
        "rules": 5,
        "chunks": 1,
        "durable_tests": 4,
        "native_tests": 3,
        "native_attributes": 3,
    }
    assert stages["routing"]["native_tests"] == 0
    definition = durable.durable_definition()
    assert all(set(rule) == {"all", "pri"} for rule in definition.values())
    assert "$mt" not in repr(definition)
    assert "$imt" not in repr(definition)


# --------------------------------------------------------------------------- limits


def _limits_policy() -> dict[str, Any]:
    deep: dict[str, Any] = {"n": {"gt": 0}}
    for i in range(12):
        branch = {"text": {"ne": f"t{i}"}, "n": {"not_in": [i, i + 0.5]}}
        deep = {"any": [{"all": [deep, branch]}, {"not": {"type": f"x{i}"}}]}
    wide = {f"f{i}": {"ne": "x", "lt": "zz"} for i in range(120)}
    return {
        "slapolicy": 1,
        "name": "limits",
        "timezone": "UTC",
        "calendars": {"always": {"hours": "always"}},
        "categories": [
            {"id": "deep", "when": deep},
            {"id": "wide", "when": wide},
            {"id": "long-list", "when": {"type": [f"v{i}" for i in range(200)]}},
            {"id": "many-true", "when": {"all": [{"n": {"gt": -i}} for i in range(80)]}},
            {"id": "other"},
        ],
        "priorities": [{"id": "P"}],
        "slas": [{"id": "s", "targets": {"P": {"response": "1h"}}}],
        "routing": [
            *(
                {"when": {"type": {"ne": f"t{i}"}, "n": {"lt": i}}, "owner": "o"}
                for i in range(150)
            ),
            {"owner": "d"},
        ],
    }


@SETTINGS
@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "n": st.one_of(st.integers(-5, 200), st.floats(-5, 200), junk),
                "type": st.one_of(st.sampled_from(["v3", "v199", "t7", "x3", "y"]), junk),
                "text": st.sampled_from(["t1", "t11", "x"]),
                **{f"f{i}": st.sampled_from(["x", "y", "zzz"]) for i in range(0, 120, 7)},
            },
        ),
        min_size=1,
        max_size=10,
    )
)
def test_large_conditions_and_stages_stay_native(tickets: list[dict[str, Any]]) -> None:
    """Rules past durable-rules' limits are split, chunked or computed natively, not wrong."""
    native, durable = limits_policies()
    for ticket in tickets:
        ticket.update({f"f{i}": "y" for i in range(120) if f"f{i}" not in ticket})
        assert_same(native, durable, ticket, AT[0])


_limits: list[Policy] = []


def limits_policies() -> tuple[Policy, Policy]:
    if not _limits:
        _limits.extend([load_policy(_limits_policy()), load_policy(_limits_policy(), "durable")])
    return _limits[0], _limits[1]


def test_limits_are_handled_as_documented() -> None:
    native, durable = limits_policies()
    stages = durable.durable_summary()["stages"]
    assert stages["routing"]["chunks"] >= 150 * 2 // backend.CHUNK_TESTS
    assert stages["routing"]["native_tests"] == 0
    assert stages["category"]["native_tests"] > 0  # the long list, parts of deep and wide
    assert stages["category"]["durable_tests"] > 0
    for name, rule in durable.durable_definition().items():
        text = repr(rule)
        assert text.count("'$and'") + text.count("'$or'") <= backend.MAX_JUNCTIONS, name
    everything = {"n": 5, "type": "v5", "text": "t0", **{f"f{i}": "y" for i in range(120)}}
    assert durable.classify(everything) == native.classify(everything)


def test_too_many_chunks_is_refused_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ruleset_engine, "MAX_CHUNKS", 3)
    with pytest.raises(PolicyError, match="use the native backend"):
        load_policy(_limits_policy(), backend="durable")


def test_an_engine_that_refuses_the_ruleset_is_a_policy_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = availability.durable_engine()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise engine.durable_rules_engine.error("Could not create ruleset, error code: 113")

    monkeypatch.setattr(engine, "Ruleset", refuse)
    with pytest.raises(PolicyError, match=r"durable-rules cannot hold this policy.*113"):
        load_policy(ROOT / "policies" / "hotline.yaml", backend="durable")


# --------------------------------------------------------------------------- actions


def test_a_late_action_is_awaited(monkeypatch: pytest.MonkeyPatch) -> None:
    """An action run by another thread after ``post`` returned still decides the stage."""
    path = ROOT / "policies" / "service-levels.yaml"
    native = loaded(path, "native")
    durable = load_policy(path, backend="durable")
    ruleset = durable.selection.engine.ruleset
    dispatch = ruleset.dispatch
    late: list[threading.Timer] = []

    def later(state: Any, complete: Any) -> None:  # leave the action pending...
        def run() -> None:
            with ruleset_engine.ENGINE_LOCK, availability.quiet():
                dispatch()

        timer = threading.Timer(0.02, run)  # ...and run it from another thread, later
        late.append(timer)
        timer.start()

    monkeypatch.setattr(ruleset, "do_actions", later)
    monkeypatch.setattr(ruleset, "dispatch", lambda: None)
    ticket = {"type": "billing", "impact": "major", "urgency": "high"}
    assert durable.evaluate(ticket, at=AT[0]) == native.evaluate(ticket, at=AT[0])
    assert len(late) == 4  # one event per stage, each answered late
    monkeypatch.undo()
    assert durable.classify(ticket) == native.classify(ticket)


def test_a_pending_action_is_run_by_the_waiting_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / "policies" / "hotline.yaml"
    durable = load_policy(path, backend="durable")
    monkeypatch.setattr(
        durable.selection.engine.ruleset, "do_actions", lambda state, complete: None
    )
    ticket = {"type": "complaint", "urgency": "high"}
    assert durable.classify(ticket) == loaded(path, "native").classify(ticket)


def test_an_action_that_never_runs_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / "policies" / "hotline.yaml"
    durable = load_policy(path, backend="durable")
    ruleset = durable.selection.engine.ruleset
    durable.selection.engine.action_timeout = 0.2
    monkeypatch.setattr(ruleset, "do_actions", lambda state, complete: None)
    monkeypatch.setattr(ruleset, "dispatch", lambda: None)
    started = time.monotonic()
    with pytest.raises(TicketError, match=r"did not run the rule action .* within 0\.2 s"):
        durable.classify({"type": "complaint"})
    assert time.monotonic() - started < 5
    monkeypatch.undo()  # the abandoned action is dropped when it finally runs
    ticket = {"type": "presales"}
    assert durable.classify(ticket) == loaded(path, "native").classify(ticket)
    assert not durable.selection.engine._results


def test_engine_failures_are_ticket_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    durable = load_policy(ROOT / "policies" / "hotline.yaml", backend="durable")
    engine = availability.durable_engine()

    def fail(message: Any) -> Any:
        raise engine.durable_rules_engine.error("Could not assert event, error code: 302")

    monkeypatch.setattr(durable.selection.engine.ruleset, "assert_event", fail)
    with pytest.raises(TicketError, match=r"durable-rules could not evaluate the ticket.*302"):
        durable.evaluate({"type": "repair"}, at=AT[0])


def test_no_deprecation_warning_escapes() -> None:
    """durable-rules warns on every action under Python 3.12; none of it reaches callers."""
    durable = load_policy(ROOT / "policies" / "after-sales.yaml", backend="durable")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        durable.classify({"type": "fault", "text": "设备停机"})
    assert [w for w in caught if "durable" in w.filename] == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        durable.classify({"type": "fault"})


@pytest.mark.skipif(sys.version_info < (3, 12), reason="durable-rules warns on Python 3.12+")
def test_only_durable_rules_own_warning_is_silenced() -> None:
    message = "datetime.datetime.utcfromtimestamp() is deprecated and scheduled for removal"
    durable_engine = ("engine.py", 17, "durable.engine")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with availability.quiet():
            warnings.warn_explicit(message, DeprecationWarning, *durable_engine)
            with pytest.raises(DeprecationWarning):
                warnings.warn_explicit(message, DeprecationWarning, "mine.py", 1, "mine")
            with pytest.raises(DeprecationWarning):
                warnings.warn_explicit("other", DeprecationWarning, *durable_engine)
        with pytest.raises(DeprecationWarning):  # and only around durable-rules calls
            warnings.warn_explicit(message, DeprecationWarning, *durable_engine)


# --------------------------------------------------------------------------- processes, threads


def test_policies_coexist_in_one_process() -> None:
    paths = SAMPLE_POLICIES[:3]
    durables = [load_policy(p, backend="durable") for p in paths]
    twin = load_policy(paths[0], backend="durable")
    names = {d.selection.engine.name for d in [*durables, twin]}
    assert len(names) == len(paths) + 1
    natives = [loaded(p, "native") for p in paths]
    ticket = {"type": "outage", "impact": "core", "urgency": "high", "text": "宕机 mobile"}
    for _ in range(3):
        for native, durable in zip([*natives, natives[0]], [*durables, twin], strict=True):
            assert durable.evaluate(ticket, at=AT[1]) == native.evaluate(ticket, at=AT[1])


def test_threads_get_native_answers() -> None:
    pairs = [
        (loaded(p, "native"), loaded(p, "durable"))
        for p in (ROOT / "policies" / "service-levels.yaml", ROOT / "policies" / "hotline.yaml")
    ]
    types = ("outage", "billing", "question", "complaint", "repair", "presales", None)
    tickets = [
        {"type": t, "impact": i, "urgency": u, "text": x}
        for t, i, u, x in itertools.product(
            types, ("core", "major", "none"), ("high", "low"), ("宕机", "怎么", "希望", "维修")
        )
    ]

    def work(k: int) -> int:
        native, durable = pairs[k % 2]
        bad = 0
        for ticket in tickets[k % 7 :: 3]:
            bad += durable.evaluate(ticket, at=AT[0]) != native.evaluate(ticket, at=AT[0])
        return bad

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(work, range(16))) == 0


def test_pickled_policy_stays_durable() -> None:
    path = ROOT / "policies" / "feedback-system.yaml"
    durable = loaded(path, "durable")
    copy = pickle.loads(pickle.dumps(durable))
    assert copy.backend == "durable"
    assert copy.backend == "durable"
    assert copy.selection.engine.name != durable.selection.engine.name
    ticket = {"type": "bug", "departments": ["customer-service", "operations"], "impact": "core"}
    assert copy.evaluate(ticket, at=AT[0]) == loaded(path, "native").evaluate(ticket, at=AT[0])


def test_a_collected_policy_frees_its_ruleset() -> None:
    durable = load_policy(ROOT / "policies" / "hotline.yaml", backend="durable")
    finalizer = durable.selection.engine.finalizer
    assert finalizer.alive
    del durable
    gc.collect()
    assert not finalizer.alive


def test_repr_names_the_backend() -> None:
    durable = loaded(ROOT / "policies" / "hotline.yaml", "durable")
    assert "backend=durable" in repr(durable)
    assert loaded(ROOT / "policies" / "hotline.yaml", "native").backend == "native"


# --------------------------------------------------------------------------- the extra


@pytest.fixture
def without_durable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports of durable-rules fail, as when the extra is not installed."""
    for name in ("durable", "durable.engine", "durable.lang", "durable_rules_engine"):
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.usefixtures("without_durable")
def test_missing_extra_says_how_to_install_it() -> None:
    with pytest.raises(ImportError, match=r"pip install 'slapolicy\[durable\]'"):
        load_policy(ROOT / "policies" / "hotline.yaml", backend="durable")
    assert not backend.durable_available()
    native = load_policy(ROOT / "policies" / "hotline.yaml")  # the default needs nothing
    assert native.classify({"type": "repair"})[0] == "aftersales"


def test_python_313_is_named_in_the_message() -> None:
    message = availability.unavailable_message(ImportError("undefined symbol"), (3, 13))
    assert "Python 3.13" in message
    assert "native backend" in message
    assert "undefined symbol" in message


def test_durable_is_available_here() -> None:
    assert backend.durable_available()
    assert sys.version_info < (3, 13)
    assert math.isfinite(backend.ACTION_TIMEOUT)
