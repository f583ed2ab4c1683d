"""Treatment-effect estimators.

- :func:`estimate_att` -- cross-sectional ATT (difference, regression adjustment,
  IPW, doubly robust AIPW, propensity-score matching), returning :class:`AttResult`.
- :func:`group_time_att` -- staggered-entry group-time ATT(g,t) of Callaway &
  Sant'Anna (2021) with ``aggte``-style aggregations, returning :class:`DidResult`.
"""

from .att import AttResult, estimate_att
from .did import DidAggregation, DidResult, group_time_att

__all__ = ["AttResult", "DidAggregation", "DidResult", "estimate_att", "group_time_att"]
