"""The multiplier bootstrap of the ATT(g,t) influence functions, as ``did::mboot`` (R's default
``bstrap = TRUE``): Mammen weights, an IQR-based standard error and the critical value of the
simultaneous confidence band."""

from __future__ import annotations

import numpy as np
from scipy import stats

from so_eval.effects.did.influence import EPS_SE

__all__ = ["boot_se"]


def _mammen(rng: np.random.Generator, size) -> np.ndarray:
    s5 = np.sqrt(5.0)
    kappa = (s5 + 1) / 2
    p = kappa / s5
    return np.where(rng.uniform(size=size) < p, 1 - kappa, kappa)


def boot_se(IF: np.ndarray, n_boot: int, seed: int | None, alpha: float) -> tuple[np.ndarray, float]:
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
    ok = np.isfinite(bsig) & (bsig > EPS_SE) & (np.sum(bres**2, axis=0) > EPS_SE)
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
