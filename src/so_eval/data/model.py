"""The data model: one declared schema per table (pandera), plus the relations between tables.

A dataset is a folder with one file per table, named after the table (``courses.csv``;
``status_weekly.parquet`` for the large panel). Dates are ISO dates (``2024-12-31``), IDs are
strings, booleans are ``true``/``false``, lists are ``;``-separated (``"kontanthjælp;fleksjob"``).
Citizens are only ever known by a pseudonym. Every table has a ``registered`` date: the day the
row was entered, so that any figure can be reproduced "as known on" a date.

Versions. Every table has a key (:data:`KEYS`): the columns that say which fact a row is about
(a course by its ``course_id``, a job by its ``job_id``). A table may hold several rows with the
same key: each is a *version* of that row, with its own ``registered`` date (two versions of a
key never share a date). A version may be a withdrawal: the optional column ``withdrawn``
(``true``/``false``, empty or absent = ``false``; not part of the column schemas, so that every
table has it and datasets without it stay valid) marks a row entered by mistake; nothing is
ever deleted. Read as known on a date, a table holds each key's latest version registered on or
before that date, and no key whose latest version is a withdrawal
(:meth:`so_eval.data.dataset.Dataset.as_known_on`).

The weekly statuses (:data:`STATUSES`, with :data:`SELF`, :data:`EDU` and the public benefits
:data:`BENEFIT_STATUSES`) are part of the model: the weekly status table holds them, and the effect
outcomes and the demo's data-generating process read them from here.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from so_eval import glossary as g
from so_eval.data.model_value import VALUE_TABLE_SPECS
from so_eval.data.spec import ForeignKey, TableSpec

SELF = "selvforsørgelse"
EDU = "uddannelse"
STATUSES = (
    SELF,
    EDU,
    "kontanthjælp",
    "ressourceforløb",
    "fleksjob",
    "ledighedsydelse",
    "integrationsydelse",
    "sygedagpenge",
    "andet",
)
"""Weekly statuses (DREAM-like) of :class:`StatusWeekly`: self-supporting (ordinary work, no public
benefit), education, the benefits of the target groups, sickness benefit and other."""

BENEFIT_STATUSES = (
    "kontanthjælp",
    "ressourceforløb",
    "fleksjob",
    "ledighedsydelse",
    "integrationsydelse",
    "sygedagpenge",
)
"""Statuses that are a public benefit (used for the pre-period covariates)."""

_ID = {"str_length": {"min_value": 1, "max_value": 64}}


class Enterprises(pa.DataFrameModel):
    """A social-economy enterprise or initiative."""

    enterprise_id: Series[str] = pa.Field(**_ID)
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    kind: Series[str] = pa.Field(isin=g.ENTERPRISE_KINDS)
    founded: Series[pd.Timestamp] = pa.Field(coerce=True)
    closed: Series[pd.Timestamp] = pa.Field(nullable=True, coerce=True)
    rsv_registered: Series[bool] = pa.Field(coerce=True)
    social: Series[bool] = pa.Field(coerce=True)
    local: Series[bool] = pa.Field(coerce=True)
    economic: Series[bool] = pa.Field(coerce=True)
    sdg_goals: Series[str] = pa.Field(nullable=True)
    circular: Series[bool] = pa.Field(coerce=True)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)


class Agreements(pa.DataFrameModel):
    """A cooperation agreement (samarbejdsaftale) between the Jobcenter and an enterprise."""

    agreement_id: Series[str] = pa.Field(**_ID)
    enterprise_id: Series[str] = pa.Field(**_ID)
    start: Series[pd.Timestamp] = pa.Field(coerce=True)
    end: Series[pd.Timestamp] = pa.Field(nullable=True, coerce=True)
    places: Series[int] = pa.Field(ge=0, le=10_000, coerce=True)
    target_groups: Series[str]
    steps_offered: Series[str]
    price: Series[float] = pa.Field(ge=0, le=1e9, coerce=True)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)


class Citizens(pa.DataFrameModel):
    """A citizen in the Jobcenter's target groups (participants and the comparison pool)."""

    citizen_id: Series[str] = pa.Field(**_ID)
    birth_year: Series[int] = pa.Field(ge=1900, le=2100, coerce=True)
    gender: Series[str] = pa.Field(isin=g.GENDERS)
    target_group: Series[str] = pa.Field(isin=g.TARGET_GROUPS)
    origin: Series[str] = pa.Field(isin=g.ORIGINS, nullable=True)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)


class Courses(pa.DataFrameModel):
    """One citizen's course (forløb) under one agreement."""

    course_id: Series[str] = pa.Field(**_ID)
    citizen_id: Series[str] = pa.Field(**_ID)
    agreement_id: Series[str] = pa.Field(**_ID)
    start: Series[pd.Timestamp] = pa.Field(coerce=True)
    end: Series[pd.Timestamp] = pa.Field(nullable=True, coerce=True)
    start_step: Series[str] = pa.Field(isin=g.STEPS)
    end_step: Series[str] = pa.Field(isin=g.STEPS, nullable=True)
    end_status: Series[str] = pa.Field(isin=g.END_STATUSES, nullable=True)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)


class Progression(pa.DataFrameModel):
    """A step event in a citizen's value chain."""

    citizen_id: Series[str] = pa.Field(**_ID)
    course_id: Series[str] = pa.Field(**_ID)
    date: Series[pd.Timestamp] = pa.Field(coerce=True)
    step: Series[str] = pa.Field(isin=g.STEPS)
    weekly_paid_hours: Series[float] = pa.Field(ge=0, le=80, coerce=True)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)


class Jobs(pa.DataFrameModel):
    """An employment a citizen came into."""

    job_id: Series[str] = pa.Field(**_ID)
    citizen_id: Series[str] = pa.Field(**_ID)
    course_id: Series[str] = pa.Field(**_ID)
    start: Series[pd.Timestamp] = pa.Field(coerce=True)
    end: Series[pd.Timestamp] = pa.Field(nullable=True, coerce=True)
    job_type: Series[str] = pa.Field(isin=g.JOB_TYPES)
    weekly_hours: Series[float] = pa.Field(gt=0, le=80, coerce=True)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)


class Learnings(pa.DataFrameModel):
    """A curated entry for the report: the skewed, the unexpected, a learning or a correction."""

    year: Series[int] = pa.Field(ge=2000, le=2100, coerce=True)
    area: Series[str] = pa.Field(str_length={"min_value": 1})
    kind: Series[str] = pa.Field(isin=g.LEARNING_KINDS)
    text: Series[str] = pa.Field(str_length={"min_value": 1})
    figure_key: Series[str] = pa.Field(nullable=True)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)


class StatusWeekly(pa.DataFrameModel):
    """A citizen's benefit/self-support status in one ISO week (DREAM-like), Parquet.

    ``week`` is the Monday of the ISO week. One row per citizen and week.
    """

    citizen_id: Series[str] = pa.Field(**_ID)
    week: Series[pd.Timestamp] = pa.Field(coerce=True)
    status: Series[str] = pa.Field(isin=STATUSES, coerce=True)
    registered: Series[pd.Timestamp] = pa.Field(coerce=True)


_CORE_TABLES = (
    TableSpec(
        "enterprises",
        Enterprises,
        key=("enterprise_id",),
        date_order=(("founded", "closed"),),
        list_columns={"sdg_goals": tuple(str(i) for i in g.SDG_GOALS)},
    ),
    TableSpec(
        "agreements",
        Agreements,
        key=("agreement_id",),
        foreign_keys=(ForeignKey("enterprise_id", "enterprises", "enterprise_id"),),
        date_order=(("start", "end"),),
        list_columns={"target_groups": g.TARGET_GROUPS, "steps_offered": g.STEPS},
    ),
    TableSpec("citizens", Citizens, key=("citizen_id",)),
    TableSpec(
        "courses",
        Courses,
        key=("course_id",),
        foreign_keys=(
            ForeignKey("citizen_id", "citizens", "citizen_id"),
            ForeignKey("agreement_id", "agreements", "agreement_id"),
        ),
        date_order=(("start", "end"),),
    ),
    TableSpec(
        "progression",
        Progression,
        key=("citizen_id", "course_id", "date", "step"),
        foreign_keys=(
            ForeignKey("citizen_id", "citizens", "citizen_id"),
            ForeignKey("course_id", "courses", "course_id"),
        ),
    ),
    TableSpec(
        "jobs",
        Jobs,
        key=("job_id",),
        foreign_keys=(
            ForeignKey("citizen_id", "citizens", "citizen_id"),
            ForeignKey("course_id", "courses", "course_id"),
        ),
        date_order=(("start", "end"),),
    ),
    TableSpec("learnings", Learnings, required=False),
    TableSpec(
        "status_weekly",
        StatusWeekly,
        key=("citizen_id", "week"),
        required=False,
        fmt="parquet",
        foreign_keys=(ForeignKey("citizen_id", "citizens", "citizen_id"),),
    ),
)

TABLES: dict[str, TableSpec] = {
    **{spec.name: spec for spec in _CORE_TABLES},
    # the value-creation tables (finances, fundraising, pilots, partnerships, circular): optional
    **VALUE_TABLE_SPECS,
}
"""The tables of a dataset, in load order (a table's foreign keys point to earlier tables)."""

WITHDRAWN = "withdrawn"
"""The optional column that marks a version as a withdrawal (see the module docstring)."""

KEYS: dict[str, tuple[str, ...]] = {
    name: spec.key or tuple(c for c in spec.columns if c != "registered") for name, spec in TABLES.items()
}
"""The key of each table: rows with the same key are versions of the same fact. The schema's key
(``TableSpec.key``) where it has one; any other table (learnings, partnerships) by the whole row
except the registration date (such a row can only be withdrawn, not corrected: a corrected row
is a new row, and the wrong one is withdrawn)."""


def stored_columns(table: str) -> list[str]:
    """The columns a table's file may hold: the schema's and :data:`WITHDRAWN`."""
    return [*TABLES[table].columns, WITHDRAWN]
