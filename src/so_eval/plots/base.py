"""What the plot modules share: the axes (a figure that reads well at A4 width), the palette, the
legend below the plot, the spines and grid, and Danish tick labels (``1.234`` · ``52 %`` ·
``jan 2025``).

:func:`formatter` puts a tick function on an axis; :func:`tick_formatter` is the short form for
numbers and percentages. The palette is seaborn's colour-blind-safe ``"colorblind"`` palette,
written out (this module needs no seaborn).

>>> formatter(percent, decimals=1)(0.5234, 0)
'52,3\\xa0%'
>>> auto_number(1234.5), auto_percent(0.525)
('1.234,5', '52,5 %')
>>> import seaborn as sns
>>> PALETTE == tuple(sns.color_palette("colorblind"))
True
"""

from __future__ import annotations

import math
from functools import partial

import matplotlib.dates as mdates
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from so_eval.fmt import NBSP, grouped

A4_WIDTH = 7.0
"""Figure width in inches that reads well at A4 width."""
PALETTE = tuple(
    to_rgb(c)
    for c in (
        "#0173B2",
        "#DE8F05",
        "#029E73",
        "#D55E00",
        "#CC78BC",
        "#CA9161",
        "#FBAFE4",
        "#949494",
        "#ECE133",
        "#56B4E9",
    )
)
"""seaborn's ``"colorblind"`` palette as RGB tuples (what ``sns.color_palette("colorblind")`` gives)."""
BASE, ACCENT, MUTED, TARGET = PALETTE[0], PALETTE[1], "#b8b8b8", PALETTE[3]
"""The data, a highlighted value, what is in the background, and a target."""
GRID = "#e5e5e5"
"""The colour of the grid lines."""


def new_axes(ax=None, height: float = 3.6):
    """``ax`` itself, or (None) the axes of a new A4-wide figure ``height`` inches high.

    The figure is a :class:`matplotlib.figure.Figure` (not pyplot, so a notebook shows it once,
    where the report puts it) with the constrained layout :func:`legend_below` needs.
    """
    if ax is not None:
        return ax
    fig = Figure(figsize=(A4_WIDTH, height), layout="constrained")
    return fig.add_subplot()


def legend_below(ax, ncol: int = 2) -> None:
    """Legend under the plot, outside the data (needs the constrained layout of :func:`new_axes`)."""
    handles, labels = ax.get_legend_handles_labels()
    if ax.figure.get_layout_engine() is not None:
        ax.figure.legend(handles, labels, loc="outside lower left", ncol=ncol, frameon=False, fontsize=8)
    else:
        ax.legend(handles, labels, frameon=False, fontsize=8)


def style_axes(ax, grid: str = "y") -> None:
    """No top and right spines; light grid lines along ``grid`` ("y" or "x"), behind the data."""
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis=grid, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)


MONTHS_SHORT = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def formatter(tick, **options):
    """A matplotlib ``FuncFormatter`` calling ``tick(value, position, **options)``."""
    return FuncFormatter(partial(tick, **options) if options else tick)


def tick_formatter(kind: str = "number", decimals: int = 0) -> FuncFormatter:
    """A tick formatter in Danish format: ``kind`` is ``"number"`` or ``"percent"`` (of a share)."""
    return formatter(percent if kind == "percent" else number, decimals=decimals)


def number(x: float, _pos=None, *, decimals: int = 0) -> str:
    """A number with a fixed number of decimals: ``1.234``."""
    return grouped(x, decimals)


def percent(x: float, _pos=None, *, decimals: int = 0) -> str:
    """A share (0–1) as a percentage with a fixed number of decimals: ``52 %``."""
    return f"{grouped(100 * float(x), decimals)}{NBSP}%"


def absolute_number(x: float, _pos=None) -> str:
    """The number without its sign (an axis where counts below 0 are drawn downwards)."""
    return grouped(abs(x))


def auto_number(x: float | None, _pos=None, *, decimals: int | None = None) -> str:
    """A number with ``decimals`` decimals, or (None) up to two with trailing zeros cut."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    s = f"{x:,.2f}".rstrip("0").rstrip(".") if decimals is None else f"{x:,.{decimals}f}"
    s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return "0" if s in ("-0", "") else s


def auto_percent(x: float | None, _pos=None, *, decimals: int | None = None) -> str:
    """A share as a percentage with ``decimals`` decimals, or (None) up to one, zeros cut."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if decimals is None:
        s = f"{x * 100:.1f}".rstrip("0").rstrip(".")
        s = s.replace(".", ",")
        s = "0" if s == "-0" else s
    else:
        s = auto_number(x * 100, decimals=decimals)
    return f"{s} %"


def year(x: float, _pos=None) -> str:
    """A whole year (no label between years)."""
    return f"{x:.0f}" if float(x).is_integer() else ""


def month(x: float, _pos=None) -> str:
    """A matplotlib date number as ``jan 2025``."""
    d = mdates.num2date(x)
    return f"{MONTHS_SHORT[d.month - 1]} {d.year}"
