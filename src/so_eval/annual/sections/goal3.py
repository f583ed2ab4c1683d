"""Mål 3: Antal socialøkonomiske virksomheder og initiativer — the active enterprises and those
with three bottom lines at the year's end, against the target, year by year and by kind."""

from __future__ import annotations

import pandas as pd

from so_eval import fmt, metrics
from so_eval import glossary as g
from so_eval.annual.sections.base import Section, status_sentence
from so_eval.metrics.goals import Goal, goal_status
from so_eval.plots import goals as plots
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.table import Col, ledger_table

UNIT = "virksomheder"
"""The ledger unit of the goal's figures (enterprises, not persons: nothing is hidden)."""

YEAR_FIGURES = (
    ("rsv", "Heraf RSV-registrerede"),
    ("first_generation", "Heraf 1. generation (før 2022)"),
    ("second_generation", "Heraf 2. generation (fra 2022)"),
    ("founded", "Startet i {y}"),
    ("closed", "Lukket i {y}"),
)
"""The year's further counts (column of :func:`so_eval.metrics.enterprises_per_year`, label)."""


class Goal3Section(Section):
    """Mål 3: enterprises and initiatives with three bottom lines, and the target."""

    name = "goal3"
    light = True

    per_year: pd.DataFrame
    """Enterprises year by year (:func:`so_eval.metrics.enterprises_per_year`)."""
    status: Goal
    first_reached: int | None = None
    """The first year the target was reached, or None."""
    years_table: Table
    kinds_table: Table
    founded: pd.DataFrame
    """The enterprises founded in the year (rows of the enterprises table)."""
    closed: pd.DataFrame
    """The enterprises closed in the year."""

    def record(self, ledger: Ledger) -> None:
        y, u = self.year, UNIT
        target, target_year = int(self.ctx.targets["enterprises"]), int(self.ctx.targets["enterprises_year"])
        self.per_year = per_year = metrics.enterprises_per_year(self.ds, self.ctx.years)
        cur = per_year.loc[per_year["year"] == y].iloc[0]
        ledger.value(
            "goal3.enterprises_active", int(cur["active"]), f"Aktive virksomheder og initiativer ved udgangen af {y}", u
        )
        ledger.value(
            "goal3.enterprises_three_bottom_lines",
            int(cur["three_bottom_lines"]),
            f"Heraf med tre bundlinjer ved udgangen af {y}",
            u,
        )
        for col, label in YEAR_FIGURES:
            ledger.value(f"goal3.{col}", int(cur[col]), label.format(y=y), u)
        ledger.value("goal3.target", target, f"Mål: virksomheder og initiativer med tre bundlinjer i {target_year}", u)
        ledger.value("goal3.target_year", target_year, "Målår", "år")
        self.status = goal_status(int(cur["three_bottom_lines"]), target, y, target_year)
        ledger.value("goal3.status", self.status.status.value, "Mål 3: status", unit="status")
        reached = per_year.loc[per_year["three_bottom_lines"] >= target, "year"]
        self.first_reached = int(reached.min()) if len(reached) else None
        if self.first_reached is not None:
            ledger.value("goal3.target_first_reached", self.first_reached, "År hvor målet første gang blev nået", "år")
        self._record_tables(ledger)
        e = self.ds.enterprises
        self.founded = e.loc[e["founded"].dt.year == y].sort_values("founded")
        self.closed = e.loc[e["closed"].dt.year == y].sort_values("closed")

    def _record_tables(self, ledger: Ledger) -> None:
        """The enterprises year by year, and the year's by kind."""
        u = UNIT
        columns = ("active", "three_bottom_lines", "rsv", "first_generation", "second_generation", "founded", "closed")
        self.years_table = ledger_table(
            ledger,
            self.per_year,
            key="goal3.year",
            id_col="year",
            id_label="År",
            id_text=lambda r: str(r["year"]),
            cols=[Col(c, g.label(c) if c != "rsv" else "RSV", "value", unit=u) for c in columns]
            + [
                Col("three_bottom_lines_first", "Tre bundlinjer, 1. gen.", "value", unit=u),
                Col("three_bottom_lines_second", "Tre bundlinjer, 2. gen.", "value", unit=u),
            ],
            caption="Socialøkonomiske virksomheder og initiativer år for år (aktive ved årets udgang)",
        )
        by_kind = (
            metrics.enterprises_by_kind(self.ds, self.year)
            .set_index("kind")
            .reindex(g.ENTERPRISE_KINDS, fill_value=0)
            .reset_index()
        )
        self.kinds_table = ledger_table(
            ledger,
            by_kind,
            key="goal3.kind",
            id_col="kind",
            id_label="Type",
            cols=[
                Col("active", "Aktive", "value", unit=u),
                Col("three_bottom_lines", "Tre bundlinjer", "value", unit=u),
                Col("rsv", "RSV", "value", unit=u),
            ],
            caption=f"Aktive ved udgangen af {self.year} efter type",
        )

    def block(self) -> Block:
        y, b, targets = self.year, Block(), self.ctx.targets
        ty = targets["enterprises_year"]
        early = ""
        if self.first_reached is not None and self.first_reached < ty:
            early = (
                f" Målet blev nået første gang ved udgangen af {self.first_reached} — **før tid** (målåret er {ty})."
            )
        b.md(
            f"Ved udgangen af {y} var der **{self.f('goal3.enterprises_active')} aktive socialøkonomiske "
            f"virksomheder og initiativer**, heraf **{self.f('goal3.enterprises_three_bottom_lines')} med tre "
            f"bundlinjer**. Målet er {self.f('goal3.target')} med tre bundlinjer i {ty}. "
            f"{status_sentence(self.status)}{early}\n\n"
            f"I {y} startede {self.f('goal3.founded')} og lukkede {self.f('goal3.closed')}. "
            f"{self.f('goal3.rsv')} er registrerede socialøkonomiske virksomheder (RSV). "
            f"{self.f('goal3.first_generation')} hører til 1. generation (startet før 2022) og "
            f"{self.f('goal3.second_generation')} til 2. generation (startet fra 2022)."
        )
        d = self.per_year.copy()
        d["other"] = d["active"] - d["three_bottom_lines"]
        ax = plots.stacked_bars(
            d,
            parts={
                "three_bottom_lines_first": "Tre bundlinjer, 1. generation",
                "three_bottom_lines_second": "Tre bundlinjer, 2. generation",
                "other": "Øvrige aktive",
            },
            total="active",
            target=float(targets["enterprises"]),
            target_x=ty,
            target_label="Mål",
            ylabel="Antal ved årets udgang",
            title="Socialøkonomiske virksomheder og initiativer",
        )
        b.figure(ax.figure, "Virksomheder og initiativer pr. år med målet")
        b.extend(self.ctx.section("projections").block_for("goal3", "Virksomheder og initiativer med tre bundlinjer"))
        b.table(self.years_table)
        b.table(self.kinds_table)
        if len(self.founded):
            names = (
                f"{fmt.text(r.name)} ({fmt.text(g.category_label(r.kind).lower())})" for r in self.founded.itertuples()
            )
            b.md("**Startet i året:** " + ", ".join(names) + ".")
        if len(self.closed):
            names = (f"{fmt.text(r.name)} ({fmt.date(r.closed)})" for r in self.closed.itertuples())
            b.md("**Lukket i året:** " + ", ".join(names) + ".")
        return b
