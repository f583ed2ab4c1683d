"""Reproducing a published report: :func:`reproduce` re-runs it from the data and parameters in its
manifest, as the data stood on the day it was made, and compares every figure (``so-eval
reproduce``). Both the annual report (``figures.csv``) and the effect report
(``effect_figures.csv``) of a ``reports/<year>`` folder are checked."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from so_eval import config
from so_eval.annual import AnnualReport
from so_eval.annual.corrections import compare
from so_eval.data.dataset import Dataset
from so_eval.data.loading import load
from so_eval.effects.report import EffectParams, EffectReport
from so_eval.params import ReportParams
from so_eval.reporting.ledger import Ledger, read_figures
from so_eval.reporting.provenance import code_version, data_fingerprint

REPORTS = (("manifest.json", "figures.csv", "annual"), ("effect_manifest.json", "effect_figures.csv", "effects"))
"""The reports a published folder may hold: manifest, figures file, kind."""


@dataclass(frozen=True)
class Reproduction:
    """The outcome of :func:`reproduce`."""

    folder: Path
    differences: pd.DataFrame
    n_figures: int
    data_changed: bool
    as_of: str
    notes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.differences.empty


@dataclass(frozen=True)
class _Check:
    """One report of the folder re-run and compared."""

    differences: pd.DataFrame
    n_figures: int
    data_changed: bool
    as_of: str
    note: str | None


def reproduce(folder: str | os.PathLike[str], *, data_dir: str | os.PathLike[str] | None = None) -> Reproduction:
    """Re-run a published report from its manifest and compare every figure.

    The data are read from the manifest's data folder (or ``data_dir``) *as they stood on the
    day the report was made* (its ``as_of`` if it had one, else the date it was created), so
    rows registered since do not count; the parameters are the manifest's. Both the annual report
    (``figures.csv``) and, if present, the effect report (``effect_figures.csv``) are checked.

    Raises
    ------
    FileNotFoundError
        If the folder has no manifest or figures.
    """
    folder = Path(folder)
    found = [r for r in REPORTS if (folder / r[0]).exists() and (folder / r[1]).exists()]
    if not found:
        raise FileNotFoundError(f"{folder}: no manifest.json with figures.csv (is this a published report folder?)")
    checks = [_check(folder, manifest, figures, kind, data_dir) for manifest, figures, kind in found]
    notes = [c.note for c in checks if c.note]
    data_changed = any(c.data_changed for c in checks)
    as_of = checks[-1].as_of
    if data_changed:
        notes.append(
            "the data files have changed since publication; figures are recomputed as the data stood "
            f"on {as_of} (rows registered later are left out)"
        )
    differences = pd.concat([c.differences for c in checks], ignore_index=True)
    n_figures = sum(c.n_figures for c in checks)
    return Reproduction(folder, differences, n_figures, data_changed, as_of, tuple(notes))


def _check(folder: Path, manifest_name: str, figures_name: str, kind: str, data_dir) -> _Check:
    """Re-run one report of ``folder`` (``kind``: annual or effects) and compare its figures."""
    man = json.loads((folder / manifest_name).read_text(encoding="utf-8"))
    params = dict(man["parameters"])
    data_path = Path(data_dir) if data_dir else config.resolve(man["data"]["dir"])
    data_changed = data_fingerprint(data_path)["fingerprint"] != man["data"]["fingerprint"]
    as_of = params.get("as_of") or man["created"][:10]
    ds = load(data_path, as_of=as_of)
    params["data_dir"] = str(data_path)
    params["published_dir"] = str(folder.parent)
    published = read_figures(folder / figures_name)
    differences = compare(published, _ledger(kind, ds, params).frame())
    differences.insert(0, "file", figures_name)
    note = None
    made = man.get("code", {}).get("git_commit")
    if made:
        now = code_version().get("git_commit")
        if now and now != made:
            note = f"{manifest_name}: made with code {made[:12]}, now {now[:12]}"
    return _Check(differences, len(published), data_changed, as_of, note)


def _ledger(kind: str, ds: Dataset, params: dict) -> Ledger:
    """The figures of the report ``kind`` with the manifest's ``params`` on ``ds``."""
    if kind == "annual":
        keep = {k: v for k, v in params.items() if k in ReportParams.__dataclass_fields__}
        return AnnualReport(ds, ReportParams(**{**keep, "output_dir": None})).ledger
    keep = {k: v for k, v in params.items() if k in EffectParams.__dataclass_fields__}
    return EffectReport(ds, EffectParams(**{**keep, "output_dir": None})).ledger
