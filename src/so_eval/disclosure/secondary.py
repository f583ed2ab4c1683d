"""Statistical disclosure control for tables of counts: primary *and* secondary suppression.

The primary rule (:mod:`so_eval.disclosure.primary`) hides counts of 1 to ``min_cell - 1`` persons. In a
table that also shows row and column totals that is not enough: a single hidden cell in a row is
the row total minus the other cells. :func:`suppress_table` therefore also hides other cells
(*secondary suppression*) until no hidden value can be worked back from what is shown.

- :func:`suppress_table` and :class:`SuppressedTable` -- one two-way table with its totals (the
  algorithm: :mod:`so_eval.disclosure.two_way`, the attacker's bounds:
  :mod:`so_eval.disclosure.intervals`; re-exported here);
- :func:`protect_table`, :func:`protect_columns`, :func:`pool_unsafe` -- a report table of counts and
  shares, column by column, against its totals;
- :func:`publishable_stat`, :func:`mask_stats` -- shares, means and medians on few persons;
- :func:`rule_text`, :func:`hidden_text` -- the rules and what they hid, in Danish, for the report.

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

from so_eval import disclosure, fmt
from so_eval.disclosure.two_way import SECONDARY_SYMBOL, TOTAL_LABEL, SuppressedTable, suppress_table

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
    secret = list(secret or [])
    cells = _Cells.of(data, counts, shares, min_cell)
    cells.hide_secret(secret)
    cells.hide_within(within)
    if two_way and cells.n and counts:
        cells.protect_two_way(counts)
        totals = False  # the columns' totals are the table's own, not published
    for _ in range(4 * (len(cells.val) + 1)):
        before = {c: h.copy() for c, h in cells.hidden.items()}
        cells.hide_with_numerators(shares)
        for cols, den in groups:
            cells.protect_group(cols, den)
        if totals and cells.n >= 2:
            cells.protect_against_totals(counts, secret)
        if all((cells.hidden[c] == before[c]).all() for c in cells.hidden):
            break
    return cells.protection()


@dataclass
class _Cells:
    """The state of :func:`protect_table`: each column's counts (``val``; a share's: its numerator),
    the cells its own rule hides (``own``), those hidden to protect others (``hidden``), the number
    of rows ``n``, and the columns withheld or unprotectable."""

    val: dict[str, np.ndarray]
    own: dict[str, np.ndarray]
    hidden: dict[str, np.ndarray]
    n: int
    min_cell: int
    withheld: set[str] = dataclasses.field(default_factory=set)
    unprotectable: set[str] = dataclasses.field(default_factory=set)

    @classmethod
    def of(cls, data: pd.DataFrame, counts: list[str], shares: dict[str, tuple[str, str]], m: int) -> _Cells:
        """Each column's counts and the cells its own rule hides; nothing hidden beyond it yet."""
        val = {c: _ints(data[c]) for c in counts}
        val.update({c: _ints(data[num]) for c, (num, _den) in shares.items()})
        own = {c: (v > 0) & (v < m) for c, v in val.items()}
        for c, (num, den) in shares.items():
            own[c] = np.array(
                [
                    disclosure.share_hidden_reason(a, b, m) is not None
                    for a, b in zip(data[num].tolist(), data[den].tolist(), strict=True)
                ],
                dtype=bool,
            )
        return cls(val, own, {c: np.zeros(len(data), dtype=bool) for c in val}, len(data), m)

    def hide_secret(self, secret: list[str]) -> None:
        """A column whose total must stay unknown: hide its smallest cell if none is hidden."""
        for c in secret:
            val, own = self.val.get(c), self.own.get(c)
            if val is not None and not (own & (val > 0)).any() and (val > 0).any():
                v = np.where(val > 0, val, np.iinfo(np.int64).max)
                self.hidden[c][int(np.argmin(v))] = True

    def hide_within(self, within: dict[str, str]) -> None:
        """A count shown with the count it is part of: hidden where the difference is small."""
        m = self.min_cell
        for part, whole in within.items():
            if part in self.val and whole in self.val:
                small = np.array(
                    [
                        disclosure.complement_small(a, b, m)
                        for a, b in zip(self.val[part], self.val[whole], strict=True)
                    ],
                    bool,
                )
                self.hidden[part] |= small & ~self.own[part] & ~self.own[whole]

    def protect_two_way(self, counts: list[str]) -> None:
        """The count columns as one two-way table whose grand total is published (:func:`suppress_table`)."""
        m = self.min_cell
        matrix = np.column_stack([self.val[c] for c in counts])
        if ((matrix > 0) & (matrix < m)).any():
            res = suppress_table(pd.DataFrame(matrix), m, totals=True)
            sec = res.secondary.to_numpy()
            for j, c in enumerate(counts):
                self.hidden[c] |= sec[: self.n, j]
            if not res.safe or sec[-1, -1]:
                self.withheld.update(counts)
                self.unprotectable.update(counts)

    def hide_with_numerators(self, shares: dict[str, tuple[str, str]]) -> None:
        """A share and its numerator's count: hidden together."""
        own, hidden = self.own, self.hidden
        for c, (num, _den) in shares.items():
            if num in self.val:
                both = own[c] | hidden[c] | own[num] | hidden[num]
                hidden[c] |= both & ~own[c]
                hidden[num] |= both & ~own[num]

    def protect_group(self, cols: list[str], den: str | None) -> None:
        """Columns adding up to each row's total (``den``'s count, or None if not shown): protected row by row."""
        cols = [c for c in cols if c in self.val]
        for i in range(self.n):
            self._protect_group_row(cols, den, i)

    def _protect_group_row(self, cols: list[str], den: str | None, i: int) -> None:
        m, val, own, hidden = self.min_cell, self.val, self.own, self.hidden
        row = np.array([[val[c][i] for c in cols]])
        extra = np.array([[bool(own[c][i] or hidden[c][i]) and not (0 < val[c][i] < m) for c in cols]])
        if not (row[0] > 0).any() or not ((row[0] > 0) & (row[0] < m) | extra[0]).any():
            return
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

    def protect_against_totals(self, counts: list[str], secret: list[str]) -> None:
        """Each column protected against its total (assumed published elsewhere)."""
        m, n = self.min_cell, self.n
        for c, v in self.val.items():
            mask = self.own[c] | self.hidden[c]
            if not (mask & (v > 0)).any():
                continue
            extra = (mask & (v >= m)).reshape(-1, 1)
            res = suppress_table(pd.DataFrame({0: v}), m, totals=True, hidden=extra)
            self.hidden[c] |= res.secondary.iloc[:n, 0].to_numpy() & ~self.own[c]
            if (not res.safe or res.secondary.to_numpy()[-1].any()) and c not in secret:
                # protected only if its total (published elsewhere) were hidden too: the
                # column's hidden counts are not shown at all, not even as «<5»
                self.unprotectable.add(c)
                if c in counts:
                    self.withheld.add(c)

    def protection(self) -> Protection:
        """What was hidden, as :class:`Protection`."""
        masked = {c: self.own[c] | self.hidden[c] for c in self.val}
        withheld = {c: masked[c] & (self.val[c] > 0) for c in self.withheld}
        return Protection(self.hidden, withheld, masked, frozenset(self.unprotectable))


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


def pool_unsafe(
    data: pd.DataFrame,
    *,
    id_col: str,
    cols,
    sum_cols: list[str],
    other_id: str,
    min_cell: int = disclosure.DEFAULT_MIN_CELL,
) -> tuple[pd.DataFrame, int]:
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


def protect_columns(
    data: pd.DataFrame,
    cols,
    min_cell: int = disclosure.DEFAULT_MIN_CELL,
    totals: bool = True,
    two_way: bool = False,
    secret: list[str] | None = None,
) -> Protection:
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
        for name in (names,) if isinstance(names, str) else names:
            if c.name in counts or c.name in shares:
                groups.setdefault(name, []).append(c.name)
    group_list = []
    for names in groups.values():
        # the row total: the shares' denominator, or the count the members are all part of
        dens = {shares[n][1] if n in shares else getattr(spec[n], "within", None) for n in names}
        den = dens.pop() if len(dens) == 1 else None
        group_list.append((names, den if den in counts else None))
    return protect_table(
        data.reset_index(drop=True),
        counts=counts,
        shares=shares,
        within=within,
        groups=group_list,
        min_cell=min_cell,
        totals=totals,
        two_way=two_way,
        secret=secret,
    )


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
    mask, n = disclosure.masked(min_cell), lambda k: fmt.number(int(counts.get(k, 0)))
    stats = sum(int(counts.get(k, 0)) for k in ("basis", "reveals", "protects"))
    return (
        f"I denne rapport er {n('small')} antal vist som «{mask}» (1 til {min_cell - 1} borgere eller forløb), og "
        f"{n('secondary')} antal er skjult som «{SECONDARY_SYMBOL}», så de små tal ikke kan regnes ud af totaler og "
        f"andre tal."
        + (
            f" {n('withheld')} antal vises slet ikke (–), fordi selv skjulte tal ville afsløre hinanden sammen med "
            "totalen (fx fem afsluttede forløb med hver sin status)."
            if counts.get("withheld")
            else ""
        )
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
