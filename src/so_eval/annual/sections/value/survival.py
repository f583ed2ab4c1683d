"""Overlevelse: how long the enterprises and initiatives of the two generations stay in business
(Kaplan–Meier), and the share still in business a few years after start."""

from __future__ import annotations

import math

from so_eval import fmt
from so_eval import glossary as g
from so_eval.annual.sections.value.base import Subsection
from so_eval.metrics import value as mv
from so_eval.plots.value import survival_plot
from so_eval.reporting.blocks import Block
from so_eval.reporting.ledger import Ledger

__all__ = ["GENERATIONS", "SURVIVAL_YEARS", "Survival"]

SURVIVAL_YEARS = 3
"""Survival is compared between generations at this many years after start."""

GENERATIONS = {"first_generation": g.label("first_generation"), "second_generation": g.label("second_generation")}


class Survival(Subsection):
    """The survival of the enterprises by generation: ``value.survival.*``."""

    def record(self, ledger: Ledger) -> None:
        self.ledger, y = ledger, self.year
        km, med = mv.enterprise_survival(self.ds, y)
        self.km, self.medians = km, med
        by_label = {v: k for k, v in GENERATIONS.items()}
        # generation → the share still in business SURVIVAL_YEARS after start (None: none is that old)
        self.at: dict[str, float | None] = {}
        for r in med.itertuples():
            gen = by_label.get(r.group, fmt.slug(r.group))
            k = f"value.survival.{gen}"
            ledger.value(f"{k}.n", int(r.n), f"Virksomheder startet senest {y}, {r.group}", "virksomheder")
            ledger.value(f"{k}.closed", int(r.events), f"Heraf lukket senest {y}, {r.group}", "virksomheder")
            for col, label in (
                ("median", "medianlevetid"),
                ("median_ci_low", "medianlevetid, nedre grænse (95 %)"),
                ("median_ci_high", "medianlevetid, øvre grænse (95 %)"),
            ):
                val = getattr(r, col)
                ledger.value(f"{k}.{col}", None if math.isnan(val) else float(val), f"{r.group}: {label}", "år")
            d = km.loc[km["group"] == r.group].sort_values("time")
            at = None
            if len(d) and float(d["time"].max()) >= SURVIVAL_YEARS:
                at = float(d.loc[d["time"] <= SURVIVAL_YEARS, "survival"].iloc[-1])
            self.at[gen] = at
            ledger.value(
                f"{k}.surviving_{SURVIVAL_YEARS}y",
                at,
                f"{r.group}: andel stadig i drift {SURVIVAL_YEARS} år efter start",
                "andel",
            )

    def block(self) -> Block:
        b, y = Block().md("### Overlevelse"), self.year
        b.md(
            f"Kaplan–Meier-kurverne viser andelen af virksomheder og initiativer, der stadig er i drift, efter antal "
            f"år fra start, for de to generationer (til og med {y}). " + self._generations_text()
        )
        b.md(self._comparison_text())
        if self.km.empty:  # no enterprise had started by the end of the year: no curve to draw
            b.md(
                f"Ingen virksomheder eller initiativer var startet til og med {y}, så der er ingen "
                "overlevelseskurver at vise."
            )
        else:
            ax = survival_plot(
                self.km, medians=self.medians, title=f"Virksomheder og initiativer i drift efter start, til og med {y}"
            )
            b.figure(ax.figure, "Overlevelse af virksomheder og initiativer efter generation")
        return b

    def _generations_text(self) -> str:
        """Each generation's started, closed and median lifetime (empty if none has started)."""
        parts = []
        for gen, name in GENERATIONS.items():
            k = f"value.survival.{gen}"
            if int(self.ledger[f"{k}.n"].value) == 0:
                continue
            med = self.ledger[f"{k}.median"]
            if med.value is not None:
                txt = f"halvdelen var lukket efter {self.f(f'{k}.median')} år"
            else:
                txt = "over halvdelen er stadig i drift, så medianlevetiden kan endnu ikke opgøres"
            parts.append(f"{name}: {self.f(f'{k}.n')} startet, {self.f(f'{k}.closed')} lukket; {txt}")
        return "; ".join(parts) + "." if parts else ""

    def _comparison_text(self) -> str:
        """The strategy's expectation (the 2nd generation lives shorter) against the data."""
        a1, a2 = self.at.get("first_generation"), self.at.get("second_generation")
        expect = (
            "Strategien forventer, at 2. generation — flere og mindre forretningsidéer, hvor det er i orden at "
            "prøve af og stoppe igen — lever kortere end 1. generations virksomheder."
        )
        if a1 is None or a2 is None:
            return (
                f"{expect} 2. generation er endnu for ung til at sammenligne de to generationer "
                f"{SURVIVAL_YEARS} år efter start."
            )
        k1 = f"value.survival.first_generation.surviving_{SURVIVAL_YEARS}y"
        k2 = f"value.survival.second_generation.surviving_{SURVIVAL_YEARS}y"
        seen = (
            "Det ses i data"
            if a2 < a1
            else "Det ses endnu ikke i data"
            if a2 > a1
            else "Data viser ingen forskel endnu"
        )
        return (
            f"{expect} {seen}: {SURVIVAL_YEARS} år efter start var {self.f(k2)} af 2. generation stadig i drift "
            f"mod {self.f(k1)} af 1. generation. 2. generation er ung, og der er få lukninger, så forskellen er "
            "usikker (se de skraverede konfidensbånd)."
        )
