"""The package's layers: no import cycle among visitrack's modules, and the store below the NLP.

The import graph is read from the source with :mod:`ast`, not by importing, so a cycle is found
even where Python would happen to resolve it (a name looked up late, a lazy import).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "visitrack"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in sorted(PACKAGE.rglob("*.py"))
        # Alembic's migration scripts are loaded by alembic from files, never imported.
        if "migrations" not in p.relative_to(PACKAGE).parts
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, *, module_level: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements run when the module is imported (``module_level``) or ever.

    Imports under ``if TYPE_CHECKING:`` never run and are left out either way.
    """
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            if module_level and isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            ):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child
            stack.append(child)


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, path: Path, known: set[str]
) -> set[str]:
    """The visitrack modules an import statement loads (not the packages around them)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{node.module}" if node.module else package
        else:
            base = node.module or ""
        # `from visitrack import link` loads the module visitrack.link; `from visitrack.store
        # import open_store` loads visitrack.store.
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
    out = set()
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != "visitrack":
            out.add(name)
    return out


def import_graph(*, module_level: bool) -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: set[str] = set()
        for node in _imports(tree, module_level=module_level):
            edges |= _targets(node, module, path, known)
        edges.discard(module)
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that returns to its start, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_the_graph_sees_the_package() -> None:
    graph = import_graph(module_level=True)
    assert {"visitrack.cli", "visitrack.store.db", "visitrack.pipeline"} <= set(graph)
    assert "visitrack.records" in graph["visitrack.store.db"]
    assert "visitrack.cli.common" in graph["visitrack.cli.store"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize("module_level", [True, False], ids=["module-level", "all-imports"])
def test_no_import_cycle(module_level: bool) -> None:
    """No module imports itself through others: not when loaded, nor later in a function."""
    cycle = find_cycle(import_graph(module_level=module_level))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return set(proc.stdout.split())


NLP_MODULES = {
    "spacy",
    "visitrack.pipeline",
    "visitrack.nlp",
    "visitrack.extract",
    "visitrack.extract.actors",
    "visitrack.extract.stage",
    "visitrack.clean",
    "visitrack.resolve",
}


def test_the_store_imports_nothing_from_nlp() -> None:
    """The store takes the pipeline's records; it does not load the pipeline or spaCy."""
    loaded = _loaded_after("import visitrack.store")
    assert "visitrack.store.db" in loaded
    assert not loaded & NLP_MODULES, sorted(loaded & NLP_MODULES)


def test_the_store_commands_import_nothing_from_nlp() -> None:
    """`visitrack visits`, `show`, `export`, `check` load the store, not the extractor."""
    loaded = _loaded_after("import visitrack.cli, visitrack.cli.store")
    assert not loaded & NLP_MODULES, sorted(loaded & NLP_MODULES)


def test_the_extract_command_does_not_load_the_store() -> None:
    loaded = _loaded_after("import visitrack.cli, visitrack.cli.extract")
    assert "visitrack.store" not in loaded
    assert "sqlalchemy" not in loaded


def test_tests_do_not_import_from_scripts() -> None:
    """Harness code the tests share with the benches lives in tests/ (or the package), and the
    scripts import it from there, not the other way round."""
    tests = Path(__file__).resolve().parent
    pattern = re.compile(r"sys\.path\.(?:insert|append)\([^\n]*scripts", re.IGNORECASE)
    offenders = [
        str(p.relative_to(tests))
        for p in sorted(tests.rglob("*.py"))
        if pattern.search(p.read_text())
    ]
    assert offenders == []
