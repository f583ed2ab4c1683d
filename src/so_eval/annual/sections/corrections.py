"""Korrektioner: the figures published for the year before, recomputed with today's data (two light
builds of that year's report: the data as they stood then, and as they stand now; see
:func:`so_eval.annual.corrections.corrections`), each one that changed listed with why, and the
late, corrected and withdrawn registrations behind them (shown at the end of the skewed section)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

import pandas as pd

from so_eval import config, fmt
from so_eval import glossary as g
from so_eval.annual.corrections import REASONS, corrected_registrations, corrections, late_registrations
from so_eval.annual.sections.base import Section
from so_eval.annual.sections.value import KEY_PREFIXES
from so_eval.data.dataset import Dataset
from so_eval.params import ReportParams, params_path, read_params
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Ledger, read_figures
from so_eval.reporting.provenance import code_version

CORRECTED_PREFIXES = ("goal1.", "goal2.", "goal3.", "value.")
"""Keys of the published figures whose later changes the corrections list."""

ROW_UNITS = {"jobs": "borgere", "courses": "forløb", "progression": "forløb", "enterprises": "virksomheder",
             "agreements": "aftaler"}  # fmt: skip
"""The ledger unit of a table's late or corrected rows: rows about citizens are counted as persons
(1–4 shown as <5)."""

TABLE_NOUNS = {"jobs": "job", "courses": "forløb", "progression": "trin i værdikæden", "enterprises": "virksomheder",
               "agreements": "samarbejdsaftaler"}  # fmt: skip
"""What a table's rows are called in the corrections' text."""


def changed_since_published(
    ds: Dataset,
    build: Callable[[Dataset], Ledger],
    *,
    published: pd.DataFrame | None,
    published_on: str,
    same_code: bool | None,
) -> pd.DataFrame:
    """The goal figures of an earlier report (``build(ds)`` gives its figures on ``ds``) that have
    changed since it was published, and why (:func:`so_eval.annual.corrections.corrections`):
    projections, the value section's own figures and repeats of the same change left out."""
    table = corrections(ds, build, published=published, published_on=published_on, same_code=same_code)
    table = table.loc[
        table["key"].str.startswith(CORRECTED_PREFIXES)
        & ~table["key"].str.contains(".projection.", regex=False)
        & ~table["key"].str.startswith(tuple(KEY_PREFIXES))
    ]
    return table.drop_duplicates(["label", "published", "now"]).reset_index(drop=True)


def regrouped_text(corrections: pd.DataFrame) -> str:
    """A sentence on the corrected figures of a pooled row whose members changed (or nothing)."""
    reasons = corrections["reason"] if "reason" in corrections else pd.Series(dtype=str)
    if not reasons.astype(str).str.contains(REASONS["regrouped"], regex=False).any():
        return ""
    return (
        " Et tal for »Øvrige« kan ændre sig, uden at nogen af gruppens rækker er ændret (omgruppering): små "
        "enheder lægges sammen under »Øvrige«, så de små tal ikke kan regnes ud, og når en enhed når over "
        "grænsen, vises den for sig og er ikke længere med i »Øvrige« (og omvendt). Tallet dækker da andre "
        "enheder end det offentliggjorte."
    )


class CorrectionsSection(Section):
    """Last year's figures that have changed since they were published, recorded as
    ``corrections.*`` (shown by the skewed section)."""

    name = "corrections"

    corrections: pd.DataFrame | None = None
    """The changed figures (:func:`changed_since_published`), or None for the first year."""
    corrections_source: str = "beregnet"
    """``offentliggjort`` (compared with the published figures.csv) or ``beregnet`` (with the
    figures recomputed as the data stood on the day last year's report was made)."""
    corrections_date: str = ""
    """The day last year's report was made."""
    late_rows: dict
    corrected_rows: dict

    def record(self, ledger: Ledger) -> None:
        if self.year - 1 < min(self.ctx.years):
            return
        rp, published, same_code = self._last_report()
        build = functools.partial(self.ctx.light_build, rp)
        # the weekly panel is not needed for last year's goal figures
        self.corrections = table = changed_since_published(
            self.ds.without("status_weekly"),
            build,
            published=published,
            published_on=self.corrections_date,
            same_code=same_code,
        )
        self.late_rows = late_registrations(self.ds, self.corrections_date)
        self.corrected_rows = corrected_registrations(self.ds, self.corrections_date)
        for t, n in self.late_rows.items():
            ledger.count(f"corrections.late.{t}", n, f"Sent registrerede rækker i {t}", ROW_UNITS.get(t, "borgere"))
        for t, c in self.corrected_rows.items():
            for what, label in (("corrected", "Rettede rækker"), ("withdrawn", "Tilbagetrukne rækker")):
                if c[what]:
                    ledger.count(f"corrections.{what}.{t}", c[what], f"{label} i {t}", ROW_UNITS.get(t, "borgere"))
        ledger.value("corrections.count", len(table), f"Tal fra {self.year - 1} der er ændret siden", "antal")
        for r in table.itertuples():
            ledger.value(f"corrections.{r.key}.published", r.published, f"{r.label} (offentliggjort)", "tekst")
            ledger.value(f"corrections.{r.key}.now", r.now, f"{r.label} (nu)", "tekst")

    def _last_report(self) -> tuple[ReportParams, pd.DataFrame | None, bool | None]:
        """Last year's report: its parameters, its published figures (None if it was not
        published here) and whether the code that made it is today's (None if unknown); sets
        :attr:`corrections_source` and :attr:`corrections_date`."""
        prev, params = self.year - 1, self.params
        path = params_path(prev)
        prev_params = (
            read_params(path)
            if path.exists()
            else {**params.as_dict(), "year": prev, "report_date": f"{self.year}-01-15"}
        )
        keep = {k: v for k, v in prev_params.items() if k in ReportParams.__dataclass_fields__}
        keep.update(data_dir=params.data_dir, output_dir=None, as_of=None)
        rp = ReportParams(**keep)
        folder = config.resolve(params.published_dir) / str(prev)
        published, published_on, same_code = None, rp.report_date or f"{self.year}-01-15", None
        self.corrections_source = "beregnet"
        if (folder / "figures.csv").exists() and (folder / "manifest.json").exists():
            published = read_figures(folder / "figures.csv")
            published = published.loc[published["key"].str.startswith(CORRECTED_PREFIXES)]
            man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            published_on = man.get("parameters", {}).get("as_of") or man["created"][:10]
            made, now = man.get("code", {}).get("git_commit"), code_version().get("git_commit")
            same_code = (made == now) if made and now else None
            self.corrections_source = "offentliggjort"
        self.corrections_date = published_on
        return rp, published, same_code

    def text(self) -> str:
        """The corrections in words: what the figures were compared with, how many changed, and
        the late, corrected and withdrawn registrations behind them."""
        y = self.year
        if self.corrections is None:
            return f"Der er ingen tal for {y - 1} at sammenligne med."
        src = (
            "den offentliggjorte rapport"
            if self.corrections_source == "offentliggjort"
            else f"tallene, som de så ud den {fmt.date(self.corrections_date)}"
        )
        if self.corrections.empty:
            return f"Tallene for {y - 1} er genberegnet med dagens data og stemmer med {src}."
        late = [f"{self.f(f'corrections.late.{t}')} {TABLE_NOUNS[t]}" for t, n in self.late_rows.items() if n]
        late_text = (
            f"Efter {fmt.date(self.corrections_date)} er der registreret {', '.join(late)}, som fandt sted "
            "før den dag (sene registreringer)."
            if late
            else "Der er ingen sene registreringer."
        )
        fixed = getattr(self, "corrected_rows", {})
        done = [
            (f"{self.f(f'corrections.{what}.{t}')} {TABLE_NOUNS.get(t, g.table_label(t).lower())}", what)
            for t, c in fixed.items()
            for what in ("corrected", "withdrawn")
            if c[what]
        ]
        fixed_text = ""
        if done:
            parts = [
                " og ".join(n for n, w in done if w == what)
                + (" rettet" if what == "corrected" else " trukket tilbage")
                for what in ("corrected", "withdrawn")
                if any(w == what for _, w in done)
            ]
            fixed_text = (
                f" Af de rækker, rapporten byggede på, er siden {' og '.join(parts)} "
                "(rettede registreringer; de gamle versioner er gemt)."
            )
        return (
            f"Tallene for {y - 1} er genberegnet med dagens data og sammenlignet med {src}. "
            f"{self.f('corrections.count')} tal er ændret. {late_text}{fixed_text}{regrouped_text(self.corrections)}"
        )

    def block(self) -> Block:
        b = Block().md("### Korrektioner").md(self.text())
        if self.corrections is None or not len(self.corrections):
            return b
        prev = f"Offentliggjort {self.year - 1}"
        t = self.corrections.rename(columns={"label": "Tal", "published": prev, "now": "Nu", "reason": "Hvorfor"})
        t[prev] = [self._display_raw(k, v) for k, v in zip(t["key"], t[prev], strict=True)]
        t["Nu"] = [self._display_raw(k, v) for k, v in zip(t["key"], t["Nu"], strict=True)]
        return b.table(Table(t[["Tal", prev, "Nu", "Hvorfor"]], caption=f"Rettede tal for {self.year - 1}"))

    def _display_raw(self, key: str, value: str) -> str:
        """A figures.csv value shown the Danish way (same unit as this year's figure of that key)."""
        if value in ("", None) or str(value).startswith("<"):
            return value or "–"
        unit = self.ledger[key].unit if key in self.ledger else ""
        try:
            v = float(value)
        except ValueError:
            return str(value)
        return fmt.percent(v) if unit == "andel" else fmt.number(v, 0 if v.is_integer() else 1)
