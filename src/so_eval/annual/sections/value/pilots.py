"""Piloter og prøvehandlinger: the pipeline by status, the year's starts and decisions, the
co-creation across sectors and how long the business ideas live (table ``pilots``)."""

from __future__ import annotations

import math

from so_eval import fmt
from so_eval.annual.sections.value.base import Subsection, has_table, missing_text
from so_eval.data.model_value import PILOT_KINDS, PILOT_STATUSES
from so_eval.metrics import value as mv
from so_eval.plots.value import pilot_pipeline_plot, survival_plot
from so_eval.reporting.blocks import Block
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.table import Col

__all__ = ["STATUS_LABELS", "Pilots"]

STATUS_LABELS = {
    "idé": "Idé",
    "igangværende": "Igangværende",
    "skaleret": "Skaleret",
    "videreført": "Videreført",
    "stoppet": "Stoppet",
}
PILOTS = "piloter"


class Pilots(Subsection):
    """Pilots and trial actions: ``value.pilots.*``."""

    pipeline = None
    """The pilots and trial actions by kind and status (None when there are none)."""
    note = ""
    """Why the subsection is empty."""
    pipeline_table = km = medians = None
    survival_shown = False
    """Whether the survival curve of the business ideas is shown (stops seen, enough pilots)."""

    def record(self, ledger: Ledger) -> None:
        self.ledger, y, ds = ledger, self.year, self.ds
        if not has_table(ds, "pilots"):
            self.note = missing_text("pilots", "piloter og prøvehandlinger")
            return
        pipe = mv.pilot_pipeline(ds, y)
        if int(pipe["n"].sum()) == 0:
            self.note = f"Der var ingen piloter eller prøvehandlinger startet senest {y}."
            return
        self.pipeline = pipe
        self._record_pipeline()
        self._record_summary()
        co = mv.pilot_cocreation(ds, y)
        ledger.value(
            "value.pilots.multi_sector",
            int(co["multi_sector"].sum()),
            f"Startet i {y} med mindst to partnersektorer",
            PILOTS,
        )
        ledger.value(
            "value.pilots.without_enterprise",
            int(co["without_enterprise"].sum()),
            f"Prøvehandlinger startet i {y} uden en bestemt virksomhed",
            PILOTS,
        )
        self._record_survival()

    def _record_pipeline(self) -> None:
        """The table of the pilots and trial actions by status, and their total."""
        y, pipe = self.year, self.pipeline
        wide = (
            pipe.assign(kind=pipe["kind"].astype(str), status=pipe["status"].astype(str))
            .pivot(index="status", columns="kind", values="n")
            .reindex(index=list(PILOT_STATUSES), columns=list(PILOT_KINDS))
        )
        wide = wide.fillna(0).astype(int).rename(columns={"pilot": "pilots", "prøvehandling": "trial_actions"})
        wide["total"] = wide.sum(axis=1)
        wide = wide.reset_index()
        self.pipeline_table = self.ledger_table(
            wide,
            key="value.pilots.pipeline",
            id_col="status",
            id_label="Status",
            id_text=lambda r: STATUS_LABELS.get(r["status"], r["status"]),
            cols=[
                Col("pilots", "Piloter", "value", PILOTS),
                Col("trial_actions", "Prøvehandlinger", "value", PILOTS),
                Col("total", "I alt", "value", PILOTS),
            ],
            what=f"Piloter og prøvehandlinger ved udgangen af {y}",
            caption=f"Piloter og prøvehandlinger efter status ved udgangen af {y}",
        )
        self.ledger.value(
            "value.pilots.total", int(wide["total"].sum()), f"Piloter og prøvehandlinger startet senest {y}", PILOTS
        )

    def _record_summary(self) -> None:
        """The year's starts and decisions, and the decisions up to the year."""
        y, u = self.year, PILOTS
        s = mv.pilot_summary(self.ds, [y]).iloc[0]
        cum = mv.pilot_summary(self.ds, [y], cumulative=True).iloc[0]
        for col, label, unit in (
            ("started", f"Piloter og prøvehandlinger startet i {y}", u),
            ("pilots", f"Piloter startet i {y}", u),
            ("trial_actions", f"Prøvehandlinger startet i {y}", u),
            ("decided", f"Afgjort i {y}", u),
            ("scaled", f"Skaleret i {y}", u),
            ("continued", f"Videreført i {y}", u),
            ("stopped", f"Stoppet i {y}", u),
            ("success_share", f"Andel skaleret eller videreført af dem afgjort i {y}", "andel"),
            ("median_days_to_decision", f"Mediantid fra start til afgørelse, afgjort i {y}", "dage"),
            ("running", f"Igangværende ved udgangen af {y}", u),
            ("mean_sectors", f"Gennemsnitligt antal partnersektorer, startet i {y}", "sektorer"),
            ("multi_sector_share", f"Andel med mindst to partnersektorer, startet i {y}", "andel"),
        ):
            self._record_number(f"value.pilots.{col}", s[col], label, unit)
        for col, label, unit in (
            ("decided", f"Afgjort i alt til og med {y}", u),
            ("success_share", f"Andel skaleret eller videreført af alle afgjorte til og med {y}", "andel"),
            ("median_days_to_decision", f"Mediantid fra start til afgørelse, alle afgjorte til og med {y}", "dage"),
        ):
            self._record_number(f"value.pilots.cumulative.{col}", cum[col], label, unit)

    def _record_number(self, key: str, val, label: str, unit: str) -> None:
        """A count of pilots (an int) or another number (a float), None when missing."""
        val = None if isinstance(val, float) and math.isnan(val) else (float(val) if unit != PILOTS else int(val))
        self.ledger.value(key, val, label, unit)

    def _record_survival(self) -> None:
        """The survival of the business ideas (shown when some have stopped and they are enough)."""
        km, med = mv.pilot_survival(self.ds, self.year)
        self.km, self.medians = km, med
        self.survival_shown = bool((med["events"] > 0).any() and med["n"].sum() >= self.min_cell)
        if self.survival_shown:
            for r in med.itertuples():
                k = f"value.pilots.survival.{fmt.slug(r.group)}"
                self.ledger.value(f"{k}.n", int(r.n), f"Overlevelse, {r.group}: antal", PILOTS)
                self.ledger.value(f"{k}.stopped", int(r.events), f"Overlevelse, {r.group}: stoppet", PILOTS)
                self.ledger.value(
                    f"{k}.median",
                    None if math.isnan(r.median) else float(r.median),
                    f"Overlevelse, {r.group}: medianlevetid",
                    "år",
                )

    def block(self) -> Block:
        b, y = Block().md("### Piloter og prøvehandlinger"), self.year
        if self.pipeline is None:
            return b.md(self.note)
        b.md(self._text())
        ax = pilot_pipeline_plot(self.pipeline, title=f"Piloter og prøvehandlinger efter status ved udgangen af {y}")
        b.figure(ax.figure, f"Piloter og prøvehandlinger efter status, {y}")
        b.table(self.pipeline_table)
        if self.survival_shown:
            b.extend(self._survival_block())
        return b

    def _text(self) -> str:
        """The pipeline, the year's starts and decisions, in Danish."""
        y = self.year
        decided = int(self.ledger["value.pilots.decided"].value)
        dec = (
            f"I {y} blev {self.f('value.pilots.decided')} afgjort: {self.f('value.pilots.scaled')} skaleret, "
            f"{self.f('value.pilots.continued')} videreført og {self.f('value.pilots.stopped')} stoppet — "
            f"{self.f('value.pilots.success_share')} blev skaleret eller videreført, og afgørelsen kom i median "
            f"{self.f('value.pilots.median_days_to_decision')} dage efter start."
            if decided
            else f"Ingen pilot eller prøvehandling blev afgjort i {y}."
        )
        started = int(self.ledger["value.pilots.started"].value)
        co = (
            f" Af årets nye havde {self.f('value.pilots.multi_sector_share')} partnere fra mindst to sektorer "
            f"(i gennemsnit {self.f('value.pilots.mean_sectors')} sektorer) — samskabelse på tværs af sektorer, "
            f"som strategien lægger op til. Prøvehandlinger båret af partnerne uden en bestemt virksomhed: "
            f"{self.f('value.pilots.without_enterprise')}."
            if started
            else ""
        )
        return (
            f"Piloter er små forsøg, der skal kunne vokse; prøvehandlinger er aktiviteter, der skabes sammen på tværs "
            f"af sektorer. Ved udgangen af {y} var {self.f('value.pilots.total')} startet, og "
            f"{self.f('value.pilots.running')} var i gang. I {y} startede {self.f('value.pilots.started')} "
            f"({self.f('value.pilots.pilots')} piloter og {self.f('value.pilots.trial_actions')} prøvehandlinger).{co}"
            f"\n\n{dec} Af alle, der er afgjort til og med {y} ({self.f('value.pilots.cumulative.decided')}), er "
            f"{self.f('value.pilots.cumulative.success_share')} skaleret eller videreført. At nogle stoppes, er en "
            "del af metoden: det, der ikke bærer, skal kunne lukkes hurtigt."
        )

    def _survival_block(self) -> Block:
        """How long the business ideas live: the medians in words and the survival curve."""
        parts = []
        for r in self.medians.itertuples():
            k = f"value.pilots.survival.{fmt.slug(r.group)}"
            name = "piloterne" if r.group == "pilot" else "prøvehandlingerne"
            med = self.ledger[f"{k}.median"]
            parts.append(
                f"halvdelen af {name} var stoppet efter {self.f(f'{k}.median')} år"
                if med.value is not None
                else f"over halvdelen af {name} er ikke stoppet ({self.f(f'{k}.stopped')} af "
                f"{self.f(f'{k}.n')} stoppet)"
            )
        b = Block().md(
            f"**Forretningsidéernes levetid.** Kurven viser andelen, der endnu ikke er stoppet, efter tid "
            f"fra start (skaleret og videreført tæller som levende): {'; '.join(parts)}."
        )
        ax = survival_plot(
            self.km,
            medians=self.medians,
            ylabel="Andel ikke stoppet",
            title=f"Piloter og prøvehandlinger: andel ikke stoppet, til og med {self.year}",
        )
        b.figure(ax.figure, "Overlevelse af piloter og prøvehandlinger")
        return b
