"""The data-generating process behind the demo's weekly status panel and the effect simulations.

One model serves both, so that what the effect estimators are validated on in the tests is what
the demo data were made from:

* each citizen has a baseline weekly probability of being self-supporting (``p_self``) and, for
  young people, of being in education (``p_edu``), set by observables (target group, age,
  gender, origin) plus a small latent term;
* every week's status is drawn independently given those probabilities and a common calendar
  shift (a COVID-19 dip in spring 2020);
* participation is **selected on observables**: who enters a course depends on age, target group
  and the weeks on benefit in the 52 weeks before (:func:`selection_score`);
* from the week of entry on, participation raises the weekly probabilities by a **known effect**
  that builds up linearly over ``buildup_weeks`` to ``max_effect`` (:class:`EffectModel`).

Potential outcomes are coupled through common uniform draws, so the untreated and treated
status of a week differ only where the effect moves the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from so_eval import glossary as g
from so_eval.data.model import EDU, SELF, STATUSES

#: logit of the weekly self-support probability at age 35, by target group
_LOGIT_SELF = {"ressourceforløb": -2.4, "kontanthjælp": -1.2, "fleksjob": -2.6, "integration": -1.5, "unge": -1.6}
#: logit of the weekly education probability (young people only)
_LOGIT_EDU = {"unge": -1.3}
_AGE_SLOPE = -0.025  # per year of age over 35
_FEMALE = -0.10
_ORIGIN = {"dansk": 0.0, "vestlig": -0.05, "ikke-vestlig": -0.25}
LATENT_SD = 0.30
_BENEFIT = {
    "ressourceforløb": "ressourceforløb",
    "kontanthjælp": "kontanthjælp",
    "fleksjob": "fleksjob",
    "integration": "integrationsydelse",
    "unge": "kontanthjælp",
}


@dataclass(frozen=True)
class EffectModel:
    """The true effect of participation, in percentage points of weekly probability.

    ``tau(k)`` for week ``k`` after entry (k = 1, 2, …) rises linearly to ``max_effect`` at week
    ``buildup_weeks`` and stays there; before entry (k ≤ 0) it is 0.
    """

    max_effect: float = 0.10
    buildup_weeks: int = 26
    max_effect_education: float = 0.08

    def tau(self, k) -> np.ndarray:
        k = np.asarray(k, dtype=float)
        return np.where(k >= 1, self.max_effect * np.minimum(k / self.buildup_weeks, 1.0), 0.0)

    def tau_education(self, k) -> np.ndarray:
        k = np.asarray(k, dtype=float)
        return np.where(k >= 1, self.max_effect_education * np.minimum(k / self.buildup_weeks, 1.0), 0.0)

    def horizon_mean(self, first: int, last: int, education: bool = False) -> float:
        """The effect averaged over weeks ``first``..``last`` after entry (no clipping)."""
        k = np.arange(first, last + 1)
        return float((self.tau_education(k) if education else self.tau(k)).mean())


def age_at(birth_year, year) -> np.ndarray:
    return np.asarray(year, dtype=float) - np.asarray(birth_year, dtype=float)


def baseline_probabilities(rng: np.random.Generator, citizens: pd.DataFrame, ref_year: int = 2022):
    """Weekly baseline probabilities ``(p_self, p_edu)`` for each citizen (latent, not published)."""
    tg = citizens["target_group"].to_numpy()
    age = age_at(citizens["birth_year"], ref_year)
    latent = rng.normal(0.0, LATENT_SD, size=len(citizens))
    lin = (
        np.array([_LOGIT_SELF[t] for t in tg])
        + _AGE_SLOPE * (age - 35)
        + _FEMALE * (citizens["gender"].to_numpy() == "k")
        + np.array([_ORIGIN.get(o, 0.0) for o in citizens["origin"].fillna("dansk")])
        + latent
    )
    p_self = 1 / (1 + np.exp(-lin))
    lin_edu = np.array([_LOGIT_EDU.get(t, -np.inf) for t in tg]) - 0.5 * latent
    p_edu = np.where(np.isfinite(lin_edu), 1 / (1 + np.exp(-np.where(np.isfinite(lin_edu), lin_edu, 0))), 0.0)
    # young people: education and self-support share one unit interval
    p_self = np.where(tg == "unge", np.minimum(p_self, 0.9 - p_edu), p_self)
    return p_self, p_edu


def selection_score(age, target_group, benefit_share_52) -> np.ndarray:
    """Log-weight of a citizen's chance to be chosen for a course (selection on observables):
    caseworkers choose younger citizens and citizens with fewer recent weeks on benefit more often,
    and young people and citizens on kontanthjælp more than those on ressourceforløb."""
    group = {"unge": 0.2, "kontanthjælp": 0.2, "integration": 0.0, "fleksjob": 0.1, "ressourceforløb": -0.3}
    return (
        -4.0 * np.asarray(benefit_share_52, dtype=float)
        - 0.03 * (np.asarray(age, dtype=float) - 35)
        + np.array([group[t] for t in np.asarray(target_group)])
    )


def calendar_shift(weeks: pd.DatetimeIndex) -> np.ndarray:
    """A common shift in the weekly self-support probability: the spring 2020 lockdown."""
    covid = (weeks >= pd.Timestamp("2020-03-16")) & (weeks < pd.Timestamp("2020-07-01"))
    return np.where(covid, -0.04, 0.0)


def draw_status(
    u: np.ndarray, v: np.ndarray, p_self: np.ndarray, p_edu: np.ndarray, benefit: np.ndarray, target_group: np.ndarray
) -> np.ndarray:
    """Status codes (indices into :data:`STATUSES`) from uniforms ``u`` (state) and ``v`` (which
    benefit); all arrays broadcast to citizens × weeks."""
    codes = np.empty(np.broadcast(u, p_self).shape, dtype=np.int8)
    edu = u < p_edu
    selfsup = (~edu) & (u < p_edu + p_self)
    ben = np.broadcast_to(benefit, codes.shape)
    codes[:] = ben
    flex = np.broadcast_to(target_group == "fleksjob", codes.shape)
    codes[flex & (v > 0.6)] = STATUSES.index("ledighedsydelse")
    codes[v < 0.05] = STATUSES.index("sygedagpenge")
    codes[v > 0.97] = STATUSES.index("andet")
    codes[selfsup] = STATUSES.index(SELF)
    codes[edu] = STATUSES.index(EDU)
    return codes


def benefit_codes(target_group: np.ndarray) -> np.ndarray:
    return np.array([STATUSES.index(_BENEFIT[t]) for t in target_group], dtype=np.int8)[:, None]


def simulate_cross_section(
    seed: int,
    *,
    n_citizens: int = 3000,
    n_treated: int = 600,
    effect: EffectModel = EffectModel(),
    horizon: tuple[int, int] = (1, 26),
) -> tuple[pd.DataFrame, float]:
    """One analysis sample from the demo's model: citizens, 104 pre-weeks, selection into
    treatment by :func:`selection_score`, outcomes over ``horizon`` after entry.

    Returns ``(data, true_att)`` where ``data`` has one row per citizen with the columns of
    :func:`so_eval.effects.outcomes.outcome_table` that the estimators use (treated,
    selfsupport share over the horizon, benefit_weeks_52, benefit_weeks_104, age, gender,
    target_group, origin) and ``true_att`` is the sample ATT: the mean over the treated of their
    expected self-support with minus without participation over the horizon.
    """
    rng = np.random.default_rng(seed)
    shares = [0.20, 0.35, 0.13, 0.15, 0.17]
    tg = rng.choice(g.TARGET_GROUPS, size=n_citizens, p=shares)
    birth = np.where(tg == "unge", rng.integers(1994, 2007, n_citizens), rng.integers(1960, 2000, n_citizens))
    citizens = pd.DataFrame(
        {
            "target_group": tg,
            "birth_year": birth,
            "gender": rng.choice(["k", "m"], n_citizens),
            "origin": [
                str(rng.choice(g.ORIGINS, p=[0, 0.15, 0.85] if t == "integration" else [0.8, 0.06, 0.14])) for t in tg
            ],
        }
    )
    p_self, p_edu = baseline_probabilities(rng, citizens)
    pre = 104
    u_pre = rng.random((n_citizens, pre))
    # weeks on benefit before entry: every week that is neither self-support nor education (and
    # not 'andet', about 3 % of the non-self-supporting weeks)
    v_pre = rng.random((n_citizens, pre))
    on_benefit = (u_pre >= p_edu[:, None] + p_self[:, None]) & (v_pre <= 0.97)
    b52, b104 = on_benefit[:, -52:].sum(1), on_benefit.sum(1)
    age = age_at(birth, 2022)
    score = selection_score(age, tg, b52 / 52)
    # sequential draws without replacement with weights exp(score), as the demo assigns courses
    keys = rng.random(n_citizens) ** (1 / np.exp(score))
    treated = np.zeros(n_citizens, dtype=bool)
    treated[np.argsort(-keys)[:n_treated]] = True
    first, last = horizon
    k = np.arange(first, last + 1)
    u_post = rng.random((n_citizens, len(k)))
    base = p_edu[:, None] + p_self[:, None]
    tau = np.where(treated[:, None], effect.tau(k)[None, :], 0.0)
    p1 = np.clip(p_self[:, None] + tau, 0, 1 - p_edu[:, None])
    y = ((u_post >= p_edu[:, None]) & (u_post < p_edu[:, None] + p1)).mean(1)
    true_att = float((p1 - np.clip(p_self[:, None], 0, 1 - p_edu[:, None]))[treated].mean())
    del base
    data = citizens.assign(
        treated=treated.astype(int),
        selfsupport=y,
        benefit_weeks_52=b52,
        benefit_weeks_104=b104,
        age=age,
    )
    return data, true_att
