"""The trend behind a projection (:mod:`so_eval.screening.projection`): a Poisson (log) or
binomial (logit) GLM on the year with the quasi-likelihood scale (:func:`fit_trend`,
:class:`GlmTrend`), and its predictive distribution of a year's figure (:class:`Predictive`).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special, stats

__all__ = ["PREDICTIVE_NODES", "GlmTrend", "Predictive", "fit_trend"]

#: Quantile nodes of the linear predictor's distribution (normal or t) that the predictive
#: distribution is mixed over (equal weights: the midpoints of as many equal slices).
PREDICTIVE_NODES = 400
#: Numerical guard: the log of the largest expected count a node may have (about 10^15).
_MAX_LOG_COUNT = 35.0


@dataclass(frozen=True)
class GlmTrend:
    """A fitted trend on the link scale: ``eta = params[0] + params[1] * (year - x0)``."""

    model: str
    params: np.ndarray
    cov: np.ndarray  # scaled by ``scale``
    x0: int
    scale: float
    df_resid: int
    n_future: int | None

    @property
    def slope(self) -> float:
        return float(self.params[1])

    def _design(self, years: np.ndarray) -> np.ndarray:
        return np.column_stack([np.ones(len(years)), np.asarray(years, dtype=float) - self.x0])

    def mean(self, years: np.ndarray) -> np.ndarray:
        eta = self._design(years) @ self.params
        return np.exp(eta) if self.model == "poisson" else special.expit(eta)

    def predictive(self, years: np.ndarray) -> Predictive:
        X = self._design(years)
        eta = X @ self.params
        se = np.sqrt(np.einsum("ij,jk,ik->i", X, self.cov, X))
        u = (np.arange(PREDICTIVE_NODES) + 0.5) / PREDICTIVE_NODES
        # Student's t when the scale is estimated (above 1), normal when the model's own is used
        z = stats.t.ppf(u, self.df_resid) if self.scale > 1 else stats.norm.ppf(u)
        nodes = eta[:, None] + se[:, None] * z[None, :]
        return Predictive(self.model, nodes, self.scale, self.n_future, self.mean(years))


def fit_trend(use: pd.DataFrame, model: str) -> GlmTrend | None:
    """Poisson (log) or binomial (logit) GLM on the year, with the quasi-likelihood scale; None
    when the likelihood's maximum is at infinity (the fitted curve runs into the range's bound
    at a fitted year: all zeros, or a share that is 0 % up to a year and 100 % after it)."""
    x0 = int(use["year"].iloc[0])
    X = sm.add_constant((use["year"].to_numpy() - x0).astype(float), has_constant="add")
    k = use["value"].to_numpy(dtype=float)
    if model == "poisson":
        if not k.any():
            return None
        endog, family, n_future = k, sm.families.Poisson(), None
    else:
        trials = use["n"].to_numpy(dtype=float)
        endog, family = np.column_stack([k, trials - k]), sm.families.Binomial()
        n_future = round(float(trials.mean()))
    with warnings.catch_warnings():  # a maximum at infinity is detected below, not warned about
        warnings.simplefilter("ignore")
        res = sm.GLM(endog, X, family=family).fit()
    mu = np.asarray(res.fittedvalues, dtype=float)
    at_bound = np.any(mu < 1e-8) or (model == "binomial" and np.any(mu > 1 - 1e-8))
    if not np.all(np.isfinite(res.params)) or at_bound:
        return None
    df_resid = len(use) - 2
    scale = max(1.0, float(res.pearson_chi2) / df_resid)
    cov = np.asarray(res.cov_params()) * scale
    return GlmTrend(model, np.asarray(res.params, dtype=float), cov, x0, scale, df_resid, n_future)


@dataclass(frozen=True)
class Predictive:
    """Predictive distributions of one or more years: each a mixture, with equal weights, of the
    model's noise distribution at the quantile nodes of the linear predictor (rows: years)."""

    model: str
    nodes: np.ndarray  # (years, PREDICTIVE_NODES) on the link scale
    scale: float
    n_future: int | None
    mean: np.ndarray  # the model's expected value per year

    def cdf(self, y: np.ndarray) -> np.ndarray:
        """P(Y <= y) for a count Y (the number of successes for a share); ``y`` has one row per
        year and any number of columns."""
        y = np.asarray(y, dtype=float)
        if self.model == "binomial":  # looked up in the distribution over 0..N
            rows = np.arange(y.shape[0])[:, None]
            inside = self._share_cdf[rows, np.clip(y, 0, self.n_future).astype(int)]
            return np.where(y < 0, 0.0, inside)
        mu = np.exp(np.minimum(self.nodes[:, None, :], _MAX_LOG_COUNT))
        if self.scale <= 1:
            f = stats.poisson.cdf(y[..., None], mu)
        else:  # NB1: variance scale * mu
            f = stats.nbinom.cdf(y[..., None], mu / (self.scale - 1), 1 / self.scale)
        return f.mean(axis=-1)

    @functools.cached_property
    def _share_cdf(self) -> np.ndarray:
        """P(Y <= y) for y = 0..N per year (rows): the mixture of binomials, or of beta-binomials
        with variance (1 + (N - 1) rho) = scale times the binomial, over the nodes."""
        N, p = self.n_future, special.expit(self.nodes)[:, :, None]
        k = np.arange(N + 1)[None, None, :]
        rho = min((self.scale - 1) / (N - 1), 0.99) if N > 1 else 0.0
        if rho <= 0:
            pmf = stats.binom.pmf(k, N, p)
        else:
            pmf = stats.betabinom.pmf(k, N, p * (1 / rho - 1), (1 - p) * (1 / rho - 1))
        out = np.cumsum(pmf, axis=-1).mean(axis=1)
        out[:, -1] = 1.0  # (rounding)
        return out

    def quantiles(self, qs: Sequence[float]) -> np.ndarray:
        """The smallest whole y with P(Y <= y) >= q, per year (rows) and q (columns); for a share
        divided by the number of trials. Bisection on the integers, all at once."""
        qs = np.asarray(qs, dtype=float)[None, :]
        lo = np.full((self.nodes.shape[0], qs.shape[1]), -1.0)  # P(Y <= -1) = 0 < q
        hi = self._upper_bracket(qs)
        while np.any(hi - lo > 1):
            mid = np.floor((lo + hi) / 2)
            ok = self.cdf(mid) >= qs
            hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
        return hi / self.n_future if self.model == "binomial" else hi

    def _upper_bracket(self, qs: np.ndarray) -> np.ndarray:
        """A whole y with P(Y <= y) >= q: for a share the number of trials; for a count the
        quantile 2q / (1 + q) of the node ranked ceil(K (1 + q) / 2) of K (the mixture is at
        least j / K times that node's probability, the nodes being sorted)."""
        if self.model == "binomial":
            return np.full((self.nodes.shape[0], qs.shape[1]), float(self.n_future))
        K = self.nodes.shape[1]
        j = np.minimum(np.ceil(K * (1 + qs) / 2).astype(int), K) - 1
        mu = np.exp(np.minimum(self.nodes[:, j[0]], _MAX_LOG_COUNT))
        p = 2 * qs / (1 + qs)
        if self.scale <= 1:
            return np.maximum(stats.poisson.ppf(p, mu), 0.0)
        return np.maximum(stats.nbinom.ppf(p, mu / (self.scale - 1), 1 / self.scale), 0.0)

    def prob_meets(self, target: float, higher_is_better: bool) -> float:
        """P(the first year's figure meets the target)."""
        scale = float(self.n_future) if self.model == "binomial" else 1.0
        t = target * scale
        if higher_is_better:  # P(Y >= ceil(t)) = 1 - P(Y <= ceil(t) - 1)
            return float(1 - self.cdf(np.array([[math.ceil(t - 1e-9) - 1]]))[0, 0])
        return float(self.cdf(np.array([[math.floor(t + 1e-9)]]))[0, 0])
