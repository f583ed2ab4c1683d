"""What an ATT estimate gives: the methods, :class:`AttResult` and, when a method cannot be
computed, :class:`EstimationError` with one of the :data:`REASONS`."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["METHODS", "REASONS", "SE_LABELS", "AttResult", "EstimationError"]

METHODS = ("difference", "regression", "ipw", "aipw", "matching")

_METHOD_LABELS = {
    "difference": "difference in means (unadjusted)",
    "regression": "regression adjustment (outcome model on controls)",
    "ipw": "inverse probability weighting (Hajek, ATT weights)",
    "aipw": "doubly robust AIPW (Sant'Anna & Zhao 2020)",
    "matching": "nearest-neighbour matching on the logit propensity score, with replacement",
}
"""What each method is, in English (the summary names it)."""

SE_LABELS = {
    "difference": "Welch (unequal variances), t with Welch-Satterthwaite df",
    "difference_weighted": "influence function (weighted means), normal",
    "regression": "influence function incl. outcome-model estimation, normal",
    "ipw": "influence function incl. propensity-score estimation, normal",
    "aipw": "influence function incl. propensity-score and outcome-model estimation, normal",
    "matching": "Abadie-Imbens (2006) population-ATT variance, ignoring propensity-score estimation, normal",
}
"""How each method's standard error is obtained (``difference_weighted``: with weights)."""


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
                    f" inside the caliper ({self.details.get('caliper_width', float('nan')):.4g} on the logit scale)"
                    if self.details.get("caliper") is not None
                    else ""
                )
            )
        lines.append(f"  SE         : {self.se_method}")
        if len(self.balance):
            lines.append("")
            lines.append("Covariate balance (standardised mean differences, pooled unadjusted SD):")
            tab = self.balance[["mean_treated", "mean_control", "smd_before", "smd_after"]]
            lines.extend("  " + s for s in tab.to_string(float_format=lambda v: f"{v:.3f}").splitlines())
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
                f"  outside common support: {o['n_treated_outside']} treated, {o['n_control_outside']} control"
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
            + (f"; {self.n_dropped_missing} rows dropped (missing)" if self.n_dropped_missing else "")
            + (f"; {self.n_unmatched} treated unmatched" if self.n_unmatched else "")
            + f".<br><small>SE: {html.escape(self.se_method)}</small></p>"
        )
        parts = [head]
        if len(self.balance):
            parts.append("<p><b>Balance</b> (standardised mean differences)</p>")
            parts.append(self.balance.to_html(float_format=lambda v: f"{v:.3f}"))
        if self.overlap is not None:
            parts.append("<p><b>Propensity-score overlap</b></p>")
            parts.append(pd.DataFrame([self.overlap]).to_html(index=False, float_format=lambda v: f"{v:.3f}"))
        return "<div>" + "\n".join(parts) + "</div>"


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return "nan"
    return "<0.0001" if p < 1e-4 else f"{p:.4f}"
