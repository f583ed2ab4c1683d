"""Goal 2 — progression for den enkelte borger, per cooperation agreement."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from so_eval import glossary as g
from so_eval.dataset import Dataset, memoized


def _years(year: int | Iterable[int]) -> list[int]:
    return [int(year)] if isinstance(year, (int, np.integer)) else [int(y) for y in year]


@memoized
def _ended(ds: Dataset, year: int | Iterable[int]) -> pd.DataFrame:
    c = ds.courses
    out = c.loc[c["end"].dt.year.isin(_years(year))].copy()
    out["progressed"] = out["end_step"].map(g.STEP_RANK) > out["start_step"].map(g.STEP_RANK)
    out["dropped_out"] = out["end_status"] == "frafald"
    return out


def _hours_change(ds: Dataset, course_ids: pd.Index | pd.Series) -> pd.Series:
    """Weekly paid hours at the course's last step event minus at its first, per course_id."""
    p = ds.progression
    p = p.loc[p["course_id"].isin(set(course_ids))].sort_values(["course_id", "date"], kind="stable")
    grouped = p.groupby("course_id")["weekly_paid_hours"]
    return (grouped.last() - grouped.first()).rename("hours_change")


@memoized
def progression_by_agreement(ds: Dataset, year: int | Iterable[int]) -> pd.DataFrame:
    """Courses and progression per cooperation agreement in ``year`` (or several years together).

    Counting rules:

    * *started*: courses whose start date falls in the year;
    * *ended*: courses whose end date falls in the year — the basis of every share below;
    * *progressed*: ended courses whose step at the end ranks higher in the value chain than the
      step at the start (motivation < afklaring < praktik < småjob < flere timer < job =
      uddannelse); ``progressed_share`` = progressed ÷ ended;
    * *dropped out*: ended courses with end status ``frafald``; ``dropout_share`` = ÷ ended;
    * *mean_hours_change*: mean over ended courses of the weekly paid hours at the course's last
      step event minus at its first (courses without step events are left out).

    * *jobs*: ended courses after which the citizen came into a job (a row in ``jobs`` for the
      course starting in the same years), counted once per course.

    Agreements with no course started or ended in the year are not listed.

    Tælleregel: *Startede* forløb har startdato i året; *afsluttede* forløb har slutdato i året
    og er grundlaget for alle andele. Et afsluttet forløb har *progression*, når trinnet ved
    slut ligger højere i værdikæden end trinnet ved start (motivation < afklaring < praktik <
    småjob < flere timer < job = uddannelse). *Frafald* er afsluttede forløb med status frafald.
    *Ændring i lønnede timer* er timer pr. uge ved forløbets sidste trin minus ved dets første.

    Returns
    -------
    DataFrame with columns agreement_id, enterprise_id, enterprise, started, ended, progressed,
    progressed_share, dropped_out, dropout_share, jobs, mean_hours_change, and hours_sum and
    hours_n (the sum and count behind the mean, so that agreements can be pooled).
    """
    years = _years(year)
    c = ds.courses
    started = c.loc[c["start"].dt.year.isin(years)].groupby("agreement_id").size().rename("started")
    ended = _ended(ds, years)
    # by map, not join: pandas cannot join on an empty column of Arrow strings (no ended courses)
    ended = ended.assign(hours_change=ended["course_id"].map(_hours_change(ds, ended["course_id"])).astype(float))
    j = ds.jobs
    job_courses = set(j.loc[j["start"].dt.year.isin(years), "course_id"])
    ended["job"] = ended["course_id"].isin(job_courses)
    agg = ended.groupby("agreement_id").agg(
        ended=("course_id", "size"),
        progressed=("progressed", "sum"),
        dropped_out=("dropped_out", "sum"),
        jobs=("job", "sum"),
        hours_sum=("hours_change", "sum"),
        hours_n=("hours_change", "count"),
    )
    counts = ["started", "ended", "progressed", "dropped_out", "jobs", "hours_n"]
    out = pd.concat([started, agg], axis=1).fillna({c: 0 for c in counts + ["hours_sum"]})
    out = out.astype({c: int for c in counts})
    out["mean_hours_change"] = out["hours_sum"] / out["hours_n"].where(out["hours_n"] > 0)
    out["progressed_share"] = np.where(out["ended"] > 0, out["progressed"] / out["ended"].where(out["ended"] > 0), np.nan)
    out["dropout_share"] = np.where(out["ended"] > 0, out["dropped_out"] / out["ended"].where(out["ended"] > 0), np.nan)
    out.index.name = "agreement_id"
    out = out.reset_index()
    names = ds.agreements[["agreement_id", "enterprise_id"]].merge(
        ds.enterprises[["enterprise_id", "name"]], on="enterprise_id", how="left"
    ).rename(columns={"name": "enterprise"})
    out = out.merge(names, on="agreement_id", how="left")
    cols = ["agreement_id", "enterprise_id", "enterprise", "started", "ended", "progressed",
            "progressed_share", "dropped_out", "dropout_share", "jobs", "mean_hours_change",
            "hours_sum", "hours_n"]
    return out[cols].sort_values("agreement_id").reset_index(drop=True)


@memoized
def progression_per_year(ds: Dataset, years: Iterable[int]) -> pd.DataFrame:
    """Courses started and ended, progression and drop-out, year by year (all agreements).

    Counting rules as in :func:`progression_by_agreement`, over all agreements together.

    Returns
    -------
    DataFrame with columns year, started, ended, progressed, progressed_share, dropped_out,
    dropout_share.
    """
    years = [int(y) for y in years]
    c = ds.courses
    e = _ended(ds, years)  # one pass over all years
    by_end = e.groupby(e["end"].dt.year)
    ended = by_end.size()
    progressed = by_end["progressed"].sum()
    dropped = by_end["dropped_out"].sum()
    started = c["start"].dt.year.value_counts()
    rows = []
    for y in years:
        n = int(ended.get(y, 0))
        k, d = int(progressed.get(y, 0)), int(dropped.get(y, 0))
        rows.append(
            {
                "year": y,
                "started": int(started.get(y, 0)),
                "ended": n,
                "progressed": k,
                "progressed_share": k / n if n else np.nan,
                "dropped_out": d,
                "dropout_share": d / n if n else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=["year", "started", "ended", "progressed", "progressed_share",
                                       "dropped_out", "dropout_share"])


def step_transitions(
    ds: Dataset, year: int | Iterable[int], agreement_id: str | None = None
) -> pd.DataFrame:
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
    """Young people's entry into education, year by year.

    Counting rule: courses ended in the year by citizens in the target group ``unge``
    (uddannelseshjælp); *education* = those whose end status is ``uddannelse``;
    ``share`` = education ÷ ended.

    Tælleregel: Forløb afsluttet i året af borgere i målgruppen unge (uddannelseshjælp); andelen
    i uddannelse er de forløb, der sluttede med status uddannelse, divideret med alle afsluttede.

    Returns
    -------
    DataFrame with columns year, ended, education, share.
    """
    young = set(ds.citizens.loc[ds.citizens["target_group"] == "unge", "citizen_id"])
    rows = []
    for y in years:
        e = _ended(ds, y)
        e = e.loc[e["citizen_id"].isin(young)]
        n = len(e)
        k = int((e["end_status"] == "uddannelse").sum())
        rows.append({"year": y, "ended": n, "education": k, "share": k / n if n else np.nan})
    return pd.DataFrame(rows)
