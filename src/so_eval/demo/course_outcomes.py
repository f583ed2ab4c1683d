"""What becomes of the demo's courses: exactly JOBS_PER_YEAR citizens a year come into a job, the
other ended courses get an end status (with the planted high-drop-out agreement and the drop-out
shift), some jobs are registered late or end when the citizen changes job; and the progression
steps along each course.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from so_eval import glossary as g
from so_eval.demo.dates import EXTRACT_DATE, LAST_YEAR, random_date, report_date, year_bounds

#: distinct citizens coming into a job per year (the planted truth for goal 1)
JOBS_PER_YEAR = {2018: 32, 2019: 35, 2020: 31, 2021: 36, 2022: 38, 2023: 27, 2024: 41, 2025: 44}
LATE_SHARE = 0.10
"""Share of job rows registered late (30–120 days after the job started)."""
PLANTED_LATE_PER_YEAR = 2
"""Jobs per strategy year (2022–2024) registered after that year's annual report was made."""
JOB_CHANGES_PER_YEAR = 4
"""Citizens in a job who start a new one, per strategy year (job changes: not goal 1's count)."""
JOB_CHANGE_SEED = 4711
"""The planted job changes' own random stream (so that planting them changes nothing else)."""
DROPOUT_AGREEMENT_RATE = 0.75
"""Drop-out probability in the planted high-drop-out agreement (others: about 0.12)."""
HIGH_JOBS_WEIGHT = 5.0
"""How much more likely a citizen of the planted high-job agreement is to be among the year's jobs."""
DROPOUT_SHIFT_FROM = pd.Timestamp("2025-01-01")
SHIFTED_DROPOUT = 0.42
"""Drop-out probability (outside the high-drop-out agreement) for courses ending from the shift."""


def assign_outcomes(
    rng: np.random.Generator,
    courses: pd.DataFrame,
    cit: pd.DataFrame,
    anomalies: dict,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Choose exactly JOBS_PER_YEAR[y] distinct citizens per year to come into a job; set the rest.

    ``anomalies`` plants the unusual: a ``high_dropout`` agreement whose citizens mostly drop
    out, a ``high_jobs`` agreement whose citizens come into jobs far more often than others
    (from 2022), and a level shift in monthly drop-outs from ``dropout_shift_from``.
    """
    dropout_agreement = anomalies.get("high_dropout")
    courses = courses.copy()
    group = courses["citizen_id"].map(cit.set_index("citizen_id")["target_group"])
    job_rows = []
    ended = courses["end"].notna()
    for year, n_jobs in JOBS_PER_YEAR.items():
        chosen = _choose_jobs(rng, courses, group, ended, year, n_jobs, dropout_agreement, anomalies.get("high_jobs"))
        for i in sorted(chosen):
            row, status = _job(rng, courses.loc[i], group[i])
            job_rows.append(row)
            courses.at[i, "end_status"] = status
            courses.at[i, "end_step"] = "småjob" if status == "småjob" else "job"
    # the other ended courses: where the citizen is after the course
    for i in courses.index[ended & courses["end_status"].isna()]:
        status, end_step = _course_end(
            rng, courses.loc[i], group[i], dropout_agreement, anomalies.get("dropout_shift_from")
        )
        courses.at[i, "end_status"] = status
        courses.at[i, "end_step"] = end_step
    jobs = pd.DataFrame(job_rows)
    jobs.insert(0, "job_id", [f"J{i:05d}" for i in range(1, len(jobs) + 1)])  # the key: in row order
    _plant_late_registrations(rng, jobs)
    jobs = _end_jobs_left_before(jobs, courses)
    return courses, _plant_job_changes(jobs)


_JOB_WEIGHT = {"fleksjob": 1.6, "kontanthjælp": 1.0, "integration": 0.8, "ressourceforløb": 0.6, "unge": 0.9}
"""How likely a citizen of each target group is to be among the year's jobs (relative)."""


def _choose_jobs(
    rng: np.random.Generator,
    courses: pd.DataFrame,
    group: pd.Series,
    ended: pd.Series,
    year: int,
    n_jobs: int,
    dropout_agreement: str | None,
    high_jobs: str | None,
) -> np.ndarray:
    """The courses (of ``n_jobs`` distinct citizens) ended in ``year`` after which the citizen comes into a job."""
    lo, hi = year_bounds(year)
    eligible = courses.index[
        ended
        & (courses["end"] >= lo)
        & (courses["end"] <= hi - pd.Timedelta(days=21))
        & (courses["agreement_id"] != dropout_agreement)
    ]
    # a citizen counts once a year; pick courses of distinct citizens
    eligible = courses.loc[eligible].drop_duplicates("citizen_id").index.to_numpy()
    weight = group.loc[eligible].map(_JOB_WEIGHT).to_numpy(dtype=float)
    if high_jobs is not None and year >= 2022:
        weight = weight * np.where(courses.loc[eligible, "agreement_id"] == high_jobs, HIGH_JOBS_WEIGHT, 1.0)
    return rng.choice(eligible, size=n_jobs, replace=False, p=weight / weight.sum())


def _job(rng: np.random.Generator, c: pd.Series, group: str) -> tuple[dict, str]:
    """The job a citizen comes into after course ``c``, and the course's end status (job or småjob)."""
    small = rng.random() < 0.25
    if small:
        job_type, hours, status = "småjob", float(rng.integers(2, 11)), "småjob"
    elif group == "fleksjob":
        job_type, hours, status = "fleksjob", float(rng.integers(8, 26)), "job"
    elif group == "unge" and rng.random() < 0.5:
        job_type, hours, status = "elev/lærling", 37.0, "job"
    else:
        job_type = str(rng.choice(["ordinært job", "deltidsjob"], p=[0.55, 0.45]))
        hours = 37.0 if job_type == "ordinært job" else float(rng.integers(15, 31))
        status = "job"
    start = c["end"] + pd.Timedelta(days=int(rng.integers(0, 21)))
    late = rng.random() < LATE_SHARE
    lag = int(rng.integers(30, 121)) if late else int(rng.integers(1, 21))
    job_end = start + pd.Timedelta(days=int(rng.integers(90, 900))) if rng.random() < 0.35 else pd.NaT
    row = {
        "citizen_id": c["citizen_id"],
        "course_id": c["course_id"],
        "start": start,
        "end": job_end if pd.notna(job_end) and job_end <= EXTRACT_DATE else pd.NaT,
        "job_type": job_type,
        "weekly_hours": hours,
        "registered": min(start + pd.Timedelta(days=lag), EXTRACT_DATE),
    }
    return row, status


_END_STATUSES = ["uddannelse", "praktik", "flere timer", "afklaring", "frafald", "andet"]


def _course_end(
    rng: np.random.Generator,
    c: pd.Series,
    group: str,
    dropout_agreement: str | None,
    shift_from: pd.Timestamp | None,
) -> tuple[str, str]:
    """End status and end step of an ended course not followed by a job."""
    if c["agreement_id"] == dropout_agreement:
        p = [0.02, 0.05, 0.03, 0.10, DROPOUT_AGREEMENT_RATE, 0.05]
    elif group == "unge":
        p = [0.38, 0.12, 0.04, 0.20, 0.16, 0.10]
    else:
        p = [0.05, 0.20, 0.14, 0.30, 0.20, 0.11]
    if shift_from is not None and c["end"] >= shift_from and c["agreement_id"] != dropout_agreement:
        p = _raise_dropout(p, SHIFTED_DROPOUT)
    status = str(rng.choice(_END_STATUSES, p=p))
    start_rank = g.STEP_RANK[c["start_step"]]
    if status in ("uddannelse", "praktik", "flere timer"):
        end_step = status
        if g.STEP_RANK[end_step] < start_rank:
            end_step = c["start_step"]
    elif status == "afklaring":
        end_step = "afklaring" if start_rank <= 2 else c["start_step"]
    else:  # frafald, andet: no progress, sometimes a step before leaving
        end_step = c["start_step"] if rng.random() < 0.8 else g.STEPS[min(start_rank, 4)]
    return status, end_step


def _plant_late_registrations(rng: np.random.Generator, jobs: pd.DataFrame) -> None:
    """In each strategy year before the last, two jobs started late in the year are registered only
    after the annual report was made (so the report after corrects them); ``jobs`` is changed in place."""
    for year in range(2022, LAST_YEAR):
        late_in_year = jobs.index[
            (jobs["start"] >= pd.Timestamp(year, 11, 1))
            & (jobs["start"].dt.year == year)
            & (jobs["registered"] <= report_date(year))
        ]
        for i in late_in_year[:PLANTED_LATE_PER_YEAR]:
            jobs.at[i, "registered"] = report_date(year) + pd.Timedelta(days=int(rng.integers(5, 45)))


def _end_jobs_left_before(jobs: pd.DataFrame, courses: pd.DataFrame) -> pd.DataFrame:
    """A citizen chosen to come into a job in a later year had left the earlier job: end it
    before the new course began (and at least two days before the new job), so that each of the
    year's JOBS_PER_YEAR citizens comes into employment from outside a job."""
    jobs = jobs.copy()
    course_start = jobs["course_id"].map(courses.set_index("course_id")["start"])
    for _, idx in jobs.sort_values("start").groupby("citizen_id").groups.items():
        idx = list(idx)
        for prev, new in pairwise(idx):
            latest = min(course_start[new] - pd.Timedelta(days=1), jobs.at[new, "start"] - pd.Timedelta(days=2))
            end = jobs.at[prev, "end"]
            if pd.isna(end) or end > latest:
                jobs.at[prev, "end"] = max(jobs.at[prev, "start"], latest)
    return jobs


def _plant_job_changes(jobs: pd.DataFrame) -> pd.DataFrame:
    """Plant JOB_CHANGES_PER_YEAR job changes a year in the strategy period: a citizen in a job
    starts a new one the day after the old one ends, registered on the same course (and long
    after it, so no agreement is credited). Their own random stream: nothing else moves."""
    rng = np.random.default_rng(JOB_CHANGE_SEED)
    jobs = jobs.copy()
    rows = []
    for year in range(2022, LAST_YEAR + 1):
        lo, hi = year_bounds(year)
        # in an open job that started at least half a year before the change
        ongoing = jobs.loc[jobs["end"].isna() & (jobs["start"] < lo - pd.Timedelta(days=180))]
        ongoing = ongoing.loc[~ongoing["citizen_id"].isin({r["citizen_id"] for r in rows})]
        for i in rng.choice(ongoing.index, size=min(JOB_CHANGES_PER_YEAR, len(ongoing)), replace=False):
            start = random_date(rng, lo, hi - pd.Timedelta(days=60))
            jobs.at[i, "end"] = start - pd.Timedelta(days=1)
            rows.append(
                {
                    "citizen_id": jobs.at[i, "citizen_id"],
                    "course_id": jobs.at[i, "course_id"],
                    "start": start,
                    "end": pd.NaT,
                    "job_type": "ordinært job",
                    "weekly_hours": 37.0,
                    "registered": min(start + pd.Timedelta(days=int(rng.integers(1, 21))), EXTRACT_DATE),
                }
            )
    changes = pd.DataFrame(rows)
    changes.insert(0, "job_id", [f"J{i:05d}" for i in range(len(jobs) + 1, len(jobs) + len(changes) + 1)])
    return pd.concat([jobs, changes], ignore_index=True)


def _raise_dropout(p: list[float], dropout: float) -> list[float]:
    """The same status mix with the drop-out probability (index 4) raised to ``dropout``."""
    rest = [x for i, x in enumerate(p) if i != 4]
    scale = (1 - dropout) / sum(rest)
    return [dropout if i == 4 else x * scale for i, x in enumerate(p)]


_HOURS = {
    "motivation": (0, 0),
    "afklaring": (0, 0),
    "praktik": (0, 0),
    "småjob": (2, 10),
    "flere timer": (10, 20),
    "uddannelse": (0, 0),
}


def progression_table(rng: np.random.Generator, courses: pd.DataFrame, jobs: pd.DataFrame) -> pd.DataFrame:
    """The ``progression`` table: the steps of each course from its start step to its end step, spread
    over the course, with the weekly paid hours at each."""
    job_hours = jobs.drop_duplicates("course_id").set_index("course_id")["weekly_hours"]  # the job after the course
    rows = []
    order = [s for s in g.STEPS if s not in ("job", "uddannelse")]
    for c in courses.itertuples():
        start_rank = g.STEP_RANK[c.start_step]
        last = c.end if pd.notna(c.end) else EXTRACT_DATE
        if pd.notna(c.end_step):
            end_step = c.end_step
        else:  # ongoing: somewhere between the start step and two steps on
            end_step = order[min(start_rank - 1 + int(rng.integers(0, 3)), len(order) - 1)]
        end_rank = g.STEP_RANK[end_step]
        path = [c.start_step] + [s for s in order if start_rank < g.STEP_RANK[s] < end_rank]
        if end_step != c.start_step:
            path.append(end_step)
        span = max((last - c.start).days, 1)
        for k, step in enumerate(path):
            when = c.start if k == 0 else c.start + pd.Timedelta(days=int(span * k / (len(path) - 1 or 1)))
            if step == "job" or (step == "småjob" and c.course_id in job_hours.index and k == len(path) - 1):
                hours = float(job_hours.get(c.course_id, 37.0))
            else:
                lo, hi = _HOURS.get(step, (0, 0))
                hours = float(rng.integers(lo, hi + 1)) if hi else 0.0
            rows.append(
                {
                    "citizen_id": c.citizen_id,
                    "course_id": c.course_id,
                    "date": when,
                    "step": step,
                    "weekly_paid_hours": hours,
                    "registered": min(when + pd.Timedelta(days=int(rng.integers(0, 15))), EXTRACT_DATE),
                }
            )
    return pd.DataFrame(rows)
