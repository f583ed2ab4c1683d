"""Completeness in the report: how many of a year's expected rows were registered by the report's
``as_of`` date (:func:`so_eval.metrics.completeness.completeness`), recorded in the ledger under
``completeness.{table}.{year}.registered``, ``.expected`` and ``.share`` (jobs and courses: only
``.share``, a registration-delay estimate), said in plain Danish next to the figures it concerns,
and noted on those figures (the ``complete`` column of ``figures.csv``).

Counts of enterprises' accounts and reports are not personal data. Jobs and courses are (a job is
one citizen's job): their registration-delay share is recorded as a share of persons
(:meth:`so_eval.reporting.ledger.Ledger.share`), so where it would give a small count of late rows away it
is not shown and the text says only whether it is at least the threshold; their registered and
expected rows are not published (the registered rows would repeat a goal figure that may be
hidden to protect another).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from so_eval import disclosure, fmt
from so_eval.metrics.completeness import is_provisional
from so_eval.reporting.ledger import Figure, Ledger

WORDS = {
    "finances": ("regnskaber", "indberettet"),
    "circular": ("indberetninger om cirkulær økonomi", "modtaget"),
    "jobs": ("job", "registreret"),
    "courses": ("afsluttede forløb", "registreret"),
}
"""Table → (what its rows are called, what happens to them when they arrive), in Danish."""

UNITS = {"finances": "regnskaber", "circular": "indberetninger"}
"""The ledger unit of an enterprise table's row counts (not persons)."""


def _row(frame: pd.DataFrame, table: str, year: int):
    hit = frame.loc[(frame["table"] == table) & (frame["year"] == year)]
    return next(hit.itertuples(), None)


def _finite(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def record(ledger: Ledger, frame: pd.DataFrame, table: str, year: int) -> Figure | None:
    """Record the completeness of ``table`` in ``year`` (from the frame of
    :func:`~so_eval.metrics.completeness.completeness`); return its share figure, or None if the
    frame has no row for it."""
    r = _row(frame, table, year)
    if r is None:
        return None
    k, date = f"completeness.{table}.{year}", fmt.date(r.as_of)
    noun, verb = WORDS[table]
    if r.method == "enterprises":
        unit = UNITS[table]
        ledger.count(f"{k}.registered", r.registered, f"{noun.capitalize()} for {year} {verb} pr. {date}", unit)
        ledger.count(f"{k}.expected", r.expected, f"{noun.capitalize()} forventet for {year}", unit)
        return ledger.value(
            f"{k}.share",
            float(r.share) if _finite(r.share) else None,
            f"Andel af de forventede {noun} for {year} {verb} pr. {date}",
            "andel",
        )
    # the registered rows would repeat a goal figure (the year's ended courses) that may be hidden
    # to protect another, and with them the estimated expected rows would give a hidden share away:
    # only the share is published
    return ledger.share(
        f"{k}.share",
        r.reference_registered,
        r.reference_rows,
        f"Skønnet andel af årets {noun} for {year} {verb} pr. {date} (indberetningstid)",
    )


def _value(fig: Figure) -> float:
    return float(fig.value) if _finite(fig.value) else float("nan")


def complete_text(fig: Figure | None, threshold: float) -> str:
    """What figures.csv's ``complete`` column says for figures whose completeness is ``fig``: the
    share (six decimals), only on which side of ``threshold`` it lies where the share is hidden,
    and nothing where it is unknown."""
    if fig is None or not _finite(fig.value):
        return ""
    v = float(fig.value)
    if fig.suppressed:
        return f">={threshold!r}" if v >= threshold else f"<{threshold!r}"
    return repr(round(v, 6))


def year_label(year: int, provisional: bool) -> str:
    """A year as a table row or text shows it: ``2025 (foreløbig)`` when its figures are."""
    return f"{year} (foreløbig)" if provisional else str(year)


def provisional(frame: pd.DataFrame | None, table: str, year: int, threshold: float) -> bool:
    """Whether ``table``'s figures for ``year`` are *foreløbige* by ``frame`` (the completeness
    frame; False where it has no such row)."""
    r = None if frame is None else _row(frame, table, year)
    return r is not None and is_provisional(r.share, threshold)


def sentence(ledger: Ledger, frame: pd.DataFrame, table: str, year: int, threshold: float) -> str:
    """One Danish sentence (or two) on how complete ``table``'s figures for ``year`` are, its
    numbers read from the ledger (as :func:`record` recorded them from ``frame``): "17 af 44
    regnskaber indberettet pr. 15. januar 2026 (39 %)", and whether the year is *foreløbig*.
    Empty if it was not recorded, or nothing was expected."""
    k, r = f"completeness.{table}.{year}", _row(frame, table, year)
    if r is None or f"{k}.share" not in ledger:
        return ""
    share, (noun, verb), date = ledger[f"{k}.share"], WORDS[table], fmt.date(r.as_of)
    v = _value(share)
    if r.method == "enterprises":
        if not r.expected:
            return ""
        text = (
            f"{ledger[f'{k}.registered'].display} af {ledger[f'{k}.expected'].display} {noun} {verb} "
            f"pr. {date} ({share.display})."
        )
    elif math.isnan(v):
        return (
            f"**Datagrundlag for {year}:** hvor mange af årets {noun} der endnu mangler, kan ikke skønnes: "
            f"der var ingen {noun} for {year - 1} at sammenligne indberetningstiden med."
        )
    else:
        shown = (
            share.display
            if not share.suppressed
            else f"{'mindst' if v >= threshold else 'under'} {fmt.percent(threshold)}"
        )
        text = (
            f"skønnet {shown} af årets {noun} {verb} pr. {date} (ud fra, hvor mange af sidste års {noun} "
            "der var registreret lige så længe efter årets udgang)."
        )
    out = f"**Datagrundlag for {year}:** {text}"
    if is_provisional(v, threshold):
        out += f" Tallene for {year} er derfor *foreløbige* og sammenlignes ikke med tidligere år."
    return out


def figure_year(key: str, years: Iterable[int], default: int) -> int:
    """The year a figure's key names (a four-digit part such as ``goal1.jobs.2024``), else
    ``default`` (the report's year)."""
    years = set(years)
    for part in key.split("."):
        if part.isdigit() and len(part) == 4 and int(part) in years:
            return int(part)
    return default


def _frame_text(r, threshold: float, min_cell: int) -> str:
    """:func:`complete_text` for a year whose completeness is not recorded in the ledger: hidden
    as :meth:`Ledger.share` would hide it (a delay share of persons)."""
    hidden = (
        r.method == "delay"
        and disclosure.share_hidden_reason(r.reference_registered, r.reference_rows, min_cell) is not None
    )
    return complete_text(Figure("", r.share, "andel", "", hidden), threshold)


def mark(ledger: Ledger, keys: Iterable[str], table: str, year: int, frame: pd.DataFrame, threshold: float) -> None:
    """Note on each figure of ``keys`` the completeness of ``table`` in its year
    (:func:`figure_year`; the report's ``year`` if its key names none): as recorded in the
    ledger where it is (hidden where it is hidden), else from ``frame``."""
    years = [int(y) for y in frame.loc[frame["table"] == table, "year"]]
    texts = {}
    for y in years:
        k = f"completeness.{table}.{y}.share"
        texts[y] = (
            complete_text(ledger[k], threshold)
            if k in ledger
            else _frame_text(_row(frame, table, y), threshold, ledger.min_cell)
        )
    for key in list(keys):
        text = texts.get(figure_year(key, years, year), "")
        if text:
            ledger.mark_complete(key, text)
