"""How complete a year's data are: the rows expected for a year against those registered by the
report's ``as_of`` date (accounts, recycling reports, jobs and courses arrive late)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from so_eval.data.dataset import Dataset, latest_versions, memoized

YEAR_TABLES = ("finances", "circular", "jobs", "courses")
"""The tables whose rows describe a year (and may arrive after the year has ended)."""

ENTERPRISE_TABLES = ("finances", "circular")
"""Year tables with one row per enterprise and year: the expected rows are a list of enterprises."""

DELAY_TABLES = {"jobs": ("job_id", "start"), "courses": ("course_id", "end")}
"""Year tables without a list of expected rows: table → (row key, the date that gives the row's
year). A job belongs to the year it starts, a course to the year it ends (goal 2 counts ended
courses)."""

COLUMNS = [
    "table",
    "year",
    "expected",
    "registered",
    "share",
    "as_of",
    "method",
    "reference_rows",
    "reference_registered",
]


def as_of_date(ds: Dataset) -> pd.Timestamp:
    """The date the data stand on: ``ds.as_of`` if the dataset was cut, else the last
    registration date in it (all registrations count)."""
    if ds.as_of is not None:
        return pd.Timestamp(ds.as_of).normalize()
    dates = [t["registered"].max() for t in ds.tables.values() if "registered" in t.columns and len(t)]
    dates = [d for d in dates if pd.notna(d)]
    return pd.Timestamp(max(dates)).normalize() if dates else pd.Timestamp.min.normalize()


def active_in_year(enterprises: pd.DataFrame, year: int) -> pd.DataFrame:
    """Enterprises active on some day of ``year``: founded by 31 December and not closed before
    1 January (an enterprise that closes during the year still has that year's accounts)."""
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    e = enterprises
    return e.loc[(e["founded"] <= end) & (e["closed"].isna() | (e["closed"] >= start))]


def _enterprise_rows(ds: Dataset, table: str, year: int) -> tuple[int, int]:
    """(expected, registered) enterprises for ``table`` in ``year``."""
    active = active_in_year(ds.enterprises, year)
    if table == "circular":
        active = active.loc[active["circular"].fillna(False).astype(bool)]
    expected = set(active["enterprise_id"])
    rows = ds[table]
    reported = set(rows.loc[rows["year"] == year, "enterprise_id"])
    return len(expected), len(expected & reported)


def _year_keys(rows: pd.DataFrame, key: str, date: str, year: int) -> set:
    return set(rows.loc[rows[date].dt.year == year, key])


def _delay_rows(ds: Dataset, table: str, year: int, as_of: pd.Timestamp) -> dict:
    """Registered rows of ``year`` now, and last year's rows (as known now) with how many of them
    were known, as rows of that year, one year before ``as_of`` (the same delay after year end)."""
    key, date = DELAY_TABLES[table]
    now = ds[table]
    then = latest_versions(ds.versions(table), [key], as_of - pd.DateOffset(years=1))
    reference = _year_keys(now, key, date, year - 1)
    known_then = reference & _year_keys(then, key, date, year - 1)
    share = len(known_then) / len(reference) if reference else np.nan
    registered = len(_year_keys(now, key, date, year))
    expected = registered / share if share and np.isfinite(share) else np.nan
    return {
        "expected": expected,
        "registered": registered,
        "share": share,
        "method": "delay",
        "reference_rows": len(reference),
        "reference_registered": len(known_then),
    }


@memoized
def completeness(ds: Dataset, years: Iterable[int], tables: Iterable[str] = YEAR_TABLES) -> pd.DataFrame:
    """How many of each year's expected rows were registered by the data's ``as_of`` date.

    Counting rule: *finances*: the enterprises expected to send accounts for a year are those
    active on some day of the year (founded by 31 December, not closed before 1 January; an
    enterprise that closes during the year still has accounts for it); *registered* are those
    of them with the year's accounts registered by ``as_of``. *circular*: expected are the
    enterprises the register flags as doing circular economy and active in the year (last year's
    reporters would miss the enterprises that start reporting this year); registered are those of
    them with the year's report. *jobs* (a job belongs to the year it starts) and *courses* (a
    course to the year it ends) have no list of expected rows, so completeness is a
    registration-delay estimate, as a statistician makes it: the share of last year's rows (as
    known now) that had been registered one year before ``as_of`` — the same delay after the
    end of their year; expected = registered ÷ that share. Without rows last year the share is
    unknown. A year is *foreløbig* (provisional) when its share is below the report's threshold
    (``counting.completeness_threshold``, default 90 %); it is then not compared with earlier years.

    Tælleregel: Et år er *foreløbigt*, når for få af årets forventede rækker er registreret på
    rapportens opgørelsesdato (under tærsklen i parametrene, 90 %); det sammenlignes så ikke med
    tidligere år. *Regnskaber*: der forventes regnskab fra de virksomheder og initiativer, der var
    aktive på et tidspunkt i året (startet senest 31. december og ikke lukket før 1. januar).
    *Cirkulær økonomi*: der forventes indberetning fra de aktive virksomheder, som registeret
    angiver arbejder med cirkulær økonomi (sidste års indberettere ville overse dem, der begynder i
    år). *Job* (året jobbet starter) og *forløb* (året forløbet slutter) har ingen liste over
    forventede rækker; her skønnes fuldstændigheden ud fra indberetningstiden: den andel af sidste
    års rækker (som kendt i dag), der var registreret ét år før opgørelsesdatoen, altså lige så
    længe efter årets udgang.

    Returns
    -------
    DataFrame with one row per table and year: table, year, expected, registered, share
    (registered ÷ expected; NaN when nothing was expected or the delay cannot be estimated),
    as_of, method (``enterprises`` or ``delay``), reference_rows and reference_registered (the
    delay estimate's basis: last year's rows as known now and those known a year earlier; NaN for
    the enterprise tables). Tables missing from the dataset are left out.
    """
    as_of = as_of_date(ds)
    rows = []
    for table in tables:
        if table not in ds.tables or (table in ENTERPRISE_TABLES and "enterprises" not in ds.tables):
            continue
        for y in (int(y) for y in years):
            if table in ENTERPRISE_TABLES:
                expected, registered = _enterprise_rows(ds, table, y)
                row = {
                    "expected": expected,
                    "registered": registered,
                    "share": registered / expected if expected else np.nan,
                    "method": "enterprises",
                    "reference_rows": np.nan,
                    "reference_registered": np.nan,
                }
            else:
                row = _delay_rows(ds, table, y, as_of)
            rows.append({"table": table, "year": y, "as_of": as_of, **row})
    return pd.DataFrame(rows, columns=COLUMNS)


def is_provisional(share: float, threshold: float) -> bool:
    """Whether a year with completeness ``share`` is *foreløbig*: below ``threshold`` (an unknown
    share is not: nothing says the year is incomplete)."""
    return bool(pd.notna(share) and share < threshold)
