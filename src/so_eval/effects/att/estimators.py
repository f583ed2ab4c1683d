"""The five ATT estimators on prepared arrays, and the covariate balance their weights give.

Each works on the complete-case arrays: outcome ``Y``, treatment ``D`` (0/1), the design ``Z``
with its intercept column and sampling weights ``w`` normalised to mean one. The
influence-function methods return the estimate with its influence function ``psi`` (so that
``att_hat - att`` is approximately ``mean(psi)``) and the control weights the balance table uses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from so_eval.effects.att.result import EstimationError

__all__ = ["att_aipw", "att_difference", "att_ipw", "att_matching", "att_regression", "balance_table", "wls"]


def wls(y: np.ndarray, Z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least squares coefficients of ``y`` on ``Z``."""
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(Z * sw[:, None], y * sw, rcond=None)
    return coef


def att_difference(Y, D, w, weighted: bool):
    """Difference in means: Welch standard error with Welch--Satterthwaite degrees of freedom,
    or, with sampling weights, the influence function of the weighted means (normal).

    Returns ``(att, se, psi, df, se_key)``; ``df`` is None with weights."""
    n = len(Y)
    if not weighted:
        n1, n0 = int(np.sum(D == 1)), int(np.sum(D == 0))
        y1, y0 = Y[D == 1], Y[D == 0]
        att = float(y1.mean() - y0.mean())
        v1 = y1.var(ddof=1) / n1  # n1, n0 >= 2 (checked by the caller)
        v0 = y0.var(ddof=1) / n0
        se = float(np.sqrt(v1 + v0))
        with np.errstate(divide="ignore", invalid="ignore"):
            dfree = float((v1 + v0) ** 2 / (v1**2 / (n1 - 1) + v0**2 / (n0 - 1)))
        psi = n * (D * (Y - y1.mean()) / n1 - (1 - D) * (Y - y0.mean()) / n0)
        return att, se, psi, dfree, "difference"
    wt, wc = w * D, w * (1 - D)
    m1 = np.sum(wt * Y) / wt.sum()
    m0 = np.sum(wc * Y) / wc.sum()
    att = float(m1 - m0)
    psi = wt * (Y - m1) / wt.mean() - wc * (Y - m0) / wc.mean()
    se = float(np.sqrt(np.sum(psi**2)) / n)
    return att, se, psi, None, "difference_weighted"


def att_regression(Y, D, Z, w):
    """Regression adjustment: ``mean(Y - m0(X))`` over the treated, ``m0`` fitted on the controls.

    Returns ``(att, psi, details, control weights implied by the regression)``."""
    n = len(Y)
    c = D == 0
    beta = wls(Y[c], Z[c], w[c])
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


def att_ipw(Y, D, Z, w, ps, hess_inv):
    """Hajek IPW with ATT weights; ``psi`` includes the propensity-score estimation.

    Returns ``(att, psi, control weights)``."""
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


def att_aipw(Y, D, Z, w, ps, hess_inv):
    """Doubly robust AIPW (Sant'Anna & Zhao 2020 on the outcome level); ``psi`` includes both
    nuisance estimations.

    Returns ``(att, psi, control weights, details)``."""
    n = len(Y)
    c = D == 0
    beta = wls(Y[c], Z[c], w[c])
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


def _nearest_ranges(x_sorted: np.ndarray, q: np.ndarray, m: int, tol: float, exclude: np.ndarray | None = None):
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


def att_matching(Y, D, eta, n_neighbors: int, caliper: float | None):
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
            f"({caliper} SD = {cal_width:.4g} on the logit propensity scale); widen the caliper",
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


def balance_table(X: pd.DataFrame, D: np.ndarray, wt_adj: np.ndarray, wc_adj: np.ndarray) -> pd.DataFrame:
    """Covariate means by group before and after adjustment (treated weights ``wt_adj``, control
    weights ``wc_adj``) and the standardised differences (:attr:`AttResult.balance`)."""
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
