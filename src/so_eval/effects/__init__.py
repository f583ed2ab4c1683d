"""Treatment-effect estimators.

- :func:`estimate_att` -- cross-sectional ATT (difference, regression adjustment,
  IPW, doubly robust AIPW, propensity-score matching), returning :class:`AttResult`.
- :func:`group_time_att` -- staggered-entry group-time ATT(g,t) of Callaway &
  Sant'Anna (2021) with ``aggte``-style aggregations, returning :class:`DidResult`.
"""

from __future__ import annotations

from so_eval import lazy_getattr

_LAZY = {
    "AttResult": "so_eval.effects.att",
    "estimate_att": "so_eval.effects.att",
    "DidAggregation": "so_eval.effects.did",
    "DidResult": "so_eval.effects.did",
    "group_time_att": "so_eval.effects.did",
}
"""Imported on first use: a submodule such as :mod:`so_eval.effects.outcomes` is needed (by
the metrics' counting rules, say) without the estimators and scipy."""

__all__ = ["AttResult", "DidAggregation", "DidResult", "estimate_att", "group_time_att"]

__getattr__ = lazy_getattr("so_eval.effects", _LAZY, globals())
