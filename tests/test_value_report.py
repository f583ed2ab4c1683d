"""The value-creation section of the annual report on the demo data: every figure recorded once in
the ledger, equal to the value metrics and to the business case computed here, small person counts
suppressed, and the section still written when the optional tables or the unit prices are missing."""

from __future__ import annotations

import json

import pytest

import so_eval.data.model  # noqa: F401  (first: so_eval.data.model ↔ so_eval.data.model_value import cycle)
from so_eval import fmt
from so_eval.annual.sections.value import KEY_PREFIXES, ValueSection
from so_eval.annual.sections.value.sroi import Sroi
from so_eval.data.dataset import Dataset
from so_eval.metrics import sroi as sr
from so_eval.metrics import value as mv
from so_eval.metrics.reach import agreements_active, citizens_served
from so_eval.params import ReportParams, params_path, read_params
from so_eval.reporting.ledger import Ledger

YEAR = 2025
OPTIONAL = {"finances", "fundraising", "pilots", "partnerships", "circular"}
REACH_KEYS = {
    "value.agreements_active",
    "value.places",
    "value.agreements_price",
    "value.citizens_served",
    "value.jobs_period",
}


@pytest.fixture(scope="module")
def value_params() -> dict:
    return read_params(params_path(YEAR))["value"]


@pytest.fixture(scope="module")
def truth(demo_dir) -> dict:
    return json.loads((demo_dir / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def effect(demo):
    from so_eval.effects.analysis import EffectSpec
    from so_eval.effects.report import DEFAULT_EFFECTS, headline

    e = DEFAULT_EFFECTS
    spec = EffectSpec(
        year=YEAR, outcome=e["outcome"], horizon=str(e["horizon"]), method=e["method"], entry_from=str(e["entry_from"])
    )
    return headline(demo, spec), spec


@pytest.fixture(scope="module")
def section(demo, value_params, effect):
    params = ReportParams(year=YEAR, value=value_params)
    return ValueSection(demo, params, Ledger(min_cell=params.min_cell), effect=effect[0], effect_spec=effect[1])


@pytest.fixture(scope="module")
def block(section):
    return section.block()


def _sroi_keys(ledger: Ledger) -> list[str]:
    return [k for k in ledger.figures if k.startswith("value.sroi.")]


def test_every_expected_key_is_recorded_under_its_own_prefixes(section):
    ledger = section.ledger
    expected = [
        "value.mosaic.enterprises",
        "value.mosaic.revenue",
        "value.mosaic.median_hhi",
        "value.mosaic.dependent",
        "value.mosaic.dependent_share",
        "value.mosaic.dependency_share",
        "value.mosaic.sectors_2plus",
        *(f"value.mosaic.sector.{s}.share" for s in ("privat", "offentlig", "civilsamfund", "andet")),
        "value.mosaic.year.2025.median_hhi",
        "value.mosaic.dependent_enterprise.v009.largest_share",
        "value.bottom_lines.enterprises",
        "value.bottom_lines.local_purchases",
        "value.bottom_lines.volunteers",
        "value.bottom_lines.volunteer_hours",
        "value.bottom_lines.partnerships",
        "value.bottom_lines.enterprise.v019.citizens",
        "value.bottom_lines.enterprise.v019.jobs",
        "value.bottom_lines.enterprise.v019.revenue",
        "value.bottom_lines.enterprise.v019.earned_share",
        "value.fundraising.applications",
        "value.fundraising.success_rate",
        "value.fundraising.raised",
        "value.fundraising.digital_share",
        "value.fundraising.giver_type.fond.raised",
        "value.fundraising.giver_type.privatperson.gifts",
        "value.fundraiser.raised",
        "value.fundraiser.fees",
        "value.fundraiser.net_gain",
        "value.fundraiser.fee_ratio",
        "value.fundraiser.year.2022.fees",
        "value.donors.givers",
        "value.donors.new",
        "value.donors.retained",
        "value.donors.recaptured",
        "value.donors.lapsed",
        "value.donors.retention_rate",
        "value.donors.year.2019.retention_rate",
        "value.pilots.pipeline.stoppet.total",
        "value.pilots.success_share",
        "value.pilots.cumulative.success_share",
        "value.pilots.median_days_to_decision",
        "value.pilots.multi_sector_share",
        "value.survival.first_generation.median",
        "value.survival.second_generation.median",
        "value.survival.first_generation.surviving_3y",
        "value.sdg.4.total",
        "value.sdg.8.total",
        "value.sdg.15.total",
        "value.sdg.17.total",
        "value.circular.items_repaired",
        "value.circular.kg_reused",
        "value.circular.citizen_courses",
        "value.circular.year.2018.items_repaired",
        "value.sroi.npv",
        "value.sroi.npv_municipality",
        "value.sroi.payback_year",
        "value.sroi.ratio",
        "value.sroi.effect_weeks",
        "value.sroi.participants",
        "value.sroi.cost",
        "value.sroi.price.kontanthjaelp.total",
        "value.sroi.sensitivity.effect_weeks.break_even",
        "value.sroi.ci.ci_low.npv",
        "value.sroi.attribution",
        "value.sroi.deadweight",
        "value.sroi.displacement",
    ]
    missing = [k for k in expected if k not in ledger]
    assert not missing, missing
    assert all(k.startswith(KEY_PREFIXES) for k in ledger.figures)
    assert not set(ledger.figures) & REACH_KEYS and not any(k.startswith("value.year.") for k in ledger.figures)


def test_figures_equal_the_value_metrics(section, demo, truth, value_params):
    ledger, y = section.ledger, YEAR
    dep = value_params["dependency_share"]
    # mosaic economy: the planted dependent enterprises are found and named
    assert ledger["value.mosaic.dependent"].value == len(truth["value"]["dependent_by_year"][str(y)])
    assert sorted(section.dependent["enterprise_id"]) == sorted(truth["value"]["dependent_by_year"][str(y)])
    sectors = mv.revenue_by_sector(demo, [y]).set_index("sector")
    for s in ("privat", "offentlig", "civilsamfund", "andet"):
        assert ledger[f"value.mosaic.sector.{s}.share"].value == pytest.approx(sectors.loc[s, "share"])
    per_year = mv.mosaic_per_year(demo, [y], dep).iloc[0]
    assert ledger["value.mosaic.median_hhi"].value == pytest.approx(per_year["median_hhi"])
    # three bottom lines
    tbl = mv.three_bottom_lines(demo, y).set_index("enterprise_id")
    assert ledger["value.bottom_lines.enterprise.v019.citizens"].value == tbl.loc["V019", "citizens"]
    assert ledger["value.bottom_lines.enterprise.v019.revenue"].value == pytest.approx(tbl.loc["V019", "revenue"])
    assert ledger["value.bottom_lines.volunteer_hours"].value == pytest.approx(tbl["volunteer_hours"].sum())
    # fundraising, the fundraiser and donor retention
    fr = mv.fundraising_per_year(demo, [y]).iloc[0]
    assert ledger["value.fundraising.success_rate"].value == pytest.approx(fr["success_rate"])
    assert ledger["value.fundraising.applications"].value == fr["applications"]
    assert ledger["value.fundraiser.fees"].value == pytest.approx(truth["value"]["fundraiser"]["fees"][str(y)])
    ret = mv.donor_retention(demo, [y]).iloc[0]
    assert ledger["value.donors.retention_rate"].value == pytest.approx(ret["retention_rate"])
    assert ledger["value.donors.retention_rate"].value == pytest.approx(
        truth["value"]["donor_retention"][str(y)], abs=1e-6
    )
    for col in ("givers", "new", "retained", "recaptured", "lapsed"):
        assert ledger[f"value.donors.{col}"].value == truth["value"]["donor_flows"][str(y)][col]
    # pilots
    assert ledger["value.pilots.cumulative.success_share"].value == pytest.approx(
        truth["value"]["pilots_scaled_or_continued_share"]
    )
    for status, n in truth["value"]["pilots_by_status"].items():
        key = {"idé": "ide", "igangværende": "igangvaerende", "videreført": "viderefoert"}.get(status, status)
        assert ledger[f"value.pilots.pipeline.{key}.total"].value == n
    # survival, UN goals, circular economy
    _, med = mv.enterprise_survival(demo, y)
    assert ledger["value.survival.first_generation.n"].value == med["n"].iloc[0]
    sdg = mv.sdg_mapping(demo, y).set_index("goal")
    assert ledger["value.sdg.17.total"].value == sdg.loc[17, "total"]
    for col in ("items_repaired", "kg_reused", "citizen_courses"):
        assert ledger[f"value.circular.{col}"].value == pytest.approx(truth["value"]["circular"][str(y)][col])


def test_small_person_counts_are_suppressed(section, block):
    ledger = section.ledger
    persons = [f for f in ledger.figures.values() if f.unit == "borgere" and f.value is not None]
    small = [f for f in persons if 0 < f.value < 5]
    assert small, "the demo should have some small person counts in this section"
    assert all(f.suppressed and f.display == "<5" for f in small)
    # a count of 0 or at least 5 is shown, or hidden as «×» to protect a small one (never as <5)
    assert all(not f.suppressed or f.display == "×" for f in persons if f.value == 0 or f.value >= 5)
    # the 1 recaptured giver in 2020 is masked, and since givers = new + retained + recaptured is
    # shown in the same row, another of the row's parts is hidden too (secondary suppression)
    assert ledger["value.donors.year.2020.recaptured"].display == "<5"
    row = {c: ledger[f"value.donors.year.2020.{c}"] for c in ("givers", "new", "retained", "recaptured")}
    assert not row["givers"].suppressed and sum(row[c].suppressed for c in ("new", "retained", "recaptured")) >= 2
    tables = [p for k, p in block.parts if k == "table"]
    bottom = next(t for t in tables if t.caption.startswith("De tre bundlinjer"))
    assert "<5" in set(bottom.data["Borgere i job"])
    assert not bottom.data["Borgere i job"].isin(["1", "2", "3", "4"]).any()


def test_business_case_equals_sroi_business_case(section, demo, value_params, effect):
    ledger, att = section.ledger, effect[0]
    c = demo.courses.sort_values(["citizen_id", "start", "course_id"]).drop_duplicates("citizen_id")
    new = c.loc[c["start"].dt.year == YEAR, ["citizen_id"]].merge(
        demo.citizens[["citizen_id", "target_group"]], on="citizen_id"
    )
    p = value_params["sroi"]
    inputs = sr.BusinessCaseInputs(
        effect_weeks=att.att * 52,
        participants=len(new),
        # the new participants' share of the agreements' yearly price (cost × new ÷ citizens in courses)
        cost=float(agreements_active(demo, YEAR)["price"].sum()) * len(new) / citizens_served(demo, YEAR),
        prices=p["unit_prices"],
        benefit_mix=new["target_group"].value_counts(normalize=True).to_dict(),
        horizon=p["horizon"],
        drop_off=p["drop_off"],
        discount_rate=p["discount_rate"],
    )
    bc = sr.business_case(inputs)
    assert ledger["value.sroi.participants"].value == len(new)
    assert ledger["value.sroi.npv"].value == pytest.approx(bc.npv)
    assert ledger["value.sroi.npv_municipality"].value == pytest.approx(bc.npv_municipality)
    assert ledger["value.sroi.payback_year"].value == bc.payback_year
    res = sr.sroi(
        float(bc.table["gross"].iloc[0]),
        inputs.cost,
        horizon=p["horizon"],
        drop_off=p["drop_off"],
        discount_rate=p["discount_rate"],
        deadweight="from_comparison_group",
        attribution=1 - p["attribution"],
        displacement=p["displacement"],
        from_effect_estimate=True,
    )
    assert ledger["value.sroi.ratio"].value == pytest.approx(res.ratio)
    # attribution 1 (all owed to the courses) and no displacement: the SROI's NPV is the business case's
    assert res.npv == pytest.approx(bc.npv)
    lo = sr.business_case(inputs.with_(effect_weeks=att.ci_low * 52))
    assert ledger["value.sroi.ci.ci_low.npv"].value == pytest.approx(lo.npv)


def test_block_content(block, section):
    figures = [p for k, p in block.parts if k == "figure"]
    assert len(figures) >= 5
    text = block.text
    for heading in (
        "### Mosaikøkonomi",
        "### Tre bundlinjer",
        "### Fundraising og Den Gyldne Donation",
        "### Piloter og prøvehandlinger",
        "### Overlevelse",
        "### FN's verdensmål og cirkulær økonomi",
        "### Social afkast (SROI og business case)",
    ):
        assert heading in text
    assert "Tømrer Slagelse" in text  # a dependent enterprise named as a risk
    assert "SØM" in text and "antagelser" in text.lower()
    # amounts in the text in 0,1 mio. kr. (the demo's NPV is about -2,4 mio. kr.)
    npv = section.ledger["value.sroi.npv"].value
    assert f"{fmt.number(npv / 1e6, 1)} mio. kr." in text and section.f("value.sroi.npv") not in text
    # the cost follows the participants: 76 and 114 new participants (±20 % of 95) give 0,8 and 1,2 × the
    # NPV, and no number of the 0-225 citizens in courses breaks even
    served = section.ledger["value.sroi.citizens_served"].value
    for end, factor in (("low", 0.8), ("high", 1.2)):
        assert section.ledger[f"value.sroi.sensitivity.participants.npv_{end}"].value == pytest.approx(factor * npv)
    assert f"ikke muligt inden for 0–{fmt.number(served)} deltagere" in text


@pytest.mark.parametrize("value", [{}, {"dependency_share": 0.7}, {"sroi": {"horizon": 5}}])
def test_without_unit_prices_no_business_case(demo, effect, value):
    ledger = Ledger()
    vs = ValueSection(demo, ReportParams(year=YEAR, value=value), ledger, effect=effect[0], effect_spec=effect[1])
    assert _sroi_keys(ledger) == []
    text = vs.subsection(Sroi).block().text
    assert "ikke angivet enhedspriser" in text
    assert ledger["value.mosaic.dependency_share"].value == pytest.approx(0.7)  # the default


def test_without_effect_prices_shown_but_no_business_case(demo, value_params):
    ledger = Ledger()
    vs = ValueSection(demo, ReportParams(year=YEAR, value=value_params), ledger)
    assert "value.sroi.npv" not in ledger and "value.sroi.price.kontanthjaelp.total" in ledger
    assert "ingen effektmåling" in vs.subsection(Sroi).block().text


@pytest.mark.parametrize("empty", [False, True])
def test_optional_tables_missing(demo, value_params, effect, empty):
    if empty:  # present but without rows
        ds = Dataset(tables={k: (v.iloc[0:0] if k in OPTIONAL else v) for k, v in demo.tables.items()})
    else:
        ds = Dataset(tables={k: v for k, v in demo.tables.items() if k not in OPTIONAL})
    ledger = Ledger()
    vs = ValueSection(ds, ReportParams(year=YEAR, value=value_params), ledger, effect=effect[0], effect_spec=effect[1])
    b = vs.block()
    text = b.text
    for name in ("finances", "fundraising", "pilots", "circular"):
        assert f"ingen tabel `{name}`" in text
    assert not any(
        k.startswith(("value.mosaic.", "value.fundraising.", "value.donors.", "value.pilots.", "value.circular."))
        for k in ledger.figures
    )
    # what needs no optional table is still there
    assert (
        "value.survival.first_generation.n" in ledger and "value.sdg.17.total" in ledger and "value.sroi.npv" in ledger
    )
    assert vs.bottom_lines["revenue"].isna().all()
    assert "value.bottom_lines.partnerships" not in ledger  # not shown as 0 when the table is missing
    assert "Omsætning (kr.)" not in vs.bottom_lines_table.data.columns
    assert sum(k == "figure" for k, _ in b.parts) >= 2


def test_business_case_on_the_tiny_data_by_hand(tmp_path):
    """The report's rule on tests/tiny.py (2024), with A1's yearly price set to 1,2 mio. kr."""
    from types import SimpleNamespace

    from so_eval import load
    from tiny import TABLES, write_tiny

    agreements = TABLES["agreements"].replace(",100000,", ",1200000,")
    ds = load(write_tiny(tmp_path / "tiny", agreements=agreements))
    price = {"municipality": 2000, "state": 1000, "source": "testpris", "price_year": 2024, "note": "test"}
    value = {
        "sroi": {
            "horizon": 2,
            "drop_off": 0.5,
            "discount_rate": 0.035,
            "attribution": 1.0,
            "displacement": 0.0,
            "unit_prices": {g: price for g in ("kontanthjælp", "fleksjob", "unge", "integration")},
        }
    }
    # an effect of half the weeks (26 weeks in year 1), 95 %-interval 0,4–0,6 (20,8–31,2 weeks)
    effect = SimpleNamespace(att=0.5, ci_low=0.4, ci_high=0.6, n_treated=4)
    params = ReportParams(year=2024, value=value, disclosure={"min_cell": 1})
    ledger = Ledger(min_cell=1)
    vs = ValueSection(ds, params, ledger, effect=effect)
    assert vs.sroi_problem is None
    # in force at the end of 2024: A1 only (A3 ends 31 December): 1.200.000 kr.; in courses in 2024:
    # C1-C6 (C7's K8 ended in 2023): 6, so 200.000 kr. per citizen in a course. New participants
    # (first course started in 2024): C2, C4, C5, C6 = 4, so the cost is 4 × 200.000 = 800.000 kr.
    assert ledger["value.sroi.cost_total"].value == 1_200_000 and ledger["value.sroi.citizens_served"].value == 6
    assert ledger["value.sroi.participants"].value == 4
    assert ledger["value.sroi.cost_per_participant"].value == pytest.approx(200_000)
    assert ledger["value.sroi.cost"].value == pytest.approx(800_000)
    # savings: 4 × 26 weeks × 3.000 kr. = 312.000 in year 1, half of it (156.000) in year 2 at 1/1,035
    pv_savings = 312_000 + 156_000 / 1.035  # 462.724,64
    assert ledger["value.sroi.pv_savings"].value == pytest.approx(pv_savings)
    assert ledger["value.sroi.npv"].value == pytest.approx(pv_savings - 800_000)  # -337.275,36
    assert ledger["value.sroi.ratio"].value == pytest.approx(pv_savings / 800_000)  # 0,58
    # 3,2 and 4,8 participants (±20 %): the cost follows, so the NPV is 0,8 and 1,2 × the NPV
    sens = "value.sroi.sensitivity.participants"
    assert ledger[f"{sens}.npv_low"].value == pytest.approx(0.8 * (pv_savings - 800_000))
    assert ledger[f"{sens}.npv_high"].value == pytest.approx(1.2 * (pv_savings - 800_000))
    # n × (115.681,16 − 200.000) < 0 for every n in 0-6: no break-even, and figures.csv says why
    assert ledger[f"{sens}.break_even"].value is None
    assert ledger[f"{sens}.break_even_status"].value == "ikke muligt inden for 0–6 deltagere"
    row = ledger.frame().set_index("key").loc[f"{sens}.break_even_status"]
    assert row["value"] == "ikke muligt inden for 0–6 deltagere"
    # the effect that breaks even: 4 w × 3.000 × (1 + 0,5/1,035) = 800.000 ⇒ w = 44,95 weeks (within 0-52)
    w = 800_000 / (12_000 * (1 + 0.5 / 1.035))
    assert ledger["value.sroi.sensitivity.effect_weeks.break_even"].value == pytest.approx(w, rel=1e-9)
    # drop-off 0: 312.000 (1 + 1/1,035) = 613.449 < 800.000 still: no break-even within 0-100 %
    assert ledger["value.sroi.sensitivity.drop_off.break_even_status"].value == "ikke muligt inden for 0–100\xa0%"
    text = vs.subsection(Sroi).block().text
    # amounts in the text in 0,1 mio. kr.: 1,2 mio., 0,8 mio., 0,46 → 0,5 mio., -0,34 → -0,3 mio.
    for amount in (
        "(1,2 mio. kr. for 6 borgere i forløb): 0,8 mio. kr.",
        "sparede ydelser er 0,5 mio. kr.",
        "for det offentlige er -0,3 mio. kr. (et underskud)",
    ):
        assert amount in text
    assert "800.000 kr." not in text and "337.275 kr." not in text
    assert "ikke muligt inden for 0–6 deltagere" in text
    table = vs.sensitivity_table.data.set_index("Antagelse")
    assert table.loc["Antal deltagere", "Break-even"] == "ikke muligt inden for 0–6 deltagere"
    assert table.loc[sr.ASSUMPTION_LABELS["effect_weeks"], "Break-even"] == "45,0"
