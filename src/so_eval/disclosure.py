"""Statistical disclosure control for published figures.

Primary rule (``disclosure.min_cell`` in params, default 5): a count of citizens from 1 up to
``min_cell - 1`` is published as ``"<5"``; a share, mean or other statistic computed on fewer
than ``min_cell`` citizens is not published. Zero is published: it is a structural fact about a
group, not about a person. Counts of enterprises, agreements and money are not personal data and
are published as they are.
"""

from __future__ import annotations

import math

DEFAULT_MIN_CELL = 5

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


def masked(min_cell: int) -> str:
    """The text shown instead of a suppressed count: ``"<5"``."""
    return f"<{min_cell}"
