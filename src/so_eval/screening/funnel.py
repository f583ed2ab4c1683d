"""Funnel plot limits for proportions (Spiegelhalter 2005): :func:`funnel_limits` and its
:class:`FunnelResult`.

Method
------
Without over-dispersion the limits are exact binomial quantiles, smoothed by Spiegelhalter's
interpolation. Over-dispersion is measured by z-scores on the arcsine-sqrt scale,
``z = 2 * sqrt(n) * (asin(sqrt(rate)) - asin(sqrt(target)))``, winsorised at the
``winsorize`` / ``1 - winsorize`` quantiles; ``phi = mean(z_w^2)``. With
``overdispersion="auto"`` the additive random-effects limits are used only when ``I * phi``
exceeds the 95 % quantile of chi-square(I - 1) (I = number of units). Then
``tau2 = max(0, (I*phi - (I-1)) / (sum(w) - sum(w^2)/sum(w)))`` with ``w = 4 n``
(DerSimonian-Laird form, Spiegelhalter 2005), and the limits are
``sin^2(asin(sqrt(target)) +/- z_q * sqrt(1/(4n) + tau2))``.

References
----------
Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance.
Statistics in Medicine 24:1185-1202.

Spiegelhalter DJ (2005). Handling over-dispersion of performance indicators.
Quality and Safety in Health Care 14:347-351.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from so_eval.screening.common import flags_outside, is_integer_valued, level_tag, require_columns

__all__ = ["FunnelResult", "funnel_limits"]


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
        if np.any(n_arr <= 0) or not is_integer_valued(n_arr):
            raise ValueError("n must be positive integers")
        out = {"n": n_arr.astype(int), "target": np.full(n_arr.shape, self.target)}
        for level in self.limits:
            tag = level_tag(level)
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
    never flag a result at the boundary that is not unusual (e.g. 1 of 1). The limits, and
    the test that switches to random-effects limits, are described in the module's docstring.

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
    require_columns(data, unit, events, n)
    levels = _checked_options(limits, overdispersion, winsorize)
    units, notes = _usable_units(data, unit, events, n)
    ev, nn = units["events"].to_numpy(dtype=float), units["n"].to_numpy(dtype=float)
    theta, target_source = _centre(ev, nn, target)
    rate = ev / nn
    # z-scores on the arcsine-sqrt scale: var(asin(sqrt(p_hat))) ~ 1 / (4 n)
    z_raw = 2.0 * np.sqrt(nn) * (np.arcsin(np.sqrt(rate)) - np.arcsin(np.sqrt(theta)))
    spread = _overdispersion(z_raw, nn, winsorize, notes)
    applied, method = _random_effects(overdispersion, len(units), spread)
    res = FunnelResult(
        table=pd.DataFrame(),
        target=theta,
        target_source=target_source,
        limits=levels,
        overdispersion=overdispersion,
        overdispersion_applied=applied,
        **spread._asdict(),
        n_units=len(units),
        winsorize=winsorize,
        method=method,
        notes=tuple(notes),
    )
    return dataclasses.replace(res, table=_unit_table(res, units, z_raw))


def _checked_options(limits: Sequence[float], overdispersion: object, winsorize: float) -> tuple[float, ...]:
    """The levels, sorted; raises on an invalid level, over-dispersion option or winsorising share."""
    if overdispersion not in ("auto", True, False):
        raise ValueError("overdispersion must be 'auto', True or False")
    if not 0 <= winsorize < 0.5:
        raise ValueError("winsorize must be in [0, 0.5)")
    levels = tuple(sorted(float(x) for x in limits))
    if not levels:
        raise ValueError("limits must contain at least one level")
    for lv in levels:
        level_tag(lv)
    return levels


def _usable_units(data: pd.DataFrame, unit: str, events: str, n: str) -> tuple[pd.DataFrame, list[str]]:
    """Columns unit, events, n without the units that have a missing value or n == 0 (each left
    out with a note); raises on counts that are negative, not whole or above n."""
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
    if not (is_integer_valued(ev) and is_integer_valued(nn)):
        raise ValueError("events and n must be integer counts (exact binomial limits)")
    zero = nn == 0
    if zero.any():
        notes.append(f"{int(zero.sum())} unit(s) with n == 0 excluded: " + ", ".join(map(str, df.loc[zero, "unit"])))
        df = df.loc[~zero]
    if len(df) == 0:
        raise ValueError("no units with n > 0")
    return df, notes


def _centre(ev: np.ndarray, nn: np.ndarray, target: float | None) -> tuple[float, str]:
    """The centre line (the given target, or the pooled proportion) and where it came from."""
    if target is None:
        theta = float(ev.sum() / nn.sum())
        target_source = "pooled"
    else:
        theta = float(target)
        target_source = "given"
    if not 0 < theta < 1:
        raise ValueError(f"target must be strictly between 0 and 1, got {theta}")
    return theta, target_source


class _Spread(NamedTuple):
    """The over-dispersion estimate and its chi-square test (NaN with fewer than 2 units)."""

    phi: float
    tau2: float
    chi2_stat: float
    chi2_crit: float
    overdispersion_pvalue: float


def _overdispersion(z_raw: np.ndarray, nn: np.ndarray, winsorize: float, notes: list[str]) -> _Spread:
    """phi from the winsorised z-scores, its chi-square test and the DerSimonian-Laird tau2 (with a
    note when there are too few units to estimate them, or to estimate them well)."""
    n_units = len(z_raw)
    if n_units < 2:
        notes.append("fewer than 2 units: over-dispersion cannot be estimated")
        nan = float("nan")
        return _Spread(phi=nan, tau2=0.0, chi2_stat=nan, chi2_crit=nan, overdispersion_pvalue=nan)
    lo_q, hi_q = np.quantile(z_raw, [winsorize, 1 - winsorize])
    z_w = np.clip(z_raw, lo_q, hi_q)
    phi = float(np.mean(z_w**2))
    chi2_stat = n_units * phi
    chi2_crit = float(stats.chi2.ppf(0.95, n_units - 1))
    od_p = float(stats.chi2.sf(chi2_stat, n_units - 1))
    w = 4.0 * nn
    denom = w.sum() - (w**2).sum() / w.sum()
    tau2 = float(max(0.0, (chi2_stat - (n_units - 1)) / denom)) if denom > 0 else 0.0
    if n_units < 10:
        notes.append(f"only {n_units} units: the over-dispersion estimate is unstable")
    return _Spread(phi=phi, tau2=tau2, chi2_stat=chi2_stat, chi2_crit=chi2_crit, overdispersion_pvalue=od_p)


def _random_effects(overdispersion: object, n_units: int, spread: _Spread) -> tuple[bool, str]:
    """Whether the random-effects limits are used, and the text saying how the limits were made."""
    if overdispersion == "auto":
        applied = bool(n_units >= 2 and spread.chi2_stat > spread.chi2_crit)
    else:
        applied = bool(overdispersion) and n_units >= 2
    if applied:
        method = (
            "normal limits on the arcsine-sqrt scale with additive random effects "
            f"(tau2 = {spread.tau2:.4g}), back-transformed"
        )
    else:
        method = "exact binomial limits with Spiegelhalter interpolation"
    return applied, method


def _unit_table(res: FunnelResult, units: pd.DataFrame, z_raw: np.ndarray) -> pd.DataFrame:
    """One row per unit: counts, rate, z-scores, the limits for its n and the flags per level."""
    ev, nn = units["events"].to_numpy(dtype=float), units["n"].to_numpy(dtype=float)
    rate, theta = ev / nn, res.target
    lim = res.limits_for(nn)
    z = z_raw / np.sqrt(1.0 + 4.0 * nn * res.tau2) if res.overdispersion_applied else z_raw
    table = pd.DataFrame(
        {
            "unit": units["unit"].to_numpy(),
            "events": ev.astype(int),
            "n": nn.astype(int),
            "rate": rate,
            "z": z,
            "z_raw": z_raw,
        }
    )
    for level in res.limits:
        tag = level_tag(level)
        table[f"lower{tag}"] = lim[f"lower{tag}"].to_numpy()
        table[f"upper{tag}"] = lim[f"upper{tag}"].to_numpy()
    # exact binomial tails: a unit whose count is not even binomially unusual is never flagged.
    # This guards the interpolated limits at the boundaries (e.g. 1 of 1 or 5 of 5 when the
    # target is 66 %: the interpolated upper limit lies just below 100 %, but such a result has
    # probability 0.66 and 0.13).
    p_high = stats.binom.sf(ev - 1, nn, theta)  # P(X >= events)
    p_low = stats.binom.cdf(ev, nn, theta)  # P(X <= events)
    for level in res.limits:
        tag = level_tag(level)
        flags = flags_outside(rate, table[f"lower{tag}"].to_numpy(), table[f"upper{tag}"].to_numpy())
        alpha_tail = (1 - level) / 2
        flags[(flags == "high") & (p_high >= alpha_tail)] = None
        flags[(flags == "low") & (p_low >= alpha_tail)] = None
        table[f"flag{tag}"] = pd.Series(flags, dtype=object)
    table["flag"] = table[f"flag{level_tag(res.limits[-1])}"].astype(object)
    return table
