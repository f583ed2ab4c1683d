"""The conventions every SROI calculation shares: the discount rate, the horizon's limit, weeks a year,
the assumptions' Danish labels; discount factors, amounts year by year and the checks of shares and horizons.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DISCOUNT_RATE = 0.035
"""Finansministeriet's social discount rate for the first 35 years (real, a year)."""
MAX_HORIZON = 10
WEEKS_PER_YEAR = 52

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


def discount_factors(horizon: int, rate: float = DISCOUNT_RATE) -> np.ndarray:
    """Discount factors for years 1…horizon: ``(1 + rate) ** -(t - 1)`` (year 1 undiscounted)."""
    t = np.arange(1, int(horizon) + 1)
    return (1.0 + float(rate)) ** -(t - 1.0)


def check_share(name: str, value: float) -> float:
    """``value`` as a float; a ValueError unless it is a share from 0 to 1."""
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a share between 0 and 1, got {value:g}")
    return value


def check_horizon(horizon: int) -> int:
    """``horizon`` as an int; a ValueError unless it is a whole number of years from 1 to 10."""
    if int(horizon) != horizon or not 1 <= int(horizon) <= MAX_HORIZON:
        raise ValueError(f"horizon must be a whole number of years from 1 to {MAX_HORIZON}, got {horizon!r}")
    return int(horizon)


def yearly_schedule(amount: float | Sequence[float], horizon: int, name: str) -> np.ndarray:
    """A year-by-year amount: a scalar falls in year 1, a sequence runs from year 1."""
    if np.ndim(amount) == 0:
        out = np.zeros(horizon)
        out[0] = float(amount)
        return out
    values = np.asarray(amount, dtype=float)
    if len(values) > horizon:
        raise ValueError(f"{name} is given for {len(values)} years, longer than the horizon ({horizon})")
    return np.concatenate([values, np.zeros(horizon - len(values))])
