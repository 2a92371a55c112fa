"""One policy's durable-rules ruleset: its rules, events, actions and introspection.

durable-rules fires the matching rule with the lowest ``pri`` and consumes the event; rules
get their position in file order as ``pri``. Every rule also requires the event's chunk
tag: durable-rules runs its own state document (``sid``, ``id``, ``$s``) through the same
network, and a rule that its state document satisfies (a test for a missing attribute, or
on ``id`` / ``sid``) fires again on every state update, forever. Each chunk ends with a rule
that matches every event of the chunk, so ``MessageNotHandledException`` cannot happen.

Actions and threads: all rules of a policy live in one ruleset, driven without durable-rules'
``Host`` (whose background threads run some actions after ``post`` has returned). A decision
is read only once its action has run: each event carries a serial number, the action files
its result under it, and the caller waits (pumping pending actions itself) for at most
:data:`ACTION_TIMEOUT` seconds before raising :class:`TicketError`. Engine calls are
serialised by one lock (durable-rules holds the GIL in every call anyway), each inside
:func:`~.availability.quiet`. The ruleset is deleted when the policy is garbage-collected.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from ..._compile import Rules
from ..._conditions import Condition
from ..._errors import PolicyError, Problem, TicketError
from .availability import durable_engine, quiet
from .encoding import Json, Names, Slot, View
from .lowering import CHUNK_TESTS, Forms, Lowerer, Stage, normal_form, pack

__all__ = ["ACTION_TIMEOUT", "ENGINE_LOCK", "MAX_CHUNKS", "Engine"]

#: seconds a caller waits for durable-rules to run the action of its event
ACTION_TIMEOUT = 5.0
#: chunks per policy (their tags share one attribute: a hash set of 512 entries)
MAX_CHUNKS = 500
#: serialises every call into durable-rules, of every policy
ENGINE_LOCK = threading.Lock()

_DEFAULT_PRI = 60_000  # pri is read as an unsigned 16-bit number; negative values misorder
_SERIAL = itertools.count(1)


def _refused(message: str, filename: str | None) -> PolicyError:
    """The error for a policy durable-rules cannot hold (``message`` says why and what to do)."""
    return PolicyError([Problem(message, "", filename)])


class Engine:
    """One policy's ruleset, its chunks and the bookkeeping of fired actions."""

    def __init__(self, policy: Rules) -> None:
        engine = durable_engine()
        self.policy_name = policy.name
        self.action_timeout = ACTION_TIMEOUT
        names = Names()
        self.tag_name = names.take("q")
        self.event_name = names.take("e")
        slots: dict[str, Slot] = {}

        def slot(path: str) -> Slot:
            """The slot of a field, made on first use (so slots are numbered in file order)."""
            found = slots.get(path)
            if found is None:
                found = slots[path] = Slot(path, names, len(slots))
            return found

        lowerer = Lowerer(names, Forms(slot))
        tags = itertools.count(1)
        # (stage, its rules' conditions in file order, the native answer when none matches)
        stages: list[tuple[str, list[Condition], int]] = [
            ("category", [r.condition for r in policy.categories], len(policy.categories) - 1),
            ("priority", [r.condition for r in policy.priority_rules], -1),
            ("sla", [s.rule.condition for s in policy.slas], len(policy.slas) - 1),
            ("routing", [r.condition for r in policy.routing], len(policy.routing) - 1),
        ]
        self.stages: list[Stage] = []
        for stage_name, conditions, fallback in stages:
            lowered = [
                lowerer.lower(None if c.is_always else normal_form(c.node), i)
                for i, c in enumerate(conditions)
            ]
            self.stages.append(Stage(stage_name, pack(lowered, tags), fallback))
        chunk_count = sum(len(stage.chunks) for stage in self.stages)
        if chunk_count > MAX_CHUNKS:
            raise _refused(
                f"this policy needs {chunk_count} durable-rules chunks of at most "
                f"{CHUNK_TESTS} tests; durable-rules can hold {MAX_CHUNKS} in one ruleset: use "
                "the native backend (the default)",
                policy.filename,
            )
        self.definition_bodies = dict(self._bodies())
        self.name = f"slapolicy_{policy.version.removeprefix('sha256:')}_{next(_SERIAL)}"
        self._results: dict[int, int] = {}
        self._abandoned: set[int] = set()
        self._done = threading.Condition(threading.Lock())
        self._serial = itertools.count(1)
        runnable: Json = {}
        for rule, body in self._bodies():
            result = body.pop("result")
            runnable[rule] = {**body, "run": self._action(result)}
        try:
            with ENGINE_LOCK, quiet():
                self.ruleset = engine.Ruleset(self.name, None, runnable)
        except Exception as exc:
            message = (
                f"durable-rules cannot hold this policy ({exc}); use the native backend "
                "(the default)"
            )
            raise _refused(message, policy.filename) from None
        #: deletes the ruleset when this engine (its policy) is garbage-collected
        self.finalizer = weakref.finalize(
            self, _delete_ruleset, engine.durable_rules_engine, self.ruleset._handle
        )
        self.finalizer.atexit = False

    # ------------------------------------------------------------------ compile

    def _bodies(self) -> Iterator[tuple[str, Json]]:
        """Every rule of the ruleset: its name and body (``all``, ``pri``, ``result``)."""
        for stage in self.stages:
            for chunk in stage.chunks:
                tag: Json = {self.tag_name: chunk.tag}
                for pri, rule in enumerate(chunk.rules):
                    if rule.expression is None:
                        expression = tag
                    else:
                        parts = rule.expression.get("$and", [rule.expression])
                        expression = {"$and": [tag, *parts]}
                    body = {"all": [{"m": expression}], "pri": pri, "result": rule.result}
                    yield f"c{chunk.tag}r{rule.result}", body
                yield f"c{chunk.tag}none", {"all": [{"m": tag}], "pri": _DEFAULT_PRI, "result": -1}

    def _action(self, result: int) -> Callable[[Any], None]:
        """The action of a rule: file ``result`` under the serial number of its event."""
        results, abandoned, done, event_name = (
            self._results,
            self._abandoned,
            self._done,
            self.event_name,
        )

        def fired(c: Any) -> None:
            """Record the result for the waiting caller (or drop it if the caller gave up)."""
            serial = c.m[event_name]
            with done:
                if serial in abandoned:
                    abandoned.discard(serial)
                else:
                    results[serial] = result
                    done.notify_all()

        return fired

    # ------------------------------------------------------------------ evaluate

    def select(self, stage_index: int, view: View) -> int:
        """The index of the first rule of a stage that matches, else the stage's fallback."""
        stage = self.stages[stage_index]
        memo: dict[int, dict[str, Any]] = {}
        for chunk in stage.chunks:
            result = self._post(chunk.message(view, memo, self.tag_name))
            if result >= 0:
                return result
        return stage.fallback

    def _post(self, message: Json) -> int:
        """Post one event and return the result its action filed (waiting if it is late)."""
        serial = next(self._serial)
        message[self.event_name] = serial
        failures: list[Any] = []

        def complete(error: Any, _state: Any) -> None:
            """Keep the error durable-rules reports after running the actions, if any."""
            if error:
                failures.append(error)

        with ENGINE_LOCK, quiet():
            try:
                state = self.ruleset.assert_event(message)
                self.ruleset.do_actions(state, complete)
            except Exception as exc:
                failures.append(exc)
        if failures:
            with self._done:
                self._results.pop(serial, None)
            error = failures[0]
            detail = getattr(error, "message", None) or str(error) or type(error).__name__
            raise TicketError(f"durable-rules could not evaluate the ticket: {detail}")
        with self._done:
            result = self._results.pop(serial, None)
        return self._await(serial) if result is None else result

    def _await(self, serial: int) -> int:
        """Wait for an action that did not run within ``post``, running pending ones."""
        deadline = time.monotonic() + self.action_timeout
        while True:
            with ENGINE_LOCK, quiet(), contextlib.suppress(Exception):
                self.ruleset.dispatch()
            with self._done:
                if serial in self._results:
                    return self._results.pop(serial)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._abandoned.add(serial)
                    raise TicketError(
                        f"durable-rules did not run the rule action for this ticket within "
                        f"{self.action_timeout:g} s (policy {self.policy_name!r}); no decision "
                        "was made"
                    )
                self._done.wait(min(remaining, 0.01))

    # ------------------------------------------------------------------ introspection

    def definition(self) -> dict[str, Any]:
        """The ruleset as handed to durable-rules (rule name -> ``all``/``pri``), for reading."""
        return {
            name: {k: v for k, v in body.items() if k != "result"}
            for name, body in self.definition_bodies.items()
        }

    def summary(self) -> dict[str, Any]:
        """Per stage: rules, chunks, tests run by durable-rules and tests computed natively."""
        stages = {}
        for stage in self.stages:
            rules = [rule for chunk in stage.chunks for rule in chunk.rules]
            stages[stage.name] = {
                "rules": len(rules),
                "chunks": len(stage.chunks),
                "durable_tests": sum(rule.delegated for rule in rules),
                "native_tests": sum(rule.native_tests for rule in rules),
                "native_attributes": sum(len(rule.natives) for rule in rules),
            }
        return {"ruleset": self.name, "stages": stages}


def _delete_ruleset(module: Any, handle: Any) -> None:
    """Free a ruleset in durable-rules (called when its engine is garbage-collected)."""
    with ENGINE_LOCK, contextlib.suppress(Exception):
        module.delete_ruleset(handle)
