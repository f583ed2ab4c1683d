"""Projections respect the range of what they project (issue 13, point 5): a count by a Poisson
model (never below 0), a share by a binomial model on its counts (inside [0, 1], each year weighted
by its denominator), years whose basis is too small to be shown left out, and no projection from
fewer than three years. Answers are worked out by hand in the comments or taken from statsmodels'
GLM fitted here directly (the oracle), and the prediction intervals from the predictive
distribution integrated here with scipy's quad (or simulated)."""

from __future__ import annotations

import math
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import integrate, special, stats

from so_eval.plots.screening import projection_plot
from so_eval.screening import NO_PROJECTION_FEW_YEARS, project_to_target

# -- oracles -------------------------------------------------------------------------------------


def glm(years, k, n=None):
    """statsmodels' GLM on the year counted from the first: Poisson (log) or binomial (logit)."""
    X = sm.add_constant(np.asarray(years, dtype=float) - years[0])
    if n is None:
        return sm.GLM(np.asarray(k, dtype=float), X, family=sm.families.Poisson()).fit()
    return sm.GLM(np.column_stack([k, np.subtract(n, k)]), X, family=sm.families.Binomial()).fit()


def linear_interval(years, values, at, level=0.95):
    """The old rule: OLS on the yearly values, t-based prediction interval for a new year."""
    X = sm.add_constant(np.asarray(years, dtype=float))
    pred = sm.OLS(np.asarray(values, dtype=float), X).fit().get_prediction(np.array([[1.0, at]]))
    frame = pred.summary_frame(alpha=1 - level)
    return float(frame["obs_ci_lower"].iloc[0]), float(frame["obs_ci_upper"].iloc[0])


def normal_mixture_quantile(cdf_given_eta, eta, se, q):
    """Smallest whole y with P(Y <= y) >= q, where P(Y <= y) = E[F(y | eta + se Z)], Z normal,
    integrated with quad (independent of the 400 nodes the code mixes over)."""

    def cdf(y):
        return integrate.quad(lambda z: cdf_given_eta(y, eta + se * z) * stats.norm.pdf(z), -12, 12, limit=200)[0]

    y = 0
    while cdf(y) < q:
        y += 1
    return y


def frame(years, k, n=None):
    d = pd.DataFrame({"year": years, "k": k})
    if n is not None:
        d["n"] = n
    return d


# -- counts: Poisson, never below 0 ----------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Perfect separation")  # statsmodels' word for an exact fit
def test_falling_count_by_hand_stays_at_or_above_zero():
    years, k = [2022, 2023, 2024], [40, 20, 10]
    # the old rule: a line through 40, 20, 10 falls 15 a year: 23,33 - 15 * 3 = -21,67 in 2026, and
    # its interval lies further below 0 still
    assert np.polyval(np.polyfit(years, k, 1), 2026) == pytest.approx(-21.6667, abs=1e-4)
    assert linear_interval(years, k, 2026)[0] < 0
    r = project_to_target(frame(years, k), year="year", value="k", target=50, target_year=2026)
    # halving every year fits exactly: mu = 40 * 2^-t (t = year - 2022), so 2026 (t = 4) gives 2,5;
    # the slope is log(1/2) a year, and Pearson's chi-square is 0, so the scale stays at 1
    assert r.model == "poisson" and r.projected == pytest.approx(2.5, rel=1e-6)
    assert r.slope == pytest.approx(-math.log(2), rel=1e-6) and r.dispersion == 1.0
    # se of eta in 2026 by hand: the information X'WX with W = mu = (40, 20, 10) at t = 0, 1, 2 is
    # [[70, 40], [40, 60]] (sum mu, sum t mu, sum t^2 mu), det 2600, so var(eta at t=4) =
    # (60 - 2*4*40 + 16*70) / 2600 = 860 / 2600
    se = math.sqrt(860 / 2600)
    oracle = glm(years, k)
    x = np.array([1.0, 4.0])
    assert math.sqrt(x @ oracle.cov_params() @ x) == pytest.approx(se, rel=1e-5)  # IRLS's tolerance
    lo, hi = r.intervals[0.95]
    assert lo == 0.0  # never below 0: the interval's ends are quantiles of a count
    # the upper end is the 97,5 % quantile of Poisson(exp(eta)) mixed over eta ~ N(log 2,5, se^2)
    assert hi == normal_mixture_quantile(lambda y, e: stats.poisson.cdf(y, np.exp(e)), math.log(2.5), se, 0.975)
    assert (r.table[["lower80", "lower95"]] >= 0).all().all()
    assert r.status == "off track" and r.prob_reach < 0.01  # 50 is far above 2,5


def test_overdispersed_falling_count_matches_glm_and_simulation():
    years, k = [2019, 2020, 2021, 2022, 2023, 2024], [30, 22, 21, 8, 11, 3]
    assert linear_interval(years, k, 2026)[0] < 0  # the old rule's interval reaches below 0
    r = project_to_target(frame(years, k), year="year", value="k", target=10, target_year=2026)
    oracle = glm(years, k)
    fitted = r.table.set_index("year").loc[years, "fit"].to_numpy()
    assert fitted == pytest.approx(oracle.fittedvalues, rel=1e-8)
    assert r.projected == pytest.approx(math.exp(oracle.params[0] + 7 * oracle.params[1]), rel=1e-8)
    # the scale is Pearson's chi-square over 6 - 2 degrees of freedom (above 1 here: quasi-Poisson)
    scale = float(np.sum((np.array(k) - oracle.fittedvalues) ** 2 / oracle.fittedvalues)) / 4
    assert scale > 1 and r.dispersion == pytest.approx(scale, rel=1e-8)
    lo, hi = r.intervals[0.95]
    assert lo >= 0 and float(lo).is_integer() and float(hi).is_integer()
    # simulate the predictive distribution: eta = eta_hat + se * T (t on 4 df, the scale being
    # estimated), Y negative binomial with mean mu and variance scale * mu
    rng = np.random.default_rng(13)
    x = np.array([1.0, 7.0])
    se = math.sqrt(x @ (oracle.cov_params() * scale) @ x)
    mu = np.exp(x @ oracle.params + se * rng.standard_t(4, 400_000))
    y = rng.negative_binomial(mu / (scale - 1), 1 / scale)
    assert abs(lo - np.quantile(y, 0.025, method="inverted_cdf")) <= 1
    assert abs(hi - np.quantile(y, 0.975, method="inverted_cdf")) <= 1
    assert r.prob_reach == pytest.approx(np.mean(y >= 10), abs=0.01)


# -- shares: binomial, inside [0, 1] -------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Perfect separation")
def test_share_near_one_by_hand_stays_at_or_below_one():
    years, k, n = [2022, 2023, 2024], [2, 5, 8], [10, 10, 10]
    # the old rule: a line through 20 %, 50 %, 80 % gives 110 % in 2025
    assert np.polyval(np.polyfit(years, np.divide(k, n), 1), 2025) == pytest.approx(1.1)
    r = project_to_target(frame(years, k, n), year="year", value="k", n="n", target=0.6, target_year=2025)
    # the odds 1:4, 1:1, 4:1 are log-linear (x4 a year), so the logit fits exactly: 2025 has odds 16:1,
    # a share of 16/17; the scale stays at 1
    assert r.model == "binomial" and r.projected == pytest.approx(16 / 17, rel=1e-6)
    assert r.slope == pytest.approx(math.log(4), rel=1e-6) and r.dispersion == 1.0
    assert r.future_n == 10  # a predicted year has as many courses as the fitted years on average
    oracle = glm(years, k, n)
    x = np.array([1.0, 3.0])
    se = math.sqrt(x @ oracle.cov_params() @ x)
    lo, hi = r.intervals[0.95]
    assert lo >= 0 and hi <= 1
    # the ends are quantiles of Binomial(10, expit(eta)) mixed over eta ~ N(log 16, se^2), over 10
    for q, end in ((0.025, lo), (0.975, hi)):
        y = normal_mixture_quantile(lambda y, e: stats.binom.cdf(y, 10, special.expit(e)), math.log(16), se, q)
        assert end == pytest.approx(y / 10)
    band = r.table[["lower80", "upper80", "lower95", "upper95"]]
    assert ((band >= 0) & (band <= 1)).all().all()


def test_noisy_shares_near_one_match_glm():
    years, k, n = [2021, 2022, 2023, 2024], [90, 97, 95, 99], [100, 100, 100, 100]
    assert linear_interval(years, np.divide(k, n), 2025)[1] > 1  # the old rule's interval passes 100 %
    r = project_to_target(frame(years, k, n), year="year", value="k", n="n", target=0.95, target_year=2025)
    oracle = glm(years, k, n)
    assert r.table.set_index("year").loc[years, "fit"].to_numpy() == pytest.approx(oracle.fittedvalues, rel=1e-8)
    assert r.projected == pytest.approx(special.expit(oracle.params[0] + 4 * oracle.params[1]), rel=1e-8)
    for lv in (0.8, 0.95):
        lo, hi = r.intervals[lv]
        assert 0 <= lo <= r.projected <= hi <= 1


# -- which years enter the fit -------------------------------------------------------------------


def test_years_with_a_small_basis_are_left_out():
    # shares: 2020 rests on 1 course and 2022 on 4; with min_basis 5 they are out, and the result
    # is the result without them
    full = frame([2019, 2020, 2021, 2022, 2023, 2024], [20, 1, 30, 1, 40, 38], [40, 1, 50, 4, 60, 55])
    cut = project_to_target(full, year="year", value="k", n="n", target=0.6, target_year=2025, min_basis=5)
    without = project_to_target(
        full.loc[~full["year"].isin([2020, 2022])], year="year", value="k", n="n", target=0.6, target_year=2025
    )
    assert cut.years_used == (2019, 2021, 2023, 2024) == without.years_used
    assert cut.projected == pytest.approx(without.projected, rel=1e-12)
    assert cut.intervals == without.intervals and cut.dispersion == pytest.approx(without.dispersion)
    assert cut.future_n == without.future_n == 51  # (40 + 50 + 60 + 55) / 4 = 51,25
    assert cut.table.set_index("year").loc[[2020, 2022], "used"].tolist() == [False, False]
    # the two small years pull the other way (100 % and 25 %): with them in, the fit differs
    everything = project_to_target(full, year="year", value="k", n="n", target=0.6, target_year=2025)
    assert everything.n_points == 6 and everything.projected != pytest.approx(cut.projected, rel=1e-3)
    # counts: a count below min_basis (3, and 0: the cut is the same at both ends) is out
    counts = frame([2020, 2021, 2022, 2023, 2024], [12, 3, 15, 0, 18])
    r = project_to_target(counts, year="year", value="k", target=20, target_year=2025, min_basis=5)
    assert r.years_used == (2020, 2022, 2024)
    assert r.projected == pytest.approx(math.exp(glm([2020, 2022, 2024], [12, 15, 18]).params @ [1, 5]))


def test_two_usable_years_give_no_projection_and_say_why():
    data = frame([2021, 2022, 2023, 2024], [1, 12, 2, 20], [1, 20, 4, 30])
    r = project_to_target(data, year="year", value="k", n="n", target=0.7, target_year=2025, min_basis=5)
    assert r.n_points == 2 and r.years_used == (2022, 2024)
    assert math.isnan(r.projected) and math.isnan(r.prob_reach) and r.status == "unknown"
    assert all(math.isnan(lo) and math.isnan(hi) for lo, hi in r.intervals.values())
    assert r.table["fit"].isna().all() and r.table["lower95"].isna().all()
    sentence = NO_PROJECTION_FEW_YEARS.format(target_year=2025)
    assert r.no_projection == r.statement == sentence
    assert re.findall(r"\d+", sentence) == ["2025"]  # names no count, only the target year
    assert sentence.startswith("Der vises ingen fremskrivning") and sentence.endswith(".")
    assert sentence.count(".") == 1  # one sentence
    # three usable years do give one
    more = pd.concat([data, frame([2019], [10], [25])])
    assert np.isfinite(
        project_to_target(more, year="year", value="k", n="n", target=0.7, target_year=2025, min_basis=5).projected
    )


def test_a_share_at_its_bound_gives_no_projection():
    # 0 %, 0 %, 100 %: the likelihood's maximum is at an infinite slope
    r = project_to_target(
        frame([2022, 2023, 2024], [0, 0, 10], [10, 10, 10]), year="year", value="k", n="n", target=0.6, target_year=2025
    )
    assert math.isnan(r.projected) and "grænsen af det mulige (0 eller 100 %)" in r.no_projection
    assert re.findall(r"\d+", r.no_projection) == ["2025", "0", "100"]


# -- weighting by the denominator ----------------------------------------------------------------


def test_a_year_of_100_courses_pulls_more_than_a_year_of_10():
    years = [2021, 2022, 2023, 2024]
    fits = {}
    for last_n in (100, 10):  # 2024 at 90 %, on 100 courses or on 10
        k, n = [50, 55, 60, last_n * 9 // 10], [100, 100, 100, last_n]
        r = project_to_target(frame(years, k, n), year="year", value="k", n="n", target=0.6, target_year=2025)
        fits[last_n] = r.table.set_index("year")["fit"]
        # the binomial MLE solves sum (k - n p) = 0 and sum t (k - n p) = 0: each year's residual
        # counts with its number of courses (an unweighted fit would solve sum (k/n - p) = 0)
        p = fits[last_n].loc[years].to_numpy()
        t = np.arange(4)
        assert np.sum(np.array(k) - np.array(n) * p) == pytest.approx(0, abs=1e-6)
        assert np.sum(t * (np.array(k) - np.array(n) * p)) == pytest.approx(0, abs=1e-6)
        # the same as statsmodels' GLM on the shares with the courses as variance weights
        shares = np.divide(k, n)
        weighted = sm.GLM(
            shares,
            sm.add_constant(t.astype(float)),
            family=sm.families.Binomial(),
            var_weights=np.array(n, dtype=float),
        ).fit()
        assert p == pytest.approx(weighted.fittedvalues, rel=1e-8)
        if last_n == 10:  # and not the unweighted fit, which gives 2024 the weight of the others
            unweighted = sm.GLM(shares, sm.add_constant(t.astype(float)), family=sm.families.Binomial()).fit()
            assert abs(p[-1] - unweighted.fittedvalues[-1]) > 0.02
            assert np.sum(shares - p) != pytest.approx(0, abs=1e-3)
    # 90 % on 100 courses pulls the 2024 fit closer to 90 % than 90 % on 10 courses does
    assert abs(fits[100].loc[2024] - 0.9) < abs(fits[10].loc[2024] - 0.9)
    assert fits[100].loc[2025] > fits[10].loc[2025]


# -- status, reach and input checks --------------------------------------------------------------


def test_status_reached_early_not_reached_and_lower_is_better():
    df = frame([2021, 2022, 2023, 2024], [10, 30, 55, 62])
    r = project_to_target(df, year="year", value="k", target=50, target_year=2025)
    assert r.reached_year == 2023 and r.status == "reached early"
    assert r.statement == "Målet på 50 blev nået i 2023 – før tid."
    late = project_to_target(df, year="year", value="k", target=100, target_year=2024)
    assert late.status == "not reached" and late.statement == "Målet på 100 blev ikke nået i 2024."
    # lower is better (e.g. citizens on benefits): a rising count does not reach 5 by 2026
    down = project_to_target(df, year="year", value="k", target=5, target_year=2026, higher_is_better=False)
    assert down.status == "off track" and down.prob_reach < 0.05
    # a count projected towards a target: the Danish statement names the model and the interval
    r = project_to_target(frame([2021, 2022, 2023], [20, 22, 25]), year="year", value="k", target=30, target_year=2025)
    lo, hi = r.intervals[0.95]
    assert r.statement.startswith("En Poisson-model for trenden giver ")
    assert f"95 %-prædiktionsinterval {int(lo)}–{int(hi)}" in r.statement


def test_projection_rejects_what_is_not_a_count_or_share():
    with pytest.raises(ValueError, match="count"):
        project_to_target(frame([2022, 2023, 2024], [1.5, 2, 3]), year="year", value="k", target=3, target_year=2025)
    with pytest.raises(ValueError, match="numerator"):
        project_to_target(
            frame([2022, 2023, 2024], [5, 12, 3], [10, 10, 10]),
            year="year",
            value="k",
            n="n",
            target=0.5,
            target_year=2025,
        )
    with pytest.raises(ValueError, match="unique"):
        project_to_target(frame([2022, 2022, 2024], [1, 2, 3]), year="year", value="k", target=3, target_year=2025)


def test_tidy_and_summary():
    r = project_to_target(
        frame([2021, 2022, 2023, 2024], [10, 21, 29, 41]), year="year", value="k", target=50, target_year=2025
    )
    t = r.tidy()
    assert list(t["year"]) == [2021, 2022, 2023, 2024, 2025] and t.loc[4, "kind"] == "projected"
    t.loc[0, "fit"] = -1.0  # a copy
    assert r.table.loc[0, "fit"] > 0
    text = r.summary()
    assert "poisson GLM, log link" in text and "2021, 2022, 2023, 2024 (4)" in text and "95% PI" in text


# -- the plot ------------------------------------------------------------------------------------


def test_projection_plot_draws_the_bounded_band_and_not_the_left_out_years():
    data = frame([2019, 2020, 2021, 2022, 2023], [30, 2, 18, 12, 8])  # 2020 is below min_basis 5
    r = project_to_target(data, year="year", value="k", target=20, target_year=2025, min_basis=5)
    ax = projection_plot(r, ylabel="Borgere i job")
    observed, trend, _target = ax.lines
    assert list(observed.get_xdata()) == [2019, 2021, 2022, 2023]  # 2020 is not drawn
    assert trend.get_label() == "Trend / fremskrivning (Poisson-model)"
    assert ax.get_ylim()[0] == 0
    bands = [c for c in ax.collections if c.get_label().endswith("prædiktionsinterval")]
    assert len(bands) == 2 and all(np.min(b.get_paths()[0].vertices[:, 1]) >= 0 for b in bands)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Mål 2025: 20" in legend and "95 %-prædiktionsinterval" in legend
    ax.figure.canvas.draw()
    assert "2025" in [t.get_text() for t in ax.get_xticklabels()]  # years without thousands separator
    share = project_to_target(
        frame([2022, 2023, 2024], [2, 5, 8], [10, 10, 10]), year="year", value="k", n="n", target=0.6, target_year=2025
    )
    ax = projection_plot(share, percent=True)
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] <= 1.05
    assert ax.lines[1].get_label() == "Trend / fremskrivning (logistisk model)"


# -- in the annual report ------------------------------------------------------------------------

CITIZENS_HEAD = "citizen_id,birth_year,gender,target_group,origin,registered\n"
COURSES_HEAD = "course_id,citizen_id,agreement_id,start,end,start_step,end_step,end_status,registered\n"
JOBS_HEAD = "job_id,citizen_id,course_id,start,end,job_type,weekly_hours,registered\n"


def write_series(folder, ended: dict[int, tuple[int, int]], jobs: dict[int, int]):
    """The tiny dataset's enterprises and agreements, with, per year, ``ended[year] = (ended,
    progressed)`` courses under agreement A1 (one citizen each: afklaring → praktik, or staying at
    afklaring) and ``jobs[year]`` citizens who each start one job that year (on a course of their
    own that has not ended, so it adds nothing to goal 2)."""
    from tiny import write_tiny

    citizens, courses, job_rows = [], [], []
    for y, (n, k) in ended.items():
        for i in range(n):
            cid, end_step = f"P{y}{i:02d}", "praktik" if i < k else "afklaring"
            citizens.append(f"{cid},1980,k,kontanthjælp,dansk,{y - 1}-12-01")
            courses.append(f"K{cid},{cid},A1,{y}-02-01,{y}-10-01,afklaring,{end_step},{end_step},{y}-02-02")
    for y, j in jobs.items():
        for i in range(j):
            cid = f"J{y}{i:02d}"
            citizens.append(f"{cid},1985,m,kontanthjælp,dansk,{y - 1}-12-01")
            courses.append(f"K{cid},{cid},A1,{y}-01-10,,motivation,,,{y}-01-11")
            job_rows.append(f"J{cid},{cid},K{cid},{y}-03-01,,ordinært job,37,{y}-03-02")
    return write_tiny(
        folder,
        citizens=CITIZENS_HEAD + "\n".join(citizens) + "\n",
        courses=COURSES_HEAD + "\n".join(courses) + "\n",
        progression="citizen_id,course_id,date,step,weekly_paid_hours,registered\n",
        jobs=JOBS_HEAD + "\n".join(job_rows) + "\n",
        learnings=None,
    )


def report_on(folder, tmp_path):
    from so_eval import load, validate
    from so_eval.annual import AnnualReport
    from so_eval.params import ReportParams

    assert validate(folder) == []
    return AnnualReport(
        load(folder),
        ReportParams(
            year=2024, data_dir=str(folder), published_dir=str(tmp_path / "pub"), targets={"progressed_share": 0.6}
        ),
    )


# jobs: 2020 has 2 citizens in a job (shown as <5, so left out); 2021-2024 have 6, 7, 5, 8
JOBS = {2020: 2, 2021: 6, 2022: 7, 2023: 5, 2024: 8}


def test_report_projects_goal1_from_the_shown_years_only(tmp_path):
    r = report_on(write_series(tmp_path / "d", {2021: (12, 6), 2022: (14, 7), 2023: (16, 9)}, JOBS), tmp_path)
    ledger = r.ledger
    assert ledger["goal1.jobs.2020"].suppressed and not ledger["goal1.jobs.2021"].suppressed
    res = r.projections["goal1"]
    assert res.model == "poisson" and res.years_used == (2021, 2022, 2023, 2024)
    oracle = glm([2021, 2022, 2023, 2024], [6, 7, 5, 8])  # the Poisson GLM without 2020
    expected = math.exp(oracle.params[0] + 4 * oracle.params[1])  # 2025 is t = 4
    assert ledger["goal1.projection.2025"].value == pytest.approx(expected, rel=1e-8)
    lo, hi = ledger["goal1.projection.2025.low95"].value, ledger["goal1.projection.2025.high95"].value
    assert 0 <= lo <= expected <= hi and (lo, hi) == res.intervals[0.95]
    text = r.goal1().text
    from so_eval import fmt

    assert (
        f"Fremskrivningen til 2025 giver {fmt.number(expected)} borgere i job "
        f"(95 %-prædiktionsinterval {fmt.number(lo)}–{fmt.number(hi)})"
    ) in text
    assert "ud fra årene 2021–2024 med en Poisson-model" in text
    # the plot shows the same bounded interval in its corner
    (fig,) = [
        part[0]
        for kind, part in r.goal1().parts
        if kind == "figure" and part[1] == "Fremskrivning: borgere i job pr. år"
    ]
    corner = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert f"95 %-prædiktionsinterval {fmt.number(lo)}–{fmt.number(hi)}" in corner
    assert (
        "År, hvor tallet ikke kan vises, fordi det bygger på for få, eller hvor det endnu er foreløbigt, indgår ikke."
        in text
    )
    method = r.method().text
    assert "Fremskrivning mod målene" in method and "Poisson-model" in method and "logistisk model" in method


def test_report_gives_no_goal2_projection_from_two_shown_years(tmp_path):
    # ended (progressed): 2020 4 (2) and 2022 1 (1) and 2024 3 (2) rest on fewer than 5 courses;
    # only 2021 and 2023 are shown: no projection, and one sentence says why
    ended = {2020: (4, 2), 2021: (12, 6), 2022: (1, 1), 2023: (14, 7), 2024: (3, 2)}
    r = report_on(write_series(tmp_path / "d", ended, JOBS), tmp_path)
    res = r.projections["goal2"]
    assert res.years_used == (2021, 2023) and math.isnan(res.projected)
    assert "goal2.projection.2025" not in r.ledger
    sentence = NO_PROJECTION_FEW_YEARS.format(target_year=2025)
    assert f"**Fremskrivning:** {sentence}" in r.goal2().text


def test_report_fits_goal2_to_the_counts_of_the_shown_years(tmp_path):
    # as above, but 2024 has 16 courses, 10 with progression: three shown years (2021, 2023, 2024)
    ended = {2020: (4, 2), 2021: (12, 6), 2022: (1, 1), 2023: (14, 7), 2024: (16, 10)}
    r = report_on(write_series(tmp_path / "d", ended, JOBS), tmp_path)
    res = r.projections["goal2"]
    assert res.model == "binomial" and res.years_used == (2021, 2023, 2024)
    oracle = glm([2021, 2023, 2024], [6, 7, 10], [12, 14, 16])  # years 0, 2, 3 from 2021
    expected = special.expit(oracle.params[0] + 4 * oracle.params[1])
    ledger = r.ledger
    assert ledger["goal2.projection.2025"].value == pytest.approx(expected, rel=1e-8)
    lo, hi = ledger["goal2.projection.2025.low95"].value, ledger["goal2.projection.2025.high95"].value
    assert 0 <= lo <= expected <= hi <= 1
    assert res.future_n == 14  # (12 + 14 + 16) / 3
    text = r.goal2().text
    assert "ud fra årene 2021, 2023 og 2024 med en logistisk model for andelen, hvor hvert år vægter" in text
    assert "indgår ikke" in text
