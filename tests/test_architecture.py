"""The house rules of docs/architecture.md, checked on the source itself.

* dependencies point one way: each package imports only from layers below it, and no module
  imports (even inside a function) anything that imports it back;
* no module is longer than 800 lines;
* no module reads another module's private state (``obj._name`` where ``_name`` is not its
  own), so a change inside one module cannot silently break another;
* a :class:`Policy` cannot be changed after it is built.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import slapolicy

PACKAGE = Path(slapolicy.__file__).resolve().parent
MAX_LINES = 800

#: the pipeline's rooms, lowest first; a room may import from rooms in earlier layers only
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"_version", "_errors"}),
    frozenset({"_durations", "_fields", "_jsonlines"}),
    frozenset({"_calendar", "_source", "_conditions"}),
    frozenset({"_compile"}),
    frozenset({"_engine"}),
    frozenset({"_clock", "_backends", "_batch"}),
    frozenset({"_policy"}),
    frozenset({"__init__"}),
    frozenset({"_tooling", "testing", "spark"}),
    frozenset({"cli"}),
    frozenset({"__main__"}),
)

#: private attributes of third-party objects read on purpose, with the reason
FOREIGN_PRIVATE = {
    "_handle": "durable-rules exposes a ruleset's handle only as _handle; deleting the ruleset "
    "when the policy is collected needs it",
}


def _modules() -> dict[str, Path]:
    """Dotted module name (``slapolicy._engine.schedule``) -> file."""
    out: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name of a (possibly relative) import made in ``module``."""
    if level == 0:
        return name or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *(name.split(".") if name else [])])


def _imports(module: str) -> Iterator[str]:
    """Every slapolicy module ``module`` imports, at the top or inside a function."""
    path = MODULES[module]
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node.level, node.module)
            targets = [base]
            # `from . import x` / `from .pkg import sub`: x may be a module itself
            targets += [f"{base}.{alias.name}" for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            targets = [node.args[0].value]
        for target in targets:
            if target in MODULES and target != module:
                yield target


GRAPH = {module: sorted(set(_imports(module))) for module in MODULES}


def _room(module: str) -> str:
    """The top-level room of a module: ``slapolicy._engine.schedule`` -> ``_engine``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(room: str) -> int:
    for index, rooms in enumerate(LAYERS):
        if room in rooms:
            return index
    raise AssertionError(f"module room {room!r} is in no layer of tests/test_architecture.py")


def test_every_room_has_a_layer() -> None:
    for module in MODULES:
        _layer(_room(module))


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_layers(module: str) -> None:
    room = _room(module)
    for target in GRAPH[module]:
        other = _room(target)
        if other != room:
            assert _layer(other) < _layer(room), f"{module} imports {target}, a room above it"


def test_no_import_cycle() -> None:
    """Depth-first search for a back edge in the module import graph."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in GRAPH[module]:
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target) :], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in MODULES:
        if module not in state:
            visit(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_800_lines(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def _own_private_names(tree: ast.AST) -> set[str]:
    """The private names a module defines: functions, classes, attributes, slots."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)  # __slots__ entries, object.__setattr__(self, "_x", ...)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if name.startswith("_")}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_reads_another_modules_private_state(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    own = _own_private_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or name.startswith("__") or name in own:
            continue
        assert name in FOREIGN_PRIVATE, f"{module}:{node.lineno} reads {name!r} of another module"


def test_only_the_policy_module_knows_the_policy_s_private_attributes() -> None:
    slots = set(slapolicy.Policy.__slots__)
    for module, path in MODULES.items():
        if module == "slapolicy._policy":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                assert node.attr not in slots, f"{module}:{node.lineno} reads Policy.{node.attr}"


POLICY = Path(__file__).resolve().parent.parent / "policies" / "service-levels.yaml"


@pytest.mark.parametrize(
    "name", ["version", "slas", "categories", "calendars", "priorities", "routing", "rules", "name"]
)
def test_a_policy_cannot_be_changed(name: str) -> None:
    policy = slapolicy.load_policy(POLICY)
    before = policy.evaluate({"type": "outage"}, at="2026-05-08T17:30:00+08:00")
    with pytest.raises(AttributeError, match="immutable"):
        setattr(policy, name, ())
    with pytest.raises(AttributeError, match="immutable"):
        delattr(policy, name)
    with pytest.raises(AttributeError, match="immutable"):
        policy._evaluator = None  # type: ignore[misc]
    after = policy.evaluate({"type": "outage"}, at="2026-05-08T17:30:00+08:00")
    assert after == before
    assert after.policy_version == before.policy_version


def test_a_policy_s_parts_cannot_be_changed_either() -> None:
    policy = slapolicy.load_policy(POLICY)
    with pytest.raises(TypeError):
        policy.calendars["office"] = policy.calendars["around-the-clock"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        policy.rules.version = "sha256:forged"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        policy.slas[0].rule.condition.matches = lambda ticket: True  # type: ignore[misc]
