"""The SROI ratio: present value of the outcomes ÷ the investment, with deadweight, attribution,
displacement and drop-off as explicit parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from so_eval.metrics.sroi.conventions import (
    DISCOUNT_RATE,
    check_horizon,
    check_share,
    discount_factors,
    yearly_schedule,
)


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


DEADWEIGHT_NOTE = (
    "Dødvægt sat til 0: effekten er målt mod en sammenligningsgruppe, så det, der ville være "
    "sket alligevel, er allerede trukket fra."
)


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
    horizon = check_horizon(horizon)
    dw, notes = _deadweight(deadweight, from_effect_estimate)
    attr = check_share("attribution", attribution)
    disp = check_share("displacement", displacement)
    drop = check_share("drop_off", drop_off)
    gross1 = float(sum(outcome_value.values())) if isinstance(outcome_value, Mapping) else float(outcome_value)
    t = np.arange(1, horizon + 1)
    df = discount_factors(horizon, discount_rate)
    gross = np.full(horizon, gross1)
    net = gross * (1 - dw) * (1 - attr) * (1 - disp) * (1 - drop) ** (t - 1)
    inv = yearly_schedule(investment, horizon, "investment")
    pv_inv = float((inv * df).sum())
    if pv_inv <= 0:
        raise ValueError("the investment must be positive")
    table = pd.DataFrame(
        {
            "t": t,
            "gross": gross,
            "net": net,
            "discount_factor": df,
            "pv": net * df,
            "investment": inv,
            "pv_investment": inv * df,
        }
    )
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


def _deadweight(deadweight: float | str, from_effect_estimate: bool) -> tuple[float, list[str]]:
    """The deadweight :func:`sroi` uses, with a note when it is 0 because a comparison group netted it out."""
    if isinstance(deadweight, str):
        if deadweight != "from_comparison_group":
            raise ValueError("deadweight must be a share or 'from_comparison_group'")
        if not from_effect_estimate:
            raise ValueError(
                "deadweight='from_comparison_group' needs an effect estimate against a comparison "
                "group (from_effect_estimate=True); otherwise give the deadweight as a share"
            )
        return 0.0, [DEADWEIGHT_NOTE]
    dw = check_share("deadweight", deadweight)
    if not from_effect_estimate:
        return dw, []
    if dw != 0.0:
        raise ValueError(
            "the effect estimate is measured against a comparison group, so deadweight is "
            "already netted out: use deadweight='from_comparison_group' (0), not "
            f"{dw:g} (it would be counted twice)"
        )
    return dw, [DEADWEIGHT_NOTE]
