""":class:`AnnualReport`: the annual report for one year, a list of sections.

Each section (:mod:`so_eval.annual.sections`) records its figures in the report's ledger when
the report is made, in the order of :data:`SECTION_CLASSES`, and shows its block when the
notebook calls the report's method of the same name (``report.goal1()``).
"""

from __future__ import annotations

from pathlib import Path

from so_eval import glossary as g
from so_eval.annual.sections.base import ReportContext, Section
from so_eval.annual.sections.corrections import CorrectionsSection
from so_eval.annual.sections.effect import EffectSection
from so_eval.annual.sections.goal1 import Goal1Section
from so_eval.annual.sections.goal2 import Goal2Section
from so_eval.annual.sections.goal3 import Goal3Section
from so_eval.annual.sections.goal_completeness import GoalCompletenessSection
from so_eval.annual.sections.intro import IntroSection
from so_eval.annual.sections.method import MethodSection, after_as_of_text
from so_eval.annual.sections.projections import ProjectionsSection
from so_eval.annual.sections.reach import ReachSection
from so_eval.annual.sections.skewed import SkewedSection
from so_eval.annual.sections.successes import SuccessesSection
from so_eval.annual.sections.title import ContentsSection, TitleSection
from so_eval.annual.sections.value_creation import ValueCreationSection
from so_eval.data.dataset import Dataset
from so_eval.data.loading import load
from so_eval.params import ReportParams
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.provenance import write_data_record

SECTION_CLASSES: list[type[Section]] = [
    TitleSection,
    ContentsSection,
    IntroSection,
    Goal1Section,
    Goal2Section,
    Goal3Section,
    ReachSection,  # a light build (last year's figures, for the corrections) records up to here
    GoalCompletenessSection,
    ProjectionsSection,
    EffectSection,
    ValueCreationSection,
    SuccessesSection,
    SkewedSection,
    CorrectionsSection,
    MethodSection,  # last: it counts the hidden figures
]
"""The report's sections in the order they record their figures (the order of figures.csv).
Adding a section is adding a module to :mod:`so_eval.annual.sections` and its class here; one
the notebook shows also gets its method below, its name in :data:`SECTION_METHODS` and a cell."""

SECTION_METHODS = ("title", "contents", "intro", "goal1", "goal2", "goal3", "value_creation", "effect",
                   "successes", "skewed", "method")  # fmt: skip
"""The :class:`AnnualReport` methods that show the report's sections, in the notebook's order."""

NEEDED_TABLES = ("enterprises", "agreements", "citizens", "courses")
"""Tables the annual report cannot be made without (jobs, progression and the rest may be empty)."""


class AsOfError(ValueError):
    """The report's ``as_of`` date leaves a table the report needs without rows."""


def check_as_of(ds: Dataset, params: ReportParams) -> None:
    """Raise :class:`AsOfError` if cutting the data to ``params.as_of`` left a needed table
    empty, saying which table, as of which date, and how to change ``as_of``."""
    empty = [t for t in NEEDED_TABLES if t in ds.tables and len(ds[t]) == 0 and t in ds.after_as_of]
    if not empty:
        return
    cut = ds.as_of.date().isoformat()
    last = max((v[2] for v in ds.after_as_of.values() if v[2]), default=cut)
    parts = [
        f"{g.table_label(t).lower()} ({t}.csv): all {ds.after_as_of[t][0]} rows were "
        f"registered after that day, the first on {ds.after_as_of[t][1]}"
        for t in empty
    ]
    raise AsOfError(
        f"as of {cut} (as_of in the report's parameters) the data have no "
        + "; no ".join(parts)
        + f". Set as_of in params/{params.year}.yaml to {last} or later (null counts every "
        f"registration), or run `so-eval report --year {params.year} --as-of {last}`"
    )


class _FromSection:
    """A section's result read through the report: ``report.goal1_status`` is the goal-1
    section's ``status``."""

    def __init__(self, section: str, attribute: str):
        self.section, self.attribute = section, attribute

    def __get__(self, report: AnnualReport | None, owner=None):
        if report is None:
            return self
        return getattr(report.context.section(self.section), self.attribute)


class AnnualReport:
    """All content of the annual report for one year.

    Parameters
    ----------
    ds
        The dataset (already cut to ``params.as_of`` if one is given).
    params
        The report's parameters.
    light
        Record the goals' figures only (an earlier year's report, recomputed for the corrections).

    Examples
    --------
    >>> report = AnnualReport.from_params(year=2025)   # doctest: +SKIP
    >>> report.ledger["goal1.jobs"].display            # doctest: +SKIP
    '44'
    """

    def __init__(self, ds: Dataset, params: ReportParams, *, light: bool = False):
        self.ds, self.params, self.year, self.light = ds, params, params.year, light
        if not light:  # (a light build recomputes an earlier report: its own data, its own cut)
            check_as_of(ds, params)
        self.ledger = Ledger(min_cell=params.min_cell)
        self.context = ReportContext(ds, params, self.ledger, light=light, light_build=light_ledger)
        for cls in SECTION_CLASSES:
            self.context.sections[cls.name] = cls(self.context)
        for section in self.context.sections.values():
            if section.light or not light:
                section.record(self.ledger)
        self._built: dict[str, Block] = {}

    @classmethod
    def from_params(cls, **kwargs) -> AnnualReport:
        """Build the report from notebook parameters (the names in ``params/*.yaml``): the
        notebook's entry. It reads the data (as of ``as_of``) and builds every section at once,
        so that the notebook's cells show finished sections."""
        params = ReportParams(**kwargs)
        report = cls(load(params.data_path, as_of=params.as_of), params)
        report.build_sections()
        return report

    def block(self, name: str) -> Block:
        """The block of the section ``name``, built once: its text, tables and figures rest only
        on the figures recorded when the report was made."""
        if name not in self._built:
            self._built[name] = self.context.section(name).block()
        return self._built[name]

    def build_sections(self) -> None:
        """Build every section the notebook shows now, in its order."""
        for name in SECTION_METHODS:
            self.block(name)

    # -- the notebook's sections --------------------------------------------------------------

    def title(self) -> Block:
        return self.block("title")

    def contents(self) -> Block:
        return self.block("contents")

    def intro(self) -> Block:
        return self.block("intro")

    def goal1(self) -> Block:
        return self.block("goal1")

    def goal2(self) -> Block:
        return self.block("goal2")

    def goal3(self) -> Block:
        return self.block("goal3")

    def value_creation(self) -> Block:
        return self.block("value_creation")

    def effect(self) -> Block:
        return self.block("effect")

    def successes(self) -> Block:
        return self.block("successes")

    def skewed(self) -> Block:
        return self.block("skewed")

    def method(self) -> Block:
        return self.block("method")

    # -- results of the sections --------------------------------------------------------------

    goal1_status = _FromSection("goal1", "status")
    goal1_tables = _FromSection("goal1", "tables")
    goal1_sources = _FromSection("goal1", "sources")
    goal2_status = _FromSection("goal2", "status")
    goal3_status = _FromSection("goal3", "status")
    projections = _FromSection("projections", "results")
    effect_spec = _FromSection("effect", "spec")
    effect_result = _FromSection("effect", "result")
    effect_problem = _FromSection("effect", "problem")
    value_section = _FromSection("value_creation", "value")
    funnels = _FromSection("skewed", "funnels")
    yoy = _FromSection("skewed", "yoy")
    corrections = _FromSection("corrections", "corrections")

    @property
    def provisional_tables(self) -> frozenset[str]:
        """The goals' year tables whose figures for the year are *foreløbige*."""
        return self.context.provisional_tables

    def overview(self) -> Table:
        """The three goals at a glance (in the introduction)."""
        return self.context.section("intro").overview()

    def findings(self) -> tuple[list[str], list[str]]:
        """What went well and what did not go as expected (:class:`SuccessesSection`)."""
        return self.context.section("successes").findings()

    def f(self, key: str) -> str:
        """A figure's display text."""
        return self.ledger[key].display

    def _after_as_of_text(self) -> str:
        return after_as_of_text(self.ds, self.params.min_cell)

    # the corrections' text of any object with the corrections section's attributes
    _corrections_text = staticmethod(CorrectionsSection.text)

    # -- output -------------------------------------------------------------------------------

    def save(self) -> str:
        """Write ``figures.csv`` to ``params.output_dir`` (if set) and say what was written."""
        if not self.params.output_dir:
            return f"{len(self.ledger)} tal registreret (ingen output_dir: intet skrevet)."
        path = self.ledger.write_csv(Path(self.params.output_dir) / "figures.csv")
        write_data_record(self.ds, self.params.output_dir)
        n_supp = sum(f.suppressed for f in self.ledger.figures.values())
        return f"{len(self.ledger)} tal skrevet til {path.name} ({n_supp} diskretioneret)."


def light_ledger(params: ReportParams, ds: Dataset) -> Ledger:
    """The goals' figures of the report ``params`` describe, on ``ds`` (a light build)."""
    return AnnualReport(ds, params, light=True).ledger
