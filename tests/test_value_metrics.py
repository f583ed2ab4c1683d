"""Value metrics on a small hand-made dataset whose answers are worked out by hand in the comments,
and the demo's value tables: deterministic, valid, and the planted truths recovered."""

from __future__ import annotations

import math
from io import StringIO
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from so_eval.metrics import value as mv

NaT = pd.NaT


def _frame(text: str, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    df = pd.read_csv(StringIO(text), keep_default_na=False, na_values=[""])
    for c in dates:
        df[c] = pd.to_datetime(df[c])
    return df


# -- the hand-made dataset (year of interest: 2024) ------------------------------------------

# Enterprises. Survival, 1st generation (founded before 2022), censored at 2024-12-31:
#   E1 2016-01-01 → closed 2018-01-01:  731 days, event
#   E2 2016-01-01 → closed 2020-01-01: 1461 days, event
#   E3 2016-01-01 → open:              3287 days, censored
#   E4 2019-01-01 → closed 2021-01-01:  731 days, event (a tie with E1)
#   E5 2020-01-01 → closed 2025-06-30: closed after the year: 1826 days, censored
# 2nd generation (from 2022): E6 2022-03-01 open (1036 days, censored), E7 2023-01-01 → closed
# 2024-01-01 (365 days, event), E9 2022-06-01 open (944 days, censored); E8 founded 2025: left out.
ENTERPRISES = """enterprise_id,name,kind,founded,closed,sdg_goals,circular
E1,Et,virksomhed,2016-01-01,2018-01-01,17,false
E2,To,virksomhed,2016-01-01,2020-01-01,17,false
E3,Tre,virksomhed,2016-01-01,,8;17,true
E4,Fire,initiativ,2019-01-01,2021-01-01,4,false
E5,Fem,virksomhed,2020-01-01,2025-06-30,4;17,true
E6,Seks,forening,2022-03-01,,17,false
E7,Syv,initiativ,2023-01-01,2024-01-01,15,false
E8,Otte,virksomhed,2025-02-01,,17,false
E9,Ni,forening,2022-06-01,,12;17,false
"""

# Revenue mix 2024 (sources: private, public, foundations, donations, other):
#   E3 600/300/50/50/0  = 1000: shares .6 .3 .05 .05 0; largest .6 (private);
#      HHI = .36 + .09 + .0025 + .0025 = .455; sectors private .6, public .3, civil .1, other 0
#   E5 0/800/100/0/100  = 1000: largest .8 (public) → dependent; HHI = .64 + .01 + .01 = .66
#   E6 200 × 5          = 1000: all .2; HHI = .2; largest .2 (tie: the first source, private)
#   E7 0/0/710/0/290    = 1000: largest .71 (foundations) → dependent; HHI = .5041 + .0841 = .5882
#   E9 0 everywhere: no shares, not dependent
FINANCES = """enterprise_id,year,revenue_private_sales,revenue_public_contracts,revenue_foundations,\
revenue_donations,revenue_other,costs,local_purchases,registered
E3,2023,500,500,0,0,0,800,100,2024-01-10
E3,2024,600,300,50,50,0,900,300,2025-01-10
E5,2024,0,800,100,0,100,1100,0,2025-01-10
E6,2024,200,200,200,200,200,1000,100,2025-01-10
E7,2024,0,0,710,0,290,1000,0,2025-01-10
E9,2024,0,0,0,0,0,50,0,2025-01-10
"""

AGREEMENTS = """agreement_id,enterprise_id,start,end,price
AG1,E3,2020-01-01,,100
AG2,E5,2021-01-01,,200
"""

# Courses running in 2024 (started by 31 Dec, not ended before 1 Jan):
#   E3 (AG1): K1 C1, K2 C2, K3 C1 → 2 distinct citizens; E5 (AG2): K5 C4 (K4 ended 2023) → 1
COURSES = """course_id,citizen_id,agreement_id,start,end
K1,C1,AG1,2023-06-01,2024-02-01
K2,C2,AG1,2024-03-01,
K3,C1,AG1,2024-05-01,2024-10-01
K4,C3,AG2,2022-01-01,2023-12-31
K5,C4,AG2,2024-11-01,
"""

# Jobs in 2024: C1 twice (the first, from K1, decides: E3), C3 from K4 (E5). E3: 1, E5: 1.
JOBS = """job_id,citizen_id,course_id,start,end,job_type,weekly_hours
J1,C1,K3,2024-11-01,,deltidsjob,20
J2,C1,K1,2024-03-01,,ordinært job,37
J3,C3,K4,2024-01-15,,småjob,8
J4,C2,K2,2023-05-01,,ordinært job,37
"""
# C1's second job (K3, November, while still in the March job) is a job change: C1 came into
# employment once, through K1.
CITIZENS = """citizen_id,target_group
C1,kontanthjælp
C2,fleksjob
C3,unge
"""

# Partnerships running in 2024: E3 Frivilligcenter (10 vol., 500 h) and Boligselskab (2 vol., 40 h)
# → 2 partnerships, 2 sectors, 12 volunteers, 540 h; the library ended in 2023; E5 Røde Kors
# (ends 2024-03-31) → 1, 1, 5, 100.
PARTNERSHIPS = """enterprise_id,partner,partner_sector,start,end,volunteers,volunteer_hours
E3,Frivilligcenter,frivillig,2020-01-01,,10,500
E3,Bibliotek,kultur,2023-01-01,2023-12-31,3,60
E3,Boligselskab X,boligselskab,2024-06-01,,2,40
E5,Røde Kors,civilsamfund,2021-01-01,2024-03-31,5,100
"""

# Donor history (a gift = granted > 0, dated by decision, donations by date received):
#   2022: g1 (R01), g2 (R02), g3 (R03)                  → givers {g1, g2, g3}
#   2023: g1 (R04), g4 (R05), g5 (R06); g7 rejected (R07) → givers {g1, g4, g5}
#   2024: g1 (R08), g3 (R09), g4 (R10), g6 twice (R11, R12), g7 (R13), g9 (R15: submitted 2023,
#         decided 2024); g8 undecided (R14), g10 rejected (R16) → {g1, g3, g4, g6, g7, g9}
FUNDRAISING = """application_id,enterprise_id,giver_id,giver_type,purpose,submitted,decided,applied,granted,\
digital,via_fundraiser,fee
R01,E3,g1,fond,drift,2021-11-01,2022-02-01,100,50,false,false,0
R02,E3,g2,privatperson,donation,2022-05-01,,,1,true,false,0
R03,E3,g3,virksomhed,udstyr,2022-06-01,,,5,false,false,0
R04,E3,g1,fond,drift,2022-11-01,2023-02-01,100,80,false,false,0
R05,E5,g4,privatperson,donation,2023-03-01,,,2,true,false,0
R06,E5,g5,fond,projekt,2023-01-10,2023-04-01,200,100,false,true,12
R07,E5,g7,fond,projekt,2023-02-01,2023-05-01,300,0,false,true,0
R08,E3,g1,fond,drift,2023-11-01,2024-02-01,100,100,true,false,0
R09,E3,g3,virksomhed,udstyr,2024-04-01,,,10,true,false,0
R10,E5,g4,privatperson,donation,2024-05-01,,,3,true,false,0
R11,E6,g6,privatperson,donation,2024-06-01,,,1,true,false,0
R12,E6,g6,privatperson,donation,2024-09-01,,,1,true,false,0
R13,E5,g7,fond,projekt,2024-01-15,2024-06-01,400,200,false,true,24
R14,E5,g8,offentlig pulje,projekt,2024-10-01,,500,,false,true,0
R15,E3,g9,fond,arrangement,2023-12-01,2024-01-20,50,40,false,true,6
R16,E6,g10,fond,drift,2024-03-01,2024-08-01,60,0,false,false,0
"""

# Pilots (status at 31 Dec 2024: P5 is decided in 2025, so it is still running then; P8 starts
# in 2025 and is left out):
PILOTS = """pilot_id,enterprise_id,kind,title,start,end,decided,status,partner_sectors,sdg_goals
P1,E3,pilot,Café,2022-01-01,2022-06-30,2022-07-01,skaleret,frivillig;erhverv,8;17
P2,E3,pilot,Cykler,2023-03-01,2024-02-28,2024-03-01,stoppet,erhverv,8
P3,,prøvehandling,Byhave,2022-09-22,2023-09-01,2023-09-22,videreført,boligselskab;frivillig;kultur,15;17
P4,,prøvehandling,Kulturnat,2024-02-01,,,igangværende,kultur;civilsamfund,4;17
P5,E5,pilot,Reparation,2024-05-01,2025-01-15,2025-02-01,stoppet,offentlig,17
P6,E6,pilot,Idé om bytte,2024-11-01,,,idé,,
P7,E9,prøvehandling,Madspild,2023-01-01,2023-03-31,2023-04-01,stoppet,frivillig;erhverv,17
P8,E3,pilot,Senere,2025-03-01,,,igangværende,erhverv,17
"""

CIRCULAR = """enterprise_id,year,items_repaired,kg_reused,citizen_courses
E3,2023,100,500,2
E3,2024,150,700.5,3
E5,2024,50,300,0
"""


@pytest.fixture
def ds() -> SimpleNamespace:
    ent = _frame(ENTERPRISES, ("founded", "closed"))
    fr = _frame(FUNDRAISING, ("submitted", "decided"))
    return SimpleNamespace(
        enterprises=ent,
        agreements=_frame(AGREEMENTS, ("start", "end")),
        courses=_frame(COURSES, ("start", "end")),
        jobs=_frame(JOBS, ("start", "end")),
        citizens=_frame(CITIZENS),
        finances=_frame(FINANCES, ("registered",)),
        partnerships=_frame(PARTNERSHIPS, ("start", "end")),
        fundraising=fr,
        pilots=_frame(PILOTS, ("start", "end", "decided")),
        circular=_frame(CIRCULAR),
    )


# -- mosaic economy --------------------------------------------------------------------------


def test_revenue_mix_hhi_largest_share_and_dependency(ds):
    mix = mv.revenue_mix(ds, 2024).set_index("enterprise_id")
    assert list(mix.index) == ["E3", "E5", "E6", "E7", "E9"]
    assert mix.loc["E3", "hhi"] == pytest.approx(0.455)
    assert mix.loc["E3", "largest_share"] == pytest.approx(0.6)
    assert mix.loc["E3", "largest_source"] == "revenue_private_sales"
    assert mix.loc[
        "E3", ["private_share", "public_share", "civil_society_share", "other_share"]
    ].tolist() == pytest.approx([0.6, 0.3, 0.1, 0.0])
    assert mix.loc["E5", "hhi"] == pytest.approx(0.66)
    assert mix.loc["E5", "largest_source"] == "revenue_public_contracts"
    assert mix.loc["E6", "hhi"] == pytest.approx(0.2)
    assert mix.loc["E6", "largest_source"] == "revenue_private_sales"  # a tie: the first source
    assert mix.loc["E7", "hhi"] == pytest.approx(0.5882)
    assert math.isnan(mix.loc["E9", "hhi"]) and not mix.loc["E9", "dependent"]
    assert mix["dependent"].to_dict() == {"E3": False, "E5": True, "E6": False, "E7": True, "E9": False}
    assert mix.loc["E3", "name"] == "Tre"


def test_dependent_enterprises_and_threshold(ds):
    dep = mv.dependent_enterprises(ds, 2024)
    assert dep["enterprise_id"].tolist() == ["E5", "E7"]  # largest share first: .8, .71
    assert dep["largest_share"].tolist() == pytest.approx([0.8, 0.71])
    assert mv.dependent_enterprises(ds, 2024, dependency_share=0.75)["enterprise_id"].tolist() == ["E5"]
    with pytest.raises(ValueError):
        mv.revenue_mix(ds, 2024, dependency_share=1.5)


def test_revenue_by_sector_and_mosaic_per_year(ds):
    # 2024: private 600+200 = 800; public 300+800+200 = 1300;
    # civil society 50+50 + 100 + 200+200 + 710 = 1310; other 100+200+290 = 590; total 4000
    by = mv.revenue_by_sector(ds, [2024]).set_index("sector")
    assert by["amount"].to_dict() == {"privat": 800, "offentlig": 1300, "civilsamfund": 1310, "andet": 590}
    assert by["share"].sum() == pytest.approx(1.0)
    assert by.loc["offentlig", "share"] == pytest.approx(0.325)
    m = mv.mosaic_per_year(ds, [2023, 2024]).set_index("year")
    # 2024: four enterprises with revenue; HHIs .455, .66, .2, .5882 → median (.455 + .5882) / 2
    assert m.loc[2024, "enterprises"] == 4
    assert m.loc[2024, "median_hhi"] == pytest.approx((0.455 + 0.5882) / 2)
    assert m.loc[2024, "dependent"] == 2 and m.loc[2024, "dependent_share"] == pytest.approx(0.5)
    assert m.loc[2024, "sectors_2plus"] == 4
    # 2023: E3 only, 500/500 → HHI .5, largest .5, not dependent
    assert m.loc[2023, "median_hhi"] == pytest.approx(0.5) and m.loc[2023, "dependent"] == 0


# -- three bottom lines ----------------------------------------------------------------------


def test_three_bottom_lines_scorecard(ds):
    sc = mv.three_bottom_lines(ds, 2024).set_index("enterprise_id")
    # active at some time in 2024: E3, E5 (closes 2025), E6, E7 (closes 1 Jan 2024), E9
    assert list(sc.index) == ["E3", "E5", "E6", "E7", "E9"]
    assert sc.loc["E3", ["citizens", "jobs"]].tolist() == [2, 1]
    assert sc.loc["E5", ["citizens", "jobs"]].tolist() == [1, 1]
    assert sc.loc["E3", ["partnerships", "partner_sectors", "volunteers"]].tolist() == [2, 2, 12]
    assert sc.loc["E3", "volunteer_hours"] == 540.0
    assert sc.loc["E5", ["partnerships", "partner_sectors", "volunteers"]].tolist() == [1, 1, 5]
    assert sc.loc["E6", ["citizens", "jobs", "partnerships", "volunteers"]].tolist() == [0, 0, 0, 0]
    # E3: revenue 1000, costs 900 → result 100; earned (600 + 300) / 1000; local 300 / 900
    assert sc.loc["E3", ["revenue", "costs", "result"]].tolist() == [1000, 900, 100]
    assert sc.loc["E3", "earned_share"] == pytest.approx(0.9)
    assert sc.loc["E3", "local_purchase_share"] == pytest.approx(1 / 3)
    assert sc.loc["E5", "result"] == -100 and sc.loc["E5", "earned_share"] == pytest.approx(0.8)
    assert math.isnan(sc.loc["E9", "earned_share"])  # no revenue


def test_scorecard_without_optional_tables(ds):
    core = SimpleNamespace(
        enterprises=ds.enterprises, agreements=ds.agreements, courses=ds.courses, jobs=ds.jobs, citizens=ds.citizens
    )
    sc = mv.three_bottom_lines(core, 2024).set_index("enterprise_id")
    assert sc.loc["E3", "citizens"] == 2 and sc.loc["E3", "partnerships"] == 0
    assert sc["revenue"].isna().all()


# -- fundraising -----------------------------------------------------------------------------


def test_donor_retention_three_years_by_hand(ds):
    r = mv.donor_retention(ds, [2022, 2023, 2024]).set_index("year")
    # 2022: all three new
    assert r.loc[2022, ["givers", "new", "retained", "recaptured", "lapsed"]].tolist() == [3, 3, 0, 0, 0]
    assert math.isnan(r.loc[2022, "retention_rate"])
    # 2023: {g1, g4, g5} after {g1, g2, g3}: new g4, g5; retained g1; lapsed g2, g3 → 1/3
    assert r.loc[2023, ["givers", "givers_prev", "new", "retained", "recaptured", "lapsed"]].tolist() == [
        3,
        3,
        2,
        1,
        0,
        2,
    ]
    assert r.loc[2023, "retention_rate"] == pytest.approx(1 / 3)
    assert r.loc[2023, "new_retention_rate"] == pytest.approx(1 / 3)  # all of 2022 were new
    assert r.loc[2023, "repeat_givers"] == 1  # g1 (R01, R04)
    # 2024: {g1, g3, g4, g6, g7, g9} after {g1, g4, g5}: new g6, g7, g9 (g7's 2023 rejection is no
    # gift; g9 was decided in 2024); retained g1, g4; recaptured g3 (gave 2022); lapsed g5 → 2/3
    assert r.loc[2024, ["givers", "givers_prev", "new", "retained", "recaptured", "lapsed"]].tolist() == [
        6,
        3,
        3,
        2,
        1,
        1,
    ]
    assert r.loc[2024, "retention_rate"] == pytest.approx(2 / 3)
    assert r.loc[2024, "new_retention_rate"] == pytest.approx(1 / 2)  # new in 2023: g4, g5 → g4
    assert r.loc[2024, "repeat_retention_rate"] == pytest.approx(1.0)  # g1
    # the golden donation: g1 (3 gifts), g3 (2), g4 (2), g6 (2 in 2024) → 4 of 6
    assert r.loc[2024, "repeat_givers"] == 4
    assert r.loc[2024, "repeat_share"] == pytest.approx(4 / 6)
    # identities
    assert (r["givers"] == r["new"] + r["retained"] + r["recaptured"]).all()
    assert (r["givers_prev"] == r["retained"] + r["lapsed"]).all()
    # one enterprise: E3's givers 2023 {g1} after 2022 {g1, g2, g3} → 1/3
    e3 = mv.donor_retention(ds, [2023], enterprise_id="E3").iloc[0]
    assert e3["retention_rate"] == pytest.approx(1 / 3)


def test_fundraising_per_year_by_hand(ds):
    f = mv.fundraising_per_year(ds, [2024]).iloc[0]
    # applications submitted in 2024: R13, R14, R16; decided in 2024: R08, R13, R15, R16, of
    # which granted: R08, R13, R15 → 3/4; pending at year end: R14
    assert (f["applications"], f["decided"], f["successful"], f["pending"]) == (3, 4, 3, 1)
    assert f["success_rate"] == pytest.approx(0.75)
    assert f["applied_amount"] == 100 + 400 + 50 + 60
    assert f["granted_amount"] == 100 + 200 + 40
    # donations: R09 10, R10 3, R11 1, R12 1; gifts 7 raising 355; digital R08-R12 → 5/7
    assert (f["donations"], f["donation_amount"]) == (4, 15)
    assert (f["gifts"], f["raised"]) == (7, 355)
    assert f["digital_share"] == pytest.approx(5 / 7)


def test_fundraising_by_giver_type(ds):
    by = mv.fundraising_by(ds, 2024, "giver_type").set_index("giver_type")
    assert list(by.index) == ["fond", "virksomhed", "privatperson", "offentlig pulje", "forening"]
    assert by.loc["fond", ["decided", "successful"]].tolist() == [4, 3]
    assert by.loc["privatperson", ["donations", "donation_amount"]].tolist() == [3, 5]
    assert by.loc["offentlig pulje", ["applications", "decided", "pending"]].tolist() == [1, 0, 1]
    assert by.loc["forening", "gifts"] == 0
    purpose = mv.fundraising_by(ds, 2024, "purpose").set_index("purpose")
    assert purpose.loc["projekt", "granted_amount"] == 200
    with pytest.raises(ValueError):
        mv.fundraising_by(ds, 2024, "colour")


def test_fundraiser_fees_no_cure_no_pay(ds):
    fees = mv.fundraiser_fees(ds, [2023, 2024]).set_index("year")
    # 2024: via the fundraiser R13 (200, fee 24) and R15 (40, fee 6): raised 240, fees 30
    assert fees.loc[2024, ["decided", "successful", "gifts"]].tolist() == [2, 2, 2]
    assert fees.loc[2024, ["raised", "fees", "net_gain"]].tolist() == [240, 30, 210]
    assert fees.loc[2024, "fee_ratio"] == pytest.approx(0.125)
    assert fees.loc[2024, "success_rate_other"] == pytest.approx(0.5)  # R08 yes, R16 no
    # 2023: R06 granted 100 (fee 12), R07 rejected (no fee)
    assert fees.loc[2023, "success_rate"] == pytest.approx(0.5)
    assert fees.loc[2023, "fee_ratio"] == pytest.approx(0.12)
    assert (fees["fees_without_grant"] == 0).all()
    # a fee on a rejection breaks no-cure-no-pay and shows up
    bad = SimpleNamespace(**vars(ds))
    bad.fundraising = ds.fundraising.copy()
    bad.fundraising.loc[bad.fundraising["application_id"] == "R07", "fee"] = 30.0
    assert mv.fundraiser_fees(bad, [2023])["fees_without_grant"].iloc[0] == 30.0


# -- pilots ----------------------------------------------------------------------------------


def test_pilot_pipeline_at_year_end(ds):
    pipe = mv.pilot_pipeline(ds, 2024)
    assert len(pipe) == 10 and pipe["n"].sum() == 7  # P8 starts in 2025
    n = pipe.set_index(["kind", "status"])["n"]
    assert n[("pilot", "skaleret")] == 1 and n[("pilot", "stoppet")] == 1
    assert n[("pilot", "igangværende")] == 1  # P5: stopped only in 2025
    assert n[("pilot", "idé")] == 1 and n[("pilot", "videreført")] == 0
    assert n[("prøvehandling", "videreført")] == 1 and n[("prøvehandling", "stoppet")] == 1
    assert n[("prøvehandling", "igangværende")] == 1
    assert mv.pilot_pipeline(ds, 2025).set_index(["kind", "status"])["n"][("pilot", "stoppet")] == 2


def test_pilot_summary_shares_and_time_to_decision(ds):
    s = mv.pilot_summary(ds, [2023, 2024]).set_index("year")
    # decided in 2024: P2 stopped after 366 days
    assert s.loc[2024, ["decided", "scaled", "continued", "stopped"]].tolist() == [1, 0, 0, 1]
    assert s.loc[2024, "success_share"] == 0 and s.loc[2024, "median_days_to_decision"] == 366
    # started in 2024: P4 (2 sectors), P5 (1), P6 (0) → mean 1, 1/3 with two or more
    assert s.loc[2024, ["started", "pilots", "trial_actions", "running"]].tolist() == [3, 2, 1, 2]
    assert s.loc[2024, "mean_sectors"] == pytest.approx(1.0)
    assert s.loc[2024, "multi_sector_share"] == pytest.approx(1 / 3)
    # decided in 2023: P3 continued (365 days), P7 stopped (90 days) → 1/2, median 227.5
    assert s.loc[2023, "success_share"] == pytest.approx(0.5)
    assert s.loc[2023, "median_days_to_decision"] == pytest.approx(227.5)
    # all decided by the end of 2024: P1 scaled (181), P2 stopped (366), P3 continued (365),
    # P7 stopped (90) → (1 + 1) / 4; median of 90, 181, 365, 366 = 273
    c = mv.pilot_summary(ds, [2024], cumulative=True).iloc[0]
    assert c["decided"] == 4 and c["success_share"] == pytest.approx(0.5)
    assert c["median_days_to_decision"] == pytest.approx(273)


def test_pilot_cocreation(ds):
    co = mv.pilot_cocreation(ds, 2024).set_index("pilot_id")
    assert co["n_sectors"].to_dict() == {"P4": 2, "P5": 1, "P6": 0}
    assert co["multi_sector"].to_dict() == {"P4": True, "P5": False, "P6": False}
    assert co.loc["P4", "without_enterprise"]


# -- survival --------------------------------------------------------------------------------


def test_enterprise_survival_kaplan_meier_by_hand(ds):
    km, med = mv.enterprise_survival(ds, 2024)
    first = km.loc[km["group"] == "1. generation (før 2022)"].reset_index(drop=True)
    # times (days): 731 E1 event, 731 E4 event, 1461 E2 event, 1826 E5 censored, 3287 E3 censored
    # t=731: 5 at risk, 2 events → S = 3/5; t=1461: 3 at risk, 1 event → S = 3/5 × 2/3 = 0.4
    assert first["time"].tolist() == pytest.approx([0, 731 / 365.25, 1461 / 365.25, 3287 / 365.25])
    assert first["survival"].tolist() == pytest.approx([1, 0.6, 0.4, 0.4])
    assert first["n_risk"].tolist() == [5, 5, 3, 1]
    assert first["n_events"].tolist() == [0, 2, 1, 0]
    # Greenwood: se(0.6) = 0.6 √(2/(5·3)); se(0.4) = 0.4 √(2/15 + 1/(3·2))
    assert first["se"].iloc[1] == pytest.approx(0.6 * math.sqrt(2 / 15))
    assert first["se"].iloc[2] == pytest.approx(0.4 * math.sqrt(2 / 15 + 1 / 6))
    assert (first["ci_low"] <= first["survival"]).all() and (first["survival"] <= first["ci_high"]).all()
    med = med.set_index("group")
    # the median: the first time S ≤ 0.5 → 1461 days
    assert med.loc["1. generation (før 2022)", "median"] == pytest.approx(1461 / 365.25)
    assert med.loc["1. generation (før 2022)", ["n", "events"]].tolist() == [5, 3]
    # 2nd generation: E7 event at 365 days with 3 at risk → S = 2/3; median not reached
    second = km.loc[km["group"] == "2. generation (fra 2022)"]
    assert second["survival"].iloc[1] == pytest.approx(2 / 3)
    assert math.isnan(med.loc["2. generation (fra 2022)", "median"])
    assert med.loc["2. generation (fra 2022)", "n"] == 3  # E8 founded 2025 is left out


def test_pilot_survival_by_hand(ds):
    km, med = mv.pilot_survival(ds, 2024, by=None)
    # not ideas, started by 2024: P1 (censored 1095 d), P2 (event 366), P3 (censored 831),
    # P4 (censored 334), P5 (stopped 2025: censored 244), P7 (event 90)
    # t=90: 6 at risk → 5/6; t=366: 3 at risk (P2, P3, P1) → 5/6 × 2/3
    assert km["survival"].tolist() == pytest.approx([1, 5 / 6, 5 / 9, 5 / 9])
    assert km["n_risk"].tolist() == [6, 6, 3, 1]
    assert med.iloc[0]["events"] == 2 and math.isnan(med.iloc[0]["median"])
    by_kind = mv.pilot_survival(ds, 2024)[1].set_index("group")
    assert by_kind["n"].to_dict() == {"pilot": 3, "prøvehandling": 3}


# -- UN goals and circular economy -----------------------------------------------------------


def test_sdg_mapping(ds):
    sdg = mv.sdg_mapping(ds, 2024).set_index("goal")
    # enterprises active at the end of 2024: E3 (8;17), E5 (4;17), E6 (17), E9 (12;17)
    # pilots running in 2024: P1 (8;17), P2 (8), P5 (17), P6 (none); P7 stopped in 2023
    # prøvehandlinger: P3 (15;17), P4 (4;17)
    assert list(sdg.index) == [4, 8, 12, 15, 17]
    assert sdg.loc[4, ["enterprises", "pilots", "trial_actions", "total"]].tolist() == [1, 0, 1, 2]
    assert sdg.loc[8, ["enterprises", "pilots", "trial_actions", "total"]].tolist() == [1, 2, 0, 3]
    assert sdg.loc[15, ["enterprises", "pilots", "trial_actions", "total"]].tolist() == [0, 0, 1, 1]
    assert sdg.loc[17, ["enterprises", "pilots", "trial_actions", "total"]].tolist() == [4, 2, 2, 8]
    assert not sdg.loc[12, "focus"] and sdg.loc[17, "focus"]


def test_circular_output(ds):
    c = mv.circular_output(ds, [2022, 2023, 2024]).set_index("year")
    assert c.loc[2022].tolist() == [0, 0, 0, 0]
    assert c.loc[2023].tolist() == [1, 100, 500, 2]
    assert c.loc[2024].tolist() == [2, 200, 1000.5, 3]


def test_missing_optional_table_is_named(ds):
    core = SimpleNamespace(enterprises=ds.enterprises)
    with pytest.raises(ValueError, match="fundraising"):
        mv.donor_retention(core, [2024])


def test_counting_rules_in_english_and_danish():
    for name in mv.__all__:
        fn = getattr(mv, name)
        if callable(fn):
            assert "Tælleregel:" in fn.__doc__, name
            assert "rule" in fn.__doc__.lower(), name


# -- plots -----------------------------------------------------------------------------------


def test_value_plots(ds):
    from matplotlib.axes import Axes

    from so_eval.plots import value as pv

    ax = pv.revenue_mix_plot(mv.revenue_mix(ds, 2024))
    assert isinstance(ax, Axes) and len(ax.get_yticklabels()) == 4  # E9 has no revenue
    assert any(t.get_text().startswith("! ") for t in ax.get_yticklabels())
    assert isinstance(pv.donor_flow_plot(mv.donor_retention(ds, [2022, 2023, 2024])), Axes)
    assert isinstance(pv.pilot_pipeline_plot(mv.pilot_pipeline(ds, 2024)), Axes)
    km, med = mv.enterprise_survival(ds, 2024)
    ax = pv.survival_plot(km, medians=med)
    assert isinstance(ax, Axes) and ax.get_ylabel() == "Andel stadig i drift"


# -- the demo's value tables -----------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_value():
    from so_eval.demo import core as demo
    from so_eval.demo.value import generate_value_tables

    rng = np.random.default_rng(2022)
    ent = demo.generate_enterprises(rng)
    agr = demo.generate_agreements(rng, ent)
    tables, truth = generate_value_tables(np.random.default_rng([2022, 2]), ent, agr)
    return ent, agr, tables, truth


def _demo_ds(demo_value) -> SimpleNamespace:
    ent, agr, tables, _ = demo_value
    empty_courses = pd.DataFrame(
        {
            "course_id": pd.Series(dtype=str),
            "citizen_id": pd.Series(dtype=str),
            "agreement_id": pd.Series(dtype=str),
            "start": pd.Series(dtype="datetime64[ns]"),
            "end": pd.Series(dtype="datetime64[ns]"),
        }
    )
    empty_jobs = pd.DataFrame(
        {
            "job_id": pd.Series(dtype=str),
            "citizen_id": pd.Series(dtype=str),
            "course_id": pd.Series(dtype=str),
            "start": pd.Series(dtype="datetime64[ns]"),
            "end": pd.Series(dtype="datetime64[ns]"),
            "job_type": pd.Series(dtype=str),
            "weekly_hours": pd.Series(dtype=float),
        }
    )
    citizens = pd.DataFrame({"citizen_id": pd.Series(dtype=str), "target_group": pd.Series(dtype=str)})
    return SimpleNamespace(
        enterprises=ent, agreements=agr, courses=empty_courses, jobs=empty_jobs, citizens=citizens, **tables
    )


def test_demo_value_deterministic(demo_value):
    from so_eval.demo.value import generate_value_tables

    ent, agr, tables, truth = demo_value
    again, truth2 = generate_value_tables(np.random.default_rng([2022, 2]), ent, agr)
    assert truth == truth2
    for name, df in tables.items():
        pd.testing.assert_frame_equal(df, again[name])
    other, _ = generate_value_tables(np.random.default_rng([2022, 3]), ent, agr)
    assert not other["fundraising"].equals(tables["fundraising"])


def test_demo_value_tables_valid(demo_value):
    from so_eval.data.model_value import VALUE_TABLE_SPECS

    ent, agr, tables, _ = demo_value
    assert set(tables) == set(VALUE_TABLE_SPECS)
    known = set(ent["enterprise_id"])
    for name, spec in VALUE_TABLE_SPECS.items():
        df = tables[name]
        assert list(df.columns) == spec.columns, name
        spec.model.validate(df, lazy=True)
        assert set(df["enterprise_id"].dropna()) <= known, name
        for start, end in spec.date_order:
            assert not (df[end] < df[start]).any(), (name, start, end)
        for col, allowed in spec.list_columns.items():
            items = {v for cell in df[col].dropna() for v in cell.split(";")}
            assert items <= set(allowed), (name, col)
    # registered after the event, and no later than the extract date
    extract = pd.Timestamp("2026-01-31")
    fr, pil = tables["fundraising"], tables["pilots"]
    assert (fr["registered"] >= fr["decided"].fillna(fr["submitted"])).all()
    assert (pil["registered"] >= pil["decided"].fillna(pil["start"])).all()
    assert (tables["partnerships"]["registered"] >= tables["partnerships"]["start"]).all()
    for name in ("finances", "circular"):
        assert (tables[name]["registered"].dt.year > tables[name]["year"]).all()
    assert all((df["registered"] <= extract).all() for df in tables.values())
    # no-cure-no-pay: no fee without a grant; fee 10-15 % of what was granted via the fundraiser
    assert (fr.loc[~(fr["granted"] > 0), "fee"] == 0).all()
    assert (fr.loc[~fr["via_fundraiser"], "fee"] == 0).all()
    # public contracts at least the price of the agreements in force in the year
    fin = tables["finances"]
    for year in range(2018, 2026):
        lo, hi = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
        price = (
            agr.loc[(agr["start"] <= hi) & (agr["end"].isna() | (agr["end"] >= lo))]
            .groupby("enterprise_id")["price"]
            .sum()
        )
        public = fin.loc[fin["year"] == year].set_index("enterprise_id")["revenue_public_contracts"]
        assert (public.reindex(price.index) >= price).all(), year
    # circular activity only for enterprises with circular == True
    circular_ids = set(ent.loc[ent["circular"], "enterprise_id"])
    assert set(tables["circular"]["enterprise_id"]) <= circular_ids


def test_demo_value_truth_recovered(demo_value):
    _, _, tables, truth = demo_value
    ds = _demo_ds(demo_value)
    years = list(range(2018, 2026))
    # the enterprises depending on one source, every year
    for y in years:
        found = sorted(mv.dependent_enterprises(ds, y, truth["dependency_share"])["enterprise_id"])
        assert found == truth["dependent_by_year"].get(str(y), []), y
    assert set(truth["dependent_by_year"]["2025"]) == set(truth["dependent_enterprises"])
    assert len(truth["dependent_enterprises"]) == 4
    # donor retention within ±5 points of the planted (in fact equal), and planted 40-50 %
    r = mv.donor_retention(ds, years).set_index("year")
    for y, planted in truth["donor_retention"].items():
        assert abs(r.loc[int(y), "retention_rate"] - planted) <= 0.05
        assert r.loc[int(y), "retention_rate"] == pytest.approx(planted, abs=1e-6)
        assert 0.38 <= planted <= 0.52
        flows = truth["donor_flows"][y]
        assert r.loc[int(y), ["givers", "new", "retained", "recaptured", "lapsed"]].tolist() == [
            flows["givers"],
            flows["new"],
            flows["retained"],
            flows["recaptured"],
            flows["lapsed"],
        ]
    # the fundraiser's fee ratio is the planted rate, 10-15 %
    fees = mv.fundraiser_fees(ds, years).set_index("year")
    rate = truth["fundraiser"]["fee_rate"]
    assert 0.10 <= rate <= 0.15
    active = fees.loc[fees["raised"] > 0]
    assert list(active.index) == [y for y in years if y >= truth["fundraiser"]["from_year"]]
    assert active["fee_ratio"].to_numpy() == pytest.approx(rate, abs=0.001)
    for y in years:
        assert fees.loc[y, "raised"] == truth["fundraiser"]["granted_via_fundraiser"][str(y)]
        assert fees.loc[y, "fees"] == pytest.approx(truth["fundraiser"]["fees"][str(y)])
    assert (fees["fees_without_grant"] == 0).all()
    # pilots that stop as well as scale
    pipe = mv.pilot_pipeline(ds, 2025).groupby("status", observed=False)["n"].sum()
    assert pipe.to_dict() == truth["pilots_by_status"]
    assert truth["pilots_by_status"]["stoppet"] > 0 and truth["pilots_by_status"]["skaleret"] > 0
    cum = mv.pilot_summary(ds, [2025], cumulative=True).iloc[0]
    assert cum["success_share"] == pytest.approx(truth["pilots_scaled_or_continued_share"])
    assert mv.pilot_summary(ds, [2022]).iloc[0]["trial_actions"] == truth["conference_trials"] == 36
    # circular output
    c = mv.circular_output(ds, years).set_index("year")
    for y, t in truth["circular"].items():
        assert c.loc[int(y), ["items_repaired", "kg_reused", "citizen_courses"]].tolist() == [
            t["items_repaired"],
            t["kg_reused"],
            t["citizen_courses"],
        ]
    # partnerships across sectors with volunteers
    p = tables["partnerships"]
    assert p["partner_sector"].nunique() >= 5 and p["volunteers"].sum() > 0


def test_demo_value_round_trip_through_loader(demo_value, tmp_path, monkeypatch):
    """Written as CSV like the demo and loaded with the value specs merged into the model."""
    from so_eval.data import model
    from so_eval.data.loading import load
    from so_eval.data.model_value import VALUE_TABLE_SPECS
    from so_eval.demo import formats

    for name, spec in VALUE_TABLE_SPECS.items():
        monkeypatch.setitem(model.TABLES, name, spec)
    ent, agr, tables, truth = demo_value
    out = tmp_path / "ds"
    out.mkdir()
    (out / "enterprises.csv").write_text(formats.to_csv(ent), encoding="utf-8")
    (out / "agreements.csv").write_text(formats.to_csv(agr), encoding="utf-8")
    # one citizen with one course, step and job (the loader's course checks need rows to map)
    first = agr["agreement_id"].iloc[0]
    core = {
        "citizens": "citizen_id,birth_year,gender,target_group,origin,registered\n"
        "B1,1980,k,kontanthjælp,dansk,2019-01-01\n",
        "courses": "course_id,citizen_id,agreement_id,start,end,start_step,end_step,end_status,registered\n"
        f"F1,B1,{first},2020-01-01,2020-06-30,afklaring,praktik,praktik,2020-01-02\n",
        "progression": "citizen_id,course_id,date,step,weekly_paid_hours,registered\n"
        "B1,F1,2020-01-01,afklaring,0,2020-01-02\n",
        "jobs": "job_id,citizen_id,course_id,start,end,job_type,weekly_hours,registered\n"
        "J1,B1,F1,2020-07-01,,ordinært job,37,2020-07-02\n",
    }
    for name, text in core.items():
        (out / f"{name}.csv").write_text(text, encoding="utf-8")
    for name, df in tables.items():
        (out / f"{name}.csv").write_text(formats.to_csv(df), encoding="utf-8")
    ds = load(out)
    assert len(ds.fundraising) == len(tables["fundraising"])
    r = mv.donor_retention(ds, [2024, 2025])
    assert r["retention_rate"].tolist() == pytest.approx(
        [truth["donor_retention"]["2024"], truth["donor_retention"]["2025"]], abs=1e-6
    )
    assert ds.pilots["enterprise_id"].isna().sum() == tables["pilots"]["enterprise_id"].isna().sum()
