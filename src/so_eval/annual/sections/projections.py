"""Each goal's path to its target, projected to the end of the strategy period, recorded as
``{goal}.projection.{year}`` and shown inside each goal's section (a sentence and a figure)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from so_eval import fmt
from so_eval.annual.sections.base import Section
from so_eval.plots.screening import projection_plot
from so_eval.reporting.blocks import Block
from so_eval.reporting.ledger import Ledger
from so_eval.screening import project_to_target


class Projected(NamedTuple):
    """What one goal's projection is made from."""

    goal: str
    data: pd.DataFrame
    value: str
    n: str | None
    target: float
    target_year: int
    shown: list[str]
    """The keys (``{}`` for the year) of the year's figures the projection rests on."""
    table: str | None
    """The year table whose completeness decides whether a year is *foreløbig*."""


def projection_numbers(goal: str, res) -> tuple[str, str]:
    """A projection and its 95 % prediction interval in Danish format (goal 2's in per cent)."""
    show = fmt.percent if goal == "goal2" else fmt.number
    lo, hi = res.intervals.get(0.95, (np.nan, np.nan))
    return show(res.projected), f"95 %-prædiktionsinterval {show(lo)}–{show(hi)}"


def years_text(years) -> str:
    """Years in Danish, runs of three or more as a span: [2018, 2019, 2020, 2022, 2023] ->
    "2018–2020, 2022 og 2023"."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [p for r in runs for p in ([f"{r[0]}–{r[-1]}"] if len(r) > 2 else [str(y) for y in r])]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]


class ProjectionsSection(Section):
    """The goals' projections: counts by a Poisson model, the share with progression by a binomial
    model on its counts (see :func:`so_eval.screening.project_to_target`). A year enters only when
    the figures it rests on are shown (a hidden year's number would follow from the fitted curve
    and the others) and its data are complete (not *foreløbige*)."""

    name = "projections"

    results: dict
    """Goal → its projection (:func:`so_eval.screening.project_to_target`)."""

    def _inputs(self) -> list[Projected]:
        """What each goal is projected from: all years with data (a steadier trend than the
        strategy years alone)."""
        targets, end = self.ctx.targets, self.params.strategy_period[1]
        goal1, goal2, goal3 = (self.ctx.section(name) for name in ("goal1", "goal2", "goal3"))
        inputs = [
            Projected(
                "goal1",
                goal1.per_year,
                "jobs",
                None,
                float(targets["jobs_per_year"]),
                end,
                shown=["goal1.jobs.{}"],
                table="jobs",
            ),
            # enterprises, not persons: nothing is hidden
            Projected(
                "goal3",
                goal3.per_year,
                "three_bottom_lines",
                None,
                float(targets["enterprises"]),
                int(targets["enterprises_year"]),
                shown=[],
                table=None,
            ),
        ]
        if targets["progressed_share"] is not None:
            inputs.append(
                Projected(
                    "goal2",
                    goal2.per_year,
                    "citizens_progressed",
                    "citizens_ended",
                    float(targets["progressed_share"]),
                    end,
                    shown=["goal2.citizens_ended.{}", "goal2.citizens_progressed_share.{}"],
                    table="courses",
                )
            )
        return inputs

    def record(self, ledger: Ledger) -> None:
        self.results = {}
        for p in self._inputs():
            if p.goal == "goal1" and ledger["goal1.jobs"].suppressed:
                continue
            keep = [
                not any(ledger[key.format(yy)].suppressed for key in p.shown)
                and not (p.table and self.ctx.provisional(p.table, int(yy)))
                for yy in p.data["year"]
            ]
            res = project_to_target(
                p.data.loc[keep],
                year="year",
                value=p.value,
                n=p.n,
                target=p.target,
                target_year=p.target_year,
                min_basis=self.params.min_cell if p.shown else 0,
            )
            self.results[p.goal] = res
            if self.year < p.target_year and np.isfinite(res.projected):
                self._record_projection(ledger, p.goal, p.target_year, res)

    @staticmethod
    def _record_projection(ledger: Ledger, goal: str, target_year: int, res) -> None:
        unit = "andel" if goal == "goal2" else "antal"
        key = f"{goal}.projection.{target_year}"
        ledger.value(key, float(res.projected), f"Fremskrivning til {target_year}", unit)
        lo, hi = res.intervals.get(0.95, (np.nan, np.nan))
        if np.isfinite(lo):
            ledger.value(f"{key}.low95", float(lo), "Nedre grænse (95 %)", unit)
            ledger.value(f"{key}.high95", float(hi), "Øvre grænse (95 %)", unit)

    def block_for(self, goal: str, ylabel: str) -> Block:
        """The goal's path with a projection and prediction band inside the figure's range (while
        the period runs), or one sentence saying why there is none."""
        b = Block()
        res = getattr(self, "results", {}).get(goal)
        if res is None or self.year >= res.target_year:
            return b
        if res.no_projection:
            return b.md(f"**Fremskrivning:** {res.no_projection}")
        annual = goal in ("goal1", "goal2")  # an annual target: where the trend points, not "reached"
        b.md(f"**Fremskrivning:** {self._text(goal, res) if annual else res.statement}")
        point, interval = projection_numbers(goal, res)
        ax = projection_plot(
            res,
            ylabel=ylabel,
            title=f"{ylabel}: vejen mod målet i {res.target_year}",
            percent=goal == "goal2",
            info=f"Fremskrivning til {res.target_year}: {point}, {interval}" if annual else None,
        )
        return b.figure(ax.figure, f"Fremskrivning: {ylabel.lower()}")

    def _text(self, goal: str, res) -> str:
        """An annual target's projection in words: where the trend points, the model, the years."""
        share = goal == "goal2"
        point, interval = projection_numbers(goal, res)
        target = fmt.percent(res.target) if share else fmt.number(res.target)
        what, norm = ("med progression", "arbejdsmålet er") if share else ("borgere i job", "normen er mindst")
        model = (
            "en logistisk model for andelen, hvor hvert år vægter med sit antal borgere med et afsluttet forløb, "
            "så andel og interval holder sig mellem 0 og 100 %"
            if share
            else "en Poisson-model for antallet, så hverken tal eller interval kan blive negative"
        )
        left_out = (
            " År, hvor tallet ikke kan vises, fordi det bygger på for få, eller hvor det endnu er foreløbigt, "
            "indgår ikke."
            if len(res.years_used) < len(self.ctx.years)
            else ""
        )
        return (
            f"Fremskrivningen til {res.target_year} giver {point} {what} ({interval}); {norm} {target} om året. "
            f"Trenden er beregnet ud fra årene {years_text(res.years_used)} med {model}.{left_out}"
        )
