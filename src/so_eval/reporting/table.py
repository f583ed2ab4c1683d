"""Ledger-backed tables: each cell recorded as a figure, protected against small counts and totals.

:class:`Col` describes a column; :func:`ledger_table` records every cell of a frame in the
ledger and returns the :class:`~so_eval.reporting.blocks.Table` of their display values.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from so_eval import fmt
from so_eval import glossary as g
from so_eval.disclosure import secondary as sdc
from so_eval.reporting.blocks import Table
from so_eval.reporting.ledger import Ledger


@dataclass(frozen=True)
class Col:
    """One column of a ledger-backed table."""

    name: str
    label: str
    kind: str = "count"  # count | share | stat | value | text
    unit: str = "borgere"
    num: str | None = None
    den: str | None = None
    basis: str | None = None
    within: str | None = None
    """A count column this count is part of (jobs of ended courses): where the difference is
    small, this count is hidden (:func:`so_eval.disclosure.secondary.protect_table`)."""
    group: str | tuple[str, ...] | None = None
    """Columns with the same group add up to a row total (the end statuses of ended courses: the
    shares' denominator, or the count column they are all ``within``) and are protected against
    it row by row."""


def ledger_table(
    ledger: Ledger,
    data: pd.DataFrame,
    *,
    key: str,
    id_col: str,
    id_label: str,
    cols: list[Col],
    caption: str = "",
    note: str = "",
    id_text=None,
    what: str | None = None,
    protect_totals: bool = True,
    two_way: bool = False,
    secret: list[str] | None = None,
) -> Table:
    """Record every cell of ``data`` in the ledger (key ``{key}.{id}.{col}``) and return the
    table of their display values, suppressed cells masked.

    Each figure's suppression is decided before it is recorded, in one place
    (:func:`so_eval.disclosure.secondary.protect_table`): a share shows its numerator, so it is hidden where its
    numerator or complement is small; with ``protect_totals`` each column of counts (and of
    shares, as counts) is also protected against its total (which the report publishes
    elsewhere) and grouped columns against their row total: secondary suppression, the hidden
    counts shown as "×", the hidden shares as "–". With ``two_way`` the count columns are one
    two-way table with only its grand total published, and the totals of the ``secret`` columns
    must not be known (:func:`so_eval.disclosure.secondary.protect_table`).
    """
    secondary = sdc.protect_columns(data, cols, ledger.min_cell, totals=protect_totals, two_way=two_way, secret=secret)
    rows = []
    for i, rec in enumerate(data.to_dict("records")):
        rid = rec[id_col]
        shown = id_text(rec) if id_text else g.category_label(rid)
        out = {id_label: shown}
        for c in cols:
            k = f"{key}.{fmt.slug(rid)}.{c.name}"
            label = f"{what or c.label}: {shown}"
            hide = secondary.secondary(c.name, i)
            if c.kind == "count":
                f = ledger.count(k, rec[c.name], label, c.unit, secondary=hide, withheld=secondary.withhold(c.name, i))
            elif c.kind == "share":
                f = ledger.share(k, rec[c.num], rec[c.den], label, hidden=hide)
            elif c.kind == "stat":
                f = ledger.stat(k, rec[c.name], rec[c.basis], label, c.unit)
            elif c.kind == "value":
                f = ledger.value(k, rec[c.name], label, c.unit)
            else:
                out[c.label] = rec[c.name]
                continue
            out[c.label] = f.display
        rows.append(out)
    columns = [id_label] + [c.label for c in cols]
    return Table(pd.DataFrame(rows, columns=columns), caption=caption, note=note)
