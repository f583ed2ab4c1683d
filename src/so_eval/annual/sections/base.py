"""What the annual report's sections share: the :class:`ReportContext` and the :class:`Section`
base class, and a few helpers for their tables and text.

A section is a small class. :meth:`Section.record` computes and records every figure the
section shows in the report's ledger, once, when the report is made; :meth:`Section.block`
returns its Danish text, tables and figures, every number read back from the ledger. The
sections reach the data, the parameters, the ledger and each other's results through one
:class:`ReportContext` (``self.ctx.section("goal1").per_year``); while recording, a section may
use only the sections recorded before it (the order of
:data:`so_eval.annual.report.SECTION_CLASSES`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from so_eval import glossary as g
from so_eval.annual.sections import completeness as cr
from so_eval.data.dataset import Dataset
from so_eval.metrics.goals import Goal
from so_eval.params import ReportParams
from so_eval.reporting.blocks import Block
from so_eval.reporting.ledger import Figure, Ledger

OTHER = "øvrige"
"""Row id of a table's pooled row (:func:`so_eval.disclosure.secondary.pool_unsafe`)."""

GOAL_TABLES = {"goal1": "jobs", "goal2": "courses"}
"""Goal → the year table its figures are counted from (their completeness: figures.csv's ``complete``)."""


@dataclass
class ReportContext:
    """What every section of one annual report works from.

    Parameters
    ----------
    ds
        The dataset (already cut to ``params.as_of`` if one is given).
    params
        The report's parameters.
    ledger
        The report's ledger: every figure shown is recorded in it once.
    light
        A light build: the goals' figures only (an earlier year's report, recomputed for the
        corrections).
    light_build
        ``light_build(params, ds) -> Ledger``: the light build of a report with other parameters
        on other data (the report hands it to its sections, which cannot import the report).
    """

    ds: Dataset
    params: ReportParams
    ledger: Ledger
    light: bool = False
    light_build: Callable[[ReportParams, Dataset], Ledger] | None = None
    sections: dict[str, Section] = field(default_factory=dict)
    """The report's sections by name (:attr:`Section.name`)."""
    completeness: pd.DataFrame | None = None
    """How complete the goals' year tables are (set by the completeness section)."""
    provisional_tables: frozenset[str] = frozenset()
    """The goals' year tables whose figures for the report's year are *foreløbige*."""
    years: list[int] = field(init=False)
    """Every year with data, from the first course (or the strategy period's start) to the report's year."""
    period_years: list[int] = field(init=False)
    """The strategy period's years up to the report's year."""

    def __post_init__(self) -> None:
        start = self.params.strategy_period[0]
        first = int(self.ds.courses["start"].dt.year.min()) if len(self.ds.courses) else self.year
        self.years = list(range(min(first, start), self.year + 1))
        self.period_years = list(range(start, self.year + 1)) or [self.year]

    @property
    def year(self) -> int:
        return self.params.year

    @property
    def targets(self) -> dict:
        return self.params.targets

    @property
    def job_types(self) -> tuple[str, ...]:
        """The job types that count as employment (goal 1)."""
        return tuple(self.params.counting["employment_job_types"])

    @property
    def threshold(self) -> float:
        """The registered share below which a year's figures are *foreløbige*."""
        return self.params.counting["completeness_threshold"]

    def section(self, name: str) -> Section:
        """The report's section called ``name``."""
        return self.sections[name]

    def provisional(self, table: str, year: int | None = None) -> bool:
        """Whether ``table``'s figures for ``year`` (the report's year) are *foreløbige*."""
        return cr.provisional(self.completeness, table, year or self.year, self.threshold)


class Section:
    """One section of the annual report: :meth:`record` its figures, then show its :meth:`block`.

    A subclass sets :attr:`name` and overrides :meth:`record` (if it records figures) and
    :meth:`block` (if it shows anything).
    """

    name: str = ""
    """The section's name: the report's method that shows it (``report.goal1()``), if one does."""
    light: bool = False
    """Recorded in a light build too (the goals' figures, recomputed for the corrections)."""

    def __init__(self, ctx: ReportContext):
        self.ctx = ctx

    def record(self, ledger: Ledger) -> None:
        """Compute and record every figure the section shows (nothing, unless overridden)."""

    def block(self) -> Block:
        """The section's Danish text, tables and figures (nothing, unless overridden)."""
        return Block()

    # -- shortcuts ------------------------------------------------------------------------------

    @property
    def ds(self) -> Dataset:
        return self.ctx.ds

    @property
    def params(self) -> ReportParams:
        return self.ctx.params

    @property
    def ledger(self) -> Ledger:
        return self.ctx.ledger

    @property
    def year(self) -> int:
        return self.ctx.year

    def f(self, key: str) -> str:
        """A figure's display text."""
        return self.ledger[key].display

    def shows_nothing(self, key: str) -> bool:
        """Whether the figure ``key`` is a published zero or has no value (nothing to show)."""
        fig = self.ledger[key]
        return not fig.suppressed and (fig.value is None or pd.isna(fig.value) or fig.value == 0)

    def trend_text(self, key: str, years: list[int]) -> str:
        """A figure year for year (``2024: 38; 2025 (foreløbig): 12``), each year that has one."""
        table = GOAL_TABLES.get(key.split(".")[0], "")
        parts = [
            f"{cr.year_label(yy, self.ctx.provisional(table, yy))}: {self.f(f'{key}.{yy}')}"
            for yy in years
            if f"{key}.{yy}" in self.ledger
        ]
        return "; ".join(parts)


def status_sentence(goal: Goal) -> str:
    """A goal's status in bold: ``**Status: nået.**``."""
    return f"**Status: {goal.label}.**"


def other_text(id_col: str, n_pooled: int, what: str):
    """Row labels for a table that may have a pooled row: "Øvrige (3 jobtype(r) lagt sammen)"."""

    def text(rec) -> str:
        if rec[id_col] == OTHER and n_pooled:
            return f"Øvrige ({n_pooled} {what} lagt sammen, så de små tal ikke kan regnes ud)"
        return g.category_label(rec[id_col])

    return text


def masked_values(figures: list[Figure]) -> list[float]:
    """Values for plotting: suppressed or missing figures become NaN."""
    return [np.nan if fig.suppressed or fig.value is None else float(fig.value) for fig in figures]
