"""Indledning: the strategy's purpose and its three goals, and an overview of the year's results."""

from __future__ import annotations

import pandas as pd

from so_eval.annual.sections.base import Section
from so_eval.annual.sections.title import STRATEGY_NAME
from so_eval.reporting.blocks import Block, Table

PURPOSE = (
    "I Slagelse Kommune er der et politisk ønske om en socialøkonomisk strategi, som fremmer og "
    "øger socialøkonomien i området. Strategien skal have fokus på at fremme en bred og integreret "
    "værditilvækst og skabe deltidsjob til mennesker, som gerne vil arbejde, men af forskellige "
    "grunde ikke har mange chancer for at få det første fodfæste på arbejdsmarkedet."
)
"""The strategy's purpose, as the first strategy put it."""


class IntroSection(Section):
    """The introduction and the overview table of the three goals."""

    name = "intro"

    def overview(self) -> Table:
        """The three goals: the year's result, the target or norm, and the status."""
        goal = self.ctx.section
        rows = [
            ("1. Beskæftigelse", f"{self.f('goal1.jobs')} borgere kom i beskæftigelse",
             f"mindst {self.f('goal1.norm')} om året", goal("goal1").status.label),
            ("2. Progression",
             f"{self.f('goal2.citizens_progressed_share')} af borgerne med afsluttet forløb havde progression",
             f"arbejdsmål {self.f('goal2.target')}" if "goal2.target" in self.ledger else "intet måltal",
             goal("goal2").status.label),
            ("3. Antal virksomheder", f"{self.f('goal3.enterprises_three_bottom_lines')} med tre bundlinjer",
             f"{self.f('goal3.target')} i {self.params.targets['enterprises_year']}", goal("goal3").status.label),
        ]  # fmt: skip
        return Table(
            pd.DataFrame(rows, columns=["Mål", f"Resultat {self.year}", "Mål/norm", "Status"]),
            caption=f"Målopnåelse {self.year}",
        )

    def block(self) -> Block:
        p, y = self.params, self.year
        b = Block()
        b.md(
            f"Denne årsrapport gør status over socialøkonomien i Slagelse Kommune for {y} under "
            f"{STRATEGY_NAME} ({p.strategy_period[0]}–{p.strategy_period[1]}). Strategiens formål er "
            f"det politiske ønske, som blev formuleret til den første strategi:\n\n> {PURPOSE}\n\n"
            "Det handler om mennesker: om beskæftigelse i små job, uddannelse, opkvalificering og "
            "livsmestring — og om den enkeltes mulighed for selvstændighed. Det primære middel er "
            "samarbejdsaftaler mellem Jobcentret og socialøkonomiske virksomheder og initiativer, "
            "for borgere på ressourceforløb, kontanthjælp, fleksjob og integration og, fra 2022, med "
            "ekstra fokus på unge og deres vej til uddannelse.\n\n"
            "Strategien har tre mål, som rapporten måler hvert år:\n\n"
            f"1. **Beskæftigelse** — borgere, der er kommet i job: mindst {self.f('goal1.norm')} job om året.\n"
            "2. **Progression for den enkelte borger** — pr. samarbejdsaftale og efter, hvor borgeren er "
            "efter forløbet: uddannelse, praktik, lønnede timer og små job.\n"
            f"3. **Antal virksomheder** — socialøkonomiske virksomheder og initiativer med tre bundlinjer "
            f"(social, lokal og økonomisk): {self.f('goal3.target')} i {p.targets['enterprises_year']}.\n\n"
            "Nås et mål før tid, afrapporteres det før tid. Rapporten viser både det, der lykkedes, og "
            "det, der ikke gik som forventet, og fremhæver det skæve, det uventede, læringer og korrektioner."
        )
        return b.table(self.overview())
