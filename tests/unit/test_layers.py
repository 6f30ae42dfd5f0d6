"""The package is the pipeline: each layer imports only the layers below it, and no module imports
itself back through another (imports inside functions count: they hide a cycle, not remove it)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "socta"
LAYERS = ["core", "i18n", "ingest", "collect", "analysis", "process", "pages", "run", "narrative", "book", "cli"]
MAX_LINES = 800


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path, known: set[str]) -> list[tuple[str, int, bool]]:
    """(module imported, line, inside a function) for every import of a socta module."""
    tree = ast.parse(path.read_text())
    in_function = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for n in ast.walk(f) if n is not f}
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("socta"):
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                     for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("socta")]
        found += [(name, node.lineno, id(node) in in_function) for name in names]
    return found


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else -1


def test_every_module_sits_in_a_layer():
    stray = [m for m in modules() if m not in ("socta", "socta.__main__") and layer(m) < 0]
    assert not stray, f"modules outside the layers {LAYERS}: {stray}"


def test_imports_go_only_downward():
    known = set(modules())
    upward = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
              for module, path in modules().items() if layer(module) >= 0
              for name, line, _ in imports(path, known) if layer(name) > layer(module)]
    assert not upward, "a layer imports one above it:\n" + "\n".join(upward)


def test_no_import_cycle():
    known = set(modules())
    graph = {m: {name for name, _, _ in imports(p, known) if name in known and name != m}
             for m, p in modules().items()}
    cycles, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" → ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_imports_inside_functions_say_why():
    """An import inside a function is allowed where it saves start-up time, with a comment saying so."""
    known = set(modules())
    silent = []
    for module, path in modules().items():
        lines = path.read_text().splitlines()
        for name, line, inside in imports(path, known):
            above = line - 2  # the comment may sit on the import or above the block of imports it opens
            while above >= 0 and lines[above].strip().startswith(("from ", "import ", ")")) and "#" not in lines[above]:
                above -= 1
            if inside and "#" not in lines[line - 1] and not (above >= 0 and lines[above].strip().startswith("#")):
                silent.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name} inside a function")
    assert not silent, "\n".join(silent)


@pytest.mark.parametrize("module", sorted(modules()))
def test_no_module_is_over_800_lines(module):
    lines = len(modules()[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by what its parts do"
