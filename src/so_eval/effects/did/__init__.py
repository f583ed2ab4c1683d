"""Staggered-entry difference-in-differences: group-time ATT(g,t).

Implements Callaway & Sant'Anna (2021) as the R package ``did`` does it
(``att_gt`` followed by ``aggte``), for a balanced panel in long format:

* ATT(g,t) for every treated cohort ``g`` (first treated period) and period
  ``t``.  ``base_period="varying"`` (R's default): pre-treatment cells compare
  ``t`` with ``t-1``; post-treatment cells compare ``t`` with
  ``g - 1 - anticipation`` (the last period before ``g - anticipation``).
  ``base_period="universal"``: every cell compares with ``g - 1 -
  anticipation``; the base cell itself is reported as 0 with no standard
  error.
* Comparison group ``"never_treated"`` (group 0 / NaN) or
  ``"not_yet_treated"`` (never treated plus cohorts not yet treated by
  ``max(t, base) + anticipation``).
* Without covariates each cell is the plain 2x2 DiD of means.  With
  covariates it is the doubly robust (``"dr"``, ``DRDID::drdid_panel``),
  IPW (``"ipw"``, ``DRDID::std_ipw_did_panel``) or outcome-regression
  (``"reg"``, ``DRDID::reg_did_panel``) panel DiD estimator on the two
  periods of the cell, with covariates taken from the earlier of the two
  periods (use time-invariant / pre-treatment covariates).
* Standard errors from the influence functions, clustered on the unit:
  ``se = sqrt(sum_i psi_i^2) / n`` (R's ``bstrap = FALSE``), or optionally
  the multiplier bootstrap with Mammen weights (R's default ``bstrap =
  TRUE``), which also yields simultaneous confidence bands.

Aggregations (:meth:`DidResult.aggregate`) follow ``did::aggte``: weights
proportional to group size, only post-treatment cells for ``"simple"``,
``"group"`` and ``"calendar"`` and for the overall ``"dynamic"`` effect
(e >= 0), and the extra influence-function term for the estimated
weights.  One deliberate difference: for the overall ``"group"`` effect R
(did 2.x, ``compute.aggte``) builds the weight term with the group of the
first ``nG`` *cells* (``group[k]``) where the group ``glist[k]`` is meant;
here the indicator of ``glist[k]`` is used.  Point estimates are unaffected;
only that one analytic SE can differ slightly from R's ``bstrap=FALSE``
output.  Confidence intervals of the tables are pointwise unless the
bootstrap is requested (then ``cband_low``/``cband_high`` give the
simultaneous band).

Reference: Callaway, B. and Sant'Anna, P. H. C. (2021). Difference-in-
differences with multiple time periods. Journal of Econometrics 225(2),
200-230.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats
from scipy.special import expit

from so_eval.effects.att.design import build_design as _build_design
from so_eval.effects.att.design import clean_design as _clean_design
from so_eval.effects.att.design import covariate_columns as _covariate_columns

__all__ = ["DidAggregation", "DidResult", "group_time_att", "group_time_att_wide"]

_EPS_SE = np.sqrt(np.finfo(float).eps) * 10
_KINDS = ("simple", "group", "dynamic", "calendar")


# ----------------------------------------------------------------------------
# 2x2 panel DiD estimators (DRDID) -- inputs restricted to treated + comparison
# units; Z includes the intercept; w are sampling weights.
# Each returns (att, influence function on the subsample scale).
# ----------------------------------------------------------------------------
def _logit_irls(Z: np.ndarray, D: np.ndarray, w: np.ndarray, maxiter: int = 50, tol: float = 1e-10):
    """Unpenalised logit by Newton-Raphson (= IRLS for the canonical link)."""
    k = Z.shape[1]
    beta = np.zeros(k)
    pbar = np.clip(np.sum(w * D) / np.sum(w), 1e-10, 1 - 1e-10)
    beta[0] = np.log(pbar / (1 - pbar))
    dev_old = np.inf
    converged = False
    for _ in range(maxiter):
        eta = Z @ beta
        p = expit(eta)
        W = w * p * (1 - p)
        H = Z.T @ (W[:, None] * Z)
        g = Z.T @ (w * (D - p))
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        eta = Z @ beta
        dev = 2 * np.sum(w * (np.logaddexp(0, eta) - D * eta))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            converged = True
            break
        dev_old = dev
    p = expit(Z @ beta)
    return beta, p, converged


def _ps_parts(Z, D, w, ps=None, cache=None):
    """Fitted propensity scores and the asymptotic linear representation of the
    logit coefficients.  ``cache`` (a dict) memoises both for a fixed (Z, D, w)."""
    if cache is not None and "alr_ps" in cache:
        return cache["ps_c"], cache["alr_ps"]
    n = len(D)
    if ps is None:
        _, ps, _ = _logit_irls(Z, D, w)
    ps = np.minimum(ps, 1 - 1e-6)
    W = ps * (1 - ps) * w
    XtWX = Z.T @ (W[:, None] * Z)
    if 1.0 / np.linalg.cond(XtWX, 1) < np.finfo(float).eps:
        raise np.linalg.LinAlgError("The propensity score design matrix is singular.")
    alr_ps = (w * (D - ps))[:, None] * Z @ (np.linalg.inv(XtWX) * n)
    if cache is not None:
        cache["ps_c"], cache["alr_ps"] = ps, alr_ps
    return ps, alr_ps


def _ols_parts(Z, D, dy, w, cache=None):
    """Control-group (weighted) OLS of dy on Z: fitted values for everyone and
    the asymptotic linear representation of the coefficients.  ``cache``
    memoises the inverse moment matrix for a fixed (Z, D, w)."""
    n = len(D)
    wols = w * (1 - D)
    if cache is not None and "xpx_inv" in cache:
        xpx_inv = cache["xpx_inv"]
    else:
        XpX = (Z * wols[:, None]).T @ Z / n
        if 1.0 / np.linalg.cond(XpX, 1) < np.finfo(float).eps:
            raise np.linalg.LinAlgError("The regression design matrix is singular.")
        xpx_inv = np.linalg.inv(XpX)
        if cache is not None:
            cache["xpx_inv"] = xpx_inv
    coef = xpx_inv @ (Z.T @ (wols * dy)) / n
    out = Z @ coef
    alr_ols = (wols * (dy - out))[:, None] * Z @ xpx_inv
    return out, alr_ols


def _drdid_panel(dy, D, Z, w=None, trim_level=0.995, ps=None, cache=None):
    """Locally efficient doubly robust DiD for panel data (Sant'Anna & Zhao 2020).

    ``ps``: optional already fitted propensity scores (same Z, D, w).
    """
    w = np.ones(len(D)) if w is None else w / np.mean(w)
    ps, alr_ps = _ps_parts(Z, D, w, ps, cache)
    trim = np.where(D == 0, ps < trim_level, True)
    out, alr_ols = _ols_parts(Z, D, dy, w, cache)
    w_t = trim * w * D
    w_c = trim * w * ps * (1 - D) / (1 - ps)
    r = dy - out
    eta_t = np.mean(w_t * r) / np.mean(w_t)
    eta_c = np.mean(w_c * r) / np.mean(w_c)
    att = eta_t - eta_c
    inf_treat = (w_t * r - w_t * eta_t - alr_ols @ np.mean(w_t[:, None] * Z, axis=0)) / np.mean(w_t)
    M2 = np.mean((w_c * (r - eta_c))[:, None] * Z, axis=0)
    M3 = np.mean(w_c[:, None] * Z, axis=0)
    inf_cont = (w_c * r - w_c * eta_c + alr_ps @ M2 - alr_ols @ M3) / np.mean(w_c)
    return att, inf_treat - inf_cont


def _ipw_did_panel(dy, D, Z, w=None, trim_level=0.995, ps=None, cache=None):
    """Standardised (Hajek) IPW DiD for panel data (DRDID::std_ipw_did_panel)."""
    w = np.ones(len(D)) if w is None else w / np.mean(w)
    ps, alr_ps = _ps_parts(Z, D, w, ps, cache)
    trim = np.where(D == 0, ps < trim_level, True)
    w_t = trim * w * D
    w_c = trim * w * ps * (1 - D) / (1 - ps)
    eta_t = np.mean(w_t * dy) / np.mean(w_t)
    eta_c = np.mean(w_c * dy) / np.mean(w_c)
    att = eta_t - eta_c
    inf_treat = (w_t * dy - w_t * eta_t) / np.mean(w_t)
    M2 = np.mean((w_c * (dy - eta_c))[:, None] * Z, axis=0)
    inf_cont = (w_c * dy - w_c * eta_c + alr_ps @ M2) / np.mean(w_c)
    return att, inf_treat - inf_cont


def _reg_did_panel(dy, D, Z, w=None, cache=None):
    """Outcome-regression DiD for panel data (DRDID::reg_did_panel)."""
    w = np.ones(len(D)) if w is None else w / np.mean(w)
    out, alr_ols = _ols_parts(Z, D, dy, w, cache)
    w_t = w * D
    eta_t = np.mean(w_t * dy) / np.mean(w_t)
    eta_c = np.mean(w_t * out) / np.mean(w_t)
    att = eta_t - eta_c
    inf_treat = (w_t * dy - w_t * eta_t) / np.mean(w_t)
    inf_cont = (w_t * out - w_t * eta_c + alr_ols @ np.mean(w_t[:, None] * Z, axis=0)) / np.mean(
        w_t
    )
    return att, inf_treat - inf_cont


_ESTIMATORS = {"dr": _drdid_panel, "ipw": _ipw_did_panel, "reg": _reg_did_panel}


# ----------------------------------------------------------------------------
# inference helpers
# ----------------------------------------------------------------------------
def _mammen(rng: np.random.Generator, size) -> np.ndarray:
    s5 = np.sqrt(5.0)
    kappa = (s5 + 1) / 2
    p = kappa / s5
    return np.where(rng.uniform(size=size) < p, 1 - kappa, kappa)


def _analytic_se(IF: np.ndarray) -> np.ndarray:
    n = IF.shape[0]
    se = np.sqrt(np.sum(IF**2, axis=0)) / n
    return np.where(se <= _EPS_SE, np.nan, se)


def _boot_se(
    IF: np.ndarray, n_boot: int, seed: int | None, alpha: float
) -> tuple[np.ndarray, float]:
    """Multiplier bootstrap (Mammen weights) as did::mboot: IQR-based SE and
    the simultaneous critical value."""
    n, m = IF.shape
    rng = np.random.default_rng(seed)
    bres = np.empty((n_boot, m))
    chunk = max(1, int(2e7 // max(n, 1)))
    for s in range(0, n_boot, chunk):
        V = _mammen(rng, (min(chunk, n_boot - s), n))
        bres[s : s + V.shape[0]] = V @ IF / np.sqrt(n)
    q75 = np.quantile(bres, 0.75, axis=0, method="inverted_cdf")
    q25 = np.quantile(bres, 0.25, axis=0, method="inverted_cdf")
    bsig = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    ok = np.isfinite(bsig) & (bsig > _EPS_SE) & (np.sum(bres**2, axis=0) > _EPS_SE)
    se = np.full(m, np.nan)
    se[ok] = bsig[ok] / np.sqrt(n)
    crit = stats.norm.ppf(1 - alpha / 2)
    if ok.sum() > 1:
        bT = np.max(np.abs(bres[:, ok] / bsig[ok]), axis=1)
        bT = bT[np.isfinite(bT)]
        c = float(np.quantile(bT, 1 - alpha, method="inverted_cdf"))
        if np.isfinite(c) and c >= crit:
            crit = c
    return se, crit


def _ci_table(att: np.ndarray, se: np.ndarray, alpha: float) -> dict[str, np.ndarray]:
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        pval = 2 * stats.norm.sf(np.abs(att / se))
    return {"att": att, "se": se, "ci_low": att - z * se, "ci_high": att + z * se, "pvalue": pval}


def _wif_att(
    cell_groups: np.ndarray, pg: np.ndarray, att: np.ndarray, unit_group: np.ndarray
) -> np.ndarray:
    """``wif(keepers, pg, ...) %*% att[keepers]`` of did::compute.aggte, vectorised.

    cell_groups, pg, att: the kept cells' group, group probability and estimate.
    Returns one value per unit.
    """
    S = pg.sum()
    P = np.sum(pg * att)
    ug, inv = np.unique(cell_groups, return_inverse=True)
    A = np.bincount(inv, weights=att, minlength=len(ug))
    N = np.bincount(inv, minlength=len(ug)).astype(float)
    pos = np.searchsorted(ug, unit_group)
    pos_c = np.clip(pos, 0, len(ug) - 1)
    hit = (pos < len(ug)) & (ug[pos_c] == unit_group)
    A_i = np.where(hit, A[pos_c], 0.0)
    N_i = np.where(hit, N[pos_c], 0.0)
    return (A_i - P) / S - (N_i - S) * P / S**2


_DENSE_IF_BYTES = 1 << 30
"""Influence functions larger than this (units × cells × 8 bytes) are kept per cell
(:class:`_Influence`) instead of as one matrix."""


class _Influence:
    """Units × cells influence functions of ATT(g,t), kept column by column.

    Without covariates a cell's influence function is two slices of the outcome matrix — the
    cohort's and the comparison units' changes from the base period, centred and scaled — so it
    is kept as that recipe and computed when needed; other columns are stored. Aggregations
    combine the columns one at a time (:meth:`combine`), so memory grows with units × periods,
    not units × cells (500,000 units × 1,248 cells would be 4.7 GiB as one matrix). Each column
    is computed with the same operations as the dense matrix.
    """

    def __init__(self, n: int, ncell: int, Y: np.ndarray):
        self.shape = (n, ncell)
        self._Y = Y
        self._parts: dict[int, tuple] = {}

    def set_diff(self, k: int, c: int, b: int, blocks: list[tuple[int, int, float, float]]) -> None:
        """Column ``k`` is ``scale * ((Y[a:z, c] - Y[a:z, b]) - mean)`` on each block, 0 elsewhere."""
        self._parts[k] = ("diff", c, b, blocks)

    def set_column(self, k: int, col: np.ndarray) -> None:
        self._parts[k] = ("col", col)

    def column(self, k: int) -> np.ndarray:
        part = self._parts.get(k)
        if part is not None and part[0] == "col":
            return part[1]
        return self._fill(k, np.empty(self.shape[0]))

    def _fill(self, k: int, out: np.ndarray) -> np.ndarray:
        """Column ``k`` written into ``out`` (of length units)."""
        part = self._parts.get(k)
        if part is not None and part[0] == "col":
            out[:] = part[1]
            return out
        out[:] = 0.0
        if part is not None:
            _, c, b, blocks = part
            for a, z, scale, mean in blocks:
                d = out[a:z]
                np.subtract(self._Y[a:z, c], self._Y[a:z, b], out=d)
                d -= mean
                d *= scale
        return out

    def dense(self) -> np.ndarray:
        out = np.zeros(self.shape, order="F")
        for k in range(self.shape[1]):
            out[:, k] = self.column(k)
        return out

    def combine(self, W: sparse.spmatrix) -> np.ndarray:
        """``(W @ IF.T).T`` for a sparse ``m × cells`` weight matrix: units × m.

        Each column is built in one reused buffer and added to a column-major result (the
        same operations, element by element, as on fresh arrays), returned in row-major order
        as the dense path returns it, so that later sums over units add in the same order."""
        W = sparse.csc_matrix(W)
        out = np.zeros((self.shape[0], W.shape[0]), order="F")
        col, term = np.empty(self.shape[0]), np.empty(self.shape[0])
        for k in np.flatnonzero(np.diff(W.indptr)):
            self._fill(int(k), col)
            lo, hi = W.indptr[k], W.indptr[k + 1]
            for j, v in zip(W.indices[lo:hi], W.data[lo:hi]):
                np.multiply(v, col, out=term)
                out[:, j] += term
        return np.ascontiguousarray(out)


def _combine(IF, W: sparse.spmatrix) -> np.ndarray:
    if isinstance(IF, _Influence):
        return IF.combine(W)
    return np.ascontiguousarray(np.asarray(W @ IF.T).T)


# ----------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class DidAggregation:
    """An ``aggte``-style aggregation of group-time effects.

    Attributes
    ----------
    kind : {"simple", "group", "dynamic", "calendar"}
    overall_att, overall_se, overall_ci_low, overall_ci_high, overall_pvalue : float
        The overall summary parameter (for ``"dynamic"``: the average of the
        event-time effects with e >= 0 in the selected range; for ``"group"``:
        group-size weighted average of the group effects; for
        ``"calendar"``: average of the calendar-time effects).
    table : pandas.DataFrame
        Effects by group / event time / calendar time (empty for
        ``"simple"``): key column (``group``, ``event_time`` or ``time``),
        ``att``, ``se``, ``ci_low``, ``ci_high``, ``pvalue`` (+ ``cband_low``,
        ``cband_high`` with the bootstrap).
    """

    kind: str
    outcome: str
    overall_att: float
    overall_se: float
    overall_ci_low: float
    overall_ci_high: float
    overall_pvalue: float
    table: pd.DataFrame = field(repr=False)
    alpha: float = 0.05
    se_method: str = "analytic influence function, clustered on unit"
    crit_val: float | None = None
    min_e: float = -np.inf
    max_e: float = np.inf
    balance_e: int | None = None
    influence_function: np.ndarray | None = field(default=None, repr=False)
    table_influence_functions: np.ndarray | None = field(default=None, repr=False)

    @property
    def att(self) -> float:
        return self.overall_att

    @property
    def se(self) -> float:
        return self.overall_se

    def tidy(self) -> pd.DataFrame:
        """Long DataFrame: one ``overall`` row then one row per table entry.

        Columns: kind, term, att, se, ci_low, ci_high, pvalue.
        """
        rows = [
            {
                "kind": self.kind,
                "term": "overall",
                "att": self.overall_att,
                "se": self.overall_se,
                "ci_low": self.overall_ci_low,
                "ci_high": self.overall_ci_high,
                "pvalue": self.overall_pvalue,
            }
        ]
        if len(self.table):
            key = self.table.columns[0]
            for _, r in self.table.iterrows():
                rows.append(
                    {
                        "kind": self.kind,
                        "term": f"{key}={_fmt_num(r[key])}",
                        "att": r["att"],
                        "se": r["se"],
                        "ci_low": r["ci_low"],
                        "ci_high": r["ci_high"],
                        "pvalue": r["pvalue"],
                    }
                )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        label = {
            "simple": "simple weighted average of post-treatment ATT(g,t)",
            "group": "average by cohort (group)",
            "dynamic": "event study (average by length of exposure)",
            "calendar": "average by calendar period",
        }[self.kind]
        lines = [
            f"Aggregated ATT - {label}",
            f"  outcome: {self.outcome}",
            (
                f"  overall ATT {self.overall_att:.4f}   SE {self.overall_se:.4f}   "
                f"{level} CI [{self.overall_ci_low:.4f}, {self.overall_ci_high:.4f}]"
            ),
            f"  SE: {self.se_method}",
        ]
        if len(self.table):
            lines.append("")
            lines.extend(
                "  " + s
                for s in self.table.to_string(
                    index=False, float_format=lambda v: f"{v:.4f}"
                ).splitlines()
            )
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover
        return self.summary()

    def _repr_html_(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        head = (
            f"<p><b>Aggregated ATT ({html.escape(self.kind)})</b> of <code>{html.escape(self.outcome)}</code>: "
            f"{self.overall_att:.4f} (SE {self.overall_se:.4f}; {level} CI {self.overall_ci_low:.4f} "
            f"to {self.overall_ci_high:.4f})<br><small>SE: {html.escape(self.se_method)}</small></p>"
        )
        body = (
            self.table.to_html(index=False, float_format=lambda v: f"{v:.4f}")
            if len(self.table)
            else ""
        )
        return "<div>" + head + body + "</div>"


def _fmt_num(v) -> str:
    try:
        f = float(v)
        return str(int(f)) if f.is_integer() else f"{f:g}"
    except (TypeError, ValueError):
        return str(v)


@dataclass(frozen=True, eq=False)
class DidResult:
    """Group-time average treatment effects, as returned by :func:`group_time_att`.

    Attributes
    ----------
    att_gt : pandas.DataFrame
        One row per (group, time) cell: ``group``, ``time``, ``att``, ``se``,
        ``ci_low``, ``ci_high``, ``n_group`` (units in the cohort), and
        ``event_time`` (time - group), ``base_time`` (the comparison period),
        ``post`` (time >= group), ``n_control`` (comparison units of the
        cell), ``pvalue`` (+ ``cband_low``, ``cband_high`` with the
        bootstrap).  ``att`` is NaN for cells that could not be estimated.
    n_units : int
        Units in the balanced panel used.
    """

    att_gt: pd.DataFrame
    outcome: str
    unit: str
    time: str
    group: str
    covariates: Any
    control_group: str
    base_period: str
    est_method: str | None
    anticipation: float
    alpha: float
    n_units: int
    periods: tuple
    groups: tuple
    dropped: dict = field(default_factory=dict, repr=False)
    bootstrap: int | None = None
    seed: int | None = None
    crit_val: float | None = None
    _inf: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    _unit_group: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]

    @property
    def influence_functions(self) -> np.ndarray:
        """Units x cells matrix of ATT(g,t) influence functions (rows of ``att_gt``).

        For very large panels they are kept per cell and this builds the whole matrix."""
        return self._inf.dense() if isinstance(self._inf, _Influence) else self._inf

    @property
    def se_method(self) -> str:
        if self.bootstrap:
            return f"multiplier bootstrap (Mammen, {self.bootstrap} draws, seed {self.seed}), clustered on unit"
        return "analytic influence function, clustered on unit"

    def _se(self, IF: np.ndarray) -> tuple[np.ndarray, float | None]:
        if self.bootstrap:
            se, crit = _boot_se(IF, self.bootstrap, self.seed, self.alpha)
            return se, crit
        return _analytic_se(IF), None

    # -- aggregation ----------------------------------------------------------
    def aggregate(
        self,
        kind: str = "group",
        *,
        min_e: float = -np.inf,
        max_e: float = np.inf,
        balance_e: int | None = None,
    ) -> DidAggregation:
        """Aggregate ATT(g,t) like ``did::aggte``.

        Parameters
        ----------
        kind : {"simple", "group", "dynamic", "calendar"}
        min_e, max_e : float
            Event-time window.  For ``"dynamic"`` it selects the event times
            reported (and averaged for the overall effect when e >= 0); for
            ``"simple"`` and ``"group"`` ``max_e`` limits the post-treatment
            cells used (``t <= g + max_e``), as in R.  In the units of
            ``time``.
        balance_e : int, optional
            ``"dynamic"`` only: keep only cohorts observed for at least
            ``balance_e`` periods after treatment, as R's ``balance_e``.

        Cells whose ATT(g,t) is missing are dropped first (R's
        ``na.rm = TRUE``).
        """
        if kind not in _KINDS:
            raise ValueError(f"unknown aggregation {kind!r}; choose one of {', '.join(_KINDS)}")
        tab = self.att_gt
        valid = np.flatnonzero(tab["att"].notna().to_numpy())
        if len(valid) == 0:
            raise ValueError("no estimable ATT(g,t) cells to aggregate")
        group = tab["group"].to_numpy(dtype=float)[valid]
        t = tab["time"].to_numpy(dtype=float)[valid]
        att = tab["att"].to_numpy(dtype=float)[valid]
        IF = self._inf  # all cells; ``valid`` maps the cells used here to its columns
        G = self._unit_group
        n = IF.shape[0]
        if kind == "group":
            # R: with na.rm keep only groups having some non-missing post-treatment cell
            keepg = np.isin(group, np.unique(group[group <= t]))
            group, t, att, valid = group[keepg], t[keepg], att[keepg], valid[keepg]
        glist = np.unique(group)
        pgg = np.array([np.mean(G == g) for g in glist])
        pg = pgg[np.searchsorted(glist, group)]
        keepers = np.flatnonzero((group <= t) & (t <= group + max_e))
        alpha = self.alpha

        def combine(
            cols: list[np.ndarray], wts: list[np.ndarray], wifs: list[np.ndarray | None]
        ) -> np.ndarray:
            m = len(cols)
            rows = np.concatenate(cols) if m else np.array([], dtype=int)
            colid = np.concatenate([np.full(len(c), j) for j, c in enumerate(cols)]) if m else rows
            vals = np.concatenate(wts) if m else np.array([])
            W = sparse.csr_matrix((vals, (colid, valid[rows])), shape=(m, IF.shape[1]))
            out = _combine(IF, W)  # n x m
            for j, wf in enumerate(wifs):
                if wf is not None:
                    out[:, j] += wf
            return out

        def overall(value: float, inf: np.ndarray):
            se, _ = self._se(inf[:, None])
            ci = _ci_table(np.array([value]), se, alpha)
            return (
                float(value),
                float(se[0]),
                float(ci["ci_low"][0]),
                float(ci["ci_high"][0]),
                float(ci["pvalue"][0]),
            )

        table = pd.DataFrame()
        table_if = None
        crit = None
        if kind == "simple":
            if len(keepers) == 0:
                raise ValueError("no post-treatment ATT(g,t) cells to aggregate")
            wk = pg[keepers] / pg[keepers].sum()
            value = float(np.sum(att[keepers] * wk))
            inf = combine(
                [keepers], [wk], [_wif_att(group[keepers], pg[keepers], att[keepers], G)]
            )[:, 0]
        elif kind == "group":
            cols, wts = [], []
            att_g = np.empty(len(glist))
            for j, g in enumerate(glist):
                wg = np.flatnonzero((group == g) & (g <= t) & (t <= group + max_e))
                cols.append(wg)
                wts.append(pg[wg] / pg[wg].sum() if len(wg) else np.array([]))
                att_g[j] = att[wg].mean() if len(wg) else np.nan
            inf_g = combine(cols, wts, [None] * len(glist))
            se_g, crit = self._se(inf_g)
            okg = np.isfinite(att_g)
            wgt = pgg[okg] / pgg[okg].sum()
            value = float(np.sum(att_g[okg] * wgt))
            inf = inf_g[:, okg] @ wgt + _wif_att(glist[okg], pgg[okg], att_g[okg], G)
            table = pd.DataFrame({"group": glist, **_ci_table(att_g, se_g, alpha)})
            table_if = inf_g
        elif kind == "dynamic":
            e_all = t - group
            include = np.ones(len(group), dtype=bool)
            eseq = np.unique(e_all)
            if balance_e is not None:
                tmax, tmin = float(np.max(t)), float(np.min(t))
                include = (tmax - group) >= balance_e
                eseq = np.unique(e_all[include])
                eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - tmax + tmin)]
            eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
            if len(eseq) == 0:
                raise ValueError("no event times in the requested window")
            cols, wts, wifs = [], [], []
            att_e = np.empty(len(eseq))
            for j, e in enumerate(eseq):
                we = np.flatnonzero((e_all == e) & include)
                pge = pg[we] / pg[we].sum()
                att_e[j] = np.sum(att[we] * pge)
                cols.append(we)
                wts.append(pge)
                wifs.append(_wif_att(group[we], pg[we], att[we], G))
            inf_e = combine(cols, wts, wifs)
            se_e, crit = self._se(inf_e)
            epos = eseq >= 0
            if not epos.any():
                value, inf = np.nan, np.zeros(n)
            else:
                value = float(np.mean(att_e[epos]))
                inf = inf_e[:, epos].mean(axis=1)
            table = pd.DataFrame({"event_time": eseq, **_ci_table(att_e, se_e, alpha)})
            table_if = inf_e
        else:  # calendar
            tlist = np.unique(t)
            ctl = tlist[tlist >= group.min()]
            ctl = np.array([t1 for t1 in ctl if np.any((t == t1) & (group <= t))])
            cols, wts, wifs = [], [], []
            att_t = np.empty(len(ctl))
            for j, t1 in enumerate(ctl):
                wt_ = np.flatnonzero((t == t1) & (group <= t))
                pgt = pg[wt_] / pg[wt_].sum()
                att_t[j] = np.sum(pgt * att[wt_])
                cols.append(wt_)
                wts.append(pgt)
                wifs.append(_wif_att(group[wt_], pg[wt_], att[wt_], G))
            inf_t = combine(cols, wts, wifs)
            se_t, crit = self._se(inf_t)
            value = float(np.mean(att_t))
            inf = inf_t.mean(axis=1)
            table = pd.DataFrame({"time": ctl, **_ci_table(att_t, se_t, alpha)})
            table_if = inf_t
        if crit is not None and len(table):
            table["cband_low"] = table["att"] - crit * table["se"]
            table["cband_high"] = table["att"] + crit * table["se"]
        if len(table) and kind in ("group", "calendar"):
            key = table.columns[0]
            if np.all(np.mod(table[key].to_numpy(dtype=float), 1) == 0):
                table[key] = table[key].astype(np.int64)
        if kind == "dynamic" and np.all(np.mod(table["event_time"].to_numpy(dtype=float), 1) == 0):
            table["event_time"] = table["event_time"].astype(np.int64)
        o = overall(value, inf)
        return DidAggregation(
            kind=kind,
            outcome=self.outcome,
            overall_att=o[0],
            overall_se=o[1],
            overall_ci_low=o[2],
            overall_ci_high=o[3],
            overall_pvalue=o[4],
            table=table,
            alpha=alpha,
            se_method=self.se_method,
            crit_val=crit,
            min_e=min_e,
            max_e=max_e,
            balance_e=balance_e,
            influence_function=inf,
            table_influence_functions=table_if,
        )

    # -- presentation -----------------------------------------------------------
    def tidy(self) -> pd.DataFrame:
        """The ATT(g,t) table (a copy)."""
        return self.att_gt.copy()

    def _settings(self) -> str:
        method = (
            "2x2 DiD of means (no covariates)"
            if self.est_method is None
            else {
                "dr": "doubly robust (DRDID)",
                "ipw": "inverse probability weighting (DRDID)",
                "reg": "outcome regression (DRDID)",
            }[self.est_method]
        )
        return (
            f"control group: {self.control_group.replace('_', ' ')}; base period: {self.base_period}; "
            f"anticipation: {self.anticipation:g}; estimator: {method}"
        )

    def summary(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [
            "Group-time average treatment effects (Callaway & Sant'Anna 2021)",
            (
                f"  outcome: {self.outcome}; {self.n_units} units, {len(self.periods)} periods, "
                f"{len(self.groups)} treated cohorts"
            ),
            "  " + self._settings(),
            f"  SE: {self.se_method}; {level} pointwise intervals",
        ]
        for k, v in self.dropped.items():
            if v:
                lines.append(f"  dropped: {v} {k.replace('_', ' ')}")
        cols = ["group", "time", "att", "se", "ci_low", "ci_high", "n_group"]
        lines.append("")
        lines.extend(
            "  " + s
            for s in self.att_gt[cols]
            .to_string(index=False, float_format=lambda v: f"{v:.4f}")
            .splitlines()
        )
        try:
            simple = self.aggregate("simple")
            lines.append("")
            lines.append(
                f"  simple aggregated ATT (post-treatment cells, group-size weights): "
                f"{simple.overall_att:.4f} (SE {simple.overall_se:.4f})"
            )
        except ValueError:
            pass
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover
        return self.summary()

    def _repr_html_(self) -> str:
        head = (
            "<p><b>Group-time ATT</b> (Callaway &amp; Sant'Anna 2021) of "
            f"<code>{html.escape(self.outcome)}</code>: {self.n_units} units, {len(self.periods)} periods, "
            f"{len(self.groups)} cohorts<br><small>{html.escape(self._settings())}; SE: "
            f"{html.escape(self.se_method)}</small></p>"
        )
        cols = ["group", "time", "att", "se", "ci_low", "ci_high", "n_group"]
        return (
            "<div>"
            + head
            + self.att_gt[cols].to_html(index=False, float_format=lambda v: f"{v:.4f}")
            + "</div>"
        )


def _estimate(
    Y: np.ndarray,
    Gu: np.ndarray,
    tlist: np.ndarray,
    glist: np.ndarray,
    Xp: np.ndarray | None,
    *,
    control_group: str,
    base_period: str,
    est_method: str,
    anticipation: float,
    alpha: float,
    bootstrap: int | None,
    seed: int | None,
    dropped: dict,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    covariates: Any,
) -> DidResult:
    """ATT(g,t) of every cell from the prepared panel, shared by :func:`group_time_att` and
    :func:`group_time_att_wide`.

    ``Y`` is the balanced units × periods outcome matrix (float64, Fortran order) with the units
    sorted by ``Gu``, their group (0 = never treated), so that each cohort is a contiguous
    block; ``tlist`` the periods, ``glist`` the treated cohorts; ``Xp`` the periods × units ×
    covariates design or None.  ``control_group`` is the canonical name.  The remaining
    arguments are recorded in the result.
    """
    cg = control_group
    n, T = Y.shape
    # small groups (R: fewer than #covariates + 5 units)
    has_cov = Xp is not None
    k = Xp.shape[2] if has_cov else 0
    req = k + 5
    ug, ucount = np.unique(Gu, return_counts=True)
    small = [g for g, s in zip(ug, ucount) if s < req]
    if small:
        warnings.warn(
            f"some groups are small (fewer than {req} units): "
            + ", ".join(_fmt_num(g) for g in small),
            stacklevel=3,
        )
        if 0.0 in small and cg == "never_treated":
            raise ValueError(
                "never-treated group is too small; try control_group='not_yet_treated'"
            )

    # ---- cells ----------------------------------------------------------------
    # Units are sorted by group: cohort g is the slice [start[g], stop[g]), the
    # never treated (group 0) come first, and "group > threshold" is a tail.
    tfac = 1 if base_period == "varying" else 0
    ncell = len(glist) * (T - tfac)
    lazy = not has_cov and n * ncell * 8 > _DENSE_IF_BYTES
    if lazy and bootstrap:
        raise ValueError(
            f"the multiplier bootstrap needs all {n:,} × {ncell:,} influence functions at once "
            f"({n * ncell * 8 / 2**30:.1f} GiB); use the analytic standard errors (bootstrap=None)"
        )
    IF: Any = _Influence(n, ncell, Y) if lazy else np.zeros((n, ncell), order="F")
    ssq = np.zeros(ncell)  # column sums of squares of IF (analytic SEs)
    rec = []
    n_never = int(np.searchsorted(Gu, 0.0, side="right")) if np.any(Gu == 0) else 0
    estimator = _ESTIMATORS[est_method]
    x_invariant = bool(has_cov and np.all(Xp == Xp[:1]))
    cache_key: Any = None
    cache: dict = {}
    control_stats: dict = {}
    work = np.empty(0 if has_cov else n)
    counter = 0
    warn_msgs: list[str] = []
    for g in glist:
        g0 = int(np.searchsorted(Gu, g, side="left"))
        g1 = int(np.searchsorted(Gu, g, side="right"))
        nD = g1 - g0
        pre_idx = np.flatnonzero(tlist + anticipation < g)
        univ = int(pre_idx[-1])  # exists: g > first + anticipation
        for c in range(tfac, T):
            tc = tlist[c]
            post = bool(g <= tc)
            b = (c - 1) if base_period == "varying" else univ
            # comparison units as slices of the group-sorted unit order
            if cg == "never_treated":
                c_slices = [(0, n_never)]
            else:
                thr = tlist[max(c, b)] + anticipation
                tail = int(np.searchsorted(Gu, thr, side="right"))
                tail = max(tail, n_never)
                if g > thr:  # own cohort lies inside the tail: cut it out
                    c_slices = [(0, n_never), (tail, g0), (g1, n)]
                else:
                    c_slices = [(0, n_never), (tail, n)]
                c_slices = [(a, z) for a, z in c_slices if z > a]
            if post:
                b = univ
            nC = int(sum(z - a for a, z in c_slices))
            entry = {
                "group": g,
                "time": tc,
                "base_time": tlist[b],
                "post": post,
                "n_group": nD,
                "n_control": nC,
                "att": np.nan,
            }
            if base_period == "universal" and b == c:
                entry["att"] = 0.0
                rec.append(entry)
                counter += 1
                continue
            n1 = nD + nC
            if nC == 0:
                warn_msgs.append(
                    f"no comparison units for group {_fmt_num(g)} in period {_fmt_num(tc)}"
                )
                rec.append(entry)
                counter += 1
                continue
            if not has_cov:
                if nD / n1 >= 0.995:
                    warn_msgs.append(
                        f"overlap condition violated for group {_fmt_num(g)} in period {_fmt_num(tc)} "
                        "(too few comparison units)"
                    )
                    rec.append(entry)
                    counter += 1
                    continue
                yc, yb = Y[:, c], Y[:, b]
                dyD = yc[g0:g1] - yb[g0:g1]
                m1 = dyD.mean()
                rD = dyD - m1
                # the comparison units' mean change and sum of squared deviations depend only
                # on (c, b) and the comparison units: cells sharing them (pre-treatment cells
                # of different cohorts, with never-treated controls) reuse them when the
                # influence functions are kept per cell
                key = (c, b, tuple(c_slices))
                if lazy and key in control_stats:
                    m0, ss_c = control_stats[key]
                else:
                    # in one reused buffer: a fresh array per cell costs more in page faults
                    # than the subtraction itself at 500,000 units
                    dyC, at = [], 0
                    for a, z in c_slices:
                        dyC.append(np.subtract(yc[a:z], yb[a:z], out=work[at:at + z - a]))
                        at += z - a
                    m0 = sum(float(v.sum()) for v in dyC) / nC
                    ss_c = 0.0
                    for v in dyC:
                        v -= m0  # in place: the deviations from the mean
                        ss_c += float(v @ v)
                    if lazy:
                        control_stats[key] = (m0, ss_c)
                if lazy:
                    IF.set_diff(counter, c, b, [(g0, g1, n / nD, m1)]
                                + [(a, z, -(n / nC), m0) for a, z in c_slices])
                else:
                    col = IF[:, counter]
                    col[g0:g1] = (n / nD) * rD
                    for (a, z), v in zip(c_slices, dyC):
                        col[a:z] = -(n / nC) * v
                ssq[counter] = (n / nD) ** 2 * float(rD @ rD) + (n / nC) ** 2 * ss_c
                entry["att"] = float(m1 - m0)
            else:
                # the nuisance fits depend only on the sample and the covariate values:
                # reuse them across periods when neither changes (time-invariant covariates)
                key = (g0, g1, tuple(c_slices), None if x_invariant else min(c, b))
                if key != cache_key:
                    cache_key = key
                    idx = np.concatenate(
                        [np.arange(g0, g1)] + [np.arange(a, z) for a, z in c_slices]
                    )
                    Dsub = np.zeros(len(idx))
                    Dsub[:nD] = 1.0
                    Z = np.column_stack(
                        [np.ones(len(idx)), Xp[0 if x_invariant else min(c, b)][idx]]
                    )
                    cache = {}
                    problem_msg = None
                    if est_method in ("dr", "ipw"):
                        _, ps_pre, _ = _logit_irls(Z, Dsub, np.ones(len(idx)))
                        cache["ps_raw"] = ps_pre
                        if np.max(ps_pre) >= 0.999:
                            problem_msg = "overlap condition violated"
                    if problem_msg is None and est_method in ("dr", "reg"):
                        Zc = Z[nD:]
                        if (
                            Zc.shape[0] < Z.shape[1]
                            or 1.0 / np.linalg.cond(Zc.T @ Zc, 1) < np.finfo(float).eps
                        ):
                            problem_msg = (
                                "not enough comparison units to run the outcome regression"
                            )
                    cache["problem"] = problem_msg
                dy = Y[idx, c] - Y[idx, b]
                problem = cache["problem"] is not None
                if problem:
                    warn_msgs.append(
                        f"{cache['problem']} for group {_fmt_num(g)} in period {_fmt_num(tc)}"
                    )
                try:
                    if not problem:
                        with np.errstate(all="ignore"):
                            if est_method == "reg":
                                a_, inf_sub = estimator(dy, Dsub, Z, cache=cache)
                            else:
                                a_, inf_sub = estimator(
                                    dy, Dsub, Z, ps=cache["ps_raw"], cache=cache
                                )
                        if not np.isfinite(a_) or not np.all(np.isfinite(inf_sub)):
                            raise np.linalg.LinAlgError("non-finite estimate")
                        IF[idx, counter] = (n / n1) * inf_sub
                        ssq[counter] = (n / n1) ** 2 * float(inf_sub @ inf_sub)
                        entry["att"] = float(a_)
                except np.linalg.LinAlgError as exc:
                    warn_msgs.append(f"group {_fmt_num(g)}, period {_fmt_num(tc)}: {exc}")
                    IF[:, counter] = 0.0
                    entry["att"] = np.nan
            rec.append(entry)
            counter += 1
    if warn_msgs:
        shown = "; ".join(warn_msgs[:10]) + (
            f"; ... ({len(warn_msgs)} in all)" if len(warn_msgs) > 10 else ""
        )
        warnings.warn("some ATT(g,t) could not be estimated and are NaN: " + shown, stacklevel=3)

    att_gt = pd.DataFrame(rec)
    att_arr = att_gt["att"].to_numpy(dtype=float)
    if bootstrap:
        se, crit = _boot_se(IF, int(bootstrap), seed, alpha)
    else:
        se = np.sqrt(ssq) / n
        se, crit = np.where(se <= _EPS_SE, np.nan, se), None
    se = np.where(np.isfinite(att_arr), se, np.nan)
    ci = _ci_table(att_arr, se, alpha)
    for key in ("se", "ci_low", "ci_high", "pvalue"):
        att_gt[key] = ci[key]
    att_gt["event_time"] = att_gt["time"] - att_gt["group"]
    if crit is not None:
        att_gt["cband_low"] = att_gt["att"] - crit * att_gt["se"]
        att_gt["cband_high"] = att_gt["att"] + crit * att_gt["se"]
    if np.all(np.mod(tlist, 1) == 0) and np.all(np.mod(glist, 1) == 0):
        for key in ("group", "time", "base_time", "event_time"):
            att_gt[key] = att_gt[key].astype(np.int64)
    order = [
        "group",
        "time",
        "att",
        "se",
        "ci_low",
        "ci_high",
        "n_group",
        "event_time",
        "base_time",
        "post",
        "n_control",
        "pvalue",
    ]
    order += [c for c in att_gt.columns if c not in order]
    att_gt = att_gt[order]

    return DidResult(
        att_gt=att_gt,
        outcome=outcome,
        unit=unit,
        time=time,
        group=group,
        covariates=covariates if has_cov else None,
        control_group=cg,
        base_period=base_period,
        est_method=est_method if has_cov else None,
        anticipation=anticipation,
        alpha=alpha,
        n_units=n,
        periods=tuple(tlist.tolist()),
        groups=tuple(glist.tolist()),
        dropped=dropped,
        bootstrap=int(bootstrap) if bootstrap else None,
        seed=seed,
        crit_val=crit,
        _inf=IF,
        _unit_group=Gu,
    )


# ----------------------------------------------------------------------------
# main entry point
# ----------------------------------------------------------------------------
_CONTROL_ALIASES = {
    "never_treated": "never_treated",
    "nevertreated": "never_treated",
    "never": "never_treated",
    "not_yet_treated": "not_yet_treated",
    "notyettreated": "not_yet_treated",
    "not_yet": "not_yet_treated",
}


def _check_options(control_group, base_period, est_method, alpha, anticipation, bootstrap) -> str:
    """Check the options shared by :func:`group_time_att` and :func:`group_time_att_wide`;
    returns the control group's canonical name."""
    cg = _CONTROL_ALIASES.get(str(control_group).lower())
    if cg is None:
        raise ValueError(
            f"control_group must be 'never_treated' or 'not_yet_treated', got {control_group!r}"
        )
    if base_period not in ("varying", "universal"):
        raise ValueError(f"base_period must be 'varying' or 'universal', got {base_period!r}")
    if est_method not in _ESTIMATORS:
        raise ValueError(f"est_method must be one of 'dr', 'ipw', 'reg', got {est_method!r}")
    if not (0 < alpha < 1):
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if anticipation < 0:
        raise ValueError("anticipation must be >= 0")
    if bootstrap is not None and int(bootstrap) < 2:
        raise ValueError("bootstrap must be an integer >= 2 (number of draws) or None")
    return cg


def group_time_att(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    group: str,
    outcome: str,
    covariates: Sequence[str] | str | None = None,
    control_group: str = "never_treated",
    base_period: str = "varying",
    est_method: str = "dr",
    anticipation: float = 0,
    alpha: float = 0.05,
    bootstrap: int | None = None,
    seed: int | None = None,
) -> DidResult:
    """Group-time average treatment effects with staggered entry (Callaway & Sant'Anna 2021).

    Parameters
    ----------
    data : pandas.DataFrame
        Panel in long format, one row per unit and period.  Units not observed
        in every period (after dropping rows with missing values) are dropped
        with a warning, as R's ``did`` does.
    unit, time : str
        Unit identifier and numeric period columns.
    group : str
        First treated period of the unit (in the units of ``time``); 0 or NaN
        for never treated.  Must be constant within a unit.  Cohorts first
        treated after the last period count as never treated; units treated
        in the first period are dropped (warning).
    outcome : str
        Numeric outcome.
    covariates : list of str or str, optional
        Pre-treatment covariates (list of columns or patsy right-hand side,
        encoded as in :func:`so_eval.effects.estimate_att`).  Values from the
        earlier period of each 2x2 comparison are used.
    control_group : {"never_treated", "not_yet_treated"}
    base_period : {"varying", "universal"}
    est_method : {"dr", "ipw", "reg"}
        Estimator of each cell when covariates are given (ignored without).
    anticipation : int, default 0
        Periods of anticipation.
    alpha : float, default 0.05
    bootstrap : int, optional
        Number of multiplier-bootstrap draws; if given, all SEs (cells and
        aggregations) come from the bootstrap and simultaneous bands are
        added.  Default: analytic influence-function SEs.
    seed : int, optional
        Seed for the bootstrap.

    Returns
    -------
    DidResult

    Notes
    -----
    Reproduces R ``did::att_gt`` (panel, ``bstrap = FALSE`` for the analytic
    SEs): the ATT(g,t) of the ``did`` documentation's ``mpdta`` example, with
    and without ``xformla = ~lpop``, are matched to 4 decimals in the test
    suite.  Pointwise intervals use the normal distribution.  As in R, a cell
    is NaN (with a warning) when a propensity score reaches 0.999, the
    control regression is singular or there are no comparison units, and
    DRDID's trimming of comparison units with a propensity score of 0.995 or
    more applies.

    Performance: the outcome is pivoted once to a units x periods matrix,
    units are sorted by cohort so that each 2x2 comparison works on
    contiguous slices, and covariate nuisance fits are reused across periods
    when the sample and covariates do not change.  The influence functions
    (units x cells, float64) are kept for the aggregations as one matrix up
    to 1 GiB (about 0.5 GB for 5,000 units x 30 cohorts x 400 periods);
    beyond that, without covariates, per cell as two slices of the outcome
    matrix, combined cell by cell (500,000 units x 1,248 cells: 1.9 GiB in
    all instead of 7.4; the multiplier bootstrap then needs the matrix and
    is refused with a clear message); cells that share their comparison
    units and periods then share those units' mean and spread.  A panel
    that is already a units x periods matrix can skip the long format:
    :func:`group_time_att_wide` (the same estimator; 20 million long rows
    cost more to build and pivot than the estimate itself).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> n, periods = 400, np.arange(1, 7)
    >>> g = rng.choice([0, 3, 5], size=n)
    >>> rows = []
    >>> for i in range(n):
    ...     a = rng.normal()
    ...     for t in periods:
    ...         effect = 1.0 * (g[i] > 0 and t >= g[i])
    ...         rows.append((i, t, g[i], a + 0.1 * t + effect + rng.normal(scale=0.5)))
    >>> panel = pd.DataFrame(rows, columns=["id", "t", "g", "y"])
    >>> res = group_time_att(panel, unit="id", time="t", group="g", outcome="y")
    >>> agg = res.aggregate("simple")
    >>> bool(abs(agg.att - 1.0) < 4 * agg.se)
    True
    """
    cg = _check_options(control_group, base_period, est_method, alpha, anticipation, bootstrap)
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame")

    eval_env = None
    if isinstance(covariates, str):
        import patsy

        eval_env = patsy.EvalEnvironment.capture(1).with_outer_namespace({"np": np})
    missing = [c for c in (unit, time, group, outcome) if c not in data.columns]
    if missing:
        raise ValueError("column(s) not in the data: " + ", ".join(map(repr, missing)))
    cov_cols = _covariate_columns(data, covariates, eval_env)
    for nm, col in (("time", time), ("group", group), ("outcome", outcome)):
        if not pd.api.types.is_numeric_dtype(data[col].dtype) or pd.api.types.is_bool_dtype(
            data[col].dtype
        ):
            raise ValueError(f"{nm} column {col!r} must be numeric")

    keep_cols = list(dict.fromkeys([unit, time, group, outcome, *cov_cols]))
    df = data[keep_cols].reset_index(drop=True)
    df[group] = df[group].fillna(0).astype(float)
    if (df[group] < 0).any():
        raise ValueError(
            f"group column {group!r} must hold the first treated period (> 0), or 0/NaN if never treated"
        )
    dropped: dict[str, int] = {}

    base_ok = df[[unit, time, outcome]].notna().all(axis=1).to_numpy()
    has_cov = covariates is not None and (isinstance(covariates, str) or len(list(covariates)) > 0)
    X, ok = _build_design(df, covariates if has_cov else None, base_ok, eval_env)
    if (~ok).sum():
        dropped["rows_with_missing_values"] = int((~ok).sum())
        warnings.warn(f"dropped {int((~ok).sum())} rows with missing values", stacklevel=2)
    df = df.loc[ok].reset_index(drop=True)
    X = X.reset_index(drop=True)
    if has_cov:
        X = _clean_design(X)
        has_cov = X.shape[1] > 0
    if len(df) == 0:
        raise ValueError("no complete rows")

    tvals = df[time].to_numpy(dtype=float)
    gvals = df[group].to_numpy(dtype=float)
    tlist = np.unique(tvals)
    gvals = np.where(gvals > tlist.max(), 0.0, gvals)
    glist_all = np.unique(gvals)
    if not np.any(glist_all == 0):
        if cg == "never_treated":
            raise ValueError(
                "there is no never-treated group (group 0/NaN); use control_group='not_yet_treated'"
            )
        keep = tvals < (glist_all.max() - anticipation)
        df, X, tvals, gvals = (
            df.loc[keep].reset_index(drop=True),
            X.loc[keep].reset_index(drop=True),
            tvals[keep],
            gvals[keep],
        )
        tlist = np.unique(tvals)
        glist_all = np.unique(gvals)
        glist_all = glist_all[glist_all < glist_all.max()]
    glist = glist_all[glist_all > 0]
    first = tlist[0]
    glist = glist[glist > first + anticipation]
    tf = (gvals <= first) & (gvals != 0)
    if tf.any():
        n_tf = int(pd.unique(df.loc[tf, unit]).size)
        dropped["units_treated_in_first_period"] = n_tf
        warnings.warn(
            f"dropped {n_tf} units that were already treated in the first period", stacklevel=2
        )
        keep = np.isin(gvals, np.concatenate([[0.0], glist]))
        df, X, tvals, gvals = (
            df.loc[keep].reset_index(drop=True),
            X.loc[keep].reset_index(drop=True),
            tvals[keep],
            gvals[keep],
        )
        tlist = np.unique(tvals)
        first = tlist[0]
        glist = np.unique(gvals)
        glist = glist[(glist > 0) & (glist > first + anticipation)]
    if len(glist) == 0:
        raise ValueError(
            "no valid treated cohorts: the group column must be the first treated period (0/NaN if never treated)"
        )

    # ---- pivot to units x periods -------------------------------------------
    # (index arrays as int32 and intermediates freed early: at 500,000 units × 40 periods each
    # array of the long panel is 160 MB as int64)
    T = len(tlist)
    ucodes, uniq_units = pd.factorize(df[unit], sort=True)
    n_all = len(uniq_units)
    small_int = np.int32 if n_all * T < 2**31 else np.int64
    ucodes = ucodes.astype(small_int, copy=False)
    tidx = np.searchsorted(tlist, tvals).astype(small_int, copy=False)
    del tvals
    flat = ucodes * small_int(T)
    flat += tidx
    counts = np.bincount(flat, minlength=n_all * T)
    del flat
    if np.any(counts > 1):
        raise ValueError(
            f"more than one row per {unit} and {time}: the panel must have unique unit-period rows"
        )
    # constant group within unit
    gmin = np.full(n_all, np.inf)
    gmax = np.full(n_all, -np.inf)
    np.minimum.at(gmin, ucodes, gvals)
    np.maximum.at(gmax, ucodes, gvals)
    if np.any(gmin != gmax):
        bad = uniq_units[np.flatnonzero(gmin != gmax)[:5]].tolist()
        raise ValueError(f"group column {group!r} varies within unit for unit(s) {bad}")
    complete = counts.reshape(n_all, T).sum(axis=1) == T
    del counts, gvals
    if not complete.all():
        nd = int((~complete).sum())
        dropped["units_not_observed_in_all_periods"] = nd
        warnings.warn(
            f"dropped {nd} units not observed in every period (balanced panel required)",
            stacklevel=2,
        )
    # kept units, ordered by group so that every cohort is a contiguous block
    unit_keep = np.flatnonzero(complete)
    unit_keep = unit_keep[np.argsort(gmin[unit_keep], kind="stable")]
    newcode = np.full(n_all, -1)
    newcode[unit_keep] = np.arange(len(unit_keep))
    n = len(unit_keep)
    if n == 0:
        raise ValueError("no unit is observed in every period")
    newcode = newcode.astype(small_int, copy=False)
    yvals = df[outcome].to_numpy(dtype=float)
    if complete.all():  # the usual balanced panel: no row to drop, no copies
        rows_keep = slice(None)
        ui, ti = newcode[ucodes], tidx
    else:
        rows_keep = complete[ucodes]
        ui = newcode[ucodes[rows_keep]]
        ti = tidx[rows_keep]
        yvals = yvals[rows_keep]
    del ucodes
    Y = np.empty((n, T), order="F")
    Y[ui, ti] = yvals
    del yvals
    Gu = gmin[unit_keep].astype(float)
    k = X.shape[1] if has_cov else 0
    if has_cov:
        Xp = np.empty((T, n, k))
        Xp[ti, ui, :] = X.to_numpy(dtype=float)[rows_keep]
    glist = glist[np.isin(glist, np.unique(Gu))]
    if len(glist) == 0:
        raise ValueError("no treated cohort left after balancing the panel")

    return _estimate(
        Y, Gu, tlist, glist, Xp if has_cov else None, control_group=cg, base_period=base_period,
        est_method=est_method, anticipation=anticipation, alpha=alpha, bootstrap=bootstrap,
        seed=seed, dropped=dropped, outcome=outcome, unit=unit, time=time, group=group,
        covariates=covariates if has_cov else None,
    )


def group_time_att_wide(
    outcomes: np.ndarray,
    groups: np.ndarray,
    *,
    periods: Sequence[float] | np.ndarray | None = None,
    outcome: str = "y",
    unit: str = "unit",
    time: str = "period",
    group: str = "group",
    control_group: str = "never_treated",
    base_period: str = "varying",
    anticipation: float = 0,
    alpha: float = 0.05,
    bootstrap: int | None = None,
    seed: int | None = None,
) -> DidResult:
    """:func:`group_time_att` without covariates for a panel given as a units × periods matrix.

    The same estimator, rules and result as ``group_time_att`` on the long form of the matrix
    (one row per unit and period; a NaN outcome is a missing row), but without building and
    pivoting a long panel: at 500,000 units × 40 quarters that panel has 20 million rows. The
    units are taken in the matrix's row order: the result is identical, to the last bit, to
    ``group_time_att`` on a long panel whose unit column sorts in that order (a categorical with
    the rows as its categories, as :meth:`so_eval.effects.streaming.QuarterlyMatrix.to_long`
    gives); with another order of units only the rounding of sums can differ.

    Parameters
    ----------
    outcomes : array, units × periods
        The outcome; NaN where a unit's outcome in a period is missing. Units missing in any
        period (after the rules below) are dropped with a warning, as ``group_time_att`` drops
        units not observed in every period.
    groups : array, one per unit
        First treated period of each unit (in the units of ``periods``); 0 or NaN for never
        treated.
    periods : sequence of numbers, optional
        The periods of the columns, strictly increasing (default 1, 2, …).
    outcome, unit, time, group : str
        Names recorded in the result (as the column names of a long panel).
    control_group, base_period, anticipation, alpha, bootstrap, seed
        As for :func:`group_time_att`.

    Returns
    -------
    DidResult

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> g = rng.choice([0, 3, 5], size=400)
    >>> t = np.arange(1, 7)
    >>> y = rng.normal(size=(400, 1)) + 0.1 * t + ((g[:, None] > 0) & (t >= g[:, None])) + rng.normal(scale=0.5, size=(400, 6))
    >>> agg = group_time_att_wide(y, g, periods=t).aggregate("simple")
    >>> bool(abs(agg.att - 1.0) < 4 * agg.se)
    True
    """
    cg = _check_options(control_group, base_period, "dr", alpha, anticipation, bootstrap)
    Yw = np.asarray(outcomes)
    if Yw.ndim != 2 or not np.issubdtype(Yw.dtype, np.number) or Yw.dtype == bool:
        raise ValueError("outcomes must be a numeric units × periods matrix")
    n_all, n_t = Yw.shape
    g_all = np.asarray(groups)
    if g_all.shape != (n_all,) or not np.issubdtype(g_all.dtype, np.number) or g_all.dtype == bool:
        raise ValueError(f"groups must be numeric, one per unit (row of outcomes: {n_all})")
    g_all = np.nan_to_num(g_all.astype(float), nan=0.0, posinf=np.inf, neginf=-np.inf)
    if (g_all < 0).any():
        raise ValueError(
            f"group column {group!r} must hold the first treated period (> 0), or 0/NaN if never treated"
        )
    per = np.arange(1.0, n_t + 1) if periods is None else np.asarray(periods, dtype=float)
    if per.shape != (n_t,) or not np.all(np.isfinite(per)) or np.any(np.diff(per) <= 0):
        raise ValueError(f"periods must be {n_t} finite, strictly increasing numbers (one per column)")
    dropped: dict[str, int] = {}

    # The rules of group_time_att on the long form, with `rows` marking the rows still in the
    # panel (a unit × period that has an outcome), in the same order and with the same warnings.
    rows = ~np.isnan(Yw)
    n_missing = int(rows.size - np.count_nonzero(rows))
    if n_missing:
        dropped["rows_with_missing_values"] = n_missing
        warnings.warn(f"dropped {n_missing} rows with missing values", stacklevel=2)
    if n_missing == rows.size:
        raise ValueError("no complete rows")
    in_t = rows.any(axis=0)
    g_all = np.where(g_all > per[in_t].max(), 0.0, g_all)
    glist_all = np.unique(g_all[rows.any(axis=1)])
    if not np.any(glist_all == 0):
        if cg == "never_treated":
            raise ValueError(
                "there is no never-treated group (group 0/NaN); use control_group='not_yet_treated'"
            )
        rows &= (per < (glist_all.max() - anticipation))[None, :]
        in_t = rows.any(axis=0)
        glist_all = np.unique(g_all[rows.any(axis=1)])
        glist_all = glist_all[glist_all < glist_all.max()]
    glist = glist_all[glist_all > 0]
    first = per[in_t][0]
    glist = glist[glist > first + anticipation]
    tf = rows.any(axis=1) & (g_all <= first) & (g_all != 0)
    if tf.any():
        n_tf = int(tf.sum())
        dropped["units_treated_in_first_period"] = n_tf
        warnings.warn(
            f"dropped {n_tf} units that were already treated in the first period", stacklevel=2
        )
        rows &= np.isin(g_all, np.concatenate([[0.0], glist]))[:, None]
        in_t = rows.any(axis=0)
        first = per[in_t][0]
        glist = np.unique(g_all[rows.any(axis=1)])
        glist = glist[(glist > 0) & (glist > first + anticipation)]
    if len(glist) == 0:
        raise ValueError(
            "no valid treated cohorts: the group column must be the first treated period (0/NaN if never treated)"
        )
    tlist = per[in_t]
    cols = np.flatnonzero(in_t)
    present = rows.any(axis=1)
    complete = rows[:, cols].all(axis=1)  # a unit with no row left is neither
    del rows
    nd = int((present & ~complete).sum())
    if nd:
        dropped["units_not_observed_in_all_periods"] = nd
        warnings.warn(
            f"dropped {nd} units not observed in every period (balanced panel required)",
            stacklevel=2,
        )
    # kept units, ordered by group so that every cohort is a contiguous block
    unit_keep = np.flatnonzero(complete)
    unit_keep = unit_keep[np.argsort(g_all[unit_keep], kind="stable")]
    if len(unit_keep) == 0:
        raise ValueError("no unit is observed in every period")
    Y = np.empty((len(unit_keep), len(cols)), order="F")
    for j, c in enumerate(cols):  # column by column: no units × periods temporary
        Y[:, j] = Yw[unit_keep, c]
    Gu = g_all[unit_keep]
    glist = glist[np.isin(glist, np.unique(Gu))]
    if len(glist) == 0:
        raise ValueError("no treated cohort left after balancing the panel")
    return _estimate(
        Y, Gu, tlist, glist, None, control_group=cg, base_period=base_period, est_method="dr",
        anticipation=anticipation, alpha=alpha, bootstrap=bootstrap, seed=seed, dropped=dropped,
        outcome=outcome, unit=unit, time=time, group=group, covariates=None,
    )
