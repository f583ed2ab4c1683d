"""Sensitivity: one way on each assumption (a tornado plot's table), the break-even value of each
assumption, and the business case at the ends of the effect's confidence interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from so_eval.metrics.sroi.business_case import (
    BusinessCaseInputs,
    business_case,
    business_case_npv,
    effect_weeks_from_att,
)
from so_eval.metrics.sroi.conventions import ASSUMPTION_LABELS, DISCOUNT_RATE, MAX_HORIZON, WEEKS_PER_YEAR
from so_eval.metrics.sroi.ratio import sroi


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
        rows.append(
            {
                "assumption": name,
                "label": labels.get(name, name),
                "base_value": base[name],
                "low_value": lo,
                "high_value": hi,
                "result_base": result_base,
                "result_low": r_lo,
                "result_high": r_hi,
                "swing": abs(r_hi - r_lo),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "assumption",
            "label",
            "base_value",
            "low_value",
            "high_value",
            "result_base",
            "result_low",
            "result_high",
            "swing",
        ],
    )
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


_INPUT_ASSUMPTIONS = (
    "effect_weeks",
    "participants",
    "cost_factor",
    "price_factor",
    "drop_off",
    "discount_rate",
    "horizon",
)


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
        return business_case_npv(inputs.with_(**changes))

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
        rows.append(
            {
                "point": point,
                "att": float(a),
                "effect_weeks": effect_weeks_from_att(float(a)),
                "npv": bc.npv,
                "npv_municipality": bc.npv_municipality,
                "payback_year": float(bc.payback_year) if bc.payback_year is not None else np.nan,
            }
        )
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
    base = {
        "horizon": 5,
        "drop_off": 0.0,
        "discount_rate": DISCOUNT_RATE,
        "deadweight": 0.0,
        "attribution": 0.0,
        "displacement": 0.0,
        **kwargs,
        "outcome_factor": 1.0,
        "investment_factor": 1.0,
    }
    if "deadweight" in ranges and (base.get("from_effect_estimate") or isinstance(base["deadweight"], str)):
        raise ValueError("the deadweight comes from the comparison group (0 by construction): do not vary it")
    fixed = {k: base[k] for k in ("from_effect_estimate",) if k in base}

    def ratio(a: Mapping[str, Any]) -> float:
        a = dict(a)
        of, inf_ = a.pop("outcome_factor"), a.pop("investment_factor")
        a.pop("from_effect_estimate", None)
        a["horizon"] = round(a["horizon"])
        out = (
            {k: v * of for k, v in outcome_value.items()}
            if isinstance(outcome_value, Mapping)
            else float(outcome_value) * of
        )
        inv = np.asarray(investment, dtype=float) * inf_
        inv = float(inv) if inv.ndim == 0 else list(inv)
        return sroi(out, inv, **a, **fixed).ratio

    varying = {k: v for k, v in base.items() if k not in fixed}
    table = one_way_sensitivity(ratio, varying, ranges)
    default_br = {
        "horizon": (1, MAX_HORIZON),
        "discount_rate": (0.0, 0.5),
        "outcome_factor": (0.0, 10.0),
        "investment_factor": (0.0, 10.0),
    }
    br = {**default_br, **(brackets or {})}
    table["break_even"] = [
        break_even(ratio, varying, name, br.get(name, (0.0, 1.0)), target=1.0, integer=(name == "horizon"))
        for name in table["assumption"]
    ]
    table["break_even"] = table["break_even"].astype(float)
    table["bracket_low"] = [float(br.get(name, (0.0, 1.0))[0]) for name in table["assumption"]]
    table["bracket_high"] = [float(br.get(name, (0.0, 1.0))[1]) for name in table["assumption"]]
    return table
