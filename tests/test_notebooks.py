"""The committed notebooks: thin, without outputs, and every params key is a declared parameter."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill as pm
import pytest
import yaml

from so_eval import config
from so_eval.publish import NOTEBOOK_LIMITS

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))
PARAMS = sorted(config.PARAMS_DIR.glob("*.yaml"))


def test_there_are_notebooks_and_params():
    assert {p.name for p in NOTEBOOKS} >= {"annual_report.ipynb", "effect_measurement.ipynb", "explore_effects.ipynb"}
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
                f"{path.name}: define functions in src/so_eval, not in the notebook:\n{cell.source}"
            )
            assert not isinstance(node, (ast.For, ast.While, ast.ListComp, ast.DictComp, ast.GeneratorExp)), (
                f"{path.name}: no loops in the notebook:\n{cell.source}"
            )
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "open":
                pytest.fail(f"{path.name}: the notebook opens a file itself:\n{cell.source}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_is_tagged(path: Path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert not [c for c in nb.cells[: nb.cells.index(tagged[0])] if c.cell_type == "code"]


def test_effect_notebook_parameters_come_from_the_same_params_files():
    annual = set(pm.inspect_notebook(str(config.NOTEBOOKS_DIR / "annual_report.ipynb")))
    effect = set(pm.inspect_notebook(str(config.NOTEBOOKS_DIR / "effect_measurement.ipynb")))
    assert effect - annual == {"covariates"}  # the only effect-only parameter (analyst's choice)
    assert {"year", "data_dir", "effects", "disclosure", "output_dir"} <= effect


@pytest.mark.parametrize(
    "params",
    # age band and entry year: tests/test_explorer.py runs the notebook on integration / 50+ / 2022
    [{}, {"target_group": "unge", "outcome": "education", "horizon": "27-52", "method": "ipw"}],
    ids=["default", "young-education"],
)
def test_explore_notebook_runs_with_plain_parameters(tmp_path, demo_dir, params):
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(config.NOTEBOOKS_DIR / "explore_effects.ipynb"),
        str(out),
        parameters={"year": 2025, "data_dir": str(demo_dir), **params},
        progress_bar=False,
        kernel_name="python3",
        cwd=str(config.PROJ_ROOT),
        **NOTEBOOK_LIMITS,
    )
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(
        o.get("data", {}).get("text/markdown", "") + o.get("data", {}).get("text/html", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "Estimater" in text and "Dobbelt robust (AIPW)" in text
    if params.get("outcome") == "education":
        assert "uddannelse" in text


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


def test_table_of_contents_matches_the_notebook_headings():
    from so_eval.annual import SECTIONS

    nb = nbformat.read(config.NOTEBOOKS_DIR / "annual_report.ipynb", as_version=4)
    heads = [c.source.splitlines()[0][3:] for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## ")]
    assert heads == SECTIONS
