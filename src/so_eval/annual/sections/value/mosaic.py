"""Mosaikøkonomi: the enterprises' revenue by sector, its concentration (HHI) and the enterprises
that depend on one source of income, this year and year by year (table ``finances``)."""

from __future__ import annotations

from so_eval import fmt
from so_eval.annual.sections.value.base import Subsection, has_table, kr, missing_text
from so_eval.data.model_value import REVENUE_SECTORS
from so_eval.metrics import value as mv
from so_eval.plots.value import revenue_mix_plot
from so_eval.reporting.blocks import Block
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.table import Col

__all__ = ["SECTOR_LABELS", "SOURCE_LABELS", "Mosaic"]

SECTOR_LABELS = {
    "privat": "Privat salg",
    "offentlig": "Offentlige kontrakter (inkl. samarbejdsaftaler)",
    "civilsamfund": "Fonde og donationer (civilsamfund)",
    "andet": "Andre indtægter",
}
SOURCE_LABELS = {
    "revenue_private_sales": "privat salg",
    "revenue_public_contracts": "offentlige kontrakter",
    "revenue_foundations": "fonde og puljer",
    "revenue_donations": "donationer",
    "revenue_other": "andre indtægter",
}
ENTERPRISES = "virksomheder"


class Mosaic(Subsection):
    """The mosaic economy: ``value.mosaic.*``."""

    mix = None
    """This year's revenue mix per enterprise with revenue (None when there is none)."""
    note = ""
    """Why the subsection is empty."""
    years_table = dependent = dependent_table = None

    def record(self, ledger: Ledger) -> None:
        self.ledger, y, ds = ledger, self.year, self.ds
        if not has_table(ds, "finances"):
            self.note = missing_text("finances", "virksomhedernes indtægtsmix (mosaikøkonomien)")
            return
        self.record_completeness("finances", self.context.years_from(int(ds.finances["year"].min())))
        mix = mv.revenue_mix(ds, y, self.context.dependency_share)
        mix = mix.loc[mix["revenue"] > 0].reset_index(drop=True)
        if mix.empty:
            self.note = (
                f"Der er endnu ikke indberettet regnskaber med omsætning for {y}, så mosaikøkonomien kan ikke "
                f"opgøres. {self.sentence('finances')}"
                if self.provisional("finances", y)
                else f"Der er ingen regnskaber med omsætning for {y}, så mosaikøkonomien kan ikke opgøres."
            )
            return
        self.mix = mix
        self._record_year()
        self._record_years()
        self._record_dependent()
        self.mark_complete(
            "finances",
            [k for k in ledger.figures if k.startswith("value.mosaic.") and k != "value.mosaic.dependency_share"],
        )

    def _record_year(self) -> None:
        """The report year's figures, over all enterprises and by sector."""
        ledger, y, share = self.ledger, self.year, self.context.dependency_share
        cur = mv.mosaic_per_year(self.ds, [y], share).iloc[0]
        u = ENTERPRISES
        ledger.value(
            "value.mosaic.enterprises", int(cur["enterprises"]), f"Virksomheder med regnskab og omsætning i {y}", u
        )
        ledger.value("value.mosaic.revenue", float(cur["revenue"]), f"Samlet omsætning i {y}", "kr.")
        ledger.value(
            "value.mosaic.median_hhi",
            float(cur["median_hhi"]),
            f"Median af HHI (indtægtskoncentration) i {y}",
            "indeks",
        )
        ledger.value(
            "value.mosaic.median_largest_share",
            float(cur["median_largest_share"]),
            f"Median af den største indtægtskildes andel i {y}",
            "andel",
        )
        ledger.value(
            "value.mosaic.sectors_2plus",
            int(cur["sectors_2plus"]),
            f"Virksomheder med mindst to sektorer på 10 % eller mere i {y}",
            u,
        )
        ledger.value("value.mosaic.dependency_share", share, "Grænse for afhængighed af én kilde", "andel")
        ledger.value(
            "value.mosaic.dependent", int(cur["dependent"]), f"Virksomheder afhængige af én indtægtskilde i {y}", u
        )
        ledger.value(
            "value.mosaic.dependent_share",
            float(cur["dependent_share"]),
            f"Andel afhængige af én indtægtskilde i {y}",
            "andel",
        )
        for r in mv.revenue_by_sector(self.ds, [y]).itertuples():
            ledger.value(
                f"value.mosaic.sector.{fmt.slug(r.sector)}.amount",
                float(r.amount),
                f"Omsætning i {y}: {SECTOR_LABELS[r.sector].lower()}",
                "kr.",
            )
            ledger.value(
                f"value.mosaic.sector.{fmt.slug(r.sector)}.share",
                float(r.share),
                f"Andel af omsætningen i {y}: {SECTOR_LABELS[r.sector].lower()}",
                "andel",
            )

    def _record_years(self) -> None:
        """The table of the years since the first accounts."""
        ds = self.ds
        years = self.context.years_from(int(ds.finances["year"].min()))
        per_year = mv.mosaic_per_year(ds, years, self.context.dependency_share)
        sectors = mv.revenue_by_sector(ds, years).pivot(index="year", columns="sector", values="share")
        sectors = sectors.reindex(columns=list(REVENUE_SECTORS)).reset_index()
        per_year = per_year.merge(sectors, on="year", how="left")
        per_year = per_year.loc[per_year["enterprises"] > 0]
        u = ENTERPRISES
        self.years_table = self.ledger_table(
            per_year,
            key="value.mosaic.year",
            id_col="year",
            id_label="År",
            id_text=self.year_text("finances"),
            cols=[Col("enterprises", "Virksomheder", "value", u), Col("revenue", "Omsætning (kr.)", "value", "kr.")]
            + [Col(s, SECTOR_LABELS[s].split(" (")[0], "value", "andel") for s in REVENUE_SECTORS]
            + [
                Col("median_hhi", "HHI (median)", "value", "indeks"),
                Col("dependent", "Afhængige af én kilde", "value", u),
            ],
            caption="Mosaikøkonomi år for år: omsætning efter sektor (andele), koncentration og afhængighed",
            note="HHI (Herfindahl–Hirschman-indekset) er summen af de fem indtægtskilders andele i anden: "
            "0,20 = ligeligt fordelt over alle fem kilder, 1 = én kilde." + self.provisional_note("finances", years),
        )

    def _record_dependent(self) -> None:
        """The enterprises that depend on one source of income."""
        share = self.context.dependency_share
        dep = mv.dependent_enterprises(self.ds, self.year, share)
        dep["source"] = dep["largest_source"].map(SOURCE_LABELS)
        self.dependent = dep
        self.dependent_table = self.ledger_table(
            dep,
            key="value.mosaic.dependent_enterprise",
            id_col="enterprise_id",
            id_label="Virksomhed/initiativ",
            id_text=lambda r: f"{r['name']} ({r['enterprise_id']})",
            cols=[
                Col("source", "Største kilde", "text", "antal"),
                Col("largest_share", "Kildens andel", "value", "andel"),
                Col("revenue", "Omsætning (kr.)", "value", "kr."),
            ],
            caption=f"Virksomheder afhængige af én indtægtskilde i {self.year} (over {fmt.percent(share)})",
        )

    def block(self) -> Block:
        b, y = Block().md("### Mosaikøkonomi"), self.year
        if self.mix is None:
            return b.md(self.note)
        sec = {s: self.f(f"value.mosaic.sector.{fmt.slug(s)}.share") for s in REVENUE_SECTORS}
        b.md(
            f"Strategien vil have socialøkonomien til at bygge på en *mosaikøkonomi*: indtægter fra flere sektorer, "
            f"så den enkelte virksomhed ikke står og falder med én kunde eller én bevilling. I {y} havde "
            f"{self.f('value.mosaic.enterprises')} virksomheder og initiativer regnskab med omsætning, i alt "
            f"{kr(self.ledger['value.mosaic.revenue'])} Omsætningen kom {sec['privat']} fra privat salg, "
            f"{sec['offentlig']} fra offentlige kontrakter (inkl. Jobcentrets samarbejdsaftaler), "
            f"{sec['civilsamfund']} fra fonde og donationer og {sec['andet']} fra andre indtægter.\n\n"
            f"Den typiske (median) virksomhed fik {self.f('value.mosaic.median_largest_share')} af sin omsætning "
            f"fra sin største kilde, og dens HHI var {self.f('value.mosaic.median_hhi')} (0,20 = ligeligt fordelt "
            f"over fem kilder, 1 = én kilde). {self.f('value.mosaic.sectors_2plus')} havde mindst to sektorer, der "
            f"hver gav mindst 10 % af omsætningen."
        )
        if note := self.sentence("finances"):
            b.md(note)
        n_dep = int(self.ledger["value.mosaic.dependent"].value)
        b.md(
            self._dependent_text()
            if n_dep
            else f"Ingen virksomhed fik mere end {self.f('value.mosaic.dependency_share')} af omsætningen fra én kilde."
        )
        ax = revenue_mix_plot(
            self.mix,
            dependency_share=self.context.dependency_share,
            title=f"Indtægter efter sektor pr. virksomhed, {y}",
        )
        b.figure(ax.figure, f"Indtægtsmix pr. virksomhed i {y}")
        if n_dep:
            b.table(self.dependent_table)
        b.table(self.years_table)
        return b

    def _dependent_text(self) -> str:
        """The risk of the enterprises that depend on one source, with their names."""
        key = "value.mosaic.dependent_enterprise"
        names = ", ".join(
            f"{fmt.text(r.name)} ({fmt.text(SOURCE_LABELS.get(r.largest_source, r.largest_source))}, "
            f"{self.f(f'{key}.{fmt.slug(r.enterprise_id)}.largest_share')})"
            for r in self.dependent.itertuples()
        )
        return (
            f"**Risiko: afhængighed af én kilde.** {self.f('value.mosaic.dependent')} virksomheder "
            f"({self.f('value.mosaic.dependent_share')}) fik mere end {self.f('value.mosaic.dependency_share')} "
            f"af omsætningen fra én kilde: {names}. Mister de den kilde, mister de det meste af omsætningen; "
            "de bør have hjælp til at brede indtægterne ud."
        )
