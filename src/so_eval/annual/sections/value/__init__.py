"""Værdiskabelse in the annual report: mosaic economy, three bottom lines, fundraising, pilots,
survival, UN goals and circular economy, and the social return (business case and SROI).

:class:`ValueSection` computes everything for ``params.year`` when it is built and records every
figure it shows in the report's :class:`~so_eval.reporting.ledger.Ledger` under ``value.*`` keys (see
:data:`KEY_PREFIXES`); :meth:`ValueSection.block` returns the Danish text, tables and plots, read
back from the ledger. The value tables (finances, fundraising, pilots, partnerships, circular) are
optional: a sub-section whose table is missing or empty says so in one sentence.

Disclosure: counts of citizens and of givers (a giver may be a private person) are recorded with
``ledger.count(..., unit="borgere")``, so 1–4 are shown as "<5"; a share whose numerator or
complement is such a count is not shown either (with its denominator it would give the count
away), and the tables are protected against their totals and row relations (givers = new +
retained + recaptured) by :func:`so_eval.disclosure.secondary.protect_columns`. Counts of enterprises, pilots,
applications and amounts are not personal data and are shown as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from so_eval.annual.sections import completeness as cr
from so_eval import fmt
from so_eval import disclosure
from so_eval import glossary as g
from so_eval.metrics import sroi as sr
from so_eval.data.dataset import Dataset
from so_eval.reporting.ledger import Figure, Ledger
from so_eval.metrics import value as mv
from so_eval.metrics.completeness import completeness
from so_eval.data.model_value import PILOT_KINDS, PILOT_STATUSES, REVENUE_SECTORS
from so_eval.params import ReportParams
from so_eval.reporting.blocks import Block, Table

__all__ = ["DEFAULT_SROI", "KEY_PREFIXES", "ValueSection"]

KEY_PREFIXES: tuple[str, ...] = (
    "value.mosaic.",
    "value.bottom_lines.",
    "value.fundraising.",
    "value.fundraiser.",
    "value.donors.",
    "value.pilots.",
    "value.survival.",
    "value.sdg.",
    "value.circular.",
    "value.sroi.",
    "completeness.finances.",
    "completeness.circular.",
)
"""The key prefixes :class:`ValueSection` records under (none is used by the reach figures)."""

FINANCE_FIGURES = frozenset({"with_accounts", "positive_result", "local_purchases", "local_purchase_share",
                             "earned_share", "revenue", "result"})
"""The three bottom lines' figures (and table columns) built from the accounts (``finances``)."""

DEFAULT_SROI: dict[str, Any] = {
    "horizon": 5,
    "drop_off": 0.25,
    "discount_rate": sr.DISCOUNT_RATE,
    "attribution": 1.0,
    "displacement": 0.0,
}
"""Assumptions used when ``params.value.sroi`` does not give them. ``attribution`` is, as in
``params/<year>.yaml``, the share of the outcome owed to the courses (1 = all of it)."""

SURVIVAL_YEARS = 3
"""Survival is compared between generations at this many years after start."""

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
GIVER_LABELS = {"fond": "Fonde", "virksomhed": "Virksomheder", "privatperson": "Privatpersoner",
                "offentlig pulje": "Offentlige puljer", "forening": "Foreninger"}
STATUS_LABELS = {"idé": "Idé", "igangværende": "Igangværende", "skaleret": "Skaleret",
                 "videreført": "Videreført", "stoppet": "Stoppet"}
SDG_NAMES = {
    1: "Afskaf fattigdom", 2: "Stop sult", 3: "Sundhed og trivsel", 4: "Kvalitetsuddannelse",
    5: "Ligestilling mellem kønnene", 6: "Rent vand og sanitet", 7: "Bæredygtig energi",
    8: "Anstændige jobs og økonomisk vækst", 9: "Industri, innovation og infrastruktur",
    10: "Mindre ulighed", 11: "Bæredygtige byer og lokalsamfund", 12: "Ansvarligt forbrug og produktion",
    13: "Klimaindsats", 14: "Livet i havet", 15: "Livet på land",
    16: "Fred, retfærdighed og stærke institutioner", 17: "Partnerskaber for handling",
}
GENERATIONS = {"first_generation": g.label("first_generation"), "second_generation": g.label("second_generation")}

# units the report shows with other decimals than Figure.display gives
_TWO_DECIMALS = frozenset({"indeks", "forhold", "faktor"})


def _show(fig: Figure) -> str:
    """A figure's display text; a few units of this section get their own format."""
    v = fig.value
    if fig.suppressed or v is None or (isinstance(v, float) and math.isnan(v)):
        return fig.display
    if fig.unit in _TWO_DECIMALS:
        return fmt.number(v, 2)
    if fig.unit == "rente":
        return fmt.percent(v, 1)
    if fig.unit == "årstal":
        return str(int(v))
    return fig.display


def _has(ds: Dataset, name: str) -> bool:
    t = ds.tables.get(name)
    return t is not None and len(t) > 0


def _missing_text(name: str, what: str) -> str:
    return (f"Datasættet har ingen tabel `{name}` (eller den er tom), så {what} kan ikke opgøres. "
            f"Tilføj `{name}.csv` til datamappen for at få afsnittet med.")


def _num(v: object) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return float("nan")
    return f


def _kr(fig: Figure) -> str:
    return f"{_show(fig)} kr." if not fig.suppressed and fig.value is not None else _show(fig)


def _mio(fig: Figure) -> str:
    """An amount in running text, rounded to 0,1 mio. kr."""
    return fmt.mio_kr(fig.value) if not fig.suppressed and fig.value is not None else _show(fig)


def _range_text(low: float, high: float, unit: str) -> str:
    """The range a break-even value is searched in, in words: ``0–225 deltagere``, ``0–100 %``."""
    if unit in ("andel", "rente"):
        d = 0 if unit == "andel" else 1
        return f"{fmt.number(100 * low, d)}–{fmt.percent(high, d)}"
    decimals, suffix = {"uger": (1, " uger"), "faktor": (2, ""), "antal år": (0, " år"),
                        "deltagere": (0, " deltagere")}.get(unit, (1, ""))
    return f"{fmt.number(low, decimals)}–{fmt.number(high, decimals)}{suffix}"


@dataclass(frozen=True)
class _Col:
    """One column of a ledger-backed table (as :class:`so_eval.reporting.table.Col`)."""

    name: str
    label: str
    kind: str = "value"  # count | share | stat | value | text
    unit: str = "antal"
    num: str | None = None
    den: str | None = None
    basis: str | None = None
    within: str | None = None
    group: str | tuple[str, ...] | None = None


class ValueSection:
    """Value creation (Værdiskabelse) for one year: figures recorded at construction, content by :meth:`block`.

    Parameters
    ----------
    ds
        The dataset.
    params
        The report's parameters (``year``, ``min_cell``, ``strategy_period`` and the ``value``
        block: ``dependency_share`` and ``sroi``).
    ledger
        The report's ledger; every figure shown is recorded in it under ``value.*``.
    effect
        The headline effect estimate (:class:`~so_eval.effects.att.AttResult`: ``att``,
        ``ci_low``, ``ci_high`` in shares of weeks, ``n_treated``), or None.
    effect_spec
        Its specification (``horizon`` like ``"1-26"``), or None.
    """

    def __init__(self, ds: Dataset, params: ReportParams, ledger: Ledger, *, effect=None, effect_spec=None):
        self.ds, self.params, self.ledger = ds, params, ledger
        self.year = int(params.year)
        self.min_cell = int(params.min_cell)
        self.effect, self.effect_spec = effect, effect_spec
        vp = dict(params.value or {})
        self.dependency_share = float(vp.get("dependency_share", mv.DEPENDENCY_SHARE))
        self.sroi_params = dict(vp.get("sroi") or {})
        self.threshold = float(params.counting["completeness_threshold"])
        self.completeness: dict[str, pd.DataFrame] = {}  # year table → its completeness year by year
        self.notes: dict[str, str] = {}  # sub-section → why it is empty
        self._record_mosaic()
        self._record_bottom_lines()
        self._record_fundraising()
        self._record_pilots()
        self._record_survival()
        self._record_sdg_circular()
        self._record_sroi()

    # -- helpers ------------------------------------------------------------------------------

    def f(self, key: str) -> str:
        """A figure's display text."""
        return _show(self.ledger[key])

    def v(self, key: str) -> Any:
        """A figure's value (None when suppressed)."""
        fig = self.ledger[key]
        return None if fig.suppressed else fig.value

    def _share(self, key: str, num: float, den: float, label: str, *, hidden: bool = False) -> Figure:
        """A share of persons: not shown if the denominator is small, nor if the numerator or the
        complement is a small count (the share would give it away; :meth:`Ledger.share`)."""
        return self.ledger.share(key, num, den, label, hidden=hidden)

    def _record_completeness(self, table: str, years: list[int]) -> None:
        """How complete ``table`` is, year by year; the report year's figures recorded
        (``completeness.{table}.{year}.*``, :mod:`so_eval.annual.sections.completeness`)."""
        self.completeness[table] = completeness(self.ds, years, (table,))
        cr.record(self.ledger, self.completeness[table], table, self.year)

    def _provisional(self, table: str, year: int) -> bool:
        """Whether ``table``'s figures for ``year`` are *foreløbige* (too few rows registered)."""
        return cr.provisional(self.completeness.get(table), table, year, self.threshold)

    def _year_text(self, table: str):
        """A year table's row label: the year, marked *foreløbig* where its data are."""
        return lambda r: cr.year_label(int(r["year"]), self._provisional(table, int(r["year"])))

    def _sentence(self, table: str) -> str:
        """How complete the year's ``table`` is, in Danish (empty if not measured)."""
        frame = self.completeness.get(table)
        return "" if frame is None else cr.sentence(self.ledger, frame, table, self.year, self.threshold)

    def _provisional_note(self, table: str, years: list[int]) -> str:
        """A year table's note on its *foreløbige* years (empty if none is)."""
        if not any(self._provisional(table, yy) for yy in years):
            return ""
        noun, verb = cr.WORDS[table]
        return (f" *Foreløbig*: på opgørelsesdagen var under {fmt.percent(self.threshold)} af årets forventede "
                f"{noun} {verb}, så året sammenlignes ikke med tidligere år.")

    def _mark_complete(self, table: str, keys) -> None:
        """Note on the figures ``keys`` how complete their year's ``table`` data are (figures.csv)."""
        cr.mark(self.ledger, keys, table, self.year, self.completeness[table], self.threshold)

    def _years_from(self, first: float | None) -> list[int]:
        if first is None or (isinstance(first, float) and math.isnan(first)):
            return [self.year]
        return list(range(min(int(first), self.year), self.year + 1))

    def _ledger_table(self, data: pd.DataFrame, *, key: str, id_col: str, id_label: str, cols: list[_Col],
                      id_text, caption: str = "", note: str = "", what: str | None = None,
                      protect_totals: bool = True) -> Table:
        """Record every cell (key ``{key}.{id}.{col}``) and return the table of display values.
        Counts and shares of persons are protected as in :func:`so_eval.reporting.table.ledger_table`
        (:func:`so_eval.disclosure.secondary.protect_columns`): each figure's suppression is decided before it is
        recorded. ``protect_totals=False`` for a table whose column totals are not published
        (years side by side: givers are not added up over the years)."""
        from so_eval.disclosure import secondary as sdc

        L, rows = self.ledger, []
        secondary = sdc.protect_columns(data.reset_index(drop=True), cols, self.min_cell, totals=protect_totals)
        for i, rec in enumerate(data.to_dict("records")):
            rid = rec[id_col]
            shown = id_text(rec)
            out = {id_label: shown}
            for c in cols:
                k = f"{key}.{fmt.slug(rid)}.{c.name}"
                label = f"{what or c.label}: {shown}"
                hide = secondary.secondary(c.name, i)
                if c.kind == "count":
                    fig = L.count(k, rec[c.name], label, c.unit, secondary=hide, withheld=secondary.withhold(c.name, i))
                elif c.kind == "share":
                    fig = self._share(k, rec[c.num], rec[c.den], label, hidden=hide)
                elif c.kind == "stat":
                    fig = L.stat(k, rec[c.name], rec[c.basis], label, c.unit)
                elif c.kind == "value":
                    val = rec[c.name]
                    if isinstance(val, (float, np.floating)) and math.isnan(val):
                        val = None
                    fig = L.value(k, val, label, c.unit)
                else:
                    out[c.label] = rec[c.name]
                    continue
                out[c.label] = _show(fig)
            rows.append(out)
        return Table(pd.DataFrame(rows, columns=[id_label] + [c.label for c in cols]), caption=caption, note=note)

    # -- 1. mosaic economy --------------------------------------------------------------------

    def _record_mosaic(self) -> None:
        L, y, ds = self.ledger, self.year, self.ds
        self.mosaic = None
        if not _has(ds, "finances"):
            self.notes["mosaic"] = _missing_text("finances", "virksomhedernes indtægtsmix (mosaikøkonomien)")
            return
        self._record_completeness("finances", self._years_from(int(ds.finances["year"].min())))
        mix = mv.revenue_mix(ds, y, self.dependency_share)
        mix = mix.loc[mix["revenue"] > 0].reset_index(drop=True)
        if mix.empty:
            self.notes["mosaic"] = (
                f"Der er endnu ikke indberettet regnskaber med omsætning for {y}, så mosaikøkonomien kan ikke "
                f"opgøres. {self._sentence('finances')}" if self._provisional("finances", y) else
                f"Der er ingen regnskaber med omsætning for {y}, så mosaikøkonomien kan ikke opgøres.")
            return
        self.mosaic = mix
        cur = mv.mosaic_per_year(ds, [y], self.dependency_share).iloc[0]
        u = "virksomheder"
        L.value("value.mosaic.enterprises", int(cur["enterprises"]), f"Virksomheder med regnskab og omsætning i {y}", u)
        L.value("value.mosaic.revenue", float(cur["revenue"]), f"Samlet omsætning i {y}", "kr.")
        L.value("value.mosaic.median_hhi", float(cur["median_hhi"]), f"Median af HHI (indtægtskoncentration) i {y}",
                "indeks")
        L.value("value.mosaic.median_largest_share", float(cur["median_largest_share"]),
                f"Median af den største indtægtskildes andel i {y}", "andel")
        L.value("value.mosaic.sectors_2plus", int(cur["sectors_2plus"]),
                f"Virksomheder med mindst to sektorer på 10 % eller mere i {y}", u)
        L.value("value.mosaic.dependency_share", self.dependency_share, "Grænse for afhængighed af én kilde", "andel")
        L.value("value.mosaic.dependent", int(cur["dependent"]), f"Virksomheder afhængige af én indtægtskilde i {y}", u)
        L.value("value.mosaic.dependent_share", float(cur["dependent_share"]),
                f"Andel afhængige af én indtægtskilde i {y}", "andel")
        for r in mv.revenue_by_sector(ds, [y]).itertuples():
            L.value(f"value.mosaic.sector.{fmt.slug(r.sector)}.amount", float(r.amount),
                    f"Omsætning i {y}: {SECTOR_LABELS[r.sector].lower()}", "kr.")
            L.value(f"value.mosaic.sector.{fmt.slug(r.sector)}.share", float(r.share),
                    f"Andel af omsætningen i {y}: {SECTOR_LABELS[r.sector].lower()}", "andel")
        # year by year
        first = int(ds.finances["year"].min())
        years = self._years_from(first)
        per_year = mv.mosaic_per_year(ds, years, self.dependency_share)
        sectors = mv.revenue_by_sector(ds, years).pivot(index="year", columns="sector", values="share")
        sectors = sectors.reindex(columns=list(REVENUE_SECTORS)).reset_index()
        per_year = per_year.merge(sectors, on="year", how="left")
        per_year = per_year.loc[per_year["enterprises"] > 0]
        self.mosaic_years = self._ledger_table(
            per_year, key="value.mosaic.year", id_col="year", id_label="År", id_text=self._year_text("finances"),
            cols=[_Col("enterprises", "Virksomheder", unit=u), _Col("revenue", "Omsætning (kr.)", unit="kr.")]
                 + [_Col(s, SECTOR_LABELS[s].split(" (")[0], unit="andel") for s in REVENUE_SECTORS]
                 + [_Col("median_hhi", "HHI (median)", unit="indeks"),
                    _Col("dependent", "Afhængige af én kilde", unit=u)],
            caption="Mosaikøkonomi år for år: omsætning efter sektor (andele), koncentration og afhængighed",
            note="HHI (Herfindahl–Hirschman-indekset) er summen af de fem indtægtskilders andele i anden: "
                 "0,20 = ligeligt fordelt over alle fem kilder, 1 = én kilde."
                 + self._provisional_note("finances", years),
        )
        dep = mv.dependent_enterprises(ds, y, self.dependency_share)
        dep["source"] = dep["largest_source"].map(SOURCE_LABELS)
        self.dependent = dep
        self.dependent_table = self._ledger_table(
            dep, key="value.mosaic.dependent_enterprise", id_col="enterprise_id", id_label="Virksomhed/initiativ",
            id_text=lambda r: f"{r['name']} ({r['enterprise_id']})",
            cols=[_Col("source", "Største kilde", "text"),
                  _Col("largest_share", "Kildens andel", unit="andel"),
                  _Col("revenue", "Omsætning (kr.)", unit="kr.")],
            caption=f"Virksomheder afhængige af én indtægtskilde i {y} (over {fmt.percent(self.dependency_share)})",
        )
        self._mark_complete("finances", [k for k in L.figures if k.startswith("value.mosaic.")
                                         and k != "value.mosaic.dependency_share"])

    def _block_mosaic(self) -> Block:
        from so_eval.plots.value import revenue_mix_plot

        b, y = Block().md("### Mosaikøkonomi"), self.year
        if self.mosaic is None:
            return b.md(self.notes["mosaic"])
        sec = {s: self.f(f"value.mosaic.sector.{fmt.slug(s)}.share") for s in REVENUE_SECTORS}
        b.md(
            f"Strategien vil have socialøkonomien til at bygge på en *mosaikøkonomi*: indtægter fra flere sektorer, "
            f"så den enkelte virksomhed ikke står og falder med én kunde eller én bevilling. I {y} havde "
            f"{self.f('value.mosaic.enterprises')} virksomheder og initiativer regnskab med omsætning, i alt "
            f"{_kr(self.ledger['value.mosaic.revenue'])} Omsætningen kom {sec['privat']} fra privat salg, "
            f"{sec['offentlig']} fra offentlige kontrakter (inkl. Jobcentrets samarbejdsaftaler), "
            f"{sec['civilsamfund']} fra fonde og donationer og {sec['andet']} fra andre indtægter.\n\n"
            f"Den typiske (median) virksomhed fik {self.f('value.mosaic.median_largest_share')} af sin omsætning "
            f"fra sin største kilde, og dens HHI var {self.f('value.mosaic.median_hhi')} (0,20 = ligeligt fordelt "
            f"over fem kilder, 1 = én kilde). {self.f('value.mosaic.sectors_2plus')} havde mindst to sektorer, der "
            f"hver gav mindst 10 % af omsætningen."
        )
        if note := self._sentence("finances"):
            b.md(note)
        n_dep = int(self.ledger["value.mosaic.dependent"].value)
        if n_dep:
            names = ", ".join(f"{fmt.text(r.name)} ({fmt.text(SOURCE_LABELS.get(r.largest_source, r.largest_source))}, "
                              f"{self.f(f'value.mosaic.dependent_enterprise.{fmt.slug(r.enterprise_id)}.largest_share')})"
                              for r in self.dependent.itertuples())
            b.md(
                f"**Risiko: afhængighed af én kilde.** {self.f('value.mosaic.dependent')} virksomheder "
                f"({self.f('value.mosaic.dependent_share')}) fik mere end {self.f('value.mosaic.dependency_share')} "
                f"af omsætningen fra én kilde: {names}. Mister de den kilde, mister de det meste af omsætningen; "
                "de bør have hjælp til at brede indtægterne ud."
            )
        else:
            b.md(f"Ingen virksomhed fik mere end {self.f('value.mosaic.dependency_share')} af omsætningen fra én kilde.")
        ax = revenue_mix_plot(self.mosaic, dependency_share=self.dependency_share,
                              title=f"Indtægter efter sektor pr. virksomhed, {y}")
        b.figure(ax.figure, f"Indtægtsmix pr. virksomhed i {y}")
        if n_dep:
            b.table(self.dependent_table)
        b.table(self.mosaic_years)
        return b

    # -- 2. three bottom lines ----------------------------------------------------------------

    def _record_bottom_lines(self) -> None:
        L, y, ds, m = self.ledger, self.year, self.ds, self.min_cell
        self.bottom_missing = [n for n in ("finances", "partnerships") if not _has(ds, n)]
        tbl = mv.three_bottom_lines(ds, y, tuple(self.params.counting["employment_job_types"]))
        has_data = (tbl["revenue"].notna() | (tbl["citizens"] > 0) | (tbl["partnerships"] > 0))
        self.bottom_lines_hidden = int((~has_data).sum())
        tbl = tbl.loc[has_data].sort_values(["name", "enterprise_id"]).reset_index(drop=True)
        self.bottom_lines = tbl
        if tbl.empty:
            self.notes["bottom_lines"] = f"Ingen aktive virksomheder havde data om de tre bundlinjer for {y}."
            return
        u = "virksomheder"
        L.value("value.bottom_lines.enterprises", len(tbl), f"Aktive virksomheder med data om de tre bundlinjer i {y}", u)
        L.value("value.bottom_lines.without_data", self.bottom_lines_hidden,
                f"Aktive virksomheder uden data om bundlinjerne i {y}", u)
        acc = tbl.loc[tbl["revenue"].notna()]
        if len(acc):
            costs = float(acc["costs"].sum())
            earned = float((acc["earned_share"].fillna(0) * acc["revenue"]).sum())
            L.value("value.bottom_lines.with_accounts", len(acc), f"Heraf med regnskab for {y}", u)
            L.value("value.bottom_lines.positive_result", int((acc["result"] >= 0).sum()),
                    f"Virksomheder med overskud eller balance i {y}", u)
            L.value("value.bottom_lines.local_purchases", float(acc["local_purchases"].sum()), f"Lokale indkøb i {y}",
                    "kr.")
            L.value("value.bottom_lines.local_purchase_share", float(acc["local_purchases"].sum()) / costs if costs
                    else None, f"Lokale indkøb som andel af omkostningerne i {y}", "andel")
            L.value("value.bottom_lines.earned_share", earned / float(acc["revenue"].sum()) if acc["revenue"].sum()
                    else None, f"Egen indtjening som andel af omsætningen i {y}", "andel")
        has_part, has_fin = "partnerships" not in self.bottom_missing, "finances" not in self.bottom_missing
        if has_part:
            L.value("value.bottom_lines.partnerships", int(tbl["partnerships"].sum()), f"Partnerskaber i {y}",
                    "partnerskaber")
            L.value("value.bottom_lines.volunteers", int(tbl["volunteers"].sum()),
                    f"Frivillige i partnerskaberne i {y}", "frivillige")
            L.value("value.bottom_lines.volunteer_hours", float(tbl["volunteer_hours"].sum()),
                    f"Frivillige timer om året i partnerskaberne i {y}", "timer om året")
        cols = [_Col("citizens", "Borgere i forløb", "count", "borgere"),
                _Col("jobs", "Borgere i job", "count", "borgere")]
        if has_fin:
            cols.append(_Col("local_purchases", "Lokale indkøb (kr.)", unit="kr."))
        if has_part:
            cols += [_Col("partnerships", "Partnerskaber", unit="partnerskaber"),
                     _Col("volunteers", "Frivillige", unit="frivillige"),
                     _Col("volunteer_hours", "Frivillige timer/år", unit="timer om året")]
        missing = ("ikke indberettet endnu" if self._provisional("finances", y) else "regnskab ikke indberettet")
        if has_fin:
            cols += [_Col("revenue", "Omsætning (kr.)", unit="kr."),
                     _Col("result", "Resultat (kr.)", unit="kr."),
                     _Col("earned_share", "Egen indtjening", unit="andel")]
        self.bottom_lines_table = self._ledger_table(
            tbl, key="value.bottom_lines.enterprise", id_col="enterprise_id", id_label="Virksomhed/initiativ",
            id_text=lambda r: f"{r['name']} ({r['enterprise_id']})",
            cols=cols,
            what="Tre bundlinjer",
            caption=f"De tre bundlinjer pr. virksomhed og initiativ, {y} (social · lokal · økonomisk)",
            note=(f"Social: borgere i forløb under virksomhedens samarbejdsaftaler i {y} og borgere kommet i job "
                  f"krediteret virksomheden (samme regel som mål 1); 1–{m - 1} borgere vises som "
                  f"«{disclosure.masked(m)}». Lokal: lokale indkøb, partnerskaber, deres frivillige og frivillige "
                  "timer om året. Økonomisk: omsætning, resultat (omsætning − omkostninger) og egen indtjening "
                  f"(privat salg + offentlige kontrakter som andel af omsætningen). – = {missing}."),
        )
        if "finances" in self.completeness:
            self._mark_complete("finances", [k for k in L.figures if k.startswith("value.bottom_lines.")
                                             and k.rsplit(".", 1)[1] in FINANCE_FIGURES])

    def _block_bottom_lines(self) -> Block:
        b, y = Block().md("### Tre bundlinjer"), self.year
        if self.bottom_lines.empty:
            return b.md(self.notes["bottom_lines"])
        text = (
            f"En socialøkonomisk virksomhed skal skabe værdi på tre bundlinjer: socialt (borgere i forløb og i job), "
            f"lokalt (lokale indkøb, partnerskaber og frivillige) og økonomisk (omsætning og resultat). Tabellen viser "
            f"de {self.f('value.bottom_lines.enterprises')} aktive virksomheder og initiativer med data for {y}, "
            f"i alfabetisk orden."
        )
        if "value.bottom_lines.with_accounts" in self.ledger:
            text += (
                f" Af de {self.f('value.bottom_lines.with_accounts')} med regnskab gik "
                f"{self.f('value.bottom_lines.positive_result')} i nul eller overskud; egen indtjening udgjorde "
                f"{self.f('value.bottom_lines.earned_share')} af den samlede omsætning, og de lokale indkøb var "
                f"{_kr(self.ledger['value.bottom_lines.local_purchases'])} "
                f"({self.f('value.bottom_lines.local_purchase_share')} af omkostningerne)."
            )
            if note := self._sentence("finances"):
                text += " " + note
        if "value.bottom_lines.partnerships" in self.ledger:
            text += (
                f" Virksomhederne havde {self.f('value.bottom_lines.partnerships')} partnerskaber med "
                f"{self.f('value.bottom_lines.volunteers')} frivillige, der giver omkring "
                f"{self.f('value.bottom_lines.volunteer_hours')} timer om året."
            )
        if self.bottom_lines_hidden:
            text += (f" {self.f('value.bottom_lines.without_data')} aktive virksomheder havde hverken regnskab, "
                     "borgere i forløb eller partnerskaber registreret og er ikke med i tabellen.")
        b.md(text)
        for name in self.bottom_missing:
            what = "regnskaber (den økonomiske bundlinje og lokale indkøb)" if name == "finances" else \
                "partnerskaber og frivillige"
            b.md(f"Datasættet har ingen tabel `{name}` (eller den er tom), så {what} mangler i tabellen.")
        b.table(self.bottom_lines_table)
        return b

    # -- 3. fundraising and Den Gyldne Donation -----------------------------------------------

    def _record_fundraising(self) -> None:
        L, y, ds = self.ledger, self.year, self.ds
        self.fundraising = None
        if not _has(ds, "fundraising"):
            self.notes["fundraising"] = _missing_text("fundraising", "fundraising og donationer")
            return
        fr = mv.fundraising_per_year(ds, [y]).iloc[0]
        self.fundraising = fr
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
            val = _num(fr[col])
            val = None if math.isnan(val) else (val if unit in ("kr.", "andel") else int(val))
            L.value(f"value.fundraising.{col}", val, label, unit)
        # by giver type; gifts from private persons are about persons: counted and their amount suppressed
        by = mv.fundraising_by(ds, y, "giver_type")
        # the types add up to the published totals (gifts, amount raised): where the private
        # persons' gifts are hidden, the smallest other type's are hidden too
        private = by.loc[by["giver_type"] == "privatperson", "gifts"]
        partner = None
        if len(private) and disclosure.count_suppressed(int(private.iloc[0]), self.min_cell):
            others = by.loc[(by["giver_type"] != "privatperson") & (by["gifts"] > 0)]
            if len(others):
                partner = others.sort_values(["gifts", "giver_type"]).iloc[0]["giver_type"]
        rows = []
        for r in by.itertuples():
            shown = GIVER_LABELS.get(r.giver_type, r.giver_type)
            k = f"value.fundraising.giver_type.{fmt.slug(r.giver_type)}"
            lab = f"Fundraising {y}, {shown.lower()}"
            person = r.giver_type == "privatperson"
            apps = L.value(f"{k}.applications", int(r.applications), f"{lab}: ansøgninger", "ansøgninger")
            rate = L.value(f"{k}.success_rate", None if math.isnan(r.success_rate) else float(r.success_rate),
                           f"{lab}: succesrate", "andel")
            if person or r.giver_type == partner:
                gifts = L.count(f"{k}.gifts", int(r.gifts), f"{lab}: gaver", "borgere" if person else "gaver",
                                secondary=not person)
                raised = L.stat(f"{k}.raised", float(r.raised), int(r.gifts) if person and r.gifts else self.min_cell,
                                f"{lab}: indsamlet", "kr.", hidden=not person)
            else:
                gifts = L.value(f"{k}.gifts", int(r.gifts), f"{lab}: gaver", "gaver")
                raised = L.value(f"{k}.raised", float(r.raised), f"{lab}: indsamlet", "kr.")
            rows.append({"Givertype": shown, "Ansøgninger": _show(apps), "Succesrate": _show(rate),
                         "Gaver og bevillinger": _show(gifts), "Indsamlet (kr.)": _show(raised)})
        self.giver_table = Table(pd.DataFrame(rows), caption=f"Fundraising i {y} efter givertype",
                                 note="Succesrate = bevilgede ÷ afgjorte ansøgninger. Gaver fra privatpersoner "
                                      f"vises som «{disclosure.masked(self.min_cell)}», når de er færre end "
                                      f"{self.min_cell}, og beløbet vises så ikke.")
        self._record_fundraiser()
        self._record_donors()

    def _record_fundraiser(self) -> None:
        L, y, ds = self.ledger, self.year, self.ds
        fr = ds.fundraising
        via = fr["via_fundraiser"].astype(bool)
        self.fundraiser = None
        if not via.any():
            return
        first = int(fr.loc[via, "submitted"].dt.year.min())
        if first > y:
            return
        years = self._years_from(first)
        t = mv.fundraiser_fees(ds, years)
        self.fundraiser = t
        cur = t.loc[t["year"] == y].iloc[0]
        L.value("value.fundraiser.from_year", first, "Første år med ansøgninger via fundraiser", "årstal")
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
            val = None if isinstance(val, float) and math.isnan(val) else (float(val) if unit != "ansøgninger" else int(val))
            L.value(f"value.fundraiser.{col}", val, label, unit)
        for col, label in (("raised", "Indbragt via fundraiser"), ("fees", "Honorar til fundraiser"),
                           ("net_gain", "Nettogevinst via fundraiser")):
            L.value(f"value.fundraiser.total.{col}", float(t[col].sum()), f"{label} {first}–{y}", "kr.")
        self.fundraiser_table = self._ledger_table(
            t, key="value.fundraiser.year", id_col="year", id_label="År", id_text=lambda r: str(r["year"]),
            cols=[_Col("decided", "Afgjorte ansøgninger", unit="ansøgninger"),
                  _Col("success_rate", "Succesrate", unit="andel"),
                  _Col("success_rate_other", "Succesrate uden fundraiser", unit="andel"),
                  _Col("raised", "Indbragt (kr.)", unit="kr."),
                  _Col("fees", "Honorar (kr.)", unit="kr."),
                  _Col("net_gain", "Netto (kr.)", unit="kr.")],
            what="Fundraiser (no cure no pay)",
            caption="Den professionelle fundraiser (no cure no pay) år for år",
        )

    def _record_donors(self) -> None:
        L, y, ds = self.ledger, self.year, self.ds
        self.donors = None
        fr = ds.fundraising
        granted = fr["granted"].fillna(0).astype(float) > 0
        if not granted.any():
            return
        gift_date = fr["decided"].where(fr["decided"].notna(), fr["submitted"])
        first = int(gift_date.loc[granted].dt.year.min())
        if first >= y:  # no earlier year to compare with
            return
        years = list(range(first + 1, y + 1))  # the first year has no year before it
        t = mv.donor_retention(ds, [years[0] - 1] + years)
        prev = t.set_index("year")
        t = t.loc[t["year"].isin(years)].reset_index(drop=True)
        self.donors = t
        cur = t.loc[t["year"] == y].iloc[0]
        new_prev = int(prev.loc[y - 1, "new"])
        other_prev = int(cur["givers_prev"]) - new_prev
        self._share("value.donors.new_retention_rate",
                    round(_num(cur["new_retention_rate"]) * new_prev) if new_prev else 0, new_prev,
                    f"Fastholdelsesgrad {y} for givere, der var nye i {y - 1}")
        self._share("value.donors.repeat_retention_rate",
                    round(_num(cur["repeat_retention_rate"]) * other_prev) if other_prev else 0, other_prev,
                    f"Fastholdelsesgrad {y} for tidligere givere")
        self._share("value.donors.repeat_share", int(cur["repeat_givers"]), int(cur["givers"]),
                    f"Andel gentagne givere {y}")
        self.donor_table = self._ledger_table(
            t, key="value.donors.year", id_col="year", id_label="År", id_text=lambda r: str(r["year"]),
            cols=[_Col("givers", "Givere", "count", "borgere"),
                  _Col("new", "Nye", "count", "borgere", within="givers", group="givers"),
                  _Col("retained", "Fastholdte", "count", "borgere", within="givers", group=("givers", "prev")),
                  _Col("recaptured", "Genvundne", "count", "borgere", within="givers", group="givers"),
                  _Col("lapsed", "Tabte", "count", "borgere", group="prev"),
                  _Col("retention_rate", "Fastholdelsesgrad", "share", num="retained", den="givers_prev")],
            what="Givere", protect_totals=False,
            caption="Givere år for år (Den Gyldne Donation)",
            note=("Nye: gav i året og aldrig før. Fastholdte: gav både året før og i året. Genvundne: gav tidligere, "
                  "ikke året før, men igen i året. Tabte: gav året før, men ikke i året. Fastholdelsesgrad = "
                  "fastholdte ÷ givere året før. En giver kan være en privatperson, så antal fra 1 til "
                  f"{self.min_cell - 1} vises som «{disclosure.masked(self.min_cell)}»."),
        )
        # givers may be private persons: counted as persons (1–4 suppressed); this year's counts
        # are the table's last row and are hidden where the table hides them (secondary suppression)
        in_table = {"givers": y, "givers_prev": y - 1, "new": y, "retained": y, "recaptured": y, "lapsed": y}
        for col, label in (("givers", f"Givere i {y}"), ("givers_prev", f"Givere i {y - 1}"),
                           ("new", f"Nye givere i {y}"), ("retained", f"Fastholdte givere i {y}"),
                           ("recaptured", f"Genvundne givere i {y}"), ("lapsed", f"Tabte givere i {y}"),
                           ("repeat_givers", f"Gentagne givere i {y} (Den Gyldne Donation)")):
            cell = f"value.donors.year.{in_table.get(col)}.{'givers' if col == 'givers_prev' else col}"
            hide = (L[cell].suppressed if cell in L else False) if col in in_table else \
                disclosure.complement_small(cur["repeat_givers"], cur["givers"], self.min_cell)
            L.count(f"value.donors.{col}", int(cur[col]), label, "borgere", secondary=hide)
        self._share("value.donors.retention_rate", int(cur["retained"]), int(cur["givers_prev"]),
                    f"Fastholdelsesgrad {y}", hidden=L[f"value.donors.year.{y}.retention_rate"].suppressed)

    def _block_fundraising(self) -> Block:
        from so_eval.plots.value import donor_flow_plot

        b, y, m = Block().md("### Fundraising og Den Gyldne Donation"), self.year, self.min_cell
        if self.fundraising is None:
            return b.md(self.notes["fundraising"])
        b.md(
            f"I {y} sendte virksomhederne {self.f('value.fundraising.applications')} ansøgninger til fonde, puljer "
            f"og virksomheder. Af de {self.f('value.fundraising.decided')} ansøgninger, der blev afgjort i året, fik "
            f"{self.f('value.fundraising.successful')} en bevilling — en succesrate på "
            f"{self.f('value.fundraising.success_rate')} — og der blev bevilget "
            f"{_kr(self.ledger['value.fundraising.granted_amount'])} af "
            f"{_kr(self.ledger['value.fundraising.applied_amount'])} ansøgt. Dertil kom "
            f"{self.f('value.fundraising.donations')} donationer på i alt "
            f"{_kr(self.ledger['value.fundraising.donation_amount'])} I alt blev der indsamlet "
            f"{_kr(self.ledger['value.fundraising.raised'])}, og {self.f('value.fundraising.digital_share')} af "
            f"gaverne og bevillingerne kom ind digitalt. Ved årets udgang ventede "
            f"{self.f('value.fundraising.pending')} ansøgninger på svar."
        )
        b.table(self.giver_table)
        if self.fundraiser is None:
            b.md("Ingen ansøgninger er sendt via en professionel fundraiser (no cure no pay).")
        else:
            extra = ""
            if (self.v("value.fundraiser.fees_without_grant") or 0) > 0:
                extra = (f" **Bemærk:** Der er registreret {_kr(self.ledger['value.fundraiser.fees_without_grant'])} "
                         "i honorar på afslag eller uafgjorte ansøgninger; med no cure no pay skal det være 0.")
            b.md(
                f"**Fundraiser på no cure no pay.** Siden {self.f('value.fundraiser.from_year')} har en professionel "
                f"fundraiser søgt for virksomhederne og får kun honorar af det, der bevilges. I {y} indbragte "
                f"fundraiseren {_kr(self.ledger['value.fundraiser.raised'])} og fik "
                f"{_kr(self.ledger['value.fundraiser.fees'])} i honorar "
                f"({self.f('value.fundraiser.fee_ratio')} af det indbragte), så virksomhederne stod tilbage med "
                f"{_kr(self.ledger['value.fundraiser.net_gain'])} Fundraiserens succesrate var "
                f"{self.f('value.fundraiser.success_rate')} mod {self.f('value.fundraiser.success_rate_other')} for "
                f"de øvrige ansøgninger. Siden {self.f('value.fundraiser.from_year')}: indbragt "
                f"{_kr(self.ledger['value.fundraiser.total.raised'])}, honorar "
                f"{_kr(self.ledger['value.fundraiser.total.fees'])}, netto "
                f"{_kr(self.ledger['value.fundraiser.total.net_gain'])}{extra}"
            )
            b.table(self.fundraiser_table)
        if self.donors is None:
            b.md("Der er endnu ikke to års gaver at sammenligne, så fastholdelsen af givere kan ikke opgøres.")
            return b
        b.md(
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
        for c in ("new", "retained", "recaptured", "lapsed"):
            plot[c] = [0 if self.ledger[f"value.donors.year.{yy}.{c}"].suppressed else n
                       for yy, n in zip(plot["year"], plot[c])]
        plot["retention_rate"] = [self.v(f"value.donors.year.{yy}.retention_rate") for yy in plot["year"]]
        masked = any(self.ledger[f"value.donors.year.{yy}.{c}"].suppressed for yy in plot["year"]
                     for c in ("new", "retained", "recaptured", "lapsed"))
        if not plot[["new", "retained", "recaptured", "lapsed"]].to_numpy().any():  # nothing to draw
            b.md(f"Figuren over givere år for år vises ikke: hver gruppe har færre end {m} givere hvert år "
                 "(diskretionering)." if masked else "Der er ingen givere at vise år for år.")
        else:
            ax = donor_flow_plot(plot)
            b.figure(ax.figure, "Givere år for år: nye, fastholdte, genvundne og tabte")
            if masked:
                b.md(f"Søjler med færre end {m} givere er udeladt af figuren (diskretionering).")
        b.table(self.donor_table)
        return b

    # -- 4. pilots and prøvehandlinger --------------------------------------------------------

    def _record_pilots(self) -> None:
        L, y, ds = self.ledger, self.year, self.ds
        self.pilots = None
        if not _has(ds, "pilots"):
            self.notes["pilots"] = _missing_text("pilots", "piloter og prøvehandlinger")
            return
        pipe = mv.pilot_pipeline(ds, y)
        if int(pipe["n"].sum()) == 0:
            self.notes["pilots"] = f"Der var ingen piloter eller prøvehandlinger startet senest {y}."
            return
        self.pilots = pipe
        wide = pipe.assign(kind=pipe["kind"].astype(str), status=pipe["status"].astype(str)).pivot(
            index="status", columns="kind", values="n").reindex(index=list(PILOT_STATUSES), columns=list(PILOT_KINDS))
        wide = wide.fillna(0).astype(int).rename(columns={"pilot": "pilots", "prøvehandling": "trial_actions"})
        wide["total"] = wide.sum(axis=1)
        wide = wide.reset_index()
        self.pipeline_table = self._ledger_table(
            wide, key="value.pilots.pipeline", id_col="status", id_label="Status",
            id_text=lambda r: STATUS_LABELS.get(r["status"], r["status"]),
            cols=[_Col("pilots", "Piloter", unit="piloter"), _Col("trial_actions", "Prøvehandlinger", unit="piloter"),
                  _Col("total", "I alt", unit="piloter")],
            what=f"Piloter og prøvehandlinger ved udgangen af {y}",
            caption=f"Piloter og prøvehandlinger efter status ved udgangen af {y}",
        )
        L.value("value.pilots.total", int(wide["total"].sum()), f"Piloter og prøvehandlinger startet senest {y}", "piloter")
        s = mv.pilot_summary(ds, [y]).iloc[0]
        cum = mv.pilot_summary(ds, [y], cumulative=True).iloc[0]
        u = "piloter"
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
            val = s[col]
            val = None if isinstance(val, float) and math.isnan(val) else (float(val) if unit != u else int(val))
            L.value(f"value.pilots.{col}", val, label, unit)
        for col, label, unit in (
            ("decided", f"Afgjort i alt til og med {y}", u),
            ("success_share", f"Andel skaleret eller videreført af alle afgjorte til og med {y}", "andel"),
            ("median_days_to_decision", f"Mediantid fra start til afgørelse, alle afgjorte til og med {y}", "dage"),
        ):
            val = cum[col]
            val = None if isinstance(val, float) and math.isnan(val) else (float(val) if unit != u else int(val))
            L.value(f"value.pilots.cumulative.{col}", val, label, unit)
        co = mv.pilot_cocreation(ds, y)
        L.value("value.pilots.multi_sector", int(co["multi_sector"].sum()),
                f"Startet i {y} med mindst to partnersektorer", u)
        L.value("value.pilots.without_enterprise", int(co["without_enterprise"].sum()),
                f"Prøvehandlinger startet i {y} uden en bestemt virksomhed", u)
        # survival of the business ideas
        km, med = mv.pilot_survival(ds, y)
        self.pilot_km, self.pilot_medians = km, med
        self.pilot_survival_shown = bool((med["events"] > 0).any() and med["n"].sum() >= self.min_cell)
        if self.pilot_survival_shown:
            for r in med.itertuples():
                k = f"value.pilots.survival.{fmt.slug(r.group)}"
                L.value(f"{k}.n", int(r.n), f"Overlevelse, {r.group}: antal", u)
                L.value(f"{k}.stopped", int(r.events), f"Overlevelse, {r.group}: stoppet", u)
                L.value(f"{k}.median", None if math.isnan(r.median) else float(r.median),
                        f"Overlevelse, {r.group}: medianlevetid", "år")

    def _block_pilots(self) -> Block:
        from so_eval.plots.value import pilot_pipeline_plot, survival_plot

        b, y = Block().md("### Piloter og prøvehandlinger"), self.year
        if self.pilots is None:
            return b.md(self.notes["pilots"])
        decided = int(self.ledger["value.pilots.decided"].value)
        dec = (f"I {y} blev {self.f('value.pilots.decided')} afgjort: {self.f('value.pilots.scaled')} skaleret, "
               f"{self.f('value.pilots.continued')} videreført og {self.f('value.pilots.stopped')} stoppet — "
               f"{self.f('value.pilots.success_share')} blev skaleret eller videreført, og afgørelsen kom i median "
               f"{self.f('value.pilots.median_days_to_decision')} dage efter start." if decided
               else f"Ingen pilot eller prøvehandling blev afgjort i {y}.")
        started = int(self.ledger["value.pilots.started"].value)
        co = (f" Af årets nye havde {self.f('value.pilots.multi_sector_share')} partnere fra mindst to sektorer "
              f"(i gennemsnit {self.f('value.pilots.mean_sectors')} sektorer) — samskabelse på tværs af sektorer, "
              f"som strategien lægger op til. Prøvehandlinger båret af partnerne uden en bestemt virksomhed: "
              f"{self.f('value.pilots.without_enterprise')}." if started else "")
        b.md(
            f"Piloter er små forsøg, der skal kunne vokse; prøvehandlinger er aktiviteter, der skabes sammen på tværs "
            f"af sektorer. Ved udgangen af {y} var {self.f('value.pilots.total')} startet, og "
            f"{self.f('value.pilots.running')} var i gang. I {y} startede {self.f('value.pilots.started')} "
            f"({self.f('value.pilots.pilots')} piloter og {self.f('value.pilots.trial_actions')} prøvehandlinger).{co}"
            f"\n\n{dec} Af alle, der er afgjort til og med {y} ({self.f('value.pilots.cumulative.decided')}), er "
            f"{self.f('value.pilots.cumulative.success_share')} skaleret eller videreført. At nogle stoppes, er en "
            "del af metoden: det, der ikke bærer, skal kunne lukkes hurtigt."
        )
        ax = pilot_pipeline_plot(self.pilots, title=f"Piloter og prøvehandlinger efter status ved udgangen af {y}")
        b.figure(ax.figure, f"Piloter og prøvehandlinger efter status, {y}")
        b.table(self.pipeline_table)
        if self.pilot_survival_shown:
            parts = []
            for r in self.pilot_medians.itertuples():
                k = f"value.pilots.survival.{fmt.slug(r.group)}"
                name = "piloterne" if r.group == "pilot" else "prøvehandlingerne"
                med = self.ledger[f"{k}.median"]
                parts.append(f"halvdelen af {name} var stoppet efter {self.f(f'{k}.median')} år" if med.value is not None
                             else f"over halvdelen af {name} er ikke stoppet ({self.f(f'{k}.stopped')} af "
                                  f"{self.f(f'{k}.n')} stoppet)")
            b.md(f"**Forretningsidéernes levetid.** Kurven viser andelen, der endnu ikke er stoppet, efter tid fra "
                 f"start (skaleret og videreført tæller som levende): {'; '.join(parts)}.")
            ax = survival_plot(self.pilot_km, medians=self.pilot_medians, ylabel="Andel ikke stoppet",
                               title=f"Piloter og prøvehandlinger: andel ikke stoppet, til og med {y}")
            b.figure(ax.figure, "Overlevelse af piloter og prøvehandlinger")
        return b

    # -- 5. survival --------------------------------------------------------------------------

    def _record_survival(self) -> None:
        L, y = self.ledger, self.year
        km, med = mv.enterprise_survival(self.ds, y)
        self.survival_km, self.survival_medians = km, med
        by_label = {v: k for k, v in GENERATIONS.items()}
        self.survival_at = {}
        for r in med.itertuples():
            gen = by_label.get(r.group, fmt.slug(r.group))
            k = f"value.survival.{gen}"
            L.value(f"{k}.n", int(r.n), f"Virksomheder startet senest {y}, {r.group}", "virksomheder")
            L.value(f"{k}.closed", int(r.events), f"Heraf lukket senest {y}, {r.group}", "virksomheder")
            for col, label in (("median", "medianlevetid"), ("median_ci_low", "medianlevetid, nedre grænse (95 %)"),
                               ("median_ci_high", "medianlevetid, øvre grænse (95 %)")):
                val = getattr(r, col)
                L.value(f"{k}.{col}", None if math.isnan(val) else float(val), f"{r.group}: {label}", "år")
            d = km.loc[km["group"] == r.group].sort_values("time")
            at = None
            if len(d) and float(d["time"].max()) >= SURVIVAL_YEARS:
                at = float(d.loc[d["time"] <= SURVIVAL_YEARS, "survival"].iloc[-1])
            self.survival_at[gen] = at
            L.value(f"{k}.surviving_{SURVIVAL_YEARS}y", at,
                    f"{r.group}: andel stadig i drift {SURVIVAL_YEARS} år efter start", "andel")

    def _block_survival(self) -> Block:
        from so_eval.plots.value import survival_plot

        b, y = Block().md("### Overlevelse"), self.year
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
        b.md(
            f"Kaplan–Meier-kurverne viser andelen af virksomheder og initiativer, der stadig er i drift, efter antal år "
            f"fra start, for de to generationer (til og med {y}). " + ("; ".join(parts) + "." if parts else "")
        )
        a1, a2 = self.survival_at.get("first_generation"), self.survival_at.get("second_generation")
        expect = ("Strategien forventer, at 2. generation — flere og mindre forretningsidéer, hvor det er i orden at "
                  "prøve af og stoppe igen — lever kortere end 1. generations virksomheder.")
        if a1 is not None and a2 is not None:
            k1 = f"value.survival.first_generation.surviving_{SURVIVAL_YEARS}y"
            k2 = f"value.survival.second_generation.surviving_{SURVIVAL_YEARS}y"
            seen = ("Det ses i data" if a2 < a1 else "Det ses endnu ikke i data" if a2 > a1
                    else "Data viser ingen forskel endnu")
            b.md(f"{expect} {seen}: {SURVIVAL_YEARS} år efter start var {self.f(k2)} af 2. generation stadig i drift "
                 f"mod {self.f(k1)} af 1. generation. 2. generation er ung, og der er få lukninger, så forskellen er "
                 "usikker (se de skraverede konfidensbånd).")
        else:
            b.md(f"{expect} 2. generation er endnu for ung til at sammenligne de to generationer "
                 f"{SURVIVAL_YEARS} år efter start.")
        if self.survival_km.empty:  # no enterprise had started by the end of the year: no curve to draw
            b.md(f"Ingen virksomheder eller initiativer var startet til og med {y}, så der er ingen "
                 "overlevelseskurver at vise.")
        else:
            ax = survival_plot(self.survival_km, medians=self.survival_medians,
                               title=f"Virksomheder og initiativer i drift efter start, til og med {y}")
            b.figure(ax.figure, "Overlevelse af virksomheder og initiativer efter generation")
        return b

    # -- 6. UN goals and circular economy -----------------------------------------------------

    def _record_sdg_circular(self) -> None:
        y, ds = self.year, self.ds
        sdg = mv.sdg_mapping(ds, y)
        sdg = sdg.loc[sdg["focus"] | (sdg["total"] > 0)].sort_values(["focus", "goal"], ascending=[False, True])
        self.sdg = sdg
        self.sdg_table = self._ledger_table(
            sdg, key="value.sdg", id_col="goal", id_label="Verdensmål",
            id_text=lambda r: f"{r['goal']}. {SDG_NAMES.get(int(r['goal']), '')}" + (" (strategiens fokus)" if r["focus"]
                                                                                    else ""),
            cols=[_Col("enterprises", "Virksomheder", unit="virksomheder"),
                  _Col("pilots", "Piloter", unit="piloter"),
                  _Col("trial_actions", "Prøvehandlinger", unit="piloter"),
                  _Col("total", "I alt", unit="antal")],
            what=f"FN's verdensmål {y}",
            caption=f"Virksomheder, piloter og prøvehandlinger efter FN's verdensmål, {y}",
            note="Virksomheder aktive ved årets udgang; piloter og prøvehandlinger i gang i året. En enhed, der "
                 "angiver flere mål, tælles under hvert.",
        )
        self.circular = None
        if not _has(ds, "circular"):
            self.notes["circular"] = _missing_text("circular", "den cirkulære økonomi")
            return
        years = self._years_from(int(ds.circular["year"].min()))
        self._record_completeness("circular", years)
        t = mv.circular_output(ds, years)
        self.circular = t
        L = self.ledger
        cur = t.loc[t["year"] == y].iloc[0]
        for col, label, unit in (("enterprises", f"Virksomheder med cirkulær økonomi i {y}", "virksomheder"),
                                 ("items_repaired", f"Reparerede genstande i {y}", "genstande"),
                                 ("kg_reused", f"Kg genbrugt i {y}", "kg"),
                                 ("citizen_courses", f"Borgerkurser med affaldsselskabet i {y}", "kurser")):
            L.value(f"value.circular.{col}", float(cur[col]) if col == "kg_reused" else int(cur[col]), label, unit)
        self.circular_table = self._ledger_table(
            t, key="value.circular.year", id_col="year", id_label="År", id_text=self._year_text("circular"),
            cols=[_Col("enterprises", "Virksomheder", unit="virksomheder"),
                  _Col("items_repaired", "Reparerede genstande", unit="genstande"),
                  _Col("kg_reused", "Kg genbrugt", unit="kg"),
                  _Col("citizen_courses", "Borgerkurser", unit="kurser")],
            what="Cirkulær økonomi", caption="Cirkulær økonomi år for år",
            note=self._provisional_note("circular", years).strip(),
        )
        self._mark_complete("circular", [k for k in L.figures if k.startswith("value.circular.")])

    def _block_sdg_circular(self) -> Block:
        b, y = Block().md("### FN's verdensmål og cirkulær økonomi"), self.year
        focus = self.sdg.loc[self.sdg["focus"]]
        parts = [f"mål {int(r.goal)} ({SDG_NAMES[int(r.goal)].lower()}): {self.f(f'value.sdg.{int(r.goal)}.total')}"
                 for r in focus.itertuples()]
        pilots = "" if _has(self.ds, "pilots") else (" Datasættet har ingen tabel `pilots`, så kun virksomhederne "
                                                      "tælles med.")
        b.md(
            f"Strategien knytter socialøkonomien til FN's verdensmål 4, 8, 15 og 17. Tabellen tæller de aktive "
            f"virksomheder og de piloter og prøvehandlinger, der var i gang i {y}, under hvert mål, de selv angiver: "
            + "; ".join(parts) + f". Andre mål vises, når de forekommer.{pilots}"
        )
        b.table(self.sdg_table)
        if self.circular is None:
            return b.md(self.notes["circular"])
        b.md(
            f"**Cirkulær økonomi** (bæredygtighedsstrategiens handling 45): i {y} indberettede "
            f"{self.f('value.circular.enterprises')} virksomheder, at de havde repareret "
            f"{self.f('value.circular.items_repaired')} genstande, genbrugt {self.f('value.circular.kg_reused')} kg "
            f"og holdt {self.f('value.circular.citizen_courses')} borgerkurser sammen med affaldsselskabet. "
            + self._sentence("circular")
        )
        b.table(self.circular_table)
        return b

    # -- 7. social return: business case and SROI ---------------------------------------------

    def _participants(self) -> pd.DataFrame:
        """Citizens whose first course started in the year, with their target group."""
        c = self.ds.courses
        first = c.sort_values(["citizen_id", "start", "course_id"]).drop_duplicates("citizen_id")
        first = first.loc[first["start"].dt.year == self.year, ["citizen_id"]]
        groups = self.ds.citizens[["citizen_id", "target_group"]].drop_duplicates("citizen_id")
        return first.merge(groups, on="citizen_id", how="left")

    def _record_sroi(self) -> None:
        from so_eval.metrics.reach import agreements_active

        L, y, m, sp = self.ledger, self.year, self.min_cell, self.sroi_params
        self.sroi_problem: str | None = None
        self.business_case = None
        self.price_table = None
        prices = sp.get("unit_prices") or {}
        if not prices:
            self.sroi_problem = ("Der er ikke angivet enhedspriser i rapportens parametre (`value.sroi.unit_prices` i "
                                 f"`params/{y}.yaml`), så business case og SROI beregnes ikke. Angiv den offentlige "
                                 "udgift pr. uge for hver målgruppe med kilde, prisår og note — helst SØM-enhedspriser.")
            return
        try:
            table = sr.validate_prices(prices)
        except ValueError as exc:
            self.sroi_problem = f"Enhedspriserne i parametrene kan ikke bruges, så business casen beregnes ikke: {fmt.text(exc)}."
            return
        self.prices = prices
        price_year = int(table["price_year"].iloc[0])
        self.price_year = price_year
        L.value("value.sroi.price_year", price_year, "Enhedsprisernes prisår", "årstal")
        self.price_table = self._ledger_table(
            table.assign(benefit_label=[g.category_label(b) for b in table["benefit"]]),
            key="value.sroi.price", id_col="benefit", id_label="Målgruppe (ydelse)",
            id_text=lambda r: r["benefit_label"],
            cols=[_Col("municipality", "Kommune (kr./uge)", unit="kr."), _Col("state", "Stat (kr./uge)", unit="kr."),
                  _Col("total", "I alt (kr./uge)", unit="kr."), _Col("price_year", "Prisår", unit="årstal"),
                  _Col("source", "Kilde", "text"), _Col("note", "Note", "text")],
            what="Enhedspris pr. uge",
            caption=f"Enhedspriser: den offentlige udgift til en uge på ydelsen (faste {price_year}-priser)",
        )
        self.prices_are_assumptions = any(
            "antagelse" in f"{r.source} {r.note}".lower() or "placeholder" in f"{r.source} {r.note}".lower()
            for r in table.itertuples())
        a = {**DEFAULT_SROI, **{k: v for k, v in sp.items() if k != "unit_prices" and v is not None}}
        eff = self.effect
        if eff is None:
            self.sroi_problem = ("Der er ingen effektmåling for året, så business casen kan ikke beregnes: den bygger "
                                 "på den målte effekt på selvforsørgelse.")
            return
        if getattr(eff, "n_treated", m) < m or not np.isfinite(_num(eff.att)):
            self.sroi_problem = "Effektmålingen bygger på for få deltagere til at kunne bruges i en business case."
            return
        part = self._participants()
        priced = part.loc[part["target_group"].isin(table["benefit"])]
        n_all, n = len(part), len(priced)
        L.count("value.sroi.participants", n_all, f"Nye deltagere i {y} (første forløb startet i året)")
        L.count("value.sroi.participants_priced", n, f"Heraf i en målgruppe med enhedspris, {y}",
                secondary=disclosure.complement_small(n, n_all, m))
        if n < m:
            self.sroi_problem = (f"Der er for få nye deltagere med en enhedspris i {y} til en business case "
                                 f"(færre end {m}).")
            return
        from so_eval.metrics.reach import citizens_served

        cost_total = float(agreements_active(self.ds, y)["price"].sum())
        served = citizens_served(self.ds, y)
        if cost_total <= 0 or served <= 0:
            self.sroi_problem = f"Der var ingen gældende samarbejdsaftaler med en pris ved udgangen af {y}."
            return
        # like for like: the share of the agreements' yearly price that falls on the new participants,
        # the price per citizen in a course × the new participants (so it follows the participants)
        per_participant = cost_total / served
        cost = per_participant * n
        counts = priced["target_group"].value_counts()
        mix = {str(k): float(v) / n for k, v in counts.items()}
        mix_rows = pd.DataFrame({"benefit": list(table["benefit"])})
        mix_rows["n"] = [int(counts.get(b, 0)) for b in mix_rows["benefit"]]
        mix_rows["den"] = n
        mix_rows["price"] = list(table["total"])
        horizon = int(a["horizon"])
        attribution_courses = float(a["attribution"])
        if not 0 <= attribution_courses <= 1:
            self.sroi_problem = f"value.sroi.attribution skal være en andel mellem 0 og 1, ikke {fmt.text(attribution_courses)}."
            return
        inputs = sr.BusinessCaseInputs(
            effect_weeks=sr.effect_weeks_from_att(eff), participants=n, cost=0.0, cost_per_participant=per_participant,
            prices=prices, benefit_mix=mix, horizon=horizon, drop_off=float(a["drop_off"]),
            discount_rate=float(a["discount_rate"]))
        try:
            bc = sr.business_case(inputs)
            res = sr.sroi(float(bc.table["gross"].iloc[0]), cost, horizon=horizon, drop_off=float(a["drop_off"]),
                          discount_rate=float(a["discount_rate"]), deadweight="from_comparison_group",
                          attribution=1.0 - attribution_courses, displacement=float(a["displacement"]),
                          from_effect_estimate=True)
            ci = (sr.effect_weeks_from_att(_num(eff.ci_low)), sr.effect_weeks_from_att(_num(eff.ci_high)))
            if not all(np.isfinite(ci)):
                raise ValueError("the effect estimate has no confidence interval")
            # at most every citizen in a course can be a new participant
            sens = sr.business_case_sensitivity(inputs, ranges={"participants": (0.8 * n, min(1.2 * n, served))},
                                                brackets={"participants": (0.0, float(served))}, effect_ci=ci)
            at_ci = sr.business_case_at_ci(inputs, eff)
        except ValueError as exc:
            self.sroi_problem = f"Business casen kunne ikke beregnes: {fmt.text(exc)}."
            return
        self.business_case, self.sroi_result, self.sensitivity, self.at_ci = bc, res, sens, at_ci
        self.inputs = inputs
        # -- record --
        self.mix_table = self._ledger_table(
            mix_rows, key="value.sroi.mix", id_col="benefit", id_label="Målgruppe",
            id_text=lambda r: g.category_label(r["benefit"]),
            cols=[_Col("n", "Nye deltagere", "count", "borgere"),
                  _Col("share", "Andel", "share", num="n", den="den"),
                  _Col("price", "Pris pr. uge (kr.)", unit="kr.")],
            what=f"Nye deltagere {y}",
            caption=f"Årets nye deltagere efter målgruppe: hvilken ydelse de ellers ville få ({y})",
        )
        L.value("value.sroi.cost_total", cost_total, f"Årlig pris for samarbejdsaftaler gældende ved udgangen af {y}", "kr.")
        L.count("value.sroi.citizens_served", served, f"Borgere i forløb i {y}")
        L.value("value.sroi.cost_per_participant", per_participant,
                f"Aftalernes pris pr. borger i forløb, {y} (udgiften pr. ny deltager)", "kr.")
        L.value("value.sroi.cost", cost, f"Udgift til de nye deltagere (andel af aftalernes pris), {y}", "kr.")
        L.stat("value.sroi.att", 100 * float(eff.att), int(eff.n_treated),
               "Effekt: andel uger selvforsørgende (ATT)", "procentpoint")
        L.stat("value.sroi.effect_weeks", inputs.effect_weeks, int(eff.n_treated),
               "Effekt i år 1: uger i selvforsørgelse pr. deltager (ATT × 52)", "uger")
        L.stat("value.sroi.effect_weeks_ci_low", ci[0], int(eff.n_treated), "Effekt i år 1, nedre grænse (95 %)", "uger")
        L.stat("value.sroi.effect_weeks_ci_high", ci[1], int(eff.n_treated), "Effekt i år 1, øvre grænse (95 %)", "uger")
        L.value("value.sroi.horizon", horizon, "Tidshorisont", "antal år")
        L.value("value.sroi.drop_off", float(a["drop_off"]), "Aftagende effekt pr. år (drop-off)", "andel")
        L.value("value.sroi.discount_rate", float(a["discount_rate"]), "Diskonteringsrente pr. år", "rente")
        L.value("value.sroi.deadweight", res.deadweight, "Dødvægt (fra sammenligningsgruppen)", "andel")
        L.value("value.sroi.attribution", attribution_courses, "Tilskrivning: andel af udfaldet, der skyldes forløbene",
                "andel")
        L.value("value.sroi.displacement", res.displacement, "Fortrængning", "andel")
        for part_, label in (("municipality", "kommune"), ("state", "stat"), ("total", "i alt")):
            L.value(f"value.sroi.unit_saving.{part_}", bc.unit_saving[part_],
                    f"Besparelse pr. uge i selvforsørgelse ({label}), vægtet med målgrupperne", "kr.")
        L.value("value.sroi.pv_savings", bc.pv_savings, "Nutidsværdi af de offentlige besparelser", "kr.")
        L.value("value.sroi.pv_cost", bc.pv_cost, "Nutidsværdi af udgiften til aftalerne", "kr.")
        L.value("value.sroi.npv", bc.npv, "Business case: nettonutidsværdi for det offentlige", "kr.")
        L.value("value.sroi.npv_municipality", bc.npv_municipality, "Business case: nettonutidsværdi for kommunen", "kr.")
        L.value("value.sroi.payback_year", bc.payback_year, "Tilbagebetalingsår", "år nr.")
        L.value("value.sroi.ratio", res.ratio, "SROI: nutidsværdi af udfald pr. investeret krone", "forhold")
        L.value("value.sroi.pv_outcomes", res.pv_outcomes, "SROI: nutidsværdi af udfaldene", "kr.")
        units = {"effect_weeks": "uger", "participants": "deltagere", "cost_factor": "faktor", "price_factor": "faktor",
                 "drop_off": "andel", "discount_rate": "rente", "horizon": "antal år"}
        rows = []
        for r in sens.itertuples():
            k, u = f"value.sroi.sensitivity.{r.assumption}", units.get(r.assumption, "antal")
            found = not math.isnan(r.break_even)
            within = f"inden for {_range_text(r.bracket_low, r.bracket_high, u)}"
            status = f"fundet {within}" if found else f"ikke muligt {within}"
            figs = {
                "base": L.value(f"{k}.base", float(r.base_value), f"{r.label}: basis", u),
                "low": L.value(f"{k}.low", float(r.low_value), f"{r.label}: lav værdi", u),
                "high": L.value(f"{k}.high", float(r.high_value), f"{r.label}: høj værdi", u),
                "npv_low": L.value(f"{k}.npv_low", float(r.result_low), f"{r.label}: NPV ved lav værdi", "kr."),
                "npv_high": L.value(f"{k}.npv_high", float(r.result_high), f"{r.label}: NPV ved høj værdi", "kr."),
                "break_even": L.value(f"{k}.break_even", float(r.break_even) if found else None,
                                      f"{r.label}: break-even (NPV = 0; tom når ikke muligt, se break_even_status)", u),
                "status": L.value(f"{k}.break_even_status", status, f"{r.label}: break-even (NPV = 0)", "status"),
            }
            rows.append({"Antagelse": r.label, "Basis": _show(figs["base"]), "Lav": _show(figs["low"]),
                         "Høj": _show(figs["high"]), "NPV ved lav (kr.)": _show(figs["npv_low"]),
                         "NPV ved høj (kr.)": _show(figs["npv_high"]),
                         "Break-even": _show(figs["break_even"]) if found else figs["status"].display})
        self.sensitivity_table = Table(
            pd.DataFrame(rows), caption="Følsomhed: nettonutidsværdien, når én antagelse ad gangen ændres",
            note="Break-even er den værdi af antagelsen, der giver en nettonutidsværdi på 0 (de andre antagelser "
                 "uændrede); «ikke muligt inden for …» betyder, at det ikke sker i det interval, der er søgt i (højst "
                 "alle borgere i forløb som deltagere, andele fra 0 til 100 %, faktorer fra 0 til 10). "
                 "Udgiften følger antallet af deltagere (aftalernes pris pr. borger i forløb), så færre eller flere "
                 "deltagere ændrer både udgift og besparelse. Effektens lave og høje værdi er grænserne for dens "
                 "95 %-konfidensinterval.")
        points = {"estimate": "Punktestimat", "ci_low": "Nedre grænse (95 %)", "ci_high": "Øvre grænse (95 %)"}
        at = at_ci.assign(att=100 * at_ci["att"],
                          payback_year=[None if math.isnan(v) else int(v) for v in at_ci["payback_year"]])
        at["payback_year"] = at["payback_year"].astype(object)
        self.ci_table = self._ledger_table(
            at, key="value.sroi.ci", id_col="point", id_label="Effekt", id_text=lambda r: points[r["point"]],
            cols=[_Col("att", "Effekt (procentpoint)", unit="procentpoint"),
                  _Col("effect_weeks", "Uger pr. deltager i år 1", unit="uger"),
                  _Col("npv", "NPV, det offentlige (kr.)", unit="kr."),
                  _Col("npv_municipality", "NPV, kommunen (kr.)", unit="kr."),
                  _Col("payback_year", "Tilbagebetalingsår", unit="år nr.")],
            what="Business case efter effektens konfidensinterval",
            caption="Business casen ved effektens punktestimat og ved grænserne for dens konfidensinterval",
        )

    def _block_sroi(self) -> Block:
        from so_eval.plots.value import tornado_plot

        b, y = Block().md("### Social afkast (SROI og business case)"), self.year
        intro = ("Giver samarbejdsaftalerne et afkast for det offentlige? En business case i stil med SØM (Den "
                 "Socialøkonomiske Investeringsmodel) regner den målte effekt på selvforsørgelse om til sparede "
                 "offentlige ydelser og stiller dem over for prisen på aftalerne.")
        if self.business_case is None:
            b.md(intro)
            if self.price_table is not None:
                b.table(self.price_table)
            return b.md(self.sroi_problem or "Business casen er ikke beregnet.")
        L = self.ledger
        horizon_txt = ""
        spec = self.effect_spec
        if spec is not None and getattr(spec, "horizon", None):
            lo_hi = str(spec.horizon).replace("-", "–")
            horizon_txt = f" Effekten er målt i uge {lo_hi} efter start og bruges som effekten i hele år 1."
        unpriced = ""
        if L["value.sroi.participants"].value != L["value.sroi.participants_priced"].value:
            unpriced = (f" (af {self.f('value.sroi.participants')} nye deltagere; de øvrige er i en målgruppe uden "
                        "enhedspris og regnes ikke med)")
        b.md(
            f"{intro}\n\n**Antagelser.** Effektmålingen viser {self.f('value.sroi.att')} procentpoint flere uger som "
            f"selvforsørgende for deltagerne end for sammenlignelige borgere; det svarer til "
            f"{self.f('value.sroi.effect_weeks')} uger i selvforsørgelse pr. deltager i år 1 (ATT × 52; 95 %-interval "
            f"{self.f('value.sroi.effect_weeks_ci_low')}–{self.f('value.sroi.effect_weeks_ci_high')} uger).{horizon_txt} "
            f"Effekten aftager med {self.f('value.sroi.drop_off')} om året og følges i {self.f('value.sroi.horizon')} "
            f"år, diskonteret med {self.f('value.sroi.discount_rate')} om året (Finansministeriets "
            f"samfundsøkonomiske diskonteringsrente; år 1 diskonteres ikke). Gevinsten regnes for de "
            f"{self.f('value.sroi.participants_priced')} borgere, der startede deres første forløb i {y}"
            f"{unpriced}, og hver uge i selvforsørgelse sparer i "
            f"gennemsnit {_kr(L['value.sroi.unit_saving.total'])} "
            f"({_kr(L['value.sroi.unit_saving.municipality'])} for kommunen og "
            f"{_kr(L['value.sroi.unit_saving.state'])} for staten), vægtet med deltagernes målgrupper. Udgiften er "
            f"de nye deltageres andel af den årlige pris for de samarbejdsaftaler, der var gældende ved udgangen af "
            f"{y} ({_mio(L['value.sroi.cost_total'])} for {L['value.sroi.citizens_served'].display} borgere i forløb): "
            f"{_mio(L['value.sroi.cost'])} Udgiften tælles kun i det første år; et forløb kan vare længere, så "
            f"business casen kan undervurdere udgiften."
        )
        warn = ("**Enhedspriserne er antagelser.** Priserne i tabellen er sat til demonstration og skal erstattes med "
                "enhedspriser fra SØM, før resultatet bruges til beslutninger." if self.prices_are_assumptions else
                "Enhedspriserne står i rapportens parametre med kilde, prisår og note; brug helst SØM-enhedspriser.")
        b.md(f"{warn} Enhedspriserne er i faste {self.f('value.sroi.price_year')}-priser, aftalernes pris i "
             f"{y}-priser.")
        b.table(self.price_table)
        b.table(self.mix_table)
        payback = L["value.sroi.payback_year"].value
        pay = (f"Investeringen er tjent hjem i år {payback}." if payback is not None
               else f"Investeringen er ikke tjent hjem inden for de {self.f('value.sroi.horizon')} år.")
        npv = L["value.sroi.npv"].value
        verdict = "et overskud" if npv >= 0 else "et underskud"
        npv_m = L["value.sroi.npv_municipality"].value
        b.md(
            f"**Resultat.** Nutidsværdien af de sparede ydelser er {_mio(L['value.sroi.pv_savings'])} mod en udgift på "
            f"{_mio(L['value.sroi.pv_cost'])} Business casens nettonutidsværdi for det offentlige er "
            f"{_mio(L['value.sroi.npv'])} ({verdict}); for kommunen alene er den "
            f"{_mio(L['value.sroi.npv_municipality'])} ({'et overskud' if npv_m >= 0 else 'et underskud'}). "
            f"{pay}\n\n"
            f"**SROI.** Hver investeret krone giver {self.f('value.sroi.ratio')} kr. tilbage i sparede offentlige "
            f"ydelser (nutidsværdi). Dødvægten er {self.f('value.sroi.deadweight')}: effekten er målt mod en "
            f"sammenligningsgruppe, så det, der ville være sket alligevel, er allerede trukket fra. "
            f"{self.f('value.sroi.attribution')} af effekten tilskrives forløbene, og fortrængningen er sat til "
            f"{self.f('value.sroi.displacement')}. Regnestykket medtager kun sparede ydelser — ikke skatteindtægter, "
            "sundhed, livskvalitet eller værdien for virksomhederne — og undervurderer derfor det samlede afkast."
        )
        b.table(self.ci_table)
        sens = self.sensitivity
        top = sens.iloc[0]
        b.md(
            f"**Følsomhed.** Tornadodiagrammet viser, hvor meget nettonutidsværdien ændrer sig, når én antagelse ad "
            f"gangen sættes til en lav og en høj værdi. Resultatet er mest følsomt for "
            f"{str(top['label']).split(' (')[0].lower()}. {self._break_even_text()}"
        )
        ax = tornado_plot(sens, title="Følsomhed: nettonutidsværdi for det offentlige (kr.)")
        b.figure(ax.figure, "Tornadodiagram: business casens følsomhed for hver antagelse")
        b.table(self.sensitivity_table)
        return b

    def _break_even_text(self) -> str:
        """What the effect and the number of participants would have to be for the NPV to be 0."""
        L, k = self.ledger, "value.sroi.sensitivity"
        be, n = L[f"{k}.effect_weeks.break_even"], L[f"{k}.participants.break_even"]
        effect = (f"Effekten skulle være {_show(be)} uger pr. deltager i år 1, for at business casen går i nul."
                  if be.value is not None else
                  f"En effekt, der får business casen i nul, er {L[f'{k}.effect_weeks.break_even_status'].display}.")
        people = (f"Business casen går i nul ved {_show(n)} deltagere." if n.value is not None else
                  f"Et antal deltagere, der får business casen i nul, er "
                  f"{L[f'{k}.participants.break_even_status'].display}.")
        return (f"{effect} Udgiften følger antallet af deltagere "
                f"({_kr(L['value.sroi.cost_per_participant'])} pr. deltager), så flere eller færre deltagere ændrer "
                f"besparelse og udgift i samme forhold, men ikke, om der er overskud eller underskud. {people}")

    # -- the block ----------------------------------------------------------------------------

    def block(self) -> Block:
        """The report's value-creation content after the reach figures (### sub-sections)."""
        b = Block()
        for part in (self._block_mosaic, self._block_bottom_lines, self._block_fundraising, self._block_pilots,
                     self._block_survival, self._block_sdg_circular, self._block_sroi):
            b.extend(part())
        return b
