"""Primary *and* secondary suppression of one two-way table of counts with its totals.

The primary rule (:mod:`so_eval.disclosure.primary`) hides counts of 1 to ``min_cell - 1`` persons. In a
table that also shows row and column totals that is not enough: a single hidden cell in a row is
the row total minus the other cells. :func:`suppress_table` therefore also hides other cells
(*secondary suppression*) until no hidden value can be worked back from what is shown.

Algorithm
---------
The table is extended with its totals (an ``I alt`` column with the row totals, an ``I alt`` row
with the column totals and the grand total). Every row and every column of the extended table is
a *line* with one linear relation (the cells add up to the line's total). Totals are counts of
persons too, so a total of 1 to ``min_cell - 1`` is suppressed by the primary rule.

1. **Primary**: cells (totals included) with ``0 < n < min_cell``.
2. **Lines**: while some line holds exactly one suppressed cell, suppress one more non-zero
   cell in that line: preferably one whose crossing line already holds a suppressed cell (this
   closes a rectangle, which is what protects a cell), then the smallest, then an inner cell
   rather than a total. Zeros are never suppressed (they are published: see the primary rule).
3. **Audit**: a line with two suppressed cells is necessary but not always enough (a suppressed
   cell can be a "bridge" between two groups of suppressed cells). For every suppressed cell the
   smallest and largest value consistent with everything shown is computed by linear programming
   (``scipy.optimize.linprog``), assuming an attacker knows that a ``<5`` cell holds 1 to
   ``min_cell - 1`` and that a ``×`` cell holds at least ``min_cell``. The constraint matrix of a
   two-way table is totally unimodular, so these bounds are whole numbers and both are feasible
   values. Any cell whose smallest and largest value coincide gets another suppressed cell in
   its row or column (step 2's preference; if those are all hidden or zero, the smallest visible
   cell anywhere, e.g. the grand total of a very small table) and steps 2–3 repeat.
   A table of one column (or one row) has a single relation left once its rows are known to
   equal their totals, and its bounds are computed in closed form instead (the same numbers:
   tested against the linear programs). The bounds are :mod:`so_eval.disclosure.intervals`'.

Display symbols
---------------
* ``<5`` — primary suppression (1 to ``min_cell - 1`` persons; "<5" for ``min_cell=5``);
* ``×`` — secondary suppression (hidden so that another hidden number cannot be worked out);
* numbers in Danish format (``1.234``); zeros are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from so_eval import disclosure, fmt
from so_eval.disclosure.intervals import feasible_intervals, table_lines

SECONDARY_SYMBOL = "×"
"""Shown instead of a secondarily suppressed cell."""

TOTAL_LABEL = "I alt"
"""Label of the total row and column."""


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts with its suppression pattern.

    Attributes
    ----------
    counts
        The counts, with a total row and column labelled ``I alt`` if ``totals`` is True.
    primary
        True where a count is suppressed by the primary rule (``0 < n < min_cell``).
    secondary
        True where a count is suppressed to protect another one.
    min_cell
        The threshold.
    totals
        Whether the total row and column are part of the table.
    determined
        ``(row, column)`` of hidden cells whose value can still be worked out. Empty unless the
        table is so small that even hiding every cell does not help (two persons in a row of
        two cells: each is 1); then :attr:`safe` is False and the table must not be published
        as it is (pool categories instead).
    """

    counts: pd.DataFrame
    primary: pd.DataFrame
    secondary: pd.DataFrame
    min_cell: int
    totals: bool
    determined: tuple[tuple[object, object], ...] = ()

    @property
    def safe(self) -> bool:
        """True if no hidden value can be worked out from what is shown."""
        return not self.determined

    @property
    def mask(self) -> pd.DataFrame:
        """True where a cell (totals included) is not published."""
        return self.primary | self.secondary

    def display(self) -> pd.DataFrame:
        """The table as published: ``<5`` (primary), ``×`` (secondary), Danish numbers."""
        out = pd.DataFrame("", index=self.counts.index, columns=self.counts.columns, dtype=object)
        values = self.counts.to_numpy()
        prim = self.primary.to_numpy()
        sec = self.secondary.to_numpy()
        masked = disclosure.masked(self.min_cell)
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                if prim[i, j]:
                    out.iat[i, j] = masked
                elif sec[i, j]:
                    out.iat[i, j] = SECONDARY_SYMBOL
                else:
                    out.iat[i, j] = fmt.number(int(values[i, j]))
        return out

    def published(self) -> pd.DataFrame:
        """The counts with every suppressed cell set to missing (``pd.NA``), as nullable ints."""
        return self.counts.astype("Int64").mask(self.mask)

    def intervals(self) -> pd.DataFrame:
        """For each suppressed cell, the smallest and largest value consistent with what is shown.

        Returns
        -------
        DataFrame
            One row per suppressed cell: ``row``, ``column``, ``kind`` (primary/secondary),
            ``low``, ``high``. ``low < high`` for every row of a safe table.
        """
        values = self.counts.to_numpy()
        lows, highs = feasible_intervals(
            values, self.mask.to_numpy(), self.primary.to_numpy(), self.min_cell, self.totals
        )
        rows = []
        for (i, j), lo, hi in zip(zip(*np.nonzero(self.mask.to_numpy()), strict=True), lows, highs, strict=True):
            rows.append(
                {
                    "row": self.counts.index[i],
                    "column": self.counts.columns[j],
                    "kind": "primary" if self.primary.iat[i, j] else "secondary",
                    "low": lo,
                    "high": hi,
                }
            )
        return pd.DataFrame(rows, columns=["row", "column", "kind", "low", "high"])


# -- the algorithm ---------------------------------------------------------------------------


def _pick(values, mask, line, m, n) -> tuple[int, int] | None:
    """The cell to suppress next in ``line`` (see the module docstring)."""
    cand = [c for c in line if not mask[c] and values[c] > 0]
    if not cand:
        return None
    is_row = len({i for i, _ in line}) == 1

    def crossing_has(c):
        i, j = c
        return bool(mask[:, j].any()) if is_row else bool(mask[i, :].any())

    def is_total(c):
        return c[0] == m - 1 or c[1] == n - 1

    return min(cand, key=lambda c: (not crossing_has(c), values[c], is_total(c), c))


def _close_lines(values: np.ndarray, mask: np.ndarray) -> None:
    m, n = values.shape
    lines = table_lines((m, n))
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(bool(mask[c]) for c in line) == 1:
                c = _pick(values, mask, line, m, n)
                if c is not None:
                    mask[c] = True
                    changed = True


def suppress_table(
    counts: pd.DataFrame,
    min_cell: int = disclosure.DEFAULT_MIN_CELL,
    totals: bool = True,
    hidden: pd.DataFrame | np.ndarray | None = None,
) -> SuppressedTable:
    """Primary and secondary suppression of a two-way table of counts of persons.

    Parameters
    ----------
    counts
        Whole, non-negative counts; the index holds the row categories, the columns the column
        categories (no totals: they are added here).
    min_cell
        The threshold of the primary rule (``params: disclosure.min_cell``).
    totals
        Add and protect a total row and column (``I alt``). Without totals only the primary rule
        applies (nothing links the cells).
    hidden
        Inner cells (same shape as ``counts``) that are hidden from the start for another reason
        (a share whose complement is small, a count whose difference to another is small); they
        are treated as secondary cells (at least ``min_cell``) and protected like the others.
        Zeros and primary cells in it are ignored.

    Returns
    -------
    SuppressedTable
        Check :attr:`SuppressedTable.safe` before publishing: it is False only for tables so
        small that hiding every cell still gives a value away.

    Raises
    ------
    ValueError
        If a count is missing, negative or not whole, or a label is already ``I alt``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"x": [3, 8, 15], "y": [10, 9, 6], "z": [12, 20, 7]}, index=["A", "B", "C"])
    >>> suppress_table(t).display()
            x   y   z I alt
    A      <5   ×  12    25
    B       ×   ×  20    37
    C      15   6   7    28
    I alt  26  25  39    90
    """
    table = _extended(counts, totals)
    values = table.to_numpy()
    primary = (values > 0) & (values < min_cell)
    mask = primary.copy()
    if hidden is not None:
        extra = np.asarray(hidden, dtype=bool)
        if extra.shape != counts.shape:
            raise ValueError(f"hidden must have the shape of counts {counts.shape}, not {extra.shape}")
        mask[: extra.shape[0], : extra.shape[1]] |= extra & (values[: extra.shape[0], : extra.shape[1]] >= min_cell)
    stuck = _audit(values, mask, primary, min_cell) if totals else []

    def frame(a: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(a, index=table.index, columns=table.columns)

    determined = tuple((table.index[i], table.columns[j]) for i, j in stuck)
    return SuppressedTable(table, frame(primary), frame(mask & ~primary), min_cell, totals, determined)


def _extended(counts: pd.DataFrame, totals: bool) -> pd.DataFrame:
    """The counts checked and as whole numbers, with a total row and column (``I alt``) if ``totals``."""
    if not isinstance(counts, pd.DataFrame) or counts.empty:
        raise ValueError("counts must be a non-empty DataFrame")
    values = counts.to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any() or (values != np.round(values)).any():
        raise ValueError("counts must be whole, non-negative numbers without missing values")
    table = counts.astype("int64")
    if totals:
        if TOTAL_LABEL in list(table.index) or TOTAL_LABEL in list(table.columns):
            raise ValueError(f"a row or column is already labelled '{TOTAL_LABEL}'")
        table = table.copy()
        table.columns = pd.Index(list(table.columns), dtype=object, name=counts.columns.name)
        table.index = pd.Index(list(table.index), dtype=object, name=counts.index.name)
        table[TOTAL_LABEL] = table.sum(axis=1)
        table.loc[TOTAL_LABEL] = table.sum(axis=0)
        table = table.astype("int64")
    return table


def _audit(values: np.ndarray, mask: np.ndarray, primary: np.ndarray, min_cell: int) -> list[tuple[int, int]]:
    """Steps 2 and 3 of the module docstring on ``mask`` (changed in place), until no hidden value is
    determined; returns the hidden cells still determined (none, unless everything is hidden)."""
    stuck: list[tuple[int, int]] = []
    m, n = values.shape
    for _ in range(values.size):
        _close_lines(values, mask)
        lows, highs = feasible_intervals(values, mask, primary, min_cell, True)
        cells = list(zip(*np.nonzero(mask), strict=True))
        stuck = [c for c, lo, hi in zip(cells, lows, highs, strict=True) if not lo < hi]
        if not stuck:
            break
        i, j = stuck[0]
        row = [(i, jj) for jj in range(n)]
        col = [(ii, j) for ii in range(m)]
        picks = [p for p in (_pick(values, mask, row, m, n), _pick(values, mask, col, m, n)) if p]
        if not picks:  # its lines are all hidden or zero: hide the smallest cell elsewhere
            picks = [tuple(int(x) for x in c) for c in zip(*np.nonzero(~mask & (values > 0)), strict=True)]
        if not picks:
            break  # everything is hidden: only the symbols' own ranges are left
        mask[min(picks, key=lambda c: (values[c], c))] = True
    return stuck
