"""The entry point :func:`group_time_att` for a panel in long format, in steps: the complete
rows, the cohort rules (no never-treated group, units treated in the first period), and the
pivot to the balanced units × periods matrix that :func:`~so_eval.effects.did.cells.estimate_cells`
estimates on."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy

from so_eval.effects.att.design import build_design, clean_design, covariate_columns
from so_eval.effects.did.cells import check_options, estimate_cells
from so_eval.effects.did.result import DidResult

__all__ = ["group_time_att"]


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
        Panel in long format, one row per unit and period.  Units not observed in every period
        (after dropping rows with missing values) are dropped with a warning, as R's ``did`` does.
    unit, time : str
        Unit identifier and numeric period columns.
    group : str
        First treated period of the unit (in the units of ``time``); 0 or NaN for never
        treated.  Must be constant within a unit.  Cohorts first treated after the last period
        count as never treated; units treated in the first period are dropped (warning).
    outcome : str
        Numeric outcome.
    covariates : list of str or str, optional
        Pre-treatment covariates (list of columns or patsy right-hand side, encoded as in
        :func:`so_eval.effects.estimate_att`).  Values from the earlier period of each 2x2
        comparison are used.
    control_group : {"never_treated", "not_yet_treated"}
    base_period : {"varying", "universal"}
    est_method : {"dr", "ipw", "reg"}
        Estimator of each cell when covariates are given (ignored without).
    anticipation : int, default 0
        Periods of anticipation.  ``alpha`` (default 0.05): intervals of level ``1 - alpha``.
    bootstrap, seed : int, optional
        Number of multiplier-bootstrap draws and their seed; if given, all SEs (cells and
        aggregations) come from the bootstrap and simultaneous bands are added.  Default:
        analytic influence-function SEs.

    Returns
    -------
    DidResult
        How it reproduces R's ``did::att_gt`` and how it scales: :mod:`so_eval.effects.did`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> g = rng.choice([0, 3, 5], size=400)
    >>> rows = [(i, t, g[i], a + 0.1 * t + 1.0 * (g[i] > 0 and t >= g[i]) + rng.normal(scale=0.5))
    ...         for i, a in enumerate(rng.normal(size=400)) for t in range(1, 7)]
    >>> panel = pd.DataFrame(rows, columns=["id", "t", "g", "y"])
    >>> agg = group_time_att(panel, unit="id", time="t", group="g", outcome="y").aggregate("simple")
    >>> bool(abs(agg.att - 1.0) < 4 * agg.se)
    True
    """
    opts = check_options(control_group, base_period, est_method, alpha, anticipation, bootstrap, seed)
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame")
    # a formula's names are looked up in the caller's namespace (depth 1: who called us)
    eval_env = (
        patsy.EvalEnvironment.capture(1).with_outer_namespace({"np": np}) if isinstance(covariates, str) else None
    )
    dropped: dict[str, int] = {}
    panel = _complete_rows(data, unit, time, group, outcome, covariates, eval_env, dropped)
    _apply_cohort_rules(panel, unit, time, group, opts.control_group, anticipation, dropped)
    Y, Gu, Xp = _pivot(panel, unit, time, group, outcome, dropped)
    glist = panel.glist[np.isin(panel.glist, np.unique(Gu))]
    if len(glist) == 0:
        raise ValueError("no treated cohort left after balancing the panel")
    names = {"outcome": outcome, "unit": unit, "time": time, "group": group}
    covariates = covariates if panel.has_cov else None
    return estimate_cells(Y, Gu, panel.tlist, glist, Xp, opts, dropped=dropped, names=names, covariates=covariates)


@dataclass(eq=False)
class _LongPanel:
    """The long panel's complete rows ``df`` with their design ``X`` (``has_cov``: any column
    left), and, after the cohort rules, the rows' times and groups, the periods and the treated
    cohorts."""

    df: pd.DataFrame
    X: pd.DataFrame
    has_cov: bool
    tvals: np.ndarray | None = None
    gvals: np.ndarray | None = None
    tlist: np.ndarray | None = None
    glist: np.ndarray | None = None

    def keep(self, rows: np.ndarray) -> None:
        self.df = self.df.loc[rows].reset_index(drop=True)
        self.X = self.X.loc[rows].reset_index(drop=True)
        self.tvals, self.gvals = self.tvals[rows], self.gvals[rows]

    def take_times_and_groups(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows' times and groups, handed over: the panel keeps no reference, so that the
        pivot frees them as soon as it is done with them (160 MB each at 20 million rows)."""
        tvals, gvals = self.tvals, self.gvals
        self.tvals = self.gvals = None
        return tvals, gvals


def _check_columns(data: pd.DataFrame, unit, time, group, outcome, covariates, eval_env) -> list[str]:
    """The covariates' columns, after checking that every column is there and numeric."""
    missing = [c for c in (unit, time, group, outcome) if c not in data.columns]
    if missing:
        raise ValueError("column(s) not in the data: " + ", ".join(map(repr, missing)))
    cov_cols = covariate_columns(data, covariates, eval_env)
    for nm, col in (("time", time), ("group", group), ("outcome", outcome)):
        if not pd.api.types.is_numeric_dtype(data[col].dtype) or pd.api.types.is_bool_dtype(data[col].dtype):
            raise ValueError(f"{nm} column {col!r} must be numeric")
    return cov_cols


def _complete_rows(data: pd.DataFrame, unit, time, group, outcome, covariates, eval_env, dropped: dict) -> _LongPanel:
    """The rows with every used column, and their design (constant columns dropped)."""
    cov_cols = _check_columns(data, unit, time, group, outcome, covariates, eval_env)
    keep_cols = list(dict.fromkeys([unit, time, group, outcome, *cov_cols]))
    df = data[keep_cols].reset_index(drop=True)
    df[group] = df[group].fillna(0).astype(float)
    if (df[group] < 0).any():
        raise ValueError(f"group column {group!r} must hold the first treated period (> 0), or 0/NaN if never treated")
    base_ok = df[[unit, time, outcome]].notna().all(axis=1).to_numpy()
    has_cov = covariates is not None and (isinstance(covariates, str) or len(list(covariates)) > 0)
    X, ok = build_design(df, covariates if has_cov else None, base_ok, eval_env)
    if (~ok).sum():
        dropped["rows_with_missing_values"] = int((~ok).sum())
        warnings.warn(f"dropped {int((~ok).sum())} rows with missing values", stacklevel=3)
    df = df.loc[ok].reset_index(drop=True)
    X = X.reset_index(drop=True)
    if has_cov:
        X = clean_design(X, stacklevel=4)  # (the warning names the caller of group_time_att)
        has_cov = X.shape[1] > 0
    if len(df) == 0:
        raise ValueError("no complete rows")
    return _LongPanel(df, X, has_cov)


def _apply_cohort_rules(panel: _LongPanel, unit, time, group, cg: str, anticipation, dropped: dict) -> None:
    """R's rules for the cohorts, in place: cohorts treated after the last period are never
    treated; without a never-treated group the last cohort only serves as comparison (and its
    periods go); units treated in the first period are dropped. Sets the periods and cohorts."""
    panel.tvals = panel.df[time].to_numpy(dtype=float)
    gvals = panel.df[group].to_numpy(dtype=float)
    tlist = np.unique(panel.tvals)
    panel.gvals = np.where(gvals > tlist.max(), 0.0, gvals)
    glist_all = np.unique(panel.gvals)
    if not np.any(glist_all == 0):
        if cg == "never_treated":
            raise ValueError("there is no never-treated group (group 0/NaN); use control_group='not_yet_treated'")
        panel.keep(panel.tvals < (glist_all.max() - anticipation))
        tlist = np.unique(panel.tvals)
        glist_all = np.unique(panel.gvals)
        glist_all = glist_all[glist_all < glist_all.max()]
    glist = glist_all[glist_all > 0]
    first = tlist[0]
    glist = glist[glist > first + anticipation]
    tf = (panel.gvals <= first) & (panel.gvals != 0)
    if tf.any():
        n_tf = int(pd.unique(panel.df.loc[tf, unit]).size)
        dropped["units_treated_in_first_period"] = n_tf
        warnings.warn(f"dropped {n_tf} units that were already treated in the first period", stacklevel=3)
        panel.keep(np.isin(panel.gvals, np.concatenate([[0.0], glist])))
        tlist = np.unique(panel.tvals)
        first = tlist[0]
        glist = np.unique(panel.gvals)
        glist = glist[(glist > 0) & (glist > first + anticipation)]
    if len(glist) == 0:
        raise ValueError(
            "no valid treated cohorts: the group column must be the first treated period (0/NaN if never treated)"
        )
    panel.tlist, panel.glist = tlist, glist


def _unit_index(panel: _LongPanel, unit, time, group):
    """Per row its unit's code (units sorted) and its period's index, as int32 where they fit;
    per unit its group and whether it is observed in every period. Checks one row per unit and
    period and one group per unit."""
    tvals, gvals = panel.take_times_and_groups()
    T = len(panel.tlist)
    ucodes, uniq_units = pd.factorize(panel.df[unit], sort=True)
    n_all = len(uniq_units)
    small_int = np.int32 if n_all * T < 2**31 else np.int64
    ucodes = ucodes.astype(small_int, copy=False)
    tidx = np.searchsorted(panel.tlist, tvals).astype(small_int, copy=False)
    del tvals
    flat = ucodes * small_int(T)
    flat += tidx
    counts = np.bincount(flat, minlength=n_all * T)
    del flat
    if np.any(counts > 1):
        raise ValueError(f"more than one row per {unit} and {time}: the panel must have unique unit-period rows")
    # constant group within unit
    gmin = np.full(n_all, np.inf)
    gmax = np.full(n_all, -np.inf)
    np.minimum.at(gmin, ucodes, gvals)
    np.maximum.at(gmax, ucodes, gvals)
    if np.any(gmin != gmax):
        bad = uniq_units[np.flatnonzero(gmin != gmax)[:5]].tolist()
        raise ValueError(f"group column {group!r} varies within unit for unit(s) {bad}")
    complete = counts.reshape(n_all, T).sum(axis=1) == T
    return ucodes, tidx, gmin, complete, small_int


def _pivot(panel: _LongPanel, unit, time, group, outcome, dropped: dict):
    """The balanced units × periods outcome matrix (Fortran order; units ordered by group, so
    that every cohort is a contiguous block), the units' groups and the periods × units ×
    covariates design (None without covariates). Index arrays are int32 and intermediates freed
    early: at 500,000 units × 40 periods each array of the long panel is 160 MB as int64."""
    ucodes, tidx, gmin, complete, small_int = _unit_index(panel, unit, time, group)
    if not complete.all():
        nd = int((~complete).sum())
        dropped["units_not_observed_in_all_periods"] = nd
        warnings.warn(f"dropped {nd} units not observed in every period (balanced panel required)", stacklevel=3)
    unit_keep = np.flatnonzero(complete)
    unit_keep = unit_keep[np.argsort(gmin[unit_keep], kind="stable")]
    newcode = np.full(len(complete), -1)
    newcode[unit_keep] = np.arange(len(unit_keep))
    n = len(unit_keep)
    if n == 0:
        raise ValueError("no unit is observed in every period")
    newcode = newcode.astype(small_int, copy=False)
    yvals = panel.df[outcome].to_numpy(dtype=float)
    if complete.all():  # the usual balanced panel: no row to drop, no copies
        rows_keep = slice(None)
        ui, ti = newcode[ucodes], tidx
    else:
        rows_keep = complete[ucodes]
        ui = newcode[ucodes[rows_keep]]
        ti = tidx[rows_keep]
        yvals = yvals[rows_keep]
    del ucodes
    Y = np.empty((n, len(panel.tlist)), order="F")
    Y[ui, ti] = yvals
    del yvals
    Xp = None
    if panel.has_cov:
        Xp = np.empty((len(panel.tlist), n, panel.X.shape[1]))
        Xp[ti, ui, :] = panel.X.to_numpy(dtype=float)[rows_keep]
    return Y, gmin[unit_keep].astype(float), Xp
