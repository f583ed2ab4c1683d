"""Year-over-year change larger than chance, Holm-corrected across keys per year:
:func:`yoy_change`, with the exact test for counts and the 2x2 tests for shares."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from so_eval.screening.common import holm, is_integer_valued, require_columns

__all__ = ["yoy_change"]

_NOT_TESTED = (float("nan"), float("nan"), float("nan"), "not tested (missing)")
#: The result's columns after the key columns (and, for shares, the counts behind them).
_COLUMNS = (
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
)
_SHARE_COLUMNS = ("previous_events", "previous_n", "current_events", "current_n")


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
    require_columns(data, *keys, year, events, n)
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    merged = _year_pairs(data, keys, year, events, n)
    rows = [_compare(rec, keys, year, n is not None, 1 - alpha) for rec in merged.to_dict("records")]
    order = keys + list(_COLUMNS) + (list(_SHARE_COLUMNS) if n is not None else [])
    res = pd.DataFrame(rows, columns=order)
    res["p_holm"] = _holm_by_year(res)
    res["flag"] = (res["p_holm"] < alpha).astype(bool)
    chg = res["change"].to_numpy(dtype=float)
    res["direction"] = np.where(chg > 0, "up", np.where(chg < 0, "down", "none"))
    return res


def _year_pairs(data: pd.DataFrame, keys: list[str], year: str, events: str, n: str | None) -> pd.DataFrame:
    """One row per key and year that has the year before: ``_e1`` (``_n1``) this year's summed
    events (denominator), ``_e0`` (``_n0``) the year before's; sorted by key and year."""
    cols = [events] + ([n] if n is not None else [])
    agg = data.groupby(keys + [year], as_index=False, dropna=False)[cols].sum(min_count=1)
    yrs = agg[year].to_numpy(dtype=float)
    if not is_integer_valued(yrs[~np.isnan(yrs)]):
        raise ValueError("year must be integer valued")
    prev = agg.copy()
    prev[year] = prev[year] + 1
    rename = {events: "_e0"} | ({n: "_n0"} if n is not None else {})
    merged = agg.rename(columns={events: "_e1"} | ({n: "_n1"} if n is not None else {})).merge(
        prev.rename(columns=rename), on=keys + [year], how="inner"
    )
    return merged.sort_values(keys + [year], kind="stable").reset_index(drop=True)


def _compare(rec: dict[str, Any], keys: list[str], year: str, shares: bool, conf: float) -> dict[str, Any]:
    """One key's year against the year before: the values, their change and ratio, the test."""
    out: dict[str, Any] = {k: rec[k] for k in keys}
    out["year"] = int(rec[year])
    out["previous_year"] = int(rec[year]) - 1
    e0, e1 = rec["_e0"], rec["_e1"]
    if not shares:
        if pd.isna(e0) or pd.isna(e1):
            p, lo, hi, test = _NOT_TESTED
        else:
            p, lo, hi, test = _count_test(float(e0), float(e1), conf)
        prev_v, cur_v = e0, e1
    else:
        n0, n1 = rec["_n0"], rec["_n1"]
        if any(pd.isna(v) for v in (e0, e1, n0, n1)):
            p, lo, hi, test = _NOT_TESTED
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
    return out


def _holm_by_year(res: pd.DataFrame) -> pd.Series:
    """Holm-adjusted p-values, the correction applied within each year (NaN where not tested)."""
    p_holm = pd.Series(np.nan, index=res.index)
    for idx in res.groupby("year").groups.values():
        pv = res.loc[idx, "p_value"]
        ok = pv.notna()
        if ok.any():
            p_holm.loc[pv[ok].index] = holm(pv[ok].to_numpy())
    return p_holm


def _count_test(prev: float, cur: float, conf: float) -> tuple[float, float, float, str]:
    """Exact conditional test of two Poisson counts with equal exposure, and the rate ratio's CI."""
    total = int(prev + cur)
    if total == 0:
        return float("nan"), float("nan"), float("nan"), "not tested (0 events both years)"
    bt = stats.binomtest(int(cur), total, 0.5)
    ci = bt.proportion_ci(confidence_level=conf, method="exact")
    lo = ci.low / (1 - ci.low) if ci.low < 1 else math.inf
    hi = ci.high / (1 - ci.high) if ci.high < 1 else math.inf
    return float(bt.pvalue), float(lo), float(hi), "exact conditional Poisson (binomial)"


def _prop_test(e0: float, n0: float, e1: float, n1: float, conf: float) -> tuple[float, float, float, str]:
    """Fisher's exact test or the pooled z-test of two shares, and the ratio's log (Katz) CI."""
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
