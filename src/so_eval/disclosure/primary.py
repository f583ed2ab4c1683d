"""Statistical disclosure control for published figures.

Primary rule (``disclosure.min_cell`` in params, default 5): a count of citizens from 1 up to
``min_cell - 1`` is published as ``"<5"``; a share, mean or other statistic computed on fewer
than ``min_cell`` citizens is not published. Zero is published: it is a structural fact about a
group, not about a person. Counts of enterprises, agreements and money are not personal data and
are published as they are.

A share gives its numerator away (share × denominator, whatever the rounding: the denominator is
published somewhere, and ``figures.csv`` holds six decimals), and with it the complement
(denominator − numerator). So a share is published only where the numerator and the complement
are both 0 or at least ``min_cell`` and the denominator is at least ``min_cell``
(:func:`share_hidden_reason`). For the same reason a shown count that is part of another shown
count (progressed of ended) is hidden when the difference is small (:func:`complement_small`).
Tables are protected against their totals by :mod:`so_eval.disclosure.secondary`.
"""

from __future__ import annotations

import math

import pandas as pd

PERSON_UNITS = frozenset({"borgere", "forløb"})
"""Units that count persons (a course is one citizen's course)."""

RULE_TEXT = (
    "Antal borgere (og forløb) fra 1 til {m_1} vises som «<{m}», og andele, gennemsnit og "
    "ændringer beregnet på færre end {m} borgere vises ikke (–). Nul vises. Antal virksomheder, "
    "aftaler og beløb er ikke personoplysninger og vises uændret."
)


def rule_text(min_cell: int) -> str:
    """The primary rule in Danish, for the report's method section."""
    return RULE_TEXT.format(m=min_cell, m_1=min_cell - 1)


def count_suppressed(n: float | int | None, min_cell: int) -> bool:
    """True if a count of persons ``n`` must not be published (0 < n < min_cell)."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return False
    return 0 < n < min_cell


def basis_too_small(n: float | int | None, min_cell: int) -> bool:
    """True if a statistic computed on ``n`` persons must not be published (n < min_cell)."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return True
    return n < min_cell


def _whole(n) -> int | None:
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return None
    return round(float(n))


def complement_small(part, whole, min_cell: int) -> bool:
    """True if ``whole − part`` is a count of 1 to ``min_cell - 1`` persons: showing both
    ``part`` and ``whole`` would give it away (ended − progressed = not progressed).

    >>> complement_small(7, 10, 5), complement_small(5, 10, 5), complement_small(10, 10, 5)
    (True, False, False)
    """
    p, w = _whole(part), _whole(whole)
    if p is None or w is None:
        return False
    return count_suppressed(w - p, min_cell)


def share_hidden_reason(numerator, denominator, min_cell: int) -> str | None:
    """Why a share ``numerator ÷ denominator`` of persons must not be published, or None.

    ``"basis"``: the denominator is below ``min_cell``; ``"reveals"``: the numerator or the
    complement (denominator − numerator) is a count of 1 to ``min_cell - 1`` persons, which the
    share and its denominator would give away.

    >>> share_hidden_reason(1, 10, 5), share_hidden_reason(9, 10, 5), share_hidden_reason(0, 10, 5)
    ('reveals', 'reveals', None)
    >>> share_hidden_reason(3, 4, 5), share_hidden_reason(5, 10, 5)
    ('basis', None)
    """
    if basis_too_small(denominator, min_cell):
        return "basis"
    if count_suppressed(_whole(numerator), min_cell) or complement_small(numerator, denominator, min_cell):
        return "reveals"
    return None


def masked(min_cell: int) -> str:
    """The text shown instead of a suppressed count: ``"<5"``."""
    return f"<{min_cell}"


def pool_small(
    data,
    *,
    id_col: str,
    basis: str,
    min_cell: int,
    other_id: str,
    sum_cols: list[str],
):
    """Keep the rows whose ``basis`` count reaches ``min_cell`` and pool the others into one row.

    Pooling small units into "Øvrige …" publishes their combined figure instead of a column of
    "<5" cells; shares and means for the pooled row must be recomputed from the summed columns.
    Returns ``(kept_and_pooled, n_pooled)``; the pooled row (if any) comes last with ``id_col``
    set to ``other_id``. If exactly one unit would be pooled, nothing is pooled (its figures
    would be its own) and the caller's per-cell suppression applies.
    """
    small = data[basis] < min_cell
    n_small = int(small.sum())
    if n_small < 2:
        return data.reset_index(drop=True), 0
    kept = data.loc[~small]
    pooled = {c: data.loc[small, c].sum() for c in sum_cols}
    pooled[id_col] = other_id
    return pd.concat([kept, pd.DataFrame([pooled])], ignore_index=True), n_small
