"""The package's layers (ARCHITECTURE.md): each imports only itself and the layers below it,
and no module imports itself back through others."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "so_eval"

LAYERS: list[tuple[str, set[str]]] = [
    ("base", {"so_eval", "config", "fmt", "files", "folders", "glossary", "params"}),
    ("data", {"data"}),
    ("demo", {"demo"}),
    ("disclosure", {"disclosure"}),
    ("metrics", {"metrics"}),
    ("screening", {"screening"}),
    ("reporting", {"reporting"}),
    ("plots", {"plots"}),
    ("effects", {"effects"}),
    ("annual", {"annual"}),
    ("publish", {"publish", "reproduce"}),
    ("cli", {"cli"}),
]
"""Bottom to top. A module of a layer may import modules of its own layer and of layers above
it in this list (below it in the architecture), never of a later one."""

RANK = {part: rank for rank, (_, parts) in enumerate(LAYERS) for part in parts}


def module_name(path: Path) -> str:
    parts = ("so_eval", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def resolve(name: str) -> str:
    """The module ``name`` refers to: itself if it is a module, else its parent (an attribute)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports(module: str, source: str | None = None) -> set[str]:
    """The so_eval modules ``module`` imports (its file, or ``source``), at the top or in functions."""
    tree = ast.parse(source if source is not None else MODULES[module].read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {resolve(a.name) for a in node.names if a.name.split(".")[0] == "so_eval"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "so_eval":
                continue
            out |= {resolve(f"{node.module}.{a.name}") for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{module}: relative import (use so_eval.… so the layer shows)")
    return out - {module}


def layer_part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "so_eval"


def test_every_module_belongs_to_a_layer():
    unknown = sorted(m for m in MODULES if layer_part(m) not in RANK)
    assert not unknown, f"add these to a layer in LAYERS and ARCHITECTURE.md: {unknown}"


def upward_imports(module: str, source: str | None = None) -> list[str]:
    rank = RANK[layer_part(module)]
    return sorted(t for t in imports(module, source) if RANK[layer_part(t)] > rank)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_its_own_layer_and_the_layers_below(module):
    upward = upward_imports(module)
    assert not upward, f"{module} ({LAYERS[RANK[layer_part(module)]][0]}) imports a layer above it: {upward}"


def test_no_import_circle():
    graph = {m: imports(m) for m in MODULES}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                raise AssertionError("import circle: " + " → ".join(path[path.index(t) :] + [t]))
            if t not in state:
                visit(t)
        path.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_the_layer_check_sees_an_upward_import_even_inside_a_function():
    """The check itself: the data model taking the status constants from the demo is caught."""
    source = "def f():\n    from so_eval.demo.dgp import STATUSES\n    return STATUSES\n"
    assert upward_imports("so_eval.data.model", source) == ["so_eval.demo.dgp"]
    assert upward_imports("so_eval.demo.dgp", "from so_eval.data import model\n") == []
