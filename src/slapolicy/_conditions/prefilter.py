"""Literals a pattern needs: text without any of them cannot match, so RE2 need not run.

Most ``matches`` patterns of a helpdesk policy hold literal text: ``订单号\\s*\\d{8}`` cannot
match a ticket that does not contain ``订单号``, and ``(?:退款|退货).*失败`` one that holds
neither ``退款`` nor ``退货``. :func:`required_literals` reads a pattern and returns such a
set of literals, one of which occurs in every text the pattern matches, or None when it
finds none or the pattern uses syntax it does not follow. The generated code of a stage
(:mod:`.codegen`) tests the literals first, as keywords (found once per field with the
stage's other keywords), and runs RE2 only when one is present: a substring test costs
20-50 ns, an RE2 search from Python 0.6-1 µs.

Soundness is all that matters here, never completeness: a literal set must be *necessary*
for a match, or a ticket would miss a rule. The reader follows RE2's syntax
(https://github.com/google/re2/wiki/Syntax) for the constructs it accepts and gives up
(None) on anything else: flag groups, ``\\Q...\\E``, octal and hex escapes, ``\\C``, a ``{``
that is not a repetition, a ``[`` or leading ``]`` inside a class. Whatever it cannot read as
a literal (``.``, classes, ``\\d``, ``\\pN``) counts as one unknown character, which
requires nothing. A part repeated zero times requires nothing.

Case-insensitive patterns: RE2 compares every literal with Unicode simple case folding.
The literals are then looked for in ``text.casefold()`` as their casefolded form, which is
sound for ASCII (RE2 folds ``k`` with ``K`` and U+212A, ``s`` with ``S`` and U+017F, every
other ASCII letter with its other case; ``str.casefold`` maps all of them to the ASCII
letter) and for CJK ideographs (caseless); any other literal character of a
case-insensitive pattern counts as unknown. ``tests/test_text_search.py`` checks both
claims over every code point.
"""

from __future__ import annotations

import functools

__all__ = ["required_literals"]

#: the most strings a literal set may hold (alternatives multiply in a concatenation)
_MAX_SET = 16
#: groups nested deeper than this are not followed (the pattern gets no prefilter)
_MAX_NESTING = 64
_EMPTY_WIDTH = frozenset("bBAz")  # \b \B \A \z
_ONE_CHARACTER = frozenset("dDsSwWntrfva")  # \d ... and control characters: unknown

Literals = frozenset[str]
#: what a part of a pattern tells: (every string it can match, if few and known; a set of
#: which one occurs in every match, if known)
Info = tuple[Literals | None, Literals | None]
_UNKNOWN: Info = (None, None)
_EMPTY: Info = (frozenset({""}), None)


class _GiveUp(Exception):
    """The pattern uses syntax this reader does not follow."""


@functools.lru_cache(maxsize=4096)
def required_literals(pattern: str, fold: bool) -> Literals | None:
    """Literals one of which occurs in every text that ``pattern`` matches (an RE2 search,
    ``fold`` for ``case: insensitive``), as they occur in the text, or casefolded (to be
    looked for in the casefolded text) when ``fold``; None when none are known."""
    try:
        reader = _Reader(pattern, fold)
        info = reader.alternation(0)
        if reader.at < len(pattern):  # an unbalanced ")": not RE2 as this reader knows it
            raise _GiveUp
    except _GiveUp:
        return None
    return _better(info[1], info[0])


def _is_safe_folded(char: str) -> bool:
    """Whether RE2's case-insensitive match of ``char`` is exactly what casefolding finds."""
    return char.isascii() or "\u3400" <= char <= "\u4dbf" or "\u4e00" <= char <= "\u9fff"


class _Reader:
    """A recursive-descent reader of one pattern."""

    def __init__(self, pattern: str, fold: bool) -> None:
        self.pattern = pattern
        self.fold = fold
        self.at = 0

    def peek(self) -> str:
        return self.pattern[self.at] if self.at < len(self.pattern) else ""

    def alternation(self, nesting: int) -> Info:
        """``a|b|...`` up to the end or a closing parenthesis."""
        branches = [self.concatenation(nesting)]
        while self.peek() == "|":
            self.at += 1
            branches.append(self.concatenation(nesting))
        if len(branches) == 1:
            return branches[0]
        exact: Literals | None = frozenset()
        required: Literals | None = frozenset()
        for branch_exact, branch_required in branches:
            exact = _union(exact, branch_exact)
            required = _union(required, _better(branch_required, branch_exact))
        return exact, required

    def concatenation(self, nesting: int) -> Info:
        """A sequence of repeated atoms."""
        whole: Literals | None = frozenset({""})  # every string the sequence can match
        run: Literals = frozenset({""})  # those of its latest run of known parts
        best: Literals | None = None
        while self.peek() not in ("", "|", ")"):
            exact, required = self.repetition(nesting)
            whole = _product(whole, exact)
            joined = _product(run, exact)
            if joined is not None:
                run = joined
                continue
            best = _better(best, run)
            if exact is not None:  # too many alternatives: a new run starts here
                run = exact
            else:
                best = _better(best, required)
                run = frozenset({""})
        return whole, _better(best, run)

    def repetition(self, nesting: int) -> Info:
        """An atom and the repetition operators after it."""
        info = self.atom(nesting)
        while True:
            char = self.peek()
            if char in ("*", "?"):
                self.at += 1
                least: int | None = 0
            elif char == "+":
                self.at += 1
                least = 1
            elif char == "{":
                least = self.braces()
            else:
                return info
            if self.peek() == "?":  # non-greedy: the same texts match
                self.at += 1
            # zero times: may match nothing at all, so requires nothing; at least once:
            # what one copy requires, but no exact strings
            info = _UNKNOWN if least == 0 else (None, _better(info[1], info[0]))

    def braces(self) -> int:
        """``{n}``, ``{n,}`` or ``{n,m}``: the least count (else give up: RE2 would read a
        literal ``{``, which this reader does not follow)."""
        end = self.pattern.find("}", self.at)
        if end < 0:
            raise _GiveUp
        inside = self.pattern[self.at + 1 : end]
        low, _, high = inside.partition(",")
        if not low.isdigit() or not low.isascii() or (high and not high.isdigit()):
            raise _GiveUp
        if high and not high.isascii():
            raise _GiveUp
        self.at = end + 1
        return int(low)

    def atom(self, nesting: int) -> Info:
        """One literal, class, escape, group or assertion."""
        pattern = self.pattern
        char = pattern[self.at]
        self.at += 1
        if char == "(":
            return self.group(nesting)
        if char == "[":
            self.skip_class()
            return _UNKNOWN
        if char == "\\":
            return self.escape()
        if char in ("^", "$"):
            return _EMPTY
        if char == ".":
            return _UNKNOWN
        if char in ("*", "+", "?", "{"):  # a repetition with nothing before it
            raise _GiveUp
        return self.literal(char)

    def literal(self, char: str) -> Info:
        if not self.fold:
            return frozenset({char}), None
        if _is_safe_folded(char):
            return frozenset({char.casefold()}), None
        return _UNKNOWN

    def group(self, nesting: int) -> Info:
        """After ``(``: a capturing, non-capturing or named group (flags: give up)."""
        if nesting >= _MAX_NESTING:
            raise _GiveUp
        pattern = self.pattern
        if pattern.startswith("?:", self.at):
            self.at += 2
        elif pattern.startswith("?P<", self.at) or pattern.startswith("?<", self.at):
            end = pattern.find(">", self.at)
            if end < 0:
                raise _GiveUp
            self.at = end + 1
        elif self.peek() == "?":  # flags, which may turn on case folding
            raise _GiveUp
        info = self.alternation(nesting + 1)
        if self.peek() != ")":
            raise _GiveUp
        self.at += 1
        return info

    def escape(self) -> Info:
        """After a backslash outside a class."""
        char = self.peek()
        if not char:
            raise _GiveUp
        self.at += 1
        if char.isascii() and not char.isalnum():  # escaped punctuation: itself
            return self.literal(char)
        if char in _EMPTY_WIDTH:
            return _EMPTY
        if char in _ONE_CHARACTER:
            return _UNKNOWN
        if char in ("p", "P"):  # \pN or \p{Han}: one character of a Unicode class
            self.skip_unicode_class()
            return _UNKNOWN
        raise _GiveUp  # \Q...\E, \x.., octal, \C, anything else

    def skip_unicode_class(self) -> None:
        if self.peek() == "{":
            end = self.pattern.find("}", self.at)
            if end < 0:
                raise _GiveUp
            self.at = end + 1
        elif self.peek().isascii() and self.peek().isalpha():
            self.at += 1
        else:
            raise _GiveUp

    def skip_class(self) -> None:
        """After ``[``: move past the class's closing ``]``."""
        if self.peek() == "^":
            self.at += 1
        if self.peek() == "]":  # a leading ] is a member in RE2: not followed here
            raise _GiveUp
        while True:
            char = self.peek()
            if not char or char == "[":  # [:alpha:] and the like: not followed here
                raise _GiveUp
            self.at += 1
            if char == "]":
                return
            if char == "\\":
                escaped = self.peek()
                if not escaped:
                    raise _GiveUp
                self.at += 1
                if escaped in ("p", "P"):
                    self.skip_unicode_class()
                elif escaped.isascii() and escaped.isalnum() and escaped not in _ONE_CHARACTER:
                    raise _GiveUp  # \x.., octal, ...: not followed here


def _product(left: Literals | None, right: Literals | None) -> Literals | None:
    """Every concatenation of a string of ``left`` and one of ``right`` (None if unknown
    or too many)."""
    if left is None or right is None or len(left) * len(right) > _MAX_SET:
        return None
    return frozenset(a + b for a in left for b in right)


def _union(left: Literals | None, right: Literals | None) -> Literals | None:
    if left is None or right is None or len(left) + len(right) > _MAX_SET:
        return None
    return left | right


def _score(literals: Literals) -> tuple[int, int]:
    """Better literal sets have longer shortest literals, then fewer literals."""
    return min(len(literal) for literal in literals), -len(literals)


def _better(left: Literals | None, right: Literals | None) -> Literals | None:
    """The more selective of two requirements; a set that holds "" requires nothing."""
    usable: list[Literals] = [s for s in (left, right) if s and "" not in s]
    if not usable:
        return None
    return max(usable, key=_score)
