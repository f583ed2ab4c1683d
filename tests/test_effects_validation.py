"""The effect estimators validated on data from the demo's own model with a known effect
(:mod:`so_eval.demo.dgp`): the unadjusted difference is biased by the planted selection, the adjusted
estimators' 95 % intervals cover the truth, and without an effect they rarely find one."""

from __future__ import annotations

import json

import numpy as np
import pytest

from so_eval.demo.dgp import EffectModel, simulate_cross_section
from so_eval.effects import estimate_att
from so_eval.effects.analysis import EffectSpec, effect_sample, estimate_all, event_study
from so_eval.effects.outcomes import COVARIATES

ADJUSTED = ("regression", "ipw", "aipw", "matching")
REPLICATIONS = 50


def _replicate(effect: EffectModel, methods, reps: int = REPLICATIONS, first_seed: int = 1000):
    out = {m: [] for m in methods}
    for seed in range(first_seed, first_seed + reps):
        data, truth = simulate_cross_section(seed, n_citizens=2500, n_treated=500, effect=effect)
        for m in methods:
            r = estimate_att(data, treatment="treated", outcome="selfsupport", covariates=COVARIATES, method=m)
            out[m].append((r.att, r.ci_low, r.ci_high, truth))
    return {m: np.array(v) for m, v in out.items()}


@pytest.fixture(scope="module")
def with_effect():
    return _replicate(EffectModel(), ("difference", *ADJUSTED))


@pytest.mark.slow
def test_unadjusted_difference_is_biased_by_selection(with_effect):
    d = with_effect["difference"]
    bias = (d[:, 0] - d[:, 3]).mean()
    half_width = ((d[:, 2] - d[:, 1]) / 2).mean()
    assert bias > half_width  # off by more than its own interval's half-width, on average
    covered = ((d[:, 1] <= d[:, 3]) & (d[:, 3] <= d[:, 2])).mean()
    assert covered < 0.5


@pytest.mark.slow
@pytest.mark.parametrize("method", ADJUSTED)
def test_adjusted_intervals_cover_the_true_effect(with_effect, method):
    d = with_effect[method]
    covered = ((d[:, 1] <= d[:, 3]) & (d[:, 3] <= d[:, 2])).mean()
    assert covered >= 0.90, f"{method}: 95 % intervals covered the truth in only {covered:.0%} of {len(d)} runs"
    assert abs((d[:, 0] - d[:, 3]).mean()) < 0.01  # and the estimates centre on the truth


@pytest.mark.slow
def test_no_effect_is_not_found_more_often_than_chance():
    d = _replicate(EffectModel(max_effect=0.0, max_effect_education=0.0), ADJUSTED, reps=100, first_seed=0)
    for method, v in d.items():
        assert np.allclose(v[:, 3], 0.0)
        rejected = ((v[:, 1] > 0) | (v[:, 2] < 0)).mean()
        # nominal 5 %: in 100 runs, 11 or more rejections has probability 0.011 if the level is right
        assert rejected <= 0.10, f"{method} found an effect in {rejected:.0%} of runs without one"


def test_demo_effect_is_recovered(demo, demo_dir):
    """On the demo data itself: adjusted estimators cover the planted effect, the event study's
    pre-period is flat and its post-period at the planted level."""
    truth = json.loads((demo_dir / "truth.json").read_text())["effect"]
    for horizon in ("1-26", "27-52"):
        spec = EffectSpec(year=2025, horizon=horizon)
        results = estimate_all(effect_sample(demo, spec), spec)
        true = truth["att_by_horizon"][horizon]
        for m in ("regression", "ipw", "aipw"):
            r = results[m]
            assert r.ci_low <= true <= r.ci_high, (
                f"{m} {horizon}: {r.att:.4f} [{r.ci_low:.4f}, {r.ci_high:.4f}] vs {true}"
            )
        assert abs(results["difference"].att - true) > abs(results["aipw"].att - true)
    ev = event_study(demo, EffectSpec(year=2025))
    dyn = ev.dynamic.set_index("event_time")
    pre = dyn.loc[dyn.index <= -1]
    assert (pre["ci_low"] <= 0.02).all() and (pre["ci_high"] >= -0.02).all()
    late = dyn.loc[dyn.index >= 3]  # fully built up (26 weeks) from the third quarter on
    assert late["att"].between(truth["max_effect"] - 0.03, truth["max_effect"] + 0.03).all()
