"""Unit prices: the public cost of a week on each benefit, checked (source, price year, note), and the
saving of one week of self-support weighted by the benefit mix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

PRICE_FIELDS = ("municipality", "state", "source", "price_year", "note")
"""Fields every unit price must have."""

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
    return pd.DataFrame(price_rows(prices, price_year), columns=_PRICE_COLUMNS)


def price_rows(prices: Mapping[str, Mapping[str, Any]], price_year: int | None = None) -> list[dict]:
    """The checks of :func:`validate_prices`; the prices as plain rows."""
    problems: list[str] = []
    rows = []
    if not isinstance(prices, Mapping) or not prices:
        raise ValueError(
            "unit prices: expected a non-empty mapping benefit → {municipality, state, source, price_year, note}"
        )
    for benefit, p in prices.items():
        if not isinstance(p, Mapping):
            problems.append(f"{benefit}: expected a mapping with {', '.join(PRICE_FIELDS)}")
            continue
        problems += _price_problems(benefit, p)
        if not problems or not any(s.startswith(f"{benefit}:") for s in problems):
            rows.append(
                {
                    "benefit": str(benefit),
                    "municipality": float(p["municipality"]),
                    "state": float(p["state"]),
                    "total": float(p["municipality"]) + float(p["state"]),
                    "price_year": int(p["price_year"]),
                    "source": str(p["source"]),
                    "note": str(p["note"]),
                }
            )
    years = sorted({r["price_year"] for r in rows})
    if len(years) > 1:
        problems.append(f"unit prices have different price years {years}: convert them to one price year first")
    if price_year is not None and years and years != [int(price_year)]:
        problems.append(f"unit prices are in {years[0]} prices, expected {int(price_year)}")
    if problems:
        raise ValueError("unit prices: " + "; ".join(problems))
    return rows


def _price_problems(benefit: object, p: Mapping[str, Any]) -> list[str]:
    """What is wrong with one benefit's unit price (nothing: an empty list)."""
    problems = [f"{benefit}: '{k}' is missing" for k in PRICE_FIELDS if k not in p or p[k] is None]
    for k in ("municipality", "state"):
        if k in p and p[k] is not None:
            problem = _amount_problem(p[k])
            if problem:
                problems.append(f"{benefit}: '{k}' {problem}")
    for k in ("source", "note"):
        if k in p and p[k] is not None and not str(p[k]).strip():
            problems.append(f"{benefit}: '{k}' must not be empty")
    if "price_year" in p and p["price_year"] is not None and not _is_year(p["price_year"]):
        problems.append(f"{benefit}: 'price_year' must be a year, got {p['price_year']!r}")
    return problems


def _amount_problem(value: Any) -> str | None:
    """Why ``value`` is not an amount in DKK per week (None: it is one)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return f"must be a number (DKK per week), got {value!r}"
    if not math.isfinite(v) or v < 0:
        return f"must be a number ≥ 0, got {value!r}"
    return None


def _is_year(value: Any) -> bool:
    """True if ``value`` is a whole year from 1990 to 2100."""
    try:
        y = int(value)
        return y == float(value) and 1990 <= y <= 2100
    except (TypeError, ValueError):
        return False


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
    table = {r["benefit"]: r for r in price_rows(prices)}
    mix = {str(k): float(v) for k, v in benefit_mix.items()}
    unknown = sorted(set(mix) - set(table))
    if unknown:
        raise ValueError(f"benefit_mix names benefits without a unit price: {unknown}")
    if any(v < 0 for v in mix.values()) or not math.isclose(sum(mix.values()), 1.0, abs_tol=1e-6):
        raise ValueError(f"benefit_mix shares must be ≥ 0 and sum to 1 (they sum to {sum(mix.values()):g})")
    m = sum(share * table[b]["municipality"] for b, share in mix.items())
    s = sum(share * table[b]["state"] for b, share in mix.items())
    return {"municipality": float(m), "state": float(s), "total": float(m + s)}
