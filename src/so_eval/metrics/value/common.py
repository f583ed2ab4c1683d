"""What the value metrics share: the dataset's value tables, years and their bounds, ratios, lists in a cell."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from so_eval.data.dataset import Dataset


def required_table(ds: Dataset, name: str) -> pd.DataFrame:
    """The dataset's table ``name``; a ValueError saying how to add it when the dataset has none."""
    try:
        return getattr(ds, name)
    except (AttributeError, KeyError):
        raise ValueError(
            f"the dataset has no {name!r} table (optional: add {name}.csv to the dataset folder)"
        ) from None


def optional_table(ds: Dataset, name: str, columns: Iterable[str]) -> pd.DataFrame:
    """The table, or an empty one with ``columns`` when the dataset has none."""
    try:
        return getattr(ds, name)
    except (AttributeError, KeyError):
        return pd.DataFrame(columns=list(columns))


def as_years(year: int | Iterable[int]) -> list[int]:
    """One year or several, as a list of ints."""
    return [int(year)] if isinstance(year, (int, np.integer)) else [int(y) for y in year]


def year_bounds(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """1 January and 31 December of ``year``."""
    return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)


def ratio(num: float, den: float) -> float:
    """``num ÷ den``, NaN when ``den`` is 0."""
    return float(num) / float(den) if den else float("nan")


def split_list(value: object) -> list[str]:
    """The items of a ``;``-separated cell (none for an empty one)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return []
    return [v.strip() for v in str(value).split(";") if v.strip()]


def enterprise_names(ds: Dataset) -> pd.DataFrame:
    """enterprise_id with name and kind (those the enterprises table has)."""
    cols = [c for c in ("enterprise_id", "name", "kind") if c in ds.enterprises.columns]
    return ds.enterprises[cols]
