"""Fundraising: applications and gifts year by year, by giver type, the fundraiser's fees, donor retention."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from so_eval.data.dataset import Dataset, memoized
from so_eval.data.model_value import GIVER_TYPES
from so_eval.metrics.value.common import as_years, ratio, required_table, year_bounds


@memoized
def _fundraising(ds: Dataset) -> pd.DataFrame:
    """The fundraising table with helper columns: is_application, gift, gift_date, gift_year."""
    fr = required_table(ds, "fundraising").copy()
    fr["is_application"] = fr["applied"].notna()
    fr["gift"] = fr["granted"].fillna(0).astype(float) > 0
    fr["gift_date"] = fr["decided"].where(fr["decided"].notna(), fr["submitted"])
    fr["gift_year"] = fr["gift_date"].dt.year
    return fr


def _fundraising_figures(fr: pd.DataFrame, year: int) -> dict:
    hi = year_bounds(year)[1]
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
        "success_rate": ratio(len(success), len(decided)),
        "pending": len(pending),
        "applied_amount": float(decided["applied"].sum()),
        "granted_amount": float(decided["granted"].fillna(0).sum()),
        "donations": len(donations),
        "donation_amount": float(donations["granted"].sum()),
        "gifts": len(gifts),
        "raised": float(gifts["granted"].sum()),
        "digital_gifts": int(gifts["digital"].astype(bool).sum()),
        "digital_share": ratio(int(gifts["digital"].astype(bool).sum()), len(gifts)),
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
    return pd.DataFrame([{"year": y, **_fundraising_figures(fr, y)} for y in as_years(years)])


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
    for y in as_years(years):
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
                "fee_ratio": ratio(fees, raised),
                "fees_without_grant": float(no_grant.sum()),
            }
        )
    return pd.DataFrame(rows)


def donor_retention(ds: Dataset, years: Iterable[int], enterprise_id: str | None = None) -> pd.DataFrame:
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
    for y in as_years(years):
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
                "retention_rate": ratio(len(retained), len(prev)),
                "new_retention_rate": ratio(len(cur & new_prev), len(new_prev)),
                "repeat_retention_rate": ratio(len(cur & (prev - new_prev)), len(prev - new_prev)),
                "repeat_givers": repeat,
                "repeat_share": ratio(repeat, len(cur)),
            }
        )
    return pd.DataFrame(rows)
