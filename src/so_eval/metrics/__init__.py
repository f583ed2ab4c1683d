"""Metrics: pure functions of a :class:`~so_eval.data.dataset.Dataset` and parameters.

They return tidy DataFrames; they never plot, print, read files or read global state. Each
function's docstring states its counting rule in words; the report's method appendix prints them.
"""

from so_eval.metrics.completeness import completeness
from so_eval.metrics.employment import (
    employment_entries,
    employment_sources,
    job_changes,
    job_starts,
    jobs_by,
    jobs_per_year,
    norm_reached_on,
)
from so_eval.metrics.enterprises import (
    active_enterprises,
    enterprises_by_kind,
    enterprises_per_year,
)
from so_eval.metrics.goals import GoalStatus, goal_status
from so_eval.metrics.progression import (
    end_status_by_agreement,
    progression_by_agreement,
    progression_per_year,
    step_transitions,
    youth_education,
)
from so_eval.metrics.reach import agreements_active, citizens_served, reach_per_year

COUNTING_RULES = (
    job_starts,
    employment_entries,
    job_changes,
    jobs_per_year,
    employment_sources,
    progression_per_year,
    progression_by_agreement,
    step_transitions,
    end_status_by_agreement,
    youth_education,
    active_enterprises,
    enterprises_per_year,
    agreements_active,
    citizens_served,
    goal_status,
    completeness,
)
"""The metrics whose docstrings state the report's counting rules (the annual report's method section
prints them, with the effect outcomes' and the projection's)."""

__all__ = [
    "COUNTING_RULES",
    "GoalStatus",
    "active_enterprises",
    "agreements_active",
    "citizens_served",
    "completeness",
    "reach_per_year",
    "employment_entries",
    "employment_sources",
    "job_changes",
    "job_starts",
    "end_status_by_agreement",
    "enterprises_by_kind",
    "enterprises_per_year",
    "goal_status",
    "jobs_by",
    "jobs_per_year",
    "norm_reached_on",
    "progression_by_agreement",
    "progression_per_year",
    "step_transitions",
    "youth_education",
]
