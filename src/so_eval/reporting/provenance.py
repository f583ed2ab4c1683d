"""Where a figure came from: data fingerprint, code version, package versions."""

from __future__ import annotations

import functools
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from so_eval import config
from so_eval.data.dataset import Dataset
from so_eval.data.model import TABLES
from so_eval.files import atomic_write_text, file_hash

PACKAGES = (
    "so-eval",
    "pandas",
    "numpy",
    "pandera",
    "statsmodels",
    "scipy",
    "seaborn",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbformat",
    "pyarrow",
    "PyYAML",
)


def package_versions() -> dict[str, str]:
    """Installed versions of the packages the report depends on, plus Python's."""
    return dict(_package_versions())


@functools.lru_cache(maxsize=1)
def _package_versions() -> tuple[tuple[str, str], ...]:  # a process sees one set of packages
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return tuple(out.items())


def code_version(root: Path | None = None) -> dict[str, object]:
    """The package version and, inside a git checkout, the commit and whether the tree is dirty."""
    root = root or config.PROJ_ROOT
    info: dict[str, object] = {"package": package_versions()["so-eval"]}
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if commit.returncode == 0:
            info["git_commit"] = commit.stdout.strip()
            status = subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no", "--", "src", "notebooks", "params"],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=10,
            )
            info["git_dirty"] = bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return info


DATA_RECORD = "data.json"
"""Written by a report notebook next to its figures: the data it read (see :func:`write_data_record`)."""


def write_data_record(ds, folder: str | Path) -> Path:
    """Record in ``folder`` which data a report was computed from: the fingerprint and file
    hashes of the dataset as it was read (not as the folder is later, should it change meanwhile).
    ``so-eval report`` puts them in the manifest."""
    path = Path(folder) / DATA_RECORD
    atomic_write_text(
        path,
        json.dumps({"fingerprint": ds.fingerprint, "files": dict(ds.file_hashes)}, indent=2, sort_keys=True) + "\n",
    )
    return path


def data_fingerprint(path: str | Path) -> dict[str, object]:
    """SHA-256 of every table file in a dataset folder and one combined fingerprint."""
    path = Path(path)
    files = {}
    for spec in TABLES.values():
        f = path / spec.filename
        if f.exists():
            files[spec.filename] = file_hash(f)
    return {"fingerprint": Dataset(tables={}, file_hashes=files).fingerprint, "files": files}
