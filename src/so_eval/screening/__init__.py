"""Statistical screening for unusual results: funnel plots, run charts, control charts,
year-over-year tests and projections towards targets.

All functions are pure: they take tidy :class:`pandas.DataFrame` objects and return
result objects or data frames. They do no file I/O, print nothing and keep no global
state. Plotting lives in :mod:`so_eval.plots.screening`.

Submodules
----------
:mod:`~so_eval.screening.funnel`
    ``funnel_limits``: funnel plot for proportions (Spiegelhalter 2005) with exact binomial
    limits and optional additive random-effects adjustment for over-dispersion.
:mod:`~so_eval.screening.run_charts`
    ``run_chart`` / ``anhoej_limits``: run chart with the Anhøj rules (Anhøj & Olesen 2014;
    as in the R package qicharts2).
:mod:`~so_eval.screening.control_chart`
    ``control_limits``: Shewhart control charts (c-, p- and I-chart) with the 3-sigma rule
    and the "8 in a row" shift rule.
:mod:`~so_eval.screening.yoy`
    ``yoy_change``: year-over-year change larger than chance, Holm-corrected across keys per
    year.
:mod:`~so_eval.screening.projection`
    ``project_to_target``: a count (Poisson GLM) or a share (binomial GLM, weighted by its
    denominators) projected to a target year, with predictive intervals inside the range,
    and the sentences that say why a projection is not shown.
:mod:`~so_eval.screening.trend`
    The GLM trend and its predictive distribution behind a projection.
:mod:`~so_eval.screening.common`
    What the modules share: input checks, level tags, flags, runs, baselines, ``holm``.
:mod:`~so_eval.screening.findings`
    The annual report's skewed and unexpected results, found with the tools above
    (imported on its own: ``from so_eval.screening import findings``).
"""

from __future__ import annotations

from so_eval.screening.common import holm
from so_eval.screening.control_chart import ControlChartResult, control_limits
from so_eval.screening.funnel import FunnelResult, funnel_limits
from so_eval.screening.projection import (
    NO_PROJECTION_AT_BOUND,
    NO_PROJECTION_FEW_YEARS,
    ProjectionResult,
    project_to_target,
)
from so_eval.screening.run_charts import RunChartResult, anhoej_limits, run_chart
from so_eval.screening.yoy import yoy_change

__all__ = [
    "NO_PROJECTION_AT_BOUND",
    "NO_PROJECTION_FEW_YEARS",
    "ControlChartResult",
    "FunnelResult",
    "ProjectionResult",
    "RunChartResult",
    "anhoej_limits",
    "control_limits",
    "funnel_limits",
    "holm",
    "project_to_target",
    "run_chart",
    "yoy_change",
]
