"""Shewhart control charts (c-, p- and I-chart) with the 3-sigma rule and the "8 in a row"
shift rule: :func:`control_limits` and its :class:`ControlChartResult`.

References
----------
Montgomery DC. Introduction to Statistical Quality Control (c-, p- and XmR charts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from so_eval.screening.common import baseline_count, flags_outside, require_columns, run_lengths

__all__ = ["D2_MR2", "SHIFT_RUN_LENGTH", "ControlChartResult", "control_limits"]

#: d2 constant for moving ranges of two consecutive points (XmR chart).
D2_MR2 = 1.128
#: Number of consecutive points on one side of the centre line that signals a shift.
SHIFT_RUN_LENGTH = 8


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
    require_columns(data, time, value, n if kind == "p" else None)
    df, notes = _points(data, time, value, kind, n)
    x = df["value"].to_numpy(dtype=float)
    if x.size == 0:
        raise ValueError("no data points")
    b = baseline_count(baseline, x.size, minimum=2 if kind == "i" else 1)
    lim = _LIMITS[kind](x, df["n"].to_numpy(dtype=float), b)
    table = _chart_table(df, lim, b)
    return ControlChartResult(
        table=table,
        kind=kind,
        centre=lim.cl,
        sigma=float(lim.sigma),
        n_outside=int(table["outside"].sum()),
        shift_detected=bool(table["in_shift"].any()),
        longest_run=int(table["run_length"].max()) if len(table) else 0,
        baseline=b,
        value_name=str(value),
        time_name=str(time),
        notes=tuple(notes),
    )


def _points(data: pd.DataFrame, time: str, value: str, kind: str, n: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Columns time, value and n (NaN but for a p-chart) in time order, without the rows that
    miss a value (or, for a p-chart, have n == 0), with notes."""
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
    return df.loc[~na].sort_values("time", kind="stable").reset_index(drop=True), notes


class _Limits(NamedTuple):
    """The plotted statistic, the centre line, sigma (per unit and per point) and the limits."""

    y: np.ndarray
    cl: float
    sigma: float
    sigma_i: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray


def _c_limits(x: np.ndarray, _n: np.ndarray, b: int) -> _Limits:
    """c-chart: counts around their mean, sigma sqrt(cl), the lower limit at 0 at least."""
    if np.any(x < 0):
        raise ValueError("c-chart values must be non-negative counts")
    cl = float(x[:b].mean())
    sigma = math.sqrt(cl)
    sig_i = np.full(x.size, sigma)
    return _Limits(x, cl, sigma, sig_i, np.maximum(cl - 3 * sig_i, 0.0), cl + 3 * sig_i)


def _p_limits(x: np.ndarray, nn: np.ndarray, b: int) -> _Limits:
    """p-chart: shares around the pooled share, limits by each point's n, within [0, 1]."""
    if np.any(x < 0) or np.any(x > nn):
        raise ValueError("p-chart needs 0 <= events <= n")
    cl = float(x[:b].sum() / nn[:b].sum())
    sigma = math.sqrt(cl * (1 - cl))
    sig_i = sigma / np.sqrt(nn)
    lcl = np.clip(cl - 3 * sig_i, 0.0, 1.0)
    ucl = np.clip(cl + 3 * sig_i, 0.0, 1.0)
    return _Limits(x / nn, cl, sigma, sig_i, lcl, ucl)


def _i_limits(x: np.ndarray, _n: np.ndarray, b: int) -> _Limits:
    """I-chart (XmR): values around their mean, sigma from the mean moving range."""
    if x.size < 2:
        raise ValueError("an I-chart needs at least 2 points")
    cl = float(x[:b].mean())
    mr = np.abs(np.diff(x[:b]))
    sigma = float(mr.mean() / D2_MR2)
    sig_i = np.full(x.size, sigma)
    return _Limits(x, cl, sigma, sig_i, cl - 3 * sig_i, cl + 3 * sig_i)


_LIMITS = {"c": _c_limits, "p": _p_limits, "i": _i_limits}


def _chart_table(df: pd.DataFrame, lim: _Limits, b: int) -> pd.DataFrame:
    """One row per point: the statistic, centre line, sigma, limits, flag, side and runs."""
    x = df["value"].to_numpy(dtype=float)
    flags = flags_outside(lim.y, lim.lcl, lim.ucl)
    side = np.sign(lim.y - lim.cl).astype(int)
    _, run_len = run_lengths(side, skip_zero=False)
    return pd.DataFrame(
        {
            "time": df["time"].to_numpy(),
            "value": x,
            "n": df["n"].to_numpy(dtype=float),
            "y": lim.y,
            "cl": np.full(x.size, lim.cl),
            "sigma": lim.sigma_i,
            "lcl": lim.lcl,
            "ucl": lim.ucl,
            "flag": pd.Series(flags, dtype=object),
            "outside": pd.Series(flags, dtype=object).notna().to_numpy(),
            "side": side,
            "run_length": run_len,
            "in_shift": run_len >= SHIFT_RUN_LENGTH,
            "baseline": np.arange(x.size) < b,
        }
    )
