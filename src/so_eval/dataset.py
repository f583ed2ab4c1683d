"""The :class:`Dataset`: a frozen collection of validated tables."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, eq=False)
class Dataset:
    """Validated tables of one dataset, read-only by convention (metrics never modify them).

    Access a table as an attribute (``ds.courses``) or by name (``ds["courses"]``).
    ``as_of`` is set when the dataset was cut to what was known on a date.
    """

    tables: Mapping[str, pd.DataFrame]
    path: Path | None = None
    file_hashes: Mapping[str, str] = field(default_factory=dict)
    as_of: pd.Timestamp | None = None
    after_as_of: Mapping[str, tuple[int, str, str]] = field(default_factory=dict)
    """Rows left out by the cut to ``as_of``, per table that lost any: (rows, first and last of
    their registration dates, ISO)."""
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    """Results of :func:`memoized` metrics on this dataset (lives as long as the dataset)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", MappingProxyType(dict(self.tables)))
        object.__setattr__(self, "file_hashes", MappingProxyType(dict(self.file_hashes)))

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"Dataset has no table {name!r}")

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v):,}" for k, v in self.tables.items())
        cut = f", as_of={self.as_of.date()}" if self.as_of is not None else ""
        return f"Dataset({self.path}{cut}: {sizes})"

    @property
    def fingerprint(self) -> str:
        """SHA-256 over the table files' own hashes: changes when any input byte changes."""
        h = hashlib.sha256()
        for name in sorted(self.file_hashes):
            h.update(f"{name}:{self.file_hashes[name]}\n".encode())
        return h.hexdigest()

    def __reduce__(self):
        """Pickled as its tables and where they came from (the metric cache stays behind)."""
        return (Dataset, (dict(self.tables), self.path, dict(self.file_hashes), self.as_of,
                          dict(self.after_as_of)))

    def without(self, *names: str) -> Dataset:
        """The same dataset without the tables ``names`` (to hand the rest to another process)."""
        return Dataset(tables={k: v for k, v in self.tables.items() if k not in names}, path=self.path,
                       file_hashes=self.file_hashes, as_of=self.as_of, after_as_of=self.after_as_of)

    def as_known_on(self, date: str | pd.Timestamp) -> Dataset:
        """The dataset as it stood on ``date``: rows registered after that day are left out."""
        cut = pd.Timestamp(date).normalize()
        tables = {
            name: (df.loc[df["registered"] <= cut] if "registered" in df.columns else df)
            for name, df in self.tables.items()
        }
        later = {}
        for name, df in self.tables.items():
            if "registered" in df.columns and len(tables[name]) < len(df):
                dates = df.loc[df["registered"] > cut, "registered"]
                first, last = (d.date().isoformat() if len(dates) else "" for d in (dates.min(), dates.max()))
                later[name] = (len(df) - len(tables[name]), first, last)
        return Dataset(tables=tables, path=self.path, file_hashes=self.file_hashes, as_of=cut,
                       after_as_of=later)


def _frozen(value: Any) -> Any:
    """A hashable stand-in for an argument (lists, ranges and sets become tuples)."""
    if isinstance(value, (list, tuple, range)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(_frozen(v) for v in value))
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    hash(value)  # raises TypeError for anything else unhashable
    return value


def _copied(value: Any) -> Any:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copied(v) for v in value)
    return value


def memoized(fn: F) -> F:
    """Compute a metric once per dataset and arguments, within a run.

    A report asks for the same figures from several places (the year's tables, the year-by-year
    trend, last year's figures recomputed for the corrections); this keeps one computation of
    each. The result is cached on the :class:`Dataset` (a dataset cut with
    :meth:`Dataset.as_known_on` is a new dataset with its own cache), and every caller gets its
    own copy of a cached table, so a caller that changes it changes nothing for the next. The
    tables of a Dataset are never modified (see its docstring), which is what makes this safe.
    Arguments that cannot be hashed, and stand-ins for a Dataset, are not cached.
    """

    @functools.wraps(fn)
    def wrapper(ds: Dataset, *args: Any, **kwargs: Any) -> Any:
        memo = ds.__dict__.get("_memo") if isinstance(ds, Dataset) else None
        try:
            key = (fn.__module__, fn.__qualname__, _frozen(args), _frozen(kwargs))
        except TypeError:
            memo = None
        if memo is None:  # not a Dataset (a stand-in in a test, say) or arguments not hashable
            return fn(ds, *args, **kwargs)
        if key not in memo:
            memo[key] = fn(ds, *args, **kwargs)
        return _copied(memo[key])

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
