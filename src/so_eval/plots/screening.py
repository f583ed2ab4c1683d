"""Plots for :mod:`so_eval.screening`: funnel plot, run chart, control chart, projection.

Every function takes a result object from :mod:`so_eval.screening`, draws on ``ax``
(a new ``(7, 4)`` inch figure, legible at A4 width, when ``ax`` is ``None``) and
returns the :class:`matplotlib.axes.Axes`. Labels are Danish by default, colours come
from seaborn's colour-blind-safe ``"colorblind"`` palette, and axes use Danish number
format (thousands separator ".", decimal comma, percentages like "52 %").
"""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from so_eval.plots import base as ticks
from so_eval.screening import (
    ControlChartResult,
    FunnelResult,
    ProjectionResult,
    RunChartResult,
)

__all__ = ["control_chart_plot", "funnel_plot", "projection_plot", "run_chart_plot"]

FIGSIZE = (7.0, 4.0)
_PAL = sns.color_palette("colorblind")
_C_DATA = _PAL[0]  # blue
_C_TREND = _PAL[1]  # orange
_C_OK = _PAL[2]  # green
_C_ALERT = _PAL[3]  # vermillion/red
_C_LIMIT = (0.35, 0.35, 0.35)
_C_WARN = _PAL[4]  # purple


# Danish formats: so_eval.plots.base
_da_number = ticks.auto_number
_da_percent = ticks.auto_percent


def _number_formatter(decimals: int | None = None):
    return ticks.formatter(ticks.auto_number, decimals=decimals)


def _percent_formatter(decimals: int | None = None):
    return ticks.formatter(ticks.auto_percent, decimals=decimals)


def _new_ax(ax: Axes | None) -> Axes:
    if ax is None:
        # a plain Figure, not pyplot: the notebook shows it once, where the report puts it
        ax = Figure(figsize=FIGSIZE, layout="constrained").add_subplot()
    return ax


def _time_values(t: pd.Series) -> tuple[np.ndarray, bool]:
    """Convert a time column to something matplotlib can plot; report if datetime."""
    if isinstance(t.dtype, pd.PeriodDtype):
        return t.dt.to_timestamp().to_numpy(), True
    if pd.api.types.is_datetime64_any_dtype(t):
        return t.to_numpy(), True
    return t.to_numpy(), False


def _format_time_axis(ax: Axes, is_datetime: bool) -> None:
    if is_datetime:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8))
        ax.xaxis.set_major_formatter(ticks.formatter(ticks.month))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))


def _level_label(level: float) -> str:
    return f"{_da_number(level * 100)} %"


def _finish(
    ax: Axes,
    *,
    title: str | None,
    info: str | None = None,
    info_colour: object = "black",
    legend_title: str | None = None,
) -> None:
    """Info text just above the axes (in ``ax.texts``), title above it, legend below."""
    n_info_lines = 0
    if info:
        wrapped = "\n".join(textwrap.fill(part, 105) for part in info.split("\n"))
        n_info_lines = wrapped.count("\n") + 1
        ax.text(
            0.0,
            1.02,
            wrapped,
            transform=ax.transAxes,
            va="bottom",
            ha="left",
            fontsize=8,
            color=info_colour,
        )
    if title:
        ax.set_title(title, pad=6 + 11 * n_info_lines, loc="left")
    handles, _labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            fontsize=8,
            title=legend_title,
            title_fontsize=8,
            frameon=False,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.16),
            ncol=min(3, len(handles)),
        )
    sns.despine(ax=ax)


# --------------------------------------------------------------------------------------
# funnel plot
# --------------------------------------------------------------------------------------
def funnel_plot(
    result: FunnelResult,
    *,
    label_units: bool | str = True,
    ax: Axes | None = None,
    xlabel: str = "Antal borgere",
    ylabel: str = "Andel",
    title: str | None = None,
    n_grid: int | None = None,
) -> Axes:
    """Funnel plot of proportions.

    Draws, for each limit level, a lower and an upper funnel line (the widest level,
    99.8 % by default, solid; narrower levels dashed), a horizontal target line and
    one point per unit, coloured by whether it lies inside, outside the narrow or
    outside the wide limits. The y-axis is in Danish percent format.

    Parameters
    ----------
    result : FunnelResult
        From :func:`so_eval.screening.funnel_limits`.
    label_units : bool or {"any", "all"}
        ``True``: write the name of units outside the widest limits; ``"any"``: units
        outside any limit; ``"all"``: every unit; ``False``: none.
    ax : Axes, optional
        Axes to draw on; a new ``(7, 4)`` figure if ``None``.
    xlabel, ylabel, title : str
        Danish defaults.
    n_grid : int, optional
        Number of points on the funnel lines (see ``FunnelResult.curve``).

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from so_eval.screening import funnel_limits
    >>> df = pd.DataFrame({"aftale": list("ABCDE"), "job": [20, 25, 30, 22, 60],
    ...                    "borgere": [100, 120, 150, 90, 100]})
    >>> ax = funnel_plot(funnel_limits(df, unit="aftale", events="job", n="borgere",
    ...                                target=0.25, overdispersion=False))
    >>> [t.get_text() for t in ax.texts]
    ['E']
    """
    if label_units not in (True, False, "any", "all"):
        raise ValueError("label_units must be True, False, 'any' or 'all'")
    ax = _new_ax(ax)
    curve = result.curve(n_grid)
    levels = sorted(result.limits)
    widest = levels[-1]
    for level in levels:
        tag = f"{level * 100:.10g}".replace(".", "")
        style = "-" if level == widest else "--"
        lbl = f"{_level_label(level)}-grænse"
        ax.plot(curve["n"], curve[f"upper{tag}"], style, color=_C_LIMIT, lw=1.2, label=lbl)
        ax.plot(curve["n"], curve[f"lower{tag}"], style, color=_C_LIMIT, lw=1.2)
    tgt_name = "Gennemsnit" if result.target_source == "pooled" else "Mål"
    ax.axhline(
        result.target, color=_C_TREND, lw=1.5, label=f"{tgt_name}: {_da_percent(result.target)}"
    )

    tab = result.table
    wide_tag = f"{widest * 100:.10g}".replace(".", "")
    outside_wide = tab[f"flag{wide_tag}"].notna().to_numpy()
    outside_any = np.zeros(len(tab), dtype=bool)
    for level in levels:
        outside_any |= tab[f"flag{f'{level * 100:.10g}'.replace('.', '')}"].notna().to_numpy()
    inside = ~outside_any
    narrow_only = outside_any & ~outside_wide
    groups = [
        (inside, _C_DATA, "o", "Inden for grænserne"),
        (narrow_only, _C_WARN, "s", f"Uden for {_level_label(levels[0])}"),
        (outside_wide, _C_ALERT, "D", f"Uden for {_level_label(widest)}"),
    ]
    if len(levels) == 1:
        groups = [groups[0], groups[2]]
    for mask, colour, marker, lbl in groups:
        if mask.any():
            ax.scatter(
                tab.loc[mask, "n"],
                tab.loc[mask, "rate"],
                color=colour,
                marker=marker,
                s=30,
                zorder=3,
                edgecolor="white",
                linewidth=0.5,
                label=lbl,
            )

    if label_units:
        mask = {True: outside_wide, "any": outside_any, "all": np.ones(len(tab), bool)}[label_units]
        for _, row in tab.loc[mask].iterrows():
            ax.annotate(
                str(row["unit"]),
                (row["n"], row["rate"]),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=8,
            )

    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(_percent_formatter())
    ax.xaxis.set_major_formatter(_number_formatter(0))
    ax.set_xlim(left=0)
    legend_title = None
    if result.overdispersion_applied:
        legend_title = f"Justeret for overspredning (τ² = {_da_number(result.tau2, 4)})"
    _finish(ax, title=title, legend_title=legend_title)
    return ax


# --------------------------------------------------------------------------------------
# run chart
# --------------------------------------------------------------------------------------
def run_chart_plot(
    result: RunChartResult,
    *,
    ax: Axes | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
    percent: bool = False,
) -> Axes:
    """Run chart: the series, its median and the Anhøj verdict.

    The median line is drawn dashed and in the alert colour when a signal is present
    (as in qicharts2); points in a run longer than the limit are highlighted. A text
    box states the longest run and number of crossings with their limits and whether
    non-random variation is signalled. With a baseline, a dotted vertical line marks
    its end.

    Parameters
    ----------
    result : RunChartResult
        From :func:`so_eval.screening.run_chart`.
    ax : Axes, optional
    xlabel, ylabel, title : str, optional
        Defaults: "Tid" and the value column name.
    percent : bool
        Format the y-axis as Danish percentages (values are proportions).

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from so_eval.screening import run_chart
    >>> df = pd.DataFrame({"maaned": range(1, 21), "jobs": [5, 7] * 6 + [9] * 8})
    >>> ax = run_chart_plot(run_chart(df, time="maaned", value="jobs"))
    >>> len(ax.lines), "Signal" in ax.texts[0].get_text()
    (2, True)
    """
    ax = _new_ax(ax)
    tab = result.table
    x, is_dt = _time_values(tab["time"])
    y = tab["value"].to_numpy(dtype=float)
    ax.plot(x, y, "-o", color=_C_DATA, ms=4, lw=1.2, label=ylabel or result.value_name)
    median_colour = _C_ALERT if result.signal else _C_LIMIT
    med_txt = _da_percent(result.median) if percent else _da_number(result.median)
    ax.axhline(
        result.median,
        color=median_colour,
        lw=1.3,
        ls="--" if result.signal else "-",
        label=f"Median: {med_txt}",
    )
    if result.runs_signal:
        long_pts = (tab["run_length"] > result.longest_run_max).to_numpy()
        ax.scatter(
            x[long_pts],
            y[long_pts],
            color=_C_ALERT,
            s=30,
            zorder=3,
            label="Punkter i for lang serie",
        )
    if result.baseline < result.n_obs:
        ax.axvline(x[result.baseline - 1], color=_C_LIMIT, ls=":", lw=1)

    reasons = []
    if result.runs_signal:
        reasons.append("for lang serie")
    if result.crossings_signal:
        reasons.append("for få krydsninger")
    verdict = (
        "Signal: ikke-tilfældig variation (" + " og ".join(reasons) + ")"
        if result.signal
        else "Ingen signal: kun tilfældig variation"
    )
    info = (
        f"Længste serie: {result.longest_run} (grænse {result.longest_run_max}) · "
        f"Krydsninger: {result.crossings} (min. {result.crossings_min})\n{verdict}"
    )
    _format_time_axis(ax, is_dt)
    ax.yaxis.set_major_formatter(_percent_formatter() if percent else _number_formatter())
    ax.set_xlabel(xlabel or "Tid")
    ax.set_ylabel(ylabel or result.value_name)
    _finish(ax, title=title, info=info, info_colour=_C_ALERT if result.signal else "black")
    return ax


# --------------------------------------------------------------------------------------
# control chart
# --------------------------------------------------------------------------------------
def control_chart_plot(
    result: ControlChartResult,
    *,
    ax: Axes | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
) -> Axes:
    """Shewhart control chart: series, centre line and 3-sigma limits.

    Points outside the limits are marked in the alert colour; points belonging to a
    run of >= 8 on one side of the centre line (a shift) are marked in a second colour
    and a note is written. p-charts use Danish percent format and stepped limits.

    Parameters
    ----------
    result : ControlChartResult
        From :func:`so_eval.screening.control_limits`.
    ax : Axes, optional
    xlabel, ylabel, title : str, optional
        Defaults: "Tid" and the value column name ("Andel" for p-charts).

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from so_eval.screening import control_limits
    >>> df = pd.DataFrame({"maaned": range(1, 13), "jobs": [9, 8, 10, 9, 11, 7, 9, 30,
    ...                                                     8, 10, 9, 8]})
    >>> ax = control_chart_plot(control_limits(df, time="maaned", value="jobs", kind="c",
    ...                                        baseline=7))
    >>> len(ax.lines)  # data, centre line, upper and lower limit, end of baseline
    5
    """
    ax = _new_ax(ax)
    tab = result.table
    x, is_dt = _time_values(tab["time"])
    y = tab["y"].to_numpy(dtype=float)
    is_p = result.kind == "p"
    fmt = _da_percent if is_p else _da_number
    ax.plot(x, y, "-o", color=_C_DATA, ms=4, lw=1.2, label=ylabel or result.value_name)
    ax.plot(x, tab["cl"], "-", color=_C_LIMIT, lw=1.3, label=f"Centerlinje: {fmt(result.centre)}")
    draw = "steps-mid" if is_p else "default"
    ax.plot(
        x,
        tab["ucl"],
        "--",
        color=_C_ALERT,
        lw=1.1,
        drawstyle=draw,
        label="Kontrolgrænser (3 sigma)",
    )
    ax.plot(x, tab["lcl"], "--", color=_C_ALERT, lw=1.1, drawstyle=draw)
    shift = tab["in_shift"].to_numpy()
    if shift.any():
        ax.scatter(
            x[shift], y[shift], color=_C_WARN, s=30, zorder=3, label="Skift (≥ 8 på samme side)"
        )
    out = tab["outside"].to_numpy(dtype=bool)
    if out.any():
        ax.scatter(
            x[out],
            y[out],
            color=_C_ALERT,
            marker="D",
            s=36,
            zorder=4,
            label="Uden for kontrolgrænserne",
        )
    if result.baseline < len(tab):
        ax.axvline(x[result.baseline - 1], color=_C_LIMIT, ls=":", lw=1)
    msgs = []
    if result.n_outside:
        msgs.append(f"{result.n_outside} punkt(er) uden for kontrolgrænserne")
    if result.shift_detected:
        msgs.append(f"Skift: {result.longest_run} punkter i træk på samme side af centerlinjen")
    _format_time_axis(ax, is_dt)
    ax.yaxis.set_major_formatter(_percent_formatter() if is_p else _number_formatter())
    ax.set_xlabel(xlabel or "Tid")
    ax.set_ylabel(ylabel or ("Andel" if is_p else result.value_name))
    info = "\n".join(msgs) if msgs else "Ingen punkter uden for kontrolgrænserne og intet skift"
    _finish(ax, title=title, info=info, info_colour=_C_ALERT if msgs else "black")
    return ax


# --------------------------------------------------------------------------------------
# projection
# --------------------------------------------------------------------------------------
def projection_plot(
    result: ProjectionResult,
    *,
    ax: Axes | None = None,
    xlabel: str = "År",
    ylabel: str | None = None,
    title: str | None = None,
    percent: bool = False,
    info: str | None = None,
) -> Axes:
    """Observed values, the trend with prediction bands inside the range, and the target.

    Draws the years that entered the fit, the model's trend / projection as a dashed
    line, one shaded prediction band per level (widest lightest; a count's band never
    goes below 0, a share's stays within 0–100 %), the target as a horizontal line
    labelled with the target year and a star at (target year, target). The status
    statement (or ``info``) is written in the corner.

    Parameters
    ----------
    result : ProjectionResult
        From :func:`so_eval.screening.project_to_target`.
    ax : Axes, optional
    xlabel, ylabel, title : str, optional
    percent : bool
        Format the y-axis as Danish percentages.
    info : str, optional
        The text in the corner instead of ``result.statement``.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from so_eval.screening import project_to_target
    >>> df = pd.DataFrame({"aar": [2021, 2022, 2023, 2024], "job": [10, 21, 29, 41]})
    >>> ax = projection_plot(project_to_target(df, year="aar", value="job", target=50,
    ...                                        target_year=2025))
    >>> len(ax.lines)  # observed, trend, target
    3
    """
    ax = _new_ax(ax)
    tab = result.table
    fmt = _da_percent if percent else _da_number
    obs = tab[tab["used"]]  # a year left out of the fit may be a hidden figure: not drawn
    ax.plot(obs["year"], obs["observed"], "-o", color=_C_DATA, ms=5, lw=1.5, label="Observeret")
    fit = tab[tab["fit"].notna()]
    if len(fit):
        model = "logistisk model" if result.model == "binomial" else "Poisson-model"
        ax.plot(fit["year"], fit["fit"], "--", color=_C_TREND, lw=1.5,
                label=f"Trend / fremskrivning ({model})")
    for i, level in enumerate(sorted(result.levels, reverse=True)):
        tag = f"{level * 100:.10g}".replace(".", "")
        band = tab[tab[f"lower{tag}"].notna()]
        if len(band):
            ax.fill_between(
                band["year"],
                band[f"lower{tag}"],
                band[f"upper{tag}"],
                color=_C_TREND,
                alpha=0.15 + 0.12 * i,
                lw=0,
                label=f"{_level_label(level)}-prædiktionsinterval",
            )
    ax.axhline(
        result.target, color=_C_OK, lw=1.5, label=f"Mål {result.target_year}: {fmt(result.target)}"
    )
    ax.scatter(
        [result.target_year],
        [result.target],
        marker="*",
        s=120,
        color=_C_OK,
        zorder=4,
        edgecolor="black",
        linewidth=0.5,
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(ticks.formatter(ticks.year))
    ax.yaxis.set_major_formatter(_percent_formatter() if percent else _number_formatter())
    # the axis shows the range the figure can take: from 0, and for a share to 100 % at most
    ax.set_ylim(0, min(ax.get_ylim()[1], 1.05) if result.model == "binomial" else None)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or result.value_name)
    _finish(ax, title=title, info=result.statement if info is None else info)
    return ax
