"""Fundraising og Den Gyldne Donation: applications and gifts of the year (by giver type), the
professional fundraiser on no cure no pay, and how many givers give again (table ``fundraising``).

A giver may be a private person: the givers are counted as persons (1–4 shown as "<5"), and the
private persons' gifts and amount are hidden when they are few.
"""

from __future__ import annotations

import math

import pandas as pd

from so_eval import disclosure, fmt
from so_eval.annual.sections.value.base import Subsection, has_table, kr, missing_text, to_float
from so_eval.metrics import value as mv
from so_eval.plots.value import donor_flow_plot
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Figure, Ledger
from so_eval.reporting.table import Col

__all__ = ["GIVER_LABELS", "Fundraising"]

GIVER_LABELS = {
    "fond": "Fonde",
    "virksomhed": "Virksomheder",
    "privatperson": "Privatpersoner",
    "offentlig pulje": "Offentlige puljer",
    "forening": "Foreninger",
}
FLOWS = ("new", "retained", "recaptured", "lapsed")
"""The givers' flows from one year to the next (the donor plot's bars)."""


class Fundraising(Subsection):
    """Fundraising, the fundraiser and the givers: ``value.fundraising.*``, ``value.fundraiser.*``,
    ``value.donors.*``."""

    totals = None
    """The year's fundraising figures (None when the dataset has no fundraising)."""
    fundraiser = None
    """The fundraiser's year table (None when no application went through one)."""
    donors = None
    """The givers year by year (None when there is no earlier year to compare with)."""
    note = ""
    """Why the subsection is empty."""
    giver_table = fundraiser_table = donor_table = None

    def record(self, ledger: Ledger) -> None:
        self.ledger = ledger
        if not has_table(self.ds, "fundraising"):
            self.note = missing_text("fundraising", "fundraising og donationer")
            return
        self._record_totals()
        self._record_giver_types()
        self._record_fundraiser()
        self._record_donors()

    # -- recording ------------------------------------------------------------------------------

    def _record_totals(self) -> None:
        """The year's applications, gifts and amounts."""
        y = self.year
        fr = mv.fundraising_per_year(self.ds, [y]).iloc[0]
        self.totals = fr
        for col, label, unit in (
            ("applications", f"Ansøgninger indsendt i {y}", "ansøgninger"),
            ("decided", f"Ansøgninger afgjort i {y}", "ansøgninger"),
            ("successful", f"Ansøgninger bevilget i {y}", "ansøgninger"),
            ("success_rate", f"Succesrate for ansøgninger afgjort i {y}", "andel"),
            ("pending", f"Ansøgninger, der afventer svar ved udgangen af {y}", "ansøgninger"),
            ("applied_amount", f"Ansøgt i ansøgninger afgjort i {y}", "kr."),
            ("granted_amount", f"Bevilget i ansøgninger afgjort i {y}", "kr."),
            ("donations", f"Donationer i {y}", "gaver"),
            ("donation_amount", f"Donationer i {y} (beløb)", "kr."),
            ("gifts", f"Gaver og bevillinger i {y}", "gaver"),
            ("raised", f"Indsamlet i alt i {y}", "kr."),
            ("digital_gifts", f"Digitale gaver i {y}", "gaver"),
            ("digital_share", f"Andel digitale gaver i {y}", "andel"),
        ):
            val = to_float(fr[col])
            val = None if math.isnan(val) else (val if unit in ("kr.", "andel") else int(val))
            self.ledger.value(f"value.fundraising.{col}", val, label, unit)

    def _record_giver_types(self) -> None:
        """The year's fundraising by giver type; gifts from private persons are about persons:
        counted, and their amount suppressed where they are few."""
        by = mv.fundraising_by(self.ds, self.year, "giver_type")
        partner = self._partner_type(by)
        rows = []
        for r in by.itertuples():
            shown = GIVER_LABELS.get(r.giver_type, r.giver_type)
            apps, rate, gifts, raised = self._record_giver_type(r, shown, partner)
            rows.append(
                {
                    "Givertype": shown,
                    "Ansøgninger": apps.display,
                    "Succesrate": rate.display,
                    "Gaver og bevillinger": gifts.display,
                    "Indsamlet (kr.)": raised.display,
                }
            )
        self.giver_table = Table(
            pd.DataFrame(rows),
            caption=f"Fundraising i {self.year} efter givertype",
            note="Succesrate = bevilgede ÷ afgjorte ansøgninger. Gaver fra privatpersoner "
            f"vises som «{disclosure.masked(self.min_cell)}», når de er færre end "
            f"{self.min_cell}, og beløbet vises så ikke.",
        )

    def _partner_type(self, by: pd.DataFrame) -> str | None:
        """The giver type hidden with the private persons: the types add up to the published totals
        (gifts, amount raised), so where the private persons' gifts are hidden, the smallest other
        type's are hidden too (None when they are not hidden)."""
        private = by.loc[by["giver_type"] == "privatperson", "gifts"]
        if len(private) and disclosure.count_suppressed(int(private.iloc[0]), self.min_cell):
            others = by.loc[(by["giver_type"] != "privatperson") & (by["gifts"] > 0)]
            if len(others):
                return others.sort_values(["gifts", "giver_type"]).iloc[0]["giver_type"]
        return None

    def _record_giver_type(self, r, shown: str, partner: str | None) -> tuple[Figure, Figure, Figure, Figure]:
        """One giver type's applications, success rate, gifts and amount raised."""
        ledger = self.ledger
        k = f"value.fundraising.giver_type.{fmt.slug(r.giver_type)}"
        lab = f"Fundraising {self.year}, {shown.lower()}"
        person = r.giver_type == "privatperson"
        apps = ledger.value(f"{k}.applications", int(r.applications), f"{lab}: ansøgninger", "ansøgninger")
        rate = ledger.value(
            f"{k}.success_rate",
            None if math.isnan(r.success_rate) else float(r.success_rate),
            f"{lab}: succesrate",
            "andel",
        )
        if person or r.giver_type == partner:
            gifts = ledger.count(
                f"{k}.gifts", int(r.gifts), f"{lab}: gaver", "borgere" if person else "gaver", secondary=not person
            )
            raised = ledger.stat(
                f"{k}.raised",
                float(r.raised),
                int(r.gifts) if person and r.gifts else self.min_cell,
                f"{lab}: indsamlet",
                "kr.",
                hidden=not person,
            )
        else:
            gifts = ledger.value(f"{k}.gifts", int(r.gifts), f"{lab}: gaver", "gaver")
            raised = ledger.value(f"{k}.raised", float(r.raised), f"{lab}: indsamlet", "kr.")
        return apps, rate, gifts, raised

    def _record_fundraiser(self) -> None:
        """The professional fundraiser (no cure no pay): the year, the years since the first and
        their total."""
        ledger, y = self.ledger, self.year
        fr = self.ds.fundraising
        via = fr["via_fundraiser"].astype(bool)
        if not via.any():
            return
        first = int(fr.loc[via, "submitted"].dt.year.min())
        if first > y:
            return
        t = mv.fundraiser_fees(self.ds, self.context.years_from(first))
        self.fundraiser = t
        cur = t.loc[t["year"] == y].iloc[0]
        ledger.value("value.fundraiser.from_year", first, "Første år med ansøgninger via fundraiser", "årstal")
        for col, label, unit in (
            ("decided", f"Ansøgninger via fundraiser afgjort i {y}", "ansøgninger"),
            ("successful", f"Ansøgninger via fundraiser bevilget i {y}", "ansøgninger"),
            ("success_rate", f"Succesrate via fundraiser i {y}", "andel"),
            ("success_rate_other", f"Succesrate uden fundraiser i {y}", "andel"),
            ("raised", f"Indbragt via fundraiser i {y}", "kr."),
            ("fees", f"Honorar til fundraiser i {y}", "kr."),
            ("net_gain", f"Nettogevinst via fundraiser i {y}", "kr."),
            ("fee_ratio", f"Honorar som andel af det indbragte i {y}", "andel"),
            ("fees_without_grant", f"Honorar på afslag eller uafgjorte ansøgninger i {y}", "kr."),
        ):
            val = cur[col]
            missing = isinstance(val, float) and math.isnan(val)
            val = None if missing else (float(val) if unit != "ansøgninger" else int(val))
            ledger.value(f"value.fundraiser.{col}", val, label, unit)
        for col, label in (
            ("raised", "Indbragt via fundraiser"),
            ("fees", "Honorar til fundraiser"),
            ("net_gain", "Nettogevinst via fundraiser"),
        ):
            ledger.value(f"value.fundraiser.total.{col}", float(t[col].sum()), f"{label} {first}–{y}", "kr.")
        self.fundraiser_table = self.ledger_table(
            t,
            key="value.fundraiser.year",
            id_col="year",
            id_label="År",
            id_text=lambda r: str(r["year"]),
            cols=[
                Col("decided", "Afgjorte ansøgninger", "value", "ansøgninger"),
                Col("success_rate", "Succesrate", "value", "andel"),
                Col("success_rate_other", "Succesrate uden fundraiser", "value", "andel"),
                Col("raised", "Indbragt (kr.)", "value", "kr."),
                Col("fees", "Honorar (kr.)", "value", "kr."),
                Col("net_gain", "Netto (kr.)", "value", "kr."),
            ],
            what="Fundraiser (no cure no pay)",
            caption="Den professionelle fundraiser (no cure no pay) år for år",
        )

    def _record_donors(self) -> None:
        """The givers year by year (Den Gyldne Donation), from the year after the first gift."""
        y = self.year
        fr = self.ds.fundraising
        granted = fr["granted"].fillna(0).astype(float) > 0
        if not granted.any():
            return
        gift_date = fr["decided"].where(fr["decided"].notna(), fr["submitted"])
        first = int(gift_date.loc[granted].dt.year.min())
        if first >= y:  # no earlier year to compare with
            return
        years = list(range(first + 1, y + 1))  # the first year has no year before it
        t = mv.donor_retention(self.ds, [years[0] - 1] + years)
        prev = t.set_index("year")
        t = t.loc[t["year"].isin(years)].reset_index(drop=True)
        self.donors = t
        cur = t.loc[t["year"] == y].iloc[0]
        self._record_retention_rates(cur, int(prev.loc[y - 1, "new"]))
        self._record_donor_table(t)
        self._record_donor_counts(cur)

    def _record_retention_rates(self, cur: pd.Series, new_prev: int) -> None:
        """How many of last year's new and earlier givers gave again, and the share of repeat givers."""
        y, ledger = self.year, self.ledger
        other_prev = int(cur["givers_prev"]) - new_prev
        ledger.share(
            "value.donors.new_retention_rate",
            round(to_float(cur["new_retention_rate"]) * new_prev) if new_prev else 0,
            new_prev,
            f"Fastholdelsesgrad {y} for givere, der var nye i {y - 1}",
        )
        ledger.share(
            "value.donors.repeat_retention_rate",
            round(to_float(cur["repeat_retention_rate"]) * other_prev) if other_prev else 0,
            other_prev,
            f"Fastholdelsesgrad {y} for tidligere givere",
        )
        ledger.share(
            "value.donors.repeat_share", int(cur["repeat_givers"]), int(cur["givers"]), f"Andel gentagne givere {y}"
        )

    def _record_donor_table(self, t: pd.DataFrame) -> None:
        m = self.min_cell
        self.donor_table = self.ledger_table(
            t,
            key="value.donors.year",
            id_col="year",
            id_label="År",
            id_text=lambda r: str(r["year"]),
            cols=[
                Col("givers", "Givere", "count", "borgere"),
                Col("new", "Nye", "count", "borgere", within="givers", group="givers"),
                Col("retained", "Fastholdte", "count", "borgere", within="givers", group=("givers", "prev")),
                Col("recaptured", "Genvundne", "count", "borgere", within="givers", group="givers"),
                Col("lapsed", "Tabte", "count", "borgere", group="prev"),
                Col("retention_rate", "Fastholdelsesgrad", "share", "antal", num="retained", den="givers_prev"),
            ],
            what="Givere",
            protect_totals=False,
            caption="Givere år for år (Den Gyldne Donation)",
            note=(
                "Nye: gav i året og aldrig før. Fastholdte: gav både året før og i året. Genvundne: gav tidligere, "
                "ikke året før, men igen i året. Tabte: gav året før, men ikke i året. Fastholdelsesgrad = "
                "fastholdte ÷ givere året før. En giver kan være en privatperson, så antal fra 1 til "
                f"{m - 1} vises som «{disclosure.masked(m)}»."
            ),
        )

    def _record_donor_counts(self, cur: pd.Series) -> None:
        """This year's givers: counted as persons (1–4 suppressed); the counts are the table's last
        row and are hidden where the table hides them (secondary suppression)."""
        ledger, y = self.ledger, self.year
        in_table = {"givers": y, "givers_prev": y - 1, "new": y, "retained": y, "recaptured": y, "lapsed": y}
        for col, label in (
            ("givers", f"Givere i {y}"),
            ("givers_prev", f"Givere i {y - 1}"),
            ("new", f"Nye givere i {y}"),
            ("retained", f"Fastholdte givere i {y}"),
            ("recaptured", f"Genvundne givere i {y}"),
            ("lapsed", f"Tabte givere i {y}"),
            ("repeat_givers", f"Gentagne givere i {y} (Den Gyldne Donation)"),
        ):
            cell = f"value.donors.year.{in_table.get(col)}.{'givers' if col == 'givers_prev' else col}"
            if col in in_table:
                hide = ledger[cell].suppressed if cell in ledger else False
            else:
                hide = disclosure.complement_small(cur["repeat_givers"], cur["givers"], self.min_cell)
            ledger.count(f"value.donors.{col}", int(cur[col]), label, "borgere", secondary=hide)
        ledger.share(
            "value.donors.retention_rate",
            int(cur["retained"]),
            int(cur["givers_prev"]),
            f"Fastholdelsesgrad {y}",
            hidden=ledger[f"value.donors.year.{y}.retention_rate"].suppressed,
        )

    # -- the block --------------------------------------------------------------------------------

    def block(self) -> Block:
        b = Block().md("### Fundraising og Den Gyldne Donation")
        if self.totals is None:
            return b.md(self.note)
        b.md(self._totals_text())
        b.table(self.giver_table)
        if self.fundraiser is None:
            b.md("Ingen ansøgninger er sendt via en professionel fundraiser (no cure no pay).")
        else:
            b.md(self._fundraiser_text())
            b.table(self.fundraiser_table)
        if self.donors is None:
            b.md("Der er endnu ikke to års gaver at sammenligne, så fastholdelsen af givere kan ikke opgøres.")
            return b
        return b.extend(self._donors_block())

    def _totals_text(self) -> str:
        ledger = self.ledger
        return (
            f"I {self.year} sendte virksomhederne {self.f('value.fundraising.applications')} ansøgninger til fonde, "
            f"puljer og virksomheder. Af de {self.f('value.fundraising.decided')} ansøgninger, der blev afgjort i "
            f"året, fik {self.f('value.fundraising.successful')} en bevilling — en succesrate på "
            f"{self.f('value.fundraising.success_rate')} — og der blev bevilget "
            f"{kr(ledger['value.fundraising.granted_amount'])} af "
            f"{kr(ledger['value.fundraising.applied_amount'])} ansøgt. Dertil kom "
            f"{self.f('value.fundraising.donations')} donationer på i alt "
            f"{kr(ledger['value.fundraising.donation_amount'])} I alt blev der indsamlet "
            f"{kr(ledger['value.fundraising.raised'])}, og {self.f('value.fundraising.digital_share')} af "
            f"gaverne og bevillingerne kom ind digitalt. Ved årets udgang ventede "
            f"{self.f('value.fundraising.pending')} ansøgninger på svar."
        )

    def _fundraiser_text(self) -> str:
        ledger = self.ledger
        extra = ""
        if (self.v("value.fundraiser.fees_without_grant") or 0) > 0:
            extra = (
                f" **Bemærk:** Der er registreret {kr(ledger['value.fundraiser.fees_without_grant'])} "
                "i honorar på afslag eller uafgjorte ansøgninger; med no cure no pay skal det være 0."
            )
        return (
            f"**Fundraiser på no cure no pay.** Siden {self.f('value.fundraiser.from_year')} har en professionel "
            f"fundraiser søgt for virksomhederne og får kun honorar af det, der bevilges. I {self.year} indbragte "
            f"fundraiseren {kr(ledger['value.fundraiser.raised'])} og fik "
            f"{kr(ledger['value.fundraiser.fees'])} i honorar "
            f"({self.f('value.fundraiser.fee_ratio')} af det indbragte), så virksomhederne stod tilbage med "
            f"{kr(ledger['value.fundraiser.net_gain'])} Fundraiserens succesrate var "
            f"{self.f('value.fundraiser.success_rate')} mod {self.f('value.fundraiser.success_rate_other')} for "
            f"de øvrige ansøgninger. Siden {self.f('value.fundraiser.from_year')}: indbragt "
            f"{kr(ledger['value.fundraiser.total.raised'])}, honorar "
            f"{kr(ledger['value.fundraiser.total.fees'])}, netto "
            f"{kr(ledger['value.fundraiser.total.net_gain'])}{extra}"
        )

    def _donors_block(self) -> Block:
        """Den Gyldne Donation: the text, the plot of the givers' flows and the table."""
        y, m = self.year, self.min_cell
        b = Block().md(
            f"**Den Gyldne Donation** er den anden gave: en giver, der giver igen, er langt mere værd end en ny. "
            f"I {y} gav {self.f('value.donors.givers')} givere: {self.f('value.donors.new')} nye, "
            f"{self.f('value.donors.retained')} fastholdte fra {y - 1} og {self.f('value.donors.recaptured')} "
            f"genvundne fra tidligere år, mens {self.f('value.donors.lapsed')} af giverne fra {y - 1} ikke gav igen. "
            f"Fastholdelsesgraden var {self.f('value.donors.retention_rate')} (fastholdte ÷ givere året før); "
            f"{self.f('value.donors.new_retention_rate')} af de nye givere fra {y - 1} gav igen mod "
            f"{self.f('value.donors.repeat_retention_rate')} af de tidligere givere. "
            f"{self.f('value.donors.repeat_share')} af årets givere har givet mindst to gange."
        )
        plot = self.donors.copy()
        for c in FLOWS:
            plot[c] = [
                0 if self.ledger[f"value.donors.year.{yy}.{c}"].suppressed else n
                for yy, n in zip(plot["year"], plot[c], strict=True)
            ]
        plot["retention_rate"] = [self.v(f"value.donors.year.{yy}.retention_rate") for yy in plot["year"]]
        masked = any(self.ledger[f"value.donors.year.{yy}.{c}"].suppressed for yy in plot["year"] for c in FLOWS)
        if not plot[list(FLOWS)].to_numpy().any():  # nothing to draw
            b.md(
                f"Figuren over givere år for år vises ikke: hver gruppe har færre end {m} givere hvert år "
                "(diskretionering)."
                if masked
                else "Der er ingen givere at vise år for år."
            )
        else:
            ax = donor_flow_plot(plot)
            b.figure(ax.figure, "Givere år for år: nye, fastholdte, genvundne og tabte")
            if masked:
                b.md(f"Søjler med færre end {m} givere er udeladt af figuren (diskretionering).")
        b.table(self.donor_table)
        return b
