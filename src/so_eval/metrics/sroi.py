"""Social return on investment: a public-budget business case, an SROI ratio, and their sensitivity.

Three tools for the strategy's "return on investment of social investments" (section 3.4):

:func:`business_case`
    A public-budget business case in the manner of the Danish SØM model (Den Socialøkonomiske
    Investeringsmodel): the effect on weeks of self-support per participant (from the effect
    estimate: ATT in share of weeks × 52), times the participants, times the public cost of a week
    on the benefit they would otherwise receive — split into municipality and state — minus the
    cost of the cooperation agreements, year by year over a horizon of up to 10 years with
    drop-off, discounted at 3.5 % a year (Finansministeriet's social discount rate for the first
    35 years), in fixed prices of one price year.
:func:`sroi`
    The SROI ratio: present value of the outcomes ÷ the investment, with deadweight, attribution,
    displacement and drop-off as explicit parameters.
:func:`one_way_sensitivity`, :func:`break_even`, :func:`business_case_sensitivity`, :func:`business_case_at_ci`
    One-way sensitivity on each assumption (a table for a tornado plot), the break-even value of
    each assumption (the value making the net present value 0), and the result at the ends of the
    effect's confidence interval.

Conventions
-----------
* Years run t = 1, …, horizon; year 1 is the year of the investment. Flows in year t are
  discounted by ``(1 + r) ** -(t - 1)``: year 1 is not discounted.
* The effect in year t is the year-1 effect × ``(1 - drop_off) ** (t - 1)``.
* A scalar cost (investment) falls in year 1; a sequence gives the cost year by year from year 1.
* Everything is in fixed prices of the unit prices' common price year (no inflation). The unit
  prices must all have the same price year; convert them first if they do not.

Unit prices are parameters, never code
--------------------------------------
The public cost of a week on each benefit comes from a params block (e.g. under ``sroi:`` in
``params/<year>.yaml``); each price must state its source, price year and a note, which
:func:`validate_prices` enforces. The block below shows the *format* only — the numbers are
placeholders, not real prices::

    sroi:
      horizon: 5                    # years, at most 10
      drop_off: 0.25                # share of the effect lost each year after year 1
      discount_rate: 0.035          # Finansministeriet: 3.5 % a year (years 0-35)
      participants: 120             # participants in the cohort
      cost: 0                       # DKK: the part of the agreements' cost that does not follow the participants
      cost_per_participant: 12500   # DKK per participant: the part that does (fixed prices)
      benefit_mix:                  # which benefit the participants would otherwise receive
        kontanthjælp: 0.6
        ressourceforløb: 0.4
      unit_prices:                  # public cost of one week on the benefit, DKK per week
        kontanthjælp:
          municipality: 1000        # PLACEHOLDER – replace with a sourced figure
          state: 500                # PLACEHOLDER
          source: "e.g. SØM vidensdatabase, price table <name>, <date>"
          price_year: 2024
          note: "net of state reimbursement (refusion); benefit only, no case handling"
        ressourceforløb:
          municipality: 1200        # PLACEHOLDER
          state: 600                # PLACEHOLDER
          source: "…"
          price_year: 2024
          note: "…"

When the effect comes from an effect estimate against a comparison group (the ATT), what would
have happened anyway is already netted out: the deadweight is then 0 by construction, and
:func:`sroi` enforces this (``deadweight="from_comparison_group"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from so_eval import fmt

__all__ = [
    "ASSUMPTION_LABELS",
    "DISCOUNT_RATE",
    "MAX_HORIZON",
    "WEEKS_PER_YEAR",
    "BusinessCase",
    "BusinessCaseInputs",
    "SroiResult",
    "break_even",
    "business_case",
    "business_case_at_ci",
    "business_case_sensitivity",
    "discount_factors",
    "effect_weeks_from_att",
    "one_way_sensitivity",
    "sroi",
    "sroi_sensitivity",
    "unit_saving",
    "validate_prices",
]

DISCOUNT_RATE = 0.035
"""Finansministeriet's social discount rate for the first 35 years (real, a year)."""
MAX_HORIZON = 10
WEEKS_PER_YEAR = 52
PRICE_FIELDS = ("municipality", "state", "source", "price_year", "note")
"""Fields every unit price must have."""

ASSUMPTION_LABELS: dict[str, str] = {
    "effect_weeks": "Effekt (uger i selvforsørgelse pr. deltager i år 1)",
    "participants": "Antal deltagere",
    "cost_factor": "Omkostninger til aftalerne (faktor)",
    "price_factor": "Enhedspriser (faktor)",
    "drop_off": "Aftagende effekt pr. år (drop-off)",
    "discount_rate": "Diskonteringsrente",
    "horizon": "Tidshorisont (år)",
    "deadweight": "Dødvægt",
    "attribution": "Tilskrivning (attribution)",
    "displacement": "Fortrængning",
    "outcome_factor": "Værdi af udfald (faktor)",
    "investment_factor": "Investering (faktor)",
}
"""Danish labels of the assumptions, for tables and the tornado plot."""


# -- inputs ----------------------------------------------------------------------------------


_PRICE_COLUMNS = ["benefit", "municipality", "state", "total", "price_year", "source", "note"]


def validate_prices(prices: Mapping[str, Mapping[str, Any]], price_year: int | None = None) -> pd.DataFrame:
    """Check the unit prices and return them as a table.

    Every benefit's entry must have ``municipality`` and ``state`` (DKK per week, numbers ≥ 0),
    a non-empty ``source`` and ``note``, and an integer ``price_year``; all entries must share
    one price year (the business case is in fixed prices), equal to ``price_year`` if given.

    Parameters
    ----------
    prices : mapping
        Benefit → {municipality, state, source, price_year, note} (see the module docstring).
    price_year : int, optional
        The price year the prices must have.

    Returns
    -------
    DataFrame
        benefit, municipality, state, total, price_year, source, note.

    Raises
    ------
    ValueError
        Listing every problem found.
    """
    return pd.DataFrame(_price_rows(prices, price_year), columns=_PRICE_COLUMNS)


def _price_rows(prices: Mapping[str, Mapping[str, Any]], price_year: int | None = None) -> list[dict]:
    """The checks of :func:`validate_prices`; the prices as plain rows."""
    problems: list[str] = []
    rows = []
    if not isinstance(prices, Mapping) or not prices:
        raise ValueError("unit prices: expected a non-empty mapping benefit → {municipality, state, source, "
                         "price_year, note}")
    for benefit, p in prices.items():
        if not isinstance(p, Mapping):
            problems.append(f"{benefit}: expected a mapping with {', '.join(PRICE_FIELDS)}")
            continue
        missing = [k for k in PRICE_FIELDS if k not in p or p[k] is None]
        problems += [f"{benefit}: '{k}' is missing" for k in missing]
        for k in ("municipality", "state"):
            if k in p and p[k] is not None:
                try:
                    v = float(p[k])
                except (TypeError, ValueError):
                    problems.append(f"{benefit}: '{k}' must be a number (DKK per week), got {p[k]!r}")
                    continue
                if not math.isfinite(v) or v < 0:
                    problems.append(f"{benefit}: '{k}' must be a number ≥ 0, got {p[k]!r}")
        for k in ("source", "note"):
            if k in p and p[k] is not None and not str(p[k]).strip():
                problems.append(f"{benefit}: '{k}' must not be empty")
        if "price_year" in p and p["price_year"] is not None:
            try:
                y = int(p["price_year"])
                if y != float(p["price_year"]) or not 1990 <= y <= 2100:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(f"{benefit}: 'price_year' must be a year, got {p['price_year']!r}")
        if not problems or not any(s.startswith(f"{benefit}:") for s in problems):
            rows.append({
                "benefit": str(benefit),
                "municipality": float(p["municipality"]),
                "state": float(p["state"]),
                "total": float(p["municipality"]) + float(p["state"]),
                "price_year": int(p["price_year"]),
                "source": str(p["source"]),
                "note": str(p["note"]),
            })
    years = sorted({r["price_year"] for r in rows})
    if len(years) > 1:
        problems.append(f"unit prices have different price years {years}: convert them to one price year first")
    if price_year is not None and years and years != [int(price_year)]:
        problems.append(f"unit prices are in {years[0]} prices, expected {int(price_year)}")
    if problems:
        raise ValueError("unit prices: " + "; ".join(problems))
    return rows


def unit_saving(prices: Mapping[str, Mapping[str, Any]], benefit_mix: Mapping[str, float]) -> dict[str, float]:
    """Public saving of one week of self-support, weighted by the benefit mix.

    The saving of a week is the weighted mean, over the benefits the participants would otherwise
    receive (``benefit_mix``: benefit → share, summing to 1), of the cost of a week on that
    benefit.

    Returns
    -------
    dict
        ``municipality``, ``state``, ``total`` (DKK per week, fixed prices).
    """
    table = {r["benefit"]: r for r in _price_rows(prices)}
    mix = {str(k): float(v) for k, v in benefit_mix.items()}
    unknown = sorted(set(mix) - set(table))
    if unknown:
        raise ValueError(f"benefit_mix names benefits without a unit price: {unknown}")
    if any(v < 0 for v in mix.values()) or not math.isclose(sum(mix.values()), 1.0, abs_tol=1e-6):
        raise ValueError(f"benefit_mix shares must be ≥ 0 and sum to 1 (they sum to {sum(mix.values()):g})")
    m = sum(share * table[b]["municipality"] for b, share in mix.items())
    s = sum(share * table[b]["state"] for b, share in mix.items())
    return {"municipality": float(m), "state": float(s), "total": float(m + s)}


def effect_weeks_from_att(att: Any) -> float:
    """Weeks of self-support per participant per year from an ATT in share of weeks (ATT × 52).

    ``att`` is a number or anything with an ``att`` attribute (:class:`~so_eval.effects.att.AttResult`).
    """
    value = float(getattr(att, "att", att))
    return value * WEEKS_PER_YEAR


def discount_factors(horizon: int, rate: float = DISCOUNT_RATE) -> np.ndarray:
    """Discount factors for years 1…horizon: ``(1 + rate) ** -(t - 1)`` (year 1 undiscounted)."""
    t = np.arange(1, int(horizon) + 1)
    return (1.0 + float(rate)) ** -(t - 1.0)


def _check_share(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a share between 0 and 1, got {value:g}")
    return value


def _check_horizon(horizon: int) -> int:
    if int(horizon) != horizon or not 1 <= int(horizon) <= MAX_HORIZON:
        raise ValueError(f"horizon must be a whole number of years from 1 to {MAX_HORIZON}, got {horizon!r}")
    return int(horizon)


def _schedule(amount: float | Sequence[float], horizon: int, name: str) -> np.ndarray:
    """A year-by-year amount: a scalar falls in year 1, a sequence runs from year 1."""
    if np.ndim(amount) == 0:
        out = np.zeros(horizon)
        out[0] = float(amount)
        return out
    values = np.asarray(amount, dtype=float)
    if len(values) > horizon:
        raise ValueError(f"{name} is given for {len(values)} years, longer than the horizon ({horizon})")
    return np.concatenate([values, np.zeros(horizon - len(values))])


def _payback(cumulative: np.ndarray) -> int | None:
    ok = np.flatnonzero(cumulative >= -1e-9)
    # payback: the first year from which the cumulative present value stays ≥ 0
    for i in ok:
        if (cumulative[i:] >= -1e-9).all():
            return int(i + 1)
    return None


# -- business case ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessCaseInputs:
    """Inputs of :func:`business_case` (see the module docstring for the params block).

    Attributes
    ----------
    effect_weeks : float
        Weeks of self-support gained per participant in year 1 (ATT × 52; at most 52 either way).
    participants : float
        Participants in the cohort.
    cost : float or sequence of float
        The part of the agreements' cost that does not depend on the number of participants
        (DKK, fixed prices; 0 when all of it does); a scalar falls in year 1, a sequence runs year
        by year from year 1. Borne by the municipality.
    prices : mapping
        Unit prices per benefit, checked by :func:`validate_prices`.
    benefit_mix : mapping
        Benefit → share of the participants who would otherwise receive it (sums to 1).
    horizon : int, default 5
        Years, 1 to 10.
    drop_off : float, default 0
        Share of the effect lost each year after year 1.
    discount_rate : float, default 0.035
        Finansministeriet's rate.
    price_factor, cost_factor : float, default 1
        Multipliers on the unit prices and on the cost (for sensitivity analysis).
    cost_per_participant : float or sequence of float, default 0
        The part of the cost that follows the participants (DKK per participant, fixed prices; a
        scalar falls in year 1, a sequence runs year by year). The cost in year t is
        ``cost[t] + cost_per_participant[t] × participants``, so a sensitivity analysis that
        changes the participants changes this part of the cost with them.
    """

    effect_weeks: float
    participants: float
    cost: float | tuple[float, ...]
    prices: Mapping[str, Mapping[str, Any]]
    benefit_mix: Mapping[str, float]
    horizon: int = 5
    drop_off: float = 0.0
    discount_rate: float = DISCOUNT_RATE
    price_factor: float = 1.0
    cost_factor: float = 1.0
    cost_per_participant: float | tuple[float, ...] = 0.0

    def with_(self, **changes: Any) -> BusinessCaseInputs:
        """A copy with some inputs changed."""
        return replace(self, **changes)


@dataclass(frozen=True, eq=False)
class BusinessCase:
    """Result of :func:`business_case`.

    Attributes
    ----------
    table : DataFrame
        One row per year t: t, effect_weeks (all participants), gross_municipality, gross_state,
        gross (savings), cost, net_municipality, net (total public), discount_factor,
        pv_municipality, pv (present value of net), cumulative_pv.
    npv, npv_municipality : float
        Net present value for the public sector as a whole and for the municipality.
    pv_savings, pv_cost : float
        Present values of the gross savings and of the cost.
    payback_year : int or None
        First year t from which the cumulative present value stays ≥ 0 (None: not within the
        horizon).
    price_year : int
        The fixed prices' year.
    unit_saving : dict
        Saving of one week of self-support (municipality, state, total).
    inputs : BusinessCaseInputs
    """

    table: pd.DataFrame
    npv: float
    npv_municipality: float
    pv_savings: float
    pv_cost: float
    payback_year: int | None
    price_year: int
    unit_saving: dict
    inputs: BusinessCaseInputs
    notes: tuple[str, ...] = field(default_factory=tuple)

    def totals(self) -> dict:
        """The headline figures as a plain dict."""
        return {"npv": self.npv, "npv_municipality": self.npv_municipality, "pv_savings": self.pv_savings,
                "pv_cost": self.pv_cost, "payback_year": self.payback_year, "price_year": self.price_year}


def _flows(inputs: BusinessCaseInputs) -> dict:
    """The business case year by year as arrays (checks the inputs)."""
    horizon = _check_horizon(inputs.horizon)
    drop = _check_share("drop_off", inputs.drop_off)
    if not -0.5 < float(inputs.discount_rate) < 1.0:
        raise ValueError(f"discount_rate looks wrong: {inputs.discount_rate!r} (3.5 % is 0.035)")
    if abs(float(inputs.effect_weeks)) > WEEKS_PER_YEAR:
        raise ValueError(f"effect_weeks must be between -52 and 52 weeks a year, got {inputs.effect_weeks!r}")
    if float(inputs.participants) < 0 or float(inputs.price_factor) < 0 or float(inputs.cost_factor) < 0:
        raise ValueError("participants, price_factor and cost_factor must be ≥ 0")
    if np.any(np.asarray(inputs.cost_per_participant, dtype=float) < 0):
        raise ValueError("cost_per_participant must be ≥ 0")
    price_year = int(_price_rows(inputs.prices)[0]["price_year"])
    saving = unit_saving(inputs.prices, inputs.benefit_mix)
    t = np.arange(1, horizon + 1)
    weeks = float(inputs.effect_weeks) * float(inputs.participants) * (1.0 - drop) ** (t - 1)
    gross_m = weeks * saving["municipality"] * float(inputs.price_factor)
    gross_s = weeks * saving["state"] * float(inputs.price_factor)
    per_participant = _schedule(inputs.cost_per_participant, horizon, "cost_per_participant")
    cost = (_schedule(inputs.cost, horizon, "cost") + per_participant * float(inputs.participants)) \
        * float(inputs.cost_factor)
    df = discount_factors(horizon, inputs.discount_rate)
    net_m = gross_m - cost
    net = gross_m + gross_s - cost
    return {"t": t, "effect_weeks": weeks, "gross_municipality": gross_m, "gross_state": gross_s,
            "gross": gross_m + gross_s, "cost": cost, "net_municipality": net_m, "net": net,
            "discount_factor": df, "pv_municipality": net_m * df, "pv": net * df,
            "price_year": price_year, "saving": saving}


def _npv(inputs: BusinessCaseInputs) -> float:
    return float(_flows(inputs)["pv"].sum())


def business_case(inputs: BusinessCaseInputs) -> BusinessCase:
    """Public-budget business case of the agreements, SØM-style.

    Rule: in year t the participants gain ``effect_weeks × (1 - drop_off) ** (t - 1)`` weeks of
    self-support each; every such week saves the public sector the cost of a week on the benefit
    they would otherwise receive (the benefit mix's weighted unit price), split into municipality
    and state. The net result is the gross saving minus the cost of the agreements (borne by the
    municipality): a fixed part plus a part per participant (``cost + cost_per_participant ×
    participants``); year t is discounted by ``(1 + r) ** -(t - 1)``. NPV is the sum of the
    discounted net results; the payback year is the first year from which the cumulative
    discounted result stays at or above 0. Fixed prices of the unit prices' price year.

    Beregningsregel: I år t vinder deltagerne ``effekt × (1 − drop-off)^(t−1)`` uger i
    selvforsørgelse hver; hver uge sparer det offentlige prisen for en uge på den ydelse, de
    ellers ville have fået (fordelt på kommune og stat). Nettoresultatet er besparelsen minus
    udgiften til aftalerne (en fast del plus en del pr. deltager, der følger antallet af
    deltagere); år t diskonteres med 3,5 % om året (år 1 diskonteres ikke). Faste
    priser.

    Returns
    -------
    BusinessCase
    """
    f = _flows(inputs)
    price_year, saving, df = f.pop("price_year"), f.pop("saving"), f["discount_factor"]
    table = pd.DataFrame(f)
    table["cumulative_pv"] = table["pv"].cumsum()
    notes = (
        (f"Faste {price_year}-priser; diskonteringsrente {fmt.percent(inputs.discount_rate, 1)} om året; "
         "år 1 diskonteres ikke."),
    )
    return BusinessCase(
        table=table,
        npv=float(table["pv"].sum()),
        npv_municipality=float(table["pv_municipality"].sum()),
        pv_savings=float((table["gross"] * df).sum()),
        pv_cost=float((table["cost"] * df).sum()),
        payback_year=_payback(table["cumulative_pv"].to_numpy()),
        price_year=price_year,
        unit_saving=saving,
        inputs=inputs,
        notes=notes,
    )


# -- SROI ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SroiResult:
    """Result of :func:`sroi`.

    Attributes
    ----------
    ratio : float
        Present value of the outcomes ÷ present value of the investment.
    pv_outcomes, pv_investment, npv : float
    table : DataFrame
        t, gross, net (after deadweight, attribution, displacement and drop-off),
        discount_factor, pv, investment, pv_investment.
    deadweight, attribution, displacement, drop_off : float
        The values used.
    notes : tuple of str
        E.g. why the deadweight is 0.
    """

    ratio: float
    pv_outcomes: float
    pv_investment: float
    npv: float
    table: pd.DataFrame
    deadweight: float
    attribution: float
    displacement: float
    drop_off: float
    notes: tuple[str, ...] = ()


DEADWEIGHT_NOTE = ("Dødvægt sat til 0: effekten er målt mod en sammenligningsgruppe, så det, der ville være "
                   "sket alligevel, er allerede trukket fra.")


def sroi(
    outcome_value: float | Mapping[str, float],
    investment: float | Sequence[float],
    *,
    horizon: int = 5,
    drop_off: float = 0.0,
    discount_rate: float = DISCOUNT_RATE,
    deadweight: float | str = 0.0,
    attribution: float = 0.0,
    displacement: float = 0.0,
    from_effect_estimate: bool = False,
) -> SroiResult:
    """Social return on investment: present value of the outcomes ÷ the investment.

    Rule: the outcomes' gross value in year 1 (DKK, fixed prices; several outcomes are added up)
    is reduced for *deadweight* (what would have happened anyway), *attribution* (the share owed
    to others) and *displacement* (outcomes moved from elsewhere):
    ``net = gross × (1 - deadweight) × (1 - attribution) × (1 - displacement)``, and falls by
    ``drop_off`` a year after year 1. Each year is discounted by ``(1 + r) ** -(t - 1)``. The ratio
    is the present value of the net outcomes ÷ the present value of the investment (a scalar
    investment falls in year 1).

    Deadweight and the comparison group: when the outcome comes from an effect estimate against
    a comparison group (the ATT), deadweight is already netted out. Then pass
    ``from_effect_estimate=True`` and ``deadweight="from_comparison_group"`` (or 0): the
    deadweight used is 0, with a note saying why. A non-zero deadweight together with an effect
    estimate would count it twice and is refused; ``"from_comparison_group"`` without an effect
    estimate is refused too.

    Beregningsregel: Årets bruttoværdi af udfaldene reduceres for dødvægt, tilskrivning og
    fortrængning og aftager med drop-off hvert år efter år 1; nutidsværdien (3,5 % om året)
    divideres med investeringen. Er effekten målt mod en sammenligningsgruppe, er dødvægten
    allerede trukket fra og sættes til 0.

    Returns
    -------
    SroiResult
    """
    horizon = _check_horizon(horizon)
    notes: list[str] = []
    if isinstance(deadweight, str):
        if deadweight != "from_comparison_group":
            raise ValueError("deadweight must be a share or 'from_comparison_group'")
        if not from_effect_estimate:
            raise ValueError("deadweight='from_comparison_group' needs an effect estimate against a comparison "
                             "group (from_effect_estimate=True); otherwise give the deadweight as a share")
        dw = 0.0
        notes.append(DEADWEIGHT_NOTE)
    else:
        dw = _check_share("deadweight", deadweight)
        if from_effect_estimate:
            if dw != 0.0:
                raise ValueError("the effect estimate is measured against a comparison group, so deadweight is "
                                 "already netted out: use deadweight='from_comparison_group' (0), not "
                                 f"{dw:g} (it would be counted twice)")
            notes.append(DEADWEIGHT_NOTE)
    attr = _check_share("attribution", attribution)
    disp = _check_share("displacement", displacement)
    drop = _check_share("drop_off", drop_off)
    gross1 = float(sum(outcome_value.values())) if isinstance(outcome_value, Mapping) else float(outcome_value)
    t = np.arange(1, horizon + 1)
    df = discount_factors(horizon, discount_rate)
    gross = np.full(horizon, gross1)
    net = gross * (1 - dw) * (1 - attr) * (1 - disp) * (1 - drop) ** (t - 1)
    inv = _schedule(investment, horizon, "investment")
    pv_inv = float((inv * df).sum())
    if pv_inv <= 0:
        raise ValueError("the investment must be positive")
    table = pd.DataFrame({"t": t, "gross": gross, "net": net, "discount_factor": df, "pv": net * df,
                          "investment": inv, "pv_investment": inv * df})
    pv_out = float(table["pv"].sum())
    return SroiResult(
        ratio=pv_out / pv_inv,
        pv_outcomes=pv_out,
        pv_investment=pv_inv,
        npv=pv_out - pv_inv,
        table=table,
        deadweight=dw,
        attribution=attr,
        displacement=disp,
        drop_off=drop,
        notes=tuple(notes),
    )


# -- sensitivity -----------------------------------------------------------------------------


def one_way_sensitivity(
    evaluate: Callable[[Mapping[str, Any]], float],
    base: Mapping[str, Any],
    ranges: Mapping[str, tuple[float, float]],
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One-way sensitivity: the result with each assumption set to its low and its high value.

    Parameters
    ----------
    evaluate : callable
        Maps a dict of assumptions to the result (e.g. NPV).
    base : mapping
        Base values of the assumptions.
    ranges : mapping
        Assumption → (low, high) value; the others stay at base.
    labels : mapping, optional
        Display labels (default: :data:`ASSUMPTION_LABELS`).

    Returns
    -------
    DataFrame
        Tidy, one row per assumption, largest swing first (the order of a tornado plot):
        assumption, label, base_value, low_value, high_value, result_base, result_low,
        result_high, swing (= |result_high − result_low|).
    """
    labels = {**ASSUMPTION_LABELS, **(labels or {})}
    result_base = float(evaluate(dict(base)))
    rows = []
    for name, (lo, hi) in ranges.items():
        if name not in base:
            raise ValueError(f"no base value for assumption {name!r}")
        r_lo = float(evaluate({**base, name: lo}))
        r_hi = float(evaluate({**base, name: hi}))
        rows.append({"assumption": name, "label": labels.get(name, name), "base_value": base[name],
                     "low_value": lo, "high_value": hi, "result_base": result_base, "result_low": r_lo,
                     "result_high": r_hi, "swing": abs(r_hi - r_lo)})
    out = pd.DataFrame(rows, columns=["assumption", "label", "base_value", "low_value", "high_value",
                                      "result_base", "result_low", "result_high", "swing"])
    return out.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def break_even(
    evaluate: Callable[[Mapping[str, Any]], float],
    base: Mapping[str, Any],
    name: str,
    bracket: tuple[float, float],
    target: float = 0.0,
    *,
    integer: bool = False,
    grid: int = 60,
) -> float | None:
    """The value of one assumption at which the result equals ``target`` (NPV = 0 by default).

    The other assumptions stay at ``base``. The result is scanned over ``bracket`` (a plausible
    range) for a change of sign of ``result - target``; the root nearest the base value is then
    found by Brent's method. With ``integer`` (e.g. the horizon) the smallest whole value in the
    bracket whose result reaches ``target`` is returned instead.

    Returns
    -------
    float or None
        None when the result does not cross ``target`` within the bracket.
    """
    lo, hi = float(bracket[0]), float(bracket[1])
    if not lo < hi:
        raise ValueError("bracket must be (low, high) with low < high")

    def f(v: float) -> float:
        return float(evaluate({**base, name: v})) - target

    if integer:
        for v in range(math.ceil(lo), math.floor(hi) + 1):
            if f(v) >= 0:
                return float(v)
        return None
    xs = np.linspace(lo, hi, grid + 1)
    ys = np.array([f(x) for x in xs])
    roots = []
    for i in range(grid):
        if ys[i] == 0:
            roots.append(float(xs[i]))
        elif np.sign(ys[i]) != np.sign(ys[i + 1]) and np.isfinite(ys[i]) and np.isfinite(ys[i + 1]):
            if ys[i + 1] == 0:
                continue  # found as an exact zero at the next step
            roots.append(float(brentq(f, xs[i], xs[i + 1], xtol=1e-12, rtol=1e-12, maxiter=200)))
    if ys[-1] == 0:
        roots.append(float(xs[-1]))
    if not roots:
        return None
    b = float(base[name])
    return min(roots, key=lambda r: abs(r - b))


_INPUT_ASSUMPTIONS = ("effect_weeks", "participants", "cost_factor", "price_factor", "drop_off",
                      "discount_rate", "horizon")


def _default_ranges(inputs: BusinessCaseInputs) -> dict[str, tuple[float, float]]:
    ew, n, d, h = float(inputs.effect_weeks), float(inputs.participants), float(inputs.drop_off), int(inputs.horizon)
    return {
        "effect_weeks": (0.5 * ew, 1.5 * ew),
        "participants": (0.8 * n, 1.2 * n),
        "cost_factor": (0.8, 1.2),
        "price_factor": (0.8, 1.2),
        "drop_off": (max(0.0, d - 0.15), min(1.0, d + 0.15)),
        "discount_rate": (0.02, 0.05),
        "horizon": (max(1, h - 2), min(MAX_HORIZON, h + 2)),
    }


def _default_brackets(inputs: BusinessCaseInputs) -> dict[str, tuple[float, float]]:
    return {
        "effect_weeks": (0.0, float(WEEKS_PER_YEAR)),
        "participants": (0.0, max(10.0 * float(inputs.participants), 1.0)),
        "cost_factor": (0.0, 10.0),
        "price_factor": (0.0, 10.0),
        "drop_off": (0.0, 1.0),
        "discount_rate": (0.0, 0.5),
        "horizon": (1, MAX_HORIZON),
    }


def business_case_sensitivity(
    inputs: BusinessCaseInputs,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    brackets: Mapping[str, tuple[float, float]] | None = None,
    effect_ci: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """One-way sensitivity of the business case's NPV, with the break-even value of each assumption.

    Parameters
    ----------
    inputs : BusinessCaseInputs
        The base case.
    ranges : mapping, optional
        Assumption → (low, high). Default: effect ×0.5/×1.5, participants ±20 %, cost and unit
        prices ±20 % (``cost_factor``, ``price_factor``), drop-off ±0.15, discount rate 2–5 %,
        horizon ±2 years. Assumptions: effect_weeks, participants, cost_factor, price_factor,
        drop_off, discount_rate, horizon.
    brackets : mapping, optional
        The possible (or plausible) range searched for each break-even value. Default: effect
        0–52 weeks, participants 0–10× base (give the citizens who could take part, e.g.
        ``{"participants": (0, citizens_in_courses)}``), factors 0–10, drop-off 0–1, discount
        rate 0–50 %, horizon 1–10 years (the shortest horizon with NPV ≥ 0).
    effect_ci : (float, float), optional
        The effect's confidence interval in weeks (ATT × 52); used as the effect's low/high.

    Varying the participants varies the cost per participant with them
    (:attr:`BusinessCaseInputs.cost_per_participant`); only the fixed cost stays. With no fixed
    cost the NPV is proportional to the participants, so its sign does not depend on them and
    there is no break-even number of participants (0 participants, giving NPV 0 because nothing
    is spent and nothing saved, is not counted as one).

    Returns
    -------
    DataFrame
        As :func:`one_way_sensitivity` (result = NPV) plus ``break_even``: the assumption's value
        at which NPV = 0 (NaN when there is none in the searched range), and ``bracket_low``,
        ``bracket_high``: that range.
    """
    rng_ = {**_default_ranges(inputs), **(ranges or {})}
    if effect_ci is not None:
        rng_["effect_weeks"] = (float(effect_ci[0]), float(effect_ci[1]))
    unknown = sorted(set(rng_) - set(_INPUT_ASSUMPTIONS))
    if unknown:
        raise ValueError(f"unknown assumption(s) {unknown}; choose from {list(_INPUT_ASSUMPTIONS)}")
    br = {**_default_brackets(inputs), **(brackets or {})}
    base = {k: getattr(inputs, k) for k in _INPUT_ASSUMPTIONS}

    def npv(a: Mapping[str, Any]) -> float:
        changes = dict(a)
        changes["horizon"] = round(changes["horizon"])
        return _npv(inputs.with_(**changes))

    def root(name: str) -> float | None:
        found = break_even(npv, base, name, br[name], integer=(name == "horizon"))
        return None if name == "participants" and found == 0 else found

    table = one_way_sensitivity(npv, base, rng_)
    table["break_even"] = [root(name) for name in table["assumption"]]
    table["break_even"] = table["break_even"].astype(float)
    table["bracket_low"] = [float(br[name][0]) for name in table["assumption"]]
    table["bracket_high"] = [float(br[name][1]) for name in table["assumption"]]
    return table


def business_case_at_ci(inputs: BusinessCaseInputs, att: Any) -> pd.DataFrame:
    """The business case at the point estimate and at the ends of the effect's confidence interval.

    Parameters
    ----------
    inputs : BusinessCaseInputs
        The base case (its ``effect_weeks`` is replaced).
    att : AttResult or (att, ci_low, ci_high)
        The effect estimate in share of weeks (anything with ``att``, ``ci_low``, ``ci_high``).

    Returns
    -------
    DataFrame
        point (estimate, ci_low, ci_high), att, effect_weeks, npv, npv_municipality,
        payback_year (NaN: none within the horizon).
    """
    if isinstance(att, (tuple, list)):
        values = {"estimate": att[0], "ci_low": att[1], "ci_high": att[2]}
    else:
        values = {"estimate": att.att, "ci_low": att.ci_low, "ci_high": att.ci_high}
    rows = []
    for point, a in values.items():
        bc = business_case(inputs.with_(effect_weeks=effect_weeks_from_att(float(a))))
        rows.append({"point": point, "att": float(a), "effect_weeks": effect_weeks_from_att(float(a)),
                     "npv": bc.npv, "npv_municipality": bc.npv_municipality,
                     "payback_year": float(bc.payback_year) if bc.payback_year is not None else np.nan})
    return pd.DataFrame(rows)


def sroi_sensitivity(
    outcome_value: float | Mapping[str, float],
    investment: float | Sequence[float],
    ranges: Mapping[str, tuple[float, float]],
    brackets: Mapping[str, tuple[float, float]] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """One-way sensitivity of the SROI ratio, with the break-even value (ratio = 1) of each assumption.

    ``ranges`` may vary horizon, drop_off, discount_rate, deadweight, attribution, displacement,
    ``outcome_factor`` and ``investment_factor`` (multipliers on the outcome value and the
    investment); ``kwargs`` are the base keyword arguments of :func:`sroi`. Varying the deadweight
    is refused when it comes from the comparison group (it is 0 by construction).

    Returns
    -------
    DataFrame
        As :func:`one_way_sensitivity` (result = ratio) plus ``break_even`` (ratio = 1; NaN when
        none in the bracket, default 0–1 for shares, 0–10 for factors, 0–0.5 for the rate) and
        ``bracket_low``, ``bracket_high``: the range searched.
    """
    base = {"horizon": 5, "drop_off": 0.0, "discount_rate": DISCOUNT_RATE, "deadweight": 0.0,
            "attribution": 0.0, "displacement": 0.0, **kwargs, "outcome_factor": 1.0, "investment_factor": 1.0}
    if "deadweight" in ranges and (base.get("from_effect_estimate") or isinstance(base["deadweight"], str)):
        raise ValueError("the deadweight comes from the comparison group (0 by construction): do not vary it")
    fixed = {k: base[k] for k in ("from_effect_estimate",) if k in base}

    def ratio(a: Mapping[str, Any]) -> float:
        a = dict(a)
        of, inf_ = a.pop("outcome_factor"), a.pop("investment_factor")
        a.pop("from_effect_estimate", None)
        a["horizon"] = round(a["horizon"])
        out = ({k: v * of for k, v in outcome_value.items()} if isinstance(outcome_value, Mapping)
               else float(outcome_value) * of)
        inv = np.asarray(investment, dtype=float) * inf_
        inv = float(inv) if inv.ndim == 0 else list(inv)
        return sroi(out, inv, **a, **fixed).ratio

    varying = {k: v for k, v in base.items() if k not in fixed}
    table = one_way_sensitivity(ratio, varying, ranges)
    default_br = {"horizon": (1, MAX_HORIZON), "discount_rate": (0.0, 0.5), "outcome_factor": (0.0, 10.0),
                  "investment_factor": (0.0, 10.0)}
    br = {**default_br, **(brackets or {})}
    table["break_even"] = [
        break_even(ratio, varying, name, br.get(name, (0.0, 1.0)), target=1.0, integer=(name == "horizon"))
        for name in table["assumption"]
    ]
    table["break_even"] = table["break_even"].astype(float)
    table["bracket_low"] = [float(br.get(name, (0.0, 1.0))[0]) for name in table["assumption"]]
    table["bracket_high"] = [float(br.get(name, (0.0, 1.0))[1]) for name in table["assumption"]]
    return table
