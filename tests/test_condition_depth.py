"""Deep conditions: a documented limit, a PolicyError at its place, never a RecursionError.

Conditions nest at most ``MAX_DEPTH`` levels (each ``all``, ``any``, ``not``, ``any_item`` and
``all_items`` is one). The condition compiler checks the depth on its way down, so a
condition thousands of levels deep is refused before anything recurses into it; the
deepest allowed one works everywhere (closures, trace, generated code).
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

import slapolicy
from condition_checks import agree
from slapolicy._conditions import MAX_DEPTH, compile_condition

LEAF = {"type": "x"}


def nest(levels: int, kind: str, leaf: Any = None) -> Any:
    """``levels`` conditions around a leaf, built without recursion."""
    spec = LEAF if leaf is None else leaf
    for _ in range(levels):
        if kind == "not":
            spec = {"not": spec}
        elif kind in ("all", "any"):
            spec = {kind: [spec]}
        elif kind == "any_item":
            spec = {"xs": {"any_item": spec}}
        else:  # a mix of every kind
            spec = [{"not": spec}, {"all": [spec]}, {"xs": {"all_items": spec}}][_ % 3]
    return spec


KINDS = ["not", "all", "any", "any_item", "mixed"]


def policy(when: Any) -> dict[str, Any]:
    return {
        "slapolicy": 1,
        "name": "deep",
        "timezone": "UTC",
        "calendars": {"always": {"hours": "always"}},
        "categories": [{"id": "a", "when": when}, {"id": "b"}],
        "priorities": [{"id": "P1"}],
        "slas": [{"id": "s", "calendar": "always", "targets": {"P1": {"response": "1h"}}}],
        "routing": [{"owner": "x"}],
        "owners": {"x": {}},
    }


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("levels", [MAX_DEPTH, MAX_DEPTH + 1, 5_000, 50_000])
def test_too_deep_is_a_policy_error_at_the_deepest_allowed_place(kind: str, levels: int) -> None:
    spec = nest(levels, kind)  # with the leaf, levels + 1 deep
    limit = sys.getrecursionlimit()
    with pytest.raises(slapolicy.PolicyError) as caught:
        compile_condition(spec, path=("categories", 0, "when"))
    assert sys.getrecursionlimit() == limit
    (problem,) = caught.value.problems
    assert f"nest more than {MAX_DEPTH} levels" in problem.message
    assert problem.path.startswith("categories[0].when.")
    assert len(problem.path) < 40 * MAX_DEPTH  # the place, not the whole tower


@pytest.mark.parametrize("kind", KINDS)
def test_the_deepest_allowed_condition_works_everywhere(kind: str) -> None:
    spec = nest(MAX_DEPTH - 1, kind)
    ticket: Any = {"type": "x"}
    for _ in range(MAX_DEPTH - 1):
        ticket = {"xs": [ticket], "type": "x"}
    agree(spec, ticket)
    agree(spec, {"type": "y"})


@pytest.mark.parametrize("kind", KINDS)
def test_load_policy_refuses_a_deep_mapping(kind: str) -> None:
    """Deeper than a condition may be, within what a policy mapping may be (100 levels)."""
    with pytest.raises(slapolicy.PolicyError, match=f"nest more than {MAX_DEPTH} levels"):
        slapolicy.load_policy(policy(nest(40, kind)))


def test_load_policy_refuses_four_hundred_and_fifty_nots() -> None:
    """The case of issue 12: ~450 nested `not`s raised RecursionError. A mapping may nest
    100 levels, as a YAML document may; this one is refused before it is copied."""
    with pytest.raises(slapolicy.PolicyError) as caught:
        slapolicy.load_policy(policy(nest(450, "not")))
    (problem,) = caught.value.problems
    assert "the policy nests more than 100 levels deep" in problem.message
    assert problem.path == "categories[0].when" + ".not" * 98  # 101 keys from the top


@pytest.mark.parametrize("kind", ["not", "all"])
def test_load_policy_refuses_a_mapping_thousands_of_levels_deep(kind: str) -> None:
    with pytest.raises(slapolicy.PolicyError) as caught:
        slapolicy.load_policy(policy(nest(3_000, kind)))
    (problem,) = caught.value.problems
    assert "nests more than 100 levels deep" in problem.message
    assert problem.path.startswith("categories[0].when")


def test_load_policy_refuses_a_mapping_that_contains_itself() -> None:
    data = policy(nest(1, "not"))
    data["categories"][0]["when"]["not"]["again"] = data["categories"][0]["when"]
    with pytest.raises(slapolicy.PolicyError, match="nests more than 100 levels deep"):
        slapolicy.load_policy(data)


def yaml_policy(levels: int) -> str:
    when = "{type: x}"
    for _ in range(levels):
        when = "{not: " + when + "}"
    return f"""\
slapolicy: 1
name: deep
timezone: UTC
calendars:
  always: {{hours: always}}
categories:
  - id: a
    when: {when}
  - {{id: b}}
priorities:
  - {{id: P1}}
slas:
  - {{id: s, calendar: always, targets: {{P1: {{response: 1h}}}}}}
routing:
  - {{owner: x}}
owners:
  x: {{}}
"""


def test_a_yaml_text_too_deep_is_located_in_the_file() -> None:
    with pytest.raises(slapolicy.PolicyError) as caught:
        slapolicy.load_policy(yaml_policy(MAX_DEPTH + 10))
    (problem,) = caught.value.problems
    assert f"nest more than {MAX_DEPTH} levels" in problem.message
    assert problem.line == 8
    assert problem.column == 11 + 6 * MAX_DEPTH  # the first condition one level too deep


def test_a_yaml_text_far_too_deep_is_refused_by_the_reader() -> None:
    with pytest.raises(slapolicy.PolicyError, match="nests more than"):
        slapolicy.load_policy(yaml_policy(5_000))


def test_the_deepest_allowed_yaml_condition_loads() -> None:
    loaded = slapolicy.load_policy(yaml_policy(MAX_DEPTH - 1))
    assert loaded.evaluate({"type": "y"}, at="2026-05-08T09:00:00Z").category == "a"
