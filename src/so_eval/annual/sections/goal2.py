"""Mål 2: Progression for den enkelte borger — the share of citizens with an ended course who
progressed, per course and per agreement (this year, last year and the strategy period), where
citizens are after the course, the steps at start and end, and young people in education."""

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

AGREEMENT_SUMS = [
    "started",
    "ended",
    "progressed",
    "dropped_out",
    "jobs",
    "jobs_during",
    "jobs_after",
    "hours_sum",
    "hours_n",
    "progressed_last",
    "ended_last",
]
"""The columns of the per-agreement table that are added up into its pooled row."""


class Goal2Section(Section):
    """Mål 2: progression, per citizen (the goal's headline) and per course and agreement."""

    name = "goal2"
    light = True

    per_year: pd.DataFrame
    """Courses and progression year by year (:func:`so_eval.metrics.progression_per_year`)."""
    status: Goal
    by_agreement: pd.DataFrame
    """The year's courses per agreement, with last year's alongside (before pooling)."""
    agreements: Table
    agreements_period: Table
    end_status: Table
    transitions: Table
    youth: pd.DataFrame

    def record(self, ledger: Ledger) -> None:
        self.per_year = metrics.progression_per_year(self.ds, self.ctx.years)
        cur = self.per_year.loc[self.per_year["year"] == self.year].iloc[0]
        self._record_headline(ledger, cur)
        self._record_years(ledger)
        self._record_agreements(ledger)
        self._record_period_agreements(ledger)
        self._record_end_status(ledger, int(cur["ended"]))
        self._record_transitions(ledger)
        self._record_youth(ledger)

    def _record_headline(self, ledger: Ledger, cur) -> None:
        """The year's figures: per citizen (the goal's headline) and per course."""
        y, m = self.year, self.params.min_cell
        complement_small = disclosure.complement_small
        ledger.count("goal2.courses_started", cur["started"], f"Forløb startet i {y}", "forløb")
        # the goal's headline: citizens, each once
        ledger.count("goal2.citizens_ended", cur["citizens_ended"], f"Borgere med et forløb afsluttet i {y}")
        ledger.count(
            "goal2.citizens_progressed",
            cur["citizens_progressed"],
            f"Borgere med progression i {y}",
            secondary=complement_small(cur["citizens_progressed"], cur["citizens_ended"], m),
        )
        share = ledger.share(
            "goal2.citizens_progressed_share",
            cur["citizens_progressed"],
            cur["citizens_ended"],
            f"Andel af borgerne med progression i {y}",
        )
        # per course (what the agreements are learned from)
        ledger.count("goal2.courses_ended", cur["ended"], f"Forløb afsluttet i {y}", "forløb")
        ledger.count(
            "goal2.progressed",
            cur["progressed"],
            f"Afsluttede forløb med progression i {y}",
            "forløb",
            secondary=complement_small(cur["progressed"], cur["ended"], m),
        )
        ledger.share(
            "goal2.progressed_share", cur["progressed"], cur["ended"], f"Andel af forløbene med progression i {y}"
        )
        for reason, label in (("step", "et højere trin"), ("hours", "flere lønnede timer")):
            n = cur[f"progressed_{reason}"]
            ledger.count(
                f"goal2.progressed_{reason}",
                n,
                f"Forløb med progression i {y}: {label}",
                "forløb",
                secondary=complement_small(n, cur["progressed"], m),
            )
        ledger.count(
            "goal2.dropped_out",
            cur["dropped_out"],
            f"Frafald i {y}",
            "forløb",
            secondary=complement_small(cur["dropped_out"], cur["ended"], m),
        )
        ledger.share("goal2.dropout_share", cur["dropped_out"], cur["ended"], f"Andel frafald i {y}")
        ledger.count(
            "goal2.dropped_out_progressed",
            cur["dropped_out_progressed"],
            f"Frafald i {y} efter progression undervejs",
            "forløb",
            secondary=complement_small(cur["dropped_out_progressed"], cur["dropped_out"], m),
        )
        target = self.ctx.targets["progressed_share"]
        if target is not None:
            ledger.value("goal2.target", float(target), "Arbejdsmål: andel af borgerne med progression", unit="andel")
        self.status = goal_status(None if share.suppressed else share.value, target, y)
        ledger.value("goal2.status", self.status.status.value, "Mål 2: status", unit="status")

    def _record_years(self, ledger: Ledger) -> None:
        for rec in self.per_year.itertuples():
            yy = rec.year
            ledger.count(f"goal2.citizens_ended.{yy}", rec.citizens_ended, f"Borgere med et forløb afsluttet i {yy}")
            ledger.share(
                f"goal2.citizens_progressed_share.{yy}",
                rec.citizens_progressed,
                rec.citizens_ended,
                f"Andel af borgerne med progression i {yy}",
            )
            ledger.count(f"goal2.courses_ended.{yy}", rec.ended, f"Forløb afsluttet i {yy}", "forløb")
            ledger.share(
                f"goal2.progressed_share.{yy}", rec.progressed, rec.ended, f"Andel af forløbene med progression i {yy}"
            )

    def _record_agreements(self, ledger: Ledger) -> None:
        """Per agreement, this year and last year side by side; agreements with few ended courses
        pooled."""
        y, m, w = self.year, self.params.min_cell, self.params.counting["job_window_days"]
        by_agr = metrics.progression_by_agreement(self.ds, y, self.ctx.job_types, w)
        last = metrics.progression_by_agreement(self.ds, y - 1, self.ctx.job_types, w)
        last = last[["agreement_id", "progressed", "ended"]].rename(
            columns={"progressed": "progressed_last", "ended": "ended_last"}
        )
        by_agr = by_agr.merge(last, on="agreement_id", how="left").fillna({"progressed_last": 0, "ended_last": 0})
        self.by_agreement = by_agr
        shown, n_small = disclosure.pool_small(
            by_agr, id_col="agreement_id", basis="ended", min_cell=m, other_id="other", sum_cols=AGREEMENT_SUMS
        )
        cols = [
            Col("started", "Startet", unit="forløb"),
            Col("ended", "Afsluttet", unit="forløb"),
            Col("progressed_share", "Progression", "share", num="progressed", den="ended"),
            Col("jobs_during", "Job under forløbet", unit="forløb", within="ended"),
            Col("jobs_after", f"Job ≤ {w} dage efter", unit="forløb", within="ended"),
            Col("dropout_share", "Frafald", "share", num="dropped_out", den="ended"),
            Col("mean_hours_change", "Ændring i timer/uge", "stat", unit="ændring i timer", basis="hours_n"),
            Col("progressed_share_last", f"Progression {y - 1}", "share", num="progressed_last", den="ended_last"),
        ]
        # the columns whose totals are published (started, ended, progressed, dropped out) that
        # hiding cells cannot protect against them are pooled further
        published = [c for c in cols if c.name in ("started", "ended", "progressed_share", "dropout_share")]
        shown, n_unsafe = sdc.pool_unsafe(
            shown, id_col="agreement_id", other_id="other", sum_cols=AGREEMENT_SUMS, cols=published, min_cell=m
        )
        n_small += n_unsafe
        shown["mean_hours_change"] = shown["hours_sum"] / shown["hours_n"].where(shown["hours_n"] > 0)
        other = (
            f"Øvrige aftaler ({n_small} med færre end {m} afsluttede forløb hver)"
            if not n_unsafe
            else f"Øvrige aftaler ({n_small} lagt sammen)"
        )
        self.agreements = ledger_table(
            ledger,
            shown,
            key="goal2.agreement",
            id_col="agreement_id",
            id_label="Samarbejdsaftale",
            id_text=lambda r: other if r["agreement_id"] == "other" else f"{r['agreement_id']} · {r['enterprise']}",
            cols=cols,
            caption=f"Forløb og progression pr. samarbejdsaftale, {y} (med {y - 1} til sammenligning)",
            note=(
                f"Aftaler med færre end {m} afsluttede forløb i {y} er lagt sammen under »Øvrige aftaler«"
                + (" (og flere, så små tal ikke kan regnes ud af totalerne)" if n_unsafe else "")
                + ". "
                f"Gennemsnit vises kun, når de bygger på mindst {m} forløb, og andele kun, når hverken antallet "
                f"med eller uden er under {m}; «×» og «–» skjuler tal, så de små ikke kan regnes ud."
            ),
        )

    def _record_period_agreements(self, ledger: Ledger) -> None:
        """Per agreement over the strategy period so far: larger numbers, comparable across
        agreements, with the status after the course."""
        y, m, years = self.year, self.params.min_cell, self.ctx.period_years
        w = self.params.counting["job_window_days"]
        period = metrics.progression_by_agreement(self.ds, years, self.ctx.job_types, w)
        ends = metrics.end_status_by_agreement(self.ds, years)
        wide = (
            ends.pivot(index="agreement_id", columns="end_status", values="n")
            .reindex(columns=list(g.END_STATUSES), fill_value=0)
            .reset_index()
        )
        period = period.merge(wide, on="agreement_id", how="left")
        sums = ["ended", "progressed"] + list(g.END_STATUSES)
        shown, n_small = disclosure.pool_small(
            period.loc[period["ended"] > 0],
            id_col="agreement_id",
            basis="ended",
            min_cell=m,
            other_id="other",
            sum_cols=sums,
        )
        # the period's totals are the years' figures added up: where a year's is hidden, they must
        # not be known from this table either
        secret = [
            col
            for col, key in (("ended", "goal2.courses_ended.{}"), ("progressed_share", "goal2.progressed_share.{}"))
            if any(ledger[key.format(yy)].suppressed for yy in years)
        ]
        shown, n_unsafe = sdc.pool_unsafe(
            shown,
            id_col="agreement_id",
            other_id="other",
            sum_cols=sums,
            min_cell=m,
            cols=[Col("ended", "", unit="forløb"), Col("progressed_share", "", "share", num="progressed", den="ended")],
        )
        n_small += n_unsafe
        statuses = [
            Col(f"{s}_share", g.category_label(s).split(" (")[0], "share", num=s, den="ended", group="end_status")
            for s in g.END_STATUSES
        ]
        self.agreements_period = ledger_table(
            ledger,
            shown,
            key="goal2.period_agreement",
            id_col="agreement_id",
            id_label="Samarbejdsaftale",
            id_text=lambda r: (
                f"Øvrige aftaler ({n_small})"
                if r["agreement_id"] == "other"
                else f"{r['agreement_id']} · {r['enterprise']}"
            ),
            cols=[
                Col("ended", "Afsluttet", unit="forløb"),
                Col("progressed_share", "Progression", "share", num="progressed", den="ended"),
                *statuses,
            ],
            caption=(
                f"Status efter forløb pr. samarbejdsaftale, forløb afsluttet {years[0]}–{y} (andel af afsluttede)"
            ),
            secret=secret,
            note=f"Aftaler med færre end {m} afsluttede forløb i perioden er lagt sammen under »Øvrige aftaler«.",
        )

    def _record_end_status(self, ledger: Ledger, ended: int) -> None:
        """Where citizens are after the course (courses ended in the year)."""
        y = self.year
        ends = metrics.end_status_by_agreement(self.ds, y)
        total = ends.groupby("end_status", sort=False)["n"].sum().reindex(g.END_STATUSES).reset_index()
        total["ended"] = ended
        cols = [Col("n", "Forløb", unit="forløb"), Col("share", "Andel", "share", num="n", den="ended")]
        total, n_pooled = sdc.pool_unsafe(
            total, id_col="end_status", cols=cols, sum_cols=["n"], other_id=OTHER, min_cell=self.params.min_cell
        )
        self.end_status = ledger_table(
            ledger,
            total,
            key="goal2.end_status",
            id_col="end_status",
            id_label="Status efter forløb",
            cols=cols,
            caption=f"Hvor borgerne er efter forløbet, forløb afsluttet i {y}",
            id_text=other_text("end_status", n_pooled, "statusser"),
        )

    def _record_transitions(self, ledger: Ledger) -> None:
        """The step in the value chain at start and at end (courses ended in the year)."""
        tr = metrics.step_transitions(self.ds, self.year)
        wide = tr.pivot(index="start_step", columns="end_step", values="n").reset_index()
        wide["start_step"] = wide["start_step"].astype(str)
        starts = wide.loc[wide[list(g.STEPS)].sum(axis=1) > 0]
        self.transitions = ledger_table(
            ledger,
            starts,
            key="goal2.transition",
            id_col="start_step",
            id_label="Trin ved start ↓ / slut →",
            cols=[Col(s, g.category_label(s).split("/")[0], unit="forløb") for s in g.STEPS],
            two_way=True,
            caption=f"Trin i værdikæden ved start og ved slut, forløb afsluttet i {self.year}",
        )

    def _record_youth(self, ledger: Ledger) -> None:
        """Young people (uddannelseshjælp) in education after their course."""
        y, m = self.year, self.params.min_cell
        self.youth = metrics.youth_education(self.ds, self.ctx.years)
        cur = self.youth.loc[self.youth["year"] == y].iloc[0]
        ledger.count("goal2.youth_ended", cur["ended"], f"Unge med et forløb afsluttet i {y}")
        ledger.count(
            "goal2.youth_education",
            cur["education"],
            f"Unge i uddannelse efter forløb i {y}",
            secondary=disclosure.complement_small(cur["education"], cur["ended"], m),
        )
        ledger.share("goal2.youth_education_share", cur["education"], cur["ended"], f"Andel unge i uddannelse i {y}")
        for rec in self.youth.itertuples():
            ledger.share(
                f"goal2.youth_education_share.{rec.year}",
                rec.education,
                rec.ended,
                f"Andel unge i uddannelse i {rec.year}",
            )

    # -- the section ------------------------------------------------------------------------

    def block(self) -> Block:
        b = Block().md(self._headline_text())
        self._add_trend_figure(b)
        self._add_agreement_figure(b)
        b.table(self.agreements)
        b.extend(self.ctx.section("projections").block_for("goal2", "Andel med progression"))
        b.md("**Hvor er borgerne efter forløbet?**")
        b.table(self.end_status)
        b.md(self._reconciliation_text())
        b.table(self.ctx.section("goal1").sources)
        b.table(self.agreements_period)
        b.table(self.transitions)
        b.extend(self.ctx.section("completeness").block_for("courses"))
        return b.md(self._youth_text())

    def _headline_text(self) -> str:
        y = self.year
        target = f" Arbejdsmålet er {self.f('goal2.target')}." if "goal2.target" in self.ledger else ""
        if self.shows_nothing("goal2.courses_ended"):
            return (
                f"I {y} startede **{self.f('goal2.courses_started')} forløb**. Ingen forløb sluttede i {y}, så "
                f"andelen med progression kan ikke gøres op for året.{target} "
                f"{status_sentence(self.status)}"
            )
        dropped = (
            f"; {self.f('goal2.dropped_out_progressed')} af de frafaldne forløb havde dog progression, "
            "før borgeren stoppede, og tæller med som progression"
            if not self.shows_nothing("goal2.dropped_out_progressed")
            else ""
        )
        return (
            f"I {y} afsluttede **{self.f('goal2.citizens_ended')} borgere** et forløb, og "
            f"**{self.f('goal2.citizens_progressed_share')}** af dem havde progression: de endte på et højere "
            f"trin i værdikæden end ved start (motivation/opkvalificering → afklaring → praktik → småjob → "
            f"flere timer → job/uddannelse) eller med flere lønnede timer om ugen. En borger med flere "
            f"forløb tæller én gang.{target} {status_sentence(self.status)}\n\n"
            f"Pr. forløb: {self.f('goal2.courses_started')} forløb startede, og {self.f('goal2.courses_ended')} "
            f"sluttede; {self.f('goal2.progressed_share')} af dem havde progression "
            f"({self.f('goal2.progressed_step')} på trin og {self.f('goal2.progressed_hours')} på lønnede timer; "
            f"et forløb kan have begge). Frafaldet var {self.f('goal2.dropout_share')}{dropped}.\n\n"
            f"Andel af borgerne med progression år for år: "
            f"{self.trend_text('goal2.citizens_progressed_share', self.ctx.years)}."
        )

    def _add_trend_figure(self, b: Block) -> None:
        """The share of citizens with progression year by year (or why it cannot be shown)."""
        years = self.ctx.years
        shares = masked_values([self.ledger[f"goal2.citizens_progressed_share.{yy}"] for yy in years])
        d = pd.DataFrame({"year": years, "share": shares})
        if d["share"].isna().all():  # nothing to draw
            b.md(
                f"Andelen med progression kan ikke vises for noget år fra {years[0]} til {self.year}: hvert år var "
                f"der for få borgere med et afsluttet forløb, eller for få med eller uden progression, til at andelen "
                "kan vises uden at afsløre, hvor mange det drejer sig om."
            )
            return
        ax = plots.trend_bars(
            d,
            y="share",
            target=self.ctx.targets["progressed_share"],
            target_label="Arbejdsmål",
            highlight=self.year,
            period=self.params.strategy_period,
            percent=True,
            ylabel="Andel af borgerne",
            title="Andel af borgerne med progression pr. år",
        )
        b.figure(ax.figure, "Andel af borgerne med progression pr. år")

    def _add_agreement_figure(self, b: Block) -> None:
        """The share with progression per agreement, for the agreements whose share may be shown."""
        m, agr = self.params.min_cell, self.by_agreement
        ok = agr.loc[
            [
                disclosure.share_hidden_reason(p, e, m) is None
                for p, e in zip(agr["progressed"], agr["ended"], strict=True)
            ]
        ].copy()
        if not len(ok):
            return
        ok["label"] = ok["agreement_id"] + " · " + ok["enterprise"].astype(str)
        overall = self.ledger["goal2.progressed_share"]
        ax = plots.share_by_unit(
            ok,
            unit="label",
            share="progressed_share",
            n="ended",
            reference=None if overall.suppressed else overall.value,
            target=self.ctx.targets["progressed_share"],
            xlabel="Andel af afsluttede forløb med progression",
            title=f"Progression pr. samarbejdsaftale, {self.year}\n(aftaler, hvis andel kan vises)",
        )
        b.figure(ax.figure, "Andel med progression pr. samarbejdsaftale")

    def _reconciliation_text(self) -> str:
        """One sentence that reconciles goal 1 with the status-after-course table."""
        y = self.year
        job = "goal2.end_status.job.n"
        shown = f"; {self.f(job)} af dem sluttede med status job" if job in self.ledger else ""
        return (
            f"Tabellen ovenfor tæller forløb, der sluttede i {y}, efter hvor borgeren var ved afslutningen{shown}. "
            f"Mål 1 tæller noget andet: de {self.f('goal1.jobs')} borgere, der kom i beskæftigelse i {y}, uanset "
            "hvornår deres forløb sluttede, og uanset om det sluttede med status job"
            + (" eller småjob (et småjob tæller som beskæftigelse)" if "småjob" in self.ctx.job_types else "")
            + ". Tabellen herunder viser, hvordan de to hænger sammen."
        )

    def _youth_text(self) -> str:
        y, years = self.year, self.ctx.years
        if self.shows_nothing("goal2.youth_ended"):
            key = "goal2.youth_education_share.{}"
            shown = [
                yy
                for yy in years
                if not self.ledger[key.format(yy)].suppressed and pd.notna(self.ledger[key.format(yy)].value)
            ]
            return f"**Unge og uddannelse.** Ingen unge (uddannelseshjælp) afsluttede et forløb i {y}." + (
                f" År for år: {self.trend_text('goal2.youth_education_share', shown)}." if shown else ""
            )
        return (
            f"**Unge og uddannelse.** Af {self.f('goal2.youth_ended')} unge (uddannelseshjælp) med et forløb "
            f"afsluttet i {y} kom {self.f('goal2.youth_education')} i uddannelse "
            f"({self.f('goal2.youth_education_share')}). År for år: "
            f"{self.trend_text('goal2.youth_education_share', years)}."
        )
