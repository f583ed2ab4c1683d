"""Goal 3 — antal virksomheder: social-economy enterprises and initiatives."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from so_eval.data.dataset import Dataset, memoized

FIRST_SECOND_GENERATION_YEAR = 2022
"""Enterprises founded from this year on are the strategy's second generation."""


@memoized
def active_enterprises(ds: Dataset, year: int) -> pd.DataFrame:
    """Enterprises and initiatives active at the end of ``year``, one row each.

    Counting rule: an enterprise, initiative or association is *active at year end* when it was
    founded on or before 31 December of the year and has not closed by then (no closing date, or
    one after 31 December). It has *three bottom lines* when it works with a social, a local and
    an economic bottom line. *First generation*: founded before 2022; *second*: from 2022.

    Tælleregel: En virksomhed, et initiativ eller en forening er *aktiv ved årets udgang*, når
    den er startet senest 31. december og ikke er lukket inden (ingen lukkedato, eller en
    lukkedato efter 31. december). Den har *tre bundlinjer*, når den arbejder med en social, en
    lokal og en økonomisk bundlinje. *1. generation*: startet før 2022; *2. generation*: fra 2022.

    Returns
    -------
    DataFrame: the enterprises' rows plus three_bottom_lines and generation columns.
    """
    e = ds.enterprises
    end = pd.Timestamp(year, 12, 31)
    active = e.loc[(e["founded"] <= end) & (e["closed"].isna() | (e["closed"] > end))].copy()
    active["three_bottom_lines"] = active["social"] & active["local"] & active["economic"]
    active["generation"] = (active["founded"].dt.year >= FIRST_SECOND_GENERATION_YEAR).map({False: 1, True: 2})
    return active.reset_index(drop=True)


@memoized
def enterprises_per_year(ds: Dataset, years: Iterable[int]) -> pd.DataFrame:
    """Enterprises and initiatives, year by year.

    Counting rule: *active*, *three_bottom_lines*, *rsv* (registered social-economy enterprises,
    RSV), *first_generation* and *second_generation* count enterprises active at year end as in
    :func:`active_enterprises`; *founded* and *closed* count those whose founding or closing date
    falls in the year.

    Tælleregel: Aktive, med tre bundlinjer, RSV-registrerede og generationer tælles ved årets
    udgang som ovenfor; startede og lukkede tælles efter start- eller lukkedato i året.

    Returns
    -------
    DataFrame with columns year, active, three_bottom_lines, rsv, first_generation,
    second_generation, three_bottom_lines_first, three_bottom_lines_second (those with three
    bottom lines by generation), founded, closed.
    """
    e = ds.enterprises
    rows = []
    for y in years:
        a = active_enterprises(ds, y)
        rows.append(
            {
                "year": y,
                "active": len(a),
                "three_bottom_lines": int(a["three_bottom_lines"].sum()),
                "rsv": int(a["rsv_registered"].sum()),
                "first_generation": int((a["generation"] == 1).sum()),
                "second_generation": int((a["generation"] == 2).sum()),
                "three_bottom_lines_first": int((a["three_bottom_lines"] & (a["generation"] == 1)).sum()),
                "three_bottom_lines_second": int((a["three_bottom_lines"] & (a["generation"] == 2)).sum()),
                "founded": int((e["founded"].dt.year == y).sum()),
                "closed": int((e["closed"].dt.year == y).sum()),
            }
        )
    return pd.DataFrame(rows)


def enterprises_by_kind(ds: Dataset, year: int) -> pd.DataFrame:
    """Active enterprises at the end of ``year`` by kind (virksomhed, initiativ, forening).

    Returns
    -------
    DataFrame with columns kind, active, three_bottom_lines, rsv.
    """
    a = active_enterprises(ds, year)
    out = a.groupby("kind").agg(
        active=("enterprise_id", "size"),
        three_bottom_lines=("three_bottom_lines", "sum"),
        rsv=("rsv_registered", "sum"),
    )
    return out.astype(int).reset_index()
