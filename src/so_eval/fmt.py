"""Danish number, percentage and date formats (1.234,5 · 52,3 % · 2. juli 2025)."""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

from so_eval.ticks import NBSP, grouped

_MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
           "september", "oktober", "november", "december"]


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT


def number(x: float | int | None, decimals: int = 0) -> str:
    """Format a number the Danish way: ``.`` groups thousands, ``,`` is the decimal mark.

    >>> number(1234.5, 1)
    '1.234,5'
    >>> number(-1234567)
    '-1.234.567'
    """
    if _missing(x):
        return "–"
    return grouped(x, decimals)


def percent(share: float | None, decimals: int = 0) -> str:
    """Format a share (0–1) as a Danish percentage.

    >>> percent(0.5234, 1)
    '52,3\xa0%'
    """
    if _missing(share):
        return "–"
    return f"{number(100 * float(share), decimals)}{NBSP}%"


def signed(x: float | None, decimals: int = 1) -> str:
    """A number with an explicit sign (for changes): ``+1,5`` / ``-0,5``."""
    if _missing(x):
        return "–"
    s = number(x, decimals)
    return s if s.startswith("-") or float(x) == 0 else f"+{s}"


def date(d: object) -> str:
    """A date in words: ``2. juli 2025``."""
    if _missing(d):
        return "–"
    t = pd.Timestamp(d)
    return f"{t.day}. {_MONTHS[t.month - 1]} {t.year}"


def slug(text: object) -> str:
    """A stable ASCII key part: ``'elev/lærling'`` → ``'elev_laerling'``."""
    s = str(text).lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def tick_formatter(kind: str = "number", decimals: int = 0):
    """A matplotlib tick formatter in Danish format (``kind``: number or percent); see
    :mod:`so_eval.ticks` for the others."""
    from so_eval import ticks

    return ticks.formatter(ticks.percent if kind == "percent" else ticks.number, decimals=decimals)

