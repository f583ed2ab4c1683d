"""The data model of value creation: finances, fundraising, pilots, partnerships, circular economy.

Five optional tables that make the strategy's sections 2.2–3.4 measurable (mosaic economy,
fundraising and "Den Gyldne Donation", pilots and prøvehandlinger, cross-sector partnerships and
volunteering, UN goals and circular economy). They follow the conventions of
:mod:`so_eval.data.model`: one file per table named after it, ISO dates, IDs as strings, booleans as
``true``/``false``, lists ``;``-separated, and a ``registered`` date on every row.

Amounts are in Danish kroner (DKK), current prices of the year they belong to.

``finances`` (one row per enterprise and year)
    The enterprise's accounts for the year: revenue by source (private sales; public contracts,
    including the Jobcenter's cooperation agreements; foundations and grants; donations; other),
    total costs, and purchases from local suppliers (lokale indkøb).
``fundraising`` (one row per application or donation)
    An application to a giver, or an unsolicited donation. ``applied`` is empty for unsolicited
    donations; ``decided`` is empty while an application awaits a decision (and for donations);
    ``granted`` is 0 for a rejection and empty while undecided. ``via_fundraiser`` marks the
    professional fundraiser paid no-cure-no-pay, whose ``fee`` (0 if none) is due on what is
    granted.
``pilots`` (one row per pilot or prøvehandling)
    A small experiment meant to grow (``pilot``) or a trial action co-created across sectors
    (``prøvehandling``; ``enterprise_id`` may be empty). ``status`` is the latest status;
    ``decided`` is the date of the decision to scale, continue or stop it.
``partnerships`` (one row per partnership)
    A partnership between an enterprise and a partner from another sector. ``volunteers`` is the
    number of volunteers it engages; ``volunteer_hours`` the volunteer hours it gives in a
    typical year while it runs.
``circular`` (one row per enterprise and year)
    Circular-economy output (the sustainability strategy's action 45): items repaired, kilograms
    reused, and citizen courses run with the waste company.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from so_eval import glossary as g
from so_eval.data.spec import ForeignKey, TableSpec

_ID = {"str_length": {"min_value": 1, "max_value": 64}}
_DKK = {"ge": 0, "le": 1e10, "coerce": True}

# -- categories ------------------------------------------------------------------------------

REVENUE_SOURCES: tuple[str, ...] = (
    "revenue_private_sales",
    "revenue_public_contracts",
    "revenue_foundations",
    "revenue_donations",
    "revenue_other",
)
"""The five revenue sources of ``finances``, in the order the report lists them."""

REVENUE_SECTORS: tuple[str, ...] = ("privat", "offentlig", "civilsamfund", "andet")
"""Sectors of the mosaic economy (mosaikøkonomi)."""

SOURCE_SECTOR: dict[str, str] = {
    "revenue_private_sales": "privat",
    "revenue_public_contracts": "offentlig",
    "revenue_foundations": "civilsamfund",
    "revenue_donations": "civilsamfund",
    "revenue_other": "andet",
}
"""Which sector each revenue source belongs to."""

GIVER_TYPES: tuple[str, ...] = ("fond", "virksomhed", "privatperson", "offentlig pulje", "forening")
"""Types of giver (giver): foundation, company, private person, public pool, association."""

PILOT_KINDS: tuple[str, ...] = ("pilot", "prøvehandling")
PILOT_STATUSES: tuple[str, ...] = ("idé", "igangværende", "skaleret", "videreført", "stoppet")
"""Pipeline order. ``skaleret``, ``videreført`` and ``stoppet`` are decisions."""
PILOT_DECISIONS: tuple[str, ...] = ("skaleret", "videreført", "stoppet")

PARTNER_SECTORS: tuple[str, ...] = (
    "boligselskab",
    "frivillig",
    "kultur",
    "erhverv",
    "offentlig",
    "civilsamfund",
)
"""Partner sectors: housing association, volunteer, cultural, business, public, civil society."""

SDG_FOCUS: tuple[int, ...] = (4, 8, 15, 17)
"""The UN goals the strategy names (17 first; 4, 8 and 15)."""

_SDG_CODES = tuple(str(i) for i in g.SDG_GOALS)


# -- tables ----------------------------------------------------------------------------------


class Finances(pa.DataFrameModel):
    """An enterprise's accounts for one year (DKK)."""

    enterprise_id: Series[str] = pa.Field(**_ID)
    year: Series[int] = pa.Field(ge=2000, le=2100, coerce=True)
    revenue_private_sales: Series[float] = pa.Field(**_DKK)
    revenue_public_contracts: Series[float] = pa.Field(**_DKK)
    revenue_foundations: Series[float] = pa.Field(**_DKK)
    revenue_donations: Series[float] = pa.Field(**_DKK)
    revenue_other: Series[float] = pa.Field(**_DKK)
    costs: Series[float] = pa.Field(**_DKK)
    local_purchases: Series[float] = pa.Field(**_DKK)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)

    class Config:
        unique = ["enterprise_id", "year"]


class Fundraising(pa.DataFrameModel):
    """An application to a giver, or an unsolicited donation."""

    application_id: Series[str] = pa.Field(unique=True, **_ID)
    enterprise_id: Series[str] = pa.Field(**_ID)
    giver_id: Series[str] = pa.Field(**_ID)
    giver_type: Series[str] = pa.Field(isin=GIVER_TYPES)
    purpose: Series[str] = pa.Field(str_length={"min_value": 1})
    submitted: Series[pd.Timestamp] = pa.Field(coerce=True)
    decided: Series[pd.Timestamp] = pa.Field(nullable=True, coerce=True)
    applied: Series[float] = pa.Field(nullable=True, **_DKK)
    granted: Series[float] = pa.Field(nullable=True, **_DKK)
    digital: Series[bool] = pa.Field(coerce=True)
    via_fundraiser: Series[bool] = pa.Field(coerce=True)
    fee: Series[float] = pa.Field(**_DKK)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)


class Pilots(pa.DataFrameModel):
    """A pilot or a prøvehandling (trial action)."""

    pilot_id: Series[str] = pa.Field(unique=True, **_ID)
    enterprise_id: Series[str] = pa.Field(nullable=True, **_ID)
    kind: Series[str] = pa.Field(isin=PILOT_KINDS)
    title: Series[str] = pa.Field(str_length={"min_value": 1})
    start: Series[pd.Timestamp] = pa.Field(coerce=True)
    end: Series[pd.Timestamp] = pa.Field(nullable=True, coerce=True)
    decided: Series[pd.Timestamp] = pa.Field(nullable=True, coerce=True)
    status: Series[str] = pa.Field(isin=PILOT_STATUSES)
    partner_sectors: Series[str] = pa.Field(nullable=True)
    sdg_goals: Series[str] = pa.Field(nullable=True)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)


class Partnerships(pa.DataFrameModel):
    """A cross-sector partnership of an enterprise, with the volunteers it engages."""

    enterprise_id: Series[str] = pa.Field(**_ID)
    partner: Series[str] = pa.Field(str_length={"min_value": 1})
    partner_sector: Series[str] = pa.Field(isin=PARTNER_SECTORS)
    start: Series[pd.Timestamp] = pa.Field(coerce=True)
    end: Series[pd.Timestamp] = pa.Field(nullable=True, coerce=True)
    volunteers: Series[int] = pa.Field(ge=0, le=100_000, coerce=True)
    volunteer_hours: Series[float] = pa.Field(ge=0, le=1e7, coerce=True)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)


class Circular(pa.DataFrameModel):
    """Circular-economy output of an enterprise in one year."""

    enterprise_id: Series[str] = pa.Field(**_ID)
    year: Series[int] = pa.Field(ge=2000, le=2100, coerce=True)
    items_repaired: Series[int] = pa.Field(ge=0, le=10_000_000, coerce=True)
    kg_reused: Series[float] = pa.Field(ge=0, le=1e9, coerce=True)
    citizen_courses: Series[int] = pa.Field(ge=0, le=100_000, coerce=True)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)

    class Config:
        unique = ["enterprise_id", "year"]


_TO_ENTERPRISES = (ForeignKey("enterprise_id", "enterprises", "enterprise_id"),)

VALUE_TABLE_SPECS: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "finances",
            Finances,
            key=("enterprise_id", "year"),
            required=False,
            foreign_keys=_TO_ENTERPRISES,
        ),
        TableSpec(
            "fundraising",
            Fundraising,
            key=("application_id",),
            required=False,
            foreign_keys=_TO_ENTERPRISES,
            date_order=(("submitted", "decided"),),
        ),
        TableSpec(
            "pilots",
            Pilots,
            key=("pilot_id",),
            required=False,
            foreign_keys=_TO_ENTERPRISES,
            date_order=(("start", "end"), ("start", "decided")),
            list_columns={"partner_sectors": PARTNER_SECTORS, "sdg_goals": _SDG_CODES},
        ),
        TableSpec(
            "partnerships",
            Partnerships,
            required=False,
            foreign_keys=_TO_ENTERPRISES,
            date_order=(("start", "end"),),
        ),
        TableSpec(
            "circular",
            Circular,
            key=("enterprise_id", "year"),
            required=False,
            foreign_keys=_TO_ENTERPRISES,
        ),
    )
}
"""Specs of the value tables, to be merged into :data:`so_eval.data.model.TABLES` (after
``enterprises``; every foreign key points to it)."""

__all__ = [
    "GIVER_TYPES",
    "PARTNER_SECTORS",
    "PILOT_DECISIONS",
    "PILOT_KINDS",
    "PILOT_STATUSES",
    "REVENUE_SECTORS",
    "REVENUE_SOURCES",
    "SDG_FOCUS",
    "SOURCE_SECTOR",
    "VALUE_TABLE_SPECS",
    "Circular",
    "Finances",
    "Fundraising",
    "Partnerships",
    "Pilots",
]
