"""The arrows between bot/ modules run one way: no module imports, however late, one that imports it back."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import bot

PACKAGE = Path(bot.__file__).parent


def module_files() -> dict[str, Path]:
    """Every module of the bot package by dotted name (a package by its own name, for its __init__)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _under_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that runs: at the top, in functions and in classes, but not the ones only type checkers read."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _under_type_checking(node):
            yield from (n for child in node.orelse for n in _imports_in(child))
            continue
        yield from _imports_in(node)


def _imports_in(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _imports(node)


def imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The bot modules `name` imports: `from bot.slack import listeners` is an arrow to bot.slack.listeners."""
    targets = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            wanted = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            wanted = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        for target in wanted:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
    return targets


def import_graph() -> dict[str, set[str]]:
    """Module -> the bot modules it imports anywhere, so an import hidden inside a function counts too."""
    modules = module_files()
    return {name: imported(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of imports as the modules along it, or None when every arrow runs one way."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for target in sorted(graph[module]):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done and (cycle := visit(target)):
                return cycle
        on_path.discard(path.pop())
        done.add(module)
        return None

    for start in sorted(graph):
        if start not in done and (cycle := visit(start)):
            return cycle
    return None


def test_no_module_of_the_bot_imports_one_that_imports_it_back() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_sees_a_loop_through_a_late_import(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def later():\n    from pkg.a import thing\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n")
    modules = {"pkg": package / "__init__.py", **{f"pkg.{n}": package / f"{n}.py" for n in "abc"}}
    graph = {name: imported(name, path, modules) for name, path in modules.items()}
    assert graph["pkg.c"] == set()  # read only by type checkers: no arrow at run time
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.a"]


def test_the_graph_covers_the_adapters_and_the_core() -> None:
    graph = import_graph()
    assert {"bot.cli", "bot.launcher", "bot.discord.client", "bot.slack.app", "bot.core.commands"} <= set(graph)
    assert "bot.discord.replies" in graph["bot.discord.daily"]
