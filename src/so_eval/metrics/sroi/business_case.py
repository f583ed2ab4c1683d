"""The public-budget business case (SØM-style): weeks of self-support gained, times the saving of a
week, minus the cost of the agreements, discounted year by year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from so_eval import fmt
from so_eval.metrics.sroi.conventions import (
    DISCOUNT_RATE,
    WEEKS_PER_YEAR,
    check_horizon,
    check_share,
    discount_factors,
    yearly_schedule,
)
from so_eval.metrics.sroi.prices import price_rows, unit_saving


def effect_weeks_from_att(att: Any) -> float:
    """Weeks of self-support per participant per year from an ATT in share of weeks (ATT × 52).

    ``att`` is a number or anything with an ``att`` attribute (:class:`~so_eval.effects.att.AttResult`).
    """
    value = float(getattr(att, "att", att))
    return value * WEEKS_PER_YEAR


def _payback(cumulative: np.ndarray) -> int | None:
    ok = np.flatnonzero(cumulative >= -1e-9)
    # payback: the first year from which the cumulative present value stays ≥ 0
    for i in ok:
        if (cumulative[i:] >= -1e-9).all():
            return int(i + 1)
    return None


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
        return {
            "npv": self.npv,
            "npv_municipality": self.npv_municipality,
            "pv_savings": self.pv_savings,
            "pv_cost": self.pv_cost,
            "payback_year": self.payback_year,
            "price_year": self.price_year,
        }


def _flows(inputs: BusinessCaseInputs) -> dict:
    """The business case year by year as arrays (checks the inputs)."""
    horizon = check_horizon(inputs.horizon)
    drop = check_share("drop_off", inputs.drop_off)
    if not -0.5 < float(inputs.discount_rate) < 1.0:
        raise ValueError(f"discount_rate looks wrong: {inputs.discount_rate!r} (3.5 % is 0.035)")
    if abs(float(inputs.effect_weeks)) > WEEKS_PER_YEAR:
        raise ValueError(f"effect_weeks must be between -52 and 52 weeks a year, got {inputs.effect_weeks!r}")
    if float(inputs.participants) < 0 or float(inputs.price_factor) < 0 or float(inputs.cost_factor) < 0:
        raise ValueError("participants, price_factor and cost_factor must be ≥ 0")
    if np.any(np.asarray(inputs.cost_per_participant, dtype=float) < 0):
        raise ValueError("cost_per_participant must be ≥ 0")
    price_year = int(price_rows(inputs.prices)[0]["price_year"])
    saving = unit_saving(inputs.prices, inputs.benefit_mix)
    t = np.arange(1, horizon + 1)
    weeks = float(inputs.effect_weeks) * float(inputs.participants) * (1.0 - drop) ** (t - 1)
    gross_m = weeks * saving["municipality"] * float(inputs.price_factor)
    gross_s = weeks * saving["state"] * float(inputs.price_factor)
    per_participant = yearly_schedule(inputs.cost_per_participant, horizon, "cost_per_participant")
    cost = (yearly_schedule(inputs.cost, horizon, "cost") + per_participant * float(inputs.participants)) * float(
        inputs.cost_factor
    )
    df = discount_factors(horizon, inputs.discount_rate)
    net_m = gross_m - cost
    net = gross_m + gross_s - cost
    return {
        "t": t,
        "effect_weeks": weeks,
        "gross_municipality": gross_m,
        "gross_state": gross_s,
        "gross": gross_m + gross_s,
        "cost": cost,
        "net_municipality": net_m,
        "net": net,
        "discount_factor": df,
        "pv_municipality": net_m * df,
        "pv": net * df,
        "price_year": price_year,
        "saving": saving,
    }


def business_case_npv(inputs: BusinessCaseInputs) -> float:
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
        (
            f"Faste {price_year}-priser; diskonteringsrente {fmt.percent(inputs.discount_rate, 1)} om året; "
            "år 1 diskonteres ikke."
        ),
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
