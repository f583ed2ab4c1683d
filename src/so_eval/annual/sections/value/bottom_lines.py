"""Tre bundlinjer: each active enterprise's social (citizens in courses and in jobs), local (local
purchases, partnerships, volunteers) and economic (revenue, result, earned income) bottom line."""

from __future__ import annotations

import pandas as pd

from so_eval import disclosure
from so_eval.annual.sections.value.base import Subsection, has_table, kr
from so_eval.metrics import value as mv
from so_eval.reporting.blocks import Block
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.table import Col

__all__ = ["FINANCE_FIGURES", "BottomLines"]

FINANCE_FIGURES = frozenset(
    {"with_accounts", "positive_result", "local_purchases", "local_purchase_share", "earned_share", "revenue", "result"}
)
"""The three bottom lines' figures (and table columns) built from the accounts (``finances``)."""

ENTERPRISES = "virksomheder"


class BottomLines(Subsection):
    """The three bottom lines: ``value.bottom_lines.*``."""

    note = ""
    """Why the subsection is empty."""
    table = None
    """The table of the enterprises' bottom lines (None when no enterprise has data)."""

    def record(self, ledger: Ledger) -> None:
        self.ledger, y, ds = ledger, self.year, self.ds
        self.missing = [n for n in ("finances", "partnerships") if not has_table(ds, n)]
        tbl = mv.three_bottom_lines(ds, y, tuple(self.context.params.counting["employment_job_types"]))
        has_data = tbl["revenue"].notna() | (tbl["citizens"] > 0) | (tbl["partnerships"] > 0)
        self.hidden = int((~has_data).sum())
        tbl = tbl.loc[has_data].sort_values(["name", "enterprise_id"]).reset_index(drop=True)
        self.frame = tbl
        if tbl.empty:
            self.note = f"Ingen aktive virksomheder havde data om de tre bundlinjer for {y}."
            return
        u = ENTERPRISES
        ledger.value(
            "value.bottom_lines.enterprises", len(tbl), f"Aktive virksomheder med data om de tre bundlinjer i {y}", u
        )
        ledger.value(
            "value.bottom_lines.without_data", self.hidden, f"Aktive virksomheder uden data om bundlinjerne i {y}", u
        )
        self._record_accounts(tbl.loc[tbl["revenue"].notna()])
        if "partnerships" not in self.missing:
            self._record_partnerships(tbl)
        self.table = self._record_table(tbl)
        if "finances" in self.context.completeness:
            self.mark_complete(
                "finances",
                [
                    k
                    for k in ledger.figures
                    if k.startswith("value.bottom_lines.") and k.rsplit(".", 1)[1] in FINANCE_FIGURES
                ],
            )

    def _record_accounts(self, acc: pd.DataFrame) -> None:
        """The figures from the accounts of the enterprises that have them."""
        if not len(acc):
            return
        ledger, y, u = self.ledger, self.year, ENTERPRISES
        costs = float(acc["costs"].sum())
        earned = float((acc["earned_share"].fillna(0) * acc["revenue"]).sum())
        ledger.value("value.bottom_lines.with_accounts", len(acc), f"Heraf med regnskab for {y}", u)
        ledger.value(
            "value.bottom_lines.positive_result",
            int((acc["result"] >= 0).sum()),
            f"Virksomheder med overskud eller balance i {y}",
            u,
        )
        ledger.value(
            "value.bottom_lines.local_purchases", float(acc["local_purchases"].sum()), f"Lokale indkøb i {y}", "kr."
        )
        ledger.value(
            "value.bottom_lines.local_purchase_share",
            float(acc["local_purchases"].sum()) / costs if costs else None,
            f"Lokale indkøb som andel af omkostningerne i {y}",
            "andel",
        )
        ledger.value(
            "value.bottom_lines.earned_share",
            earned / float(acc["revenue"].sum()) if acc["revenue"].sum() else None,
            f"Egen indtjening som andel af omsætningen i {y}",
            "andel",
        )

    def _record_partnerships(self, tbl: pd.DataFrame) -> None:
        """The partnerships, their volunteers and the volunteers' hours."""
        ledger, y = self.ledger, self.year
        ledger.value(
            "value.bottom_lines.partnerships", int(tbl["partnerships"].sum()), f"Partnerskaber i {y}", "partnerskaber"
        )
        ledger.value(
            "value.bottom_lines.volunteers",
            int(tbl["volunteers"].sum()),
            f"Frivillige i partnerskaberne i {y}",
            "frivillige",
        )
        ledger.value(
            "value.bottom_lines.volunteer_hours",
            float(tbl["volunteer_hours"].sum()),
            f"Frivillige timer om året i partnerskaberne i {y}",
            "timer om året",
        )

    def _record_table(self, tbl: pd.DataFrame):
        """The table of the enterprises' bottom lines (the columns of the tables the dataset has)."""
        y, m = self.year, self.min_cell
        has_part, has_fin = "partnerships" not in self.missing, "finances" not in self.missing
        cols = [
            Col("citizens", "Borgere i forløb", "count", "borgere"),
            Col("jobs", "Borgere i job", "count", "borgere"),
        ]
        if has_fin:
            cols.append(Col("local_purchases", "Lokale indkøb (kr.)", "value", "kr."))
        if has_part:
            cols += [
                Col("partnerships", "Partnerskaber", "value", "partnerskaber"),
                Col("volunteers", "Frivillige", "value", "frivillige"),
                Col("volunteer_hours", "Frivillige timer/år", "value", "timer om året"),
            ]
        missing = "ikke indberettet endnu" if self.provisional("finances", y) else "regnskab ikke indberettet"
        if has_fin:
            cols += [
                Col("revenue", "Omsætning (kr.)", "value", "kr."),
                Col("result", "Resultat (kr.)", "value", "kr."),
                Col("earned_share", "Egen indtjening", "value", "andel"),
            ]
        return self.ledger_table(
            tbl,
            key="value.bottom_lines.enterprise",
            id_col="enterprise_id",
            id_label="Virksomhed/initiativ",
            id_text=lambda r: f"{r['name']} ({r['enterprise_id']})",
            cols=cols,
            what="Tre bundlinjer",
            caption=f"De tre bundlinjer pr. virksomhed og initiativ, {y} (social · lokal · økonomisk)",
            note=(
                f"Social: borgere i forløb under virksomhedens samarbejdsaftaler i {y} og borgere kommet i job "
                f"krediteret virksomheden (samme regel som mål 1); 1–{m - 1} borgere vises som "
                f"«{disclosure.masked(m)}». Lokal: lokale indkøb, partnerskaber, deres frivillige og frivillige "
                "timer om året. Økonomisk: omsætning, resultat (omsætning − omkostninger) og egen indtjening "
                f"(privat salg + offentlige kontrakter som andel af omsætningen). – = {missing}."
            ),
        )

    def block(self) -> Block:
        b = Block().md("### Tre bundlinjer")
        if self.frame.empty:
            return b.md(self.note)
        b.md(self._text())
        for name in self.missing:
            what = (
                "regnskaber (den økonomiske bundlinje og lokale indkøb)"
                if name == "finances"
                else "partnerskaber og frivillige"
            )
            b.md(f"Datasættet har ingen tabel `{name}` (eller den er tom), så {what} mangler i tabellen.")
        b.table(self.table)
        return b

    def _text(self) -> str:
        """The paragraph above the table: the totals of the bottom lines the dataset has."""
        text = (
            f"En socialøkonomisk virksomhed skal skabe værdi på tre bundlinjer: socialt (borgere i forløb og i job), "
            f"lokalt (lokale indkøb, partnerskaber og frivillige) og økonomisk (omsætning og resultat). Tabellen viser "
            f"de {self.f('value.bottom_lines.enterprises')} aktive virksomheder og initiativer med data for "
            f"{self.year}, i alfabetisk orden."
        )
        if "value.bottom_lines.with_accounts" in self.ledger:
            text += (
                f" Af de {self.f('value.bottom_lines.with_accounts')} med regnskab gik "
                f"{self.f('value.bottom_lines.positive_result')} i nul eller overskud; egen indtjening udgjorde "
                f"{self.f('value.bottom_lines.earned_share')} af den samlede omsætning, og de lokale indkøb var "
                f"{kr(self.ledger['value.bottom_lines.local_purchases'])} "
                f"({self.f('value.bottom_lines.local_purchase_share')} af omkostningerne)."
            )
            if note := self.sentence("finances"):
                text += " " + note
        if "value.bottom_lines.partnerships" in self.ledger:
            text += (
                f" Virksomhederne havde {self.f('value.bottom_lines.partnerships')} partnerskaber med "
                f"{self.f('value.bottom_lines.volunteers')} frivillige, der giver omkring "
                f"{self.f('value.bottom_lines.volunteer_hours')} timer om året."
            )
        if self.hidden:
            text += (
                f" {self.f('value.bottom_lines.without_data')} aktive virksomheder havde hverken regnskab, "
                "borgere i forløb eller partnerskaber registreret og er ikke med i tabellen."
            )
        return text
