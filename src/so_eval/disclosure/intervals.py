"""The attacker's side of secondary suppression: what a hidden cell can be, given what is shown.

For each hidden cell of a table extended with its totals (see :mod:`so_eval.disclosure.secondary`),
the smallest and largest value consistent with every shown cell and line total, assuming an
attacker knows that a ``<5`` cell holds 1 to ``min_cell - 1`` and a ``×`` cell at least
``min_cell``: by linear programming (``scipy.optimize.linprog``; the constraint matrix of a two-way
table is totally unimodular, so the bounds are whole numbers and feasible), or in closed form for a
table of one column or one row. A hidden cell is safe only while its smallest and largest value
differ.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog


def table_lines(shape: tuple[int, int]) -> list[list[tuple[int, int]]]:
    """The rows, then the columns, of a table of ``shape`` as lists of cells (the last cell: the line's total)."""
    m, n = shape
    return [[(i, j) for j in range(n)] for i in range(m)] + [[(i, j) for i in range(m)] for j in range(n)]


def _constraints(values: np.ndarray, mask: np.ndarray):
    """Rows of A_eq and b_eq over the suppressed cells (the extended table's line relations)."""
    m, n = values.shape
    cells = list(zip(*np.nonzero(mask), strict=True))
    index = {c: k for k, c in enumerate(cells)}
    a_rows, b = [], []
    for line in table_lines((m, n)):
        # the last cell of each line is its total: inner cells add up to it
        coef = [1.0] * (len(line) - 1) + [-1.0]
        row = np.zeros(len(cells))
        rhs = 0.0
        for c, s in zip(line, coef, strict=True):
            if c in index:
                row[index[c]] += s
            else:
                rhs -= s * values[c]
        if row.any():
            a_rows.append(row)
            b.append(rhs)
    return cells, np.array(a_rows), np.array(b)


_SOLVED: dict[tuple, tuple[list, list]] = {}
"""Feasibility intervals already solved in this process (a report's tables recur: last year's
figures are recomputed twice for the corrections)."""


def feasible_intervals(values, mask, primary, min_cell, totals):
    """Smallest and largest feasible value of each suppressed cell (in row-major order)."""
    values, mask, primary = np.asarray(values, dtype=float), np.asarray(mask, bool), np.asarray(primary, bool)
    key = (values.shape, values.tobytes(), mask.tobytes(), primary.tobytes(), int(min_cell), bool(totals))
    if key not in _SOLVED:
        if len(_SOLVED) > 1024:
            _SOLVED.clear()
        _SOLVED[key] = solve_intervals(values, mask, primary, min_cell, totals)
    lows, highs = _SOLVED[key]
    return list(lows), list(highs)


def solve_intervals(values, mask, primary, min_cell, totals):
    """:func:`feasible_intervals` without the cache: in closed form for one column or one row, else by
    :func:`lp_intervals`."""
    cells = list(zip(*np.nonzero(mask), strict=True))
    if not cells:
        return [], []
    if not totals:  # nothing links the cells: each is known only by its bounds
        return ([1 if primary[c] else min_cell for c in cells], [min_cell - 1 if primary[c] else np.inf for c in cells])
    if values.shape[1] == 2:  # one column of counts and its total column
        return one_line_intervals(values, mask, primary, min_cell)
    if values.shape[0] == 2:  # one row: the same relations, transposed
        lows, highs = one_line_intervals(values.T, mask.T, primary.T, min_cell)
        order = sorted(range(len(cells)), key=lambda k: (cells[k][1], cells[k][0]))  # column-major
        back = {k: pos for pos, k in enumerate(order)}
        return [lows[back[k]] for k in range(len(cells))], [highs[back[k]] for k in range(len(cells))]
    return lp_intervals(values, mask, primary, min_cell)


def lp_intervals(values, mask, primary, min_cell):
    """Each suppressed cell's smallest and largest feasible value by linear programming."""
    cells, a_eq, b_eq = _constraints(values, mask)
    bounds = [(1, min_cell - 1) if primary[c] else (min_cell, None) for c in cells]
    lows, highs = [], []
    for k in range(len(cells)):
        c = np.zeros(len(cells))
        c[k] = 1.0
        res_lo = linprog(
            c, A_eq=a_eq if len(a_eq) else None, b_eq=b_eq if len(b_eq) else None, bounds=bounds, method="highs"
        )
        res_hi = linprog(
            -c, A_eq=a_eq if len(a_eq) else None, b_eq=b_eq if len(b_eq) else None, bounds=bounds, method="highs"
        )
        lo = round(res_lo.fun) if res_lo.status == 0 else np.nan
        hi = np.inf if res_hi.status == 3 else (round(-res_hi.fun) if res_hi.status == 0 else np.nan)
        lows.append(lo)
        highs.append(hi)
    return lows, highs


def one_line_intervals(values, mask, primary, min_cell):
    """:func:`solve_intervals` for a table of one column (plus its ``I alt`` column), exactly
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
    for i, j in zip(*np.nonzero(mask), strict=True):
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
    for i, _j in zip(*np.nonzero(mask), strict=True):
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
