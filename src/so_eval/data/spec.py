"""How a table is described beyond its column schema (shared by :mod:`so_eval.data.model` and
:mod:`so_eval.data.model_value`, so neither imports the other)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandera.pandas as pa


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    target_column: str


@dataclass(frozen=True)
class TableSpec:
    """Everything the loader needs to know about one table beyond its column schema."""

    name: str
    model: type[pa.DataFrameModel]
    key: tuple[str, ...] = ()
    required: bool = True
    fmt: str = "csv"
    foreign_keys: tuple[ForeignKey, ...] = ()
    date_order: tuple[tuple[str, str], ...] = ()
    list_columns: dict[str, tuple] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.fmt}"

    @property
    def columns(self) -> list[str]:
        return list(self.model.to_schema().columns)

    def column_dtype(self, column: str) -> str:
        return str(self.model.to_schema().columns[column].dtype)
