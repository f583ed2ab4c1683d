"""Secondary suppression: a hidden count can no longer be worked back from the totals.

Each test builds a table where hiding only the small cell would be undone by the totals, and
checks with an independent solver (brute force, and scipy's linprog) that every hidden cell has
at least two values consistent with everything that is shown."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from so_eval.disclosure.secondary import (
    SECONDARY_SYMBOL,
    TOTAL_LABEL,
    mask_stats,
    publishable_stat,
    rule_text,
    suppress_table,
)

# -- an independent attacker -----------------------------------------------------------------


def relations(st_):
    """The published table's linear relations: each line of inner cells adds up to its total.

    Returns the hidden cells and, per line, (coefficients over hidden cells, right-hand side)."""
    values = st_.counts.to_numpy()
    mask = st_.mask.to_numpy()
    m, n = values.shape
    hidden = [(i, j) for i in range(m) for j in range(n) if mask[i, j]]
    idx = {c: k for k, c in enumerate(hidden)}
    lines = [[(i, j) for j in range(n)] for i in range(m)] + [[(i, j) for i in range(m)] for j in range(n)]
    eqs = []
    for line in lines:
        coef = np.zeros(len(hidden))
        rhs = 0.0
        for pos, c in enumerate(line):
            sign = -1.0 if pos == len(line) - 1 else 1.0  # inner cells minus the line's total
            if c in idx:
                coef[idx[c]] += sign
            else:
                rhs -= sign * values[c]
        eqs.append((coef, rhs))
    return hidden, eqs


def bounds(st_, hidden):
    """What an attacker knows: '<5' is 1..4, '×' is a count that was not small (≥ min_cell)."""
    m = st_.min_cell
    return [(1, m - 1) if st_.primary.iat[c] else (m, None) for c in hidden]


def lp_intervals(st_):
    hidden, eqs = relations(st_)
    a = np.array([c for c, _ in eqs])
    b = np.array([r for _, r in eqs])
    out = {}
    for k, cell in enumerate(hidden):
        obj = np.zeros(len(hidden))
        obj[k] = 1
        lo = linprog(obj, A_eq=a, b_eq=b, bounds=bounds(st_, hidden), method="highs")
        hi = linprog(-obj, A_eq=a, b_eq=b, bounds=bounds(st_, hidden), method="highs")
        assert lo.status == 0, "the true values must be feasible"
        out[cell] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return out


def brute_force(st_):
    """Every assignment of whole numbers to the hidden cells that fits the published table.

    A cell is at most any published total of its lines (or the grand total)."""
    hidden, eqs = relations(st_)
    values, mask = st_.counts.to_numpy(), st_.mask.to_numpy()
    m, n = values.shape

    def cap(i, j):
        shown = [values[c] for c in ((i, n - 1), (m - 1, j), (m - 1, n - 1)) if c != (i, j) and not mask[c]]
        return int(min(shown)) if shown else int(values.sum())

    ranges = [
        range(lo, (hi if hi is not None else cap(*c)) + 1)
        for c, (lo, hi) in zip(hidden, bounds(st_, hidden), strict=True)
    ]
    seen = {c: set() for c in hidden}
    for combo in itertools.product(*ranges):
        x = np.array(combo, dtype=float)
        if all(abs(coef @ x - rhs) < 1e-9 for coef, rhs in eqs):
            for c, v in zip(hidden, combo, strict=True):
                seen[c].add(v)
    return seen


def cell(st_, row, col):
    return (list(st_.counts.index).index(row), list(st_.counts.columns).index(col))


# -- hand-worked tables ----------------------------------------------------------------------

T1 = pd.DataFrame({"x": [3, 8, 15], "y": [10, 9, 6], "z": [12, 20, 7]}, index=["A", "B", "C"])


def test_primary_suppression_alone_would_be_undone_by_the_totals():
    t = suppress_table(T1)
    naive = type(t)(t.counts, t.primary, t.primary & False, t.min_cell, True)
    assert brute_force(naive)[cell(t, "A", "x")] == {3}  # 25 - 10 - 12: disclosed


def test_hand_worked_table():
    t = suppress_table(T1)
    assert t.safe and t.determined == ()
    assert t.display().to_dict("index") == {
        "A": {"x": "<5", "y": SECONDARY_SYMBOL, "z": "12", TOTAL_LABEL: "25"},
        "B": {"x": "×", "y": "×", "z": "20", TOTAL_LABEL: "37"},
        "C": {"x": "15", "y": "6", "z": "7", TOTAL_LABEL: "28"},
        TOTAL_LABEL: {"x": "26", "y": "25", "z": "39", TOTAL_LABEL: "90"},
    }
    assert t.primary.to_numpy().sum() == 1 and t.secondary.to_numpy().sum() == 3
    # A·x = t, A·y = 13 - t, B·x = 11 - t, B·y = 6 + t with t in 1..4 (worked by hand)
    want = {("A", "x"): {1, 2, 3, 4}, ("A", "y"): {9, 10, 11, 12}, ("B", "x"): {7, 8, 9, 10}, ("B", "y"): {7, 8, 9, 10}}
    found = brute_force(t)
    assert {k: found[cell(t, *k)] for k in want} == want
    assert {k: lp_intervals(t)[cell(t, *k)] for k in want} == {k: (min(v), max(v)) for k, v in want.items()}
    iv = t.intervals().set_index(["row", "column"])
    assert {k: (iv.loc[k, "low"], iv.loc[k, "high"]) for k in want} == {k: (min(v), max(v)) for k, v in want.items()}


def test_a_row_with_one_small_cell_and_zeros():
    t2 = pd.DataFrame({"x": [3, 6, 0], "y": [0, 8, 5], "z": [7, 9, 11]}, index=["A", "B", "C"])
    t = suppress_table(t2)
    assert t.display().loc["A"].tolist() == ["<5", "0", "×", "10"]  # zero shown, 7 hidden
    assert t.display().loc["B"].tolist() == ["×", "8", "×", "23"]
    assert not t.mask.loc[TOTAL_LABEL].any() and not t.mask[TOTAL_LABEL].any()
    found = brute_force(t)
    assert found[cell(t, "A", "x")] == {1, 2, 3, 4}
    assert found[cell(t, "A", "z")] == {6, 7, 8, 9}  # 10 - A·x
    assert found[cell(t, "B", "x")] == {5, 6, 7, 8}  # 9 - A·x
    assert found[cell(t, "B", "z")] == {7, 8, 9, 10}  # 6 + A·x


def test_a_small_row_total_is_suppressed_and_protected():
    t3 = pd.DataFrame({"x": [1, 6, 9], "y": [2, 7, 5], "z": [0, 8, 10]}, index=["A", "B", "C"])
    t = suppress_table(t3)
    assert t.primary.loc["A", TOTAL_LABEL]  # 3 persons in the row: a small count itself
    d = t.display()
    assert d.loc["A"].tolist() == ["<5", "<5", "0", "<5"]
    assert d.loc["B"].tolist() == ["×", "×", "8", "×"]
    assert d.loc[TOTAL_LABEL].tolist() == ["16", "14", "18", "48"]
    iv = lp_intervals(t)
    # by hand: A·x + B·x = 7, A·y + B·y = 9, A·x + A·y = A total ≤ 4, B·x, B·y ≥ 5
    assert iv[cell(t, "A", "x")] == (1, 2)
    assert iv[cell(t, "A", "y")] == (1, 3)
    assert iv[cell(t, "A", TOTAL_LABEL)] == (2, 4)


def test_a_column_with_a_single_small_cell_in_a_two_row_table():
    t4 = pd.DataFrame({"x": [2, 40], "y": [30, 50]}, index=["A", "B"])
    t = suppress_table(t4)
    assert all(lo < hi for lo, hi in lp_intervals(t).values())
    assert t.mask.to_numpy().sum() >= 4


def test_display_numbers_and_symbols():
    t = suppress_table(pd.DataFrame({"x": [1234, 0], "y": [5, 7]}, index=["A", "B"]), min_cell=10)
    d = t.display()
    assert d.loc["A", "x"] == "1.234"
    assert d.loc["A", "y"] == "<10" and d.loc["B", "y"] == "<10"
    assert d.loc["B", "x"] == "0"
    assert d.loc[TOTAL_LABEL, TOTAL_LABEL] == "1.246"
    assert t.published().loc["A", "y"] is pd.NA


def test_without_totals_only_the_primary_rule_applies():
    t = suppress_table(T1, totals=False)
    assert TOTAL_LABEL not in t.counts.columns and TOTAL_LABEL not in t.counts.index
    assert t.display().loc["A"].tolist() == ["<5", "10", "12"]
    assert not t.secondary.to_numpy().any()


def test_bad_input():
    with pytest.raises(ValueError):
        suppress_table(pd.DataFrame({"x": [1, -1]}))
    with pytest.raises(ValueError):
        suppress_table(pd.DataFrame({"x": [1.5, 2]}))
    with pytest.raises(ValueError):
        suppress_table(pd.DataFrame({"x": [1, None]}))
    with pytest.raises(ValueError, match="I alt"):
        suppress_table(pd.DataFrame({"I alt": [1, 2]}))


def test_statistics_on_small_groups_are_not_published():
    assert not publishable_stat(4) and publishable_stat(5)
    assert not publishable_stat(9, min_cell=10) and publishable_stat(10, min_cell=10)
    assert not publishable_stat(None) and not publishable_stat(float("nan"))
    shares = pd.Series([0.5, 0.25, 0.8], index=["a", "b", "c"])
    n = pd.Series([10, 4, 5], index=["a", "b", "c"])
    out = mask_stats(shares, n, 5)
    assert out["a"] == 0.5 and np.isnan(out["b"]) and out["c"] == 0.8


def test_rule_text_is_danish_and_names_both_symbols():
    text = rule_text(5)
    assert "«<5»" in text and "«×»" in text and "sekundær diskretionering" in text
    assert "færre end 5 borgere" in text
    assert "«<10»" in rule_text(10)


# -- any table -------------------------------------------------------------------------------

counts = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 40))


@settings(max_examples=40, deadline=None, database=None)
@given(
    st.integers(2, 5).flatmap(
        lambda m: st.integers(2, 5).flatmap(
            lambda n: st.lists(st.lists(counts, min_size=n, max_size=n), min_size=m, max_size=m)
        )
    )
)
def test_no_suppressed_cell_is_determined_in_any_table(rows):
    table = pd.DataFrame(
        rows, index=[f"r{i}" for i in range(len(rows))], columns=[f"c{j}" for j in range(len(rows[0]))]
    )
    t = suppress_table(table)
    values, mask, prim = t.counts.to_numpy(), t.mask.to_numpy(), t.primary.to_numpy()
    assert ((values > 0) & (values < 5) == prim).all()  # the primary rule, totals included
    assert not (mask & (values == 0)).any()  # zeros are shown
    m, n = values.shape
    for line in [mask[i, :] for i in range(m)] + [mask[:, j] for j in range(n)]:
        assert line.sum() != 1  # never a lone hidden cell in a line
    if not t.safe:  # only a table with every non-zero cell hidden can stay unsafe
        assert (mask | (values == 0)).all()
        return
    for c, (lo, hi) in lp_intervals(t).items():
        assert lo < hi, f"cell {c} is determined: {lo}"


def test_a_table_too_small_to_protect_is_flagged():
    t = suppress_table(pd.DataFrame({"x": [1], "y": [1]}, index=["A"]), min_cell=3)
    assert t.mask.to_numpy().all()  # everything is hidden, and still:
    assert not t.safe  # 2 persons (<3) in two non-empty cells: 1 and 1
    assert set(t.determined) >= {("A", "x"), ("A", "y")}
    assert suppress_table(T1).safe


# -- the closed form for one-column and one-row tables ---------------------------------------


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(counts, min_size=1, max_size=6), st.data(), st.sampled_from([3, 5]), st.booleans())
def test_one_line_intervals_equal_the_linear_programs(column, data, min_cell, as_row):
    """Tables of one column (the report's kind) or one row get their intervals in closed form;
    on any hiding pattern (zeros shown, small counts hidden) they equal the LP's."""
    from so_eval.disclosure import intervals

    inner = np.array(column, dtype=float)[:, None]
    values = np.vstack([np.hstack([inner, inner]), [[inner.sum(), inner.sum()]]])
    primary = (values > 0) & (values < min_cell)
    extra = np.array(data.draw(st.lists(st.booleans(), min_size=values.size, max_size=values.size)))
    mask = primary | (extra.reshape(values.shape) & (values > 0))
    if as_row:
        values, primary, mask = values.T.copy(), primary.T.copy(), mask.T.copy()
    closed = intervals.solve_intervals(values, mask, primary, min_cell, True)
    assert closed == intervals.lp_intervals(values, mask, primary, min_cell)


def test_one_column_intervals_worked_by_hand():
    """Counts 3, 7, 2 (total 12), min 5: '<5' rows A and C hidden with their row totals, the
    grand total shown. A + C = 12 − 7 = 5 with each 1..4: A is 1..4 and C is 1..4."""
    from so_eval.disclosure import intervals

    values = np.array([[3, 3], [7, 7], [2, 2], [12, 12]], dtype=float)
    primary = (values > 0) & (values < 5)
    lows, highs = intervals.solve_intervals(values, primary, primary, 5, True)
    assert (lows, highs) == ([1, 1, 1, 1], [4, 4, 4, 4])
    # showing B's total as well leaves nothing to hide behind if only A is hidden: A = 12 − 7 − 2
    mask = np.zeros_like(primary)
    mask[0] = True
    lows, highs = intervals.solve_intervals(values, mask, primary, 5, True)
    assert (lows, highs) == ([3, 3], [3, 3])
    # hide B (a '×', at least 5) and the totals too: A + B + C = T, T unknown ≥ 5
    mask = primary.copy()
    mask[1] = mask[3] = True
    lows, highs = intervals.solve_intervals(values, mask, primary, 5, True)
    assert lows == [1, 1, 5, 5, 1, 1, 7, 7] and highs[:2] == [4, 4] and np.isinf(highs[2])
    assert np.isinf(highs[6])
