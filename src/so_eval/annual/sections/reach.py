"""The reach of the strategy (the opening of Værdiskabelse): the agreements in force, their places
and price, the citizens in courses, and the citizens in employment over the strategy period."""

from __future__ import annotations

import pandas as pd

from so_eval import metrics
from so_eval.annual.sections.base import Section
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.table import Col, ledger_table


class ReachSection(Section):
    """Agreements, places, price and citizens in courses, year by year (shown first in
    Værdiskabelse, :class:`~so_eval.annual.sections.value_creation.ValueCreationSection`)."""

    name = "reach"
    light = True

    per_year: pd.DataFrame
    """Agreements and citizens year by year (:func:`so_eval.metrics.reach_per_year`)."""
    table: Table

    def record(self, ledger: Ledger) -> None:
        y = self.year
        self.per_year = reach = metrics.reach_per_year(self.ds, self.ctx.years)
        cur = reach.loc[reach["year"] == y].iloc[0]
        ledger.value(
            "value.agreements_active",
            int(cur["agreements"]),
            f"Samarbejdsaftaler gældende ved udgangen af {y}",
            "aftaler",
        )
        ledger.value("value.places", int(cur["places"]), f"Pladser i gældende aftaler ved udgangen af {y}", "pladser")
        ledger.value(
            "value.agreements_price", float(cur["price"]), f"Årlig pris for gældende aftaler ved udgangen af {y}", "kr."
        )
        ledger.count("value.citizens_served", cur["citizens"], f"Borgere i forløb i {y}")
        period = ledger["goal1.jobs.period"]
        ledger.count(
            "value.jobs_period",
            int(period.value),
            f"Borgere, der kom i beskæftigelse i strategiperioden {self.params.strategy_period[0]}–{y} "
            "(hver borger én gang)",
            secondary=period.secondary,
        )
        self.table = ledger_table(
            ledger,
            reach,
            key="value.year",
            id_col="year",
            id_label="År",
            id_text=lambda r: str(r["year"]),
            cols=[
                Col("agreements", "Gældende aftaler", "value", unit="aftaler"),
                Col("places", "Pladser", "value", unit="pladser"),
                Col("price", "Årlig pris (kr.)", "value", unit="kr."),
                Col("citizens", "Borgere i forløb"),
            ],
            caption="Samarbejdsaftaler og borgere i forløb år for år",
            protect_totals=False,  # citizens in courses are not added up over the years (a citizen recurs)
        )

    def block(self) -> Block:
        y = self.year
        b = Block().md(
            f"Ved udgangen af {y} var der {self.f('value.agreements_active')} gældende samarbejdsaftaler "
            f"med i alt {self.f('value.places')} pladser og en samlet årlig pris på "
            f"{self.f('value.agreements_price')} kr. I løbet af {y} var {self.f('value.citizens_served')} "
            f"borgere i forløb, og i strategiperioden {self.params.strategy_period[0]}–{y} er der i alt "
            f"kommet {self.f('value.jobs_period')} borgere i beskæftigelse (hver borger talt én gang). "
            f"{self.f('goal3.enterprises_active')} socialøkonomiske virksomheder og initiativer var aktive."
        )
        return b.table(self.table)
