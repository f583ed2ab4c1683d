"""The figures ledger: every number a report shows is recorded here once, then written to
``figures.csv`` (key, value, unit, label, suppressed, complete). The report's text and tables read their
numbers from the ledger, so what is published and what is in ``figures.csv`` cannot differ.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from so_eval import disclosure, fmt
from so_eval.files import atomic_write_text

COLUMNS = ["key", "value", "unit", "label", "suppressed", "complete"]
REQUIRED_COLUMNS = COLUMNS[:5]
"""The columns every figures file has; ``complete`` came later (an older file reads without it)."""
SECONDARY_SYMBOL = "×"
"""Shown (and written to figures.csv) instead of a count hidden so that a "<5" cannot be worked
back from the total (secondary suppression, :mod:`so_eval.disclosure.secondary`)."""


@dataclass(frozen=True)
class Figure:
    """One published figure."""

    key: str
    value: object
    unit: str
    label: str
    suppressed: bool = False
    min_cell: int = disclosure.DEFAULT_MIN_CELL
    secondary: bool = False
    why: str = ""
    """Why a suppressed figure is not shown: ``small`` (a count of 1 to min_cell − 1 persons,
    "<5"), ``protects`` (hidden so that another hidden number cannot be worked out, "×" for a
    count), ``basis`` (a statistic on fewer than min_cell persons) or ``reveals`` (a share that,
    with its denominator, would give a small count or complement away); empty when shown."""
    complete: str = ""
    """How complete the data behind the figure are, as written to figures.csv: the share of the
    year's expected rows registered by the report's ``as_of`` date (six decimals), ``<0.9`` or
    ``>=0.9`` where that share is itself hidden (it would give a small count away), empty where
    it does not apply (see :mod:`so_eval.metrics.completeness`)."""

    @property
    def display(self) -> str:
        """The figure as the report shows it, in Danish format."""
        if self.suppressed:
            if self.secondary:
                return SECONDARY_SYMBOL
            if self.why == "withheld":
                return "–"
            return disclosure.masked(self.min_cell) if self.unit in disclosure.PERSON_UNITS else "–"
        v = self.value
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "–"
        if self.unit == "andel":
            return fmt.percent(v)
        if self.unit == "dato":
            return fmt.date(v)
        if self.unit == "status" or isinstance(v, str):
            return str(v)
        if self.unit == "p":
            return fmt.number(v, 3)
        if self.unit in ("smd", "indeks", "forhold", "faktor"):
            return fmt.number(v, 2)
        if self.unit == "rente":
            return fmt.percent(v, 1)
        if self.unit in ("årstal", "år nr.", "antal år"):
            return str(int(v)) if self.unit == "årstal" else fmt.number(v, 0)
        if self.unit in ("procentpoint", "år", "uger"):
            return fmt.number(v, 1)
        if self.unit in ("kr.", "timer", "ændring i timer"):
            decimals = 0 if self.unit == "kr." else 1
            return (fmt.signed if self.unit.startswith("ændring") else fmt.number)(v, decimals)
        return fmt.number(v, 0 if float(v).is_integer() else 1)

    def __str__(self) -> str:
        return self.display

    @property
    def csv_value(self) -> str:
        """The value as written to figures.csv (machine-readable; ``<5`` when suppressed)."""
        if self.suppressed:
            if self.why == "withheld":
                return "–"
            return SECONDARY_SYMBOL if self.secondary else disclosure.masked(self.min_cell)
        v = self.value
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, (pd.Timestamp,)):
            return v.date().isoformat()
        if isinstance(v, (bool, np.bool_)):
            return "true" if v else "false"
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if isinstance(v, (float, np.floating)):
            return repr(round(float(v), 6))
        return str(v)


@dataclass
class Ledger:
    """Records figures once, applying the disclosure rule as they are recorded."""

    min_cell: int = disclosure.DEFAULT_MIN_CELL
    figures: dict[str, Figure] = field(default_factory=dict)

    # -- recording -----------------------------------------------------------------------

    def _add(self, fig: Figure) -> Figure:
        """Record ``fig`` under its key. A key is recorded once: whether a figure is suppressed is
        decided when it is recorded (see the ``secondary`` and ``hide`` arguments), so a
        suppressed form is never recorded beside, or over, the figure it hides."""
        old = self.figures.get(fig.key)
        if old is not None:
            raise ValueError(
                f"figure {fig.key!r} recorded twice ({old.csv_value}, then {fig.csv_value}); a figure is recorded once"
            )
        self.figures[fig.key] = fig
        return fig

    def count(
        self,
        key: str,
        n: int | float,
        label: str,
        unit: str = "borgere",
        *,
        secondary: bool = False,
        withheld: bool = False,
    ) -> Figure:
        """A count. Counts of persons (``borgere``, ``forløb``) below the threshold are suppressed;
        ``secondary=True`` hides a count that would give a suppressed one away (shown as "×");
        ``withheld=True`` hides it without saying anything about its size (shown as "–": a
        column that hiding cells cannot protect against its published total,
        :class:`so_eval.disclosure.secondary.Protection`)."""
        n = None if n is None or (isinstance(n, float) and math.isnan(n)) else int(n)
        primary = unit in disclosure.PERSON_UNITS and disclosure.count_suppressed(n, self.min_cell)
        secondary = secondary and bool(n)  # a zero is shown: it protects nothing and "×" means at least min_cell
        if withheld and (primary or secondary or n):
            return self._add(Figure(key, n, unit, label, True, self.min_cell, False, why="withheld"))
        why = "small" if primary else "protects" if secondary else ""
        return self._add(
            Figure(key, n, unit, label, primary or secondary, self.min_cell, secondary and not primary, why=why)
        )

    def share(self, key: str, numerator: float, denominator: float, label: str, *, hidden: bool = False) -> Figure:
        """A share numerator ÷ denominator of persons. Not published if the denominator is small,
        if the numerator or the complement (denominator − numerator) is a small count
        (:func:`so_eval.disclosure.primary.share_hidden_reason`), or if ``hidden`` (the caller hides it to
        protect another hidden number: secondary suppression). Decided here, before it is recorded."""
        why = disclosure.share_hidden_reason(numerator, denominator, self.min_cell) or ("protects" if hidden else "")
        value = float(numerator) / float(denominator) if denominator else float("nan")
        return self._add(Figure(key, value, "andel", label, bool(why), self.min_cell, why=why))

    def stat(self, key: str, value: float, n: int, label: str, unit: str, *, hidden: bool = False) -> Figure:
        """A mean, median or change computed on ``n`` persons; not published if ``n`` is small or
        if ``hidden`` (secondary suppression by the caller)."""
        why = "basis" if disclosure.basis_too_small(n, self.min_cell) else ("protects" if hidden else "")
        value = float("nan") if value is None else float(value)
        return self._add(Figure(key, value, unit, label, bool(why), self.min_cell, why=why))

    def value(self, key: str, value: object, label: str, unit: str = "antal") -> Figure:
        """A figure that is not about persons (a target, a year, a count of enterprises, a status)."""
        if isinstance(value, (np.integer,)):
            value = int(value)
        return self._add(Figure(key, value, unit, label, False, self.min_cell))

    def mark_complete(self, key: str, complete: str) -> Figure:
        """Note how complete the data behind the recorded figure ``key`` are (its value, and
        whether it is shown, stay as recorded)."""
        fig = dataclasses.replace(self[key], complete=complete)
        self.figures[key] = fig
        return fig

    # -- reading -------------------------------------------------------------------------

    def __getitem__(self, key: str) -> Figure:
        try:
            return self.figures[key]
        except KeyError:
            raise KeyError(f"no figure {key!r} in the ledger") from None

    def __contains__(self, key: str) -> bool:
        return key in self.figures

    def __len__(self) -> int:
        return len(self.figures)

    def suppression_counts(self) -> dict[str, int]:
        """How many figures are hidden, by why (see :attr:`Figure.why`): ``small`` (counts shown
        as "<5"), ``protects`` (hidden to protect another: counts shown as "×", shares and means
        as "–"), ``basis`` and ``reveals`` (shares and means shown as "–")."""
        out = {"small": 0, "protects": 0, "basis": 0, "reveals": 0, "withheld": 0}
        for f in self.figures.values():
            if f.suppressed:
                out[f.why or "basis"] = out.get(f.why or "basis", 0) + 1
        return out

    def frame(self) -> pd.DataFrame:
        """All figures as a DataFrame with the columns of ``figures.csv``."""
        rows = [
            {
                "key": f.key,
                "value": f.csv_value,
                "unit": f.unit,
                "label": f.label,
                "suppressed": f.suppressed,
                "complete": f.complete,
            }
            for f in self.figures.values()
        ]
        return pd.DataFrame(rows, columns=COLUMNS)

    def write_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write ``figures.csv`` atomically."""
        path = Path(path)
        atomic_write_text(path, self.frame().to_csv(index=False, lineterminator="\n"))
        return path


def read_figures(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a published ``figures.csv`` (values kept as the text that was published). A file
    written before the ``complete`` column existed reads with that column empty."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: not a figures file (missing columns {missing})")
    if "complete" not in df.columns:
        df["complete"] = ""
    df["suppressed"] = df["suppressed"].str.lower() == "true"
    return df
