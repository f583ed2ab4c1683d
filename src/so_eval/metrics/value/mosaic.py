"""The mosaic economy: each enterprise's revenue mix, its concentration and dependency on one source."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from so_eval.data.dataset import Dataset, memoized
from so_eval.data.model_value import REVENUE_SECTORS, REVENUE_SOURCES, SOURCE_SECTOR
from so_eval.metrics.value.common import as_years, enterprise_names, ratio, required_table

DEPENDENCY_SHARE = 0.7
"""Default: an enterprise *depends* on a source that brings more than this share of its revenue."""

SECTOR_COLUMNS: dict[str, str] = {
    "privat": "private",
    "offentlig": "public",
    "civilsamfund": "civil_society",
    "andet": "other",
}
"""Column name in :func:`revenue_mix` for each sector of the mosaic economy."""


@memoized
def revenue_mix(ds: Dataset, year: int, dependency_share: float = DEPENDENCY_SHARE) -> pd.DataFrame:
    """Revenue mix (mosaikøkonomi) of each enterprise in ``year``, its concentration and dependency.

    Counting rule: from each enterprise's accounts for the year (``finances``), revenue is the sum
    of the five sources: private sales, public contracts (including the Jobcenter's cooperation
    agreements), foundations and grants, donations, and other revenue. The sources are grouped in
    sectors: *private* = private sales; *public* = public contracts; *civil society* =
    foundations + donations; *other* = other revenue; each sector's share is its amount ÷
    revenue. *Concentration*: the largest of the five sources' shares, and the
    Herfindahl–Hirschman index HHI = the sum of the five sources' squared shares (0.2 = spread
    evenly over all five, 1 = one source only). An enterprise *depends on one source* when its
    largest source brings more than ``dependency_share`` (default 70 %) of its revenue.
    Enterprises with no revenue in the year have no shares and are not counted as dependent.

    Tælleregel: Ud fra virksomhedens regnskab for året er omsætningen summen af fem kilder:
    privat salg, offentlige kontrakter (inkl. Jobcentrets samarbejdsaftaler), fonde og puljer,
    donationer og andre indtægter. Kilderne samles i sektorer: *privat* = privat salg;
    *offentlig* = offentlige kontrakter; *civilsamfund* = fonde + donationer; *andet* = andre
    indtægter; sektorens andel er beløbet divideret med omsætningen. *Koncentration*: den største
    kildes andel og Herfindahl–Hirschman-indekset (summen af de fem kilders andele i anden; 0,2 =
    ligeligt fordelt, 1 = én kilde). En virksomhed er *afhængig af én kilde*, når den største
    kilde giver mere end 70 % af omsætningen.

    Parameters
    ----------
    ds : Dataset
        Needs ``finances`` and ``enterprises``.
    year : int
        Accounting year.
    dependency_share : float, default 0.7
        Share above which an enterprise depends on its largest source.

    Returns
    -------
    DataFrame
        One row per enterprise with accounts for the year: enterprise_id, name, kind, revenue,
        the five source columns, private, public, civil_society, other (sector amounts),
        private_share, public_share, civil_society_share, other_share, largest_source,
        largest_share, hhi, dependent. Sorted by enterprise_id.
    """
    if not 0 < dependency_share < 1:
        raise ValueError("dependency_share must lie between 0 and 1")
    f = required_table(ds, "finances")
    f = f.loc[f["year"] == year, ["enterprise_id", *REVENUE_SOURCES]].copy()
    for src in REVENUE_SOURCES:
        f[src] = f[src].astype(float)
    f["revenue"] = f[list(REVENUE_SOURCES)].sum(axis=1)
    pos = f["revenue"] > 0
    den = f["revenue"].where(pos)
    for sector, col in SECTOR_COLUMNS.items():
        srcs = [s for s in REVENUE_SOURCES if SOURCE_SECTOR[s] == sector]
        f[col] = f[srcs].sum(axis=1)
        f[f"{col}_share"] = f[col] / den
    shares = f[list(REVENUE_SOURCES)].div(den, axis=0)
    f["largest_source"] = shares.fillna(-1.0).idxmax(axis=1).where(pos)
    f["largest_share"] = shares.max(axis=1)
    f["hhi"] = (shares**2).sum(axis=1, min_count=1)
    f["dependent"] = (f["largest_share"] > dependency_share).fillna(False).astype(bool)
    out = f.merge(enterprise_names(ds), on="enterprise_id", how="left")
    cols = [
        "enterprise_id",
        "name",
        "kind",
        "revenue",
        *REVENUE_SOURCES,
        *SECTOR_COLUMNS.values(),
        *(f"{c}_share" for c in SECTOR_COLUMNS.values()),
        "largest_source",
        "largest_share",
        "hhi",
        "dependent",
    ]
    out = out.reindex(columns=cols)
    return out.sort_values("enterprise_id").reset_index(drop=True)


def dependent_enterprises(ds: Dataset, year: int, dependency_share: float = DEPENDENCY_SHARE) -> pd.DataFrame:
    """Enterprises that depend on one revenue source in ``year`` (a risk the strategy names).

    Counting rule: as :func:`revenue_mix`: the largest of the five revenue sources brings more
    than ``dependency_share`` (default 70 %) of the year's revenue.

    Tælleregel: Virksomheder, hvor den største af de fem indtægtskilder giver mere end 70 % af
    årets omsætning.

    Returns
    -------
    DataFrame
        enterprise_id, name, revenue, largest_source, largest_share; largest share first.
    """
    mix = revenue_mix(ds, year, dependency_share)
    out = mix.loc[mix["dependent"], ["enterprise_id", "name", "revenue", "largest_source", "largest_share"]]
    return out.sort_values(["largest_share", "enterprise_id"], ascending=[False, True]).reset_index(drop=True)


def revenue_by_sector(ds: Dataset, years: Iterable[int]) -> pd.DataFrame:
    """The social economy's revenue by sector, year by year (all enterprises together).

    Counting rule: the five revenue sources of every enterprise's accounts for the year are added
    up by sector (private = private sales; public = public contracts; civil society = foundations
    + donations; other = other revenue); ``share`` = the sector's amount ÷ all revenue in the year.

    Tælleregel: Alle virksomheders indtægter i året lagt sammen efter sektor (privat = privat
    salg; offentlig = offentlige kontrakter; civilsamfund = fonde + donationer; andet = andre
    indtægter); andelen er sektorens beløb divideret med den samlede omsætning.

    Returns
    -------
    DataFrame
        Tidy: year, sector (privat, offentlig, civilsamfund, andet), amount, share.
    """
    f = required_table(ds, "finances")
    rows = []
    for y in as_years(years):
        fy = f.loc[f["year"] == y]
        amounts = {
            s: float(fy[[c for c in REVENUE_SOURCES if SOURCE_SECTOR[c] == s]].to_numpy(dtype=float).sum())
            for s in REVENUE_SECTORS
        }
        total = sum(amounts.values())
        rows += [{"year": y, "sector": s, "amount": a, "share": ratio(a, total)} for s, a in amounts.items()]
    return pd.DataFrame(rows, columns=["year", "sector", "amount", "share"])


@memoized
def mosaic_per_year(ds: Dataset, years: Iterable[int], dependency_share: float = DEPENDENCY_SHARE) -> pd.DataFrame:
    """Mosaic economy year by year: how spread the enterprises' revenue is, and how many depend on one source.

    Counting rule: per year, over the enterprises with accounts (``finances``) and revenue above
    0 as in :func:`revenue_mix`: *enterprises*; total *revenue*; *median_hhi* and
    *median_largest_share* (the typical enterprise's concentration); *sectors_2plus* = those
    with at least two sectors each bringing 10 % or more of their revenue; *dependent* = those
    whose largest source brings more than ``dependency_share``; *dependent_share* = dependent ÷
    enterprises.

    Tælleregel: Pr. år blandt virksomheder med regnskab og omsætning: antal, samlet omsætning,
    median af HHI og af den største kildes andel, antal med mindst to sektorer, der hver giver
    mindst 10 % af omsætningen, og antal (og andel) afhængige af én kilde (over 70 %).

    Returns
    -------
    DataFrame
        year, enterprises, revenue, median_hhi, median_largest_share, sectors_2plus, dependent,
        dependent_share.
    """
    rows = []
    for y in as_years(years):
        mix = revenue_mix(ds, y, dependency_share)
        mix = mix.loc[mix["revenue"] > 0]
        n = len(mix)
        shares = mix[[f"{c}_share" for c in SECTOR_COLUMNS.values()]]
        dep = int(mix["dependent"].sum())
        rows.append(
            {
                "year": y,
                "enterprises": n,
                "revenue": float(mix["revenue"].sum()),
                "median_hhi": float(mix["hhi"].median()) if n else np.nan,
                "median_largest_share": float(mix["largest_share"].median()) if n else np.nan,
                "sectors_2plus": int((shares >= 0.10).sum(axis=1).ge(2).sum()),
                "dependent": dep,
                "dependent_share": ratio(dep, n),
            }
        )
    return pd.DataFrame(rows)
