"""The 2x2 panel DiD estimators of one ATT(g,t) cell with covariates (as R's ``DRDID``): doubly
robust (:func:`drdid_panel`), IPW (:func:`ipw_did_panel`) and outcome regression
(:func:`reg_did_panel`), with the logit they fit the propensity score by.

Inputs are restricted to the cohort's and the comparison units; ``Z`` includes the intercept and
``w`` are sampling weights. Each returns ``(att, influence function on the subsample scale)``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = ["ESTIMATORS", "drdid_panel", "ipw_did_panel", "logit_irls", "reg_did_panel"]


def logit_irls(Z: np.ndarray, D: np.ndarray, w: np.ndarray, maxiter: int = 50, tol: float = 1e-10):
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
        _, ps, _ = logit_irls(Z, D, w)
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


def drdid_panel(dy, D, Z, w=None, trim_level=0.995, ps=None, cache=None):
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


def ipw_did_panel(dy, D, Z, w=None, trim_level=0.995, ps=None, cache=None):
    """Standardised (Hajek) IPW DiD for panel data (DRDID::stdipw_did_panel)."""
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


def reg_did_panel(dy, D, Z, w=None, cache=None):
    """Outcome-regression DiD for panel data (DRDID::reg_did_panel)."""
    w = np.ones(len(D)) if w is None else w / np.mean(w)
    out, alr_ols = _ols_parts(Z, D, dy, w, cache)
    w_t = w * D
    eta_t = np.mean(w_t * dy) / np.mean(w_t)
    eta_c = np.mean(w_t * out) / np.mean(w_t)
    att = eta_t - eta_c
    inf_treat = (w_t * dy - w_t * eta_t) / np.mean(w_t)
    inf_cont = (w_t * out - w_t * eta_c + alr_ols @ np.mean(w_t[:, None] * Z, axis=0)) / np.mean(w_t)
    return att, inf_treat - inf_cont


ESTIMATORS = {"dr": drdid_panel, "ipw": ipw_did_panel, "reg": reg_did_panel}
"""The estimators by their ``est_method`` name."""
