"""Business case, SROI and sensitivity: results worked out by hand in the comments."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from so_eval.metrics import sroi as s

# Test prices: round numbers for hand calculation, NOT real unit prices.
PRICES = {
    "kontanthjælp": {
        "municipality": 2000,
        "state": 1000,
        "source": "testpris",
        "price_year": 2024,
        "note": "tal til test",
    },
    "ressourceforløb": {
        "municipality": 3000,
        "state": 0,
        "source": "testpris",
        "price_year": 2024,
        "note": "tal til test",
    },
}
D = 1 / 1.035  # the discount factor of year 2


def one_participant(**changes) -> s.BusinessCaseInputs:
    """One participant, 10 weeks of self-support in year 1, half of it lost a year, 2 years,
    25.000 kr. for the agreement in year 1, 3.000 kr. saved a week (2.000 municipality, 1.000 state)."""
    base = {
        "effect_weeks": 10,
        "participants": 1,
        "cost": 25_000,
        "prices": PRICES,
        "benefit_mix": {"kontanthjælp": 1.0},
        "horizon": 2,
        "drop_off": 0.5,
        "discount_rate": 0.035,
    }
    return s.BusinessCaseInputs(**{**base, **changes})


# -- unit prices -----------------------------------------------------------------------------


def test_validate_prices_requires_source_price_year_and_note():
    table = s.validate_prices(PRICES)
    assert table.set_index("benefit").loc["kontanthjælp", "total"] == 3000
    assert list(table.columns) == ["benefit", "municipality", "state", "total", "price_year", "source", "note"]
    bad = {"kontanthjælp": {"municipality": 2000, "state": 1000, "price_year": 2024, "note": ""}}
    with pytest.raises(ValueError) as err:
        s.validate_prices(bad)
    assert "'source' is missing" in str(err.value) and "'note' must not be empty" in str(err.value)
    with pytest.raises(ValueError, match="price_year"):
        s.validate_prices({"x": {"municipality": 1, "state": 1, "source": "s", "note": "n"}})
    with pytest.raises(ValueError, match="different price years"):
        s.validate_prices({**PRICES, "fleksjob": {**PRICES["kontanthjælp"], "price_year": 2023}})
    with pytest.raises(ValueError, match="expected 2025"):
        s.validate_prices(PRICES, price_year=2025)
    with pytest.raises(ValueError, match="≥ 0"):
        s.validate_prices({"x": {**PRICES["kontanthjælp"], "state": -5}})


def test_unit_saving_weighted_by_benefit_mix():
    # 60 % kontanthjælp (2.000 + 1.000) and 40 % ressourceforløb (3.000 + 0)
    u = s.unit_saving(PRICES, {"kontanthjælp": 0.6, "ressourceforløb": 0.4})
    assert u == pytest.approx({"municipality": 0.6 * 2000 + 0.4 * 3000, "state": 600, "total": 3000})
    with pytest.raises(ValueError, match="sum to 1"):
        s.unit_saving(PRICES, {"kontanthjælp": 0.5})
    with pytest.raises(ValueError, match="without a unit price"):
        s.unit_saving(PRICES, {"fleksjob": 1.0})


def test_effect_weeks_from_att():
    assert s.effect_weeks_from_att(0.05) == pytest.approx(2.6)
    assert s.effect_weeks_from_att(SimpleNamespace(att=0.1)) == pytest.approx(5.2)


# -- business case ---------------------------------------------------------------------------


def test_business_case_one_participant_by_hand():
    bc = s.business_case(one_participant())
    t = bc.table
    # year 1: 10 weeks × 3.000 = 30.000 gross (20.000 municipality, 10.000 state), cost 25.000,
    #         net 5.000, undiscounted
    # year 2: half the effect: 5 weeks × 3.000 = 15.000, no cost, discounted by 1/1.035
    assert t["effect_weeks"].tolist() == [10, 5]
    assert t["gross_municipality"].tolist() == [20_000, 10_000]
    assert t["gross_state"].tolist() == [10_000, 5_000]
    assert t["cost"].tolist() == [25_000, 0]
    assert t["net"].tolist() == [5_000, 15_000]
    assert t["discount_factor"].tolist() == pytest.approx([1, D])
    assert t["pv"].tolist() == pytest.approx([5_000, 15_000 * D])
    assert bc.npv == pytest.approx(5_000 + 15_000 / 1.035)  # 19.492,75
    assert bc.npv == pytest.approx(19_492.7536, abs=1e-3)
    assert bc.npv_municipality == pytest.approx(-5_000 + 10_000 / 1.035)
    assert bc.pv_savings == pytest.approx(30_000 + 15_000 * D)
    assert bc.pv_cost == pytest.approx(25_000)
    assert bc.payback_year == 1 and bc.price_year == 2024
    # a dearer agreement: year 1 net −10.000, year 2 +14.492,75 → pays back in year 2
    dear = s.business_case(one_participant(cost=40_000))
    assert dear.table["cumulative_pv"].tolist() == pytest.approx([-10_000, -10_000 + 15_000 * D])
    assert dear.payback_year == 2
    # never pays back within the horizon
    assert s.business_case(one_participant(cost=100_000)).payback_year is None


def test_business_case_cost_schedule_and_checks():
    bc = s.business_case(one_participant(cost=(10_000, 10_000)))
    assert bc.table["cost"].tolist() == [10_000, 10_000]
    assert bc.pv_cost == pytest.approx(10_000 + 10_000 * D)
    with pytest.raises(ValueError, match="horizon"):
        s.business_case(one_participant(horizon=11))
    with pytest.raises(ValueError, match="longer than the horizon"):
        s.business_case(one_participant(cost=(1, 2, 3)))
    with pytest.raises(ValueError, match="drop_off"):
        s.business_case(one_participant(drop_off=1.5))
    with pytest.raises(ValueError, match="effect_weeks"):
        s.business_case(one_participant(effect_weeks=60))


def test_break_even_effect_equals_analytic():
    # NPV(w) = w × 3.000 × (1 + 0.5/1.035) − 25.000 = 0 ⇒ w* = 25.000 / (3.000 × (1 + 0.5/1.035))
    analytic = 25_000 / (3_000 * (1 + 0.5 / 1.035))
    inputs = one_participant()
    base = {"effect_weeks": inputs.effect_weeks}

    def npv(a):
        return s.business_case(inputs.with_(**a)).npv

    found = s.break_even(npv, base, "effect_weeks", (0, 52))
    assert found == pytest.approx(analytic, rel=1e-9)
    assert s.business_case(inputs.with_(effect_weeks=found)).npv == pytest.approx(0, abs=1e-6)


def test_business_case_sensitivity_and_break_even_table():
    inputs = one_participant(cost=40_000)
    table = s.business_case_sensitivity(inputs)
    assert set(table["assumption"]) == {
        "effect_weeks",
        "participants",
        "cost_factor",
        "price_factor",
        "drop_off",
        "discount_rate",
        "horizon",
    }
    assert table["swing"].is_monotonic_decreasing
    row = table.set_index("assumption")
    base_npv = s.business_case(inputs).npv
    assert row["result_base"].tolist() == pytest.approx([base_npv] * len(row))
    # the low effect (×0.5 = 5 weeks) by hand: 5×3.000 + 2,5×3.000/1,035 − 40.000
    assert row.loc["effect_weeks", "result_low"] == pytest.approx(15_000 + 7_500 * D - 40_000)
    assert row.loc["effect_weeks", "low_value"] == 5
    # break-even values, analytic:
    # effect: w × 3.000 × (1 + 0,5/1,035) = 40.000
    assert row.loc["effect_weeks", "break_even"] == pytest.approx(40_000 / (3_000 * (1 + 0.5 * D)), rel=1e-9)
    # participants: the same with the effect fixed at 10 weeks: n = 40.000 / (30.000 × (1 + 0,5/1,035))
    assert row.loc["participants", "break_even"] == pytest.approx(40_000 / (30_000 * (1 + 0.5 * D)), rel=1e-9)
    # drop-off: −10.000 + 30.000 (1 − d)/1,035 = 0 ⇒ d = 1 − 10.000 × 1,035 / 30.000
    assert row.loc["drop_off", "break_even"] == pytest.approx(1 - 10_000 * 1.035 / 30_000, rel=1e-9)
    # cost: 40.000 c = 30.000 + 15.000/1,035
    assert row.loc["cost_factor", "break_even"] == pytest.approx((30_000 + 15_000 * D) / 40_000, rel=1e-9)
    # horizon: 1 year gives −10.000, 2 years a positive NPV → 2
    assert row.loc["horizon", "break_even"] == 2
    # discount rate: −10.000 + 15.000/(1 + r) = 0 ⇒ r = 0,5, at the edge of the default range
    assert row.loc["discount_rate", "break_even"] == pytest.approx(0.5, abs=1e-9)


def test_no_break_even_in_plausible_range_is_none():
    # cost 25.000: NPV = 5.000 + 28.985,5 (1 − d) > 0 for every drop-off in [0, 1]
    inputs = one_participant()
    row = s.business_case_sensitivity(inputs, ranges={"drop_off": (0.3, 0.7)}).set_index("assumption")
    assert math.isnan(row.loc["drop_off", "break_even"])
    assert s.break_even(lambda a: s.business_case(inputs.with_(**a)).npv, {"drop_off": 0.5}, "drop_off", (0, 1)) is None


def tied_cost(participants=10, **changes) -> s.BusinessCaseInputs:
    """The cost follows the participants: 20.000 kr. per participant, no fixed cost; otherwise as
    :func:`one_participant` (10 weeks, 3.000 kr. a week, drop-off 50 %, 2 years)."""
    return one_participant(**{"participants": participants, "cost": 0, "cost_per_participant": 20_000, **changes})


def test_cost_per_participant_follows_the_participants_by_hand():
    bc = s.business_case(tied_cost(10))
    # 10 participants: cost 10 × 20.000 = 200.000 in year 1; savings 10 × 10 weeks × 3.000 = 300.000
    # in year 1 and half of it, 150.000, in year 2 (discounted by 1/1,035)
    assert bc.table["cost"].tolist() == [200_000, 0]
    assert bc.table["gross"].tolist() == [300_000, 150_000]
    assert bc.npv == pytest.approx(100_000 + 150_000 / 1.035)  # 244.927,54
    assert bc.npv == pytest.approx(244_927.5362, abs=1e-3)
    # half the participants: half the cost and half the savings, so half the NPV and the same ratio
    half = s.business_case(tied_cost(5))
    assert half.pv_cost == pytest.approx(100_000)
    assert half.pv_savings == pytest.approx(150_000 + 75_000 / 1.035)
    assert half.npv == pytest.approx(bc.npv / 2)
    assert half.pv_savings / half.pv_cost == pytest.approx(bc.pv_savings / bc.pv_cost)  # 2,2246
    # a fixed part and a part per participant add up: 100.000 + 10 × 20.000
    both = s.business_case(tied_cost(10, cost=100_000))
    assert both.table["cost"].tolist() == [300_000, 0]
    assert both.npv == pytest.approx(bc.npv - 100_000)
    with pytest.raises(ValueError, match="cost_per_participant"):
        s.business_case(tied_cost(10, cost_per_participant=-1))


def test_sensitivity_varies_cost_with_participants_and_break_even_out_of_range():
    # 12 citizens in courses: at most 12 participants
    table = s.business_case_sensitivity(tied_cost(10), brackets={"participants": (0, 12)}).set_index("assumption")
    row = table.loc["participants"]
    npv10 = 100_000 + 150_000 / 1.035
    # 8 and 12 participants (±20 %): the cost moves with them, so the NPV is 0,8 and 1,2 × that of 10
    assert row[["low_value", "high_value"]].tolist() == [8, 12]
    assert row["result_low"] == pytest.approx(0.8 * npv10)
    assert row["result_high"] == pytest.approx(1.2 * npv10)
    # NPV = n × 24.492,75 is positive for every n > 0: no break-even (n = 0 is none: nothing spent or saved)
    assert math.isnan(row["break_even"])
    assert row[["bracket_low", "bracket_high"]].tolist() == [0, 12]
    # a unit-price factor is another matter: savings × f − cost = 0 ⇒ f = 200.000 / 444.927,54
    assert table.loc["price_factor", "break_even"] == pytest.approx(200_000 / (300_000 + 150_000 / 1.035), rel=1e-9)
    # a fixed cost of 1 mio. kr.: NPV = n × 44.492,75 − 1.000.000 = 0 at n = 22,48, more than the 12
    fixed = s.business_case_sensitivity(
        tied_cost(10, cost=1_000_000, cost_per_participant=0), brackets={"participants": (0, 12)}
    ).set_index("assumption")
    assert math.isnan(fixed.loc["participants", "break_even"])
    wide = s.business_case_sensitivity(tied_cost(10, cost=1_000_000, cost_per_participant=0)).set_index("assumption")
    assert wide.loc["participants", "break_even"] == pytest.approx(1_000_000 / (30_000 + 15_000 / 1.035), rel=1e-9)
    # fixed 100.000 and 20.000 each: n × 24.492,75 − 100.000 = 0 at n = 4,08, inside 0–12
    mixed = s.business_case_sensitivity(tied_cost(10, cost=100_000), brackets={"participants": (0, 12)}).set_index(
        "assumption"
    )
    assert mixed.loc["participants", "break_even"] == pytest.approx(100_000 / (10_000 + 15_000 / 1.035), rel=1e-9)


def test_mio_kr_rounds_to_a_tenth_of_a_million():
    from so_eval import fmt

    assert fmt.mio_kr(4_121_733) == "4,1 mio. kr."
    assert fmt.mio_kr(-2_399_177) == "-2,4 mio. kr."
    assert fmt.mio_kr(1_250_000_000) == "1.250,0 mio. kr."
    assert fmt.mio_kr(-40_000) == "0,0 mio. kr."  # no "-0,0"
    assert fmt.mio_kr(None) == "–"


def test_business_case_at_confidence_interval():
    att = SimpleNamespace(att=10 / 52, ci_low=0.0, ci_high=20 / 52)
    out = s.business_case_at_ci(one_participant(), att).set_index("point")
    assert out.loc["estimate", "npv"] == pytest.approx(5_000 + 15_000 * D)
    assert out.loc["ci_low", "npv"] == pytest.approx(-25_000)  # no effect: only the cost
    assert out.loc["ci_high", "effect_weeks"] == pytest.approx(20)
    assert out.loc["ci_high", "npv"] == pytest.approx(60_000 + 30_000 * D - 25_000)
    assert math.isnan(out.loc["ci_low", "payback_year"])
    tup = s.business_case_at_ci(one_participant(), (10 / 52, 0.0, 20 / 52))
    assert tup["npv"].tolist() == pytest.approx(out["npv"].tolist())


def test_sensitivity_ci_replaces_effect_range():
    table = s.business_case_sensitivity(one_participant(), effect_ci=(2.0, 18.0)).set_index("assumption")
    assert table.loc["effect_weeks", ["low_value", "high_value"]].tolist() == [2.0, 18.0]
    with pytest.raises(ValueError, match="unknown assumption"):
        s.business_case_sensitivity(one_participant(), ranges={"weather": (0, 1)})


# -- SROI ------------------------------------------------------------------------------------


def test_sroi_by_hand():
    # 10.000 a year gross, deadweight 10 %, attribution 20 %: net year 1 = 10.000 × 0,9 × 0,8 = 7.200;
    # drop-off 20 %: 5.760 in year 2, 4.608 in year 3; discounted at 3,5 %; investment 20.000
    r = s.sroi(10_000, 20_000, horizon=3, drop_off=0.2, deadweight=0.1, attribution=0.2)
    assert r.table["net"].tolist() == pytest.approx([7_200, 5_760, 4_608])
    pv = 7_200 + 5_760 / 1.035 + 4_608 / 1.035**2
    assert r.pv_outcomes == pytest.approx(pv)
    assert r.ratio == pytest.approx(pv / 20_000)
    assert r.npv == pytest.approx(pv - 20_000)
    # several outcomes are added up; displacement reduces like the others
    r2 = s.sroi(
        {"a": 6_000, "b": 4_000}, 20_000, horizon=3, drop_off=0.2, deadweight=0.1, attribution=0.2, displacement=0.5
    )
    assert r2.pv_outcomes == pytest.approx(pv / 2)


def test_sroi_deadweight_from_comparison_group_is_zero():
    r = s.sroi(10_000, 20_000, deadweight="from_comparison_group", from_effect_estimate=True, horizon=1)
    assert r.deadweight == 0 and r.ratio == pytest.approx(0.5)
    assert any("sammenligningsgruppe" in n for n in r.notes)
    # counted twice: refused
    with pytest.raises(ValueError, match="counted twice"):
        s.sroi(10_000, 20_000, deadweight=0.2, from_effect_estimate=True)
    # no comparison group: a share must be given
    with pytest.raises(ValueError, match="effect estimate"):
        s.sroi(10_000, 20_000, deadweight="from_comparison_group")
    with pytest.raises(ValueError):
        s.sroi(10_000, 20_000, attribution=1.2)


def test_sroi_sensitivity_break_even_ratio_one():
    # ratio = 9.000 (1 − a) A / 20.000 with A = 1 + 0,8/1,035 + 0,64/1,035² ⇒ a* = 1 − 20.000/(9.000 A)
    a_factor = 1 + 0.8 / 1.035 + 0.64 / 1.035**2
    table = s.sroi_sensitivity(
        10_000,
        20_000,
        {"attribution": (0.0, 0.3), "outcome_factor": (0.8, 1.2)},
        horizon=3,
        drop_off=0.2,
        deadweight=0.1,
    ).set_index("assumption")
    assert table.loc["attribution", "break_even"] == pytest.approx(1 - 20_000 / (9_000 * a_factor), rel=1e-9)
    assert table.loc["outcome_factor", "result_high"] == pytest.approx(1.2 * 9_000 * a_factor / 20_000)
    # the ranges searched: 0-1 for a share, 0-10 for a factor
    assert table.loc["attribution", ["bracket_low", "bracket_high"]].tolist() == [0, 1]
    assert table.loc["outcome_factor", ["bracket_low", "bracket_high"]].tolist() == [0, 10]
    with pytest.raises(ValueError, match="comparison group"):
        s.sroi_sensitivity(
            10_000, 20_000, {"deadweight": (0, 0.2)}, deadweight="from_comparison_group", from_effect_estimate=True
        )


def test_one_way_sensitivity_table_for_tornado():
    def f(a):
        return 2 * a["x"] - a["y"]

    t = s.one_way_sensitivity(f, {"x": 1.0, "y": 1.0}, {"y": (0.0, 2.0), "x": (0.0, 3.0)}, labels={"x": "X"})
    assert t["assumption"].tolist() == ["x", "y"]  # swing 6 before 2
    assert t.loc[0, ["result_low", "result_high", "swing", "label"]].tolist() == [-1.0, 5.0, 6.0, "X"]
    assert t.loc[1, ["result_low", "result_high"]].tolist() == [2.0, 0.0]


def test_tornado_plot():
    from matplotlib.axes import Axes

    from so_eval.plots.value import tornado_plot

    table = s.business_case_sensitivity(one_participant(cost=40_000))
    ax = tornado_plot(table)
    assert isinstance(ax, Axes)
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == table["label"].iloc[0]  # largest on top
    assert len(ax.patches) == 2 * len(table)
