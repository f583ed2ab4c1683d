"""Statistical disclosure control: no published figure reveals a count of 1 to ``min_cell - 1``
citizens, directly or worked back.

- :mod:`~so_eval.disclosure.primary` -- the rule for one figure (small counts, shares, complements);
  its functions are re-exported here, so ``from so_eval import disclosure`` reads as the rule;
- :mod:`~so_eval.disclosure.secondary` -- tables protected against their totals (the report's tables
  of counts and shares, statistics on few persons, the rules in Danish);
- :mod:`~so_eval.disclosure.two_way` -- one two-way table's primary and secondary suppression;
- :mod:`~so_eval.disclosure.intervals` -- the attacker's side: what a hidden cell can be, given what is shown;
- :mod:`~so_eval.disclosure.guard` -- the check before publishing: no CPR number, pseudonym or row.
"""

from so_eval.disclosure.primary import (
    PERSON_UNITS,
    RULE_TEXT,
    basis_too_small,
    complement_small,
    count_suppressed,
    masked,
    pool_small,
    rule_text,
    share_hidden_reason,
)
from so_eval.params import DEFAULT_MIN_CELL  # the one default, in the one parameter model

__all__ = [
    "DEFAULT_MIN_CELL",
    "PERSON_UNITS",
    "RULE_TEXT",
    "basis_too_small",
    "complement_small",
    "count_suppressed",
    "masked",
    "pool_small",
    "rule_text",
    "share_hidden_reason",
]
