"""The committed notebooks: thin, without outputs, and every params key is a declared parameter."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill as pm
import pytest
import yaml

from so_eval import config

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))
PARAMS = sorted(config.PARAMS_DIR.glob("*.yaml"))


def test_there_are_notebooks_and_params():
    assert any(p.name == "annual_report.ipynb" for p in NOTEBOOKS)
    assert [p.stem for p in PARAMS] == ["2022", "2023", "2024", "2025"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has outputs; strip them before committing"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_holds_no_logic(path: Path):
    """No functions, classes, loops or file paths in notebooks: logic lives in src/so_eval."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), (
                f"{path.name}: define functions in src/so_eval, not in the notebook:\n{cell.source}")
            assert not isinstance(node, (ast.For, ast.While, ast.ListComp, ast.DictComp, ast.GeneratorExp)), (
                f"{path.name}: no loops in the notebook:\n{cell.source}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "open":
                pytest.fail(f"{path.name}: the notebook opens a file itself:\n{cell.source}")


def test_parameters_cell_is_tagged():
    nb = nbformat.read(config.NOTEBOOKS_DIR / "annual_report.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is nb.cells[0]


@pytest.mark.parametrize("path", PARAMS, ids=lambda p: p.name)
def test_every_params_key_is_declared_by_the_notebook(path: Path):
    declared = set(pm.inspect_notebook(str(config.NOTEBOOKS_DIR / "annual_report.ipynb")))
    keys = set(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert keys <= declared, f"{path.name}: not declared in the notebook: {sorted(keys - declared)}"
    assert int(path.stem) == yaml.safe_load(path.read_text())["year"]


def test_environment_yml_follows_pyproject():
    env = yaml.safe_load((config.PROJ_ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert pip == ["-e .[dev]"]  # pyproject.toml is the single source of dependencies
