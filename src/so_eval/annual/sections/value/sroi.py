"""Social afkast: the business case of the cooperation agreements for the public sector (in the
style of SØM) and its SROI, with the sensitivity to each assumption and to the effect's confidence
interval.

The business case turns the measured effect on self-support into saved public benefits, priced
with the unit prices of the report's parameters (``value.sroi.unit_prices``), and sets them
against the new participants' share of the agreements' yearly price. Without unit prices, without
an effect estimate or with too few new participants the subsection says why in one sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from so_eval import disclosure, fmt
from so_eval import glossary as g
from so_eval.annual.sections.value.base import Subsection, kr, mio, to_float
from so_eval.metrics import sroi as sr
from so_eval.metrics.reach import agreements_active, citizens_served
from so_eval.plots.value import tornado_plot
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.table import Col

__all__ = ["DEFAULT_SROI", "Sroi"]

DEFAULT_SROI: dict[str, Any] = {
    "horizon": 5,
    "drop_off": 0.25,
    "discount_rate": sr.DISCOUNT_RATE,
    "attribution": 1.0,
    "displacement": 0.0,
}
"""Assumptions used when ``params.value.sroi`` does not give them. ``attribution`` is, as in
``params/<year>.yaml``, the share of the outcome owed to the courses (1 = all of it)."""

SENSITIVITY_UNITS = {
    "effect_weeks": "uger",
    "participants": "deltagere",
    "cost_factor": "faktor",
    "price_factor": "faktor",
    "drop_off": "andel",
    "discount_rate": "rente",
    "horizon": "antal år",
}
"""The unit of each assumption of the sensitivity analysis."""

SENSITIVITY_NOTE = (
    "Break-even er den værdi af antagelsen, der giver en nettonutidsværdi på 0 (de andre antagelser "
    "uændrede); «ikke muligt inden for …» betyder, at det ikke sker i det interval, der er søgt i (højst "
    "alle borgere i forløb som deltagere, andele fra 0 til 100 %, faktorer fra 0 til 10). "
    "Udgiften følger antallet af deltagere (aftalernes pris pr. borger i forløb), så færre eller flere "
    "deltagere ændrer både udgift og besparelse. Effektens lave og høje værdi er grænserne for dens "
    "95 %-konfidensinterval."
)

INTRO = (
    "Giver samarbejdsaftalerne et afkast for det offentlige? En business case i stil med SØM (Den "
    "Socialøkonomiske Investeringsmodel) regner den målte effekt på selvforsørgelse om til sparede "
    "offentlige ydelser og stiller dem over for prisen på aftalerne."
)

CI_POINTS = {"estimate": "Punktestimat", "ci_low": "Nedre grænse (95 %)", "ci_high": "Øvre grænse (95 %)"}


def range_text(low: float, high: float, unit: str) -> str:
    """The range a break-even value is searched in, in words: ``0–225 deltagere``, ``0–100 %``."""
    if unit in ("andel", "rente"):
        d = 0 if unit == "andel" else 1
        return f"{fmt.number(100 * low, d)}–{fmt.percent(high, d)}"
    decimals, suffix = {
        "uger": (1, " uger"),
        "faktor": (2, ""),
        "antal år": (0, " år"),
        "deltagere": (0, " deltagere"),
    }.get(unit, (1, ""))
    return f"{fmt.number(low, decimals)}–{fmt.number(high, decimals)}{suffix}"


@dataclass(frozen=True)
class Costs:
    """What the new participants cost: their share of the agreements' yearly price."""

    total: float
    """The yearly price of the agreements in force at the end of the year."""
    served: int
    """Citizens in a course in the year."""
    participants: int
    """New participants in a target group with a unit price."""

    @property
    def per_participant(self) -> float:
        """The agreements' price per citizen in a course (the cost of a new participant)."""
        return self.total / self.served

    @property
    def cost(self) -> float:
        """Like for like: the price per citizen in a course × the new participants (so the cost
        follows the participants)."""
        return self.per_participant * self.participants


class Sroi(Subsection):
    """The business case and SROI: ``value.sroi.*``."""

    problem: str | None = None
    """Why the business case is not computed (None when it is)."""
    business_case = None
    """The business case (:func:`so_eval.metrics.sroi.business_case`), None when not computed."""
    price_table: Table | None = None
    """The unit prices (None when the parameters give none that can be used)."""
    prices_are_assumptions = False
    """Whether the unit prices are marked as assumptions (placeholders) in their source or note."""
    prices = price_year = assumptions = None
    result = sensitivity = at_ci = inputs = effect_ci = mix_table = sensitivity_table = ci_table = None

    def record(self, ledger: Ledger) -> None:
        self.ledger = ledger
        unit_prices = self._record_prices()
        if unit_prices is None or not self._effect_usable():
            return
        priced = self._record_participants(unit_prices)
        if priced is None:
            return
        costs = self._costs(len(priced))
        if costs is None:
            return
        given = {k: v for k, v in self.context.sroi_params.items() if k != "unit_prices" and v is not None}
        self.assumptions = {**DEFAULT_SROI, **given}
        attribution = float(self.assumptions["attribution"])
        if not 0 <= attribution <= 1:
            self.problem = f"value.sroi.attribution skal være en andel mellem 0 og 1, ikke {fmt.text(attribution)}."
            return
        counts = priced["target_group"].value_counts()
        if not self._compute(counts, costs):
            return
        self._record_mix(unit_prices, counts, len(priced))
        self._record_inputs(costs)
        self._record_results()
        self._record_sensitivity()
        self._record_ci()

    # -- what the business case needs -----------------------------------------------------------

    def _record_prices(self) -> pd.DataFrame | None:
        """The unit prices from the parameters, recorded with their table (None, with the problem
        noted, when there are none or they cannot be used)."""
        y = self.year
        prices = self.context.sroi_params.get("unit_prices") or {}
        if not prices:
            self.problem = (
                "Der er ikke angivet enhedspriser i rapportens parametre (`value.sroi.unit_prices` i "
                f"`params/{y}.yaml`), så business case og SROI beregnes ikke. Angiv den offentlige "
                "udgift pr. uge for hver målgruppe med kilde, prisår og note — helst SØM-enhedspriser."
            )
            return None
        try:
            table = sr.validate_prices(prices)
        except ValueError as exc:
            self.problem = (
                f"Enhedspriserne i parametrene kan ikke bruges, så business casen beregnes ikke: {fmt.text(exc)}."
            )
            return None
        self.prices = prices
        price_year = int(table["price_year"].iloc[0])
        self.price_year = price_year
        self.ledger.value("value.sroi.price_year", price_year, "Enhedsprisernes prisår", "årstal")
        self.price_table = self.ledger_table(
            table.assign(benefit_label=[g.category_label(b) for b in table["benefit"]]),
            key="value.sroi.price",
            id_col="benefit",
            id_label="Målgruppe (ydelse)",
            id_text=lambda r: r["benefit_label"],
            cols=[
                Col("municipality", "Kommune (kr./uge)", "value", "kr."),
                Col("state", "Stat (kr./uge)", "value", "kr."),
                Col("total", "I alt (kr./uge)", "value", "kr."),
                Col("price_year", "Prisår", "value", "årstal"),
                Col("source", "Kilde", "text", "antal"),
                Col("note", "Note", "text", "antal"),
            ],
            what="Enhedspris pr. uge",
            caption=f"Enhedspriser: den offentlige udgift til en uge på ydelsen (faste {price_year}-priser)",
        )
        self.prices_are_assumptions = any(
            "antagelse" in f"{r.source} {r.note}".lower() or "placeholder" in f"{r.source} {r.note}".lower()
            for r in table.itertuples()
        )
        return table

    def _effect_usable(self) -> bool:
        """Whether there is an effect estimate on enough participants (the problem noted if not)."""
        eff = self.context.effect
        if eff is None:
            self.problem = (
                "Der er ingen effektmåling for året, så business casen kan ikke beregnes: den bygger "
                "på den målte effekt på selvforsørgelse."
            )
            return False
        if getattr(eff, "n_treated", self.min_cell) < self.min_cell or not np.isfinite(to_float(eff.att)):
            self.problem = "Effektmålingen bygger på for få deltagere til at kunne bruges i en business case."
            return False
        return True

    def _participants(self) -> pd.DataFrame:
        """Citizens whose first course started in the year, with their target group."""
        c = self.ds.courses
        first = c.sort_values(["citizen_id", "start", "course_id"]).drop_duplicates("citizen_id")
        first = first.loc[first["start"].dt.year == self.year, ["citizen_id"]]
        groups = self.ds.citizens[["citizen_id", "target_group"]].drop_duplicates("citizen_id")
        return first.merge(groups, on="citizen_id", how="left")

    def _record_participants(self, unit_prices: pd.DataFrame) -> pd.DataFrame | None:
        """The year's new participants in a target group with a unit price (None, with the
        problem noted, when they are too few)."""
        y, m = self.year, self.min_cell
        part = self._participants()
        priced = part.loc[part["target_group"].isin(unit_prices["benefit"])]
        n_all, n = len(part), len(priced)
        self.ledger.count("value.sroi.participants", n_all, f"Nye deltagere i {y} (første forløb startet i året)")
        self.ledger.count(
            "value.sroi.participants_priced",
            n,
            f"Heraf i en målgruppe med enhedspris, {y}",
            secondary=disclosure.complement_small(n, n_all, m),
        )
        if n < m:
            self.problem = f"Der er for få nye deltagere med en enhedspris i {y} til en business case (færre end {m})."
            return None
        return priced

    def _costs(self, participants: int) -> Costs | None:
        """The agreements' price and the citizens they serve (None, with the problem noted, when
        no agreement with a price was in force)."""
        y = self.year
        total = float(agreements_active(self.ds, y)["price"].sum())
        served = citizens_served(self.ds, y)
        if total <= 0 or served <= 0:
            self.problem = f"Der var ingen gældende samarbejdsaftaler med en pris ved udgangen af {y}."
            return None
        return Costs(total, served, participants)

    def _compute(self, counts: pd.Series, costs: Costs) -> bool:
        """The business case, the SROI, the sensitivity and the business case at the effect's
        confidence limits (False, with the problem noted, when they cannot be computed)."""
        a, eff, n = self.assumptions, self.context.effect, costs.participants
        horizon = int(a["horizon"])
        inputs = sr.BusinessCaseInputs(
            effect_weeks=sr.effect_weeks_from_att(eff),
            participants=n,
            cost=0.0,
            cost_per_participant=costs.per_participant,
            prices=self.prices,
            benefit_mix={str(k): float(v) / n for k, v in counts.items()},
            horizon=horizon,
            drop_off=float(a["drop_off"]),
            discount_rate=float(a["discount_rate"]),
        )
        try:
            bc = sr.business_case(inputs)
            res = sr.sroi(
                float(bc.table["gross"].iloc[0]),
                costs.cost,
                horizon=horizon,
                drop_off=float(a["drop_off"]),
                discount_rate=float(a["discount_rate"]),
                deadweight="from_comparison_group",
                attribution=1.0 - float(a["attribution"]),
                displacement=float(a["displacement"]),
                from_effect_estimate=True,
            )
            ci = (sr.effect_weeks_from_att(to_float(eff.ci_low)), sr.effect_weeks_from_att(to_float(eff.ci_high)))
            if not all(np.isfinite(ci)):
                raise ValueError("the effect estimate has no confidence interval")
            # at most every citizen in a course can be a new participant
            sens = sr.business_case_sensitivity(
                inputs,
                ranges={"participants": (0.8 * n, min(1.2 * n, costs.served))},
                brackets={"participants": (0.0, float(costs.served))},
                effect_ci=ci,
            )
            at_ci = sr.business_case_at_ci(inputs, eff)
        except ValueError as exc:
            self.problem = f"Business casen kunne ikke beregnes: {fmt.text(exc)}."
            return False
        self.business_case, self.result, self.sensitivity, self.at_ci = bc, res, sens, at_ci
        self.inputs, self.effect_ci = inputs, ci
        return True

    # -- recording the business case ------------------------------------------------------------

    def _record_mix(self, unit_prices: pd.DataFrame, counts: pd.Series, n: int) -> None:
        """The table of the new participants by target group (the benefit they would otherwise get)."""
        y = self.year
        mix_rows = pd.DataFrame({"benefit": list(unit_prices["benefit"])})
        mix_rows["n"] = [int(counts.get(b, 0)) for b in mix_rows["benefit"]]
        mix_rows["den"] = n
        mix_rows["price"] = list(unit_prices["total"])
        self.mix_table = self.ledger_table(
            mix_rows,
            key="value.sroi.mix",
            id_col="benefit",
            id_label="Målgruppe",
            id_text=lambda r: g.category_label(r["benefit"]),
            cols=[
                Col("n", "Nye deltagere", "count", "borgere"),
                Col("share", "Andel", "share", "antal", num="n", den="den"),
                Col("price", "Pris pr. uge (kr.)", "value", "kr."),
            ],
            what=f"Nye deltagere {y}",
            caption=f"Årets nye deltagere efter målgruppe: hvilken ydelse de ellers ville få ({y})",
        )

    def _record_inputs(self, costs: Costs) -> None:
        """The business case's costs, effect and assumptions."""
        ledger, y, a, res = self.ledger, self.year, self.assumptions, self.result
        n_treated = int(self.context.effect.n_treated)
        ledger.value(
            "value.sroi.cost_total",
            costs.total,
            f"Årlig pris for samarbejdsaftaler gældende ved udgangen af {y}",
            "kr.",
        )
        ledger.count("value.sroi.citizens_served", costs.served, f"Borgere i forløb i {y}")
        ledger.value(
            "value.sroi.cost_per_participant",
            costs.per_participant,
            f"Aftalernes pris pr. borger i forløb, {y} (udgiften pr. ny deltager)",
            "kr.",
        )
        ledger.value(
            "value.sroi.cost", costs.cost, f"Udgift til de nye deltagere (andel af aftalernes pris), {y}", "kr."
        )
        ledger.stat(
            "value.sroi.att",
            100 * float(self.context.effect.att),
            n_treated,
            "Effekt: andel uger selvforsørgende (ATT)",
            "procentpoint",
        )
        ledger.stat(
            "value.sroi.effect_weeks",
            self.inputs.effect_weeks,
            n_treated,
            "Effekt i år 1: uger i selvforsørgelse pr. deltager (ATT × 52)",
            "uger",
        )
        ledger.stat(
            "value.sroi.effect_weeks_ci_low", self.effect_ci[0], n_treated, "Effekt i år 1, nedre grænse (95 %)", "uger"
        )
        ledger.stat(
            "value.sroi.effect_weeks_ci_high", self.effect_ci[1], n_treated, "Effekt i år 1, øvre grænse (95 %)", "uger"
        )
        ledger.value("value.sroi.horizon", int(a["horizon"]), "Tidshorisont", "antal år")
        ledger.value("value.sroi.drop_off", float(a["drop_off"]), "Aftagende effekt pr. år (drop-off)", "andel")
        ledger.value("value.sroi.discount_rate", float(a["discount_rate"]), "Diskonteringsrente pr. år", "rente")
        ledger.value("value.sroi.deadweight", res.deadweight, "Dødvægt (fra sammenligningsgruppen)", "andel")
        ledger.value(
            "value.sroi.attribution",
            float(a["attribution"]),
            "Tilskrivning: andel af udfaldet, der skyldes forløbene",
            "andel",
        )
        ledger.value("value.sroi.displacement", res.displacement, "Fortrængning", "andel")

    def _record_results(self) -> None:
        """The savings, the net present values, the payback year and the SROI ratio."""
        ledger, bc, res = self.ledger, self.business_case, self.result
        for part, label in (("municipality", "kommune"), ("state", "stat"), ("total", "i alt")):
            ledger.value(
                f"value.sroi.unit_saving.{part}",
                bc.unit_saving[part],
                f"Besparelse pr. uge i selvforsørgelse ({label}), vægtet med målgrupperne",
                "kr.",
            )
        ledger.value("value.sroi.pv_savings", bc.pv_savings, "Nutidsværdi af de offentlige besparelser", "kr.")
        ledger.value("value.sroi.pv_cost", bc.pv_cost, "Nutidsværdi af udgiften til aftalerne", "kr.")
        ledger.value("value.sroi.npv", bc.npv, "Business case: nettonutidsværdi for det offentlige", "kr.")
        ledger.value(
            "value.sroi.npv_municipality", bc.npv_municipality, "Business case: nettonutidsværdi for kommunen", "kr."
        )
        ledger.value("value.sroi.payback_year", bc.payback_year, "Tilbagebetalingsår", "år nr.")
        ledger.value("value.sroi.ratio", res.ratio, "SROI: nutidsværdi af udfald pr. investeret krone", "forhold")
        ledger.value("value.sroi.pv_outcomes", res.pv_outcomes, "SROI: nutidsværdi af udfaldene", "kr.")

    def _record_sensitivity(self) -> None:
        """Each assumption at a low and a high value, and its break-even (NPV = 0)."""
        rows = [self._record_assumption(r) for r in self.sensitivity.itertuples()]
        self.sensitivity_table = Table(
            pd.DataFrame(rows),
            caption="Følsomhed: nettonutidsværdien, når én antagelse ad gangen ændres",
            note=SENSITIVITY_NOTE,
        )

    def _record_assumption(self, r) -> dict[str, str]:
        """One assumption's row of the sensitivity table, its figures recorded."""
        ledger = self.ledger
        k, u = f"value.sroi.sensitivity.{r.assumption}", SENSITIVITY_UNITS.get(r.assumption, "antal")
        found = not math.isnan(r.break_even)
        within = f"inden for {range_text(r.bracket_low, r.bracket_high, u)}"
        status = f"fundet {within}" if found else f"ikke muligt {within}"
        base = ledger.value(f"{k}.base", float(r.base_value), f"{r.label}: basis", u)
        low = ledger.value(f"{k}.low", float(r.low_value), f"{r.label}: lav værdi", u)
        high = ledger.value(f"{k}.high", float(r.high_value), f"{r.label}: høj værdi", u)
        npv_low = ledger.value(f"{k}.npv_low", float(r.result_low), f"{r.label}: NPV ved lav værdi", "kr.")
        npv_high = ledger.value(f"{k}.npv_high", float(r.result_high), f"{r.label}: NPV ved høj værdi", "kr.")
        break_even = ledger.value(
            f"{k}.break_even",
            float(r.break_even) if found else None,
            f"{r.label}: break-even (NPV = 0; tom når ikke muligt, se break_even_status)",
            u,
        )
        shown = ledger.value(f"{k}.break_even_status", status, f"{r.label}: break-even (NPV = 0)", "status")
        return {
            "Antagelse": r.label,
            "Basis": base.display,
            "Lav": low.display,
            "Høj": high.display,
            "NPV ved lav (kr.)": npv_low.display,
            "NPV ved høj (kr.)": npv_high.display,
            "Break-even": break_even.display if found else shown.display,
        }

    def _record_ci(self) -> None:
        """The business case at the effect's point estimate and at its confidence limits."""
        at_ci = self.at_ci
        at = at_ci.assign(
            att=100 * at_ci["att"], payback_year=[None if math.isnan(v) else int(v) for v in at_ci["payback_year"]]
        )
        at["payback_year"] = at["payback_year"].astype(object)
        self.ci_table = self.ledger_table(
            at,
            key="value.sroi.ci",
            id_col="point",
            id_label="Effekt",
            id_text=lambda r: CI_POINTS[r["point"]],
            cols=[
                Col("att", "Effekt (procentpoint)", "value", "procentpoint"),
                Col("effect_weeks", "Uger pr. deltager i år 1", "value", "uger"),
                Col("npv", "NPV, det offentlige (kr.)", "value", "kr."),
                Col("npv_municipality", "NPV, kommunen (kr.)", "value", "kr."),
                Col("payback_year", "Tilbagebetalingsår", "value", "år nr."),
            ],
            what="Business case efter effektens konfidensinterval",
            caption="Business casen ved effektens punktestimat og ved grænserne for dens konfidensinterval",
        )

    # -- the block --------------------------------------------------------------------------------

    def block(self) -> Block:
        b = Block().md("### Social afkast (SROI og business case)")
        if self.business_case is None:
            b.md(INTRO)
            if self.price_table is not None:
                b.table(self.price_table)
            return b.md(self.problem or "Business casen er ikke beregnet.")
        b.md(f"{INTRO}\n\n{self._assumptions_text()}")
        warn = (
            "**Enhedspriserne er antagelser.** Priserne i tabellen er sat til demonstration og skal erstattes med "
            "enhedspriser fra SØM, før resultatet bruges til beslutninger."
            if self.prices_are_assumptions
            else "Enhedspriserne står i rapportens parametre med kilde, prisår og note; brug helst SØM-enhedspriser."
        )
        b.md(
            f"{warn} Enhedspriserne er i faste {self.f('value.sroi.price_year')}-priser, aftalernes pris i "
            f"{self.year}-priser."
        )
        b.table(self.price_table)
        b.table(self.mix_table)
        b.md(self._result_text())
        b.table(self.ci_table)
        top = self.sensitivity.iloc[0]
        b.md(
            f"**Følsomhed.** Tornadodiagrammet viser, hvor meget nettonutidsværdien ændrer sig, når én antagelse ad "
            f"gangen sættes til en lav og en høj værdi. Resultatet er mest følsomt for "
            f"{str(top['label']).split(' (')[0].lower()}. {self._break_even_text()}"
        )
        ax = tornado_plot(self.sensitivity, title="Følsomhed: nettonutidsværdi for det offentlige (kr.)")
        b.figure(ax.figure, "Tornadodiagram: business casens følsomhed for hver antagelse")
        b.table(self.sensitivity_table)
        return b

    def _assumptions_text(self) -> str:
        """The business case's assumptions in Danish: effect, drop-off, horizon, savings and cost."""
        ledger, y = self.ledger, self.year
        horizon_txt = ""
        spec = self.context.effect_spec
        if spec is not None and getattr(spec, "horizon", None):
            lo_hi = str(spec.horizon).replace("-", "–")
            horizon_txt = f" Effekten er målt i uge {lo_hi} efter start og bruges som effekten i hele år 1."
        unpriced = ""
        if ledger["value.sroi.participants"].value != ledger["value.sroi.participants_priced"].value:
            unpriced = (
                f" (af {self.f('value.sroi.participants')} nye deltagere; de øvrige er i en målgruppe uden "
                "enhedspris og regnes ikke med)"
            )
        return (
            f"**Antagelser.** Effektmålingen viser {self.f('value.sroi.att')} procentpoint flere uger som "
            f"selvforsørgende for deltagerne end for sammenlignelige borgere; det svarer til "
            f"{self.f('value.sroi.effect_weeks')} uger i selvforsørgelse pr. deltager i år 1 (ATT × 52; 95 %-interval "
            f"{self.f('value.sroi.effect_weeks_ci_low')}–{self.f('value.sroi.effect_weeks_ci_high')} uger)."
            f"{horizon_txt} "
            f"Effekten aftager med {self.f('value.sroi.drop_off')} om året og følges i {self.f('value.sroi.horizon')} "
            f"år, diskonteret med {self.f('value.sroi.discount_rate')} om året (Finansministeriets "
            f"samfundsøkonomiske diskonteringsrente; år 1 diskonteres ikke). Gevinsten regnes for de "
            f"{self.f('value.sroi.participants_priced')} borgere, der startede deres første forløb i {y}"
            f"{unpriced}, og hver uge i selvforsørgelse sparer i "
            f"gennemsnit {kr(ledger['value.sroi.unit_saving.total'])} "
            f"({kr(ledger['value.sroi.unit_saving.municipality'])} for kommunen og "
            f"{kr(ledger['value.sroi.unit_saving.state'])} for staten), vægtet med deltagernes målgrupper. Udgiften er "
            f"de nye deltageres andel af den årlige pris for de samarbejdsaftaler, der var gældende ved udgangen af "
            f"{y} ({mio(ledger['value.sroi.cost_total'])} for {ledger['value.sroi.citizens_served'].display} borgere "
            f"i forløb): {mio(ledger['value.sroi.cost'])} Udgiften tælles kun i det første år; et forløb kan vare "
            f"længere, så business casen kan undervurdere udgiften."
        )

    def _result_text(self) -> str:
        """The net present values, the payback year and the SROI ratio in Danish."""
        ledger = self.ledger
        payback = ledger["value.sroi.payback_year"].value
        pay = (
            f"Investeringen er tjent hjem i år {payback}."
            if payback is not None
            else f"Investeringen er ikke tjent hjem inden for de {self.f('value.sroi.horizon')} år."
        )
        verdict = "et overskud" if ledger["value.sroi.npv"].value >= 0 else "et underskud"
        verdict_m = "et overskud" if ledger["value.sroi.npv_municipality"].value >= 0 else "et underskud"
        return (
            f"**Resultat.** Nutidsværdien af de sparede ydelser er {mio(ledger['value.sroi.pv_savings'])} mod en "
            f"udgift på {mio(ledger['value.sroi.pv_cost'])} Business casens nettonutidsværdi for det offentlige er "
            f"{mio(ledger['value.sroi.npv'])} ({verdict}); for kommunen alene er den "
            f"{mio(ledger['value.sroi.npv_municipality'])} ({verdict_m}). "
            f"{pay}\n\n"
            f"**SROI.** Hver investeret krone giver {self.f('value.sroi.ratio')} kr. tilbage i sparede offentlige "
            f"ydelser (nutidsværdi). Dødvægten er {self.f('value.sroi.deadweight')}: effekten er målt mod en "
            f"sammenligningsgruppe, så det, der ville være sket alligevel, er allerede trukket fra. "
            f"{self.f('value.sroi.attribution')} af effekten tilskrives forløbene, og fortrængningen er sat til "
            f"{self.f('value.sroi.displacement')}. Regnestykket medtager kun sparede ydelser — ikke skatteindtægter, "
            "sundhed, livskvalitet eller værdien for virksomhederne — og undervurderer derfor det samlede afkast."
        )

    def _break_even_text(self) -> str:
        """What the effect and the number of participants would have to be for the NPV to be 0."""
        ledger, k = self.ledger, "value.sroi.sensitivity"
        be, n = ledger[f"{k}.effect_weeks.break_even"], ledger[f"{k}.participants.break_even"]
        effect = (
            f"Effekten skulle være {be.display} uger pr. deltager i år 1, for at business casen går i nul."
            if be.value is not None
            else f"En effekt, der får business casen i nul, er {ledger[f'{k}.effect_weeks.break_even_status'].display}."
        )
        people = (
            f"Business casen går i nul ved {n.display} deltagere."
            if n.value is not None
            else f"Et antal deltagere, der får business casen i nul, er "
            f"{ledger[f'{k}.participants.break_even_status'].display}."
        )
        return (
            f"{effect} Udgiften følger antallet af deltagere "
            f"({kr(ledger['value.sroi.cost_per_participant'])} pr. deltager), så flere eller færre deltagere "
            f"ændrer besparelse og udgift i samme forhold, men ikke, om der er overskud eller underskud. {people}"
        )
