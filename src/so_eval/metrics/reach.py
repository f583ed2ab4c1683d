"""Reach of the social economy: agreements in force and citizens served."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from so_eval.data.dataset import Dataset, memoized


@memoized
def agreements_active(ds: Dataset, year: int) -> pd.DataFrame:
    """Cooperation agreements in force at the end of ``year``, one row each.

    Counting rule: an agreement is *in force at year end* when it started on or before
    31 December and has no end date or one after 31 December.

    Tælleregel: En samarbejdsaftale er *gældende ved årets udgang*, når den er startet senest
    31. december og ikke har en slutdato, eller slutdatoen ligger efter 31. december.
    """
    a = ds.agreements
    end = pd.Timestamp(year, 12, 31)
    return a.loc[(a["start"] <= end) & (a["end"].isna() | (a["end"] > end))].reset_index(drop=True)


@memoized
def citizens_served(ds: Dataset, year: int) -> int:
    """Number of distinct citizens with a course running at some time during ``year``.

    Counting rule: a course *runs in the year* when it started on or before 31 December and
    has not ended before 1 January (ongoing courses have no end date).

    Tælleregel: En borger er *i forløb i året*, når borgeren har mindst ét forløb, der er startet
    senest 31. december og ikke er afsluttet før 1. januar. Hver borger tælles én gang.
    """
    c = ds.courses
    lo, hi = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    running = (c["start"] <= hi) & (c["end"].isna() | (c["end"] >= lo))
    return int(c.loc[running, "citizen_id"].nunique())


@memoized
def reach_per_year(ds: Dataset, years: Iterable[int]) -> pd.DataFrame:
    """Agreements in force, places, yearly price, and citizens served, year by year.

    Counting rules as in :func:`agreements_active` and :func:`citizens_served`; *places* and
    *price* add up the agreements in force at year end.

    Returns
    -------
    DataFrame with columns year, agreements, places, price, citizens.
    """
    rows = []
    for y in years:
        a = agreements_active(ds, y)
        rows.append(
            {
                "year": y,
                "agreements": len(a),
                "places": int(a["places"].sum()),
                "price": float(a["price"].sum()),
                "citizens": citizens_served(ds, y),
            }
        )
    return pd.DataFrame(rows)
