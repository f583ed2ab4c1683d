"""Completeness (issue 13, point 6): how many of a year's expected rows were registered by the
report's as_of date, said next to the figure, a year below the threshold marked *foreløbig* and
not compared with earlier years, and figures.csv's ``complete`` column. Every answer is worked
out by hand on small datasets made here."""

from __future__ import annotations

import pandas as pd
import pytest

from so_eval import load
from so_eval.annual import AnnualReport
from so_eval.annual.corrections import compare
from so_eval.annual.sections.value import ValueSection
from so_eval.metrics.completeness import completeness
from so_eval.params import ReportParams
from so_eval.reporting.ledger import Ledger, read_figures
from so_eval.screening import findings as fnd
from tiny import TABLES, write_tiny

AS_OF = "2026-01-15"

# -- accounts: 44 enterprises active in 2025, 17 accounts registered by 15 January 2026 -------------


def _enterprises() -> str:
    """E1–E42 open since 2015; E43 founded 1 March 2025; E44 closes 30 June 2025 (still active in
    2025, so its accounts are expected); E45 closed 30 June 2024 (not active in 2025)."""
    head = TABLES["enterprises"].splitlines()[0]
    rows = [f"E{i},Virksomhed {i},virksomhed,2015-01-01,,false,true,true,true,8,false,2015-01-05" for i in range(1, 43)]
    rows += [
        "E43,Virksomhed 43,virksomhed,2025-03-01,,false,true,true,true,8,false,2025-03-02",
        "E44,Virksomhed 44,virksomhed,2015-01-01,2025-06-30,false,true,true,true,8,false,2015-01-05",
        "E45,Virksomhed 45,virksomhed,2015-01-01,2024-06-30,false,true,true,true,8,false,2015-01-05",
    ]
    return "\n".join([head, *rows]) + "\n"


def _finances() -> str:
    """2024: accounts from all 44 active in 2024 (E1–E42, E44, E45), registered in 2025. 2025:
    E1–E17 registered 10 January 2026, E18–E44 on 1 February 2026 (after as_of), and E45 —
    closed in 2024, so not expected — sends a 2025 row before as_of, which must not count."""
    head = (
        "enterprise_id,year,revenue_private_sales,revenue_public_contracts,revenue_foundations,"
        "revenue_donations,revenue_other,costs,local_purchases,registered"
    )
    money = "500000,300000,100000,50000,50000,900000,200000"
    rows = [f"E{i},2024,{money},2025-02-01" for i in [*range(1, 43), 44, 45]]
    rows += [f"E{i},2025,{money},{'2026-01-10' if i <= 17 else '2026-02-01'}" for i in range(1, 45)]
    rows += [f"E45,2025,{money},2026-01-10"]
    return "\n".join([head, *rows]) + "\n"


@pytest.fixture(scope="module")
def accounts_dir(tmp_path_factory):
    return write_tiny(tmp_path_factory.mktemp("accounts") / "d", enterprises=_enterprises(), finances=_finances())


def _value_section(ds) -> ValueSection:
    return ValueSection(ds, ReportParams(year=2025, as_of=AS_OF), Ledger(min_cell=5))


def _md(block) -> str:
    """The block's text, with the no-break space of "39 %" as a plain space."""
    return "\n".join(part for kind, part in block.parts if kind == "md").replace("\u00a0", " ")


def test_17_of_44_accounts_by_hand(accounts_dir):
    ds = load(accounts_dir, as_of=AS_OF)
    t = completeness(ds, [2024, 2025], ("finances",)).set_index("year")
    # 2025: expected E1–E42 (42) + E43 (founded in 2025) + E44 (closes in 2025) = 44; E45 closed in
    # 2024 is not expected, so its row is not counted; registered by as_of: E1–E17 = 17
    assert (t.loc[2025, "expected"], t.loc[2025, "registered"]) == (44, 17)
    assert t.loc[2025, "share"] == pytest.approx(17 / 44)
    # 2024: E1–E42, E44, E45 (E43 not founded yet) = 44, all registered
    assert (t.loc[2024, "expected"], t.loc[2024, "registered"], t.loc[2024, "share"]) == (44, 44, 1.0)
    assert (t["as_of"] == pd.Timestamp(AS_OF)).all()


def test_17_of_44_accounts_are_shown_marked_foreloebig_and_not_compared(accounts_dir):
    v = _value_section(load(accounts_dir, as_of=AS_OF))
    ledger, text = v.ledger, _md(v.block())
    assert "17 af 44 regnskaber indberettet pr. 15. januar 2026" in text
    assert (
        ledger["completeness.finances.2025.registered"].value,
        ledger["completeness.finances.2025.expected"].value,
    ) == (17, 44)
    assert ledger["completeness.finances.2025.share"].value == pytest.approx(17 / 44)  # 0,386 < 0,9: foreløbig
    assert "Tallene for 2025 er derfor *foreløbige* og sammenlignes ikke med tidligere år" in text
    # the year table marks 2025, not 2024 (44 of 44)
    years = v.mosaic_years.data["År"].tolist()
    assert years[-2:] == ["2024", "2025 (foreløbig)"]
    assert ledger["value.mosaic.year.2025.revenue"].label.endswith("2025 (foreløbig)")
    # "–" in the bottom lines says the accounts have not come in yet, never that there are none
    assert "– = ikke indberettet endnu" in v.bottom_lines_table.note
    assert "intet regnskab" not in text + v.bottom_lines_table.note


def test_figures_csv_says_how_complete_each_finance_figure_is(accounts_dir, tmp_path):
    v = _value_section(load(accounts_dir, as_of=AS_OF))
    rows = read_figures(v.ledger.write_csv(tmp_path / "figures.csv")).set_index("key")
    # this year's figures: 17/44 = 0.386364 (six decimals); 2024's row of the year table: 44/44
    assert float(rows.loc["value.mosaic.revenue", "complete"]) == pytest.approx(17 / 44, abs=1e-6)
    assert float(rows.loc["value.mosaic.year.2025.revenue", "complete"]) == pytest.approx(17 / 44, abs=1e-6)
    assert rows.loc["value.mosaic.year.2024.revenue", "complete"] == "1.0"
    assert float(rows.loc["value.bottom_lines.enterprise.e1.revenue", "complete"]) == pytest.approx(17 / 44, abs=1e-6)
    # not built from the accounts: empty
    assert rows.loc["value.mosaic.dependency_share", "complete"] == ""
    assert rows.loc["value.bottom_lines.enterprise.e1.citizens", "complete"] == ""


def test_all_44_accounts_registered_are_shown_as_complete(accounts_dir):
    v = _value_section(load(accounts_dir))  # every registration: 44 of 44 (E45's row still not counted)
    ledger, text = v.ledger, _md(v.block())
    assert "44 af 44 regnskaber indberettet pr. 1. februar 2026 (100 %)" in text  # the last registration
    assert ledger["completeness.finances.2025.share"].value == 1.0
    assert "foreløbig" not in text and v.mosaic_years.data["År"].tolist()[-1] == "2025"
    assert "– = regnskab ikke indberettet" in v.bottom_lines_table.note


# -- jobs: a registration-delay estimate, worked out on seven rows ----------------------------------
# Report 2024, as_of 15 January 2025; the same delay a year earlier is 15 January 2024.
JOBS_HEAD = "job_id,citizen_id,course_id,start,end,job_type,weekly_hours,registered\n"
JOBS_2023 = (
    "J1,C7,K8,2023-03-01,,ordinært job,37,2023-03-05\n"  # 2023, known by 15 Jan 2024
    "J2,C1,K1,2023-11-20,,deltidsjob,20,2023-12-01\n"  # 2023, known by 15 Jan 2024
    "J3,C3,K3,2023-12-15,,småjob,8,{j3}\n"
    "J4,C7,K8,{j4_start},,fleksjob,15,2024-01-05\n"
)
JOBS_2024 = (
    "J5,C2,K2,2024-02-10,,småjob,8,2024-02-12\n"
    "J6,C6,K6,2024-12-20,,ordinært job,37,2025-01-10\n"
    "J7,C4,K4,2024-12-28,,deltidsjob,20,2025-02-01\n"  # registered after as_of: not known
)
# late: J3 registered 10 February 2024; J4 first registered as starting 5 January 2024 and corrected
# on 1 March 2024 to 28 December 2023 (a 2023 row now, a 2024 row on 15 January 2024)
LATE = (
    JOBS_HEAD
    + JOBS_2023.format(j3="2024-02-10", j4_start="2024-01-05")
    + JOBS_2024
    + "J4,C7,K8,2023-12-28,,fleksjob,15,2024-03-01\n"
)
ON_TIME = JOBS_HEAD + JOBS_2023.format(j3="2024-01-10", j4_start="2023-12-28") + JOBS_2024


def _report(folder, jobs: str) -> AnnualReport:
    data = write_tiny(folder / "d", jobs=jobs)
    params = ReportParams(
        year=2024,
        as_of="2025-01-15",
        data_dir=str(data),
        published_dir=str(folder / "reports"),
        disclosure={"min_cell": 1},
    )
    return AnnualReport(load(data, as_of=params.as_of), params)


def test_the_registration_delay_estimate_for_jobs_by_hand(tmp_path):
    ds = load(write_tiny(tmp_path / "d", jobs=LATE), as_of="2025-01-15")
    t = completeness(ds, [2023, 2024], ("jobs",)).set_index("year")
    # 2023's rows as known now: J1, J2, J3, J4 (corrected into 2023) = 4; of them known as 2023 rows
    # on 15 January 2024: J1, J2 (J3 came 10 February; J4 was then a 2024 row) = 2 → 2/4 = 50 %
    assert (t.loc[2024, "reference_rows"], t.loc[2024, "reference_registered"]) == (4, 2)
    assert t.loc[2024, "share"] == 0.5
    # 2024's rows now: J5, J6 (J7 registered after as_of) = 2 → expected 2 / 0,5 = 4
    assert (t.loc[2024, "registered"], t.loc[2024, "expected"]) == (2, 4)
    # no 2022 rows to learn the delay from: unknown, and not foreløbig
    assert pd.isna(t.loc[2023, "share"]) and t.loc[2023, "registered"] == 4


def test_a_foreloebig_jobs_year_is_said_and_not_compared_with_the_year_before(tmp_path):
    r = _report(tmp_path, LATE)
    r.build_sections()
    ledger = r.ledger
    assert ledger["completeness.jobs.2024.share"].value == 0.5 and r.provisional_tables == {"jobs"}
    goal1 = _md(r.goal1())
    assert "**Datagrundlag for 2024:** skønnet 50 % af årets job registreret pr. 15. januar 2025" in goal1
    assert "Tallene for 2024 er derfor *foreløbige*" in goal1 and "2024 (foreløbig): 2" in goal1
    # 2023: C7, C1, C3 = 3 citizens; 2024: C2, C6 = 2 — fewer, but 2024 is foreløbig: no comparison
    good, bad = r.findings()
    assert not any("året før" in s for s in good + bad)
    assert set(r.yoy["key"]) == {"goal2.courses_started", "goal2.dropout_share"}  # courses are complete
    # figures.csv: this year's goal-1 figures carry 0.5; 2023's (delay unknown) nothing
    frame = ledger.frame().set_index("key")
    assert frame.loc["goal1.jobs", "complete"] == "0.5" and frame.loc["goal1.jobs.2024", "complete"] == "0.5"
    assert frame.loc["goal1.jobs.2023", "complete"] == "" and frame.loc["goal1.norm", "complete"] == ""


def test_a_complete_jobs_year_is_compared_as_before(tmp_path):
    r = _report(tmp_path, ON_TIME)
    # 2023's four rows were all known on 15 January 2024 (J3 on 10 January, J4 on 5 January): 100 %
    assert r.ledger["completeness.jobs.2024.share"].value == 1.0 and r.provisional_tables == frozenset()
    _, bad = r.findings()
    assert "Færre borgere kom i job end året før (3 i 2023)." in bad
    assert "goal1.jobs" in set(r.yoy["key"])
    assert "foreløbig" not in _md(r.goal1())


def test_a_foreloebig_table_gets_no_year_over_year_finding():
    # by hand: 10 job entries in 2023, 40 in 2024 — far more than chance (exact Poisson test)
    jobs = pd.DataFrame({"year": [2023, 2024], "jobs": [10, 40]})
    prog = pd.DataFrame({"year": [2023, 2024], "started": [20, 21], "dropped_out": [5, 5], "ended": [20, 20]})
    t = fnd.yoy_table(None, 2024, jobs, prog)
    sentences = [f.text for f in fnd.yoy_findings(t, 2024)]
    assert "Antallet af borgere i job steg fra 10 i 2023 til 40 i 2024" in sentences[0]
    t = fnd.yoy_table(None, 2024, jobs, prog, provisional={"jobs"})
    assert set(t["key"]) == {"goal2.courses_started", "goal2.dropout_share"}
    assert fnd.yoy_findings(t, 2024) == []  # 20 → 21 courses and 5 of 20 dropouts: no change
    t = fnd.yoy_table(None, 2024, jobs, prog, provisional={"jobs", "courses"})
    assert t.empty


def test_an_old_figures_csv_without_the_column_still_compares(tmp_path):
    led = Ledger(min_cell=5)
    led.count("goal1.jobs", 44, "Borgere i job")
    led.mark_complete("goal1.jobs", "0.95")
    old = tmp_path / "figures.csv"
    led.frame().drop(columns="complete").to_csv(old, index=False)
    assert compare(read_figures(old), led.frame()).empty
