"""Tests for so_eval.effects.group_time_att (Callaway & Sant'Anna 2021)."""

from __future__ import annotations

import re
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from so_eval.effects import DidResult, group_time_att
from so_eval.effects.did.panel import drdid_panel, ipw_did_panel, reg_did_panel

MPDTA = Path(__file__).parent / "data" / "mpdta.csv"

# R `did` documentation (did-basics vignette / README): never-treated controls, no
# covariates, varying base period.  See /work/shared/data/README.md.
PUBLISHED_ATT_GT = {
    (2004, 2004): -0.0105,
    (2004, 2005): -0.0704,
    (2004, 2006): -0.1373,
    (2004, 2007): -0.1008,
    (2006, 2004): 0.0065,
    (2006, 2005): -0.0028,
    (2006, 2006): -0.0046,
    (2006, 2007): -0.0412,
    (2007, 2004): 0.0305,
    (2007, 2005): -0.0027,
    (2007, 2006): -0.0311,
    (2007, 2007): -0.0261,
}
PUBLISHED_AGG = {"simple": -0.0400, "group": -0.0310, "dynamic": -0.0772, "calendar": -0.0417}
PUBLISHED_DYNAMIC = {
    -3: 0.0305,
    -2: -0.0006,
    -1: -0.0245,
    0: -0.0199,
    1: -0.0510,
    2: -0.1373,
    3: -0.1008,
}
# aggte(type = "dynamic", balance_e = 1) in the did vignette
PUBLISHED_BALANCED = {"overall": -0.0288, -2: 0.0065, -1: -0.0028, 0: -0.0066, 1: -0.0510}
# att_gt(..., xformla = ~lpop) (doubly robust, default) from the did README
PUBLISHED_ATT_GT_LPOP = {
    (2004, 2004): -0.0145,
    (2004, 2005): -0.0764,
    (2004, 2006): -0.1404,
    (2004, 2007): -0.1069,
    (2006, 2004): -0.0005,
    (2006, 2005): -0.0062,
    (2006, 2006): 0.0010,
    (2006, 2007): -0.0413,
    (2007, 2004): 0.0267,
    (2007, 2005): -0.0046,
    (2007, 2006): -0.0284,
    (2007, 2007): -0.0288,
}


def _close4(x: float, published: float) -> bool:
    return abs(x - published) < 5e-5 or round(x, 4) == published


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(MPDTA)


@pytest.fixture(scope="module")
def mp_res(mpdta) -> DidResult:
    return group_time_att(mpdta, unit="countyreal", time="year", group="first_treat", outcome="lemp")


# ---------------------------------------------------------------------------
# mpdta against the published R numbers
# ---------------------------------------------------------------------------
def test_mpdta_att_gt_matches_r(mp_res):
    tab = mp_res.att_gt
    assert len(tab) == 12
    assert list(tab.columns[:7]) == ["group", "time", "att", "se", "ci_low", "ci_high", "n_group"]
    for (g, t), published in PUBLISHED_ATT_GT.items():
        row = tab[(tab.group == g) & (tab.time == t)].iloc[0]
        assert _close4(row.att, published), (g, t, row.att, published)
    assert dict(zip(tab.group, tab.n_group, strict=True)) == {2004: 20, 2006: 40, 2007: 131}
    assert mp_res.n_units == 500


@pytest.mark.parametrize("kind", ["simple", "group", "dynamic", "calendar"])
def test_mpdta_aggregations_match_r(mp_res, kind):
    agg = mp_res.aggregate(kind)
    assert _close4(agg.overall_att, PUBLISHED_AGG[kind]), (kind, agg.overall_att)
    assert 0.005 < agg.overall_se < 0.03


def test_mpdta_event_study_matches_r(mp_res):
    dyn = mp_res.aggregate("dynamic")
    got = dict(zip(dyn.table.event_time, dyn.table.att, strict=True))
    assert sorted(got) == list(range(-3, 4))
    for e, published in PUBLISHED_DYNAMIC.items():
        assert _close4(got[e], published), (e, got[e], published)


def test_mpdta_balanced_event_study_matches_r(mp_res):
    dyn = mp_res.aggregate("dynamic", balance_e=1)
    got = dict(zip(dyn.table.event_time, dyn.table.att, strict=True))
    assert sorted(got) == [-2, -1, 0, 1]
    for e in [-2, -1, 0, 1]:
        assert _close4(got[e], PUBLISHED_BALANCED[e])
    assert _close4(dyn.overall_att, PUBLISHED_BALANCED["overall"])


def test_mpdta_group_and_calendar_tables(mp_res):
    grp = mp_res.aggregate("group").table.set_index("group")["att"]
    # group effect = mean of its post-treatment cells
    assert grp[2004] == pytest.approx(np.mean([-0.010503, -0.070423, -0.137259, -0.100811]), abs=5e-5)
    assert grp[2007] == pytest.approx(PUBLISHED_ATT_GT[(2007, 2007)], abs=5e-5)
    cal = mp_res.aggregate("calendar").table.set_index("time")["att"]
    # 2007: group-size weighted mean of the three cohorts' cells (20, 40, 131 units)
    expected = (20 * -0.1008 + 40 * -0.0412 + 131 * -0.0261) / 191
    assert cal[2007] == pytest.approx(expected, abs=1e-4)


def test_mpdta_standard_errors(mp_res, mpdta):
    simple = mp_res.aggregate("simple")
    # published multiplier-bootstrap SE is about 0.012
    assert 0.009 < simple.overall_se < 0.016
    # analytic cell SE for the 2x2 DiD of means equals sqrt(var1/n1 + var0/n0) (ddof=0),
    # computed here independently from the raw data
    wide = mpdta.pivot(index="countyreal", columns="year", values="lemp")
    g = mpdta.groupby("countyreal").first_treat.first()
    for grp, t, base in [(2004, 2006, 2003), (2007, 2005, 2004), (2006, 2007, 2005)]:
        dy = wide[t] - wide[base]
        d1, d0 = dy[g == grp], dy[g == 0]
        se = np.sqrt(d1.var(ddof=0) / len(d1) + d0.var(ddof=0) / len(d0))
        row = mp_res.att_gt.query("group == @grp and time == @t").iloc[0]
        assert row.se == pytest.approx(se, rel=1e-10)
        assert row.att == pytest.approx(d1.mean() - d0.mean(), rel=1e-10)
        assert row.base_time == base
    # published bootstrap cell SEs (0.0155 .. 0.0383): analytic ones are in the same range
    assert mp_res.att_gt.se.between(0.012, 0.045).all()
    # pointwise intervals
    z = 1.959963984540054
    assert np.allclose(mp_res.att_gt.ci_high - mp_res.att_gt.att, z * mp_res.att_gt.se)


def test_mpdta_with_covariate_lpop_dr_matches_r(mpdta):
    res = group_time_att(
        mpdta,
        unit="countyreal",
        time="year",
        group="first_treat",
        outcome="lemp",
        covariates=["lpop"],
        est_method="dr",
    )
    tab = res.att_gt
    for (g, t), published in PUBLISHED_ATT_GT_LPOP.items():
        row = tab[(tab.group == g) & (tab.time == t)].iloc[0]
        assert _close4(row.att, published), (g, t, row.att, published)
    # simple aggregation follows from the cells and the group sizes: -0.0418
    assert round(res.aggregate("simple").overall_att, 4) == -0.0418
    # the formula interface gives the same numbers
    res_f = group_time_att(
        mpdta,
        unit="countyreal",
        time="year",
        group="first_treat",
        outcome="lemp",
        covariates="lpop",
    )
    assert np.allclose(res_f.att_gt.att, tab.att) and np.allclose(res_f.att_gt.se, tab.se)


def test_mpdta_not_yet_treated_by_hand(mpdta):
    res = group_time_att(
        mpdta,
        unit="countyreal",
        time="year",
        group="first_treat",
        outcome="lemp",
        control_group="not_yet_treated",
    )
    wide = mpdta.pivot(index="countyreal", columns="year", values="lemp")
    g = mpdta.groupby("countyreal").first_treat.first()
    tab = res.att_gt.set_index(["group", "time"])

    def did(grp, t, base, controls):
        dy = wide[t] - wide[base]
        return dy[g == grp].mean() - dy[controls].mean()

    # ATT(2004, 2005): base 2003; not yet treated by 2005 = never + cohorts 2006, 2007
    assert tab.loc[(2004, 2005), "att"] == pytest.approx(did(2004, 2005, 2003, (g == 0) | (g > 2005)))
    # ATT(2004, 2006): only never treated + cohort 2007 are still untreated in 2006
    assert tab.loc[(2004, 2006), "att"] == pytest.approx(did(2004, 2006, 2003, (g == 0) | (g > 2006)))
    assert tab.loc[(2004, 2006), "n_control"] == 309 + 131
    # pre-period cell ATT(2007, 2005): compare 2005 with 2004; cohort 2006 is not yet treated
    assert tab.loc[(2007, 2005), "att"] == pytest.approx(did(2007, 2005, 2004, (g == 0) | ((g > 2005) & (g != 2007))))
    # in 2007 everyone left is never treated: same as the never-treated estimate
    nev = group_time_att(mpdta, unit="countyreal", time="year", group="first_treat", outcome="lemp")
    nev_tab = nev.att_gt.set_index(["group", "time"])
    assert tab.loc[(2006, 2007), "att"] == pytest.approx(nev_tab.loc[(2006, 2007), "att"])
    assert not np.isclose(tab.loc[(2004, 2004), "att"], nev_tab.loc[(2004, 2004), "att"])


def test_mpdta_universal_base_period(mpdta):
    res = group_time_att(
        mpdta,
        unit="countyreal",
        time="year",
        group="first_treat",
        outcome="lemp",
        base_period="universal",
    )
    tab = res.att_gt.set_index(["group", "time"])
    assert len(tab) == 15  # all periods incl. 2003
    # the base period g-1 is normalised to zero
    assert tab.loc[(2006, 2005), "att"] == 0.0 and np.isnan(tab.loc[(2006, 2005), "se"])
    wide = mpdta.pivot(index="countyreal", columns="year", values="lemp")
    g = mpdta.groupby("countyreal").first_treat.first()
    dy = wide[2003] - wide[2005]  # pre-period compared with the universal base 2005
    assert tab.loc[(2006, 2003), "att"] == pytest.approx(dy[g == 2006].mean() - dy[g == 0].mean())
    # post-treatment cells are identical to the varying-base ones
    nev = group_time_att(mpdta, unit="countyreal", time="year", group="first_treat", outcome="lemp")
    for (gg, t), v in PUBLISHED_ATT_GT.items():
        if t >= gg:
            assert _close4(tab.loc[(gg, t), "att"], v)
    assert res.aggregate("simple").overall_att == pytest.approx(nev.aggregate("simple").overall_att)


def test_bootstrap_reproducible_and_close_to_analytic(mp_res, mpdta):
    kw = {"unit": "countyreal", "time": "year", "group": "first_treat", "outcome": "lemp"}
    b1 = group_time_att(mpdta, **kw, bootstrap=499, seed=11)
    b2 = group_time_att(mpdta, **kw, bootstrap=499, seed=11)
    assert np.array_equal(b1.att_gt.se, b2.att_gt.se)
    assert np.allclose(b1.att_gt.att, mp_res.att_gt.att)
    ratio = b1.att_gt.se / mp_res.att_gt.se
    assert ratio.between(0.8, 1.25).all()
    s = b1.aggregate("simple")
    assert 0.009 < s.overall_se < 0.016
    dyn = b1.aggregate("dynamic")
    # simultaneous band is wider than the pointwise interval
    assert dyn.crit_val > 1.96
    assert ((dyn.table.cband_high - dyn.table.cband_low) > (dyn.table.ci_high - dyn.table.ci_low)).all()
    assert "cband_low" in b1.att_gt.columns


# ---------------------------------------------------------------------------
# simulations with known effects
# ---------------------------------------------------------------------------
def _staggered_panel(n_units=1500, periods=8, seed=0, covariate_trend=0.0, cohorts=(3, 5, 7)):
    """Balanced panel; cohort g treated from period g on with effect depending on g and
    exposure e = t - g:  effect(g, e) = 0.5 + 0.3 * e + 0.2 * (g == 5).
    With covariate_trend != 0 the untreated trend depends on x, whose mean differs by
    cohort (parallel trends only conditional on x)."""
    rng = np.random.default_rng(seed)
    g = rng.choice([0, *cohorts], size=n_units, p=[0.4] + [0.6 / len(cohorts)] * len(cohorts))
    x = rng.normal(size=n_units) + 0.8 * (g > 0)
    alpha = rng.normal(size=n_units) + 0.5 * g / 7
    t = np.arange(1, periods + 1)
    e = t[None, :] - g[:, None]
    treated = (g[:, None] > 0) & (e >= 0)
    effect = np.where(treated, 0.5 + 0.3 * e + 0.2 * (g[:, None] == 5), 0.0)
    y = (
        alpha[:, None]
        + 0.2 * t[None, :]
        + covariate_trend * x[:, None] * t[None, :]
        + effect
        + rng.normal(scale=0.5, size=(n_units, periods))
    )
    df = pd.DataFrame(
        {
            "id": np.repeat(np.arange(n_units), periods),
            "t": np.tile(t, n_units),
            "g": np.repeat(g, periods),
            "x": np.repeat(x, periods),
            "y": y.ravel(),
        }
    )
    truth = {(gg, tt): (0.5 + 0.3 * (tt - gg) + 0.2 * (gg == 5)) if tt >= gg else 0.0 for gg in cohorts for tt in t[1:]}
    return df, truth


@pytest.mark.parametrize("control_group", ["never_treated", "not_yet_treated"])
def test_simulated_heterogeneous_effects_recovered(control_group):
    df, truth = _staggered_panel(seed=1)
    res = group_time_att(df, unit="id", time="t", group="g", outcome="y", control_group=control_group)
    tab = res.att_gt.set_index(["group", "time"])
    z = (tab.att - pd.Series(truth)) / tab.se
    assert z.abs().max() < 4.0
    assert (tab.att - pd.Series(truth)).abs().max() < 0.2
    dyn = res.aggregate("dynamic").table.set_index("event_time")
    sizes = pd.Series({3: (df.g == 3).sum(), 5: (df.g == 5).sum(), 7: (df.g == 7).sum()}) / len(df)
    for e in [0, 1, 2]:
        cohorts = [c for c in (3, 5, 7) if c + e <= 8]
        w = sizes[cohorts] / sizes[cohorts].sum()
        true_e = sum(w[c] * (0.5 + 0.3 * e + 0.2 * (c == 5)) for c in cohorts)
        assert abs(dyn.loc[e, "att"] - true_e) < 4 * dyn.loc[e, "se"]
    for e in [-4, -3, -2, -1]:
        assert abs(dyn.loc[e, "att"]) < 4 * dyn.loc[e, "se"]


@pytest.mark.parametrize("est_method", ["dr", "ipw", "reg"])
def test_simulated_conditional_parallel_trends(est_method):
    df, truth = _staggered_panel(n_units=2000, seed=5, covariate_trend=0.15)
    plain = group_time_att(df, unit="id", time="t", group="g", outcome="y")
    adj = group_time_att(df, unit="id", time="t", group="g", outcome="y", covariates=["x"], est_method=est_method)
    true_simple = _true_simple(df, truth)
    s_plain, s_adj = plain.aggregate("simple"), adj.aggregate("simple")
    # unconditional parallel trends fails: bias of about 0.15 * 0.8 per period of exposure
    assert abs(s_plain.overall_att - true_simple) > 5 * s_plain.overall_se
    assert abs(s_adj.overall_att - true_simple) < 3.5 * s_adj.overall_se
    tab = adj.att_gt.set_index(["group", "time"])
    assert ((tab.att - pd.Series(truth)).abs() / tab.se).max() < 4.0


def _true_simple(df, truth):
    sizes = df.groupby("g").id.nunique()
    num = sum(sizes[g] * v for (g, t), v in truth.items() if t >= g)
    den = sum(sizes[g] for (g, t), v in truth.items() if t >= g)
    return num / den


@pytest.mark.parametrize("fn", [drdid_panel, ipw_did_panel, reg_did_panel])
def test_cell_influence_functions_match_numerical_derivative(fn):
    # psi_i = n * d att / d w_i at w = 1 for the DRDID 2x2 estimators
    rng = np.random.default_rng(2)
    n = 250
    x = rng.normal(size=n)
    D = (rng.uniform(size=n) < 1 / (1 + np.exp(-0.5 - 0.7 * x))).astype(float)
    dy = 0.3 + 0.5 * x + 0.4 * D + rng.normal(size=n)
    Z = np.column_stack([np.ones(n), x, x**2])
    w = np.ones(n)
    _, psi = fn(dy, D, Z, w)
    assert abs(psi.mean()) < 1e-10
    h = 1e-5
    for i in [0, 3, 50, 249]:
        wp, wm = w.copy(), w.copy()
        wp[i] += h
        wm[i] -= h
        deriv = (fn(dy, D, Z, wp)[0] - fn(dy, D, Z, wm)[0]) / (2 * h)
        assert n * deriv == pytest.approx(psi[i], rel=1e-4, abs=1e-6)


# ---------------------------------------------------------------------------
# data handling, errors, presentation, performance
# ---------------------------------------------------------------------------
def test_nan_group_is_never_treated_and_unbalanced_units_dropped(mpdta):
    df = mpdta.copy()
    df["first_treat"] = df["first_treat"].astype(float).replace(0.0, np.nan)
    df = df.drop(index=df.index[(df.countyreal == 8001) & (df.year == 2005)])  # cohort 2007 unit
    with pytest.warns(UserWarning, match="not observed in every period"):
        res = group_time_att(df, unit="countyreal", time="year", group="first_treat", outcome="lemp")
    assert res.n_units == 499
    assert res.dropped["units_not_observed_in_all_periods"] == 1
    assert res.att_gt.set_index(["group", "time"]).loc[(2007, 2007), "n_group"] == 130


def test_units_treated_in_first_period_are_dropped(mpdta):
    df = mpdta.copy()
    df.loc[df.countyreal == 8001, "first_treat"] = 2003
    with pytest.warns(UserWarning, match="already treated in the first period"):
        res = group_time_att(df, unit="countyreal", time="year", group="first_treat", outcome="lemp")
    assert res.n_units == 499 and set(res.att_gt.group) == {2004, 2006, 2007}


def test_errors(mpdta):
    kw = {"unit": "countyreal", "time": "year", "group": "first_treat", "outcome": "lemp"}
    with pytest.raises(ValueError, match="'lempp'"):
        group_time_att(mpdta, **{**kw, "outcome": "lempp"})
    with pytest.raises(ValueError, match="'nope'"):
        group_time_att(mpdta, **kw, covariates=["nope"])
    with pytest.raises(ValueError, match="control_group"):
        group_time_att(mpdta, **kw, control_group="everyone")
    with pytest.raises(ValueError, match="base_period"):
        group_time_att(mpdta, **kw, base_period="fixed")
    with pytest.raises(ValueError, match="est_method"):
        group_time_att(mpdta, **kw, est_method="ols")
    no_never = mpdta[mpdta.first_treat > 0]
    with pytest.raises(ValueError, match="no never-treated group"):
        group_time_att(no_never, **kw)
    varying = mpdta.copy()
    varying.loc[(varying.countyreal == 8001) & (varying.year == 2007), "first_treat"] = 2006
    with pytest.raises(ValueError, match="varies within unit"):
        group_time_att(varying, **kw)
    dup = pd.concat([mpdta, mpdta.iloc[:1]])
    with pytest.raises(ValueError, match="more than one row"):
        group_time_att(dup, **kw)
    with pytest.raises(ValueError, match="unknown aggregation"):
        group_time_att(mpdta, **kw).aggregate("overall")


def test_not_yet_treated_without_never_treated(mpdta):
    # R: drop periods from the last cohort's treatment on; the last cohort only serves as control
    no_never = mpdta[mpdta.first_treat > 0]
    res = group_time_att(
        no_never,
        unit="countyreal",
        time="year",
        group="first_treat",
        outcome="lemp",
        control_group="not_yet_treated",
    )
    assert set(res.att_gt.group) == {2004, 2006} and res.att_gt.time.max() == 2006
    wide = no_never.pivot(index="countyreal", columns="year", values="lemp")
    g = no_never.groupby("countyreal").first_treat.first()
    dy = wide[2005] - wide[2003]
    expected = dy[g == 2004].mean() - dy[g > 2005].mean()
    got = res.att_gt.set_index(["group", "time"]).loc[(2004, 2005), "att"]
    assert got == pytest.approx(expected)


def test_presentation(mp_res):
    text = mp_res.summary()
    assert "never treated" in text and "-0.1373" in text and "simple aggregated ATT" in text
    assert "<table" in mp_res._repr_html_()
    tidy = mp_res.tidy()
    assert list(tidy.columns[:7]) == ["group", "time", "att", "se", "ci_low", "ci_high", "n_group"]
    agg = mp_res.aggregate("dynamic", min_e=-1, max_e=2)
    assert list(agg.table.event_time) == [-1, 0, 1, 2]
    # overall = mean of e = 0..2 only
    assert agg.overall_att == pytest.approx(agg.table.set_index("event_time").loc[[0, 1, 2], "att"].mean())
    t = agg.tidy()
    assert t.iloc[0].term == "overall" and t.iloc[0].att == agg.overall_att and len(t) == 5
    assert "event study" in agg.summary() and "<table" in agg._repr_html_()


def test_performance_many_periods_and_cohorts():
    # 2,000 units x 200 periods, 20 cohorts (3,980 cells): must stay well under a few seconds
    rng = np.random.default_rng(0)
    n, T = 2000, 200
    cohorts = np.r_[0, np.arange(10, 200, 10)]
    g = rng.choice(cohorts, size=n)
    t = np.arange(1, T + 1)
    y = rng.normal(size=(n, 1)) + 0.01 * t + ((t >= g[:, None]) & (g[:, None] > 0)) * 0.5
    y = y + rng.normal(size=(n, T))
    df = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(t, n), "g": np.repeat(g, T), "y": y.ravel()})
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = group_time_att(df, unit="id", time="t", group="g", outcome="y")
        for kind in ["simple", "group", "dynamic", "calendar"]:
            res.aggregate(kind)
    elapsed = time.perf_counter() - start
    assert len(res.att_gt) == 19 * 199
    assert abs(res.aggregate("simple").overall_att - 0.5) < 0.1
    assert elapsed < 20


def test_weight_influence_term_matches_r_formula():
    # the vectorised wif() %*% att against a literal transcription of did:::wif
    from so_eval.effects.did.influence import wif_att

    rng = np.random.default_rng(4)
    G = rng.choice([0.0, 3.0, 4.0, 6.0], size=200)
    group = np.array([3.0, 3.0, 4.0, 6.0, 6.0, 6.0])
    pg = np.array([np.mean(g == G) for g in group])
    att = rng.normal(size=len(group))
    keepers = np.array([0, 1, 3, 5])
    S = pg[keepers].sum()
    if1 = np.column_stack([(1.0 * (group[k] == G) - pg[k]) / S for k in keepers])
    rows = np.column_stack([1.0 * (group[k] == G) - pg[k] for k in keepers]).sum(axis=1)
    if2 = rows[:, None] * (pg[keepers] / S**2)[None, :]
    expected = (if1 - if2) @ att[keepers]
    got = wif_att(group[keepers], pg[keepers], att[keepers], G)
    assert np.allclose(got, expected, atol=1e-12)


def test_aggregated_se_accounts_for_estimated_group_shares():
    # Two cohorts with very different effects (0 and 4) and almost no noise: the
    # uncertainty of the simple ATT comes mostly from the random cohort shares, which only
    # the weight term of the influence function captures.  Compare with a unit bootstrap.
    rng = np.random.default_rng(8)
    n, T = 300, 4
    g = rng.choice([0, 2, 3], size=n, p=[0.4, 0.3, 0.3])
    t = np.arange(1, T + 1)
    eff = np.where((g[:, None] > 0) & (t[None, :] >= g[:, None]), np.where(g[:, None] == 2, 0.0, 4.0), 0.0)
    y = rng.normal(size=(n, 1)) + 0.1 * t + eff + rng.normal(scale=0.05, size=(n, T))

    def frame(idx):
        return pd.DataFrame(
            {
                "id": np.repeat(np.arange(len(idx)), T),
                "t": np.tile(t, len(idx)),
                "g": np.repeat(g[idx], T),
                "y": y[idx].ravel(),
            }
        )

    res = group_time_att(frame(np.arange(n)), unit="id", time="t", group="g", outcome="y")
    simple = res.aggregate("simple")
    draws = []
    for _ in range(150):
        idx = rng.integers(0, n, size=n)
        draws.append(
            group_time_att(frame(idx), unit="id", time="t", group="g", outcome="y").aggregate("simple").overall_att
        )
    boot_sd = np.std(draws)
    assert simple.overall_se == pytest.approx(boot_sd, rel=0.25)
    # without the weight term the SE would be far too small
    keep = res.att_gt.query("time >= group")
    no_wif = res.influence_functions[:, keep.index] @ (keep.n_group / keep.n_group.sum()).to_numpy()
    assert np.sqrt(np.sum(no_wif**2)) / n < 0.5 * boot_sd


# -- very large panels: influence functions kept per cell ---------------------------------------


@pytest.mark.parametrize("control_group", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_per_cell_influence_functions_give_the_dense_results(mpdta, monkeypatch, control_group, base_period):
    """Above a size the influence functions are kept per cell (two slices of the outcome matrix)
    instead of as one units × cells matrix; every estimate, standard error and aggregation is
    the same as with the matrix."""
    from so_eval.effects.did import influence

    kw = dict(
        unit="countyreal",
        time="year",
        group="first_treat",
        outcome="lemp",
        control_group=control_group,
        base_period=base_period,
    )
    dense = group_time_att(mpdta, **kw)
    monkeypatch.setattr(influence, "_DENSE_IF_BYTES", 0)
    lazy = group_time_att(mpdta, **kw)
    assert isinstance(lazy._inf, influence._Influence) and isinstance(dense._inf, np.ndarray)
    pd.testing.assert_frame_equal(lazy.att_gt, dense.att_gt)
    assert np.array_equal(lazy.influence_functions, dense.influence_functions)
    for kind in ("simple", "group", "dynamic", "calendar"):
        a, b = lazy.aggregate(kind), dense.aggregate(kind)
        assert a.att == pytest.approx(b.att, rel=1e-12) and a.se == pytest.approx(b.se, rel=1e-10), kind
        assert np.allclose(a.table.to_numpy(dtype=float), b.table.to_numpy(dtype=float), rtol=1e-10, equal_nan=True), (
            kind
        )
    with pytest.raises(ValueError, match="analytic standard errors"):
        group_time_att(mpdta, **kw, bootstrap=99, seed=1)


# -- the same estimator from a units × periods matrix --------------------------------------------


def _mpdta_wide(mpdta):
    wide = mpdta.pivot(index="countyreal", columns="year", values="lemp")  # units sorted, as there
    group = mpdta.groupby("countyreal")["first_treat"].first().reindex(wide.index)
    return wide.to_numpy(), group.to_numpy(), wide.columns.to_numpy()


def _same_result(a: DidResult, b: DidResult) -> None:
    pd.testing.assert_frame_equal(a.att_gt, b.att_gt, check_exact=True)
    assert (a.n_units, a.periods, a.groups, a.dropped) == (b.n_units, b.periods, b.groups, b.dropped)
    assert np.array_equal(a.influence_functions, b.influence_functions)
    for kind in ("simple", "group", "dynamic", "calendar"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # (means of no cells, on tiny panels)
            try:
                x = a.aggregate(kind)
            except (ValueError, IndexError) as exc:  # (an aggregation with no cells at all)
                with pytest.raises(type(exc), match=re.escape(str(exc))):
                    b.aggregate(kind)
                continue
            y = b.aggregate(kind)
        assert np.array_equal([x.att, x.se], [y.att, y.se], equal_nan=True), kind
        pd.testing.assert_frame_equal(x.table, y.table, check_exact=True)


@pytest.mark.parametrize("control_group", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
@pytest.mark.parametrize("per_cell", [False, True])
def test_wide_entry_gives_the_long_results_on_mpdta(mpdta, monkeypatch, control_group, base_period, per_cell):
    """group_time_att_wide on the units × years matrix of mpdta: bit for bit the results of
    group_time_att on the long panel (and so R's), with the influence functions as one matrix
    and kept per cell."""
    from so_eval.effects.did import group_time_att_wide, influence

    if per_cell:
        monkeypatch.setattr(influence, "_DENSE_IF_BYTES", 0)
    kw = {"control_group": control_group, "base_period": base_period}
    long = group_time_att(mpdta, unit="countyreal", time="year", group="first_treat", outcome="lemp", **kw)
    y, g, years = _mpdta_wide(mpdta)
    wide = group_time_att_wide(
        y, g, periods=years, unit="countyreal", time="year", group="first_treat", outcome="lemp", **kw
    )
    assert isinstance(wide._inf, influence._Influence) == per_cell
    _same_result(long, wide)
    if control_group == "never_treated" and base_period == "varying":
        got = wide.att_gt.set_index(["group", "time"])["att"]
        for key, value in PUBLISHED_ATT_GT.items():
            assert _close4(got[key], value), key


def _long_form(y: np.ndarray, g: np.ndarray, periods: np.ndarray) -> pd.DataFrame:
    """The long panel of a units × periods matrix; the unit column sorts in the rows' order."""
    n, t = y.shape
    units = pd.Categorical.from_codes(np.repeat(np.arange(n), t), categories=[f"u{i}" for i in range(n)])
    return pd.DataFrame({"unit": units, "period": np.tile(periods, n), "group": np.repeat(g, t), "y": y.ravel()})


def _outcome_of(fn, *args, **kwargs):
    """(result or the error's type and message, the warnings' messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = fn(*args, **kwargs)
        except (ValueError, IndexError) as exc:
            res = (type(exc).__name__, str(exc))
    return res, sorted(str(w.message) for w in caught)


def test_wide_entry_follows_every_rule_of_the_long_panel():
    """On random small panels with the awkward cases — missing outcomes (units then dropped),
    a period or a unit with no outcome at all, units treated in the first period, cohorts after
    the last period, NaN groups, no never-treated units, anticipation — the wide entry gives
    the long entry's estimates, dropped counts, warnings and errors."""
    from so_eval.effects.did import group_time_att_wide

    rng = np.random.default_rng(7)
    seen = set()
    for _ in range(120):
        n, t = int(rng.integers(8, 50)), int(rng.integers(3, 8))
        periods = (
            np.sort(rng.choice(np.arange(1, 25), t, replace=False)).astype(float)
            if rng.random() < 0.5
            else np.arange(1.0, t + 1)
        )
        choices = list(periods[1:]) + [0, 0]
        choices += [periods[0]] * (rng.random() < 0.3) + [periods[-1] + 5] * (rng.random() < 0.3)
        choices += [np.nan] * (rng.random() < 0.3)
        if rng.random() < 0.2:
            choices = [c for c in choices if not np.isnan(c) and c != 0]
        g = rng.choice(np.array(choices, dtype=float), n)
        y = rng.normal(size=(n, t)) + (g[:, None] > 0) * (periods[None, :] >= g[:, None])
        if rng.random() < 0.6:
            y[rng.random((n, t)) < rng.uniform(0, 0.15)] = np.nan
        if rng.random() < 0.2:
            y[:, rng.integers(t)] = np.nan
        if rng.random() < 0.2:
            y[rng.integers(n), :] = np.nan
        kw = {
            "control_group": str(rng.choice(["never_treated", "not_yet_treated"])),
            "base_period": str(rng.choice(["varying", "universal"])),
            "anticipation": int(rng.integers(0, 2)),
        }
        long, w_long = _outcome_of(
            group_time_att, _long_form(y, g, periods), unit="unit", time="period", group="group", outcome="y", **kw
        )
        wide, w_wide = _outcome_of(group_time_att_wide, y, g, periods=periods, outcome="y", **kw)
        assert w_long == w_wide
        if isinstance(long, tuple) or isinstance(wide, tuple):
            assert long == wide
            seen.add(long[1][:30])
        else:
            _same_result(long, wide)
            seen.update(long.dropped)
    # the cases did occur
    for case in (
        "rows_with_missing_values",
        "units_not_observed_in_all_periods",
        "units_treated_in_first_period",
        "there is no never-treated group",
        "never-treated group is too small",
    ):
        assert any(s.startswith(case[:30]) for s in seen), case


def test_wide_entry_checks_its_input():
    from so_eval.effects.did import group_time_att_wide

    y = np.zeros((6, 3))
    g = np.array([0, 0, 0, 2, 2, 3])
    with pytest.raises(ValueError, match="matrix"):
        group_time_att_wide(y[0], g)
    with pytest.raises(ValueError, match="one per unit"):
        group_time_att_wide(y, g[:5])
    with pytest.raises(ValueError, match="strictly increasing"):
        group_time_att_wide(y, g, periods=[1, 3, 2])
    with pytest.raises(ValueError, match="first treated period"):
        group_time_att_wide(y, -g)
    with pytest.raises(ValueError, match="control_group"):
        group_time_att_wide(y, g, control_group="everyone")
    with pytest.raises(ValueError, match="no complete rows"), pytest.warns(UserWarning, match="18 rows"):
        group_time_att_wide(np.full((6, 3), np.nan), g)
