"""Conditions (``when:``): condition data compiled once into a typed tree, then walked.

A condition is plain data (never code: nothing is handed to ``eval``). This package knows
nothing of YAML; it receives the parsed mapping and a path prefix for error messages, and
:func:`compile_condition` reports every problem at once as a :class:`PolicyError`.

Modules, in the order data flows through them::

    values      kinds, equality keys and display of ticket values
    operators   the operator table: each operator's value test and its reason
    tree        the typed nodes (FieldTests, AllOf, AnyOf, Not, Always)
    compiler    data -> tree, checking and converting every literal
    evaluate    tree -> closures (the reference semantics)
    explain     tree -> Check trace
    condition   Condition: a tree with its closure and trace; compile_condition
    codegen     conditions -> one generated Python function per engine stage
    paired      the category and priority stages -> one generated classify function

Shapes
------
- ``{field: value}`` is equality; several keys in one mapping must all hold.
- ``{field: [a, b]}`` is membership (``in``).
- ``{field: {op: arg, ...}}`` applies operators; several operators must all hold. Operators:
  ``eq ne in not_in gt ge lt le between contains contains_any contains_all matches exists
  any_item all_items``.
- ``all: [...]``, ``any: [...]`` (non-empty lists of conditions) and ``not: {...}`` combine
  conditions and may sit next to field keys. ``all``, ``any``, ``not`` and the operator names
  are reserved: they cannot be used as top-level field names.
- ``{field: {any_item: condition}}`` holds when the field is a list and some element
  satisfies the condition, a whole condition whose paths are relative to the element;
  ``all_items`` when every element does (an empty list: true). A value that is not a list
  fails both; an element that is not a mapping has no fields (every path in it is missing).
  Declared ``fields:`` do not apply inside. Walkers see two scopes (:mod:`.tree`):
  :func:`iter_field_tests` yields the ticket's tests only, :func:`iter_scoped_field_tests`
  also those on elements, with their scope.

Values
------
- Fields are dotted paths into the ticket: ``customer.tier`` reads ``ticket["customer"]["tier"]``.
  A key that holds a dot is written with a backslash: ``sys\\.created`` reads
  ``ticket["sys.created"]`` (:func:`slapolicy._fields.path_keys`). A non-mapping on the way,
  an absent key and JSON ``null`` all mean *missing*.
- A test on a missing field is false, including ``ne`` and ``not_in``; only ``exists: false``
  is true for a missing field.
- There is no implicit coercion: ``true`` never equals ``1``, ``"3"`` never equals ``3``, and
  ordering across kinds (text vs number, boolean vs number) is simply false. Integers and
  floats compare with each other; text orders by code point; booleans have no order. Only
  fields declared in ``fields:`` are converted, and only their condition literals are
  converted here (see :mod:`slapolicy._fields`; the engine converts the ticket's values).
- ``ne`` and ``not_in`` are the negations of ``eq`` and ``in`` on a present value, so a value
  of another kind is "not equal".
- ``between: [low, high]`` is inclusive at both ends.
- ``contains`` on text is a substring test; on a list it looks for an equal element.
  ``contains_any`` / ``contains_all`` take a list of needles.
- ``case: insensitive`` (next to the operators) makes the text operators (``eq ne in not_in
  contains contains_any contains_all matches``) compare ``str.casefold()``-ed text, which
  also works for Chinese (where casefolding changes nothing).

Regular expressions
-------------------
``matches`` is a *search* anywhere in the text, run by Google's RE2 (``google-re2``), not by
Python's ``re``. Policies are edited by people and tickets come from customers, so a
pattern like ``(a+)+$`` on a long text must not hang a helpdesk: RE2 runs in time linear in
the text and never backtracks. The price is RE2 syntax: no backreferences (``\\1``) and no
look-around (``(?=...)``); such patterns are rejected when the policy loads. ``case:
insensitive`` uses RE2's case-insensitive mode (Unicode simple case folding). Text is
searched as UTF-8; lone surrogates are passed through instead of failing.

Limits: a pattern has at most 1,000 characters, a needle at most 1,000, and a list of values
or needles at most 1,000 items; conditions nest at most 32 levels (each ``all``, ``any``,
``not``, ``any_item`` and ``all_items`` is a level), checked before anything recurses.
``contains_any`` with many text needles runs as one RE2 alternation on long texts (short
texts are faster needle by needle), so huge texts stay linear in their length.

Evaluation
----------
:meth:`Condition.matches` is the reference: the tree compiled into nested closures, so a
call does no parsing, raises nothing for ordinary mismatches and builds no trace.
:meth:`Condition.explain` is the slow path that returns a :class:`Check` tree saying why
each test matched or not; its ``matched`` always equals ``matches()``. :mod:`.codegen`
writes a stage's conditions as one Python function over constants (what the engine runs),
tested against the closures. None of them raises for any JSON-like ticket (huge or deeply
nested values, odd Unicode, NaN). A :class:`Condition` is immutable and safe to share
between threads.
"""

from .codegen import (
    Selector,
    Source,
    element_predicate,
    emit,
    first_match,
    predicate,
    reference_first_match,
)
from .compiler import MAX_DEPTH, MAX_ITEMS, MAX_NEEDLE_LENGTH, MAX_PATTERN_LENGTH, compile_tree
from .condition import Condition, compile_condition
from .evaluate import Predicate, field_predicate, getter, to_predicate
from .explain import Check, explain
from .operators import (
    COMBINATORS,
    ITEM_OPERATORS,
    MAX_SHOWN_ITEMS,
    OPERATORS,
    QUANTIFIERS,
    TABLE,
    TEXT_OPERATORS,
    Operator,
    ValueTest,
)
from .paired import first_match_pair
from .textsearch import KeywordScan, keywords_of
from .tree import (
    AllOf,
    Always,
    AnyOf,
    FieldTests,
    ItemCondition,
    Node,
    Not,
    Path,
    Scope,
    Test,
    arguments,
    item_condition,
    item_conditions,
    iter_field_tests,
    iter_nodes,
    iter_scoped_field_tests,
)
from .values import describe, kind_of, show, value_key

__all__ = [
    "COMBINATORS",
    "ITEM_OPERATORS",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_NEEDLE_LENGTH",
    "MAX_PATTERN_LENGTH",
    "MAX_SHOWN_ITEMS",
    "OPERATORS",
    "QUANTIFIERS",
    "TABLE",
    "TEXT_OPERATORS",
    "AllOf",
    "Always",
    "AnyOf",
    "Check",
    "Condition",
    "FieldTests",
    "ItemCondition",
    "KeywordScan",
    "Node",
    "Not",
    "Operator",
    "Path",
    "Predicate",
    "Scope",
    "Selector",
    "Source",
    "Test",
    "ValueTest",
    "arguments",
    "compile_condition",
    "compile_tree",
    "describe",
    "element_predicate",
    "emit",
    "explain",
    "field_predicate",
    "first_match",
    "first_match_pair",
    "getter",
    "item_condition",
    "item_conditions",
    "iter_field_tests",
    "iter_nodes",
    "iter_scoped_field_tests",
    "keywords_of",
    "kind_of",
    "predicate",
    "reference_first_match",
    "show",
    "to_predicate",
    "value_key",
]
