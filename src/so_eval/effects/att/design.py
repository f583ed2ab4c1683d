"""Design matrices for the estimators (shared with :mod:`so_eval.effects.did`): the columns a
covariate list or patsy formula uses, the encoded design on the complete rows, and the check
that drops constant columns and refuses collinear ones."""

from __future__ import annotations

import ast
import builtins
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import patsy

from so_eval.effects.att.result import EstimationError

__all__ = ["build_design", "clean_design", "covariate_columns"]

_FORMULA_HELPERS = {
    "C",
    "I",
    "Q",
    "np",
    "numpy",
    "center",
    "standardize",
    "scale",
    "bs",
    "cr",
    "cc",
    "te",
}


def _formula_names(rhs: str) -> list[str]:
    """Variable names referenced by a patsy right-hand side (best effort)."""
    desc = patsy.ModelDesc.from_formula(rhs)
    names: list[str] = []
    for term in desc.rhs_termlist:
        for factor in term.factors:
            code = getattr(factor, "code", None)
            if code is None:
                continue
            try:
                tree = ast.parse(code, mode="eval")
            except SyntaxError:  # pragma: no cover - patsy already parsed it
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Q":
                    for arg in node.args:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            names.append(arg.value)
                elif isinstance(node, ast.Name):
                    names.append(node.id)
    out: list[str] = []
    for nm in names:
        if nm not in out:
            out.append(nm)
    return out


def _normalise_rhs(covariates: str) -> str:
    rhs = covariates.strip()
    if "~" in rhs:
        lhs, _, rest = rhs.partition("~")
        if lhs.strip():
            raise ValueError(
                f"covariates formula must be a right-hand side only (e.g. 'age + C(group)'), got {covariates!r}"
            )
        rhs = rest.strip()
    return rhs or "1"


def covariate_columns(data: pd.DataFrame, covariates: Any, eval_env: Any = None) -> list[str]:
    """Data columns referenced by ``covariates`` (list or formula)."""
    if covariates is None:
        return []
    if isinstance(covariates, str):
        rhs = _normalise_rhs(covariates)
        used = []
        env_ns = getattr(eval_env, "namespace", None)
        missing = []
        for nm in _formula_names(rhs):
            if nm in data.columns:
                used.append(nm)
            elif nm in _FORMULA_HELPERS or hasattr(builtins, nm):
                continue
            else:
                found = False
                if env_ns is not None:
                    try:
                        env_ns[nm]
                        found = True
                    except KeyError:
                        found = False
                if not found:
                    missing.append(nm)
        if missing:
            raise ValueError("covariate formula refers to column(s) not in the data: " + ", ".join(map(repr, missing)))
        return used
    cols = list(covariates)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ValueError("covariate column(s) not in the data: " + ", ".join(map(repr, missing)))
    return cols


def _levels(s: pd.Series) -> list:
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = set(s.dropna().unique())
        return [c for c in s.cat.categories if c in present]
    vals = s.dropna().unique()
    try:
        return sorted(vals)
    except TypeError:
        return sorted(vals, key=str)


def _design_from_list(data: pd.DataFrame, cols: Sequence[str], ok: np.ndarray) -> pd.DataFrame:
    """Numeric columns as is; bool as 0/1; other columns dummy-encoded, drop-first.

    Dummy names follow patsy: ``col[T.level]``.  Levels are taken from the rows
    that survive the missing-value filter ``ok``.
    """
    pieces: dict[str, np.ndarray] = {}
    sub = data.loc[ok]
    for c in cols:
        s = sub[c]
        if (
            pd.api.types.is_bool_dtype(s.dtype)
            or pd.api.types.is_numeric_dtype(s.dtype)
            and not isinstance(s.dtype, pd.CategoricalDtype)
        ):
            pieces[c] = s.to_numpy(dtype=float)
        else:
            levels = _levels(s)
            values = s.to_numpy(dtype=object)
            for lev in levels[1:]:
                pieces[f"{c}[T.{lev}]"] = (values == lev).astype(float)
    return pd.DataFrame(pieces, index=sub.index)


def build_design(
    data: pd.DataFrame, covariates: Any, base_ok: np.ndarray, eval_env: Any = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Return (design without intercept restricted to complete rows, complete-row mask).

    ``data`` must have a RangeIndex.  ``base_ok`` marks rows complete in the
    non-covariate columns.
    """
    n = len(data)
    if covariates is None or (not isinstance(covariates, str) and len(list(covariates)) == 0):
        ok = base_ok.copy()
        return pd.DataFrame(index=data.index[ok]), ok
    if isinstance(covariates, str):
        rhs = _normalise_rhs(covariates)
        try:
            dm = patsy.dmatrix(rhs, data, NA_action="drop", return_type="dataframe", eval_env=eval_env)
        except Exception as exc:  # patsy errors are not ValueErrors
            raise ValueError(f"could not evaluate covariate formula {covariates!r}: {exc}") from exc
        in_dm = np.zeros(n, dtype=bool)
        in_dm[dm.index.to_numpy()] = True
        ok = base_ok & in_dm
        X = dm.loc[ok[dm.index.to_numpy()]].drop(columns=["Intercept"], errors="ignore")
        X = X.astype(float)
        return X, ok
    cols = list(covariates)
    ok = base_ok & data[cols].notna().all(axis=1).to_numpy()
    return _design_from_list(data, cols, ok), ok


def clean_design(X: pd.DataFrame, *, stacklevel: int = 3) -> pd.DataFrame:
    """Drop constant columns (with a warning) and reject collinear designs.

    ``stacklevel`` is the warning's: it names the caller of the public estimator."""
    if X.shape[1] == 0:
        return X
    vals = X.to_numpy(dtype=float)
    if not np.all(np.isfinite(vals)):
        bad = [c for c in X.columns if not np.all(np.isfinite(X[c].to_numpy(dtype=float)))]
        raise ValueError("covariate column(s) contain non-finite values: " + ", ".join(map(repr, bad)))
    const = [c for c, v in zip(X.columns, vals.T, strict=True) if np.ptp(v) == 0]
    if const:
        warnings.warn(
            "dropping constant covariate column(s) (no variation in the estimation sample): "
            + ", ".join(map(str, const)),
            stacklevel=stacklevel,
        )
        X = X.drop(columns=const)
    if X.shape[1] == 0:
        return X
    Z = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)])
    # standardise for a meaningful rank tolerance
    Zs = Z.copy()
    Zs[:, 1:] = (Zs[:, 1:] - Zs[:, 1:].mean(0)) / Zs[:, 1:].std(0)
    rank = np.linalg.matrix_rank(Zs)
    if rank < Z.shape[1]:
        redundant = []
        cur = Zs[:, :1]
        for j, c in enumerate(X.columns, start=1):
            trial = np.column_stack([cur, Zs[:, j]])
            if np.linalg.matrix_rank(trial) < trial.shape[1]:
                redundant.append(c)
            else:
                cur = trial
        raise EstimationError(
            "collinear",
            "covariates are collinear (with each other or the intercept); redundant column(s): "
            + ", ".join(map(str, redundant)),
        )
    return X
