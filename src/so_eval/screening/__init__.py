"""Statistical screening for unusual results: funnel plots, run charts, control charts,
year-over-year tests and projections towards targets.

All functions are pure: they take tidy :class:`pandas.DataFrame` objects and return
result objects or data frames. They do no file I/O, print nothing and keep no global
state. Plotting lives in :mod:`so_eval.plots.screening`.

Overview
--------
``funnel_limits``
    Funnel plot for proportions (Spiegelhalter 2005) with exact binomial limits and
    optional additive random-effects adjustment for over-dispersion.
``run_chart`` / ``anhoej_limits``
    Run chart with the Anhøj rules (Anhøj & Olesen 2014; as in the R package qicharts2).
``control_limits``
    Shewhart control charts (c-, p- and I-chart) with the 3-sigma rule and the
    "8 in a row" shift rule.
``yoy_change``
    Year-over-year change larger than chance, Holm-corrected across keys per year.
``project_to_target``
    A count (Poisson GLM) or a share (binomial GLM, weighted by its denominators)
    projected to a target year, with predictive intervals inside the range.

References
----------
Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance.
Statistics in Medicine 24:1185-1202.

Spiegelhalter DJ (2005). Handling over-dispersion of performance indicators.
Quality and Safety in Health Care 14:347-351.

Anhøj J, Olesen AV (2014). Run charts revisited: a simulation study of run chart rules
for detection of non-random variation in health care processes. PLoS One 9(11):e113825.

Montgomery DC. Introduction to Statistical Quality Control (c-, p- and XmR charts).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special, stats

from so_eval import fmt

__all__ = [
    "ControlChartResult",
    "FunnelResult",
    "ProjectionResult",
    "RunChartResult",
    "anhoej_limits",
    "control_limits",
    "funnel_limits",
    "project_to_target",
    "run_chart",
    "yoy_change",
]

#: d2 constant for moving ranges of two consecutive points (XmR chart).
D2_MR2 = 1.128
#: Number of consecutive points on one side of the centre line that signals a shift.
SHIFT_RUN_LENGTH = 8


# --------------------------------------------------------------------------------------
# small private helpers
# --------------------------------------------------------------------------------------
def _require_columns(data: pd.DataFrame, *cols: str | None) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in cols if c is not None and c not in data.columns]
    if missing:
        raise KeyError(f"columns not found in data: {missing}")


def _level_tag(level: float) -> str:
    """0.95 -> '95', 0.998 -> '998', 0.8 -> '80'."""
    if not 0 < level < 1:
        raise ValueError(f"confidence levels must be in (0, 1), got {level!r}")
    return f"{level * 100:.10g}".replace(".", "")


def _is_integer_valued(x: np.ndarray) -> bool:
    return bool(np.all(np.isclose(x, np.round(x), rtol=0, atol=1e-9)))


def _da_num(x: float, decimals: int = 1) -> str:
    """Danish number format: '.' thousands separator, ',' decimal mark."""
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _flags(rate: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    out = np.full(rate.shape, None, dtype=object)
    out[rate > upper] = "high"
    out[rate < lower] = "low"
    return out


def _run_lengths(side: np.ndarray, *, skip_zero: bool) -> tuple[np.ndarray, np.ndarray]:
    """Run id and run length for each point of a sequence of sides (+1, -1, 0).

    With ``skip_zero=True`` (Anhøj) points with side 0 neither belong to a run nor
    break one. With ``skip_zero=False`` (Shewhart) a point with side 0 ends the run.
    Points with side 0 get run id -1 and run length 0.
    """
    run_id = np.full(side.shape, -1, dtype=int)
    current, last_side = -1, 0
    for i, s in enumerate(side):
        if s == 0:
            if not skip_zero:
                last_side = 0
            continue
        if s != last_side:
            current += 1
            last_side = s
        run_id[i] = current
    lengths = np.zeros(side.shape, dtype=int)
    if current >= 0:
        counts = np.bincount(run_id[run_id >= 0], minlength=current + 1)
        lengths[run_id >= 0] = counts[run_id[run_id >= 0]]
    return run_id, lengths


def _baseline_count(baseline: int | None, n_rows: int, minimum: int = 1) -> int:
    if baseline is None:
        return n_rows
    if isinstance(baseline, (bool, np.bool_)) or not isinstance(baseline, (int, np.integer)):
        raise TypeError("baseline must be an int: the number of first points (in time order)")
    if baseline < minimum:
        raise ValueError(f"baseline must be at least {minimum}, got {baseline}")
    return min(int(baseline), n_rows)


# --------------------------------------------------------------------------------------
# 1. Funnel plot for proportions
# --------------------------------------------------------------------------------------
def _exact_binomial_limit(p: float, n: np.ndarray, theta: float) -> np.ndarray:
    """Spiegelhalter (2005, appendix) interpolated exact binomial p-limit on the rate scale.

    r_p is the smallest r with F(r) >= p (binomial quantile). The limit is
    (r_p - a) / n with a = (F(r_p) - p) / (F(r_p) - F(r_p - 1)), which makes the
    limits a smooth function of n.
    """
    n = np.asarray(n, dtype=float)
    r = stats.binom.ppf(p, n, theta)
    f_r = stats.binom.cdf(r, n, theta)
    f_rm1 = stats.binom.cdf(r - 1, n, theta)
    denom = f_r - f_rm1
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(denom > 0, (f_r - p) / denom, 0.0)
        lim = (r - a) / n
    return np.clip(lim, 0.0, 1.0)


def _arcsine_limit(z: float, n: np.ndarray, theta: float, tau2: float) -> np.ndarray:
    """Normal limit on the arcsine-sqrt scale, back-transformed to a rate."""
    n = np.asarray(n, dtype=float)
    centre = np.arcsin(np.sqrt(theta))
    with np.errstate(divide="ignore"):
        se = np.sqrt(1.0 / (4.0 * n) + tau2)
    y = np.clip(centre + z * se, 0.0, np.pi / 2)
    return np.sin(y) ** 2


@dataclass(frozen=True)
class FunnelResult:
    """Result of :func:`funnel_limits`.

    Attributes
    ----------
    table : DataFrame
        One row per unit: ``unit, events, n, rate, z, z_raw`` and for every level
        ``lowerXX, upperXX, flagXX`` (e.g. ``lower95``, ``upper998``, ``flag95``), plus
        ``flag`` = the flag at the widest level (99.8 % by default). Flags are
        ``"high"``, ``"low"`` or ``None``.
    target : float
        Target proportion (the centre line).
    target_source : str
        ``"pooled"`` (sum(events) / sum(n)) or ``"given"``.
    limits : tuple of float
        The two-sided coverage levels, sorted ascending.
    overdispersion : {"auto", True, False}
        What was requested.
    overdispersion_applied : bool
        Whether the random-effects limits were used.
    phi : float
        Winsorised over-dispersion estimate, ``mean(z_w ** 2)``.
    tau2 : float
        DerSimonian-Laird type between-unit variance on the arcsine-sqrt scale
        (estimated even when not applied; 0 when ``I * phi <= I - 1``).
    chi2_stat, chi2_crit, overdispersion_pvalue : float
        ``I * phi``, the 95 % quantile of chi-square(I - 1) and the p-value of the test.
    n_units : int
        Number of units used (after excluding n == 0).
    winsorize : float
        Fraction winsorised in each tail.
    method : str
        Text describing how the limits were computed.
    notes : tuple of str
        Data issues, e.g. excluded units.
    """

    table: pd.DataFrame
    target: float
    target_source: str
    limits: tuple[float, ...]
    overdispersion: Any
    overdispersion_applied: bool
    phi: float
    tau2: float
    chi2_stat: float
    chi2_crit: float
    overdispersion_pvalue: float
    n_units: int
    winsorize: float
    method: str
    scale: str = "arcsine-sqrt"
    notes: tuple[str, ...] = ()

    @property
    def tau2_applied(self) -> float:
        """tau^2 used in the limits (0 when over-dispersion is not applied)."""
        return self.tau2 if self.overdispersion_applied else 0.0

    def limits_for(self, n: Sequence[float] | np.ndarray) -> pd.DataFrame:
        """Funnel limits for arbitrary integer denominators ``n`` (no sorting/uniqueness)."""
        n_arr = np.asarray(n, dtype=float)
        if np.any(n_arr <= 0) or not _is_integer_valued(n_arr):
            raise ValueError("n must be positive integers")
        out = {"n": n_arr.astype(int), "target": np.full(n_arr.shape, self.target)}
        for level in self.limits:
            tag = _level_tag(level)
            lo_p, hi_p = (1 - level) / 2, 1 - (1 - level) / 2
            if self.overdispersion_applied:
                zq = stats.norm.ppf(hi_p)
                out[f"lower{tag}"] = _arcsine_limit(-zq, n_arr, self.target, self.tau2)
                out[f"upper{tag}"] = _arcsine_limit(zq, n_arr, self.target, self.tau2)
            else:
                out[f"lower{tag}"] = _exact_binomial_limit(lo_p, n_arr, self.target)
                out[f"upper{tag}"] = _exact_binomial_limit(hi_p, n_arr, self.target)
        return pd.DataFrame(out)

    def curve(self, n_grid: Sequence[float] | np.ndarray | int | None = None) -> pd.DataFrame:
        """Funnel lines to draw.

        Parameters
        ----------
        n_grid : array-like of int, int or None
            Denominators to evaluate. ``None`` gives 200 log-spaced integers from half
            the smallest to 1.1 times the largest unit denominator; an int gives that
            many points over the same range. Values are rounded to integers (the exact
            binomial limits need integer n) and de-duplicated.

        Returns
        -------
        DataFrame
            Columns ``n, target, lowerXX, upperXX`` for each level, sorted by n.
        """
        n_obs = self.table["n"].to_numpy(dtype=float)
        if n_grid is None or isinstance(n_grid, (int, np.integer)):
            points = 200 if n_grid is None else int(n_grid)
            lo = max(1.0, 0.5 * n_obs.min()) if n_obs.size else 1.0
            hi = max(lo + 1, 1.1 * n_obs.max()) if n_obs.size else 100.0
            grid = np.geomspace(lo, hi, points)
        else:
            grid = np.asarray(n_grid, dtype=float)
        grid = np.unique(np.round(grid))
        grid = grid[grid >= 1]
        return self.limits_for(grid)


def funnel_limits(
    data: pd.DataFrame,
    *,
    unit: str,
    events: str,
    n: str,
    target: float | None = None,
    limits: Sequence[float] = (0.95, 0.998),
    overdispersion: Literal["auto"] | bool = "auto",
    winsorize: float = 0.1,
) -> FunnelResult:
    """Funnel plot limits for proportions (Spiegelhalter 2005).

    Rule: a unit is flagged ``"high"`` (``"low"``) at a level when its observed rate
    events / n lies strictly above (below) the two-sided limit for its n around the
    target, and its count is also in the exact binomial tail (P(X >= events) or
    P(X <= events) below half the level's complement), so that the interpolated limits
    never flag a result at the boundary that is not unusual (e.g. 1 of 1). Without over-dispersion the limits are exact binomial quantiles, smoothed
    by Spiegelhalter's interpolation. Over-dispersion is measured by z-scores on the
    arcsine-sqrt scale, ``z = 2 * sqrt(n) * (asin(sqrt(rate)) - asin(sqrt(target)))``,
    winsorised at the ``winsorize`` / ``1 - winsorize`` quantiles; ``phi = mean(z_w^2)``.
    With ``overdispersion="auto"`` the additive random-effects limits are used only when
    ``I * phi`` exceeds the 95 % quantile of chi-square(I - 1) (I = number of units).
    Then ``tau2 = max(0, (I*phi - (I-1)) / (sum(w) - sum(w^2)/sum(w)))`` with
    ``w = 4 n`` (DerSimonian-Laird form, Spiegelhalter 2005), and the limits are
    ``sin^2(asin(sqrt(target)) +/- z_q * sqrt(1/(4n) + tau2))``.

    Parameters
    ----------
    data : DataFrame
        One row per unit.
    unit, events, n : str
        Column names: unit label, number of events (e.g. citizens who got a job) and
        denominator (e.g. citizens). Both must be non-negative integers with
        events <= n. Units with n == 0 (or missing values) are excluded with a note.
    target : float, optional
        Target proportion in (0, 1). Default: pooled proportion sum(events) / sum(n).
    limits : sequence of float
        Two-sided coverage levels, default 95 % and 99.8 %.
    overdispersion : {"auto", True, False}
        ``"auto"``: apply random effects only if over-dispersion is significant at 5 %;
        ``True``: always use random-effects limits (tau2 may be 0); ``False``: never.
    winsorize : float
        Fraction of z-scores winsorised in each tail when estimating phi (0 to < 0.5).

    Returns
    -------
    FunnelResult
        Per-unit table, parameters and a ``.curve()`` method for the funnel lines.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"aftale": list("ABCDE"), "job": [20, 25, 30, 22, 60],
    ...                    "borgere": [100, 100, 100, 100, 100]})
    >>> res = funnel_limits(df, unit="aftale", events="job", n="borgere",
    ...                     target=0.25, overdispersion=False)
    >>> res.table["unit"].tolist(), res.table["flag"].tolist()
    (['A', 'B', 'C', 'D', 'E'], [None, None, None, None, 'high'])
    >>> round(float(res.table["upper998"].iloc[0]), 4)  # same for all: n = 100
    0.3856
    """
    _require_columns(data, unit, events, n)
    if overdispersion not in ("auto", True, False):
        raise ValueError("overdispersion must be 'auto', True or False")
    if not 0 <= winsorize < 0.5:
        raise ValueError("winsorize must be in [0, 0.5)")
    levels = tuple(sorted(float(x) for x in limits))
    if not levels:
        raise ValueError("limits must contain at least one level")
    for lv in levels:
        _level_tag(lv)

    notes: list[str] = []
    df = data[[unit, events, n]].copy()
    df.columns = ["unit", "events", "n"]
    missing = df["events"].isna() | df["n"].isna()
    if missing.any():
        notes.append(
            f"{int(missing.sum())} unit(s) with missing events or n excluded: "
            + ", ".join(map(str, df.loc[missing, "unit"]))
        )
        df = df.loc[~missing]
    ev = df["events"].to_numpy(dtype=float)
    nn = df["n"].to_numpy(dtype=float)
    if np.any(ev < 0) or np.any(nn < 0):
        raise ValueError("events and n must be non-negative")
    if np.any(ev > nn):
        bad = df.loc[ev > nn, "unit"].tolist()
        raise ValueError(f"events exceed n for unit(s): {bad}")
    if not (_is_integer_valued(ev) and _is_integer_valued(nn)):
        raise ValueError("events and n must be integer counts (exact binomial limits)")
    zero = nn == 0
    if zero.any():
        notes.append(
            f"{int(zero.sum())} unit(s) with n == 0 excluded: "
            + ", ".join(map(str, df.loc[zero, "unit"]))
        )
        df = df.loc[~zero]
        ev, nn = ev[~zero], nn[~zero]
    if len(df) == 0:
        raise ValueError("no units with n > 0")

    if target is None:
        theta = float(ev.sum() / nn.sum())
        target_source = "pooled"
    else:
        theta = float(target)
        target_source = "given"
    if not 0 < theta < 1:
        raise ValueError(f"target must be strictly between 0 and 1, got {theta}")

    rate = ev / nn
    # z-scores on the arcsine-sqrt scale: var(asin(sqrt(p_hat))) ~ 1 / (4 n)
    z_raw = 2.0 * np.sqrt(nn) * (np.arcsin(np.sqrt(rate)) - np.arcsin(np.sqrt(theta)))
    n_units = len(df)

    if n_units >= 2:
        lo_q, hi_q = np.quantile(z_raw, [winsorize, 1 - winsorize])
        z_w = np.clip(z_raw, lo_q, hi_q)
        phi = float(np.mean(z_w**2))
        chi2_stat = n_units * phi
        chi2_crit = float(stats.chi2.ppf(0.95, n_units - 1))
        od_p = float(stats.chi2.sf(chi2_stat, n_units - 1))
        w = 4.0 * nn
        denom = w.sum() - (w**2).sum() / w.sum()
        tau2 = float(max(0.0, (chi2_stat - (n_units - 1)) / denom)) if denom > 0 else 0.0
    else:
        phi = chi2_stat = chi2_crit = od_p = float("nan")
        tau2 = 0.0
        notes.append("fewer than 2 units: over-dispersion cannot be estimated")

    if overdispersion == "auto":
        applied = bool(n_units >= 2 and chi2_stat > chi2_crit)
    else:
        applied = bool(overdispersion) and n_units >= 2
    if applied:
        method = (
            "normal limits on the arcsine-sqrt scale with additive random effects "
            f"(tau2 = {tau2:.4g}), back-transformed"
        )
    else:
        method = "exact binomial limits with Spiegelhalter interpolation"
    if 2 <= n_units < 10:
        notes.append(f"only {n_units} units: the over-dispersion estimate is unstable")

    res = FunnelResult(
        table=pd.DataFrame(),
        target=theta,
        target_source=target_source,
        limits=levels,
        overdispersion=overdispersion,
        overdispersion_applied=applied,
        phi=phi,
        tau2=tau2,
        chi2_stat=chi2_stat,
        chi2_crit=chi2_crit,
        overdispersion_pvalue=od_p,
        n_units=n_units,
        winsorize=winsorize,
        method=method,
        notes=tuple(notes),
    )
    lim = res.limits_for(nn)
    z = z_raw / np.sqrt(1.0 + 4.0 * nn * tau2) if applied else z_raw
    table = pd.DataFrame(
        {
            "unit": df["unit"].to_numpy(),
            "events": ev.astype(int),
            "n": nn.astype(int),
            "rate": rate,
            "z": z,
            "z_raw": z_raw,
        }
    )
    for level in levels:
        tag = _level_tag(level)
        table[f"lower{tag}"] = lim[f"lower{tag}"].to_numpy()
        table[f"upper{tag}"] = lim[f"upper{tag}"].to_numpy()
    # exact binomial tails: a unit whose count is not even binomially unusual is never flagged.
    # This guards the interpolated limits at the boundaries (e.g. 1 of 1 or 5 of 5 when the
    # target is 66 %: the interpolated upper limit lies just below 100 %, but such a result has
    # probability 0.66 and 0.13).
    p_high = stats.binom.sf(ev - 1, nn, theta)  # P(X >= events)
    p_low = stats.binom.cdf(ev, nn, theta)  # P(X <= events)
    for level in levels:
        tag = _level_tag(level)
        flags = _flags(rate, table[f"lower{tag}"].to_numpy(), table[f"upper{tag}"].to_numpy())
        alpha_tail = (1 - level) / 2
        flags[(flags == "high") & (p_high >= alpha_tail)] = None
        flags[(flags == "low") & (p_low >= alpha_tail)] = None
        table[f"flag{tag}"] = pd.Series(flags, dtype=object)
    table["flag"] = table[f"flag{_level_tag(levels[-1])}"].astype(object)
    return dataclasses.replace(res, table=table)


# --------------------------------------------------------------------------------------
# 2. Run chart (Anhøj rules)
# --------------------------------------------------------------------------------------
def anhoej_limits(n_useful: int) -> tuple[int, int]:
    """Anhøj critical values for a run chart with ``n_useful`` useful observations.

    Rule: the longest run signals when it is *greater than*
    ``round(log2(n_useful)) + 3``; the number of crossings signals when it is *less
    than* the 5th percentile of Binomial(n_useful - 1, 0.5), i.e.
    ``scipy.stats.binom.ppf(0.05, n_useful - 1, 0.5)`` (R: ``qbinom``). These are the
    formulas of qicharts2 and of the table in Anhøj & Olesen (2014).

    Parameters
    ----------
    n_useful : int
        Number of observations not on the centre line (>= 1).

    Returns
    -------
    (int, int)
        ``(longest_run_max, crossings_min)``.

    Examples
    --------
    >>> anhoej_limits(10), anhoej_limits(20), anhoej_limits(24)
    ((6, 2), (7, 6), (8, 8))
    """
    n_useful = int(n_useful)
    if n_useful < 1:
        raise ValueError("n_useful must be >= 1")
    longest = round(math.log2(n_useful)) + 3
    crossings = int(stats.binom.ppf(0.05, n_useful - 1, 0.5)) if n_useful > 1 else 0
    return longest, crossings


@dataclass(frozen=True)
class RunChartResult:
    """Result of :func:`run_chart`.

    Attributes
    ----------
    table : DataFrame
        One row per point in time order: ``time, value, baseline`` (bool, used for the
        median), ``side`` (+1 above, -1 below, 0 on the median), ``useful`` (side != 0),
        ``run_id`` (Int64, <NA> on the median) and ``run_length``.
    median : float
        Centre line.
    n_obs, n_useful : int
        Number of points and number of points not on the median.
    longest_run, longest_run_max : int
        Longest run and its Anhøj limit (signal if ``longest_run > longest_run_max``).
    crossings, crossings_min : int
        Number of crossings and its limit (signal if ``crossings < crossings_min``).
    runs_signal, crossings_signal, signal : bool
        Signals; ``signal`` is their logical or.
    baseline : int
        Number of first points used for the median.
    value_name, time_name : str
        Original column names (for plot labels).
    notes : tuple of str
    """

    table: pd.DataFrame
    median: float
    n_obs: int
    n_useful: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    runs_signal: bool
    crossings_signal: bool
    signal: bool
    baseline: int
    value_name: str = "value"
    time_name: str = "time"
    notes: tuple[str, ...] = ()


def run_chart(
    data: pd.DataFrame, *, time: str, value: str, baseline: int | None = None
) -> RunChartResult:
    """Run chart analysis with the Anhøj rules.

    Rule: the centre line is the median of the first ``baseline`` points (all points
    if ``None``, as qicharts2's ``freeze``). Points on the median are not useful and
    are skipped: they neither count in a run nor break it. A run is a sequence of
    consecutive useful points on the same side of the median; a crossing is a change
    of side between consecutive useful points (crossings = number of runs - 1). With
    n = number of useful points, non-random variation is signalled when the longest run
    exceeds ``round(log2(n)) + 3`` or the number of crossings is below
    ``binom.ppf(0.05, n - 1, 0.5)`` (see :func:`anhoej_limits`). Both rules are applied
    to the whole series.

    Parameters
    ----------
    data : DataFrame
        Tidy series, one row per period (e.g. month). Rows with missing values are
        dropped with a note.
    time, value : str
        Column names. Rows are sorted by ``time``.
    baseline : int, optional
        Number of first points used to compute the median.

    Returns
    -------
    RunChartResult

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"maaned": range(1, 21),
    ...                    "jobs": [5, 7, 4, 8, 6, 9, 5, 7, 6, 8,
    ...                             5, 7, 4, 8, 6, 9, 5, 7, 6, 8]})
    >>> res = run_chart(df, time="maaned", value="jobs")
    >>> res.median, res.longest_run, res.longest_run_max, res.crossings, res.signal
    (6.5, 1, 7, 19, False)
    """
    _require_columns(data, time, value)
    notes: list[str] = []
    df = data[[time, value]].copy()
    df.columns = ["time", "value"]
    na = df["value"].isna() | df["time"].isna()
    if na.any():
        notes.append(f"{int(na.sum())} point(s) with missing time or value dropped")
        df = df.loc[~na]
    df = df.sort_values("time", kind="stable").reset_index(drop=True)
    y = df["value"].to_numpy(dtype=float)
    if y.size == 0:
        raise ValueError("no data points")
    b = _baseline_count(baseline, y.size)
    med = float(np.median(y[:b]))
    side = np.sign(y - med).astype(int)
    run_id, run_len = _run_lengths(side, skip_zero=True)
    n_useful = int((side != 0).sum())

    if n_useful == 0:
        notes.append("all points are on the median: no runs analysis possible")
        longest = crossings = 0
        longest_max, crossings_min = 0, 0
        runs_sig = cross_sig = False
    else:
        longest = int(run_len.max())
        crossings = int(run_id.max())  # runs are numbered 0..k-1 -> k - 1 crossings
        longest_max, crossings_min = anhoej_limits(n_useful)
        runs_sig = longest > longest_max
        cross_sig = crossings < crossings_min
        if n_useful < 10:
            notes.append(
                f"only {n_useful} useful points: the Anhøj rules are meant for >= 10 points"
            )

    table = pd.DataFrame(
        {
            "time": df["time"].to_numpy(),
            "value": y,
            "baseline": np.arange(y.size) < b,
            "side": side,
            "useful": side != 0,
            "run_id": pd.array(np.where(run_id >= 0, run_id, 0), dtype="Int64"),
            "run_length": run_len,
        }
    )
    table.loc[run_id < 0, "run_id"] = pd.NA
    return RunChartResult(
        table=table,
        median=med,
        n_obs=int(y.size),
        n_useful=n_useful,
        longest_run=longest,
        longest_run_max=longest_max,
        crossings=crossings,
        crossings_min=crossings_min,
        runs_signal=bool(runs_sig),
        crossings_signal=bool(cross_sig),
        signal=bool(runs_sig or cross_sig),
        baseline=b,
        value_name=str(value),
        time_name=str(time),
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------
# 3. Shewhart control charts
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ControlChartResult:
    """Result of :func:`control_limits`.

    Attributes
    ----------
    table : DataFrame
        One row per point in time order: ``time, value, n`` (p-chart denominators,
        else NaN), ``y`` (plotted statistic: value, or value / n for p-charts),
        ``cl, sigma, lcl, ucl``, ``flag`` (``"high"``/``"low"``/``None``), ``outside``,
        ``side`` (+1/-1/0 relative to cl), ``run_length`` (points on the centre line
        break runs) and ``in_shift`` (point belongs to a run of >= 8) and ``baseline``.
    kind : str
        ``"c"``, ``"p"`` or ``"i"``.
    centre : float
        Centre line.
    sigma : float
        Process sigma (for p-charts sigma of a unit with n = 1, i.e. sqrt(p(1-p))).
    n_outside : int
        Points outside the 3-sigma limits.
    shift_detected : bool
        A run of >= 8 consecutive points on the same side of the centre line occurred.
    longest_run : int
    baseline : int
    value_name, time_name : str
    notes : tuple of str
    """

    table: pd.DataFrame
    kind: str
    centre: float
    sigma: float
    n_outside: int
    shift_detected: bool
    longest_run: int
    baseline: int
    value_name: str = "value"
    time_name: str = "time"
    notes: tuple[str, ...] = field(default_factory=tuple)


def control_limits(
    data: pd.DataFrame,
    *,
    time: str,
    value: str,
    kind: Literal["c", "p", "i"] = "c",
    n: str | None = None,
    baseline: int | None = None,
) -> ControlChartResult:
    """Shewhart control chart: centre line, 3-sigma limits and special-cause rules.

    Rules (centre line and sigma from the first ``baseline`` points, all if ``None``):

    * c-chart (counts per period, e.g. job entries per month): ``cl = mean(c)``,
      limits ``cl +/- 3 * sqrt(cl)``, lower limit truncated at 0.
    * p-chart (``value`` = events, ``n`` = denominator column): ``cl = sum(events) /
      sum(n)``, limits ``cl +/- 3 * sqrt(cl * (1 - cl) / n_i)`` truncated to [0, 1].
    * I-chart (XmR): ``cl = mean(x)``, ``sigma = mean(|x_i - x_{i-1}|) / 1.128``,
      limits ``cl +/- 3 * sigma`` (moving ranges are not screened for outliers).

    A point is flagged when it lies strictly outside its limits. ``shift_detected`` is
    true when >= 8 consecutive points lie on the same side of the centre line (a point
    exactly on the centre line ends the run).

    Parameters
    ----------
    data : DataFrame
        Tidy series, one row per period. Rows with missing values are dropped with a
        note.
    time, value : str
        Column names. For p-charts ``value`` holds the number of events.
    kind : {"c", "p", "i"}
        Chart type.
    n : str, optional
        Denominator column (required for p-charts).
    baseline : int, optional
        Number of first points used for the centre line and sigma.

    Returns
    -------
    ControlChartResult

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"maaned": range(1, 6), "jobs": [6, 9, 12, 9, 9]})
    >>> res = control_limits(df, time="maaned", value="jobs", kind="c")
    >>> res.centre, float(res.table["lcl"].iloc[0]), float(res.table["ucl"].iloc[0])
    (9.0, 0.0, 18.0)
    """
    if kind not in ("c", "p", "i"):
        raise ValueError("kind must be 'c', 'p' or 'i'")
    if kind == "p" and n is None:
        raise ValueError("a p-chart needs the denominator column n")
    _require_columns(data, time, value, n if kind == "p" else None)
    notes: list[str] = []
    cols = [time, value] + ([n] if kind == "p" else [])
    df = data[cols].copy()
    df.columns = ["time", "value"] + (["n"] if kind == "p" else [])
    if kind != "p":
        if n is not None:
            notes.append(f"n is ignored for a {kind}-chart")
        df["n"] = np.nan
    na = df[["time", "value"] + (["n"] if kind == "p" else [])].isna().any(axis=1)
    if kind == "p":
        zero_n = (~na) & (df["n"] == 0)
        if zero_n.any():
            notes.append(f"{int(zero_n.sum())} point(s) with n == 0 dropped")
        na = na | zero_n
    if na.any():
        notes.append(f"{int(na.sum())} point(s) with missing time/value/n dropped")
    df = df.loc[~na].sort_values("time", kind="stable").reset_index(drop=True)
    x = df["value"].to_numpy(dtype=float)
    if x.size == 0:
        raise ValueError("no data points")
    b = _baseline_count(baseline, x.size, minimum=2 if kind == "i" else 1)

    if kind == "c":
        if np.any(x < 0):
            raise ValueError("c-chart values must be non-negative counts")
        y = x
        cl = float(x[:b].mean())
        sigma = math.sqrt(cl)
        sig_i = np.full(x.size, sigma)
        lcl = np.maximum(cl - 3 * sig_i, 0.0)
        ucl = cl + 3 * sig_i
    elif kind == "p":
        nn = df["n"].to_numpy(dtype=float)
        if np.any(x < 0) or np.any(x > nn):
            raise ValueError("p-chart needs 0 <= events <= n")
        y = x / nn
        cl = float(x[:b].sum() / nn[:b].sum())
        sigma = math.sqrt(cl * (1 - cl))
        sig_i = sigma / np.sqrt(nn)
        lcl = np.clip(cl - 3 * sig_i, 0.0, 1.0)
        ucl = np.clip(cl + 3 * sig_i, 0.0, 1.0)
    else:
        if x.size < 2:
            raise ValueError("an I-chart needs at least 2 points")
        y = x
        cl = float(x[:b].mean())
        mr = np.abs(np.diff(x[:b]))
        sigma = float(mr.mean() / D2_MR2)
        sig_i = np.full(x.size, sigma)
        lcl = cl - 3 * sig_i
        ucl = cl + 3 * sig_i

    flags = _flags(y, lcl, ucl)
    side = np.sign(y - cl).astype(int)
    _, run_len = _run_lengths(side, skip_zero=False)
    in_shift = run_len >= SHIFT_RUN_LENGTH
    table = pd.DataFrame(
        {
            "time": df["time"].to_numpy(),
            "value": x,
            "n": df["n"].to_numpy(dtype=float),
            "y": y,
            "cl": np.full(x.size, cl),
            "sigma": sig_i,
            "lcl": lcl,
            "ucl": ucl,
            "flag": pd.Series(flags, dtype=object),
            "outside": pd.Series(flags, dtype=object).notna().to_numpy(),
            "side": side,
            "run_length": run_len,
            "in_shift": in_shift,
            "baseline": np.arange(x.size) < b,
        }
    )
    return ControlChartResult(
        table=table,
        kind=kind,
        centre=cl,
        sigma=float(sigma),
        n_outside=int(table["outside"].sum()),
        shift_detected=bool(in_shift.any()),
        longest_run=int(run_len.max()) if run_len.size else 0,
        baseline=b,
        value_name=str(value),
        time_name=str(time),
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------
# 4. Year-over-year change
# --------------------------------------------------------------------------------------
def _count_test(prev: float, cur: float, conf: float) -> tuple[float, float, float, str]:
    total = int(prev + cur)
    if total == 0:
        return float("nan"), float("nan"), float("nan"), "not tested (0 events both years)"
    bt = stats.binomtest(int(cur), total, 0.5)
    ci = bt.proportion_ci(confidence_level=conf, method="exact")
    lo = ci.low / (1 - ci.low) if ci.low < 1 else math.inf
    hi = ci.high / (1 - ci.high) if ci.high < 1 else math.inf
    return float(bt.pvalue), float(lo), float(hi), "exact conditional Poisson (binomial)"


def _prop_test(
    e0: float, n0: float, e1: float, n1: float, conf: float
) -> tuple[float, float, float, str]:
    if n0 <= 0 or n1 <= 0:
        return float("nan"), float("nan"), float("nan"), "not tested (n == 0)"
    table = np.array([[e1, n1 - e1], [e0, n0 - e0]], dtype=float)
    row = table.sum(axis=1, keepdims=True)
    colsum = table.sum(axis=0, keepdims=True)
    expected = row * colsum / table.sum()
    if colsum.min() == 0:
        p = 1.0
        test = "none needed (all or no events both years)"
    elif expected.min() < 5:
        p = float(stats.fisher_exact(table.astype(int), alternative="two-sided").pvalue)
        test = "Fisher exact"
    else:
        p0, p1 = e0 / n0, e1 / n1
        pool = (e0 + e1) / (n0 + n1)
        se = math.sqrt(pool * (1 - pool) * (1 / n0 + 1 / n1))
        zstat = (p1 - p0) / se
        p = float(2 * stats.norm.sf(abs(zstat)))
        test = "two-proportion z-test (pooled)"
    if e0 > 0 and e1 > 0:
        zq = stats.norm.ppf(0.5 + conf / 2)
        log_rr = math.log((e1 / n1) / (e0 / n0))
        se_log = math.sqrt(1 / e1 - 1 / n1 + 1 / e0 - 1 / n0)
        lo, hi = math.exp(log_rr - zq * se_log), math.exp(log_rr + zq * se_log)
    else:
        lo = hi = float("nan")
    return p, lo, hi, test


def yoy_change(
    data: pd.DataFrame,
    *,
    key: str | Sequence[str],
    year: str,
    events: str,
    n: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Is the change from last year larger than chance?

    Rule: each year is compared with the calendar year before it (same key).
    Counts (``n=None``): the exact conditional test for two Poisson rates with equal
    exposure, i.e. a two-sided binomial test of ``current`` given ``previous +
    current`` with p = 0.5; the CI for the rate ratio is the Clopper-Pearson interval
    for that proportion, pi, transformed by pi / (1 - pi). Proportions (``n`` given):
    Fisher's exact test when any expected cell of the 2x2 table is below 5, otherwise
    the pooled two-proportion z-test; CI for the ratio of proportions by the log
    (Katz) method. A change is flagged when its Holm-adjusted p-value is below
    ``alpha``, the Holm correction being applied across the keys tested in the same
    year. CIs are unadjusted, at level ``1 - alpha``.

    Parameters
    ----------
    data : DataFrame
        Tidy data; rows with the same key and year are summed.
    key : str or list of str
        Column(s) identifying the series (e.g. indicator or agreement).
    year : str
        Integer year column.
    events : str
        Count column.
    n : str, optional
        Denominator column; if given, proportions events / n are compared.
    alpha : float
        Family-wise error level per year.

    Returns
    -------
    DataFrame
        One row per key and year with a previous year: key column(s), ``year,
        previous_year, previous, current`` (counts, or proportions when ``n`` is
        given), ``change`` (current - previous), ``ratio`` (current / previous),
        ``ratio_low, ratio_high``, ``test, p_value, p_holm, flag`` (bool) and
        ``direction`` (``"up"``/``"down"``/``"none"``); with ``n`` also
        ``previous_events, previous_n, current_events, current_n``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"indsats": ["A", "A", "B", "B"], "aar": [2023, 2024] * 2,
    ...                    "job": [10, 30, 28, 31]})
    >>> out = yoy_change(df, key="indsats", year="aar", events="job")
    >>> out["indsats"].tolist(), out["flag"].tolist()
    (['A', 'B'], [True, False])
    >>> [round(p, 4) for p in out["p_value"]]
    [0.0022, 0.7948]
    """
    keys = [key] if isinstance(key, str) else list(key)
    _require_columns(data, *keys, year, events, n)
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    conf = 1 - alpha
    cols = [events] + ([n] if n is not None else [])
    agg = data.groupby(keys + [year], as_index=False, dropna=False)[cols].sum(min_count=1)
    yrs = agg[year].to_numpy(dtype=float)
    if not _is_integer_valued(yrs[~np.isnan(yrs)]):
        raise ValueError("year must be integer valued")
    prev = agg.copy()
    prev[year] = prev[year] + 1
    rename = {events: "_e0"} | ({n: "_n0"} if n is not None else {})
    merged = agg.rename(columns={events: "_e1"} | ({n: "_n1"} if n is not None else {})).merge(
        prev.rename(columns=rename), on=keys + [year], how="inner"
    )
    merged = merged.sort_values(keys + [year], kind="stable").reset_index(drop=True)

    rows: list[dict[str, Any]] = []
    for rec in merged.to_dict("records"):
        out: dict[str, Any] = {k: rec[k] for k in keys}
        out["year"] = int(rec[year])
        out["previous_year"] = int(rec[year]) - 1
        e0, e1 = rec["_e0"], rec["_e1"]
        if n is None:
            if pd.isna(e0) or pd.isna(e1):
                p, lo, hi, test = float("nan"), float("nan"), float("nan"), "not tested (missing)"
            else:
                p, lo, hi, test = _count_test(float(e0), float(e1), conf)
            prev_v, cur_v = e0, e1
        else:
            n0, n1 = rec["_n0"], rec["_n1"]
            if any(pd.isna(v) for v in (e0, e1, n0, n1)):
                p, lo, hi, test = float("nan"), float("nan"), float("nan"), "not tested (missing)"
            else:
                p, lo, hi, test = _prop_test(float(e0), float(n0), float(e1), float(n1), conf)
            prev_v = e0 / n0 if n0 else float("nan")
            cur_v = e1 / n1 if n1 else float("nan")
            out |= {"previous_events": e0, "previous_n": n0, "current_events": e1, "current_n": n1}
        out["previous"] = prev_v
        out["current"] = cur_v
        out["change"] = cur_v - prev_v
        out["ratio"] = cur_v / prev_v if prev_v else float("nan")
        out["ratio_low"], out["ratio_high"] = lo, hi
        out["test"] = test
        out["p_value"] = p
        rows.append(out)

    order = keys + [
        "year",
        "previous_year",
        "previous",
        "current",
        "change",
        "ratio",
        "ratio_low",
        "ratio_high",
        "test",
        "p_value",
    ]
    if n is not None:
        order += ["previous_events", "previous_n", "current_events", "current_n"]
    res = pd.DataFrame(rows, columns=order)
    res["p_holm"] = np.nan
    for idx in res.groupby("year").groups.values():
        pv = res.loc[idx, "p_value"]
        ok = pv.notna()
        if ok.any():
            res.loc[pv[ok].index, "p_holm"] = holm(pv[ok].to_numpy())
    res["flag"] = (res["p_holm"] < alpha).astype(bool)
    chg = res["change"].to_numpy(dtype=float)
    res["direction"] = np.where(chg > 0, "up", np.where(chg < 0, "down", "none"))
    return res


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (as ``statsmodels``' ``multipletests(method="holm")``,
    which also calls ``gc.collect()`` — a third of a second in a report's kernel).

    The k-th smallest of m p-values is multiplied by m − k + 1; the running maximum keeps the
    order; values are capped at 1.
    """
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate(p[order] * np.arange(m, 0, -1)))
    out = np.empty(m)
    out[order] = adjusted
    return out


# --------------------------------------------------------------------------------------
# 5. Projection to a target
# --------------------------------------------------------------------------------------
#: Fewest years in the fit for a projection to be made.
MIN_PROJECTION_YEARS = 3
#: Quantile nodes of the linear predictor's distribution (normal or t) that the predictive
#: distribution is mixed over (equal weights: the midpoints of as many equal slices).
PREDICTIVE_NODES = 400
#: Years after the target year searched for the year the projection reaches the target.
REACH_HORIZON = 25
#: Numerical guard: the log of the largest expected count a node may have (about 10^15).
_MAX_LOG_COUNT = 35.0

NO_PROJECTION_FEW_YEARS = (
    "Der vises ingen fremskrivning mod målet i {target_year}, fordi færre end tre år har et "
    "grundlag, der er stort nok til, at årets tal kan vises."
)
"""Why no projection is shown (one sentence, naming no count): fewer than three usable years."""

NO_PROJECTION_AT_BOUND = (
    "Der vises ingen fremskrivning mod målet i {target_year}, fordi tallene går helt til grænsen "
    "af det mulige ({bound}), så modellen ikke kan beregne en trend."
)
"""Why no projection is shown: the fitted curve runs into 0 (a count) or 0 or 100 % (a share)."""


@dataclass(frozen=True)
class ProjectionResult:
    """Result of :func:`project_to_target`.

    Attributes
    ----------
    table : DataFrame
        One row per year from the first observed year to ``target_year`` (or the last
        observed year, if later): ``year``, ``observed`` (the count, or the share
        ``value / n``), ``n`` (a share's denominator; NaN for a count), ``used`` (the year
        entered the fit), ``fit`` (the model's expected value), ``lowerXX, upperXX``
        prediction limits per level and ``kind`` (``"observed"``/``"projected"``).
    target, target_year : float, int
    model : str
        ``"poisson"`` (a count) or ``"binomial"`` (a share of counts).
    higher_is_better : bool
    levels : tuple of float
    n_points : int
        Number of years in the fit.
    years_used : tuple of int
        The years in the fit.
    slope : float
        Yearly change on the link scale (log rate ratio or log odds ratio per year); NaN
        without a fit.
    dispersion : float
        Quasi-likelihood scale used for the intervals (at least 1); NaN without a fit.
    df_resid : int
    future_n : int or None
        For a share: the number of trials (courses) a predicted year is taken to have.
    projected : float
        The model's expected value at ``target_year`` (NaN if no projection).
    intervals : dict
        ``{level: (low, high)}`` prediction interval at ``target_year``.
    prob_reach : float
        Share of the predictive distribution at ``target_year`` on the right side of the
        target (NaN without a projection).
    reached_year : int or None
        First year in the fit in which the target was reached.
    expected_reach_year : int or None
        First future year in which the projection reaches the target (searched up to
        25 years after ``target_year``).
    status : str
        ``"reached early"``, ``"reached"``, ``"reached late"``, ``"not reached"``,
        ``"on track"``, ``"off track"`` or ``"unknown"``.
    statement : str
        One-sentence Danish summary (or why there is no projection).
    no_projection : str
        Why there is no projection, one Danish sentence naming no count ("" if there is one).
    notes : tuple of str
    value_name : str
    """

    table: pd.DataFrame
    target: float
    target_year: int
    model: str
    higher_is_better: bool
    levels: tuple[float, ...]
    n_points: int
    years_used: tuple[int, ...]
    slope: float
    dispersion: float
    df_resid: int
    future_n: int | None
    projected: float
    intervals: dict[float, tuple[float, float]]
    prob_reach: float
    reached_year: int | None
    expected_reach_year: int | None
    status: str
    statement: str
    no_projection: str = ""
    notes: tuple[str, ...] = ()
    value_name: str = "value"

    def tidy(self) -> pd.DataFrame:
        """The year-by-year table (a copy): observed, whether used, fit and prediction limits."""
        return self.table.copy()

    def summary(self) -> str:
        """Plain-text summary: model, years in the fit, projection, intervals and status."""
        link = "log" if self.model == "poisson" else "logit"
        years = ", ".join(str(y) for y in self.years_used) or "none"
        lines = [
            f"Projection to {self.target_year} ({self.model} GLM, {link} link)",
            f"  years in fit : {years} ({self.n_points})",
            (f"  slope        : {self.slope:.4f} per year ({link} scale)   "
             f"dispersion {self.dispersion:.3f}   df {self.df_resid}"),
            (f"  projected    : {self.projected:.4f}   target {self.target:g} "
             f"({'higher' if self.higher_is_better else 'lower'} is better)"),
        ]
        for lv in sorted(self.intervals):
            lo, hi = self.intervals[lv]
            lines.append(f"  {lv * 100:g}% PI       : [{lo:.4g}, {hi:.4g}]")
        lines.append(f"  P(reach)     : {self.prob_reach:.3f}   status: {self.status}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def project_to_target(
    data: pd.DataFrame,
    *,
    year: str,
    value: str,
    target: float,
    target_year: int,
    n: str | None = None,
    min_basis: int = 0,
    level: float | Sequence[float] = (0.8, 0.95),
    higher_is_better: bool = True,
) -> ProjectionResult:
    """Project a yearly count or share to a target year, inside its range, with prediction
    intervals.

    Rule: a **count** (``n=None``: citizens in a job, enterprises) is fitted by a Poisson
    GLM with a log link on the year (statsmodels), so the trend is a constant yearly
    growth rate and never goes below 0. A **share** (``value`` counts out of ``n``:
    courses with progression out of ended courses) is fitted by a binomial GLM with a
    logit link on the ``(value, n - value)`` counts, so each year weighs with its
    denominator (a year of 100 courses ten times as much as a year of 10) and the trend
    stays inside [0, 1]. A year enters the fit only when its basis (the count itself, or
    the denominator) is at least ``min_basis``: the report passes the disclosure
    threshold, because a year whose figure is hidden would follow from the fitted curve
    and the shown years, and a lower cut would let zeros in while small counts are out
    (the cut is the same at both ends). With fewer than three years in the fit nothing is
    projected, and the statement says so without naming a count.

    Overdispersion: yearly figures can vary more than Poisson or binomial noise (the intake
    of courses changes from year to year), so the fit is read as quasi-likelihood: the scale
    is Pearson's chi-square over the residual degrees of freedom (m - 2), never below 1
    (with so few years a scale below 1 is chance, not underdispersion). This was chosen
    over a negative binomial model, whose extra parameter cannot be estimated reliably
    from three to eight yearly points.

    Prediction interval: the predictive distribution of the target year's figure mixes
    the model's noise over the uncertainty of the trend. The linear predictor is
    ``eta_hat + se * T`` with ``se`` from the scaled covariance and ``T`` standard normal
    (the GLM's Wald approximation) when the model's own scale is used, or Student's t on
    m - 2 degrees of freedom when a scale above 1 is estimated; at 400 equal-probability
    quantile nodes of ``T`` the figure is Poisson (negative binomial with variance
    ``scale * mean`` when the scale exceeds 1) for a count, and binomial (beta-binomial
    with variance ``scale`` times the binomial) on ``future_n`` trials for a share, where
    ``future_n`` is the mean denominator of the fitted years. The interval's ends are
    quantiles of that mixture, so a count's interval is whole numbers from 0 up and a
    share's lies in [0, 1] (steps of 1 / ``future_n``): the range is respected by the
    model itself, not by cutting a symmetric interval at 0, which would put the cut-off
    probability on 0. ``projected`` is the model's expected value at ``target_year``;
    ``prob_reach`` is the mixture's probability of meeting the target (at or above it,
    or at or below if ``higher_is_better=False``); it assumes the trend continues and is
    not a guarantee. ``reached_year`` is the first fitted year in which the target was
    met; the status is ``"reached early"`` if that is before ``target_year``.

    Tælleregel: Et måls tal fremskrives til målåret med en trend over årene. Et antal
    (borgere i job, virksomheder) følger en Poisson-model (loglineær trend: en fast årlig
    vækstrate), så hverken trend eller interval kan blive negative. En andel (borgere med
    progression) følger en logistisk model (binomial, logit) på antallet med og uden
    progression, så hvert år vægter med sit grundlag (borgere med et afsluttet forløb), og andel
    og interval holder sig mellem 0 og 100 %. Et år indgår kun, når årets tal kan vises (grundlaget er mindst diskretioneringsgrænsen); med
    færre end tre sådanne år vises ingen fremskrivning. Prædiktionsintervallet dækker både
    usikkerheden om trenden og årets tilfældige udsving, også når årene svinger mere end
    modellen alene forventer (kvasi-Poisson og kvasi-binomial skala).

    Parameters
    ----------
    data : DataFrame
        One row per year (rows with missing values are dropped).
    year, value : str
        Column names; years must be unique integers (gaps allowed); ``value`` is a count
        (a whole number, 0 or more).
    target : float
        Target value: a count, or a share in [0, 1] if ``n`` is given.
    target_year : int
        Year the target should be met.
    n : str, optional
        Column with the share's denominator; then ``value`` is the numerator.
    min_basis : int
        Years whose basis (the denominator, or the count) is below this are left out.
    level : float or sequence of float
        Prediction-interval levels (default 80 % and 95 %).
    higher_is_better : bool
        Direction of the target.

    Returns
    -------
    ProjectionResult

    Raises
    ------
    ValueError
        Years not unique integers, a count below 0 or not whole, a numerator outside
        ``0..n``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"aar": [2021, 2022, 2023, 2024], "job": [10, 21, 29, 41]})
    >>> res = project_to_target(df, year="aar", value="job", target=50, target_year=2025)
    >>> round(res.projected, 1), res.intervals[0.95], res.status
    (64.7, (38.0, 103.0), 'on track')
    >>> shares = pd.DataFrame({"aar": [2022, 2023, 2024], "med": [2, 5, 8], "af": [10, 10, 10]})
    >>> res = project_to_target(shares, year="aar", value="med", n="af", target=0.6, target_year=2025)
    >>> round(res.projected, 4), res.intervals[0.95][1] <= 1   # odds 1:4, 1:1, 4:1 -> 16:1
    (0.9412, True)
    """
    _require_columns(data, year, value, n)
    levels = tuple(sorted({float(level)} if np.isscalar(level) else {float(x) for x in level}))
    for lv in levels:
        _level_tag(lv)
    model = "poisson" if n is None else "binomial"
    df, notes = _projection_frame(data, year, value, n)
    cut = max(int(min_basis), 1 if model == "binomial" else 0)
    df["used"] = (df["n"] if model == "binomial" else df["value"]) >= cut
    if (~df["used"]).any():
        notes.append(f"{int((~df['used']).sum())} year(s) left out: basis below {cut}")
    use = df.loc[df["used"]]
    target, target_year, m = float(target), int(target_year), len(use)

    def meets(x: float) -> bool:
        tol = 1e-9 * max(1.0, abs(target))
        return x >= target - tol if higher_is_better else x <= target + tol

    reached_year = next((int(y) for y, q in zip(use["year"], use["observed"]) if meets(q)), None)
    last = int(df["year"].max()) if len(df) else target_year
    tab = _projection_table(df, max(target_year, last), levels)
    fit, why_not = None, NO_PROJECTION_FEW_YEARS
    if m < MIN_PROJECTION_YEARS:
        notes.append(f"only {m} year(s) in the fit: no projection (at least {MIN_PROJECTION_YEARS} needed)")
    else:
        fit = _glm_fit(use, model)
        if fit is None:
            notes.append("the fitted curve runs into the bound of the range: no trend can be fitted")
            why_not = NO_PROJECTION_AT_BOUND
    projected, prob, expected_reach = float("nan"), float("nan"), None
    intervals: dict[float, tuple[float, float]] = {lv: (float("nan"),) * 2 for lv in levels}
    if fit is not None:
        why_not = ""
        _fill_band(tab, fit, levels)
        projected, intervals, prob = _at_target(fit, target_year, levels, target, higher_is_better)
        horizon = np.arange(last + 1, max(target_year, last) + REACH_HORIZON + 1)
        if target_year > last:
            expected_reach = next((int(y) for y, q in zip(horizon, fit.mean(horizon)) if meets(q)), None)
    status = _projection_status(reached_year, target_year, int(use["year"].max()) if m else None, projected, prob)
    why_not = why_not.format(target_year=target_year, bound="0" if model == "poisson" else "0 eller 100 %")
    statement = _projection_statement(
        status=status, target=target, target_year=target_year, reached_year=reached_year,
        projected=projected, intervals=intervals, prob=prob, model=model, why_not=why_not,
    )
    return ProjectionResult(
        table=tab, target=target, target_year=target_year, model=model,
        higher_is_better=bool(higher_is_better), levels=levels, n_points=m,
        years_used=tuple(int(y) for y in use["year"]),
        slope=fit.slope if fit is not None else float("nan"),
        dispersion=fit.scale if fit is not None else float("nan"),
        df_resid=max(m - 2, 0), future_n=fit.n_future if fit is not None else None, projected=projected,
        intervals=intervals, prob_reach=prob, reached_year=reached_year,
        expected_reach_year=expected_reach, status=status, statement=statement,
        no_projection=why_not, notes=tuple(notes), value_name=str(value),
    )


def _at_target(fit: _GlmTrend, target_year: int, levels: tuple[float, ...], target: float,
               higher_is_better: bool) -> tuple[float, dict[float, tuple[float, float]], float]:
    """The expected value, the prediction intervals and the probability of meeting the target
    in ``target_year``."""
    at = fit.predictive(np.array([target_year]))
    bounds = at.quantiles([q for lv in levels for q in (0.5 - lv / 2, 0.5 + lv / 2)])[0]
    intervals = {lv: (float(bounds[2 * i]), float(bounds[2 * i + 1])) for i, lv in enumerate(levels)}
    return float(at.mean[0]), intervals, at.prob_meets(target, higher_is_better)


def _projection_frame(data: pd.DataFrame, year: str, value: str, n: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Columns year, value, n (NaN for a count), observed; sorted by year and checked."""
    notes: list[str] = []
    cols = [year, value] + ([n] if n is not None else [])
    df = data[cols].copy()
    df.columns = ["year", "value"] + (["n"] if n is not None else [])
    na = df.isna().any(axis=1)
    if na.any():
        notes.append(f"{int(na.sum())} row(s) with missing year or value dropped")
        df = df.loc[~na]
    df = df.astype(float).sort_values("year", kind="stable").reset_index(drop=True)
    if not _is_integer_valued(df["year"].to_numpy()):
        raise ValueError("year must be integer valued")
    if df["year"].duplicated().any():
        raise ValueError("years must be unique (aggregate to one row per year first)")
    df["year"] = df["year"].astype(int)
    v = df["value"].to_numpy()
    if np.any(v < 0) or not _is_integer_valued(v):
        raise ValueError("value must be a count: whole numbers, 0 or more")
    if n is None:
        df["n"] = np.nan
        df["observed"] = df["value"]
    else:
        if np.any(v > df["n"].to_numpy()) or not _is_integer_valued(df["n"].to_numpy()):
            raise ValueError("the numerator must be a whole number from 0 to n")
        df["observed"] = df["value"] / df["n"].where(df["n"] > 0)
    return df, notes


def _projection_table(df: pd.DataFrame, end_year: int, levels: tuple[float, ...]) -> pd.DataFrame:
    """One row per year from the first observed year to ``end_year``; fit and bands NaN."""
    years = np.arange(int(df["year"].iloc[0]), end_year + 1) if len(df) else np.array([], dtype=int)
    tab = pd.DataFrame({"year": years}).merge(df[["year", "observed", "n", "used"]], on="year", how="left")
    tab["used"] = tab["used"].eq(True)
    tab["fit"] = np.nan
    for lv in levels:
        tab[f"lower{_level_tag(lv)}"] = np.nan
        tab[f"upper{_level_tag(lv)}"] = np.nan
    tab["kind"] = np.where(tab["year"].isin(df["year"]), "observed", "projected")
    return tab


def _fill_band(tab: pd.DataFrame, fit: _GlmTrend, levels: tuple[float, ...]) -> None:
    """The fit and the prediction limits for every year of the table (in place)."""
    years = tab["year"].to_numpy()
    pred = fit.predictive(years)
    tab["fit"] = pred.mean
    qs = [q for lv in levels for q in (0.5 - lv / 2, 0.5 + lv / 2)]
    bounds = pred.quantiles(qs)
    for i, lv in enumerate(levels):
        tag = _level_tag(lv)
        tab[f"lower{tag}"] = bounds[:, 2 * i]
        tab[f"upper{tag}"] = bounds[:, 2 * i + 1]


@dataclass(frozen=True)
class _GlmTrend:
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

    def predictive(self, years: np.ndarray) -> _Predictive:
        X = self._design(years)
        eta = X @ self.params
        se = np.sqrt(np.einsum("ij,jk,ik->i", X, self.cov, X))
        u = (np.arange(PREDICTIVE_NODES) + 0.5) / PREDICTIVE_NODES
        # Student's t when the scale is estimated (above 1), normal when the model's own is used
        z = stats.t.ppf(u, self.df_resid) if self.scale > 1 else stats.norm.ppf(u)
        nodes = eta[:, None] + se[:, None] * z[None, :]
        return _Predictive(self.model, nodes, self.scale, self.n_future, self.mean(years))


def _glm_fit(use: pd.DataFrame, model: str) -> _GlmTrend | None:
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
    if not np.all(np.isfinite(res.params)) or np.any(mu < 1e-8) or (model == "binomial" and np.any(mu > 1 - 1e-8)):
        return None
    df_resid = len(use) - 2
    scale = max(1.0, float(res.pearson_chi2) / df_resid)
    return _GlmTrend(model, np.asarray(res.params, dtype=float), np.asarray(res.cov_params()) * scale,
                     x0, scale, df_resid, n_future)


@dataclass(frozen=True)
class _Predictive:
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


def _projection_status(reached_year, target_year, last_fitted, projected, prob) -> str:
    if reached_year is not None:
        if reached_year < target_year:
            return "reached early"
        return "reached" if reached_year == target_year else "reached late"
    if last_fitted is not None and last_fitted >= target_year:
        return "not reached"
    if math.isnan(projected):
        return "unknown"
    return "on track" if prob >= 0.5 else "off track"


def _projection_statement(
    *,
    status: str,
    target: float,
    target_year: int,
    reached_year: int | None,
    projected: float,
    intervals: dict[float, tuple[float, float]],
    prob: float,
    model: str,
    why_not: str,
) -> str:
    share = model == "binomial"
    tgt = fmt.percent(target) if share else fmt.number(target, 0 if float(target).is_integer() else 1)
    if reached_year is not None:
        extra = {"reached early": " – før tid", "reached late": f" – efter {target_year}"}.get(status, "")
        return f"Målet på {tgt} blev nået i {reached_year}{extra}."
    if status == "not reached":
        return f"Målet på {tgt} blev ikke nået i {target_year}."
    if math.isnan(projected):
        return why_not
    if share:
        what, point = "En logistisk model for trenden, hvor hvert år vægter med sit antal,", fmt.percent(projected)
        bound = fmt.percent
    else:
        what, point, bound = "En Poisson-model for trenden", fmt.number(projected, 1), fmt.number
    widest = max(intervals)
    lo, hi = intervals[widest]
    return (f"{what} giver {point} i {target_year} (mål: {tgt}), "
            f"{fmt.number(widest * 100)} %-prædiktionsinterval {bound(lo)}–{bound(hi)}. "
            f"Andel af prædiktionsfordelingen, der når målet: ca. {fmt.number(prob * 100)} %.")
