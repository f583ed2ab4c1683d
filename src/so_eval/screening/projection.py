"""A count or a share projected to a target year: :func:`project_to_target` and its
:class:`ProjectionResult` (the trend model itself is in :mod:`so_eval.screening.trend`).

Method
------
A **count** (``n=None``: citizens in a job, enterprises) is fitted by a Poisson GLM with a log
link on the year (statsmodels), so the trend is a constant yearly growth rate and never goes
below 0. A **share** (``value`` counts out of ``n``: courses with progression out of ended
courses) is fitted by a binomial GLM with a logit link on the ``(value, n - value)`` counts, so
each year weighs with its denominator (a year of 100 courses ten times as much as a year of 10)
and the trend stays inside [0, 1]. A year enters the fit only when its basis (the count itself,
or the denominator) is at least ``min_basis``: the report passes the disclosure threshold,
because a year whose figure is hidden would follow from the fitted curve and the shown years,
and a lower cut would let zeros in while small counts are out (the cut is the same at both
ends). With fewer than three years in the fit nothing is projected, and the statement says so
without naming a count.

Overdispersion: yearly figures can vary more than Poisson or binomial noise (the intake of
courses changes from year to year), so the fit is read as quasi-likelihood: the scale is
Pearson's chi-square over the residual degrees of freedom (m - 2), never below 1 (with so few
years a scale below 1 is chance, not underdispersion). This was chosen over a negative binomial
model, whose extra parameter cannot be estimated reliably from three to eight yearly points.

Prediction interval: the predictive distribution of the target year's figure mixes the model's
noise over the uncertainty of the trend. The linear predictor is ``eta_hat + se * T`` with
``se`` from the scaled covariance and ``T`` standard normal (the GLM's Wald approximation) when
the model's own scale is used, or Student's t on m - 2 degrees of freedom when a scale above 1
is estimated; at 400 equal-probability quantile nodes of ``T`` the figure is Poisson (negative
binomial with variance ``scale * mean`` when the scale exceeds 1) for a count, and binomial
(beta-binomial with variance ``scale`` times the binomial) on ``future_n`` trials for a share,
where ``future_n`` is the mean denominator of the fitted years. The interval's ends are
quantiles of that mixture, so a count's interval is whole numbers from 0 up and a share's lies
in [0, 1] (steps of 1 / ``future_n``): the range is respected by the model itself, not by
cutting a symmetric interval at 0, which would put the cut-off probability on 0. ``projected``
is the model's expected value at ``target_year``; ``prob_reach`` is the mixture's probability
of meeting the target (at or above it, or at or below if ``higher_is_better=False``); it
assumes the trend continues and is not a guarantee. ``reached_year`` is the first fitted year
in which the target was met; the status is ``"reached early"`` if that is before
``target_year``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from so_eval import fmt
from so_eval.screening.common import is_integer_valued, level_tag, require_columns
from so_eval.screening.trend import GlmTrend, fit_trend

__all__ = [
    "MIN_PROJECTION_YEARS",
    "NO_PROJECTION_AT_BOUND",
    "NO_PROJECTION_FEW_YEARS",
    "REACH_HORIZON",
    "ProjectionResult",
    "project_to_target",
]

#: Fewest years in the fit for a projection to be made.
MIN_PROJECTION_YEARS = 3
#: Years after the target year searched for the year the projection reaches the target.
REACH_HORIZON = 25

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
            (
                f"  slope        : {self.slope:.4f} per year ({link} scale)   "
                f"dispersion {self.dispersion:.3f}   df {self.df_resid}"
            ),
            (
                f"  projected    : {self.projected:.4f}   target {self.target:g} "
                f"({'higher' if self.higher_is_better else 'lower'} is better)"
            ),
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

    Rule: a count is fitted by a Poisson GLM (log link), a share of counts by a binomial GLM
    (logit link) weighted by its denominators, on the years whose basis is at least
    ``min_basis`` (three at least), read as quasi-likelihood; the prediction intervals are
    quantiles of the predictive distribution (details: the module's docstring).

    Tælleregel: Et måls tal fremskrives til målåret med en trend over årene. Et antal
    (borgere i job, virksomheder) følger en Poisson-model (loglineær trend: en fast årlig
    vækstrate), så hverken trend eller interval kan blive negative. En andel (borgere med
    progression) følger en logistisk model (binomial, logit) på antallet med og uden
    progression, så hvert år vægter med sit grundlag (borgere med et afsluttet forløb), og andel
    og interval holder sig mellem 0 og 100 %. Et år indgår kun, når årets tal kan vises
    (grundlaget er mindst diskretioneringsgrænsen); med færre end tre sådanne år vises ingen
    fremskrivning. Prædiktionsintervallet dækker både usikkerheden om trenden og årets
    tilfældige udsving, også når årene svinger mere end modellen alene forventer (kvasi-Poisson
    og kvasi-binomial skala).

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
    require_columns(data, year, value, n)
    levels = _checked_levels(level)
    df, notes = _projection_frame(data, year, value, n)
    model = "poisson" if n is None else "binomial"
    _mark_used(df, model, min_basis, notes)
    goal = _Goal(float(target), int(target_year), bool(higher_is_better))
    return _project(df, goal, model, levels, notes, value_name=str(value))


def _checked_levels(level: float | Sequence[float]) -> tuple[float, ...]:
    """The prediction-interval levels, sorted and without repeats; raises on one outside (0, 1)."""
    levels = tuple(sorted({float(level)} if np.isscalar(level) else {float(x) for x in level}))
    for lv in levels:
        level_tag(lv)
    return levels


def _mark_used(df: pd.DataFrame, model: str, min_basis: int, notes: list[str]) -> None:
    """Column ``used`` (in place): the year's basis (a share's denominator, or the count) is at
    least ``min_basis`` (and a share's at least 1); a note says how many years are left out."""
    cut = max(int(min_basis), 1 if model == "binomial" else 0)
    df["used"] = (df["n"] if model == "binomial" else df["value"]) >= cut
    if (~df["used"]).any():
        notes.append(f"{int((~df['used']).sum())} year(s) left out: basis below {cut}")


@dataclass(frozen=True)
class _Goal:
    """The target: a value to meet (at or above it, or at or below) by a year."""

    value: float
    year: int
    higher_is_better: bool

    def meets(self, x: float) -> bool:
        tol = 1e-9 * max(1.0, abs(self.value))
        return x >= self.value - tol if self.higher_is_better else x <= self.value + tol

    def first_year_met(self, years, values) -> int | None:
        """The first of ``years`` whose value meets the target (None if none does)."""
        return next((int(y) for y, q in zip(years, values, strict=True) if self.meets(q)), None)


def _project(
    df: pd.DataFrame, goal: _Goal, model: str, levels: tuple[float, ...], notes: list[str], value_name: str
) -> ProjectionResult:
    """The projection of a checked frame (:func:`_projection_frame` with ``used`` marked)."""
    use = df.loc[df["used"]]
    m = len(use)
    reached_year = goal.first_year_met(use["year"], use["observed"])
    last = int(df["year"].max()) if len(df) else goal.year
    tab = _projection_table(df, max(goal.year, last), levels)
    fit, why_not = _fit_or_why_not(use, model, notes)
    projected, intervals, prob, expected_reach = _forecast(fit, tab, goal, levels, last)
    status = _projection_status(reached_year, goal.year, int(use["year"].max()) if m else None, projected, prob)
    why_not = why_not.format(target_year=goal.year, bound="0" if model == "poisson" else "0 eller 100 %")
    statement = _projection_statement(
        status=status,
        target=goal.value,
        target_year=goal.year,
        reached_year=reached_year,
        projected=projected,
        intervals=intervals,
        prob=prob,
        model=model,
        why_not=why_not,
    )
    return ProjectionResult(
        table=tab,
        target=goal.value,
        target_year=goal.year,
        model=model,
        higher_is_better=goal.higher_is_better,
        levels=levels,
        n_points=m,
        years_used=tuple(int(y) for y in use["year"]),
        slope=fit.slope if fit is not None else float("nan"),
        dispersion=fit.scale if fit is not None else float("nan"),
        df_resid=max(m - 2, 0),
        future_n=fit.n_future if fit is not None else None,
        projected=projected,
        intervals=intervals,
        prob_reach=prob,
        reached_year=reached_year,
        expected_reach_year=expected_reach,
        status=status,
        statement=statement,
        no_projection=why_not,
        notes=tuple(notes),
        value_name=value_name,
    )


def _fit_or_why_not(use: pd.DataFrame, model: str, notes: list[str]) -> tuple[GlmTrend | None, str]:
    """The fitted trend and "", or None and the sentence (a template) saying why there is none."""
    if len(use) < MIN_PROJECTION_YEARS:
        notes.append(f"only {len(use)} year(s) in the fit: no projection (at least {MIN_PROJECTION_YEARS} needed)")
        return None, NO_PROJECTION_FEW_YEARS
    fit = fit_trend(use, model)
    if fit is None:
        notes.append("the fitted curve runs into the bound of the range: no trend can be fitted")
        return None, NO_PROJECTION_AT_BOUND
    return fit, ""


def _forecast(
    fit: GlmTrend | None, tab: pd.DataFrame, goal: _Goal, levels: tuple[float, ...], last: int
) -> tuple[float, dict[float, tuple[float, float]], float, int | None]:
    """The fit and bands of every year of ``tab`` (in place); at the target year the expected
    value, the intervals and the probability of meeting the target; and the first year after
    the data in which the trend meets it (NaN and None without a fit)."""
    nan = float("nan")
    if fit is None:
        return nan, {lv: (nan, nan) for lv in levels}, nan, None
    _fill_band(tab, fit, levels)
    projected, intervals, prob = _at_target(fit, goal.year, levels, goal.value, goal.higher_is_better)
    expected_reach = None
    if goal.year > last:
        horizon = np.arange(last + 1, max(goal.year, last) + REACH_HORIZON + 1)
        expected_reach = goal.first_year_met(horizon, fit.mean(horizon))
    return projected, intervals, prob, expected_reach


def _at_target(
    fit: GlmTrend, target_year: int, levels: tuple[float, ...], target: float, higher_is_better: bool
) -> tuple[float, dict[float, tuple[float, float]], float]:
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
    if not is_integer_valued(df["year"].to_numpy()):
        raise ValueError("year must be integer valued")
    if df["year"].duplicated().any():
        raise ValueError("years must be unique (aggregate to one row per year first)")
    df["year"] = df["year"].astype(int)
    v = df["value"].to_numpy()
    if np.any(v < 0) or not is_integer_valued(v):
        raise ValueError("value must be a count: whole numbers, 0 or more")
    if n is None:
        df["n"] = np.nan
        df["observed"] = df["value"]
    else:
        if np.any(v > df["n"].to_numpy()) or not is_integer_valued(df["n"].to_numpy()):
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
        tab[f"lower{level_tag(lv)}"] = np.nan
        tab[f"upper{level_tag(lv)}"] = np.nan
    tab["kind"] = np.where(tab["year"].isin(df["year"]), "observed", "projected")
    return tab


def _fill_band(tab: pd.DataFrame, fit: GlmTrend, levels: tuple[float, ...]) -> None:
    """The fit and the prediction limits for every year of the table (in place)."""
    years = tab["year"].to_numpy()
    pred = fit.predictive(years)
    tab["fit"] = pred.mean
    qs = [q for lv in levels for q in (0.5 - lv / 2, 0.5 + lv / 2)]
    bounds = pred.quantiles(qs)
    for i, lv in enumerate(levels):
        tag = level_tag(lv)
        tab[f"lower{tag}"] = bounds[:, 2 * i]
        tab[f"upper{tag}"] = bounds[:, 2 * i + 1]


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
    return (
        f"{what} giver {point} i {target_year} (mål: {tgt}), "
        f"{fmt.number(widest * 100)} %-prædiktionsinterval {bound(lo)}–{bound(hi)}. "
        f"Andel af prædiktionsfordelingen, der når målet: ca. {fmt.number(prob * 100)} %."
    )
