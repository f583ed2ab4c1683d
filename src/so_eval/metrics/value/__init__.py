"""Value creation: mosaic economy, three bottom lines, fundraising, pilots, survival, UN goals.

Pure functions of a dataset (anything with the tables as attributes: ``ds.finances``,
``ds.fundraising``, ``ds.pilots``, ``ds.partnerships``, ``ds.circular`` from
:mod:`so_eval.data.model_value`, and ``ds.enterprises``, ``ds.agreements``, ``ds.courses``, ``ds.jobs``)
and parameters. They return tidy DataFrames; they never plot, print, read files or read global
state. Every docstring states its counting rule in English and, starting with "Tælleregel:", in
Danish for the report's method appendix.

- :mod:`~so_eval.metrics.value.mosaic` -- the mosaic economy: revenue mix, concentration, dependency;
- :mod:`~so_eval.metrics.value.bottom_lines` -- the three bottom lines per enterprise;
- :mod:`~so_eval.metrics.value.fundraising` -- applications, gifts, the fundraiser's fees, donor retention;
- :mod:`~so_eval.metrics.value.pilots` -- pilots and prøvehandlinger: pipeline, outcomes, co-creation;
- :mod:`~so_eval.metrics.value.survival` -- Kaplan–Meier survival of enterprises and pilots;
- :mod:`~so_eval.metrics.value.sdg` -- the UN goals and the circular economy;
- :mod:`~so_eval.metrics.value.common` -- what they share (tables, years, ratios).

Use them as ``from so_eval.metrics import value as mv; mv.revenue_mix(ds, 2025)``.
"""

from so_eval.metrics.value.bottom_lines import three_bottom_lines
from so_eval.metrics.value.fundraising import (
    donor_retention,
    fundraiser_fees,
    fundraising_by,
    fundraising_per_year,
)
from so_eval.metrics.value.mosaic import (
    DEPENDENCY_SHARE,
    SECTOR_COLUMNS,
    dependent_enterprises,
    mosaic_per_year,
    revenue_by_sector,
    revenue_mix,
)
from so_eval.metrics.value.pilots import pilot_cocreation, pilot_pipeline, pilot_summary
from so_eval.metrics.value.sdg import circular_output, sdg_mapping
from so_eval.metrics.value.survival import enterprise_survival, pilot_survival

__all__ = [
    "DEPENDENCY_SHARE",
    "SECTOR_COLUMNS",
    "circular_output",
    "dependent_enterprises",
    "donor_retention",
    "enterprise_survival",
    "fundraiser_fees",
    "fundraising_by",
    "fundraising_per_year",
    "mosaic_per_year",
    "pilot_cocreation",
    "pilot_pipeline",
    "pilot_summary",
    "pilot_survival",
    "revenue_by_sector",
    "revenue_mix",
    "sdg_mapping",
    "three_bottom_lines",
]
