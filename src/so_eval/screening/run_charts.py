"""Run charts with the Anhøj rules (Anhøj & Olesen 2014; as in the R package qicharts2):
:func:`run_chart`, its :class:`RunChartResult` and the critical values :func:`anhoej_limits`.

(The module is ``run_charts``, not ``run_chart``: the package exports the function
:func:`run_chart`, which a submodule of the same name would shadow.)

References
----------
Anhøj J, Olesen AV (2014). Run charts revisited: a simulation study of run chart rules
for detection of non-random variation in health care processes. PLoS One 9(11):e113825.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from so_eval.screening.common import baseline_count, require_columns, run_lengths

__all__ = ["RunChartResult", "anhoej_limits", "run_chart"]


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


def run_chart(data: pd.DataFrame, *, time: str, value: str, baseline: int | None = None) -> RunChartResult:
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
    require_columns(data, time, value)
    df, notes = _series(data, time, value)
    y = df["value"].to_numpy(dtype=float)
    if y.size == 0:
        raise ValueError("no data points")
    b = baseline_count(baseline, y.size)
    med = float(np.median(y[:b]))
    side = np.sign(y - med).astype(int)
    run_id, run_len = run_lengths(side, skip_zero=True)
    verdict = _anhoej_verdict(run_id, run_len, int((side != 0).sum()), notes)
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
        baseline=b,
        value_name=str(value),
        time_name=str(time),
        notes=tuple(notes),
        **verdict,
    )


def _series(data: pd.DataFrame, time: str, value: str) -> tuple[pd.DataFrame, list[str]]:
    """Columns time and value in time order, without the rows that miss one (with a note)."""
    notes: list[str] = []
    df = data[[time, value]].copy()
    df.columns = ["time", "value"]
    na = df["value"].isna() | df["time"].isna()
    if na.any():
        notes.append(f"{int(na.sum())} point(s) with missing time or value dropped")
        df = df.loc[~na]
    return df.sort_values("time", kind="stable").reset_index(drop=True), notes


def _anhoej_verdict(run_id: np.ndarray, run_len: np.ndarray, n_useful: int, notes: list[str]) -> dict:
    """The longest run and the crossings, their Anhøj limits and the signals (result fields)."""
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
            notes.append(f"only {n_useful} useful points: the Anhøj rules are meant for >= 10 points")
    return {
        "n_useful": n_useful,
        "longest_run": longest,
        "longest_run_max": longest_max,
        "crossings": crossings,
        "crossings_min": crossings_min,
        "runs_signal": bool(runs_sig),
        "crossings_signal": bool(cross_sig),
        "signal": bool(runs_sig or cross_sig),
    }
