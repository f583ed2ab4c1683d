"""The skewed and the unexpected: the workbench flags every planted anomaly, flags no more than
its stated error rate on data with none planted, and projections and corrections work."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from so_eval import load
from so_eval.annual import AnnualReport
from so_eval.annual.corrections import REASONS, compare, corrections
from so_eval.demo.core import report_date, write_demo
from so_eval.params import ReportParams
from so_eval.screening import findings as fnd


def test_planted_anomalies_are_flagged(demo, demo_dir):
    truth = json.loads((demo_dir / "truth.json").read_text())["anomalies"]
    found = fnd.funnel_findings(fnd.agreement_funnels(demo, 2025), level="agreement", year=2025, width=2, min_cell=5)
    by_unit = {(f.subject.split(" ")[0], f.key.split(".")[3]) for f in found}
    assert (truth["agreements"]["high_dropout"], "dropped_out") in by_unit
    assert (truth["agreements"]["high_jobs"], "jobs") in by_unit
    kinds = {f.subject.split(" ")[0]: f.kind for f in found}
    assert kinds[truth["agreements"]["high_dropout"]] == "skævt"
    assert kinds[truth["agreements"]["high_jobs"]] == "uventet"
    shift = truth["monthly_shift"]
    year = int(shift["from"][:4])
    checks = fnd.check_series(fnd.monthly_series(demo, 2022, year), year)
    assert checks[shift["series"]].run.signal
    assert any(f.subject == "frafald" for f in fnd.series_findings(checks, year))


@pytest.fixture(scope="module")
def null_datasets(tmp_path_factory):
    root = tmp_path_factory.mktemp("null")
    return [load(write_demo(root / f"s{seed}", seed=seed, anomalies=False)) for seed in (1, 2, 3)]


@pytest.mark.slow
def test_no_more_flags_than_the_stated_error_rate_without_anomalies(null_datasets):
    units = flags = signals = checks = 0
    for ds in null_datasets:
        for year in (2024, 2025):
            for res in (fnd.agreement_funnels(ds, year), fnd.enterprise_funnels(ds, year)):
                for fr in res.values():
                    units += len(fr.table)
                    flags += int(fr.table["flag"].notna().sum())
            ch = fnd.check_series(fnd.monthly_series(ds, 2022, year), year)
            # job entries are left out: their planted yearly counts really do change level
            for name in ("course_starts", "dropouts"):
                checks += 1
                signals += int(ch[name].run.signal)
    # funnels: two-sided 99.8 % → 0.2 % of units; allow that plus 2
    assert units > 1000 and flags <= 0.002 * units + 2, f"{flags} of {units} units flagged"
    # run charts: about 5-10 % false alarms per series at these lengths; 4+ of 12 has p ≈ 0.03
    assert signals <= 3, f"{signals} of {checks} series signalled"


def test_year_over_year_flags_the_dropout_jump(demo):
    from so_eval import metrics

    t = fnd.yoy_table(
        demo, 2025, metrics.jobs_per_year(demo, [2024, 2025]), metrics.progression_per_year(demo, [2024, 2025])
    )
    row = t.set_index("key").loc["goal2.dropout_share"]
    assert row["flag"] and row["current"] > row["previous"]
    assert not t.set_index("key").loc["goal1.jobs", "flag"]  # 41 → 44 is chance


def test_projection_and_early_attainment(demo, tmp_path):
    r = AnnualReport(demo, ReportParams(year=2023, published_dir=str(tmp_path)))
    res = r.projections["goal3"]
    assert res.reached_year is None and res.target_year == 2025
    assert "goal3.projection.2025" in r.ledger and "goal3.projection.2025.low95" in r.ledger
    low, high = r.ledger["goal3.projection.2025.low95"].value, r.ledger["goal3.projection.2025.high95"].value
    assert low < r.ledger["goal3.projection.2025"].value < high
    r24 = AnnualReport(demo, ReportParams(year=2024, published_dir=str(tmp_path)))
    assert r24.goal3_status.label == "nået før tid"
    assert "nået før tid" in r24.goal3().text and "Målet på 40 blev nået i 2024 – før tid" in r24.goal3().text


def test_corrections_name_late_registrations(demo, demo_dir, tmp_path):
    truth = json.loads((demo_dir / "truth.json").read_text())
    prev = ReportParams(year=2024)
    table = corrections(
        demo, lambda d: AnnualReport(d, prev, light=True).ledger, published=None, published_on=report_date(2024)
    )
    jobs = table.set_index("key").loc["goal1.jobs"]
    assert jobs["published"] == str(truth["jobs_per_year_known_on_report_date"]["2024"])
    assert jobs["now"] == str(truth["jobs_per_year"]["2024"])
    assert jobs["reason"] == REASONS["late"]
    # the annual report for 2025 lists it
    r = AnnualReport(demo, ReportParams(year=2025, published_dir=str(tmp_path)))
    assert "goal1.jobs" in set(r.corrections["key"])
    assert "sene registreringer" in " ".join(r.skewed().text.split())


def test_corrections_against_a_published_figure_changed_by_hand(demo):
    prev = ReportParams(year=2024)
    ledger = AnnualReport(demo.as_known_on(report_date(2024)), prev, light=True).ledger
    published = ledger.frame()
    published.loc[published["key"] == "goal2.courses_started", "value"] = "999"  # a figure no rule gives
    table = corrections(
        demo,
        lambda d: AnnualReport(d, prev, light=True).ledger,
        published=published,
        published_on=report_date(2024),
        same_code=True,
    )
    row = table.set_index("key").loc["goal2.courses_started"]
    assert row["reason"] == REASONS["row"]  # same code, data as then differ from what was published


def test_compare():
    a = pd.DataFrame({"key": ["x", "y", "z"], "value": ["1", "2", "<5"], "label": ["X", "Y", "Z"]})
    b = pd.DataFrame({"key": ["x", "y", "w"], "value": ["1", "3", "4"], "label": ["X", "Y", "W"]})
    d = compare(a, b).set_index("key")
    assert list(d.index) == ["y", "z", "w"]
    assert d.loc["y", "published"] == "2" and d.loc["y", "reproduced"] == "3"
    assert d.loc["z", "reproduced"] == "" and d.loc["w", "published"] == ""


def test_two_flagged_enterprises_whose_names_begin_alike_are_two_findings_with_their_own_keys():
    # the finding's key was made from the first word of the unit's label ("butik" twice), so two
    # flagged enterprises called "Butik …" stopped the report with "recorded twice"
    from so_eval.reporting.ledger import Ledger
    from so_eval.screening import funnel_limits
    from so_eval.screening.findings import funnel_findings

    data = pd.DataFrame(
        {
            "unit": ["Butik Nord (V1)", "Butik Syd (V2)"] + [f"Værksted {i} (V{i + 2})" for i in range(8)],
            "events": [20, 20] + [2] * 8,
            "n": [20] * 10,
        }
    )
    res = funnel_limits(data, unit="unit", events="events", n="n", overdispersion=False)
    found = funnel_findings({"jobs": res}, level="enterprise", year=2024, width=2, min_cell=5, ledger=Ledger())
    assert [f.subject for f in found if f.subject.startswith("Butik")] == ["Butik Nord (V1)", "Butik Syd (V2)"]
    assert len({f.key for f in found}) == len(found)
    assert "100\u00a0% af 20 afsluttede forløb i 2023–2024" in found[0].text
