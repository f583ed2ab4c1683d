"""FN's verdensmål og cirkulær økonomi: the enterprises, pilots and trial actions under each UN
goal they name, and the circular economy year by year (table ``circular``)."""

from __future__ import annotations

from so_eval.annual.sections.value.base import Subsection, has_table, missing_text
from so_eval.metrics import value as mv
from so_eval.reporting.blocks import Block
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.table import Col

__all__ = ["SDG_NAMES", "SdgCircular"]

SDG_NAMES = {
    1: "Afskaf fattigdom",
    2: "Stop sult",
    3: "Sundhed og trivsel",
    4: "Kvalitetsuddannelse",
    5: "Ligestilling mellem kønnene",
    6: "Rent vand og sanitet",
    7: "Bæredygtig energi",
    8: "Anstændige jobs og økonomisk vækst",
    9: "Industri, innovation og infrastruktur",
    10: "Mindre ulighed",
    11: "Bæredygtige byer og lokalsamfund",
    12: "Ansvarligt forbrug og produktion",
    13: "Klimaindsats",
    14: "Livet i havet",
    15: "Livet på land",
    16: "Fred, retfærdighed og stærke institutioner",
    17: "Partnerskaber for handling",
}


def _goal_text(r: dict) -> str:
    """A UN goal's row label: number and name, marked when it is one of the strategy's."""
    return f"{r['goal']}. {SDG_NAMES.get(int(r['goal']), '')}" + (" (strategiens fokus)" if r["focus"] else "")


class SdgCircular(Subsection):
    """The UN goals (``value.sdg.*``) and the circular economy (``value.circular.*``)."""

    circular = None
    """The circular economy year by year (None when the dataset has no such table)."""
    circular_note = ""
    """Why the circular economy is not shown."""
    circular_table = None

    def record(self, ledger: Ledger) -> None:
        self.ledger, y = ledger, self.year
        sdg = mv.sdg_mapping(self.ds, y)
        sdg = sdg.loc[sdg["focus"] | (sdg["total"] > 0)].sort_values(["focus", "goal"], ascending=[False, True])
        self.sdg = sdg
        self.sdg_table = self.ledger_table(
            sdg,
            key="value.sdg",
            id_col="goal",
            id_label="Verdensmål",
            id_text=_goal_text,
            cols=[
                Col("enterprises", "Virksomheder", "value", "virksomheder"),
                Col("pilots", "Piloter", "value", "piloter"),
                Col("trial_actions", "Prøvehandlinger", "value", "piloter"),
                Col("total", "I alt", "value", "antal"),
            ],
            what=f"FN's verdensmål {y}",
            caption=f"Virksomheder, piloter og prøvehandlinger efter FN's verdensmål, {y}",
            note="Virksomheder aktive ved årets udgang; piloter og prøvehandlinger i gang i året. En enhed, der "
            "angiver flere mål, tælles under hvert.",
        )
        if not has_table(self.ds, "circular"):
            self.circular_note = missing_text("circular", "den cirkulære økonomi")
            return
        self._record_circular()

    def _record_circular(self) -> None:
        """The circular economy: the year's figures and the table of the years since the first."""
        ledger, y = self.ledger, self.year
        years = self.context.years_from(int(self.ds.circular["year"].min()))
        self.record_completeness("circular", years)
        t = mv.circular_output(self.ds, years)
        self.circular = t
        cur = t.loc[t["year"] == y].iloc[0]
        for col, label, unit in (
            ("enterprises", f"Virksomheder med cirkulær økonomi i {y}", "virksomheder"),
            ("items_repaired", f"Reparerede genstande i {y}", "genstande"),
            ("kg_reused", f"Kg genbrugt i {y}", "kg"),
            ("citizen_courses", f"Borgerkurser med affaldsselskabet i {y}", "kurser"),
        ):
            ledger.value(f"value.circular.{col}", float(cur[col]) if col == "kg_reused" else int(cur[col]), label, unit)
        self.circular_table = self.ledger_table(
            t,
            key="value.circular.year",
            id_col="year",
            id_label="År",
            id_text=self.year_text("circular"),
            cols=[
                Col("enterprises", "Virksomheder", "value", "virksomheder"),
                Col("items_repaired", "Reparerede genstande", "value", "genstande"),
                Col("kg_reused", "Kg genbrugt", "value", "kg"),
                Col("citizen_courses", "Borgerkurser", "value", "kurser"),
            ],
            what="Cirkulær økonomi",
            caption="Cirkulær økonomi år for år",
            note=self.provisional_note("circular", years).strip(),
        )
        self.mark_complete("circular", [k for k in ledger.figures if k.startswith("value.circular.")])

    def block(self) -> Block:
        b, y = Block().md("### FN's verdensmål og cirkulær økonomi"), self.year
        focus = self.sdg.loc[self.sdg["focus"]]
        parts = [
            f"mål {int(r.goal)} ({SDG_NAMES[int(r.goal)].lower()}): {self.f(f'value.sdg.{int(r.goal)}.total')}"
            for r in focus.itertuples()
        ]
        pilots = (
            ""
            if has_table(self.ds, "pilots")
            else (" Datasættet har ingen tabel `pilots`, så kun virksomhederne tælles med.")
        )
        b.md(
            f"Strategien knytter socialøkonomien til FN's verdensmål 4, 8, 15 og 17. Tabellen tæller de aktive "
            f"virksomheder og de piloter og prøvehandlinger, der var i gang i {y}, under hvert mål, de selv angiver: "
            + "; ".join(parts)
            + f". Andre mål vises, når de forekommer.{pilots}"
        )
        b.table(self.sdg_table)
        if self.circular is None:
            return b.md(self.circular_note)
        b.md(
            f"**Cirkulær økonomi** (bæredygtighedsstrategiens handling 45): i {y} indberettede "
            f"{self.f('value.circular.enterprises')} virksomheder, at de havde repareret "
            f"{self.f('value.circular.items_repaired')} genstande, genbrugt {self.f('value.circular.kg_reused')} kg "
            f"og holdt {self.f('value.circular.citizen_courses')} borgerkurser sammen med affaldsselskabet. "
            + self.sentence("circular")
        )
        b.table(self.circular_table)
        return b
