"""Goal 2 — progression for den enkelte borger, per cooperation agreement."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from so_eval import glossary as g
from so_eval.data.dataset import Dataset, memoized


def _years(year: int | Iterable[int]) -> list[int]:
    return [int(year)] if isinstance(year, (int, np.integer)) else [int(y) for y in year]


@memoized
def _ended(ds: Dataset, year: int | Iterable[int]) -> pd.DataFrame:
    c = ds.courses
    out = c.loc[c["end"].dt.year.isin(_years(year))].copy()
    # by map, not join: pandas cannot join on an empty column of Arrow strings (no ended courses)
    out["hours_change"] = out["course_id"].map(_hours_change(ds, out["course_id"])).astype(float)
    out["progressed_step"] = out["end_step"].map(g.STEP_RANK) > out["start_step"].map(g.STEP_RANK)
    out["progressed_hours"] = out["hours_change"].fillna(0) > 0
    out["progressed"] = out["progressed_step"] | out["progressed_hours"]
    out["dropped_out"] = out["end_status"] == "frafald"
    out["dropped_out_progressed"] = out["dropped_out"] & out["progressed"]
    return out


def _hours_change(ds: Dataset, course_ids: pd.Index | pd.Series) -> pd.Series:
    """Weekly paid hours at the course's last step event minus at its first, per course_id."""
    p = ds.progression
    p = p.loc[p["course_id"].isin(set(course_ids))].sort_values(["course_id", "date"], kind="stable")
    grouped = p.groupby("course_id")["weekly_paid_hours"]
    return (grouped.last() - grouped.first()).rename("hours_change")


def _course_jobs(ds: Dataset, ended: pd.DataFrame, job_types: Iterable[str] | None, window_days: int) -> pd.DataFrame:
    """For each ended course: whether a job registered on it started during it or within
    ``window_days`` after its end (columns job_during, job_after; a course is one or the other)."""
    j = ds.jobs
    if job_types is not None:
        j = j.loc[j["job_type"].isin(tuple(job_types))]
    m = ended[["course_id", "start", "end"]].merge(
        j[["course_id", "start"]].rename(columns={"start": "job_start"}), on="course_id"
    )
    during = m["job_start"].between(m["start"], m["end"])
    after = (m["job_start"] > m["end"]) & (m["job_start"] <= m["end"] + pd.Timedelta(days=window_days))
    during_ids, after_ids = set(m.loc[during, "course_id"]), set(m.loc[after, "course_id"])
    ids = ended["course_id"]
    return pd.DataFrame(
        {
            "job_during": ids.isin(during_ids).to_numpy(),
            "job_after": (ids.isin(after_ids) & ~ids.isin(during_ids)).to_numpy(),
        },
        index=ended.index,
    )


@memoized
def progression_by_agreement(
    ds: Dataset, year: int | Iterable[int], job_types: Iterable[str] | None = None, window_days: int = 90
) -> pd.DataFrame:
    """Courses and progression per cooperation agreement in ``year`` (or several years together).

    Counting rules (the unit is the course — what an agreement is learned from):

    * *started*: courses whose start date falls in the year;
    * *ended*: courses whose end date falls in the year — the basis of every share below;
    * *progressed*: ended courses whose step at the end ranks higher in the value chain than the
      step at the start (motivation < afklaring < praktik < småjob < flere timer < job =
      uddannelse), **or** whose weekly paid hours at the last step event exceed those at the
      first; both reasons are counted too (``progressed_step``, ``progressed_hours``; a course can
      have both); ``progressed_share`` = progressed ÷ ended;
    * *dropped out*: ended courses with end status ``frafald``; ``dropout_share`` = ÷ ended;
      ``dropped_out_progressed``: dropouts that still progressed before they left;
    * *mean_hours_change*: mean over ended courses of the weekly paid hours at the course's last
      step event minus at its first (courses without step events are left out);
    * *jobs*: ended courses with a job (of the counted job types) registered on the course that
      starts during the course (``jobs_during``) or within ``window_days`` after its end
      (``jobs_after``), counted once per course and credited to the year the course ended.

    Agreements with no course started or ended in the year are not listed.

    Tælleregel: *Startede* forløb har startdato i året; *afsluttede* forløb har slutdato i året
    og er grundlaget for alle andele. Et afsluttet forløb har *progression*, når trinnet ved
    slut ligger højere i værdikæden end trinnet ved start (motivation < afklaring < praktik <
    småjob < flere timer < job = uddannelse), eller når de lønnede timer pr. uge ved forløbets
    sidste trin er flere end ved det første. *Frafald* er afsluttede forløb med status frafald;
    et forløb, der endte med frafald, kan godt have haft progression først. *I job* er
    afsluttede forløb med et job registreret på forløbet, som startede under forløbet eller
    inden for et fast antal dage efter det (se valgene nedenfor), talt i det år, forløbet sluttede.

    Returns
    -------
    DataFrame with columns agreement_id, enterprise_id, enterprise, started, ended, progressed,
    progressed_step, progressed_hours, progressed_share, dropped_out, dropped_out_progressed,
    dropout_share, jobs, jobs_during, jobs_after, mean_hours_change, and hours_sum and hours_n
    (the sum and count behind the mean, so that agreements can be pooled).
    """
    years = _years(year)
    c = ds.courses
    started = c.loc[c["start"].dt.year.isin(years)].groupby("agreement_id").size().rename("started")
    ended = _ended(ds, years)
    ended = ended.join(_course_jobs(ds, ended, job_types, window_days))
    ended["job"] = ended["job_during"] | ended["job_after"]
    agg = ended.groupby("agreement_id").agg(
        ended=("course_id", "size"),
        progressed=("progressed", "sum"),
        progressed_step=("progressed_step", "sum"),
        progressed_hours=("progressed_hours", "sum"),
        dropped_out=("dropped_out", "sum"),
        dropped_out_progressed=("dropped_out_progressed", "sum"),
        jobs=("job", "sum"),
        jobs_during=("job_during", "sum"),
        jobs_after=("job_after", "sum"),
        hours_sum=("hours_change", "sum"),
        hours_n=("hours_change", "count"),
    )
    counts = [
        "started",
        "ended",
        "progressed",
        "progressed_step",
        "progressed_hours",
        "dropped_out",
        "dropped_out_progressed",
        "jobs",
        "jobs_during",
        "jobs_after",
        "hours_n",
    ]
    out = pd.concat([started, agg], axis=1).fillna({c: 0 for c in counts + ["hours_sum"]})
    out = out.astype({c: int for c in counts})
    out["mean_hours_change"] = out["hours_sum"] / out["hours_n"].where(out["hours_n"] > 0)
    out["progressed_share"] = np.where(
        out["ended"] > 0, out["progressed"] / out["ended"].where(out["ended"] > 0), np.nan
    )
    out["dropout_share"] = np.where(out["ended"] > 0, out["dropped_out"] / out["ended"].where(out["ended"] > 0), np.nan)
    out.index.name = "agreement_id"
    out = out.reset_index()
    names = (
        ds.agreements[["agreement_id", "enterprise_id"]]
        .merge(ds.enterprises[["enterprise_id", "name"]], on="enterprise_id", how="left")
        .rename(columns={"name": "enterprise"})
    )
    out = out.merge(names, on="agreement_id", how="left")
    cols = [
        "agreement_id",
        "enterprise_id",
        "enterprise",
        "started",
        "ended",
        "progressed",
        "progressed_step",
        "progressed_hours",
        "progressed_share",
        "dropped_out",
        "dropped_out_progressed",
        "dropout_share",
        "jobs",
        "jobs_during",
        "jobs_after",
        "mean_hours_change",
        "hours_sum",
        "hours_n",
    ]
    return out[cols].sort_values("agreement_id").reset_index(drop=True)


PER_YEAR_COLUMNS = [
    "year",
    "started",
    "ended",
    "progressed",
    "progressed_share",
    "progressed_step",
    "progressed_hours",
    "dropped_out",
    "dropout_share",
    "dropped_out_progressed",
    "citizens_ended",
    "citizens_progressed",
    "citizens_progressed_share",
]


@memoized
def progression_per_year(ds: Dataset, years: Iterable[int]) -> pd.DataFrame:
    """Progression and drop-out year by year (all agreements), per citizen and per course.

    Counting rules: per **citizen** (the goal's headline): ``citizens_ended`` = citizens with a
    course ending in the year, each counted once; ``citizens_progressed`` = those of them with
    progression in at least one of those courses; ``citizens_progressed_share`` = ÷
    citizens_ended. Per **course**: as in :func:`progression_by_agreement`, over all agreements.

    Tælleregel: Målet gøres op pr. borger: en borger med et eller flere forløb afsluttet i året
    tælles én gang og har progression, hvis mindst ét af forløbene havde progression. Andelen er
    borgere med progression divideret med borgere med et afsluttet forløb.

    Returns
    -------
    DataFrame with columns year, started, ended, progressed, progressed_share, progressed_step,
    progressed_hours, dropped_out, dropout_share, dropped_out_progressed, citizens_ended,
    citizens_progressed, citizens_progressed_share.
    """
    years = [int(y) for y in years]
    c = ds.courses
    e = _ended(ds, years)  # one pass over all years
    e = e.assign(end_year=e["end"].dt.year)
    by_end = e.groupby("end_year")
    sums = by_end[["progressed", "progressed_step", "progressed_hours", "dropped_out", "dropped_out_progressed"]].sum()
    ended = by_end.size()
    per_citizen = e.groupby(["end_year", "citizen_id"])["progressed"].any().groupby("end_year")
    citizens, citizens_progressed = per_citizen.size(), per_citizen.sum()
    started = c["start"].dt.year.value_counts()
    rows = []
    for y in years:
        n, cn = int(ended.get(y, 0)), int(citizens.get(y, 0))
        row = {
            "year": y,
            "started": int(started.get(y, 0)),
            "ended": n,
            **{k: int(sums[k].get(y, 0)) for k in sums.columns},
            "citizens_ended": cn,
            "citizens_progressed": int(citizens_progressed.get(y, 0)),
        }
        row["progressed_share"] = row["progressed"] / n if n else np.nan
        row["dropout_share"] = row["dropped_out"] / n if n else np.nan
        row["citizens_progressed_share"] = row["citizens_progressed"] / cn if cn else np.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=PER_YEAR_COLUMNS)


def step_transitions(ds: Dataset, year: int | Iterable[int], agreement_id: str | None = None) -> pd.DataFrame:
    """Transition table: value-chain step at the start against step at the end.

    Counting rule: courses ended in ``year`` (optionally of one agreement), counted by their
    (start step, end step) pair. All pairs of steps are listed, with 0 where no course had them,
    so tables are comparable year to year.

    Tælleregel: Forløb afsluttet i året, talt efter trin ved start og trin ved slut.

    Returns
    -------
    Tidy DataFrame with columns start_step, end_step, n (steps as ordered categoricals).
    """
    e = _ended(ds, year)
    if agreement_id is not None:
        e = e.loc[e["agreement_id"] == agreement_id]
    counts = e.groupby(["start_step", "end_step"]).size()
    grid = pd.MultiIndex.from_product([g.STEPS, g.STEPS], names=["start_step", "end_step"])
    out = counts.reindex(grid, fill_value=0).rename("n").reset_index()
    steps = pd.CategoricalDtype(g.STEPS, ordered=True)
    return out.astype({"start_step": steps, "end_step": steps, "n": int})


@memoized
def end_status_by_agreement(ds: Dataset, year: int | Iterable[int]) -> pd.DataFrame:
    """Where citizens are after the course, per agreement.

    Counting rule: courses ended in ``year``, counted by agreement and end status (job,
    uddannelse, praktik, flere timer, småjob, afklaring, frafald, andet). Every status is listed
    for every agreement with an ended course, with 0 where none.

    Tælleregel: Forløb afsluttet i året, talt efter samarbejdsaftale og borgerens status efter
    forløbet (job, uddannelse, praktik, flere timer, småjob, afklaring, frafald, andet).

    Returns
    -------
    Tidy DataFrame with columns agreement_id, end_status, n.
    """
    e = _ended(ds, year)
    agreements = sorted(e["agreement_id"].unique())
    grid = pd.MultiIndex.from_product([agreements, g.END_STATUSES], names=["agreement_id", "end_status"])
    counts = e.groupby(["agreement_id", "end_status"]).size()
    out = counts.reindex(grid, fill_value=0).rename("n").reset_index()
    return out.astype({"n": int})


@memoized
def youth_education(ds: Dataset, years: Iterable[int]) -> pd.DataFrame:
    """Young people's entry into education, year by year, per young citizen.

    Counting rule: young citizens (target group ``unge``, uddannelseshjælp) with a course ending
    in the year, each counted once (``ended``); *education* = those of them for whom at least
    one of those courses ended with status ``uddannelse``; ``share`` = education ÷ ended.

    Tælleregel: Unge (målgruppen uddannelseshjælp) med et forløb afsluttet i året, hver talt én
    gang; andelen i uddannelse er de unge, hvis forløb sluttede med status uddannelse, divideret
    med alle unge med et afsluttet forløb.

    Returns
    -------
    DataFrame with columns year, ended, education, share.
    """
    years = [int(y) for y in years]
    young = set(ds.citizens.loc[ds.citizens["target_group"] == "unge", "citizen_id"])
    e = _ended(ds, years)
    e = e.loc[e["citizen_id"].isin(young)]
    per = (
        e.assign(edu=e["end_status"] == "uddannelse", end_year=e["end"].dt.year)
        .groupby(["end_year", "citizen_id"])["edu"]
        .any()
        .groupby("end_year")
    )
    n_young, n_edu = per.size(), per.sum()
    rows = []
    for y in years:
        n, k = int(n_young.get(y, 0)), int(n_edu.get(y, 0))
        rows.append({"year": y, "ended": n, "education": k, "share": k / n if n else np.nan})
    return pd.DataFrame(rows, columns=["year", "ended", "education", "share"])
