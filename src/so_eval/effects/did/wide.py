"""The entry point :func:`group_time_att_wide` for a panel that is already a units × periods
matrix: the same rules as :func:`~so_eval.effects.did.group_time_att` on the long form, applied
to a mask of the rows still in the panel, without building and pivoting a long panel."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from so_eval.effects.did.cells import check_options, estimate_cells
from so_eval.effects.did.result import DidResult

__all__ = ["group_time_att_wide"]


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
    >>> y = (rng.normal(size=(400, 1)) + 0.1 * t + ((g[:, None] > 0) & (t >= g[:, None]))
    ...      + rng.normal(scale=0.5, size=(400, 6)))
    >>> agg = group_time_att_wide(y, g, periods=t).aggregate("simple")
    >>> bool(abs(agg.att - 1.0) < 4 * agg.se)
    True
    """
    opts = check_options(control_group, base_period, "dr", alpha, anticipation, bootstrap, seed)
    Yw, g_all, per = _checked_inputs(outcomes, groups, periods, group)
    dropped: dict[str, int] = {}
    in_t, glist, g_all, present, complete = _rows_kept(Yw, g_all, per, opts.control_group, anticipation, dropped)
    Y, Gu = _balanced(Yw, g_all, np.flatnonzero(in_t), present, complete, dropped)
    glist = glist[np.isin(glist, np.unique(Gu))]
    if len(glist) == 0:
        raise ValueError("no treated cohort left after balancing the panel")
    names = {"outcome": outcome, "unit": unit, "time": time, "group": group}
    return estimate_cells(Y, Gu, per[in_t], glist, None, opts, dropped=dropped, names=names, covariates=None)


def _checked_inputs(outcomes, groups, periods, group: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The outcome matrix, the groups (NaN: 0, never treated) and the periods, checked."""
    Yw = np.asarray(outcomes)
    if Yw.ndim != 2 or not np.issubdtype(Yw.dtype, np.number) or Yw.dtype == bool:
        raise ValueError("outcomes must be a numeric units × periods matrix")
    n_all, n_t = Yw.shape
    g_all = np.asarray(groups)
    if g_all.shape != (n_all,) or not np.issubdtype(g_all.dtype, np.number) or g_all.dtype == bool:
        raise ValueError(f"groups must be numeric, one per unit (row of outcomes: {n_all})")
    g_all = np.nan_to_num(g_all.astype(float), nan=0.0, posinf=np.inf, neginf=-np.inf)
    if (g_all < 0).any():
        raise ValueError(f"group column {group!r} must hold the first treated period (> 0), or 0/NaN if never treated")
    per = np.arange(1.0, n_t + 1) if periods is None else np.asarray(periods, dtype=float)
    if per.shape != (n_t,) or not np.all(np.isfinite(per)) or np.any(np.diff(per) <= 0):
        raise ValueError(f"periods must be {n_t} finite, strictly increasing numbers (one per column)")
    return Yw, g_all, per


def _rows_kept(Yw: np.ndarray, g_all: np.ndarray, per: np.ndarray, cg: str, anticipation, dropped: dict):
    """The rules of group_time_att on the long form, with ``rows`` marking the rows still in
    the panel (a unit × period that has an outcome), in the same order and with the same
    warnings. Returns which periods are left, the treated cohorts, the groups (cohorts treated
    after the last period: never treated) and per unit whether any row, and every period, is left."""
    rows = ~np.isnan(Yw)
    n_missing = int(rows.size - np.count_nonzero(rows))
    if n_missing:
        dropped["rows_with_missing_values"] = n_missing
        warnings.warn(f"dropped {n_missing} rows with missing values", stacklevel=3)
    if n_missing == rows.size:
        raise ValueError("no complete rows")
    in_t = rows.any(axis=0)
    g_all = np.where(g_all > per[in_t].max(), 0.0, g_all)
    glist_all = np.unique(g_all[rows.any(axis=1)])
    if not np.any(glist_all == 0):
        if cg == "never_treated":
            raise ValueError("there is no never-treated group (group 0/NaN); use control_group='not_yet_treated'")
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
        warnings.warn(f"dropped {n_tf} units that were already treated in the first period", stacklevel=3)
        rows &= np.isin(g_all, np.concatenate([[0.0], glist]))[:, None]
        in_t = rows.any(axis=0)
        first = per[in_t][0]
        glist = np.unique(g_all[rows.any(axis=1)])
        glist = glist[(glist > 0) & (glist > first + anticipation)]
    if len(glist) == 0:
        raise ValueError(
            "no valid treated cohorts: the group column must be the first treated period (0/NaN if never treated)"
        )
    present = rows.any(axis=1)
    complete = rows[:, np.flatnonzero(in_t)].all(axis=1)  # a unit with no row left is neither
    return in_t, glist, g_all, present, complete


def _balanced(Yw: np.ndarray, g_all: np.ndarray, cols: np.ndarray, present, complete, dropped: dict):
    """The balanced outcome matrix of the periods ``cols`` (Fortran order; units ordered by
    group, so that every cohort is a contiguous block) and the units' groups."""
    nd = int((present & ~complete).sum())
    if nd:
        dropped["units_not_observed_in_all_periods"] = nd
        warnings.warn(f"dropped {nd} units not observed in every period (balanced panel required)", stacklevel=3)
    unit_keep = np.flatnonzero(complete)
    unit_keep = unit_keep[np.argsort(g_all[unit_keep], kind="stable")]
    if len(unit_keep) == 0:
        raise ValueError("no unit is observed in every period")
    Y = np.empty((len(unit_keep), len(cols)), order="F")
    for j, c in enumerate(cols):  # column by column: no units × periods temporary
        Y[:, j] = Yw[unit_keep, c]
    return Y, g_all[unit_keep]
