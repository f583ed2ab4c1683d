"""How complete the goals' year tables are (jobs for goal 1, courses for goal 2): a
registration-delay estimate, recorded and noted on the goals' figures, and said in one sentence
after each goal's figures (see :mod:`so_eval.annual.sections.completeness`)."""

from __future__ import annotations

from so_eval.annual.sections import completeness as cr
from so_eval.annual.sections.base import GOAL_TABLES, Section
from so_eval.metrics.completeness import completeness
from so_eval.reporting.blocks import Block
from so_eval.reporting.ledger import Ledger

PARAMETER_FIGURES = frozenset({"goal1.norm", "goal2.target"})
"""Goal figures that are parameters, not data (no completeness)."""


class GoalCompletenessSection(Section):
    """The completeness of the goals' tables, recorded as ``completeness.jobs.{year}.*`` and
    ``completeness.courses.{year}.*`` and noted on the goal figures of each year (figures.csv's
    ``complete``). It sets the report's :attr:`ReportContext.completeness` and
    :attr:`ReportContext.provisional_tables` (the tables whose year is *foreløbig*)."""

    name = "completeness"

    def record(self, ledger: Ledger) -> None:
        ctx, y = self.ctx, self.year
        ctx.completeness = completeness(self.ds, ctx.years, tuple(GOAL_TABLES.values()))
        for goal, table in GOAL_TABLES.items():
            cr.record(ledger, ctx.completeness, table, y)
            keys = [k for k in ledger.figures if k.startswith(f"{goal}.") and k not in PARAMETER_FIGURES]
            cr.mark(ledger, keys, table, y, ctx.completeness, ctx.threshold)
        ctx.provisional_tables = frozenset(t for t in GOAL_TABLES.values() if ctx.provisional(t))

    def block_for(self, table: str) -> Block:
        """How complete the year's ``table`` is, in one Danish sentence (after the goal's figures)."""
        if self.ctx.completeness is None:
            return Block()
        text = cr.sentence(self.ledger, self.ctx.completeness, table, self.year, self.ctx.threshold)
        return Block().md(text) if text else Block()
