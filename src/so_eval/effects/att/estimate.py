"""The entry point :func:`estimate_att`, in steps: check the options, prepare the complete-case
sample, fit the propensity score, estimate with the chosen method, and make the interval."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import patsy
from scipy import stats

from so_eval.effects.att.design import build_design, clean_design, covariate_columns
from so_eval.effects.att.estimators import (
    att_aipw,
    att_difference,
    att_ipw,
    att_matching,
    att_regression,
    balance_table,
)
from so_eval.effects.att.propensity import fit_propensity, overlap_diagnostics
from so_eval.effects.att.result import METHODS, SE_LABELS, AttResult, EstimationError

__all__ = ["estimate_att"]


def estimate_att(
    data: pd.DataFrame,
    *,
    treatment: str,
    outcome: str,
    covariates: Sequence[str] | str | None,
    method: str = "aipw",
    caliper: float | None = None,
    n_neighbors: int = 1,
    alpha: float = 0.05,
    weights: str | None = None,
) -> AttResult:
    """Estimate the average treatment effect on the treated from cross-sectional data.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    treatment, outcome : str
        Column with the 0/1 (or boolean) treatment indicator; numeric outcome column.
    covariates : list of str, str or None
        Either a list of column names (numeric columns are used as they are, boolean as 0/1,
        any other column is dummy-encoded with the first level -- in sorted or categorical
        order -- as reference, named ``col[T.level]``), or a patsy right-hand side such as
        ``"age + C(target_group) + prior_weeks"``.  An intercept is always added.  ``None`` or
        ``[]`` means no covariates.
    method : {"aipw", "ipw", "regression", "matching", "difference"}
        Estimator; see :mod:`so_eval.effects.att`.  Default ``"aipw"``.
    caliper : float, optional
        Matching only: maximum distance in standard deviations of the logit propensity score
        (SD over the estimation sample).  Treated units with no control inside it are dropped
        and counted in ``n_unmatched``.
    n_neighbors : int, default 1
        Matching only: matches per treated unit (controls tied at the last distance are all
        used, with equal weight).
    alpha : float, default 0.05
        Confidence intervals have level ``1 - alpha``.
    weights : str, optional
        Column of non-negative sampling weights (normalised to mean one).  Supported by every
        method except ``"matching"``; with weights the ``"difference"`` standard error comes
        from the influence function.

    Returns
    -------
    AttResult
        Estimate, standard error, interval, p-value, sample sizes, covariate balance and
        propensity-score overlap diagnostics.

    Raises
    ------
    EstimationError
        The method cannot be computed on these data (its ``reason``: see
        :data:`~so_eval.effects.att.result.REASONS`); a ``ValueError``.
    ValueError
        Unknown method, missing columns (named in the message), treatment not 0/1,
        non-numeric outcome, bad weights or options.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=2000)
    >>> d = (rng.uniform(size=2000) < 1 / (1 + np.exp(-x))).astype(int)
    >>> df = pd.DataFrame({"y": 1.0 + 2.0 * x + 0.5 * d + rng.normal(size=2000), "d": d, "x": x})
    >>> res = estimate_att(df, treatment="d", outcome="y", covariates=["x"], method="aipw")
    >>> bool(abs(res.att - 0.5) < 3 * res.se)
    True
    """
    _check_options(data, method, alpha, n_neighbors, caliper, weights)
    # the formula's names are looked up in the caller's namespace (depth 1: who called us)
    eval_env = (
        patsy.EvalEnvironment.capture(1).with_outer_namespace({"np": np}) if isinstance(covariates, str) else None
    )
    sample = _sample(data, treatment, outcome, covariates, weights, eval_env)
    ps_fit, overlap = _propensity(sample, method)
    fit = _fit(sample, method, ps_fit, caliper, int(n_neighbors), weighted=weights is not None)
    if fit.n_unmatched:
        warnings.warn(
            f"{fit.n_unmatched} of {sample.n1} treated units have no control within the caliper and were dropped",
            stacklevel=2,
        )
    if not (np.isfinite(fit.att) and np.isfinite(fit.se)):
        raise EstimationError("not_finite", f"{method}: the estimate or its standard error is not finite")
    return _result(sample, method, treatment, outcome, alpha, caliper, ps_fit, overlap, fit)


# -- the steps ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Sample:
    """The complete-case sample as arrays: design ``X`` (no intercept, constant columns
    dropped), ``Z`` (with the intercept), treatment ``D``, outcome ``Y``, weights ``w``
    (mean one) and the group sizes."""

    X: pd.DataFrame
    Z: np.ndarray
    D: np.ndarray
    Y: np.ndarray
    w: np.ndarray
    n1: int
    n0: int
    n_dropped: int


@dataclass
class _Fit:
    """One method's estimate: ``att``, ``se``, the influence function ``psi`` (None for
    matching), the *t* degrees of freedom ``dfree`` (None: normal), the adjusted treated and
    control weights for the balance table, the units used and the method's details."""

    att: float
    se: float
    wt_adj: np.ndarray
    wc_adj: np.ndarray
    n_treated: int
    n_control: int
    se_key: str
    psi: np.ndarray | None = None
    dfree: float | None = None
    n_unmatched: int = 0
    details: dict = field(default_factory=dict)


def _check_options(data, method: str, alpha: float, n_neighbors, caliper, weights) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame")
    if not (0 < alpha < 1):
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if method == "matching":
        if int(n_neighbors) != n_neighbors or n_neighbors < 1:
            raise ValueError(f"n_neighbors must be a positive integer, got {n_neighbors}")
        if caliper is not None and not caliper > 0:
            raise ValueError(f"caliper must be positive, got {caliper}")
        if weights is not None:
            raise ValueError("weights are not supported with method='matching'")


def _needed_columns(data: pd.DataFrame, treatment: str, outcome: str, covariates, weights, eval_env) -> list[str]:
    """The treatment, outcome and weight columns, after checking that they and the covariates'
    columns are in the data (one message naming every missing column)."""
    needed = [treatment, outcome] + ([weights] if weights is not None else [])
    missing = [c for c in needed if c not in data.columns]
    cov_cols = []
    try:
        cov_cols = covariate_columns(data, covariates, eval_env)
    except ValueError as exc:
        if missing:
            raise ValueError("column(s) not in the data: " + ", ".join(map(repr, missing)) + f"; and {exc}") from exc
        raise
    if missing:
        raise ValueError("column(s) not in the data: " + ", ".join(map(repr, missing)))
    if treatment in cov_cols or outcome in cov_cols:
        raise ValueError("the treatment and outcome columns must not be covariates")
    return needed


def _treatment(sub: pd.DataFrame, treatment: str) -> np.ndarray:
    tr = sub[treatment]
    if pd.api.types.is_bool_dtype(tr.dtype):
        return tr.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(tr.dtype):
        bad = list(pd.unique(tr))[:5]
        raise ValueError(f"treatment column {treatment!r} must be 0/1; found values {bad}")
    D = tr.to_numpy(dtype=float)
    badv = np.unique(D[(D != 0) & (D != 1)])
    if badv.size:
        raise ValueError(f"treatment column {treatment!r} must be 0/1; found other values {badv[:5].tolist()}")
    return D


def _outcome(sub: pd.DataFrame, outcome: str) -> np.ndarray:
    if not (pd.api.types.is_bool_dtype(sub[outcome].dtype) or pd.api.types.is_numeric_dtype(sub[outcome].dtype)):
        raise ValueError(f"outcome column {outcome!r} must be numeric, got dtype {sub[outcome].dtype}")
    return sub[outcome].to_numpy(dtype=float)


def _group_sizes(D: np.ndarray, treatment: str, n_dropped: int) -> tuple[int, int]:
    n1, n0 = int(np.sum(D == 1)), int(np.sum(D == 0))
    if n1 == 0:
        raise EstimationError(
            "no_treated", f"no treated units ({treatment} == 1) after dropping {n_dropped} rows with missing values"
        )
    if n0 == 0:
        raise EstimationError(
            "no_control", f"no control units ({treatment} == 0) after dropping {n_dropped} rows with missing values"
        )
    if n1 < 2 or n0 < 2:
        raise EstimationError(
            "too_few", f"{n1} treated and {n0} control units: a standard error needs at least two of each"
        )
    return n1, n0


def _weights(sub: pd.DataFrame, weights: str | None, D: np.ndarray, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = sub[weights].to_numpy(dtype=float)
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"weights column {weights!r} must be finite and non-negative")
    if w[D == 1].sum() <= 0 or w[D == 0].sum() <= 0:
        raise ValueError(f"weights column {weights!r} is zero for all treated or all control units")
    return w / w.mean()


def _sample(data: pd.DataFrame, treatment: str, outcome: str, covariates, weights, eval_env) -> _Sample:
    """The rows complete in every used column, as checked arrays."""
    needed = _needed_columns(data, treatment, outcome, covariates, weights, eval_env)
    df = data.reset_index(drop=True)
    base_ok = df[needed].notna().all(axis=1).to_numpy()
    X, ok = build_design(df, covariates, base_ok, eval_env)
    n_dropped = int(len(df) - ok.sum())
    sub = df.loc[ok]
    D = _treatment(sub, treatment)
    Y = _outcome(sub, outcome)
    n1, n0 = _group_sizes(D, treatment, n_dropped)
    w = _weights(sub, weights, D, len(Y))
    X = clean_design(X, stacklevel=4)  # (the warning names the caller of estimate_att)
    Z = np.column_stack([np.ones(len(Y)), X.to_numpy(dtype=float)])
    return _Sample(X, Z, D, Y, w, n1, n0, n_dropped)


def _propensity(s: _Sample, method: str) -> tuple[dict | None, dict | None]:
    """The propensity-score fit (None where a method has no use for it) and its overlap
    diagnostics (None without covariates). The difference and regression methods fit it for
    the diagnostics only, and go on without them if it cannot be fitted."""
    has_cov = s.X.shape[1] > 0
    ps_fit = None
    overlap = None
    if has_cov or method == "matching":
        if method in ("ipw", "aipw", "matching"):
            ps_fit = fit_propensity(s.D, s.Z, s.w)
        else:
            try:
                ps_fit = fit_propensity(s.D, s.Z, s.w)
            except ValueError as exc:
                warnings.warn(f"propensity-score diagnostics unavailable: {exc}", stacklevel=3)
        if ps_fit is not None and has_cov:
            overlap = overlap_diagnostics(ps_fit["ps"], s.D)
    elif method in ("ipw", "aipw"):
        ps_fit = fit_propensity(s.D, s.Z, s.w)  # intercept only: constant score
    return ps_fit, overlap


def _fit(s: _Sample, method: str, ps_fit: dict | None, caliper, n_neighbors: int, *, weighted: bool) -> _Fit:
    """The chosen method on the sample (a singular matrix is an :class:`EstimationError`)."""
    try:
        if method == "matching":
            return _fit_matching(s, ps_fit, caliper, n_neighbors)
        return _fit_influence(s, method, ps_fit, weighted)
    except np.linalg.LinAlgError as exc:
        raise EstimationError("singular", f"{method}: a model matrix is singular ({exc})") from exc


def _fit_influence(s: _Sample, method: str, ps_fit: dict | None, weighted: bool) -> _Fit:
    """The methods with an influence-function standard error (and the unweighted difference)."""
    Y, D, Z, w, n = s.Y, s.D, s.Z, s.w, len(s.Y)
    fit = _Fit(np.nan, np.nan, w * D, w * (1 - D), s.n1, s.n0, method)
    if method == "difference":
        fit.att, fit.se, fit.psi, fit.dfree, fit.se_key = att_difference(Y, D, w, weighted)
        return fit
    if method == "regression":
        fit.att, fit.psi, fit.details, fit.wc_adj = att_regression(Y, D, Z, w)
    elif method == "ipw":
        fit.att, fit.psi, fit.wc_adj = att_ipw(Y, D, Z, w, ps_fit["ps"], ps_fit["hess_inv"])
    else:  # aipw
        fit.att, fit.psi, fit.wc_adj, fit.details = att_aipw(Y, D, Z, w, ps_fit["ps"], ps_fit["hess_inv"])
    fit.se = float(np.sqrt(np.sum(fit.psi**2)) / n)
    return fit


def _fit_matching(s: _Sample, ps_fit: dict, caliper, n_neighbors: int) -> _Fit:
    mres = att_matching(s.Y, s.D, ps_fit["eta"], n_neighbors, caliper)
    wt_adj = np.zeros(len(s.Y))
    wt_adj[mres["matched_treated"]] = 1.0
    details = {
        "caliper_width": mres["caliper_width"],
        "matches_per_treated": mres["matches_per_treated"],
        "n_treated_total": s.n1,
        "n_control_total": s.n0,
    }
    return _Fit(
        mres["att"],
        mres["se"],
        wt_adj,
        mres["control_weights"],
        mres["n_treated"],
        mres["n_control"],
        "matching",
        n_unmatched=mres["n_unmatched"],
        details=details,
    )


def _interval(att: float, se: float, dfree: float | None, alpha: float) -> tuple[float, float, float | None]:
    """The critical value, the two-sided p-value and the degrees of freedom used (None: the
    normal distribution)."""
    if dfree is not None and np.isfinite(dfree):
        crit = stats.t.ppf(1 - alpha / 2, dfree)
        pval = float(2 * stats.t.sf(abs(att / se), dfree)) if se > 0 else np.nan
        return crit, pval, dfree
    crit = stats.norm.ppf(1 - alpha / 2)
    pval = float(2 * stats.norm.sf(abs(att / se))) if se > 0 else np.nan
    return crit, pval, None


def _result(
    s: _Sample, method: str, treatment: str, outcome: str, alpha: float, caliper, ps_fit, overlap, fit: _Fit
) -> AttResult:
    details: dict[str, Any] = {"caliper": caliper}
    if ps_fit is not None:
        details["ps_coef"] = dict(zip(["Intercept", *map(str, s.X.columns)], ps_fit["params"], strict=True))
        details["ps"] = np.asarray(ps_fit["ps"])  # fitted propensity per unit used
        details["treated"] = np.asarray(s.D)
    details.update(fit.details)
    att = float(fit.att)
    crit, pval, dfree = _interval(att, fit.se, fit.dfree, alpha)
    return AttResult(
        method=method,
        outcome=outcome,
        treatment=treatment,
        att=att,
        se=float(fit.se),
        ci_low=float(att - crit * fit.se),
        ci_high=float(att + crit * fit.se),
        pvalue=pval,
        n_treated=int(fit.n_treated),
        n_control=int(fit.n_control),
        alpha=float(alpha),
        balance=balance_table(s.X, s.D, fit.wt_adj, fit.wc_adj),
        overlap=overlap,
        n_dropped_missing=s.n_dropped,
        n_unmatched=int(fit.n_unmatched),
        se_method=SE_LABELS[fit.se_key],
        df=dfree,
        influence_function=fit.psi,
        details=details,
    )
