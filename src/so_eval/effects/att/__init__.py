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

Rows with a missing value in any used column are dropped first; their number is reported in
:attr:`AttResult.n_dropped_missing`.  The propensity score is also fitted for ``"difference"``
and ``"regression"`` (diagnostics only); if it cannot be fitted there, ``overlap`` is ``None``.

Submodules
----------
- :mod:`~so_eval.effects.att.estimate` -- :func:`estimate_att`, the entry point, in steps;
- :mod:`~so_eval.effects.att.estimators` -- the five estimators on prepared arrays, and the
  covariate balance table;
- :mod:`~so_eval.effects.att.propensity` -- the propensity-score logit and its overlap;
- :mod:`~so_eval.effects.att.design` -- design matrices from a covariate list or formula
  (shared with :mod:`so_eval.effects.did`);
- :mod:`~so_eval.effects.att.result` -- :class:`AttResult`, :class:`EstimationError` and
  :data:`REASONS`.

References
----------
Abadie, A. and Imbens, G. W. (2006). Large sample properties of matching
estimators for average treatment effects. Econometrica 74(1), 235-267.
Sant'Anna, P. H. C. and Zhao, J. (2020). Doubly robust
difference-in-differences estimators. Journal of Econometrics 219(1), 101-122.
"""

from so_eval.effects.att.estimate import estimate_att
from so_eval.effects.att.result import METHODS, REASONS, AttResult, EstimationError

__all__ = ["METHODS", "REASONS", "AttResult", "EstimationError", "estimate_att"]
