"""The shape of the house: packages by stage, one of each primitive, no import cycles, core knows no bots."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "bots")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project's modules ``name`` imports, type-only and function-local imports included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], base]).strip(".")
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def test_no_import_cycle_among_the_projects_modules() -> None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(GRAPH[node]):
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target) :], target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(GRAPH):
        if node not in state:
            visit(node)


def test_core_never_imports_bots_or_tests() -> None:
    offenders = {
        name: sorted(target for target in GRAPH[name] if not target.startswith("core"))
        for name in GRAPH
        if name.startswith("core")
    }
    assert {name: targets for name, targets in offenders.items() if targets} == {}
    for name, path in MODULES.items():
        if name.startswith("core"):
            assert "import bots" not in path.read_text() and "from tests" not in path.read_text(), name


def test_data_flows_one_way_from_text_and_reading_to_answers_and_alerts() -> None:
    """Text primitives, storage and the reading never reach up to what uses them: answers, alerts and
    commands."""
    below = ("core.text", "core.reading", "core.storage")
    above = ("core.answers", "core.alerts", "core.commands")
    reaching_up = {
        name: sorted(target for target in GRAPH[name] if target.startswith(above))
        for name in GRAPH
        if name.startswith(below)
    }
    assert {name: targets for name, targets in reaching_up.items() if targets} == {}


def test_the_core_root_is_small_and_every_package_has_several_modules() -> None:
    root = sorted(p.stem for p in (ROOT / "core").glob("*.py") if p.stem != "__init__")
    assert len(root) <= 6, root
    for package in sorted(p for p in (ROOT / "core").iterdir() if (p / "__init__.py").exists()):
        modules = [p for p in package.glob("*.py") if p.stem != "__init__"]
        assert len(modules) >= 2, f"{package.name} has {len(modules)} module(s)"


def test_shipped_code_holds_no_test_stand_ins() -> None:
    shipped = [name for name in MODULES if "recording" in name or "standin" in name]
    assert shipped == []


@pytest.mark.parametrize(
    ("primitive", "home"),
    [
        ("def split_sentences", "core/text/sentences.py"),
        ("def sentence_spans", "core/text/sentences.py"),
        ("_SENTENCE_END = ", "core/text/sentences.py"),
        ("_ABBREVIATED = ", "core/text/sentences.py"),
        ('"january"', "core/text/dates.py"),
        ("month_name", "core/text/dates.py"),
        ("import rapidfuzz", "core/text/similarity.py"),
        ("from rapidfuzz", "core/text/similarity.py"),
        ("import difflib", "none: word diffs use similarity.edits"),
    ],
)
def test_one_of_each_primitive(primitive: str, home: str) -> None:
    """A sentence splitter, a date parser, a similarity (whose alignment also gives word diffs): each
    defined in one module only."""
    holders = [
        str(path.relative_to(ROOT))
        for path in MODULES.values()
        if primitive in path.read_text(encoding="utf-8")
    ]
    assert holders in ([], [home]), holders
