"""Danish tick labels for matplotlib axes (``1.234`` · ``52 %`` · ``jan 2025``).

Each is a function of the tick's value and position, as matplotlib calls it, with its options as
keywords; use :func:`formatter` to put one on an axis.

>>> formatter(percent, decimals=1)(0.5234, 0)
'52,3\\xa0%'
>>> auto_number(1234.5), auto_percent(0.525)
('1.234,5', '52,5 %')
"""

from __future__ import annotations

import math
from functools import partial

NBSP = "\u00a0"
MONTHS_SHORT = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def formatter(tick, **options):
    """A matplotlib ``FuncFormatter`` calling ``tick(value, position, **options)``."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(partial(tick, **options) if options else tick)


def grouped(x: float, decimals: int = 0) -> str:
    """``x`` rounded to ``decimals``, ``.`` grouping thousands and ``,`` as the decimal mark."""
    v = round(float(x), decimals)
    if v == 0:
        v = 0.0  # no "-0"
    s = f"{v:,.{decimals}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


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
    if decimals is None:
        s = f"{x:,.2f}".rstrip("0").rstrip(".")
    else:
        s = f"{x:,.{decimals}f}"
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
    import matplotlib.dates as mdates

    d = mdates.num2date(x)
    return f"{MONTHS_SHORT[d.month - 1]} {d.year}"
