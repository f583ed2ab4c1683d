"""The propensity score: an unpenalised logit (statsmodels' ``GLM`` with a Binomial family),
refused when it separates treated and controls, remembered for the last few samples, and its
overlap diagnostics. (statsmodels' ``GLM`` is imported from its module, not ``statsmodels.api``,
which loads all of statsmodels.)"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from so_eval.effects.att.result import EstimationError

try:
    from statsmodels.tools.sm_exceptions import PerfectSeparationError
except ImportError:  # pragma: no cover
    PerfectSeparationError = RuntimeError  # type: ignore[misc,assignment]

__all__ = ["fit_propensity", "overlap_diagnostics"]

# |linear predictor| above this means a fitted probability within ~1e-13 of 0 or 1:
# taken as (quasi-)complete separation of the propensity-score model.
_SEPARATION_ETA = 30.0
# A treated unit with fitted probability above 1 - 1e-8 lies in a covariate region with
# (practically) no controls: quasi-complete separation on the treated side, ATT not identified.
_TREATED_ETA = float(np.log((1 - 1e-8) / 1e-8))

_PS_FITS: dict = {}
"""The last propensity-score fits (or the errors they raised), by their data: the five methods
on one sample fit the same model, once (the explorer estimates every method per subgroup)."""


def fit_propensity(D: np.ndarray, Z: np.ndarray, w: np.ndarray) -> dict:
    """:func:`_fit_propensity_once`, remembered for the last few distinct data (copies of the
    arrays are returned, so a caller cannot change a remembered fit)."""
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
    sep_msg = (
        "perfect or quasi-perfect separation in the propensity-score model: some covariate "
        "pattern predicts treatment (almost) exactly, so the propensity score is 0 or 1 for "
        "some units and the ATT is not identified there. Coarsen or drop the offending "
        "covariate(s), or restrict the sample to the region of common support."
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = GLM(D, Z, family=families.Binomial(), var_weights=w).fit(maxiter=100)
        except PerfectSeparationError as exc:
            raise EstimationError("separation", sep_msg) from exc
        except np.linalg.LinAlgError as exc:
            raise EstimationError("singular", f"propensity-score model could not be fitted: {exc}") from exc
    if any(issubclass(c.category, PerfectSeparationWarning) for c in caught):
        raise EstimationError("separation", sep_msg)
    params = np.asarray(res.params, dtype=float)
    eta = Z @ params
    if not np.all(np.isfinite(eta)) or np.max(np.abs(eta)) > _SEPARATION_ETA or np.any(eta[D == 1] > _TREATED_ETA):
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


def overlap_diagnostics(ps: np.ndarray, D: np.ndarray) -> dict:
    """The propensity score's range in each group, their common support and how many units of
    each group lie outside it (:attr:`~so_eval.effects.att.result.AttResult.overlap`)."""
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
