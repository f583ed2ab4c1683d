"""Cross-sectional estimators of the average treatment effect on the treated (ATT).

One row per unit, a binary treatment, an outcome and pre-treatment covariates.
Five estimators share one entry point, :func:`estimate_att`:

``"difference"``
    Unadjusted difference in means; Welch standard error, *t* reference
    distribution with Welch--Satterthwaite degrees of freedom.
``"regression"``
    ATT by regression adjustment (imputation): an OLS outcome model
    ``m0(X)`` is fitted on the controls only and ``ATT = mean(Y - m0(X))``
    over the treated.  This is the ATT (not the ATE under effect
    homogeneity that the coefficient of a pooled regression would give).
    Standard error from the influence function, including the estimation
    of the outcome model (the cross-sectional analogue of
    ``DRDID::reg_did_panel``).
``"ipw"``
    Inverse probability weighting with ATT weights from an unpenalised
    logit propensity score (statsmodels ``GLM`` Binomial): treated weight
    1, control weight ``p/(1-p)``, both normalised to sum to one (Hajek).
    Standard error from the influence function, including the estimation
    of the propensity score (as ``DRDID::std_ipw_did_panel``).
``"aipw"``
    Doubly robust ATT (Sant'Anna & Zhao 2020, eq. 3.1, applied to the
    outcome level): IPW-weighted mean of ``Y - m0(X)`` in the treated minus
    the same in the controls.  Consistent if either the propensity score or
    the control outcome model is correctly specified.  Standard error from
    the influence function with both estimation effects (as
    ``DRDID::drdid_panel``).
``"matching"``
    Nearest-neighbour matching with replacement on the *linear* (logit)
    propensity score, ``n_neighbors`` matches per treated unit, all
    controls tied with the ``n_neighbors``-th nearest distance are used and
    averaged, optional caliper in standard deviations of the logit
    propensity score (treated units without a control inside the caliper
    are dropped and counted in :attr:`AttResult.n_unmatched`).  Standard
    error: Abadie & Imbens (2006) variance for the population ATT with
    matching with replacement, conditional variances estimated by matching
    within the treatment arm (``J = 2`` neighbours), *ignoring* the
    estimation of the propensity score (Abadie & Imbens 2016 show this is
    typically conservative for the ATT but not always).

A method that cannot be computed on the data at hand raises
:class:`EstimationError` (a ``ValueError``) with a machine-readable ``reason``:
no treated or no control units, fewer than two in a group (no standard error),
collinear covariates, a (quasi-)separated propensity score, a singular model
matrix, no match inside the caliper, or a non-finite estimate.  Callers that show
results to readers translate the reason (the explorer does so in Danish).

The propensity score is an unpenalised logit; an ``EstimationError`` is raised when
it shows complete separation (statsmodels' check), does not converge, gives a
*treated* unit a fitted probability above ``1 - 1e-8`` (quasi-complete
separation: a covariate region with no controls, where the ATT is not
identified) or has a linear predictor beyond +-30 anywhere.

Influence-function standard errors are ``sqrt(sum(psi**2)) / n`` where
``psi`` is the estimated influence function (so ``att_hat - att`` is
approximately ``mean(psi)``); confidence intervals and p-values use the
normal distribution.

References
----------
Abadie, A. and Imbens, G. W. (2006). Large sample properties of matching
estimators for average treatment effects. Econometrica 74(1), 235-267.
Sant'Anna, P. H. C. and Zhao, J. (2020). Doubly robust
difference-in-differences estimators. Journal of Econometrics 219(1), 101-122.
"""

from __future__ import annotations

import ast
import builtins
import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["METHODS", "REASONS", "AttResult", "EstimationError", "estimate_att"]

METHODS = ("difference", "regression", "ipw", "aipw", "matching")

_METHOD_LABELS = {
    "difference": "difference in means (unadjusted)",
    "regression": "regression adjustment (outcome model on controls)",
    "ipw": "inverse probability weighting (Hajek, ATT weights)",
    "aipw": "doubly robust AIPW (Sant'Anna & Zhao 2020)",
    "matching": "nearest-neighbour matching on the logit propensity score, with replacement",
}

_SE_LABELS = {
    "difference": "Welch (unequal variances), t with Welch-Satterthwaite df",
    "difference_weighted": "influence function (weighted means), normal",
    "regression": "influence function incl. outcome-model estimation, normal",
    "ipw": "influence function incl. propensity-score estimation, normal",
    "aipw": "influence function incl. propensity-score and outcome-model estimation, normal",
    "matching": "Abadie-Imbens (2006) population-ATT variance, ignoring propensity-score estimation, normal",
}

# |linear predictor| above this means a fitted probability within ~1e-13 of 0 or 1:
# taken as (quasi-)complete separation of the propensity-score model.
_SEPARATION_ETA = 30.0
# A treated unit with fitted probability above 1 - 1e-8 lies in a covariate region with
# (practically) no controls: quasi-complete separation on the treated side, ATT not identified.
_TREATED_ETA = float(np.log((1 - 1e-8) / 1e-8))


REASONS = {
    "no_treated": "no treated units",
    "no_control": "no control units",
    "too_few": "fewer than two treated or two control units: no standard error",
    "collinear": "covariates are collinear in this sample",
    "separation": "the propensity score separates treated and controls (no overlap)",
    "singular": "a model matrix is singular",
    "no_match": "no treated unit has a control within the caliper",
    "not_finite": "the estimate or its standard error is not finite",
}
"""The reasons an :class:`EstimationError` gives, and what each means."""


class EstimationError(ValueError):
    """A method cannot be estimated on these data; ``reason`` is a key of :data:`REASONS`.

    A ``ValueError``, so code that caught the old errors still does. The message (English)
    may name sample sizes; show readers a text made from ``reason`` instead.
    """

    def __init__(self, reason: str, message: str):
        if reason not in REASONS:
            raise KeyError(f"unknown estimation-error reason {reason!r}")
        super().__init__(message)
        self.reason = reason


# ----------------------------------------------------------------------------
# result object
# ----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class AttResult:
    """Result of :func:`estimate_att`.

    Attributes
    ----------
    method, outcome, treatment : str
        Estimator and column names.
    att, se, ci_low, ci_high, pvalue : float
        Point estimate, standard error, ``1 - alpha`` confidence interval and
        two-sided p-value for ``H0: ATT = 0``.
    n_treated, n_control : int
        Units used.  For ``"matching"``: the matched treated units and the
        number of *distinct* controls used as a match.
    alpha : float
        Significance level of the interval.
    balance : pandas.DataFrame
        One row per covariate column (after dummy encoding), columns
        ``mean_treated``, ``mean_control`` (unadjusted), ``mean_treated_adj``,
        ``mean_control_adj`` (after adjustment), ``smd_before`` and
        ``smd_after``.  Both SMDs divide by the pooled SD
        ``sqrt((var_t + var_c) / 2)`` of the *unadjusted* sample.
        "After" uses the method's weights: ATT odds weights (ipw, aipw),
        matched-control weights over the matched treated (matching), the
        weights implied by the control regression (regression; these
        balance the means exactly by construction and may be negative), and
        no adjustment (difference).
    overlap : dict or None
        Propensity-score diagnostics: ``ps_min_treated``, ``ps_max_treated``,
        ``ps_min_control``, ``ps_max_control``, ``common_support_low``,
        ``common_support_high``, ``n_treated_outside``, ``n_control_outside``.
        ``None`` without covariates, or when the propensity model could not
        be fitted for a method that does not need it.
    n_dropped_missing : int
        Rows dropped because a used column was missing.
    n_unmatched : int
        Treated units dropped by the caliper (matching only; else 0).
    se_method : str
        How the standard error was obtained.
    df : float or None
        Degrees of freedom of the *t* reference distribution
        (``"difference"`` without weights), else ``None`` (normal).
    influence_function : numpy.ndarray or None
        Estimated influence function, one value per unit used (IF-based
        methods), in the order of the complete-case rows.
    details : dict
        Extra method-specific information (caliper width, propensity-score
        coefficients, ...).
    """

    method: str
    outcome: str
    treatment: str
    att: float
    se: float
    ci_low: float
    ci_high: float
    pvalue: float
    n_treated: int
    n_control: int
    alpha: float
    balance: pd.DataFrame = field(repr=False)
    overlap: dict | None = field(repr=False)
    n_dropped_missing: int = 0
    n_unmatched: int = 0
    se_method: str = ""
    df: float | None = None
    influence_function: np.ndarray | None = field(default=None, repr=False)
    details: dict = field(default_factory=dict, repr=False)

    # -- presentation -------------------------------------------------------
    def tidy(self) -> pd.DataFrame:
        """One-row DataFrame: method, outcome, att, se, ci_low, ci_high, pvalue,
        n_treated, n_control."""
        return pd.DataFrame(
            [
                {
                    "method": self.method,
                    "outcome": self.outcome,
                    "att": self.att,
                    "se": self.se,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "pvalue": self.pvalue,
                    "n_treated": self.n_treated,
                    "n_control": self.n_control,
                }
            ]
        )

    def summary(self) -> str:
        """Plain-text summary (estimate, sample, balance and overlap)."""
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [
            "Average treatment effect on the treated (ATT)",
            f"  method     : {self.method} - {_METHOD_LABELS.get(self.method, '')}",
            f"  outcome    : {self.outcome}   treatment: {self.treatment}",
            (
                f"  ATT        : {self.att:.4f}   SE {self.se:.4f}   "
                f"{level} CI [{self.ci_low:.4f}, {self.ci_high:.4f}]   p = {_fmt_p(self.pvalue)}"
            ),
            f"  units      : {self.n_treated} treated, {self.n_control} control",
        ]
        if self.n_dropped_missing:
            lines.append(f"  dropped    : {self.n_dropped_missing} rows with missing values")
        if self.method == "matching":
            lines.append(
                f"  unmatched  : {self.n_unmatched} treated units without a match"
                + (
                    f" inside the caliper ({self.details.get('caliper_width', float('nan')):.4g}"
                    " on the logit scale)"
                    if self.details.get("caliper") is not None
                    else ""
                )
            )
        lines.append(f"  SE         : {self.se_method}")
        if len(self.balance):
            lines.append("")
            lines.append("Covariate balance (standardised mean differences, pooled unadjusted SD):")
            tab = self.balance[["mean_treated", "mean_control", "smd_before", "smd_after"]]
            lines.extend(
                "  " + s for s in tab.to_string(float_format=lambda v: f"{v:.3f}").splitlines()
            )
        if self.overlap is not None:
            o = self.overlap
            lines.append("")
            lines.append("Propensity-score overlap:")
            lines.append(
                f"  treated [{o['ps_min_treated']:.3f}, {o['ps_max_treated']:.3f}]   "
                f"control [{o['ps_min_control']:.3f}, {o['ps_max_control']:.3f}]   "
                f"common support [{o['common_support_low']:.3f}, {o['common_support_high']:.3f}]"
            )
            lines.append(
                f"  outside common support: {o['n_treated_outside']} treated, "
                f"{o['n_control_outside']} control"
            )
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.summary()

    def _repr_html_(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        head = (
            f"<p><b>ATT</b> ({html.escape(self.method)}) of <code>{html.escape(self.outcome)}</code>: "
            f"{self.att:.4f} (SE {self.se:.4f}; {level} CI {self.ci_low:.4f} to {self.ci_high:.4f}; "
            f"p = {_fmt_p(self.pvalue)}); {self.n_treated} treated, {self.n_control} control"
            + (
                f"; {self.n_dropped_missing} rows dropped (missing)"
                if self.n_dropped_missing
                else ""
            )
            + (f"; {self.n_unmatched} treated unmatched" if self.n_unmatched else "")
            + f".<br><small>SE: {html.escape(self.se_method)}</small></p>"
        )
        parts = [head]
        if len(self.balance):
            parts.append("<p><b>Balance</b> (standardised mean differences)</p>")
            parts.append(self.balance.to_html(float_format=lambda v: f"{v:.3f}"))
        if self.overlap is not None:
            parts.append("<p><b>Propensity-score overlap</b></p>")
            parts.append(
                pd.DataFrame([self.overlap]).to_html(index=False, float_format=lambda v: f"{v:.3f}")
            )
        return "<div>" + "\n".join(parts) + "</div>"


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return "nan"
    return "<0.0001" if p < 1e-4 else f"{p:.4f}"


# ----------------------------------------------------------------------------
# design matrices (shared with .did)
# ----------------------------------------------------------------------------
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
    import patsy

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
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "Q"
                ):
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
                "covariates formula must be a right-hand side only (e.g. 'age + C(group)'), "
                f"got {covariates!r}"
            )
        rhs = rest.strip()
    return rhs or "1"


def _covariate_columns(data: pd.DataFrame, covariates: Any, eval_env: Any = None) -> list[str]:
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
            raise ValueError(
                "covariate formula refers to column(s) not in the data: "
                + ", ".join(map(repr, missing))
            )
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


def _build_design(
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
        import patsy

        rhs = _normalise_rhs(covariates)
        try:
            dm = patsy.dmatrix(
                rhs, data, NA_action="drop", return_type="dataframe", eval_env=eval_env
            )
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


def _clean_design(X: pd.DataFrame) -> pd.DataFrame:
    """Drop constant columns (with a warning) and reject collinear designs."""
    if X.shape[1] == 0:
        return X
    vals = X.to_numpy(dtype=float)
    if not np.all(np.isfinite(vals)):
        bad = [c for c in X.columns if not np.all(np.isfinite(X[c].to_numpy(dtype=float)))]
        raise ValueError(
            "covariate column(s) contain non-finite values: " + ", ".join(map(repr, bad))
        )
    const = [c for c, v in zip(X.columns, vals.T) if np.ptp(v) == 0]
    if const:
        warnings.warn(
            "dropping constant covariate column(s) (no variation in the estimation sample): "
            + ", ".join(map(str, const)),
            stacklevel=3,
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
            + ", ".join(map(str, redundant))
        )
    return X


# ----------------------------------------------------------------------------
# nuisance models
# ----------------------------------------------------------------------------
_PS_FITS: dict = {}
"""The last propensity-score fits (or the errors they raised), by their data: the five methods
on one sample fit the same model, once (the explorer estimates every method per subgroup)."""


def _fit_propensity(D: np.ndarray, Z: np.ndarray, w: np.ndarray) -> dict:
    """:func:`_fit_propensity_once`, remembered for the last few distinct data (copies of the
    arrays are returned, so a caller cannot change a remembered fit)."""
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    for a in (D, Z, w):
        a = np.ascontiguousarray(a, dtype=float)
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    key = h.hexdigest()
    if key not in _PS_FITS:
        if len(_PS_FITS) >= 8:
            _PS_FITS.pop(next(iter(_PS_FITS)))
        try:
            _PS_FITS[key] = _fit_propensity_once(D, Z, w)
        except EstimationError as exc:
            _PS_FITS[key] = exc
    fit = _PS_FITS[key]
    if isinstance(fit, EstimationError):
        raise EstimationError(fit.reason, str(fit))
    return {k: v.copy() for k, v in fit.items()}


def _fit_propensity_once(D: np.ndarray, Z: np.ndarray, w: np.ndarray) -> dict:
    """Unpenalised logit of D on Z (Z includes the intercept) with statsmodels.

    Returns dict with params, ps (fitted probabilities), eta (linear predictor)
    and ``hess_inv`` = (Z' diag(w p (1-p)) Z)^{-1}.
    Raises ValueError on (quasi-)perfect separation or non-convergence.
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    try:
        from statsmodels.tools.sm_exceptions import PerfectSeparationError
    except ImportError:  # pragma: no cover
        PerfectSeparationError = RuntimeError  # type: ignore[misc,assignment]

    sep_msg = (
        "perfect or quasi-perfect separation in the propensity-score model: some covariate "
        "pattern predicts treatment (almost) exactly, so the propensity score is 0 or 1 for "
        "some units and the ATT is not identified there. Coarsen or drop the offending "
        "covariate(s), or restrict the sample to the region of common support."
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = sm.GLM(D, Z, family=sm.families.Binomial(), var_weights=w).fit(maxiter=100)
        except PerfectSeparationError as exc:
            raise EstimationError("separation", sep_msg) from exc
        except np.linalg.LinAlgError as exc:
            raise EstimationError("singular", f"propensity-score model could not be fitted: {exc}") from exc
    if any(issubclass(c.category, PerfectSeparationWarning) for c in caught):
        raise EstimationError("separation", sep_msg)
    params = np.asarray(res.params, dtype=float)
    eta = Z @ params
    if (
        not np.all(np.isfinite(eta))
        or np.max(np.abs(eta)) > _SEPARATION_ETA
        or np.any(eta[D == 1] > _TREATED_ETA)
    ):
        raise EstimationError("separation", sep_msg)
    if not res.converged or any(issubclass(c.category, ConvergenceWarning) for c in caught):
        raise EstimationError("separation", "propensity-score model (logit) did not converge; " + sep_msg)
    ps = 1.0 / (1.0 + np.exp(-eta))
    W = w * ps * (1.0 - ps)
    H = Z.T @ (W[:, None] * Z)
    try:
        hess_inv = np.linalg.inv(H)
    except np.linalg.LinAlgError as exc:
        raise EstimationError("singular", f"propensity-score model has a singular Hessian: {exc}") from exc
    return {"params": params, "ps": ps, "eta": eta, "hess_inv": hess_inv}


def _wls(y: np.ndarray, Z: np.ndarray, w: np.ndarray) -> np.ndarray:
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(Z * sw[:, None], y * sw, rcond=None)
    return coef


def _overlap(ps: np.ndarray, D: np.ndarray) -> dict:
    pt, pc = ps[D == 1], ps[D == 0]
    lo = float(max(pt.min(), pc.min()))
    hi = float(min(pt.max(), pc.max()))
    return {
        "ps_min_treated": float(pt.min()),
        "ps_max_treated": float(pt.max()),
        "ps_min_control": float(pc.min()),
        "ps_max_control": float(pc.max()),
        "common_support_low": lo,
        "common_support_high": hi,
        "n_treated_outside": int(np.sum((pt < lo) | (pt > hi))),
        "n_control_outside": int(np.sum((pc < lo) | (pc > hi))),
    }


# ----------------------------------------------------------------------------
# the estimators: each returns (att, influence function) with i.weights w
# (normalised to mean one); Z includes the intercept column.
# ----------------------------------------------------------------------------
def _att_regression(Y, D, Z, w):
    n = len(Y)
    c = D == 0
    beta = _wls(Y[c], Z[c], w[c])
    m0 = Z @ beta
    wt = w * D
    att = np.sum(wt * (Y - m0)) / np.sum(wt)
    wc = w * (1 - D)
    XpX = (Z * wc[:, None]).T @ Z / n
    alr_ols = (wc * (Y - m0))[:, None] * Z @ np.linalg.inv(XpX)
    M1 = np.mean(wt[:, None] * Z, axis=0)
    psi = (wt * (Y - m0 - att) - alr_ols @ M1) / np.mean(wt)
    # weights implied for the control mean of m0 over the treated (balance exactly)
    xbar_t = np.sum(wt[:, None] * Z, axis=0) / np.sum(wt)
    implied = wc * (Z @ np.linalg.solve((Z * wc[:, None]).T @ Z, xbar_t))
    return att, psi, {"outcome_coef": beta}, implied


def _att_ipw(Y, D, Z, w, ps, hess_inv):
    n = len(Y)
    wt = w * D
    wc = w * ps * (1 - D) / (1 - ps)
    eta_t = np.sum(wt * Y) / np.sum(wt)
    eta_c = np.sum(wc * Y) / np.sum(wc)
    att = eta_t - eta_c
    alr_ps = (w * (D - ps))[:, None] * Z @ (hess_inv * n)
    inf_treat = wt * (Y - eta_t) / np.mean(wt)
    M2 = np.mean((wc * (Y - eta_c))[:, None] * Z, axis=0)
    inf_cont = (wc * (Y - eta_c) + alr_ps @ M2) / np.mean(wc)
    return att, inf_treat - inf_cont, wc


def _att_aipw(Y, D, Z, w, ps, hess_inv):
    n = len(Y)
    c = D == 0
    beta = _wls(Y[c], Z[c], w[c])
    m0 = Z @ beta
    r = Y - m0
    wt = w * D
    wc = w * ps * (1 - D) / (1 - ps)
    eta_t = np.sum(wt * r) / np.sum(wt)
    eta_c = np.sum(wc * r) / np.sum(wc)
    att = eta_t - eta_c
    wols = w * (1 - D)
    XpX = (Z * wols[:, None]).T @ Z / n
    alr_ols = (wols * r)[:, None] * Z @ np.linalg.inv(XpX)
    alr_ps = (w * (D - ps))[:, None] * Z @ (hess_inv * n)
    inf_treat = (wt * (r - eta_t) - alr_ols @ np.mean(wt[:, None] * Z, axis=0)) / np.mean(wt)
    M2 = np.mean((wc * (r - eta_c))[:, None] * Z, axis=0)
    M3 = np.mean(wc[:, None] * Z, axis=0)
    inf_cont = (wc * (r - eta_c) + alr_ps @ M2 - alr_ols @ M3) / np.mean(wc)
    return att, inf_treat - inf_cont, wc, {"outcome_coef": beta}


def _nearest_ranges(
    x_sorted: np.ndarray, q: np.ndarray, m: int, tol: float, exclude: np.ndarray | None = None
):
    """For each query q, the contiguous range [lo, hi) of x_sorted within the m-th
    smallest distance (ties included).  ``exclude`` gives, per query, the position
    in x_sorted of the query itself (within-arm search), which does not count.

    Returns lo, hi and the m-th distance.
    """
    n = len(x_sorted)
    pos = np.searchsorted(x_sorted, q)
    width = m + (1 if exclude is not None else 0)
    offs = np.arange(-width, width)
    cand = pos[:, None] + offs[None, :]
    valid = (cand >= 0) & (cand < n)
    if exclude is not None:
        valid &= cand != exclude[:, None]
    dist = np.where(valid, np.abs(x_sorted[np.clip(cand, 0, n - 1)] - q[:, None]), np.inf)
    k = min(m, int(valid.sum(axis=1).min())) if len(q) else m
    k = max(k, 1)
    dm = np.partition(dist, k - 1, axis=1)[:, k - 1]
    lo = np.searchsorted(x_sorted, q - dm - tol, side="left")
    hi = np.searchsorted(x_sorted, q + dm + tol, side="right")
    return lo, hi, dm


def _att_matching(Y, D, eta, n_neighbors: int, caliper: float | None):
    """Nearest-neighbour matching with replacement on the linear propensity score."""
    t_idx = np.flatnonzero(D == 1)
    c_idx = np.flatnonzero(D == 0)
    order = np.argsort(eta[c_idx], kind="mergesort")
    c_sorted = c_idx[order]
    xc = eta[c_sorted]
    yc = Y[c_sorted]
    n0 = len(c_sorted)
    m = min(int(n_neighbors), n0)
    scale = max(1.0, float(np.max(np.abs(eta))))
    tol = 1e-9 * scale
    xt = eta[t_idx]
    lo, hi, _ = _nearest_ranges(xc, xt, m, tol)
    cal_width = None
    if caliper is not None:
        sd = float(np.std(eta, ddof=1))
        cal_width = float(caliper) * sd
        lo = np.maximum(lo, np.searchsorted(xc, xt - cal_width - tol, side="left"))
        hi = np.minimum(hi, np.searchsorted(xc, xt + cal_width + tol, side="right"))
    matched = hi > lo
    n_unmatched = int(np.sum(~matched))
    if not matched.any():
        raise EstimationError(
            "no_match",
            "no treated unit has a control within the caliper "
            f"({caliper} SD = {cal_width:.4g} on the logit propensity scale); widen the caliper"
        )
    lo, hi = lo[matched], hi[matched]
    t_m = t_idx[matched]
    cnt = (hi - lo).astype(float)
    cs = np.concatenate([[0.0], np.cumsum(yc)])
    y0_hat = (cs[hi] - cs[lo]) / cnt
    y1 = Y[t_m]
    diffs = y1 - y0_hat
    att = float(np.mean(diffs))
    n1 = len(t_m)
    # K~_j = sum_i w_ij and sum_i w_ij^2 over sorted control positions
    dK = np.zeros(n0 + 1)
    np.add.at(dK, lo, 1.0 / cnt)
    np.add.at(dK, hi, -1.0 / cnt)
    K = np.cumsum(dK)[:n0]
    dK2 = np.zeros(n0 + 1)
    np.add.at(dK2, lo, 1.0 / cnt**2)
    np.add.at(dK2, hi, -1.0 / cnt**2)
    K2 = np.cumsum(dK2)[:n0]
    used = K > 1e-12
    # conditional variance of the used controls: match within the control arm (J = 2)
    sigma2 = np.zeros(n0)
    J = 2
    if n0 >= 2 and used.any():
        pos = np.flatnonzero(used)
        jj = min(J, n0 - 1)
        l2, h2, _ = _nearest_ranges(xc, xc[pos], jj, tol, exclude=pos)
        cnt2 = (h2 - l2 - 1).astype(float)  # minus the unit itself (always inside its range)
        mean_nb = (cs[h2] - cs[l2] - yc[pos]) / cnt2
        sigma2[pos] = cnt2 / (cnt2 + 1.0) * (yc[pos] - mean_nb) ** 2
    var = (np.sum((diffs - att) ** 2) + np.sum((K**2 - K2) * sigma2)) / n1**2
    # control weights in original order for balance
    wc = np.zeros(len(Y))
    wc[c_sorted] = K
    return {
        "att": att,
        "se": float(np.sqrt(var)),
        "n_treated": n1,
        "n_control": int(np.sum(used)),
        "n_unmatched": n_unmatched,
        "matched_treated": t_m,
        "control_weights": wc,
        "caliper_width": cal_width,
        "matches_per_treated": cnt,
    }


def _balance(
    X: pd.DataFrame, D: np.ndarray, wt_adj: np.ndarray, wc_adj: np.ndarray
) -> pd.DataFrame:
    cols = [
        "mean_treated",
        "mean_control",
        "mean_treated_adj",
        "mean_control_adj",
        "smd_before",
        "smd_after",
    ]
    if X.shape[1] == 0:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="covariate"), dtype=float)
    V = X.to_numpy(dtype=float)
    t, c = D == 1, D == 0
    mt, mc = V[t].mean(0), V[c].mean(0)
    vt = V[t].var(0, ddof=1) if t.sum() > 1 else np.zeros(V.shape[1])
    vc = V[c].var(0, ddof=1) if c.sum() > 1 else np.zeros(V.shape[1])
    sd = np.sqrt((vt + vc) / 2.0)
    mta = (wt_adj[:, None] * V).sum(0) / wt_adj.sum()
    mca = (wc_adj[:, None] * V).sum(0) / wc_adj.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        before = np.where(sd > 0, (mt - mc) / sd, np.nan)
        after = np.where(sd > 0, (mta - mca) / sd, np.nan)
    out = pd.DataFrame(
        {
            "mean_treated": mt,
            "mean_control": mc,
            "mean_treated_adj": mta,
            "mean_control_adj": mca,
            "smd_before": before,
            "smd_after": after,
        },
        index=pd.Index([str(c) for c in X.columns], name="covariate"),
    )
    return out


# ----------------------------------------------------------------------------
# public entry point
# ----------------------------------------------------------------------------
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
    treatment : str
        Column with the 0/1 (or boolean) treatment indicator.
    outcome : str
        Numeric outcome column.
    covariates : list of str, str or None
        Either a list of column names (numeric columns are used as they are,
        boolean as 0/1, any other column is dummy-encoded with the first
        level -- in sorted or categorical order -- as reference, named
        ``col[T.level]``), or a patsy right-hand side such as
        ``"age + C(target_group) + prior_weeks"``.  An intercept is always
        added.  ``None`` or ``[]`` means no covariates.
    method : {"aipw", "ipw", "regression", "matching", "difference"}
        Estimator; see the module documentation.  Default ``"aipw"``.
    caliper : float, optional
        Matching only: maximum distance in standard deviations of the logit
        propensity score (SD over the estimation sample).  Treated units with
        no control inside it are dropped and counted in ``n_unmatched``.
    n_neighbors : int, default 1
        Matching only: matches per treated unit (controls tied at the last
        distance are all used, with equal weight).
    alpha : float, default 0.05
        Confidence intervals have level ``1 - alpha``.
    weights : str, optional
        Column of non-negative sampling weights (normalised to mean one).
        Supported by every method except ``"matching"``; with weights the
        ``"difference"`` standard error comes from the influence function.

    Returns
    -------
    AttResult
        Estimate, standard error, interval, p-value, sample sizes, covariate
        balance and propensity-score overlap diagnostics.

    Raises
    ------
    EstimationError
        The method cannot be computed on these data (``reason``: no treated
        or no control units, fewer than two of either, collinear covariates,
        separation in the propensity-score model, a singular matrix, no match
        inside the caliper, a non-finite estimate); a ``ValueError``.
    ValueError
        Unknown method, missing columns (named in the message), treatment not
        0/1, non-numeric outcome, bad weights or options.

    Notes
    -----
    Rows with a missing value in any used column are dropped first; their
    number is reported in ``n_dropped_missing``.  The propensity score is also
    fitted for ``"difference"`` and ``"regression"`` (diagnostics only); if it
    cannot be fitted there, ``overlap`` is ``None``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> n = 2000
    >>> x = rng.normal(size=n)
    >>> d = (rng.uniform(size=n) < 1 / (1 + np.exp(-x))).astype(int)
    >>> y = 1.0 + 2.0 * x + 0.5 * d + rng.normal(size=n)
    >>> df = pd.DataFrame({"y": y, "d": d, "x": x})
    >>> res = estimate_att(df, treatment="d", outcome="y", covariates=["x"], method="aipw")
    >>> bool(abs(res.att - 0.5) < 3 * res.se)
    True
    >>> res.tidy().columns.tolist()[:4]
    ['method', 'outcome', 'att', 'se']
    """
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

    eval_env = None
    if isinstance(covariates, str):
        import patsy

        eval_env = patsy.EvalEnvironment.capture(1).with_outer_namespace({"np": np})

    needed = [treatment, outcome] + ([weights] if weights is not None else [])
    missing = [c for c in needed if c not in data.columns]
    cov_cols = []
    try:
        cov_cols = _covariate_columns(data, covariates, eval_env)
    except ValueError as exc:
        if missing:
            raise ValueError(
                "column(s) not in the data: " + ", ".join(map(repr, missing)) + f"; and {exc}"
            ) from exc
        raise
    if missing:
        raise ValueError("column(s) not in the data: " + ", ".join(map(repr, missing)))
    if treatment in cov_cols or outcome in cov_cols:
        raise ValueError("the treatment and outcome columns must not be covariates")

    df = data.reset_index(drop=True)
    n_rows = len(df)
    base_ok = df[needed].notna().all(axis=1).to_numpy()
    X, ok = _build_design(df, covariates, base_ok, eval_env)
    n_dropped = int(n_rows - ok.sum())
    sub = df.loc[ok]

    # treatment
    tr = sub[treatment]
    if pd.api.types.is_bool_dtype(tr.dtype):
        D = tr.to_numpy(dtype=float)
    else:
        if not pd.api.types.is_numeric_dtype(tr.dtype):
            bad = list(pd.unique(tr))[:5]
            raise ValueError(f"treatment column {treatment!r} must be 0/1; found values {bad}")
        D = tr.to_numpy(dtype=float)
        badv = np.unique(D[(D != 0) & (D != 1)])
        if badv.size:
            raise ValueError(
                f"treatment column {treatment!r} must be 0/1; found other values {badv[:5].tolist()}"
            )
    if not (
        pd.api.types.is_bool_dtype(sub[outcome].dtype)
        or pd.api.types.is_numeric_dtype(sub[outcome].dtype)
    ):
        raise ValueError(
            f"outcome column {outcome!r} must be numeric, got dtype {sub[outcome].dtype}"
        )
    Y = sub[outcome].to_numpy(dtype=float)
    n1, n0 = int(np.sum(D == 1)), int(np.sum(D == 0))
    if n1 == 0:
        raise EstimationError(
            "no_treated",
            f"no treated units ({treatment} == 1) after dropping {n_dropped} rows with missing values"
        )
    if n0 == 0:
        raise EstimationError(
            "no_control",
            f"no control units ({treatment} == 0) after dropping {n_dropped} rows with missing values"
        )
    if n1 < 2 or n0 < 2:
        raise EstimationError(
            "too_few",
            f"{n1} treated and {n0} control units: a standard error needs at least two of each",
        )
    if weights is not None:
        w = sub[weights].to_numpy(dtype=float)
        if np.any(~np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"weights column {weights!r} must be finite and non-negative")
        if w[D == 1].sum() <= 0 or w[D == 0].sum() <= 0:
            raise ValueError(
                f"weights column {weights!r} is zero for all treated or all control units"
            )
        w = w / w.mean()
    else:
        w = np.ones(len(Y))

    X = _clean_design(X)
    Z = np.column_stack([np.ones(len(Y)), X.to_numpy(dtype=float)])
    has_cov = X.shape[1] > 0

    # propensity score
    ps_fit = None
    overlap = None
    if has_cov or method == "matching":
        if method in ("ipw", "aipw", "matching"):
            ps_fit = _fit_propensity(D, Z, w)
        else:
            try:
                ps_fit = _fit_propensity(D, Z, w)
            except ValueError as exc:
                warnings.warn(f"propensity-score diagnostics unavailable: {exc}", stacklevel=2)
        if ps_fit is not None and has_cov:
            overlap = _overlap(ps_fit["ps"], D)
    elif method in ("ipw", "aipw"):
        ps_fit = _fit_propensity(D, Z, w)  # intercept only: constant score

    n = len(Y)
    details: dict[str, Any] = {"caliper": caliper}
    if ps_fit is not None:
        details["ps_coef"] = dict(zip(["Intercept", *map(str, X.columns)], ps_fit["params"]))
        details["ps"] = np.asarray(ps_fit["ps"])  # fitted propensity per unit used
        details["treated"] = np.asarray(D)
    dfree = None
    psi = None
    wt_adj = w * D
    wc_adj = w * (1 - D)
    n_unmatched = 0
    n_t_used, n_c_used = n1, n0
    se_key = method

    try:
        if method == "difference":
            if weights is None:
                y1, y0 = Y[D == 1], Y[D == 0]
                att = float(y1.mean() - y0.mean())
                v1 = y1.var(ddof=1) / n1  # n1, n0 >= 2 (checked above)
                v0 = y0.var(ddof=1) / n0
                se = float(np.sqrt(v1 + v0))
                with np.errstate(divide="ignore", invalid="ignore"):
                    dfree = float((v1 + v0) ** 2 / (v1**2 / (n1 - 1) + v0**2 / (n0 - 1)))
                psi = n * (D * (Y - y1.mean()) / n1 - (1 - D) * (Y - y0.mean()) / n0)
            else:
                wt, wc = w * D, w * (1 - D)
                m1 = np.sum(wt * Y) / wt.sum()
                m0 = np.sum(wc * Y) / wc.sum()
                att = float(m1 - m0)
                psi = wt * (Y - m1) / wt.mean() - wc * (Y - m0) / wc.mean()
                se = float(np.sqrt(np.sum(psi**2)) / n)
                se_key = "difference_weighted"
        elif method == "regression":
            att, psi, extra, implied = _att_regression(Y, D, Z, w)
            details.update(extra)
            se = float(np.sqrt(np.sum(psi**2)) / n)
            wc_adj = implied
        elif method == "ipw":
            att, psi, wc = _att_ipw(Y, D, Z, w, ps_fit["ps"], ps_fit["hess_inv"])
            se = float(np.sqrt(np.sum(psi**2)) / n)
            wc_adj = wc
        elif method == "aipw":
            att, psi, wc, extra = _att_aipw(Y, D, Z, w, ps_fit["ps"], ps_fit["hess_inv"])
            details.update(extra)
            se = float(np.sqrt(np.sum(psi**2)) / n)
            wc_adj = wc
        else:  # matching
            mres = _att_matching(Y, D, ps_fit["eta"], int(n_neighbors), caliper)
            att, se = mres["att"], mres["se"]
            n_t_used, n_c_used, n_unmatched = mres["n_treated"], mres["n_control"], mres["n_unmatched"]
            wt_adj = np.zeros(n)
            wt_adj[mres["matched_treated"]] = 1.0
            wc_adj = mres["control_weights"]
            details["caliper_width"] = mres["caliper_width"]
            details["matches_per_treated"] = mres["matches_per_treated"]
            details["n_treated_total"] = n1
            details["n_control_total"] = n0
            if n_unmatched:
                warnings.warn(
                    f"{n_unmatched} of {n1} treated units have no control within the caliper and were dropped",
                    stacklevel=2,
                )
    except np.linalg.LinAlgError as exc:
        raise EstimationError("singular", f"{method}: a model matrix is singular ({exc})") from exc
    if not (np.isfinite(att) and np.isfinite(se)):
        raise EstimationError("not_finite", f"{method}: the estimate or its standard error is not finite")

    att = float(att)
    if dfree is not None and np.isfinite(dfree):
        crit = stats.t.ppf(1 - alpha / 2, dfree)
        pval = float(2 * stats.t.sf(abs(att / se), dfree)) if se > 0 else np.nan
    else:
        dfree = None
        crit = stats.norm.ppf(1 - alpha / 2)
        pval = float(2 * stats.norm.sf(abs(att / se))) if se > 0 else np.nan
    balance = _balance(X, D, wt_adj, wc_adj)
    return AttResult(
        method=method,
        outcome=outcome,
        treatment=treatment,
        att=att,
        se=float(se),
        ci_low=float(att - crit * se),
        ci_high=float(att + crit * se),
        pvalue=pval,
        n_treated=int(n_t_used),
        n_control=int(n_c_used),
        alpha=float(alpha),
        balance=balance,
        overlap=overlap,
        n_dropped_missing=n_dropped,
        n_unmatched=int(n_unmatched),
        se_method=_SE_LABELS[se_key],
        df=dfree,
        influence_function=psi,
        details=details,
    )
