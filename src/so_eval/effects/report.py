"""The effect report's content (``notebooks/effect_measurement.ipynb``) and the annual report's
short effect section. Every number goes through a :class:`~so_eval.reporting.ledger.Ledger` under
``effects.*`` keys, with the same small-count rules as everywhere else."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from so_eval import config, fmt
from so_eval.data.dataset import Dataset
from so_eval.data.loading import load
from so_eval.effects.analysis import (
    METHOD_LABELS,
    EffectSpec,
    comparison_table,
    effect_sample,
    estimate,
    estimate_all,
    event_study,
    group_profile,
    has_panel,
)
from so_eval.effects.outcomes import COVARIATE_LABELS
from so_eval.params import checked_disclosure, default_disclosure
from so_eval.plots import effects as eplots
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.provenance import write_data_record

DEFAULT_EFFECTS = {"outcome": "selfsupport", "horizon": "1-26", "method": "aipw", "entry_from": "2020-01-01"}

ASSUMPTIONS = [
    "**Sammenlignelighed på det, vi kan se.** Deltagere og sammenligningsgruppe antages at være "
    "sammenlignelige, når der er taget højde for alder, køn, målgruppe, oprindelse og antal uger "
    "på offentlig ydelse i de to år før start. Forskelle, vi ikke kan se i data (fx motivation), "
    "kan stadig påvirke resultatet.",
    "**Overlap.** Alle deltagere skal have lignende borgere i sammenligningsgruppen. Figuren over "
    "sandsynligheden for deltagelse viser, om det er tilfældet; deltagere uden for det fælles "
    "område tælles og nævnes.",
    "**Ingen smitte mellem grupperne.** Borgere i sammenligningsgruppen antages ikke at blive "
    "påvirket af, at andre deltager (fx ved at få færre job).",
    "**Udvælgelsen sker på det seneste år.** Sagsbehandlerne vælger deltagere ud fra bl.a. de "
    "seneste 52 ugers ydelser. Derfor sammenligner kvartalsanalysen med tiden før dette vindue "
    "(fire kvartaler før start), så et tilfældigt godt år før start ikke ligner en effekt.",
    "**Usikkerhed.** Konfidensintervallerne viser den statistiske usikkerhed (95 %). De dækker "
    "ikke fejl i registreringerne eller i antagelserne ovenfor.",
]


@dataclass
class EffectParams:
    """The effect notebook's parameters (a subset of ``params/<year>.yaml`` plus analyst options)."""

    year: int
    data_dir: str = "data/demo"
    report_date: str | None = None
    as_of: str | None = None
    effects: dict = field(default_factory=lambda: dict(DEFAULT_EFFECTS))
    covariates: list | str | None = None
    disclosure: dict = field(default_factory=default_disclosure)
    output_dir: str | None = None

    def __post_init__(self) -> None:
        self.disclosure = checked_disclosure(self.disclosure)  # the annual report's rule and default

    @property
    def min_cell(self) -> int:
        return int(self.disclosure["min_cell"])

    def spec(self) -> EffectSpec:
        return effect_spec(self)


def effect_spec(params) -> EffectSpec:
    """The effect measurement a report's parameters describe: the effect report's specification
    and the annual report's headline effect are both this, so the two cannot drift apart.

    ``params`` is an :class:`EffectParams` or a :class:`~so_eval.params.ReportParams`: its
    ``year``, its ``effects`` (outcome, horizon, method, entry_from and an optional subgroup;
    :data:`DEFAULT_EFFECTS` for what it leaves out) and, if it has them, its ``covariates`` (the
    effect report's own option; None means the standard set).
    """
    e = {**DEFAULT_EFFECTS, **(params.effects or {})}
    kwargs = dict(
        year=params.year,
        outcome=e["outcome"],
        horizon=str(e["horizon"]),
        method=e["method"],
        entry_from=str(e["entry_from"]),
        subgroup=dict(e.get("subgroup") or {}),
    )
    covariates = getattr(params, "covariates", None)
    if covariates:
        kwargs["covariates"] = covariates if isinstance(covariates, str) else tuple(covariates)
    return EffectSpec(**kwargs)


def record_estimate(ledger: Ledger, key: str, result, label: str) -> None:
    """Record an estimate (in shares; displayed as percentage points) with its interval and groups."""
    n = result.n_treated
    ledger.count(f"{key}.n_treated", n, f"{label}: deltagere")
    ledger.count(f"{key}.n_control", result.n_control, f"{label}: sammenligningsgruppe")
    for part, text in (
        ("att", "effekt"),
        ("ci_low", "nedre grænse (95 %)"),
        ("ci_high", "øvre grænse (95 %)"),
        ("se", "standardfejl"),
    ):
        ledger.stat(f"{key}.{part}", 100 * getattr(result, part), n, f"{label}: {text}", unit="procentpoint")


def _pp(fig) -> str:
    return f"{fig.display} procentpoint" if not fig.suppressed else fig.display


class EffectReport:
    """All content of the effect report for one year and one specification."""

    def __init__(self, ds: Dataset, params: EffectParams):
        self.ds, self.params, self.year = ds, params, params.year
        self.spec = params.spec()
        self.ledger = Ledger(min_cell=params.min_cell)
        if not has_panel(ds):
            raise ValueError("the dataset has no status_weekly table: effect measurement needs the weekly status panel")
        self.sample = effect_sample(ds, self.spec)
        self.results = estimate_all(self.sample, self.spec)
        if self.spec.method not in self.results:
            raise ValueError(f"the headline method {self.spec.method} could not be estimated on this sample")
        self.headline = self.results[self.spec.method]
        self.events = event_study(ds, self.spec)
        self._record()

    @classmethod
    def from_params(cls, **kwargs) -> EffectReport:
        params = EffectParams(**kwargs)
        return cls(load(config.resolve(params.data_dir), as_of=params.as_of), params)

    def _record(self) -> None:
        ledger, s = self.ledger, self.spec
        ledger.value("effects.outcome", s.label, "Udfald", unit="tekst")
        ledger.value("effects.method", METHOD_LABELS[s.method], "Hovedmetode", unit="tekst")
        record_estimate(ledger, "effects", self.headline, "Effekt")
        for method, r in self.results.items():
            record_estimate(ledger, f"effects.{method}", r, METHOD_LABELS[method])
        prof = group_profile(self.sample)
        for rec in prof.itertuples():
            k = "treated" if rec.group == "Deltagere" else "control"
            ledger.count(f"effects.groups.{k}.n", rec.n, f"{rec.group}: antal")
            ledger.stat(f"effects.groups.{k}.age", rec.age, rec.n, f"{rec.group}: gns. alder", unit="år")
            ledger.share(f"effects.groups.{k}.women", rec.women * rec.n, rec.n, f"{rec.group}: andel kvinder")
            ledger.stat(
                f"effects.groups.{k}.benefit_weeks_52",
                rec.benefit_weeks_52,
                rec.n,
                f"{rec.group}: gns. uger på ydelse, 52 uger før",
                unit="uger",
            )
            ledger.share(f"effects.groups.{k}.young", rec.young * rec.n, rec.n, f"{rec.group}: andel unge")
        bal = self.headline.balance
        if len(bal):
            ledger.value(
                "effects.balance.max_smd_before",
                float(bal["smd_before"].abs().max()),
                "Største skævhed før",
                unit="smd",
            )
            ledger.value(
                "effects.balance.max_smd_after",
                float(bal["smd_after"].abs().max()),
                "Største skævhed efter",
                unit="smd",
            )
        ov = self.headline.overlap
        if ov:
            ledger.count(
                "effects.overlap.n_treated_outside", ov["n_treated_outside"], "Deltagere uden for fælles område"
            )
            ledger.count(
                "effects.overlap.n_control_outside",
                ov["n_control_outside"],
                "Sammenligningsborgere uden for fælles område",
            )
        ev, n_ev = self.events, self.events.n_units
        ledger.count("effects.did.n_units", n_ev, "Borgere i kvartalsanalysen")
        ledger.value("effects.did.n_cohorts", ev.n_groups, "Startkvartaler (kohorter)", unit="kohorter")
        for part in ("att", "ci_low", "ci_high"):
            ledger.stat(
                f"effects.did.{part}",
                100 * float(ev.overall[part]),
                n_ev,
                f"Kvartalsanalyse, samlet: {part}",
                unit="procentpoint",
            )
        for rec in ev.dynamic.itertuples():
            for part in ("att", "ci_low", "ci_high"):
                ledger.stat(
                    f"effects.did.e{int(rec.event_time):+d}.{part}",
                    100 * float(getattr(rec, part)),
                    n_ev,
                    f"Kvartal {int(rec.event_time):+d} i forhold til start: {part}",
                    unit="procentpoint",
                )

    def f(self, key: str) -> str:
        return self.ledger[key].display

    # -- sections -------------------------------------------------------------------------

    def title(self) -> Block:
        s = self.spec
        sub = ""
        if s.subgroup:
            sub = " Delgruppe: " + ", ".join(f"{fmt.text(k)} = {fmt.text(v)}" for k, v in s.subgroup.items()) + "."
        return Block().md(
            f"# Effektmåling {self.year}: Deltagelse i socialøkonomiske forløb\n\n"
            f"*Udfald: {s.label.lower()}. Deltagere, der startede deres første forløb fra "
            f"{fmt.date(s.entry_from)} til udgangen af {self.year}, sammenlignet med lignende borgere, "
            f"der ikke deltog.*{sub}"
        )

    def summary(self) -> Block:
        ledger = self.ledger
        return Block().md(
            f"Effekten af deltagelse på {self.spec.label.lower()} er estimeret til **{_pp(ledger['effects.att'])}** "
            f"(95 % konfidensinterval {self.f('effects.ci_low')} til {self.f('effects.ci_high')} procentpoint) "
            f"med metoden {METHOD_LABELS[self.spec.method]} på {self.f('effects.n_treated')} deltagere "
            f"og {self.f('effects.n_control')} borgere i sammenligningsgruppen. "
            f"Den simple, ujusterede forskel er {_pp(ledger['effects.difference.att'])}; forskellen mellem de to "
            "tal viser, hvor meget det betyder, at deltagerne på forhånd adskilte sig fra andre borgere. "
            "Kvartalsanalysen, der følger borgerne kvartal for kvartal, giver i gennemsnit over alle kvartaler "
            f"efter start {_pp(ledger['effects.did.att'])} ({self.f('effects.did.ci_low')} til "
            f"{self.f('effects.did.ci_high')}); den dækker en længere periode efter start end udfaldet ovenfor "
            "og er derfor ikke direkte sammenlignelig med det."
        )

    def groups(self) -> Block:
        prof = group_profile(self.sample)
        rows = []
        for rec in prof.itertuples():
            k = "treated" if rec.group == "Deltagere" else "control"
            rows.append(
                {
                    "Gruppe": rec.group,
                    "Antal": self.f(f"effects.groups.{k}.n"),
                    "Gns. alder": self.f(f"effects.groups.{k}.age"),
                    "Kvinder": self.f(f"effects.groups.{k}.women"),
                    "Unge": self.f(f"effects.groups.{k}.young"),
                    "Uger på ydelse (52 uger før)": self.f(f"effects.groups.{k}.benefit_weeks_52"),
                }
            )
        return (
            Block()
            .md(
                "Deltagerne er borgere, hvis første forløb startede i perioden; startugen er uge 1. "
                "Sammenligningsgruppen er borgere i de samme målgrupper, der ikke har deltaget; hver får en "
                "fast, tilfældigt valgt startuge blandt deltagernes, så begge grupper måles i de samme uger."
            )
            .table(Table(pd.DataFrame(rows), caption="Hvem blev sammenlignet med hvem"))
        )

    def balance(self) -> Block:
        h = self.headline
        b = Block()
        if not len(h.balance):
            return b.md("Ingen forhåndsvariable: ingen balance at vise.")
        b.md(
            f"Før justering var den største standardiserede forskel mellem grupperne "
            f"{self.f('effects.balance.max_smd_before')}; efter justering "
            f"{self.f('effects.balance.max_smd_after')}. Under 0,1 regnes for god balance."
        )
        ax = eplots.love_plot(h.balance, labels=COVARIATE_LABELS)
        return b.figure(ax.figure, "Balance før og efter justering (love plot)")

    def overlap(self) -> Block:
        h = self.headline
        b = Block()
        if not h.overlap or "ps" not in h.details:
            return b.md("Overlap kan ikke vurderes uden en model for deltagelse.")
        b.md(
            f"{self.f('effects.overlap.n_treated_outside')} deltagere og "
            f"{self.f('effects.overlap.n_control_outside')} borgere i sammenligningsgruppen ligger uden for "
            "det fælles område for sandsynligheden for deltagelse."
        )
        ax = eplots.overlap_plot(pd.DataFrame({"ps": h.details["ps"], "treated": h.details["treated"]}))
        return b.figure(ax.figure, "Fordeling af sandsynligheden for deltagelse")

    def event_study_section(self) -> Block:
        ev = self.events
        d = ev.dynamic.copy()
        if self.ledger["effects.did.n_units"].suppressed:
            return Block().md("For få borgere til kvartalsanalysen.")
        b = Block().md(
            f"Borgerne følges kvartal for kvartal. Hver startkohorte ({self.f('effects.did.n_cohorts')} "
            "startkvartaler) sammenlignes med borgere, der aldrig deltog (Callaway & Sant'Anna, 2021), og "
            "resultaterne samles efter antal kvartaler fra start. Før start bør estimaterne ligge omkring "
            "nul; gør de ikke det, er grupperne ikke sammenlignelige over tid. Standardfejl er klyngede på "
            "borger."
        )
        ax = eplots.event_study_plot(d, anticipation=ev.anticipation)
        return b.figure(ax.figure, "Effekt kvartal for kvartal med konfidensbånd")

    def estimates(self) -> Block:
        tab = comparison_table(self.results)
        ax = eplots.estimates_plot(tab, highlight=METHOD_LABELS[self.spec.method])
        rows = []
        for r in tab.itertuples():
            k = f"effects.{r.method}"
            rows.append(
                {
                    "Metode": r.label,
                    "Effekt (procentpoint)": self.f(f"{k}.att"),
                    "95 % konfidensinterval": f"{self.f(f'{k}.ci_low')} til {self.f(f'{k}.ci_high')}",
                    "Deltagere": self.f(f"{k}.n_treated"),
                    "Sammenligning": self.f(f"{k}.n_control"),
                }
            )
        return (
            Block()
            .md(
                "Alle metoder side om side. Den simple forskel tager ikke højde for, at deltagerne "
                "adskilte sig på forhånd; de øvrige gør."
            )
            .figure(ax.figure, "Estimater for alle metoder")
            .table(Table(pd.DataFrame(rows), caption="Estimater"))
        )

    def assumptions(self) -> Block:
        return Block().md("\n".join(f"- {a}" for a in ASSUMPTIONS))

    def save(self) -> str:
        if not self.params.output_dir:
            return f"{len(self.ledger)} tal registreret (ingen output_dir: intet skrevet)."
        path = self.ledger.write_csv(Path(self.params.output_dir) / "effect_figures.csv")
        write_data_record(self.ds, self.params.output_dir)
        return f"{len(self.ledger)} tal skrevet til {path.name}."


def headline(ds: Dataset, spec: EffectSpec):
    """The headline estimate for the annual report (``spec.method`` on the analysis sample)."""
    return estimate(effect_sample(ds, spec), spec)


__all__ = [
    "ASSUMPTIONS",
    "DEFAULT_EFFECTS",
    "EffectParams",
    "EffectReport",
    "effect_spec",
    "headline",
    "record_estimate",
]
