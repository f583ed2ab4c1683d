"""The glossary's tables: every key once (a key written twice silently replaces the first)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from so_eval import glossary as g

SOURCE = Path(g.__file__)


def _dict_literals(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.Assign) and isinstance(node.value, ast.Dict):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            yield getattr(target, "id", "?"), node.value


def _duplicates(d: ast.Dict) -> list[str]:
    keys = [k.value for k in d.keys if isinstance(k, ast.Constant)]
    return sorted({k for k in keys if keys.count(k) > 1})


def test_the_duplicate_finder_finds_a_duplicate():
    code = 'LABELS: dict[str, str] = {"jobs": "Job", "year": "År", "jobs": "Borgere i job"}'
    ((_, d),) = list(_dict_literals_from(code))
    assert _duplicates(d) == ["jobs"]


def _dict_literals_from(code: str):
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Dict):
            yield node.target.id, node.value


@pytest.mark.parametrize("name,d", list(_dict_literals(SOURCE)), ids=lambda v: v if isinstance(v, str) else "")
def test_no_glossary_table_has_a_key_twice(name, d):
    assert _duplicates(d) == [], f"glossary.{name} defines these keys twice: {_duplicates(d)}"


def test_a_table_and_a_column_of_the_same_name_keep_their_own_labels():
    # "jobs" is both the jobs table and the column of citizens in a job
    assert g.table_label("jobs") == "Job"
    assert g.label("jobs") == "Borgere i job"
    assert g.table_label("finances") == "Regnskaber"
