"""Social return on investment: a public-budget business case, an SROI ratio, and their sensitivity.

Three tools for the strategy's "return on investment of social investments" (section 3.4):

:func:`business_case`
    A public-budget business case in the manner of the Danish SØM model (Den Socialøkonomiske
    Investeringsmodel): the effect on weeks of self-support per participant (from the effect
    estimate: ATT in share of weeks × 52), times the participants, times the public cost of a week
    on the benefit they would otherwise receive — split into municipality and state — minus the
    cost of the cooperation agreements, year by year over a horizon of up to 10 years with
    drop-off, discounted at 3.5 % a year (Finansministeriet's social discount rate for the first
    35 years), in fixed prices of one price year.
:func:`sroi`
    The SROI ratio: present value of the outcomes ÷ the investment, with deadweight, attribution,
    displacement and drop-off as explicit parameters.
:func:`one_way_sensitivity`, :func:`break_even`, :func:`business_case_sensitivity`, :func:`business_case_at_ci`
    One-way sensitivity on each assumption (a table for a tornado plot), the break-even value of
    each assumption (the value making the net present value 0), and the result at the ends of the
    effect's confidence interval.

Conventions
-----------
* Years run t = 1, …, horizon; year 1 is the year of the investment. Flows in year t are
  discounted by ``(1 + r) ** -(t - 1)``: year 1 is not discounted.
* The effect in year t is the year-1 effect × ``(1 - drop_off) ** (t - 1)``.
* A scalar cost (investment) falls in year 1; a sequence gives the cost year by year from year 1.
* Everything is in fixed prices of the unit prices' common price year (no inflation). The unit
  prices must all have the same price year; convert them first if they do not.

Unit prices are parameters, never code
--------------------------------------
The public cost of a week on each benefit comes from a params block (e.g. under ``sroi:`` in
``params/<year>.yaml``); each price must state its source, price year and a note, which
:func:`validate_prices` enforces. The block below shows the *format* only — the numbers are
placeholders, not real prices::

    sroi:
      horizon: 5                    # years, at most 10
      drop_off: 0.25                # share of the effect lost each year after year 1
      discount_rate: 0.035          # Finansministeriet: 3.5 % a year (years 0-35)
      participants: 120             # participants in the cohort
      cost: 0                       # DKK: the part of the agreements' cost that does not follow the participants
      cost_per_participant: 12500   # DKK per participant: the part that does (fixed prices)
      benefit_mix:                  # which benefit the participants would otherwise receive
        kontanthjælp: 0.6
        ressourceforløb: 0.4
      unit_prices:                  # public cost of one week on the benefit, DKK per week
        kontanthjælp:
          municipality: 1000        # PLACEHOLDER – replace with a sourced figure
          state: 500                # PLACEHOLDER
          source: "e.g. SØM vidensdatabase, price table <name>, <date>"
          price_year: 2024
          note: "net of state reimbursement (refusion); benefit only, no case handling"
        ressourceforløb:
          municipality: 1200        # PLACEHOLDER
          state: 600                # PLACEHOLDER
          source: "…"
          price_year: 2024
          note: "…"

When the effect comes from an effect estimate against a comparison group (the ATT), what would
have happened anyway is already netted out: the deadweight is then 0 by construction, and
:func:`sroi` enforces this (``deadweight="from_comparison_group"``).

Submodules
----------
* :mod:`~so_eval.metrics.sroi.conventions` -- the discount rate, horizon and weeks a year, the
  assumptions' labels, discounting and year-by-year amounts;
* :mod:`~so_eval.metrics.sroi.prices` -- the unit prices: their checks and the saving of a week;
* :mod:`~so_eval.metrics.sroi.business_case` -- the public-budget business case;
* :mod:`~so_eval.metrics.sroi.ratio` -- the SROI ratio;
* :mod:`~so_eval.metrics.sroi.sensitivity` -- one-way sensitivity, break-even values, the effect's
  confidence interval.

Their public names are re-exported here: ``from so_eval.metrics import sroi as sr; sr.business_case(...)``.
"""

from so_eval.metrics.sroi.business_case import (
    BusinessCase,
    BusinessCaseInputs,
    business_case,
    effect_weeks_from_att,
)
from so_eval.metrics.sroi.conventions import (
    ASSUMPTION_LABELS,
    DISCOUNT_RATE,
    MAX_HORIZON,
    WEEKS_PER_YEAR,
    discount_factors,
)
from so_eval.metrics.sroi.prices import PRICE_FIELDS, unit_saving, validate_prices
from so_eval.metrics.sroi.ratio import DEADWEIGHT_NOTE, SroiResult, sroi
from so_eval.metrics.sroi.sensitivity import (
    break_even,
    business_case_at_ci,
    business_case_sensitivity,
    one_way_sensitivity,
    sroi_sensitivity,
)

__all__ = [
    "ASSUMPTION_LABELS",
    "DEADWEIGHT_NOTE",
    "DISCOUNT_RATE",
    "MAX_HORIZON",
    "PRICE_FIELDS",
    "WEEKS_PER_YEAR",
    "BusinessCase",
    "BusinessCaseInputs",
    "SroiResult",
    "break_even",
    "business_case",
    "business_case_at_ci",
    "business_case_sensitivity",
    "discount_factors",
    "effect_weeks_from_att",
    "one_way_sensitivity",
    "sroi",
    "sroi_sensitivity",
    "unit_saving",
    "validate_prices",
]
