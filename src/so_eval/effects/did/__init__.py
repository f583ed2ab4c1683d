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

Reproduction: :func:`group_time_att` reproduces R ``did::att_gt`` (panel, ``bstrap = FALSE``
for the analytic SEs): the ATT(g,t) of the ``did`` documentation's ``mpdta`` example, with and
without ``xformla = ~lpop``, are matched to 4 decimals in the test suite.  Pointwise intervals
use the normal distribution.  As in R, a cell is NaN (with a warning) when a propensity score
reaches 0.999, the control regression is singular or there are no comparison units, and
DRDID's trimming of comparison units with a propensity score of 0.995 or more applies.

Performance: the outcome is pivoted once to a units x periods matrix, units are sorted by
cohort so that each 2x2 comparison works on contiguous slices, and covariate nuisance fits are
reused across periods when the sample and covariates do not change.  The influence functions
(units x cells, float64) are kept for the aggregations as one matrix up to 1 GiB (about 0.5 GB
for 5,000 units x 30 cohorts x 400 periods); beyond that, without covariates, per cell as two
slices of the outcome matrix, combined cell by cell (500,000 units x 1,248 cells: 1.9 GiB in
all instead of 7.4; the multiplier bootstrap then needs the matrix and is refused with a clear
message); cells that share their comparison units and periods then share those units' mean and
spread.  A panel that is already a units x periods matrix can skip the long format:
:func:`group_time_att_wide` (the same estimator; 20 million long rows cost more to build and
pivot than the estimate itself).

Submodules
----------
- :mod:`~so_eval.effects.did.group_time` -- :func:`group_time_att`, a panel in long format:
  complete rows, cohort rules, pivot;
- :mod:`~so_eval.effects.did.wide` -- :func:`group_time_att_wide`, a units × periods matrix;
- :mod:`~so_eval.effects.did.cells` -- ATT(g,t) of every cell of the prepared panel (both
  entry points) and the options they check;
- :mod:`~so_eval.effects.did.panel` -- the 2x2 panel estimators with covariates (DRDID);
- :mod:`~so_eval.effects.did.influence` -- influence functions: standard errors, intervals,
  the weight term of aggregations, and the per-cell store for very large panels;
- :mod:`~so_eval.effects.did.bootstrap` -- the multiplier bootstrap;
- :mod:`~so_eval.effects.did.aggregation` -- the ``aggte`` aggregations;
- :mod:`~so_eval.effects.did.result` -- :class:`DidResult` and :class:`DidAggregation`.

Reference: Callaway, B. and Sant'Anna, P. H. C. (2021). Difference-in-
differences with multiple time periods. Journal of Econometrics 225(2),
200-230.
"""

from so_eval.effects.did.group_time import group_time_att
from so_eval.effects.did.result import DidAggregation, DidResult
from so_eval.effects.did.wide import group_time_att_wide

__all__ = ["DidAggregation", "DidResult", "group_time_att", "group_time_att_wide"]
