"""Det skæve, det uventede, læringer og korrektioner: what stands out more than chance explains,
found statistically (funnel plots of the agreements and enterprises, run charts of the monthly
series, the change from last year; see :mod:`so_eval.screening.findings`), with the figures behind
it, the coordinator's learnings, and the corrections to last year's figures
(:mod:`~so_eval.annual.sections.corrections`)."""

from __future__ import annotations

import dataclasses

import pandas as pd

from so_eval import disclosure
from so_eval import glossary as g
from so_eval.annual.sections.base import Section
from so_eval.plots.screening import funnel_plot, run_chart_plot
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Ledger
from so_eval.screening import findings as fnd

METHODS = {
    "funnel": "Tragtdiagram",
    "run chart": "Seriediagram (Anhøj)",
    "control chart": "Kontrolgrænser",
    "year over year": "Ændring fra sidste år",
}
"""The screening methods' names in Danish."""

SERIES_LABELS = {"job_entries": "jobstarter", "course_starts": "forløbsstarter", "dropouts": "frafald"}
"""The monthly series in Danish (what one month counts)."""

AREAS = {
    "goal1": "Mål 1: Beskæftigelse",
    "goal2": "Mål 2: Progression",
    "goal3": "Mål 3: Antal virksomheder",
    "value": "Værdiskabelse",
    "data": "Data",
}
"""The areas a learning is about."""

FUNNELS = (("dropped_out", "Frafald pr. samarbejdsaftale"), ("jobs", "Andel i job pr. samarbejdsaftale"))
"""The agreements' funnel plots shown: metric, title."""


class SkewedSection(Section):
    """The statistical flags, each with a sentence; the funnel plots and run charts behind them;
    the coordinator's learnings; and the corrections to last year's figures."""

    name = "skewed"

    funnel_units: dict
    """Level (``agreement``, ``enterprise``) → the units' counts over the last two years."""
    funnels: dict
    """Level → metric → its funnel plot's result."""
    monthly: dict
    """Series name → its monthly values."""
    series_checks: dict
    """Series name → its run chart and control chart checks."""
    yoy: pd.DataFrame
    """This year's figures against last year's (:func:`so_eval.screening.findings.yoy_table`)."""
    flagged: list
    """What was found (:class:`so_eval.screening.findings.Finding`), in the order found."""

    def record(self, ledger: Ledger) -> None:
        y, m, job_types = self.year, self.params.min_cell, self.ctx.job_types
        window = self.params.counting["job_window_days"]
        self.funnel_units = {
            level: fnd.funnel_units(self.ds, y, level=level, job_types=job_types, window_days=window)
            for level in ("agreement", "enterprise")
        }
        self.funnels = {level: fnd.funnels(units) for level, units in self.funnel_units.items()}
        flagged = []
        for level, res in self.funnels.items():
            flagged += fnd.funnel_findings(res, level=level, year=y, width=2, min_cell=m, ledger=ledger)
        self.monthly = fnd.monthly_series(self.ds, self.params.strategy_period[0], y, job_types=job_types)
        self.series_checks = fnd.check_series(self.monthly, y)
        provisional = self.ctx.provisional_tables
        flagged += fnd.series_findings(self.series_checks, y, provisional=provisional)
        for name, chk in self.series_checks.items():
            key = f"unexpected.series.{name}"
            ledger.value(f"{key}.longest_run", chk.run.longest_run, "Længste forløb på samme side", "måneder")
            ledger.value(f"{key}.crossings", chk.run.crossings, "Krydsninger af medianen", "antal")
            ledger.value(f"{key}.signal", bool(chk.run.signal), "Signal efter Anhøjs regler", "status")
        goal1, goal2 = self.ctx.section("goal1"), self.ctx.section("goal2")
        self.yoy = fnd.yoy_table(self.ds, y, goal1.per_year, goal2.per_year, provisional=provisional)
        flagged += fnd.yoy_findings(self.yoy, y, ledger=ledger)
        self.flagged = flagged

    def block(self) -> Block:
        b = Block()
        self._add_found(b)
        self._add_funnels(b)
        self._add_run_charts(b)
        self._add_learnings(b)
        return b.extend(self.ctx.section("corrections").block())

    def _add_found(self, b: Block) -> None:
        """What was found, in a table (or that nothing was)."""
        y = self.year
        b.md(
            "### Fundet i data\n\nArbejdsbænken gennemgår hvert år tallene for det, der skiller sig ud mere, end "
            "tilfældigheder forklarer: samarbejdsaftaler og virksomheder i tragtdiagrammer (andel i job, progression "
            "og frafald, to år ad gangen), månedlige serier med Anhøjs regler for seriediagrammer og kontrolgrænser, "
            "og ændringer fra sidste år."
        )
        if not self.flagged:
            b.md(f"Intet skilte sig ud i {y} ud over, hvad tilfældigheder forklarer.")
            return
        rows = [
            {"Type": g.category_label(f.kind), "Metode": METHODS.get(f.method, f.method), "Fund": f.text}
            for f in self.flagged
        ]
        b.table(Table(pd.DataFrame(rows), caption=f"Det skæve og det uventede {y}"))

    def _add_funnels(self, b: Block) -> None:
        """The agreements' funnel plots, showing only the agreements whose rates may be shown."""
        y, m = self.year, self.params.min_cell
        units, period = self.funnel_units["agreement"], f"{y - 1}–{y}"
        if not (units["ended"] >= m).any():  # no agreement has a rate that may be shown: nothing to draw
            b.md(
                fnd.no_funnel_text(units, "jobs", period)
                if units.empty
                else f"Der er ingen tragtdiagrammer for {period}, fordi ingen samarbejdsaftale havde mindst {m} "
                "afsluttede forløb."
            )
            return
        for metric, title in FUNNELS:
            res = self.funnels["agreement"].get(metric)
            if res is None:
                b.md(fnd.no_funnel_text(units, metric, period))
                continue
            events, n = res.table["events"], res.table["n"]
            ok = [disclosure.share_hidden_reason(e, k, m) is None for e, k in zip(events, n, strict=True)]
            shown = dataclasses.replace(res, table=res.table.loc[ok].reset_index(drop=True))
            if shown.table.empty:
                b.md(
                    f"{title} kan ikke vises for {period}: ingen samarbejdsaftale har tal, der kan vises uden "
                    "at afsløre, hvor få borgere det drejer sig om."
                )
                continue
            ax = funnel_plot(shown, xlabel=f"Afsluttede forløb {period}", ylabel="Andel", title=f"{title}, {period}")
            b.figure(ax.figure, f"Tragtdiagram: {title.lower()}")
        b.md(
            f"Tragtdiagrammerne viser kun aftaler med mindst {m} afsluttede forløb, hvor hverken antallet med "
            f"hændelsen eller antallet uden er under {m} (ellers kunne det aflæses af punktet); grænserne er 95 % "
            "(stiplet) og 99,8 % (fuldt optrukket). Ligger en aftale uden for 99,8 %-grænsen, er forskellen "
            "næppe tilfældig."
        )

    def _add_run_charts(self, b: Block) -> None:
        """The run chart of each monthly series with a signal (its year's data complete)."""
        m = self.params.min_cell
        for name, chk in self.series_checks.items():
            if not chk.run.signal or fnd.SERIES_TABLES[name] in self.ctx.provisional_tables:
                continue
            label, values = SERIES_LABELS[name], self.monthly[name]
            if ((values > 0) & (values < m)).any():
                b.md(
                    f"Seriediagrammet for {label} vises ikke, fordi enkelte måneder har færre end {m} "
                    "borgere; fundet står i tabellen ovenfor."
                )
                continue
            ax = run_chart_plot(
                chk.run, xlabel="Måned", ylabel=f"Antal {label}", title=f"{label.capitalize()} pr. måned"
            )
            b.figure(ax.figure, f"Seriediagram: {label}")

    def _add_learnings(self, b: Block) -> None:
        """The coordinator's learnings for the year, in a table."""
        y = self.year
        b.md("### Læringer\n\nKoordinatorens registreringer for året:")
        learnings = self.ds.learnings
        learnings = learnings.loc[learnings["year"] == y].copy()
        if learnings.empty:
            b.md(f"Koordinatoren har ikke registreret læringer for {y}.")
            return
        order = {k: i for i, k in enumerate(g.LEARNING_KINDS)}
        learnings = learnings.sort_values(["kind", "area"], key=lambda s: s.map(order) if s.name == "kind" else s)
        rows = []
        for r in learnings.itertuples():
            has_figure = isinstance(r.figure_key, str) and r.figure_key in self.ledger
            rows.append(
                {
                    "Type": g.category_label(r.kind),
                    "Område": AREAS.get(r.area, r.area),
                    "Tekst": r.text,
                    "Tal": self.f(r.figure_key) if has_figure else "",
                }
            )
        b.table(Table(pd.DataFrame(rows), caption=f"Koordinatorens læringer {y}"))
