"""Survival: Kaplan–Meier curves of enterprises (founding to closing) and of pilots (start to being stopped)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.duration.survfunc import SurvfuncRight

from so_eval import glossary as g
from so_eval.data.dataset import Dataset
from so_eval.data.model_value import PILOT_KINDS
from so_eval.metrics.enterprises import FIRST_SECOND_GENERATION_YEAR
from so_eval.metrics.value.common import required_table, year_bounds

_DAYS_PER_YEAR = 365.25

_KM_COLUMNS = ["group", "time", "n_risk", "n_events", "survival", "se", "ci_low", "ci_high"]
_MEDIAN_COLUMNS = ["group", "n", "events", "median", "median_ci_low", "median_ci_high"]


def _kaplan_meier(time: np.ndarray, event: np.ndarray, group: str, alpha: float) -> tuple[list[dict], dict]:
    """Kaplan–Meier rows (with a time-0 row) and the median for one group (statsmodels SurvfuncRight)."""
    n = len(time)
    rows = [
        {
            "group": group,
            "time": 0.0,
            "n_risk": n,
            "n_events": 0,
            "survival": 1.0,
            "se": 0.0,
            "ci_low": 1.0,
            "ci_high": 1.0,
        }
    ]
    median = {
        "group": group,
        "n": n,
        "events": int(event.sum()),
        "median": np.nan,
        "median_ci_low": np.nan,
        "median_ci_high": np.nan,
    }
    if n == 0:
        return rows, median
    if event.sum() == 0:  # none closed: the curve runs flat at 100 % to the longest follow-up
        last = float(np.max(time))
        if last > 0:
            rows.append({**rows[0], "time": last, "n_risk": int((time >= last).sum())})
        return rows, median
    sf = SurvfuncRight(time.astype(float), event.astype(int))
    z = norm.ppf(1 - alpha / 2)
    for t, nr, ne, s, se in zip(sf.surv_times, sf.n_risk, sf.n_events, sf.surv_prob, sf.surv_prob_se, strict=True):
        if 0 < s < 1:  # log-log interval (as R survival's conf.type = "log-log")
            w = z * se / (s * abs(np.log(s)))
            lo, hi = s ** np.exp(w), s ** np.exp(-w)
        else:
            lo = hi = s
        rows.append(
            {
                "group": group,
                "time": float(t),
                "n_risk": int(nr),
                "n_events": int(ne),
                "survival": float(s),
                "se": float(se),
                "ci_low": float(lo),
                "ci_high": float(hi),
            }
        )
    last = float(np.max(time))
    if last > rows[-1]["time"]:  # follow-up beyond the last event: the curve runs on, flat
        rows.append({**rows[-1], "time": last, "n_risk": int((time >= last).sum()), "n_events": 0})
    below = np.flatnonzero(np.asarray(sf.surv_prob) <= 0.5 + 1e-12)
    median["median"] = float(sf.surv_times[below[0]]) if len(below) else np.nan
    try:
        lo, hi = sf.quantile_ci(0.5, alpha=alpha)
        median["median_ci_low"] = float(lo) if np.isfinite(lo) else np.nan
        median["median_ci_high"] = float(hi) if np.isfinite(hi) else np.nan
    except (ValueError, IndexError, ZeroDivisionError):
        pass
    return rows, median


def _km_by(frame: pd.DataFrame, groups: list[str], alpha: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, medians = [], []
    for grp in groups:
        d = frame.loc[frame["group"] == grp]
        r, m = _kaplan_meier(d["time"].to_numpy(float), d["event"].to_numpy(int), grp, alpha)
        rows += r
        medians.append(m)
    return pd.DataFrame(rows, columns=_KM_COLUMNS), pd.DataFrame(medians, columns=_MEDIAN_COLUMNS)


def enterprise_survival(ds: Dataset, year: int, alpha: float = 0.05) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaplan–Meier survival of enterprises by generation, from founding to closing.

    Counting rule: enterprises founded on or before 31 December of ``year``. Time runs from the
    founding date to the closing date (an event) or, for those not closed by 31 December of the
    year, to that date (censored). Time in years (days ÷ 365.25). Generations: *1. generation*
    founded before 2022, *2. generation* from 2022. The survival curve is the Kaplan–Meier
    estimate (statsmodels ``SurvfuncRight``, Greenwood standard errors) with a pointwise log-log
    confidence interval; the *median survival* is the first time the curve reaches 50 % or below
    (empty when it has not: more than half are still open), its confidence interval that of
    statsmodels' ``quantile_ci`` (an empty end: not bounded within the follow-up).

    Tælleregel: Virksomheder startet senest 31. december i året. Tiden løber fra startdato til
    lukkedato (en hændelse) eller, for dem der ikke er lukket, til 31. december i året
    (censureret), målt i år. *1. generation* er startet før 2022, *2. generation* fra 2022.
    Overlevelseskurven er Kaplan–Meier-estimatet; *medianlevetiden* er den første tid, hvor
    kurven er 50 % eller derunder (tom, når over halvdelen stadig er åbne).

    Returns
    -------
    km : DataFrame
        Tidy: group, time (years), n_risk, n_events, survival, se, ci_low, ci_high — one row per
        event time, plus a row at time 0 with survival 1 and, when follow-up runs beyond the last
        event, a row with no events at the longest follow-up (where the curve ends).
    medians : DataFrame
        group, n, events, median, median_ci_low, median_ci_high (years).
    """
    hi = year_bounds(year)[1]
    e = ds.enterprises
    e = e.loc[e["founded"] <= hi]
    closed = e["closed"].notna() & (e["closed"] <= hi)
    stop = e["closed"].where(closed, hi)
    first, second = g.label("first_generation"), g.label("second_generation")
    frame = pd.DataFrame(
        {
            "group": np.where(e["founded"].dt.year >= FIRST_SECOND_GENERATION_YEAR, second, first),
            "time": (stop - e["founded"]).dt.days.to_numpy() / _DAYS_PER_YEAR,
            "event": closed.to_numpy().astype(int),
        }
    )
    return _km_by(frame, [first, second], alpha)


def pilot_survival(
    ds: Dataset, year: int, by: str | None = "kind", alpha: float = 0.05
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaplan–Meier survival of business ideas (pilots and prøvehandlinger) from start to being stopped.

    Counting rule: pilots and prøvehandlinger started on or before 31 December of ``year``, not
    counting mere ideas (status idé). Time runs from the start to the decision to stop (an event,
    when decided on or before 31 December) or to 31 December of the year (censored: running,
    scaled or continued — the idea lives on). Time in years (days ÷ 365.25). Groups: by kind
    (``by="kind"``) or all together (``by=None``). Estimation as in
    :func:`enterprise_survival`.

    Tælleregel: Piloter og prøvehandlinger startet senest 31. december i året (ikke idéer). Tiden
    løber fra start til beslutningen om at stoppe (en hændelse) eller til 31. december i året
    (censureret: igangværende, skaleret eller videreført). Målt i år.

    Returns
    -------
    km, medians : DataFrame
        As :func:`enterprise_survival`; group is the kind (pilot, prøvehandling) or "alle".
    """
    if by not in ("kind", None):
        raise ValueError("by must be 'kind' or None")
    hi = year_bounds(year)[1]
    p = required_table(ds, "pilots")
    p = p.loc[(p["start"] <= hi) & (p["status"] != "idé")]
    stopped = (p["status"] == "stoppet") & p["decided"].notna() & (p["decided"] <= hi)
    stop = p["decided"].where(stopped, hi)
    frame = pd.DataFrame(
        {
            "group": p["kind"].to_numpy() if by == "kind" else np.full(len(p), "alle"),
            "time": (stop - p["start"]).dt.days.to_numpy() / _DAYS_PER_YEAR,
            "event": stopped.to_numpy().astype(int),
        }
    )
    groups = list(PILOT_KINDS) if by == "kind" else ["alle"]
    return _km_by(frame, groups, alpha)
