"""Conditions compiled to Python: a stage's first-match rules as one plain function.

Every stage of the engine asks each ticket the same question: which is the first rule whose
condition holds? Asked through the closures of :meth:`Condition.matches`, that costs a
Python call per condition node and a dictionary read per test. Written out as one function,

.. code-block:: python

    def select_category(t):
        v0 = t.get(c0)                      # c0 = 'type'
        v1 = t.get(c2)                      # c2 = 'text'
        if ((isinstance(v0, str) and v0 == c1) or (v1 is not None and c3(v1))):
            return 0                        # c3: the keyword test of rule 0
        if (isinstance(v0, str) and v0 in c4):
            return 1
        return 2

a stage reads each field once and tests the common shapes inline, the way one would write it
by hand; classification runs about 1.5 times as fast as through the closures (docs/engine.md).
Text tests read each text field's casefolded form and keyword scans once (:func:`_text_test`,
:mod:`.textsearch`), and a stage of :data:`INDEX_RULES` rules or more tests only the blocks
of rules that may hold (:func:`_indexed_rules`), so its cost grows little with its length.

Safety: the function is built from compiled conditions, never from policy text. Every
literal, field name and helper closure reaches it as a constant (see :class:`Source`), so
the generated text holds only this module's own names (``t``, ``v0``, ``c0``, the bound
decision names, rule numbers) and nothing a policy or a ticket can write into;
``tests/test_selection.py`` checks this on hostile policies.

The closures stay the reference: :func:`reference_first_match` gives the same answers with
no generated code. The tests compare the two, and a stage whose source Python will not
compile (it never happens with the limits of :mod:`.compiler`) falls back to it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from .._fields import path_keys
from .condition import Condition
from .evaluate import getter
from .operators import QUANTIFIERS
from .textsearch import KEYWORD_OPERATORS, FieldSearch, needles_of
from .tree import (
    AllOf,
    Always,
    AnyOf,
    FieldTests,
    ItemCondition,
    Node,
    Not,
    Test,
    item_condition,
    iter_field_tests,
)

__all__ = [
    "INDEX_RULES",
    "Selector",
    "Source",
    "build",
    "check_names",
    "emit",
    "first_match",
    "predicate",
    "reference_first_match",
]

_NAME = re.compile(r"[a-z_]+")


class Selector(NamedTuple):
    """A compiled stage: the function and the Python source it was made from."""

    #: ``function(ticket, *decided) -> index`` (or ``-> bool`` for a :func:`predicate` and
    #: an :func:`element_predicate`)
    function: Callable[..., Any]
    #: the generated source, or None when the function is the closure-based reference
    source: str | None


def first_match(
    conditions: Sequence[Condition],
    *,
    default: Any,
    bound: Sequence[str] = (),
    name: str = "select",
    answers: Sequence[Any] | None = None,
    otherwise: Callable[..., Any] | None = None,
    index: bool = True,
) -> Selector:
    """Compile first-match selection over ``conditions`` into one function.

    The function takes the ticket mapping and then one argument per ``bound`` name (decision
    values that shadow ticket fields of the same name, like ``category`` in later stages)
    and returns the index of the first condition that holds, else ``default``. With
    ``answers`` it returns ``answers[index]`` instead of the index, and with ``otherwise``
    it returns ``otherwise(ticket, *decided)`` when no condition holds (the priority stage
    answers a priority id, or asks the matrix: one call fewer than wrapping the function).
    A stage of :data:`INDEX_RULES` rules or more is indexed (:func:`_indexed_rules`) unless
    ``index`` is false.
    """
    check_names(name, bound)
    source = Source(bound)
    reachable = []
    for condition in conditions:
        reachable.append(condition.node)
        if condition.is_always:
            break
    source.plan(reachable)
    arguments = ", ".join(("t", *bound))
    lines = [f"def {name}({arguments}):"]

    def answer(index: int) -> str:
        return str(index) if answers is None else source.constant(answers[index])

    gates = _gates(reachable, source) if index and len(reachable) >= INDEX_RULES else None
    if gates is not None:  # a long stage: its rules in blocks, skipped unless a fact is there

        def plain() -> Callable[..., Any]:
            return first_match(
                conditions,
                default=default,
                bound=bound,
                name=name,
                answers=answers,
                otherwise=otherwise,
                index=False,
            ).function

        other = f"return {source.constant(_Later(plain))}({arguments})"
        lines.extend(_indexed_rules(reachable, gates, source, answer, other))
    else:
        for rule, node in enumerate(reachable):
            if isinstance(node, Always):  # a rule without `when`: the rest is unreachable
                break
            test = emit(node, source)
            lines.extend(f"    {read}" for read in source.take_reads())
            lines.append(f"    if {test}:")
            lines.append(f"        return {answer(rule)}")
    if reachable and isinstance(reachable[-1], Always):
        lines.append(f"    return {answer(len(reachable) - 1)}")
    elif otherwise is not None:
        lines.append(f"    return {source.constant(otherwise)}({arguments})")
    else:  # an index is written as it is, anything else as a constant
        shown = str(default) if type(default) is int else source.constant(default)
        lines.append(f"    return {shown}")
    built = build(name, lines, source.namespace)
    if built is not None:
        return built
    return Selector(
        reference_first_match(
            conditions, default=default, bound=bound, answers=answers, otherwise=otherwise
        ),
        None,
    )


def predicate(condition: Condition, *, bound: Sequence[str] = (), name: str = "when") -> Selector:
    """Compile one condition into ``function(ticket, *decided) -> bool``."""
    check_names(name, bound)
    source = Source(bound)
    source.plan([condition.node])
    test = emit(condition.node, source)
    lines = [f"def {name}({', '.join(('t', *bound))}):"]
    lines.extend(f"    {read}" for read in source.take_reads())
    lines.append(f"    if {test}:")
    lines.append("        return True")
    lines.append("    return False")
    built = build(name, lines, source.namespace)
    if built is not None:
        return built
    index = reference_first_match([condition], default=-1, bound=bound)
    return Selector(lambda t, *decided: index(t, *decided) == 0, None)


def reference_first_match(
    conditions: Sequence[Condition],
    *,
    default: Any,
    bound: Sequence[str] = (),
    answers: Sequence[Any] | None = None,
    otherwise: Callable[..., Any] | None = None,
) -> Callable[..., Any]:
    """The same selection through :meth:`Condition.matches`, with no generated code."""
    tests = tuple(condition.matches for condition in conditions)
    names = tuple(bound)

    def select(t: Mapping[str, Any], *decided: Any) -> Any:
        view = t
        if names:
            view = dict(t)
            view.update(zip(names, decided, strict=True))
        for index, test in enumerate(tests):
            if test(view):
                return index if answers is None else answers[index]
        return default if otherwise is None else otherwise(t, *decided)

    return select


def check_names(name: str, bound: Sequence[str]) -> None:
    """Only this package's own plain names may become part of generated source."""
    for word in (name, *bound):
        if not _NAME.fullmatch(word) or word == "t":
            raise ValueError(f"not a name for generated code: {word!r}")


def build(name: str, lines: list[str], namespace: dict[str, Any]) -> Selector | None:
    """Compile generated lines into a function, or None if Python will not compile them."""
    text = "\n".join(lines) + "\n"
    scope = dict(namespace)
    scope["__builtins__"] = {"isinstance": isinstance, "str": str}  # all it ever calls
    try:
        code = compile(text, f"<slapolicy {name}>", "exec")
        exec(code, scope)  # our own source: policy data arrives only as constants
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    return Selector(scope[name], text)


# --------------------------------------------------------------------------- emitting


class Source:
    """The pieces of one generated Python function: its constants and the fields it reads.

    :func:`emit` writes a condition as a Python expression over local names that this
    object hands out. No text of the policy or the ticket ever becomes source: literals,
    field names and helper closures are bound as constants ``c0``, ``c1``, ..., fields are
    read into locals ``v0``, ``v1``, ... from the mapping ``t``, and the only other names
    are the ``bound`` arguments, decision values such as ``category`` that later stages test.

    A field with text tests also gets lazy locals, computed by the first test that needs
    them and reused by every later test of the function (see :func:`_text_test`): ``s0``
    whether it holds text, ``f0`` its casefolded text, ``k0`` / ``g0`` the needles found
    in it / in its casefolded form, ``r0`` the ids of its patterns that match; an indexed
    stage also has ``n0``, the blocks to test, and ``n1``, a needle being looked up.
    :meth:`plan` collects the keywords and patterns of every condition of the function
    before any is emitted.
    """

    __slots__ = ("_fields", "_texts", "bound", "indexed", "namespace", "pending")

    def __init__(self, bound: Sequence[str] = ()) -> None:
        for name in bound:
            if not name.isidentifier() or not name.isalpha() or name == "t":
                raise ValueError(f"bound names must be plain words, got {name!r}")
        self.bound = tuple(bound)
        #: constant name -> value, the globals of the generated function
        self.namespace: dict[str, Any] = {}
        #: read statements (``v0 = t.get(c0)``) not yet taken by :meth:`take_reads`
        self.pending: list[str] = []
        self._fields: dict[tuple[str, ...], str] = {}
        self._texts: dict[tuple[str, ...], _TextField] = {}
        #: an indexed stage (:func:`_indexed_rules`): every keyword test reads its field's
        #: scan, run before the first block, and the fields with keyword tests hold text or
        #: nothing (other tickets go to the plain stage)
        self.indexed = False

    def constant(self, value: Any) -> str:
        """A name under which the generated code sees ``value``."""
        name = f"c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def field(self, path: str) -> str:
        """The local holding the value at a field path (``None`` when missing or null)."""
        keys = path_keys(path)
        if keys[0] in self.bound:
            if len(keys) == 1:
                return keys[0]
            return "None"  # decision values are text: nothing lies inside them
        name = self._fields.get(keys)
        if name is None:
            name = self._fields[keys] = f"v{len(self._fields)}"
            if len(keys) == 1:
                self.pending.append(f"{name} = t.get({self.constant(keys[0])})")
            else:
                self.pending.append(f"{name} = {self.constant(getter(keys))}(t)")
        return name

    def local(self, keys: tuple[str, ...]) -> str:
        """The local of a field already read (or the bound name it is)."""
        if keys[0] in self.bound:
            return keys[0] if len(keys) == 1 else "None"
        return self._fields[keys]

    def reads(self, names: Iterable[str]) -> bool:
        """True if the function reads a ticket field whose path starts with one of
        ``names`` (while they were not bound)."""
        wanted = set(names)
        return any(keys[0] in wanted for keys in self._fields)

    def scans(self) -> bool:
        """True once a keyword scan of a text field has been emitted."""
        return any(field.scanned for field in self._texts.values())

    def take_reads(self) -> list[str]:
        """The read statements of fields first used since the last call."""
        reads, self.pending = self.pending, []
        return reads

    def plan(self, nodes: Iterable[Node]) -> None:
        """Collect the keyword and pattern tests of ``nodes``, the conditions of the whole
        function, field by field, before any of them is emitted."""
        for node in nodes:
            for tests in iter_field_tests(node):
                for test in tests.tests:
                    op = test.op
                    if op == "matches" or (
                        op in KEYWORD_OPERATORS and needles_of(test) is not None
                    ):
                        self.text(tests.keys).add(test)

    def planned(self, keys: tuple[str, ...]) -> _TextField | None:
        """The text-search state of a field, if it has one."""
        return self._texts.get(keys)

    def text(self, keys: tuple[str, ...]) -> _TextField:
        """The text-search state of a field (created on first use)."""
        found = self._texts.get(keys)
        if found is None:
            found = self._texts[keys] = _TextField(self, keys, len(self._texts))
        return found


class _TextField:
    """One field's text tests in one generated function: its locals and scans.

    Its locals (``n`` its number), set just before the first rule that tests its text:
    ``s{n}`` whether the value is text, ``f{n}`` the casefolded text (computed by the first
    test that needs it), ``k{n}`` / ``g{n}`` the needles found in the text / in the
    casefolded text (computed before the first rule whose test reads them), ``r{n}`` the
    ids of the patterns that match (computed by the first test that needs them).
    """

    __slots__ = (
        "_scans",
        "declared",
        "direct",
        "index",
        "keys",
        "planned",
        "remaining",
        "scanned",
        "search",
        "source",
    )

    def __init__(self, source: Source, keys: tuple[str, ...], index: int) -> None:
        self.source = source
        self.keys = keys
        self.index = index
        self.search = FieldSearch()
        self.declared = False
        #: needles searched one by one so far, per form of the text (raw, casefolded);
        #: None once the scan has taken over
        self.direct: dict[bool, int | None] = {False: 0, True: 0}
        #: needle lookups of the planned tests not yet emitted, per form of the text
        self.remaining: dict[bool, int] = {False: 0, True: 0}
        #: the local holding the scan's answer, per form of the text, once emitted
        self.scanned: dict[bool, str] = {}
        #: ``id()`` of each planned test (the tree's own objects, alive while emitting)
        self.planned: set[int] = set()
        self._scans: dict[str, str] = {}

    def add(self, test: Test) -> None:
        """Plan a keyword or ``matches`` test of the field (see :meth:`Source.plan`)."""
        self.search.add(test)
        self.planned.add(id(test))
        needles = needles_of(test)
        if needles is not None:
            self.remaining[test.fold] += len(needles)

    def is_text(self, v: str) -> str:
        """The local telling whether the field holds text; the first call queues the
        locals' initialisation with the pending reads, so before the rule being emitted."""
        n = self.index
        if not self.declared:
            self.source.pending.append(f"s{n} = isinstance({v}, str)")
            self.source.pending.append(f"f{n} = r{n} = None")
            self.declared = True
        return f"s{n}"

    def folded(self, v: str) -> str:
        """The casefolded text (of a field known to hold text), casefolded at most once."""
        f = f"f{self.index}"
        return f"({f} if {f} is not None else ({f} := {v}.casefold()))"

    def found(self, v: str, needles: int, fold: bool) -> str | None:
        """The local holding the needles found in one form of the text, for a keyword test
        of ``needles`` needles; None when the test searches the text needle by needle.

        Speed trick (docs/architecture.md, "Text search"): one automaton search costs
        about 0.4-0.7 µs on a ticket text, a substring search 20-50 ns, and a stage often
        ends at its first rules. So the first :data:`DIRECT_NEEDLES` needles of each form
        of a field's text are searched one by one (decided in the order tests are emitted,
        which is the order a ticket meets them), and so are the needles of the last tests
        when no more than :data:`DIRECT_NEEDLES` lookups are left (a scan there costs more
        than it saves: classify on 20 rules went from 1.41 to 1.31 times the if-chain of
        benchmarks/bench_rules.py); a ticket that gets past them is scanned once, just
        before the rule of the first test that reads the scan. An indexed stage scans
        every field first (:func:`_indexed_rules`).
        """
        used = self.direct[fold]
        left = self.remaining[fold]
        self.remaining[fold] = left - needles
        if (
            used is not None
            and not self.source.indexed
            and (left <= DIRECT_NEEDLES or used + needles <= DIRECT_NEEDLES)
        ):
            self.direct[fold] = used + needles
            return None
        name = f"{'g' if fold else 'k'}{self.index}"
        if used is not None:  # the first test to read the scan
            self.direct[fold] = None
            scan = self.source.constant(self.search.keyword_scan(fold).find)
            text = self.folded(v) if fold else v
            missing = "()" if self.source.indexed else "None"  # (indexed: text or nothing)
            self.source.pending.append(f"{name} = {scan}({text}) if s{self.index} else {missing}")
            self.scanned[fold] = name
        return name

    def matched(self, v: str) -> str:
        """The ids of the patterns that match the text (of a field known to hold text),
        searched at most once."""
        r = f"r{self.index}"
        if "patterns" not in self._scans:
            self._scans["patterns"] = self.source.constant(self.search.pattern_scan().find)
        return f"({r} if {r} is not None else ({r} := {self._scans['patterns']}({v})))"


#: the keywords of a field searched one by one before its automaton scan takes over
DIRECT_NEEDLES = 24


def emit(node: Node, source: Source) -> str:
    """``node`` as a Python expression over ``source``'s locals (see :class:`Source`)."""
    if isinstance(node, FieldTests):
        return _emit_field(node, source)
    if isinstance(node, AllOf):
        return "(" + " and ".join(emit(child, source) for child in node.children) + ")"
    if isinstance(node, AnyOf):
        return "(" + " or ".join(emit(child, source) for child in node.children) + ")"
    if isinstance(node, Not):
        return f"(not {emit(node.child, source)})"
    assert isinstance(node, Always)
    return "True"


def _emit_field(node: FieldTests, source: Source) -> str:
    """The tests on one field; the commonest tests inline, the others as calls."""
    v = source.field(node.name)
    if node.exists is False:
        return f"{v} is None"
    parts: list[str] = []
    guarded = False  # whether an earlier part already proves the value is present
    for test in node.tests:
        inline = _inline_test(test, v, source)
        if inline is None and v != "None":
            inline = _text_test(test, node.keys, v, source)
        items = item_condition(test)
        if items is not None:  # the operator's quantifier over the element's generated code
            element = element_predicate(items).function
            inline = f"{source.constant(QUANTIFIERS[test.op](element))}({v})"
            if not guarded:
                parts.append(f"{v} is not None")
        if inline is None:
            if not guarded:
                parts.append(f"{v} is not None")
            parts.append(f"{source.constant(test.check)}({v})")
        else:
            parts.append(inline)
        guarded = True
    if not parts:
        return f"{v} is not None"
    return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"


def element_predicate(items: ItemCondition) -> Selector:
    """The element condition of ``any_item`` / ``all_items`` as one generated function.

    Its paths are relative to the element and no decision value is bound inside it (a
    ``priority`` key of an element is the element's own). An element that is not a mapping
    has no fields, so it is read as an empty mapping, as the closures read it; the closure
    itself stands in if Python will not compile the source.
    """
    source = Source()
    # Speed trick: elements are nearly always dicts, and isinstance() against (dict, Mapping)
    # answers a dict in 15 ns where the Mapping ABC alone takes 115 ns (timeit, 3.11)
    mapping = source.constant((dict, Mapping))
    empty = source.constant(MappingProxyType({}))
    source.plan([items.node])
    test = emit(items.node, source)
    lines = ["def item(t):", f"    if not isinstance(t, {mapping}):", f"        t = {empty}"]
    lines.extend(f"    {read}" for read in source.take_reads())
    lines.append(f"    return True if {test} else False")
    built = build("item", lines, source.namespace)
    return Selector(items.predicate, None) if built is None else built


def _inline_test(test: Test, v: str, source: Source) -> str | None:
    """Speed trick: the commonest tests written out in Python, or None to call the value test.

    Equality and membership on text and booleans are most tests of real policies; inline
    they skip a Python call each (about 1.5x on classify, docs/engine.md). Each form is true
    only for a present value (it implies ``v is not None``) and says exactly what the value
    test says (:func:`.operators.equals`, :func:`.operators.member_of`); the semantics tables
    of tests/test_conditions.py run every operator both ways.
    """
    if test.fold:
        return None
    arg = test.arg
    if test.op == "eq":
        if type(arg) is str:
            return f"(isinstance({v}, str) and {v} == {source.constant(arg)})"
        if type(arg) is bool:
            return f"{v} is {arg}"
    if test.op == "in" and all(type(item) is str for item in arg):
        return f"(isinstance({v}, str) and {v} in {source.constant(frozenset(arg))})"
    return None


# --------------------------------------------------------------------------- text tests


def _text_test(test: Test, keys: tuple[str, ...], v: str, source: Source) -> str | None:
    """Speed trick: text tests over a field's locals, or None to call the value test.

    Each field's text is casefolded at most once per call, its needles found in one
    automaton search per form of the text and its patterns in one RE2 set search, run only
    when a literal the pattern needs is in the text (:mod:`.textsearch`,
    :mod:`.prefilter`), however many tests read them: classify on 2,000 mixed rules went
    from 5.2 to 0.5 times the time of a hand-written if-chain (benchmarks/bench_rules.py).
    Each form is true only for a present value and says exactly what the value test says;
    a value that is not text (a list, for ``contains*``) still goes to the value test.
    """
    op, arg = test.op, test.arg
    if test.fold and op in ("eq", "ne", "in", "not_in"):
        field = source.text(keys)
        folded = field.folded(v)
        if op in ("eq", "ne"):
            if type(arg) is not str:
                return None
            same = f"({field.is_text(v)} and {folded} == {source.constant(arg.casefold())})"
        else:
            if not all(type(item) is str for item in arg):
                return None
            literals = source.constant(frozenset(item.casefold() for item in arg))
            same = f"({field.is_text(v)} and {folded} in {literals})"
        return same if op in ("eq", "in") else f"({v} is not None and not {same})"
    found = source.planned(keys)
    if found is None or id(test) not in found.planned:
        return None  # not planned (emit() called without Source.plan): the value test
    field, is_text = found, found.is_text(v)
    if op == "matches":
        matched = f"{field.search.pattern_id(test)} in {field.matched(v)}"
        needed = needles_of(test)
        if needed is not None:  # Speed trick: RE2 runs only if a needed literal is there
            present = _needles_test(field, needed, test.fold, "contains_any", v, source)
            matched = f"{present} and {matched}"
        return f"({is_text} and {matched})"
    needles = needles_of(test)
    assert needles is not None
    if source.indexed:  # the value is text or nothing: no value test needed
        return _needles_test(field, needles, test.fold, op, v, source)
    text = _needles_test(field, needles, test.fold, op, v, source, bare=True)
    check = source.constant(test.check)
    # (written without inner parentheses: 2,000 rules are a lot of source for compile())
    return f"({text} if {is_text} else {v} is not None and {check}({v}))"


def _needles_test(
    field: _TextField,
    needles: tuple[str, ...],
    fold: bool,
    op: str,
    v: str,
    source: Source,
    *,
    bare: bool = False,
) -> str:
    """Whether a field known to hold text contains the needles (``contains`` and
    ``contains_all``: all of them, ``contains_any``: one), in its casefolded form if
    ``fold``, needle by needle or in the needles its scan found (:meth:`_TextField.found`);
    ``bare``: without parentheses around it (for the body of a conditional expression)."""
    joiner = " or " if op == "contains_any" else " and "
    found = field.found(v, len(needles), fold)
    if found is None:  # needle by needle; the first search of the chain casefolds
        first = field.folded(v) if fold else v
        again = f"f{field.index}" if fold else v
    else:
        first = again = found
        if len(needles) > 1:  # one set operation: shorter source than a chain of lookups
            wanted = source.constant(frozenset(needles))
            if op == "contains_any":  # (the scan's answer may be a list)
                test = f"not {wanted}.isdisjoint({found})"
                return test if bare else f"({test})"
            return f"{wanted}.issubset({found})"
    tests = (
        f"{source.constant(needle)} in {first if i == 0 else again}"
        for i, needle in enumerate(needles)
    )
    chain = joiner.join(tests)
    return chain if bare else f"({chain})"


# --------------------------------------------------------------------------- long stages

#: stages with at least this many rules are indexed (:func:`_indexed_rules`)
INDEX_RULES = 32
#: rules per block, and blocks per group of blocks, of an indexed stage
BLOCK_SIZE = 16

#: something one of which is true whenever a rule holds: ``("text", keys, fold, needle)``
#: the needle is in the field's text (casefolded if ``fold``), ``("value", keys, literal)``
#: the field's value is that text
Fact = tuple[Any, ...]


def _gates(nodes: Sequence[Node], source: Source) -> list[frozenset[Fact] | None] | None:
    """Each rule's facts (None for a rule without any), or None when too few rules have
    facts for an index to pay."""
    gates = [None if isinstance(node, Always) else _gate(node, source) for node in nodes]
    if sum(gate is not None for gate in gates) < INDEX_RULES // 2:
        return None
    return gates


def _gate(node: Node, source: Source) -> frozenset[Fact] | None:
    """Facts one of which holds whenever ``node`` holds on a ticket whose keyword-tested
    fields hold text or nothing (see :func:`_indexed_rules`), or None if none are known."""
    if isinstance(node, FieldTests):
        keys = node.keys
        if node.exists is False or (keys[0] in source.bound and len(keys) > 1):
            return None
        gates = [_test_gate(test, keys) for test in node.tests]
        known = [gate for gate in gates if gate is not None]
        return min(known, key=len) if known else None  # every test holds: one is enough
    if isinstance(node, AllOf):
        children = [_gate(child, source) for child in node.children]
        known = [gate for gate in children if gate is not None]
        return min(known, key=len) if known else None
    if isinstance(node, AnyOf):
        union: set[Fact] = set()
        for child in node.children:
            gate = _gate(child, source)
            if gate is None:  # a child without facts may hold alone
                return None
            union |= gate
        return frozenset(union)
    return None  # Not, Always


def _test_gate(test: Test, keys: tuple[str, ...]) -> frozenset[Fact] | None:
    """The facts of one test: the needles it looks for (all of them for ``contains_any``, the
    longest for ``contains_all``, whose every needle is needed), the literals a ``matches``
    pattern needs, or the texts an ``eq`` / ``in`` test compares with."""
    if test.op == "matches" or test.op in KEYWORD_OPERATORS:
        needles = needles_of(test)
        if needles is None:
            return None
        if test.op in ("contains", "contains_all"):
            needles = (max(needles, key=len),)
        return frozenset(("text", keys, test.fold, needle) for needle in needles)
    if not test.fold and test.op in ("eq", "in"):
        literals = (test.arg,) if test.op == "eq" else test.arg
        if all(type(literal) is str for literal in literals):
            return frozenset(("value", keys, literal) for literal in literals)
    return None


def _indexed_rules(
    nodes: Sequence[Node],
    gates: Sequence[frozenset[Fact] | None],
    source: Source,
    answer: Callable[[int], str],
    other: str,
) -> list[str]:
    """The rules of a long stage in blocks that a ticket skips unless one of their facts
    holds: the function body up to the default.

    Speed trick: a stage of 2,000 rules tested one by one costs about 50 µs a ticket (30 ns
    or more per rule even when its keywords are looked up in a scan's answer). Here every
    field is read and every text field scanned first, then the generated code turns the
    needles found and the values read into the set of blocks (of :data:`BLOCK_SIZE` rules,
    and groups of as many blocks) holding a rule with a fact that holds, and only those
    blocks are tested: classify on 2,000 mixed rules went from 53 µs to 6 µs, and on 200
    from 8.5 µs to 3.3 µs (benchmarks/bench_rules.py). A rule without facts is tested
    wherever it stands.

    The facts are sound only while every field with keyword tests holds text or nothing
    (``contains`` also finds elements of a list), and a field compared with texts holds
    nothing but plain ``str`` (a subclass compares by its own rules); any other ticket is
    handed to the plain stage (``other``: the statement that does so), built on first use,
    which keeps the generated source short (and ``compile()`` quick): the tests here need
    no value test for values that are not text.
    """
    source.indexed = True
    tests = [None if isinstance(node, Always) else emit(node, source) for node in nodes]
    body = [f"    {read}" for read in source.take_reads()]
    rules = [i for i, node in enumerate(nodes) if not isinstance(node, Always)]
    texts = [field for field in source._texts.values() if field.scanned]
    values = sorted(
        {fact[1] for gate in gates if gate for fact in gate if fact[0] == "value"}, key=repr
    )
    # blocks: runs of rules with facts cut every BLOCK_SIZE rules, in groups of BLOCK_SIZE
    # blocks when a run has more than two; (group id or None, [(block id or None, rules)])
    layout: list[tuple[int | None, list[tuple[int | None, list[int]]]]] = []
    ids: dict[int, tuple[int, ...]] = {}  # rule -> the ids of its block and of its group
    count = itertools.count()
    run: list[int] = []
    for next_rule in [*rules, None]:
        if next_rule is not None and gates[next_rule] is not None:
            run.append(next_rule)
            continue
        blocks = [run[i : i + BLOCK_SIZE] for i in range(0, len(run), BLOCK_SIZE)]
        span = BLOCK_SIZE if len(blocks) > 2 else 1
        for start in range(0, len(blocks), span):
            group = None if span == 1 else next(count)
            members: list[tuple[int | None, list[int]]] = []
            for block in blocks[start : start + span]:
                block_id = next(count)
                members.append((block_id, block))
                ids.update(
                    dict.fromkeys(block, (block_id,) if group is None else (group, block_id))
                )
            layout.append((group, members))
        run = []
        if next_rule is not None:  # a rule without facts: tested wherever it stands
            layout.append((None, [(None, [next_rule])]))
    tables: dict[tuple[str, Any], dict[str, set[int]]] = {}
    for rule, where in ids.items():
        for fact in gates[rule] or ():
            key = (fact[0], fact[1:3] if fact[0] == "text" else fact[1])
            tables.setdefault(key, {}).setdefault(fact[-1], set()).update(where)
    # Speed trick: the block ids are gathered by the generated code itself (a helper
    # function doing the same from a generic description took 1.2 µs instead of 0.6)
    guards = [f"(s{field.index} or {source.local(field.keys)} is None)" for field in texts]
    if guards:
        body.append(f"    if not ({' and '.join(guards)}):")
        body.append(f"        {other}")
    body.append(f"    n0 = {source.constant(set)}()")
    for field in texts:
        for fold, found in sorted(field.scanned.items()):
            table = _frozen(tables.get(("text", (field.keys, fold)), {}))
            body.append(f"    for n1 in {found}:")
            body.append(f"        n0.update({source.constant(table.get)}(n1, ()))")
    for keys in values:
        v = source.local(keys)
        table = _frozen(tables.get(("value", keys), {}))
        body.append(f"    if {v}.__class__ is str:")  # exactly text: a dict lookup
        body.append(f"        n0.update({source.constant(table.get)}({v}, ()))")
        body.append(f"    elif isinstance({v}, str):")  # a subclass of str
        body.append(f"        {other}")
    for group_id, members in layout:
        depth = "    " if group_id is None else "        "
        if group_id is not None:
            body.append(f"    if {group_id} in n0:")
        for member_id, block in members:
            inner = depth if member_id is None else depth + "    "
            if member_id is not None:
                body.append(f"{depth}if {member_id} in n0:")
            for rule in block:
                body.append(f"{inner}if {tests[rule]}:")
                body.append(f"{inner}    return {answer(rule)}")
    return body


def _frozen(table: Mapping[str, set[int]]) -> dict[str, tuple[int, ...]]:
    return {key: tuple(sorted(ids)) for key, ids in table.items()}


class _Later:
    """A function built on its first call: the plain stage, for the rare tickets an indexed
    stage does not take (a list where its keywords look for text)."""

    __slots__ = ("_build", "_function")

    def __init__(self, build: Callable[[], Callable[..., Any]]) -> None:
        self._build = build
        self._function: Callable[..., Any] | None = None

    def __call__(self, *arguments: Any) -> Any:
        function = self._function
        if function is None:  # (two threads may both build it: the same function)
            function = self._function = self._build()
        return function(*arguments)
