"""The :class:`Dataset`: a frozen collection of validated tables."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import pandas as pd


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

    def as_known_on(self, date: str | pd.Timestamp) -> "Dataset":
        """The dataset as it stood on ``date``: rows registered after that day are left out."""
        cut = pd.Timestamp(date).normalize()
        tables = {
            name: (df.loc[df["registered"] <= cut] if "registered" in df.columns else df)
            for name, df in self.tables.items()
        }
        return Dataset(tables=tables, path=self.path, file_hashes=self.file_hashes, as_of=cut)
