"""Statistical disclosure control for tables of counts: primary *and* secondary suppression.

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
   tested against the linear programs).

Display symbols
---------------
* ``<5`` — primary suppression (1 to ``min_cell - 1`` persons; "<5" for ``min_cell=5``);
* ``×`` — secondary suppression (hidden so that another hidden number cannot be worked out);
* numbers in Danish format (``1.234``); zeros are shown.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from so_eval import fmt
from so_eval import disclosure

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
        lows, highs = _intervals(values, self.mask.to_numpy(), self.primary.to_numpy(),
                                 self.min_cell, self.totals)
        rows = []
        for (i, j), lo, hi in zip(zip(*np.nonzero(self.mask.to_numpy())), lows, highs):
            rows.append({
                "row": self.counts.index[i], "column": self.counts.columns[j],
                "kind": "primary" if self.primary.iat[i, j] else "secondary",
                "low": lo, "high": hi,
            })
        return pd.DataFrame(rows, columns=["row", "column", "kind", "low", "high"])


# -- the algorithm ---------------------------------------------------------------------------


def _lines(shape: tuple[int, int]) -> list[list[tuple[int, int]]]:
    m, n = shape
    return [[(i, j) for j in range(n)] for i in range(m)] + [[(i, j) for i in range(m)] for j in range(n)]


def _constraints(values: np.ndarray, mask: np.ndarray):
    """Rows of A_eq and b_eq over the suppressed cells (the extended table's line relations)."""
    m, n = values.shape
    cells = list(zip(*np.nonzero(mask)))
    index = {c: k for k, c in enumerate(cells)}
    a_rows, b = [], []
    for line in _lines((m, n)):
        # the last cell of each line is its total: inner cells add up to it
        coef = [1.0] * (len(line) - 1) + [-1.0]
        row = np.zeros(len(cells))
        rhs = 0.0
        for c, s in zip(line, coef):
            if c in index:
                row[index[c]] += s
            else:
                rhs -= s * values[c]
        if row.any():
            a_rows.append(row)
            b.append(rhs)
    return cells, np.array(a_rows), np.array(b)


_INTERVALS: dict[tuple, tuple[list, list]] = {}
"""Feasibility intervals already solved in this process (a report's tables recur: last year's
figures are recomputed twice for the corrections)."""


def _intervals(values, mask, primary, min_cell, totals):
    """Smallest and largest feasible value of each suppressed cell (in row-major order)."""
    values, mask, primary = np.asarray(values, dtype=float), np.asarray(mask, bool), np.asarray(primary, bool)
    key = (values.shape, values.tobytes(), mask.tobytes(), primary.tobytes(), int(min_cell), bool(totals))
    if key not in _INTERVALS:
        if len(_INTERVALS) > 1024:
            _INTERVALS.clear()
        _INTERVALS[key] = _solve_intervals(values, mask, primary, min_cell, totals)
    lows, highs = _INTERVALS[key]
    return list(lows), list(highs)


def _solve_intervals(values, mask, primary, min_cell, totals):
    cells = list(zip(*np.nonzero(mask)))
    if not cells:
        return [], []
    if not totals:  # nothing links the cells: each is known only by its bounds
        return ([1 if primary[c] else min_cell for c in cells],
                [min_cell - 1 if primary[c] else np.inf for c in cells])
    if values.shape[1] == 2:  # one column of counts and its total column
        return _one_line_intervals(values, mask, primary, min_cell)
    if values.shape[0] == 2:  # one row: the same relations, transposed
        lows, highs = _one_line_intervals(values.T, mask.T, primary.T, min_cell)
        order = sorted(range(len(cells)), key=lambda k: (cells[k][1], cells[k][0]))  # column-major
        back = {k: pos for pos, k in enumerate(order)}
        return [lows[back[k]] for k in range(len(cells))], [highs[back[k]] for k in range(len(cells))]
    return _lp_intervals(values, mask, primary, min_cell)


def _lp_intervals(values, mask, primary, min_cell):
    """Each suppressed cell's smallest and largest feasible value by linear programming."""
    from scipy.optimize import linprog

    cells, a_eq, b_eq = _constraints(values, mask)
    bounds = [(1, min_cell - 1) if primary[c] else (min_cell, None) for c in cells]
    lows, highs = [], []
    for k in range(len(cells)):
        c = np.zeros(len(cells))
        c[k] = 1.0
        res_lo = linprog(c, A_eq=a_eq if len(a_eq) else None, b_eq=b_eq if len(b_eq) else None,
                         bounds=bounds, method="highs")
        res_hi = linprog(-c, A_eq=a_eq if len(a_eq) else None, b_eq=b_eq if len(b_eq) else None,
                         bounds=bounds, method="highs")
        lo = round(res_lo.fun) if res_lo.status == 0 else np.nan
        hi = np.inf if res_hi.status == 3 else (round(-res_hi.fun) if res_hi.status == 0 else np.nan)
        lows.append(lo)
        highs.append(hi)
    return lows, highs


def _one_line_intervals(values, mask, primary, min_cell):
    """:func:`_solve_intervals` for a table of one column (plus its ``I alt`` column), exactly
    and without linear programming.

    Each row's two cells are the same number, known if either is shown; the rows' numbers add
    up to the total row's. What is left is one linear relation between the unknown rows and
    the total, each within the bounds of its hidden cells, and over a box the values one
    variable can take under one relation are an interval in closed form. (The report's tables
    are all of this shape: a few hundred LP solves per report otherwise.)
    """
    m = values.shape[0]
    lo = np.full(m, -np.inf)
    hi = np.full(m, np.inf)
    known = ~mask.all(axis=1)  # a row with a shown cell is known: its cells are equal
    for i, j in zip(*np.nonzero(mask)):
        lo[i] = max(lo[i], 1 if primary[i, j] else min_cell)
        hi[i] = min(hi[i], min_cell - 1 if primary[i, j] else np.inf)
    lo[known] = hi[known] = values[known, 0]
    # the relation: sum of the inner rows' numbers − the total row's number = 0; each term's
    # range is [lo, hi] (inner rows) or [−hi, −lo] (the total row)
    sign = np.ones(m)
    sign[-1] = -1.0
    t_lo = np.where(sign > 0, lo, -hi)
    t_hi = np.where(sign > 0, hi, -lo)

    def others(t, i):  # the sum of every term but the i-th (infinite if one of them is)
        rest = np.delete(t, i)
        return rest.sum() if np.isfinite(rest).all() else rest[~np.isfinite(rest)][0]

    lows, highs = [], []
    for i, j in zip(*np.nonzero(mask)):
        if known[i]:
            lows.append(round(values[i, 0]))
            highs.append(round(values[i, 0]))
            continue
        # this term = −(the others), the others ranging over [others_lo, others_hi]
        others_lo, others_hi = others(t_lo, i), others(t_hi, i)
        term_lo, term_hi = max(t_lo[i], -others_hi), min(t_hi[i], -others_lo)
        low, high = (term_lo, term_hi) if sign[i] > 0 else (-term_hi, -term_lo)
        lows.append(round(low))
        highs.append(np.inf if np.isinf(high) else round(high))
    return lows, highs


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
    lines = _lines((m, n))
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(bool(mask[c]) for c in line) == 1:
                c = _pick(values, mask, line, m, n)
                if c is not None:
                    mask[c] = True
                    changed = True


def suppress_table(counts: pd.DataFrame, min_cell: int = disclosure.DEFAULT_MIN_CELL,
                   totals: bool = True, hidden: pd.DataFrame | np.ndarray | None = None) -> SuppressedTable:
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
    values = table.to_numpy()
    primary = (values > 0) & (values < min_cell)
    mask = primary.copy()
    if hidden is not None:
        extra = np.asarray(hidden, dtype=bool)
        if extra.shape != counts.shape:
            raise ValueError(f"hidden must have the shape of counts {counts.shape}, not {extra.shape}")
        mask[: extra.shape[0], : extra.shape[1]] |= extra & (values[: extra.shape[0], : extra.shape[1]] >= min_cell)
    stuck: list[tuple[int, int]] = []
    if totals:
        m, n = values.shape
        for _ in range(values.size):
            _close_lines(values, mask)
            lows, highs = _intervals(values, mask, primary, min_cell, True)
            cells = list(zip(*np.nonzero(mask)))
            stuck = [c for c, lo, hi in zip(cells, lows, highs) if not lo < hi]
            if not stuck:
                break
            i, j = stuck[0]
            row = [(i, jj) for jj in range(n)]
            col = [(ii, j) for ii in range(m)]
            picks = [p for p in (_pick(values, mask, row, m, n), _pick(values, mask, col, m, n)) if p]
            if not picks:  # its lines are all hidden or zero: hide the smallest cell elsewhere
                picks = [tuple(int(x) for x in c) for c in zip(*np.nonzero(~mask & (values > 0)))]
            if not picks:
                break  # everything is hidden: only the symbols' own ranges are left
            mask[min(picks, key=lambda c: (values[c], c))] = True
    def frame(a: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(a, index=table.index, columns=table.columns)

    determined = tuple((table.index[i], table.columns[j]) for i, j in stuck)
    return SuppressedTable(table, frame(primary), frame(mask & ~primary), min_cell, totals, determined)


# -- the report's tables of counts and shares ----------------------------------------------


def _ints(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").fillna(0).round().astype("int64").to_numpy()


def protect_table(
    data: pd.DataFrame,
    *,
    counts: list[str],
    shares: dict[str, tuple[str, str]] | None = None,
    within: dict[str, str] | None = None,
    groups: list[tuple[list[str], str | None]] | None = None,
    min_cell: int = disclosure.DEFAULT_MIN_CELL,
    totals: bool = True,
    two_way: bool = False,
    secret: list[str] | None = None,
) -> Protection:
    """The cells of a report table of counts and shares of persons to hide *beyond* each
    figure's own rule, so that no hidden count can be worked out from what the table shows.

    A share is taken to show its numerator (share × denominator), so a share column is a column
    of counts here. Each figure's own rule (a count of 1 to ``min_cell - 1``; a share whose
    denominator is small or whose numerator or complement is small, see
    :func:`so_eval.disclosure.primary.share_hidden_reason`) is applied here too, to know what is hidden;
    the ledger applies it again when the figure is recorded. On top of it, until nothing changes:

    * ``within``: a count shown with the count it is part of in the same row (jobs of ended
      courses) is hidden where the difference is small;
    * a share and a count column that is its numerator are hidden together;
    * ``totals``: each column is protected against its total (assumed known: it is usually
      published elsewhere) by :func:`suppress_table` (one column and its total);
    * ``groups``: columns whose counts add up to a row's total (the end statuses of a row's ended
      courses; ``den`` names the total's count column, or None if the table does not show it) are
      protected against it row by row; where the row total itself must be hidden, its count
      (``den``) is hidden, or, if the table does not show it, the row's group cells are.

    Parameters
    ----------
    data
        One row per table row.
    counts
        Columns of counts of persons shown in the table.
    shares
        Share columns: column → (numerator column, denominator column).
    within, groups
        See above.
    two_way
        The count columns form one two-way table (steps at start × steps at end) whose grand
        total is published and whose row and column totals are not: it is protected as a whole
        by :func:`suppress_table` (instead of column by column); if even that would have to hide
        the grand total, its hidden counts are withheld.
    secret
        Columns whose total must not be known (it would give away a hidden figure published
        elsewhere, e.g. a year's count in a sum over the period): at least one cell is hidden.

    Returns
    -------
    Protection
        The cells hidden to protect others (secondary suppression) and the columns whose hidden
        counts cannot be shown even as «<5».
    """
    shares, within, groups = dict(shares or {}), dict(within or {}), list(groups or [])
    n, m = len(data), min_cell
    val = {c: _ints(data[c]) for c in counts}
    val.update({c: _ints(data[num]) for c, (num, _den) in shares.items()})
    own = {c: (v > 0) & (v < m) for c, v in val.items()}
    for c, (num, den) in shares.items():
        own[c] = np.array([disclosure.share_hidden_reason(a, b, m) is not None
                           for a, b in zip(data[num].tolist(), data[den].tolist())], dtype=bool)
    hidden = {c: np.zeros(n, dtype=bool) for c in val}
    withheld: set[str] = set()
    unprotectable: set[str] = set()
    for c in secret or []:  # its total must stay unknown: hide its smallest cell if none is hidden
        if c in val and not (own[c] & (val[c] > 0)).any() and (val[c] > 0).any():
            v = np.where(val[c] > 0, val[c], np.iinfo(np.int64).max)
            hidden[c][int(np.argmin(v))] = True
    for part, whole in within.items():
        if part in val and whole in val:
            small = np.array([disclosure.complement_small(a, b, m) for a, b in zip(val[part], val[whole])], bool)
            hidden[part] |= small & ~own[part] & ~own[whole]
    if two_way and n and counts:
        matrix = np.column_stack([val[c] for c in counts])
        if ((matrix > 0) & (matrix < m)).any():
            res = suppress_table(pd.DataFrame(matrix), m, totals=True)
            sec = res.secondary.to_numpy()
            for j, c in enumerate(counts):
                hidden[c] |= sec[:n, j]
            if not res.safe or sec[-1, -1]:
                withheld.update(counts)
                unprotectable.update(counts)
        totals = False  # the columns' totals are the table's own, not published
    for _ in range(4 * (len(val) + 1)):
        before = {c: h.copy() for c, h in hidden.items()}
        for c, (num, _den) in shares.items():  # a share and its numerator's count: hidden together
            if num in val:
                both = own[c] | hidden[c] | own[num] | hidden[num]
                hidden[c] |= both & ~own[c]
                hidden[num] |= both & ~own[num]
        for cols, den in groups:
            cols = [c for c in cols if c in val]
            for i in range(n):
                row = np.array([[val[c][i] for c in cols]])
                extra = np.array([[bool(own[c][i] or hidden[c][i]) and not (0 < val[c][i] < m) for c in cols]])
                if not (row[0] > 0).any() or not ((row[0] > 0) & (row[0] < m) | extra[0]).any():
                    continue
                res = suppress_table(pd.DataFrame(row, columns=range(len(cols))), m, totals=True, hidden=extra)
                sec = res.secondary.to_numpy()
                for k, c in enumerate(cols):
                    if sec[0, k] and not own[c][i]:
                        hidden[c][i] = True
                if res.mask.to_numpy()[0, -1]:  # the row total must not be known
                    if den is not None and den in val:
                        if not own[den][i]:
                            hidden[den][i] = True
                    else:
                        for c in cols:
                            if val[c][i] > 0 and not own[c][i]:
                                hidden[c][i] = True
        if totals and n >= 2:
            for c, v in val.items():
                mask = own[c] | hidden[c]
                if not (mask & (v > 0)).any():
                    continue
                extra = (mask & (v >= m)).reshape(-1, 1)
                res = suppress_table(pd.DataFrame({0: v}), m, totals=True, hidden=extra)
                hidden[c] |= res.secondary.iloc[:n, 0].to_numpy() & ~own[c]
                if (not res.safe or res.secondary.to_numpy()[-1].any()) and c not in (secret or []):
                    # protected only if its total (published elsewhere) were hidden too: the
                    # column's hidden counts are not shown at all, not even as «<5»
                    unprotectable.add(c)
                    if c in counts:
                        withheld.add(c)
        if all((hidden[c] == before[c]).all() for c in hidden):
            break
    masked = {c: own[c] | hidden[c] for c in val}
    return Protection(hidden, {c: masked[c] & (val[c] > 0) for c in withheld}, masked, frozenset(unprotectable))


@dataclass(frozen=True)
class Protection:
    """What :func:`protect_table` hides beyond each figure's own rule.

    Attributes
    ----------
    hidden
        Column → boolean array (one per row): True where the cell is hidden to protect another
        (secondary suppression; shown as "×" for a count, "–" for a share).
    withheld
        Column → boolean array: hidden counts (small or not) of a column that hiding cells cannot
        protect against its published total (five cells of «<5» adding up to 5 are all 1); they
        are shown as "–" (not shown), which says nothing about their size.
    """

    hidden: dict[str, np.ndarray]
    withheld: dict[str, np.ndarray]
    masked: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    """Column → True where the cell is not shown (its own rule or the above)."""
    unprotectable: frozenset = frozenset()
    """Columns (counts or shares) that hiding cells cannot protect against their published total
    (pool their rows instead: :func:`pool_unsafe`)."""

    def secondary(self, column: str, row: int) -> bool:
        return bool(self.hidden[column][row]) if column in self.hidden else False

    def withhold(self, column: str, row: int) -> bool:
        return bool(self.withheld[column][row]) if column in self.withheld else False


def pool_unsafe(data: pd.DataFrame, *, id_col: str, cols, sum_cols: list[str], other_id: str,
                min_cell: int = disclosure.DEFAULT_MIN_CELL) -> tuple[pd.DataFrame, int]:
    """Pool rows of a table whose columns cannot be protected against their published totals by
    hiding cells alone (five courses ended, one in each of five statuses, each shown as «<5»:
    five cells of at least 1 adding up to 5 are all 1; or two agreements, one without drop-outs,
    the other's hidden drop-outs = the published total). ``cols`` are the table's column
    specifications (:func:`protect_columns`). The rows hidden in such a column are added up into
    one row ``other_id`` (``sum_cols`` summed, other columns from the first pooled row; a row
    ``other_id`` already there is pooled with them; at least two rows: the smallest shown one
    joins a single hidden one), which comes last, until every column can be protected. Returns
    the table and the number of rows pooled, not counting an earlier pooled row (0: none).
    """
    data = data.reset_index(drop=True)
    n_units = 0
    for _ in range(len(data)):
        if len(data) < 2:
            break
        prot = protect_columns(data, cols, min_cell)
        if not prot.unprotectable:
            break
        pool = np.zeros(len(data), dtype=bool)
        for c in prot.unprotectable:
            pool |= prot.masked[c]
        existing = (data[id_col] == other_id).to_numpy()
        pool |= existing
        if pool.sum() < 2:  # one hidden row alone: the smallest other row joins it
            size = sum(_ints(data[c]) for c in sum_cols)
            order = np.argsort(size, kind="stable")
            pool[next(int(i) for i in order if not pool[i])] = True
        n_units += int((pool & ~existing).sum())
        pooled = data.loc[pool].iloc[0].to_dict()
        pooled.update({c: data.loc[pool, c].sum() for c in sum_cols})
        pooled[id_col] = other_id
        data = pd.concat([data.loc[~pool], pd.DataFrame([pooled])], ignore_index=True)
    return data, n_units


def protect_columns(data: pd.DataFrame, cols, min_cell: int = disclosure.DEFAULT_MIN_CELL,
                    totals: bool = True, two_way: bool = False, secret: list[str] | None = None) -> Protection:
    """:func:`protect_table` for a report table described by its column specifications
    (:class:`so_eval.reporting.table.Col` and the value section's like): objects with ``name``, ``kind``
    (count, share, ...), ``unit``, ``num``, ``den`` and optionally ``within`` and ``group``.
    Counts of other units than persons are not protected (they are not personal data)."""
    counts = [c.name for c in cols if c.kind == "count" and c.unit in disclosure.PERSON_UNITS and c.name in data]
    shares = {c.name: (c.num, c.den) for c in cols if c.kind == "share" and c.num in data and c.den in data}
    if not counts and not shares:
        return Protection({}, {})
    within = {c.name: c.within for c in cols if c.name in counts and getattr(c, "within", None) in counts}
    groups: dict[str, list[str]] = {}
    spec = {c.name: c for c in cols}
    for c in cols:
        names = getattr(c, "group", None) or ()
        for name in ((names,) if isinstance(names, str) else names):
            if c.name in counts or c.name in shares:
                groups.setdefault(name, []).append(c.name)
    group_list = []
    for names in groups.values():
        # the row total: the shares' denominator, or the count the members are all part of
        dens = {shares[n][1] if n in shares else getattr(spec[n], "within", None) for n in names}
        den = dens.pop() if len(dens) == 1 else None
        group_list.append((names, den if den in counts else None))
    return protect_table(data.reset_index(drop=True), counts=counts, shares=shares, within=within,
                         groups=group_list, min_cell=min_cell, totals=totals, two_way=two_way, secret=secret)


# -- statistics and the method text ----------------------------------------------------------


def publishable_stat(n: float | None, min_cell: int = disclosure.DEFAULT_MIN_CELL) -> bool:
    """True if a share, mean or median computed on ``n`` persons may be published (n ≥ min_cell).

    >>> publishable_stat(4), publishable_stat(5)
    (False, True)
    """
    return not disclosure.basis_too_small(n, min_cell)


def mask_stats(values: pd.Series, n: pd.Series, min_cell: int = disclosure.DEFAULT_MIN_CELL) -> pd.Series:
    """``values`` (shares, means, medians) with those computed on fewer than ``min_cell``
    persons set to missing; ``n`` holds the number of persons behind each value."""
    ok = pd.Series([publishable_stat(x, min_cell) for x in n], index=n.index)
    return values.where(ok.reindex(values.index, fill_value=False))


RULE_TEXT = (
    " I tabeller med totaler skjules desuden andre tal, vist som «" + SECONDARY_SYMBOL + "», så et "
    "skjult tal ikke kan regnes ud fra totalerne og de øvrige tal (sekundær diskretionering): hver "
    "række og kolonne med et skjult tal har mindst to skjulte tal, og det er kontrolleret, at "
    "intet skjult tal kan bestemmes entydigt. Andele, gennemsnit og medianer for grupper med færre "
    "end {m} borgere vises ikke. En andel og dens nævner giver tælleren (10 % af 10 afsluttede forløb "
    "er 1), så en andel vises kun, når både tælleren og resten (nævneren minus tælleren) er 0 eller "
    "mindst {m}, og den regnes med som et tal, når tabellen beskyttes. Det samme gælder to tal, hvor "
    "det ene er en del af det andet (afsluttede forløb og forløb med progression): er forskellen "
    "under {m}, skjules det ene. Kan de små tal ikke beskyttes ved at skjule andre (fx fem afsluttede "
    "forløb med hver sin status), lægges rækkerne sammen under »Øvrige«, eller tallene vises slet "
    "ikke (–). År, hvis tal er skjult, indgår ikke i fremskrivningerne, så de ikke kan regnes ud af "
    "den fremskrevne linje."
)


def hidden_text(counts: dict[str, int], min_cell: int = disclosure.DEFAULT_MIN_CELL) -> str:
    """How many of a report's figures were hidden and why, in Danish, from
    :meth:`so_eval.reporting.ledger.Ledger.suppression_counts` style numbers: ``small`` (counts shown as
    "<5"), ``secondary`` (counts shown as "×"), ``withheld`` (counts shown as "–"), ``basis``,
    ``reveals`` and ``protects`` (shares,
    means and medians not shown: on few persons, giving a small count away, protecting another).

    >>> hidden_text({"small": 3, "secondary": 2, "basis": 1, "reveals": 4, "protects": 0}, 5)[:60]
    'I denne rapport er 3 antal vist som «<5» (1 til 4 borgere el'
    """
    from so_eval import fmt

    mask, n = disclosure.masked(min_cell), lambda k: fmt.number(int(counts.get(k, 0)))
    stats = sum(int(counts.get(k, 0)) for k in ("basis", "reveals", "protects"))
    return (
        f"I denne rapport er {n('small')} antal vist som «{mask}» (1 til {min_cell - 1} borgere eller forløb), og "
        f"{n('secondary')} antal er skjult som «{SECONDARY_SYMBOL}», så de små tal ikke kan regnes ud af totaler og "
        f"andre tal."
        + (f" {n('withheld')} antal vises slet ikke (–), fordi selv skjulte tal ville afsløre hinanden sammen med "
           "totalen (fx fem afsluttede forløb med hver sin status)." if counts.get("withheld") else "")
        + f" {fmt.number(stats)} andele, gennemsnit og andre mål vises ikke (–): {n('basis')} fordi de "
        f"bygger på færre end {min_cell} borgere, {n('reveals')} fordi de sammen med deres nævner ville vise et antal "
        f"eller en rest under {min_cell}, og {n('protects')} fordi de ville afsløre et andet skjult tal. Det er prisen "
        "for at beskytte den enkelte borger: især andelene pr. samarbejdsaftale bygger ofte på få forløb."
    )


def rule_text(min_cell: int = disclosure.DEFAULT_MIN_CELL) -> str:
    """The disclosure rules in Danish, for the report's method section.

    >>> "sekundær diskretionering" in rule_text(5)
    True
    """
    return disclosure.rule_text(min_cell) + RULE_TEXT.format(m=min_cell)


__all__ = [
    "SECONDARY_SYMBOL",
    "TOTAL_LABEL",
    "Protection",
    "SuppressedTable",
    "hidden_text",
    "mask_stats",
    "pool_unsafe",
    "protect_columns",
    "protect_table",
    "publishable_stat",
    "rule_text",
    "suppress_table",
]
