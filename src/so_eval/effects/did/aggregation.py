"""The ``did::aggte`` aggregations of ATT(g,t): simple, by group, dynamic (event study) and
calendar, each with its influence function (including the term for estimated weights).

:func:`aggregate_cells` gives the numbers; :meth:`~so_eval.effects.did.result.DidResult.aggregate`
wraps them in a :class:`~so_eval.effects.did.result.DidAggregation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from so_eval.effects.did.influence import ci_table, combine, wif_att

__all__ = ["KINDS", "Aggregated", "Cells", "aggregate_cells"]

KINDS = ("simple", "group", "dynamic", "calendar")

SeFunction = Callable[[np.ndarray], tuple[np.ndarray, float | None]]
"""Standard errors (and the simultaneous critical value, or None) of units × m influence functions."""


@dataclass(frozen=True, eq=False)
class Cells:
    """The estimable ATT(g,t) cells an aggregation uses: their ``group``, time ``t``, estimate
    ``att`` and column ``valid`` in the influence functions ``IF``; the groups ``glist`` with
    their share of units ``pgg``, each cell's group share ``pg``, and every unit's group."""

    group: np.ndarray
    t: np.ndarray
    att: np.ndarray
    valid: np.ndarray
    glist: np.ndarray
    pgg: np.ndarray
    pg: np.ndarray
    IF: object
    unit_group: np.ndarray

    @classmethod
    def of(cls, att_gt: pd.DataFrame, IF, unit_group: np.ndarray, kind: str) -> Cells:
        valid = np.flatnonzero(att_gt["att"].notna().to_numpy())
        if len(valid) == 0:
            raise ValueError("no estimable ATT(g,t) cells to aggregate")
        group = att_gt["group"].to_numpy(dtype=float)[valid]
        t = att_gt["time"].to_numpy(dtype=float)[valid]
        att = att_gt["att"].to_numpy(dtype=float)[valid]
        if kind == "group":
            # R: with na.rm keep only groups having some non-missing post-treatment cell
            keepg = np.isin(group, np.unique(group[group <= t]))
            group, t, att, valid = group[keepg], t[keepg], att[keepg], valid[keepg]
        glist = np.unique(group)
        pgg = np.array([np.mean(unit_group == g) for g in glist])
        pg = pgg[np.searchsorted(glist, group)]
        return cls(group, t, att, valid, glist, pgg, pg, IF, unit_group)

    def combine(self, cols: list[np.ndarray], wts: list[np.ndarray], wifs: list[np.ndarray | None]) -> np.ndarray:
        """Units × m influence functions of m weighted sums of cells (``cols`` with weights
        ``wts``, plus each one's weight term ``wifs``)."""
        m = len(cols)
        rows = np.concatenate(cols) if m else np.array([], dtype=int)
        colid = np.concatenate([np.full(len(c), j) for j, c in enumerate(cols)]) if m else rows
        vals = np.concatenate(wts) if m else np.array([])
        W = sparse.csr_matrix((vals, (colid, self.valid[rows])), shape=(m, self.IF.shape[1]))
        out = combine(self.IF, W)  # n x m
        for j, wf in enumerate(wifs):
            if wf is not None:
                out[:, j] += wf
        return out

    def wif(self, cells: np.ndarray) -> np.ndarray:
        """The weight term of the group-share weighted average of ``cells``."""
        return wif_att(self.group[cells], self.pg[cells], self.att[cells], self.unit_group)


@dataclass(frozen=True, eq=False)
class Aggregated:
    """An aggregation's overall ``value`` with its influence function ``inf``, the ``table`` by
    group / event time / calendar time (empty for simple) with its influence functions, and
    the bootstrap's simultaneous critical value (or None)."""

    value: float
    inf: np.ndarray
    table: pd.DataFrame
    table_if: np.ndarray | None = None
    crit: float | None = None


def aggregate_cells(
    kind: str, cells: Cells, se: SeFunction, alpha: float, *, min_e: float, max_e: float, balance_e: int | None
) -> Aggregated:
    """The ``kind`` aggregation of ``cells`` (see :meth:`DidResult.aggregate`); ``se`` gives
    the standard errors of the table's entries."""
    if kind == "simple":
        out = _simple(cells, max_e)
    elif kind == "group":
        out = _by_group(cells, se, alpha, max_e)
    elif kind == "dynamic":
        out = _dynamic(cells, se, alpha, min_e, max_e, balance_e)
    else:
        out = _calendar(cells, se, alpha)
    _finish_table(out.table, kind, out.crit)
    return out


def _simple(cells: Cells, max_e: float) -> Aggregated:
    group, t, pg = cells.group, cells.t, cells.pg
    keepers = np.flatnonzero((group <= t) & (t <= group + max_e))
    if len(keepers) == 0:
        raise ValueError("no post-treatment ATT(g,t) cells to aggregate")
    wk = pg[keepers] / pg[keepers].sum()
    value = float(np.sum(cells.att[keepers] * wk))
    inf = cells.combine([keepers], [wk], [cells.wif(keepers)])[:, 0]
    return Aggregated(value, inf, pd.DataFrame())


def _by_group(cells: Cells, se: SeFunction, alpha: float, max_e: float) -> Aggregated:
    group, t, att, pg, glist, pgg = cells.group, cells.t, cells.att, cells.pg, cells.glist, cells.pgg
    cols, wts = [], []
    att_g = np.empty(len(glist))
    for j, g in enumerate(glist):
        wg = np.flatnonzero((group == g) & (g <= t) & (t <= group + max_e))
        cols.append(wg)
        wts.append(pg[wg] / pg[wg].sum() if len(wg) else np.array([]))
        att_g[j] = att[wg].mean() if len(wg) else np.nan
    inf_g = cells.combine(cols, wts, [None] * len(glist))
    se_g, crit = se(inf_g)
    okg = np.isfinite(att_g)
    wgt = pgg[okg] / pgg[okg].sum()
    value = float(np.sum(att_g[okg] * wgt))
    inf = inf_g[:, okg] @ wgt + wif_att(glist[okg], pgg[okg], att_g[okg], cells.unit_group)
    table = pd.DataFrame({"group": glist, **ci_table(att_g, se_g, alpha)})
    return Aggregated(value, inf, table, inf_g, crit)


def _event_times(cells: Cells, min_e: float, max_e: float, balance_e: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The event times reported and the cells that may enter them (``balance_e``: only cohorts
    observed that long after treatment)."""
    group, t = cells.group, cells.t
    e_all = t - group
    include = np.ones(len(group), dtype=bool)
    eseq = np.unique(e_all)
    if balance_e is not None:
        tmax, tmin = float(np.max(t)), float(np.min(t))
        include = (tmax - group) >= balance_e
        eseq = np.unique(e_all[include])
        eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - tmax + tmin)]
    eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
    if len(eseq) == 0:
        raise ValueError("no event times in the requested window")
    return eseq, include


def _dynamic(
    cells: Cells, se: SeFunction, alpha: float, min_e: float, max_e: float, balance_e: int | None
) -> Aggregated:
    eseq, include = _event_times(cells, min_e, max_e, balance_e)
    e_all = cells.t - cells.group
    cols, wts, wifs = [], [], []
    att_e = np.empty(len(eseq))
    for j, e in enumerate(eseq):
        we = np.flatnonzero((e_all == e) & include)
        pge = cells.pg[we] / cells.pg[we].sum()
        att_e[j] = np.sum(cells.att[we] * pge)
        cols.append(we)
        wts.append(pge)
        wifs.append(cells.wif(we))
    inf_e = cells.combine(cols, wts, wifs)
    se_e, crit = se(inf_e)
    epos = eseq >= 0
    if not epos.any():
        value, inf = np.nan, np.zeros(inf_e.shape[0])
    else:
        value = float(np.mean(att_e[epos]))
        inf = inf_e[:, epos].mean(axis=1)
    table = pd.DataFrame({"event_time": eseq, **ci_table(att_e, se_e, alpha)})
    return Aggregated(value, inf, table, inf_e, crit)


def _calendar(cells: Cells, se: SeFunction, alpha: float) -> Aggregated:
    group, t = cells.group, cells.t
    tlist = np.unique(t)
    ctl = tlist[tlist >= group.min()]
    ctl = np.array([t1 for t1 in ctl if np.any((t == t1) & (group <= t))])
    cols, wts, wifs = [], [], []
    att_t = np.empty(len(ctl))
    for j, t1 in enumerate(ctl):
        wt_ = np.flatnonzero((t == t1) & (group <= t))
        pgt = cells.pg[wt_] / cells.pg[wt_].sum()
        att_t[j] = np.sum(pgt * cells.att[wt_])
        cols.append(wt_)
        wts.append(pgt)
        wifs.append(cells.wif(wt_))
    inf_t = cells.combine(cols, wts, wifs)
    se_t, crit = se(inf_t)
    value = float(np.mean(att_t))
    inf = inf_t.mean(axis=1)
    table = pd.DataFrame({"time": ctl, **ci_table(att_t, se_t, alpha)})
    return Aggregated(value, inf, table, inf_t, crit)


def _finish_table(table: pd.DataFrame, kind: str, crit: float | None) -> None:
    """In place: the simultaneous band (with the bootstrap) and whole-number keys as integers."""
    if crit is not None and len(table):
        table["cband_low"] = table["att"] - crit * table["se"]
        table["cband_high"] = table["att"] + crit * table["se"]
    if len(table) and kind in ("group", "calendar"):
        key = table.columns[0]
        if np.all(np.mod(table[key].to_numpy(dtype=float), 1) == 0):
            table[key] = table[key].astype(np.int64)
    if kind == "dynamic" and np.all(np.mod(table["event_time"].to_numpy(dtype=float), 1) == 0):
        table["event_time"] = table["event_time"].astype(np.int64)
