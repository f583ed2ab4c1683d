"""The demo's weekly status panel: citizens × weeks of status codes with the planted effect (drawn by
:mod:`so_eval.demo.dgp`), realised as the demo assigns courses, and what the effect estimators should
find in it (:func:`effect_truth`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from so_eval.data.model import BENEFIT_STATUSES, STATUSES
from so_eval.demo import dgp

PANEL_START = pd.Timestamp("2016-01-04")
"""First week (a Monday) of the status panel: two years of history before the courses start."""
PANEL_END = pd.Timestamp("2025-12-29")
HORIZONS = {"1-26": (1, 26), "27-52": (27, 52), "53-104": (53, 104)}
"""Weeks after course start over which the effect outcomes are averaged."""


class StatusPanel:
    """Citizens × weeks status codes, realised as courses are assigned (see :mod:`so_eval.demo.dgp`)."""

    def __init__(self, rng: np.random.Generator, cit: pd.DataFrame, effect: dgp.EffectModel):
        self.weeks = pd.date_range(PANEL_START, PANEL_END, freq="7D")
        self.effect = effect
        self.tg = cit["target_group"].to_numpy()
        self.p_self, self.p_edu = dgp.baseline_probabilities(rng, cit)
        n, w = len(cit), len(self.weeks)
        self.u = rng.random((n, w))
        self.v = rng.random((n, w))
        self.shift = dgp.calendar_shift(self.weeks)
        self.benefit = dgp.benefit_codes(self.tg)
        self.entry = np.full(n, -1)
        p_self = np.clip(self.p_self[:, None] + self.shift[None, :], 0.0, 1 - self.p_edu[:, None])
        self.codes = dgp.draw_status(self.u, self.v, p_self, self.p_edu[:, None], self.benefit, self.tg[:, None])
        self._benefit_codes = np.array([STATUSES.index(b) for b in BENEFIT_STATUSES])
        self.cum = np.cumsum(np.isin(self.codes, self._benefit_codes), axis=1, dtype=np.int32)
        self.age_ref = dgp.age_at(cit["birth_year"], 2022)

    def week_index(self, day: pd.Timestamp) -> int:
        return int((day - PANEL_START).days // 7)

    def benefit_share_52(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Share of the 52 weeks before ``week`` on benefit, for citizens ``rows``."""
        return (self.cum[rows, week - 1] - self.cum[rows, week - 53]) / 52.0

    def enter(self, row: int, week: int) -> None:
        """The citizen starts a course in ``week``: from then on the effect applies."""
        if self.entry[row] >= 0:
            return  # the effect runs from the first course
        self.entry[row] = week
        k = np.arange(len(self.weeks)) - week + 1  # week of entry is week 1 after entry
        p_self = np.clip(self.p_self[row] + self.shift + self.effect.tau(k), 0.0, None)
        p_edu = np.clip(self.p_edu[row] + (self.effect.tau_education(k) if self.tg[row] == "unge" else 0.0), 0, 1)
        p_self = np.minimum(p_self, 1 - p_edu)
        self.codes[row] = dgp.draw_status(self.u[row], self.v[row], p_self, p_edu, self.benefit[row], self.tg[row])
        self.cum[row] = np.cumsum(np.isin(self.codes[row], self._benefit_codes), dtype=np.int32)

    def frame(self, cit: pd.DataFrame, extract_date: pd.Timestamp) -> pd.DataFrame:
        """The ``status_weekly`` table: one row per citizen and week, registered two weeks after the
        week (no later than ``extract_date``)."""
        n, w = self.codes.shape
        status = pd.Categorical.from_codes(self.codes.ravel(), categories=list(STATUSES))
        weeks = np.tile(self.weeks.to_numpy(), n)
        lag = pd.to_timedelta(14, unit="D")
        return pd.DataFrame(
            {
                "citizen_id": np.repeat(cit["citizen_id"].to_numpy(), w),
                "week": weeks,
                "status": status,
                "registered": np.minimum(weeks + lag, extract_date.to_datetime64()),
            }
        )


def effect_truth(panel: StatusPanel, effect: dgp.EffectModel) -> dict:
    """What the effect estimators should find: the planted effect by week since entry and averaged
    over each horizon, and the sample ATT of the participants who entered in 2020–2023 (whose
    104 weeks of follow-up lie inside the panel)."""
    k = np.arange(1, 105)
    entered = np.flatnonzero(panel.entry >= 0)
    entry_year = panel.weeks[panel.entry[entered]].year
    cohort = entered[(entry_year >= 2020) & (entry_year <= 2023)]
    sample = {}
    for name, (lo, hi) in HORIZONS.items():
        kk = np.arange(lo, hi + 1)
        diffs = []
        for row in cohort:
            w = panel.entry[row] + kk - 1
            shift = panel.shift[w]
            p_edu = panel.p_edu[row]
            p0 = np.clip(panel.p_self[row] + shift, 0, 1 - p_edu)
            p_edu1 = np.clip(p_edu + (effect.tau_education(kk) if panel.tg[row] == "unge" else 0.0), 0, 1)
            p1 = np.minimum(np.clip(panel.p_self[row] + shift + effect.tau(kk), 0, None), 1 - p_edu1)
            diffs.append((p1 - p0).mean())
        sample[name] = round(float(np.mean(diffs)), 6)
    return {
        "outcome": "share of weeks self-supporting (status selvforsørgelse)",
        "max_effect": effect.max_effect,
        "buildup_weeks": effect.buildup_weeks,
        "max_effect_education_young": effect.max_effect_education,
        "tau_by_week": [round(float(t), 6) for t in effect.tau(k)],
        "att_by_horizon": {name: round(effect.horizon_mean(lo, hi), 6) for name, (lo, hi) in HORIZONS.items()},
        "sample_att_entries_2020_2023": sample,
        "week26": float(effect.tau(26)),
        "week52": float(effect.tau(52)),
        "selection": "course entry weighted by exp(selection_score(age, target group, benefit share 52 weeks))",
        "participants": int(len(entered)),
    }
