"""Demo data for the value tables (:mod:`so_eval.data.model_value`), built on the demo's enterprises.

:func:`generate_value_tables` takes the demo's ``enterprises`` and ``agreements`` and makes
``finances``, ``fundraising``, ``pilots``, ``partnerships`` and ``circular`` with a story the value
metrics should find, returned with a ``truth`` dict:

* a mosaic economy: most enterprises draw on several sectors (no source above 62 % of revenue),
  public contracts always at least the yearly price of the agreements in force in the year;
  four enterprises depend on one source for more than 70 % every year (``dependent_enterprises``,
  ``dependent_by_year``);
* fundraising with a donor history whose retention is planted year by year between 40 % and 50 %
  (``donor_retention``: retained ÷ givers the year before, exactly as realised), rejections,
  undecided applications at the end, unsolicited (often digital) donations, and from 2022 a
  professional fundraiser paid no-cure-no-pay: a fee of 10–15 % of what was granted via the
  fundraiser (``fundraiser``);
* pilots and prøvehandlinger (36 presented at the first conference in 2022) that are scaled,
  continued and stopped (``pilots_by_status``);
* cross-sector partnerships with volunteers, and circular output for enterprises with
  ``circular == True`` (``circular``).

Every ``registered`` date falls after the event it records and no later than ``extract_date``.
Everything random comes from the ``rng`` passed in, so the same generator state gives the same
tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from so_eval.data.model_value import (
    PARTNER_SECTORS,
    PILOT_STATUSES,
    REVENUE_SOURCES,
)
from so_eval.demo.dates import active_window, random_date, random_days
from so_eval.demo.fundraising import fundraising_table

__all__ = ["generate_value_tables"]

N_DEPENDENT = 4
"""Enterprises planted to depend on one revenue source."""
DEPENDENT_SHARE = (0.74, 0.88)
"""Range of the dominant source's share for the planted dependent enterprises."""
MAX_SHARE_OTHERS = 0.62
"""No other enterprise draws more than this share of its revenue from one source."""
CONFERENCE = pd.Timestamp("2022-09-22")
"""The municipality's first conference on the social economy, where 36 prøvehandlinger were presented."""
N_CONFERENCE_TRIALS = 36

_ACTIVITIES = (
    "Reparationscafé",
    "Fællesspisning",
    "Grøn byhave",
    "Cykelværksted",
    "Genbrugsmarked",
    "Lektiecafé",
    "Madspildskøkken",
    "Byttecentral",
    "Naturpleje med får",
    "Kulturnat",
    "Værkstedsforløb for unge",
    "IT-café for ældre",
    "Genbrugsbyggemarked",
    "Tøjreparation",
    "Plusbutik pop-up",
    "Jobcafé",
    "Bybi-projekt",
    "Vandrerute",
)
_PLACES = (
    "Slagelse",
    "Korsør",
    "Skælskør",
    "Søndermarken",
    "Ringparken",
    "Antvorskov",
    "Vestsjælland",
    "Havnen",
    "Stationsbyen",
)
_PARTNERS = (
    ("Frivilligcenter Slagelse", "frivillig"),
    ("Boligselskabet Vestervang", "boligselskab"),
    ("Boligforeningen Ringparken", "boligselskab"),
    ("Slagelse Bibliotekerne", "kultur"),
    ("Musikhuset Korsør", "kultur"),
    ("Slagelse Erhvervscenter", "erhverv"),
    ("Lokale Handlende Skælskør", "erhverv"),
    ("Jobcenter Slagelse", "offentlig"),
    ("Affaldsselskabet", "offentlig"),
    ("Røde Kors Slagelse", "civilsamfund"),
    ("Spejderne Korsør", "civilsamfund"),
    ("Ældresagen Slagelse", "frivillig"),
    ("Naturfredningsforeningen", "civilsamfund"),
    ("Produktionsskolen", "offentlig"),
)
_KIND_ALPHA = {
    # private sales, public contracts, foundations, donations, other
    "virksomhed": (4.0, 3.0, 1.5, 0.7, 0.6),
    "initiativ": (2.0, 3.0, 2.5, 1.0, 0.6),
    "forening": (1.5, 2.0, 3.0, 2.5, 0.6),
}


# -- helpers ---------------------------------------------------------------------------------


def _agreement_prices(agr: pd.DataFrame, years: list[int]) -> dict[tuple[str, int], float]:
    """Yearly price of each enterprise's agreements in force some time during each year."""
    out: dict[tuple[str, int], float] = {}
    for a in agr.itertuples():
        for year in years:
            lo, hi = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
            if a.start <= hi and (pd.isna(a.end) or a.end >= lo):
                key = (a.enterprise_id, year)
                out[key] = out.get(key, 0.0) + float(a.price)
    return out


def _shares(rng: np.random.Generator, base: np.ndarray, needs_public: bool, cap: float) -> np.ndarray:
    """One year's revenue shares near ``base``; public share ≥ 0.1 if needed; max share ≤ cap."""
    for _ in range(1000):
        s = rng.dirichlet(base * 40 + 0.05)
        if needs_public and s[1] < 0.10:
            rest = np.delete(s, 1)
            rest = rest / rest.sum() * 0.90
            s = np.insert(rest, 1, 0.10)
        if s.max() <= cap:
            return s
    return np.full(5, 0.2)


def _dependent_shares(rng: np.random.Generator, dominant: int, needs_public: bool) -> np.ndarray:
    dom = rng.uniform(*DEPENDENT_SHARE)
    rest = rng.dirichlet(np.ones(4) * 2.0) * (1 - dom)
    s = np.insert(rest, dominant, dom)
    if needs_public and dominant != 1 and s[1] < 0.06:
        others = [i for i in range(5) if i not in (1, dominant)]
        s[others] = s[others] / s[others].sum() * (1 - dom - 0.06)
        s[1] = 0.06
    return s


# -- finances --------------------------------------------------------------------------------


def _finances(rng, ent, agr, years, extract) -> tuple[pd.DataFrame, dict[str, str], dict[int, list[str]]]:
    last = years[-1]
    with_agreement = set(agr["enterprise_id"])
    alive = ent.loc[(ent["founded"].dt.year <= last - 3) & (ent["closed"].isna() | (ent["closed"].dt.year > last))]
    pool_a = sorted(set(alive["enterprise_id"]) & with_agreement)
    pool_n = sorted(set(alive["enterprise_id"]) - with_agreement)
    dependents: dict[str, str] = {}
    picked_a = [str(x) for x in rng.choice(pool_a, size=min(2, len(pool_a)), replace=False)]
    # fewer enterprises than sources (a small demo): zip pairs only those there are
    dependents.update(zip(picked_a, ("revenue_public_contracts", "revenue_private_sales"), strict=False))
    # the civil-society dependents preferably among enterprises without an agreement
    n_more = N_DEPENDENT - len(dependents)
    picked = [str(x) for x in rng.choice(pool_n, size=min(n_more, len(pool_n)), replace=False)]
    spare = [e for e in pool_a if e not in dependents]
    if len(picked) < n_more and spare:
        picked += [str(x) for x in rng.choice(spare, size=min(n_more - len(picked), len(spare)), replace=False)]
    dependents.update(zip(picked, ("revenue_foundations", "revenue_donations"), strict=False))

    prices = _agreement_prices(agr, years)
    rows = []
    dependent_by_year: dict[int, list[str]] = {}
    for e in ent.itertuples():
        alpha = np.array(_KIND_ALPHA.get(e.kind, _KIND_ALPHA["initiativ"]))
        base = rng.dirichlet(alpha)
        while base.max() > MAX_SHARE_OTHERS - 0.07:
            base = rng.dirichlet(alpha)
        scale = float(rng.lognormal(np.log(1_200_000), 0.6))
        for year in years:
            win = active_window(e, year)
            if win is None:
                continue
            frac = ((win[1] - win[0]).days + 1) / 365.0
            price = prices.get((e.enterprise_id, year), 0.0)
            if e.enterprise_id in dependents:
                dom = REVENUE_SOURCES.index(dependents[e.enterprise_id])
                s = _dependent_shares(rng, dom, price > 0)
                dependent_by_year.setdefault(year, []).append(e.enterprise_id)
            else:
                s = _shares(rng, base, price > 0, MAX_SHARE_OTHERS)
            revenue = scale * frac * 1.03 ** (year - years[0]) * float(rng.lognormal(0, 0.1))
            if price > 0:
                revenue = max(revenue, price / s[1] * float(rng.uniform(1.0, 1.15)))
            amounts = np.round(s * revenue / 1000) * 1000
            amounts[1] = max(amounts[1], np.ceil(price / 1000) * 1000)
            total = float(amounts.sum())
            costs = round(total * float(rng.uniform(0.88, 1.08)) / 1000) * 1000
            rows.append(
                {
                    "enterprise_id": e.enterprise_id,
                    "year": year,
                    **{src: float(a) for src, a in zip(REVENUE_SOURCES, amounts, strict=True)},
                    "costs": float(costs),
                    "local_purchases": float(round(costs * float(rng.uniform(0.08, 0.35)) / 1000) * 1000),
                    "registered": min(pd.Timestamp(year + 1, 1, 1) + random_days(rng, 1, 27), extract),
                }
            )
    fin = pd.DataFrame(rows).sort_values(["year", "enterprise_id"]).reset_index(drop=True)
    return fin, dependents, {y: sorted(v) for y, v in sorted(dependent_by_year.items())}


# -- pilots ----------------------------------------------------------------------------------


def _pilots(rng, ent, years, extract) -> tuple[pd.DataFrame, dict]:
    last_day = pd.Timestamp(years[-1], 12, 31)
    plan: list[tuple[str, pd.Timestamp]] = []
    for year in years:
        n = int(rng.integers(2, 4)) if year < 2022 else int(rng.integers(6, 10))
        plan += [("pilot", random_date(rng, pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31))) for _ in range(n)]
        if year > CONFERENCE.year:
            plan += [
                ("prøvehandling", random_date(rng, pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)))
                for _ in range(int(rng.integers(3, 7)))
            ]
    if years[0] <= CONFERENCE.year <= years[-1]:
        plan += [("prøvehandling", CONFERENCE + random_days(rng, 0, 90)) for _ in range(N_CONFERENCE_TRIALS)]
    plan.sort(key=lambda p: (p[1], p[0]))
    p_status = {"pilot": [0.30, 0.30, 0.40], "prøvehandling": [0.15, 0.35, 0.50]}
    p_sectors = {"pilot": [0.35, 0.35, 0.2, 0.1], "prøvehandling": [0.1, 0.4, 0.3, 0.2]}
    rows = []
    for i, (kind, start) in enumerate(plan, start=1):
        e_active = ent.loc[
            (ent["founded"] <= start) & (ent["closed"].isna() | (ent["closed"] > start)), "enterprise_id"
        ]
        with_ent = rng.random() < (0.9 if kind == "pilot" else 0.4) and len(e_active) > 0
        eid = str(rng.choice(e_active.to_numpy())) if with_ent else None
        delay = int(np.clip(rng.lognormal(np.log(300 if kind == "pilot" else 180), 0.4), 60, 900))
        decided = start + pd.Timedelta(days=delay)
        if decided <= last_day:
            status = str(rng.choice(["skaleret", "videreført", "stoppet"], p=p_status[kind]))
            end = max(start, decided - random_days(rng, 0, 30))
        else:
            status = "idé" if (last_day - start).days < 90 and rng.random() < 0.4 else "igangværende"
            decided, end = pd.NaT, pd.NaT
        k = int(rng.choice([1, 2, 3, 4], p=p_sectors[kind]))
        sectors = sorted(rng.choice(PARTNER_SECTORS, size=k, replace=False), key=PARTNER_SECTORS.index)
        sdgs = sorted(
            {17} | {int(x) for x in rng.choice([3, 4, 8, 11, 12, 15], size=int(rng.integers(1, 3)), replace=False)}
        )
        event = decided if pd.notna(decided) else start
        rows.append(
            {
                "pilot_id": f"P{i:03d}",
                "enterprise_id": eid,
                "kind": kind,
                "title": f"{rng.choice(_ACTIVITIES)} i {rng.choice(_PLACES)}",
                "start": start,
                "end": end,
                "decided": decided,
                "status": status,
                "partner_sectors": ";".join(sectors),
                "sdg_goals": ";".join(str(s) for s in sdgs),
                "registered": min(event + random_days(rng, 0, 20), extract),
            }
        )
    pil = pd.DataFrame(rows)
    decided_n = pil["status"].isin(["skaleret", "videreført", "stoppet"])
    ok = pil["status"].isin(["skaleret", "videreført"])
    truth = {
        "pilots_by_status": {s: int((pil["status"] == s).sum()) for s in PILOT_STATUSES},
        "pilots_by_kind_status": {
            k: {s: int(((pil["kind"] == k) & (pil["status"] == s)).sum()) for s in PILOT_STATUSES}
            for k in ("pilot", "prøvehandling")
        },
        "pilots_scaled_or_continued_share": round(float(ok.sum() / decided_n.sum()), 6) if decided_n.any() else None,
        "conference_trials": N_CONFERENCE_TRIALS if years[0] <= CONFERENCE.year <= years[-1] else 0,
        "conference_date": str(CONFERENCE.date()),
    }
    return pil, truth


# -- partnerships and circular ---------------------------------------------------------------


def _partnerships(rng, ent, years, extract) -> pd.DataFrame:
    last_day = pd.Timestamp(years[-1], 12, 31)
    rows = []
    for e in ent.itertuples():
        n = min(1 + int(rng.poisson(1.2)), 5)
        idx = rng.choice(len(_PARTNERS), size=n, replace=False)
        for j in sorted(idx):
            partner, sector = _PARTNERS[j]
            start = e.founded + random_days(rng, 0, 730)
            stop = e.closed if pd.notna(e.closed) else last_day
            if start > min(stop, last_day):
                continue
            end = start + random_days(rng, 180, 1500) if rng.random() < 0.25 else pd.NaT
            if pd.notna(e.closed):
                end = e.closed if pd.isna(end) else min(end, e.closed)
            if pd.notna(end) and end > last_day:
                end = pd.NaT
            volunteers = (
                int(rng.integers(3, 26)) if sector in ("frivillig", "civilsamfund") else int(rng.integers(0, 6))
            )
            rows.append(
                {
                    "enterprise_id": e.enterprise_id,
                    "partner": partner,
                    "partner_sector": sector,
                    "start": start,
                    "end": end,
                    "volunteers": volunteers,
                    "volunteer_hours": float(round(volunteers * float(rng.uniform(20, 120)))),
                    "registered": min(start + random_days(rng, 0, 30), extract),
                }
            )
    return pd.DataFrame(rows).sort_values(["start", "enterprise_id"], kind="stable").reset_index(drop=True)


def _circular(rng, ent, years, extract) -> tuple[pd.DataFrame, dict]:
    rows = []
    for e in ent.loc[ent["circular"].astype(bool)].itertuples():
        level = float(rng.uniform(150, 1200))
        for year in years:
            win = active_window(e, year)
            if win is None:
                continue
            frac = ((win[1] - win[0]).days + 1) / 365.0
            growth = 1.06 ** (year - years[0])
            rows.append(
                {
                    "enterprise_id": e.enterprise_id,
                    "year": year,
                    "items_repaired": int(rng.poisson(level * frac * growth)),
                    "kg_reused": float(round(level * 12 * frac * growth * float(rng.lognormal(0, 0.2)))),
                    "citizen_courses": int(rng.poisson(2.0 * frac)) if year >= 2021 else 0,
                    "registered": min(pd.Timestamp(year + 1, 1, 1) + random_days(rng, 1, 27), extract),
                }
            )
    cols = ["enterprise_id", "year", "items_repaired", "kg_reused", "citizen_courses", "registered"]
    circ = pd.DataFrame(rows, columns=cols).sort_values(["year", "enterprise_id"]).reset_index(drop=True)
    by_year = circ.groupby("year")[["items_repaired", "kg_reused", "citizen_courses"]].sum()
    truth = {
        str(int(y)): {
            "items_repaired": int(r.items_repaired),
            "kg_reused": float(r.kg_reused),
            "citizen_courses": int(r.citizen_courses),
        }
        for y, r in by_year.iterrows()
    }
    return circ, truth


# -- public API ------------------------------------------------------------------------------


def generate_value_tables(
    rng: np.random.Generator,
    enterprises: pd.DataFrame,
    agreements: pd.DataFrame,
    first_year: int = 2018,
    last_year: int = 2025,
    *,
    extract_date: pd.Timestamp | str | None = None,
) -> tuple[dict[str, pd.DataFrame], dict]:
    """Make the demo's value tables from its enterprises and agreements.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness; the same state gives the same tables.
    enterprises, agreements : DataFrame
        The demo's ``enterprises`` and ``agreements`` tables (typed: dates as Timestamps).
    first_year, last_year : int
        Years covered by ``finances``, ``fundraising``, ``pilots`` and ``circular``.
    extract_date : Timestamp or str, optional
        No ``registered`` date falls after it; default 31 January after ``last_year`` (the demo's
        extract date).

    Returns
    -------
    tables : dict of str to DataFrame
        ``finances``, ``fundraising``, ``pilots``, ``partnerships``, ``circular``, with the
        columns of :mod:`so_eval.data.model_value`.
    truth : dict
        What was planted (JSON-serialisable): ``dependent_enterprises`` (enterprise → dominant
        source), ``dependent_by_year``, ``dependency_share`` (0.7), ``donor_retention`` (year →
        retained ÷ givers the year before), ``donor_retention_target``, ``donor_flows``,
        ``givers_per_year``, ``fundraiser`` (fee rate, amounts granted via the fundraiser and fees
        per year), ``applications_undecided``, ``pilots_by_status``, ``pilots_by_kind_status``,
        ``pilots_scaled_or_continued_share``, ``conference_trials``, ``circular`` (per-year totals).
    """
    if last_year < first_year:
        raise ValueError("last_year must not be before first_year")
    extract = pd.Timestamp(extract_date) if extract_date is not None else pd.Timestamp(last_year + 1, 1, 31)
    if extract <= pd.Timestamp(last_year, 12, 31):
        raise ValueError("extract_date must fall after the end of last_year")
    ent = enterprises.copy()
    ent["founded"] = pd.to_datetime(ent["founded"])
    ent["closed"] = pd.to_datetime(ent["closed"])
    ent = ent.sort_values("enterprise_id").reset_index(drop=True)
    agr = agreements.copy()
    agr["start"] = pd.to_datetime(agr["start"])
    agr["end"] = pd.to_datetime(agr["end"])
    years = list(range(int(first_year), int(last_year) + 1))

    fin, dependents, dependent_by_year = _finances(rng, ent, agr, years, extract)
    fr, fr_truth = fundraising_table(rng, ent, years, extract)
    pil, pil_truth = _pilots(rng, ent, years, extract)
    part = _partnerships(rng, ent, years, extract)
    circ, circ_truth = _circular(rng, ent, years, extract)
    tables = {"finances": fin, "fundraising": fr, "pilots": pil, "partnerships": part, "circular": circ}
    truth = {
        "dependent_enterprises": dict(sorted(dependents.items())),
        "dependent_by_year": {str(y): v for y, v in dependent_by_year.items()},
        "dependency_share": 0.7,
        **fr_truth,
        **pil_truth,
        "circular": circ_truth,
    }
    return tables, truth
