"""Influence functions of the ATT(g,t) cells: standard errors and intervals from them, the
extra term for estimated aggregation weights (:func:`wif_att`), and the units × cells store
that keeps them per cell for very large panels (:func:`new_influence`, :func:`combine`).

Without covariates a cell's influence function is two slices of the outcome matrix, so above
:data:`_DENSE_IF_BYTES` it is kept as that recipe and computed when needed; aggregations then
combine the columns one at a time, so memory grows with units × periods, not units × cells.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse, stats

__all__ = ["EPS_SE", "analytic_se", "ci_table", "combine", "dense", "keeps_per_cell", "new_influence", "wif_att"]

EPS_SE = np.sqrt(np.finfo(float).eps) * 10
"""A standard error at or below this is taken as none (NaN), as R's ``did`` does."""


def analytic_se(IF: np.ndarray) -> np.ndarray:
    """``sqrt(sum(psi**2)) / n`` per column (NaN at or below :data:`EPS_SE`)."""
    n = IF.shape[0]
    se = np.sqrt(np.sum(IF**2, axis=0)) / n
    return np.where(se <= EPS_SE, np.nan, se)


def ci_table(att: np.ndarray, se: np.ndarray, alpha: float) -> dict[str, np.ndarray]:
    """Estimates with their standard errors, pointwise normal intervals and p-values."""
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        pval = 2 * stats.norm.sf(np.abs(att / se))
    return {"att": att, "se": se, "ci_low": att - z * se, "ci_high": att + z * se, "pvalue": pval}


def wif_att(cell_groups: np.ndarray, pg: np.ndarray, att: np.ndarray, unit_group: np.ndarray) -> np.ndarray:
    """``wif(keepers, pg, ...) %*% att[keepers]`` of did::compute.aggte, vectorised.

    cell_groups, pg, att: the kept cells' group, group probability and estimate.
    Returns one value per unit.
    """
    S = pg.sum()
    P = np.sum(pg * att)
    ug, inv = np.unique(cell_groups, return_inverse=True)
    A = np.bincount(inv, weights=att, minlength=len(ug))
    N = np.bincount(inv, minlength=len(ug)).astype(float)
    pos = np.searchsorted(ug, unit_group)
    pos_c = np.clip(pos, 0, len(ug) - 1)
    hit = (pos < len(ug)) & (ug[pos_c] == unit_group)
    A_i = np.where(hit, A[pos_c], 0.0)
    N_i = np.where(hit, N[pos_c], 0.0)
    return (A_i - P) / S - (N_i - S) * P / S**2


_DENSE_IF_BYTES = 1 << 30
"""Influence functions larger than this (units × cells × 8 bytes) are kept per cell
(:class:`_Influence`) instead of as one matrix."""


class _Influence:
    """Units × cells influence functions of ATT(g,t), kept column by column.

    Without covariates a cell's influence function is two slices of the outcome matrix — the
    cohort's and the comparison units' changes from the base period, centred and scaled — so it
    is kept as that recipe and computed when needed; other columns are stored. Aggregations
    combine the columns one at a time (:meth:`combine`), so memory grows with units × periods,
    not units × cells (500,000 units × 1,248 cells would be 4.7 GiB as one matrix). Each column
    is computed with the same operations as the dense matrix.
    """

    def __init__(self, n: int, ncell: int, Y: np.ndarray):
        self.shape = (n, ncell)
        self._Y = Y
        self._parts: dict[int, tuple] = {}

    def set_diff(self, k: int, c: int, b: int, blocks: list[tuple[int, int, float, float]]) -> None:
        """Column ``k`` is ``scale * ((Y[a:z, c] - Y[a:z, b]) - mean)`` on each block, 0 elsewhere."""
        self._parts[k] = ("diff", c, b, blocks)

    def set_column(self, k: int, col: np.ndarray) -> None:
        self._parts[k] = ("col", col)

    def column(self, k: int) -> np.ndarray:
        part = self._parts.get(k)
        if part is not None and part[0] == "col":
            return part[1]
        return self._fill(k, np.empty(self.shape[0]))

    def _fill(self, k: int, out: np.ndarray) -> np.ndarray:
        """Column ``k`` written into ``out`` (of length units)."""
        part = self._parts.get(k)
        if part is not None and part[0] == "col":
            out[:] = part[1]
            return out
        out[:] = 0.0
        if part is not None:
            _, c, b, blocks = part
            for a, z, scale, mean in blocks:
                d = out[a:z]
                np.subtract(self._Y[a:z, c], self._Y[a:z, b], out=d)
                d -= mean
                d *= scale
        return out

    def dense(self) -> np.ndarray:
        out = np.zeros(self.shape, order="F")
        for k in range(self.shape[1]):
            out[:, k] = self.column(k)
        return out

    def combine(self, W: sparse.spmatrix) -> np.ndarray:
        """``(W @ IF.T).T`` for a sparse ``m × cells`` weight matrix: units × m.

        Each column is built in one reused buffer and added to a column-major result (the
        same operations, element by element, as on fresh arrays), returned in row-major order
        as the dense path returns it, so that later sums over units add in the same order."""
        W = sparse.csc_matrix(W)
        out = np.zeros((self.shape[0], W.shape[0]), order="F")
        col, term = np.empty(self.shape[0]), np.empty(self.shape[0])
        for k in np.flatnonzero(np.diff(W.indptr)):
            self._fill(int(k), col)
            lo, hi = W.indptr[k], W.indptr[k + 1]
            for j, v in zip(W.indices[lo:hi], W.data[lo:hi], strict=True):
                np.multiply(v, col, out=term)
                out[:, j] += term
        return np.ascontiguousarray(out)


def combine(IF, W: sparse.spmatrix) -> np.ndarray:
    """``(W @ IF.T).T`` (units × m) for a sparse ``m × cells`` weight matrix, on either store."""
    if isinstance(IF, _Influence):
        return IF.combine(W)
    return np.ascontiguousarray(np.asarray(W @ IF.T).T)


def keeps_per_cell(n: int, ncell: int, has_cov: bool) -> bool:
    """Whether the influence functions of ``n`` units × ``ncell`` cells are kept per cell (no
    covariates and more than :data:`_DENSE_IF_BYTES` as one matrix)."""
    return not has_cov and n * ncell * 8 > _DENSE_IF_BYTES


def new_influence(n: int, ncell: int, Y: np.ndarray, *, per_cell: bool):
    """An empty units × cells store: kept per cell (on the outcome matrix ``Y``) or one zero
    matrix in column-major order."""
    return _Influence(n, ncell, Y) if per_cell else np.zeros((n, ncell), order="F")


def dense(IF) -> np.ndarray:
    """The store as one units × cells matrix (built, if it is kept per cell)."""
    return IF.dense() if isinstance(IF, _Influence) else IF
