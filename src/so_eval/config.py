"""Project paths, computed once from this file's location.

Every path the library uses comes from here, so nothing depends on the working directory.
``SO_EVAL_ROOT`` overrides the project root (used when the package is installed outside a
checkout, e.g. by an external evaluator who points it at their copy of the repository).
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    env = os.environ.get("SO_EVAL_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "notebooks").is_dir():
            return parent
    return Path.cwd().resolve()


PROJ_ROOT: Path = _find_root()
DATA_DIR: Path = PROJ_ROOT / "data"
DEMO_DIR: Path = DATA_DIR / "demo"
REPORTS_DIR: Path = PROJ_ROOT / "reports"
PARAMS_DIR: Path = PROJ_ROOT / "params"
NOTEBOOKS_DIR: Path = PROJ_ROOT / "notebooks"


def resolve(path: str | os.PathLike[str]) -> Path:
    """Resolve ``path`` against the project root unless it is absolute."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (PROJ_ROOT / p).resolve()
