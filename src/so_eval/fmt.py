"""Danish number, percentage and date formats (1.234,5 · 52,3 % · 2. juli 2025), and
:func:`text`, the one way a string from the data enters the report's Markdown."""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

NBSP = "\u00a0"
"""A no-break space: between a number and its unit (``52\u00a0%``)."""


def grouped(x: float, decimals: int = 0) -> str:
    """``x`` rounded to ``decimals``, ``.`` grouping thousands and ``,`` as the decimal mark."""
    v = round(float(x), decimals)
    if v == 0:
        v = 0.0  # no "-0"
    s = f"{v:,.{decimals}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


_MONTHS = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]


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


def mio_kr(amount: float | None) -> str:
    """An amount in kroner, in millions rounded to 0,1 mio. kr. (for amounts in running text).

    >>> mio_kr(4_121_733)
    '4,1 mio. kr.'
    >>> mio_kr(-2_399_177)
    '-2,4 mio. kr.'
    """
    if _missing(amount):
        return "–"
    return f"{number(float(amount) / 1e6, 1)} mio. kr."


def date(d: object) -> str:
    """A date in words: ``2. juli 2025``."""
    if _missing(d):
        return "–"
    t = pd.Timestamp(d)
    return f"{t.day}. {_MONTHS[t.month - 1]} {t.year}"


_SPACE = re.compile(r"[ \t\n\r\f\v\x1c-\x1f\x85\u2028\u2029]+")  # not the no-break spaces of 52,3 %
_MD_PUNCT = re.compile(r"([\\`*_\[\]~|#])")
_LINE_START = re.compile(r"^(?:([+\-=:])|(\d+)([.)]))")
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "{": "&#123;",
    "}": "&#125;",
    "$": "&#36;",
}
_ENTITY_RE = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")


def text(value: object) -> str:
    """A string from the data (a name, an id, a coordinator's text, a category) as Markdown that
    shows exactly that string, as plain text, wherever it is put in the report's Markdown.

    Every string read from a dataset or a params file goes through this function before it is
    put into a Markdown text (:meth:`so_eval.reporting.blocks.Block.md`); table cells need nothing, since
    :class:`so_eval.reporting.blocks.Table` escapes every cell. What it does:

    * line breaks and runs of white space become one space, so the value cannot start a new
      Markdown block (a heading, a list, a code block);
    * Markdown's inline markup is backslash-escaped (`` \\ ` * _ [ ] ~ | # ``), and so is a
      list, quote or definition marker at the start (``- + = :``, ``1.``), so ``**fed**`` and
      ``[klik](javascript:…)`` stay text;
    * HTML's ``& < > " '`` become character references, so ``<script>`` is text in any renderer;
      so do ``{ }`` (nothing can read the value as a ``str.format``/Jinja template) and ``$``
      (no TeX math), and ``://`` (no automatic link).

    Not for inside a code span (backticks), where Markdown shows references literally.

    >>> text("<b>Café</b> **A/S**")
    '&lt;b&gt;Café&lt;/b&gt; \\\\*\\\\*A/S\\\\*\\\\*'
    >>> text(None)
    '–'
    """
    if _missing(value):
        return "–"
    s = _SPACE.sub(" ", str(value)).strip()
    s = _MD_PUNCT.sub(r"\\\1", s)
    s = _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", s)
    s = _ENTITY_RE.sub(lambda m: _ENTITIES[m[0]], s)
    return s.replace("://", "&#58;//")


def slug(text: object) -> str:
    """A stable ASCII key part: ``'elev/lærling'`` → ``'elev_laerling'``."""
    s = str(text).lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")
