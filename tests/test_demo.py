"""The demo dataset: deterministic, realistic, and the workbench finds what it planted."""

from __future__ import annotations

import json
from pathlib import Path

from so_eval import metrics, validate
from so_eval.annual import AnnualReport
from so_eval.demo.core import report_date, write_demo
from so_eval.params import ReportParams


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_files(tmp_path, demo_dir):
    again = write_demo(tmp_path / "again")
    assert _bytes(again) == _bytes(demo_dir)


def test_other_seed_gives_other_data(tmp_path, demo_dir):
    other = write_demo(tmp_path / "other", seed=7)
    assert _bytes(other)["courses.csv"] != _bytes(demo_dir)["courses.csv"]
    assert validate(other) == []


def test_demo_is_valid(demo_dir):
    assert validate(demo_dir) == []


def test_demo_is_realistic_for_the_municipality(demo):
    years = range(2018, 2026)
    assert 2000 <= len(demo.citizens) <= 5000
    assert set(demo.citizens["target_group"]) == {"ressourceforløb", "kontanthjælp", "fleksjob", "integration", "unge"}
    starts = demo.courses["start"].dt.year.value_counts()
    assert all(100 <= starts[y] <= 200 for y in years)
    in_force = [len(metrics.agreements_active(demo, y)) for y in range(2021, 2026)]
    assert all(25 <= n <= 55 for n in in_force)
    jobs = metrics.jobs_per_year(demo, years)["jobs"]
    assert jobs.between(25, 45).all()
    ent = metrics.enterprises_per_year(demo, years).set_index("year")
    assert ent.loc[2021, "active"] == 25
    assert ent["closed"].sum() >= 5
    assert set(demo.courses["end_status"].dropna()) == {
        "job",
        "uddannelse",
        "praktik",
        "flere timer",
        "småjob",
        "afklaring",
        "frafald",
        "andet",
    }
    assert demo.courses["end"].isna().sum() > 0  # some courses are still running
    # pseudonyms only: nothing shaped like a CPR number
    assert not demo.citizens["citizen_id"].str.fullmatch(r"\d{6}-?\d{4}").any()


def test_truth_matches_metrics(demo, demo_dir):
    truth = json.loads((demo_dir / "truth.json").read_text())
    years = list(range(2018, 2026))
    jobs = metrics.jobs_per_year(demo, years).set_index("year")["jobs"]
    assert {str(y): int(v) for y, v in jobs.items()} == truth["jobs_per_year"]
    ent = metrics.enterprises_per_year(demo, years).set_index("year")
    assert {str(y): int(v) for y, v in ent["three_bottom_lines"].items()} == truth["enterprises_three_bottom_lines"]
    assert {str(y): int(v) for y, v in ent["active"].items()} == truth["enterprises_active"]
    started = metrics.progression_per_year(demo, years).set_index("year")["started"]
    assert {str(y): int(v) for y, v in started.items()} == truth["courses_started"]


def test_late_registrations_change_earlier_figures(demo, demo_dir):
    truth = json.loads((demo_dir / "truth.json").read_text())
    assert sum(truth["late_job_registrations"].values()) > 0
    for year in (2022, 2023, 2024):
        known = demo.as_known_on(report_date(year))
        got = metrics.jobs_per_year(known, [year])["jobs"].iloc[0]
        assert got == truth["jobs_per_year_known_on_report_date"][str(year)]
    # at least one strategy year's figure was later corrected upward
    assert any(
        truth["jobs_per_year_known_on_report_date"][y] < truth["jobs_per_year"][y] for y in ("2022", "2023", "2024")
    )


def test_story_exercises_every_branch(demo, demo_dir, tmp_path):
    truth = json.loads((demo_dir / "truth.json").read_text())
    assert truth["years_below_job_norm"] == [2023]
    assert truth["enterprise_target_first_reached"] == 2024  # a year early
    assert truth["enterprises_closed"]["2025"]  # an enterprise closes in the last year

    def report(year):
        return AnnualReport(
            demo, ReportParams(year=year, targets={"progressed_share": 0.6}, published_dir=str(tmp_path))
        )

    r23, r24, r25 = report(2023), report(2024), report(2025)
    assert r23.goal1_status.status.value == "not_met"
    assert r24.goal1_status.status.value == "met"
    assert r24.goal3_status.status.value == "met_early"
    assert r23.goal3_status.status.value == "not_yet"
    assert r25.goal3_status.status.value == "met"
    # the high-drop-out agreement is named under "what did not go as expected"
    bad = " ".join(r25.findings()[1]) + " ".join(r24.findings()[1])
    assert truth["high_dropout_agreement"] in bad
    assert "lukkede" in " ".join(r25.findings()[1])
    assert "før tid" in r24.successes().text


def test_high_dropout_agreement_really_is(demo, demo_dir):
    truth = json.loads((demo_dir / "truth.json").read_text())
    agr = metrics.progression_by_agreement(demo, range(2018, 2026)).set_index("agreement_id")
    worst = agr.loc[agr["ended"] >= 10, "dropout_share"].idxmax()
    assert worst == truth["high_dropout_agreement"]
    assert agr.loc[worst, "dropout_share"] > 0.5
