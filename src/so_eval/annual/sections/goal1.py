"""Mål 1: Beskæftigelse — the citizens who came into employment in the year, against the norm:
year by year, by job type, target group and enterprise, and by where their course stood."""

from __future__ import annotations

import pandas as pd

from so_eval import disclosure, metrics
from so_eval import glossary as g
from so_eval.annual.sections.base import OTHER, Section, masked_values, other_text, status_sentence
from so_eval.disclosure import secondary as sdc
from so_eval.metrics.goals import Goal, goal_status
from so_eval.plots import goals as plots
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.table import Col, ledger_table

SOURCE_LABELS = {
    "ended_this_year": "Efter et forløb, der sluttede i {y}",
    "ended_earlier": "Efter et forløb, der sluttede før {y}",
    "during_course": "Under et forløb, der ikke var slut i året",
    "no_course": "Uden registreret forløb",
}
"""Where a citizen's course stood when they came into employment (the reconciliation table)."""


class Goal1Section(Section):
    """Mål 1: the year's citizens in employment, the norm, and the tables behind them."""

    name = "goal1"
    light = True

    per_year: pd.DataFrame
    """Citizens in employment year by year (:func:`so_eval.metrics.jobs_per_year`)."""
    status: Goal
    norm_reached: object = None
    """The day the norm was reached in the year, or None."""
    tables: dict[str, Table]
    """The tables by ``job_type``, ``target_group`` and ``enterprise_id``."""
    sources: Table
    """The year's citizens by where their course stood (the reconciliation with goal 2's table)."""

    def record(self, ledger: Ledger) -> None:
        self._record_years(ledger)
        self.tables = {}
        for by, label in (("job_type", "Jobtype"), ("target_group", "Målgruppe")):
            self.tables[by] = self._by_table(ledger, by, label)
        self.tables["enterprise_id"] = self._by_enterprise(ledger)
        self.sources = self._by_source(ledger)

    def _record_years(self, ledger: Ledger) -> None:
        y, types = self.year, self.ctx.job_types
        norm = int(self.ctx.targets["jobs_per_year"])
        self.per_year = metrics.jobs_per_year(self.ds, self.ctx.years, norm, types)
        cur = self.per_year.loc[self.per_year["year"] == y].iloc[0]
        jobs = int(cur["jobs"])
        ledger.count("goal1.jobs", jobs, f"Borgere, der kom i beskæftigelse i {y}")
        ledger.count("goal1.job_changes", int(cur["job_changes"]), f"Borgere, der skiftede job i {y} (allerede i job)")
        ledger.value("goal1.norm", norm, "Norm: mindst antal borgere i job om året")
        self.status = goal_status(jobs, norm, y)
        ledger.value("goal1.status", self.status.status.value, "Mål 1: status", unit="status")
        self.norm_reached = metrics.norm_reached_on(self.ds, y, norm, types)
        if self.norm_reached is not None:
            ledger.value("goal1.norm_reached_on", self.norm_reached, "Dato hvor normen blev nået", unit="dato")
        for rec in self.per_year.itertuples():
            ledger.count(f"goal1.jobs.{rec.year}", rec.jobs, f"Borgere, der kom i beskæftigelse i {rec.year}")

    def _by_table(self, ledger: Ledger, by: str, label: str) -> Table:
        """The year's citizens in employment by job type or target group (small rows pooled)."""
        y, types = self.year, self.ctx.job_types
        order = [t for t in g.JOB_TYPES if t in types] if by == "job_type" else g.TARGET_GROUPS
        d = metrics.jobs_by(self.ds, y, by, types).set_index(by).reindex(order, fill_value=0).reset_index()
        cols = [Col("jobs", "Borgere i job")]
        d, n_pooled = sdc.pool_unsafe(
            d, id_col=by, cols=cols, sum_cols=["jobs"], other_id=OTHER, min_cell=self.params.min_cell
        )
        return ledger_table(
            ledger,
            d,
            key=f"goal1.by_{by}",
            id_col=by,
            id_label=label,
            cols=cols,
            what=f"Borgere i job efter {label.lower()}",
            caption=f"Borgere, der kom i beskæftigelse i {y}, efter {label.lower()}",
            id_text=other_text(by, n_pooled, {"job_type": "jobtyper", "target_group": "målgrupper"}[by]),
        )

    def _by_enterprise(self, ledger: Ledger) -> Table:
        """Citizens in employment by enterprise over the strategy period so far (one year alone is
        mostly below the threshold); each citizen once over the period, credited to their first
        entry in it."""
        y, m, period = self.year, self.params.min_cell, self.ctx.period_years
        d = metrics.jobs_by(self.ds, period, "enterprise_id", self.ctx.job_types)
        # the period's citizens are at most the years' added up (equal when no one came in twice):
        # where a year's count is hidden, the period's must not narrow it down
        hidden_year = any(ledger[f"goal1.jobs.{yy}"].suppressed for yy in period)
        ledger.count(
            "goal1.jobs.period",
            int(d["jobs"].sum()),
            f"Borgere, der kom i beskæftigelse {period[0]}–{y} (hver borger én gang)",
            secondary=hidden_year,
        )
        d = d.merge(self.ds.enterprises[["enterprise_id", "name"]], on="enterprise_id", how="left").sort_values(
            ["jobs", "name"], ascending=[False, True]
        )
        d, n_small = disclosure.pool_small(
            d, id_col="enterprise_id", basis="jobs", min_cell=m, other_id="other", sum_cols=["jobs"]
        )
        return ledger_table(
            ledger,
            d,
            key="goal1.by_enterprise",
            id_col="enterprise_id",
            id_label="Virksomhed/initiativ",
            cols=[Col("jobs", "Borgere i job")],
            id_text=lambda r: (
                f"Øvrige ({n_small} med færre end {m} hver)"
                if r["enterprise_id"] == "other"
                else f"{r['name']} ({r['enterprise_id']})"
            ),
            caption=(
                f"Borgere, der kom i beskæftigelse, efter virksomhed/initiativ, {period[0]}–{y} "
                "(hver borger tælles én gang i perioden, ved sit første job)"
            ),
            secret=["jobs"] if hidden_year else None,
        )

    def _by_source(self, ledger: Ledger) -> Table:
        """Goal 1's citizens by where their course stood: the reconciliation with the
        status-after-course table (which counts courses ended in the year)."""
        y, m = self.year, self.params.min_cell
        src = metrics.employment_sources(self.ds, y, self.ctx.job_types)
        src["total"] = int(ledger["goal1.jobs"].value)
        cols = [
            Col("citizens", "Borgere", unit="borgere"),
            Col("share", "Andel", "share", num="citizens", den="total"),
        ]
        src, n_pooled = sdc.pool_unsafe(
            src, id_col="source", cols=cols, sum_cols=["citizens"], other_id=OTHER, min_cell=m
        )
        labels = {k: v.format(y=y) for k, v in SOURCE_LABELS.items()}
        return ledger_table(
            ledger,
            src,
            key="goal1.by_source",
            id_col="source",
            id_label="Borgeren kom i job",
            cols=cols,
            caption=f"Borgere, der kom i beskæftigelse i {y}, efter hvor de var i forløbet",
            id_text=lambda r: labels.get(r["source"], f"Øvrige ({n_pooled} lagt sammen)"),
        )

    def block(self) -> Block:
        y, b = self.year, Block()
        reached = ""
        if self.norm_reached is not None:
            reached = f" Normen blev nået den {self.f('goal1.norm_reached_on')}."
        changes = (
            ""
            if self.shows_nothing("goal1.job_changes")
            else f" Desuden skiftede {self.f('goal1.job_changes')} borgere, som allerede var i job, til et nyt "
            "job; de tælles ikke med i målet."
        )
        b.md(
            f"I {y} kom **{self.f('goal1.jobs')} borgere** i beskæftigelse efter et forløb i en socialøkonomisk "
            f"virksomhed eller et initiativ (hver borger talt én gang, og kun hvis borgeren ikke allerede var i "
            f"job). Normen er mindst {self.f('goal1.norm')} om året. "
            f"{status_sentence(self.status)}{reached}{changes}\n\n"
            f"Udviklingen år for år: {self.trend_text('goal1.jobs', self.ctx.years)}."
        )
        years = self.ctx.years
        d = pd.DataFrame({"year": years, "jobs": masked_values([self.ledger[f"goal1.jobs.{yy}"] for yy in years])})
        ax = plots.trend_bars(
            d,
            y="jobs",
            target=int(self.ctx.targets["jobs_per_year"]),
            target_label="Norm",
            highlight=y,
            period=self.params.strategy_period,
            ylabel="Borgere i job",
            title="Borgere, der er kommet i job, pr. år",
            masked=disclosure.masked(self.params.min_cell),
        )
        b.figure(ax.figure, "Borgere i job pr. år med normen")
        b.extend(self.ctx.section("projections").block_for("goal1", "Borgere i job pr. år"))
        b.table(self.tables["job_type"])
        b.table(self.tables["target_group"])
        b.table(self.tables["enterprise_id"])
        b.extend(self.ctx.section("completeness").block_for("jobs"))
        return b
