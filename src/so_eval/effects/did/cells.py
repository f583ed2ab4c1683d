"""ATT(g,t) of every cell of a prepared panel, shared by :func:`~so_eval.effects.did.group_time_att`
and :func:`~so_eval.effects.did.group_time_att_wide`, and the options both check.

The panel is a balanced units × periods outcome matrix with the units sorted by their group, so
that each cohort is a contiguous block and every comparison group is a few slices of the unit
order. :class:`_CellLoop` estimates the cells one by one: without covariates the 2x2 DiD of
means, with covariates a :mod:`~so_eval.effects.did.panel` estimator; cells that share their
comparison units and periods share those units' mean and spread (per-cell influence functions),
and cells that share their sample and covariate values share the nuisance fits.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from so_eval.effects.did.bootstrap import boot_se
from so_eval.effects.did.influence import EPS_SE, ci_table, keeps_per_cell, new_influence
from so_eval.effects.did.panel import ESTIMATORS, logit_irls
from so_eval.effects.did.result import DidResult, fmt_num

__all__ = ["Options", "check_options", "estimate_cells"]

_CONTROL_ALIASES = {
    "never_treated": "never_treated",
    "nevertreated": "never_treated",
    "never": "never_treated",
    "not_yet_treated": "not_yet_treated",
    "notyettreated": "not_yet_treated",
    "not_yet": "not_yet_treated",
}

_COLUMN_ORDER = [
    "group",
    "time",
    "att",
    "se",
    "ci_low",
    "ci_high",
    "n_group",
    "event_time",
    "base_time",
    "post",
    "n_control",
    "pvalue",
]
"""The columns of :attr:`DidResult.att_gt`, first (the bootstrap's bands follow)."""


@dataclass(frozen=True)
class Options:
    """The estimation options, checked; ``control_group`` by its canonical name."""

    control_group: str
    base_period: str
    est_method: str
    anticipation: float
    alpha: float
    bootstrap: int | None
    seed: int | None


def check_options(control_group, base_period, est_method, alpha, anticipation, bootstrap, seed) -> Options:
    """Check the options shared by :func:`group_time_att` and :func:`group_time_att_wide`."""
    cg = _CONTROL_ALIASES.get(str(control_group).lower())
    if cg is None:
        raise ValueError(f"control_group must be 'never_treated' or 'not_yet_treated', got {control_group!r}")
    if base_period not in ("varying", "universal"):
        raise ValueError(f"base_period must be 'varying' or 'universal', got {base_period!r}")
    if est_method not in ESTIMATORS:
        raise ValueError(f"est_method must be one of 'dr', 'ipw', 'reg', got {est_method!r}")
    if not (0 < alpha < 1):
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if anticipation < 0:
        raise ValueError("anticipation must be >= 0")
    if bootstrap is not None and int(bootstrap) < 2:
        raise ValueError("bootstrap must be an integer >= 2 (number of draws) or None")
    return Options(cg, base_period, est_method, anticipation, alpha, bootstrap, seed)


def estimate_cells(
    Y: np.ndarray,
    Gu: np.ndarray,
    tlist: np.ndarray,
    glist: np.ndarray,
    Xp: np.ndarray | None,
    opts: Options,
    *,
    dropped: dict,
    names: dict,
    covariates: Any,
) -> DidResult:
    """ATT(g,t) of every cell from the prepared panel.

    ``Y`` is the balanced units × periods outcome matrix (float64, Fortran order) with the units
    sorted by ``Gu``, their group (0 = never treated), so that each cohort is a contiguous
    block; ``tlist`` the periods, ``glist`` the treated cohorts; ``Xp`` the periods × units ×
    covariates design or None.  ``dropped``, ``names`` (``outcome``, ``unit``, ``time``,
    ``group``) and ``covariates`` are recorded in the result.
    """
    n, T = Y.shape
    has_cov = Xp is not None
    _check_group_sizes(Gu, Xp.shape[2] if has_cov else 0, opts.control_group)
    ncell = len(glist) * (T - (1 if opts.base_period == "varying" else 0))
    lazy = keeps_per_cell(n, ncell, has_cov)
    if lazy and opts.bootstrap:
        raise ValueError(
            f"the multiplier bootstrap needs all {n:,} × {ncell:,} influence functions at once "
            f"({n * ncell * 8 / 2**30:.1f} GiB); use the analytic standard errors (bootstrap=None)"
        )
    loop = _CellLoop(Y, Gu, tlist, Xp, new_influence(n, ncell, Y, per_cell=lazy), opts, lazy=lazy)
    rec = loop.run(glist)
    if loop.warn_msgs:
        msgs = loop.warn_msgs
        shown = "; ".join(msgs[:10]) + (f"; ... ({len(msgs)} in all)" if len(msgs) > 10 else "")
        warnings.warn("some ATT(g,t) could not be estimated and are NaN: " + shown, stacklevel=3)
    att_gt, crit = _cell_table(rec, loop.IF, loop.ssq, tlist, glist, opts)
    return DidResult(
        att_gt=att_gt,
        **names,
        covariates=covariates if has_cov else None,
        control_group=opts.control_group,
        base_period=opts.base_period,
        est_method=opts.est_method if has_cov else None,
        anticipation=opts.anticipation,
        alpha=opts.alpha,
        n_units=n,
        periods=tuple(tlist.tolist()),
        groups=tuple(glist.tolist()),
        dropped=dropped,
        bootstrap=int(opts.bootstrap) if opts.bootstrap else None,
        seed=opts.seed,
        crit_val=crit,
        _inf=loop.IF,
        _unit_group=Gu,
    )


def _check_group_sizes(Gu: np.ndarray, k: int, control_group: str) -> None:
    """Warn of groups smaller than #covariates + 5 units (as R); refuse a never-treated
    comparison group that small."""
    req = k + 5
    ug, ucount = np.unique(Gu, return_counts=True)
    small = [g for g, s in zip(ug, ucount, strict=True) if s < req]
    if small:
        warnings.warn(
            f"some groups are small (fewer than {req} units): " + ", ".join(fmt_num(g) for g in small),
            stacklevel=4,  # (the caller of group_time_att)
        )
        if 0.0 in small and control_group == "never_treated":
            raise ValueError("never-treated group is too small; try control_group='not_yet_treated'")


class _CellLoop:
    """The ATT(g,t) cells one by one: each cell's estimate, its influence function written into
    ``IF`` (column ``k``, the cell's row of the table) and its sum of squares into ``ssq`` (the
    analytic standard error); cells that cannot be estimated are NaN and say why in
    ``warn_msgs``."""

    def __init__(self, Y, Gu, tlist, Xp, IF, opts: Options, *, lazy: bool):
        self.Y, self.Gu, self.tlist, self.Xp, self.IF, self.lazy = Y, Gu, tlist, Xp, IF, lazy
        self.cg, self.base_period, self.est_method = opts.control_group, opts.base_period, opts.est_method
        self.anticipation = opts.anticipation
        self.n, self.T = Y.shape
        self.tfac = 1 if self.base_period == "varying" else 0
        self.ssq = np.zeros(IF.shape[1])  # column sums of squares of IF (analytic SEs)
        self.n_never = int(np.searchsorted(Gu, 0.0, side="right")) if np.any(Gu == 0) else 0
        self.estimator = ESTIMATORS[self.est_method]
        self.x_invariant = bool(Xp is not None and np.all(Xp == Xp[:1]))
        self.cache_key: Any = None
        self.cache: dict = {}
        self.idx = self.Dsub = self.Z = None  # the sample of the cached nuisance fits
        self.control_stats: dict = {}
        self.work = np.empty(0 if Xp is not None else self.n)
        self.warn_msgs: list[str] = []

    def run(self, glist: np.ndarray) -> list[dict]:
        """The table's rows, cohort by cohort and period by period."""
        rec = []
        for g in glist:
            g0 = int(np.searchsorted(self.Gu, g, side="left"))
            g1 = int(np.searchsorted(self.Gu, g, side="right"))
            pre_idx = np.flatnonzero(self.tlist + self.anticipation < g)
            univ = int(pre_idx[-1])  # exists: g > first + anticipation
            for c in range(self.tfac, self.T):
                rec.append(self._cell(len(rec), g, g0, g1, univ, c))
        return rec

    def _cell(self, k: int, g, g0: int, g1: int, univ: int, c: int) -> dict:
        """Cell ``k``: cohort ``g`` (units ``g0:g1``) in period ``c``."""
        tc = self.tlist[c]
        post = bool(g <= tc)
        b = (c - 1) if self.base_period == "varying" else univ
        c_slices = self._comparison(g, g0, g1, c, b)
        if post:
            b = univ
        nD = g1 - g0
        nC = int(sum(z - a for a, z in c_slices))
        entry = {
            "group": g,
            "time": tc,
            "base_time": self.tlist[b],
            "post": post,
            "n_group": nD,
            "n_control": nC,
            "att": np.nan,
        }
        if self.base_period == "universal" and b == c:
            entry["att"] = 0.0
        elif nC == 0:
            self.warn_msgs.append(f"no comparison units for group {fmt_num(g)} in period {fmt_num(tc)}")
        elif self.Xp is None and nD / (nD + nC) >= 0.995:
            self.warn_msgs.append(
                f"overlap condition violated for group {fmt_num(g)} in period {fmt_num(tc)} (too few comparison units)"
            )
        elif self.Xp is None:
            entry["att"] = self._means_cell(k, g0, g1, c, b, c_slices, nC)
        else:
            entry["att"] = self._covariate_cell(k, g, tc, g0, g1, c, b, c_slices, nC)
        return entry

    def _comparison(self, g, g0: int, g1: int, c: int, b: int) -> list[tuple[int, int]]:
        """The comparison units as slices of the group-sorted unit order: the never treated
        come first, and "group > threshold" is a tail."""
        if self.cg == "never_treated":
            return [(0, self.n_never)]
        thr = self.tlist[max(c, b)] + self.anticipation
        tail = int(np.searchsorted(self.Gu, thr, side="right"))
        tail = max(tail, self.n_never)
        # (g > thr: the own cohort lies inside the tail; cut it out)
        c_slices = [(0, self.n_never), (tail, g0), (g1, self.n)] if g > thr else [(0, self.n_never), (tail, self.n)]
        return [(a, z) for a, z in c_slices if z > a]

    def _means_cell(self, k: int, g0: int, g1: int, c: int, b: int, c_slices, nC: int) -> float:
        """The 2x2 DiD of means (no covariates)."""
        n, nD = self.n, g1 - g0
        yc, yb = self.Y[:, c], self.Y[:, b]
        dyD = yc[g0:g1] - yb[g0:g1]
        m1 = dyD.mean()
        rD = dyD - m1
        # the comparison units' mean change and sum of squared deviations depend only on (c, b)
        # and the comparison units: cells sharing them (pre-treatment cells of different cohorts,
        # with never-treated controls) reuse them when the influence functions are kept per cell
        key = (c, b, tuple(c_slices))
        if self.lazy and key in self.control_stats:
            m0, ss_c = self.control_stats[key]
        else:
            m0, ss_c, dyC = self._control_changes(yc, yb, c_slices, nC)
            if self.lazy:
                self.control_stats[key] = (m0, ss_c)
        if self.lazy:
            self.IF.set_diff(k, c, b, [(g0, g1, n / nD, m1)] + [(a, z, -(n / nC), m0) for a, z in c_slices])
        else:
            col = self.IF[:, k]
            col[g0:g1] = (n / nD) * rD
            for (a, z), v in zip(c_slices, dyC, strict=True):
                col[a:z] = -(n / nC) * v
        self.ssq[k] = (n / nD) ** 2 * float(rD @ rD) + (n / nC) ** 2 * ss_c
        return float(m1 - m0)

    def _control_changes(self, yc, yb, c_slices, nC: int) -> tuple[float, float, list[np.ndarray]]:
        """The comparison units' changes from the base period as deviations from their mean
        (per slice), with that mean and their sum of squares. In one reused buffer: a fresh
        array per cell costs more in page faults than the subtraction itself at 500,000 units."""
        dyC, at = [], 0
        for a, z in c_slices:
            dyC.append(np.subtract(yc[a:z], yb[a:z], out=self.work[at : at + z - a]))
            at += z - a
        m0 = sum(float(v.sum()) for v in dyC) / nC
        ss_c = 0.0
        for v in dyC:
            v -= m0  # in place: the deviations from the mean
            ss_c += float(v @ v)
        return m0, ss_c, dyC

    def _covariate_cell(self, k: int, g, tc, g0: int, g1: int, c: int, b: int, c_slices, nC: int) -> float:
        """A :mod:`~so_eval.effects.did.panel` estimator on the cell's two periods, with the
        covariates of the earlier one."""
        n, n1 = self.n, (g1 - g0) + nC
        # the nuisance fits depend only on the sample and the covariate values: reuse them across
        # periods when neither changes (time-invariant covariates)
        key = (g0, g1, tuple(c_slices), None if self.x_invariant else min(c, b))
        if key != self.cache_key:
            self.cache_key = key
            self._fit_nuisance(g0, g1, c, b, c_slices)
        idx, cache = self.idx, self.cache
        dy = self.Y[idx, c] - self.Y[idx, b]
        if cache["problem"] is not None:
            self.warn_msgs.append(f"{cache['problem']} for group {fmt_num(g)} in period {fmt_num(tc)}")
            return np.nan
        try:
            with np.errstate(all="ignore"):
                if self.est_method == "reg":
                    a_, inf_sub = self.estimator(dy, self.Dsub, self.Z, cache=cache)
                else:
                    a_, inf_sub = self.estimator(dy, self.Dsub, self.Z, ps=cache["ps_raw"], cache=cache)
            if not np.isfinite(a_) or not np.all(np.isfinite(inf_sub)):
                raise np.linalg.LinAlgError("non-finite estimate")
        except np.linalg.LinAlgError as exc:
            self.warn_msgs.append(f"group {fmt_num(g)}, period {fmt_num(tc)}: {exc}")
            self.IF[:, k] = 0.0
            return np.nan
        self.IF[idx, k] = (n / n1) * inf_sub
        self.ssq[k] = (n / n1) ** 2 * float(inf_sub @ inf_sub)
        return float(a_)

    def _fit_nuisance(self, g0: int, g1: int, c: int, b: int, c_slices) -> None:
        """The cell's sample (cohort first), design and propensity score (``dr``, ``ipw``), and
        why the cell cannot be estimated (``cache["problem"]``, as R's ``did`` says it)."""
        nD = g1 - g0
        idx = np.concatenate([np.arange(g0, g1)] + [np.arange(a, z) for a, z in c_slices])
        Dsub = np.zeros(len(idx))
        Dsub[:nD] = 1.0
        Z = np.column_stack([np.ones(len(idx)), self.Xp[0 if self.x_invariant else min(c, b)][idx]])
        cache: dict = {}
        problem_msg = None
        if self.est_method in ("dr", "ipw"):
            _, ps_pre, _ = logit_irls(Z, Dsub, np.ones(len(idx)))
            cache["ps_raw"] = ps_pre
            if np.max(ps_pre) >= 0.999:
                problem_msg = "overlap condition violated"
        if problem_msg is None and self.est_method in ("dr", "reg"):
            Zc = Z[nD:]
            if Zc.shape[0] < Z.shape[1] or 1.0 / np.linalg.cond(Zc.T @ Zc, 1) < np.finfo(float).eps:
                problem_msg = "not enough comparison units to run the outcome regression"
        cache["problem"] = problem_msg
        self.idx, self.Dsub, self.Z, self.cache = idx, Dsub, Z, cache


def _cell_table(rec: list[dict], IF, ssq: np.ndarray, tlist, glist, opts: Options) -> tuple[pd.DataFrame, float | None]:
    """The ATT(g,t) table with standard errors (analytic or bootstrap), intervals and event
    times, and the bootstrap's simultaneous critical value (or None)."""
    n = IF.shape[0]
    att_gt = pd.DataFrame(rec)
    att_arr = att_gt["att"].to_numpy(dtype=float)
    alpha = opts.alpha
    if opts.bootstrap:
        se, crit = boot_se(IF, int(opts.bootstrap), opts.seed, alpha)
    else:
        se = np.sqrt(ssq) / n
        se, crit = np.where(se <= EPS_SE, np.nan, se), None
    se = np.where(np.isfinite(att_arr), se, np.nan)
    ci = ci_table(att_arr, se, alpha)
    for key in ("se", "ci_low", "ci_high", "pvalue"):
        att_gt[key] = ci[key]
    att_gt["event_time"] = att_gt["time"] - att_gt["group"]
    if crit is not None:
        att_gt["cband_low"] = att_gt["att"] - crit * att_gt["se"]
        att_gt["cband_high"] = att_gt["att"] + crit * att_gt["se"]
    if np.all(np.mod(tlist, 1) == 0) and np.all(np.mod(glist, 1) == 0):
        for key in ("group", "time", "base_time", "event_time"):
            att_gt[key] = att_gt[key].astype(np.int64)
    order = _COLUMN_ORDER + [c for c in att_gt.columns if c not in _COLUMN_ORDER]
    return att_gt[order], crit
