"""The :class:`Dataset`: a frozen collection of validated tables."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np
import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])

WITHDRAWN = "withdrawn"  # the same as so_eval.data.model.WITHDRAWN (not imported: keeps this module light)


def latest_versions(
    history: pd.DataFrame,
    key: tuple[str, ...] | list[str],
    cut: pd.Timestamp | None = None,
    *,
    repeated: np.ndarray | None = None,
) -> pd.DataFrame:
    """Each key's latest version (registered on or before ``cut``, if given), without the keys
    whose latest version is a withdrawal and without the ``withdrawn`` column.

    Of two versions of a key registered the same day (which validation refuses) the later row
    wins. Rows keep their index labels (the row's position in its file) and come in the order
    in which each key first appears, so that a corrected row stays where the row was.
    ``repeated`` (without ``cut``): which rows share their key with another row, if known.
    Only those rows are grouped (a large panel with a few versions stays fast).
    """
    if cut is not None:
        keep = (history["registered"] <= cut).to_numpy()
        history = history.loc[keep]
        repeated = None
    h = history.drop(columns=[WITHDRAWN], errors="ignore")
    withdrawn = (
        history[WITHDRAWN].fillna(False).astype(bool).to_numpy()
        if WITHDRAWN in history.columns
        else np.zeros(len(h), dtype=bool)
    )
    n = len(h)
    if not n:
        return h
    key = list(key)
    pos = np.arange(n)
    if repeated is None:
        repeated = h.duplicated(key, keep=False).to_numpy()
    single = pos[~repeated]
    chosen = first = np.zeros(0, dtype=int)
    if repeated.any():
        rows = pos[repeated]
        sub = h.iloc[rows]
        group = sub.groupby(key, sort=False, dropna=False, observed=True).ngroup().to_numpy()
        order = np.lexsort((rows, sub["registered"].to_numpy(), group))  # by key, date, row
        g = group[order]
        last = np.r_[g[1:] != g[:-1], True]  # each key's last version
        chosen = rows[order[last]]
        starts = np.full(group.max() + 1, n)
        np.minimum.at(starts, group, rows)  # where each key first appears
        first = starts[g[last]]
    pick = np.concatenate([single, chosen])
    pick = pick[np.argsort(np.concatenate([single, first]), kind="stable")]
    return h.iloc[pick[~withdrawn[pick]]]


@dataclass(frozen=True, eq=False)
class Dataset:
    """Validated tables of one dataset, read-only by convention (metrics never modify them).

    Access a table as an attribute (``ds.courses``) or by name (``ds["courses"]``): each key's
    latest version (see :mod:`so_eval.data.model`). ``as_of`` is set when the dataset was cut to what
    was known on a date. ``history`` holds every version of the tables that have more than one
    version of a row or a withdrawal (with the ``withdrawn`` column; a table with one version
    of each row is its own history and is not repeated there), and ``version_keys`` their keys.
    """

    tables: Mapping[str, pd.DataFrame]
    path: Path | None = None
    file_hashes: Mapping[str, str] = field(default_factory=dict)
    as_of: pd.Timestamp | None = None
    after_as_of: Mapping[str, tuple[int, str, str]] = field(default_factory=dict)
    """Rows left out by the cut to ``as_of``, per table that lost any: (rows, first and last of
    their registration dates, ISO)."""
    history: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    version_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    """Results of :func:`memoized` metrics on this dataset (lives as long as the dataset)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", MappingProxyType(dict(self.tables)))
        object.__setattr__(self, "file_hashes", MappingProxyType(dict(self.file_hashes)))
        object.__setattr__(self, "history", MappingProxyType(dict(self.history)))
        object.__setattr__(self, "version_keys", MappingProxyType(dict(self.version_keys)))
        missing = set(self.history) - set(self.version_keys)
        if missing:
            raise ValueError(f"no key given for the versioned table(s) {sorted(missing)}")

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
        return (
            Dataset,
            (
                dict(self.tables),
                self.path,
                dict(self.file_hashes),
                self.as_of,
                dict(self.after_as_of),
                dict(self.history),
                dict(self.version_keys),
            ),
        )

    def without(self, *names: str) -> Dataset:
        """The same dataset without the tables ``names`` (last year's figures are recomputed without the
        weekly panel, which only the effect measurement needs)."""
        return Dataset(
            tables={k: v for k, v in self.tables.items() if k not in names},
            path=self.path,
            file_hashes=self.file_hashes,
            as_of=self.as_of,
            after_as_of=self.after_as_of,
            history={k: v for k, v in self.history.items() if k not in names},
            version_keys=self.version_keys,
        )

    def versions(self, name: str) -> pd.DataFrame:
        """Every version of table ``name``'s rows, with the column ``withdrawn``."""
        if name in self.history:
            return self.history[name]
        return self.tables[name].assign(**{WITHDRAWN: False})

    def as_known_on(self, date: str | pd.Timestamp) -> Dataset:
        """The dataset as it stood on ``date``: each row as it was known that day (its latest
        version registered on or before it); rows first registered later are left out, and so
        are rows withdrawn by then."""
        cut = pd.Timestamp(date).normalize()
        tables, history, later = {}, {}, {}
        for name, df in self.tables.items():
            if name in self.history:
                h = self.history[name]
                history[name] = h.loc[h["registered"] <= cut]
                tables[name] = latest_versions(history[name], self.version_keys[name])
                every = h
            else:
                tables[name] = df.loc[df["registered"] <= cut] if "registered" in df.columns else df
                every = df
            if "registered" in every.columns:
                dates = every.loc[every["registered"] > cut, "registered"]
                if len(dates):
                    later[name] = (len(dates), dates.min().date().isoformat(), dates.max().date().isoformat())
        return Dataset(
            tables=tables,
            path=self.path,
            file_hashes=self.file_hashes,
            as_of=cut,
            after_as_of=later,
            history=history,
            version_keys=self.version_keys,
        )


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
