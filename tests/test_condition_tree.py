"""The typed condition tree (slapolicy._conditions.tree): what the compiler builds from data.

The semantics of each operator are in tests/test_conditions.py; here, the shape of the tree
that everything downstream walks: nodes, converted literals, paths, equality, walkers, and
the operator table's promise that no value test raises.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slapolicy._conditions import (
    OPERATORS,
    TABLE,
    AllOf,
    Always,
    AnyOf,
    Condition,
    FieldTests,
    Not,
    arguments,
    compile_condition,
    compile_tree,
    iter_field_tests,
    iter_nodes,
)
from slapolicy._conditions import Test as OpTest  # (pytest would collect `Test`)
from slapolicy._fields import FieldType

WHEN = ("priorities", 0, "when")


def test_a_mapping_of_several_keys_is_a_conjunction_in_the_order_written() -> None:
    tree = compile_tree(
        {
            "impact": "core",
            "any": [
                {"n": {"gt": 1}},
                {"text": {"contains_any": ["宕机", "DOWN"], "case": "insensitive"}},
            ],
            "not": {"vip": True},
        },
        path=WHEN,
    )
    assert isinstance(tree, AllOf)
    impact, either, negation = tree.children
    assert impact == FieldTests("impact", (OpTest("eq", "core"),))
    assert isinstance(either, AnyOf)
    assert either.children == (
        FieldTests("n", (OpTest("gt", 1),)),
        FieldTests("text", (OpTest("contains_any", ("宕机", "DOWN"), fold=True),)),
    )
    assert negation == Not(FieldTests("vip", (OpTest("eq", True),)))


def test_every_node_and_test_knows_where_it_is_written() -> None:
    tree = compile_tree(
        {"any": [{"impact": ["core", "major"]}, {"n": {"ge": 2, "le": 5}}]}, path=WHEN
    )
    fields = list(iter_field_tests(tree))
    assert [f.path for f in fields] == [(*WHEN, "any", 0, "impact"), (*WHEN, "any", 1, "n")]
    (membership,) = fields[0].tests
    assert membership.path == (*WHEN, "any", 0, "impact")  # the shorthand: the field's key
    assert [t.path for t in fields[1].tests] == [(*WHEN, "any", 1, "n", op) for op in ("ge", "le")]


def test_literals_of_declared_fields_are_converted_once_in_the_tree() -> None:
    declared = {"level": FieldType("integer"), "impact": FieldType("string", ("core", "minor"))}
    tree = compile_tree({"level": {"in": ["3", 4.0]}, "impact": "core"}, fields=declared)
    assert isinstance(tree, AllOf)
    level, impact = tree.children
    assert isinstance(level, FieldTests)
    assert isinstance(impact, FieldTests)
    assert level.tests[0].arg == (3, 4)
    assert all(type(value) is int for value in level.tests[0].arg)
    assert impact.tests[0].arg == "core"


def test_exists_is_the_presence_test_of_a_field() -> None:
    tree = compile_tree({"customer.tier": {"exists": True, "ne": "basic"}})
    assert tree == FieldTests("customer.tier", (OpTest("ne", "basic"),), exists=True)
    assert tree.keys == ("customer", "tier")
    assert compile_tree({"x": {"exists": False}}) == FieldTests("x", (), exists=False)


def test_tests_are_equal_when_they_say_the_same_wherever_they_are_written() -> None:
    a = OpTest("in", ("core", "major"), path=("categories", 0, "when", "impact"))
    b = OpTest("in", ("core", "major"), path=("routing", 3, "when", "impact"))
    assert a == b
    assert hash(a) == hash(b)
    assert OpTest("eq", "core") != OpTest("eq", "core", fold=True)
    assert OpTest("eq", True) == OpTest("eq", True)


def test_each_test_carries_its_operators_value_test() -> None:
    test = OpTest("between", (1, 5))
    assert test.check(3)
    assert not test.check(6)
    assert not test.check("3")
    with pytest.raises(AttributeError):
        test.check = lambda value: True  # type: ignore[misc]


def test_walkers_visit_every_node_in_the_order_written() -> None:
    tree = compile_tree({"a": 1, "any": [{"b": 2}, {"not": {"c": 3}}], "d": 4})
    names = [f.name for f in iter_field_tests(tree)]
    assert names == ["a", "b", "c", "d"]
    kinds = [type(node).__name__ for node in iter_nodes(tree)]
    assert kinds == [
        "AllOf",
        "FieldTests",
        "AnyOf",
        "FieldTests",
        "Not",
        "FieldTests",
        "FieldTests",
    ]


def test_arguments_lists_the_literals_a_test_compares_with() -> None:
    assert arguments(OpTest("eq", "x")) == ("x",)
    assert arguments(OpTest("in", ("x", "y"))) == ("x", "y")
    assert arguments(OpTest("between", (1, 9))) == (1, 9)
    assert arguments(OpTest("contains_all", ("a", "b"))) == ("a", "b")
    assert arguments(OpTest("matches", "^P[0-9]")) == ("^P[0-9]",)


def test_a_condition_is_its_tree_with_a_closure() -> None:
    condition = compile_condition({"impact": "core"})
    assert condition.node == FieldTests("impact", (OpTest("eq", "core"),))
    assert condition.fields == frozenset({"impact"})
    assert Condition.always().node == Always()
    assert Condition.always().is_always
    assert not condition.is_always


def test_the_table_names_every_operator_but_exists() -> None:
    assert set(OPERATORS) == {*TABLE, "exists"}
    for name, operator in TABLE.items():
        assert operator.name == name
        assert operator.kinds, name


SAMPLE_ARGS: dict[str, Any] = {
    "literal": "core",
    "literals": ("core", 3, True),
    "order": 5,
    "bounds": (1, 9),
    "needle": "宕机",
    "needles": ("宕机", 2),
    "pattern": "^P[0-9]+$",
    "condition": compile_tree({"xs": {"any_item": {"id": 1, "v": {"ne": "x"}}}}).tests[0].arg,
}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(value=JSON, fold=st.booleans())
def test_no_value_test_raises_for_any_json_value(value: Any, fold: bool) -> None:
    for name, operator in TABLE.items():
        test = OpTest(name, SAMPLE_ARGS[operator.argument], fold and operator.text)
        if value is not None:  # a value test sees present values only
            assert test.check(value) in (True, False)
        reason = operator.reason(test.arg, test.fold, value, False)
        assert isinstance(reason, str)
        assert reason
