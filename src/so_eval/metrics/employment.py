"""Goal 1 — beskæftigelse: citizens who came into employment."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from so_eval.dataset import Dataset, memoized


@memoized
def employment_entries(ds: Dataset, year: int) -> pd.DataFrame:
    """Citizens who came into employment in ``year``: one row per citizen.

    Counting rule: a citizen *came into employment* in a year when the ``jobs`` table holds a job
    for them (any job type: ordinary, part-time, flex job, small job, apprenticeship) whose start
    date falls in that calendar year. Each citizen counts once a year, however many jobs they
    started; the first job started in the year decides the job type, the course, and through the
    course the cooperation agreement and the enterprise credited with it.

    Tælleregel: En borger er *kommet i job* i et år, når jobtabellen har et job til borgeren
    (alle jobtyper: ordinært job, deltidsjob, fleksjob, småjob, elev/lærling) med startdato i
    kalenderåret. Hver borger tælles én gang om året, uanset antal job; det første job i året
    afgør jobtypen, forløbet og dermed samarbejdsaftalen og virksomheden.

    Returns
    -------
    DataFrame with columns citizen_id, start, job_type, weekly_hours, course_id, agreement_id,
    enterprise_id, target_group (internal: row-level, never published as such).
    """
    jobs = ds.jobs
    in_year = jobs.loc[jobs["start"].dt.year == year]
    first = in_year.sort_values(["citizen_id", "start", "course_id"]).drop_duplicates("citizen_id")
    out = first[["citizen_id", "start", "job_type", "weekly_hours", "course_id"]].merge(
        ds.courses[["course_id", "agreement_id"]], on="course_id", how="left"
    )
    out = out.merge(ds.agreements[["agreement_id", "enterprise_id"]], on="agreement_id", how="left")
    out = out.merge(ds.citizens[["citizen_id", "target_group"]], on="citizen_id", how="left")
    return out.reset_index(drop=True)


@memoized
def jobs_per_year(ds: Dataset, years: Iterable[int], norm: int | None = None) -> pd.DataFrame:
    """Number of citizens who came into employment, year by year.

    Counting rule: as :func:`employment_entries`, counted per calendar year; ``met`` says whether
    the year's count reached the annual norm (at least ``norm`` jobs a year).

    Tælleregel: Antal borgere, der er kommet i job, opgjort pr. kalenderår; normen er nået, når
    årets antal er mindst normen (30 job om året).

    Returns
    -------
    DataFrame with columns year, jobs, and (if ``norm`` is given) norm, met.
    """
    years = [int(y) for y in years]
    jobs = ds.jobs
    # one pass over all years: each citizen counts once a year (as in employment_entries)
    per_year = jobs.groupby(jobs["start"].dt.year)["citizen_id"].nunique()
    counts = [int(per_year.get(y, 0)) for y in years]
    out = pd.DataFrame({"year": years, "jobs": counts}, columns=["year", "jobs"]).astype({"year": int, "jobs": int})
    if norm is not None:
        out["norm"] = norm
        out["met"] = out["jobs"] >= norm
    return out


def jobs_by(ds: Dataset, year: int, by: str) -> pd.DataFrame:
    """Citizens who came into employment in ``year``, split by ``by``.

    ``by`` is one of ``job_type``, ``target_group``, ``agreement_id``, ``enterprise_id``. Every
    citizen is counted once (see :func:`employment_entries`), so the counts add up to the total.

    Returns
    -------
    DataFrame with columns ``by`` and jobs, largest first.
    """
    entries = employment_entries(ds, year)
    if by not in entries.columns:
        raise ValueError(f"cannot split jobs by {by!r}; choose one of {list(entries.columns[2:])}")
    out = entries.groupby(by, dropna=False).size().rename("jobs").reset_index()
    return out.sort_values(["jobs", by], ascending=[False, True]).reset_index(drop=True)


def norm_reached_on(ds: Dataset, year: int, norm: int) -> pd.Timestamp | None:
    """The date in ``year`` on which the ``norm``-th citizen came into employment (None if never).

    Used to report a norm reached before the year's end ("normen blev nået den …").
    """
    entries = employment_entries(ds, year).sort_values("start")
    if norm <= 0 or len(entries) < norm:
        return None
    return pd.Timestamp(entries["start"].iloc[norm - 1])
