"""The annual report (årsrapport): every figure, table, plot and sentence of it.

The notebook ``notebooks/annual_report.ipynb`` is thin: it builds an :class:`AnnualReport` from
its parameters and shows one section per cell. Every number shown is recorded once in the
report's :class:`~so_eval.reporting.ledger.Ledger` and read back from it, so the text, the tables
and ``figures.csv`` cannot disagree, and small counts are suppressed in one place.

- :mod:`~so_eval.annual.report` -- :class:`AnnualReport`, a list of sections
  (:data:`~so_eval.annual.report.SECTION_CLASSES`, in the order they record their figures), with
  one method per section the notebook shows (:data:`SECTION_METHODS`), and :func:`check_as_of`;
- :mod:`~so_eval.annual.sections` -- one module per section, each a small class with
  ``record(ledger)`` and ``block()``: ``title`` (title, contents), ``intro``, ``goal1``,
  ``goal2``, ``goal3``, ``reach``, ``goal_completeness``, ``projections``, ``effect``,
  ``value_creation`` (around ``value/``, the Værdiskabelse subsections), ``successes``,
  ``skewed``, ``corrections``, ``method``; ``base`` holds the ``ReportContext`` they share and
  the ``Section`` base class, ``completeness`` the completeness helpers;
- :mod:`~so_eval.annual.corrections` -- last year's figures recomputed with today's data and
  compared: what changed, and why.
"""

from so_eval.annual.report import (
    NEEDED_TABLES,
    SECTION_CLASSES,
    SECTION_METHODS,
    AnnualReport,
    AsOfError,
    check_as_of,
)
from so_eval.annual.sections.base import GOAL_TABLES, OTHER, ReportContext, Section
from so_eval.annual.sections.corrections import CORRECTED_PREFIXES, changed_since_published
from so_eval.annual.sections.effect import config_exists
from so_eval.annual.sections.goal_completeness import PARAMETER_FIGURES
from so_eval.annual.sections.intro import PURPOSE
from so_eval.annual.sections.method import CAVEATS, PERSON_TABLES, counting_rule
from so_eval.annual.sections.title import SECTIONS, STRATEGY_NAME, heading_id

__all__ = [
    "CAVEATS",
    "CORRECTED_PREFIXES",
    "GOAL_TABLES",
    "NEEDED_TABLES",
    "OTHER",
    "PARAMETER_FIGURES",
    "PERSON_TABLES",
    "PURPOSE",
    "SECTIONS",
    "SECTION_CLASSES",
    "SECTION_METHODS",
    "STRATEGY_NAME",
    "AnnualReport",
    "AsOfError",
    "ReportContext",
    "Section",
    "changed_since_published",
    "check_as_of",
    "config_exists",
    "counting_rule",
    "heading_id",
]
