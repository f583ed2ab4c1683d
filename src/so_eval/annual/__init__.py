"""The annual report's content: every figure, table, plot and sentence of the årsrapport.

The notebook ``notebooks/annual_report.ipynb`` is thin: it builds an :class:`AnnualReport` from
its parameters and shows one section per cell. Every number shown is recorded once in the
report's :class:`~so_eval.reporting.ledger.Ledger` and read back from it, so the text, the tables and
``figures.csv`` cannot disagree, and small counts are suppressed in one place.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from pathlib import Path

import numpy as np
import pandas as pd

from so_eval.annual.sections import completeness as cr
from so_eval import fmt, metrics
from so_eval import disclosure
from so_eval.disclosure import secondary as sdc
from so_eval import glossary as g
from so_eval.data.dataset import Dataset
from so_eval.reporting.ledger import Figure, Ledger
from so_eval.data.loading import load
from so_eval.metrics.goals import Goal, GoalStatus, goal_status
from so_eval.params import ReportParams
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.table import Col, ledger_table

STRATEGY_NAME = "Strategi for socialøkonomi 2.0 — »Det handler om mennesker«"
PURPOSE = (
    "I Slagelse Kommune er der et politisk ønske om en socialøkonomisk strategi, som fremmer og "
    "øger socialøkonomien i området. Strategien skal have fokus på at fremme en bred og integreret "
    "værditilvækst og skabe deltidsjob til mennesker, som gerne vil arbejde, men af forskellige "
    "grunde ikke har mange chancer for at få det første fodfæste på arbejdsmarkedet."
)

SECTIONS = [
    "Indledning",
    "Målopnåelse",
    "Værdiskabelse",
    "Effekt: gjorde deltagelsen en forskel?",
    "Det der lykkedes — og det der ikke gik som forventet",
    "Det skæve, det uventede, læringer og korrektioner",
    "Metode og data",
]
"""The report's sections: the notebook's ## headings, in order (the table of contents links to them)."""


SECTION_METHODS = ("title", "contents", "intro", "goal1", "goal2", "goal3", "value_creation", "effect",
                   "successes", "skewed", "method")
"""The :class:`AnnualReport` methods that make the report's sections, in the notebook's order."""


def _section(method):
    """A section is built once per report: its text, tables and figures depend only on the
    figures recorded when the report was made."""

    @functools.wraps(method)
    def wrapper(self) -> Block:
        built = self.__dict__.setdefault("_sections", {})
        if method.__name__ not in built:
            built[method.__name__] = method(self)
        return built[method.__name__]

    return wrapper


def heading_id(title: str) -> str:
    """The id nbconvert gives a Markdown heading in the HTML (so that links find it).

    nbconvert's rule (``nbconvert.filters.strings._convert_header_id``), written out here so
    that the report's kernel does not import nbconvert (≈1 s, through jsonschema) for it; a test
    checks that the two agree.
    """
    from urllib.parse import quote

    return quote(title.replace(" ", "-"), safe="?/:@!$&'()*+,;=")


CAVEATS = [
    "Tallene bygger på registreringer i Jobcentrets og koordinatorens egne opgørelser. En række "
    "registreres først efter, at den hændelse, den beskriver, har fundet sted; sene registreringer "
    "kan derfor ændre tal for tidligere år. Hver række har en registreringsdato, så ethvert tal kan "
    "genskabes, som data så ud på en given dag.",
    "Rettes en række senere (fx når et forløbs slutdato tilføjes, eller en dato var forkert), gemmes "
    "rettelsen som en ny version med sin egen registreringsdato, og den gamle version bevares. Et tal "
    "kan derfor altid genskabes, som data så ud, da det blev offentliggjort.",
    "At en borger er kommet i job i forbindelse med et forløb, siger ikke i sig selv, at forløbet "
    "var årsagen. Effekten i forhold til en sammenligningsgruppe opgøres særskilt.",
    "Arbejdsmålet for progression er sat af koordinatoren i rapportens parametre; strategien "
    "fastsætter ikke et tal for mål 2.",
    "Job tælles ét pr. borger pr. år (det første job i året). En borger kan tælle med i flere år.",
]


PERSON_TABLES = {"citizens": "borgere", "courses": "forløb", "jobs": "borgere", "progression": "forløb",
                 "status_weekly": "borgere"}
"""Tables whose rows are about citizens: their sizes are counts of persons (1–4 shown as <5)."""

OTHER = "øvrige"
"""Row id of a table's pooled row (:func:`so_eval.disclosure.secondary.pool_unsafe`)."""


def _other_text(id_col: str, n_pooled: int, what: str):
    """Row labels for a table that may have a pooled row: "Øvrige (3 jobtype(r) lagt sammen)"."""
    def text(rec) -> str:
        if rec[id_col] == OTHER and n_pooled:
            return f"Øvrige ({n_pooled} {what} lagt sammen, så de små tal ikke kan regnes ud)"
        return g.category_label(rec[id_col])

    return text


def _projection_numbers(goal: str, res) -> tuple[str, str]:
    """A projection and its 95 % prediction interval in Danish format (goal 2's in per cent)."""
    show = fmt.percent if goal == "goal2" else fmt.number
    lo, hi = res.intervals.get(0.95, (np.nan, np.nan))
    return show(res.projected), f"95 %-prædiktionsinterval {show(lo)}–{show(hi)}"


def _years_text(years) -> str:
    """Years in Danish, runs of three or more as a span: [2018, 2019, 2020, 2022, 2023] ->
    "2018–2020, 2022 og 2023"."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [p for r in runs for p in ([f"{r[0]}–{r[-1]}"] if len(r) > 2 else [str(y) for y in r])]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]


def _regrouped_text(corrections: pd.DataFrame) -> str:
    """A sentence on the corrected figures of a pooled row whose members changed (or nothing)."""
    from so_eval.annual.corrections import REASONS

    reasons = corrections["reason"] if "reason" in corrections else pd.Series(dtype=str)
    if not reasons.astype(str).str.contains(REASONS["regrouped"], regex=False).any():
        return ""
    return (" Et tal for »Øvrige« kan ændre sig, uden at nogen af gruppens rækker er ændret (omgruppering): små "
            "enheder lægges sammen under »Øvrige«, så de små tal ikke kan regnes ud, og når en enhed når over "
            "grænsen, vises den for sig og er ikke længere med i »Øvrige« (og omvendt). Tallet dækker da andre "
            "enheder end det offentliggjorte.")


def _masked_values(fig_list: list[Figure]) -> list[float]:
    """Values for plotting: suppressed or missing figures become NaN."""
    out = []
    for f in fig_list:
        out.append(np.nan if f.suppressed or f.value is None else float(f.value))
    return out


def counting_rule(func) -> str:
    """The Danish counting rule ('Tælleregel: …') from a metric's docstring."""
    doc = inspect.getdoc(func) or ""
    paras = [p.strip() for p in doc.split("\n\n")]
    for p in paras:
        if p.startswith("Tælleregel:"):
            return " ".join(p[len("Tælleregel:"):].split())
    return " ".join(paras[0].split()) if paras else ""


class AsOfError(ValueError):
    """The report's ``as_of`` date leaves a table the report needs without rows."""


NEEDED_TABLES = ("enterprises", "agreements", "citizens", "courses")
"""Tables the annual report cannot be made without (jobs, progression and the rest may be empty)."""


def check_as_of(ds: Dataset, params: ReportParams) -> None:
    """Raise :class:`AsOfError` if cutting the data to ``params.as_of`` left a needed table
    empty, saying which table, as of which date, and how to change ``as_of``."""
    empty = [t for t in NEEDED_TABLES if t in ds.tables and len(ds[t]) == 0 and t in ds.after_as_of]
    if not empty:
        return
    cut = ds.as_of.date().isoformat()
    last = max((v[2] for v in ds.after_as_of.values() if v[2]), default=cut)
    parts = [f"{g.table_label(t).lower()} ({t}.csv): all {ds.after_as_of[t][0]} rows were "
             f"registered after that day, the first on {ds.after_as_of[t][1]}" for t in empty]
    raise AsOfError(
        f"as of {cut} (as_of in the report's parameters) the data have no "
        + "; no ".join(parts)
        + f". Set as_of in params/{params.year}.yaml to {last} or later (null counts every "
        f"registration), or run `so-eval report --year {params.year} --as-of {last}`"
    )


class AnnualReport:
    """All content of the annual report for one year.

    Parameters
    ----------
    ds
        The dataset (already cut to ``params.as_of`` if one is given).
    params
        The report's parameters.

    Examples
    --------
    >>> report = AnnualReport.from_params(year=2025)   # doctest: +SKIP
    >>> report.ledger["goal1.jobs"].display            # doctest: +SKIP
    '44'
    """

    def __init__(self, ds: Dataset, params: ReportParams, *, light: bool = False):
        self.ds = ds
        self.params = params
        self.year = params.year
        self.light = light
        if not light:  # (a light build recomputes an earlier report: its own data, its own cut)
            check_as_of(ds, params)
        self.ledger = Ledger(min_cell=params.min_cell)
        first = int(ds.courses["start"].dt.year.min()) if len(ds.courses) else self.year
        self.years = list(range(min(first, params.strategy_period[0]), self.year + 1))
        self.period_years = [y for y in range(params.strategy_period[0], self.year + 1)] or [self.year]
        self._record()

    @classmethod
    def from_params(cls, **kwargs) -> "AnnualReport":
        """Build the report from notebook parameters (the names in ``params/*.yaml``): the
        notebook's entry. It reads the data (as of ``as_of``) and builds every section at once,
        so that the notebook's cells show finished sections."""
        params = ReportParams(**kwargs)
        report = cls(load(params.data_path, as_of=params.as_of), params)
        report.build_sections()
        return report

    def build_sections(self) -> None:
        """Build every section now, in the report's order (each is built once; see
        :func:`_section`)."""
        for name in SECTION_METHODS:
            getattr(self, name)()

    # -- recording every figure once --------------------------------------------------------

    def _record(self) -> None:
        self._record_goal1()
        self._record_goal2()
        self._record_goal3()
        self._record_reach()
        if self.light:  # the goals' figures only (used to recompute an earlier year's report)
            return
        corrections = self._changed_since_published()
        self._record_completeness()
        self._record_projections()
        self._record_effect()
        self._record_value()
        self._record_unexpected()
        self._record_corrections(corrections)
        self._record_data_sizes()
        self._record_disclosure()

    def _record_completeness(self) -> None:
        """How complete the year's jobs and courses are (a registration-delay estimate,
        :func:`so_eval.metrics.completeness.completeness`), recorded as ``completeness.jobs.{year}.*``
        and ``completeness.courses.{year}.*`` and noted on the goal figures of each year (figures.csv's
        ``complete``); ``provisional_tables`` holds those whose year is *foreløbig*."""
        from so_eval.metrics.completeness import completeness

        L, y, threshold = self.ledger, self.year, self.params.counting["completeness_threshold"]
        self.completeness = completeness(self.ds, self.years, tuple(GOAL_TABLES.values()))
        for goal, table in GOAL_TABLES.items():
            cr.record(L, self.completeness, table, y)
            keys = [k for k in L.figures if k.startswith(f"{goal}.") and k not in PARAMETER_FIGURES]
            cr.mark(L, keys, table, y, self.completeness, threshold)
        self.provisional_tables = frozenset(t for t in GOAL_TABLES.values() if self._provisional(t))

    def _provisional(self, table: str, year: int | None = None) -> bool:
        """Whether ``table``'s figures for ``year`` (the report's year) are *foreløbige*."""
        return cr.provisional(getattr(self, "completeness", None), table, year or self.year,
                              self.params.counting["completeness_threshold"])

    def _completeness_block(self, table: str) -> Block:
        """How complete the year's ``table`` is, in one Danish sentence (after the goal's figures)."""
        if getattr(self, "completeness", None) is None:
            return Block()
        text = cr.sentence(self.ledger, self.completeness, table, self.year,
                           self.params.counting["completeness_threshold"])
        return Block().md(text) if text else Block()

    def _record_data_sizes(self) -> None:
        """The number of rows of each table (method section); rows about citizens are counts of
        persons (1–4 shown as <5)."""
        for name, table in self.ds.tables.items():
            self.ledger.count(f"data.rows.{name}", len(table), f"Rækker i {g.table_label(name).lower()}",
                              PERSON_TABLES.get(name, "rækker"))

    def _record_disclosure(self) -> None:
        """How many figures are hidden and why (for the method section), recorded last."""
        counts = {"small": 0, "secondary": 0, "withheld": 0, "basis": 0, "reveals": 0, "protects": 0}
        for f in self.ledger.figures.values():
            if not f.suppressed:
                continue
            if f.secondary:
                counts["secondary"] += 1
            else:
                counts[f.why if f.why in counts else "basis"] += 1
        labels = {"small": "Antal vist som <5", "secondary": "Antal skjult som × (sekundær diskretionering)",
                  "withheld": "Antal ikke vist (–): selv skjult ville de afsløre hinanden",
                  "basis": "Andele og gennemsnit ikke vist: færre borgere end grænsen",
                  "reveals": "Andele ikke vist: ville vise et lille antal eller en lille rest",
                  "protects": "Andele og gennemsnit ikke vist: ville afsløre et andet skjult tal"}
        for k, v in counts.items():
            self.ledger.value(f"disclosure.hidden.{k}", v, labels[k], "antal")

    def _record_projections(self) -> None:
        """Each goal's path to its target, projected to the end of the strategy period: counts by a
        Poisson model, the share with progression by a binomial model on its counts (see
        :func:`so_eval.screening.project_to_target`). A year enters only when the figures it rests
        on are shown: a hidden year's number would follow from the fitted curve and the others."""
        from so_eval.screening import project_to_target

        L, end, m = self.ledger, self.params.strategy_period[1], self.params.min_cell
        # all years with data: a steadier trend than the strategy years alone
        specs = [
            ("goal1", self.jobs_per_year, "jobs", None, float(self._t["jobs_per_year"]), end, ["goal1.jobs.{}"], "jobs"),
            ("goal3", self.enterprises_per_year, "three_bottom_lines", None, float(self._t["enterprises"]),
             int(self._t["enterprises_year"]), [], None),  # enterprises, not persons: nothing is hidden
        ]
        if self._t["progressed_share"] is not None:
            specs.append(("goal2", self.progression_per_year, "citizens_progressed", "citizens_ended",
                          float(self._t["progressed_share"]), end,
                          ["goal2.citizens_ended.{}", "goal2.citizens_progressed_share.{}"], "courses"))
        self.projections = {}
        for goal, data, col, n, target, target_year, shown, table in specs:
            if goal == "goal1" and L["goal1.jobs"].suppressed:
                continue
            # a year enters when its figures are shown and its data complete (not foreløbig)
            keep = [not any(L[key.format(yy)].suppressed for key in shown)
                    and not (table and self._provisional(table, int(yy))) for yy in data["year"]]
            res = project_to_target(data.loc[keep], year="year", value=col, n=n, target=target,
                                    target_year=target_year, min_basis=m if shown else 0)
            self.projections[goal] = res
            if self.year < target_year and np.isfinite(res.projected):
                unit = "andel" if goal == "goal2" else "antal"
                L.value(f"{goal}.projection.{target_year}", float(res.projected), f"Fremskrivning til {target_year}", unit)
                lo, hi = res.intervals.get(0.95, (np.nan, np.nan))
                if np.isfinite(lo):
                    L.value(f"{goal}.projection.{target_year}.low95", float(lo), "Nedre grænse (95 %)", unit)
                    L.value(f"{goal}.projection.{target_year}.high95", float(hi), "Øvre grænse (95 %)", unit)

    def _record_value(self) -> None:
        """Value creation beyond job counts (see :mod:`so_eval.annual.sections.value`)."""
        from so_eval.annual.sections.value import ValueSection

        self.value_section = ValueSection(self.ds, self.params, self.ledger, effect=self.effect_result,
                                          effect_spec=self.effect_spec)

    def _record_unexpected(self) -> None:
        """The skewed and the unexpected, found statistically (see :mod:`so_eval.screening.findings`)."""
        from so_eval.screening import findings as fnd

        L, y, m = self.ledger, self.year, self.params.min_cell
        self.funnel_units = {level: fnd.funnel_units(self.ds, y, level=level, job_types=self._job_types,
                                                     window_days=self.params.counting["job_window_days"])
                             for level in ("agreement", "enterprise")}
        self.funnels = {level: fnd.funnels(units) for level, units in self.funnel_units.items()}
        flagged = []
        for level, res in self.funnels.items():
            flagged += fnd.funnel_findings(res, level=level, year=y, width=2, min_cell=m, ledger=L)
        self.monthly = fnd.monthly_series(self.ds, self.params.strategy_period[0], y, job_types=self._job_types)
        self.series_checks = fnd.check_series(self.monthly, y)
        prov = getattr(self, "provisional_tables", frozenset())
        flagged += fnd.series_findings(self.series_checks, y, provisional=prov)
        for name, chk in self.series_checks.items():
            L.value(f"unexpected.series.{name}.longest_run", chk.run.longest_run, "Længste forløb på samme side", "måneder")
            L.value(f"unexpected.series.{name}.crossings", chk.run.crossings, "Krydsninger af medianen", "antal")
            L.value(f"unexpected.series.{name}.signal", bool(chk.run.signal), "Signal efter Anhøjs regler", "status")
        self.yoy = fnd.yoy_table(self.ds, y, self.jobs_per_year, self.progression_per_year, provisional=prov)
        flagged += fnd.yoy_findings(self.yoy, y, ledger=L)
        self.flagged = flagged

    def _changed_since_published(self) -> pd.DataFrame | None:
        """The figures published for the year before recomputed (two light builds of that
        year's report: the data as they stood then, and as they stand now) and those that
        changed; None for the first year. The result is recorded by :meth:`_record_corrections`."""
        import json as _json

        from so_eval import config
        from so_eval.reporting.ledger import read_figures
        from so_eval.params import params_path, read_params
        from so_eval.reporting.provenance import code_version

        self.corrections = None
        prev = self.year - 1
        if prev < min(self.years):
            return None
        path = params_path(prev)
        prev_params = read_params(path) if path.exists() else {**self.params.as_dict(), "year": prev,
                                                                   "report_date": f"{self.year}-01-15"}
        keep = {k: v for k, v in prev_params.items() if k in ReportParams.__dataclass_fields__}
        keep.update(data_dir=self.params.data_dir, output_dir=None, as_of=None)
        rp = ReportParams(**keep)
        folder = config.resolve(self.params.published_dir) / str(prev)
        published, published_on, same_code = None, rp.report_date or f"{self.year}-01-15", None
        self.corrections_source = "beregnet"
        if (folder / "figures.csv").exists() and (folder / "manifest.json").exists():
            published = read_figures(folder / "figures.csv")
            man = _json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            published_on = man.get("parameters", {}).get("as_of") or man["created"][:10]
            made = man.get("code", {}).get("git_commit")
            now = code_version().get("git_commit")
            same_code = (made == now) if made and now else None
            self.corrections_source = "offentliggjort"
        if published is not None:
            published = published.loc[published["key"].str.startswith(CORRECTED_PREFIXES)]
        self.corrections_date = published_on
        # the weekly panel is not needed for last year's goal figures
        return changed_since_published(self.ds.without("status_weekly"), rp, published, published_on, same_code)

    def _record_corrections(self, table: pd.DataFrame | None) -> None:
        """Figures published for the year before that have changed since, and why."""
        from so_eval.annual.corrections import corrected_registrations, late_registrations

        if table is None:
            return
        self.corrections = table
        self.late_rows = late_registrations(self.ds, self.corrections_date)
        self.corrected_rows = corrected_registrations(self.ds, self.corrections_date)
        units = {"jobs": "borgere", "courses": "forløb", "progression": "forløb", "enterprises": "virksomheder",
                 "agreements": "aftaler"}  # rows about citizens are counted as persons (1–4 shown as <5)
        for t, n in self.late_rows.items():
            self.ledger.count(f"corrections.late.{t}", n, f"Sent registrerede rækker i {t}", units.get(t, "borgere"))
        for t, c in self.corrected_rows.items():
            for what, label in (("corrected", "Rettede rækker"), ("withdrawn", "Tilbagetrukne rækker")):
                if c[what]:
                    self.ledger.count(f"corrections.{what}.{t}", c[what], f"{label} i {t}", units.get(t, "borgere"))
        prev = self.year - 1
        self.ledger.value("corrections.count", len(table), f"Tal fra {prev} der er ændret siden", "antal")
        for r in table.itertuples():
            self.ledger.value(f"corrections.{r.key}.published", r.published, f"{r.label} (offentliggjort)", "tekst")
            self.ledger.value(f"corrections.{r.key}.now", r.now, f"{r.label} (nu)", "tekst")

    def _record_effect(self) -> None:
        """The headline effect estimate (see :mod:`so_eval.effects`), or why there is none."""
        from so_eval.effects.analysis import effect_sample, estimate, has_panel
        from so_eval.effects.report import effect_spec, record_estimate

        self.effect_result, self.effect_problem = None, None
        self.effect_spec = effect_spec(self.params)  # the effect report's spec (the same function)
        if not has_panel(self.ds):
            self.effect_problem = "Datasættet har ingen ugentlige statusdata (status_weekly), så effekten kan ikke måles."
            return
        spec, y = self.effect_spec, self.year
        sample = effect_sample(self.ds, spec)
        treated = int((sample["treated"] == 1).sum())
        since = f"fra {fmt.date(spec.entry_from)} til udgangen af {y}"
        if treated == 0:
            self.effect_problem = (f"Effekten kan ikke måles for {y}: ingen deltager, der startede sit første forløb "
                                   f"{since}, har ugentlige statusdata for ugerne efter start, som effekten måles på.")
            return
        if len(sample) - treated == 0:
            self.effect_problem = (f"Effekten kan ikke måles for {y}: der er ingen borgere i sammenligningsgruppen "
                                   "(borgere i målgrupperne, der ikke deltog) med ugentlige statusdata for de samme uger.")
            return
        unreliable = (f"Effekten kan ikke måles pålideligt for {y}: deltagerne {since} og sammenligningsgruppen er for "
                      "få eller for forskellige til at kunne sammenlignes.")
        if min(treated, len(sample) - treated) < 2:  # no spread to estimate an uncertainty from
            self.effect_problem = unreliable
            return
        try:
            self.effect_result = estimate(sample, spec)
        except ValueError:  # e.g. perfect separation in the propensity-score model
            self.effect_problem = unreliable
            return
        record_estimate(self.ledger, "effects", self.effect_result, "Effekt")

    @property
    def _t(self) -> dict:
        return self.params.targets

    @property
    def _job_types(self) -> tuple[str, ...]:
        return tuple(self.params.counting["employment_job_types"])

    def _record_goal1(self) -> None:
        L, y, types = self.ledger, self.year, self._job_types
        norm = int(self._t["jobs_per_year"])
        per_year = metrics.jobs_per_year(self.ds, self.years, norm, types)
        self.jobs_per_year = per_year
        cur = per_year.loc[per_year["year"] == y].iloc[0]
        jobs = int(cur["jobs"])
        L.count("goal1.jobs", jobs, f"Borgere, der kom i beskæftigelse i {y}")
        L.count("goal1.job_changes", int(cur["job_changes"]),
                f"Borgere, der skiftede job i {y} (allerede i job)")
        L.value("goal1.norm", norm, "Norm: mindst antal borgere i job om året")
        self.goal1_status = goal_status(jobs, norm, y)
        L.value("goal1.status", self.goal1_status.status.value, "Mål 1: status", unit="status")
        reached = metrics.norm_reached_on(self.ds, y, norm, types)
        self.norm_reached = reached
        if reached is not None:
            L.value("goal1.norm_reached_on", reached, "Dato hvor normen blev nået", unit="dato")
        for rec in per_year.itertuples():
            L.count(f"goal1.jobs.{rec.year}", rec.jobs, f"Borgere, der kom i beskæftigelse i {rec.year}")
        self.goal1_tables = {}
        for by, label in (("job_type", "Jobtype"), ("target_group", "Målgruppe")):
            order = [t for t in g.JOB_TYPES if t in types] if by == "job_type" else g.TARGET_GROUPS
            d = metrics.jobs_by(self.ds, y, by, types).set_index(by).reindex(order, fill_value=0).reset_index()
            cols = [Col("jobs", "Borgere i job")]
            d, n_pooled = sdc.pool_unsafe(d, id_col=by, cols=cols, sum_cols=["jobs"], other_id=OTHER,
                                          min_cell=self.params.min_cell)
            self.goal1_tables[by] = ledger_table(
                L, d, key=f"goal1.by_{by}", id_col=by, id_label=label,
                cols=cols, what=f"Borgere i job efter {label.lower()}",
                caption=f"Borgere, der kom i beskæftigelse i {y}, efter {label.lower()}",
                id_text=_other_text(by, n_pooled, {"job_type": "jobtyper", "target_group": "målgrupper"}[by]),
            )
        # by enterprise over the strategy period so far (one year alone is mostly below the
        # threshold); each citizen once over the period, credited to their first entry in it
        d = metrics.jobs_by(self.ds, self.period_years, "enterprise_id", types)
        period_total = int(d["jobs"].sum())
        # the period's citizens are at most the years' added up (equal when no one came in twice):
        # where a year's count is hidden, the period's must not narrow it down
        hidden_year = any(L[f"goal1.jobs.{yy}"].suppressed for yy in self.period_years)
        L.count("goal1.jobs.period", period_total,
                f"Borgere, der kom i beskæftigelse {self.period_years[0]}–{y} (hver borger én gang)",
                secondary=hidden_year)
        d = d.merge(self.ds.enterprises[["enterprise_id", "name"]], on="enterprise_id", how="left"
                    ).sort_values(["jobs", "name"], ascending=[False, True])
        d, n_small = disclosure.pool_small(d, id_col="enterprise_id", basis="jobs", min_cell=self.params.min_cell,
                                           other_id="other", sum_cols=["jobs"])
        self.goal1_tables["enterprise_id"] = ledger_table(
            L, d, key="goal1.by_enterprise", id_col="enterprise_id", id_label="Virksomhed/initiativ",
            cols=[Col("jobs", "Borgere i job")],
            id_text=lambda r: (f"Øvrige ({n_small} med færre end {self.params.min_cell} hver)"
                               if r["enterprise_id"] == "other" else f"{r['name']} ({r['enterprise_id']})"),
            caption=(f"Borgere, der kom i beskæftigelse, efter virksomhed/initiativ, {self.period_years[0]}–{y} "
                     "(hver borger tælles én gang i perioden, ved sit første job)"),
            secret=["jobs"] if hidden_year else None,
        )
        self._record_goal1_sources()

    def _record_goal1_sources(self) -> None:
        """Goal 1's citizens by where their course stood: the reconciliation with the
        status-after-course table (which counts courses ended in the year)."""
        y, m = self.year, self.params.min_cell
        src = metrics.employment_sources(self.ds, y, self._job_types)
        src["total"] = int(self.ledger["goal1.jobs"].value)
        cols = [Col("citizens", "Borgere", unit="borgere"),
                Col("share", "Andel", "share", num="citizens", den="total")]
        src, n_pooled = sdc.pool_unsafe(src, id_col="source", cols=cols, sum_cols=["citizens"], other_id=OTHER,
                                        min_cell=m)
        labels = {"ended_this_year": f"Efter et forløb, der sluttede i {y}",
                  "ended_earlier": f"Efter et forløb, der sluttede før {y}",
                  "during_course": "Under et forløb, der ikke var slut i året",
                  "no_course": "Uden registreret forløb"}
        self.goal1_sources = ledger_table(
            self.ledger, src, key="goal1.by_source", id_col="source", id_label="Borgeren kom i job",
            cols=cols, caption=f"Borgere, der kom i beskæftigelse i {y}, efter hvor de var i forløbet",
            id_text=lambda r: labels.get(r["source"], f"Øvrige ({n_pooled} lagt sammen)"),
        )

    def _record_goal2(self) -> None:
        L, y, m = self.ledger, self.year, self.params.min_cell
        per_year = metrics.progression_per_year(self.ds, self.years)
        self.progression_per_year = per_year
        cur = per_year.loc[per_year["year"] == y].iloc[0]
        L.count("goal2.courses_started", cur["started"], f"Forløb startet i {y}", "forløb")
        # the goal's headline: citizens, each once
        L.count("goal2.citizens_ended", cur["citizens_ended"], f"Borgere med et forløb afsluttet i {y}")
        L.count("goal2.citizens_progressed", cur["citizens_progressed"], f"Borgere med progression i {y}",
                secondary=disclosure.complement_small(cur["citizens_progressed"], cur["citizens_ended"], m))
        share = L.share("goal2.citizens_progressed_share", cur["citizens_progressed"], cur["citizens_ended"],
                        f"Andel af borgerne med progression i {y}")
        # per course (what the agreements are learned from)
        L.count("goal2.courses_ended", cur["ended"], f"Forløb afsluttet i {y}", "forløb")
        L.count("goal2.progressed", cur["progressed"], f"Afsluttede forløb med progression i {y}", "forløb",
                secondary=disclosure.complement_small(cur["progressed"], cur["ended"], m))
        L.share("goal2.progressed_share", cur["progressed"], cur["ended"], f"Andel af forløbene med progression i {y}")
        for reason, label in (("step", "et højere trin"), ("hours", "flere lønnede timer")):
            n = cur[f"progressed_{reason}"]
            L.count(f"goal2.progressed_{reason}", n, f"Forløb med progression i {y}: {label}", "forløb",
                    secondary=disclosure.complement_small(n, cur["progressed"], m))
        L.count("goal2.dropped_out", cur["dropped_out"], f"Frafald i {y}", "forløb",
                secondary=disclosure.complement_small(cur["dropped_out"], cur["ended"], m))
        L.share("goal2.dropout_share", cur["dropped_out"], cur["ended"], f"Andel frafald i {y}")
        L.count("goal2.dropped_out_progressed", cur["dropped_out_progressed"],
                f"Frafald i {y} efter progression undervejs", "forløb",
                secondary=disclosure.complement_small(cur["dropped_out_progressed"], cur["dropped_out"], m))
        target = self._t["progressed_share"]
        if target is not None:
            L.value("goal2.target", float(target), "Arbejdsmål: andel af borgerne med progression", unit="andel")
        self.goal2_status = goal_status(None if share.suppressed else share.value, target, y)
        L.value("goal2.status", self.goal2_status.status.value, "Mål 2: status", unit="status")
        for rec in per_year.itertuples():
            L.count(f"goal2.citizens_ended.{rec.year}", rec.citizens_ended, f"Borgere med et forløb afsluttet i {rec.year}")
            L.share(f"goal2.citizens_progressed_share.{rec.year}", rec.citizens_progressed, rec.citizens_ended,
                    f"Andel af borgerne med progression i {rec.year}")
            L.count(f"goal2.courses_ended.{rec.year}", rec.ended, f"Forløb afsluttet i {rec.year}", "forløb")
            L.share(f"goal2.progressed_share.{rec.year}", rec.progressed, rec.ended,
                    f"Andel af forløbene med progression i {rec.year}")
        # per agreement, this year and last year side by side; agreements with few ended courses pooled
        w = self.params.counting["job_window_days"]
        by_agr = metrics.progression_by_agreement(self.ds, y, self._job_types, w)
        last = metrics.progression_by_agreement(self.ds, y - 1, self._job_types, w)[["agreement_id", "progressed", "ended"]]
        last = last.rename(columns={"progressed": "progressed_last", "ended": "ended_last"})
        by_agr = by_agr.merge(last, on="agreement_id", how="left").fillna({"progressed_last": 0, "ended_last": 0})
        self.by_agreement = by_agr
        sums = ["started", "ended", "progressed", "dropped_out", "jobs", "jobs_during", "jobs_after", "hours_sum",
                "hours_n", "progressed_last", "ended_last"]
        shown, n_small = disclosure.pool_small(by_agr, id_col="agreement_id", basis="ended", min_cell=m,
                                               other_id="other", sum_cols=sums)
        # columns whose totals are published (started, ended, progressed, dropped out) and whose
        # small cells cannot be protected by hiding cells alone are pooled further
        agr_cols = [
            Col("started", "Startet", unit="forløb"),
            Col("ended", "Afsluttet", unit="forløb"),
            Col("progressed_share", "Progression", "share", num="progressed", den="ended"),
            Col("jobs_during", "Job under forløbet", unit="forløb", within="ended"),
            Col("jobs_after", f"Job ≤ {w} dage efter", unit="forløb", within="ended"),
            Col("dropout_share", "Frafald", "share", num="dropped_out", den="ended"),
            Col("mean_hours_change", "Ændring i timer/uge", "stat", unit="ændring i timer", basis="hours_n"),
            Col("progressed_share_last", f"Progression {y - 1}", "share", num="progressed_last", den="ended_last"),
        ]
        # the columns whose totals are published (started, ended, progressed, dropped out) that
        # hiding cells cannot protect against them are pooled further
        shown, n_unsafe = sdc.pool_unsafe(shown, id_col="agreement_id", other_id="other", sum_cols=sums,
                                          cols=[c for c in agr_cols if c.name in ("started", "ended", "progressed_share",
                                                                                  "dropout_share")], min_cell=m)
        n_small += n_unsafe
        shown["mean_hours_change"] = shown["hours_sum"] / shown["hours_n"].where(shown["hours_n"] > 0)
        self.goal2_agreements = ledger_table(
            L, shown, key="goal2.agreement", id_col="agreement_id", id_label="Samarbejdsaftale",
            id_text=lambda r: ((f"Øvrige aftaler ({n_small} med færre end {m} afsluttede forløb hver)" if not n_unsafe
                                else f"Øvrige aftaler ({n_small} lagt sammen)")
                               if r["agreement_id"] == "other" else f"{r['agreement_id']} · {r['enterprise']}"),
            cols=agr_cols,
            caption=f"Forløb og progression pr. samarbejdsaftale, {y} (med {y - 1} til sammenligning)",
            note=(f"Aftaler med færre end {m} afsluttede forløb i {y} er lagt sammen under »Øvrige aftaler«"
                  + (" (og flere, så små tal ikke kan regnes ud af totalerne)" if n_unsafe else "") + ". "
                  f"Gennemsnit vises kun, når de bygger på mindst {m} forløb, og andele kun, når hverken antallet "
                  f"med eller uden er under {m}; «×» og «–» skjuler tal, så de små ikke kan regnes ud."),
        )
        # per agreement over the strategy period so far: larger numbers, comparable across agreements
        period = metrics.progression_by_agreement(self.ds, self.period_years, self._job_types, w)
        es_p = metrics.end_status_by_agreement(self.ds, self.period_years)
        wide_p = es_p.pivot(index="agreement_id", columns="end_status", values="n").reindex(
            columns=list(g.END_STATUSES), fill_value=0).reset_index()
        period = period.merge(wide_p, on="agreement_id", how="left")
        period_label = f"{self.period_years[0]}–{y}"
        sums_p = ["ended", "progressed"] + list(g.END_STATUSES)
        shown_p, n_small_p = disclosure.pool_small(
            period.loc[period["ended"] > 0], id_col="agreement_id", basis="ended", min_cell=m, other_id="other",
            sum_cols=sums_p)
        # the period's totals are the years' figures added up: where a year's is hidden, they must
        # not be known from this table either
        secret = [col for col, key in (("ended", "goal2.courses_ended.{}"), ("progressed_share", "goal2.progressed_share.{}"))
                  if any(L[key.format(yy)].suppressed for yy in self.period_years)]
        shown_p, n_unsafe_p = sdc.pool_unsafe(
            shown_p, id_col="agreement_id", other_id="other", sum_cols=sums_p, min_cell=m,
            cols=[Col("ended", "", unit="forløb"), Col("progressed_share", "", "share", num="progressed", den="ended")])
        n_small_p += n_unsafe_p
        self.goal2_agreements_period = ledger_table(
            L, shown_p, key="goal2.period_agreement", id_col="agreement_id", id_label="Samarbejdsaftale",
            id_text=lambda r: (f"Øvrige aftaler ({n_small_p})" if r["agreement_id"] == "other"
                               else f"{r['agreement_id']} · {r['enterprise']}"),
            cols=[Col("ended", "Afsluttet", unit="forløb"),
                  Col("progressed_share", "Progression", "share", num="progressed", den="ended")]
                 + [Col(f"{s}_share", g.category_label(s).split(" (")[0], "share", num=s, den="ended",
                        group="end_status") for s in g.END_STATUSES],
            caption=f"Status efter forløb pr. samarbejdsaftale, forløb afsluttet {period_label} (andel af afsluttede)",
            secret=secret,
            note=f"Aftaler med færre end {m} afsluttede forløb i perioden er lagt sammen under »Øvrige aftaler«.",
        )

        # where citizens are after the course
        es = metrics.end_status_by_agreement(self.ds, y)
        total = es.groupby("end_status", sort=False)["n"].sum().reindex(g.END_STATUSES).reset_index()
        total["ended"] = int(cur["ended"])
        self.end_status_total = total
        cols = [Col("n", "Forløb", unit="forløb"), Col("share", "Andel", "share", num="n", den="ended")]
        total, n_pooled = sdc.pool_unsafe(total, id_col="end_status", cols=cols, sum_cols=["n"], other_id=OTHER,
                                          min_cell=m)
        self.goal2_end_status = ledger_table(
            L, total, key="goal2.end_status", id_col="end_status", id_label="Status efter forløb",
            cols=cols,
            caption=f"Hvor borgerne er efter forløbet, forløb afsluttet i {y}",
            id_text=_other_text("end_status", n_pooled, "statusser"),
        )
        tr = metrics.step_transitions(self.ds, y)
        tr_wide = tr.pivot(index="start_step", columns="end_step", values="n").reset_index()
        tr_wide["start_step"] = tr_wide["start_step"].astype(str)
        starts = tr_wide.loc[tr_wide[list(g.STEPS)].sum(axis=1) > 0]
        self.goal2_transitions = ledger_table(
            L, starts, key="goal2.transition", id_col="start_step", id_label="Trin ved start ↓ / slut →",
            cols=[Col(s, g.category_label(s).split("/")[0], unit="forløb") for s in g.STEPS], two_way=True,
            caption=f"Trin i værdikæden ved start og ved slut, forløb afsluttet i {y}",
        )
        youth = metrics.youth_education(self.ds, self.years)
        self.youth = youth
        ycur = youth.loc[youth["year"] == y].iloc[0]
        L.count("goal2.youth_ended", ycur["ended"], f"Unge med et forløb afsluttet i {y}")
        L.count("goal2.youth_education", ycur["education"], f"Unge i uddannelse efter forløb i {y}",
                secondary=disclosure.complement_small(ycur["education"], ycur["ended"], m))
        L.share("goal2.youth_education_share", ycur["education"], ycur["ended"], f"Andel unge i uddannelse i {y}")
        for rec in youth.itertuples():
            L.share(f"goal2.youth_education_share.{rec.year}", rec.education, rec.ended,
                    f"Andel unge i uddannelse i {rec.year}")

    def _record_goal3(self) -> None:
        L, y = self.ledger, self.year
        target, target_year = int(self._t["enterprises"]), int(self._t["enterprises_year"])
        per_year = metrics.enterprises_per_year(self.ds, self.years)
        self.enterprises_per_year = per_year
        cur = per_year.loc[per_year["year"] == y].iloc[0]
        u = "virksomheder"
        L.value("goal3.enterprises_active", int(cur["active"]), f"Aktive virksomheder og initiativer ved udgangen af {y}", u)
        L.value("goal3.enterprises_three_bottom_lines", int(cur["three_bottom_lines"]),
                f"Heraf med tre bundlinjer ved udgangen af {y}", u)
        for col, label in (("rsv", "Heraf RSV-registrerede"), ("first_generation", "Heraf 1. generation (før 2022)"),
                           ("second_generation", "Heraf 2. generation (fra 2022)"), ("founded", f"Startet i {y}"),
                           ("closed", f"Lukket i {y}")):
            L.value(f"goal3.{col}", int(cur[col]), label, u)
        L.value("goal3.target", target, f"Mål: virksomheder og initiativer med tre bundlinjer i {target_year}", u)
        L.value("goal3.target_year", target_year, "Målår", "år")
        self.goal3_status = goal_status(int(cur["three_bottom_lines"]), target, y, target_year)
        L.value("goal3.status", self.goal3_status.status.value, "Mål 3: status", unit="status")
        reached = per_year.loc[per_year["three_bottom_lines"] >= target, "year"]
        self.goal3_first_reached = int(reached.min()) if len(reached) else None
        if self.goal3_first_reached is not None:
            L.value("goal3.target_first_reached", self.goal3_first_reached, "År hvor målet første gang blev nået", "år")
        self.goal3_years = ledger_table(
            L, per_year, key="goal3.year", id_col="year", id_label="År", id_text=lambda r: str(r["year"]),
            cols=[Col(c, g.label(c) if c != "rsv" else "RSV", "value", unit=u) for c in
                  ("active", "three_bottom_lines", "rsv", "first_generation", "second_generation", "founded", "closed")]
                 + [Col("three_bottom_lines_first", "Tre bundlinjer, 1. gen.", "value", unit=u),
                    Col("three_bottom_lines_second", "Tre bundlinjer, 2. gen.", "value", unit=u)],
            caption="Socialøkonomiske virksomheder og initiativer år for år (aktive ved årets udgang)",
        )
        by_kind = metrics.enterprises_by_kind(self.ds, y).set_index("kind").reindex(g.ENTERPRISE_KINDS, fill_value=0).reset_index()
        self.goal3_kinds = ledger_table(
            L, by_kind, key="goal3.kind", id_col="kind", id_label="Type",
            cols=[Col("active", "Aktive", "value", unit=u), Col("three_bottom_lines", "Tre bundlinjer", "value", unit=u),
                  Col("rsv", "RSV", "value", unit=u)],
            caption=f"Aktive ved udgangen af {y} efter type",
        )
        e = self.ds.enterprises
        self.founded_names = e.loc[e["founded"].dt.year == y].sort_values("founded")
        self.closed_names = e.loc[e["closed"].dt.year == y].sort_values("closed")

    def _record_reach(self) -> None:
        L, y = self.ledger, self.year
        reach = metrics.reach_per_year(self.ds, self.years)
        self.reach = reach
        cur = reach.loc[reach["year"] == y].iloc[0]
        L.value("value.agreements_active", int(cur["agreements"]), f"Samarbejdsaftaler gældende ved udgangen af {y}", "aftaler")
        L.value("value.places", int(cur["places"]), f"Pladser i gældende aftaler ved udgangen af {y}", "pladser")
        L.value("value.agreements_price", float(cur["price"]), f"Årlig pris for gældende aftaler ved udgangen af {y}", "kr.")
        L.count("value.citizens_served", cur["citizens"], f"Borgere i forløb i {y}")
        period = self.ledger["goal1.jobs.period"]
        L.count("value.jobs_period", int(period.value),
                f"Borgere, der kom i beskæftigelse i strategiperioden {self.params.strategy_period[0]}–{y} "
                "(hver borger én gang)", secondary=period.secondary)
        self.reach_table = ledger_table(
            L, reach, key="value.year", id_col="year", id_label="År", id_text=lambda r: str(r["year"]),
            cols=[Col("agreements", "Gældende aftaler", "value", unit="aftaler"),
                  Col("places", "Pladser", "value", unit="pladser"),
                  Col("price", "Årlig pris (kr.)", "value", unit="kr."),
                  Col("citizens", "Borgere i forløb")],
            caption="Samarbejdsaftaler og borgere i forløb år for år",
            protect_totals=False,  # citizens in courses are not added up over the years (a citizen recurs)
        )

    # -- helpers for text ---------------------------------------------------------------------

    def f(self, key: str) -> str:
        """A figure's display text (shortcut for text)."""
        return self.ledger[key].display

    def _none(self, key: str) -> bool:
        """Whether the figure ``key`` is a published zero or has no value (nothing to show)."""
        f = self.ledger[key]
        return not f.suppressed and (f.value is None or pd.isna(f.value) or f.value == 0)

    def _status_sentence(self, goal: Goal) -> str:
        return f"**Status: {goal.label}.**"

    def _trend_text(self, key: str, years: list[int]) -> str:
        table = GOAL_TABLES.get(key.split(".")[0], "")
        parts = [f"{cr.year_label(yy, self._provisional(table, yy))}: {self.f(f'{key}.{yy}')}" for yy in years
                 if f"{key}.{yy}" in self.ledger]
        return "; ".join(parts)

    # -- sections -----------------------------------------------------------------------------

    @_section
    def title(self) -> Block:
        p = self.params
        made = fmt.date(p.report_date) if p.report_date else fmt.date(pd.Timestamp.today())
        as_of = f" Data som kendt {fmt.date(p.as_of)}." if p.as_of else ""
        return Block().md(
            f"# Årsrapport {self.year}: Socialøkonomi i Slagelse Kommune\n\n"
            f"*{STRATEGY_NAME}, {p.strategy_period[0]}–{p.strategy_period[1]}.* "
            f"Rapporten er udarbejdet {made}.{as_of}"
        )

    def _projection_block(self, goal: str, ylabel: str) -> Block:
        """The goal's path with a projection and prediction band inside the figure's range (while
        the period runs), or one sentence saying why there is none."""
        from so_eval.plots.screening import projection_plot

        b = Block()
        res = getattr(self, "projections", {}).get(goal)
        if res is None or self.year >= res.target_year:
            return b
        if res.no_projection:
            return b.md(f"**Fremskrivning:** {res.no_projection}")
        annual = goal in ("goal1", "goal2")  # an annual target: where the trend points, not "reached"
        b.md(f"**Fremskrivning:** {self._projection_text(goal, res) if annual else res.statement}")
        point, interval = _projection_numbers(goal, res)
        ax = projection_plot(res, ylabel=ylabel, title=f"{ylabel}: vejen mod målet i {res.target_year}",
                             percent=goal == "goal2",
                             info=f"Fremskrivning til {res.target_year}: {point}, {interval}" if annual else None)
        return b.figure(ax.figure, f"Fremskrivning: {ylabel.lower()}")

    def _projection_text(self, goal: str, res) -> str:
        """An annual target's projection in words: where the trend points, the model, the years."""
        share = goal == "goal2"
        point, interval = _projection_numbers(goal, res)
        target = fmt.percent(res.target) if share else fmt.number(res.target)
        what, norm = ("med progression", "arbejdsmålet er") if share else ("borgere i job", "normen er mindst")
        model = ("en logistisk model for andelen, hvor hvert år vægter med sit antal borgere med et afsluttet forløb, så andel "
                 "og interval holder sig mellem 0 og 100 %" if share else
                 "en Poisson-model for antallet, så hverken tal eller interval kan blive negative")
        left_out = (" År, hvor tallet ikke kan vises, fordi det bygger på for få, eller hvor det endnu er foreløbigt, indgår ikke."
                    if len(res.years_used) < len(self.years) else "")
        return (f"Fremskrivningen til {res.target_year} giver {point} {what} ({interval}); {norm} {target} om året. "
                f"Trenden er beregnet ud fra årene {_years_text(res.years_used)} med {model}.{left_out}")

    @_section
    def contents(self) -> Block:
        """A table of contents linking to the report's sections (the notebook's ## headings)."""
        links = "\n".join(f"{i}. [{title}](#{heading_id(title)})" for i, title in enumerate(SECTIONS, 1))
        return Block().md(f"**Indhold**\n\n{links}")

    def overview(self) -> Table:
        rows = [
            ("1. Beskæftigelse", f"{self.f('goal1.jobs')} borgere kom i beskæftigelse", f"mindst {self.f('goal1.norm')} om året",
             self.goal1_status.label),
            ("2. Progression", f"{self.f('goal2.citizens_progressed_share')} af borgerne med afsluttet forløb havde progression",
             f"arbejdsmål {self.f('goal2.target')}" if "goal2.target" in self.ledger else "intet måltal",
             self.goal2_status.label),
            ("3. Antal virksomheder", f"{self.f('goal3.enterprises_three_bottom_lines')} med tre bundlinjer",
             f"{self.f('goal3.target')} i {self.params.targets['enterprises_year']}", self.goal3_status.label),
        ]
        return Table(pd.DataFrame(rows, columns=["Mål", f"Resultat {self.year}", "Mål/norm", "Status"]),
                     caption=f"Målopnåelse {self.year}")

    @_section
    def intro(self) -> Block:
        p, y = self.params, self.year
        b = Block()
        b.md(
            f"Denne årsrapport gør status over socialøkonomien i Slagelse Kommune for {y} under "
            f"{STRATEGY_NAME} ({p.strategy_period[0]}–{p.strategy_period[1]}). Strategiens formål er "
            f"det politiske ønske, som blev formuleret til den første strategi:\n\n> {PURPOSE}\n\n"
            "Det handler om mennesker: om beskæftigelse i små job, uddannelse, opkvalificering og "
            "livsmestring — og om den enkeltes mulighed for selvstændighed. Det primære middel er "
            "samarbejdsaftaler mellem Jobcentret og socialøkonomiske virksomheder og initiativer, "
            "for borgere på ressourceforløb, kontanthjælp, fleksjob og integration og, fra 2022, med "
            "ekstra fokus på unge og deres vej til uddannelse.\n\n"
            "Strategien har tre mål, som rapporten måler hvert år:\n\n"
            f"1. **Beskæftigelse** — borgere, der er kommet i job: mindst {self.f('goal1.norm')} job om året.\n"
            "2. **Progression for den enkelte borger** — pr. samarbejdsaftale og efter, hvor borgeren er "
            "efter forløbet: uddannelse, praktik, lønnede timer og små job.\n"
            f"3. **Antal virksomheder** — socialøkonomiske virksomheder og initiativer med tre bundlinjer "
            f"(social, lokal og økonomisk): {self.f('goal3.target')} i {p.targets['enterprises_year']}.\n\n"
            "Nås et mål før tid, afrapporteres det før tid. Rapporten viser både det, der lykkedes, og "
            "det, der ikke gik som forventet, og fremhæver det skæve, det uventede, læringer og korrektioner."
        )
        b.table(self.overview())
        return b

    @_section
    def goal1(self) -> Block:
        from so_eval.plots import goals as plots

        y, b = self.year, Block()
        s = self.goal1_status
        reached = ""
        if self.norm_reached is not None:
            reached = f" Normen blev nået den {self.f('goal1.norm_reached_on')}."
        changes = ("" if self._none("goal1.job_changes") else
                   f" Desuden skiftede {self.f('goal1.job_changes')} borgere, som allerede var i job, til et nyt "
                   "job; de tælles ikke med i målet.")
        b.md(
            f"I {y} kom **{self.f('goal1.jobs')} borgere** i beskæftigelse efter et forløb i en socialøkonomisk "
            f"virksomhed eller et initiativ (hver borger talt én gang, og kun hvis borgeren ikke allerede var i "
            f"job). Normen er mindst {self.f('goal1.norm')} om året. "
            f"{self._status_sentence(s)}{reached}{changes}\n\n"
            f"Udviklingen år for år: {self._trend_text('goal1.jobs', self.years)}."
        )
        d = pd.DataFrame({"year": self.years,
                          "jobs": _masked_values([self.ledger[f"goal1.jobs.{yy}"] for yy in self.years])})
        ax = plots.trend_bars(d, y="jobs", target=int(self._t["jobs_per_year"]), target_label="Norm",
                              highlight=y, period=self.params.strategy_period, ylabel="Borgere i job",
                              title="Borgere, der er kommet i job, pr. år",
                              masked=disclosure.masked(self.params.min_cell))
        b.figure(ax.figure, "Borgere i job pr. år med normen")
        b.extend(self._projection_block("goal1", "Borgere i job pr. år"))
        b.table(self.goal1_tables["job_type"])
        b.table(self.goal1_tables["target_group"])
        b.table(self.goal1_tables["enterprise_id"])
        b.extend(self._completeness_block("jobs"))
        return b

    @_section
    def goal2(self) -> Block:
        from so_eval.plots import goals as plots

        y, m, b = self.year, self.params.min_cell, Block()
        target = f" Arbejdsmålet er {self.f('goal2.target')}." if "goal2.target" in self.ledger else ""
        if self._none("goal2.courses_ended"):
            b.md(f"I {y} startede **{self.f('goal2.courses_started')} forløb**. Ingen forløb sluttede i {y}, så "
                 f"andelen med progression kan ikke gøres op for året.{target} "
                 f"{self._status_sentence(self.goal2_status)}")
        else:
            b.md(
                f"I {y} afsluttede **{self.f('goal2.citizens_ended')} borgere** et forløb, og "
                f"**{self.f('goal2.citizens_progressed_share')}** af dem havde progression: de endte på et højere "
                f"trin i værdikæden end ved start (motivation/opkvalificering → afklaring → praktik → småjob → "
                f"flere timer → job/uddannelse) eller med flere lønnede timer om ugen. En borger med flere "
                f"forløb tæller én gang.{target} {self._status_sentence(self.goal2_status)}\n\n"
                f"Pr. forløb: {self.f('goal2.courses_started')} forløb startede, og {self.f('goal2.courses_ended')} "
                f"sluttede; {self.f('goal2.progressed_share')} af dem havde progression "
                f"({self.f('goal2.progressed_step')} på trin og {self.f('goal2.progressed_hours')} på lønnede timer; "
                f"et forløb kan have begge). Frafaldet var {self.f('goal2.dropout_share')}"
                + (f"; {self.f('goal2.dropped_out_progressed')} af de frafaldne forløb havde dog progression, "
                   "før borgeren stoppede, og tæller med som progression" if not self._none("goal2.dropped_out_progressed")
                   else "") + ".\n\n"
                f"Andel af borgerne med progression år for år: "
                f"{self._trend_text('goal2.citizens_progressed_share', self.years)}."
            )
        d = pd.DataFrame({"year": self.years, "share": _masked_values(
            [self.ledger[f"goal2.citizens_progressed_share.{yy}"] for yy in self.years])})
        if d["share"].isna().all():  # nothing to draw
            b.md(f"Andelen med progression kan ikke vises for noget år fra {self.years[0]} til {y}: hvert år var "
                 f"der for få borgere med et afsluttet forløb, eller for få med eller uden progression, til at andelen kan vises "
                 "uden at afsløre, hvor mange det drejer sig om.")
        else:
            ax = plots.trend_bars(d, y="share", target=self._t["progressed_share"], target_label="Arbejdsmål",
                                  highlight=y, period=self.params.strategy_period, percent=True,
                                  ylabel="Andel af borgerne", title="Andel af borgerne med progression pr. år")
            b.figure(ax.figure, "Andel af borgerne med progression pr. år")
        ok = self.by_agreement.loc[[disclosure.share_hidden_reason(p, e, m) is None for p, e in
                                    zip(self.by_agreement["progressed"], self.by_agreement["ended"])]].copy()
        ok["label"] = ok["agreement_id"] + " · " + ok["enterprise"].astype(str)
        overall = self.ledger["goal2.progressed_share"]
        if len(ok):
            ax = plots.share_by_unit(
                ok, unit="label", share="progressed_share", n="ended",
                reference=None if overall.suppressed else overall.value,
                target=self._t["progressed_share"], xlabel="Andel af afsluttede forløb med progression",
                title=f"Progression pr. samarbejdsaftale, {y}\n(aftaler, hvis andel kan vises)",
            )
            b.figure(ax.figure, "Andel med progression pr. samarbejdsaftale")
        b.table(self.goal2_agreements)
        b.extend(self._projection_block("goal2", "Andel med progression"))
        b.md("**Hvor er borgerne efter forløbet?**")
        b.table(self.goal2_end_status)
        b.md(self._reconciliation_text())
        b.table(self.goal1_sources)
        b.table(self.goal2_agreements_period)
        b.table(self.goal2_transitions)
        b.extend(self._completeness_block("courses"))
        if self._none("goal2.youth_ended"):
            shown = [yy for yy in self.years if not self.ledger[f"goal2.youth_education_share.{yy}"].suppressed
                     and pd.notna(self.ledger[f"goal2.youth_education_share.{yy}"].value)]
            b.md(f"**Unge og uddannelse.** Ingen unge (uddannelseshjælp) afsluttede et forløb i {y}."
                 + (f" År for år: {self._trend_text('goal2.youth_education_share', shown)}." if shown else ""))
            return b
        b.md(
            f"**Unge og uddannelse.** Af {self.f('goal2.youth_ended')} unge (uddannelseshjælp) med et forløb "
            f"afsluttet i {y} kom {self.f('goal2.youth_education')} i uddannelse "
            f"({self.f('goal2.youth_education_share')}). År for år: "
            f"{self._trend_text('goal2.youth_education_share', self.years)}."
        )
        return b

    def _reconciliation_text(self) -> str:
        """One sentence that reconciles goal 1 with the status-after-course table."""
        y = self.year
        job = "goal2.end_status.job.n"
        shown = f"; {self.f(job)} af dem sluttede med status job" if job in self.ledger else ""
        return (
            f"Tabellen ovenfor tæller forløb, der sluttede i {y}, efter hvor borgeren var ved afslutningen{shown}. "
            f"Mål 1 tæller noget andet: de {self.f('goal1.jobs')} borgere, der kom i beskæftigelse i {y}, uanset "
            "hvornår deres forløb sluttede, og uanset om det sluttede med status job"
            + (" eller småjob (et småjob tæller som beskæftigelse)" if "småjob" in self._job_types else "")
            + ". Tabellen herunder viser, hvordan de to hænger sammen."
        )

    @_section
    def goal3(self) -> Block:
        from so_eval.plots import goals as plots

        y, b, p = self.year, Block(), self.params
        ty = p.targets["enterprises_year"]
        early = ""
        if self.goal3_first_reached is not None and self.goal3_first_reached < ty:
            early = (f" Målet blev nået første gang ved udgangen af {self.goal3_first_reached} — "
                     f"**før tid** (målåret er {ty}).")
        b.md(
            f"Ved udgangen af {y} var der **{self.f('goal3.enterprises_active')} aktive socialøkonomiske "
            f"virksomheder og initiativer**, heraf **{self.f('goal3.enterprises_three_bottom_lines')} med tre "
            f"bundlinjer**. Målet er {self.f('goal3.target')} med tre bundlinjer i {ty}. "
            f"{self._status_sentence(self.goal3_status)}{early}\n\n"
            f"I {y} startede {self.f('goal3.founded')} og lukkede {self.f('goal3.closed')}. "
            f"{self.f('goal3.rsv')} er registrerede socialøkonomiske virksomheder (RSV). "
            f"{self.f('goal3.first_generation')} hører til 1. generation (startet før 2022) og "
            f"{self.f('goal3.second_generation')} til 2. generation (startet fra 2022)."
        )
        d = self.enterprises_per_year.copy()
        d["other"] = d["active"] - d["three_bottom_lines"]
        ax = plots.stacked_bars(
            d, parts={"three_bottom_lines_first": "Tre bundlinjer, 1. generation",
                      "three_bottom_lines_second": "Tre bundlinjer, 2. generation",
                      "other": "Øvrige aktive"},
            total="active", target=float(p.targets["enterprises"]), target_x=ty, target_label="Mål",
            ylabel="Antal ved årets udgang", title="Socialøkonomiske virksomheder og initiativer",
        )
        b.figure(ax.figure, "Virksomheder og initiativer pr. år med målet")
        b.extend(self._projection_block("goal3", "Virksomheder og initiativer med tre bundlinjer"))
        b.table(self.goal3_years)
        b.table(self.goal3_kinds)
        if len(self.founded_names):
            b.md("**Startet i året:** " + ", ".join(f"{fmt.text(r.name)} ({fmt.text(g.category_label(r.kind).lower())})"
                                                     for r in self.founded_names.itertuples()) + ".")
        if len(self.closed_names):
            b.md("**Lukket i året:** " + ", ".join(f"{fmt.text(r.name)} ({fmt.date(r.closed)})"
                                                   for r in self.closed_names.itertuples()) + ".")
        return b

    @_section
    def value_creation(self) -> Block:
        y, b = self.year, Block()
        b.md(
            f"Ved udgangen af {y} var der {self.f('value.agreements_active')} gældende samarbejdsaftaler "
            f"med i alt {self.f('value.places')} pladser og en samlet årlig pris på "
            f"{self.f('value.agreements_price')} kr. I løbet af {y} var {self.f('value.citizens_served')} "
            f"borgere i forløb, og i strategiperioden {self.params.strategy_period[0]}–{y} er der i alt "
            f"kommet {self.f('value.jobs_period')} borgere i beskæftigelse (hver borger talt én gang). "
            f"{self.f('goal3.enterprises_active')} socialøkonomiske virksomheder og initiativer var aktive."
        )
        b.table(self.reach_table)
        if hasattr(self, "value_section"):
            b.extend(self.value_section.block())
        return b

    @_section
    def effect(self) -> Block:
        from so_eval.effects.analysis import METHOD_LABELS

        b, y = Block(), self.year
        if self.effect_result is None:
            return b.md(self.effect_problem or "Ingen effektmåling.")
        spec, L = self.effect_spec, self.ledger
        att = L["effects.att"]
        if att.suppressed:
            return b.md(f"Effekten for {y} vises ikke: den bygger på færre end {self.params.min_cell} deltagere, og så "
                        "små grupper offentliggøres ikke.")
        weeks = ""
        if not att.suppressed and spec.horizon in ("1-26", "27-52", "53-104"):
            lo, hi = (int(x) for x in spec.horizon.split("-"))
            per = att.value / 100 * (hi - lo + 1)
            weeks = (f" Det svarer til omkring {fmt.number(per, 1)} uge(r) mere som selvforsørgende pr. deltager "
                     f"i uge {lo}–{hi} efter start." if spec.outcome == "selfsupport" else "")
        sig = ""
        if not att.suppressed:
            lo_v, hi_v = L["effects.ci_low"].value, L["effects.ci_high"].value
            sig = (" Intervallet ligger over nul: deltagelsen gjorde en positiv forskel." if lo_v > 0 else
                   " Intervallet ligger under nul: deltagerne klarede sig dårligere end sammenlignelige borgere."
                   if hi_v < 0 else " Intervallet omfatter nul: data kan ikke afgøre, om der er en effekt.")
        link = Path(self.params.published_dir) / str(y) / "effect_measurement.html"
        more = ("Den fulde effektrapport med balance, overlap, analysen kvartal for kvartal og alle metoder "
                "side om side: [effect_measurement.html](effect_measurement.html)." if config_exists(link) else
                f"Den fulde effektrapport laves med `so-eval effects --year {y}`.")
        b.md(
            f"Deltagere, der startede deres første forløb fra {fmt.date(spec.entry_from)} til udgangen af {y}, er "
            f"sammenlignet med borgere i de samme målgrupper, der ikke deltog, med samme alder, køn, oprindelse og "
            f"antal uger på ydelse før start. Effekten på {spec.label.lower()} er estimeret til "
            f"**{att.display} procentpoint** (95 % konfidensinterval {self.f('effects.ci_low')} til "
            f"{self.f('effects.ci_high')}; {self.f('effects.n_treated')} deltagere, "
            f"{self.f('effects.n_control')} i sammenligningsgruppen; metode: {METHOD_LABELS[spec.method]})."
            f"{sig}{weeks}\n\n{more}"
        )
        return b

    # -- successes and what did not go as expected ------------------------------------------

    def findings(self) -> tuple[list[str], list[str]]:
        """Sentences for 'det der lykkedes' and 'det der ikke gik som forventet', derived from
        the goal results and simple flags on the agreements."""
        good, bad = [], []
        y = self.year
        s1 = self.goal1_status.status
        if s1 is GoalStatus.MET:
            when = f", allerede den {self.f('goal1.norm_reached_on')}" if self.norm_reached is not None else ""
            good.append(f"Normen for beskæftigelse blev nået: {self.f('goal1.jobs')} borgere kom i job "
                        f"(norm: {self.f('goal1.norm')}){when}.")
        elif s1 is GoalStatus.NOT_MET:
            bad.append(f"Normen for beskæftigelse blev ikke nået: {self.f('goal1.jobs')} borgere kom i job "
                       f"mod en norm på {self.f('goal1.norm')}.")
        prev = f"goal1.jobs.{y - 1}"
        if (prev in self.ledger and not self.ledger[prev].suppressed and not self.ledger["goal1.jobs"].suppressed
                and not self._provisional("jobs")):  # a foreløbig year is not compared with the year before
            diff = self.ledger["goal1.jobs"].value - self.ledger[prev].value
            if diff > 0:
                good.append(f"Flere borgere kom i job end året før ({self.f(prev)} i {y - 1}).")
            elif diff < 0:
                bad.append(f"Færre borgere kom i job end året før ({self.f(prev)} i {y - 1}).")
        s2 = self.goal2_status.status
        if s2 is GoalStatus.MET:
            good.append(f"{self.f('goal2.citizens_progressed_share')} af borgerne med et afsluttet forløb havde "
                        f"progression (arbejdsmål: {self.f('goal2.target')}).")
        elif s2 is GoalStatus.NOT_MET:
            bad.append(f"Kun {self.f('goal2.citizens_progressed_share')} af borgerne med et afsluttet forløb havde "
                       f"progression (arbejdsmål: {self.f('goal2.target')}).")
        s3 = self.goal3_status.status
        ty = self.params.targets["enterprises_year"]
        if s3 is GoalStatus.MET_EARLY:
            good.append(f"Målet om {self.f('goal3.target')} virksomheder og initiativer med tre bundlinjer er "
                        f"nået før tid: {self.f('goal3.enterprises_three_bottom_lines')} ved udgangen af {y} "
                        f"(målår {ty}).")
        elif s3 is GoalStatus.MET:
            early = (f" Det blev nået første gang i {self.goal3_first_reached}."
                     if self.goal3_first_reached is not None and self.goal3_first_reached < y else "")
            good.append(f"Målet om {self.f('goal3.target')} virksomheder og initiativer med tre bundlinjer er "
                        f"nået: {self.f('goal3.enterprises_three_bottom_lines')}.{early}")
        elif s3 is GoalStatus.NOT_MET:
            bad.append(f"Målet om {self.f('goal3.target')} virksomheder og initiativer med tre bundlinjer blev "
                       f"ikke nået: {self.f('goal3.enterprises_three_bottom_lines')} ved udgangen af {y}.")
        else:
            bad.append(f"Målet om {self.f('goal3.target')} virksomheder og initiativer med tre bundlinjer i {ty} "
                       f"er endnu ikke nået ({self.f('goal3.enterprises_three_bottom_lines')} ved udgangen af {y}).")
        if int(self.ledger["goal3.closed"].value):
            names = ", ".join(self.closed_names["name"])
            bad.append(f"{self.f('goal3.closed')} virksomhed(er)/initiativ(er) lukkede i {y}: {names}.")
        # the statistical flags (funnel plots, run charts, year-over-year tests)
        for f in getattr(self, "flagged", []):
            (good if f.kind == "uventet" and f.method != "control chart" else bad if f.kind == "skævt" else []).append(f.text)
        def shown(aid: str) -> bool:  # ranked only among the shares the report shows
            k = f"goal2.agreement.{fmt.slug(aid)}.progressed_share"
            return k in self.ledger and not self.ledger[k].suppressed

        best = self.by_agreement.loc[[shown(a) for a in self.by_agreement["agreement_id"]]].sort_values(
            ["progressed_share", "ended"], ascending=False).head(3)
        if len(best):
            names = "; ".join(
                f"{r.agreement_id} ({r.enterprise}): "
                f"{self.f(f'goal2.agreement.{fmt.slug(r.agreement_id)}.progressed_share')}"
                for r in best.itertuples())
            good.append(f"Aftalerne med størst andel progression i {y} var {names}.")
        return good, bad

    @_section
    def successes(self) -> Block:
        good, bad = self.findings()
        b = Block()
        b.md("### Det der lykkedes\n\n" + ("\n".join(f"- {fmt.text(s)}" for s in good) or "- Intet at fremhæve."))
        b.md("### Det der ikke gik som forventet\n\n" + ("\n".join(f"- {fmt.text(s)}" for s in bad) or "- Intet at fremhæve."))
        return b

    @_section
    def skewed(self) -> Block:
        """Det skæve, det uventede, læringer og korrektioner: the statistical flags, each with its
        figure and a sentence; the funnel plots and run charts behind them; the coordinator's
        learnings; and the corrections to last year's figures."""
        from so_eval.screening import findings as fnd
        from so_eval.plots.screening import funnel_plot, run_chart_plot

        b, y, m = Block(), self.year, self.params.min_cell
        flagged = getattr(self, "flagged", [])
        b.md("### Fundet i data\n\nArbejdsbænken gennemgår hvert år tallene for det, der skiller sig ud mere, end "
             "tilfældigheder forklarer: samarbejdsaftaler og virksomheder i tragtdiagrammer (andel i job, progression "
             "og frafald, to år ad gangen), månedlige serier med Anhøjs regler for seriediagrammer og kontrolgrænser, "
             "og ændringer fra sidste år.")
        if flagged:
            rows = [{"Type": g.category_label(f.kind), "Metode": _METHODS.get(f.method, f.method), "Fund": f.text}
                    for f in flagged]
            b.table(Table(pd.DataFrame(rows), caption=f"Det skæve og det uventede {y}"))
        else:
            b.md(f"Intet skilte sig ud i {y} ud over, hvad tilfældigheder forklarer.")
        units, period = self.funnel_units["agreement"], f"{y - 1}–{y}"
        if not (units["ended"] >= m).any():  # no agreement has a rate that may be shown: nothing to draw
            b.md(fnd.no_funnel_text(units, "jobs", period) if units.empty else
                 f"Der er ingen tragtdiagrammer for {period}, fordi ingen samarbejdsaftale havde mindst {m} "
                 "afsluttede forløb.")
        else:
            for metric, title in (("dropped_out", "Frafald pr. samarbejdsaftale"),
                                  ("jobs", "Andel i job pr. samarbejdsaftale")):
                res = self.funnels["agreement"].get(metric)
                if res is None:
                    b.md(fnd.no_funnel_text(units, metric, period))
                    continue
                ok = [disclosure.share_hidden_reason(e, n, m) is None for e, n in zip(res.table["events"], res.table["n"])]
                shown = dataclasses.replace(res, table=res.table.loc[ok].reset_index(drop=True))
                if shown.table.empty:
                    b.md(f"{title} kan ikke vises for {period}: ingen samarbejdsaftale har tal, der kan vises uden "
                         "at afsløre, hvor få borgere det drejer sig om.")
                    continue
                ax = funnel_plot(shown, xlabel=f"Afsluttede forløb {period}", ylabel="Andel", title=f"{title}, {period}")
                b.figure(ax.figure, f"Tragtdiagram: {title.lower()}")
            b.md(f"Tragtdiagrammerne viser kun aftaler med mindst {m} afsluttede forløb, hvor hverken antallet med "
                 f"hændelsen eller antallet uden er under {m} (ellers kunne det aflæses af punktet); grænserne er 95 % "
                 "(stiplet) og 99,8 % (fuldt optrukket). Ligger en aftale uden for 99,8 %-grænsen, er forskellen "
                 "næppe tilfældig.")
        for name, chk in self.series_checks.items():
            if not chk.run.signal or fnd.SERIES_TABLES[name] in getattr(self, "provisional_tables", ()):
                continue
            values = self.monthly[name]
            if ((values > 0) & (values < m)).any():
                b.md(f"Seriediagrammet for {_SERIES_LABEL[name]} vises ikke, fordi enkelte måneder har færre end {m} "
                     "borgere; fundet står i tabellen ovenfor.")
                continue
            ax = run_chart_plot(chk.run, xlabel="Måned", ylabel=f"Antal {_SERIES_LABEL[name]}",
                                title=f"{_SERIES_LABEL[name].capitalize()} pr. måned")
            b.figure(ax.figure, f"Seriediagram: {_SERIES_LABEL[name]}")
        b.md("### Læringer\n\nKoordinatorens registreringer for året:")
        lr = self.ds.learnings
        lr = lr.loc[lr["year"] == y].copy()
        if lr.empty:
            b.md(f"Koordinatoren har ikke registreret læringer for {y}.")
        else:
            order = {k: i for i, k in enumerate(g.LEARNING_KINDS)}
            lr = lr.sort_values(["kind", "area"], key=lambda s: s.map(order) if s.name == "kind" else s)
            rows = []
            for r in lr.itertuples():
                fig = self.ledger[r.figure_key].display if isinstance(r.figure_key, str) and r.figure_key in self.ledger else ""
                rows.append({"Type": g.category_label(r.kind), "Område": _AREAS.get(r.area, r.area), "Tekst": r.text,
                             "Tal": fig})
            b.table(Table(pd.DataFrame(rows), caption=f"Koordinatorens læringer {y}"))
        b.md("### Korrektioner")
        b.md(self._corrections_text())
        if self.corrections is not None and len(self.corrections):
            t = self.corrections.rename(columns={"label": "Tal", "published": f"Offentliggjort {y - 1}",
                                                 "now": "Nu", "reason": "Hvorfor"})
            t[f"Offentliggjort {y - 1}"] = [self._display_raw(k, v) for k, v in zip(t["key"], t[f"Offentliggjort {y - 1}"])]
            t["Nu"] = [self._display_raw(k, v) for k, v in zip(t["key"], t["Nu"])]
            b.table(Table(t[["Tal", f"Offentliggjort {y - 1}", "Nu", "Hvorfor"]], caption=f"Rettede tal for {y - 1}"))
        return b

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

    def _corrections_text(self) -> str:
        y = self.year
        if self.corrections is None:
            return f"Der er ingen tal for {y - 1} at sammenligne med."
        src = ("den offentliggjorte rapport" if self.corrections_source == "offentliggjort"
               else f"tallene, som de så ud den {fmt.date(self.corrections_date)}")
        if self.corrections.empty:
            return f"Tallene for {y - 1} er genberegnet med dagens data og stemmer med {src}."
        names = {"jobs": "job", "courses": "forløb", "progression": "trin i værdikæden",
                 "enterprises": "virksomheder", "agreements": "samarbejdsaftaler"}
        late = [f"{self.f(f'corrections.late.{t}')} {names[t]}" for t, n in self.late_rows.items() if n]
        late_text = (f"Efter {fmt.date(self.corrections_date)} er der registreret {', '.join(late)}, som fandt sted "
                     "før den dag (sene registreringer)." if late else "Der er ingen sene registreringer.")
        fixed = getattr(self, "corrected_rows", {})
        done = [(f"{self.f(f'corrections.{what}.{t}')} {names.get(t, g.table_label(t).lower())}", what)
                for t, c in fixed.items() for what in ("corrected", "withdrawn") if c[what]]
        fixed_text = ""
        if done:
            parts = [" og ".join(n for n, w in done if w == what) + (" rettet" if what == "corrected" else " trukket tilbage")
                     for what in ("corrected", "withdrawn") if any(w == what for _, w in done)]
            fixed_text = (f" Af de rækker, rapporten byggede på, er siden {' og '.join(parts)} "
                          "(rettede registreringer; de gamle versioner er gemt).")
        return (f"Tallene for {y - 1} er genberegnet med dagens data og sammenlignet med {src}. "
                f"{self.f('corrections.count')} tal er ændret. {late_text}{fixed_text}{_regrouped_text(self.corrections)}")

    @_section
    def method(self) -> Block:
        from so_eval.screening import project_to_target
        from so_eval.reporting.provenance import code_version, package_versions

        p, b = self.params, Block()
        rules = "\n".join(f"- **{_RULE_TITLES.get(fn.__name__, fn.__name__)}** (`{fn.__name__}`): {counting_rule(fn)}"
                          for fn in (*metrics.COUNTING_RULES, project_to_target))
        b.md("### Tælleregler\n\nReglerne er skrevet én gang i koden og trykt her fra den:\n\n" + rules)
        b.md(self._counting_choices_text())
        from so_eval.disclosure import secondary as sdc

        b.md("### Diskretionering\n\n" + sdc.rule_text(p.min_cell))
        if "disclosure.hidden.small" in self.ledger:
            b.md(sdc.hidden_text({k: self.ledger[f"disclosure.hidden.{k}"].value
                                  for k in ("small", "secondary", "withheld", "basis", "reveals", "protects")},
                                 p.min_cell))
        b.md("### Forbehold\n\n" + "\n".join(f"- {c}" for c in CAVEATS))
        ds = self.ds
        sizes = ", ".join(f"{g.table_label(k).lower()}: {self.f(f'data.rows.{k}')}" if f"data.rows.{k}" in self.ledger
                          else f"{g.table_label(k).lower()}: {fmt.number(len(v))}" for k, v in ds.tables.items())
        code = code_version()
        commit = f"commit `{code['git_commit'][:12]}`" + (" (med lokale ændringer)" if code.get("git_dirty") else "") \
            if "git_commit" in code else "ingen git-oplysning"
        b.md(
            "### Data og kode\n\n"
            f"- Datasæt: `{Path(p.data_dir).as_posix()}` ({sizes})\n"
            f"- Datafingeraftryk (SHA-256): `{ds.fingerprint}`\n"
            f"- Data som kendt: {fmt.date(p.as_of) if p.as_of else 'alle registreringer i datasættet'}"
            f"{self._after_as_of_text()}\n"
            f"- Kode: so-eval {code['package']}, {commit}\n"
        )
        params = pd.DataFrame([{"Parameter": k, "Værdi": str(v)} for k, v in p.as_dict().items() if k != "output_dir"])
        b.table(Table(params, caption="Parametre"))
        versions = pd.DataFrame([{"Pakke": k, "Version": v} for k, v in package_versions().items()])
        b.table(Table(versions, caption="Programversioner"))
        return b

    def _counting_choices_text(self) -> str:
        """The counting rules' parameters and why they were chosen, in plain Danish."""
        c = self.params.counting
        types = c["employment_job_types"]
        left_out = [t for t in g.JOB_TYPES if t not in types]
        types_text = ", ".join(g.category_label(t).lower() for t in types)
        out_text = (f" Ikke med: {', '.join(g.category_label(t).lower() for t in left_out)}." if left_out else "")
        return (
            "### Valg i tællereglerne\n\n"
            f"- **Jobtyper, der tæller som beskæftigelse (mål 1):** {types_text}.{out_text} Strategien gør op, "
            "hvor mange der »er kommet i beskæftigelse«, og undtager ingen jobtype; dens målgrupper omfatter "
            "borgere visiteret til fleksjob. Tabellen efter jobtype viser fordelingen, så man kan se tallet "
            "uden fx småjob.\n"
            "- **Borgere, ikke job:** som i Jobindsats tælles personer. En borger tælles én gang om året, og kun "
            "når borgeren ikke var i job dagen før jobstart; et nyt job, mens man allerede er i job, er et "
            "jobskifte og vises for sig. Mål 2 tælles pr. borger (overskriften) og pr. forløb inden for hver "
            "samarbejdsaftale (det, aftalen lærer af).\n"
            f"- **Job efter et forløb (mål 2):** et job tæller for forløbet, når det er registreret på forløbet "
            f"og starter under forløbet eller højst {c['job_window_days']} dage efter slutdatoen; det tælles i "
            "det år, forløbet sluttede.\n"
            f"- **Foreløbige tal:** er under {fmt.percent(c['completeness_threshold'])} af de ventede rækker for "
            "et år registreret på opgørelsesdagen, kaldes årets tal foreløbigt og sammenlignes ikke med "
            "tidligere år."
        )

    def _after_as_of_text(self) -> str:
        """Rows registered after ``as_of`` (not counted), per table; 1–4 shown as ``<5``."""
        later = getattr(self.ds, "after_as_of", {})
        if not later:
            return ""
        n = sum(v[0] for v in later.values())
        shown = [f"{g.table_label(t).lower()}: "
                 + (disclosure.masked(self.params.min_cell)
                    if disclosure.count_suppressed(v[0], self.params.min_cell) else fmt.number(v[0]))
                 for t, v in later.items()]
        total = (disclosure.masked(self.params.min_cell)
                 if disclosure.count_suppressed(n, self.params.min_cell) else fmt.number(n))
        return (f"; {total} {'række' if n == 1 else 'rækker'} registreret senere er ikke talt med "
                f"({', '.join(shown)})")

    # -- output -------------------------------------------------------------------------------

    def save(self) -> str:
        """Write ``figures.csv`` to ``params.output_dir`` (if set) and say what was written."""
        if not self.params.output_dir:
            return f"{len(self.ledger)} tal registreret (ingen output_dir: intet skrevet)."
        path = self.ledger.write_csv(Path(self.params.output_dir) / "figures.csv")
        from so_eval.reporting.provenance import write_data_record

        write_data_record(self.ds, self.params.output_dir)
        n_supp = sum(f.suppressed for f in self.ledger.figures.values())
        return f"{len(self.ledger)} tal skrevet til {path.name} ({n_supp} diskretioneret)."


GOAL_TABLES = {"goal1": "jobs", "goal2": "courses"}
"""Goal → the year table its figures are counted from (their completeness: figures.csv's ``complete``)."""

PARAMETER_FIGURES = frozenset({"goal1.norm", "goal2.target"})
"""Goal figures that are parameters, not data (no completeness)."""

CORRECTED_PREFIXES = ("goal1.", "goal2.", "goal3.", "value.")
"""Keys of the published figures whose later changes the corrections list."""


def changed_since_published(ds: Dataset, params: ReportParams, published: pd.DataFrame | None,
                            published_on: str, same_code: bool | None) -> pd.DataFrame:
    """The goal figures of the report ``params`` describes (the year before) that have changed
    since it was published, and why (:func:`so_eval.annual.corrections.corrections`): projections,
    the value section's own figures and repeats of the same change left out.
    """
    from so_eval.annual.corrections import corrections
    from so_eval.annual.sections.value import KEY_PREFIXES

    table = corrections(ds, functools.partial(_light_ledger, params), published=published,
                        published_on=published_on, same_code=same_code)
    table = table.loc[table["key"].str.startswith(CORRECTED_PREFIXES)
                      & ~table["key"].str.contains(".projection.", regex=False)
                      & ~table["key"].str.startswith(tuple(KEY_PREFIXES))]
    return table.drop_duplicates(["label", "published", "now"]).reset_index(drop=True)


def _light_ledger(params: ReportParams, ds: Dataset) -> Ledger:
    return AnnualReport(ds, params, light=True).ledger


def config_exists(path: Path) -> bool:
    from so_eval import config

    return config.resolve(path).exists()


_METHODS = {"funnel": "Tragtdiagram", "run chart": "Seriediagram (Anhøj)", "control chart": "Kontrolgrænser",
            "year over year": "Ændring fra sidste år"}
_SERIES_LABEL = {"job_entries": "jobstarter", "course_starts": "forløbsstarter", "dropouts": "frafald"}

_AREAS = {"goal1": "Mål 1: Beskæftigelse", "goal2": "Mål 2: Progression", "goal3": "Mål 3: Antal virksomheder",
          "value": "Værdiskabelse", "data": "Data"}
_RULE_TITLES = {
    "job_starts": "Overgang til beskæftigelse eller jobskifte",
    "employment_entries": "Kommet i beskæftigelse",
    "job_changes": "Jobskifte",
    "jobs_per_year": "Borgere i beskæftigelse pr. år og normen",
    "employment_sources": "Mål 1 og status efter forløb",
    "progression_per_year": "Progression pr. borger",
    "progression_by_agreement": "Forløb og progression pr. samarbejdsaftale",
    "step_transitions": "Trin ved start og slut",
    "end_status_by_agreement": "Status efter forløb",
    "youth_education": "Unge i uddannelse",
    "active_enterprises": "Aktive virksomheder og initiativer",
    "completeness": "Fuldstændighed og foreløbige tal",
    "enterprises_per_year": "Virksomheder år for år",
    "agreements_active": "Gældende samarbejdsaftaler",
    "citizens_served": "Borgere i forløb",
    "goal_status": "Målstatus",
    "project_to_target": "Fremskrivning mod målene",
    "outcome_table": "Effektmåling: deltagere, sammenligningsgruppe og udfald",
}
