"""Value creation: mosaic economy, three bottom lines, fundraising, pilots, survival, UN goals.

Pure functions of a dataset (anything with the tables as attributes: ``ds.finances``,
``ds.fundraising``, ``ds.pilots``, ``ds.partnerships``, ``ds.circular`` from
:mod:`so_eval.data.model_value`, and ``ds.enterprises``, ``ds.agreements``, ``ds.courses``, ``ds.jobs``)
and parameters. They return tidy DataFrames; they never plot, print, read files or read global
state. Every docstring states its counting rule in English and, starting with "Tælleregel:", in
Danish for the report's method appendix.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from so_eval import glossary as g
from so_eval.data.dataset import Dataset, memoized
from so_eval.metrics.employment import employment_entries
from so_eval.metrics.enterprises import FIRST_SECOND_GENERATION_YEAR
from so_eval.data.model_value import (
    GIVER_TYPES,
    PILOT_DECISIONS,
    PILOT_KINDS,
    PILOT_STATUSES,
    REVENUE_SECTORS,
    REVENUE_SOURCES,
    SDG_FOCUS,
    SOURCE_SECTOR,
)

__all__ = [
    "DEPENDENCY_SHARE",
    "SECTOR_COLUMNS",
    "circular_output",
    "dependent_enterprises",
    "donor_retention",
    "enterprise_survival",
    "fundraiser_fees",
    "fundraising_by",
    "fundraising_per_year",
    "mosaic_per_year",
    "pilot_cocreation",
    "pilot_pipeline",
    "pilot_summary",
    "pilot_survival",
    "revenue_by_sector",
    "revenue_mix",
    "sdg_mapping",
    "three_bottom_lines",
]

DEPENDENCY_SHARE = 0.7
"""Default: an enterprise *depends* on a source that brings more than this share of its revenue."""

SECTOR_COLUMNS: dict[str, str] = {
    "privat": "private",
    "offentlig": "public",
    "civilsamfund": "civil_society",
    "andet": "other",
}
"""Column name in :func:`revenue_mix` for each sector of the mosaic economy."""

_DAYS_PER_YEAR = 365.25


# -- helpers ---------------------------------------------------------------------------------


def _table(ds: Dataset, name: str) -> pd.DataFrame:
    try:
        return getattr(ds, name)
    except (AttributeError, KeyError):
        raise ValueError(
            f"the dataset has no {name!r} table (optional: add {name}.csv to the dataset folder)"
        ) from None


def _optional(ds: Dataset, name: str, columns: Iterable[str]) -> pd.DataFrame:
    """The table, or an empty one with ``columns`` when the dataset has none."""
    try:
        return getattr(ds, name)
    except (AttributeError, KeyError):
        return pd.DataFrame(columns=list(columns))


def _years(year: int | Iterable[int]) -> list[int]:
    return [int(year)] if isinstance(year, (int, np.integer)) else [int(y) for y in year]


def _bounds(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


def _split(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return []
    return [v.strip() for v in str(value).split(";") if v.strip()]


def _names(ds: Dataset) -> pd.DataFrame:
    cols = [c for c in ("enterprise_id", "name", "kind") if c in ds.enterprises.columns]
    return ds.enterprises[cols]


# -- mosaic economy --------------------------------------------------------------------------


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
    f = _table(ds, "finances")
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
    out = f.merge(_names(ds), on="enterprise_id", how="left")
    cols = ["enterprise_id", "name", "kind", "revenue", *REVENUE_SOURCES, *SECTOR_COLUMNS.values(),
            *(f"{c}_share" for c in SECTOR_COLUMNS.values()), "largest_source", "largest_share", "hhi",
            "dependent"]
    out = out.reindex(columns=cols)
    return out.sort_values("enterprise_id").reset_index(drop=True)


def dependent_enterprises(
    ds: Dataset, year: int, dependency_share: float = DEPENDENCY_SHARE
) -> pd.DataFrame:
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
    f = _table(ds, "finances")
    rows = []
    for y in _years(years):
        fy = f.loc[f["year"] == y]
        amounts = {s: float(fy[[c for c in REVENUE_SOURCES if SOURCE_SECTOR[c] == s]].to_numpy(dtype=float).sum())
                   for s in REVENUE_SECTORS}
        total = sum(amounts.values())
        rows += [{"year": y, "sector": s, "amount": a, "share": _ratio(a, total)} for s, a in amounts.items()]
    return pd.DataFrame(rows, columns=["year", "sector", "amount", "share"])


@memoized
def mosaic_per_year(
    ds: Dataset, years: Iterable[int], dependency_share: float = DEPENDENCY_SHARE
) -> pd.DataFrame:
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
    for y in _years(years):
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
                "dependent_share": _ratio(dep, n),
            }
        )
    return pd.DataFrame(rows)


# -- three bottom lines ----------------------------------------------------------------------


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
    lo, hi = _bounds(year)
    e = ds.enterprises
    active = e.loc[(e["founded"] <= hi) & (e["closed"].isna() | (e["closed"] >= lo))]
    out = active[[c for c in ("enterprise_id", "name", "kind") if c in active.columns]].copy()
    # social
    c = ds.courses
    running = c.loc[(c["start"] <= hi) & (c["end"].isna() | (c["end"] >= lo)), ["citizen_id", "agreement_id"]]
    running = running.merge(ds.agreements[["agreement_id", "enterprise_id"]], on="agreement_id", how="left")
    citizens = running.groupby("enterprise_id")["citizen_id"].nunique().rename("citizens")
    jobs = employment_entries(ds, year, job_types).groupby("enterprise_id")["citizen_id"].nunique().rename("jobs")
    # local
    p = _optional(ds, "partnerships", ["enterprise_id", "partner", "partner_sector", "start", "end",
                                       "volunteers", "volunteer_hours"])
    if len(p):
        p = p.loc[(p["start"] <= hi) & (p["end"].isna() | (p["end"] >= lo))]
    part = p.groupby("enterprise_id").agg(
        partnerships=("partner", "size"),
        partner_sectors=("partner_sector", "nunique"),
        volunteers=("volunteers", "sum"),
        volunteer_hours=("volunteer_hours", "sum"),
    )
    # economic
    f = _optional(ds, "finances", ["enterprise_id", "year", *REVENUE_SOURCES, "costs", "local_purchases"])
    f = f.loc[f["year"] == year].set_index("enterprise_id")
    fin = pd.DataFrame(index=f.index)
    fin["local_purchases"] = f["local_purchases"].astype(float)
    fin["revenue"] = f[list(REVENUE_SOURCES)].astype(float).sum(axis=1)
    fin["costs"] = f["costs"].astype(float)
    fin["result"] = fin["revenue"] - fin["costs"]
    earned = f["revenue_private_sales"].astype(float) + f["revenue_public_contracts"].astype(float)
    fin["earned_share"] = earned / fin["revenue"].where(fin["revenue"] > 0)
    fin["local_purchase_share"] = fin["local_purchases"] / fin["costs"].where(fin["costs"] > 0)
    for frame in (citizens, jobs, part, fin):
        out = out.merge(frame, left_on="enterprise_id", right_index=True, how="left")
    counts = ["citizens", "jobs", "partnerships", "partner_sectors", "volunteers"]
    out[counts] = out[counts].fillna(0).astype(int)
    out["volunteer_hours"] = out["volunteer_hours"].fillna(0.0).astype(float)
    cols = ["enterprise_id", "name", "kind", "citizens", "jobs", "local_purchases", "local_purchase_share",
            "partnerships", "partner_sectors", "volunteers", "volunteer_hours", "revenue", "costs", "result",
            "earned_share"]
    return out.reindex(columns=cols).sort_values("enterprise_id").reset_index(drop=True)


# -- fundraising -----------------------------------------------------------------------------


@memoized
def _fundraising(ds: Dataset) -> pd.DataFrame:
    """The fundraising table with helper columns: is_application, gift, gift_date, gift_year."""
    fr = _table(ds, "fundraising").copy()
    fr["is_application"] = fr["applied"].notna()
    fr["gift"] = fr["granted"].fillna(0).astype(float) > 0
    fr["gift_date"] = fr["decided"].where(fr["decided"].notna(), fr["submitted"])
    fr["gift_year"] = fr["gift_date"].dt.year
    return fr


def _fundraising_figures(fr: pd.DataFrame, year: int) -> dict:
    hi = _bounds(year)[1]
    app = fr.loc[fr["is_application"]]
    decided = app.loc[app["decided"].dt.year == year]
    success = decided.loc[decided["gift"]]
    gifts = fr.loc[fr["gift"] & (fr["gift_year"] == year)]
    donations = gifts.loc[~gifts["is_application"]]
    pending = app.loc[(app["submitted"] <= hi) & (app["decided"].isna() | (app["decided"] > hi))]
    return {
        "applications": int((app["submitted"].dt.year == year).sum()),
        "decided": len(decided),
        "successful": len(success),
        "success_rate": _ratio(len(success), len(decided)),
        "pending": len(pending),
        "applied_amount": float(decided["applied"].sum()),
        "granted_amount": float(decided["granted"].fillna(0).sum()),
        "donations": len(donations),
        "donation_amount": float(donations["granted"].sum()),
        "gifts": len(gifts),
        "raised": float(gifts["granted"].sum()),
        "digital_gifts": int(gifts["digital"].astype(bool).sum()),
        "digital_share": _ratio(int(gifts["digital"].astype(bool).sum()), len(gifts)),
    }


def fundraising_per_year(ds: Dataset, years: Iterable[int]) -> pd.DataFrame:
    """Fundraising year by year: applications, success rate, amounts and digital gifts.

    Counting rule: an *application* has an amount applied for; a row without one is an
    unsolicited *donation*. *applications*: submitted in the year; *decided*: applications
    decided in the year; *successful*: of those, the ones granted more than 0;
    ``success_rate`` = successful ÷ decided; *pending*: applications submitted by 31 December
    without a decision by then; *applied_amount* and *granted_amount*: applied for and granted in
    the applications decided in the year. A *gift* is a row granted more than 0, dated by its
    decision (a donation without a decision by its date received): *donations* and
    *donation_amount* count the year's donations, *gifts* and *raised* all the year's gifts;
    ``digital_share`` = gifts given digitally ÷ gifts.

    Tælleregel: En *ansøgning* har et ansøgt beløb; en række uden er en uopfordret *donation*.
    Ansøgninger tælles efter indsendelsesår; *afgjorte* efter afgørelsesår; *bevilgede* er
    afgjorte med et bevilget beløb over 0; succesraten er bevilgede divideret med afgjorte.
    *Afventende*: indsendt senest 31. december og ikke afgjort inden. En *gave* er en række med
    et bevilget beløb over 0, dateret ved afgørelsen (en donation ved modtagelsen); den digitale
    andel er digitale gaver divideret med alle årets gaver.

    Returns
    -------
    DataFrame
        year, applications, decided, successful, success_rate, pending, applied_amount,
        granted_amount, donations, donation_amount, gifts, raised, digital_gifts, digital_share.
    """
    fr = _fundraising(ds)
    return pd.DataFrame([{"year": y, **_fundraising_figures(fr, y)} for y in _years(years)])



def fundraising_by(ds: Dataset, year: int, by: str = "giver_type") -> pd.DataFrame:
    """Fundraising in ``year`` split by giver type or purpose.

    Counting rule: as :func:`fundraising_per_year`, within each group of ``by`` (``giver_type``:
    fond, virksomhed, privatperson, offentlig pulje, forening — every type listed, 0 where none;
    or ``purpose``: the purposes that occur, or ``enterprise_id``).

    Tælleregel: Som for indsamling pr. år, opgjort for hver givertype (fond, virksomhed,
    privatperson, offentlig pulje, forening) eller hvert formål.

    Returns
    -------
    DataFrame
        ``by`` and the columns of :func:`fundraising_per_year` (without year).
    """
    if by not in ("giver_type", "purpose", "enterprise_id"):
        raise ValueError(f"cannot split fundraising by {by!r}; choose giver_type, purpose or enterprise_id")
    fr = _fundraising(ds)
    groups = list(GIVER_TYPES) if by == "giver_type" else sorted(fr[by].dropna().unique())
    rows = [{by: grp, **_fundraising_figures(fr.loc[fr[by] == grp], year)} for grp in groups]
    return pd.DataFrame(rows)


def fundraiser_fees(ds: Dataset, years: Iterable[int]) -> pd.DataFrame:
    """The no-cure-no-pay fundraiser: what they brought in against their fees, year by year.

    Counting rule: rows marked ``via_fundraiser``. *decided*, *successful* and ``success_rate``
    as in :func:`fundraising_per_year` for the fundraiser's applications, with
    ``success_rate_other`` for the applications without the fundraiser for comparison.
    *raised* = granted in the year's gifts via the fundraiser (dated by decision); *fees* = the
    fees on those gifts; ``net_gain`` = raised − fees; ``fee_ratio`` = fees ÷ raised.
    ``fees_without_grant``: fees recorded on rows with nothing granted — no-cure-no-pay means
    this must be 0.

    Tælleregel: Rækker indsamlet via den professionelle fundraiser (no cure no pay). Succesrate
    som ovenfor (og til sammenligning for ansøgninger uden fundraiser). *Indbragt* = bevilget i
    årets gaver via fundraiseren; *honorar* = honoraret på disse gaver; *nettogevinst* = indbragt
    − honorar; *honorarandel* = honorar ÷ indbragt. Honorar på afslag eller uafgjorte
    ansøgninger skal være 0.

    Returns
    -------
    DataFrame
        year, decided, successful, success_rate, success_rate_other, gifts, raised, fees,
        net_gain, fee_ratio, fees_without_grant.
    """
    fr = _fundraising(ds)
    via = fr["via_fundraiser"].astype(bool)
    rows = []
    for y in _years(years):
        a = _fundraising_figures(fr.loc[via], y)
        b = _fundraising_figures(fr.loc[~via], y)
        gifts = fr.loc[via & fr["gift"] & (fr["gift_year"] == y)]
        raised = float(gifts["granted"].sum())
        fees = float(gifts["fee"].sum())
        no_grant = fr.loc[via & ~fr["gift"] & (fr["gift_year"] == y), "fee"]
        rows.append(
            {
                "year": y,
                "decided": a["decided"],
                "successful": a["successful"],
                "success_rate": a["success_rate"],
                "success_rate_other": b["success_rate"],
                "gifts": len(gifts),
                "raised": raised,
                "fees": fees,
                "net_gain": raised - fees,
                "fee_ratio": _ratio(fees, raised),
                "fees_without_grant": float(no_grant.sum()),
            }
        )
    return pd.DataFrame(rows)


def donor_retention(
    ds: Dataset, years: Iterable[int], enterprise_id: str | None = None
) -> pd.DataFrame:
    """Donor retention — "Den Gyldne Donation" — with the Fundraising Effectiveness Project's definitions.

    Counting rule: a *giver* gives in a year when one of their rows is granted more than 0 with a
    decision in that year (a donation without a decision: received in that year); the giver is
    ``giver_id``, over all enterprises (or one, ``enterprise_id``). For year Y: *givers* gave in
    Y; *new*: gave in Y and never before Y; *retained*: gave in Y−1 and in Y; *recaptured*: gave
    before Y−1, not in Y−1, and in Y; *lapsed*: gave in Y−1 but not in Y (givers = new + retained
    + recaptured; givers_prev = retained + lapsed). ``retention_rate`` = retained ÷ givers in
    Y−1; ``new_retention_rate`` = the givers new in Y−1 who gave again in Y ÷ new in Y−1;
    ``repeat_retention_rate`` = the same for the other givers of Y−1. *repeat_givers* (the golden
    donation): givers in Y with at least two gifts in all up to and including Y (in earlier years
    or twice in Y); ``repeat_share`` = repeat_givers ÷ givers. The whole history in the data
    counts, also before the first year asked for.

    Tælleregel: En giver har givet i et år, når en af giverens rækker har et bevilget beløb over
    0 med afgørelse i året (en donation uden afgørelse: modtaget i året). For år Y: *nye* gav i Y
    og aldrig før; *fastholdte* gav både i Y−1 og Y; *genvundne* gav før Y−1, ikke i Y−1, men i
    Y; *tabte* gav i Y−1, men ikke i Y. *Fastholdelsesgraden* er fastholdte divideret med giverne
    i Y−1. *Gentagne givere* (Den Gyldne Donation) er årets givere med mindst to gaver i alt til
    og med Y.

    Returns
    -------
    DataFrame
        year, givers, givers_prev, new, retained, recaptured, lapsed, retention_rate,
        new_retention_rate, repeat_retention_rate, repeat_givers, repeat_share.
    """
    fr = _fundraising(ds)
    if enterprise_id is not None:
        fr = fr.loc[fr["enterprise_id"] == enterprise_id]
    gifts = fr.loc[fr["gift"], ["giver_id", "gift_year"]]
    by_year: dict[int, set[str]] = {int(y): set(d["giver_id"]) for y, d in gifts.groupby("gift_year")}
    first_year = gifts.groupby("giver_id")["gift_year"].min()

    def givers_before(y: int) -> set[str]:
        return set(first_year.index[first_year < y])

    rows = []
    for y in _years(years):
        cur, prev = by_year.get(y, set()), by_year.get(y - 1, set())
        before, before_prev = givers_before(y), givers_before(y - 1)
        new_prev = prev - before_prev
        upto = gifts.loc[gifts["gift_year"] <= y].groupby("giver_id").size()
        repeat = len(cur & set(upto.index[upto >= 2]))
        retained = cur & prev
        rows.append(
            {
                "year": y,
                "givers": len(cur),
                "givers_prev": len(prev),
                "new": len(cur - before),
                "retained": len(retained),
                "recaptured": len((cur & before_prev) - prev),
                "lapsed": len(prev - cur),
                "retention_rate": _ratio(len(retained), len(prev)),
                "new_retention_rate": _ratio(len(cur & new_prev), len(new_prev)),
                "repeat_retention_rate": _ratio(len(cur & (prev - new_prev)), len(prev - new_prev)),
                "repeat_givers": repeat,
                "repeat_share": _ratio(repeat, len(cur)),
            }
        )
    return pd.DataFrame(rows)


# -- pilots and prøvehandlinger --------------------------------------------------------------


def _pilot_status_at(pilots: pd.DataFrame, year: int) -> pd.DataFrame:
    """Pilots started by the end of ``year`` with their status then (a later decision = running)."""
    hi = _bounds(year)[1]
    p = pilots.loc[pilots["start"] <= hi].copy()
    later = p["status"].isin(PILOT_DECISIONS) & p["decided"].notna() & (p["decided"] > hi)
    p["status_at"] = p["status"].where(~later, "igangværende")
    p["n_sectors"] = p["partner_sectors"].map(lambda v: len(set(_split(v))))
    return p


def pilot_pipeline(ds: Dataset, year: int) -> pd.DataFrame:
    """Pipeline of pilots and prøvehandlinger at the end of ``year``, by status and kind.

    Counting rule: pilots and prøvehandlinger started (or, for ideas, registered as started) on
    or before 31 December, counted by kind and by their status at that date: the recorded status,
    except that one decided (scaled, continued or stopped) after 31 December counts as running
    (igangværende). Every kind and status is listed, with 0 where none.

    Tælleregel: Piloter og prøvehandlinger startet senest 31. december, talt efter type og status
    på den dato: den registrerede status, men en pilot, der først er afgjort (skaleret,
    videreført eller stoppet) efter 31. december, tælles som igangværende.

    Returns
    -------
    DataFrame
        Tidy: kind, status (ordered categoricals in pipeline order), n.
    """
    p = _pilot_status_at(_table(ds, "pilots"), year)
    grid = pd.MultiIndex.from_product([PILOT_KINDS, PILOT_STATUSES], names=["kind", "status"])
    counts = p.groupby(["kind", "status_at"]).size()
    counts.index = counts.index.set_names(["kind", "status"])
    out = counts.reindex(grid, fill_value=0).rename("n").reset_index()
    return out.astype({"kind": pd.CategoricalDtype(PILOT_KINDS, ordered=True),
                       "status": pd.CategoricalDtype(PILOT_STATUSES, ordered=True), "n": int})


def pilot_summary(ds: Dataset, years: Iterable[int], cumulative: bool = False) -> pd.DataFrame:
    """Pilots and prøvehandlinger year by year: started, decided, the share scaled or continued, time to decision.

    Counting rule: *started*: start date in the year (*pilots* and *trial_actions*
    (prøvehandlinger) separately); *decided*: decided (scaled, continued or stopped) in the year —
    or, with ``cumulative``, on or before 31 December of the year — split into *scaled*,
    *continued*, *stopped*; ``success_share`` = (scaled + continued) ÷ (scaled + continued +
    stopped); ``median_days_to_decision`` = median of days from start to decision among the
    decided; *running* = running (igangværende) at 31 December as in :func:`pilot_pipeline`.
    Cross-sector co-creation among those started in the year: ``mean_sectors`` = mean number of
    partner sectors, ``multi_sector_share`` = share with two or more partner sectors.

    Tælleregel: *Startet*: startdato i året (piloter og prøvehandlinger hver for sig).
    *Afgjort*: skaleret, videreført eller stoppet i året (eller til og med året). Andelen
    skaleret eller videreført = (skaleret + videreført) ÷ (skaleret + videreført + stoppet).
    Mediantiden er antal dage fra start til afgørelse. *Samskabelse på tværs af sektorer*: blandt
    årets nye, gennemsnitligt antal partnersektorer og andelen med mindst to.

    Returns
    -------
    DataFrame
        year, started, pilots, trial_actions, decided, scaled, continued, stopped, success_share,
        median_days_to_decision, running, mean_sectors, multi_sector_share.
    """
    pilots = _table(ds, "pilots")
    rows = []
    for y in _years(years):
        lo, hi = _bounds(y)
        p = _pilot_status_at(pilots, y)
        started = p.loc[p["start"] >= lo]
        dec = p.loc[p["status"].isin(PILOT_DECISIONS) & p["decided"].notna() & (p["decided"] <= hi)]
        if not cumulative:
            dec = dec.loc[dec["decided"] >= lo]
        n = {s: int((dec["status"] == s).sum()) for s in PILOT_DECISIONS}
        days = (dec["decided"] - dec["start"]).dt.days
        rows.append(
            {
                "year": y,
                "started": len(started),
                "pilots": int((started["kind"] == "pilot").sum()),
                "trial_actions": int((started["kind"] == "prøvehandling").sum()),
                "decided": len(dec),
                "scaled": n["skaleret"],
                "continued": n["videreført"],
                "stopped": n["stoppet"],
                "success_share": _ratio(n["skaleret"] + n["videreført"], len(dec)),
                "median_days_to_decision": float(days.median()) if len(dec) else np.nan,
                "running": int((p["status_at"] == "igangværende").sum()),
                "mean_sectors": float(started["n_sectors"].mean()) if len(started) else np.nan,
                "multi_sector_share": _ratio(int((started["n_sectors"] >= 2).sum()), len(started)),
            }
        )
    return pd.DataFrame(rows)


def pilot_cocreation(ds: Dataset, year: int) -> pd.DataFrame:
    """Cross-sector co-creation of each pilot and prøvehandling started in ``year``.

    Counting rule: the number of distinct partner sectors (housing association, volunteer,
    cultural, business, public, civil society) listed for the pilot; *multi_sector* = two or
    more; *without_enterprise* = a trial action carried by the partners with no one enterprise.

    Tælleregel: Antal forskellige partnersektorer (boligselskab, frivillig, kultur, erhverv,
    offentlig, civilsamfund) for hver pilot og prøvehandling startet i året; *flere sektorer* =
    mindst to.

    Returns
    -------
    DataFrame
        pilot_id, kind, enterprise_id, title, n_sectors, multi_sector, without_enterprise.
    """
    p = _pilot_status_at(_table(ds, "pilots"), year)
    p = p.loc[p["start"].dt.year == year].copy()
    p["multi_sector"] = p["n_sectors"] >= 2
    p["without_enterprise"] = p["enterprise_id"].isna()
    cols = ["pilot_id", "kind", "enterprise_id", "title", "n_sectors", "multi_sector", "without_enterprise"]
    return p[cols].sort_values("pilot_id").reset_index(drop=True)


# -- survival --------------------------------------------------------------------------------

_KM_COLUMNS = ["group", "time", "n_risk", "n_events", "survival", "se", "ci_low", "ci_high"]
_MEDIAN_COLUMNS = ["group", "n", "events", "median", "median_ci_low", "median_ci_high"]


def _kaplan_meier(time: np.ndarray, event: np.ndarray, group: str, alpha: float) -> tuple[list[dict], dict]:
    """Kaplan–Meier rows (with a time-0 row) and the median for one group (statsmodels SurvfuncRight)."""
    from scipy.stats import norm
    from statsmodels.duration.survfunc import SurvfuncRight

    n = len(time)
    rows = [{"group": group, "time": 0.0, "n_risk": n, "n_events": 0, "survival": 1.0, "se": 0.0,
             "ci_low": 1.0, "ci_high": 1.0}]
    median = {"group": group, "n": n, "events": int(event.sum()), "median": np.nan,
              "median_ci_low": np.nan, "median_ci_high": np.nan}
    if n == 0:
        return rows, median
    if event.sum() == 0:  # none closed: the curve runs flat at 100 % to the longest follow-up
        last = float(np.max(time))
        if last > 0:
            rows.append({**rows[0], "time": last, "n_risk": int((time >= last).sum())})
        return rows, median
    sf = SurvfuncRight(time.astype(float), event.astype(int))
    z = norm.ppf(1 - alpha / 2)
    for t, nr, ne, s, se in zip(sf.surv_times, sf.n_risk, sf.n_events, sf.surv_prob, sf.surv_prob_se):
        if 0 < s < 1:  # log-log interval (as R survival's conf.type = "log-log")
            w = z * se / (s * abs(np.log(s)))
            lo, hi = s ** np.exp(w), s ** np.exp(-w)
        else:
            lo = hi = s
        rows.append({"group": group, "time": float(t), "n_risk": int(nr), "n_events": int(ne),
                     "survival": float(s), "se": float(se), "ci_low": float(lo), "ci_high": float(hi)})
    last = float(np.max(time))
    if last > rows[-1]["time"]:  # follow-up beyond the last event: the curve runs on, flat
        rows.append({**rows[-1], "time": last, "n_risk": int((time >= last).sum()), "n_events": 0})
    below = np.flatnonzero(np.asarray(sf.surv_prob) <= 0.5 + 1e-12)
    median["median"] = float(sf.surv_times[below[0]]) if len(below) else np.nan
    try:
        lo, hi = sf.quantile_ci(0.5, alpha=alpha)
        median["median_ci_low"] = float(lo) if np.isfinite(lo) else np.nan
        median["median_ci_high"] = float(hi) if np.isfinite(hi) else np.nan
    except (ValueError, IndexError, ZeroDivisionError):
        pass
    return rows, median


def _km_by(frame: pd.DataFrame, groups: list[str], alpha: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, medians = [], []
    for grp in groups:
        d = frame.loc[frame["group"] == grp]
        r, m = _kaplan_meier(d["time"].to_numpy(float), d["event"].to_numpy(int), grp, alpha)
        rows += r
        medians.append(m)
    return pd.DataFrame(rows, columns=_KM_COLUMNS), pd.DataFrame(medians, columns=_MEDIAN_COLUMNS)


def enterprise_survival(ds: Dataset, year: int, alpha: float = 0.05) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaplan–Meier survival of enterprises by generation, from founding to closing.

    Counting rule: enterprises founded on or before 31 December of ``year``. Time runs from the
    founding date to the closing date (an event) or, for those not closed by 31 December of the
    year, to that date (censored). Time in years (days ÷ 365.25). Generations: *1. generation*
    founded before 2022, *2. generation* from 2022. The survival curve is the Kaplan–Meier
    estimate (statsmodels ``SurvfuncRight``, Greenwood standard errors) with a pointwise log-log
    confidence interval; the *median survival* is the first time the curve reaches 50 % or below
    (empty when it has not: more than half are still open), its confidence interval that of
    statsmodels' ``quantile_ci`` (an empty end: not bounded within the follow-up).

    Tælleregel: Virksomheder startet senest 31. december i året. Tiden løber fra startdato til
    lukkedato (en hændelse) eller, for dem der ikke er lukket, til 31. december i året
    (censureret), målt i år. *1. generation* er startet før 2022, *2. generation* fra 2022.
    Overlevelseskurven er Kaplan–Meier-estimatet; *medianlevetiden* er den første tid, hvor
    kurven er 50 % eller derunder (tom, når over halvdelen stadig er åbne).

    Returns
    -------
    km : DataFrame
        Tidy: group, time (years), n_risk, n_events, survival, se, ci_low, ci_high — one row per
        event time, plus a row at time 0 with survival 1 and, when follow-up runs beyond the last
        event, a row with no events at the longest follow-up (where the curve ends).
    medians : DataFrame
        group, n, events, median, median_ci_low, median_ci_high (years).
    """
    hi = _bounds(year)[1]
    e = ds.enterprises
    e = e.loc[e["founded"] <= hi]
    closed = e["closed"].notna() & (e["closed"] <= hi)
    stop = e["closed"].where(closed, hi)
    first, second = g.label("first_generation"), g.label("second_generation")
    frame = pd.DataFrame({
        "group": np.where(e["founded"].dt.year >= FIRST_SECOND_GENERATION_YEAR, second, first),
        "time": (stop - e["founded"]).dt.days.to_numpy() / _DAYS_PER_YEAR,
        "event": closed.to_numpy().astype(int),
    })
    return _km_by(frame, [first, second], alpha)


def pilot_survival(
    ds: Dataset, year: int, by: str | None = "kind", alpha: float = 0.05
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaplan–Meier survival of business ideas (pilots and prøvehandlinger) from start to being stopped.

    Counting rule: pilots and prøvehandlinger started on or before 31 December of ``year``, not
    counting mere ideas (status idé). Time runs from the start to the decision to stop (an event,
    when decided on or before 31 December) or to 31 December of the year (censored: running,
    scaled or continued — the idea lives on). Time in years (days ÷ 365.25). Groups: by kind
    (``by="kind"``) or all together (``by=None``). Estimation as in
    :func:`enterprise_survival`.

    Tælleregel: Piloter og prøvehandlinger startet senest 31. december i året (ikke idéer). Tiden
    løber fra start til beslutningen om at stoppe (en hændelse) eller til 31. december i året
    (censureret: igangværende, skaleret eller videreført). Målt i år.

    Returns
    -------
    km, medians : DataFrame
        As :func:`enterprise_survival`; group is the kind (pilot, prøvehandling) or "alle".
    """
    if by not in ("kind", None):
        raise ValueError("by must be 'kind' or None")
    hi = _bounds(year)[1]
    p = _table(ds, "pilots")
    p = p.loc[(p["start"] <= hi) & (p["status"] != "idé")]
    stopped = (p["status"] == "stoppet") & p["decided"].notna() & (p["decided"] <= hi)
    stop = p["decided"].where(stopped, hi)
    frame = pd.DataFrame({
        "group": p["kind"].to_numpy() if by == "kind" else np.full(len(p), "alle"),
        "time": (stop - p["start"]).dt.days.to_numpy() / _DAYS_PER_YEAR,
        "event": stopped.to_numpy().astype(int),
    })
    groups = list(PILOT_KINDS) if by == "kind" else ["alle"]
    return _km_by(frame, groups, alpha)


# -- UN goals and circular economy -----------------------------------------------------------


def sdg_mapping(ds: Dataset, year: int) -> pd.DataFrame:
    """Enterprises, pilots and prøvehandlinger mapped to the UN Sustainable Development Goals in ``year``.

    Counting rule: *enterprises* active at the end of the year (founded on or before 31 December,
    not closed by then) listing the goal; *pilots* and *trial_actions* (prøvehandlinger, the
    cross-sector activities) running at some time in the year (started on or before 31 December,
    not decided to be stopped before 1 January) listing the goal. The strategy's goals 4, 8, 15
    and 17 are always listed (``focus``), any other goal when it occurs. A unit listing several
    goals counts under each.

    Tælleregel: *Virksomheder* aktive ved årets udgang og *piloter* og *prøvehandlinger* i gang i
    året (startet senest 31. december og ikke stoppet før 1. januar), talt under hvert verdensmål,
    de angiver. Strategiens mål 4, 8, 15 og 17 vises altid; andre mål, når de forekommer.

    Returns
    -------
    DataFrame
        goal, focus, enterprises, pilots, trial_actions, total; ordered by goal.
    """
    lo, hi = _bounds(year)
    e = ds.enterprises
    e = e.loc[(e["founded"] <= hi) & (e["closed"].isna() | (e["closed"] > hi))]
    counts: dict[str, dict[int, int]] = {"enterprises": {}, "pilots": {}, "trial_actions": {}}

    def add(kind: str, values: pd.Series) -> None:
        for v in values:
            for goal in {int(x) for x in _split(v)}:
                counts[kind][goal] = counts[kind].get(goal, 0) + 1

    add("enterprises", e["sdg_goals"])
    p = _optional(ds, "pilots", ["kind", "start", "decided", "status", "sdg_goals"])
    if len(p):
        stopped_before = (p["status"] == "stoppet") & p["decided"].notna() & (p["decided"] < lo)
        p = p.loc[(p["start"] <= hi) & ~stopped_before]
        add("pilots", p.loc[p["kind"] == "pilot", "sdg_goals"])
        add("trial_actions", p.loc[p["kind"] == "prøvehandling", "sdg_goals"])
    goals = sorted(set(SDG_FOCUS).union(*[set(c) for c in counts.values()]))
    out = pd.DataFrame({"goal": goals, "focus": [gl in SDG_FOCUS for gl in goals]})
    for kind, c in counts.items():
        out[kind] = [int(c.get(gl, 0)) for gl in goals]
    out["total"] = out[list(counts)].sum(axis=1)
    return out


def circular_output(ds: Dataset, years: Iterable[int]) -> pd.DataFrame:
    """Circular-economy output year by year (the sustainability strategy's action 45).

    Counting rule: the ``circular`` rows of the year added up over enterprises: *enterprises*
    reporting, *items_repaired*, *kg_reused*, and *citizen_courses* (courses for citizens run with
    the waste company). Years without rows show 0.

    Tælleregel: Årets indberetninger om cirkulær økonomi lagt sammen: antal virksomheder,
    reparerede genstande, kg genbrugt og borgerkurser med affaldsselskabet.

    Returns
    -------
    DataFrame
        year, enterprises, items_repaired, kg_reused, citizen_courses.
    """
    c = _table(ds, "circular")
    rows = []
    for y in _years(years):
        cy = c.loc[c["year"] == y]
        rows.append({
            "year": y,
            "enterprises": int(cy["enterprise_id"].nunique()),
            "items_repaired": int(cy["items_repaired"].sum()),
            "kg_reused": float(cy["kg_reused"].sum()),
            "citizen_courses": int(cy["citizen_courses"].sum()),
        })
    return pd.DataFrame(rows)
