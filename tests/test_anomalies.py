"""Tests for so_eval.screening and so_eval.plots.screening.

Expected values are worked out by hand (shown in comments) or recomputed independently
with scipy/numpy from the published formulas, never copied from the implementation.
"""

from __future__ import annotations

import doctest
import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from so_eval.plots import screening as plots_anomalies
from so_eval.plots.screening import (
    control_chart_plot,
    funnel_plot,
    run_chart_plot,
)
from so_eval.screening import (
    anhoej_limits,
    control_chart,
    control_limits,
    funnel,
    funnel_limits,
    projection,
    run_chart,
    run_charts,
    yoy,
    yoy_change,
)

matplotlib.use("Agg")  # headless, no windows


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ======================================================================================
# funnel plot
# ======================================================================================
def _spiegelhalter_exact(p: float, n: int, theta: float) -> float:
    """Independent scalar re-implementation of the interpolated binomial limit."""
    # smallest r with F(r) >= p, found by walking the cdf
    r = 0
    while stats.binom.cdf(r, n, theta) < p:
        r += 1
    f_r = stats.binom.cdf(r, n, theta)
    f_rm1 = stats.binom.cdf(r - 1, n, theta) if r > 0 else 0.0
    a = (f_r - p) / (f_r - f_rm1)
    return min(max((r - a) / n, 0.0), 1.0)


@pytest.fixture
def five_units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "aftale": ["A", "B", "C", "D", "E"],
            "job": [20, 25, 55, 110, 60],
            "borgere": [100, 100, 200, 400, 100],
        }
    )


def test_funnel_hand_example_limits(five_units):
    res = funnel_limits(five_units, unit="aftale", events="job", n="borgere", target=0.25, overdispersion=False)
    tab = res.table.set_index("unit")
    # Hand: n = 100, theta = 0.25, p = 0.999. Binomial cdf: F(38) = 0.998600,
    # F(39) = 0.999313 -> r = 39, a = (0.999313 - 0.999) / (0.999313 - 0.998600) = 0.439,
    # upper 99.8 % limit = (39 - 0.439) / 100 = 0.3856.
    assert tab.loc["A", "upper998"] == pytest.approx(0.3856, abs=1e-4)
    assert stats.binom.cdf(38, 100, 0.25) == pytest.approx(0.998600, abs=1e-6)
    assert stats.binom.cdf(39, 100, 0.25) == pytest.approx(0.999313, abs=1e-6)
    # Every limit equals the independent scalar implementation
    for u, row in tab.iterrows():
        n = int(row["n"])
        assert row["lower95"] == pytest.approx(_spiegelhalter_exact(0.025, n, 0.25), abs=1e-12)
        assert row["upper95"] == pytest.approx(_spiegelhalter_exact(0.975, n, 0.25), abs=1e-12)
        assert row["lower998"] == pytest.approx(_spiegelhalter_exact(0.001, n, 0.25), abs=1e-12)
        assert row["upper998"] == pytest.approx(_spiegelhalter_exact(0.999, n, 0.25), abs=1e-12)
        # and is close to the normal approximation 0.25 +/- z * sqrt(.25 * .75 / n)
        se = math.sqrt(0.25 * 0.75 / n)
        assert row["upper95"] == pytest.approx(0.25 + 1.96 * se, abs=0.006), u
        assert row["lower95"] == pytest.approx(0.25 - 1.96 * se, abs=0.006), u
    # the planted outlier E (60 %) is flagged high at both levels; A (20 %) is not
    assert tab.loc["E", "flag"] == "high" and tab.loc["E", "flag95"] == "high"
    assert tab.loc["A", "flag"] is None and tab.loc["A", "flag95"] is None
    assert tab.loc["B", "flag"] is None
    # rate and z on the arcsine-sqrt scale: z = 2 sqrt(n) (asin sqrt(.6) - asin sqrt(.25))
    # = 20 * (0.88608 - 0.52360) = 7.2496
    assert tab.loc["E", "rate"] == pytest.approx(0.6)
    assert tab.loc["E", "z"] == pytest.approx(7.2496, abs=1e-3)
    assert res.target_source == "given" and not res.overdispersion_applied


def test_funnel_pooled_target_and_curve(five_units):
    res = funnel_limits(five_units, unit="aftale", events="job", n="borgere", overdispersion=False)
    # pooled: (20 + 25 + 55 + 110 + 60) / (100 + 100 + 200 + 400 + 100) = 270 / 900 = 0.3
    assert res.target == pytest.approx(0.3)
    curve = res.curve([50, 100, 100.4, 1000])
    assert curve["n"].tolist() == [50, 100, 1000]  # rounded and de-duplicated
    assert set(curve.columns) >= {"n", "target", "lower95", "upper95", "lower998", "upper998"}
    # funnel narrows with n and 99.8 % is outside 95 %
    assert (np.diff(curve["upper998"]) < 0).all() and (np.diff(curve["lower998"]) > 0).all()
    assert (curve["upper998"] > curve["upper95"]).all()
    assert (curve["lower998"] < curve["lower95"]).all()
    assert len(res.curve()) > 50


def test_funnel_excludes_zero_denominator_and_validates():
    df = pd.DataFrame({"u": ["a", "b", "c"], "e": [3, 0, 5], "n": [10, 0, 20]})
    res = funnel_limits(df, unit="u", events="e", n="n")
    assert res.table["unit"].tolist() == ["a", "c"]
    assert any("n == 0" in note and "b" in note for note in res.notes)
    with pytest.raises(ValueError, match="exceed"):
        funnel_limits(pd.DataFrame({"u": ["a"], "e": [5], "n": [3]}), unit="u", events="e", n="n")
    with pytest.raises(KeyError):
        funnel_limits(df, unit="u", events="nope", n="n")


def test_funnel_overdispersion_formula_by_hand():
    df = pd.DataFrame(
        {
            "u": list("ABCDEFGHIJ"),
            "e": [10, 30, 45, 20, 80, 15, 60, 25, 90, 40],
            "n": [100, 100, 150, 120, 200, 90, 160, 110, 180, 130],
        }
    )
    res = funnel_limits(df, unit="u", events="e", n="n", overdispersion=True)
    # independent computation of Spiegelhalter's steps
    e, n = df["e"].to_numpy(float), df["n"].to_numpy(float)
    theta = e.sum() / n.sum()
    z = 2 * np.sqrt(n) * (np.arcsin(np.sqrt(e / n)) - np.arcsin(np.sqrt(theta)))
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    w = 4 * n
    tau2 = (10 * phi - 9) / (w.sum() - (w**2).sum() / w.sum())
    assert res.phi == pytest.approx(phi)
    assert res.tau2 == pytest.approx(tau2)
    assert res.overdispersion_applied and res.tau2_applied == pytest.approx(tau2)
    upper = np.sin(np.arcsin(np.sqrt(theta)) + stats.norm.ppf(0.999) * np.sqrt(1 / (4 * n) + tau2))
    np.testing.assert_allclose(res.table["upper998"], upper**2)
    np.testing.assert_allclose(res.table["z"], z / np.sqrt(1 + 4 * n * tau2))
    assert res.chi2_crit == pytest.approx(stats.chi2.ppf(0.95, 9))
    # the same data with "auto" applies it too (10 * phi far above chi2_9(0.95) = 16.9)
    auto = funnel_limits(df, unit="u", events="e", n="n")
    assert auto.overdispersion_applied and auto.chi2_stat > auto.chi2_crit


def test_funnel_overdispersion_beta_binomial_vs_binomial():
    applied_bb, applied_bin = [], []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        n = rng.integers(50, 500, size=30)
        p = rng.beta(0.3 * 20, 0.7 * 20, size=30)  # sd of true rates ~ 0.10
        bb = pd.DataFrame({"u": range(30), "e": rng.binomial(n, p), "n": n})
        r = funnel_limits(bb, unit="u", events="e", n="n")
        assert r.phi > 1
        applied_bb.append(r.overdispersion_applied)
        plain = pd.DataFrame({"u": range(30), "e": rng.binomial(n, 0.3), "n": n})
        applied_bin.append(funnel_limits(plain, unit="u", events="e", n="n").overdispersion_applied)
    assert np.mean(applied_bb) >= 0.95
    assert np.mean(applied_bin) <= 0.2


def test_funnel_null_calibration():
    rng = np.random.default_rng(2024)
    out998 = out95 = total = 0
    for _ in range(200):
        n = rng.integers(50, 500, size=30)
        df = pd.DataFrame({"u": range(30), "e": rng.binomial(n, 0.3), "n": n})
        tab = funnel_limits(df, unit="u", events="e", n="n").table
        out998 += int(tab["flag998"].notna().sum())
        out95 += int(tab["flag95"].notna().sum())
        total += len(tab)
    assert out998 / total < 0.01  # nominal 0.2 %
    assert 0.02 < out95 / total < 0.08  # nominal 5 %


# ======================================================================================
# run chart
# ======================================================================================
@pytest.mark.parametrize(
    ("n", "run_max", "cross_min"),
    [
        # run limit = round(log2 n) + 3; crossings limit = smallest k with
        # P(Bin(n-1, .5) <= k) >= 0.05. Hand checks:
        # n=10: log2 10 = 3.32 -> 6; Bin(9): F(1) = 10/512 = .020, F(2) = 46/512 = .090 -> 2
        (10, 6, 2),
        (11, 6, 2),
        # n=12: log2 12 = 3.58 -> 7; Bin(11): F(2) = 67/2048 = .033, F(3) = 232/2048 = .113
        (12, 7, 3),
        # n=20: log2 20 = 4.32 -> 7; Bin(19): F(5) = 16664/2^19 = .032, F(6) = .084 -> 6
        (20, 7, 6),
        (22, 7, 7),
        # n=23: log2 23 = 4.52 -> 8 (first n with limit 8)
        (23, 8, 7),
        # n=24: log2 24 = 4.58 -> 8; Bin(23): F(7) = 390656/2^23 = .0466 < .05,
        # F(8) = 880970/2^23 = .105 -> 8
        (24, 8, 8),
        (30, 8, 10),
        (50, 9, 19),
        (100, 10, 41),
    ],
)
def test_anhoej_limits_table(n, run_max, cross_min):
    assert anhoej_limits(n) == (run_max, cross_min)


def test_run_chart_hand_counts_and_crossings_signal():
    # 1..10, median 5.5: five below then five above -> longest run 5, 1 crossing.
    # n = 10: run limit 6 (5 is fine), crossings limit 2 (1 < 2 -> signal).
    df = pd.DataFrame({"t": range(10), "v": range(1, 11)})
    r = run_chart(df, time="t", value="v")
    assert r.median == 5.5 and r.n_useful == 10
    assert (r.longest_run, r.crossings) == (5, 1)
    assert not r.runs_signal and r.crossings_signal and r.signal


def test_run_chart_points_on_median_are_skipped():
    # median 2; sides: -, +, 0, 0, +, -, 0 -> useful -, +, +, -: runs [-][++][-]
    # the two median points neither break the "+" run nor count in it.
    df = pd.DataFrame({"t": range(7), "v": [1, 3, 2, 2, 3, 1, 2]})
    r = run_chart(df, time="t", value="v")
    assert r.median == 2 and r.n_obs == 7 and r.n_useful == 4
    assert (r.longest_run, r.crossings) == (2, 2)
    assert r.table["side"].tolist() == [-1, 1, 0, 0, 1, -1, 0]
    assert r.table["run_id"].isna().tolist() == [False, False, True, True, False, False, True]
    assert r.table.loc[1, "run_id"] == r.table.loc[4, "run_id"]


def test_run_chart_random_series_no_signal_and_false_alarm_rate():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"t": pd.date_range("2023-01-01", periods=24, freq="MS")})
    df["v"] = rng.normal(10, 1, 24)
    r = run_chart(df, time="t", value="v")
    assert not r.signal and r.longest_run <= 8 and r.crossings >= 8
    # over many random series the Anhøj rules rarely signal (~3 % for n = 24)
    rng = np.random.default_rng(7)
    signals = [
        run_chart(pd.DataFrame({"t": range(24), "v": rng.normal(size=24)}), time="t", value="v").signal
        for _ in range(300)
    ]
    assert np.mean(signals) < 0.10


def test_run_chart_planted_shift_signals():
    rng = np.random.default_rng(3)
    # 12 months around 10, then an 8-month level shift to 16 (6 sd): n = 20, limit 7
    v = np.r_[rng.normal(10, 1, 12), rng.normal(16, 1, 8)]
    df = pd.DataFrame({"t": pd.date_range("2023-01-01", periods=20, freq="MS"), "v": v})
    r = run_chart(df.sample(frac=1, random_state=1), time="t", value="v")  # order restored
    assert r.longest_run_max == 7
    assert r.longest_run >= 8 and r.runs_signal and r.signal
    assert r.table["time"].is_monotonic_increasing
    # with the median frozen on the first 12 months the last 8 are all above it
    rb = run_chart(df, time="t", value="v", baseline=12)
    assert rb.median == pytest.approx(np.median(v[:12]))
    assert (rb.table["side"].iloc[12:] == 1).all() and rb.runs_signal
    assert rb.table["baseline"].sum() == 12


# ======================================================================================
# control charts
# ======================================================================================
def test_c_chart_hand_example():
    # baseline 6, 9, 12, 9, 9: mean 9, sigma = sqrt(9) = 3, limits 9 -/+ 9 = 0 and 18.
    df = pd.DataFrame({"m": range(6), "jobs": [6, 9, 12, 9, 9, 19]})
    r = control_limits(df, time="m", value="jobs", kind="c", baseline=5)
    assert r.centre == 9.0 and r.sigma == 3.0
    assert (r.table["lcl"] == 0.0).all() and (r.table["ucl"] == 18.0).all()
    assert r.table["flag"].tolist() == [None] * 5 + ["high"]
    assert r.n_outside == 1 and not r.shift_detected


def test_i_chart_moving_range_hand_example():
    # x = 10, 12, 11, 15, 12: mean 12; MR = 2, 1, 4, 3 -> mean 2.5;
    # sigma = 2.5 / 1.128 = 2.21631; limits 12 -/+ 6.64894 = 5.35106, 18.64894
    df = pd.DataFrame({"m": range(6), "x": [10, 12, 11, 15, 12, 19]})
    r = control_limits(df, time="m", value="x", kind="i", baseline=5)
    assert r.centre == pytest.approx(12.0)
    assert r.sigma == pytest.approx(2.21631, abs=1e-5)
    assert r.table["lcl"].iloc[0] == pytest.approx(5.35106, abs=1e-5)
    assert r.table["ucl"].iloc[0] == pytest.approx(18.64894, abs=1e-5)
    assert r.table["flag"].iloc[-1] == "high" and r.n_outside == 1


def test_p_chart_hand_example():
    # cl = (10 + 20 + 15) / (100 + 200 + 150) = 0.1
    # n = 100: sigma = sqrt(.1 * .9 / 100) = .03 -> limits .01, .19
    # n = 200: sigma = .021213 -> .036360, .163640
    df = pd.DataFrame({"m": [1, 2, 3, 4], "e": [10, 20, 15, 25], "n": [100, 200, 150, 100]})
    r = control_limits(df, time="m", value="e", n="n", kind="p", baseline=3)
    assert r.centre == pytest.approx(0.1)
    assert r.table["lcl"].iloc[0] == pytest.approx(0.01)
    assert r.table["ucl"].iloc[0] == pytest.approx(0.19)
    assert r.table["lcl"].iloc[1] == pytest.approx(0.036360, abs=1e-6)
    assert r.table["ucl"].iloc[1] == pytest.approx(0.163640, abs=1e-6)
    assert r.table["y"].iloc[3] == pytest.approx(0.25) and r.table["flag"].iloc[3] == "high"
    with pytest.raises(ValueError, match="denominator"):
        control_limits(df, time="m", value="e", kind="p")


def test_control_chart_shift_rule():
    base = [6, 5] * 4  # centre line 5.5 from the baseline; ends below it
    seven = pd.DataFrame({"m": range(15), "c": base + [7] * 7})
    eight = pd.DataFrame({"m": range(16), "c": base + [7] * 8})
    r7 = control_limits(seven, time="m", value="c", kind="c", baseline=8)
    r8 = control_limits(eight, time="m", value="c", kind="c", baseline=8)
    assert r7.centre == 5.5 and r7.longest_run == 7 and not r7.shift_detected
    assert r8.longest_run == 8 and r8.shift_detected
    assert r8.table["in_shift"].sum() == 8
    # a point exactly on the centre line breaks the run (4 + 4, not 8)
    broken = pd.DataFrame({"m": range(17), "c": base + [7] * 4 + [5.5] + [7] * 4})
    rb = control_limits(broken, time="m", value="c", kind="i", baseline=8)
    assert rb.centre == 5.5 and not rb.shift_detected


# ======================================================================================
# year-over-year
# ======================================================================================
def test_yoy_counts_exact_poisson_test():
    df = pd.DataFrame({"k": ["A", "A", "B", "B"], "aar": [2023, 2024, 2023, 2024], "e": [10, 30, 28, 31]})
    out = yoy_change(df, key="k", year="aar", events="e").set_index("k")
    # A: 30 of 40 events in the later year; p = 2 P(Bin(40, .5) >= 30) = 0.00222
    p_a = 2 * sum(math.comb(40, j) for j in range(30, 41)) / 2**40
    assert out.loc["A", "p_value"] == pytest.approx(p_a) and p_a == pytest.approx(0.00222, abs=1e-5)
    # B: 31 of 59; p = 2 P(Bin(59, .5) >= 31) = 0.795
    p_b = 2 * sum(math.comb(59, j) for j in range(31, 60)) / 2**59
    assert out.loc["B", "p_value"] == pytest.approx(p_b, abs=1e-10)
    assert p_b == pytest.approx(0.795, abs=1e-3)
    # Holm across the two keys in 2024: A 2 * .00222 = .00444, B max(.00444, .795) = .795
    assert out.loc["A", "p_holm"] == pytest.approx(2 * p_a)
    assert out.loc["B", "p_holm"] == pytest.approx(p_b)
    assert bool(out.loc["A", "flag"]) and not bool(out.loc["B", "flag"])
    assert out.loc["A", "ratio"] == pytest.approx(3.0) and out.loc["A", "change"] == 20
    # exact CI for the ratio excludes 1 for A and contains 1 for B
    assert 1 < out.loc["A", "ratio_low"] < 3 < out.loc["A", "ratio_high"]
    assert out.loc["B", "ratio_low"] < 1 < out.loc["B", "ratio_high"]
    assert out.loc["A", "direction"] == "up"


def test_yoy_holm_within_year_and_consecutive_years_only():
    # three keys in 2024 with raw p-values p1 < p2 < p3: Holm gives
    # (3 p1, max(3 p1, 2 p2), max(., p3))
    df = pd.DataFrame(
        {
            "k": ["A", "A", "B", "B", "C", "C", "D"],
            "aar": [2023, 2024, 2023, 2024, 2023, 2024, 2021],
            "e": [10, 30, 20, 34, 28, 31, 5],
        }
    )
    out = yoy_change(df, key="k", year="aar", events="e")
    assert set(out["k"]) == {"A", "B", "C"}  # D has no consecutive years
    p = out.set_index("k")["p_value"]
    holm = out.set_index("k")["p_holm"]
    assert holm["A"] == pytest.approx(3 * p["A"])
    assert holm["B"] == pytest.approx(max(3 * p["A"], 2 * p["B"]))
    assert holm["C"] == pytest.approx(min(1.0, max(holm["B"], p["C"])))


def test_yoy_proportions():
    df = pd.DataFrame(
        {
            "k": ["A", "A", "S", "S"],
            "aar": [2023, 2024, 2023, 2024],
            "e": [10, 30, 1, 5],
            "n": [100, 100, 10, 10],
        }
    )
    out = yoy_change(df, key="k", year="aar", events="e", n="n").set_index("k")
    # A: 0.10 -> 0.30; pooled p = .2, se = sqrt(.2 * .8 * (1/100 + 1/100)) = .056569,
    # z = .2 / .056569 = 3.5355 -> p = 0.000407
    assert out.loc["A", "test"].startswith("two-proportion")
    assert out.loc["A", "p_value"] == pytest.approx(2 * stats.norm.sf(3.5355339), rel=1e-6)
    assert out.loc["A", "previous"] == pytest.approx(0.1)
    assert out.loc["A", "change"] == pytest.approx(0.2)
    # S: small counts -> Fisher exact on [[5, 5], [1, 9]]
    assert out.loc["S", "test"] == "Fisher exact"
    assert out.loc["S", "p_value"] == pytest.approx(stats.fisher_exact([[5, 5], [1, 9]]).pvalue)
    assert bool(out.loc["A", "flag"]) and not bool(out.loc["S", "flag"])


# ======================================================================================
# projection: tests/test_projection.py (a count by a Poisson model, a share by a binomial
# model: the linear trend these tests checked could go below 0 and above 100 %, issue 13)
# ======================================================================================


# ======================================================================================
# plots
# ======================================================================================
def test_funnel_plot_lines_and_labels(five_units):
    res = funnel_limits(five_units, unit="aftale", events="job", n="borgere", target=0.25, overdispersion=False)
    ax = funnel_plot(res)
    # 2 limits x (lower, upper) + target line
    assert len(ax.lines) == 5
    styles = sorted(line.get_linestyle() for line in ax.lines)
    assert styles.count("--") == 2 and styles.count("-") == 3
    texts = [t.get_text() for t in ax.texts]
    assert "E" in texts and "A" not in texts
    assert ax.get_xlabel() == "Antal borgere" and ax.get_ylabel() == "Andel"
    fig = ax.figure
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all(t.endswith(" %") for t in ticks)
    assert "Mål: 25 %" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert tuple(fig.get_size_inches()) == (7.0, 4.0)


def test_run_chart_plot_signal_annotation():
    v = [5, 7] * 6 + [9] * 8
    ax = run_chart_plot(run_chart(pd.DataFrame({"t": range(20), "v": v}), time="t", value="v"))
    assert len(ax.lines) == 2  # series and median
    assert "Signal" in ax.texts[0].get_text()
    ax2 = run_chart_plot(run_chart(pd.DataFrame({"t": range(20), "v": [5, 7] * 10}), time="t", value="v"))
    assert "Ingen signal" in ax2.texts[0].get_text()


def test_control_chart_plot():
    df = pd.DataFrame({"m": pd.date_range("2024-01-01", periods=6, freq="MS"), "jobs": [6, 9, 12, 9, 9, 19]})
    ax = control_chart_plot(control_limits(df, time="m", value="jobs", kind="c"))
    assert len(ax.lines) == 4  # data, centre, upper, lower
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert any(lbl.startswith(("jan", "feb", "mar", "apr", "maj", "jun")) for lbl in labels)


def test_danish_formatters():
    assert plots_anomalies._da_number(1234.5) == "1.234,5"
    assert plots_anomalies._da_number(1234567, 0) == "1.234.567"
    assert plots_anomalies._da_percent(0.52) == "52 %"
    assert plots_anomalies._da_percent(0.525) == "52,5 %"


# ======================================================================================
# docstring examples
# ======================================================================================
@pytest.mark.parametrize("module", [funnel, run_charts, control_chart, yoy, projection, plots_anomalies])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_holm_equals_statsmodels():
    import numpy as np
    from statsmodels.stats.multitest import multipletests

    from so_eval.screening import holm

    rng = np.random.default_rng(3)
    for m in (1, 2, 5, 17):
        p = rng.uniform(0, 0.2, m)
        p[::3] = p[0]  # ties
        assert np.allclose(holm(p), multipletests(p, method="holm")[1])
    assert holm([0.5, 0.6]).tolist() == [1.0, 1.0]
    assert holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])
