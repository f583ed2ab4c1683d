"""Dates in the demo's story: its years, the extract date and the annual report's day; a year's
bounds, the part of a year an enterprise was active, and random days for the generators."""

from __future__ import annotations

import numpy as np
import pandas as pd

FIRST_YEAR, LAST_YEAR = 2018, 2025
EXTRACT_DATE = pd.Timestamp("2026-01-31")
"""The day the demo data were 'extracted': nothing is registered after it."""
REPORT_DAY = (1, 15)
"""Month and day in January on which the annual report for the year before is made."""


def report_date(year: int) -> pd.Timestamp:
    """The day the annual report for ``year`` is made in the demo's story."""
    return pd.Timestamp(year + 1, *REPORT_DAY)


def year_bounds(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """1 January and 31 December of ``year``."""
    return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)


def random_date(rng: np.random.Generator, start: pd.Timestamp, end: pd.Timestamp) -> pd.Timestamp:
    """A day from ``start`` to ``end`` (both included; ``start`` if ``end`` is before it)."""
    days = max(int((end - start).days), 0)
    return start + pd.Timedelta(days=int(rng.integers(0, days + 1)))


def random_days(rng: np.random.Generator, lo: int, hi: int) -> pd.Timedelta:
    """``lo`` to ``hi`` days (both included)."""
    return pd.Timedelta(days=int(rng.integers(lo, hi + 1)))


def active_window(e, year: int) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The part of ``year`` in which enterprise ``e`` (a row) was active, or None."""
    lo = max(pd.Timestamp(year, 1, 1), e.founded)
    hi = pd.Timestamp(year, 12, 31)
    if pd.notna(e.closed):
        hi = min(hi, e.closed)
    return (lo, hi) if lo <= hi else None
