"""Goal status: met, not met, met early — the same rule for every goal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class GoalStatus(str, Enum):  # noqa: UP042 -- a StrEnum would change str() and format() of a status
    MET = "met"
    NOT_MET = "not_met"
    MET_EARLY = "met_early"
    NOT_YET = "not_yet"
    NO_TARGET = "no_target"
    NO_VALUE = "no_value"

    @property
    def label(self) -> str:
        """The status in Danish, as the report says it."""
        return {
            "met": "nået",
            "not_met": "ikke nået",
            "met_early": "nået før tid",
            "not_yet": "endnu ikke nået",
            "no_target": "intet måltal",
            "no_value": "kan ikke opgøres",
        }[self.value]


@dataclass(frozen=True)
class Goal:
    status: GoalStatus
    value: float | None
    target: float | None
    year: int
    target_year: int | None

    @property
    def label(self) -> str:
        return self.status.label


def goal_status(value: float | None, target: float | None, year: int, target_year: int | None = None) -> Goal:
    """Whether a goal is met in ``year``.

    Rule: an *annual* target (``target_year`` None, e.g. at least 30 jobs a year) is *met* when the
    year's value reaches it and *not met* otherwise. A *period* target (e.g. 40 enterprises by
    2025) is *met early* ("nået før tid") when the value reaches it in a year before
    ``target_year``; *not yet* reached before then; and *met* or *not met* in the target year
    itself (and after it). Without a target the status is *no target*; without a value (e.g. no
    course ended, or a share suppressed for few citizens) it *cannot be judged*.

    Tælleregel: Et årligt mål (fx mindst 30 job om året) er *nået*, når årets tal når målet, og
    ellers *ikke nået*. Et mål for perioden (fx 40 virksomheder i 2025) er *nået før tid*, når
    tallet når målet i et år før målåret; før da er det *endnu ikke nået*; i målåret er det
    *nået* eller *ikke nået*. Uden et måltal er status *intet måltal*; uden et tal (fx når intet
    forløb sluttede, eller andelen er skjult, fordi den bygger på få borgere) *kan den ikke opgøres*.
    """
    if target is None:
        return Goal(GoalStatus.NO_TARGET, value, target, year, target_year)
    if value is None or value != value:  # None or NaN
        return Goal(GoalStatus.NO_VALUE, value, target, year, target_year)
    reached = value >= target
    if target_year is None or year >= target_year:
        return Goal(GoalStatus.MET if reached else GoalStatus.NOT_MET, value, target, year, target_year)
    return Goal(GoalStatus.MET_EARLY if reached else GoalStatus.NOT_YET, value, target, year, target_year)
