"""Effect measurement: did taking part in a course help, and for whom.

- :mod:`~so_eval.effects.att` -- cross-sectional ATT (difference, regression adjustment, IPW,
  doubly robust AIPW, propensity-score matching): :func:`estimate_att`, returning
  :class:`AttResult`;
- :mod:`~so_eval.effects.did` -- staggered-entry group-time ATT(g,t) of Callaway & Sant'Anna
  (2021) with ``aggte``-style aggregations: :func:`group_time_att` (and
  :func:`~so_eval.effects.did.group_time_att_wide` for a units × periods matrix), returning
  :class:`DidResult`;
- :mod:`~so_eval.effects.outcomes` -- the outcome table (one row per citizen, the windows after
  entry) and the event study's quarterly panel, from a dataset's weekly status panel;
- :mod:`~so_eval.effects.streaming` -- the same tables at national scale, streamed from Parquet;
- :mod:`~so_eval.effects.analysis` -- an effect specification (:class:`~so_eval.effects.analysis.EffectSpec`)
  and the estimates the reports show;
- :mod:`~so_eval.effects.report` -- the effect report's content and the annual report's effect section;
- :mod:`~so_eval.effects.explore` -- the analysts' explorer (``notebooks/explore_effects.ipynb``).

The estimators and their result classes are re-exported here.
"""

from so_eval.effects.att import AttResult, estimate_att
from so_eval.effects.did import DidAggregation, DidResult, group_time_att

__all__ = ["AttResult", "DidAggregation", "DidResult", "estimate_att", "group_time_att"]
