"""The three bottom lines (social, local, economic): a scorecard per enterprise."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from so_eval.data.dataset import Dataset, memoized
from so_eval.data.model_value import REVENUE_SOURCES
from so_eval.metrics.employment import employment_entries
from so_eval.metrics.value.common import optional_table, year_bounds


@memoized
def three_bottom_lines(ds: Dataset, year: int, job_types: Iterable[str] | None = None) -> pd.DataFrame:
    """Scorecard of the three bottom lines (social, local, economic) per enterprise in ``year``.

    Counting rule: enterprises active at some time in the year (founded on or before 31 December,
    not closed before 1 January).

    * Social: *citizens* = distinct citizens with a course under one of the enterprise's
      cooperation agreements running at some time in the year (started on or before 31 December,
      not ended before 1 January); *jobs* = citizens who came into employment in the year
      credited to the enterprise (the rule of goal 1,
      :func:`so_eval.metrics.employment.employment_entries`).
    * Local: *local_purchases* (DKK, from the accounts) and *local_purchase_share* = local
      purchases ÷ costs; *partnerships* running at some time in the year, the number of distinct
      *partner_sectors* among them, and their *volunteers* and *volunteer_hours* (hours a year).
    * Economic: *revenue* (the five sources), *costs*, *result* = revenue − costs, and the
      *earned_share* (own earned income) = (private sales + public contracts) ÷ revenue.

    Enterprises without accounts for the year have empty economic figures.

    Tælleregel: Virksomheder aktive på et tidspunkt i året. *Social bundlinje*: antal borgere i
    forløb i året under virksomhedens samarbejdsaftaler, og borgere kommet i job i året krediteret
    virksomheden (samme regel som mål 1). *Lokal bundlinje*: lokale indkøb (kr. og andel af
    omkostningerne), partnerskaber i året, antal forskellige partnersektorer, frivillige og
    frivillige timer om året. *Økonomisk bundlinje*: omsætning, omkostninger, resultat =
    omsætning − omkostninger, og andelen af egen indtjening = (privat salg + offentlige kontrakter)
    ÷ omsætning.

    Returns
    -------
    DataFrame
        enterprise_id, name, kind, citizens, jobs, local_purchases, local_purchase_share,
        partnerships, partner_sectors, volunteers, volunteer_hours, revenue, costs, result,
        earned_share. Citizen counts are about persons: apply the disclosure rule before
        publishing them per enterprise.
    """
    lo, hi = year_bounds(year)
    e = ds.enterprises
    active = e.loc[(e["founded"] <= hi) & (e["closed"].isna() | (e["closed"] >= lo))]
    out = active[[c for c in ("enterprise_id", "name", "kind") if c in active.columns]].copy()
    citizens, jobs = _social_line(ds, year, job_types)
    for frame in (citizens, jobs, _local_line(ds, year), _economic_line(ds, year)):
        out = out.merge(frame, left_on="enterprise_id", right_index=True, how="left")
    counts = ["citizens", "jobs", "partnerships", "partner_sectors", "volunteers"]
    out[counts] = out[counts].fillna(0).astype(int)
    out["volunteer_hours"] = out["volunteer_hours"].fillna(0.0).astype(float)
    cols = [
        "enterprise_id",
        "name",
        "kind",
        "citizens",
        "jobs",
        "local_purchases",
        "local_purchase_share",
        "partnerships",
        "partner_sectors",
        "volunteers",
        "volunteer_hours",
        "revenue",
        "costs",
        "result",
        "earned_share",
    ]
    return out.reindex(columns=cols).sort_values("enterprise_id").reset_index(drop=True)


def _social_line(ds: Dataset, year: int, job_types: Iterable[str] | None) -> tuple[pd.Series, pd.Series]:
    """Citizens in courses under each enterprise's agreements in ``year``, and its jobs (goal 1's rule)."""
    lo, hi = year_bounds(year)
    c = ds.courses
    running = c.loc[(c["start"] <= hi) & (c["end"].isna() | (c["end"] >= lo)), ["citizen_id", "agreement_id"]]
    running = running.merge(ds.agreements[["agreement_id", "enterprise_id"]], on="agreement_id", how="left")
    citizens = running.groupby("enterprise_id")["citizen_id"].nunique().rename("citizens")
    jobs = employment_entries(ds, year, job_types).groupby("enterprise_id")["citizen_id"].nunique().rename("jobs")
    return citizens, jobs


def _local_line(ds: Dataset, year: int) -> pd.DataFrame:
    """Each enterprise's partnerships running in ``year``: how many, their sectors and volunteers."""
    lo, hi = year_bounds(year)
    p = optional_table(
        ds,
        "partnerships",
        ["enterprise_id", "partner", "partner_sector", "start", "end", "volunteers", "volunteer_hours"],
    )
    if len(p):
        p = p.loc[(p["start"] <= hi) & (p["end"].isna() | (p["end"] >= lo))]
    return p.groupby("enterprise_id").agg(
        partnerships=("partner", "size"),
        partner_sectors=("partner_sector", "nunique"),
        volunteers=("volunteers", "sum"),
        volunteer_hours=("volunteer_hours", "sum"),
    )


def _economic_line(ds: Dataset, year: int) -> pd.DataFrame:
    """Each enterprise's accounts for ``year``: revenue, costs, result, earned and local-purchase shares."""
    f = optional_table(ds, "finances", ["enterprise_id", "year", *REVENUE_SOURCES, "costs", "local_purchases"])
    f = f.loc[f["year"] == year].set_index("enterprise_id")
    fin = pd.DataFrame(index=f.index)
    fin["local_purchases"] = f["local_purchases"].astype(float)
    fin["revenue"] = f[list(REVENUE_SOURCES)].astype(float).sum(axis=1)
    fin["costs"] = f["costs"].astype(float)
    fin["result"] = fin["revenue"] - fin["costs"]
    earned = f["revenue_private_sales"].astype(float) + f["revenue_public_contracts"].astype(float)
    fin["earned_share"] = earned / fin["revenue"].where(fin["revenue"] > 0)
    fin["local_purchase_share"] = fin["local_purchases"] / fin["costs"].where(fin["costs"] > 0)
    return fin
