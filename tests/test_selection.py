"""Stage selection compiled to Python (_conditions.codegen) against the closures it replaces.

The closures of ``Condition.matches`` are the reference (tests/test_conditions.py checks them
against the trace, and every semantics table there also runs the generated code). Here:
random conditions and tickets, every stage of every sample policy, hostile policy text that
must never reach the generated source, the limits, and the fallback.
"""

from __future__ import annotations

import io
import keyword
import re
import tokenize
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slapolicy
from slapolicy._conditions import MAX_DEPTH, Condition, compile_condition
from slapolicy._conditions import codegen as selection
from slapolicy._conditions.codegen import (
    element_predicate,
    first_match,
    predicate,
    reference_first_match,
)
from slapolicy._conditions.paired import first_match_pair
from slapolicy._engine import TicketReader
from slapolicy._errors import PolicyError
from slapolicy.testing import tickets

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "policies").glob("*.yaml"))

# --------------------------------------------------------------------------- random conditions

FIELDS = ["a", "b", "c.d", "c\\.d", "category", "category.x", "items"]
#: keys of list elements: `category` there is the element's own key, never the decision
ELEMENT_FIELDS = ["a", "b.d", "category", "items"]
TEXTS = ["core", "Core", "宕机", "down", "DOWN", "x", "ß", "SS", ""]
NUMBERS = [0, 1, 2.5, -3, 10**20]
scalar_values = st.one_of(
    st.sampled_from(TEXTS),
    st.sampled_from(NUMBERS),
    st.booleans(),
    st.none(),
    st.lists(st.sampled_from(TEXTS + NUMBERS), max_size=3),
    st.fixed_dictionaries({}, optional={"d": st.sampled_from(TEXTS + NUMBERS), "x": st.just(1)}),
    st.text(max_size=6),
)
#: lists of objects (and of other things) for any_item / all_items, nested twice
values = st.recursive(
    scalar_values,
    lambda inner: st.lists(
        st.one_of(
            st.dictionaries(st.sampled_from(["a", "b", "category", "items"]), inner, max_size=3),
            scalar_values,
        ),
        max_size=4,
    ),
    max_leaves=8,
)
needles = st.sampled_from([t for t in TEXTS if t])
scalar_literals = st.one_of(needles, st.sampled_from(NUMBERS), st.booleans())


def _operators(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """One field's ``{op: arg}`` mapping, valid by construction."""
    op = draw(
        st.sampled_from(
            [
                "eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "between",
                "contains", "contains_any", "contains_all", "matches", "exists",
                "any_item", "all_items",
            ]
        )
    )  # fmt: skip
    if op in ("any_item", "all_items"):
        if depth >= 3:
            return {"exists": True}
        return {op: draw(conditions(depth + 1, ELEMENT_FIELDS))}
    text_only = op in ("matches",)
    spec: dict[str, Any]
    if op in ("eq", "ne"):
        spec = {op: draw(scalar_literals)}
    elif op in ("in", "not_in"):
        spec = {op: draw(st.lists(scalar_literals, min_size=1, max_size=4))}
    elif op in ("gt", "ge", "lt", "le"):
        spec = {op: draw(st.one_of(needles, st.sampled_from(NUMBERS)))}
    elif op == "between":
        pair = draw(
            st.one_of(
                st.lists(st.sampled_from(NUMBERS), min_size=2, max_size=2),
                st.lists(needles, min_size=2, max_size=2),
            )
        )
        spec = {op: sorted(pair)}
    elif op == "contains":
        spec = {op: draw(st.one_of(needles, st.sampled_from(NUMBERS)))}
    elif op in ("contains_any", "contains_all"):
        # 8 or more text needles take the single-RE2-search path of contains_any
        spec = {
            op: draw(
                st.lists(st.one_of(needles, st.sampled_from(NUMBERS)), min_size=1, max_size=10)
            )
        }
    elif op == "matches":
        spec = {op: draw(st.sampled_from(["^co", "宕机|down", "[0-9]+", "x$", "(a+)+$"]))}
    else:
        spec = {op: draw(st.booleans())}
    textual = op in ("eq", "ne", "in", "not_in", "contains", "contains_any", "contains_all")
    if (textual or text_only) and draw(st.booleans()):
        spec["case"] = "insensitive"
    return spec


@st.composite
def conditions(draw: st.DrawFn, depth: int = 0, fields: list[str] | None = None) -> dict[str, Any]:
    """A random valid condition mapping, nested a few levels (``fields``: the names it
    tests; inside any_item / all_items, keys of the elements)."""
    names = FIELDS if fields is None else fields
    kind = draw(st.sampled_from(["field", "field", "field", "all", "any", "not"]))
    if depth >= 3 or kind == "field":
        name = draw(st.sampled_from(names))
        shape = draw(st.sampled_from(["equal", "member", "ops"]))
        if shape == "equal":
            return {name: draw(scalar_literals)}
        if shape == "member":
            return {name: draw(st.lists(scalar_literals, min_size=1, max_size=3))}
        return {name: _operators(draw, depth)}
    if kind == "not":
        return {"not": draw(conditions(depth + 1, fields))}
    return {kind: draw(st.lists(conditions(depth + 1, fields), min_size=1, max_size=3))}


ticket_dicts = st.dictionaries(
    st.sampled_from(["a", "b", "c", "c.d", "category", "items"]), values, max_size=4
)
decided = st.sampled_from(["core", "x", "other"])
RELAXED = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _compiled(spec: dict[str, Any]) -> Condition:
    return compile_condition(spec, path=("when",))


@RELAXED
@given(spec=conditions(), ticket=ticket_dicts)
def test_a_compiled_condition_agrees_with_its_closures(spec: Any, ticket: Any) -> None:
    condition = _compiled(spec)
    compiled = predicate(condition)
    assert compiled.source is not None
    assert compiled.function(ticket) is condition.matches(ticket), compiled.source


@RELAXED
@given(spec=conditions(), ticket=ticket_dicts, category=decided)
def test_a_bound_name_shadows_the_ticket_field(spec: Any, ticket: Any, category: str) -> None:
    """``category`` names the decision so far; ``category.x`` is missing (it is text)."""
    condition = _compiled(spec)
    compiled = predicate(condition, bound=("category",))
    context = {**ticket, "category": category}
    assert compiled.function(ticket, category) is condition.matches(context), compiled.source


@RELAXED
@given(
    specs=st.lists(st.one_of(conditions(), st.none()), min_size=1, max_size=6),
    ticket=ticket_dicts,
    category=decided,
)
def test_first_match_agrees_with_the_reference(
    specs: list[Any], ticket: Any, category: str
) -> None:
    """The first condition that holds wins; a rule without one ends the stage."""
    rules = [Condition.always() if s is None else _compiled(s) for s in specs]
    for bound, args in (((), ()), (("category",), (category,))):
        compiled = first_match(rules, default=-1, bound=bound)
        reference = reference_first_match(rules, default=-1, bound=bound)
        assert compiled.function(ticket, *args) == reference(ticket, *args), compiled.source


@RELAXED
@given(
    specs=st.lists(conditions(), min_size=1, max_size=6),
    ticket=ticket_dicts,
    category=decided,
)
def test_first_match_with_answers_and_otherwise_agrees_with_the_reference(
    specs: list[Any], ticket: Any, category: str
) -> None:
    """``answers[index]`` for the rule that holds; ``otherwise(ticket, *decided)`` if none."""
    rules = [_compiled(s) for s in specs]
    answers = [f"P{index}" for index in range(len(rules))]

    def otherwise(t: Any, *decided: Any) -> str:
        return f"fallback:{len(t)}:{','.join(decided)}"

    for bound, args in (((), ()), (("category",), (category,))):
        compiled = first_match(rules, default=None, bound=bound, answers=answers)
        reference = reference_first_match(rules, default=None, bound=bound, answers=answers)
        assert compiled.function(ticket, *args) == reference(ticket, *args), compiled.source
        compiled = first_match(
            rules, default=None, bound=bound, answers=answers, otherwise=otherwise
        )
        reference = reference_first_match(
            rules, default=None, bound=bound, answers=answers, otherwise=otherwise
        )
        got = compiled.function(ticket, *args)
        assert got == reference(ticket, *args), compiled.source
        index = next(
            (
                i
                for i, r in enumerate(rules)
                if r.matches({**ticket, **dict(zip(bound, args, strict=True))})
            ),
            None,
        )
        assert got == (answers[index] if index is not None else otherwise(ticket, *args))


# --------------------------------------------------------------------------- two stages in one


@RELAXED
@given(
    firsts=st.lists(st.one_of(conditions(), st.none()), min_size=1, max_size=6),
    # (the second stage tests the bound `category` often, the first stage now and then)
    seconds=st.lists(st.one_of(conditions(fields=["category", "a"]), st.none()), max_size=5),
    ticket=ticket_dicts,
    with_otherwise=st.booleans(),
    data=st.data(),
)
def test_a_pair_of_stages_agrees_with_the_two_stages(
    firsts: list[Any], seconds: list[Any], ticket: Any, with_otherwise: bool, data: Any
) -> None:
    """``classify`` as one function: the first stage's answer, then the second stage's with
    that answer bound as ``category``; or None when the stages must stay apart. The first
    stage answers texts the conditions test, so that the bound value matters."""
    first = [Condition.always() if s is None else _compiled(s) for s in firsts]
    second = [Condition.always() if s is None else _compiled(s) for s in seconds]
    answer = st.sampled_from([t for t in TEXTS if t])
    answers = data.draw(st.lists(answer, min_size=len(first), max_size=len(first)))
    later = [f"P{index}" for index in range(len(second))]

    def otherwise(t: Any, category: str) -> str:
        return f"fallback:{len(t)}:{category}"

    fallback = otherwise if with_otherwise else None
    pair = first_match_pair(first, answers, "x", second, later, "P-", otherwise=fallback)
    category = reference_first_match(first, default="x", answers=answers)(ticket)
    priority = reference_first_match(
        second, default="P-", bound=("category",), answers=later, otherwise=fallback
    )(ticket, category)
    if pair is None:  # only when the first stage reads a ticket field named `category`
        assert any(re.search(r"'category[.']", repr(s)) for s in firsts), firsts
        return
    assert pair.source is not None
    assert pair.function(ticket) == (category, priority), pair.source


def test_in_a_pair_category_is_the_decided_one_and_a_first_stage_reading_it_stays_apart() -> None:
    first = [_compiled({"a": "core"})]
    second = [_compiled({"category": "core"})]
    pair = first_match_pair(first, ["core"], "x", second, ["P0"], "P-")
    assert pair is not None
    assert pair.function({"a": "core", "category": "x"}) == ("core", "P0")
    assert pair.function({"a": "x", "category": "core"}) == ("x", "P-")
    reading = [_compiled({"category": "x"})]
    assert first_match_pair(reading, ["core"], "x", second, ["P0"], "P-") is None


def test_a_pair_is_left_apart_when_a_stage_would_be_indexed() -> None:
    long = [_compiled({"a": f"v{index}"}) for index in range(selection.INDEX_RULES)]
    short = [_compiled({"b": "x"})]
    answers = [f"k{index}" for index in range(len(long))]
    assert first_match_pair(long, answers, "none", short, ["P"], "P-") is None
    assert first_match_pair(short, ["k"], "none", long, answers, "P-") is None
    assert first_match_pair(short, ["k"], "none", short, ["P"], "P-") is not None


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_every_sample_policy_classifies_with_one_function_as_with_two(path: Path) -> None:
    policy = slapolicy.load_policy(path)
    chosen = policy.selection
    assert chosen.classify is not None  # (no sample policy needs the two functions)
    reader = TicketReader(policy.fields, policy.timezone, policy.start_field)
    ids = [r.id for r in policy.categories]

    @settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
    @given(ticket=tickets(policy))
    def check(ticket: dict[str, Any]) -> None:
        view = reader.convert(ticket)
        category = ids[chosen.category(view)]
        assert chosen.classify(view) == (category, chosen.priority(view, category))

    check()


# --------------------------------------------------------------------------- sample policies

STAGES = {
    "category": (lambda p: [r.condition for r in p.categories], ()),
    "priority": (lambda p: [r.condition for r in p.rules.priority_rules], ("category",)),
    "sla": (lambda p: [s.rule.condition for s in p.slas], ("category", "priority")),
    "route": (lambda p: [r.condition for r in p.routing], ("category", "priority", "sla")),
}


@pytest.mark.parametrize("stage", sorted(STAGES))
@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_every_stage_of_every_sample_policy_agrees_with_the_reference(
    path: Path, stage: str
) -> None:
    policy = slapolicy.load_policy(path)
    reader = TicketReader(policy.fields, policy.timezone, policy.start_field)
    rules, bound = STAGES[stage][0](policy), STAGES[stage][1]
    compiled = first_match(rules, default=-1, bound=bound)
    reference = reference_first_match(rules, default=-1, bound=bound)
    assert compiled.source is not None
    decided_values = {
        "category": [r.id for r in policy.categories],
        "priority": [r.id for r in policy.priorities],
        "sla": [s.rule.id for s in policy.slas],
    }

    @settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
    @given(ticket=tickets(policy), data=st.data())
    def check(ticket: dict[str, Any], data: st.DataObject) -> None:
        args = [data.draw(st.sampled_from(decided_values[name])) for name in bound]
        view = reader.convert(ticket)
        assert compiled.function(view, *args) == reference(view, *args)

    check()


# --------------------------------------------------------------------------- hostile text

HOSTILE = [
    'a"); __import__("os").system("echo pwned"); ("',
    "b\nimport os\n",
    "c\\'\\\"",
    "t",
    "v0",
    "c0",
    "__builtins__",
    "isinstance",
    "category",
    "x" * 200,
]
#: the generated code's own names: the ticket, its reads, constants, lazy text locals
#: (casefolded text, keyword ids, pattern ids), the block ids of an indexed stage and the
#: methods and attributes the generated code reads
GENERATED_NAMES = re.compile(
    r"t|get|[vcfkgrsn][0-9]+|select|when|isinstance|str|None|True|False|casefold|isdisjoint"
    r"|issubset|update|__class__"
)


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    return list(tokenize.generate_tokens(io.StringIO(source).readline))


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_policy_text_never_becomes_source(text: str) -> None:
    """Field names and literals reach generated code only as constants, never as text."""
    field = text.replace(".", "_")[:200]
    spec = {
        "any": [
            {field: text},
            {field: [text, "other"]},
            {field: {"contains_any": [text, "宕机"], "case": "insensitive"}},
            {"nested." + field.strip() or "n": {"exists": True}},
        ]
    }
    try:
        condition = compile_condition(spec)
    except PolicyError:  # a name the compiler refuses (spaces around a part)
        field = "f"
        condition = compile_condition({"any": [{field: text}, {field: [text, "other"]}]})
    compiled = first_match([condition, Condition.always()], default=1, bound=("category",))
    assert compiled.source is not None
    for token in _tokens(compiled.source):
        assert token.type != tokenize.STRING, compiled.source
        if token.type == tokenize.NAME and not keyword.iskeyword(token.string):
            assert GENERATED_NAMES.fullmatch(token.string) or token.string == "category", token
    assert compiled.function({field: text}, text) == 0  # `category` is the decided value
    assert compiled.function({}, "x") == 1


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_policy_text_inside_items_never_becomes_source(text: str) -> None:
    """Element conditions are generated functions of their own, built the same way."""
    field = text.replace(".", "_").strip()[:200] or "f"
    spec = {"xs": {"any_item": {field: text, "any": [{field: {"contains": text}}, {"n": 1}]}}}
    try:
        condition = compile_condition(spec)
    except PolicyError:  # a name the compiler refuses (spaces around a part)
        field = "f"
        condition = compile_condition({"xs": {"any_item": {field: text}}})
    test = condition.node.tests[0]  # type: ignore[union-attr]
    element = element_predicate(test.arg)
    assert element.source is not None
    for token in _tokens(element.source):
        assert token.type != tokenize.STRING, element.source
        if token.type == tokenize.NAME and not keyword.iskeyword(token.string):
            assert GENERATED_NAMES.fullmatch(token.string) or token.string == "item", token
    assert element.function({field: text}) is True
    assert predicate(condition).function({"xs": [1, {field: text}]}) is True


def test_only_plain_words_name_generated_functions_and_arguments() -> None:
    condition = compile_condition({"a": 1})
    for bad in ("t", "x; import os", "Category", "priority2", ""):
        with pytest.raises(ValueError, match="not a name"):
            first_match([condition], default=0, bound=(bad,))
    with pytest.raises(ValueError, match="not a name"):
        predicate(condition, name="when(t):\n    pass\ndef x")


def test_generated_code_sees_no_builtins_but_its_own() -> None:
    compiled = predicate(compile_condition({"a": "x"}))
    assert compiled.function.__globals__["__builtins__"] == {"isinstance": isinstance, "str": str}


# --------------------------------------------------------------------------- shape and limits


def test_each_field_is_read_once_per_stage_before_the_first_rule_that_needs_it() -> None:
    rules = [
        compile_condition({"type": "outage"}),
        compile_condition({"any": [{"type": "bug"}, {"text": {"contains": "宕机"}}]}),
        compile_condition({"customer.tier": "vip"}),
    ]
    source = first_match(rules, default=3).source
    assert source is not None
    lines = [line.strip() for line in source.splitlines()]
    reads = [line for line in lines if line.startswith("v")]
    assert len(reads) == 3  # type, text, customer.tier: each once
    assert lines.index(reads[1]) > lines.index("return 0")  # text only after rule 0


def test_the_deepest_allowed_condition_compiles() -> None:
    spec: dict[str, Any] = {"a": "x"}
    for level in range(MAX_DEPTH - 1):
        spec = {"not": spec} if level % 2 else {"any": [spec, {"b": level}]}
    condition = compile_condition(spec)
    compiled = predicate(condition)
    assert compiled.source is not None
    for ticket in ({"a": "x"}, {"a": "y"}, {"b": 3}, {}):
        assert compiled.function(ticket) is condition.matches(ticket)


def test_a_stage_of_two_thousand_rules_compiles() -> None:
    rules = [compile_condition({"n": i}) for i in range(2000)]
    compiled = first_match([*rules, Condition.always()], default=2000)
    assert compiled.source is not None
    assert compiled.function({"n": 1999}) == 1999
    assert compiled.function({"n": -1}) == 2000


def test_a_stage_python_will_not_compile_falls_back_to_the_closures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded during compilation")

    monkeypatch.setattr(selection, "compile", refuse, raising=False)
    rules = [compile_condition({"type": "outage"}), Condition.always()]
    assert first_match(rules, default=1).source is None
    assert first_match(rules, default=1).function({"type": "outage"}) == 0
    priority = first_match(
        rules[:1], default=None, answers=["P1"], otherwise=lambda t: "P4", bound=()
    )
    assert priority.source is None
    assert priority.function({"type": "outage"}) == "P1"
    assert priority.function({"type": "bug"}) == "P4"
    when = predicate(rules[0], bound=("category",))
    assert when.source is None
    assert when.function({"type": "outage"}, "x") is True
    # a whole policy still evaluates, through the closures
    policy = slapolicy.load_policy(ROOT / "policies" / "service-levels.yaml")
    monkeypatch.undo()
    native = slapolicy.load_policy(ROOT / "policies" / "service-levels.yaml")
    for example in native.examples:
        ticket = dict(example.ticket)
        assert policy.evaluate(ticket).to_dict(trace=False) == native.evaluate(ticket).to_dict(
            trace=False
        )
