""":class:`ValueSection`: Værdiskabelse as the list of its subsections, recorded in order when it
is built and shown in order by :meth:`ValueSection.block`."""

from __future__ import annotations

from typing import Any, TypeVar

import pandas as pd

from so_eval.annual.sections.value.base import Subsection, ValueContext
from so_eval.annual.sections.value.bottom_lines import BottomLines
from so_eval.annual.sections.value.fundraising import Fundraising
from so_eval.annual.sections.value.mosaic import Mosaic
from so_eval.annual.sections.value.pilots import Pilots
from so_eval.annual.sections.value.sdg import SdgCircular
from so_eval.annual.sections.value.sroi import Sroi
from so_eval.annual.sections.value.survival import Survival
from so_eval.data.dataset import Dataset
from so_eval.params import ReportParams
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Ledger

__all__ = ["KEY_PREFIXES", "SUBSECTIONS", "ValueSection"]

SUBSECTIONS: tuple[type[Subsection], ...] = (Mosaic, BottomLines, Fundraising, Pilots, Survival, SdgCircular, Sroi)
"""The subsections in the order they are recorded and shown (the mosaic economy measures how
complete the accounts are, which the three bottom lines use)."""

KEY_PREFIXES: tuple[str, ...] = (
    "value.mosaic.",
    "value.bottom_lines.",
    "value.fundraising.",
    "value.fundraiser.",
    "value.donors.",
    "value.pilots.",
    "value.survival.",
    "value.sdg.",
    "value.circular.",
    "value.sroi.",
    "completeness.finances.",
    "completeness.circular.",
)
"""The key prefixes :class:`ValueSection` records under (none is used by the reach figures)."""

S = TypeVar("S", bound=Subsection)


class ValueSection:
    """Value creation (Værdiskabelse) for one year: figures recorded at construction, content by :meth:`block`.

    Parameters
    ----------
    ds
        The dataset.
    params
        The report's parameters (``year``, ``min_cell``, ``strategy_period`` and the ``value``
        block: ``dependency_share`` and ``sroi``).
    ledger
        The report's ledger; every figure shown is recorded in it under ``value.*``.
    effect
        The headline effect estimate (:class:`~so_eval.effects.att.AttResult`: ``att``,
        ``ci_low``, ``ci_high`` in shares of weeks, ``n_treated``), or None.
    effect_spec
        Its specification (``horizon`` like ``"1-26"``), or None.
    """

    def __init__(
        self, ds: Dataset, params: ReportParams, ledger: Ledger, *, effect: Any = None, effect_spec: Any = None
    ) -> None:
        self.ds, self.params, self.ledger = ds, params, ledger
        self.effect, self.effect_spec = effect, effect_spec
        self.context = ValueContext.build(ds, params, effect=effect, effect_spec=effect_spec)
        self.year, self.min_cell = self.context.year, self.context.min_cell
        self.subsections: list[Subsection] = [kind(self.context) for kind in SUBSECTIONS]
        for part in self.subsections:
            part.record(ledger)

    def subsection(self, kind: type[S]) -> S:
        """The subsection of class ``kind`` (``section.subsection(Sroi)``)."""
        return next(part for part in self.subsections if isinstance(part, kind))

    def block(self) -> Block:
        """The report's value-creation content after the reach figures (### sub-sections)."""
        b = Block()
        for part in self.subsections:
            b.extend(part.block())
        return b

    # -- reading figures and tables back ----------------------------------------------------

    def f(self, key: str) -> str:
        """A figure's display text."""
        return self.ledger[key].display

    def v(self, key: str) -> Any:
        """A figure's value (None when suppressed)."""
        fig = self.ledger[key]
        return None if fig.suppressed else fig.value

    @property
    def completeness(self) -> dict[str, pd.DataFrame]:
        """Year table → its completeness year by year."""
        return self.context.completeness

    @property
    def mosaic_years(self) -> Table | None:
        """The mosaic economy year by year."""
        return self.subsection(Mosaic).years_table

    @property
    def dependent(self) -> pd.DataFrame | None:
        """The enterprises that depend on one source of income."""
        return self.subsection(Mosaic).dependent

    @property
    def bottom_lines(self) -> pd.DataFrame:
        """The active enterprises' three bottom lines (those with data)."""
        return self.subsection(BottomLines).frame

    @property
    def bottom_lines_table(self) -> Table | None:
        """The table of the three bottom lines."""
        return self.subsection(BottomLines).table

    @property
    def sroi_problem(self) -> str | None:
        """Why the business case is not computed (None when it is)."""
        return self.subsection(Sroi).problem

    @property
    def sensitivity_table(self) -> Table | None:
        """The business case's sensitivity to each assumption."""
        return self.subsection(Sroi).sensitivity_table
