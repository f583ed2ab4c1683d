"""Tests for so_eval.effects.estimate_att (cross-sectional ATT estimators)."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from so_eval.effects import AttResult, estimate_att

METHODS = ["difference", "regression", "ipw", "aipw", "matching"]


# ---------------------------------------------------------------------------
# simulated data with selection on observables and a known ATT
# ---------------------------------------------------------------------------
def _simulate(n: int, seed: int) -> tuple[pd.DataFrame, float]:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.binomial(1, 0.4, size=n)
    grp = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    lin = -0.5 + 0.9 * x1 + 0.6 * x2 + np.where(grp == "b", 0.5, 0.0)
    d = (rng.uniform(size=n) < 1 / (1 + np.exp(-lin))).astype(int)
    tau = 1.0 + 0.5 * x1  # heterogeneous effect; treated have higher x1
    y = 2.0 + 1.5 * x1 + 1.0 * x2 + np.where(grp == "c", -1.0, 0.0) + d * tau + rng.normal(size=n)
    df = pd.DataFrame({"y": y, "d": d, "x1": x1, "x2": x2, "grp": grp})
    return df, float(np.mean(tau[d == 1]))


@pytest.fixture(scope="module")
def sim():
    return _simulate(4000, seed=20240601)


def test_difference_is_biased_under_selection(sim):
    df, truth = sim
    res = estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x2", "grp"], method="difference")
    # selection on x1 (which raises y) biases the raw difference upwards, far outside its CI
    assert res.att > truth + 0.5
    assert not (res.ci_low <= truth <= res.ci_high)


@pytest.mark.parametrize("method", ["regression", "ipw", "aipw", "matching"])
def test_adjusted_estimators_recover_truth(sim, method):
    df, truth = sim
    res = estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x2", "grp"], method=method)
    assert res.ci_low <= truth <= res.ci_high, (method, res.att, res.se, truth)
    assert abs(res.att - truth) < 0.2
    assert 0.01 < res.se < 0.2
    assert res.method == method and res.outcome == "y"


def test_ipw_improves_balance(sim):
    df, _ = sim
    res = estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x2", "grp"], method="ipw")
    bal = res.balance
    assert list(bal.index) == ["x1", "x2", "grp[T.b]", "grp[T.c]"]
    assert (bal["smd_after"].abs() < bal["smd_before"].abs()).all()
    assert bal.loc["x1", "smd_before"] > 0.5  # strong selection on x1
    assert abs(bal.loc["x1", "smd_after"]) < 0.1
    # before-SMD follows the pooled-SD convention of the unadjusted sample
    t, c = df[df.d == 1].x1, df[df.d == 0].x1
    expected = (t.mean() - c.mean()) / np.sqrt((t.var() + c.var()) / 2)
    assert bal.loc["x1", "smd_before"] == pytest.approx(expected, rel=1e-10)
    assert bal.loc["x1", "mean_treated"] == pytest.approx(t.mean())
    assert bal.loc["x1", "mean_control"] == pytest.approx(c.mean())


def test_matching_and_regression_balance(sim):
    df, _ = sim
    m = estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x2", "grp"], method="matching")
    assert abs(m.balance.loc["x1", "smd_after"]) < abs(m.balance.loc["x1", "smd_before"]) / 3
    r = estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x2", "grp"], method="regression")
    # weights implied by the control regression balance the means exactly
    assert np.allclose(r.balance["smd_after"], 0.0, atol=1e-8)
    d = estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x2", "grp"], method="difference")
    assert np.allclose(d.balance["smd_after"], d.balance["smd_before"])


# ---------------------------------------------------------------------------
# influence functions: numerical derivative with respect to a unit's weight
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["regression", "ipw", "aipw", "difference"])
def test_influence_function_matches_numerical_derivative(method):
    # psi_i = n * d att / d w_i at w = 1 (weights are normalised to mean one);
    # this checks the SE formula including the nuisance-estimation terms.
    df, _ = _simulate(300, seed=7)
    df["w"] = 1.0
    kw = {
        "treatment": "d",
        "outcome": "y",
        "covariates": ["x1", "x2", "grp"],
        "method": method,
        "weights": "w",
    }
    base = estimate_att(df, **kw)
    psi = base.influence_function
    n = len(df)
    assert abs(psi.sum()) < 1e-8 * n
    h = 1e-5
    for i in [0, 5, 17, 123, 299]:
        up, dn = df.copy(), df.copy()
        up.loc[i, "w"] += h
        dn.loc[i, "w"] -= h
        deriv = (estimate_att(up, **kw).att - estimate_att(dn, **kw).att) / (2 * h)
        assert n * deriv == pytest.approx(psi[i], rel=1e-4, abs=1e-6)
    assert base.se == pytest.approx(np.sqrt(np.sum(psi**2)) / n)


def test_unweighted_equals_unit_weights(sim):
    df, _ = sim
    df = df.assign(w=1.0)
    for method in ["regression", "ipw", "aipw"]:
        a = estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x2"], method=method)
        b = estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x2"], method=method, weights="w")
        assert a.att == pytest.approx(b.att, rel=1e-8)
        assert a.se == pytest.approx(b.se, rel=1e-8)


# ---------------------------------------------------------------------------
# hand-computed tiny examples
# ---------------------------------------------------------------------------
def test_difference_by_hand():
    # treated y = 5, 7, 9: mean 7, variance 4;  controls y = 2, 4, 3: mean 3, variance 1
    # ATT = 4; Welch SE = sqrt(4/3 + 1/3) = sqrt(5/3) = 1.290994
    # Welch df = (5/3)^2 / ((4/3)^2/2 + (1/3)^2/2) = (25/9) / (17/18) = 50/17
    df = pd.DataFrame({"d": [1, 1, 1, 0, 0, 0], "y": [5.0, 7, 9, 2, 4, 3]})
    res = estimate_att(df, treatment="d", outcome="y", covariates=None, method="difference")
    assert res.att == pytest.approx(4.0)
    assert res.se == pytest.approx(np.sqrt(5 / 3))
    assert res.df == pytest.approx(50 / 17)
    q = stats.t.ppf(0.975, 50 / 17)
    assert res.ci_low == pytest.approx(4 - q * np.sqrt(5 / 3))
    assert res.ci_high == pytest.approx(4 + q * np.sqrt(5 / 3))
    assert res.pvalue == pytest.approx(2 * stats.t.sf(4 / np.sqrt(5 / 3), 50 / 17))
    assert (res.n_treated, res.n_control) == (3, 3)


def _hand_matching_data():
    # Treated at x = 1, 4, 6 (y = 10, 14, 20); controls at x = 0, 3, 5 (y = 3, 8, 12).
    # The logit propensity score is a + b*x with b > 0 (x alternates between arms, so no
    # separation), hence distances on the logit scale are b*|x_i - x_j|: neighbours in x.
    return pd.DataFrame({"x": [1.0, 4, 6, 0, 3, 5], "d": [1, 1, 1, 0, 0, 0], "y": [10.0, 14, 20, 3, 8, 12]})


def test_matching_by_hand_one_neighbour():
    df = _hand_matching_data()
    fit = sm.Logit(df.d, sm.add_constant(df.x)).fit(disp=0)
    assert fit.params["x"] > 0
    res = estimate_att(df, treatment="d", outcome="y", covariates=["x"], method="matching")
    # x=1 -> control x=0 (y 3); x=4 -> tie x=3 and x=5 at distance 1 -> (8+12)/2 = 10;
    # x=6 -> control x=5 (y 12).  ATT = (7 + 4 + 8)/3 = 19/3
    assert res.att == pytest.approx(19 / 3)
    assert res.n_treated == 3 and res.n_control == 3 and res.n_unmatched == 0
    # Abadie-Imbens variance: K (weighted times used) = 1, 0.5, 1.5; sum of squared match
    # weights = 1, 0.25, 1.25 -> K^2 - sum w^2 = 0, 0, 1 (only control x=5 contributes).
    # sigma^2(x=5) from its J=2 nearest controls (x=3: y 8, x=0: y 3): mean 5.5,
    # 2/3 * (12 - 5.5)^2 = 28.1667.  Treated part: sum (diff - 19/3)^2 = 8.6667.
    # V = (8.6667 + 28.1667) / 9;  SE = 2.02302
    expected_var = (((7 - 19 / 3) ** 2 + (4 - 19 / 3) ** 2 + (8 - 19 / 3) ** 2) + 2 / 3 * 6.5**2) / 9
    assert res.se == pytest.approx(np.sqrt(expected_var))
    # matched-control means for balance: weights 1, 0.5, 1.5 on x = 0, 3, 5 -> 9/3 = 3
    assert res.balance.loc["x", "mean_control_adj"] == pytest.approx((0 * 1 + 3 * 0.5 + 5 * 1.5) / 3)
    assert res.balance.loc["x", "mean_treated_adj"] == pytest.approx(11 / 3)


def test_matching_by_hand_two_neighbours_and_caliper():
    df = _hand_matching_data()
    res = estimate_att(df, treatment="d", outcome="y", covariates=["x"], method="matching", n_neighbors=2)
    # x=1 -> x=0,3 (5.5); x=4 -> x=3,5 (10); x=6 -> x=5,3 (10): ATT = (4.5 + 4 + 10)/3
    assert res.att == pytest.approx(18.5 / 3)
    # caliper in SDs of the logit score = caliper * sd(x) in x units; sd(x) = 2.3166.
    # All nearest distances are 1 in x: caliper 0.5 (1.16) keeps everyone, 0.4 (0.93) no one.
    kept = estimate_att(df, treatment="d", outcome="y", covariates=["x"], method="matching", caliper=0.5)
    assert kept.att == pytest.approx(19 / 3) and kept.n_unmatched == 0
    with pytest.raises(ValueError, match="caliper"):
        estimate_att(df, treatment="d", outcome="y", covariates=["x"], method="matching", caliper=0.4)


def test_caliper_drops_exactly_the_far_treated(sim):
    df, _ = sim
    caliper = 0.02
    with pytest.warns(UserWarning, match="no control within the caliper"):
        res = estimate_att(
            df,
            treatment="d",
            outcome="y",
            covariates=["x1", "x2"],
            method="matching",
            caliper=caliper,
        )
    # brute force with an independent statsmodels fit
    Z = sm.add_constant(df[["x1", "x2"]].to_numpy())
    eta = Z @ sm.Logit(df.d.to_numpy(), Z).fit(disp=0).params
    width = caliper * eta.std(ddof=1)
    et, ec = eta[df.d == 1], eta[df.d == 0]
    nearest = np.min(np.abs(et[:, None] - ec[None, :]), axis=1)
    expected_unmatched = int(np.sum(nearest > width + 1e-9))
    assert expected_unmatched > 0
    assert res.n_unmatched == expected_unmatched
    assert res.n_treated == int((df.d == 1).sum()) - expected_unmatched
    assert res.details["caliper_width"] == pytest.approx(width, rel=1e-6)


def test_overlap_counts_on_hand_made_case():
    # one covariate, so the propensity score is monotone in x.
    # treated x: -1, 0, 1, 2, 5   controls x: -3, -2, 0, 1, 1.5 (no separation)
    # common support = [ps(-1), ps(1.5)]: treated outside: x = 2, 5; controls outside: x = -3, -2
    df = pd.DataFrame(
        {
            "x": [-1.0, 0, 1, 2, 5, -3, -2, 0, 1, 1.5],
            "d": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
            "y": np.arange(10.0),
        }
    )
    res = estimate_att(df, treatment="d", outcome="y", covariates=["x"], method="ipw")
    o = res.overlap
    fit = sm.Logit(df.d, sm.add_constant(df.x)).fit(disp=0)
    ps = fit.predict(sm.add_constant(df.x)).to_numpy()
    assert fit.params["x"] > 0
    assert o["ps_min_treated"] == pytest.approx(ps[0], rel=1e-6)
    assert o["ps_max_treated"] == pytest.approx(ps[4], rel=1e-6)
    assert o["ps_min_control"] == pytest.approx(ps[5], rel=1e-6)
    assert o["ps_max_control"] == pytest.approx(ps[9], rel=1e-6)
    assert o["common_support_low"] == pytest.approx(ps[0], rel=1e-6)
    assert o["common_support_high"] == pytest.approx(ps[9], rel=1e-6)
    assert o["n_treated_outside"] == 2
    assert o["n_control_outside"] == 2


# ---------------------------------------------------------------------------
# interfaces and input handling
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", METHODS)
def test_formula_equals_list(sim, method):
    df, _ = sim
    a = estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x2", "grp"], method=method)
    b = estimate_att(df, treatment="d", outcome="y", covariates="x1 + x2 + C(grp)", method=method)
    assert a.att == pytest.approx(b.att, rel=1e-9)
    assert a.se == pytest.approx(b.se, rel=1e-9)
    assert (a.n_treated, a.n_control) == (b.n_treated, b.n_control)
    assert sorted(b.balance.index) == sorted(["x1", "x2", "C(grp)[T.b]", "C(grp)[T.c]"])


def test_missing_values_dropped_and_reported(sim):
    df, _ = sim
    df = df.copy()
    df.loc[[1, 2, 3], "x1"] = np.nan
    df.loc[[3, 4], "y"] = np.nan
    df.loc[5, "grp"] = None
    res = estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x2", "grp"], method="aipw")
    assert res.n_dropped_missing == 5
    assert res.n_treated + res.n_control == len(df) - 5
    ref = estimate_att(
        df.dropna().reset_index(drop=True),
        treatment="d",
        outcome="y",
        covariates=["x1", "x2", "grp"],
    )
    assert res.att == pytest.approx(ref.att, rel=1e-10)
    f = estimate_att(df, treatment="d", outcome="y", covariates="x1 + x2 + C(grp)", method="aipw")
    assert f.n_dropped_missing == 5 and f.att == pytest.approx(res.att, rel=1e-9)


def test_result_accessors_consistent(sim):
    df, _ = sim
    res = estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x2"], method="aipw", alpha=0.1)
    assert isinstance(res, AttResult)
    tidy = res.tidy()
    assert list(tidy.columns) == [
        "method",
        "outcome",
        "att",
        "se",
        "ci_low",
        "ci_high",
        "pvalue",
        "n_treated",
        "n_control",
    ]
    row = tidy.iloc[0]
    for k in ["att", "se", "ci_low", "ci_high", "pvalue", "n_treated", "n_control"]:
        assert row[k] == getattr(res, k)
    z = stats.norm.ppf(0.95)
    assert res.ci_high - res.att == pytest.approx(z * res.se)
    assert res.pvalue == pytest.approx(2 * stats.norm.sf(abs(res.att / res.se)))
    text = res.summary()
    assert "aipw" in text and f"{res.att:.4f}" in text and "90% CI" in text
    assert "<table" in res._repr_html_()
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.att = 0.0  # frozen


def test_bool_treatment_and_no_covariates(sim):
    df, _ = sim
    df = df.assign(db=df.d.astype(bool))
    a = estimate_att(df, treatment="db", outcome="y", covariates=[], method="aipw")
    b = estimate_att(df, treatment="d", outcome="y", covariates=None, method="difference")
    assert a.att == pytest.approx(b.att)
    assert a.overlap is None and len(a.balance) == 0


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------
def test_error_unknown_method(sim):
    df, _ = sim
    with pytest.raises(ValueError, match="unknown method 'psm'"):
        estimate_att(df, treatment="d", outcome="y", covariates=["x1"], method="psm")


def test_error_missing_columns_are_named(sim):
    df, _ = sim
    with pytest.raises(ValueError, match=r"'nope'.*'zzz'|'zzz'.*'nope'"):
        estimate_att(df, treatment="d", outcome="y", covariates=["x1", "nope", "zzz"])
    with pytest.raises(ValueError, match="'treated'"):
        estimate_att(df, treatment="treated", outcome="y", covariates=["x1"])
    with pytest.raises(ValueError, match="'agee'"):
        estimate_att(df, treatment="d", outcome="y", covariates="x1 + agee + C(grp)")


def test_error_treatment_not_binary(sim):
    df, _ = sim
    df = df.assign(d3=np.where(df.index % 7 == 0, 2, df.d))
    with pytest.raises(ValueError, match="must be 0/1"):
        estimate_att(df, treatment="d3", outcome="y", covariates=["x1"])
    with pytest.raises(ValueError, match="must be 0/1"):
        estimate_att(df.assign(s="yes"), treatment="s", outcome="y", covariates=["x1"])


def test_error_no_treated_or_no_controls(sim):
    df, _ = sim
    with pytest.raises(ValueError, match="no treated units"):
        estimate_att(df.assign(d=0), treatment="d", outcome="y", covariates=["x1"])
    with pytest.raises(ValueError, match="no control units"):
        estimate_att(df.assign(d=1), treatment="d", outcome="y", covariates=["x1"])


@pytest.mark.parametrize("method", ["ipw", "aipw", "matching"])
def test_error_perfect_separation(method):
    df = pd.DataFrame({"x": np.arange(20.0), "d": [0] * 10 + [1] * 10, "y": np.arange(20.0)})
    with pytest.raises(ValueError, match="separation"):
        estimate_att(df, treatment="d", outcome="y", covariates=["x"], method=method)


def test_error_quasi_separation_by_category():
    rng = np.random.default_rng(3)
    n = 300
    df = pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b", "c"], size=n)})
    df["d"] = (rng.uniform(size=n) < 0.4).astype(int)
    df.loc[df.g == "c", "d"] = 1  # every unit of category c is treated
    df["y"] = rng.normal(size=n)
    with pytest.raises(ValueError, match="separation"):
        estimate_att(df, treatment="d", outcome="y", covariates=["x", "g"], method="ipw")
    # the unadjusted difference still works; diagnostics are then unavailable
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = estimate_att(df, treatment="d", outcome="y", covariates=["x", "g"], method="difference")
    assert res.overlap is None


def test_error_collinear_covariates(sim):
    df, _ = sim
    df = df.assign(x1b=2 * df.x1 + 1)
    with pytest.raises(ValueError, match="collinear.*x1b"):
        estimate_att(df, treatment="d", outcome="y", covariates=["x1", "x1b"], method="aipw")
