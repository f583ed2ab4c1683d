"""What the value subsections share: the year's context, the :class:`Subsection` base class and
small text helpers.

:class:`ValueContext` holds what every subsection reads (the dataset, the year, the disclosure
threshold, the effect estimate) and the completeness of the year tables, measured once by the
subsection that first reads a table (the mosaic economy measures ``finances``, which the three
bottom lines use too). :class:`Subsection` gives each subsection its ledger-backed tables and the
completeness sentences and notes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from so_eval import fmt
from so_eval.annual.sections import completeness as cr
from so_eval.data.dataset import Dataset
from so_eval.metrics import value as mv
from so_eval.metrics.completeness import completeness
from so_eval.params import ReportParams
from so_eval.reporting import table as tables
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Figure, Ledger
from so_eval.reporting.table import Col

__all__ = ["Subsection", "ValueContext", "has_table", "kr", "mio", "missing_text", "to_float"]


@dataclass
class ValueContext:
    """What the value subsections of one report share (see :meth:`build`)."""

    ds: Dataset
    params: ReportParams
    year: int
    min_cell: int
    threshold: float
    """The share of a year's expected rows below which its figures are *foreløbige*."""
    dependency_share: float
    """Above this share of its revenue from one source an enterprise depends on that source."""
    sroi_params: dict
    """The parameters' ``value.sroi`` block: the assumptions and the unit prices."""
    effect: Any = None
    """The headline effect estimate (``att``, ``ci_low``, ``ci_high``, ``n_treated``), or None."""
    effect_spec: Any = None
    """Its specification (``horizon`` like ``"1-26"``), or None."""
    completeness: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Year table → its completeness year by year (filled as the subsections record)."""

    @classmethod
    def build(cls, ds: Dataset, params: ReportParams, *, effect: Any = None, effect_spec: Any = None) -> ValueContext:
        """The context of the report ``params`` describes."""
        value_params = dict(params.value or {})
        return cls(
            ds=ds,
            params=params,
            year=int(params.year),
            min_cell=int(params.min_cell),
            threshold=float(params.counting["completeness_threshold"]),
            dependency_share=float(value_params.get("dependency_share", mv.DEPENDENCY_SHARE)),
            sroi_params=dict(value_params.get("sroi") or {}),
            effect=effect,
            effect_spec=effect_spec,
        )

    def years_from(self, first: float | None) -> list[int]:
        """The years from ``first`` to the report year (only the report year if ``first`` is missing)."""
        if first is None or (isinstance(first, float) and math.isnan(first)):
            return [self.year]
        return list(range(min(int(first), self.year), self.year + 1))


class Subsection:
    """One ``###`` part of Værdiskabelse: :meth:`record` its figures, then :meth:`block` its content.

    A subclass records every figure it shows in :meth:`record` and reads them back from the
    ledger in :meth:`block`.
    """

    def __init__(self, context: ValueContext) -> None:
        self.context = context
        self.ledger: Ledger | None = None
        """The ledger the figures are recorded in (given to :meth:`record`)."""

    @property
    def ds(self) -> Dataset:
        return self.context.ds

    @property
    def year(self) -> int:
        return self.context.year

    @property
    def min_cell(self) -> int:
        return self.context.min_cell

    def record(self, ledger: Ledger) -> None:
        """Compute the subsection for the year and record its figures in ``ledger``."""
        raise NotImplementedError

    def block(self) -> Block:
        """The subsection's Danish text, tables and plots, read back from the ledger."""
        raise NotImplementedError

    # -- reading figures back ---------------------------------------------------------------

    def f(self, key: str) -> str:
        """A figure's display text."""
        return self.ledger[key].display

    def v(self, key: str) -> Any:
        """A figure's value (None when suppressed)."""
        fig = self.ledger[key]
        return None if fig.suppressed else fig.value

    # -- recording ------------------------------------------------------------------------------

    def ledger_table(
        self,
        data: pd.DataFrame,
        *,
        key: str,
        id_col: str,
        id_label: str,
        cols: list[Col],
        id_text: Callable[[dict], str],
        caption: str = "",
        note: str = "",
        what: str | None = None,
        protect_totals: bool = True,
    ) -> Table:
        """Record every cell (key ``{key}.{id}.{col}``) and return the table of display values
        (:func:`so_eval.reporting.table.ledger_table`); a missing value (NaN) in a value column is
        recorded as no value (None). ``protect_totals=False`` for a table whose column totals are
        not published (years side by side: givers are not added up over the years)."""
        return tables.ledger_table(
            self.ledger,
            _missing_as_none(data, cols),
            key=key,
            id_col=id_col,
            id_label=id_label,
            cols=cols,
            id_text=id_text,
            caption=caption,
            note=note,
            what=what,
            protect_totals=protect_totals,
        )

    # -- completeness of the year tables --------------------------------------------------------

    def record_completeness(self, table: str, years: list[int]) -> None:
        """How complete ``table`` is, year by year; the report year's figures recorded
        (``completeness.{table}.{year}.*``, :mod:`so_eval.annual.sections.completeness`)."""
        self.context.completeness[table] = completeness(self.ds, years, (table,))
        cr.record(self.ledger, self.context.completeness[table], table, self.year)

    def provisional(self, table: str, year: int) -> bool:
        """Whether ``table``'s figures for ``year`` are *foreløbige* (too few rows registered)."""
        return cr.provisional(self.context.completeness.get(table), table, year, self.context.threshold)

    def year_text(self, table: str) -> Callable[[dict], str]:
        """A year table's row label: the year, marked *foreløbig* where its data are."""
        return lambda r: cr.year_label(int(r["year"]), self.provisional(table, int(r["year"])))

    def sentence(self, table: str) -> str:
        """How complete the year's ``table`` is, in Danish (empty if not measured)."""
        frame = self.context.completeness.get(table)
        return "" if frame is None else cr.sentence(self.ledger, frame, table, self.year, self.context.threshold)

    def provisional_note(self, table: str, years: list[int]) -> str:
        """A year table's note on its *foreløbige* years (empty if none is)."""
        if not any(self.provisional(table, yy) for yy in years):
            return ""
        noun, verb = cr.WORDS[table]
        return (
            f" *Foreløbig*: på opgørelsesdagen var under {fmt.percent(self.context.threshold)} af årets "
            f"forventede {noun} {verb}, så året sammenlignes ikke med tidligere år."
        )

    def mark_complete(self, table: str, keys: Iterable[str]) -> None:
        """Note on the figures ``keys`` how complete their year's ``table`` data are (figures.csv)."""
        cr.mark(self.ledger, keys, table, self.year, self.context.completeness[table], self.context.threshold)


def _missing_as_none(data: pd.DataFrame, cols: list[Col]) -> pd.DataFrame:
    """``data`` with the missing values (NaN) of its value columns as None."""
    names = [c.name for c in cols if c.kind == "value" and c.name in data and data[c.name].isna().any()]
    if not names:
        return data
    out = data.copy()
    for name in names:
        out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out


def has_table(ds: Dataset, name: str) -> bool:
    """Whether the dataset has the table ``name`` with at least one row."""
    t = ds.tables.get(name)
    return t is not None and len(t) > 0


def missing_text(name: str, what: str) -> str:
    """Why a subsection is empty: the dataset has no table ``name``."""
    return (
        f"Datasættet har ingen tabel `{name}` (eller den er tom), så {what} kan ikke opgøres. "
        f"Tilføj `{name}.csv` til datamappen for at få afsnittet med."
    )


def to_float(v: object) -> float:
    """``v`` as a float (NaN if it is not a number)."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def kr(fig: Figure) -> str:
    """An amount in running text: ``1.234 kr.``."""
    return f"{fig.display} kr." if not fig.suppressed and fig.value is not None else fig.display


def mio(fig: Figure) -> str:
    """An amount in running text, rounded to 0,1 mio. kr."""
    return fmt.mio_kr(fig.value) if not fig.suppressed and fig.value is not None else fig.display
