"""The counting rules of goals 1 and 2, one hand-made case per rule (issue: citizens, not records).

Each dataset is a few rows written out below; the expected answer is worked out by hand in the
test. The tiny dataset's enterprises and agreements are reused (tests/tiny.py): A1 (E1, running
since 2020), A2 (E2, 2022-07-01 to 2024-05-31), A3 (E5, 2021 to 2024-12-31).
"""

from __future__ import annotations

import pytest

from so_eval import metrics
from so_eval.annual import AnnualReport
from so_eval.data.loading import load
from so_eval.params import ReportParams
from tiny import write_tiny

CITIZENS = """citizen_id,birth_year,gender,target_group,origin,registered
C1,1980,k,kontanthjælp,dansk,2019-01-01
C2,1975,m,fleksjob,dansk,2019-01-01
C3,2003,k,unge,dansk,2019-01-01
C4,2004,m,unge,ikke-vestlig,2019-01-01
C5,1990,k,integration,ikke-vestlig,2019-01-01
"""
COURSE_HEAD = "course_id,citizen_id,agreement_id,start,end,start_step,end_step,end_status,registered\n"
PROG_HEAD = "citizen_id,course_id,date,step,weekly_paid_hours,registered\n"
JOB_HEAD = "job_id,citizen_id,course_id,start,end,job_type,weekly_hours,registered\n"


def _ds(tmp_path, courses: str, jobs: str = "", progression: str = "", citizens: str = CITIZENS):
    folder = write_tiny(
        tmp_path / "data",
        citizens=citizens,
        courses=COURSE_HEAD + courses,
        jobs=JOB_HEAD + jobs,
        progression=PROG_HEAD + progression,
        learnings=None,
    )
    return load(folder)


# -- goal 1: citizens who came into employment, not job starts ------------------------------

SECOND_JOB_COURSES = """K1,C1,A1,2023-01-10,2023-05-31,afklaring,job,job,2023-01-11
K2,C2,A1,2023-01-10,2023-12-20,afklaring,job,job,2023-01-11
K3,C3,A1,2023-01-10,2023-12-20,afklaring,job,job,2023-01-11
"""
# C1: in a job since June 2023 (still open), starts a second job in February 2024 → a job change
# in 2024, no entry. C2: a job that ends 2024-01-31, the next starts 2024-02-01 → in a job the day
# before: a job change. C3: a job ending 2024-01-29, the next from 2024-02-01 → not in a job on
# 2024-01-31: an entry into employment in 2024 (and also one in 2023).
SECOND_JOB_JOBS = """J1,C1,K1,2023-06-01,,ordinært job,37,2023-06-02
J2,C1,K1,2024-02-15,,deltidsjob,20,2024-02-16
J3,C2,K2,2023-12-28,2024-01-31,ordinært job,37,2024-01-02
J4,C2,K2,2024-02-01,,ordinært job,37,2024-02-02
J5,C3,K3,2023-12-28,2024-01-29,småjob,8,2024-01-02
J6,C3,K3,2024-02-01,,ordinært job,37,2024-02-02
"""


def test_a_second_job_while_in_a_job_is_a_job_change_not_an_entry(tmp_path):
    ds = _ds(tmp_path, SECOND_JOB_COURSES, SECOND_JOB_JOBS)
    per_year = metrics.jobs_per_year(ds, [2023, 2024]).set_index("year")
    # 2023: J1 (C1), J3 (C2), J5 (C3) each start outside a job → 3 citizens, no change
    assert per_year.loc[2023, ["jobs", "job_changes"]].tolist() == [3, 0]
    # 2024: C3 came in again (J6: not in a job on 31 January); C1 (J2) and C2 (J4) only changed
    assert per_year.loc[2024, ["jobs", "job_changes"]].tolist() == [1, 2]
    assert metrics.employment_entries(ds, 2024)["citizen_id"].tolist() == ["C3"]
    assert sorted(metrics.job_changes(ds, 2024)["citizen_id"]) == ["C1", "C2"]
    starts = metrics.job_starts(ds).set_index("job_id")["entry"]
    assert starts.to_dict() == {"J1": True, "J2": False, "J3": True, "J4": False, "J5": True, "J6": True}


def test_which_job_types_count_is_a_parameter(tmp_path):
    ds = _ds(tmp_path, SECOND_JOB_COURSES, SECOND_JOB_JOBS)
    no_small = [t for t in ReportParams(year=2024).counting["employment_job_types"] if t != "småjob"]
    per_year = metrics.jobs_per_year(ds, [2023, 2024], job_types=tuple(no_small)).set_index("year")
    # without småjob, C3's J5 is no job at all: 2023 has C1 and C2; in 2024 C3's J6 is still an
    # entry, and C1, C2 still changed job
    assert per_year.loc[2023, "jobs"] == 2
    assert per_year.loc[2024, ["jobs", "job_changes"]].tolist() == [1, 2]


def test_unknown_job_type_in_the_parameters_is_refused():
    with pytest.raises(ValueError, match="unknown job type"):
        ReportParams(year=2024, counting={"employment_job_types": ["ordinært job", "sommerjob"]})


PERIOD_COURSES = """K1,C1,A1,2023-01-10,2023-05-31,afklaring,job,job,2023-01-11
K2,C1,A3,2024-01-10,2024-05-31,afklaring,job,job,2024-01-11
K3,C2,A1,2024-01-10,2024-05-31,afklaring,job,job,2024-01-11
"""
# C1 came into employment in 2023 (via A1/E1) and, after the job ended, again in 2024 (via A3/E5)
PERIOD_JOBS = """J1,C1,K1,2023-06-01,2023-09-30,ordinært job,37,2023-06-02
J2,C1,K2,2024-06-01,,ordinært job,37,2024-06-02
J3,C2,K3,2024-06-10,,fleksjob,15,2024-06-11
"""


def test_a_period_table_counts_each_citizen_once_at_the_first_entry(tmp_path):
    ds = _ds(tmp_path, PERIOD_COURSES, PERIOD_JOBS)
    # year by year: 2023 C1; 2024 C1 and C2 → 3 if added up; over the period 2 distinct citizens
    assert metrics.jobs_per_year(ds, [2023, 2024])["jobs"].tolist() == [1, 2]
    by_ent = metrics.jobs_by(ds, [2023, 2024], "enterprise_id").set_index("enterprise_id")["jobs"]
    # C1 is credited to E1 (the first entry, 2023), C2 to E1 (K3 is under A1): E1 2, E5 none
    assert by_ent.to_dict() == {"E1": 2}


# -- goal 2: per citizen, and hours as progression ------------------------------------------

TWO_COURSES = """K1,C1,A1,2024-01-10,2024-03-31,afklaring,afklaring,frafald,2024-01-11
K2,C1,A1,2024-05-01,2024-10-31,afklaring,praktik,praktik,2024-05-02
K3,C2,A1,2024-01-10,2024-06-30,afklaring,afklaring,afklaring,2024-01-11
K4,C3,A2,2024-01-10,2024-05-15,motivation,uddannelse,uddannelse,2024-01-11
K5,C3,A2,2024-01-10,2024-05-20,motivation,motivation,andet,2024-01-11
K6,C4,A2,2024-01-10,2024-05-20,motivation,motivation,frafald,2024-01-11
"""
TWO_COURSES_PROG = """C2,K3,2024-01-10,afklaring,0,2024-01-11
C2,K3,2024-06-30,afklaring,4,2024-07-01
"""


def test_goal_2_counts_each_citizen_once_and_hours_count_as_progression(tmp_path):
    ds = _ds(tmp_path, TWO_COURSES, progression=TWO_COURSES_PROG)
    row = metrics.progression_per_year(ds, [2024]).iloc[0]
    # courses ended in 2024: K1..K6 = 6. Progressed: K2 (afklaring → praktik, a step), K3 (stays
    # at afklaring, hours 0 → 4), K4 (motivation → uddannelse) = 3; by step K2, K4 = 2; by hours K3 = 1
    assert row[["ended", "progressed", "progressed_step", "progressed_hours"]].tolist() == [6, 3, 2, 1]
    # citizens: C1 (K1 dropped out, K2 progressed → progressed), C2 (K3 → progressed),
    # C3 (K4 progressed, K5 not → progressed), C4 (K6 → not) → 3 of 4
    assert row[["citizens_ended", "citizens_progressed"]].tolist() == [4, 3]
    assert row["citizens_progressed_share"] == pytest.approx(3 / 4)
    assert row["progressed_share"] == pytest.approx(3 / 6)


def test_young_peoples_entry_into_education_is_counted_per_young_citizen(tmp_path):
    ds = _ds(tmp_path, TWO_COURSES, progression=TWO_COURSES_PROG)
    # young (unge): C3 (K4 uddannelse, K5 andet) and C4 (K6 frafald): 2 young citizens, 1 in
    # education — per course it would have been 1 of 3
    assert metrics.youth_education(ds, [2024]).iloc[0][["ended", "education"]].tolist() == [2, 1]


def test_a_dropout_that_progressed_first_is_counted_as_both(tmp_path):
    courses = "K1,C1,A1,2024-01-10,2024-06-30,motivation,praktik,frafald,2024-01-11\n"
    ds = _ds(tmp_path, courses)
    row = metrics.progression_per_year(ds, [2024]).iloc[0]
    assert row[["ended", "progressed", "dropped_out", "dropped_out_progressed"]].tolist() == [1, 1, 1, 1]


# -- jobs after a course: during, within the window, the year boundary ------------------------

WINDOW_COURSES = """K1,C1,A1,2024-03-01,2024-12-31,afklaring,job,job,2024-03-02
K2,C2,A1,2024-03-01,2024-09-30,afklaring,job,job,2024-03-02
K3,C3,A1,2024-01-15,2024-06-30,afklaring,job,job,2024-01-16
K4,C4,A1,2024-01-15,2024-06-30,afklaring,praktik,praktik,2024-01-16
"""
# K1 ends 31 December, its job starts 1 January (the year boundary); K2's job starts during the
# course; K3's job starts exactly 90 days after its end (2024-06-30 + 90 = 2024-09-28); K4's job
# starts 91 days after (2024-09-29), outside the window
WINDOW_JOBS = """J1,C1,K1,2025-01-01,,ordinært job,37,2025-01-02
J2,C2,K2,2024-08-01,,deltidsjob,20,2024-08-02
J3,C3,K3,2024-09-28,,ordinært job,37,2024-09-29
J4,C4,K4,2024-09-29,,ordinært job,37,2024-09-30
"""


def test_jobs_per_agreement_count_courses_within_the_window_credited_to_the_end_year(tmp_path):
    ds = _ds(tmp_path, WINDOW_COURSES, WINDOW_JOBS)
    a24 = metrics.progression_by_agreement(ds, 2024).set_index("agreement_id").loc["A1"]
    # ended in 2024: K1..K4. With a job: K1 (after, across New Year), K2 (during), K3 (after, day 90)
    assert a24[["ended", "jobs", "jobs_during", "jobs_after"]].tolist() == [4, 3, 1, 2]
    # the job of 1 January is credited to K1's year, not to 2025 (no course ends then)
    assert metrics.progression_by_agreement(ds, 2025).empty
    # a shorter window: 89 days drops K3
    a24 = metrics.progression_by_agreement(ds, 2024, window_days=89).set_index("agreement_id").loc["A1"]
    assert a24[["jobs", "jobs_after"]].tolist() == [2, 1]
    # goal 1 counts the 1 January job in 2025 — and the reconciliation says via a course ended earlier
    assert metrics.jobs_per_year(ds, [2024, 2025])["jobs"].tolist() == [3, 1]
    src = metrics.employment_sources(ds, 2025).set_index("source")["citizens"]
    assert src.to_dict() == {"ended_this_year": 0, "ended_earlier": 1, "during_course": 0, "no_course": 0}


def test_goal_1_is_reconciled_by_where_the_course_stood(tmp_path):
    ds = _ds(tmp_path, WINDOW_COURSES, WINDOW_JOBS)
    src = metrics.employment_sources(ds, 2024).set_index("source")["citizens"]
    # 2024 entries: C2 (J2 during K2), C3 (J3 after K3 ended in 2024), C4 (J4 after K4, 2024)
    assert src.to_dict() == {"ended_this_year": 2, "ended_earlier": 0, "during_course": 1, "no_course": 0}
    assert src.sum() == metrics.jobs_per_year(ds, [2024])["jobs"].iloc[0]


def test_the_report_names_both_levels_and_reconciles_goal_1(tmp_path):
    ds = _ds(
        tmp_path,
        TWO_COURSES
        + WINDOW_COURSES.replace("K1,", "K7,").replace("K2,", "K8,").replace("K3,", "K9,").replace("K4,", "K10,"),
        WINDOW_JOBS.replace(",K1,", ",K7,").replace(",K2,", ",K8,").replace(",K3,", ",K9,").replace(",K4,", ",K10,"),
        TWO_COURSES_PROG,
    )
    report = AnnualReport(ds, ReportParams(year=2024, disclosure={"min_cell": 1}))
    ledger = report.ledger
    # citizens with a course ending in 2024: C1..C4 (all have one of K1–K6, and C1..C4 also K7..K10)
    assert ledger["goal2.citizens_ended"].value == 4
    assert ledger["goal2.courses_ended"].value == 10
    assert ledger["goal1.jobs"].value == 3 and ledger["goal1.job_changes"].value == 0
    text = report.goal2().text
    assert "borgere** et forløb" in text and "Mål 1 tæller noget andet" in text
    rows = {r["Borgeren kom i job"]: r["Borgere"] for r in report.goal1_sources.data.to_dict("records")}
    assert rows["Under et forløb, der ikke var slut i året"] == "1"
    assert rows["Efter et forløb, der sluttede i 2024"] == "2"
