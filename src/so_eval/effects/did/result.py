"""What a group-time DiD estimate gives: :class:`DidResult` (the ATT(g,t) table, with
:meth:`DidResult.aggregate`) and :class:`DidAggregation` (one ``aggte``-style aggregation)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from so_eval.effects.did.aggregation import KINDS, Cells, aggregate_cells
from so_eval.effects.did.bootstrap import boot_se
from so_eval.effects.did.influence import analytic_se, ci_table, dense

__all__ = ["DidAggregation", "DidResult", "fmt_num"]


@dataclass(frozen=True, eq=False)
class DidAggregation:
    """An ``aggte``-style aggregation of group-time effects.

    Attributes
    ----------
    kind : {"simple", "group", "dynamic", "calendar"}
    overall_att, overall_se, overall_ci_low, overall_ci_high, overall_pvalue : float
        The overall summary parameter (for ``"dynamic"``: the average of the
        event-time effects with e >= 0 in the selected range; for ``"group"``:
        group-size weighted average of the group effects; for
        ``"calendar"``: average of the calendar-time effects).
    table : pandas.DataFrame
        Effects by group / event time / calendar time (empty for
        ``"simple"``): key column (``group``, ``event_time`` or ``time``),
        ``att``, ``se``, ``ci_low``, ``ci_high``, ``pvalue`` (+ ``cband_low``,
        ``cband_high`` with the bootstrap).
    """

    kind: str
    outcome: str
    overall_att: float
    overall_se: float
    overall_ci_low: float
    overall_ci_high: float
    overall_pvalue: float
    table: pd.DataFrame = field(repr=False)
    alpha: float = 0.05
    se_method: str = "analytic influence function, clustered on unit"
    crit_val: float | None = None
    min_e: float = -np.inf
    max_e: float = np.inf
    balance_e: int | None = None
    influence_function: np.ndarray | None = field(default=None, repr=False)
    table_influence_functions: np.ndarray | None = field(default=None, repr=False)

    @property
    def att(self) -> float:
        return self.overall_att

    @property
    def se(self) -> float:
        return self.overall_se

    def tidy(self) -> pd.DataFrame:
        """Long DataFrame: one ``overall`` row then one row per table entry.

        Columns: kind, term, att, se, ci_low, ci_high, pvalue.
        """
        rows = [
            {
                "kind": self.kind,
                "term": "overall",
                "att": self.overall_att,
                "se": self.overall_se,
                "ci_low": self.overall_ci_low,
                "ci_high": self.overall_ci_high,
                "pvalue": self.overall_pvalue,
            }
        ]
        if len(self.table):
            key = self.table.columns[0]
            for _, r in self.table.iterrows():
                rows.append(
                    {
                        "kind": self.kind,
                        "term": f"{key}={fmt_num(r[key])}",
                        "att": r["att"],
                        "se": r["se"],
                        "ci_low": r["ci_low"],
                        "ci_high": r["ci_high"],
                        "pvalue": r["pvalue"],
                    }
                )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        label = {
            "simple": "simple weighted average of post-treatment ATT(g,t)",
            "group": "average by cohort (group)",
            "dynamic": "event study (average by length of exposure)",
            "calendar": "average by calendar period",
        }[self.kind]
        lines = [
            f"Aggregated ATT - {label}",
            f"  outcome: {self.outcome}",
            (
                f"  overall ATT {self.overall_att:.4f}   SE {self.overall_se:.4f}   "
                f"{level} CI [{self.overall_ci_low:.4f}, {self.overall_ci_high:.4f}]"
            ),
            f"  SE: {self.se_method}",
        ]
        if len(self.table):
            lines.append("")
            lines.extend(
                "  " + s for s in self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}").splitlines()
            )
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover
        return self.summary()

    def _repr_html_(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        head = (
            f"<p><b>Aggregated ATT ({html.escape(self.kind)})</b> of <code>{html.escape(self.outcome)}</code>: "
            f"{self.overall_att:.4f} (SE {self.overall_se:.4f}; {level} CI {self.overall_ci_low:.4f} "
            f"to {self.overall_ci_high:.4f})<br><small>SE: {html.escape(self.se_method)}</small></p>"
        )
        body = self.table.to_html(index=False, float_format=lambda v: f"{v:.4f}") if len(self.table) else ""
        return "<div>" + head + body + "</div>"


def fmt_num(v) -> str:
    """A group or period for a message or a term: whole numbers without decimals."""
    try:
        f = float(v)
        return str(int(f)) if f.is_integer() else f"{f:g}"
    except (TypeError, ValueError):
        return str(v)


@dataclass(frozen=True, eq=False)
class DidResult:
    """Group-time average treatment effects, as returned by :func:`group_time_att`.

    Attributes
    ----------
    att_gt : pandas.DataFrame
        One row per (group, time) cell: ``group``, ``time``, ``att``, ``se``,
        ``ci_low``, ``ci_high``, ``n_group`` (units in the cohort), and
        ``event_time`` (time - group), ``base_time`` (the comparison period),
        ``post`` (time >= group), ``n_control`` (comparison units of the
        cell), ``pvalue`` (+ ``cband_low``, ``cband_high`` with the
        bootstrap).  ``att`` is NaN for cells that could not be estimated.
    n_units : int
        Units in the balanced panel used.
    """

    att_gt: pd.DataFrame
    outcome: str
    unit: str
    time: str
    group: str
    covariates: Any
    control_group: str
    base_period: str
    est_method: str | None
    anticipation: float
    alpha: float
    n_units: int
    periods: tuple
    groups: tuple
    dropped: dict = field(default_factory=dict, repr=False)
    bootstrap: int | None = None
    seed: int | None = None
    crit_val: float | None = None
    _inf: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    _unit_group: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]

    @property
    def influence_functions(self) -> np.ndarray:
        """Units x cells matrix of ATT(g,t) influence functions (rows of ``att_gt``).

        For very large panels they are kept per cell and this builds the whole matrix."""
        return dense(self._inf)

    @property
    def se_method(self) -> str:
        if self.bootstrap:
            return f"multiplier bootstrap (Mammen, {self.bootstrap} draws, seed {self.seed}), clustered on unit"
        return "analytic influence function, clustered on unit"

    def _se(self, IF: np.ndarray) -> tuple[np.ndarray, float | None]:
        if self.bootstrap:
            se, crit = boot_se(IF, self.bootstrap, self.seed, self.alpha)
            return se, crit
        return analytic_se(IF), None

    # -- aggregation ----------------------------------------------------------
    def aggregate(
        self,
        kind: str = "group",
        *,
        min_e: float = -np.inf,
        max_e: float = np.inf,
        balance_e: int | None = None,
    ) -> DidAggregation:
        """Aggregate ATT(g,t) like ``did::aggte``.

        Parameters
        ----------
        kind : {"simple", "group", "dynamic", "calendar"}
        min_e, max_e : float
            Event-time window.  For ``"dynamic"`` it selects the event times
            reported (and averaged for the overall effect when e >= 0); for
            ``"simple"`` and ``"group"`` ``max_e`` limits the post-treatment
            cells used (``t <= g + max_e``), as in R.  In the units of
            ``time``.
        balance_e : int, optional
            ``"dynamic"`` only: keep only cohorts observed for at least
            ``balance_e`` periods after treatment, as R's ``balance_e``.

        Cells whose ATT(g,t) is missing are dropped first (R's
        ``na.rm = TRUE``).
        """
        if kind not in KINDS:
            raise ValueError(f"unknown aggregation {kind!r}; choose one of {', '.join(KINDS)}")
        cells = Cells.of(self.att_gt, self._inf, self._unit_group, kind)
        agg = aggregate_cells(kind, cells, self._se, self.alpha, min_e=min_e, max_e=max_e, balance_e=balance_e)
        o = self._overall(agg.value, agg.inf)
        return DidAggregation(
            kind=kind,
            outcome=self.outcome,
            overall_att=o[0],
            overall_se=o[1],
            overall_ci_low=o[2],
            overall_ci_high=o[3],
            overall_pvalue=o[4],
            table=agg.table,
            alpha=self.alpha,
            se_method=self.se_method,
            crit_val=agg.crit,
            min_e=min_e,
            max_e=max_e,
            balance_e=balance_e,
            influence_function=agg.inf,
            table_influence_functions=agg.table_if,
        )

    def _overall(self, value: float, inf: np.ndarray) -> tuple[float, float, float, float, float]:
        """The overall effect with its standard error, interval and p-value."""
        se, _ = self._se(inf[:, None])
        ci = ci_table(np.array([value]), se, self.alpha)
        return (
            float(value),
            float(se[0]),
            float(ci["ci_low"][0]),
            float(ci["ci_high"][0]),
            float(ci["pvalue"][0]),
        )

    # -- presentation -----------------------------------------------------------
    def tidy(self) -> pd.DataFrame:
        """The ATT(g,t) table (a copy)."""
        return self.att_gt.copy()

    def _settings(self) -> str:
        method = (
            "2x2 DiD of means (no covariates)"
            if self.est_method is None
            else {
                "dr": "doubly robust (DRDID)",
                "ipw": "inverse probability weighting (DRDID)",
                "reg": "outcome regression (DRDID)",
            }[self.est_method]
        )
        return (
            f"control group: {self.control_group.replace('_', ' ')}; base period: {self.base_period}; "
            f"anticipation: {self.anticipation:g}; estimator: {method}"
        )

    def summary(self) -> str:
        level = f"{100 * (1 - self.alpha):g}%"
        lines = [
            "Group-time average treatment effects (Callaway & Sant'Anna 2021)",
            (
                f"  outcome: {self.outcome}; {self.n_units} units, {len(self.periods)} periods, "
                f"{len(self.groups)} treated cohorts"
            ),
            "  " + self._settings(),
            f"  SE: {self.se_method}; {level} pointwise intervals",
        ]
        for k, v in self.dropped.items():
            if v:
                lines.append(f"  dropped: {v} {k.replace('_', ' ')}")
        cols = ["group", "time", "att", "se", "ci_low", "ci_high", "n_group"]
        lines.append("")
        lines.extend(
            "  " + s for s in self.att_gt[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}").splitlines()
        )
        try:
            simple = self.aggregate("simple")
            lines.append("")
            lines.append(
                f"  simple aggregated ATT (post-treatment cells, group-size weights): "
                f"{simple.overall_att:.4f} (SE {simple.overall_se:.4f})"
            )
        except ValueError:
            pass
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover
        return self.summary()

    def _repr_html_(self) -> str:
        head = (
            "<p><b>Group-time ATT</b> (Callaway &amp; Sant'Anna 2021) of "
            f"<code>{html.escape(self.outcome)}</code>: {self.n_units} units, {len(self.periods)} periods, "
            f"{len(self.groups)} cohorts<br><small>{html.escape(self._settings())}; SE: "
            f"{html.escape(self.se_method)}</small></p>"
        )
        cols = ["group", "time", "att", "se", "ci_low", "ci_high", "n_group"]
        return "<div>" + head + self.att_gt[cols].to_html(index=False, float_format=lambda v: f"{v:.4f}") + "</div>"
