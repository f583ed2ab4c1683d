"""Goal 1 — beskæftigelse: citizens who came into employment, and job changes."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from so_eval import glossary as g
from so_eval.data.dataset import Dataset, memoized

ENTRY_COLUMNS = [
    "citizen_id",
    "job_id",
    "start",
    "job_type",
    "weekly_hours",
    "course_id",
    "agreement_id",
    "enterprise_id",
    "target_group",
]


def _types(job_types: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(g.JOB_TYPES) if job_types is None else tuple(job_types)


@memoized
def job_starts(ds: Dataset, job_types: Iterable[str] | None = None) -> pd.DataFrame:
    """Every job start of a counted job type, marked as an entry into employment or a job change.

    Counting rule: a job of one of ``job_types`` (default: every job type) is an *entry into
    employment* when the citizen was in no other job of those types on the day before it
    started — no such job had started by that day and not ended before it, as registered.
    Otherwise it is a *job change* (a new job while already in a job). Two jobs starting on the
    same day are both entries. A job that ends the day before the next starts makes the next a
    job change: the citizen was in a job that day.

    Tælleregel: Et job er en *overgang til beskæftigelse*, når borgeren ikke var i et andet job
    dagen før jobbet startede (som registreret). Et nyt job, mens borgeren allerede er i job, er
    et *jobskifte* og tælles for sig. Kun de jobtyper, der tæller som beskæftigelse (se
    parametrene), indgår.

    Returns
    -------
    DataFrame with columns job_id, citizen_id, course_id, start, end, job_type, weekly_hours,
    year (of the start) and entry (True for an entry into employment, False for a job change).
    """
    jobs = ds.jobs
    jobs = jobs.loc[jobs["job_type"].isin(_types(job_types))]
    cols = ["job_id", "citizen_id", "course_id", "start", "end", "job_type", "weekly_hours"]
    jobs = jobs[cols].reset_index(drop=True)
    day_before = jobs["start"] - pd.Timedelta(days=1)
    # each job against the citizen's other jobs: was one of them ongoing on the day before?
    pairs = (
        jobs[["job_id", "citizen_id"]]
        .assign(day_before=day_before)
        .merge(jobs[["job_id", "citizen_id", "start", "end"]], on="citizen_id", suffixes=("", "_other"))
    )
    ongoing = (
        (pairs["job_id"] != pairs["job_id_other"])
        & (pairs["start"] <= pairs["day_before"])
        & (pairs["end"].isna() | (pairs["end"] >= pairs["day_before"]))
    )
    in_a_job = set(pairs.loc[ongoing, "job_id"])
    out = jobs.assign(year=jobs["start"].dt.year.astype("Int64"), entry=~jobs["job_id"].isin(in_a_job))
    return out.sort_values(["citizen_id", "start", "job_id"], kind="stable").reset_index(drop=True)


@memoized
def employment_entries(ds: Dataset, year: int, job_types: Iterable[str] | None = None) -> pd.DataFrame:
    """Citizens who came into employment in ``year``: one row per citizen.

    Counting rule: a citizen *came into employment* in a year when a job of theirs (of the
    counted job types) starts in that calendar year while they were in no other job on the day
    before (see :func:`job_starts`). Each citizen counts once a year, however many such jobs
    they started; the first decides the job type, the course, and through the course the
    cooperation agreement and the enterprise credited with it. A job started while already in a
    job is a job change (:func:`job_changes`), not counted here.

    Tælleregel: En borger er *kommet i beskæftigelse* i et år, når et job med startdato i
    kalenderåret begynder, uden at borgeren dagen før var i et andet job. Hver borger tælles én
    gang om året; det første sådanne job i året afgør jobtypen, forløbet og dermed
    samarbejdsaftalen og virksomheden. Jobskifte (nyt job, mens borgeren allerede er i job)
    tælles for sig.

    Returns
    -------
    DataFrame with columns citizen_id, job_id, start, job_type, weekly_hours, course_id,
    agreement_id, enterprise_id, target_group (internal: row-level, never published as such).
    """
    s = job_starts(ds, job_types)
    first = s.loc[s["entry"] & (s["year"] == year)].drop_duplicates("citizen_id")
    out = first[["citizen_id", "job_id", "start", "job_type", "weekly_hours", "course_id"]].merge(
        ds.courses[["course_id", "agreement_id"]], on="course_id", how="left"
    )
    out = out.merge(ds.agreements[["agreement_id", "enterprise_id"]], on="agreement_id", how="left")
    out = out.merge(ds.citizens[["citizen_id", "target_group"]], on="citizen_id", how="left")
    return out[ENTRY_COLUMNS].reset_index(drop=True)


@memoized
def job_changes(ds: Dataset, year: int, job_types: Iterable[str] | None = None) -> pd.DataFrame:
    """Citizens who only changed job in ``year``: one row per citizen.

    Counting rule: citizens with a job change in the year (a new job started while already in
    a job, :func:`job_starts`) who did not also come into employment in the year. The two
    counts never overlap, so they can be read side by side.

    Tælleregel: Borgere, der i året startede i et nyt job, mens de allerede var i job, og som
    ikke også kom i beskæftigelse i året.

    Returns
    -------
    DataFrame with columns citizen_id, job_id, start, job_type (the first change in the year).
    """
    s = job_starts(ds, job_types)
    in_year = s.loc[s["year"] == year]
    entered = set(in_year.loc[in_year["entry"], "citizen_id"])
    changes = in_year.loc[~in_year["entry"] & ~in_year["citizen_id"].isin(entered)]
    return changes.drop_duplicates("citizen_id")[["citizen_id", "job_id", "start", "job_type"]].reset_index(drop=True)


@memoized
def jobs_per_year(
    ds: Dataset, years: Iterable[int], norm: int | None = None, job_types: Iterable[str] | None = None
) -> pd.DataFrame:
    """Citizens who came into employment, and citizens who only changed job, year by year.

    Counting rule: as :func:`employment_entries` and :func:`job_changes`, counted per calendar
    year; ``met`` says whether the year's count reached the annual norm (at least ``norm``
    citizens a year).

    Tælleregel: Antal borgere, der er kommet i beskæftigelse, opgjort pr. kalenderår; normen er
    nået, når årets antal er mindst normen (30 om året).

    Returns
    -------
    DataFrame with columns year, jobs, job_changes, and (if ``norm`` is given) norm, met.
    """
    years = [int(y) for y in years]
    s = job_starts(ds, job_types)
    entries = s.loc[s["entry"]].groupby("year")["citizen_id"].nunique()
    changes = {y: len(job_changes(ds, y, job_types)) for y in years}
    out = pd.DataFrame(
        {"year": years, "jobs": [int(entries.get(y, 0)) for y in years], "job_changes": [changes[y] for y in years]}
    ).astype(int)
    if norm is not None:
        out["norm"] = norm
        out["met"] = out["jobs"] >= norm
    return out


def jobs_by(ds: Dataset, year: int | Iterable[int], by: str, job_types: Iterable[str] | None = None) -> pd.DataFrame:
    """Citizens who came into employment in ``year`` (or a period of years), split by ``by``.

    ``by`` is one of ``job_type``, ``target_group``, ``agreement_id``, ``enterprise_id``. Every
    citizen is counted once (see :func:`employment_entries`), so the counts add up to the total;
    over several years a citizen counts once for the whole period, credited to the first year
    they came into employment in it.

    Returns
    -------
    DataFrame with columns ``by`` and jobs, largest first.
    """
    years = [int(year)] if isinstance(year, int) else sorted(int(y) for y in year)
    entries = pd.concat([employment_entries(ds, y, job_types) for y in years]).drop_duplicates("citizen_id")
    if by not in ENTRY_COLUMNS[3:]:
        raise ValueError(f"cannot split jobs by {by!r}; choose one of {ENTRY_COLUMNS[3:]}")
    out = entries.groupby(by, dropna=False).size().rename("jobs").reset_index()
    return out.sort_values(["jobs", by], ascending=[False, True]).reset_index(drop=True)


def norm_reached_on(ds: Dataset, year: int, norm: int, job_types: Iterable[str] | None = None) -> pd.Timestamp | None:
    """The date in ``year`` on which the ``norm``-th citizen came into employment (None if never).

    Used to report a norm reached before the year's end ("normen blev nået den …").
    """
    entries = employment_entries(ds, year, job_types).sort_values("start")
    if norm <= 0 or len(entries) < norm:
        return None
    return pd.Timestamp(entries["start"].iloc[norm - 1])


SOURCES = ("ended_this_year", "ended_earlier", "during_course", "no_course")


@memoized
def employment_sources(ds: Dataset, year: int, job_types: Iterable[str] | None = None) -> pd.DataFrame:
    """Goal 1's citizens by where the course their job is registered on stood when the job began.

    Counting rule: each citizen who came into employment in ``year`` (:func:`employment_entries`)
    is counted once, by the course of that job: *ended_this_year* (the course ended in the year,
    on or before the job's start), *ended_earlier* (it ended in an earlier year), *during_course*
    (the job began before the course ended, or the course had not ended) or *no_course* (the job
    names no course in the data). This reconciles goal 1 with the status-after-course table,
    which counts courses ended in the year by the status they ended with.

    Tælleregel: Borgere, der kom i beskæftigelse i året, efter det forløb, jobbet er registreret
    på: forløbet sluttede i året, før året, eller jobbet startede, mens forløbet stadig var i gang.

    Returns
    -------
    DataFrame with columns source (one of SOURCES, all listed) and citizens.
    """
    e = employment_entries(ds, year, job_types)[["citizen_id", "start", "course_id"]]
    if e.empty:
        return pd.DataFrame({"source": list(SOURCES), "citizens": [0] * len(SOURCES)})
    end = e["course_id"].map(ds.courses.drop_duplicates("course_id").set_index("course_id")["end"])
    known = e["course_id"].isin(set(ds.courses["course_id"]))
    source = pd.Series("during_course", index=e.index, dtype=object)
    finished = end.notna() & (end <= e["start"])
    source[finished & (end.dt.year == year)] = "ended_this_year"
    source[finished & (end.dt.year < year)] = "ended_earlier"
    source[~known] = "no_course"
    counts = source.value_counts()
    return pd.DataFrame({"source": list(SOURCES), "citizens": [int(counts.get(s, 0)) for s in SOURCES]})
